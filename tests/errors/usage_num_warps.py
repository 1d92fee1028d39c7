# --num-warps must be a power of two from 1 to 32.
# args: --emit=tir --num-warps 3
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: num_warps must be a power of two from 1 to 32, got 3
