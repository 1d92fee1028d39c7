"""Column sums of a [n_parts, n_cols] fp32 matrix: OUT[c] = sum over p of P[p, c], cast to
OUT's dtype on the store. The ops' backwards use it to add the per-program partial sums of
dW / dB (kernels/op.c: op_sum_partials), in a fixed order, so the result is deterministic.
With n_parts = 0 it writes zeros. Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def sum_rows(OUT, P, n_parts, n_cols, BLOCK_P: tl.constexpr, BLOCK_N: tl.constexpr):
    cols = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    col_ok = cols < n_cols
    acc = tl.zeros([BLOCK_P, BLOCK_N], dtype=tl.float32)
    for start in range(0, n_parts, BLOCK_P):
        parts = start + tl.arange(0, BLOCK_P)
        mask = (parts < n_parts)[:, None] & col_ok[None, :]
        acc += tl.load(P + parts.to(tl.int64)[:, None] * n_cols + cols[None, :], mask=mask, other=0.0)
    tl.store(OUT + cols, tl.sum(acc, axis=0), mask=col_ok)
