/*
 * exec_checks_big.c — execution checks on large tiles (tests/kernels/big.py and softmax at
 * BLOCK=32768), through the public API on one device, each against a C reference here.
 *
 * On the CPU these tiles are above the unroll limit, so they run in the memory form of
 * codegen/lower_cpu_loop.c: one runtime loop per op over tiles in scratch. The checks cover
 * every op in that form: elementwise with masks and tails, gathers, row and 2-D reductions
 * and scans over each axis of 1-, 2- and 3-D tiles (built-in, argmax/argmin, jit combine
 * functions), trans, permute, reshape,
 * broadcasts of small tiles into big ones, loops, while and if carrying big tiles (with a
 * swap), tl.dot in every input type and atomics. Inputs are small integers or multiples of 1/4 wherever the
 * result can be exact, so most comparisons are bit for bit.
 */
#include "exec_checks.h"

#include "liger/liger.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exec_util.h"

enum {
  TAIL = 37,       /* slack past every output, in elements: must stay untouched */
  BIG_WARPS = 16,  /* GPUs: 2^16-element tiles at 128 elements per thread */
};
static const uint32_t SENTINEL = 0xDEADBEEFu;


static uint32_t rng_state = 0x1234567u;
static uint32_t rng(void) { return xorshift32(&rng_state); }
/* k/4 for k uniform in [-4*lim, 4*lim]: exact in fp32 and fp16, products and sums too */
static float quarter(int lim) { return (float)((int)(rng() % (uint32_t)(8 * lim + 1)) - 4 * lim) * 0.25f; }




/* A device buffer of n 32-bit words, all SENTINEL. */
static void *dev_sentinel(liger_context *ctx, size_t n) { return dev_words(ctx, n, SENTINEL); }



static liger_kernel *load(liger_context *ctx, const char *path, const char *name, const liger_constexpr *c, int nc) {
  liger_kernel *k = NULL;
  char what[128];
  snprintf(what, sizeof what, "liger_kernel_load(%s)", name);
  return api_ok(liger_kernel_load(ctx, path, name, c, nc, BIG_WARPS, &k), what) ? k : NULL;
}

/* ---- elementwise ------------------------------------------------------------------------ */

static void check_axpy(liger_context *ctx, const char *path) {
  enum { BLOCK = 65536 };
  static const int sizes[] = {2 * BLOCK + 123, BLOCK, 1000};
  liger_constexpr c = {"BLOCK", "65536"};
  liger_kernel *k = load(ctx, path, "big_axpy_kernel", &c, 1);
  if (!k) return;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s];
    float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
    uint32_t *z = malloc(4 * (size_t)(n + TAIL));
    for (int i = 0; i < n; i++) x[i] = quarter(8), y[i] = quarter(8);
    void *dx = dev_from(ctx, x, sizeof(float) * n), *dy = dev_from(ctx, y, sizeof(float) * n), *dz = dev_sentinel(ctx, (size_t)n + TAIL);
    const float alpha = 0.5f;
    liger_arg a[5] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dz, LIGER_F32), liger_arg_int(n),
                      liger_arg_float(alpha)};
    if (dx && dy && dz && launch_sync(ctx, k, (uint32_t)((n + BLOCK - 1) / BLOCK), 1, a, 5) && read_back(ctx, z, dz, 4 * (size_t)(n + TAIL))) {
      int bad = 0, tail = 0;
      for (int i = 0; i < n; i++) {
        float r = alpha * x[i] + y[n - 1 - i]; /* exact: multiples of 1/8 */
        r = x[i] > 0 ? r : -r;
        bad += z[i] != f32_bits(r);
      }
      for (int i = n; i < n + TAIL; i++) tail += z[i] != SENTINEL;
      CHECK(bad == 0 && tail == 0, "big axpy BLOCK=65536 n=%d: masked loads (one reversed), where, tail untouched (%d wrong, %d tail)",
            n, bad, tail);
    }
    liger_free(ctx, dx);
    liger_free(ctx, dy);
    liger_free(ctx, dz);
    free(x), free(y), free(z);
  }
  liger_kernel_release(k);
}

/* ---- rows: layer norm and softmax at BLOCK=32768 ---------------------------------------- */

