/* Reading compiled gettext catalogues (.mo). The format (GNU gettext
 * manual, "The Format of GNU MO Files"): a 28-byte header — magic
 * 0x950412de in the file's byte order, revision, the number of strings N,
 * the offsets of the table of originals and of translations (N pairs of
 * length and offset each) and of an optional hash table we do not use —
 * then NUL-terminated strings. A context is stored as "ctx\4msgid"; a
 * plural entry as "msgid\0plural" with its forms separated by NULs (agora
 * has none; the first form would be returned).
 *
 * A catalogue file comes from our own build, but it is read like any file
 * from outside: every offset and length is checked against the file's size
 * before use, and each string must end with its NUL where the table says.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/i18n.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MO_MAGIC 0x950412deu
#define MO_FILE_MAX ((size_t)16 << 20)

struct msg {
    const char *id;
    const char *str;
};

struct ag_catalog {
    char lang[8];
    char *image;
    struct msg *msgs;
    size_t n;
};

static const char *const LANGS[] = {"en", "fr", "de", "it", "nl"};

const char *ag_i18n_langs(void)
{
    return "en fr de it nl";
}

bool ag_i18n_lang_ok(const char *lang)
{
    if (!lang)
        return false;
    for (size_t i = 0; i < sizeof LANGS / sizeof LANGS[0]; i++)
        if (!strcmp(lang, LANGS[i]))
            return true;
    return false;
}

#define MO_PROBE "fr/LC_MESSAGES/agora.mo"

const char *ag_i18n_dir(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("AGORA_LOCALE_DIR");
    if (env && *env)
        return env;
    /* installed: <prefix>/bin/agora, <prefix>/share/locale; a build tree:
     * the program and locale/ side by side */
    if (ag_beside_program("../share/locale", MO_PROBE, found, sizeof found) ||
        ag_beside_program("locale", MO_PROBE, found, sizeof found))
        return found;
#ifdef AGORA_LOCALEDIR_BUILD
    if (ag_dir_has(AGORA_LOCALEDIR_BUILD, MO_PROBE))
        return AGORA_LOCALEDIR_BUILD;
#endif
    return "locale";
}

static uint32_t rd32(const unsigned char *p, bool swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (swap)
        v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
    return v;
}

static int cmp_msg(const void *a, const void *b)
{
    return strcmp(((const struct msg *)a)->id, ((const struct msg *)b)->id);
}

/* The string of table entry i at table offset tab, checked. */
static const char *entry(const char *img, size_t len, uint32_t tab, uint32_t i, bool swap)
{
    size_t at = (size_t)tab + (size_t)i * 8;
    if (at + 8 > len)
        return NULL;
    uint32_t slen = rd32((const unsigned char *)img + at, swap);
    uint32_t off = rd32((const unsigned char *)img + at + 4, swap);
    if ((size_t)off + slen >= len || img[(size_t)off + slen] != '\0')
        return NULL;
    return img + off;
}

int ag_catalog_from_mo(const char *lang, const void *data, size_t len, const char *name,
                       struct ag_catalog **out, struct ag_error *err)
{
    *out = NULL;
    if (!name)
        name = "(catalogue)";
    if (len < 28 || len > MO_FILE_MAX)
        return ag_error_set(err, AG_EPARSE, "%s: %zu bytes: not a gettext .mo file", name, len);
    const unsigned char *u = data;
    bool swap;
    if (rd32(u, false) == MO_MAGIC)
        swap = false;
    else if (rd32(u, true) == MO_MAGIC)
        swap = true;
    else
        return ag_error_set(err, AG_EPARSE, "%s: not a gettext .mo file (bad magic number)", name);
    uint32_t rev = rd32(u + 4, swap), n = rd32(u + 8, swap);
    uint32_t otab = rd32(u + 12, swap), ttab = rd32(u + 16, swap);
    if ((rev >> 16) > 1)
        return ag_error_set(err, AG_EPARSE, "%s: .mo format revision %u.%u is not known", name,
                            rev >> 16, rev & 0xffffu);
    if ((size_t)n > len / 16)
        return ag_error_set(err, AG_EPARSE, "%s: %u strings cannot fit in %zu bytes", name, n, len);
    struct ag_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return ag_error_set(err, AG_ENOMEM, "%s: out of memory", name);
    snprintf(c->lang, sizeof c->lang, "%s", lang ? lang : "");
    c->image = malloc(len);
    c->msgs = calloc(n ? n : 1, sizeof *c->msgs);
    if (!c->image || !c->msgs) {
        ag_catalog_free(c);
        return ag_error_set(err, AG_ENOMEM, "%s: out of memory", name);
    }
    memcpy(c->image, data, len);
    for (uint32_t i = 0; i < n; i++) {
        const char *id = entry(c->image, len, otab, i, swap);
        const char *str = entry(c->image, len, ttab, i, swap);
        if (!id || !str) {
            ag_catalog_free(c);
            return ag_error_set(err, AG_EPARSE,
                                "%s: string %u lies outside the file or lacks its end", name, i);
        }
        if (!*id)
            continue; /* the header entry (msgid "") */
        if (!*str)
            continue; /* untranslated: the lookup falls back to msgid */
        c->msgs[c->n].id = id;
        c->msgs[c->n].str = str;
        c->n++;
    }
    /* msgfmt writes the originals sorted, but a lookup must not depend on
     * the file being well-formed: sort our own index. */
    qsort(c->msgs, c->n, sizeof *c->msgs, cmp_msg);
    *out = c;
    return 0;
}

