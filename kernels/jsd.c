/*
 * jsd.c — the generalised JSD op (include/liger/ops.h; kernels in kernels/jsd.py).
 *
 * Forward, up to three launches on the caller's stream:
 *   jsd_stats   (one program, with labels) 1 / n_non_ignore into scratch
 *   jsd_fwd     (a program per row) the gradient into grad_q, the row's loss into scratch
 *   jsd_reduce  (one program) the loss, summed in a fixed order and scaled
 * Scratch (per stream, kernels/op.c): [stats 256 B | loss per row], fp32. Backward: jsd_bwd, a
 * program per row scaling grad_q in place. Nothing here synchronises the stream.
 */
#include "op.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const jsd_file = "jsd.py";

enum {
  JSD_SMALL_BLOCK = 1024, /* the one-program kernels' tile */
  JSD_STATS_BYTES = 256,  /* the stats' share of the scratch */
  JSD_PER_THREAD = 16,    /* elements of a chunk per thread */
  JSD_CHUNK = 4096        /* the chunk (8 warps): as kl_div.c's KL_CHUNK */
};

static const char *jsd_bool(bool v) { return v ? "True" : "False"; }

/* labels: int64 or int32, one per row, compact (validated as a float tensor of the same
 * shape by op_per_row, then retyped). */
static liger_status jsd_labels(const OpCall *c, const DLTensor *t, int64_t rows, OpTensor *out) {
  DLDataType d = t->dtype;
  if (d.code != kDLInt || (d.bits != 64 && d.bits != 32) || d.lanes != 1)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "labels has dtype code %d bits %d lanes %d; expected int64 or int32",
                   d.code, d.bits, d.lanes);
  DLTensor shadow = *t;
  shadow.dtype = (DLDataType){kDLFloat, 32, 1};
  liger_status st = op_per_row(c, "labels", &shadow, rows, out);
  if (st) return st;
  out->t = t;
  out->dtype = d.bits == 64 ? LIGER_I64 : LIGER_I32;
  if ((uintptr_t)out->data % (d.bits / 8))
    return op_fail(c, LIGER_ERR_INVALID_ARG, "labels' data (+ byte_offset) is not aligned to its %d-byte elements",
                   d.bits / 8);
  out->hi = out->lo + (uintptr_t)(rows * (d.bits / 8));
  return LIGER_OK;
}

