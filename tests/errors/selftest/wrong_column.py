# Wrong on purpose: the column of the error is 9, not 10.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# expect: 8:10: error: name 'undefined_a' is not defined
# expect: 9:9: error: name 'undefined_b' is not defined