int ag_catalog_open(const char *lang, struct ag_catalog **out, struct ag_error *err)
{
    *out = NULL;
    if (!ag_i18n_lang_ok(lang))
        return ag_error_set(err, AG_EINVAL, "language \"%s\" is not available; available: %s",
                            lang ? lang : "", ag_i18n_langs());
    if (!strcmp(lang, "en")) {
        struct ag_catalog *c = calloc(1, sizeof *c);
        if (!c)
            return ag_error_set(err, AG_ENOMEM, "out of memory");
        snprintf(c->lang, sizeof c->lang, "en");
        *out = c;
        return 0;
    }
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/agora.mo", ag_i18n_dir(), lang);
    struct stat st;
    if (stat(path, &st) != 0)
        return ag_error_set(err, AG_ENOENT,
                            "%s: the %s catalogue is missing (build agora, or set "
                            "AGORA_LOCALE_DIR to the directory of the compiled catalogues)",
                            path, lang);
    struct ag_buf b;
    ag_buf_init(&b, MO_FILE_MAX);
    int rc = ag_file_read(path, &b, err);
    if (!rc)
        rc = ag_catalog_from_mo(lang, b.data, b.len, path, out, err);
    ag_buf_free(&b);
    return rc;
}

void ag_catalog_free(struct ag_catalog *c)
{
    if (!c)
        return;
    free(c->image);
    free(c->msgs);
    free(c);
}

const char *ag_catalog_lang(const struct ag_catalog *c)
{
    return c ? c->lang : "en";
}

size_t ag_catalog_size(const struct ag_catalog *c)
{
    return c ? c->n : 0;
}

/* The translation of key, or NULL. */
static const char *find(const struct ag_catalog *c, const char *key)
{
    struct msg k = {key, NULL};
    const struct msg *m = bsearch(&k, c->msgs, c->n, sizeof *c->msgs, cmp_msg);
    return m ? m->str : NULL;
}

const char *ag_tr(const struct ag_catalog *c, const char *msgid)
{
    if (!c || !c->n || !msgid || !*msgid)
        return msgid;
    const char *t = find(c, msgid);
    return t ? t : msgid;
}

const char *ag_trc(const struct ag_catalog *c, const char *ctx, const char *msgid)
{
    if (!ctx)
        return ag_tr(c, msgid);
    if (!c || !c->n || !msgid)
        return msgid;
    char stack[512];
    size_t lc = strlen(ctx), lm = strlen(msgid);
    char *k = lc + lm + 2 <= sizeof stack ? stack : malloc(lc + lm + 2);
    if (!k)
        return msgid;
    memcpy(k, ctx, lc);
    k[lc] = '\4';
    memcpy(k + lc + 1, msgid, lm + 1);
    const char *t = find(c, k);
    if (k != stack)
        free(k);
    return t ? t : msgid;
}

int ag_catalog_each(const struct ag_catalog *c,
                    int (*fn)(void *ctx, const char *msgctxt, const char *msgid, const char *msgstr),
                    void *ctx)
{
    for (size_t i = 0; c && i < c->n; i++) {
        const char *id = c->msgs[i].id, *eot = strchr(id, '\4');
        int rc;
        if (eot) {
            char stack[256];
            size_t lc = (size_t)(eot - id);
            char *k = lc < sizeof stack ? stack : malloc(lc + 1);
            if (!k)
                return AG_ENOMEM;
            memcpy(k, id, lc);
            k[lc] = 0;
            rc = fn(ctx, k, eot + 1, c->msgs[i].str);
            if (k != stack)
                free(k);
        } else
            rc = fn(ctx, NULL, id, c->msgs[i].str);
        if (rc)
            return rc;
    }
    return 0;
}
