/*
 * tunedb.h — the tuning database: which config of a kernel was fastest on which GPU.
 *
 * The measuring side (the tuner, `liger-tune tune/prewarm`) adds one entry per config it
 * timed; the runtime side asks for the best config of a kernel at a key bucket on its
 * device. The file is text, one checksummed entry per line (docs/tuning.md has every field):
 *
 *   liger-tunedb<TAB>1
 *   # vendor  arch  model  compiler  kernel  bucket  config  median_us  samples  date  sum
 *   nvidia  sm_90  NVIDIA H200  0.1.0 (LLVM 22.1.8)  rms_norm.fwd  n_cols=4096
 *     BLOCK=4096,num_stages=1,num_warps=8  11.264  50  2026-01-01T00:00:00Z  c88d5fca
 *
 * (one line in the file, fields separated by one TAB). The identity of an entry is
 * everything before median_us; adding an entry with a new config never touches the others. Lookup falls back from the
 * GPU model to its arch to its vendor, and ignores entries of another compiler version.
 *
 * Module prefix `tune_`. Every function that can fail returns a liger_status and records
 * the message with rt_fail (read it with liger_last_error). Nothing here exits or aborts.
 *
 * Thread-safety: a TuneDb is a plain value. Reading one (tune_db_count, tune_db_entry,
 * tune_db_best, tune_db_serialize, tune_db_save) from several threads at once is safe;
 * changing it (tune_db_put, tune_db_merge, tune_db_remove) needs the caller's exclusion.
 * The file functions (tune_db_load, tune_db_update, tune_db_add) are safe from any number of
 * threads and processes at once: writers serialise on an flock(2) of "<db>.lock" and publish
 * the whole file with one rename(2), so a reader never sees a torn file.
 */
#ifndef LIGER_AUTOTUNE_TUNEDB_H
#define LIGER_AUTOTUNE_TUNEDB_H

#include "liger/liger.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TUNE_MAGIC "liger-tunedb" /* first line: magic, TAB, format version */
#define TUNE_FORMAT 1
#define TUNE_FIELD_MAX 1024 /* bytes of one field, unescaped */
#define TUNE_LINE_MAX 65536 /* longer lines are corrupt */

/* One measurement: config `config` of kernel `kernel` at key bucket `bucket` ran in
 * `median_us` on a `model` GPU. The strings are borrowed when passed in (tune_db_put copies
 * them) and owned by the TuneDb when read out of one. */
typedef struct TuneEntry {
  const char *vendor;   /* "nvidia", "amd", "cpu" (tune_vendor_of) */
  const char *arch;     /* "sm_90", "gfx942", "cpu-x86_64-znver4" */
  const char *model;    /* "NVIDIA H200"; may be "" (then only arch/vendor lookups see it) */
  const char *compiler; /* tune_compiler_id() of the build that measured it */
  const char *kernel;   /* tune_kernel_key(), or an op variant like "rms_norm.fwd" */
  const char *bucket;   /* tune_bucket(); "" for a kernel without tuning key */
  const char *config;   /* tune_config_canon() form: "BLOCK=1024,num_stages=3,num_warps=4" */
  double median_us;     /* >= 0, kept to the nanosecond (3 decimals) */
  uint32_t samples;     /* >= 1: timed runs behind the median */
  int64_t date;         /* Unix time (UTC seconds) of the measurement; 0 in tune_db_put: now */
} TuneEntry;

typedef struct TuneDb TuneDb;

/* What a read found. Filled by tune_db_load and tune_db_parse (zeroed first). */
typedef struct TuneLoadInfo {
  int entries;        /* entries in the result */
  int skipped;        /* corrupt lines skipped (never loaded) */
  int duplicates;     /* lines naming an entry already read (the merge rule kept one) */
  int first_bad_line; /* 1-based line number of the first skipped line, or 0 */
} TuneLoadInfo;

/* Called once per skipped line: `where` is the path (or the name given to tune_db_parse),
 * `line` 1-based, `why` a short reason ("checksum mismatch", "11 fields expected", ...).
 * With no callback, warnings go to stderr only under LIGER_DEBUG=tune (or all); the count
 * is in TuneLoadInfo either way. */
typedef void (*TuneWarnFn)(void *ud, const char *where, int line, const char *why);

/* Which level of the fallback answered a lookup. */
typedef enum TuneLevel {
  TUNE_HIT_NONE,   /* no entry: use the caller's default config */
  TUNE_HIT_VENDOR, /* an entry of the same vendor (another arch) */
  TUNE_HIT_ARCH,   /* an entry of the same arch (another or no model) */
  TUNE_HIT_MODEL   /* an entry of this very GPU model */
} TuneLevel;

/* A lookup: the device, the kernel and its bucket. `compiler` NULL means tune_compiler_id().
 * `model` may be NULL or "" (the lookup starts at the arch), `arch` likewise (vendor). */
typedef struct TuneQuery {
  const char *vendor, *arch, *model, *compiler, *kernel, *bucket;
} TuneQuery;

