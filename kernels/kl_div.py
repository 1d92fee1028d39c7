"""KL divergence (spec/kernels.md §12): the loss of log-probabilities Y_PRED (BT, V) against the
target distribution Y_TRUE (BT, V), probabilities or (LOG_TARGET) log-probabilities, and its
gradient with respect to y_pred.

Host side: kernels/kl_div.c. Launches, in order:
  kl_div_fwd     a program per row, one pass over the row in BLOCK chunks. Per element, in
                 fp32:  t * (log(max(t, eps)) - y)       (probabilities)
                        exp(t) * (t - y)                  (LOG_TARGET)
                 NONE: every element is stored into LOSS (the host's (BT, V) output);
                 otherwise the row's sum (a per-lane sum across the chunks, reduced once at
                 the end of the row) goes to LOSS[row], fp32 scratch
  kl_div_reduce  one program: the sum of the per-row scratch in a fixed order, times SCALE
                 (1, 1/BT for batchmean, 1/(BT*V) for mean), into the scalar output
  kl_div_bwd     a program per row: dy_pred = -t (or -exp(t)), times the upstream gradient
                 (one scalar read from G, or per element for NONE) and SCALE. The gradient
                 does not depend on y_pred, and eps does not appear in it (as Liger).
Nothing synchronises with the host: the scalar factor is read on the device.
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def kl_div_fwd(YP, yp_stride, YT, yt_stride, LOSS, loss_stride, n_cols, eps,
               LOG_TARGET: tl.constexpr, NONE: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    YP += row * yp_stride
    YT += row * yt_stride
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK):
        c = start + cols
        ok = c < n_cols
        y = tl.load(YP + c, mask=ok, other=0.0).to(tl.float32)
        t = tl.load(YT + c, mask=ok, other=0.0).to(tl.float32)
        if LOG_TARGET:
            l = tl.exp(t) * (t - y)
        else:
            l = t * (tl.log(tl.maximum(t, eps)) - y)
        if NONE:
            tl.store(LOSS + row * loss_stride + c, l, mask=ok)
        else:
            acc += tl.where(ok, l, 0.0)
    if not NONE:
        tl.store(LOSS + row, tl.sum(acc, axis=0))


@triton.jit
def kl_div_reduce(OUT, PART, n_rows, scale, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_rows, BLOCK):
        r = start + offs
        acc += tl.load(PART + r, mask=r < n_rows, other=0.0)
    tl.store(OUT, tl.sum(acc, axis=0) * scale)


@triton.jit
def kl_div_bwd(DX, dx_stride, YT, yt_stride, G, g_stride, n_cols, scale,
               LOG_TARGET: tl.constexpr, HAS_G: tl.constexpr, G_FULL: tl.constexpr, BLOCK: tl.constexpr):
    # DX[row] = -t * g * scale; g: G[0] (HAS_G), G[row, :] (G_FULL, reduction 'none'), else 1
    row = tl.program_id(0).to(tl.int64)
    DX += row * dx_stride
    YT += row * yt_stride
    if HAS_G and not G_FULL:
        f = tl.load(G).to(tl.float32) * scale
    else:
        f = scale
    cols = tl.arange(0, BLOCK)
    for start in range(0, n_cols, BLOCK):
        c = start + cols
        ok = c < n_cols
        t = tl.load(YT + c, mask=ok, other=0.0).to(tl.float32)
        if LOG_TARGET:
            d = -tl.exp(t)
        else:
            d = -t
        if G_FULL:
            d = d * tl.load(G + row * g_stride + c, mask=ok, other=0.0).to(tl.float32)
        tl.store(DX + c, d * f, mask=ok)
