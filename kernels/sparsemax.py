"""Sparsemax over the last dimension (spec/kernels.md §10, Martins & Astudillo 2016): per row,
y = max(x - tau, 0) with the threshold tau chosen so that sum(y) = 1; and its gradient
dx = dy - mean(dy over the support) on the support {y > 0}, 0 elsewhere.

Host side: kernels/sparsemax.c, which picks one of two shapes of the same math:
  tile    rows of up to 65536 elements: a program holds BLOCK_M whole rows as one
          [BLOCK_M, BLOCK_N] tile in registers (several short rows share a program).
  looped  longer rows: one program per row walks it in BLOCK_N chunks, once per pass.

Finding tau without sorting. Liger sorts every row with torch and takes a cumulative sum;
we have no sort, and do not want one: a sort of a register-held row costs log^2 n
shuffle/shared-memory stages. Instead, per row, with m = max(x) and d = x - m (so d <= 0,
max d = 0), write tau = m - u and g(u) = sum(max(d + u, 0)). g is nondecreasing, g(u) < 1
for u = 0 and g(1) >= 1 (the maximum alone gives 1), so u* = m - tau lies in (0, 1]. We
bisect on the fp32 bit pattern of u: the bits of the floats in [0, 1] are the integers in
[0, 0x3F800000], which are ordered like the floats, and 0x3F800000 < 2^30, so 30 halvings
leave two neighbouring floats u_lo < u_hi with g(u_lo) < 1 <= g(u_hi). No float lies
between them, so the support {d > -u*} is exactly {d > -u_hi}, ties and all; then
tau = (sum of d over the support - 1) / |support| is computed from it, once, in fp32. A
fixed 30 steps for every row, whatever its values: a bounded pass count and no data-
dependent loop. (A bisection on the value of u would need ~150 halvings to reach
neighbouring floats near 0; Michelot's fixed-point iteration converges exactly but its
step count depends on the data.) g is computed in fp32, and so are its comparisons with 1:
an element within the fp32 error of g (about n ulps) of tau may land on either side,
where its y is that small anyway; a sort-based reference in fp32 has the same property.

Working in d = x - m (as softmax subtracts its max) makes the result independent of the
row's magnitude: support elements have d in (-1, 0], exact when |m| >= 2 (Sterbenz), and
tau is formed from their small sum. Liger's fp32 (sum z - 1)/k on the raw values loses
ulp(x) of accuracy (1e-3 at x ~ 1e4). Input -inf is "never chosen": its y is 0. A row of
only -inf comes out all zeros (as Liger's); a row with +inf or NaN gives an unspecified
row (NaN or zeros).

Rounding points: x widened to fp32; everything in fp32; y rounded once at its store. The
backward loads dy and widens it to fp32, sums it over the support, divides by the count,
and rounds that mean v to dy's dtype and back (Liger's rounding point, so bf16/fp16 results
match Liger's); dx = dy - v in fp32, rounded once at its store.

Cost: the tile forward reads x once and writes y once (the 30 bisection steps are register
arithmetic and one row reduction each); the backward reads dy and y once and writes dx.
The looped forward re-reads its row for every pass: 1 (max) + 30 (bisection) + 1 (support)
+ 1 (output) = 33 reads and one write; the looped backward reads dy and y twice.

y may be written over x and dx over dy: every element is read before it is written, by the
same program. Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl

# bits of 1.0f: the largest u the bisection considers (g(1) >= 1 always)
ONE_BITS = tl.constexpr(0x3F800000)
# halvings that take [0, ONE_BITS] to two neighbouring integers: ONE_BITS < 2^30
STEPS = tl.constexpr(30)


@triton.jit
def sparsemax_fwd(Y, y_stride, X, x_stride, n_rows, n_cols, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    ok = (rows < n_rows)[:, None] & (cols < n_cols)[None, :]
    x = tl.load(X + rows[:, None] * x_stride + cols[None, :], mask=ok, other=-float("inf")).to(tl.float32)
    m = tl.max(x, axis=1)
    d = x - m[:, None]  # <= 0; -inf in masked lanes (they add 0 to every sum below)
    lo = tl.zeros([BLOCK_M], dtype=tl.int32)  # bits of u with g(u) < 1
    hi = tl.zeros([BLOCK_M], dtype=tl.int32) + ONE_BITS  # bits of u with g(u) >= 1
    for step in range(STEPS):
        mid = (lo + hi) >> 1
        u = mid.to(tl.float32, bitcast=True)
        g = tl.sum(tl.maximum(d + u[:, None], 0.0), axis=1)
        hi = tl.where(g >= 1.0, mid, hi)
        lo = tl.where(g >= 1.0, lo, mid)
    on = d > -(hi.to(tl.float32, bitcast=True))[:, None]  # the support
    k = tl.sum(on.to(tl.float32), axis=1)
    tau = (tl.sum(tl.where(on, d, 0.0), axis=1) - 1.0) / k
    y = tl.where(d > tau[:, None], d - tau[:, None], 0.0)
    tl.store(Y + rows[:, None] * y_stride + cols[None, :], y, mask=ok)


@triton.jit
def sparsemax_fwd_looped(Y, y_stride, X, x_stride, n_cols, BLOCK_N: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    X += row * x_stride
    Y += row * y_stride
    cols = tl.arange(0, BLOCK_N)
    mx = tl.full([BLOCK_N], -float("inf"), tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        mx = tl.maximum(mx, tl.load(X + c, mask=c < n_cols, other=-float("inf")).to(tl.float32))
    m = tl.max(mx, axis=0)
    lo = tl.zeros((), dtype=tl.int32)
    hi = tl.zeros((), dtype=tl.int32) + ONE_BITS
    for step in range(STEPS):
        mid = (lo + hi) >> 1
        u = mid.to(tl.float32, bitcast=True)
        acc = tl.zeros([BLOCK_N], dtype=tl.float32)
        for start in range(0, n_cols, BLOCK_N):
            c = start + cols
            d = tl.load(X + c, mask=c < n_cols, other=-float("inf")).to(tl.float32) - m
            acc += tl.maximum(d + u, 0.0)
        g = tl.sum(acc, axis=0)
        hi = tl.where(g >= 1.0, mid, hi)
        lo = tl.where(g >= 1.0, lo, mid)
    t = -(hi.to(tl.float32, bitcast=True))
    k = tl.zeros([BLOCK_N], dtype=tl.float32)
    s = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        d = tl.load(X + c, mask=c < n_cols, other=-float("inf")).to(tl.float32) - m
        k += (d > t).to(tl.float32)
        s += tl.where(d > t, d, 0.0)
    tau = (tl.sum(s, axis=0) - 1.0) / tl.sum(k, axis=0)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        d = tl.load(X + c, mask=ok, other=0.0).to(tl.float32) - m
        tl.store(Y + c, tl.where(d > tau, d - tau, 0.0), mask=ok)


@triton.jit
def sparsemax_bwd(DX, dx_stride, DY, dy_stride, Y, y_stride, n_rows, n_cols,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    DT: tl.constexpr = DY.dtype.element_ty
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    ok = (rows < n_rows)[:, None] & (cols < n_cols)[None, :]
    y = tl.load(Y + rows[:, None] * y_stride + cols[None, :], mask=ok, other=0.0)
    dy = tl.load(DY + rows[:, None] * dy_stride + cols[None, :], mask=ok, other=0.0).to(tl.float32)
    on = y > 0.0
    k = tl.sum(on.to(tl.float32), axis=1)
    v = (tl.sum(tl.where(on, dy, 0.0), axis=1) / tl.maximum(k, 1.0)).to(DT).to(tl.float32)
    tl.store(DX + rows[:, None] * dx_stride + cols[None, :], tl.where(on, dy - v[:, None], 0.0), mask=ok)


@triton.jit
def sparsemax_bwd_looped(DX, dx_stride, DY, dy_stride, Y, y_stride, n_cols, BLOCK_N: tl.constexpr):
    DT: tl.constexpr = DY.dtype.element_ty
    row = tl.program_id(0).to(tl.int64)
    DX += row * dx_stride
    DY += row * dy_stride
    Y += row * y_stride
    cols = tl.arange(0, BLOCK_N)
    k = tl.zeros([BLOCK_N], dtype=tl.float32)
    s = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        on = tl.load(Y + c, mask=ok, other=0.0) > 0.0
        k += on.to(tl.float32)
        s += tl.where(on, tl.load(DY + c, mask=ok, other=0.0).to(tl.float32), 0.0)
    v = (tl.sum(s, axis=0) / tl.maximum(tl.sum(k, axis=0), 1.0)).to(DT).to(tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        on = tl.load(Y + c, mask=ok, other=0.0) > 0.0
        dy = tl.load(DY + c, mask=ok, other=0.0).to(tl.float32)
        tl.store(DX + c, tl.where(on, dy - v, 0.0), mask=ok)