/* Selects entries: each non-NULL field is an fnmatch(3) pattern the field must match
 * ("rms_norm*", "sm_9?"); NULL matches anything. `not_compiler`, when set, selects only
 * entries whose compiler differs from it (used to prune entries of other versions). */
typedef struct TuneFilter {
  const char *vendor, *arch, *model, *compiler, *kernel, *bucket;
  const char *not_compiler;
} TuneFilter;

/* How tune_db_put treats an entry whose identity is already present. */
typedef enum TunePut {
  TUNE_PUT_REPLACE, /* the new measurement wins (a re-measurement) */
  TUNE_PUT_MERGE    /* the merge rule: more samples wins, then the newer date, then the faster */
} TunePut;

/* Counts of a put, merge or import. */
typedef struct TuneMergeStats {
  int added;    /* identities that were not there */
  int replaced; /* identities whose entry the incoming one replaced */
  int kept;     /* incoming entries that lost to the one already there */
} TuneMergeStats;

/* ---- names, keys, buckets, configs ------------------------------------------------- */

/* The compiler version entries are written and looked up with: the same text as
 * liger_version(), e.g. "0.1.0 (LLVM 22.1.8)". Static storage. */
const char *tune_compiler_id(void);

/* The vendor of a target name: "sm_*"/"compute_*" → "nvidia", "gfx*" → "amd",
 * "cpu*"/"host" → "cpu"; NULL for anything else. Static storage. */
const char *tune_vendor_of(const char *arch);

/* The kernel field of a user kernel: "<name>@<first 16 hex digits of digest>", where digest
 * is the SHA-256 of the kernel's source closure (its file and the helpers it imports).
 * LIGER_ERR_INVALID_ARG when `out` (size n) is too small or name is empty. */
liger_status tune_kernel_key(const char *name, const uint8_t digest[32], char *out, size_t n);

/* Rounds one tuning-key value to its bucket: 0 and 1 stay; v >= 2 becomes the smallest
 * power of two >= v (1000 → 1024, 4096 → 4096, 4097 → 8192), capped at 2^62; a negative
 * value is mirrored (-5 → -8). */
int64_t tune_bucket_round(int64_t v);

/* One named tuning-key value: an integer (rounded by tune_bucket_round) or, when `str` is
 * non-NULL, a string taken as is (a dtype: "bf16"). */
typedef struct TuneKeyVal {
  const char *name;
  int64_t value;
  const char *str;
} TuneKeyVal;

/* The bucket string of a key: "NAME=VALUE" per key value, sorted by name, joined by ','
 * ("dtype=bf16,n_cols=4096"). Names are identifiers; string values may not hold ',', '=',
 * or control characters. LIGER_ERR_INVALID_ARG on a bad name/value, a repeated name, or
 * when `out` (size n) is too small. */
liger_status tune_bucket(const TuneKeyVal *kv, int n, char *out, size_t size);

/* Canonical config text: parses "NAME=VALUE" items separated by ',' (spaces around items
 * are dropped), sorts them by name (byte order: constexprs in capitals come before
 * num_stages and num_warps) and joins them with ','. Names are identifiers; values are
 * non-empty and hold no ',', '=', space or control character. LIGER_ERR_INVALID_ARG on a
 * syntax error, a repeated name, or when `out` (size n) is too small. `in` and `out` may be
 * the same buffer. */
liger_status tune_config_canon(const char *in, char *out, size_t size);

/* The canonical config of constexprs names[i]=values[i] plus num_warps and num_stages
 * (each added when > 0). Errors as tune_config_canon. */
liger_status tune_config_format(const char *const *names, const char *const *values, int n, int num_warps,
                                int num_stages, char *out, size_t size);

/* Finds item `name` in a canonical config; copies its value into out (size n) and returns
 * true, or returns false when absent or too long. */
bool tune_config_get(const char *config, const char *name, char *out, size_t size);

/* "model", "arch", "vendor" or "default". */
const char *tune_level_name(TuneLevel level);

/* ---- the in-memory database --------------------------------------------------------- */

/* An empty database; NULL only when out of memory. Free with tune_db_free (NULL is fine). */
TuneDb *tune_db_new(void);
void tune_db_free(TuneDb *db);

/* Entries in canonical order: sorted by vendor, arch, model, compiler, kernel, bucket and
 * config (byte order), one per identity. tune_db_entry's pointer (and its strings) stay
 * valid until the database is next changed or freed. */
int tune_db_count(const TuneDb *db);
const TuneEntry *tune_db_entry(const TuneDb *db, int i);

/* Adds or updates one entry. The strings are copied; the config is canonicalised; the
 * median is rounded to the nanosecond; date 0 means now. LIGER_ERR_INVALID_ARG for a missing
 * vendor/arch/compiler/kernel/config, a field longer than TUNE_FIELD_MAX, a bad config,
 * a negative or non-finite median, or 0 samples; LIGER_ERR_OUT_OF_MEMORY. `stats` may be
 * NULL; otherwise one of its counts is incremented. */
