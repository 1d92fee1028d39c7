/*
 * op.h — internal interface of kernels/: what every Liger op (kernels/<op>.c, public API in
 * include/liger/ops.h) shares.
 *
 * An op is a C function that validates its DLPack tensors (op_rows, op_vector, op_per_row,
 * op_index, op_like, op_dtype_in, op_check_overlaps), plans block sizes and grids (op_plan_rows,
 * op_num_warps, op_sm_count), finds its kernels in the context's variant cache (op_kernel),
 * takes scratch memory for its stream (op_scratch_get / op_scratch_put) and launches on the
 * caller's stream (op_launch, op_sum_partials). Every failure becomes a status with a message
 * that starts with the public function's name.
 *
 * Kernel sources kernels/<op>.py are embedded into the library at build time (CMake writes
 * the table op_sources); LIGER_OPS_KERNEL_DIR=/path makes op_kernel read /path/<op>.py instead,
 * for development. LIGER_OPS_CONFIG overrides the launch plan, for tuning (docs/ops.md).
 */
#ifndef LIGER_KERNELS_OP_H
#define LIGER_KERNELS_OP_H

#include "liger/ops.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- op.c: embedded kernel sources (generated table) ----------------------------------- */

typedef struct OpSource {
  const char *file;           /* "rms_norm.py" */
  const unsigned char *text;  /* NUL-terminated */
  const unsigned long *len;
} OpSource;

extern const OpSource op_sources[];
extern const int op_nsources;

/* ---- op.c: one call of a public op --------------------------------------------------------- */

typedef struct OpCall {
  const char *fn; /* the public function, first word of every message */
  liger_context *ctx;
  void *stream;
  liger_dtype dtype; /* of the first tensor op_rows validated: the tuning bucket's dtype */
  int64_t rows, cols; /* its shape as rows: the bucket's, whatever shape a plan is asked for */
  bool has_dtype;     /* dtype, rows and cols are set */
} OpCall;

/* Starts a call: checks the context and LIGER_OPS_CONFIG. */
liger_status op_start(OpCall *c, const char *fn, liger_context *ctx, void *stream);

