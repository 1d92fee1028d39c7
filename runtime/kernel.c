/*
 * kernel.c — the JIT: a liger_kernel is a kernel source with its constexprs bound; each
 * distinct argument specialisation (Triton's rules: dtypes of pointers, 16-byte alignment,
 * ints equal to 1 or divisible by 16) is compiled once, loaded on the context's device and
 * kept. Launch packs the arguments the way the compiled signature wants them.
 */
#include "internal.h"
#include "cache.h"
#include "build_id.h"
#include "tuner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ARGS 64

typedef struct Variant {
  ArgSpec specs[MAX_ARGS];
  char *hkey;          /* the heuristics' values, joined (NULL without heuristics) */
  int cfg;             /* the @triton.autotune config built in (-1: none) */
  RtModule *mod;
  KernelMeta meta;
  struct Variant *next;
} Variant;

struct liger_kernel {
  liger_context *ctx;
  SrcFile file;
  char *text;
  KernelInfo info;      /* parsed module (in `arena`), parameters, decorators */
  int nruntime;        /* parameters that are not constexpr */
  char **cnames, **cvalues;
  int nconsts;
  int num_warps;
  bool num_warps_default; /* the caller passed 0 */
  Arena arena;         /* holds `info`; heuristics evaluate over its module at launch */
  pthread_mutex_t lock;
  bool locked_init;
  Variant *variants;
  /* @triton.autotune: the configs' canonical strings, the database's name of the kernel
   * (tune_kernel_key) and the decision per key bucket (autotune/tuner.h) */
  char **cfg_canon;
  char tkey[96];
  TuneMemo memo;
  bool memo_init;
};

/* The text and the file name live in one malloc'd block (`*text`): the caller's strings are
 * copied, as liger.h promises, and freeing the text frees both. */
static char *text_and_name(const char *text, size_t len, const char *name, SrcFile *file) {
  size_t nlen = strlen(name);
  char *buf = malloc(len + 1 + nlen + 1);
  if (!buf) return NULL;
  memcpy(buf, text, len);
  buf[len] = 0;
  memcpy(buf + len + 1, name, nlen + 1);
  *file = (SrcFile){buf + len + 1, buf, len};
  return buf;
}

liger_status rt_source_load(const char *path, const char *source, const char *filename, SrcFile *file, char **text) {
  *text = NULL;
  if (path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return rt_fail(LIGER_ERR_IO, "cannot open kernel file '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && !S_ISREG(sb.st_mode)) {
      fclose(fp);
      return rt_fail(LIGER_ERR_IO, "cannot read kernel file '%s': %s", path,
                     S_ISDIR(sb.st_mode) ? "it is a directory" : "not a regular file");
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, fp) != (size_t)n)) {
      int err = errno;
      free(buf);
      fclose(fp);
      return rt_fail(LIGER_ERR_IO, "cannot read kernel file '%s': %s", path, strerror(err ? err : EIO));
    }
    fclose(fp);
    buf[n] = 0;
    if (strlen(buf) != (size_t)n) {
      free(buf);
      return rt_fail(LIGER_ERR_COMPILE, "%s: the file contains a NUL byte; kernel sources are text", path);
    }
    *text = text_and_name(buf, (size_t)n, path, file);
    free(buf);
    return *text ? LIGER_OK : rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  }
  if (!source) return rt_fail(LIGER_ERR_INVALID_ARG, "neither a kernel path nor source text was given");
  *text = text_and_name(source, strlen(source), filename ? filename : "<source>", file);
  return *text ? LIGER_OK : rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
}

liger_status rt_kernel_read(Arena *arena, const SrcFile *file, const char *name, KernelInfo *out) {
  memset(out, 0, sizeof *out);
  Diag d = {0};
  out->mod = load_module(arena, &d, file, NULL, 0);
  out->nparams = out->mod ? sema_kernel_params(arena, &d, out->mod, &name, &out->params) : -1;
  bool ok = out->nparams >= 0 && sema_kernel_decor(arena, &d, out->mod, name, &out->decor);
  out->name = name;
  liger_status st = ok ? LIGER_OK
                       : rt_fail(d.unsupported ? LIGER_ERR_UNSUPPORTED : LIGER_ERR_COMPILE, "%s", d.text.s ? d.text.s : "parse error");
  sb_free(&d.text);
  return st;
}

