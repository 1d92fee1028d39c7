# An output that fails on write (a full device).
# args: --emit=tir -o /dev/full
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: ligerc: write error
