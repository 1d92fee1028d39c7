/*
 * lower_cpu.c — the host CPU half of lowering: a program is one call of the kernel entry
 * (one task of the runtime's thread pool). A tile is kept in row-major order as chunks of
 * lw_chunk() elements, each an LLVM vector that the X86 back end maps onto SIMD registers;
 * elementwise ops then work chunk by chunk (lower.c). Loads and stores of a contiguous chunk
 * become llvm.masked.{load,store}, others gathers and scatters; reductions combine chunks
 * lane-wise and finish with llvm.vector.reduce.*.
 *
 * That unrolled form suits small tiles. Tiles above the unroll limit live in scratch memory
 * instead, each op a runtime loop over the same chunks (lower_cpu_loop.c); cpu_lower_op
 * hands it every op that touches one.
 */
#include "lower_util.h"

#include <stdlib.h>
#include <string.h>

static const AxisInfo *axis_of(const IrValue *v) { return &((const ValInfo *)v->aux)->ax; }

LLVMValueRef cpu_splat(Lower *L, LLVMValueRef s, int w) {
  LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(s), (unsigned)w);
  LLVMValueRef v = LLVMBuildInsertElement(L->b, LLVMGetPoison(vt), s, lw_i32(L, 0), "");
  return LLVMBuildShuffleVector(L->b, v, LLVMGetPoison(vt), LLVMConstNull(LLVMVectorType(L->i32, (unsigned)w)), "");
}

static TVal one(Lower *L, LLVMValueRef v) {
  TVal t = lw_tval(L, 1);
  t.e[0] = v;
  return t;
}

static int nchunks(const IrType *t) { return (int)(t->numel / lw_chunk(t)); }

static LLVMValueRef const_vec(LLVMValueRef *vals, int w) { return LLVMConstVector(vals, (unsigned)w); }

static void lower_const(Lower *L, IrOp *op) {
  const IrType *t = op->res[0]->type;
  IrType e = *t;
  e.rank = 0;
  LLVMValueRef k = lw_const(L, &e, op->i, op->f);
  if (!t->rank) {
    lw_set(L, op->res[0], one(L, k));
    return;
  }
  int w = lw_chunk(t);
  LLVMValueRef vals[CPU_CHUNK];
  for (int i = 0; i < w; i++) vals[i] = k;
  LLVMValueRef v = const_vec(vals, w);
  TVal out = lw_tval(L, nchunks(t));
  for (int c = 0; c < out.n; c++) out.e[c] = v;
  lw_set(L, op->res[0], out);
}

static void lower_arange(Lower *L, IrOp *op) {
  const IrType *t = op->res[0]->type;
  int w = lw_chunk(t);
  TVal out = lw_tval(L, nchunks(t));
  LLVMValueRef vals[CPU_CHUNK];
  for (int c = 0; c < out.n; c++) {
    for (int i = 0; i < w; i++) vals[i] = lw_i32(L, op->i + (int64_t)c * w + i);
    out.e[c] = const_vec(vals, w);
  }
  lw_set(L, op->res[0], out);
}

static void lower_splat(Lower *L, IrOp *op) {
  const IrType *t = op->res[0]->type;
  LLVMValueRef v = cpu_splat(L, lw_get(L, op->opnds[0]).e[0], lw_chunk(t));
  TVal out = lw_tval(L, nchunks(t));
  for (int c = 0; c < out.n; c++) out.e[c] = v;
  lw_set(L, op->res[0], out);
}

/* Builds result chunks from source elements: out element i of chunk c is source element
 * src_index(c*w + i). One or two source chunks make a shufflevector; more are gathered
 * element by element. */