static void check_layer_norm(liger_context *ctx, const char *path) {
  enum { ROWS = 3, COLS = 30001, STRIDE = COLS + 5 };
  liger_constexpr c = {"BLOCK", "32768"};
  liger_kernel *k = load(ctx, path, "big_layer_norm_kernel", &c, 1);
  if (!k) return;
  size_t nx = (size_t)ROWS * STRIDE;
  float *x = malloc(4 * nx), *w = malloc(4 * COLS), *b = malloc(4 * COLS), *y = malloc(4 * (nx + TAIL)), mean[ROWS], rstd[ROWS];
  for (size_t i = 0; i < nx; i++) x[i] = (i % STRIDE) < COLS ? 3.0f + 2.0f * (float)(rng() >> 8) / 16777216.0f : NAN;
  for (int i = 0; i < COLS; i++) w[i] = 0.5f + (float)(rng() >> 8) / 16777216.0f, b[i] = quarter(4);
  void *dx = dev_from(ctx, x, 4 * nx), *dw = dev_from(ctx, w, 4 * COLS), *db = dev_from(ctx, b, 4 * COLS);
  void *dy = dev_sentinel(ctx, nx + TAIL), *dm = dev_from(ctx, NULL, sizeof mean), *dr = dev_from(ctx, NULL, sizeof rstd);
  liger_arg a[9] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dw, LIGER_F32), liger_arg_ptr(db, LIGER_F32),
                    liger_arg_ptr(dm, LIGER_F32), liger_arg_ptr(dr, LIGER_F32), liger_arg_int(STRIDE), liger_arg_int(COLS),
                    liger_arg_float(1e-5f)};
  if (dx && dw && db && dy && dm && dr && launch_sync(ctx, k, ROWS, 1, a, 9) && read_back(ctx, y, dy, 4 * (nx + TAIL)) &&
      read_back(ctx, mean, dm, sizeof mean) && read_back(ctx, rstd, dr, sizeof rstd)) {
    double err_y = 0, err_m = 0, err_r = 0;
    int slack = 0;
    for (int r = 0; r < ROWS; r++) {
      const float *xr = x + (size_t)r * STRIDE;
      double m = 0, v = 0;
      for (int i = 0; i < COLS; i++) m += xr[i];
      m /= COLS;
      for (int i = 0; i < COLS; i++) v += (xr[i] - m) * (xr[i] - m);
      v /= COLS;
      double rs = 1 / sqrt(v + 1e-5);
      err_m = fmax(err_m, fabs(mean[r] - m));
      err_r = fmax(err_r, fabs(rstd[r] - rs) / rs);
      for (int i = 0; i < COLS; i++) {
        double e = fabs(y[(size_t)r * STRIDE + i] - ((xr[i] - m) * rs * w[i] + b[i]));
        if (!(e <= err_y)) err_y = e; /* NaN wins */
      }
      for (int i = COLS; i < STRIDE; i++) slack += f32_bits(y[(size_t)r * STRIDE + i]) != SENTINEL;
    }
    for (size_t i = nx; i < nx + TAIL; i++) slack += f32_bits(y[i]) != SENTINEL;
    /* fp32 sums of 30001 values near 4 (a tree or lane-wise order): relative error ~1e-6;
     * the outputs are O(3), so 1e-4 absolute leaves a wide margin and catches any garbage */
    CHECK(err_m <= 1e-5 && err_r <= 1e-4 && err_y <= 1e-4 && slack == 0,
          "big layer norm %dx%d BLOCK=32768: |mean| err %.2g, rstd rel err %.2g, |y| err %.2g, gaps untouched (%d changed)", ROWS,
          COLS, err_m, err_r, err_y, slack);
  }
  liger_free(ctx, dx), liger_free(ctx, dw), liger_free(ctx, db), liger_free(ctx, dy), liger_free(ctx, dm), liger_free(ctx, dr);
  free(x), free(w), free(b), free(y);
  liger_kernel_release(k);
}

