# ligerc usage: an unknown --emit kind.
# args: --emit=bogus
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: ligerc: unknown --emit kind 'bogus' (use tir, layout