liger_status tune_db_put(TuneDb *db, const TuneEntry *e, TunePut how, TuneMergeStats *stats);

/* Merges every entry of `src` that `filter` selects (NULL: all) into `dst` with the merge
 * rule, keeping entries of every compiler. `stats` may be NULL (else it is zeroed first).
 * Errors: LIGER_ERR_OUT_OF_MEMORY (dst then holds part of the merge). */
liger_status tune_db_merge(TuneDb *dst, const TuneDb *src, const TuneFilter *filter, TuneMergeStats *stats);

/* Removes the entries `filter` selects (NULL: all). Returns how many went. */
int tune_db_remove(TuneDb *db, const TuneFilter *filter);

/* Whether `filter` (NULL: all) selects entry e. */
bool tune_filter_match(const TuneFilter *filter, const TuneEntry *e);

/* The best config for q: among the entries of q's compiler, kernel and bucket, the fastest
 * (lowest median; ties: the config string that sorts first) of q's model; if none, of q's
 * arch; if none, of q's vendor. Sets *best (NULL on TUNE_HIT_NONE; valid as for
 * tune_db_entry) and returns the level that answered. q->vendor, kernel and bucket must
 * be set (NULL bucket: ""); a NULL q or db gives TUNE_HIT_NONE. */
TuneLevel tune_db_best(const TuneDb *db, const TuneQuery *q, const TuneEntry **best);

/* ---- text form ---------------------------------------------------------------------- */

/* Parses database text (len bytes; `where` names it in warnings). Corrupt entry lines are
 * skipped and counted, never loaded. A missing or unknown first line is an error:
 * LIGER_ERR_IO ("not a liger-jit tuning database"), or LIGER_ERR_UNSUPPORTED for a newer
 * format version; empty text is an empty database. On success *out is a new database the
 * caller frees. `warn`/`ud` and `info` may be NULL. */
liger_status tune_db_parse(const char *text, size_t len, const char *where, TuneWarnFn warn, void *ud,
                           TuneDb **out, TuneLoadInfo *info);

/* The canonical text of db (header, column comment, entries in canonical order): the same
 * database always gives the same bytes. *out is malloc'd and NUL-terminated (free() it). */
liger_status tune_db_serialize(const TuneDb *db, char **out, size_t *len);

/* ---- files --------------------------------------------------------------------------- */

enum {
  TUNE_LOAD_MISSING_OK = 1, /* a missing file is an empty database, not LIGER_ERR_IO */
  TUNE_LOAD_CHECK_OWNER = 2 /* refuse (LIGER_ERR_IO) a file or directory that is not the
                               user's (or root's), or is writable by group or others (a
                               sticky directory such as /tmp is allowed) */
};

/* Reads the database file at path (see tune_db_parse). flags: TUNE_LOAD_*. */
liger_status tune_db_load(const char *path, unsigned flags, TuneWarnFn warn, void *ud, TuneDb **out,
                          TuneLoadInfo *info);

/* Writes db to path atomically: a private temporary file in the same directory (mode 0644
 * less the umask), fsync, one rename(2). Takes no lock: for a database other processes
 * update, use tune_db_update. Errors: LIGER_ERR_IO with the path and the system's reason. */
liger_status tune_db_save(const TuneDb *db, const char *path);

/* One transaction on the database file at path: takes the exclusive lock "<path>.lock"
 * (waiting up to 60 s), loads the file (missing: empty; ownership checked as
 * TUNE_LOAD_CHECK_OWNER), calls edit(db, ud), and when it returns LIGER_OK publishes the
 * result with tune_db_save before unlocking. A status other than LIGER_OK from `edit` is
 * returned and nothing is written. Missing parent directories are created (mode 0700).
 * A file that is not a database (or of a newer format) is left alone: its load error is
 * returned. Corrupt lines of the old file are dropped when it is rewritten (reported
 * through warn). Errors: as tune_db_load, LIGER_ERR_IO for the lock, or edit's status. */
typedef liger_status (*TuneEditFn)(TuneDb *db, void *ud);
liger_status tune_db_update(const char *path, TuneEditFn edit, void *ud, TuneWarnFn warn, void *wud);

/* tune_db_update that puts entries e[0..n) (TUNE_PUT_REPLACE): what the tuner calls after
 * timing configs. `stats` may be NULL. */
liger_status tune_db_add(const char *path, const TuneEntry *e, int n, TuneMergeStats *stats);

/* The default database path into out (size n): $LIGER_TUNE_DB, else
 * $LIGER_CACHE_DIR/tune.db, else $XDG_CACHE_HOME/liger-jit/tune.db, else
 * $HOME/.cache/liger-jit/tune.db (empty variables count as unset). LIGER_ERR_IO when none is
 * set, LIGER_ERR_INVALID_ARG when out is too small. Same as liger_tune_db_path. */
liger_status tune_db_path(char *out, size_t size);

#endif
