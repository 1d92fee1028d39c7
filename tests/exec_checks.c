/*
 * exec_checks.c — add and softmax from kernels/examples/, run on one device through the
 * public API only (liger_malloc / liger_memcpy_htod / liger_launch / liger_memcpy_dtoh),
 * each result compared with a C reference written here, llm.c style.
 *
 * Every output buffer is larger than what the kernel may write and pre-filled with a
 * sentinel bit pattern; the slack (the tail past n, the gaps between padded rows) must come
 * back untouched, which catches a missing or wrong mask. Gaps in the inputs hold NaN, so a
 * load that ignores its mask poisons the result.
 */
#include "exec_checks.h"

#include "liger/liger.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "exec_util.h"


const char *exec_source_dir(int argc, char **argv) { return check_source_dir(argc, argv); }

/* ---- helpers --------------------------------------------------------------------------- */

enum { TAIL = 37 };                     /* slack past the end of every output, in elements */
static const uint32_t SENTINEL32 = 0xDEADBEEFu; /* a float bit pattern no kernel here writes */
static const uint16_t SENTINEL16 = 0xBEEFu;

static uint32_t rng_state = 1;
static uint32_t rng(void) { return xorshift32(&rng_state); }
/* Uniform in [lo, hi) with all 24 mantissa bits in play. */
static float rng_float(float lo, float hi) { return lo + (hi - lo) * (float)(rng() >> 8) * (1.0f / 16777216.0f); }




static uint32_t next_pow2(uint32_t x) {
  uint32_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

static liger_status load_kernel(liger_context *ctx, const char *path, const char *name, const char *block,
                                liger_kernel **out) {
  liger_constexpr c = {"BLOCK", block};
  return liger_kernel_load(ctx, path, name, &c, 1, 0, out);
}

/* ---- add ------------------------------------------------------------------------------- */

static void check_add(liger_context *ctx, const char *path, int block) {
  static const int sizes[] = {1, 7, 1023, 1024, 1025, 4097, 100000};
  char block_text[16];
  snprintf(block_text, sizeof block_text, "%d", block);
  liger_kernel *k = NULL;
  if (!api_ok(load_kernel(ctx, path, "add_kernel", block_text, &k), "liger_kernel_load(add_kernel)")) return;
  CHECK(liger_kernel_num_args(k) == 4, "add_kernel BLOCK=%d takes 4 runtime arguments (got %d)", block,
        liger_kernel_num_args(k));

  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s];
    size_t bytes = (size_t)n * sizeof(float), zbytes = (size_t)(n + TAIL) * sizeof(float);
    float *x = malloc(bytes), *y = malloc(bytes);
    uint32_t *z = malloc(zbytes);
    void *dx = NULL, *dy = NULL, *dz = NULL;
    if (!x || !y || !z) {
      CHECK(0, "host allocation for n=%d", n);
      free(x), free(y), free(z);
      continue;
    }
    rng_state = 0x9e3779b9u ^ (uint32_t)n;
    for (int i = 0; i < n; i++) {
      x[i] = rng_float(-1000.0f, 1000.0f);
      y[i] = rng_float(-1.0f, 1.0f) * (i % 3 == 0 ? 1e-3f : 1.0f); /* mixed magnitudes: rounding matters */
    }
    for (int i = 0; i < n + TAIL; i++) z[i] = SENTINEL32;
    int ok = api_ok(liger_malloc(ctx, bytes, &dx), "liger_malloc") && api_ok(liger_malloc(ctx, bytes, &dy), "liger_malloc") &&
             api_ok(liger_malloc(ctx, zbytes, &dz), "liger_malloc") &&
             api_ok(liger_memcpy_htod(ctx, dx, x, bytes), "liger_memcpy_htod") &&
             api_ok(liger_memcpy_htod(ctx, dy, y, bytes), "liger_memcpy_htod") &&
             api_ok(liger_memcpy_htod(ctx, dz, z, zbytes), "liger_memcpy_htod");
    if (ok) {
      liger_arg args[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dz, LIGER_F32),
                           liger_arg_int(n)};
      uint32_t grid[3] = {(uint32_t)((n + block - 1) / block), 1, 1};
      if (s == 0) {
        /* occupancy: 1 on the CPU (a worker runs one program); on a GPU a 4-warp add kernel
         * fits several times on an SM (at least 2, at most 32 resident blocks); errors */
        int occ = -1;
        bool cpu = !strcmp(liger_context_target(ctx), "cpu");
        if (api_ok(liger_kernel_occupancy(k, args, 4, &occ), "liger_kernel_occupancy"))
          CHECK(cpu ? occ == 1 : occ >= 2 && occ <= 32, "add BLOCK=%d: occupancy %d blocks per SM (%s)", block, occ,
                cpu ? "want 1" : "want 2..32");
        CHECK(liger_kernel_occupancy(k, args, 4, NULL) == LIGER_ERR_INVALID_ARG,
              "liger_kernel_occupancy with NULL blocks_per_sm is LIGER_ERR_INVALID_ARG");
        CHECK(liger_kernel_occupancy(k, args, 3, &occ) != LIGER_OK && occ == 0,
              "liger_kernel_occupancy with a missing argument fails and sets 0");
      }
      ok = api_ok(liger_launch(k, grid, NULL, args, 4), "liger_launch(add_kernel)") &&
           api_ok(liger_synchronize(ctx, NULL), "liger_synchronize") &&
           api_ok(liger_memcpy_dtoh(ctx, z, dz, zbytes), "liger_memcpy_dtoh");
    }
    if (ok) {
      /* Exact: an fp32 x + y is one correctly rounded IEEE add on every target, so the
       * kernel's bits must equal C's (tolerance 0). */
      int wrong = 0, first = -1, tail_bad = 0;
      for (int i = 0; i < n; i++)
        if (z[i] != f32_bits(x[i] + y[i]) && wrong++ == 0) first = i;
      for (int i = n; i < n + TAIL; i++) tail_bad += z[i] != SENTINEL32;
      CHECK(wrong == 0, "add BLOCK=%d n=%d grid=%d: z == x + y bit for bit (%d wrong%s)", block, n,
            (n + block - 1) / block, wrong, wrong ? ", first shown below" : "");
      if (wrong)
        printf("      z[%d] = %.9g, want %.9g + %.9g = %.9g\n", first, bits_f32(z[first]), x[first], y[first],
               x[first] + y[first]);
      CHECK(tail_bad == 0, "add BLOCK=%d n=%d: the %d elements past n are untouched (%d changed)", block, n, TAIL,
            tail_bad);
    }
    liger_free(ctx, dx);
    liger_free(ctx, dy);
    liger_free(ctx, dz);
    free(x), free(y), free(z);
  }
  liger_kernel_release(k);
}

/* ---- softmax --------------------------------------------------------------------------- */

typedef struct Shape {
  int rows, cols;
} Shape;

static const Shape softmax_shapes[] = {{1, 1}, {3, 7}, {4, 16}, {2, 1000}, {5, 1024}, {1, 4096}};

