/*
 * tunedb.c — the tuning database (tunedb.h): entries in memory, the checksummed text form,
 * and the file transaction (lock, read, edit, write a temporary, rename).
 *
 * A line of the file (fields separated by one TAB, `sum` over the bytes before its TAB):
 *
 *   vendor | arch | model | compiler | kernel | bucket | config | median_us | samples | date | sum
 *   <------------------------ identity ---------------------->   <-------- measurement -------->
 *
 * Strings are escaped (\\ \t \n \r \xHH; an empty string is "-"), so a line never holds a
 * stray TAB or newline. The database is kept sorted by identity; writing it walks that
 * order, so the same entries always give the same bytes.
 */
#include "tunedb.h"

#include "../runtime/cache.h" /* sha256 */
#include "../runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NFIELDS 11
#define MAX_US 1e12 /* 11 days: anything longer is not a kernel timing */
#define MAX_ITEMS 64 /* NAME=VALUE items in a config or a bucket */
#define LOCK_WAIT_S 60

/* An entry and the one allocation its strings live in. */
typedef struct Slot {
  TuneEntry e;
  char *buf;
} Slot;

struct TuneDb {
  Slot *v; /* sorted by identity, no two equal */
  int n, cap;
};

/* ---- small helpers ------------------------------------------------------------------ */

static bool debug_tune(void) {
  const char *e = getenv("LIGER_DEBUG");
  return e && (strstr(e, "tune") || strstr(e, "all"));
}

static void warn_line(TuneWarnFn warn, void *ud, const char *where, int line, const char *why) {
  if (warn) warn(ud, where, line, why);
  else if (debug_tune()) fprintf(stderr, "liger tune: %s:%d: skipped: %s\n", where, line, why);
}

/* A growable byte buffer; `oom` sticks once an allocation fails. */
typedef struct Buf {
  char *p;
  size_t n, cap;
  bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static bool is_alpha_(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool is_ident(const char *s, size_t n) {
  if (n == 0 || !is_alpha_(s[0])) return false;
  for (size_t i = 1; i < n; i++)
    if (!is_alpha_(s[i]) && !(s[i] >= '0' && s[i] <= '9')) return false;
  return true;
}

/* A config or bucket value: non-empty, no separator, space or control character. */
static bool is_value(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= ' ' || c == 0x7f || c == ',' || c == '=') return false;
  }
  return true;
}

static const char *nz(const char *s) { return s ? s : ""; }

/* ---- names, keys, buckets, configs ------------------------------------------------- */

const char *tune_compiler_id(void) { return LIGER_VERSION " (LLVM " LIGER_LLVM_VERSION ")"; }

const char *tune_vendor_of(const char *arch) {
  if (!arch) return NULL;
  if (!strncmp(arch, "sm_", 3) || !strncmp(arch, "compute_", 8)) return "nvidia";
  if (!strncmp(arch, "gfx", 3)) return "amd";
  if (!strncmp(arch, "cpu", 3) || !strcmp(arch, "host")) return "cpu";
  return NULL;
}

const char *tune_level_name(TuneLevel level) {
  switch (level) {
  case TUNE_HIT_MODEL: return "model";
  case TUNE_HIT_ARCH: return "arch";
  case TUNE_HIT_VENDOR: return "vendor";
  case TUNE_HIT_NONE: break;
  }
  return "default";
}

liger_status tune_kernel_key(const char *name, const uint8_t digest[32], char *out, size_t size) {
  if (!name || !*name || !digest || !out) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_kernel_key: no name or digest");
  char hex[65];
  sha256_hex(digest, hex);
  int len = snprintf(out, size, "%s@%.16s", name, hex);
  if (len < 0 || (size_t)len >= size) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_kernel_key: buffer too small");
  return LIGER_OK;
}

int64_t tune_bucket_round(int64_t v) {
  const int64_t top = (int64_t)1 << 62;
  if (v < 0) return v == INT64_MIN ? -top : -tune_bucket_round(-v);
  if (v <= 1) return v;
  if (v > top) return top;
  int64_t p = 2;
  while (p < v) p <<= 1;
  return p;
}

/* One NAME=VALUE of a config or bucket, pointing into some text. */
typedef struct Item {
  const char *name, *val;
  size_t nlen, vlen;
} Item;

static int item_cmp(const void *a, const void *b) {
  const Item *x = a, *y = b;
  size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
  int c = memcmp(x->name, y->name, n);
  return c ? c : (x->nlen > y->nlen) - (x->nlen < y->nlen);
}

