/* blake3.h: BLAKE3 (hash, keyed hash, key derivation, extended output), written here from
 * the BLAKE3 specification (O'Connor, Aumasson, Neves, Wilcox-O'Hearn, 2020).
 *
 * This is the portable implementation: one compression at a time, incremental, any input
 * length. It is the reference the asset library's content digests are checked against; SIMD
 * variants that hash several chunks at once come later behind the same interface. It is not
 * a password hash and not a MAC construction beyond BLAKE3's own keyed mode. */
#ifndef MS_BLAKE3_H
#define MS_BLAKE3_H

#include <stddef.h>
#include <stdint.h>

#define MS_BLAKE3_OUT_LEN   32
#define MS_BLAKE3_KEY_LEN   32
#define MS_BLAKE3_BLOCK_LEN 64
#define MS_BLAKE3_CHUNK_LEN 1024

typedef struct ms_blake3_chunk {
    uint32_t cv[8];
    uint64_t counter;
    uint8_t block[MS_BLAKE3_BLOCK_LEN];
    uint8_t block_len;
    uint8_t blocks_compressed;
    uint32_t flags;
} ms_blake3_chunk;

typedef struct ms_blake3 {
    uint32_t key[8];
    ms_blake3_chunk chunk;
    uint8_t stack_len;
    uint32_t stack[54][8]; /* chaining values of completed subtrees: 2^54 chunks at most */
    uint32_t flags;
} ms_blake3;

void ms_blake3_init(ms_blake3 *h);
void ms_blake3_init_keyed(ms_blake3 *h, const uint8_t key[MS_BLAKE3_KEY_LEN]);
/* Key derivation: `context` is a hard-coded, globally unique, application-specific string. */
void ms_blake3_init_derive_key(ms_blake3 *h, const char *context);
void ms_blake3_update(ms_blake3 *h, const void *data, size_t len);
/* Write `len` bytes of output (32 for a digest; any length: extended output). Does not
 * change `h`: more input may follow, and finalizing again gives the longer input's hash. */
void ms_blake3_finalize(const ms_blake3 *h, uint8_t *out, size_t len);

/* One call: the 32-byte hash of `data`. */
void ms_blake3_hash(const void *data, size_t len, uint8_t out[MS_BLAKE3_OUT_LEN]);

#endif
