# ligerc usage: no input file.
# input: -
# args: --emit=tir
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: usage: ligerc FILE.py [options]
