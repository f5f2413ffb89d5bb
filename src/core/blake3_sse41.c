/* blake3_sse41.c: BLAKE3 "hash many" with SSE4.1: four inputs (chunks or parents) side by
 * side, one 32-bit lane each. See blake3_impl.h for the contract and blake3_avx2.c for the
 * layout, which this file repeats at a quarter of the width.
 *
 * Compiled for every x86 CPU (the functions carry target("sse4.1"), no file-wide flags);
 * blake3.c calls it only when the CPU has SSE4.1. Not here: single compressions. */
#include "core/blake3_impl.h"

#ifdef MS_BLAKE3_X86

#include <immintrin.h>

#define TARGET __attribute__((target("sse4.1")))
#define INLINE MS_BLAKE3_INLINE TARGET

static const uint32_t IV[8] = MS_BLAKE3_IV_INIT;
static const uint8_t SCHEDULE[7][16] = MS_BLAKE3_SCHEDULE_INIT;

INLINE __m128i add(__m128i a, __m128i b)
{
    return _mm_add_epi32(a, b);
}

INLINE __m128i vxor(__m128i a, __m128i b)
{
    return _mm_xor_si128(a, b);
}

/* Rotations right by 16 and 8 move whole bytes (one byte shuffle); 12 and 7 do not. */
INLINE __m128i rot16(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2));
}

INLINE __m128i rot12(__m128i x)
{
    return _mm_or_si128(_mm_srli_epi32(x, 12), _mm_slli_epi32(x, 20));
}

INLINE __m128i rot8(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(12, 15, 14, 13, 8, 11, 10, 9, 4, 7, 6, 5, 0, 3, 2, 1));
}

INLINE __m128i rot7(__m128i x)
{
    return _mm_or_si128(_mm_srli_epi32(x, 7), _mm_slli_epi32(x, 25));
}

/* One round of the portable code (G on the four columns, then on the four diagonals) on
 * 4 inputs at once, one G function after the other (measured: with SSE's two-operand
 * instructions this beats interleaving two or four of them). */
INLINE void round4(__m128i v[16], const __m128i m[16], int r)
{
    const uint8_t *s = SCHEDULE[r];
    /* Columns: G 0. */
    v[0] = add(add(v[0], v[4]), m[s[0]]);
    v[12] = rot16(vxor(v[12], v[0]));
    v[8] = add(v[8], v[12]);
    v[4] = rot12(vxor(v[4], v[8]));
    v[0] = add(add(v[0], v[4]), m[s[1]]);
    v[12] = rot8(vxor(v[12], v[0]));
    v[8] = add(v[8], v[12]);
    v[4] = rot7(vxor(v[4], v[8]));
    /* Columns: G 1. */
    v[1] = add(add(v[1], v[5]), m[s[2]]);
    v[13] = rot16(vxor(v[13], v[1]));
    v[9] = add(v[9], v[13]);
    v[5] = rot12(vxor(v[5], v[9]));
    v[1] = add(add(v[1], v[5]), m[s[3]]);
    v[13] = rot8(vxor(v[13], v[1]));
    v[9] = add(v[9], v[13]);
    v[5] = rot7(vxor(v[5], v[9]));
    /* Columns: G 2. */
    v[2] = add(add(v[2], v[6]), m[s[4]]);
    v[14] = rot16(vxor(v[14], v[2]));
    v[10] = add(v[10], v[14]);
    v[6] = rot12(vxor(v[6], v[10]));
    v[2] = add(add(v[2], v[6]), m[s[5]]);
    v[14] = rot8(vxor(v[14], v[2]));
    v[10] = add(v[10], v[14]);
    v[6] = rot7(vxor(v[6], v[10]));
    /* Columns: G 3. */
    v[3] = add(add(v[3], v[7]), m[s[6]]);
    v[15] = rot16(vxor(v[15], v[3]));
    v[11] = add(v[11], v[15]);
    v[7] = rot12(vxor(v[7], v[11]));
    v[3] = add(add(v[3], v[7]), m[s[7]]);
    v[15] = rot8(vxor(v[15], v[3]));
    v[11] = add(v[11], v[15]);
    v[7] = rot7(vxor(v[7], v[11]));
    /* Diagonals: G 0. */
    v[0] = add(add(v[0], v[5]), m[s[8]]);
    v[15] = rot16(vxor(v[15], v[0]));
    v[10] = add(v[10], v[15]);
    v[5] = rot12(vxor(v[5], v[10]));
    v[0] = add(add(v[0], v[5]), m[s[9]]);
    v[15] = rot8(vxor(v[15], v[0]));
    v[10] = add(v[10], v[15]);
    v[5] = rot7(vxor(v[5], v[10]));
    /* Diagonals: G 1. */
    v[1] = add(add(v[1], v[6]), m[s[10]]);
    v[12] = rot16(vxor(v[12], v[1]));
    v[11] = add(v[11], v[12]);
    v[6] = rot12(vxor(v[6], v[11]));
    v[1] = add(add(v[1], v[6]), m[s[11]]);
    v[12] = rot8(vxor(v[12], v[1]));
    v[11] = add(v[11], v[12]);
    v[6] = rot7(vxor(v[6], v[11]));
    /* Diagonals: G 2. */
    v[2] = add(add(v[2], v[7]), m[s[12]]);
    v[13] = rot16(vxor(v[13], v[2]));
    v[8] = add(v[8], v[13]);
    v[7] = rot12(vxor(v[7], v[8]));
    v[2] = add(add(v[2], v[7]), m[s[13]]);
    v[13] = rot8(vxor(v[13], v[2]));
    v[8] = add(v[8], v[13]);
    v[7] = rot7(vxor(v[7], v[8]));
    /* Diagonals: G 3. */
    v[3] = add(add(v[3], v[4]), m[s[14]]);
    v[14] = rot16(vxor(v[14], v[3]));
    v[9] = add(v[9], v[14]);
    v[4] = rot12(vxor(v[4], v[9]));
    v[3] = add(add(v[3], v[4]), m[s[15]]);
    v[14] = rot8(vxor(v[14], v[3]));
    v[9] = add(v[9], v[14]);
    v[4] = rot7(vxor(v[4], v[9]));
}

