/*
 * test_ops_glu_softmax.c — SwiGLU, GeGLU and Softmax (include/liger/ops.h) through the public
 * API, forward and backward, against C references in double written from spec/kernels.md
 * §4, §5 and §9.
 *
 * The references round to the tensors' dtype exactly where the spec says the kernels do
 * (silu / gelu before the product with b, dc * b for GeGLU, every step of the softmax
 * backward), so the tolerances below cover only fp32 arithmetic and the rare intermediate
 * that lands on the other side of a rounding boundary (one step of the dtype). The backward
 * references take what the device's forward produced (the softmax's y), so each direction is
 * checked on its own. Every check also verifies that the padding of strided outputs is left
 * untouched.
 *
 * Usage: test_ops_glu_softmax [--device cpu|cuda] [--quick]
 *   --device  the context (default cpu); without that device: "SKIP: ..." and exit 77
 *   --quick   the small shapes only (used with LIGER_OPS_CONFIG=chunk=64: 64-element blocks
 *             for the element-wise ops and every softmax row longer than 64 looped)
 * Exit status 0 = pass, 1 = fail, 77 = device absent.
 */
#include "liger/ops.h"
#include "ops_util.h"

/* ---- tolerances, per op and dtype (no looser than spec/kernels.md) ---------------------------- */

/* SwiGLU and GeGLU: kernels.md §4 gives fp32 atol 1e-3 rtol 1e-5 (multipliers; 1.0 / 1e-5
 * for the MLP) and bf16 1e-1 / 1e-2 (1e4 / 1e-2 for the MLP); §5 fp32 1e-5 / 1e-5 and bf16
 * 1e-2 / 1e-2. Ours: fp32 1e-5 / 1e-5; bf16 1e-5 / 1e-2 (two bf16 steps are 7.8e-3
 * relative: an intermediate rounded the other way, then the final rounding); fp16 is not in
 * Liger's tests: 1e-5 / 5e-3 (two fp16 steps are 9.8e-4). */
static Tol glu_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-5, 1e-5} : dt == LIGER_BF16 ? (Tol){1e-5, 1e-2} : (Tol){1e-5, 5e-3};
}
/* Softmax: kernels.md §9 gives fp32 1e-5 / 1e-5 and bf16 5e-2 / 5e-2. y is at most 1 and
 * often near 1/n, so an absolute 5e-2 would accept anything on long rows: ours are relative,
 * fp32 1e-7 / 1e-5, bf16 1e-7 / 1e-2, fp16 1e-7 / 2e-3. The 16-bit backward rounds
 * s = sum(dy * y) to the dtype, where the kernel's fp32 sum and the reference's exact one may
 * round to neighbours: dx may then be off by y * ulp(s) (the slack, per element). */
static Tol softmax_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-7, 1e-5} : dt == LIGER_BF16 ? (Tol){1e-7, 1e-2} : (Tol){1e-7, 2e-3};
}

/* One step (ulp) of the dtype, relative: 2^-(significant bits - 1). */
static double rel_step(liger_dtype dt) { return dt == LIGER_F32 ? 0x1p-23 : dt == LIGER_BF16 ? 0x1p-7 : 0x1p-10; }

/* ---- inputs and checks ------------------------------------------------------------------------------- */

/* Random values in [lo, hi), rounded to the dtype, uploaded; every 97th value is one of +-20,
 * -90, 90 instead: saturated sigmoids and overflowing exps. */
static void ten_fill_extremes(Ten *x, double lo, double hi) {
  static const double ext[] = {20, -20, 90, -90};
  for (int64_t i = 0; i < x->rows * x->cols; i++) x->v[i] = i % 97 == 50 ? ext[(i / 97) % 4] : uniform(lo, hi);
  ten_set(x);
}

/* The exact fraction required of a 16-bit result (see expect_views); fp32 results are
 * computed in fp32 by the kernels and in double by the references: not checked. */
static double exact_min(liger_dtype dt) { return dt == LIGER_F32 ? 0 : 0.99; }

static double *vec(int64_t n) { return calloc((size_t)n + 1, sizeof(double)); }

/* ---- SwiGLU and GeGLU references (spec §4, §5) ----------------------------------------------------- */

