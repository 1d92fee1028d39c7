/*
 * link_cubin.c — the last step of the NVIDIA target: PTX text → cubin, in-process.
 *
 * codegen's NVPTX back end emits PTX; the driver could JIT it, but a cubin made here lets us
 * cache machine code and report ptxas errors at compile time. There is no static PTX
 * compiler library in the CUDA 13 toolkit we build against, so we use libnvJitLink, loaded
 * with dlopen at first use: the library is 100 MB and optional (without it the CUDA path can
 * still hand PTX to the driver), and not linking it keeps libliger-jit loadable anywhere.
 *
 * We declare the few entry points ourselves instead of including nvJitLink.h: that header
 * maps nvJitLinkCreate to a versioned symbol (__nvJitLinkCreate_13_0) that an older
 * libnvJitLink.so.12 does not export, while the plain names exist in both.
 */
#include "link.h"
#include "runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- our declarations of the nvJitLink C API (stable since CUDA 12.0) ---------------- */

typedef struct nvJitLinkOpaque *NvjlHandle;
typedef int NvjlResult; /* nvJitLinkResult; 0 = NVJITLINK_SUCCESS */
enum { NVJL_SUCCESS = 0, NVJL_INPUT_PTX = 2 /* NVJITLINK_INPUT_PTX */ };

typedef NvjlResult (*NvjlCreateFn)(NvjlHandle *h, uint32_t nopts, const char **opts);
typedef NvjlResult (*NvjlAddDataFn)(NvjlHandle h, int input_type, const void *data, size_t size,
                                    const char *name);
typedef NvjlResult (*NvjlCompleteFn)(NvjlHandle h);
typedef NvjlResult (*NvjlGetSizeFn)(NvjlHandle h, size_t *size);
typedef NvjlResult (*NvjlGetCubinFn)(NvjlHandle h, void *cubin);
typedef NvjlResult (*NvjlGetLogFn)(NvjlHandle h, char *log);
typedef NvjlResult (*NvjlDestroyFn)(NvjlHandle *h);

static struct {
  NvjlCreateFn create;
  NvjlAddDataFn add_data;
  NvjlCompleteFn complete;
  NvjlGetSizeFn cubin_size;
  NvjlGetCubinFn cubin;
  NvjlGetSizeFn error_log_size;
  NvjlGetLogFn error_log;
  NvjlDestroyFn destroy;
  char where[2048]; /* the library that was loaded, or every place tried and why it failed */
  int ok;
} nvjl;

static pthread_once_t nvjl_once = PTHREAD_ONCE_INIT;

/* Appends "\n  <what><why>" to the list of places tried. */
static void nvjl_note(const char *what, const char *why) {
  size_t used = strlen(nvjl.where);
  snprintf(nvjl.where + used, sizeof nvjl.where - used, "\n  %s%s", what, why);
}

