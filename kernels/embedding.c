/*
 * embedding.c — the Embedding op (include/liger/ops.h; kernels in kernels/embedding.py):
 * a gather of weight rows by integer ids, and the scatter-add of the output gradient into
 * the weight gradient.
 *
 * forward    one launch of embedding_fwd over [BLOCK_M ids, BLOCK_D columns] tiles
 * backward   embedding_zero (unless accumulating), embedding_fill + embedding_count (the
 *            per-row occurrence count and first occurrence, int32 tables of 8 bytes a
 *            vocabulary row), then embedding_bwd PHASE 0, 1 and (16-bit dW) 2, see
 *            embedding.py. Scratch: the tables, and for 16-bit dW one fp32 row per id for
 *            the sums of repeated ids (only those rows are touched).
 *
 * Block sizes: BLOCK_D = min(np2(D), 1024); BLOCK_M from op_plan_rows on (ids, BLOCK_D),
 * so LIGER_OPS_CONFIG's rows and warps apply, and chunk=N makes BLOCK_D = N (many column
 * blocks, for the tests).
 */
#include "op.h"

#include <stdio.h>

static const char *const emb_file = "embedding.py";

enum {
  EMB_BLOCK_D = 1024,  /* widest column block: 2 KiB of a bf16 row */
  EMB_FILL_BLOCK = 1024,
  EMB_COUNT_BLOCK = 1024,
  EMB_GRID_Y = 65535,  /* column blocks ride on grid axis 1 */
};

static int64_t emb_np2(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

/* The tile of a launch over `rows` (ids, or the vocabulary for the zeroing) x D. */
typedef struct EmbTile {
  int block_m, block_d, num_warps;
  bool even_d;
  uint32_t g0, g1;
} EmbTile;

static EmbTile emb_tile(const OpCall *c, int64_t rows, int64_t d) {
  EmbTile t;
  int64_t bd = emb_np2(d) < EMB_BLOCK_D ? emb_np2(d) : EMB_BLOCK_D;
  OpPlan p = op_plan_rows(c, rows, bd, OP_PLAN_FWD);
  t.block_m = p.block_m;
  t.block_d = p.looped ? p.block_n : (int)bd; /* LIGER_OPS_CONFIG chunk < bd */
  t.num_warps = p.num_warps;
  t.even_d = d % t.block_d == 0;
  t.g0 = (uint32_t)((rows + t.block_m - 1) / t.block_m);
  t.g1 = (uint32_t)((d + t.block_d - 1) / t.block_d);
  return t;
}

static liger_status emb_kernel(const OpCall *c, const char *name, const EmbTile *t, const liger_constexpr *extra,
                               int nextra, liger_kernel **k) {
  char bm[16], bd[16];
  snprintf(bm, sizeof bm, "%d", t->block_m);
  snprintf(bd, sizeof bd, "%d", t->block_d);
  liger_constexpr consts[8] = {{"BLOCK_M", bm}, {"BLOCK_D", bd}, {"EVEN_D", t->even_d ? "True" : "False"}};
  for (int i = 0; i < nextra; i++) consts[3 + i] = extra[i];
  return op_kernel(c, emb_file, name, consts, 3 + nextra, t->num_warps, k);
}

/* The checks both directions share: ids, the (V, D) table `tab` (W or dW), the (ids..., D)
 * rows `rows` (out or dout) shaped like ids plus D, padding_idx. */
static liger_status emb_check(const OpCall *c, const DLTensor *ids, OpTensor *I, const DLTensor *tab, OpTensor *T,
                              const DLTensor *rows, OpTensor *R, int64_t padding_idx) {
  liger_status st;
  if ((st = op_index(c, "ids", ids, I)) || (st = op_rows(c, T->name, tab, T)) || (st = op_rows(c, R->name, rows, R)))
    return st;
  if (tab->ndim != 2)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %d dimensions; expected 2 (num_embeddings, embedding_dim)", T->name,
                   tab->ndim);
  int64_t d = T->cols;
  bool shape_ok = rows->ndim == ids->ndim + 1 && rows->shape[ids->ndim] == d;
  for (int i = 0; shape_ok && i < ids->ndim; i++) shape_ok = rows->shape[i] == ids->shape[i];
  if (!shape_ok) {
    char want[256];
    size_t n = (size_t)snprintf(want, sizeof want, "(");
    for (int i = 0; i < ids->ndim && n < sizeof want; i++) n += (size_t)snprintf(want + n, sizeof want - n, "%lld, ", (long long)ids->shape[i]);
    if (n < sizeof want) snprintf(want + n, sizeof want - n, "%lld)", (long long)d);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has the wrong shape; expected %s: ids' shape, then %s's embedding_dim",
                   R->name, want, T->name);
  }
  if ((st = op_same_dtype(c, R, T))) return st;
  if (I->cols > INT32_MAX - EMB_BLOCK_D)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "ids has %lld elements; at most 2^31 - %d are supported", (long long)I->cols,
                   EMB_BLOCK_D + 1);
  if ((d + 15) / 16 > EMB_GRID_Y)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has an embedding_dim of %lld; at most %d are supported", T->name,
                   (long long)d, EMB_GRID_Y * 16);
  if (padding_idx < -1 || padding_idx >= T->rows)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "padding_idx %lld is not a row of %s (expected -1 for none, or 0 to %lld)",
                   (long long)padding_idx, T->name, (long long)T->rows - 1);
  return LIGER_OK;
}

