/*
 * layer_norm.c — the LayerNorm op (include/liger/ops.h; kernels in kernels/layer_norm.py).
 *
 * Forward: one launch, layer_norm_fwd over row tiles or layer_norm_fwd_looped (a program per
 * row, three passes) for rows longer than a tile. Backward, tile form: layer_norm_bwd on a
 * persistent grid writing fp32 dW and dB partials [programs, n] into scratch, then sum_rows
 * for each. Looped form: layer_norm_bwd_rowsum (c1, c2 per row into scratch),
 * layer_norm_bwd_looped on a (column chunk, row group) grid, then sum_rows.
 */
#include "op.h"

#include <math.h>
#include <stdio.h>

static const char *const ln_file = "layer_norm.py";

/* HAS_W, HAS_B, BLOCK_N (the looped kernels), BLOCK_M (the tile forward), PREFETCH (the tile
 * backward); rowsum takes HAS_W and BLOCK_N. */
typedef struct LnConsts {
  liger_constexpr k[5];
  char bm[16], bn[16];
} LnConsts;

static void ln_consts(LnConsts *r, bool has_w, bool has_b, const OpPlan *p) {
  snprintf(r->bm, sizeof r->bm, "%d", p->block_m);
  snprintf(r->bn, sizeof r->bn, "%d", p->block_n);
  r->k[0] = (liger_constexpr){"HAS_W", has_w ? "True" : "False"};
  r->k[1] = (liger_constexpr){"HAS_B", has_b ? "True" : "False"};
  r->k[2] = (liger_constexpr){"BLOCK_N", r->bn};
  r->k[3] = (liger_constexpr){"BLOCK_M", r->bm};
  r->k[4] = (liger_constexpr){"PREFETCH", p->prefetch ? "True" : "False"}; /* the tile backward */
}

liger_status liger_layer_norm_forward(liger_context *ctx, void *stream, const DLTensor *x, const DLTensor *w,
                                      const DLTensor *b, DLTensor *y, DLTensor *mean, DLTensor *rstd, float eps) {
  OpCall c;
  OpTensor X, W, B, Y, M, R;
  liger_status st;
  if ((st = op_start(&c, "liger_layer_norm_forward", ctx, stream)) || (st = op_rows(&c, "x", x, &X)) ||
      (st = op_vector(&c, "w", w, X.cols, true, &W)) || (st = op_vector(&c, "b", b, X.cols, true, &B)) ||
      (st = op_rows_like(&c, "y", y, &X, &Y)) || (st = op_per_row(&c, "mean", mean, X.rows, &M)) ||
      (st = op_per_row(&c, "rstd", rstd, X.rows, &R)) || (st = op_dtype_in(&c, &M, LIGER_F32, X.dtype, "x's dtype")) ||
      (st = op_dtype_in(&c, &R, LIGER_F32, X.dtype, "x's dtype")))
    return st;
  if (!isfinite(eps)) return op_fail(&c, LIGER_ERR_INVALID_ARG, "eps (%g) must be finite", eps);
  const OpTensor *outs[] = {&Y, &M, &R}, *ins[] = {&X, &W, &B};
  if ((st = op_check_overlaps(&c, outs, 3, ins, 3))) return st;
  if (X.rows == 0) return LIGER_OK;

  OpPlan p = op_plan_rows(&c, X.rows, X.cols, OP_PLAN_FWD);
  LnConsts k;
  ln_consts(&k, W.t != NULL, B.t != NULL, &p);
  liger_kernel *kern;
  if ((st = op_kernel(&c, ln_file, p.looped ? "layer_norm_fwd_looped" : "layer_norm_fwd", k.k, p.looped ? 3 : 4,
                      p.num_warps, &kern)))
    return st;
  liger_arg wp = W.t ? op_ptr(&W) : op_ptr(&X), bp = B.t ? op_ptr(&B) : op_ptr(&X); /* not read when absent */
  if (p.looped) {
    liger_arg a[] = {op_ptr(&Y), op_i64(Y.stride), op_ptr(&X), op_i64(X.stride), wp, bp, op_ptr(&M), op_ptr(&R),
                     op_i64(X.cols), liger_arg_float(eps)};
    return op_launch(&c, kern, (uint32_t)X.rows, 1, a, 10);
  }
  liger_arg a[] = {op_ptr(&Y), op_i64(Y.stride), op_ptr(&X), op_i64(X.stride), wp, bp, op_ptr(&M), op_ptr(&R),
                   op_i64(X.rows), op_i64(X.cols), liger_arg_float(eps)};
  return op_launch(&c, kern, (uint32_t)((X.rows + p.block_m - 1) / p.block_m), 1, a, 11);
}

/* dw (db) for weight w (bias b): required exactly when w is given, in w's dtype. */
static liger_status ln_grad_vector(const OpCall *c, const char *name, const DLTensor *g, const OpTensor *param,
                                   int64_t n, OpTensor *out) {
  if (param->t) {
    liger_status st = op_vector(c, name, g, n, false, out);
    return st ? st : op_same_dtype(c, out, param);
  }
  if (g)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s is given but %s is NULL; there is no gradient without the parameter",
                   name, param->name);
  return op_vector(c, name, NULL, 0, true, out);
}

