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
#include "check.h"
#include "liger/ops.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- tolerances, per op and dtype (no looser than spec/kernels.md) ---------------------------- */

typedef struct Tol {
  double atol, rtol;
} Tol;

/* SwiGLU and GeGLU: kernels.md §4 gives fp32 atol 1e-3 rtol 1e-5 (multipliers; 1.0 / 1e-5
 * for the MLP) and bf16 1e-1 / 1e-2 (1e4 / 1e-2 for the MLP); §5 fp32 1e-5 / 1e-5 and bf16
 * 1e-2 / 1e-2. Ours: fp32 1e-5 / 1e-5; bf16 1e-5 / 1e-2 (two bf16 steps are 7.8e-3
 * relative: an intermediate rounded the other way, then the final rounding); fp16 is not in
 * Liger's tests: 1e-5 / 5e-3 (two fp16 steps are 9.8e-4). */
static Tol glu_tol(int dt);
/* Softmax: kernels.md §9 gives fp32 1e-5 / 1e-5 and bf16 5e-2 / 5e-2. y is at most 1 and
 * often near 1/n, so an absolute 5e-2 would accept anything on long rows: ours are relative,
 * fp32 1e-7 / 1e-5, bf16 1e-7 / 1e-2, fp16 1e-7 / 2e-3. The 16-bit backward rounds
 * s = sum(dy * y) to the dtype, where the kernel's fp32 sum and the reference's exact one may
 * round to neighbours: dx may then be off by y * ulp(s) (the slack, per element). */
static Tol softmax_tol(int dt);

/* ---- number formats ------------------------------------------------------------------------------ */

enum { F32 = LIGER_F32, BF16 = LIGER_BF16, F16 = LIGER_F16 };

static Tol glu_tol(int dt) { return dt == F32 ? (Tol){1e-5, 1e-5} : dt == BF16 ? (Tol){1e-5, 1e-2} : (Tol){1e-5, 5e-3}; }
static Tol softmax_tol(int dt) { return dt == F32 ? (Tol){1e-7, 1e-5} : dt == BF16 ? (Tol){1e-7, 1e-2} : (Tol){1e-7, 2e-3}; }

/* v rounded to nearest-even in a binary format with `bits` significant bits, smallest normal
 * exponent emin (subnormals below) and largest finite value vmax. */
static double round_fmt(double v, int bits, int emin, double vmax) {
  if (v == 0 || !isfinite(v)) return v;
  int e;
  frexp(v, &e); /* |v| in [2^(e-1), 2^e) */
  int lead = e - 1 < emin ? emin : e - 1;
  double q = ldexp(1.0, lead - (bits - 1));
  double r = nearbyint(v / q) * q;
  return fabs(r) > vmax ? copysign(INFINITY, v) : r;
}

static double rnd(double v, int dt) {
  switch (dt) {
  case F32: return round_fmt(v, 24, -126, FLT_MAX);
  case BF16: return round_fmt(v, 8, -126, 3.38953138925153547590e38);
  case F16: return round_fmt(v, 11, -14, 65504.0);
  default: return v;
  }
}

/* One step (ulp) of the dtype, relative: 2^-(significant bits - 1). */
static double rel_step(int dt) { return dt == F32 ? 0x1p-23 : dt == BF16 ? 0x1p-7 : 0x1p-10; }

static size_t esize(int dt) { return dt == F32 ? 4 : 2; }

/* Element encodings of values already exact in the format. */
static void put(unsigned char *p, int dt, double v) {
  float f = (float)v;
  uint32_t u;
  memcpy(&u, &f, 4);
  if (dt == F32) {
    memcpy(p, &u, 4);
  } else if (dt == BF16) {
    uint16_t h = (uint16_t)(u >> 16);
    memcpy(p, &h, 2);
  } else {
    uint16_t h = (uint16_t)((u >> 16) & 0x8000);
    double a = fabs(v);
    if (isinf(a)) h |= 0x7c00;
    else if (isnan(a)) h |= 0x7e00;
    else if (a >= ldexp(1, -14)) {
      int e;
      double m = frexp(a, &e); /* a = m 2^e, m in [0.5, 1) */
      h |= (uint16_t)((e - 1 + 15) << 10) | (uint16_t)((m * 2 - 1) * 1024);
    } else {
      h |= (uint16_t)(a / ldexp(1, -24));
    }
    memcpy(p, &h, 2);
  }
}