/* Inputs in [-4, 4); odd rows, and single-row cases, shifted by +100 so that exp() without
 * the max subtraction would overflow fp32 (e^88.7 is the limit). */
static float softmax_input(int r, int rows) {
  float shift = (r % 2 == 1 || rows == 1) ? 100.0f : 0.0f;
  return shift + rng_float(-4.0f, 4.0f);
}

/* Reference in double: y = exp(x - max) / sum(exp(x - max)). */
static void softmax_ref(const double *x, int cols, double *y) {
  double m = -INFINITY, d = 0;
  for (int c = 0; c < cols; c++) m = x[c] > m ? x[c] : m;
  for (int c = 0; c < cols; c++) d += exp(x[c] - m);
  for (int c = 0; c < cols; c++) y[c] = exp(x[c] - m) / d;
}

/* One shape in one dtype (LIGER_F32 or LIGER_BF16). Rows are padded: x rows are cols + 3
 * apart, y rows cols + 5, so the strides are really used. */
static void check_softmax_shape(liger_context *ctx, liger_kernel *k, Shape sh, liger_dtype dt) {
  const int rows = sh.rows, cols = sh.cols, xs = cols + 3, ys = cols + 5;
  const int bf16 = dt == LIGER_BF16;
  const size_t esz = bf16 ? 2 : 4;
  const size_t xn = (size_t)rows * xs, yn = (size_t)rows * ys + TAIL;
  unsigned char *xh = malloc(xn * esz), *yh = malloc(yn * esz);
  double *xr = malloc(sizeof(double) * (size_t)cols), *yr = malloc(sizeof(double) * (size_t)cols);
  void *dx = NULL, *dy = NULL;
  if (!xh || !yh || !xr || !yr) {
    CHECK(0, "host allocation");
    goto done;
  }
  rng_state = 0x2545f491u ^ (uint32_t)(rows * 7919 + cols);
  for (size_t i = 0; i < xn; i++) {
    int r = (int)(i / (size_t)xs), c = (int)(i % (size_t)xs);
    float v = c < cols ? softmax_input(r, rows) : NAN; /* row gaps: NaN */
    if (bf16) {
      uint16_t h = f32_to_bf16(v);
      memcpy(xh + i * 2, &h, 2);
    } else {
      memcpy(xh + i * 4, &v, 4);
    }
  }
  for (size_t i = 0; i < yn; i++) {
    if (bf16) memcpy(yh + i * 2, &SENTINEL16, 2);
    else memcpy(yh + i * 4, &SENTINEL32, 4);
  }
  int ok = api_ok(liger_malloc(ctx, xn * esz, &dx), "liger_malloc") && api_ok(liger_malloc(ctx, yn * esz, &dy), "liger_malloc") &&
           api_ok(liger_memcpy_htod(ctx, dx, xh, xn * esz), "liger_memcpy_htod") &&
           api_ok(liger_memcpy_htod(ctx, dy, yh, yn * esz), "liger_memcpy_htod");
  if (ok) {
    liger_arg args[5] = {liger_arg_ptr(dy, dt), liger_arg_ptr(dx, dt), liger_arg_int(xs), liger_arg_int(ys),
                         liger_arg_int(cols)};
    uint32_t grid[3] = {(uint32_t)rows, 1, 1};
    ok = api_ok(liger_launch(k, grid, NULL, args, 5), "liger_launch(softmax_kernel)") &&
         api_ok(liger_synchronize(ctx, NULL), "liger_synchronize") &&
         api_ok(liger_memcpy_dtoh(ctx, yh, dy, yn * esz), "liger_memcpy_dtoh");
  }
  if (!ok) goto done;

  double max_err = 0, max_sum_err = 0;
  int nonfinite = 0, slack_bad = 0;
  for (int r = 0; r < rows; r++) {
    for (int c = 0; c < cols; c++) {
      size_t i = (size_t)r * xs + c;
      if (bf16) {
        uint16_t h;
        memcpy(&h, xh + i * 2, 2);
        xr[c] = bf16_to_f32(h); /* the reference starts from the same rounded inputs */
      } else {
        float f;
        memcpy(&f, xh + i * 4, 4);
        xr[c] = f;
      }
    }
    softmax_ref(xr, cols, yr);
    double sum = 0;
    for (int c = 0; c < cols; c++) {
      size_t i = (size_t)r * ys + c;
      double got;
      if (bf16) {
        uint16_t h;
        memcpy(&h, yh + i * 2, 2);
        got = bf16_to_f32(h);
      } else {
        float f;
        memcpy(&f, yh + i * 4, 4);
        got = f;
      }
      if (!isfinite(got)) nonfinite++;
      double err = fabs(got - yr[c]);
      if (!(err <= max_err)) max_err = err; /* NaN wins */
      sum += got;
    }
    double se = fabs(sum - 1.0);
    if (!(se <= max_sum_err)) max_sum_err = se;
    for (int c = cols; c < ys && (size_t)r * ys + c < yn; c++) {
      size_t i = (size_t)r * ys + c;
      slack_bad += bf16 ? memcmp(yh + i * 2, &SENTINEL16, 2) != 0 : memcmp(yh + i * 4, &SENTINEL32, 4) != 0;
    }
  }
  for (size_t i = (size_t)rows * ys; i < yn; i++)
    slack_bad += bf16 ? memcmp(yh + i * 2, &SENTINEL16, 2) != 0 : memcmp(yh + i * 4, &SENTINEL32, 4) != 0;

  const char *tn = bf16 ? "bf16" : "fp32";
  CHECK(nonfinite == 0, "softmax %s %dx%d BLOCK=%u: every output finite (%d are not)", tn, rows, cols,
        next_pow2((uint32_t)cols), nonfinite);
  if (bf16) {
    /* bf16 keeps 8 significant bits (relative step 2^-8 = 0.0039). Inputs, x - max, exp and
     * the quotient are each rounded to it, and the row sum may be accumulated in bf16 too;
     * with outputs in [0, 1] that stays well inside 2e-2 absolute. */
    CHECK(max_err <= 2e-2, "softmax bf16 %dx%d: max |y - ref| = %.3g <= 2e-2", rows, cols, max_err);
  } else {
    /* fp32: outputs lie in [0, 1], where an fp32 ulp is at most 6e-8; exp (a few ulp), the
     * row sum (up to 4096 terms) and the division stay far below 1e-6 absolute. */
    CHECK(max_err <= 1e-6, "softmax fp32 %dx%d: max |y - ref| = %.3g <= 1e-6", rows, cols, max_err);
    /* Row sums, added in double: each output's relative error is a few ulp plus the error of
     * the kernel's fp32 sum (≈ log2(4096) ulp for a tree, ≈ sqrt(4096) ulp typical for a
     * serial loop), about 4e-6 at worst here, so 1e-5. */
    CHECK(max_sum_err <= 1e-5, "softmax fp32 %dx%d: every row sums to 1 within 1e-5 (worst %.3g)", rows, cols,
          max_sum_err);
  }
  CHECK(slack_bad == 0, "softmax %s %dx%d: row gaps and the %d-element tail untouched (%d changed)", tn, rows, cols,
        TAIL, slack_bad);
done:
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  free(xh), free(yh), free(xr), free(yr);
}

