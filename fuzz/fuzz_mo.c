/* libFuzzer target: the gettext .mo reader (lib/i18n). Any input must be
 * refused with a message naming it, or give a catalogue whose lookups
 * return a string for any key. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/i18n.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ag_catalog *c = NULL;
    struct ag_error err = {0};
    int rc = ag_catalog_from_mo("fr", data, size, "fuzz.mo", &c, &err);
    if (rc) {
        if (c || !strstr(err.msg, "fuzz.mo"))
            abort();
        return 0;
    }
    const char *keys[] = {"Risk", "Threat", "", "Risk register", "\xff\xfe"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *t = ag_tr(c, keys[i]);
        if (!t)
            abort();
        (void)strlen(t); /* a translation must be NUL-terminated inside the image */
        t = ag_trc(c, "ctx", keys[i]);
        if (!t)
            abort();
        (void)strlen(t);
    }
    ag_catalog_free(c);
    return 0;
}
