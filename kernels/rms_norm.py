"""RMSNorm (spec/kernels.md §1): y = x * rstd * (offset + w), rstd = 1 / sqrt(mean(x^2) + eps).

Host side: kernels/rms_norm.c, which picks one of two shapes of the same math:
  tile    rows of up to 65536 elements: a program holds BLOCK_M whole rows as one
          [BLOCK_M, BLOCK_N] tile. The backward runs a persistent grid (a few programs per
          SM) that walks the rows and keeps its dW sum in fp32 registers.
  looped  longer rows: the forward walks its row twice in BLOCK_N chunks (sum of squares,
          then output); the backward first reduces each row to one scalar, then a 2-D grid of
          (column chunk, row group) programs writes dx and the dW partials.
Both backwards write fp32 dW partials [programs, n_cols]; kernels/sum_rows.py adds them.

Casting modes (Liger's codes) decide where values are rounded to the input dtype:
  LLAMA  statistics in fp32; x * rstd is rounded to x's dtype before the weight multiplies it;
         in the backward, dW sums dy * round(x * rstd) with the product rounded too.
  GEMMA  everything in fp32, one rounding at the store.
  NONE   x * x and its sum rounded to x's dtype, eps and offset cast to x's dtype; the
         division by n_cols promotes to fp32 (Triton's rule for '/'). Liger lets tl.sum add in
         x's dtype, whose result then depends on the order of the additions (a long chain of
         bf16 adds stalls: 5% low at 8192 elements); we add in fp32 and round the sum once,
         which is what an exact sum in x's dtype would give. The backward works in fp32.
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl

NONE: tl.constexpr = tl.constexpr(-1)
LLAMA: tl.constexpr = tl.constexpr(0)
GEMMA: tl.constexpr = tl.constexpr(1)


# The helpers return once, at the end: Triton also compiles the code after a return taken
# under a compile-time 'if', and all returns of a function must agree in type.
@triton.jit
def _rstd(ss, n_cols, eps, MODE: tl.constexpr, XDT: tl.constexpr):
    # ss: sum of squares (rounded to x's dtype in NONE mode, else fp32)
    if MODE == NONE:
        e = eps.to(XDT)
    else:
        e = eps
    return tl.rsqrt(ss / n_cols + e)


@triton.jit
def _weight(w, offset, MODE: tl.constexpr, XDT: tl.constexpr):
    # offset + w, in the precision the forward multiplies with
    if MODE == NONE:
        wo = offset.to(XDT) + w
    elif MODE == GEMMA:
        wo = offset + w.to(tl.float32)
    else:
        wo = offset + w
    return wo


@triton.jit
def _output(x, rstd, w, MODE: tl.constexpr, HAS_W: tl.constexpr, XDT: tl.constexpr):
    # x as loaded (x's dtype), rstd broadcast to x's shape, w from _weight
    if MODE == NONE:
        xn = x * rstd
    else:
        xn = x.to(tl.float32) * rstd
    if MODE == LLAMA:
        xn = xn.to(XDT)
    if HAS_W:
        y = xn * w
    else:
        y = xn
    return y


@triton.jit
def rms_norm_fwd(Y, y_stride, X, x_stride, W, RSTD, n_rows, n_cols, eps, offset,
                 MODE: tl.constexpr, HAS_W: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    XDT: tl.constexpr = X.dtype.element_ty
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    row_ok = rows < n_rows
    col_ok = cols < n_cols
    mask = row_ok[:, None] & col_ok[None, :]
    x = tl.load(X + rows[:, None] * x_stride + cols[None, :], mask=mask, other=0.0)
    if MODE == NONE:
        ss = tl.sum((x * x).to(tl.float32), axis=1).to(XDT)
    else:
        xs = x.to(tl.float32)
        ss = tl.sum(xs * xs, axis=1)
    rstd = _rstd(ss, n_cols, eps, MODE, XDT)
    tl.store(RSTD + rows, rstd, mask=row_ok)
    if HAS_W:
        w = _weight(tl.load(W + cols, mask=col_ok, other=0.0), offset, MODE, XDT)[None, :]
    else:
        w = 0.0  # unused
    y = _output(x, rstd[:, None], w, MODE, HAS_W, XDT)
    tl.store(Y + rows[:, None] * y_stride + cols[None, :], y, mask=mask)


@triton.jit
def rms_norm_fwd_looped(Y, y_stride, X, x_stride, W, RSTD, n_cols, eps, offset,
                        MODE: tl.constexpr, HAS_W: tl.constexpr, BLOCK_N: tl.constexpr):
    # one program per row, two passes over it in BLOCK_N chunks
    XDT: tl.constexpr = X.dtype.element_ty
    row = tl.program_id(0).to(tl.int64)
    X += row * x_stride
    Y += row * y_stride
    cols = tl.arange(0, BLOCK_N)
    acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        x = tl.load(X + c, mask=c < n_cols, other=0.0)
        if MODE == NONE:
            acc += (x * x).to(tl.float32)
        else:
            x = x.to(tl.float32)
            acc += x * x
    ss = tl.sum(acc, axis=0)
    if MODE == NONE:
        ss = ss.to(XDT)
    rstd = _rstd(ss, n_cols, eps, MODE, XDT)
    tl.store(RSTD + row, rstd)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        x = tl.load(X + c, mask=ok, other=0.0)
        if HAS_W:
            w = _weight(tl.load(W + c, mask=ok, other=0.0), offset, MODE, XDT)
        else:
            w = 0.0  # unused
        y = _output(x, rstd, w, MODE, HAS_W, XDT)
        tl.store(Y + c, y, mask=ok)


@triton.jit
def _grads(dy, x, rstd, w, s, MODE: tl.constexpr, HAS_W: tl.constexpr, XDT: tl.constexpr):
    # dx = rstd * (m - xhat * s), m = dy * (offset + w), xhat = x * rstd, s = sum(m * xhat) / n;
    # returns dx and this row's dW term. dy, x as loaded; rstd, s broadcast; w fp32.
    xhat = x.to(tl.float32) * rstd
    if HAS_W:
        m = dy.to(tl.float32) * w
    else:
        m = dy.to(tl.float32)
    dx = rstd * (m - xhat * s)
    if MODE == LLAMA:
        dw = (dy * xhat.to(XDT)).to(tl.float32)
    else:
        dw = dy.to(tl.float32) * xhat
    return dx, dw


@triton.jit
def _row_scale(dy, x, rstd, w, n_cols, HAS_W: tl.constexpr):
    # s = sum(m * x) * rstd / n over axis 1 of a [rows, cols] tile
    if HAS_W:
        m = dy.to(tl.float32) * w
    else:
        m = dy.to(tl.float32)
    return tl.sum(m * x.to(tl.float32), axis=1) * rstd / n_cols


@triton.jit
def _load_block(DY, dy_stride, X, x_stride, RSTD, rows, n_rows, cols, col_ok):
    # dy, x and the saved rstd of a block of rows (zeros past the last row)
    row_ok = rows < n_rows
    mask = row_ok[:, None] & col_ok[None, :]
    r = rows.to(tl.int64)[:, None]
    dy = tl.load(DY + r * dy_stride + cols[None, :], mask=mask, other=0.0)
    x = tl.load(X + r * x_stride + cols[None, :], mask=mask, other=0.0)
    return dy, x, tl.load(RSTD + rows, mask=row_ok, other=0.0)


@triton.jit
def rms_norm_bwd(DX, dx_stride, DY, dy_stride, X, x_stride, W, RSTD, DW_PART, n_rows, n_cols, offset,
                 MODE: tl.constexpr, HAS_W: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                 PREFETCH: tl.constexpr):
    # persistent: program p takes row blocks p, p + P, p + 2P, ... and writes row p of DW_PART.
    # PREFETCH: the next block's dy, x and rstd are loaded before this block's reductions, so
    # that the memory stays busy while a program waits on them (costs registers: the host
    # turns it off for large tiles).
    XDT: tl.constexpr = X.dtype.element_ty
    pid = tl.program_id(0)
    step = tl.num_programs(0) * BLOCK_M
    cols = tl.arange(0, BLOCK_N)
    col_ok = cols < n_cols
    if HAS_W:
        w = (tl.load(W + cols, mask=col_ok, other=0.0).to(tl.float32) + offset)[None, :]
    else:
        w = 0.0  # unused
    acc = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
    if PREFETCH:
        rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
        dy_next, x_next, rstd_next = _load_block(DY, dy_stride, X, x_stride, RSTD, rows, n_rows, cols, col_ok)
    for start in range(pid * BLOCK_M, n_rows, step):
        rows = start + tl.arange(0, BLOCK_M)
        if PREFETCH:
            dy = dy_next
            x = x_next
            rstd = rstd_next.to(tl.float32)
            dy_next, x_next, rstd_next = _load_block(DY, dy_stride, X, x_stride, RSTD, rows + step, n_rows, cols,
                                                     col_ok)
        else:
            dy, x, rstd = _load_block(DY, dy_stride, X, x_stride, RSTD, rows, n_rows, cols, col_ok)
            rstd = rstd.to(tl.float32)
        s = _row_scale(dy, x, rstd, w, n_cols, HAS_W)
        dx, dw = _grads(dy, x, rstd[:, None], w, s[:, None], MODE, HAS_W, XDT)
        mask = (rows < n_rows)[:, None] & col_ok[None, :]
        tl.store(DX + rows.to(tl.int64)[:, None] * dx_stride + cols[None, :], dx, mask=mask)
        acc += dw
    if HAS_W:
        tl.store(DW_PART + pid.to(tl.int64) * n_cols + cols, tl.sum(acc, axis=0), mask=col_ok)


@triton.jit
def rms_norm_bwd_rowsum(S, DY, dy_stride, X, x_stride, W, RSTD, n_cols, offset,
                        HAS_W: tl.constexpr, BLOCK_N: tl.constexpr):
    # looped backward, step 1: S[row] = sum(m * x) * rstd / n for one long row per program
    row = tl.program_id(0).to(tl.int64)
    DY += row * dy_stride
    X += row * x_stride
    cols = tl.arange(0, BLOCK_N)
    acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        m = tl.load(DY + c, mask=ok, other=0.0).to(tl.float32)
        if HAS_W:
            m = m * (tl.load(W + c, mask=ok, other=0.0).to(tl.float32) + offset)
        acc += m * tl.load(X + c, mask=ok, other=0.0).to(tl.float32)
    rstd = tl.load(RSTD + row).to(tl.float32)
    tl.store(S + row, tl.sum(acc, axis=0) * rstd / n_cols)


@triton.jit
def rms_norm_bwd_looped(DX, dx_stride, DY, dy_stride, X, x_stride, W, RSTD, S, DW_PART, n_rows, n_cols, offset,
                        MODE: tl.constexpr, HAS_W: tl.constexpr, BLOCK_N: tl.constexpr):
    # looped backward, step 2: program (c, g) takes column chunk c of rows g, g + G, ... and
    # writes its dW sum to DW_PART[g, chunk c]
    XDT: tl.constexpr = X.dtype.element_ty
    g = tl.program_id(1)
    ngroups = tl.num_programs(1)
    cols = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    ok = cols < n_cols
    if HAS_W:
        w = tl.load(W + cols, mask=ok, other=0.0).to(tl.float32) + offset
    else:
        w = 0.0  # unused
    acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for row in range(g, n_rows, ngroups):
        r = row.to(tl.int64)
        dy = tl.load(DY + r * dy_stride + cols, mask=ok, other=0.0)
        x = tl.load(X + r * x_stride + cols, mask=ok, other=0.0)
        rstd = tl.load(RSTD + r).to(tl.float32)
        s = tl.load(S + r)
        dx, dw = _grads(dy, x, rstd, w, s, MODE, HAS_W, XDT)
        tl.store(DX + r * dx_stride + cols, dx, mask=ok)
        acc += dw
    if HAS_W:
        tl.store(DW_PART + g.to(tl.int64) * n_cols + cols, acc, mask=ok)
