# A --signature with fewer argument types than the kernel has runtime parameters.
# args: --emit=tir --signature=*fp32
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, y_ptr, n):
    tl.store(x_ptr, 1.0)

# expect: 8:14: error: no argument type was given for parameter 'y_ptr' (1 given)
# hint: --signature lists the types of the runtime arguments in order, e.g. "*fp32:16, i32"
# expect: 8:21: error: no argument type was given for parameter 'n' (1 given)
# hint: --signature lists the types of the runtime arguments in order, e.g. "*fp32:16, i32"
