/* credentials.c: passwords and random credentials.
 *
 * Passwords are slow on purpose: argon2id at libsodium's "interactive" cost (64 MiB, 2
 * passes), about 0.1 s, checked only at sign-in and password change. Everything that is
 * checked on every request (API tokens, session cookies) is a 256-bit random value stored as
 * a keyed BLAKE2b hash: a lookup by hash costs microseconds, and a stolen database does not
 * reveal usable credentials without the server key. */
#include "auth/auth.h"

#include "core/buf.h"
#include "core/json.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int password_check_policy(const char *password, const char *email, ms_error *err)
{
    size_t chars = ms_utf8_chars(password);
    if (chars < AUTH_PASSWORD_MIN)
        return ms_field_fail(err, "password", "must be at least %d characters", AUTH_PASSWORD_MIN);
    if (strlen(password) > AUTH_PASSWORD_MAX)
        return ms_field_fail(err, "password", "must be at most %d bytes", AUTH_PASSWORD_MAX);
    if (!ms_str_is_clean_text(password, AUTH_PASSWORD_MAX, false))
        return ms_field_fail(err, "password", "must not contain control characters");
    if (email && strcasecmp(password, email) == 0)
        return ms_field_fail(err, "password", "must not be the e-mail address");
    /* One repeated character ("aaaaaaaaaa") is not a password. */
    bool same = true;
    for (const char *p = password; *p; p++)
        same = same && *p == password[0];
    if (same) return ms_field_fail(err, "password", "must not be one repeated character");
    return 0;
}

int password_hash(const char *password, char out[128], ms_error *err)
{
    _Static_assert(crypto_pwhash_STRBYTES <= 128, "hash buffer");
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ms_fail(err, MS_ENOMEM, NULL, "not enough memory to hash the password");
    return 0;
}

bool password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char pw[32];
    password_generate(pw);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = 0;
}

void password_verify_dummy(const char *password)
{
    pthread_once(&dummy_once, make_dummy);
    if (dummy_hash[0]) {
        /* The answer is always "no"; only the time spent matters. */
        int no = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
        (void)no;
    }
}

void password_generate(char out[32])
{
    /* 32 symbols without 0/o/1/l/i: 5 bits each, 20 symbols = 100 bits. */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    static const size_t n = sizeof alphabet - 1; /* 31: rejection sampling keeps it uniform */
    size_t o = 0;
    for (int group = 0; group < 4; group++) {
        if (group) out[o++] = '-';
        for (int i = 0; i < 5;) {
            unsigned char b;
            ms_random_bytes(&b, 1);
            if (b >= 248) continue; /* 248 = 8 * 31 */
            out[o++] = alphabet[b % n];
            i++;
        }
    }
    out[o] = 0;
}

void auth_credential_hash(const ms_env *env, const char *purpose, const char *credential,
                          char out[65])
{
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, env->secret, sizeof env->secret, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
    crypto_generichash_update(&st, (const unsigned char *)credential, strlen(credential));
    crypto_generichash_final(&st, h, sizeof h);
    ms_hex_encode(h, sizeof h, out);
}

void auth_credential_new(const char *prefix, char out[64])
{
    unsigned char r[32];
    ms_random_bytes(r, sizeof r);
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    ms_b64url_encode(r, sizeof r, out + p);
}
