/*
 * test_ops_kl_jsd.c — KL divergence and JSD (include/liger/ops.h) through the public API,
 * forward and backward, against C references in double written from spec/kernels.md §12, §13.
 *
 * Inputs are log-softmax (and softmax) rows of random logits, rounded to the dtype; the
 * references work on the rounded values and round where the ops store (outputs to their
 * dtype), so the tolerances only cover fp32 arithmetic and summation order. Padding around
 * every output must come back untouched (ops_util.h).
 *
 * Usage: test_ops_kl_jsd [--device cpu|cuda] [--quick]
 *   --quick  the small shapes only (used with LIGER_OPS_CONFIG=chunk=64: many chunks a row)
 * Exit status 0 = pass, 1 = fail, 77 = device absent.
 */
#include "liger/ops.h"
#include "ops_util.h"

/* ---- tolerances per dtype (no looser than spec/kernels.md §12, §13) ------------------------------ */

/* §12 KLDiv: fp32 atol 1e-8 rtol 1e-6, bf16 1e-8 / 5e-2, fp16 1e-3 / 1e-3. */
static Tol kl_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-8, 1e-6} : dt == LIGER_BF16 ? (Tol){1e-8, 5e-2} : (Tol){1e-3, 1e-3};
}
/* §13 JSD: fp32 atol 1e-7 rtol 1e-6, bf16 1e-7 / 5e-2, fp16 1e-3 / 1e-3. */
static Tol jsd_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-7, 1e-6} : dt == LIGER_BF16 ? (Tol){1e-7, 5e-2} : (Tol){1e-3, 1e-3};
}

static const liger_dtype dtypes[] = {LIGER_F32, LIGER_BF16, LIGER_F16};

/* Row-wise log_softmax (log = 1) or softmax of uniform(-range, range) logits into x->v, then
 * rounded and uploaded. zero_every > 0 (softmax only): every such element is exactly 0. */
static void fill_dist(Ten *x, double range, bool log, int zero_every) {
  for (int64_t r = 0; r < x->rows; r++) {
    double *v = x->v + r * x->cols, mx = -INFINITY, s = 0;
    for (int64_t c = 0; c < x->cols; c++) {
      v[c] = uniform(-range, range);
      if (v[c] > mx) mx = v[c];
    }
    for (int64_t c = 0; c < x->cols; c++) s += exp(v[c] - mx);
    for (int64_t c = 0; c < x->cols; c++) {
      v[c] = log ? v[c] - mx - log1p(s - 1) : exp(v[c] - mx) / s;
      if (!log && zero_every > 0 && (r * x->cols + c) % zero_every == 3) v[c] = 0;
    }
  }
  ten_set(x);
}

/* ---- KL divergence (spec/kernels.md §12) ----------------------------------------------------------- */

static const char *kl_red_name(liger_kl_reduction r) {
  return r == LIGER_KL_REDUCTION_NONE ? "none" : r == LIGER_KL_REDUCTION_SUM ? "sum"
         : r == LIGER_KL_REDUCTION_MEAN ? "mean" : "batchmean";
}

static double kl_elem(double y, double t, bool log_target, double eps) {
  if (log_target) return exp(t) * (t - y);
  return t * (log(t > eps ? t : eps) - y);
}

static double kl_scale(liger_kl_reduction r, int64_t rows, int64_t cols) {
  return r == LIGER_KL_REDUCTION_BATCHMEAN ? 1.0 / (double)rows
         : r == LIGER_KL_REDUCTION_MEAN ? 1.0 / ((double)rows * (double)cols) : 1.0;
}

typedef struct KlCase {
  int64_t rows, V;
  liger_dtype pd, td; /* y_pred, y_true */
  liger_kl_reduction red;
  bool log_target;
  double eps;
  bool loss_p;     /* loss in y_pred's dtype, else fp32 */
  int64_t pad;     /* > 0: y_pred, y_true and the gradient rows wider than V */
  int grad_mode;   /* 0: grad_output random, 1: exactly 1.0, 2: NULL */
} KlCase;

