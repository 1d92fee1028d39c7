/*
 * dev_hip.c — AMD GPUs through the HIP runtime (rt_backend_hip).
 *
 * Like dev_cuda.c, the vendor library is loaded at run time (libamdhip64.so.6, then .so.5),
 * so libliger-jit loads on machines without ROCm and one build serves ROCm 5 and 6. We only
 * use entry points whose signatures did not change between ROCm 5 and 6, and never
 * hipGetDeviceProperties: hipDeviceProp_t changed layout in ROCm 6 (the symbol became
 * hipGetDevicePropertiesR0600), so a struct from one set of headers is garbage to the other
 * library. Device facts come from hipDeviceGetAttribute, whose attribute numbers we fix
 * below (the same in ROCm 5.2 and 6.x; checked against the headers when we have them).
 *
 * HIP's current device is per thread, so every entry point first selects ours.
 * Images are hsaco code objects from codegen/link_hsaco.cpp.
 */
#include "runtime.h"

#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LIGER_HAVE_HIP_H
#ifndef __HIP_PLATFORM_AMD__
#define __HIP_PLATFORM_AMD__ 1
#endif
#include <hip/hip_runtime_api.h>
typedef hipError_t RtHipError;
typedef hipDevice_t RtHipDevice;
typedef hipModule_t RtHipModule;
typedef hipFunction_t RtHipFunction;
typedef hipStream_t RtHipStream;
typedef hipEvent_t RtHipEvent;
#else
/* No HIP headers at build time: the few types this file needs. */
typedef int RtHipError;
typedef int RtHipDevice;
typedef struct ihipModule_t *RtHipModule;
typedef struct ihipModuleSymbol_t *RtHipFunction;
typedef struct ihipStream_t *RtHipStream;
typedef struct ihipEvent_t *RtHipEvent;
#endif
/* Enum parameters are passed as int in the C ABI; taking int spares conversions between our
 * fixed numbers and the header's enum types. */
typedef int RtHipAttr;
typedef int RtHipCopyKind;

/* hipError_t and hipDeviceAttribute_t values we use (ABI numbers, equal in ROCm 5.2 and
 * 6.x: ROCm 6 renamed some attributes to "Unused" but kept every number). */
enum {
  RT_HIP_SUCCESS = 0,
  RT_HIP_ERR_NOT_INITIALIZED = 3,
  RT_HIP_ERR_OUT_OF_MEMORY = 2,
  RT_HIP_ERR_INSUFFICIENT_DRIVER = 35,
  RT_HIP_ERR_NO_DEVICE = 100,
  RT_HIP_ERR_INVALID_DEVICE = 101,

  RT_HIP_ATTR_CC_MAJOR = 23,
  RT_HIP_ATTR_CC_MINOR = 61,
  RT_HIP_ATTR_MP_COUNT = 63,
  RT_HIP_ATTR_MAX_SHARED_PER_BLOCK = 74,
  RT_HIP_ATTR_WARP_SIZE = 87,

  RT_HIP_HOST_TO_DEVICE = 1,
  RT_HIP_DEVICE_TO_HOST = 2,
};

#ifdef LIGER_HAVE_HIP_H
_Static_assert((int)RT_HIP_ERR_OUT_OF_MEMORY == (int)hipErrorOutOfMemory, "hipError_t drifted");
_Static_assert((int)RT_HIP_ERR_NO_DEVICE == (int)hipErrorNoDevice, "hipError_t drifted");
_Static_assert((int)RT_HIP_ERR_INVALID_DEVICE == (int)hipErrorInvalidDevice, "hipError_t drifted");
_Static_assert((int)RT_HIP_ATTR_CC_MAJOR == (int)hipDeviceAttributeComputeCapabilityMajor, "attribute drifted");
_Static_assert((int)RT_HIP_ATTR_CC_MINOR == (int)hipDeviceAttributeComputeCapabilityMinor, "attribute drifted");
_Static_assert((int)RT_HIP_ATTR_MP_COUNT == (int)hipDeviceAttributeMultiprocessorCount, "attribute drifted");
_Static_assert((int)RT_HIP_ATTR_MAX_SHARED_PER_BLOCK == (int)hipDeviceAttributeMaxSharedMemoryPerBlock,
               "attribute drifted");
