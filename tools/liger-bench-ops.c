/*
 * liger-bench-ops.c — `liger-bench --ops`: the Liger ops (include/liger/ops.h) timed on one
 * device, next to the copy bandwidth measured in the same run.
 *
 *   bandwidth  a device-to-device copy kernel over 1 GiB (CPU: 64 MiB): read + write bytes
 *   ops        RMSNorm (llama, weight) and LayerNorm (weight and bias) at the anchors.md shape
 *              (16384 x 4096 bf16) and a sweep of row lengths at the same element count:
 *              forward, backward and forward + backward, median time; GB/s against the
 *              minimal bytes (anchors.md: forward 2 passes of x's size, read x and write y;
 *              backward 3, read dy and x and write dx; both 5); % of the copy bandwidth.
 *              Then SwiGLU and GeGLU (16384 x 14336 bf16: forward 3 passes, backward 5) and
 *              Softmax (16384 x 4096: 2 and 3) at the anchors.md shapes and a sweep
 *              RoPE (q 4x32x2048x128, k 4x8x2048x128 bf16, in place: 2 passes each way;
 *              row "rope" m = B*S positions, n = (q + k heads) * D) and a sweep
 *              KL divergence and JSD (4096 x 128256 fp32: forward 2 passes, full 3)
 *              Sparsemax (4096 x 4096 fp32: forward 2 passes, backward 3, full 5)
 *              Embedding (8192 ids of V 128256 x D 4096 bf16; bytes in run_embedding's note)
 *   compile    the first RMSNorm forward + backward (4096 x 4096 bf16) in a new process,
 *              with an empty binary cache and with a warm one (anchors.md: Triton + Liger
 *              2.1 s and 0.47 s)
 *
 * Times: each sample is a batch of calls between two synchronisations, divided by the
 * batch size (about 20 ms of work a batch, after warm-up); the figure is the median of the
 * samples. --configs "A;B;..." runs the op table again in a child process per
 * LIGER_OPS_CONFIG value (launch-plan overrides, docs/ops.md) for tuning.
 */
#include "liger/ops.h"

#include "bench.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int bench_ops_main(int argc, char **argv, const char *self);

static const char *device = "auto";
static int reps = 15;
static bool quick;
static const char *only; /* --only: comma-separated op names (Row.op) to time; NULL: all */

/* Whether --only lets op run. */
static bool wanted(const char *op) {
  if (!only) return true;
  size_t n = strlen(op);
  for (const char *p = only; *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && !strncmp(p, op, n)) return true;
    if (!end) break;
    p = end + 1;
  }
  return false;
}

/* ---- tensors ------------------------------------------------------------------------------------ */

typedef struct Buf {
  DLTensor t;
  int64_t shape[2];
  void *dev;
} Buf;

static liger_context *ctx;
static int is_gpu;

static bool buf_new(Buf *b, DLDataType dt, int ndim, int64_t d0, int64_t d1) {
  memset(b, 0, sizeof *b);
  b->shape[0] = d0;
  b->shape[1] = d1;
  size_t n = (size_t)d0 * (size_t)(ndim == 2 ? d1 : 1), bytes = n * dt.bits / 8;
  if (liger_malloc(ctx, bytes, &b->dev) != LIGER_OK) return false;
  /* values in [-2, 2) with a few bits set: 0x3f80 is bf16 1.0; fp32 gets the same top half */
  unsigned char *h = malloc(bytes);
  if (!h) return false;
  uint32_t s = 12345;
  for (size_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    uint16_t v = (uint16_t)(0x3f00 + ((s >> 16) & 0xff)) | (uint16_t)((s >> 8) & 0x8000);
    if (dt.bits == 16) memcpy(h + 2 * i, &v, 2);
    else {
      uint32_t u = (uint32_t)v << 16;
      memcpy(h + 4 * i, &u, 4);
    }
  }
  liger_status st = liger_memcpy_htod(ctx, b->dev, h, bytes);
  free(h);
  b->t.data = b->dev;
  b->t.device = (DLDevice){is_gpu ? kDLCUDA : kDLCPU, 0};
  b->t.ndim = ndim;
  b->t.dtype = dt;
  b->t.shape = b->shape;
  return st == LIGER_OK;
}

static void buf_free(Buf *b) {
  if (b->dev) liger_free(ctx, b->dev);
  b->dev = NULL;
}

static const DLDataType BF16 = {kDLBfloat, 16, 1}, F32 = {kDLFloat, 32, 1};

/* ---- timing ---------------------------------------------------------------------------------------- */

typedef liger_status (*OpFn)(void *arg);

/* Median ms per call of fn (batches between synchronisations), or -1 on failure. */
static double time_op(OpFn fn, void *arg) {
  for (int i = 0; i < 3; i++)
    if (fn(arg) != LIGER_OK) return -1;
  if (liger_synchronize(ctx, NULL) != LIGER_OK) return -1;
  double t0 = now_ms();
  for (int i = 0; i < 3; i++) fn(arg);
  liger_synchronize(ctx, NULL);
  double one = (now_ms() - t0) / 3;
  int batch = one > 0 ? (int)(20.0 / one) : 100;
  if (batch < 1) batch = 1;
  if (batch > 500) batch = 500;
  double *s = calloc((size_t)reps, sizeof(double));
  for (int r = 0; r < reps; r++) {
    liger_synchronize(ctx, NULL);
    double a = now_ms();
    for (int i = 0; i < batch; i++) fn(arg);
    liger_synchronize(ctx, NULL);
    s[r] = (now_ms() - a) / batch;
  }
  double m = median(s, reps);
  free(s);
  return m;
}

/* ---- copy bandwidth --------------------------------------------------------------------------------- */

static const char copy_src[] =
    "import triton\n"
    "import triton.language as tl\n"
    "\n"
    "\n"
    "@triton.jit\n"
    "def copy_kernel(dst, src, n, BLOCK: tl.constexpr):\n"
    "    offs = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)\n"
    "    mask = offs < n\n"
    "    tl.store(dst + offs, tl.load(src + offs, mask=mask), mask=mask)\n";

typedef struct CopyArg {
  liger_kernel *k;
  liger_arg a[3];
  uint32_t grid[3];
} CopyArg;

static liger_status copy_once(void *p) {
  CopyArg *c = p;
  return liger_launch(c->k, c->grid, NULL, c->a, 3);
}

