/* mhl_hash.c: the hash formats of ASC MHL (md5, sha1, C4, xxh32, xxh64, xxh3, xxh128), a
 * streaming hasher that computes several of them in one pass over the data, the C4 id, and the
 * "hash of hashes" that directory hashes are made of.
 *
 * xxHash comes from libxxhash, MD5/SHA-1/SHA-512 from OpenSSL's EVP. Digest text is what the
 * reference tool writes: lower-case hex of the canonical (big-endian) digest, and for C4 the
 * SMPTE ST 2114 id. Not here: reading files (mhl.c does, with its own buffer), XML. */
#include "mhl/mhl.h"
#include "mhl/mhl_internal.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static const char *const format_names[MHL_NFORMATS] = {
    [MHL_MD5] = "md5",     [MHL_SHA1] = "sha1", [MHL_C4] = "c4",         [MHL_XXH32] = "xxh32",
    [MHL_XXH64] = "xxh64", [MHL_XXH3] = "xxh3", [MHL_XXH128] = "xxh128",
};

/* Digest length in bytes of the hex formats (C4: 64 bytes of SHA-512, written in base58). */
static const int format_bytes[MHL_NFORMATS] = {
    [MHL_MD5] = 16,  [MHL_SHA1] = 20, [MHL_C4] = 64,     [MHL_XXH32] = 4,
    [MHL_XXH64] = 8, [MHL_XXH3] = 8,  [MHL_XXH128] = 16,
};

const char *mhl_format_name(mhl_format f)
{
    return f > MHL_NONE && f < MHL_NFORMATS ? format_names[f] : NULL;
}

mhl_format mhl_format_parse(const char *name)
{
    if (!name) return MHL_NONE;
    for (int f = MHL_NONE + 1; f < MHL_NFORMATS; f++)
        if (!strcmp(format_names[f], name)) return (mhl_format)f;
    return MHL_NONE;
}

bool mhl_format_dirhash_ok(mhl_format f)
{
    return f > MHL_NONE && f < MHL_NFORMATS && f != MHL_XXH32;
}

/* ---- C4: base58 of the SHA-512 digest as one big-endian number, 88 digits ---- */

static const char c4_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static void c4_encode(const uint8_t digest[64], char out[MHL_DIGEST_MAX])
{
    uint8_t n[64];
    memcpy(n, digest, 64);
    char digits[88];
    /* Divide the number by 58 again and again; the remainders are the digits, last first.
     * 58^88 > 2^512, so 88 digits always suffice; leading zeros are written as '1'. */
    for (int i = 87; i >= 0; i--) {
        unsigned rem = 0;
        for (int k = 0; k < 64; k++) {
            unsigned cur = rem * 256 + n[k];
            n[k] = (uint8_t)(cur / 58);
            rem = cur % 58;
        }
        digits[i] = c4_alphabet[rem];
    }
    out[0] = 'c';
    out[1] = '4';
    memcpy(out + 2, digits, 88);
    out[90] = 0;
}

static int c4_digit(char c)
{
    const char *p = c ? strchr(c4_alphabet, c) : NULL;
    return p ? (int)(p - c4_alphabet) : -1;
}

