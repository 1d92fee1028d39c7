/*
 * ligerc — the offline compiler: one Triton-syntax kernel → tile IR, LLVM IR, PTX, cubin,
 * AMDGCN, a host object or an hsaco, for any target, with no GPU needed.
 *
 *   ligerc kernels/examples/add.py --target=sm_90 --emit=ptx -D BLOCK=1024 -o add.ptx
 *   ligerc --emit=bundle --from-cache DIR [--targets sm_90,gfx942,cpu] -o suite.lgb
 *   ligerc add.py --emit=bundle --target sm_90,cpu -D BLOCK=1024 --signature "*fp32:16,..." -o add.lgb
 *   ligerc --bundle-info suite.lgb
 *
 * Bundles (runtime/bundle.h, docs/bundle.md) are made from a binary-cache directory, so
 * ligerc links the library's internals (liger_core) rather than only the public API. A
 * bundle of one kernel is made the same way: its variants are built on offline contexts
 * (liger.h, "offline:TARGET"), as the JIT would build them at launch, into a temporary
 * cache directory that is then packed.
 */
#include "liger/liger.h"
#include "bundle.h"
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(FILE *out) {
  fprintf(out,
          "usage: ligerc FILE.py [options]\n"
          "  --target=T        %s (default cpu)\n"
          "  --emit=K          tir|layout|llvm|ptx|cubin|asm|obj|hsaco (default: the target's binary),\n"
          "                    or bundle (with --from-cache, or of FILE.py's variants: --target may\n"
          "                    then list several targets and --signature be repeated)\n"
          "  -O0 .. -O3        LLVM optimisation pipeline level (default -O3, what the JIT uses)\n"
          "  -D NAME=VALUE     value of a tl.constexpr parameter (a Python literal)\n"
          "  --kernel NAME     the @triton.jit function to compile (default: the last one)\n"
          "  --signature SIG   runtime argument types, e.g. \"*fp32:16, i32, fp32\"\n"
          "  --num-warps N     warps per program (default: the first @triton.autotune config's, else 4)\n"
          "  -o FILE           output file ('-' for stdout; default stdout for text)\n"
          "  --list-targets    print the targets and exit\n"
          "  --from-cache DIR  --emit=bundle: pack the binary-cache directory DIR (and DIR/tune.db)\n"
          "  --targets LIST    --emit=bundle: only these targets, comma separated (default: all)\n"
          "  --tunedb FILE     --emit=bundle: the tuning database to include (default DIR/tune.db)\n"
          "  --bundle-info F   check bundle F and list what it holds\n"
          "  --cache-info      print where the binary cache is, whether it is on, and its size\n"
          "  --version\n",
          liger_targets());
}

static const struct { const char *name; liger_emit e; } emits[] = {
    {"tir", LIGER_EMIT_TIR}, {"layout", LIGER_EMIT_LAYOUT}, {"llvm", LIGER_EMIT_LLVM}, {"ptx", LIGER_EMIT_PTX},
    {"cubin", LIGER_EMIT_CUBIN}, {"asm", LIGER_EMIT_ASM}, {"obj", LIGER_EMIT_OBJ}, {"hsaco", LIGER_EMIT_HSACO},
};

/* ---- bundles ----------------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  struct stat st;
  char *buf = NULL;
  if (!fstat(fileno(fp), &st) && S_ISREG(st.st_mode) && (buf = malloc((size_t)st.st_size + 1)) &&
      fread(buf, 1, (size_t)st.st_size, fp) == (size_t)st.st_size) {
    buf[st.st_size] = 0;
    *len = (size_t)st.st_size;
  } else {
    free(buf);
    buf = NULL;
  }
  fclose(fp);
  return buf;
}

/* What a cache entry's payload is, and for which target, from the bytes themselves (the
 * entry does not record it; the key, a hash, cannot say). A cubin's ELF flags give the SM
 * number but not the "a" suffix, so sm_90a cubins read as sm_90. */
