/*
 * dev_cpu.c — the host CPU as a device (rt_backend_cpu).
 *
 * codegen's host target emits a relocatable object whose kernel entry has the CPU ABI in
 * runtime.h (RtCpuEntry). Loading links that object into the process with an ORC LLJIT
 * (one per module, kept alive by the module, since it owns the code pages); launching runs
 * every program of the grid through the thread pool in pool.c. A shared object (ET_DYN, the
 * form bundles carry CPU variants in: bundle.h) is loaded with dlopen instead, which needs no
 * LLVM; a runtime-only build (LIGER_RUNTIME_ONLY) has only that path. "Device memory" is ordinary
 * 64-byte-aligned host memory, and launches are synchronous, so sync is a no-op.
 */
#include "runtime.h"

#ifndef LIGER_RUNTIME_ONLY
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#endif

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  RT_CPU_ALIGN = 64,         /* cache line: allocations and per-worker scratch */
  RT_CPU_MAX_THREADS = 1024, /* sanity bound for LIGER_CPU_THREADS */
};

struct RtDevice {
  RtPool *pool;
};

struct RtModule {
  RtDevice *dev;
#ifndef LIGER_RUNTIME_ONLY
  LLVMOrcLLJITRef jit; /* owns the linked code; disposed on unload */
#endif
  void *dl;            /* or the dlopen handle of a shared-object image */
  int dl_fd;           /* its memfd, open while loaded: dlopen matches "/proc/self/fd/N" by name */
  RtCpuEntry entry;
  char jit_err[1024];  /* first error ORC reported while linking (see rt_cpu_report) */
  /* Scratch kept between launches (large tiles live there: allocating and faulting in
   * megabytes per launch would cost more than small grids run). A launch that finds it in
   * use by another thread allocates its own. */
  pthread_mutex_t scratch_lock;
  char *scratch;
  size_t scratch_bytes;
};

#ifndef LIGER_RUNTIME_ONLY
/* ---- LLVM initialisation, once per process ----------------------------------------- */

static pthread_once_t rt_cpu_llvm_once = PTHREAD_ONCE_INIT;
static int rt_cpu_llvm_ok;

static void rt_cpu_llvm_init(void) {
  /* Both return nonzero on failure (no native target compiled into this LLVM). */
  rt_cpu_llvm_ok = !LLVMInitializeNativeTarget() && !LLVMInitializeNativeAsmPrinter();
}

/* Moves the text of an LLVMErrorRef into `dst` (consuming the error). */
static void rt_cpu_take_error(LLVMErrorRef err, char *dst, size_t cap) {
  char *msg = LLVMGetErrorMessage(err);
  snprintf(dst, cap, "%s", msg ? msg : "(no message)");
  LLVMDisposeErrorMessage(msg);
}

static liger_status rt_cpu_fail_llvm(liger_status st, const char *what, LLVMErrorRef err) {
  char *msg = LLVMGetErrorMessage(err);
  rt_fail(st, "cpu: %s: %s", what, msg ? msg : "(no message)");
  LLVMDisposeErrorMessage(msg);
  return st;
}

/* ORC reports some failures (an unresolved symbol in the object, say) to the session's
 * reporter rather than in the lookup's own error, whose text is then only "failed to
 * materialize". Keep the first report so load() can say which symbol was missing. Lookups
 * run on the loading thread (no compile threads), and the module outlives its LLJIT. */
static void rt_cpu_report(void *ctx, LLVMErrorRef err) {
  RtModule *m = ctx;
  if (m->jit_err[0]) {
    LLVMConsumeError(err);
    return;
  }
  rt_cpu_take_error(err, m->jit_err, sizeof m->jit_err);
}
#endif /* LIGER_RUNTIME_ONLY */

/* ---- device ------------------------------------------------------------------------ */

/* "model name : Intel(R) Xeon(R) ..." from /proc/cpuinfo, or "host CPU". */
static void rt_cpu_model_name(char *dst, size_t cap) {
  snprintf(dst, cap, "host CPU");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10) != 0) continue;
    char *v = strchr(line, ':');
    if (!v) break;
    v++;
    while (*v == ' ' || *v == '\t') v++;
    size_t n = strlen(v);
    while (n > 0 && isspace((unsigned char)v[n - 1])) v[--n] = '\0';
    if (n > 0) snprintf(dst, cap, "%s", v);
    break;
  }
  fclose(f);
}