static void check_softmax(liger_context *ctx, const char *path) {
  for (size_t s = 0; s < sizeof softmax_shapes / sizeof softmax_shapes[0]; s++) {
    Shape sh = softmax_shapes[s];
    char block[16];
    snprintf(block, sizeof block, "%u", next_pow2((uint32_t)sh.cols));
    liger_kernel *k = NULL;
    if (!api_ok(load_kernel(ctx, path, "softmax_kernel", block, &k), "liger_kernel_load(softmax_kernel)")) continue;
    if (s == 0)
      CHECK(liger_kernel_num_args(k) == 5, "softmax_kernel takes 5 runtime arguments (got %d)", liger_kernel_num_args(k));
    check_softmax_shape(ctx, k, sh, LIGER_F32);
    check_softmax_shape(ctx, k, sh, LIGER_BF16); /* the same kernel, specialised on bf16 pointers */
    liger_kernel_release(k);
  }
}


/* ---- language features (tests/kernels/lang.py) ------------------------------------------- */

/* Device buffers for one check: fill from host, read back, free. */

static bool run_and_read(liger_context *ctx, liger_kernel *k, uint32_t grid0, const liger_arg *args, int n, void *host,
                         const void *dev, size_t bytes) {
  uint32_t grid[3] = {grid0, 1, 1};
  return api_ok(liger_launch(k, grid, NULL, args, n), "liger_launch") && api_ok(liger_synchronize(ctx, NULL), "sync") &&
         api_ok(liger_memcpy_dtoh(ctx, host, dev, bytes), "liger_memcpy_dtoh");
}

static void check_row_sum(liger_context *ctx, const char *path) {
  static const int shapes[][3] = {{1, 1, 64}, {3, 100, 64}, {5, 1000, 256}, {2, 4096, 1024}, {4, 257, 128}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int rows = shapes[s][0], cols = shapes[s][1], stride = cols + 3;
    char block[16];
    snprintf(block, sizeof block, "%d", shapes[s][2]);
    liger_kernel *k;
    if (!api_ok(load_kernel(ctx, path, "row_sum_kernel", block, &k), "load row_sum_kernel")) continue;
    size_t xb = sizeof(float) * (size_t)rows * stride;
    float *x = malloc(xb), *y = malloc(sizeof(float) * rows);
    for (int i = 0; i < rows * stride; i++) x[i] = (float)((int)(rng() % 17) - 8); /* small ints: exact sums */
    void *dx = dev_from(ctx, x, xb), *dy = dev_from(ctx, NULL, sizeof(float) * rows);
    liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(cols), liger_arg_int(stride)};
    if (dx && dy && run_and_read(ctx, k, (uint32_t)rows, a, 4, y, dy, sizeof(float) * rows)) {
      int bad = 0;
      for (int r = 0; r < rows; r++) {
        double ref = 0;
        for (int c = 0; c < cols; c++) ref += x[(size_t)r * stride + c];
        if (r == 0) ref *= 2;
        bad += y[r] != (float)ref; /* sums of small integers are exact in fp32 */
      }
      CHECK(bad == 0, "row_sum %dx%d BLOCK=%s: runtime loop + runtime if give exact sums (%d wrong)", rows, cols, block, bad);
    }
    liger_free(ctx, dx);
    liger_free(ctx, dy);
    free(x);
    free(y);
    liger_kernel_release(k);
  }
}

static void check_early_exit(liger_context *ctx, const char *path) {
  liger_kernel *k;
  if (!api_ok(liger_kernel_load(ctx, path, "early_exit_kernel", NULL, 0, 0, &k), "load early_exit_kernel")) return;
  enum { N = 97 };
  float x[N], y[N];
  for (int i = 0; i < N; i++) x[i] = (i % 3 == 0) ? -(float)i - 1 : (float)(i % 5) * 0.5f;
  void *dx = dev_from(ctx, x, sizeof x), *dy = dev_from(ctx, NULL, sizeof y);
  for (int n = 0; n <= 6; n += 3) {
    liger_arg a[3] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(n)};
    if (!dx || !dy || !run_and_read(ctx, k, N, a, 3, y, dy, sizeof y)) break;
    int bad = 0;
    for (int i = 0; i < N; i++) {
      float ref = 0;
      if (x[i] < 0) ref = -1;
      else
        for (int j = 0; j < n; j++) ref += x[i];
      bad += y[i] != ref;
    }
    CHECK(bad == 0, "early_exit n=%d: early return and while loop (%d wrong)", n, bad);
  }
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_kernel_release(k);
}

static void check_block2d(liger_context *ctx, const char *path) {
  static const int shapes[][4] = {{1, 1, 1, 1}, {3, 5, 4, 8}, {16, 16, 16, 16}, {30, 70, 32, 128}, {64, 33, 64, 64}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int M = shapes[s][0], N = shapes[s][1], stride = N + 1;
    char bm[16], bn[16];
    snprintf(bm, sizeof bm, "%d", shapes[s][2]);
    snprintf(bn, sizeof bn, "%d", shapes[s][3]);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    liger_kernel *k;
    if (!api_ok(liger_kernel_load(ctx, path, "block2d_kernel", c, 2, 0, &k), "load block2d_kernel")) continue;
    size_t xb = sizeof(float) * (size_t)M * stride;
    float *x = malloc(xb), rs[64], cm[128];
    for (int i = 0; i < M * stride; i++) x[i] = (float)((int)(rng() % 33) - 16) * 0.25f;
    void *dx = dev_from(ctx, x, xb), *drs = dev_from(ctx, NULL, sizeof rs), *dcm = dev_from(ctx, NULL, sizeof cm);
    liger_arg a[6] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(drs, LIGER_F32), liger_arg_ptr(dcm, LIGER_F32),
                      liger_arg_int(M), liger_arg_int(N), liger_arg_int(stride)};
    if (dx && drs && dcm && run_and_read(ctx, k, 1, a, 6, rs, drs, sizeof(float) * M) &&
        api_ok(liger_memcpy_dtoh(ctx, cm, dcm, sizeof(float) * N), "dtoh")) {
      int bad = 0;
      for (int i = 0; i < M; i++) {
        float ref = 0; /* quarter-integers: every partial sum is exact in fp32, in any order */
        for (int j = 0; j < N; j++) ref += x[(size_t)i * stride + j];
        bad += rs[i] != ref;
      }
      for (int j = 0; j < N; j++) {
        float ref = -INFINITY;
        for (int i = 0; i < M; i++) ref = fmaxf(ref, x[(size_t)i * stride + j]);
        bad += cm[j] != ref;
      }
      CHECK(bad == 0, "block2d %dx%d in %sx%s tiles: row sums and column maxima exact (%d wrong)", M, N, bm, bn, bad);
    }
    liger_free(ctx, dx);
    liger_free(ctx, drs);
    liger_free(ctx, dcm);
    free(x);
    liger_kernel_release(k);
  }
}