static bool has_const(const liger_kernel *k, const char *name) {
  for (int i = 0; i < k->nconsts; i++)
    if (!strcmp(k->cnames[i], name)) return true;
  return false;
}

/* @triton.autotune: each config becomes its canonical string (the database's config
 * field), and the kernel gets its database name from the SHA-256 of its source closure.
 * Which config a launch uses is decided per key bucket (config_for). */
static liger_status autotune_init(liger_kernel *k) {
  int nc = k->info.decor.nconfigs;
  if (!nc) return LIGER_OK;
  Sha256 h;
  sha256_init(&h);
  for (int i = 0; i < k->info.mod->nclosure; i++) {
    const SrcFile *f = k->info.mod->closure[i];
    sha256_update(&h, i ? f->name : "", i ? strlen(f->name) + 1 : 1);
    sha256_update(&h, &f->len, sizeof f->len);
    sha256_update(&h, f->text, f->len);
  }
  uint8_t digest[32];
  sha256_final(&h, digest);
  liger_status st = tune_kernel_key(k->info.name, digest, k->tkey, sizeof k->tkey);
  if (st) return st;
  if (!(k->cfg_canon = calloc((size_t)nc, sizeof(char *)))) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  for (int i = 0; i < nc; i++) {
    const TuneConfig *c = &k->info.decor.configs[i];
    char buf[1024];
    if (tune_config_format(c->names, c->values, c->n, c->num_warps, c->num_stages, buf, sizeof buf) != LIGER_OK)
      return rt_fail(LIGER_ERR_UNSUPPORTED, "%s(): autotune config %d cannot be named in the tuning database: %s",
                     k->info.name, i, liger_last_error());
    if (!(k->cfg_canon[i] = strdup(buf))) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  }
  tune_memo_init(&k->memo);
  k->memo_init = true;
  return LIGER_OK;
}

/* num_warps of a variant: the caller's, else the config's, else 4. */
static int variant_warps(const liger_kernel *k, int cfg) {
  if (cfg >= 0 && k->num_warps_default) {
    int w = k->info.decor.configs[cfg].num_warps;
    if (w > 0 && w <= 32 && !(w & (w - 1))) return w;
  }
  return k->num_warps;
}

/* The constexprs of a variant: the caller's, then those of autotune config `cfg` the caller
 * did not give. names/values have room for nconsts + the config's. */
static int variant_consts(const liger_kernel *k, int cfg, const char **names, const char **values) {
  int n = 0;
  for (int i = 0; i < k->nconsts; i++) names[n] = k->cnames[i], values[n++] = k->cvalues[i];
  if (cfg < 0) return n;
  const TuneConfig *c = &k->info.decor.configs[cfg];
  for (int i = 0; i < c->n; i++)
    if (!has_const(k, c->names[i])) names[n] = c->names[i], values[n++] = c->values[i];
  return n;
}

static int cfg_max_consts(const liger_kernel *k) {
  int m = 0;
  for (int i = 0; i < k->info.decor.nconfigs; i++)
    if (k->info.decor.configs[i].n > m) m = k->info.decor.configs[i].n;
  return m;
}

