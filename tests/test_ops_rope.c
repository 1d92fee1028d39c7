/*
 * test_ops_rope.c — RoPE (include/liger/ops.h: liger_rope_forward / liger_rope_backward)
 * through the public API against a C reference in double written from spec/kernels.md §3.
 *
 * The reference rounds where the spec says the kernel does: q/k converted to cos's dtype,
 * each product and the sum rounded to it, the result to q's dtype. q and k are rotated in
 * place in one of three layouts (compact (B, H, S, D); the transposed view of a (B, S, H, D)
 * buffer, Hugging Face's case; the same with 8 elements of padding after each head), and
 * every byte outside their elements must stay as it was. cos/sin are HF tables (cos/sin of
 * pos * inv_freq, the second half a copy of the first) with batch 1, batch B or 2-D (S, D).
 *
 * Usage: test_ops_rope [--device cpu|cuda] [--quick]
 * Exit status 0 = pass, 1 = fail, 77 = device absent.
 */
#include "liger/ops.h"
#include "ops_util.h"

/* ---- tolerances (no looser than spec/kernels.md §3: fp32 1e-5 / 1e-5, bf16 1e-1 / 1e-5,
 * fp16 1e-2 / 1e-5) -------------------------------------------------------------------------------- */

/* By the dtype of the arithmetic (cos's) and of the result (q's), the looser of the two. The
 * reference rounds at the kernel's points, so what is left is a product fused into the sum
 * (one rounding fewer) and the final rounding going the other way: about two steps of the
 * dtype at |y| < 4 (|x| < 2). fp32 1e-5 / 1e-5; bf16 3.2e-2 / 1e-5 (2^-6 is one step in
 * [2, 4)); fp16 4e-3 / 1e-5. */
static Tol rope_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-5, 1e-5} : dt == LIGER_BF16 ? (Tol){3.2e-2, 1e-5} : (Tol){4e-3, 1e-5};
}

/* ---- strided 4-D tensors -------------------------------------------------------------------------------- */

/* A tensor of up to 4 dims with element strides; img is the host image of the allocation,
 * v the logical values in index order. */
typedef struct RTen {
  DLTensor t;
  int nd;
  int64_t shape[4], strides[4], n;
  liger_dtype dt;
  size_t bytes;
  void *dev;
  unsigned char *img;
  double *v;
} RTen;

static int64_t rt_offset(const RTen *x, int64_t i) { /* element offset of logical index i */
  int64_t off = 0;
  for (int d = x->nd - 1; d >= 0; d--) {
    off += (i % x->shape[d]) * x->strides[d];
    i /= x->shape[d];
  }
  return off;
}

static RTen *rt_new(liger_dtype dt, int nd, const int64_t *shape, const int64_t *strides) {
  RTen *x = calloc(1, sizeof *x);
  x->nd = nd;
  x->dt = dt;
  x->n = 1;
  int64_t span = 1;
  for (int d = 0; d < nd; d++) {
    x->shape[d] = shape[d];
    x->strides[d] = strides[d];
    x->n *= shape[d];
    span += (shape[d] - 1) * strides[d];
  }
  if (x->n == 0) span = 0;
  x->bytes = (size_t)span * esize(dt) + 64;
  x->img = malloc(x->bytes);
  memset(x->img, PAD_BYTE, x->bytes);
  x->v = calloc((size_t)x->n + 1, sizeof(double));
  if (liger_malloc(ctx, x->bytes, &x->dev) != LIGER_OK) {
    printf("liger_malloc: %s\n", liger_last_error());
    exit(1);
  }
  liger_memcpy_htod(ctx, x->dev, x->img, x->bytes);
  x->t.data = x->dev;
  x->t.device = dl_dev();
  x->t.ndim = nd;
  x->t.dtype = dl_type(dt);
  x->t.shape = x->shape;
  x->t.strides = x->strides;
  return x;
}

static void rt_free(RTen *x) {
  if (!x) return;
  liger_free(ctx, x->dev);
  free(x->img);
  free(x->v);
  free(x);
}

/* Sets the values (already exact in the dtype) and uploads. */
static void rt_upload(RTen *x) {
  size_t es = esize(x->dt);
  for (int64_t i = 0; i < x->n; i++) elem_put(x->img + (size_t)rt_offset(x, i) * es, x->dt, x->v[i]);
  liger_memcpy_htod(ctx, x->dev, x->img, x->bytes);
}