liger_status liger_embedding_forward(liger_context *ctx, void *stream, const DLTensor *ids, const DLTensor *w,
                                     DLTensor *out, int64_t padding_idx) {
  OpCall c;
  OpTensor I, W = {.name = "w"}, O = {.name = "out"};
  liger_status st;
  if ((st = op_start(&c, "liger_embedding_forward", ctx, stream)) ||
      (st = emb_check(&c, ids, &I, w, &W, out, &O, padding_idx)))
    return st;
  const OpTensor *outs[] = {&O}, *ins[] = {&I, &W};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 2))) return st;
  if (I.cols == 0) return LIGER_OK;

  EmbTile t = emb_tile(&c, I.cols, W.cols);
  if (t.g1 > EMB_GRID_Y)
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "embedding_dim %lld needs %u column blocks; at most %d", (long long)W.cols,
                   t.g1, EMB_GRID_Y);
  liger_kernel *k;
  if ((st = emb_kernel(&c, "embedding_fwd", &t, NULL, 0, &k))) return st;
  liger_arg a[] = {op_ptr(&O),       op_i64(O.stride), op_ptr(&W),       op_i64(W.stride), op_ptr(&I),
                   op_i64(I.cols),   op_i64(W.rows),   op_i64(W.cols),   op_i64(padding_idx)};
  return op_launch(&c, k, t.g0, t.g1, a, 9);
}

liger_status liger_embedding_backward(liger_context *ctx, void *stream, const DLTensor *ids, const DLTensor *dout,
                                      DLTensor *dw, int64_t padding_idx, int accumulate) {
  OpCall c;
  OpTensor I, DW = {.name = "dw"}, DO = {.name = "dout"};
  liger_status st;
  if ((st = op_start(&c, "liger_embedding_backward", ctx, stream)) ||
      (st = emb_check(&c, ids, &I, dw, &DW, dout, &DO, padding_idx)))
    return st;
  const OpTensor *outs[] = {&DW}, *ins[] = {&I, &DO};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 2))) return st;
  int64_t n = I.cols, V = DW.rows, D = DW.cols;
  if (V == 0) return LIGER_OK;

  liger_kernel *k;
  if (!accumulate) { /* dW = 0: a store-only pass over the table */
    EmbTile z = emb_tile(&c, V, D);
    if (z.g1 > EMB_GRID_Y)
      return op_fail(&c, LIGER_ERR_INVALID_ARG, "embedding_dim %lld needs %u column blocks; at most %d", (long long)D,
                     z.g1, EMB_GRID_Y);
    if ((st = emb_kernel(&c, "embedding_zero", &z, NULL, 0, &k))) return st;
    liger_arg a[] = {op_ptr(&DW), op_i64(DW.stride), op_i64(V), op_i64(D)};
    if ((st = op_launch(&c, k, z.g0, z.g1, a, 4))) return st;
  }
  if (n == 0) return LIGER_OK;

  /* scratch: OWN[V], CNT[V] (int32), then ACC[n, D] (fp32) for 16-bit dW */
  bool direct = DW.dtype == LIGER_F32;
  size_t tab = ((size_t)V * 4 + OP_SCRATCH_ALIGN - 1) / OP_SCRATCH_ALIGN * OP_SCRATCH_ALIGN;
  size_t bytes = 2 * tab + (direct ? 0 : (size_t)n * (size_t)D * 4);
  void *scratch;
  OpScratch *hold;
  if ((st = op_scratch_get(&c, bytes, &scratch, &hold))) return st;
  liger_arg own = liger_arg_ptr(scratch, LIGER_I32), cnt = liger_arg_ptr((char *)scratch + tab, LIGER_I32);
  liger_arg acc = liger_arg_ptr(direct ? scratch : (char *)scratch + 2 * tab, LIGER_F32);

  char fb[16], cb[16];
  snprintf(fb, sizeof fb, "%d", EMB_FILL_BLOCK);
  snprintf(cb, sizeof cb, "%d", EMB_COUNT_BLOCK);
  liger_constexpr kf[] = {{"BLOCK", fb}}, kc[] = {{"BLOCK", cb}};
  if (!(st = op_kernel(&c, emb_file, "embedding_fill", kf, 1, 4, &k))) {
    liger_arg a[] = {own, cnt, op_i64(V)};
    st = op_launch(&c, k, (uint32_t)((V + EMB_FILL_BLOCK - 1) / EMB_FILL_BLOCK), 1, a, 3);
  }
  if (!st && !(st = op_kernel(&c, emb_file, "embedding_count", kc, 1, 4, &k))) {
    liger_arg a[] = {op_ptr(&I), own, cnt, op_i64(n), op_i64(V), op_i64(padding_idx)};
    st = op_launch(&c, k, (uint32_t)((n + EMB_COUNT_BLOCK - 1) / EMB_COUNT_BLOCK), 1, a, 6);
  }
  EmbTile t = emb_tile(&c, n, D);
  if (!st && t.g1 > EMB_GRID_Y)
    st = op_fail(&c, LIGER_ERR_INVALID_ARG, "embedding_dim %lld needs %u column blocks; at most %d", (long long)D, t.g1,
                 EMB_GRID_Y);
  for (int phase = 0; !st && phase < (direct ? 2 : 3); phase++) {
    static const char *const ph[] = {"0", "1", "2"};
    liger_constexpr extra[] = {{"PHASE", ph[phase]}, {"ACCUMULATE", accumulate ? "True" : "False"},
                               {"DIRECT", direct ? "True" : "False"}};
    if ((st = emb_kernel(&c, "embedding_bwd", &t, extra, 3, &k))) break;
    liger_arg a[] = {op_ptr(&DW), op_i64(DW.stride), op_ptr(&DO), op_i64(DO.stride), acc, op_ptr(&I),
                     own,         cnt,               op_i64(n),   op_i64(V),         op_i64(D), op_i64(padding_idx)};
    st = op_launch(&c, k, t.g0, t.g1, a, 12);
  }
  op_scratch_put(hold);
  return st;
}
