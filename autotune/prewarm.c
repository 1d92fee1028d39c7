/*
 * prewarm.c — the op table of liger-tune prewarm (prewarm.h): for each op, its default
 * shapes and a function that calls its forward and backward over the options that change
 * which kernels are built (Liger's casting modes, optional weights, reductions, betas, id
 * types, ...). Tensors are allocated on the context; on an offline one (liger.h) they are
 * fake addresses and the launches do not run, so the anchors.md shapes cost nothing.
 *
 * Work is split into units — one op at one shape and one dtype — that `jobs` threads take
 * in turn; the binary cache's statistics (liger_cache_query) tell what was compiled.
 */
#include "prewarm.h"

#include "liger/ops.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { PW_MAX_TENSORS = 16, PW_OCC_MAX = 8 /* kernels/op.h OP_PER_SM_MAX */ };

/* ---- one unit's calls ------------------------------------------------------------------- */

typedef struct PwRun PwRun;

typedef struct PwCall {
  PwRun *run;
  liger_context *ctx;
  int device_type; /* kDLCUDA, kDLROCM, kDLCPU */
  const PrewarmShape *shape;
  DLDataType dt;   /* the unit's float dtype */
  const char *dtname;
  const char *variant; /* the options of the calls in progress, for failure lines */
  void *ptrs[PW_MAX_TENSORS];
  int nptrs;
  bool alloc_failed;
} PwCall;

typedef struct PwTensor {
  DLTensor t;
  int64_t shape[PREWARM_MAX_DIMS], strides[PREWARM_MAX_DIMS];
} PwTensor;

static const DLDataType pw_f32 = {kDLFloat, 32, 1}, pw_bf16 = {kDLBfloat, 16, 1}, pw_f16 = {kDLFloat, 16, 1},
                        pw_i64 = {kDLInt, 64, 1}, pw_i32 = {kDLInt, 32, 1};

/* A tensor of `dt` with dims d[0..nd) on the call's device, compact unless `strides`. */
static DLTensor *pw_tensor(PwCall *c, PwTensor *x, DLDataType dt, int nd, const int64_t *d, const int64_t *strides) {
  memset(x, 0, sizeof *x);
  int64_t n = 1, span = 1;
  for (int i = 0; i < nd; i++) {
    x->shape[i] = d[i];
    n *= d[i];
    if (strides) {
      x->strides[i] = strides[i];
      span += (d[i] - 1) * strides[i];
    }
  }
  if (!strides) span = n;
  void *p = NULL;
  if (c->nptrs < PW_MAX_TENSORS && liger_malloc(c->ctx, (size_t)span * dt.bits / 8, &p) == LIGER_OK)
    c->ptrs[c->nptrs++] = p;
  else
    c->alloc_failed = true;
  /* On a real device the kernels run: zeros make every index (ids, targets) valid, where
   * whatever the allocation held could send a gather out of bounds. */
  if (p && !liger_context_offline(c->ctx, NULL) && liger_memset_d8(c->ctx, p, 0, (size_t)span * dt.bits / 8) != LIGER_OK)
    c->alloc_failed = true;
  x->t = (DLTensor){.data = p, .device = {(DLDeviceType)c->device_type, 0}, .ndim = nd, .dtype = dt,
                    .shape = x->shape, .strides = strides ? x->strides : NULL};
  return &x->t;
}

static DLTensor *pw_2d(PwCall *c, PwTensor *x, DLDataType dt, int64_t m, int64_t n) {
  int64_t d[2] = {m, n};
  return pw_tensor(c, x, dt, 2, d, NULL);
}

static DLTensor *pw_1d(PwCall *c, PwTensor *x, DLDataType dt, int64_t n) { return pw_tensor(c, x, dt, 1, &n, NULL); }

static void pw_release(PwCall *c) {
  for (int i = 0; i < c->nptrs; i++) liger_free(c->ctx, c->ptrs[i]);
  c->nptrs = 0;
  c->alloc_failed = false;
}

struct PwRun {
  const char *target;
  pthread_mutex_t lock; /* failures, calls, progress */
  PrewarmResult *r;
};