static void check_kl(const KlCase *k) {
  char what[256];
  snprintf(what, sizeof what, "kl %lldx%lld %s/%s %s%s eps=%g%s%s grad_output=%s", (long long)k->rows, (long long)k->V,
           dtype_name(k->pd), dtype_name(k->td), kl_red_name(k->red), k->log_target ? " log_target" : "", k->eps,
           k->loss_p ? " loss=y_pred" : "", k->pad ? " strided" : "",
           k->grad_mode == 0 ? "random" : k->grad_mode == 1 ? "1" : "NULL");
  bool none = k->red == LIGER_KL_REDUCTION_NONE;
  liger_dtype ld = k->loss_p ? k->pd : LIGER_F32;
  int64_t sh[2] = {k->rows, k->V}, n = k->rows * k->V, stride = k->pad ? k->V + k->pad : 0;
  Ten *p = ten_new(k->pd, 2, sh, stride), *t = ten_new(k->td, 2, sh, stride), *dp = ten_new(k->td, 2, sh, stride);
  Ten *loss = none ? ten_new(ld, 2, sh, stride) : ten0(ld);
  Ten *go = k->grad_mode == 2 ? NULL : none ? ten2(LIGER_F32, k->rows, k->V) : ten0(LIGER_BF16);
  double *ref = calloc((size_t)n + 1, sizeof(double)), *gref = calloc((size_t)n + 1, sizeof(double));
  fill_dist(p, 4, true, 0);
  fill_dist(t, 4, k->log_target, k->log_target ? 0 : 7);
  if (go) {
    if (k->grad_mode == 1) {
      for (int64_t i = 0; i < go->rows * go->cols; i++) go->v[i] = 1.0;
      ten_set(go);
    } else {
      ten_fill(go, -2, 2);
    }
  }
  RUN(what, liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &loss->t, k->red, k->log_target, (float)k->eps));
  RUN(what, liger_kl_div_backward(ctx, NULL, &t->t, go ? &go->t : NULL, &dp->t, k->red, k->log_target));
  {
    double sum = 0, scale = kl_scale(k->red, k->rows, k->V), eps = (double)(float)k->eps;
    for (int64_t i = 0; i < n; i++) {
      double l = kl_elem(p->v[i], t->v[i], k->log_target, eps);
      if (none) ref[i] = round_to(l, ld);
      sum += l;
      double g = k->log_target ? -exp(t->v[i]) : -t->v[i];
      double f = go ? (none ? go->v[i] : go->v[0]) : 1.0;
      gref[i] = round_to(g * f * scale, k->td);
    }
    if (!none) ref[0] = round_to(sum * scale, ld);
    expect(what, "loss", loss, ref, kl_tol(k->pd)); /* the inputs' dtype sets the tolerance */
    expect(what, "grad_pred", dp, gref, kl_tol(k->td));
  }
done:
  ten_free(p), ten_free(t), ten_free(dp), ten_free(loss), ten_free(go);
  free(ref), free(gref);
}

/* Every reduction x log_target x dtype on one shape; `full`: every grad_output form and eps
 * each time, else a rotation through them. */
static void kl_sweep(int64_t rows, int64_t V, int *turn) {
  for (int d = 0; d < 3; d++)
    for (int red = 0; red < 4; red++)
      for (int lt = 0; lt < 2; lt++) {
        int r = (*turn)++;
        KlCase k = {rows, V, dtypes[d], dtypes[d], (liger_kl_reduction)red, lt == 1, r % 3 == 2 ? 1e-3 : 1e-10,
                    r % 2 == 1, 0, r % 3};
        check_kl(&k);
      }
}

