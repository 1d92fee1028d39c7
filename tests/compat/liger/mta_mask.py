"""Compatibility suite, Liger style: the causal masks of multi-token attention
(spec/kernels.md §8; Golovneva et al., arXiv 2504.00927).

Scores are (N, L, L) matrices; a 3-D grid (row block, column block, matrix) covers them with
[BLOCK, BLOCK] tiles. The forward replaces the future (column > row) with mask_val without
reading it; the backward zeroes the gradient there. Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _mask_fwd_kernel(
    scores_ptr, out_ptr, stride_b, stride_m, stride_n, L,
    mask_val: tl.constexpr, BLOCK: tl.constexpr, num_warps: tl.constexpr,
):
    row_block = tl.program_id(0)
    col_block = tl.program_id(1)
    batch = tl.program_id(2)

    rows = row_block * BLOCK + tl.arange(0, BLOCK)
    cols = col_block * BLOCK + tl.arange(0, BLOCK)
    in_bounds = (rows[:, None] < L) & (cols[None, :] < L)
    future = cols[None, :] > rows[:, None]

    offs = batch * stride_b + rows[:, None] * stride_m + cols[None, :] * stride_n
    s = tl.load(scores_ptr + offs, mask=in_bounds & ~future, other=mask_val, cache_modifier=".ca")
    tl.store(out_ptr + offs, s, mask=in_bounds, cache_modifier=".cs")


@triton.jit
def _mask_bwd_kernel(
    grad_in_ptr, grad_out_ptr, stride_b, stride_m, stride_n, L,
    BLOCK: tl.constexpr, num_warps: tl.constexpr,
):
    row_block = tl.program_id(0)
    col_block = tl.program_id(1)
    batch = tl.program_id(2)

    rows = row_block * BLOCK + tl.arange(0, BLOCK)
    cols = col_block * BLOCK + tl.arange(0, BLOCK)
    in_bounds = (rows[:, None] < L) & (cols[None, :] < L)
    future = cols[None, :] > rows[:, None]

    offs = batch * stride_b + rows[:, None] * stride_m + cols[None, :] * stride_n
    g = tl.load(grad_in_ptr + offs, mask=in_bounds, other=0.0, cache_modifier=".ca")
    g = tl.where(future, tl.zeros(g.shape, g.dtype), g)
    tl.store(grad_out_ptr + offs, g, mask=in_bounds, cache_modifier=".wb")
