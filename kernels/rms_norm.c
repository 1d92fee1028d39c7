/*
 * rms_norm.c — the RMSNorm op (include/liger/ops.h; kernels in kernels/rms_norm.py).
 *
 * Forward: one launch, rms_norm_fwd over row tiles, or rms_norm_fwd_looped (a program per
 * row) for rows longer than a tile. Backward, tile form: rms_norm_bwd on a persistent grid
 * writing fp32 dW partials [programs, n] into scratch, then sum_rows into dw. Looped form:
 * rms_norm_bwd_rowsum (a scalar per row into scratch), rms_norm_bwd_looped on a (column
 * chunk, row group) grid, then sum_rows. Without a weight the partials are skipped.
 */
#include "op.h"

#include <math.h>
#include <stdio.h>

static const char *const rms_file = "rms_norm.py";

static liger_status rms_mode(const OpCall *c, liger_rms_cast mode) {
  if (mode == LIGER_RMS_CAST_NONE || mode == LIGER_RMS_CAST_LLAMA || mode == LIGER_RMS_CAST_GEMMA) return LIGER_OK;
  return op_fail(c, LIGER_ERR_INVALID_ARG, "mode %d is not a liger_rms_cast (LLAMA 0, GEMMA 1, NONE -1)", (int)mode);
}

/* The constexprs of an RMSNorm plan, in the order the kernels take prefixes of them: MODE,
 * HAS_W, BLOCK_N (the looped kernels), BLOCK_M (the tile forward), PREFETCH (the tile
 * backward); rowsum takes HAS_W and BLOCK_N. */
typedef struct RmsConsts {
  liger_constexpr k[5];
  char mode[8], bm[16], bn[16];
} RmsConsts;

static void rms_consts(RmsConsts *r, liger_rms_cast mode, bool has_w, const OpPlan *p) {
  snprintf(r->mode, sizeof r->mode, "%d", (int)mode);
  snprintf(r->bm, sizeof r->bm, "%d", p->block_m);
  snprintf(r->bn, sizeof r->bn, "%d", p->block_n);
  r->k[0] = (liger_constexpr){"MODE", r->mode};
  r->k[1] = (liger_constexpr){"HAS_W", has_w ? "True" : "False"};
  r->k[2] = (liger_constexpr){"BLOCK_N", r->bn};
  r->k[3] = (liger_constexpr){"BLOCK_M", r->bm};
  r->k[4] = (liger_constexpr){"PREFETCH", p->prefetch ? "True" : "False"}; /* the tile backward */
}

liger_status liger_rms_norm_forward(liger_context *ctx, void *stream, const DLTensor *x, const DLTensor *w, DLTensor *y,
                                    DLTensor *rstd, float eps, float offset, liger_rms_cast mode) {
  OpCall c;
  OpTensor X, W, Y, R;
  liger_status st;
  if ((st = op_start(&c, "liger_rms_norm_forward", ctx, stream)) || (st = rms_mode(&c, mode)) ||
      (st = op_rows(&c, "x", x, &X)) || (st = op_vector(&c, "w", w, X.cols, true, &W)) ||
      (st = op_rows_like(&c, "y", y, &X, &Y)) || (st = op_per_row(&c, "rstd", rstd, X.rows, &R)) ||
      (st = op_dtype_in(&c, &R, LIGER_F32, X.dtype, "x's dtype")))
    return st;
  if (!isfinite(eps) || !isfinite(offset))
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "eps (%g) and offset (%g) must be finite", eps, offset);
  const OpTensor *outs[] = {&Y, &R}, *ins[] = {&X, &W};
  if ((st = op_check_overlaps(&c, outs, 2, ins, 2))) return st;
  if (X.rows == 0) return LIGER_OK;

  bool has_w = W.t != NULL;
  OpPlan p = op_plan_rows(&c, X.rows, X.cols, OP_PLAN_FWD);
  RmsConsts k;
  rms_consts(&k, mode, has_w, &p);
  liger_kernel *kern;
  if ((st = op_kernel(&c, rms_file, p.looped ? "rms_norm_fwd_looped" : "rms_norm_fwd", k.k, p.looped ? 3 : 4,
                      p.num_warps, &kern)))
    return st;
  liger_arg wp = has_w ? op_ptr(&W) : op_ptr(&X); /* not read without a weight */
  if (p.looped) {
    liger_arg a[] = {op_ptr(&Y), op_i64(Y.stride), op_ptr(&X), op_i64(X.stride), wp, op_ptr(&R),
                     op_i64(X.cols), liger_arg_float(eps), liger_arg_float(offset)};
    return op_launch(&c, kern, (uint32_t)X.rows, 1, a, 9);
  }
  liger_arg a[] = {op_ptr(&Y), op_i64(Y.stride), op_ptr(&X), op_i64(X.stride), wp, op_ptr(&R),
                   op_i64(X.rows), op_i64(X.cols), liger_arg_float(eps), liger_arg_float(offset)};
  return op_launch(&c, kern, (uint32_t)((X.rows + p.block_m - 1) / p.block_m), 1, a, 10);
}