static void check_scalar_loop(liger_context *ctx, const char *path) {
  for (int K = 1; K <= 3; K += 2) {
    char kv[8];
    snprintf(kv, sizeof kv, "%d", K);
    liger_constexpr c = {"K", kv};
    liger_kernel *k;
    if (!api_ok(liger_kernel_load(ctx, path, "scalar_loop_kernel", &c, 1, 0, &k), "load scalar_loop_kernel")) continue;
    int32_t out[4];
    void *d = dev_from(ctx, NULL, sizeof out);
    for (int n = 0; n < 40; n += 13) {
      liger_arg a[2] = {liger_arg_ptr(d, LIGER_I32), liger_arg_int(n)};
      if (!d || !run_and_read(ctx, k, 4, a, 2, out, d, sizeof out)) break;
      int32_t ref = 0;
      for (int i = 0; i < n; i++) ref += i < 10 ? i : 10;
      ref *= K;
      CHECK(out[0] == ref && out[3] == ref, "scalar_loop n=%d K=%d: %d (want %d)", n, K, out[0], ref);
    }
    liger_free(ctx, d);
    liger_kernel_release(k);
  }
}

static void check_atomics(liger_context *ctx, const char *path) {
  /* histogram: atomic_add over masked tensors of pointers */
  liger_kernel *k;
  liger_constexpr c = {"BLOCK", "128"};
  if (api_ok(liger_kernel_load(ctx, path, "histogram_kernel", &c, 1, 0, &k), "load histogram_kernel")) {
    enum { N = 5000, B = 37 };
    static int32_t x[N];
    int32_t bins[B] = {0}, ref[B] = {0};
    for (int i = 0; i < N; i++) ref[x[i] = (int32_t)(rng() % B)]++;
    void *dx = dev_from(ctx, x, sizeof x), *db = dev_from(ctx, bins, sizeof bins);
    liger_arg a[3] = {liger_arg_ptr(dx, LIGER_I32), liger_arg_ptr(db, LIGER_I32), liger_arg_int(N)};
    if (dx && db && run_and_read(ctx, k, (N + 127) / 128, a, 3, bins, db, sizeof bins))
      CHECK(!memcmp(bins, ref, sizeof bins), "histogram of %d values over %d bins with tl.atomic_add", N, B);
    liger_free(ctx, dx);
    liger_free(ctx, db);
    liger_kernel_release(k);
  }
  /* scalar atomics with used results */
  if (!api_ok(liger_kernel_load(ctx, path, "atomic_mix_kernel", NULL, 0, 0, &k), "load atomic_mix_kernel")) return;
  enum { P = 300 };
  int32_t zero = 0, big = 1 << 30, minus1 = -1, order[1000 + P];
  float ninf = -INFINITY, vals[P], fmax = 0;
  for (int i = 0; i < P; i++) vals[i] = (float)((int)(rng() % 2001) - 1000) * 0.01f;
  memset(order, 0xff, sizeof order);
  void *dc = dev_from(ctx, &zero, 4), *dord = dev_from(ctx, order, sizeof order), *dfm = dev_from(ctx, &ninf, 4),
       *dim = dev_from(ctx, &big, 4), *dow = dev_from(ctx, &minus1, 4), *dv = dev_from(ctx, vals, sizeof vals);
  liger_arg a[6] = {liger_arg_ptr(dc, LIGER_I32), liger_arg_ptr(dord, LIGER_I32), liger_arg_ptr(dfm, LIGER_F32),
                    liger_arg_ptr(dim, LIGER_I32), liger_arg_ptr(dow, LIGER_I32), liger_arg_ptr(dv, LIGER_F32)};
  int32_t count = 0, imin = 0, owner = 0;
  if (dc && run_and_read(ctx, k, P, a, 6, order, dord, sizeof order) && api_ok(liger_memcpy_dtoh(ctx, &count, dc, 4), "dtoh") &&
      api_ok(liger_memcpy_dtoh(ctx, &fmax, dfm, 4), "dtoh") && api_ok(liger_memcpy_dtoh(ctx, &imin, dim, 4), "dtoh") &&
      api_ok(liger_memcpy_dtoh(ctx, &owner, dow, 4), "dtoh")) {
    bool seen[P] = {0}, perm = count == P;
    for (int i = 0; i < P && perm; i++) {
      perm = order[i] >= 0 && order[i] < P && !seen[order[i]];
      if (perm) seen[order[i]] = true;
    }
    CHECK(perm, "ticket counter: %d tickets, each program exactly once", count);
    float rmax = -INFINITY;
    int32_t rmin = 1 << 30;
    for (int i = 0; i < P; i++) {
      rmax = fmaxf(rmax, vals[i]);
      int32_t s = (int32_t)(vals[i] * 100.0f);
      rmin = s < rmin ? s : rmin;
    }
    CHECK(fmax == rmax && imin == rmin, "atomic_max fp32 %g (want %g), atomic_min i32 %d (want %d)", fmax, rmax, imin, rmin);
    int winners = 0, consistent = owner >= 0 && owner < P;
    for (int i = 0; i < P; i++) {
      winners += order[1000 + i] == -1;
      consistent &= order[1000 + i] == -1 ? i == owner : order[1000 + i] == owner;
    }
    CHECK(winners == 1 && consistent, "atomic_cas: exactly one program won (%d), the others saw its id", winners);
  }
  liger_free(ctx, dc);
  liger_free(ctx, dord);
  liger_free(ctx, dfm);
  liger_free(ctx, dim);
  liger_free(ctx, dow);
  liger_free(ctx, dv);
  liger_kernel_release(k);
}

