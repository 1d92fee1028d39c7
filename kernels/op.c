/*
 * op.c — what every Liger op shares (interface in op.h): DLPack validation with precise
 * messages, the launch plan (Liger's calculate_settings, extended to rows of any length),
 * the per-context cache of loaded kernel variants, per-stream scratch memory, and the
 * reduction of fp32 partial rows (kernels/sum_rows.py).
 *
 * Per-context state hangs off liger_context (runtime/internal.h: ops, ops_release), made on
 * the first op call and released by liger_context_destroy:
 *
 *   OpState ── buckets[OP_BUCKETS] ─> OpEntry (key "file|kernel|w=N|K=V|..." → liger_kernel)
 *          └─ scratch ─> OpScratch (stream → device buffer, its own mutex) ─> ...
 *
 * The variant cache is a chained hash table under a rwlock: a hit takes the read lock only.
 * A liger_kernel itself compiles one binary per argument specialisation (runtime/kernel.c).
 */
#include "op.h"

#include "internal.h"
#include "tuner.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  OP_BUCKETS = 256,       /* variant cache buckets (a context holds tens to hundreds of variants) */
  OP_TILE_TARGET = 4096,  /* elements per tile when several short rows share a program */
  OP_CHUNK = 8192,        /* chunk of the looped form */
  OP_PREFETCH_MAX = 8192, /* largest backward tile that loads the next block ahead */
  OP_PER_SM_MAX = 8,      /* persistent programs per SM at most (each writes a partial row) */
  OP_BWD_SUMS_TILE_MAX = 16384, /* longest row a partial-sum backward holds as one tile */
  OP_BWD_SMALL_TILE = 4096, /* backward tiles up to this many elements ... */
  OP_BWD_SMALL_WARPS = 4,   /* ... take this many warps */
  OP_SUM_BLOCK_P = 64,    /* sum_rows tile: partial rows x columns */
  OP_SUM_BLOCK_N = 32,
};

/* ---- LIGER_OPS_CONFIG: launch-plan overrides for tuning ------------------------------------ */

static OpTune op_tune; /* LIGER_OPS_CONFIG: wins over the tuning database, knob by knob */
static pthread_once_t op_tune_once = PTHREAD_ONCE_INIT;
/* While the tuner times a config of an op space (op_space.c), that config, for this thread:
 * the database is not asked. */
static _Thread_local const OpTune *op_tune_forced;

static bool op_pow2(long v) { return v > 0 && !(v & (v - 1)); }

bool op_tune_parse(const char *env, OpTune *out) {
  memset(out, 0, sizeof *out);
  static const struct { const char *key; size_t off; long min, max; bool pow2; } keys[] = {
      {"rows", offsetof(OpTune, rows), 1, 1024, true},
      {"bwd_rows", offsetof(OpTune, bwd_rows), 1, 1024, true},
      {"warps", offsetof(OpTune, warps), 1, 32, true},
      {"bwd_warps", offsetof(OpTune, bwd_warps), 1, 32, true},
      {"per_sm", offsetof(OpTune, per_sm), 1, 64, false},
      {"chunk", offsetof(OpTune, chunk), 16, OP_TILE_MAX, true},
      {"bwd_chunk", offsetof(OpTune, bwd_chunk), 16, OP_TILE_MAX, true},
      {"prefetch", offsetof(OpTune, prefetch), 0, 1, false}, /* stored + 1 */
  };
  const char *p = env;
  while (*p) {
    const char *eq = strchr(p, '='), *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    bool found = false;
    for (size_t i = 0; eq && eq < end && i < sizeof keys / sizeof keys[0]; i++) {
      if (strlen(keys[i].key) != (size_t)(eq - p) || strncmp(keys[i].key, p, (size_t)(eq - p))) continue;
      found = true;
      char *num_end;
      long v = strtol(eq + 1, &num_end, 10);
      if (num_end == eq + 1 || num_end != end || v < keys[i].min || v > keys[i].max || (keys[i].pow2 && !op_pow2(v))) {
        snprintf(out->error, sizeof out->error, "LIGER_OPS_CONFIG: bad value for '%s' (expected %s from %ld to %ld)",
                 keys[i].key, keys[i].pow2 ? "a power of two" : "a number", keys[i].min, keys[i].max);
        return false;
      }
      *(int *)((char *)out + keys[i].off) = (int)v + (keys[i].min == 0);
    }
    if (!found) {
      snprintf(out->error, sizeof out->error,
               "LIGER_OPS_CONFIG: cannot read '%.*s' (expected key=value pairs separated by commas; keys: rows, "
               "bwd_rows, warps, bwd_warps, per_sm, chunk, bwd_chunk, prefetch)", (int)(end - p), p);
      return false;
    }
    p = *end ? end + 1 : end;
  }
  return true;
}

static void op_tune_read(void) {
  const char *env = getenv("LIGER_OPS_CONFIG");
  if (env && *env) op_tune_parse(env, &op_tune);
}

void op_tune_force(const OpTune *t) { op_tune_forced = t; }

/* ---- calls and errors ---------------------------------------------------------------------- */

liger_status op_fail(const OpCall *c, liger_status st, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return rt_fail(st, "%s: %s", c->fn, msg);
}