liger_status liger_rms_norm_backward(liger_context *ctx, void *stream, const DLTensor *dy, const DLTensor *x,
                                     const DLTensor *w, const DLTensor *rstd, DLTensor *dx, DLTensor *dw, float offset,
                                     liger_rms_cast mode) {
  OpCall c;
  OpTensor X, DY, DX, W, R, DW;
  liger_status st;
  if ((st = op_start(&c, "liger_rms_norm_backward", ctx, stream)) || (st = rms_mode(&c, mode)) ||
      (st = op_rows(&c, "x", x, &X)) || (st = op_rows_like(&c, "dy", dy, &X, &DY)) ||
      (st = op_rows_like(&c, "dx", dx, &X, &DX)) || (st = op_vector(&c, "w", w, X.cols, true, &W)) ||
      (st = op_per_row(&c, "rstd", rstd, X.rows, &R)) || (st = op_dtype_in(&c, &R, LIGER_F32, X.dtype, "x's dtype")))
    return st;
  if (W.t) {
    if ((st = op_vector(&c, "dw", dw, X.cols, false, &DW)) || (st = op_same_dtype(&c, &DW, &W))) return st;
  } else if (dw) {
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "dw is given but w is NULL; there is no weight gradient without a weight");
  } else {
    op_vector(&c, "dw", NULL, 0, true, &DW);
  }
  if (!isfinite(offset)) return op_fail(&c, LIGER_ERR_INVALID_ARG, "offset (%g) must be finite", offset);
  DX.alias_ok = &DY; /* in place: dx written over dy */
  const OpTensor *outs[] = {&DX, &DW}, *ins[] = {&DY, &X, &W, &R};
  if ((st = op_check_overlaps(&c, outs, 2, ins, 4))) return st;
  bool has_w = W.t != NULL;
  if (X.rows == 0) return has_w ? op_sum_partials(&c, NULL, 0, &DW) : LIGER_OK; /* dw = 0 */

  OpPlan p = op_plan_rows(&c, X.rows, X.cols, OP_PLAN_BWD_SUMS);
  RmsConsts k;
  rms_consts(&k, mode, has_w, &p);
  liger_arg wp = has_w ? op_ptr(&W) : op_ptr(&X);
  liger_kernel *kern;
  if (!p.looped) {
    /* the kernel first: its occupancy sets the persistent grid, which sizes the partials */
    liger_arg a[] = {op_ptr(&DX), op_i64(DX.stride), op_ptr(&DY), op_i64(DY.stride), op_ptr(&X), op_i64(X.stride),
                     wp, op_ptr(&R), op_partials_placeholder(), op_i64(X.rows), op_i64(X.cols), liger_arg_float(offset)};
    if ((st = op_kernel(&c, rms_file, "rms_norm_bwd", k.k, 5, p.num_warps, &kern))) return st;
    const OpTensor *sums[] = {has_w ? &DW : NULL};
    return op_launch_sums(&c, kern, a, 12, &p, X.rows, X.cols, sums, (const int[]){8}, 1);
  }
  /* looped: the row scalars first, then the partial rows */
  size_t srow = ((size_t)X.rows * 4 + OP_SCRATCH_ALIGN - 1) & ~(size_t)(OP_SCRATCH_ALIGN - 1);
  size_t part = has_w ? (size_t)p.programs * (size_t)X.cols * 4 : 0;
  void *scratch = NULL;
  OpScratch *hold = NULL;
  if ((st = op_scratch_get(&c, srow + part, &scratch, &hold))) return st;
  OpTensor S = {.name = "scratch", .data = scratch, .dtype = LIGER_F32};
  liger_arg parts = liger_arg_ptr(has_w ? (char *)scratch + srow : X.data, LIGER_F32); /* not written without w */
  liger_constexpr rk[] = {k.k[1], k.k[2]}; /* HAS_W, BLOCK_N */
  if (!(st = op_kernel(&c, rms_file, "rms_norm_bwd_rowsum", rk, 2, p.num_warps, &kern))) {
    liger_arg a[] = {op_ptr(&S), op_ptr(&DY), op_i64(DY.stride), op_ptr(&X), op_i64(X.stride), wp, op_ptr(&R),
                     op_i64(X.cols), liger_arg_float(offset)};
    st = op_launch(&c, kern, (uint32_t)X.rows, 1, a, 9);
  }
  if (!st && !(st = op_kernel(&c, rms_file, "rms_norm_bwd_looped", k.k, 3, p.num_warps, &kern))) {
    liger_arg a[] = {op_ptr(&DX), op_i64(DX.stride), op_ptr(&DY), op_i64(DY.stride), op_ptr(&X), op_i64(X.stride),
                     wp, op_ptr(&R), op_ptr(&S), parts, op_i64(X.rows), op_i64(X.cols), liger_arg_float(offset)};
    st = op_launch(&c, kern, (uint32_t)((X.cols + p.block_n - 1) / p.block_n), p.programs, a, 13);
  }
  if (!st && has_w) st = op_sum_partials(&c, (char *)scratch + srow, p.programs, &DW);
  op_scratch_put(hold);
  return st;
}