static void check_softmax(liger_context *ctx, const char *path) {
  enum { ROWS = 2, COLS = 20000, XS = COLS + 3, YS = COLS + 5 };
  liger_constexpr c = {"BLOCK", "32768"};
  liger_kernel *k = load(ctx, path, "softmax_kernel", &c, 1);
  if (!k) return;
  size_t nx = (size_t)ROWS * XS, ny = (size_t)ROWS * YS + TAIL;
  float *x = malloc(4 * nx), *y = malloc(4 * ny);
  double *ref = malloc(sizeof(double) * COLS);
  for (size_t i = 0; i < nx; i++) x[i] = (i % XS) < COLS ? 100.0f * (float)(i / XS) + 8.0f * (float)(rng() >> 8) / 16777216.0f : NAN;
  void *dx = dev_from(ctx, x, 4 * nx), *dy = dev_sentinel(ctx, ny);
  liger_arg a[5] = {liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dx, LIGER_F32), liger_arg_int(XS), liger_arg_int(YS), liger_arg_int(COLS)};
  if (dx && dy && launch_sync(ctx, k, ROWS, 1, a, 5) && read_back(ctx, y, dy, 4 * ny)) {
    double worst = 0;
    int slack = 0;
    for (int r = 0; r < ROWS; r++) {
      const float *xr = x + (size_t)r * XS;
      double m = -INFINITY, d = 0;
      for (int i = 0; i < COLS; i++) m = fmax(m, xr[i]);
      for (int i = 0; i < COLS; i++) d += exp(xr[i] - m);
      for (int i = 0; i < COLS; i++) {
        double e = fabs(y[(size_t)r * YS + i] - exp(xr[i] - m) / d) * d; /* relative to 1/d */
        if (!(e <= worst)) worst = e;
      }
      for (int i = COLS; i < YS; i++) slack += f32_bits(y[(size_t)r * YS + i]) != SENTINEL;
    }
    for (size_t i = (size_t)ROWS * YS; i < ny; i++) slack += f32_bits(y[i]) != SENTINEL;
    /* exp is within a few ulp, the fp32 sum of 20000 terms within ~1e-6 relative */
    CHECK(worst <= 1e-4 && slack == 0, "big softmax %dx%d BLOCK=32768: error %.2g of 1/sum <= 1e-4, gaps untouched (%d changed)",
          ROWS, COLS, worst, slack);
  }
  liger_free(ctx, dx), liger_free(ctx, dy);
  free(x), free(y), free(ref);
  liger_kernel_release(k);
}

/* ---- argmax, scans ---------------------------------------------------------------------- */

static void check_argmax(liger_context *ctx, const char *path) {
  enum { BLOCK = 65536 };
  static const int sizes[] = {BLOCK, BLOCK - 7, 3000};
  liger_constexpr c = {"BLOCK", "65536"};
  liger_kernel *k = load(ctx, path, "big_argmax_kernel", &c, 1);
  if (!k) return;
  float *x = malloc(sizeof(float) * BLOCK);
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s];
    for (int i = 0; i < n; i++) x[i] = (float)((int)(rng() % 2001) - 1000); /* many ties at the extremes */
    int32_t out[7] = {-1, -1, -1, -1, -1, -1, -1};
    void *dx = dev_from(ctx, x, sizeof(float) * n), *dout = dev_from(ctx, out, sizeof out);
    liger_arg a[3] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_I32), liger_arg_int(n)};
    if (dx && dout && launch_sync(ctx, k, 1, 1, a, 3) && read_back(ctx, out, dout, sizeof out)) {
      int amax = 0, amin = 0;
      int32_t xr = 0, imin = 0; /* masked-off elements count as 0 for xor_sum and min */
      for (int i = 1; i < n; i++) {
        if (x[i] > x[amax]) amax = i;
        if (x[i] < x[amin]) amin = i;
      }
      for (int i = 0; i < n; i++) xr ^= (int32_t)x[i], imin = (int32_t)x[i] < imin ? (int32_t)x[i] : imin;
      if (n == BLOCK) imin = (int32_t)x[amin];
      CHECK(out[0] == amax && out[1] == amin && out[2] == (int32_t)x[amax] && out[5] == amax,
            "big argmax/argmin/max/max(return_indices) over %d in BLOCK=65536: %d/%d/%d/%d (want %d/%d/%d/%d, the first of ties)", n,
            out[0], out[1], out[2], out[5], amax, amin, (int32_t)x[amax], amax);
      CHECK(out[3] == xr && out[4] == imin && out[6] == (int32_t)x[amax],
            "big xor_sum/min/tl.reduce with a branching combine function over %d: %d/%d/%d (want %d/%d/%d)", n, out[3], out[4], out[6],
            xr, imin, (int32_t)x[amax]);
    }
    liger_free(ctx, dx), liger_free(ctx, dout);
  }
  free(x);
  liger_kernel_release(k);
}

