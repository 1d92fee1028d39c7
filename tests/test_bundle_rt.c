/*
 * test_bundle_rt.c — one program, linked twice: against libliger-jit.so (it then fills a
 * cache directory by running) and against the runtime-only libliger-jit-rt.so (it then runs
 * from a bundle, with no LLVM in the process). It runs kernels/examples/add.py and the
 * RMSNorm forward op on the CPU and checks the numbers against C.
 *
 *   test_bundle_rt SRC_DIR [--bundle FILE] [--no-llvm] [--expect-missing]
 *
 * --bundle loads FILE with liger_bundle_load; --no-llvm checks /proc/self/maps for libLLVM
 * (after the kernels ran); --expect-missing wants the first launch to fail with the
 * runtime-only message naming the missing key.
 */
#include "liger/liger.h"
#include "liger/ops.h"
#include "check.h"

#include <math.h>
#include <string.h>

static bool llvm_mapped(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[4096];
  bool found = false;
  while (f && fgets(line, sizeof line, f)) found |= strstr(line, "libLLVM") != NULL;
  if (f) fclose(f);
  return found;
}

static DLTensor tensor2(float *data, int64_t *shape, int ndim) {
  DLTensor t = {.data = data, .device = {kDLCPU, 0}, .ndim = ndim, .dtype = {kDLFloat, 32, 1}, .shape = shape};
  return t;
}

int main(int argc, char **argv) {
  const char *src = check_source_dir(argc, argv), *bundle = NULL;
  bool no_llvm = false, expect_missing = false;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--bundle") && i + 1 < argc) bundle = argv[++i];
    else if (!strcmp(argv[i], "--no-llvm")) no_llvm = true;
    else if (!strcmp(argv[i], "--expect-missing")) expect_missing = true;
  }
  if (bundle) {
    liger_status st = liger_bundle_load(bundle);
    CHECK(st == LIGER_OK, "liger_bundle_load(%s): %s", bundle, st == LIGER_OK ? "ok" : liger_last_error());
    if (st != LIGER_OK) return check_summary();
  }
  liger_context *ctx;
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
