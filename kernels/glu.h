/*
 * glu.h — what the gated element-wise ops share (kernels/glu.c): SwiGLU (swiglu.c, kernels in
 * swiglu.py) and GeGLU (geglu.c, geglu.py) differ only in their activation, so one host
 * routine validates, plans and launches both. The kernels of an op are named
 * <op>_fwd_flat, <op>_bwd_flat, <op>_fwd_rows and <op>_bwd_rows with the same signatures.
 */
#ifndef LIGER_KERNELS_GLU_H
#define LIGER_KERNELS_GLU_H

#include "op.h"

/* The public function `fn` of gated op `op` ("swiglu": kernels/swiglu.py):
 * c = act(a) * b. */
liger_status glu_forward(const char *fn, const char *op, liger_context *ctx, void *stream, const DLTensor *a,
                         const DLTensor *b, DLTensor *c);
/* Its gradients: da and db from dc, a and b; da may be a and db may be b (in place). */
liger_status glu_backward(const char *fn, const char *op, liger_context *ctx, void *stream, const DLTensor *dc,
                          const DLTensor *a, const DLTensor *b, DLTensor *da, DLTensor *db);

#endif