static double get(const unsigned char *p, int dt) {
  uint32_t u = 0;
  float f;
  if (dt == F32) {
    memcpy(&f, p, 4);
    return f;
  }
  uint16_t h;
  memcpy(&h, p, 2);
  if (dt == BF16) {
    u = (uint32_t)h << 16;
    memcpy(&f, &u, 4);
    return f;
  }
  int e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(1024 + m, e - 25);
  return h & 0x8000 ? -v : v;
}

static const char *dtn(int dt) { return dt == F32 ? "fp32" : dt == BF16 ? "bf16" : "fp16"; }

/* ---- random numbers ------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static double uniform(double lo, double hi) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return lo + (hi - lo) * (double)(z >> 11) / 9007199254740992.0;
}

/* ---- tensors on the device with their host image ------------------------------------------------------ */

static liger_context *ctx;
static const char *device_name = "cpu";
static int gpu;

enum { PAD_BYTE = 0xA5 };

typedef struct Ten {
  DLTensor t;
  int64_t shape[4], strides[4];
  int dt;
  int64_t rows, cols, stride; /* 2-D view */
  size_t bytes;
  void *dev;          /* the allocation; t.data + t.byte_offset is the first element */
  unsigned char *img; /* host image of the allocation */
  double *v;          /* logical values, rows x cols */
  struct Ten *owner;  /* a view into another Ten's allocation (then dev and img are its) */
  size_t offset;      /* the view's byte offset in the owner */
} Ten;

static DLDataType dl_type(int dt) {
  DLDataType d = {dt == BF16 ? (uint8_t)kDLBfloat : (uint8_t)kDLFloat, (uint8_t)(esize(dt) * 8), 1};
  return d;
}

/* A tensor of `ndim` dims (`shape`) whose rows are `stride` elements apart (0: compact,
 * strides NULL). Everything outside the logical elements is PAD_BYTE. */
static Ten *ten_new(int dt, int ndim, const int64_t *shape, int64_t stride) {
  Ten *x = calloc(1, sizeof *x);
  x->dt = dt;
  x->rows = 1;
  for (int i = 0; i < ndim; i++) {
    x->shape[i] = shape[i];
    if (i < ndim - 1) x->rows *= shape[i];
  }
  x->cols = ndim ? shape[ndim - 1] : 1;
  x->stride = stride ? stride : x->cols;
  if (stride) { /* row stride on the last leading dim, compact above it */
    x->strides[ndim - 1] = 1;
    int64_t s = stride;
    for (int i = ndim - 2; i >= 0; i--) {
      x->strides[i] = s;
      s *= shape[i];
    }
  }
  size_t n = x->rows ? (size_t)((x->rows - 1) * x->stride + x->cols) : 0;
  x->bytes = n * esize(dt) + 64;
  x->img = malloc(x->bytes);
  memset(x->img, PAD_BYTE, x->bytes);
  x->v = calloc((size_t)(x->rows * x->cols) + 1, sizeof(double));
  if (liger_malloc(ctx, x->bytes, &x->dev) != LIGER_OK) {
    printf("liger_malloc: %s\n", liger_last_error());
    exit(1);
  }
  liger_memcpy_htod(ctx, x->dev, x->img, x->bytes);
  x->t.data = x->dev;
  x->t.device = (DLDevice){gpu ? kDLCUDA : kDLCPU, 0};
  x->t.ndim = ndim;
  x->t.dtype = dl_type(dt);
  x->t.shape = x->shape;
  x->t.strides = stride ? x->strides : NULL;
  return x;
}

static Ten *ten2(int dt, int64_t rows, int64_t cols) {
  int64_t s[2] = {rows, cols};
  return ten_new(dt, 2, s, 0);
}

/* The columns [c0, c0 + cols) of every row of `o`: a strided view sharing its memory. */
static Ten *ten_view(Ten *o, int64_t c0, int64_t cols) {
  Ten *x = calloc(1, sizeof *x);
  *x = *o;
  x->owner = o;
  x->offset = (size_t)c0 * esize(o->dt);
  x->cols = cols;
  x->shape[o->t.ndim - 1] = cols;
  x->strides[o->t.ndim - 1] = 1;
  int64_t s = o->stride;
  for (int i = o->t.ndim - 2; i >= 0; i--) {
    x->strides[i] = s;
    s *= o->shape[i];
  }
  x->t.shape = x->shape;
  x->t.strides = x->strides;
  x->t.byte_offset = x->offset;
  x->v = calloc((size_t)(x->rows * cols) + 1, sizeof(double));
  return x;
}

