/*
 * lower_cpu.c — the host CPU half of lowering: a program is one call of the kernel entry
 * (one task of the runtime's thread pool) and a tile lives in one LLVM vector, which the
 * X86 back end splits into the host's SIMD registers. Masked loads and stores become
 * llvm.masked.{load,store} when the tile is one contiguous run, gathers and scatters
 * otherwise; reductions use llvm.vector.reduce.*.
 */
#include "lower_util.h"

#include <stdlib.h>
#include <string.h>

static const AxisInfo *axis_of(const IrValue *v) { return &((const ValInfo *)v->aux)->ax; }

static LLVMValueRef splat(Lower *L, LLVMValueRef s, int64_t n) {
  LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(s), (unsigned)n);
  LLVMValueRef v = LLVMBuildInsertElement(L->b, LLVMGetPoison(vt), s, lw_i32(L, 0), "");
  return LLVMBuildShuffleVector(L->b, v, LLVMGetPoison(vt), LLVMConstNull(LLVMVectorType(L->i32, (unsigned)n)), "");
}

static TVal one(Lower *L, LLVMValueRef v) {
  TVal t = lw_tval(L, 1);
  t.e[0] = v;
  return t;
}

static LLVMValueRef shuffle_by(Lower *L, LLVMValueRef v, const int64_t *idx, int64_t n) {
  LLVMValueRef *m = malloc(sizeof(LLVMValueRef) * (size_t)n);
  for (int64_t i = 0; i < n; i++) m[i] = lw_i32(L, idx[i]);
  LLVMValueRef mask = LLVMConstVector(m, (unsigned)n);
  free(m);
  return LLVMBuildShuffleVector(L->b, v, LLVMGetPoison(LLVMTypeOf(v)), mask, "");
}

static void lower_const(Lower *L, IrOp *op) {
  const IrType *t = op->res[0]->type;
  IrType e = *t;
  e.rank = 0;
  LLVMValueRef k = lw_const(L, &e, op->i, op->f);
  if (!t->rank) {
    lw_set(L, op->res[0], one(L, k));
    return;
  }
  LLVMValueRef *vals = malloc(sizeof(LLVMValueRef) * (size_t)t->numel);
  for (int64_t i = 0; i < t->numel; i++) vals[i] = k;
  lw_set(L, op->res[0], one(L, LLVMConstVector(vals, (unsigned)t->numel)));
  free(vals);
}

static void lower_arange(Lower *L, IrOp *op) {
  int64_t n = op->i2 - op->i;
  LLVMValueRef *vals = malloc(sizeof(LLVMValueRef) * (size_t)n);
  for (int64_t i = 0; i < n; i++) vals[i] = lw_i32(L, op->i + i);
  lw_set(L, op->res[0], one(L, LLVMConstVector(vals, (unsigned)n)));
  free(vals);
}

static void lower_broadcast(Lower *L, IrOp *op) {
  const IrType *ti = op->opnds[0]->type, *to = op->res[0]->type;
  int64_t *idx = malloc(sizeof(int64_t) * (size_t)to->numel);
  for (int64_t lin = 0; lin < to->numel; lin++) {
    int64_t rem = lin, src = 0, stride = 1;
    for (int d = to->rank - 1; d >= 0; d--) {
      int64_t c = rem % to->shape[d];
      rem /= to->shape[d];
      src += (ti->shape[d] == 1 ? 0 : c) * stride;
      stride *= ti->shape[d];
    }
    idx[lin] = src;
  }
  lw_set(L, op->res[0], one(L, shuffle_by(L, lw_get(L, op->opnds[0]).e[0], idx, to->numel)));
  free(idx);
}

/* Scalar memory access under a runtime mask: a branch around it. */
static LLVMValueRef guarded(Lower *L, LLVMValueRef mask, LLVMTypeRef ty, LLVMValueRef ptr, LLVMValueRef store_val,
                            LLVMValueRef other) {
  LLVMBasicBlockRef cur = LLVMGetInsertBlock(L->b), body = lw_block(L, "mem"), join = lw_block(L, "mem.join");
  LLVMBuildCondBr(L->b, mask, body, join);
  LLVMPositionBuilderAtEnd(L->b, body);
  LLVMValueRef v = store_val ? LLVMBuildStore(L->b, store_val, ptr) : LLVMBuildLoad2(L->b, ty, ptr, "");
  LLVMBuildBr(L->b, join);
  LLVMPositionBuilderAtEnd(L->b, join);
  if (store_val) return NULL;
  LLVMValueRef phi = LLVMBuildPhi(L->b, ty, "");
  LLVMValueRef vals[2] = {v, other ? other : LLVMConstNull(ty)};
  LLVMBasicBlockRef bbs[2] = {body, cur};
  LLVMAddIncoming(phi, vals, bbs, 2);
  return phi;
}

