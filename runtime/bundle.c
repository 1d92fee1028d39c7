/*
 * bundle.c — bundles (format in bundle.h, docs/bundle.md): building one from cache
 * entries (ligerc --emit=bundle), checking one, and the process-wide list of loaded bundles
 * that cache_load consults before the disk cache. Loaded bundles stay in memory, unchanged,
 * until the process ends, so a lookup holds the list's lock only to walk it.
 */
#include "bundle.h"
#include "build_id.h"
#include "runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "bundles are written little-endian, as the host stores them");

typedef struct BundleHeader {
  char magic[8];
  uint32_t version;
  uint32_t nentries;
  uint64_t index_off;
  uint64_t tunedb_off, tunedb_len;
  uint64_t host_off, host_len;
  char build_id[64];
  uint64_t file_len;
} BundleHeader;
_Static_assert(sizeof(BundleHeader) == 128, "bundle header must stay 128 bytes");

typedef struct BundleIndex {
  uint8_t key[32];
  uint8_t sum[32];
  uint64_t offset, length;
  uint32_t kind, zero;
  char target[16];
  uint8_t reserved[24];
} BundleIndex;
_Static_assert(sizeof(BundleIndex) == 128, "bundle index entry must stay 128 bytes");

struct Bundle {
  char *data;
  size_t len;
  const BundleHeader *h;
  const BundleIndex *index;
  char build_id[65];
  char *name;
  struct Bundle *next; /* the loaded list */
};

static const char *const kind_names[] = {NULL, "cubin", "ptx", "hsaco", "obj", "so"};

const char *bundle_kind_name(BundleKind k) {
  return k >= BK_CUBIN && k <= BK_SO ? kind_names[k] : NULL;
}

static void sum_of(const void *p, size_t n, uint8_t out[32]) {
  Sha256 s;
  sha256_init(&s);
  sha256_update(&s, p, n);
  sha256_final(&s, out);
}

static int by_key(const void *a, const void *b) {
  return memcmp(((const BundleItem *)a)->key, ((const BundleItem *)b)->key, 32);
}

liger_status bundle_build(BundleItem *items, int n, const char *tunedb, size_t tunedb_len, const char *host,
                          char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (n < 0 || (n && !items)) return rt_fail(LIGER_ERR_INVALID_ARG, "bundle: bad item list");
  if (n > 1) qsort(items, (size_t)n, sizeof *items, by_key);
  size_t total = sizeof(BundleHeader) + (size_t)n * sizeof(BundleIndex);
  for (int i = 0; i < n; i++) {
    char hex[65];
    sha256_hex(items[i].key, hex);
    if (i && !memcmp(items[i].key, items[i - 1].key, 32))
      return rt_fail(LIGER_ERR_INVALID_ARG, "bundle: key %s appears twice", hex);
    if (!bundle_kind_name(items[i].kind) || !items[i].blob)
      return rt_fail(LIGER_ERR_INVALID_ARG, "bundle: entry %s has no kind or no bytes", hex);
    total += items[i].len;
  }
  size_t host_len = host ? strlen(host) : 0;
  total += (tunedb ? tunedb_len : 0) + host_len + 32;
  char *buf = calloc(1, total);
  if (!buf) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "bundle: out of memory (%zu bytes)", total);
  BundleHeader h = {.version = BUNDLE_FORMAT, .nentries = (uint32_t)n, .index_off = sizeof h, .file_len = total};
  memcpy(h.magic, BUNDLE_MAGIC, 8);
  memcpy(h.build_id, LIGER_BUILD_ID, 64);
  size_t at = sizeof h + (size_t)n * sizeof(BundleIndex);
  for (int i = 0; i < n; i++) {
    BundleIndex e = {.offset = at, .length = items[i].len, .kind = (uint32_t)items[i].kind};
    memcpy(e.key, items[i].key, 32);
    sum_of(items[i].blob, items[i].len, e.sum);
    memcpy(e.target, items[i].target, strnlen(items[i].target, sizeof e.target - 1));
    memcpy(buf + sizeof h + (size_t)i * sizeof e, &e, sizeof e);
    memcpy(buf + at, items[i].blob, items[i].len);
    at += items[i].len;
  }
  if (tunedb && tunedb_len) {
    h.tunedb_off = at, h.tunedb_len = tunedb_len;
    memcpy(buf + at, tunedb, tunedb_len);
    at += tunedb_len;
  }
  if (host_len) {
    h.host_off = at, h.host_len = host_len;
    memcpy(buf + at, host, host_len);
    at += host_len;
  }
  memcpy(buf, &h, sizeof h);
  sum_of(buf, at, (uint8_t *)buf + at);
  *out = buf;
  *out_len = total;
  return LIGER_OK;
}

