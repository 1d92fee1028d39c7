"""The gated element-wise ops: SwiGLU (ACT = 0) and GeGLU (ACT = 1), forward and backward.
Both run the same four kernels; the compile-time ACT picks the activation.

Host side: kernels/glu.c (for kernels/swiglu.c and kernels/geglu.c), which picks one of two
shapes of the same element-wise math:
  flat  every tensor compact: one range of n = rows * cols elements, BLOCK per program.
        Every block but the last is full and is read and written without a mask, so the
        accesses stay 128-bit vectors whatever n is.
  rows  a tensor with its own row stride (e.g. the two halves of a fused gate_up
        projection): [BLOCK_M, BLOCK_N] tiles on a grid of (column blocks, row groups),
        each program walking its row tiles with a stride of the row groups.
da and db may be written over a and b (in place: every element is read before it is
written, by the same program).

SwiGLU (spec/kernels.md §4): c = silu(a) * b, silu(z) = z * sigmoid(z).
  Rounding points (Liger's): a is widened to fp32 and silu computed in fp32, rounded to the
  input dtype, then multiplied by b in the input dtype. The backward recomputes sigmoid:
    db = dc * silu(a),  da = dc * (silu(a) * (1 - s) + s) * b,  s = sigmoid(a),
  in fp32, each rounded once at its store.

GeGLU (spec/kernels.md §5): c = gelu(a) * b with the tanh approximation of GELU (Gemma's
gelu_pytorch_tanh; Liger has no exact-erf variant). With u = sqrt(2/pi) (a + 0.044715 a^3),
t = tanh(u):
    gelu = 0.5 a (1 + t)
    da   = dc * b * (0.5 (1 + t) + 0.5 a (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 a^2))
    db   = dc * gelu
  tanh is never formed: 0.5 (1 + tanh(u)) = sigmoid(2u) = h and 1 - t^2 = 4 h (1 - h), one
  exp and one division where libdevice's tanhf costs more, without the cancellation of
  1 + t for negative a.
  Rounding points (Liger's): a widened to fp32, gelu in fp32 and rounded to the input dtype,
  then multiplied by b in the input dtype. Backward: gelu rounded to the input dtype and
  widened again (PyTorch's saved activation); db = fp32(dc) * that; dc * b formed in the
  input dtype, then widened; da and db rounded once at their stores.
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


# sqrt(2 / pi), 0.044715 and 3 * 0.044715
K0: tl.constexpr = tl.constexpr(0.7978845608028654)
K1: tl.constexpr = tl.constexpr(0.044715)
K3: tl.constexpr = tl.constexpr(0.134145)


# The helpers return once, at the end (Triton compiles code after a return taken under a
# compile-time 'if' too, and every return of a function must agree in type).
@triton.jit
def _silu_forward(a, b):
    # c = round(silu(a)) * b; z / (1 + exp(-z)) is z * sigmoid(z) with one division
    z = a.to(tl.float32)
    silu = z / (1.0 + tl.exp(-z))
    return silu.to(b.dtype) * b


@triton.jit
def _silu_backward(dc, a, b):
    # (da, db) in fp32
    z = a.to(tl.float32)
    s = 1.0 / (1.0 + tl.exp(-z))
    silu = z * s
    g = dc.to(tl.float32)
    db = g * silu
    da = g * (silu * (1.0 - s) + s) * b.to(tl.float32)
    return da, db


@triton.jit
def _half_one_plus_tanh(x):
    # x fp32; h = 0.5 * (1 + tanh(u)) = sigmoid(2u)
    u = K0 * (x + K1 * x * x * x)
    return 1.0 / (1.0 + tl.exp(-2.0 * u))


@triton.jit
def _gelu_forward(a, b):
    x = a.to(tl.float32)
    gelu = x * _half_one_plus_tanh(x)
    return gelu.to(b.dtype) * b


@triton.jit
def _gelu_backward(dc, a, b):
    # (da, db) in fp32
    x = a.to(tl.float32)
    h = _half_one_plus_tanh(x)
    gelu = (x * h).to(dc.dtype).to(tl.float32)
    db = dc.to(tl.float32) * gelu
    dgelu = h + 2.0 * x * h * (1.0 - h) * K0 * (1.0 + K3 * x * x)
    da = (dc * b).to(tl.float32) * dgelu
    return da, db


@triton.jit
def _forward(a, b, ACT: tl.constexpr):
    if ACT == 0:
        c = _silu_forward(a, b)
    else:
        c = _gelu_forward(a, b)
    return c


@triton.jit
def _backward(dc, a, b, ACT: tl.constexpr):
    if ACT == 0:
        da, db = _silu_backward(dc, a, b)
    else:
        da, db = _gelu_backward(dc, a, b)
    return da, db


@triton.jit
def glu_fwd_flat(C, A, B, n, ACT: tl.constexpr, BLOCK: tl.constexpr):
    start = tl.program_id(0).to(tl.int64) * BLOCK
    offs = start + tl.arange(0, BLOCK)
    if start + BLOCK <= n:
        tl.store(C + offs, _forward(tl.load(A + offs), tl.load(B + offs), ACT))
    else:
        ok = offs < n
        a = tl.load(A + offs, mask=ok, other=0.0)
        b = tl.load(B + offs, mask=ok, other=0.0)
        tl.store(C + offs, _forward(a, b, ACT), mask=ok)


@triton.jit
def glu_bwd_flat(DA, DB, DC, A, B, n, ACT: tl.constexpr, BLOCK: tl.constexpr):
    start = tl.program_id(0).to(tl.int64) * BLOCK
    offs = start + tl.arange(0, BLOCK)
    if start + BLOCK <= n:
        da, db = _backward(tl.load(DC + offs), tl.load(A + offs), tl.load(B + offs), ACT)
        tl.store(DA + offs, da)
        tl.store(DB + offs, db)
    else:
        ok = offs < n
        dc = tl.load(DC + offs, mask=ok, other=0.0)
        a = tl.load(A + offs, mask=ok, other=0.0)
        b = tl.load(B + offs, mask=ok, other=0.0)
        da, db = _backward(dc, a, b, ACT)
        tl.store(DA + offs, da, mask=ok)
        tl.store(DB + offs, db, mask=ok)


@triton.jit
def glu_fwd_rows(C, c_stride, A, a_stride, B, b_stride, n_rows, n_cols,
                 ACT: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    cols = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    col_ok = cols < n_cols
    for start in range(tl.program_id(1) * BLOCK_M, n_rows, tl.num_programs(1) * BLOCK_M):
        rows = (start + tl.arange(0, BLOCK_M)).to(tl.int64)
        ok = (rows < n_rows)[:, None] & col_ok[None, :]
        a = tl.load(A + rows[:, None] * a_stride + cols[None, :], mask=ok, other=0.0)
        b = tl.load(B + rows[:, None] * b_stride + cols[None, :], mask=ok, other=0.0)
        tl.store(C + rows[:, None] * c_stride + cols[None, :], _forward(a, b, ACT), mask=ok)


@triton.jit
def glu_bwd_rows(DA, da_stride, DB, db_stride, DC, dc_stride, A, a_stride, B, b_stride, n_rows, n_cols,
                 ACT: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    cols = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    col_ok = cols < n_cols
    for start in range(tl.program_id(1) * BLOCK_M, n_rows, tl.num_programs(1) * BLOCK_M):
        rows = (start + tl.arange(0, BLOCK_M)).to(tl.int64)
        ok = (rows < n_rows)[:, None] & col_ok[None, :]
        dc = tl.load(DC + rows[:, None] * dc_stride + cols[None, :], mask=ok, other=0.0)
        a = tl.load(A + rows[:, None] * a_stride + cols[None, :], mask=ok, other=0.0)
        b = tl.load(B + rows[:, None] * b_stride + cols[None, :], mask=ok, other=0.0)
        da, db = _backward(dc, a, b, ACT)
        tl.store(DA + rows[:, None] * da_stride + cols[None, :], da, mask=ok)
        tl.store(DB + rows[:, None] * db_stride + cols[None, :], db, mask=ok)
