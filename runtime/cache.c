/*
 * cache.c — the on-disk binary cache: lookup, publication, validation, statistics.
 * The format and the rules are in cache.h. The directory is resolved from the environment
 * on every use, so tests and tools can point it elsewhere without restarting.
 */
#include "cache.h"
#include "bundle.h"
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "LIGERBIN"
#define FORMAT 1

typedef struct Header {
  char magic[8];
  uint32_t version;
  uint32_t name_len;
  uint64_t payload_len;
  uint32_t threads;
  uint32_t num_warps;
  uint64_t shared;
  uint8_t key[32];
  uint8_t sum[32];
  uint8_t reserved[8];
} Header;
_Static_assert(sizeof(Header) == 112, "cache entry header must stay 112 bytes");

static atomic_ulong n_hits, n_misses, n_stores, n_rejected, n_store_errors;

static bool debug_cache(void) {
  const char *e = getenv("LIGER_DEBUG");
  return e && (strstr(e, "cache") || strstr(e, "all"));
}

/* Resolves the cache directory. Returns false (with the reason) when the cache is off. */
static bool cache_dir(char *dir, size_t n, const char **why) {
  const char *onoff = getenv("LIGER_CACHE");
  bool off = onoff && (!strcmp(onoff, "0") || !strcasecmp(onoff, "off") || !strcasecmp(onoff, "no"));
  const char *d = getenv("LIGER_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  int len;
  if (d && *d) len = snprintf(dir, n, "%s", d);
  else if (xdg && *xdg) len = snprintf(dir, n, "%s/liger-jit", xdg);
  else if (home && *home) len = snprintf(dir, n, "%s/.cache/liger-jit", home);
  else {
    *why = "no LIGER_CACHE_DIR, XDG_CACHE_HOME or HOME";
    return false;
  }
  if (len < 0 || (size_t)len >= n - 80) { /* room for "/ab/<64 hex>.bin.tmp.<pid>.<ns>" */
    *why = "the cache directory path is too long";
    return false;
  }
  if (off) { /* the directory it would use is named, but not created or checked */
    *why = "disabled by LIGER_CACHE";
    return false;
  }
  if (mkdir(dir, 0700) && errno != EEXIST) {
    /* create missing parents (e.g. ~/.cache) once */
    char tmp[4096];
    memcpy(tmp, dir, strlen(dir) + 1);
    for (char *p = tmp + 1; *p; p++)
      if (*p == '/') {
        *p = 0;
        mkdir(tmp, 0700);
        *p = '/';
      }
    if (mkdir(dir, 0700) && errno != EEXIST) {
      *why = "the cache directory cannot be created";
      return false;
    }
  }
  struct stat st;
  if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
    *why = "the cache path is not a directory";
    return false;
  }
  if (st.st_uid != geteuid()) {
    *why = "the cache directory belongs to another user (a cache is a code-loading path)";
    return false;
  }
  if (st.st_mode & 022) {
    *why = "the cache directory is writable by group or others (a cache is a code-loading path)";
    return false;
  }
  *why = NULL;
  return true;
}

/* <dir>/<first two hex digits>/<key>.bin; `dir` is short enough (cache_dir checked). */
static void entry_path(char *out, size_t n, const char *dir, const uint8_t key[32], bool make_sub) {
  char hex[65];
  sha256_hex(key, hex);
  int len = snprintf(out, n, "%s/%.2s", dir, hex);
  if (make_sub && len > 0 && (size_t)len < n) mkdir(out, 0700);
  if (len < 0 || (size_t)snprintf(out, n, "%s/%.2s/%s.bin", dir, hex, hex) >= n) out[0] = 0;
}

