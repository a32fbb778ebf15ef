/* agora serve: sign-in, sessions, CSRF, sign-in rate limiting
 * (docs/internals/server.md, "Accounts, roles, sessions").
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/auth.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------- rate limiting of failed sign-ins ---------- */

#define LIMIT_SLOTS 4096
#define LIMIT_WINDOW 600 /* seconds */
#define LIMIT_PER_NAME 5
#define LIMIT_PER_CLIENT 20

struct slot {
    char key[160];
    int64_t start; /* when the window of this key began */
    int count;     /* failures in the window */
};

struct srv_limiter {
    pthread_mutex_t mu;
    struct slot slots[LIMIT_SLOTS];
};

int srv_limiter_new(struct srv_limiter **out)
{
    struct srv_limiter *l = calloc(1, sizeof *l);
    if (!l)
        return AG_ENOMEM;
    pthread_mutex_init(&l->mu, NULL);
    *out = l;
    return 0;
}

void srv_limiter_free(struct srv_limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot of key (open addressing; a full table reuses the oldest
 * window). Called with the mutex held. */
static struct slot *slot_of(struct srv_limiter *l, const char *key, int64_t now)
{
    size_t i = fnv(key) % LIMIT_SLOTS, oldest = i;
    for (size_t k = 0; k < 64; k++, i = (i + 1) % LIMIT_SLOTS) {
        struct slot *s = &l->slots[i];
        if (!strcmp(s->key, key))
            return s;
        if (!s->key[0] || now - s->start >= LIMIT_WINDOW) {
            snprintf(s->key, sizeof s->key, "%s", key);
            s->start = now;
            s->count = 0;
            return s;
        }
        if (s->start < l->slots[oldest].start)
            oldest = i;
    }
    struct slot *s = &l->slots[oldest];
    snprintf(s->key, sizeof s->key, "%s", key);
    s->start = now;
    s->count = 0;
    return s;
}

/* Seconds to wait before another attempt for this name or client, 0 when
 * one may be made now. */
static int64_t limited(struct srv_limiter *l, const char *name, const char *client, int64_t now)
{
    char k1[160], k2[160];
    snprintf(k1, sizeof k1, "u:%s", name);
    snprintf(k2, sizeof k2, "c:%s", client);
    int64_t wait = 0;
    pthread_mutex_lock(&l->mu);
    struct slot *a = slot_of(l, k1, now);
    if (now - a->start >= LIMIT_WINDOW)
        a->start = now, a->count = 0;
    if (a->count >= LIMIT_PER_NAME)
        wait = a->start + LIMIT_WINDOW - now;
    struct slot *b = slot_of(l, k2, now);
    if (now - b->start >= LIMIT_WINDOW)
        b->start = now, b->count = 0;
    if (b->count >= LIMIT_PER_CLIENT && b->start + LIMIT_WINDOW - now > wait)
        wait = b->start + LIMIT_WINDOW - now;
    pthread_mutex_unlock(&l->mu);
    return wait;
}

static void record(struct srv_limiter *l, const char *name, const char *client, int64_t now,
                   bool failed)
{
    char k1[160], k2[160];
    snprintf(k1, sizeof k1, "u:%s", name);
    snprintf(k2, sizeof k2, "c:%s", client);
    pthread_mutex_lock(&l->mu);
    struct slot *a = slot_of(l, k1, now);
    if (failed) {
        a->count++;
        slot_of(l, k2, now)->count++;
    } else
        a->count = 0;
    pthread_mutex_unlock(&l->mu);
}

int64_t srv_limit_hit(struct srv_limiter *l, const char *key, int max, int64_t now)
{
    pthread_mutex_lock(&l->mu);
    struct slot *a = slot_of(l, key, now);
    if (now - a->start >= LIMIT_WINDOW)
        a->start = now, a->count = 0;
    int64_t wait = a->count >= max ? a->start + LIMIT_WINDOW - now : 0;
    if (!wait)
        a->count++;
    pthread_mutex_unlock(&l->mu);
    return wait;
}

/* ---------- sessions ---------- */

bool srv_authenticate(struct req *r)
{
    const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SRV_COOKIE);
    if (!tok || strlen(tok) != AG_TOKEN_LEN)
        return false;
    ag_token_hash(tok, r->token_hash);
    int64_t now = (int64_t)time(NULL);
    if (ag_store_session_get(r->store, r->token_hash, now, SRV_SESSION_IDLE, &r->sess, NULL))
        return false;
    if (ag_store_user_by_id(r->store, r->sess.user_id, &r->user, NULL))
        return false;
    r->authed = true;
    return true;
}

