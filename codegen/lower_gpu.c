/*
 * lower_gpu.c — the GPU half of lowering: each thread holds the elements of a tile that its
 * layout assigns it (register order: fastest parent dim first), and ops that move data
 * between threads or memory are lowered here: arange, broadcasts, vectorised loads and
 * stores, reductions (in-thread, then warp shuffles, then shared memory across warps) and
 * layout conversions through shared memory.
 */
#include "lower_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const Layout *layout_of(const IrValue *v) { return v->aux ? ((const ValInfo *)v->aux)->layout : NULL; }
static const AxisInfo *axis_of(const IrValue *v) { return &((const ValInfo *)v->aux)->ax; }

static int ilog2(int64_t v) {
  int n = 0;
  while (((int64_t)1 << n) < v) n++;
  return n;
}

/* ---- thread coordinates ------------------------------------------------------------------- */

static int lane_stride(const Layout *l, int pd) {
  int s = 1;
  for (int k = 0; k < l->prank && l->order[k] != pd; k++) s *= l->tpw[l->order[k]];
  return s;
}

static int warp_stride(const Layout *l, int pd) {
  int s = 1;
  for (int k = 0; k < l->prank && l->order[k] != pd; k++) s *= l->wpc[l->order[k]];
  return s;
}

static LLVMValueRef lane_dim(Lower *L, const Layout *l, int pd) {
  if (l->tpw[pd] == 1) return lw_i32(L, 0);
  LLVMValueRef v = LLVMBuildLShr(L->b, L->lane, lw_i32(L, ilog2(lane_stride(l, pd))), "");
  return LLVMBuildAnd(L->b, v, lw_i32(L, l->tpw[pd] - 1), "");
}

static LLVMValueRef warp_dim(Lower *L, const Layout *l, int pd) {
  if (l->wpc[pd] == 1) return lw_i32(L, 0);
  LLVMValueRef v = LLVMBuildLShr(L->b, L->warp, lw_i32(L, ilog2(warp_stride(l, pd))), "");
  return LLVMBuildAnd(L->b, v, lw_i32(L, l->wpc[pd] - 1), "");
}

static int64_t per_thread(const Layout *l, const IrType *ty, int i) {
  int d = l->dims[i];
  return l->spt[d] < ty->shape[i] ? l->spt[d] : ty->shape[i];
}

static int64_t dim_regs(const Layout *l, const IrType *ty, int i) {
  int d = l->dims[i];
  int64_t tile = (int64_t)l->spt[d] * l->tpw[d] * l->wpc[d];
  int64_t reps = ty->shape[i] > tile ? ty->shape[i] / tile : 1;
  return reps * per_thread(l, ty, i);
}

static int tensor_dim(const Layout *l, int pd) {
  for (int i = 0; i < l->rank; i++)
    if (l->dims[i] == pd) return i;
  return -1;
}

/* Register index → per-tensor-dim register indices, and back. */
static void reg_split(const Layout *l, const IrType *ty, int r, int64_t *k) {
  for (int o = 0; o < l->prank; o++) {
    int i = tensor_dim(l, l->order[o]);
    if (i < 0) continue;
    int64_t c = dim_regs(l, ty, i);
    k[i] = r % c;
    r = (int)(r / c);
  }
}

static int reg_join(const Layout *l, const IrType *ty, const int64_t *k) {
  int r = 0, mul = 1;
  for (int o = 0; o < l->prank; o++) {
    int i = tensor_dim(l, l->order[o]);
    if (i < 0) continue;
    r += (int)k[i] * mul;
    mul *= (int)dim_regs(l, ty, i);
  }
  return r;
}

/* Coordinate along tensor dim i of register-index k for the calling thread. */
static LLVMValueRef coord(Lower *L, const Layout *l, const IrType *ty, int i, int64_t k) {
  int d = l->dims[i];
  int64_t per = per_thread(l, ty, i);
  int64_t tile = (int64_t)l->spt[d] * l->tpw[d] * l->wpc[d];
  int64_t rep = k / per, within = k % per;
  LLVMValueRef t = LLVMBuildMul(L->b, warp_dim(L, l, d), lw_i32(L, l->tpw[d]), "");
  t = LLVMBuildAdd(L->b, t, lane_dim(L, l, d), "");
  t = LLVMBuildMul(L->b, t, lw_i32(L, l->spt[d]), "");
  t = LLVMBuildAdd(L->b, t, lw_i32(L, rep * tile + within), "");
  return LLVMBuildAnd(L->b, t, lw_i32(L, ty->shape[i] - 1), "");
}

static LLVMValueRef linear_index(Lower *L, const Layout *l, const IrType *ty, int r) {
  int64_t k[IR_MAX_RANK];
  reg_split(l, ty, r, k);
  LLVMValueRef idx = lw_i32(L, 0);
  int64_t stride = 1;
  for (int i = ty->rank - 1; i >= 0; i--) {
    LLVMValueRef c = coord(L, l, ty, i, k[i]);
    idx = LLVMBuildAdd(L->b, idx, LLVMBuildMul(L->b, c, lw_i32(L, stride), ""), "");
    stride *= ty->shape[i];
  }
  return idx;
}

/* True (i1) in the one thread that owns each element; NULL when every thread does. */
static LLVMValueRef owner_pred(Lower *L, const Layout *l, const IrType *ty) {
  LLVMValueRef p = NULL;
  if (!ty->rank || !l) return LLVMBuildICmp(L->b, LLVMIntEQ, L->tid, lw_i32(L, 0), "");
  bool present[IR_MAX_RANK] = {0};
  for (int i = 0; i < l->rank; i++) {
    int d = l->dims[i];
    present[d] = true;
    int64_t tile = (int64_t)l->spt[d] * l->tpw[d] * l->wpc[d];
    if (tile <= ty->shape[i]) continue;
    LLVMValueRef t = LLVMBuildMul(L->b, warp_dim(L, l, d), lw_i32(L, l->tpw[d]), "");
    t = LLVMBuildAdd(L->b, t, lane_dim(L, l, d), "");
    t = LLVMBuildMul(L->b, t, lw_i32(L, l->spt[d]), "");
    LLVMValueRef c = LLVMBuildICmp(L->b, LLVMIntULT, t, lw_i32(L, ty->shape[i]), "");
    p = p ? LLVMBuildAnd(L->b, p, c, "") : c;
  }
  for (int d = 0; d < l->prank; d++) {
    if (present[d] || (l->tpw[d] == 1 && l->wpc[d] == 1)) continue;
    LLVMValueRef c = LLVMBuildICmp(L->b, LLVMIntEQ, LLVMBuildAdd(L->b, lane_dim(L, l, d), warp_dim(L, l, d), ""), lw_i32(L, 0), "");
    p = p ? LLVMBuildAnd(L->b, p, c, "") : c;
  }
  return p;
}

LLVMValueRef gpu_elem_index(Lower *L, const IrValue *v, int r) {
  return v->type->rank ? linear_index(L, layout_of(v), v->type, r) : lw_i32(L, 0);
}

LLVMValueRef gpu_elem_owner(Lower *L, const IrValue *v) { return owner_pred(L, layout_of(v), v->type); }

/* ---- target primitives ----------------------------------------------------------------------- */

