/*
 * cross_entropy.c — the CrossEntropy op (include/liger/ops.h; kernels in kernels/cross_entropy.py).
 *
 * Forward, up to three launches on the caller's stream:
 *   cross_entropy_stats   (one program) 1/n and 1/Wn for 'mean', sum(w) for weighted smoothing,
 *                         into scratch; skipped when nothing needs them
 *   cross_entropy_fwd     (a program per row) loss, z-loss and the gradient over the logits
 *   cross_entropy_reduce  (one program) 'sum' / 'mean' of the per-row fp32 scratch
 * Scratch (per stream, kernels/op.c): [stats 256 B | ce per row | z per row], fp32. Backward:
 * cross_entropy_bwd, a program per row. Nothing here synchronises the stream, except
 * check_targets.
 */
#include "op.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ce_file = "cross_entropy.py";

enum {
  CE_BLOCK = 16384,      /* chunk of a row in the forward: 16 elements a thread (2 x 128 bits) */
  CE_WARPS = 32,         /* its num_warps (16 on wave64): one row per SM keeps rows in L2 */
  CE_BWD_BLOCK = 4096,   /* chunk of the backward (8 warps: 16 elements a thread) */
  CE_SMALL_BLOCK = 1024, /* the one-program kernels' tile */
  CE_STATS_BYTES = 256,  /* the stats' share of the scratch */
};

static const liger_ce_options ce_defaults = LIGER_CE_OPTIONS_INIT;

static int64_t ce_np2(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

/* The forward's chunk and warps: CE_BLOCK and CE_WARPS, half the chunk with label smoothing
 * (its per-lane sum would spill: ptxas, sm_90), cut down for short rows (the chunk to
 * np2(V), the warps to about 16 elements a thread); a config's `chunk` and `warps`
 * (LIGER_OPS_CONFIG, the tuning database) override them (read through op_plan_rows, whose
 * looped form takes them as they are). */
static void ce_plan(const OpCall *c, int64_t cols, bool smoothing, int *block, int *warps) {
  OpPlan p = op_plan_rows(c, 1, (int64_t)1 << 40, OP_PLAN_FWD);
  int64_t b = p.chunk_set ? p.block_n : smoothing ? CE_BLOCK / 2 : CE_BLOCK;
  if (b > ce_np2(cols)) b = ce_np2(cols);
  int w = CE_WARPS;
  while (w > 1 && (int64_t)w * 32 * 16 > b) w >>= 1;
  int cap = op_num_warps(c, 32768); /* 32, or 16 on wave64 */
  if (w > cap) w = cap;
  if (p.warps_set) w = p.num_warps;
  *block = (int)b;
  *warps = w;
}

/* target: int64 or int32, one per row, compact, on the context's device. Validated as a float
 * tensor of the same shape (op_per_row checks device, count and layout), then retyped. */
static liger_status ce_target(const OpCall *c, const DLTensor *t, int64_t rows, OpTensor *out) {
  if (!t) return op_fail(c, LIGER_ERR_INVALID_ARG, "target is NULL");
  DLDataType d = t->dtype;
  if (d.code != kDLInt || (d.bits != 64 && d.bits != 32) || d.lanes != 1) {
    char name[48];
    if (d.code == kDLFloat || d.code == kDLBfloat || d.code == kDLInt || d.code == kDLUInt)
      snprintf(name, sizeof name, "%s%d%s", d.code == kDLFloat ? "float" : d.code == kDLBfloat ? "bfloat"
                                             : d.code == kDLInt ? "int" : "uint", d.bits, d.lanes != 1 ? "xN" : "");
    else
      snprintf(name, sizeof name, "code %d bits %d", d.code, d.bits);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "target has dtype %s; expected int64 or int32 class indices", name);
  }
  DLTensor shadow = *t;
  shadow.dtype = (DLDataType){kDLFloat, 32, 1};
  liger_status st = op_per_row(c, "target", &shadow, rows, out);
  if (st) return st;
  out->t = t;
  out->dtype = d.bits == 64 ? LIGER_I64 : LIGER_I32;
  if ((uintptr_t)out->data % (d.bits / 8))
    return op_fail(c, LIGER_ERR_INVALID_ARG, "target's data (+ byte_offset) is not aligned to its %d-byte elements",
                   d.bits / 8);
  out->hi = out->lo + (uintptr_t)(rows * (d.bits / 8));
  return LIGER_OK;
}

