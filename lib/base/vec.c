/* Growable arrays and a 64-bit hash map.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <stdlib.h>
#include <string.h>

void ag_vec_init(struct ag_vec *v, size_t elem_size)
{
    v->data = NULL;
    v->len = v->cap = 0;
    v->elem = elem_size;
}

void ag_vec_free(struct ag_vec *v)
{
    free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

void *ag_grow(void *data, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap && data)
        return data;
    size_t c = *cap ? *cap : (first ? first : 1);
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return NULL;
        c *= 2;
    }
    if (c > SIZE_MAX / elem)
        return NULL;
    void *p = realloc(data, c * elem);
    if (p)
        *cap = c;
    return p;
}

int ag_vec_reserve(struct ag_vec *v, size_t n)
{
    if (n <= v->cap)
        return 0;
    void *p = ag_grow(v->data, &v->cap, n, v->elem, 16);
    if (!p)
        return AG_ENOMEM;
    v->data = p;
    return 0;
}

void *ag_vec_push(struct ag_vec *v, const void *elem)
{
    if (ag_vec_reserve(v, v->len + 1))
        return NULL;
    char *slot = (char *)v->data + v->len * v->elem;
    if (elem)
        memcpy(slot, elem, v->elem);
    else
        memset(slot, 0, v->elem);
    v->len++;
    return slot;
}

/* splitmix64 finaliser: OSM ids are dense and sequential, so they need mixing
 * before linear probing. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

void ag_u64map_init(struct ag_u64map *m)
{
    memset(m, 0, sizeof *m);
}

void ag_u64map_free(struct ag_u64map *m)
{
    free(m->keys);
    free(m->vals);
    free(m->used);
    memset(m, 0, sizeof *m);
}

static int map_rehash(struct ag_u64map *m, size_t cap)
{
    struct ag_u64map n = {0};
    n.keys = malloc(cap * sizeof *n.keys);
    n.vals = malloc(cap * sizeof *n.vals);
    n.used = calloc(cap, 1);
    if (!n.keys || !n.vals || !n.used) {
        ag_u64map_free(&n);
        return AG_ENOMEM;
    }
    n.cap = cap;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i])
            continue;
        size_t j = mix64(m->keys[i]) & (cap - 1);
        while (n.used[j])
            j = (j + 1) & (cap - 1);
        n.used[j] = 1;
        n.keys[j] = m->keys[i];
        n.vals[j] = m->vals[i];
        n.len++;
    }
    ag_u64map_free(m);
    *m = n;
    return 0;
}

int ag_u64map_put(struct ag_u64map *m, uint64_t key, uint64_t val)
{
    if ((m->len + 1) * 4 > m->cap * 3) {
        int rc = map_rehash(m, m->cap ? m->cap * 2 : 1024);
        if (rc)
            return rc;
    }
    size_t j = mix64(key) & (m->cap - 1);
    while (m->used[j]) {
        if (m->keys[j] == key) {
            m->vals[j] = val;
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->used[j] = 1;
    m->keys[j] = key;
    m->vals[j] = val;
    m->len++;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void ag_vec_sort_i64(struct ag_vec *v)
{
    if (v->len)
        qsort(v->data, v->len, sizeof(int64_t), cmp_i64);
}

bool ag_u64map_get(const struct ag_u64map *m, uint64_t key, uint64_t *val)
{
    if (!m->cap)
        return false;
    size_t j = mix64(key) & (m->cap - 1);
    while (m->used[j]) {
        if (m->keys[j] == key) {
            if (val)
                *val = m->vals[j];
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return false;
}
