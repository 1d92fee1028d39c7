# Wrong on purpose: the note names the wrong helper.
import triton
import triton.language as tl


@triton.jit
def helper(x):
    return undefined_in_helper


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, helper(1.0))


# expect: 8:12: error: name 'undefined_in_helper' is not defined
# note: in other_helper(), called from
