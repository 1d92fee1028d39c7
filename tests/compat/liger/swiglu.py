"""Compatibility suite, Liger style: SwiGLU's elementwise part (spec/kernels.md §4).

c = silu(g * a) * b, with silu computed in fp32 by a nested jit helper that returns a value.
The backward recomputes silu and writes da into a and db into b (in place). A tiled forward
uses a 2-D grid (rows on axis 0, column blocks on axis 1). Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def silu(x):
    return x * tl.sigmoid(x)


@triton.jit
def _swiglu_forward_kernel(a_ptr, b_ptr, c_ptr, stride, gate_multiplier,
                           n_cols: tl.constexpr, BLOCK_SIZE: tl.constexpr):
    program_id = tl.program_id(0).to(tl.int64)
    a_ptr += program_id * stride
    b_ptr += program_id * stride
    c_ptr += program_id * stride

    col_offsets = tl.arange(0, BLOCK_SIZE)
    mask = col_offsets < n_cols
    # a in fp32 for the activation; the product with b stays in b's dtype
    a_row = tl.load(a_ptr + col_offsets, mask=mask, other=0).to(tl.float32)
    b_row = tl.load(b_ptr + col_offsets, mask=mask, other=0)
    a_row = a_row * gate_multiplier.to(tl.float32)
    c_row = silu(a_row).cast(b_row.dtype) * b_row
    tl.store(c_ptr + col_offsets, c_row, mask=mask)


@triton.jit
def _swiglu_forward_tiled_kernel(a_ptr, b_ptr, c_ptr, stride, gate_multiplier, n_cols,
                                 BLOCK_SIZE: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    col_block = tl.program_id(1)
    a_ptr += row * stride
    b_ptr += row * stride
    c_ptr += row * stride

    col_offsets = col_block * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = col_offsets < n_cols
    a_row = tl.load(a_ptr + col_offsets, mask=mask, other=0).to(tl.float32)
    b_row = tl.load(b_ptr + col_offsets, mask=mask, other=0)
    a_row = a_row * gate_multiplier.to(tl.float32)
    c_row = silu(a_row).cast(b_row.dtype) * b_row
    tl.store(c_ptr + col_offsets, c_row, mask=mask)


@triton.jit
def _swiglu_backward_kernel(dc_ptr, a_ptr, b_ptr, stride, gate_multiplier,
                            n_cols: tl.constexpr, BLOCK_SIZE: tl.constexpr):
    # z = g*a, s = sigmoid(z): db = dc * silu(z), da = dc * (silu(z) * (1 - s) + s) * b * g
    program_id = tl.program_id(0).to(tl.int64)
    dc_ptr += program_id * stride
    a_ptr += program_id * stride
    b_ptr += program_id * stride

    col_offsets = tl.arange(0, BLOCK_SIZE)
    mask = col_offsets < n_cols
    dc_row = tl.load(dc_ptr + col_offsets, mask=mask, other=0)
    a_row = tl.load(a_ptr + col_offsets, mask=mask, other=0).to(tl.float32)
    b_row = tl.load(b_ptr + col_offsets, mask=mask, other=0)
    g = gate_multiplier.to(tl.float32)

    z = a_row * g
    sig_z = tl.sigmoid(z)
    silu_z = z * sig_z
    db_row = dc_row * silu_z
    da_row = dc_row * (silu_z * (1 - sig_z) + sig_z) * b_row * g

    tl.store(a_ptr + col_offsets, da_row, mask=mask)
    tl.store(b_ptr + col_offsets, db_row, mask=mask)
