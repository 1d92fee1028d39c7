# A --signature with an unknown type.
# args: --emit=tir --signature=*fp99
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: bad signature '*fp99'
