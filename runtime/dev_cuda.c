/*
 * dev_cuda.c — NVIDIA GPUs through the CUDA driver API (rt_backend_cuda).
 *
 * The driver is loaded at run time, never linked: dlopen("libcuda.so.1"), then every entry
 * point through cuGetProcAddress_v2 asking for the CUDA 12.0 ABI of each function. Linking
 * -lcuda against the CUDA 13 headers would import remapped names (cuCtxCreate_v4, the
 * ctx-taking cuCtxSynchronize) that 12.x drivers lack, and would make libliger-jit fail to
 * load on machines without a GPU; asking by plain name plus version gets the ABI we were
 * written for from any driver >= 12.0. Hence also the explicitly versioned PFN_ typedefs.
 *
 * We use the device's primary context (the one the CUDA runtime, PyTorch and Triton share)
 * and never create our own. Hosts call us from many threads, and a context is current per
 * thread, so every entry point first makes the primary context current (rt_cu_bind).
 *
 * Images are cubins from codegen/link_cubin.c or PTX text, which cuModuleLoadData accepts
 * as well (the driver JITs it).
 */
#include "runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LIGER_HAVE_CUDA_H
#include <cuda.h>
#include <cudaTypedefs.h>
#else
/* No CUDA toolkit at build time: the handful of driver types, enum values and function
 * types this file uses, with the values of cuda.h (stable across CUDA 11-13). */
#define CUDAAPI
typedef enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_STUB_LIBRARY = 34,
  CUDA_ERROR_DEVICE_UNAVAILABLE = 46,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
  CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804,
} CUresult;
typedef int CUdevice_v1;
typedef CUdevice_v1 CUdevice;
typedef unsigned long long CUdeviceptr_v2;
typedef CUdeviceptr_v2 CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef unsigned long long cuuint64_t;
typedef enum {
  CU_DEVICE_ATTRIBUTE_WARP_SIZE = 10,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
} CUdevice_attribute;
typedef enum {
  CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
} CUfunction_attribute;
typedef enum { CU_GET_PROC_ADDRESS_DEFAULT = 0 } CUdriverProcAddress_flags;
typedef enum {
  CU_GET_PROC_ADDRESS_SUCCESS = 0,
  CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND = 1,
  CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT = 2,
} CUdriverProcAddressQueryResult;

typedef CUresult (*PFN_cuGetProcAddress_v12000)(const char *symbol, void **pfn, int driverVersion,
                                                cuuint64_t flags,
                                                CUdriverProcAddressQueryResult *symbolStatus);
typedef CUresult (*PFN_cuGetErrorName_v6000)(CUresult error, const char **pStr);
typedef CUresult (*PFN_cuGetErrorString_v6000)(CUresult error, const char **pStr);
typedef CUresult (*PFN_cuInit_v2000)(unsigned int Flags);
typedef CUresult (*PFN_cuDeviceGetCount_v2000)(int *count);
typedef CUresult (*PFN_cuDeviceGet_v2000)(CUdevice_v1 *device, int ordinal);
typedef CUresult (*PFN_cuDeviceGetName_v2000)(char *name, int len, CUdevice_v1 dev);
typedef CUresult (*PFN_cuDeviceGetAttribute_v2000)(int *pi, CUdevice_attribute attrib, CUdevice_v1 dev);
typedef CUresult (*PFN_cuDevicePrimaryCtxRetain_v7000)(CUcontext *pctx, CUdevice_v1 dev);
typedef CUresult (*PFN_cuDevicePrimaryCtxRelease_v11000)(CUdevice_v1 dev);
typedef CUresult (*PFN_cuCtxSetCurrent_v4000)(CUcontext ctx);
typedef CUresult (*PFN_cuCtxGetCurrent_v4000)(CUcontext *pctx);
typedef CUresult (*PFN_cuCtxSynchronize_v2000)(void);
typedef CUresult (*PFN_cuStreamSynchronize_v2000)(CUstream hStream);
typedef CUresult (*PFN_cuMemAlloc_v3020)(CUdeviceptr_v2 *dptr, size_t bytesize);
typedef CUresult (*PFN_cuMemFree_v3020)(CUdeviceptr_v2 dptr);
typedef CUresult (*PFN_cuMemcpyHtoD_v3020)(CUdeviceptr_v2 dstDevice, const void *srcHost, size_t ByteCount);
typedef CUresult (*PFN_cuMemcpyDtoH_v3020)(void *dstHost, CUdeviceptr_v2 srcDevice, size_t ByteCount);
typedef CUresult (*PFN_cuMemsetD8_v3020)(CUdeviceptr_v2 dstDevice, unsigned char uc, size_t N);
typedef CUresult (*PFN_cuModuleLoadData_v2000)(CUmodule *module, const void *image);
typedef CUresult (*PFN_cuModuleUnload_v2000)(CUmodule hmod);
typedef CUresult (*PFN_cuModuleGetFunction_v2000)(CUfunction *hfunc, CUmodule hmod, const char *name);
typedef CUresult (*PFN_cuFuncGetAttribute_v2020)(int *pi, CUfunction_attribute attrib, CUfunction hfunc);
typedef CUresult (*PFN_cuFuncSetAttribute_v9000)(CUfunction hfunc, CUfunction_attribute attrib, int value);
typedef CUresult (*PFN_cuOccupancyMaxActiveBlocksPerMultiprocessor_v6050)(int *numBlocks, CUfunction func, int blockSize,
                                                                         size_t dynamicSMemSize);