enum { SWIGLU, GEGLU };

static const double GELU_K0 = 0.79788456080286535588; /* sqrt(2 / pi) */
static const double GELU_K1 = 0.044715;

/* c = round(act(a)) * b, rounded: the product of two values of the dtype rounded once. */
static double glu_fwd_ref(int op, double a, double b, liger_dtype dt) {
  double act;
  if (op == SWIGLU) {
    act = a / (1 + exp(-a));
  } else {
    double u = GELU_K0 * (a + GELU_K1 * a * a * a);
    act = 0.5 * a * (1 + tanh(u));
  }
  return round_to(round_to(act, dt) * b, dt);
}

static void glu_bwd_ref(int op, double dc, double a, double b, liger_dtype dt, double *da, double *db) {
  if (op == SWIGLU) { /* fp32 throughout, one rounding at each store */
    double s = 1 / (1 + exp(-a)), silu = a * s;
    *db = round_to(dc * silu, dt);
    *da = round_to(dc * (silu * (1 - s) + s) * b, dt);
  } else { /* gelu rounded to the dtype; dc * b formed in the dtype */
    double u = GELU_K0 * (a + GELU_K1 * a * a * a), t = tanh(u);
    double gelu = round_to(0.5 * a * (1 + t), dt);
    *db = round_to(dc * gelu, dt);
    double dgelu = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * GELU_K0 * (1 + 3 * GELU_K1 * a * a);
    *da = round_to(round_to(dc * b, dt) * dgelu, dt);
  }
}

typedef struct GluCase {
  int op;
  int ndim;
  int64_t shape[4];
  liger_dtype dt;
  bool in_place; /* da over a, db over b */
  bool fused;    /* a and b the two halves of one [.., 2n] buffer (Phi3's gate_up) */
  int64_t row_pad; /* > 0: c, dc, da, db rows wider than n (strided) */
} GluCase;

static const char *glu_name(int op) { return op == SWIGLU ? "swiglu" : "geglu"; }

static liger_status glu_forward(int op, Ten *a, Ten *b, Ten *c) {
  return op == SWIGLU ? liger_swiglu_forward(ctx, NULL, &a->t, &b->t, &c->t)
                      : liger_geglu_forward(ctx, NULL, &a->t, &b->t, &c->t);
}

static liger_status glu_backward(int op, Ten *dc, Ten *a, Ten *b, Ten *da, Ten *db) {
  return op == SWIGLU ? liger_swiglu_backward(ctx, NULL, &dc->t, &a->t, &b->t, &da->t, &db->t)
                      : liger_geglu_backward(ctx, NULL, &dc->t, &a->t, &b->t, &da->t, &db->t);
}

static void check_glu(const GluCase *k) {
  char sh[64], what[256];
  shape_str(k->shape, k->ndim, sh, sizeof sh);
  snprintf(what, sizeof what, "%s %s %s%s%s%s", glu_name(k->op), sh, dtype_name(k->dt), k->in_place ? " in_place" : "",
           k->fused ? " fused_gate_up" : "", k->row_pad ? " strided" : "");
  int64_t n = k->shape[k->ndim - 1], stride = k->row_pad ? n + k->row_pad : 0;
  Ten *ab = NULL, *a, *b;
  if (k->fused) { /* [.., 2n]: a the first half of every row, b the second */
    int64_t s2[4];
    memcpy(s2, k->shape, sizeof s2);
    s2[k->ndim - 1] = 2 * n;
    ab = ten_new(k->dt, k->ndim, s2, 0);
    a = ten_view(ab, 0, n);
    b = ten_view(ab, n, n);
  } else {
    a = ten_new(k->dt, k->ndim, k->shape, 0);
    b = ten_new(k->dt, k->ndim, k->shape, 0);
  }
  Ten *c = ten_new(k->dt, k->ndim, k->shape, stride), *dc = ten_new(k->dt, k->ndim, k->shape, stride);
  Ten *da = k->in_place ? a : ten_new(k->dt, k->ndim, k->shape, stride);
  Ten *db = k->in_place ? b : ten_new(k->dt, k->ndim, k->shape, stride);
  int64_t m = a->rows * n;
  double *a0 = vec(m), *b0 = vec(m), *cref = vec(m), *daref = vec(m), *dbref = vec(m);
  ten_fill_extremes(a, -4, 4);
  ten_fill(b, -2, 2);
  ten_fill(dc, -1, 1);
  memcpy(a0, a->v, sizeof(double) * (size_t)m);
  memcpy(b0, b->v, sizeof(double) * (size_t)m);
  Tol tol = glu_tol(k->dt);
  Ten *ab_views[2] = {a, b};

  RUN(what, glu_forward(k->op, a, b, c));
  for (int64_t i = 0; i < m; i++) cref[i] = glu_fwd_ref(k->op, a0[i], b0[i], k->dt);
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s fwd", what);
    expect_views(w2, "c", c, cref, tol, NULL, NULL, 0, exact_min(k->dt));
  }
  RUN(what, glu_backward(k->op, dc, a, b, da, db));
  for (int64_t i = 0; i < m; i++) glu_bwd_ref(k->op, dc->v[i], a0[i], b0[i], k->dt, &daref[i], &dbref[i]);
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s bwd", what);
    expect_views(w2, "da", da, daref, tol, NULL, ab ? ab_views : NULL, ab ? 2 : 0, exact_min(k->dt));
    expect_views(w2, "db", db, dbref, tol, NULL, ab ? ab_views : NULL, ab ? 2 : 0, exact_min(k->dt));
  }