static void ten_free(Ten *x) {
  if (!x) return;
  if (!x->owner) {
    liger_free(ctx, x->dev);
    free(x->img);
  }
  free(x->v);
  free(x);
}

static unsigned char *at(Ten *x, int64_t r, int64_t c) {
  return x->img + x->offset + (size_t)(r * x->stride + c) * esize(x->dt);
}

/* Uploads the image of x's allocation (all of it, for a view). */
static void ten_upload(Ten *x) { liger_memcpy_htod(ctx, x->dev, x->img, x->bytes); }

/* Sets x's values (already exact in its dtype), uploads. */
static void ten_set(Ten *x, const double *v) {
  for (int64_t r = 0; r < x->rows; r++)
    for (int64_t c = 0; c < x->cols; c++) {
      x->v[r * x->cols + c] = v[r * x->cols + c];
      put(at(x, r, c), x->dt, v[r * x->cols + c]);
    }
  ten_upload(x);
}

/* Random values in [lo, hi), rounded to the dtype, uploaded. Every 97th value (when
 * `extremes`) is one of +-20, -90, 90 instead: saturated sigmoids and overflowing exps. */
static void ten_fill(Ten *x, double lo, double hi, bool extremes) {
  static const double ext[] = {20, -20, 90, -90};
  double *v = malloc(sizeof(double) * (size_t)(x->rows * x->cols + 1));
  for (int64_t i = 0; i < x->rows * x->cols; i++)
    v[i] = extremes && i % 97 == 50 ? ext[(i / 97) % 4] : rnd(uniform(lo, hi), x->dt);
  ten_set(x, v);
  free(v);
}

/* Reads the allocation back into img and x's values into v; returns the number of bytes
 * outside every view of `views` (x itself when nviews is 0) that changed from PAD_BYTE. */
static long ten_read_views(Ten *x, Ten *const *views, int nviews) {
  Ten *own = x->owner ? x->owner : x;
  liger_synchronize(ctx, NULL);
  liger_memcpy_dtoh(ctx, own->img, own->dev, own->bytes);
  if (!nviews) views = &x, nviews = 1;
  long bad = 0;
  size_t es = esize(x->dt);
  for (size_t i = 0; i < own->bytes; i++) {
    bool logical = false;
    for (int k = 0; k < nviews && !logical; k++) {
      const Ten *w = views[k];
      if (i < w->offset) continue;
      size_t e = (i - w->offset) / es;
      int64_t r = (int64_t)e / w->stride, c = (int64_t)e % w->stride;
      logical = r < w->rows && c < w->cols;
    }
    if (!logical && own->img[i] != PAD_BYTE) bad++;
  }
  for (int64_t r = 0; r < x->rows; r++)
    for (int64_t c = 0; c < x->cols; c++) x->v[r * x->cols + c] = get(at(x, r, c), x->dt);
  return bad;
}

/* Compares x (read back) with ref: |x - ref| <= atol + rtol |ref| (+ slack[i] if given);
 * `views` as ten_read_views. With min_exact > 0, also at least that fraction of the values
 * without slack must equal the reference exactly (both within atol of 0 counts): where the
 * reference rounds at the kernel's rounding points, a 16-bit result differs only when an fp32
 * intermediate sits within a few fp32 steps of a rounding boundary of the dtype, so a kernel
 * that rounds elsewhere (or not at all) shows up here long before the tolerance notices.
 * One CHECK line. */
