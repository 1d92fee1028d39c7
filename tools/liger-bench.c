/*
 * liger-bench — measurements of the compiler and runtime through the public API:
 *   compile: time to the first launchable kernel in a cold process (cache off), a second
 *            compile in a warm process, and a fresh process that finds the binary in the
 *            on-disk cache;
 *   launch:  host time per liger_launch of a tiny kernel (queued without waiting, and with
 *            a synchronisation after each).
 * Each figure is the median of several runs. A plain table on stdout; --json FILE also
 * writes the numbers as JSON.
 *
 *   liger-bench [--device cpu|cuda|auto] [--json out.json] [--reps N]
 *   liger-bench --ops ...   the Liger ops and the copy bandwidth instead (liger-bench-ops.c)
 */
#include "liger/liger.h"

#include "bench.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *src_dir = LIGER_SOURCE_DIR;
static const char *device = "auto";

typedef struct Case {
  const char *name, *file, *kernel;
  int nargs;
} Case;

static const Case cases[] = {
    {"add", "kernels/examples/add.py", "add_kernel", 4},
    {"softmax", "kernels/examples/softmax.py", "softmax_kernel", 5},
};

/* Loads and compiles one case with BLOCK=block on `ctx`; returns ms, or -1. */
static double compile_once(liger_context *ctx, const Case *c, const char *block) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", src_dir, c->file);
  liger_constexpr k = {"BLOCK", block};
  double t0 = now_ms();
  liger_kernel *kern;
  if (liger_kernel_load(ctx, path, c->kernel, &k, 1, 0, &kern) != LIGER_OK) return -1;
  liger_arg a[5];
  for (int i = 0; i < c->nargs; i++) a[i] = liger_arg_int(1000 + 16 * i);
  a[0] = liger_arg_ptr((void *)(uintptr_t)4096, LIGER_F32);
  a[1] = liger_arg_ptr((void *)(uintptr_t)8192, LIGER_F32);
  if (!strcmp(c->name, "add")) a[2] = liger_arg_ptr((void *)(uintptr_t)12288, LIGER_F32);
  liger_status st = liger_kernel_compile(kern, a, c->nargs);
  double ms = now_ms() - t0;
  liger_kernel_release(kern);
  if (st != LIGER_OK) {
    fprintf(stderr, "compile %s: %s\n", c->name, liger_last_error());
    return -1;
  }
  return ms;
}

/* Child mode: open the device, compile one case, print "<ms since exec>" on stdout. */
static int child(const char *which, const char *block, double t_exec) {
  liger_context *ctx;
  if (liger_context_create(device, &ctx) != LIGER_OK) return 1;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (!strcmp(cases[i].name, which)) {
      double ms = compile_once(ctx, &cases[i], block);
      (void)t_exec;
      printf("%.3f\n", ms);
      fflush(stdout);
      liger_context_destroy(ctx);
      return ms < 0;
    }
  return 1;
}

/* Runs this program as a child that compiles one case. Returns the child's wall time in ms
 * from fork to exit (process start, library load, device open and compilation), and in
 * *first the time the child itself measured from liger_kernel_load to a launchable kernel. */
static double spawn(const char *self, const char *which, const char *block, bool cache, const char *cache_dir,
                    double *first) {
  int fds[2];
  if (pipe(fds)) return -1;
  fflush(stdout); /* or the child would print our buffered lines again */
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid == 0) {
    setenv("LIGER_CACHE", cache ? "on" : "off", 1);
    if (cache_dir) setenv("LIGER_CACHE_DIR", cache_dir, 1);
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl(self, self, "--child", which, block, "--device", device, "--src", src_dir, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  char buf[64] = {0};
  ssize_t n = read(fds[0], buf, sizeof buf - 1);
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  double total = now_ms() - t0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) || n <= 0) return -1;
  *first = atof(buf);
  return total;
}

int bench_ops_main(int argc, char **argv, const char *self); /* liger-bench-ops.c */
int bench_first_main(int argc, char **argv);                 /* liger-bench-first.c */

