/*
 * test_ops_sparsemax.c — Sparsemax (include/liger/ops.h) through the public API, forward and
 * backward, against C references in double written from spec/kernels.md §10.
 *
 * The forward reference is the textbook one that the kernels avoid: sort the row, take the
 * cumulative sum, find the largest k with 1 + k z_k > z_1 + ... + z_k, tau = (that sum - 1)
 * / k, y = max(x - tau, 0), rounded to the dtype. The kernels bisect on the bits of the
 * threshold instead (kernels/sparsemax.py); this file checks that they agree on every kind
 * of row: random, ties, all equal, a support of one element and of the whole row, -inf
 * entries and a row of only -inf, values near 1000, strided rows and in place, every row
 * length from 1 to 100000 (the looped form above 65536). Every row of y must also sum to 1.
 * The backward reference takes the device's y (each direction is checked on its own) and
 * rounds v = mean(dy over the support) to the dtype, as the kernels do (Liger's point).
 *
 * Usage: test_ops_sparsemax [--device cpu|cuda] [--quick]
 *   --device  the context (default cpu); without that device: "SKIP: ..." and exit 77
 *   --quick   rows of up to 4096 only (used with LIGER_OPS_CONFIG=chunk=64: every row
 *             longer than 64 through the looped kernels)
 * Exit status 0 = pass, 1 = fail, 77 = device absent.
 */
#include "liger/ops.h"
#include "ops_util.h"

/* ---- tolerances (no looser than spec/kernels.md) --------------------------------------------- */

/* kernels.md §10 tests fp32 only, atol = rtol = 1e-5, and rows summing to 1 within 1e-4.
 * Ours: fp32 1e-6 / 1e-5 (the kernels work on x - max(x), so tau is good to a few fp32 steps
 * of 1 whatever the magnitude of x: ~1e-7). bf16 1e-6 / 8e-3 and fp16 1e-6 / 1e-3: one step
 * of the dtype (2^-7, 2^-10 relative), for the rare fp32 result that sits next to a rounding
 * boundary; at least 99% of 16-bit values must equal the reference exactly. The atol covers
 * the fp32 error of y values near 0. Row sums: 1e-4 in fp32, plus one step of the dtype for
 * 16-bit y (each element rounded: the errors add up to at most half a step of the sum, 1). */
static Tol sparsemax_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-6, 1e-5} : dt == LIGER_BF16 ? (Tol){1e-6, 8e-3} : (Tol){1e-6, 1e-3};
}

/* One step (ulp) of the dtype, relative: 2^-(significant bits - 1). */
static double rel_step(liger_dtype dt) { return dt == LIGER_F32 ? 0x1p-23 : dt == LIGER_BF16 ? 0x1p-7 : 0x1p-10; }

static double sum_tol(liger_dtype dt) { return 1e-4 + (dt == LIGER_F32 ? 0 : rel_step(dt)); }

static double exact_min(liger_dtype dt) { return dt == LIGER_F32 ? 0 : 0.99; }

static double *vec(int64_t n) { return calloc((size_t)n + 1, sizeof(double)); }

/* ---- references (spec §10) ------------------------------------------------------------------------ */

