/*
 * test_ops_ce.c — CrossEntropy (include/liger/ops.h) through the public API, forward (loss,
 * z-loss and the gradient it writes over the logits) and backward, against a C reference in
 * double written from spec/kernels.md §6.
 *
 * The reference rounds where the op stores (the gradient to the logits' dtype, the losses to
 * theirs), so the tolerances below only cover fp32 arithmetic and summation order. Every check
 * also verifies that the padding around strided logits is left untouched, and a forward
 * without the gradient must leave the logits as they were, bit for bit.
 *
 * Usage: test_ops_ce [--device cpu|cuda] [--quick]
 *   --device  the context (default cpu); without that device: "SKIP: ..." and exit 77
 *   --quick   the small shapes only (used with LIGER_OPS_CONFIG=chunk=64, which walks every
 *             row in chunks of 64: many chunks, tails, the reversed second pass)
 * Exit status 0 = pass, 1 = fail, 77 = device absent.
 */
#include "liger/ops.h"
#include "ops_util.h"

/* ---- tolerances per dtype (no looser than spec/kernels.md §6) --------------------------------- */

/* kernels.md §6: fp32 atol 1e-8 rtol 1e-6, bf16 atol 1e-8 rtol 5e-2 (loss and gradient).
 * fp16 is not in Liger's CE tests: rtol 1e-2, and atol 1e-7 because gradients of 1/(V n)
 * are fp16 subnormals, whose step is 6e-8. */
static Tol ce_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-8, 1e-6} : dt == LIGER_BF16 ? (Tol){1e-8, 5e-2} : (Tol){1e-7, 1e-2};
}

/* ---- the reference (spec/kernels.md §6) -------------------------------------------------------------- */

typedef struct Ref {
  double *grad; /* rows x V, rounded to the logits' dtype */
  double *loss; /* one per row (none) or one */
  double *z;
} Ref;

/* raw: rows x V logits (their values in the dtype), t: targets, w: weights or NULL. */
static void reference(const double *raw, const double *t, const double *w, int64_t rows, int64_t V,
                      const liger_ce_options *o, liger_dtype xd, liger_dtype ld, Ref *out) {
  double ls = o->label_smoothing, eps = ls / (double)V, lss = o->lse_square_scale, cap = o->softcap;
  double sw = 0;
  for (int64_t j = 0; j < V; j++) sw += w ? w[j] : 1.0;
  double *x = malloc(sizeof(double) * (size_t)V), *ce = calloc((size_t)rows + 1, sizeof(double));
  double *z = calloc((size_t)rows + 1, sizeof(double)), *lses = calloc((size_t)rows + 1, sizeof(double));
  double n = 0, wn = 0;
  bool reduce = o->reduction != LIGER_CE_REDUCTION_NONE, mean = o->reduction == LIGER_CE_REDUCTION_MEAN;
  for (int64_t r = 0; r < rows; r++) {
    int64_t y = (int64_t)t[r];
    if (y == o->ignore_index) continue;
    if (y < 0 || y >= V) { /* NaN for the row */
      ce[r] = z[r] = NAN;
      n++;
      wn = NAN;
      continue;
    }
    const double *xr = raw + r * V;
    double mx = -INFINITY, d = 0, s = 0;
    for (int64_t j = 0; j < V; j++) {
      x[j] = cap > 0 ? cap * tanh(xr[j] / cap) : xr[j];
      if (x[j] > mx) mx = x[j];
    }
    for (int64_t j = 0; j < V; j++) {
      d += exp(x[j] - mx);
      s += (w ? w[j] : 1.0) * x[j];
    }
    double lse = mx + log(d), wy = w ? w[y] : 1.0;
    ce[r] = (1 - ls) * wy * (lse - x[y]) + eps * (sw * lse - s);
    z[r] = lss * lse * lse;
    lses[r] = lse;
    n++;
    wn += wy;
  }
  double ce_scale = mean ? (n > 0 ? 1 / wn : 0) : 1, z_scale = mean ? (n > 0 ? 1 / n : 0) : 1;
  for (int64_t r = 0; r < rows; r++) {
    int64_t y = (int64_t)t[r];
    double *g = out->grad + r * V;
    if (y == o->ignore_index) {
      for (int64_t j = 0; j < V; j++) g[j] = 0;
      continue;
    }
    if (y < 0 || y >= V) {
      for (int64_t j = 0; j < V; j++) g[j] = NAN;
      continue;
    }
    const double *xr = raw + r * V;
    double lse = lses[r], wy = w ? w[y] : 1.0;
    double a = ((1 - ls) * wy + eps * sw) * ce_scale + 2 * lss * lse * z_scale;
    for (int64_t j = 0; j < V; j++) {
      double th = cap > 0 ? tanh(xr[j] / cap) : 0, xj = cap > 0 ? cap * th : xr[j];
      double v = exp(xj - lse) * a - eps * (w ? w[j] : 1.0) * ce_scale;
      if (j == y) v -= (1 - ls) * wy * ce_scale;
      if (cap > 0) v *= 1 - th * th;
      g[j] = round_to(v, xd);
    }
  }
  if (reduce) {
    double sc = 0, sz = 0;
    for (int64_t r = 0; r < rows; r++) sc += ce[r], sz += z[r];
    out->loss[0] = round_to(sc * ce_scale + sz * z_scale, ld);
    out->z[0] = round_to(sz * z_scale, ld);
  } else {
    for (int64_t r = 0; r < rows; r++) {
      out->loss[r] = round_to(ce[r] + z[r], ld);
      out->z[r] = round_to(z[r], ld);
    }
  }
  free(x), free(ce), free(z), free(lses);
}