static void barrier(Lower *L) {
  if (L->t->kind == TGT_NVPTX) {
    LLVMValueRef zero = lw_i32(L, 0);
    lw_intrin(L, "llvm.nvvm.barrier.cta.sync.aligned.all", NULL, 0, &zero, 1);
  } else {
    LLVMBuildFence(L->b, LLVMAtomicOrderingRelease, 0, "");
    lw_intrin(L, "llvm.amdgcn.s.barrier", NULL, 0, NULL, 0);
    LLVMBuildFence(L->b, LLVMAtomicOrderingAcquire, 0, "");
  }
}

static LLVMValueRef smem_ptr(Lower *L, LLVMValueRef byte_off) {
  if (!L->smem) {
    LLVMTypeRef arr = LLVMArrayType2(L->i8, 0);
    L->smem = LLVMAddGlobalInAddressSpace(L->mod, arr, "__liger_smem", (unsigned)L->t->shared_as);
    LLVMSetLinkage(L->smem, LLVMExternalLinkage);
    LLVMSetAlignment(L->smem, 16);
  }
  return LLVMBuildGEP2(L->b, L->i8, L->smem, &byte_off, 1, "");
}

static void use_smem(Lower *L, size_t bytes) {
  if (bytes > L->smem_bytes) L->smem_bytes = bytes;
  if (bytes > L->t->max_shared && !L->failed) {
    L->d->unsupported = true;
    lw_fail(L, L->op, "'%s' needs %zu bytes of shared memory here; %s allows %zu per block",
            L->op ? ir_op_info[L->op->kind].name : "this kernel", bytes, L->t->name, L->t->max_shared);
    diag_hint(L->d, "GPU scans, trans, reshape and permute stage the whole tile in shared memory: use a smaller tile");
  }
}

/* Stores v at shared byte offset `off`, only in threads where `pred` holds (NULL: all). */
static void smem_store_if(Lower *L, LLVMValueRef pred, LLVMValueRef v, LLVMValueRef off) {
  LLVMBasicBlockRef join = NULL;
  if (pred) {
    LLVMBasicBlockRef wr = lw_block(L, "smem.put");
    join = lw_block(L, "smem.put.end");
    LLVMBuildCondBr(L->b, pred, wr, join);
    LLVMPositionBuilderAtEnd(L->b, wr);
  }
  LLVMBuildStore(L->b, v, smem_ptr(L, off));
  if (pred) {
    LLVMBuildBr(L->b, join);
    LLVMPositionBuilderAtEnd(L->b, join);
  }
}

/* Butterfly exchange with the lane `lane ^ mask` (any 16/32/64-bit scalar). */
static LLVMValueRef shfl_xor(Lower *L, LLVMValueRef v, int mask) {
  LLVMTypeRef ty = LLVMTypeOf(v);
  unsigned bits;
  switch (LLVMGetTypeKind(ty)) {
  case LLVMIntegerTypeKind: bits = LLVMGetIntTypeWidth(ty); break;
  case LLVMHalfTypeKind: case LLVMBFloatTypeKind: bits = 16; break;
  case LLVMFloatTypeKind: bits = 32; break;
  default: bits = 64; break; /* double, pointers */
  }
  if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind) v = LLVMBuildPtrToInt(L->b, v, L->i64, "");
  if (bits == 64) {
    LLVMValueRef x = LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMIntegerTypeKind ? v : LLVMBuildBitCast(L->b, v, L->i64, "");
    LLVMValueRef lo = LLVMBuildTrunc(L->b, x, L->i32, "");
    LLVMValueRef hi = LLVMBuildTrunc(L->b, LLVMBuildLShr(L->b, x, LLVMConstInt(L->i64, 32, 0), ""), L->i32, "");
    lo = LLVMBuildZExt(L->b, shfl_xor(L, lo, mask), L->i64, "");
    hi = LLVMBuildZExt(L->b, shfl_xor(L, hi, mask), L->i64, "");
    x = LLVMBuildOr(L->b, lo, LLVMBuildShl(L->b, hi, LLVMConstInt(L->i64, 32, 0), ""), "");
    if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind) return LLVMBuildIntToPtr(L->b, x, ty, "");
    return LLVMBuildBitCast(L->b, x, ty, "");
  }
  LLVMValueRef x;
  if (bits < 32) {
    LLVMTypeRef it = LLVMIntTypeInContext(L->ctx, bits);
    x = LLVMBuildZExt(L->b, LLVMBuildBitCast(L->b, v, it, ""), L->i32, "");
  } else {
    x = LLVMBuildBitCast(L->b, v, L->i32, "");
  }
  LLVMValueRef r;
  if (L->t->kind == TGT_NVPTX) {
    LLVMValueRef args[4] = {lw_i32(L, -1), x, lw_i32(L, mask), lw_i32(L, 0x1f)};
    r = lw_intrin(L, "llvm.nvvm.shfl.sync.bfly.i32", NULL, 0, args, 4);
  } else {
    LLVMValueRef addr = LLVMBuildShl(L->b, LLVMBuildXor(L->b, L->lane, lw_i32(L, mask), ""), lw_i32(L, 2), "");
    LLVMValueRef args[2] = {addr, x};
    r = lw_intrin(L, "llvm.amdgcn.ds.bpermute", NULL, 0, args, 2);
  }
  if (bits < 32) r = LLVMBuildTrunc(L->b, r, LLVMIntTypeInContext(L->ctx, bits), "");
  return LLVMBuildBitCast(L->b, r, ty, "");
}

/* ---- layout conversion --------------------------------------------------------------------------- */

static size_t elem_bytes(const IrType *t) { return t->dt == DT_I1 ? 1 : (size_t)dtype_bits(t->dt) / 8; }

static TVal convert(Lower *L, TVal src, const IrType *ty, const Layout *from, const Layout *to) {
  size_t eb = elem_bytes(ty);
  LLVMTypeRef et = lw_elem_type(L, ty);
  LLVMTypeRef st = ty->dt == DT_I1 ? L->i8 : et;
  use_smem(L, (size_t)ty->numel * eb);
  barrier(L);
  for (int r = 0; r < src.n; r++) {
    LLVMValueRef off = LLVMBuildMul(L->b, linear_index(L, from, ty, r), lw_i32(L, (int64_t)eb), "");
    LLVMValueRef v = ty->dt == DT_I1 ? LLVMBuildZExt(L->b, src.e[r], L->i8, "") : src.e[r];
    LLVMBuildStore(L->b, v, smem_ptr(L, off));
  }
  barrier(L);
  TVal out = lw_tval(L, layout_regs(to, ty));
  for (int r = 0; r < out.n; r++) {
    LLVMValueRef off = LLVMBuildMul(L->b, linear_index(L, to, ty, r), lw_i32(L, (int64_t)eb), "");
    LLVMValueRef v = LLVMBuildLoad2(L->b, st, smem_ptr(L, off), "");
    out.e[r] = ty->dt == DT_I1 ? LLVMBuildTrunc(L->b, v, L->i1, "") : v;
  }
  barrier(L);
  return out;
}

/* ---- tiles built in a given layout -------------------------------------------------------------- */

static TVal const_tile(Lower *L, const IrOp *op, const Layout *l) {
  const IrType *t = op->res[0]->type;
  IrType e = *t;
  e.rank = 0;
  LLVMValueRef k = lw_const(L, &e, op->i, op->f);
  TVal v = lw_tval(L, t->rank ? layout_regs(l, t) : 1);
  for (int i = 0; i < v.n; i++) v.e[i] = k;
  return v;
}

