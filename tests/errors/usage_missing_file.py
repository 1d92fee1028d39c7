# An input file that does not exist.
# input: inputs/does_not_exist.py
# args: --emit=tir
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: cannot open kernel file