static void check_reduce_scan(liger_context *ctx, const char *path) {
  static const int shapes[][4] = {{1, 1, 1, 1}, {3, 5, 4, 8}, {16, 16, 16, 16}, {7, 100, 8, 128}, {32, 9, 32, 16}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int M = shapes[s][0], N = shapes[s][1], BM = shapes[s][2], BN = shapes[s][3];
    char bm[16], bn[16];
    snprintf(bm, sizeof bm, "%d", BM);
    snprintf(bn, sizeof bn, "%d", BN);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    liger_kernel *k;
    if (!api_ok(liger_kernel_load(ctx, path, "reduce_scan_kernel", c, 2, 0, &k), "load reduce_scan_kernel")) continue;
    size_t nout = (size_t)(3 * BM + BN + 4 * BM * BN); /* regions: argmax, argmin, max idx, reduce, 4 scans */
    float *x = malloc(sizeof(float) * (size_t)M * N);
    int32_t *out = malloc(sizeof(int32_t) * nout);
    /* small integers with many ties, so that tie-breaking is exercised */
    for (int i = 0; i < M * N; i++) x[i] = (float)((int)(rng() % 7) - 3);
    void *dx = dev_from(ctx, x, sizeof(float) * (size_t)M * N), *dout = dev_from(ctx, NULL, sizeof(int32_t) * nout);
    liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_I32), liger_arg_int(M), liger_arg_int(N)};
    if (dx && dout && run_and_read(ctx, k, 1, a, 4, out, dout, sizeof(int32_t) * nout)) {
      int bad[8] = {0};
      for (int i = 0; i < M; i++) {
        int am = 0;
        float best = x[(size_t)i * N];
        for (int j = 1; j < N; j++)
          if (x[(size_t)i * N + j] > best) {
            best = x[(size_t)i * N + j];
            am = j;
          }
        bad[0] += out[i] != am;
        bad[2] += out[BM + BN + i] != am;
        bad[3] += out[2 * BM + BN + i] != (int32_t)best;
        int32_t run = 0;
        int32_t prod = 1;
        for (int j = 0; j < N; j++) {
          int32_t v = (int32_t)x[(size_t)i * N + j];
          run += v;
          prod *= v % 3 - 1; /* Triton's % on ints truncates like C's */
          bad[4] += out[3 * BM + BN + i * BN + j] != run;
          bad[6] += out[3 * BM + BN + 2 * BM * BN + i * BN + j] != run;
          bad[7] += out[3 * BM + BN + 3 * BM * BN + i * BN + j] != prod;
        }
      }
      for (int j = 0; j < N; j++) {
        int am = 0;
        for (int i = 1; i < M; i++)
          if (x[(size_t)i * N + j] < x[(size_t)am * N + j]) am = i;
        bad[1] += out[BM + j] != am;
        int32_t run = 0;
        for (int i = M - 1; i >= 0; i--) {
          run += (int32_t)x[(size_t)i * N + j];
          bad[5] += out[3 * BM + BN + BM * BN + i * BN + j] != run;
        }
      }
      CHECK(!bad[0] && !bad[1] && !bad[2], "%dx%d: argmax(axis=1), argmin(axis=0), max(return_indices) pick the first of ties (%d/%d/%d wrong)",
            M, N, bad[0], bad[1], bad[2]);
      CHECK(!bad[3], "%dx%d: tl.reduce with a jit combine function (%d wrong)", M, N, bad[3]);
      CHECK(!bad[4] && !bad[5] && !bad[6] && !bad[7], "%dx%d: cumsum, reverse cumsum(axis=0), associative_scan, cumprod (%d/%d/%d/%d wrong)",
            M, N, bad[4], bad[5], bad[6], bad[7]);
    }
    liger_free(ctx, dx);
    liger_free(ctx, dout);
    free(x);
    free(out);
    liger_kernel_release(k);
  }
}

static void check_cache_hints(liger_context *ctx, const char *root) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/cache_hints.py", root);
  liger_kernel *k;
  if (!api_ok(load_kernel(ctx, path, "cache_hint_kernel", "1024", &k), "load cache_hint_kernel")) return;
  enum { N = 5003 };
  static float x[N], y[N], z[N], x2[N];
  for (int i = 0; i < N; i++) {
    x[i] = (float)(i % 97);
    y[i] = (float)(i % 13) * 0.5f;
  }
  void *dx = dev_from(ctx, x, sizeof x), *dy = dev_from(ctx, y, sizeof y), *dz = dev_from(ctx, NULL, sizeof z);
  liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dz, LIGER_F32), liger_arg_int(N)};
  if (dx && dy && dz && run_and_read(ctx, k, (N + 1023) / 1024, a, 4, z, dz, sizeof z) &&
      api_ok(liger_memcpy_dtoh(ctx, x2, dx, sizeof x2), "dtoh")) {
    int bad = 0;
    for (int i = 0; i < N; i++) bad += z[i] != x[i] + y[i] || x2[i] != x[i];
    CHECK(bad == 0, "loads and stores with cache modifiers and eviction hints compute z = x + y (%d wrong)", bad);
  }
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_free(ctx, dz);
  liger_kernel_release(k);
}

/* C = A @ B for fp32, fp16, bf16 (fp32 accumulation) and int8 (int32), on tiles with tails. */
static void check_matmul(liger_context *ctx, const char *path) {
  static const struct { liger_dtype dt; int M, N, K, BM, BN, BK; } cases[] = {
      {LIGER_F32, 33, 17, 40, 16, 16, 16}, {LIGER_F16, 64, 64, 64, 32, 32, 32},
      {LIGER_BF16, 20, 30, 50, 16, 32, 16}, {LIGER_I8, 40, 24, 72, 32, 16, 32},
  };
  for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
    int M = cases[t].M, N = cases[t].N, K = cases[t].K;
    liger_dtype dt = cases[t].dt;
    char bm[8], bn[8], bk[8];
    snprintf(bm, sizeof bm, "%d", cases[t].BM);
    snprintf(bn, sizeof bn, "%d", cases[t].BN);
    snprintf(bk, sizeof bk, "%d", cases[t].BK);
    liger_constexpr c[3] = {{"BM", bm}, {"BN", bn}, {"BK", bk}};
    liger_kernel *k;
    if (!api_ok(liger_kernel_load(ctx, path, "matmul_kernel", c, 3, 0, &k), "load matmul_kernel")) continue;
    size_t es = liger_dtype_size(dt);
    unsigned char *a = malloc(es * (size_t)M * K), *b = malloc(es * (size_t)K * N);
    float *fa = malloc(sizeof(float) * (size_t)M * K), *fb = malloc(sizeof(float) * (size_t)K * N);
    float *cf = malloc(sizeof(float) * (size_t)M * N);
    for (int i = 0; i < M * K + K * N; i++) {
      bool in_a = i < M * K;
      float v = (float)((int)(rng() % 9) - 4) * (dt == LIGER_I8 ? 1.0f : 0.25f); /* exact in every dtype */
      unsigned char *dst = in_a ? a + es * (size_t)i : b + es * (size_t)(i - M * K);
      if (dt == LIGER_F32) memcpy(dst, &v, 4);
      else if (dt == LIGER_I8) *(int8_t *)dst = (int8_t)v;
      else {
        uint16_t h = dt == LIGER_BF16 ? f32_to_bf16(v) : f32_to_f16_exact(v);
        memcpy(dst, &h, 2);
      }
      (in_a ? fa : fb)[in_a ? i : i - M * K] = v;
    }
    void *da = dev_from(ctx, a, es * (size_t)M * K), *db = dev_from(ctx, b, es * (size_t)K * N), *dc = dev_from(ctx, NULL, 4 * (size_t)M * N);
    liger_dtype out_dt = dt == LIGER_I8 ? LIGER_I32 : LIGER_F32;
    liger_arg args[6] = {liger_arg_ptr(da, dt), liger_arg_ptr(db, dt), liger_arg_ptr(dc, out_dt), liger_arg_int(M), liger_arg_int(N), liger_arg_int(K)};
    uint32_t grid[3] = {(uint32_t)((M + cases[t].BM - 1) / cases[t].BM), (uint32_t)((N + cases[t].BN - 1) / cases[t].BN), 1};
    if (da && db && dc && api_ok(liger_launch(k, grid, NULL, args, 6), "launch matmul") && api_ok(liger_synchronize(ctx, NULL), "sync") &&
        api_ok(liger_memcpy_dtoh(ctx, cf, dc, 4 * (size_t)M * N), "dtoh")) {
      int bad = 0;
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
          double ref = 0;
          for (int q = 0; q < K; q++) ref += (double)fa[i * K + q] * fb[q * N + j];
          float got = cf[i * N + j];
          if (dt == LIGER_I8) got = (float)((int32_t *)cf)[i * N + j];
          bad += got != (float)ref; /* small multiples of 1/4: products and sums are exact */
        }
      CHECK(bad == 0, "tl.dot %s %dx%dx%d in %sx%sx%s tiles: exact (%d wrong)", t == 0 ? "fp32" : t == 1 ? "fp16" : t == 2 ? "bf16" : "int8",
            M, N, K, bm, bn, bk, bad);
    }
    liger_free(ctx, da);
    liger_free(ctx, db);
    liger_free(ctx, dc);
    free(a);
    free(b);
    free(fa);
    free(fb);
    free(cf);
    liger_kernel_release(k);
  }
}