/* GB/s of the copy (read + write), or -1. */
static double copy_bandwidth(size_t bytes, double *ms_out) {
  void *src = NULL, *dst = NULL;
  double gbs = -1;
  liger_constexpr k = {"BLOCK", "4096"};
  CopyArg c = {0};
  if (liger_malloc(ctx, bytes, &src) || liger_malloc(ctx, bytes, &dst) ||
      liger_kernel_load_source(ctx, copy_src, "bench_copy.py", "copy_kernel", &k, 1, 8, &c.k)) {
    fprintf(stderr, "liger-bench: copy kernel: %s\n", liger_last_error());
  } else {
    liger_memset_d8(ctx, src, 0x3c, bytes);
    int64_t n = (int64_t)(bytes / 4);
    c.a[0] = liger_arg_ptr(dst, LIGER_F32);
    c.a[1] = liger_arg_ptr(src, LIGER_F32);
    c.a[2] = liger_arg_int(n);
    c.grid[0] = (uint32_t)((n + 4095) / 4096);
    c.grid[1] = c.grid[2] = 1;
    double ms = time_op(copy_once, &c);
    if (ms > 0) gbs = 2.0 * (double)bytes / (ms * 1e6);
    *ms_out = ms;
  }
  liger_kernel_release(c.k);
  liger_free(ctx, src);
  liger_free(ctx, dst);
  return gbs;
}

/* ---- the ops ------------------------------------------------------------------------------------------ */

typedef struct Norm {
  Buf x, y, dy, dx, w, dw, b, db, mean, rstd;
  bool layer; /* LayerNorm, else RMSNorm */
} Norm;

static liger_status norm_fwd(void *p) {
  Norm *n = p;
  if (n->layer)
    return liger_layer_norm_forward(ctx, NULL, &n->x.t, &n->w.t, &n->b.t, &n->y.t, &n->mean.t, &n->rstd.t, 1e-6f);
  return liger_rms_norm_forward(ctx, NULL, &n->x.t, &n->w.t, &n->y.t, &n->rstd.t, 1e-6f, 0.0f, LIGER_RMS_CAST_LLAMA);
}

static liger_status norm_bwd(void *p) {
  Norm *n = p;
  if (n->layer)
    return liger_layer_norm_backward(ctx, NULL, &n->dy.t, &n->x.t, &n->w.t, &n->b.t, &n->mean.t, &n->rstd.t, &n->dx.t,
                                     &n->dw.t, &n->db.t);
  return liger_rms_norm_backward(ctx, NULL, &n->dy.t, &n->x.t, &n->w.t, &n->rstd.t, &n->dx.t, &n->dw.t, 0.0f,
                                 LIGER_RMS_CAST_LLAMA);
}

static liger_status norm_full(void *p) {
  liger_status st = norm_fwd(p);
  return st ? st : norm_bwd(p);
}

static void norm_free(Norm *n) {
  Buf *all[] = {&n->x, &n->y, &n->dy, &n->dx, &n->w, &n->dw, &n->b, &n->db, &n->mean, &n->rstd};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) buf_free(all[i]);
}

static bool norm_new(Norm *n, bool layer, int64_t m, int64_t d) {
  memset(n, 0, sizeof *n);
  n->layer = layer;
  DLDataType stat = layer ? BF16 : F32; /* Liger: LayerNorm keeps mean / rstd in x's dtype */
  bool ok = buf_new(&n->x, BF16, 2, m, d) && buf_new(&n->y, BF16, 2, m, d) && buf_new(&n->dy, BF16, 2, m, d) &&
            buf_new(&n->dx, BF16, 2, m, d) && buf_new(&n->w, BF16, 1, d, 1) && buf_new(&n->dw, BF16, 1, d, 1) &&
            buf_new(&n->rstd, stat, 1, m, 1) &&
            (!layer || (buf_new(&n->b, BF16, 1, d, 1) && buf_new(&n->db, BF16, 1, d, 1) && buf_new(&n->mean, stat, 1, m, 1)));
  if (!ok) norm_free(n);
  return ok;
}

typedef struct Row {
  const char *op;
  int64_t m, n;
  double fwd, bwd, full; /* ms */
  int pf, pb;            /* minimal passes over one bf16 tensor of the shape: forward, backward */
  bool skip;             /* left out by --only */
  double extra_mib;      /* the ops' scratch after the row (liger_ops_scratch), MiB */
} Row;

/* Times forward, backward and forward+backward of one op into r (-1 from the first that
 * fails on); false, with "liger-bench: WHAT: <error>" on stderr, if one failed. */
static bool time_row(Row *r, OpFn fwd, OpFn bwd, OpFn full, void *arg, const char *what) {
  if (!wanted(r->op)) {
    r->skip = true;
    return true;
  }
  liger_ops_scratch(ctx, NULL, 1); /* from none: what this row's op needs */
  r->fwd = time_op(fwd, arg);
  r->bwd = r->fwd > 0 ? time_op(bwd, arg) : -1;
  r->full = r->bwd > 0 ? time_op(full, arg) : -1;
  size_t held = 0;
  liger_ops_scratch(ctx, &held, 0);
  r->extra_mib = (double)held / (1 << 20);
  if (r->full >= 0) return true;
  fprintf(stderr, "liger-bench: %s: %s\n", what, liger_last_error());
  return false;
}

/* "op MxN", for messages */
static const char *row_name(const Row *r) {
  static char buf[96];
  snprintf(buf, sizeof buf, "%s %lldx%lld", r->op, (long long)r->m, (long long)r->n);
  return buf;
}

/* One table row and its JSON object: times, GB/s of the minimal bytes of each direction (the
 * callers' formulas), % of the copy bandwidth, and the ops' scratch after the row (extra MiB);
 * `note` (may be "") goes after the table row and into the JSON as is (",\"v\": 1" style). */
