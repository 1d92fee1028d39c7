/*
 * rowwise.c — the shared host side of Softmax and Sparsemax (kernels/rowwise.h): validation,
 * the plan (row tiles of several short rows a program, or a program per row for rows longer
 * than a tile) and the one launch of each direction.
 */
#include "rowwise.h"

#include <stdio.h>

/* The kernel <prefix>_<dir>[_looped] for the plan: BLOCK_M and BLOCK_N for the tile form,
 * BLOCK_N for the looped one. */
static liger_status rowwise_kernel(const OpCall *c, const RowwiseOp *op, const char *dir, const OpPlan *p,
                                   liger_kernel **k) {
  char name[64], bm[16], bn[16];
  snprintf(name, sizeof name, "%s_%s%s", op->prefix, dir, p->looped ? "_looped" : "");
  snprintf(bm, sizeof bm, "%d", p->block_m);
  snprintf(bn, sizeof bn, "%d", p->block_n);
  liger_constexpr consts[] = {{"BLOCK_N", bn}, {"BLOCK_M", bm}};
  return op_kernel(c, op->file, name, consts, p->looped ? 1 : 2, p->num_warps, k);
}

/* Launches k over the rows: a program per row tile, or per row in the looped form, whose
 * kernels take no n_rows. `a` holds the pointer/stride pairs, then n_rows, then n_cols. */
static liger_status rowwise_launch(const OpCall *c, liger_kernel *k, const OpPlan *p, int64_t rows, liger_arg *a,
                                   int npairs) {
  int n = 2 * npairs;
  if (p->looped) a[n] = a[n + 1]; /* drop n_rows */
  uint32_t grid = (uint32_t)(p->looped ? rows : (rows + p->block_m - 1) / p->block_m);
  return op_launch(c, k, grid, 1, a, p->looped ? n + 1 : n + 2);
}

liger_status rowwise_forward(const RowwiseOp *op, liger_context *ctx, void *stream, const DLTensor *x, DLTensor *y) {
  OpCall c;
  OpTensor X, Y;
  liger_status st;
  if ((st = op_start(&c, op->fwd_fn, ctx, stream)) || (st = op_rows(&c, "x", x, &X)) ||
      (st = op_rows_like(&c, "y", y, &X, &Y)))
    return st;
  Y.alias_ok = &X; /* in place */
  const OpTensor *outs[] = {&Y}, *ins[] = {&X};
  if ((st = op_check_overlaps(&c, outs, 1, ins, 1))) return st;
  if (X.rows == 0) return LIGER_OK;

  OpPlan p = op_plan_rows(&c, X.rows, X.cols, OP_PLAN_FWD);
  liger_kernel *k;
  if ((st = rowwise_kernel(&c, op, "fwd", &p, &k))) return st;
  liger_arg a[] = {op_ptr(&Y), op_i64(Y.stride), op_ptr(&X), op_i64(X.stride), op_i64(X.rows), op_i64(X.cols)};
  return rowwise_launch(&c, k, &p, X.rows, a, 2);
}

liger_status rowwise_backward(const RowwiseOp *op, liger_context *ctx, void *stream, const DLTensor *dy,
                              const DLTensor *y, DLTensor *dx) {
  OpCall c;
  OpTensor DY, Y, DX;
  liger_status st;
  if ((st = op_start(&c, op->bwd_fn, ctx, stream)) || (st = op_rows(&c, "y", y, &Y)) ||
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
  if ((st = rowwise_kernel(&c, op, "bwd", &p, &k))) return st;
  liger_arg a[] = {op_ptr(&DX), op_i64(DX.stride), op_ptr(&DY), op_i64(DY.stride), op_ptr(&Y), op_i64(Y.stride),
                   op_i64(Y.rows), op_i64(Y.cols)};
  return rowwise_launch(&c, k, &p, Y.rows, a, 3);
}
