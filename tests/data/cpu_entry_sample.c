/*
 * cpu_entry_sample.c — a hand-written stand-in for what codegen emits for the host target,
 * used by tests/test_runtime_cpu.c. CMake compiles it with `-c -fPIC -O2` into a relocatable
 * object, so the CPU back end's LLJIT path is tested without involving the compiler.
 *
 * It has the RtCpuEntry ABI of runtime/runtime.h (repeated here: the object must not depend
 * on the runtime's headers). args[0] → float *x, args[1] → float *y, args[2] → int32 n.
 * Program (pid0, pid1) owns the 64-element block b = pid1 * nprog0 + pid0 and writes
 *   y[b*64 + j] = x[b*64 + j] * 2 + pid1        for j < 64 and b*64 + j < n
 * so every program of a 2-D grid writes its own block and the result shows both pids.
 * It also calls expf (through a volatile operand, so it stays a libm call) and memset
 * (length from nprog, so it stays a call), which the loader must resolve against the
 * process, and uses the per-worker scratch, which must be 64-byte aligned and hold 256 bytes.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

void sample_kernel(void **args, const int32_t pid[3], const int32_t nprog[3], void *scratch) {
  const float *x = *(const float *const *)args[0];
  float *y = *(float **)args[1];
  int32_t n = *(const int32_t *)args[2];
  volatile float zero = 0.0f;
  float one = expf(zero); /* 1.0f */
  float *tmp = scratch;
  if (!tmp || ((uintptr_t)tmp % 64) != 0) return; /* bad scratch: leave y untouched */
  memset(tmp, 0, (size_t)nprog[2] * 64 * sizeof(float)); /* nprog[2] is 1 in the test */
  int64_t b = (int64_t)pid[1] * nprog[0] + pid[0];
  for (int j = 0; j < 64; j++) {
    int64_t i = b * 64 + j;
    if (i >= n) break;
    tmp[j] += x[i] * 2.0f + (float)pid[1] * one;
    y[i] = tmp[j];
  }
}
