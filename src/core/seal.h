/* seal.h: authenticated encryption of small secrets kept at rest.
 *
 * Some stored values must be readable again later but never sit in the database in plain
 * text: the remembered response of a create that returned an API token, the invitation link
 * in a queued e-mail. They are sealed with XSalsa20-Poly1305 (libsodium secretbox) under a
 * key derived from the server key and a purpose string, so a copy of the database alone
 * reveals nothing and a value sealed for one purpose does not open for another. Sealed text
 * is "s1." + base64url(nonce || ciphertext). Not for passwords or tokens that only need
 * checking: those are hashed. */
#ifndef MS_SEAL_H
#define MS_SEAL_H

#include "core/error.h"

#include <stddef.h>

/* Seal `n` bytes; *out is malloc'd text. */
int ms_seal(const unsigned char secret[32], const char *purpose, const void *plain, size_t n,
            char **out, ms_error *err);
/* Open sealed text; *out is malloc'd and NUL-terminated, *n its length. MS_EINVAL when the
 * text was not sealed with this key and purpose, or was altered. */
int ms_unseal(const unsigned char secret[32], const char *purpose, const char *sealed, char **out,
              size_t *n, ms_error *err);

#endif
