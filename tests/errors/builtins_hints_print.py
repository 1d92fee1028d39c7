# tl.multiple_of / max_contiguous / max_constancy hints, and device_print.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    a = tl.multiple_of(offs, (16, 16))
    b = tl.max_contiguous(offs, 0)
    tl.device_print("x", x, hex=True)

# expect: 11:12: error: tl.multiple_of needs one value per dimension: 2 given for a 1-D value
# hint: an int for a 1-D value, a tuple such as (16, 1) for a 2-D one
# expect: 12:12: error: tl.max_contiguous values must be positive, got 0
# hint: 1 promises nothing; larger values promise divisibility, contiguity or constancy
# expect: 13:8: error: device_print(hex=True) prints integers; value 1 is fp32
# hint: print floats without hex=True, or their bits with x.to(tl.int32, bitcast=True)
