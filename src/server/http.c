/* agora serve: the HTTP side on GNU libmicrohttpd: request bodies, routing,
 * access control, replies, static files (docs/internals/server.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include <sodium.h>

#include "agora/auth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------- per-thread store handles ---------- */

static __thread struct ag_store *tl_store;

struct ag_store *srv_store(struct srv *s, struct ag_error *err)
{
    if (tl_store)
        return tl_store;
    pthread_mutex_lock(&s->stores_mu);
    int rc = 0;
    if (s->nstores >= SRV_MAX_STORES)
        rc = ag_error_set(err, AG_ELIMIT, "too many server threads");
    else if (!(rc = ag_store_open(&tl_store, s->db, 0, err)))
        s->stores[s->nstores++] = tl_store;
    pthread_mutex_unlock(&s->stores_mu);
    return rc ? NULL : tl_store;
}

const struct ag_catalog *srv_tr(struct srv *s, const char *lang)
{
    static const char *const langs[] = {"en", "fr", "de", "it", "nl"};
    for (int i = 1; i < 5; i++)
        if (!strcmp(lang, langs[i]))
            return s->tr[i];
    return NULL;
}

const char *srv_lang(struct req *r)
{
    const char *q = req_arg(r, "lang");
    if (q && ag_i18n_lang_ok(q))
        return q;
    if (r->authed && ag_i18n_lang_ok(r->user.lang))
        return r->user.lang;
    return "en";
}

/* ---------- replies ---------- */

int json_str(struct ag_buf *b, const char *s)
{
    return s ? ag_buf_put_json_str(b, s) : ag_buf_puts(b, "null");
}

int reply_json(struct req *r, int status)
{
    r->status = status;
    r->ctype = "application/json";
    return 0;
}

int reply_error(struct req *r, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ag_buf_reset(&r->out);
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
    r->disposition[0] = 0;
    ag_buf_puts(&r->out, "{\"error\":");
    ag_buf_put_json_str(&r->out, msg);
    ag_buf_puts(&r->out, "}");
    return reply_json(r, status);
}

int reply_forbidden(struct req *r)
{
    return reply_error(r, 403, "forbidden");
}

int reply_ag_error(struct req *r, int code, const struct ag_error *err)
{
    const char *msg = err && err->msg[0] ? err->msg : ag_strerror(code);
    switch (code) {
    case AG_ENOTFOUND:
        return reply_error(r, 404, "%s", msg);
    case AG_EPARSE:
    case AG_EINVAL:
    case AG_EEMPTY:
        return reply_error(r, 400, "%s", msg);
    case AG_ECONFLICT:
    case AG_EEXIST:
        return reply_error(r, 409, "%s", msg);
    case AG_ELIMIT:
        return reply_error(r, 413, "%s", msg);
    default:
        ag_log(AG_LOG_ERROR, "%s %s: %s", r->method, r->url, msg);
        return reply_error(r, 500, "internal error (logged on the server)");
    }
}

/* ---------- request helpers ---------- */

