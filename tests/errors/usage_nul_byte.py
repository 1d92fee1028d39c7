# An input file with a NUL byte is not a kernel source.
# input: inputs/nul_byte.py
# args: --emit=tir
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: the file contains a NUL byte; kernel sources are text
