/*
 * test_ops_norm.c — RMSNorm and LayerNorm (include/liger/ops.h) through the public API,
 * forward and backward, against C references in double written from spec/kernels.md §1-§2.
 *
 * The references round to bf16 / fp16 / fp32 exactly where the kernels do (the casting
 * modes of RMSNorm; y, dx, dw and the saved statistics at their stores), so the tolerances
 * below only have to cover fp32 arithmetic and reduction order. The backward references
 * take the rstd / mean that the device's forward saved, so each direction is checked on its
 * own. Every check also verifies that the padding of strided outputs is left untouched.
 *
 * Usage: test_ops_norm [--device cpu|cuda] [--quick]
 *   --device  the context (default cpu); without that device: "SKIP: ..." and exit 77
 *   --quick   the small shapes only (used with LIGER_OPS_CONFIG=chunk=64, which runs every
 *             row longer than 64 through the looped kernels)
 * Exit status 0 = pass, 1 = fail, 77 = device absent.
 */
#include "liger/ops.h"
#include "ops_util.h"

#include <pthread.h>

/* ---- tolerances, per op and dtype (no looser than spec/kernels.md) ---------------------------- */

/* RMSNorm: kernels.md §1 gives fp32 atol 1e-4 rtol 1e-6 and bf16 atol 2e-1 rtol 2e-2; fp16 is
 * not in Liger's tests: 1e-2 / 1e-2 (two fp16 steps at 4.0 are 7.8e-3). */
static Tol rms_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-4, 1e-6} : dt == LIGER_BF16 ? (Tol){2e-1, 2e-2} : (Tol){1e-2, 1e-2};
}
/* LayerNorm: kernels.md §2 gives fp32 1e-5 / 1e-5 and bf16 2e-2 / 2e-2; fp16 1e-2 / 1e-2. */
static Tol ln_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-5, 1e-5} : dt == LIGER_BF16 ? (Tol){2e-2, 2e-2} : (Tol){1e-2, 1e-2};
}

/* Triton's result dtype of a + b (or a * b) on two float tensors: fp32 wins, then fp16. */
static liger_dtype promote(liger_dtype a, liger_dtype b) {
  if (a == LIGER_F32 || b == LIGER_F32) return LIGER_F32;
  if (a == LIGER_F16 || b == LIGER_F16) return LIGER_F16;
  return LIGER_BF16;
}

/* ---- RMSNorm reference ------------------------------------------------------------------------------------ */

/* Forward of one row (spec §1 with the rounding points of kernels/rms_norm.py). */
static void rms_fwd_row(const double *x, const double *w, int64_t n, liger_dtype xd, liger_dtype wd, liger_dtype rd,
                        float eps, float offset, liger_rms_cast mode, double *y, double *rstd_out) {
  double rstd;
  if (mode == LIGER_RMS_CAST_NONE) {
    double ss = 0; /* squares rounded to x's dtype, their sum rounded once */
    for (int64_t i = 0; i < n; i++) ss += round_to(x[i] * x[i], xd);
    double ms = round_to(round_to(ss, xd) / (double)n, LIGER_F32);
    rstd = round_to(1 / sqrt(ms + round_to(eps, xd)), LIGER_F32);
  } else {
    double ss = 0;
    for (int64_t i = 0; i < n; i++) ss += x[i] * x[i];
    rstd = 1 / sqrt(ss / (double)n + (double)eps);
  }
  *rstd_out = round_to(rstd, rd);
  for (int64_t i = 0; i < n; i++) {
    double xn = x[i] * rstd, v;
    if (mode == LIGER_RMS_CAST_LLAMA) xn = round_to(xn, xd);
    if (!w) v = xn;
    else if (mode == LIGER_RMS_CAST_NONE) v = xn * round_to(round_to(offset, xd) + w[i], promote(xd, wd));
    else v = xn * round_to((double)offset + w[i], LIGER_F32);
    y[i] = round_to(v, xd);
  }
}

/* Backward of one row with the saved rstd r; adds this row's dW terms to dw_acc. */
static void rms_bwd_row(const double *dy, const double *x, const double *w, double r, int64_t n, liger_dtype xd,
                        float offset, liger_rms_cast mode, double *dx, double *dw_acc) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    double m = w ? dy[i] * round_to(w[i] + (double)offset, LIGER_F32) : dy[i];
    s += m * x[i] * r;
  }
  s /= (double)n;
  for (int64_t i = 0; i < n; i++) {
    double m = w ? dy[i] * round_to(w[i] + (double)offset, LIGER_F32) : dy[i], xhat = x[i] * r;
    dx[i] = round_to(r * (m - xhat * s), xd);
    if (dw_acc) dw_acc[i] += mode == LIGER_RMS_CAST_LLAMA ? round_to(dy[i] * round_to(xhat, xd), xd) : dy[i] * xhat;
  }
}