static void expect_views(const char *what, const char *name, Ten *x, const double *ref, Tol tol, const double *slack,
                         Ten *const *views, int nviews, double min_exact) {
  long pad = ten_read_views(x, views, nviews);
  double worst = 0;
  int64_t wi = -1, n = x->rows * x->cols, exact = 0, counted = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = fabs(x->v[i] - ref[i]), lim = tol.atol + tol.rtol * fabs(ref[i]) + (slack ? slack[i] : 0);
    bool same_inf = isinf(ref[i]) && x->v[i] == ref[i];
    if (!same_inf && !(d <= lim) && (wi < 0 || !(d - lim <= worst))) worst = d - lim, wi = i;
    if (!slack || slack[i] == 0) {
      counted++;
      exact += x->v[i] == ref[i] || (fabs(ref[i]) <= tol.atol && fabs(x->v[i]) <= tol.atol);
    }
  }
  double frac = counted ? (double)exact / (double)counted : 1;
  if (wi >= 0)
    CHECK(false, "%s: %s at [%lld, %lld] = %.7g, expected %.7g (atol %g rtol %g%s)", what, name,
          (long long)(wi / x->cols), (long long)(wi % x->cols), x->v[wi], ref[wi], tol.atol, tol.rtol,
          slack ? " + slack" : "");
  else if (min_exact > 0 && frac < min_exact)
    CHECK(false, "%s: %s: only %lld of %lld values equal the reference exactly (expected %.0f%%): rounded elsewhere?",
          what, name, (long long)exact, (long long)counted, 100 * min_exact);
  else
    CHECK(pad == 0, "%s: %s (%lld values, %.2f%% exact%s)", what, name, (long long)n, 100 * frac,
          pad ? ", but padding bytes were written" : "");
}

/* The exact fraction required of a 16-bit result (see expect_views); fp32 results are
 * computed in fp32 by the kernels and in double by the references: not checked. */
static double exact_min(int dt) { return dt == F32 ? 0 : 0.99; }

/* Runs an op call; on failure prints its message. */
#define RUN(what, call)                                                                              \
  do {                                                                                               \
    liger_status st_ = (call);                                                                       \
    if (st_ != LIGER_OK) {                                                                           \
      CHECK(false, "%s: %s -> %s: %s", what, #call, liger_status_name(st_), liger_last_error());     \
      goto done;                                                                                     \
    }                                                                                                \
  } while (0)

static void shape_str(const int64_t *s, int nd, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = 0;
  for (int i = 0; i < nd; i++) n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "x" : "", (long long)s[i]);
}

static double *vec(int64_t n) { return calloc((size_t)n + 1, sizeof(double)); }

/* ---- SwiGLU and GeGLU references (spec §4, §5) ----------------------------------------------------- */

enum { SWIGLU, GEGLU };

static const double GELU_K0 = 0.79788456080286535588; /* sqrt(2 / pi) */
static const double GELU_K1 = 0.044715;

/* c = round(act(a)) * b, rounded: the product of two values of the dtype rounded once. */
static double glu_fwd_ref(int op, double a, double b, int dt) {
  double act;
  if (op == SWIGLU) {
    act = a / (1 + exp(-a));
  } else {
    double u = GELU_K0 * (a + GELU_K1 * a * a * a);
    act = 0.5 * a * (1 + tanh(u));
  }
  return rnd(rnd(act, dt) * b, dt);
}

static void glu_bwd_ref(int op, double dc, double a, double b, int dt, double *da, double *db) {
  if (op == SWIGLU) { /* fp32 throughout, one rounding at each store */
    double s = 1 / (1 + exp(-a)), silu = a * s;
    *db = rnd(dc * silu, dt);
    *da = rnd(dc * (silu * (1 - s) + s) * b, dt);
  } else { /* gelu rounded to the dtype; dc * b formed in the dtype */
    double u = GELU_K0 * (a + GELU_K1 * a * a * a), t = tanh(u);
    double gelu = rnd(0.5 * a * (1 + t), dt);
    *db = rnd(dc * gelu, dt);
    double dgelu = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * GELU_K0 * (1 + 3 * GELU_K1 * a * a);
    *da = rnd(rnd(dc * b, dt) * dgelu, dt);
  }
}

