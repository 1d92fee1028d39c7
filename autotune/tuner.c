/*
 * tuner.c — runtime use of the tuning database (interface in tuner.h): the device identity
 * of entries, a process-wide read-only copy of the database file, the measurement of a
 * tuning space, and the memoised decision per (kernel, bucket).
 */
#include "tuner.h"

#include "bundle.h"
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- switches ---------------------------------------------------------------------------- */

bool tune_debug_on(void) {
  const char *e = getenv("LIGER_DEBUG");
  if (!e) return false;
  for (const char *p = e; *p;) {
    size_t n = strcspn(p, ",");
    if ((n == 4 && !strncmp(p, "tune", 4)) || (n == 3 && !strncmp(p, "all", 3))) return true;
    p += n + (p[n] == ',');
  }
  return false;
}

static void tune_debugf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tune_debugf(const char *fmt, ...) {
  if (!tune_debug_on()) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fprintf(stderr, "liger tune: %s\n", buf);
}

bool tune_requested(const liger_context *ctx) {
  const char *e = getenv("LIGER_TUNE");
  if (e && (!strcmp(e, "1") || !strcmp(e, "on") || !strcmp(e, "yes") || !strcmp(e, "true"))) return true;
  return ctx && ctx->tuning;
}

liger_status liger_context_set_tuning(liger_context *ctx, int on) {
  if (!ctx) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_context_set_tuning: context is NULL");
  ctx->tuning = on != 0;
  return LIGER_OK;
}

static long tune_env_long(const char *name, long dflt, long lo, long hi) {
  const char *e = getenv(name);
  if (!e || !*e) return dflt;
  char *end;
  long v = strtol(e, &end, 10);
  return *end || v < lo || v > hi ? dflt : v;
}

TuneBenchOpts tune_runtime_opts(void) {
  TuneBenchOpts o = {0};
  o.samples = (int)tune_env_long("LIGER_TUNE_SAMPLES", TUNE_BENCH_SAMPLES, 1, TUNE_BENCH_MAX_SAMPLES);
  o.budget_ms = (double)tune_env_long("LIGER_TUNE_BUDGET_MS", 200, 1, 3600 * 1000L);
  return o;
}

void tune_device_of(const liger_context *ctx, TuneDevice *out) {
  memset(out, 0, sizeof *out);
  const Target *t = ctx->target;
  if (t->kind == TGT_CPU) {
    /* the CPU's arch names the machine and the LLVM CPU the code was built for */
    size_t m = strcspn(t->triple ? t->triple : "host", "-");
    snprintf(out->arch, sizeof out->arch, "cpu-%.*s-%s", (int)m, t->triple ? t->triple : "host",
             t->cpu && *t->cpu ? t->cpu : "generic");
    out->vendor = "cpu";
  } else {
    snprintf(out->arch, sizeof out->arch, "%s", ctx->info.target);
    out->vendor = tune_vendor_of(out->arch);
    if (!out->vendor) out->vendor = t->kind == TGT_NVPTX ? "nvidia" : "amd";
  }
  snprintf(out->model, sizeof out->model, "%s", ctx->info.name);
}

/* ---- the database, read once and re-read when the file changes ---------------------------- */