typedef struct RmsCase {
  int ndim;
  int64_t shape[4];
  liger_dtype xd, wd; /* wd: the weight's dtype */
  liger_rms_cast mode;
  bool has_w, in_place;
  int64_t row_pad;    /* > 0: x, y, dy, dx rows that are wider (strided) */
  bool rstd_f32;      /* rstd in fp32 (else x's dtype) */
} RmsCase;

static const char *mode_name(liger_rms_cast m) {
  return m == LIGER_RMS_CAST_LLAMA ? "llama" : m == LIGER_RMS_CAST_GEMMA ? "gemma" : "none";
}

static void check_rms(const RmsCase *k) {
  char sh[64], what[256];
  shape_str(k->shape, k->ndim, sh, sizeof sh);
  snprintf(what, sizeof what, "rms %s %s w=%s%s %s%s%s", sh, dtype_name(k->xd), k->has_w ? dtype_name(k->wd) : "none",
           k->in_place ? " in_place" : "", mode_name(k->mode), k->row_pad ? " strided" : "",
           k->rstd_f32 ? "" : " rstd=x");
  int64_t n = k->shape[k->ndim - 1], stride = k->row_pad ? n + k->row_pad : 0;
  liger_dtype rd = k->rstd_f32 ? LIGER_F32 : k->xd;
  Ten *x = ten_new(k->xd, k->ndim, k->shape, stride), *y = ten_new(k->xd, k->ndim, k->shape, stride);
  Ten *dy = ten_new(k->xd, k->ndim, k->shape, stride), *dx = k->in_place ? dy : ten_new(k->xd, k->ndim, k->shape, stride);
  Ten *w = k->has_w ? ten1(k->wd, n) : NULL, *dw = k->has_w ? ten1(k->wd, n) : NULL;
  Ten *rstd = ten_new(rd, k->ndim - 1, k->shape, 0); /* the leading shape of x */
  int64_t rows = x->rows;
  double *yref = calloc((size_t)(rows * n) + 1, sizeof(double)), *rref = calloc((size_t)rows + 1, sizeof(double));
  double *dxref = calloc((size_t)(rows * n) + 1, sizeof(double)), *dwref = calloc((size_t)n, sizeof(double));
  double *dy0 = calloc((size_t)(rows * n) + 1, sizeof(double));
  float eps = 1e-6f, offset = k->mode == LIGER_RMS_CAST_GEMMA ? 1.0f : k->has_w && k->mode == LIGER_RMS_CAST_NONE ? 0.5f : 0.0f;
  ten_fill(x, -2, 2);
  ten_fill(dy, -1, 1);
  memcpy(dy0, dy->v, sizeof(double) * (size_t)(rows * n));
  if (w) ten_fill(w, k->mode == LIGER_RMS_CAST_GEMMA ? -0.5 : 0.5, k->mode == LIGER_RMS_CAST_GEMMA ? 0.5 : 1.5);
  RUN(what, liger_rms_norm_forward(ctx, NULL, &x->t, w ? &w->t : NULL, &y->t, &rstd->t, eps, offset, k->mode));
  for (int64_t r = 0; r < rows; r++)
    rms_fwd_row(x->v + r * n, w ? w->v : NULL, n, k->xd, k->wd, rd, eps, offset, k->mode, yref + r * n, rref + r);
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s fwd", what);
    /* rstd: fp32 to ~1e-6 relative, else one step of its dtype. In 'none' mode the sum of
     * squares is rounded to x's dtype, where the kernel's fp32 sum and the reference's
     * exact one may land on either side of a rounding boundary: one step of x's dtype. */
    Tol rt = k->mode == LIGER_RMS_CAST_NONE && k->xd != LIGER_F32 ? (Tol){0, 1e-2} : rd == LIGER_F32 ? (Tol){0, 1e-5} : (Tol){0, 1e-2};
    expect(w2, "rstd", rstd, rref, rt);
    expect(w2, "y", y, yref, rms_tol(k->xd));
  }
  RUN(what, liger_rms_norm_backward(ctx, NULL, &dy->t, &x->t, w ? &w->t : NULL, &rstd->t, &dx->t, dw ? &dw->t : NULL,
                                    offset, k->mode));
  for (int64_t r = 0; r < rows; r++) /* from the rstd the forward saved */
    rms_bwd_row(dy0 + r * n, x->v + r * n, w ? w->v : NULL, rstd->v[r], n, k->xd, offset, k->mode, dxref + r * n,
                w ? dwref : NULL);
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s bwd", what);
    expect(w2, "dx", dx, dxref, rms_tol(k->xd));
    if (w) {
      for (int64_t i = 0; i < n; i++) dwref[i] = round_to(dwref[i], k->wd);
      /* dw sums `rows` terms: the tolerance of w's dtype, relative to the sum's size */
      expect(w2, "dw", dw, dwref, rms_tol(k->wd));
    }
  }
