"""Compatibility suite, Liger style: rotary position embedding (spec/kernels.md §3).

One program per token rotates every q and k head at once on [pad_n_heads, pad_hd // 2]
tiles, in the rotate_half layout (element i pairs with i + hd/2). The same kernel runs
backward (rotation by -theta) under the constexpr BACKWARD_PASS. Runs unchanged under
Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _triton_rope(
    q_ptr, q_row_stride, k_ptr, k_row_stride, cos, cos_row_stride, sin, sin_row_stride,
    sl,
    bs: tl.constexpr, cos_bs: tl.constexpr, n_qh: tl.constexpr, n_kh: tl.constexpr,
    hd: tl.constexpr, pad_n_qh: tl.constexpr, pad_n_kh: tl.constexpr, pad_hd: tl.constexpr,
    BLOCK_SIZE: tl.constexpr, BACKWARD_PASS: tl.constexpr = False,
):
    # q: (bs, sl, n_qh, hd) and k: (bs, sl, n_kh, hd), contiguous; cos/sin: (cos_bs, sl, hd)
    pid = tl.program_id(0).to(tl.int64)
    q_ptr = q_ptr + pid * q_row_stride
    k_ptr = k_ptr + pid * k_row_stride

    # cos/sin are shared by the batch when cos_bs == 1
    batch_idx = pid // sl
    cos_row_idx = pid % sl
    cos = cos + tl.where(cos_bs == 1, cos_row_idx * cos_row_stride,
                         batch_idx * (sl * cos_row_stride) + cos_row_idx * cos_row_stride)
    sin = sin + tl.where(cos_bs == 1, cos_row_idx * sin_row_stride,
                         batch_idx * (sl * sin_row_stride) + cos_row_idx * sin_row_stride)

    # only the first half of the cos/sin row is read: the second half repeats it
    cos_offsets = tl.arange(0, pad_hd // 2)
    cos_mask = cos_offsets < hd // 2
    cos_row = tl.load(cos + cos_offsets, mask=cos_mask, other=0)
    sin_row = tl.load(sin + cos_offsets, mask=cos_mask, other=0)

    first_half_q_offsets = tl.arange(0, pad_n_qh)[:, None] * hd + tl.arange(0, pad_hd // 2)[None, :]
    first_half_k_offsets = tl.arange(0, pad_n_kh)[:, None] * hd + tl.arange(0, pad_hd // 2)[None, :]
    first_q_mask = (tl.arange(0, pad_n_qh)[:, None] < n_qh) & (tl.arange(0, pad_hd // 2)[None, :] < hd // 2)
    first_k_mask = (tl.arange(0, pad_n_kh)[:, None] < n_kh) & (tl.arange(0, pad_hd // 2)[None, :] < hd // 2)
    q_tile_1 = tl.load(q_ptr + first_half_q_offsets, mask=first_q_mask, other=0).to(sin_row.dtype)
    k_tile_1 = tl.load(k_ptr + first_half_k_offsets, mask=first_k_mask, other=0).to(sin_row.dtype)

    second_half_q_offsets = first_half_q_offsets + (hd // 2)
    second_half_k_offsets = first_half_k_offsets + (hd // 2)
    q_tile_2 = tl.load(q_ptr + second_half_q_offsets, mask=first_q_mask, other=0).to(sin_row.dtype)
    k_tile_2 = tl.load(k_ptr + second_half_k_offsets, mask=first_k_mask, other=0).to(sin_row.dtype)

    if not BACKWARD_PASS:
        # y1 = x1 cos - x2 sin, y2 = x2 cos + x1 sin
        new_q_tile_1 = q_tile_1 * cos_row - q_tile_2 * sin_row
        new_q_tile_2 = q_tile_2 * cos_row + q_tile_1 * sin_row
        new_k_tile_1 = k_tile_1 * cos_row - k_tile_2 * sin_row
        new_k_tile_2 = k_tile_2 * cos_row + k_tile_1 * sin_row
    else:
        # dx1 = dy1 cos + dy2 sin, dx2 = dy2 cos - dy1 sin
        new_q_tile_1 = q_tile_1 * cos_row + q_tile_2 * sin_row
        new_q_tile_2 = q_tile_2 * cos_row - q_tile_1 * sin_row
        new_k_tile_1 = k_tile_1 * cos_row + k_tile_2 * sin_row
        new_k_tile_2 = k_tile_2 * cos_row - k_tile_1 * sin_row

    tl.store(q_ptr + first_half_q_offsets, new_q_tile_1, mask=first_q_mask)
    tl.store(q_ptr + second_half_q_offsets, new_q_tile_2, mask=first_q_mask)
    tl.store(k_ptr + first_half_k_offsets, new_k_tile_1, mask=first_k_mask)
    tl.store(k_ptr + second_half_k_offsets, new_k_tile_2, mask=first_k_mask)
