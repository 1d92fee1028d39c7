import triton
import triton.language as tl

# Constant folding at the edges of int64 (tests/fuzz/crashes/sema_fold_*.py, fixed in sema):
# each line once overflowed, divided INT64_MIN by -1, shifted by a negative count or looped
# 2**63 times; now each is a value or a clear error.


@triton.jit
def fold_edges_kernel(x_ptr):
    tl.store(x_ptr + 0, 4294967296 * 4294967296)
    tl.store(x_ptr + 1, (-9223372036854775807 - 1) // -1)
    tl.store(x_ptr + 2, (-9223372036854775807 - 1) % -1)
    tl.store(x_ptr + 3, -(-9223372036854775807 - 1))
    tl.store(x_ptr + 4, 1 ** 9223372036854775807)
    tl.store(x_ptr + 5, 2 ** 64)
    tl.store(x_ptr + 6, 1 << -1)
    tl.store(x_ptr + 7, 1 >> -1)
    tl.store(x_ptr + 8, 9223372036854775807 + 1 - 1)
    tl.store(x_ptr + 9, -9223372036854775807 - 2)
