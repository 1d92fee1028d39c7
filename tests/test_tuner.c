/*
 * test_tuner.c — measurement (autotune/bench.c) and runtime tuning (autotune/tuner.c,
 * runtime/kernel.c, kernels/op.c) on the CPU: medians and budgets, a user kernel with
 * @triton.autotune tuned under LIGER_TUNE=1, the first config without it, a database entry
 * used without measuring, the arch-level fallback, a config that fails to compile, an op
 * tuned in one context and used by another, no timing on an offline context, a bundle's
 * database consulted after the user's file, every config of the chunk-form op spaces (GLU,
 * the losses) giving the untuned results. CTest gives LIGER_TUNE_DB a fresh directory.
 */
#include "bundle.h"
#include "check.h"
#include "liger/liger.h"
#include "liger/ops.h"
#include "op.h"
#include "tuner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Three configs; REPEAT=1 (the second) does 400 to 4000 times less work than the others, so
 * that load on the machine cannot reverse the order. y = f^REPEAT(x), f(a) = a*0.5+1. */
static const char *src =
    "import triton\n"
    "import triton.language as tl\n"
    "\n"
    "@triton.autotune(configs=[triton.Config({'REPEAT': 4000}, num_warps=4),\n"
    "                          triton.Config({'REPEAT': 1}, num_warps=4),\n"
    "                          triton.Config({'REPEAT': 400}, num_warps=4)], key=['n'])\n"
    "@triton.jit\n"
    "def work(x_ptr, y_ptr, n, BLOCK: tl.constexpr, REPEAT: tl.constexpr):\n"
    "    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)\n"
    "    m = offs < n\n"
    "    acc = tl.load(x_ptr + offs, mask=m)\n"
    "    for i in range(REPEAT):\n"
    "        acc = acc * 0.5 + 1.0\n"
    "    tl.store(y_ptr + offs, acc, mask=m)\n";

/* The same with a config whose block is not a power of two: it cannot compile. */
static const char *src_bad =
    "import triton\n"
    "import triton.language as tl\n"
    "\n"
    "@triton.autotune(configs=[triton.Config({'BLOCK': 1000}), triton.Config({'BLOCK': 256}),\n"
    "                          triton.Config({'BLOCK': 512})], key=['n'])\n"
    "@triton.jit\n"
    "def copy(x_ptr, y_ptr, n, BLOCK: tl.constexpr):\n"
    "    offs = tl.program_id(0) * 512 + tl.arange(0, BLOCK)\n"
    "    m = offs < n\n"
    "    tl.store(y_ptr + offs, tl.load(x_ptr + offs, mask=m), mask=m)\n";

static char db_path[4096];

static int db_count(const char *kernel_prefix) {
  TuneDb *db = NULL;
  if (tune_db_load(db_path, TUNE_LOAD_MISSING_OK, NULL, NULL, &db, NULL) != LIGER_OK) return -1;
  int n = 0;
  for (int i = 0; i < tune_db_count(db); i++)
    if (!strncmp(tune_db_entry(db, i)->kernel, kernel_prefix, strlen(kernel_prefix))) n++;
  tune_db_free(db);
  return n;
}

static double expect(int repeat, float x) {
  float a = x;
  for (int i = 0; i < repeat; i++) a = a * 0.5f + 1.0f;
  return a;
}

/* Launches work() over n elements of x = 3; returns y[0] (or NAN on an error). */
static float run_work(liger_context *ctx, liger_kernel *k, int n) {
  float *x, *y;
  liger_malloc(ctx, sizeof(float) * (size_t)n, (void **)&x);
  liger_malloc(ctx, sizeof(float) * (size_t)n, (void **)&y);
  for (int i = 0; i < n; i++) x[i] = 3.0f, y[i] = 0;
  liger_arg a[] = {liger_arg_ptr(x, LIGER_F32), liger_arg_ptr(y, LIGER_F32), liger_arg_int(n)};
  uint32_t grid[3] = {(uint32_t)((n + 255) / 256), 1, 1};
  liger_status st = liger_launch(k, grid, NULL, a, 3);
  if (st) printf("launch: %s\n", liger_last_error());
  float r = st ? NAN : y[0];
  liger_free(ctx, x);
  liger_free(ctx, y);
  return r;
}