done:
  ten_free(x), ten_free(y), ten_free(dy), ten_free(w), ten_free(dw), ten_free(rstd);
  if (!k->in_place) ten_free(dx);
  free(yref), free(rref), free(dxref), free(dwref), free(dy0);
}

/* ---- LayerNorm reference ---------------------------------------------------------------------------------- */

typedef struct LnCase {
  int ndim;
  int64_t shape[4];
  liger_dtype xd, pd; /* pd: dtype of w and b */
  bool has_w, has_b, stats_f32, in_place;
  int64_t row_pad;
} LnCase;

static void check_ln(const LnCase *k) {
  char sh[64], what[256];
  shape_str(k->shape, k->ndim, sh, sizeof sh);
  snprintf(what, sizeof what, "layer_norm %s %s w=%s b=%s stats=%s%s%s", sh, dtype_name(k->xd), k->has_w ? dtype_name(k->pd) : "none",
           k->has_b ? dtype_name(k->pd) : "none", k->stats_f32 ? "fp32" : "x", k->in_place ? " in_place" : "",
           k->row_pad ? " strided" : "");
  int64_t n = k->shape[k->ndim - 1], stride = k->row_pad ? n + k->row_pad : 0;
  liger_dtype sd = k->stats_f32 ? LIGER_F32 : k->xd;
  Ten *x = ten_new(k->xd, k->ndim, k->shape, stride), *y = ten_new(k->xd, k->ndim, k->shape, stride);
  Ten *dy = ten_new(k->xd, k->ndim, k->shape, stride), *dx = k->in_place ? dy : ten_new(k->xd, k->ndim, k->shape, stride);
  Ten *w = k->has_w ? ten1(k->pd, n) : NULL, *dw = k->has_w ? ten1(k->pd, n) : NULL;
  Ten *b = k->has_b ? ten1(k->pd, n) : NULL, *db = k->has_b ? ten1(k->pd, n) : NULL;
  int64_t rows = x->rows;
  Ten *mean = ten1(sd, rows), *rstd = ten1(sd, rows);
  double *yref = calloc((size_t)(rows * n) + 1, sizeof(double)), *mref = calloc((size_t)rows + 1, sizeof(double));
  double *rref = calloc((size_t)rows + 1, sizeof(double)), *dxref = calloc((size_t)(rows * n) + 1, sizeof(double));
  double *dwref = calloc((size_t)n, sizeof(double)), *dbref = calloc((size_t)n, sizeof(double));
  double *dy0 = calloc((size_t)(rows * n) + 1, sizeof(double));
  float eps = 1e-6f;
  ten_fill(x, -1, 3); /* a mean away from 0 */
  ten_fill(dy, -1, 1);
  memcpy(dy0, dy->v, sizeof(double) * (size_t)(rows * n));
  if (w) ten_fill(w, 0.5, 1.5);
  if (b) ten_fill(b, -1, 1);
  RUN(what, liger_layer_norm_forward(ctx, NULL, &x->t, w ? &w->t : NULL, b ? &b->t : NULL, &y->t, &mean->t, &rstd->t, eps));
  for (int64_t r = 0; r < rows; r++) {
    const double *xr = x->v + r * n;
    double mu = 0, var = 0;
    for (int64_t i = 0; i < n; i++) mu += xr[i];
    mu /= (double)n;
    for (int64_t i = 0; i < n; i++) var += (xr[i] - mu) * (xr[i] - mu);
    double rs = 1 / sqrt(var / (double)n + (double)eps);
    mref[r] = round_to(mu, sd);
    rref[r] = round_to(rs, sd);
    for (int64_t i = 0; i < n; i++) {
      double v = (xr[i] - mu) * rs;
      if (w) v *= w->v[i];
      if (b) v += b->v[i];
      yref[r * n + i] = round_to(v, k->xd);
    }
  }
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s fwd", what);
    Tol st = sd == LIGER_F32 ? (Tol){1e-5, 1e-5} : ln_tol(sd);
    expect(w2, "mean", mean, mref, st);
    expect(w2, "rstd", rstd, rref, sd == LIGER_F32 ? (Tol){0, 1e-5} : (Tol){0, 1e-2});
    expect(w2, "y", y, yref, ln_tol(k->xd));
  }
  RUN(what, liger_layer_norm_backward(ctx, NULL, &dy->t, &x->t, w ? &w->t : NULL, b ? &b->t : NULL, &mean->t, &rstd->t,
                                      &dx->t, dw ? &dw->t : NULL, db ? &db->t : NULL));
  for (int64_t r = 0; r < rows; r++) { /* from the mean and rstd the forward saved */
    const double *xr = x->v + r * n, *dyr = dy0 + r * n;
    double mu = mean->v[r], rs = rstd->v[r], c1 = 0, c2 = 0;
    for (int64_t i = 0; i < n; i++) {
      double g = w ? w->v[i] * dyr[i] : dyr[i];
      c1 += (xr[i] - mu) * rs * g;
      c2 += g;
    }
    c1 /= (double)n;
    c2 /= (double)n;
    for (int64_t i = 0; i < n; i++) {
      double xhat = (xr[i] - mu) * rs, g = w ? w->v[i] * dyr[i] : dyr[i];
      dxref[r * n + i] = round_to((g - (xhat * c1 + c2)) * rs, k->xd);
      dwref[i] += dyr[i] * xhat;
      dbref[i] += dyr[i];
    }
  }
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s bwd", what);
    expect(w2, "dx", dx, dxref, ln_tol(k->xd));
    for (int64_t i = 0; i < n; i++) dwref[i] = round_to(dwref[i], k->pd), dbref[i] = round_to(dbref[i], k->pd);
    if (dw) expect(w2, "dw", dw, dwref, ln_tol(k->pd));
    if (db) expect(w2, "db", db, dbref, ln_tol(k->pd));
  }