static void kl_corners(void) {
  /* strided rows; a bf16 target with fp32 predictions; loss of a 1-row batch */
  KlCase c1 = {5, 300, LIGER_F32, LIGER_BF16, LIGER_KL_REDUCTION_BATCHMEAN, false, 1e-10, false, 20, 0};
  check_kl(&c1);
  KlCase c2 = {5, 300, LIGER_BF16, LIGER_F32, LIGER_KL_REDUCTION_NONE, true, 1e-10, true, 9, 0};
  check_kl(&c2);
  KlCase c3 = {1, 1, LIGER_F32, LIGER_F32, LIGER_KL_REDUCTION_MEAN, false, 1e-10, false, 0, 0};
  check_kl(&c3);
  /* eps = 0: log(0) * 0 is NaN, as torch's and Liger's */
  {
    const char *what = "kl eps=0 with a zero target";
    Ten *p = ten2(LIGER_F32, 1, 4), *t = ten2(LIGER_F32, 1, 4), *l = ten0(LIGER_F32);
    double pv[4] = {-1, -2, -3, -1}, tv[4] = {0.5, 0, 0.25, 0.25};
    ten_set_from(p, pv), ten_set_from(t, tv);
    RUN(what, liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &l->t, LIGER_KL_REDUCTION_SUM, 0, 0.0f));
    ten_read(l);
    CHECK(isnan(l->v[0]), "%s: loss is NaN (%g)", what, l->v[0]);
  done:
    ten_free(p), ten_free(t), ten_free(l);
  }
}

/* ---- JSD (spec/kernels.md §13) ----------------------------------------------------------------------------- */

typedef struct JsdCase {
  int64_t rows, V;
  liger_dtype xd, yd; /* log_q (and grad_q), log_p */
  double beta;
  int labels;          /* 0: none; k > 0: rows r % k == 1 ignored; -1: every row ignored */
  int64_t ignore_index;
  bool i32;            /* int32 labels */
  bool loss_x;         /* loss in log_q's dtype */
  bool no_grad;        /* grad_q NULL */
  int64_t pad;
  double g;            /* the backward's grad_output: 0 none (NULL), else this */
  bool extreme;        /* some log-probs -inf or -120 (both -inf together for beta 0 / 1) */
} JsdCase;

/* Row r's loss sum and gradient row (unscaled) from the spec's formulas. */
static double jsd_row(const double *x, const double *y, int64_t V, double beta, double *d) {
  double sum = 0;
  for (int64_t j = 0; j < V; j++) {
    /* a zero probability adds nothing (0 log 0 = 0, also for log-probs of -inf) */
    double q = exp(x[j]), p = exp(y[j]), l, g;
    if (beta == 0) {
      l = p > 0 ? p * (y[j] - x[j]) : 0;
      g = -p;
    } else if (beta == 1) {
      l = q > 0 ? q * (x[j] - y[j]) : 0;
      g = l + q;
    } else {
      double m = beta * p + (1 - beta) * q, lm = log(m);
      double tq = q > 0 ? (1 - beta) * q * (x[j] - lm) : 0, tp = p > 0 ? beta * p * (y[j] - lm) : 0;
      l = tp + tq; /* = beta p y + (1 - beta) q x - m log m */
      g = tq;
    }
    sum += l;
    d[j] = g;
  }
  return sum;
}

