/*
 * liger_tune_tune.c — `liger-tune tune` and `liger-tune prewarm --tune`: time the configs
 * of the ops' tuning spaces (kernels/op_space.c) on a device that is here, write every
 * timing into the tuning database (docs/tuning.md) and print what was found:
 *
 *   shapes (--shapes FILE, else anchors.md's; scaled down on the CPU)
 *     → per op with a space, per shape, dtype and direction: op_space_tune(write_db)
 *     → one table row: default config and time, best config and time, speedup
 *
 * Only a device can be timed: an offline context ("offline:sm_90") is refused here and, in
 * depth, by autotune/bench.c. The command's row is in liger-tune.c's table; prewarm_tune
 * (autotune/prewarm.h) is this file's too, since it is the same loop over prewarm's shapes.
 */
#include "liger_tune_tune.h"

#include "internal.h"
#include "op.h"
#include "prewarm.h"
#include "tuner.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What one run tunes and how. */
typedef struct TopRun {
  liger_context *ctx;
  TuneBenchOpts bench;
  bool quiet;
  int rows, failed; /* table rows printed; variants where no config ran */
} TopRun;

/* The op of a space's variant: "rms_norm.fwd" → whether its op part is `op`. */
static bool top_variant_of(const char *variant, const char *op) {
  size_t n = strlen(op);
  return !strncmp(variant, op, n) && variant[n] == '.';
}

static bool top_has_space(const char *op, size_t len) {
  char name[32];
  snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), op);
  for (int i = 0; op_space_variants[i]; i++)
    if (top_variant_of(op_space_variants[i], name)) return true;
  return false;
}

/* "rms_norm,layer_norm,..." of the ops with a space, into out. */
static const char *top_space_ops(char *out, size_t n) {
  size_t m = 0;
  out[0] = 0;
  for (int i = 0; op_space_variants[i]; i++) {
    size_t len = strcspn(op_space_variants[i], ".");
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)len, op_space_variants[i]);
    if (strstr(out, name)) continue; /* the op's other direction */
    m += (size_t)snprintf(out + m, m < n ? n - m : 0, "%s%s", m ? "," : "", name);
  }
  return out;
}

/* --ops for tuning: "all", or names of ops that have a space. */
static liger_status top_check_ops(const char *ops) {
  if (!ops || !strcmp(ops, "all")) return LIGER_OK;
  char list[256];
  for (const char *p = ops; *p;) {
    size_t len = strcspn(p, ",");
    if (!top_has_space(p, len)) {
      fprintf(stderr, "liger-tune: '%.*s' has no tuning space; ops that can be tuned: all, or some of %s "
              "(docs/tuning.md, \"Op spaces\")\n", (int)len, p, top_space_ops(list, sizeof list));
      return LIGER_ERR_INVALID_ARG;
    }
    p += len + (p[len] == ',');
  }
  return LIGER_OK;
}

/* A CPU tunes the anchors.md shapes scaled down — rows / 256 (at least 8), rows longer than
 * 2048 elements / 4 — in fp32 only, so that a CI run takes seconds: the configs compile
 * for the CPU (tens of ms each) and run on one core's worth of vector lanes. */
static void top_cpu_scale(PrewarmShape *s) {
  s->d[0] = s->d[0] / 256 < 8 ? (s->d[0] < 8 ? s->d[0] : 8) : s->d[0] / 256;
  if (s->d[1] > 2048) s->d[1] /= 4;
  s->dtypes = PREWARM_F32;
}

static void top_header(void) {
  printf("%-10s %-4s %-32s %-18s %10s %-18s %10s %8s %7s\n", "OP", "DIR", "BUCKET", "DEFAULT", "DEFAULT_US", "BEST",
         "BEST_US", "SPEEDUP", "SAMPLES");
}

