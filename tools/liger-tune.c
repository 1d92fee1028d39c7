/*
 * liger-tune — the tuning database's command line (docs/tuning.md): look at it, move
 * entries between machines, prune it.
 *
 *   liger-tune show --kernel 'rms_norm*' --arch sm_90
 *   liger-tune export --model 'NVIDIA H200' -o h200.tunedb
 *   liger-tune import h200.tunedb
 *
 * Each subcommand is one row of `commands` below: its name, its function, its synopsis.
 * `prewarm` compiles every variant into the cache (prewarm.c); `tune` times the ops'
 * configs on this device (liger_tune_tune.c); they share the option parser.
 */
#include "tuner.h" /* TUNE_BENCH_MAX_SAMPLES */
#include "liger_tune_tune.h"
#include "prewarm.h"
#include "tunedb.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_INPUTS 64

/* The options every subcommand may take; each says which it accepts. */
typedef struct Opts {
  const char *db;     /* --db F (default tune_db_path) */
  const char *out;    /* -o OUT */
  TuneFilter filter;  /* --vendor --arch --model --compiler --kernel --bucket */
  bool stale;         /* --stale: entries of other compiler versions */
  bool best;          /* --best: the fastest entry per group only */
  const char *targets, *ops, *shapes, *cache_dir; /* prewarm */
  bool quiet, tune;
  int jobs;
  const char *device; /* tune */
  double budget_ms;
  int samples;
  const char *inputs[MAX_INPUTS];
  int ninputs;
  char dbbuf[4096];
} Opts;

enum { O_DB = 1, O_OUT = 2, O_FILTER = 4, O_STALE = 8, O_BEST = 16, O_PREWARM = 32, O_TUNE = 64 };

typedef struct Command {
  const char *name;
  int (*run)(Opts *o);
  unsigned opts;    /* O_* it accepts */
  int min_inputs, max_inputs;
  const char *synopsis;
  const char *what;
} Command;

static int fail(void) {
  const char *m = liger_last_error();
  size_t n = strlen(m);
  fprintf(stderr, "liger-tune: %s%s", m, n && m[n - 1] == '\n' ? "" : "\n");
  return 1;
}

static void warn(void *ud, const char *where, int line, const char *why) {
  (void)ud;
  fprintf(stderr, "liger-tune: warning: %s:%d: %s; line skipped\n", where, line, why);
}

static bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* ---- show ----------------------------------------------------------------------------- */

/* Same group = same answer to a lookup: everything of the identity but the config. */
static bool same_group(const TuneEntry *a, const TuneEntry *b) {
  return !strcmp(a->vendor, b->vendor) && !strcmp(a->arch, b->arch) && !strcmp(a->model, b->model) &&
         !strcmp(a->compiler, b->compiler) && !strcmp(a->kernel, b->kernel) && !strcmp(a->bucket, b->bucket);
}

enum { NCOLS = 11 };

static void row_cells(const TuneEntry *e, bool best, char num[2][32], char date[16], const char *cell[NCOLS]) {
  long long ns = llround(e->median_us * 1000.0);
  snprintf(num[0], 32, "%lld.%03lld", ns / 1000, ns % 1000);
  snprintf(num[1], 32, "%u", e->samples);
  time_t t = (time_t)e->date;
  struct tm tm;
  if (!gmtime_r(&t, &tm) || !strftime(date, 16, "%Y-%m-%d", &tm)) snprintf(date, 16, "?");
  const char *c[NCOLS] = {best ? "*" : "", e->kernel, *e->bucket ? e->bucket : "-", e->config, num[0], num[1],
                          date, *e->model ? e->model : "-", e->arch, e->vendor, e->compiler};
  memcpy(cell, c, sizeof c);
}