static liger_status load_common(liger_context *ctx, const char *path, const char *source, const char *filename,
                                const char *name, const liger_constexpr *consts, int nconsts, int num_warps,
                                liger_kernel **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_kernel_load: out is NULL");
  *out = NULL;
  if (!ctx) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_kernel_load: context is NULL");
  if (nconsts < 0 || (nconsts && !consts)) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_kernel_load: bad constexpr list");
  if (num_warps < 0 || num_warps > 32 || (num_warps & (num_warps - 1)))
    return rt_fail(LIGER_ERR_INVALID_ARG, "num_warps must be a power of two from 1 to 32, got %d", num_warps);
  liger_kernel *k = calloc(1, sizeof *k);
  if (!k) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  k->ctx = ctx;
  k->num_warps = num_warps ? num_warps : 4;
  k->num_warps_default = num_warps == 0;
  liger_status st = rt_source_load(path, source, filename, &k->file, &k->text);
  if (st == LIGER_OK) st = rt_kernel_read(&k->arena, &k->file, name, &k->info);
  if (st == LIGER_OK) {
    k->cnames = calloc((size_t)nconsts + 1, sizeof(char *));
    k->cvalues = calloc((size_t)nconsts + 1, sizeof(char *));
    k->nconsts = nconsts;
    for (int i = 0; i < nconsts && st == LIGER_OK; i++) {
      if (!consts[i].name || !consts[i].value) {
        st = rt_fail(LIGER_ERR_INVALID_ARG, "constexpr %d has no name or value", i);
        break;
      }
      bool found = false;
      for (int j = 0; j < k->info.nparams; j++)
        if (!strcmp(k->info.params[j].name, consts[i].name)) found = k->info.params[j].constexpr_;
      if (!found)
        st = rt_fail(LIGER_ERR_INVALID_ARG, "%s() has no tl.constexpr parameter named '%s'", k->info.name, consts[i].name);
      k->cnames[i] = strdup(consts[i].name);
      k->cvalues[i] = strdup(consts[i].value);
    }
    for (int j = 0; j < k->info.nparams; j++) k->nruntime += !k->info.params[j].constexpr_;
  }
  if (st == LIGER_OK) st = autotune_init(k);
  if (st != LIGER_OK) {
    liger_kernel_release(k);
    return st;
  }
  pthread_mutex_init(&k->lock, NULL);
  k->locked_init = true;
  *out = k;
  return LIGER_OK;
}

liger_status liger_kernel_load(liger_context *ctx, const char *path, const char *name, const liger_constexpr *consts,
                               int nconsts, int num_warps, liger_kernel **out) {
  if (!path) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_kernel_load: path is NULL");
  return load_common(ctx, path, NULL, NULL, name, consts, nconsts, num_warps, out);
}

liger_status liger_kernel_load_source(liger_context *ctx, const char *source, const char *filename, const char *name,
                                      const liger_constexpr *consts, int nconsts, int num_warps, liger_kernel **out) {
  if (!source) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_kernel_load_source: source is NULL");
  return load_common(ctx, NULL, source, filename, name, consts, nconsts, num_warps, out);
}

void liger_kernel_release(liger_kernel *k) {
  if (!k) return;
  for (Variant *v = k->variants, *n; v; v = n) {
    n = v->next;
    if (v->mod) k->ctx->be->unload(v->mod);
    free(v->hkey);
    free(v);
  }
  for (int i = 0; i < k->nconsts; i++) {
    free(k->cnames ? k->cnames[i] : NULL);
    free(k->cvalues ? k->cvalues[i] : NULL);
  }
  free(k->cnames);
  free(k->cvalues);
  for (int i = 0; k->cfg_canon && i < k->info.decor.nconfigs; i++) free(k->cfg_canon[i]);
  free(k->cfg_canon);
  if (k->memo_init) tune_memo_free(&k->memo);
  arena_free(&k->arena);
  free(k->text);
  if (k->locked_init) pthread_mutex_destroy(&k->lock);
  free(k);
}

int liger_kernel_num_args(const liger_kernel *k) { return k ? k->nruntime : -1; }

static const DType dt_of[] = {DT_I1, DT_I8, DT_I16, DT_I32, DT_I64, DT_U8, DT_U16, DT_U32, DT_U64, DT_F16, DT_BF16, DT_F32, DT_F64};