/* Rows of 4 words become columns: x[i] word j <-> x[j] word i. */
INLINE void transpose4(__m128i x[4])
{
    __m128i t0 = _mm_unpacklo_epi32(x[0], x[1]); /* 00 10 01 11 */
    __m128i t1 = _mm_unpackhi_epi32(x[0], x[1]); /* 02 12 03 13 */
    __m128i t2 = _mm_unpacklo_epi32(x[2], x[3]); /* 20 30 21 31 */
    __m128i t3 = _mm_unpackhi_epi32(x[2], x[3]); /* 22 32 23 33 */
    x[0] = _mm_unpacklo_epi64(t0, t2);           /* 00 10 20 30 */
    x[1] = _mm_unpackhi_epi64(t0, t2);           /* 01 11 21 31 */
    x[2] = _mm_unpacklo_epi64(t1, t3);           /* 02 12 22 32 */
    x[3] = _mm_unpackhi_epi64(t1, t3);           /* 03 13 23 33 */
}

/* Message word w of the four inputs' block at `off` goes to m[w], input i in lane i.
 * (Written out: a loop here is not always unrolled, and then m goes through memory twice.) */
INLINE void load_message(const uint8_t *const *in, size_t off, __m128i m[16])
{
    m[0] = _mm_loadu_si128((const __m128i *)(in[0] + off));
    m[1] = _mm_loadu_si128((const __m128i *)(in[1] + off));
    m[2] = _mm_loadu_si128((const __m128i *)(in[2] + off));
    m[3] = _mm_loadu_si128((const __m128i *)(in[3] + off));
    m[4] = _mm_loadu_si128((const __m128i *)(in[0] + off + 16));
    m[5] = _mm_loadu_si128((const __m128i *)(in[1] + off + 16));
    m[6] = _mm_loadu_si128((const __m128i *)(in[2] + off + 16));
    m[7] = _mm_loadu_si128((const __m128i *)(in[3] + off + 16));
    m[8] = _mm_loadu_si128((const __m128i *)(in[0] + off + 32));
    m[9] = _mm_loadu_si128((const __m128i *)(in[1] + off + 32));
    m[10] = _mm_loadu_si128((const __m128i *)(in[2] + off + 32));
    m[11] = _mm_loadu_si128((const __m128i *)(in[3] + off + 32));
    m[12] = _mm_loadu_si128((const __m128i *)(in[0] + off + 48));
    m[13] = _mm_loadu_si128((const __m128i *)(in[1] + off + 48));
    m[14] = _mm_loadu_si128((const __m128i *)(in[2] + off + 48));
    m[15] = _mm_loadu_si128((const __m128i *)(in[3] + off + 48));
    transpose4(m);
    transpose4(m + 4);
    transpose4(m + 8);
    transpose4(m + 12);
}