/* Records "FN: <message>" as the thread's error and returns `st`. */
liger_status op_fail(const OpCall *c, liger_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- op.c: tensor validation ---------------------------------------------------------------- */

/* A validated DLTensor as the kernels see it: a rows x cols view with a row stride. */
typedef struct OpTensor {
  const char *name;     /* argument name in messages */
  const DLTensor *t;    /* NULL: the optional argument was absent */
  void *data;           /* data + byte_offset */
  liger_dtype dtype;
  int64_t rows, cols;   /* (prod(leading dims), last dim); vectors are 1 x n */
  int64_t stride;       /* elements from one row to the next */
  uintptr_t lo, hi;     /* the bytes [lo, hi) it spans, for overlap checks */
  const struct OpTensor *alias_ok; /* may be exactly this other tensor (in-place outputs) */
} OpTensor;

/* x of a row op: non-NULL, on the context's device, float32/bfloat16/float16, ndim >= 1,
 * last dim >= 1 with stride 1, leading dims collapsing into one row stride. */
liger_status op_rows(const OpCall *c, const char *name, const DLTensor *t, OpTensor *out);
/* op_rows plus: the same shape and dtype as `ref` (dy, y, dx against x). */
liger_status op_rows_like(const OpCall *c, const char *name, const DLTensor *t, const OpTensor *ref, OpTensor *out);
/* A float vector (n,) with stride 1 (weights and their gradients). t may be NULL when
 * `optional`; then out->t is NULL. */
liger_status op_vector(const OpCall *c, const char *name, const DLTensor *t, int64_t n, bool optional, OpTensor *out);
/* A float tensor of exactly `rows` elements, compact (rstd, mean). */
liger_status op_per_row(const OpCall *c, const char *name, const DLTensor *t, int64_t rows, OpTensor *out);
/* Integer ids (embedding ids, class indices): int64 or int32, any shape (0-d and empty
 * included), compact, aligned. out is 1 x n (n = their count); its dtype is LIGER_I64/I32. */
liger_status op_index(const OpCall *c, const char *name, const DLTensor *t, OpTensor *out);
/* t's dtype must be `a` or `b` (`why` names b, e.g. "x's dtype"). */
liger_status op_dtype_in(const OpCall *c, const OpTensor *t, liger_dtype a, liger_dtype b, const char *why);
/* t's dtype must equal ref's. */
liger_status op_same_dtype(const OpCall *c, const OpTensor *t, const OpTensor *ref);
/* Every output against every other output and every input: an error if two overlap, unless
 * out->alias_ok names the other and they are the same view. Absent (t == NULL) ones skip. */
liger_status op_check_overlaps(const OpCall *c, const OpTensor *const *outs, int nouts, const OpTensor *const *ins,
                               int nins);

/* "float32", "bfloat16", ... */
const char *op_dtype_name(liger_dtype dt);

/* ---- op.c: launch planning ------------------------------------------------------------------ */

/* How a row op covers its input. */
typedef struct OpPlan {
  bool looped;    /* rows longer than one tile: walk them in chunks of block_n */
  int block_m;    /* rows per tile (1 when looped) */
  int block_n;    /* np2(cols), or the chunk */
  int num_warps;
  uint32_t programs; /* backward: persistent programs (tile: grid size; looped: row groups) */
  int per_sm;        /* backward programs per SM as configured (0: from the occupancy) */
  bool prefetch;     /* backward tile form: load the next row block before reducing this one */
  bool chunk_set, warps_set; /* the config (LIGER_OPS_CONFIG, database) names chunk / warps */
} OpPlan;

enum {
  OP_TILE_MAX = 65536,   /* longest row held as one tile (Liger's limit) */
  OP_SCRATCH_ALIGN = 256 /* bytes; sub-buffers of one scratch allocation start on this */
};

/* What a plan is for. */
typedef enum OpPlanKind {
  OP_PLAN_FWD,     /* one pass per row tile */
  OP_PLAN_BWD,     /* the same, holding about twice the state (dy and y): one step more warps */
  OP_PLAN_BWD_SUMS /* a backward that also sums over rows (dW): a persistent grid (programs,
                      set by op_launch_sums) of programs that each write a partial row; small
                      tiles take 4 warps, so that many programs share an SM */
} OpPlanKind;

/* The plan for `rows` rows of `cols`: Liger's calculate_settings for the block and warps,
 * several short rows per program, the looped form above OP_TILE_MAX, and what `kind` adds.
 * LIGER_OPS_CONFIG overrides any of it. */
OpPlan op_plan_rows(const OpCall *c, int64_t rows, int64_t cols, OpPlanKind kind);
/* The chunk and warps of a kernel that walks its rows in chunks (KL divergence, JSD): `chunk`
 * or LIGER_OPS_CONFIG's smaller one (op_plan_rows's looped form), cut down to np2(cols), and
 * warps for about `per_thread` elements a thread (LIGER_OPS_CONFIG's warps, when set, at most
 * that). */
void op_chunk_plan(const OpCall *c, int64_t cols, int chunk, int per_thread, int *block, int *warps);
/* The tile-form launch of a backward that sums over rows (RMSNorm's dW, LayerNorm's dW and
 * dB): sizes the persistent grid from k's occupancy (as many programs per SM as can be
 * resident at once, at most 8; LIGER_OPS_CONFIG's per_sm overrides; the CPU: 4 a worker; the
 * grid then runs in one wave), takes one fp32 [programs, cols] block of scratch for each
 * sums[i] that is not NULL and passes it as argument a[slots[i]] (an absent one keeps its
 * placeholder, which the kernel never writes), launches k, then adds each block's rows into
 * sums[i] (op_sum_partials). */
liger_status op_launch_sums(const OpCall *c, liger_kernel *k, liger_arg *a, int nargs, OpPlan *p, int64_t rows,
                            int64_t cols, const OpTensor *const *sums, const int *slots, int nsums);
/* Liger's num_warps for a tile of `elems` elements: 4, 8 (>= 2048), 16 (>= 8192), 32 (>=
 * 32768); 16 at most on HIP (64-lane waves). */
int op_num_warps(const OpCall *c, int64_t elems);
/* SMs (CUDA), CUs (HIP) or worker threads (CPU) of the context's device. */
int op_sm_count(const OpCall *c);

/* ---- op.c: plan knobs (LIGER_OPS_CONFIG, and the tuning database's op configs) ---------------- */

/* Overrides of the launch plan. A tuning database config of an op is the same text as
 * LIGER_OPS_CONFIG ("rows=2,warps=8"); LIGER_OPS_CONFIG wins knob by knob. */
typedef struct OpTune {
  int rows, bwd_rows;   /* rows per tile (power of two) */
  int warps, bwd_warps; /* num_warps */
  int per_sm;           /* backward programs per SM */
  int chunk;            /* looped form for rows longer than this, in chunks of this */
  int bwd_chunk;        /* the same for the backward only */
  int prefetch;         /* backward prefetch of the next row block: 0 default, 1 off, 2 on */
  char error[240];      /* non-empty: the text is malformed (LIGER_OPS_CONFIG: every op call fails) */
} OpTune;

/* Parses "key=value,..." ("" is no override). false with out->error set on a bad text. */
bool op_tune_parse(const char *text, OpTune *out);
/* Makes every plan of this thread use *t (NULL: back to the database), for the tuner. */
void op_tune_force(const OpTune *t);

/* ---- op_space.c: the ops' tuning spaces (docs/tuning.md, "Op spaces") --------------------- */

/* "liger_rms_norm_forward" → "rms_norm.fwd" (backward: .bwd): the database's kernel field. */
void op_variant_name(const char *fn, char *out, size_t n);
/* The bucket of an op call: "cols=np2(cols),dtype=bf16,rows=np2(rows)" (dtype < 0: left out). */
liger_status op_bucket(int dtype, int64_t rows, int64_t cols, char *out, size_t n);
/* Whether the variant has a space the tuner can time (its inputs are known to op_space.c). */
bool op_space_has(const char *variant);
/* The variants with a space, NULL-terminated ("rms_norm.fwd", ...). */
extern const char *const op_space_variants[];

/* What op_space_tune measured. */
typedef struct OpSpaceReport {
  char bucket[256];
  int n;                /* configs timed; configs[0] is the default plan's */
  char **configs;       /* canonical config strings */
  struct TuneTiming *t; /* per config; t[i].why non-empty: skipped */
  int best;             /* index of the fastest, -1 if none ran */
} OpSpaceReport;

/* Times every config of `variant`'s space at (rows, cols, dtype) on ctx: allocates inputs
 * of that shape, runs the public op once per sample with the config forced, and, when
 * write_db, adds every timing to the database. o NULL: tune_runtime_opts(). Free the report
 * with op_space_report_free. Errors: LIGER_ERR_INVALID_ARG (unknown variant), memory, or
 * LIGER_ERR_UNSUPPORTED when no config could run. */
struct TuneBenchOpts;
liger_status op_space_tune(liger_context *ctx, const char *variant, liger_dtype dtype, int64_t rows, int64_t cols,
                           const struct TuneBenchOpts *o, bool write_db, OpSpaceReport *r);
void op_space_report_free(OpSpaceReport *r);

/* ---- op.c: kernels, scratch, launches ------------------------------------------------------- */

/* The kernel `name` of kernels/`file` with these constexprs and num_warps, from the
 * context's variant cache (loaded on first use; owned by the context). Thread-safe. */
liger_status op_kernel(const OpCall *c, const char *file, const char *name, const liger_constexpr *consts,
                       int nconsts, int num_warps, liger_kernel **out);

/* Launches k over (g0, g1, 1) programs on the call's stream; errors get the call's name. */
liger_status op_launch(const OpCall *c, liger_kernel *k, uint32_t g0, uint32_t g1, const liger_arg *args, int nargs);

/* Scratch for this call's stream, at least `bytes` (16-byte aligned). The buffer is the
 * stream's until op_scratch_put: hold it across the launches that use it. */
typedef struct OpScratch OpScratch;
liger_status op_scratch_get(const OpCall *c, size_t bytes, void **ptr, OpScratch **hold);
void op_scratch_put(OpScratch *hold);

/* out[j] = sum over p < nparts of partials[p * cols + j] (fp32 partials, out's dtype),
 * with kernels/sum_rows.py. nparts may be 0 (zeros). */
liger_status op_sum_partials(const OpCall *c, const void *partials, int64_t nparts, const OpTensor *out);

/* Pointer and scalar arguments for liger_launch. */
static inline liger_arg op_ptr(const OpTensor *t) { return liger_arg_ptr(t->data, t->dtype); }
static inline liger_arg op_i64(int64_t v) { return liger_arg_int(v); }
/* Stands for a scratch pointer (aligned as scratch is) before the scratch exists, or for one
 * the kernel never touches. Never dereferenced. */
static inline liger_arg op_partials_placeholder(void) {
  return liger_arg_ptr((void *)(uintptr_t)OP_SCRATCH_ALIGN, LIGER_F32);
}

#endif