/* Sorts items, refuses repeats, and writes "n=v,n=v" into out. */
static liger_status items_join(const char *what, Item *it, int n, char *out, size_t size) {
  qsort(it, (size_t)n, sizeof *it, item_cmp);
  for (int i = 1; i < n; i++)
    if (!item_cmp(&it[i - 1], &it[i]))
      return rt_fail(LIGER_ERR_INVALID_ARG, "%s: '%.*s' is given twice", what, (int)it[i].nlen, it[i].name);
  Buf b = {0};
  for (int i = 0; i < n; i++) {
    if (i) buf_add(&b, ",", 1);
    buf_add(&b, it[i].name, it[i].nlen);
    buf_add(&b, "=", 1);
    buf_add(&b, it[i].val, it[i].vlen);
  }
  liger_status st = LIGER_OK;
  if (b.oom) st = rt_fail(LIGER_ERR_OUT_OF_MEMORY, "%s: out of memory", what);
  else if (b.n + 1 > size) st = rt_fail(LIGER_ERR_INVALID_ARG, "%s: the result needs %zu bytes", what, b.n + 1);
  else memcpy(out, b.p ? b.p : "", b.n + 1);
  free(b.p);
  return st;
}

liger_status tune_bucket(const TuneKeyVal *kv, int n, char *out, size_t size) {
  if ((n && !kv) || n < 0 || n > MAX_ITEMS || !out || !size)
    return rt_fail(LIGER_ERR_INVALID_ARG, "tune_bucket: bad arguments");
  Item it[MAX_ITEMS];
  char nums[MAX_ITEMS][24];
  for (int i = 0; i < n; i++) {
    const char *name = nz(kv[i].name);
    if (!is_ident(name, strlen(name)))
      return rt_fail(LIGER_ERR_INVALID_ARG, "tune_bucket: '%s' is not a key name (an identifier)", name);
    const char *val = kv[i].str;
    if (val && !is_value(val, strlen(val)))
      return rt_fail(LIGER_ERR_INVALID_ARG, "tune_bucket: the value of '%s' is empty or holds ',', '=', a space "
                                            "or a control character", name);
    if (!val) {
      snprintf(nums[i], sizeof nums[i], "%lld", (long long)tune_bucket_round(kv[i].value));
      val = nums[i];
    }
    it[i] = (Item){name, val, strlen(name), strlen(val)};
  }
  return items_join("tune_bucket", it, n, out, size);
}

liger_status tune_config_canon(const char *in, char *out, size_t size) {
  if (!in || !out || !size) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_config_canon: NULL argument");
  size_t len = strlen(in);
  char *copy = malloc(len + 1); /* the items point into it while `out` (maybe `in`) is written */
  if (!copy) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "tune_config_canon: out of memory");
  memcpy(copy, in, len + 1);
  Item it[MAX_ITEMS];
  int n = 0;
  liger_status st = LIGER_OK;
  for (char *p = copy; st == LIGER_OK;) {
    char *end = strchr(p, ',');
    size_t plen = end ? (size_t)(end - p) : strlen(p);
    while (plen && *p == ' ') p++, plen--;
    while (plen && p[plen - 1] == ' ') plen--;
    char *eq = memchr(p, '=', plen);
    if (!eq) {
      st = rt_fail(LIGER_ERR_INVALID_ARG, "config '%s': '%.*s' is not NAME=VALUE", in, (int)plen, p);
      break;
    }
    Item x = {p, eq + 1, (size_t)(eq - p), plen - (size_t)(eq - p) - 1};
    if (!is_ident(x.name, x.nlen) || !is_value(x.val, x.vlen))
      st = rt_fail(LIGER_ERR_INVALID_ARG,
                   "config '%s': in '%.*s' the name must be an identifier and the value non-empty without ',', "
                   "'=', spaces or control characters", in, (int)plen, p);
    else if (n == MAX_ITEMS) st = rt_fail(LIGER_ERR_INVALID_ARG, "config '%s': more than %d items", in, MAX_ITEMS);
    else it[n++] = x;
    if (!end) break;
    p = end + 1;
  }
  if (st == LIGER_OK) st = items_join("config", it, n, out, size);
  free(copy);
  return st;
}

liger_status tune_config_format(const char *const *names, const char *const *values, int n, int num_warps,
                                int num_stages, char *out, size_t size) {
  if (n < 0 || (n && (!names || !values))) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_config_format: bad arguments");
  Buf b = {0};
  char num[32];
  for (int i = 0; i < n; i++) {
    if (b.n) buf_add(&b, ",", 1);
    buf_str(&b, nz(names[i]));
    buf_add(&b, "=", 1);
    buf_str(&b, nz(values[i]));
  }
  if (num_warps > 0) {
    snprintf(num, sizeof num, "%snum_warps=%d", b.n ? "," : "", num_warps);
    buf_str(&b, num);
  }
  if (num_stages > 0) {
    snprintf(num, sizeof num, "%snum_stages=%d", b.n ? "," : "", num_stages);
    buf_str(&b, num);
  }
  liger_status st = b.oom ? rt_fail(LIGER_ERR_OUT_OF_MEMORY, "tune_config_format: out of memory")
                          : tune_config_canon(b.p ? b.p : "", out, size);
  free(b.p);
  return st;
}

