/*
 * error.c — the per-thread "last error" behind every liger_status.
 *
 * Every layer (front end, codegen, linkers, device back ends) reports a failure by calling
 * rt_fail() and returning its status; the host reads the text with liger_last_error().
 * The text lives in a _Thread_local buffer so threads compiling or launching at once never
 * see each other's messages. Short messages use a static per-thread buffer; long ones
 * (linker and ptxas logs run to many KiB) move to a per-thread heap buffer, capped at
 * RT_ERR_MAX so a runaway log cannot eat memory — past the cap the text ends in
 * "[truncated]" rather than being cut silently.
 */
#include "runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  RT_ERR_STATIC = 4096,     /* bytes of the per-thread static buffer */
  RT_ERR_MAX = 64 * 1024,   /* largest message kept, terminator and marker included */
};

static const char rt_trunc_mark[] = "\n[truncated]";
static const char rt_oom_msg[] = "out of memory while recording an error message";

static _Thread_local char tl_static[RT_ERR_STATIC];
static _Thread_local char *tl_heap; /* non-NULL when the message outgrew tl_static */
static _Thread_local size_t tl_len; /* strlen of the current message */

/* A thread that exits with a heap message would leak it: a pthread key destructor frees it.
 * The key's value is the same pointer as tl_heap (the destructor cannot see TLS reliably). */
static pthread_key_t rt_err_key;
static pthread_once_t rt_err_once = PTHREAD_ONCE_INIT;
static int rt_err_key_ok;

static void rt_err_free_heap(void *p) { free(p); }

static void rt_err_key_init(void) {
  rt_err_key_ok = pthread_key_create(&rt_err_key, rt_err_free_heap) == 0;
}

static char *rt_err_buf(void) { return tl_heap ? tl_heap : tl_static; }

/* Makes `msg` (malloc'd, `len` bytes plus NUL) the thread's message, taking ownership. Short
 * messages are copied into the static buffer so the common case holds no heap memory. */
static void rt_err_install(char *msg, size_t len) {
  char *old = tl_heap;
  if (len < RT_ERR_STATIC) {
    memcpy(tl_static, msg, len + 1);
    free(msg);
    tl_heap = NULL;
  } else {
    tl_heap = msg;
  }
  tl_len = len;
  free(old);
  pthread_once(&rt_err_once, rt_err_key_init);
  if (rt_err_key_ok) pthread_setspecific(rt_err_key, tl_heap);
}

/* When allocation fails we still leave a true, if less specific, message behind. */
static void rt_err_install_oom(void) {
  free(tl_heap);
  tl_heap = NULL;
  memcpy(tl_static, rt_oom_msg, sizeof rt_oom_msg);
  tl_len = sizeof rt_oom_msg - 1;
  pthread_once(&rt_err_once, rt_err_key_init);
  if (rt_err_key_ok) pthread_setspecific(rt_err_key, NULL);
}

/* Clamps a message of `want` bytes to the cap: returns the bytes of text to keep and sets
 * *mark when the truncation marker must follow them. */
static size_t rt_err_clamp(size_t want, int *mark) {
  size_t room = RT_ERR_MAX - 1; /* minus the terminator */
  *mark = want > room;
  return *mark ? room - (sizeof rt_trunc_mark - 1) : want;
}

liger_status rt_vfail(liger_status st, const char *fmt, va_list ap) {
  /* Format into a fresh buffer: the arguments may point into the current message (e.g.
   * rt_fail(st, "%s: while loading", liger_last_error())). */
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0) {
    va_end(ap2);
    static const char bad[] = "(error message could not be formatted)";
    char *m = malloc(sizeof bad);
    if (!m) {
      rt_err_install_oom();
    } else {
      memcpy(m, bad, sizeof bad);
      rt_err_install(m, sizeof bad - 1);
    }
    return st;
  }
  int mark;
  size_t keep = rt_err_clamp((size_t)n, &mark);
  size_t total = keep + (mark ? sizeof rt_trunc_mark - 1 : 0);
  /* vsnprintf needs room for the whole text to fill `keep` bytes only when not truncating;
   * when truncating it writes the first `keep` bytes and stops. */
  char *m = malloc(total + 1);
  if (!m) {
    va_end(ap2);
    rt_err_install_oom();
    return st;
  }
  vsnprintf(m, keep + 1, fmt, ap2);
  va_end(ap2);
  if (mark) memcpy(m + keep, rt_trunc_mark, sizeof rt_trunc_mark);
  rt_err_install(m, total);
  return st;
}

liger_status rt_fail(liger_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rt_vfail(st, fmt, ap);
  va_end(ap);
  return st;
}

void rt_fail_append(const char *text) {
  if (!text || !*text) return;
  const char *cur = rt_err_buf();
  size_t cur_len = tl_len;
  /* Already at the cap: the marker is there, adding more would only hide it. */
  if (cur_len >= RT_ERR_MAX - 1 - (sizeof rt_trunc_mark - 1)) return;
  size_t add = strlen(text);
  int mark;
  size_t keep = rt_err_clamp(cur_len + add, &mark);
  size_t total = keep + (mark ? sizeof rt_trunc_mark - 1 : 0);
  char *m = malloc(total + 1);
  if (!m) {
    rt_err_install_oom();
    return;
  }
  /* `text` may itself point into the current message, so copy before installing. */
  memcpy(m, cur, cur_len);
  memcpy(m + cur_len, text, keep - cur_len);
  if (mark)
    memcpy(m + keep, rt_trunc_mark, sizeof rt_trunc_mark);
  else
    m[keep] = '\0';
  rt_err_install(m, total);
}

const char *liger_last_error(void) { return rt_err_buf(); }

const char *liger_status_name(liger_status status) {
  switch (status) {
  case LIGER_OK: return "LIGER_OK";
  case LIGER_ERR_INVALID_ARG: return "LIGER_ERR_INVALID_ARG";
  case LIGER_ERR_NO_DEVICE: return "LIGER_ERR_NO_DEVICE";
  case LIGER_ERR_COMPILE: return "LIGER_ERR_COMPILE";
  case LIGER_ERR_UNSUPPORTED: return "LIGER_ERR_UNSUPPORTED";
  case LIGER_ERR_IO: return "LIGER_ERR_IO";
  case LIGER_ERR_DRIVER: return "LIGER_ERR_DRIVER";
  case LIGER_ERR_OUT_OF_MEMORY: return "LIGER_ERR_OUT_OF_MEMORY";
  case LIGER_ERR_INTERNAL: return "LIGER_ERR_INTERNAL";
  case LIGER_ERR_ASSERT: return "LIGER_ERR_ASSERT";
  }
  return "LIGER_ERR_UNKNOWN";
}
