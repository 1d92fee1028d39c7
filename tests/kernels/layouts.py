"""2-D index patterns that need no layout conversion on GPUs (tests/test_ptx_features.sh checks
their PTX has no barrier and no shared memory; tests/exec_checks_warps.c checks their numbers).

Each builds its pointer tiles as base + rows[:, None] * stride + cols[None, :]; the 1-D index
vectors and the 1-D loads broadcast over a tile must be produced in slices of the 2-D tile's
layout (a row broadcast over tiles of two shapes is loaded once for each). They run unchanged
under Triton.
"""
import triton
import triton.language as tl


@triton.jit
def copy2d_kernel(x_ptr, y_ptr, M, N, stride_x, stride_y, BM: tl.constexpr, BN: tl.constexpr):
    # a masked 2-D copy between differently strided matrices, over a 2-D grid
    offs_m = tl.program_id(0) * BM + tl.arange(0, BM)
    offs_n = tl.program_id(1) * BN + tl.arange(0, BN)
    mask = (offs_m[:, None] < M) & (offs_n[None, :] < N)
    x = tl.load(x_ptr + offs_m[:, None] * stride_x + offs_n[None, :], mask=mask)
    tl.store(y_ptr + offs_m[:, None] * stride_y + offs_n[None, :], x, mask=mask)


@triton.jit
def rope_kernel(q_ptr, cos_ptr, sin_ptr, out_ptr, seq_len, HD: tl.constexpr, BT: tl.constexpr):
    # RoPE-style rotation of [seq_len, HD] rows: the two halves of each row and the [seq_len,
    # HD // 2] cos/sin tables, all through [:, None] * stride + [None, :] tiles
    rows = tl.program_id(0) * BT + tl.arange(0, BT)
    half = tl.arange(0, HD // 2)
    mask = rows[:, None] < seq_len
    base = rows[:, None] * HD + half[None, :]
    x1 = tl.load(q_ptr + base, mask=mask, other=0.0)
    x2 = tl.load(q_ptr + base + HD // 2, mask=mask, other=0.0)
    c = tl.load(cos_ptr + rows[:, None] * (HD // 2) + half[None, :], mask=mask, other=0.0)
    s = tl.load(sin_ptr + rows[:, None] * (HD // 2) + half[None, :], mask=mask, other=0.0)
    tl.store(out_ptr + base, x1 * c - x2 * s, mask=mask)
    tl.store(out_ptr + base + HD // 2, x2 * c + x1 * s, mask=mask)


@triton.jit
def scale2d_kernel(x_ptr, w_ptr, b_ptr, y_ptr, M, N, BM: tl.constexpr, BN: tl.constexpr):
    # y = x * w[None, :] + b[:, None]: 1-D rows of weights and biases loaded and broadcast
    # over the tile
    rows = tl.program_id(0) * BM + tl.arange(0, BM)
    cols = tl.arange(0, BN)
    w = tl.load(w_ptr + cols, mask=cols < N, other=0.0)
    b = tl.load(b_ptr + rows, mask=rows < M, other=0.0)
    mask = (rows[:, None] < M) & (cols[None, :] < N)
    x = tl.load(x_ptr + rows[:, None] * N + cols[None, :], mask=mask, other=0.0)
    tl.store(y_ptr + rows[:, None] * N + cols[None, :], x * w[None, :] + b[:, None], mask=mask)


@triton.jit
def two_tiles_kernel(q_ptr, k_ptr, w_ptr, NQ: tl.constexpr, NK: tl.constexpr, D: tl.constexpr):
    # one row w broadcast over tiles of two shapes, as RoPE's cos row over the q and the k
    # heads: q[h, :] *= w and k[h, :] *= w for the program's [NQ, D] and [NK, D] blocks
    pid = tl.program_id(0)
    d = tl.arange(0, D)
    w = tl.load(w_ptr + pid * D + d)
    qo = pid * NQ * D + tl.arange(0, NQ)[:, None] * D + d[None, :]
    ko = pid * NK * D + tl.arange(0, NK)[:, None] * D + d[None, :]
    tl.store(q_ptr + qo, tl.load(q_ptr + qo) * w[None, :])
    tl.store(k_ptr + ko, tl.load(k_ptr + ko) * w[None, :])