typedef struct CUevent_st *CUevent;
typedef CUresult (*PFN_cuEventCreate_v2000)(CUevent *phEvent, unsigned int Flags);
typedef CUresult (*PFN_cuEventRecord_v2000)(CUevent hEvent, CUstream hStream);
typedef CUresult (*PFN_cuEventSynchronize_v2000)(CUevent hEvent);
typedef CUresult (*PFN_cuEventElapsedTime_v2000)(float *pMilliseconds, CUevent hStart, CUevent hEnd);
typedef CUresult (*PFN_cuEventDestroy_v4000)(CUevent hEvent);
typedef CUresult (*PFN_cuLaunchKernel_v4000)(CUfunction f, unsigned int gridDimX, unsigned int gridDimY,
                                             unsigned int gridDimZ, unsigned int blockDimX,
                                             unsigned int blockDimY, unsigned int blockDimZ,
                                             unsigned int sharedMemBytes, CUstream hStream,
                                             void **kernelParams, void **extra);
#endif

/* The driver ABI we ask cuGetProcAddress for: CUDA 12.0, the oldest driver we support. */
enum { RT_CU_ABI = 12000, RT_CU_DEFAULT_SHARED = 48 * 1024 };

/* Every driver function we use: field, function type (ABI version explicit), driver name. */
#define RT_CU_FUNCS(X)                                                                      \
  X(get_error_name, PFN_cuGetErrorName_v6000, "cuGetErrorName")                             \
  X(get_error_string, PFN_cuGetErrorString_v6000, "cuGetErrorString")                       \
  X(init, PFN_cuInit_v2000, "cuInit")                                                       \
  X(device_get_count, PFN_cuDeviceGetCount_v2000, "cuDeviceGetCount")                       \
  X(device_get, PFN_cuDeviceGet_v2000, "cuDeviceGet")                                       \
  X(device_get_name, PFN_cuDeviceGetName_v2000, "cuDeviceGetName")                          \
  X(device_get_attribute, PFN_cuDeviceGetAttribute_v2000, "cuDeviceGetAttribute")           \
  X(primary_ctx_retain, PFN_cuDevicePrimaryCtxRetain_v7000, "cuDevicePrimaryCtxRetain")     \
  X(primary_ctx_release, PFN_cuDevicePrimaryCtxRelease_v11000, "cuDevicePrimaryCtxRelease") \
  X(ctx_set_current, PFN_cuCtxSetCurrent_v4000, "cuCtxSetCurrent")                          \
  X(ctx_get_current, PFN_cuCtxGetCurrent_v4000, "cuCtxGetCurrent")                          \
  X(ctx_synchronize, PFN_cuCtxSynchronize_v2000, "cuCtxSynchronize")                        \
  X(stream_synchronize, PFN_cuStreamSynchronize_v2000, "cuStreamSynchronize")               \
  X(mem_alloc, PFN_cuMemAlloc_v3020, "cuMemAlloc")                                          \
  X(mem_free, PFN_cuMemFree_v3020, "cuMemFree")                                             \
  X(memcpy_htod, PFN_cuMemcpyHtoD_v3020, "cuMemcpyHtoD")                                    \
  X(memcpy_dtoh, PFN_cuMemcpyDtoH_v3020, "cuMemcpyDtoH")                                    \
  X(memset_d8, PFN_cuMemsetD8_v3020, "cuMemsetD8")                                          \
  X(module_load_data, PFN_cuModuleLoadData_v2000, "cuModuleLoadData")                       \
  X(module_unload, PFN_cuModuleUnload_v2000, "cuModuleUnload")                              \
  X(module_get_function, PFN_cuModuleGetFunction_v2000, "cuModuleGetFunction")              \
  X(func_get_attribute, PFN_cuFuncGetAttribute_v2020, "cuFuncGetAttribute")                 \
  X(func_set_attribute, PFN_cuFuncSetAttribute_v9000, "cuFuncSetAttribute")                 \
  X(occupancy, PFN_cuOccupancyMaxActiveBlocksPerMultiprocessor_v6050,                       \
    "cuOccupancyMaxActiveBlocksPerMultiprocessor")                                          \
  X(launch_kernel, PFN_cuLaunchKernel_v4000, "cuLaunchKernel")                              \
  X(event_create, PFN_cuEventCreate_v2000, "cuEventCreate")                                 \
  X(event_record, PFN_cuEventRecord_v2000, "cuEventRecord")                                 \
  X(event_synchronize, PFN_cuEventSynchronize_v2000, "cuEventSynchronize")                  \
  X(event_elapsed, PFN_cuEventElapsedTime_v2000, "cuEventElapsedTime")                      \
  X(event_destroy, PFN_cuEventDestroy_v4000, "cuEventDestroy")