static int desc(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* Sort, cumulative sum, the largest k with 1 + k z_k > cs_k (a prefix of the sorted row),
 * tau from it. -inf entries are never in the support; a row of only -inf gives zeros. */
static void sparsemax_fwd_ref(const double *x, int64_t n, liger_dtype dt, double *z, double *y) {
  memcpy(z, x, sizeof(double) * (size_t)n);
  qsort(z, (size_t)n, sizeof(double), desc);
  double cs = 0, sk = 0;
  int64_t k = 0;
  for (int64_t r = 1; r <= n && z[r - 1] != -INFINITY; r++) {
    cs += z[r - 1];
    if (1 + (double)r * z[r - 1] > cs) k = r, sk = cs;
  }
  double tau = k ? (sk - 1) / (double)k : INFINITY;
  for (int64_t i = 0; i < n; i++) y[i] = round_to(x[i] > tau ? x[i] - tau : 0, dt);
}

/* v = round(mean of dy over y > 0), dx = round(dy - v) there, 0 elsewhere. When the kernel's
 * fp32 sum may round v to a neighbour (the exact mean within the fp32 error bound of a
 * rounding boundary of the dtype), the row's dx gets a slack of one step of v and of dx. */
static void sparsemax_bwd_ref(const double *dy, const double *y, int64_t n, liger_dtype dt, double *dx,
                              double *slack) {
  double s = 0, abs_sum = 0;
  int64_t k = 0;
  for (int64_t i = 0; i < n; i++)
    if (y[i] > 0) s += dy[i], abs_sum += fabs(dy[i]), k++;
  double v = k ? s / (double)k : 0, err = k ? (double)k * 0x1p-24 * abs_sum / (double)k : 0;
  bool unsure = dt != LIGER_F32 && round_to(v - err, dt) != round_to(v + err, dt);
  v = round_to(v, dt);
  for (int64_t i = 0; i < n; i++) {
    dx[i] = y[i] > 0 ? round_to(dy[i] - v, dt) : 0;
    slack[i] = unsure && y[i] > 0 ? (fabs(v) + err + fabs(dx[i])) * rel_step(dt) : 0;
  }
}

/* ---- one case --------------------------------------------------------------------------------------- */

enum {
  SP_PLAIN,      /* uniform in [-4, 4) */
  SP_NEG_INF,    /* every 7th entry -inf */
  SP_OFFSET,     /* uniform in [996, 1004): the threshold near 1000 */
  SP_TIES,       /* multiples of 1/4 in [-1, 1): ties at and around the threshold */
  SP_EQUAL,      /* one value per row: y = 1/n everywhere */
  SP_ONE,        /* one entry 3 above the rest: a support of one element */
  SP_ALL,        /* within 1/(2n) of each other: every element in the support */
  SP_INF_ROW,    /* the first row all -inf (zeros), the others plain */
  SP_COUNT
};
static const char *const sp_names[] = {"", " with_-inf", " offset_1000", " ties", " all_equal",
                                       " support_1", " support_all", " -inf_row"};

typedef struct SpCase {
  int ndim;
  int64_t shape[4];
  liger_dtype dt;
  bool in_place; /* y over x, dx over dy */
  int64_t row_pad;
  int special;
} SpCase;

static double sp_value(int special, int64_t r, int64_t c, int64_t n, double row_value) {
  switch (special) {
  case SP_NEG_INF: return c % 7 == 3 ? -INFINITY : uniform(-4, 4);
  case SP_OFFSET: return 1000 + uniform(-4, 4);
  case SP_TIES: return floor(uniform(-4, 4)) / 4;
  case SP_EQUAL: return row_value;
  case SP_ONE: return c == (r * 31) % n ? 3 : uniform(-1, 0);
  case SP_ALL: return row_value + uniform(0, 1.0 / (2.0 * (double)n));
  case SP_INF_ROW: return r == 0 ? -INFINITY : uniform(-4, 4);
  default: return uniform(-4, 4);
  }
}

static void check_sparsemax(const SpCase *k) {
  char sh[64], what[256], w2[300];
  shape_str(k->shape, k->ndim, sh, sizeof sh);
  snprintf(what, sizeof what, "sparsemax %s %s%s%s%s", sh, dtype_name(k->dt), k->in_place ? " in_place" : "",
           k->row_pad ? " strided" : "", sp_names[k->special]);
  int64_t n = k->shape[k->ndim - 1], stride = k->row_pad ? n + k->row_pad : 0;
  Ten *x = ten_new(k->dt, k->ndim, k->shape, stride), *y = k->in_place ? x : ten_new(k->dt, k->ndim, k->shape, stride);
  Ten *dy = ten_new(k->dt, k->ndim, k->shape, stride), *dx = k->in_place ? dy : ten_new(k->dt, k->ndim, k->shape, stride);
  int64_t rows = x->rows, m = rows * n;
  double *x0 = vec(m), *yref = vec(m), *dxref = vec(m), *slack = vec(m), *dy0 = vec(m), *y1 = vec(m), *z = vec(n);
  for (int64_t r = 0; r < rows; r++) {
    double rv = uniform(-4, 4);
    for (int64_t c = 0; c < n; c++) x0[r * n + c] = round_to(sp_value(k->special, r, c, n, rv), k->dt);
  }
  ten_set_from(x, x0);
  ten_fill(dy, -1, 1);
  memcpy(dy0, dy->v, sizeof(double) * (size_t)m);
  Tol tol = sparsemax_tol(k->dt);

  RUN(what, liger_sparsemax_forward(ctx, NULL, &x->t, &y->t));
  for (int64_t r = 0; r < rows; r++) sparsemax_fwd_ref(x0 + r * n, n, k->dt, z, yref + r * n);
  snprintf(w2, sizeof w2, "%s fwd", what);
  expect_views(w2, "y", y, yref, tol, NULL, NULL, 0, exact_min(k->dt));
  memcpy(y1, y->v, sizeof(double) * (size_t)m); /* the backward starts from the device's y */
  {
    double worst = 0;
    int64_t wr = -1;
    for (int64_t r = 0; r < rows; r++) {
      if (k->special == SP_INF_ROW && r == 0) continue; /* zeros */
      double s = 0;
      for (int64_t c = 0; c < n; c++) s += y1[r * n + c];
      if (wr < 0 || fabs(s - 1) > worst) worst = fabs(s - 1), wr = r;
    }
    CHECK(worst <= sum_tol(k->dt), "%s: rows sum to 1 (worst |sum - 1| = %.3g at row %lld, limit %.3g)", w2, worst,
          (long long)wr, sum_tol(k->dt));
  }
  RUN(what, liger_sparsemax_backward(ctx, NULL, &dy->t, &y->t, &dx->t));
  for (int64_t r = 0; r < rows; r++) sparsemax_bwd_ref(dy0 + r * n, y1 + r * n, n, k->dt, dxref + r * n, slack + r * n);
  snprintf(w2, sizeof w2, "%s bwd", what);
  expect_views(w2, "dx", dx, dxref, tol, slack, NULL, 0, exact_min(k->dt));
done:
  if (!k->in_place) ten_free(y), ten_free(dx);
  ten_free(x), ten_free(dy);
  free(x0), free(yref), free(dxref), free(slack), free(dy0), free(y1), free(z);
}

/* ---- the sweeps ------------------------------------------------------------------------------------- */

typedef struct Shape {
  int ndim;
  int64_t s[4];
} Shape;

static const liger_dtype dtypes[] = {LIGER_F32, LIGER_BF16, LIGER_F16};

/* Every shape in every dtype; with `options`, a rotation through the kinds of row, in place
 * and strided rows (the rotation's period, 8 kinds x 3 dtypes apart, keeps them mixed). */
static void sparsemax_sweep(const Shape *shapes, int nshapes, bool options) {
  int turn = 0;
  for (int s = 0; s < nshapes; s++)
    for (int d = 0; d < 3; d++) {
      SpCase k = {shapes[s].ndim, {0}, dtypes[d], false, 0, SP_PLAIN};
      memcpy(k.shape, shapes[s].s, sizeof k.shape);
      if (options) {
        int o = turn++;
        k.special = o % SP_COUNT;
        k.in_place = o % 3 == 1;
        k.row_pad = o % 5 == 2 ? 16 : o % 5 == 4 ? 3 : 0;
      }
      check_sparsemax(&k);
    }
}

/* Every kind of row on one shape and dtype. */
static void sparsemax_kinds(int ndim, const int64_t *shape, liger_dtype dt) {
  for (int sp = 0; sp < SP_COUNT; sp++) {
    SpCase k = {ndim, {0}, dt, false, 0, sp};
    memcpy(k.shape, shape, sizeof(int64_t) * (size_t)ndim);
    check_sparsemax(&k);
  }
}

/* ---- bad arguments and empty inputs ---------------------------------------------------------------- */

static void errors(void) {
  Ten *a = ten2(LIGER_BF16, 4, 64), *c = ten2(LIGER_BF16, 4, 64), *d = ten2(LIGER_BF16, 4, 64);
  ten_fill(a, -1, 1);
  DLTensor bad;
  int64_t sh3[2] = {4, 63};

  expect_error("NULL context", liger_sparsemax_forward(NULL, NULL, &a->t, &c->t),
               "liger_sparsemax_forward: context is NULL");
  expect_error("NULL y", liger_sparsemax_forward(ctx, NULL, &a->t, NULL), "liger_sparsemax_forward: y is NULL");
  bad = a->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  expect_error("int32 x", liger_sparsemax_forward(ctx, NULL, &bad, &c->t),
               "liger_sparsemax_forward: x has dtype int32; expected float32, bfloat16 or float16");
  bad = a->t;
  bad.dtype = (DLDataType){kDLFloat, 64, 1};
  expect_error("float64 x", liger_sparsemax_forward(ctx, NULL, &bad, &c->t), "x has dtype float64");
  bad = c->t;
  bad.dtype = dl_type(LIGER_F32);
  expect_error("y dtype", liger_sparsemax_forward(ctx, NULL, &a->t, &bad), "y has dtype float32; expected bfloat16 like x");
  bad = c->t;
  bad.shape = sh3;
  expect_error("y shape", liger_sparsemax_forward(ctx, NULL, &a->t, &bad), "y has shape (4, 63); expected (4, 64) like x");
  bad = a->t;
  int64_t st2[2] = {1, 4}; /* column-major */
  bad.strides = st2;
  expect_error("non-contiguous last dim", liger_sparsemax_forward(ctx, NULL, &bad, &c->t),
               "x's last dimension is not contiguous");
  bad = a->t;
  bad.ndim = 0;
  expect_error("0-d x", liger_sparsemax_forward(ctx, NULL, &bad, &c->t), "x has 0 dimensions");
  bad = a->t;
  int64_t sh0[2] = {4, 0};
  bad.shape = sh0;
  expect_error("empty rows", liger_sparsemax_forward(ctx, NULL, &bad, &bad), "x's last dimension is 0");
  {
    DLTensor shifted = a->t, a3 = a->t; /* y one row further on: overlaps x without being it */
    int64_t sh_3[2] = {3, 64};
    a3.shape = shifted.shape = sh_3;
    shifted.byte_offset = 64 * 2;
    expect_error("y partly over x", liger_sparsemax_forward(ctx, NULL, &a3, &shifted),
                 "y overlaps x without being the same view");
  }
  expect_error("dx over y", liger_sparsemax_backward(ctx, NULL, &d->t, &a->t, &a->t),
               "liger_sparsemax_backward: dx overlaps y");
  bad = d->t;
  bad.dtype = dl_type(LIGER_F16);
  expect_error("dy dtype", liger_sparsemax_backward(ctx, NULL, &bad, &a->t, &c->t),
               "dy has dtype float16; expected bfloat16 like y");
  bad = c->t;
  bad.shape = sh3;
  expect_error("dx shape", liger_sparsemax_backward(ctx, NULL, &d->t, &a->t, &bad),
               "dx has shape (4, 63); expected (4, 64) like y");

  /* empty inputs: nothing to do, nothing written */
  {
    int64_t sh[3] = {0, 3, 16};
    Ten *e1 = ten_new(LIGER_F32, 3, sh, 0), *e2 = ten_new(LIGER_F32, 3, sh, 0), *e3 = ten_new(LIGER_F32, 3, sh, 0);
    liger_status st = liger_sparsemax_forward(ctx, NULL, &e1->t, &e2->t);
    CHECK(st == LIGER_OK && ten_read(e2) == 0, "sparsemax forward on 0 rows: %s", st ? liger_last_error() : "ok");
    st = liger_sparsemax_backward(ctx, NULL, &e1->t, &e2->t, &e3->t);
    CHECK(st == LIGER_OK && ten_read(e3) == 0, "sparsemax backward on 0 rows: %s", st ? liger_last_error() : "ok");
    ten_free(e1), ten_free(e2), ten_free(e3);
  }
  ten_free(a), ten_free(c), ten_free(d);
}

int main(int argc, char **argv) {
  bool quick;
  int status = ops_setup(argc, argv, "test_ops_sparsemax", &quick);
  if (status >= 0) return status;
  rng_state = 0x5eed5a4a2e3f1c07ull; /* this file's sequence, not ops_util.h's default */

  /* Liger's test shapes (B, S, F) = (2, 128, 512) and (5, 123, 123); one row of each length
   * of the sweep 1 .. 4096 (odd, powers of two and around them), three rows of some, many
   * short rows a program (1000 x 24), a 1-D input */
  static const Shape small[] = {{3, {2, 128, 512}}, {3, {5, 123, 123}}, {2, {1, 1}},   {2, {3, 2}},    {2, {1, 3}},
                                {2, {3, 7}},        {2, {1, 127}},      {2, {3, 128}}, {2, {1, 1000}}, {2, {3, 4096}},
                                {2, {1000, 24}},    {1, {77}}};
  /* the longest tile row, and rows longer than a tile (the looped kernels) */
  static const Shape big[] = {{2, {2, 65536}}, {2, {1, 65537}}, {1, {100000}}};
  static const int64_t kinds_shape[2] = {7, 300};

  sparsemax_sweep(small, (int)(sizeof small / sizeof small[0]), true);
  for (int d = 0; d < 3; d++) sparsemax_kinds(2, kinds_shape, dtypes[d]);
  errors();
  if (!quick) {
    sparsemax_sweep(big, (int)(sizeof big / sizeof big[0]), true);
    static const int64_t long_shape[2] = {2, 70000};
    sparsemax_kinds(2, long_shape, LIGER_F32);
  }
  liger_context_destroy(ctx);
  return check_summary();
}