static void pw_failure(PwCall *c, const char *step, const char *msg) {
  char dims[96];
  size_t n = 0;
  for (int i = 0; i < c->shape->nd && n < sizeof dims; i++)
    n += (size_t)snprintf(dims + n, sizeof dims - n, "%s%lld", i ? "x" : "", (long long)c->shape->d[i]);
  size_t len = strlen(msg) + strlen(dims) + 256;
  char *line = malloc(len);
  if (!line) return;
  snprintf(line, len, "%s %s %s %s [%s] %s: %s", c->run->target, c->shape->op, c->dtname, dims, c->variant, step, msg);
  pthread_mutex_lock(&c->run->lock);
  char **f = realloc(c->run->r->failures, sizeof(char *) * (size_t)(c->run->r->nfailures + 1));
  if (f) {
    c->run->r->failures = f;
    f[c->run->r->nfailures++] = line;
  } else {
    free(line);
  }
  pthread_mutex_unlock(&c->run->lock);
}

/* Records one call's status; false when it failed (the backward then is skipped). */
static bool pw_ok(PwCall *c, const char *step, liger_status st) {
  pthread_mutex_lock(&c->run->lock);
  c->run->r->calls++;
  pthread_mutex_unlock(&c->run->lock);
  if (c->alloc_failed) {
    pw_failure(c, step, "could not allocate the tensors on the context");
    return false;
  }
  if (st != LIGER_OK) pw_failure(c, step, liger_last_error());
  return st == LIGER_OK;
}

/* ---- the ops ------------------------------------------------------------------------------ */

static void pw_rms_norm(PwCall *c, bool bwd_only) {
  static const struct { liger_rms_cast mode; const char *name; } modes[] = {
      {LIGER_RMS_CAST_NONE, "none"}, {LIGER_RMS_CAST_LLAMA, "llama"}, {LIGER_RMS_CAST_GEMMA, "gemma"}};
  int64_t m = c->shape->d[0], n = c->shape->d[1];
  for (int mi = 0; mi < 3; mi++)
    for (int has_w = 1; has_w >= 0; has_w--)
      for (int s32 = 0; s32 < 2; s32++) { /* rstd in fp32, or in x's dtype */
        DLDataType sdt = s32 ? pw_f32 : c->dt;
        if (s32 && c->dt.bits == 32) continue;
        char v[64];
        snprintf(v, sizeof v, "mode=%s w=%d rstd=%s", modes[mi].name, has_w, s32 ? "fp32" : c->dtname);
        c->variant = v;
        PwTensor x, w, y, r, dw;
        DLTensor *X = pw_2d(c, &x, c->dt, m, n), *W = has_w ? pw_1d(c, &w, c->dt, n) : NULL;
        DLTensor *Y = pw_2d(c, &y, c->dt, m, n), *R = pw_1d(c, &r, sdt, m), *DW = has_w ? pw_1d(c, &dw, c->dt, n) : NULL;
        if (bwd_only || pw_ok(c, "forward", liger_rms_norm_forward(c->ctx, NULL, X, W, Y, R, 1e-6f, 0.0f, modes[mi].mode)))
          pw_ok(c, "backward", liger_rms_norm_backward(c->ctx, NULL, Y, X, W, R, Y, DW, 0.0f, modes[mi].mode));
        pw_release(c);
      }
}

static void pw_layer_norm(PwCall *c, bool bwd_only) {
  int64_t m = c->shape->d[0], n = c->shape->d[1];
  for (int wb = 3; wb >= 0; wb--)
    for (int s32 = 0; s32 < 2; s32++) { /* mean and rstd in x's dtype (Liger) or fp32 */
      if (s32 && c->dt.bits == 32) continue;
      DLDataType sdt = s32 ? pw_f32 : c->dt;
      bool has_w = wb & 1, has_b = wb & 2;
      char v[64];
      snprintf(v, sizeof v, "w=%d b=%d stats=%s", has_w, has_b, s32 ? "fp32" : c->dtname);
      c->variant = v;
      PwTensor x, w, b, y, mu, r, dw, db;
      DLTensor *X = pw_2d(c, &x, c->dt, m, n), *W = has_w ? pw_1d(c, &w, c->dt, n) : NULL;
      DLTensor *B = has_b ? pw_1d(c, &b, c->dt, n) : NULL, *Y = pw_2d(c, &y, c->dt, m, n);
      DLTensor *MU = pw_1d(c, &mu, sdt, m), *R = pw_1d(c, &r, sdt, m);
      DLTensor *DW = has_w ? pw_1d(c, &dw, c->dt, n) : NULL, *DB = has_b ? pw_1d(c, &db, c->dt, n) : NULL;
      if (bwd_only || pw_ok(c, "forward", liger_layer_norm_forward(c->ctx, NULL, X, W, B, Y, MU, R, 1e-5f)))
        pw_ok(c, "backward", liger_layer_norm_backward(c->ctx, NULL, Y, X, W, B, MU, R, Y, DW, DB));
      pw_release(c);
    }
}