static liger_status ce_options(const OpCall *c, const liger_ce_options *o) {
  if (o->reduction != LIGER_CE_REDUCTION_NONE && o->reduction != LIGER_CE_REDUCTION_SUM &&
      o->reduction != LIGER_CE_REDUCTION_MEAN)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "reduction %d is not a liger_ce_reduction (NONE 0, SUM 1, MEAN 2)",
                   (int)o->reduction);
  if (!(o->label_smoothing >= 0 && o->label_smoothing <= 1))
    return op_fail(c, LIGER_ERR_INVALID_ARG, "label_smoothing (%g) must be in [0, 1]", o->label_smoothing);
  if (!isfinite(o->lse_square_scale))
    return op_fail(c, LIGER_ERR_INVALID_ARG, "lse_square_scale (%g) must be finite", o->lse_square_scale);
  if (!(o->softcap == 0 || (o->softcap > 0 && isfinite(o->softcap))))
    return op_fail(c, LIGER_ERR_INVALID_ARG, "softcap (%g) must be 0 (off) or a finite value > 0", o->softcap);
  return LIGER_OK;
}

/* check_targets: every target is ignore_index or in [0, V). Waits for the stream first. */
static liger_status ce_check_targets(const OpCall *c, const OpTensor *T, int64_t rows, int64_t cols,
                                     int64_t ignore_index) {
  size_t es = T->dtype == LIGER_I64 ? 8 : 4, bytes = (size_t)rows * es;
  unsigned char *h = malloc(bytes ? bytes : 1);
  if (!h) return op_fail(c, LIGER_ERR_OUT_OF_MEMORY, "out of memory (%zu bytes for check_targets)", bytes);
  liger_status st = liger_synchronize(c->ctx, c->stream);
  if (!st) st = liger_memcpy_dtoh(c->ctx, h, T->data, bytes);
  if (st) {
    free(h);
    return op_fail(c, st, "check_targets: reading the targets: %s", liger_last_error());
  }
  for (int64_t i = 0; i < rows; i++) {
    int64_t v;
    if (es == 8) memcpy(&v, h + i * 8, 8);
    else {
      int32_t v32;
      memcpy(&v32, h + i * 4, 4);
      v = v32;
    }
    if (v != ignore_index && (v < 0 || v >= cols)) {
      free(h);
      return op_fail(c, LIGER_ERR_INVALID_ARG, "target[%lld] = %lld is out of bounds: expected a class in [0, %lld) or "
                     "ignore_index (%lld)", (long long)i, (long long)v, (long long)cols, (long long)ignore_index);
    }
  }
  free(h);
  return LIGER_OK;
}

static const char *ce_bool(bool v) { return v ? "True" : "False"; }

