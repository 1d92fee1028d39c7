"""Language-feature kernels for the execution tests (tests/exec_checks.c).

Each kernel exercises one group of features and also runs unchanged under Triton.
"""
import triton
import triton.language as tl


@triton.jit
def row_sum_kernel(x_ptr, y_ptr, n_cols, stride, BLOCK: tl.constexpr):
    # runtime for loop with a loop-carried tile, then a runtime if on a scalar
    row = tl.program_id(0)
    acc = tl.zeros((BLOCK,), dtype=tl.float32)
    for start in range(0, n_cols, BLOCK):
        offs = start + tl.arange(0, BLOCK)
        x = tl.load(x_ptr + row * stride + offs, mask=offs < n_cols, other=0.0)
        acc += x
    total = tl.sum(acc, axis=0)
    if row == 0:
        total = total * 2
    tl.store(y_ptr + row, total)


@triton.jit
def early_exit_kernel(x_ptr, y_ptr, n):
    # early return from a runtime if at the top level, and a while loop with two carried scalars
    pid = tl.program_id(0)
    v = tl.load(x_ptr + pid)
    if v < 0:
        tl.store(y_ptr + pid, -1.0)
        return
    s = 0.0
    i = 0
    while i < n:
        s += v
        i += 1
    tl.store(y_ptr + pid, s)


@triton.jit
def block2d_kernel(x_ptr, rowsum_ptr, colmax_ptr, M, N, stride_m, BM: tl.constexpr, BN: tl.constexpr):
    # 2-D tiles: [:, None] / [None, :] broadcasting, &-combined masks, reductions on both axes
    offs_m = tl.arange(0, BM)
    offs_n = tl.arange(0, BN)
    mask = (offs_m[:, None] < M) & (offs_n[None, :] < N)
    x = tl.load(x_ptr + offs_m[:, None] * stride_m + offs_n[None, :], mask=mask, other=float("-inf"))
    xs = tl.where(mask, x, 0.0)
    tl.store(rowsum_ptr + offs_m, tl.sum(xs, axis=1), mask=offs_m < M)
    tl.store(colmax_ptr + offs_n, tl.max(x, axis=0), mask=offs_n < N)


@triton.jit
def helper_scale(x, k: tl.constexpr):
    if k == 1:
        return x
    return x * k


@triton.jit
def scalar_loop_kernel(out_ptr, n, K: tl.constexpr):
    # jit helper inlined (constexpr if with return), loop with a runtime bound and min()
    acc = 0
    for i in range(n):
        acc += min(i, 10)
    acc = helper_scale(acc, K)
    tl.store(out_ptr + tl.program_id(0), acc)


@triton.jit
def histogram_kernel(x_ptr, bins_ptr, n, BLOCK: tl.constexpr):
    # tl.atomic_add on a tensor of pointers with a mask (many programs hit the same bins)
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    v = tl.load(x_ptr + offs, mask=mask, other=0)
    tl.atomic_add(bins_ptr + v, 1, mask=mask)


@triton.jit
def atomic_mix_kernel(counter_ptr, order_ptr, fmax_ptr, imin_ptr, owner_ptr, vals_ptr):
    # scalar atomics whose old values are used: a ticket counter, float max, int min, CAS
    pid = tl.program_id(0)
    ticket = tl.atomic_add(counter_ptr, 1)
    tl.store(order_ptr + ticket, pid)
    v = tl.load(vals_ptr + pid)
    tl.atomic_max(fmax_ptr, v)
    tl.atomic_min(imin_ptr, (v * 100).to(tl.int32), sem="relaxed", scope="gpu")
    old = tl.atomic_cas(owner_ptr, -1, pid)
    tl.store(order_ptr + 1000 + pid, old)


@triton.jit
def _pick_larger(a, b):
    return tl.where(a > b, a, b)


@triton.jit
def _add(a, b):
    return a + b


