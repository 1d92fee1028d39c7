"""Masked vector add over a 1-D grid: z[i] = x[i] + y[i] for i < n.

Runs unchanged under Triton:  add_kernel[(triton.cdiv(n, BLOCK),)](x, y, z, n, BLOCK=1024)
"""
import triton
import triton.language as tl


@triton.jit
def add_kernel(x_ptr, y_ptr, z_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    y = tl.load(y_ptr + offs, mask=mask)
    tl.store(z_ptr + offs, x + y, mask=mask)
