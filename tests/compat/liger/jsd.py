"""Compatibility suite, Liger style: generalised Jensen-Shannon divergence
(spec/kernels.md §13).

X = log Q (student, gets the gradient), Y = log P (teacher), M = beta P + (1 - beta) Q:
  loss = beta P log P + (1 - beta) Q log Q - M log M,   dX = (1 - beta) Q (log Q - log M),
with forward KL at beta == 0 and reverse KL at beta == 1 as constexpr special cases.
Rows whose label is ignore_index get a zero gradient and return early. Loss and gradient
are scaled by 1 / n_non_ignore. Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _jsd_kernel(
    X_ptr, X_stride, Y_ptr, Y_stride, loss_ptr, loss_stride, dX_ptr, dX_stride, label_ptr,
    beta: tl.constexpr, n_non_ignore, ignore_index: tl.constexpr, n_cols,
    BLOCK_SIZE: tl.constexpr, HAS_LABEL: tl.constexpr,
):
    pid = tl.program_id(0).to(tl.int64)
    X_ptr += pid * X_stride
    dX_ptr += pid * dX_stride
    Y_ptr += pid * Y_stride
    loss_ptr += pid * loss_stride
    label_ptr += pid

    if HAS_LABEL:
        label = tl.load(label_ptr)
        if label == ignore_index:
            for i in range(0, n_cols, BLOCK_SIZE):
                offsets = i + tl.arange(0, BLOCK_SIZE)
                tl.store(dX_ptr + offsets, 0.0, mask=offsets < n_cols)
            return

    for i in range(0, n_cols, BLOCK_SIZE):
        offsets = i + tl.arange(0, BLOCK_SIZE)
        mask = offsets < n_cols
        X = tl.load(X_ptr + offsets, mask=mask, other=float("-inf")).to(tl.float32)
        Y = tl.load(Y_ptr + offsets, mask=mask, other=float("-inf")).to(tl.float32)

        # exp(v) is taken as exp(v - max) * exp(max): the same value for log-probabilities
        if beta == 0.0:
            Y_max = tl.max(Y, axis=0)
            P = tl.exp(Y - Y_max) * tl.exp(Y_max)
            loss = P * (Y - X)
            dX = -P
        elif beta == 1.0:
            X_max = tl.max(X, axis=0)
            Q = tl.exp(X - X_max) * tl.exp(X_max)
            loss = Q * (X - Y)
            dX = loss + Q
        else:
            max_val = tl.maximum(tl.max(X, axis=0), tl.max(Y, axis=0))
            Q = tl.exp(X - max_val) * tl.exp(max_val)
            P = tl.exp(Y - max_val) * tl.exp(max_val)
            M = beta * P + (1 - beta) * Q
            log_M = tl.log(M)
            loss = beta * P * Y + (1 - beta) * Q * X - M * log_M
            dX = (1 - beta) * Q * (X - log_M)

        scale = 1.0 / n_non_ignore
        tl.store(loss_ptr + offsets, loss * scale, mask=mask)
        tl.store(dX_ptr + offsets, dX * scale, mask=mask)