static liger_status specialise(const liger_kernel *k, const liger_arg *args, int nargs, ArgSpec *specs) {
  if (nargs != k->nruntime)
    return rt_fail(LIGER_ERR_INVALID_ARG, "%s() takes %d runtime arguments, %d were given", k->info.name, k->nruntime, nargs);
  if (nargs > MAX_ARGS) return rt_fail(LIGER_ERR_UNSUPPORTED, "kernels with more than %d arguments are not supported", MAX_ARGS);
  if (nargs && !args) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_launch: args is NULL");
  for (int i = 0; i < nargs; i++) {
    const liger_arg *a = &args[i];
    ArgSpec s = {.divisibility = 1};
    switch (a->kind) {
    case LIGER_ARG_PTR:
      if ((unsigned)a->dtype >= sizeof dt_of / sizeof dt_of[0]) return rt_fail(LIGER_ERR_INVALID_ARG, "argument %d: bad dtype", i);
      s.dt = DT_PTR;
      s.elem = dt_of[a->dtype];
      if (((uintptr_t)a->v.ptr & 15) == 0) s.divisibility = 16;
      break;
    case LIGER_ARG_INT:
      s.dt = a->v.i >= INT32_MIN && a->v.i <= INT32_MAX ? DT_I32 : DT_I64;
      s.equal_to_one = a->v.i == 1;
      if (a->v.i % 16 == 0) s.divisibility = 16;
      break;
    case LIGER_ARG_FLOAT: s.dt = DT_F32; break;
    case LIGER_ARG_BOOL: s.dt = DT_I1; break;
    default: return rt_fail(LIGER_ERR_INVALID_ARG, "argument %d: unknown kind %d", i, (int)a->kind);
    }
    specs[i] = s;
  }
  return LIGER_OK;
}

static bool same_specs(const ArgSpec *a, const ArgSpec *b, int n) {
  for (int i = 0; i < n; i++)
    if (a[i].dt != b[i].dt || a[i].elem != b[i].elem || a[i].divisibility != b[i].divisibility ||
        a[i].equal_to_one != b[i].equal_to_one)
      return false;
  return true;
}

static void hash_str(Sha256 *h, const char *s) { sha256_update(h, s, strlen(s) + 1); }

/* Everything the binary depends on: compiler build, target, source, kernel, constexprs,
 * argument specialisation, num_warps, and the kind of artifact. */
static void variant_key(const liger_kernel *k, const ArgSpec *specs, const char *hkey, int cfg, liger_emit emit,
                        uint8_t key[32]) {
  const Target *t = k->ctx->target;
  Sha256 h;
  sha256_init(&h);
  hash_str(&h, "liger-jit cache key v1");
  hash_str(&h, LIGER_BUILD_ID);
  hash_str(&h, t->name);
  hash_str(&h, t->cpu);
  hash_str(&h, t->features);
  sha256_update(&h, &emit, sizeof emit);
  /* the source closure: the kernel file and every kernel file it imports */
  for (int i = 0; i < k->info.mod->nclosure; i++) {
    const SrcFile *f = k->info.mod->closure[i];
    hash_str(&h, i ? f->name : "");
    sha256_update(&h, &f->len, sizeof f->len);
    sha256_update(&h, f->text, f->len);
  }
  hash_str(&h, k->info.name);
  const char **cn = calloc((size_t)(k->nconsts + cfg_max_consts(k)) + 1, sizeof(char *));
  const char **cv = calloc((size_t)(k->nconsts + cfg_max_consts(k)) + 1, sizeof(char *));
  int nc = cn && cv ? variant_consts(k, cfg, cn, cv) : 0;
  for (int i = 0; i < nc; i++) {
    hash_str(&h, cn[i]);
    hash_str(&h, cv[i]);
  }
  if (!cn || !cv) hash_str(&h, "(out of memory)"); /* a key no store will match */
  free(cn);
  free(cv);
  hash_str(&h, hkey ? hkey : "");
  /* knobs that change the code produced */
  static const char *const knobs[] = {"LIGER_LLVM_PASSES", "LIGER_LIBDEVICE", "LIGER_OCML", "LIGER_KERNEL_DEBUG",
                                      "LIGER_CPU_UNROLL_MAX"};
  for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++) {
    const char *v = getenv(knobs[i]);
    hash_str(&h, v ? v : "");
  }
  int warps = variant_warps(k, cfg);
  sha256_update(&h, &warps, sizeof warps);
  for (int i = 0; i < k->nruntime; i++) {
    int32_t f[4] = {specs[i].dt, specs[i].elem, (int32_t)specs[i].divisibility, specs[i].equal_to_one};
    sha256_update(&h, f, sizeof f);
  }
  sha256_final(&h, key);
}

