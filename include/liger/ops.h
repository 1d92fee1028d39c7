/*
 * ops.h — the Liger ops of libliger-jit: ready-made kernels (kernels/<op>.py, embedded in the
 * library) behind one C function per op and direction, over DLPack tensors.
 *
 * Conventions that hold for every op below (and those of liger.h: status codes, per-thread
 * error messages, no exit()):
 *  - Tensors are DLPack DLTensors. The caller owns them; an op reads and writes only through
 *    their data pointers (plus byte_offset) and never keeps a reference after it returns.
 *    `strides` may be NULL (compact row-major). Floating tensors may be float32, bfloat16 or
 *    float16 (lanes 1).
 *  - Every tensor must live on the context's device: kDLCPU for a "cpu" context, kDLCUDA (or
 *    kDLCUDAManaged) with device_id = the ordinal for "cuda:N", kDLROCM for "hip:N".
 *  - Row ops view an input of shape (d0, ..., dk, n) as rows = d0 * ... * dk rows of n elements.
 *    The last dimension must have stride 1 and the leading dimensions must collapse into one
 *    row stride (any row stride >= n, e.g. a slice of wider rows, is fine; dimensions of size
 *    1 are ignored). Per-row vectors (rstd, mean) need exactly `rows` elements, compact
 *    (shape (rows,) or the leading shape of x); weights and their gradients are 1-D (n,)
 *    with stride 1.
 *  - Outputs must not overlap each other or the inputs, except where an op says otherwise.
 *  - Work is queued on `stream` (a CUstream / hipStream_t; NULL: the default stream) and is
 *    asynchronous on GPUs: synchronize before reading results on the host. On the CPU the
 *    call returns when the work is done.
 *  - The first call of an op with a new combination of dtypes, options and block size
 *    compiles its kernels (or loads them from the binary cache, see liger.h); later calls
 *    find them in the context in a hash lookup. Kernels stay loaded until the context is
 *    destroyed.
 *  - Backward passes that reduce over rows (dW, dB) use fp32 scratch memory allocated on
 *    the context, one buffer per stream, grown as needed and kept until the context is
 *    destroyed; results are deterministic (fixed summation order).
 *  - Thread-safety: ops may be called from several threads on one context. Calls on the
 *    same stream are serialised around their launches.
 *  - Errors: LIGER_ERR_INVALID_ARG with a message naming the function, the argument and what
 *    was expected ("liger_rms_norm_forward: x has dtype int32; expected float32, bfloat16 or
 *    float16"); LIGER_ERR_COMPILE / LIGER_ERR_DRIVER / LIGER_ERR_OUT_OF_MEMORY as for
 *    liger_launch and liger_malloc. Nothing is launched when validation fails.
 *
 * docs/ops.md lists every op with its options, dtypes and limits.
 */
#ifndef LIGER_OPS_H
#define LIGER_OPS_H

#include "liger/liger.h"

#include <dlpack/dlpack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- memory ------------------------------------------------------------------------------ */

/* The scratch memory the ops hold on this context (the fp32 partial sums of backward passes,
 * per stream, kept between calls; see the conventions above): *bytes receives the total held
 * (NULL: not wanted). With `release` non-zero, each stream's buffer is first freed (after
 * synchronising that stream, since queued work may still use it); the next op that needs
 * scratch allocates again. A context on which no op has run holds 0 bytes. Thread-safe: waits
 * for ops that are using a buffer. Errors: LIGER_ERR_INVALID_ARG (NULL ctx), LIGER_ERR_DRIVER
 * from the synchronisation or the free (the bytes still held are reported). */
LIGER_API liger_status liger_ops_scratch(liger_context *ctx, size_t *bytes, int release);

/* ---- RMSNorm (spec: kernels.md §1) --------------------------------------------------------- */

/* Where RMSNorm rounds to x's dtype; the values are Liger's casting-mode codes. */
typedef enum liger_rms_cast {
  LIGER_RMS_CAST_NONE = -1, /* x*x and its sum in x's dtype, eps and offset cast to it; rstd
                               from the fp32 division by n (Triton's rule for '/') */
  LIGER_RMS_CAST_LLAMA = 0, /* statistics in fp32; x*rstd rounded to x's dtype before the
                               weight multiplies it (Hugging Face Llama) */
  LIGER_RMS_CAST_GEMMA = 1  /* everything in fp32, rounded once at the end (Gemma) */
} liger_rms_cast;

