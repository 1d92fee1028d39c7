import triton
import triton.language as tl


@triton.jit
def _square(x):
    return x * x


@triton.jit
def _axpy(a, x, y, CLAMP: tl.constexpr = False):
    r = a * x + y
    if CLAMP:
        r = tl.minimum(tl.maximum(r, -1.0), 1.0)
    return r


@triton.jit
def _pair(x):
    return x + 1, x - 1


@triton.jit
def helper_kernel(x_ptr, y_ptr, out_ptr, n, alpha, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    y = tl.load(y_ptr + offs, mask=mask)
    z = _axpy(alpha, _square(x), y, CLAMP=True)
    p, q = _pair(z)
    tl.store(out_ptr + offs, p * q, mask=mask)


def host_launch(x, y, out):
    grid = lambda meta: (triton.cdiv(x.numel(), meta["BLOCK"]),)
    helper_kernel[grid](x, y, out, x.numel(), 2.0, BLOCK=1024)
