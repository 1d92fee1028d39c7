import triton
import triton.language as tl


@triton.jit
def f(x):
    return f(x) + f(x)


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, f(1))
