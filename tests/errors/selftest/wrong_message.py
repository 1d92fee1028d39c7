# Wrong on purpose: the message names undefined_a.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# expect: 8:9: error: name 'something_else' is not defined
# expect: 9:9: error: name 'undefined_b' is not defined