/* Reads back into v; returns the number of bytes outside the elements that changed. */
static long rt_download(RTen *x) {
  liger_synchronize(ctx, NULL);
  liger_memcpy_dtoh(ctx, x->img, x->dev, x->bytes);
  size_t es = esize(x->dt);
  bool *mine = calloc(x->bytes, 1);
  for (int64_t i = 0; i < x->n; i++) {
    size_t o = (size_t)rt_offset(x, i) * es;
    x->v[i] = elem_get(x->img + o, x->dt);
    memset(mine + o, 1, es);
  }
  long bad = 0;
  for (size_t b = 0; b < x->bytes; b++) bad += !mine[b] && x->img[b] != PAD_BYTE;
  free(mine);
  return bad;
}

/* ---- the reference ----------------------------------------------------------------------------------------- */

/* x (B, H, S, D) rotated in place by the table rows of cos/sin (cb: their batch, 1 or B),
 * arithmetic rounded to ct, the result to x's dtype xt. */
static void rope_ref(double *x, liger_dtype xt, int64_t B, int64_t H, int64_t S, int64_t D, const double *cs,
                     const double *sn, int64_t cb, liger_dtype ct, bool backward) {
  int64_t half = D / 2;
  for (int64_t b = 0; b < B; b++)
    for (int64_t h = 0; h < H; h++)
      for (int64_t s = 0; s < S; s++) {
        double *row = x + ((b * H + h) * S + s) * D;
        const double *c = cs + ((cb == 1 ? 0 : b) * S + s) * D, *si = sn + ((cb == 1 ? 0 : b) * S + s) * D;
        for (int64_t i = 0; i < half; i++) {
          double x1 = round_to(row[i], ct), x2 = round_to(row[i + half], ct);
          double a = round_to(x1 * c[i], ct), bb = round_to(x2 * si[i], ct);
          double e = round_to(x2 * c[i], ct), f = round_to(x1 * si[i], ct);
          double y1 = backward ? round_to(a + bb, ct) : round_to(a - bb, ct);
          double y2 = backward ? round_to(e - f, ct) : round_to(e + f, ct);
          row[i] = round_to(y1, xt);
          row[i + half] = round_to(y2, xt);
        }
      }
}

/* ---- one case ---------------------------------------------------------------------------------------------- */

enum { LAYOUT_BHSD, LAYOUT_BSHD, LAYOUT_BSHD_PAD, NLAYOUTS };
static const char *const layout_name[] = {"BHSD", "BSHD view", "BSHD view, padded heads"};

typedef struct Case {
  int64_t B, S, NQ, NK, D;
  liger_dtype xt, ct; /* q/k's dtype, cos/sin's */
  int cos_batch;      /* 0: a 2-D (S, D) table; 1; or B */
  int layout;
  bool backward;
} Case;

static RTen *qk_new(const Case *k, int64_t H) {
  int64_t shape[4] = {k->B, H, k->S, k->D}, st[4];
  int64_t hs = k->D + (k->layout == LAYOUT_BSHD_PAD ? 8 : 0); /* elements from one head to the next */
  if (k->layout == LAYOUT_BHSD) st[0] = H * k->S * k->D, st[1] = k->S * k->D, st[2] = k->D, st[3] = 1;
  else st[0] = k->S * H * hs, st[1] = hs, st[2] = H * hs, st[3] = 1;
  RTen *x = rt_new(k->xt, 4, shape, st);
  for (int64_t i = 0; i < x->n; i++) x->v[i] = round_to(uniform(-2, 2), k->xt);
  rt_upload(x);
  return x;
}

/* HF's tables: cos/sin(pos * inv_freq[i]), inv_freq[i] = 10000^(-2i/D), the second half a
 * copy of the first (an odd D's last column random); pos = s, shifted by 3 b per batch. */