static liger_status rt_cpu_thread_count(int *out) {
  *out = 0; /* the pool's default: online CPUs */
  const char *env = getenv("LIGER_CPU_THREADS");
  if (!env || !*env) return LIGER_OK;
  char *end;
  errno = 0;
  long n = strtol(env, &end, 10);
  if (errno || *end || n < 1 || n > RT_CPU_MAX_THREADS)
    return rt_fail(LIGER_ERR_INVALID_ARG, "LIGER_CPU_THREADS=\"%s\": expected a number in 1..%d",
                   env, RT_CPU_MAX_THREADS);
  *out = (int)n;
  return LIGER_OK;
}

static liger_status rt_cpu_open(int ordinal, RtDevice **out, RtDeviceInfo *info) {
  if (!out || !info) return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: open: NULL output");
  *out = NULL;
  if (ordinal != 0)
    return rt_fail(LIGER_ERR_NO_DEVICE, "cpu:%d: there is one CPU device, cpu:0", ordinal);
  int threads;
  liger_status st = rt_cpu_thread_count(&threads);
  if (st) return st;
  RtDevice *dev = calloc(1, sizeof *dev);
  if (!dev) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cpu: open: device struct");
  st = rt_pool_create(threads, &dev->pool);
  if (st) {
    free(dev);
    return st;
  }
  memset(info, 0, sizeof *info);
  rt_cpu_model_name(info->name, sizeof info->name);
  snprintf(info->target, sizeof info->target, "cpu");
  info->warp_size = 1;
  info->num_sms = rt_pool_size(dev->pool);
  info->max_shared = (size_t)1 << 30;
  *out = dev;
  return LIGER_OK;
}

static void rt_cpu_close(RtDevice *dev) {
  if (!dev) return;
  rt_pool_destroy(dev->pool);
  free(dev);
}

/* ---- memory: plain host memory ------------------------------------------------------ */

static liger_status rt_cpu_alloc(RtDevice *dev, size_t bytes, void **out) {
  (void)dev;
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: alloc: NULL output");
  /* aligned_alloc wants a multiple of the alignment; a zero-byte request still gets a
   * distinct pointer, as cuMemAlloc callers expect something they can free. */
  size_t rounded = bytes == 0 ? RT_CPU_ALIGN : (bytes + RT_CPU_ALIGN - 1) & ~(size_t)(RT_CPU_ALIGN - 1);
  if (rounded < bytes) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cpu: alloc of %zu bytes", bytes);
  *out = aligned_alloc(RT_CPU_ALIGN, rounded);
  if (!*out) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cpu: alloc of %zu bytes", bytes);
  return LIGER_OK;
}

static liger_status rt_cpu_free(RtDevice *dev, void *ptr) {
  (void)dev;
  free(ptr);
  return LIGER_OK;
}

static liger_status rt_cpu_copy(RtDevice *dev, void *dst, const void *src, size_t bytes) {
  (void)dev;
  if (bytes == 0) return LIGER_OK;
  if (!dst || !src) return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: copy of %zu bytes with a NULL pointer", bytes);
  memcpy(dst, src, bytes);
  return LIGER_OK;
}

static liger_status rt_cpu_memset8(RtDevice *dev, void *dst, int value, size_t bytes) {
  (void)dev;
  if (bytes == 0) return LIGER_OK;
  if (!dst) return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: memset of %zu bytes at NULL", bytes);
  memset(dst, value, bytes);
  return LIGER_OK;
}

static liger_status rt_cpu_sync(RtDevice *dev, void *stream) {
  (void)dev;
  (void)stream; /* launches return when the grid has run */
  return LIGER_OK;
}

/* ---- timing events: the monotonic clock (launches are synchronous) ------------------ */

static liger_status rt_cpu_event_create(RtDevice *dev, void **ev) {
  (void)dev;
  *ev = calloc(1, sizeof(struct timespec));
  return *ev ? LIGER_OK : rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
}

static liger_status rt_cpu_event_record(RtDevice *dev, void *ev, void *stream) {
  (void)dev;
  (void)stream;
  clock_gettime(CLOCK_MONOTONIC, ev);
  return LIGER_OK;
}