static void check_shape_ops(liger_context *ctx, const char *path) {
  static const int shapes[][2] = {{1, 1}, {4, 8}, {16, 2}, {32, 64}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int M = shapes[s][0], N = shapes[s][1];
    char bm[8], bn[8];
    snprintf(bm, sizeof bm, "%d", M);
    snprintf(bn, sizeof bn, "%d", N);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    liger_kernel *k;
    if (!api_ok(liger_kernel_load(ctx, path, "shape_ops_kernel", c, 2, 0, &k), "load shape_ops_kernel")) continue;
    size_t n = (size_t)M * N;
    float *x = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * 5 * n);
    for (size_t i = 0; i < n; i++) x[i] = (float)i;
    void *dx = dev_from(ctx, x, sizeof(float) * n), *dout = dev_from(ctx, NULL, sizeof(float) * 5 * n);
    liger_arg a[2] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_F32)};
    if (dx && dout && run_and_read(ctx, k, 1, a, 2, out, dout, sizeof(float) * 5 * n)) {
      int bad = 0;
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
          float v = x[i * N + j];
          bad += out[j * M + i] != v;             /* trans */
          bad += out[n + j * M + i] != 2 * v;     /* .T + permute */
          bad += out[2 * n + i * N + j] != 3 * v; /* reshape to 1-D keeps row-major order */
          bad += out[3 * n + i * N + j] != v;     /* reshape [M,N] -> [N,M] keeps the order */
          bad += out[4 * n + j * M + i] != v;     /* ravel of the transpose */
        }
      CHECK(bad == 0, "%dx%d: trans, .T, permute, reshape and ravel (%d wrong)", M, N, bad);
    }
    liger_free(ctx, dx);
    liger_free(ctx, dout);
    free(x);
    free(out);
    liger_kernel_release(k);
  }
}

static void check_decorators(liger_context *ctx, const char *path) {
  liger_kernel *k;
  if (!api_ok(liger_kernel_load(ctx, path, "decorated_kernel", NULL, 0, 0, &k), "load decorated_kernel")) return;
  CHECK(liger_kernel_num_args(k) == 4, "autotune/heuristics constexprs are not runtime arguments (%d)", liger_kernel_num_args(k));
  enum { CAP = 1100 };
  static float x[CAP], y[CAP];
  for (int i = 0; i < CAP; i++) x[i] = (float)i;
  void *dx = dev_from(ctx, x, sizeof x), *dy = dev_from(ctx, NULL, sizeof y), *di = dev_from(ctx, NULL, 16);
  static const int sizes[] = {1024, 1000, 128, 5};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0] && dx && dy && di; s++) {
    int n = sizes[s];
    liger_memset_d8(ctx, dy, 0, sizeof y);
    liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(di, LIGER_I32), liger_arg_int(n)};
    int32_t info[4];
    if (!run_and_read(ctx, k, (uint32_t)((n + 127) / 128), a, 4, y, dy, sizeof y) ||
        !api_ok(liger_memcpy_dtoh(ctx, info, di, 16), "dtoh"))
      break;
    int bad = 0;
    for (int i = 0; i < CAP; i++) bad += y[i] != (i < n ? 2 * x[i] : 0);
    int np2 = 1;
    while (np2 < n) np2 *= 2;
    CHECK(bad == 0 && info[0] == np2 && info[1] == (n % 128 == 0) && info[2] == 128,
          "n=%d: heuristics NP2=%d EVEN=%d per launch, first autotune config BLOCK=%d (%d wrong)", n, info[0], info[1], info[2], bad);
  }
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_free(ctx, di);
  liger_kernel_release(k);
}


/* ---- math: tests/kernels/math.py against double-precision libm ------------------------------ */

/* A math kernel writes F results per input into out[f * N + i]; `ref` gives the exact value
 * of result f for input x (and input index i), `*exact` whether it must match bit for bit.
 * Otherwise the tolerance is 1e-6 relative (floor 1 for the denominator), about 8 fp32 ulps:
 * libdevice, ocml and libm are within 1-2 ulps; the margin covers sigmoid's division and
 * the exp2 + log2 sum. */
typedef double (*MathRef)(int f, int i, float x, bool *exact);

static void check_math_kernel(liger_context *ctx, const char *root, const char *kernel, const char *const *names,
                              int F, MathRef ref) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/math.py", root);
  liger_kernel *k;
  if (!api_ok(load_kernel(ctx, path, kernel, "256", &k), kernel)) return;
  enum { N = 1000 };
  static float x[N], out[16 * N];
  for (int i = 0; i < N; i++) x[i] = -6.0f + 12.0f * (float)i / N;
  void *dx = dev_from(ctx, x, sizeof x), *dout = dev_from(ctx, NULL, sizeof(float) * (size_t)F * N);
  liger_arg a[3] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_F32), liger_arg_int(N)};
  if (dx && dout && run_and_read(ctx, k, (N + 255) / 256, a, 3, out, dout, sizeof(float) * (size_t)F * N)) {
    for (int f = 0; f < F; f++) {
      double worst = 0;
      for (int i = 0; i < N; i++) {
        bool exact = false;
        double r = ref(f, i, x[i], &exact), got = out[f * N + i];
        double e = exact ? (got != (float)r) : fabs(got - r) / fmax(fabs(r), 1.0);
        worst = e > worst ? e : worst;
      }
      CHECK(worst <= 1e-6, "math %s: worst relative error %.2e <= 1e-6", names[f], worst);
    }
  }
  liger_free(ctx, dx);
  liger_free(ctx, dout);
  liger_kernel_release(k);
}