static int cmd_show(Opts *o) {
  if (!exists(o->db)) {
    printf("no tuning database at %s (0 entries)\n", o->db);
    return 0;
  }
  TuneDb *db;
  TuneLoadInfo info;
  if (tune_db_load(o->db, 0, warn, NULL, &db, &info) != LIGER_OK) return fail();
  int n = tune_db_count(db), shown = 0;
  /* best[i]: entry i is the fastest of its group (ties: the first config in order). */
  bool *best = calloc((size_t)n + 1, 1), *keep = calloc((size_t)n + 1, 1);
  if (!best || !keep) {
    free(best);
    free(keep);
    tune_db_free(db);
    fprintf(stderr, "liger-tune: out of memory\n");
    return 1;
  }
  for (int i = 0, g = 0; i <= n; i++) {
    if (i < n && same_group(tune_db_entry(db, g), tune_db_entry(db, i))) continue;
    int b = g;
    for (int j = g + 1; j < i; j++)
      if (tune_db_entry(db, j)->median_us < tune_db_entry(db, b)->median_us) b = j;
    if (g < n) best[b] = true;
    g = i;
  }
  TuneFilter f = o->filter;
  if (o->stale) f.not_compiler = tune_compiler_id();
  for (int i = 0; i < n; i++) keep[i] = tune_filter_match(&f, tune_db_entry(db, i)) && (!o->best || best[i]);
  static const char *const head[NCOLS] = {"", "KERNEL", "BUCKET", "CONFIG", "MEDIAN_US", "SAMPLES",
                                          "DATE", "MODEL", "ARCH", "VENDOR", "COMPILER"};
  size_t w[NCOLS];
  for (int c = 0; c < NCOLS; c++) w[c] = strlen(head[c]);
  char num[2][32], date[16];
  const char *cell[NCOLS];
  for (int i = 0; i < n; i++) {
    if (!keep[i]) continue;
    shown++;
    row_cells(tune_db_entry(db, i), best[i], num, date, cell);
    for (int c = 0; c < NCOLS; c++)
      if (strlen(cell[c]) > w[c]) w[c] = strlen(cell[c]);
  }
  if (shown) {
    for (int pass = -1; pass < n; pass++) {
      if (pass >= 0 && !keep[pass]) continue;
      if (pass >= 0) row_cells(tune_db_entry(db, pass), best[pass], num, date, cell);
      const char *const *r = pass < 0 ? head : cell;
      for (int c = 0; c < NCOLS; c++) {
        bool right = c == 4 || c == 5;
        const char *sep = c == 0 ? "" : "  ";
        if (c == NCOLS - 1) printf("%s%s\n", sep, r[c]);
        else printf(right ? "%s%*s" : "%s%-*s", sep, (int)w[c], r[c]);
      }
    }
  }
  printf("%d of %d entries shown (* = fastest config of its kernel and bucket on that GPU and compiler)", shown, n);
  if (info.skipped) printf("; %d corrupt line%s skipped", info.skipped, info.skipped == 1 ? "" : "s");
  printf("\n");
  free(best);
  free(keep);
  tune_db_free(db);
  return 0;
}

/* ---- export, import, merge, clear ------------------------------------------------------ */

static int write_db(const TuneDb *db, const char *out) {
  if (strcmp(out, "-")) return tune_db_save(db, out) == LIGER_OK ? 0 : fail();
  char *text;
  size_t len;
  if (tune_db_serialize(db, &text, &len) != LIGER_OK) return fail();
  bool ok = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
  free(text);
  if (!ok) fprintf(stderr, "liger-tune: write error on stdout\n");
  return ok ? 0 : 1;
}

static int cmd_export(Opts *o) {
  TuneDb *db, *sel = tune_db_new();
  TuneMergeStats ms;
  if (!sel || tune_db_load(o->db, 0, warn, NULL, &db, NULL) != LIGER_OK) {
    tune_db_free(sel);
    return fail();
  }
  TuneFilter f = o->filter;
  if (o->stale) f.not_compiler = tune_compiler_id();
  int rc = tune_db_merge(sel, db, &f, &ms) == LIGER_OK ? write_db(sel, o->out) : fail();
  if (!rc) fprintf(stderr, "liger-tune: exported %d of %d entries to %s\n", ms.added, tune_db_count(db), o->out);
  tune_db_free(db);
  tune_db_free(sel);
  return rc;
}

