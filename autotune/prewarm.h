/*
 * prewarm.h — calling every Liger op (include/liger/ops.h) over a set of shapes, dtypes and
 * kernel-changing options, so that every kernel variant those calls need is built into the
 * binary cache. On an "offline:TARGET" context (liger.h) nothing runs: this is how CI fills a
 * cache for a GPU it does not have (liger-tune prewarm, docs/cache.md). The table of ops and
 * their default shapes (anchors.md and liger-bench --ops's sweep) is in prewarm.c; the shapes
 * file format is in docs/cli.md.
 *
 * Uses the public API only (liger.h, ops.h), so any tool can link it.
 */
#ifndef LIGER_AUTOTUNE_PREWARM_H
#define LIGER_AUTOTUNE_PREWARM_H

#include "liger/liger.h"

#include <stdbool.h>
#include <stdint.h>

enum { PREWARM_MAX_DIMS = 5 };

/* One shape of one op; dtypes a mask of PREWARM_F32 | _BF16 | _F16. */
typedef struct PrewarmShape {
  char op[24];
  int64_t d[PREWARM_MAX_DIMS];
  int nd;
  unsigned dtypes;
} PrewarmShape;

enum { PREWARM_F32 = 1, PREWARM_BF16 = 2, PREWARM_F16 = 4, PREWARM_ALL_DTYPES = 7 };

/* Comma-separated names of the ops in the table ("rms_norm,layer_norm,..."). */
const char *prewarm_op_names(void);
/* The dims an op's shape has, e.g. "MxN" or "BxSxHQxHKVxD"; NULL for an unknown op. */
const char *prewarm_op_dims(const char *op);

/* Checks an --ops value ("all" or known names); prints what is wrong on stderr. */
liger_status prewarm_check_ops(const char *ops);

/* Reads a shapes file (docs/cli.md): "OP DIMS [DTYPES]" lines, '#' comments. *out is
 * malloc'd (free it). Errors: LIGER_ERR_IO, LIGER_ERR_INVALID_ARG with file:line. */
liger_status prewarm_read_shapes(const char *path, PrewarmShape **out, int *n);

/* What prewarm_run does. */
typedef struct PrewarmOptions {
  const char *ops;            /* "all" or comma-separated op names (NULL: all) */
  const PrewarmShape *shapes; /* NULL: the table's defaults */
  int nshapes;
  int jobs;                   /* threads calling ops at once (0: online CPUs) */
  /* Called after each unit (one op at one shape and dtype), from any thread, serialised. */
  void (*progress)(void *ud, int done, int total, const char *unit);
  void *ud;
} PrewarmOptions;

/* What it did. failures: one malloc'd line per failed call ("rms_norm bf16 16384x4096
 * [mode=llama w=1] backward: message"), nfailures of them. */
typedef struct PrewarmResult {
  int units, calls;
  uint64_t compiled, hits; /* binary-cache misses (each one a compilation) and hits */
  char **failures;
  int nfailures;
  double seconds;
} PrewarmResult;

/* Opens `device` ("offline:sm_90", "cpu", "cuda", ...), calls the selected ops' forward and
 * backward at every shape and dtype on it, and fills *r (free it with prewarm_result_free).
 * On an offline GPU device without occupancy=, the backwards with a persistent grid run once
 * more for each occupancy 1..8, since the real device's decides a launch argument's
 * specialisation. Returns LIGER_OK when it ran (failures of single calls are in *r), or an
 * error when it could not start (unknown op, device, cache off). */
liger_status prewarm_run(const char *device, const PrewarmOptions *o, PrewarmResult *r);
void prewarm_result_free(PrewarmResult *r);

/* The shapes prewarm_run would call ops at: `from` (a shapes file's, nfrom of them) or the
 * table's defaults, of the ops `ops` selects, one per (op, dims) with its dtypes. With
 * anchors_only and no `from`, only each op's first default (its anchors.md shape). *out is
 * malloc'd (free it). */
liger_status prewarm_shapes(const char *ops, const PrewarmShape *from, int nfrom, bool anchors_only,
                            PrewarmShape **out, int *n);

/* liger-tune prewarm --tune: on the device `target` names ("cuda", "cuda:N", "hip",
 * "hip:N", "cpu"), time the configs of every op space (kernels/op_space.c) at o's shapes
 * (the table's defaults when o->shapes is NULL) and write the tuning database
 * (docs/tuning.md). An offline target (sm_90, gfx942, ...) is refused with a message: there
 * is no device to time on. Defined with liger-tune tune (tools/liger_tune_tune.c), which it
 * shares the code of; prints its table on stdout. */
liger_status prewarm_tune(const char *target, const PrewarmOptions *o);

#endif