typedef struct GluCase {
  int op;
  int ndim;
  int64_t shape[4];
  int dt;
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
  snprintf(what, sizeof what, "%s %s %s%s%s%s", glu_name(k->op), sh, dtn(k->dt), k->in_place ? " in_place" : "",
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
  ten_fill(a, -4, 4, true);
  ten_fill(b, -2, 2, false);
  ten_fill(dc, -1, 1, false);
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

static void softmax_fwd_ref(const double *x, int64_t n, int dt, double *y) {
  double m = -INFINITY, d = 0;
  for (int64_t i = 0; i < n; i++) m = fmax(m, x[i]);
  for (int64_t i = 0; i < n; i++) d += exp(x[i] - m);
  for (int64_t i = 0; i < n; i++) y[i] = rnd(exp(x[i] - m) / d, dt);
}

/* In the dtype: p = round(dy * y), s = round(sum p), dx = round(y * round(dy - s)). For
 * 16-bit dtypes the kernel's fp32 sum of p may round to a neighbour of s when the exact sum
 * is within the fp32 error bound (n - 1) 2^-24 sum|p| of a rounding boundary: then dx may be
 * off by y * ulp(s), the slack; rows clear of that get no slack and must match exactly. */
static void softmax_bwd_ref(const double *dy, const double *y, int64_t n, int dt, double *dx, double *slack) {
  double s = 0, abs_sum = 0;
  for (int64_t i = 0; i < n; i++) s += rnd(dy[i] * y[i], dt), abs_sum += fabs(rnd(dy[i] * y[i], dt));
  double err = (double)n * 0x1p-24 * abs_sum;
  bool unsure = dt != F32 && rnd(s - err, dt) != rnd(s + err, dt);
  s = rnd(s, dt);
  for (int64_t i = 0; i < n; i++) {
    dx[i] = rnd(y[i] * rnd(dy[i] - s, dt), dt);
    slack[i] = unsure ? fabs(y[i]) * (fabs(s) + err) * rel_step(dt) : 0;
  }
}

typedef struct SmCase {
  int ndim;
  int64_t shape[4];
  int dt;
  bool in_place; /* y over x, dx over dy */
  int64_t row_pad;
  int special; /* 0 plain; 1 every 7th value -inf (masked logits); 2 values offset by 500 */
} SmCase;

static void check_softmax(const SmCase *k) {
  char sh[64], what[256];
  shape_str(k->shape, k->ndim, sh, sizeof sh);
  static const char *const specials[] = {"", " with_-inf", " offset_500"};
  snprintf(what, sizeof what, "softmax %s %s%s%s%s", sh, dtn(k->dt), k->in_place ? " in_place" : "",
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
    x0[i] = rnd(v, k->dt);
  }
  ten_set(x, x0);
  ten_fill(dy, -1, 1, false);
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

static const int dtypes[] = {F32, BF16, F16};

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

static void expect_error(const char *what, liger_status st, const char *needle) {
  const char *msg = st == LIGER_OK ? "(no error)" : liger_last_error();
  CHECK(st == LIGER_ERR_INVALID_ARG && strstr(msg, needle), "%s -> %s: %s", what, liger_status_name(st), msg);
}

static void errors(void) {
  Ten *a = ten2(BF16, 4, 64), *b = ten2(BF16, 4, 64), *c = ten2(BF16, 4, 64), *dc = ten2(BF16, 4, 64);
  Ten *da = ten2(BF16, 4, 64), *db = ten2(BF16, 4, 64);
  ten_fill(a, -1, 1, false);
  DLTensor bad;

  expect_error("NULL context", liger_swiglu_forward(NULL, NULL, &a->t, &b->t, &c->t),
               "liger_swiglu_forward: context is NULL");
  expect_error("NULL b", liger_geglu_forward(ctx, NULL, &a->t, NULL, &c->t), "liger_geglu_forward: b is NULL");
  bad = a->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  expect_error("int32 a", liger_swiglu_forward(ctx, NULL, &bad, &b->t, &c->t),
               "liger_swiglu_forward: a has dtype int32; expected float32, bfloat16 or float16");
  bad = b->t;
  bad.dtype = dl_type(F32);
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
  bad.dtype = dl_type(F16);
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
    Ten *e1 = ten_new(F32, 3, sh, 0), *e2 = ten_new(F32, 3, sh, 0), *e3 = ten_new(F32, 3, sh, 0);
    Ten *e4 = ten_new(F32, 3, sh, 0), *e5 = ten_new(F32, 3, sh, 0);
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
  bool quick = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--device") && i + 1 < argc) device_name = argv[++i];
    else if (!strcmp(argv[i], "--quick")) quick = true;
    else {
      fprintf(stderr, "usage: test_ops_glu_softmax [--device cpu|cuda] [--quick]\n");
      return 2;
    }
  }
  gpu = strncmp(device_name, "cuda", 4) == 0;
  liger_status st = liger_context_create(device_name, &ctx);
  if (st == LIGER_ERR_NO_DEVICE) {
    printf("SKIP: %s\n", liger_last_error());
    return 77;
  }
  if (st != LIGER_OK) {
    printf("FAIL: liger_context_create(%s): %s\n", device_name, liger_last_error());
    return 1;
  }
  printf("device: %s\n", liger_context_device(ctx));

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
