/*
 * bundle.h — bundles: one file that ships compiled variants (binary-cache entries) for
 * chosen targets, plus a tuning database, to machines that should not compile (bundle.c).
 * docs/bundle.md describes the format and the loading order; in short, little-endian:
 *
 *   +--------------------------- 128-byte header ---------------------------------------+
 *   | "LIGERBDL" | version u32 | nentries u32 | index_off u64 | tunedb_off u64 | len u64 |
 *   | host_off u64 | host_len u64 | build_id [64] (hex, LIGER_BUILD_ID) | file_len u64    |
 *   +------------------------------------------------------------------------------------+
 *   | index: nentries x 128 bytes, sorted by key, keys distinct:                          |
 *   |   key [32] | sha256(blob) [32] | offset u64 | length u64 | kind u32 | 0 u32 |       |
 *   |   target [16] (NUL-padded) | reserved [24] (zero)                                   |
 *   +------------------------------------------------------------------------------------+
 *   | blobs, in index order: each one a binary-cache entry (cache.h), byte for byte       |
 *   | tuning database text (optional; docs/tuning.md)                                      |
 *   | host descriptor (optional): "triple\ncpu\nfeatures\n" of the machine that built     |
 *   |   the CPU entries (a runtime-only build has no LLVM to ask for its own)            |
 *   | sha256 of every byte before it [32]                                                 |
 *   +------------------------------------------------------------------------------------+
 *
 * Loading reads the whole file and checks all of it (sizes, ranges, order, every blob's
 * sum and its cache-entry checksum and key, the file's sum) before anything is used; a
 * bundle with one bad byte is rejected whole, with a message.
 */
#ifndef LIGER_RUNTIME_BUNDLE_H
#define LIGER_RUNTIME_BUNDLE_H

#include "cache.h"

#define BUNDLE_MAGIC "LIGERBDL"
#define BUNDLE_FORMAT 1

/* What a blob's payload is. */
typedef enum BundleKind { BK_CUBIN = 1, BK_PTX, BK_HSACO, BK_OBJ, BK_SO } BundleKind;

const char *bundle_kind_name(BundleKind k); /* "cubin", ..., NULL if unknown */

/* One variant to pack: the cache entry bytes (cache_entry_encode) and what it is for. */
typedef struct BundleItem {
  uint8_t key[32];
  BundleKind kind;
  char target[16];  /* "sm_90", "gfx942", "cpu" */
  const char *blob; /* a cache entry whose header names `key` */
  size_t len;
} BundleItem;

/* Serialises a bundle (items sorted by key here; duplicate keys are an error) into a
 * malloc'd buffer. tunedb and host may be NULL. Deterministic: same input, same bytes. */
liger_status bundle_build(BundleItem *items, int n, const char *tunedb, size_t tunedb_len, const char *host,
                          char **out, size_t *out_len);

/* A bundle checked and held in memory (read-only after bundle_parse). */
typedef struct Bundle Bundle;
/* Checks `len` bytes (the bundle takes ownership of `data`, malloc'd, also on failure).
 * `name` names it in messages. */
liger_status bundle_parse(char *data, size_t len, const char *name, Bundle **out);
liger_status bundle_read_file(const char *path, Bundle **out);
void bundle_free(Bundle *b);
int bundle_count(const Bundle *b);
/* Entry i: its key, kind, target and cache-entry bytes. */
void bundle_entry(const Bundle *b, int i, const uint8_t **key, BundleKind *kind, const char **target,
                  const char **blob, size_t *len);
const char *bundle_build_id(const Bundle *b);    /* 64 hex digits */
const char *bundle_own_build_id(void);           /* this build's (LIGER_BUILD_ID) */
const char *bundle_tunedb(const Bundle *b, size_t *len); /* NULL if none */
const char *bundle_host(const Bundle *b, size_t *len); /* "triple\ncpu\nfeatures\n" or NULL */

/* ---- the process-wide list of loaded bundles (liger_bundle_load, $LIGER_BUNDLE) ---------- */

/* Looks `key` up in the loaded bundles, in load order (loads $LIGER_BUNDLE first, once).
 * True on a hit (out filled as by cache_load). On a miss, remembers the key for the calling
 * thread (bundle_last_miss), so a runtime-only build can name it. */
bool bundle_lookup(const uint8_t key[32], CompileResult *out);
/* The key of this thread's last miss as 64 hex digits ("" if none), and why $LIGER_BUNDLE
 * could not be loaded ("" if it could). */
const char *bundle_last_miss(void);
const char *bundle_env_error(void);
/* The tuning database text of the first loaded bundle that has one (NULL if none). */
const char *bundle_loaded_tunedb(size_t *len);
/* Runtime-only builds: the host descriptor of the first loaded bundle whose CPU features
 * this machine has (NULL if none; the Target lives for the process). */
const Target *bundle_host_target(void);

#endif