static void check_scan(liger_context *ctx, const char *path) {
  static const int cases[][2] = {{16384, 16384}, {32768, 32768 - 3}, {16384, 100}};
  for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
    int B = cases[s][0], n = cases[s][1];
    char bs[16];
    snprintf(bs, sizeof bs, "%d", B);
    liger_constexpr c = {"BLOCK", bs};
    liger_kernel *k = load(ctx, path, "big_scan_kernel", &c, 1);
    if (!k) continue;
    int32_t *x = malloc(4 * (size_t)n), *out = malloc(4 * (size_t)(5 * B + TAIL));
    for (int i = 0; i < n; i++) x[i] = (int32_t)(rng() % 11) - 5 + (i == n / 2 ? 1000 : 0);
    void *dx = dev_from(ctx, x, 4 * (size_t)n), *dout = dev_sentinel(ctx, (size_t)5 * B + TAIL);
    liger_arg a[3] = {liger_arg_ptr(dx, LIGER_I32), liger_arg_ptr(dout, LIGER_I32), liger_arg_int(n)};
    if (dx && dout && launch_sync(ctx, k, 1, 1, a, 3) && read_back(ctx, out, dout, 4 * (size_t)(5 * B + TAIL))) {
      int bad[5] = {0}, slack = 0;
      int32_t run = 0, prod = 1, rev = 0, mx = x[0];
      for (int i = 0; i < n; i++) {
        run += x[i];
        prod *= x[i] % 2 == 0 ? 1 : -1;
        mx = x[i] > mx ? x[i] : mx;
        bad[0] += out[i] != run;
        bad[2] += out[2 * B + i] != run;
        bad[3] += out[3 * B + i] != prod;
        bad[4] += out[4 * B + i] != mx;
      }
      for (int i = n - 1; i >= 0; i--) {
        rev += x[i];
        bad[1] += out[B + i] != rev;
      }
      for (int q = 0; q < 5; q++)
        for (int i = n; i < B + (q == 4 ? TAIL : 0); i++) slack += (uint32_t)out[q * B + i] != SENTINEL;
      CHECK(!bad[0] && !bad[1] && !bad[2] && !bad[3] && !bad[4] && !slack,
            "big scans n=%d BLOCK=%d: cumsum, reverse cumsum, associative_scan, cumprod, running max by a branching combine "
            "function (%d/%d/%d/%d/%d wrong, %d masked changed)",
            n, B, bad[0], bad[1], bad[2], bad[3], bad[4], slack);
    }
    liger_free(ctx, dx), liger_free(ctx, dout);
    free(x), free(out);
    liger_kernel_release(k);
  }
}

/* ---- 2-D tiles ---------------------------------------------------------------------------- */