static TVal arange_tile(Lower *L, const IrOp *op, const Layout *l) {
  const IrType *t = op->res[0]->type;
  TVal v = lw_tval(L, layout_regs(l, t));
  for (int r = 0; r < v.n; r++) {
    int64_t k[IR_MAX_RANK];
    reg_split(l, t, r, k);
    v.e[r] = LLVMBuildAdd(L->b, coord(L, l, t, 0, k[0]), lw_i32(L, op->i), "");
  }
  return v;
}

static TVal splat_tile(Lower *L, const IrOp *op, const Layout *l) {
  TVal s = lw_get(L, op->opnds[0]);
  TVal v = lw_tval(L, layout_regs(l, op->res[0]->type));
  for (int i = 0; i < v.n; i++) v.e[i] = s.e[0];
  return v;
}

/* The layout an expand_dims or broadcast needs its operand in to produce `lo` by moving
 * registers only: lo without the new axis, or lo itself. */
static const Layout *reshape_source(Lower *L, const IrOp *op, const Layout *lo) {
  if (op->kind != OP_EXPAND_DIMS) return lo;
  Layout *s = arena_alloc(&L->arena, sizeof(Layout));
  *s = *lo;
  s->rank = lo->rank - 1;
  for (int i = 0, j = 0; i < lo->rank; i++)
    if (i != op->i) s->dims[j++] = lo->dims[i];
  return s;
}

/* expand_dims / broadcast of `src` (in reshape_source(lo)) into layout lo. */
static TVal reshape_regs(Lower *L, const IrOp *op, TVal src, const Layout *li, const Layout *lo) {
  const IrType *ti = op->opnds[0]->type, *to = op->res[0]->type;
  TVal v = lw_tval(L, layout_regs(lo, to));
  for (int r = 0; r < v.n; r++) {
    int64_t k[IR_MAX_RANK], ki[IR_MAX_RANK];
    reg_split(lo, to, r, k);
    for (int i = 0, j = 0; i < to->rank; i++) {
      if (op->kind == OP_EXPAND_DIMS) {
        if (i == op->i) continue;
        ki[j++] = k[i];
      } else {
        ki[i] = ti->shape[i] == 1 ? 0 : k[i];
      }
    }
    v.e[r] = src.e[reg_join(li, ti, ki)];
  }
  return v;
}


/* One elementwise op over operands that are already in the result's layout (or scalars). */
static TVal elementwise_regs(Lower *L, const IrOp *op, const TVal *ins, int n) {
  TVal out = lw_tval(L, n);
  DType dt = op->opnds[op->kind == OP_SELECT ? 1 : 0]->type->dt;
  for (int k = 0; k < n; k++) {
    LLVMValueRef x[3];
    for (int i = 0; i < op->nopnds; i++) x[i] = ins[i].e[ins[i].n == 1 ? 0 : k];
    out.e[k] = op->kind == OP_CAST ? lw_cast(L, x[0], op->opnds[0]->type, op->res[0]->type, op->i)
                                   : lw_elementwise(L, op, dt, x);
  }
  return out;
}

/* ---- rematerialisation ---------------------------------------------------------------------------
 *
 * Index and mask arithmetic (constants, aranges, splats of scalars, and elementwise ops,
 * expand_dims, broadcasts and hints over them) costs a few instructions to compute again in
 * another layout, against two barriers and a shared-memory round trip to move it there. A
 * value whose definition is such a tree of at most REMAT_OPS ops is recomputed where it is
 * needed in another layout; what it was computed as before becomes dead code. */
#define REMAT_OPS 32

static bool remat_ok(const IrValue *v, int *budget) {
  if (!v->type->rank) return true;
  const IrOp *op = v->def;
  if (!op || --*budget < 0) return false;
  switch (op->kind) {
  case OP_CONST: case OP_ARANGE: case OP_SPLAT: return true;
  case OP_EXPAND_DIMS: case OP_BROADCAST: case OP_HINT: break;
  default:
    if (!ir_is_elementwise(op)) return false;
  }
  for (int i = 0; i < op->nopnds; i++)
    if (!remat_ok(op->opnds[i], budget)) return false;
  return true;
}

static TVal remat(Lower *L, const IrValue *v, const Layout *want) {
  if (!v->type->rank || layout_equal(layout_of(v), want)) return lw_get(L, v);
  const IrOp *op = v->def;
  switch (op->kind) {
  case OP_CONST: return const_tile(L, op, want);
  case OP_ARANGE: return arange_tile(L, op, want);
  case OP_SPLAT: return splat_tile(L, op, want);
  case OP_HINT: return remat(L, op->opnds[0], want);
  case OP_EXPAND_DIMS: case OP_BROADCAST: {
    const Layout *li = reshape_source(L, op, want);
    return reshape_regs(L, op, remat(L, op->opnds[0], li), li, want);
  }
  default: {
    TVal ins[3];
    for (int i = 0; i < op->nopnds; i++) ins[i] = remat(L, op->opnds[i], want);
    return elementwise_regs(L, op, ins, layout_regs(want, v->type));
  }
  }
}

/* LIGER_DEBUG=layout also lists the conversions that go through shared memory. */
static void debug_conversion(Lower *L, const IrValue *v, const Layout *from, const Layout *to) {
  const char *e = getenv("LIGER_DEBUG");
  if (!e || (!strstr(e, "layout") && !strstr(e, "all"))) return;
  StrBuf b = {0};
  ir_type_str(&b, v->type);
  sb_puts(&b, " ");
  layout_str(&b, from);
  sb_puts(&b, " -> ");
  layout_str(&b, to);
  fprintf(stderr, "// LIGER_DEBUG layout: %s: %%%d %s through shared memory\n", L->f->name, v->id, b.s);
  sb_free(&b);
}

/* v in layout `want`: as it is, as loaded a second time, recomputed, or moved through
 * shared memory. */
static TVal in_layout(Lower *L, const IrValue *v, const Layout *want) {
  TVal tv = lw_get(L, v);
  const Layout *have = layout_of(v);
  if (!v->type->rank || layout_equal(have, want)) return tv;
  if (L->also && L->also[v->id].n && layout_equal(((const ValInfo *)v->aux)->also, want)) return L->also[v->id];
  int budget = REMAT_OPS;
  if (remat_ok(v, &budget)) return remat(L, v, want);
  debug_conversion(L, v, have, want);
  return convert(L, tv, v->type, have, want);
}

TVal gpu_operand(Lower *L, const IrValue *v, const IrValue *user) {
  if (!v->type->rank || !user->type->rank) return lw_get(L, v);
  return in_layout(L, v, layout_of(user));
}

/* ---- ops ---------------------------------------------------------------------------------------- */

static void lower_const(Lower *L, IrOp *op) { lw_set(L, op->res[0], const_tile(L, op, layout_of(op->res[0]))); }
static void lower_arange(Lower *L, IrOp *op) { lw_set(L, op->res[0], arange_tile(L, op, layout_of(op->res[0]))); }
static void lower_splat(Lower *L, IrOp *op) { lw_set(L, op->res[0], splat_tile(L, op, layout_of(op->res[0]))); }

/* expand_dims and broadcast: register-to-register once the operand is in the matching layout. */
static void lower_reshape_like(Lower *L, IrOp *op) {
  const Layout *lo = layout_of(op->res[0]), *li = reshape_source(L, op, lo);
  lw_set(L, op->res[0], reshape_regs(L, op, in_layout(L, op->opnds[0], li), li, lo));
}

/* trans / reshape: the source goes to shared memory in row-major order; each result
 * element is read back from the source position it comes from. */
