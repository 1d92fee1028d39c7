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

# expect: 11:9: error: 'in' needs a tuple on the right, got an int
# expect: 12:9: error: cannot compare a string and an int with <
# expect: 13:9: error: 'in' cannot be applied to tensors
# expect: 14:12: error: the truth value of a tensor is not known at compile time
# expect: 15:9: error: bad operand for unary -: a string
# expect: 16:10: error: bad operand for unary ~: float
# expect: 17:10: error: unary - is not defined on pointers
# expect: 18:10: error: '~' needs an integer or bool tensor, got fp32
# expect: 19:10: error: pointers cannot take part in this operation