/* [off, off+len) lies inside [lo, hi) */
static bool inside(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi) {
  return off >= lo && off <= hi && len <= hi - off;
}

liger_status bundle_parse(char *data, size_t len, const char *name, Bundle **out) {
  *out = NULL;
  Bundle *b = calloc(1, sizeof *b);
  if (!b || !(b->name = strdup(name))) {
    free(b);
    free(data);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  }
  b->data = data, b->len = len;
  const BundleHeader *h = (const BundleHeader *)data;
  const char *bad = NULL;
  char where[160] = "";
  uint8_t sum[32];
  if (len < sizeof *h + 32) bad = "shorter than a header and a checksum (truncated?)";
  else if (memcmp(h->magic, BUNDLE_MAGIC, 8)) bad = "not a liger-jit bundle (no LIGERBDL magic)";
  else if (h->version != BUNDLE_FORMAT) bad = "a bundle of another format version";
  else if (h->file_len != len) bad = "its size is not the size its header records (truncated or padded)";
  else if (sum_of(data, len - 32, sum), memcmp(sum, data + len - 32, 32)) bad = "file checksum mismatch (corrupt)";
  else if (h->index_off != sizeof *h || h->nentries > (len - sizeof *h) / sizeof(BundleIndex))
    bad = "the index does not fit in the file";
  else {
    uint64_t end = len - 32, blobs = sizeof *h + (uint64_t)h->nentries * sizeof(BundleIndex);
    b->index = (const BundleIndex *)(data + sizeof *h);
    if ((h->tunedb_len && !inside(h->tunedb_off, h->tunedb_len, blobs, end)) ||
        (h->host_len && !inside(h->host_off, h->host_len, blobs, end)))
      bad = "a section lies outside the file";
    for (uint32_t i = 0; i < h->nentries && !bad; i++) {
      const BundleIndex *e = &b->index[i];
      char hex[65];
      sha256_hex(e->key, hex);
      snprintf(where, sizeof where, "entry %u (key %.16s…, %.15s %s): ", i, hex, e->target,
               bundle_kind_name((BundleKind)e->kind) ? bundle_kind_name((BundleKind)e->kind) : "?");
      CompileResult r;
      uint8_t blob_sum[32];
      if (!bundle_kind_name((BundleKind)e->kind) || e->zero || !memchr(e->target, 0, sizeof e->target))
        bad = "unknown kind or malformed index entry";
      else if (i && memcmp(b->index[i - 1].key, e->key, 32) >= 0) bad = "the index is not sorted by key";
      else if (!inside(e->offset, e->length, blobs, end)) bad = "its bytes lie outside the file";
      else if (sum_of(data + e->offset, e->length, blob_sum), memcmp(blob_sum, e->sum, 32)) bad = "checksum mismatch";
      else if (!cache_entry_decode(data + e->offset, e->length, e->key, &r, &bad)) {
        if (!bad) bad = "not a cache entry";
      } else {
        free(r.data);
        free(r.kernel_name);
      }
    }
  }
  if (bad) {
    liger_status st = rt_fail(LIGER_ERR_INVALID_ARG, "bundle %s rejected: %s%s", name, where, bad);
    bundle_free(b);
    return st;
  }
  b->h = h;
  memcpy(b->build_id, h->build_id, 64);
  b->build_id[64] = 0;
  *out = b;
  return LIGER_OK;
}

