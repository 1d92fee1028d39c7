/*
 * exec_checks_promo.c — the run-time side of Triton's type promotion, executed through the
 * public API on one device (called from exec_checks_run, so it runs in test_cpu_exec and
 * test_gpu_exec): tests/kernels/promotion.py against C references written here.
 *
 * What the references encode (spec/triton.md §1.4, §1.9 and Triton's semantic.py):
 *   - // and % on integer tensors are C's: truncation toward zero, remainder with the sign
 *     of the dividend (sdiv/srem, udiv/urem), unlike Python's floor on constexprs;
 *   - fp16 / fp16 is computed in fp32 (IEEE division), then rounded to nearest even only
 *     where it is stored to fp16; fp16 % fp16 is C's fmod in fp32;
 *   - arithmetic stays in the promoted type and wraps (int8 + int8, int8 * 2, -(-128),
 *     uint8 0 - 1), while an int32 runtime argument widens it;
 *   - comparisons promote first: uint32 with int32 compares as uint32, uint8 with the
 *     literal -1 as int32, fp16 with 0.1 in fp32;
 *   - >> is arithmetic when its left operand is signed, even if the promoted type is not;
 *   - fp16 with bf16 computes in fp16; int64 / int64 computes in fp32.
 * Every comparison is exact (bit for bit): no case here depends on a rounding the C side
 * does not reproduce. Shifts by the bit width or more are left out: Triton calls them
 * undefined (core.check_bit_width warns) and so does LLVM.
 */
#include "exec_checks.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exec_util.h"

enum { N = 1000, BLOCK = 256, TAIL = 64 };
static const uint32_t SENTINEL = 0xA5A5A5A5u;


static uint32_t rng_state;
static uint32_t rng(void) { return xorshift32(&rng_state); }

/* ---- 16-bit floats on the host ------------------------------------------------------------ */

static double f16_to_f64(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m | 0x400, e - 25);
  return h & 0x8000 ? -v : v;
}

/* Rounds a double to fp16, to nearest even (nearbyint under the default rounding mode). */
static uint16_t f64_to_f16(double d) {
  uint16_t sign = signbit(d) ? 0x8000 : 0;
  d = fabs(d);
  if (isnan(d)) return sign | 0x7e00;
  if (d >= 65520.0) return sign | 0x7c00; /* 65504 is the largest; 65520 rounds to even: inf */
  if (d < 0x1p-14) return sign | (uint16_t)nearbyint(d * 0x1p24); /* subnormal (1024 = the smallest normal) */
  int e;
  frexp(d, &e);
  double q = nearbyint(ldexp(d, 11 - e)); /* 1024..2048 */
  int E = e - 1;
  if (q == 2048) q = 1024, E++;
  if (E > 15) return sign | 0x7c00;
  return sign | (uint16_t)((E + 15) << 10) | (uint16_t)((int)q - 1024);
}

/* Arithmetic shift right, spelled out (>> on a negative int is implementation-defined in C). */
static int64_t asr(int64_t v, unsigned s) { return v < 0 ? ~(~v >> s) : v >> s; }

/* ---- running a kernel ------------------------------------------------------------------------ */

typedef struct Buf {
  void *host, *dev;
  size_t bytes;
} Buf;

/* A device copy of `host` (n elements of `size` bytes); outputs get TAIL sentinel words. */
static bool buf_in(liger_context *ctx, Buf *b, void *host, size_t bytes) {
  b->host = host;
  b->bytes = bytes;
  b->dev = NULL;
  return api_ok(liger_malloc(ctx, bytes, &b->dev), "liger_malloc") &&
         api_ok(liger_memcpy_htod(ctx, b->dev, host, bytes), "liger_memcpy_htod");
}

static bool buf_out(liger_context *ctx, Buf *b, size_t bytes) {
  size_t total = bytes + TAIL * sizeof(uint32_t);
  uint32_t *h = malloc(total);
  if (!h) return false;
  for (size_t i = 0; i < total / sizeof(uint32_t); i++) h[i] = SENTINEL;
  return buf_in(ctx, b, h, total);
}

