/*
 * tuner.h — runtime use of the tuning database (docs/tuning.md, "Runtime use").
 *
 * On the first launch of a kernel (or call of an op) at a new key bucket, the caller asks
 * tune_decide for the config to use. It answers from a memo (one per liger_kernel, one per
 * context for the ops), else from the database (the user's file, then the loaded bundles'
 * database; in each model → arch → vendor; only configs the caller accepts), else — only when tuning was asked for, LIGER_TUNE=1 or
 * liger_context_set_tuning — by measuring the space there and then (tune_measure: every
 * config timed with autotune/bench.c, every timing written with tune_db_add), else the
 * caller's default. The decision is memoised, so the database is read once per (kernel,
 * bucket) and a process that did not ask to tune never measures anything.
 *
 *   launch ─> memo hit? ─> config
 *               └ no ─> DB (model/arch/vendor) ─> tuning asked? ─> measure ─> default
 *
 * LIGER_DEBUG=tune prints every decision on stderr. Module prefix `tune_`.
 */
#ifndef LIGER_AUTOTUNE_TUNER_H
#define LIGER_AUTOTUNE_TUNER_H

#include "bench.h"
#include "tunedb.h"

#include <pthread.h>
#include <stdbool.h>

/* What a database entry says about the device it was measured on. */
typedef struct TuneDevice {
  const char *vendor; /* "nvidia", "amd", "cpu" */
  char arch[96];      /* the context's target; "cpu-x86_64-znver4" on the CPU */
  char model[128];    /* the device name the driver reports */
} TuneDevice;

void tune_device_of(const liger_context *ctx, TuneDevice *out);

/* Whether a miss may be measured: LIGER_TUNE=1 (read on each call), or the context's
 * liger_context_set_tuning. */
bool tune_requested(const liger_context *ctx);

/* LIGER_DEBUG holds "tune" or "all". */
bool tune_debug_on(void);

/* The measurement options of runtime tuning: LIGER_TUNE_SAMPLES (default 20) and
 * LIGER_TUNE_BUDGET_MS per config (default 200). */
TuneBenchOpts tune_runtime_opts(void);

/* Accepts a config string of the database for this caller (in its space, valid here). */
typedef bool (*TuneAcceptFn)(void *ud, const char *config);

/* The fastest entry of (kernel, bucket) on ctx's device among those `accept` takes (NULL:
 * all), through the database file resolved now (tune_db_path), read once and re-read when
 * it changes, then — when the file has no entry at any level — in the tuning database of
 * the loaded bundles (runtime/bundle.h). The config goes into config (size n), its median
 * into *us (may be NULL).
 * TUNE_HIT_NONE when there is none (or no database, or one that cannot be read: then
 * LIGER_DEBUG=tune says why). Thread-safe. */
TuneLevel tune_lookup(const liger_context *ctx, const char *kernel, const char *bucket, TuneAcceptFn accept, void *ud,
                      char *config, size_t n, double *us);

/* ---- measuring a space --------------------------------------------------------------- */

/* Runs config i of the space once on `stream` (what tune_bench_run repeats). A failure
 * (compile, launch, resources) skips the config with the message as its reason. */
typedef liger_status (*TuneConfigRunFn)(void *ud, int i, void *stream);

typedef struct TuneTiming {
  double median_us;
  int samples;
  bool budget_hit;
  char why[256]; /* non-empty: the config was skipped, and why */
} TuneTiming;

/* Times configs[0..n) (canonical strings) of `kernel` at `bucket` on ctx's device, on the
 * default stream, with options o (NULL: tune_runtime_opts()), into t[0..n), and writes one
 * database entry per measured config (tune_db_add, when `write_db`). *best is the fastest
 * measured (ties: the lower index). LIGER_ERR_INTERNAL-free: a config that fails is
 * skipped; when none can run the result is LIGER_ERR_UNSUPPORTED with every reason. */
liger_status tune_measure(liger_context *ctx, const char *kernel, const char *bucket, const char *const *configs, int n,
                          TuneConfigRunFn run, void *ud, const TuneBenchOpts *o, bool write_db, TuneTiming *t,
                          int *best);

/* ---- decisions, memoised --------------------------------------------------------------- */

typedef struct TuneMemoEntry TuneMemoEntry;
typedef struct TuneMemo {
  pthread_mutex_t lock; /* held while deciding: concurrent first launches tune once */
  TuneMemoEntry *head;
} TuneMemo;

void tune_memo_init(TuneMemo *m);
void tune_memo_free(TuneMemo *m);

/* Measures the caller's space for a miss (tuning asked for) and writes the best config
 * into best (size n). A failure falls back to the default. */
typedef liger_status (*TuneSpaceFn)(void *ud, char *best, size_t n);

/* The config to use for (kernel, bucket), into config (size n): the memo, else the
 * database (entries `accept` takes), else `tune` when tuning was asked for and tune is not
 * NULL, else `dflt`. Never fails: a database or measurement that fails is reported under
 * LIGER_DEBUG=tune and the default is used. Thread-safe. */
void tune_decide(TuneMemo *m, liger_context *ctx, const char *kernel, const char *bucket, const char *dflt,
                 TuneAcceptFn accept, TuneSpaceFn tune, void *ud, char *config, size_t n);

#endif