static void check_2d(liger_context *ctx, const char *path) {
  /* BM, BN, M, N: square with and without tails, tall-narrow and short-wide tiles */
  static const int cases[][4] = {{256, 256, 256, 256}, {256, 256, 250, 200}, {8192, 8, 8000, 7}, {8, 8192, 5, 8100}};
  /* GPU scans stage the whole tile in shared memory (at most 227 KiB on sm_90, a limit
   * docs/language.md states): there the tiles are halved to 32768 elements, keeping tails */
  bool gpu = strcmp(liger_context_target(ctx), "cpu") != 0;
  for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
    int BM = cases[s][0], BN = cases[s][1], M = cases[s][2], N = cases[s][3];
    while (gpu && BM * BN > 32768) {
      int *b = BM >= BN ? &BM : &BN, *n = BM >= BN ? &M : &N;
      *n = *n == *b ? *b / 2 : *b / 2 - (*b - *n);
      *b /= 2;
    }
    char bm[16], bn[16];
    snprintf(bm, sizeof bm, "%d", BM);
    snprintf(bn, sizeof bn, "%d", BN);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    liger_kernel *k = load(ctx, path, "big_2d_kernel", c, 2);
    if (!k) continue;
    size_t nout = (size_t)2 * BM + 2 * BN + 2 * (size_t)BM * BN;
    float *x = malloc(sizeof(float) * (size_t)M * N), *out = malloc(4 * nout);
    for (int i = 0; i < M * N; i++) x[i] = quarter(4);
    void *dx = dev_from(ctx, x, sizeof(float) * (size_t)M * N), *dout = dev_sentinel(ctx, nout);
    liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_F32), liger_arg_int(M), liger_arg_int(N)};
    if (dx && dout && launch_sync(ctx, k, 1, 1, a, 4) && read_back(ctx, out, dout, 4 * nout)) {
      int bad[6] = {0};
      const float *cs = out + 2 * BM + 2 * BN, *rcs = cs + (size_t)BM * BN;
      for (int i = 0; i < M; i++) {
        float sum = 0, best = -1000.0f, run = 0;
        for (int j = 0; j < N; j++) sum += x[i * N + j], best = fmaxf(best, x[i * N + j]);
        bad[0] += out[i] != sum; /* quarter-integers: exact in any order */
        bad[3] += out[BM + 2 * BN + i] != best;
        for (int j = N - 1; j >= 0; j--) {
          run += x[i * N + j];
          bad[5] += rcs[(size_t)i * BN + j] != run;
        }
      }
      for (int j = 0; j < N; j++) {
        int am = 0;
        float mx = -INFINITY, run = 0;
        for (int i = 0; i < M; i++) {
          mx = fmaxf(mx, x[i * N + j]);
          if (x[i * N + j] < x[am * N + j]) am = i;
          run += x[i * N + j];
          bad[4] += cs[(size_t)i * BN + j] != run;
        }
        bad[1] += out[BM + j] != mx;
        bad[2] += out[BM + BN + j] != (float)am;
      }
      CHECK(!bad[0] && !bad[1] && !bad[2] && !bad[3] && !bad[4] && !bad[5],
            "big 2-D %dx%d in [%d, %d]: sum(axis=1), max(axis=0), argmin(axis=0), tl.reduce(axis=1), cumsum(axis=0), reverse "
            "cumsum(axis=1) (%d/%d/%d/%d/%d/%d wrong)",
            M, N, BM, BN, bad[0], bad[1], bad[2], bad[3], bad[4], bad[5]);
    }
    liger_free(ctx, dx), liger_free(ctx, dout);
    free(x), free(out);
    liger_kernel_release(k);
  }
}

static void check_shape(liger_context *ctx, const char *path) {
  static const int cases[][2] = {{256, 256}, {4096, 8}, {8, 4096}};
  bool gpu = strcmp(liger_context_target(ctx), "cpu") != 0; /* trans goes through shared memory */
  for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
    int BM = cases[s][0], BN = cases[s][1];
    if (gpu && BM * BN > 32768) BM /= 2;
    size_t n = (size_t)BM * BN;
    char bm[16], bn[16];
    snprintf(bm, sizeof bm, "%d", BM);
    snprintf(bn, sizeof bn, "%d", BN);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    liger_kernel *k = load(ctx, path, "big_shape_kernel", c, 2);
    if (!k) continue;
    float *x = malloc(4 * n), *r = malloc(4 * (size_t)BM), *cv = malloc(4 * (size_t)BN), *out = malloc(4 * (3 * n + TAIL));
    for (size_t i = 0; i < n; i++) x[i] = (float)i;
    for (int i = 0; i < BM; i++) r[i] = 0.5f * (float)i;
    for (int j = 0; j < BN; j++) cv[j] = (float)(j % 7);
    void *dx = dev_from(ctx, x, 4 * n), *dr = dev_from(ctx, r, 4 * (size_t)BM), *dc = dev_from(ctx, cv, 4 * (size_t)BN);
    void *dout = dev_sentinel(ctx, 3 * n + TAIL);
    liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dr, LIGER_F32), liger_arg_ptr(dc, LIGER_F32), liger_arg_ptr(dout, LIGER_F32)};
    if (dx && dr && dc && dout && launch_sync(ctx, k, 1, 1, a, 4) && read_back(ctx, out, dout, 4 * (3 * n + TAIL))) {
      int bad[3] = {0}, tail = 0;
      for (int i = 0; i < BM; i++)
        for (int j = 0; j < BN; j++) {
          float v = x[(size_t)i * BN + j];
          bad[0] += out[(size_t)j * BM + i] != v;
          bad[1] += out[n + (size_t)i * BN + j] != r[i] + cv[j] * v;
          bad[2] += out[2 * n + (size_t)j * BM + i] != v + 1.0f;
        }
      for (size_t i = 3 * n; i < 3 * n + TAIL; i++) tail += f32_bits(out[i]) != SENTINEL;
      CHECK(!bad[0] && !bad[1] && !bad[2] && !tail, "big [%d, %d]: trans, [:, None] + [None, :] * x, reshape(trans) (%d/%d/%d wrong, %d tail)",
            BM, BN, bad[0], bad[1], bad[2], tail);
    }
    liger_free(ctx, dx), liger_free(ctx, dr), liger_free(ctx, dc), liger_free(ctx, dout);
    free(x), free(r), free(cv), free(out);
    liger_kernel_release(k);
  }
}

