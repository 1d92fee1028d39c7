# Syntax errors in expressions: each statement that fails is skipped and the next one is
# parsed, so every independent error of a kernel is reported, in order.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    a = (1 2)
    b = (v for v in x_ptr)
    c = [v for v in x_ptr]
    d = [1 2]
    e = {1 2}
    f = {1: 2 for v in x_ptr}
    g = {1: 2 3}
    h = ...
    i = ..x_ptr
    j =
    l = )
    m = tl.load(**x_ptr)
    n = tl.load(mask=1, x_ptr)
    o = tl.sum(v for v in x_ptr)

# expect: 9:12: error: expected ')', found '2'
# expect: 10:12: error: generator expressions are not supported in kernels
# hint: compute on whole tensors (tl.arange, tl.where, tl.sum), or loop over tl.static_range
# expect: 11:12: error: list comprehensions are not supported in kernels
# hint: compute on whole tensors (tl.arange, tl.where, tl.sum), or loop over tl.static_range
# expect: 12:12: error: expected ']', found '2'
# expect: 13:12: error: expected ':' in a dict, found '2'
# expect: 14:15: error: dict comprehensions are not supported in kernels
# hint: dicts are not supported in kernels; pass the values as separate arguments
# expect: 15:15: error: expected '}', found '3'
# expect: 16:9: error: '...' (Ellipsis) is not supported in kernels
# hint: write ':' for each dimension to keep, e.g. x[:, None]
# expect: 17:11: error: expected '.', found 'x_ptr'
# expect: 18:8: error: expected an expression, found end of line
# expect: 19:9: error: expected an expression, found ')'
# expect: 20:17: error: '**' argument unpacking is not supported in kernels
# hint: pass the arguments one by one, by name
# expect: 21:25: error: positional argument follows keyword argument
# hint: put the positional arguments before the keyword arguments
# expect: 22:18: error: generator expressions are not supported in kernels
# hint: compute on whole tensors (tl.arange, tl.where, tl.sum), or loop over tl.static_range