static liger_status build_variant(liger_kernel *k, const ArgSpec *specs, char **hvals, const char *hkey, int cfg,
                                  Variant **out) {
  const Target *t = k->ctx->target;
  liger_emit emit = t->kind == TGT_NVPTX ? (k->ctx->info.ptx_only ? LIGER_EMIT_PTX : LIGER_EMIT_CUBIN)
                    : t->kind == TGT_AMDGPU ? LIGER_EMIT_HSACO : LIGER_EMIT_OBJ;
  const liger_emit keyed = emit; /* what the key names; a PTX fallback is not stored under it */
  int nc = k->nconsts + cfg_max_consts(k) + k->info.decor.nheur;
  const char **names = calloc((size_t)nc + 1, sizeof(char *)), **values = calloc((size_t)nc + 1, sizeof(char *));
  if (!names || !values) {
    free(names);
    free(values);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  }
  nc = variant_consts(k, cfg, names, values);
  for (int i = 0; i < k->info.decor.nheur; i++) names[nc] = k->info.decor.heur_names[i], values[nc++] = hvals[i];
  CompileJob job = {.file = &k->file, .closure = k->info.mod->closure, .nclosure = k->info.mod->nclosure,
                    .kernel = k->info.name, .const_names = names, .const_values = values,
                    .nconsts = nc, .args = specs, .nargs = k->nruntime, .num_warps = variant_warps(k, cfg), .target = t};
  CompileResult r;
  uint8_t key[32];
  variant_key(k, specs, hkey, cfg, emit, key);
  liger_status st = LIGER_OK;
  if (!cache_load(key, &r)) {
    st = cg_compile(&job, emit, &r);
    if (st == LIGER_ERR_NO_DEVICE && emit == LIGER_EMIT_CUBIN) {
      emit = LIGER_EMIT_PTX; /* no nvJitLink: the driver JIT-compiles PTX */
      st = cg_compile(&job, emit, &r);
    }
    if (st == LIGER_OK && emit == keyed) cache_store(key, &r);
  }
  free(names);
  free(values);
  if (st != LIGER_OK) return st;
  Variant *v = calloc(1, sizeof *v);
  if (!v) {
    free(r.data);
    free(r.kernel_name);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  }
  memcpy(v->specs, specs, sizeof(ArgSpec) * (size_t)k->nruntime);
  v->hkey = hkey ? strdup(hkey) : NULL;
  v->cfg = cfg;
  v->meta = r.meta;
  st = k->ctx->be->load(k->ctx->dev, r.data, r.len + (emit == LIGER_EMIT_CUBIN ? 0 : 1), r.kernel_name, &v->mod);
  free(r.data);
  free(r.kernel_name);
  if (st != LIGER_OK) {
    free(v);
    return st;
  }
  *out = v;
  return LIGER_OK;
}

/* Evaluates the kernel's heuristics in order over this launch's arguments (each sees the
 * ones before it), into hvals and a joined key. */
