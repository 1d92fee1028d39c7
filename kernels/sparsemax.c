/*
 * sparsemax.c — the Sparsemax op over the last dimension (include/liger/ops.h; kernels in
 * kernels/sparsemax.py, whose docstring explains how the threshold is found without a
 * sort). Each direction is one launch: sparsemax_fwd / sparsemax_bwd over row tiles
 * (several short rows a program), or sparsemax_fwd_looped / sparsemax_bwd_looped with a
 * program per row for rows longer than a tile (the forward reads such a row 33 times, the
 * backward twice). Another dimension than the last is the caller's transpose.
 * The host side (validation, plan, launch) is kernels/rowwise.c, shared with Softmax.
 */
#include "rowwise.h"

static const RowwiseOp sparsemax_op = {"sparsemax.py", "sparsemax", "liger_sparsemax_forward", "liger_sparsemax_backward"};

liger_status liger_sparsemax_forward(liger_context *ctx, void *stream, const DLTensor *x, DLTensor *y) {
  return rowwise_forward(&sparsemax_op, ctx, stream, x, y);
}

liger_status liger_sparsemax_backward(liger_context *ctx, void *stream, const DLTensor *dy, const DLTensor *y,
                               DLTensor *dx) {
  return rowwise_backward(&sparsemax_op, ctx, stream, dy, y, dx);
}
