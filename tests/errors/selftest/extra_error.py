# Wrong on purpose: the second error is not announced (an unexpected error fails).
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# expect: 8:9: error: name 'undefined_a' is not defined