static void check_jsd(const JsdCase *k) {
  char what[256];
  snprintf(what, sizeof what, "jsd %lldx%lld %s/%s beta=%g labels=%d ign=%lld%s%s%s%s%s g=%g", (long long)k->rows,
           (long long)k->V, dtype_name(k->xd), dtype_name(k->yd), k->beta, k->labels, (long long)k->ignore_index,
           k->i32 ? " i32" : "", k->loss_x ? " loss=x" : "", k->no_grad ? " no-grad" : "", k->pad ? " strided" : "",
           k->extreme ? " -inf/-120" : "", k->g);
  liger_dtype ld = k->loss_x ? k->xd : LIGER_F32;
  int64_t sh[2] = {k->rows, k->V}, n = k->rows * k->V, stride = k->pad ? k->V + k->pad : 0;
  Ten *x = ten_new(k->xd, 2, sh, stride), *y = ten_new(k->yd, 2, sh, stride);
  Ten *dx = k->no_grad ? NULL : ten_new(k->xd, 2, sh, stride), *loss = ten0(ld);
  Ten *lab = k->labels ? ten1(k->i32 ? LIGER_I32 : LIGER_I64, k->rows) : NULL;
  Ten *go = k->g ? ten0(LIGER_F32) : NULL;
  double *ref = calloc((size_t)n + 1, sizeof(double)), lref[1];
  fill_dist(x, 4, true, 0);
  fill_dist(y, 4, true, 0);
  if (k->extreme) {
    bool both = k->beta == 0 || k->beta == 1;
    for (int64_t i = 0; i < n; i++) {
      int m = (int)(i % 11);
      if (m == 1 || (m == 2 && both)) x->v[i] = -INFINITY;
      if (m == 2 || (m == 1 && both)) y->v[i] = -INFINITY;
      if (m == 3) x->v[i] = -120;
      if (m == 4) y->v[i] = -120;
      if (m == 5) x->v[i] = y->v[i] = -120;
    }
    ten_set(x), ten_set(y);
  }
  if (lab) {
    for (int64_t r = 0; r < k->rows; r++) {
      bool ign = k->labels < 0 || r % k->labels == 1;
      int64_t v = (int64_t)(rng_next() % (uint64_t)k->V);
      if (v == k->ignore_index) v = (v + 1) % k->V;
      lab->v[r] = (double)(ign ? k->ignore_index : v);
    }
    ten_set(lab);
  }
  if (go) {
    go->v[0] = k->g;
    ten_set(go);
  }
  RUN(what, liger_jsd_forward(ctx, NULL, &x->t, &y->t, lab ? &lab->t : NULL, &loss->t, dx ? &dx->t : NULL,
                              (float)k->beta, k->ignore_index));
  if (dx) RUN(what, liger_jsd_backward(ctx, NULL, &dx->t, go ? &go->t : NULL));
  {
    double beta = (double)(float)k->beta, sum = 0, cnt = 0;
    for (int64_t r = 0; r < k->rows; r++) {
      double *d = ref + r * k->V;
      if (lab && lab->v[r] == (double)k->ignore_index) continue;
      cnt++;
      sum += jsd_row(x->v + r * k->V, y->v + r * k->V, k->V, beta, d);
    }
    double s = cnt > 0 ? 1 / cnt : 0, g = go ? (double)(float)k->g : 1.0;
    for (int64_t i = 0; i < n; i++) {
      ref[i] = round_to(ref[i] * s, k->xd);
      if (g != 1.0) ref[i] = round_to(ref[i] * g, k->xd);
    }
    lref[0] = round_to(sum * s, ld);
    expect(what, "loss", loss, lref, jsd_tol(k->xd));
    if (dx) expect(what, "grad_q", dx, ref, jsd_tol(k->xd));
  }
done:
  ten_free(x), ten_free(y), ten_free(dx), ten_free(loss), ten_free(lab), ten_free(go);
  free(ref);
}

/* Liger's betas {0, 0.1, 0.5, 0.9, 1} x labels (none, ignore_index 2 / 42 on some rows) x
 * dtypes on one shape, the backward factor in rotation. */
static void jsd_sweep(int64_t rows, int64_t V, int *turn) {
  static const double betas[] = {0, 0.1, 0.5, 0.9, 1};
  for (int d = 0; d < 3; d++)
    for (int b = 0; b < 5; b++)
      for (int lb = 0; lb < 2; lb++) {
        int r = (*turn)++;
        int64_t ign = r % 2 ? 42 : 2;
        if (ign >= V) ign = V - 1;
        JsdCase k = {rows, V, dtypes[d], dtypes[d], betas[b], lb ? 3 : 0, ign, r % 4 == 1, r % 3 == 1, false, 0,
                     r % 3 == 0 ? 0 : r % 3 == 1 ? 1.0 : -0.75, false};
        check_jsd(&k);
      }
}

