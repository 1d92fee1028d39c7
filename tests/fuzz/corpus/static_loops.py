import triton
import triton.language as tl


@triton.jit
def _rec(x, N: tl.constexpr):
    if N == 0:
        return x
    return _rec(x + 1, N - 1)


@triton.jit
def static_loops_kernel(x_ptr, n, BLOCK: tl.constexpr, STAGES: tl.constexpr = 3):
    offs = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], tl.float32)
    for s in tl.static_range(0, STAGES, 1):
        if s % 2 == 0:
            acc += s
    for i in tl.range(0, n, 2, num_stages=2):
        acc += i
    tl.static_assert(STAGES < 64)
    acc = _rec(acc, 3)
    while n > 0:
        n -= 1
    i = 0
    for i in range(3):
        pass
    lst = [1, 2, 3]
    tup = (STAGES, BLOCK)
    acc += lst[1] + tup[0] + len(tup)
    tl.store(x_ptr + offs, acc, mask=offs < n)
    return