static struct {
#define X(field, type, name) type field;
  RT_CU_FUNCS(X)
#undef X
  int ok;
  char why[512]; /* when !ok: why the driver could not be loaded */
} cu;

static pthread_once_t rt_cu_once = PTHREAD_ONCE_INIT;

static void rt_cu_load_driver(void) {
  /* Loaded once and never closed: unloading a GPU driver under a live process is asking
   * for trouble, and the handle is process-wide anyway. */
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *e = dlerror();
    snprintf(cu.why, sizeof cu.why, "the CUDA driver library is not installed (%s)",
             e ? e : "dlopen libcuda.so.1 failed");
    return;
  }
  PFN_cuGetProcAddress_v12000 get_proc = (PFN_cuGetProcAddress_v12000)dlsym(lib, "cuGetProcAddress_v2");
  if (!get_proc) {
    snprintf(cu.why, sizeof cu.why,
             "libcuda.so.1 has no cuGetProcAddress_v2: the NVIDIA driver is older than CUDA 12.0");
    return;
  }
#define X(field, type, name)                                                                \
  {                                                                                         \
    void *fn = NULL;                                                                        \
    CUdriverProcAddressQueryResult q = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;                \
    CUresult r = get_proc(name, &fn, RT_CU_ABI, CU_GET_PROC_ADDRESS_DEFAULT, &q);           \
    if (r != CUDA_SUCCESS || q != CU_GET_PROC_ADDRESS_SUCCESS || !fn) {                     \
      snprintf(cu.why, sizeof cu.why,                                                       \
               "the CUDA driver has no %s for the CUDA %d.%d ABI (error %d, status %d)",    \
               name, RT_CU_ABI / 1000, RT_CU_ABI % 1000 / 10, (int)r, (int)q);              \
      return;                                                                               \
    }                                                                                       \
    cu.field = (type)fn;                                                                    \
  }
  RT_CU_FUNCS(X)
#undef X
  cu.ok = 1;
}

/* ---- errors ------------------------------------------------------------------------- */

