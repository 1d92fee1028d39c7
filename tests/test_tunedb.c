/*
 * test_tunedb.c — the tuning database (autotune/tunedb.h): keys and configs, the text round
 * trip, lookup fallback, merge rules, filters, corruption and truncation, ownership, and
 * concurrent writers from several processes.
 *
 *   test_tunedb [WORKDIR]     (default: a fresh directory under $TMPDIR or /tmp)
 */
#include "tunedb.h"

#include "check.h"

#include <errno.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char workdir[1024];
static const char *OLD = "0.0.9 (LLVM 21.1.0)"; /* another compiler version */

static TuneEntry entry(const char *model, const char *arch, const char *kernel, const char *bucket,
                       const char *config, double us) {
  return (TuneEntry){.vendor = tune_vendor_of(arch), .arch = arch, .model = model, .compiler = tune_compiler_id(),
                     .kernel = kernel, .bucket = bucket, .config = config, .median_us = us, .samples = 50,
                     .date = 1767225600 /* 2026-01-01 */};
}

static char *serialize(const TuneDb *db, size_t *len) {
  char *t = NULL;
  size_t n = 0;
  if (tune_db_serialize(db, &t, &n) != LIGER_OK) return NULL;
  if (len) *len = n;
  return t;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *p = malloc((size_t)n + 1);
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) n = 0;
  fclose(f);
  if (p) p[n] = 0;
  if (len) *len = (size_t)n;
  return p;
}