static TVal regather(Lower *L, TVal src, int sw, const int64_t *idx, int64_t numel, int w) {
  TVal out = lw_tval(L, (int)(numel / w));
  for (int c = 0; c < out.n; c++) {
    const int64_t *ix = idx + (int64_t)c * w;
    int64_t a = ix[0] / sw, b = -1;
    bool simple = true;
    for (int i = 0; i < w; i++) {
      int64_t ch = ix[i] / sw;
      if (ch == a) continue;
      if (b < 0 || ch == b) b = ch;
      else simple = false;
    }
    if (simple && sw == w) {
      bool identity = b < 0;
      for (int i = 0; i < w && identity; i++) identity = ix[i] % sw == i;
      if (identity) {
        out.e[c] = src.e[a];
        continue;
      }
      LLVMValueRef m[CPU_CHUNK];
      for (int i = 0; i < w; i++) m[i] = lw_i32(L, ix[i] % sw + (ix[i] / sw == a ? 0 : sw));
      LLVMValueRef second = b < 0 ? LLVMGetPoison(LLVMTypeOf(src.e[a])) : src.e[b];
      out.e[c] = LLVMBuildShuffleVector(L->b, src.e[a], second, LLVMConstVector(m, (unsigned)w), "");
      continue;
    }
    LLVMTypeRef et = LLVMGetElementType(LLVMTypeOf(src.e[0]));
    LLVMValueRef v = LLVMGetPoison(LLVMVectorType(et, (unsigned)w));
    for (int i = 0; i < w; i++) {
      LLVMValueRef e = LLVMBuildExtractElement(L->b, src.e[ix[i] / sw], lw_i32(L, ix[i] % sw), "");
      v = LLVMBuildInsertElement(L->b, v, e, lw_i32(L, i), "");
    }
    out.e[c] = v;
  }
  return out;
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
  lw_set(L, op->res[0], regather(L, lw_get(L, op->opnds[0]), lw_chunk(ti), idx, to->numel, lw_chunk(to)));
  free(idx);
}

/* trans: result element at coordinates c comes from source coordinates c permuted. */
static void lower_trans(Lower *L, IrOp *op) {
  const IrType *ti = op->opnds[0]->type, *to = op->res[0]->type;
  int64_t sstride[IR_MAX_RANK], st = 1;
  for (int d = ti->rank - 1; d >= 0; d--) {
    sstride[d] = st;
    st *= ti->shape[d];
  }
  int64_t *idx = malloc(sizeof(int64_t) * (size_t)to->numel);
  for (int64_t lin = 0; lin < to->numel; lin++) {
    int64_t rem = lin, src = 0;
    for (int d = to->rank - 1; d >= 0; d--) {
      src += (rem % to->shape[d]) * sstride[(op->i >> (4 * d)) & 15];
      rem /= to->shape[d];
    }
    idx[lin] = src;
  }
  lw_set(L, op->res[0], regather(L, lw_get(L, op->opnds[0]), lw_chunk(ti), idx, to->numel, lw_chunk(to)));
  free(idx);
}

/* expand_dims and reshape keep the row-major order, and numel (so the chunk width) stays. */
static void lower_expand(Lower *L, IrOp *op) { lw_set(L, op->res[0], lw_get(L, op->opnds[0])); }

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

/* Each chunk of a pointer tile covers consecutive addresses. */
bool cpu_chunk_contiguous(const IrValue *p) {
  const IrType *t = p->type;
  int last = t->rank - 1, w = lw_chunk(t);
  return t->shape[last] >= w && axis_of(p)->contig[last] >= w;
}

static void lower_load(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0];
  const IrType *rt = op->res[0]->type;
  LLVMTypeRef ty = lw_type(L, rt);
  TVal ptr = lw_get(L, p);
  TVal mask = (op->flags & MEM_MASK) ? lw_get(L, op->opnds[1]) : (TVal){0};
  TVal other = (op->flags & MEM_OTHER) ? lw_get(L, op->opnds[2]) : (TVal){0};
  if (!rt->rank) {
    LLVMValueRef v = mask.n ? guarded(L, mask.e[0], ty, ptr.e[0], NULL, other.n ? other.e[0] : NULL)
                            : LLVMBuildLoad2(L->b, ty, ptr.e[0], "");
    lw_set(L, op->res[0], one(L, v));
    return;
  }
  int w = lw_chunk(rt);
  bool contig = cpu_chunk_contiguous(p);
  TVal out = lw_tval(L, ptr.n);
  LLVMValueRef all = LLVMConstAllOnes(LLVMVectorType(L->i1, (unsigned)w)), zero = LLVMConstNull(ty);
  for (int c = 0; c < ptr.n; c++) {
    LLVMValueRef m = mask.n ? mask.e[c] : all, o = other.n ? other.e[c] : zero;
    if (contig) {
      LLVMValueRef base = LLVMBuildExtractElement(L->b, ptr.e[c], lw_i32(L, 0), "");
      if (!mask.n) {
        out.e[c] = LLVMBuildLoad2(L->b, ty, base, "");
        LLVMSetAlignment(out.e[c], (unsigned)dtype_bits(rt->dt) / 8);
        continue;
      }
      LLVMTypeRef over[2] = {ty, L->ptr_g};
      LLVMValueRef args[3] = {base, m, o};
      out.e[c] = lw_intrin(L, "llvm.masked.load", over, 2, args, 3);
    } else {
      LLVMTypeRef over[2] = {ty, LLVMTypeOf(ptr.e[c])};
      LLVMValueRef args[3] = {ptr.e[c], m, o};
      out.e[c] = lw_intrin(L, "llvm.masked.gather", over, 2, args, 3);
    }
  }
  lw_set(L, op->res[0], out);
}