static liger_status rt_cpu_event_elapsed(RtDevice *dev, void *start, void *end, double *ms) {
  (void)dev;
  const struct timespec *a = start, *b = end;
  *ms = (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
  return LIGER_OK;
}

static void rt_cpu_event_destroy(RtDevice *dev, void *ev) {
  (void)dev;
  free(ev);
}

/* ---- modules ------------------------------------------------------------------------ */

/* The message of a device_assert that failed in the program this thread is running (the
 * kernel calls the hook below, then returns); rt_cpu_program collects it. */
static _Thread_local const char *rt_cpu_assert_msg;

#ifndef LIGER_RUNTIME_ONLY /* (a shared-object kernel cannot reach it: see docs/bundle.md) */
static void rt_cpu_assert_fail(const char *msg, int32_t x, int32_t y, int32_t z) {
  (void)x, (void)y, (void)z; /* the launch knows the program id */
  if (!rt_cpu_assert_msg) rt_cpu_assert_msg = msg;
}
#endif

/* An ELF shared object (e_type ET_DYN) rather than a relocatable one. */
static bool rt_cpu_is_shared_object(const void *image, size_t len) {
  const unsigned char *e = image;
  return len > 64 && !memcmp(e, "\177ELF", 4) && e[16] == 3 && e[17] == 0;
}

/* dlopen needs a file: the image goes into an anonymous memory file, opened through /proc. */
static liger_status rt_cpu_load_shared(RtDevice *dev, const void *image, size_t len, const char *kernel,
                                       RtModule **out) {
  int fd = memfd_create("liger-kernel", MFD_CLOEXEC);
  if (fd < 0) return rt_fail(LIGER_ERR_IO, "cpu: memfd_create: %s", strerror(errno));
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, (const char *)image + done, len - done);
    if (w <= 0) {
      close(fd);
      return rt_fail(LIGER_ERR_IO, "cpu: writing the kernel image: %s", strerror(errno));
    }
    done += (size_t)w;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  /* The fd stays open until unload: glibc returns an already loaded object whose name
   * matches, so a closed fd number reused for the next image would give the previous one. */
  void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    close(fd);
    return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: the kernel image is not a loadable shared object: %s", dlerror());
  }
  void *sym = dlsym(dl, kernel);
  RtModule *m = sym ? calloc(1, sizeof *m) : NULL;
  if (!m) {
    dlclose(dl);
    close(fd);
    return sym ? rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cpu: load: module struct")
               : rt_fail(LIGER_ERR_INVALID_ARG, "cpu: the shared object has no kernel '%s'", kernel);
  }
  m->dev = dev;
  m->dl = dl;
  m->dl_fd = fd;
  pthread_mutex_init(&m->scratch_lock, NULL);
  /* POSIX guarantees the round trip of a function address through void *. */
  m->entry = (RtCpuEntry)(uintptr_t)sym;
  *out = m;
  return LIGER_OK;
}