static void pw_glu(PwCall *c, bool geglu) {
  int64_t m = c->shape->d[0], n = c->shape->d[1];
  c->variant = geglu ? "geglu" : "swiglu";
  PwTensor a, b, o;
  DLTensor *A = pw_2d(c, &a, c->dt, m, n), *B = pw_2d(c, &b, c->dt, m, n), *O = pw_2d(c, &o, c->dt, m, n);
  if (pw_ok(c, "forward", (geglu ? liger_geglu_forward : liger_swiglu_forward)(c->ctx, NULL, A, B, O)))
    pw_ok(c, "backward", (geglu ? liger_geglu_backward : liger_swiglu_backward)(c->ctx, NULL, O, A, B, A, B));
  pw_release(c);
}

static void pw_swiglu(PwCall *c, bool bwd_only) { (void)bwd_only, pw_glu(c, false); }
static void pw_geglu(PwCall *c, bool bwd_only) { (void)bwd_only, pw_glu(c, true); }

static void pw_softmax_like(PwCall *c, bool sparse) {
  int64_t m = c->shape->d[0], n = c->shape->d[1];
  c->variant = "-";
  PwTensor x, y;
  DLTensor *X = pw_2d(c, &x, c->dt, m, n), *Y = pw_2d(c, &y, c->dt, m, n);
  if (pw_ok(c, "forward", (sparse ? liger_sparsemax_forward : liger_softmax_forward)(c->ctx, NULL, X, Y)))
    pw_ok(c, "backward", (sparse ? liger_sparsemax_backward : liger_softmax_backward)(c->ctx, NULL, X, Y, X));
  pw_release(c);
}

static void pw_softmax(PwCall *c, bool bwd_only) { (void)bwd_only, pw_softmax_like(c, false); }
static void pw_sparsemax(PwCall *c, bool bwd_only) { (void)bwd_only, pw_softmax_like(c, true); }

static void pw_cross_entropy(PwCall *c, bool bwd_only) {
  (void)bwd_only;
  /* the options that pick other kernels (HAS_WEIGHT, HAS_SMOOTHING, HAS_Z / STORE_Z,
   * HAS_SOFTCAP, the reduction, GRAD), as Liger's module combines them */
  static const struct { const char *name; bool w, smooth, z, ret_z, softcap, grad; } kinds[] = {
      {"plain", 0, 0, 0, 0, 0, 1},      {"weight", 1, 0, 0, 0, 0, 1},        {"smoothing", 0, 1, 0, 0, 0, 1},
      {"weight+smoothing", 1, 1, 0, 0, 0, 1}, {"z_loss", 0, 0, 1, 0, 0, 1}, {"z_loss+return_z", 0, 0, 1, 1, 0, 1},
      {"softcap", 0, 0, 0, 0, 1, 1},    {"no_grad", 0, 0, 0, 0, 0, 0},
  };
  static const struct { liger_ce_reduction r; const char *name; } reds[] = {
      {LIGER_CE_REDUCTION_MEAN, "mean"}, {LIGER_CE_REDUCTION_SUM, "sum"}, {LIGER_CE_REDUCTION_NONE, "none"}};
  int64_t m = c->shape->d[0], v = c->shape->d[1];
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    for (int ri = 0; ri < 3; ri++) {
      char name[64];
      snprintf(name, sizeof name, "%s reduction=%s", kinds[k].name, reds[ri].name);
      c->variant = name;
      liger_ce_options o = LIGER_CE_OPTIONS_INIT;
      o.reduction = reds[ri].r;
      o.label_smoothing = kinds[k].smooth ? 0.1f : 0.0f;
      o.lse_square_scale = kinds[k].z ? 1e-4f : 0.0f;
      o.softcap = kinds[k].softcap ? 30.0f : 0.0f;
      o.grad = kinds[k].grad;
      bool none = reds[ri].r == LIGER_CE_REDUCTION_NONE;
      PwTensor x, t, w, l, z, g;
      DLTensor *X = pw_2d(c, &x, c->dt, m, v), *T = pw_1d(c, &t, pw_i64, m);
      DLTensor *W = kinds[k].w ? pw_1d(c, &w, pw_f32, v) : NULL;
      DLTensor *L = pw_tensor(c, &l, c->dt, none ? 1 : 0, &m, NULL);
      DLTensor *Z = kinds[k].ret_z ? pw_tensor(c, &z, c->dt, none ? 1 : 0, &m, NULL) : NULL;
      DLTensor *G = pw_tensor(c, &g, c->dt, none ? 1 : 0, &m, NULL);
      if (pw_ok(c, "forward", liger_cross_entropy_forward(c->ctx, NULL, X, T, W, L, Z, &o)) && o.grad)
        pw_ok(c, "backward", liger_cross_entropy_backward(c->ctx, NULL, X, G));
      pw_release(c);
    }
}

