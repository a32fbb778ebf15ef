/* The city model's owned structs. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/model.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool ag_osm_ref_parse(const char *s, struct ag_osm_ref *out)
{
    static const struct {
        const char *longname;
        char letter;
    } types[] = {{"node", 'n'}, {"way", 'w'}, {"relation", 'r'}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const char *rest = NULL;
        size_t ln = strlen(types[i].longname);
        if (!strncmp(s, types[i].longname, ln) && s[ln] == '/')
            rest = s + ln + 1;
        else if (s[0] == types[i].letter && isdigit((unsigned char)s[1]))
            rest = s + 1;
        if (!rest)
            continue;
        if (!*rest)
            return false;
        for (const char *p = rest; *p; p++)
            if (!isdigit((unsigned char)*p))
                return false;
        errno = 0;
        long long id = strtoll(rest, NULL, 10);
        if (errno || id <= 0)
            return false;
        memset(out, 0, sizeof *out);
        strcpy(out->type, types[i].longname);
        out->id = id;
        return true;
    }
    return false;
}

void ag_space_free(struct ag_space *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->kind);
    free(s->origin);
    free(s->tags_json);
    free(s->geom_source);
    ag_mpoly_free(&s->geom);
    memset(s, 0, sizeof *s);
}

void ag_road_node_free(struct ag_road_node *n)
{
    if (!n)
        return;
    free(n->barrier);
    memset(n, 0, sizeof *n);
}

void ag_road_edge_free(struct ag_road_edge *e)
{
    if (!e)
        return;
    free(e->highway);
    free(e->name);
    free(e->width_source);
    free(e->surface);
    ag_line_free(&e->geom);
    memset(e, 0, sizeof *e);
}

void ag_barrier_free(struct ag_barrier *b)
{
    if (!b)
        return;
    free(b->type);
    ag_line_free(&b->geom);
    memset(b, 0, sizeof *b);
}

void ag_building_free(struct ag_building *b)
{
    if (!b)
        return;
    free(b->name);
    free(b->building);
    ag_mpoly_free(&b->geom);
    memset(b, 0, sizeof *b);
}

void ag_city_model_init(struct ag_city_model *m)
{
    memset(m, 0, sizeof *m);
    ag_vec_init(&m->spaces, sizeof(struct ag_space));
    ag_vec_init(&m->road_nodes, sizeof(struct ag_road_node));
    ag_vec_init(&m->road_edges, sizeof(struct ag_road_edge));
    ag_vec_init(&m->barriers, sizeof(struct ag_barrier));
    ag_vec_init(&m->buildings, sizeof(struct ag_building));
    ag_vec_init(&m->skipped, sizeof(struct ag_skip));
}

#define FREE_VEC(v, type, fn)                                                 \
    do {                                                                      \
        for (size_t i_ = 0; i_ < (v)->len; i_++)                              \
            fn(&AG_VEC_AT(v, type, i_));                                      \
        ag_vec_free(v);                                                       \
    } while (0)

static void skip_free(struct ag_skip *s)
{
    free(s->what);
    free(s->reason);
}

void ag_city_model_free(struct ag_city_model *m)
{
    if (!m)
        return;
    free(m->source);
    FREE_VEC(&m->spaces, struct ag_space, ag_space_free);
    FREE_VEC(&m->road_nodes, struct ag_road_node, ag_road_node_free);
    FREE_VEC(&m->road_edges, struct ag_road_edge, ag_road_edge_free);
    FREE_VEC(&m->barriers, struct ag_barrier, ag_barrier_free);
    FREE_VEC(&m->buildings, struct ag_building, ag_building_free);
    FREE_VEC(&m->skipped, struct ag_skip, skip_free);
    memset(m, 0, sizeof *m);
}
