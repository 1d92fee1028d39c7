/*
 * bench.h — the clock and the median that liger-bench's two halves (liger-bench.c for
 * compile and launch times, liger-bench-ops.c for the ops) share.
 */
#ifndef LIGER_TOOLS_BENCH_H
#define LIGER_TOOLS_BENCH_H

#include <stdlib.h>
#include <time.h>

/* Monotonic time in ms. */
static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static inline double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#endif