_Static_assert((int)RT_HIP_ATTR_WARP_SIZE == (int)hipDeviceAttributeWarpSize, "attribute drifted");
_Static_assert((int)RT_HIP_HOST_TO_DEVICE == (int)hipMemcpyHostToDevice, "hipMemcpyKind drifted");
_Static_assert((int)RT_HIP_DEVICE_TO_HOST == (int)hipMemcpyDeviceToHost, "hipMemcpyKind drifted");
#endif

/* Every HIP function we use: field, return type, parameters, exported name. */
#define RT_HIP_FUNCS(X)                                                                      \
  X(get_error_name, const char *, (RtHipError), "hipGetErrorName")                           \
  X(get_error_string, const char *, (RtHipError), "hipGetErrorString")                       \
  X(init, RtHipError, (unsigned), "hipInit")                                                 \
  X(get_device_count, RtHipError, (int *), "hipGetDeviceCount")                              \
  X(set_device, RtHipError, (int), "hipSetDevice")                                           \
  X(device_get, RtHipError, (RtHipDevice *, int), "hipDeviceGet")                            \
  X(device_get_name, RtHipError, (char *, int, RtHipDevice), "hipDeviceGetName")             \
  X(device_get_attribute, RtHipError, (int *, RtHipAttr, int), "hipDeviceGetAttribute")      \
  X(malloc_, RtHipError, (void **, size_t), "hipMalloc")                                     \
  X(free_, RtHipError, (void *), "hipFree")                                                  \
  X(memcpy_, RtHipError, (void *, const void *, size_t, RtHipCopyKind), "hipMemcpy")         \
  X(memset_, RtHipError, (void *, int, size_t), "hipMemset")                                 \
  X(device_synchronize, RtHipError, (void), "hipDeviceSynchronize")                          \
  X(stream_synchronize, RtHipError, (RtHipStream), "hipStreamSynchronize")                   \
  X(module_load_data, RtHipError, (RtHipModule *, const void *), "hipModuleLoadData")        \
  X(module_get_function, RtHipError, (RtHipFunction *, RtHipModule, const char *),           \
    "hipModuleGetFunction")                                                                  \
  X(module_unload, RtHipError, (RtHipModule), "hipModuleUnload")                             \
  X(occupancy, RtHipError, (int *, RtHipFunction, int, size_t),                              \
    "hipModuleOccupancyMaxActiveBlocksPerMultiprocessor")                                    \
  X(module_launch_kernel, RtHipError,                                                        \
    (RtHipFunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,    \
     RtHipStream, void **, void **),                                                         \
    "hipModuleLaunchKernel")                                                                 \
  X(event_create, RtHipError, (RtHipEvent *), "hipEventCreate")                              \
  X(event_record, RtHipError, (RtHipEvent, RtHipStream), "hipEventRecord")                   \
  X(event_synchronize, RtHipError, (RtHipEvent), "hipEventSynchronize")                      \
  X(event_elapsed, RtHipError, (float *, RtHipEvent, RtHipEvent), "hipEventElapsedTime")     \
  X(event_destroy, RtHipError, (RtHipEvent), "hipEventDestroy")

#define X(field, ret, params, name) typedef ret(*RtHipFn_##field) params;
RT_HIP_FUNCS(X)
#undef X

static struct {
#define X(field, ret, params, name) RtHipFn_##field field;
  RT_HIP_FUNCS(X)
#undef X
  int ok;
  char why[1024]; /* when !ok: why the runtime could not be loaded */
} hip;

static pthread_once_t rt_hip_once = PTHREAD_ONCE_INIT;

static void rt_hip_load_runtime(void) {
  /* ROCm 6 first (the only one that knows gfx942/gfx950/gfx11xx), then 5.x. Loaded once,
   * never closed. */
  static const char *const names[] = {"libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so",
                                      "/opt/rocm/lib/libamdhip64.so.6",
                                      "/opt/rocm/lib/libamdhip64.so.5"};
  void *lib = NULL;
  size_t used = 0;
  used += (size_t)snprintf(hip.why, sizeof hip.why, "the HIP runtime is not installed:");
  for (size_t i = 0; !lib && i < sizeof names / sizeof *names; i++) {
    lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib && used < sizeof hip.why) {
      const char *e = dlerror();
      used += (size_t)snprintf(hip.why + used, sizeof hip.why - used, "\n  %s", e ? e : names[i]);
    }
  }
  if (!lib) return;
