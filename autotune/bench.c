/*
 * bench.c — timing one run on a context's device (interface and method in bench.h).
 *
 * The device work of a sample is ordered on one stream:
 *
 *   memset(flush, i & 0xff) → record(start) → fn(ud, stream) → record(end) → wait(end)
 *
 * so the time between the events is the run alone, with a cold last-level cache. Waiting
 * for each sample keeps the host from running ahead; it costs host time between samples,
 * not device time inside them.
 */
#include "bench.h"

#include "internal.h"

#include <stdlib.h>
#include <time.h>

struct TuneBench {
  liger_context *ctx;
  void *stream;
  void *start, *end; /* events */
  void *flush;
  size_t flush_bytes;
};

enum { TUNE_FLUSH_GPU = 256 << 20, TUNE_FLUSH_CPU = 8 << 20 };

static double tune_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int tune_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

double tune_median(double *v, int n) {
  if (n <= 0) return 0;
  qsort(v, (size_t)n, sizeof *v, tune_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void tune_bench_destroy(TuneBench *b) {
  if (!b) return;
  const RtBackend *be = b->ctx->be;
  if (b->start) be->event_destroy(b->ctx->dev, b->start);
  if (b->end) be->event_destroy(b->ctx->dev, b->end);
  if (b->flush) be->free(b->ctx->dev, b->flush);
  free(b);
}

liger_status tune_bench_create(liger_context *ctx, void *stream, size_t flush_bytes, TuneBench **out) {
  *out = NULL;
  if (!ctx) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_bench_create: context is NULL");
  const RtBackend *be = ctx->be;
  /* an offline context (runtime/dev_offline.c) runs nothing: its launches are only counted
   * and it has no events, so a timing there would be meaningless, or a NULL call */
  if (liger_context_offline(ctx, NULL))
    return rt_fail(LIGER_ERR_UNSUPPORTED, "cannot time kernels on an offline context (%s): there is no device; "
                   "tune on a context of the device itself", liger_context_target(ctx));
  if (!be->event_create || !be->event_record || !be->event_elapsed || !be->event_destroy)
    return rt_fail(LIGER_ERR_UNSUPPORTED, "the %s back end cannot time kernels (no events)", be->name);
  TuneBench *b = calloc(1, sizeof *b);
  if (!b) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  b->ctx = ctx;
  b->stream = stream;
  b->flush_bytes = flush_bytes ? flush_bytes : ctx->target->kind == TGT_CPU ? TUNE_FLUSH_CPU : TUNE_FLUSH_GPU;
  liger_status st = be->event_create(ctx->dev, &b->start);
  if (!st) st = be->event_create(ctx->dev, &b->end);
  if (!st) st = be->alloc(ctx->dev, b->flush_bytes, &b->flush);
  if (st) {
    tune_bench_destroy(b);
    return st;
  }
  *out = b;
  return LIGER_OK;
}

liger_status tune_bench_run(TuneBench *b, TuneRunFn fn, void *ud, const TuneBenchOpts *o, TuneBenchResult *r) {
  static const TuneBenchOpts defaults = {0};
  if (!o) o = &defaults;
  *r = (TuneBenchResult){0};
  const RtBackend *be = b->ctx->be;
  RtDevice *dev = b->ctx->dev;
  int warmup = o->warmup == 0 ? TUNE_BENCH_WARMUP : o->warmup < 0 ? 0 : o->warmup;
  int want = o->samples > 0 ? o->samples : TUNE_BENCH_SAMPLES;
  if (want > TUNE_BENCH_MAX_SAMPLES) want = TUNE_BENCH_MAX_SAMPLES;
  double *t = malloc(sizeof(double) * (size_t)want);
  if (!t) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  double t0 = tune_now_ms();
  bool over = false;
  liger_status st = LIGER_OK;
  for (int i = 0; i < warmup && !st && !over; i++) {
    st = fn(ud, b->stream);
    if (!st) st = be->sync(dev, b->stream);
    over = o->budget_ms > 0 && tune_now_ms() - t0 >= o->budget_ms;
  }
  int n = 0;
  while (!st && n < want && !(over && n > 0)) {
    if (!o->no_flush) st = be->memset8(dev, b->flush, n & 0xff, b->flush_bytes);
    if (!st) st = be->event_record(dev, b->start, b->stream);
    if (!st) st = fn(ud, b->stream);
    if (!st) st = be->event_record(dev, b->end, b->stream);
    double ms = 0;
    if (!st) st = be->event_elapsed(dev, b->start, b->end, &ms);
    if (st) break;
    t[n++] = ms * 1e3;
    over = o->budget_ms > 0 && tune_now_ms() - t0 >= o->budget_ms;
  }
  r->samples = n;
  r->budget_hit = n < want && !st;
  if (n) {
    r->median_us = tune_median(t, n); /* sorts t */
    r->min_us = t[0];
    r->max_us = t[n - 1];
  }
  free(t);
  return st;
}
