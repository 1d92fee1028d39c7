# ligerc usage: -D without NAME=VALUE.
# args: -D BLOCK
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: ligerc: -D needs NAME=VALUE
