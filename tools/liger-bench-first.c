/*
 * liger-bench-first.c — `liger-bench --first-calls` and `liger-bench --prewarm`: what a
 * carried cache (liger-tune prewarm on a CI machine, docs/cache.md) or a bundle
 * (docs/bundle.md) saves on the first call of every op, measured on the device.
 *
 *   --first-calls  for each line of a shapes file (one op at one shape and dtype; default
 *                  the anchors.md set, tests/data/prewarm_anchors.shapes), three new
 *                  processes: with an empty cache (cold: every variant compiled), with the
 *                  cache in --warm-cache DIR, and with --bundle FILE loaded over an empty
 *                  cache. Each opens the device first (timed apart), then makes the op's
 *                  first calls: its forward and backward over every kernel-changing option,
 *                  exactly the calls of one liger-tune prewarm unit (autotune/prewarm.c).
 *                  Exit status 1 when a warm or bundle run compiled anything or failed.
 *   --prewarm      liger-tune prewarm on the device of this (shared-library) build: the whole
 *                  suite (or --ops, --shapes) in this process, the binary cache as the
 *                  environment says; the summary table, exit status 1 if anything was
 *                  compiled (--allow-compile: only failures count). The GPU machine carries
 *                  this program and the library, not liger-tune, which links LLVM statically.
 *
 * Uses the public API and autotune/prewarm.c (which uses only the public API).
 */
#include "liger/liger.h"

#include "../autotune/prewarm.h"
#include "bench.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int bench_first_main(int argc, char **argv);

typedef struct FirstRun {
  double open_ms, calls_ms; /* device open; the op's calls, to the last synchronisation */
  int calls, failures;
  unsigned long long compiled, hits; /* binary-cache misses and disk hits (bundle hits: neither) */
  bool ok;                            /* the child ran and reported */
} FirstRun;

static const char *device = "cuda";

/* In a new process: the environment as given, the device opened, then the unit's calls. */
static FirstRun first_run(const PrewarmShape *s, const char *cache_dir, const char *bundle) {
  FirstRun r = {0};
  int fds[2];
  if (pipe(fds)) return r;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    setenv("LIGER_CACHE", "on", 1);
    setenv("LIGER_CACHE_DIR", cache_dir, 1);
    if (bundle) setenv("LIGER_BUNDLE", bundle, 1);
    else unsetenv("LIGER_BUNDLE");
    FirstRun c = {0};
    double t0 = now_ms();
    liger_context *ctx; /* held open so that prewarm_run's own context finds the device up */
    if (liger_context_create(device, &ctx) != LIGER_OK) {
      fprintf(stderr, "liger-bench: %s\n", liger_last_error());
      _exit(1);
    }
    liger_synchronize(ctx, NULL);
    double t1 = now_ms();
    PrewarmOptions o = {.ops = s->op, .shapes = s, .nshapes = 1, .jobs = 1};
    PrewarmResult pr;
    liger_status st = prewarm_run(device, &o, &pr);
    double t2 = now_ms();
    if (st != LIGER_OK) {
      fprintf(stderr, "liger-bench: %s\n", liger_last_error());
      _exit(1);
    }
    for (int i = 0; i < pr.nfailures; i++) fprintf(stderr, "liger-bench: FAILED %s\n", pr.failures[i]);
    c = (FirstRun){.open_ms = t1 - t0, .calls_ms = t2 - t1, .calls = pr.calls, .failures = pr.nfailures,
                   .compiled = (unsigned long long)pr.compiled, .hits = (unsigned long long)pr.hits, .ok = true};
    prewarm_result_free(&pr);
    liger_context_destroy(ctx);
    ssize_t w = write(fds[1], &c, sizeof c);
    _exit(w == (ssize_t)sizeof c ? 0 : 1);
  }
  close(fds[1]);
  if (pid > 0 && read(fds[0], &r, sizeof r) != (ssize_t)sizeof r) r.ok = false;
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status)) r.ok = false;
  return r;
}

static void dims_of(const PrewarmShape *s, char *out, size_t n) {
  size_t k = 0;
  out[0] = 0;
  for (int i = 0; i < s->nd && k < n; i++) k += (size_t)snprintf(out + k, n - k, "%s%lld", i ? "x" : "", (long long)s->d[i]);
}

