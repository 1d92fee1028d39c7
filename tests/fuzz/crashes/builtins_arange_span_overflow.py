import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr + tl.arange(-9223372036854775807, 16), 1)
