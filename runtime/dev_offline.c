/*
 * dev_offline.c — a device that is not there: "offline:TARGET" contexts, for compiling
 * without the GPU (liger-tune prewarm in CI, tests of the ops' host side).
 *
 * An offline context has a real compilation target (sm_90, gfx942, ...) and no device. Ops
 * validate, plan and build their kernels on it exactly as on the device — through the same
 * variant_key and emit kind (cubin through nvJitLink, hsaco, host object), so the binary
 * cache fills with the entries the device will look up — and the launches are counted
 * instead of run. Memory is fake: unique addresses from a bump counter in a range no host
 * or device allocator hands out, aligned like real allocations (256 bytes) so pointer
 * specialisation (16-byte divisibility) matches; they are never dereferenced. Copies and
 * memsets have nothing to act on and fail with LIGER_ERR_UNSUPPORTED.
 *
 * One back end per device family, because the ops match DLTensor device types against the
 * back end's name: rt_backend_offline_cuda is "cuda" (kDLCUDA tensors), _hip "hip"
 * (kDLROCM), _cpu "cpu" (kDLCPU). rt_offline_open parses the name; see liger.h.
 */
#include "runtime.h"
#include "../codegen/codegen.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
  RT_OFF_ALIGN = 256,     /* as cudaMalloc / hipMalloc */
  RT_OFF_OCC_MAX = 8,     /* at most this many programs per SM in the estimate */
  RT_OFF_SMS_MAX = 4096,  /* sanity bound for sms= */
};

/* Fake addresses start here: above the 47-bit user space of x86-64 and AArch64 processes
 * and below the 57-bit one, so they can never alias memory the process has. */
#define RT_OFF_BASE ((uintptr_t)0x7e0000000000ull << 4)

struct RtDevice {
  const Target *target;
  _Atomic uint64_t next;     /* offset of the next fake allocation from RT_OFF_BASE */
  _Atomic uint64_t launches; /* launches that would have run */
  _Atomic uint64_t loads;    /* modules "loaded" */
  int occupancy;             /* occupancy=N, or 0: the estimate below */
  int threads_per_sm;        /* resident threads an SM / CU holds, for the estimate */
};

struct RtModule {
  RtDevice *dev;
};

