/* The C library's heap set up for one large batch computation.
 * docs/internals/memory.md. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__GLIBC__) && !AG_ASAN
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define AG_HEAP_TUNABLE 1
#endif

/* Huge pages are 2 MiB on x86-64 and on arm64 with 4 KiB pages. */
#define HUGE_PAGE ((uintptr_t)2 << 20)

bool ag_heap_for_batch(size_t reserve)
{
#ifdef AG_HEAP_TUNABLE
    /* Every thread in the one heap (the brk heap, which the advice below
     * covers); blocks up to 32 MiB (glibc's ceiling) from it rather than
     * from mmap; nothing handed back to the system while the job runs. */
    if (!mallopt(M_ARENA_MAX, 1) || !mallopt(M_MMAP_THRESHOLD, 32 << 20) ||
        !mallopt(M_TRIM_THRESHOLD, (int)(reserve < (1u << 30) ? 2 * reserve : 1u << 30)) ||
        !mallopt(M_TOP_PAD, (int)(reserve < (1u << 29) ? reserve : 1u << 29)))
        return false;
    /* A block as large as the reserve makes the heap grow unless its free
     * top holds that much already; given back at once, the room stays in
     * the heap, which spans [top - arena, top): glibc's main heap alone
     * before any thread has started. */
    size_t n = reserve < ((size_t)16 << 20) ? reserve : (size_t)16 << 20;
    void *probe = malloc(n ? n : 1);
    if (!probe)
        return false;
    uintptr_t at = (uintptr_t)probe;
    free(probe);
    char *brk_top = sbrk(0);
    uintptr_t top = (uintptr_t)brk_top, base = top - mallinfo2().arena;
    if (brk_top == (char *)-1 || at < base || at >= top)
        return false;
    uintptr_t from = (base + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t to = top & ~(HUGE_PAGE - 1);
    if (!(to > from && madvise((void *)from, to - from, MADV_HUGEPAGE) == 0))
        return false;
#ifdef MADV_POPULATE_WRITE
    /* Below the first huge page, the rest of the heap's pages mapped in one
     * call rather than one fault each (Linux 5.14; without it they fault as
     * before; pages already there stay as they are). */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t low = (base + page - 1) & ~(page - 1);
    if (from > low)
        madvise((void *)low, from - low, MADV_POPULATE_WRITE);
#endif
    return true;
#else
    (void)reserve;
    return false;
#endif
}