static void emit_row(const Row *r, const char *dtype, double bf, double bb, double bu, const char *note, const char *json_extra,
                     double copy_gbs, FILE *js, bool *first) {
  if (r->skip) return;
  double gf = r->fwd > 0 ? bf / (r->fwd * 1e6) : 0, gb = r->bwd > 0 ? bb / (r->bwd * 1e6) : 0,
         gu = r->full > 0 ? bu / (r->full * 1e6) : 0;
  char shape[48];
  snprintf(shape, sizeof shape, "%lldx%lld", (long long)r->m, (long long)r->n);
  printf("| %-10s | %-12s | %8.4f | %8.4f | %8.4f | %8.0f | %8.0f | %9.0f | %7.1f%% | %7.1f%% | %8.1f%% | %9.1f |%s\n",
         r->op, shape, r->fwd, r->bwd, r->full, gf, gb, gu, 100 * gf / copy_gbs, 100 * gb / copy_gbs,
         100 * gu / copy_gbs, r->extra_mib, note);
  if (js) {
    fprintf(js,
            "%s    {\"op\": \"%s\", \"m\": %lld, \"n\": %lld, \"dtype\": \"%s\", \"fwd_ms\": %.5f, \"bwd_ms\": %.5f, "
            "\"full_ms\": %.5f, \"fwd_gbs\": %.1f, \"bwd_gbs\": %.1f, \"full_gbs\": %.1f, \"fwd_copy_ratio\": %.4f, "
            "\"bwd_copy_ratio\": %.4f, \"full_copy_ratio\": %.4f, \"extra_mib\": %.2f%s}",
            *first ? "" : ",\n", r->op, (long long)r->m, (long long)r->n, dtype, r->fwd, r->bwd, r->full, gf, gb, gu,
            gf / copy_gbs, gb / copy_gbs, gu / copy_gbs, r->extra_mib, json_extra);
    *first = false;
  }
}

/* Rows counted in passes over one tensor of the shape (`bytes` bytes an element). */
static void print_passes(const Row *r, const char *dtype, int bytes, int pf, int pb, int pu, double copy_gbs, FILE *js,
                         bool *first) {
  double e = (double)r->m * (double)r->n * bytes;
  char extra[64];
  snprintf(extra, sizeof extra, ", \"passes\": [%d, %d, %d]", pf, pb, pu);
  emit_row(r, dtype, pf * e, pb * e, pu * e, "", extra, copy_gbs, js, first);
}

static void print_row(const Row *r, double copy_gbs, FILE *js, bool *first) {
  print_passes(r, "bf16", 2, r->pf, r->pb, r->pf + r->pb, copy_gbs, js, first);
}

/* SwiGLU / GeGLU (c = act(a) * b) and Softmax, bf16: forward, backward with separate
 * gradient buffers (the same bytes as Liger's in-place ones, and the inputs stay the same
 * from call to call). */
typedef struct Elem {
  Buf a, b, c, dc, da, db; /* softmax: x = a, y = c, dy = dc, dx = da */
  int op;                  /* 0 SwiGLU, 1 GeGLU, 2 Softmax */
} Elem;

static liger_status elem_fwd(void *p) {
  Elem *e = p;
  if (e->op == 2) return liger_softmax_forward(ctx, NULL, &e->a.t, &e->c.t);
  return e->op ? liger_geglu_forward(ctx, NULL, &e->a.t, &e->b.t, &e->c.t)
               : liger_swiglu_forward(ctx, NULL, &e->a.t, &e->b.t, &e->c.t);
}

static liger_status elem_bwd(void *p) {
  Elem *e = p;
  if (e->op == 2) return liger_softmax_backward(ctx, NULL, &e->dc.t, &e->c.t, &e->da.t);
  return e->op ? liger_geglu_backward(ctx, NULL, &e->dc.t, &e->a.t, &e->b.t, &e->da.t, &e->db.t)
               : liger_swiglu_backward(ctx, NULL, &e->dc.t, &e->a.t, &e->b.t, &e->da.t, &e->db.t);
}

static liger_status elem_full(void *p) {
  liger_status st = elem_fwd(p);
  return st ? st : elem_bwd(p);
}

static void elem_free(Elem *e) {
  Buf *all[] = {&e->a, &e->b, &e->c, &e->dc, &e->da, &e->db};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) buf_free(all[i]);
}

static bool elem_new(Elem *e, int op, int64_t m, int64_t d) {
  memset(e, 0, sizeof *e);
  e->op = op;
  bool ok = buf_new(&e->a, BF16, 2, m, d) && buf_new(&e->c, BF16, 2, m, d) && buf_new(&e->dc, BF16, 2, m, d) &&
            buf_new(&e->da, BF16, 2, m, d) &&
            (op == 2 || (buf_new(&e->b, BF16, 2, m, d) && buf_new(&e->db, BF16, 2, m, d)));
  if (!ok) elem_free(e);
  return ok;
}

/* The GLU and Softmax rows: the anchors.md shapes first (SwiGLU / GeGLU 16384 x 14336,
 * Softmax 16384 x 4096), then a sweep around them (GLUs: other MLP widths and row counts;
 * Softmax: rows of 1024 to 262144 elements, the last looped). GB/s of the minimal bytes:
 * GLUs forward 3 passes (read a, b, write c), backward 5 (read dc, a, b, write da, db);
 * Softmax 2 and 3 (read dy, y, write dx). */
static int run_glu_softmax(double copy_gbs, FILE *js, bool *first) {
  typedef struct { int op; int64_t m, n; } Case;
  static const Case gpu_cases[] = {
      {0, 16384, 14336}, {1, 16384, 14336}, {2, 16384, 4096},  {0, 4096, 14336},  {1, 4096, 14336},
      {0, 16384, 11008}, {1, 16384, 11008}, {0, 16384, 4096},  {2, 65536, 1024},  {2, 16384, 2048},
      {2, 4096, 16384},  {2, 1024, 65536},  {2, 256, 262144},
  };
  static const Case cpu_cases[] = {{0, 256, 4096}, {1, 256, 4096}, {2, 256, 4096}, {2, 4, 262144}};
  static const char *const names[] = {"swiglu", "geglu", "softmax"};
  const Case *cases = is_gpu ? gpu_cases : cpu_cases;
  int count = quick ? 3 : is_gpu ? (int)(sizeof gpu_cases / sizeof gpu_cases[0]) : 4;
  int bad = 0;
  for (int i = 0; i < count; i++) {
    const Case *k = &cases[i];
    Row r = {.op = names[k->op], .m = k->m, .n = k->n, .fwd = -1, .bwd = -1, .full = -1, .pf = k->op == 2 ? 2 : 3,
             .pb = k->op == 2 ? 3 : 5};
    Elem e;
    if (!elem_new(&e, k->op, k->m, k->n)) {
      fprintf(stderr, "liger-bench: allocating %s %lldx%lld: %s\n", r.op, (long long)r.m, (long long)r.n, liger_last_error());
      bad++;
      continue;
    }
    if (!time_row(&r, elem_fwd, elem_bwd, elem_full, &e, row_name(&r))) bad++;
    print_row(&r, copy_gbs, js, first);
    fflush(stdout);
    elem_free(&e);
  }
  return bad;
}

