/*
 * pool.c — the host thread pool that runs a CPU grid (dev_cpu.c's launch).
 *
 * A CPU "launch" is grid[0]*grid[1]*grid[2] independent programs. The pool keeps
 * nthreads-1 workers asleep on a condition variable; rt_pool_run publishes one job, wakes
 * them, and works on it itself as worker 0. Items are handed out in chunks from one atomic
 * counter (dynamic scheduling), because programs of one grid can differ a lot in cost
 * (masked tails, causal attention) and a static split would wait on the slowest thread.
 *
 *   caller (worker 0) ─┐                     ┌─ fetch_add(next, chunk) → [i, i+chunk)
 *   worker 1 ──────────┼── job {fn, ctx, n} ─┤
 *   worker k ──────────┘                     └─ until next >= n; last one out signals `done`
 *
 * One job runs at a time: callers from several threads queue on `run_lock`.
 */
#include "runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { RT_POOL_MAX_THREADS = 1024 };

struct RtPool {
  int nthreads;          /* threads that run items, the caller included */
  pthread_t *threads;    /* the nthreads-1 workers */
  int started;           /* workers actually created (for destroy after a partial create) */
  pthread_mutex_t run_lock; /* serialises rt_pool_run callers */
  pthread_mutex_t mu;    /* guards everything below except `next` */
  pthread_cond_t wake;   /* workers wait here for a new generation or stop */
  pthread_cond_t done;   /* the caller waits here for busy == 0 */
  uint64_t generation;   /* bumped once per job; a worker runs each generation once */
  int stop;
  int busy;              /* workers that have not finished the current job */
  /* the current job: written under mu before the generation bump, read after it */
  void (*fn)(void *ctx, int64_t i, int worker);
  void *ctx;
  int64_t n;
  int64_t chunk;
  _Atomic int64_t next;  /* first item not yet handed out */
};

typedef struct RtWorkerArg {
  RtPool *pool;
  int index;
} RtWorkerArg;

static void rt_pool_work(RtPool *p, int worker) {
  for (;;) {
    int64_t begin = atomic_fetch_add_explicit(&p->next, p->chunk, memory_order_relaxed);
    if (begin >= p->n) return;
    int64_t end = begin + p->chunk < p->n ? begin + p->chunk : p->n;
    for (int64_t i = begin; i < end; i++) p->fn(p->ctx, i, worker);
  }
}

static void *rt_pool_main(void *arg) {
  RtWorkerArg wa = *(RtWorkerArg *)arg;
  free(arg);
  RtPool *p = wa.pool;
  uint64_t seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->stop && p->generation == seen) pthread_cond_wait(&p->wake, &p->mu);
    if (p->stop) break;
    seen = p->generation;
    pthread_mutex_unlock(&p->mu);
    rt_pool_work(p, wa.index);
    pthread_mutex_lock(&p->mu);
    if (--p->busy == 0) pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

static int rt_online_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) return 1;
  return n > RT_POOL_MAX_THREADS ? RT_POOL_MAX_THREADS : (int)n;
}

liger_status rt_pool_create(int nthreads, RtPool **out) {
  if (!out) return rt_fail(LIGER_ERR_INVALID_ARG, "rt_pool_create: NULL output");
  *out = NULL;
  if (nthreads < 0 || nthreads > RT_POOL_MAX_THREADS)
    return rt_fail(LIGER_ERR_INVALID_ARG, "rt_pool_create: %d threads (allowed 0..%d)", nthreads,
                   RT_POOL_MAX_THREADS);
  if (nthreads == 0) nthreads = rt_online_cpus();

  RtPool *p = calloc(1, sizeof *p);
  if (!p) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "rt_pool_create: pool struct");
  p->nthreads = nthreads;
  atomic_init(&p->next, 0);
  if (nthreads > 1) {
    p->threads = calloc((size_t)nthreads - 1, sizeof *p->threads);
    if (!p->threads) {
      free(p);
      return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "rt_pool_create: %d thread handles", nthreads - 1);
    }
  }
  pthread_mutex_init(&p->run_lock, NULL);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->done, NULL);

  for (int w = 1; w < nthreads; w++) {
    RtWorkerArg *wa = malloc(sizeof *wa);
    int err = wa ? 0 : ENOMEM;
    if (wa) {
      wa->pool = p;
      wa->index = w;
      err = pthread_create(&p->threads[w - 1], NULL, rt_pool_main, wa);
      if (err) free(wa);
    }
    if (err) {
      rt_pool_destroy(p);
      return rt_fail(err == ENOMEM ? LIGER_ERR_OUT_OF_MEMORY : LIGER_ERR_INTERNAL,
                     "rt_pool_create: starting worker %d of %d: %s", w, nthreads - 1,
                     strerror(err));
    }
    p->started++;
  }
  *out = p;
  return LIGER_OK;
}

void rt_pool_destroy(RtPool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->stop = 1;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->started; i++) pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->done);
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->mu);
  pthread_mutex_destroy(&p->run_lock);
  free(p->threads);
  free(p);
}

int rt_pool_size(const RtPool *p) { return p ? p->nthreads : 0; }

void rt_pool_run(RtPool *p, int64_t n, void (*fn)(void *ctx, int64_t i, int worker), void *ctx) {
  if (!p || !fn || n <= 0) return;
  pthread_mutex_lock(&p->run_lock);
  if (p->nthreads == 1 || n == 1) {
    /* Nothing to share: waking the workers would cost more than the item. */
    for (int64_t i = 0; i < n; i++) fn(ctx, i, 0);
    pthread_mutex_unlock(&p->run_lock);
    return;
  }
  /* About 8 chunks per thread: few enough that the counter is not contended, enough that a
   * slow chunk at the end does not leave the other threads idle for long. */
  int64_t chunk = n / ((int64_t)p->nthreads * 8);
  if (chunk < 1) chunk = 1;

  pthread_mutex_lock(&p->mu);
  p->fn = fn;
  p->ctx = ctx;
  p->n = n;
  p->chunk = chunk;
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  p->busy = p->started;
  p->generation++;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);

  rt_pool_work(p, 0);

  pthread_mutex_lock(&p->mu);
  while (p->busy > 0) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
  pthread_mutex_unlock(&p->run_lock);
}