static liger_status run_heuristics(liger_kernel *k, const liger_arg *args, int cfg, char **hvals, StrBuf *hkey) {
  int n = k->info.nparams + k->info.decor.nheur;
  const TuneConfig *tc = cfg >= 0 ? &k->info.decor.configs[cfg] : NULL;
  LaunchArg *la = calloc((size_t)n + 1, sizeof(LaunchArg));
  if (!la) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  int m = 0, ai = 0;
  for (int i = 0; i < k->info.nparams; i++) {
    const KernelParam *p = &k->info.params[i];
    if (p->constexpr_) {
      bool given = false;
      for (int c = 0; c < k->nconsts; c++)
        if (!strcmp(k->cnames[c], p->name)) {
          la[m++] = (LaunchArg){.name = p->name, .kind = LA_LITERAL, .text = k->cvalues[c]};
          given = true;
        }
      for (int c = 0; !given && tc && c < tc->n; c++)
        if (!strcmp(tc->names[c], p->name)) la[m++] = (LaunchArg){.name = p->name, .kind = LA_LITERAL, .text = tc->values[c]};
      continue;
    }
    const liger_arg *a = &args[ai++];
    LaunchArg x = {.name = p->name};
    switch (a->kind) {
    case LIGER_ARG_INT: x.kind = LA_INT, x.i = a->v.i; break;
    case LIGER_ARG_FLOAT: x.kind = LA_FLOAT, x.f = a->v.f; break;
    case LIGER_ARG_BOOL: x.kind = LA_BOOL, x.i = a->v.b != 0; break;
    default: x.kind = LA_POINTER; break;
    }
    la[m++] = x;
  }
  liger_status st = LIGER_OK;
  for (int h = 0; h < k->info.decor.nheur && st == LIGER_OK; h++) {
    Arena a = {0};
    Diag d = {0};
    char text[512];
    if (sema_eval_heuristic(&a, &d, k->info.mod, k->info.decor.heur_lambdas[h], la, m, text, sizeof text)) {
      hvals[h] = strdup(text);
      la[m++] = (LaunchArg){.name = k->info.decor.heur_names[h], .kind = LA_LITERAL, .text = hvals[h]};
      sb_printf(hkey, "%s=%s\x1f", k->info.decor.heur_names[h], text);
    } else {
      st = rt_fail(LIGER_ERR_COMPILE, "heuristic '%s' failed:\n%s", k->info.decor.heur_names[h], d.text.s ? d.text.s : "");
    }
    sb_free(&d.text);
    arena_free(&a);
  }
  free(la);
  return st;
}

static liger_status find_variant(liger_kernel *k, const liger_arg *args, int nargs, int cfg, ArgSpec *specs,
                                 Variant **out) {
  if (!k) return rt_fail(LIGER_ERR_INVALID_ARG, "kernel is NULL");
  liger_status st = specialise(k, args, nargs, specs);
  if (st != LIGER_OK) return st;
  char *hvals[32] = {0};
  StrBuf hkey = {0};
  if (k->info.decor.nheur > 32) return rt_fail(LIGER_ERR_UNSUPPORTED, "more than 32 heuristics on one kernel");
  if (k->info.decor.nheur && (st = run_heuristics(k, args, cfg, hvals, &hkey)) != LIGER_OK) {
    for (int i = 0; i < 32; i++) free(hvals[i]);
    sb_free(&hkey);
    return st;
  }
  pthread_mutex_lock(&k->lock);
  Variant *v = k->variants;
  while (v && (v->cfg != cfg || !same_specs(v->specs, specs, k->nruntime) ||
               (hkey.s && (!v->hkey || strcmp(v->hkey, hkey.s)))))
    v = v->next;
  if (!v) {
    st = build_variant(k, specs, hvals, hkey.s, cfg, &v);
    if (st == LIGER_OK) {
      v->next = k->variants;
      k->variants = v;
    }
  }
  pthread_mutex_unlock(&k->lock);
  for (int i = 0; i < 32; i++) free(hvals[i]);
  sb_free(&hkey);
  *out = v;
  return st;
}

/* ---- @triton.autotune: the config of a launch ------------------------------------------ */

static const char *const dt_names[] = {"i1", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "fp16", "bf16", "fp32", "fp64"};

/* The key bucket of a launch (docs/tuning.md): tune_bucket over the values of the
 * arguments named in key=[...]: integers and bools rounded (tune_bucket_round), floats as
 * %g, pointers as their dtype, constexprs the caller bound as their literal. */
