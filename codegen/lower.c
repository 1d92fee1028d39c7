/*
 * lower.c — second stage of the back end: tile IR → LLVM IR, the part shared by all targets.
 *
 * It builds the kernel function (the GPU entry, or the CPU entry with the ABI of
 * runtime.h), walks the IR in order, and lowers the ops whose meaning does not depend on
 * how a tile is distributed: elementwise arithmetic, comparisons, casts, math, pointer
 * offsets and scalars. Those work unchanged on GPU element registers and on CPU vectors.
 * Distribution-dependent ops go to lower_gpu.c or lower_cpu.c.
 */
#include "lower_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------------------------ */

void lw_fail(Lower *L, const IrOp *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  L->failed = true;
  diag_verror(L->d, op ? op->loc : (SrcLoc){0}, fmt, ap);
  va_end(ap);
}

TVal lw_tval(Lower *L, int n) {
  TVal v = {n, arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)(n > 0 ? n : 1))};
  return v;
}

TVal lw_get(Lower *L, const IrValue *v) { return L->vals[v->id]; }
void lw_set(Lower *L, const IrValue *v, TVal tv) { L->vals[v->id] = tv; }

LLVMBasicBlockRef lw_block(Lower *L, const char *name) { return LLVMAppendBasicBlockInContext(L->ctx, L->fn, name); }

LLVMValueRef lw_i32(Lower *L, int64_t v) { return LLVMConstInt(L->i32, (unsigned long long)v, 1); }

LLVMTypeRef lw_elem_type(Lower *L, const IrType *t) {
  switch (t->dt) {
  case DT_I1: return L->i1;
  case DT_I8: case DT_U8: return L->i8;
  case DT_I16: case DT_U16: return L->i16;
  case DT_I32: case DT_U32: return L->i32;
  case DT_I64: case DT_U64: return L->i64;
  case DT_F16: return L->f16;
  case DT_BF16: return L->bf16;
  case DT_F32: return L->f32;
  case DT_F64: return L->f64;
  case DT_PTR: return L->ptr_g;
  default: return L->i32;
  }
}

int lw_chunk(const IrType *t) { return t->numel < CPU_CHUNK ? (int)t->numel : CPU_CHUNK; }

LLVMTypeRef lw_type(Lower *L, const IrType *t) {
  LLVMTypeRef e = lw_elem_type(L, t);
  if (L->t->kind == TGT_CPU && t->rank) return LLVMVectorType(e, (unsigned)lw_chunk(t));
  return e;
}

LLVMValueRef lw_const(Lower *L, const IrType *elem, int64_t i, double f) {
  LLVMTypeRef ty = lw_elem_type(L, elem);
  if (dtype_is_float(elem->dt)) return LLVMConstReal(ty, f);
  if (elem->dt == DT_PTR) return LLVMConstNull(ty);
  return LLVMConstInt(ty, (unsigned long long)i, dtype_is_signed(elem->dt));
}

LLVMValueRef lw_intrin(Lower *L, const char *name, LLVMTypeRef *over, int nover, LLVMValueRef *args, int nargs) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  if (!id) {
    lw_fail(L, NULL, "internal error: LLVM has no intrinsic %s", name);
    return LLVMGetUndef(L->i32);
  }
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(L->mod, id, over, (size_t)nover);
  LLVMTypeRef fty = LLVMIntrinsicGetType(L->ctx, id, over, (size_t)nover);
  return LLVMBuildCall2(L->b, fty, fn, args, (unsigned)nargs, "");
}

/* Calls a scalar function `name` of type T(T) on x (scalarising a CPU vector). */
/* Calls the scalar function `name` (T name(T, ...), nargs of one type) on x[], lane by
 * lane when the arguments are CPU vectors. */
static LLVMValueRef call_fn(Lower *L, const char *name, LLVMValueRef *x, int nargs) {
  LLVMTypeRef ty = LLVMTypeOf(x[0]);
  bool vec = LLVMGetTypeKind(ty) == LLVMVectorTypeKind;
  LLVMTypeRef st = vec ? LLVMGetElementType(ty) : ty;
  LLVMTypeRef ps[3] = {st, st, st};
  LLVMTypeRef fty = LLVMFunctionType(st, ps, (unsigned)nargs, 0);
  LLVMValueRef fn = LLVMGetNamedFunction(L->mod, name);
  if (!fn) {
    fn = LLVMAddFunction(L->mod, name, fty);
    LLVMSetLinkage(fn, LLVMExternalLinkage);
  }
  if (!vec) return LLVMBuildCall2(L->b, fty, fn, x, (unsigned)nargs, "");
  unsigned n = LLVMGetVectorSize(ty);
  LLVMValueRef out = LLVMGetPoison(ty);
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef e[3];
    for (int a = 0; a < nargs; a++) e[a] = LLVMBuildExtractElement(L->b, x[a], lw_i32(L, i), "");
    LLVMValueRef r = LLVMBuildCall2(L->b, fty, fn, e, (unsigned)nargs, "");
    out = LLVMBuildInsertElement(L->b, out, r, lw_i32(L, i), "");
  }
  return out;
}

static LLVMValueRef call_scalar_fn(Lower *L, const char *name, LLVMValueRef x) { return call_fn(L, name, &x, 1); }