static liger_kernel *load(liger_context *ctx, const char *text, const char *name) {
  liger_constexpr c[] = {{"BLOCK", "256"}};
  liger_kernel *k = NULL;
  if (liger_kernel_load_source(ctx, text, "tuner_test.py", name, strcmp(name, "work") ? NULL : c,
                               strcmp(name, "work") ? 0 : 1, 0, &k))
    printf("load: %s\n", liger_last_error());
  return k;
}

static liger_status sleep_run(void *ud, void *stream) {
  (void)stream;
  long us = *(long *)ud;
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
  return LIGER_OK;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static liger_status fail_one(void *ud, int i, void *stream) {
  (void)ud;
  (void)stream;
  if (i == 1) return liger_malloc(NULL, 1, NULL); /* any failure with a message */
  return LIGER_OK;
}

static int tune_calls;
static liger_status count_tune(void *ud, char *best, size_t n) {
  (void)ud;
  tune_calls++;
  snprintf(best, n, "rows=8,warps=32");
  return LIGER_OK;
}

/* The database of a bundle: one entry of softmax.fwd at (bucket) on ctx's device. */
static char *bundle_db_text(liger_context *ctx, const char *bucket, const char *config, size_t *len) {
  TuneDevice d;
  tune_device_of(ctx, &d);
  TuneEntry e = {.vendor = d.vendor, .arch = d.arch, .model = d.model, .compiler = tune_compiler_id(),
                 .kernel = "softmax.fwd", .bucket = bucket, .config = config, .median_us = 1.5, .samples = 7};
  TuneDb *db = tune_db_new();
  char *text = NULL;
  if (!db || tune_db_put(db, &e, TUNE_PUT_REPLACE, NULL) || tune_db_serialize(db, &text, len)) text = NULL;
  tune_db_free(db);
  return text;
}

/* An offline context never times (runtime/dev_offline.c has no events, and runs nothing);
 * with tuning asked for, an op there plans with its default and launches once. */
static void test_offline(void) {
  liger_context *off = NULL;
  CHECK(liger_context_create("offline:cpu", &off) == LIGER_OK, "offline:cpu context");
  if (!off) return;
  TuneBench *b = (TuneBench *)1;
  liger_status st = tune_bench_create(off, NULL, 1 << 20, &b);
  CHECK(st == LIGER_ERR_UNSUPPORTED && !b && strstr(liger_last_error(), "offline"),
        "tune_bench_create refuses an offline context: %s", liger_last_error());
  liger_context *gpu = NULL;
  if (liger_context_create("offline:sm_90", &gpu) == LIGER_OK) {
    st = tune_bench_create(gpu, NULL, 0, &b);
    CHECK(st == LIGER_ERR_UNSUPPORTED && !b, "and offline:sm_90, whose back end has no events: %s",
          liger_last_error());
  }
  const char *cfgs[] = {"A=1", "A=2"};
  TuneTiming tm[2];
  int best = 0;
  CHECK(tune_measure(off, "unit@0000000000000000", "", cfgs, 2, fail_one, NULL, NULL, true, tm, &best) ==
            LIGER_ERR_UNSUPPORTED && best == -1,
        "tune_measure refuses it too");
  int before = db_count("softmax.fwd");
  setenv("LIGER_TUNE", "1", 1);
  liger_context *c2 = gpu ? gpu : off;
  enum { R = 16, C = 128 };
  int64_t shape[2] = {R, C};
  void *px = NULL, *py = NULL;
  liger_malloc(c2, sizeof(float) * R * C, &px);
  liger_malloc(c2, sizeof(float) * R * C, &py);
  DLTensor X = {.data = px, .device = {gpu ? kDLCUDA : kDLCPU, 0}, .ndim = 2, .shape = shape,
                .dtype = {kDLFloat, 32, 1}};
  DLTensor Y = X;
  Y.data = py;
  uint64_t l0 = 0, l1 = 0;
  liger_context_offline(c2, &l0);
  st = liger_softmax_forward(c2, NULL, &X, &Y);
  liger_context_offline(c2, &l1);
  CHECK(st == LIGER_OK && l1 - l0 == 1 && db_count("softmax.fwd") == before,
        "LIGER_TUNE=1 on an offline context: one launch, nothing measured (%s, %llu launches)",
        st ? liger_last_error() : "ok", (unsigned long long)(l1 - l0));
  unsetenv("LIGER_TUNE");
  liger_free(c2, px);
  liger_free(c2, py);
  liger_context_destroy(gpu);
  liger_context_destroy(off);
}

/* A bundle's tuning database is used after the user's file: a context whose file is empty
 * takes the bundle's config without measuring; an entry in the file wins over it. */
static void test_bundle_db(liger_context *ctx, const char *dir) {
  char empty[4200], bpath[4200];
  snprintf(empty, sizeof empty, "%s/empty.tunedb", dir);
  snprintf(bpath, sizeof bpath, "%s/tuned.lgb", dir);
  FILE *f = fopen(empty, "w");
  if (f) fclose(f);
  setenv("LIGER_TUNE_DB", empty, 1);
  const char *bucket = "cols=128,dtype=fp32,rows=16";
  size_t len = 0;
  char *text = bundle_db_text(ctx, bucket, "rows=2,warps=4", &len), *bytes = NULL;
  size_t blen = 0;
  CHECK(text && bundle_build(NULL, 0, text, len, NULL, &bytes, &blen) == LIGER_OK, "a bundle with a tuning database");
  f = fopen(bpath, "wb");
  CHECK(f && fwrite(bytes, 1, blen, f) == blen && fclose(f) == 0, "written to %s", bpath);
  free(bytes);
  char cfg[256] = "";
  CHECK(tune_lookup(ctx, "softmax.fwd", bucket, NULL, NULL, cfg, sizeof cfg, NULL) == TUNE_HIT_NONE,
        "before it is loaded: no entry");
  CHECK(liger_bundle_load(bpath) == LIGER_OK, "liger_bundle_load: %s", liger_last_error());
  double us = 0;
  TuneLevel lv = tune_lookup(ctx, "softmax.fwd", bucket, NULL, NULL, cfg, sizeof cfg, &us);
  CHECK(lv == TUNE_HIT_MODEL && !strcmp(cfg, "rows=2,warps=4") && us == 1.5,
        "tune_lookup finds the bundle's entry with an empty database file: '%s'", cfg);
  setenv("LIGER_TUNE", "1", 1);
  TuneMemo m;
  tune_memo_init(&m);
  tune_calls = 0;
  tune_decide(&m, ctx, "softmax.fwd", bucket, "", NULL, count_tune, NULL, cfg, sizeof cfg);
  CHECK(!strcmp(cfg, "rows=2,warps=4") && tune_calls == 0,
        "with LIGER_TUNE=1 the bundle's config is used without measuring ('%s', %d tunings)", cfg, tune_calls);
  tune_memo_free(&m);
  /* through the op: a fresh context, tuning asked for, and the database file stays empty */
  liger_context *c2 = NULL;
  liger_context_create("cpu", &c2);
  enum { R = 16, C = 128 };
  float *x = calloc(R * C, sizeof(float)), *y = calloc(R * C, sizeof(float));
  int64_t shape[2] = {R, C};
  DLTensor X = {.data = x, .device = {kDLCPU, 0}, .ndim = 2, .shape = shape, .dtype = {kDLFloat, 32, 1}};
  DLTensor Y = X;
  Y.data = y;
  liger_status st = c2 && x && y ? liger_softmax_forward(c2, NULL, &X, &Y) : LIGER_ERR_OUT_OF_MEMORY;
  struct stat sb;
  CHECK(st == LIGER_OK && fabsf(y[0] - 1.0f / C) < 1e-6f && stat(empty, &sb) == 0 && sb.st_size == 0,
        "softmax runs with it and nothing is measured (the file stays empty, y = %g)", y ? y[0] : -1);
  free(x);
  free(y);
  liger_context_destroy(c2);
  unsetenv("LIGER_TUNE");
  /* the user's file comes first */
  TuneDevice d;
  tune_device_of(ctx, &d);
  TuneEntry e = {.vendor = d.vendor, .arch = d.arch, .model = d.model, .compiler = tune_compiler_id(),
                 .kernel = "softmax.fwd", .bucket = bucket, .config = "rows=4,warps=8", .median_us = 9,
                 .samples = 1};
  CHECK(tune_db_add(empty, &e, 1, NULL) == LIGER_OK, "an entry in the user's file");
  lv = tune_lookup(ctx, "softmax.fwd", bucket, NULL, NULL, cfg, sizeof cfg, NULL);
  CHECK(lv == TUNE_HIT_MODEL && !strcmp(cfg, "rows=4,warps=8"),
        "wins over the bundle's (slower, but measured here): '%s'", cfg);
  free(text);
  setenv("LIGER_TUNE_DB", db_path, 1);
}

/* ---- the chunk-form op spaces: every config gives the untuned result ------------------------ */

/* 300 columns: chunks of 128 and 256 loop over a masked tail; the losses cut the warps to
 * about 16 elements a thread, so their spaces here have 3 configs (1 warp) */
enum { SR = 8, SC = 300 };

/* One variant on fresh inputs; its outputs into out (2 * SR * SC + 1 floats). */
static liger_status space_case(liger_context *ctx, const char *variant, float *out) {
  static float a[SR * SC], b[SR * SC], dc[SR * SC], o1[SR * SC], o2[SR * SC], loss[1], g[1];
  static int64_t tgt[SR];
  for (int i = 0; i < SR * SC; i++) {
    a[i] = (float)((i * 37) % 101) / 25.0f - 2.0f;
    b[i] = (float)((i * 53) % 97) / 30.0f - 1.6f;
    dc[i] = (float)((i * 29) % 89) / 44.0f - 1.0f;
    o1[i] = o2[i] = 0;
  }
  for (int r = 0; r < SR; r++) tgt[r] = (r * 41) % SC;
  loss[0] = 0, g[0] = -0.5f;
  int64_t sh[2] = {SR, SC}, sh1[1] = {1}, shr[1] = {SR};
  DLTensor A = {.data = a, .device = {kDLCPU, 0}, .ndim = 2, .shape = sh, .dtype = {kDLFloat, 32, 1}};
  DLTensor B = A, DC = A, O1 = A, O2 = A, L = A, G = A, T = A;
  B.data = b, DC.data = dc, O1.data = o1, O2.data = o2;
  L.data = loss, L.ndim = 1, L.shape = sh1;
  G.data = g, G.ndim = 1, G.shape = sh1;
  T.data = tgt, T.ndim = 1, T.shape = shr, T.dtype = (DLDataType){kDLInt, 64, 1};
  liger_status st = LIGER_ERR_INVALID_ARG;
  if (!strcmp(variant, "swiglu.fwd")) st = liger_swiglu_forward(ctx, NULL, &A, &B, &O1);
  if (!strcmp(variant, "swiglu.bwd")) st = liger_swiglu_backward(ctx, NULL, &DC, &A, &B, &O1, &O2);
  if (!strcmp(variant, "geglu.fwd")) st = liger_geglu_forward(ctx, NULL, &A, &B, &O1);
  if (!strcmp(variant, "geglu.bwd")) st = liger_geglu_backward(ctx, NULL, &DC, &A, &B, &O1, &O2);
  if (!strcmp(variant, "cross_entropy.fwd")) {
    memcpy(o1, a, sizeof a); /* the gradient is written over the logits */
    O1.data = o1;
    st = liger_cross_entropy_forward(ctx, NULL, &O1, &T, NULL, &L, NULL, NULL);
  }
  for (int i = 0; i < SR * SC; i++) b[i] = (b[i] + 1.7f) / (SC * 1.7f); /* probabilities for KL */
  if (!strcmp(variant, "kl_div.fwd"))
    st = liger_kl_div_forward(ctx, NULL, &A, &B, &O1, LIGER_KL_REDUCTION_NONE, 0, 1e-10f);
  if (!strcmp(variant, "kl_div.bwd"))
    st = liger_kl_div_backward(ctx, NULL, &B, NULL, &O1, LIGER_KL_REDUCTION_BATCHMEAN, 0);
  if (!strcmp(variant, "jsd.fwd") || !strcmp(variant, "jsd.bwd")) {
    for (int i = 0; i < SR * SC; i++) a[i] = a[i] / 4 - 6, dc[i] = dc[i] / 4 - 6; /* log-probabilities */
    st = liger_jsd_forward(ctx, NULL, &A, &DC, NULL, &L, &O1, 0.5f, -100);
    if (!st && !strcmp(variant, "jsd.bwd")) st = liger_jsd_backward(ctx, NULL, &O1, &G);
  }
  memcpy(out, o1, sizeof o1);
  memcpy(out + SR * SC, o2, sizeof o2);
  out[2 * SR * SC] = loss[0];
  return st;
}

/* The largest |x - ref| / (1 + |ref|). */
static double space_err(const float *x, const float *ref) {
  double e = 0;
  for (int i = 0; i < 2 * SR * SC + 1; i++) {
    double d = fabs((double)x[i] - ref[i]) / (1 + fabs((double)ref[i]));
    if (!(d <= e)) e = d; /* NaN wins */
  }
  return e;
}

static void test_op_spaces(void) {
  static const char *const variants[] = {"swiglu.fwd",    "swiglu.bwd", "geglu.fwd", "geglu.bwd", "cross_entropy.fwd",
                                         "kl_div.fwd",    "kl_div.bwd", "jsd.fwd",   "jsd.bwd"};
  const double tol = 1e-5; /* fp32: only the order of the row sums changes with the chunk */
  static float ref[2 * SR * SC + 1], got[2 * SR * SC + 1];
  liger_context *plain = NULL, *tuning = NULL;
  CHECK(liger_context_create("cpu", &plain) == LIGER_OK && liger_context_create("cpu", &tuning) == LIGER_OK,
        "two CPU contexts");
  if (!plain || !tuning) return;
  liger_context_set_tuning(tuning, 1);
  for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
    const char *var = variants[v];
    liger_status st = space_case(plain, var, ref);
    CHECK(st == LIGER_OK, "%s untuned: %s", var, st ? liger_last_error() : "ok");
    OpSpaceReport r;
    TuneBenchOpts o = {.samples = 1};
    st = op_space_tune(plain, var, LIGER_F32, SR, SC, &o, false, &r);
    CHECK(st == LIGER_OK && r.n >= 3 && !strncmp(r.bucket, "cols=512,dtype=fp32,rows=8", 26),
          "%s has a space of %d configs at bucket %s (%s)", var, r.n, r.bucket, st ? liger_last_error() : "ok");
    int bad = -1;
    double worst = 0;
    for (int i = 0; i < r.n; i++) {
      OpTune t;
      op_tune_parse(r.configs[i], &t);
      op_tune_force(&t);
      st = space_case(plain, var, got);
      op_tune_force(NULL);
      double e = st ? INFINITY : space_err(got, ref);
      if (!(e <= worst)) worst = e;
      if (!(e <= tol) && bad < 0) bad = i;
    }
    CHECK(bad < 0, "%s: every one of its %d configs (%s ... %s) matches the untuned result within %g (worst %g%s%s)",
          var, r.n, r.n ? r.configs[0] : "", r.n ? r.configs[r.n - 1] : "", tol, worst, bad >= 0 ? ", first bad " : "",
          bad >= 0 ? r.configs[bad] : "");
    op_space_report_free(&r);
    /* runtime tuning at the call's shape (the fixed plan's row is not the bucket), then its best */
    st = space_case(tuning, var, got);
    char cfg[256] = "";
    double med = 0;
    TuneLevel lv = tune_lookup(plain, var, "cols=512,dtype=fp32,rows=8", NULL, NULL, cfg, sizeof cfg, &med);
    int n = db_count(var);
    CHECK(st == LIGER_OK && space_err(got, ref) <= tol && n >= 3 && lv == TUNE_HIT_MODEL,
          "%s tuned by LIGER_TUNE at the call's bucket: %d timings, best %s, result within %g (%g)", var, n, cfg, tol,
          st ? INFINITY : space_err(got, ref));
  }
  liger_context_destroy(plain);
  liger_context_destroy(tuning);
}