/* y = x * rstd * (offset + w) per row, rstd = 1 / sqrt(mean(x^2) + eps).
 *   x     (..., n) float32 / bfloat16 / float16; n >= 1
 *   w     (n,) any of the three float dtypes, or NULL for no weight (y = x * rstd)
 *   y     out, x's shape and dtype
 *   rstd  out, one value per row, float32 or x's dtype (Liger: float32 for LLAMA and GEMMA,
 *         x's dtype for NONE); the backward reads it
 * Rows of any length work: up to 65536 elements a row is one tile, longer rows are walked
 * in chunks (twice). An input with zero rows does nothing. */
LIGER_API liger_status liger_rms_norm_forward(liger_context *ctx, void *stream, const DLTensor *x, const DLTensor *w,
                                              DLTensor *y, DLTensor *rstd, float eps, float offset, liger_rms_cast mode);

/* Gradients of liger_rms_norm_forward, from the forward's x, w, rstd and the same offset and
 * mode: dx = rstd * (m - xhat * sum(m * xhat) / n), m = dy * (offset + w), xhat = x * rstd;
 * dw = sum over rows of dy * xhat (LLAMA: xhat and the product rounded to x's dtype).
 *   dy    (..., n) like x (shape and dtype)
 *   dx    out, like x; may be the same tensor as dy (in place: same data, shape and strides)
 *   dw    out, (n,) in w's dtype; NULL exactly when w is NULL. Summed in fp32.
 * The arithmetic is fp32 in every mode (dy, x, rstd and w are read and widened). */
LIGER_API liger_status liger_rms_norm_backward(liger_context *ctx, void *stream, const DLTensor *dy, const DLTensor *x,
                                               const DLTensor *w, const DLTensor *rstd, DLTensor *dx, DLTensor *dw,
                                               float offset, liger_rms_cast mode);

/* ---- LayerNorm (spec: kernels.md §2) ------------------------------------------------------- */

/* y = (x - mean) * rstd * w + b per row, mean and biased variance over the row, rstd = 1 /
 * sqrt(var + eps); fp32 arithmetic, y rounded to x's dtype.
 *   x           (..., n) float32 / bfloat16 / float16; n >= 1
 *   w, b        (n,) any float dtype each, or NULL (no scale / no shift)
 *   y           out, x's shape and dtype
 *   mean, rstd  out, one value per row each, float32 or x's dtype (Liger: x's dtype, which
 *               rounds them; float32 keeps the backward exact). The backward reads them.
 * Rows of any length work (longer than 65536: three passes in chunks). */
LIGER_API liger_status liger_layer_norm_forward(liger_context *ctx, void *stream, const DLTensor *x, const DLTensor *w,
                                                const DLTensor *b, DLTensor *y, DLTensor *mean, DLTensor *rstd,
                                                float eps);

/* Gradients of liger_layer_norm_forward: with xhat = (x - mean) * rstd and g = w * dy,
 * dx = (g - (xhat * c1 + c2)) * rstd, c1 = sum(xhat * g) / n, c2 = sum(g) / n;
 * dw = sum over rows of dy * xhat, db = sum over rows of dy (fp32 sums).
 *   dy      (..., n) like x
 *   w, b    the forward's (b is read only for db's dtype); either may be NULL
 *   dx      out, like x; may be the same tensor as dy
 *   dw, db  out, (n,) in w's / b's dtype; each NULL exactly when w / b is NULL */
LIGER_API liger_status liger_layer_norm_backward(liger_context *ctx, void *stream, const DLTensor *dy,
                                                 const DLTensor *x, const DLTensor *w, const DLTensor *b,
                                                 const DLTensor *mean, const DLTensor *rstd, DLTensor *dx,
                                                 DLTensor *dw, DLTensor *db);

/* ---- SwiGLU and GeGLU (spec: kernels.md §4, §5) --------------------------------------------- */

/* The element-wise gate of a SwiGLU MLP: c = silu(a) * b, silu(z) = z * sigmoid(z).
 *   a, b  (..., n) float32 / bfloat16 / float16, the same shape and dtype (the gate and up
 *         projections); row views like x of the row ops (a row stride of their own each)
 *   c     out, like a
 * silu is computed in fp32 from a widened a, rounded to the dtype, and multiplied by b in the
 * dtype (Liger's rounding points). */
LIGER_API liger_status liger_swiglu_forward(liger_context *ctx, void *stream, const DLTensor *a, const DLTensor *b,
                                            DLTensor *c);

