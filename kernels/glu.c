/*
 * glu.c — the host side of the gated element-wise ops (glu.h): SwiGLU and GeGLU, forward
 * and backward. Each is one launch of one of two kernel shapes:
 *
 *   flat  every tensor compact (row stride = row length, or one row): the tensors are one
 *         range of rows * n elements, GLU_BLOCK elements a program (glu_fwd_flat, glu_bwd_flat)
 *   rows  some tensor has a wider row stride (e.g. the halves of a fused gate_up projection):
 *         [BLOCK_M, BLOCK_N] tiles of GLU_BLOCK elements, grid (column blocks, row groups);
 *         a program walks the row tiles of its column block with the stride of the row
 *         groups (at most 65535, the limit of grid[1])
 *
 * GLU_BLOCK and the warps come from op_plan_rows on one row of GLU_BLOCK elements, so that
 * LIGER_OPS_CONFIG's `chunk` (a smaller block) and `warps` tune these kernels too.
 */
#include "glu.h"

#include <stdio.h>
#include <string.h>

enum {
  GLU_BLOCK = 4096,      /* elements per program: 16 per thread at 8 warps (two 128-bit bf16 vectors) */
  GLU_ROW_GROUPS = 65535 /* grid[1] of the rows form */
};

typedef struct GluPlan {
  bool flat;
  int block_m, block_n; /* flat: block_n elements a program */
  int num_warps;
  uint32_t g0, g1;
} GluPlan;

static bool glu_compact(const OpTensor *t) { return t->rows <= 1 || t->stride == t->cols; }

static int64_t glu_np2(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

static liger_status glu_plan(const OpCall *c, const OpTensor *const *ts, int nt, GluPlan *g) {
  OpPlan p = op_plan_rows(c, 1, GLU_BLOCK, OP_PLAN_FWD);
  const OpTensor *x = ts[0];
  int block = p.block_n;
  g->num_warps = p.num_warps;
  g->flat = true;
  for (int i = 0; i < nt; i++) g->flat = g->flat && glu_compact(ts[i]);
  if (g->flat) {
    int64_t n = x->rows * x->cols, programs = (n + block - 1) / block; /* rows, cols < 2^31 (op_rows) */
    if (programs > INT32_MAX)
      return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %lld elements; at most %lld are supported", x->name, (long long)n,
                     (long long)INT32_MAX * block);
    g->block_m = 1;
    g->block_n = block;
    g->g0 = (uint32_t)programs;
    g->g1 = 1;
    return LIGER_OK;
  }
  int64_t bn = glu_np2(x->cols) < block ? glu_np2(x->cols) : block, bm = block / bn;
  if (bm > glu_np2(x->rows)) bm = glu_np2(x->rows);
  int64_t groups = (x->rows + bm - 1) / bm, col_blocks = (x->cols + bn - 1) / bn;
  g->block_m = (int)bm;
  g->block_n = (int)bn;
  g->g0 = (uint32_t)col_blocks; /* cols < 2^31 (op_rows) */
  g->g1 = (uint32_t)(groups < GLU_ROW_GROUPS ? groups : GLU_ROW_GROUPS);
  return LIGER_OK;
}

/* The kernel glu_<dir>_<flat|rows> of kernels/glu.py for the plan, with op's activation
 * (ACT 0: SwiGLU's silu, 1: GeGLU's tanh GELU). */
static liger_status glu_kernel(const OpCall *c, const char *op, const char *dir, const GluPlan *g, liger_kernel **k) {
  char name[48], bm[16], bn[16];
  snprintf(name, sizeof name, "glu_%s_%s", dir, g->flat ? "flat" : "rows");
  snprintf(bm, sizeof bm, "%d", g->block_m);
  snprintf(bn, sizeof bn, "%d", g->block_n);
  const char *act = strcmp(op, "swiglu") ? "1" : "0";
  liger_constexpr flat[] = {{"ACT", act}, {"BLOCK", bn}}, rows[] = {{"ACT", act}, {"BLOCK_M", bm}, {"BLOCK_N", bn}};
  return g->flat ? op_kernel(c, "glu.py", name, flat, 2, g->num_warps, k)
                 : op_kernel(c, "glu.py", name, rows, 3, g->num_warps, k);
}

