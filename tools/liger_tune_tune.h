/*
 * liger_tune_tune.h — `liger-tune tune` (tools/liger_tune_tune.c), for liger-tune.c's
 * command table; prewarm --tune is prewarm_tune (autotune/prewarm.h), defined there too.
 */
#ifndef LIGER_TOOLS_LIGER_TUNE_TUNE_H
#define LIGER_TOOLS_LIGER_TUNE_TUNE_H

#include "prewarm.h"

#include <stdbool.h>

typedef struct TuneCmd {
  const char *ops;     /* "all" or op names with a space (NULL: all) */
  const char *shapes;  /* a prewarm shapes file (docs/cli.md), or NULL: the anchors.md shapes */
  const char *device;  /* "cuda", "hip:1", "cpu", ... or NULL: the best present */
  const char *db;      /* the database to write (NULL: tune_db_path) */
  double budget_ms;    /* per config (0: 200 ms, 50 ms on the CPU) */
  int samples;         /* per config (0: 20, 5 on the CPU) */
  bool quiet;          /* no progress lines on stderr */
} TuneCmd;

/* Runs liger-tune tune; returns the exit status (0 ok, 1 failed, 2 usage). */
int liger_tune_tune(const TuneCmd *c);

/* Whether prewarm --tune can time on `target`: a device here (cuda[:N], hip[:N], cpu). */
bool prewarm_tune_target_ok(const char *target);

#endif
