# Wrong on purpose: ligerc exits with 1 for a source error, not 2.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    a = undefined_a
    b = undefined_b


# exit: 2
# expect: 8:9: error: name 'undefined_a' is not defined
# expect: 9:9: error: name 'undefined_b' is not defined