liger_status liger_cross_entropy_forward(liger_context *ctx, void *stream, DLTensor *logits, const DLTensor *target,
                                         const DLTensor *weight, DLTensor *loss, DLTensor *z_loss,
                                         const liger_ce_options *opts) {
  OpCall c;
  OpTensor X, T, W, L, Z;
  liger_status st;
  const liger_ce_options *o = opts ? opts : &ce_defaults;
  if ((st = op_start(&c, "liger_cross_entropy_forward", ctx, stream)) || (st = ce_options(&c, o)) ||
      (st = op_rows(&c, "logits", logits, &X)) || (st = ce_target(&c, target, X.rows, &T)) ||
      (st = op_vector(&c, "weight", weight, X.cols, true, &W)))
    return st;
  bool reduce = o->reduction != LIGER_CE_REDUCTION_NONE, mean = o->reduction == LIGER_CE_REDUCTION_MEAN;
  int64_t nout = reduce ? 1 : X.rows; /* elements of loss and z_loss */
  if ((st = op_per_row(&c, "loss", loss, nout, &L)) || (st = op_dtype_in(&c, &L, LIGER_F32, X.dtype, "logits' dtype")))
    return st;
  if (z_loss) {
    if ((st = op_per_row(&c, "z_loss", z_loss, nout, &Z)) ||
        (st = op_dtype_in(&c, &Z, LIGER_F32, X.dtype, "logits' dtype")))
      return st;
  } else {
    memset(&Z, 0, sizeof Z);
    Z.name = "z_loss";
  }
  bool grad = o->grad != 0;
  if (grad) {
    const OpTensor *outs[] = {&X, &L, &Z}, *ins[] = {&T, &W};
    st = op_check_overlaps(&c, outs, 3, ins, 2);
  } else {
    const OpTensor *outs[] = {&L, &Z}, *ins[] = {&X, &T, &W};
    st = op_check_overlaps(&c, outs, 2, ins, 3);
  }
  if (st) return st;
  if (o->check_targets && (st = ce_check_targets(&c, &T, X.rows, X.cols, o->ignore_index))) return st;

  bool has_w = W.t != NULL, smooth = o->label_smoothing > 0, has_z = o->lse_square_scale != 0;
  bool softcap = o->softcap > 0, store_z = Z.t != NULL;
  bool need_stats = X.rows > 0 && (mean || (has_w && smooth));
  if (X.rows == 0 && !reduce) return LIGER_OK;

  /* planned before the scratch is held: a runtime tuning of the plan (LIGER_TUNE) calls
   * this op again on the same stream */
  int block = 0, warps = 0;
  if (X.rows > 0) ce_plan(&c, X.cols, smooth, &block, &warps);
  /* scratch: stats, then the per-row ce and z for the reductions */
  size_t need = (need_stats ? CE_STATS_BYTES : 0) + (reduce ? (size_t)X.rows * 8 : 0);
  void *scratch = NULL;
  OpScratch *hold = NULL;
  if (need && (st = op_scratch_get(&c, need, &scratch, &hold))) return st;
  liger_arg stats = liger_arg_ptr(need_stats ? scratch : X.data, LIGER_F32); /* X: a placeholder, never read */
  char *part = need_stats ? (char *)scratch + CE_STATS_BYTES : (char *)scratch;
  liger_arg wp = has_w ? op_ptr(&W) : liger_arg_ptr(X.data, LIGER_F32);
  char small[16];
  snprintf(small, sizeof small, "%d", CE_SMALL_BLOCK);
  liger_kernel *kern;

  if (need_stats) {
    liger_constexpr k[] = {{"HAS_WEIGHT", ce_bool(has_w)}, {"WEIGHT_SUM", ce_bool(has_w && smooth)}, {"BLOCK", small}};
    if (!(st = op_kernel(&c, ce_file, "cross_entropy_stats", k, 3, 4, &kern))) {
      liger_arg a[] = {stats, op_ptr(&T), wp, op_i64(X.rows), op_i64(X.cols), op_i64(o->ignore_index)};
      st = op_launch(&c, kern, 1, 1, a, 6);
    }
  }
  if (!st && X.rows > 0) {
    char bs[16];
    snprintf(bs, sizeof bs, "%d", block);
    liger_constexpr k[] = {{"HAS_WEIGHT", ce_bool(has_w)}, {"HAS_SMOOTHING", ce_bool(smooth)},
                           {"HAS_Z", ce_bool(has_z)},        {"HAS_SOFTCAP", ce_bool(softcap)},
                           {"MEAN", ce_bool(mean)},          {"SPLIT", ce_bool(reduce)},
                           {"STORE_Z", ce_bool(reduce || store_z)}, {"GRAD", ce_bool(grad)},
                           {"BLOCK", bs}};
    if (!(st = op_kernel(&c, ce_file, "cross_entropy_fwd", k, 9, warps, &kern))) {
      liger_arg lp = reduce ? liger_arg_ptr(part, LIGER_F32) : op_ptr(&L);
      liger_arg zp = reduce ? liger_arg_ptr(part + X.rows * 4, LIGER_F32) : store_z ? op_ptr(&Z) : lp;
      float eps = (float)((double)o->label_smoothing / (double)X.cols);
      float inv_softcap = softcap ? (float)(1.0 / (double)o->softcap) : 0.0f;
      liger_arg a[] = {op_ptr(&X), op_i64(X.stride), op_ptr(&T), wp, lp, zp, stats, op_i64(X.cols),
                       op_i64(o->ignore_index), liger_arg_float(o->label_smoothing), liger_arg_float(eps),
                       liger_arg_float(o->lse_square_scale), liger_arg_float(o->softcap),
                       liger_arg_float(inv_softcap)};
      st = op_launch(&c, kern, (uint32_t)X.rows, 1, a, 14);
    }
  }
  if (!st && reduce) {
    liger_constexpr k[] = {{"MEAN", ce_bool(mean && X.rows > 0)}, {"STORE_Z", ce_bool(store_z)}, {"BLOCK", small}};
    if (!(st = op_kernel(&c, ce_file, "cross_entropy_reduce", k, 3, 4, &kern))) {
      liger_arg pp = liger_arg_ptr(X.rows ? (void *)part : L.data, LIGER_F32); /* no rows: never read */
      liger_arg a[] = {op_ptr(&L), store_z ? op_ptr(&Z) : op_ptr(&L), pp, stats, op_i64(X.rows)};
      st = op_launch(&c, kern, 1, 1, a, 5);
    }
  }
  op_scratch_put(hold);
  return st;
}