static bool buf_read(liger_context *ctx, Buf *b) {
  return api_ok(liger_memcpy_dtoh(ctx, b->host, b->dev, b->bytes), "liger_memcpy_dtoh");
}

/* The sentinel words past the last row are untouched (the masks held). */
static bool tail_intact(const Buf *b) {
  const uint32_t *t = (const uint32_t *)((const char *)b->host + b->bytes) - TAIL;
  for (int i = 0; i < TAIL; i++)
    if (t[i] != SENTINEL) return false;
  return true;
}

static void buf_free(liger_context *ctx, Buf *b, bool owned) {
  if (b->dev) liger_free(ctx, b->dev);
  if (owned) free(b->host);
  b->dev = NULL;
}

static bool launch(liger_context *ctx, const char *path, const char *name, liger_arg *args, int nargs) {
  liger_constexpr c = {"BLOCK", "256"};
  liger_kernel *k = NULL;
  char what[128];
  snprintf(what, sizeof what, "load %s", name);
  if (!api_ok(liger_kernel_load(ctx, path, name, &c, 1, 0, &k), what)) return false;
  uint32_t grid[3] = {(N + BLOCK - 1) / BLOCK, 1, 1};
  snprintf(what, sizeof what, "launch %s", name);
  bool ok = api_ok(liger_launch(k, grid, NULL, args, nargs), what) && api_ok(liger_synchronize(ctx, NULL), "sync");
  liger_kernel_release(k);
  return ok;
}

/* ---- the checks ------------------------------------------------------------------------------ */

static void check_int_divmod(liger_context *ctx, const char *path) {
  static int32_t x[N], y[N];
  rng_state = 0x1234567u;
  for (int i = 0; i < N; i++) {
    int mag = i % 4;
    x[i] = mag == 0 ? (int32_t)(rng() % 41) - 20 : mag == 1 ? (int32_t)rng() : (int32_t)(rng() % 20001) - 10000;
    do y[i] = i % 3 == 0 ? (int32_t)(rng() % 13) - 6 : (int32_t)(rng() % 2001) - 1000;
    while (y[i] == 0 || y[i] == -1);
  }
  x[0] = INT32_MIN, x[1] = INT32_MAX, x[2] = -7, y[2] = 2, x[3] = 7, y[3] = -2, x[4] = -7, y[4] = -2;
  Buf bx = {0}, by = {0}, bo = {0};
  if (buf_in(ctx, &bx, x, sizeof x) && buf_in(ctx, &by, y, sizeof y) && buf_out(ctx, &bo, 6 * sizeof x)) {
    liger_arg a[4] = {liger_arg_ptr(bx.dev, LIGER_I32), liger_arg_ptr(by.dev, LIGER_I32), liger_arg_ptr(bo.dev, LIGER_I32),
                      liger_arg_int(N)};
    if (launch(ctx, path, "int_divmod_kernel", a, 4) && buf_read(ctx, &bo)) {
      const int32_t *o = bo.host;
      int bad[6] = {0};
      for (int i = 0; i < N; i++) {
        bad[0] += o[i] != x[i] / y[i]; /* C99: truncation */
        bad[1] += o[N + i] != x[i] % y[i];
        bad[2] += o[2 * N + i] != x[i] / -3;
        bad[3] += o[3 * N + i] != x[i] % -3;
        bad[4] += o[4 * N + i] != x[i] / 4;
        bad[5] += o[5 * N + i] != x[i] % 4;
      }
      CHECK(!bad[0] && !bad[1], "int32 x // y, x %% y truncate like C (-7 // 2 = %d, -7 %% 2 = %d) (%d, %d wrong)", o[2],
            o[N + 2], bad[0], bad[1]);
      CHECK(!bad[2] && !bad[3] && !bad[4] && !bad[5],
            "int32 // and %% by the literals -3 and 4 (%d, %d, %d, %d wrong)", bad[2], bad[3], bad[4], bad[5]);
      CHECK(tail_intact(&bo), "int_divmod_kernel writes nothing past its rows");
    }
  }
  buf_free(ctx, &bx, false);
  buf_free(ctx, &by, false);
  buf_free(ctx, &bo, true);
}

