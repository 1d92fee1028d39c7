"""Compatibility suite, Liger style: RMSNorm (spec/kernels.md §1).

Row forward with three casting modes picked by module-level constexpr globals, row backward
writing one fp32 dW partial row per program (the host sums the partials), and the 16-row
block forward on 2-D tiles. Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl

# libdevice moved between Triton releases; Liger-style code tries the new path first.
try:
    from triton.language.extra.libdevice import rsqrt
except ModuleNotFoundError:
    from triton.language.extra.cuda.libdevice import rsqrt

_CASTING_MODE_NONE: tl.constexpr = tl.constexpr(-1)
_CASTING_MODE_LLAMA: tl.constexpr = tl.constexpr(0)
_CASTING_MODE_GEMMA: tl.constexpr = tl.constexpr(1)


@triton.jit
def _rms_norm_forward_kernel(
    Y_ptr, Y_row_stride, X_ptr, X_row_stride, W_ptr, RSTD_ptr,
    n_cols, eps, offset,
    casting_mode: tl.constexpr, elementwise_affine: tl.constexpr, BLOCK_SIZE: tl.constexpr,
):
    row_idx = tl.program_id(0).to(tl.int64)
    col_offsets = tl.arange(0, BLOCK_SIZE)
    mask = col_offsets < n_cols

    Y_ptr += row_idx * Y_row_stride
    X_ptr += row_idx * X_row_stride
    RSTD_ptr += row_idx

    X_row = tl.load(X_ptr + col_offsets, mask=mask, other=0)
    X_row_dtype = X_row.dtype
    if elementwise_affine:
        W_row = tl.load(W_ptr + col_offsets, mask=mask, other=0)

    # llama: only the mean square and rstd in fp32; gemma: everything in fp32;
    # none: the input dtype throughout (the division by n_cols still promotes).
    if casting_mode == _CASTING_MODE_LLAMA:
        X_row = X_row.to(tl.float32)
    if casting_mode == _CASTING_MODE_GEMMA:
        if elementwise_affine:
            W_row = W_row.to(tl.float32)
        X_row = X_row.to(tl.float32)
    if casting_mode == _CASTING_MODE_NONE:
        eps = eps.to(X_row_dtype)
        offset = offset.to(X_row_dtype)
    else:
        eps = eps.to(tl.float32)
        offset = offset.to(tl.float32)

    mean_square = tl.sum(X_row * X_row, axis=0) / n_cols
    rstd = rsqrt(mean_square + eps)
    tl.store(RSTD_ptr, rstd)

    X_row = X_row * rstd
    if casting_mode == _CASTING_MODE_LLAMA:
        X_row = X_row.to(X_row_dtype)  # round before the weight, as HF Llama does
    if elementwise_affine:
        Y_row = X_row * (offset + W_row)
    else:
        Y_row = X_row
    if casting_mode == _CASTING_MODE_GEMMA:
        Y_row = Y_row.to(X_row_dtype)
    tl.store(Y_ptr + col_offsets, Y_row, mask=mask)


@triton.jit
def _rms_norm_backward_kernel(
    dY_ptr, dY_row_stride, dX_ptr, dX_row_stride, X_ptr, X_row_stride, X_dtype: tl.constexpr,
    W_ptr, RSTD_ptr, dW_ptr, dW_row_stride,
    n_rows, n_cols, offset, rows_per_program,
    casting_mode: tl.constexpr, elementwise_affine: tl.constexpr, BLOCK_SIZE: tl.constexpr,
):
    # dx = rstd * m - rstd^3 / N * sum(m * x) * x,  m = dy * (w + offset)
    row_block_id = tl.program_id(0).to(tl.int64)
    row_start = row_block_id * rows_per_program
    row_end = min((row_block_id + 1) * rows_per_program, n_rows)
    col_offsets = tl.arange(0, BLOCK_SIZE)
    mask = col_offsets < n_cols

    if elementwise_affine:
        dW_row = tl.zeros((BLOCK_SIZE,), dtype=tl.float32)
        W_row = tl.load(W_ptr + col_offsets, mask=mask, other=0.0)
        W_row = W_row + offset

    for row_idx in range(row_start, row_end):
        dY_row = tl.load(dY_ptr + row_idx * dY_row_stride + col_offsets, mask=mask, other=0.0)
        X_row = tl.load(X_ptr + row_idx * X_row_stride + col_offsets, mask=mask, other=0.0)
        rstd_row = tl.load(RSTD_ptr + row_idx)
        X_row = X_row.to(tl.float32)

        if casting_mode == _CASTING_MODE_LLAMA:
            if elementwise_affine:
                m = (dY_row * W_row).to(tl.float32)
            else:
                m = dY_row.to(tl.float32)
        elif casting_mode == _CASTING_MODE_GEMMA:
            dY_row = dY_row.to(tl.float32)
            if elementwise_affine:
                m = dY_row * W_row
            else:
                m = dY_row
        else:
            if elementwise_affine:
                m = dY_row * W_row
            else:
                m = dY_row

        dX_row = rstd_row * m
        dX_row += rstd_row * (-(1 / n_cols) * rstd_row * rstd_row * tl.sum(m * X_row, axis=0) * X_row)

        if elementwise_affine:
            if casting_mode == _CASTING_MODE_LLAMA:
                dW_row += dY_row * (X_row * rstd_row).to(X_dtype)
            else:
                dW_row += dY_row * (X_row * rstd_row)

        tl.store(dX_ptr + row_idx * dX_row_stride + col_offsets, dX_row.to(X_dtype), mask=mask)

    if elementwise_affine:
        tl.store(dW_ptr + row_block_id * dW_row_stride + col_offsets, dW_row, mask=mask)


@triton.jit
def _block_rms_norm_forward_kernel(
    Y_ptr, Y_row_stride, X_ptr, X_row_stride, W_ptr, RSTD_ptr,
    n_rows, n_cols, eps, offset,
    casting_mode: tl.constexpr, elementwise_affine: tl.constexpr,
    BLOCK_SIZE: tl.constexpr, BLOCK_ROW: tl.constexpr,
):
    # BLOCK_ROW rows per program on a [BLOCK_ROW, BLOCK_SIZE] tile, reduced along axis 1.
    row_idx = tl.program_id(0) * BLOCK_ROW + tl.arange(0, BLOCK_ROW)
    col_offsets = tl.arange(0, BLOCK_SIZE)
    row_mask = row_idx < n_rows
    col_mask = col_offsets < n_cols
    mask = row_mask[:, None] & col_mask[None, :]

    X_rows = tl.load(X_ptr + row_idx[:, None] * X_row_stride + col_offsets[None, :], mask=mask, other=0)
    X_dtype = X_rows.dtype
    if elementwise_affine:
        W_row = tl.load(W_ptr + col_offsets, mask=col_mask, other=0)
    if casting_mode == _CASTING_MODE_LLAMA:
        X_rows = X_rows.to(tl.float32)
    if casting_mode == _CASTING_MODE_GEMMA:
        if elementwise_affine:
            W_row = W_row.to(tl.float32)
        X_rows = X_rows.to(tl.float32)
    if casting_mode == _CASTING_MODE_NONE:
        eps = eps.to(X_dtype)
        offset = offset.to(X_dtype)
    else:
        eps = eps.to(tl.float32)
        offset = offset.to(tl.float32)

    mean_square = tl.sum(X_rows * X_rows, axis=1) / n_cols
    rstd = rsqrt(mean_square + eps)
    tl.store(RSTD_ptr + row_idx, rstd, mask=row_mask)

    X_rows = X_rows * rstd[:, None]
    if casting_mode == _CASTING_MODE_LLAMA:
        X_rows = X_rows.to(X_dtype)
    if elementwise_affine:
        Y_rows = X_rows * (offset + W_row)[None, :]
    else:
        Y_rows = X_rows
    if casting_mode == _CASTING_MODE_GEMMA:
        Y_rows = Y_rows.to(X_dtype)
    tl.store(Y_ptr + row_idx[:, None] * Y_row_stride + col_offsets[None, :], Y_rows, mask=mask)


@triton.jit
def _block_rms_norm_backward_kernel(
    dY_ptr, dY_row_stride, dX_ptr, dX_row_stride, X_ptr, X_row_stride, X_dtype: tl.constexpr,
    W_ptr, RSTD_ptr, dW_ptr, dW_row_stride, n_rows, n_cols, offset,
    BLOCK_SIZE: tl.constexpr, BLOCK_ROW: tl.constexpr,
):
    # Grid-stride loop over 16-row tiles (gemma casting, with weight): each program sums
    # dW over its tiles with tl.sum(axis=0) and writes one partial row.
    pid = tl.program_id(0).cast(tl.int64)
    NUM_SMS = tl.num_programs(0)
    col_offsets = tl.arange(0, BLOCK_SIZE)
    col_mask = col_offsets < n_cols
    dW_row = tl.zeros((BLOCK_SIZE,), dtype=tl.float32)
    W_row = tl.load(W_ptr + col_offsets, mask=col_mask, other=0.0).to(tl.float32)
    W_row = W_row + offset.to(tl.float32)

    for start in range(pid * BLOCK_ROW, n_rows, NUM_SMS * BLOCK_ROW):
        row_idx = start + tl.arange(0, BLOCK_ROW)
        row_mask = row_idx < n_rows
        mask = row_mask[:, None] & col_mask[None, :]
        dY_rows = tl.load(dY_ptr + row_idx[:, None] * dY_row_stride + col_offsets[None, :], mask=mask, other=0.0)
        X_rows = tl.load(X_ptr + row_idx[:, None] * X_row_stride + col_offsets[None, :], mask=mask, other=0.0)
        rstd = tl.load(RSTD_ptr + row_idx, mask=row_mask, other=0.0)
        X_rows = X_rows.to(tl.float32)
        dY_rows = dY_rows.to(tl.float32)

        m = dY_rows * W_row[None, :]
        dX_rows = rstd[:, None] * m
        dX_rows += rstd[:, None] * (
            -(1 / n_cols) * (rstd * rstd * tl.sum(m * X_rows, axis=1))[:, None] * X_rows)
        dW_row += tl.sum(dY_rows * (X_rows * rstd[:, None]), axis=0)
        tl.store(dX_ptr + row_idx[:, None] * dX_row_stride + col_offsets[None, :], dX_rows.to(X_dtype), mask=mask)

    tl.store(dW_ptr + pid * dW_row_stride + col_offsets, dW_row, mask=col_mask)