/* ---- one case ------------------------------------------------------------------------------------------ */

typedef struct CeCase {
  int64_t rows, V;
  liger_dtype xd;
  liger_ce_options o;
  bool weight;       /* class weights (fp32, in [0.5, 1.5)) */
  bool z_out;        /* ask for z_loss */
  bool loss_x;       /* loss (and z_loss) in the logits' dtype, else fp32 */
  int ignore_every;  /* rows r % k == 1 target ignore_index (0: none, -1: every row) */
  int64_t row_pad;   /* > 0: logits rows wider than V (strided) */
  bool i32;          /* int32 targets */
  double lo, hi;     /* logits range */
  int bad_row;       /* > 0: row bad_row - 1 gets the target V (out of range) */
} CeCase;

static const char *red_name(liger_ce_reduction r) {
  return r == LIGER_CE_REDUCTION_NONE ? "none" : r == LIGER_CE_REDUCTION_SUM ? "sum" : "mean";
}

static void check_ce(const CeCase *k) {
  const liger_ce_options *o = &k->o;
  char what[300];
  snprintf(what, sizeof what, "ce %lldx%lld %s %s ign=%lld%s ls=%g z=%g cap=%g%s%s%s%s%s%s%s", (long long)k->rows,
           (long long)k->V, dtype_name(k->xd), red_name(o->reduction), (long long)o->ignore_index,
           k->ignore_every ? "(some)" : "", o->label_smoothing, o->lse_square_scale, o->softcap,
           k->weight ? " weight" : "", k->z_out ? " z_loss" : "", o->grad ? "" : " no-grad",
           k->loss_x ? " loss=x" : "", k->row_pad ? " strided" : "", k->i32 ? " i32" : "",
           k->bad_row ? " bad-target" : "");
  bool reduce = o->reduction != LIGER_CE_REDUCTION_NONE;
  liger_dtype ld = k->loss_x ? k->xd : LIGER_F32;
  int64_t sh[2] = {k->rows, k->V}, nl = reduce ? 1 : k->rows;
  Ten *x = ten_new(k->xd, 2, sh, k->row_pad ? k->V + k->row_pad : 0);
  Ten *t = ten1(k->i32 ? LIGER_I32 : LIGER_I64, k->rows);
  Ten *w = k->weight ? ten1(LIGER_F32, k->V) : NULL;
  Ten *loss = reduce ? ten0(ld) : ten1(ld, nl), *z = k->z_out ? (reduce ? ten0(ld) : ten1(ld, nl)) : NULL;
  Ref ref = {calloc((size_t)(k->rows * k->V) + 1, sizeof(double)), calloc((size_t)nl + 1, sizeof(double)),
             calloc((size_t)nl + 1, sizeof(double))};
  double *raw = calloc((size_t)(k->rows * k->V) + 1, sizeof(double));
  unsigned char *img0 = NULL;
  ten_fill(x, k->lo, k->hi);
  memcpy(raw, x->v, sizeof(double) * (size_t)(k->rows * k->V));
  img0 = malloc(x->bytes);
  memcpy(img0, x->img, x->bytes);
  for (int64_t r = 0; r < k->rows; r++) {
    int64_t y = (int64_t)(rng_next() % (uint64_t)k->V);
    if (k->ignore_every < 0 || (k->ignore_every && r % k->ignore_every == 1)) y = o->ignore_index;
    if (k->bad_row && r == k->bad_row - 1) y = k->V;
    t->v[r] = (double)y;
  }
  ten_set(t);
  if (w) ten_fill(w, 0.5, 1.5);
  RUN(what, liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, w ? &w->t : NULL, &loss->t, z ? &z->t : NULL, o));
  reference(raw, t->v, w ? w->v : NULL, k->rows, k->V, o, k->xd, ld, &ref);
  {
    Tol tol = ce_tol(k->xd), ltol = ce_tol(ld);
    expect(what, "loss", loss, ref.loss, ltol);
    if (z) expect(what, "z_loss", z, ref.z, ltol);
    if (o->grad) {
      expect(what, "gradient", x, ref.grad, tol);
    } else {
      long pad = ten_read(x);
      CHECK(!memcmp(img0, x->img, x->bytes) && !pad, "%s: logits untouched without grad", what);
    }
  }