static void pw_kl_div(PwCall *c, bool bwd_only) {
  (void)bwd_only;
  static const char *const rn[] = {"none", "sum", "mean", "batchmean"};
  int64_t m = c->shape->d[0], v = c->shape->d[1];
  for (int lt = 0; lt < 2; lt++)
    for (int r = 0; r < 4; r++) {
      char name[48];
      snprintf(name, sizeof name, "log_target=%d reduction=%s", lt, rn[r]);
      c->variant = name;
      bool none = r == LIGER_KL_REDUCTION_NONE;
      PwTensor p, t, l, g, d;
      DLTensor *P = pw_2d(c, &p, c->dt, m, v), *T = pw_2d(c, &t, c->dt, m, v);
      DLTensor *L = none ? pw_2d(c, &l, pw_f32, m, v) : pw_tensor(c, &l, pw_f32, 0, &m, NULL);
      DLTensor *G = none ? pw_2d(c, &g, pw_f32, m, v) : pw_tensor(c, &g, pw_f32, 0, &m, NULL);
      DLTensor *D = pw_2d(c, &d, c->dt, m, v);
      if (pw_ok(c, "forward", liger_kl_div_forward(c->ctx, NULL, P, T, L, (liger_kl_reduction)r, lt, 1e-10f)))
        pw_ok(c, "backward", liger_kl_div_backward(c->ctx, NULL, T, G, D, (liger_kl_reduction)r, lt));
      pw_release(c);
    }
}

static void pw_jsd(PwCall *c, bool bwd_only) {
  (void)bwd_only;
  static const float betas[] = {0.0f, 0.5f, 1.0f};
  int64_t m = c->shape->d[0], v = c->shape->d[1];
  for (int bi = 0; bi < 3; bi++)
    for (int lab = 0; lab < 2; lab++) {
      char name[48];
      snprintf(name, sizeof name, "beta=%g labels=%s", (double)betas[bi], lab ? "int64" : "none");
      c->variant = name;
      PwTensor q, p, y, l, g, go;
      DLTensor *Q = pw_2d(c, &q, c->dt, m, v), *P = pw_2d(c, &p, c->dt, m, v);
      DLTensor *Y = lab ? pw_1d(c, &y, pw_i64, m) : NULL, *L = pw_tensor(c, &l, c->dt, 0, &m, NULL);
      DLTensor *G = pw_2d(c, &g, c->dt, m, v), *GO = pw_tensor(c, &go, c->dt, 0, &m, NULL);
      if (pw_ok(c, "forward", liger_jsd_forward(c->ctx, NULL, Q, P, Y, L, G, betas[bi], -100)))
        pw_ok(c, "backward", liger_jsd_backward(c->ctx, NULL, G, GO));
      pw_release(c);
    }
}