liger_status glu_forward(const char *fn, const char *op, liger_context *ctx, void *stream, const DLTensor *a,
                         const DLTensor *b, DLTensor *c) {
  OpCall call;
  OpTensor A, B, C;
  liger_status st;
  if ((st = op_start(&call, fn, ctx, stream)) || (st = op_rows(&call, "a", a, &A)) ||
      (st = op_rows_like(&call, "b", b, &A, &B)) || (st = op_rows_like(&call, "c", c, &A, &C)))
    return st;
  const OpTensor *outs[] = {&C}, *ins[] = {&A, &B};
  if ((st = op_check_overlaps(&call, outs, 1, ins, 2))) return st;
  if (A.rows == 0) return LIGER_OK;

  const OpTensor *all[] = {&A, &B, &C};
  GluPlan g;
  liger_kernel *k;
  if ((st = glu_plan(&call, all, 3, &g)) || (st = glu_kernel(&call, op, "fwd", &g, &k))) return st;
  if (g.flat) {
    liger_arg args[] = {op_ptr(&C), op_ptr(&A), op_ptr(&B), op_i64(A.rows * A.cols)};
    return op_launch(&call, k, g.g0, g.g1, args, 4);
  }
  liger_arg args[] = {op_ptr(&C), op_i64(C.stride), op_ptr(&A), op_i64(A.stride), op_ptr(&B), op_i64(B.stride),
                      op_i64(A.rows), op_i64(A.cols)};
  return op_launch(&call, k, g.g0, g.g1, args, 8);
}

liger_status glu_backward(const char *fn, const char *op, liger_context *ctx, void *stream, const DLTensor *dc,
                          const DLTensor *a, const DLTensor *b, DLTensor *da, DLTensor *db) {
  OpCall call;
  OpTensor DC, A, B, DA, DB;
  liger_status st;
  if ((st = op_start(&call, fn, ctx, stream)) || (st = op_rows(&call, "a", a, &A)) ||
      (st = op_rows_like(&call, "b", b, &A, &B)) || (st = op_rows_like(&call, "dc", dc, &A, &DC)) ||
      (st = op_rows_like(&call, "da", da, &A, &DA)) || (st = op_rows_like(&call, "db", db, &A, &DB)))
    return st;
  DA.alias_ok = &A; /* Liger writes the gradients over the saved activations */
  DB.alias_ok = &B;
  const OpTensor *outs[] = {&DA, &DB}, *ins[] = {&DC, &A, &B};
  if ((st = op_check_overlaps(&call, outs, 2, ins, 3))) return st;
  if (A.rows == 0) return LIGER_OK;

  const OpTensor *all[] = {&A, &B, &DC, &DA, &DB};
  GluPlan g;
  liger_kernel *k;
  if ((st = glu_plan(&call, all, 5, &g)) || (st = glu_kernel(&call, op, "bwd", &g, &k))) return st;
  if (g.flat) {
    liger_arg args[] = {op_ptr(&DA), op_ptr(&DB), op_ptr(&DC), op_ptr(&A), op_ptr(&B), op_i64(A.rows * A.cols)};
    return op_launch(&call, k, g.g0, g.g1, args, 6);
  }
  liger_arg args[] = {op_ptr(&DA), op_i64(DA.stride), op_ptr(&DB), op_i64(DB.stride), op_ptr(&DC), op_i64(DC.stride),
                      op_ptr(&A),  op_i64(A.stride),  op_ptr(&B),  op_i64(B.stride),  op_i64(A.rows), op_i64(A.cols)};
  return op_launch(&call, k, g.g0, g.g1, args, 12);
}