#define X(field, ret, params, name)                                                           \
  {                                                                                          \
    void *fn = dlsym(lib, name);                                                             \
    if (!fn) {                                                                               \
      snprintf(hip.why, sizeof hip.why, "the loaded libamdhip64 has no %s", name);           \
      return;                                                                                \
    }                                                                                        \
    hip.field = (RtHipFn_##field)fn;                                                         \
  }
  RT_HIP_FUNCS(X)
#undef X
  hip.ok = 1;
}

/* ---- errors ------------------------------------------------------------------------- */

static const char *rt_hip_basename(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Records a failed HIP call: where, which call, HIP's name and text for the code.
 * `nodev` turns "no usable device" codes into LIGER_ERR_NO_DEVICE (used while opening). */
static liger_status rt_hip_fail(RtHipError r, const char *call, const char *file, int line, int nodev) {
  const char *name = hip.get_error_name ? hip.get_error_name(r) : NULL;
  const char *text = hip.get_error_string ? hip.get_error_string(r) : NULL;
  int code = (int)r;
  liger_status st = LIGER_ERR_DRIVER;
  if (code == RT_HIP_ERR_OUT_OF_MEMORY) st = LIGER_ERR_OUT_OF_MEMORY;
  if (nodev && (code == RT_HIP_ERR_NO_DEVICE || code == RT_HIP_ERR_INVALID_DEVICE ||
                code == RT_HIP_ERR_NOT_INITIALIZED || code == RT_HIP_ERR_INSUFFICIENT_DRIVER))
    st = LIGER_ERR_NO_DEVICE;
  return rt_fail(st, "hip: %s failed (%s:%d): %s (%d): %s%s", call, rt_hip_basename(file), line,
                 name ? name : "hipError?", code, text ? text : "no description",
                 st == LIGER_ERR_NO_DEVICE ? " (no usable AMD GPU)" : "");
}

#define HIP_TRY(name, call)                                                                  \
  do {                                                                                       \
    RtHipError hip_r_ = (call);                                                              \
    if ((int)hip_r_ != RT_HIP_SUCCESS) return rt_hip_fail(hip_r_, name, __FILE__, __LINE__, 0); \
  } while (0)
#define HIP_TRY_OPEN(name, call)                                                             \
  do {                                                                                       \
    RtHipError hip_r_ = (call);                                                              \
    if ((int)hip_r_ != RT_HIP_SUCCESS) {                                                     \
      st = rt_hip_fail(hip_r_, name, __FILE__, __LINE__, 1);                                 \
      goto fail;                                                                             \
    }                                                                                        \
  } while (0)

/* ---- the compilation target ---------------------------------------------------------- *
 *
 * We need the exact gfx name ("gfx942"), but without hipDeviceProp_t.gcnArchName there is
 * no portable attribute for it (hipDeviceAttributeGcnArchName exists in the ROCm 5.2 headers
 * only; ROCm 6 renamed it "Unused5" and does not answer it). So, in order:
 *  1. LIGER_HIP_TARGET, if set: the user knows best ("gfx90a", "gfx942", ...).
 *  2. HSA_OVERRIDE_GFX_VERSION ("11.0.0"), if set: ROCm itself then treats the device as
 *     that ISA, so code must be built for it.
 *  3. The KFD topology in sysfs: each GPU node's "gfx_target_version" is
 *     major*10000 + minor*100 + stepping (90010 = gfx90a, 90402 = gfx942, 110000 =
 *     gfx1100). Used only when every GPU node reports the same value and it agrees with
 *     HIP's compute capability, since mapping HIP ordinals to KFD nodes is not reliable
 *     under ROCR_VISIBLE_DEVICES.
 *  4. HIP's compute capability (major.minor), which ROCm fills with the ISA's major and
 *     minor and so drops the stepping. Mapping, with its limits:
 *       9.0 → gfx90a (also gfx900/906/908: of those only gfx90a is a target we build for)
 *       9.4 → gfx942 (gfx940/941 were pre-production and are gone from LLVM 22)
 *       9.5 → gfx950
 *      10.3 → gfx1030 (wrong for gfx1031..1036)
 *      11.0 → gfx1100 (wrong for gfx1101/1102/1103, which are not binary compatible)
 *      11.5 → gfx1150, 12.0 → gfx1200 (wrong for gfx1201)
 *       other M.m → "gfxMm0" (stepping unknown).
 *     When this guess is wrong the code object fails to load; set LIGER_HIP_TARGET then.
 */

static void rt_hip_gfx_name(char *dst, size_t cap, int major, int minor, int stepping) {
  snprintf(dst, cap, "gfx%d%d%x", major, minor, stepping);
}

static int rt_hip_target_kfd(int major, int minor, char *dst, size_t cap) {
  static const char root[] = "/sys/class/kfd/kfd/topology/nodes";
  DIR *dir = opendir(root);
  if (!dir) return 0;
  unsigned found = 0;
  int consistent = 1;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s/properties", root, e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    char line[256];
    unsigned v = 0;
    while (fgets(line, sizeof line, f))
      if (sscanf(line, "gfx_target_version %u", &v) == 1) break;
    fclose(f);
    if (v == 0) continue; /* a CPU node */
    if (found && v != found) consistent = 0;
    found = v;
  }
  closedir(dir);
  if (!found || !consistent) return 0;
  int kmaj = (int)(found / 10000), kmin = (int)(found / 100 % 100), kstep = (int)(found % 100);
  if (kmaj != major || kmin != minor) return 0;
  rt_hip_gfx_name(dst, cap, kmaj, kmin, kstep);
  return 1;
}