done:
  ten_free(x), ten_free(y), ten_free(dy), ten_free(w), ten_free(dw), ten_free(b), ten_free(db), ten_free(mean),
      ten_free(rstd);
  if (!k->in_place) ten_free(dx);
  free(yref), free(mref), free(rref), free(dxref), free(dwref), free(dbref), free(dy0);
}

/* ---- the sweeps ------------------------------------------------------------------------------------------- */

typedef struct Shape {
  int ndim;
  int64_t s[4];
  bool full; /* every option on this shape, else a rotation through them */
} Shape;

static const liger_dtype dtypes[] = {LIGER_F32, LIGER_BF16, LIGER_F16};
static const liger_rms_cast modes[] = {LIGER_RMS_CAST_LLAMA, LIGER_RMS_CAST_GEMMA, LIGER_RMS_CAST_NONE};

static void sweep(const Shape *shapes, int nshapes) {
  int turn = 0;
  for (int s = 0; s < nshapes; s++) {
    const Shape *sh = &shapes[s];
    for (int d = 0; d < 3; d++)
      for (int m = 0; m < 3; m++)
        for (int opt = 0; opt < 4; opt++) { /* weight x in_place */
          bool has_w = !(opt & 1), in_place = opt & 2;
          if (!sh->full && (turn++ % 5)) continue; /* every 5th: rotates through the options */
          RmsCase k = {sh->ndim, {0}, dtypes[d], dtypes[d], modes[m], has_w, in_place, 0,
                       modes[m] != LIGER_RMS_CAST_NONE};
          memcpy(k.shape, sh->s, sizeof k.shape);
          check_rms(&k);
        }
    for (int d = 0; d < 3; d++)
      for (int opt = 0; opt < 3; opt++) { /* (w, b), (w, -), (-, -) */
        if (!sh->full && (turn++ % 2)) continue;
        LnCase k = {sh->ndim, {0}, dtypes[d], dtypes[d], opt < 2, opt == 0, false, opt == 1, 0};
        memcpy(k.shape, sh->s, sizeof k.shape);
        check_ln(&k);
      }
  }
}

/* Layout and dtype corners on one shape each. */
static void corners(bool quick) {
  /* strided rows (a slice of wider rows), rstd in x's dtype for llama, mixed weight dtype */
  RmsCase r1 = {3, {3, 5, 100}, LIGER_BF16, LIGER_F32, LIGER_RMS_CAST_LLAMA, true, false, 28, false};
  check_rms(&r1);
  RmsCase r2 = {2, {7, 96}, LIGER_F16, LIGER_F32, LIGER_RMS_CAST_GEMMA, true, true, 32, true};
  check_rms(&r2);
  RmsCase r3 = {2, {4, 200}, LIGER_BF16, LIGER_F16, LIGER_RMS_CAST_NONE, true, false, 0, true};
  check_rms(&r3);
  RmsCase r4 = {1, {333}, LIGER_F32, LIGER_F32, LIGER_RMS_CAST_LLAMA, true, false, 0, true}; /* 1-D: one row */
  check_rms(&r4);
  LnCase l1 = {3, {2, 3, 77}, LIGER_BF16, LIGER_F32, true, true, true, false, 13};
  check_ln(&l1);
  LnCase l2 = {2, {5, 64}, LIGER_F16, LIGER_F16, true, false, false, true, 0};
  check_ln(&l2);
  if (quick) return;
  /* many short rows: several rows per program */
  RmsCase r5 = {2, {1000, 32}, LIGER_F32, LIGER_F32, LIGER_RMS_CAST_GEMMA, true, false, 0, true};
  check_rms(&r5);
  LnCase l3 = {2, {1000, 24}, LIGER_BF16, LIGER_BF16, true, true, false, false, 0};
  check_ln(&l3);
}

