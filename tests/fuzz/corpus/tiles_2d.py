import triton
import triton.language as tl


@triton.jit
def tiles_2d_kernel(a_ptr, b_ptr, c_ptr, M, N, stride_am, stride_bn,
                    BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(axis=1)
    rm = pid_m * BM + tl.arange(0, BM)
    rn = pid_n * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    a = tl.load(a_ptr + rm[:, None] * stride_am + rk[None, :], mask=rm[:, None] < M, other=0.0)
    b = tl.load(b_ptr + rk[:, None] + rn[None, :] * stride_bn, mask=rn[None, :] < N, other=0.0)
    row = tl.sum(a, axis=1)
    col = tl.max(b, axis=0)
    c = row[:, None] + col[None, :]
    c = tl.where((rm[:, None] < M) & (rn[None, :] < N), c, 0.0)
    e = tl.expand_dims(row, 1)
    c = c + tl.broadcast_to(e, (BM, BN))
    tl.store(c_ptr + rm[:, None] * N + rn[None, :], c.to(tl.float32),
             mask=(rm[:, None] < M) & (rn[None, :] < N))
