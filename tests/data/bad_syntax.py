"""A kernel with a syntax error, for tests/test_ligerc_error.sh: line 9, column 31 (the ')')."""
import triton
import triton.language as tl


@triton.jit
def bad_kernel(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    y = tl.load(x_ptr + offs *)
    tl.store(x_ptr + offs, y * 2, mask=offs < n)
