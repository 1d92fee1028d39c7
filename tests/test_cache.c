/*
 * test_cache.c — the on-disk binary cache (runtime/cache.c) through the public API, on the
 * CPU target: a miss then a hit across fresh kernel objects, a truncated entry, a flipped
 * byte, a foreign file in place of an entry, a world-writable directory, an unusable path,
 * and two processes compiling the same kernel at once. In every case the results must stay
 * right and nothing damaged may be loaded.
 *
 * Usage: test_cache [REPO_ROOT]. Exit 0 = pass.
 */
#include "liger/liger.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char kernel_path[4096];
static char cache_dir[4096];

#include "check.h"

/* Loads add_kernel afresh (a new kernel object has no in-memory variants) and checks z = x + y. */
static bool run_add(liger_context *ctx) {
  enum { N = 3000 };
  static float x[N], y[N], z[N];
  for (int i = 0; i < N; i++) {
    x[i] = (float)i;
    y[i] = 0.5f * (float)i;
  }
  liger_constexpr c = {"BLOCK", "256"};
  liger_kernel *k;
  void *dx, *dy, *dz;
  if (liger_kernel_load(ctx, kernel_path, "add_kernel", &c, 1, 0, &k) != LIGER_OK) {
    printf("load: %s\n", liger_last_error());
    return false;
  }
  liger_malloc(ctx, sizeof x, &dx);
  liger_malloc(ctx, sizeof y, &dy);
  liger_malloc(ctx, sizeof z, &dz);
  liger_memcpy_htod(ctx, dx, x, sizeof x);
  liger_memcpy_htod(ctx, dy, y, sizeof y);
  liger_arg a[4] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dz, LIGER_F32), liger_arg_int(N)};
  uint32_t grid[3] = {(N + 255) / 256, 1, 1};
  bool ok = liger_launch(k, grid, NULL, a, 4) == LIGER_OK;
  if (!ok) printf("launch: %s\n", liger_last_error());
  liger_memcpy_dtoh(ctx, z, dz, sizeof z);
  for (int i = 0; i < N && ok; i++) ok = z[i] == x[i] + y[i];
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_free(ctx, dz);
  liger_kernel_release(k);
  return ok;
}

/* Writes `text` to `path`; true on success. */
static bool write_text(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  if (!fp) return false;
  bool ok = fputs(text, fp) >= 0;
  return fclose(fp) == 0 && ok;
}

/* Runs scale_kernel of `path` (y = helper's scale(x)) and checks y == factor * x. */
static bool run_scale(liger_context *ctx, const char *path, float factor) {
  enum { N = 64 };
  float x[N], y[N];
  for (int i = 0; i < N; i++) x[i] = (float)i;
  liger_constexpr c = {"BLOCK", "64"};
  liger_kernel *k;
  if (liger_kernel_load(ctx, path, "scale_kernel", &c, 1, 0, &k) != LIGER_OK) {
    printf("load: %s\n", liger_last_error());
    return false;
  }
  void *dx = NULL, *dy = NULL;
  liger_malloc(ctx, sizeof x, &dx);
  liger_malloc(ctx, sizeof y, &dy);
  liger_memcpy_htod(ctx, dx, x, sizeof x);
  liger_arg a[2] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32)};
  uint32_t grid[3] = {1, 1, 1};
  bool ok = liger_launch(k, grid, NULL, a, 2) == LIGER_OK && liger_memcpy_dtoh(ctx, y, dy, sizeof y) == LIGER_OK;
  for (int i = 0; i < N && ok; i++) ok = y[i] == factor * x[i];
  liger_free(ctx, dx);
  liger_free(ctx, dy);
  liger_kernel_release(k);
  return ok;
}

static liger_cache_info info(void) {
  liger_cache_info i;
  liger_cache_query(&i);
  return i;
}

