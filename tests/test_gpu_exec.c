/*
 * test_gpu_exec.c — the checks of test_cpu_exec.c (exec_checks.c) on the first CUDA device,
 * through the public API only. Without a CUDA driver or device it prints "SKIP: <why>" and
 * exits 77 (CTest's SKIP_RETURN_CODE; label `gpu`).
 *
 * Usage: test_gpu_exec [REPO_ROOT]   (else $LIGER_SOURCE_DIR, else the source tree CMake saw)
 *        test_gpu_exec REPO_ROOT assert   only the failing device_assert (it ends the context)
 * Exit status 0 = pass, 1 = fail, 77 = no CUDA device.
 */
#include "exec_checks.h"

#include <string.h>

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[2], "assert")) return exec_assert_run("cuda", argv[1], 1);
  return exec_checks_run("cuda", exec_source_dir(argc, argv), 1);
}
