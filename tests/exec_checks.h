/*
 * exec_checks.h — the execution checks shared by test_cpu_exec.c and test_gpu_exec.c:
 * kernels/examples/add.py and softmax.py run through the public API on one device and are
 * compared with C references (exec_checks.c).
 */
#ifndef LIGER_TESTS_EXEC_CHECKS_H
#define LIGER_TESTS_EXEC_CHECKS_H

#include "liger/liger.h"

/* The repository root: argv[1] if given, else $LIGER_SOURCE_DIR, else the LIGER_SOURCE_DIR
 * CMake compiled in. */
const char *exec_source_dir(int argc, char **argv);

/* Runs every check on `device` ("cpu", "cuda", ...). Returns the process exit status:
 * 0 all passed, 1 something failed, 77 the device is absent and `skip_if_absent` is set. */
int exec_checks_run(const char *device, const char *source_dir, int skip_if_absent);

/* The failing tl.device_assert check alone (a GPU context does not survive it). Same
 * exit statuses. */
int exec_assert_run(const char *device, const char *source_dir, int skip_if_absent);

/* The run-time side of the promotion rules (exec_checks_promo.c, tests/kernels/promotion.py)
 * on an open context; exec_checks_run calls it. Returns the number of failed checks. */
int exec_checks_promo(liger_context *ctx, const char *source_dir);

/* Large tiles (exec_checks_big.c, tests/kernels/big.py) on an open context; exec_checks_run
 * calls it. Returns the number of failed checks. */
int exec_checks_big(liger_context *ctx, const char *source_dir);

/* Every tile feature at num_warps 1 to 32, int1 pointers and the 2-D index patterns
 * (exec_checks_warps.c, tests/kernels/warps.py and layouts.py) on an open context;
 * exec_checks_run calls it. Returns the number of failed checks. */
int exec_checks_warps(liger_context *ctx, const char *source_dir);

#endif
