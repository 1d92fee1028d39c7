import triton
import triton.language as tl

BLOCK_SIZE = tl.constexpr(128)
EPS: tl.constexpr = 1e-6
NUM = 4
SCALE = 2.0 * NUM
DTYPE = tl.float32
FLAG = True
NAMES = ("a", "b")


@triton.jit
def constexpr_global_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr = BLOCK_SIZE, USE_EPS: tl.constexpr = FLAG):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n, other=0.0).to(DTYPE)
    if USE_EPS:
        x = x + EPS
    x = x * SCALE
    tl.static_assert(BLOCK % 16 == 0, "BLOCK must be a multiple of 16")
    for i in tl.static_range(NUM):
        x = x + i
    tl.store(y_ptr + offs, x, mask=offs < n)