/* Prefixes the message of a failed library call (launch, malloc) with the op's name. */
static liger_status op_wrap(const OpCall *c, liger_status st) {
  char *inner = strdup(liger_last_error());
  rt_fail(st, "%s: %s", c->fn, inner ? inner : "out of memory");
  free(inner);
  return st;
}

liger_status op_start(OpCall *c, const char *fn, liger_context *ctx, void *stream) {
  c->fn = fn;
  c->ctx = ctx;
  c->stream = stream;
  c->dtype = LIGER_F32;
  c->has_dtype = false;
  if (!ctx) return op_fail(c, LIGER_ERR_INVALID_ARG, "context is NULL");
  pthread_once(&op_tune_once, op_tune_read);
  if (op_tune.error[0]) return op_fail(c, LIGER_ERR_INVALID_ARG, "%s", op_tune.error);
  return LIGER_OK;
}

/* ---- dtypes and devices --------------------------------------------------------------------- */

const char *op_dtype_name(liger_dtype dt) {
  switch (dt) {
  case LIGER_F32: return "float32";
  case LIGER_BF16: return "bfloat16";
  case LIGER_F16: return "float16";
  default: return "a non-float dtype";
  }
}

/* DLPack's name of a dtype: "int32", "bfloat16", "float32x4". */
static void op_dl_name(DLDataType d, char *buf, size_t cap) {
  const char *base = d.code == kDLInt ? "int" : d.code == kDLUInt ? "uint" : d.code == kDLFloat ? "float"
                   : d.code == kDLBfloat ? "bfloat" : d.code == kDLComplex ? "complex" : d.code == 6 ? "bool" : NULL; /* 6: kDLBool (DLPack >= 0.8) */
  int n = base ? snprintf(buf, cap, "%s%d", base, d.bits) : snprintf(buf, cap, "code %d bits %d", d.code, d.bits);
  if (d.lanes != 1 && n > 0 && (size_t)n < cap) snprintf(buf + n, cap - (size_t)n, "x%d", d.lanes);
}

static bool op_float_dtype(DLDataType d, liger_dtype *out) {
  if (d.lanes != 1) return false;
  if (d.code == kDLFloat && d.bits == 32) *out = LIGER_F32;
  else if (d.code == kDLFloat && d.bits == 16) *out = LIGER_F16;
  else if (d.code == kDLBfloat && d.bits == 16) *out = LIGER_BF16;
  else return false;
  return true;
}

static const char *op_dl_device_name(int type) {
  switch (type) {
  case kDLCPU: return "kDLCPU";
  case kDLCUDA: return "kDLCUDA";
  case kDLCUDAHost: return "kDLCUDAHost";
  case kDLCUDAManaged: return "kDLCUDAManaged";
  case kDLROCM: return "kDLROCM";
  case kDLROCMHost: return "kDLROCMHost";
  default: return NULL;
  }
}

static liger_status op_device(const OpCall *c, const char *name, const DLTensor *t) {
  const char *be = c->ctx->be->name;
  int type = t->device.device_type;
  bool ok;
  int want;
  if (!strcmp(be, "cpu")) ok = type == kDLCPU, want = kDLCPU;
  else if (!strcmp(be, "cuda")) ok = type == kDLCUDA || type == kDLCUDAManaged, want = kDLCUDA;
  else ok = type == kDLROCM, want = kDLROCM;
  if (!ok) {
    const char *have = op_dl_device_name(type);
    char num[32];
    snprintf(num, sizeof num, "device type %d", type);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s is on %s; the context is %s, which needs %s", name, have ? have : num,
                   c->ctx->desc, op_dl_device_name(want));
  }
  if (want != kDLCPU && t->device.device_id != c->ctx->ordinal)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s is on %s:%d; the context is %s:%d", name, be, t->device.device_id, be,
                   c->ctx->ordinal);
  return LIGER_OK;
}

/* "(2, 128, 512)" */
static void op_shape_str(const DLTensor *t, char *buf, size_t cap) {
  size_t n = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < t->ndim && n < cap; i++)
    n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
  if (n < cap) snprintf(buf + n, cap - n, t->ndim == 1 ? ",)" : ")");
}

static void op_strides_str(const DLTensor *t, char *buf, size_t cap) {
  if (!t->strides) {
    snprintf(buf, cap, "compact");
    return;
  }
  size_t n = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < t->ndim && n < cap; i++)
    n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)t->strides[i]);
  if (n < cap) snprintf(buf + n, cap - n, t->ndim == 1 ? ",)" : ")");
}

/* Checks shared by every tensor: present, device, float dtype, shape readable, aligned. */
static liger_status op_common(const OpCall *c, const char *name, const DLTensor *t, OpTensor *out) {
  memset(out, 0, sizeof *out);
  out->name = name;
  if (!t) return op_fail(c, LIGER_ERR_INVALID_ARG, "%s is NULL", name);
  liger_status st = op_device(c, name, t);
  if (st) return st;
  if (!op_float_dtype(t->dtype, &out->dtype)) {
    char dn[48];
    op_dl_name(t->dtype, dn, sizeof dn);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has dtype %s; expected float32, bfloat16 or float16", name, dn);
  }
  if (t->ndim < 0 || t->ndim > 32) return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %d dimensions", name, t->ndim);
  if (t->ndim && !t->shape) return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %d dimensions but no shape", name, t->ndim);
  for (int i = 0; i < t->ndim; i++)
    if (t->shape[i] < 0) return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has a negative extent in dimension %d", name, i);
  out->t = t;
  out->data = (char *)t->data + t->byte_offset;
  size_t es = liger_dtype_size(out->dtype);
  if ((uintptr_t)out->data % es)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s's data (+ byte_offset) is not aligned to its %zu-byte elements", name, es);
  return LIGER_OK;
}

