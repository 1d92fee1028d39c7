/*
 * context.c — the public API's devices: opening "cpu" / "cuda:N" / "hip:N" / "auto" /
 * "offline:TARGET" through the back-end table, memory helpers, and the ahead-of-time entry
 * point liger_compile.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *liger_version(void) { return "0.1.0 (LLVM " LIGER_LLVM_VERSION ")"; }
const char *liger_targets(void) { return cg_target_names(); }
void liger_free_host(void *p) { free(p); }

size_t liger_dtype_size(liger_dtype dt) {
  static const size_t sizes[] = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 2, 4, 8};
  return (unsigned)dt < sizeof sizes / sizeof sizes[0] ? sizes[dt] : 0;
}

static liger_status open_backend(const RtBackend *be, int ordinal, liger_context **out) {
  liger_context *c = calloc(1, sizeof *c);
  if (!c) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  liger_status st = be->open(ordinal, &c->dev, &c->info);
  if (st != LIGER_OK) {
    free(c);
    return st;
  }
  c->be = be;
  c->ordinal = ordinal;
  c->target = cg_target(c->info.target);
  if (!c->target) {
    st = rt_fail(LIGER_ERR_UNSUPPORTED, "%s device %d is a %s, which liger-jit cannot compile for yet (targets: %s)",
                 be->name, ordinal, c->info.target, cg_target_names());
    be->close(c->dev);
    free(c);
    return st;
  }
  pthread_mutex_init(&c->lock, NULL);
  if (be == &rt_backend_cpu)
    snprintf(c->desc, sizeof c->desc, "cpu %s (%d threads)", c->info.name, c->info.num_sms);
  else
    snprintf(c->desc, sizeof c->desc, "%s:%d %s (%s%s, %d SMs)", be->name, ordinal, c->info.name, c->info.target,
             c->info.ptx_only ? " as PTX" : "", c->info.num_sms);
  *out = c;
  return LIGER_OK;
}

/* "offline:TARGET[,...]": the target without its device (dev_offline.c). */
static liger_status open_offline(const char *spec, liger_context **out) {
  liger_context *c = calloc(1, sizeof *c);
  if (!c) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  liger_status st = rt_offline_open(spec, &c->be, &c->dev, &c->info);
  if (st != LIGER_OK) {
    free(c);
    return st;
  }
  c->target = cg_target(c->info.target);
  c->offline = true;
  pthread_mutex_init(&c->lock, NULL);
  snprintf(c->desc, sizeof c->desc, "%s (%s%s, %d %s, no device)", c->info.name, c->info.target,
           c->info.ptx_only ? " as PTX" : "", c->info.num_sms, c->target->kind == TGT_CPU ? "threads" : "SMs");
  *out = c;
  return LIGER_OK;
}

liger_status liger_context_create(const char *device, liger_context **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_context_create: out is NULL");
  *out = NULL;
  if (device && !strncmp(device, "offline:", 8)) return open_offline(device + 8, out);
  if (!device || !strcmp(device, "auto")) {
    if (open_backend(&rt_backend_cuda, 0, out) == LIGER_OK) return LIGER_OK;
    if (open_backend(&rt_backend_hip, 0, out) == LIGER_OK) return LIGER_OK;
    return open_backend(&rt_backend_cpu, 0, out);
  }
  const RtBackend *be = NULL;
  const char *rest = NULL;
  if (!strncmp(device, "cuda", 4)) be = &rt_backend_cuda, rest = device + 4;
  else if (!strncmp(device, "hip", 3)) be = &rt_backend_hip, rest = device + 3;
  else if (!strcmp(device, "cpu")) return open_backend(&rt_backend_cpu, 0, out);
  int ordinal = 0;
  if (be && *rest == ':' && isdigit((unsigned char)rest[1])) {
    char *end;
    ordinal = (int)strtol(rest + 1, &end, 10);
    rest = end;
  }
  if (!be || *rest)
    return rt_fail(LIGER_ERR_INVALID_ARG, "unknown device '%s' (use cpu, cuda, cuda:N, hip, hip:N, auto or "
                   "offline:TARGET)", device);
  return open_backend(be, ordinal, out);
}

void liger_context_destroy(liger_context *ctx) {
  if (!ctx) return;
  if (ctx->ops_release) ctx->ops_release(ctx); /* the ops' kernels and scratch (kernels/op.c) */
  ctx->be->close(ctx->dev);
  pthread_mutex_destroy(&ctx->lock);
  free(ctx);
}

const char *liger_context_device(const liger_context *ctx) { return ctx ? ctx->desc : ""; }
const char *liger_context_target(const liger_context *ctx) { return ctx ? ctx->target->name : ""; }

int liger_context_offline(const liger_context *ctx, uint64_t *launches) {
  if (launches) *launches = ctx && ctx->offline ? rt_offline_launches(ctx->dev) : 0;
  return ctx && ctx->offline;
}


#define CHECK_CTX(ctx)                                                                       \
  do {                                                                                       \
    if (!(ctx)) return rt_fail(LIGER_ERR_INVALID_ARG, "%s: context is NULL", __func__);      \
  } while (0)