/* Hash four inputs. `next` (or NULL) are the four that follow: block by block, they are
 * fetched into the cache while this batch computes, because the hardware prefetcher does
 * not foresee the jump from one batch of chunks to the next. */
TARGET static void hash4(const uint8_t *const *in, const uint8_t *const *next, size_t blocks,
                         const uint32_t key[8], const uint32_t counter_lo[4],
                         const uint32_t counter_hi[4], uint32_t flags, uint32_t flags_start,
                         uint32_t flags_end, uint8_t *out)
{
    __m128i h[8];
    for (int i = 0; i < 8; i++)
        h[i] = _mm_set1_epi32((int)key[i]);
    const __m128i lo = _mm_loadu_si128((const __m128i *)counter_lo);
    const __m128i hi = _mm_loadu_si128((const __m128i *)counter_hi);
    for (size_t b = 0; b < blocks; b++) {
        uint32_t f = flags | (b == 0 ? flags_start : 0) | (b + 1 == blocks ? flags_end : 0);
        __m128i m[16], v[16];
        if (next)
            for (int i = 0; i < 4; i++)
                _mm_prefetch((const char *)(next[i] + b * MS_BLAKE3_BLOCK_LEN), _MM_HINT_T0);
        load_message(in, b * MS_BLAKE3_BLOCK_LEN, m);
        v[0] = h[0];
        v[1] = h[1];
        v[2] = h[2];
        v[3] = h[3];
        v[4] = h[4];
        v[5] = h[5];
        v[6] = h[6];
        v[7] = h[7];
        v[8] = _mm_set1_epi32((int)IV[0]);
        v[9] = _mm_set1_epi32((int)IV[1]);
        v[10] = _mm_set1_epi32((int)IV[2]);
        v[11] = _mm_set1_epi32((int)IV[3]);
        v[12] = lo;
        v[13] = hi;
        v[14] = _mm_set1_epi32(MS_BLAKE3_BLOCK_LEN);
        v[15] = _mm_set1_epi32((int)f);
        round4(v, m, 0);
        round4(v, m, 1);
        round4(v, m, 2);
        round4(v, m, 3);
        round4(v, m, 4);
        round4(v, m, 5);
        round4(v, m, 6);
        h[0] = vxor(v[0], v[8]);
        h[1] = vxor(v[1], v[9]);
        h[2] = vxor(v[2], v[10]);
        h[3] = vxor(v[3], v[11]);
        h[4] = vxor(v[4], v[12]);
        h[5] = vxor(v[5], v[13]);
        h[6] = vxor(v[6], v[14]);
        h[7] = vxor(v[7], v[15]);
    }
    /* h[w] holds word w of the four chaining values: back to one input per row. */
    transpose4(h);
    transpose4(h + 4);
    for (int i = 0; i < 4; i++) {
        _mm_storeu_si128((__m128i *)(out + 32 * i), h[i]);
        _mm_storeu_si128((__m128i *)(out + 32 * i + 16), h[4 + i]);
    }
}

TARGET void ms_blake3_many_sse41(const uint8_t *const *inputs, size_t n, size_t blocks,
                                 const uint32_t key[8], uint64_t counter, int counter_step,
                                 uint32_t flags, uint32_t flags_start, uint32_t flags_end,
                                 uint8_t *out)
{
    for (; n >= 4; n -= 4) {
        uint32_t lo[4], hi[4];
        for (int i = 0; i < 4; i++) {
            uint64_t c = counter + (counter_step ? (uint64_t)i : 0);
            lo[i] = (uint32_t)c;
            hi[i] = (uint32_t)(c >> 32);
        }
        hash4(inputs, n >= 8 ? inputs + 4 : NULL, blocks, key, lo, hi, flags, flags_start,
              flags_end, out);
        inputs += 4;
        out += 4 * 32;
        if (counter_step) counter += 4;
    }
    if (n)
        ms_blake3_many_portable(inputs, n, blocks, key, counter, counter_step, flags, flags_start,
                                flags_end, out);
}

#else
typedef int ms_blake3_sse41_unused; /* not x86: nothing here (ISO C wants a declaration) */
#endif
