/*
 * exec_checks_warps.c — every tile feature at num_warps 1, 2, 4, 8, 16 and 32, through the
 * public API on one device, each against a C reference here: reductions (sum, max, argmax
 * over both axes, a reduction of a reduction), scans over both axes, tl.dot, trans/reshape,
 * tensor atomics whose old values are used, a runtime loop, the 2-D index patterns of
 * tests/kernels/layouts.py, loads and stores through int1 pointers, and the cache modifiers
 * that must reach memory (.cv, volatile, .wt).
 *
 * Sizes have masked tails and go from tiles far smaller than the program's threads (1x1 with
 * 1024 threads: elements replicated across threads) to tiles with many elements per thread.
 * Inputs are small integers or multiples of 1/4, so results are exact in any order of
 * evaluation, and every output buffer has a sentinel-filled slack that must come back
 * untouched. On the CPU num_warps changes nothing: the checks run there with 1 and 32 warps.
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

/* every num_warps on GPUs; on the CPU, where it changes nothing, the two ends */
static const int ALL_WARPS[] = {1, 2, 4, 8, 16, 32}, CPU_WARPS[] = {1, 32};
static const int *WARPS = ALL_WARPS;
static int NWARPS = 6;
enum { TAIL = 37 };                      /* slack past every output, in elements */
static const uint32_t SENTINEL = 0xDEADBEEFu;


static uint32_t rng_state = 0x5eed1234u;
static uint32_t rng(void) { return xorshift32(&rng_state); }
/* k/4 for k uniform in [-4*lim, 4*lim]: exact in fp32, and so are sums and products */
static float quarter(int lim) { return (float)((int)(rng() % (uint32_t)(8 * lim + 1)) - 4 * lim) * 0.25f; }


/* A device buffer holding `bytes` of `host`, or of `fill` when host is NULL. */
static void *dev_buf(liger_context *ctx, const void *host, size_t bytes, int fill) {
  void *d = NULL;
  if (!api_ok(liger_malloc(ctx, bytes, &d), "liger_malloc")) return NULL;
  liger_status st = host ? liger_memcpy_htod(ctx, d, host, bytes) : liger_memset_d8(ctx, d, fill, bytes);
  if (!api_ok(st, host ? "liger_memcpy_htod" : "liger_memset_d8")) {
    liger_free(ctx, d);
    return NULL;
  }
  return d;
}

/* n 32-bit words of SENTINEL on the device */
static void *dev_sentinel(liger_context *ctx, size_t n) { return dev_words(ctx, n, SENTINEL); }

static liger_kernel *load(liger_context *ctx, const char *path, const char *name, const liger_constexpr *c, int nc,
                          int nw) {
  liger_kernel *k = NULL;
  char what[160];
  snprintf(what, sizeof what, "liger_kernel_load(%s, num_warps=%d)", name, nw);
  return api_ok(liger_kernel_load(ctx, path, name, c, nc, nw, &k), what) ? k : NULL;
}



static void itoa_(char *buf, int v) { snprintf(buf, 16, "%d", v); }

/* ---- reductions --------------------------------------------------------------------------- */

