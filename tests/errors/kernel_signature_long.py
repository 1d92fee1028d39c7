# A --signature with more argument types than the kernel has runtime parameters.
# args: --emit=tir --signature=*fp32,i32,i32
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n):
    tl.store(x_ptr, 1.0)

# expect: 8:5: error: k() takes 2 runtime arguments but 3 argument types were given
# hint: --signature lists the types of the runtime arguments in order (tl.constexpr parameters are not in it)