static void check_uint_divmod(liger_context *ctx, const char *path) {
  static uint32_t x[N], y[N];
  rng_state = 0xabcdefu;
  for (int i = 0; i < N; i++) {
    x[i] = rng() | (i % 2 ? 0x80000000u : 0);
    do y[i] = i % 3 == 0 ? rng() % 17 : i % 3 == 1 ? rng() : rng() >> (rng() % 31);
    while (y[i] == 0);
  }
  Buf bx = {0}, by = {0}, bo = {0};
  if (buf_in(ctx, &bx, x, sizeof x) && buf_in(ctx, &by, y, sizeof y) && buf_out(ctx, &bo, 2 * sizeof x)) {
    liger_arg a[4] = {liger_arg_ptr(bx.dev, LIGER_U32), liger_arg_ptr(by.dev, LIGER_U32), liger_arg_ptr(bo.dev, LIGER_U32),
                      liger_arg_int(N)};
    if (launch(ctx, path, "uint_divmod_kernel", a, 4) && buf_read(ctx, &bo)) {
      const uint32_t *o = bo.host;
      int bad = 0;
      for (int i = 0; i < N; i++) bad += o[i] != x[i] / y[i] || o[N + i] != x[i] % y[i];
      CHECK(bad == 0 && tail_intact(&bo), "uint32 // and %% are unsigned above 2**31 (%d wrong)", bad);
    }
  }
  buf_free(ctx, &bx, false);
  buf_free(ctx, &by, false);
  buf_free(ctx, &bo, true);
}

/* A random finite fp16 with |v| in [lo, hi]. */
static uint16_t rand_f16(double lo, double hi) {
  for (;;) {
    uint16_t h = (uint16_t)rng();
    double v = fabs(f16_to_f64(h));
    if (v >= lo && v <= hi) return h;
  }
}

/* Triton's `/` on fp32 is div.full.f32 on NVIDIA: within 2 ulp of the IEEE quotient (PTX ISA),
 * exact elsewhere. Whether `ctx` divides that way, and how many ulp a quotient may be off. */
static int div_ulps(liger_context *ctx) { return !strncmp(liger_context_target(ctx), "sm_", 3) ? 2 : 0; }

/* Distance in units in the last place between two finite floats of the same sign. */
static uint32_t ulp_dist(float a, float b) {
  uint32_t x = f32_bits(a), y = f32_bits(b);
  if ((x ^ y) & 0x80000000u) return x == y ? 0 : UINT32_MAX;
  return x > y ? x - y : y - x;
}

static void check_half_div(liger_context *ctx, const char *path) {
  static uint16_t x[N], y[N];
  rng_state = 0x5eed5u;
  for (int i = 0; i < N; i++) {
    x[i] = rand_f16(0x1p-14, 64.0);
    y[i] = rand_f16(1.0, 64.0); /* |x / y| < 64: see the fmod note below */
  }
  Buf bx = {0}, by = {0}, bq = {0}, bh = {0}, br = {0};
  if (buf_in(ctx, &bx, x, sizeof x) && buf_in(ctx, &by, y, sizeof y) && buf_out(ctx, &bq, N * sizeof(float)) &&
      buf_out(ctx, &bh, N * sizeof(uint16_t)) && buf_out(ctx, &br, N * sizeof(float))) {
    liger_arg a[6] = {liger_arg_ptr(bx.dev, LIGER_F16), liger_arg_ptr(by.dev, LIGER_F16), liger_arg_ptr(bq.dev, LIGER_F32),
                      liger_arg_ptr(bh.dev, LIGER_F16), liger_arg_ptr(br.dev, LIGER_F32), liger_arg_int(N)};
    if (launch(ctx, path, "half_div_kernel", a, 6) && buf_read(ctx, &bq) && buf_read(ctx, &bh) && buf_read(ctx, &br)) {
      const float *q = bq.host, *r = br.host;
      const uint16_t *h = bh.host;
      int bad_q = 0, bad_h = 0, bad_r = 0, not_half = 0;
      for (int i = 0; i < N; i++) {
        float fx = (float)f16_to_f64(x[i]), fy = (float)f16_to_f64(y[i]);
        float want = fx / fy; /* IEEE fp32 division (NVIDIA: within 2 ulp of it) */
        bad_q += ulp_dist(q[i], want) > (uint32_t)div_ulps(ctx);
        bad_h += h[i] != f64_to_f16(q[i]); /* the store rounds the quotient the kernel has */
        /* fmod is exact; on GPUs frem may be x - trunc(x / y) * y, which is exact too while
         * the quotient stays small, hence |x / y| < 64 */
        bad_r += f32_bits(r[i]) != f32_bits(fmodf(fx, fy));
        not_half += f16_to_f64(f64_to_f16(want)) != (double)want;
      }
      CHECK(bad_q == 0 && not_half > N / 2,
            "fp16 / fp16 is an fp32 quotient, within %d ulp of IEEE's (%d wrong; %d of %d not representable in fp16)",
            div_ulps(ctx), bad_q, not_half, N);
      CHECK(bad_h == 0, "fp16 / fp16 stored to fp16 rounds the fp32 quotient to nearest even (%d wrong)", bad_h);
      CHECK(bad_r == 0, "fp16 %% fp16 is fmod in fp32: the sign of the dividend (%d wrong)", bad_r);
      CHECK(tail_intact(&bq) && tail_intact(&bh) && tail_intact(&br), "half_div_kernel writes nothing past n");
    }
  }
  buf_free(ctx, &bx, false);
  buf_free(ctx, &by, false);
  buf_free(ctx, &bq, true);
  buf_free(ctx, &bh, true);
  buf_free(ctx, &br, true);
}