bool tune_config_get(const char *config, const char *name, char *out, size_t size) {
  if (!config || !name || !out) return false;
  size_t nlen = strlen(name);
  for (const char *p = config; *p;) {
    const char *end = strchr(p, ',');
    size_t plen = end ? (size_t)(end - p) : strlen(p);
    if (plen > nlen && !memcmp(p, name, nlen) && p[nlen] == '=') {
      size_t vlen = plen - nlen - 1;
      if (vlen + 1 > size) return false;
      memcpy(out, p + nlen + 1, vlen);
      out[vlen] = 0;
      return true;
    }
    if (!end) break;
    p = end + 1;
  }
  return false;
}

/* ---- the in-memory database --------------------------------------------------------- */

TuneDb *tune_db_new(void) { return calloc(1, sizeof(TuneDb)); }

void tune_db_free(TuneDb *db) {
  if (!db) return;
  for (int i = 0; i < db->n; i++) free(db->v[i].buf);
  free(db->v);
  free(db);
}

int tune_db_count(const TuneDb *db) { return db ? db->n : 0; }

const TuneEntry *tune_db_entry(const TuneDb *db, int i) {
  return db && i >= 0 && i < db->n ? &db->v[i].e : NULL;
}

/* The identity fields in order. */
static void identity(const TuneEntry *e, const char *f[7]) {
  f[0] = e->vendor, f[1] = e->arch, f[2] = e->model, f[3] = e->compiler;
  f[4] = e->kernel, f[5] = e->bucket, f[6] = e->config;
}

static int ident_cmp(const TuneEntry *a, const TuneEntry *b) {
  const char *x[7], *y[7];
  identity(a, x);
  identity(b, y);
  for (int i = 0; i < 7; i++) {
    int c = strcmp(x[i], y[i]);
    if (c) return c;
  }
  return 0;
}

/* The merge rule: does `in` beat `cur` (same identity)? More samples, then the newer date,
 * then the faster median; a full tie keeps `cur`. */
static bool merge_wins(const TuneEntry *in, const TuneEntry *cur) {
  if (in->samples != cur->samples) return in->samples > cur->samples;
  if (in->date != cur->date) return in->date > cur->date;
  return in->median_us < cur->median_us;
}

/* Why e cannot be stored, or NULL. Expects the strings non-NULL. */
static const char *entry_problem(const TuneEntry *e) {
  const char *f[7];
  identity(e, f);
  static const char *const names[7] = {"vendor", "arch", "model", "compiler", "kernel", "bucket", "config"};
  for (int i = 0; i < 7; i++) {
    if (strlen(f[i]) > TUNE_FIELD_MAX) return "a field is longer than TUNE_FIELD_MAX";
    if (!*f[i] && i != 2 && i != 5) {
      static _Thread_local char why[48];
      snprintf(why, sizeof why, "the %s is empty", names[i]);
      return why;
    }
  }
  if (!(e->median_us >= 0 && e->median_us <= MAX_US)) return "the median is negative, too large or not a number";
  if (e->samples == 0) return "0 samples";
  if (e->date < 0 || e->date > (int64_t)253402300799) return "the date is outside 1970..9999";
  return NULL;
}

/* Binary search: the index of e's identity, or -(insertion point) - 1. */
static int find(const TuneDb *db, const TuneEntry *e) {
  int lo = 0, hi = db->n - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2, c = ident_cmp(&db->v[mid].e, e);
    if (!c) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/* A copy of e with its strings in one allocation. */
static bool slot_make(Slot *s, const TuneEntry *e) {
  const char *f[7];
  identity(e, f);
  size_t total = 0, len[7];
  for (int i = 0; i < 7; i++) total += (len[i] = strlen(f[i])) + 1;
  char *p = malloc(total);
  if (!p) return false;
  s->buf = p;
  s->e = *e;
  const char **dst[7] = {&s->e.vendor, &s->e.arch, &s->e.model, &s->e.compiler,
                         &s->e.kernel, &s->e.bucket, &s->e.config};
  for (int i = 0; i < 7; i++) {
    memcpy(p, f[i], len[i] + 1);
    *dst[i] = p;
    p += len[i] + 1;
  }
  return true;
}

/* Stores a checked entry; `put_stats` counts what happened. */
static liger_status store(TuneDb *db, const TuneEntry *e, TunePut how, TuneMergeStats *stats) {
  int at = find(db, e);
  if (at >= 0) {
    Slot *cur = &db->v[at];
    if (how == TUNE_PUT_MERGE && !merge_wins(e, &cur->e)) {
      if (stats) stats->kept++;
      return LIGER_OK;
    }
    Slot s;
    if (!slot_make(&s, e)) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "tuning database: out of memory");
    free(cur->buf);
    *cur = s;
    if (stats) stats->replaced++;
    return LIGER_OK;
  }
  at = -at - 1;
  if (db->n == db->cap) {
    int cap = db->cap ? db->cap * 2 : 64;
    Slot *v = realloc(db->v, (size_t)cap * sizeof *v);
    if (!v) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "tuning database: out of memory");
    db->v = v;
    db->cap = cap;
  }
  Slot s;
  if (!slot_make(&s, e)) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "tuning database: out of memory");
  memmove(&db->v[at + 1], &db->v[at], (size_t)(db->n - at) * sizeof *db->v);
  db->v[at] = s;
  db->n++;
  if (stats) stats->added++;
  return LIGER_OK;
}