/* One op variant at one shape and dtype: measured and written, and its table row. */
static void top_one(TopRun *t, const char *variant, liger_dtype dt, int64_t rows, int64_t cols) {
  OpSpaceReport r;
  liger_status st = op_space_tune(t->ctx, variant, dt, rows, cols, &t->bench, true, &r);
  size_t dot = strcspn(variant, ".");
  char op[32], def_us[32] = "-", best_us[32] = "-", speed[32] = "-", samples[16] = "-";
  snprintf(op, sizeof op, "%.*s", (int)dot, variant);
  const char *def = r.n ? r.configs[0] : "-", *best = r.best >= 0 ? r.configs[r.best] : "-";
  if (r.n && !r.t[0].why[0]) snprintf(def_us, sizeof def_us, "%.3f", r.t[0].median_us);
  if (r.best >= 0) {
    snprintf(best_us, sizeof best_us, "%.3f", r.t[r.best].median_us);
    snprintf(samples, sizeof samples, "%d", r.t[r.best].samples);
    if (!r.t[0].why[0] && r.t[r.best].median_us > 0)
      snprintf(speed, sizeof speed, "%.2fx", r.t[0].median_us / r.t[r.best].median_us);
  }
  printf("%-10s %-4s %-32s %-18s %10s %-18s %10s %8s %7s\n", op, variant + dot + (variant[dot] == '.'),
         r.bucket[0] ? r.bucket : "-", def, def_us, best, best_us, speed, samples);
  fflush(stdout);
  t->rows++;
  if (st != LIGER_OK && r.best < 0) {
    t->failed++;
    fprintf(stderr, "liger-tune tune: %s %lldx%lld: %s\n", variant, (long long)rows, (long long)cols,
            liger_last_error());
  } else if (st != LIGER_OK) {
    fprintf(stderr, "liger-tune tune: %s: the timings were not saved: %s\n", variant, liger_last_error());
    t->failed++;
  }
  op_space_report_free(&r);
}

/* Tunes the spaces of the ops of `shapes` on t->ctx; ops without a space are skipped. */
static void top_run_shapes(TopRun *t, const PrewarmShape *shapes, int n) {
  static const struct { unsigned bit; liger_dtype dt; const char *name; } dts[] = {
      {PREWARM_F32, LIGER_F32, "fp32"}, {PREWARM_BF16, LIGER_BF16, "bf16"}, {PREWARM_F16, LIGER_F16, "fp16"}};
  top_header();
  for (int s = 0; s < n; s++)
    for (int d = 0; d < 3; d++) {
      if (!(shapes[s].dtypes & dts[d].bit)) continue;
      for (int v = 0; op_space_variants[v]; v++) {
        if (!top_variant_of(op_space_variants[v], shapes[s].op)) continue;
        if (!t->quiet)
          fprintf(stderr, "liger-tune tune: %s %s %lldx%lld\n", op_space_variants[v], dts[d].name,
                  (long long)shapes[s].d[0], (long long)shapes[s].d[1]);
        top_one(t, op_space_variants[v], dts[d].dt, shapes[s].d[0], shapes[s].d[1]);
      }
    }
}

/* The device to tune on: `want`, else the best present (cuda, hip, then the CPU). */
static liger_status top_open(const char *want, liger_context **ctx) {
  *ctx = NULL;
  if (want) {
    if (!strncmp(want, "offline:", 8)) {
      fprintf(stderr, "liger-tune: cannot tune on '%s': an offline context has no device to time configs on; "
              "tune on the GPU itself (--device cuda, hip) or on this CPU (--device cpu)\n", want);
      return LIGER_ERR_UNSUPPORTED;
    }
    liger_status st = liger_context_create(want, ctx);
    if (st) fprintf(stderr, "liger-tune: cannot open device '%s': %s\n", want, liger_last_error());
    return st;
  }
  static const char *const order[] = {"cuda", "hip", "cpu"};
  liger_status st = LIGER_ERR_NO_DEVICE;
  for (size_t i = 0; i < sizeof order / sizeof order[0] && st; i++) st = liger_context_create(order[i], ctx);
  if (st) fprintf(stderr, "liger-tune: no device to tune on: %s\n", liger_last_error());
  return st;
}

static TuneBenchOpts top_bench(const liger_context *ctx, double budget_ms, int samples) {
  bool cpu = !strncmp(liger_context_target(ctx), "cpu", 3);
  TuneBenchOpts o = {0};
  o.samples = samples > 0 ? samples : cpu ? 5 : TUNE_BENCH_SAMPLES;
  o.budget_ms = budget_ms > 0 ? budget_ms : cpu ? 50 : 200;
  if (cpu) o.warmup = 1;
  return o;
}

/* The shapes to tune: the file's, else the table's (anchors only, or all), of the ops with a
 * space that `ops` selects; scaled down on the CPU unless they came from a file. */
static liger_status top_shapes(const liger_context *ctx, const char *ops, const PrewarmShape *from, int nfrom,
                               bool anchors_only, PrewarmShape **out, int *n) {
  liger_status st = prewarm_shapes(ops, from, nfrom, anchors_only, out, n);
  if (st) return st;
  int k = 0;
  for (int i = 0; i < *n; i++) {
    PrewarmShape s = (*out)[i];
    if (!top_has_space(s.op, strlen(s.op))) continue;
    if (!from && !strncmp(liger_context_target(ctx), "cpu", 3)) top_cpu_scale(&s);
    (*out)[k++] = s;
  }
  *n = k;
  return LIGER_OK;
}