liger_status liger_layer_norm_backward(liger_context *ctx, void *stream, const DLTensor *dy, const DLTensor *x,
                                       const DLTensor *w, const DLTensor *b, const DLTensor *mean, const DLTensor *rstd,
                                       DLTensor *dx, DLTensor *dw, DLTensor *db) {
  OpCall c;
  OpTensor X, DY, DX, W, B, M, R, DW, DB;
  liger_status st;
  if ((st = op_start(&c, "liger_layer_norm_backward", ctx, stream)) || (st = op_rows(&c, "x", x, &X)) ||
      (st = op_rows_like(&c, "dy", dy, &X, &DY)) || (st = op_rows_like(&c, "dx", dx, &X, &DX)) ||
      (st = op_vector(&c, "w", w, X.cols, true, &W)) || (st = op_vector(&c, "b", b, X.cols, true, &B)) ||
      (st = op_per_row(&c, "mean", mean, X.rows, &M)) || (st = op_per_row(&c, "rstd", rstd, X.rows, &R)) ||
      (st = op_dtype_in(&c, &M, LIGER_F32, X.dtype, "x's dtype")) ||
      (st = op_dtype_in(&c, &R, LIGER_F32, X.dtype, "x's dtype")) ||
      (st = ln_grad_vector(&c, "dw", dw, &W, X.cols, &DW)) || (st = ln_grad_vector(&c, "db", db, &B, X.cols, &DB)))
    return st;
  DX.alias_ok = &DY;
  const OpTensor *outs[] = {&DX, &DW, &DB}, *ins[] = {&DY, &X, &W, &B, &M, &R};
  if ((st = op_check_overlaps(&c, outs, 3, ins, 6))) return st;
  bool has_w = W.t != NULL, has_b = B.t != NULL;
  if (X.rows == 0) { /* the sums over no rows */
    if (has_w && (st = op_sum_partials(&c, NULL, 0, &DW))) return st;
    return has_b ? op_sum_partials(&c, NULL, 0, &DB) : LIGER_OK;
  }

  OpPlan p = op_plan_rows(&c, X.rows, X.cols, OP_PLAN_BWD_SUMS);
  LnConsts k;
  ln_consts(&k, has_w, has_b, &p);
  liger_arg wp = has_w ? op_ptr(&W) : op_ptr(&X);
  liger_kernel *kern;
  if (!p.looped) {
    /* the kernel first: its occupancy sets the persistent grid, which sizes the partials */
    liger_arg a[] = {op_ptr(&DX), op_i64(DX.stride), op_ptr(&DY), op_i64(DY.stride), op_ptr(&X), op_i64(X.stride),
                     wp, op_ptr(&M), op_ptr(&R), op_partials_placeholder(), op_partials_placeholder(), op_i64(X.rows),
                     op_i64(X.cols)};
    if ((st = op_kernel(&c, ln_file, "layer_norm_bwd", k.k, 5, p.num_warps, &kern))) return st;
    const OpTensor *sums[] = {has_w ? &DW : NULL, has_b ? &DB : NULL};
    return op_launch_sums(&c, kern, a, 13, &p, X.rows, X.cols, sums, (const int[]){9, 10}, 2);
  }
  /* looped: c1, c2 per row first, then the partial rows */
  size_t srow = ((size_t)X.rows * 8 + OP_SCRATCH_ALIGN - 1) & ~(size_t)(OP_SCRATCH_ALIGN - 1);
  size_t part = (size_t)p.programs * (size_t)X.cols * 4; /* one [programs, n] block */
  size_t need = srow + (has_w ? part : 0) + (has_b ? part : 0);
  void *scratch = NULL;
  OpScratch *hold = NULL;
  if ((st = op_scratch_get(&c, need, &scratch, &hold))) return st;
  char *dw_part = has_w ? (char *)scratch + srow : NULL;
  char *db_part = has_b ? (char *)scratch + srow + (has_w ? part : 0) : NULL;
  OpTensor S = {.name = "scratch", .data = scratch, .dtype = LIGER_F32};
  liger_arg dwp = liger_arg_ptr(dw_part ? dw_part : X.data, LIGER_F32), dbp = liger_arg_ptr(db_part ? db_part : X.data, LIGER_F32);
  liger_constexpr rk[] = {k.k[0], k.k[2]}; /* HAS_W, BLOCK_N */
  if (!(st = op_kernel(&c, ln_file, "layer_norm_bwd_rowsum", rk, 2, p.num_warps, &kern))) {
    liger_arg a[] = {op_ptr(&S), op_ptr(&DY), op_i64(DY.stride), op_ptr(&X), op_i64(X.stride), wp, op_ptr(&M),
                     op_ptr(&R), op_i64(X.cols)};
    st = op_launch(&c, kern, (uint32_t)X.rows, 1, a, 9);
  }
  if (!st && !(st = op_kernel(&c, ln_file, "layer_norm_bwd_looped", k.k, 3, p.num_warps, &kern))) {
    liger_arg a[] = {op_ptr(&DX), op_i64(DX.stride), op_ptr(&DY), op_i64(DY.stride), op_ptr(&X), op_i64(X.stride),
                     wp, op_ptr(&M), op_ptr(&R), op_ptr(&S), dwp, dbp, op_i64(X.rows), op_i64(X.cols)};
    st = op_launch(&c, kern, (uint32_t)((X.cols + p.block_n - 1) / p.block_n), p.programs, a, 14);
  }
  if (!st && has_w) st = op_sum_partials(&c, dw_part, p.programs, &DW);
  if (!st && has_b) st = op_sum_partials(&c, db_part, p.programs, &DB);
  op_scratch_put(hold);
  return st;
}