static const char *rt_cu_basename(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Records a failed driver call: where, which call, and the driver's name and text for the
 * code. Out-of-memory keeps its own status; `nodev` makes "no usable device" codes
 * LIGER_ERR_NO_DEVICE (used while opening). */
static liger_status rt_cu_fail(CUresult r, const char *call, const char *file, int line, int nodev) {
  const char *name = NULL, *text = NULL;
  if (cu.get_error_name) cu.get_error_name(r, &name);
  if (cu.get_error_string) cu.get_error_string(r, &text);
  liger_status st = LIGER_ERR_DRIVER;
  if (r == CUDA_ERROR_OUT_OF_MEMORY) st = LIGER_ERR_OUT_OF_MEMORY;
  if (nodev && (r == CUDA_ERROR_NO_DEVICE || r == CUDA_ERROR_INVALID_DEVICE ||
                r == CUDA_ERROR_STUB_LIBRARY || r == CUDA_ERROR_DEVICE_UNAVAILABLE || r == CUDA_ERROR_SYSTEM_DRIVER_MISMATCH ||
                r == CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE))
    st = LIGER_ERR_NO_DEVICE;
  return rt_fail(st, "cuda: %s failed (%s:%d): %s (%d): %s%s", call, rt_cu_basename(file), line,
                 name ? name : "CUDA_ERROR_?", (int)r, text ? text : "no description",
                 st == LIGER_ERR_NO_DEVICE ? " (no usable NVIDIA GPU)" : "");
}

/* Every driver call goes through one of these; `name` is the driver function's name. */
#define CU_TRY(name, call)                                                   \
  do {                                                                       \
    CUresult cu_r_ = (call);                                                 \
    if (cu_r_ != CUDA_SUCCESS) return rt_cu_fail(cu_r_, name, __FILE__, __LINE__, 0); \
  } while (0)
#define CU_TRY_OPEN(name, call)                                              \
  do {                                                                       \
    CUresult cu_r_ = (call);                                                 \
    if (cu_r_ != CUDA_SUCCESS) {                                             \
      st = rt_cu_fail(cu_r_, name, __FILE__, __LINE__, 1);                   \
      goto fail;                                                             \
    }                                                                        \
  } while (0)

/* ---- device ------------------------------------------------------------------------- */

struct RtDevice {
  int ordinal;
  CUdevice dev;
  CUcontext ctx;      /* the primary context, retained while open */
  size_t shared_optin; /* largest dynamic+static shared memory a block may opt in to */
};

struct RtModule {
  RtDevice *dev;
  CUmodule mod;
  CUfunction fn;
  int static_shared;         /* bytes of __shared__ the kernel declares itself */
  _Atomic int dynamic_raised; /* set once MAX_DYNAMIC_SHARED_SIZE_BYTES was raised */
};

/* Makes the device's primary context current on this thread (hosts call from anywhere). */
static liger_status rt_cu_bind(RtDevice *d) {
  CUcontext cur = NULL;
  CU_TRY("cuCtxGetCurrent", cu.ctx_get_current(&cur));
  if (cur != d->ctx) CU_TRY("cuCtxSetCurrent", cu.ctx_set_current(d->ctx));
  return LIGER_OK;
}

/* LIGER_CUDA_TARGET picks another compilation target than the device's own: "sm_NN" for an
 * older architecture, whose PTX the driver compiles for this device (a cubin for it would
 * not load here), or the device's "sm_NNa", whose arch-specific cubin runs on exactly this
 * architecture. */
static liger_status rt_cu_target(int cc, RtDeviceInfo *info) {
  const char *env = getenv("LIGER_CUDA_TARGET");
  if (!env || !*env) return LIGER_OK;
  int n = 0, len = 0;
  char suffix = 0;
  if (sscanf(env, "sm_%d%n", &n, &len) != 1 || n <= 0 || len < 5 || (env[len] && (env[len] != 'a' || env[len + 1])) ||
      strlen(env) >= sizeof info->target)
    return rt_fail(LIGER_ERR_INVALID_ARG, "LIGER_CUDA_TARGET=\"%s\": expected a name like sm_80 or sm_90a", env);
  suffix = env[len];
  if (suffix == 'a' && n != cc)
    return rt_fail(LIGER_ERR_INVALID_ARG,
                   "LIGER_CUDA_TARGET=%s: arch-specific code runs only on sm_%d devices, and this one is sm_%d", env, n, cc);
  if (n > cc)
    return rt_fail(LIGER_ERR_INVALID_ARG, "LIGER_CUDA_TARGET=%s is newer than this device (sm_%d)", env, cc);
  snprintf(info->target, sizeof info->target, "%s", env);
  info->ptx_only = n < cc;
  return LIGER_OK;
}

static liger_status rt_cu_open(int ordinal, RtDevice **out, RtDeviceInfo *info) {
  if (!out || !info) return rt_fail(LIGER_ERR_INVALID_ARG, "cuda: open: NULL output");
  *out = NULL;
  pthread_once(&rt_cu_once, rt_cu_load_driver);
  if (!cu.ok) return rt_fail(LIGER_ERR_NO_DEVICE, "cuda:%d: %s", ordinal, cu.why);
  if (ordinal < 0) return rt_fail(LIGER_ERR_INVALID_ARG, "cuda:%d: negative device ordinal", ordinal);

  liger_status st = LIGER_OK;
  RtDevice *d = calloc(1, sizeof *d);
  if (!d) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cuda: open: device struct");
  d->ordinal = ordinal;
  int count = 0, retained = 0;
  CU_TRY_OPEN("cuInit", cu.init(0));
  CU_TRY_OPEN("cuDeviceGetCount", cu.device_get_count(&count));
  if (ordinal >= count) {
    st = rt_fail(LIGER_ERR_NO_DEVICE, "cuda:%d: the driver sees %d device%s", ordinal, count,
                 count == 1 ? "" : "s");
    goto fail;
  }
  CU_TRY_OPEN("cuDeviceGet", cu.device_get(&d->dev, ordinal));
  CU_TRY_OPEN("cuDevicePrimaryCtxRetain", cu.primary_ctx_retain(&d->ctx, d->dev));
  retained = 1;
  CU_TRY_OPEN("cuCtxSetCurrent", cu.ctx_set_current(d->ctx));

  memset(info, 0, sizeof *info);
  CU_TRY_OPEN("cuDeviceGetName", cu.device_get_name(info->name, (int)sizeof info->name, d->dev));
  int major = 0, minor = 0, warp = 0, sms = 0, optin = 0;
  CU_TRY_OPEN("cuDeviceGetAttribute",
              cu.device_get_attribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d->dev));
  CU_TRY_OPEN("cuDeviceGetAttribute",
              cu.device_get_attribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d->dev));
  CU_TRY_OPEN("cuDeviceGetAttribute", cu.device_get_attribute(&warp, CU_DEVICE_ATTRIBUTE_WARP_SIZE, d->dev));
  CU_TRY_OPEN("cuDeviceGetAttribute",
              cu.device_get_attribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d->dev));
  CU_TRY_OPEN("cuDeviceGetAttribute",
              cu.device_get_attribute(&optin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, d->dev));
  /* The plain target ("sm_90", not "sm_90a"): arch-specific features are the compiler's
   * choice, made from the target it is given, or the user's (LIGER_CUDA_TARGET). */
  snprintf(info->target, sizeof info->target, "sm_%d%d", major, minor);
  st = rt_cu_target(major * 10 + minor, info);
  if (st) goto fail;
  info->warp_size = warp;
  info->num_sms = sms;
  info->max_shared = optin > 0 ? (size_t)optin : RT_CU_DEFAULT_SHARED;
  d->shared_optin = info->max_shared;
  *out = d;
  return LIGER_OK;

