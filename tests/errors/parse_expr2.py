# Syntax errors in expressions (continued from parse_expr.py).
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    p = tl.load(x_ptr 1)
    q = x_ptr.(1)
    r = x_ptr[1 2]
    s = x_ptr @ x_ptr
    t = lambda v 1
    u = 1 if x_ptr
    w = (y := 1)
    y = 1 2
    z = f"{BLOCK}"

# expect: 8:23: error: expected ')' to close the call, found '1'
# expect: 9:15: error: expected an attribute name after '.', found '('
# expect: 10:17: error: expected ']', found '2'
# expect: 11:15: error: the '@' matrix operator is not supported
# hint: write tl.dot(a, b)
# expect: 12:18: error: expected ':' after lambda parameters, found '1'
# expect: 13:19: error: expected 'else' in a conditional expression, found end of line
# expect: 14:12: error: ':=' (assignment expressions) is not supported in kernels
# hint: assign the value in a statement of its own first
# expect: 15:11: error: expected end of line, found '2'
# expect: 16:9: error: f-strings are not supported in kernels
# hint: use a plain string literal
