"""Generalised Jensen-Shannon divergence (spec/kernels.md §13) of the student's log-probabilities
X = log_q (BT, V) and the teacher's Y = log_p (BT, V), with optional labels for masking, and its
gradient with respect to X, computed in the forward.

Host side: kernels/jsd.c. Launches, in order:
  jsd_stats    one program (HAS_LABEL only): STATS[0] = 1 / #(labels != ignore_index), 0 when
               every row is ignored
  jsd_fwd      a program per row, one pass over the row in BLOCK chunks, fp32:
                 Q = exp(X), P = exp(Y)
                 MODE 0 (0 < beta < 1): M = beta P + (1 - beta) Q
                         l  = beta P Y + (1 - beta) Q X - M log M
                            = beta P (Y - log M) + (1 - beta) Q (X - log M)  (the form used)
                         dX = (1 - beta) Q (X - log M)
                       with log M from the larger of X, Y (finite when P, Q underflow)
                 MODE 1 (beta == 0, forward KL): l = P (Y - X), dX = -P
                 MODE 2 (beta == 1, reverse KL): l = Q (X - Y), dX = l + Q
               dX * scale is stored into DX (GRAD), scale = 1 / n_non_ignore; the row's sum of
               l (per-lane sums, reduced once at the end) into PART[row], fp32 scratch. An
               ignored row stores a zero gradient row and a zero sum.
  jsd_reduce   one program: the sum of PART in a fixed order, times the scale, into the loss
  jsd_bwd      the backward, a program per row: DX *= G[0], nothing when that is exactly 1.0
               (decided on the device, no host synchronisation)
A zero probability (a log-prob of -inf, or one whose exp underflows) adds 0 to the loss, and
to the gradient in MODE 0 (0 log 0 = 0; Liger and torch give NaN for -inf). Masked lanes
load 0 and are left out of the sums. The spec's per-element (BT, V) loss buffer
is not needed: the loss is reduced on the device. Standard Triton: runs unchanged under 3.6."""
import triton
import triton.language as tl


@triton.jit
def jsd_stats(STATS, LABELS, n_rows, ignore_index, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    cnt = tl.zeros([BLOCK], dtype=tl.int32)
    for start in range(0, n_rows, BLOCK):
        r = start + offs
        ok = r < n_rows
        y = tl.load(LABELS + r, mask=ok, other=0).to(tl.int64)
        cnt += (ok & (y != ignore_index)).to(tl.int32)
    n = tl.sum(cnt, axis=0).to(tl.float32)
    tl.store(STATS, tl.where(n > 0, 1.0 / tl.maximum(n, 1.0), 0.0))


@triton.jit
def jsd_fwd(X, x_stride, Y, y_stride, DX, dx_stride, PART, LABELS, STATS, n_cols, ignore_index, beta, scale,
            MODE: tl.constexpr, HAS_LABEL: tl.constexpr, GRAD: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    X += row * x_stride
    Y += row * y_stride
    DX += row * dx_stride
    cols = tl.arange(0, BLOCK)
    if HAS_LABEL:
        lab = tl.load(LABELS + row).to(tl.int64)
        if lab == ignore_index:
            tl.store(PART + row, 0.0)
            if GRAD:
                zero = tl.zeros([BLOCK], dtype=tl.float32)
                for start in range(0, n_cols, BLOCK):
                    c = start + cols
                    tl.store(DX + c, zero, mask=c < n_cols)
            return
        s = tl.load(STATS)
    else:
        s = scale
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK):
        c = start + cols
        ok = c < n_cols
        x = tl.load(X + c, mask=ok, other=0.0).to(tl.float32)
        y = tl.load(Y + c, mask=ok, other=0.0).to(tl.float32)
        if MODE == 1:
            p = tl.exp(y)
            l = tl.where(p > 0.0, p * (y - x), 0.0)
            d = -p
        elif MODE == 2:
            q = tl.exp(x)
            l = tl.where(q > 0.0, q * (x - y), 0.0)
            d = l + q
        else:
            # scaled by E = exp(a), a = max(x, y): Q = E q1, P = E p1 with the larger of q1, p1
            # exactly 1 and the other exp(-|x - y|), M = E m1, log M = a + log(m1). m1 >=
            # min(beta, 1 - beta) > 0, so log M stays finite when P and Q underflow; and
            # l = beta P (y - log M) + (1 - beta) Q (x - log M), the same as the spec's
            # beta P y + (1 - beta) Q x - M log M without its cancellation of large terms
            a = tl.maximum(x, y)
            e = tl.exp(-tl.abs(x - y))
            q1 = tl.where(x >= y, 1.0, e)
            p1 = tl.where(x >= y, e, 1.0)
            bp = beta * p1
            cq = (1.0 - beta) * q1
            lm1 = tl.log(bp + cq)
            big = tl.exp(a)
            # a zero probability adds nothing (0 log 0 = 0), also for log-probs of -inf
            tq = tl.where(q1 > 0.0, cq * ((x - a) - lm1), 0.0)
            tp = tl.where(p1 > 0.0, bp * ((y - a) - lm1), 0.0)
            l = tl.where(big > 0.0, big * (tp + tq), 0.0)
            d = tl.where(big > 0.0, big * tq, 0.0)
        acc += tl.where(ok, l, 0.0)
        if GRAD:
            tl.store(DX + c, d * s, mask=ok)
    tl.store(PART + row, tl.sum(acc, axis=0))


@triton.jit
def jsd_reduce(OUT, PART, STATS, n_rows, scale, HAS_LABEL: tl.constexpr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_rows, BLOCK):
        r = start + offs
        acc += tl.load(PART + r, mask=r < n_rows, other=0.0)
    if HAS_LABEL:
        s = tl.load(STATS)
    else:
        s = scale
    tl.store(OUT, tl.sum(acc, axis=0) * s)


@triton.jit
def jsd_bwd(DX, dx_stride, G, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    g = tl.load(G).to(tl.float32)
    if g != 1.0:
        DX += row * dx_stride
        cols = tl.arange(0, BLOCK)
        for start in range(0, n_cols, BLOCK):
            c = start + cols
            ok = c < n_cols
            v = tl.load(DX + c, mask=ok, other=0.0)
            tl.store(DX + c, v.to(tl.float32) * g, mask=ok)