static bool write_file(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(text, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

static void path_in(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", workdir, name); }

typedef struct Warns {
  int count, last_line;
  char last_why[128];
} Warns;

static void on_warn(void *ud, const char *where, int line, const char *why) {
  Warns *w = ud;
  (void)where;
  w->count++;
  w->last_line = line;
  snprintf(w->last_why, sizeof w->last_why, "%s", why);
}

/* ---- keys, buckets and configs ---------------------------------------------------------- */

static void test_names(void) {
  CHECK(tune_bucket_round(0) == 0 && tune_bucket_round(1) == 1 && tune_bucket_round(2) == 2 &&
            tune_bucket_round(3) == 4 && tune_bucket_round(1000) == 1024 && tune_bucket_round(4096) == 4096 &&
            tune_bucket_round(4097) == 8192 && tune_bucket_round(-5) == -8,
        "bucket rounding: 0,1,2 stay, 3→4, 1000→1024, 4096→4096, 4097→8192, -5→-8");
  CHECK(tune_bucket_round(INT64_MAX) == ((int64_t)1 << 62) && tune_bucket_round(INT64_MIN) == -((int64_t)1 << 62),
        "bucket rounding caps at 2^62");

  char b[256];
  TuneKeyVal kv[] = {{"n_cols", 3000, NULL}, {"dtype", 0, "bf16"}, {"n_rows", 1, NULL}};
  CHECK(tune_bucket(kv, 3, b, sizeof b) == LIGER_OK && !strcmp(b, "dtype=bf16,n_cols=4096,n_rows=1"),
        "tune_bucket sorts by name and rounds: '%s'", b);
  CHECK(tune_bucket(NULL, 0, b, sizeof b) == LIGER_OK && !strcmp(b, ""), "an empty key is the bucket ''");
  TuneKeyVal dup[] = {{"n", 3, NULL}, {"n", 5, NULL}};
  CHECK(tune_bucket(dup, 2, b, sizeof b) == LIGER_ERR_INVALID_ARG, "a repeated key name is refused: %s",
        liger_last_error());
  TuneKeyVal bad[] = {{"n", 0, "a,b"}};
  CHECK(tune_bucket(bad, 1, b, sizeof b) == LIGER_ERR_INVALID_ARG, "a value with ',' is refused");
  CHECK(tune_bucket(kv, 3, b, 8) == LIGER_ERR_INVALID_ARG, "a small buffer is refused");

  char c[256];
  CHECK(tune_config_canon(" num_warps=4 , BLOCK_SIZE=1024,num_stages=3", c, sizeof c) == LIGER_OK &&
            !strcmp(c, "BLOCK_SIZE=1024,num_stages=3,num_warps=4"),
        "config canon sorts and trims: '%s'", c);
  strcpy(c, "b=2,a=1");
  CHECK(tune_config_canon(c, c, sizeof c) == LIGER_OK && !strcmp(c, "a=1,b=2"), "config canon in place");
  CHECK(tune_config_canon("A=1,A=2", c, sizeof c) == LIGER_ERR_INVALID_ARG, "repeated config name refused");
  CHECK(tune_config_canon("A=", c, sizeof c) == LIGER_ERR_INVALID_ARG, "empty value refused");
  CHECK(tune_config_canon("1A=3", c, sizeof c) == LIGER_ERR_INVALID_ARG, "non-identifier refused");
  CHECK(tune_config_canon("A=1,", c, sizeof c) == LIGER_ERR_INVALID_ARG, "trailing comma refused");
  CHECK(tune_config_canon("", c, sizeof c) == LIGER_ERR_INVALID_ARG, "empty config refused");
  const char *names[] = {"BLOCK", "EVEN"}, *vals[] = {"256", "True"};
  CHECK(tune_config_format(names, vals, 2, 8, 2, c, sizeof c) == LIGER_OK &&
            !strcmp(c, "BLOCK=256,EVEN=True,num_stages=2,num_warps=8"),
        "tune_config_format: '%s'", c);
  char v[32];
  CHECK(tune_config_get(c, "num_warps", v, sizeof v) && !strcmp(v, "8") && tune_config_get(c, "BLOCK", v, sizeof v) &&
            !strcmp(v, "256") && !tune_config_get(c, "BLOC", v, sizeof v) && !tune_config_get(c, "num", v, sizeof v),
        "tune_config_get finds whole names only");

  CHECK(!strcmp(tune_vendor_of("sm_90"), "nvidia") && !strcmp(tune_vendor_of("gfx942"), "amd") &&
            !strcmp(tune_vendor_of("cpu-x86_64-znver4"), "cpu") && tune_vendor_of("tpu") == NULL,
        "tune_vendor_of");
  uint8_t d[32];
  for (int i = 0; i < 32; i++) d[i] = (uint8_t)(i * 17);
  CHECK(tune_kernel_key("_rms_fwd", d, b, sizeof b) == LIGER_OK && !strcmp(b, "_rms_fwd@0011223344556677"),
        "tune_kernel_key: '%s'", b);
  CHECK(!strcmp(tune_level_name(TUNE_HIT_NONE), "default") && !strcmp(tune_level_name(TUNE_HIT_MODEL), "model"),
        "level names");
}

/* ---- put validation --------------------------------------------------------------------- */

static void test_put(void) {
  TuneDb *db = tune_db_new();
  TuneEntry e = entry("NVIDIA H200", "sm_90", "k", "n=1", "B=1,num_warps=4", 1.0);
  e.kernel = "";
  CHECK(tune_db_put(db, &e, TUNE_PUT_REPLACE, NULL) == LIGER_ERR_INVALID_ARG && strstr(liger_last_error(), "kernel"),
        "empty kernel refused: %s", liger_last_error());
  e = entry("NVIDIA H200", "sm_90", "k", "n=1", "B=1,num_warps=4", NAN);
  CHECK(tune_db_put(db, &e, TUNE_PUT_REPLACE, NULL) == LIGER_ERR_INVALID_ARG, "NaN median refused");
  e.median_us = -1;
  CHECK(tune_db_put(db, &e, TUNE_PUT_REPLACE, NULL) == LIGER_ERR_INVALID_ARG, "negative median refused");
  e.median_us = 1;
  e.samples = 0;
  CHECK(tune_db_put(db, &e, TUNE_PUT_REPLACE, NULL) == LIGER_ERR_INVALID_ARG, "0 samples refused");
  e.samples = 1;
  e.config = "B=1 2";
  CHECK(tune_db_put(db, &e, TUNE_PUT_REPLACE, NULL) == LIGER_ERR_INVALID_ARG, "bad config refused");
  CHECK(tune_db_count(db) == 0, "nothing was stored by refused puts");
  e.config = "num_warps=4,B=1";
  e.median_us = 1.23456;
  e.date = 0;
  e.model = NULL;
  e.bucket = NULL;
  CHECK(tune_db_put(db, &e, TUNE_PUT_REPLACE, NULL) == LIGER_OK && tune_db_count(db) == 1, "valid put stored");
  const TuneEntry *g = tune_db_entry(db, 0);
  CHECK(!strcmp(g->config, "B=1,num_warps=4") && g->median_us == 1.235 && g->date > 1700000000 &&
            !strcmp(g->model, "") && !strcmp(g->bucket, ""),
        "put canonicalises the config, rounds to ns, dates 0 as now, NULL model/bucket as ''");
  tune_db_free(db);
}

/* ---- round trip --------------------------------------------------------------------------- */

static TuneDb *sample_db(bool reversed) {
  TuneEntry es[] = {
      entry("NVIDIA H200", "sm_90", "rms_norm.fwd", "n_cols=4096", "BLOCK=4096,num_stages=1,num_warps=8", 11.264),
      entry("NVIDIA H200", "sm_90", "rms_norm.fwd", "n_cols=4096", "BLOCK=4096,num_stages=1,num_warps=4", 12.5),
      entry("NVIDIA H100 80GB HBM3", "sm_90", "rms_norm.fwd", "n_cols=4096", "BLOCK=4096,num_warps=16", 13),
      entry("AMD Instinct MI300X", "gfx942", "ce.fwd", "V=131072", "BLOCK=32768,num_warps=16", 101.001),
      entry("", "cpu-x86_64-znver4", "add@00aa", "", "BLOCK=1024,num_warps=1", 0.5),
      /* escapes: TAB, newline, CR, backslash, a control byte, a literal "-", UTF-8 */
      entry("we\\ird\tmod\nel\r\x01", "sm_80", "-", "k=-", "X=1", 7),
      entry("Ünïcode GPU", "sm_80", "k", "b=2", "X=2", 7),
  };
  es[6].compiler = OLD;
  es[5].samples = 4000000000u;
  es[5].date = 253402300799; /* 9999-12-31T23:59:59Z */
  TuneDb *db = tune_db_new();
  int n = (int)(sizeof es / sizeof es[0]);
  for (int i = 0; i < n; i++)
    if (tune_db_put(db, &es[reversed ? n - 1 - i : i], TUNE_PUT_REPLACE, NULL) != LIGER_OK)
      printf("put failed: %s\n", liger_last_error());
  return db;
}

static bool same_entry(const TuneEntry *a, const TuneEntry *b) {
  return !strcmp(a->vendor, b->vendor) && !strcmp(a->arch, b->arch) && !strcmp(a->model, b->model) &&
         !strcmp(a->compiler, b->compiler) && !strcmp(a->kernel, b->kernel) && !strcmp(a->bucket, b->bucket) &&
         !strcmp(a->config, b->config) && a->median_us == b->median_us && a->samples == b->samples &&
         a->date == b->date;
}

static void test_round_trip(void) {
  TuneDb *a = sample_db(false), *b = sample_db(true);
  CHECK(tune_db_count(a) == 7, "7 entries put");
  size_t la, lb;
  char *ta = serialize(a, &la), *tb = serialize(b, &lb);
  CHECK(ta && tb && la == lb && !memcmp(ta, tb, la), "insertion order does not change the bytes (deterministic)");
  CHECK(ta && !strncmp(ta, "liger-tunedb\t1\n", 15), "first line: magic and version");
  CHECK(ta && strstr(ta, "we\\\\ird\\tmod\\nel\\r\\x01\t") && strstr(ta, "\t\\x2d\tk=-\t") &&
            strstr(ta, "\tadd@00aa\t-\t"),
        "escapes: \\\\ \\t \\n \\r \\x01, a literal '-' as \\x2d, '' as '-'");
  /* entries come out sorted by identity */
  bool sorted = true;
  for (int i = 1; i < tune_db_count(a); i++) {
    const TuneEntry *p = tune_db_entry(a, i - 1), *q = tune_db_entry(a, i);
    int c = strcmp(p->vendor, q->vendor);
    if (!c) c = strcmp(p->arch, q->arch);
    if (!c) c = strcmp(p->model, q->model);
    if (!c) c = strcmp(p->compiler, q->compiler);
    if (!c) c = strcmp(p->kernel, q->kernel);
    if (!c) c = strcmp(p->bucket, q->bucket);
    if (!c) c = strcmp(p->config, q->config);
    if (c >= 0) sorted = false;
  }
  CHECK(sorted, "entries in canonical (identity) order");

  TuneDb *r = NULL;
  TuneLoadInfo info;
  CHECK(tune_db_parse(ta, la, "mem", NULL, NULL, &r, &info) == LIGER_OK && info.entries == 7 && info.skipped == 0,
        "parse back: %d entries, %d skipped", info.entries, info.skipped);
  bool same = r && tune_db_count(r) == 7;
  for (int i = 0; same && i < 7; i++) same = same_entry(tune_db_entry(a, i), tune_db_entry(r, i));
  CHECK(same, "every field read back equal");
  size_t lr;
  char *tr = r ? serialize(r, &lr) : NULL;
  CHECK(tr && lr == la && !memcmp(tr, ta, la), "re-serialisation is byte-identical");

  char path[1200];
  path_in(path, sizeof path, "rt.db");
  CHECK(tune_db_save(a, path) == LIGER_OK, "save");
  size_t lf;
  char *tf = read_file(path, &lf);
  CHECK(tf && lf == la && !memcmp(tf, ta, la), "the file holds the canonical text");
  TuneDb *f = NULL;
  CHECK(tune_db_load(path, TUNE_LOAD_CHECK_OWNER, NULL, NULL, &f, &info) == LIGER_OK && info.entries == 7,
        "load the file (ownership checked)");
  tune_db_save(f, path);
  free(tf);
  tf = read_file(path, &lf);
  CHECK(tf && lf == la && !memcmp(tf, ta, la), "load + save gives the same bytes");
  tune_db_free(r);
  CHECK(tune_db_parse("", 0, "empty", NULL, NULL, &r, &info) == LIGER_OK && tune_db_count(r) == 0,
        "empty text is an empty database");
  tune_db_free(r);
  free(ta), free(tb), free(tr), free(tf);
  tune_db_free(a), tune_db_free(b), tune_db_free(f);
}

/* ---- lookup ------------------------------------------------------------------------------ */

static void test_fallback(void) {
  TuneDb *db = tune_db_new();
  TuneEntry es[] = {
      entry("NVIDIA H200", "sm_90", "k", "n=4096", "B=1,num_warps=4", 10),
      entry("NVIDIA H200", "sm_90", "k", "n=4096", "B=2,num_warps=4", 9), /* H200's best */
      entry("NVIDIA H100", "sm_90", "k", "n=4096", "B=3,num_warps=4", 7), /* sm_90's best */
      entry("NVIDIA A100", "sm_80", "k", "n=4096", "B=4,num_warps=4", 5), /* nvidia's best */
      entry("NVIDIA H200", "sm_90", "k", "n=8192", "B=5,num_warps=4", 20),
      entry("NVIDIA H200", "sm_90", "other", "n=4096", "B=6,num_warps=4", 1),
      entry("AMD Instinct MI300X", "gfx942", "k", "n=4096", "B=7,num_warps=4", 1),
  };
  for (size_t i = 0; i < sizeof es / sizeof es[0]; i++) tune_db_put(db, &es[i], TUNE_PUT_REPLACE, NULL);
  const TuneEntry *best;
  TuneQuery q = {"nvidia", "sm_90", "NVIDIA H200", NULL, "k", "n=4096"};
  TuneLevel lv = tune_db_best(db, &q, &best);
  CHECK(lv == TUNE_HIT_MODEL && best && !strcmp(best->config, "B=2,num_warps=4"),
        "model level: H200's own fastest (not the faster H100 entry): %s", tune_level_name(lv));
  q.model = "NVIDIA GH200";
  lv = tune_db_best(db, &q, &best);
  CHECK(lv == TUNE_HIT_ARCH && best && !strcmp(best->config, "B=3,num_warps=4"), "arch level: sm_90's fastest: %s",
        tune_level_name(lv));
  q.model = NULL;
  lv = tune_db_best(db, &q, &best);
  CHECK(lv == TUNE_HIT_ARCH, "no model: starts at the arch");
  q.model = "NVIDIA B200", q.arch = "sm_100";
  lv = tune_db_best(db, &q, &best);
  CHECK(lv == TUNE_HIT_VENDOR && best && !strcmp(best->config, "B=4,num_warps=4"),
        "vendor level: nvidia's fastest: %s", tune_level_name(lv));
  q.vendor = "cpu", q.arch = "cpu-x86_64", q.model = "x";
  lv = tune_db_best(db, &q, &best);
  CHECK(lv == TUNE_HIT_NONE && best == NULL, "another vendor: the caller's default");
  TuneQuery q2 = {"nvidia", "sm_90", "NVIDIA H200", NULL, "k", "n=16384"};
  CHECK(tune_db_best(db, &q2, &best) == TUNE_HIT_NONE, "another bucket: default");
  q2.bucket = "n=8192";
  CHECK(tune_db_best(db, &q2, &best) == TUNE_HIT_MODEL && !strcmp(best->config, "B=5,num_warps=4"),
        "the bucket is part of the key");
  q2.bucket = "n=4096";
  q2.compiler = OLD;
  CHECK(tune_db_best(db, &q2, &best) == TUNE_HIT_NONE, "another compiler version: every entry ignored");

  /* ties: the config that sorts first */
  TuneEntry t = entry("M", "sm_90", "tie", "", "B=9", 3);
  tune_db_put(db, &t, TUNE_PUT_REPLACE, NULL);
  t.config = "B=10";
  tune_db_put(db, &t, TUNE_PUT_REPLACE, NULL);
  TuneQuery q3 = {"nvidia", "sm_90", "M", NULL, "tie", ""};
  CHECK(tune_db_best(db, &q3, &best) == TUNE_HIT_MODEL && !strcmp(best->config, "B=10"),
        "equal medians: the config that sorts first wins");
  tune_db_free(db);
}

/* Adding configs to the file one transaction at a time never loses the others. */
static void test_add_keeps_others(void) {
  char path[1200];
  path_in(path, sizeof path, "add/sub/tune.db"); /* parents are created */
  TuneEntry a = entry("NVIDIA H200", "sm_90", "k", "n=1", "B=1", 30);
  TuneEntry b = entry("NVIDIA H200", "sm_90", "k", "n=1", "B=2", 20);
  TuneEntry c = entry("NVIDIA H200", "sm_90", "k", "n=1", "B=3", 25);
  TuneMergeStats ms;
  CHECK(tune_db_add(path, &a, 1, &ms) == LIGER_OK && ms.added == 1, "add config B=1 (file created)");
  CHECK(tune_db_add(path, &b, 1, &ms) == LIGER_OK && ms.added == 1, "add config B=2");
  CHECK(tune_db_add(path, &c, 1, &ms) == LIGER_OK && ms.added == 1, "add config B=3");
  TuneDb *db = NULL;
  tune_db_load(path, TUNE_LOAD_CHECK_OWNER, NULL, NULL, &db, NULL);
  CHECK(db && tune_db_count(db) == 3, "all three configs are there");
  const TuneEntry *best;
  TuneQuery q = {"nvidia", "sm_90", "NVIDIA H200", NULL, "k", "n=1"};
  CHECK(tune_db_best(db, &q, &best) == TUNE_HIT_MODEL && !strcmp(best->config, "B=2"), "best is B=2");
  tune_db_free(db);
  b.median_us = 40;
  b.samples = 5; /* a re-measurement replaces, even with fewer samples */
  CHECK(tune_db_add(path, &b, 1, &ms) == LIGER_OK && ms.replaced == 1, "re-measure B=2");
  tune_db_load(path, 0, NULL, NULL, &db, NULL);
  CHECK(db && tune_db_count(db) == 3 && tune_db_best(db, &q, &best) == TUNE_HIT_MODEL && !strcmp(best->config, "B=3"),
        "still three entries; the best is now B=3");
  tune_db_free(db);
}

/* ---- merge and filters -------------------------------------------------------------------- */

static const TuneEntry *by_config(const TuneDb *db, const char *config) {
  static const TuneEntry none = {.config = ""};
  for (int i = 0; i < tune_db_count(db); i++)
    if (!strcmp(tune_db_entry(db, i)->config, config)) return tune_db_entry(db, i);
  return &none;
}

static void test_merge(void) {
  TuneDb *a = tune_db_new(), *b = tune_db_new();
  TuneEntry x = entry("M", "sm_90", "k", "", "B=1", 5);
  x.samples = 10, x.date = 1000000;
  tune_db_put(a, &x, TUNE_PUT_REPLACE, NULL);
  x.samples = 20, x.date = 900000, x.median_us = 9; /* more samples, older, slower: wins */
  tune_db_put(b, &x, TUNE_PUT_REPLACE, NULL);
  TuneEntry y = entry("M", "sm_90", "k", "", "B=2", 5);
  y.samples = 10, y.date = 1000000;
  tune_db_put(a, &y, TUNE_PUT_REPLACE, NULL);
  y.date = 2000000, y.median_us = 6; /* same samples, newer: wins */
  tune_db_put(b, &y, TUNE_PUT_REPLACE, NULL);
  TuneEntry z = entry("M", "sm_90", "k", "", "B=3", 5);
  tune_db_put(a, &z, TUNE_PUT_REPLACE, NULL);
  z.median_us = 4; /* same samples and date, faster: wins */
  tune_db_put(b, &z, TUNE_PUT_REPLACE, NULL);
  TuneEntry w = entry("M", "sm_90", "k", "", "B=4", 5);
  tune_db_put(a, &w, TUNE_PUT_REPLACE, NULL);
  w.samples = 1; /* fewer samples, faster: loses */
  w.median_us = 1;
  tune_db_put(b, &w, TUNE_PUT_REPLACE, NULL);
  TuneEntry old = entry("M", "sm_90", "k", "", "B=5", 1);
  old.compiler = OLD;
  tune_db_put(b, &old, TUNE_PUT_REPLACE, NULL);

  TuneMergeStats ms;
  CHECK(tune_db_merge(a, b, NULL, &ms) == LIGER_OK && ms.added == 1 && ms.replaced == 3 && ms.kept == 1,
        "merge stats: 1 added, 3 replaced, 1 kept (%d %d %d)", ms.added, ms.replaced, ms.kept);
  CHECK(tune_db_count(a) == 5, "5 entries after merge (another compiler's entry kept)");
  const TuneEntry *e0 = by_config(a, "B=1"), *e1 = by_config(a, "B=2"), *e2 = by_config(a, "B=3"),
                  *e3 = by_config(a, "B=4");
  CHECK(e0->samples == 20 && e0->median_us == 9, "more samples wins (over newer and faster)");
  CHECK(e1->date == 2000000 && e1->median_us == 6, "equal samples: the newer wins");
  CHECK(e2->median_us == 4, "equal samples and date: the faster wins");
  CHECK(e3->samples == 50 && e3->median_us == 5, "fewer samples loses even when faster");

  /* TUNE_PUT_MERGE on a database, and parse of duplicate lines, use the same rule */
  TuneDb *d = tune_db_new();
  TuneEntry p = entry("M", "sm_90", "k", "", "B=1", 5);
  p.samples = 100;
  tune_db_put(d, &p, TUNE_PUT_REPLACE, NULL);
  p.samples = 3;
  TuneMergeStats ps = {0};
  tune_db_put(d, &p, TUNE_PUT_MERGE, &ps);
  CHECK(ps.kept == 1 && tune_db_entry(d, 0)->samples == 100, "TUNE_PUT_MERGE keeps the one with more samples");
  tune_db_free(d);
  tune_db_free(a);
  tune_db_free(b);
}

static void test_filters(void) {
  TuneDb *db = sample_db(false), *sel = tune_db_new();
  TuneFilter f = {.arch = "sm_90"};
  tune_db_merge(sel, db, &f, NULL);
  CHECK(tune_db_count(sel) == 3, "--arch sm_90: 3 entries (got %d)", tune_db_count(sel));
  tune_db_remove(sel, NULL);
  f = (TuneFilter){.vendor = "amd"};
  tune_db_merge(sel, db, &f, NULL);
  CHECK(tune_db_count(sel) == 1 && !strcmp(tune_db_entry(sel, 0)->arch, "gfx942"), "--vendor amd: the MI300X entry");
  tune_db_remove(sel, NULL);
  f = (TuneFilter){.model = "NVIDIA H200", .kernel = "rms_norm*"};
  tune_db_merge(sel, db, &f, NULL);
  CHECK(tune_db_count(sel) == 2, "--model 'NVIDIA H200' --kernel 'rms_norm*': 2 entries");
  tune_db_remove(sel, NULL);
  f = (TuneFilter){.not_compiler = tune_compiler_id()};
  tune_db_merge(sel, db, &f, NULL);
  CHECK(tune_db_count(sel) == 1 && !strcmp(tune_db_entry(sel, 0)->compiler, OLD),
        "not_compiler: the stale entry only");
  f = (TuneFilter){.arch = "sm_9?"};
  CHECK(tune_db_remove(db, &f) == 3 && tune_db_count(db) == 4, "remove by pattern sm_9?");
  tune_db_free(sel);
  tune_db_free(db);
}

/* ---- damage ------------------------------------------------------------------------------- */

/* Every single-byte change in one entry line loses that entry and only that entry. */
static void test_corruption(void) {
  TuneDb *db = tune_db_new();
  TuneEntry es[] = {entry("NVIDIA H200", "sm_90", "a", "n=1", "B=1,num_warps=4", 1.5),
                    entry("NVIDIA H200", "sm_90", "b", "n=1", "B=1,num_warps=4", 2.5),
                    entry("NVIDIA H200", "sm_90", "c", "n=1", "B=1,num_warps=4", 3.5)};
  for (int i = 0; i < 3; i++) tune_db_put(db, &es[i], TUNE_PUT_REPLACE, NULL);
  size_t len;
  char *text = serialize(db, &len);
  /* line 3 is "a", line 4 "b", line 5 "c" */
  char *l4 = text;
  for (int i = 0; i < 3; i++) l4 = strchr(l4, '\n') + 1;
  size_t l4len = (size_t)(strchr(l4, '\n') - l4);
  int bad = 0;
  for (size_t k = 0; k < l4len; k++) {
    for (int bit = 0; bit < 8; bit++) {
      char *t = malloc(len);
      memcpy(t, text, len);
      t[l4 - text + k] ^= (char)(1 << bit);
      if (t[l4 - text + k] == '\n') { /* splits the line in two: both halves must go */
        free(t);
        continue;
      }
      TuneDb *r = NULL;
      TuneLoadInfo info;
      Warns w = {0};
      liger_status st = tune_db_parse(t, len, "flip", on_warn, &w, &r, &info);
      bool ok = st == LIGER_OK && info.entries == 2 && info.skipped == 1 && info.first_bad_line == 4 &&
                w.count == 1 && w.last_line == 4 && !strcmp(tune_db_entry(r, 0)->kernel, "a") &&
                !strcmp(tune_db_entry(r, 1)->kernel, "c");
      if (!ok && bad++ < 3)
        printf("  byte %zu bit %d: status %d, %d entries, %d skipped (%s)\n", k, bit, st, info.entries, info.skipped,
               w.last_why);
      tune_db_free(r);
      free(t);
    }
  }
  CHECK(bad == 0, "every bit flip in line 4 (%zu bytes x 8) skips that line only, with a warning", l4len);

  /* a flipped byte in the file on disk, read through tune_db_load */
  char path[1200];
  path_in(path, sizeof path, "flip.db");
  text[l4 - text + 5] ^= 0x20;
  write_file(path, text, len);
  TuneDb *r = NULL;
  TuneLoadInfo info;
  Warns w = {0};
  CHECK(tune_db_load(path, 0, on_warn, &w, &r, &info) == LIGER_OK && info.entries == 2 && info.skipped == 1 &&
            strstr(w.last_why, "checksum"),
        "a damaged file: 2 entries, line 4 skipped (%s)", w.last_why);
  /* rewriting drops the damaged line */
  TuneEntry d = entry("NVIDIA H200", "sm_90", "d", "n=1", "B=1", 4.5);
  CHECK(tune_db_add(path, &d, 1, NULL) == LIGER_OK, "add to a damaged database");
  tune_db_free(r);
  tune_db_load(path, 0, NULL, NULL, &r, &info);
  CHECK(r && info.entries == 3 && info.skipped == 0, "after the rewrite: 3 entries, nothing damaged");
  tune_db_free(r);
  text[l4 - text + 5] ^= 0x20;

  /* truncation at every length: the complete lines survive, a cut one is skipped */
  size_t head = (size_t)(strchr(text, '\n') - text) + 1;
  int tbad = 0;
  for (size_t cut = head; cut < len; cut++) {
    int complete = 0; /* entry lines whose text (without the newline) lies within the cut */
    for (const char *p = text + head; p < text + len;) {
      const char *nl = strchr(p, '\n');
      if (p[0] != '#' && (size_t)(nl - text) <= cut) complete++;
      p = nl + 1;
    }
    TuneDb *t = NULL;
    TuneLoadInfo ti;
    liger_status st = tune_db_parse(text, cut, "cut", NULL, NULL, &t, &ti);
    if (st != LIGER_OK || ti.entries != complete || ti.skipped > 1) {
      if (tbad++ < 3) printf("  cut at %zu: status %d, %d entries (want %d)\n", cut, st, ti.entries, complete);
    }
    tune_db_free(t);
  }
  CHECK(tbad == 0, "truncated at each of %zu lengths: only complete entries load", len - head);
  CHECK(tune_db_parse(text, 9, "cut", NULL, NULL, &r, &info) == LIGER_ERR_IO, "cut inside the first line: not a db");
  free(text);

  /* headers */
  const char *newer = "liger-tunedb\t2\n";
  CHECK(tune_db_parse(newer, strlen(newer), "v2", NULL, NULL, &r, &info) == LIGER_ERR_UNSUPPORTED &&
            strstr(liger_last_error(), "newer"),
        "format 2: LIGER_ERR_UNSUPPORTED (%s)", liger_last_error());
  const char *junk = "hello\nworld\n";
  CHECK(tune_db_parse(junk, strlen(junk), "junk", NULL, NULL, &r, &info) == LIGER_ERR_IO,
        "not a database: LIGER_ERR_IO (%s)", liger_last_error());
  path_in(path, sizeof path, "junk.db");
  write_file(path, junk, strlen(junk));
  CHECK(tune_db_add(path, &d, 1, NULL) == LIGER_ERR_IO, "an update refuses to overwrite a non-database");
  size_t jl;
  char *j = read_file(path, &jl);
  CHECK(j && jl == strlen(junk) && !memcmp(j, junk, jl), "... and leaves it untouched");
  free(j);
  tune_db_free(db);
}

static void test_ownership(void) {
  char path[1200];
  path_in(path, sizeof path, "open.db");
  TuneEntry e = entry("M", "sm_90", "k", "", "B=1", 1);
  tune_db_add(path, &e, 1, NULL);
  chmod(path, 0666);
  TuneDb *db = NULL;
  CHECK(tune_db_load(path, TUNE_LOAD_CHECK_OWNER, NULL, NULL, &db, NULL) == LIGER_ERR_IO &&
            strstr(liger_last_error(), "writable by group or others"),
        "a world-writable database is refused: %s", liger_last_error());
  CHECK(tune_db_load(path, 0, NULL, NULL, &db, NULL) == LIGER_OK, "without the check it reads");
  tune_db_free(db);
  CHECK(tune_db_add(path, &e, 1, NULL) == LIGER_ERR_IO, "tune_db_update refuses it too");
  chmod(path, 0644);
  CHECK(tune_db_add(path, &e, 1, NULL) == LIGER_OK, "0644 is fine");
}

static void test_path(void) {
  char p[512];
  setenv("LIGER_TUNE_DB", "/x/t.db", 1);
  setenv("LIGER_CACHE_DIR", "/c", 1);
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  setenv("HOME", "/home/u", 1);
  CHECK(tune_db_path(p, sizeof p) == LIGER_OK && !strcmp(p, "/x/t.db"), "LIGER_TUNE_DB first: %s", p);
  setenv("LIGER_TUNE_DB", "", 1);
  CHECK(liger_tune_db_path(p, sizeof p) == LIGER_OK && !strcmp(p, "/c/tune.db"), "then LIGER_CACHE_DIR: %s", p);
  unsetenv("LIGER_CACHE_DIR");
  CHECK(tune_db_path(p, sizeof p) == LIGER_OK && !strcmp(p, "/xdg/liger-jit/tune.db"), "then XDG: %s", p);
  unsetenv("XDG_CACHE_HOME");
  CHECK(tune_db_path(p, sizeof p) == LIGER_OK && !strcmp(p, "/home/u/.cache/liger-jit/tune.db"), "then HOME: %s", p);
  CHECK(tune_db_path(p, 5) == LIGER_ERR_INVALID_ARG && p[0] == 0, "too small a buffer");
  unsetenv("HOME");
  CHECK(tune_db_path(p, sizeof p) == LIGER_ERR_IO, "nothing set: LIGER_ERR_IO");
  unsetenv("LIGER_TUNE_DB");
}

/* ---- concurrent writers ---------------------------------------------------------------------- */

enum { NPROC = 8, PER = 200 };

static int writer(const char *path, int id) {
  for (int i = 0; i < PER; i++) {
    char kernel[32], config[32];
    snprintf(kernel, sizeof kernel, "k%d", id);
    snprintf(config, sizeof config, "B=%d,num_warps=4", i);
    TuneEntry e = entry("NVIDIA H200", "sm_90", kernel, "n=1024", config, 1 + i);
    if (tune_db_add(path, &e, 1, NULL) != LIGER_OK) {
      fprintf(stderr, "writer %d: %s\n", id, liger_last_error());
      return 1;
    }
  }
  return 0;
}

/* Reads while the writers write: every read is a whole file (nothing skipped) that never
 * shrinks. Stops when it has seen all entries or after many reads. */
static int reader(const char *path) {
  int last = 0;
  for (int round = 0; round < 100000 && last < NPROC * PER; round++) {
    TuneDb *db = NULL;
    TuneLoadInfo info;
    if (tune_db_load(path, TUNE_LOAD_MISSING_OK, NULL, NULL, &db, &info) != LIGER_OK) {
      fprintf(stderr, "reader: %s\n", liger_last_error());
      return 1;
    }
    tune_db_free(db);
    if (info.skipped || info.entries < last) {
      fprintf(stderr, "reader: torn read: %d skipped, %d entries after %d\n", info.skipped, info.entries, last);
      return 1;
    }
    last = info.entries;
    usleep(200);
  }
  return 0;
}

static void test_concurrent(void) {
  char path[1200];
  path_in(path, sizeof path, "conc/tune.db");
  pid_t pids[NPROC + 1];
  fflush(stdout);
  for (int p = 0; p <= NPROC; p++) {
    pids[p] = fork();
    if (pids[p] == 0) _exit(p == NPROC ? reader(path) : writer(path, p));
  }
  int failed = 0;
  for (int p = 0; p <= NPROC; p++) {
    int status = 0;
    if (pids[p] < 0 || waitpid(pids[p], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) failed++;
  }
  CHECK(failed == 0, "%d writers x %d adds and one reader finished cleanly", NPROC, PER);
  TuneDb *db = NULL;
  TuneLoadInfo info;
  CHECK(tune_db_load(path, TUNE_LOAD_CHECK_OWNER, NULL, NULL, &db, &info) == LIGER_OK &&
            info.entries == NPROC * PER && info.skipped == 0,
        "all %d entries present, the file parses cleanly (%d entries, %d skipped)", NPROC * PER, info.entries,
        info.skipped);
  int missing = 0;
  for (int p = 0; p < NPROC; p++) {
    char kernel[32];
    snprintf(kernel, sizeof kernel, "k%d", p);
    TuneQuery q = {"nvidia", "sm_90", "NVIDIA H200", NULL, kernel, "n=1024"};
    const TuneEntry *best;
    if (tune_db_best(db, &q, &best) != TUNE_HIT_MODEL || strcmp(best->config, "B=0,num_warps=4")) missing++;
  }
  CHECK(missing == 0, "each writer's fastest config is found");
  tune_db_free(db);
  /* no temporary left behind */
  char dir[1200];
  path_in(dir, sizeof dir, "conc");
  DIR *d = opendir(dir);
  int others = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    if (e->d_name[0] != '.' && strcmp(e->d_name, "tune.db") && strcmp(e->d_name, "tune.db.lock")) others++;
  if (d) closedir(d);
  CHECK(others == 0, "only tune.db and tune.db.lock in the directory (%d others)", others);
}

int main(int argc, char **argv) {
  if (argc > 1) snprintf(workdir, sizeof workdir, "%s", argv[1]);
  else {
    const char *tmp = getenv("TMPDIR");
    snprintf(workdir, sizeof workdir, "%s/test_tunedb.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(workdir)) {
      perror("mkdtemp");
      return 1;
    }
  }
  mkdir(workdir, 0700);
  chmod(workdir, 0700);
  printf("work directory: %s\n", workdir);
  test_names();
  test_put();
  test_round_trip();
  test_fallback();
  test_add_keeps_others();
  test_merge();
  test_filters();
  test_corruption();
  test_ownership();
  test_concurrent();
  test_path();
  int rc = check_summary();
  if (!rc && argc <= 1) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    if (system(cmd)) printf("(could not remove %s)\n", workdir);
  }
  return rc;
}
