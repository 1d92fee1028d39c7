import triton
import triton.language as tl


@triton.jit
def _maybe(x, flag):
    if flag:
        return x * 2
    return x


@triton.jit
def early_return_kernel(x_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    if pid * BLOCK >= n:
        return
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n)
    if n > 10:
        x = _maybe(x, n > 20)
    elif n > 5:
        return
    tl.store(x_ptr + offs, x, mask=offs < n)


@triton.jit
def returns_value(x_ptr):
    return tl.load(x_ptr)
