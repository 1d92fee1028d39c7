/*
 * test_ops_embedding.c — Embedding (include/liger/ops.h: liger_embedding_forward /
 * liger_embedding_backward) through the public API against a C reference in double written
 * from spec/kernels.md §15 and the op's documented edge cases.
 *
 * Ids are drawn over [0, V) and then salted: a run of ids all hitting one row (many
 * additions into it: the atomics of repeated ids), the padding row, ids outside [0, V)
 * (-1, -7, V, V + 3 and, for int64, 2^40 and 2^32 + 1, which would wrap into range if the
 * kernel narrowed them). Forward rows of ids that are not rows (padding, out of range) must
 * be zero; backward must add nothing for them. The backward runs twice: dw starts as random
 * values and is overwritten (accumulate = 0: the op zeroes it), then the same call adds
 * into the result (accumulate = 1). The spec's shapes (320 ids each), padding None / 0 / 50 /
 * 1, int32 and int64 ids, every float dtype, strided w rows, 0-d, 2-D and empty ids.
 *
 * Usage: test_ops_embedding [--device cpu|cuda] [--quick]
 * Exit status 0 = pass, 1 = fail, 77 = device absent.
 */
#include "liger/ops.h"
#include "ops_util.h"

/* ---- tolerances ----------------------------------------------------------------------------------------
 * Forward: a copy, exact in every dtype.
 * Backward (spec: fp32 atol 1e-6, rtol 1e-5): a row whose id occurs once is dw + dout in
 * fp32 rounded once to the dtype, which is the reference exactly (both are bf16/fp16/fp32
 * values; their sum fits fp32). Rows of repeated ids are sums in fp32 in an unspecified
 * order: each element gets a slack of k * 2^-24 * sum |terms| (k terms), the bound of a
 * recursive fp32 sum. 16-bit dw then rounds that sum once, where the reference rounds the
 * exact sum: one step of the dtype apart at most, rtol 2^-7 (bf16) / 2^-10 (fp16). At least
 * 99% of the values without slack must equal the reference exactly. */
static Tol bwd_tol(liger_dtype dt) {
  return dt == LIGER_F32 ? (Tol){1e-6, 1e-5} : dt == LIGER_BF16 ? (Tol){1e-6, 0x1p-7} : (Tol){1e-6, 0x1p-10};
}

static const liger_dtype dtypes[] = {LIGER_F32, LIGER_BF16, LIGER_F16};

typedef struct Case {
  int64_t V, D, n;     /* vocabulary, width, ids */
  liger_dtype dt, idt; /* w's dtype, ids' dtype */
  int64_t pad;         /* padding_idx, -1: none */
  int64_t w_stride;    /* 0: compact */
  int ids_ndim;        /* 0 (n must be 1), 1 or 2 (n even) */
} Case;

static bool is_row(const Case *k, int64_t id) { return id >= 0 && id < k->V && id != k->pad; }

/* ids over [0, V) salted with repeats, the padding row and out-of-range values. */
static void make_ids(const Case *k, int64_t *ids) {
  for (int64_t m = 0; m < k->n; m++) ids[m] = k->V ? (int64_t)(rng_next() % (uint64_t)k->V) : 0;
  if (k->n < 8) return;
  int64_t hot = k->V / 3, run = k->n / 4; /* a quarter of the ids on one row */
  for (int64_t m = 0; m < run; m++) ids[(m * 7) % k->n] = hot;
  ids[1] = k->pad >= 0 ? k->pad : ids[1];
  ids[k->n - 2] = k->pad >= 0 ? k->pad : ids[k->n - 2];
  static const int64_t big[] = {(int64_t)1 << 40, ((int64_t)1 << 32) + 1};
  int64_t bad[] = {-1, -7, k->V, k->V + 3};
  for (int i = 0; i < 4; i++) ids[2 + 3 * i] = bad[i];
  if (k->idt == LIGER_I64)
    for (int i = 0; i < 2; i++) ids[3 + 3 * i] = big[i];
}