static bool classify(const CompileResult *r, BundleKind *kind, char target[16]) {
  const unsigned char *e = (const unsigned char *)r->data;
  if (r->len > 64 && !memcmp(e, "\177ELF", 4) && e[4] == 2) {
    unsigned type = e[16] | e[17] << 8, machine = e[18] | e[19] << 8;
    uint32_t flags = (uint32_t)e[48] | (uint32_t)e[49] << 8 | (uint32_t)e[50] << 16 | (uint32_t)e[51] << 24;
    if (machine == 190) { /* EM_CUDA */
      *kind = BK_CUBIN;
      snprintf(target, 16, "sm_%u", (flags >> 8) & 0xff);
      return true;
    }
    if (machine == 224) { /* EM_AMDGPU: EF_AMDGPU_MACH */
      static const struct { unsigned mach; const char *name; } gfx[] = {{0x3f, "gfx90a"}, {0x4c, "gfx942"}, {0x41, "gfx1100"}};
      *kind = BK_HSACO;
      snprintf(target, 16, "gfx?");
      for (size_t i = 0; i < sizeof gfx / sizeof gfx[0]; i++)
        if ((flags & 0xff) == gfx[i].mach) snprintf(target, 16, "%s", gfx[i].name);
      return true;
    }
    *kind = type == 3 ? BK_SO : BK_OBJ;
    snprintf(target, 16, "cpu");
    return true;
  }
  const char *t = strstr(r->data, "\n.target ");
  if (t && strstr(r->data, ".version")) {
    *kind = BK_PTX;
    snprintf(target, 16, "%.*s", (int)strcspn(t + 9, " ,\n"), t + 9);
    return true;
  }
  return false;
}

static bool wanted(const char *target, const char *list) {
  if (!list) return true;
  size_t n = strlen(target);
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && !strncmp(p, target, n)) return true;
    p += len + (p[len] == ',');
  }
  return false;
}

/* A host object becomes a shared object, so that a runtime-only library (no LLVM, no JIT
 * linker) can dlopen it: linked by the system's C compiler driver ($CC, else cc). */
static bool link_shared(const CompileResult *r, const char *tmpdir, char **out, size_t *out_len) {
  char obj[4200], so[4200];
  snprintf(obj, sizeof obj, "%s/k.o", tmpdir);
  snprintf(so, sizeof so, "%s/k.so", tmpdir);
  FILE *fp = fopen(obj, "wb");
  if (!fp || fwrite(r->data, 1, r->len, fp) != r->len) {
    if (fp) fclose(fp);
    return false;
  }
  fclose(fp);
  const char *cc = getenv("CC");
  if (!cc || !*cc) cc = "cc";
  pid_t pid = fork();
  if (pid == 0) {
    execlp(cc, cc, "-shared", "-o", so, obj, "-lm", (char *)NULL);
    _exit(127);
  }
  int status = 0;
  bool ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  *out = ok ? read_all(so, out_len) : NULL;
  unlink(obj);
  unlink(so);
  if (!ok) fprintf(stderr, "ligerc: '%s -shared' could not link a CPU variant (set CC to a C compiler driver)\n", cc);
  return *out != NULL;
}