static liger_status rt_hip_target(int major, int minor, char *dst, size_t cap) {
  const char *env = getenv("LIGER_HIP_TARGET");
  if (env && *env) {
    if (strncmp(env, "gfx", 3) != 0 || strlen(env) >= cap)
      return rt_fail(LIGER_ERR_INVALID_ARG, "LIGER_HIP_TARGET=\"%s\": expected a name like gfx942", env);
    snprintf(dst, cap, "%s", env);
    return LIGER_OK;
  }
  const char *ovr = getenv("HSA_OVERRIDE_GFX_VERSION");
  int a, b, c;
  if (ovr && sscanf(ovr, "%d.%d.%d", &a, &b, &c) == 3 && a > 0 && b >= 0 && c >= 0) {
    rt_hip_gfx_name(dst, cap, a, b, c);
    return LIGER_OK;
  }
  if (rt_hip_target_kfd(major, minor, dst, cap)) return LIGER_OK;
  static const struct { int major, minor; const char *gfx; } table[] = {
      {9, 0, "gfx90a"},   {9, 4, "gfx942"},   {9, 5, "gfx950"},   {10, 3, "gfx1030"},
      {11, 0, "gfx1100"}, {11, 5, "gfx1150"}, {12, 0, "gfx1200"},
  };
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (table[i].major == major && table[i].minor == minor) {
      snprintf(dst, cap, "%s", table[i].gfx);
      return LIGER_OK;
    }
  rt_hip_gfx_name(dst, cap, major, minor, 0);
  return LIGER_OK;
}

/* ---- device ------------------------------------------------------------------------- */

struct RtDevice {
  int ordinal;
  size_t max_shared; /* LDS bytes a workgroup may use */
};

struct RtModule {
  RtDevice *dev;
  RtHipModule mod;
  RtHipFunction fn;
  void *image; /* our copy, kept while loaded: HIP may refer to it after load */
};

/* HIP's current device is per thread: select ours before every call. */
static liger_status rt_hip_bind(RtDevice *d) {
  HIP_TRY("hipSetDevice", hip.set_device(d->ordinal));
  return LIGER_OK;
}

