"""One kernel per feature group of the language, for the golden tile-IR tests (tests/golden/,
listed in tests/golden/manifest.txt). Each also runs unchanged under Triton."""
import triton
import triton.language as tl
from triton.language.extra import libdevice


@triton.jit
def control_flow_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr, MODE: tl.constexpr):
    # early return, a runtime for with a carried tile, a while with carried scalars, a
    # runtime if merging a value, an unrolled static_range and a constexpr if (pruned)
    pid = tl.program_id(0)
    offs = tl.arange(0, BLOCK)
    if pid >= n:
        return
    acc = tl.zeros((BLOCK,), dtype=tl.float32)
    for start in range(0, n, BLOCK):
        acc += tl.load(x_ptr + start + offs, mask=start + offs < n, other=0.0)
    i = 0
    s = 0.0
    while i < pid:
        s += 1.0
        i += 1
    if pid % 2 == 0:
        scale = 2.0
    else:
        scale = 0.5
    for k in tl.static_range(3):
        acc += k
    if MODE == 0:
        acc = acc * scale
    else:
        acc = acc - scale
    tl.store(out_ptr + pid * BLOCK + offs, acc + s)


@triton.jit
def _max_combine(a, b):
    return tl.maximum(a, b)


@triton.jit
def _mul_combine(a, b):
    return a * b


@triton.jit
def reduce_kernel(x_ptr, out_ptr, BM: tl.constexpr, BN: tl.constexpr):
    # sum/max along each axis and over everything, argmax, tl.reduce and
    # tl.associative_scan with jit combine functions, cumsum
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    x = tl.load(x_ptr + rm[:, None] * BN + rn[None, :])
    row_sum = tl.sum(x, axis=1)
    col_max = tl.max(x, axis=0)
    total = tl.sum(x)
    am = tl.argmax(x, axis=1)
    red = tl.reduce(x, 0, _max_combine)
    cs = tl.cumsum(x, axis=1)
    sc = tl.associative_scan(x, 0, _mul_combine)
    tl.store(out_ptr + rm, row_sum + am.to(tl.float32))
    tl.store(out_ptr + BM + rn, col_max + red)
    tl.store(out_ptr + BM + BN + rm[:, None] * BN + rn[None, :], cs + sc + total)


@triton.jit
def shape_kernel(x_ptr, out_ptr, BM: tl.constexpr, BN: tl.constexpr):
    # broadcast_to, expand_dims, implicit broadcasting, trans, permute, reshape, view
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    row = tl.load(x_ptr + rn)
    tile = tl.broadcast_to(row[None, :], (BM, BN))
    col = tl.expand_dims(rm, 1).to(tl.float32)
    t = tile + col
    tt = tl.trans(t)
    p = tl.permute(t, (1, 0))
    r = tl.reshape(t, (BM * BN,))
    v = tl.view(tt, (BM * BN,))
    tl.store(out_ptr + rn[:, None] * BM + rm[None, :], tt + p)
    tl.store(out_ptr + BM * BN + tl.arange(0, BM * BN), r + v)


@triton.jit
def memory_kernel(x_ptr, y_ptr, counter_ptr, flag_ptr, n, BLOCK: tl.constexpr):
    # masked loads with other, cache modifiers and eviction hints, a scalar load, a volatile
    # load, atomics on a scalar and on a masked tensor, compare-and-swap, exchange
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=-1.0, cache_modifier=".cg", eviction_policy="evict_first")
    scale = tl.load(x_ptr)
    tl.store(y_ptr + offs, x * scale, mask=mask, cache_modifier=".cs")
    v = tl.load(y_ptr + offs, mask=mask, other=0.0, volatile=True)
    tl.atomic_add(counter_ptr, 1)
    tl.atomic_max(y_ptr + offs, v, mask=mask, sem="relaxed")
    old = tl.atomic_cas(flag_ptr, 0, pid + 1)
    tl.atomic_xchg(counter_ptr + 1, old, sem="release", scope="gpu")


@triton.jit
def dot_kernel(a_ptr, b_ptr, c_ptr, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    # tl.dot on fp32, fp16, bf16 and int8 inputs, an fp16 out_dtype and an accumulator
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    rk = tl.arange(0, BK)
    a = tl.load(a_ptr + rm[:, None] * BK + rk[None, :])
    b = tl.load(b_ptr + rk[:, None] * BN + rn[None, :])
    c32 = tl.dot(a, b)
    c16 = tl.dot(a.to(tl.float16), b.to(tl.float16))
    cbf = tl.dot(a.to(tl.bfloat16), b.to(tl.bfloat16))
    ch = tl.dot(a.to(tl.float16), b.to(tl.float16), out_dtype=tl.float16)
    ci = tl.dot(a.to(tl.int8), b.to(tl.int8))
    acc = tl.zeros((BM, BN), dtype=tl.float32)
    acc = tl.dot(a, b, acc)
    c = c32 + c16 + cbf + ch.to(tl.float32) + ci.to(tl.float32) + acc
    tl.store(c_ptr + rm[:, None] * BN + rn[None, :], c)


@triton.jit
def math_kernel(x_ptr, i_ptr, h_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # tl.* and tl.math functions, libdevice, casts and bitcasts, and Triton's promotion of
    # mixed int/float/fp16 operands
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=1.0)
    i = tl.load(i_ptr + offs, mask=mask, other=1)
    h = tl.load(h_ptr + offs, mask=mask, other=1.0)
    ax = tl.abs(x) + 1.0
    f = tl.exp(x) + tl.log(ax) + tl.sqrt(ax) + tl.math.rsqrt(ax) + tl.exp2(x) + tl.log2(ax)
    g = libdevice.tanh(x) + libdevice.erf(x) + tl.floor(x) + tl.math.ceil(x) + tl.sin(x) * tl.cos(x)
    mixed = i + x
    hh = h * 2 + h
    hx = h + x
    ii = i * 3 // 2 % 5
    u = i.to(tl.uint32) >> 1
    bits = x.to(tl.int32, bitcast=True)
    bf = x.to(tl.bfloat16).to(tl.float32)
    wide = tl.cast(i, tl.int64) + 1
    mm = tl.maximum(x, 0.0) + tl.minimum(x, 1.0) + tl.clamp(x, -1.0, 1.0)
    w = tl.where(x > 0, tl.fma(x, x, x), tl.sigmoid(x))
    ints = (ii + u.to(tl.int32) + (bits & 1)).to(tl.float32) + wide.to(tl.float32)
    tl.store(out_ptr + offs, f + g + mixed + hh.to(tl.float32) + hx + bf + mm + w + ints, mask=mask)


@triton.jit
def _square(x):
    return x * x


@triton.jit
def _sum_of_squares(a, b, SCALE: tl.constexpr = 2):
    return _square(a) + _square(b) * SCALE


@triton.jit
def _min_max(x):
    return tl.min(x, axis=0), tl.max(x, axis=0)


@triton.jit
def helpers_kernel(x_ptr, out_ptr, BLOCK: tl.constexpr):
    # jit functions calling each other, a constexpr default and keyword argument, a helper
    # returning a tuple
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    y = _sum_of_squares(x, x + 1)
    z = _sum_of_squares(x, y, SCALE=3)
    lo, hi = _min_max(z)
    tl.store(out_ptr + offs, z - lo + hi)