typedef struct ImportArgs {
  const TuneDb *src;
  TuneMergeStats stats;
} ImportArgs;

static liger_status import_edit(TuneDb *db, void *ud) {
  ImportArgs *a = ud;
  return tune_db_merge(db, a->src, NULL, &a->stats);
}

static int cmd_import(Opts *o) {
  for (int i = 0; i < o->ninputs; i++) {
    TuneDb *src;
    if (tune_db_load(o->inputs[i], 0, warn, NULL, &src, NULL) != LIGER_OK) return fail();
    ImportArgs a = {.src = src};
    liger_status st = tune_db_update(o->db, import_edit, &a, warn, NULL);
    tune_db_free(src);
    if (st != LIGER_OK) return fail();
    printf("imported %s into %s: %d added, %d replaced, %d kept (the database's entry won)\n", o->inputs[i], o->db,
           a.stats.added, a.stats.replaced, a.stats.kept);
  }
  return 0;
}

static int cmd_merge(Opts *o) {
  TuneDb *acc = tune_db_new();
  if (!acc) return fail();
  for (int i = 0; i < o->ninputs; i++) {
    TuneDb *src = NULL;
    liger_status st = tune_db_load(o->inputs[i], 0, warn, NULL, &src, NULL);
    if (st == LIGER_OK) st = tune_db_merge(acc, src, NULL, NULL);
    tune_db_free(src);
    if (st != LIGER_OK) {
      tune_db_free(acc);
      return fail();
    }
  }
  int rc = write_db(acc, o->out);
  if (!rc) fprintf(stderr, "liger-tune: merged %d files into %s: %d entries\n", o->ninputs, o->out, tune_db_count(acc));
  tune_db_free(acc);
  return rc;
}

typedef struct ClearArgs {
  const TuneFilter *filter;
  int removed, left;
} ClearArgs;

static liger_status clear_edit(TuneDb *db, void *ud) {
  ClearArgs *a = ud;
  a->removed = tune_db_remove(db, a->filter);
  a->left = tune_db_count(db);
  return LIGER_OK;
}

static int cmd_clear(Opts *o) {
  if (!exists(o->db)) {
    printf("no tuning database at %s\n", o->db);
    return 0;
  }
  TuneFilter f = o->filter;
  if (o->stale) f.not_compiler = tune_compiler_id();
  ClearArgs a = {.filter = &f};
  if (tune_db_update(o->db, clear_edit, &a, warn, NULL) != LIGER_OK) return fail();
  printf("removed %d entr%s from %s; %d left\n", a.removed, a.removed == 1 ? "y" : "ies", o->db, a.left);
  return 0;
}

static int cmd_path(Opts *o) {
  printf("%s\n", o->db);
  return 0;
}

/* ---- prewarm --------------------------------------------------------------------------- */

static void prewarm_progress(void *ud, int done, int total, const char *unit) {
  const char *target = ud;
  if (isatty(2)) {
    int w = 30, fill = total ? done * w / total : w;
    fprintf(stderr, "\r%-8s [%.*s%*s] %d/%d %-24s", target, fill, "==============================", w - fill, "", done,
            total, unit);
    if (done == total) fputc('\n', stderr);
  } else if (done == total || (total >= 10 && done % (total / 10) == 0)) {
    fprintf(stderr, "liger-tune prewarm: %s %d/%d units (%s)\n", target, done, total, unit);
  }
}

/* For each target: an offline context (a GPU need not be here; "cpu" is this host's CPU,
 * offline too, so nothing runs), every selected op at every shape and dtype. The summary
 * goes to stdout, progress and failures to stderr; the status is 1 if any call failed. */