int main(void) {
  if (tune_db_path(db_path, sizeof db_path) != LIGER_OK) {
    printf("no database path: set LIGER_TUNE_DB\n");
    return 1;
  }
  unlink(db_path);
  unsetenv("LIGER_TUNE");
  liger_context *ctx = NULL;
  CHECK(liger_context_create("cpu", &ctx) == LIGER_OK, "CPU context");
  if (!ctx) return check_summary();

  /* ---- measurement ---- */
  TuneBench *b = NULL;
  CHECK(tune_bench_create(ctx, NULL, 1 << 20, &b) == LIGER_OK, "bench session");
  long us = 2000;
  TuneBenchResult r;
  TuneBenchOpts o = {.warmup = 1, .samples = 9};
  CHECK(tune_bench_run(b, sleep_run, &us, &o, &r) == LIGER_OK && r.samples == 9 && !r.budget_hit,
        "9 samples of a 2 ms sleep (%d taken)", r.samples);
  CHECK(r.median_us >= 1900 && r.median_us < 20000 && r.min_us <= r.median_us && r.median_us <= r.max_us,
        "median %.1f us within [1900, 20000), min %.1f <= median <= max %.1f", r.median_us, r.min_us, r.max_us);
  us = 10000;
  o = (TuneBenchOpts){.warmup = -1, .samples = 100, .budget_ms = 45};
  double t0 = now_ms();
  liger_status st = tune_bench_run(b, sleep_run, &us, &o, &r);
  double took = now_ms() - t0;
  CHECK(st == LIGER_OK && r.budget_hit && r.samples >= 2 && r.samples <= 6,
        "a 45 ms budget stops 10 ms samples early: %d of 100 taken, budget_hit %d", r.samples, r.budget_hit);
  CHECK(took < 400, "and returns in %.0f ms", took);
  o = (TuneBenchOpts){.warmup = 5, .samples = 10, .budget_ms = 1};
  CHECK(tune_bench_run(b, sleep_run, &us, &o, &r) == LIGER_OK && r.samples == 1,
        "a budget spent in the warm-up still takes one sample (%d)", r.samples);
  double v[] = {5, 1, 4, 2};
  CHECK(tune_median(v, 4) == 3 && tune_median(v, 3) == 2, "median of an even count is the mean of the middle two");
  tune_bench_destroy(b);

  /* a config that fails is skipped with its reason; the others are measured */
  const char *cfgs[] = {"A=1", "A=2", "A=3"};
  TuneTiming tm[3];
  int best = -1;
  o = (TuneBenchOpts){.samples = 3};
  st = tune_measure(ctx, "unit@0000000000000000", "", cfgs, 3, fail_one, NULL, &o, false, tm, &best);
  CHECK(st == LIGER_OK && tm[1].why[0] && !tm[0].why[0] && tm[0].samples == 3 && best != 1,
        "tune_measure skips a failing config with a reason: '%s'", tm[1].why);

  /* ---- a user kernel: no LIGER_TUNE, empty database: the first config, nothing measured ---- */
  int n = 1 << 14;
  liger_kernel *k = load(ctx, src, "work");
  float y = run_work(ctx, k, n);
  CHECK(fabs(y - expect(4000, 3)) < 1e-3, "without tuning the first config (REPEAT=4000) runs: y = %g", y);
  struct stat sb;
  CHECK(stat(db_path, &sb) != 0, "and nothing was measured: no database was written");
  liger_kernel_release(k);

  /* ---- LIGER_TUNE=1: the three configs are timed, REPEAT=1 wins ---- */
  setenv("LIGER_TUNE", "1", 1);
  setenv("LIGER_TUNE_SAMPLES", "5", 1);
  k = load(ctx, src, "work");
  y = run_work(ctx, k, n);
  CHECK(fabs(y - expect(1, 3)) < 1e-4, "tuned: the fast config (REPEAT=1) runs: y = %g", y);
  CHECK(db_count("work@") == 3, "the database holds 3 entries of work@ (%d)", db_count("work@"));
  stat(db_path, &sb);
  struct timespec m0 = sb.st_mtim;
  y = run_work(ctx, k, n - 100); /* the same bucket: decided already, no second tuning */
  stat(db_path, &sb);
  CHECK(fabs(y - expect(1, 3)) < 1e-4 && sb.st_mtim.tv_nsec == m0.tv_nsec && sb.st_mtim.tv_sec == m0.tv_sec,
        "a second launch in the bucket reuses the decision");
  liger_kernel_release(k);
  unsetenv("LIGER_TUNE");

  /* ---- a database entry is used without measuring: make REPEAT=400 the fastest ---- */
  TuneDevice d;
  tune_device_of(ctx, &d);
  char bucket[64];
  TuneKeyVal kv = {"n", n, NULL};
  tune_bucket(&kv, 1, bucket, sizeof bucket);
  TuneDb *db = NULL;
  tune_db_load(db_path, 0, NULL, NULL, &db, NULL);
  const char *kkey = db && tune_db_count(db) ? tune_db_entry(db, 0)->kernel : "?";
  char kernel_key[96];
  snprintf(kernel_key, sizeof kernel_key, "%s", kkey);
  tune_db_free(db);
  TuneEntry e = {.vendor = d.vendor, .arch = d.arch, .model = d.model, .compiler = tune_compiler_id(),
                 .kernel = kernel_key, .bucket = bucket, .config = "REPEAT=400,num_warps=4", .median_us = 0.001,
                 .samples = 1};
  CHECK(tune_db_add(db_path, &e, 1, NULL) == LIGER_OK, "an entry making REPEAT=400 the fastest on this model");
  k = load(ctx, src, "work");
  y = run_work(ctx, k, n);
  CHECK(fabs(y - expect(400, 3)) < 1e-4, "the database's config (REPEAT=400) runs without tuning: y = %g", y);
  CHECK(db_count("work@") == 3, "nothing was measured (still 3 entries)");

  /* ---- the arch-level fallback: an entry of another model of this arch, another bucket ---- */
  kv.value = 4 * n;
  tune_bucket(&kv, 1, bucket, sizeof bucket);
  e.model = "some other CPU";
  e.bucket = bucket;
  tune_db_add(db_path, &e, 1, NULL);
  y = run_work(ctx, k, 4 * n);
  CHECK(fabs(y - expect(400, 3)) < 1e-4, "an arch-level entry (other model) is used: y = %g", y);
  e.model = d.model;
  e.config = "REPEAT=7,num_warps=4"; /* not a config of the kernel: ignored */
  kv.value = 2 * n;
  tune_bucket(&kv, 1, bucket, sizeof bucket);
  tune_db_add(db_path, &e, 1, NULL);
  y = run_work(ctx, k, 2 * n);
  CHECK(fabs(y - expect(4000, 3)) < 1e-3, "an entry outside the kernel's configs is ignored: the first config runs");
  liger_kernel_release(k);

  /* ---- a config that fails to compile is skipped while tuning ---- */
  setenv("LIGER_TUNE", "1", 1);
  k = load(ctx, src_bad, "copy");
  y = run_work(ctx, k, 1000);
  CHECK(y == 3.0f, "the kernel with a bad config still runs (y = %g)", y);
  CHECK(db_count("copy@") == 2, "two of its three configs were timed (%d entries)", db_count("copy@"));
  liger_kernel_release(k);
  unsetenv("LIGER_TUNE");

  /* ---- an op: tuned in one context (liger_context_set_tuning), used by another ---- */
  CHECK(liger_context_set_tuning(ctx, 1) == LIGER_OK, "liger_context_set_tuning(ctx, 1)");
  enum { R = 64, C = 256 };
  float *x = malloc(sizeof(float) * R * C), *yy = malloc(sizeof(float) * R * C), *w = malloc(sizeof(float) * C),
        rstd[R];
  for (int i = 0; i < R * C; i++) x[i] = (float)(i % 13) - 6;
  for (int i = 0; i < C; i++) w[i] = 1;
  int64_t shape[2] = {R, C}, wshape[1] = {C}, rshape[1] = {R};
  DLTensor X = {.data = x, .device = {kDLCPU, 0}, .ndim = 2, .shape = shape, .dtype = {kDLFloat, 32, 1}};
  DLTensor Y = X, W = X, RS = X;
  Y.data = yy;
  W.data = w, W.ndim = 1, W.shape = wshape;
  RS.data = rstd, RS.ndim = 1, RS.shape = rshape;
  st = liger_rms_norm_forward(ctx, NULL, &X, &W, &Y, &RS, 1e-6f, 0, LIGER_RMS_CAST_LLAMA);
  CHECK(st == LIGER_OK, "rms_norm forward with tuning on: %s", st ? liger_last_error() : "ok");
  int nop = db_count("rms_norm.fwd");
  CHECK(nop >= 2, "the op's space was timed: %d rms_norm.fwd entries", nop);
  liger_context *ctx2 = NULL;
  liger_context_create("cpu", &ctx2);
  char cfg[256];
  double med = 0;
  TuneLevel lv = tune_lookup(ctx2, "rms_norm.fwd", "cols=256,dtype=fp32,rows=64", NULL, NULL, cfg, sizeof cfg, &med);
  CHECK(lv == TUNE_HIT_MODEL, "a second context finds it at the model level: %s (%.3f us)", cfg, med);
  memset(yy, 0, sizeof(float) * R * C);
  st = liger_rms_norm_forward(ctx2, NULL, &X, &W, &Y, &RS, 1e-6f, 0, LIGER_RMS_CAST_LLAMA);
  double ss = 0;
  for (int j = 0; j < C; j++) ss += (double)x[j] * x[j];
  double want = x[1] / sqrt(ss / C + 1e-6);
  CHECK(st == LIGER_OK && fabs(yy[1] - want) < 1e-4 && db_count("rms_norm.fwd") == nop,
        "and runs with it, without measuring (y = %g, expected %g)", yy[1], want);
  liger_context_destroy(ctx2);
  free(x);
  free(yy);
  free(w);

  test_offline();
  test_op_spaces();
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", db_path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0;
  test_bundle_db(ctx, slash ? dir : ".");
  liger_context_destroy(ctx);
  return check_summary();
}
