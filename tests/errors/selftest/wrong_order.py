# Wrong on purpose: the errors are expected in the wrong order.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# expect: 9:9: error: name 'undefined_b' is not defined
# expect: 8:9: error: name 'undefined_a' is not defined