/* An EXTERN math function by its C name: libdevice on NVIDIA (__nv_log1pf), ocml on AMD
 * (__ocml_log1p_f32), libm on the host (log1pf). */
static LLVMValueRef lower_extern(Lower *L, const IrOp *op, DType dt, LLVMValueRef *x) {
  bool f64 = dt == DT_F64;
  char name[64];
  switch (L->t->kind) {
  case TGT_NVPTX: snprintf(name, sizeof name, "__nv_%s%s", op->str, f64 ? "" : "f"); break;
  case TGT_AMDGPU: snprintf(name, sizeof name, "__ocml_%s_f%d", op->str, f64 ? 64 : 32); break;
  default: snprintf(name, sizeof name, "%s%s", op->str, f64 ? "" : "f"); break;
  }
  return call_fn(L, name, x, op->nopnds);
}

/* High half of the double-width product of two ints of one type. */
static LLVMValueRef umulhi(Lower *L, DType dt, LLVMValueRef a, LLVMValueRef b) {
  LLVMTypeRef ty = LLVMTypeOf(a);
  bool vec = LLVMGetTypeKind(ty) == LLVMVectorTypeKind;
  unsigned bits = (unsigned)dtype_bits(dt);
  LLVMTypeRef wide = LLVMIntTypeInContext(L->ctx, 2 * bits);
  if (vec) wide = LLVMVectorType(wide, LLVMGetVectorSize(ty));
  bool sg = dtype_is_signed(dt);
  LLVMValueRef wa = sg ? LLVMBuildSExt(L->b, a, wide, "") : LLVMBuildZExt(L->b, a, wide, "");
  LLVMValueRef wb = sg ? LLVMBuildSExt(L->b, b, wide, "") : LLVMBuildZExt(L->b, b, wide, "");
  LLVMValueRef sh = LLVMConstInt(LLVMIntTypeInContext(L->ctx, 2 * bits), bits, 0);
  if (vec) {
    LLVMValueRef lanes[CPU_CHUNK];
    unsigned n = LLVMGetVectorSize(ty);
    for (unsigned i = 0; i < n; i++) lanes[i] = sh;
    sh = LLVMConstVector(lanes, n);
  }
  LLVMValueRef p = LLVMBuildLShr(L->b, LLVMBuildMul(L->b, wa, wb, ""), sh, "");
  return LLVMBuildTrunc(L->b, p, ty, "");
}

/* Math functions: LLVM intrinsics where every target lowers them well, libdevice on NVIDIA
 * for the transcendental ones, libm on the host. */
static LLVMValueRef lower_math(Lower *L, const IrOp *op, DType dt, LLVMValueRef x) {
  LLVMTypeRef ty = LLVMTypeOf(x);
  bool f64 = dt == DT_F64;
  const char *intr = NULL, *nv = NULL, *libm = NULL;
  switch (op->kind) {
  case OP_EXP: intr = "llvm.exp"; nv = "exp"; break;
  case OP_EXP2: intr = "llvm.exp2"; nv = "exp2"; break;
  case OP_LOG: intr = "llvm.log"; nv = "log"; break;
  case OP_LOG2: intr = "llvm.log2"; nv = "log2"; break;
  case OP_SIN: intr = "llvm.sin"; nv = "sin"; break;
  case OP_COS: intr = "llvm.cos"; nv = "cos"; break;
  case OP_SQRT: case OP_SQRT_RN: intr = "llvm.sqrt"; break;
  case OP_FLOOR: intr = "llvm.floor"; break;
  case OP_CEIL: intr = "llvm.ceil"; break;
  case OP_TANH: nv = "tanh"; libm = f64 ? "tanh" : "tanhf"; break;
  case OP_ERF: nv = "erf"; libm = f64 ? "erf" : "erff"; break;
  case OP_RSQRT: nv = "rsqrt"; break;
  default: break;
  }
  if (L->t->kind == TGT_NVPTX && nv) {
    char name[32];
    snprintf(name, sizeof name, "__nv_%s%s", nv, f64 ? "" : "f");
    return call_scalar_fn(L, name, x);
  }
  /* AMD: ocml for what the back end cannot expand itself (it has no f64 exp/log/sin/cos) */
  if (L->t->kind == TGT_AMDGPU && nv && (f64 || op->kind == OP_TANH || op->kind == OP_ERF || op->kind == OP_RSQRT)) {
    char name[32];
    snprintf(name, sizeof name, "__ocml_%s_f%d", nv, f64 ? 64 : 32);
    return call_scalar_fn(L, name, x);
  }
  if (op->kind == OP_RSQRT) {
    LLVMValueRef s = lw_intrin(L, "llvm.sqrt", &ty, 1, &x, 1);
    return LLVMBuildFDiv(L->b, LLVMConstReal(ty, 1.0), s, "");
  }
  if (intr) return lw_intrin(L, intr, &ty, 1, &x, 1);
  if (L->t->kind == TGT_CPU && libm) return call_scalar_fn(L, libm, x);
  L->d->unsupported = true;
  lw_fail(L, op, "%s is not supported on %s yet", ir_op_info[op->kind].name, L->t->name);
  return x;
}

