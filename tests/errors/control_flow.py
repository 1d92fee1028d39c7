# Runtime control flow: conditions, loop bounds, and the types of values that flow through
# an if or a loop.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, f_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(f_ptr + offs)
    if n > 0:
        y = x
    else:
        y = offs
    acc = 0
    for i in range(n):
        acc = offs
    z = tl.zeros((BLOCK,), dtype=tl.float32)
    for i in range(n):
        z = offs
    w = tl.zeros((BLOCK,), dtype=tl.float32)
    while n > 0:
        w = offs
    if offs > 0:
        pass
    while offs > 0:
        pass
    for i in range(tl.load(f_ptr)):
        pass
    for i in range(0, n, 0):
        pass
    for a, b in range(n):
        pass
    for i in range(1, 2, 3, 4):
        pass
    for i in tl.range(n, unroll=2):
        pass
    for i in tl.static_range(n):
        pass
    for i in tl.static_range(0, 4, 0):
        pass
    for i in tl.static_range(5000):
        pass
    for i in x:
        pass

# expect: 12:5: error: 'y' is <16xfp32> in the then branch and <16xi32> in the else branch; it needs one type after the if
# hint: convert one of them with .to(...), or give it the same shape in both branches
# expect: 17:5: error: loop-carried variable 'acc' is i32 before the loop and <16xi32> after its body; its type must stay the same
# hint: initialise it with the final type, e.g. tl.zeros(..., dtype=...) or x.to(...)
# expect: 20:5: error: loop-carried variable 'z' is <16xfp32> before the loop and <16xi32> after its body; its type must stay the same
# hint: initialise it with the final type, e.g. tl.zeros(..., dtype=...) or x.to(...)
# expect: 23:5: error: loop-carried variable 'w' is <16xfp32> before the loop and <16xi32> after its body; its type must stay the same
# hint: initialise it with the final type, e.g. tl.zeros(..., dtype=...) or x.to(...)
# expect: 25:13: error: an 'if' condition must be a scalar, not a tensor
# hint: use tl.where for elementwise choices
# expect: 27:16: error: a 'while' condition must be a scalar, not a tensor
# hint: reduce it to a scalar, e.g. tl.max(x, 0) > 0
# expect: 29:14: error: range bounds must be integer scalars, got fp32
# hint: convert the bound with .to(tl.int32)
# expect: 31:14: error: range step must not be zero
# hint: use a positive step to count up, a negative one to count down
# expect: 33:9: error: a runtime loop variable must be a single name
# hint: loop over one index and compute the others from it
# expect: 35:14: error: range takes 1 to 3 positional arguments
# hint: range(end), range(start, end) or range(start, end, step)
# expect: 37:26: error: range() got an unexpected keyword argument 'unroll'
# hint: tl.range takes num_stages, loop_unroll_factor, flatten, disallow_acc_multi_buffer and warp_specialize
# expect: 39:17: error: tl.static_range bounds must be compile-time ints
# hint: use tl.range (or range) for a loop with runtime bounds
# expect: 41:17: error: range step must not be zero
# hint: use a positive step to count up, a negative one to count down
# expect: 43:17: error: tl.static_range unrolls more than 4096 iterations
# hint: use tl.range (or range) for long loops: it is not unrolled
# expect: 45:14: error: a for loop must iterate over range, tl.range or tl.static_range
# hint: loop over indices: for i in range(n) (or tl.static_range(n) to unroll) and pick the element with them