const char *req_arg(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

json_t *req_json(struct req *r, bool *failed)
{
    json_error_t je;
    *failed = false;
    json_t *root =
        json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        *failed = true;
        reply_error(r, 400, "request body: line %d, column %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        *failed = true;
        json_decref(root);
        reply_error(r, 400, "request body: expected a JSON object");
        return NULL;
    }
    return root;
}

int req_audit(struct req *r, int64_t city, const char *action, const char *target,
              const char *detail, struct ag_error *err)
{
    return ag_store_audit(r->store, r->authed ? r->user.name : "", city, action, target, detail,
                          err);
}

static bool changes_state(const char *method)
{
    return strcmp(method, "GET") && strcmp(method, "HEAD");
}

static void dispatch(struct req *r)
{
    if (strncmp(r->url, "/api/", 5) != 0) {
        if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
            srv_static(r);
        else
            reply_error(r, 405, "method %s not allowed here", r->method);
        return;
    }
    bool other_method = false;
    const struct route *rt = srv_route_find(r, r->url, &other_method);
    if (!rt) {
        if (other_method)
            reply_error(r, 405, "method %s not allowed on %s", r->method, r->url);
        else
            reply_error(r, 404, "no such API route: %s", r->url);
        return;
    }
    struct ag_error err = {0};
    if (!(r->store = srv_store(r->srv, &err))) {
        reply_ag_error(r, AG_ESTORE, &err);
        return;
    }
    if (rt->access != ACC_PUBLIC || rt->fn == h_login) {
        /* sign-in ignores a session cookie (fixation); everything else needs one */
        if (rt->access != ACC_PUBLIC && !srv_authenticate(r)) {
            reply_error(r, 401, "not signed in, or the session has expired");
            return;
        }
    }
    if (rt->access != ACC_PUBLIC && changes_state(r->method) && !srv_csrf_ok(r)) {
        reply_error(r, 403, "missing or wrong CSRF token");
        return;
    }
    if (rt->access == ACC_ADMIN && !r->user.admin) {
        reply_forbidden(r);
        return;
    }
    if (rt->access >= ACC_P_OBSERVER) {
        if (r->user.admin)
            r->prole = AG_PROLE_COORDINATOR;
        else if (ag_store_partner_role(r->store, r->user.id, r->pid, &r->prole, &err)) {
            reply_ag_error(r, AG_ESTORE, &err);
            return;
        }
        enum ag_prole need = (enum ag_prole)(rt->access - ACC_P_OBSERVER + AG_PROLE_OBSERVER);
        if (r->prole < need) {
            reply_forbidden(r);
            return;
        }
    } else if (rt->access >= ACC_VIEWER) {
        if (r->user.admin)
            r->role = AG_ROLE_COORDINATOR;
        else if (ag_store_role(r->store, r->user.id, r->cid, &r->role, &r->partner, &err)) {
            reply_ag_error(r, AG_ESTORE, &err);
            return;
        }
        enum ag_role need = (enum ag_role)(rt->access - ACC_VIEWER + AG_ROLE_VIEWER);
        if (r->role < need && !(rt->shared && r->role == AG_ROLE_NONE)) {
            reply_forbidden(r);
            return;
        }
    }
    rt->fn(r);
}

/* ---------- static files ---------- */

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".mjs", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".json", "application/json"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"},
                 {".txt", "text/plain; charset=utf-8"},
                 {".woff2", "font/woff2"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

int srv_static(struct req *r)
{
    char rel[512];
    bool vendor;
    if (!srv_static_path(r->url, rel, sizeof rel, &vendor))
        return reply_error(r, 404, "no such file");
    char full[8192];
    snprintf(full, sizeof full, "%s%s", vendor ? r->srv->vendordir : r->srv->webdir, rel);
    int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return reply_error(r, 404, "no such file");
    }
    r->fd = fd;
    r->fd_size = (uint64_t)st.st_size;
    r->ctype = content_type(full);
    r->status = 200;
    return 0;
}

/* ---------- libmicrohttpd glue ---------- */

static void req_free(struct req *r)
{
    if (!r)
        return;
    ag_buf_free(&r->body);
    ag_buf_free(&r->out);
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}

static enum MHD_Result send_reply(struct req *r)
{
    struct MHD_Response *resp;
    if (r->fd >= 0) {
        resp = MHD_create_response_from_fd64(r->fd_size, r->fd);
        r->fd = -1; /* the response owns it now */
    } else {
        size_t len = r->out.len;
        resp = MHD_create_response_from_buffer(len, ag_buf_take(&r->out), MHD_RESPMEM_MUST_FREE);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "application/json");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy", r->srv->csp);
    MHD_add_response_header(resp, "Cache-Control",
                            strncmp(r->url, "/api/", 5) ? "no-cache" : "no-store");
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->disposition[0])
        MHD_add_response_header(resp, "Content-Disposition", r->disposition);
    if (r->retry_after[0])
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        r->srv = cls;
        r->conn = conn;
        r->url = url;
        r->method = method;
        r->fd = -1;
        r->status = 500;
        ag_buf_init(&r->body, SRV_BODY_MAX);
        ag_buf_init(&r->out, (size_t)256 << 20);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                          r->client, sizeof r->client);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                          r->client, sizeof r->client);
        }
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > SRV_BODY_MAX) {
            r->too_big = true;
            reply_error(r, 413, "request body over %zu bytes", SRV_BODY_MAX);
            return send_reply(r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big && ag_buf_append(&r->body, upload_data, *upload_size))
            r->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        reply_error(r, 413, "request body over %zu bytes", SRV_BODY_MAX);
    else
        dispatch(r);
    return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    req_free(*con_cls);
    *con_cls = NULL;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    struct srv *s = cls;
    if (s->cfg.quiet)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    ag_log(AG_LOG_WARN, "http: %s", msg);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX in the URL and its arguments in place, except %00: a NUL
 * would cut the path short ("/index.html%00.js"), so it stays encoded and
 * the path is then refused. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    char *w = s;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0 && (hi | lo)) {
            *w++ = (char)(hi * 16 + lo);
            p += 2;
        } else
            *w++ = *p;
    }
    *w = 0;
    return (size_t)(w - s);
}

/* ---------- start and stop ---------- */

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                        struct ag_error *err)
{
    char host[256];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return ag_error_set(err, AG_EINVAL,
                            "--listen \"%s\": expected ADDRESS:PORT, e.g. "
                            "127.0.0.1:8080",
                            s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        return ag_error_set(err, AG_EINVAL, "--listen \"%s\": the port must be 0 to 65535", s);
    memset(ss, 0, sizeof *ss);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = 0;
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return ag_error_set(err, AG_EINVAL, "--listen \"%s\": not an IPv6 address", s);
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return ag_error_set(err, AG_EINVAL, "--listen \"%s\": not an IPv4 address", s);
        *len = sizeof *a;
    }
    return 0;
}