LLVMValueRef lw_cast(Lower *L, LLVMValueRef v, const IrType *from, const IrType *to, bool bitcast) {
  LLVMTypeRef ty = lw_type(L, to);
  DType a = from->dt, b = to->dt;
  if (a == b && from->pointee == to->pointee) return v;
  if (bitcast || (a == DT_PTR && b == DT_PTR)) {
    if (a == DT_PTR && b != DT_PTR) return LLVMBuildPtrToInt(L->b, v, ty, "");
    if (a != DT_PTR && b == DT_PTR) return LLVMBuildIntToPtr(L->b, v, ty, "");
    return LLVMBuildBitCast(L->b, v, ty, "");
  }
  if (a == DT_PTR) return LLVMBuildPtrToInt(L->b, v, ty, "");
  if (b == DT_PTR) return LLVMBuildIntToPtr(L->b, v, ty, "");
  bool fa = dtype_is_float(a), fb = dtype_is_float(b);
  if (fa && fb) {
    if ((a == DT_BF16 && b == DT_F16) || (a == DT_F16 && b == DT_BF16)) {
      IrType mid = *to;
      mid.dt = DT_F32;
      LLVMValueRef m = LLVMBuildFPExt(L->b, v, lw_type(L, &mid), "");
      return LLVMBuildFPTrunc(L->b, m, ty, "");
    }
    return dtype_bits(a) < dtype_bits(b) ? LLVMBuildFPExt(L->b, v, ty, "") : LLVMBuildFPTrunc(L->b, v, ty, "");
  }
  if (fa) return dtype_is_signed(b) ? LLVMBuildFPToSI(L->b, v, ty, "") : LLVMBuildFPToUI(L->b, v, ty, "");
  if (fb) return dtype_is_signed(a) ? LLVMBuildSIToFP(L->b, v, ty, "") : LLVMBuildUIToFP(L->b, v, ty, "");
  int wa = dtype_bits(a), wb = dtype_bits(b);
  if (wa == wb) return v;
  if (wa > wb) return LLVMBuildTrunc(L->b, v, ty, "");
  return dtype_is_signed(a) ? LLVMBuildSExt(L->b, v, ty, "") : LLVMBuildZExt(L->b, v, ty, "");
}

LLVMValueRef lw_combine(Lower *L, ReduceKind k, DType dt, LLVMValueRef a, LLVMValueRef b) {
  LLVMTypeRef ty = LLVMTypeOf(a);
  LLVMValueRef args[2] = {a, b};
  bool fl = dtype_is_float(dt);
  switch (k) {
  case RED_SUM: return fl ? LLVMBuildFAdd(L->b, a, b, "") : LLVMBuildAdd(L->b, a, b, "");
  case RED_XOR: return LLVMBuildXor(L->b, a, b, "");
  case RED_MAX:
    return lw_intrin(L, fl ? "llvm.maxnum" : dtype_is_signed(dt) ? "llvm.smax" : "llvm.umax", &ty, 1, args, 2);
  case RED_MIN:
    return lw_intrin(L, fl ? "llvm.minnum" : dtype_is_signed(dt) ? "llvm.smin" : "llvm.umin", &ty, 1, args, 2);
  case RED_PROD: return fl ? LLVMBuildFMul(L->b, a, b, "") : LLVMBuildMul(L->b, a, b, "");
  case RED_CUSTOM: break; /* lw_combine_n */
  }
  return a;
}

/* One scalar atomic of `op` (ATOMIC_RMW or ATOMIC_CAS) on the element at `ptr`; returns the
 * old value. Scopes map to the targets' sync scopes; floats in a CAS go through integers. */
LLVMValueRef lw_atomic(Lower *L, const IrOp *op, LLVMValueRef ptr, LLVMValueRef val, LLVMValueRef cmp) {
  static const char *const nv[] = {"device", "block", ""}, *const amd[] = {"agent", "workgroup", ""};
  int scope = op->flags >> MEM_SCOPE_SHIFT;
  const char *name = L->t->kind == TGT_NVPTX ? nv[scope] : L->t->kind == TGT_AMDGPU ? amd[scope] : "";
  unsigned ssid = LLVMGetSyncScopeID(L->ctx, name, strlen(name));
  static const LLVMAtomicOrdering ord[] = {LLVMAtomicOrderingAcquireRelease, LLVMAtomicOrderingAcquire,
                                           LLVMAtomicOrderingRelease, LLVMAtomicOrderingMonotonic};
  LLVMAtomicOrdering o = ord[op->i2];
  DType dt = op->res[0]->type->dt;
  bool fl = dtype_is_float(dt), sg = dtype_is_signed(dt);
  if (op->kind == OP_ATOMIC_CAS) {
    LLVMTypeRef ty = LLVMTypeOf(val);
    LLVMTypeRef it = LLVMIntTypeInContext(L->ctx, (unsigned)dtype_bits(dt));
    if (fl) {
      val = LLVMBuildBitCast(L->b, val, it, "");
      cmp = LLVMBuildBitCast(L->b, cmp, it, "");
    }
    /* a failed CAS only reads: its ordering drops the release part */
    LLVMAtomicOrdering fail = o == LLVMAtomicOrderingAcquireRelease || o == LLVMAtomicOrderingAcquire
                                  ? LLVMAtomicOrderingAcquire : LLVMAtomicOrderingMonotonic;
    LLVMValueRef x = LLVMBuildAtomicCmpXchgSyncScope(L->b, ptr, cmp, val, o, fail, ssid);
    LLVMValueRef old = LLVMBuildExtractValue(L->b, x, 0, "");
    return fl ? LLVMBuildBitCast(L->b, old, ty, "") : old;
  }
  LLVMAtomicRMWBinOp k;
  switch ((AtomicOp)op->i) {
  case ATOM_ADD: k = fl ? LLVMAtomicRMWBinOpFAdd : LLVMAtomicRMWBinOpAdd; break;
  case ATOM_MAX: k = fl ? LLVMAtomicRMWBinOpFMax : sg ? LLVMAtomicRMWBinOpMax : LLVMAtomicRMWBinOpUMax; break;
  case ATOM_MIN: k = fl ? LLVMAtomicRMWBinOpFMin : sg ? LLVMAtomicRMWBinOpMin : LLVMAtomicRMWBinOpUMin; break;
  case ATOM_AND: k = LLVMAtomicRMWBinOpAnd; break;
  case ATOM_OR: k = LLVMAtomicRMWBinOpOr; break;
  case ATOM_XOR: k = LLVMAtomicRMWBinOpXor; break;
  default: k = LLVMAtomicRMWBinOpXchg; break;
  }
  if (L->t->kind == TGT_NVPTX && o != LLVMAtomicOrderingMonotonic) {
    /* LLVM 22's NVPTX back end drops the ordering of some atomicrmw (add comes out as a
     * relaxed atom.global.add); explicit fences keep Triton's semantics. */
    if (o != LLVMAtomicOrderingAcquire) LLVMBuildFenceSyncScope(L->b, LLVMAtomicOrderingRelease, ssid, "");
    LLVMValueRef old = LLVMBuildAtomicRMWSyncScope(L->b, k, ptr, val, LLVMAtomicOrderingMonotonic, ssid);
    if (o != LLVMAtomicOrderingRelease) LLVMBuildFenceSyncScope(L->b, LLVMAtomicOrderingAcquire, ssid, "");
    return old;
  }
  return LLVMBuildAtomicRMWSyncScope(L->b, k, ptr, val, o, ssid);
}

