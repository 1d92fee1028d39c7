/*
 * internal.h — private to runtime/context.c, runtime/kernel.c and kernels/op.c: the objects
 * behind the public handles, and source loading shared by the JIT and liger_compile.
 */
#ifndef LIGER_RUNTIME_INTERNAL_H
#define LIGER_RUNTIME_INTERNAL_H

#include "../codegen/codegen.h"
#include "runtime.h"

#include <pthread.h>

struct liger_context {
  const RtBackend *be;
  RtDevice *dev;
  RtDeviceInfo info;
  const Target *target;
  int ordinal;          /* N of "cuda:N" / "hip:N" (0 on the CPU) */
  bool offline;         /* "offline:TARGET": no device (dev_offline.c); launches are counted */
  char desc[256];
  pthread_mutex_t lock; /* guards `ops` while it is created */
  void *ops;            /* kernels/op.c: loaded op kernels and scratch, made by the first op call */
  void (*ops_release)(liger_context *ctx); /* frees `ops`; called by liger_context_destroy */
  _Atomic int tuning;   /* liger_context_set_tuning (autotune/tuner.c): measure on a DB miss */
};

/* One kernel of a source file: the parsed module, its parameters and its decorators, all in
 * the arena given to rt_kernel_read. */
typedef struct KernelInfo {
  Module *mod;
  const char *name; /* the kernel's name */
  KernelParam *params;
  int nparams;
  KernelDecor decor;
} KernelInfo;

/* Reads `path` (or takes `source`, named `filename`) into `file`; *text owns the bytes. */
liger_status rt_source_load(const char *path, const char *source, const char *filename, SrcFile *file, char **text);
/* Parses the file once and reads kernel `name` (NULL: the last one): parameters, decorators. */
liger_status rt_kernel_read(Arena *arena, const SrcFile *file, const char *name, KernelInfo *out);

#endif