/* CrossEntropy (bf16 logits, int64 targets, mean): forward with the gradient written over
 * the logits (as Liger's forward when the logits require grad); backward = scaling by a
 * grad_output of 0.5 (a read and a write of the logits); full = forward + backward with a
 * grad_output of 1.0, which the op skips on the device (Liger's loss.backward()). GB/s of the
 * minimal bytes, one bf16 logits tensor a pass: forward 1, backward 2, full 2 (anchors.md:
 * "CE 1 and 2 logits passes"). The forward runs again and again over the gradient it left:
 * the same work as over fresh logits. */
typedef struct Ce {
  Buf x, loss, g1, ghalf;
  void *t; /* int64 targets */
  DLTensor tt;
  int64_t tshape[1];
} Ce;

static liger_status ce_fwd(void *p) {
  Ce *c = p;
  return liger_cross_entropy_forward(ctx, NULL, &c->x.t, &c->tt, NULL, &c->loss.t, NULL, NULL);
}

static liger_status ce_bwd(void *p) {
  Ce *c = p;
  return liger_cross_entropy_backward(ctx, NULL, &c->x.t, &c->ghalf.t);
}

static liger_status ce_full(void *p) {
  Ce *c = p;
  liger_status st = ce_fwd(p);
  return st ? st : liger_cross_entropy_backward(ctx, NULL, &c->x.t, &c->g1.t);
}

static void ce_free(Ce *c) {
  Buf *all[] = {&c->x, &c->loss, &c->g1, &c->ghalf};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) buf_free(all[i]);
  if (c->t) liger_free(ctx, c->t);
  c->t = NULL;
}

static bool ce_scalar(Buf *b, float v) {
  return buf_new(b, F32, 0, 1, 1) && liger_memcpy_htod(ctx, b->dev, &v, 4) == LIGER_OK;
}

static bool ce_new(Ce *c, int64_t m, int64_t v) {
  memset(c, 0, sizeof *c);
  bool ok = buf_new(&c->x, BF16, 2, m, v) && ce_scalar(&c->loss, 0) && ce_scalar(&c->g1, 1.0f) &&
            ce_scalar(&c->ghalf, 0.5f) && liger_malloc(ctx, (size_t)m * 8, &c->t) == LIGER_OK;
  int64_t *h = ok ? malloc((size_t)m * 8) : NULL;
  if (h) {
    uint64_t s = 7;
    for (int64_t i = 0; i < m; i++) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      h[i] = i % 16 == 5 ? -100 : (int64_t)((s >> 33) % (uint64_t)v); /* a few ignored rows */
    }
    ok = liger_memcpy_htod(ctx, c->t, h, (size_t)m * 8) == LIGER_OK;
    free(h);
  }
  c->tshape[0] = m;
  c->tt = (DLTensor){.data = c->t, .device = c->x.t.device, .ndim = 1, .dtype = {kDLInt, 64, 1}, .shape = c->tshape};
  if (!ok || !h) ce_free(c);
  return ok && h;
}

static void ce_print(const Row *r, double copy_gbs, FILE *js, bool *first) {
  print_passes(r, "bf16", 2, 1, 2, 2, copy_gbs, js, first);
}

/* The anchors.md shape (8192 x 128256; Liger 1.673 ms forward, 2.169 ms full), then other
 * vocabularies (32000, 50257, 262144). */
static int run_ce(double copy_gbs, FILE *js, bool *first) {
  typedef struct { int64_t m, v; } Case;
  static const Case gpu_cases[] = {{8192, 128256}, {8192, 32000}, {8192, 50257}, {2048, 262144}, {16384, 128256}};
  static const Case cpu_cases[] = {{64, 32000}, {8, 262144}};
  const Case *cases = is_gpu ? gpu_cases : cpu_cases;
  int count = quick ? 1 : is_gpu ? (int)(sizeof gpu_cases / sizeof gpu_cases[0]) : 2;
  int bad = 0;
  for (int i = 0; i < count; i++) {
    Row r = {.op = "cross_ent", .m = cases[i].m, .n = cases[i].v, .fwd = -1, .bwd = -1, .full = -1};
    Ce c;
    if (!ce_new(&c, r.m, r.n)) {
      fprintf(stderr, "liger-bench: allocating cross_entropy %lldx%lld: %s\n", (long long)r.m, (long long)r.n,
              liger_last_error());
      bad++;
      continue;
    }
    char what[64];
    snprintf(what, sizeof what, "cross_entropy %lldx%lld", (long long)r.m, (long long)r.n);
    if (!time_row(&r, ce_fwd, ce_bwd, ce_full, &c, what)) bad++;
    ce_print(&r, copy_gbs, js, first);
    fflush(stdout);
    ce_free(&c);
  }
  return bad;
}

/* KL divergence (batchmean, log_target off) and JSD (beta 0.5, no labels), fp32 as anchors.md
 * measures them: 4096 x 128256 first (Liger: KLDiv 0.933 ms forward, 3.102 ms forward +
 * backward; JSD 26.84 / 27.62 ms), then V = 32000 and 262144. KL: forward = the loss; backward
 * = the gradient -t / BT (read y_true, write the gradient); full = both. JSD: forward = the
 * loss and the gradient (Liger computes it in the forward); backward = scaling it by a
 * grad_output of 0.5 in place; full = forward + a backward with 1.0, which the op skips on the
 * device (loss.backward()). GB/s of the minimal bytes, one fp32 tensor of the shape a pass, as
 * anchors.md counts them: forward 2, full 3; backward 2 (read and write). */
typedef struct Div {
  Buf y, t, g, loss, g1, ghalf;
  bool jsd;
} Div;