static const char *dtypes_of(unsigned m) {
  static const char *const names[] = {"-", "fp32", "bf16", "fp32+bf16", "fp16", "fp32+fp16", "bf16+fp16", "all"};
  return names[m & 7];
}

/* "123.4 (c 17)" or "FAILED" into a column */
static void cell(const FirstRun *r, char *out, size_t n) {
  if (!r->ok) snprintf(out, n, "FAILED");
  else snprintf(out, n, "%.1f (%llu built)", r->calls_ms, r->compiled);
}

static void json_run(FILE *js, const char *name, const FirstRun *r) {
  fprintf(js, "\"%s\": {\"ok\": %s, \"open_ms\": %.3f, \"first_calls_ms\": %.3f, \"compiled\": %llu, \"disk_hits\": %llu, \"failures\": %d}",
          name, r->ok ? "true" : "false", r->open_ms, r->calls_ms, r->compiled, r->hits, r->failures);
}

static int first_calls(const char *shapes_path, const char *only, const char *warm, const char *bundle, const char *json) {
  PrewarmShape *shapes = NULL;
  int n = 0;
  if (prewarm_read_shapes(shapes_path, &shapes, &n) != LIGER_OK) {
    fprintf(stderr, "liger-bench: %s\n", liger_last_error());
    return 1;
  }
  FILE *js = json ? fopen(json, "w") : NULL;
  if (json && !js) {
    perror(json);
    free(shapes);
    return 1;
  }
  printf("liger-bench --first-calls %s on %s: the first calls of each op in a new process (ms; 'built' =\n"
         "variants compiled), after the device is open; cold = empty cache%s%s%s%s\n\n",
         liger_version(), device, warm ? ", warm = cache " : "", warm ? warm : "", bundle ? ", bundle = " : "",
         bundle ? bundle : "");
  printf("| %-13s | %-18s | %-9s | %5s | %9s | %-20s | %-20s | %-20s |\n", "op", "shape", "dtype", "calls", "open ms",
         "cold", "warm cache", "bundle");
  printf("|%s|%s|%s|%s|%s|%s|%s|%s|\n", "---------------", "--------------------", "-----------", "-------",
         "-----------", "----------------------", "----------------------", "----------------------");
  if (js) fprintf(js, "{\n  \"device\": \"%s\",\n  \"version\": \"%s\",\n  \"ops\": [", device, liger_version());
  int bad = 0, shown = 0;
  for (int i = 0; i < n; i++) {
    const PrewarmShape *s = &shapes[i];
    if (only && !strstr(only, s->op)) continue;
    char empty[] = "/tmp/liger-first-XXXXXX";
    if (!mkdtemp(empty)) {
      perror("mkdtemp");
      bad++;
      break;
    }
    FirstRun cold = first_run(s, empty, NULL);
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf %s", empty);
    if (system(rm)) fprintf(stderr, "liger-bench: could not remove %s\n", empty);
    FirstRun hot = {0}, bun = {0};
    if (warm) hot = first_run(s, warm, NULL);
    memcpy(empty + strlen(empty) - 6, "XXXXXX", 6); /* a new template: mkdtemp filled it in */
    if (bundle && mkdtemp(empty)) {
      bun = first_run(s, empty, bundle);
      snprintf(rm, sizeof rm, "rm -rf %s", empty);
      if (system(rm)) fprintf(stderr, "liger-bench: could not remove %s\n", empty);
    }
    bad += !cold.ok || (warm && (!hot.ok || hot.compiled || hot.failures)) || (bundle && (!bun.ok || bun.compiled || bun.failures));
    char dims[96], c0[40], c1[40] = "-", c2[40] = "-";
    dims_of(s, dims, sizeof dims);
    cell(&cold, c0, sizeof c0);
    if (warm) cell(&hot, c1, sizeof c1);
    if (bundle) cell(&bun, c2, sizeof c2);
    printf("| %-13s | %-18s | %-9s | %5d | %9.1f | %-20s | %-20s | %-20s |\n", s->op, dims, dtypes_of(s->dtypes), cold.calls,
           cold.open_ms, c0, c1, c2);
    fflush(stdout);
    if (js) {
      fprintf(js, "%s\n    {\"op\": \"%s\", \"shape\": \"%s\", \"dtypes\": \"%s\", \"calls\": %d, ", shown ? "," : "", s->op, dims,
              dtypes_of(s->dtypes), cold.calls);
      json_run(js, "cold", &cold);
      if (warm) fprintf(js, ", "), json_run(js, "warm_cache", &hot);
      if (bundle) fprintf(js, ", "), json_run(js, "bundle", &bun);
      fprintf(js, "}");
    }
    shown++;
  }
  if (js) {
    fprintf(js, "\n  ],\n  \"bad\": %d\n}\n", bad);
    fclose(js);
  }
  free(shapes);
  printf("\n%d ops; %s\n", shown,
         bad ? "NOT every warm/bundle first call was served without compiling (or a run failed)"
             : "every warm-cache and bundle first call was served without compiling");
  return bad ? 1 : 0;
}