static int cmd_prewarm(Opts *o) {
  /* --tune times on the devices themselves: refuse offline targets before compiling anything */
  for (const char *p = o->targets; o->tune && *p;) {
    size_t n = strcspn(p, ",");
    char t[32];
    snprintf(t, sizeof t, "%.*s", (int)(n < 31 ? n : 31), p);
    if (!prewarm_tune_target_ok(t)) {
      fprintf(stderr, "liger-tune prewarm --tune: '%s' is an offline target here: there is no device to time configs "
              "on (run prewarm without --tune for it, and --tune on the machine with the device: --targets cuda, "
              "hip or cpu)\n", t);
      return 2;
    }
    p += n + (p[n] == ',');
  }
  if (o->cache_dir && setenv("LIGER_CACHE_DIR", o->cache_dir, 1)) return fail();
  if (prewarm_check_ops(o->ops) != LIGER_OK) return 2;
  liger_cache_info ci;
  if (liger_cache_query(&ci) == LIGER_OK && !ci.enabled) {
    fprintf(stderr, "liger-tune prewarm: the binary cache is off (%s): nowhere to prewarm\n", ci.reason);
    return 1;
  }
  PrewarmShape *shapes = NULL;
  int nshapes = 0;
  if (o->shapes && prewarm_read_shapes(o->shapes, &shapes, &nshapes) != LIGER_OK) return 1;
  enum { MAX_TARGETS = 16 };
  char names[MAX_TARGETS][32];
  PrewarmResult res[MAX_TARGETS];
  int ntargets = 0, rc = 0;
  for (const char *p = o->targets; *p && ntargets < MAX_TARGETS;) {
    size_t n = strcspn(p, ",");
    snprintf(names[ntargets], sizeof names[0], "%.*s", (int)(n < 31 ? n : 31), p);
    PrewarmOptions po = {.ops = o->ops, .shapes = shapes, .nshapes = nshapes, .jobs = o->jobs,
                         .progress = o->quiet ? NULL : prewarm_progress, .ud = names[ntargets]};
    /* a device name (cuda, cuda:N, hip, hip:N) runs the calls there, on uninitialised data:
     * that checks a cache prewarmed elsewhere (COMPILED 0 when it has every variant) */
    bool real = !strncmp(names[ntargets], "cuda", 4) || !strncmp(names[ntargets], "hip", 3);
    char device[64];
    snprintf(device, sizeof device, "%s%.31s", real ? "" : "offline:", names[ntargets]);
    liger_status st = prewarm_run(device, &po, &res[ntargets]);
    /* --tune: then time the op spaces there at the same shapes, into the database */
    if (st == LIGER_OK && o->tune && (st = prewarm_tune(names[ntargets], &po)) != LIGER_OK) ntargets++;
    if (st != LIGER_OK) {
      free(shapes);
      for (int i = 0; i < ntargets; i++) prewarm_result_free(&res[i]);
      return fail();
    }
    ntargets++;
    p += n + (p[n] == ',');
  }
  free(shapes);
  printf("%-8s %5s %6s %9s %10s %9s %9s\n", "TARGET", "UNITS", "CALLS", "COMPILED", "CACHE_HITS", "FAILURES", "SECONDS");
  for (int i = 0; i < ntargets; i++)
    printf("%-8s %5d %6d %9llu %10llu %9d %9.1f\n", names[i], res[i].units, res[i].calls,
           (unsigned long long)res[i].compiled, (unsigned long long)res[i].hits, res[i].nfailures, res[i].seconds);
  liger_cache_query(&ci);
  printf("cache %s: %llu entries, %llu bytes\n", ci.dir, (unsigned long long)ci.entries, (unsigned long long)ci.bytes);
  for (int i = 0; i < ntargets; i++) {
    for (int f = 0; f < res[i].nfailures; f++) fprintf(stderr, "liger-tune prewarm: FAILED %s\n", res[i].failures[f]);
    rc |= res[i].nfailures != 0;
    prewarm_result_free(&res[i]);
  }
  return rc;
}

/* ---- tune (liger_tune_tune.c) ------------------------------------------------------------ */

