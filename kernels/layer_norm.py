"""LayerNorm (spec/kernels.md §2): y = (x - mean) * rstd * w + b, rstd = 1 / sqrt(var + eps),
var the biased variance of the row; all arithmetic in fp32, mean and rstd stored in the
dtype of their buffers (Liger: x's dtype) and read back from there by the backward.

Host side: kernels/layer_norm.c. Same two shapes as kernels/rms_norm.py:
  tile    rows of up to 65536 elements, BLOCK_M whole rows per program; the backward is a
          persistent grid keeping dW and dB sums in fp32 registers.
  looped  longer rows: three passes over the row (mean, variance, output) in BLOCK_N
          chunks; the backward reduces each row to two scalars first, then a 2-D grid of
          (column chunk, row group) programs writes dx and the dW / dB partials.
Backward: xhat = (x - mean) * rstd, g = w * dy, c1 = sum(xhat * g) / n, c2 = sum(g) / n,
dx = (g - (xhat * c1 + c2)) * rstd, dW = sum over rows of dy * xhat, dB = sum of dy; the
partials [programs, n_cols] are added by kernels/sum_rows.py.
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _affine(xhat, W, B, cols, ok, HAS_W: tl.constexpr, HAS_B: tl.constexpr):
    # xhat * w + b on a [cols] or [rows, cols] tile (w, b broadcast along the rows)
    y = xhat
    if HAS_W:
        y = y * tl.load(W + cols, mask=ok, other=0.0).to(tl.float32)
    if HAS_B:
        y = y + tl.load(B + cols, mask=ok, other=0.0).to(tl.float32)
    return y


@triton.jit
def layer_norm_fwd(Y, y_stride, X, x_stride, W, B, MEAN, RSTD, n_rows, n_cols, eps,
                   HAS_W: tl.constexpr, HAS_B: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    row_ok = rows < n_rows
    col_ok = cols < n_cols
    mask = row_ok[:, None] & col_ok[None, :]
    x = tl.load(X + rows[:, None] * x_stride + cols[None, :], mask=mask, other=0.0).to(tl.float32)
    mean = tl.sum(x, axis=1) / n_cols
    xc = tl.where(mask, x - mean[:, None], 0.0)
    rstd = tl.rsqrt(tl.sum(xc * xc, axis=1) / n_cols + eps)
    tl.store(MEAN + rows, mean, mask=row_ok)
    tl.store(RSTD + rows, rstd, mask=row_ok)
    y = _affine(xc * rstd[:, None], W, B, cols[None, :], col_ok[None, :], HAS_W, HAS_B)
    tl.store(Y + rows[:, None] * y_stride + cols[None, :], y, mask=mask)


@triton.jit
def layer_norm_fwd_looped(Y, y_stride, X, x_stride, W, B, MEAN, RSTD, n_cols, eps,
                          HAS_W: tl.constexpr, HAS_B: tl.constexpr, BLOCK_N: tl.constexpr):
    # one program per row: mean, then the centred sum of squares, then the output
    row = tl.program_id(0).to(tl.int64)
    X += row * x_stride
    Y += row * y_stride
    cols = tl.arange(0, BLOCK_N)
    acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        acc += tl.load(X + c, mask=c < n_cols, other=0.0).to(tl.float32)
    mean = tl.sum(acc, axis=0) / n_cols
    acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        xc = tl.where(ok, tl.load(X + c, mask=ok, other=0.0).to(tl.float32) - mean, 0.0)
        acc += xc * xc
    rstd = tl.rsqrt(tl.sum(acc, axis=0) / n_cols + eps)
    tl.store(MEAN + row, mean)
    tl.store(RSTD + row, rstd)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        xhat = (tl.load(X + c, mask=ok, other=0.0).to(tl.float32) - mean) * rstd
        tl.store(Y + c, _affine(xhat, W, B, c, ok, HAS_W, HAS_B), mask=ok)


@triton.jit
def _load_block(DY, dy_stride, X, x_stride, MEAN, RSTD, rows, n_rows, cols, col_ok):
    # dy, x, mean and rstd of a block of rows (zeros past the last row)
    row_ok = rows < n_rows
    mask = row_ok[:, None] & col_ok[None, :]
    r = rows.to(tl.int64)[:, None]
    dy = tl.load(DY + r * dy_stride + cols[None, :], mask=mask, other=0.0)
    x = tl.load(X + r * x_stride + cols[None, :], mask=mask, other=0.0)
    mean = tl.load(MEAN + rows, mask=row_ok, other=0.0)
    return dy, x, mean, tl.load(RSTD + rows, mask=row_ok, other=0.0)


@triton.jit
def layer_norm_bwd(DX, dx_stride, DY, dy_stride, X, x_stride, W, MEAN, RSTD, DW_PART, DB_PART, n_rows, n_cols,
                   HAS_W: tl.constexpr, HAS_B: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                   PREFETCH: tl.constexpr):
    # persistent: program p takes row blocks p, p + P, ... and writes row p of the partials.
    # PREFETCH: the next block is loaded before this block's reductions (see rms_norm_bwd).
    pid = tl.program_id(0)
    step = tl.num_programs(0) * BLOCK_M
    cols = tl.arange(0, BLOCK_N)
    col_ok = cols < n_cols
    if HAS_W:
        w = tl.load(W + cols, mask=col_ok, other=0.0).to(tl.float32)[None, :]
    else:
        w = 1.0  # unused
    dw_acc = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
    db_acc = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
    if PREFETCH:
        rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
        dy_n, x_n, mean_n, rstd_n = _load_block(DY, dy_stride, X, x_stride, MEAN, RSTD, rows, n_rows, cols, col_ok)
    for start in range(pid * BLOCK_M, n_rows, step):
        rows = start + tl.arange(0, BLOCK_M)
        if PREFETCH:
            dy = dy_n.to(tl.float32)
            x = x_n.to(tl.float32)
            mean = mean_n.to(tl.float32)[:, None]
            rstd = rstd_n.to(tl.float32)[:, None]
            dy_n, x_n, mean_n, rstd_n = _load_block(DY, dy_stride, X, x_stride, MEAN, RSTD, rows + step, n_rows, cols,
                                                    col_ok)
        else:
            dy, x, mean, rstd = _load_block(DY, dy_stride, X, x_stride, MEAN, RSTD, rows, n_rows, cols, col_ok)
            dy = dy.to(tl.float32)
            x = x.to(tl.float32)
            mean = mean.to(tl.float32)[:, None]
            rstd = rstd.to(tl.float32)[:, None]
        xhat = (x - mean) * rstd
        if HAS_W:
            g = dy * w
        else:
            g = dy
        c1 = (tl.sum(xhat * g, axis=1) / n_cols)[:, None]
        c2 = (tl.sum(g, axis=1) / n_cols)[:, None]
        mask = (rows < n_rows)[:, None] & col_ok[None, :]
        tl.store(DX + rows.to(tl.int64)[:, None] * dx_stride + cols[None, :], (g - (xhat * c1 + c2)) * rstd, mask=mask)
        dw_acc += dy * xhat
        db_acc += dy
    p = pid.to(tl.int64) * n_cols
    if HAS_W:
        tl.store(DW_PART + p + cols, tl.sum(dw_acc, axis=0), mask=col_ok)
    if HAS_B:
        tl.store(DB_PART + p + cols, tl.sum(db_acc, axis=0), mask=col_ok)


@triton.jit
def layer_norm_bwd_rowsum(C, DY, dy_stride, X, x_stride, W, MEAN, RSTD, n_cols,
                          HAS_W: tl.constexpr, BLOCK_N: tl.constexpr):
    # looped backward, step 1: C[2 row] = c1, C[2 row + 1] = c2 for one long row per program
    row = tl.program_id(0).to(tl.int64)
    DY += row * dy_stride
    X += row * x_stride
    mean = tl.load(MEAN + row).to(tl.float32)
    rstd = tl.load(RSTD + row).to(tl.float32)
    cols = tl.arange(0, BLOCK_N)
    acc1 = tl.zeros([BLOCK_N], dtype=tl.float32)
    acc2 = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        c = start + cols
        ok = c < n_cols
        g = tl.load(DY + c, mask=ok, other=0.0).to(tl.float32)
        if HAS_W:
            g = g * tl.load(W + c, mask=ok, other=0.0).to(tl.float32)
        xhat = (tl.load(X + c, mask=ok, other=0.0).to(tl.float32) - mean) * rstd
        acc1 += xhat * g
        acc2 += g
    tl.store(C + 2 * row, tl.sum(acc1, axis=0) / n_cols)
    tl.store(C + 2 * row + 1, tl.sum(acc2, axis=0) / n_cols)


@triton.jit
def layer_norm_bwd_looped(DX, dx_stride, DY, dy_stride, X, x_stride, W, MEAN, RSTD, C, DW_PART, DB_PART,
                          n_rows, n_cols, HAS_W: tl.constexpr, HAS_B: tl.constexpr, BLOCK_N: tl.constexpr):
    # looped backward, step 2: program (c, g) takes column chunk c of rows g, g + G, ... and
    # writes its sums to row g of the partials
    grp = tl.program_id(1)
    ngroups = tl.num_programs(1)
    cols = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    ok = cols < n_cols
    if HAS_W:
        w = tl.load(W + cols, mask=ok, other=0.0).to(tl.float32)
    else:
        w = 1.0  # unused
    dw_acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    db_acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for row in range(grp, n_rows, ngroups):
        r = row.to(tl.int64)
        dy = tl.load(DY + r * dy_stride + cols, mask=ok, other=0.0).to(tl.float32)
        x = tl.load(X + r * x_stride + cols, mask=ok, other=0.0).to(tl.float32)
        mean = tl.load(MEAN + r).to(tl.float32)
        rstd = tl.load(RSTD + r).to(tl.float32)
        c1 = tl.load(C + 2 * r)
        c2 = tl.load(C + 2 * r + 1)
        xhat = (x - mean) * rstd
        if HAS_W:
            g = dy * w
        else:
            g = dy
        tl.store(DX + r * dx_stride + cols, (g - (xhat * c1 + c2)) * rstd, mask=ok)
        dw_acc += dy * xhat
        db_acc += dy
    p = grp.to(tl.int64) * n_cols
    if HAS_W:
        tl.store(DW_PART + p + cols, dw_acc, mask=ok)
    if HAS_B:
        tl.store(DB_PART + p + cols, db_acc, mask=ok)