bool srv_csrf_ok(struct req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    return r->authed && h && ag_secret_equal(h, r->sess.csrf);
}

int srv_put_city(struct ag_buf *b, const struct ag_city *c, enum ag_role role, bool partner)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"name\":", (long long)c->id);
    if (!rc)
        rc = json_str(b, c->name);
    if (!rc)
        rc = ag_buf_printf(b,
                           ",\"role\":\"%s\",\"partner\":%s,\"bbox\":[%.7f,%.7f,%.7f,%.7f],"
                           "\"center\":[%.7f,%.7f],\"imported_at\":\"%s\"}",
                           ag_role_name(role), partner ? "true" : "false", c->bbox.minx,
                           c->bbox.miny, c->bbox.maxx, c->bbox.maxy, c->origin.lon, c->origin.lat,
                           c->imported_at);
    return rc;
}

int srv_put_cities(struct req *r, struct ag_buf *b, struct ag_error *err)
{
    struct ag_vec cities, grants;
    ag_vec_init(&cities, sizeof(struct ag_city));
    ag_vec_init(&grants, sizeof(struct ag_grant));
    int rc = ag_store_cities(r->store, &cities, err);
    if (!rc)
        rc = ag_store_grants(r->store, r->user.id, 0, &grants, err);
    if (!rc)
        rc = ag_buf_puts(b, "[");
    bool first = true;
    for (size_t i = 0; !rc && i < cities.len; i++) {
        const struct ag_city *c = &AG_VEC_AT(&cities, struct ag_city, i);
        enum ag_role role = r->user.admin ? AG_ROLE_COORDINATOR : AG_ROLE_NONE;
        bool partner = false;
        for (size_t g = 0; !r->user.admin && g < grants.len; g++) {
            const struct ag_grant *gr = &AG_VEC_AT(&grants, struct ag_grant, g);
            if (gr->city_id == c->id)
                role = gr->role, partner = gr->partner;
        }
        if (role == AG_ROLE_NONE)
            continue;
        if (!first)
            rc = ag_buf_puts(b, ",");
        first = false;
        if (!rc)
            rc = srv_put_city(b, c, role, partner);
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    ag_vec_free(&cities);
    ag_vec_free(&grants);
    return rc;
}

static int put_session(struct req *r)
{
    struct ag_buf *b = &r->out;
    struct ag_error err = {0};
    ag_buf_reset(b);
    int rc = ag_buf_printf(b, "{\"user\":{\"id\":%lld,\"name\":", (long long)r->user.id);
    if (!rc)
        rc = json_str(b, r->user.name);
    if (!rc)
        rc = ag_buf_puts(b, ",\"display_name\":");
    if (!rc)
        rc = json_str(b, r->user.display_name);
    if (!rc)
        rc = ag_buf_puts(b, ",\"organisation\":");
    if (!rc)
        rc = json_str(b, r->user.organisation);
    if (!rc)
        rc = ag_buf_printf(b, ",\"admin\":%s,\"lang\":\"%s\"},\"csrf\":",
                           r->user.admin ? "true" : "false", r->user.lang);
    if (!rc)
        rc = json_str(b, r->sess.csrf);
    if (!rc)
        rc = ag_buf_puts(b, ",\"cities\":");
    if (!rc)
        rc = srv_put_cities(r, b, &err);
    if (!rc)
        rc = ag_buf_puts(b, "}");
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

static void set_cookie(struct req *r, const char *token, int max_age)
{
    snprintf(r->set_cookie, sizeof r->set_cookie,
             SRV_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token, max_age,
             r->srv->cfg.secure_cookies ? "; Secure" : "");
}

int h_login(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *ju = json_object_get(root, "user"), *jp = json_object_get(root, "password");
    if (!json_is_string(ju) || !json_is_string(jp)) {
        json_decref(root);
        return reply_error(r, 400, "request body: expected \"user\" and \"password\" as strings");
    }
    /* a name no account can have is still checked against a password (the
     * same time as a wrong password) and logged as such, never verbatim */
    char name[64], key[64], *pw = ag_strdup(json_string_value(jp));
    bool name_ok = json_string_length(ju) < sizeof name && ag_user_name_ok(json_string_value(ju));
    snprintf(name, sizeof name, "%s", name_ok ? json_string_value(ju) : "(invalid name)");
    snprintf(key, sizeof key, "%s", json_string_value(ju)); /* failures are counted per name */
    json_decref(root);
    if (!pw)
        return reply_error(r, 500, "out of memory");
    int64_t now = (int64_t)time(NULL);
    int64_t wait = limited(r->srv->limiter, key, r->client, now);
    if (wait > 0) {
        free(pw);
        snprintf(r->retry_after, sizeof r->retry_after, "%lld", (long long)wait);
        return reply_error(r, 429, "too many failed sign-in attempts; try again in %lld minutes",
                           (long long)(wait + 59) / 60);
    }
    /* a cookie brought to sign-in is never reused (session fixation) */
    const char *old = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SRV_COOKIE);
    if (old && strlen(old) == AG_TOKEN_LEN) {
        uint8_t h[32];
        ag_token_hash(old, h);
        ag_store_session_delete(r->store, h, NULL);
    }
    struct ag_error err = {0};
    char *hash = NULL;
    bool known = name_ok && ag_store_user_get(r->store, name, &r->user, &hash, &err) == 0;
    bool ok = ag_password_verify(known ? hash : ag_password_dummy_hash(), pw) && known;
    free(hash);
    free(pw);
    record(r->srv->limiter, key, r->client, now, !ok);
    if (!ok) {
        ag_store_audit(r->store, name, 0, "session.failed", r->client, "", NULL);
        return reply_error(r, 401, "wrong user name or password");
    }
    char token[AG_TOKEN_LEN + 1];
    ag_token_new(token);
    ag_token_hash(token, r->token_hash);
    memset(&r->sess, 0, sizeof r->sess);
    r->sess.user_id = r->user.id;
    ag_token_new(r->sess.csrf);
    r->sess.created_at = r->sess.last_seen = now;
    r->sess.expires_at = now + SRV_SESSION_MAX;
    int rc = ag_store_session_add(r->store, r->token_hash, &r->sess, &err);
    if (!rc)
        rc = ag_store_audit(r->store, r->user.name, 0, "session.login", r->client, "", &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    r->authed = true;
    set_cookie(r, token, SRV_SESSION_MAX);
    return put_session(r);
}

int h_session(struct req *r)
{
    return put_session(r);
}

int h_logout(struct req *r)
{
    struct ag_error err = {0};
    int rc = ag_store_session_delete(r->store, r->token_hash, &err);
    if (!rc)
        rc = req_audit(r, 0, "session.logout", r->client, "", &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    set_cookie(r, "", 0);
    ag_buf_reset(&r->out);
    return reply_json(r, 204);
}

int h_session_lang(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    const char *lang = json_string_value(json_object_get(root, "lang"));
    if (!lang || !ag_i18n_lang_ok(lang)) {
        json_decref(root);
        return reply_error(r, 400, "\"lang\": expected one of %s", ag_i18n_langs());
    }
    snprintf(r->user.lang, sizeof r->user.lang, "%s", lang);
    json_decref(root);
    struct ag_error err = {0};
    int rc = ag_store_user_set_lang(r->store, r->user.id, r->user.lang, r->user.name, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    return put_session(r);
}