/* Long rows: the looped kernels (> 65536 elements a row). */
static void long_rows(void) {
  RmsCase r1 = {2, {2, 70000}, LIGER_F32, LIGER_F32, LIGER_RMS_CAST_LLAMA, true, false, 0, true};
  check_rms(&r1);
  RmsCase r2 = {2, {3, 65537}, LIGER_BF16, LIGER_BF16, LIGER_RMS_CAST_NONE, true, true, 0, false};
  check_rms(&r2);
  RmsCase r3 = {1, {100000}, LIGER_F16, LIGER_F16, LIGER_RMS_CAST_GEMMA, false, false, 0, true};
  check_rms(&r3);
  LnCase l1 = {2, {2, 70000}, LIGER_F32, LIGER_F32, true, true, true, false, 0};
  check_ln(&l1);
  LnCase l2 = {2, {3, 80000}, LIGER_BF16, LIGER_BF16, true, true, false, false, 0};
  check_ln(&l2);
}

/* ---- empty inputs and bad arguments ------------------------------------------------------------------------ */

static void errors(void) {
  Ten *x = ten2(LIGER_BF16, 4, 64), *y = ten2(LIGER_BF16, 4, 64), *w = ten1(LIGER_BF16, 64), *r = ten1(LIGER_F32, 4);
  Ten *dx = ten2(LIGER_BF16, 4, 64), *dw = ten1(LIGER_BF16, 64), *m = ten1(LIGER_F32, 4);
  ten_fill(x, -1, 1);
  DLTensor bad;
  const liger_rms_cast L = LIGER_RMS_CAST_LLAMA;

  expect_error("NULL context", liger_rms_norm_forward(NULL, NULL, &x->t, &w->t, &y->t, &r->t, 1e-6f, 0, L),
               "liger_rms_norm_forward: context is NULL");
  expect_error("NULL x", liger_rms_norm_forward(ctx, NULL, NULL, &w->t, &y->t, &r->t, 1e-6f, 0, L),
               "liger_rms_norm_forward: x is NULL");
  bad = x->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  expect_error("int32 x", liger_rms_norm_forward(ctx, NULL, &bad, &w->t, &y->t, &r->t, 1e-6f, 0, L),
               "liger_rms_norm_forward: x has dtype int32; expected float32, bfloat16 or float16");
  bad = x->t;
  bad.device = (DLDevice){gpu ? kDLCPU : kDLCUDA, 0};
  expect_error("x on another device", liger_rms_norm_forward(ctx, NULL, &bad, &w->t, &y->t, &r->t, 1e-6f, 0, L),
               gpu ? "x is on kDLCPU" : "x is on kDLCUDA");
  bad = y->t;
  int64_t sh3[2] = {4, 63};
  bad.shape = sh3;
  expect_error("y shape", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &bad, &r->t, 1e-6f, 0, L),
               "y has shape (4, 63); expected (4, 64) like x");
  bad = y->t;
  bad.dtype = dl_type(LIGER_F16);
  expect_error("y dtype", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &bad, &r->t, 1e-6f, 0, L),
               "y has dtype float16; expected bfloat16 like x");
  bad = x->t;
  int64_t st2[2] = {1, 4}; /* column-major: last dim not contiguous */
  bad.strides = st2;
  expect_error("non-contiguous last dim", liger_rms_norm_forward(ctx, NULL, &bad, &w->t, &y->t, &r->t, 1e-6f, 0, L),
               "x's last dimension is not contiguous");
  int64_t sh4[3] = {2, 2, 64}, st4[3] = {64, 128, 1}; /* leading dims swapped */
  bad = x->t;
  bad.ndim = 3, bad.shape = sh4, bad.strides = st4;
  expect_error("leading dims", liger_rms_norm_forward(ctx, NULL, &bad, &w->t, &y->t, &r->t, 1e-6f, 0, L),
               "x's leading dimensions do not collapse");
  bad = w->t;
  int64_t wsh = 32;
  bad.shape = &wsh;
  expect_error("w shape", liger_rms_norm_forward(ctx, NULL, &x->t, &bad, &y->t, &r->t, 1e-6f, 0, L),
               "w has shape (32,); expected (64,)");
  bad = r->t;
  int64_t rsh = 3;
  bad.shape = &rsh;
  expect_error("rstd count", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &y->t, &bad, 1e-6f, 0, L),
               "rstd has 3 elements; expected 4, one per row");
  bad = r->t;
  bad.dtype = dl_type(LIGER_F16);
  expect_error("rstd dtype", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &y->t, &bad, 1e-6f, 0, L),
               "rstd has dtype float16; expected float32 or bfloat16");
  expect_error("y is x", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &x->t, &r->t, 1e-6f, 0, L),
               "y overlaps x");
  bad = r->t;
  bad.data = y->dev; /* rstd inside y */
  expect_error("rstd inside y", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &y->t, &bad, 1e-6f, 0, L),
               "y overlaps rstd");
  expect_error("bad mode", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &y->t, &r->t, 1e-6f, 0, (liger_rms_cast)7),
               "mode 7 is not a liger_rms_cast");
  expect_error("nan eps", liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &y->t, &r->t, NAN, 0, L), "must be finite");
  bad = x->t;
  bad.byte_offset = 1;
  expect_error("misaligned", liger_rms_norm_forward(ctx, NULL, &bad, &w->t, &y->t, &r->t, 1e-6f, 0, L), "not aligned");
  bad = x->t;
  bad.ndim = 0;
  expect_error("0-d x", liger_rms_norm_forward(ctx, NULL, &bad, &w->t, &y->t, &r->t, 1e-6f, 0, L), "x has 0 dimensions");
  bad = x->t;
  int64_t sh0[2] = {4, 0};
  bad.shape = sh0;
  expect_error("empty rows", liger_rms_norm_forward(ctx, NULL, &bad, NULL, &y->t, &r->t, 1e-6f, 0, L),
               "x's last dimension is 0");

  /* backward */
  expect_error("dw without w", liger_rms_norm_backward(ctx, NULL, &y->t, &x->t, NULL, &r->t, &dx->t, &dw->t, 0, L),
               "liger_rms_norm_backward: dw is given but w is NULL");
  expect_error("w without dw", liger_rms_norm_backward(ctx, NULL, &y->t, &x->t, &w->t, &r->t, &dx->t, NULL, 0, L),
               "dw is NULL");
  bad = dw->t;
  bad.dtype = dl_type(LIGER_F32);
  expect_error("dw dtype", liger_rms_norm_backward(ctx, NULL, &y->t, &x->t, &w->t, &r->t, &dx->t, &bad, 0, L),
               "dw has dtype float32; expected bfloat16 like w");
  {
    /* dx one element into dy (rows of 63 in a stride of 64): overlapping, not the same view */
    int64_t shp[2] = {4, 63};
    Ten *dy63 = ten_new(LIGER_BF16, 2, shp, 64), *x63 = ten_new(LIGER_BF16, 2, shp, 64);
    Ten *w63 = ten1(LIGER_BF16, 63), *dw63 = ten1(LIGER_BF16, 63);
    bad = dy63->t;
    bad.byte_offset = 2;
    expect_error("dx partly over dy",
                 liger_rms_norm_backward(ctx, NULL, &dy63->t, &x63->t, &w63->t, &r->t, &bad, &dw63->t, 0, L),
                 "dx overlaps dy without being the same view");
    ten_free(dy63), ten_free(x63), ten_free(w63), ten_free(dw63);
  }
  expect_error("dx over x", liger_rms_norm_backward(ctx, NULL, &y->t, &x->t, &w->t, &r->t, &x->t, &dw->t, 0, L),
               "dx overlaps x");

  /* LayerNorm */
  expect_error("ln mean count",
               liger_layer_norm_forward(ctx, NULL, &x->t, &w->t, NULL, &y->t, &w->t, &r->t, 1e-6f),
               "liger_layer_norm_forward: mean has 64 elements; expected 4");
  expect_error("ln db without b",
               liger_layer_norm_backward(ctx, NULL, &y->t, &x->t, &w->t, NULL, &m->t, &r->t, &dx->t, &dw->t, &dw->t),
               "db is given but b is NULL");
  bad = x->t;
  bad.dtype = (DLDataType){kDLFloat, 64, 1};
  expect_error("ln float64", liger_layer_norm_forward(ctx, NULL, &bad, &w->t, NULL, &y->t, &m->t, &r->t, 1e-6f),
               "x has dtype float64");

  /* interleaved views of one buffer are not overlaps: x and y as the two halves of wider rows */
  {
    int64_t shp[2] = {4, 32};
    Ten *buf = ten_new(LIGER_BF16, 2, shp, 64);
    DLTensor xv = buf->t, yv = buf->t;
    yv.byte_offset = 32 * 2;
    Ten *w32 = ten1(LIGER_BF16, 32);
    ten_fill(buf, -1, 1);
    ten_fill(w32, 0.5, 1.5);
    liger_status st = liger_rms_norm_forward(ctx, NULL, &xv, &w32->t, &yv, &r->t, 1e-6f, 0, L);
    CHECK(st == LIGER_OK, "x and y interleaved in one buffer: %s", st ? liger_last_error() : "accepted");
    ten_free(buf), ten_free(w32);
  }

  /* empty input: nothing to do; the weight gradients are zero */
  {
    int64_t sh[3] = {0, 3, 16};
    Ten *ex = ten_new(LIGER_F32, 3, sh, 0), *ey = ten_new(LIGER_F32, 3, sh, 0), *er = ten_new(LIGER_F32, 2, sh, 0);
    Ten *ew = ten1(LIGER_F32, 16), *edw = ten1(LIGER_F32, 16), *eb = ten1(LIGER_F32, 16), *edb = ten1(LIGER_F32, 16);
    ten_fill(ew, 1, 2);
    ten_fill(edw, 5, 6);
    ten_fill(edb, 5, 6);
    double zeros[16] = {0};
    liger_status st = liger_rms_norm_forward(ctx, NULL, &ex->t, &ew->t, &ey->t, &er->t, 1e-6f, 0, L);
    CHECK(st == LIGER_OK, "rms forward on 0 rows: %s", st ? liger_last_error() : "ok");
    st = liger_rms_norm_backward(ctx, NULL, &ey->t, &ex->t, &ew->t, &er->t, &ey->t, &edw->t, 0, L);
    CHECK(st == LIGER_OK, "rms backward on 0 rows: %s", st ? liger_last_error() : "ok");
    expect("rms 0 rows", "dw", edw, zeros, (Tol){0, 0});
    ten_fill(edw, 5, 6);
    st = liger_layer_norm_backward(ctx, NULL, &ey->t, &ex->t, &ew->t, &eb->t, &er->t, &er->t, &ey->t, &edw->t, &edb->t);
    CHECK(st == LIGER_OK, "layer_norm backward on 0 rows: %s", st ? liger_last_error() : "ok");
    expect("layer_norm 0 rows", "dw", edw, zeros, (Tol){0, 0});
    expect("layer_norm 0 rows", "db", edb, zeros, (Tol){0, 0});
    ten_free(ex), ten_free(ey), ten_free(er), ten_free(ew), ten_free(edw), ten_free(eb), ten_free(edb);
  }
  ten_free(x), ten_free(y), ten_free(w), ten_free(r), ten_free(dx), ten_free(dw), ten_free(m);
}