/* e with NULLs made "", the config canonical (into cfg) and the median on the ns grid. */
static liger_status normalize(const TuneEntry *in, TuneEntry *e, char *cfg, size_t cfgsize) {
  *e = *in;
  e->vendor = nz(in->vendor), e->arch = nz(in->arch), e->model = nz(in->model);
  e->compiler = nz(in->compiler), e->kernel = nz(in->kernel), e->bucket = nz(in->bucket);
  e->config = nz(in->config);
  if (strlen(e->config) > TUNE_FIELD_MAX) return rt_fail(LIGER_ERR_INVALID_ARG, "tuning entry: the config is too long");
  liger_status st = tune_config_canon(e->config, cfg, cfgsize);
  if (st != LIGER_OK) return st;
  e->config = cfg;
  if (isfinite(e->median_us) && e->median_us >= 0 && e->median_us <= MAX_US)
    e->median_us = (double)llround(e->median_us * 1000.0) / 1000.0;
  return LIGER_OK;
}

liger_status tune_db_put(TuneDb *db, const TuneEntry *in, TunePut how, TuneMergeStats *stats) {
  if (!db || !in) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_put: NULL database or entry");
  TuneEntry e;
  char cfg[TUNE_FIELD_MAX + 1];
  liger_status st = normalize(in, &e, cfg, sizeof cfg);
  if (st != LIGER_OK) return st;
  if (e.date == 0) e.date = (int64_t)time(NULL);
  const char *why = entry_problem(&e);
  if (why) return rt_fail(LIGER_ERR_INVALID_ARG, "tuning entry for kernel '%s': %s", e.kernel, why);
  return store(db, &e, how, stats);
}

static bool glob_ok(const char *pat, const char *s) { return !pat || fnmatch(pat, s, 0) == 0; }

bool tune_filter_match(const TuneFilter *f, const TuneEntry *e) {
  if (!f) return true;
  return glob_ok(f->vendor, e->vendor) && glob_ok(f->arch, e->arch) && glob_ok(f->model, e->model) &&
         glob_ok(f->compiler, e->compiler) && glob_ok(f->kernel, e->kernel) && glob_ok(f->bucket, e->bucket) &&
         (!f->not_compiler || strcmp(f->not_compiler, e->compiler));
}

liger_status tune_db_merge(TuneDb *dst, const TuneDb *src, const TuneFilter *filter, TuneMergeStats *stats) {
  if (!dst || !src) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_merge: NULL database");
  if (stats) *stats = (TuneMergeStats){0};
  for (int i = 0; i < src->n; i++) {
    if (!tune_filter_match(filter, &src->v[i].e)) continue;
    liger_status st = store(dst, &src->v[i].e, TUNE_PUT_MERGE, stats);
    if (st != LIGER_OK) return st;
  }
  return LIGER_OK;
}

int tune_db_remove(TuneDb *db, const TuneFilter *filter) {
  if (!db) return 0;
  int kept = 0;
  for (int i = 0; i < db->n; i++) {
    if (tune_filter_match(filter, &db->v[i].e)) free(db->v[i].buf);
    else db->v[kept++] = db->v[i];
  }
  int removed = db->n - kept;
  db->n = kept;
  return removed;
}

TuneLevel tune_db_best(const TuneDb *db, const TuneQuery *q, const TuneEntry **best) {
  const TuneEntry *at[4] = {0}; /* the fastest per level */
  if (best) *best = NULL;
  if (!db || !q || !q->vendor || !q->kernel) return TUNE_HIT_NONE;
  const char *compiler = q->compiler ? q->compiler : tune_compiler_id();
  const char *arch = nz(q->arch), *model = nz(q->model), *bucket = nz(q->bucket);
  for (int i = 0; i < db->n; i++) {
    const TuneEntry *e = &db->v[i].e;
    if (strcmp(e->kernel, q->kernel) || strcmp(e->bucket, bucket) || strcmp(e->compiler, compiler) ||
        strcmp(e->vendor, q->vendor))
      continue;
    TuneLevel lv = TUNE_HIT_VENDOR;
    if (*arch && !strcmp(e->arch, arch)) lv = *model && !strcmp(e->model, model) ? TUNE_HIT_MODEL : TUNE_HIT_ARCH;
    const TuneEntry *b = at[lv];
    if (!b || e->median_us < b->median_us || (e->median_us == b->median_us && strcmp(e->config, b->config) < 0))
      at[lv] = e;
  }
  for (int lv = TUNE_HIT_MODEL; lv > TUNE_HIT_NONE; lv--)
    if (at[lv]) {
      if (best) *best = at[lv];
      return (TuneLevel)lv;
    }
  return TUNE_HIT_NONE;
}

