# A kernel (not a helper) that returns a value.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    return tl.load(x_ptr)

# expect: 7:5: error: a kernel cannot return a value
# hint: store the result through a pointer argument with tl.store