/* Runs `atomic` only where `pred` holds (NULL: always); elsewhere the result is zero. */
LLVMValueRef lw_atomic_if(Lower *L, const IrOp *op, LLVMValueRef pred, LLVMValueRef ptr, LLVMValueRef val, LLVMValueRef cmp) {
  if (!pred) return lw_atomic(L, op, ptr, val, cmp);
  LLVMBasicBlockRef cur = LLVMGetInsertBlock(L->b), body = lw_block(L, "atom"), join = lw_block(L, "atom.join");
  LLVMBuildCondBr(L->b, pred, body, join);
  LLVMPositionBuilderAtEnd(L->b, body);
  LLVMValueRef old = lw_atomic(L, op, ptr, val, cmp);
  LLVMBasicBlockRef end = LLVMGetInsertBlock(L->b);
  LLVMBuildBr(L->b, join);
  LLVMPositionBuilderAtEnd(L->b, join);
  LLVMValueRef phi = LLVMBuildPhi(L->b, LLVMTypeOf(old), "");
  LLVMValueRef in[2] = {old, LLVMConstNull(LLVMTypeOf(old))};
  LLVMBasicBlockRef bbs[2] = {end, cur};
  LLVMAddIncoming(phi, in, bbs, 2);
  return phi;
}

/* A loop `for k in [0, n)` (n >= 1, bottom-tested) whose body updates `nacc` carried values (scalars or vectors):
 * body(L, ctx, k, acc) rewrites acc in place. Used by tl.dot on every target. */
void lw_counted_loop(Lower *L, int64_t n, LLVMValueRef *acc, int nacc,
                     void (*body)(Lower *L, void *ctx, LLVMValueRef k, LLVMValueRef *acc), void *ctx) {
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(L->b), head = lw_block(L, "loop"), exit = lw_block(L, "loop.end");
  LLVMBuildBr(L->b, head);
  LLVMPositionBuilderAtEnd(L->b, head);
  LLVMValueRef k = LLVMBuildPhi(L->b, L->i32, "k");
  LLVMValueRef *phis = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)(nacc + 1));
  for (int i = 0; i < nacc; i++) {
    phis[i] = LLVMBuildPhi(L->b, LLVMTypeOf(acc[i]), "");
    LLVMAddIncoming(phis[i], &acc[i], &pre, 1);
    acc[i] = phis[i];
  }
  body(L, ctx, k, acc);
  LLVMValueRef next = LLVMBuildAdd(L->b, k, lw_i32(L, 1), "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(L->b);
  LLVMBuildCondBr(L->b, LLVMBuildICmp(L->b, LLVMIntSLT, next, lw_i32(L, n), ""), head, exit);
  LLVMValueRef zero = lw_i32(L, 0);
  LLVMAddIncoming(k, &zero, &pre, 1);
  LLVMAddIncoming(k, &next, &latch, 1);
  for (int i = 0; i < nacc; i++) LLVMAddIncoming(phis[i], &acc[i], &latch, 1);
  LLVMPositionBuilderAtEnd(L->b, exit); /* acc holds the last iteration's values */
}

