# Semantic errors: analysis goes on with the next statement, and a value that failed is
# poisoned, so its later uses stay silent. Every independent error is reported once, in
# order: an error in an if branch, a loop body, a helper inlined twice and an unrolled loop
# body does not come back at each use, call or iteration. An error in a helper notes the call.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def square(x):
    return x ** 2


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    if n > 0:
        y = undefined_in_branch
    else:
        y = x
    z = y + 1
    acc = tl.zeros((BLOCK,), dtype=tl.float32)
    for i in range(n):
        acc += tl.exp(offs)
    w = acc * 2
    a = square(x)
    b = square(x)
    for j in tl.static_range(4):
        c = tl.sqrt(offs)
    if undefined_cond:
        d = 1
    else:
        d = 2
    e = d + 1
    for i in undefined_iter(3):
        f = i
    g = f + 1
    tl.store(x_ptr + offs, z + w + a + b + c + e + g)
    last = undefined_last

# expect: 20:13: error: name 'undefined_in_branch' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 26:19: error: Expected dtype ['fp32', 'fp64'] but got i32 (tl.exp)
# hint: cast first: x.to(tl.float32)
# expect: 12:14: error: '**' is only defined on compile-time values in Triton
# hint: multiply explicitly, or use tl.exp2 / libdevice.pow
# note: in square(), called from
# expect: 31:16: error: Expected dtype ['fp32', 'fp64'] but got i32 (tl.sqrt)
# hint: cast first: x.to(tl.float32)
# expect: 32:8: error: name 'undefined_cond' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 37:14: error: a for loop must iterate over range, tl.range or tl.static_range
# hint: loop over indices: for i in range(n) (or tl.static_range(n) to unroll) and pick the element with them
# expect: 41:12: error: name 'undefined_last' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
