"""Debugging and hint ops: tl.device_print / print, tl.device_assert (debug builds only),
tl.multiple_of / tl.max_contiguous / tl.max_constancy. Valid Triton: runs unchanged there."""
import triton
import triton.language as tl


@triton.jit
def print_kernel(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n, other=-1)
    tl.device_print("x=", x)
    print("n=", n)
    tl.device_print("h=", offs, hex=True)


@triton.jit(debug=True)
def assert_kernel(x_ptr, n, limit, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0)
    tl.device_assert(x < limit, "x must stay below limit", mask=mask)
    tl.store(x_ptr + offs, x + 1, mask=mask)


@triton.jit
def hinted_copy_kernel(x_ptr, y_ptr, n, start, BLOCK: tl.constexpr):
    # start is a runtime int: only the hints say the offsets are aligned and contiguous
    base = tl.multiple_of(start, 16)
    offs = tl.max_contiguous(tl.multiple_of(base + tl.arange(0, BLOCK), 16), BLOCK)
    mask = offs < n
    tl.store(y_ptr + offs, tl.load(x_ptr + offs, mask=mask), mask=mask)