done:
  ten_free(x), ten_free(t), ten_free(w), ten_free(loss), ten_free(z);
  free(ref.grad), free(ref.loss), free(ref.z), free(raw), free(img0);
}

/* ---- the sweeps --------------------------------------------------------------------------------------------- */

static liger_ce_options opt(liger_ce_reduction red, int64_t ign, double ls, double lss, double cap) {
  liger_ce_options o = LIGER_CE_OPTIONS_INIT;
  o.reduction = red;
  o.ignore_index = ign;
  o.label_smoothing = (float)ls;
  o.lse_square_scale = (float)lss;
  o.softcap = (float)cap;
  return o;
}

static const liger_dtype dtypes[] = {LIGER_F32, LIGER_BF16, LIGER_F16};

/* Liger's option sets (kernels.md §6 tests) on one shape, in every dtype; `full`: all of
 * them, else a rotation. */
static void sweep(int64_t rows, int64_t V, bool full, int *turn) {
  const liger_ce_reduction N = LIGER_CE_REDUCTION_NONE, S = LIGER_CE_REDUCTION_SUM, M = LIGER_CE_REDUCTION_MEAN;
  struct {
    liger_ce_options o;
    bool weight, z_out;
    int ignore_every;
  } sets[] = {
      {opt(M, -100, 0, 0, 0), false, false, 0},      /* defaults */
      {opt(S, 2, 0, 0, 0), false, false, 3},         /* ignore_index */
      {opt(N, -123, 0, 0, 0), false, true, 4},
      {opt(M, -100, 0.1, 0, 0), false, false, 0},    /* label smoothing */
      {opt(N, 1, 0.2, 0, 0), false, false, 2},
      {opt(M, -100, 0, 0, 30), false, false, 0},     /* softcap */
      {opt(S, -100, 0, 0, 40), false, false, 0},
      {opt(M, -100, 0, 1e-4, 0), false, true, 0},    /* z-loss */
      {opt(N, -100, 0, 1e-5, 0), false, false, 0},
      {opt(M, -100, 0, 0, 0), true, false, 0},       /* class weights */
      {opt(S, -100, 0.1, 0, 0), true, false, 0},
      {opt(M, 42, 0.1, 1e-4, 30), true, true, 3},    /* everything */
      {opt(S, -100, 0.2, 1e-5, 40), true, true, 2},
      {opt(N, 42, 0.1, 1e-4, 30), true, true, 3},
  };
  int nsets = (int)(sizeof sets / sizeof sets[0]);
  for (int d = 0; d < 3; d++)
    for (int s = 0; s < nsets; s++) {
      if (!full && ((*turn)++ % 4)) continue;
      CeCase k = {rows, V, dtypes[d], sets[s].o, sets[s].weight, sets[s].z_out, (s + d) % 2 == 1,
                  sets[s].ignore_every, 0, false, -4, 4, 0};
      if (k.o.ignore_index == 42 && V <= 42) k.o.ignore_index = 1;
      check_ce(&k);
    }
}