static void check_reduce2d(liger_context *ctx, const char *path) {
  static const int shapes[][4] = {{1, 1, 1, 1}, {3, 5, 4, 8}, {17, 33, 32, 64}, {64, 16, 64, 16}, {5, 200, 8, 256}, {100, 7, 128, 8}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int M = shapes[s][0], N = shapes[s][1], BM = shapes[s][2], BN = shapes[s][3];
    size_t nout = (size_t)(3 * (BM + BN) + 1);
    float *x = malloc(sizeof(float) * (size_t)M * N), *ref = malloc(sizeof(float) * nout);
    uint32_t *out = malloc(4 * (nout + TAIL));
    for (int i = 0; i < M * N; i++) x[i] = (float)((int)(rng() % 9) - 4) * 0.25f; /* many ties */
    for (size_t i = 0; i < nout; i++) ref[i] = bits_f32(SENTINEL);
    float total = 0;
    for (int i = 0; i < M; i++) {
      float sum = 0, mx = -INFINITY;
      int am = 0;
      for (int j = 0; j < N; j++) {
        float v = x[i * N + j];
        sum += v;
        total += v;
        if (v > mx) mx = v, am = j;
      }
      ref[i] = sum, ref[BM + BN + i] = mx, ref[2 * BM + 2 * BN + i] = (float)am;
    }
    for (int j = 0; j < N; j++) {
      float sum = 0, mx = -INFINITY;
      int am = 0;
      for (int i = 0; i < M; i++) {
        float v = x[i * N + j];
        sum += v;
        if (v > mx) mx = v, am = i;
      }
      ref[BM + j] = sum, ref[2 * BM + BN + j] = mx, ref[3 * BM + 2 * BN + j] = (float)am;
    }
    ref[3 * BM + 3 * BN] = total;
    char bm[16], bn[16];
    itoa_(bm, BM), itoa_(bn, BN);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    for (int w = 0; w < NWARPS; w++) {
      liger_kernel *k = load(ctx, path, "reduce2d_kernel", c, 2, WARPS[w]);
      void *dx = dev_buf(ctx, x, sizeof(float) * (size_t)M * N, 0), *dout = dev_sentinel(ctx, nout + TAIL);
      liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_F32), liger_arg_int(M), liger_arg_int(N)};
      if (k && dx && dout && launch_sync(ctx, k, 1, 1, a, 4) && read_back(ctx, out, dout, 4 * (nout + TAIL))) {
        int bad[4] = {0}; /* sums, maxima, argmax, slack */
        for (size_t i = 0; i < nout; i++) {
          int region = i < (size_t)(BM + BN) ? 0 : i < (size_t)(2 * (BM + BN)) ? 1 : i < (size_t)(3 * (BM + BN)) ? 2 : 0;
          if (out[i] != f32_bits(ref[i])) bad[f32_bits(ref[i]) == SENTINEL ? 3 : region]++;
        }
        for (size_t i = nout; i < nout + TAIL; i++) bad[3] += out[i] != SENTINEL;
        CHECK(!bad[0] && !bad[1] && !bad[2] && !bad[3],
              "reduce2d %dx%d in %dx%d, num_warps=%d: sums %d, max %d, argmax %d wrong, %d slack changed", M, N, BM,
              BN, WARPS[w], bad[0], bad[1], bad[2], bad[3]);
      }
      liger_free(ctx, dx);
      liger_free(ctx, dout);
      liger_kernel_release(k);
    }
    free(x), free(ref), free(out);
  }
}

/* ---- scans -------------------------------------------------------------------------------- */

static void check_scan2d(liger_context *ctx, const char *path) {
  static const int shapes[][4] = {{1, 1, 1, 1}, {3, 5, 4, 8}, {17, 33, 32, 64}, {9, 130, 16, 256}, {70, 3, 128, 4}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int M = shapes[s][0], N = shapes[s][1], BM = shapes[s][2], BN = shapes[s][3];
    size_t mn = (size_t)M * N, nout = 3 * mn;
    int32_t *x = malloc(4 * mn), *ref = malloc(4 * nout), *out = malloc(4 * (nout + TAIL));
    for (size_t i = 0; i < mn; i++) x[i] = (int32_t)(rng() % 7) - 3;
    for (int i = 0; i < M; i++) {
      int32_t run_ = 0, mx = INT32_MIN;
      for (int j = 0; j < N; j++) {
        run_ += x[i * N + j];
        mx = x[i * N + j] > mx ? x[i * N + j] : mx;
        ref[i * N + j] = run_;
        ref[2 * mn + (size_t)(i * N + j)] = mx;
      }
    }
    for (int j = 0; j < N; j++) {
      int32_t run_ = 0;
      for (int i = M - 1; i >= 0; i--) {
        run_ += x[i * N + j];
        ref[mn + (size_t)(i * N + j)] = run_;
      }
    }
    char bm[16], bn[16];
    itoa_(bm, BM), itoa_(bn, BN);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    for (int w = 0; w < NWARPS; w++) {
      liger_kernel *k = load(ctx, path, "scan2d_kernel", c, 2, WARPS[w]);
      void *dx = dev_buf(ctx, x, 4 * mn, 0), *dout = dev_sentinel(ctx, nout + TAIL);
      liger_arg a[4] = {liger_arg_ptr(dx, LIGER_I32), liger_arg_ptr(dout, LIGER_I32), liger_arg_int(M), liger_arg_int(N)};
      if (k && dx && dout && launch_sync(ctx, k, 1, 1, a, 4) && read_back(ctx, out, dout, 4 * (nout + TAIL))) {
        int bad[4] = {0};
        for (size_t i = 0; i < nout; i++) bad[i / mn] += out[i] != ref[i];
        for (size_t i = nout; i < nout + TAIL; i++) bad[3] += (uint32_t)out[i] != SENTINEL;
        CHECK(!bad[0] && !bad[1] && !bad[2] && !bad[3],
              "scan2d %dx%d in %dx%d, num_warps=%d: cumsum rows %d, reverse cumsum columns %d, running max %d wrong, "
              "%d slack changed", M, N, BM, BN, WARPS[w], bad[0], bad[1], bad[2], bad[3]);
      }
      liger_free(ctx, dx);
      liger_free(ctx, dout);
      liger_kernel_release(k);
    }
    free(x), free(ref), free(out);
  }
}