static void op_span(OpTensor *o) {
  size_t es = liger_dtype_size(o->dtype);
  o->lo = o->hi = (uintptr_t)o->data;
  if (o->rows > 0 && o->cols > 0) o->hi = o->lo + (uintptr_t)(((o->rows - 1) * o->stride + o->cols) * (int64_t)es);
}

liger_status op_rows(const OpCall *c, const char *name, const DLTensor *t, OpTensor *out) {
  liger_status st = op_common(c, name, t, out);
  if (st) return st;
  if (t->ndim < 1)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has 0 dimensions; expected at least 1 (rows along the last)", name);
  int last = t->ndim - 1;
  out->cols = t->shape[last];
  int64_t rows = 1;
  for (int i = 0; i < last; i++)
    if (__builtin_mul_overflow(rows, t->shape[i], &rows))
      return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has too many elements", name);
  out->rows = rows;
  if (!c->has_dtype) { /* the first row tensor's dtype and shape name the tuning bucket; every
                          OpCall is a caller's local, so writing through the pointer is allowed */
    ((OpCall *)c)->dtype = out->dtype;
    ((OpCall *)c)->rows = rows;
    ((OpCall *)c)->cols = out->cols;
    ((OpCall *)c)->has_dtype = true;
  }
  char shape[256], strides[256];
  if (out->cols == 0)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s's last dimension is 0; rows need at least one element", name);
  if (out->cols > INT32_MAX)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has rows of %lld elements; at most 2^31-1 are supported", name,
                   (long long)out->cols);
  if (rows > INT32_MAX)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %lld rows; at most 2^31-1 are supported", name, (long long)rows);
  out->stride = out->cols;
  if (t->strides && rows > 0) {
    op_shape_str(t, shape, sizeof shape);
    op_strides_str(t, strides, sizeof strides);
    if (out->cols > 1 && t->strides[last] != 1)
      return op_fail(c, LIGER_ERR_INVALID_ARG,
                     "%s's last dimension is not contiguous (shape %s, strides %s); expected stride 1 there", name,
                     shape, strides);
    /* the leading dims must be one row index: stride[d] = stride[d+1] * shape[d+1] over the
     * dims that are not 1 */
    int64_t expect = -1;
    bool have = false;
    for (int d = last - 1; d >= 0; d--) {
      if (t->shape[d] == 1) continue;
      if (t->strides[d] < 0)
        return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has a negative stride (shape %s, strides %s)", name, shape, strides);
      if (!have) out->stride = t->strides[d];
      else if (t->strides[d] != expect)
        return op_fail(c, LIGER_ERR_INVALID_ARG,
                       "%s's leading dimensions do not collapse into rows with one stride (shape %s, strides %s); "
                       "make it contiguous",
                       name, shape, strides);
      have = true;
      if (__builtin_mul_overflow(t->strides[d], t->shape[d], &expect)) expect = -1;
    }
    if (rows > 1 && out->stride < out->cols)
      return op_fail(c, LIGER_ERR_INVALID_ARG, "%s's rows overlap (row stride %lld < row length %lld; shape %s, strides %s)",
                     name, (long long)out->stride, (long long)out->cols, shape, strides);
  }
  op_span(out);
  return LIGER_OK;
}

static bool op_same_shape(const DLTensor *a, const DLTensor *b) {
  if (a->ndim != b->ndim) return false;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return false;
  return true;
}

liger_status op_rows_like(const OpCall *c, const char *name, const DLTensor *t, const OpTensor *ref, OpTensor *out) {
  liger_status st = op_common(c, name, t, out);
  if (st) return st;
  if (!op_same_shape(t, ref->t)) {
    char a[256], b[256];
    op_shape_str(t, a, sizeof a);
    op_shape_str(ref->t, b, sizeof b);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has shape %s; expected %s like %s", name, a, b, ref->name);
  }
  if ((st = op_rows(c, name, t, out))) return st;
  return op_same_dtype(c, out, ref);
}

liger_status op_same_dtype(const OpCall *c, const OpTensor *t, const OpTensor *ref) {
  if (t->dtype == ref->dtype) return LIGER_OK;
  return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has dtype %s; expected %s like %s", t->name, op_dtype_name(t->dtype),
                 op_dtype_name(ref->dtype), ref->name);
}

liger_status op_dtype_in(const OpCall *c, const OpTensor *t, liger_dtype a, liger_dtype b, const char *why) {
  if (t->dtype == a || t->dtype == b) return LIGER_OK;
  if (a == b)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has dtype %s; expected %s", t->name, op_dtype_name(t->dtype), op_dtype_name(a));
  return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has dtype %s; expected %s or %s (%s)", t->name, op_dtype_name(t->dtype),
                 op_dtype_name(a), op_dtype_name(b), why);
}