/* math_kernel: tl.* math, libdevice tanh/erf, sigmoid */
static double math_ref(int f, int i, float xf, bool *exact) {
  (void)i, (void)exact;
  double v = xf, ax = fabs(v) + 0.5;
  switch (f) {
  case 0: return exp(v);
  case 1: return log(ax);
  case 2: return sqrt(ax);
  case 3: return 1 / sqrt(ax);
  case 4: return sin(v);
  case 5: return cos(v);
  case 6: return tanh(v);
  case 7: return erf(v);
  case 8: return 1 / (1 + exp(-v));
  default: return exp2(v) + log2(ax);
  }
}

/* extern_math_kernel: libdevice functions with C twins, tl.div_rn (exact: fp32 division is
 * correctly rounded) and tl.umulhi (exact integers) */
static double extern_ref(int f, int i, float v, bool *exact) {
  float ax = fabsf(v) + 0.5f;
  switch (f) {
  case 0: return log1p(ax);
  case 1: return expm1(v);
  case 2: return pow(ax, 1.5);
  case 3: return atan2(v, ax);
  case 4: return cbrt(v);
  case 5: return fmod(v, 0.75);
  case 6: return tan((double)(v * 0.25f));
  case 7: return round((double)(v * 4.0f));
  case 8: *exact = true; return v / ax;
  default: {
    *exact = true;
    uint32_t b = (uint32_t)i * 1000003u + 7u;
    return (float)(uint32_t)(((uint64_t)b * b) >> 32);
  }
  }
}

static void check_math(liger_context *ctx, const char *root) {
  static const char *const names[] = {"exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "erf", "sigmoid", "exp2+log2"};
  static const char *const ext[] = {"log1p", "expm1", "pow", "atan2", "cbrt", "fmod", "tan", "round", "div_rn", "umulhi"};
  check_math_kernel(ctx, root, "math_kernel", names, 10, math_ref);
  check_math_kernel(ctx, root, "extern_math_kernel", ext, 10, extern_ref);
}

/* A kernel whose jit helpers live in other files of its folder (every import form). */
static void check_imports(liger_context *ctx, const char *root) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/imports/use_helpers.py", root);
  liger_kernel *k;
  if (!api_ok(load_kernel(ctx, path, "use_helpers_kernel", "128", &k), "load use_helpers_kernel")) return;
  enum { N = 1000, CAP = N + TAIL };
  static float x[CAP], y[CAP];
  for (int i = 0; i < CAP; i++) x[i] = (float)((int)(rng() % 64) - 32) * 0.25f; /* exact in every step */
  void *dx = dev_from(ctx, x, sizeof x), *dy = dev_from(ctx, NULL, sizeof y);
  if (dx && dy) liger_memset_d8(ctx, dy, 0xEF, sizeof y);
  liger_arg a[3] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(N)};
  if (dx && dy && run_and_read(ctx, k, (N + 127) / 128, a, 3, y, dy, sizeof y)) {
    int bad = 0;
    for (int i = 0; i < CAP; i++) {
      float v = x[i];
      bad += i < N ? y[i] != 3 * v + (v + 4) + v * v + 3 * (v + 4) : f32_bits(y[i]) != 0xEFEFEFEFu;
    }
    CHECK(bad == 0, "helpers imported from helpers.py, pkg/ops.py (from/import as/from . import) (%d wrong)", bad);
  }
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_kernel_release(k);
}

/* tl.where between two pointer tiles (Triton selects pointers as they are). */
static void check_where_ptr(liger_context *ctx, const char *path) {
  liger_kernel *k;
  if (!api_ok(load_kernel(ctx, path, "where_ptr_kernel", "128", &k), "load where_ptr_kernel")) return;
  enum { N = 1000, CAP = N + TAIL };
  static float a[CAP], b[CAP], y[CAP];
  for (int i = 0; i < CAP; i++) a[i] = (float)i, b[i] = -(float)i;
  void *da = dev_from(ctx, a, sizeof a), *db = dev_from(ctx, b, sizeof b), *dy = dev_from(ctx, NULL, sizeof y);
  if (dy) liger_memset_d8(ctx, dy, 0xEF, sizeof y);
  liger_arg args[4] = {liger_arg_ptr(da, LIGER_F32), liger_arg_ptr(db, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(N)};
  if (da && db && dy && run_and_read(ctx, k, (N + 127) / 128, args, 4, y, dy, sizeof y)) {
    int bad = 0;
    for (int i = 0; i < CAP; i++) bad += i < N ? y[i] != (i % 2 ? b[i] : a[i]) : f32_bits(y[i]) != 0xEFEFEFEFu;
    CHECK(bad == 0, "tl.where between pointer tiles loads from the chosen one (%d wrong)", bad);
  }
  liger_free(ctx, da);
  liger_free(ctx, db);
  liger_free(ctx, dy);
  liger_kernel_release(k);
}

/* ---- debugging ops and hints (tests/kernels/debug.py) ------------------------------------ */

/* tl.multiple_of / max_contiguous on a runtime start: the hints change the code (128-bit
 * accesses, test_ptx_features), never the result. */
static void check_hints(liger_context *ctx, const char *path) {
  liger_kernel *k;
  if (!api_ok(load_kernel(ctx, path, "hinted_copy_kernel", "256", &k), "load hinted_copy_kernel")) return;
  enum { N = 1000, CAP = 1100 };
  static float x[CAP], y[CAP];
  for (int i = 0; i < CAP; i++) x[i] = (float)i + 0.5f;
  void *dx = dev_from(ctx, x, sizeof x), *dy = dev_from(ctx, NULL, sizeof y);
  static const int starts[] = {0, 32, 768, 992}; /* multiples of 16; the last runs into the mask */
  for (size_t s = 0; s < sizeof starts / sizeof starts[0] && dx && dy; s++) {
    liger_memset_d8(ctx, dy, 0, sizeof y);
    liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(N), liger_arg_int(starts[s])};
    if (!run_and_read(ctx, k, 1, a, 4, y, dy, sizeof y)) break;
    int bad = 0;
    for (int i = 0; i < CAP; i++) bad += y[i] != (i >= starts[s] && i < starts[s] + 256 && i < N ? x[i] : 0.0f);
    CHECK(bad == 0, "hinted copy from start=%d: the hints keep the result (%d wrong)", starts[s], bad);
  }
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_kernel_release(k);
}

/* Runs `k` with stdout sent to a temporary file; returns what was printed (malloc'd). */
static char *launch_capturing(liger_context *ctx, liger_kernel *k, const liger_arg *a, int n) {
  char tmpl[] = "/tmp/liger-print-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return NULL;
  unlink(tmpl);
  fflush(stdout);
  int saved = dup(1);
  dup2(fd, 1);
  uint32_t grid[3] = {1, 1, 1};
  liger_status st = liger_launch(k, grid, NULL, a, n);
  if (st == LIGER_OK) st = liger_synchronize(ctx, NULL);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  char *text = NULL;
  off_t len = lseek(fd, 0, SEEK_END);
  if (api_ok(st, "launch print_kernel") && len >= 0 && (text = calloc(1, (size_t)len + 1)) != NULL &&
      pread(fd, text, (size_t)len, 0) != len) {
    free(text);
    text = NULL;
  }
  close(fd);
  return text;
}

