# Kernels for the run-time side of Triton's type promotion (tests/exec_checks_promo.c):
# C semantics of // and % on integers, / on fp16 computed in fp32, wrap-around in the
# promoted type, unsigned and mixed comparisons, shifts, fp16 with bf16, int / int in fp32,
# and fp32 division with and without IEEE rounding.
# Each kernel is plain Triton and runs unchanged under triton.jit; the comments give the
# rule the C reference encodes.
import triton
import triton.language as tl


@triton.jit
def int_divmod_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # int32 // and %: truncation toward zero, remainder with the sign of the dividend (C),
    # not Python's floor; out holds 6 rows of n
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0)
    y = tl.load(y_ptr + offs, mask=mask, other=1)
    tl.store(out_ptr + offs, x // y, mask=mask)
    tl.store(out_ptr + n + offs, x % y, mask=mask)
    tl.store(out_ptr + 2 * n + offs, x // -3, mask=mask)
    tl.store(out_ptr + 3 * n + offs, x % -3, mask=mask)
    tl.store(out_ptr + 4 * n + offs, x // 4, mask=mask)  # a power of two is not a plain shift
    tl.store(out_ptr + 5 * n + offs, x % 4, mask=mask)


@triton.jit
def uint_divmod_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # uint32 // and %: unsigned division, also above 2**31
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0)
    y = tl.load(y_ptr + offs, mask=mask, other=1)
    tl.store(out_ptr + offs, x // y, mask=mask)
    tl.store(out_ptr + n + offs, x % y, mask=mask)


@triton.jit
def half_div_kernel(x_ptr, y_ptr, q32_ptr, q16_ptr, r32_ptr, n, BLOCK: tl.constexpr):
    # fp16 / fp16 and fp16 % fp16 are computed in fp32; % is C's fmod
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=1.0)
    y = tl.load(y_ptr + offs, mask=mask, other=1.0)
    q = x / y
    tl.store(q32_ptr + offs, q, mask=mask)  # the fp32 quotient itself
    tl.store(q16_ptr + offs, q, mask=mask)  # rounded to fp16 (nearest even) by the store
    tl.store(r32_ptr + offs, x % y, mask=mask)


@triton.jit
def int8_wrap_kernel(a_ptr, b_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # arithmetic stays in int8 / uint8 and wraps; the int32 stores widen the wrapped value
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    a = tl.load(a_ptr + offs, mask=mask, other=0)
    b = tl.load(b_ptr + offs, mask=mask, other=0)
    tl.store(out_ptr + offs, a + b, mask=mask)
    tl.store(out_ptr + n + offs, a * 2, mask=mask)  # a literal keeps int8
    tl.store(out_ptr + 2 * n + offs, -a, mask=mask)
    u = a.to(tl.uint8)
    tl.store(out_ptr + 3 * n + offs, u - 1, mask=mask)  # uint8: 0 - 1 is 255
    tl.store(out_ptr + 4 * n + offs, a + n, mask=mask)  # a runtime int32 promotes: no wrap


@triton.jit
def cmp_kernel(u_ptr, v_ptr, i_ptr, h_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # comparisons promote their operands first; a Python number counts as a tensor of its
    # literal type (i32, fp32), not as a value of the other operand's type
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    u = tl.load(u_ptr + offs, mask=mask, other=0)  # uint32
    v = tl.load(v_ptr + offs, mask=mask, other=0)  # uint32
    i = tl.load(i_ptr + offs, mask=mask, other=0)  # int32
    h = tl.load(h_ptr + offs, mask=mask, other=0.0)  # fp16
    bits = (u < v).to(tl.int32)  # unsigned
    bits += (u < i).to(tl.int32) * 2  # uint32 with int32: compared as uint32
    bits += (u < -1).to(tl.int32) * 4  # -1 becomes 0xFFFFFFFF
    bits += (u.to(tl.uint8) > -1).to(tl.int32) * 8  # uint8 with int32: compared as int32
    bits += (h == 0.1).to(tl.int32) * 16  # in fp32: fp16(0.1) != fp32(0.1)
    bits += (h < 0.1).to(tl.int32) * 32
    bits += (i >= 2**31 - 1).to(tl.int32) * 64
    tl.store(out_ptr + offs, bits, mask=mask)


@triton.jit
def shift_kernel(i_ptr, u_ptr, s_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # >> is arithmetic when the left operand is signed, logical when it is unsigned, even
    # when the promoted type has the other signedness; counts stay below the bit width
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    i = tl.load(i_ptr + offs, mask=mask, other=0)  # int32
    u = tl.load(u_ptr + offs, mask=mask, other=0)  # uint32
    s = tl.load(s_ptr + offs, mask=mask, other=0)  # uint32, 0..31
    tl.store(out_ptr + offs, i >> 3, mask=mask)
    tl.store(out_ptr + n + offs, u >> 3, mask=mask)
    tl.store(out_ptr + 2 * n + offs, i >> s, mask=mask)  # uint32 result, arithmetic shift
    tl.store(out_ptr + 3 * n + offs, u >> s.to(tl.int32), mask=mask)  # uint32, logical
    tl.store(out_ptr + 4 * n + offs, i << s, mask=mask)
    tl.store(out_ptr + 5 * n + offs, i.to(tl.int8) >> 1, mask=mask)


@triton.jit
def mixed_half_kernel(h_ptr, b_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # fp16 with bf16 computes in fp16 (Triton checks fp16 before bf16): bf16 values beyond
    # fp16's range become inf
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    h = tl.load(h_ptr + offs, mask=mask, other=0.0)
    b = tl.load(b_ptr + offs, mask=mask, other=0.0)
    tl.store(out_ptr + offs, h + b, mask=mask)


@triton.jit
def int_truediv_kernel(a_ptr, b_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # int / int is computed in fp32, also for int64 operands
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    a = tl.load(a_ptr + offs, mask=mask, other=0)
    b = tl.load(b_ptr + offs, mask=mask, other=1)
    tl.store(out_ptr + offs, a / b, mask=mask)


@triton.jit
def division_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    # fp32 division four ways: `/` and tl.fdiv (ieee_rounding=False) are div.full.f32 on
    # NVIDIA (within 2 ulp), tl.div_rn and tl.fdiv(ieee_rounding=True) are IEEE everywhere
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=1.0)
    y = tl.load(y_ptr + offs, mask=mask, other=1.0)
    tl.store(out_ptr + offs, x / y, mask=mask)
    tl.store(out_ptr + n + offs, tl.fdiv(x, y), mask=mask)
    tl.store(out_ptr + 2 * n + offs, tl.div_rn(x, y), mask=mask)
    tl.store(out_ptr + 3 * n + offs, tl.fdiv(x, y, ieee_rounding=True), mask=mask)