static void check_3d(liger_context *ctx, const char *path) {
  static const int cases[][3] = {{16, 64, 64}, {64, 4, 256}, {2, 2048, 8}};
  bool gpu = strcmp(liger_context_target(ctx), "cpu") != 0; /* scans and permutes: shared memory */
  for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
    int A = cases[s][0], B = cases[s][1], C = cases[s][2];
    if (gpu && A * B * C > 32768) A /= 2;
    size_t n = (size_t)A * B * C, nout = (size_t)A * C + 2 * n;
    char as[16], bs[16], cs[16];
    snprintf(as, sizeof as, "%d", A);
    snprintf(bs, sizeof bs, "%d", B);
    snprintf(cs, sizeof cs, "%d", C);
    liger_constexpr c[3] = {{"A", as}, {"B", bs}, {"C", cs}};
    liger_kernel *k = load(ctx, path, "big_3d_kernel", c, 3);
    if (!k) continue;
    float *x = malloc(4 * n), *out = malloc(4 * nout);
    for (size_t i = 0; i < n; i++) x[i] = quarter(4);
    void *dx = dev_from(ctx, x, 4 * n), *dout = dev_from(ctx, NULL, 4 * nout);
    liger_arg a[2] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_F32)};
    if (dx && dout && launch_sync(ctx, k, 1, 1, a, 2) && read_back(ctx, out, dout, 4 * nout)) {
      int bad[3] = {0};
      const float *cs3 = out + (size_t)A * C, *perm = cs3 + n;
      for (int i = 0; i < A; i++)
        for (int q = 0; q < C; q++) {
          float sum = 0;
          for (int j = 0; j < B; j++) sum += x[((size_t)i * B + j) * C + q];
          bad[0] += out[(size_t)i * C + q] != sum; /* quarter-integers: exact in any order */
        }
      for (int j = 0; j < B; j++)
        for (int q = 0; q < C; q++) {
          float run = 0;
          for (int i = 0; i < A; i++) {
            size_t at = ((size_t)i * B + j) * C + q;
            run += x[at];
            bad[1] += cs3[at] != run;
            bad[2] += perm[((size_t)q * A + i) * B + j] != x[at];
          }
        }
      CHECK(!bad[0] && !bad[1] && !bad[2], "big 3-D [%d, %d, %d]: sum(axis=1), cumsum(axis=0), permute(2, 0, 1) (%d/%d/%d wrong)", A, B, C,
            bad[0], bad[1], bad[2]);
    }
    liger_free(ctx, dx), liger_free(ctx, dout);
    free(x), free(out);
    liger_kernel_release(k);
  }
}

static void check_small_into_big(liger_context *ctx, const char *path) {
  static const int cases[][2] = {{4096, 16}, {1024, 64}};
  for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
    int R = cases[s][0], C = cases[s][1];
    size_t n = (size_t)R * C;
    char rs[16], cs[16];
    snprintf(rs, sizeof rs, "%d", R);
    snprintf(cs, sizeof cs, "%d", C);
    liger_constexpr c[2] = {{"ROWS", rs}, {"COLS", cs}};
    liger_kernel *k = load(ctx, path, "big_small_kernel", c, 2);
    if (!k) continue;
    float *x = malloc(4 * n), *w = malloc(4 * (size_t)(C + 1)), *out = malloc(4 * n);
    for (size_t i = 0; i < n; i++) x[i] = quarter(8);
    for (int j = 0; j <= C; j++) w[j] = quarter(2);
    void *dx = dev_from(ctx, x, 4 * n), *dw = dev_from(ctx, w, 4 * (size_t)(C + 1)), *dout = dev_from(ctx, NULL, 4 * n);
    liger_arg a[3] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dw, LIGER_F32), liger_arg_ptr(dout, LIGER_F32)};
    if (dx && dw && dout && launch_sync(ctx, k, 1, 1, a, 3) && read_back(ctx, out, dout, 4 * n)) {
      int bad = 0;
      for (size_t i = 0; i < n; i++) bad += out[i] != x[i] * w[i % (size_t)C] + w[C];
      CHECK(bad == 0, "big [%d, %d] = x * w[None, :] + scalar: a %d-element tile broadcast into a big one (%d wrong)", R, C, C, bad);
    }
    liger_free(ctx, dx), liger_free(ctx, dw), liger_free(ctx, dout);
    free(x), free(w), free(out);
    liger_kernel_release(k);
  }
}