/* ---- several threads on one context ---------------------------------------------------------------------- */

/* One thread's work: RMSNorm forward and backward and LayerNorm forward on its own tensors
 * (seeded), the results' bytes kept for comparison. */
typedef struct Job {
  int seed;
  int64_t rows, cols;
  liger_status st;
  unsigned char *y, *dx, *dw, *ly; /* host copies */
} Job;

static void *job_run(void *arg) {
  Job *j = arg;
  int64_t sh[2] = {j->rows, j->cols};
  Ten *x = ten_new(LIGER_BF16, 2, sh, 0), *y = ten_new(LIGER_BF16, 2, sh, 0), *dy = ten_new(LIGER_BF16, 2, sh, 0);
  Ten *dx = ten_new(LIGER_BF16, 2, sh, 0), *w = ten1(LIGER_BF16, j->cols), *dw = ten1(LIGER_BF16, j->cols);
  Ten *r = ten1(LIGER_F32, j->rows), *m = ten1(LIGER_F32, j->rows), *ly = ten_new(LIGER_BF16, 2, sh, 0);
  Ten *all[] = {x, dy, w};
  uint32_t s = (uint32_t)j->seed * 2654435761u + 1;
  for (int t = 0; t < 3; t++) { /* a local generator: the shared one is not thread-safe */
    for (int64_t i = 0; i < all[t]->rows * all[t]->cols; i++) {
      s = s * 1664525u + 1013904223u;
      elem_put(all[t]->img + (size_t)i * 2, LIGER_BF16, round_to((double)(s >> 8) / 16777216.0 * 2 - 1, LIGER_BF16));
    }
    liger_memcpy_htod(ctx, all[t]->dev, all[t]->img, all[t]->bytes);
  }
  for (int it = 0; it < 3 && !j->st; it++) {
    j->st = liger_rms_norm_forward(ctx, NULL, &x->t, &w->t, &y->t, &r->t, 1e-6f, 0, LIGER_RMS_CAST_LLAMA);
    if (!j->st)
      j->st = liger_rms_norm_backward(ctx, NULL, &dy->t, &x->t, &w->t, &r->t, &dx->t, &dw->t, 0, LIGER_RMS_CAST_LLAMA);
    if (!j->st) j->st = liger_layer_norm_forward(ctx, NULL, &x->t, &w->t, NULL, &ly->t, &m->t, &r->t, 1e-6f);
  }
  liger_synchronize(ctx, NULL);
  Ten *outs[] = {y, dx, dw, ly};
  unsigned char **dst[] = {&j->y, &j->dx, &j->dw, &j->ly};
  for (int t = 0; t < 4; t++) {
    *dst[t] = malloc(outs[t]->bytes);
    liger_memcpy_dtoh(ctx, *dst[t], outs[t]->dev, outs[t]->bytes);
  }
  ten_free(x), ten_free(y), ten_free(dy), ten_free(dx), ten_free(w), ten_free(dw), ten_free(r), ten_free(m), ten_free(ly);
  return NULL;
}

