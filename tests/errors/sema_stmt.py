# Statements a kernel cannot run.
# args: --emit=tir -D BLOCK=32
import triton
import triton.language as tl

G = tl.constexpr(1)


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    for i in range(n):
        pass
    else:
        pass
    while n > 0:
        n -= 1
    else:
        pass
    for i in range(n):
        return
    if n > 0:
        if n > 10:
            return
        tl.store(x_ptr, 1.0)
    break
    continue
    assert BLOCK == 16, "BLOCK must be 16"
    tl.static_assert(BLOCK == 64, "BLOCK must be 64")
    tl.static_assert(n == 1)

    def inner():
        pass
    import math
    global G

# expect: 11:5: error: for ... else is not supported in kernels
# hint: kernels have no break, so move the else block after the loop
# expect: 15:5: error: while ... else is not supported in kernels
# hint: kernels have no break, so move the else block after the loop
# expect: 20:9: error: 'return' inside a runtime loop is not supported (Triton rejects it too)
# hint: let the loop finish (a while loop can test a flag) and return after it
# expect: 23:13: error: this 'return' inside a runtime 'if' is not supported yet
# hint: a 'return' is supported as the last statement of an 'if' branch at the top level of a function
# expect: 25:5: error: 'break' is not supported in kernels
# hint: use a while loop whose condition tests a flag
# expect: 26:5: error: 'continue' is not supported in kernels
# hint: put the rest of the loop body under an if
# expect: 27:5: error: assertion failed: BLOCK must be 16
# hint: its condition is a compile-time value, so it is checked when the kernel is compiled
# expect: 28:8: error: static assertion failed: BLOCK must be 64
# hint: the condition is false for these constexpr values
# expect: 29:8: error: tl.static_assert needs a compile-time condition
# hint: use assert for a condition known only at run time
# expect: 31:9: error: nested function definitions are not supported in kernels
# hint: define it at module level with @triton.jit
# expect: 33:12: error: imports inside a kernel are not supported; import at module level
# expect: 34:5: error: global/nonlocal declarations are not supported in kernels
# hint: kernels cannot rebind module names; pass the value as an argument