static liger_status rt_hip_open(int ordinal, RtDevice **out, RtDeviceInfo *info) {
  if (!out || !info) return rt_fail(LIGER_ERR_INVALID_ARG, "hip: open: NULL output");
  *out = NULL;
  pthread_once(&rt_hip_once, rt_hip_load_runtime);
  if (!hip.ok) return rt_fail(LIGER_ERR_NO_DEVICE, "hip:%d: %s", ordinal, hip.why);
  if (ordinal < 0) return rt_fail(LIGER_ERR_INVALID_ARG, "hip:%d: negative device ordinal", ordinal);

  liger_status st = LIGER_OK;
  RtDevice *d = calloc(1, sizeof *d);
  if (!d) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "hip: open: device struct");
  d->ordinal = ordinal;
  int count = 0;
  HIP_TRY_OPEN("hipInit", hip.init(0));
  HIP_TRY_OPEN("hipGetDeviceCount", hip.get_device_count(&count));
  if (ordinal >= count) {
    st = rt_fail(LIGER_ERR_NO_DEVICE, "hip:%d: the HIP runtime sees %d device%s", ordinal, count,
                 count == 1 ? "" : "s");
    goto fail;
  }
  HIP_TRY_OPEN("hipSetDevice", hip.set_device(ordinal));
  RtHipDevice hd;
  HIP_TRY_OPEN("hipDeviceGet", hip.device_get(&hd, ordinal));
  memset(info, 0, sizeof *info);
  HIP_TRY_OPEN("hipDeviceGetName", hip.device_get_name(info->name, (int)sizeof info->name, hd));
  int major = 0, minor = 0, warp = 0, cus = 0, lds = 0;
  HIP_TRY_OPEN("hipDeviceGetAttribute", hip.device_get_attribute(&major, RT_HIP_ATTR_CC_MAJOR, ordinal));
  HIP_TRY_OPEN("hipDeviceGetAttribute", hip.device_get_attribute(&minor, RT_HIP_ATTR_CC_MINOR, ordinal));
  HIP_TRY_OPEN("hipDeviceGetAttribute", hip.device_get_attribute(&warp, RT_HIP_ATTR_WARP_SIZE, ordinal));
  HIP_TRY_OPEN("hipDeviceGetAttribute", hip.device_get_attribute(&cus, RT_HIP_ATTR_MP_COUNT, ordinal));
  HIP_TRY_OPEN("hipDeviceGetAttribute",
               hip.device_get_attribute(&lds, RT_HIP_ATTR_MAX_SHARED_PER_BLOCK, ordinal));
  st = rt_hip_target(major, minor, info->target, sizeof info->target);
  if (st) goto fail;
  info->warp_size = warp;
  info->num_sms = cus;
  info->max_shared = lds > 0 ? (size_t)lds : 64 * 1024;
  d->max_shared = info->max_shared;
  *out = d;
  return LIGER_OK;

fail:
  free(d);
  return st;
}

static void rt_hip_close(RtDevice *d) { free(d); /* HIP has no per-device handle to release */ }

/* ---- memory ------------------------------------------------------------------------- */

static liger_status rt_hip_alloc(RtDevice *d, size_t bytes, void **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "hip: alloc: NULL output");
  *out = NULL;
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  HIP_TRY("hipMalloc", hip.malloc_(out, bytes ? bytes : 1));
  return LIGER_OK;
}

static liger_status rt_hip_free(RtDevice *d, void *ptr) {
  if (!ptr) return LIGER_OK;
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  HIP_TRY("hipFree", hip.free_(ptr));
  return LIGER_OK;
}

static liger_status rt_hip_htod(RtDevice *d, void *dst, const void *src, size_t bytes) {
  if (bytes == 0) return LIGER_OK;
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  HIP_TRY("hipMemcpy", hip.memcpy_(dst, src, bytes, (RtHipCopyKind)RT_HIP_HOST_TO_DEVICE));
  return LIGER_OK;
}

static liger_status rt_hip_dtoh(RtDevice *d, void *dst, const void *src, size_t bytes) {
  if (bytes == 0) return LIGER_OK;
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  HIP_TRY("hipMemcpy", hip.memcpy_(dst, src, bytes, (RtHipCopyKind)RT_HIP_DEVICE_TO_HOST));
  return LIGER_OK;
}

static liger_status rt_hip_memset8(RtDevice *d, void *dst, int value, size_t bytes) {
  if (bytes == 0) return LIGER_OK;
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  HIP_TRY("hipMemset", hip.memset_(dst, value, bytes));
  return LIGER_OK;
}

static liger_status rt_hip_sync(RtDevice *d, void *stream) {
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  if (!stream)
    HIP_TRY("hipDeviceSynchronize", hip.device_synchronize());
  else
    HIP_TRY("hipStreamSynchronize", hip.stream_synchronize((RtHipStream)stream));
  return LIGER_OK;
}

/* ---- timing events ------------------------------------------------------------------ */

static liger_status rt_hip_event_create(RtDevice *d, void **ev) {
  *ev = NULL;
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  RtHipEvent e;
  HIP_TRY("hipEventCreate", hip.event_create(&e));
  *ev = e;
  return LIGER_OK;
}

static liger_status rt_hip_event_record(RtDevice *d, void *ev, void *stream) {
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  HIP_TRY("hipEventRecord", hip.event_record((RtHipEvent)ev, (RtHipStream)stream));
  return LIGER_OK;
}

