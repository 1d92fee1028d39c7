"""Kernels on large tiles (up to Triton's 2^20 elements) for tests/exec_checks_big.c.

On the CPU, a tile above LIGER_CPU_UNROLL_MAX elements lives in scratch memory and every op
on it is a runtime loop (codegen/lower_cpu_loop.c); these kernels cover the ops in that form,
mixed with small tiles. They run unchanged under Triton.
"""
import triton
import triton.language as tl


@triton.jit
def big_axpy_kernel(x_ptr, y_ptr, z_ptr, n, alpha, BLOCK: tl.constexpr):
    # elementwise on a masked block with a tail, `other`, a gathered (reversed) load, select
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0.0)
    y = tl.load(y_ptr + (n - 1 - offs), mask=mask, other=1.0)
    z = alpha * x + y
    z = tl.where(x > 0, z, -z)
    tl.store(z_ptr + offs, z, mask=mask)


@triton.jit
def big_layer_norm_kernel(x_ptr, y_ptr, w_ptr, b_ptr, mean_ptr, rstd_ptr, stride, n_cols, eps,
                          BLOCK: tl.constexpr):
    # one row per program: two row reductions, then a normalisation with weights and bias
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * stride + cols, mask=mask, other=0.0).to(tl.float32)
    mean = tl.sum(x, axis=0) / n_cols
    xc = tl.where(mask, x - mean, 0.0)
    var = tl.sum(xc * xc, axis=0) / n_cols
    rstd = 1 / tl.sqrt(var + eps)
    w = tl.load(w_ptr + cols, mask=mask, other=0.0)
    b = tl.load(b_ptr + cols, mask=mask, other=0.0)
    tl.store(y_ptr + row * stride + cols, xc * rstd * w + b, mask=mask)
    tl.store(mean_ptr + row, mean)
    tl.store(rstd_ptr + row, rstd)


@triton.jit
def _add(a, b):
    return a + b


@triton.jit
def _pick_larger(a, b):
    return tl.where(a > b, a, b)


@triton.jit
def _pick_larger_if(a, b):
    # control flow in a combine function
    if a > b:
        r = a
    else:
        r = b
    return r


@triton.jit
def big_argmax_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # reductions of one block: argmax / argmin (the first of ties), max, xor_sum, min, max
    # with indices, tl.reduce with a combine function that branches
    offs = tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=float("-inf"))
    tl.store(out_ptr, tl.argmax(x, axis=0))
    tl.store(out_ptr + 1, tl.argmin(tl.where(mask, x, float("inf")), axis=0))
    tl.store(out_ptr + 2, tl.max(x, axis=0).to(tl.int32))
    xi = tl.where(mask, x, 0.0).to(tl.int32)
    tl.store(out_ptr + 3, tl.xor_sum(xi, axis=0))
    tl.store(out_ptr + 4, tl.min(xi, axis=0))
    mx, imx = tl.max(x, axis=0, return_indices=True)
    tl.store(out_ptr + 5, imx)
    tl.store(out_ptr + 6, tl.reduce(x, 0, _pick_larger_if).to(tl.int32))


@triton.jit
def big_scan_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # 1-D scans over one block: cumsum both ways, associative_scan with jit functions (one
    # that branches), cumprod
    offs = tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0)
    tl.store(out_ptr + offs, tl.cumsum(x, axis=0), mask=mask)
    tl.store(out_ptr + BLOCK + offs, tl.cumsum(x, axis=0, reverse=True), mask=mask)
    tl.store(out_ptr + 2 * BLOCK + offs, tl.associative_scan(x, 0, _add), mask=mask)
    tl.store(out_ptr + 3 * BLOCK + offs, tl.cumprod(tl.where(x % 2 == 0, 1, -1), axis=0), mask=mask)
    tl.store(out_ptr + 4 * BLOCK + offs, tl.associative_scan(x, 0, _pick_larger_if), mask=mask)


@triton.jit
def big_2d_kernel(x_ptr, out_ptr, M, N, BM: tl.constexpr, BN: tl.constexpr):
    # a [BM, BN] tile reduced over each axis (sum, max, argmin, tl.reduce with a jit
    # function) and scanned over each axis
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    mask = (rm[:, None] < M) & (rn[None, :] < N)
    x = tl.load(x_ptr + rm[:, None] * N + rn[None, :], mask=mask, other=0.0)
    tl.store(out_ptr + rm, tl.sum(x, axis=1), mask=rm < M)
    tl.store(out_ptr + BM + rn, tl.max(tl.where(mask, x, float("-inf")), axis=0), mask=rn < N)
    tl.store(out_ptr + BM + BN + rn, tl.argmin(tl.where(mask, x, float("inf")), axis=0).to(tl.float32), mask=rn < N)
    tl.store(out_ptr + BM + 2 * BN + rm, tl.reduce(tl.where(mask, x, -1000.0), 1, _pick_larger), mask=rm < M)
    base = out_ptr + 2 * BM + 2 * BN
    tl.store(base + rm[:, None] * BN + rn[None, :], tl.cumsum(x, axis=0), mask=mask)
    tl.store(base + BM * BN + rm[:, None] * BN + rn[None, :], tl.cumsum(x, axis=1, reverse=True), mask=mask)