/* acc + a * b for tl.dot, with a and b widened to the accumulator's type. */
static LLVMValueRef widen(Lower *L, LLVMValueRef v, DType from, DType to) {
  if (from == to) return v;
  LLVMTypeRef ty = LLVMTypeOf(v);
  IrType e = {.dt = to};
  LLVMTypeRef t = lw_elem_type(L, &e);
  if (LLVMGetTypeKind(ty) == LLVMVectorTypeKind) t = LLVMVectorType(t, LLVMGetVectorSize(ty));
  if (dtype_is_float(to)) return LLVMBuildFPExt(L->b, v, t, "");
  return dtype_is_signed(from) ? LLVMBuildSExt(L->b, v, t, "") : LLVMBuildZExt(L->b, v, t, "");
}

LLVMValueRef lw_mac(Lower *L, const IrOp *dot, LLVMValueRef a, LLVMValueRef b, LLVMValueRef acc) {
  DType in = dot->opnds[0]->type->dt, out = dot->res[0]->type->dt;
  a = widen(L, a, in, out);
  b = widen(L, b, in, out);
  if (dtype_is_float(out)) {
    LLVMTypeRef ty = LLVMTypeOf(a);
    LLVMValueRef args[3] = {a, b, acc};
    return lw_intrin(L, "llvm.fmuladd", &ty, 1, args, 3);
  }
  return LLVMBuildAdd(L->b, acc, LLVMBuildMul(L->b, a, b, ""), "");
}

/* One elementwise op on scalars or CPU vectors; in_dt is the operands' element type. */
LLVMValueRef lw_elementwise(Lower *L, const IrOp *op, DType dt, LLVMValueRef *x) {
  bool fl = dtype_is_float(dt), sg = dtype_is_signed(dt);
  LLVMBuilderRef b = L->b;
  LLVMTypeRef ty = LLVMTypeOf(x[0]);
  switch (op->kind) {
  case OP_ADD: return fl ? LLVMBuildFAdd(b, x[0], x[1], "") : LLVMBuildAdd(b, x[0], x[1], "");
  case OP_SUB: return fl ? LLVMBuildFSub(b, x[0], x[1], "") : LLVMBuildSub(b, x[0], x[1], "");
  case OP_MUL: return fl ? LLVMBuildFMul(b, x[0], x[1], "") : LLVMBuildMul(b, x[0], x[1], "");
  case OP_DIV:
    /* Triton's `/` on fp32 is div.full.f32 on NVIDIA (max 2 ulp, a few instructions); IEEE
     * division (tl.div_rn, tl.fdiv(ieee_rounding=True), fp64, other targets) is fdiv */
    if (fl && !op->i && L->t->kind == TGT_NVPTX && LLVMGetTypeKind(ty) == LLVMFloatTypeKind)
      return lw_intrin(L, "llvm.nvvm.div.full", NULL, 0, x, 2);
    if (fl) return LLVMBuildFDiv(b, x[0], x[1], "");
    return sg ? LLVMBuildSDiv(b, x[0], x[1], "") : LLVMBuildUDiv(b, x[0], x[1], "");
  case OP_REM:
    if (fl) return LLVMBuildFRem(b, x[0], x[1], "");
    return sg ? LLVMBuildSRem(b, x[0], x[1], "") : LLVMBuildURem(b, x[0], x[1], "");
  case OP_MIN: case OP_MAX: {
    const char *n;
    if (fl) n = op->i ? (op->kind == OP_MIN ? "llvm.minimum" : "llvm.maximum") : (op->kind == OP_MIN ? "llvm.minnum" : "llvm.maxnum");
    else if (sg) n = op->kind == OP_MIN ? "llvm.smin" : "llvm.smax";
    else n = op->kind == OP_MIN ? "llvm.umin" : "llvm.umax";
    return lw_intrin(L, n, &ty, 1, x, 2);
  }
  case OP_UMULHI: return umulhi(L, dt, x[0], x[1]);
  case OP_EXTERN: return lower_extern(L, op, dt, x);
  case OP_AND: return LLVMBuildAnd(b, x[0], x[1], "");
  case OP_OR: return LLVMBuildOr(b, x[0], x[1], "");
  case OP_XOR: return LLVMBuildXor(b, x[0], x[1], "");
  case OP_SHL: return LLVMBuildShl(b, x[0], x[1], "");
  case OP_SHR: return sg ? LLVMBuildAShr(b, x[0], x[1], "") : LLVMBuildLShr(b, x[0], x[1], "");
  case OP_NEG: return fl ? LLVMBuildFNeg(b, x[0], "") : LLVMBuildNeg(b, x[0], "");
  case OP_NOT: return LLVMBuildNot(b, x[0], "");
  case OP_ABS:
    if (fl) return lw_intrin(L, "llvm.fabs", &ty, 1, x, 1);
    {
      LLVMValueRef args[2] = {x[0], LLVMConstInt(L->i1, 0, 0)};
      return lw_intrin(L, "llvm.abs", &ty, 1, args, 2);
    }
  case OP_FMA: return lw_intrin(L, "llvm.fma", &ty, 1, x, 3);
  case OP_SELECT: return LLVMBuildSelect(b, x[0], x[1], x[2], "");
  case OP_CMP: {
    static const LLVMRealPredicate fp[] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT, LLVMRealOLE, LLVMRealOGT, LLVMRealOGE};
    static const LLVMIntPredicate si[] = {LLVMIntEQ, LLVMIntNE, LLVMIntSLT, LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
    static const LLVMIntPredicate ui[] = {LLVMIntEQ, LLVMIntNE, LLVMIntULT, LLVMIntULE, LLVMIntUGT, LLVMIntUGE};
    if (fl) return LLVMBuildFCmp(b, fp[op->i], x[0], x[1], "");
    if (dt == DT_PTR) {
      LLVMTypeRef it = LLVMGetTypeKind(ty) == LLVMVectorTypeKind ? LLVMVectorType(L->i64, LLVMGetVectorSize(ty)) : L->i64;
      x[0] = LLVMBuildPtrToInt(b, x[0], it, "");
      x[1] = LLVMBuildPtrToInt(b, x[1], it, "");
    }
    return LLVMBuildICmp(b, sg ? si[op->i] : ui[op->i], x[0], x[1], "");
  }
  case OP_ADDPTR: {
    const IrType *pt = op->res[0]->type;
    LLVMTypeRef et = lw_elem_type(L, pt->pointee);
    const IrType *ot = op->opnds[1]->type;
    LLVMValueRef off = x[1];
    if (dtype_bits(ot->dt) < 64) {
      LLVMTypeRef it = LLVMGetTypeKind(LLVMTypeOf(off)) == LLVMVectorTypeKind ? LLVMVectorType(L->i64, LLVMGetVectorSize(LLVMTypeOf(off))) : L->i64;
      off = dtype_is_signed(ot->dt) ? LLVMBuildSExt(b, off, it, "") : LLVMBuildZExt(b, off, it, "");
    }
    return LLVMBuildGEP2(b, et, x[0], &off, 1, "");
  }
  default:
    return lower_math(L, op, dt, x[0]);
  }
}

