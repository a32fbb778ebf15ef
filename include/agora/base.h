/* agora — base: error codes, bounded buffers, growable arrays, logging,
 * progress. Every other module depends on this one and nothing else of agora.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_BASE_H
#define AGORA_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One table of error codes for the whole library (libuv style). Functions
 * return 0 on success or one of these negative codes. */
#define AG_ERRNO_MAP(XX)                                                      \
    XX(EINVAL, -1, "invalid argument")                                       \
    XX(ENOMEM, -2, "out of memory")                                          \
    XX(EIO, -3, "input/output error")                                        \
    XX(ENOENT, -4, "no such file")                                           \
    XX(EPARSE, -5, "malformed input")                                        \
    XX(EEMPTY, -6, "no usable data")                                         \
    XX(EGEOM, -7, "invalid geometry")                                        \
    XX(ESTORE, -8, "database error")                                         \
    XX(EREADONLY, -9, "read-only location")                                  \
    XX(ENOTFOUND, -10, "not found")                                          \
    XX(ELIMIT, -11, "size limit exceeded")                                   \
    XX(EPROJ, -12, "projection error")                                       \
    XX(EAMBIG, -13, "ambiguous reference")                                   \
    XX(EVERSION, -14, "unsupported version")                                 \
    XX(ECONFLICT, -15, "changed by someone else")                            \
    XX(EEXIST, -16, "already exists")

enum ag_errno {
    AG_OK = 0,
#define AG__XX(name, code, text) AG_##name = code,
    AG_ERRNO_MAP(AG__XX)
#undef AG__XX
};

/* Short English text for an error code; never NULL. */
const char *ag_strerror(int code);
/* Symbolic name ("EPARSE") for an error code; never NULL. */
const char *ag_errname(int code);

/* A caller-owned error record: the code and a human message naming the file,
 * line or field that was wrong. Functions that take a `struct ag_error *`
 * accept NULL when the caller does not want the message. */
struct ag_error {
    int code;
    char msg[1024];
};

/* Sets err (when not NULL) and returns code, so a failure site reads
 * `return ag_error_set(err, AG_EPARSE, "%s:%d: ...", file, line);` */