static int make_bundle(const char *dir, const char *targets, const char *tunedb_path, const char *out_path) {
  if (!out_path || !strcmp(out_path, "-")) {
    fprintf(stderr, "ligerc: --emit=bundle needs -o FILE\n");
    return 2;
  }
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "ligerc: cannot open the cache directory '%s': %s\n", dir, strerror(errno));
    return 1;
  }
  char tmpdir[] = "/tmp/ligerc-bundle-XXXXXX";
  if (!mkdtemp(tmpdir)) {
    closedir(d);
    fprintf(stderr, "ligerc: cannot create a temporary directory\n");
    return 1;
  }
  BundleItem *items = NULL;
  int n = 0, cap = 0, skipped = 0, bad = 0;
  bool has_cpu = false;
  for (struct dirent *e; (e = readdir(d));) {
    if (strlen(e->d_name) != 2 || e->d_name[0] == '.') continue;
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
    DIR *s = opendir(sub);
    for (struct dirent *f; s && (f = readdir(s));) {
      size_t nl = strlen(f->d_name);
      if (nl != 68 || strcmp(f->d_name + 64, ".bin")) continue;
      char path[4500];
      snprintf(path, sizeof path, "%s/%s", sub, f->d_name);
      size_t len;
      char *buf = read_all(path, &len);
      uint8_t key[32];
      CompileResult r;
      const char *why = "unreadable";
      BundleItem it = {0};
      if (!buf || !cache_entry_key(buf, len, key) || !cache_entry_decode(buf, len, key, &r, &why)) {
        fprintf(stderr, "ligerc: skipping %s: %s\n", path, why ? why : "not a cache entry");
        free(buf);
        bad++;
        continue;
      }
      char hex[65];
      sha256_hex(key, hex);
      if (strncmp(hex, f->d_name, 64) || !classify(&r, &it.kind, it.target)) {
        fprintf(stderr, "ligerc: skipping %s: %s\n", path, strncmp(hex, f->d_name, 64) ? "named for another key" : "unknown payload");
        bad++;
      } else if (!wanted(it.target, targets)) {
        skipped++;
      } else {
        memcpy(it.key, key, 32);
        it.blob = buf, it.len = len, buf = NULL;
        if (it.kind == BK_OBJ) { /* re-encoded with a shared object as the payload */
          CompileResult so = r;
          if (!link_shared(&r, tmpdir, &so.data, &so.len)) {
            free((char *)it.blob);
            it.blob = NULL;
            bad++;
          } else {
            free((char *)it.blob);
            it.blob = cache_entry_encode(key, &so, &it.len);
            it.kind = BK_SO;
            free(so.data);
          }
        }
        has_cpu |= it.kind == BK_SO;
        if (it.blob) {
          if (n == cap) items = realloc(items, sizeof *items * (size_t)(cap = cap ? 2 * cap : 64));
          items[n++] = it;
        }
      }
      free(buf);
      free(r.data);
      free(r.kernel_name);
    }
    if (s) closedir(s);
  }
  closedir(d);
  rmdir(tmpdir);
  /* the tuning database travels as text; an explicit --tunedb must exist */
  char dbpath[4200];
  if (!tunedb_path) snprintf(dbpath, sizeof dbpath, "%s/tune.db", dir);
  size_t dblen = 0;
  char *db = read_all(tunedb_path ? tunedb_path : dbpath, &dblen);
  int rc = 0;
  if (tunedb_path && !db) {
    fprintf(stderr, "ligerc: cannot read the tuning database '%s'\n", tunedb_path);
    rc = 1;
  }
  char host[4096] = "";
  if (has_cpu) {
    const Target *t = cg_target("cpu");
    snprintf(host, sizeof host, "%s\n%s\n%s\n", t->triple, t->cpu, t->features);
  }
  char *out = NULL;
  size_t out_len = 0;
  if (!rc && bundle_build(items, n, db, dblen, has_cpu ? host : NULL, &out, &out_len) != LIGER_OK) {
    fprintf(stderr, "ligerc: %s\n", liger_last_error());
    rc = 1;
  }
  if (!rc) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", out_path, (int)getpid());
    FILE *fp = fopen(tmp, "wb");
    bool ok = fp && fwrite(out, 1, out_len, fp) == out_len;
    if (fp) ok &= fclose(fp) == 0;
    if (!ok || rename(tmp, out_path)) {
      unlink(tmp);
      fprintf(stderr, "ligerc: cannot write '%s'\n", out_path);
      rc = 1;
    } else {
      fprintf(stderr, "ligerc: %s: %d variants%s (%zu bytes)", out_path, n, db ? " and a tuning database" : "", out_len);
      if (skipped) fprintf(stderr, ", %d of other targets left out", skipped);
      if (bad) fprintf(stderr, ", %d unusable entries skipped", bad);
      fputc('\n', stderr);
    }
  }
  for (int i = 0; i < n; i++) free((char *)items[i].blob);
  free(items);
  free(db);
  free(out);
  return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