liger_status op_vector(const OpCall *c, const char *name, const DLTensor *t, int64_t n, bool optional, OpTensor *out) {
  if (!t && optional) {
    memset(out, 0, sizeof *out);
    out->name = name;
    return LIGER_OK;
  }
  liger_status st = op_common(c, name, t, out);
  if (st) return st;
  char shape[256];
  op_shape_str(t, shape, sizeof shape);
  if (t->ndim != 1 || t->shape[0] != n)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has shape %s; expected (%lld,)", name, shape, (long long)n);
  if (t->strides && n > 1 && t->strides[0] != 1)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has stride %lld; expected 1", name, (long long)t->strides[0]);
  out->rows = 1;
  out->cols = out->stride = n;
  op_span(out);
  return LIGER_OK;
}

liger_status op_per_row(const OpCall *c, const char *name, const DLTensor *t, int64_t rows, OpTensor *out) {
  liger_status st = op_common(c, name, t, out);
  if (st) return st;
  int64_t n = 1, expect = 1;
  bool compact = true;
  for (int d = t->ndim - 1; d >= 0; d--) {
    if (__builtin_mul_overflow(n, t->shape[d], &n)) return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has too many elements", name);
    if (t->strides && t->shape[d] != 1 && t->strides[d] != expect) compact = false;
    expect *= t->shape[d];
  }
  if (n != rows)
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has %lld elements; expected %lld, one per row", name, (long long)n,
                   (long long)rows);
  if (!compact) {
    char shape[256], strides[256];
    op_shape_str(t, shape, sizeof shape);
    op_strides_str(t, strides, sizeof strides);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s is not contiguous (shape %s, strides %s)", name, shape, strides);
  }
  out->rows = 1;
  out->cols = out->stride = rows;
  op_span(out);
  return LIGER_OK;
}

liger_status op_index(const OpCall *c, const char *name, const DLTensor *t, OpTensor *out) {
  if (!t) {
    memset(out, 0, sizeof *out);
    out->name = name;
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s is NULL", name);
  }
  DLDataType d = t->dtype;
  if (d.code != kDLInt || (d.bits != 64 && d.bits != 32) || d.lanes != 1) {
    char dn[48];
    op_dl_name(d, dn, sizeof dn);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has dtype %s; expected int64 or int32", name, dn);
  }
  DLTensor shadow = *t; /* op_common checks the rest as for a float tensor */
  shadow.dtype = (DLDataType){kDLFloat, 32, 1};
  liger_status st = op_common(c, name, &shadow, out);
  if (st) return st;
  out->t = t;
  out->dtype = d.bits == 64 ? LIGER_I64 : LIGER_I32;
  int64_t n = 1, expect = 1;
  bool compact = true;
  for (int i = t->ndim - 1; i >= 0; i--) {
    if (__builtin_mul_overflow(n, t->shape[i], &n)) return op_fail(c, LIGER_ERR_INVALID_ARG, "%s has too many elements", name);
    if (t->strides && t->shape[i] != 1 && t->strides[i] != expect) compact = false;
    expect *= t->shape[i];
  }
  if (!compact && n > 0) {
    char shape[256], strides[256];
    op_shape_str(t, shape, sizeof shape);
    op_strides_str(t, strides, sizeof strides);
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s is not contiguous (shape %s, strides %s)", name, shape, strides);
  }
  if ((uintptr_t)out->data % (d.bits / 8))
    return op_fail(c, LIGER_ERR_INVALID_ARG, "%s's data (+ byte_offset) is not aligned to its %d-byte elements", name,
                   d.bits / 8);
  out->rows = 1;
  out->cols = out->stride = n;
  op_span(out);
  return LIGER_OK;
}

/* Whether the bytes of a and b may meet. Two row views with the same row stride are
 * disjoint when each row of one sits in the gap of the other's rows (interleaved views of
 * one buffer, e.g. the halves of wider rows); otherwise the spans decide. */
static bool op_overlap(const OpTensor *a, const OpTensor *b) {
  if (a->lo == a->hi || b->lo == b->hi || a->hi <= b->lo || b->hi <= a->lo) return false;
  int64_t ea = (int64_t)liger_dtype_size(a->dtype), eb = (int64_t)liger_dtype_size(b->dtype);
  int64_t sa = a->stride * ea, sb = b->stride * eb, wa = a->cols * ea, wb = b->cols * eb;
  if (a->rows > 1 && b->rows > 1 && sa == sb && wa <= sa && wb <= sa) {
    int64_t r = ((int64_t)(b->lo - a->lo) % sa + sa) % sa;
    if (wa <= r && r + wb <= sa) return false;
  }
  return true;
}

static bool op_same_view(const OpTensor *a, const OpTensor *b) {
  return a->data == b->data && a->dtype == b->dtype && a->rows == b->rows && a->cols == b->cols &&
         (a->rows <= 1 || a->stride == b->stride);
}

liger_status op_check_overlaps(const OpCall *c, const OpTensor *const *outs, int nouts, const OpTensor *const *ins,
                               int nins) {
  for (int i = 0; i < nouts; i++) {
    const OpTensor *a = outs[i];
    if (!a->t) continue;
    for (int j = 0; j < nouts + nins; j++) {
      const OpTensor *b = j < nouts ? outs[j] : ins[j - nouts];
      if (j <= i || !b->t || !op_overlap(a, b)) continue;
      if (a->alias_ok == b || b->alias_ok == a) {
        if (op_same_view(a, b)) continue;
        return op_fail(c, LIGER_ERR_INVALID_ARG,
                       "%s overlaps %s without being the same view; to work in place, pass the same tensor (data, "
                       "shape and strides) for both",
                       a->name, b->name);
      }
      return op_fail(c, LIGER_ERR_INVALID_ARG, "%s overlaps %s; an output must not share memory with another argument",
                     a->name, b->name);
    }
  }
  return LIGER_OK;
}

