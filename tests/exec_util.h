/*
 * exec_util.h — host-side helpers that every execution-check file (exec_checks*.c) shares:
 * API calls that count as failures with the library's message, deterministic inputs, float
 * bit patterns, and device buffers. Header-only (static inline): each file keeps its own
 * failure counter from check.h and its own random state.
 */
#ifndef LIGER_TESTS_EXEC_UTIL_H
#define LIGER_TESTS_EXEC_UTIL_H

#include "liger/liger.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* A failed API call: say which, with the library's message, and count it. */
static inline int api_ok(liger_status st, const char *what) {
  if (st == LIGER_OK) return 1;
  printf("FAIL: %s → %s: %s\n", what, liger_status_name(st), liger_last_error());
  failures++;
  return 0;
}

/* xorshift32: deterministic inputs, no libc rand(). `*s` must not be 0. */
static inline uint32_t xorshift32(uint32_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

static inline uint32_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static inline float bits_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* bf16 is the top half of an fp32; packing rounds to nearest, ties to even. */
static inline uint16_t f32_to_bf16(float f) {
  uint32_t u = f32_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u); /* NaN stays NaN */
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}

static inline float bf16_to_f32(uint16_t h) { return bits_f32((uint32_t)h << 16); }

/* fp16 of a value that is exact in it (small multiples of 1/4): no rounding needed. */
static inline uint16_t f32_to_f16_exact(float f) {
  uint32_t u = f32_bits(f);
  uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
  if ((u & 0x7fffffff) == 0) return sign;
  int e = (int)((u >> 23) & 0xff) - 127 + 15;
  return (uint16_t)(sign | (uint16_t)(e << 10) | (uint16_t)((u >> 13) & 0x3ff));
}

/* A device buffer holding `bytes` of `host`, or uninitialised when host is NULL. */
static inline void *dev_from(liger_context *ctx, const void *host, size_t bytes) {
  void *d = NULL;
  if (!api_ok(liger_malloc(ctx, bytes, &d), "liger_malloc")) return NULL;
  if (host && !api_ok(liger_memcpy_htod(ctx, d, host, bytes), "liger_memcpy_htod")) {
    liger_free(ctx, d);
    return NULL;
  }
  return d;
}

/* A device buffer of n 32-bit words, all `word` (a pattern no kernel writes). */
static inline void *dev_words(liger_context *ctx, size_t n, uint32_t word) {
  uint32_t *h = malloc(4 * n);
  if (!h) return NULL;
  for (size_t i = 0; i < n; i++) h[i] = word;
  void *d = dev_from(ctx, h, 4 * n);
  free(h);
  return d;
}

/* Launches on a g0 x g1 grid and waits. */
static inline bool launch_sync(liger_context *ctx, liger_kernel *k, uint32_t g0, uint32_t g1, const liger_arg *a, int n) {
  uint32_t grid[3] = {g0, g1, 1};
  return api_ok(liger_launch(k, grid, NULL, a, n), "liger_launch") && api_ok(liger_synchronize(ctx, NULL), "sync");
}

static inline bool read_back(liger_context *ctx, void *host, const void *dev, size_t bytes) {
  return api_ok(liger_memcpy_dtoh(ctx, host, dev, bytes), "liger_memcpy_dtoh");
}

#endif