static liger_status rt_cpu_load(RtDevice *dev, const void *image, size_t len, const char *kernel,
                                RtModule **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: load: NULL output");
  *out = NULL;
  if (!image || len == 0 || !kernel || !*kernel)
    return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: load: empty image or kernel name");
  if (rt_cpu_is_shared_object(image, len)) return rt_cpu_load_shared(dev, image, len, kernel, out);
#ifdef LIGER_RUNTIME_ONLY
  return rt_fail(LIGER_ERR_UNSUPPORTED,
                 "cpu: this libliger-jit was built without a compiler (LIGER_RUNTIME_ONLY): it cannot link a "
                 "relocatable host object, which needs LLVM's JIT; load a bundle made by ligerc, which carries "
                 "CPU variants as shared objects");
#else
  pthread_once(&rt_cpu_llvm_once, rt_cpu_llvm_init);
  if (!rt_cpu_llvm_ok)
    return rt_fail(LIGER_ERR_UNSUPPORTED, "cpu: this LLVM has no native (host) target built in");

  RtModule *m = calloc(1, sizeof *m);
  if (!m) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cpu: load: module struct");
  m->dev = dev;
  pthread_mutex_init(&m->scratch_lock, NULL);

  LLVMErrorRef err = LLVMOrcCreateLLJIT(&m->jit, NULL);
  if (err) {
    pthread_mutex_destroy(&m->scratch_lock);
    free(m);
    return rt_cpu_fail_llvm(LIGER_ERR_INTERNAL, "creating the LLJIT", err);
  }
  LLVMOrcExecutionSessionSetErrorReporter(LLVMOrcLLJITGetExecutionSession(m->jit), rt_cpu_report, m);

  /* The kernel may call libm (expf, logf, ...) and memset/memcpy: resolve anything the
   * object does not define against the symbols already loaded in this process. */
  LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(m->jit);
  LLVMOrcDefinitionGeneratorRef gen;
  err = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(m->jit),
                                                             NULL, NULL);
  liger_status st = LIGER_OK;
  if (err) {
    st = rt_cpu_fail_llvm(LIGER_ERR_INTERNAL, "process symbol generator", err);
    goto fail;
  }
  LLVMOrcJITDylibAddGenerator(jd, gen);
  /* device_assert in debug builds calls back into the runtime */
  LLVMOrcCSymbolMapPair hook = {
      LLVMOrcLLJITMangleAndIntern(m->jit, "__liger_assert_fail"),
      {(LLVMOrcExecutorAddress)(uintptr_t)rt_cpu_assert_fail, {LLVMJITSymbolGenericFlagsCallable, 0}}};
  err = LLVMOrcJITDylibDefine(jd, LLVMOrcAbsoluteSymbols(&hook, 1));
  if (err) {
    st = rt_cpu_fail_llvm(LIGER_ERR_INTERNAL, "defining the assertion hook", err);
    goto fail;
  }

  /* LLJIT takes ownership of the buffer, even when adding fails. */
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(image, len, kernel);
  if (!buf) {
    st = rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cpu: load: copying %zu bytes of object", len);
    goto fail;
  }
  err = LLVMOrcLLJITAddObjectFile(m->jit, jd, buf);
  if (err) {
    st = rt_cpu_fail_llvm(LIGER_ERR_INVALID_ARG, "the kernel image is not a loadable host object", err);
    goto fail;
  }

  LLVMOrcExecutorAddress addr = 0;
  err = LLVMOrcLLJITLookup(m->jit, &addr, kernel);
  if (err) {
    char what[256];
    snprintf(what, sizeof what, "linking kernel '%s'", kernel);
    st = rt_cpu_fail_llvm(LIGER_ERR_INVALID_ARG, what, err);
    if (m->jit_err[0]) {
      rt_fail_append("\n");
      rt_fail_append(m->jit_err);
    }
    goto fail;
  }
  if (!addr) {
    st = rt_fail(LIGER_ERR_INVALID_ARG, "cpu: kernel '%s' resolved to address 0", kernel);
    goto fail;
  }
  /* ORC hands back an integer address; converting it to a function pointer is what the
   * C API is for (POSIX guarantees the round trip through void *). */
  m->entry = (RtCpuEntry)(uintptr_t)addr;
  *out = m;
  return LIGER_OK;

fail:
  err = LLVMOrcDisposeLLJIT(m->jit);
  if (err) LLVMConsumeError(err);
  pthread_mutex_destroy(&m->scratch_lock);
  free(m);
  return st;
#endif /* LIGER_RUNTIME_ONLY */
}

static void rt_cpu_unload(RtModule *m) {
  if (!m) return;
  if (m->dl) {
    dlclose(m->dl);
    close(m->dl_fd);
  }
#ifndef LIGER_RUNTIME_ONLY
  else {
    LLVMErrorRef err = LLVMOrcDisposeLLJIT(m->jit);
    if (err) LLVMConsumeError(err); /* nothing useful to do with it on the way out */
  }
#endif
  pthread_mutex_destroy(&m->scratch_lock);
  free(m->scratch);
  free(m);
}

/* ---- launch ------------------------------------------------------------------------- */

typedef struct RtCpuGrid {
  _Atomic int failed;   /* a program's device_assert failed: the rest are skipped */
  const char *fail_msg; /* written once, by the program that set `failed` */
  int32_t fail_pid[3];
  RtCpuEntry entry;
  void **args;
  int32_t nprog[3];
  int64_t g0, g01;    /* grid[0] and grid[0]*grid[1], for index → pid */
  char *scratch;      /* nworkers slices of `stride` bytes, or NULL */
  size_t stride;
} RtCpuGrid;

static void rt_cpu_program(void *ctx, int64_t i, int worker) {
  RtCpuGrid *g = ctx;
  if (atomic_load_explicit(&g->failed, memory_order_relaxed)) return;
  int32_t pid[3] = {(int32_t)(i % g->g0), (int32_t)((i / g->g0) % (g->g01 / g->g0)),
                    (int32_t)(i / g->g01)};
  g->entry(g->args, pid, g->nprog, g->scratch ? g->scratch + (size_t)worker * g->stride : NULL);
  if (rt_cpu_assert_msg) { /* set by __liger_assert_fail on this thread, just now */
    int expected = 0;
    if (atomic_compare_exchange_strong(&g->failed, &expected, 1)) {
      g->fail_msg = rt_cpu_assert_msg;
      memcpy(g->fail_pid, pid, sizeof pid);
    }
    rt_cpu_assert_msg = NULL;
  }
}

