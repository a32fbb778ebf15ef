/* agora — passwords and tokens (libsodium): argon2id password hashes,
 * random session and CSRF tokens, token hashes, constant-time comparison.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_AUTH_H
#define AGORA_AUTH_H

#include "agora/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Room for an encoded argon2id hash ("$argon2id$v=19$m=...") with its NUL. */
#define AG_PWHASH_MAX 128
/* A token: 32 random bytes, base64url without padding, and its NUL. */
#define AG_TOKEN_LEN 43
#define AG_PASSWORD_MIN 10
#define AG_PASSWORD_MAX 1024

/* Initialises libsodium; safe to call more than once and from threads.
 * AG_EIO when the system gives no randomness. */
int ag_auth_init(struct ag_error *err);

/* Checks a new password: AG_PASSWORD_MIN..AG_PASSWORD_MAX bytes of text. */
int ag_password_check(const char *pw, struct ag_error *err);
/* argon2id with libsodium's interactive limits (64 MiB, 2 passes). */
int ag_password_hash(const char *pw, char out[AG_PWHASH_MAX], struct ag_error *err);
/* True when pw matches the hash; false for a malformed hash. */
bool ag_password_verify(const char *hash, const char *pw);
/* A hash to verify against when the user does not exist, so that a wrong
 * name costs as much time as a wrong password. */
const char *ag_password_dummy_hash(void);

/* A fresh random token (AG_TOKEN_LEN characters of [A-Za-z0-9_-]). */
void ag_token_new(char out[AG_TOKEN_LEN + 1]);
/* BLAKE2b-256 of the token: what the store keeps. */
void ag_token_hash(const char *token, uint8_t out[32]);
/* Compares two strings in time that depends only on their lengths. */
bool ag_secret_equal(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
