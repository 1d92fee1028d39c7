/*
 * op_space.c — the ops' tuning spaces (interface in op.h; docs/tuning.md, "Op spaces").
 *
 * An op config is a set of LIGER_OPS_CONFIG knobs ("rows=2,warps=8"), applied to one op
 * variant ("rms_norm.fwd") at one bucket (dtype, np2(cols), np2(rows)). A space is the
 * default plan's knobs plus, for the row tile form, rows per program {1, 2, 4, ...} (tiles
 * up to 16384 elements) x num_warps {4, 8, 16, 32}, and for rows longer than 8192
 * elements the looped form's chunk {2048, 4096, 8192} x num_warps {4, 8, 16}.
 *
 * The ops whose plan is one fixed row (SwiGLU and GeGLU: a block of 4096 elements; the
 * losses: a chunk of the row) have the chunk form instead: the default chunk and a quarter
 * and half of it, each at its natural warps (about 16 elements a thread), half that, and
 * (where the op takes the warps as given) twice that. Their bucket is still the call's
 * shape: op_tune_for takes it from the call's first row tensor (OpCall.rows, .cols).
 *
 * To time a config the tuner calls the public op on inputs of the bucket's shape with the
 * config forced for the calling thread (op_tune_force), so what is timed is the whole op:
 * every launch it makes, partial sums included. A variant is tunable when this file knows
 * how to make its inputs: the table `defs` below.
 */
#include "op.h"

#include "internal.h"
#include "tuner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names and buckets ------------------------------------------------------------------- */

