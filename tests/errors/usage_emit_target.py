# An output kind the target does not have (PTX for the CPU).
# args: --target=cpu --emit=ptx
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: this output kind does not exist for target cpu