static liger_status div_fwd(void *p) {
  Div *d = p;
  if (d->jsd) return liger_jsd_forward(ctx, NULL, &d->y.t, &d->t.t, NULL, &d->loss.t, &d->g.t, 0.5f, -100);
  return liger_kl_div_forward(ctx, NULL, &d->y.t, &d->t.t, &d->loss.t, LIGER_KL_REDUCTION_BATCHMEAN, 0, 1e-10f);
}

static liger_status div_bwd(void *p) {
  Div *d = p;
  if (d->jsd) return liger_jsd_backward(ctx, NULL, &d->g.t, &d->ghalf.t);
  return liger_kl_div_backward(ctx, NULL, &d->t.t, NULL, &d->g.t, LIGER_KL_REDUCTION_BATCHMEAN, 0);
}

static liger_status div_full(void *p) {
  Div *d = p;
  liger_status st = div_fwd(p);
  if (st) return st;
  return d->jsd ? liger_jsd_backward(ctx, NULL, &d->g.t, &d->g1.t) : div_bwd(p);
}

static void div_free(Div *d) {
  Buf *all[] = {&d->y, &d->t, &d->g, &d->loss, &d->g1, &d->ghalf};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) buf_free(all[i]);
}

static bool div_new(Div *d, bool jsd, int64_t m, int64_t v) {
  memset(d, 0, sizeof *d);
  d->jsd = jsd;
  /* buf_new's values lie in [-2, 2): log-probabilities for y (and for JSD's teacher) as they
   * come; KL's target gets them too (negative "probabilities" cost the same arithmetic) */
  bool ok = buf_new(&d->y, F32, 2, m, v) && buf_new(&d->t, F32, 2, m, v) && buf_new(&d->g, F32, 2, m, v) &&
            ce_scalar(&d->loss, 0) && ce_scalar(&d->g1, 1.0f) && ce_scalar(&d->ghalf, 0.5f);
  if (!ok) div_free(d);
  return ok;
}

static void div_print(const Row *r, double copy_gbs, FILE *js, bool *first) {
  print_passes(r, "fp32", 4, 2, 2, 3, copy_gbs, js, first);
}

static int run_kl_jsd(double copy_gbs, FILE *js, bool *first) {
  typedef struct { int jsd; int64_t m, v; } Case;
  static const Case gpu_cases[] = {{0, 4096, 128256}, {1, 4096, 128256}, {0, 4096, 32000},
                                   {1, 4096, 32000},  {0, 1024, 262144}, {1, 1024, 262144}};
  static const Case cpu_cases[] = {{0, 16, 32000}, {1, 16, 32000}};
  const Case *cases = is_gpu ? gpu_cases : cpu_cases;
  int count = quick ? 2 : is_gpu ? (int)(sizeof gpu_cases / sizeof gpu_cases[0]) : 2;
  int bad = 0;
  for (int i = 0; i < count; i++) {
    Row r = {.op = cases[i].jsd ? "jsd" : "kl_div", .m = cases[i].m, .n = cases[i].v, .fwd = -1, .bwd = -1, .full = -1};
    Div d;
    if (!div_new(&d, cases[i].jsd, r.m, r.n)) {
      fprintf(stderr, "liger-bench: allocating %s %lldx%lld: %s\n", r.op, (long long)r.m, (long long)r.n,
              liger_last_error());
      bad++;
      continue;
    }
    if (!time_row(&r, div_fwd, div_bwd, div_full, &d, row_name(&r))) bad++;
    div_print(&r, copy_gbs, js, first);
    fflush(stdout);
    div_free(&d);
  }
  return bad;
}

/* Sparsemax, fp32 as anchors.md measures it: 4096 x 4096 first (Liger: 0.599 ms forward,
 * 0.706 ms forward + backward, with its torch.sort), then longer rows at the same element
 * count and a looped one (131072). GB/s of the minimal bytes, one fp32 tensor of the shape a
 * pass: forward 2 (read x, write y), backward 3 (read dy and y, write dx), full 5. */
typedef struct Sparse {
  Buf x, y, dy, dx;
} Sparse;

static liger_status sparse_fwd(void *p) {
  Sparse *s = p;
  return liger_sparsemax_forward(ctx, NULL, &s->x.t, &s->y.t);
}

static liger_status sparse_bwd(void *p) {
  Sparse *s = p;
  return liger_sparsemax_backward(ctx, NULL, &s->dy.t, &s->y.t, &s->dx.t);
}

static liger_status sparse_full(void *p) {
  liger_status st = sparse_fwd(p);
  return st ? st : sparse_bwd(p);
}

static void sparse_free(Sparse *s) {
  Buf *all[] = {&s->x, &s->y, &s->dy, &s->dx};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) buf_free(all[i]);
}

static bool sparse_new(Sparse *s, int64_t m, int64_t n) {
  memset(s, 0, sizeof *s);
  bool ok = buf_new(&s->x, F32, 2, m, n) && buf_new(&s->y, F32, 2, m, n) && buf_new(&s->dy, F32, 2, m, n) &&
            buf_new(&s->dx, F32, 2, m, n);
  if (!ok) sparse_free(s);
  return ok;
}

static void sparse_print(const Row *r, double copy_gbs, FILE *js, bool *first) {
  print_passes(r, "fp32", 4, 2, 3, 5, copy_gbs, js, first);
}

static int run_sparsemax(double copy_gbs, FILE *js, bool *first) {
  typedef struct { int64_t m, n; } Case;
  static const Case gpu_cases[] = {{4096, 4096}, {16384, 1024}, {1024, 16384}, {256, 65536}, {128, 131072}};
  static const Case cpu_cases[] = {{256, 4096}, {4, 131072}};
  const Case *cases = is_gpu ? gpu_cases : cpu_cases;
  int count = quick ? 1 : is_gpu ? (int)(sizeof gpu_cases / sizeof gpu_cases[0]) : 2;
  int bad = 0;
  for (int i = 0; i < count; i++) {
    Row r = {.op = "sparsemax", .m = cases[i].m, .n = cases[i].n, .fwd = -1, .bwd = -1, .full = -1};
    Sparse s;
    if (!sparse_new(&s, r.m, r.n)) {
      fprintf(stderr, "liger-bench: allocating %s: %s\n", row_name(&r), liger_last_error());
      bad++;
      continue;
    }
    if (!time_row(&r, sparse_fwd, sparse_bwd, sparse_full, &s, row_name(&r))) bad++;
    sparse_print(&r, copy_gbs, js, first);
    fflush(stdout);
    sparse_free(&s);
  }
  return bad;
}

