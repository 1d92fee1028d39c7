/*
 * test_gpu_targets.c — the other NVIDIA targets executing on the first CUDA device, chosen
 * with LIGER_CUDA_TARGET: sm_80 (PTX that the driver compiles for the device) and the
 * device's arch-specific sm_NNa (cubins, e.g. sm_90a on an H200). For each, the context must
 * report the target, and the checks of exec_checks_warps.c (reductions, scans, dot,
 * trans/reshape, atomics, a loop, 2-D index tiles, int1 pointers, at every num_warps) must
 * pass. A bad LIGER_CUDA_TARGET must be refused. Without a CUDA device: "SKIP" and exit 77.
 *
 * Usage: test_gpu_targets [REPO_ROOT]   (else $LIGER_SOURCE_DIR, else the source tree CMake saw)
 */
#include "exec_checks.h"

#include "liger/liger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Opens "cuda" with LIGER_CUDA_TARGET=target (NULL: unset). */
static liger_status open_with(const char *target, liger_context **ctx) {
  if (target) setenv("LIGER_CUDA_TARGET", target, 1);
  else unsetenv("LIGER_CUDA_TARGET");
  liger_status st = liger_context_create("cuda", ctx);
  unsetenv("LIGER_CUDA_TARGET");
  return st;
}

int main(int argc, char **argv) {
  const char *root = check_source_dir(argc, argv);
  liger_context *ctx = NULL;
  liger_status st = open_with(NULL, &ctx);
  if (st == LIGER_ERR_NO_DEVICE) {
    printf("SKIP: %s\n", liger_last_error());
    return 77;
  }
  if (st != LIGER_OK) {
    printf("FAIL: liger_context_create(\"cuda\"): %s\n", liger_last_error());
    return 1;
  }
  char native[32], arch_specific[40], newer[32];
  snprintf(native, sizeof native, "%s", liger_context_target(ctx));
  snprintf(arch_specific, sizeof arch_specific, "%sa", native);
  snprintf(newer, sizeof newer, "sm_%d", atoi(native + 3) + 10);
  printf("device: %s\n", liger_context_device(ctx));
  liger_context_destroy(ctx);

  const char *targets[2] = {"sm_80", arch_specific};
  for (int i = 0; i < 2; i++) {
    if (i == 0 && atoi(native + 3) <= 80) continue; /* sm_80 is the device itself */
    st = open_with(targets[i], &ctx);
    if (st != LIGER_OK) {
      CHECK(0, "LIGER_CUDA_TARGET=%s opens the device (%s)", targets[i], liger_last_error());
      continue;
    }
    CHECK(!strcmp(liger_context_target(ctx), targets[i]), "LIGER_CUDA_TARGET=%s: the context's target is %s (%s)",
          targets[i], liger_context_target(ctx), liger_context_device(ctx));
    int failed = exec_checks_warps(ctx, root);
    CHECK(failed == 0, "LIGER_CUDA_TARGET=%s (%s): every num_warps check passes (%d failed)", targets[i],
          i == 0 ? "PTX compiled by the driver" : "arch-specific cubins", failed);
    liger_context_destroy(ctx);
  }

  /* refused: not a name, newer than the device, arch-specific for another architecture */
  const char *bad[3] = {"ampere", newer, "sm_80a"};
  for (int i = 0; i < 3; i++) {
    if (i == 2 && !strcmp(native, "sm_80")) continue;
    ctx = NULL;
    st = open_with(bad[i], &ctx);
    CHECK(st == LIGER_ERR_INVALID_ARG && !ctx, "LIGER_CUDA_TARGET=%s is refused: %s", bad[i],
          st == LIGER_OK ? "opened" : liger_last_error());
    liger_context_destroy(ctx);
  }
  return check_summary();
}