/* q, k: (B, H, S, D), compact or the transposed view of a (B, S, H, D) buffer (HF). */
static void pw_rope(PwCall *c, bool bwd_only) {
  (void)bwd_only;
  const int64_t *s = c->shape->d; /* B, S, HQ, HKV, D */
  for (int hf = 0; hf < 2; hf++) {
    c->variant = hf ? "layout=bshd" : "layout=bhsd";
    int64_t dq[4] = {s[0], s[2], s[1], s[4]}, dk[4] = {s[0], s[3], s[1], s[4]}, dc[3] = {1, s[1], s[4]};
    int64_t sq[4] = {s[1] * s[2] * s[4], s[4], s[2] * s[4], 1}, sk[4] = {s[1] * s[3] * s[4], s[4], s[3] * s[4], 1};
    PwTensor q, k, co, si;
    DLTensor *Q = pw_tensor(c, &q, c->dt, 4, dq, hf ? sq : NULL), *K = pw_tensor(c, &k, c->dt, 4, dk, hf ? sk : NULL);
    DLTensor *C = pw_tensor(c, &co, c->dt, 3, dc, NULL), *S = pw_tensor(c, &si, c->dt, 3, dc, NULL);
    if (pw_ok(c, "forward", liger_rope_forward(c->ctx, NULL, Q, K, C, S)))
      pw_ok(c, "backward", liger_rope_backward(c->ctx, NULL, Q, K, C, S));
    pw_release(c);
  }
}

static void pw_embedding(PwCall *c, bool bwd_only) {
  (void)bwd_only;
  int64_t n = c->shape->d[0], vocab = c->shape->d[1], dim = c->shape->d[2];
  for (int i64 = 1; i64 >= 0; i64--)
    for (int acc = 0; acc < 2; acc++) {
      char name[48];
      snprintf(name, sizeof name, "ids=%s accumulate=%d", i64 ? "int64" : "int32", acc);
      c->variant = name;
      PwTensor ids, w, o, dw;
      DLTensor *I = pw_1d(c, &ids, i64 ? pw_i64 : pw_i32, n), *W = pw_2d(c, &w, c->dt, vocab, dim);
      DLTensor *O = pw_2d(c, &o, c->dt, n, dim), *DW = pw_2d(c, &dw, c->dt, vocab, dim);
      if (acc || pw_ok(c, "forward", liger_embedding_forward(c->ctx, NULL, I, W, O, -1)))
        pw_ok(c, "backward", liger_embedding_backward(c->ctx, NULL, I, O, DW, -1, acc));
      pw_release(c);
    }
}

/* ---- the table ------------------------------------------------------------------------------ */

typedef struct PwOp {
  const char *name;
  const char *dims;
  void (*run)(PwCall *c, bool bwd_only);
  bool persistent; /* its backward's grid follows the device's occupancy */
  int64_t shapes[8][PREWARM_MAX_DIMS];
} PwOp;

/* Default shapes: the anchors.md shape first, then liger-bench --ops's GPU sweep. */
static const PwOp pw_ops[] = {
    {"rms_norm", "MxN", pw_rms_norm, true,
     {{16384, 4096}, {65536, 1024}, {32768, 2048}, {8192, 8192}, {4096, 16384}, {2048, 32768}, {512, 131072}}},
    {"layer_norm", "MxN", pw_layer_norm, true,
     {{16384, 4096}, {65536, 1024}, {32768, 2048}, {8192, 8192}, {4096, 16384}, {2048, 32768}, {512, 131072}}},
    {"swiglu", "MxN", pw_swiglu, false, {{16384, 14336}, {4096, 14336}, {16384, 11008}, {16384, 4096}}},
    {"geglu", "MxN", pw_geglu, false, {{16384, 14336}, {4096, 14336}, {16384, 11008}, {16384, 4096}}},
    {"softmax", "MxN", pw_softmax, false,
     {{16384, 4096}, {65536, 1024}, {16384, 2048}, {4096, 16384}, {1024, 65536}, {256, 262144}}},
    {"sparsemax", "MxN", pw_sparsemax, false, {{4096, 4096}, {16384, 1024}, {1024, 16384}, {256, 65536}, {128, 131072}}},
    {"cross_entropy", "MxV", pw_cross_entropy, false,
     {{8192, 128256}, {8192, 32000}, {8192, 50257}, {2048, 262144}, {16384, 128256}}},
    {"kl_div", "MxV", pw_kl_div, false, {{4096, 128256}, {4096, 32000}, {1024, 262144}}},
    {"jsd", "MxV", pw_jsd, false, {{4096, 128256}, {4096, 32000}, {1024, 262144}}},
    {"rope", "BxSxHQxHKVxD", pw_rope, false,
     {{4, 2048, 32, 8, 128}, {4, 2048, 32, 32, 128}, {1, 8192, 32, 8, 128}, {8, 2048, 64, 8, 128},
      {4, 2048, 32, 32, 64}, {4, 2048, 24, 8, 96}}},
    {"embedding", "IDSxVxD", pw_embedding, false, {{8192, 128256, 4096}, {8192, 32000, 4096}, {32768, 128256, 4096}}},
};
enum { PW_NOPS = sizeof pw_ops / sizeof pw_ops[0] };

