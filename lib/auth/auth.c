/* Passwords and tokens with libsodium (include/agora/auth.h).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

_Static_assert(crypto_pwhash_STRBYTES <= AG_PWHASH_MAX, "AG_PWHASH_MAX too small");

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[AG_PWHASH_MAX];

int ag_auth_init(struct ag_error *err)
{
    if (sodium_init() < 0)
        return ag_error_set(err, AG_EIO, "libsodium could not be initialised (no randomness?)");
    return 0;
}

int ag_password_check(const char *pw, struct ag_error *err)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < AG_PASSWORD_MIN)
        return ag_error_set(err, AG_EINVAL, "password: expected at least %d characters",
                            AG_PASSWORD_MIN);
    if (n > AG_PASSWORD_MAX)
        return ag_error_set(err, AG_EINVAL, "password: expected at most %d bytes", AG_PASSWORD_MAX);
    if (!ag_text_ok(pw))
        return ag_error_set(err, AG_EINVAL,
                            "password: expected UTF-8 text without control "
                            "characters");
    return 0;
}

int ag_password_hash(const char *pw, char out[AG_PWHASH_MAX], struct ag_error *err)
{
    int rc = ag_auth_init(err);
    if (rc)
        return rc;
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ag_error_set(err, AG_ENOMEM, "hashing a password: out of memory");
    return 0;
}

bool ag_password_verify(const char *hash, const char *pw)
{
    if (!hash || !pw || ag_auth_init(NULL))
        return false;
    if (!memchr(hash, 0, crypto_pwhash_STRBYTES))
        return false;
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static void make_dummy(void)
{
    char pw[AG_TOKEN_LEN + 1];
    ag_token_new(pw);
    if (ag_password_hash(pw, dummy_hash, NULL))
        dummy_hash[0] = 0;
}

const char *ag_password_dummy_hash(void)
{
    pthread_once(&dummy_once, make_dummy);
    return dummy_hash;
}

void ag_token_new(char out[AG_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    if (ag_auth_init(NULL) == 0)
        randombytes_buf(raw, sizeof raw);
    else
        memset(raw, 0, sizeof raw); /* unreachable in practice; sodium_init aborts first */
    sodium_bin2base64(out, AG_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void ag_token_hash(const char *token, uint8_t out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

bool ag_secret_equal(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na != nb || na == 0)
        return false;
    return sodium_memcmp(a, b, na) == 0;
}