int liger_tune_tune(const TuneCmd *c) {
  if (c->db && setenv("LIGER_TUNE_DB", c->db, 1)) return 1;
  if (top_check_ops(c->ops) != LIGER_OK) return 2;
  PrewarmShape *file = NULL, *shapes = NULL;
  int nfile = 0, nshapes = 0;
  if (c->shapes && prewarm_read_shapes(c->shapes, &file, &nfile) != LIGER_OK) return 1;
  liger_context *ctx;
  if (top_open(c->device, &ctx) != LIGER_OK) {
    free(file);
    return 1;
  }
  if (top_shapes(ctx, c->ops, file, nfile, true, &shapes, &nshapes) != LIGER_OK || !nshapes) {
    fprintf(stderr, "liger-tune tune: no shapes to tune%s\n", nshapes ? "" : " (none of the selected ops has a space)");
    free(file);
    free(shapes);
    liger_context_destroy(ctx);
    return 1;
  }
  char db[4096] = "?";
  tune_db_path(db, sizeof db);
  TopRun t = {.ctx = ctx, .bench = top_bench(ctx, c->budget_ms, c->samples), .quiet = c->quiet};
  printf("tuning on %s (%s); database %s\n", liger_context_device(ctx), liger_context_target(ctx), db);
  top_run_shapes(&t, shapes, nshapes);
  printf("%d variant%s tuned, %d failed\n", t.rows - t.failed, t.rows - t.failed == 1 ? "" : "s", t.failed);
  free(file);
  free(shapes);
  liger_context_destroy(ctx);
  return t.failed ? 1 : 0;
}

bool prewarm_tune_target_ok(const char *target) {
  return !strcmp(target, "cpu") || !strncmp(target, "cuda", 4) || !strncmp(target, "hip", 3);
}

liger_status prewarm_tune(const char *target, const PrewarmOptions *o) {
  if (!prewarm_tune_target_ok(target)) {
    fprintf(stderr, "liger-tune prewarm --tune: '%s' is an offline target here: there is no device to time configs "
            "on, so only compiling is possible (run without --tune, or tune on the machine with the device: "
            "--targets cuda, hip or cpu)\n", target);
    return LIGER_ERR_UNSUPPORTED;
  }
  liger_status st;
  char ops[256];
  const char *sel = o->ops;
  if (!sel || !strcmp(sel, "all")) sel = top_space_ops(ops, sizeof ops);
  liger_context *ctx;
  if ((st = top_open(target, &ctx))) return st;
  PrewarmShape *shapes = NULL;
  int n = 0;
  /* prewarm's shapes: every default, not only the anchors; ops without a space are skipped */
  char kept[256];
  size_t m = 0;
  kept[0] = 0;
  for (const char *p = sel; *p;) {
    size_t len = strcspn(p, ",");
    if (top_has_space(p, len)) m += (size_t)snprintf(kept + m, sizeof kept - m, "%s%.*s", m ? "," : "", (int)len, p);
    p += len + (p[len] == ',');
  }
  if (!m) {
    fprintf(stderr, "liger-tune prewarm --tune: none of the selected ops has a tuning space (those with one: %s)\n",
            top_space_ops(ops, sizeof ops));
    liger_context_destroy(ctx);
    return LIGER_ERR_INVALID_ARG;
  }
  if ((st = top_shapes(ctx, kept, o->shapes, o->nshapes, false, &shapes, &n))) {
    liger_context_destroy(ctx);
    return st;
  }
  char db[4096] = "?";
  tune_db_path(db, sizeof db);
  TopRun t = {.ctx = ctx, .bench = top_bench(ctx, 0, 0), .quiet = o->progress == NULL};
  printf("tuning %s on %s (%s); database %s\n", kept, liger_context_device(ctx), liger_context_target(ctx), db);
  top_run_shapes(&t, shapes, n);
  printf("%d variant%s tuned, %d failed\n", t.rows - t.failed, t.rows - t.failed == 1 ? "" : "s", t.failed);
  free(shapes);
  liger_context_destroy(ctx);
  return t.failed ? rt_fail(LIGER_ERR_UNSUPPORTED, "%d op variant%s could not be tuned on %s (above)", t.failed,
                           t.failed == 1 ? "" : "s", target)
                  : LIGER_OK;
}
