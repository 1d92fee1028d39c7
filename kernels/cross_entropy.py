"""CrossEntropy (spec/kernels.md §6): the loss of logits X (BT, V) against integer targets, with
ignore_index, label smoothing, z-loss (lse_square_scale), softcap, class weights and the three
reductions, and the gradient written over the logits in the same pass.

Host side: kernels/cross_entropy.c. Launches, in order:
  cross_entropy_stats   one program: the non-ignored row count n, the sum Wn of their target
                        weights and the sum of all weights, as the scales the mean needs
                        (STATS = [ce_scale, z_scale, weight_sum]); only when needed
  cross_entropy_fwd     one program per row, two passes over the row in BLOCK chunks:
                          1. online softmax with per-lane state (max m and sum d for every
                             lane of the chunk, no cross-thread reduction inside the loop;
                             one exp per element: exp(-|x - m|) serves both branches), plus
                             the smoothing sum; lse from the lanes at the end
                          2. (GRAD) the gradient, stored over the logits, walking the chunks
                             backwards so that the most recently read ones, still in L2, come
                             first
                        the row's loss (and z) go to LOSS / Z: the outputs for reduction
                        'none', fp32 scratch for 'sum' and 'mean'
  cross_entropy_reduce  one program: sum and mean of the per-row scratch, in a fixed order
  cross_entropy_bwd     the backward, a program per row: the row times grad_output (a scalar,
                        or one per row); a program whose factor is exactly 1.0 returns at
                        once, so a factor of 1 costs one tiny launch and no host sync

Per non-ignored row with target y, x the (softcapped) logits in fp32, p = softmax(x),
lse = logsumexp(x), w the class weights (1 without), eps = label_smoothing / V, ls =
label_smoothing, Sw = sum(w) (V without weights):
  ce   = (1 - ls) * w[y] * (lse - x[y]) + eps * (Sw * lse - sum_j w[j] * x[j])
  z    = lse_square_scale * lse^2
  loss = ce * ce_scale + z * z_scale       ('mean': 1/Wn and 1/n, Wn = n without weights)
  dx_j = p_j * a - eps * w[j] * ce_scale - [j == y] * (1 - ls) * w[y] * ce_scale
         a = ((1 - ls) * w[y] + eps * Sw) * ce_scale + 2 * lse_square_scale * lse * z_scale
  softcap c: x = c * tanh(raw / c) and dx *= 1 - tanh^2(raw / c), formed as 4e / (1 + e)^2,
  e = exp(-2 |raw / c|) (1 - tanh^2 rounds to 0 in fp32 once tanh does to 1)
The target column is formed from expm1(x[y] - lse) = p_y - 1, in fp32 before rounding to X's
dtype, with x[y] - lse = (x[y] - max) - log1p(sum(exp(x - max)) - 1) and that sum kept apart
from the 1 of the max: no cancellation when p_y -> 1, in the gradient or in the row's loss. Ignored rows get loss 0 and a zero gradient row. A
target outside [0, V) that is not ignore_index gives NaN for the row's loss and gradient (the
host can check targets first, with a synchronisation; docs/ops.md).
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl
from triton.language.extra import libdevice


LOG2E: tl.constexpr = tl.constexpr(1.4426950408889634)
# start of a lane's running max: below every finite fp32 logit but finite, so that a lane
# that only ever sees masked (-inf) elements keeps d = 0 without forming -inf - (-inf)
M0: tl.constexpr = tl.constexpr(-3.0e38)


@triton.jit
def _softcapped(raw, ok, softcap, inv_softcap, HAS_SOFTCAP: tl.constexpr):
    # softcap * tanh(raw / softcap); masked lanes stay -inf
    if HAS_SOFTCAP:
        x = tl.where(ok, softcap * libdevice.tanh(raw * inv_softcap), float("-inf"))
    else:
        x = raw
    return x


@triton.jit
def _sech2(u):
    # 1 - tanh(u)^2 = 4e / (1 + e)^2 with e = exp(-2|u|): no cancellation as tanh(u) -> 1
    e = tl.exp2(-2.0 * LOG2E * tl.abs(u))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


@triton.jit
def cross_entropy_fwd(X, x_stride, T, W, LOSS, Z, STATS, n_cols, ignore_index, label_smoothing, eps,
                      lse_square_scale, softcap, inv_softcap,
                      HAS_WEIGHT: tl.constexpr, HAS_SMOOTHING: tl.constexpr, HAS_Z: tl.constexpr,
                      HAS_SOFTCAP: tl.constexpr, MEAN: tl.constexpr, SPLIT: tl.constexpr, STORE_Z: tl.constexpr,
                      GRAD: tl.constexpr, BLOCK: tl.constexpr):
    # LOSS[row] = ce + z ('none'), or ce alone with SPLIT (fp32 scratch for 'sum' / 'mean');
    # Z[row] = z with STORE_Z (z_loss for 'none', the scratch's second half with SPLIT)
    row = tl.program_id(0).to(tl.int64)
    X += row * x_stride
    cols = tl.arange(0, BLOCK)
    nblocks = tl.cdiv(n_cols, BLOCK)
    y = tl.load(T + row).to(tl.int64)
    if y == ignore_index:
        tl.store(LOSS + row, 0.0)
        if STORE_Z:
            tl.store(Z + row, 0.0)
        if GRAD:
            zero = tl.zeros([BLOCK], dtype=tl.float32)
            for b in range(0, nblocks):
                c = b * BLOCK + cols
                tl.store(X + c, zero, mask=c < n_cols)
        return
    if (y < 0) | (y >= n_cols):
        tl.store(LOSS + row, float("nan"))
        if STORE_Z:
            tl.store(Z + row, float("nan"))
        if GRAD:
            bad = tl.full([BLOCK], float("nan"), tl.float32)
            for b in range(0, nblocks):
                c = b * BLOCK + cols
                tl.store(X + c, bad, mask=c < n_cols)
        return

    yc = y.to(tl.int32)  # in [0, n_cols): the column compares of pass 2 stay 32-bit
    # the target's logit, read before pass 2 overwrites the row
    raw_y = tl.load(X + y).to(tl.float32)
    if HAS_SOFTCAP:
        x_y = softcap * libdevice.tanh(raw_y * inv_softcap)
    else:
        x_y = raw_y

    # pass 1: per-lane online softmax (and the smoothing sum). A lane keeps its max m and
    # r = (sum of exp(x - m) over its elements) - 1, the lane's own max left out, so that
    # sum(exp(x - max)) - 1 stays exact when one logit dominates (p_y -> 1)
    m = tl.full([BLOCK], M0, tl.float32)
    r = tl.full([BLOCK], -1.0, tl.float32)
    s = tl.zeros([BLOCK], dtype=tl.float32)
    for b in range(0, nblocks):
        c = b * BLOCK + cols
        ok = c < n_cols
        raw = tl.load(X + c, mask=ok, other=float("-inf")).to(tl.float32)
        x = _softcapped(raw, ok, softcap, inv_softcap, HAS_SOFTCAP)
        # exp(-|x - m|) is exp(m - x) when x is the new max, else exp(x - m)
        t = tl.exp2(-tl.abs(x - m) * LOG2E)
        r = tl.where(x > m, (r + 1.0) * t, r + t)
        m = tl.maximum(m, x)
        if HAS_SMOOTHING:
            if HAS_WEIGHT:
                s += tl.where(ok, x * tl.load(W + c, mask=ok, other=0.0).to(tl.float32), 0.0)
            else:
                s += tl.where(ok, x, 0.0)
    # lse = mx + log1p(e), e = sum(exp(x - mx)) - 1: the other lanes' terms, the rest of each
    # lane, and 1 for every further lane that holds mx too
    mx = tl.max(m, axis=0)
    sl = tl.exp2((m - mx) * LOG2E)
    top = m == mx
    e = tl.sum(r * sl + tl.where(top, 0.0, sl), axis=0) + (tl.sum(top.to(tl.float32), axis=0) - 1.0)
    lse_off = libdevice.log1p(e)
    lse = mx + lse_off

    # the row's loss
    if HAS_WEIGHT:
        w_y = tl.load(W + y).to(tl.float32)
    else:
        w_y = 1.0
    if MEAN:
        ce_scale = tl.load(STATS)
        z_scale = tl.load(STATS + 1)
    else:
        ce_scale = 1.0
        z_scale = 1.0
    if HAS_WEIGHT and HAS_SMOOTHING:
        w_sum = tl.load(STATS + 2)
    else:
        w_sum = n_cols * 1.0
    ce = (1.0 - label_smoothing) * w_y * ((mx - x_y) + lse_off)
    if HAS_SMOOTHING:
        ce += eps * (w_sum * lse - tl.sum(s, axis=0))
    if HAS_Z:
        z = lse_square_scale * lse * lse
    else:
        z = 0.0
    if SPLIT:
        tl.store(LOSS + row, ce)
    else:
        tl.store(LOSS + row, ce + z)
    if STORE_Z:
        tl.store(Z + row, z)

    # pass 2: the gradient over the logits, last chunk first
    if GRAD:
        # a = t_y + rest; at the target p_y * a - b_y - t_y = (p_y - 1) * t_y + p_y * rest - b_y,
        # without the cancellations of p_y - 1 and a - t_y
        t_y = (1.0 - label_smoothing) * w_y * ce_scale
        rest = eps * w_sum * ce_scale
        if HAS_Z:
            rest += 2.0 * lse_square_scale * lse * z_scale
        a = t_y + rest
        b0 = eps * ce_scale
        d_y = (x_y - mx) - lse_off  # x_y - lse, without rounding lse first
        g_y = libdevice.expm1(d_y) * t_y + tl.exp2(d_y * LOG2E) * rest - b0 * w_y
        if HAS_SOFTCAP:
            g_y = g_y * _sech2(raw_y * inv_softcap)
        for i in range(0, nblocks):
            c = (nblocks - 1 - i) * BLOCK + cols
            ok = c < n_cols
            raw = tl.load(X + c, mask=ok, other=0.0).to(tl.float32)
            x = _softcapped(raw, ok, softcap, inv_softcap, HAS_SOFTCAP)
            p = tl.exp2((x - lse) * LOG2E)
            if HAS_SMOOTHING:
                if HAS_WEIGHT:
                    g = p * a - b0 * tl.load(W + c, mask=ok, other=0.0).to(tl.float32)
                else:
                    g = p * a - b0
            else:
                g = p * a
            if HAS_SOFTCAP:
                g = g * _sech2(raw * inv_softcap)
            g = tl.where(c == yc, g_y, g)
            tl.store(X + c, g, mask=ok)


@triton.jit
def cross_entropy_stats(STATS, T, W, n_rows, n_cols, ignore_index, HAS_WEIGHT: tl.constexpr,
                        WEIGHT_SUM: tl.constexpr, BLOCK: tl.constexpr):
    # STATS[0] = 1 / Wn (1 / n without weights), STATS[1] = 1 / n, both 0 when n = 0;
    # STATS[2] = sum(w) with WEIGHT_SUM. A target out of [0, V) makes Wn NaN.
    offs = tl.arange(0, BLOCK)
    cnt = tl.zeros([BLOCK], dtype=tl.int32)
    wn = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_rows, BLOCK):
        r = start + offs
        ok = r < n_rows
        y = tl.load(T + r, mask=ok, other=0).to(tl.int64)
        keep = ok & (y != ignore_index)
        cnt += keep.to(tl.int32)
        if HAS_WEIGHT:
            inside = keep & (y >= 0) & (y < n_cols)
            wy = tl.load(W + y, mask=inside, other=0.0).to(tl.float32)
            wn += tl.where(keep, tl.where(inside, wy, float("nan")), 0.0)
    n = tl.sum(cnt, axis=0).to(tl.float32)
    if HAS_WEIGHT:
        wsum_rows = tl.sum(wn, axis=0)
    else:
        wsum_rows = n
    inv_n = tl.where(n > 0, 1.0 / tl.maximum(n, 1.0), 0.0)
    inv_wn = tl.where(n > 0, 1.0 / wsum_rows, 0.0)
    tl.store(STATS, inv_wn)
    tl.store(STATS + 1, inv_n)
    if WEIGHT_SUM:
        acc = tl.zeros([BLOCK], dtype=tl.float32)
        for start in range(0, n_cols, BLOCK):
            c = start + offs
            acc += tl.load(W + c, mask=c < n_cols, other=0.0).to(tl.float32)
        tl.store(STATS + 2, tl.sum(acc, axis=0))


@triton.jit
def cross_entropy_reduce(LOSS, Z, PART, STATS, n_rows, MEAN: tl.constexpr, STORE_Z: tl.constexpr,
                         BLOCK: tl.constexpr):
    # LOSS = sum(ce) * ce_scale + sum(z) * z_scale over the per-row PART = [ce (n_rows), z (n_rows)]
    offs = tl.arange(0, BLOCK)
    ce = tl.zeros([BLOCK], dtype=tl.float32)
    z = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_rows, BLOCK):
        r = start + offs
        ok = r < n_rows
        ce += tl.load(PART + r, mask=ok, other=0.0)
        z += tl.load(PART + n_rows + r, mask=ok, other=0.0)
    ce_sum = tl.sum(ce, axis=0)
    z_sum = tl.sum(z, axis=0)
    if MEAN:
        ce_sum = ce_sum * tl.load(STATS)
        z_sum = z_sum * tl.load(STATS + 1)
    tl.store(LOSS, ce_sum + z_sum)
    if STORE_Z:
        tl.store(Z, z_sum)


@triton.jit
def cross_entropy_bwd(X, x_stride, G, n_cols, PER_ROW: tl.constexpr, BLOCK: tl.constexpr):
    # a program per row: X[row, :] *= G[row] (PER_ROW) or G[0]; nothing when that is exactly 1.0
    row = tl.program_id(0).to(tl.int64)
    if PER_ROW:
        g = tl.load(G + row).to(tl.float32)
    else:
        g = tl.load(G).to(tl.float32)
    if g != 1.0:
        X += row * x_stride
        cols = tl.arange(0, BLOCK)
        for start in range(0, n_cols, BLOCK):
            c = start + cols
            ok = c < n_cols
            x = tl.load(X + c, mask=ok, other=0.0)
            tl.store(X + c, x.to(tl.float32) * g, mask=ok)