static const PwOp *pw_find(const char *name, size_t len) {
  for (int i = 0; i < PW_NOPS; i++)
    if (strlen(pw_ops[i].name) == len && !strncmp(pw_ops[i].name, name, len)) return &pw_ops[i];
  return NULL;
}

static int pw_ndims(const PwOp *op) {
  int n = 1;
  for (const char *p = op->dims; *p; p++) n += *p == 'x';
  return n;
}

const char *prewarm_op_names(void) {
  return "rms_norm,layer_norm,swiglu,geglu,softmax,sparsemax,cross_entropy,kl_div,jsd,rope,embedding";
}

const char *prewarm_op_dims(const char *op) {
  const PwOp *o = op ? pw_find(op, strlen(op)) : NULL;
  return o ? o->dims : NULL;
}

/* "fp32,bf16" → mask; 0 on an unknown name. */
static unsigned pw_dtypes(const char *s) {
  unsigned m = 0;
  while (*s) {
    size_t n = strcspn(s, ",");
    if (n == 4 && !strncmp(s, "fp32", 4)) m |= PREWARM_F32;
    else if (n == 4 && !strncmp(s, "bf16", 4)) m |= PREWARM_BF16;
    else if (n == 4 && !strncmp(s, "fp16", 4)) m |= PREWARM_F16;
    else return 0;
    s += n + (s[n] == ',');
  }
  return m;
}

liger_status prewarm_read_shapes(const char *path, PrewarmShape **out, int *n) {
  *out = NULL;
  *n = 0;
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "liger-tune: cannot open shapes file '%s': %s\n", path, strerror(errno));
    return LIGER_ERR_IO;
  }
  char line[512];
  int lineno = 0, cap = 0;
  liger_status st = LIGER_OK;
  while (st == LIGER_OK && fgets(line, sizeof line, f)) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char op[64] = "", dims[128] = "", dts[64] = "", extra[8] = "";
    int got = sscanf(line, "%63s %127s %63s %7s", op, dims, dts, extra);
    if (got <= 0) continue;
    PrewarmShape s = {.dtypes = PREWARM_ALL_DTYPES};
    const PwOp *o = pw_find(op, strlen(op));
    const char *why = NULL;
    if (!o) why = "unknown op";
    else if (got < 2) why = "no shape";
    else if (got > 3) why = "too many fields (OP DIMS [DTYPES])";
    else if (got == 3 && !(s.dtypes = pw_dtypes(dts))) why = "bad dtype list (fp32, bf16, fp16, comma-separated)";
    for (char *p = dims; !why && *p;) {
      char *end;
      errno = 0;
      long long v = strtoll(p, &end, 10);
      if (end == p || errno || v < 1 || s.nd == PREWARM_MAX_DIMS || (*end && (*end != 'x' || !isdigit((unsigned char)end[1]))))
        why = "bad dimensions";
      else s.d[s.nd++] = v, p = end + (*end == 'x');
    }
    if (!why && s.nd != pw_ndims(o)) why = "wrong number of dimensions";
    if (why) {
      fprintf(stderr, "%s:%d: %s; expected \"OP DIMS [DTYPES]\" with OP one of %s%s%s\n", path, lineno, why,
              prewarm_op_names(), o ? " and DIMS " : "", o ? o->dims : "");
      st = LIGER_ERR_INVALID_ARG;
      break;
    }
    snprintf(s.op, sizeof s.op, "%s", o->name);
    if (*n == cap) {
      cap = cap ? cap * 2 : 32;
      PrewarmShape *p = realloc(*out, sizeof **out * (size_t)cap);
      if (!p) {
        st = LIGER_ERR_OUT_OF_MEMORY;
        break;
      }
      *out = p;
    }
    (*out)[(*n)++] = s;
  }
  fclose(f);
  if (st == LIGER_OK && !*n) {
    fprintf(stderr, "%s: no shapes in the file\n", path);
    st = LIGER_ERR_INVALID_ARG;
  }
  if (st != LIGER_OK) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return st;
}

