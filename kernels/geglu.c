/*
 * geglu.c — the GeGLU op (include/liger/ops.h; kernels in kernels/glu.py, ACT=1): the
 * element-wise gate of a GeGLU MLP with the tanh approximation of GELU, c = gelu(a) * b, and
 * its gradients. The host side is kernels/glu.c, shared with SwiGLU.
 */
#include "glu.h"

liger_status liger_geglu_forward(liger_context *ctx, void *stream, const DLTensor *a, const DLTensor *b, DLTensor *c) {
  return glu_forward("liger_geglu_forward", "geglu", ctx, stream, a, b, c);
}

liger_status liger_geglu_backward(liger_context *ctx, void *stream, const DLTensor *dc, const DLTensor *a,
                                  const DLTensor *b, DLTensor *da, DLTensor *db) {
  return glu_backward("liger_geglu_backward", "geglu", ctx, stream, dc, a, b, da, db);
}
