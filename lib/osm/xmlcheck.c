/* A strict first pass over OSM XML with expat, before readosm reads it.
 *
 * readosm 1.1.0 dereferences attributes it expects without checking them
 * (a <tag> without v, a <member> without role crash it), and reports XML
 * errors without a position. This pass refuses such documents with the
 * line and column, so a bad file is a clear error, never a crash.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "osm/rules.h"

#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <string.h>

struct check {
    XML_Parser parser;
    const char *path;
    char problem[256];
    unsigned long line, column;
};

/* The attributes readosm reads from each element. */
static const struct {
    const char *element;
    const char *attrs[4];
} REQUIRED[] = {
    {"node", {"id", "lat", "lon", NULL}},
    {"way", {"id", NULL}},
    {"relation", {"id", NULL}},
    {"nd", {"ref", NULL}},
    {"tag", {"k", "v", NULL}},
    {"member", {"type", "ref", "role", NULL}},
};

static bool has_attr(const XML_Char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (!strcmp(atts[i], name))
            return true;
    return false;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct check *c = ud;
    for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0]; i++) {
        if (strcmp(name, REQUIRED[i].element) != 0)
            continue;
        for (size_t j = 0; REQUIRED[i].attrs[j]; j++) {
            if (has_attr(atts, REQUIRED[i].attrs[j]))
                continue;
            snprintf(c->problem, sizeof c->problem, "<%s> without the attribute %s", name,
                     REQUIRED[i].attrs[j]);
            c->line = XML_GetCurrentLineNumber(c->parser);
            c->column = XML_GetCurrentColumnNumber(c->parser) + 1;
            XML_StopParser(c->parser, XML_FALSE);
            return;
        }
    }
}

int ag__osm_xml_check(const char *path, struct ag_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ag_error_set(err, errno == ENOENT ? AG_ENOENT : AG_EIO, "%s: %s", path,
                            strerror(errno));
    struct check c = {XML_ParserCreate(NULL), path, "", 0, 0};
    if (!c.parser) {
        fclose(f);
        return ag_error_set(err, AG_ENOMEM, "%s: out of memory", path);
    }
    XML_SetUserData(c.parser, &c);
    XML_SetStartElementHandler(c.parser, on_start);
    int rc = 0;
    char chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        bool last = n < sizeof chunk;
        if (XML_Parse(c.parser, chunk, (int)n, last) == XML_STATUS_ERROR) {
            if (c.problem[0])
                rc = ag_error_set(err, AG_EPARSE, "%s:%lu:%lu: %s", path, c.line, c.column,
                                  c.problem);
            else {
                /* An error met only when the end of the file was reached is
                 * what a cut-off download looks like. */
                enum XML_Error code = XML_GetErrorCode(c.parser);
                bool at_end = last && (code == XML_ERROR_NO_ELEMENTS ||
                                       code == XML_ERROR_UNCLOSED_TOKEN ||
                                       code == XML_ERROR_PARTIAL_CHAR ||
                                       code == XML_ERROR_UNCLOSED_CDATA_SECTION);
                rc = ag_error_set(err, AG_EPARSE, "%s:%lu:%lu: not well-formed XML: %s%s", path,
                                  (unsigned long)XML_GetCurrentLineNumber(c.parser),
                                  (unsigned long)XML_GetCurrentColumnNumber(c.parser) + 1,
                                  XML_ErrorString(code),
                                  at_end ? " (the file ends early: truncated?)" : "");
            }
            break;
        }
        if (last)
            break;
    }
    if (!rc && ferror(f))
        rc = ag_error_set(err, AG_EIO, "%s: read error", path);
    XML_ParserFree(c.parser);
    fclose(f);
    return rc;
}