static void check_int8_wrap(liger_context *ctx, const char *path) {
  static int8_t a[N], b[N];
  rng_state = 0x8badf00du;
  for (int i = 0; i < N; i++) {
    a[i] = (int8_t)rng();
    b[i] = (int8_t)rng();
  }
  a[0] = 127, b[0] = 1, a[1] = -128, b[1] = -1, a[2] = 0, a[3] = 100;
  Buf ba = {0}, bb = {0}, bo = {0};
  if (buf_in(ctx, &ba, a, sizeof a) && buf_in(ctx, &bb, b, sizeof b) && buf_out(ctx, &bo, 5 * N * sizeof(int32_t))) {
    liger_arg args[4] = {liger_arg_ptr(ba.dev, LIGER_I8), liger_arg_ptr(bb.dev, LIGER_I8), liger_arg_ptr(bo.dev, LIGER_I32),
                         liger_arg_int(N)};
    if (launch(ctx, path, "int8_wrap_kernel", args, 4) && buf_read(ctx, &bo)) {
      const int32_t *o = bo.host;
      int bad[5] = {0};
      for (int i = 0; i < N; i++) {
        bad[0] += o[i] != (int8_t)(uint8_t)(a[i] + b[i]);
        bad[1] += o[N + i] != (int8_t)(uint8_t)(a[i] * 2);
        bad[2] += o[2 * N + i] != (int8_t)(uint8_t)(-a[i]);
        bad[3] += o[3 * N + i] != (uint8_t)((uint8_t)a[i] - 1);
        bad[4] += o[4 * N + i] != a[i] + N;
      }
      CHECK(!bad[0] && !bad[1] && !bad[2], "int8 + int8, int8 * 2, -int8 wrap in int8 (127 + 1 = %d, -(-128) = %d) (%d, %d, %d wrong)",
            o[0], o[2 * N + 1], bad[0], bad[1], bad[2]);
      CHECK(!bad[3], "uint8 0 - 1 = %d (%d wrong)", o[3 * N + 2], bad[3]);
      CHECK(!bad[4], "int8 + an int32 argument computes in int32, no wrap (%d wrong)", bad[4]);
      CHECK(tail_intact(&bo), "int8_wrap_kernel writes nothing past its rows");
    }
  }
  buf_free(ctx, &ba, false);
  buf_free(ctx, &bb, false);
  buf_free(ctx, &bo, true);
}