static void threads(void) {
  enum { N = 4 };
  Job par[N], seq[N];
  pthread_t th[N];
  for (int i = 0; i < N; i++) { /* two shapes, so that threads also meet on a cache miss */
    par[i] = (Job){.seed = i, .rows = 9 + i, .cols = i % 2 ? 333 : 1024};
    seq[i] = par[i];
  }
  for (int i = 0; i < N; i++) pthread_create(&th[i], NULL, job_run, &par[i]);
  for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < N; i++) job_run(&seq[i]);
  for (int i = 0; i < N; i++) {
    size_t n = (size_t)(par[i].rows * par[i].cols) * 2, nw = (size_t)par[i].cols * 2;
    bool same = !par[i].st && !seq[i].st && !memcmp(par[i].y, seq[i].y, n) && !memcmp(par[i].dx, seq[i].dx, n) &&
                !memcmp(par[i].dw, seq[i].dw, nw) && !memcmp(par[i].ly, seq[i].ly, n);
    CHECK(same, "thread %d of %d (%lldx%lld): results equal to a run alone, bit for bit%s%s", i, N,
          (long long)par[i].rows, (long long)par[i].cols, par[i].st ? ": " : "", par[i].st ? liger_last_error() : "");
    free(par[i].y), free(par[i].dx), free(par[i].dw), free(par[i].ly);
    free(seq[i].y), free(seq[i].dx), free(seq[i].dw), free(seq[i].ly);
  }
}