liger_status liger_jsd_forward(liger_context *ctx, void *stream, const DLTensor *log_q, const DLTensor *log_p,
                               const DLTensor *labels, DLTensor *loss, DLTensor *grad_q, float beta,
                               int64_t ignore_index) {
  OpCall c;
  OpTensor X, Y, Lab, L, D;
  liger_status st;
  if ((st = op_start(&c, "liger_jsd_forward", ctx, stream)) || (st = op_rows(&c, "log_q", log_q, &X)) ||
      (st = op_rows(&c, "log_p", log_p, &Y)))
    return st;
  if (Y.rows != X.rows || Y.cols != X.cols)
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "log_p has %lld rows of %lld; expected %lld rows of %lld like log_q",
                   (long long)Y.rows, (long long)Y.cols, (long long)X.rows, (long long)X.cols);
  if (!(beta >= 0 && beta <= 1))
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "beta (%g) must be in [0, 1]", beta);
  memset(&Lab, 0, sizeof Lab);
  Lab.name = "labels";
  if (labels && (st = jsd_labels(&c, labels, X.rows, &Lab))) return st;
  if ((st = op_per_row(&c, "loss", loss, 1, &L)) || (st = op_dtype_in(&c, &L, LIGER_F32, X.dtype, "log_q's dtype")))
    return st;
  memset(&D, 0, sizeof D);
  D.name = "grad_q";
  if (grad_q && (st = op_rows_like(&c, "grad_q", grad_q, &X, &D))) return st;
  const OpTensor *outs[] = {&L, &D}, *ins[] = {&X, &Y, &Lab};
  if ((st = op_check_overlaps(&c, outs, 2, ins, 3))) return st;

  bool has_label = Lab.t != NULL, grad = D.t != NULL;
  /* planned before the scratch is held: a runtime tuning of the plan (LIGER_TUNE) calls
   * this op again on the same stream */
  int block = 0, warps = 0;
  if (X.rows > 0) op_chunk_plan(&c, X.cols, JSD_CHUNK, JSD_PER_THREAD, &block, &warps);
  size_t need = JSD_STATS_BYTES + (size_t)X.rows * 4;
  void *scratch = NULL;
  OpScratch *hold = NULL;
  if ((st = op_scratch_get(&c, need, &scratch, &hold))) return st;
  char *part = (char *)scratch + JSD_STATS_BYTES;
  float scale = X.rows ? (float)(1.0 / (double)X.rows) : 0.0f;
  liger_arg stats = liger_arg_ptr(scratch, LIGER_F32);
  liger_arg lab = has_label ? op_ptr(&Lab) : liger_arg_ptr(scratch, LIGER_I64); /* never read without labels */
  char small[16];
  snprintf(small, sizeof small, "%d", JSD_SMALL_BLOCK);
  liger_kernel *k;

  if (has_label && X.rows > 0) {
    liger_constexpr kc[] = {{"BLOCK", small}};
    if (!(st = op_kernel(&c, jsd_file, "jsd_stats", kc, 1, 4, &k))) {
      liger_arg a[] = {stats, lab, op_i64(X.rows), op_i64(ignore_index)};
      st = op_launch(&c, k, 1, 1, a, 4);
    }
  }
  if (!st && X.rows > 0) {
    char bs[16];
    snprintf(bs, sizeof bs, "%d", block);
    const char *mode = beta == 0 ? "1" : beta == 1 ? "2" : "0";
    liger_constexpr kc[] = {{"MODE", mode}, {"HAS_LABEL", jsd_bool(has_label)}, {"GRAD", jsd_bool(grad)}, {"BLOCK", bs}};
    if (!(st = op_kernel(&c, jsd_file, "jsd_fwd", kc, 4, warps, &k))) {
      liger_arg a[] = {op_ptr(&X), op_i64(X.stride), op_ptr(&Y), op_i64(Y.stride),
                       grad ? op_ptr(&D) : liger_arg_ptr(part, LIGER_F32), op_i64(grad ? D.stride : 0),
                       liger_arg_ptr(part, LIGER_F32), lab, stats, op_i64(X.cols), op_i64(ignore_index),
                       liger_arg_float(beta), liger_arg_float(scale)};
      st = op_launch(&c, k, (uint32_t)X.rows, 1, a, 13);
    }
  }
  if (!st) {
    liger_constexpr kc[] = {{"HAS_LABEL", jsd_bool(has_label && X.rows > 0)}, {"BLOCK", small}};
    if (!(st = op_kernel(&c, jsd_file, "jsd_reduce", kc, 2, 4, &k))) {
      liger_arg a[] = {op_ptr(&L), liger_arg_ptr(part, LIGER_F32), stats, op_i64(X.rows), liger_arg_float(scale)};
      st = op_launch(&c, k, 1, 1, a, 5);
    }
  }
  op_scratch_put(hold);
  return st;
}

liger_status liger_jsd_backward(liger_context *ctx, void *stream, DLTensor *grad_q, const DLTensor *grad_output) {
  OpCall c;
  OpTensor D, G;
  liger_status st;
  if ((st = op_start(&c, "liger_jsd_backward", ctx, stream)) || (st = op_rows(&c, "grad_q", grad_q, &D))) return st;
  if (!grad_output) return LIGER_OK; /* a factor of 1 */
  if ((st = op_per_row(&c, "grad_output", grad_output, 1, &G))) return st;
  const OpTensor *outs[] = {&D}, *ins[] = {&G};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 1))) return st;
  if (D.rows == 0) return LIGER_OK;
  int block, warps;
  op_chunk_plan(&c, D.cols, JSD_CHUNK, JSD_PER_THREAD, &block, &warps);
  char bs[16];
  snprintf(bs, sizeof bs, "%d", block);
  liger_constexpr kc[] = {{"BLOCK", bs}};
  liger_kernel *k;
  if ((st = op_kernel(&c, jsd_file, "jsd_bwd", kc, 1, warps, &k))) return st;
  liger_arg a[] = {op_ptr(&D), op_i64(D.stride), op_ptr(&G), op_i64(D.cols)};
  return op_launch(&c, k, (uint32_t)D.rows, 1, a, 4);
}
