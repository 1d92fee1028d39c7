# tl.where between pointers: both must be pointers to one type.
# args: --emit=tir -D BLOCK=16 --signature=*fp32,*i32
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, i_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    ok = tl.where(offs > 3, x_ptr + offs, x_ptr)
    a = tl.where(offs > 3, x_ptr + offs, offs)
    b = tl.where(offs > 3, x_ptr + offs, i_ptr + offs)

# expect: 11:12: error: tl.where between a pointer and a non-pointer: both values must be pointers to the same type
# hint: select offsets instead, or cast one pointer with .to(<pointer type>, bitcast=True)
# expect: 12:12: error: tl.where between a pointer and a pointer of another type: both values must be pointers to the same type
# hint: select offsets instead, or cast one pointer with .to(<pointer type>, bitcast=True)