/* ---- tl.dot (tests/kernels/lang.py matmul_kernel) ------------------------------------------------ */


static void check_dot(liger_context *ctx, const char *lang) {
  static const struct { bool f16; int M, N, K, BM, BN, BK; } cases[] = {
      {false, 20, 30, 50, 16, 32, 16}, {true, 65, 33, 70, 64, 32, 32}, {false, 7, 5, 3, 8, 8, 8}};
  for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
    int M = cases[t].M, N = cases[t].N, K = cases[t].K;
    size_t es = cases[t].f16 ? 2 : 4;
    float *fa = malloc(sizeof(float) * (size_t)M * K), *fb = malloc(sizeof(float) * (size_t)K * N);
    unsigned char *a = malloc(es * (size_t)M * K), *b = malloc(es * (size_t)K * N);
    float *ref = malloc(sizeof(float) * (size_t)M * N), *got = malloc(sizeof(float) * (size_t)M * N);
    for (int i = 0; i < M * K + K * N; i++) {
      bool in_a = i < M * K;
      float v = quarter(1);
      unsigned char *dst = in_a ? a + es * (size_t)i : b + es * (size_t)(i - M * K);
      if (es == 4) memcpy(dst, &v, 4);
      else {
        uint16_t h = f32_to_f16_exact(v);
        memcpy(dst, &h, 2);
      }
      (in_a ? fa : fb)[in_a ? i : i - M * K] = v;
    }
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) {
        float s = 0; /* multiples of 1/16 below 2^10: exact in any order */
        for (int q = 0; q < K; q++) s += fa[i * K + q] * fb[q * N + j];
        ref[i * N + j] = s;
      }
    char bm[16], bn[16], bk[16];
    itoa_(bm, cases[t].BM), itoa_(bn, cases[t].BN), itoa_(bk, cases[t].BK);
    liger_constexpr c[3] = {{"BM", bm}, {"BN", bn}, {"BK", bk}};
    liger_dtype dt = cases[t].f16 ? LIGER_F16 : LIGER_F32;
    for (int w = 0; w < NWARPS; w++) {
      liger_kernel *k = load(ctx, lang, "matmul_kernel", c, 3, WARPS[w]);
      void *da = dev_buf(ctx, a, es * (size_t)M * K, 0), *db = dev_buf(ctx, b, es * (size_t)K * N, 0);
      void *dc = dev_sentinel(ctx, (size_t)M * N);
      liger_arg args[6] = {liger_arg_ptr(da, dt), liger_arg_ptr(db, dt), liger_arg_ptr(dc, LIGER_F32),
                           liger_arg_int(M), liger_arg_int(N), liger_arg_int(K)};
      uint32_t g0 = (uint32_t)((M + cases[t].BM - 1) / cases[t].BM), g1 = (uint32_t)((N + cases[t].BN - 1) / cases[t].BN);
      if (k && da && db && dc && launch_sync(ctx, k, g0, g1, args, 6) && read_back(ctx, got, dc, sizeof(float) * (size_t)M * N)) {
        int bad = 0;
        for (int i = 0; i < M * N; i++) bad += f32_bits(got[i]) != f32_bits(ref[i]);
        CHECK(bad == 0, "tl.dot %s %dx%dx%d in %sx%sx%s tiles, num_warps=%d: exact (%d wrong)", cases[t].f16 ? "fp16" : "fp32",
              M, N, K, bm, bn, bk, WARPS[w], bad);
      }
      liger_free(ctx, da);
      liger_free(ctx, db);
      liger_free(ctx, dc);
      liger_kernel_release(k);
    }
    free(fa), free(fb), free(a), free(b), free(ref), free(got);
  }
}