/* RoPE (Hugging Face's layout: q and k transposed views of (B, S, H, D) buffers, cos/sin
 * (1, S, D)), bf16, at the anchors.md shape q 4x32x2048x128, k 4x8x2048x128, and GQA / MHA
 * neighbours. Rotated in place, again and again (a rotation keeps the values bounded). The
 * row is m = B*S positions of n = (q heads + k heads) * D elements; GB/s of the minimal bytes:
 * forward and backward 2 passes each (read and write q and k; cos/sin are 1/40 of it at the
 * anchors shape and not counted), full 4 (anchors.md: Liger 1019 / 748 GB/s). */
typedef struct Rope {
  Buf q, k, cos, sin;
  int64_t qs[4], qst[4], ks[4], kst[4], cs[3];
} Rope;

static liger_status rope_fwd(void *p) {
  Rope *r = p;
  return liger_rope_forward(ctx, NULL, &r->q.t, &r->k.t, &r->cos.t, &r->sin.t);
}

static liger_status rope_bwd(void *p) {
  Rope *r = p;
  return liger_rope_backward(ctx, NULL, &r->q.t, &r->k.t, &r->cos.t, &r->sin.t);
}

static liger_status rope_full(void *p) {
  liger_status st = rope_fwd(p);
  return st ? st : rope_bwd(p);
}

static void rope_free(Rope *r) {
  Buf *all[] = {&r->q, &r->k, &r->cos, &r->sin};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) buf_free(all[i]);
}

/* x (B, H, S, D) as the transposed view of a (B, S, H, D) buffer. */
static void rope_view(Buf *x, int64_t *shape, int64_t *strides, int64_t b, int64_t h, int64_t s, int64_t d) {
  shape[0] = b, shape[1] = h, shape[2] = s, shape[3] = d;
  strides[0] = s * h * d, strides[1] = d, strides[2] = h * d, strides[3] = 1;
  x->t.ndim = 4;
  x->t.shape = shape;
  x->t.strides = strides;
}

static bool rope_new(Rope *r, int64_t b, int64_t s, int64_t nq, int64_t nk, int64_t d) {
  memset(r, 0, sizeof *r);
  bool ok = buf_new(&r->q, BF16, 1, b * s * nq * d, 1) && buf_new(&r->k, BF16, 1, b * s * nk * d, 1) &&
            buf_new(&r->cos, BF16, 1, s * d, 1) && buf_new(&r->sin, BF16, 1, s * d, 1);
  if (!ok) {
    rope_free(r);
    return false;
  }
  rope_view(&r->q, r->qs, r->qst, b, nq, s, d);
  rope_view(&r->k, r->ks, r->kst, b, nk, s, d);
  r->cs[0] = 1, r->cs[1] = s, r->cs[2] = d;
  Buf *t[] = {&r->cos, &r->sin};
  for (int i = 0; i < 2; i++) {
    t[i]->t.ndim = 3;
    t[i]->t.shape = r->cs;
  }
  return true;
}

static int run_rope(double copy_gbs, FILE *js, bool *first) {
  typedef struct { int64_t b, s, nq, nk, d; } Case;
  static const Case gpu_cases[] = {{4, 2048, 32, 8, 128}, {4, 2048, 32, 32, 128}, {1, 8192, 32, 8, 128},
                                   {8, 2048, 64, 8, 128}, {4, 2048, 32, 32, 64},  {4, 2048, 24, 8, 96}};
  static const Case cpu_cases[] = {{1, 256, 32, 8, 128}};
  const Case *cases = is_gpu ? gpu_cases : cpu_cases;
  int count = quick || !is_gpu ? 1 : (int)(sizeof gpu_cases / sizeof gpu_cases[0]);
  int bad = 0;
  for (int i = 0; i < count; i++) {
    const Case *k = &cases[i];
    Row row = {.op = "rope", .m = k->b * k->s, .n = (k->nq + k->nk) * k->d, .fwd = -1, .bwd = -1, .full = -1, .pf = 2,
               .pb = 2};
    Rope r;
    if (!rope_new(&r, k->b, k->s, k->nq, k->nk, k->d)) {
      fprintf(stderr, "liger-bench: allocating rope: %s\n", liger_last_error());
      bad++;
      continue;
    }
    char what[96];
    snprintf(what, sizeof what, "rope q %lldx%lldx%lldx%lld", (long long)k->b, (long long)k->nq, (long long)k->s,
             (long long)k->d);
    if (!time_row(&row, rope_fwd, rope_bwd, rope_full, &r, what)) bad++;
    print_row(&row, copy_gbs, js, first);
    fflush(stdout);
    rope_free(&r);
  }
  return bad;
}

/* Embedding, bf16, at the anchors.md shape (V 128256, D 4096, 8192 int64 ids; anchors.md:
 * Liger forward 0.038 ms, forward + backward 0.443 ms) and a smaller vocabulary. Ids are
 * uniform over [0, V) (a few repeat, as in real batches). The row is m = ids, n = D. Minimal
 * bytes, with E = 2 m D (one bf16 ids x D tensor) and 8 m of ids:
 *   forward   read the gathered rows, write out:                     2 E + 8 m
 *   backward  zero dw (2 V D), read dout, read + write touched rows:  2 V D + 3 E + 8 m
 *   full      the sum of both
 * The backward overwrites dw (accumulate = 0), so every call does the same work. */
typedef struct Emb {
  Buf ids, w, out, dw;
  int64_t ishape[1], oshape[2];
} Emb;

static liger_status emb_fwd(void *p) {
  Emb *e = p;
  return liger_embedding_forward(ctx, NULL, &e->ids.t, &e->w.t, &e->out.t, -1);
}

static liger_status emb_bwd(void *p) {
  Emb *e = p;
  return liger_embedding_backward(ctx, NULL, &e->ids.t, &e->out.t, &e->dw.t, -1, 0);
}

static liger_status emb_full(void *p) {
  liger_status st = emb_fwd(p);
  return st ? st : emb_bwd(p);
}

static void emb_free(Emb *e) {
  Buf *all[] = {&e->ids, &e->w, &e->out, &e->dw};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) buf_free(all[i]);
}