static void lower_remap(Lower *L, IrOp *op) {
  const IrValue *in = op->opnds[0], *out = op->res[0];
  const IrType *ti = in->type, *to = out->type;
  const Layout *li = layout_of(in), *lo = layout_of(out);
  size_t eb = elem_bytes(ti);
  LLVMTypeRef st = ti->dt == DT_I1 ? L->i8 : lw_elem_type(L, ti);
  use_smem(L, (size_t)ti->numel * eb);
  barrier(L);
  TVal src = lw_get(L, in);
  LLVMValueRef own = owner_pred(L, li, ti);
  for (int r = 0; r < src.n; r++) {
    LLVMValueRef off = LLVMBuildMul(L->b, linear_index(L, li, ti, r), lw_i32(L, (int64_t)eb), "");
    smem_store_if(L, own, ti->dt == DT_I1 ? LLVMBuildZExt(L->b, src.e[r], L->i8, "") : src.e[r], off);
  }
  barrier(L);
  TVal res = lw_tval(L, layout_regs(lo, to));
  for (int r = 0; r < res.n; r++) {
    LLVMValueRef idx;
    if (op->kind == OP_RESHAPE) idx = linear_index(L, lo, to, r);
    else {
      /* result coordinate d is source coordinate perm[d] */
      int64_t k[IR_MAX_RANK], sstride[IR_MAX_RANK], st1 = 1;
      for (int d = ti->rank - 1; d >= 0; d--) {
        sstride[d] = st1;
        st1 *= ti->shape[d];
      }
      reg_split(lo, to, r, k);
      idx = lw_i32(L, 0);
      for (int d = 0; d < to->rank; d++) {
        int p = (int)((op->i >> (4 * d)) & 15);
        idx = LLVMBuildAdd(L->b, idx, LLVMBuildMul(L->b, coord(L, lo, to, d, k[d]), lw_i32(L, sstride[p]), ""), "");
      }
    }
    LLVMValueRef v = LLVMBuildLoad2(L->b, st, smem_ptr(L, LLVMBuildMul(L->b, idx, lw_i32(L, (int64_t)eb), "")), "");
    res.e[r] = ti->dt == DT_I1 ? LLVMBuildTrunc(L->b, v, L->i1, "") : v;
  }
  barrier(L);
  lw_set(L, out, res);
}

/* ---- cache modifiers and eviction hints -------------------------------------------------------- */

/* The PTX qualifier a load/store asks for, or NULL when the default behaviour is what it
 * asks for (.ca loads, .wb stores) or the target has no such qualifiers (AMD, below). */
static const char *nv_qualifier(Lower *L, const IrOp *op) {
  if (L->t->kind != TGT_NVPTX) return NULL;
  static const char *const cache[] = {NULL, NULL, ".cg", ".cv", NULL, ".cs", ".wt"};
  if (op->i && cache[op->i]) return cache[op->i];
  if (op->i2 == EVICT_FIRST) return ".L1::evict_first";
  if (op->i2 == EVICT_LAST) return ".L1::evict_last";
  return NULL;
}

/* AMDGPU has no qualifiers to write out; its LLVM back end sets the cache-policy bits of a
 * load or store from two properties of the instruction: !nontemporal (gfx942: nt; gfx90a:
 * glc slc; gfx1100: slc dlc on loads, glc slc dlc on stores) and volatile (gfx942: sc0 sc1;
 * gfx90a: glc on loads; gfx1100: glc dlc on loads, dlc on stores; each followed by a wait
 * for completion). tests/test_hsaco.sh checks those bits. The cache modifiers map onto
 * them as in Triton's AMD back end: .cg loads and .cs stream (nontemporal), .cv loads and
 * .wt stores go to memory (volatile), .ca, .wb and .cg stores keep the default policy.
 * evict_first streams too; evict_last has no bit on these chips. A cache modifier, when
 * given, decides alone (as on NVIDIA). */
static void amd_cache_policy(Lower *L, const IrOp *op, LLVMValueRef inst) {
  if (L->t->kind != TGT_AMDGPU) return;
  bool nontemporal = false, vol = false;
  switch ((CacheMod)op->i) {
  case CACHE_NONE: nontemporal = op->i2 == EVICT_FIRST; break;
  case CACHE_CG: nontemporal = op->kind == OP_LOAD; break;
  case CACHE_CS: nontemporal = true; break;
  case CACHE_CV: case CACHE_WT: vol = true; break;
  default: break;
  }
  if (vol) LLVMSetVolatile(inst, 1);
  if (nontemporal) {
    LLVMMetadataRef one = LLVMValueAsMetadata(lw_i32(L, 1));
    LLVMSetMetadata(inst, LLVMGetMDKindIDInContext(L->ctx, "nontemporal", 11),
                    LLVMMetadataAsValue(L->ctx, LLVMMDNodeInContext2(L->ctx, &one, 1)));
  }
}

/* A plain load or store of `op`: its alignment, volatility and cache policy. */
static void set_access(Lower *L, const IrOp *op, LLVMValueRef inst, unsigned align) {
  LLVMSetAlignment(inst, align);
  if (op->flags & MEM_VOLATILE) LLVMSetVolatile(inst, 1);
  amd_cache_policy(L, op, inst);
}

/* Whole 32-bit (or, for 2 bytes, 16-bit) registers covering `bytes`; 0 if asm can't. */
static int asm_regs(int bytes, int *bits) {
  *bits = 0;
  if (bytes % 4 == 0 && bytes / 4 <= 4 && bytes / 4 != 3) { *bits = 32; return bytes / 4; }
  if (bytes == 2) { *bits = 16; return 1; }
  return 0;
}

static LLVMValueRef nv_load(Lower *L, const char *q, LLVMValueRef ptr, LLVMTypeRef vt, int bytes) {
  int bits, n = asm_regs(bytes, &bits);
  LLVMTypeRef rt = LLVMIntTypeInContext(L->ctx, (unsigned)bits);
  char text[160], cons[64] = "";
  int len = snprintf(text, sizeof text, "ld.global%s%s.b%d {", q, n > 1 ? (n == 2 ? ".v2" : ".v4") : "", bits);
  for (int i = 0; i < n; i++) {
    len += snprintf(text + len, sizeof text - (size_t)len, "%s$%d", i ? ", " : "", i);
    strcat(cons, bits == 32 ? "=r," : "=h,");
  }
  snprintf(text + len, sizeof text - (size_t)len, "}, [$%d];", n);
  strcat(cons, "l");
  if (n == 1) { /* "ld ... {$0}" is not valid PTX for one register */
    snprintf(text, sizeof text, "ld.global%s.b%d $0, [$1];", q, bits);
  }
  LLVMTypeRef outs[4] = {rt, rt, rt, rt};
  LLVMTypeRef ret = n == 1 ? rt : LLVMStructTypeInContext(L->ctx, outs, (unsigned)n, 0);
  LLVMTypeRef pt = LLVMTypeOf(ptr);
  LLVMTypeRef fty = LLVMFunctionType(ret, &pt, 1, 0);
  LLVMValueRef fn = LLVMGetInlineAsm(fty, text, strlen(text), cons, strlen(cons), 1, 0, LLVMInlineAsmDialectATT, 0);
  LLVMValueRef r = LLVMBuildCall2(L->b, fty, fn, &ptr, 1, "");
  LLVMValueRef v = r;
  if (n > 1) {
    v = LLVMGetPoison(LLVMVectorType(rt, (unsigned)n));
    for (int i = 0; i < n; i++) v = LLVMBuildInsertElement(L->b, v, LLVMBuildExtractValue(L->b, r, (unsigned)i, ""), lw_i32(L, i), "");
  }
  return LLVMBuildBitCast(L->b, v, vt, "");
}