fail:
  if (retained) cu.primary_ctx_release(d->dev);
  free(d);
  return st;
}

static void rt_cu_close(RtDevice *d) {
  if (!d) return;
  cu.primary_ctx_release(d->dev); /* nothing useful to do with an error on the way out */
  free(d);
}

/* ---- memory ------------------------------------------------------------------------- */

static liger_status rt_cu_alloc(RtDevice *d, size_t bytes, void **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "cuda: alloc: NULL output");
  *out = NULL;
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  CUdeviceptr p = 0;
  /* cuMemAlloc refuses 0 bytes; hand out a minimal block so the pointer can be freed. */
  CU_TRY("cuMemAlloc", cu.mem_alloc(&p, bytes ? bytes : 1));
  *out = (void *)(uintptr_t)p;
  return LIGER_OK;
}

static liger_status rt_cu_free(RtDevice *d, void *ptr) {
  if (!ptr) return LIGER_OK;
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  CU_TRY("cuMemFree", cu.mem_free((CUdeviceptr)(uintptr_t)ptr));
  return LIGER_OK;
}

static liger_status rt_cu_htod(RtDevice *d, void *dst, const void *src, size_t bytes) {
  if (bytes == 0) return LIGER_OK;
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  CU_TRY("cuMemcpyHtoD", cu.memcpy_htod((CUdeviceptr)(uintptr_t)dst, src, bytes));
  return LIGER_OK;
}

