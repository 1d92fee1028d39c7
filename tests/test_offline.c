/*
 * test_offline.c — "offline:TARGET" contexts (runtime/dev_offline.c) through the public API:
 * fake allocations (unique, 256-byte aligned, never touched), copies refused with a message,
 * launches counted, the occupancy estimate and its override, the names that are refused, an
 * op on sm_90 and gfx942 tensors without their GPUs, and — on the one target this machine
 * can also run — that a variant built offline is the cache hit of the real context (the
 * keys are equal).
 */
#include "liger/liger.h"
#include "liger/ops.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *add_src =
    "import triton\n"
    "import triton.language as tl\n"
    "@triton.jit\n"
    "def add(x_ptr, y_ptr, n, BLOCK: tl.constexpr):\n"
    "    i = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)\n"
    "    tl.store(y_ptr + i, tl.load(x_ptr + i, mask=i < n) + 1.0, mask=i < n)\n";

static void test_memory(void) {
  liger_context *ctx = NULL;
  liger_status st = liger_context_create("offline:sm_90", &ctx);
  CHECK(st == LIGER_OK, "offline:sm_90 opens without a GPU (%s)", st ? liger_last_error() : "ok");
  if (st) return;
  uint64_t launches = 99;
  CHECK(liger_context_offline(ctx, &launches) == 1 && launches == 0, "it says it is offline, 0 launches");
  CHECK(!strcmp(liger_context_target(ctx), "sm_90"), "target sm_90");
  CHECK(strstr(liger_context_device(ctx), "offline sm_90") && strstr(liger_context_device(ctx), "132 SMs"),
        "device '%s' (132 SMs by default)", liger_context_device(ctx));
  void *p[8];
  bool ok = true;
  for (int i = 0; i < 8; i++) ok &= liger_malloc(ctx, (size_t)(i * 1000 + 1), &p[i]) == LIGER_OK;
  CHECK(ok, "8 fake allocations");
  bool aligned = true, unique = true;
  for (int i = 0; i < 8; i++) {
    aligned &= p[i] && ((uintptr_t)p[i] & 255) == 0;
    for (int j = 0; j < i; j++) unique &= p[i] != p[j] && (uintptr_t)p[i] >= (uintptr_t)p[j] + (size_t)(j * 1000 + 1);
  }
  CHECK(aligned, "non-NULL and 256-byte aligned");
  CHECK(unique, "distinct and not overlapping");
  CHECK(liger_free(ctx, p[0]) == LIGER_OK, "free accepts them");
  char host[16] = {0};
  st = liger_memcpy_htod(ctx, p[1], host, sizeof host);
  CHECK(st == LIGER_ERR_UNSUPPORTED && strstr(liger_last_error(), "offline"), "htod refused: %s", liger_last_error());
  st = liger_memcpy_dtoh(ctx, host, p[1], sizeof host);
  CHECK(st == LIGER_ERR_UNSUPPORTED, "dtoh refused");
  st = liger_memset_d8(ctx, p[1], 0, 16);
  CHECK(st == LIGER_ERR_UNSUPPORTED, "memset refused");
  CHECK(liger_synchronize(ctx, NULL) == LIGER_OK, "synchronize is a no-op");

  liger_constexpr block = {"BLOCK", "256"};
  liger_kernel *k = NULL;
  st = liger_kernel_load_source(ctx, add_src, "add.py", "add", &block, 1, 4, &k);
  CHECK(st == LIGER_OK, "kernel loads (%s)", st ? liger_last_error() : "ok");
  if (!st) {
    liger_arg a[] = {liger_arg_ptr(p[1], LIGER_F32), liger_arg_ptr(p[2], LIGER_F32), liger_arg_int(1000)};
    uint32_t grid[3] = {4, 1, 1}, empty[3] = {0, 1, 1};
    st = liger_launch(k, grid, NULL, a, 3);
    if (st == LIGER_ERR_NO_DEVICE) { /* no libnvJitLink: nothing to make a cubin with */
      printf("skip: launch needs libnvJitLink for the cubin: %s\n", liger_last_error());
    } else {
      CHECK(st == LIGER_OK, "a launch compiles the cubin and returns (%s)", st ? liger_last_error() : "ok");
      CHECK(liger_launch(k, grid, NULL, a, 3) == LIGER_OK && liger_launch(k, empty, NULL, a, 3) == LIGER_OK,
            "two more launches, one of an empty grid");
      liger_context_offline(ctx, &launches);
      CHECK(launches == 2, "launches counted: %llu (the empty grid is not)", (unsigned long long)launches);
      int occ = 0;
      CHECK(liger_kernel_occupancy(k, a, 3, &occ) == LIGER_OK && occ == 8,
            "occupancy estimate for 128 threads: %d (min(8, 2048 / 128))", occ);
    }
    liger_kernel_release(k);
  }
  liger_context_destroy(ctx);
}