static void nvjl_load(void) {
  /* Candidates in order: an explicit path, the loader's search (LD_LIBRARY_PATH, ldconfig),
   * then the usual toolkit locations. */
  char paths[8][1024];
  int n = 0;
  const char *env = getenv("LIGER_NVJITLINK");
  if (env && *env) snprintf(paths[n++], sizeof paths[0], "%s", env);
  snprintf(paths[n++], sizeof paths[0], "libnvJitLink.so.13");
  snprintf(paths[n++], sizeof paths[0], "libnvJitLink.so.12");
  snprintf(paths[n++], sizeof paths[0], "libnvJitLink.so");
  const char *cuda_home = getenv("CUDA_HOME");
  if (cuda_home && *cuda_home) {
    snprintf(paths[n++], sizeof paths[0], "%s/lib64/libnvJitLink.so.13", cuda_home);
    snprintf(paths[n++], sizeof paths[0], "%s/lib64/libnvJitLink.so.12", cuda_home);
  }
  snprintf(paths[n++], sizeof paths[0], "/usr/local/cuda/lib64/libnvJitLink.so.13");
  snprintf(paths[n++], sizeof paths[0], "/usr/local/cuda/lib64/libnvJitLink.so.12");

  void *h = NULL;
  for (int i = 0; i < n && !h; i++) {
    int seen = 0; /* CUDA_HOME is often /usr/local/cuda itself */
    for (int j = 0; j < i; j++) seen |= strcmp(paths[i], paths[j]) == 0;
    if (seen) continue;
    h = dlopen(paths[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char *e = dlerror(); /* names the path already */
      nvjl_note(e ? e : paths[i], "");
    }
  }
  if (!h) return;

  /* Function pointers from dlsym: POSIX guarantees the void * → function round trip. */
#define NVJL_SYM(field, type, name)                                                   \
  do {                                                                                \
    nvjl.field = (type)dlsym(h, name);                                                \
    if (!nvjl.field) {                                                                \
      nvjl_note(name, ": missing from the loaded libnvJitLink");                      \
      return;                                                                         \
    }                                                                                 \
  } while (0)
  NVJL_SYM(create, NvjlCreateFn, "nvJitLinkCreate");
  NVJL_SYM(add_data, NvjlAddDataFn, "nvJitLinkAddData");
  NVJL_SYM(complete, NvjlCompleteFn, "nvJitLinkComplete");
  NVJL_SYM(cubin_size, NvjlGetSizeFn, "nvJitLinkGetLinkedCubinSize");
  NVJL_SYM(cubin, NvjlGetCubinFn, "nvJitLinkGetLinkedCubin");
  NVJL_SYM(error_log_size, NvjlGetSizeFn, "nvJitLinkGetErrorLogSize");
  NVJL_SYM(error_log, NvjlGetLogFn, "nvJitLinkGetErrorLog");
  NVJL_SYM(destroy, NvjlDestroyFn, "nvJitLinkDestroy");
#undef NVJL_SYM
  /* Never dlclose: the library is loaded once per process and kept. */
  nvjl.ok = 1;
}

/* nvJitLinkResult names, for messages. */
static const char *nvjl_result_name(NvjlResult r) {
  static const char *const names[] = {
      "NVJITLINK_SUCCESS",           "NVJITLINK_ERROR_UNRECOGNIZED_OPTION",
      "NVJITLINK_ERROR_MISSING_ARCH", "NVJITLINK_ERROR_INVALID_INPUT",
      "NVJITLINK_ERROR_PTX_COMPILE",  "NVJITLINK_ERROR_NVVM_COMPILE",
      "NVJITLINK_ERROR_INTERNAL",     "NVJITLINK_ERROR_THREADPOOL",
      "NVJITLINK_ERROR_UNRECOGNIZED_INPUT", "NVJITLINK_ERROR_FINALIZE",
      "NVJITLINK_ERROR_NULL_INPUT",   "NVJITLINK_ERROR_INCOMPATIBLE_OPTIONS",
      "NVJITLINK_ERROR_INCORRECT_INPUT_TYPE", "NVJITLINK_ERROR_ARCH_MISMATCH",
      "NVJITLINK_ERROR_OUTDATED_LIBRARY", "NVJITLINK_ERROR_MISSING_FATBIN",
      "NVJITLINK_ERROR_UNRECOGNIZED_ARCH", "NVJITLINK_ERROR_UNSUPPORTED_ARCH",
      "NVJITLINK_ERROR_LTO_NOT_ENABLED",
  };
  if (r >= 0 && (size_t)r < sizeof names / sizeof *names) return names[r];
  return "NVJITLINK_ERROR_(unknown)";
}

/* Records the failure of `step` with nvJitLink's error log appended. */
static liger_status nvjl_fail(NvjlHandle h, const char *step, NvjlResult r, const char *arch) {
  liger_status st = rt_fail(LIGER_ERR_COMPILE, "cg_link_cubin: %s for %s failed: %s", step, arch,
                            nvjl_result_name(r));
  size_t log_size = 0;
  if (h && nvjl.error_log_size(h, &log_size) == NVJL_SUCCESS && log_size > 1) {
    char *log = malloc(log_size + 1);
    if (log && nvjl.error_log(h, log) == NVJL_SUCCESS) {
      log[log_size] = '\0';
      rt_fail_append("\n");
      rt_fail_append(log);
    }
    free(log);
  }
  return st;
}

liger_status cg_link_cubin(const char *ptx, size_t len, const char *arch, char **out, size_t *out_len) {
  if (!out || !out_len) return rt_fail(LIGER_ERR_INVALID_ARG, "cg_link_cubin: NULL output");
  *out = NULL;
  *out_len = 0;
  if (!ptx || len == 0) return rt_fail(LIGER_ERR_INVALID_ARG, "cg_link_cubin: empty PTX");
  /* "sm_90", "sm_90a", "sm_100f": short and plain, so nothing odd reaches the option. */
  if (!arch || strncmp(arch, "sm_", 3) != 0 || strlen(arch) > 16 || strspn(arch + 3,
      "0123456789abcdefghijklmnopqrstuvwxyz") != strlen(arch + 3) || !arch[3])
    return rt_fail(LIGER_ERR_INVALID_ARG, "cg_link_cubin: bad arch \"%s\" (want sm_NN[a|f])",
                   arch ? arch : "(null)");

  pthread_once(&nvjl_once, nvjl_load);
  if (!nvjl.ok)
    return rt_fail(LIGER_ERR_NO_DEVICE,
                   "cg_link_cubin: libnvJitLink (CUDA 12 or 13) is needed to make a cubin; set "
                   "LIGER_NVJITLINK to its path. Tried:%s",
                   nvjl.where);

  /* nvJitLink reads PTX as a C string: give it a NUL-terminated copy. */
  char *text = malloc(len + 1);
  if (!text) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cg_link_cubin: %zu bytes of PTX", len);
  memcpy(text, ptx, len);
  text[len] = '\0';

  char arch_opt[32];
  snprintf(arch_opt, sizeof arch_opt, "-arch=%s", arch);
  const char *opts[] = {arch_opt, "-O3"};
  NvjlHandle h = NULL;
  liger_status st = LIGER_OK;
  NvjlResult r = nvjl.create(&h, 2, opts);
  if (r != NVJL_SUCCESS) {
    st = nvjl_fail(h, "nvJitLinkCreate", r, arch);
    goto done;
  }
  r = nvjl.add_data(h, NVJL_INPUT_PTX, text, len + 1, "kernel.ptx");
  if (r != NVJL_SUCCESS) {
    st = nvjl_fail(h, "nvJitLinkAddData", r, arch);
    goto done;
  }
  r = nvjl.complete(h);
  if (r != NVJL_SUCCESS) {
    st = nvjl_fail(h, "nvJitLinkComplete (ptxas)", r, arch);
    goto done;
  }
  size_t size = 0;
  r = nvjl.cubin_size(h, &size);
  if (r != NVJL_SUCCESS || size == 0) {
    st = nvjl_fail(h, "nvJitLinkGetLinkedCubinSize", r, arch);
    goto done;
  }
  char *cubin = malloc(size);
  if (!cubin) {
    st = rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cg_link_cubin: %zu bytes of cubin", size);
    goto done;
  }
  r = nvjl.cubin(h, cubin);
  if (r != NVJL_SUCCESS) {
    free(cubin);
    st = nvjl_fail(h, "nvJitLinkGetLinkedCubin", r, arch);
    goto done;
  }
  *out = cubin;
  *out_len = size;

done:
  if (h) nvjl.destroy(&h);
  free(text);
  return st;
}
