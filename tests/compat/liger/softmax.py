"""Compatibility suite, Liger style: row softmax (spec/kernels.md §9).

The single-block kernels hold a whole row in one tile (.ca loads, .cs / .wb stores); the
multi-block kernels loop over the row in BLOCK_SIZE chunks with tl.range, an online max/sum
first and a normalising pass second, starting their accumulators from dtype constructors
(tl.float32(x)) as Liger's multi-block path does. Runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _softmax_single_block_forward_kernel(Y_ptr, Y_row_stride, X_ptr, X_row_stride, n_cols,
                                         BLOCK_SIZE: tl.constexpr):
    row = tl.program_id(0)
    lanes = tl.arange(0, BLOCK_SIZE)
    mask = lanes < n_cols

    x = tl.load(X_ptr + row * X_row_stride + lanes, mask=mask, other=-float("inf"), cache_modifier=".ca")
    m = tl.max(x, axis=0)  # fp32 for 16-bit inputs: the rest of the math follows
    e = tl.exp(x - m)
    d = tl.sum(e, axis=0)
    y = e / d
    tl.store(Y_ptr + row * Y_row_stride + lanes, y, mask=mask, cache_modifier=".cs")


@triton.jit
def _softmax_single_block_backward_kernel(dY_ptr, dY_stride, Y_ptr, Y_stride, dX_ptr, dX_stride, n_cols,
                                          BLOCK_SIZE: tl.constexpr):
    # dx = y * (dy - sum(dy * y)), in the input dtype
    row = tl.program_id(0)
    lanes = tl.arange(0, BLOCK_SIZE)
    mask = lanes < n_cols

    dy = tl.load(dY_ptr + row * dY_stride + lanes, mask=mask, other=0.0)
    y = tl.load(Y_ptr + row * Y_stride + lanes, mask=mask, other=0.0, cache_modifier=".ca")
    dot = tl.sum(dy * y, axis=0)
    dx = y * (dy - dot)
    tl.store(dX_ptr + row * dX_stride + lanes, dx, mask=mask, cache_modifier=".wb")


@triton.jit
def _softmax_multi_block_forward_kernel(Y_ptr, Y_row_stride, X_ptr, X_row_stride, n_cols,
                                        BLOCK_SIZE: tl.constexpr):
    row = tl.program_id(0)
    lanes = tl.arange(0, BLOCK_SIZE)

    run_max = tl.float32(-float("inf"))
    run_sum = tl.float32(0.0)
    for start in tl.range(0, n_cols, BLOCK_SIZE):
        cols = start + lanes
        mask = cols < n_cols
        x_chunk = tl.load(X_ptr + row * X_row_stride + cols, mask=mask, other=-float("inf"), cache_modifier=".ca")
        chunk_max = tl.max(x_chunk, axis=0)
        m_next = tl.maximum(run_max, chunk_max)
        # rescale the sum so far to the new max before adding this chunk
        run_sum = run_sum * tl.exp(run_max - m_next) + tl.sum(tl.exp(x_chunk - m_next), axis=0)
        run_max = m_next

    for start in tl.range(0, n_cols, BLOCK_SIZE):
        cols = start + lanes
        mask = cols < n_cols
        x_chunk = tl.load(X_ptr + row * X_row_stride + cols, mask=mask, other=-float("inf"), cache_modifier=".ca")
        y_chunk = tl.exp(x_chunk - run_max) / run_sum
        tl.store(Y_ptr + row * Y_row_stride + cols, y_chunk, mask=mask, cache_modifier=".cs")


@triton.jit
def _softmax_multi_block_backward_kernel(dY_ptr, dY_stride, Y_ptr, Y_stride, dX_ptr, dX_stride, n_cols,
                                         BLOCK_SIZE: tl.constexpr):
    row = tl.program_id(0)
    lanes = tl.arange(0, BLOCK_SIZE)

    dot = tl.float32(0.0)
    for start in tl.range(0, n_cols, BLOCK_SIZE):
        cols = start + lanes
        mask = cols < n_cols
        dy_chunk = tl.load(dY_ptr + row * dY_stride + cols, mask=mask, other=0.0)
        y_chunk = tl.load(Y_ptr + row * Y_stride + cols, mask=mask, other=0.0, cache_modifier=".ca")
        dot += tl.sum(dy_chunk * y_chunk, axis=0)

    for start in tl.range(0, n_cols, BLOCK_SIZE):
        cols = start + lanes
        mask = cols < n_cols
        dy_chunk = tl.load(dY_ptr + row * dY_stride + cols, mask=mask, other=0.0)
        y_chunk = tl.load(Y_ptr + row * Y_stride + cols, mask=mask, other=0.0, cache_modifier=".ca")
        dx_chunk = y_chunk * (dy_chunk - dot)
        tl.store(dX_ptr + row * dX_stride + cols, dx_chunk, mask=mask, cache_modifier=".wb")