/* ligerc FILE.py --emit=bundle: for each target of the comma-separated list, the kernel is
 * loaded on an "offline:TARGET" context and compiled for each signature with arguments that
 * select that specialisation (rt_signature_args); the runtime stores each variant in the
 * binary cache under the key a launch computes, here a temporary directory, which is then
 * packed as --from-cache would. */
static int bundle_from_source(const liger_compile_options *o, const char *targets, const char **sigs, int nsigs,
                              const char *tunedb, const char *out_path) {
  if (!out_path || !strcmp(out_path, "-")) {
    fprintf(stderr, "ligerc: --emit=bundle needs -o FILE\n");
    return 2;
  }
  if (!nsigs) {
    fprintf(stderr, "ligerc: --emit=bundle of %s needs --signature (the runtime's keys depend on the argument types; "
                    "repeat it for several specialisations)\n", o->path);
    return 2;
  }
  if (o->opt_level) {
    fprintf(stderr, "ligerc: -O does not apply to bundles: the JIT always compiles at -O3, and so do bundles\n");
    return 2;
  }
  char dir[] = "/tmp/ligerc-cache-XXXXXX";
  if (!mkdtemp(dir)) {
    fprintf(stderr, "ligerc: cannot create a temporary directory\n");
    return 1;
  }
  setenv("LIGER_CACHE", "on", 1);
  setenv("LIGER_CACHE_DIR", dir, 1);
  int rc = 0, built = 0;
  for (const char *p = targets; *p && !rc;) {
    size_t len = strcspn(p, ",");
    char target[40], device[64];
    snprintf(target, sizeof target, "%.*s", (int)(len < 39 ? len : 39), p);
    p += len + (p[len] == ',');
    if (!*target) continue;
    snprintf(device, sizeof device, "offline:%s", target);
    liger_context *ctx = NULL;
    liger_kernel *k = NULL;
    void *base = NULL;
    liger_status st = liger_context_create(device, &ctx);
    if (st == LIGER_OK) st = liger_kernel_load(ctx, o->path, o->kernel, o->consts, o->nconsts, o->num_warps, &k);
    if (st == LIGER_OK) st = liger_malloc(ctx, 4096, &base);
    for (int i = 0; i < nsigs && st == LIGER_OK; i++) {
      liger_arg args[64];
      int bad, n = rt_signature_args(sigs[i], base, args, 64, &bad);
      if (n < 0 && bad < 0) {
        fprintf(stderr, "ligerc: bad signature '%s' (expected e.g. \"*fp32:16, i32, i64:16, fp32\")\n", sigs[i]);
        rc = 2;
      } else if (n < 0) {
        fprintf(stderr, "ligerc: signature '%s': entry %d is a scalar type the runtime never specialises on (ints are "
                        "i32 or i64 by value, floats fp32, bools i1; i64 cannot be 1)\n", sigs[i], bad + 1);
        rc = 2;
      } else if (n != liger_kernel_num_args(k)) {
        fprintf(stderr, "ligerc: signature '%s' has %d entries; the kernel takes %d runtime arguments\n", sigs[i], n,
                liger_kernel_num_args(k));
        rc = 2;
      } else {
        st = liger_kernel_compile(k, args, n);
        built += st == LIGER_OK;
      }
      if (rc) st = LIGER_ERR_INVALID_ARG;
    }
    if (st != LIGER_OK && !rc) {
      const char *m = liger_last_error();
      fprintf(stderr, "%s%s", m, *m && m[strlen(m) - 1] == '\n' ? "" : "\n");
      rc = st == LIGER_ERR_INVALID_ARG ? 2 : 1;
    }
    if (base) liger_free(ctx, base);
    liger_kernel_release(k);
    liger_context_destroy(ctx);
  }
  if (!rc) {
    fprintf(stderr, "ligerc: %d variants of %s built for %s\n", built, o->path, targets);
    rc = make_bundle(dir, NULL, tunedb, out_path);
  }
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}