static liger_status rt_cpu_launch(RtModule *m, const uint32_t grid[3], uint32_t threads,
                                  uint32_t shared, void *stream, void **args, int nargs) {
  (void)threads; /* a CPU program is one thread; the vector width is in the code */
  (void)stream;
  (void)nargs;
  if (!m || !grid) return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: launch: NULL module or grid");
  for (int d = 0; d < 3; d++)
    if (grid[d] > INT32_MAX)
      return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: launch: grid[%d] = %u exceeds the int32 program id",
                     d, grid[d]);
  if (grid[0] == 0 || grid[1] == 0 || grid[2] == 0) return LIGER_OK;
  /* The product fits in 93 bits; keep it well inside int64 so the pool's counter cannot
   * overflow when it overshoots by a chunk per thread. */
  uint64_t g01 = (uint64_t)grid[0] * grid[1];
  if (g01 > (uint64_t)INT64_MAX / 4 / grid[2])
    return rt_fail(LIGER_ERR_INVALID_ARG, "cpu: launch: grid %u x %u x %u has too many programs",
                   grid[0], grid[1], grid[2]);
  int64_t n = (int64_t)(g01 * grid[2]);

  RtCpuGrid g = {
      .entry = m->entry,
      .args = args,
      .nprog = {(int32_t)grid[0], (int32_t)grid[1], (int32_t)grid[2]},
      .g0 = grid[0],
      .g01 = (int64_t)g01,
  };
  /* Scratch: one slice per worker, the module's cached buffer when it is free. */
  bool cached = false;
  if (shared > 0) {
    g.stride = ((size_t)shared + RT_CPU_ALIGN - 1) & ~(size_t)(RT_CPU_ALIGN - 1);
    size_t nworkers = (size_t)rt_pool_size(m->dev->pool);
    size_t bytes = g.stride * nworkers;
    if (pthread_mutex_trylock(&m->scratch_lock) == 0) {
      cached = true;
      if (m->scratch_bytes < bytes) {
        free(m->scratch);
        m->scratch = aligned_alloc(RT_CPU_ALIGN, bytes);
        m->scratch_bytes = m->scratch ? bytes : 0;
      }
      g.scratch = m->scratch;
    } else {
      g.scratch = aligned_alloc(RT_CPU_ALIGN, bytes);
    }
    if (!g.scratch) {
      if (cached) pthread_mutex_unlock(&m->scratch_lock);
      return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cpu: launch: %zu scratch bytes for %zu workers",
                     g.stride, nworkers);
    }
  }
  rt_pool_run(m->dev->pool, n, rt_cpu_program, &g);
  if (cached) pthread_mutex_unlock(&m->scratch_lock);
  else free(g.scratch);
  if (atomic_load(&g.failed))
    return rt_fail(LIGER_ERR_ASSERT, "%s (program %d, %d, %d)", g.fail_msg, g.fail_pid[0], g.fail_pid[1], g.fail_pid[2]);
  return LIGER_OK;
}

/* A worker runs one program at a time. */
static liger_status rt_cpu_occupancy(RtModule *m, uint32_t threads, uint32_t shared, int *blocks) {
  (void)m, (void)threads, (void)shared;
  *blocks = 1;
  return LIGER_OK;
}

const RtBackend rt_backend_cpu = {
    .name = "cpu",
    .open = rt_cpu_open,
    .close = rt_cpu_close,
    .alloc = rt_cpu_alloc,
    .free = rt_cpu_free,
    .htod = rt_cpu_copy,
    .dtoh = rt_cpu_copy,
    .memset8 = rt_cpu_memset8,
    .sync = rt_cpu_sync,
    .load = rt_cpu_load,
    .unload = rt_cpu_unload,
    .launch = rt_cpu_launch,
    .occupancy = rt_cpu_occupancy,
    .event_create = rt_cpu_event_create,
    .event_record = rt_cpu_event_record,
    .event_elapsed = rt_cpu_event_elapsed,
    .event_destroy = rt_cpu_event_destroy,
};