/* ---- running -------------------------------------------------------------------------------- */

typedef struct PwUnit {
  const PwOp *op;
  PrewarmShape shape;
  int dtype; /* 0, 1, 2: fp32, bf16, fp16 */
} PwUnit;

typedef struct PwPool {
  PwRun *run;
  const PrewarmOptions *o;
  PwUnit *units;
  int nunits, next, done;
  liger_context *ctx;
  liger_context *occ[PW_OCC_MAX + 1]; /* occupancy=k contexts, or NULL */
  int device_type;
} PwPool;

static void *pw_worker(void *arg) {
  PwPool *p = arg;
  static const char *const names[] = {"fp32", "bf16", "fp16"};
  const DLDataType dts[] = {pw_f32, pw_bf16, pw_f16};
  for (;;) {
    pthread_mutex_lock(&p->run->lock);
    int i = p->next < p->nunits ? p->next++ : -1;
    pthread_mutex_unlock(&p->run->lock);
    if (i < 0) break;
    PwUnit *u = &p->units[i];
    PwCall c = {.run = p->run, .ctx = p->ctx, .device_type = p->device_type, .shape = &u->shape,
                .dt = dts[u->dtype], .dtname = names[u->dtype], .variant = "-"};
    u->op->run(&c, false);
    for (int k = 1; u->op->persistent && k <= PW_OCC_MAX; k++)
      if (p->occ[k]) {
        c.ctx = p->occ[k];
        u->op->run(&c, true);
      }
    pthread_mutex_lock(&p->run->lock);
    p->done++;
    if (p->o->progress) {
      char what[96];
      snprintf(what, sizeof what, "%s %s", u->op->name, names[u->dtype]);
      p->o->progress(p->o->ud, p->done, p->nunits, what);
    }
    pthread_mutex_unlock(&p->run->lock);
  }
  return NULL;
}

/* Whether --ops lets op run. */
static bool pw_selected(const char *ops, const char *op) {
  if (!ops || !strcmp(ops, "all")) return true;
  size_t n = strlen(op);
  for (const char *p = ops; *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && !strncmp(p, op, n)) return true;
    p += len + (p[len] == ',');
  }
  return false;
}

liger_status prewarm_check_ops(const char *ops) {
  if (!ops || !strcmp(ops, "all")) return LIGER_OK;
  for (const char *p = ops; *p;) {
    size_t len = strcspn(p, ",");
    if (!pw_find(p, len)) {
      fprintf(stderr, "liger-tune: unknown op '%.*s' in --ops (all, or some of %s)\n", (int)len, p, prewarm_op_names());
      return LIGER_ERR_INVALID_ARG;
    }
    p += len + (p[len] == ',');
  }
  return LIGER_OK;
}

static double pw_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static liger_status pw_units(const PrewarmOptions *o, PwUnit **out, int *n) {
  int cap = 0;
  *out = NULL;
  *n = 0;
  for (int i = 0; i < PW_NOPS; i++) {
    const PwOp *op = &pw_ops[i];
    if (!pw_selected(o->ops, op->name)) continue;
    int nshapes = o->shapes ? o->nshapes : 8;
    for (int s = 0; s < nshapes; s++) {
      PrewarmShape sh = {.nd = pw_ndims(op), .dtypes = PREWARM_ALL_DTYPES};
      if (o->shapes) {
        if (strcmp(o->shapes[s].op, op->name)) continue;
        sh = o->shapes[s];
      } else {
        if (!op->shapes[s][0]) continue;
        memcpy(sh.d, op->shapes[s], sizeof sh.d);
      }
      snprintf(sh.op, sizeof sh.op, "%s", op->name);
      for (int d = 0; d < 3; d++) {
        if (!(sh.dtypes & (1u << d))) continue;
        if (*n == cap) {
          cap = cap ? cap * 2 : 64;
          PwUnit *p = realloc(*out, sizeof **out * (size_t)cap);
          if (!p) return LIGER_ERR_OUT_OF_MEMORY;
          *out = p;
        }
        (*out)[(*n)++] = (PwUnit){op, sh, d};
      }
    }
  }
  return LIGER_OK;
}

