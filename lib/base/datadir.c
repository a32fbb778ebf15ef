/* Where agora's data tables are. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool has_tables(const char *dir)
{
    char p[PATH_MAX + 32];
    struct stat st;
    snprintf(p, sizeof p, "%s/space-tags.csv", dir);
    return stat(p, &st) == 0;
}

const char *ag_data_dir(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("AGORA_DATA_DIR");
    if (env && *env)
        return env;
    /* Installed layout: <prefix>/bin/agora and <prefix>/share/agora. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(found, sizeof found, "%.*s/../share/agora", PATH_MAX - 32, exe);
            if (has_tables(found))
                return found;
        }
    }
#ifdef AGORA_DATADIR_INSTALL
    if (has_tables(AGORA_DATADIR_INSTALL))
        return AGORA_DATADIR_INSTALL;
#endif
#ifdef AGORA_DATADIR_SRC
    return AGORA_DATADIR_SRC;
#else
    return "data";
#endif
}
