# Operators (continued from operators.py).
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, f_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(f_ptr + offs)
    u = 1 in 2
    v = "a" < 1
    w = offs in (1, 2)
    y = tl.load(f_ptr, volatile=offs)
    z = -"a"
    aa = ~1.5
    bb = -x_ptr
    cc = ~x
    dd = offs < x_ptr
    ee = tl.where(offs > 0, x_ptr, 1.0)

# expect: 11:11: error: 'in' needs a tuple on the right, got an int
# hint: write x in (a, b, c)
# expect: 12:13: error: cannot compare a string and an int with <
# hint: compare numbers with numbers and strings with strings
# expect: 13:14: error: 'in' cannot be applied to tensors
# hint: compare elements with == and combine the results with |
# expect: 14:12: error: the truth value of a tensor is not known at compile time
# hint: a compile-time True or False is needed here
# expect: 15:9: error: bad operand for unary -: a string
# hint: unary operators take tensors and numbers
# expect: 16:10: error: bad operand for unary ~: float
# hint: ~ takes ints: convert with int(...)
# expect: 17:10: error: unary - is not defined on pointers
# hint: apply it to the offsets before adding them to the pointer
# expect: 18:10: error: '~' needs an integer or bool tensor, got fp32
# hint: for floats, use -x or 1 - x; for the bits, x.to(tl.int32, bitcast=True)
# expect: 19:15: error: pointers cannot take part in this operation
# hint: pointers take + and - with integer offsets; compare or select the offsets instead
# expect: 20:13: error: tl.where between a pointer and a non-pointer: both values must be pointers to the same type
# hint: select offsets instead, or cast one pointer with .to(<pointer type>, bitcast=True)