static void test_names(void) {
  static const char *const bad[] = {"offline:",      "offline:sm_99",       "offline:sm_90,sms=0",
                                    "offline:gfx942,ptx", "offline:sm_90,what", "offline:cpu,occupancy=x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    liger_context *ctx = NULL;
    liger_status st = liger_context_create(bad[i], &ctx);
    CHECK(st == LIGER_ERR_INVALID_ARG && !ctx, "'%s' refused: %s", bad[i], liger_last_error());
  }
  static const struct { const char *name, *want; } good[] = {
      {"offline:gfx942", "304 SMs"}, {"offline:gfx90a", "104 SMs"}, {"offline:gfx1100", "48 SMs"},
      {"offline:sm_80", "108 SMs"},  {"offline:sm_90a,sms=114", "114 SMs"}, {"offline:sm_80,ptx", "as PTX"},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    liger_context *ctx = NULL;
    liger_status st = liger_context_create(good[i].name, &ctx);
    CHECK(st == LIGER_OK && strstr(liger_context_device(ctx), good[i].want), "'%s': %s", good[i].name,
          st ? liger_last_error() : liger_context_device(ctx));
    liger_context_destroy(ctx);
  }
  CHECK(liger_context_offline(NULL, NULL) == 0, "NULL is not offline");
}

/* An op on device tensors of a GPU this machine does not have. */
static void test_op(const char *name, DLDeviceType type) {
  liger_context *ctx = NULL;
  if (liger_context_create(name, &ctx) != LIGER_OK) {
    CHECK(0, "%s: %s", name, liger_last_error());
    return;
  }
  int64_t shape[2] = {64, 1024}, n = 1024, rows = 64;
  void *x, *y, *w, *r;
  liger_malloc(ctx, 64 * 1024 * 2, &x);
  liger_malloc(ctx, 64 * 1024 * 2, &y);
  liger_malloc(ctx, 1024 * 2, &w);
  liger_malloc(ctx, 64 * 4, &r);
  DLDevice dev = {type, 0};
  DLDataType bf16 = {kDLBfloat, 16, 1}, f32 = {kDLFloat, 32, 1};
  DLTensor X = {.data = x, .device = dev, .ndim = 2, .dtype = bf16, .shape = shape};
  DLTensor Y = X, W = {.data = w, .device = dev, .ndim = 1, .dtype = bf16, .shape = &n};
  DLTensor R = {.data = r, .device = dev, .ndim = 1, .dtype = f32, .shape = &rows};
  Y.data = y;
  liger_status st = liger_rms_norm_forward(ctx, NULL, &X, &W, &Y, &R, 1e-6f, 0.0f, LIGER_RMS_CAST_LLAMA);
  uint64_t launches = 0;
  liger_context_offline(ctx, &launches);
  if (st == LIGER_ERR_NO_DEVICE && type == kDLCUDA)
    printf("skip: %s needs libnvJitLink: %s\n", name, liger_last_error());
  else
    CHECK(st == LIGER_OK && launches == 1, "%s: rms_norm_forward on device tensors builds and counts 1 launch (%s)",
          name, st ? liger_last_error() : "ok");
  X.device.device_type = kDLCPU;
  st = liger_rms_norm_forward(ctx, NULL, &X, &W, &Y, &R, 1e-6f, 0.0f, LIGER_RMS_CAST_LLAMA);
  CHECK(st == LIGER_ERR_INVALID_ARG, "%s: host tensors are refused (%s)", name, liger_last_error());
  liger_context_destroy(ctx);
}

