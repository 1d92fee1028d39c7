# An unknown --target.
# args: --target=sm_00
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: unknown target 'sm_00'
