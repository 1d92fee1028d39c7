/*
 * glu.h — what the gated element-wise ops share (kernels/glu.c): SwiGLU (swiglu.c) and GeGLU
 * (geglu.c) differ only in their activation, so one host routine validates, plans and
 * launches both, and both run the kernels of kernels/glu.py (glu_fwd_flat, glu_bwd_flat,
 * glu_fwd_rows, glu_bwd_rows), whose constexpr ACT picks the activation.
 */
#ifndef LIGER_KERNELS_GLU_H
#define LIGER_KERNELS_GLU_H

#include "op.h"

/* The public function `fn` of gated op `op` ("swiglu" or "geglu"):
 * c = act(a) * b. */
liger_status glu_forward(const char *fn, const char *op, liger_context *ctx, void *stream, const DLTensor *a,
                         const DLTensor *b, DLTensor *c);
/* Its gradients: da and db from dc, a and b; da may be a and db may be b (in place). */
liger_status glu_backward(const char *fn, const char *op, liger_context *ctx, void *stream, const DLTensor *dc,
                          const DLTensor *a, const DLTensor *b, DLTensor *da, DLTensor *db);

#endif
