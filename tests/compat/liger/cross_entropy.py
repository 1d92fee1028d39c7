"""Compatibility suite, Liger style: cross entropy (spec/kernels.md §6) and the
element_mul helper kernel of its backward.

One program per row. Pass 1 is an online softmax over the vocabulary (Milakov & Gimelshein,
arXiv 1805.02867): a running max m and a running sum d rescaled by exp(m_old - m_new), which
gives lse = m + log(d) without a second read. Pass 2 writes the gradient into the logits
buffer in place; the true class is fixed up afterwards so that the -1 is folded in before
rounding. Ignored rows zero their logits and return early. Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl

try:
    from triton.language.extra.libdevice import tanh
except ModuleNotFoundError:
    from triton.language.extra.cuda.libdevice import tanh

# exp(x) == exp2(x * log2(e)); exp2 is one hardware instruction on NVIDIA GPUs
LOG2_E: tl.constexpr = tl.constexpr(1.4426950408889634)


@triton.jit
def liger_cross_entropy_kernel(
    X_ptr, X_stride, Y_ptr, Y_stride, weight_ptr, loss_ptr, z_loss_ptr, loss_stride,
    token_accuracy_ptr, token_accuracy_stride, predicted_tokens_ptr, predicted_tokens_stride,
    n_cols, n_non_ignore, sum_non_ignore_weight, weight_sum, ignore_index,
    lse_square_scale: tl.constexpr, label_smoothing: tl.constexpr, reduction: tl.constexpr,
    softcap,
    RETURN_Z_LOSS: tl.constexpr, RETURN_TOKEN_ACCURACY: tl.constexpr,
    RETURN_PREDICTED_TOKENS: tl.constexpr, BLOCK_SIZE: tl.constexpr,
    HAS_WEIGHT: tl.constexpr, HAS_SOFTCAPPING: tl.constexpr, HAS_GRADIENTS: tl.constexpr,
):
    program_id = tl.program_id(0).to(tl.int64)
    Y_ptr += program_id * Y_stride
    y = tl.load(Y_ptr)
    X_ptr += program_id * X_stride

    if y == ignore_index:
        # an ignored row has no loss and no gradient
        for i in range(0, n_cols, BLOCK_SIZE):
            X_offsets = i + tl.arange(0, BLOCK_SIZE)
            tl.store(X_ptr + X_offsets, 0.0, mask=X_offsets < n_cols)
        if RETURN_TOKEN_ACCURACY:
            tl.store(token_accuracy_ptr + program_id * token_accuracy_stride, 0.0)
        if RETURN_PREDICTED_TOKENS:
            tl.store(predicted_tokens_ptr + program_id * predicted_tokens_stride, -1)
        return

    loss_ptr += program_id * loss_stride
    if RETURN_Z_LOSS:
        z_loss_ptr += program_id * loss_stride
    if HAS_WEIGHT:
        weight_y = tl.load(weight_ptr + y).cast(tl.float32)
    if HAS_SOFTCAPPING:
        softcap = softcap.to(tl.float32)

    # the true-class logit is read before pass 2 overwrites the row
    ori_X_y = tl.load(X_ptr + y).cast(tl.float32)
    if HAS_SOFTCAPPING:
        tanh_y = tanh(ori_X_y / softcap)
        ori_X_y = softcap * tanh_y

    # pass 1: m = max, d = sum exp(x - m), the smoothing sum, and the first index of the max
    m = float("-inf")
    d = 0.0
    scaled_x_sum = 0.0
    eps = label_smoothing / n_cols
    if RETURN_TOKEN_ACCURACY or RETURN_PREDICTED_TOKENS:
        argmax_idx = 0
    for i in range(0, n_cols, BLOCK_SIZE):
        X_offsets = i + tl.arange(0, BLOCK_SIZE)
        mask = X_offsets < n_cols
        X_block = tl.load(X_ptr + X_offsets, mask=mask, other=float("-inf")).cast(tl.float32)
        if HAS_SOFTCAPPING:
            # keep the masked lanes at -inf: softcap * tanh(-inf) would be -softcap
            X_block = tl.where(mask, softcap * tanh(X_block / softcap), float("-inf"))
        block_max = tl.max(X_block)

        if RETURN_TOKEN_ACCURACY or RETURN_PREDICTED_TOKENS:
            # smallest index holding the block's max; a later block wins only if larger
            block_argmax = tl.min(tl.where(X_block == block_max, X_offsets, n_cols))
            argmax_idx = tl.where(block_max > m, block_argmax, argmax_idx)

        if label_smoothing > 0:
            if HAS_WEIGHT:
                weight_block = tl.load(weight_ptr + X_offsets, mask=mask, other=0.0)
                scaled_x_sum += tl.sum(tl.where(mask, -eps * X_block * weight_block, 0.0))
            else:
                scaled_x_sum += tl.sum(tl.where(mask, -eps * X_block, 0.0))

        m_new = tl.maximum(m, block_max)
        d = d * tl.exp2((m - m_new) * LOG2_E) + tl.sum(tl.exp2((X_block - m_new) * LOG2_E))
        m = m_new

    lse = m + tl.log(d)

    # pass 2: dloss/dx_j = p_j (+ z-loss and smoothing terms), stored over the logits
    if HAS_GRADIENTS:
        for i in range(0, n_cols, BLOCK_SIZE):
            X_offsets = i + tl.arange(0, BLOCK_SIZE)
            mask = X_offsets < n_cols
            X_block = tl.load(X_ptr + X_offsets, mask=mask, other=float("-inf")).cast(tl.float32)
            if HAS_SOFTCAPPING:
                intermediate = tanh(X_block / softcap)
                X_block = softcap * intermediate
            p = tl.exp(X_block - lse)
            if not HAS_WEIGHT:
                X_block = p + 2 * lse_square_scale * lse * p - eps
                if reduction == "mean":
                    X_block = X_block / n_non_ignore
            else:
                weight_block = tl.load(weight_ptr + X_offsets, mask=mask, other=0.0)
                dloss_ori = (1 - label_smoothing) * p * weight_y
                dloss_smooth = eps * (p * weight_sum - weight_block)
                dz_loss = 2 * lse_square_scale * lse * p
                if reduction == "mean":
                    dloss_ori = dloss_ori / sum_non_ignore_weight
                    dloss_smooth = dloss_smooth / sum_non_ignore_weight
                    dz_loss = dz_loss / n_non_ignore
                X_block = dloss_ori + dloss_smooth + dz_loss
            if HAS_SOFTCAPPING:
                X_block = X_block * (1 - intermediate * intermediate)
            tl.store(X_ptr + X_offsets, X_block, mask=mask)

        # the loop's store to X[y] must land before the fix-up overwrites it
        tl.debug_barrier()
        p_y = tl.exp(ori_X_y - lse)
        if not HAS_WEIGHT:
            grad_y = p_y + 2 * lse_square_scale * lse * p_y - eps - (1 - label_smoothing)
            if reduction == "mean":
                grad_y = grad_y / n_non_ignore
        else:
            grad_y = (1 - label_smoothing) * (p_y - 1) * weight_y
            grad_y += eps * (p_y * weight_sum - weight_y)
            if reduction == "mean":
                grad_y = grad_y / sum_non_ignore_weight + 2 * lse_square_scale * lse * p_y / n_non_ignore
            else:
                grad_y = grad_y + 2 * lse_square_scale * lse * p_y
        if HAS_SOFTCAPPING:
            grad_y = grad_y * (1 - tanh_y * tanh_y)
        tl.store(X_ptr + y, grad_y)

    tl.debug_barrier()

    # loss = lse - x_y, blended with the uniform target: (1 - ls) H(q, p) + ls H(u, p)
    loss = lse - ori_X_y
    if HAS_WEIGHT:
        loss = weight_y * loss
    if label_smoothing > 0:
        if HAS_WEIGHT:
            smooth_loss = scaled_x_sum + eps * lse * weight_sum
        else:
            smooth_loss = scaled_x_sum + label_smoothing * lse
        loss = loss * (1 - label_smoothing) + smooth_loss

    z_loss = lse_square_scale * lse * lse  # PaLM's z-loss, never class-weighted
    if reduction == "mean":
        if HAS_WEIGHT:
            loss = loss / sum_non_ignore_weight
        else:
            loss = loss / n_non_ignore
        z_loss = z_loss / n_non_ignore
    loss += z_loss

    tl.store(loss_ptr, loss)
    if RETURN_Z_LOSS:
        tl.store(z_loss_ptr, z_loss)
    if RETURN_TOKEN_ACCURACY:
        is_correct = 1.0 if argmax_idx == y else 0.0
        tl.store(token_accuracy_ptr + program_id * token_accuracy_stride, is_correct)
    if RETURN_PREDICTED_TOKENS:
        tl.store(predicted_tokens_ptr + program_id * predicted_tokens_stride, argmax_idx)


@triton.jit
def element_mul_kernel(X_ptr, X_stride, grad_output_ptr, n_cols, BLOCK_SIZE: tl.constexpr):
    # X[row, :] *= g, with g one scalar read from memory (the loss's upstream gradient)
    program_id = tl.program_id(0).to(tl.int64)
    X_ptr += program_id * X_stride
    grad_output = tl.load(grad_output_ptr)
    for i in range(0, n_cols, BLOCK_SIZE):
        X_offsets = i + tl.arange(0, BLOCK_SIZE)
        X_block = tl.load(X_ptr + X_offsets, mask=X_offsets < n_cols)
        tl.store(X_ptr + X_offsets, X_block * grad_output, mask=X_offsets < n_cols)