liger_status bundle_read_file(const char *path, Bundle **out) {
  *out = NULL;
  FILE *fp = fopen(path, "rb");
  if (!fp) return rt_fail(LIGER_ERR_IO, "cannot open bundle '%s': %s", path, strerror(errno));
  struct stat st;
  char *data = NULL;
  liger_status s = LIGER_OK;
  if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) s = rt_fail(LIGER_ERR_IO, "bundle '%s' is not a regular file", path);
  else if (!(data = malloc(st.st_size ? (size_t)st.st_size : 1)))
    s = rt_fail(LIGER_ERR_OUT_OF_MEMORY, "bundle '%s': out of memory", path);
  else if (fread(data, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
    s = rt_fail(LIGER_ERR_IO, "cannot read bundle '%s'", path);
  fclose(fp);
  if (s != LIGER_OK) {
    free(data);
    return s;
  }
  return bundle_parse(data, (size_t)st.st_size, path, out);
}

void bundle_free(Bundle *b) {
  if (!b) return;
  free(b->data);
  free(b->name);
  free(b);
}

int bundle_count(const Bundle *b) { return (int)b->h->nentries; }

void bundle_entry(const Bundle *b, int i, const uint8_t **key, BundleKind *kind, const char **target,
                  const char **blob, size_t *len) {
  const BundleIndex *e = &b->index[i];
  *key = e->key;
  *kind = (BundleKind)e->kind;
  *target = e->target;
  *blob = b->data + e->offset;
  *len = e->length;
}

const char *bundle_build_id(const Bundle *b) { return b->build_id; }
const char *bundle_own_build_id(void) { return LIGER_BUILD_ID; }

const char *bundle_tunedb(const Bundle *b, size_t *len) {
  *len = b->h->tunedb_len;
  return b->h->tunedb_len ? b->data + b->h->tunedb_off : NULL;
}

const char *bundle_host(const Bundle *b, size_t *len) {
  *len = b->h->host_len;
  return b->h->host_len ? b->data + b->h->host_off : NULL;
}

/* ---- the loaded list -------------------------------------------------------------------- */

static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;
static Bundle *loaded, **loaded_tail = &loaded;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static char env_error[1024];
static _Thread_local char last_miss[65];
static _Atomic(Target *) host_target;

static bool debug_bundle(void) {
  const char *e = getenv("LIGER_DEBUG");
  return e && (strstr(e, "cache") || strstr(e, "all"));
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The host's ISA extensions that LLVM names the same way as GCC's __builtin_cpu_supports
 * (which wants literal names, hence the table). Others in a descriptor are not checked. */
static bool host_has(const char *f, size_t n) {
#define F(name) {name, sizeof name - 1, __builtin_cpu_supports(name)}
  __builtin_cpu_init();
  const struct { const char *name; size_t len; int has; } feats[] = {
      F("sse3"), F("ssse3"), F("sse4.1"), F("sse4.2"), F("popcnt"), F("avx"), F("avx2"), F("fma"), F("bmi"),
      F("bmi2"), F("avx512f"), F("avx512vl"), F("avx512bw"), F("avx512dq"), F("avx512cd"), F("avx512vbmi"),
      F("avx512ifma"), F("avx512vnni"), F("avx512bf16"), F("avx512vpopcntdq"), F("avx512vbmi2"),
      F("avx512bitalg"), F("gfni"), F("vpclmulqdq"), F("aes"), F("pclmul")};
#undef F
  for (size_t i = 0; i < sizeof feats / sizeof feats[0]; i++)
    if (feats[i].len == n && !memcmp(feats[i].name, f, n)) return feats[i].has != 0;
  return true;
}
#else
static bool host_has(const char *f, size_t n) { (void)f, (void)n; return true; }
#endif

/* A CPU descriptor from a bundle, if this machine has every feature it enables that we can
 * check. Called with loaded_lock held. */
static void adopt_host(const Bundle *b) {
  if (atomic_load(&host_target) || !b->h->host_len) return;
  char *text = strndup(b->data + b->h->host_off, b->h->host_len);
  char *cpu = text ? strchr(text, '\n') : NULL, *feat = cpu ? strchr(cpu + 1, '\n') : NULL;
  char *end = feat ? strchr(feat + 1, '\n') : NULL;
  Target *t = calloc(1, sizeof *t);
  if (!end || !t) {
    free(text), free(t);
    return;
  }
  *cpu++ = 0, *feat++ = 0, *end = 0;
  for (const char *p = feat; *p;) {
    size_t n = strcspn(p, ",");
    if (*p == '+' && !host_has(p + 1, n - 1)) {
      if (debug_bundle())
        fprintf(stderr, "liger bundle: %s: its CPU variants need %.*s, which this CPU lacks: not used\n", b->name,
                (int)n - 1, p + 1);
      free(text), free(t);
      return;
    }
    p += n + (p[n] == ',');
  }
  *t = cg_host_descriptor(text, cpu, feat);
  atomic_store(&host_target, t); /* kept for the process, as the text it points into */
}

static liger_status add_loaded(Bundle *b) {
  pthread_mutex_lock(&loaded_lock);
  *loaded_tail = b;
  loaded_tail = &b->next;
  adopt_host(b);
  pthread_mutex_unlock(&loaded_lock);
  if (strcmp(b->build_id, LIGER_BUILD_ID))
    fprintf(stderr,
            "liger: bundle %s was made by another build of liger-jit (build id %.12s…, this one %.12s…): "
            "none of its variants can match; rebuild it with this build's ligerc\n",
            b->name, b->build_id, LIGER_BUILD_ID);
  if (debug_bundle()) fprintf(stderr, "liger bundle: loaded %s (%d variants)\n", b->name, bundle_count(b));
  return LIGER_OK;
}

static liger_status load_path(const char *path) {
  Bundle *b;
  liger_status st = bundle_read_file(path, &b);
  return st == LIGER_OK ? add_loaded(b) : st;
}

static void load_env(void) {
  const char *env = getenv("LIGER_BUNDLE");
  if (!env || !*env) return;
  char *list = strdup(env);
  for (char *save = NULL, *p = list ? strtok_r(list, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save)) {
    if (load_path(p) != LIGER_OK) {
      /* No caller to return this to: it is kept for the runtime-only build's message and
       * said once on stderr. */
      size_t used = strlen(env_error);
      snprintf(env_error + used, sizeof env_error - used, "%sLIGER_BUNDLE: %s", used ? "; " : "", liger_last_error());
      fprintf(stderr, "liger: LIGER_BUNDLE: %s (not loaded)\n", liger_last_error());
    }
  }
  free(list);
}

liger_status liger_bundle_load(const char *path) {
  if (!path || !*path) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_bundle_load: path is NULL or empty");
  pthread_once(&env_once, load_env);
  return load_path(path);
}

bool bundle_lookup(const uint8_t key[32], CompileResult *out) {
  pthread_once(&env_once, load_env);
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&loaded_lock);
  const BundleIndex *hit = NULL;
  const Bundle *in = NULL;
  for (const Bundle *b = loaded; b && !hit; b = b->next) {
    size_t lo = 0, hi = b->h->nentries;
    while (lo < hi && !hit) {
      size_t mid = lo + (hi - lo) / 2;
      int c = memcmp(b->index[mid].key, key, 32);
      if (!c) hit = &b->index[mid], in = b;
      else if (c < 0) lo = mid + 1;
      else hi = mid;
    }
  }
  pthread_mutex_unlock(&loaded_lock);
  const char *why = NULL;
  bool ok = hit && cache_entry_decode(in->data + hit->offset, hit->length, key, out, &why);
  if (!ok) sha256_hex(key, last_miss);
  if (debug_bundle() && (hit || loaded))
    fprintf(stderr, "liger bundle: %s %s%s%s\n", ok ? "hit" : "miss", ok ? in->name : "", ok ? " " : "",
            ok ? hit->target : last_miss);
  return ok;
}

const char *bundle_last_miss(void) { return last_miss; }

const char *bundle_env_error(void) {
  pthread_once(&env_once, load_env);
  return env_error;
}

const char *bundle_loaded_tunedb(size_t *len) {
  pthread_once(&env_once, load_env);
  const char *text = NULL;
  *len = 0;
  pthread_mutex_lock(&loaded_lock);
  for (const Bundle *b = loaded; b && !text; b = b->next) text = bundle_tunedb(b, len);
  pthread_mutex_unlock(&loaded_lock);
  return text;
}

const Target *bundle_host_target(void) {
  pthread_once(&env_once, load_env);
  return atomic_load(&host_target);
}
