/*
 * ops_util.h — the harness that every op test (test_ops_*.c) shares: the float formats the
 * C references round to, element encodings, a seeded random sequence, device tensors with a
 * host image (padding checked after every op), comparison with a reference under a
 * tolerance, and the `[--device cpu|cuda] [--quick]` command line with the context.
 *
 * Header-only (static inline), like exec_util.h: each test is one file with its own failure
 * counter (check.h), its own context `ctx` and its own random state.
 *
 * A Ten is a tensor of 0 to 4 dims seen as rows x cols (cols the last dim), rows `stride`
 * elements apart, allocated with 64 bytes to spare; every byte outside its elements starts
 * as PAD_BYTE, and each read-back counts the bytes that an op wrote there:
 *
 *   img: [row 0: cols | pad to stride][row 1: cols | pad] ... [row n-1: cols][64 pad bytes]
 */
#ifndef LIGER_TESTS_OPS_UTIL_H
#define LIGER_TESTS_OPS_UTIL_H

#include "liger/liger.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- number formats ------------------------------------------------------------------------------ */

/* A tolerance: |got - ref| <= atol + rtol |ref|. */
typedef struct Tol {
  double atol, rtol;
} Tol;

/* v rounded to nearest-even in a binary format with `bits` significant bits, smallest normal
 * exponent emin (subnormals below) and largest finite value vmax. */
static inline double round_fmt(double v, int bits, int emin, double vmax) {
  if (v == 0 || !isfinite(v)) return v;
  int e;
  frexp(v, &e); /* |v| in [2^(e-1), 2^e) */
  int lead = e - 1 < emin ? emin : e - 1;
  double q = ldexp(1.0, lead - (bits - 1));
  double r = nearbyint(v / q) * q;
  return fabs(r) > vmax ? copysign(INFINITY, v) : r;
}

/* v rounded to the float dtype dt (other dtypes: v as it is). */
static inline double round_to(double v, liger_dtype dt) {
  switch (dt) {
  case LIGER_F32: return round_fmt(v, 24, -126, FLT_MAX);
  case LIGER_BF16: return round_fmt(v, 8, -126, 3.38953138925153547590e38);
  case LIGER_F16: return round_fmt(v, 11, -14, 65504.0);
  default: return v;
  }
}

static inline bool is_int_dtype(liger_dtype dt) { return dt == LIGER_I64 || dt == LIGER_I32; }

/* Bytes per element: fp32, bf16, fp16 and the int32 / int64 of class indices. */
static inline size_t esize(liger_dtype dt) {
  return dt == LIGER_F32 || dt == LIGER_I32 ? 4 : dt == LIGER_I64 ? 8 : 2;
}