static RTen *table_new(const Case *k, bool is_sin) {
  int64_t cb = k->cos_batch ? k->cos_batch : 1, half = k->D / 2;
  int64_t shape3[3] = {cb, k->S, k->D}, st3[3] = {k->S * k->D, k->D, 1};
  RTen *x = k->cos_batch ? rt_new(k->ct, 3, shape3, st3) : rt_new(k->ct, 2, shape3 + 1, st3 + 1);
  for (int64_t b = 0; b < cb; b++)
    for (int64_t s = 0; s < k->S; s++) {
      double *row = x->v + (b * k->S + s) * k->D;
      for (int64_t i = 0; i < half; i++) {
        double th = (double)(s + 3 * b) * pow(10000.0, -2.0 * (double)i / (double)k->D);
        row[i] = row[i + half] = round_to(is_sin ? sin(th) : cos(th), k->ct);
      }
      if (k->D % 2) row[k->D - 1] = round_to(uniform(-1, 1), k->ct);
    }
  rt_upload(x);
  return x;
}

static void check_case(const Case *k) {
  char what[200];
  snprintf(what, sizeof what, "rope %s B%lld S%lld q%lld k%lld D%lld %s, cos %s batch %s, %s", k->backward ? "bwd" : "fwd",
           (long long)k->B, (long long)k->S, (long long)k->NQ, (long long)k->NK, (long long)k->D, dtype_name(k->xt),
           dtype_name(k->ct), k->cos_batch == 0 ? "2-D" : k->cos_batch == 1 ? "1" : "B", layout_name[k->layout]);
  RTen *q = qk_new(k, k->NQ), *kk = qk_new(k, k->NK), *c = table_new(k, false), *s = table_new(k, true);
  double *rq = malloc(sizeof(double) * (size_t)(q->n + 1)), *rk = malloc(sizeof(double) * (size_t)(kk->n + 1));
  memcpy(rq, q->v, sizeof(double) * (size_t)q->n);
  memcpy(rk, kk->v, sizeof(double) * (size_t)kk->n);
  int64_t cb = k->cos_batch ? k->cos_batch : 1;
  rope_ref(rq, k->xt, k->B, k->NQ, k->S, k->D, c->v, s->v, cb, k->ct, k->backward);
  rope_ref(rk, k->xt, k->B, k->NK, k->S, k->D, c->v, s->v, cb, k->ct, k->backward);
  liger_status st = k->backward ? liger_rope_backward(ctx, NULL, &q->t, &kk->t, &c->t, &s->t)
                                : liger_rope_forward(ctx, NULL, &q->t, &kk->t, &c->t, &s->t);
  if (st != LIGER_OK) {
    CHECK(false, "%s: %s: %s", what, liger_status_name(st), liger_last_error());
  } else {
    Tol ta = rope_tol(k->ct), tb = rope_tol(k->xt);
    Tol tol = {ta.atol > tb.atol ? ta.atol : tb.atol, ta.rtol > tb.rtol ? ta.rtol : tb.rtol};
    for (int w = 0; w < 2; w++) {
      RTen *x = w ? kk : q;
      const double *ref = w ? rk : rq;
      long pad = rt_download(x);
      double worst = 0;
      int64_t wi = -1, exact = 0;
      for (int64_t i = 0; i < x->n; i++) {
        double d = fabs(x->v[i] - ref[i]), lim = tol.atol + tol.rtol * fabs(ref[i]);
        if (!(d <= lim) && (wi < 0 || d - lim > worst)) worst = d - lim, wi = i;
        exact += x->v[i] == ref[i];
      }
      if (wi >= 0)
        CHECK(false, "%s: %s[%lld] = %.7g, expected %.7g (atol %g rtol %g)", what, w ? "k" : "q", (long long)wi,
              x->v[wi], ref[wi], tol.atol, tol.rtol);
      else
        CHECK(pad == 0, "%s: %s (%lld values, %.2f%% exact%s)", what, w ? "k" : "q", (long long)x->n,
              x->n ? 100.0 * (double)exact / (double)x->n : 100.0, pad ? ", but bytes outside it were written" : "");
    }
    /* cos and sin are inputs: untouched */
    long cpad = rt_download(c) + rt_download(s);
    CHECK(cpad == 0, "%s: cos/sin padding untouched", what);
  }
  free(rq), free(rk);
  rt_free(q), rt_free(kk), rt_free(c), rt_free(s);
}

typedef struct Shape {
  int64_t B, S, NQ, NK, D;
} Shape;

static const liger_dtype dtypes[3] = {LIGER_F32, LIGER_BF16, LIGER_F16};

