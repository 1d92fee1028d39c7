"""Compatibility suite, Liger style: sparsemax (spec/kernels.md §10; Martins & Astudillo,
arXiv 1602.02068).

The host sorts each row in descending order; the forward kernel reads the sorted row z and
the original row x. With cs_r = z_1 + ... + z_r, the support is {r : 1 + r z_r > cs_r},
k its size, tau = (sum of z over the support - 1) / k and y = max(x - tau, 0). The backward
is dx = dy - mean(dy over the support) on the support and 0 elsewhere. Runs unchanged under
Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _sparsemax_forward_kernel(
    x_ptr, x_stride_row, sorted_x_ptr, sorted_x_stride_row, o_ptr, o_stride_row,
    n_cols, BLOCK_SIZE: tl.constexpr, num_warps: tl.constexpr,
):
    row = tl.program_id(0)
    x_row = x_ptr + row * x_stride_row
    z_row = sorted_x_ptr + row * sorted_x_stride_row
    o_row = o_ptr + row * o_stride_row

    offs = tl.arange(0, BLOCK_SIZE)
    mask = offs < n_cols
    z = tl.load(z_row + offs, mask=mask, other=-float("inf"), cache_modifier=".cg").to(tl.float32)
    z_valid = tl.where(mask, z, 0.0)  # masked lanes must not add to the prefix sums
    cs = tl.cumsum(z_valid, 0)
    r = (offs + 1).to(tl.float32)
    support = (1 + r * z > cs) & mask

    k = tl.maximum(tl.sum(support.to(tl.int32), axis=0), 1)
    tau = (tl.sum(tl.where(support, z, 0.0), axis=0) - 1) / k

    x = tl.load(x_row + offs, mask=mask, other=0.0, cache_modifier=".cg").to(tl.float32)
    y = tl.maximum(x - tau, 0.0)
    tl.store(o_row + offs, tl.cast(y, o_ptr.dtype.element_ty), mask=mask, cache_modifier=".cs")


@triton.jit
def _sparsemax_backward_kernel(
    o_ptr, go_ptr, gi_ptr, stride, n_cols, BLOCK_SIZE: tl.constexpr, num_warps: tl.constexpr,
):
    row = tl.program_id(0)
    o_row = o_ptr + row * stride
    go_row = go_ptr + row * stride
    gi_row = gi_ptr + row * stride
    n_chunks = tl.cdiv(n_cols, BLOCK_SIZE)

    support_count = tl.zeros((), tl.float32)
    go_sum = tl.zeros((), tl.float32)
    for i in tl.range(0, n_chunks):
        offs = i * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
        mask = offs < n_cols
        o = tl.load(o_row + offs, mask=mask, other=0.0, cache_modifier=".ca").to(tl.float32)
        go = tl.load(go_row + offs, mask=mask, other=0.0).to(tl.float32)
        in_support = o > 0.0
        go_sum += tl.sum(tl.where(in_support, go, 0.0), axis=0)
        support_count += tl.sum(in_support.to(tl.float32), axis=0)

    v = go_sum / tl.maximum(support_count, 1e-6)
    v = v.to(gi_ptr.dtype.element_ty).to(tl.float32)  # rounded like the gradient itself

    for i in tl.range(0, n_chunks):
        offs = i * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
        mask = offs < n_cols
        o = tl.load(o_row + offs, mask=mask, other=0.0, cache_modifier=".ca").to(tl.float32)
        go = tl.load(go_row + offs, mask=mask, other=0.0).to(tl.float32)
        gi = tl.where(o > 0.0, go - v, 0.0)
        tl.store(gi_row + offs, gi.to(gi_ptr.dtype.element_ty), mask=mask, cache_modifier=".wb")