static bool contiguous(const IrValue *p) {
  const IrType *t = p->type;
  return t->rank == 1 && axis_of(p)->contig[0] >= t->numel;
}

static void lower_load(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0];
  const IrType *rt = op->res[0]->type;
  LLVMTypeRef ty = lw_type(L, rt);
  LLVMValueRef ptr = lw_get(L, p).e[0];
  LLVMValueRef mask = (op->flags & MEM_MASK) ? lw_get(L, op->opnds[1]).e[0] : NULL;
  LLVMValueRef other = (op->flags & MEM_OTHER) ? lw_get(L, op->opnds[2]).e[0] : NULL;
  if (!rt->rank) {
    LLVMValueRef v = mask ? guarded(L, mask, ty, ptr, NULL, other) : LLVMBuildLoad2(L->b, ty, ptr, "");
    lw_set(L, op->res[0], one(L, v));
    return;
  }
  unsigned n = (unsigned)rt->numel;
  if (!mask) mask = LLVMConstAllOnes(LLVMVectorType(L->i1, n));
  if (!other) other = LLVMConstNull(ty);
  LLVMValueRef v;
  if (contiguous(p)) {
    LLVMValueRef base = LLVMBuildExtractElement(L->b, ptr, lw_i32(L, 0), "");
    LLVMTypeRef over[2] = {ty, L->ptr_g};
    LLVMValueRef args[3] = {base, mask, other};
    v = lw_intrin(L, "llvm.masked.load", over, 2, args, 3);
  } else {
    LLVMTypeRef over[2] = {ty, LLVMTypeOf(ptr)};
    LLVMValueRef args[3] = {ptr, mask, other};
    v = lw_intrin(L, "llvm.masked.gather", over, 2, args, 3);
  }
  lw_set(L, op->res[0], one(L, v));
}

static void lower_store(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0];
  const IrType *pt = p->type;
  LLVMValueRef ptr = lw_get(L, p).e[0];
  LLVMValueRef val = lw_get(L, op->opnds[1]).e[0];
  LLVMValueRef mask = (op->flags & MEM_MASK) ? lw_get(L, op->opnds[2]).e[0] : NULL;
  if (!pt->rank) {
    if (mask) guarded(L, mask, NULL, ptr, val, NULL);
    else LLVMBuildStore(L->b, val, ptr);
    return;
  }
  unsigned n = (unsigned)pt->numel;
  if (!mask) mask = LLVMConstAllOnes(LLVMVectorType(L->i1, n));
  if (contiguous(p)) {
    LLVMValueRef base = LLVMBuildExtractElement(L->b, ptr, lw_i32(L, 0), "");
    LLVMTypeRef over[2] = {LLVMTypeOf(val), L->ptr_g};
    LLVMValueRef args[3] = {val, base, mask};
    lw_intrin(L, "llvm.masked.store", over, 2, args, 3);
  } else {
    LLVMTypeRef over[2] = {LLVMTypeOf(val), LLVMTypeOf(ptr)};
    LLVMValueRef args[3] = {val, ptr, mask};
    lw_intrin(L, "llvm.masked.scatter", over, 2, args, 3);
  }
}

static LLVMValueRef reduce_vec(Lower *L, ReduceKind k, DType dt, LLVMValueRef v) {
  LLVMTypeRef vt = LLVMTypeOf(v);
  bool fl = dtype_is_float(dt), sg = dtype_is_signed(dt);
  if (fl && k == RED_SUM) {
    LLVMTypeRef et = LLVMGetElementType(vt);
    LLVMValueRef args[2] = {LLVMConstReal(et, -0.0), v};
    LLVMValueRef r = lw_intrin(L, "llvm.vector.reduce.fadd", &vt, 1, args, 2);
    LLVMSetFastMathFlags(r, LLVMFastMathAllowReassoc); /* a tree, like the GPU's order */
    return r;
  }
  const char *n;
  switch (k) {
  case RED_SUM: n = "llvm.vector.reduce.add"; break;
  case RED_XOR: n = "llvm.vector.reduce.xor"; break;
  case RED_MAX: n = fl ? "llvm.vector.reduce.fmax" : sg ? "llvm.vector.reduce.smax" : "llvm.vector.reduce.umax"; break;
  default: n = fl ? "llvm.vector.reduce.fmin" : sg ? "llvm.vector.reduce.smin" : "llvm.vector.reduce.umin"; break;
  }
  return lw_intrin(L, n, &vt, 1, &v, 1);
}