@triton.jit
def big_3d_kernel(x_ptr, out_ptr, A: tl.constexpr, B: tl.constexpr, C: tl.constexpr):
    # a 3-D tile: a reduction and a scan over the middle and outer axes, and a permute
    ra = tl.arange(0, A)[:, None, None]
    rb = tl.arange(0, B)[None, :, None]
    rc = tl.arange(0, C)[None, None, :]
    x = tl.load(x_ptr + ra * B * C + rb * C + rc)
    s = tl.sum(x, axis=1)
    tl.store(out_ptr + tl.arange(0, A)[:, None] * C + tl.arange(0, C)[None, :], s)
    base = out_ptr + A * C
    tl.store(base + ra * B * C + rb * C + rc, tl.cumsum(x, axis=0))
    pc = tl.arange(0, C)[:, None, None]
    pa = tl.arange(0, A)[None, :, None]
    pb = tl.arange(0, B)[None, None, :]
    tl.store(base + A * B * C + pc * A * B + pa * B + pb, tl.permute(x, (2, 0, 1)))


@triton.jit
def big_shape_kernel(x_ptr, r_ptr, c_ptr, out_ptr, BM: tl.constexpr, BN: tl.constexpr):
    # trans, reshape and broadcasts of [BM] and [BN] tiles into a [BM, BN] one
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    x = tl.load(x_ptr + rm[:, None] * BN + rn[None, :])
    tl.store(out_ptr + rn[:, None] * BM + rm[None, :], tl.trans(x))
    r = tl.load(r_ptr + rm)
    c = tl.load(c_ptr + rn)
    tl.store(out_ptr + BM * BN + rm[:, None] * BN + rn[None, :], r[:, None] + c[None, :] * x)
    t = tl.reshape(tl.trans(x), (BM * BN,))
    tl.store(out_ptr + 2 * BM * BN + tl.arange(0, BM * BN), t + 1.0)


@triton.jit
def big_small_kernel(x_ptr, w_ptr, out_ptr, ROWS: tl.constexpr, COLS: tl.constexpr):
    # a small tile (and a scalar) broadcast into a large one
    rows = tl.arange(0, ROWS)
    cols = tl.arange(0, COLS)
    w = tl.load(w_ptr + cols)
    s = tl.load(w_ptr + COLS)
    x = tl.load(x_ptr + rows[:, None] * COLS + cols[None, :])
    tl.store(out_ptr + rows[:, None] * COLS + cols[None, :], x * w[None, :] + s)


@triton.jit
def big_loop_kernel(x_ptr, out_ptr, n_iter, BLOCK: tl.constexpr):
    # runtime loops carrying big tiles: a sum, a rotation (a, b = b, a + b), a swap
    # (p, q = q, p), a while loop, and a runtime if merging big tiles
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    acc = tl.zeros((BLOCK,), dtype=tl.float32)
    a = x
    b = tl.full((BLOCK,), 1.0, tl.float32)
    p = x
    q = x * 2.0
    for i in range(n_iter):
        acc += x * i
        a, b = b, a + b
        p, q = q, p
    c = x
    j = 0
    while j < n_iter:
        c = c * 0.5
        j += 1
    if n_iter % 2 == 0:
        d = x + 1.0
    else:
        d = x - a
    tl.store(out_ptr + offs, acc)
    tl.store(out_ptr + BLOCK + offs, a)
    tl.store(out_ptr + 2 * BLOCK + offs, b)
    tl.store(out_ptr + 3 * BLOCK + offs, c)
    tl.store(out_ptr + 4 * BLOCK + offs, d)
    tl.store(out_ptr + 5 * BLOCK + offs, p)
    tl.store(out_ptr + 6 * BLOCK + offs, q)


@triton.jit
def big_dot_kernel(a_ptr, b_ptr, c_ptr, M, N, K, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    # tl.dot of big tiles with an accumulator carried through a loop over K, masked tails
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    rm = pid_m * BM + tl.arange(0, BM)
    rn = pid_n * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    acc = tl.zeros((BM, BN), dtype=tl.float32 if a_ptr.dtype.element_ty != tl.int8 else tl.int32)
    for k0 in range(0, K, BK):
        a = tl.load(a_ptr + rm[:, None] * K + (k0 + rk)[None, :], mask=(rm[:, None] < M) & ((k0 + rk)[None, :] < K), other=0)
        b = tl.load(b_ptr + (k0 + rk)[:, None] * N + rn[None, :], mask=((k0 + rk)[:, None] < K) & (rn[None, :] < N), other=0)
        acc += tl.dot(a, b)
    tl.store(c_ptr + rm[:, None] * N + rn[None, :], acc, mask=(rm[:, None] < M) & (rn[None, :] < N))


@triton.jit
def big_histogram_kernel(x_ptr, bins_ptr, n, BLOCK: tl.constexpr):
    # tl.atomic_add over a big masked tile of pointers
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    v = tl.load(x_ptr + offs, mask=mask, other=0)
    tl.atomic_add(bins_ptr + v, 1, mask=mask)
