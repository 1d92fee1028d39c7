"""Kernels for tests/exec_checks_warps.c, which launches each with 1, 2, 4, 8, 16 and 32 warps,
so that tiles are smaller than, as large as, and larger than the program's threads. They run
unchanged under Triton.
"""
import triton
import triton.language as tl


@triton.jit
def reduce2d_kernel(x_ptr, out_ptr, M, N, BM: tl.constexpr, BN: tl.constexpr):
    # sum, max and argmax (the first of ties) over each axis of a masked [BM, BN] tile, and
    # the total as a reduction of a reduction; out holds 3 * (BM + BN) + 1 floats
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    mask = (rm[:, None] < M) & (rn[None, :] < N)
    x = tl.load(x_ptr + rm[:, None] * N + rn[None, :], mask=mask, other=float("-inf"))
    xs = tl.where(mask, x, 0.0)
    tl.store(out_ptr + rm, tl.sum(xs, axis=1), mask=rm < M)
    tl.store(out_ptr + BM + rn, tl.sum(xs, axis=0), mask=rn < N)
    tl.store(out_ptr + BM + BN + rm, tl.max(x, axis=1), mask=rm < M)
    tl.store(out_ptr + 2 * BM + BN + rn, tl.max(x, axis=0), mask=rn < N)
    tl.store(out_ptr + 2 * BM + 2 * BN + rm, tl.argmax(x, axis=1).to(tl.float32), mask=rm < M)
    tl.store(out_ptr + 3 * BM + 2 * BN + rn, tl.argmax(x, axis=0).to(tl.float32), mask=rn < N)
    tl.store(out_ptr + 3 * BM + 3 * BN, tl.sum(tl.sum(xs, axis=1), axis=0))


@triton.jit
def _max(a, b):
    return tl.maximum(a, b)


@triton.jit
def scan2d_kernel(x_ptr, out_ptr, M, N, BM: tl.constexpr, BN: tl.constexpr):
    # cumsum along rows, reversed cumsum along columns, a running max along rows
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    mask = (rm[:, None] < M) & (rn[None, :] < N)
    offs = rm[:, None] * N + rn[None, :]
    x = tl.load(x_ptr + offs, mask=mask, other=0)
    tl.store(out_ptr + offs, tl.cumsum(x, axis=1), mask=mask)
    tl.store(out_ptr + M * N + offs, tl.cumsum(x, axis=0, reverse=True), mask=mask)
    tl.store(out_ptr + 2 * M * N + offs, tl.associative_scan(x, 1, _max), mask=mask)


@triton.jit
def atomic_tile_kernel(cnt_ptr, max_ptr, old_ptr, n, K, BLOCK: tl.constexpr):
    # tensor atomics whose old values are used: each element takes a ticket from one of K
    # counters; atomic_max of the offsets into K slots
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    old = tl.atomic_add(cnt_ptr + offs % K, 1, mask=mask)
    tl.store(old_ptr + offs, old, mask=mask)
    tl.atomic_max(max_ptr + offs % K, offs, mask=mask)


@triton.jit
def bool_kernel(x_ptr, m_ptr, out_ptr, count_ptr, n, BLOCK: tl.constexpr):
    # int1 pointers: bool tensors are bytes; a load gives byte != 0, a store writes 0 or 1
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inb = offs < n
    m = tl.load(m_ptr + offs, mask=inb, other=False)
    x = tl.load(x_ptr + offs, mask=inb, other=0.0)
    tl.store(out_ptr + offs, m & (x > 0), mask=inb)
    tl.store(out_ptr + n + offs, ~m, mask=inb)
    tl.store(count_ptr + tl.program_id(0), tl.sum(m.to(tl.int32), axis=0))
    first = tl.load(m_ptr)
    tl.store(out_ptr + 2 * n + tl.program_id(0), first)