static void lower_store(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0];
  const IrType *pt = p->type;
  TVal ptr = lw_get(L, p), val = lw_get(L, op->opnds[1]);
  TVal mask = (op->flags & MEM_MASK) ? lw_get(L, op->opnds[2]) : (TVal){0};
  if (!pt->rank) {
    if (mask.n) guarded(L, mask.e[0], NULL, ptr.e[0], val.e[0], NULL);
    else LLVMBuildStore(L->b, val.e[0], ptr.e[0]);
    return;
  }
  int w = lw_chunk(pt);
  bool contig = cpu_chunk_contiguous(p);
  LLVMValueRef all = LLVMConstAllOnes(LLVMVectorType(L->i1, (unsigned)w));
  for (int c = 0; c < ptr.n; c++) {
    LLVMValueRef m = mask.n ? mask.e[c] : all;
    if (contig) {
      LLVMValueRef base = LLVMBuildExtractElement(L->b, ptr.e[c], lw_i32(L, 0), "");
      if (!mask.n) {
        LLVMValueRef st = LLVMBuildStore(L->b, val.e[c], base);
        LLVMSetAlignment(st, (unsigned)dtype_bits(pt->pointee->dt) / 8);
        continue;
      }
      LLVMTypeRef over[2] = {LLVMTypeOf(val.e[c]), L->ptr_g};
      LLVMValueRef args[3] = {val.e[c], base, m};
      lw_intrin(L, "llvm.masked.store", over, 2, args, 3);
    } else {
      LLVMTypeRef over[2] = {LLVMTypeOf(val.e[c]), LLVMTypeOf(ptr.e[c])};
      LLVMValueRef args[3] = {val.e[c], ptr.e[c], m};
      lw_intrin(L, "llvm.masked.scatter", over, 2, args, 3);
    }
  }
}