/* Layouts, dtypes of the outputs and special rows, one case each. */
static void corners(void) {
  const liger_ce_reduction N = LIGER_CE_REDUCTION_NONE, S = LIGER_CE_REDUCTION_SUM, M = LIGER_CE_REDUCTION_MEAN;
  /* strided logits (a slice of wider rows), int32 targets */
  CeCase c1 = {5, 300, LIGER_BF16, opt(M, -100, 0.1, 1e-4, 0), true, true, false, 2, 20, true, -4, 4, 0};
  check_ce(&c1);
  /* a softcap of 4 on logits up to 40: tanh saturates */
  CeCase c2 = {3, 77, LIGER_F32, opt(N, -100, 0, 0, 4), false, true, true, 0, 13, false, -40, 40, 0};
  check_ce(&c2);
  /* forward only: the logits stay as they are */
  CeCase c3 = {6, 1000, LIGER_BF16, opt(M, 3, 0.1, 1e-4, 30), true, true, false, 2, 0, false, -4, 4, 0};
  c3.o.grad = 0;
  check_ce(&c3);
  CeCase c4 = {4, 100, LIGER_F16, opt(N, -100, 0, 0, 0), false, false, true, 0, 0, false, -4, 4, 0};
  c4.o.grad = 0;
  check_ce(&c4);
  /* every row ignored: the mean of no rows is 0 (Liger), the gradient zero */
  for (int red = 0; red < 3; red++) {
    CeCase c5 = {4, 64, LIGER_F32, opt((liger_ce_reduction)red, -100, 0.1, 1e-4, 0), true, true, false, -1, 0, false,
                 -4, 4, 0};
    check_ce(&c5);
  }
  /* one row, V = 1 (the loss is 0, the gradient 0 apart from smoothing) */
  CeCase c6 = {1, 1, LIGER_F32, opt(S, -100, 0, 1e-4, 0), false, true, false, 0, 0, false, -4, 4, 0};
  check_ce(&c6);
  /* a target out of range without check_targets: NaN for its row */
  CeCase c7 = {4, 50, LIGER_F32, opt(N, -100, 0, 0, 0), false, false, false, 0, 0, false, -4, 4, 3};
  check_ce(&c7);
  CeCase c8 = {4, 50, LIGER_BF16, opt(M, -100, 0, 0, 0), true, false, false, 0, 0, false, -4, 4, 2};
  check_ce(&c8);
  CeCase c9 = {3, 1000, LIGER_F16, opt(S, -100, 0.1, 0, 0), false, true, true, 0, 0, false, -4, 4, 1};
  check_ce(&c9);
}

/* Confident logits (kernels.md §6 "confident-logit test"): the target's logit far above the
 * rest, p_y -> 1. Its gradient p_y - 1 must be as good as one rounding to the dtype allows
 * (Liger asks for 4x torch's own error), and so must the fp32 loss of the row, down to 1e-9:
 * the op keeps sum(exp(x - max)) - 1 apart from the 1 and uses expm1 and log1p. */