int ag_error_set(struct ag_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with context ("importing x.pbf: ..."). */
int ag_error_prefix(struct ag_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ag_error_clear(struct ag_error *err);

/* ---- bounded byte buffer (curl's dynbuf idea) ----
 * Every buffer has a maximum size fixed at init; an append past it fails with
 * AG_ELIMIT and leaves the buffer as it was. The content is always
 * NUL-terminated. */
struct ag_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

void ag_buf_init(struct ag_buf *b, size_t max);
void ag_buf_free(struct ag_buf *b);
void ag_buf_reset(struct ag_buf *b);
int ag_buf_append(struct ag_buf *b, const void *data, size_t len);
int ag_buf_puts(struct ag_buf *b, const char *s);
int ag_buf_printf(struct ag_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ag_buf_vprintf(struct ag_buf *b, const char *fmt, va_list ap);
/* Appends s with the five HTML/XML special characters escaped. */
int ag_buf_put_html(struct ag_buf *b, const char *s);
/* Appends s as a JSON string literal, quotes included. */
int ag_buf_put_json_str(struct ag_buf *b, const char *s);
/* Appends v with `decimals` decimals (ag_format_fixed: "." whatever the
 * locale) as a JSON number, or null when v is NaN or infinite. */
int ag_buf_put_fixed(struct ag_buf *b, double v, int decimals);
/* Hands the content over to the caller (free() it) and resets b. */
char *ag_buf_take(struct ag_buf *b);

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) and no
 * control characters: for text fields of outside files that end up in HTML,
 * JSON and terminals. */
bool ag_text_ok(const char *s);

/* Writes v with `decimals` decimals (1..15) by integer arithmetic: printf's
 * "%f" honours the locale's decimal separator, and a library must write
 * "7.42" whatever locale its host program chose. Exact while |v|·10^decimals
 * stays within a double's 53-bit mantissa (degrees with 12 decimals do). */
void ag_format_fixed(char *out, size_t cap, double v, int decimals);

/* Reads a whole file into b (bounded by b->max). */
int ag_file_read(const char *path, struct ag_buf *b, struct ag_error *err);
/* Writes data to path atomically: a temporary file in the same directory is
 * written, flushed and renamed over path, so readers see the old or the new
 * file, never half of one. */
int ag_file_write_atomic(const char *path, const void *data, size_t len,
                         struct ag_error *err);
/* mkdir -p. */
int ag_mkdirs(const char *path, struct ag_error *err);

/* ---- growable array of fixed-size elements ---- */
struct ag_vec {
    void *data;
    size_t len;
    size_t cap;
    size_t elem;
};

/* The one growth rule of every array in agora: makes room for at least
 * `need` elements of `elem` bytes in the block `data` of capacity *cap,
 * doubling from `first`. Returns the (possibly moved) block and updates
 * *cap, or returns NULL (out of memory or size overflow) leaving data and
 * *cap as they were. */
void *ag_grow(void *data, size_t *cap, size_t need, size_t elem, size_t first);

void ag_vec_init(struct ag_vec *v, size_t elem_size);
void ag_vec_free(struct ag_vec *v);
/* Appends one element copied from elem (or zeroed when elem is NULL) and
 * returns a pointer to it, or NULL when out of memory. */
void *ag_vec_push(struct ag_vec *v, const void *elem);
int ag_vec_reserve(struct ag_vec *v, size_t n);
#define AG_VEC_AT(v, type, i) (((type *)(v)->data)[i])
/* Sorts a vec of int64_t ascending (an empty one too: qsort must not see
 * its NULL data). */
void ag_vec_sort_i64(struct ag_vec *v);

/* ---- hash map from 64-bit keys to 64-bit values (open addressing) ---- */
struct ag_u64map {
    uint64_t *keys;
    uint64_t *vals;
    uint8_t *used;
    size_t len;
    size_t cap;
};

void ag_u64map_init(struct ag_u64map *m);
void ag_u64map_free(struct ag_u64map *m);
int ag_u64map_put(struct ag_u64map *m, uint64_t key, uint64_t val);
/* Returns true and stores the value in *val when key is present. */
bool ag_u64map_get(const struct ag_u64map *m, uint64_t key, uint64_t *val);

/* ---- logging ---- */
enum ag_log_level { AG_LOG_ERROR, AG_LOG_WARN, AG_LOG_INFO, AG_LOG_DEBUG };
void ag_log_set_level(enum ag_log_level level);
enum ag_log_level ag_log_get_level(void);
void ag_log(enum ag_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- progress on a terminal ----
 * Draws a one-line bar on stderr when stderr is a terminal, at most ten times
 * a second; prints nothing at all when stderr is piped or redirected. A total
 * of 0 means "unknown": a counter is shown instead of a bar. */
struct ag_progress {
    const char *label;
    uint64_t total;
    uint64_t done;
    double started;
    double last_draw;
    bool active;
    bool drawn;
};

void ag_progress_start(struct ag_progress *p, const char *label,
                       uint64_t total);
void ag_progress_update(struct ag_progress *p, uint64_t done);
void ag_progress_end(struct ag_progress *p);
/* Force progress on or off regardless of the terminal (tests, --quiet). */
void ag_progress_force(int on_off_or_minus1_auto);

/* Monotonic clock in seconds. */
double ag_now(void);

/* 1 in a build with AddressSanitizer (GCC's flag or Clang's feature), else 0:
 * code that does its own memory management gives ASan plain blocks there. */
#if defined(__SANITIZE_ADDRESS__)
#define AG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_ASAN 1
#endif
#endif
#ifndef AG_ASAN
#define AG_ASAN 0
#endif

/* Sets the C library's heap up for one large computation in this process
 * (glibc; docs/internals/memory.md): every thread allocates from the one
 * heap, which grows by at least `reserve` bytes at a time and keeps what is
 * freed, and the kernel is asked for huge pages there (a process that builds
 * ~15 MB of arrays otherwise takes some 3700 page faults, dear in a virtual
 * machine). Call it before any thread starts. Returns whether the heap could
 * be set up so; false under AddressSanitizer, whose allocator is its own, or
 * another C library, and nothing else changes. */
bool ag_heap_for_batch(size_t reserve);

/* Locale-independent number parsing: "12.5" always means twelve and a half.
 * Returns false when s is not entirely a number (surrounding spaces allowed). */
bool ag_parse_double(const char *s, double *out);

/* The directory holding agora's data tables (space-tags.csv, ...): $AGORA_DATA_DIR
 * when set, else <prefix>/share/agora next to the running program, else the
 * source tree's data/ directory this build was made from. */
const char *ag_data_dir(void);
/* Whether dir holds the file probe (a relative path). */
bool ag_dir_has(const char *dir, const char *probe);
/* Sets out to <directory of the running program>/rel and returns whether
 * it holds probe: how agora finds what is installed or built beside it.
 * agora-full installed in <prefix>/libexec/agora counts as <prefix>/bin, where
 * agora is (docs/internals/cli.md). */
bool ag_beside_program(const char *rel, const char *probe, char *out, size_t cap);
/* An excerpt of an outside field for an error message: at most 40 bytes,
 * control characters, quotes and backslashes replaced by '?', "..." when
 * cut, so that a hostile file cannot garble the message. Returns buf. */
const char *ag_excerpt(const char *s, char *buf, size_t cap);

/* ---- RFC 4180 CSV records from memory ----
 * Comma-separated; a field may be quoted with '"' (a quote inside doubled)
 * and then hold commas, quotes and line breaks; CRLF or LF line ends; a
 * UTF-8 byte-order mark at the start is skipped. Fields are NUL-terminated
 * copies valid until the next call. Errors name the path and the line the
 * record starts on (and the line of the fault in a quoted field). */
struct ag_csv {
    const char *p, *end;
    const char *path;
    int line;        /* line where the current record starts (1-based) */
    int next_line;   /* line where the next record starts */
    char **field;    /* field[0..nfield-1] */
    size_t nfield;
    size_t field_cap;
    struct ag_buf text;
};

void ag_csv_init(struct ag_csv *c, const char *data, size_t len, const char *path);
/* 1: a record was read; 0: end of input; < 0: AG_EPARSE (a quote left
 * open, text after a closing quote, a NUL byte) or AG_ENOMEM, err set. An
 * empty line is a record of one empty field. */
int ag_csv_next(struct ag_csv *c, struct ag_error *err);
void ag_csv_free(struct ag_csv *c);

/* strdup that returns NULL for NULL. */
char *ag_strdup(const char *s);

#ifdef __cplusplus
}
#endif
#endif