/* device_print and print(): one line per element, each exactly once. */
static void check_print(liger_context *ctx, const char *path) {
  liger_kernel *k;
  if (!api_ok(load_kernel(ctx, path, "print_kernel", "4", &k), "load print_kernel")) return;
  float x[4] = {1.5f, 2.0f, -3.25f, 99.0f};
  void *dx = dev_from(ctx, x, sizeof x);
  liger_arg a[2] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_int(3)};
  char *out = dx ? launch_capturing(ctx, k, a, 2) : NULL;
  static const char *const want[] = {
      "pid (0, 0, 0) idx (0) x=1.5\n",  "pid (0, 0, 0) idx (1) x=2\n", "pid (0, 0, 0) idx (2) x=-3.25\n",
      "pid (0, 0, 0) idx (3) x=-1\n",   "pid (0, 0, 0) n=3\n",          "pid (0, 0, 0) idx (0) h=0x0\n",
      "pid (0, 0, 0) idx (3) h=0x3\n"};
  int missing = 0;
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) missing += !out || !strstr(out, want[i]);
  int lines = 0;
  for (const char *p = out; p && *p; p++) lines += *p == '\n';
  CHECK(out && missing == 0 && lines == 9, "device_print/print: 9 lines, values and indices right (%d missing):\n%s",
        missing, out ? out : "(nothing captured)");
  free(out);
  liger_free(ctx, dx);
  liger_kernel_release(k);
}

/* device_assert in a debug=True kernel: passes silently, or fails the launch with the
 * message. On GPUs a failed assertion ends the context, so exec_assert_run does it alone. */
static void check_assert(liger_context *ctx, const char *path, bool expect_failure_ok) {
  liger_kernel *k;
  if (!api_ok(load_kernel(ctx, path, "assert_kernel", "64", &k), "load assert_kernel")) return;
  enum { N = 300, CAP = 320 };
  int32_t x[CAP], y[CAP];
  for (int i = 0; i < CAP; i++) x[i] = i < N ? i : 1000000; /* past n: masked, never checked */
  void *dx = dev_from(ctx, x, sizeof x);
  uint32_t grid[3] = {(N + 63) / 64, 1, 1};
  liger_arg a[3] = {liger_arg_ptr(dx, LIGER_I32), liger_arg_int(N), liger_arg_int(N)};
  if (dx && api_ok(liger_launch(k, grid, NULL, a, 3), "launch assert_kernel") && api_ok(liger_synchronize(ctx, NULL), "sync") &&
      api_ok(liger_memcpy_dtoh(ctx, y, dx, sizeof y), "dtoh")) {
    int bad = 0;
    for (int i = 0; i < CAP; i++) bad += y[i] != (i < N ? x[i] + 1 : x[i]);
    CHECK(bad == 0, "device_assert that holds: the kernel runs normally (%d wrong)", bad);
  }
  if (dx && expect_failure_ok) {
    liger_arg b[3] = {liger_arg_ptr(dx, LIGER_I32), liger_arg_int(N), liger_arg_int(200)};
    liger_status st = liger_launch(k, grid, NULL, b, 3);
    if (st == LIGER_OK) st = liger_synchronize(ctx, NULL);
    const char *msg = liger_last_error();
    CHECK(st == LIGER_ERR_ASSERT || (st != LIGER_OK && strstr(liger_context_target(ctx), "sm_")),
          "device_assert that fails: %s: %s", liger_status_name(st), msg);
    if (st == LIGER_ERR_ASSERT)
      CHECK(strstr(msg, "debug.py:22:") && strstr(msg, "x must stay below limit"), "...with file:line and the message");
  }
  liger_free(ctx, dx);
  liger_kernel_release(k);
}


/* ---- entry ------------------------------------------------------------------------------ */

int exec_checks_run(const char *device, const char *source_dir, int skip_if_absent) {
  printf("liger-jit %s, device \"%s\", kernels from %s\n", liger_version(), device, source_dir);
  liger_context *ctx = NULL;
  liger_status st = liger_context_create(device, &ctx);
  if (st == LIGER_ERR_NO_DEVICE && skip_if_absent) {
    printf("SKIP: %s\n", liger_last_error());
    return 77;
  }
  if (!api_ok(st, "liger_context_create")) return 1;
  printf("device: %s, target %s\n", liger_context_device(ctx), liger_context_target(ctx));

  char add_path[4096], softmax_path[4096];
  snprintf(add_path, sizeof add_path, "%s/kernels/examples/add.py", source_dir);
  snprintf(softmax_path, sizeof softmax_path, "%s/kernels/examples/softmax.py", source_dir);
  check_add(ctx, add_path, 1024);
  check_add(ctx, add_path, 256);
  check_softmax(ctx, softmax_path);
  char lang_path[4096];
  snprintf(lang_path, sizeof lang_path, "%s/tests/kernels/lang.py", source_dir);
  check_row_sum(ctx, lang_path);
  check_early_exit(ctx, lang_path);
  check_block2d(ctx, lang_path);
  check_scalar_loop(ctx, lang_path);
  check_atomics(ctx, lang_path);
  check_reduce_scan(ctx, lang_path);
  check_cache_hints(ctx, source_dir);
  check_matmul(ctx, lang_path);
  check_shape_ops(ctx, lang_path);
  failures += exec_checks_big(ctx, source_dir);
  failures += exec_checks_warps(ctx, source_dir);
  check_decorators(ctx, lang_path);
  check_math(ctx, source_dir);
  failures += exec_checks_promo(ctx, source_dir);
  check_imports(ctx, source_dir);
  check_where_ptr(ctx, lang_path);
  char debug_path[4096];
  snprintf(debug_path, sizeof debug_path, "%s/tests/kernels/debug.py", source_dir);
  check_hints(ctx, debug_path);
  check_print(ctx, debug_path);
  /* a failed assertion ends a GPU context: there, exec_assert_run checks it on its own */
  check_assert(ctx, debug_path, !strcmp(device, "cpu"));
  liger_context_destroy(ctx);

  if (failures) {
    printf("%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}

int exec_assert_run(const char *device, const char *source_dir, int skip_if_absent) {
  liger_context *ctx = NULL;
  liger_status st = liger_context_create(device, &ctx);
  if (st == LIGER_ERR_NO_DEVICE && skip_if_absent) {
    printf("SKIP: %s\n", liger_last_error());
    return 77;
  }
  if (!api_ok(st, "liger_context_create")) return 1;
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/debug.py", source_dir);
  check_assert(ctx, path, true);
  liger_context_destroy(ctx); /* may report the dead context; that is the point */
  printf(failures ? "%d check(s) failed\n" : "all checks passed\n", failures);
  return failures ? 1 : 0;
}
