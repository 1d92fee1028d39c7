/*
 * bench.h — measurement: how long one run of a kernel (or of an op, a few launches) takes on
 * a context's device. The tuner (autotune/tuner.c) times every config of a tuning space with
 * it; docs/tuning.md ("Measurement") describes the method:
 *
 *   warm-up runs (untimed) → per sample: flush L2, event, run, event → median of the samples
 *
 * GPUs time with device events on the stream (RtBackend event_*); the CPU back end with the
 * monotonic clock (its launches are synchronous). Before each timed run the flush buffer,
 * larger than the last-level cache (256 MiB on GPUs, 8 MiB on the CPU), is written with the
 * back end's memset, so every sample starts with a cold cache, as a kernel in a real model
 * does. A wall-clock budget per measurement stops early; at least one sample is always taken,
 * and the result says how many were.
 *
 * Module prefix `tune_`. Errors are liger_status with the message recorded (rt_fail).
 */
#ifndef LIGER_AUTOTUNE_BENCH_H
#define LIGER_AUTOTUNE_BENCH_H

#include "liger/liger.h"

#include <stdbool.h>
#include <stddef.h>

/* One run of what is measured, queued on `stream`. A status other than LIGER_OK stops the
 * measurement and is returned (the config cannot run). */
typedef liger_status (*TuneRunFn)(void *ud, void *stream);

typedef struct TuneBenchOpts {
  int warmup;       /* untimed runs before the samples; 0: TUNE_BENCH_WARMUP, < 0: none */
  int samples;      /* timed runs wanted; 0: TUNE_BENCH_SAMPLES */
  double budget_ms; /* wall-clock budget of the whole measurement (warm-up included); 0: none */
  bool no_flush;    /* skip the L2 flush before each sample */
} TuneBenchOpts;

enum { TUNE_BENCH_WARMUP = 3, TUNE_BENCH_SAMPLES = 20, TUNE_BENCH_MAX_SAMPLES = 10000 };

typedef struct TuneBenchResult {
  double median_us;  /* median of the samples (the mean of the middle two for an even count) */
  double min_us, max_us;
  int samples;       /* timed runs taken (>= 1 on success) */
  bool budget_hit;   /* the budget stopped it before `samples` were taken */
} TuneBenchResult;

typedef struct TuneBench TuneBench;

/* A measurement session on ctx's device: two events and the flush buffer (flush_bytes; 0:
 * 256 MiB on a GPU, 8 MiB on the CPU). Runs are queued on `stream` (NULL: the default
 * stream; the flush is a memset on the default stream, so give a stream that synchronises
 * with it). Errors: LIGER_ERR_OUT_OF_MEMORY, LIGER_ERR_DRIVER, LIGER_ERR_UNSUPPORTED (a back
 * end without events). Free with tune_bench_destroy (NULL is fine). */
liger_status tune_bench_create(liger_context *ctx, void *stream, size_t flush_bytes, TuneBench **out);
void tune_bench_destroy(TuneBench *b);

/* Measures fn(ud, stream): warm-up, then samples, each after a flush, until `samples` were
 * taken or the budget is spent. `o` may be NULL (the defaults). On an error from fn (or the
 * device) *r holds what was measured so far and the status is returned. */
liger_status tune_bench_run(TuneBench *b, TuneRunFn fn, void *ud, const TuneBenchOpts *o, TuneBenchResult *r);

/* The median of v[0..n) (sorted in place); 0 for n == 0. */
double tune_median(double *v, int n);

#endif