/* Default SM / CU counts of the usual part of each target (sms= overrides). */
static int rt_off_default_sms(const char *target) {
  static const struct { const char *name; int sms; } table[] = {
      {"sm_80", 108}, {"sm_90", 132}, {"sm_90a", 132}, {"gfx90a", 104}, {"gfx942", 304}, {"gfx1100", 48},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (!strcmp(table[i].name, target)) return table[i].sms;
  long n = sysconf(_SC_NPROCESSORS_ONLN); /* cpu: the pool's default size */
  return n > 0 ? (int)n : 1;
}

/* "N" → n in [lo, hi]; false otherwise. */
static bool rt_off_int(const char *s, size_t len, int lo, int hi, int *out) {
  if (!len || len > 9) return false;
  int v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!isdigit((unsigned char)s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

static const RtBackend *rt_off_family(const Target *t) {
  return t->kind == TGT_NVPTX ? &rt_backend_offline_cuda : t->kind == TGT_AMDGPU ? &rt_backend_offline_hip
                                                                                 : &rt_backend_offline_cpu;
}

liger_status rt_offline_open(const char *spec, const RtBackend **be, RtDevice **out, RtDeviceInfo *info) {
  static const char usage[] = "use offline:TARGET[,sms=N][,occupancy=N][,ptx] with TARGET one of";
  *out = NULL;
  const char *comma = strchr(spec, ',');
  size_t tlen = comma ? (size_t)(comma - spec) : strlen(spec);
  char tname[32];
  if (!tlen || tlen >= sizeof tname)
    return rt_fail(LIGER_ERR_INVALID_ARG, "offline:%s: no target; %s %s", spec, usage, cg_target_names());
  memcpy(tname, spec, tlen);
  tname[tlen] = 0;
  const Target *t = strcmp(tname, "host") ? cg_target(tname) : NULL;
  if (!t) return rt_fail(LIGER_ERR_INVALID_ARG, "offline:%s: unknown target '%s'; %s %s", spec, tname, usage, cg_target_names());
  int sms = rt_off_default_sms(t->name), occupancy = 0, ptx = 0;
  for (const char *p = comma; p && *p;) {
    p++;
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    bool ok = false;
    if (len > 4 && !strncmp(p, "sms=", 4)) ok = rt_off_int(p + 4, len - 4, 1, RT_OFF_SMS_MAX, &sms);
    else if (len > 10 && !strncmp(p, "occupancy=", 10)) ok = rt_off_int(p + 10, len - 10, 1, 64, &occupancy);
    else if (len == 3 && !strncmp(p, "ptx", 3)) ok = t->kind == TGT_NVPTX, ptx = 1;
    if (!ok)
      return rt_fail(LIGER_ERR_INVALID_ARG, "offline:%s: bad option '%.*s' (sms=1..%d, occupancy=1..64, ptx for NVIDIA "
                     "targets); %s %s", spec, (int)len, p, RT_OFF_SMS_MAX, usage, cg_target_names());
    p = end;
  }
  RtDevice *dev = calloc(1, sizeof *dev);
  if (!dev) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "offline: open: device struct");
  dev->target = t;
  dev->occupancy = occupancy;
  dev->threads_per_sm = 2048; /* sm_80 / sm_90; CDNA: 32 waves of 64; RDNA3: 32 of 32 */
  if (t->kind == TGT_AMDGPU && t->warp_size == 32) dev->threads_per_sm = 1024;
  memset(info, 0, sizeof *info);
  snprintf(info->name, sizeof info->name, "offline %s", t->name);
  snprintf(info->target, sizeof info->target, "%s", t->name);
  info->warp_size = t->warp_size;
  info->num_sms = sms;
  info->max_shared = t->kind == TGT_CPU ? (size_t)1 << 30 : t->max_shared; /* as dev_cpu.c */
  info->ptx_only = ptx;
  *be = rt_off_family(t);
  *out = dev;
  return LIGER_OK;
}

uint64_t rt_offline_launches(const RtDevice *dev) { return atomic_load(&((RtDevice *)dev)->launches); }

static liger_status rt_off_open(int ordinal, RtDevice **out, RtDeviceInfo *info) {
  (void)ordinal;
  (void)info;
  *out = NULL;
  return rt_fail(LIGER_ERR_NO_DEVICE, "an offline device is opened by name: offline:TARGET (targets: %s)",
                 cg_target_names());
}

static void rt_off_close(RtDevice *dev) { free(dev); }

static liger_status rt_off_alloc(RtDevice *dev, size_t bytes, void **out) {
  uint64_t len = ((uint64_t)bytes + RT_OFF_ALIGN - 1) & ~(uint64_t)(RT_OFF_ALIGN - 1);
  if (len < RT_OFF_ALIGN) len = RT_OFF_ALIGN;
  if (len > ((uint64_t)1 << 44)) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "offline: %zu bytes is more than any device has", bytes);
  uint64_t at = atomic_fetch_add(&dev->next, len);
  if (at > ((uint64_t)1 << 52)) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "offline: the fake address range is used up");
  *out = (void *)(RT_OFF_BASE + (uintptr_t)at);
  return LIGER_OK;
}

static liger_status rt_off_free(RtDevice *dev, void *ptr) {
  (void)dev;
  (void)ptr; /* addresses are never reused, so there is nothing to give back */
  return LIGER_OK;
}

static liger_status rt_off_nodata(const RtDevice *dev, const char *what) {
  return rt_fail(LIGER_ERR_UNSUPPORTED, "%s: the context is offline (%s, no device): its memory holds no data, so it "
                 "cannot be copied or set; an offline context only compiles and plans",
                 what, dev->target->name);
}