/* Atomics run lane by lane (a program is one thread; ordering is per element anyway). */
static void lower_atomic(Lower *L, IrOp *op) {
  const IrType *rt = op->res[0]->type;
  bool cas = op->kind == OP_ATOMIC_CAS;
  TVal ptr = lw_get(L, op->opnds[0]), a = lw_get(L, op->opnds[1]);
  TVal b = cas ? lw_get(L, op->opnds[2]) : (TVal){0};
  TVal mask = (op->flags & MEM_MASK) ? lw_get(L, op->opnds[2]) : (TVal){0};
  if (!rt->rank) {
    LLVMValueRef m = mask.n ? mask.e[0] : NULL;
    lw_set(L, op->res[0], one(L, cas ? lw_atomic_if(L, op, m, ptr.e[0], b.e[0], a.e[0]) : lw_atomic_if(L, op, m, ptr.e[0], a.e[0], NULL)));
    return;
  }
  int w = lw_chunk(rt);
  TVal out = lw_tval(L, ptr.n);
  for (int c = 0; c < ptr.n; c++) {
    LLVMValueRef v = LLVMGetPoison(lw_type(L, rt));
    for (int i = 0; i < w; i++) {
      LLVMValueRef ix = lw_i32(L, i);
      LLVMValueRef p = LLVMBuildExtractElement(L->b, ptr.e[c], ix, "");
      LLVMValueRef x = LLVMBuildExtractElement(L->b, a.e[c], ix, "");
      LLVMValueRef y = cas ? LLVMBuildExtractElement(L->b, b.e[c], ix, "") : NULL;
      LLVMValueRef m = mask.n ? LLVMBuildExtractElement(L->b, mask.e[c], ix, "") : NULL;
      LLVMValueRef old = cas ? lw_atomic_if(L, op, m, p, y, x) : lw_atomic_if(L, op, m, p, x, NULL);
      v = LLVMBuildInsertElement(L->b, v, old, ix, "");
    }
    out.e[c] = v;
  }
  lw_set(L, op->res[0], out);
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

/* Combines chunks lane-wise as a balanced tree. */
static LLVMValueRef combine_chunks(Lower *L, ReduceKind k, DType dt, LLVMValueRef *v, int n) {
  while (n > 1) {
    for (int i = 0; i < n / 2; i++) v[i] = lw_combine(L, k, dt, v[2 * i], v[2 * i + 1]);
    if (n & 1) v[n / 2] = v[n - 1];
    n = (n + 1) / 2;
  }
  return v[0];
}

/* ---- element-wise paths for combine regions, several inputs and scans ---------------------- */

static LLVMValueRef elem_at(Lower *L, TVal v, int w, int64_t lin) {
  return LLVMBuildExtractElement(L->b, v.e[lin / w], lw_i32(L, lin % w), "");
}

/* Packs numel scalars (row-major) into chunks; a single scalar when the type is rank 0. */
static TVal pack(Lower *L, const IrType *t, LLVMValueRef *e) {
  if (!t->rank) return one(L, e[0]);
  int w = lw_chunk(t);
  TVal out = lw_tval(L, nchunks(t));
  for (int c = 0; c < out.n; c++) {
    LLVMValueRef v = LLVMGetPoison(lw_type(L, t));
    for (int i = 0; i < w; i++) v = LLVMBuildInsertElement(L->b, v, e[(int64_t)c * w + i], lw_i32(L, i), "");
    out.e[c] = v;
  }
  return out;
}

/* Reduce or scan along `axis` element by element, in order, with lw_combine_n. */
static void lower_reduce_scan_elems(Lower *L, IrOp *op) {
  int n = op->nopnds;
  bool scan = op->kind == OP_SCAN, reverse = scan && (op->flags & 1);
  const IrType *ti = op->opnds[0]->type, *tr = op->res[0]->type;
  int ax = (int)op->i, w = lw_chunk(ti);
  int64_t len = ti->shape[ax], inner = 1;
  for (int d = ax + 1; d < ti->rank; d++) inner *= ti->shape[d];
  int64_t lines = ti->numel / len;
  TVal in[8];
  LLVMValueRef *out[8];
  for (int j = 0; j < n; j++) {
    in[j] = lw_get(L, op->opnds[j]);
    out[j] = malloc(sizeof(LLVMValueRef) * (size_t)(scan ? ti->numel : tr->numel));
  }
  for (int64_t line = 0; line < lines; line++) {
    int64_t outer = line / inner, oi = line % inner;
    LLVMValueRef acc[8], x[8], z[8];
    for (int64_t s = 0; s < len; s++) {
      int64_t j = reverse ? len - 1 - s : s;
      int64_t lin = (outer * len + j) * inner + oi;
      for (int k = 0; k < n; k++) x[k] = elem_at(L, in[k], w, lin);
      if (!s) memcpy(acc, x, sizeof(LLVMValueRef) * (size_t)n);
      else {
        lw_combine_n(L, op, acc, x, z);
        memcpy(acc, z, sizeof(LLVMValueRef) * (size_t)n);
      }
      if (scan)
        for (int k = 0; k < n; k++) out[k][lin] = acc[k];
    }
    if (!scan)
      for (int k = 0; k < n; k++) out[k][line] = acc[k];
  }
  for (int j = 0; j < n; j++) {
    lw_set(L, op->res[j], pack(L, op->res[j]->type, out[j]));
    free(out[j]);
  }
}

static void lower_reduce(Lower *L, IrOp *op) {
  if (op->nopnds > 1 || op->i2 == RED_CUSTOM) {
    lower_reduce_scan_elems(L, op);
    return;
  }
  const IrType *ti = op->opnds[0]->type, *tr = op->res[0]->type;
  TVal in = lw_get(L, op->opnds[0]);
  ReduceKind k = (ReduceKind)op->i2;
  DType dt = ti->dt;
  int ax = (int)op->i, wi = lw_chunk(ti);
  int64_t len = ti->shape[ax], inner = 1;
  for (int d = ax + 1; d < ti->rank; d++) inner *= ti->shape[d];
  int64_t nout = tr->numel;
  int wo = tr->rank ? lw_chunk(tr) : 1;
  LLVMValueRef *tmp = malloc(sizeof(LLVMValueRef) * (size_t)(len + in.n + 1));
  TVal out = lw_tval(L, (int)(nout / wo));
  if (tr->rank && inner % wi == 0) {
    /* an outer axis: whole chunks line up, combine them lane-wise */
    for (int q = 0; q < out.n; q++) {
      int64_t o = (int64_t)q * wo, outer = o / inner, oi = o % inner;
      for (int64_t j = 0; j < len; j++) tmp[j] = in.e[((outer * len + j) * inner + oi) / wi];
      out.e[q] = combine_chunks(L, k, dt, tmp, (int)len);
    }
  } else {
    /* the innermost axis (or small tiles): per output element, lane-wise over its chunks
     * when they are whole, element by element otherwise */
    LLVMValueRef *elems = malloc(sizeof(LLVMValueRef) * (size_t)nout);
    for (int64_t o = 0; o < nout; o++) {
      int64_t outer = o / inner, oi = o % inner;
      if (inner == 1 && len % wi == 0) {
        int64_t first = outer * len / wi, cnt = len / wi;
        for (int64_t j = 0; j < cnt; j++) tmp[j] = in.e[first + j];
        elems[o] = reduce_vec(L, k, dt, combine_chunks(L, k, dt, tmp, (int)cnt));
      } else {
        LLVMValueRef acc = NULL;
        for (int64_t j = 0; j < len; j++) {
          int64_t lin = (outer * len + j) * inner + oi;
          LLVMValueRef e = LLVMBuildExtractElement(L->b, in.e[lin / wi], lw_i32(L, lin % wi), "");
          acc = acc ? lw_combine(L, k, dt, acc, e) : e;
        }
        elems[o] = acc;
      }
    }
    if (!tr->rank) out.e[0] = elems[0];
    else
      for (int q = 0; q < out.n; q++) {
        LLVMValueRef v = LLVMGetPoison(lw_type(L, tr));
        for (int i = 0; i < wo; i++) v = LLVMBuildInsertElement(L->b, v, elems[(int64_t)q * wo + i], lw_i32(L, i), "");
        out.e[q] = v;
      }
    free(elems);
  }
  free(tmp);
  lw_set(L, op->res[0], out);
}

/* tl.dot: A and B are spilled to stack buffers (allocated once in the entry block, so a
 * dot inside a loop does not grow the stack); one loop over K then updates every result
 * chunk from gathered rows of A and columns of B. */
typedef struct DotCtx {
  const IrOp *op;
  LLVMValueRef bufa, bufb;
  LLVMValueRef *ia, *ib; /* per chunk: lane indices m*K and n */
  int64_t K, N;
  int w;
} DotCtx;

static LLVMValueRef alloca_entry(Lower *L, LLVMTypeRef t, int64_t n) {
  LLVMBasicBlockRef cur = LLVMGetInsertBlock(L->b);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(L->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(entry);
  if (first) LLVMPositionBuilderBefore(L->b, first);
  else LLVMPositionBuilderAtEnd(L->b, entry);
  LLVMValueRef a = LLVMBuildArrayAlloca(L->b, t, LLVMConstInt(L->i64, (unsigned long long)n, 0), "");
  LLVMSetAlignment(a, 64);
  LLVMPositionBuilderAtEnd(L->b, cur);
  return a;
}

static void spill(Lower *L, TVal v, LLVMValueRef buf, LLVMTypeRef et, int w) {
  for (int c = 0; c < v.n; c++) {
    LLVMValueRef off = LLVMConstInt(L->i64, (unsigned long long)((int64_t)c * w), 0);
    LLVMBuildStore(L->b, v.e[c], LLVMBuildGEP2(L->b, et, buf, &off, 1, ""));
  }
}

static void dot_body(Lower *L, void *ctx, LLVMValueRef k, LLVMValueRef *acc) {
  DotCtx *c = ctx;
  const IrType *ta = c->op->opnds[0]->type;
  LLVMTypeRef et = lw_elem_type(L, ta), vt = LLVMVectorType(et, (unsigned)c->w);
  LLVMValueRef all = LLVMConstAllOnes(LLVMVectorType(L->i1, (unsigned)c->w));
  LLVMValueRef k64 = LLVMBuildSExt(L->b, k, L->i64, "");
  LLVMValueRef kv = cpu_splat(L, k64, c->w), kn = cpu_splat(L, LLVMBuildMul(L->b, k64, LLVMConstInt(L->i64, (unsigned long long)c->N, 0), ""), c->w);
  for (int q = 0; c->ia[q]; q++) {
    LLVMValueRef pa = LLVMBuildGEP2(L->b, et, c->bufa, (LLVMValueRef[]){LLVMBuildAdd(L->b, c->ia[q], kv, "")}, 1, "");
    LLVMValueRef pb = LLVMBuildGEP2(L->b, et, c->bufb, (LLVMValueRef[]){LLVMBuildAdd(L->b, c->ib[q], kn, "")}, 1, "");
    LLVMTypeRef over[2] = {vt, LLVMTypeOf(pa)};
    LLVMValueRef ga[3] = {pa, all, LLVMGetPoison(vt)}, gb[3] = {pb, all, LLVMGetPoison(vt)};
    LLVMValueRef a = lw_intrin(L, "llvm.masked.gather", over, 2, ga, 3);
    LLVMValueRef b = lw_intrin(L, "llvm.masked.gather", over, 2, gb, 3);
    acc[q] = lw_mac(L, c->op, a, b, acc[q]);
  }
}

static void lower_dot(Lower *L, IrOp *op) {
  const IrType *ta = op->opnds[0]->type, *tb = op->opnds[1]->type, *tr = op->res[0]->type;
  LLVMTypeRef et = lw_elem_type(L, ta);
  DotCtx c = {.op = op, .K = ta->shape[1], .N = tb->shape[1], .w = lw_chunk(tr)};
  c.bufa = alloca_entry(L, et, ta->numel);
  c.bufb = alloca_entry(L, et, tb->numel);
  spill(L, lw_get(L, op->opnds[0]), c.bufa, et, lw_chunk(ta));
  spill(L, lw_get(L, op->opnds[1]), c.bufb, et, lw_chunk(tb));
  TVal acc0 = lw_get(L, op->opnds[2]);
  int nq = nchunks(tr);
  c.ia = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)(nq + 1));
  c.ib = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)(nq + 1));
  TVal acc = lw_tval(L, nq);
  for (int q = 0; q < nq; q++) {
    LLVMValueRef ma[CPU_CHUNK], nb[CPU_CHUNK];
    for (int i = 0; i < c.w; i++) {
      int64_t lin = (int64_t)q * c.w + i;
      ma[i] = LLVMConstInt(L->i64, (unsigned long long)(lin / c.N * c.K), 0);
      nb[i] = LLVMConstInt(L->i64, (unsigned long long)(lin % c.N), 0);
    }
    c.ia[q] = LLVMConstVector(ma, (unsigned)c.w);
    c.ib[q] = LLVMConstVector(nb, (unsigned)c.w);
    acc.e[q] = acc0.e[q];
  }
  lw_counted_loop(L, c.K, acc.e, nq, dot_body, &c);
  lw_set(L, op->res[0], acc);
}

bool cpu_lower_op(Lower *L, IrOp *op) {
  if (cpu_mem_op(L, op)) return true; /* large tiles: lower_cpu_loop.c */
  switch (op->kind) {
  case OP_CONST: lower_const(L, op); return true;
  case OP_ARANGE: lower_arange(L, op); return true;
  case OP_SPLAT: lower_splat(L, op); return true;
  case OP_EXPAND_DIMS: case OP_RESHAPE: lower_expand(L, op); return true;
  case OP_TRANS: lower_trans(L, op); return true;
  case OP_BROADCAST: lower_broadcast(L, op); return true;
  case OP_LOAD: lower_load(L, op); return true;
  case OP_STORE: lower_store(L, op); return true;
  case OP_REDUCE: lower_reduce(L, op); return true;
  case OP_SCAN: lower_reduce_scan_elems(L, op); return true;
  case OP_DOT: lower_dot(L, op); return true;
  case OP_ATOMIC_RMW: case OP_ATOMIC_CAS: lower_atomic(L, op); return true;
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
  cpu_mem_plan(L);
}