/* Gradients of liger_swiglu_forward from the forward's a and b (recomputed, nothing saved):
 * s = sigmoid(a), db = dc * a * s, da = dc * (a * s * (1 - s) + s) * b, in fp32.
 *   dc      (..., n) like a
 *   da, db  out, like a. da may be the same tensor as a and db as b (Liger writes the
 *           gradients over the saved activations); no other overlap. */
LIGER_API liger_status liger_swiglu_backward(liger_context *ctx, void *stream, const DLTensor *dc, const DLTensor *a,
                                             const DLTensor *b, DLTensor *da, DLTensor *db);

/* The element-wise gate of a GeGLU MLP with the tanh approximation of GELU (Gemma's
 * gelu_pytorch_tanh): c = gelu(a) * b, gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 * Arguments and rounding as liger_swiglu_forward (gelu in fp32, rounded to the dtype). */
LIGER_API liger_status liger_geglu_forward(liger_context *ctx, void *stream, const DLTensor *a, const DLTensor *b,
                                           DLTensor *c);

/* Gradients of liger_geglu_forward: db = dc * round(gelu(a)), da = round(dc * b) * gelu'(a),
 * fp32 except where rounded to the dtype as shown (Liger's points). Arguments and aliasing as
 * liger_swiglu_backward. */
LIGER_API liger_status liger_geglu_backward(liger_context *ctx, void *stream, const DLTensor *dc, const DLTensor *a,
                                            const DLTensor *b, DLTensor *da, DLTensor *db);

/* ---- Softmax (spec: kernels.md §9) ---------------------------------------------------------- */

/* y = exp(x - max(x)) / sum(exp(x - max(x))) over the last dimension, in fp32, y rounded to
 * x's dtype.
 *   x  (..., n) float32 / bfloat16 / float16; n >= 1
 *   y  out, like x; may be the same tensor as x (in place)
 * Rows of any length work: up to 65536 elements a row is one tile, longer rows are read
 * twice (a running maximum and sum, then the output). */
LIGER_API liger_status liger_softmax_forward(liger_context *ctx, void *stream, const DLTensor *x, DLTensor *y);

/* Gradient of liger_softmax_forward from its output y: dx = y * (dy - sum(dy * y)) per row,
 * in y's dtype as Liger computes it (the sum is added in fp32 and rounded once).
 *   dy  (..., n) like y
 *   dx  out, like y; may be the same tensor as dy (in place) */
LIGER_API liger_status liger_softmax_backward(liger_context *ctx, void *stream, const DLTensor *dy, const DLTensor *y,
                                              DLTensor *dx);

/* ---- Sparsemax (spec: kernels.md §10) ------------------------------------------------------- */

/* y = max(x - tau, 0) over the last dimension, tau per row such that sum(y) = 1 (the
 * Euclidean projection onto the simplex; y is sparse). Computed in fp32 on x - max(x), y
 * rounded to x's dtype. No sort: tau's support is found by a 30-step bisection on the fp32
 * bits of max(x) - tau, then tau is formed from the support exactly as a sort would
 * (docs/ops.md). For another dimension than the last, the caller transposes (a strided view
 * with rows of stride 1 in the last dimension, or a copy).
 *   x  (..., n) float32 / bfloat16 / float16; n >= 1. -inf entries get 0 (a row of only
 *      -inf: all zeros); +inf or NaN make the row's result unspecified
 *   y  out, like x; may be the same tensor as x (in place)
 * Rows of any length work: up to 65536 elements a row is one tile read once; longer rows
 * are read 33 times (a maximum, 30 bisection steps, the support, the output). */
LIGER_API liger_status liger_sparsemax_forward(liger_context *ctx, void *stream, const DLTensor *x, DLTensor *y);

/* Gradient of liger_sparsemax_forward from its output y: on the support y > 0,
 * dx = dy - v with v = sum(dy over the support) / |support|; dx = 0 elsewhere. dy is widened
 * to fp32, v is rounded to dy's dtype (Liger's rounding point), dx rounded once.
 *   dy  (..., n) like y
 *   dx  out, like y; may be the same tensor as dy (in place) */
LIGER_API liger_status liger_sparsemax_backward(liger_context *ctx, void *stream, const DLTensor *dy,
                                                const DLTensor *y, DLTensor *dx);

/* ---- CrossEntropy (spec: kernels.md §6) ----------------------------------------------------- */

