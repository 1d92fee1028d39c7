/*
 * softmax.c — the Softmax op over the last dimension (include/liger/ops.h; kernels in
 * kernels/softmax.py). Each direction is one launch: softmax_fwd / softmax_bwd over row
 * tiles (several short rows a program), or softmax_fwd_looped / softmax_bwd_looped with a
 * program per row for rows longer than a tile (two passes over the row each).
 * The host side (validation, plan, launch) is kernels/rowwise.c, shared with Sparsemax.
 */
#include "rowwise.h"

static const RowwiseOp softmax_op = {"softmax.py", "softmax", "liger_softmax_forward", "liger_softmax_backward"};

liger_status liger_softmax_forward(liger_context *ctx, void *stream, const DLTensor *x, DLTensor *y) {
  return rowwise_forward(&softmax_op, ctx, stream, x, y);
}

liger_status liger_softmax_backward(liger_context *ctx, void *stream, const DLTensor *dy, const DLTensor *y,
                               DLTensor *dx) {
  return rowwise_backward(&softmax_op, ctx, stream, dy, y, dx);
}
