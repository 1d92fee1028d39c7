# Wrong on purpose: the first error has no hint.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# expect: 8:9: error: name 'undefined_a' is not defined
# hint: there is no such hint
# expect: 9:9: error: name 'undefined_b' is not defined
