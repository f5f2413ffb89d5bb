/* blake3_impl.h: what blake3.c shares with its SIMD variants (blake3_sse41.c, blake3_avx2.c,
 * blake3_avx512.c): the domain flags, the IV, the message schedule and the "hash many" entry
 * points, one per instruction set.
 *
 * A hash-many function compresses `n` independent inputs of `blocks` whole 64-byte blocks
 * each (whole 1 KiB chunks, or 64-byte parent nodes) and writes one 32-byte chaining value
 * per input, side by side in `out`. It is private to src/core/blake3*.c; nothing else should
 * include this file: the interface is blake3.h. */
#ifndef MS_BLAKE3_IMPL_H
#define MS_BLAKE3_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/blake3.h"

enum {
    MS_BLAKE3_CHUNK_START = 1 << 0,
    MS_BLAKE3_CHUNK_END = 1 << 1,
    MS_BLAKE3_PARENT = 1 << 2,
    MS_BLAKE3_ROOT = 1 << 3,
    MS_BLAKE3_KEYED_HASH = 1 << 4,
    MS_BLAKE3_DERIVE_KEY_CONTEXT = 1 << 5,
    MS_BLAKE3_DERIVE_KEY_MATERIAL = 1 << 6,
};

/* Initializers, not shared arrays: each file has its own static copy, so that with constant
 * indices (unrolled rounds) the compiler reads the table at compile time. */
#define MS_BLAKE3_IV_INIT                                                                          \
    {                                                                                              \
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB,        \
            0x5BE0CD19                                                                             \
    }

/* The message word order of each of the 7 rounds (the specification's permutation applied
 * 0, 1, ..., 6 times). */
#define MS_BLAKE3_SCHEDULE_INIT                                                                    \
    {                                                                                              \
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},                                    \
            {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},                                \
            {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},                                \
            {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},                                \
            {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},                                \
            {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},                                \
            {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},                                \
    }

/* Inline helpers of the round functions: forced, so that the schedule's indices are
 * constants in every round even where the compiler would not inline on its own. */
#define MS_BLAKE3_INLINE static inline __attribute__((always_inline))

/* Input i (0 <= i < n) starts at inputs[i] and has `blocks` blocks; its counter is
 * counter + i when `counter_step` is 1 (chunks), `counter` when it is 0 (parents). Every
 * block is compressed with `flags`; the first also with `flags_start`, the last also with
 * `flags_end`. Input i's chaining value goes to out + 32 * i (little-endian words). */
typedef void ms_blake3_many_fn(const uint8_t *const *inputs, size_t n, size_t blocks,
                               const uint32_t key[8], uint64_t counter, int counter_step,
                               uint32_t flags, uint32_t flags_start, uint32_t flags_end,
                               uint8_t *out);

ms_blake3_many_fn ms_blake3_many_portable;
#if defined(__x86_64__) || defined(__i386__)
#define MS_BLAKE3_X86 1
/* Each does as many inputs as its width allows at once (4, 8, 16) and hands the rest to the
 * next narrower one. Call them only on a CPU that has the instructions (blake3.c checks). */
ms_blake3_many_fn ms_blake3_many_sse41;
ms_blake3_many_fn ms_blake3_many_avx2;
ms_blake3_many_fn ms_blake3_many_avx512;
#endif

#endif