static void check_case(const Case *k) {
  char what[160];
  snprintf(what, sizeof what, "embedding V %lld D %lld ids %lld %s %s pad %lld%s ndim %d", (long long)k->V,
           (long long)k->D, (long long)k->n, dtype_name(k->dt), k->idt == LIGER_I64 ? "int64" : "int32",
           (long long)k->pad, k->w_stride ? " strided" : "", k->ids_ndim);
  int64_t ishape[2] = {k->ids_ndim == 2 ? 2 : k->n, k->ids_ndim == 2 ? k->n / 2 : 0};
  int64_t oshape[3] = {ishape[0], ishape[1], k->D};
  if (k->ids_ndim == 0) oshape[0] = k->D;
  else if (k->ids_ndim == 1) oshape[1] = k->D;
  int64_t wshape[2] = {k->V, k->D};
  Ten *ids = ten_new(k->idt, k->ids_ndim, ishape, 0), *w = ten_new(k->dt, 2, wshape, k->w_stride);
  Ten *out = ten_new(k->dt, k->ids_ndim + 1, oshape, 0), *dout = ten_new(k->dt, k->ids_ndim + 1, oshape, 0);
  Ten *dw = ten_new(k->dt, 2, wshape, k->w_stride);
  int64_t *id = malloc(sizeof(int64_t) * (size_t)(k->n + 1));
  size_t nw = (size_t)(k->V * k->D) + 1, no = (size_t)(k->n * k->D) + 1;
  double *ref = calloc(nw > no ? nw : no, sizeof(double)), *slack = calloc(nw, sizeof(double));
  double *abs_sum = calloc(nw, sizeof(double)), *terms = calloc((size_t)k->V + 1, sizeof(double));
  make_ids(k, id);
  for (int64_t m = 0; m < k->n; m++) ids->v[m] = (double)id[m];
  ten_set(ids);
  ten_fill(w, -2, 2);
  ten_fill(dout, -1, 1);

  /* forward: zero rows for ids that are not rows */
  RUN(what, liger_embedding_forward(ctx, NULL, &ids->t, &w->t, &out->t, k->pad));
  for (int64_t m = 0; m < k->n; m++)
    for (int64_t c = 0; c < k->D; c++) ref[m * k->D + c] = is_row(k, id[m]) ? w->v[id[m] * k->D + c] : 0;
  expect_views(what, "forward out", out, ref, (Tol){0, 0}, NULL, NULL, 0, 1.0);

  /* backward, overwriting random values, then accumulating into the result */
  for (int pass = 0; pass < 2; pass++) {
    double *base = calloc(nw, sizeof(double));
    if (pass == 0) ten_fill(dw, -3, 3); /* must be overwritten */
    else memcpy(base, dw->v, sizeof(double) * (size_t)(k->V * k->D));
    RUN(what, liger_embedding_backward(ctx, NULL, &ids->t, &dout->t, &dw->t, k->pad, pass));
    memcpy(ref, base, sizeof(double) * (size_t)(k->V * k->D));
    memset(abs_sum, 0, sizeof(double) * nw);
    memset(terms, 0, sizeof(double) * (size_t)(k->V + 1));
    for (int64_t m = 0; m < k->n; m++) {
      if (!is_row(k, id[m])) continue;
      terms[id[m]] += 1;
      for (int64_t c = 0; c < k->D; c++) {
        ref[id[m] * k->D + c] += dout->v[m * k->D + c];
        abs_sum[id[m] * k->D + c] += fabs(dout->v[m * k->D + c]);
      }
    }
    for (int64_t v = 0; v < k->V; v++)
      for (int64_t c = 0; c < k->D; c++) {
        int64_t i = v * k->D + c;
        double kk = terms[v] + 1; /* the terms, plus dw's own value */
        slack[i] = terms[v] > 1 ? kk * 0x1p-24 * (abs_sum[i] + fabs(base[i])) : 0;
        ref[i] = round_to(ref[i], k->dt);
      }
    expect_views(what, pass ? "backward dw (accumulate)" : "backward dw", dw, ref, bwd_tol(k->dt), slack, NULL, 0,
                 0.99);
    free(base);
  }
done:
  free(id), free(ref), free(slack), free(abs_sum), free(terms);
  ten_free(ids), ten_free(w), ten_free(out), ten_free(dout), ten_free(dw);
}

/* The spec's shapes with 320 ids, every padding option, both id dtypes, every float dtype;
 * then the edge cases. */
static void sweep(bool quick) {
  static const int64_t shapes[][2] = {{100, 64}, {1000, 128}, {100, 60}, {1000, 120}, {1000, 500}, {30522, 768}};
  static const int64_t pads[] = {-1, 0, 50, 1};
  int ns = quick ? 5 : 6;
  for (int s = 0; s < ns; s++)
    for (int d = 0; d < 3; d++)
      for (int p = 0; p < 4; p++) {
        if (s == 5 && p % 2) continue; /* the big table: None and 50 */
        Case k = {shapes[s][0], shapes[s][1], 320, dtypes[d], (s + d + p) % 2 ? LIGER_I64 : LIGER_I32, pads[p], 0, 1};
        check_case(&k);
      }
  for (int d = 0; d < 3; d++) {
    /* many hits on few rows: 5000 ids over 10 rows */
    Case hot = {10, 128, 5000, dtypes[d], LIGER_I64, 3, 0, 1};
    check_case(&hot);
    /* strided table rows, 2-D ids, an odd width */
    Case st = {300, 33, 200, dtypes[d], LIGER_I32, 7, 40, 2};
    check_case(&st);
    /* a wide row: several column blocks */
    Case wide = {64, 3000, 96, dtypes[d], LIGER_I64, -1, 0, 1};
    check_case(&wide);
    /* one 0-d id; empty ids */
    Case one = {50, 64, 1, dtypes[d], LIGER_I32, -1, 0, 0};
    check_case(&one);
    Case none = {50, 64, 0, dtypes[d], LIGER_I64, 2, 0, 1};
    check_case(&none);
  }
}

/* ---- bad arguments ---------------------------------------------------------------------------------------- */