/* Lowers ops that are elementwise or scalar-only; false if the op needs the target part. */
static bool lower_generic(Lower *L, IrOp *op) {
  switch (op->kind) {
  case OP_PROGRAM_ID: case OP_NUM_PROGRAMS: {
    TVal v = lw_tval(L, 1);
    v.e[0] = op->kind == OP_PROGRAM_ID ? L->pid[op->i] : L->nprog[op->i];
    lw_set(L, op->res[0], v);
    return true;
  }
  case OP_RETURN:
    return true; /* the function's ret is emitted at the end */
  case OP_HINT: case OP_PRINT: case OP_ASSERT:
    return lw_debug_op(L, op);
  default:
    break;
  }
  if (!ir_is_elementwise(op)) return false;
  /* all operands share the result's layout (the GPU part converted them if needed) */
  TVal ins[3];
  for (int i = 0; i < op->nopnds; i++)
    ins[i] = L->t->kind == TGT_CPU ? lw_get(L, op->opnds[i]) : gpu_operand(L, op->opnds[i], op->res[0]);
  int n = ins[0].n;
  TVal out = lw_tval(L, n);
  DType dt = op->opnds[op->kind == OP_SELECT ? 1 : 0]->type->dt;
  for (int k = 0; k < n; k++) {
    LLVMValueRef x[3];
    for (int i = 0; i < op->nopnds; i++) x[i] = ins[i].e[ins[i].n == 1 ? 0 : k];
    if (op->kind == OP_CAST)
      out.e[k] = lw_cast(L, x[0], op->opnds[0]->type, op->res[0]->type, op->i);
    else
      out.e[k] = lw_elementwise(L, op, dt, x);
  }
  lw_set(L, op->res[0], out);
  return true;
}

/* ---- structured control flow ----------------------------------------------------------------- */

static void lower_block(Lower *L, IrBlock *blk);

static TVal operand_as(Lower *L, const IrValue *v, const IrValue *target) {
  return L->t->kind == TGT_CPU ? lw_get(L, v) : gpu_operand(L, v, target);
}

/* Lowers a region whose terminator hands values to `to`; returns them. */
static TVal *lower_region(Lower *L, IrBlock *b, IrValue *const *to, int n) {
  IrValue *const *saved_to = L->yield_to;
  TVal *saved = L->yielded;
  L->yield_to = to;
  L->yielded = arena_alloc(&L->arena, sizeof(TVal) * (size_t)(n + 1));
  lower_block(L, b);
  TVal *out = L->yielded;
  L->yield_to = saved_to;
  L->yielded = saved;
  return out;
}

static void lower_terminator(Lower *L, IrOp *op) {
  int off = op->kind == OP_CONDITION;
  if (L->t->kind == TGT_CPU) cpu_mem_yield(L, op); /* large tiles: copied into the targets' buffers */
  if (off) L->cond = lw_get(L, op->opnds[0]).e[0];
  for (int i = off; i < op->nopnds; i++) L->yielded[i - off] = operand_as(L, op->opnds[i], L->yield_to[i - off]);
}

/* One phi per element of each carried value, in block `at`. */
static TVal *make_phis(Lower *L, LLVMBasicBlockRef at, const TVal *like, int n) {
  TVal *out = arena_alloc(&L->arena, sizeof(TVal) * (size_t)(n + 1));
  LLVMBasicBlockRef cur = LLVMGetInsertBlock(L->b);
  LLVMPositionBuilderAtEnd(L->b, at);
  for (int k = 0; k < n; k++) {
    out[k] = lw_tval(L, like[k].n);
    for (int e = 0; e < like[k].n; e++) out[k].e[e] = LLVMBuildPhi(L->b, LLVMTypeOf(like[k].e[e]), "");
  }
  LLVMPositionBuilderAtEnd(L->b, cur);
  return out;
}