static liger_status launch_bucket(const liger_kernel *k, const liger_arg *args, char *out, size_t n) {
  enum { MAXK = 16 };
  TuneKeyVal kv[MAXK];
  char strs[MAXK][32];
  int m = 0;
  for (int q = 0; q < k->info.decor.nkeys && m < MAXK; q++) {
    const char *name = k->info.decor.keys[q];
    for (int j = 0, ai = 0; j < k->info.nparams; j++) {
      const KernelParam *p = &k->info.params[j];
      if (strcmp(p->name, name)) {
        ai += !p->constexpr_;
        continue;
      }
      kv[m] = (TuneKeyVal){.name = name};
      if (p->constexpr_) {
        for (int c = 0; c < k->nconsts; c++)
          if (!strcmp(k->cnames[c], name)) kv[m].str = k->cvalues[c];
        if (!kv[m].str) break; /* a config's own constexpr: not a key */
      } else {
        const liger_arg *a = &args[ai];
        if (a->kind == LIGER_ARG_INT) kv[m].value = a->v.i;
        else if (a->kind == LIGER_ARG_BOOL) kv[m].value = a->v.b != 0;
        else if (a->kind == LIGER_ARG_FLOAT) snprintf(strs[m], sizeof strs[m], "%g", a->v.f), kv[m].str = strs[m];
        else kv[m].str = (unsigned)a->dtype < sizeof dt_names / sizeof dt_names[0] ? dt_names[a->dtype] : "ptr";
      }
      m++;
      break;
    }
  }
  return tune_bucket(kv, m, out, n);
}

typedef struct KTune {
  liger_kernel *k;
  const liger_arg *args;
  int nargs;
  const uint32_t *grid;
  void *stream; /* the caller's */
  const char *bucket;
} KTune;

static liger_status launch_variant(liger_kernel *k, const Variant *v, const ArgSpec *specs, const uint32_t grid[3],
                                   void *stream, const liger_arg *args, int nargs);

/* One run of config i while tuning: build it (a compile error skips it), check that its
 * shared memory fits the device and that one program fits an SM (registers), launch it with
 * the caller's arguments and grid. */
static liger_status ktune_run(void *ud, int i, void *stream) {
  KTune *t = ud;
  ArgSpec specs[MAX_ARGS];
  Variant *v;
  liger_status st = find_variant(t->k, t->args, t->nargs, i, specs, &v);
  if (st) return st;
  size_t limit = t->k->ctx->info.max_shared;
  if (t->k->ctx->target->kind != TGT_CPU && limit && v->meta.shared > limit)
    return rt_fail(LIGER_ERR_UNSUPPORTED, "needs %zu bytes of shared memory; the device allows %zu", v->meta.shared,
                   limit);
  /* registers: a program that does not fit an SM at all (0 resident) cannot launch */
  int occ = 1;
  if (t->k->ctx->be->occupancy &&
      !t->k->ctx->be->occupancy(v->mod, (uint32_t)v->meta.threads, (uint32_t)v->meta.shared, &occ) && occ < 1)
    return rt_fail(LIGER_ERR_UNSUPPORTED,
                   "%d threads with their registers and %zu bytes of shared memory do not fit an SM (occupancy 0)",
                   (int)v->meta.threads, (size_t)v->meta.shared);
  return launch_variant(t->k, v, specs, t->grid, stream, t->args, t->nargs);
}

static liger_status ktune_space(void *ud, char *best, size_t n) {
  KTune *t = ud;
  liger_kernel *k = t->k;
  int nc = k->info.decor.nconfigs, b = -1;
  TuneTiming *tm = calloc((size_t)nc, sizeof *tm);
  if (!tm) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  /* the caller's stream may still be writing the inputs; tuning runs on the default one */
  liger_status st = liger_synchronize(k->ctx, t->stream);
  if (!st) st = tune_measure(k->ctx, k->tkey, t->bucket, (const char *const *)k->cfg_canon, nc, ktune_run, t, NULL, true,
                             tm, &b);
  if (b >= 0) snprintf(best, n, "%s", k->cfg_canon[b]); /* measured, even if the DB write failed */
  free(tm);
  return b >= 0 ? LIGER_OK : st;
}

static bool ktune_accept(void *ud, const char *config) {
  const liger_kernel *k = ((const KTune *)ud)->k;
  for (int i = 0; i < k->info.decor.nconfigs; i++)
    if (!strcmp(k->cfg_canon[i], config)) return true;
  return false;
}

