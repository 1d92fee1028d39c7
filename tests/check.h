/*
 * check.h — the one assertion the C tests share: CHECK(cond, fmt, ...) prints "ok:" or
 * "FAIL: file:line:" with the message and counts failures; check_summary() prints the
 * closing line and gives the exit status. The condition is evaluated once.
 */
#ifndef LIGER_TESTS_CHECK_H
#define LIGER_TESTS_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;

#define CHECK(cond, ...)                                  \
  do {                                                    \
    bool ok_ = (cond);                                    \
    if (ok_) printf("ok:   ");                            \
    else {                                                \
      printf("FAIL: %s:%d: ", __FILE__, __LINE__);        \
      failures++;                                         \
    }                                                     \
    printf(__VA_ARGS__);                                  \
    printf("\n");                                         \
  } while (0)

/* "all checks passed" or "N check(s) failed"; returns the exit status (0 or 1). */
static inline int check_summary(void) {
  if (failures) printf("%d check(s) failed\n", failures);
  else printf("all checks passed\n");
  return failures != 0;
}

/* The repository root: argv[1] if given, else $LIGER_SOURCE_DIR, else the LIGER_SOURCE_DIR
 * CMake compiled in, else ".". */
static inline const char *check_source_dir(int argc, char **argv) {
  if (argc > 1 && argv[1][0]) return argv[1];
  const char *env = getenv("LIGER_SOURCE_DIR");
  if (env && env[0]) return env;
#ifdef LIGER_SOURCE_DIR
  return LIGER_SOURCE_DIR;
#else
  return ".";
#endif
}

#endif