/* ---- control flow, dot, atomics ------------------------------------------------------------ */

static void check_loops(liger_context *ctx, const char *path) {
  enum { BLOCK = 32768 };
  liger_constexpr c = {"BLOCK", "32768"};
  liger_kernel *k = load(ctx, path, "big_loop_kernel", &c, 1);
  if (!k) return;
  float *x = malloc(4 * BLOCK), *out = malloc(4 * 7 * (size_t)BLOCK);
  for (int i = 0; i < BLOCK; i++) x[i] = (float)((int)(rng() % 17) - 8);
  void *dx = dev_from(ctx, x, 4 * BLOCK), *dout = dev_from(ctx, NULL, 4 * 7 * (size_t)BLOCK);
  static const int iters[] = {0, 1, 6, 7, 20};
  for (size_t s = 0; s < sizeof iters / sizeof iters[0] && dx && dout; s++) {
    int n = iters[s];
    liger_arg a[3] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_F32), liger_arg_int(n)};
    if (!launch_sync(ctx, k, 1, 1, a, 3) || !read_back(ctx, out, dout, 4 * 7 * (size_t)BLOCK)) break;
    int bad[7] = {0};
    for (int i = 0; i < BLOCK; i++) {
      float acc = 0, av = x[i], bv = 1, cv = x[i]; /* integers below 2^24 and halvings: exact */
      for (int t = 0; t < n; t++) {
        acc += x[i] * (float)t;
        float na = bv, nb = av + bv;
        av = na, bv = nb;
        cv *= 0.5f;
      }
      float d = n % 2 == 0 ? x[i] + 1.0f : x[i] - av;
      bad[0] += out[i] != acc;
      bad[1] += out[BLOCK + i] != av;
      bad[2] += out[2 * BLOCK + i] != bv;
      bad[3] += out[3 * BLOCK + i] != cv;
      bad[4] += out[4 * BLOCK + i] != d;
      bad[5] += out[5 * BLOCK + i] != x[i] * (n % 2 ? 2.0f : 1.0f);
      bad[6] += out[6 * BLOCK + i] != x[i] * (n % 2 ? 1.0f : 2.0f);
    }
    CHECK(!bad[0] && !bad[1] && !bad[2] && !bad[3] && !bad[4] && !bad[5] && !bad[6],
          "big tiles through loops, n_iter=%d: for sum, a, b = b, a + b, p, q = q, p, while, if (%d/%d/%d/%d/%d/%d/%d wrong)", n,
          bad[0], bad[1], bad[2], bad[3], bad[4], bad[5], bad[6]);
  }
  liger_free(ctx, dx), liger_free(ctx, dout);
  free(x), free(out);
  liger_kernel_release(k);
}