void op_variant_name(const char *fn, char *out, size_t n) {
  const char *p = strncmp(fn, "liger_", 6) ? fn : fn + 6;
  size_t len = strlen(p);
  static const struct { const char *suffix, *variant; } map[] = {{"_forward", "fwd"}, {"_backward", "bwd"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    size_t sl = strlen(map[i].suffix);
    if (len > sl && !strcmp(p + len - sl, map[i].suffix)) {
      snprintf(out, n, "%.*s.%s", (int)(len - sl), p, map[i].variant);
      return;
    }
  }
  snprintf(out, n, "%s", p);
}

static const char *op_dtype_short(int dt) {
  return dt == LIGER_F32 ? "fp32" : dt == LIGER_BF16 ? "bf16" : dt == LIGER_F16 ? "fp16" : "other";
}

liger_status op_bucket(int dtype, int64_t rows, int64_t cols, char *out, size_t n) {
  TuneKeyVal kv[3] = {{"cols", cols, NULL}, {"rows", rows, NULL}, {"dtype", 0, op_dtype_short(dtype)}};
  return tune_bucket(kv, dtype < 0 ? 2 : 3, out, n);
}

/* ---- inputs and one call per variant ----------------------------------------------------- */

/* The tensors of one tuning run, all of one (rows, cols) shape or (cols,) or (rows,). */
typedef struct OpBuf {
  liger_context *ctx;
  int64_t rows, cols;
  int64_t shape2[2], shape_c[1], shape_r[1];
  int64_t shape_1[1];
  DLTensor x, y, dy, dx, w, b, dw, db, mean, rstd;
  DLTensor x2, dx2; /* (rows, cols): GLU's b and db */
  DLTensor target;  /* (rows,) int64 classes in [0, cols) */
  DLTensor loss, g; /* (1,) fp32: a reduced loss; a grad_output of -1 (bounded when repeated) */
  void *mem[16];
} OpBuf;

typedef struct OpSpaceDef {
  const char *variant;
  const char *fn; /* the public function (op_plan_rows sees it as OpCall.fn) */
  OpPlanKind kind;
  liger_status (*setup)(OpBuf *b); /* makes what the call reads (the forward's outputs); may be NULL */
  liger_status (*run)(OpBuf *b, void *stream);
  /* the chunk form (chunk > 0): the plan's default chunk and warps, elements a thread the
   * warps are cut down to, whether the chunk is cut to np2(cols), whether the plan cuts a
   * config's warps too (then more warps than the natural ones are no different) */
  int chunk, warps, per_thread;
  bool cols_cap, warps_cut;
} OpSpaceDef;

static liger_status rms_fwd(OpBuf *b, void *s) {
  return liger_rms_norm_forward(b->ctx, s, &b->x, &b->w, &b->y, &b->rstd, 1e-6f, 0.0f, LIGER_RMS_CAST_LLAMA);
}
static liger_status rms_bwd(OpBuf *b, void *s) {
  return liger_rms_norm_backward(b->ctx, s, &b->dy, &b->x, &b->w, &b->rstd, &b->dx, &b->dw, 0.0f, LIGER_RMS_CAST_LLAMA);
}
static liger_status ln_fwd(OpBuf *b, void *s) {
  return liger_layer_norm_forward(b->ctx, s, &b->x, &b->w, &b->b, &b->y, &b->mean, &b->rstd, 1e-5f);
}
static liger_status ln_bwd(OpBuf *b, void *s) {
  return liger_layer_norm_backward(b->ctx, s, &b->dy, &b->x, &b->w, &b->b, &b->mean, &b->rstd, &b->dx, &b->dw, &b->db);
}
static liger_status sm_fwd(OpBuf *b, void *s) { return liger_softmax_forward(b->ctx, s, &b->x, &b->y); }
static liger_status sm_bwd(OpBuf *b, void *s) { return liger_softmax_backward(b->ctx, s, &b->dy, &b->y, &b->dx); }
static liger_status sp_fwd(OpBuf *b, void *s) { return liger_sparsemax_forward(b->ctx, s, &b->x, &b->y); }
static liger_status sp_bwd(OpBuf *b, void *s) { return liger_sparsemax_backward(b->ctx, s, &b->dy, &b->y, &b->dx); }

static liger_status rms_setup(OpBuf *b) { return rms_fwd(b, NULL); }
static liger_status ln_setup(OpBuf *b) { return ln_fwd(b, NULL); }
static liger_status sm_setup(OpBuf *b) { return sm_fwd(b, NULL); }
static liger_status sp_setup(OpBuf *b) { return sp_fwd(b, NULL); }

static liger_status swiglu_fwd(OpBuf *b, void *s) { return liger_swiglu_forward(b->ctx, s, &b->x, &b->x2, &b->y); }
static liger_status swiglu_bwd(OpBuf *b, void *s) {
  return liger_swiglu_backward(b->ctx, s, &b->dy, &b->x, &b->x2, &b->dx, &b->dx2);
}
static liger_status geglu_fwd(OpBuf *b, void *s) { return liger_geglu_forward(b->ctx, s, &b->x, &b->x2, &b->y); }
static liger_status geglu_bwd(OpBuf *b, void *s) {
  return liger_geglu_backward(b->ctx, s, &b->dy, &b->x, &b->x2, &b->dx, &b->dx2);
}
/* the forward writes the gradient over the logits: repeated, they stay in [-1, 1] */
static liger_status ce_fwd(OpBuf *b, void *s) {
  return liger_cross_entropy_forward(b->ctx, s, &b->x, &b->target, NULL, &b->loss, NULL, NULL);
}
static liger_status kl_fwd(OpBuf *b, void *s) {
  return liger_kl_div_forward(b->ctx, s, &b->x, &b->y, &b->loss, LIGER_KL_REDUCTION_BATCHMEAN, 0, 1e-10f);
}
static liger_status kl_bwd(OpBuf *b, void *s) {
  return liger_kl_div_backward(b->ctx, s, &b->y, NULL, &b->dx, LIGER_KL_REDUCTION_BATCHMEAN, 0);
}
static liger_status jsd_fwd(OpBuf *b, void *s) {
  return liger_jsd_forward(b->ctx, s, &b->x, &b->x2, NULL, &b->loss, &b->dx, 0.5f, -100);
}
static liger_status jsd_bwd(OpBuf *b, void *s) { return liger_jsd_backward(b->ctx, s, &b->dx, &b->g); }
static liger_status jsd_setup(OpBuf *b) { return jsd_fwd(b, NULL); }

/* cross_entropy.bwd has no space: its chunk and warps are fixed (CE_BWD_BLOCK); embedding
 * and rope neither (docs/tuning.md, "Op spaces"). */

static const OpSpaceDef defs[] = {
    {"rms_norm.fwd", "liger_rms_norm_forward", OP_PLAN_FWD, NULL, rms_fwd, 0, 0, 0, false, false},
    {"rms_norm.bwd", "liger_rms_norm_backward", OP_PLAN_BWD_SUMS, rms_setup, rms_bwd, 0, 0, 0, false, false},
    {"layer_norm.fwd", "liger_layer_norm_forward", OP_PLAN_FWD, NULL, ln_fwd, 0, 0, 0, false, false},
    {"layer_norm.bwd", "liger_layer_norm_backward", OP_PLAN_BWD_SUMS, ln_setup, ln_bwd, 0, 0, 0, false, false},
    {"softmax.fwd", "liger_softmax_forward", OP_PLAN_FWD, NULL, sm_fwd, 0, 0, 0, false, false},
    {"softmax.bwd", "liger_softmax_backward", OP_PLAN_BWD, sm_setup, sm_bwd, 0, 0, 0, false, false},
    {"sparsemax.fwd", "liger_sparsemax_forward", OP_PLAN_FWD, NULL, sp_fwd, 0, 0, 0, false, false},
    {"sparsemax.bwd", "liger_sparsemax_backward", OP_PLAN_BWD, sp_setup, sp_bwd, 0, 0, 0, false, false},
    /* chunk form: the constants of glu.c (GLU_BLOCK), cross_entropy.c (CE_BLOCK, CE_WARPS),
     * kl_div.c and jsd.c (the chunk, op_num_warps of the looped form's 8192) */
    {"swiglu.fwd", "liger_swiglu_forward", OP_PLAN_FWD, NULL, swiglu_fwd, 4096, 8, 16, false, false},
    {"swiglu.bwd", "liger_swiglu_backward", OP_PLAN_FWD, NULL, swiglu_bwd, 4096, 8, 16, false, false},
    {"geglu.fwd", "liger_geglu_forward", OP_PLAN_FWD, NULL, geglu_fwd, 4096, 8, 16, false, false},
    {"geglu.bwd", "liger_geglu_backward", OP_PLAN_FWD, NULL, geglu_bwd, 4096, 8, 16, false, false},
    {"cross_entropy.fwd", "liger_cross_entropy_forward", OP_PLAN_FWD, NULL, ce_fwd, 16384, 32, 16, true, false},
    {"kl_div.fwd", "liger_kl_div_forward", OP_PLAN_FWD, NULL, kl_fwd, 4096, 16, 16, true, true},
    {"kl_div.bwd", "liger_kl_div_backward", OP_PLAN_FWD, NULL, kl_bwd, 4096, 16, 16, true, true},
    {"jsd.fwd", "liger_jsd_forward", OP_PLAN_FWD, NULL, jsd_fwd, 4096, 16, 16, true, true},
    {"jsd.bwd", "liger_jsd_backward", OP_PLAN_FWD, jsd_setup, jsd_bwd, 4096, 16, 16, true, true},
};
#define NDEFS ((int)(sizeof defs / sizeof defs[0]))

const char *const op_space_variants[] = {
    "rms_norm.fwd",      "rms_norm.bwd", "layer_norm.fwd", "layer_norm.bwd", "softmax.fwd", "softmax.bwd",
    "sparsemax.fwd",     "sparsemax.bwd", "swiglu.fwd",    "swiglu.bwd",     "geglu.fwd",   "geglu.bwd",
    "cross_entropy.fwd", "kl_div.fwd",    "kl_div.bwd",    "jsd.fwd",        "jsd.bwd",     NULL};

static const OpSpaceDef *op_space_def(const char *variant) {
  for (int i = 0; i < NDEFS; i++)
    if (!strcmp(defs[i].variant, variant)) return &defs[i];
  return NULL;
}

bool op_space_has(const char *variant) { return op_space_def(variant) != NULL; }

/* fp32 → bf16 / fp16 bits (round to nearest even; the values here are small and finite). */
static uint16_t op_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}
static uint16_t op_to_f16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  uint32_t sign = (u >> 16) & 0x8000;
  int e = (int)((u >> 23) & 0xff) - 127 + 15;
  uint32_t m = u & 0x7fffff;
  if (e <= 0) return (uint16_t)sign; /* tiny: zero is fine for timing inputs */
  return (uint16_t)(sign | (uint32_t)e << 10 | (m + 0x1000) >> 13);
}

