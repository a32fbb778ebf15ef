/* Where agora's data tables are. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool ag_dir_has(const char *dir, const char *probe)
{
    char p[PATH_MAX + 64];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, probe);
    return stat(p, &st) == 0;
}

/* The directory of the agora program: the running program's, except when it
 * is agora-full installed in <prefix>/<libexecdir>/agora (docs/internals/cli.md),
 * which finds what is installed from <prefix>/<bindir> as agora does. */
static bool program_dir(char *dir, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
#if defined AGORA_LIBEXEC_SUFFIX && defined AGORA_LIBEXEC_TO_BIN
    size_t len = strlen(exe), slen = strlen(AGORA_LIBEXEC_SUFFIX);
    if (!strcmp(slash + 1, "agora-full") && len >= slen &&
        !strcmp(exe + len - slen, AGORA_LIBEXEC_SUFFIX)) {
        snprintf(dir, cap, "%.*s/%s", PATH_MAX - 64, exe, AGORA_LIBEXEC_TO_BIN);
        return true;
    }
#endif
    snprintf(dir, cap, "%.*s", PATH_MAX - 32, exe);
    return true;
}

bool ag_beside_program(const char *rel, const char *probe, char *out, size_t cap)
{
    char dir[PATH_MAX];
    if (!program_dir(dir, sizeof dir))
        return false;
    snprintf(out, cap, "%.*s/%s", PATH_MAX - 32, dir, rel);
    return ag_dir_has(out, probe);
}

const char *ag_data_dir(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("AGORA_DATA_DIR");
    if (env && *env)
        return env;
    /* Installed layout: <prefix>/bin/agora and <prefix>/share/agora. */
    if (ag_beside_program("../share/agora", "space-tags.csv", found, sizeof found))
        return found;
#ifdef AGORA_DATADIR_INSTALL
    if (ag_dir_has(AGORA_DATADIR_INSTALL, "space-tags.csv"))
        return AGORA_DATADIR_INSTALL;
#endif
#ifdef AGORA_DATADIR_SRC
    return AGORA_DATADIR_SRC;
#else
    return "data";
#endif
}