static liger_status rt_off_htod(RtDevice *dev, void *dst, const void *src, size_t bytes) {
  (void)dst, (void)src, (void)bytes;
  return rt_off_nodata(dev, "liger_memcpy_htod");
}

static liger_status rt_off_dtoh(RtDevice *dev, void *dst, const void *src, size_t bytes) {
  (void)dst, (void)src, (void)bytes;
  return rt_off_nodata(dev, "liger_memcpy_dtoh");
}

static liger_status rt_off_memset8(RtDevice *dev, void *dst, int value, size_t bytes) {
  (void)dst, (void)value, (void)bytes;
  return rt_off_nodata(dev, "liger_memset_d8");
}

static liger_status rt_off_sync(RtDevice *dev, void *stream) {
  (void)dev, (void)stream;
  return LIGER_OK;
}

/* The image was built (and cached) by the caller; nothing runs it, so it is not kept. */
static liger_status rt_off_load(RtDevice *dev, const void *image, size_t len, const char *kernel, RtModule **out) {
  *out = NULL;
  if (!image || !len || !kernel) return rt_fail(LIGER_ERR_INTERNAL, "offline: load: empty image");
  RtModule *m = calloc(1, sizeof *m);
  if (!m) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "offline: load: module struct");
  m->dev = dev;
  atomic_fetch_add(&dev->loads, 1);
  *out = m;
  return LIGER_OK;
}

static void rt_off_unload(RtModule *mod) { free(mod); }

static liger_status rt_off_launch(RtModule *mod, const uint32_t grid[3], uint32_t threads, uint32_t shared, void *stream,
                                  void **args, int nargs) {
  (void)threads, (void)shared, (void)stream, (void)args, (void)nargs;
  if (grid[0] && grid[1] && grid[2]) atomic_fetch_add(&mod->dev->launches, 1);
  return LIGER_OK;
}

/* A fixed estimate, since there are no registers to count: as many programs as the SM's
 * threads and the target's shared memory allow, at most RT_OFF_OCC_MAX (what the ops use
 * it for: the size of a persistent grid, which decides no code but a launch argument's
 * specialisation; liger-tune prewarm covers every value 1..8). occupancy=N fixes it. */
static liger_status rt_off_occupancy(RtModule *mod, uint32_t threads, uint32_t shared, int *blocks) {
  const RtDevice *d = mod->dev;
  if (d->occupancy) {
    *blocks = d->occupancy;
    return LIGER_OK;
  }
  if (d->target->kind == TGT_CPU) {
    *blocks = 1; /* as dev_cpu.c */
    return LIGER_OK;
  }
  int by_threads = threads ? d->threads_per_sm / (int)threads : RT_OFF_OCC_MAX;
  int by_shared = shared ? (int)(d->target->max_shared / shared) : RT_OFF_OCC_MAX;
  int n = by_threads < by_shared ? by_threads : by_shared;
  *blocks = n < 1 ? 1 : n > RT_OFF_OCC_MAX ? RT_OFF_OCC_MAX : n;
  return LIGER_OK;
}

/* Timing events stay NULL: there is nothing to time (the tuner needs a device). */
#define RT_OFF_BACKEND(family)                                                                        \
  {.name = family,          .open = rt_off_open,     .close = rt_off_close,   .alloc = rt_off_alloc,   \
   .free = rt_off_free,     .htod = rt_off_htod,     .dtoh = rt_off_dtoh,     .memset8 = rt_off_memset8, \
   .sync = rt_off_sync,     .load = rt_off_load,     .unload = rt_off_unload, .launch = rt_off_launch, \
   .occupancy = rt_off_occupancy}

const RtBackend rt_backend_offline_cuda = RT_OFF_BACKEND("cuda");
const RtBackend rt_backend_offline_hip = RT_OFF_BACKEND("hip");
const RtBackend rt_backend_offline_cpu = RT_OFF_BACKEND("cpu");
