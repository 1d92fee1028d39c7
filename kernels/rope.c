/*
 * rope.c — the RoPE op (include/liger/ops.h; kernel in kernels/rope.py): rotary position
 * embedding of q and k in place, forward and backward (the rotation by -theta), one launch
 * of rope_rotate each, one program per (batch, seq) position over every head of q and k.
 *
 * q, k are (B, H, S, D) with strides of their own (DLPack), so the caller's layout is used
 * as it is: compact (B, H, S, D), or the transposed view of a (B, S, H, D) buffer that
 * Hugging Face passes (where each token's heads are adjacent). cos/sin are (S, D), (1, S, D)
 * or (B, S, D); a batch of 1 becomes a batch stride of 0.
 */
#include "op.h"

#include <stdio.h>
#include <string.h>

static const char *const rope_file = "rope.py";

enum { ROPE_TILE = 2048 }; /* elements of a [BLOCK_H, PAD_HALF] tile (16 a thread at 4 warps) */

/* A validated q/k (dims 4: B, H, S, D) or cos/sin (dims 3: batch, S, D) with element strides. */
typedef struct RopeTensor {
  OpTensor o;
  int64_t shape[4], strides[4];
} RopeTensor;

static int64_t rope_np2(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

/* The checks every tensor shares (NULL, device, float dtype, alignment) are op_rows's on the
 * last dimension alone; the rest is ours: `ndim` dims (cos/sin: 2 or 3, a missing batch is 1),
 * non-negative strides, the last one 1. */
static liger_status rope_tensor(const OpCall *c, const char *name, const DLTensor *t, int ndim, RopeTensor *r) {
  memset(r, 0, sizeof *r);
  liger_status st;
  if (!t || t->ndim < 1 || !t->shape) return op_rows(c, name, t, &r->o);
  DLTensor last = *t;
  last.ndim = 1;
  last.shape = &t->shape[t->ndim - 1];
  last.strides = NULL;
  if ((st = op_rows(c, name, &last, &r->o))) return st;
  r->o.t = t;
  bool ok = t->ndim == ndim || (ndim == 3 && t->ndim == 2);
  if (!ok)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %d dimensions; expected %s", name, t->ndim,
                   ndim == 4 ? "4 (batch, heads, seq, head_dim)" : "2 (seq, head_dim) or 3 (batch, seq, head_dim)");
  int off = ndim - t->ndim; /* cos/sin (S, D): batch 1 in front */
  int64_t s = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    int j = i - off;
    r->shape[i] = j >= 0 ? t->shape[j] : 1;
    r->strides[i] = j < 0 ? 0 : t->strides ? t->strides[j] : s;
    if (j >= 0) s *= t->shape[j];
    if (r->strides[i] < 0)
      return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has a negative stride in dimension %d", name, j);
  }
  if (r->shape[ndim - 1] > 1 && r->strides[ndim - 1] != 1)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s's last dimension is not contiguous; expected stride 1 there", name);
  if (r->shape[0] == 1) r->strides[0] = 0; /* batch 1: every batch reads it */
  /* the bytes it spans, as one row, for the overlap checks */
  int64_t hi = 0;
  bool empty = false;
  for (int i = 0; i < ndim; i++) {
    if (r->shape[i] == 0) empty = true;
    else hi += (r->shape[i] - 1) * r->strides[i];
  }
  r->o.rows = 1;
  r->o.cols = r->o.stride = empty ? 0 : hi + 1;
  r->o.lo = (uintptr_t)r->o.data;
  r->o.hi = r->o.lo + (uintptr_t)(r->o.cols * (int64_t)liger_dtype_size(r->o.dtype));
  return LIGER_OK;
}

