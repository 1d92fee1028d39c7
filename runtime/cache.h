/*
 * cache.h — the on-disk binary cache (cache.c) and its hash (sha256.c).
 *
 * Layout: $LIGER_CACHE_DIR (default $XDG_CACHE_HOME/liger-jit, else ~/.cache/liger-jit),
 * one file per compiled variant at <dir>/<key[0..2]>/<key>.bin, where key is the SHA-256 of
 * everything the binary depends on (compiler build, target, source text, kernel, constexprs,
 * argument specialisation, num_warps). An entry is
 *
 *   +--------------------------- 112-byte header --------------------------------------+
 *   | "LIGERBIN" | version u32 | name_len u32 | payload_len u64 | threads u32 | warps u32 |
 *   | shared u64 | key [32] | sha256(name + payload) [32] | reserved [8]                   |
 *   +------------------------------------------------------------------------------------+
 *   | kernel name (name_len bytes) | payload: cubin / hsaco / host object (payload_len)    |
 *
 * written to a private temporary file and published with one rename(2). Loading checks the
 * size, magic, version, key and checksum, and that the file and its directories belong to
 * the user and are not writable by others; anything else is deleted and rebuilt, never
 * loaded.
 */
#ifndef LIGER_RUNTIME_CACHE_H
#define LIGER_RUNTIME_CACHE_H

#include "../codegen/codegen.h"

#include <stdint.h>

typedef struct Sha256 {
  uint32_t h[8];
  uint64_t len;
  uint8_t buf[64];
  size_t nbuf;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
void sha256_final(Sha256 *s, uint8_t out[32]);
void sha256_hex(const uint8_t digest[32], char out[65]);

/* Looks `key` up in the loaded bundles (bundle.h), then on disk. True on a valid entry (out filled; the caller frees data and kernel_name). */
bool cache_load(const uint8_t key[32], CompileResult *out);
/* Publishes an entry; failures only count in the statistics (the compile result stands). */
void cache_store(const uint8_t key[32], const CompileResult *r);

/* One entry in memory, in the format above (bundles carry entries verbatim: bundle.h).
 * decode checks it whole (with `key`, when not NULL) and copies it out (NUL-terminated data,
 * the caller frees data and kernel_name), or says why not; encode returns a malloc'd entry. */
bool cache_entry_decode(const void *buf, size_t n, const uint8_t key[32], CompileResult *out, const char **why);
char *cache_entry_encode(const uint8_t key[32], const CompileResult *r, size_t *len);
/* The key an entry's header names (not checked). */
bool cache_entry_key(const void *buf, size_t n, uint8_t key[32]);

#endif
