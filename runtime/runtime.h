/*
 * runtime.h — internal interface of runtime/: errors, device back ends, binary loaders.
 *
 * The pipeline hands the runtime one binary per kernel specialisation (a cubin, an hsaco,
 * or a host relocatable object); a device back end loads it and launches it. Back ends are
 * descriptor structs of function pointers (RtBackend) listed in one table in context.c, so
 * a new device kind is one file plus one entry.
 */
#ifndef LIGER_RUNTIME_H
#define LIGER_RUNTIME_H

#include "liger/liger.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- error.c: the per-thread error message ---------------------------------------- */

/* Records a formatted message as the calling thread's last error and returns `st`, so a
 * failure reads `return rt_fail(LIGER_ERR_DRIVER, "cuModuleLoadData: %s", msg);`. */
liger_status rt_fail(liger_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
liger_status rt_vfail(liger_status st, const char *fmt, va_list ap);
/* Appends text to the current last error (for multi-line messages such as logs). */
void rt_fail_append(const char *text);

/* ---- device back ends --------------------------------------------------------------- */

typedef struct RtDevice RtDevice; /* one opened device; defined by each back end */
typedef struct RtModule RtModule; /* one loaded binary with its kernel function */

/* What a back end reports about its device after open. */
typedef struct RtDeviceInfo {
  char name[128];    /* "NVIDIA H200" */
  char target[32];   /* compilation target: "sm_90", "gfx942", "cpu" */
  int warp_size;     /* 32 or 64; 1 on the CPU */
  int num_sms;       /* SMs / CUs / worker threads */
  size_t max_shared; /* bytes of shared memory a block may use (opt-in limit on NVIDIA) */
  int ptx_only;      /* NVIDIA: the target is older than the device (LIGER_CUDA_TARGET), so
                        its code reaches the driver as PTX, which the driver compiles */
} RtDeviceInfo;

typedef struct RtBackend {
  const char *name; /* "cuda", "hip", "cpu" */
  /* Opens device `ordinal`. Returns LIGER_ERR_NO_DEVICE (with a message) when the driver
   * library is missing or has no such device. */
  liger_status (*open)(int ordinal, RtDevice **out, RtDeviceInfo *info);
  void (*close)(RtDevice *dev);
  liger_status (*alloc)(RtDevice *dev, size_t bytes, void **out);
  liger_status (*free)(RtDevice *dev, void *ptr);
  liger_status (*htod)(RtDevice *dev, void *dst, const void *src, size_t bytes);
  liger_status (*dtoh)(RtDevice *dev, void *dst, const void *src, size_t bytes);
  liger_status (*memset8)(RtDevice *dev, void *dst, int value, size_t bytes);
  liger_status (*sync)(RtDevice *dev, void *stream);
  /* Loads `image` (cubin / hsaco / host object, `len` bytes; the back end copies what it
   * keeps) and finds the kernel entry `kernel`. */
  liger_status (*load)(RtDevice *dev, const void *image, size_t len, const char *kernel,
                       RtModule **out);
  void (*unload)(RtModule *mod);
  /* Launches over grid[0..2] programs with `threads` threads per program (num_warps *
   * warp_size; ignored on the CPU) and `shared` bytes of dynamic shared memory (on the CPU:
   * scratch bytes per program). `args[i]` points at the value of argument i, laid out as
   * the kernel's C ABI wants it (8-byte pointers, i32/i64, f32, i8 for bools). */
  liger_status (*launch)(RtModule *mod, const uint32_t grid[3], uint32_t threads, uint32_t shared,
                         void *stream, void **args, int nargs);
  /* How many programs of `threads` threads and `shared` dynamic shared bytes can be resident
   * on one SM / CU at once (registers, shared memory, warps); 1 on the CPU (a worker runs one
   * program at a time). */
  liger_status (*occupancy)(RtModule *mod, uint32_t threads, uint32_t shared, int *blocks);
  /* Timing events, for the tuner's measurements (autotune/bench.c). event_record enqueues
   * a timestamp on `stream` behind the work queued there; event_elapsed waits for `end`
   * and gives the milliseconds from `start` to `end`. The CPU back end reads the monotonic
   * clock at record time (its launches return when the grid has run). */
  liger_status (*event_create)(RtDevice *dev, void **ev);
  liger_status (*event_record)(RtDevice *dev, void *ev, void *stream);
  liger_status (*event_elapsed)(RtDevice *dev, void *start, void *end, double *ms);
  void (*event_destroy)(RtDevice *dev, void *ev);
} RtBackend;

extern const RtBackend rt_backend_cuda; /* dev_cuda.c: libcuda.so.1 through cuGetProcAddress_v2 */
extern const RtBackend rt_backend_hip;  /* dev_hip.c: libamdhip64.so.6 / .so.5 */
extern const RtBackend rt_backend_cpu;  /* dev_cpu.c: host objects through LLJIT, thread pool */

/* dev_offline.c: "offline:TARGET[,sms=N][,occupancy=N][,ptx]" — a target without its device
 * (liger.h). One descriptor per family, named as the real one ("cuda", "hip", "cpu") so the
 * ops accept the same DLTensor device types; memory is fake, launches are counted. */
extern const RtBackend rt_backend_offline_cuda, rt_backend_offline_hip, rt_backend_offline_cpu;
/* Parses `spec` (what follows "offline:") and opens the device; *be is its family's back end. */
liger_status rt_offline_open(const char *spec, const RtBackend **be, RtDevice **out, RtDeviceInfo *info);
/* Launches made on an offline device (that would have run). */
uint64_t rt_offline_launches(const RtDevice *dev);

/*
 * CPU kernel ABI (what codegen emits for the host target and dev_cpu.c calls):
 *   void ENTRY(void **args, const int32_t pid[3], const int32_t nprog[3], void *scratch);
 * ENTRY is the kernel name; `args` as for launch; `scratch` is `shared` bytes of
 * 64-byte-aligned memory private to the calling worker thread.
 */
typedef void (*RtCpuEntry)(void **args, const int32_t pid[3], const int32_t nprog[3], void *scratch);

/* ---- pool.c: the host thread pool that runs a CPU grid ------------------------------- */

typedef struct RtPool RtPool;
/* Creates a pool of `nthreads` workers (0: the number of online CPUs). */
liger_status rt_pool_create(int nthreads, RtPool **out);
void rt_pool_destroy(RtPool *pool);
int rt_pool_size(const RtPool *pool);
/* Runs fn(ctx, i, worker) for i in [0, n) over the workers and the calling thread, and
 * returns when all are done. `worker` is in [0, rt_pool_size()) and identifies the thread
 * (for per-thread scratch): 0 is the calling thread, 1.. the pool's own threads, so
 * rt_pool_size() counts the caller. Calls from several threads are serialised. */
void rt_pool_run(RtPool *pool, int64_t n, void (*fn)(void *ctx, int64_t i, int worker), void *ctx);

/* ---- context.c: ahead-of-time helpers --------------------------------------------------- */

/* ligerc --emit=bundle FILE.py: the launch arguments that select the specialisation an
 * ligerc --signature describes (see context.c). Returns the count, or -1 with *bad the
 * index of an entry the runtime never produces (-1: a syntax error). */
int rt_signature_args(const char *sig, char *base, liger_arg *out, int max, int *bad);

#endif /* LIGER_RUNTIME_H */