static void nv_store(Lower *L, const char *q, LLVMValueRef ptr, LLVMValueRef val, int bytes) {
  int bits, n = asm_regs(bytes, &bits);
  LLVMTypeRef rt = LLVMIntTypeInContext(L->ctx, (unsigned)bits);
  LLVMValueRef regs = LLVMBuildBitCast(L->b, val, n > 1 ? LLVMVectorType(rt, (unsigned)n) : rt, "");
  char text[160], cons[64] = "l";
  int len;
  if (n == 1) len = snprintf(text, sizeof text, "st.global%s.b%d [$0], $1;", q, bits);
  else {
    len = snprintf(text, sizeof text, "st.global%s%s.b%d [$0], {", q, n == 2 ? ".v2" : ".v4", bits);
    for (int i = 0; i < n; i++) len += snprintf(text + len, sizeof text - (size_t)len, "%s$%d", i ? ", " : "", i + 1);
    snprintf(text + len, sizeof text - (size_t)len, "};");
  }
  LLVMValueRef args[5] = {ptr};
  LLVMTypeRef types[5] = {LLVMTypeOf(ptr)};
  for (int i = 0; i < n; i++) {
    strcat(cons, bits == 32 ? ",r" : ",h");
    args[i + 1] = n > 1 ? LLVMBuildExtractElement(L->b, regs, lw_i32(L, i), "") : regs;
    types[i + 1] = rt;
  }
  strcat(cons, ",~{memory}");
  LLVMTypeRef fty = LLVMFunctionType(L->vd, types, (unsigned)n + 1, 0);
  LLVMValueRef fn = LLVMGetInlineAsm(fty, text, strlen(text), cons, strlen(cons), 1, 0, LLVMInlineAsmDialectATT, 0);
  LLVMBuildCall2(L->b, fty, fn, args, (unsigned)n + 1, "");
}

/* How many consecutive registers of a pointer tile one vector access may cover. */
static int vec_width(const IrOp *op, const Layout *l, const IrType *pty) {
  if (!pty->rank) return 1;
  int fi = tensor_dim(l, l->order[0]);
  if (fi < 0) return 1;
  int64_t bytes = (int64_t)elem_bytes(pty->pointee);
  int64_t v = per_thread(l, pty, fi);
  const AxisInfo *ax = axis_of(op->opnds[0]);
  if (ax->contig[fi] < v) v = ax->contig[fi];
  if (ax->div[fi] / bytes < v) v = ax->div[fi] / bytes;
  if (16 / bytes < v) v = 16 / bytes;
  if (op->flags & MEM_MASK) {
    const AxisInfo *m = axis_of(op->opnds[op->kind == OP_LOAD ? 1 : 2]);
    if (m->constancy[fi] < v) v = m->constancy[fi];
  }
  int w = 1;
  while (w * 2 <= v) w *= 2;
  return w;
}

/* The load `op` with its result in layout l (its pointers' layout, or ValInfo.also). */
static TVal load_in(Lower *L, IrOp *op, const Layout *l) {
  const IrValue *p = op->opnds[0];
  const IrType *pt = p->type, *rt = op->res[0]->type;
  TVal ptrs = pt->rank ? in_layout(L, p, l) : lw_get(L, p);
  TVal mask = {0}, other = {0};
  if (op->flags & MEM_MASK) mask = pt->rank ? in_layout(L, op->opnds[1], l) : lw_get(L, op->opnds[1]);
  if (op->flags & MEM_OTHER) other = pt->rank ? in_layout(L, op->opnds[2], l) : lw_get(L, op->opnds[2]);
  int w = vec_width(op, l, pt);
  LLVMTypeRef et = lw_elem_type(L, rt);
  LLVMTypeRef vt = w > 1 ? LLVMVectorType(et, (unsigned)w) : et;
  unsigned align = (unsigned)(w * (dtype_bits(rt->dt) / 8));
  int bits_unused;
  const char *q = (op->flags & MEM_VOLATILE) || !asm_regs((int)align, &bits_unused) ? NULL : nv_qualifier(L, op);
  TVal out = lw_tval(L, ptrs.n);
  for (int r = 0; r < ptrs.n; r += w) {
    LLVMValueRef val;
    LLVMValueRef oth = LLVMConstNull(vt);
    if (other.n) {
      if (w == 1) oth = other.e[r];
      else {
        oth = LLVMGetPoison(vt);
        for (int i = 0; i < w; i++) oth = LLVMBuildInsertElement(L->b, oth, other.e[r + i], lw_i32(L, i), "");
      }
    }
    if (mask.n) {
      LLVMBasicBlockRef cur = LLVMGetInsertBlock(L->b), ld = lw_block(L, "ld"), join = lw_block(L, "ld.join");
      LLVMBuildCondBr(L->b, mask.e[r], ld, join);
      LLVMPositionBuilderAtEnd(L->b, ld);
      LLVMValueRef x;
      if (q) x = nv_load(L, q, ptrs.e[r], vt, (int)align);
      else {
        x = LLVMBuildLoad2(L->b, vt, ptrs.e[r], "");
        set_access(L, op, x, align);
      }
      LLVMBuildBr(L->b, join);
      LLVMPositionBuilderAtEnd(L->b, join);
      val = LLVMBuildPhi(L->b, vt, "");
      LLVMValueRef in_v[2] = {x, oth};
      LLVMBasicBlockRef in_b[2] = {ld, cur};
      LLVMAddIncoming(val, in_v, in_b, 2);
    } else if (q) {
      val = nv_load(L, q, ptrs.e[r], vt, (int)align);
    } else {
      val = LLVMBuildLoad2(L->b, vt, ptrs.e[r], "");
      set_access(L, op, val, align);
    }
    if (w == 1) out.e[r] = val;
    else
      for (int i = 0; i < w; i++) out.e[r + i] = LLVMBuildExtractElement(L->b, val, lw_i32(L, i), "");
  }
  return out;
}

static void lower_load(Lower *L, IrOp *op) {
  const IrValue *res = op->res[0];
  lw_set(L, res, load_in(L, op, layout_of(op->opnds[0])));
  const Layout *also = res->aux ? ((const ValInfo *)res->aux)->also : NULL;
  if (!also) return;
  if (!L->also) L->also = arena_alloc(&L->arena, sizeof(TVal) * (size_t)L->nvals);
  L->also[res->id] = load_in(L, op, also);
}