/* The file and its directory must be ours and closed to others. */
static bool safe_file(const char *path, struct stat *st) {
  if (lstat(path, st) || !S_ISREG(st->st_mode) || st->st_uid != geteuid() || (st->st_mode & 022)) return false;
  char dir[4400];
  if ((size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir) return false;
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0;
  struct stat ds;
  return !lstat(dir, &ds) && S_ISDIR(ds.st_mode) && ds.st_uid == geteuid() && !(ds.st_mode & 022);
}

static void checksum(const char *name, size_t nlen, const char *payload, size_t plen, uint8_t out[32]) {
  Sha256 s;
  sha256_init(&s);
  sha256_update(&s, name, nlen);
  sha256_update(&s, payload, plen);
  sha256_final(&s, out);
}

static void reject(const char *path, const char *why) {
  atomic_fetch_add(&n_rejected, 1);
  if (debug_cache()) fprintf(stderr, "liger cache: rejected %s: %s (rebuilding)\n", path, why);
  unlink(path);
}

bool cache_entry_decode(const void *buf, size_t n, const uint8_t key[32], CompileResult *out, const char **why) {
  Header h;
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (n < sizeof h) *why = "shorter than a header";
  else if (memcpy(&h, buf, sizeof h), memcmp(h.magic, MAGIC, 8) || h.version != FORMAT) *why = "not an entry of this format";
  else if (key && memcmp(h.key, key, 32)) *why = "holds another key";
  else if (h.name_len == 0 || h.name_len > 4096 || h.payload_len > ((uint64_t)1 << 32) ||
           (uint64_t)n != sizeof h + h.name_len + h.payload_len)
    *why = "truncated or padded";
  else {
    const char *name = (const char *)buf + sizeof h, *payload = name + h.name_len;
    uint8_t sum[32];
    checksum(name, h.name_len, payload, h.payload_len, sum);
    if (memcmp(sum, h.sum, 32)) *why = "checksum mismatch";
    else if (memchr(name, 0, h.name_len)) *why = "the kernel name holds a NUL byte";
    else {
      out->kernel_name = malloc(h.name_len + 1);
      out->data = malloc(h.payload_len + 1);
      if (!out->kernel_name || !out->data) {
        free(out->kernel_name);
        free(out->data);
        memset(out, 0, sizeof *out);
        *why = "out of memory";
        return false;
      }
      memcpy(out->kernel_name, name, h.name_len);
      out->kernel_name[h.name_len] = 0;
      memcpy(out->data, payload, h.payload_len);
      out->data[h.payload_len] = 0; /* PTX is handed on as a C string */
      out->len = h.payload_len;
      out->meta.threads = (int)h.threads;
      out->meta.num_warps = (int)h.num_warps;
      out->meta.shared = h.shared;
      return true;
    }
  }
  return false;
}

bool cache_entry_key(const void *buf, size_t n, uint8_t key[32]) {
  Header h;
  if (n < sizeof h) return false;
  memcpy(&h, buf, sizeof h);
  memcpy(key, h.key, 32);
  return true;
}

char *cache_entry_encode(const uint8_t key[32], const CompileResult *r, size_t *len) {
  Header h = {.version = FORMAT};
  memcpy(h.magic, MAGIC, 8);
  size_t nlen = strlen(r->kernel_name);
  h.name_len = (uint32_t)nlen;
  h.payload_len = r->len;
  h.threads = (uint32_t)r->meta.threads;
  h.num_warps = (uint32_t)r->meta.num_warps;
  h.shared = r->meta.shared;
  memcpy(h.key, key, 32);
  checksum(r->kernel_name, nlen, r->data, r->len, h.sum);
  char *buf = malloc(sizeof h + nlen + r->len);
  if (!buf) return NULL;
  memcpy(buf, &h, sizeof h);
  memcpy(buf + sizeof h, r->kernel_name, nlen);
  memcpy(buf + sizeof h + nlen, r->data, r->len);
  *len = sizeof h + nlen + r->len;
  return buf;
}

bool cache_load(const uint8_t key[32], CompileResult *out) {
  char dir[4096], path[4400];
  const char *why;
  memset(out, 0, sizeof *out);
  if (bundle_lookup(key, out)) return true; /* loaded bundles first (bundle.h) */
  if (!cache_dir(dir, sizeof dir, &why)) return false;
  entry_path(path, sizeof path, dir, key, false);
  struct stat st;
  if (lstat(path, &st)) {
    atomic_fetch_add(&n_misses, 1);
    if (debug_cache()) fprintf(stderr, "liger cache: miss %s\n", path);
    return false;
  }
  if (!safe_file(path, &st)) {
    reject(path, "not a regular file owned by you and closed to others");
    atomic_fetch_add(&n_misses, 1);
    return false;
  }
  FILE *fp = fopen(path, "rb");
  char *buf = NULL;
  const char *bad = NULL;
  if (!fp) bad = "cannot be opened";
  else if (st.st_size < (off_t)sizeof(Header)) bad = "shorter than a header";
  else if ((uint64_t)st.st_size > sizeof(Header) + 4096 + ((uint64_t)1 << 32)) bad = "truncated or padded";
  else if (!(buf = malloc((size_t)st.st_size)) || fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
    bad = "unreadable";
  else if (!cache_entry_decode(buf, (size_t)st.st_size, key, out, &bad) && !bad)
    bad = "unreadable";
  free(buf);
  if (fp) fclose(fp);
  if (bad) {
    reject(path, bad);
    atomic_fetch_add(&n_misses, 1);
    return false;
  }
  atomic_fetch_add(&n_hits, 1);
  if (debug_cache()) fprintf(stderr, "liger cache: hit %s\n", path);
  return true;
}

void cache_store(const uint8_t key[32], const CompileResult *r) {
  char dir[4096], path[4400], tmp[4500];
  const char *why;
  if (!cache_dir(dir, sizeof dir, &why)) return;
  entry_path(path, sizeof path, dir, key, true);
  size_t len = 0;
  char *buf = cache_entry_encode(key, r, &len);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int fd = -1;
  if (buf && (size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%d.%ld", path, (int)getpid(), (long)ts.tv_nsec) < sizeof tmp)
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  if (ok) {
    FILE *fp = fdopen(fd, "wb");
    ok = fp && fwrite(buf, 1, len, fp) == len;
    if (fp) ok &= fclose(fp) == 0;
    else close(fd);
    ok = ok && rename(tmp, path) == 0;
    if (!ok) unlink(tmp);
  }
  free(buf);
  atomic_fetch_add(ok ? &n_stores : &n_store_errors, 1);
  if (debug_cache()) fprintf(stderr, "liger cache: %s %s\n", ok ? "stored" : "could not store", path);
}

liger_status liger_cache_query(liger_cache_info *out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_cache_query: out is NULL");
  static _Thread_local char dir[4096];
  const char *why = NULL;
  memset(out, 0, sizeof *out);
  out->enabled = cache_dir(dir, sizeof dir, &why);
  out->dir = dir;
  out->reason = why ? why : "";
  out->hits = atomic_load(&n_hits);
  out->misses = atomic_load(&n_misses);
  out->stores = atomic_load(&n_stores);
  out->rejected = atomic_load(&n_rejected);
  out->store_errors = atomic_load(&n_store_errors);
  if (!out->enabled) return LIGER_OK;
  DIR *d = opendir(dir);
  for (struct dirent *e; d && (e = readdir(d));) {
    if (e->d_name[0] == '.' || strlen(e->d_name) != 2) continue;
    char sub[4400];
    if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= sizeof sub) continue;
    DIR *s = opendir(sub);
    for (struct dirent *f; s && (f = readdir(s));) {
      size_t n = strlen(f->d_name);
      if (n != 68 || strcmp(f->d_name + 64, ".bin")) continue;
      char p[4500];
      if ((size_t)snprintf(p, sizeof p, "%s/%s", sub, f->d_name) >= sizeof p) continue;
      struct stat st;
      if (!stat(p, &st)) {
        out->entries++;
        out->bytes += (uint64_t)st.st_size;
      }
    }
    if (s) closedir(s);
  }
  if (d) closedir(d);
  return LIGER_OK;
}