int main(int argc, char **argv) {
  const char *json = NULL;
  int reps = 5;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--ops")) { /* the Liger ops instead (liger-bench-ops.c) */
      char exe[4096];
      ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
      if (len <= 0) return 1;
      exe[len] = 0;
      return bench_ops_main(argc, argv, exe);
    } else if (!strcmp(argv[i], "--first-calls") || !strcmp(argv[i], "--prewarm")) {
      return bench_first_main(argc, argv); /* carried caches and bundles (liger-bench-first.c) */
    }
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
    else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--src") && i + 1 < argc) src_dir = argv[++i];
    else if (!strcmp(argv[i], "--child") && i + 2 < argc) {
      for (int j = i + 3; j + 1 < argc; j++) {
        if (!strcmp(argv[j], "--device")) device = argv[j + 1];
        if (!strcmp(argv[j], "--src")) src_dir = argv[j + 1];
      }
      return child(argv[i + 1], argv[i + 2], now_ms());
    } else {
      fprintf(stderr, "usage: liger-bench [--device D] [--json FILE] [--reps N]\n       liger-bench --ops [--device D] [--json FILE] [--reps N] [--quick] [--configs \"CFG;CFG\"]\n"
                      "       liger-bench --first-calls --shapes FILE [--warm-cache DIR] [--bundle FILE] [--json FILE]\n"
                      "       liger-bench --prewarm [--ops LIST] [--shapes FILE] [--allow-compile]\n");
      return 2;
    }
  }
  if (reps < 1) reps = 1;
  const char *env = getenv("LIGER_SOURCE_DIR");
  if (env) src_dir = env;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 1;
  self[n] = 0;
  liger_context *ctx;
  if (liger_context_create(device, &ctx) != LIGER_OK) {
    fprintf(stderr, "liger-bench: %s\n", liger_last_error());
    return 1;
  }
  printf("liger-bench %s on %s\n\n", liger_version(), liger_context_device(ctx));
  FILE *js = json ? fopen(json, "w") : NULL;
  if (js) fprintf(js, "{\n  \"device\": \"%s\",\n  \"compile\": [\n", liger_context_device(ctx));

  char cache_dir[] = "/tmp/liger-bench-cache-XXXXXX";
  if (!mkdtemp(cache_dir)) return 1;
  printf("Times in ms, median of %d. 'process' = fork to exit (start-up, device open, first compile);\n"
         "'first call' = liger_kernel_load to a launchable kernel inside that process.\n\n", reps);
  printf("| kernel   | cold: process | cold: first call | warm process: compile | cache hit: process | cache hit: first call |\n");
  printf("|----------|---------------|------------------|-----------------------|--------------------|-----------------------|\n");
  setenv("LIGER_CACHE", "off", 1);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    double *cold = calloc((size_t)reps, sizeof(double)), *warm = calloc((size_t)reps, sizeof(double)),
           *hit = calloc((size_t)reps, sizeof(double)), *cold1 = calloc((size_t)reps, sizeof(double)),
           *hit1 = calloc((size_t)reps, sizeof(double)), ignore;
    for (int r = 0; r < reps; r++) {
      cold[r] = spawn(self, cases[c].name, "1024", false, NULL, &cold1[r]);
      char block[16];
      snprintf(block, sizeof block, "%d", 64 << (r % 4)); /* a new variant each time */
      warm[r] = compile_once(ctx, &cases[c], block);
    }
    spawn(self, cases[c].name, "512", true, cache_dir, &ignore); /* fill the cache */
    for (int r = 0; r < reps; r++) hit[r] = spawn(self, cases[c].name, "512", true, cache_dir, &hit1[r]);
    double mc = median(cold, reps), mc1 = median(cold1, reps), mw = median(warm, reps), mh = median(hit, reps),
           mh1 = median(hit1, reps);
    printf("| %-8s | %13.1f | %16.1f | %21.1f | %18.1f | %21.2f |\n", cases[c].name, mc, mc1, mw, mh, mh1);
    if (js)
      fprintf(js,
              "    {\"kernel\": \"%s\", \"cold_process_ms\": %.3f, \"cold_first_call_ms\": %.3f, \"warm_compile_ms\": %.3f, "
              "\"cache_hit_process_ms\": %.3f, \"cache_hit_first_call_ms\": %.3f}%s\n",
              cases[c].name, mc, mc1, mw, mh, mh1, c + 1 < sizeof cases / sizeof cases[0] ? "," : "");
    free(cold);
    free(cold1);
    free(warm);
    free(hit);
    free(hit1);
  }
  unsetenv("LIGER_CACHE");
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
  if (system(cmd)) fprintf(stderr, "could not remove %s\n", cache_dir);

  /* launch overhead: add over 1 element, grid 1 */
  char path[4096];
  snprintf(path, sizeof path, "%s/kernels/examples/add.py", src_dir);
  liger_constexpr k = {"BLOCK", "128"};
  liger_kernel *kern;
  void *buf;
  double q = -1, s = -1;
  if (liger_kernel_load(ctx, path, "add_kernel", &k, 1, 0, &kern) == LIGER_OK && liger_malloc(ctx, 4096, &buf) == LIGER_OK) {
    liger_arg a[4] = {liger_arg_ptr(buf, LIGER_F32), liger_arg_ptr(buf, LIGER_F32), liger_arg_ptr(buf, LIGER_F32), liger_arg_int(1)};
    uint32_t grid[3] = {1, 1, 1};
    if (liger_launch(kern, grid, NULL, a, 4) != LIGER_OK || liger_synchronize(ctx, NULL) != LIGER_OK) {
      fprintf(stderr, "liger-bench: launch failed: %s\n", liger_last_error());
      return 1;
    }
    enum { N = 2000 };
    double per[7];
    for (int r = 0; r < 7; r++) {
      double t0 = now_ms();
      for (int i = 0; i < N; i++) liger_launch(kern, grid, NULL, a, 4);
      per[r] = (now_ms() - t0) * 1000.0 / N;
      liger_synchronize(ctx, NULL);
    }
    q = median(per, 7);
    for (int r = 0; r < 7; r++) {
      double t0 = now_ms();
      for (int i = 0; i < N / 10; i++) {
        liger_launch(kern, grid, NULL, a, 4);
        liger_synchronize(ctx, NULL);
      }
      per[r] = (now_ms() - t0) * 1000.0 / (N / 10);
    }
    s = median(per, 7);
    liger_free(ctx, buf);
    liger_kernel_release(kern);
  }
  printf("\nlaunch overhead (add, 1 element, grid 1): %.2f us per liger_launch queued, %.2f us launch+synchronize\n", q, s);
  if (js) {
    fprintf(js, "  ],\n  \"launch_us\": %.3f,\n  \"launch_sync_us\": %.3f\n}\n", q, s);
    fclose(js);
  }
  liger_context_destroy(ctx);
  return 0;
}