/* Every shape in every dtype (cos in q's dtype, as HF gives it), both directions; the cos
 * batch and the layout turn with the case; cos/sin in another dtype than q now and then.
 * The big shapes (not all_dtypes) on the CPU: forward and backward by turns (time). */
static void sweep(const Shape *sh, int n, bool all_dtypes) {
  static int turn;
  for (int i = 0; i < n; i++)
    for (int d = 0; d < (all_dtypes ? 3 : 1); d++)
      for (int bwd = all_dtypes || gpu ? 0 : i % 2; bwd < (all_dtypes || gpu ? 2 : i % 2 + 1); bwd++) {
        int t = turn++;
        Case k = {sh[i].B, sh[i].S, sh[i].NQ, sh[i].NK, sh[i].D, dtypes[d], dtypes[d], 0, t % NLAYOUTS, bwd};
        k.cos_batch = t % 3 == 0 ? 0 : t % 3 == 1 ? 1 : (int)k.B;
        if (k.cos_batch == 0 && k.B != 1) k.cos_batch = 1; /* a 2-D table is batch 1 */
        if (t % 7 == 3) k.ct = dtypes[(d + 1) % 3];
        check_case(&k);
      }
}

/* ---- bad arguments -------------------------------------------------------------------------------------------- */

static void errors(void) {
  Case k = {2, 4, 3, 2, 8, LIGER_BF16, LIGER_BF16, 2, LAYOUT_BHSD, false};
  RTen *q = qk_new(&k, 3), *kk = qk_new(&k, 2), *c = table_new(&k, false), *s = table_new(&k, true);
  DLTensor bad;
  expect_error("NULL context", liger_rope_forward(NULL, NULL, &q->t, &kk->t, &c->t, &s->t),
               "liger_rope_forward: context is NULL");
  expect_error("NULL q", liger_rope_forward(ctx, NULL, NULL, &kk->t, &c->t, &s->t), "liger_rope_forward: q is NULL");
  expect_error("NULL sin", liger_rope_backward(ctx, NULL, &q->t, &kk->t, &c->t, NULL), "liger_rope_backward: sin is NULL");
  bad = q->t;
  bad.ndim = 3;
  expect_error("3-D q", liger_rope_forward(ctx, NULL, &bad, &kk->t, &c->t, &s->t), "q has 3 dimensions; expected 4");
  bad = q->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  expect_error("int32 q", liger_rope_forward(ctx, NULL, &bad, &kk->t, &c->t, &s->t),
               "q has dtype int32; expected float32, bfloat16 or float16");
  bad = kk->t;
  bad.dtype = dl_type(LIGER_F32);
  expect_error("k dtype", liger_rope_forward(ctx, NULL, &q->t, &bad, &c->t, &s->t), "k has dtype float32; expected bfloat16 like q");
  bad = s->t;
  bad.dtype = dl_type(LIGER_F16);
  expect_error("sin dtype", liger_rope_forward(ctx, NULL, &q->t, &kk->t, &c->t, &bad),
               "sin has dtype float16; expected bfloat16 like cos");
  int64_t kshape[4] = {2, 2, 5, 8};
  bad = kk->t;
  bad.shape = kshape;
  expect_error("k seq", liger_rope_forward(ctx, NULL, &q->t, &bad, &c->t, &s->t), "k has shape (2, 2, 5, 8); expected (2, heads, 4, 8) like q");
  int64_t cshape[3] = {3, 4, 8};
  bad = c->t;
  bad.shape = cshape;
  expect_error("cos batch 3", liger_rope_forward(ctx, NULL, &q->t, &kk->t, &bad, &s->t), "cos has shape (3, 4, 8); expected (1 or 2, 4, 8)");
  int64_t cshape2[3] = {2, 4, 6};
  bad = s->t;
  bad.shape = cshape2;
  expect_error("sin head_dim", liger_rope_backward(ctx, NULL, &q->t, &kk->t, &c->t, &bad), "sin has shape (2, 4, 6)");
  bad = c->t;
  bad.ndim = 1;
  expect_error("1-D cos", liger_rope_forward(ctx, NULL, &q->t, &kk->t, &bad, &s->t), "cos has 1 dimensions; expected 2");
  bad = q->t;
  int64_t qst[4] = {96, 32, 8, 2};
  bad.strides = qst;
  expect_error("strided head_dim", liger_rope_forward(ctx, NULL, &bad, &kk->t, &c->t, &s->t),
               "q's last dimension is not contiguous");
  bad = q->t;
  bad.device = (DLDevice){gpu ? kDLCPU : kDLCUDA, 0};
  expect_error("q on another device", liger_rope_forward(ctx, NULL, &bad, &kk->t, &c->t, &s->t),
               gpu ? "q is on kDLCPU" : "q is on kDLCUDA");
  bad = q->t;
  bad.byte_offset = 1;
  expect_error("misaligned", liger_rope_forward(ctx, NULL, &bad, &kk->t, &c->t, &s->t), "not aligned");
  {
    int64_t qs2[4] = {2, 2, 4, 8}; /* k as the first two heads of q */
    DLTensor k2 = q->t;
    k2.shape = qs2;
    expect_error("k inside q", liger_rope_forward(ctx, NULL, &q->t, &k2, &c->t, &s->t), "q overlaps k");
    int64_t cs3[3] = {2, 4, 8}; /* cos as q's first elements */
    DLTensor c3 = q->t;
    c3.ndim = 3;
    c3.shape = cs3;
    c3.strides = NULL;
    expect_error("dq over cos", liger_rope_backward(ctx, NULL, &q->t, &kk->t, &c3, &s->t), "dq overlaps cos");
  }
  /* nothing to do: zero positions, a head_dim of 1 */
  {
    Case e = {0, 4, 3, 2, 8, LIGER_F32, LIGER_F32, 1, LAYOUT_BHSD, false};
    RTen *q0 = qk_new(&e, 3), *k0 = qk_new(&e, 2), *c0 = table_new(&e, false), *s0 = table_new(&e, true);
    liger_status st = liger_rope_forward(ctx, NULL, &q0->t, &k0->t, &c0->t, &s0->t);
    CHECK(st == LIGER_OK, "rope on batch 0: %s", st ? liger_last_error() : "ok");
    rt_free(q0), rt_free(k0), rt_free(c0), rt_free(s0);
  }
  rt_free(q), rt_free(kk), rt_free(c), rt_free(s);
}

