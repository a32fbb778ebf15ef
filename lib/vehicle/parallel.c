/* Work of the vehicle analysis spread over the two cores: items handed out
 * in chunks to whichever thread is free, results written per item, so that
 * they do not depend on which thread computed what. SPDX-License-Identifier: EUPL-1.2 */
#include "private.h"

#include <pthread.h>
#include <stdatomic.h>

struct vwork {
    size_t n, chunk;
    int (*fn)(void *ctx, size_t worker, size_t from, size_t to);
    void *ctx;
    atomic_size_t next; /* first item not handed out yet */
    atomic_int rc;      /* first failure, 0 while none */
};

struct vworker {
    struct vwork *w;
    size_t id;
};

static void *work(void *arg)
{
    struct vworker *me = arg;
    struct vwork *w = me->w;
    while (atomic_load(&w->rc) == 0) {
        size_t from = atomic_fetch_add(&w->next, w->chunk);
        if (from >= w->n)
            break;
        size_t to = w->n - from < w->chunk ? w->n : from + w->chunk;
        int rc = w->fn(w->ctx, me->id, from, to);
        if (rc) {
            int none = 0;
            atomic_compare_exchange_strong(&w->rc, &none, rc);
        }
    }
    return NULL;
}

int ag__vparallel(size_t n, size_t chunk,
                  int (*fn)(void *ctx, size_t worker, size_t from, size_t to), void *ctx)
{
    if (chunk == 0)
        chunk = 1;
    struct vwork w = {n, chunk, fn, ctx, 0, 0};
    struct vworker me[AG__VTHREADS];
    pthread_t th[AG__VTHREADS];
    bool started[AG__VTHREADS] = {false};
    for (size_t t = 1; t < AG__VTHREADS && n > chunk; t++) {
        me[t] = (struct vworker){&w, t};
        started[t] = pthread_create(&th[t], NULL, work, &me[t]) == 0;
    }
    me[0] = (struct vworker){&w, 0};
    work(&me[0]); /* and whatever a thread that did not start would have done */
    for (size_t t = 1; t < AG__VTHREADS; t++)
        if (started[t])
            pthread_join(th[t], NULL);
    return atomic_load(&w.rc);
}