/* ---- trans / reshape (tests/kernels/lang.py shape_ops_kernel) --------------------------------- */

static void check_shape_ops(liger_context *ctx, const char *lang) {
  static const int shapes[][2] = {{1, 1}, {4, 8}, {16, 2}, {64, 32}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int M = shapes[s][0], N = shapes[s][1];
    size_t n = (size_t)M * N;
    float *x = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * 5 * n);
    for (size_t i = 0; i < n; i++) x[i] = (float)i;
    char bm[16], bn[16];
    itoa_(bm, M), itoa_(bn, N);
    liger_constexpr c[2] = {{"BM", bm}, {"BN", bn}};
    for (int w = 0; w < NWARPS; w++) {
      liger_kernel *k = load(ctx, lang, "shape_ops_kernel", c, 2, WARPS[w]);
      void *dx = dev_buf(ctx, x, sizeof(float) * n, 0), *dout = dev_sentinel(ctx, 5 * n);
      liger_arg a[2] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dout, LIGER_F32)};
      if (k && dx && dout && launch_sync(ctx, k, 1, 1, a, 2) && read_back(ctx, out, dout, sizeof(float) * 5 * n)) {
        int bad = 0;
        for (int i = 0; i < M; i++)
          for (int j = 0; j < N; j++) {
            float v = x[i * N + j];
            bad += out[(size_t)j * M + i] != v;             /* trans */
            bad += out[n + (size_t)j * M + i] != 2 * v;     /* .T + permute */
            bad += out[2 * n + (size_t)i * N + j] != 3 * v; /* reshape to 1-D */
            bad += out[3 * n + (size_t)i * N + j] != v;     /* reshape [M,N] -> [N,M] */
            bad += out[4 * n + (size_t)j * M + i] != v;     /* ravel of the transpose */
          }
        CHECK(bad == 0, "%dx%d, num_warps=%d: trans, .T, permute, reshape and ravel (%d wrong)", M, N, WARPS[w], bad);
      }
      liger_free(ctx, dx);
      liger_free(ctx, dout);
      liger_kernel_release(k);
    }
    free(x), free(out);
  }
}

/* ---- atomics ------------------------------------------------------------------------------- */

static void check_atomics(liger_context *ctx, const char *path) {
  static const int cases[][3] = {{1, 1, 16}, {100, 7, 16}, {3000, 7, 256}, {3000, 1, 64}}; /* n, K, BLOCK */
  for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
    int n = cases[s][0], K = cases[s][1], B = cases[s][2];
    char blk[16];
    itoa_(blk, B);
    liger_constexpr c = {"BLOCK", blk};
    int32_t *old = malloc(4 * (size_t)(n + TAIL)), cnt[8], mx[8], minus1[8];
    for (int i = 0; i < 8; i++) minus1[i] = -1;
    for (int w = 0; w < NWARPS; w++) {
      liger_kernel *k = load(ctx, path, "atomic_tile_kernel", &c, 1, WARPS[w]);
      void *dcnt = dev_buf(ctx, NULL, 4 * (size_t)K, 0), *dmx = dev_buf(ctx, minus1, 4 * (size_t)K, 0);
      void *dold = dev_sentinel(ctx, (size_t)(n + TAIL));
      liger_arg a[5] = {liger_arg_ptr(dcnt, LIGER_I32), liger_arg_ptr(dmx, LIGER_I32), liger_arg_ptr(dold, LIGER_I32),
                        liger_arg_int(n), liger_arg_int(K)};
      if (k && dcnt && dmx && dold && launch_sync(ctx, k, (uint32_t)((n + B - 1) / B), 1, a, 5) &&
          read_back(ctx, old, dold, 4 * (size_t)(n + TAIL)) && read_back(ctx, cnt, dcnt, 4 * (size_t)K) &&
          read_back(ctx, mx, dmx, 4 * (size_t)K)) {
        int bad_cnt = 0, bad_tickets = 0, bad_max = 0, slack = 0;
        bool *seen = calloc((size_t)n + 1, 1);
        for (int q = 0; q < K; q++) {
          int want = n / K + (q < n % K), last = -1;
          for (int i = q; i < n; i += K) last = i;
          bad_cnt += cnt[q] != want;
          bad_max += mx[q] != last;
          /* the tickets of slot q are 0..want-1, each once */
          memset(seen, 0, (size_t)n + 1);
          for (int i = q; i < n; i += K) {
            if (old[i] < 0 || old[i] >= want || seen[old[i]]) bad_tickets++;
            else seen[old[i]] = true;
          }
        }
        for (int i = n; i < n + TAIL; i++) slack += (uint32_t)old[i] != SENTINEL;
        free(seen);
        CHECK(!bad_cnt && !bad_tickets && !bad_max && !slack,
              "atomic_add/atomic_max on tiles n=%d K=%d BLOCK=%d, num_warps=%d: counters %d, tickets %d, maxima %d wrong, "
              "%d slack changed", n, K, B, WARPS[w], bad_cnt, bad_tickets, bad_max, slack);
      }
      liger_free(ctx, dcnt);
      liger_free(ctx, dmx);
      liger_free(ctx, dold);
      liger_kernel_release(k);
    }
    free(old);
  }
}