int main(int argc, char **argv) {
  bool quick;
  int rc = ops_setup(argc, argv, "test_ops_rope", &quick);
  if (rc >= 0) return rc;

  /* the spec's functional shapes, GQA, head dims 64 / 128 / 96 / 80, an odd D, one head */
  static const Shape small[] = {{1, 2, 2, 2, 8},   {1, 2, 1, 2, 8},  {9, 7, 41, 41, 41}, {2, 16, 32, 8, 64},
                                {2, 9, 8, 2, 128}, {3, 5, 12, 4, 96}, {2, 6, 10, 2, 80}, {1, 3, 1, 1, 2},
                                {2, 5, 3, 3, 7}};
  /* the spec's test shapes (vision: B 1 with a 2-D table) and the anchors.md head counts */
  static const Shape big[] = {{1, 128, 32, 32, 64}, {2, 128, 32, 32, 64}, {1, 128, 32, 8, 64},
                              {2, 128, 32, 8, 64},  {3, 423, 73, 213, 92}, {3, 423, 73, 155, 92},
                              {1, 8192, 32, 8, 128}, {1, 128, 32, 32, 64}, {1, 256, 16, 16, 128},
                              {1, 423, 73, 73, 92}, {2, 256, 32, 8, 128}};
  sweep(small, (int)(sizeof small / sizeof small[0]), true);
  errors();
  if (!quick) sweep(big, (int)(sizeof big / sizeof big[0]), false);
  if (!quick) { /* the anchors' head counts in the 16-bit dtypes */
    static const Shape anchor[] = {{1, 64, 32, 8, 128}};
    for (int d = 1; d < 3; d++)
      for (int cb = 0; cb < 2; cb++) {
        Case k = {anchor[0].B, anchor[0].S, anchor[0].NQ, anchor[0].NK, anchor[0].D, dtypes[d], dtypes[d], 1,
                  LAYOUT_BSHD, cb == 1};
        check_case(&k);
      }
  }
  liger_context_destroy(ctx);
  return check_summary();
}