static int prewarm_here(const char *ops, const char *shapes_path, bool allow_compile) {
  PrewarmShape *shapes = NULL;
  int n = 0;
  if (shapes_path && prewarm_read_shapes(shapes_path, &shapes, &n) != LIGER_OK) {
    fprintf(stderr, "liger-bench: %s\n", liger_last_error());
    return 1;
  }
  if (prewarm_check_ops(ops) != LIGER_OK) {
    free(shapes);
    return 2;
  }
  PrewarmOptions o = {.ops = ops, .shapes = shapes, .nshapes = n};
  PrewarmResult r;
  liger_status st = prewarm_run(device, &o, &r);
  free(shapes);
  if (st != LIGER_OK) {
    fprintf(stderr, "liger-bench: %s\n", liger_last_error());
    return 1;
  }
  liger_cache_info ci;
  liger_cache_query(&ci);
  printf("%-8s %5s %6s %9s %10s %9s %9s\n", "TARGET", "UNITS", "CALLS", "COMPILED", "CACHE_HITS", "FAILURES", "SECONDS");
  printf("%-8s %5d %6d %9llu %10llu %9d %9.1f\n", device, r.units, r.calls, (unsigned long long)r.compiled,
         (unsigned long long)r.hits, r.nfailures, r.seconds);
  printf("cache %s: %llu entries, %llu bytes\n", ci.dir, (unsigned long long)ci.entries, (unsigned long long)ci.bytes);
  for (int i = 0; i < r.nfailures; i++) fprintf(stderr, "liger-bench: FAILED %s\n", r.failures[i]);
  int rc = r.nfailures || (!allow_compile && r.compiled) ? 1 : 0;
  if (!allow_compile && r.compiled) fprintf(stderr, "liger-bench: %llu variants were compiled: the cache was not complete\n", (unsigned long long)r.compiled);
  prewarm_result_free(&r);
  return rc;
}

int bench_first_main(int argc, char **argv) {
  const char *shapes = NULL, *ops = "all", *warm = NULL, *bundle = NULL, *json = NULL;
  bool first = false, pre = false, allow = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--first-calls")) first = true;
    else if (!strcmp(a, "--prewarm")) pre = true;
    else if (!strcmp(a, "--allow-compile")) allow = true;
    else if (!strcmp(a, "--device") && i + 1 < argc) device = argv[++i];
    else if (!strcmp(a, "--shapes") && i + 1 < argc) shapes = argv[++i];
    else if (!strcmp(a, "--ops") && i + 1 < argc) ops = argv[++i];
    else if (!strcmp(a, "--warm-cache") && i + 1 < argc) warm = argv[++i];
    else if (!strcmp(a, "--bundle") && i + 1 < argc) bundle = argv[++i];
    else if (!strcmp(a, "--json") && i + 1 < argc) json = argv[++i];
    else {
      fprintf(stderr, "usage: liger-bench --first-calls --shapes FILE [--device D] [--ops LIST] [--warm-cache DIR] [--bundle FILE] [--json FILE]\n"
                      "       liger-bench --prewarm [--device D] [--ops LIST] [--shapes FILE] [--allow-compile]\n");
      return 2;
    }
  }
  if (pre) return prewarm_here(ops, shapes, allow);
  if (!first || !shapes) {
    fprintf(stderr, "liger-bench --first-calls needs --shapes FILE (e.g. tests/data/prewarm_anchors.shapes)\n");
    return 2;
  }
  return first_calls(shapes, strcmp(ops, "all") ? ops : NULL, warm, bundle, json);
}
