# Wrong on purpose: a test file must announce at least one error.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b