static struct {
  pthread_mutex_t lock;
  char path[4096];
  struct stat sb; /* of the copy loaded; st_ino 0: none */
  TuneDb *db;
} tune_file = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool tune_same_file(const struct stat *a, const struct stat *b) {
  return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The current database under tune_file.lock (NULL: none or unreadable). */
static const TuneDb *tune_file_db(void) {
  char path[4096];
  if (tune_db_path(path, sizeof path) != LIGER_OK) return NULL;
  struct stat sb;
  if (stat(path, &sb) != 0) {
    tune_db_free(tune_file.db);
    tune_file.db = NULL;
    tune_file.sb.st_ino = 0;
    return NULL;
  }
  if (tune_file.db && !strcmp(path, tune_file.path) && tune_same_file(&sb, &tune_file.sb)) return tune_file.db;
  tune_db_free(tune_file.db);
  tune_file.db = NULL;
  snprintf(tune_file.path, sizeof tune_file.path, "%s", path);
  tune_file.sb = sb;
  TuneDb *db = NULL;
  if (tune_db_load(path, TUNE_LOAD_MISSING_OK | TUNE_LOAD_CHECK_OWNER, NULL, NULL, &db, NULL) != LIGER_OK) {
    tune_debugf("not using the tuning database: %s", liger_last_error());
    tune_file.sb.st_ino = 0;
    return NULL;
  }
  tune_file.db = db;
  return db;
}

/* The tuning database of the loaded bundles (runtime/bundle.h), parsed once per text. A
 * bundle stays loaded for the life of the process, so its text (and this copy) does too. */
static struct {
  const char *text;
  TuneDb *db;
} tune_bundle; /* under tune_file.lock */

static const TuneDb *tune_bundle_db(void) {
  size_t len = 0;
  const char *text = bundle_loaded_tunedb(&len);
  if (!text || text == tune_bundle.text) return tune_bundle.db;
  tune_db_free(tune_bundle.db);
  tune_bundle.db = NULL;
  tune_bundle.text = text;
  if (tune_db_parse(text, len, "bundle", NULL, NULL, &tune_bundle.db, NULL) != LIGER_OK)
    tune_debugf("not using the bundle's tuning database: %s", liger_last_error());
  return tune_bundle.db;
}

/* The fastest accepted entry of db at the first level with one (ties: the config sorting
 * first), into config; TUNE_HIT_NONE if there is none. */
static TuneLevel tune_pick(const TuneDb *db, const TuneDevice *d, const char *kernel, const char *bucket,
                           TuneAcceptFn accept, void *ud, char *config, size_t n, double *us) {
  const char *compiler = tune_compiler_id();
  for (TuneLevel level = TUNE_HIT_MODEL; db && level > TUNE_HIT_NONE; level--) {
    const TuneEntry *best = NULL;
    for (int i = 0, cnt = tune_db_count(db); i < cnt; i++) {
      const TuneEntry *e = tune_db_entry(db, i);
      if (strcmp(e->kernel, kernel) || strcmp(e->bucket, bucket) || strcmp(e->compiler, compiler) ||
          strcmp(e->vendor, d->vendor))
        continue;
      if (level >= TUNE_HIT_ARCH && strcmp(e->arch, d->arch)) continue;
      if (level == TUNE_HIT_MODEL && (!d->model[0] || strcmp(e->model, d->model))) continue;
      if (accept && !accept(ud, e->config)) continue;
      if (!best || e->median_us < best->median_us ||
          (e->median_us == best->median_us && strcmp(e->config, best->config) < 0))
        best = e;
    }
    if (best && strlen(best->config) < n) {
      memcpy(config, best->config, strlen(best->config) + 1);
      if (us) *us = best->median_us;
      return level;
    }
  }
  return TUNE_HIT_NONE;
}

TuneLevel tune_lookup(const liger_context *ctx, const char *kernel, const char *bucket, TuneAcceptFn accept, void *ud,
                      char *config, size_t n, double *us) {
  TuneDevice d;
  tune_device_of(ctx, &d);
  if (n) config[0] = 0;
  pthread_mutex_lock(&tune_file.lock);
  /* the user's file first (all its levels), then the loaded bundles' database: what was
   * measured here wins over what was shipped (docs/tuning.md, "Runtime use") */
  TuneLevel found = tune_pick(tune_file_db(), &d, kernel, bucket, accept, ud, config, n, us);
  if (found == TUNE_HIT_NONE) {
    found = tune_pick(tune_bundle_db(), &d, kernel, bucket, accept, ud, config, n, us);
    if (found != TUNE_HIT_NONE) tune_debugf("%s [%s]: from the bundle's tuning database", kernel, bucket);
  }
  pthread_mutex_unlock(&tune_file.lock);
  return found;
}

/* ---- measuring a space ----------------------------------------------------------------------- */

typedef struct TuneRunOne {
  TuneConfigRunFn run;
  void *ud;
  int i;
} TuneRunOne;

static liger_status tune_run_one(void *ud, void *stream) {
  TuneRunOne *r = ud;
  return r->run(r->ud, r->i, stream);
}

liger_status tune_measure(liger_context *ctx, const char *kernel, const char *bucket, const char *const *configs, int n,
                          TuneConfigRunFn run, void *ud, const TuneBenchOpts *o, bool write_db, TuneTiming *t,
                          int *best) {
  *best = -1;
  TuneBenchOpts opts = o ? *o : tune_runtime_opts();
  TuneBench *b = NULL;
  liger_status st = tune_bench_create(ctx, NULL, 0, &b);
  if (st) return st;
  TuneDevice d;
  tune_device_of(ctx, &d);
  TuneEntry *entries = calloc((size_t)n + 1, sizeof *entries);
  if (!entries) {
    tune_bench_destroy(b);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  }
  int ne = 0;
  for (int i = 0; i < n; i++) {
    t[i] = (TuneTiming){0};
    TuneRunOne one = {run, ud, i};
    TuneBenchResult r;
    liger_status s = tune_bench_run(b, tune_run_one, &one, &opts, &r);
    if (s) {
      snprintf(t[i].why, sizeof t[i].why, "%s", liger_last_error()[0] ? liger_last_error() : liger_status_name(s));
      tune_debugf("%s [%s]: config %s skipped: %s", kernel, bucket, configs[i], t[i].why);
      liger_synchronize(ctx, NULL); /* what the failed run queued, before the next config */
      continue;
    }
    t[i].median_us = r.median_us;
    t[i].samples = r.samples;
    t[i].budget_hit = r.budget_hit;
    tune_debugf("%s [%s]: config %s: %.3f us (median of %d%s)", kernel, bucket, configs[i], r.median_us, r.samples,
                r.budget_hit ? ", budget reached" : "");
    if (*best < 0 || r.median_us < t[*best].median_us) *best = i;
    entries[ne++] = (TuneEntry){.vendor = d.vendor, .arch = d.arch, .model = d.model,
                                .compiler = tune_compiler_id(), .kernel = kernel, .bucket = bucket,
                                .config = configs[i], .median_us = r.median_us, .samples = (uint32_t)r.samples};
  }
  tune_bench_destroy(b);
  st = LIGER_OK;
  if (*best < 0) {
    char msg[2048];
    size_t m = (size_t)snprintf(msg, sizeof msg, "no config of %s could run:", kernel);
    for (int i = 0; i < n && m < sizeof msg; i++)
      m += (size_t)snprintf(msg + m, sizeof msg - m, "\n  %s: %s", configs[i], t[i].why);
    st = rt_fail(LIGER_ERR_UNSUPPORTED, "%s", msg);
  } else if (write_db) {
    char path[4096];
    st = tune_db_path(path, sizeof path);
    if (!st) st = tune_db_add(path, entries, ne, NULL);
    if (st) tune_debugf("%s [%s]: the timings were not saved: %s", kernel, bucket, liger_last_error());
    else tune_debugf("%s [%s]: %d timings added to %s", kernel, bucket, ne, path);
  }
  free(entries);
  return st;
}

/* ---- decisions ---------------------------------------------------------------------------------- */

struct TuneMemoEntry {
  TuneMemoEntry *next;
  char *key;    /* kernel TAB bucket */
  char *config; /* "" for the default */
};

void tune_memo_init(TuneMemo *m) {
  pthread_mutex_init(&m->lock, NULL);
  m->head = NULL;
}

void tune_memo_free(TuneMemo *m) {
  for (TuneMemoEntry *e = m->head, *n; e; e = n) {
    n = e->next;
    free(e->key);
    free(e->config);
    free(e);
  }
  m->head = NULL;
  pthread_mutex_destroy(&m->lock);
}

void tune_decide(TuneMemo *m, liger_context *ctx, const char *kernel, const char *bucket, const char *dflt,
                 TuneAcceptFn accept, TuneSpaceFn tune, void *ud, char *config, size_t n) {
  size_t kl = strlen(kernel), bl = strlen(bucket);
  char *key = malloc(kl + bl + 2);
  if (!key) {
    snprintf(config, n, "%s", dflt);
    return;
  }
  memcpy(key, kernel, kl);
  key[kl] = '\t';
  memcpy(key + kl + 1, bucket, bl + 1);
  pthread_mutex_lock(&m->lock);
  for (TuneMemoEntry *e = m->head; e; e = e->next)
    if (!strcmp(e->key, key)) {
      snprintf(config, n, "%s", e->config);
      pthread_mutex_unlock(&m->lock);
      free(key);
      return;
    }
  /* a miss: the database, else measure (asked for), else the default */
  char *err = strdup(liger_last_error()); /* a lookup or measurement that fails must not
                                             change what the caller's thread last saw */
  double us = 0;
  TuneLevel level = tune_lookup(ctx, kernel, bucket, accept, ud, config, n, &us);
  if (level != TUNE_HIT_NONE) {
    tune_debugf("%s [%s] on %s: database (%s level, %.3f us) -> %s", kernel, bucket, ctx->info.name,
                tune_level_name(level), us, config);
  } else if (tune && tune_requested(ctx) && !liger_context_offline(ctx, NULL)) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    liger_status st = tune(ud, config, n);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    if (st) {
      tune_debugf("%s [%s] on %s: tuning failed (%s); default %s", kernel, bucket, ctx->info.name,
                  liger_last_error(), dflt[0] ? dflt : "plan");
      snprintf(config, n, "%s", dflt);
    } else {
      tune_debugf("%s [%s] on %s: tuned in %.1f ms -> %s", kernel, bucket, ctx->info.name, ms, config);
    }
  } else {
    tune_debugf("%s [%s] on %s: no database entry; default %s%s", kernel, bucket, ctx->info.name,
                dflt[0] ? dflt : "plan", tune ? " (LIGER_TUNE=1 measures the space)" : "");
    snprintf(config, n, "%s", dflt);
  }
  if (err) {
    rt_fail(LIGER_OK, "%s", err);
    free(err);
  }
  TuneMemoEntry *e = calloc(1, sizeof *e);
  if (e && (e->config = strdup(config))) {
    e->key = key;
    key = NULL;
    e->next = m->head;
    m->head = e;
  } else {
    free(e);
  }
  pthread_mutex_unlock(&m->lock);
  free(key);
}
