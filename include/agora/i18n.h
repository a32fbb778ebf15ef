/* agora — translations: gettext catalogues (po/<lang>.po, compiled to
 * <localedir>/<lang>/LC_MESSAGES/agora.mo by msgfmt at build time) read
 * by agora itself, so that one process can write reports in several
 * languages at once (a web server serving users of five countries) without
 * touching the process locale or the environment as libintl would.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_I18N_H
#define AGORA_I18N_H

#include "agora/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The languages of the interface and the reports: "en fr de it nl". */
const char *ag_i18n_langs(void);
bool ag_i18n_lang_ok(const char *lang);

/* Where the compiled catalogues are: $AGORA_LOCALE_DIR when set, else
 * <prefix>/share/locale next to the running program when it holds agora's
 * catalogues, else the build tree's locale/ directory. */
const char *ag_i18n_dir(void);

struct ag_catalog;

/* Loads the catalogue of lang ("en" needs none: every lookup returns its
 * msgid). AG_EINVAL for a language agora does not have; AG_ENOENT when its
 * file is missing; AG_EPARSE for a file that is not a valid .mo (the error
 * names the file and what is wrong). */
int ag_catalog_open(const char *lang, struct ag_catalog **out, struct ag_error *err);
/* The same from a .mo image in memory (copied); lang is only recorded. */
int ag_catalog_from_mo(const char *lang, const void *data, size_t len, const char *name,
                       struct ag_catalog **out, struct ag_error *err);
void ag_catalog_free(struct ag_catalog *c);
const char *ag_catalog_lang(const struct ag_catalog *c);

/* The translation of msgid, or msgid itself when the catalogue has none
 * (or c is NULL). ctx: gettext's msgctxt, or NULL. */
const char *ag_tr(const struct ag_catalog *c, const char *msgid);
const char *ag_trc(const struct ag_catalog *c, const char *ctx, const char *msgid);
/* Calls fn for every message (in msgid order; msgctxt NULL when it has
 * none) until fn returns non-zero, which is returned. */
int ag_catalog_each(const struct ag_catalog *c,
                    int (*fn)(void *ctx, const char *msgctxt, const char *msgid, const char *msgstr),
                    void *ctx);
/* Number of messages in the catalogue (0 for English). */
size_t ag_catalog_size(const struct ag_catalog *c);

#ifdef __cplusplus
}
#endif
#endif