static void lower_store(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0];
  const IrType *pt = p->type, *vt0 = op->opnds[1]->type;
  const Layout *l = layout_of(p);
  TVal ptrs = lw_get(L, p);
  TVal val = pt->rank ? in_layout(L, op->opnds[1], l) : lw_get(L, op->opnds[1]);
  TVal mask = {0};
  if (op->flags & MEM_MASK) mask = pt->rank ? in_layout(L, op->opnds[2], l) : lw_get(L, op->opnds[2]);
  LLVMValueRef own = owner_pred(L, l, pt);
  int w = vec_width(op, l, pt);
  LLVMTypeRef et = lw_elem_type(L, vt0);
  LLVMTypeRef vt = w > 1 ? LLVMVectorType(et, (unsigned)w) : et;
  unsigned align = (unsigned)(w * (dtype_bits(vt0->dt) / 8));
  int bits_unused;
  const char *q = asm_regs((int)align, &bits_unused) ? nv_qualifier(L, op) : NULL;
  for (int r = 0; r < ptrs.n; r += w) {
    LLVMValueRef x = val.e[r];
    if (w > 1) {
      x = LLVMGetPoison(vt);
      for (int i = 0; i < w; i++) x = LLVMBuildInsertElement(L->b, x, val.e[r + i], lw_i32(L, i), "");
    }
    LLVMValueRef pred = own;
    if (mask.n) pred = pred ? LLVMBuildAnd(L->b, pred, mask.e[r], "") : mask.e[r];
    LLVMBasicBlockRef st = NULL, join = NULL;
    if (pred) {
      st = lw_block(L, "st");
      join = lw_block(L, "st.join");
      LLVMBuildCondBr(L->b, pred, st, join);
      LLVMPositionBuilderAtEnd(L->b, st);
    }
    if (q) nv_store(L, q, ptrs.e[r], x, (int)align);
    else set_access(L, op, LLVMBuildStore(L->b, x, ptrs.e[r]), align);
    if (pred) {
      LLVMBuildBr(L->b, join);
      LLVMPositionBuilderAtEnd(L->b, join);
    }
  }
}

/* Atomics: one thread per element performs it; if the old values are used and other
 * threads hold copies of the element, they get them through shared memory. */
static void lower_atomic(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0];
  const IrType *pt = p->type, *rt = op->res[0]->type;
  const Layout *l = layout_of(p);
  bool cas = op->kind == OP_ATOMIC_CAS;
  TVal ptrs = lw_get(L, p);
  TVal a = pt->rank ? in_layout(L, op->opnds[1], l) : lw_get(L, op->opnds[1]);
  TVal b = {0}, mask = {0};
  if (cas) b = pt->rank ? in_layout(L, op->opnds[2], l) : lw_get(L, op->opnds[2]);
  if (op->flags & MEM_MASK) mask = pt->rank ? in_layout(L, op->opnds[2], l) : lw_get(L, op->opnds[2]);
  LLVMValueRef own = owner_pred(L, l, pt);
  TVal out = lw_tval(L, ptrs.n);
  for (int r = 0; r < ptrs.n; r++) {
    LLVMValueRef pred = own;
    if (mask.n) pred = pred ? LLVMBuildAnd(L->b, pred, mask.e[r], "") : mask.e[r];
    out.e[r] = cas ? lw_atomic_if(L, op, pred, ptrs.e[r], b.e[r], a.e[r]) : lw_atomic_if(L, op, pred, ptrs.e[r], a.e[r], NULL);
  }
  if (own && op->res[0]->nuses) {
    size_t eb = elem_bytes(rt);
    LLVMTypeRef et = lw_elem_type(L, rt);
    use_smem(L, (size_t)rt->numel * eb);
    barrier(L);
    for (int r = 0; r < out.n; r++) {
      LLVMValueRef idx = rt->rank ? linear_index(L, l, rt, r) : lw_i32(L, 0);
      smem_store_if(L, own, out.e[r], LLVMBuildMul(L->b, idx, lw_i32(L, (int64_t)eb), ""));
    }
    barrier(L);
    for (int r = 0; r < out.n; r++) {
      LLVMValueRef idx = rt->rank ? linear_index(L, l, rt, r) : lw_i32(L, 0);
      out.e[r] = LLVMBuildLoad2(L->b, et, smem_ptr(L, LLVMBuildMul(L->b, idx, lw_i32(L, (int64_t)eb), "")), "");
    }
    barrier(L);
  }
  lw_set(L, op->res[0], out);
}

/* Reductions over n same-shaped inputs: in-thread, then butterfly shuffles over the lanes
 * along the axis, then across warps through shared memory (one area per input). */
static void lower_reduce(Lower *L, IrOp *op) {
  int n = op->nopnds;
  const IrType *ti = op->opnds[0]->type, *tr = op->res[0]->type;
  const Layout *li = layout_of(op->opnds[0]), *lr = layout_of(op->res[0]);
  int ax = (int)op->i, pd = li->dims[ax];
  TVal src[8];
  for (int j = 0; j < n; j++) src[j] = in_layout(L, op->opnds[j], li);
  int nout = tr->rank ? layout_regs(lr, tr) : 1;
  LLVMValueRef *acc = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)(nout * n));
  LLVMValueRef x[8], y[8], z[8];
  for (int r = 0; r < src[0].n; r++) {
    int64_t kk[IR_MAX_RANK], ko[IR_MAX_RANK];
    reg_split(li, ti, r, kk);
    for (int i = 0, j = 0; i < ti->rank; i++)
      if (i != ax) ko[j++] = kk[i];
    int o = tr->rank ? reg_join(lr, tr, ko) : 0;
    for (int j = 0; j < n; j++) y[j] = src[j].e[r];
    if (!acc[o * n]) {
      for (int j = 0; j < n; j++) acc[o * n + j] = y[j];
      continue;
    }
    for (int j = 0; j < n; j++) x[j] = acc[o * n + j];
    lw_combine_n(L, op, x, y, z);
    for (int j = 0; j < n; j++) acc[o * n + j] = z[j];
  }
  int64_t S = ti->shape[ax], per = per_thread(li, ti, ax);
  int64_t distinct_l = li->tpw[pd] < S / per ? li->tpw[pd] : S / per;
  int ls = lane_stride(li, pd);
  for (int64_t step = 1; step < distinct_l; step <<= 1)
    for (int o = 0; o < nout; o++) {
      for (int j = 0; j < n; j++) {
        x[j] = acc[o * n + j];
        y[j] = shfl_xor(L, x[j], (int)(step * ls));
      }
      /* keep the order of the operands: the lower lane's values come first */
      LLVMValueRef upper = LLVMBuildICmp(L->b, LLVMIntNE, LLVMBuildAnd(L->b, L->lane, lw_i32(L, step * ls), ""), lw_i32(L, 0), "");
      LLVMValueRef lo[8], hi[8];
      for (int j = 0; j < n; j++) {
        lo[j] = LLVMBuildSelect(L->b, upper, y[j], x[j], "");
        hi[j] = LLVMBuildSelect(L->b, upper, x[j], y[j], "");
      }
      lw_combine_n(L, op, lo, hi, z);
      for (int j = 0; j < n; j++) acc[o * n + j] = z[j];
    }
  int64_t span = per * li->tpw[pd];
  int64_t distinct_w = S > span ? S / span : 1;
  if (distinct_w > li->wpc[pd]) distinct_w = li->wpc[pd];
  if (distinct_w > 1) {
    int64_t outn = tr->numel;
    size_t base[8], total = 0;
    for (int j = 0; j < n; j++) {
      base[j] = total;
      total += (size_t)(distinct_w * outn) * elem_bytes(op->opnds[j]->type);
    }
    use_smem(L, total);
    LLVMValueRef slot = LLVMBuildAnd(L->b, warp_dim(L, li, pd), lw_i32(L, distinct_w - 1), "");
    barrier(L);
    for (int o = 0; o < nout; o++) {
      LLVMValueRef idx = tr->rank ? linear_index(L, lr, tr, o) : lw_i32(L, 0);
      LLVMValueRef at = LLVMBuildAdd(L->b, LLVMBuildMul(L->b, slot, lw_i32(L, outn), ""), idx, "");
      for (int j = 0; j < n; j++) {
        LLVMValueRef off = LLVMBuildAdd(L->b, lw_i32(L, (int64_t)base[j]),
                                        LLVMBuildMul(L->b, at, lw_i32(L, (int64_t)elem_bytes(op->opnds[j]->type)), ""), "");
        LLVMBuildStore(L->b, acc[o * n + j], smem_ptr(L, off));
      }
    }
    barrier(L);
    for (int o = 0; o < nout; o++) {
      LLVMValueRef idx = tr->rank ? linear_index(L, lr, tr, o) : lw_i32(L, 0);
      for (int64_t w = 0; w < distinct_w; w++) {
        LLVMValueRef at = LLVMBuildAdd(L->b, lw_i32(L, w * outn), idx, "");
        for (int j = 0; j < n; j++) {
          const IrType *tj = op->opnds[j]->type;
          LLVMValueRef off = LLVMBuildAdd(L->b, lw_i32(L, (int64_t)base[j]), LLVMBuildMul(L->b, at, lw_i32(L, (int64_t)elem_bytes(tj)), ""), "");
          y[j] = LLVMBuildLoad2(L->b, lw_elem_type(L, tj), smem_ptr(L, off), "");
        }
        if (!w) {
          for (int j = 0; j < n; j++) acc[o * n + j] = y[j];
          continue;
        }
        for (int j = 0; j < n; j++) x[j] = acc[o * n + j];
        lw_combine_n(L, op, x, y, z);
        for (int j = 0; j < n; j++) acc[o * n + j] = z[j];
      }
    }
    barrier(L);
  }
  for (int j = 0; j < n; j++) {
    TVal out = lw_tval(L, nout);
    for (int o = 0; o < nout; o++) out.e[o] = acc[o * n + j];
    lw_set(L, op->res[j], out);
  }
}