/* Decode a C4 id into its 64 digest bytes; false when it is not one. */
static bool c4_decode(const char *s, uint8_t out[64])
{
    if (strlen(s) != 90 || s[0] != 'c' || s[1] != '4') return false;
    memset(out, 0, 64);
    for (int i = 2; i < 90; i++) {
        int d = c4_digit(s[i]);
        if (d < 0) return false;
        unsigned carry = (unsigned)d;
        for (int k = 63; k >= 0; k--) {
            unsigned cur = out[k] * 58u + carry;
            out[k] = (uint8_t)cur;
            carry = cur >> 8;
        }
        if (carry) return false; /* larger than 2^512 */
    }
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool mhl_digest_valid(mhl_format f, const char *s)
{
    if (f <= MHL_NONE || f >= MHL_NFORMATS || !s) return false;
    if (f == MHL_C4) {
        uint8_t tmp[64];
        return c4_decode(s, tmp);
    }
    size_t n = strlen(s);
    if (n != (size_t)format_bytes[f] * 2) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* ---- the streaming hasher ---- */

struct mhl_hasher {
    unsigned formats;
    EVP_MD_CTX *md5, *sha1, *sha512;
    XXH32_state_t *x32;
    XXH64_state_t *x64;
    XXH3_state_t *x3, *x128;
};

/* Start over; false when OpenSSL refuses a digest (a FIPS-only OpenSSL has no MD5). */
static bool hasher_reset(mhl_hasher *h)
{
    bool ok = true;
    if (h->md5) ok &= EVP_DigestInit_ex(h->md5, EVP_md5(), NULL) == 1;
    if (h->sha1) ok &= EVP_DigestInit_ex(h->sha1, EVP_sha1(), NULL) == 1;
    if (h->sha512) ok &= EVP_DigestInit_ex(h->sha512, EVP_sha512(), NULL) == 1;
    if (h->x32) XXH32_reset(h->x32, 0);
    if (h->x64) XXH64_reset(h->x64, 0);
    if (h->x3) XXH3_64bits_reset(h->x3);
    if (h->x128) XXH3_128bits_reset(h->x128);
    return ok;
}

int mhl_hasher_new(unsigned formats, mhl_hasher **out, ms_error *e)
{
    *out = NULL;
    if (!formats || formats & ~((MHL_FMT_BIT(MHL_NFORMATS) - 1) & ~MHL_FMT_BIT(MHL_NONE)))
        return ms_fail(e, MS_EINVAL, NULL, "no hash format, or an unknown one, was asked for");
    mhl_hasher *h = calloc(1, sizeof *h);
    if (!h) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    h->formats = formats;
    bool ok = true;
    if (formats & MHL_FMT_BIT(MHL_MD5)) ok &= (h->md5 = EVP_MD_CTX_new()) != NULL;
    if (formats & MHL_FMT_BIT(MHL_SHA1)) ok &= (h->sha1 = EVP_MD_CTX_new()) != NULL;
    if (formats & MHL_FMT_BIT(MHL_C4)) ok &= (h->sha512 = EVP_MD_CTX_new()) != NULL;
    if (formats & MHL_FMT_BIT(MHL_XXH32)) ok &= (h->x32 = XXH32_createState()) != NULL;
    if (formats & MHL_FMT_BIT(MHL_XXH64)) ok &= (h->x64 = XXH64_createState()) != NULL;
    if (formats & MHL_FMT_BIT(MHL_XXH3)) ok &= (h->x3 = XXH3_createState()) != NULL;
    if (formats & MHL_FMT_BIT(MHL_XXH128)) ok &= (h->x128 = XXH3_createState()) != NULL;
    if (!ok) {
        mhl_hasher_free(h);
        return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    }
    if (!hasher_reset(h)) {
        mhl_hasher_free(h);
        return ms_fail(e, MS_EINTERNAL, NULL, "OpenSSL cannot compute one of the digests asked");
    }
    *out = h;
    return 0;
}

void mhl_hasher_update(mhl_hasher *h, const void *p, size_t n)
{
    if (!n) return;
    if (h->x128) XXH3_128bits_update(h->x128, p, n);
    if (h->x64) XXH64_update(h->x64, p, n);
    if (h->x3) XXH3_64bits_update(h->x3, p, n);
    if (h->x32) XXH32_update(h->x32, p, n);
    if (h->md5) EVP_DigestUpdate(h->md5, p, n);
    if (h->sha1) EVP_DigestUpdate(h->sha1, p, n);
    if (h->sha512) EVP_DigestUpdate(h->sha512, p, n);
}

void mhl_hasher_final(mhl_hasher *h, char d[MHL_NFORMATS][MHL_DIGEST_MAX])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned len;
    for (int f = 0; f < MHL_NFORMATS; f++)
        d[f][0] = 0;
    if (h->md5 && EVP_DigestFinal_ex(h->md5, md, &len)) ms_hex_encode(md, len, d[MHL_MD5]);
    if (h->sha1 && EVP_DigestFinal_ex(h->sha1, md, &len)) ms_hex_encode(md, len, d[MHL_SHA1]);
    if (h->sha512 && EVP_DigestFinal_ex(h->sha512, md, &len) && len == 64) c4_encode(md, d[MHL_C4]);
    if (h->x32) {
        XXH32_canonical_t c;
        XXH32_canonicalFromHash(&c, XXH32_digest(h->x32));
        ms_hex_encode(c.digest, sizeof c.digest, d[MHL_XXH32]);
    }
    if (h->x64) {
        XXH64_canonical_t c;
        XXH64_canonicalFromHash(&c, XXH64_digest(h->x64));
        ms_hex_encode(c.digest, sizeof c.digest, d[MHL_XXH64]);
    }
    if (h->x3) {
        XXH64_canonical_t c;
        XXH64_canonicalFromHash(&c, XXH3_64bits_digest(h->x3));
        ms_hex_encode(c.digest, sizeof c.digest, d[MHL_XXH3]);
    }
    if (h->x128) {
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits_digest(h->x128));
        ms_hex_encode(c.digest, sizeof c.digest, d[MHL_XXH128]);
    }
    hasher_reset(h);
}