liger_status prewarm_run(const char *device, const PrewarmOptions *o, PrewarmResult *r) {
  memset(r, 0, sizeof *r);
  liger_status st = prewarm_check_ops(o->ops);
  if (st) return st;
  liger_cache_info before;
  liger_cache_query(&before);
  if (!before.enabled) {
    fprintf(stderr, "liger-tune: the binary cache is off (%s): there is nowhere to prewarm\n", before.reason);
    return LIGER_ERR_INVALID_ARG;
  }
  PwPool p = {.o = o};
  if ((st = pw_units(o, &p.units, &p.nunits))) {
    free(p.units);
    return st;
  }
  if ((st = liger_context_create(device, &p.ctx))) {
    free(p.units);
    return st;
  }
  const char *target = liger_context_target(p.ctx);
  p.device_type = !strncmp(target, "sm_", 3) ? kDLCUDA : !strncmp(target, "gfx", 3) ? kDLROCM : kDLCPU;
  /* offline GPU without a given occupancy: cover every occupancy the device may report */
  if (liger_context_offline(p.ctx, NULL) && p.device_type != kDLCPU && !strstr(device, "occupancy="))
    for (int k = 1; k <= PW_OCC_MAX && !st; k++) {
      char spec[160];
      snprintf(spec, sizeof spec, "%s,occupancy=%d", device, k);
      st = liger_context_create(spec, &p.occ[k]);
    }
  PwRun run = {.target = target, .r = r};
  pthread_mutex_init(&run.lock, NULL);
  p.run = &run;
  double t0 = pw_now();
  if (!st) {
    int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1) jobs = 1;
    if (jobs > 64) jobs = 64;
    pthread_t th[64];
    int started = 0;
    for (int i = 1; i < jobs; i++) started += pthread_create(&th[started], NULL, pw_worker, &p) == 0;
    pw_worker(&p);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  }
  r->seconds = pw_now() - t0;
  r->units = p.nunits;
  liger_cache_info after;
  liger_cache_query(&after);
  r->compiled = after.misses - before.misses;
  r->hits = after.hits - before.hits;
  for (int k = 0; k <= PW_OCC_MAX; k++) liger_context_destroy(p.occ[k]);
  liger_context_destroy(p.ctx);
  pthread_mutex_destroy(&run.lock);
  free(p.units);
  return st;
}

void prewarm_result_free(PrewarmResult *r) {
  for (int i = 0; i < r->nfailures; i++) free(r->failures[i]);
  free(r->failures);
  memset(r, 0, sizeof *r);
}

liger_status prewarm_shapes(const char *ops, const PrewarmShape *from, int nfrom, bool anchors_only,
                            PrewarmShape **out, int *n) {
  PrewarmOptions o = {.ops = ops, .shapes = from, .nshapes = nfrom};
  PwUnit *units = NULL;
  int nunits = 0;
  *out = NULL;
  *n = 0;
  liger_status st = prewarm_check_ops(ops);
  if (!st) st = pw_units(&o, &units, &nunits);
  if (!st && !(*out = malloc(sizeof **out * (size_t)(nunits + 1)))) st = LIGER_ERR_OUT_OF_MEMORY;
  /* units are (shape, dtype) in table order: one shape per run of equal shapes, its dtypes merged */
  for (int i = 0; !st && i < nunits; i++) {
    PrewarmShape *last = *n ? &(*out)[*n - 1] : NULL;
    if (last && !strcmp(last->op, units[i].shape.op) && !memcmp(last->d, units[i].shape.d, sizeof last->d)) {
      last->dtypes |= 1u << units[i].dtype;
      continue;
    }
    if (anchors_only && !from && last && !strcmp(last->op, units[i].shape.op)) continue;
    (*out)[*n] = units[i].shape;
    (*out)[(*n)++].dtypes = 1u << units[i].dtype;
  }
  free(units);
  if (st) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return st;
}