@triton.jit
def reduce_scan_kernel(x_ptr, out_ptr, M, N, BM: tl.constexpr, BN: tl.constexpr):
    # argmax/argmin (ties go to the first index), max with indices, tl.reduce with a jit
    # combine function, cumsum/cumprod (forward and reverse) and associative_scan on 2-D tiles
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    mask = (rm[:, None] < M) & (rn[None, :] < N)
    x = tl.load(x_ptr + rm[:, None] * N + rn[None, :], mask=mask, other=-1000.0)
    tl.store(out_ptr + rm, tl.argmax(x, axis=1), mask=rm < M)
    tl.store(out_ptr + BM + rn, tl.argmin(tl.where(mask, x, 1000.0), axis=0), mask=rn < N)
    mx, imx = tl.max(x, axis=1, return_indices=True)
    tl.store(out_ptr + BM + BN + rm, imx + (mx * 0).to(tl.int32), mask=rm < M)
    red = tl.reduce(x, 1, _pick_larger)
    tl.store(out_ptr + 2 * BM + BN + rm, red.to(tl.int32), mask=rm < M)
    xi = tl.where(mask, x, 0.0).to(tl.int32)
    cs = tl.cumsum(xi, axis=1)
    tl.store(out_ptr + 3 * BM + BN + rm[:, None] * BN + rn[None, :], cs, mask=mask)
    rs = tl.cumsum(xi, axis=0, reverse=True)
    tl.store(out_ptr + 3 * BM + BN + BM * BN + rm[:, None] * BN + rn[None, :], rs, mask=mask)
    sc = tl.associative_scan(xi, 1, _add)
    tl.store(out_ptr + 3 * BM + BN + 2 * BM * BN + rm[:, None] * BN + rn[None, :], sc, mask=mask)
    cp = tl.cumprod(tl.where(mask, (xi % 3) - 1, 1), axis=1)
    tl.store(out_ptr + 3 * BM + BN + 3 * BM * BN + rm[:, None] * BN + rn[None, :], cp, mask=mask)


@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    # tl.dot with an accumulator carried through a loop over K, a 2-D grid, masked tails
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
def shape_ops_kernel(x_ptr, out_ptr, BM: tl.constexpr, BN: tl.constexpr):
    # tl.trans / .T / tl.permute, tl.reshape and tl.ravel on a [BM, BN] tile
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    x = tl.load(x_ptr + rm[:, None] * BN + rn[None, :])
    t = tl.trans(x)
    tl.store(out_ptr + rn[:, None] * BM + rm[None, :], t)
    tl.store(out_ptr + BM * BN + rn[:, None] * BM + rm[None, :], x.T + tl.permute(x, 1, 0))
    flat = tl.reshape(x, (BM * BN,))
    tl.store(out_ptr + 2 * BM * BN + tl.arange(0, BM * BN), flat * 3)
    r2 = tl.reshape(x, BN, BM)
    tl.store(out_ptr + 3 * BM * BN + tl.arange(0, BN)[:, None] * BM + tl.arange(0, BM)[None, :], r2)
    tl.store(out_ptr + 4 * BM * BN + tl.arange(0, BM * BN), tl.ravel(t))


@triton.autotune(
    configs=[triton.Config({"BLOCK": 128}, num_warps=4), triton.Config({"BLOCK": 256}, num_warps=8)],
    key=["n"],
)
@triton.heuristics({"EVEN": lambda args: args["n"] % args["BLOCK"] == 0,
                    "NP2": lambda args: triton.next_power_of_2(args["n"])})
@triton.jit
def decorated_kernel(x_ptr, y_ptr, info_ptr, n, BLOCK: tl.constexpr, EVEN: tl.constexpr, NP2: tl.constexpr):
    # @triton.autotune (its first config is used until tuning exists) and @triton.heuristics
    # evaluated per launch: EVEN drops the mask, NP2 is written out for the test to read
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    if EVEN:
        tl.store(y_ptr + offs, tl.load(x_ptr + offs) * 2)
    else:
        m = offs < n
        tl.store(y_ptr + offs, tl.load(x_ptr + offs, mask=m) * 2, mask=m)
    tl.store(info_ptr, NP2)
    tl.store(info_ptr + 1, 1 if EVEN else 0)
    tl.store(info_ptr + 2, BLOCK)


@triton.jit
def where_ptr_kernel(a_ptr, b_ptr, y_ptr, n, BLOCK: tl.constexpr):
    """y[i] = a[i] for even i, b[i] for odd i: tl.where chooses between two pointer tiles."""
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    src = tl.where(offs % 2 == 0, a_ptr + offs, b_ptr + offs)
    tl.store(y_ptr + offs, tl.load(src, mask=mask), mask=mask)