/* ---- launch planning ---------------------------------------------------------------------- */

static int64_t op_np2(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

/* ---- the tuning database: a config per (op variant, bucket) ---------------------------------- */

typedef struct OpTuneCtx {
  liger_context *ctx;
  const char *variant;
  liger_dtype dtype;
  int64_t rows, cols;
} OpTuneCtx;

static bool op_tune_accept(void *ud, const char *config) {
  (void)ud;
  OpTune t;
  return op_tune_parse(config, &t);
}

/* A miss with tuning asked for: time the op's space at this call's shape (op_space.c). */
static liger_status op_tune_space_fn(void *ud, char *best, size_t n) {
  OpTuneCtx *x = ud;
  OpSpaceReport r;
  liger_status st = op_space_tune(x->ctx, x->variant, x->dtype, x->rows, x->cols, NULL, true, &r);
  if (r.best >= 0) snprintf(best, n, "%s", r.configs[r.best]); /* measured, even if not saved */
  bool ok = r.best >= 0;
  op_space_report_free(&r);
  return ok ? LIGER_OK : st;
}

static TuneMemo *op_memo(liger_context *ctx);

/* The knobs of this call's plan: LIGER_OPS_CONFIG's, then those of the config chosen for
 * the op variant and bucket (docs/tuning.md: the memo, the database, a measurement when
 * asked for, else none: the plan's defaults). The bucket is the call's: the dtype and shape
 * of its first row tensor (op_rows), not the (rows, cols) a plan is asked for, which for
 * SwiGLU or the losses is a fixed row (one block, or the looped form's 2^40); `rows` and
 * `cols` stand in only for a call with no row tensor. */
static void op_tune_for(const OpCall *c, int64_t rows, int64_t cols, OpTune *out) {
  OpTune db = {0};
  TuneMemo *memo;
  if (c->has_dtype) rows = c->rows, cols = c->cols;
  if (op_tune_forced) {
    db = *op_tune_forced;
  } else if ((memo = op_memo(c->ctx))) {
    char variant[64], bucket[256], config[1024];
    op_variant_name(c->fn, variant, sizeof variant);
    if (op_bucket(c->has_dtype ? (int)c->dtype : -1, rows, cols, bucket, sizeof bucket) == LIGER_OK) {
      OpTuneCtx x = {c->ctx, variant, c->has_dtype ? c->dtype : LIGER_F32, rows, cols};
      tune_decide(memo, c->ctx, variant, bucket, "", op_tune_accept,
                  c->has_dtype && op_space_has(variant) ? op_tune_space_fn : NULL, &x, config, sizeof config);
      if (!op_tune_parse(config, &db)) memset(&db, 0, sizeof db);
    }
  }
  *out = db;
  const OpTune *e = &op_tune;
  if (e->rows) out->rows = e->rows;
  if (e->bwd_rows) out->bwd_rows = e->bwd_rows;
  if (e->warps) out->warps = e->warps;
  if (e->bwd_warps) out->bwd_warps = e->bwd_warps;
  if (e->per_sm) out->per_sm = e->per_sm;
  if (e->chunk) out->chunk = e->chunk;
  if (e->bwd_chunk) out->bwd_chunk = e->bwd_chunk;
  if (e->prefetch) out->prefetch = e->prefetch;
}

int op_sm_count(const OpCall *c) { return c->ctx->info.num_sms > 0 ? c->ctx->info.num_sms : 1; }

int op_num_warps(const OpCall *c, int64_t elems) {
  int w = elems >= 32768 ? 32 : elems >= 8192 ? 16 : elems >= 2048 ? 8 : 4;
  if (c->ctx->target->kind == TGT_AMDGPU && c->ctx->target->warp_size == 64 && w > 16) w = 16;
  return w;
}

OpPlan op_plan_rows(const OpCall *c, int64_t rows, int64_t cols, OpPlanKind kind) {
  bool backward = kind != OP_PLAN_FWD;
  OpTune t;
  op_tune_for(c, rows, cols, &t);
  OpPlan p = {0};
  int sms = op_sm_count(c);
  int chunk = backward && t.bwd_chunk ? t.bwd_chunk : t.chunk;
  /* the partial-sum backwards hold dy, x and an fp32 dW row per thread: past 16384 elements
   * a tile needs 32 warps, whose 64-register cap spills (H200, RMSNorm at 2048 x 32768: 19%
   * of the copy bandwidth as a tile, against about 50% for the looped form at 131072) */
  int64_t np2 = op_np2(cols),
          limit = chunk ? chunk : kind == OP_PLAN_BWD_SUMS ? OP_BWD_SUMS_TILE_MAX : OP_TILE_MAX;
  int warps = backward && t.bwd_warps ? t.bwd_warps : t.warps;
  if (np2 > limit) {
    p.looped = true;
    p.block_m = 1;
    p.block_n = chunk ? chunk : OP_CHUNK;
  } else {
    p.block_n = (int)np2;
    int64_t bm = backward && t.bwd_rows ? t.bwd_rows : t.rows;
    if (!bm) {
      /* short rows share a program up to OP_TILE_TARGET elements, as long as every SM
       * still gets a few programs */
      bm = np2 < OP_TILE_TARGET ? OP_TILE_TARGET / np2 : 1;
      while (bm > 1 && (rows + bm - 1) / bm < 4 * (int64_t)sms) bm >>= 1;
    }
    if (bm > op_np2(rows > 0 ? rows : 1)) bm = op_np2(rows > 0 ? rows : 1);
    p.block_m = (int)bm;
  }
  /* the backward holds about twice the state per element (dy and x, the next block's
   * prefetch, fp32 sums): one step more warps keeps large tiles out of spills. Tiles of up
   * to 4096 elements take 4 warps: many small programs on an SM (op_fit_programs) keep more
   * rows in flight than a few large ones (H200, 16384 x 4096 bf16: RMSNorm backward 0.129
   * ms at 4 warps against 0.155 at 16, LayerNorm 0.154 against 0.186) */
  int64_t elems = (int64_t)p.block_m * p.block_n;
  p.num_warps = warps ? warps
                : kind == OP_PLAN_BWD_SUMS && !p.looped && elems <= OP_BWD_SMALL_TILE ? OP_BWD_SMALL_WARPS
                : op_num_warps(c, elems * (backward ? 2 : 1));
  p.per_sm = t.per_sm;
  p.chunk_set = chunk != 0;
  p.warps_set = warps != 0;
  if (backward) {
    /* prefetching the next block doubles the loaded state: past 8192 elements a tile it
     * spills (ptxas at 16384 and 32 warps) */
    p.prefetch = t.prefetch ? t.prefetch == 2 : (int64_t)p.block_m * p.block_n <= OP_PREFETCH_MAX;
    if (p.looped) {
      /* row groups per column chunk: about 32 warps per SM over the (chunk, group) grid */
      int per_sm = t.per_sm ? t.per_sm
                   : c->ctx->target->kind == TGT_CPU ? 4 : (32 / p.num_warps < 1 ? 1 : 32 / p.num_warps > 8 ? 8 : 32 / p.num_warps);
      int64_t chunks = (cols + p.block_n - 1) / p.block_n, want = ((int64_t)sms * per_sm + chunks - 1) / chunks;
      if (want > 65535) want = 65535; /* grid[1] */
      if (want > rows) want = rows;
      p.programs = (uint32_t)(want > 0 ? want : 1);
    } else {
      /* an upper bound; op_fit_programs sets the persistent grid from the kernel's occupancy */
      int64_t work = (rows + p.block_m - 1) / p.block_m, want = (int64_t)sms * OP_PER_SM_MAX;
      p.programs = (uint32_t)(want < work ? want : work);
    }
  }
  return p;
}

/* The persistent grid of a tile-form backward (p->programs), once its kernel k is known:
 * as many programs per SM as can be resident at once (liger_kernel_occupancy; at most 8;
 * LIGER_OPS_CONFIG's per_sm overrides; the CPU: 4 a worker), never more than the row blocks
 * of `rows`. `args` are the launch's (a placeholder may stand for the partials' pointer:
 * only its 16-byte alignment matters). The grid then runs in one wave. */
static liger_status op_fit_programs(const OpCall *c, liger_kernel *k, const liger_arg *args, int nargs, OpPlan *p,
                                    int64_t rows) {
  int per_sm = p->per_sm;
  if (!per_sm) {
    if (c->ctx->target->kind == TGT_CPU) {
      per_sm = 4; /* workers take programs as they free up: a few each, for balance */
    } else {
      liger_status st = liger_kernel_occupancy(k, args, nargs, &per_sm);
      if (st) return op_wrap(c, st);
      if (per_sm < 1) per_sm = 1;
      if (per_sm > OP_PER_SM_MAX) per_sm = OP_PER_SM_MAX;
    }
  }
  int64_t work = (rows + p->block_m - 1) / p->block_m, want = (int64_t)op_sm_count(c) * per_sm;
  if (want > work) want = work;
  p->programs = (uint32_t)(want > 0 ? want : 1);
  return LIGER_OK;
}

void op_chunk_plan(const OpCall *c, int64_t cols, int chunk, int per_thread, int *block, int *warps) {
  OpPlan p = op_plan_rows(c, 1, (int64_t)1 << 40, OP_PLAN_FWD);
  int64_t b = 1;
  while (b < cols && b < p.block_n && b < chunk) b <<= 1;
  int w = p.num_warps;
  while (w > 1 && (int64_t)w * 32 * per_thread > b) w >>= 1;
  *block = (int)b;
  *warps = w;
}

liger_status op_launch_sums(const OpCall *c, liger_kernel *k, liger_arg *a, int nargs, OpPlan *p, int64_t rows,
                            int64_t cols, const OpTensor *const *sums, const int *slots, int nsums) {
  liger_status st = op_fit_programs(c, k, a, nargs, p, rows);
  if (st) return st;
  size_t part = (size_t)p->programs * (size_t)cols * 4, need = 0; /* one [programs, cols] block */
  for (int i = 0; i < nsums; i++) need += sums[i] ? part : 0;
  void *scratch = NULL;
  OpScratch *hold = NULL;
  if (need && (st = op_scratch_get(c, need, &scratch, &hold))) return st;
  char *next = scratch;
  for (int i = 0; i < nsums; i++)
    if (sums[i]) a[slots[i]] = liger_arg_ptr(next, LIGER_F32), next += part; /* else never written */
  st = op_launch(c, k, p->programs, 1, a, nargs);
  next = scratch;
  for (int i = 0; i < nsums && !st; i++)
    if (sums[i]) st = op_sum_partials(c, next, p->programs, sums[i]), next += part;
  op_scratch_put(hold);
  return st;
}

/* ---- per-context state ----------------------------------------------------------------------- */

typedef struct OpEntry {
  struct OpEntry *next;
  uint64_t hash;
  char *key;
  size_t keylen;
  liger_kernel *k;
  char *path; /* the source's name as k knows it (k points at it) */
} OpEntry;

struct OpScratch {
  OpScratch *next;
  void *stream;
  void *ptr;
  size_t bytes;
  pthread_mutex_t lock; /* held from op_scratch_get to op_scratch_put */
};

typedef struct OpState {
  pthread_rwlock_t lock; /* the buckets */
  OpEntry *buckets[OP_BUCKETS];
  pthread_mutex_t scratch_lock; /* the scratch list (each entry has its own lock) */
  OpScratch *scratch;
  TuneMemo memo; /* the config chosen per (op variant, bucket): autotune/tuner.h */
} OpState;

static void op_state_release(liger_context *ctx) {
  OpState *s = ctx->ops;
  if (!s) return;
  for (int b = 0; b < OP_BUCKETS; b++)
    for (OpEntry *e = s->buckets[b], *n; e; e = n) {
      n = e->next;
      liger_kernel_release(e->k);
      free(e->path);
      free(e->key);
      free(e);
    }
  /* the whole device, not each stream: the host may have destroyed its streams by now */
  if (s->scratch) liger_synchronize(ctx, NULL);
  for (OpScratch *e = s->scratch, *n; e; e = n) {
    n = e->next;
    if (e->ptr) liger_free(ctx, e->ptr);
    pthread_mutex_destroy(&e->lock);
    free(e);
  }
  pthread_rwlock_destroy(&s->lock);
  pthread_mutex_destroy(&s->scratch_lock);
  tune_memo_free(&s->memo);
  free(s);
  ctx->ops = NULL;
}

static OpState *op_state(liger_context *ctx) {
  pthread_mutex_lock(&ctx->lock);
  OpState *s = ctx->ops;
  if (!s && (s = calloc(1, sizeof *s))) {
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->scratch_lock, NULL);
    tune_memo_init(&s->memo);
    ctx->ops = s;
    ctx->ops_release = op_state_release;
  }
  pthread_mutex_unlock(&ctx->lock);
  return s;
}