static void jsd_corners(void) {
  /* every row ignored: loss 0 and a zero gradient (no division by zero) */
  JsdCase c1 = {4, 100, LIGER_BF16, LIGER_BF16, 0.5, -1, -100, false, true, false, 0, 0, false};
  check_jsd(&c1);
  /* forward only; strided; an fp32 teacher for a bf16 student; int32 labels */
  JsdCase c2 = {6, 1000, LIGER_BF16, LIGER_F32, 0.3, 2, -100, true, false, true, 0, 0, false};
  check_jsd(&c2);
  JsdCase c3 = {5, 300, LIGER_F16, LIGER_F16, 0.5, 0, -100, false, false, false, 24, 2.5, false};
  check_jsd(&c3);
  JsdCase c4 = {1, 1, LIGER_F32, LIGER_F32, 0.5, 0, -100, false, false, false, 0, 0, false};
  check_jsd(&c4);
  /* log-probs of -inf (masked tokens) and of -120 (exp underflows in fp32): a zero
   * probability adds 0 (Liger and torch give NaN for -inf); beta 0 and 1 with -inf in both */
  static const double betas[] = {0.5, 0.1, 0, 1};
  for (int b = 0; b < 4; b++) {
    JsdCase c5 = {3, 600, LIGER_F32, LIGER_F32, betas[b], 0, -100, false, false, false, 0, 0, false};
    c5.extreme = true;
    check_jsd(&c5);
  }
}

/* Large vocabularies (more than 128256): many chunks a row; V scaled so the CPU run stays short. */
static void large_vocab(void) {
  KlCase k1 = {2, 131075, LIGER_F32, LIGER_F32, LIGER_KL_REDUCTION_BATCHMEAN, false, 1e-10, false, 0, 0};
  check_kl(&k1);
  KlCase k2 = {2, 262144, LIGER_BF16, LIGER_BF16, LIGER_KL_REDUCTION_SUM, true, 1e-10, false, 0, 1};
  check_kl(&k2);
  JsdCase j1 = {3, 131075, LIGER_F32, LIGER_F32, 0.5, 2, -100, false, false, false, 0, 0, false};
  check_jsd(&j1);
  JsdCase j2 = {2, 262144, LIGER_BF16, LIGER_BF16, 0.1, 0, -100, false, false, false, 0, 0.5, false};
  check_jsd(&j2);
}

/* ---- bad arguments and empty inputs ---------------------------------------------------------------------- */