static void lower_reduce(Lower *L, IrOp *op) {
  const IrType *ti = op->opnds[0]->type, *tr = op->res[0]->type;
  LLVMValueRef v = lw_get(L, op->opnds[0]).e[0];
  ReduceKind k = (ReduceKind)op->i2;
  int ax = (int)op->i;
  if (ti->rank == 1) {
    lw_set(L, op->res[0], one(L, reduce_vec(L, k, ti->dt, v)));
    return;
  }
  /* N-D: gather each output's slice along the axis and reduce it */
  int64_t len = ti->shape[ax];
  int64_t inner = 1;
  for (int d = ax + 1; d < ti->rank; d++) inner *= ti->shape[d];
  int64_t *idx = malloc(sizeof(int64_t) * (size_t)len);
  LLVMValueRef out = LLVMGetPoison(lw_type(L, tr));
  for (int64_t o = 0; o < tr->numel; o++) {
    int64_t outer = o / inner, in = o % inner;
    for (int64_t j = 0; j < len; j++) idx[j] = (outer * len + j) * inner + in;
    LLVMValueRef s = shuffle_by(L, v, idx, len);
    out = LLVMBuildInsertElement(L->b, out, reduce_vec(L, k, ti->dt, s), lw_i32(L, o), "");
  }
  free(idx);
  lw_set(L, op->res[0], one(L, out));
}

bool cpu_lower_op(Lower *L, IrOp *op) {
  switch (op->kind) {
  case OP_CONST: lower_const(L, op); return true;
  case OP_ARANGE: lower_arange(L, op); return true;
  case OP_SPLAT: lw_set(L, op->res[0], one(L, splat(L, lw_get(L, op->opnds[0]).e[0], op->res[0]->type->numel))); return true;
  case OP_EXPAND_DIMS: lw_set(L, op->res[0], lw_get(L, op->opnds[0])); return true; /* row-major order is unchanged */
  case OP_BROADCAST: lower_broadcast(L, op); return true;
  case OP_LOAD: lower_load(L, op); return true;
  case OP_STORE: lower_store(L, op); return true;
  case OP_REDUCE: lower_reduce(L, op); return true;
  case OP_BARRIER: return true; /* a program is one thread */
  default: return false;
  }
}

/* void NAME(void **args, const int32_t pid[3], const int32_t nprog[3], void *scratch) */
void cpu_prologue(Lower *L) {
  LLVMTypeRef p0 = LLVMPointerTypeInContext(L->ctx, 0);
  LLVMTypeRef params[4] = {p0, p0, p0, p0};
  LLVMTypeRef fty = LLVMFunctionType(L->vd, params, 4, 0);
  L->fn = LLVMAddFunction(L->mod, L->f->name, fty);
  LLVMPositionBuilderAtEnd(L->b, lw_block(L, "entry"));
  LLVMValueRef args = LLVMGetParam(L->fn, 0), pid = LLVMGetParam(L->fn, 1), np = LLVMGetParam(L->fn, 2);
  L->scratch = LLVMGetParam(L->fn, 3);
  for (int i = 0; i < 3; i++) {
    LLVMValueRef ix = lw_i32(L, i);
    L->pid[i] = LLVMBuildLoad2(L->b, L->i32, LLVMBuildGEP2(L->b, L->i32, pid, &ix, 1, ""), "");
    L->nprog[i] = LLVMBuildLoad2(L->b, L->i32, LLVMBuildGEP2(L->b, L->i32, np, &ix, 1, ""), "");
  }
  for (int i = 0; i < L->f->nparams; i++) {
    const IrType *t = L->f->params[i]->type;
    LLVMValueRef ix = lw_i32(L, i);
    LLVMValueRef slot = LLVMBuildLoad2(L->b, p0, LLVMBuildGEP2(L->b, p0, args, &ix, 1, ""), "");
    LLVMValueRef v = LLVMBuildLoad2(L->b, t->dt == DT_I1 ? L->i8 : lw_elem_type(L, t), slot, "");
    if (t->dt == DT_I1) v = LLVMBuildTrunc(L->b, v, L->i1, "");
    lw_set(L, L->f->params[i], one(L, v));
  }
}
