/*
 * swiglu.c — the SwiGLU op (include/liger/ops.h; kernels in kernels/glu.py, ACT=0): the
 * element-wise gate of a SwiGLU MLP, c = silu(a) * b, and its gradients. The host side is
 * kernels/glu.c, shared with GeGLU.
 */
#include "glu.h"

liger_status liger_swiglu_forward(liger_context *ctx, void *stream, const DLTensor *a, const DLTensor *b, DLTensor *c) {
  return glu_forward("liger_swiglu_forward", "swiglu", ctx, stream, a, b, c);
}

liger_status liger_swiglu_backward(liger_context *ctx, void *stream, const DLTensor *dc, const DLTensor *a,
                                   const DLTensor *b, DLTensor *da, DLTensor *db) {
  return glu_backward("liger_swiglu_backward", "swiglu", ctx, stream, dc, a, b, da, db);
}