static int bundle_info(const char *path) {
  Bundle *b;
  if (bundle_read_file(path, &b) != LIGER_OK) {
    fprintf(stderr, "ligerc: %s\n", liger_last_error());
    return 1;
  }
  size_t dblen, hostlen;
  bundle_tunedb(b, &dblen);
  const char *host = bundle_host(b, &hostlen);
  printf("bundle %s: format %d, %d variants, build id %s%s\n", path, BUNDLE_FORMAT, bundle_count(b), bundle_build_id(b),
         strcmp(bundle_build_id(b), bundle_own_build_id()) ? " (not this build's: its keys cannot match)" : " (this build)");
  printf("tuning database: %zu bytes\n", dblen);
  if (host) printf("host: %.*s\n", (int)strcspn(host, "\n"), host);
  for (int i = 0; i < bundle_count(b); i++) {
    const uint8_t *key;
    BundleKind kind;
    const char *target, *blob;
    size_t len;
    bundle_entry(b, i, &key, &kind, &target, &blob, &len);
    CompileResult r;
    const char *why;
    char hex[65];
    sha256_hex(key, hex);
    if (cache_entry_decode(blob, len, key, &r, &why)) {
      printf("%s  %-8s %-5s %-40s %8zu bytes  threads %d  shared %zu\n", hex, target, bundle_kind_name(kind),
             r.kernel_name, r.len, r.meta.threads, r.meta.shared);
      free(r.data);
      free(r.kernel_name);
    }
  }
  bundle_free(b);
  return 0;
}

static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (!strcmp(argv[*i], name) && *i + 1 < argc) return argv[++*i];
  return NULL;
}

