# Operators: Triton's typing rules on tensors, and Python's on compile-time values.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, f_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(f_ptr + offs)
    a = tl.exp("e")
    b = tl.expand_dims(offs, 3)
    c = offs[None, None, None, None, :]
    d = tl.broadcast_to(offs, (8,))
    e = offs + tl.arange(0, 8)
    g = offs / offs.to(tl.uint32)
    h = offs.to(tl.int8) + 300
    i = 2**62 * 4
    j = 1.5 << 2
    l = 1 << -1
    m = 1 // 0
    o = "a" + 1
    p = x ** 2
    q = x_ptr * 2
    r = x_ptr + 1.5
    s = x // 2.0
    t = x & 1

# expect: 11:12: error: expected a tensor or a number, got a string
# hint: x must be a tensor or a number
# expect: 12:12: error: expand_dims axis 3 is out of range for rank 1
# hint: the new axis goes at a position from 0 to 1 (or -2 to -1)
# expect: 13:32: error: tensors of rank above 4 are not supported
# hint: merge dimensions with tl.reshape first
# expect: 14:12: error: cannot broadcast <16xi32> to the shape of <8xi32>
# hint: only dimensions of size 1 stretch; add them with x[:, None] or tl.expand_dims
# expect: 15:14: error: incompatible shapes <16xi32> and <8xi32> at dimension 0
# hint: line the dimensions up with [:, None] / [None, :], or use blocks of the same size
# expect: 16:14: error: cannot use /, // or % on i32 and u32: they differ in signedness
# hint: cast one operand with .to() first
# expect: 17:26: error: value 300 is out of range for type i8
# hint: convert the tensor to a wider type first, e.g. x.to(tl.int32)
# expect: 18:15: error: integer overflow in a compile-time expression (constexpr ints are 64-bit here)
# hint: keep compile-time ints below 2**63, or compute with floats
# expect: 19:13: error: unsupported operand types for <<: float
# hint: shifts and bitwise operators take ints: convert with int(...)
# expect: 20:11: error: negative shift count
# hint: shift the other way: x >> n instead of x << -n
# expect: 21:11: error: division by zero in a compile-time expression
# hint: the divisor is a compile-time zero: check the constexpr values
# expect: 22:13: error: unsupported operand types for +: a string and an int
# hint: operators take tensors and numbers (and + joins two strings)
# expect: 23:11: error: '**' is only defined on compile-time values in Triton
# hint: multiply explicitly, or use tl.exp2 / libdevice.pow
# expect: 24:15: error: unsupported pointer arithmetic: only pointer + int and pointer - int are allowed
# expect: 25:15: error: a pointer offset must be an integer, got fp32
# hint: convert the offset with .to(tl.int32)
# expect: 26:11: error: '//' is only defined on integers in Triton, got fp32
# hint: for floats, write tl.floor(x / y)
# expect: 27:11: error: bitwise operator & needs integers, got fp32
# hint: work on the bits with x.to(tl.int32, bitcast=True)