/* The one entry file in the cache directory (the test uses one kernel variant). */
static bool entry_file(char *out, size_t n) {
  DIR *d = opendir(cache_dir);
  bool found = false;
  for (struct dirent *e; d && !found && (e = readdir(d));) {
    if (strlen(e->d_name) != 2) continue;
    char sub[4400];
    if ((size_t)snprintf(sub, sizeof sub, "%s/%s", cache_dir, e->d_name) >= sizeof sub) continue;
    DIR *s = opendir(sub);
    for (struct dirent *f; s && (f = readdir(s));)
      if (strstr(f->d_name, ".bin") && !strstr(f->d_name, ".tmp")) {
        found = (size_t)snprintf(out, n, "%s/%s", sub, f->d_name) < n;
        break;
      }
    if (s) closedir(s);
  }
  if (d) closedir(d);
  return found;
}

static long file_size(const char *p) {
  struct stat st;
  return stat(p, &st) ? -1 : (long)st.st_size;
}

int main(int argc, char **argv) {
  const char *root = check_source_dir(argc, argv);
  snprintf(kernel_path, sizeof kernel_path, "%s/kernels/examples/add.py", root);
  char tmpl[] = "/tmp/liger-cache-test-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  snprintf(cache_dir, sizeof cache_dir, "%s/cache", tmpl);
  setenv("LIGER_CACHE_DIR", cache_dir, 1);
  unsetenv("LIGER_CACHE");
  liger_context *ctx;
  if (liger_context_create("cpu", &ctx) != LIGER_OK) return 1;

  liger_cache_info a = info();
  CHECK(a.enabled, "cache enabled in a fresh private directory (%s)", a.reason);
  CHECK(run_add(ctx), "first run (compiles) is correct");
  liger_cache_info b = info();
  CHECK(b.misses == a.misses + 1 && b.stores == a.stores + 1 && b.entries == 1, "a miss, then one entry stored (%llu entries)",
        (unsigned long long)b.entries);
  struct stat st;
  char entry[4400];
  CHECK(entry_file(entry, sizeof entry) && !stat(entry, &st) && (st.st_mode & 077) == 0, "the entry is private (mode %o)",
        (unsigned)(st.st_mode & 0777));
  CHECK(!stat(cache_dir, &st) && (st.st_mode & 077) == 0, "the directory was created private (mode %o)", (unsigned)(st.st_mode & 0777));

  CHECK(run_add(ctx), "second run (from the cache) is correct");
  liger_cache_info c = info();
  CHECK(c.hits == b.hits + 1 && c.stores == b.stores, "a fresh kernel object hits the cache (hits %llu)", (unsigned long long)c.hits);

  /* a truncated entry */
  long size = file_size(entry);
  if (truncate(entry, size / 2)) perror("truncate");
  CHECK(run_add(ctx), "with a truncated entry the result is still correct");
  liger_cache_info d = info();
  CHECK(d.rejected == c.rejected + 1 && d.stores == c.stores + 1 && file_size(entry) == size,
        "the truncated entry was rejected and rebuilt (size %ld again)", file_size(entry));

  /* a flipped byte in the payload */
  FILE *fp = fopen(entry, "r+b");
  if (fp) {
    fseek(fp, size - 10, SEEK_SET);
    int ch = fgetc(fp);
    fseek(fp, size - 10, SEEK_SET);
    fputc(ch ^ 0x40, fp);
    fclose(fp);
  }
  CHECK(run_add(ctx), "with a flipped byte the result is still correct");
  liger_cache_info e = info();
  CHECK(e.rejected == d.rejected + 1 && e.hits == d.hits, "the damaged entry was rejected, not loaded");
  CHECK(run_add(ctx) && info().hits == e.hits + 1, "the rebuilt entry then hits");

  /* a foreign file where an entry should be */
  fp = fopen(entry, "wb");
  if (fp) {
    fputs("#!/bin/sh\necho not a kernel\n", fp);
    fclose(fp);
  }
  liger_cache_info f0 = info();
  CHECK(run_add(ctx) && info().rejected == f0.rejected + 1, "a foreign file in place of an entry is rejected");

  /* a world-writable directory turns the cache off */
  chmod(cache_dir, 0777);
  liger_cache_info g0 = info();
  CHECK(!g0.enabled && strstr(g0.reason, "writable"), "a world-writable cache directory is refused: %s", g0.reason);
  CHECK(run_add(ctx) && info().hits == g0.hits && info().stores == g0.stores, "...and kernels still run, without the cache");
  chmod(cache_dir, 0700);

  /* a path that cannot be a directory */
  char bad[4400], file[256];
  snprintf(file, sizeof file, "%s/plainfile", tmpl);
  fp = fopen(file, "w");
  if (fp) fclose(fp);
  snprintf(bad, sizeof bad, "%s/sub", file); /* below a regular file: cannot be a directory */
  setenv("LIGER_CACHE_DIR", bad, 1);
  liger_cache_info h0 = info();
  CHECK(!h0.enabled, "an unusable cache path turns the cache off: %s", h0.reason);
  CHECK(run_add(ctx), "...and kernels still run");
  setenv("LIGER_CACHE_DIR", cache_dir, 1);

  /* LIGER_CACHE=off */
  setenv("LIGER_CACHE", "off", 1);
  CHECK(!info().enabled, "LIGER_CACHE=off disables the cache");
  unsetenv("LIGER_CACHE");

  /* the key covers the source closure: editing an imported helper file recompiles */
  char hpath[4400], kpath[4400];
  snprintf(hpath, sizeof hpath, "%s/scale_helpers.py", tmpl);
  snprintf(kpath, sizeof kpath, "%s/scale.py", tmpl);
  static const char kernel_src[] =
      "import triton\nimport triton.language as tl\nfrom scale_helpers import scale\n\n\n"
      "@triton.jit\ndef scale_kernel(x_ptr, y_ptr, BLOCK: tl.constexpr):\n"
      "    offs = tl.arange(0, BLOCK)\n    tl.store(y_ptr + offs, scale(tl.load(x_ptr + offs)))\n";
  static const char helper_src[] =
      "import triton\nimport triton.language as tl\n\nK = tl.constexpr(%d)\n\n\n"
      "@triton.jit\ndef scale(x):\n    return x * K\n";
  char htext[512];
  snprintf(htext, sizeof htext, helper_src, 2);
  bool wrote = write_text(kpath, kernel_src) && write_text(hpath, htext);
  liger_cache_info i0 = info();
  CHECK(wrote && run_scale(ctx, kpath, 2) && run_scale(ctx, kpath, 2) && info().hits == i0.hits + 1,
        "a kernel with an imported helper compiles, then hits the cache");
  snprintf(htext, sizeof htext, helper_src, 3);
  liger_cache_info i1 = info();
  CHECK(write_text(hpath, htext) && run_scale(ctx, kpath, 3) && info().misses == i1.misses + 1 && info().hits == i1.hits,
        "after the helper file changes, the kernel is recompiled (not loaded stale from the cache)");

  /* two processes compiling the same (new) variant at once, into an empty directory */
  char two[256];
  snprintf(two, sizeof two, "%s/two", tmpl);
  setenv("LIGER_CACHE_DIR", two, 1);
  liger_context_destroy(ctx);
  pid_t kids[2];
  for (int i = 0; i < 2; i++) {
    kids[i] = fork();
    if (kids[i] == 0) {
      liger_context *c2;
      if (liger_context_create("cpu", &c2) != LIGER_OK) _exit(2);
      bool ok = run_add(c2) && run_add(c2);
      liger_context_destroy(c2);
      _exit(ok ? 0 : 1);
    }
  }
  int good = 0;
  for (int i = 0; i < 2; i++) {
    int status;
    waitpid(kids[i], &status, 0);
    good += WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  CHECK(good == 2, "two processes compiling the same kernel at once both get correct results");
  memcpy(cache_dir, two, strlen(two) + 1);
  liger_cache_info t = info();
  CHECK(t.entries == 1 && entry_file(entry, sizeof entry), "...and leave exactly one entry (%llu)", (unsigned long long)t.entries);
  if (liger_context_create("cpu", &ctx) == LIGER_OK) {
    liger_cache_info t0 = info();
    CHECK(run_add(ctx) && info().hits == t0.hits + 1 && info().rejected == t0.rejected, "...which is valid and hits");
    liger_context_destroy(ctx);
  }

  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
  if (system(cmd)) printf("note: could not remove %s\n", tmpl);
  if (failures) {
    printf("%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