static liger_status rt_cu_dtoh(RtDevice *d, void *dst, const void *src, size_t bytes) {
  if (bytes == 0) return LIGER_OK;
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  CU_TRY("cuMemcpyDtoH", cu.memcpy_dtoh(dst, (CUdeviceptr)(uintptr_t)src, bytes));
  return LIGER_OK;
}

static liger_status rt_cu_memset8(RtDevice *d, void *dst, int value, size_t bytes) {
  if (bytes == 0) return LIGER_OK;
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  CU_TRY("cuMemsetD8", cu.memset_d8((CUdeviceptr)(uintptr_t)dst, (unsigned char)value, bytes));
  return LIGER_OK;
}

static liger_status rt_cu_sync(RtDevice *d, void *stream) {
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  if (!stream)
    CU_TRY("cuCtxSynchronize", cu.ctx_synchronize());
  else
    CU_TRY("cuStreamSynchronize", cu.stream_synchronize((CUstream)stream));
  return LIGER_OK;
}

/* ---- timing events ------------------------------------------------------------------ */

static liger_status rt_cu_event_create(RtDevice *d, void **ev) {
  *ev = NULL;
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  CUevent e;
  CU_TRY("cuEventCreate", cu.event_create(&e, 0)); /* CU_EVENT_DEFAULT: with timing */
  *ev = e;
  return LIGER_OK;
}

static liger_status rt_cu_event_record(RtDevice *d, void *ev, void *stream) {
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  CU_TRY("cuEventRecord", cu.event_record((CUevent)ev, (CUstream)stream));
  return LIGER_OK;
}

static liger_status rt_cu_event_elapsed(RtDevice *d, void *start, void *end, double *ms) {
  *ms = 0;
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  float f = 0;
  CU_TRY("cuEventSynchronize", cu.event_synchronize((CUevent)end));
  CU_TRY("cuEventElapsedTime", cu.event_elapsed(&f, (CUevent)start, (CUevent)end));
  *ms = f;
  return LIGER_OK;
}

static void rt_cu_event_destroy(RtDevice *d, void *ev) {
  if (ev && rt_cu_bind(d) == LIGER_OK) cu.event_destroy((CUevent)ev);
}

/* ---- modules ------------------------------------------------------------------------ */