/* ---- text form ---------------------------------------------------------------------- */

static void put_escaped(Buf *b, const char *s) {
  if (!*s || !strcmp(s, "-")) { /* "" is written "-", so a literal "-" needs an escape */
    buf_str(b, *s ? "\\x2d" : "-");
    return;
  }
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[5];
    if (c == '\\') buf_add(b, "\\\\", 2);
    else if (c == '\t') buf_add(b, "\\t", 2);
    else if (c == '\n') buf_add(b, "\\n", 2);
    else if (c == '\r') buf_add(b, "\\r", 2);
    else if (c < 0x20 || c == 0x7f) {
      snprintf(esc, sizeof esc, "\\x%02x", c);
      buf_add(b, esc, 4);
    } else buf_add(b, (const char *)&c, 1);
  }
}

/* The 8 hex digits of a line's checksum: the first 4 bytes of SHA-256 of `n` bytes. */
static void line_sum(const char *s, size_t n, char out[9]) {
  Sha256 h;
  uint8_t d[32];
  char hex[65];
  sha256_init(&h);
  sha256_update(&h, s, n);
  sha256_final(&h, d);
  sha256_hex(d, hex);
  memcpy(out, hex, 8);
  out[8] = 0;
}

static void format_date(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static void put_entry(Buf *b, const TuneEntry *e) {
  size_t start = b->n;
  const char *f[7];
  identity(e, f);
  for (int i = 0; i < 7; i++) {
    put_escaped(b, f[i]);
    buf_add(b, "\t", 1);
  }
  char num[96], date[32], sum[9];
  long long ns = llround(e->median_us * 1000.0);
  format_date(e->date, date);
  snprintf(num, sizeof num, "%lld.%03lld\t%u\t%s", ns / 1000, ns % 1000, e->samples, date);
  buf_str(b, num);
  if (b->oom) return;
  line_sum(b->p + start, b->n - start, sum);
  buf_add(b, "\t", 1);
  buf_add(b, sum, 8);
  buf_add(b, "\n", 1);
}

static const char column_note[] =
    "# vendor\tarch\tmodel\tcompiler\tkernel\tbucket\tconfig\tmedian_us\tsamples\tdate\tsum"
    "  (docs/tuning.md)\n";

liger_status tune_db_serialize(const TuneDb *db, char **out, size_t *len) {
  if (!db || !out) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_serialize: NULL argument");
  Buf b = {0};
  char head[32];
  snprintf(head, sizeof head, "%s\t%d\n", TUNE_MAGIC, TUNE_FORMAT);
  buf_str(&b, head);
  buf_str(&b, column_note);
  for (int i = 0; i < db->n; i++) put_entry(&b, &db->v[i].e);
  if (b.oom) {
    free(b.p);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "tune_db_serialize: out of memory");
  }
  *out = b.p;
  if (len) *len = b.n;
  return LIGER_OK;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Unescapes field s[0..n) into out (TUNE_FIELD_MAX + 1 bytes). False if malformed. */
static bool unescape(const char *s, size_t n, char *out) {
  if (n == 1 && s[0] == '-') {
    out[0] = 0;
    return true;
  }
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\\') {
      if (++i == n) return false;
      switch (s[i]) {
      case '\\': c = '\\'; break;
      case 't': c = '\t'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 'x': {
        int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0)) return false; /* \x00 cannot be held in a C string */
        c = (char)(hi * 16 + lo);
        i += 2;
        break;
      }
      default: return false;
      }
    }
    if (o == TUNE_FIELD_MAX) return false;
    out[o++] = c;
  }
  out[o] = 0;
  return true;
}

/* "123" or "123.4" (up to 3 decimals) → microseconds. */
static bool parse_us(const char *s, size_t n, double *out) {
  long long whole = 0, frac = 0;
  size_t i = 0;
  int digits = 0;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
    if (digits > 12) return false;
    whole = whole * 10 + (s[i] - '0');
  }
  if (!digits) return false;
  if (i < n) {
    if (s[i++] != '.' || i == n || n - i > 3) return false;
    int scale = 1000;
    for (; i < n; i++) {
      if (s[i] < '0' || s[i] > '9') return false;
      scale /= 10;
      frac += (s[i] - '0') * scale;
    }
  }
  *out = (double)(whole * 1000 + frac) / 1000.0;
  return *out <= MAX_US;
}