/* A device tensor of n elements filled with a fixed pseudo-random pattern in [lo, hi). */
static liger_status op_buf_tensor(OpBuf *b, int slot, DLTensor *t, liger_dtype dt, int ndim, int64_t *shape,
                                  float lo, float hi, uint32_t seed) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++) n *= shape[i];
  size_t es = liger_dtype_size(dt), bytes = (size_t)n * es;
  liger_status st = liger_malloc(b->ctx, bytes ? bytes : 1, &b->mem[slot]);
  if (st) return st;
  unsigned char *h = malloc(bytes ? bytes : 1);
  if (!h) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  uint32_t r = seed;
  for (int64_t i = 0; i < n; i++) {
    r = r * 1664525u + 1013904223u;
    float f = lo + (hi - lo) * (float)(r >> 8) / 16777216.0f;
    if (dt == LIGER_F32) memcpy(h + i * 4, &f, 4);
    else {
      uint16_t v = dt == LIGER_BF16 ? op_to_bf16(f) : op_to_f16(f);
      memcpy(h + i * 2, &v, 2);
    }
  }
  st = liger_memcpy_htod(b->ctx, b->mem[slot], h, bytes);
  free(h);
  const char *be = b->ctx->be->name;
  DLDevice d = {kDLCPU, 0};
  if (strcmp(be, "cpu")) d = (DLDevice){!strcmp(be, "cuda") ? kDLCUDA : kDLROCM, b->ctx->ordinal};
  *t = (DLTensor){.data = b->mem[slot], .device = d, .ndim = ndim, .shape = shape,
                  .dtype = {dt == LIGER_BF16 ? kDLBfloat : kDLFloat, (uint8_t)(es * 8), 1}};
  return st;
}