/* How liger_cross_entropy_forward reduces the per-row losses. */
typedef enum liger_ce_reduction {
  LIGER_CE_REDUCTION_NONE = 0, /* one loss per row */
  LIGER_CE_REDUCTION_SUM = 1,  /* their sum */
  LIGER_CE_REDUCTION_MEAN = 2  /* their sum / the number of non-ignored rows (with class
                                  weights: / the sum of their target weights); 0 when every
                                  row is ignored */
} liger_ce_reduction;

/* Options of liger_cross_entropy_forward. Start from LIGER_CE_OPTIONS_INIT (or pass NULL for
 * exactly those defaults): a zeroed struct would ignore class 0. */
typedef struct liger_ce_options {
  int64_t ignore_index;        /* rows whose target equals it get loss 0 and a zero gradient (-100) */
  float label_smoothing;       /* in [0, 1]: the target mixed with the uniform distribution (0) */
  float lse_square_scale;      /* z-loss scale: adds scale * lse^2 per row (0: none) */
  float softcap;               /* > 0: logits become softcap * tanh(logits / softcap) first; 0: none */
  liger_ce_reduction reduction; /* (MEAN) */
  int grad;                    /* non-zero: write dloss/dlogits over the logits (1) */
  int check_targets;           /* non-zero: copy the targets to the host and check their range
                                  first (synchronises the stream on GPUs); else a target outside
                                  [0, V) gives NaN for its row's loss and gradient (0) */
} liger_ce_options;

#define LIGER_CE_OPTIONS_INIT {-100, 0.0f, 0.0f, 0.0f, LIGER_CE_REDUCTION_MEAN, 1, 0}

/* Cross entropy of softmax(logits) against integer targets, with Liger's options, and (with
 * opts->grad) its gradient, written over the logits in the same pass: no memory beyond the
 * loss. Per row with target y (p = softmax(x), lse = log(sum(exp(x))), eps = smoothing / V):
 *   loss = (1 - smoothing) * w[y] * (lse - x[y]) + eps * sum_j w[j] * (lse - x[j])
 *          + lse_square_scale * lse^2      (w = 1 without weights; 'mean' divides the first
 *                                           two terms by the sum of the non-ignored rows'
 *                                           w[y] and the z-loss by their count)
 * All arithmetic is fp32 (two passes over each row: an online softmax, then the gradient).
 *   logits  (..., V) float32 / bfloat16 / float16, row views as for the row ops; with grad,
 *           overwritten by the gradient in its dtype (ignored rows: zeros)
 *   target  int64 or int32, one per row (rows of logits), compact
 *   weight  (V,) class weights of any float dtype, or NULL
 *   loss    out: one value per row (NONE) or one value, shape () or (1,) (SUM, MEAN); float32
 *           or the logits' dtype (Liger: the logits' dtype). Includes the z-loss.
 *   z_loss  out, or NULL: the z-loss alone, shaped and typed as loss (Liger's return_z_loss)
 *   opts    NULL: LIGER_CE_OPTIONS_INIT
 * 'sum' and 'mean' reduce on the device in a fixed order (no host synchronisation, fp32
 * scratch of 8 bytes a row); 'mean' counts the non-ignored rows on the device. */
LIGER_API liger_status liger_cross_entropy_forward(liger_context *ctx, void *stream, DLTensor *logits,
                                                   const DLTensor *target, const DLTensor *weight, DLTensor *loss,
                                                   DLTensor *z_loss, const liger_ce_options *opts);

/* Backward of liger_cross_entropy_forward: scales the gradient the forward left in the logits
 * buffer by the upstream gradient, in place.
 *   grad_logits  the forward's logits (holding the gradient)
 *   grad_output  d(total)/d(loss): one value (SUM, MEAN) or one per row (NONE), any float
 *                dtype, or NULL for 1 (nothing to do). A row whose factor is exactly 1.0 is
 *                left as it is, decided on the device (no host synchronisation). */
LIGER_API liger_status liger_cross_entropy_backward(liger_context *ctx, void *stream, DLTensor *grad_logits,
                                                    const DLTensor *grad_output);

/* ---- KL divergence (spec: kernels.md §12) --------------------------------------------------- */

