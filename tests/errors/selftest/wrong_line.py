# Wrong on purpose: the first error is on line 8, not 7.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# expect: 7:9: error: name 'undefined_a' is not defined
# expect: 9:9: error: name 'undefined_b' is not defined
