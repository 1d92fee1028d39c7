"""Softmax over the last dimension (spec/kernels.md §9): y = exp(x - max(x)) / sum(exp(x - max(x)))
per row, and its gradient dx = y * (dy - sum(dy * y)).

Host side: kernels/softmax.c, which picks one of two shapes of the same math:
  tile    rows of up to 65536 elements: a program holds BLOCK_M whole rows as one
          [BLOCK_M, BLOCK_N] tile (several short rows share a program).
  looped  longer rows (Liger raises there): one program per row walks it twice in BLOCK_N
          chunks. The forward's first pass keeps a running maximum and a sum rescaled to it
          per lane (online softmax), the second writes y; the backward's first pass adds
          dy * y, the second writes dx.

Rounding points (Liger's): the forward widens x to fp32 (tl.max does for 16-bit floats) and
computes x - max, exp, the sum and the scaling in fp32; y is rounded once at its store. We
multiply by 1 / sum instead of dividing each element (within an fp32 ulp). The backward
works in the input dtype as Liger's does: dy * y rounded to it, their sum rounded to it,
dy - sum and y * (dy - sum) rounded to it. Liger lets tl.sum add in the input dtype, whose
result depends on the order of the additions; we add in fp32 and round the sum once (what
an exact sum in the input dtype would give).
y may be written over x and dx over dy: every element is read before it is written, by the
same program.
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def softmax_fwd(Y, y_stride, X, x_stride, n_rows, n_cols, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    ok = (rows < n_rows)[:, None] & (cols < n_cols)[None, :]
    x = tl.load(X + rows[:, None] * x_stride + cols[None, :], mask=ok, other=-float("inf")).to(tl.float32)
    m = tl.max(x, axis=1)
    e = tl.exp(x - m[:, None])
    r = 1.0 / tl.sum(e, axis=1)
    tl.store(Y + rows[:, None] * y_stride + cols[None, :], e * r[:, None], mask=ok)


@triton.jit
def softmax_fwd_looped(Y, y_stride, X, x_stride, n_cols, BLOCK_N: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    X += row * x_stride
    Y += row * y_stride
    cols = tl.arange(0, BLOCK_N)
    # per lane: m the largest value seen, d the sum of exp(x - m) over its values. A lane
    # that has seen only -inf keeps m = -inf and d = 0 (the where()s avoid -inf - -inf).
    m = tl.full([BLOCK_N], -float("inf"), tl.float32)
    d = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        x = tl.load(X + c, mask=c < n_cols, other=-float("inf")).to(tl.float32)
        m_new = tl.maximum(m, x)
        scale = tl.where(m == m_new, 1.0, tl.exp(m - m_new))
        d = d * scale + tl.where(x == -float("inf"), 0.0, tl.exp(x - m_new))
        m = m_new
    mx = tl.max(m, axis=0)
    r = 1.0 / tl.sum(tl.where(m == -float("inf"), 0.0, d * tl.exp(m - mx)), axis=0)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        x = tl.load(X + c, mask=ok, other=0.0).to(tl.float32)
        tl.store(Y + c, tl.exp(x - mx) * r, mask=ok)


@triton.jit
def softmax_bwd(DX, dx_stride, DY, dy_stride, Y, y_stride, n_rows, n_cols,
                BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    DT: tl.constexpr = Y.dtype.element_ty
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    ok = (rows < n_rows)[:, None] & (cols < n_cols)[None, :]
    dy = tl.load(DY + rows[:, None] * dy_stride + cols[None, :], mask=ok, other=0.0)
    y = tl.load(Y + rows[:, None] * y_stride + cols[None, :], mask=ok, other=0.0)
    s = tl.sum((dy * y).to(tl.float32), axis=1).to(DT)
    tl.store(DX + rows[:, None] * dx_stride + cols[None, :], y * (dy - s[:, None]), mask=ok)


@triton.jit
def softmax_bwd_looped(DX, dx_stride, DY, dy_stride, Y, y_stride, n_cols, BLOCK_N: tl.constexpr):
    DT: tl.constexpr = Y.dtype.element_ty
    row = tl.program_id(0).to(tl.int64)
    DX += row * dx_stride
    DY += row * dy_stride
    Y += row * y_stride
    cols = tl.arange(0, BLOCK_N)
    acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        dy = tl.load(DY + c, mask=ok, other=0.0)
        acc += (dy * tl.load(Y + c, mask=ok, other=0.0)).to(tl.float32)
    s = tl.sum(acc, axis=0).to(DT)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        dy = tl.load(DY + c, mask=ok, other=0.0)
        y = tl.load(Y + c, mask=ok, other=0.0)
        tl.store(DX + c, y * (dy - s), mask=ok)