static void srv_free(struct srv *s)
{
    for (size_t i = 0; i < s->nstores; i++)
        ag_store_close(s->stores[i]);
    s->nstores = 0;
    for (int i = 0; i < 5; i++)
        ag_catalog_free(s->tr[i]);
    ag_catalogue_free(s->cat);
    ag_training_free(s->training);
    ag_survey_questions_free(s->sq, s->nsq);
    free(s->reference);
    srv_tiles_free(s->tiles);
    srv_limiter_free(s->limiter);
    pthread_mutex_destroy(&s->stores_mu);
}

int srv_run(const struct srv_config *cfg, struct ag_error *err)
{
    struct srv *s = calloc(1, sizeof *s);
    if (!s)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    s->cfg = *cfg;
    pthread_mutex_init(&s->stores_mu, NULL);
    snprintf(s->db, sizeof s->db, "%s", cfg->db);
    snprintf(s->webdir, sizeof s->webdir, "%s", cfg->webdir);
    snprintf(s->vendordir, sizeof s->vendordir, "%s", cfg->vendordir);
    char tile_origin[512] = "";
    if (cfg->tile_url) {
        /* the scheme and host of the tile URL may serve images */
        const char *p = strstr(cfg->tile_url, "://");
        const char *slash = p ? strchr(p + 3, '/') : NULL;
        size_t n = slash ? (size_t)(slash - cfg->tile_url) : strlen(cfg->tile_url);
        if (n < sizeof tile_origin - 2 && p)
            snprintf(tile_origin, sizeof tile_origin, " %.*s", (int)n, cfg->tile_url);
    }
    snprintf(s->csp, sizeof s->csp,
             "default-src 'self'; img-src 'self' data: blob:%s; style-src 'self' "
             "'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
             "form-action 'self'",
             tile_origin);
    static const char *const langs[] = {"fr", "de", "it", "nl"};
    struct sockaddr_storage ss;
    socklen_t sslen;
    int rc = ag_auth_init(err);
    if (!rc)
        rc = parse_listen(cfg->listen, &ss, &sslen, err);
    for (int i = 0; !rc && i < 4; i++)
        rc = ag_catalog_open(langs[i], &s->tr[i + 1], err);
    if (!rc)
        rc = ag_catalogue_load(NULL, &s->cat, err);
    if (!rc) {
        /* the training content is optional; broken content is an error */
        int trc = ag_training_load(NULL, &s->training, err);
        if (trc == AG_ENOENT && !strstr(err->msg, "missing"))
            ag_error_clear(err);
        else
            rc = trc;
        char path[4200];
        struct ag_buf b;
        ag_buf_init(&b, (size_t)1 << 20);
        snprintf(path, sizeof path, "%s/training/reference/place-darmes.json", ag_data_dir());
        if (!rc && s->training && ag_file_read(path, &b, NULL) == 0) {
            s->reference_len = b.len;
            s->reference = ag_buf_take(&b);
        }
        ag_buf_free(&b);
    }
    if (!rc)
        rc = ag_survey_questions_load(NULL, &s->sq, &s->nsq, err);
    if (!rc && srv_tiles_new(&s->tiles))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    if (!rc)
        randombytes_buf(s->order_key, sizeof s->order_key);
    if (!rc && srv_limiter_new(&s->limiter))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    if (!rc) {
        /* the database must open (and be upgraded) before the first request */
        struct ag_store *st = NULL;
        rc = ag_store_open(&st, s->db, 0, err);
        if (!rc) {
            int64_t purged = 0;
            ag_store_sessions_purge(st, (int64_t)time(NULL), SRV_SESSION_IDLE, &purged, NULL);
            ag_store_close(st);
        }
    }
    if (rc) {
        srv_free(s);
        free(s);
        return rc;
    }
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    /* SIGINT and SIGTERM stop the server: blocked in every thread (the
     * workers inherit the mask) and taken by sigwait below. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
                                 on_mhd_error, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                 MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                                 on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000, MHD_OPTION_END);
    if (!s->daemon) {
        rc =
            ag_error_set(err, AG_EIO, "cannot listen on %s (%s): is another server using the port?",
                         cfg->listen, strerror(errno));
        srv_free(s);
        free(s);
        return rc;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    char host[256];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(cfg->listen, ':') - cfg->listen),
             cfg->listen);
    printf("agora: serving http://%s:%u/ (database %s; stop with Ctrl-C)\n", host,
           di ? (unsigned)di->port : 0u, s->db);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(s->daemon);
    if (!cfg->quiet)
        fprintf(stderr, "agora: server stopped\n");
    srv_free(s);
    free(s);
    return 0;
}

void srv_print_routes(void)
{
    static const char *const acc[] = {"public",          "user",         "admin",      "viewer",
                                      "assessor",        "coordinator",  "p-observer", "p-member",
                                      "p-action_leader", "p-coordinator"};
    for (size_t i = 0; i < srv_nroutes; i++)
        printf("%s\t%s\t%s%s\n", srv_routes[i].method, srv_routes[i].pattern,
               acc[srv_routes[i].access], srv_routes[i].shared ? "\tshared" : "");
}