/* The autotune config of a launch (-1 for a kernel without @triton.autotune): the decision
 * for its key bucket (autotune/tuner.h), measured now only when tuning was asked for and
 * there is a grid to launch on. */
static int config_for(liger_kernel *k, const liger_arg *args, int nargs, const uint32_t *grid, void *stream) {
  if (!k || !k->info.decor.nconfigs) return -1;
  if (nargs != k->nruntime || (nargs && !args)) return 0; /* find_variant reports it */
  char bucket[1024], config[1024];
  if (launch_bucket(k, args, bucket, sizeof bucket) != LIGER_OK) return 0;
  KTune t = {k, args, nargs, grid, stream, bucket};
  tune_decide(&k->memo, k->ctx, k->tkey, bucket, k->cfg_canon[0], ktune_accept, grid ? ktune_space : NULL, &t, config,
              sizeof config);
  for (int i = 0; i < k->info.decor.nconfigs; i++)
    if (!strcmp(k->cfg_canon[i], config)) return i;
  return 0;
}

liger_status liger_kernel_compile(liger_kernel *k, const liger_arg *args, int nargs) {
  ArgSpec specs[MAX_ARGS];
  Variant *v;
  return find_variant(k, args, nargs, config_for(k, args, nargs, NULL, NULL), specs, &v);
}

liger_status liger_kernel_occupancy(liger_kernel *k, const liger_arg *args, int nargs, int *blocks_per_sm) {
  if (!blocks_per_sm) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_kernel_occupancy: blocks_per_sm is NULL");
  *blocks_per_sm = 0;
  ArgSpec specs[MAX_ARGS];
  Variant *v;
  liger_status st = find_variant(k, args, nargs, config_for(k, args, nargs, NULL, NULL), specs, &v);
  if (st != LIGER_OK) return st;
  return k->ctx->be->occupancy(v->mod, (uint32_t)v->meta.threads, (uint32_t)v->meta.shared, blocks_per_sm);
}

static liger_status launch_variant(liger_kernel *k, const Variant *v, const ArgSpec *specs, const uint32_t grid[3],
                                   void *stream, const liger_arg *args, int nargs) {
  union {
    void *p;
    int32_t i32;
    int64_t i64;
    float f;
    uint8_t b;
  } vals[MAX_ARGS];
  void *ptrs[MAX_ARGS];
  int n = 0;
  for (int i = 0; i < nargs; i++) {
    if (specs[i].equal_to_one) continue; /* folded into the code */
    switch (args[i].kind) {
    case LIGER_ARG_PTR: vals[n].p = args[i].v.ptr; break;
    case LIGER_ARG_INT:
      if (specs[i].dt == DT_I32) vals[n].i32 = (int32_t)args[i].v.i;
      else vals[n].i64 = args[i].v.i;
      break;
    case LIGER_ARG_FLOAT: vals[n].f = (float)args[i].v.f; break;
    case LIGER_ARG_BOOL: vals[n].b = args[i].v.b != 0; break;
    }
    ptrs[n] = &vals[n];
    n++;
  }
  return k->ctx->be->launch(v->mod, grid, (uint32_t)v->meta.threads, (uint32_t)v->meta.shared, stream, ptrs, n);
}

liger_status liger_launch(liger_kernel *k, const uint32_t grid[3], void *stream, const liger_arg *args, int nargs) {
  if (!grid) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_launch: grid is NULL");
  if (grid[0] > INT32_MAX || grid[1] > 65535 || grid[2] > 65535)
    return rt_fail(LIGER_ERR_INVALID_ARG, "grid (%u, %u, %u) is too large", grid[0], grid[1], grid[2]);
  ArgSpec specs[MAX_ARGS];
  Variant *v;
  liger_status st = find_variant(k, args, nargs, config_for(k, args, nargs, grid, stream), specs, &v);
  if (st != LIGER_OK) return st;
  return launch_variant(k, v, specs, grid, stream, args, nargs);
}
