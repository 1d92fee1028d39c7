"""Elementwise math on every target (tests/exec_checks.c, tests/test_math_targets.sh):
tl.* math, libdevice functions (NVIDIA libdevice, AMD ocml, host libm) and sigmoid."""
import triton
import triton.language as tl
from triton.language.extra import libdevice


@triton.jit
def extern_math_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # libdevice functions with a C twin (libm on the host, ocml on AMD), and tl.umulhi/div_rn
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    x = tl.load(x_ptr + offs, mask=m, other=1.0)
    ax = tl.abs(x) + 0.5
    tl.store(out_ptr + 0 * n + offs, libdevice.log1p(ax), mask=m)
    tl.store(out_ptr + 1 * n + offs, libdevice.expm1(x), mask=m)
    tl.store(out_ptr + 2 * n + offs, libdevice.pow(ax, 1.5), mask=m)
    tl.store(out_ptr + 3 * n + offs, libdevice.atan2(x, ax), mask=m)
    tl.store(out_ptr + 4 * n + offs, libdevice.cbrt(x), mask=m)
    tl.store(out_ptr + 5 * n + offs, libdevice.fmod(x, 0.75), mask=m)
    tl.store(out_ptr + 6 * n + offs, libdevice.tan(x * 0.25), mask=m)
    tl.store(out_ptr + 7 * n + offs, libdevice.round(x * 4.0), mask=m)
    tl.store(out_ptr + 8 * n + offs, tl.div_rn(x, ax), mask=m)
    big = (offs * 1000003 + 7).to(tl.uint32)
    tl.store(out_ptr + 9 * n + offs, tl.umulhi(big, big).to(tl.float32), mask=m)


@triton.jit
def math_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    x = tl.load(x_ptr + offs, mask=m, other=1.0)
    ax = tl.abs(x) + 0.5
    tl.store(out_ptr + 0 * n + offs, tl.exp(x), mask=m)
    tl.store(out_ptr + 1 * n + offs, tl.log(ax), mask=m)
    tl.store(out_ptr + 2 * n + offs, tl.sqrt(ax), mask=m)
    tl.store(out_ptr + 3 * n + offs, tl.rsqrt(ax), mask=m)
    tl.store(out_ptr + 4 * n + offs, tl.sin(x), mask=m)
    tl.store(out_ptr + 5 * n + offs, tl.cos(x), mask=m)
    tl.store(out_ptr + 6 * n + offs, libdevice.tanh(x), mask=m)
    tl.store(out_ptr + 7 * n + offs, tl.erf(x), mask=m)
    tl.store(out_ptr + 8 * n + offs, tl.sigmoid(x), mask=m)
    tl.store(out_ptr + 9 * n + offs, tl.exp2(x) + tl.log2(ax), mask=m)