done:
  if (!k->in_place) ten_free(da), ten_free(db);
  ten_free(a), ten_free(b), ten_free(ab), ten_free(c), ten_free(dc);
  free(a0), free(b0), free(cref), free(daref), free(dbref);
}

/* ---- Softmax reference (spec §9) --------------------------------------------------------------------------- */

static void softmax_fwd_ref(const double *x, int64_t n, liger_dtype dt, double *y) {
  double m = -INFINITY, d = 0;
  for (int64_t i = 0; i < n; i++) m = fmax(m, x[i]);
  for (int64_t i = 0; i < n; i++) d += exp(x[i] - m);
  for (int64_t i = 0; i < n; i++) y[i] = round_to(exp(x[i] - m) / d, dt);
}

/* In the dtype: p = round(dy * y), s = round(sum p), dx = round(y * round(dy - s)). For
 * 16-bit dtypes the kernel's fp32 sum of p may round to a neighbour of s when the exact sum
 * is within the fp32 error bound (n - 1) 2^-24 sum|p| of a rounding boundary: then dx may be
 * off by y * ulp(s), the slack; rows clear of that get no slack and must match exactly. */
static void softmax_bwd_ref(const double *dy, const double *y, int64_t n, liger_dtype dt, double *dx, double *slack) {
  double s = 0, abs_sum = 0;
  for (int64_t i = 0; i < n; i++) s += round_to(dy[i] * y[i], dt), abs_sum += fabs(round_to(dy[i] * y[i], dt));
  double err = (double)n * 0x1p-24 * abs_sum;
  bool unsure = dt != LIGER_F32 && round_to(s - err, dt) != round_to(s + err, dt);
  s = round_to(s, dt);
  for (int64_t i = 0; i < n; i++) {
    dx[i] = round_to(y[i] * round_to(dy[i] - s, dt), dt);
    slack[i] = unsure ? fabs(y[i]) * (fabs(s) + err) * rel_step(dt) : 0;
  }
}

typedef struct SmCase {
  int ndim;
  int64_t shape[4];
  liger_dtype dt;
  bool in_place; /* y over x, dx over dy */
  int64_t row_pad;
  int special; /* 0 plain; 1 every 7th value -inf (masked logits); 2 values offset by 500 */
} SmCase;

