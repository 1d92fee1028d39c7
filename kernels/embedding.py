"""Embedding (spec/kernels.md §15): a gather of weight rows by integer ids, and its gradient,
a scatter-add of the output gradient rows into the weight gradient.

  forward   out[m, :] = W[ids[m], :]                   (zeros where ids[m] is not a row)
  backward  dW[ids[m], :] += dout[m, :]                (nothing for those ids)

An id "is not a row" when it equals padding_idx (Liger's module zeroes those output rows,
which also zeroes their gradient) or lies outside [0, V): such ids never address W or dW.
padding_idx = -1 means none (an id of -1 is out of range anyway).

Host side: kernels/embedding.c. Every kernel works on [BLOCK_M, BLOCK_D] tiles, BLOCK_M ids
by BLOCK_D columns, on a grid (cdiv(n_ids, BLOCK_M), cdiv(D, BLOCK_D)); offsets are int64
(V * D passes 2^31 at real vocabularies). EVEN_D (D a multiple of BLOCK_D) drops the column
mask so that the accesses stay 128-bit vectors.

The backward writes each touched dW row once when its id occurs once among the ids (the
usual case), with one rounding, and sums the rows of an id that occurs several times in fp32
before one rounding to dW's dtype, so a bf16 gradient does not lose the small terms that
bf16 atomics would round away. Launches, in order (host: embedding.c):
  embedding_fill   OWN[v] = INT32_MAX, CNT[v] = 0 over the vocabulary (int32 tables)
  embedding_count  per valid id: CNT[id] += 1, OWN[id] = min(OWN[id], m): the id's owner is
                   its first occurrence
  embedding_bwd PHASE 0  ids that occur once: dW[id] = dout[m] (+ dW[id] with ACCUMULATE);
                         owners of repeated ids: ACC[m] = dout[m] (fp32 scratch, one row
                         per id position; with DIRECT, dW[id] itself, see below)
  embedding_bwd PHASE 1  the other occurrences: ACC[owner] += dout[m], fp32 atomics
  embedding_bwd PHASE 2  owners of repeated ids: dW[id] = ACC[m] (+ dW[id]), one rounding
DIRECT (fp32 dW): PHASE 0 writes the owner's row into dW and PHASE 1 adds into dW; there is
no ACC and no PHASE 2. Only the additions of PHASE 1 run in an unspecified order.
Launch boundaries order the phases; the atomics are relaxed (nothing reads their results).
embedding_zero zeroes dW first when the gradient is not accumulated (a store-only pass).
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _tile(n_ids, D, BLOCK_M: tl.constexpr, BLOCK_D: tl.constexpr, EVEN_D: tl.constexpr):
    m = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.program_id(1).to(tl.int64) * BLOCK_D + tl.arange(0, BLOCK_D)
    in_m = m < n_ids
    if EVEN_D:
        cmask = tl.full([BLOCK_D], 1, tl.int1)
    else:
        cmask = cols < D
    return m, cols, in_m, cmask


@triton.jit
def _ids(IDS, m, in_m, V, padding_idx):
    # int64 compares: an int64 id beyond 2^31 must not wrap into range
    ids = tl.load(IDS + m, mask=in_m, other=-1).to(tl.int64)
    ok = in_m & (ids >= 0) & (ids < V) & (ids != padding_idx)
    return tl.where(ok, ids, 0), ok


@triton.jit
def embedding_fwd(OUT, out_stride, W, w_stride, IDS, n_ids, V, D, padding_idx,
                  BLOCK_M: tl.constexpr, BLOCK_D: tl.constexpr, EVEN_D: tl.constexpr):
    m, cols, in_m, cmask = _tile(n_ids, D, BLOCK_M, BLOCK_D, EVEN_D)
    row, ok = _ids(IDS, m, in_m, V, padding_idx)
    w = tl.load(W + row[:, None] * w_stride + cols[None, :], mask=ok[:, None] & cmask[None, :], other=0.0)
    tl.store(OUT + m.to(tl.int64)[:, None] * out_stride + cols[None, :], w, mask=in_m[:, None] & cmask[None, :])


@triton.jit
def embedding_zero(DW, dw_stride, V, D, BLOCK_M: tl.constexpr, BLOCK_D: tl.constexpr, EVEN_D: tl.constexpr):
    r, cols, in_r, cmask = _tile(V, D, BLOCK_M, BLOCK_D, EVEN_D)
    z = tl.zeros([BLOCK_M, BLOCK_D], dtype=DW.dtype.element_ty)
    tl.store(DW + r.to(tl.int64)[:, None] * dw_stride + cols[None, :], z, mask=in_r[:, None] & cmask[None, :])


@triton.jit
def embedding_fill(OWN, CNT, V, BLOCK: tl.constexpr):
    v = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    ok = v < V
    tl.store(OWN + v, tl.full([BLOCK], 2147483647, tl.int32), mask=ok)
    tl.store(CNT + v, tl.zeros([BLOCK], dtype=tl.int32), mask=ok)


@triton.jit
def embedding_count(IDS, OWN, CNT, n_ids, V, padding_idx, BLOCK: tl.constexpr):
    m = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    row, ok = _ids(IDS, m, m < n_ids, V, padding_idx)
    tl.atomic_add(CNT + row, tl.full([BLOCK], 1, tl.int32), mask=ok, sem="relaxed")
    tl.atomic_min(OWN + row, m, mask=ok, sem="relaxed")


@triton.jit
def embedding_bwd(DW, dw_stride, DOUT, dout_stride, ACC, IDS, OWN, CNT, n_ids, V, D, padding_idx,
                  PHASE: tl.constexpr, ACCUMULATE: tl.constexpr, DIRECT: tl.constexpr,
                  BLOCK_M: tl.constexpr, BLOCK_D: tl.constexpr, EVEN_D: tl.constexpr):
    m, cols, in_m, cmask = _tile(n_ids, D, BLOCK_M, BLOCK_D, EVEN_D)
    row, ok = _ids(IDS, m, in_m, V, padding_idx)
    cnt = tl.load(CNT + row, mask=ok, other=0)
    own = tl.load(OWN + row, mask=ok, other=0)
    rep = ok & (cnt > 1)
    owner = rep & (own == m)
    m64 = m.to(tl.int64)
    dw_ptr = DW + row[:, None] * dw_stride + cols[None, :]
    if PHASE == 0:
        # ids that occur once, and with DIRECT the owners: dW (+)= dout; otherwise the
        # owners start their fp32 sum in ACC
        if DIRECT:
            mine = (ok & (cnt == 1)) | owner
        else:
            mine = ok & (cnt == 1)
        tile_ok = mine[:, None] & cmask[None, :]
        g = tl.load(DOUT + m64[:, None] * dout_stride + cols[None, :], mask=(mine | owner)[:, None] & cmask[None, :],
                    other=0.0).to(tl.float32)
        if ACCUMULATE:
            g_dw = g + tl.load(dw_ptr, mask=tile_ok, other=0.0).to(tl.float32)
        else:
            g_dw = g
        tl.store(dw_ptr, g_dw.to(DW.dtype.element_ty), mask=tile_ok)
        if not DIRECT:
            tl.store(ACC + m64[:, None] * D + cols[None, :], g, mask=owner[:, None] & cmask[None, :])
    elif PHASE == 1:
        # the other occurrences of repeated ids add into their owner's sum
        other = rep & (own != m)
        tile_ok = other[:, None] & cmask[None, :]
        g = tl.load(DOUT + m64[:, None] * dout_stride + cols[None, :], mask=tile_ok, other=0.0).to(tl.float32)
        if DIRECT:
            tl.atomic_add(dw_ptr, g.to(DW.dtype.element_ty), mask=tile_ok, sem="relaxed")
        else:
            tl.atomic_add(ACC + own.to(tl.int64)[:, None] * D + cols[None, :], g, mask=tile_ok, sem="relaxed")
    else:
        # the owners write the finished sums, rounded once
        tile_ok = owner[:, None] & cmask[None, :]
        g = tl.load(ACC + m64[:, None] * D + cols[None, :], mask=tile_ok, other=0.0)
        if ACCUMULATE:
            g += tl.load(dw_ptr, mask=tile_ok, other=0.0).to(tl.float32)
        tl.store(dw_ptr, g.to(DW.dtype.element_ty), mask=tile_ok)
