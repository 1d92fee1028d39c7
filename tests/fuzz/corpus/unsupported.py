import triton
import triton.language as tl


@triton.jit
def unsupported_kernel(x_ptr, n, BLOCK: tl.constexpr):
    acc = 0
    for i in range(n):
        if i > 3:
            continue
        if i > 100:
            break
        acc += i
    while n > 0:
        n -= 1
    else:
        pass
    for i in range(3):
        pass
    else:
        acc += 1
    ys = [i for i in range(3)]
    f = lambda v: v + 1
    g = (y := 3)
    h = x_ptr @ x_ptr
    print(f"{acc}")
    del acc
    global G
    nonlocal H
    assert n > 0, "n must be positive"
    tl.store(x_ptr, acc, ...)