static void check_softmax(const SmCase *k) {
  char sh[64], what[256];
  shape_str(k->shape, k->ndim, sh, sizeof sh);
  static const char *const specials[] = {"", " with_-inf", " offset_500"};
  snprintf(what, sizeof what, "softmax %s %s%s%s%s", sh, dtype_name(k->dt), k->in_place ? " in_place" : "",
           k->row_pad ? " strided" : "", specials[k->special]);
  int64_t n = k->shape[k->ndim - 1], stride = k->row_pad ? n + k->row_pad : 0;
  Ten *x = ten_new(k->dt, k->ndim, k->shape, stride), *y = k->in_place ? x : ten_new(k->dt, k->ndim, k->shape, stride);
  Ten *dy = ten_new(k->dt, k->ndim, k->shape, stride), *dx = k->in_place ? dy : ten_new(k->dt, k->ndim, k->shape, stride);
  int64_t rows = x->rows, m = rows * n;
  double *x0 = vec(m), *yref = vec(m), *dxref = vec(m), *slack = vec(m), *dy0 = vec(m), *y1 = vec(m);
  for (int64_t i = 0; i < m; i++) {
    double v = uniform(-4, 4);
    if (k->special == 1 && i % 7 == 3) v = -INFINITY;
    if (k->special == 2) v += 500;
    x0[i] = round_to(v, k->dt);
  }
  ten_set_from(x, x0);
  ten_fill(dy, -1, 1);
  memcpy(dy0, dy->v, sizeof(double) * (size_t)m);
  Tol tol = softmax_tol(k->dt);

  RUN(what, liger_softmax_forward(ctx, NULL, &x->t, &y->t));
  for (int64_t r = 0; r < rows; r++) softmax_fwd_ref(x0 + r * n, n, k->dt, yref + r * n);
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s fwd", what);
    expect_views(w2, "y", y, yref, tol, NULL, NULL, 0, exact_min(k->dt));
  }
  memcpy(y1, y->v, sizeof(double) * (size_t)m); /* the backward starts from the device's y */
  RUN(what, liger_softmax_backward(ctx, NULL, &dy->t, &y->t, &dx->t));
  for (int64_t r = 0; r < rows; r++) softmax_bwd_ref(dy0 + r * n, y1 + r * n, n, k->dt, dxref + r * n, slack + r * n);
  {
    char w2[300];
    snprintf(w2, sizeof w2, "%s bwd", what);
    expect_views(w2, "dx", dx, dxref, tol, slack, NULL, 0, exact_min(k->dt));
  }
done:
  if (!k->in_place) ten_free(y), ten_free(dx);
  ten_free(x), ten_free(dy);
  free(x0), free(yref), free(dxref), free(slack), free(dy0), free(y1);
}

/* ---- the sweeps ------------------------------------------------------------------------------------------- */

typedef struct Shape {
  int ndim;
  int64_t s[4];
} Shape;

static const liger_dtype dtypes[] = {LIGER_F32, LIGER_BF16, LIGER_F16};

static void glu_sweep(const Shape *shapes, int nshapes, bool options) {
  int turn = 0;
  for (int s = 0; s < nshapes; s++)
    for (int op = 0; op < 2; op++)
      for (int d = 0; d < 3; d++) {
        GluCase k = {op, shapes[s].ndim, {0}, dtypes[d], false, false, 0};
        memcpy(k.shape, shapes[s].s, sizeof k.shape);
        if (options) { /* rotate in place / fused / strided through the cases */
          int o = turn++ % 4;
          k.in_place = o == 1 || o == 3;
          k.fused = o == 2 || o == 3;
          k.row_pad = o == 2 ? 8 : 0;
        }
        check_glu(&k);
      }
}

static void softmax_sweep(const Shape *shapes, int nshapes, bool options) {
  int turn = 0;
  for (int s = 0; s < nshapes; s++)
    for (int d = 0; d < 3; d++) {
      SmCase k = {shapes[s].ndim, {0}, dtypes[d], false, 0, 0};
      memcpy(k.shape, shapes[s].s, sizeof k.shape);
      if (options) {
        int o = turn++ % 5;
        k.in_place = o == 1 || o == 4;
        k.row_pad = o == 2 ? 16 : o == 4 ? 3 : 0;
        k.special = o == 3 ? 1 : o == 4 ? 2 : 0;
      }
      check_softmax(&k);
    }
}

/* ---- bad arguments and empty inputs --------------------------------------------------------------------------- */

