/*
 * rowwise.h — the host side of the ops whose forward maps each row of x to the same row of
 * y and whose backward maps (dy, y) to dx, one launch each way, with nothing summed over
 * rows: Softmax and Sparsemax (kernels/rowwise.c).
 */
#ifndef LIGER_KERNELS_ROWWISE_H
#define LIGER_KERNELS_ROWWISE_H

#include "op.h"

/* The kernels of one such op, in kernels/<file>:
 *   <prefix>_fwd(Y, y_stride, X, x_stride, n_rows, n_cols, BLOCK_M, BLOCK_N)     row tiles
 *   <prefix>_fwd_looped(Y, y_stride, X, x_stride, n_cols, BLOCK_N)               a program per row
 *   <prefix>_bwd(DX, dx_stride, DY, dy_stride, Y, y_stride, n_rows, n_cols, BLOCK_M, BLOCK_N)
 *   <prefix>_bwd_looped(DX, dx_stride, DY, dy_stride, Y, y_stride, n_cols, BLOCK_N) */
typedef struct RowwiseOp {
  const char *file;   /* "softmax.py" */
  const char *prefix; /* "softmax" */
  const char *fwd_fn, *bwd_fn; /* the public functions, for messages */
} RowwiseOp;

/* y = op(x) over the last dimension; y may be x (in place). */
liger_status rowwise_forward(const RowwiseOp *op, liger_context *ctx, void *stream, const DLTensor *x, DLTensor *y);
/* dx from dy and the forward's y; dx may be dy (in place). */
liger_status rowwise_backward(const RowwiseOp *op, liger_context *ctx, void *stream, const DLTensor *dy,
                              const DLTensor *y, DLTensor *dx);

#endif