liger_status liger_malloc(liger_context *ctx, size_t bytes, void **out) {
  CHECK_CTX(ctx);
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_malloc: out is NULL");
  return ctx->be->alloc(ctx->dev, bytes ? bytes : 1, out);
}

liger_status liger_free(liger_context *ctx, void *ptr) {
  CHECK_CTX(ctx);
  return ptr ? ctx->be->free(ctx->dev, ptr) : LIGER_OK;
}

liger_status liger_memcpy_htod(liger_context *ctx, void *dst, const void *src, size_t bytes) {
  CHECK_CTX(ctx);
  if ((!dst || !src) && bytes) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_memcpy_htod: NULL pointer");
  return bytes ? ctx->be->htod(ctx->dev, dst, src, bytes) : LIGER_OK;
}

liger_status liger_memcpy_dtoh(liger_context *ctx, void *dst, const void *src, size_t bytes) {
  CHECK_CTX(ctx);
  if ((!dst || !src) && bytes) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_memcpy_dtoh: NULL pointer");
  return bytes ? ctx->be->dtoh(ctx->dev, dst, src, bytes) : LIGER_OK;
}

liger_status liger_memset_d8(liger_context *ctx, void *dst, int value, size_t bytes) {
  CHECK_CTX(ctx);
  if (!dst && bytes) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_memset_d8: NULL pointer");
  return bytes ? ctx->be->memset8(ctx->dev, dst, value, bytes) : LIGER_OK;
}

liger_status liger_synchronize(liger_context *ctx, void *stream) {
  CHECK_CTX(ctx);
  return ctx->be->sync(ctx->dev, stream);
}

/* ---- ahead-of-time compilation --------------------------------------------------------------- */

static const struct { const char *name; DType dt; } sig_types[] = {
    {"fp32", DT_F32}, {"fp16", DT_F16}, {"bf16", DT_BF16}, {"fp64", DT_F64}, {"i1", DT_I1},   {"i8", DT_I8},
    {"i16", DT_I16},  {"i32", DT_I32},  {"i64", DT_I64},   {"u8", DT_U8},    {"u16", DT_U16}, {"u32", DT_U32},
    {"u64", DT_U64},  {"f32", DT_F32},  {"f16", DT_F16},   {"f64", DT_F64},  {"u1", DT_I1},
};

/* "*fp32:16, i32, i64:16, fp32, 1" → ArgSpecs. Returns the count or -1. */
static int parse_signature(const char *sig, ArgSpec *out, int max) {
  int n = 0;
  const char *p = sig;
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    if (!*p) break;
    if (n == max) return -1;
    ArgSpec s = {.divisibility = 1};
    bool ptr = *p == '*';
    if (ptr) p++;
    if (*p == 'k') p++; /* const pointer marker */
    const char *start = p;
    while (*p && *p != ':' && *p != ',' && *p != ' ') p++;
    size_t len = (size_t)(p - start);
    if (!ptr && len && isdigit((unsigned char)start[0])) {
      if (len == 1 && start[0] == '1') {
        s.dt = DT_I32;
        s.equal_to_one = true;
        out[n++] = s;
        continue;
      }
      return -1;
    }
    bool found = false;
    for (size_t i = 0; i < sizeof sig_types / sizeof sig_types[0]; i++)
      if (strlen(sig_types[i].name) == len && !strncmp(sig_types[i].name, start, len)) {
        if (ptr) {
          s.dt = DT_PTR;
          s.elem = sig_types[i].dt;
        } else {
          s.dt = sig_types[i].dt;
        }
        found = true;
      }
    if (!found) return -1;
    if (*p == ':') {
      long h = strtol(p + 1, (char **)&p, 10);
      if (h == 16) s.divisibility = 16;
      else if (h == 1 && !ptr) s.equal_to_one = true;
      else if (h != 1) return -1;
    }
    out[n++] = s;
  }
  return n;
}

/* ligerc --emit=bundle FILE.py: launch arguments for which the runtime's specialisation
 * (kernel.c specialise) is the one `sig` describes, so that compiling with them builds the
 * variant, under its key, that a launch with such arguments will look up. Pointers are
 * `base` (16-byte aligned; ligerc passes an offline context's allocation) or base + 8;
 * integers 16 (`:16`), 1 (`1`, `:1`) or 3, and 2^32 + those for i64; floats 0.5, bools
 * true. Scalars the runtime never produces (u32, i8, fp16, fp64, i64 equal to 1, ...) are
 * refused. Returns the count, or -1 with *bad set to the entry's index (-1: syntax). */