/* ---- a runtime loop (tests/kernels/lang.py row_sum_kernel) --------------------------------------- */

static void check_loop(liger_context *ctx, const char *lang) {
  static const int shapes[][3] = {{3, 100, 64}, {2, 1000, 256}, {4, 5, 8}, {1, 70, 1}}; /* rows, cols, BLOCK */
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int rows = shapes[s][0], cols = shapes[s][1], stride = cols + 3;
    float *x = malloc(sizeof(float) * (size_t)rows * stride), y[8];
    for (int i = 0; i < rows * stride; i++) x[i] = (float)((int)(rng() % 17) - 8);
    char blk[16];
    itoa_(blk, shapes[s][2]);
    liger_constexpr c = {"BLOCK", blk};
    for (int w = 0; w < NWARPS; w++) {
      liger_kernel *k = load(ctx, lang, "row_sum_kernel", &c, 1, WARPS[w]);
      void *dx = dev_buf(ctx, x, sizeof(float) * (size_t)rows * stride, 0), *dy = dev_sentinel(ctx, (size_t)rows);
      liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(cols), liger_arg_int(stride)};
      if (k && dx && dy && launch_sync(ctx, k, (uint32_t)rows, 1, a, 4) && read_back(ctx, y, dy, sizeof(float) * (size_t)rows)) {
        int bad = 0;
        for (int r = 0; r < rows; r++) {
          float ref = 0; /* small integers: exact */
          for (int q = 0; q < cols; q++) ref += x[r * stride + q];
          bad += y[r] != (r == 0 ? 2 * ref : ref);
        }
        CHECK(bad == 0, "row_sum %dx%d BLOCK=%s, num_warps=%d: runtime loop and if (%d wrong)", rows, cols, blk,
              WARPS[w], bad);
      }
      liger_free(ctx, dx);
      liger_free(ctx, dy);
      liger_kernel_release(k);
    }
    free(x);
  }
}

/* ---- 2-D index patterns (tests/kernels/layouts.py) ------------------------------------------ */