static void confident(void) {
  const liger_dtype dts[] = {LIGER_BF16, LIGER_F16};
  for (int d = 0; d < 2; d++)
    for (int s = 0; s < 2; s++) {
      CeCase k = {128, 4096, dts[d], opt(LIGER_CE_REDUCTION_NONE, -100, s ? 0.1 : 0, 0, 0), false, false, false, 0, 0,
                  false, -1, 1, 0};
      char what[128];
      snprintf(what, sizeof what, "confident %s ls=%g", dtype_name(k.xd), k.o.label_smoothing);
      int64_t sh[2] = {k.rows, k.V};
      Ten *x = ten_new(k.xd, 2, sh, 0), *t = ten1(LIGER_I64, k.rows), *loss = ten1(LIGER_F32, k.rows);
      double *raw = calloc((size_t)(k.rows * k.V), sizeof(double)), *g = calloc((size_t)(k.rows * k.V), sizeof(double));
      double lz[128], zz[128];
      Ref ref = {g, lz, zz};
      for (int64_t i = 0; i < k.rows * k.V; i++) x->v[i] = uniform(-1, 1);
      for (int64_t r = 0; r < k.rows; r++) {
        t->v[r] = (double)(rng_next() % (uint64_t)k.V);
        x->v[r * k.V + (int64_t)t->v[r]] = 12 + 4 * (double)(r % 5); /* p_y from 1 - 7e-2 to 1 - 1e-9 */
      }
      ten_set(x), ten_set(t);
      memcpy(raw, x->v, sizeof(double) * (size_t)(k.rows * k.V));
      RUN(what, liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &loss->t, NULL, &k.o));
      reference(raw, t->v, NULL, k.rows, k.V, &k.o, k.xd, LIGER_F32, &ref);
      ten_read(x);
      double worst = 0;
      for (int64_t r = 0; r < k.rows; r++) {
        int64_t i = r * k.V + (int64_t)t->v[r];
        double e = fabs(x->v[i] - g[i]) / fabs(g[i]);
        if (e > worst) worst = e;
      }
      /* the reference is already rounded: equal, or one step apart when fp32 lands on the
       * other side of a rounding boundary (a step is 2^-8 / 2^-11 relative at most) */
      CHECK(worst <= (k.xd == LIGER_BF16 ? 1.0 / 128 : 1.0 / 1024), "%s: target-column gradient within one step (worst %.3g relative)",
            what, worst);
      /* the per-row fp32 loss, down to 1e-9 (lse - x_y without rounding lse first) */
      expect(what, "loss", loss, lz, ce_tol(LIGER_F32));
    done:
      ten_free(x), ten_free(t), ten_free(loss);
      free(raw), free(g);
    }
}

/* The backward: a scalar factor (sum / mean), one per row (none), exactly 1 (left as it is),
 * NULL (nothing to do); in place, rounded once to the dtype. */
