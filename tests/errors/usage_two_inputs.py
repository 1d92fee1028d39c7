# ligerc usage: two input files.
# args: other.py
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: ligerc: only one input file is accepted
