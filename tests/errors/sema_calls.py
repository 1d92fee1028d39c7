# Calls of jit functions: arguments, decorators, recursion and depth limits.
import triton
import triton.language as tl


def not_jit(x):
    return x


@triton.jit
def two(a, b):
    return a + b


@triton.jit
def scaled(a, N: tl.constexpr):
    return a * N


@triton.jit
def forever(x):
    return forever(x)


@triton.jit
def deep(x):
    return ------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------x


@triton.jit
def k(x_ptr, n):
    a = not_jit(n)
    b = two(n, n, n)
    c = two(n, a=n)
    d = two(n)
    e = scaled(n, n)
    f = two(n, n, c=1)
    g = forever(n)
    h = ------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------deep(n)

# expect: 32:9: error: 'not_jit' is not a @triton.jit function and cannot be called from a kernel
# hint: decorate it with @triton.jit
# expect: 33:9: error: two() takes 2 arguments but 3 were given
# hint: two(a, b) is defined at line 11
# expect: 34:16: error: two() got multiple values for argument 'a'
# hint: two(a, b) is defined at line 11
# expect: 35:9: error: two() missing required argument 'b'
# hint: two(a, b) is defined at line 11
# expect: 36:9: error: argument 'N' of scaled() is a tl.constexpr but got a runtime value
# hint: pass a compile-time value: a literal, a tl.constexpr parameter or a tl.constexpr global
# expect: 37:19: error: two() got an unexpected keyword argument 'c'
# hint: two(a, b) is defined at line 11
# expect: 22:12: error: jit function calls nest more than 64 deep (recursion is not supported)
# hint: write the recursion as a loop
# expect: 27:224: error: expressions and calls nest more than 512 deep here
# hint: split the expression into statements, or call fewer helpers inside one another
