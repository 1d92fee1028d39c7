/*
 * liger-demo — the main job: compiles the example kernels for every target (sm_90, gfx942,
 * the host CPU), runs them on the best device present (the GPU if there is one, else the
 * CPU), checks every result against a C reference, and prints a table.
 * Exits 1 if anything failed or did not verify.
 */
#include "liger/liger.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *src_dir = LIGER_SOURCE_DIR;
static int failures = 0;

static void row(const char *kernel, const char *target, const char *what, const char *verified, double ms) {
  if (ms >= 0) printf("| %-8s | %-7s | %-34s | %-8s | %9.3f ms |\n", kernel, target, what, verified, ms);
  else printf("| %-8s | %-7s | %-34s | %-8s | %12s |\n", kernel, target, what, verified, "-");
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void compile_all(const char *file, const char *name, const char *block, const char *sig) {
  static const struct { const char *target; liger_emit emit; const char *what; } jobs[] = {
      {"sm_90", LIGER_EMIT_PTX, "PTX"},      {"sm_90", LIGER_EMIT_CUBIN, "cubin (nvJitLink)"},
      {"gfx942", LIGER_EMIT_HSACO, "hsaco"}, {"cpu", LIGER_EMIT_OBJ, "host object"},
  };
  char path[1024];
  snprintf(path, sizeof path, "%s/kernels/examples/%s", src_dir, file);
  liger_constexpr c = {"BLOCK", block};
  for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
    liger_compile_options o = {.path = path, .target = jobs[i].target, .emit = jobs[i].emit, .signature = sig,
                               .consts = &c, .nconsts = 1};
    char *out;
    size_t len;
    double t0 = now_ms();
    liger_status st = liger_compile(&o, &out, &len);
    double dt = now_ms() - t0;
    char what[96];
    if (st == LIGER_OK) {
      snprintf(what, sizeof what, "compile: %s, %zu bytes", jobs[i].what, len);
      row(name, jobs[i].target, what, "built", dt);
      liger_free_host(out);
    } else if (st == LIGER_ERR_NO_DEVICE) {
      snprintf(what, sizeof what, "compile: %s (no nvJitLink here)", jobs[i].what);
      row(name, jobs[i].target, what, "skipped", -1);
    } else {
      snprintf(what, sizeof what, "compile: %s FAILED", jobs[i].what);
      row(name, jobs[i].target, what, "NO", -1);
      fprintf(stderr, "%s\n", liger_last_error());
      failures++;
    }
  }
}

#define CHECK(call)                                                                            \
  do {                                                                                         \
    liger_status st_ = (call);                                                                 \
    if (st_ != LIGER_OK) {                                                                     \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, liger_last_error()); \
      failures++;                                                                              \
      return;                                                                                  \
    }                                                                                          \
  } while (0)

/* Median wall time of `reps` launches, each followed by a device synchronisation. */
static double time_launch(liger_context *ctx, liger_kernel *k, const uint32_t grid[3], const liger_arg *args, int n, int reps) {
  double *t = malloc(sizeof(double) * (size_t)reps);
  for (int r = 0; r < reps; r++) {
    double t0 = now_ms();
    liger_launch(k, grid, NULL, args, n);
    liger_synchronize(ctx, NULL);
    t[r] = now_ms() - t0;
  }
  qsort(t, (size_t)reps, sizeof(double), cmp_double);
  double m = t[reps / 2];
  free(t);
  return m;
}