/* How liger_kl_div_forward reduces the element losses (torch's KLDivLoss reductions). */
typedef enum liger_kl_reduction {
  LIGER_KL_REDUCTION_NONE = 0,     /* every element: loss has y_pred's shape */
  LIGER_KL_REDUCTION_SUM = 1,      /* their sum */
  LIGER_KL_REDUCTION_MEAN = 2,     /* their sum / (rows * V) (torch's default for the module) */
  LIGER_KL_REDUCTION_BATCHMEAN = 3 /* their sum / rows (Liger's functional default) */
} liger_kl_reduction;

/* KL(y_true || exp(y_pred)) per element, in fp32:
 *   log_target = 0: t * (log(max(t, eps)) - y)   (y_true holds probabilities)
 *   log_target = 1: exp(t) * (t - y)             (y_true holds log-probabilities)
 *   y_pred  (..., V) log-probabilities, float32 / bfloat16 / float16, a row view
 *   y_true  the same shape, any of the three float dtypes, a row view
 *   loss    out: y_pred's shape for NONE (a row view), else one value (shape () or (1,));
 *           float32 (Liger) or y_pred's dtype
 *   eps     finite, >= 0 (Liger: 1e-10); only with log_target = 0
 * Rows of any length (a program per row walks it in chunks). SUM / MEAN / BATCHMEAN add the
 * per-row sums on the device in a fixed order (fp32 scratch of 4 bytes a row); zero rows
 * give 0. */
LIGER_API liger_status liger_kl_div_forward(liger_context *ctx, void *stream, const DLTensor *y_pred,
                                            const DLTensor *y_true, DLTensor *loss, liger_kl_reduction reduction,
                                            int log_target, float eps);

/* Gradient of liger_kl_div_forward with respect to y_pred: -t (or -exp(t)) times grad_output,
 * divided by rows (BATCHMEAN) or rows * V (MEAN). It depends on y_true only (no eps).
 *   y_true       the forward's
 *   grad_output  NONE: y_true's shape (a row view, any float dtype); else one value of any
 *                float dtype; NULL for 1
 *   grad_pred    out, y_true's shape, any float dtype (Liger: y_true's) */
LIGER_API liger_status liger_kl_div_backward(liger_context *ctx, void *stream, const DLTensor *y_true,
                                             const DLTensor *grad_output, DLTensor *grad_pred,
                                             liger_kl_reduction reduction, int log_target);

/* ---- JSD (spec: kernels.md §13) --------------------------------------------------------------- */

/* Generalised Jensen-Shannon divergence of the student Q = exp(log_q) and the teacher
 * P = exp(log_p), M = beta P + (1 - beta) Q, averaged over the non-ignored rows:
 *   loss = sum over rows and columns of beta P log P + (1 - beta) Q log Q - M log M, / n
 *   grad = (1 - beta) Q (log Q - log M) / n
 * beta = 0 is the forward KL(P || Q) (grad -P / n), beta = 1 the reverse KL(Q || P) (grad
 * (Q (log Q - log P) + Q) / n). n = the number of labels != ignore_index, or the rows without
 * labels; when every row is ignored the loss and gradient are 0. All arithmetic is fp32.
 *   log_q   (..., V) student log-probabilities, float32 / bfloat16 / float16, a row view
 *   log_p   the same rows and columns, any of the three float dtypes
 *   labels  int64 or int32, one per row, compact, or NULL; rows whose label equals
 *           ignore_index get a zero gradient row and add nothing to the loss
 *   loss    out, one value, float32 or log_q's dtype (Liger: log_q's)
 *   grad_q  out, like log_q (shape and dtype): the gradient of loss, as Liger computes it in
 *           the forward; or NULL for the loss alone (no gradient pass is written)
 *   beta    in [0, 1]
 * The loss is summed on the device in a fixed order (fp32 scratch of 4 bytes a row); the
 * count of labels is made on the device too: no host synchronisation. */
LIGER_API liger_status liger_jsd_forward(liger_context *ctx, void *stream, const DLTensor *log_q, const DLTensor *log_p,
                                         const DLTensor *labels, DLTensor *loss, DLTensor *grad_q, float beta,
                                         int64_t ignore_index);

/* Backward of liger_jsd_forward: grad_q *= grad_output (one value of any float dtype) in
 * place; when it is exactly 1.0 nothing is written (decided on the device). NULL: nothing. */
LIGER_API liger_status liger_jsd_backward(liger_context *ctx, void *stream, DLTensor *grad_q,
                                          const DLTensor *grad_output);

/* ---- RoPE (spec: kernels.md §3) ------------------------------------------------------------ */