static bool emb_new(Emb *e, int64_t n, int64_t v, int64_t d) {
  memset(e, 0, sizeof *e);
  bool ok = buf_new(&e->w, BF16, 2, v, d) && buf_new(&e->dw, BF16, 2, v, d) && buf_new(&e->out, BF16, 2, n, d);
  int64_t *h = malloc(sizeof(int64_t) * (size_t)n);
  ok = ok && h && liger_malloc(ctx, sizeof(int64_t) * (size_t)n, &e->ids.dev) == LIGER_OK;
  if (ok) {
    uint64_t s = 88172645463325252ull;
    for (int64_t i = 0; i < n; i++) {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      h[i] = (int64_t)(s % (uint64_t)v);
    }
    ok = liger_memcpy_htod(ctx, e->ids.dev, h, sizeof(int64_t) * (size_t)n) == LIGER_OK;
  }
  free(h);
  if (!ok) {
    emb_free(e);
    return false;
  }
  e->ishape[0] = n;
  e->ids.t = (DLTensor){.data = e->ids.dev, .device = e->w.t.device, .ndim = 1, .dtype = {kDLInt, 64, 1},
                        .shape = e->ishape};
  return true;
}

static void emb_print(const Row *r, int64_t v, double copy_gbs, FILE *js, bool *first) {
  double e = (double)r->m * (double)r->n * 2, ids = 8.0 * (double)r->m, z = 2.0 * (double)v * (double)r->n;
  double bf = 2 * e + ids, bb = z + 3 * e + ids;
  char note[32], extra[32];
  snprintf(note, sizeof note, "  V %lld", (long long)v);
  snprintf(extra, sizeof extra, ", \"v\": %lld", (long long)v);
  emit_row(r, "bf16", bf, bb, bf + bb, note, extra, copy_gbs, js, first);
}

static int run_embedding(double copy_gbs, FILE *js, bool *first) {
  typedef struct { int64_t n, v, d; } Case;
  static const Case gpu_cases[] = {{8192, 128256, 4096}, {8192, 32000, 4096}, {32768, 128256, 4096}};
  static const Case cpu_cases[] = {{512, 32000, 256}};
  const Case *cases = is_gpu ? gpu_cases : cpu_cases;
  int count = quick || !is_gpu ? 1 : (int)(sizeof gpu_cases / sizeof gpu_cases[0]);
  int bad = 0;
  for (int i = 0; i < count; i++) {
    Row r = {.op = "embedding", .m = cases[i].n, .n = cases[i].d, .fwd = -1, .bwd = -1, .full = -1};
    Emb e;
    if (!emb_new(&e, cases[i].n, cases[i].v, cases[i].d)) {
      fprintf(stderr, "liger-bench: allocating embedding: %s\n", liger_last_error());
      bad++;
      continue;
    }
    char what[96];
    snprintf(what, sizeof what, "embedding %lld ids V %lld D %lld", (long long)cases[i].n, (long long)cases[i].v,
             (long long)cases[i].d);
    if (!time_row(&r, emb_fwd, emb_bwd, emb_full, &e, what)) bad++;
    emb_print(&r, cases[i].v, copy_gbs, js, first);
    fflush(stdout);
    emb_free(&e);
  }
  return bad;
}

/* The op table; returns 0 when every op ran. */
static int run_ops(double copy_gbs, FILE *js) {
  /* the anchors.md shape first, then row lengths around it at the same element count, and a
   * row longer than 65536 (the looped kernels) */
  int64_t total = is_gpu ? (int64_t)16384 * 4096 : (int64_t)1 << 20;
  int64_t ns_gpu[] = {4096, 1024, 2048, 8192, 16384, 32768, 131072}, ns_cpu[] = {4096, 1024, 65536, 131072};
  int64_t *ns = is_gpu ? ns_gpu : ns_cpu;
  int count = is_gpu ? (quick ? 1 : 7) : (quick ? 1 : 4);
  printf("| op         | shape (bf16) |   fwd ms |   bwd ms |  full ms | fwd GB/s | bwd GB/s | full GB/s | fwd/copy | bwd/copy | full/copy | extra MiB |\n");
  printf("|------------|--------------|----------|----------|----------|----------|----------|-----------|----------|----------|-----------|-----------|\n");
  bool first = true;
  int bad = 0;
  for (int i = 0; i < count; i++)
    for (int layer = 0; layer < 2; layer++) {
      Row r = {.op = layer ? "layer_norm" : "rms_norm", .m = total / ns[i], .n = ns[i], .fwd = -1, .bwd = -1,
               .full = -1, .pf = 2, .pb = 3};
      Norm n;
      if (!norm_new(&n, layer, r.m, r.n)) {
        fprintf(stderr, "liger-bench: allocating %s %lldx%lld: %s\n", r.op, (long long)r.m, (long long)r.n, liger_last_error());
        bad++;
        continue;
      }
      if (!time_row(&r, norm_fwd, norm_bwd, norm_full, &n, row_name(&r))) bad++;
      print_row(&r, copy_gbs, js, &first);
      fflush(stdout);
      norm_free(&n);
    }
  bad += run_glu_softmax(copy_gbs, js, &first);
  bad += run_rope(copy_gbs, js, &first);
  bad += run_kl_jsd(copy_gbs, js, &first);
  bad += run_sparsemax(copy_gbs, js, &first);
  bad += run_embedding(copy_gbs, js, &first);
  return bad + run_ce(copy_gbs, js, &first);
}

/* ---- compile time in a fresh process ------------------------------------------------------------------- */

/* Child: open the device, run RMSNorm forward + backward once on 4096 x 4096 bf16, print
 * "<first call ms> <context ms>". */
static int compile_child(void) {
  double t0 = now_ms();
  if (liger_context_create(device, &ctx) != LIGER_OK) return 1;
  is_gpu = strncmp(liger_context_target(ctx), "cpu", 3) != 0;
  double t1 = now_ms();
  Norm n;
  if (!norm_new(&n, false, 4096, 4096)) return 1;
  liger_synchronize(ctx, NULL);
  double t2 = now_ms();
  liger_status st = norm_full(&n);
  if (!st) st = liger_synchronize(ctx, NULL);
  double t3 = now_ms();
  if (st) {
    fprintf(stderr, "liger-bench: %s\n", liger_last_error());
    return 1;
  }
  printf("%.3f %.3f\n", t3 - t2, t1 - t0);
  norm_free(&n);
  liger_context_destroy(ctx);
  return 0;
}

