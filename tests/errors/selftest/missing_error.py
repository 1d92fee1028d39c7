# Wrong on purpose: a third error is expected that never comes.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# expect: 8:9: error: name 'undefined_a' is not defined
# expect: 9:9: error: name 'undefined_b' is not defined
# expect: 10:9: error: name 'undefined_c' is not defined