static void check_cmp(liger_context *ctx, const char *path) {
  static uint32_t u[N], v[N];
  static int32_t s[N];
  static uint16_t h[N];
  rng_state = 0xc0ffeeu;
  const uint16_t tenth = f64_to_f16(0.1); /* 0.0999755859375 */
  for (int i = 0; i < N; i++) {
    u[i] = rng() ^ (i % 2 ? 0x80000000u : 0);
    v[i] = i % 5 == 0 ? u[i] : rng();
    s[i] = i % 7 == 0 ? INT32_MAX : (int32_t)rng();
    h[i] = (uint16_t)(tenth + (int)(rng() % 5) - 2); /* 0.1's fp16 neighbours and itself */
  }
  u[0] = 0xFFFFFFFFu, u[1] = 1, s[1] = -1, u[2] = 0;
  Buf bu = {0}, bv = {0}, bs = {0}, bh = {0}, bo = {0};
  if (buf_in(ctx, &bu, u, sizeof u) && buf_in(ctx, &bv, v, sizeof v) && buf_in(ctx, &bs, s, sizeof s) &&
      buf_in(ctx, &bh, h, sizeof h) && buf_out(ctx, &bo, N * sizeof(int32_t))) {
    liger_arg a[6] = {liger_arg_ptr(bu.dev, LIGER_U32), liger_arg_ptr(bv.dev, LIGER_U32), liger_arg_ptr(bs.dev, LIGER_I32),
                      liger_arg_ptr(bh.dev, LIGER_F16),  liger_arg_ptr(bo.dev, LIGER_I32), liger_arg_int(N)};
    if (launch(ctx, path, "cmp_kernel", a, 6) && buf_read(ctx, &bo)) {
      const int32_t *o = bo.host;
      int bad[7] = {0};
      for (int i = 0; i < N; i++) {
        float hf = (float)f16_to_f64(h[i]);
        int want[7] = {u[i] < v[i], u[i] < (uint32_t)s[i], u[i] < 0xFFFFFFFFu, 1 /* (int32)(uint8)u > -1 */,
                       hf == 0.1f, hf < 0.1f, s[i] >= INT32_MAX};
        for (int k = 0; k < 7; k++) bad[k] += ((o[i] >> k) & 1) != want[k];
      }
      CHECK(!bad[0] && !bad[1], "uint32 < uint32 and uint32 < int32 compare unsigned (%d, %d wrong)", bad[0], bad[1]);
      CHECK(!bad[2] && !bad[3], "uint32 < -1 compares with 0xFFFFFFFF, uint8 > -1 in int32 (%d, %d wrong)", bad[2], bad[3]);
      CHECK(!bad[4] && !bad[5], "fp16 == 0.1 and fp16 < 0.1 compare in fp32 (%d, %d wrong)", bad[4], bad[5]);
      CHECK(!bad[6] && tail_intact(&bo), "int32 >= 2**31 - 1 (%d wrong)", bad[6]);
    }
  }
  buf_free(ctx, &bu, false);
  buf_free(ctx, &bv, false);
  buf_free(ctx, &bs, false);
  buf_free(ctx, &bh, false);
  buf_free(ctx, &bo, true);
}