static bool parse_u32(const char *s, size_t n, uint32_t *out) {
  if (n == 0 || n > 10) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = (uint32_t)v;
  return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ", exactly as format_date writes it. */
static bool parse_date(const char *s, size_t n, int64_t *out) {
  if (n != 20) return false;
  int v[6], at[6] = {0, 5, 8, 11, 14, 17}, w[6] = {4, 2, 2, 2, 2, 2};
  for (int k = 0; k < 6; k++) {
    v[k] = 0;
    for (int j = 0; j < w[k]; j++) {
      char c = s[at[k] + j];
      if (c < '0' || c > '9') return false;
      v[k] = v[k] * 10 + (c - '0');
    }
  }
  struct tm tm = {.tm_year = v[0] - 1900, .tm_mon = v[1] - 1, .tm_mday = v[2],
                  .tm_hour = v[3], .tm_min = v[4], .tm_sec = v[5]};
  time_t t = timegm(&tm);
  if (t == (time_t)-1) return false;
  char back[32];
  format_date((int64_t)t, back);
  if (memcmp(back, s, 20)) return false; /* 2026-02-30 and friends */
  *out = (int64_t)t;
  return true;
}

/* Reads one entry line (without its newline). NULL and *e filled, or the reason it is
 * corrupt. The strings of *e live in `store` (7 × (TUNE_FIELD_MAX + 1) bytes). */
static const char *parse_line(const char *s, size_t n, TuneEntry *e, char *space, char *cfg) {
  if (n > TUNE_LINE_MAX) return "line too long";
  const char *f[NFIELDS];
  size_t len[NFIELDS];
  int k = 0;
  for (size_t i = 0, start = 0; i <= n; i++) {
    if (i < n && s[i] != '\t') continue;
    if (k == NFIELDS) return "more than 11 fields";
    f[k] = s + start;
    len[k++] = i - start;
    start = i + 1;
  }
  if (k != NFIELDS) return "fewer than 11 fields (truncated?)";
  if (len[10] != 8) return "the checksum is not 8 hex digits";
  char sum[9];
  line_sum(s, (size_t)(f[10] - 1 - s), sum);
  if (memcmp(sum, f[10], 8)) return "checksum mismatch";
  const char **dst[7] = {&e->vendor, &e->arch, &e->model, &e->compiler, &e->kernel, &e->bucket, &e->config};
  for (int i = 0; i < 7; i++) {
    char *o = space + (size_t)i * (TUNE_FIELD_MAX + 1);
    if (!unescape(f[i], len[i], o)) return "a malformed escape or an over-long field";
    *dst[i] = o;
  }
  if (!parse_us(f[7], len[7], &e->median_us)) return "the median is not a number of microseconds";
  if (!parse_u32(f[8], len[8], &e->samples)) return "the sample count is not a number";
  if (!parse_date(f[9], len[9], &e->date)) return "the date is not YYYY-MM-DDTHH:MM:SSZ";
  if (tune_config_canon(e->config, cfg, TUNE_FIELD_MAX + 1) != LIGER_OK) return "the config is malformed";
  e->config = cfg;
  return entry_problem(e);
}

liger_status tune_db_parse(const char *text, size_t len, const char *where, TuneWarnFn warn, void *ud,
                           TuneDb **out, TuneLoadInfo *info) {
  TuneLoadInfo dummy;
  if (!info) info = &dummy;
  *info = (TuneLoadInfo){0};
  if (!out || (!text && len)) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_parse: NULL argument");
  *out = NULL;
  where = where ? where : "(tuning database)";
  TuneDb *db = tune_db_new();
  char *space = malloc(8 * (TUNE_FIELD_MAX + 1));
  if (!db || !space) {
    free(space);
    tune_db_free(db);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "%s: out of memory", where);
  }
  liger_status st = LIGER_OK;
  int lineno = 0;
  for (size_t pos = 0; pos < len && st == LIGER_OK;) {
    const char *s = text + pos;
    const char *nl = memchr(s, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - s) : len - pos;
    pos += n + (nl ? 1 : 0);
    lineno++;
    if (n && s[n - 1] == '\r') n--;
    if (lineno == 1) { /* "liger-tunedb<TAB>1" */
      size_t m = strlen(TUNE_MAGIC), i = m;
      if (n <= m || memcmp(s, TUNE_MAGIC, m) || (s[m] != '\t' && s[m] != ' ')) {
        st = rt_fail(LIGER_ERR_IO, "%s: not a liger-jit tuning database (the first line is not '%s <version>')",
                     where, TUNE_MAGIC);
        break;
      }
      while (i < n && (s[i] == '\t' || s[i] == ' ')) i++;
      uint32_t version;
      if (!parse_u32(s + i, n - i, &version) || version == 0)
        st = rt_fail(LIGER_ERR_IO, "%s: not a liger-jit tuning database (bad version '%.*s')", where,
                     (int)(n - i), s + i);
      else if (version > TUNE_FORMAT)
        st = rt_fail(LIGER_ERR_UNSUPPORTED,
                     "%s: tuning database format %u was written by a newer liger-jit (this build reads %d)", where,
                     version, TUNE_FORMAT);
      continue;
    }
    if (n == 0 || s[0] == '#') continue;
    TuneEntry e;
    const char *why = parse_line(s, n, &e, space, space + 7 * (TUNE_FIELD_MAX + 1));
    if (why) {
      info->skipped++;
      if (!info->first_bad_line) info->first_bad_line = lineno;
      warn_line(warn, ud, where, lineno, why);
      continue;
    }
    TuneMergeStats ms = {0};
    st = store(db, &e, TUNE_PUT_MERGE, &ms);
    info->duplicates += ms.replaced + ms.kept;
  }
  free(space);
  if (st != LIGER_OK) {
    tune_db_free(db);
    return st;
  }
  info->entries = db->n;
  *out = db;
  return LIGER_OK;
}