static void run_add(liger_context *ctx) {
  const int n = 1000003;
  size_t bytes = sizeof(float) * (size_t)n;
  float *x = malloc(bytes), *y = malloc(bytes), *z = malloc(bytes);
  for (int i = 0; i < n; i++) {
    x[i] = (float)(i % 1000) * 0.5f;
    y[i] = (float)((i * 7) % 113) - 50.0f;
  }
  void *dx, *dy, *dz;
  char path[1024];
  snprintf(path, sizeof path, "%s/kernels/examples/add.py", src_dir);
  liger_constexpr c = {"BLOCK", "1024"};
  liger_kernel *k;
  CHECK(liger_malloc(ctx, bytes, &dx));
  CHECK(liger_malloc(ctx, bytes, &dy));
  CHECK(liger_malloc(ctx, bytes, &dz));
  CHECK(liger_memcpy_htod(ctx, dx, x, bytes));
  CHECK(liger_memcpy_htod(ctx, dy, y, bytes));
  CHECK(liger_kernel_load(ctx, path, "add_kernel", &c, 1, 4, &k));
  liger_arg args[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dz, LIGER_F32), liger_arg_int(n)};
  uint32_t grid[3] = {(uint32_t)((n + 1023) / 1024), 1, 1};
  CHECK(liger_launch(k, grid, NULL, args, 4));
  CHECK(liger_synchronize(ctx, NULL));
  CHECK(liger_memcpy_dtoh(ctx, z, dz, bytes));
  int bad = 0;
  for (int i = 0; i < n; i++) bad += z[i] != x[i] + y[i]; /* fp32 add is exact to reproduce */
  double ms = time_launch(ctx, k, grid, args, 4, 20);
  char what[96];
  snprintf(what, sizeof what, "run: n=%d, %.0f GB/s", n, 3.0 * bytes / (ms * 1e6));
  row("add", liger_context_target(ctx), what, bad ? "NO" : "yes", ms);
  failures += bad != 0;
  liger_kernel_release(k);
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_free(ctx, dz);
  free(x);
  free(y);
  free(z);
}

static void run_softmax(liger_context *ctx) {
  const int rows = 4096, cols = 1000;
  size_t bytes = sizeof(float) * (size_t)rows * cols;
  float *x = malloc(bytes), *y = malloc(bytes);
  for (int i = 0; i < rows * cols; i++) x[i] = (float)sin(i * 0.37) * 8.0f;
  void *dx, *dy;
  char path[1024];
  snprintf(path, sizeof path, "%s/kernels/examples/softmax.py", src_dir);
  liger_constexpr c = {"BLOCK", "1024"};
  liger_kernel *k;
  CHECK(liger_malloc(ctx, bytes, &dx));
  CHECK(liger_malloc(ctx, bytes, &dy));
  CHECK(liger_memcpy_htod(ctx, dx, x, bytes));
  CHECK(liger_kernel_load(ctx, path, "softmax_kernel", &c, 1, 4, &k));
  liger_arg args[5] = {liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dx, LIGER_F32), liger_arg_int(cols), liger_arg_int(cols),
                       liger_arg_int(cols)};
  uint32_t grid[3] = {(uint32_t)rows, 1, 1};
  CHECK(liger_launch(k, grid, NULL, args, 5));
  CHECK(liger_synchronize(ctx, NULL));
  CHECK(liger_memcpy_dtoh(ctx, y, dy, bytes));
  double maxerr = 0;
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * cols;
    double m = -INFINITY, s = 0;
    for (int j = 0; j < cols; j++) m = xr[j] > m ? xr[j] : m;
    for (int j = 0; j < cols; j++) s += exp(xr[j] - m);
    for (int j = 0; j < cols; j++) {
      double e = fabs(y[(size_t)r * cols + j] - exp(xr[j] - m) / s);
      maxerr = e > maxerr ? e : maxerr;
    }
  }
  bool ok = maxerr <= 1e-6; /* fp32 softmax of values in [-8, 8]: a few ulps of probabilities <= 1 */
  double ms = time_launch(ctx, k, grid, args, 5, 20);
  char what[96];
  snprintf(what, sizeof what, "run: %dx%d, max err %.1e", rows, cols, maxerr);
  row("softmax", liger_context_target(ctx), what, ok ? "yes" : "NO", ms);
  failures += !ok;
  liger_kernel_release(k);
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  free(x);
  free(y);
}

int main(int argc, char **argv) {
  if (argc > 1) src_dir = argv[1];
  const char *env = getenv("LIGER_SOURCE_DIR");
  if (env) src_dir = env;
  printf("liger-jit %s\n\n", liger_version());
  printf("| kernel   | target  | what                               | verified |         time |\n");
  printf("|----------|---------|------------------------------------|----------|--------------|\n");
  compile_all("add.py", "add", "1024", "*fp32:16, *fp32:16, *fp32:16, i32");
  compile_all("softmax.py", "softmax", "1024", "*fp32:16, *fp32:16, i32, i32, i32");
  liger_context *ctx;
  if (liger_context_create("auto", &ctx) != LIGER_OK) {
    fprintf(stderr, "no device: %s\n", liger_last_error());
    return 1;
  }
  run_add(ctx);
  run_softmax(ctx);
  printf("\ndevice: %s\n", liger_context_device(ctx));
  liger_context_destroy(ctx);
  printf("%s\n", failures ? "SOME RESULTS FAILED" : "all results verified");
  return failures ? 1 : 0;
}