static void check_layouts(liger_context *ctx, const char *path) {
  enum { M = 37, N = 70, SX = 75, SY = 72, SEQ = 19, HD = 64, H2 = HD / 2, RM = 20, RN = 100 };
  static float x[M * SX], y[M * SY + TAIL], q[SEQ * HD], cs[SEQ * H2], sn[SEQ * H2], rope[SEQ * HD + TAIL];
  static float sx[RM * RN], w[RN], b[RM], sy[RM * RN + TAIL];
  for (int i = 0; i < M * SX; i++) x[i] = quarter(8);
  for (int i = 0; i < SEQ * HD; i++) q[i] = quarter(4);
  for (int i = 0; i < SEQ * H2; i++) cs[i] = quarter(1), sn[i] = quarter(1);
  for (int i = 0; i < RM * RN; i++) sx[i] = quarter(4);
  for (int i = 0; i < RN; i++) w[i] = quarter(2);
  for (int i = 0; i < RM; i++) b[i] = quarter(2);
  liger_constexpr cc[2] = {{"BM", "16"}, {"BN", "64"}}, rc[2] = {{"HD", "64"}, {"BT", "8"}}, sc[2] = {{"BM", "8"}, {"BN", "128"}};
  liger_constexpr tc[3] = {{"NQ", "32"}, {"NK", "8"}, {"D", "64"}};
  for (int wi = 0; wi < NWARPS; wi++) {
    int nw = WARPS[wi];
    /* copy2d: grid 3 x 2 over a 37 x 70 matrix, row strides 75 and 72 */
    liger_kernel *k = load(ctx, path, "copy2d_kernel", cc, 2, nw);
    void *dx = dev_buf(ctx, x, sizeof x, 0), *dy = dev_sentinel(ctx, M * SY + TAIL);
    liger_arg a[6] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(M), liger_arg_int(N),
                      liger_arg_int(SX), liger_arg_int(SY)};
    if (k && dx && dy && launch_sync(ctx, k, 3, 2, a, 6) && read_back(ctx, y, dy, sizeof y)) {
      int bad = 0, slack = 0;
      for (int i = 0; i < M * SY + TAIL; i++) {
        int r = i / SY, col = i % SY;
        if (r < M && col < N) bad += f32_bits(y[i]) != f32_bits(x[r * SX + col]);
        else slack += f32_bits(y[i]) != SENTINEL;
      }
      CHECK(!bad && !slack, "copy2d 37x70 in 16x64 tiles, num_warps=%d: %d wrong, %d gaps changed", nw, bad, slack);
    }
    liger_free(ctx, dx);
    liger_free(ctx, dy);
    liger_kernel_release(k);

    /* rope: 19 rows of 64, cos/sin tables of 19 x 32 */
    k = load(ctx, path, "rope_kernel", rc, 2, nw);
    void *dq = dev_buf(ctx, q, sizeof q, 0), *dc = dev_buf(ctx, cs, sizeof cs, 0), *ds = dev_buf(ctx, sn, sizeof sn, 0);
    void *dr = dev_sentinel(ctx, SEQ * HD + TAIL);
    liger_arg ra[5] = {liger_arg_ptr(dq, LIGER_F32), liger_arg_ptr(dc, LIGER_F32), liger_arg_ptr(ds, LIGER_F32),
                       liger_arg_ptr(dr, LIGER_F32), liger_arg_int(SEQ)};
    if (k && dq && dc && ds && dr && launch_sync(ctx, k, (SEQ + 7) / 8, 1, ra, 5) && read_back(ctx, rope, dr, sizeof rope)) {
      int bad = 0, slack = 0;
      for (int r = 0; r < SEQ; r++)
        for (int j = 0; j < H2; j++) {
          float x1 = q[r * HD + j], x2 = q[r * HD + H2 + j], c = cs[r * H2 + j], s = sn[r * H2 + j];
          bad += rope[r * HD + j] != x1 * c - x2 * s; /* multiples of 1/16: exact */
          bad += rope[r * HD + H2 + j] != x2 * c + x1 * s;
        }
      for (int i = SEQ * HD; i < SEQ * HD + TAIL; i++) slack += f32_bits(rope[i]) != SENTINEL;
      CHECK(!bad && !slack, "rope 19x64 in 8-row tiles, num_warps=%d: %d wrong, %d slack changed", nw, bad, slack);
    }
    liger_free(ctx, dq);
    liger_free(ctx, dc);
    liger_free(ctx, ds);
    liger_free(ctx, dr);
    liger_kernel_release(k);

    /* scale2d: y = x * w[None, :] + b[:, None] over 20 x 100 in 8 x 128 tiles */
    k = load(ctx, path, "scale2d_kernel", sc, 2, nw);
    void *dsx = dev_buf(ctx, sx, sizeof sx, 0), *dw = dev_buf(ctx, w, sizeof w, 0), *db = dev_buf(ctx, b, sizeof b, 0);
    void *dsy = dev_sentinel(ctx, RM * RN + TAIL);
    liger_arg sa[6] = {liger_arg_ptr(dsx, LIGER_F32), liger_arg_ptr(dw, LIGER_F32), liger_arg_ptr(db, LIGER_F32),
                       liger_arg_ptr(dsy, LIGER_F32), liger_arg_int(RM), liger_arg_int(RN)};
    if (k && dsx && dw && db && dsy && launch_sync(ctx, k, (RM + 7) / 8, 1, sa, 6) && read_back(ctx, sy, dsy, sizeof sy)) {
      int bad = 0, slack = 0;
      for (int i = 0; i < RM * RN; i++) bad += sy[i] != sx[i] * w[i % RN] + b[i / RN];
      for (int i = RM * RN; i < RM * RN + TAIL; i++) slack += f32_bits(sy[i]) != SENTINEL;
      CHECK(!bad && !slack, "scale2d 20x100 in 8x128 tiles, num_warps=%d: %d wrong, %d slack changed", nw, bad, slack);
    }
    liger_free(ctx, dsx);
    liger_free(ctx, dw);
    liger_free(ctx, db);
    liger_free(ctx, dsy);
    liger_kernel_release(k);

    /* two_tiles: one row per program scales a 32 x 64 and an 8 x 64 block, 3 programs */
    enum { P = 3, NQ = 32, NK = 8, D = 64 };
    static float tq[P * NQ * D], tk[P * NK * D], tw[P * D], gq[P * NQ * D], gk[P * NK * D];
    for (int i = 0; i < P * NQ * D; i++) tq[i] = quarter(4);
    for (int i = 0; i < P * NK * D; i++) tk[i] = quarter(4);
    for (int i = 0; i < P * D; i++) tw[i] = quarter(2);
    k = load(ctx, path, "two_tiles_kernel", tc, 3, nw);
    void *dtq = dev_buf(ctx, tq, sizeof tq, 0), *dtk = dev_buf(ctx, tk, sizeof tk, 0), *dtw = dev_buf(ctx, tw, sizeof tw, 0);
    liger_arg ta[3] = {liger_arg_ptr(dtq, LIGER_F32), liger_arg_ptr(dtk, LIGER_F32), liger_arg_ptr(dtw, LIGER_F32)};
    if (k && dtq && dtk && dtw && launch_sync(ctx, k, P, 1, ta, 3) && read_back(ctx, gq, dtq, sizeof gq) &&
        read_back(ctx, gk, dtk, sizeof gk)) {
      int bad = 0;
      for (int i = 0; i < P * NQ * D; i++) bad += gq[i] != tq[i] * tw[i / (NQ * D) * D + i % D];
      for (int i = 0; i < P * NK * D; i++) bad += gk[i] != tk[i] * tw[i / (NK * D) * D + i % D];
      CHECK(!bad, "two_tiles: a row broadcast over 32x64 and 8x64 blocks, num_warps=%d (%d wrong)", nw, bad);
    }
    liger_free(ctx, dtq);
    liger_free(ctx, dtk);
    liger_free(ctx, dtw);
    liger_kernel_release(k);
  }
}