static liger_status rt_hip_event_elapsed(RtDevice *d, void *start, void *end, double *ms) {
  *ms = 0;
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  float f = 0;
  HIP_TRY("hipEventSynchronize", hip.event_synchronize((RtHipEvent)end));
  HIP_TRY("hipEventElapsedTime", hip.event_elapsed(&f, (RtHipEvent)start, (RtHipEvent)end));
  *ms = f;
  return LIGER_OK;
}

static void rt_hip_event_destroy(RtDevice *d, void *ev) {
  if (ev && rt_hip_bind(d) == LIGER_OK) hip.event_destroy((RtHipEvent)ev);
}

/* ---- modules ------------------------------------------------------------------------ */

static liger_status rt_hip_load(RtDevice *d, const void *image, size_t len, const char *kernel,
                                RtModule **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "hip: load: NULL output");
  *out = NULL;
  if (!image || len == 0 || !kernel || !*kernel)
    return rt_fail(LIGER_ERR_INVALID_ARG, "hip: load: empty image or kernel name");
  liger_status st = rt_hip_bind(d);
  if (st) return st;
  RtModule *m = calloc(1, sizeof *m);
  void *copy = malloc(len);
  if (!m || !copy) {
    free(m);
    free(copy);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "hip: load: %zu bytes", len);
  }
  memcpy(copy, image, len);
  m->dev = d;
  m->image = copy;
  RtHipError r = hip.module_load_data(&m->mod, copy);
  if ((int)r != RT_HIP_SUCCESS) {
    st = rt_hip_fail(r, "hipModuleLoadData", __FILE__, __LINE__, 0);
    free(copy);
    free(m);
    return st;
  }
  r = hip.module_get_function(&m->fn, m->mod, kernel);
  if ((int)r != RT_HIP_SUCCESS) {
    st = rt_hip_fail(r, "hipModuleGetFunction", __FILE__, __LINE__, 0);
    rt_fail_append(" (kernel '");
    rt_fail_append(kernel);
    rt_fail_append("')");
    hip.module_unload(m->mod);
    free(copy);
    free(m);
    return st;
  }
  *out = m;
  return LIGER_OK;
}

static void rt_hip_unload(RtModule *m) {
  if (!m) return;
  if (rt_hip_bind(m->dev) == LIGER_OK) hip.module_unload(m->mod);
  free(m->image);
  free(m);
}

static liger_status rt_hip_launch(RtModule *m, const uint32_t grid[3], uint32_t threads,
                                  uint32_t shared, void *stream, void **args, int nargs) {
  (void)nargs; /* the kernel's argument layout is in the code object's metadata */
  if (!m || !grid) return rt_fail(LIGER_ERR_INVALID_ARG, "hip: launch: NULL module or grid");
  if (grid[0] == 0 || grid[1] == 0 || grid[2] == 0) return LIGER_OK;
  if (shared > m->dev->max_shared)
    return rt_fail(LIGER_ERR_INVALID_ARG,
                   "hip: launch needs %u bytes of shared memory (LDS); this device allows %zu per "
                   "workgroup",
                   shared, m->dev->max_shared);
  liger_status st = rt_hip_bind(m->dev);
  if (st) return st;
  HIP_TRY("hipModuleLaunchKernel", hip.module_launch_kernel(m->fn, grid[0], grid[1], grid[2], threads, 1,
                                                            1, shared, (RtHipStream)stream, args, NULL));
  return LIGER_OK;
}

static liger_status rt_hip_occupancy(RtModule *m, uint32_t threads, uint32_t shared, int *blocks) {
  liger_status st = rt_hip_bind(m->dev);
  if (st) return st;
  HIP_TRY("hipModuleOccupancyMaxActiveBlocksPerMultiprocessor", hip.occupancy(blocks, m->fn, (int)threads, shared));
  return LIGER_OK;
}

const RtBackend rt_backend_hip = {
    .name = "hip",
    .open = rt_hip_open,
    .close = rt_hip_close,
    .alloc = rt_hip_alloc,
    .free = rt_hip_free,
    .htod = rt_hip_htod,
    .dtoh = rt_hip_dtoh,
    .memset8 = rt_hip_memset8,
    .sync = rt_hip_sync,
    .load = rt_hip_load,
    .unload = rt_hip_unload,
    .launch = rt_hip_launch,
    .occupancy = rt_hip_occupancy,
    .event_create = rt_hip_event_create,
    .event_record = rt_hip_event_record,
    .event_elapsed = rt_hip_event_elapsed,
    .event_destroy = rt_hip_event_destroy,
};