static void check_shift(liger_context *ctx, const char *path) {
  static int32_t x[N];
  static uint32_t u[N], s[N];
  rng_state = 0xdeadbeefu;
  for (int i = 0; i < N; i++) {
    x[i] = (int32_t)rng();
    u[i] = rng() | (i % 2 ? 0x80000000u : 0);
    s[i] = rng() % 32;
  }
  x[0] = -1, x[1] = INT32_MIN, s[1] = 31;
  Buf bx = {0}, bu = {0}, bs = {0}, bo = {0};
  if (buf_in(ctx, &bx, x, sizeof x) && buf_in(ctx, &bu, u, sizeof u) && buf_in(ctx, &bs, s, sizeof s) &&
      buf_out(ctx, &bo, 6 * N * sizeof(int32_t))) {
    liger_arg a[5] = {liger_arg_ptr(bx.dev, LIGER_I32), liger_arg_ptr(bu.dev, LIGER_U32), liger_arg_ptr(bs.dev, LIGER_U32),
                      liger_arg_ptr(bo.dev, LIGER_I32), liger_arg_int(N)};
    if (launch(ctx, path, "shift_kernel", a, 5) && buf_read(ctx, &bo)) {
      const uint32_t *o = bo.host;
      int bad[6] = {0};
      for (int i = 0; i < N; i++) {
        bad[0] += o[i] != (uint32_t)asr(x[i], 3);
        bad[1] += o[N + i] != u[i] >> 3;
        bad[2] += o[2 * N + i] != (uint32_t)asr(x[i], s[i]);
        bad[3] += o[3 * N + i] != u[i] >> s[i];
        bad[4] += o[4 * N + i] != (uint32_t)x[i] << s[i];
        bad[5] += o[5 * N + i] != (uint32_t)asr((int8_t)(uint8_t)x[i], 1);
      }
      CHECK(!bad[0] && !bad[1], "int32 >> 3 is arithmetic, uint32 >> 3 logical (%d, %d wrong)", bad[0], bad[1]);
      CHECK(!bad[2], "int32 >> uint32: a uint32 result, shifted arithmetically as the left operand is signed (%d wrong)",
            bad[2]);
      CHECK(!bad[3] && !bad[4] && !bad[5], "uint32 >> int32 logical, int32 << uint32, int8 >> 1 (%d, %d, %d wrong)", bad[3],
            bad[4], bad[5]);
      CHECK(tail_intact(&bo), "shift_kernel writes nothing past its rows");
    }
  }
  buf_free(ctx, &bx, false);
  buf_free(ctx, &bu, false);
  buf_free(ctx, &bs, false);
  buf_free(ctx, &bo, true);
}

static void check_mixed_half(liger_context *ctx, const char *path) {
  static uint16_t h[N], b[N];
  rng_state = 0xbf16f16u;
  static const float big[] = {1e5f, -7e4f, 65504.0f, 65520.0f, 3e38f, 1e-6f, 1e-9f, 0.3f};
  for (int i = 0; i < N; i++) {
    h[i] = rand_f16(0x1p-10, 1000.0);
    float f = i % 4 == 0 ? big[(i / 4) % 8] : (float)(int)(rng() % 2001 - 1000) / 8.0f;
    uint32_t bits = f32_bits(f);
    b[i] = (uint16_t)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16); /* bf16, nearest even */
  }
  Buf bh = {0}, bb = {0}, bo = {0};
  if (buf_in(ctx, &bh, h, sizeof h) && buf_in(ctx, &bb, b, sizeof b) && buf_out(ctx, &bo, N * sizeof(float))) {
    liger_arg a[4] = {liger_arg_ptr(bh.dev, LIGER_F16), liger_arg_ptr(bb.dev, LIGER_BF16), liger_arg_ptr(bo.dev, LIGER_F32),
                      liger_arg_int(N)};
    if (launch(ctx, path, "mixed_half_kernel", a, 4) && buf_read(ctx, &bo)) {
      const float *o = bo.host;
      int bad = 0, inf = 0;
      for (int i = 0; i < N; i++) {
        /* bf16 → fp16 (through fp32, exact), then an fp16 add: exact in double, rounded once */
        double bh16 = f16_to_f64(f64_to_f16(bf16_to_f32(b[i])));
        float want = (float)f16_to_f64(f64_to_f16(f16_to_f64(h[i]) + bh16));
        bad += f32_bits(o[i]) != f32_bits(want);
        inf += isinf(o[i]);
      }
      CHECK(bad == 0 && inf > 0 && tail_intact(&bo),
            "fp16 + bf16 computes in fp16: bf16 values beyond 65504 give inf (%d wrong, %d inf)", bad, inf);
    }
  }
  buf_free(ctx, &bh, false);
  buf_free(ctx, &bb, false);
  buf_free(ctx, &bo, true);
}