/* ---- int1 pointers ---------------------------------------------------------------------------- */

static void check_bool(liger_context *ctx, const char *path) {
  static const int sizes[] = {1, 300, 1000};
  enum { B = 256, SLACK = 0xAB };
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s], grid = (n + B - 1) / B;
    size_t nout = (size_t)(2 * n + grid);
    uint8_t *m = malloc((size_t)n), *out = malloc(nout + TAIL);
    float *x = malloc(sizeof(float) * (size_t)n);
    int32_t count[8];
    for (int i = 0; i < n; i++) m[i] = (uint8_t)(rng() & 1), x[i] = quarter(2);
    for (int wi = 0; wi < NWARPS; wi++) {
      liger_kernel *k = load(ctx, path, "bool_kernel", &(liger_constexpr){"BLOCK", "256"}, 1, WARPS[wi]);
      void *dx = dev_buf(ctx, x, sizeof(float) * (size_t)n, 0), *dm = dev_buf(ctx, m, (size_t)n, 0);
      void *dout = dev_buf(ctx, NULL, nout + TAIL, SLACK), *dcount = dev_buf(ctx, NULL, sizeof count, 0);
      liger_arg a[5] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dm, LIGER_I1), liger_arg_ptr(dout, LIGER_I1),
                        liger_arg_ptr(dcount, LIGER_I32), liger_arg_int(n)};
      if (k && dx && dm && dout && dcount && launch_sync(ctx, k, (uint32_t)grid, 1, a, 5) && read_back(ctx, out, dout, nout + TAIL) &&
          read_back(ctx, count, dcount, 4 * (size_t)grid)) {
        int bad_and = 0, bad_not = 0, bad_scalar = 0, bad_count = 0, slack = 0;
        for (int i = 0; i < n; i++) {
          bad_and += out[i] != (m[i] && x[i] > 0);
          bad_not += out[n + i] != !m[i];
        }
        for (int p = 0; p < grid; p++) {
          int want = 0;
          for (int i = p * B; i < n && i < (p + 1) * B; i++) want += m[i];
          bad_count += count[p] != want;
          bad_scalar += out[2 * n + p] != m[0];
        }
        for (size_t i = nout; i < nout + TAIL; i++) slack += out[i] != SLACK;
        CHECK(!bad_and && !bad_not && !bad_scalar && !bad_count && !slack,
              "int1 pointers n=%d, num_warps=%d: bool tile stores %d and %d, scalar %d, sums of loaded bools %d wrong, "
              "%d slack bytes changed", n, WARPS[wi], bad_and, bad_not, bad_scalar, bad_count, slack);
      }
      liger_free(ctx, dx);
      liger_free(ctx, dm);
      liger_free(ctx, dout);
      liger_free(ctx, dcount);
      liger_kernel_release(k);
    }
    free(m), free(out), free(x);
  }
}