static liger_status rope_rotate(const char *fn, bool backward, liger_context *ctx, void *stream, DLTensor *q,
                                DLTensor *k, const DLTensor *cos, const DLTensor *sin) {
  OpCall c;
  RopeTensor Q, K, C, S;
  liger_status st;
  if ((st = op_start(&c, fn, ctx, stream)) || (st = rope_tensor(&c, backward ? "dq" : "q", q, 4, &Q)) ||
      (st = rope_tensor(&c, backward ? "dk" : "k", k, 4, &K)) || (st = rope_tensor(&c, "cos", cos, 3, &C)) ||
      (st = rope_tensor(&c, "sin", sin, 3, &S)))
    return st;
  int64_t B = Q.shape[0], nqh = Q.shape[1], seq = Q.shape[2], hd = Q.shape[3], nkh = K.shape[1];
  if (K.shape[0] != B || K.shape[2] != seq || K.shape[3] != hd)
    return op_fail(&c, LIGER_ERR_INVALID_ARG,
                   "%s has shape (%lld, %lld, %lld, %lld); expected (%lld, heads, %lld, %lld) like %s", K.o.name,
                   (long long)K.shape[0], (long long)nkh, (long long)K.shape[2], (long long)K.shape[3], (long long)B,
                   (long long)seq, (long long)hd, Q.o.name);
  for (int i = 0; i < 2; i++) {
    const RopeTensor *t = i ? &S : &C;
    if ((t->shape[0] != 1 && t->shape[0] != B) || t->shape[1] != seq || t->shape[2] != hd)
      return op_fail(&c, LIGER_ERR_INVALID_ARG,
                     "%s has shape (%lld, %lld, %lld); expected (1 or %lld, %lld, %lld): batch 1 or %s's, then "
                     "%s's seq and head_dim",
                     t->o.name, (long long)t->shape[0], (long long)t->shape[1], (long long)t->shape[2], (long long)B,
                     (long long)seq, (long long)hd, Q.o.name, Q.o.name);
  }
  if (S.o.dtype != C.o.dtype) return op_same_dtype(&c, &S.o, &C.o);
  if (K.o.dtype != Q.o.dtype) return op_same_dtype(&c, &K.o, &Q.o);
  const OpTensor *outs[] = {&Q.o, &K.o}, *ins[] = {&C.o, &S.o};
  if ((st = op_check_overlaps(&c, outs, 2, ins, 2))) return st;
  if (B * seq > INT32_MAX)
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "%s has %lld positions (batch x seq); at most 2^31-1 are supported",
                   Q.o.name, (long long)(B * seq));
  if (nqh > 65536 || nkh > 65536)
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "%s has %lld heads; at most 65536 are supported",
                   nqh > 65536 ? Q.o.name : K.o.name, (long long)(nqh > 65536 ? nqh : nkh));
  if (hd > OP_TILE_MAX)
    return op_fail(&c, LIGER_ERR_INVALID_ARG, "%s has a head_dim of %lld; at most %d is supported", Q.o.name,
                   (long long)hd, OP_TILE_MAX);
  if (B * seq == 0 || hd < 2 || (nqh == 0 && nkh == 0)) return LIGER_OK;

  int64_t half = hd / 2, pad_half = rope_np2(half);
  int64_t per = pad_half >= ROPE_TILE ? 1 : ROPE_TILE / pad_half; /* heads a tile */
  int64_t bq = rope_np2(nqh) < per ? rope_np2(nqh) : per, bk = rope_np2(nkh) < per ? rope_np2(nkh) : per;
  bool pow2 = pad_half == half;
  char s_nq[24], s_nk[24], s_hd[24], s_pad[24], s_bq[24], s_bk[24];
  snprintf(s_nq, sizeof s_nq, "%lld", (long long)nqh);
  snprintf(s_nk, sizeof s_nk, "%lld", (long long)nkh);
  snprintf(s_hd, sizeof s_hd, "%lld", (long long)hd);
  snprintf(s_pad, sizeof s_pad, "%lld", (long long)pad_half);
  snprintf(s_bq, sizeof s_bq, "%lld", (long long)bq);
  snprintf(s_bk, sizeof s_bk, "%lld", (long long)bk);
  liger_constexpr consts[] = {{"N_QH", s_nq},
                              {"N_KH", s_nk},
                              {"HD", s_hd},
                              {"PAD_HALF", s_pad},
                              {"BLOCK_QH", s_bq},
                              {"BLOCK_KH", s_bk},
                              {"Q_EVEN", pow2 && nqh % bq == 0 ? "True" : "False"},
                              {"K_EVEN", pow2 && nkh % bk == 0 ? "True" : "False"},
                              {"BACKWARD", backward ? "True" : "False"}};
  int64_t tile = (bq > bk ? bq : bk) * pad_half;
  liger_kernel *kern;
  if ((st = op_kernel(&c, rope_file, "rope_rotate", consts, 9, op_num_warps(&c, 2 * tile), &kern))) return st;
  liger_arg a[] = {op_ptr(&Q.o),       op_i64(Q.strides[0]), op_i64(Q.strides[1]), op_i64(Q.strides[2]),
                   op_ptr(&K.o),       op_i64(K.strides[0]), op_i64(K.strides[1]), op_i64(K.strides[2]),
                   op_ptr(&C.o),       op_i64(C.strides[0]), op_i64(C.strides[1]), op_ptr(&S.o),
                   op_i64(S.strides[0]), op_i64(S.strides[1]), op_i64(seq)};
  return op_launch(&c, kern, (uint32_t)(B * seq), 1, a, 15);
}

liger_status liger_rope_forward(liger_context *ctx, void *stream, DLTensor *q, DLTensor *k, const DLTensor *cos,
                                const DLTensor *sin) {
  return rope_rotate("liger_rope_forward", false, ctx, stream, q, k, cos, sin);
}

liger_status liger_rope_backward(liger_context *ctx, void *stream, DLTensor *dq, DLTensor *dk, const DLTensor *cos,
                                 const DLTensor *sin) {
  return rope_rotate("liger_rope_backward", true, ctx, stream, dq, dk, cos, sin);
}
