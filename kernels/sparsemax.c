/*
 * sparsemax.c — the Sparsemax op over the last dimension (include/liger/ops.h; kernels in
 * kernels/sparsemax.py, whose docstring explains how the threshold is found without a
 * sort). Each direction is one launch: sparsemax_fwd / sparsemax_bwd over row tiles
 * (several short rows a program), or sparsemax_fwd_looped / sparsemax_bwd_looped with a
 * program per row for rows longer than a tile (the forward reads such a row 33 times, the
 * backward twice). Another dimension than the last is the caller's transpose.
 */
#include "op.h"

#include <stdio.h>

static const char *const sparsemax_file = "sparsemax.py";

/* The kernel for the plan: BLOCK_M and BLOCK_N for the tile form, BLOCK_N for the looped. */
static liger_status sparsemax_kernel(const OpCall *c, const char *tile, const char *looped, const OpPlan *p,
                                     liger_kernel **k) {
  char bm[16], bn[16];
  snprintf(bm, sizeof bm, "%d", p->block_m);
  snprintf(bn, sizeof bn, "%d", p->block_n);
  liger_constexpr consts[] = {{"BLOCK_N", bn}, {"BLOCK_M", bm}};
  return op_kernel(c, sparsemax_file, p->looped ? looped : tile, consts, p->looped ? 1 : 2, p->num_warps, k);
}

static uint32_t sparsemax_grid(const OpPlan *p, int64_t rows) {
  return (uint32_t)(p->looped ? rows : (rows + p->block_m - 1) / p->block_m);
}

liger_status liger_sparsemax_forward(liger_context *ctx, void *stream, const DLTensor *x, DLTensor *y) {
  OpCall c;
  OpTensor X, Y;
  liger_status st;
  if ((st = op_start(&c, "liger_sparsemax_forward", ctx, stream)) || (st = op_rows(&c, "x", x, &X)) ||
      (st = op_rows_like(&c, "y", y, &X, &Y)))
    return st;
  Y.alias_ok = &X; /* in place */
  const OpTensor *outs[] = {&Y}, *ins[] = {&X};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 1))) return st;
  if (X.rows == 0) return LIGER_OK;

  OpPlan p = op_plan_rows(&c, X.rows, X.cols, OP_PLAN_FWD);
  liger_kernel *k;
  if ((st = sparsemax_kernel(&c, "sparsemax_fwd", "sparsemax_fwd_looped", &p, &k))) return st;
  if (p.looped) {
    liger_arg a[] = {op_ptr(&Y), op_i64(Y.stride), op_ptr(&X), op_i64(X.stride), op_i64(X.cols)};
    return op_launch(&c, k, sparsemax_grid(&p, X.rows), 1, a, 5);
  }
  liger_arg a[] = {op_ptr(&Y), op_i64(Y.stride), op_ptr(&X), op_i64(X.stride), op_i64(X.rows), op_i64(X.cols)};
  return op_launch(&c, k, sparsemax_grid(&p, X.rows), 1, a, 6);
}

liger_status liger_sparsemax_backward(liger_context *ctx, void *stream, const DLTensor *dy, const DLTensor *y,
                                      DLTensor *dx) {
  OpCall c;
  OpTensor DY, Y, DX;
  liger_status st;
  if ((st = op_start(&c, "liger_sparsemax_backward", ctx, stream)) || (st = op_rows(&c, "y", y, &Y)) ||
      (st = op_rows_like(&c, "dy", dy, &Y, &DY)) || (st = op_rows_like(&c, "dx", dx, &Y, &DX)))
    return st;
  DX.alias_ok = &DY; /* in place */
  const OpTensor *outs[] = {&DX}, *ins[] = {&DY, &Y};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 2))) return st;
  if (Y.rows == 0) return LIGER_OK;

  /* the backward plan for its block and warps (dy and y: twice the state); no persistent
   * grid, nothing is summed over rows */
  OpPlan p = op_plan_rows(&c, Y.rows, Y.cols, OP_PLAN_BWD);
  liger_kernel *k;
  if ((st = sparsemax_kernel(&c, "sparsemax_bwd", "sparsemax_bwd_looped", &p, &k))) return st;
  if (p.looped) {
    liger_arg a[] = {op_ptr(&DX), op_i64(DX.stride), op_ptr(&DY), op_i64(DY.stride), op_ptr(&Y), op_i64(Y.stride),
                     op_i64(Y.cols)};
    return op_launch(&c, k, sparsemax_grid(&p, Y.rows), 1, a, 7);
  }
  liger_arg a[] = {op_ptr(&DX), op_i64(DX.stride), op_ptr(&DY), op_i64(DY.stride), op_ptr(&Y), op_i64(Y.stride),
                   op_i64(Y.rows), op_i64(Y.cols)};
  return op_launch(&c, k, sparsemax_grid(&p, Y.rows), 1, a, 8);
}