static int cmd_tune(Opts *o) {
  TuneCmd c = {.ops = o->ops, .shapes = o->shapes, .device = o->device, .db = o->db, .budget_ms = o->budget_ms,
               .samples = o->samples, .quiet = o->quiet};
  return liger_tune_tune(&c);
}

/* ---- the command table and the option parser ----------------------------------------- */

#define FILTERS "[--vendor V] [--arch A] [--model M] [--kernel K] [--bucket B] [--compiler C] [--stale]"

static const Command commands[] = {
    {"show", cmd_show, O_DB | O_FILTER | O_STALE | O_BEST, 0, 0, "[--db F] " FILTERS " [--best]",
     "print the entries as a table; * marks the config a lookup would pick"},
    {"export", cmd_export, O_DB | O_OUT | O_FILTER | O_STALE, 0, 0, "[--db F] " FILTERS " -o OUT",
     "write the selected entries to OUT ('-' for stdout), a database file of its own"},
    {"import", cmd_import, O_DB, 1, MAX_INPUTS, "[--db F] FILE...",
     "merge database files into the database (more samples wins, then the newer date)"},
    {"merge", cmd_merge, O_OUT, 2, MAX_INPUTS, "A B... -o OUT", "merge database files into OUT, by the same rule"},
    {"clear", cmd_clear, O_DB | O_FILTER | O_STALE, 0, 0, "[--db F] " FILTERS,
     "remove the selected entries (all without a filter; --stale: those of other compiler versions)"},
    {"path", cmd_path, O_DB, 0, 0, "[--db F]", "print the database path"},
    {"prewarm", cmd_prewarm, O_PREWARM, 0, 0,
     "--targets T,... [--ops all|OP,...] [--shapes FILE] [--cache-dir D] [--jobs N] [--quiet] [--tune]",
     "compile every op variant for the targets (sm_80, sm_90, sm_90a, gfx90a, gfx942, gfx1100, cpu) into the\n"
     "          binary cache, without their devices; docs/cli.md"},
    {"tune", cmd_tune, O_DB | O_TUNE, 0, 0,
     "[--ops all|OP,...] [--shapes FILE] [--device D] [--db F] [--budget-ms N] [--samples N] [--quiet]",
     "time the configs of the ops' tuning spaces on this device (default: the best present) at the anchors.md\n"
     "          shapes (scaled down on the CPU) or a shapes file, add them to the database, print a table"},
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void usage(FILE *out) {
  fprintf(out, "usage: liger-tune COMMAND [options]   (liger-tune COMMAND --help for one command)\n\n");
  for (int i = 0; i < NCOMMANDS; i++) fprintf(out, "  %-7s %s\n          %s\n", commands[i].name, commands[i].synopsis,
                                              commands[i].what);
  fprintf(out, "\nFilters are fnmatch patterns ('rms_norm*'); --stale selects entries of other compiler\n"
               "versions than this one (%s). The database is --db F, else $LIGER_TUNE_DB, else\n"
               "$LIGER_CACHE_DIR/tune.db, else $XDG_CACHE_HOME/liger-jit/tune.db, else\n"
               "~/.cache/liger-jit/tune.db. Format and examples: docs/tuning.md.\n",
          tune_compiler_id());
}

static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (!strcmp(argv[*i], name) && *i + 1 < argc) return argv[++*i];
  return NULL;
}

static int usage_bad(const Command *c, const char *opt, const char *v) {
  fprintf(stderr, "liger-tune %s: bad value '%s' for %s\nusage: liger-tune %s %s\n", c->name, v, opt, c->name,
          c->synopsis);
  return 2;
}

