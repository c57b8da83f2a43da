#define _GNU_SOURCE
/* A small persistent thread pool with deterministic partitioning.
 *
 * Work is split by the caller into parts of logical element indices, so the
 * output never depends on which thread runs which part.  One job at a time:
 * a caller that finds the pool busy (another Python thread filling) runs its
 * parts itself.  After fork() the child starts with no pool threads and
 * creates them again on first use. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "wcinit.h"

#define WC_MAX_THREADS 256

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;   /* one job at a time */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER; /* below */
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;

static int pool_size;          /* worker threads alive (not counting callers) */
static unsigned long job_gen;  /* incremented for each job */
static void (*job_fn)(void *, int);
static void *job_ctx;
static int job_parts;
static int job_next;           /* next part to hand out */
static int job_pending;        /* parts not finished */
static int want_threads = -1;  /* set_num_threads; -1: not yet decided */
static int atfork_done;

int wc_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#if defined(__linux__) && defined(_GNU_SOURCE)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
#endif
    return n < 1 ? 1 : (int)(n > WC_MAX_THREADS ? WC_MAX_THREADS : n);
}

int wc_num_threads(void)
{
    pthread_mutex_lock(&state_lock);
    if (want_threads < 0) {
        /* a whole number >= 1 (strtol's syntax, nothing after it), else ignored:
         * wcinit/_env.py applies the same rule and warns */
        const char *env = getenv("WCINIT_NUM_THREADS");
        char *end = NULL;
        long n = env ? strtol(env, &end, 10) : 0;
        if (env == NULL || end == env || *end != '\0')
            n = 0;
        want_threads = n >= 1 ? (n > WC_MAX_THREADS ? WC_MAX_THREADS : (int)n) : wc_cpu_count();
    }
    int n = want_threads;
    pthread_mutex_unlock(&state_lock);
    return n;
}

void wc_set_num_threads(int n)
{
    if (n < 1)
        n = 1;
    if (n > WC_MAX_THREADS)
        n = WC_MAX_THREADS;
    pthread_mutex_lock(&state_lock);
    want_threads = n;
    pthread_mutex_unlock(&state_lock);
}

/* Take parts until none are left; called with state_lock held. */
static void run_parts_locked(void)
{
    while (job_next < job_parts) {
        int part = job_next++;
        void (*fn)(void *, int) = job_fn;
        void *ctx = job_ctx;
        pthread_mutex_unlock(&state_lock);
        fn(ctx, part);
        pthread_mutex_lock(&state_lock);
        if (--job_pending == 0)
            pthread_cond_broadcast(&done_cv);
    }
}

static void *worker(void *arg)
{
    /* the generation current when this worker was created: a job posted
     * while it was starting up is still seen as new */
    unsigned long seen = (unsigned long)(uintptr_t)arg;
    pthread_mutex_lock(&state_lock);
    for (;;) {
        while (job_gen == seen)
            pthread_cond_wait(&work_cv, &state_lock);
        seen = job_gen;
        run_parts_locked();
    }
    return NULL;
}

static void atfork_prepare(void)
{
    pthread_mutex_lock(&job_lock); /* wait until no job runs */
    pthread_mutex_lock(&state_lock);
}

static void atfork_parent(void)
{
    pthread_mutex_unlock(&state_lock);
    pthread_mutex_unlock(&job_lock);
}

static void atfork_child(void)
{
    /* The workers did not survive the fork: forget them.  The condition
     * variables still count the parent's waiting workers, which would make a
     * broadcast wait for them forever: start every primitive afresh. */
    pool_size = 0;
    job_parts = job_next = job_pending = 0;
    pthread_mutex_init(&state_lock, NULL);
    pthread_mutex_init(&job_lock, NULL);
    pthread_cond_init(&work_cv, NULL);
    pthread_cond_init(&done_cv, NULL);
}

/* Grow the pool to n-1 workers; called with state_lock held. */
static void ensure_workers_locked(int n)
{
    if (!atfork_done) {
        pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
        atfork_done = 1;
    }
    while (pool_size < n - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &attr, worker, (void *)(uintptr_t)job_gen);
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break; /* fewer workers: the caller does more parts itself */
        pool_size++;
    }
}

void wc_parallel_for(int nparts, void (*fn)(void *ctx, int part), void *ctx)
{
    if (nparts <= 1 || pthread_mutex_trylock(&job_lock) != 0) {
        for (int i = 0; i < nparts; i++)
            fn(ctx, i);
        return;
    }
    pthread_mutex_lock(&state_lock);
    ensure_workers_locked(nparts);
    job_fn = fn;
    job_ctx = ctx;
    job_parts = nparts;
    job_next = 0;
    job_pending = nparts;
    job_gen++;
    pthread_cond_broadcast(&work_cv);
    run_parts_locked();
    while (job_pending > 0)
        pthread_cond_wait(&done_cv, &state_lock);
    job_parts = job_next = 0;
    pthread_mutex_unlock(&state_lock);
    pthread_mutex_unlock(&job_lock);
}
