/*
 * kl_div.c — the KL divergence op (include/liger/ops.h; kernels in kernels/kl_div.py).
 *
 * Forward: kl_div_fwd, a program per row (elements into the output for NONE, else row sums
 * into fp32 scratch of 4 bytes a row), then kl_div_reduce (one program, a fixed order) for
 * SUM / MEAN / BATCHMEAN. Backward: kl_div_bwd, a program per row. No host synchronisation.
 */
#include "op.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kl_file = "kl_div.py";

enum {
  KL_SMALL_BLOCK = 1024, /* the reduce kernel's tile */
  KL_PER_THREAD = 16,    /* elements of a chunk per thread (4 x 128-bit loads of fp32) */
  KL_CHUNK = 4096        /* the chunk: at 8 warps and ~90 registers, two or three programs
                            (rows) share an SM, so one's end-of-row reduction hides behind
                            the other's loads (one pass a row: nothing to keep in L2) */
};

static const char *kl_bool(bool v) { return v ? "True" : "False"; }

static bool kl_same_shape(const DLTensor *a, const DLTensor *b) {
  if (a->ndim != b->ndim) return false;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return false;
  return true;
}

/* A row view of the same shape as ref, any float dtype. */
static liger_status kl_rows_shaped(const OpCall *c, const char *name, const DLTensor *t, const OpTensor *ref,
                                   OpTensor *out) {
  liger_status st = op_rows(c, name, t, out);
  if (st) return st;
  if (!kl_same_shape(t, ref->t))
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %lld x %lld elements (as rows); expected the shape of %s (%lld x %lld)",
                   name, (long long)out->rows, (long long)out->cols, ref->name, (long long)ref->rows,
                   (long long)ref->cols);
  return LIGER_OK;
}

static liger_status kl_reduction(const OpCall *c, liger_kl_reduction r) {
  if (r == LIGER_KL_REDUCTION_NONE || r == LIGER_KL_REDUCTION_SUM || r == LIGER_KL_REDUCTION_MEAN ||
      r == LIGER_KL_REDUCTION_BATCHMEAN)
    return LIGER_OK;
  return op_fail(c, LIGER_ERR_INVALID_ARG,
                 "reduction %d is not a liger_kl_reduction (NONE 0, SUM 1, MEAN 2, BATCHMEAN 3)", (int)r);
}

/* 1, 1/BT (batchmean) or 1/(BT*V) (mean). */
static float kl_scale(liger_kl_reduction r, int64_t rows, int64_t cols) {
  if (r == LIGER_KL_REDUCTION_BATCHMEAN) return (float)(1.0 / (double)rows);
  if (r == LIGER_KL_REDUCTION_MEAN) return (float)(1.0 / ((double)rows * (double)cols));
  return 1.0f;
}

