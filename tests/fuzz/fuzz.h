/*
 * fuzz.h — the front-end fuzz target (fuzz_frontend.c) as seen by its two drivers:
 * libFuzzer (fuzz_frontend, clang only) and the portable mutation driver (fuzz_main.c,
 * fuzz_frontend_smoke, any compiler).
 */
#ifndef LIGER_FUZZ_H
#define LIGER_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Inputs longer than this are ignored (kernel files are a few KiB). */
#define FUZZ_MAX_INPUT (64 * 1024)

/* The libFuzzer entry point: one input = one kernel source file. Always returns 0; a bug
 * shows as a sanitizer report, or (LIGER_FUZZ_STRICT=1) an abort on an internal error. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the target has seen since the process started (for the portable driver's summary). */
typedef struct FuzzStats {
  long inputs;          /* inputs run */
  long parsed;          /* inputs parse_module accepted */
  long kernels;         /* sema_build calls */
  long built;           /* sema_build calls that returned IR (then printed and verified) */
  long internal_errors; /* inputs with an "internal error" diagnostic: a front-end bug */
} FuzzStats;
const FuzzStats *fuzz_stats(void);

/* The diagnostics of the last input that produced an internal error (NULL if none). */
const char *fuzz_last_internal_error(void);

#endif /* LIGER_FUZZ_H */