static void add_incoming(TVal *phis, const TVal *vals, LLVMBasicBlockRef from, int n) {
  for (int k = 0; k < n; k++)
    for (int e = 0; e < phis[k].n; e++) {
      LLVMValueRef v = vals[k].e[vals[k].n == 1 ? 0 : e];
      LLVMAddIncoming(phis[k].e[e], &v, &from, 1);
    }
}

static void lower_for(Lower *L, IrOp *op) {
  IrBlock *body = op->regions[0];
  int n = op->nres;
  LLVMValueRef lb = lw_get(L, op->opnds[0]).e[0], ub = lw_get(L, op->opnds[1]).e[0], step = lw_get(L, op->opnds[2]).e[0];
  TVal *init = arena_alloc(&L->arena, sizeof(TVal) * (size_t)(n + 1));
  for (int k = 0; k < n; k++) init[k] = operand_as(L, op->opnds[3 + k], body->args[1 + k]);
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(L->b), head = lw_block(L, "for"), bb = lw_block(L, "for.body"),
                    exit = lw_block(L, "for.end");
  LLVMBuildBr(L->b, head);
  LLVMPositionBuilderAtEnd(L->b, head);
  LLVMValueRef iv = LLVMBuildPhi(L->b, LLVMTypeOf(lb), "iv");
  TVal *phis = make_phis(L, head, init, n);
  LLVMValueRef up = LLVMBuildICmp(L->b, LLVMIntSLT, iv, ub, ""), down = LLVMBuildICmp(L->b, LLVMIntSGT, iv, ub, "");
  LLVMValueRef cond;
  if (LLVMIsAConstantInt(step)) cond = LLVMConstIntGetSExtValue(step) > 0 ? up : down;
  else cond = LLVMBuildSelect(L->b, LLVMBuildICmp(L->b, LLVMIntSGT, step, LLVMConstNull(LLVMTypeOf(step)), ""), up, down, "");
  LLVMBuildCondBr(L->b, cond, bb, exit);
  LLVMPositionBuilderAtEnd(L->b, bb);
  TVal ivt = lw_tval(L, 1);
  ivt.e[0] = iv;
  lw_set(L, body->args[0], ivt);
  for (int k = 0; k < n; k++) lw_set(L, body->args[1 + k], phis[k]);
  TVal *next = lower_region(L, body, body->args + 1, n);
  if (L->failed) return;
  LLVMValueRef iv_next = LLVMBuildAdd(L->b, iv, step, "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(L->b);
  LLVMBuildBr(L->b, head);
  LLVMAddIncoming(iv, &lb, &pre, 1);
  LLVMAddIncoming(iv, &iv_next, &latch, 1);
  add_incoming(phis, init, pre, n);
  add_incoming(phis, next, latch, n);
  LLVMPositionBuilderAtEnd(L->b, exit);
  for (int k = 0; k < n; k++) lw_set(L, op->res[k], phis[k]);
}

static void lower_while(Lower *L, IrOp *op) {
  IrBlock *before = op->regions[0], *after = op->regions[1];
  int n = op->nres;
  TVal *init = arena_alloc(&L->arena, sizeof(TVal) * (size_t)(n + 1));
  for (int k = 0; k < n; k++) init[k] = operand_as(L, op->opnds[k], before->args[k]);
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(L->b), head = lw_block(L, "while"), bb = lw_block(L, "while.body"),
                    exit = lw_block(L, "while.end");
  LLVMBuildBr(L->b, head);
  LLVMPositionBuilderAtEnd(L->b, head);
  TVal *phis = make_phis(L, head, init, n);
  for (int k = 0; k < n; k++) lw_set(L, before->args[k], phis[k]);
  TVal *passed = lower_region(L, before, after->args, n);
  if (L->failed) return;
  LLVMBuildCondBr(L->b, L->cond, bb, exit);
  LLVMPositionBuilderAtEnd(L->b, bb);
  for (int k = 0; k < n; k++) lw_set(L, after->args[k], passed[k]);
  TVal *next = lower_region(L, after, before->args, n);
  if (L->failed) return;
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(L->b);
  LLVMBuildBr(L->b, head);
  add_incoming(phis, init, pre, n);
  add_incoming(phis, next, latch, n);
  LLVMPositionBuilderAtEnd(L->b, exit);
  for (int k = 0; k < n; k++) lw_set(L, op->res[k], passed[k]);
}

static void lower_if(Lower *L, IrOp *op) {
  int n = op->nres;
  LLVMValueRef cond = lw_get(L, op->opnds[0]).e[0];
  LLVMBasicBlockRef tb = lw_block(L, "then"), eb = lw_block(L, "else"), merge = lw_block(L, "endif");
  LLVMBuildCondBr(L->b, cond, tb, eb);
  TVal *vals[2];
  LLVMBasicBlockRef ends[2];
  for (int r = 0; r < 2; r++) {
    LLVMPositionBuilderAtEnd(L->b, r ? eb : tb);
    vals[r] = lower_region(L, op->regions[r], op->res, n);
    if (L->failed) return;
    ends[r] = LLVMGetInsertBlock(L->b);
    LLVMBuildBr(L->b, merge);
  }
  LLVMPositionBuilderAtEnd(L->b, merge);
  for (int k = 0; k < n; k++) {
    TVal t = lw_tval(L, vals[0][k].n);
    for (int e = 0; e < t.n; e++) {
      t.e[e] = LLVMBuildPhi(L->b, LLVMTypeOf(vals[0][k].e[e]), "");
      LLVMValueRef in[2] = {vals[0][k].e[e], vals[1][k].e[vals[1][k].n == 1 ? 0 : e]};
      LLVMAddIncoming(t.e[e], in, ends, 2);
    }
    lw_set(L, op->res[k], t);
  }
}

/* Triton's limit on the elements of a tile; the CPU keeps large tiles in scratch memory
 * (lower_cpu_loop.c), so its compile time does not grow with them. */
#define CPU_MAX_TILE (1 << 20)

void lw_combine_n(Lower *L, const IrOp *op, const LLVMValueRef *a, const LLVMValueRef *b, LLVMValueRef *out) {
  int n = op->nopnds;
  if (op->i2 != RED_CUSTOM) {
    out[0] = lw_combine(L, (ReduceKind)op->i2, op->opnds[0]->type->dt, a[0], b[0]);
    return;
  }
  IrBlock *r = op->regions[0];
  for (int i = 0; i < 2 * n; i++) {
    TVal v = lw_tval(L, 1);
    v.e[0] = i < n ? a[i] : b[i - n];
    lw_set(L, r->args[i], v);
  }
  TVal *y = lower_region(L, r, op->res, n);
  for (int i = 0; i < n; i++) out[i] = y[i].e[0];
}

static void lower_block(Lower *L, IrBlock *blk) {
  for (IrOp *op = blk->first; op && !L->failed; op = op->next) {
    if (L->t->kind == TGT_CPU && op->nres && op->res[0]->type->numel > CPU_MAX_TILE) {
      L->d->unsupported = true;
      lw_fail(L, op, "a tile of %lld elements exceeds Triton's limit of %d (2^20) elements",
              (long long)op->res[0]->type->numel, CPU_MAX_TILE);
      diag_hint(L->d, "use a smaller block and loop over the rest");
      return;
    }
    if (L->t->kind == TGT_CPU && (op->kind == OP_FOR || op->kind == OP_WHILE || op->kind == OP_IF))
      cpu_mem_enter(L, op); /* large carried tiles: initial values into their buffers */
    switch (op->kind) {
    case OP_FOR: lower_for(L, op); continue;
    case OP_WHILE: lower_while(L, op); continue;
    case OP_IF: lower_if(L, op); continue;
    case OP_YIELD: case OP_CONDITION: lower_terminator(L, op); continue;
    default: break;
    }
    L->op = op;
    bool done = L->t->kind == TGT_CPU ? cpu_lower_op(L, op) : gpu_lower_op(L, op);
    if (!done && !lower_generic(L, op)) lw_fail(L, op, "internal error: no lowering for '%s'", ir_op_info[op->kind].name);
  }
}

static int max_id(IrBlock *b, int m) {
  for (int i = 0; i < b->nargs; i++) m = b->args[i]->id > m ? b->args[i]->id : m;
  for (IrOp *op = b->first; op; op = op->next) {
    for (int i = 0; i < op->nres; i++) m = op->res[i]->id > m ? op->res[i]->id : m;
    for (int r = 0; r < op->nregions; r++) m = max_id(op->regions[r], m);
  }
  return m;
}

LLVMModuleRef cg_lower(LLVMContextRef ctx, IrFunc *f, const Target *t, KernelMeta *meta, Diag *d) {
  Lower L = {.ctx = ctx, .t = t, .f = f, .d = d};
  L.mod = LLVMModuleCreateWithNameInContext(f->name, ctx);
  LLVMSetTarget(L.mod, t->triple);
  L.b = LLVMCreateBuilderInContext(ctx);
  L.i1 = LLVMInt1TypeInContext(ctx);
  L.i8 = LLVMInt8TypeInContext(ctx);
  L.i16 = LLVMInt16TypeInContext(ctx);
  L.i32 = LLVMInt32TypeInContext(ctx);
  L.i64 = LLVMInt64TypeInContext(ctx);
  L.f16 = LLVMHalfTypeInContext(ctx);
  L.bf16 = LLVMBFloatTypeInContext(ctx);
  L.f32 = LLVMFloatTypeInContext(ctx);
  L.f64 = LLVMDoubleTypeInContext(ctx);
  L.ptr_g = LLVMPointerTypeInContext(ctx, (unsigned)t->global_as);
  L.ptr_s = LLVMPointerTypeInContext(ctx, (unsigned)t->shared_as);
  L.vd = LLVMVoidTypeInContext(ctx);
  int nids = max_id(f->body, 0);
  for (int i = 0; i < f->nparams; i++) nids = f->params[i]->id > nids ? f->params[i]->id : nids;
  L.nvals = nids + 1;
  L.vals = arena_alloc(&L.arena, sizeof(TVal) * (size_t)L.nvals);

  if (t->kind == TGT_CPU) cpu_prologue(&L);
  else gpu_prologue(&L);
  lower_block(&L, f->body);
  if (!L.failed) LLVMBuildRetVoid(L.b);
  meta->num_warps = f->num_warps;
  meta->threads = f->num_warps * t->warp_size;
  meta->shared = L.smem_bytes;
  LLVMDisposeBuilder(L.b);
  arena_free(&L.arena);
  if (L.failed) {
    LLVMDisposeModule(L.mod);
    return NULL;
  }
  return L.mod;
}
