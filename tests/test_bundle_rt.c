/*
 * test_bundle_rt.c — one program, linked twice: against libliger-jit.so (it then fills a
 * cache directory by running) and against the runtime-only libliger-jit-rt.so (it then runs
 * from a bundle, with no LLVM in the process). It runs kernels/examples/add.py and the
 * RMSNorm forward op on the CPU and checks the numbers against C.
 *
 *   test_bundle_rt SRC_DIR [--bundle FILE] [--no-llvm] [--expect-missing] [--device D] [--shape RxC]
 *
 * --device cuda (tools/device/run-gpu.sh, part `cache`), or --shape on any device, runs only
 * the RMSNorm forward, fp32, at --shape (default 16384x4096, an anchors.md shape that
 * liger-tune prewarm covers, so a bundle of the prewarmed suite holds its variant); add.py is
 * not in such a bundle. Exit status 77 when the device cannot be opened.
 *
 * --bundle loads FILE with liger_bundle_load; --no-llvm checks /proc/self/maps for libLLVM
 * (after the kernels ran); --expect-missing wants the first launch to fail with the
 * runtime-only message naming the missing key.
 */
#include "liger/liger.h"
#include "liger/ops.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool llvm_mapped(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[4096];
  bool found = false;
  while (f && fgets(line, sizeof line, f)) found |= strstr(line, "libLLVM") != NULL;
  if (f) fclose(f);
  return found;
}

static DLTensor tensor2(void *data, int64_t *shape, int ndim) {
  DLTensor t = {.data = data, .device = {kDLCPU, 0}, .ndim = ndim, .dtype = {kDLFloat, 32, 1}, .shape = shape};
  return t;
}

/* RMSNorm forward (llama casting, fp32, weight) over rows x cols in device memory, checked
 * against C on a sample of rows. */
static int rms_norm_on_device(liger_context *ctx, long rows, long cols) {
  size_t n = (size_t)rows * (size_t)cols;
  float *xs = malloc(n * sizeof(float)), *out = malloc(n * sizeof(float)), *w = malloc((size_t)cols * sizeof(float));
  void *dx = NULL, *dy = NULL, *dw = NULL, *dr = NULL;
  bool ok = xs && out && w && liger_malloc(ctx, n * 4, &dx) == LIGER_OK && liger_malloc(ctx, n * 4, &dy) == LIGER_OK &&
            liger_malloc(ctx, (size_t)cols * 4, &dw) == LIGER_OK && liger_malloc(ctx, (size_t)rows * 4, &dr) == LIGER_OK;
  CHECK(ok, "allocate %ldx%ld on %s", rows, cols, liger_context_device(ctx));
  if (!ok) return 1;
  for (size_t i = 0; i < n; i++) xs[i] = sinf((float)(i % 100003) * 0.37f);
  for (long j = 0; j < cols; j++) w[j] = 1.0f + (float)j / (float)cols;
  ok = liger_memcpy_htod(ctx, dx, xs, n * 4) == LIGER_OK && liger_memcpy_htod(ctx, dw, w, (size_t)cols * 4) == LIGER_OK;
  int64_t sx[2] = {rows, cols}, sw[1] = {cols}, sr[1] = {rows};
  DLTensor tx = tensor2(dx, sx, 2), tw = tensor2(dw, sw, 1), ty = tensor2(dy, sx, 2), tr = tensor2(dr, sr, 1);
  const char *t = liger_context_target(ctx);
  DLDeviceType dt = !strncmp(t, "sm_", 3) ? kDLCUDA : !strncmp(t, "gfx", 3) ? kDLROCM : kDLCPU;
  tx.device = tw.device = ty.device = tr.device = (DLDevice){dt, 0};
  liger_status st = ok ? liger_rms_norm_forward(ctx, NULL, &tx, &tw, &ty, &tr, 1e-6f, 0.0f, LIGER_RMS_CAST_LLAMA) : LIGER_ERR_DRIVER;
  CHECK(st == LIGER_OK, "liger_rms_norm_forward %ldx%ld fp32 on %s from the bundle: %s", rows, cols, liger_context_device(ctx),
        st == LIGER_OK ? "ok" : liger_last_error());
  if (st == LIGER_OK) {
    st = liger_memcpy_dtoh(ctx, out, dy, n * 4);
    CHECK(st == LIGER_OK, "copy the result back");
    double err = 0;
    for (long r = 0; r < rows; r += rows > 64 ? rows / 64 : 1) {
      double ss = 0;
      for (long j = 0; j < cols; j++) ss += (double)xs[r * cols + j] * xs[r * cols + j];
      double inv = 1.0 / sqrt(ss / (double)cols + 1e-6);
      for (long j = 0; j < cols; j++) err = fmax(err, fabs(out[r * cols + j] - xs[r * cols + j] * inv * w[j]));
    }
    CHECK(err < 1e-4, "rms_norm on the device: max |error| %.3g against C on sampled rows (tolerance 1e-4)", err);
  }
  liger_free(ctx, dx), liger_free(ctx, dy), liger_free(ctx, dw), liger_free(ctx, dr);
  free(xs), free(out), free(w);
  return 0;
}

