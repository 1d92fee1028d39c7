# Python statements that kernels cannot contain.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n):
    class Foo:
        pass
    try:
        n = 1
    except Exception:
        n = 2
    with x_ptr:
        pass
    if n:
        raise ValueError("no")
    del n
    yield x_ptr

# expect: 8:5: error: class definitions are not supported in kernels
# hint: define @triton.jit functions at module level instead
# expect: 10:5: error: try statements are not supported in kernels
# hint: kernels cannot catch errors; test the condition with 'if' or tl.where
# expect: 14:5: error: with statements are not supported in kernels
# hint: kernels have no context managers; write the body without it
# expect: 17:9: error: raise statements are not supported in kernels
# hint: use tl.static_assert(cond, msg) for a compile-time check, or assert for a runtime one
# expect: 18:5: error: del statements are not supported in kernels
# hint: stop using the name instead
# expect: 19:5: error: yield expressions are not supported in kernels
# hint: return the value instead