int rt_signature_args(const char *sig, char *base, liger_arg *out, int max, int *bad) {
  ArgSpec specs[64];
  int n = parse_signature(sig, specs, max < 64 ? max : 64);
  *bad = -1;
  if (n < 0) return -1;
  for (int i = 0; i < n; i++) {
    const ArgSpec *s = &specs[i];
    int64_t small = s->equal_to_one ? 1 : s->divisibility == 16 ? 16 : 3;
    if (s->dt == DT_PTR && s->elem < DT_PTR) out[i] = liger_arg_ptr(base + (s->divisibility == 16 ? 0 : 8), (liger_dtype)s->elem);
    else if (s->dt == DT_I32) out[i] = liger_arg_int(small);
    else if (s->dt == DT_I64 && !s->equal_to_one) out[i] = liger_arg_int(((int64_t)1 << 32) + small);
    else if (s->dt == DT_F32) out[i] = liger_arg_float(0.5);
    else if (s->dt == DT_I1) out[i] = liger_arg_bool(1);
    else {
      *bad = i;
      return -1;
    }
  }
  return n;
}

static const liger_emit emit_max = LIGER_EMIT_HSACO;

liger_status liger_compile(const liger_compile_options *o, char **out, size_t *out_len) {
  if (!o || !out || !out_len) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_compile: NULL argument");
  *out = NULL;
  *out_len = 0;
  if (!o->target) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_compile: no target (one of %s)", cg_target_names());
  const Target *t = cg_target(o->target);
  if (!t) return rt_fail(LIGER_ERR_INVALID_ARG, "unknown target '%s' (known: %s)", o->target, cg_target_names());
  if ((unsigned)o->emit > (unsigned)emit_max) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_compile: bad emit kind %d", (int)o->emit);
  if (o->opt_level < 0 || o->opt_level > LIGER_O3)
    return rt_fail(LIGER_ERR_INVALID_ARG, "liger_compile: bad opt_level %d (LIGER_O0..LIGER_O3, or 0)", o->opt_level);
  if (o->num_warps < 0 || o->num_warps > 32 || (o->num_warps & (o->num_warps - 1)))
    return rt_fail(LIGER_ERR_INVALID_ARG, "num_warps must be a power of two from 1 to 32, got %d", o->num_warps);
  SrcFile file;
  char *text = NULL;
  liger_status st = rt_source_load(o->path, o->source, o->filename, &file, &text);
  if (st != LIGER_OK) return st;
  Arena arena = {0};
  KernelInfo kp;
  st = rt_kernel_read(&arena, &file, o->kernel, &kp);
  if (st != LIGER_OK) {
    arena_free(&arena);
    free(text);
    return st;
  }
  ArgSpec specs[64];
  int nspecs;
  if (o->signature) {
    nspecs = parse_signature(o->signature, specs, 64);
    if (nspecs < 0) {
      arena_free(&arena);
      free(text);
      return rt_fail(LIGER_ERR_INVALID_ARG, "bad signature '%s' (expected e.g. \"*fp32:16, i32, i64:16, fp32\")", o->signature);
    }
  } else {
    nspecs = 0;
    for (int i = 0; i < kp.nparams && nspecs < 64; i++) {
      if (kp.params[i].constexpr_) continue;
      size_t len = strlen(kp.params[i].name);
      bool ptr = len >= 3 && !strcasecmp(kp.params[i].name + len - 3, "ptr");
      specs[nspecs++] = ptr ? (ArgSpec){.dt = DT_PTR, .elem = DT_F32, .divisibility = 16} : (ArgSpec){.dt = DT_I32, .divisibility = 1};
    }
  }
  /* @triton.autotune: as in the JIT, the first config supplies what -D did not */
  const KernelDecor decor = kp.decor;
  int extra = decor.nconfigs ? decor.configs[0].n : 0;
  const char **names = calloc((size_t)(o->nconsts + extra) + 1, sizeof(char *));
  const char **values = calloc((size_t)(o->nconsts + extra) + 1, sizeof(char *));
  int nc = 0;
  for (int i = 0; i < o->nconsts && st == LIGER_OK; i++) {
    if (!o->consts || !o->consts[i].name || !o->consts[i].value) {
      st = rt_fail(LIGER_ERR_INVALID_ARG, "liger_compile: constexpr %d has no name or value", i);
      break;
    }
    names[nc] = o->consts[i].name;
    values[nc++] = o->consts[i].value;
  }
  int num_warps = o->num_warps;
  for (int i = 0; i < extra && st == LIGER_OK; i++) {
    const TuneConfig *c = &decor.configs[0];
    bool given = false;
    for (int j = 0; j < o->nconsts; j++) given |= !strcmp(o->consts[j].name, c->names[i]);
    if (!given) {
      names[nc] = c->names[i];
      values[nc++] = c->values[i];
    }
  }
  if (!num_warps && decor.nconfigs && decor.configs[0].num_warps > 0) num_warps = decor.configs[0].num_warps;
  if (st == LIGER_OK) {
    CompileJob job = {.file = &file, .closure = kp.mod->closure, .nclosure = kp.mod->nclosure, .kernel = kp.name, .const_names = names, .const_values = values,
                      .nconsts = nc, .args = specs, .nargs = nspecs, .num_warps = num_warps, .target = t,
                      .opt_level = o->opt_level};
    CompileResult r;
    st = cg_compile(&job, o->emit, &r);
    if (st == LIGER_OK) {
      *out = r.data;
      *out_len = r.len;
      free(r.kernel_name);
    }
  }
  free(names);
  free(values);
  arena_free(&arena);
  free(text);
  return st;
}