/* Writes the encoding of v, a value already exact in the format (NaN as the quiet NaN). */
static inline void elem_put(unsigned char *p, liger_dtype dt, double v) {
  float f = (float)v;
  uint32_t u;
  memcpy(&u, &f, 4);
  if (dt == LIGER_F32) {
    memcpy(p, &u, 4);
  } else if (dt == LIGER_BF16) {
    uint16_t h = (uint16_t)(u >> 16);
    if (isnan(v)) h = 0x7fc0;
    memcpy(p, &h, 2);
  } else if (dt == LIGER_I64) {
    int64_t i = (int64_t)v;
    memcpy(p, &i, 8);
  } else if (dt == LIGER_I32) {
    int32_t i = (int32_t)v;
    memcpy(p, &i, 4);
  } else { /* fp16 */
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

/* The value of the element encoded at p. */
static inline double elem_get(const unsigned char *p, liger_dtype dt) {
  uint32_t u = 0;
  float f;
  if (dt == LIGER_F32) {
    memcpy(&f, p, 4);
    return f;
  }
  if (dt == LIGER_I64) {
    int64_t i;
    memcpy(&i, p, 8);
    return (double)i;
  }
  if (dt == LIGER_I32) {
    int32_t i;
    memcpy(&i, p, 4);
    return i;
  }
  uint16_t h;
  memcpy(&h, p, 2);
  if (dt == LIGER_BF16) {
    u = (uint32_t)h << 16;
    memcpy(&f, &u, 4);
    return f;
  }
  int e = (h >> 10) & 31, m = h & 1023; /* fp16 */
  double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(1024 + m, e - 25);
  return h & 0x8000 ? -v : v;
}

/* The float dtype's name as the output lines write it. */
static inline const char *dtype_name(liger_dtype dt) {
  return dt == LIGER_F32 ? "fp32" : dt == LIGER_BF16 ? "bf16" : "fp16";
}

/* ---- random numbers ------------------------------------------------------------------------------- */

/* splitmix64; a test may set another seed in main, before the first draw. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rng_next(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform in [lo, hi), from the top 53 bits of the next draw. */
static inline double uniform(double lo, double hi) {
  return lo + (hi - lo) * (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* ---- tensors on the device with their host image ------------------------------------------------------ */

static liger_context *ctx; /* made by ops_setup */
static int gpu;            /* ctx is a CUDA device: tensors say kDLCUDA */

enum { PAD_BYTE = 0xA5 };

typedef struct Ten {
  DLTensor t;
  int64_t shape[4], strides[4];
  liger_dtype dt;
  int64_t rows, cols, stride; /* 2-D view */
  size_t bytes;               /* of the allocation */
  void *dev;                  /* the allocation; t.data + t.byte_offset is the first element */
  unsigned char *img;         /* host image of the allocation: what was uploaded, then read back */
  double *v;                  /* logical values, rows x cols */
  struct Ten *owner;          /* a view into another Ten's allocation (then dev and img are its) */
  size_t offset;              /* the view's byte offset in the owner */
} Ten;

static inline DLDataType dl_type(liger_dtype dt) {
  if (is_int_dtype(dt)) return (DLDataType){kDLInt, (uint8_t)(esize(dt) * 8), 1};
  return (DLDataType){dt == LIGER_BF16 ? (uint8_t)kDLBfloat : (uint8_t)kDLFloat, (uint8_t)(esize(dt) * 8), 1};
}

static inline DLDevice dl_dev(void) { return (DLDevice){gpu ? kDLCUDA : kDLCPU, 0}; }

/* A tensor of `ndim` dims (`shape`) whose rows are `stride` elements apart (0: compact,
 * strides NULL). Everything outside the logical elements is PAD_BYTE. */
static inline Ten *ten_new(liger_dtype dt, int ndim, const int64_t *shape, int64_t stride) {
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
  x->t.device = dl_dev();
  x->t.ndim = ndim;
  x->t.dtype = dl_type(dt);
  x->t.shape = x->shape;
  x->t.strides = stride ? x->strides : NULL;
  return x;
}

static inline Ten *ten2(liger_dtype dt, int64_t rows, int64_t cols) {
  int64_t s[2] = {rows, cols};
  return ten_new(dt, 2, s, 0);
}
static inline Ten *ten1(liger_dtype dt, int64_t n) { return ten_new(dt, 1, &n, 0); }
static inline Ten *ten0(liger_dtype dt) { return ten_new(dt, 0, NULL, 0); }

/* The columns [c0, c0 + cols) of every row of `o`: a strided view sharing its memory. */
static inline Ten *ten_view(Ten *o, int64_t c0, int64_t cols) {
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

/* Frees x (NULL: nothing); a view leaves its owner's memory alone. */
static inline void ten_free(Ten *x) {
  if (!x) return;
  if (!x->owner) {
    liger_free(ctx, x->dev);
    free(x->img);
  }
  free(x->v);
  free(x);
}

/* The element (r, c) in the host image. */
static inline unsigned char *at(Ten *x, int64_t r, int64_t c) {
  return x->img + x->offset + (size_t)(r * x->stride + c) * esize(x->dt);
}

/* Rounds x's values v to its dtype (not the int ones), writes them into the image and
 * uploads the allocation (all of it, for a view). */
static inline void ten_set(Ten *x) {
  for (int64_t r = 0; r < x->rows; r++)
    for (int64_t c = 0; c < x->cols; c++) {
      double *v = &x->v[r * x->cols + c];
      if (!is_int_dtype(x->dt)) *v = round_to(*v, x->dt);
      elem_put(at(x, r, c), x->dt, *v);
    }
  liger_memcpy_htod(ctx, x->dev, x->img, x->bytes);
}

/* Sets x's values to v (rows x cols) and uploads them as ten_set. */
static inline void ten_set_from(Ten *x, const double *v) {
  memcpy(x->v, v, sizeof(double) * (size_t)(x->rows * x->cols));
  ten_set(x);
}

/* Random values in [lo, hi), rounded to the dtype, uploaded. */
static inline void ten_fill(Ten *x, double lo, double hi) {
  for (int64_t i = 0; i < x->rows * x->cols; i++) x->v[i] = uniform(lo, hi);
  ten_set(x);
}

/* Reads the allocation back into img and x's values into v; returns the number of bytes
 * outside every view of `views` (x itself when nviews is 0) that changed from PAD_BYTE. */
static inline long ten_read_views(Ten *x, Ten *const *views, int nviews) {
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
    for (int64_t c = 0; c < x->cols; c++) x->v[r * x->cols + c] = elem_get(at(x, r, c), x->dt);
  return bad;
}

/* Reads x back; returns the number of its padding bytes that changed. */
static inline long ten_read(Ten *x) { return ten_read_views(x, NULL, 0); }

/* ---- checks -------------------------------------------------------------------------------------------- */

/* Compares x (read back) with ref: |x - ref| <= atol + rtol |ref| (+ slack[i] if given), a
 * NaN or infinity equal to the reference's passing; `views` as ten_read_views. With
 * min_exact >= 0 the line also says what fraction of the values without slack equals the
 * reference exactly (both within atol of 0 counts), and with min_exact > 0 at least that
 * fraction must: where the reference rounds at the kernel's rounding points, a 16-bit result
 * differs only when an fp32 intermediate sits within a few fp32 steps of a rounding boundary
 * of the dtype, so a kernel that rounds elsewhere (or not at all) shows up here long before
 * the tolerance notices. min_exact < 0: exactness neither counted nor shown. One CHECK line. */
static inline void expect_views(const char *what, const char *name, Ten *x, const double *ref, Tol tol,
                                const double *slack, Ten *const *views, int nviews, double min_exact) {
  long pad = ten_read_views(x, views, nviews);
  double worst = 0;
  int64_t wi = -1, n = x->rows * x->cols, exact = 0, counted = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = fabs(x->v[i] - ref[i]), lim = tol.atol + tol.rtol * fabs(ref[i]) + (slack ? slack[i] : 0);
    bool same = (isnan(ref[i]) && isnan(x->v[i])) || (isinf(ref[i]) && x->v[i] == ref[i]);
    if (!same && !(d <= lim) && (wi < 0 || !(d - lim <= worst))) worst = d - lim, wi = i;
    if (min_exact >= 0 && (!slack || slack[i] == 0)) {
      counted++;
      exact += x->v[i] == ref[i] || (fabs(ref[i]) <= tol.atol && fabs(x->v[i]) <= tol.atol);
    }
  }
  double frac = counted ? (double)exact / (double)counted : 1;
  if (wi >= 0)
    CHECK(false, "%s: %s at [%lld, %lld] = %.9g, expected %.9g (atol %g rtol %g%s)", what, name,
          (long long)(wi / x->cols), (long long)(wi % x->cols), x->v[wi], ref[wi], tol.atol, tol.rtol,
          slack ? " + slack" : "");
  else if (min_exact > 0 && frac < min_exact)
    CHECK(false, "%s: %s: only %lld of %lld values equal the reference exactly (expected %.0f%%): rounded elsewhere?",
          what, name, (long long)exact, (long long)counted, 100 * min_exact);
  else if (min_exact >= 0)
    CHECK(pad == 0, "%s: %s (%lld values, %.2f%% exact%s)", what, name, (long long)n, 100 * frac,
          pad ? ", but padding bytes were written" : "");
  else
    CHECK(pad == 0, "%s: %s (%lld values%s)", what, name, (long long)n, pad ? ", but padding bytes were written" : "");
}

/* Compares x (read back) with ref under tol; one CHECK line. */
static inline void expect(const char *what, const char *name, Ten *x, const double *ref, Tol tol) {
  expect_views(what, name, x, ref, tol, NULL, NULL, 0, -1);
}

/* A call that must fail with LIGER_ERR_INVALID_ARG and a message containing `needle`. */
static inline void expect_error(const char *what, liger_status st, const char *needle) {
  const char *msg = st == LIGER_OK ? "(no error)" : liger_last_error();
  CHECK(st == LIGER_ERR_INVALID_ARG && strstr(msg, needle), "%s -> %s: %s", what, liger_status_name(st), msg);
}

/* Runs an op call; on failure prints its message and jumps to the caller's `done:`. */
#define RUN(what, call)                                                                              \
  do {                                                                                               \
    liger_status st_ = (call);                                                                       \
    if (st_ != LIGER_OK) {                                                                           \
      CHECK(false, "%s: %s -> %s: %s", what, #call, liger_status_name(st_), liger_last_error());     \
      goto done;                                                                                     \
    }                                                                                                \
  } while (0)

/* "2x128x512": a shape for the output lines. */
static inline void shape_str(const int64_t *s, int nd, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = 0;
  for (int i = 0; i < nd; i++) n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "x" : "", (long long)s[i]);
}

/* ---- command line and context ---------------------------------------------------------------------------- */

/* Reads `[--device cpu|cuda] [--quick]` (prog names the program in the usage line), creates
 * ctx on the device (default cpu) and prints "device: ...". Returns -1 to go on, else the
 * exit status: 2 bad usage, 77 ("SKIP: ...") without that device, 1 another failure. */
static inline int ops_setup(int argc, char **argv, const char *prog, bool *quick) {
  const char *device_name = "cpu";
  *quick = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--device") && i + 1 < argc) device_name = argv[++i];
    else if (!strcmp(argv[i], "--quick")) *quick = true;
    else {
      fprintf(stderr, "usage: %s [--device cpu|cuda] [--quick]\n", prog);
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
  return -1;
}

#endif
