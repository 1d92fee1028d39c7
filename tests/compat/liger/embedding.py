"""Compatibility suite, Liger style: embedding lookup (spec/kernels.md §15).

A 2-D grid of [BLOCK_SIZE_M indices, BLOCK_SIZE_N columns] tiles: the forward gathers
rows of the table, the backward scatters the output gradient back with float atomics
(duplicate indices add up; the order, and so the rounding, is not deterministic). Runs
unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def embedding_forward_kernel(
    embeddings_ptr, indices_ptr, output_ptr, n_elements,
    embedding_dim: tl.constexpr, BLOCK_SIZE_M: tl.constexpr, BLOCK_SIZE_N: tl.constexpr,
):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)

    offsets_m = pid_m * BLOCK_SIZE_M + tl.arange(0, BLOCK_SIZE_M)
    mask_m = offsets_m < n_elements
    indices = tl.load(indices_ptr + offsets_m, mask=mask_m, other=0)
    offsets_n = pid_n * BLOCK_SIZE_N + tl.arange(0, BLOCK_SIZE_N)
    mask_n = offsets_n < embedding_dim
    mask = mask_m[:, None] & mask_n[None, :]

    # gather row indices[m] of the table; the output rows follow the index order
    embedding_offsets = indices[:, None] * embedding_dim + offsets_n[None, :]
    embeddings = tl.load(embeddings_ptr + embedding_offsets, mask=mask, other=0.0)
    output_offsets = offsets_m[:, None] * embedding_dim + offsets_n[None, :]
    tl.store(output_ptr + output_offsets, embeddings, mask=mask)


@triton.jit
def embedding_backward_kernel(
    grad_output_ptr, grad_weight_ptr, indices_ptr, n_elements,
    embedding_dim: tl.constexpr, BLOCK_SIZE_M: tl.constexpr, BLOCK_SIZE_N: tl.constexpr,
):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)

    offsets_m = pid_m * BLOCK_SIZE_M + tl.arange(0, BLOCK_SIZE_M)
    mask_m = offsets_m < n_elements
    indices = tl.load(indices_ptr + offsets_m, mask=mask_m, other=0)
    offsets_n = pid_n * BLOCK_SIZE_N + tl.arange(0, BLOCK_SIZE_N)
    mask_n = offsets_n < embedding_dim
    mask = mask_m[:, None] & mask_n[None, :]

    grad_output = tl.load(grad_output_ptr + offsets_m[:, None] * embedding_dim + offsets_n[None, :],
                          mask=mask, other=0.0)
    grad_weight_offsets = indices[:, None] * embedding_dim + offsets_n[None, :]
    tl.atomic_add(grad_weight_ptr + grad_weight_offsets, grad_output, mask=mask)