int main(int argc, char **argv) {
  liger_compile_options o = {.target = "cpu", .emit = (liger_emit)-1};
  liger_constexpr consts[64];
  int nconsts = 0;
  const char *out_path = NULL, *v, *from_cache = NULL, *targets = NULL, *tunedb = NULL, *sigs[64];
  int nsigs = 0;
  bool bundle = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("ligerc %s\n", liger_version());
      return 0;
    } else if (!strcmp(a, "--list-targets")) {
      printf("%s\n", liger_targets());
      return 0;
    } else if (!strcmp(a, "--cache-info")) {
      liger_cache_info ci;
      liger_cache_query(&ci);
      printf("cache directory: %s\nstatus: %s%s%s\nentries: %llu (%llu bytes)\n", ci.dir, ci.enabled ? "on" : "off",
             ci.enabled ? "" : " — ", ci.reason, (unsigned long long)ci.entries, (unsigned long long)ci.bytes);
      return 0;
    } else if ((v = opt_value(argc, argv, &i, "--bundle-info"))) {
      return bundle_info(v);
    } else if ((v = opt_value(argc, argv, &i, "--from-cache"))) {
      from_cache = v;
    } else if ((v = opt_value(argc, argv, &i, "--targets"))) {
      targets = v;
    } else if ((v = opt_value(argc, argv, &i, "--tunedb"))) {
      tunedb = v;
    } else if (!strncmp(a, "-O", 2)) {
      if (strlen(a) != 3 || a[2] < '0' || a[2] > '3') {
        fprintf(stderr, "ligerc: unknown optimisation level '%s' (use -O0, -O1, -O2 or -O3)\n", a);
        for (int k = 0; k < nconsts; k++) free((char *)consts[k].name);
        return 2;
      }
      o.opt_level = LIGER_O0 + (a[2] - '0');
    } else if ((v = opt_value(argc, argv, &i, "--target"))) {
      o.target = v;
    } else if ((v = opt_value(argc, argv, &i, "--emit"))) {
      bool ok = bundle = !strcmp(v, "bundle");
      for (size_t k = 0; k < sizeof emits / sizeof emits[0]; k++)
        if (!strcmp(v, emits[k].name)) o.emit = emits[k].e, ok = true;
      if (!ok) {
        fprintf(stderr, "ligerc: unknown --emit kind '%s' (use tir, layout, llvm, ptx, cubin, asm, obj, hsaco or bundle)\n", v);
        return 2;
      }
    } else if ((v = opt_value(argc, argv, &i, "--kernel"))) {
      o.kernel = v;
    } else if ((v = opt_value(argc, argv, &i, "--signature"))) {
      o.signature = v; /* the last one, except for --emit=bundle, which takes them all */
      if (nsigs < 64) sigs[nsigs++] = v;
    } else if ((v = opt_value(argc, argv, &i, "--num-warps"))) {
      o.num_warps = atoi(v);
    } else if (!strncmp(a, "-D", 2)) {
      const char *def = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      const char *eq = def ? strchr(def, '=') : NULL;
      if (!eq || eq == def || nconsts == 64) {
        fprintf(stderr, "ligerc: -D needs NAME=VALUE\n");
        return 2;
      }
      consts[nconsts].name = strndup(def, (size_t)(eq - def));
      consts[nconsts++].value = eq + 1;
    } else if (!strcmp(a, "-o") && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "ligerc: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    } else if (!o.path) {
      o.path = a;
    } else {
      fprintf(stderr, "ligerc: only one input file is accepted ('%s' and '%s' were given)\n", o.path, a);
      return 2;
    }
  }
  if (bundle || from_cache) {
    int rc = 2;
    if (bundle && from_cache && !o.path) rc = make_bundle(from_cache, targets, tunedb, out_path);
    else if (bundle && o.path && !from_cache) {
      o.consts = consts;
      o.nconsts = nconsts;
      rc = bundle_from_source(&o, targets ? targets : o.target, sigs, nsigs, tunedb, out_path);
    } else
      fprintf(stderr, "ligerc: a bundle is packed from a binary-cache directory (ligerc --emit=bundle --from-cache DIR "
                      "-o FILE; fill DIR with liger-tune prewarm, or by running the kernels with LIGER_CACHE_DIR=DIR) or "
                      "built from one kernel (ligerc FILE.py --emit=bundle --target T,... --signature SIG -o FILE)\n");
    for (int k = 0; k < nconsts; k++) free((char *)consts[k].name);
    return rc;
  }
  if (!o.path) {
    usage(stderr);
    return 2;
  }
  if ((int)o.emit < 0) {
    const char *t = o.target;
    o.emit = !strncmp(t, "sm_", 3) ? LIGER_EMIT_CUBIN : !strncmp(t, "gfx", 3) ? LIGER_EMIT_HSACO : LIGER_EMIT_OBJ;
  }
  o.consts = consts;
  o.nconsts = nconsts;
  char *data;
  size_t len;
  liger_status st = liger_compile(&o, &data, &len);
  for (int i = 0; i < nconsts; i++) free((char *)consts[i].name);
  if (st != LIGER_OK) {
    fprintf(stderr, "%s", liger_last_error());
    size_t n = strlen(liger_last_error());
    if (n && liger_last_error()[n - 1] != '\n') fputc('\n', stderr);
    return st == LIGER_ERR_INVALID_ARG ? 2 : 1;
  }
  bool binary = o.emit == LIGER_EMIT_CUBIN || o.emit == LIGER_EMIT_OBJ || o.emit == LIGER_EMIT_HSACO;
  FILE *out = stdout;
  if (out_path && strcmp(out_path, "-")) out = fopen(out_path, "wb");
  else if (binary && !out_path && isatty(1)) {
    fprintf(stderr, "ligerc: refusing to write a binary to the terminal; use -o FILE\n");
    liger_free_host(data);
    return 2;
  }
  if (!out) {
    fprintf(stderr, "ligerc: cannot write '%s'\n", out_path);
    liger_free_host(data);
    return 1;
  }
  bool ok = fwrite(data, 1, len, out) == len;
  if (out != stdout) ok &= fclose(out) == 0;
  liger_free_host(data);
  if (!ok) {
    fprintf(stderr, "ligerc: write error\n");
    return 1;
  }
  return 0;
}