/* ---- files --------------------------------------------------------------------------- */

/* The directory part of path ("." when there is none). */
static void dir_of(const char *path, char *out, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(out, size, ".");
  else if (slash == path) snprintf(out, size, "/");
  else snprintf(out, size, "%.*s", (int)(slash - path), path);
}

/* The ownership rule of TUNE_LOAD_CHECK_OWNER for an open file and its directory. */
static liger_status check_owner(const char *path, int fd) {
  struct stat st, ds;
  char dir[4096];
  uid_t me = geteuid();
  if (fstat(fd, &st) || !S_ISREG(st.st_mode))
    return rt_fail(LIGER_ERR_IO, "%s: the tuning database is not a regular file", path);
  if ((st.st_uid != me && st.st_uid != 0) || (st.st_mode & 022))
    return rt_fail(LIGER_ERR_IO, "%s: the tuning database belongs to another user or is writable by group or others "
                                 "(it chooses the configs your kernels run with); fix its owner or mode", path);
  dir_of(path, dir, sizeof dir);
  if (stat(dir, &ds) || (ds.st_uid != me && ds.st_uid != 0) || ((ds.st_mode & 022) && !(ds.st_mode & S_ISVTX)))
    return rt_fail(LIGER_ERR_IO, "%s: the directory of the tuning database belongs to another user or is writable "
                                 "by group or others", dir);
  return LIGER_OK;
}

liger_status tune_db_load(const char *path, unsigned flags, TuneWarnFn warn, void *ud, TuneDb **out,
                          TuneLoadInfo *info) {
  if (info) *info = (TuneLoadInfo){0};
  if (!path || !out) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_load: NULL argument");
  *out = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && (flags & TUNE_LOAD_MISSING_OK)) {
      *out = tune_db_new();
      return *out ? LIGER_OK : rt_fail(LIGER_ERR_OUT_OF_MEMORY, "tune_db_load: out of memory");
    }
    return rt_fail(LIGER_ERR_IO, "%s: cannot open the tuning database: %s", path, strerror(errno));
  }
  liger_status st = (flags & TUNE_LOAD_CHECK_OWNER) ? check_owner(path, fd) : LIGER_OK;
  struct stat sb;
  char *text = NULL;
  size_t len = 0;
  if (st == LIGER_OK && (fstat(fd, &sb) || sb.st_size < 0 || (uint64_t)sb.st_size > ((uint64_t)1 << 30)))
    st = rt_fail(LIGER_ERR_IO, "%s: the tuning database cannot be sized or is over 1 GiB", path);
  if (st == LIGER_OK && !(text = malloc((size_t)sb.st_size + 1)))
    st = rt_fail(LIGER_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  /* Read to the end of the file rather than to st_size: a file only ever changes by rename,
   * but one edited in place should not be cut short. */
  for (size_t cap = (size_t)sb.st_size + 1; st == LIGER_OK;) {
    if (len == cap) {
      char *t = realloc(text, cap *= 2);
      if (!t) {
        st = rt_fail(LIGER_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
        break;
      }
      text = t;
    }
    ssize_t r = read(fd, text + len, cap - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) st = rt_fail(LIGER_ERR_IO, "%s: read error: %s", path, strerror(errno));
    if (r <= 0) break;
    len += (size_t)r;
  }
  close(fd);
  if (st == LIGER_OK) st = tune_db_parse(text, len, path, warn, ud, out, info);
  free(text);
  return st;
}

/* Creates the missing directories above path (mode 0700), as the binary cache does. */
static void make_parents(const char *path) {
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s", path) >= sizeof tmp) return;
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(tmp, 0700);
      *p = '/';
    }
}

