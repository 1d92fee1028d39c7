# --kernel names a function the file does not have.
# args: --emit=tir --kernel=nope
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect: error: no @triton.jit function named 'nope'
# hint: the file's @triton.jit functions are: k
