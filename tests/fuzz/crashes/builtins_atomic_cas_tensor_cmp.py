import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    v = tl.arange(0, 16)
    tl.atomic_cas(x_ptr, v, 1)
