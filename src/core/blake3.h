/* blake3.h: BLAKE3 (hash, keyed hash, key derivation, extended output), written here from
 * the BLAKE3 specification (O'Connor, Aumasson, Neves, Wilcox-O'Hearn, 2020).
 *
 * Incremental, any input length. Large updates are hashed a subtree of whole chunks at a
 * time, several chunks side by side with SIMD where the CPU has it (SSE4.1: 4, AVX2: 8,
 * AVX-512: 16 at once; chosen at run time, see ms_blake3_impl); small updates and the output
 * go through the portable code. It is not a password hash and not a MAC construction beyond
 * BLAKE3's own keyed mode, and it uses one thread. */
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
    /* Chaining values (32 bytes each) of completed subtrees, left to right: at most 54 levels
     * (2^64 bytes) plus one not yet merged. Bytes, so that two neighbours form a parent. */
    uint8_t stack[55 * MS_BLAKE3_OUT_LEN];
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

/* The implementation in use: "portable", "sse41", "avx2" or "avx512" (the best this CPU
 * has; the environment variable MS_BLAKE3_IMPL, read once, may name a lower one). */
const char *ms_blake3_impl(void);

/* For tests and benchmarks: use the named implementation from now on, for every thread
 * (NULL: back to the automatic choice). Returns 0, MS_EINVAL for an unknown name, or
 * MS_ENOTFOUND when this CPU lacks the instructions (nothing changes then). Not for use
 * while other threads hash. */
int ms_blake3_force_impl(const char *name);

#endif