static void check_int_truediv(liger_context *ctx, const char *path) {
  static int64_t a[N], b[N];
  rng_state = 0x64646464u;
  for (int i = 0; i < N; i++) {
    a[i] = (int64_t)(((uint64_t)rng() << 32) | rng()) >> (rng() % 40);
    do b[i] = (int64_t)(rng() % 2000) - 1000;
    while (b[i] == 0);
  }
  a[0] = (1ll << 40) + 1, b[0] = 1; /* not representable in fp32: 2**40 */
  Buf ba = {0}, bb = {0}, bo = {0};
  if (buf_in(ctx, &ba, a, sizeof a) && buf_in(ctx, &bb, b, sizeof b) && buf_out(ctx, &bo, N * sizeof(double))) {
    liger_arg args[4] = {liger_arg_ptr(ba.dev, LIGER_I64), liger_arg_ptr(bb.dev, LIGER_I64), liger_arg_ptr(bo.dev, LIGER_F64),
                         liger_arg_int(N)};
    if (launch(ctx, path, "int_truediv_kernel", args, 4) && buf_read(ctx, &bo)) {
      const double *o = bo.host;
      int bad = 0;
      for (int i = 0; i < N; i++) /* an fp32 quotient (NVIDIA: within 2 ulp), widened exactly */
        bad += (double)(float)o[i] != o[i] || ulp_dist((float)o[i], (float)a[i] / (float)b[i]) > (uint32_t)div_ulps(ctx);
      CHECK(bad == 0 && tail_intact(&bo), "int64 / int64 is computed in fp32 ((2**40 + 1) / 1 = %.1f) (%d wrong)", o[0], bad);
    }
  }
  buf_free(ctx, &ba, false);
  buf_free(ctx, &bb, false);
  buf_free(ctx, &bo, true);
}

/* x / y and tl.fdiv: within div_ulps of IEEE (exact off NVIDIA); tl.div_rn and
 * tl.fdiv(ieee_rounding=True): IEEE on every target. Magnitudes from 2^-30 to 2^30. */
static void check_division(liger_context *ctx, const char *path) {
  static float x[N], y[N];
  rng_state = 0xd1d1u;
  for (int i = 0; i < N; i++) {
    x[i] = ldexpf(1.0f + (float)(rng() % 1000000) / 1e6f, (int)(rng() % 61) - 30) * (rng() & 1 ? -1.0f : 1.0f);
    y[i] = ldexpf(1.0f + (float)(rng() % 1000000) / 1e6f, (int)(rng() % 61) - 30);
  }
  Buf bx = {0}, by = {0}, bo = {0};
  if (buf_in(ctx, &bx, x, sizeof x) && buf_in(ctx, &by, y, sizeof y) && buf_out(ctx, &bo, 4 * N * sizeof(float))) {
    liger_arg a[4] = {liger_arg_ptr(bx.dev, LIGER_F32), liger_arg_ptr(by.dev, LIGER_F32), liger_arg_ptr(bo.dev, LIGER_F32),
                      liger_arg_int(N)};
    if (launch(ctx, path, "division_kernel", a, 4) && buf_read(ctx, &bo)) {
      const float *o = bo.host;
      int bad[4] = {0};
      for (int i = 0; i < N; i++) {
        float want = x[i] / y[i];
        for (int k = 0; k < 4; k++) bad[k] += ulp_dist(o[k * N + i], want) > (uint32_t)(k < 2 ? div_ulps(ctx) : 0);
      }
      CHECK(!bad[0] && !bad[1], "fp32 x / y and tl.fdiv(x, y) within %d ulp of IEEE (%d, %d wrong)", div_ulps(ctx), bad[0],
            bad[1]);
      CHECK(!bad[2] && !bad[3], "tl.div_rn and tl.fdiv(ieee_rounding=True) are IEEE division (%d, %d wrong)", bad[2],
            bad[3]);
      CHECK(tail_intact(&bo), "division_kernel writes nothing past its outputs");
    }
  }
  buf_free(ctx, &bx, false);
  buf_free(ctx, &by, false);
  buf_free(ctx, &bo, true);
}

/* ---- entry ----------------------------------------------------------------------------------- */

int exec_checks_promo(liger_context *ctx, const char *source_dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/promotion.py", source_dir);
  check_int_divmod(ctx, path);
  check_uint_divmod(ctx, path);
  check_half_div(ctx, path);
  check_int8_wrap(ctx, path);
  check_cmp(ctx, path);
  check_shift(ctx, path);
  check_mixed_half(ctx, path);
  check_int_truediv(ctx, path);
  check_division(ctx, path);
  return failures;
}