static void backward(void) {
  struct {
    int64_t rows, V;
    liger_dtype xd, gd;
    int per_row; /* 0 scalar (shape ()), 1 one per row, 2 scalar of shape (1,) */
    double g;    /* the scalar, or 0: random per row, some of them exactly 1 */
    int64_t row_pad;
  } cases[] = {
      {4, 1000, LIGER_BF16, LIGER_F32, 0, 2.5, 0}, {3, 5000, LIGER_F32, LIGER_BF16, 2, -0.75, 8},
      {7, 333, LIGER_F16, LIGER_F16, 1, 0, 0},     {5, 70000, LIGER_BF16, LIGER_BF16, 1, 0, 0},
      {4, 100, LIGER_F32, LIGER_F32, 0, 1.0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char what[160];
    snprintf(what, sizeof what, "backward %lldx%lld %s, grad_output %s %s", (long long)cases[i].rows,
             (long long)cases[i].V, dtype_name(cases[i].xd), cases[i].per_row == 1 ? "per row" : "scalar",
             dtype_name(cases[i].gd));
    int64_t sh[2] = {cases[i].rows, cases[i].V};
    Ten *x = ten_new(cases[i].xd, 2, sh, cases[i].row_pad ? cases[i].V + cases[i].row_pad : 0);
    Ten *g = cases[i].per_row == 1 ? ten1(cases[i].gd, cases[i].rows) : cases[i].per_row == 2 ? ten1(cases[i].gd, 1) : ten0(cases[i].gd);
    double *ref = calloc((size_t)(cases[i].rows * cases[i].V), sizeof(double));
    ten_fill(x, -1e-3, 1e-3);
    for (int64_t r = 0; r < g->rows * g->cols; r++) g->v[r] = cases[i].g ? cases[i].g : r % 3 == 1 ? 1.0 : uniform(-2, 2);
    ten_set(g);
    for (int64_t r = 0; r < x->rows; r++)
      for (int64_t c = 0; c < x->cols; c++) {
        double f = cases[i].per_row == 1 ? g->v[r] : g->v[0];
        double v = x->v[r * x->cols + c];
        ref[r * x->cols + c] = f == 1.0 ? v : round_to(v * (double)(float)f, cases[i].xd);
      }
    RUN(what, liger_cross_entropy_backward(ctx, NULL, &x->t, &g->t));
    expect(what, "grad_logits", x, ref, (Tol){0, 0}); /* one fp32 product, rounded once: exact */
  done:
    ten_free(x), ten_free(g);
    free(ref);
  }
  /* NULL grad_output: nothing changes */
  Ten *x = ten2(LIGER_BF16, 2, 64);
  ten_fill(x, -1, 1);
  double *ref = malloc(sizeof(double) * 128);
  memcpy(ref, x->v, sizeof(double) * 128);
  liger_status st = liger_cross_entropy_backward(ctx, NULL, &x->t, NULL);
  CHECK(st == LIGER_OK, "backward with grad_output NULL: %s", st ? liger_last_error() : "ok");
  expect("backward NULL grad_output", "grad_logits", x, ref, (Tol){0, 0});
  ten_free(x);
  free(ref);
}

/* Forward then backward, as an autograd system drives them: 'none' with per-row upstream
 * gradients equals the reference gradient times each row's factor. */
static void forward_backward(void) {
  CeCase k = {6, 3000, LIGER_BF16, opt(LIGER_CE_REDUCTION_NONE, -100, 0.1, 1e-4, 0), true, false, false, 3, 0, false,
              -4, 4, 0};
  const char *what = "forward + backward none bf16";
  int64_t sh[2] = {k.rows, k.V};
  Ten *x = ten_new(k.xd, 2, sh, 0), *t = ten1(LIGER_I64, k.rows), *w = ten1(LIGER_F32, k.V);
  Ten *loss = ten1(LIGER_BF16, k.rows), *go = ten1(LIGER_F32, k.rows);
  double *raw = calloc((size_t)(k.rows * k.V), sizeof(double)), *g = calloc((size_t)(k.rows * k.V), sizeof(double));
  double lz[8], zz[8];
  Ref ref = {g, lz, zz};
  ten_fill(x, -4, 4);
  ten_fill(w, 0.5, 1.5);
  ten_fill(go, -1, 1);
  memcpy(raw, x->v, sizeof(double) * (size_t)(k.rows * k.V));
  for (int64_t r = 0; r < k.rows; r++) t->v[r] = r % 3 == 1 ? -100 : (double)(rng_next() % (uint64_t)k.V);
  ten_set(t);
  RUN(what, liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, &w->t, &loss->t, NULL, &k.o));
  RUN(what, liger_cross_entropy_backward(ctx, NULL, &x->t, &go->t));
  reference(raw, t->v, w->v, k.rows, k.V, &k.o, LIGER_F32, LIGER_BF16, &ref);
  for (int64_t r = 0; r < k.rows; r++)
    for (int64_t c = 0; c < k.V; c++) g[r * k.V + c] = round_to(round_to(g[r * k.V + c], k.xd) * go->v[r], k.xd);
  expect(what, "gradient", x, g, ce_tol(k.xd));
done:
  ten_free(x), ten_free(t), ten_free(w), ten_free(loss), ten_free(go);
  free(raw), free(g);
}

/* Large vocabularies (256k and more): many chunks a row. */
static void large_vocab(void) {
  CeCase k1 = {2, 262144, LIGER_BF16, opt(LIGER_CE_REDUCTION_MEAN, -100, 0.1, 1e-4, 30), true, true, false, 0, 0, false,
               -8, 8, 0};
  check_ce(&k1);
  CeCase k2 = {3, 262147, LIGER_F32, opt(LIGER_CE_REDUCTION_SUM, -100, 0, 0, 0), false, false, false, 0, 0, false, -8, 8, 0};
  check_ce(&k2);
}

/* ---- empty inputs and bad arguments ------------------------------------------------------------------------ */