static void errors(void) {
  Ten *ids = ten1(LIGER_I64, 6), *w = ten2(LIGER_BF16, 10, 16), *out = ten2(LIGER_BF16, 6, 16);
  Ten *dw = ten2(LIGER_BF16, 10, 16), *fids = ten1(LIGER_F32, 6);
  DLTensor bad;
  expect_error("NULL context", liger_embedding_forward(NULL, NULL, &ids->t, &w->t, &out->t, -1),
               "liger_embedding_forward: context is NULL");
  expect_error("NULL ids", liger_embedding_forward(ctx, NULL, NULL, &w->t, &out->t, -1),
               "liger_embedding_forward: ids is NULL");
  expect_error("NULL dw", liger_embedding_backward(ctx, NULL, &ids->t, &out->t, NULL, -1, 0),
               "liger_embedding_backward: dw is NULL");
  expect_error("float ids", liger_embedding_forward(ctx, NULL, &fids->t, &w->t, &out->t, -1),
               "ids has dtype float32; expected int64 or int32");
  bad = ids->t;
  bad.dtype = (DLDataType){kDLInt, 16, 1};
  expect_error("int16 ids", liger_embedding_backward(ctx, NULL, &bad, &out->t, &dw->t, -1, 0),
               "ids has dtype int16; expected int64 or int32");
  bad = w->t;
  bad.dtype = (DLDataType){kDLInt, 32, 1};
  expect_error("int32 w", liger_embedding_forward(ctx, NULL, &ids->t, &bad, &out->t, -1),
               "w has dtype int32; expected float32, bfloat16 or float16");
  {
    int64_t s3[3] = {2, 5, 16};
    bad = w->t;
    bad.ndim = 3;
    bad.shape = s3;
    expect_error("3-D w", liger_embedding_forward(ctx, NULL, &ids->t, &bad, &out->t, -1),
                 "w has 3 dimensions; expected 2 (num_embeddings, embedding_dim)");
    int64_t so[2] = {6, 8};
    bad = out->t;
    bad.shape = so;
    expect_error("out width", liger_embedding_forward(ctx, NULL, &ids->t, &w->t, &bad, -1),
                 "out has the wrong shape; expected (6, 16)");
    int64_t so2[2] = {5, 16};
    bad = out->t;
    bad.shape = so2;
    expect_error("dout rows", liger_embedding_backward(ctx, NULL, &ids->t, &bad, &dw->t, -1, 0),
                 "dout has the wrong shape; expected (6, 16)");
    int64_t si[2] = {2, 3};
    bad = ids->t;
    bad.ndim = 2;
    bad.shape = si;
    expect_error("2-D ids, 2-D out", liger_embedding_forward(ctx, NULL, &bad, &w->t, &out->t, -1),
                 "out has the wrong shape; expected (2, 3, 16)");
    int64_t sst[1] = {2};
    int64_t sh[1] = {3};
    bad = ids->t;
    bad.shape = sh;
    bad.strides = sst;
    expect_error("strided ids", liger_embedding_forward(ctx, NULL, &bad, &w->t, &out->t, -1), "ids is not contiguous");
  }
  bad = out->t;
  bad.dtype = dl_type(LIGER_F32);
  expect_error("out dtype", liger_embedding_forward(ctx, NULL, &ids->t, &w->t, &bad, -1),
               "out has dtype float32; expected bfloat16 like w");
  expect_error("padding_idx V", liger_embedding_forward(ctx, NULL, &ids->t, &w->t, &out->t, 10),
               "padding_idx 10 is not a row of w (expected -1 for none, or 0 to 9)");
  expect_error("padding_idx -2", liger_embedding_backward(ctx, NULL, &ids->t, &out->t, &dw->t, -2, 0),
               "padding_idx -2 is not a row of dw");
  bad = ids->t;
  bad.byte_offset = 4;
  expect_error("misaligned int64 ids", liger_embedding_forward(ctx, NULL, &bad, &w->t, &out->t, -1),
               "ids's data (+ byte_offset) is not aligned to its 8-byte elements");
  bad = dw->t;
  bad.device = (DLDevice){gpu ? kDLCPU : kDLCUDA, 0};
  expect_error("dw on another device", liger_embedding_backward(ctx, NULL, &ids->t, &out->t, &bad, -1, 0),
               gpu ? "dw is on kDLCPU" : "dw is on kDLCUDA");
  {
    int64_t so[2] = {6, 16}; /* out as w's first rows */
    bad = w->t;
    bad.shape = so;
    expect_error("out over w", liger_embedding_forward(ctx, NULL, &ids->t, &w->t, &bad, -1), "out overlaps w");
    expect_error("dw over dout", liger_embedding_backward(ctx, NULL, &ids->t, &bad, &w->t, -1, 1), "dw overlaps dout");
  }
  ten_free(ids), ten_free(w), ten_free(out), ten_free(dw), ten_free(fids);
}

int main(int argc, char **argv) {
  bool quick;
  int rc = ops_setup(argc, argv, "test_ops_embedding", &quick);
  if (rc >= 0) return rc;
  sweep(quick);
  errors();
  liger_context_destroy(ctx);
  return check_summary();
}