/* Runs `self --ops --ops-child-compile` with the cache in `dir`; returns the process's ms
 * and the child's first-call and context-open ms. */
static double spawn_compile(const char *self, const char *dir, double *first, double *open) {
  int fds[2];
  if (pipe(fds)) return -1;
  fflush(stdout);
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid == 0) {
    setenv("LIGER_CACHE", "on", 1);
    setenv("LIGER_CACHE_DIR", dir, 1);
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl(self, self, "--ops", "--ops-child-compile", "--device", device, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  char buf[128] = {0};
  ssize_t got = read(fds[0], buf, sizeof buf - 1);
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  double total = now_ms() - t0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) || got <= 0 || sscanf(buf, "%lf %lf", first, open) != 2) return -1;
  return total;
}

/* Runs the op table in a child with LIGER_OPS_CONFIG=cfg. */
static int spawn_config(const char *self, const char *cfg, const char *json) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    setenv("LIGER_OPS_CONFIG", cfg, 1);
    char r[16];
    snprintf(r, sizeof r, "%d", reps);
    const char *av[16];
    int n = 0;
    av[n++] = self, av[n++] = "--ops", av[n++] = "--ops-child-table", av[n++] = "--device", av[n++] = device;
    av[n++] = "--reps", av[n++] = r;
    if (json) av[n++] = "--json", av[n++] = json;
    if (only) av[n++] = "--only", av[n++] = only;
    if (quick) av[n++] = "--quick";
    av[n] = NULL;
    execv(self, (char *const *)av);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int bench_ops_main(int argc, char **argv, const char *self) {
  const char *json = NULL, *configs = NULL;
  bool child_compile = false, child_table = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
    else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--configs") && i + 1 < argc) configs = argv[++i];
    else if (!strcmp(argv[i], "--src") && i + 1 < argc) i++; /* the ops' kernels are built in */
    else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!strcmp(argv[i], "--quick")) quick = true;
    else if (!strcmp(argv[i], "--ops-child-compile")) child_compile = true;
    else if (!strcmp(argv[i], "--ops-child-table")) child_table = true;
    else if (strcmp(argv[i], "--ops")) {
      fprintf(stderr, "usage: liger-bench --ops [--device D] [--json FILE] [--reps N] [--quick] [--only OP,OP] [--configs \"CFG;CFG\"]\n");
      return 2;
    }
  }
  if (reps < 1) reps = 1;
  if (child_compile) return compile_child();
  if (liger_context_create(device, &ctx) != LIGER_OK) {
    fprintf(stderr, "liger-bench: %s\n", liger_last_error());
    return 1;
  }
  is_gpu = strncmp(liger_context_target(ctx), "cpu", 3) != 0;
  const char *cfg = getenv("LIGER_OPS_CONFIG");
  FILE *js = json ? fopen(json, "w") : NULL;
  if (json && !js) {
    perror(json);
    return 1;
  }
  double copy_ms = -1, copy_gbs = copy_bandwidth(is_gpu ? (size_t)1 << 30 : (size_t)64 << 20, &copy_ms);
  if (copy_gbs <= 0) return 1;
  if (!child_table) printf("liger-bench --ops %s on %s\n\n", liger_version(), liger_context_device(ctx));
  printf("copy bandwidth: %.0f GB/s (%s of %s copied in %.3f ms, read + write counted)%s%s\n\n", copy_gbs,
         "a buffer", is_gpu ? "1 GiB" : "64 MiB", copy_ms, cfg && *cfg ? "; LIGER_OPS_CONFIG=" : "", cfg ? cfg : "");
  if (js)
    fprintf(js, "{\n  \"device\": \"%s\",\n  \"ops_config\": \"%s\",\n  \"copy_gbs\": %.1f,\n  \"ops\": [\n",
            liger_context_device(ctx), cfg ? cfg : "", copy_gbs);
  printf("Median ms per call (%d samples, batches of ~20 ms); GB/s of the minimal bytes: fwd 2, bwd 3, full 5\n"
         "passes over one bf16 tensor of the shape (anchors.md: 4MN and 10MN bytes); SwiGLU and GeGLU\n"
         "3, 5 and 8; Softmax 2, 3 and 5.\n\n", reps);
  int bad = run_ops(copy_gbs, js);
  if (js) fprintf(js, "\n  ]");
  liger_context_destroy(ctx);
  ctx = NULL;

  if (!child_table) {
    /* compile: a fresh process, empty cache then warm cache */
    char dir[] = "/tmp/liger-bench-ops-XXXXXX";
    double cf = -1, co = -1, wf = -1, wo = -1;
    double cp = mkdtemp(dir) ? spawn_compile(self, dir, &cf, &co) : -1;
    double wp = cp > 0 ? spawn_compile(self, dir, &wf, &wo) : -1;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
    printf("\nRMSNorm forward + backward, 4096x4096 bf16, first call in a new process (ms):\n"
           "| cache | first call | context open | process |\n|-------|------------|--------------|---------|\n"
           "| cold  | %10.1f | %12.1f | %7.1f |\n| warm  | %10.1f | %12.1f | %7.1f |\n"
           "(anchors.md, Triton + Liger: 2109 ms cold, 470 ms warm)\n",
           cf, co, cp, wf, wo, wp);
    if (cp < 0 || wp < 0) bad++;
    if (js)
      fprintf(js, ",\n  \"rms_norm_first_call\": {\"cold_ms\": %.3f, \"warm_ms\": %.3f, \"cold_process_ms\": %.3f, "
                  "\"warm_process_ms\": %.3f}", cf, wf, cp, wp);
    /* the same table under other launch plans */
    if (configs) {
      char *list = strdup(configs), *save = NULL;
      int idx = 0;
      for (char *c = strtok_r(list, ";", &save); c; c = strtok_r(NULL, ";", &save), idx++) {
        printf("\n== LIGER_OPS_CONFIG=%s\n", c);
        char jf[4096];
        if (json) snprintf(jf, sizeof jf, "%s.config%d.json", json, idx);
        bad += spawn_config(self, c, json ? jf : NULL) != 0;
      }
      free(list);
    }
  }
  if (js) {
    fprintf(js, "\n}\n");
    fclose(js);
  }
  return bad != 0;
}