static void errors(void) {
  Ten *x = ten2(LIGER_BF16, 4, 64), *t = ten1(LIGER_I64, 4), *w = ten1(LIGER_F32, 64), *l = ten0(LIGER_F32);
  Ten *lr = ten1(LIGER_F32, 4), *zl = ten0(LIGER_F32);
  ten_fill(x, -1, 1);
  for (int r = 0; r < 4; r++) t->v[r] = r * 10;
  ten_set(t);
  liger_ce_options o = LIGER_CE_OPTIONS_INIT, b;
  DLTensor bad;
  const char *F = "liger_cross_entropy_forward: ";
  char msg[200];

  expect_error("NULL context", liger_cross_entropy_forward(NULL, NULL, &x->t, &t->t, NULL, &l->t, NULL, &o),
               "liger_cross_entropy_forward: context is NULL");
  expect_error("NULL logits", liger_cross_entropy_forward(ctx, NULL, NULL, &t->t, NULL, &l->t, NULL, &o), "logits is NULL");
  expect_error("NULL target", liger_cross_entropy_forward(ctx, NULL, &x->t, NULL, NULL, &l->t, NULL, &o), "target is NULL");
  expect_error("NULL loss", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, NULL, NULL, &o), "loss is NULL");
  bad = x->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  snprintf(msg, sizeof msg, "%slogits has dtype int32; expected float32, bfloat16 or float16", F);
  expect_error("int logits", liger_cross_entropy_forward(ctx, NULL, &bad, &t->t, NULL, &l->t, NULL, &o), msg);
  bad = t->t;
  bad.dtype = (DLDataType){kDLFloat, 32, 1};
  expect_error("float target", liger_cross_entropy_forward(ctx, NULL, &x->t, &bad, NULL, &l->t, NULL, &o),
               "target has dtype float32; expected int64 or int32 class indices");
  bad = t->t;
  bad.dtype = (DLDataType){kDLUInt, 8, 1};
  expect_error("uint8 target", liger_cross_entropy_forward(ctx, NULL, &x->t, &bad, NULL, &l->t, NULL, &o),
               "target has dtype uint8");
  int64_t sh3 = 3;
  bad = t->t;
  bad.shape = &sh3;
  expect_error("target count", liger_cross_entropy_forward(ctx, NULL, &x->t, &bad, NULL, &l->t, NULL, &o),
               "target has 3 elements; expected 4, one per row");
  bad = t->t;
  bad.device = (DLDevice){gpu ? kDLCPU : kDLCUDA, 0};
  expect_error("target device", liger_cross_entropy_forward(ctx, NULL, &x->t, &bad, NULL, &l->t, NULL, &o),
               gpu ? "target is on kDLCPU" : "target is on kDLCUDA");
  bad = t->t;
  bad.byte_offset = 4;
  expect_error("target misaligned", liger_cross_entropy_forward(ctx, NULL, &x->t, &bad, NULL, &l->t, NULL, &o),
               "target's data (+ byte_offset) is not aligned to its 8-byte elements");
  int64_t wsh = 63;
  bad = w->t;
  bad.shape = &wsh;
  expect_error("weight shape", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, &bad, &l->t, NULL, &o),
               "weight has shape (63,); expected (64,)");
  expect_error("loss per row for mean", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &lr->t, NULL, &o),
               "loss has 4 elements; expected 1");
  b = o;
  b.reduction = LIGER_CE_REDUCTION_NONE;
  expect_error("scalar loss for none", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "loss has 1 elements; expected 4, one per row");
  bad = l->t;
  bad.dtype = dl_type(LIGER_F16);
  expect_error("loss dtype", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &bad, NULL, &o),
               "loss has dtype float16; expected float32 or bfloat16 (logits' dtype)");
  expect_error("z_loss shape", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, &lr->t, &o),
               "z_loss has 4 elements; expected 1");
  expect_error("z_loss is loss", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, &l->t, &o),
               "loss overlaps z_loss");
  bad = l->t;
  bad.data = x->dev; /* the loss inside the logits */
  bad.dtype = dl_type(LIGER_BF16);
  expect_error("loss inside logits", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &bad, NULL, &o),
               "logits overlaps loss");
  bad = t->t;
  bad.data = x->dev;
  expect_error("target inside logits", liger_cross_entropy_forward(ctx, NULL, &x->t, &bad, NULL, &l->t, NULL, &o),
               "logits overlaps target");
  b = o;
  b.reduction = (liger_ce_reduction)5;
  expect_error("bad reduction", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "reduction 5 is not a liger_ce_reduction");
  b = o;
  b.label_smoothing = 1.5f;
  expect_error("smoothing > 1", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "label_smoothing (1.5) must be in [0, 1]");
  b = o;
  b.label_smoothing = NAN;
  expect_error("smoothing NaN", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "label_smoothing (nan) must be in [0, 1]");
  b = o;
  b.softcap = -1;
  expect_error("negative softcap", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "softcap (-1) must be 0 (off) or a finite value > 0");
  b = o;
  b.lse_square_scale = INFINITY;
  expect_error("inf z scale", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "lse_square_scale (inf) must be finite");
  /* check_targets: the host reads the targets and names the first bad one */
  b = o;
  b.check_targets = 1;
  t->v[2] = 64;
  ten_set(t);
  expect_error("target out of range", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "target[2] = 64 is out of bounds: expected a class in [0, 64) or ignore_index (-100)");
  t->v[2] = -1;
  ten_set(t);
  expect_error("negative target", liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b),
               "target[2] = -1 is out of bounds");
  t->v[2] = -100;
  ten_set(t);
  liger_status st = liger_cross_entropy_forward(ctx, NULL, &x->t, &t->t, NULL, &l->t, NULL, &b);
  CHECK(st == LIGER_OK, "check_targets accepts ignore_index: %s", st ? liger_last_error() : "ok");

  /* backward */
  const char *B = "liger_cross_entropy_backward: ";
  snprintf(msg, sizeof msg, "%sgrad_output has 3 elements; expected 1 (reduction sum or mean) or 4, one per row", B);
  Ten *g3 = ten1(LIGER_F32, 3);
  expect_error("grad_output count", liger_cross_entropy_backward(ctx, NULL, &x->t, &g3->t), msg);
  bad = l->t;
  bad.dtype = (DLDataType){kDLInt, 64, 1};
  expect_error("int grad_output", liger_cross_entropy_backward(ctx, NULL, &x->t, &bad), "grad_output has dtype int64");
  bad = l->t;
  bad.data = x->dev;
  bad.dtype = dl_type(LIGER_BF16);
  expect_error("grad_output inside", liger_cross_entropy_backward(ctx, NULL, &x->t, &bad),
               "grad_logits overlaps grad_output");
  expect_error("NULL grad_logits", liger_cross_entropy_backward(ctx, NULL, NULL, &l->t), "grad_logits is NULL");

  /* no rows: nothing to do; sum and mean of no rows are 0 */
  {
    int64_t sh[2] = {0, 10};
    Ten *ex = ten_new(LIGER_F32, 2, sh, 0), *et = ten1(LIGER_I64, 0), *el = ten0(LIGER_F32), *ez = ten0(LIGER_F32);
    Ten *en = ten1(LIGER_F32, 0);
    double zero[1] = {0};
    for (int red = 1; red <= 2; red++) {
      b = o;
      b.reduction = (liger_ce_reduction)red;
      ten_fill(el, 5, 6);
      st = liger_cross_entropy_forward(ctx, NULL, &ex->t, &et->t, NULL, &el->t, &ez->t, &b);
      CHECK(st == LIGER_OK, "forward on 0 rows, %s: %s", red_name(b.reduction), st ? liger_last_error() : "ok");
      expect("0 rows", "loss", el, zero, (Tol){0, 0});
      expect("0 rows", "z_loss", ez, zero, (Tol){0, 0});
    }
    b = o;
    b.reduction = LIGER_CE_REDUCTION_NONE;
    st = liger_cross_entropy_forward(ctx, NULL, &ex->t, &et->t, NULL, &en->t, NULL, &b);
    CHECK(st == LIGER_OK, "forward on 0 rows, none: %s", st ? liger_last_error() : "ok");
    st = liger_cross_entropy_backward(ctx, NULL, &ex->t, &el->t);
    CHECK(st == LIGER_OK, "backward on 0 rows: %s", st ? liger_last_error() : "ok");
    ten_free(ex), ten_free(et), ten_free(el), ten_free(ez), ten_free(en);
  }
  ten_free(x), ten_free(t), ten_free(w), ten_free(l), ten_free(lr), ten_free(zl), ten_free(g3);
}

int main(int argc, char **argv) {
  bool quick;
  int status = ops_setup(argc, argv, "test_ops_ce", &quick);
  if (status >= 0) return status;
  int turn = 0;
  /* Liger's functional shapes (2,2,8) and (9,7,41), one row, tails (V not a power of two) */
  sweep(63, 41, true, &turn);
  sweep(4, 8, false, &turn);
  sweep(1, 1000, false, &turn);
  sweep(5, 3001, false, &turn);
  corners();
  errors();
  backward();
  forward_backward();
  if (!quick) {
    /* Liger's vocabulary 50257 (GPT-2) with few rows: several chunks a row */
    sweep(7, 50257, false, &turn);
    confident();
    large_vocab();
  }
  liger_context_destroy(ctx);
  return check_summary();
}
