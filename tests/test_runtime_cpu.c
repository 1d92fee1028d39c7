/*
 * test_runtime_cpu.c — the CPU back end (runtime/dev_cpu.c) and the thread pool (pool.c).
 *
 * Usage: test_runtime_cpu <object>   where <object> is tests/data/cpu_entry_sample.c built
 * with `-c -fPIC -O2` (CMake does it). Nothing is compiled with LLVM here: the object stands
 * in for codegen's host output, so a failure points at the runtime, not the compiler.
 * Exit status 0 = pass, 1 = fail; each check prints one line.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include "runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  fclose(f);
  *len = n;
  return buf;
}

/* ---- error.c: the per-thread message ------------------------------------------------ */

static void *error_thread(void *arg) {
  (void)arg;
  /* A long (heap) message on a thread that then exits: the buffer must be freed (LSan). */
  char big[10000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  rt_fail(LIGER_ERR_IO, "%s", big);
  return (void *)(uintptr_t)(strlen(liger_last_error()) == sizeof big - 1);
}

static void test_errors(void) {
  liger_status st = rt_fail(LIGER_ERR_COMPILE, "k.py:%d:%d: bad", 3, 7);
  CHECK(st == LIGER_ERR_COMPILE && strcmp(liger_last_error(), "k.py:3:7: bad") == 0,
        "rt_fail formats and returns its status");
  rt_fail_append("\nmore");
  CHECK(strcmp(liger_last_error(), "k.py:3:7: bad\nmore") == 0, "rt_fail_append appends");

  /* The message may be an argument of the next failure. */
  rt_fail(LIGER_ERR_DRIVER, "outer: %s", liger_last_error());
  CHECK(strcmp(liger_last_error(), "outer: k.py:3:7: bad\nmore") == 0, "a message can wrap the last one");
  rt_fail_append(liger_last_error());
  CHECK(strcmp(liger_last_error(), "outer: k.py:3:7: bad\nmoreouter: k.py:3:7: bad\nmore") == 0,
        "appending the message to itself");

  /* Grow past the static buffer with appends (a linker log arriving in pieces). */
  rt_fail(LIGER_ERR_COMPILE, "log:");
  char line[101];
  memset(line, 'a', 99);
  line[99] = '\n';
  line[100] = '\0';
  for (int i = 0; i < 100; i++) rt_fail_append(line);
  size_t len = strlen(liger_last_error());
  CHECK(len == 4 + 100 * 100 && !strstr(liger_last_error(), "[truncated]"),
        "10 KiB of appends kept whole (%zu bytes)", len);

  /* Past the 64 KiB cap: cut, and said so. */
  for (int i = 0; i < 1000; i++) rt_fail_append(line);
  const char *msg = liger_last_error();
  len = strlen(msg);
  CHECK(len < 64 * 1024 && len > 60 * 1024 && strcmp(msg + len - 11, "[truncated]") == 0,
        "a 110 KiB log is capped at 64 KiB and ends in [truncated] (%zu bytes)", len);
  rt_fail_append("after the cap");
  CHECK(strlen(liger_last_error()) == len, "appending after the cap changes nothing");

  char *huge = malloc(200 * 1024);
  if (huge) {
    memset(huge, 'z', 200 * 1024 - 1);
    huge[200 * 1024 - 1] = '\0';
    rt_fail(LIGER_ERR_COMPILE, "%s", huge);
    msg = liger_last_error();
    len = strlen(msg);
    CHECK(len < 64 * 1024 && strcmp(msg + len - 11, "[truncated]") == 0,
          "one 200 KiB rt_fail is capped too (%zu bytes)", len);
    free(huge);
  }

  /* Back to a short message: back in the static buffer. */
  rt_fail(LIGER_ERR_IO, "short");
  CHECK(strcmp(liger_last_error(), "short") == 0, "a short message after a long one");

  pthread_t th;
  void *ok = NULL;
  pthread_create(&th, NULL, error_thread, NULL);
  pthread_join(th, &ok);
  CHECK(ok && strcmp(liger_last_error(), "short") == 0,
        "another thread's failure leaves this thread's message alone");

  CHECK(strcmp(liger_status_name(LIGER_ERR_NO_DEVICE), "LIGER_ERR_NO_DEVICE") == 0 &&
            strcmp(liger_status_name(LIGER_OK), "LIGER_OK") == 0 &&
            liger_status_name((liger_status)99) != NULL,
        "liger_status_name");
}

/* ---- the sample kernel through the back end ------------------------------------------ */

enum { G0 = 5, G1 = 3, BLOCK = 64, NELEM = G0 * G1 * BLOCK, N_USED = NELEM - 10, SCRATCH = 256 };

static float expected(const float *x, int i) {
  int b = i / BLOCK;
  int pid1 = b / G0;
  return x[i] * 2.0f + (float)pid1;
}

typedef struct LaunchJob {
  const RtBackend *be;
  RtDevice *dev;
  RtModule *mod;
  int rounds;
  int bad; /* results that did not match */
} LaunchJob;

/* One launch of the sample over its own x/y, checked element by element. */
static int launch_and_check(const RtBackend *be, RtDevice *dev, RtModule *mod, float seed) {
  float *x = NULL, *y = NULL;
  if (be->alloc(dev, NELEM * sizeof(float), (void **)&x) || be->alloc(dev, NELEM * sizeof(float), (void **)&y)) {
    be->free(dev, x);
    return -1;
  }
  float host[NELEM];
  for (int i = 0; i < NELEM; i++) host[i] = seed + (float)i;
  be->htod(dev, x, host, sizeof host);
  be->memset8(dev, y, 0, NELEM * sizeof(float));
  int32_t n = N_USED;
  void *args[3] = {&x, &y, &n};
  uint32_t grid[3] = {G0, G1, 1};
  int bad = 0;
  if (be->launch(mod, grid, 1, SCRATCH, NULL, args, 3) != LIGER_OK) bad = -1;
  float out[NELEM];
  be->dtoh(dev, out, y, sizeof out);
  for (int i = 0; i < NELEM && bad >= 0; i++) {
    float want = i < N_USED ? expected(host, i) : 0.0f; /* past n: untouched */
    if (out[i] != want) bad++;
  }
  be->free(dev, x);
  be->free(dev, y);
  return bad;
}

static void *launch_thread(void *arg) {
  LaunchJob *job = arg;
  for (int r = 0; r < job->rounds; r++) {
    int bad = launch_and_check(job->be, job->dev, job->mod, (float)r);
    if (bad != 0) job->bad++;
  }
  return NULL;
}

static void test_backend(const char *obj_path) {
  const RtBackend *be = &rt_backend_cpu;
  RtDevice *dev = NULL;
  RtDeviceInfo info;

  setenv("LIGER_CPU_THREADS", "nonsense", 1);
  liger_status st = be->open(0, &dev, &info);
  CHECK(st == LIGER_ERR_INVALID_ARG && strstr(liger_last_error(), "LIGER_CPU_THREADS"),
        "bad LIGER_CPU_THREADS is refused: %s", liger_last_error());

  /* More threads than this machine's cores, so the pool really shares work. */
  setenv("LIGER_CPU_THREADS", "4", 1);
  st = be->open(0, &dev, &info);
  CHECK(st == LIGER_OK, "open cpu:0 (%s)", st ? liger_last_error() : info.name);
  if (st) return;
  CHECK(strcmp(info.target, "cpu") == 0 && info.warp_size == 1 && info.num_sms == 4 &&
            info.max_shared == (size_t)1 << 30 && info.name[0],
        "info: name \"%s\", target %s, warp %d, %d threads", info.name, info.target,
        info.warp_size, info.num_sms);

  void *p = NULL;
  st = be->alloc(dev, 100, &p);
  CHECK(st == LIGER_OK && p && (uintptr_t)p % 64 == 0, "alloc is 64-byte aligned");
  be->free(dev, p);

  size_t len = 0;
  char *obj = read_file(obj_path, &len);
  CHECK(obj != NULL, "read %s (%zu bytes)", obj_path, len);
  if (!obj) {
    be->close(dev);
    return;
  }

  RtModule *mod = NULL;
  st = be->load(dev, obj, len, "sample_kernel", &mod);
  CHECK(st == LIGER_OK, "load sample_kernel (expf and memset resolved from the process)%s%s",
        st ? ": " : "", st ? liger_last_error() : "");
  if (st == LIGER_OK) {
    int bad = launch_and_check(be, dev, mod, 1.0f);
    CHECK(bad == 0, "2-D grid %dx%d, n=%d: y = 2x + pid1, tail untouched (%d wrong)", G0, G1,
          N_USED, bad);

    uint32_t empty[3] = {G0, 0, 1};
    st = be->launch(mod, empty, 1, SCRATCH, NULL, NULL, 0);
    CHECK(st == LIGER_OK, "grid with 0 programs is a no-op");

    uint32_t huge[3] = {0x80000000u, 1, 1};
    st = be->launch(mod, huge, 1, 0, NULL, NULL, 0);
    CHECK(st == LIGER_ERR_INVALID_ARG, "grid dimension above INT32_MAX is refused: %s",
          liger_last_error());

    /* Two host threads launching the same module at once (pool serialises, scratch per
     * launch). */
    LaunchJob jobs[2] = {{be, dev, mod, 20, 0}, {be, dev, mod, 20, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, launch_thread, &jobs[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    CHECK(jobs[0].bad == 0 && jobs[1].bad == 0,
          "2 threads x 20 concurrent launches of one module all correct");
    be->unload(mod);
  }

  /* Error paths: these must return a status, never crash. */
  static const char garbage[] = "this is not an ELF object, just some bytes";
  mod = NULL;
  st = be->load(dev, garbage, sizeof garbage, "sample_kernel", &mod);
  CHECK(st != LIGER_OK && mod == NULL && liger_last_error()[0],
        "garbage image → %s: %s", liger_status_name(st), liger_last_error());

  st = be->load(dev, obj, len, "no_such_kernel", &mod);
  CHECK(st != LIGER_OK && mod == NULL && strstr(liger_last_error(), "no_such_kernel"),
        "unknown kernel name → %s: %s", liger_status_name(st), liger_last_error());

  st = be->load(dev, obj, len, "sample_kernel", &mod);
  CHECK(st == LIGER_OK, "the same object loads again after failures");
  if (st == LIGER_OK) be->unload(mod);

  free(obj);
  be->close(dev);
}

/* ---- the pool on its own ----------------------------------------------------------- */

enum { POOL_N = 100000, POOL_THREADS = 4, MAX_WORKERS = 64 };

typedef struct SumJob {
  int64_t partial[MAX_WORKERS]; /* one slot per worker: no atomics needed inside fn */
  _Atomic int bad_worker;
  _Atomic int64_t calls;
} SumJob;

static int pool_size_for_check;

static void sum_item(void *ctx, int64_t i, int worker) {
  SumJob *job = ctx;
  if (worker < 0 || worker >= pool_size_for_check) {
    atomic_store(&job->bad_worker, 1);
    return;
  }
  job->partial[worker] += i;
  atomic_fetch_add(&job->calls, 1);
}

static int64_t run_sum(RtPool *pool, SumJob *job, int *workers_used) {
  memset(job->partial, 0, sizeof job->partial);
  atomic_store(&job->bad_worker, 0);
  atomic_store(&job->calls, 0);
  rt_pool_run(pool, POOL_N, sum_item, job);
  int64_t total = 0;
  int used = 0;
  for (int w = 0; w < MAX_WORKERS; w++) {
    total += job->partial[w];
    used += job->partial[w] != 0;
  }
  if (workers_used) *workers_used = used;
  if (atomic_load(&job->bad_worker) || atomic_load(&job->calls) != POOL_N) return -1;
  return total;
}

typedef struct PoolThread {
  RtPool *pool;
  int rounds;
  int wrong;
} PoolThread;

static void *pool_thread(void *arg) {
  PoolThread *t = arg;
  SumJob *job = calloc(1, sizeof *job);
  if (!job) {
    t->wrong = t->rounds;
    return NULL;
  }
  for (int r = 0; r < t->rounds; r++)
    if (run_sum(t->pool, job, NULL) != (int64_t)POOL_N * (POOL_N - 1) / 2) t->wrong++;
  free(job);
  return NULL;
}

static void test_pool(void) {
  RtPool *pool = NULL;
  liger_status st = rt_pool_create(POOL_THREADS, &pool);
  CHECK(st == LIGER_OK && rt_pool_size(pool) == POOL_THREADS, "pool of %d threads (caller included)",
        POOL_THREADS);
  if (st) return;
  pool_size_for_check = rt_pool_size(pool);

  SumJob *job = calloc(1, sizeof *job);
  int used = 0;
  int64_t total = run_sum(pool, job, &used);
  CHECK(total == (int64_t)POOL_N * (POOL_N - 1) / 2,
        "sum over %d items = %lld, every item once, worker < size (%d threads took part)",
        POOL_N, (long long)total, used);
  free(job);

  PoolThread t[2] = {{pool, 50, 0}, {pool, 50, 0}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, pool_thread, &t[i]);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  CHECK(t[0].wrong == 0 && t[1].wrong == 0, "2 threads x 50 concurrent runs on one pool all correct");

  rt_pool_run(pool, 0, sum_item, NULL);
  CHECK(1, "run over 0 items returns at once");
  rt_pool_destroy(pool);

  st = rt_pool_create(1, &pool);
  CHECK(st == LIGER_OK && rt_pool_size(pool) == 1, "pool of 1 thread (the caller alone)");
  if (st == LIGER_OK) {
    pool_size_for_check = 1;
    job = calloc(1, sizeof *job);
    total = run_sum(pool, job, NULL);
    CHECK(total == (int64_t)POOL_N * (POOL_N - 1) / 2, "1-thread pool sums correctly");
    free(job);
    rt_pool_destroy(pool);
  }

  st = rt_pool_create(-1, &pool);
  CHECK(st == LIGER_ERR_INVALID_ARG, "negative thread count refused: %s", liger_last_error());
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <cpu_entry_sample.o>\n", argv[0]);
    return 1;
  }
  test_errors();
  test_pool();
  test_backend(argv[1]);
  if (failures) {
    printf("%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