static void check_dot(liger_context *ctx, const char *path) {
  static const int sizes[][3] = {{128, 128, 128}, {200, 150, 300}};
  static const liger_dtype types[] = {LIGER_F32, LIGER_F16, LIGER_BF16, LIGER_I8};
  static const char *const names[] = {"fp32->fp32", "fp16->fp32", "bf16->fp32", "int8->int32"};
  liger_constexpr c[3] = {{"BM", "128"}, {"BN", "128"}, {"BK", "128"}};
  liger_kernel *k = load(ctx, path, "big_dot_kernel", c, 3);
  if (!k) return;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      int M = sizes[s][0], N = sizes[s][1], K = sizes[s][2];
      liger_dtype dt = types[t];
      bool i8 = dt == LIGER_I8;
      size_t es = liger_dtype_size(dt);
      float *fa = malloc(4 * (size_t)M * K), *fb = malloc(4 * (size_t)K * N), *cm = malloc(4 * (size_t)M * N);
      unsigned char *ha = malloc(es * (size_t)M * K), *hb = malloc(es * (size_t)K * N);
      for (int i = 0; i < M * K + K * N; i++) {
        bool in_a = i < M * K;
        float v = i8 ? (float)((int)(rng() % 9) - 4) : quarter(1); /* exact in every dtype */
        (in_a ? fa : fb)[in_a ? i : i - M * K] = v;
        unsigned char *dst = in_a ? ha + es * (size_t)i : hb + es * (size_t)(i - M * K);
        uint32_t u = f32_bits(v);
        uint16_t h = dt == LIGER_F16 ? f32_to_f16_exact(v) : (uint16_t)(u >> 16); /* bf16: exact values truncate */
        if (dt == LIGER_F32) memcpy(dst, &v, 4);
        else if (i8) *(int8_t *)dst = (int8_t)v;
        else memcpy(dst, &h, 2);
      }
      void *da = dev_from(ctx, ha, es * (size_t)M * K), *db = dev_from(ctx, hb, es * (size_t)K * N), *dc = dev_from(ctx, NULL, 4 * (size_t)M * N);
      liger_arg a[6] = {liger_arg_ptr(da, dt), liger_arg_ptr(db, dt), liger_arg_ptr(dc, i8 ? LIGER_I32 : LIGER_F32), liger_arg_int(M),
                        liger_arg_int(N), liger_arg_int(K)};
      if (da && db && dc && launch_sync(ctx, k, (uint32_t)((M + 127) / 128), (uint32_t)((N + 127) / 128), a, 6) &&
          read_back(ctx, cm, dc, 4 * (size_t)M * N)) {
        int bad = 0;
        for (int i = 0; i < M; i++)
          for (int j = 0; j < N; j++) {
            double ref = 0;
            for (int q = 0; q < K; q++) ref += (double)fa[i * K + q] * fb[q * N + j];
            float got = i8 ? (float)((int32_t *)cm)[i * N + j] : cm[i * N + j];
            bad += got != (float)ref; /* multiples of 1/16 below 2^13: exact */
          }
        CHECK(bad == 0, "big tl.dot %s %dx%dx%d in 128x128x128 tiles: exact (%d wrong)", names[t], M, N, K, bad);
      }
      liger_free(ctx, da), liger_free(ctx, db), liger_free(ctx, dc);
      free(fa), free(fb), free(cm), free(ha), free(hb);
    }
  liger_kernel_release(k);
}

static void check_histogram(liger_context *ctx, const char *path) {
  enum { BLOCK = 65536, N = 200003, BINS = 37 };
  liger_constexpr c = {"BLOCK", "65536"};
  liger_kernel *k = load(ctx, path, "big_histogram_kernel", &c, 1);
  if (!k) return;
  int32_t *x = malloc(4 * N), bins[BINS] = {0}, ref[BINS] = {0};
  for (int i = 0; i < N; i++) ref[x[i] = (int32_t)(rng() % BINS)]++;
  void *dx = dev_from(ctx, x, 4 * N), *db = dev_from(ctx, bins, sizeof bins);
  liger_arg a[3] = {liger_arg_ptr(dx, LIGER_I32), liger_arg_ptr(db, LIGER_I32), liger_arg_int(N)};
  if (dx && db && launch_sync(ctx, k, (N + BLOCK - 1) / BLOCK, 1, a, 3) && read_back(ctx, bins, db, sizeof bins))
    CHECK(!memcmp(bins, ref, sizeof bins), "big histogram: tl.atomic_add over %d values in BLOCK=65536 tiles", N);
  liger_free(ctx, dx), liger_free(ctx, db);
  free(x);
  liger_kernel_release(k);
}

/* ---- entry ------------------------------------------------------------------------------ */

int exec_checks_big(liger_context *ctx, const char *source_dir) {
  char path[4096], softmax[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/big.py", source_dir);
  snprintf(softmax, sizeof softmax, "%s/kernels/examples/softmax.py", source_dir);
  int before = failures;
  check_axpy(ctx, path);
  check_layer_norm(ctx, path);
  check_softmax(ctx, softmax);
  check_argmax(ctx, path);
  check_scan(ctx, path);
  check_2d(ctx, path);
  check_shape(ctx, path);
  check_3d(ctx, path);
  check_small_into_big(ctx, path);
  check_loops(ctx, path);
  check_dot(ctx, path);
  check_histogram(ctx, path);
  return failures - before;
}
