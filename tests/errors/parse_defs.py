# Syntax errors in the headers of @triton.jit functions and decorators: each def is
# reported, and its body is skipped.
import triton
import triton.language as tl


@triton.jit
def args_kernel(x_ptr, *args):
    pass


@triton.jit
def number_param(x_ptr, 1):
    pass


@triton.jit
def (x_ptr):
    pass


@triton.jit
def no_paren x_ptr:
    pass


@triton.jit
def missing_comma(x_ptr y_ptr):
    pass


@triton.jit
def no_colon(x_ptr) x:
    pass


@triton.jit x
def after_decorator(x_ptr):
    pass


@triton.jit
x = 1


@triton.jit
def k(x_ptr):
    pass

# expect: 8:24: error: *args and **kwargs parameters are not supported in kernels
# hint: name every parameter
# expect: 13:25: error: expected a parameter name, found '1'
# expect: 18:5: error: expected a function name after 'def', found '('
# expect: 23:14: error: expected '(', found 'x_ptr'
# expect: 28:25: error: expected ')', found 'y_ptr'
# expect: 33:21: error: expected ':' after the function signature, found 'x'
# expect: 37:13: error: expected end of line after the decorator, found 'x'
# expect: 43:1: error: a decorator must be followed by 'def'
# hint: decorators apply to functions here; classes are not supported in kernels
