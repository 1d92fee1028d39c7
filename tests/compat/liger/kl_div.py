"""Compatibility suite, Liger style: KL divergence (spec/kernels.md §12).

Per element, with y = log q (the prediction) and t the target:
  log_target=False: t * (log(max(t, eps)) - y);   log_target=True: exp(t) * (t - y).
reduction "none" stores every element; the others store one fp32 sum per row and leave the
division (batchmean, mean) to the host. The reduction arrives as an int code compared with
module-level constexpr globals. Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl

_REDUCTION_MODE_NONE: tl.constexpr = tl.constexpr(0)
_REDUCTION_MODE_SUM: tl.constexpr = tl.constexpr(1)
_REDUCTION_MODE_MEAN: tl.constexpr = tl.constexpr(2)
_REDUCTION_MODE_BATCHMEAN: tl.constexpr = tl.constexpr(3)


@triton.jit
def _kldiv_kernel_forward(
    y_ptr, y_stride, gt_ptr, gt_stride, loss_ptr, loss_stride, n_cols, eps,
    BLOCK_SIZE: tl.constexpr, log_target: tl.constexpr = False,
    reduction: tl.constexpr = _REDUCTION_MODE_BATCHMEAN,
):
    pid = tl.program_id(0).to(tl.int64)
    y_ptr += pid * y_stride
    gt_ptr += pid * gt_stride
    loss_ptr += pid * loss_stride

    base_offsets = tl.arange(0, BLOCK_SIZE)
    loss_sum = 0.0
    for i in range(0, n_cols, BLOCK_SIZE):
        offsets = i + base_offsets
        mask = offsets < n_cols
        # fp32 math (tl.exp and tl.log take fp32/fp64 only); the loss buffer is fp32
        y = tl.load(y_ptr + offsets, mask=mask, other=0.0).to(tl.float32)
        y_true = tl.load(gt_ptr + offsets, mask=mask, other=0.0).to(tl.float32)
        # masked lanes have t = 0 (or exp(0) * 0): they add nothing
        if not log_target:
            loss = y_true * (tl.log(tl.maximum(y_true, eps)) - y)
        else:
            loss = tl.exp(y_true) * (y_true - y)

        if reduction == _REDUCTION_MODE_NONE:
            tl.store(loss_ptr + offsets, loss, mask=mask)
        else:
            loss_sum += tl.sum(loss, axis=0)

    if reduction != _REDUCTION_MODE_NONE:
        tl.store(loss_ptr, loss_sum)


@triton.jit
def _kldiv_kernel_backward(
    target_ptr, target_stride, new_grads_ptr, new_grads_stride, n_cols,
    BLOCK_SIZE: tl.constexpr, log_target: tl.constexpr = False,
):
    # d loss / d y = -t (or -exp(t)); the host applies grad_output and the reduction scale
    pid = tl.program_id(0).to(tl.int64)
    target_ptr += pid * target_stride
    new_grads_ptr += pid * new_grads_stride

    offsets = tl.arange(0, BLOCK_SIZE)
    for i in range(0, n_cols, BLOCK_SIZE):
        cols = i + offsets
        mask = cols < n_cols
        y_true = tl.load(target_ptr + cols, mask=mask, other=0.0).to(tl.float32)
        if not log_target:
            res = -y_true
        else:
            res = -tl.exp(y_true)
        tl.store(new_grads_ptr + cols, res, mask=mask)