/* The (rows,) int64 targets: classes in [0, cols), a fixed pseudo-random pattern. */
static liger_status op_buf_target(OpBuf *b, int slot) {
  size_t bytes = (size_t)b->rows * 8;
  liger_status st = liger_malloc(b->ctx, bytes, &b->mem[slot]);
  if (st) return st;
  int64_t *h = malloc(bytes);
  if (!h) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  uint32_t r = 11;
  for (int64_t i = 0; i < b->rows; i++) {
    r = r * 1664525u + 1013904223u;
    h[i] = (int64_t)((r >> 8) % (uint32_t)b->cols);
  }
  st = liger_memcpy_htod(b->ctx, b->mem[slot], h, bytes);
  free(h);
  b->target = b->mean; /* the device and shape (rows,) */
  b->target.data = b->mem[slot];
  b->target.dtype = (DLDataType){kDLInt, 64, 1};
  return st;
}

static void op_buf_free(OpBuf *b) {
  for (int i = 0; i < 16; i++)
    if (b->mem[i]) liger_free(b->ctx, b->mem[i]);
}

static liger_status op_buf_make(OpBuf *b, liger_context *ctx, liger_dtype dt, int64_t rows, int64_t cols) {
  memset(b, 0, sizeof *b);
  b->ctx = ctx;
  b->rows = rows;
  b->cols = cols;
  b->shape2[0] = rows, b->shape2[1] = cols, b->shape_c[0] = cols, b->shape_r[0] = rows, b->shape_1[0] = 1;
  liger_status st;
  if ((st = op_buf_tensor(b, 0, &b->x, dt, 2, b->shape2, -2, 2, 1)) ||
      (st = op_buf_tensor(b, 1, &b->y, dt, 2, b->shape2, 0, 1, 2)) ||
      (st = op_buf_tensor(b, 2, &b->dy, dt, 2, b->shape2, -1, 1, 3)) ||
      (st = op_buf_tensor(b, 3, &b->dx, dt, 2, b->shape2, 0, 0, 4)) ||
      (st = op_buf_tensor(b, 4, &b->w, dt, 1, b->shape_c, 0.5f, 1.5f, 5)) ||
      (st = op_buf_tensor(b, 5, &b->b, dt, 1, b->shape_c, -0.5f, 0.5f, 6)) ||
      (st = op_buf_tensor(b, 6, &b->dw, dt, 1, b->shape_c, 0, 0, 7)) ||
      (st = op_buf_tensor(b, 7, &b->db, dt, 1, b->shape_c, 0, 0, 8)) ||
      (st = op_buf_tensor(b, 8, &b->mean, LIGER_F32, 1, b->shape_r, 0, 0, 9)) ||
      (st = op_buf_tensor(b, 9, &b->rstd, LIGER_F32, 1, b->shape_r, 1, 1, 10)) ||
      (st = op_buf_tensor(b, 10, &b->x2, dt, 2, b->shape2, -2, 2, 11)) ||
      (st = op_buf_tensor(b, 11, &b->dx2, dt, 2, b->shape2, 0, 0, 12)) ||
      (st = op_buf_tensor(b, 12, &b->loss, LIGER_F32, 1, b->shape_1, 0, 0, 13)) ||
      (st = op_buf_tensor(b, 13, &b->g, LIGER_F32, 1, b->shape_1, -1, -1, 14)) || (st = op_buf_target(b, 14)))
    op_buf_free(b);
  return st;
}