liger_status liger_kl_div_forward(liger_context *ctx, void *stream, const DLTensor *y_pred, const DLTensor *y_true,
                                  DLTensor *loss, liger_kl_reduction reduction, int log_target, float eps) {
  OpCall c;
  OpTensor P, T, L;
  liger_status st;
  if ((st = op_start(&c, "liger_kl_div_forward", ctx, stream)) || (st = kl_reduction(&c, reduction)) ||
      (st = op_rows(&c, "y_pred", y_pred, &P)) || (st = kl_rows_shaped(&c, "y_true", y_true, &P, &T)))
    return st;
  if (!(eps >= 0 && isfinite(eps)))
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "eps (%g) must be finite and >= 0", eps);
  bool none = reduction == LIGER_KL_REDUCTION_NONE;
  if (none) st = kl_rows_shaped(&c, "loss", loss, &P, &L);
  else st = op_per_row(&c, "loss", loss, 1, &L);
  if (st || (st = op_dtype_in(&c, &L, LIGER_F32, P.dtype, "y_pred's dtype"))) return st;
  const OpTensor *outs[] = {&L}, *ins[] = {&P, &T};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 2))) return st;
  if (P.rows == 0 && none) return LIGER_OK;

  /* planned before the scratch is held: a runtime tuning of the plan (LIGER_TUNE) calls
   * this op again on the same stream */
  int block = 0, warps = 0;
  if (P.rows > 0) op_chunk_plan(&c, P.cols, KL_CHUNK, KL_PER_THREAD, &block, &warps);
  void *part = NULL;
  OpScratch *hold = NULL;
  if (!none && P.rows > 0 && (st = op_scratch_get(&c, (size_t)P.rows * 4, &part, &hold))) return st;
  liger_kernel *k;
  if (P.rows > 0) {
    char bs[16];
    snprintf(bs, sizeof bs, "%d", block);
    liger_constexpr kc[] = {{"LOG_TARGET", kl_bool(log_target)}, {"NONE", kl_bool(none)}, {"BLOCK", bs}};
    if (!(st = op_kernel(&c, kl_file, "kl_div_fwd", kc, 3, warps, &k))) {
      liger_arg lp = none ? op_ptr(&L) : liger_arg_ptr(part, LIGER_F32);
      liger_arg a[] = {op_ptr(&P), op_i64(P.stride), op_ptr(&T), op_i64(T.stride), lp, op_i64(none ? L.stride : 0),
                       op_i64(P.cols), liger_arg_float(eps)};
      st = op_launch(&c, k, (uint32_t)P.rows, 1, a, 8);
    }
  }
  if (!st && !none) {
    char small[16];
    snprintf(small, sizeof small, "%d", KL_SMALL_BLOCK);
    liger_constexpr kc[] = {{"BLOCK", small}};
    if (!(st = op_kernel(&c, kl_file, "kl_div_reduce", kc, 1, 4, &k))) {
      /* no rows: the sum of nothing is 0 (batchmean and mean of nothing too: the scale is
       * never infinite because nothing is read) */
      liger_arg a[] = {op_ptr(&L), liger_arg_ptr(part ? part : L.data, LIGER_F32), op_i64(P.rows),
                       liger_arg_float(P.rows ? kl_scale(reduction, P.rows, P.cols) : 0.0f)};
      st = op_launch(&c, k, 1, 1, a, 4);
    }
  }
  op_scratch_put(hold);
  return st;
}

liger_status liger_kl_div_backward(liger_context *ctx, void *stream, const DLTensor *y_true,
                                   const DLTensor *grad_output, DLTensor *grad_pred, liger_kl_reduction reduction,
                                   int log_target) {
  OpCall c;
  OpTensor T, G, D;
  liger_status st;
  if ((st = op_start(&c, "liger_kl_div_backward", ctx, stream)) || (st = kl_reduction(&c, reduction)) ||
      (st = op_rows(&c, "y_true", y_true, &T)) || (st = kl_rows_shaped(&c, "grad_pred", grad_pred, &T, &D)))
    return st;
  bool none = reduction == LIGER_KL_REDUCTION_NONE;
  memset(&G, 0, sizeof G);
  G.name = "grad_output";
  if (grad_output) {
    if (none) st = kl_rows_shaped(&c, "grad_output", grad_output, &T, &G);
    else st = op_per_row(&c, "grad_output", grad_output, 1, &G);
    if (st) return st;
  }
  const OpTensor *outs[] = {&D}, *ins[] = {&T, &G};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 2))) return st;
  if (T.rows == 0) return LIGER_OK;

  int block, warps;
  op_chunk_plan(&c, T.cols, KL_CHUNK, KL_PER_THREAD, &block, &warps);
  char bs[16];
  snprintf(bs, sizeof bs, "%d", block);
  bool has_g = G.t != NULL, full = has_g && none;
  liger_constexpr kc[] = {{"LOG_TARGET", kl_bool(log_target)}, {"HAS_G", kl_bool(has_g)}, {"G_FULL", kl_bool(full)},
                          {"BLOCK", bs}};
  liger_kernel *k;
  if ((st = op_kernel(&c, kl_file, "kl_div_bwd", kc, 4, warps, &k))) return st;
  liger_arg a[] = {op_ptr(&D), op_i64(D.stride), op_ptr(&T), op_i64(T.stride),
                   has_g ? op_ptr(&G) : liger_arg_ptr(T.data, LIGER_F32), op_i64(full ? G.stride : 0), op_i64(T.cols),
                   liger_arg_float(kl_scale(reduction, T.rows, T.cols))};
  return op_launch(&c, k, (uint32_t)T.rows, 1, a, 8);
}