/* ---- cache modifiers that must reach memory (tests/kernels/cache_hints.py) ---------------------- */

static void check_cache_volatile(liger_context *ctx, const char *path) {
  enum { N = 3001 };
  static float x[N], y[N], z[N + TAIL];
  for (int i = 0; i < N; i++) x[i] = quarter(8), y[i] = quarter(8);
  for (int w = 0; w < NWARPS; w++) {
    liger_kernel *k = load(ctx, path, "cache_volatile_kernel", &(liger_constexpr){"BLOCK", "1024"}, 1, WARPS[w]);
    void *dx = dev_buf(ctx, x, sizeof x, 0), *dy = dev_buf(ctx, y, sizeof y, 0), *dz = dev_sentinel(ctx, N + TAIL);
    liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dz, LIGER_F32), liger_arg_int(N)};
    if (k && dx && dy && dz && launch_sync(ctx, k, (N + 1023) / 1024, 1, a, 4) && read_back(ctx, z, dz, sizeof z)) {
      int bad = 0, slack = 0;
      for (int i = 0; i < N; i++) bad += z[i] != x[i] + y[i];
      for (int i = N; i < N + TAIL; i++) slack += f32_bits(z[i]) != SENTINEL;
      CHECK(!bad && !slack, ".cv and volatile loads, .wt stores, num_warps=%d: z = x + y (%d wrong, %d slack changed)",
            WARPS[w], bad, slack);
    }
    liger_free(ctx, dx);
    liger_free(ctx, dy);
    liger_free(ctx, dz);
    liger_kernel_release(k);
  }
}

/* ---- entry ------------------------------------------------------------------------------------ */

int exec_checks_warps(liger_context *ctx, const char *source_dir) {
  char warps[4096], lang[4096], layouts[4096], hints[4096];
  snprintf(warps, sizeof warps, "%s/tests/kernels/warps.py", source_dir);
  snprintf(hints, sizeof hints, "%s/tests/kernels/cache_hints.py", source_dir);
  snprintf(lang, sizeof lang, "%s/tests/kernels/lang.py", source_dir);
  snprintf(layouts, sizeof layouts, "%s/tests/kernels/layouts.py", source_dir);
  bool cpu = !strcmp(liger_context_target(ctx), "cpu");
  WARPS = cpu ? CPU_WARPS : ALL_WARPS;
  NWARPS = cpu ? 2 : 6;
  int before = failures;
  check_reduce2d(ctx, warps);
  check_scan2d(ctx, warps);
  check_dot(ctx, lang);
  check_shape_ops(ctx, lang);
  check_atomics(ctx, warps);
  check_loop(ctx, lang);
  check_layouts(ctx, layouts);
  check_bool(ctx, warps);
  check_cache_volatile(ctx, hints);
  return failures - before;
}