/* Scans (Hillis-Steele in shared memory): after step d every element holds the combination
 * of the 2d elements ending at it. Each step reads the partner, waits, writes, waits. The
 * earlier element is always the first operand of the combine, so any associative
 * operation works. */
static void lower_scan(Lower *L, IrOp *op) {
  int n = op->nopnds;
  const IrType *t = op->opnds[0]->type;
  const Layout *l = layout_of(op->res[0]);
  int ax = (int)op->i;
  bool reverse = op->flags & 1;
  int64_t len = t->shape[ax], stride = 1;
  for (int d = ax + 1; d < t->rank; d++) stride *= t->shape[d];
  TVal cur[8] = {{0}};
  size_t base[8], total = 0;
  for (int j = 0; j < n; j++) {
    cur[j] = in_layout(L, op->opnds[j], l);
    TVal c = lw_tval(L, cur[j].n);
    memcpy(c.e, cur[j].e, sizeof(LLVMValueRef) * (size_t)c.n);
    cur[j] = c;
    base[j] = total;
    total += (size_t)t->numel * elem_bytes(op->opnds[j]->type);
  }
  int nr = cur[0].n;
  use_smem(L, total);
  LLVMValueRef own = owner_pred(L, l, t);
  LLVMValueRef *lin = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)nr);
  LLVMValueRef *pos = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)nr);
  for (int r = 0; r < nr; r++) {
    lin[r] = linear_index(L, l, t, r);
    int64_t k[IR_MAX_RANK];
    reg_split(l, t, r, k);
    pos[r] = coord(L, l, t, ax, k[ax]);
  }
  /* the byte offset, and the address, of the element at linear index `li` of input j */
  #define SCAN_OFF(j, li) LLVMBuildAdd(L->b, lw_i32(L, (int64_t)base[j]), \
      LLVMBuildMul(L->b, (li), lw_i32(L, (int64_t)elem_bytes(op->opnds[j]->type)), ""), "")
  #define SCAN_AT(j, li) smem_ptr(L, SCAN_OFF(j, li))
  for (int64_t d = 1; d < len; d <<= 1) {
    barrier(L);
    for (int r = 0; r < nr; r++) {
      for (int j = 0; j < n; j++) smem_store_if(L, own, cur[j].e[r], SCAN_OFF(j, lin[r]));
    }
    barrier(L);
    for (int r = 0; r < nr; r++) {
      /* the partner d positions before (after, for a reverse scan) along the axis */
      LLVMValueRef has = reverse ? LLVMBuildICmp(L->b, LLVMIntSLT, pos[r], lw_i32(L, len - d), "")
                                 : LLVMBuildICmp(L->b, LLVMIntSGE, pos[r], lw_i32(L, d), "");
      LLVMValueRef pl = reverse ? LLVMBuildAdd(L->b, lin[r], lw_i32(L, d * stride), "")
                                : LLVMBuildSub(L->b, lin[r], lw_i32(L, d * stride), "");
      pl = LLVMBuildSelect(L->b, has, pl, lin[r], ""); /* stay in bounds when there is none */
      LLVMValueRef other[8], mine[8], res[8];
      for (int j = 0; j < n; j++) {
        other[j] = LLVMBuildLoad2(L->b, lw_elem_type(L, op->opnds[j]->type), SCAN_AT(j, pl), "");
        mine[j] = cur[j].e[r];
      }
      /* forward: combine(earlier, mine); reverse: combine(later, mine) as Triton flips, scans, flips */
      lw_combine_n(L, op, other, mine, res);
      for (int j = 0; j < n; j++) cur[j].e[r] = LLVMBuildSelect(L->b, has, res[j], mine[j], "");
    }
  }
  #undef SCAN_AT
  #undef SCAN_OFF
  barrier(L);
  for (int j = 0; j < n; j++) lw_set(L, op->res[j], cur[j]);
}

/* tl.dot as FMAs: A and B go to shared memory, then one loop over K updates every
 * accumulator element the thread owns (correct for any layout; tensor cores come later). */
typedef struct DotCtx {
  const IrOp *op;
  int64_t K, N;
  size_t ea, off_b;
  LLVMValueRef *m, *n;
  LLVMTypeRef ta, tb;
} DotCtx;

static void dot_body(Lower *L, void *ctx, LLVMValueRef k, LLVMValueRef *acc) {
  DotCtx *c = ctx;
  int nr = (int)layout_regs(layout_of(c->op->res[0]), c->op->res[0]->type);
  for (int r = 0; r < nr; r++) {
    LLVMValueRef ia = LLVMBuildAdd(L->b, LLVMBuildMul(L->b, c->m[r], lw_i32(L, c->K), ""), k, "");
    LLVMValueRef ib = LLVMBuildAdd(L->b, LLVMBuildMul(L->b, k, lw_i32(L, c->N), ""), c->n[r], "");
    LLVMValueRef a = LLVMBuildLoad2(L->b, c->ta, smem_ptr(L, LLVMBuildMul(L->b, ia, lw_i32(L, (int64_t)c->ea), "")), "");
    LLVMValueRef boff = LLVMBuildAdd(L->b, lw_i32(L, (int64_t)c->off_b), LLVMBuildMul(L->b, ib, lw_i32(L, (int64_t)c->ea), ""), "");
    LLVMValueRef b = LLVMBuildLoad2(L->b, c->tb, smem_ptr(L, boff), "");
    acc[r] = lw_mac(L, c->op, a, b, acc[r]);
  }
}

static void stage(Lower *L, const IrValue *v, size_t base, size_t eb) {
  const Layout *l = layout_of(v);
  TVal t = lw_get(L, v);
  LLVMValueRef own = owner_pred(L, l, v->type);
  for (int r = 0; r < t.n; r++) {
    LLVMValueRef off = LLVMBuildAdd(L->b, lw_i32(L, (int64_t)base), LLVMBuildMul(L->b, linear_index(L, l, v->type, r), lw_i32(L, (int64_t)eb), ""), "");
    smem_store_if(L, own, t.e[r], off);
  }
}