/* Rotary position embedding of q and k, in place, Hugging Face's "rotate_half" layout (element
 * i pairs with i + D/2). Per position and head, with x1 = x[:D/2], x2 = x[D/2:] and c, s the
 * first half of the position's cos/sin row (the second half, a copy in HF's tables, is not
 * read): y1 = x1*c - x2*s, y2 = x2*c + x1*s. An odd D leaves its last element as it is.
 *   q    (B, n_q_heads, S, D) float32 / bfloat16 / float16, rotated in place. Any strides
 *        with stride 1 in the last dim: compact, or (the usual HF case) the transposed view
 *        of a (B, S, H, D) buffer, which the kernel reads and writes where it lies
 *   k    (B, n_kv_heads, S, D) in q's dtype, the same B, S and D; any head count, rotated in
 *        place; must not overlap q (their spans are compared)
 *   cos, sin  (1, S, D), (B, S, D) or (S, D), the same dtype (any float); stride 1 in the
 *        last dim. Positions are baked into them (HF's rotary embedding module), so there is
 *        no position_ids argument (Liger accepts one and ignores it).
 * Arithmetic in cos's dtype (q/k converted to it, each product and sum rounded to it), the
 * result rounded to q's dtype. One launch: a program per (batch, seq) position. */
LIGER_API liger_status liger_rope_forward(liger_context *ctx, void *stream, DLTensor *q, DLTensor *k,
                                          const DLTensor *cos, const DLTensor *sin);

/* Gradients of liger_rope_forward, in place: the rotation by -theta of dq and dk,
 * dx1 = dy1*c + dy2*s, dx2 = dy2*c - dy1*s, from the forward's cos and sin.
 *   dq, dk  shaped and typed like the forward's q and k (strides of their own) */
LIGER_API liger_status liger_rope_backward(liger_context *ctx, void *stream, DLTensor *dq, DLTensor *dk,
                                           const DLTensor *cos, const DLTensor *sin);

/* ---- Embedding (spec: kernels.md §15) ------------------------------------------------------ */

/* A gather of weight rows: out[m, :] = w[ids[m], :] for every id m (ids flattened).
 *   ids          int64 or int32, any shape (0-d and empty included), compact
 *   w            (V, D) float32 / bfloat16 / float16; rows may be strided (stride >= D)
 *   out          out, ids' shape + (D,), w's dtype; a row view like x of the row ops
 *   padding_idx  a row of w (0 .. V-1) whose ids give zero rows (Liger's module zeroes
 *                them after the gather), or -1 for none. torch's negative padding_idx
 *                counts from the end: pass V + padding_idx.
 * An id outside [0, V) is never read: its output row is zeros too (torch raises there; we
 * do not synchronise to check). The copy is exact in every dtype. */
LIGER_API liger_status liger_embedding_forward(liger_context *ctx, void *stream, const DLTensor *ids,
                                               const DLTensor *w, DLTensor *out, int64_t padding_idx);

/* Gradient of liger_embedding_forward: dw[ids[m], :] += dout[m, :] over every id that is a
 * row of w other than padding_idx (the others add nothing, and nothing out of bounds is
 * touched).
 *   ids, padding_idx  the forward's
 *   dout         ids' shape + (D,), dw's dtype, a row view
 *   dw           out, (V, D) any float dtype (usually w's); rows may be strided
 *   accumulate   0: dw is set to the gradient (the op zeroes it first in a store-only pass,
 *                no memset needed); 1: the gradient is added to what dw holds (gradient
 *                accumulation over micro-batches without a separate buffer)
 * Numerics: a row of dw whose id occurs once among the ids is dout's row (plus dw's value
 * with accumulate) computed in fp32 and rounded once: exact and deterministic. The rows of
 * an id that occurs several times are summed in fp32 (16-bit dw: in fp32 scratch, then added
 * to dw and rounded once; fp32 dw: in dw itself), with atomics whose order is not fixed:
 * those sums may differ in the last fp32 bits from run to run (16-bit dw: rarely visible
 * after its rounding). No bf16/fp16 atomics are used. Scratch: 8 bytes per row of dw (the
 * occurrence tables), plus 4 * ids * D bytes for 16-bit dw. */
LIGER_API liger_status liger_embedding_backward(liger_context *ctx, void *stream, const DLTensor *ids,
                                                const DLTensor *dout, DLTensor *dw, int64_t padding_idx,
                                                int accumulate);


#ifdef __cplusplus
}
#endif
#endif /* LIGER_OPS_H */