/* liger_ops_scratch: a backward with a weight leaves its partial sums' buffer held (at least
 * rows-of-partials x n x 4 bytes, where the persistent grid has at least one program);
 * release frees it (0 held), and the next backward allocates again and is still right. */
static void scratch(void) {
  size_t held = 1;
  CHECK(liger_ops_scratch(NULL, &held, 0) == LIGER_ERR_INVALID_ARG && held == 0,
        "liger_ops_scratch(NULL ctx) is LIGER_ERR_INVALID_ARG and reports 0");
  RmsCase k = {.ndim = 2, .shape = {64, 1000}, .xd = LIGER_F32, .wd = LIGER_F32, .has_w = true,
               .mode = LIGER_RMS_CAST_LLAMA, .rstd_f32 = true};
  check_rms(&k); /* forward + backward: allocates the partials */
  CHECK(liger_ops_scratch(ctx, &held, 0) == LIGER_OK && held >= 1000 * 4,
        "scratch held after an RMSNorm backward with a weight: %zu bytes (want >= 4000)", held);
  CHECK(liger_ops_scratch(ctx, &held, 1) == LIGER_OK && held == 0, "scratch after release: %zu bytes (want 0)", held);
  CHECK(liger_ops_scratch(ctx, NULL, 0) == LIGER_OK, "liger_ops_scratch with bytes NULL");
  check_rms(&k); /* allocates again */
  CHECK(liger_ops_scratch(ctx, &held, 0) == LIGER_OK && held >= 1000 * 4,
        "scratch held again after the next backward: %zu bytes", held);
}

int main(int argc, char **argv) {
  bool quick;
  int status = ops_setup(argc, argv, "test_ops_norm", &quick);
  if (status >= 0) return status;
  /* Liger's test shapes (kernels.md §1, §2), one row, powers of two and not, H = 4096 and 8192 */
  static const Shape small[] = {
      {3, {2, 128, 512}, true}, {3, {5, 123, 123}, true}, {3, {2, 2, 8}, false}, {3, {9, 7, 41}, false},
      {2, {1, 1000}, false},    {3, {1, 1, 1023}, false},
  };
  static const Shape big[] = {{2, {6, 4096}, false}, {2, {3, 8192}, false}};
  sweep(small, (int)(sizeof small / sizeof small[0]));
  corners(quick);
  errors();
  threads();
  scratch();
  if (!quick) {
    sweep(big, 2);
    long_rows();
  }
  liger_context_destroy(ctx);
  return check_summary();
}