static void lower_dot(Lower *L, IrOp *op) {
  const IrValue *A = op->opnds[0], *B = op->opnds[1], *R = op->res[0];
  const IrType *ta = A->type, *tb = B->type, *tr = R->type;
  const Layout *lr = layout_of(R);
  DotCtx c = {.op = op, .K = ta->shape[1], .N = tb->shape[1], .ea = elem_bytes(ta)};
  c.off_b = ((size_t)ta->numel * c.ea + 15) & ~(size_t)15;
  c.ta = lw_elem_type(L, ta);
  c.tb = lw_elem_type(L, tb);
  /* the accumulator first: converting its layout uses shared memory too */
  TVal acc0 = in_layout(L, op->opnds[2], lr);
  use_smem(L, c.off_b + (size_t)tb->numel * c.ea);
  barrier(L);
  stage(L, A, 0, c.ea);
  stage(L, B, c.off_b, c.ea);
  barrier(L);
  int nr = layout_regs(lr, tr);
  TVal acc = lw_tval(L, nr);
  c.m = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)nr);
  c.n = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)nr);
  for (int r = 0; r < nr; r++) {
    int64_t k[IR_MAX_RANK];
    reg_split(lr, tr, r, k);
    c.m[r] = coord(L, lr, tr, 0, k[0]);
    c.n[r] = coord(L, lr, tr, 1, k[1]);
    acc.e[r] = acc0.e[r];
  }
  lw_counted_loop(L, c.K, acc.e, nr, dot_body, &c);
  barrier(L);
  lw_set(L, R, acc);
}

bool gpu_lower_op(Lower *L, IrOp *op) {
  switch (op->kind) {
  case OP_CONST: lower_const(L, op); return true;
  case OP_ARANGE: lower_arange(L, op); return true;
  case OP_SPLAT: lower_splat(L, op); return true;
  case OP_EXPAND_DIMS: case OP_BROADCAST: lower_reshape_like(L, op); return true;
  case OP_LOAD: lower_load(L, op); return true;
  case OP_STORE: lower_store(L, op); return true;
  case OP_REDUCE: lower_reduce(L, op); return true;
  case OP_SCAN: lower_scan(L, op); return true;
  case OP_DOT: lower_dot(L, op); return true;
  case OP_TRANS: case OP_RESHAPE: lower_remap(L, op); return true;
  case OP_ATOMIC_RMW: case OP_ATOMIC_CAS: lower_atomic(L, op); return true;
  case OP_BARRIER: barrier(L); return true;
  default: return false;
  }
}

/* ---- the kernel function --------------------------------------------------------------------------- */

static LLVMValueRef sreg(Lower *L, const char *name) { return lw_intrin(L, name, NULL, 0, NULL, 0); }

void gpu_prologue(Lower *L) {
  IrFunc *f = L->f;
  LLVMTypeRef *pts = arena_alloc(&L->arena, sizeof(LLVMTypeRef) * (size_t)(f->nparams + 1));
  for (int i = 0; i < f->nparams; i++) {
    const IrType *t = f->params[i]->type;
    pts[i] = t->dt == DT_I1 ? L->i8 : lw_elem_type(L, t);
  }
  LLVMTypeRef fty = LLVMFunctionType(L->vd, pts, (unsigned)f->nparams, 0);
  L->fn = LLVMAddFunction(L->mod, f->name, fty);
  int threads = f->num_warps * L->t->warp_size;
  if (threads > 1024) { /* the 64-lane AMD chips at num_warps=32 (as in Triton, no fallback) */
    L->d->unsupported = true;
    lw_fail(L, NULL, "num_warps=%d makes %d threads per program on %s (%d-lane waves); a program has at most 1024",
            f->num_warps, threads, L->t->name, L->t->warp_size);
    diag_hint(L->d, "use num_warps=%d or less on this target", 1024 / L->t->warp_size);
  }
  char buf[32];
  if (L->t->kind == TGT_NVPTX) {
    LLVMSetFunctionCallConv(L->fn, LLVMPTXKernelCallConv);
    snprintf(buf, sizeof buf, "%d", threads);
    LLVMAddAttributeAtIndex(L->fn, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(L->ctx, "nvvm.maxntid", 12, buf, (unsigned)strlen(buf)));
  } else {
    LLVMSetFunctionCallConv(L->fn, LLVMAMDGPUKERNELCallConv);
    snprintf(buf, sizeof buf, "1,%d", threads);
    LLVMAddAttributeAtIndex(L->fn, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(L->ctx, "amdgpu-flat-work-group-size", 27, buf, (unsigned)strlen(buf)));
    LLVMAddModuleFlag(L->mod, LLVMModuleFlagBehaviorError, "amdhsa_code_object_version", 26,
                      LLVMValueAsMetadata(LLVMConstInt(L->i32, 500, 0)));
  }
  LLVMPositionBuilderAtEnd(L->b, lw_block(L, "entry"));
  if (L->t->kind == TGT_NVPTX) {
    L->tid = sreg(L, "llvm.nvvm.read.ptx.sreg.tid.x");
    static const char *const ctaid[3] = {"llvm.nvvm.read.ptx.sreg.ctaid.x", "llvm.nvvm.read.ptx.sreg.ctaid.y", "llvm.nvvm.read.ptx.sreg.ctaid.z"};
    static const char *const nctaid[3] = {"llvm.nvvm.read.ptx.sreg.nctaid.x", "llvm.nvvm.read.ptx.sreg.nctaid.y", "llvm.nvvm.read.ptx.sreg.nctaid.z"};
    for (int i = 0; i < 3; i++) {
      L->pid[i] = sreg(L, ctaid[i]);
      L->nprog[i] = sreg(L, nctaid[i]);
    }
  } else {
    L->tid = sreg(L, "llvm.amdgcn.workitem.id.x");
    static const char *const wg[3] = {"llvm.amdgcn.workgroup.id.x", "llvm.amdgcn.workgroup.id.y", "llvm.amdgcn.workgroup.id.z"};
    /* code object v5: the implicit arguments start with hidden_block_count_{x,y,z} */
    LLVMValueRef imp = sreg(L, "llvm.amdgcn.implicitarg.ptr");
    for (int i = 0; i < 3; i++) {
      L->pid[i] = sreg(L, wg[i]);
      LLVMValueRef off = lw_i32(L, 4 * i);
      LLVMValueRef ptr = LLVMBuildGEP2(L->b, L->i8, imp, &off, 1, "");
      L->nprog[i] = LLVMBuildLoad2(L->b, L->i32, ptr, "");
      LLVMSetAlignment(L->nprog[i], 4);
    }
  }
  L->lane = LLVMBuildAnd(L->b, L->tid, lw_i32(L, L->t->warp_size - 1), "");
  L->warp = LLVMBuildLShr(L->b, L->tid, lw_i32(L, ilog2(L->t->warp_size)), "");
  for (int i = 0; i < f->nparams; i++) {
    TVal v = lw_tval(L, 1);
    v.e[0] = LLVMGetParam(L->fn, (unsigned)i);
    if (f->params[i]->type->dt == DT_I1) v.e[0] = LLVMBuildTrunc(L->b, v.e[0], L->i1, "");
    lw_set(L, f->params[i], v);
  }
}