/* Parses argv[2..] for command c. Returns 0, or the exit status (2: usage) to stop with. */
static int parse(const Command *c, int argc, char **argv, Opts *o) {
  struct { const char *name; const char **dst; } filters[] = {
      {"--vendor", &o->filter.vendor}, {"--arch", &o->filter.arch},     {"--model", &o->filter.model},
      {"--kernel", &o->filter.kernel}, {"--bucket", &o->filter.bucket}, {"--compiler", &o->filter.compiler},
  };
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v;
    bool done = false;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      printf("usage: liger-tune %s %s\n  %s\n", c->name, c->synopsis, c->what);
      return -1;
    }
    if ((c->opts & O_DB) && (v = opt_value(argc, argv, &i, "--db"))) o->db = v, done = true;
    else if ((c->opts & O_OUT) && !strcmp(a, "-o") && i + 1 < argc) o->out = argv[++i], done = true;
    else if ((c->opts & O_STALE) && !strcmp(a, "--stale")) o->stale = done = true;
    else if ((c->opts & O_BEST) && !strcmp(a, "--best")) o->best = done = true;
    else if ((c->opts & O_PREWARM) && (v = opt_value(argc, argv, &i, "--targets"))) o->targets = v, done = true;
    else if ((c->opts & (O_PREWARM | O_TUNE)) && (v = opt_value(argc, argv, &i, "--ops"))) o->ops = v, done = true;
    else if ((c->opts & (O_PREWARM | O_TUNE)) && (v = opt_value(argc, argv, &i, "--shapes"))) o->shapes = v, done = true;
    else if ((c->opts & O_TUNE) && (v = opt_value(argc, argv, &i, "--device"))) o->device = v, done = true;
    else if ((c->opts & O_TUNE) && (v = opt_value(argc, argv, &i, "--budget-ms"))) {
      char *end;
      o->budget_ms = strtod(v, &end);
      if (*end || !(o->budget_ms > 0)) return usage_bad(c, "--budget-ms", v);
      done = true;
    } else if ((c->opts & O_TUNE) && (v = opt_value(argc, argv, &i, "--samples"))) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*end || n < 1 || n > TUNE_BENCH_MAX_SAMPLES) return usage_bad(c, "--samples", v);
      o->samples = (int)n;
      done = true;
    }
    else if ((c->opts & O_PREWARM) && (v = opt_value(argc, argv, &i, "--cache-dir"))) o->cache_dir = v, done = true;
    else if ((c->opts & O_PREWARM) && (v = opt_value(argc, argv, &i, "--jobs"))) o->jobs = atoi(v), done = true;
    else if ((c->opts & (O_PREWARM | O_TUNE)) && !strcmp(a, "--quiet")) o->quiet = done = true;
    else if ((c->opts & O_PREWARM) && !strcmp(a, "--tune")) o->tune = done = true;
    for (size_t k = 0; !done && (c->opts & O_FILTER) && k < sizeof filters / sizeof filters[0]; k++)
      if ((v = opt_value(argc, argv, &i, filters[k].name))) *filters[k].dst = v, done = true;
    if (done) continue;
    if (a[0] == '-' && a[1]) {
      fprintf(stderr, "liger-tune %s: unknown option or missing value '%s'\nusage: liger-tune %s %s\n", c->name, a,
              c->name, c->synopsis);
      return 2;
    }
    if (o->ninputs == c->max_inputs) {
      fprintf(stderr, "liger-tune %s: unexpected argument '%s'\nusage: liger-tune %s %s\n", c->name, a, c->name,
              c->synopsis);
      return 2;
    }
    o->inputs[o->ninputs++] = a;
  }
  if (o->ninputs < c->min_inputs || ((c->opts & O_OUT) && !o->out) || ((c->opts & O_PREWARM) && !o->targets)) {
    fprintf(stderr, "usage: liger-tune %s %s\n", c->name, c->synopsis);
    return 2;
  }
  if ((c->opts & O_DB) && !o->db) {
    if (tune_db_path(o->dbbuf, sizeof o->dbbuf) != LIGER_OK) return fail();
    o->db = o->dbbuf;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("liger-tune (compiler %s, database format %d)\n", tune_compiler_id(), TUNE_FORMAT);
    return 0;
  }
  for (int i = 0; i < NCOMMANDS; i++) {
    if (strcmp(argv[1], commands[i].name)) continue;
    static Opts o;
    int rc = parse(&commands[i], argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    return commands[i].run(&o);
  }
  fprintf(stderr, "liger-tune: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