static TuneMemo *op_memo(liger_context *ctx) {
  OpState *s = op_state(ctx);
  return s ? &s->memo : NULL;
}

/* ---- the variant cache ------------------------------------------------------------------------ */

static uint64_t op_hash(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h;
}

/* Loads kernel `name` of kernels/`file`. The library keeps the file name (or path) it is
 * given for diagnostics and imports without copying it, so *name_out is a malloc'd string
 * that must live as long as the kernel (its cache entry owns it). */
static liger_status op_load(const OpCall *c, const char *file, const char *name, const liger_constexpr *consts,
                            int nconsts, int num_warps, liger_kernel **out, char **name_out) {
  const char *dir = getenv("LIGER_OPS_KERNEL_DIR");
  size_t len = strlen(file) + (dir && *dir ? strlen(dir) : 7) + 2;
  char *path = malloc(len);
  if (!path) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  *name_out = path;
  if (dir && *dir) {
    snprintf(path, len, "%s/%s", dir, file);
    return liger_kernel_load(c->ctx, path, name, consts, nconsts, num_warps, out);
  }
  snprintf(path, len, "kernels/%s", file);
  for (int i = 0; i < op_nsources; i++)
    if (!strcmp(op_sources[i].file, file))
      return liger_kernel_load_source(c->ctx, (const char *)op_sources[i].text, path, name, consts, nconsts, num_warps,
                                      out);
  return rt_fail(LIGER_ERR_INTERNAL, "kernels/%s is not embedded in this build of the library", file);
}