static void errors(void) {
  Ten *a = ten2(LIGER_BF16, 4, 64), *b = ten2(LIGER_BF16, 4, 64), *c = ten2(LIGER_BF16, 4, 64);
  Ten *dc = ten2(LIGER_BF16, 4, 64), *da = ten2(LIGER_BF16, 4, 64), *db = ten2(LIGER_BF16, 4, 64);
  ten_fill(a, -1, 1);
  DLTensor bad;

  expect_error("NULL context", liger_swiglu_forward(NULL, NULL, &a->t, &b->t, &c->t),
               "liger_swiglu_forward: context is NULL");
  expect_error("NULL b", liger_geglu_forward(ctx, NULL, &a->t, NULL, &c->t), "liger_geglu_forward: b is NULL");
  bad = a->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  expect_error("int32 a", liger_swiglu_forward(ctx, NULL, &bad, &b->t, &c->t),
               "liger_swiglu_forward: a has dtype int32; expected float32, bfloat16 or float16");
  bad = b->t;
  bad.dtype = dl_type(LIGER_F32);
  expect_error("b dtype", liger_swiglu_forward(ctx, NULL, &a->t, &bad, &c->t),
               "b has dtype float32; expected bfloat16 like a");
  bad = c->t;
  int64_t sh3[2] = {4, 63};
  bad.shape = sh3;
  expect_error("c shape", liger_geglu_forward(ctx, NULL, &a->t, &b->t, &bad), "c has shape (4, 63); expected (4, 64) like a");
  bad = a->t;
  bad.device = (DLDevice){gpu ? kDLCPU : kDLCUDA, 0};
  expect_error("a on another device", liger_swiglu_forward(ctx, NULL, &bad, &b->t, &c->t),
               gpu ? "a is on kDLCPU" : "a is on kDLCUDA");
  bad = a->t;
  int64_t st2[2] = {1, 4}; /* column-major */
  bad.strides = st2;
  expect_error("non-contiguous last dim", liger_swiglu_forward(ctx, NULL, &bad, &b->t, &c->t),
               "a's last dimension is not contiguous");
  expect_error("c is a", liger_swiglu_forward(ctx, NULL, &a->t, &b->t, &a->t), "c overlaps a");
  bad = a->t;
  int64_t sh0[2] = {4, 0};
  bad.shape = sh0;
  expect_error("empty rows", liger_geglu_forward(ctx, NULL, &bad, &bad, &bad), "a's last dimension is 0");
  bad = a->t;
  bad.byte_offset = 1;
  expect_error("misaligned", liger_swiglu_forward(ctx, NULL, &bad, &b->t, &c->t), "not aligned");

  /* backward: in place only onto the matching activation */
  expect_error("da over b", liger_swiglu_backward(ctx, NULL, &dc->t, &a->t, &b->t, &b->t, &db->t),
               "liger_swiglu_backward: da overlaps b");
  expect_error("da over dc", liger_geglu_backward(ctx, NULL, &dc->t, &a->t, &b->t, &dc->t, &db->t), "da overlaps dc");
  expect_error("da is db", liger_geglu_backward(ctx, NULL, &dc->t, &a->t, &b->t, &da->t, &da->t), "da overlaps db");
  {
    DLTensor shifted = a->t; /* a one row further on: overlaps a without being it */
    int64_t sh_3[2] = {3, 64};
    DLTensor a3 = a->t, b3 = b->t, dc3 = dc->t, db3 = db->t;
    a3.shape = b3.shape = dc3.shape = db3.shape = shifted.shape = sh_3;
    shifted.byte_offset = 64 * 2;
    expect_error("da partly over a", liger_swiglu_backward(ctx, NULL, &dc3, &a3, &b3, &shifted, &db3),
                 "da overlaps a without being the same view");
  }
  bad = dc->t;
  bad.dtype = dl_type(LIGER_F16);
  expect_error("dc dtype", liger_geglu_backward(ctx, NULL, &bad, &a->t, &b->t, &da->t, &db->t),
               "dc has dtype float16; expected bfloat16 like a");

  /* softmax */
  expect_error("softmax NULL y", liger_softmax_forward(ctx, NULL, &a->t, NULL), "liger_softmax_forward: y is NULL");
  bad = c->t;
  bad.shape = sh3;
  expect_error("softmax y shape", liger_softmax_forward(ctx, NULL, &a->t, &bad), "y has shape (4, 63); expected (4, 64) like x");
  expect_error("softmax dx over y", liger_softmax_backward(ctx, NULL, &dc->t, &a->t, &a->t),
               "liger_softmax_backward: dx overlaps y");
  bad = a->t;
  bad.dtype = (DLDataType){kDLFloat, 64, 1};
  expect_error("softmax float64", liger_softmax_forward(ctx, NULL, &bad, &c->t), "x has dtype float64");
  bad = a->t;
  bad.ndim = 0;
  expect_error("softmax 0-d", liger_softmax_forward(ctx, NULL, &bad, &c->t), "x has 0 dimensions");

  /* empty inputs: nothing to do, nothing written */
  {
    int64_t sh[3] = {0, 3, 16};
    Ten *e1 = ten_new(LIGER_F32, 3, sh, 0), *e2 = ten_new(LIGER_F32, 3, sh, 0), *e3 = ten_new(LIGER_F32, 3, sh, 0);
    Ten *e4 = ten_new(LIGER_F32, 3, sh, 0), *e5 = ten_new(LIGER_F32, 3, sh, 0);
    liger_status st = liger_swiglu_forward(ctx, NULL, &e1->t, &e2->t, &e3->t);
    CHECK(st == LIGER_OK, "swiglu forward on 0 rows: %s", st ? liger_last_error() : "ok");
    st = liger_geglu_backward(ctx, NULL, &e3->t, &e1->t, &e2->t, &e4->t, &e5->t);
    CHECK(st == LIGER_OK, "geglu backward on 0 rows: %s", st ? liger_last_error() : "ok");
    st = liger_softmax_forward(ctx, NULL, &e1->t, &e2->t);
    CHECK(st == LIGER_OK, "softmax forward on 0 rows: %s", st ? liger_last_error() : "ok");
    st = liger_softmax_backward(ctx, NULL, &e1->t, &e2->t, &e3->t);
    CHECK(st == LIGER_OK, "softmax backward on 0 rows: %s", st ? liger_last_error() : "ok");
    ten_free(e1), ten_free(e2), ten_free(e3), ten_free(e4), ten_free(e5);
  }
  ten_free(a), ten_free(b), ten_free(c), ten_free(dc), ten_free(da), ten_free(db);
}

