/*
 * internal.h — private to runtime/context.c and runtime/kernel.c: the objects behind the
 * public handles, and source loading shared by the JIT and liger_compile.
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
  char desc[256];
  pthread_mutex_t lock;
};

/* A kernel's parameter list, copied out of the compile arena. */
typedef struct KernelParams {
  char *name;       /* the kernel's name */
  KernelParam *p;   /* names are malloc'd */
  int n;
} KernelParams;

/* Reads `path` (or takes `source`, named `filename`) into `file`; *text owns the bytes. */
liger_status rt_source_load(const char *path, const char *source, const char *filename, SrcFile *file, char **text);
/* Parses the file and lists the parameters of kernel `name` (NULL: the last one). */
liger_status rt_kernel_params(const SrcFile *file, const char *name, KernelParams *out);
void rt_kernel_params_free(KernelParams *kp);

#endif
