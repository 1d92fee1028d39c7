/*
 * test_bundle.c — the bundle format (runtime/bundle.h) on made-up entries: round trip,
 * determinism whatever the input order, lookup through liger_bundle_load, and refusal of
 * damage anywhere — with the file's checksum recomputed after the damage, so that each
 * inner check (entry sum, index order and ranges, kind, cache-entry key) is what catches it.
 */
#include "bundle.h"
#include "check.h"

#include <string.h>
#include <unistd.h>

enum { HDR = 128, IDX = 128 };

static void make_item(BundleItem *it, int i, BundleKind kind, const char *target) {
  memset(it, 0, sizeof *it);
  Sha256 s;
  sha256_init(&s);
  sha256_update(&s, &i, sizeof i);
  sha256_final(&s, it->key);
  char payload[64], name[32];
  snprintf(payload, sizeof payload, "payload of variant %d", i);
  snprintf(name, sizeof name, "kernel_%d", i);
  CompileResult r = {.data = payload, .len = strlen(payload), .kernel_name = name, .meta = {4, 128 * (i + 1), 64}};
  it->blob = cache_entry_encode(it->key, &r, &it->len);
  it->kind = kind;
  snprintf(it->target, sizeof it->target, "%s", target);
}

/* Rewrites the trailing file checksum after a deliberate change. */
static void reseal(char *b, size_t n) {
  Sha256 s;
  sha256_init(&s);
  sha256_update(&s, b, n - 32);
  sha256_final(&s, (uint8_t *)b + n - 32);
}

/* Parses a damaged copy; wants a refusal whose message holds `want`. */
static void refused(const char *what, const char *orig, size_t n, size_t cut, void (*damage)(char *, size_t), bool seal,
                    const char *want) {
  char *copy = malloc(n);
  memcpy(copy, orig, n);
  damage(copy, n);
  if (seal) reseal(copy, n);
  Bundle *b = NULL;
  liger_status st = bundle_parse(copy, n - cut, "test.lgb", &b);
  CHECK(st != LIGER_OK && strstr(liger_last_error(), want), "%s: refused with '%s' (%s)", what, want,
        st == LIGER_OK ? "loaded!" : liger_last_error());
  bundle_free(b);
}

static void flip_blob(char *b, size_t n) { (void)n, b[HDR + 3 * IDX + 150] ^= 1; }
static void flip_kind(char *b, size_t n) { (void)n, b[HDR + IDX + 80] = 9; }
static void swap_entries(char *b, size_t n) {
  (void)n;
  char t[IDX];
  memcpy(t, b + HDR, IDX);
  memcpy(b + HDR, b + HDR + IDX, IDX);
  memcpy(b + HDR + IDX, t, IDX);
}
static void far_offset(char *b, size_t n) { (void)n, b[HDR + 2 * IDX + 64 + 5] = 0x7f; }
static void bad_magic(char *b, size_t n) { (void)n, b[0] = 'X'; }
static void bad_version(char *b, size_t n) { (void)n, b[8] = 2; }
static void flip_middle(char *b, size_t n) { b[n / 2] ^= 0x40; }
static void nothing(char *b, size_t n) { (void)b, (void)n; }

int main(void) {
  BundleItem items[3], again[3];
  make_item(&items[0], 0, BK_CUBIN, "sm_90");
  make_item(&items[1], 1, BK_HSACO, "gfx942");
  make_item(&items[2], 2, BK_SO, "cpu");
  const char db[] = "liger-tunedb\t1\n";
  char *buf, *buf2;
  size_t n, n2;
  memcpy(again, items, sizeof items);
  CHECK(bundle_build(items, 3, db, sizeof db - 1, "x86_64-pc-linux-gnu\nznver3\n+avx2\n", &buf, &n) == LIGER_OK,
        "bundle_build: 3 entries, a tuning DB and a host descriptor (%zu bytes)", n);
  BundleItem swapped[3] = {again[2], again[0], again[1]};
  CHECK(bundle_build(swapped, 3, db, sizeof db - 1, "x86_64-pc-linux-gnu\nznver3\n+avx2\n", &buf2, &n2) == LIGER_OK &&
            n == n2 && !memcmp(buf, buf2, n),
        "the same entries in another order give the same bytes");
  free(buf2);
  BundleItem dup[2] = {again[0], again[0]};
  CHECK(bundle_build(dup, 2, NULL, 0, NULL, &buf2, &n2) != LIGER_OK && strstr(liger_last_error(), "twice"),
        "a key given twice is refused: %s", liger_last_error());

  char *copy = malloc(n);
  memcpy(copy, buf, n);
  Bundle *b;
  CHECK(bundle_parse(copy, n, "ok.lgb", &b) == LIGER_OK, "the bundle parses back");
  if (b) {
    size_t dblen;
    const char *text = bundle_tunedb(b, &dblen);
    CHECK(bundle_count(b) == 3 && text && dblen == sizeof db - 1 && !memcmp(text, db, dblen),
          "3 entries and the tuning DB come back");
    const uint8_t *key;
    BundleKind kind;
    const char *target, *blob;
    size_t len;
    bundle_entry(b, 0, &key, &kind, &target, &blob, &len);
    CHECK(memcmp(key, items[0].key, 32) <= 0 && !strcmp(bundle_build_id(b), bundle_own_build_id()),
          "sorted by key, this build's id");
    bundle_free(b);
  }

  refused("a flipped byte in a blob", buf, n, 0, flip_blob, true, "checksum mismatch");
  refused("an unknown kind in the index", buf, n, 0, flip_kind, true, "unknown kind");
  refused("two index entries swapped", buf, n, 0, swap_entries, true, "not sorted");
  refused("an offset past the end", buf, n, 0, far_offset, true, "outside the file");
  refused("another magic", buf, n, 0, bad_magic, true, "no LIGERBDL");
  refused("another format version", buf, n, 0, bad_version, true, "format version");
  refused("a flipped byte, file sum not fixed", buf, n, 0, flip_middle, false, "file checksum");
  refused("truncated by one byte", buf, n, 1, nothing, false, "truncated");
  refused("truncated to 100 bytes", buf, n, n - 100, nothing, false, "truncated");

  /* through the process-wide list */
  char path[] = "/tmp/test_bundle_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0 && write(fd, buf, n) == (ssize_t)n, "wrote %s", path);
  close(fd);
  CHECK(liger_bundle_load(path) == LIGER_OK, "liger_bundle_load: %s", liger_last_error());
  CompileResult r;
  CHECK(bundle_lookup(items[1].key, &r) && !strcmp(r.kernel_name, "kernel_1") && r.meta.threads == 256 &&
            !strcmp(r.data, "payload of variant 1"),
        "bundle_lookup finds variant 1 with its name, threads and bytes");
  free(r.data);
  free(r.kernel_name);
  uint8_t other[32] = {1, 2, 3};
  CHECK(!bundle_lookup(other, &r) && !strncmp(bundle_last_miss(), "010203", 6), "a miss is remembered: %.16s…",
        bundle_last_miss());
  size_t dblen;
  CHECK(bundle_loaded_tunedb(&dblen) && dblen == sizeof db - 1, "the loaded tuning DB is reachable");
  CHECK(liger_bundle_load("/nonexistent.lgb") == LIGER_ERR_IO, "a missing file: %s", liger_last_error());
  unlink(path);
  for (int i = 0; i < 3; i++) free((char *)items[i].blob);
  free(buf);
  return check_summary();
}