int main(int argc, char **argv) {
  const char *src = check_source_dir(argc, argv), *bundle = NULL;
  const char *device = "cpu";
  bool no_llvm = false, expect_missing = false;
  long rows = 0, cols = 0;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--bundle") && i + 1 < argc) bundle = argv[++i];
    else if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
    else if (!strcmp(argv[i], "--shape") && i + 1 < argc) sscanf(argv[++i], "%ldx%ld", &rows, &cols);
    else if (!strcmp(argv[i], "--no-llvm")) no_llvm = true;
    else if (!strcmp(argv[i], "--expect-missing")) expect_missing = true;
  }
  if (bundle) {
    liger_status st = liger_bundle_load(bundle);
    CHECK(st == LIGER_OK, "liger_bundle_load(%s): %s", bundle, st == LIGER_OK ? "ok" : liger_last_error());
    if (st != LIGER_OK) return check_summary();
  }
  liger_context *ctx;
  if (strcmp(device, "cpu") || rows) {
    if (liger_context_create(device, &ctx) != LIGER_OK) {
      printf("SKIP: no %s device (%s)\n", device, liger_last_error());
      return 77;
    }
    int rc = rms_norm_on_device(ctx, rows ? rows : 16384, cols ? cols : 4096);
    if (no_llvm) CHECK(!llvm_mapped(), "no libLLVM mapped in this process (/proc/self/maps)");
    liger_context_destroy(ctx);
    return rc ? rc : check_summary();
  }
  CHECK(liger_context_create("cpu", &ctx) == LIGER_OK, "cpu context");

  char path[4096];
  snprintf(path, sizeof path, "%s/kernels/examples/add.py", src);
  liger_constexpr block = {"BLOCK", "256"};
  liger_kernel *k;
  liger_status st = liger_kernel_load(ctx, path, "add_kernel", &block, 1, 4, &k);
  CHECK(st == LIGER_OK, "load add.py (parsed by the front end): %s", st == LIGER_OK ? "ok" : liger_last_error());
  enum { N = 1000 };
  float x[N], y[N], z[N];
  for (int i = 0; i < N; i++) x[i] = (float)i * 0.5f, y[i] = 3.0f - (float)i, z[i] = -1;
  liger_arg args[] = {{.kind = LIGER_ARG_PTR, .dtype = LIGER_F32, .v.ptr = x},
                      {.kind = LIGER_ARG_PTR, .dtype = LIGER_F32, .v.ptr = y},
                      {.kind = LIGER_ARG_PTR, .dtype = LIGER_F32, .v.ptr = z},
                      {.kind = LIGER_ARG_INT, .v.i = N}};
  uint32_t grid[3] = {(N + 255) / 256, 1, 1};
  st = liger_launch(k, grid, NULL, args, 4);
  if (expect_missing) {
    const char *msg = liger_last_error();
    CHECK(st == LIGER_ERR_UNSUPPORTED, "without the bundle the launch fails: status %d", (int)st);
    CHECK(strstr(msg, "built without a compiler") && strstr(msg, "missing key "), "and says why: %s", msg);
    liger_kernel_release(k);
    liger_context_destroy(ctx);
    return check_summary();
  }
  CHECK(st == LIGER_OK, "launch add_kernel: %s", st == LIGER_OK ? "ok" : liger_last_error());
  int bad = 0;
  for (int i = 0; i < N; i++) bad += z[i] != x[i] + y[i];
  CHECK(bad == 0, "add_kernel: z = x + y (%d wrong)", bad);
  liger_kernel_release(k);

  /* an op of the suite: RMSNorm forward over 8 rows of 384 */
  enum { R = 8, C = 384 };
  static float xs[R * C], w[C], out[R * C], rstd[R];
  for (int i = 0; i < R * C; i++) xs[i] = sinf((float)i * 0.37f);
  for (int j = 0; j < C; j++) w[j] = 1.0f + (float)j / C;
  int64_t sx[2] = {R, C}, sw[1] = {C}, sr[1] = {R};
  DLTensor tx = tensor2(xs, sx, 2), tw = tensor2(w, sw, 1), ty = tensor2(out, sx, 2), tr = tensor2(rstd, sr, 1);
  st = liger_rms_norm_forward(ctx, NULL, &tx, &tw, &ty, &tr, 1e-6f, 0.0f, LIGER_RMS_CAST_LLAMA);
  CHECK(st == LIGER_OK, "liger_rms_norm_forward: %s", st == LIGER_OK ? "ok" : liger_last_error());
  double err = 0;
  for (int r = 0; r < R; r++) {
    double ss = 0;
    for (int j = 0; j < C; j++) ss += (double)xs[r * C + j] * xs[r * C + j];
    double inv = 1.0 / sqrt(ss / C + 1e-6);
    for (int j = 0; j < C; j++) err = fmax(err, fabs(out[r * C + j] - xs[r * C + j] * inv * w[j]));
  }
  CHECK(err < 1e-4, "rms_norm: max |error| %.3g against C (tolerance 1e-4)", err);
  if (no_llvm) CHECK(!llvm_mapped(), "no libLLVM mapped in this process (/proc/self/maps)");
  liger_context_destroy(ctx);
  return check_summary();
}
