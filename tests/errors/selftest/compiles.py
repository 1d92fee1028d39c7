# Wrong on purpose: this kernel compiles, so no error comes.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect: 7:5: error: anything
