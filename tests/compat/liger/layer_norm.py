"""Compatibility suite, Liger style: LayerNorm (spec/kernels.md §2).

Forward stores mean and rstd per row (in X's dtype, as Liger does); backward runs
rows_per_program consecutive rows per program and writes one fp32 row of dW and dB
partials each. Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl

try:
    from triton.language.extra.libdevice import rsqrt
except ModuleNotFoundError:
    from triton.language.extra.cuda.libdevice import rsqrt


@triton.jit
def _layer_norm_forward_kernel(
    Y_ptr, Y_row_stride, X_ptr, X_row_stride, W_ptr, B_ptr, Mean_ptr, RSTD_ptr,
    n_cols, eps, BLOCK_SIZE: tl.constexpr,
):
    row_idx = tl.program_id(0).to(tl.int64)
    col_offsets = tl.arange(0, BLOCK_SIZE)
    mask = col_offsets < n_cols

    Y_ptr += row_idx * Y_row_stride
    X_ptr += row_idx * X_row_stride
    Mean_ptr += row_idx
    RSTD_ptr += row_idx

    X_row = tl.load(X_ptr + col_offsets, mask=mask, other=0.0)
    W_row = tl.load(W_ptr + col_offsets, mask=mask, other=0.0)
    B_row = tl.load(B_ptr + col_offsets, mask=mask, other=0.0)
    X_f32 = X_row.to(tl.float32)

    mean = tl.sum(X_f32, axis=0) / n_cols
    # the masked lanes would add mean^2 each to the variance: zero them after centring
    X_centered = tl.where(mask, X_f32 - mean, 0.0)
    var = tl.sum(X_centered * X_centered, axis=0) / n_cols
    rstd = rsqrt(var + eps)

    tl.store(Mean_ptr, mean)
    tl.store(RSTD_ptr, rstd)
    Y_row = X_centered * rstd * W_row.to(tl.float32) + B_row.to(tl.float32)
    tl.store(Y_ptr + col_offsets, Y_row.to(X_row.dtype), mask=mask)


@triton.jit
def _layer_norm_backward_kernel(
    X_ptr, W_ptr, Mean_ptr, RSTD_ptr, DX_ptr, DW_ptr, DB_ptr, DY_ptr,
    stride_x, stride_dx, stride_dw, stride_dy, n_rows, n_cols,
    rows_per_program: tl.constexpr, BLOCK_SIZE: tl.constexpr,
):
    # x_hat = (x - mean) * rstd, wdy = w * dy
    # dx = (wdy - (x_hat * mean(x_hat * wdy) + mean(wdy))) * rstd
    row_block_id = tl.program_id(0).to(tl.int64)
    row_start = row_block_id * rows_per_program
    row_end = min((row_block_id + 1) * rows_per_program, n_rows)
    cols = tl.arange(0, BLOCK_SIZE)
    mask = cols < n_cols

    dW_row = tl.zeros((BLOCK_SIZE,), dtype=tl.float32)
    dB_row = tl.zeros((BLOCK_SIZE,), dtype=tl.float32)
    w = tl.load(W_ptr + cols, mask=mask, other=0.0).to(tl.float32)

    X_ptr += row_start * stride_x
    DX_ptr += row_start * stride_dx
    DY_ptr += row_start * stride_dy
    Mean_ptr += row_start
    RSTD_ptr += row_start

    for _ in range(row_start, row_end):
        x = tl.load(X_ptr + cols, mask=mask, other=0.0).to(tl.float32)
        dy = tl.load(DY_ptr + cols, mask=mask, other=0.0).to(tl.float32)
        mean = tl.load(Mean_ptr).to(tl.float32)
        rstd = tl.load(RSTD_ptr).to(tl.float32)

        x_hat = (x - mean) * rstd
        wdy = w * dy
        c1 = tl.sum(x_hat * wdy, axis=0) / n_cols
        c2 = tl.sum(wdy, axis=0) / n_cols
        dx = (wdy - (x_hat * c1 + c2)) * rstd
        tl.store(DX_ptr + cols, dx.to(DX_ptr.dtype.element_ty), mask=mask)

        dW_row += dy * x_hat
        dB_row += dy

        X_ptr += stride_x
        DX_ptr += stride_dx
        DY_ptr += stride_dy
        Mean_ptr += 1
        RSTD_ptr += 1

    tl.store(DW_ptr + row_block_id * stride_dw + cols, dW_row, mask=mask)
    tl.store(DB_ptr + row_block_id * stride_dw + cols, dB_row, mask=mask)