liger_status liger_cross_entropy_backward(liger_context *ctx, void *stream, DLTensor *grad_logits,
                                          const DLTensor *grad_output) {
  OpCall c;
  OpTensor X, G;
  liger_status st;
  if ((st = op_start(&c, "liger_cross_entropy_backward", ctx, stream)) ||
      (st = op_rows(&c, "grad_logits", grad_logits, &X)))
    return st;
  if (!grad_output) return LIGER_OK; /* a factor of 1 */
  /* one factor for all rows, or one per row */
  int64_t n = 1;
  for (int i = 0; i < grad_output->ndim && i < 32 && grad_output->shape; i++)
    if (grad_output->shape[i] >= 0 && __builtin_mul_overflow(n, grad_output->shape[i], &n)) n = -1;
  bool per_row = n != 1;
  if ((st = op_per_row(&c, "grad_output", grad_output, per_row ? X.rows : 1, &G))) {
    if (per_row) /* say both choices */
      return op_fail(&c, LIGER_ERR_INVALID_ARG, "grad_output has %lld elements; expected 1 (reduction sum or mean) or "
                     "%lld, one per row (reduction none)", (long long)n, (long long)X.rows);
    return st;
  }
  const OpTensor *outs[] = {&X}, *ins[] = {&G};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 1))) return st;
  if (X.rows == 0) return LIGER_OK;
  int64_t block = ce_np2(X.cols) < CE_BWD_BLOCK ? ce_np2(X.cols) : CE_BWD_BLOCK;
  char bs[24];
  snprintf(bs, sizeof bs, "%lld", (long long)block);
  liger_constexpr k[] = {{"PER_ROW", ce_bool(per_row)}, {"BLOCK", bs}};
  liger_kernel *kern;
  if ((st = op_kernel(&c, ce_file, "cross_entropy_bwd", k, 2, op_num_warps(&c, block), &kern))) return st;
  liger_arg a[] = {op_ptr(&X), op_i64(X.stride), op_ptr(&G), op_i64(X.cols)};
  return op_launch(&c, kern, (uint32_t)X.rows, 1, a, 4);
}