liger_status op_kernel(const OpCall *c, const char *file, const char *name, const liger_constexpr *consts, int nconsts,
                       int num_warps, liger_kernel **out) {
  OpState *s = op_state(c->ctx);
  if (!s) return op_fail(c, LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  char key[512];
  size_t n = (size_t)snprintf(key, sizeof key, "%s|%s|w=%d", file, name, num_warps);
  for (int i = 0; i < nconsts && n < sizeof key; i++)
    n += (size_t)snprintf(key + n, sizeof key - n, "|%s=%s", consts[i].name, consts[i].value);
  if (n >= sizeof key) return op_fail(c, LIGER_ERR_INTERNAL, "kernel key too long for %s", name);
  uint64_t h = op_hash(key, n);
  OpEntry **bucket = &s->buckets[h % OP_BUCKETS];

  pthread_rwlock_rdlock(&s->lock);
  for (OpEntry *e = *bucket; e; e = e->next)
    if (e->hash == h && e->keylen == n && !memcmp(e->key, key, n)) {
      *out = e->k;
      pthread_rwlock_unlock(&s->lock);
      return LIGER_OK;
    }
  pthread_rwlock_unlock(&s->lock);

  pthread_rwlock_wrlock(&s->lock);
  liger_status st = LIGER_OK;
  OpEntry *e = *bucket;
  while (e && !(e->hash == h && e->keylen == n && !memcmp(e->key, key, n))) e = e->next;
  if (!e) { /* still missing: parse the source now (compilation waits for the first launch) */
    liger_kernel *k = NULL;
    char *path = NULL;
    st = op_load(c, file, name, consts, nconsts, num_warps, &k, &path);
    if (st) {
      st = op_wrap(c, st);
      liger_kernel_release(k);
      free(path);
    } else if (!(e = calloc(1, sizeof *e)) || !(e->key = malloc(n + 1))) {
      liger_kernel_release(k);
      free(path);
      free(e);
      e = NULL;
      st = op_fail(c, LIGER_ERR_OUT_OF_MEMORY, "out of memory");
    } else {
      e->path = path;
      memcpy(e->key, key, n + 1);
      e->keylen = n;
      e->hash = h;
      e->k = k;
      e->next = *bucket;
      *bucket = e;
    }
  }
  if (e) *out = e->k;
  pthread_rwlock_unlock(&s->lock);
  return st;
}

liger_status op_launch(const OpCall *c, liger_kernel *k, uint32_t g0, uint32_t g1, const liger_arg *args, int nargs) {
  uint32_t grid[3] = {g0, g1, 1};
  liger_status st = liger_launch(k, grid, c->stream, args, nargs);
  return st ? op_wrap(c, st) : LIGER_OK;
}

/* ---- scratch ---------------------------------------------------------------------------------- */

liger_status op_scratch_get(const OpCall *c, size_t bytes, void **ptr, OpScratch **hold) {
  *ptr = NULL;
  *hold = NULL;
  OpState *s = op_state(c->ctx);
  if (!s) return op_fail(c, LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  pthread_mutex_lock(&s->scratch_lock);
  OpScratch *e = s->scratch;
  while (e && e->stream != c->stream) e = e->next;
  if (!e && (e = calloc(1, sizeof *e))) {
    e->stream = c->stream;
    pthread_mutex_init(&e->lock, NULL);
    e->next = s->scratch;
    s->scratch = e;
  }
  pthread_mutex_unlock(&s->scratch_lock);
  if (!e) return op_fail(c, LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  pthread_mutex_lock(&e->lock);
  if (e->bytes < bytes) {
    liger_status st = LIGER_OK;
    if (e->ptr) { /* earlier work on this stream may still read the old buffer */
      st = liger_synchronize(c->ctx, c->stream);
      if (!st) st = liger_free(c->ctx, e->ptr);
      e->ptr = NULL;
      e->bytes = 0;
    }
    size_t want = (bytes + 65535) & ~(size_t)65535;
    if (!st) st = liger_malloc(c->ctx, want, &e->ptr);
    if (st) {
      e->ptr = NULL;
      pthread_mutex_unlock(&e->lock);
      return op_wrap(c, st);
    }
    e->bytes = want;
  }
  *ptr = e->ptr;
  *hold = e;
  return LIGER_OK;
}

void op_scratch_put(OpScratch *hold) {
  if (hold) pthread_mutex_unlock(&hold->lock);
}

liger_status liger_ops_scratch(liger_context *ctx, size_t *bytes, int release) {
  if (bytes) *bytes = 0;
  if (!ctx) return rt_fail(LIGER_ERR_INVALID_ARG, "liger_ops_scratch: ctx is NULL");
  pthread_mutex_lock(&ctx->lock);
  OpState *s = ctx->ops; /* none yet: no op has run, nothing is held */
  pthread_mutex_unlock(&ctx->lock);
  if (!s) return LIGER_OK;
  liger_status st = LIGER_OK;
  size_t held = 0;
  pthread_mutex_lock(&s->scratch_lock);
  for (OpScratch *e = s->scratch; e; e = e->next) {
    pthread_mutex_lock(&e->lock); /* waits for an op that is using it */
    if (release && e->ptr) {
      /* work queued on the stream may still use the buffer */
      liger_status r = liger_synchronize(ctx, e->stream);
      if (!r) r = liger_free(ctx, e->ptr);
      if (!r) e->ptr = NULL, e->bytes = 0;
      if (r && !st) st = r;
    }
    held += e->bytes;
    pthread_mutex_unlock(&e->lock);
  }
  pthread_mutex_unlock(&s->scratch_lock);
  if (bytes) *bytes = held;
  return st;
}

/* ---- sums of partial rows ------------------------------------------------------------------------ */

liger_status op_sum_partials(const OpCall *c, const void *partials, int64_t nparts, const OpTensor *out) {
  char bp[16], bn[16];
  snprintf(bp, sizeof bp, "%d", OP_SUM_BLOCK_P);
  snprintf(bn, sizeof bn, "%d", OP_SUM_BLOCK_N);
  liger_constexpr k[] = {{"BLOCK_P", bp}, {"BLOCK_N", bn}};
  liger_kernel *kern;
  liger_status st = op_kernel(c, "sum_rows.py", "sum_rows", k, 2, 4, &kern);
  if (st) return st;
  liger_arg a[] = {op_ptr(out), liger_arg_ptr(partials ? (void *)partials : out->data, LIGER_F32), op_i64(nparts),
                   op_i64(out->cols)};
  return op_launch(c, kern, (uint32_t)((out->cols + OP_SUM_BLOCK_N - 1) / OP_SUM_BLOCK_N), 1, a, 4);
}