/* ---- the space ------------------------------------------------------------------------------ */

static int64_t op_np2_64(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

/* Adds config text c unless it is there already. */
static void op_space_add(char **list, int *n, int cap, const char *c) {
  for (int i = 0; i < *n; i++)
    if (!strcmp(list[i], c)) return;
  if (*n < cap && (list[*n] = strdup(c))) (*n)++;
}

/* The warps a chunk-form plan gives a chunk of ch elements without a config. */
static int op_chunk_warps(const OpSpaceDef *def, int64_t ch, int max_warps) {
  int w = def->warps < max_warps ? def->warps : max_warps;
  while (w > 1 && (int64_t)w * 32 * def->per_thread > ch) w >>= 1;
  return w;
}

/* The chunk form's configs (the file's header); list[0] is the default plan's knobs. */
static int op_space_chunks(const OpSpaceDef *def, int64_t cols, int max_warps, char **list, int cap) {
  int64_t ch0 = def->chunk, np2 = op_np2_64(cols);
  if (def->cols_cap && ch0 > np2) ch0 = np2 < 16 ? 16 : np2; /* 16: the smallest chunk a config takes */
  char buf[128];
  int n = 0;
  snprintf(buf, sizeof buf, "chunk=%lld,warps=%d", (long long)ch0, op_chunk_warps(def, ch0, max_warps));
  op_space_add(list, &n, cap, buf);
  for (int64_t ch = ch0 / 4 < 16 ? 16 : ch0 / 4; ch <= ch0; ch *= 2) {
    int wn = op_chunk_warps(def, ch, max_warps);
    for (int w = wn > 1 ? wn / 2 : 1; w <= (def->warps_cut ? wn : 2 * wn) && w <= max_warps; w *= 2) {
      snprintf(buf, sizeof buf, "chunk=%lld,warps=%d", (long long)ch, w);
      op_space_add(list, &n, cap, buf);
    }
  }
  for (int i = 0; i < n; i++) tune_config_canon(list[i], list[i], strlen(list[i]) + 1);
  return n;
}

/* The configs of def's space at (rows, cols); list[0] is the default plan's knobs. */
static int op_space_configs(liger_context *ctx, const OpSpaceDef *def, liger_dtype dt, int64_t rows, int64_t cols,
                            char **list, int cap) {
  const char *t = liger_context_target(ctx);
  int max_warps = !strncmp(t, "gfx9", 4) ? 16 : 32; /* 64-lane waves: 1024 threads at 16 */
  if (def->chunk) return op_space_chunks(def, cols, max_warps, list, cap);
  OpCall c = {.fn = def->fn, .ctx = ctx, .dtype = dt, .rows = rows, .cols = cols, .has_dtype = true};
  static const OpTune none;
  op_tune_force(&none);
  OpPlan p = op_plan_rows(&c, rows, cols, def->kind);
  op_tune_force(NULL);
  char buf[128];
  int n = 0;
  if (p.looped) snprintf(buf, sizeof buf, "chunk=%d,warps=%d", p.block_n, p.num_warps);
  else snprintf(buf, sizeof buf, "rows=%d,warps=%d", p.block_m, p.num_warps);
  op_space_add(list, &n, cap, buf);
  int64_t np2 = op_np2_64(cols), nrows = op_np2_64(rows > 0 ? rows : 1);
  if (np2 <= 65536)
    for (int r = 1; r <= 16 && r <= nrows && r * np2 <= 16384; r *= 2)
      for (int w = 4; w <= max_warps; w *= 2) {
        snprintf(buf, sizeof buf, "rows=%d,warps=%d", r, w);
        op_space_add(list, &n, cap, buf);
      }
  if (np2 > 8192)
    for (int ch = 2048; ch <= 8192 && ch < np2; ch *= 2)
      for (int w = 4; w <= 16; w *= 2) {
        snprintf(buf, sizeof buf, "chunk=%d,warps=%d", ch, w);
        op_space_add(list, &n, cap, buf);
      }
  for (int i = 0; i < n; i++) tune_config_canon(list[i], list[i], strlen(list[i]) + 1);
  return n;
}

typedef struct OpSpaceRun {
  const OpSpaceDef *def;
  OpBuf *buf;
  OpTune *tunes;
} OpSpaceRun;

static liger_status op_space_run(void *ud, int i, void *stream) {
  OpSpaceRun *r = ud;
  op_tune_force(&r->tunes[i]);
  liger_status st = r->def->run(r->buf, stream);
  op_tune_force(NULL);
  return st;
}

void op_space_report_free(OpSpaceReport *r) {
  for (int i = 0; r->configs && i < r->n; i++) free(r->configs[i]);
  free(r->configs);
  free(r->t);
  memset(r, 0, sizeof *r);
}

liger_status op_space_tune(liger_context *ctx, const char *variant, liger_dtype dtype, int64_t rows, int64_t cols,
                           const struct TuneBenchOpts *o, bool write_db, OpSpaceReport *r) {
  memset(r, 0, sizeof *r);
  r->best = -1;
  const OpSpaceDef *def = op_space_def(variant);
  if (!def) return rt_fail(LIGER_ERR_INVALID_ARG, "no tuning space for op variant '%s'", variant);
  if (liger_context_offline(ctx, NULL))
    return rt_fail(LIGER_ERR_UNSUPPORTED, "%s: the context is offline (%s): there is no device to time configs on; "
                   "tune on a context of the device itself", variant, liger_context_target(ctx));
  if (rows < 1 || cols < 1) return rt_fail(LIGER_ERR_INVALID_ARG, "%s: shape %lld x %lld", variant, (long long)rows,
                                           (long long)cols);
  if (dtype != LIGER_F32 && dtype != LIGER_BF16 && dtype != LIGER_F16)
    return rt_fail(LIGER_ERR_INVALID_ARG, "%s: dtype must be fp32, bf16 or fp16", variant);
  liger_status st = op_bucket(dtype, rows, cols, r->bucket, sizeof r->bucket);
  if (st) return st;
  enum { CAP = 64 };
  r->configs = calloc(CAP, sizeof(char *));
  if (!r->configs) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  r->n = op_space_configs(ctx, def, dtype, rows, cols, r->configs, CAP);
  r->t = calloc((size_t)r->n + 1, sizeof *r->t);
  OpTune *tunes = calloc((size_t)r->n + 1, sizeof *tunes);
  if (!r->t || !tunes) {
    free(tunes);
    op_space_report_free(r);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  }
  for (int i = 0; i < r->n; i++) op_tune_parse(r->configs[i], &tunes[i]);
  OpBuf buf;
  /* the caller's work may still use the device: the timings start from an idle one */
  if (!(st = liger_synchronize(ctx, NULL)) && !(st = op_buf_make(&buf, ctx, dtype, rows, cols))) {
    op_tune_force(&tunes[0]);
    st = def->setup ? def->setup(&buf) : LIGER_OK;
    op_tune_force(NULL);
    OpSpaceRun run = {def, &buf, tunes};
    if (!st)
      st = tune_measure(ctx, variant, r->bucket, (const char *const *)r->configs, r->n, op_space_run, &run, o, write_db,
                        r->t, &r->best);
    liger_synchronize(ctx, NULL);
    op_buf_free(&buf);
  }
  free(tunes);
  return st;
}