liger_status tune_db_save(const TuneDb *db, const char *path) {
  if (!db || !path) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_save: NULL argument");
  static atomic_uint seq; /* threads of one process write distinct temporaries */
  char *text, tmp[4200];
  size_t len;
  liger_status st = tune_db_serialize(db, &text, &len);
  if (st != LIGER_OK) return st;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%d.%ld.%u", path, (int)getpid(), (long)ts.tv_nsec,
                       atomic_fetch_add(&seq, 1)) >= sizeof tmp) {
    free(text);
    return rt_fail(LIGER_ERR_IO, "%s: path too long", path);
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    free(text);
    return rt_fail(LIGER_ERR_IO, "%s: cannot create a temporary file: %s", tmp, strerror(err));
  }
  const char *what = NULL;
  int err = 0;
  for (size_t off = 0; off < len && !what;) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) what = "write", err = w < 0 ? errno : EIO;
    else off += (size_t)w;
  }
  if (!what && fsync(fd)) what = "fsync", err = errno;
  if (close(fd) && !what) what = "close", err = errno;
  if (!what && rename(tmp, path)) what = "rename", err = errno;
  free(text);
  if (what) {
    unlink(tmp);
    return rt_fail(LIGER_ERR_IO, "%s: cannot write the tuning database (%s: %s)", path, what, strerror(err));
  }
  return LIGER_OK;
}

/* Takes the exclusive lock of path's database; returns its descriptor or -1 (error set). */
static int lock_db(const char *path) {
  char lock[4200];
  if ((size_t)snprintf(lock, sizeof lock, "%s.lock", path) >= sizeof lock) {
    rt_fail(LIGER_ERR_IO, "%s: path too long", path);
    return -1;
  }
  int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fd = open(lock, O_RDONLY | O_CLOEXEC); /* flock needs no write access */
  if (fd < 0) {
    rt_fail(LIGER_ERR_IO, "%s: cannot open the lock file: %s", lock, strerror(errno));
    return -1;
  }
  struct timespec start, now, nap = {0, 1000000};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (!flock(fd, LOCK_EX | LOCK_NB)) return fd;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      rt_fail(LIGER_ERR_IO, "%s: cannot lock: %s", lock, strerror(errno));
      break;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec >= LOCK_WAIT_S) {
      rt_fail(LIGER_ERR_IO, "%s: another process has held the lock for %d s; is a liger-tune stuck?", lock,
              LOCK_WAIT_S);
      break;
    }
    nanosleep(&nap, NULL);
    if (nap.tv_nsec < 16000000) nap.tv_nsec *= 2;
  }
  close(fd);
  return -1;
}

liger_status tune_db_update(const char *path, TuneEditFn edit, void *ud, TuneWarnFn warn, void *wud) {
  if (!path || !*path || !edit) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_update: NULL argument");
  make_parents(path);
  int lfd = lock_db(path);
  if (lfd < 0) return LIGER_ERR_IO;
  TuneDb *db;
  liger_status st = tune_db_load(path, TUNE_LOAD_MISSING_OK | TUNE_LOAD_CHECK_OWNER, warn, wud, &db, NULL);
  if (st == LIGER_OK) {
    st = edit(db, ud);
    if (st == LIGER_OK) st = tune_db_save(db, path);
    tune_db_free(db);
  }
  close(lfd); /* releases the lock, after the rename */
  return st;
}

typedef struct AddArgs {
  const TuneEntry *e;
  int n;
  TuneMergeStats *stats;
} AddArgs;

static liger_status add_edit(TuneDb *db, void *ud) {
  AddArgs *a = ud;
  for (int i = 0; i < a->n; i++) {
    liger_status st = tune_db_put(db, &a->e[i], TUNE_PUT_REPLACE, a->stats);
    if (st != LIGER_OK) return st;
  }
  return LIGER_OK;
}

liger_status tune_db_add(const char *path, const TuneEntry *e, int n, TuneMergeStats *stats) {
  if (n < 0 || (n && !e)) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_add: bad entries");
  if (stats) *stats = (TuneMergeStats){0};
  AddArgs a = {e, n, stats};
  return tune_db_update(path, add_edit, &a, NULL, NULL);
}

liger_status tune_db_path(char *out, size_t size) {
  if (!out || !size) return rt_fail(LIGER_ERR_INVALID_ARG, "tune_db_path: no buffer");
  const char *db = getenv("LIGER_TUNE_DB"), *cache = getenv("LIGER_CACHE_DIR");
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  int len;
  if (db && *db) len = snprintf(out, size, "%s", db);
  else if (cache && *cache) len = snprintf(out, size, "%s/tune.db", cache);
  else if (xdg && *xdg) len = snprintf(out, size, "%s/liger-jit/tune.db", xdg);
  else if (home && *home) len = snprintf(out, size, "%s/.cache/liger-jit/tune.db", home);
  else {
    out[0] = 0;
    return rt_fail(LIGER_ERR_IO, "no tuning database: set LIGER_TUNE_DB, LIGER_CACHE_DIR, XDG_CACHE_HOME or HOME");
  }
  if (len < 0 || (size_t)len >= size) {
    out[0] = 0;
    return rt_fail(LIGER_ERR_INVALID_ARG, "the tuning database path needs %d bytes", len + 1);
  }
  return LIGER_OK;
}

liger_status liger_tune_db_path(char *out, size_t size) { return tune_db_path(out, size); }
