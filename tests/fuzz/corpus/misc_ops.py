import triton
import triton.language as tl
from triton.language.extra import libdevice


@triton.jit
def misc_ops_kernel(x_ptr, y_ptr, i_ptr, n, scale, BLOCK: tl.constexpr):
    offs = tl.multiple_of(tl.program_id(0) * BLOCK, 16) + tl.arange(0, BLOCK)
    offs = tl.max_contiguous(offs, BLOCK)
    mask = (offs < n) and True
    x = tl.load(x_ptr + offs, mask=mask, other=float("nan"))
    i = tl.load(i_ptr + offs, mask=mask, other=0)
    y = tl.exp(x) + tl.exp2(x) + tl.log(tl.abs(x) + 1) + tl.log2(x * x + 1) + tl.sqrt(x * x)
    y += tl.sin(x) * tl.cos(x) + tl.erf(x) + tl.floor(x) - tl.ceil(x) + tl.rsqrt(x * x + 1)
    y += libdevice.tanh(x) + tl.sigmoid(x) + tl.fma(x, x, x) + tl.clamp(x, -1.0, 1.0)
    y = tl.where(x > 0, y, -y) if scale > 0 else y
    j = (i << 2) >> 1 ^ (i & 7) | (~i) % 3 // 2
    k = i.to(tl.float32, bitcast=False) + tl.cast(j, tl.float16).to(tl.float32)
    b = x.to(tl.int32, bitcast=True)
    z = min(1, 2) + max(3.0, scale) + tl.minimum(x, 0.5) + tl.maximum(x, k)
    q = 1 if 2 < 3 < 4 != 5 else 0
    r = not (BLOCK is None) and BLOCK is not None
    f = tl.full((BLOCK,), 3, tl.int64) + tl.zeros_like(i)
    t = x ** 2 if False else x * x
    tl.store(y_ptr + offs, y + k + z + q + t + b.to(tl.float32) + f + tl.cdiv(n, 4) - scale, mask=mask)
