import triton
import triton.language as tl


@triton.jit
def _combine(a, b):
    return a + b


@triton.jit
def _argmax_combine(v1, i1, v2, i2):
    gt = v1 > v2
    return tl.where(gt, v1, v2), tl.where(gt, i1, i2)


@triton.jit
def reduce_scan_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n, other=0.0)
    s = tl.reduce(x, 0, _combine)
    c = tl.cumsum(x, axis=0)
    p = tl.cumprod(x, 0, reverse=True)
    a = tl.associative_scan(x, 0, _combine)
    m, i = tl.reduce((x, offs), 0, _argmax_combine)
    am = tl.argmax(x, axis=0)
    mn = tl.argmin(x, 0)
    xs = tl.xor_sum(offs, axis=0)
    mx = tl.max(x, axis=0, return_indices=False)
    tl.store(y_ptr + offs, c + p + a + s + m + i + am + mn + xs + mx, mask=offs < n)