/* offline:cpu and cpu compute the same key: what one builds, the other loads. */
static void test_same_key(void) {
  char dir[] = "/tmp/liger-offline-XXXXXX";
  if (!mkdtemp(dir)) {
    CHECK(0, "mkdtemp");
    return;
  }
  setenv("LIGER_CACHE_DIR", dir, 1);
  liger_context *off = NULL, *cpu = NULL;
  liger_kernel *k = NULL;
  liger_constexpr block = {"BLOCK", "64"};
  liger_cache_info a, b, c;
  liger_cache_query(&a);
  bool ok = liger_context_create("offline:cpu", &off) == LIGER_OK &&
            liger_kernel_load_source(off, add_src, "add.py", "add", &block, 1, 4, &k) == LIGER_OK;
  void *x = NULL, *y = NULL;
  ok = ok && liger_malloc(off, 256, &x) == LIGER_OK && liger_malloc(off, 256, &y) == LIGER_OK;
  liger_arg args[] = {liger_arg_ptr(x, LIGER_F32), liger_arg_ptr(y, LIGER_F32), liger_arg_int(64)};
  ok = ok && liger_kernel_compile(k, args, 3) == LIGER_OK;
  liger_cache_query(&b);
  CHECK(ok && b.stores == a.stores + 1, "offline:cpu built and stored the variant (%s)", ok ? "ok" : liger_last_error());
  liger_kernel_release(k);
  k = NULL;
  float hx[64], hy[64];
  for (int i = 0; i < 64; i++) hx[i] = (float)i;
  ok = liger_context_create("cpu", &cpu) == LIGER_OK &&
       liger_kernel_load_source(cpu, add_src, "add.py", "add", &block, 1, 4, &k) == LIGER_OK;
  void *dx = NULL, *dy = NULL;
  ok = ok && liger_malloc(cpu, sizeof hx, &dx) == LIGER_OK && liger_malloc(cpu, sizeof hy, &dy) == LIGER_OK &&
       liger_memcpy_htod(cpu, dx, hx, sizeof hx) == LIGER_OK;
  liger_arg rargs[] = {liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_int(64)};
  uint32_t grid[3] = {1, 1, 1};
  ok = ok && liger_launch(k, grid, NULL, rargs, 3) == LIGER_OK && liger_memcpy_dtoh(cpu, hy, dy, sizeof hy) == LIGER_OK;
  liger_cache_query(&c);
  CHECK(ok && c.hits == b.hits + 1 && c.misses == b.misses, "the real cpu context found it: hits +%llu, misses +%llu",
        (unsigned long long)(c.hits - b.hits), (unsigned long long)(c.misses - b.misses));
  CHECK(ok && hy[0] == 1.0f && hy[63] == 64.0f, "and it runs: y[63] = %g", (double)hy[63]);
  liger_free(cpu, dx);
  liger_free(cpu, dy);
  liger_kernel_release(k);
  liger_context_destroy(cpu);
  liger_context_destroy(off);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) printf("note: could not remove %s\n", dir);
}

int main(void) {
  test_memory();
  test_names();
  test_op("offline:sm_90", kDLCUDA);
  test_op("offline:gfx942", kDLROCM);
  test_same_key();
  return check_summary();
}