static liger_status rt_cu_load(RtDevice *d, const void *image, size_t len, const char *kernel,
                               RtModule **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "cuda: load: NULL output");
  *out = NULL;
  if (!image || len == 0 || !kernel || !*kernel)
    return rt_fail(LIGER_ERR_INVALID_ARG, "cuda: load: empty image or kernel name");
  liger_status st = rt_cu_bind(d);
  if (st) return st;
  RtModule *m = calloc(1, sizeof *m);
  /* PTX must reach the driver NUL-terminated; a cubin does not mind the extra byte. The
   * driver copies what it keeps, so the copy lives only for the call. */
  char *copy = malloc(len + 1);
  if (!m || !copy) {
    free(m);
    free(copy);
    return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cuda: load: %zu bytes", len);
  }
  memcpy(copy, image, len);
  copy[len] = '\0';
  m->dev = d;
  CUresult r = cu.module_load_data(&m->mod, copy);
  free(copy);
  if (r != CUDA_SUCCESS) {
    free(m);
    return rt_cu_fail(r, "cuModuleLoadData", __FILE__, __LINE__, 0);
  }
  r = cu.module_get_function(&m->fn, m->mod, kernel);
  if (r != CUDA_SUCCESS) {
    st = rt_cu_fail(r, "cuModuleGetFunction", __FILE__, __LINE__, 0);
    rt_fail_append(" (kernel '");
    rt_fail_append(kernel);
    rt_fail_append("')");
  } else {
    r = cu.func_get_attribute(&m->static_shared, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, m->fn);
    if (r != CUDA_SUCCESS) st = rt_cu_fail(r, "cuFuncGetAttribute", __FILE__, __LINE__, 0);
  }
  if (st) {
    cu.module_unload(m->mod);
    free(m);
    return st;
  }
  atomic_init(&m->dynamic_raised, 0);
  *out = m;
  return LIGER_OK;
}

static void rt_cu_unload(RtModule *m) {
  if (!m) return;
  if (rt_cu_bind(m->dev) == LIGER_OK) cu.module_unload(m->mod);
  free(m);
}

static liger_status rt_cu_launch(RtModule *m, const uint32_t grid[3], uint32_t threads,
                                 uint32_t shared, void *stream, void **args, int nargs) {
  (void)nargs; /* the kernel's parameter layout is in the cubin; args is read by the driver */
  if (!m || !grid) return rt_fail(LIGER_ERR_INVALID_ARG, "cuda: launch: NULL module or grid");
  if (grid[0] == 0 || grid[1] == 0 || grid[2] == 0) return LIGER_OK;
  liger_status st = rt_cu_bind(m->dev);
  if (st) return st;
  /* Above 48 KiB a kernel must opt in to more dynamic shared memory, once per function;
   * the limit counts its static shared memory too. */
  if (shared > RT_CU_DEFAULT_SHARED) {
    size_t limit = m->dev->shared_optin - (size_t)m->static_shared;
    if (shared > limit)
      return rt_fail(LIGER_ERR_INVALID_ARG,
                     "cuda: launch needs %u bytes of dynamic shared memory; this device allows "
                     "%zu per block (%zu opt-in minus %d static)",
                     shared, limit, m->dev->shared_optin, m->static_shared);
    if (!atomic_load(&m->dynamic_raised)) {
      /* Two threads may race here; setting the same value twice is harmless. */
      CU_TRY("cuFuncSetAttribute",
             cu.func_set_attribute(m->fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, (int)limit));
      atomic_store(&m->dynamic_raised, 1);
    }
  }
  CU_TRY("cuLaunchKernel", cu.launch_kernel(m->fn, grid[0], grid[1], grid[2], threads, 1, 1, shared,
                                            (CUstream)stream, args, NULL));
  return LIGER_OK;
}

static liger_status rt_cu_occupancy(RtModule *m, uint32_t threads, uint32_t shared, int *blocks) {
  liger_status st = rt_cu_bind(m->dev);
  if (st) return st;
  CU_TRY("cuOccupancyMaxActiveBlocksPerMultiprocessor", cu.occupancy(blocks, m->fn, (int)threads, shared));
  return LIGER_OK;
}

const RtBackend rt_backend_cuda = {
    .name = "cuda",
    .open = rt_cu_open,
    .close = rt_cu_close,
    .alloc = rt_cu_alloc,
    .free = rt_cu_free,
    .htod = rt_cu_htod,
    .dtoh = rt_cu_dtoh,
    .memset8 = rt_cu_memset8,
    .sync = rt_cu_sync,
    .load = rt_cu_load,
    .unload = rt_cu_unload,
    .launch = rt_cu_launch,
    .occupancy = rt_cu_occupancy,
    .event_create = rt_cu_event_create,
    .event_record = rt_cu_event_record,
    .event_elapsed = rt_cu_event_elapsed,
    .event_destroy = rt_cu_event_destroy,
};
