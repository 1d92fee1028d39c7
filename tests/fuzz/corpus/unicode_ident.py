import triton
import triton.language as tl



@triton.jit
def λ_kernel(x_ptr):
    π = 3.14
    tl.store(x_ptr, π)