static void errors(void) {
  Ten *p = ten2(LIGER_F32, 4, 64), *t = ten2(LIGER_F32, 4, 64), *l = ten0(LIGER_F32), *d = ten2(LIGER_F32, 4, 64);
  Ten *t5 = ten2(LIGER_F32, 4, 65), *lr = ten1(LIGER_F32, 4), *lab = ten1(LIGER_I64, 4);
  ten_fill(p, -3, -1), ten_fill(t, 0, 0.1);
  DLTensor bad;
  const liger_kl_reduction BM = LIGER_KL_REDUCTION_BATCHMEAN;

  expect_error("kl NULL ctx", liger_kl_div_forward(NULL, NULL, &p->t, &t->t, &l->t, BM, 0, 1e-10f),
               "liger_kl_div_forward: context is NULL");
  expect_error("kl NULL y_true", liger_kl_div_forward(ctx, NULL, &p->t, NULL, &l->t, BM, 0, 1e-10f), "y_true is NULL");
  expect_error("kl shape", liger_kl_div_forward(ctx, NULL, &p->t, &t5->t, &l->t, BM, 0, 1e-10f),
               "liger_kl_div_forward: y_true has 4 x 65 elements (as rows); expected the shape of y_pred (4 x 64)");
  expect_error("kl reduction", liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &l->t, (liger_kl_reduction)7, 0, 1e-10f),
               "reduction 7 is not a liger_kl_reduction (NONE 0, SUM 1, MEAN 2, BATCHMEAN 3)");
  expect_error("kl eps", liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &l->t, BM, 0, -1.0f),
               "eps (-1) must be finite and >= 0");
  expect_error("kl eps nan", liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &l->t, BM, 0, NAN),
               "eps (nan) must be finite and >= 0");
  expect_error("kl scalar loss for none",
               liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &l->t, LIGER_KL_REDUCTION_NONE, 0, 1e-10f),
               "liger_kl_div_forward: loss has 0 dimensions");
  expect_error("kl per-row loss", liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &lr->t, BM, 0, 1e-10f),
               "loss has 4 elements; expected 1");
  bad = l->t;
  bad.dtype = dl_type(LIGER_F16);
  expect_error("kl loss dtype", liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &bad, BM, 0, 1e-10f),
               "loss has dtype float16; expected float32");
  bad = p->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  expect_error("kl int y_pred", liger_kl_div_forward(ctx, NULL, &bad, &t->t, &l->t, BM, 0, 1e-10f),
               "y_pred has dtype int32; expected float32, bfloat16 or float16");
  expect_error("kl loss over y_pred",
               liger_kl_div_forward(ctx, NULL, &p->t, &t->t, &p->t, LIGER_KL_REDUCTION_NONE, 0, 1e-10f),
               "loss overlaps y_pred");
  expect_error("kl grad over y_true", liger_kl_div_backward(ctx, NULL, &t->t, NULL, &t->t, BM, 0),
               "liger_kl_div_backward: grad_pred overlaps y_true");
  expect_error("kl grad shape", liger_kl_div_backward(ctx, NULL, &t->t, NULL, &t5->t, BM, 0),
               "grad_pred has 4 x 65 elements (as rows); expected the shape of y_true (4 x 64)");
  expect_error("kl grad_output count", liger_kl_div_backward(ctx, NULL, &t->t, &lr->t, &d->t, BM, 0),
               "grad_output has 4 elements; expected 1");
  expect_error("kl grad_output none", liger_kl_div_backward(ctx, NULL, &t->t, &l->t, &d->t, LIGER_KL_REDUCTION_NONE, 0),
               "liger_kl_div_backward: grad_output has 0 dimensions");

  expect_error("jsd NULL ctx", liger_jsd_forward(NULL, NULL, &p->t, &t->t, NULL, &l->t, &d->t, 0.5f, -100),
               "liger_jsd_forward: context is NULL");
  expect_error("jsd NULL log_p", liger_jsd_forward(ctx, NULL, &p->t, NULL, NULL, &l->t, &d->t, 0.5f, -100),
               "log_p is NULL");
  expect_error("jsd shape", liger_jsd_forward(ctx, NULL, &p->t, &t5->t, NULL, &l->t, &d->t, 0.5f, -100),
               "log_p has 4 rows of 65; expected 4 rows of 64 like log_q");
  expect_error("jsd beta", liger_jsd_forward(ctx, NULL, &p->t, &t->t, NULL, &l->t, &d->t, 1.5f, -100),
               "beta (1.5) must be in [0, 1]");
  expect_error("jsd beta nan", liger_jsd_forward(ctx, NULL, &p->t, &t->t, NULL, &l->t, &d->t, NAN, -100),
               "beta (nan) must be in [0, 1]");
  bad = lab->t;
  bad.dtype = (DLDataType){kDLFloat, 32, 1};
  expect_error("jsd float labels", liger_jsd_forward(ctx, NULL, &p->t, &t->t, &bad, &l->t, &d->t, 0.5f, -100),
               "labels has dtype code 2 bits 32 lanes 1; expected int64 or int32");
  int64_t three = 3;
  bad = lab->t;
  bad.shape = &three;
  expect_error("jsd labels count", liger_jsd_forward(ctx, NULL, &p->t, &t->t, &bad, &l->t, &d->t, 0.5f, -100),
               "labels has 3 elements; expected 4, one per row");
  expect_error("jsd loss count", liger_jsd_forward(ctx, NULL, &p->t, &t->t, NULL, &lr->t, &d->t, 0.5f, -100),
               "loss has 4 elements; expected 1");
  expect_error("jsd grad shape", liger_jsd_forward(ctx, NULL, &p->t, &t->t, NULL, &l->t, &t5->t, 0.5f, -100),
               "grad_q has shape (4, 65); expected (4, 64) like log_q");
  expect_error("jsd grad over log_p", liger_jsd_forward(ctx, NULL, &p->t, &t->t, NULL, &l->t, &t->t, 0.5f, -100),
               "grad_q overlaps log_p");
  expect_error("jsd bwd grad_output", liger_jsd_backward(ctx, NULL, &d->t, &lr->t),
               "liger_jsd_backward: grad_output has 4 elements; expected 1");
  expect_error("jsd bwd NULL", liger_jsd_backward(ctx, NULL, NULL, &l->t), "grad_q is NULL");

  /* zero rows: the reduced losses are 0 */
  {
    int64_t sh[2] = {0, 10};
    Ten *e1 = ten_new(LIGER_F32, 2, sh, 0), *e2 = ten_new(LIGER_F32, 2, sh, 0), *e3 = ten_new(LIGER_F32, 2, sh, 0);
    Ten *el = ten0(LIGER_F32);
    double zero[1] = {0};
    for (int red = 0; red < 4; red++) {
      ten_fill(el, 5, 6);
      liger_kl_reduction r = (liger_kl_reduction)red;
      liger_status st = liger_kl_div_forward(ctx, NULL, &e1->t, &e2->t, r ? &el->t : &e3->t, r, 0, 1e-10f);
      CHECK(st == LIGER_OK, "kl forward on 0 rows, %s: %s", kl_red_name(r), st ? liger_last_error() : "ok");
      if (r) expect("kl 0 rows", "loss", el, zero, (Tol){0, 0});
      st = liger_kl_div_backward(ctx, NULL, &e2->t, NULL, &e3->t, r, 0);
      CHECK(st == LIGER_OK, "kl backward on 0 rows, %s: %s", kl_red_name(r), st ? liger_last_error() : "ok");
    }
    ten_fill(el, 5, 6);
    liger_status st = liger_jsd_forward(ctx, NULL, &e1->t, &e2->t, NULL, &el->t, &e3->t, 0.5f, -100);
    CHECK(st == LIGER_OK, "jsd forward on 0 rows: %s", st ? liger_last_error() : "ok");
    expect("jsd 0 rows", "loss", el, zero, (Tol){0, 0});
    ten_free(e1), ten_free(e2), ten_free(e3), ten_free(el);
  }
  ten_free(p), ten_free(t), ten_free(l), ten_free(d), ten_free(t5), ten_free(lr), ten_free(lab);
}

int main(int argc, char **argv) {
  bool quick;
  int rc = ops_setup(argc, argv, "test_ops_kl_jsd", &quick);
  if (rc >= 0) return rc;
  int turn = 0;
  /* Liger's functional shapes scaled down: (9,7,41) and (2,2,8); one row; tails */
  kl_sweep(63, 41, &turn);
  kl_sweep(4, 8, &turn);
  kl_sweep(1, 1000, &turn);
  kl_sweep(5, 3001, &turn);
  kl_corners();
  jsd_sweep(63, 41, &turn);
  jsd_sweep(4, 8, &turn);
  jsd_sweep(1, 1000, &turn);
  jsd_sweep(5, 3001, &turn);
  jsd_corners();
  errors();
  if (!quick) {
    /* Liger's test vocabularies (32000, 1271, 3200) with few rows: several chunks a row */
    kl_sweep(3, 32000, &turn);
    jsd_sweep(3, 3200, &turn);
    large_vocab();
  }
  liger_context_destroy(ctx);
  return check_summary();
}
