/*
 * test_cpu_exec.c — kernels/examples/add.py and softmax.py compiled for the host CPU and run
 * through libliger-jit's public API, checked against C references (exec_checks.c): add bit
 * for bit on sizes around the block size, softmax in fp32 and bf16 on padded rows.
 *
 * Usage: test_cpu_exec [REPO_ROOT]   (else $LIGER_SOURCE_DIR, else the source tree CMake saw)
 * Exit status 0 = pass, 1 = fail.
 */
#include "exec_checks.h"

int main(int argc, char **argv) { return exec_checks_run("cpu", exec_source_dir(argc, argv), 0); }