int main(int argc, char **argv) {
  bool quick;
  int status = ops_setup(argc, argv, "test_ops_glu_softmax", &quick);
  if (status >= 0) return status;
  rng_state = 0x2545f4914f6cdd1dull; /* this file's sequence, not ops_util.h's default */

  /* GLUs: one element, Liger's functional shapes (2,8,8) and (9,7,41), the MLP ones
   * (B, S, I) = (2,128,512), (6,42,431), a 1-D input, and 14336-wide rows (the anchors.md
   * 16384 x 14336, fewer rows) */
  static const Shape glu_small[] = {{1, {1}}, {3, {2, 8, 8}}, {3, {9, 7, 41}}, {3, {2, 128, 512}}, {3, {6, 42, 431}},
                                    {1, {4097}}};
  static const Shape glu_big[] = {{2, {24, 14336}}};
  /* Softmax: Liger's test shapes, many short rows, 4096-wide rows (anchors.md 16384 x 4096,
   * fewer rows) */
  static const Shape sm_small[] = {{2, {2, 8}},        {2, {4, 16}},      {2, {1, 1023}}, {3, {3, 7, 256}},
                                   {2, {1, 4096}},     {3, {1, 2, 4096}}, {2, {1, 1}},    {3, {2, 128, 512}},
                                   {2, {1000, 24}},    {1, {77}}};
  static const Shape sm_big[] = {{2, {32, 4096}}, {2, {3, 65536}}};
  /* rows longer than 65536: the looped kernels */
  static const Shape sm_long[] = {{2, {2, 70000}}, {1, {100003}}};

  glu_sweep(glu_small, (int)(sizeof glu_small / sizeof glu_small[0]), true);
  softmax_sweep(sm_small, (int)(sizeof sm_small / sizeof sm_small[0]), true);
  errors();
  if (!quick) {
    glu_sweep(glu_big, 1, true);
    softmax_sweep(sm_big, 2, false);
    softmax_sweep(sm_long, 2, true);
  }
  liger_context_destroy(ctx);
  return check_summary();
}