void mhl_hasher_free(mhl_hasher *h)
{
    if (!h) return;
    EVP_MD_CTX_free(h->md5);
    EVP_MD_CTX_free(h->sha1);
    EVP_MD_CTX_free(h->sha512);
    if (h->x32) XXH32_freeState(h->x32);
    if (h->x64) XXH64_freeState(h->x64);
    if (h->x3) XXH3_freeState(h->x3);
    if (h->x128) XXH3_freeState(h->x128);
    free(h);
}

int mhl_hash_data(mhl_format f, const void *p, size_t n, char out[MHL_DIGEST_MAX], ms_error *e)
{
    mhl_hasher *h;
    int rc = mhl_hasher_new(MHL_FMT_BIT(f), &h, e);
    if (rc) return rc;
    char d[MHL_NFORMATS][MHL_DIGEST_MAX];
    mhl_hasher_update(h, p, n);
    mhl_hasher_final(h, d);
    mhl_hasher_free(h);
    memcpy(out, d[f], MHL_DIGEST_MAX);
    return 0;
}

void mhl_c4(const void *p, size_t n, char out[MHL_DIGEST_MAX])
{
    uint8_t md[64];
    unsigned len = 0;
    if (!EVP_Digest(p, n, md, &len, EVP_sha512(), NULL) || len != 64) {
        out[0] = 0; /* only when OpenSSL itself is broken */
        return;
    }
    c4_encode(md, out);
}

/* ---- hash of hashes ---- */

int mhl_digest_bytes(mhl_format f, const char *s, uint8_t *out, size_t cap, size_t *n)
{
    if (f == MHL_C4) {
        if (cap < 64 || !c4_decode(s, out)) return -1;
        *n = 64;
        return 0;
    }
    size_t len = strlen(s);
    if (len % 2 || len / 2 > cap) return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *n = len / 2;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int mhl_hash_of_hashes(mhl_format f, const char *const *digests, size_t n, char out[MHL_DIGEST_MAX],
                       ms_error *e)
{
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    if (n) memcpy(sorted, digests, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    mhl_hasher *h;
    int rc = mhl_hasher_new(MHL_FMT_BIT(f), &h, e);
    for (size_t i = 0; !rc && i < n; i++) {
        uint8_t bytes[128];
        size_t len;
        if (mhl_digest_bytes(f, sorted[i], bytes, sizeof bytes, &len))
            rc = ms_fail(e, MS_EINVAL, NULL, "\"%.100s\" is not a %s digest", sorted[i],
                         mhl_format_name(f));
        else
            mhl_hasher_update(h, bytes, len);
    }
    if (!rc) {
        char d[MHL_NFORMATS][MHL_DIGEST_MAX];
        mhl_hasher_final(h, d);
        memcpy(out, d[f], MHL_DIGEST_MAX);
    }
    mhl_hasher_free(h);
    free(sorted);
    return rc;
}
