/* seal.c: see seal.h. */
#include "core/seal.h"

#include "core/buf.h"
#include "core/id.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void derive(const unsigned char secret[32], const char *purpose,
                   unsigned char key[crypto_secretbox_KEYBYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, secret, 32, crypto_secretbox_KEYBYTES);
    crypto_generichash_update(&st, (const unsigned char *)"mstation-seal:", 14);
    crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose));
    crypto_generichash_final(&st, key, crypto_secretbox_KEYBYTES);
}

int ms_seal(const unsigned char secret[32], const char *purpose, const void *plain, size_t n,
            char **out, ms_error *err)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    derive(secret, purpose, key);
    size_t raw_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *raw = malloc(raw_len);
    char *text = malloc(3 + 4 * (raw_len / 3 + 1) + 1);
    if (!raw || !text) {
        free(raw);
        free(text);
        sodium_memzero(key, sizeof key);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    ms_random_bytes(raw, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, plain, n, raw, key);
    sodium_memzero(key, sizeof key);
    memcpy(text, "s1.", 3);
    ms_b64url_encode(raw, raw_len, text + 3);
    free(raw);
    *out = text;
    return 0;
}

int ms_unseal(const unsigned char secret[32], const char *purpose, const char *sealed, char **out,
              size_t *n, ms_error *err)
{
    size_t len = sealed ? strlen(sealed) : 0;
    if (len < 3 || strncmp(sealed, "s1.", 3) != 0)
        return ms_fail(err, MS_EINVAL, "unsealable", "not a sealed value");
    size_t cap = len; /* base64 decodes to less than its length */
    unsigned char *raw = malloc(cap);
    if (!raw) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    long raw_len = ms_b64url_decode(sealed + 3, raw, cap);
    if (raw_len < (long)(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)) {
        free(raw);
        return ms_fail(err, MS_EINVAL, "unsealable", "sealed value is damaged");
    }
    size_t plain_len = (size_t)raw_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *plain = malloc(plain_len + 1);
    unsigned char key[crypto_secretbox_KEYBYTES];
    derive(secret, purpose, key);
    int bad = !plain || crypto_secretbox_open_easy(
                            (unsigned char *)plain, raw + crypto_secretbox_NONCEBYTES,
                            (size_t)raw_len - crypto_secretbox_NONCEBYTES, raw, key) != 0;
    sodium_memzero(key, sizeof key);
    free(raw);
    if (bad) {
        free(plain);
        return ms_fail(err, MS_EINVAL, "unsealable",
                       "sealed value does not open with this server key");
    }
    plain[plain_len] = 0;
    *out = plain;
    if (n) *n = plain_len;
    return 0;
}
