"""Compatibility suite, Liger style: int8 x packed-ternary matmul (spec/kernels.md §16).

C (M, N) int32 = A (M, K) int8 @ W (K, N), W in {-1, 0, 1} stored as W + 1 in 2-bit fields
of a (K/4, N) uint8 matrix P. The four quarters of K are bit planes:

    P[r, n] bits [2i, 2i+1] = W[r + i*K/4, n] + 1        i = 0..3

so plane i is multiplied by columns [i*K/4, (i+1)*K/4) of A: the packed pointer restarts for
every plane while the A pointer runs through the whole of K. Programs are numbered in
groups of GROUP_SIZE_M block rows so that neighbours share B tiles in cache. Runs unchanged
under Triton 3.6."""
import triton
import triton.language as tl


@triton.autotune(
    configs=[
        triton.Config({"BLOCK_SIZE_M": 64, "BLOCK_SIZE_N": 64, "BLOCK_SIZE_K": 64, "GROUP_SIZE_M": 8},
                      num_warps=4, num_stages=3),
        triton.Config({"BLOCK_SIZE_M": 128, "BLOCK_SIZE_N": 128, "BLOCK_SIZE_K": 32, "GROUP_SIZE_M": 8},
                      num_warps=8, num_stages=4),
        triton.Config({"BLOCK_SIZE_M": 32, "BLOCK_SIZE_N": 32, "BLOCK_SIZE_K": 32, "GROUP_SIZE_M": 4},
                      num_warps=4, num_stages=4),
    ],
    key=["M", "N", "K"],
)
@triton.jit
def matmul_kernel(
    a_ptr, b_ptr, c_ptr, M, N, K: tl.constexpr,
    stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
    BLOCK_SIZE_M: tl.constexpr, BLOCK_SIZE_N: tl.constexpr, BLOCK_SIZE_K: tl.constexpr,
    GROUP_SIZE_M: tl.constexpr,
):
    tl.static_assert(K % (4 * BLOCK_SIZE_K) == 0, "K must be a multiple of 4 * BLOCK_SIZE_K")

    pid = tl.program_id(axis=0)
    num_pid_m = tl.cdiv(M, BLOCK_SIZE_M)
    num_pid_n = tl.cdiv(N, BLOCK_SIZE_N)
    num_pid_in_group = GROUP_SIZE_M * num_pid_n
    group_id = pid // num_pid_in_group
    first_pid_m = group_id * GROUP_SIZE_M
    group_size_m = min(num_pid_m - first_pid_m, GROUP_SIZE_M)
    pid_m = first_pid_m + ((pid % num_pid_in_group) % group_size_m)
    pid_n = (pid % num_pid_in_group) // group_size_m

    # rows and columns past the edge wrap around: their results are masked at the store
    offs_am = (pid_m * BLOCK_SIZE_M + tl.arange(0, BLOCK_SIZE_M)) % M
    offs_bn = (pid_n * BLOCK_SIZE_N + tl.arange(0, BLOCK_SIZE_N)) % N
    offs_k = tl.arange(0, BLOCK_SIZE_K)
    a_ptrs = a_ptr + offs_am[:, None] * stride_am + offs_k[None, :] * stride_ak

    acc = tl.zeros((BLOCK_SIZE_M, BLOCK_SIZE_N), dtype=tl.int32)
    one = tl.full((1,), 1, dtype=tl.int8)
    packed_k = K // 4
    for plane in range(4):
        b_ptrs = b_ptr + offs_k[:, None] * stride_bk + offs_bn[None, :] * stride_bn
        shift = plane * 2
        field = 3 << shift
        for kk in range(0, tl.cdiv(packed_k, BLOCK_SIZE_K)):
            k_left = packed_k - kk * BLOCK_SIZE_K
            a = tl.load(a_ptrs, mask=offs_k[None, :] < k_left, other=0)
            packed = tl.load(b_ptrs, mask=offs_k[:, None] < k_left, other=0)
            # {0, 1, 2} in the plane's two bits -> {-1, 0, 1}
            w = ((packed & field) >> shift).to(tl.int8) - one
            acc += tl.dot(a, w, out_dtype=tl.int32)
            a_ptrs += BLOCK_SIZE_K * stride_ak
            b_ptrs += BLOCK_SIZE_K * stride_bk

    offs_cm = pid_m * BLOCK_SIZE_M + tl.arange(0, BLOCK_SIZE_M)
    offs_cn = pid_n * BLOCK_SIZE_N + tl.arange(0, BLOCK_SIZE_N)
    c_ptrs = c_ptr + stride_cm * offs_cm[:, None] + stride_cn * offs_cn[None, :]
    c_mask = (offs_cm[:, None] < M) & (offs_cn[None, :] < N)
    tl.store(c_ptrs, acc, mask=c_mask)
