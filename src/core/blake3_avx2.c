/* blake3_avx2.c: BLAKE3 "hash many" with AVX2: eight inputs (chunks or parents) side by
 * side. See blake3_impl.h for the contract.
 *
 * Layout: the 16 state words and the 16 message words are each one vector whose lane i
 * belongs to input i, so one round is the portable round done on vectors. Each 64-byte
 * block is loaded as eight rows of words per input and transposed into message words; the
 * chaining values are transposed back at the end. blake3_sse41.c (4 wide) and
 * blake3_avx512.c (16 wide) are this file at other widths.
 *
 * Compiled for every x86 CPU (the functions carry target("avx2"), no file-wide flags);
 * blake3.c calls it only when the CPU has AVX2. Not here: single compressions. */
#include "core/blake3_impl.h"

#ifdef MS_BLAKE3_X86

#include <immintrin.h>

#define TARGET __attribute__((target("avx2")))
#define INLINE MS_BLAKE3_INLINE TARGET

static const uint32_t IV[8] = MS_BLAKE3_IV_INIT;
static const uint8_t SCHEDULE[7][16] = MS_BLAKE3_SCHEDULE_INIT;

INLINE __m256i add(__m256i a, __m256i b)
{
    return _mm256_add_epi32(a, b);
}

INLINE __m256i vxor(__m256i a, __m256i b)
{
    return _mm256_xor_si256(a, b);
}

/* Rotations right by 16 and 8 move whole bytes (one byte shuffle within each 128-bit half);
 * 12 and 7 do not. */
INLINE __m256i rot16(__m256i x)
{
    return _mm256_shuffle_epi8(x, _mm256_set_epi8(13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3,
                                                  2, 13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0,
                                                  3, 2));
}

INLINE __m256i rot12(__m256i x)
{
    return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}

INLINE __m256i rot8(__m256i x)
{
    return _mm256_shuffle_epi8(x, _mm256_set_epi8(12, 15, 14, 13, 8, 11, 10, 9, 4, 7, 6, 5, 0, 3, 2,
                                                  1, 12, 15, 14, 13, 8, 11, 10, 9, 4, 7, 6, 5, 0, 3,
                                                  2, 1));
}

INLINE __m256i rot7(__m256i x)
{
    return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

/* One round of the portable code (G on the four columns, then on the four diagonals) on
 * 8 inputs at once. The G functions go two at a time, interleaved step by step: enough
 * independent work to overlap, few enough live values that GCC keeps them in registers
 * (measured: faster than one at a time or four at a time). */
INLINE void round8(__m256i v[16], const __m256i m[16], int r)
{
    const uint8_t *s = SCHEDULE[r];
    /* Columns: G 0 and 1. */
    v[0] = add(add(v[0], v[4]), m[s[0]]);
    v[1] = add(add(v[1], v[5]), m[s[2]]);
    v[12] = rot16(vxor(v[12], v[0]));
    v[13] = rot16(vxor(v[13], v[1]));
    v[8] = add(v[8], v[12]);
    v[9] = add(v[9], v[13]);
    v[4] = rot12(vxor(v[4], v[8]));
    v[5] = rot12(vxor(v[5], v[9]));
    v[0] = add(add(v[0], v[4]), m[s[1]]);
    v[1] = add(add(v[1], v[5]), m[s[3]]);
    v[12] = rot8(vxor(v[12], v[0]));
    v[13] = rot8(vxor(v[13], v[1]));
    v[8] = add(v[8], v[12]);
    v[9] = add(v[9], v[13]);
    v[4] = rot7(vxor(v[4], v[8]));
    v[5] = rot7(vxor(v[5], v[9]));
    /* Columns: G 2 and 3. */
    v[2] = add(add(v[2], v[6]), m[s[4]]);
    v[3] = add(add(v[3], v[7]), m[s[6]]);
    v[14] = rot16(vxor(v[14], v[2]));
    v[15] = rot16(vxor(v[15], v[3]));
    v[10] = add(v[10], v[14]);
    v[11] = add(v[11], v[15]);
    v[6] = rot12(vxor(v[6], v[10]));
    v[7] = rot12(vxor(v[7], v[11]));
    v[2] = add(add(v[2], v[6]), m[s[5]]);
    v[3] = add(add(v[3], v[7]), m[s[7]]);
    v[14] = rot8(vxor(v[14], v[2]));
    v[15] = rot8(vxor(v[15], v[3]));
    v[10] = add(v[10], v[14]);
    v[11] = add(v[11], v[15]);
    v[6] = rot7(vxor(v[6], v[10]));
    v[7] = rot7(vxor(v[7], v[11]));
    /* Diagonals: G 0 and 1. */
    v[0] = add(add(v[0], v[5]), m[s[8]]);
    v[1] = add(add(v[1], v[6]), m[s[10]]);
    v[15] = rot16(vxor(v[15], v[0]));
    v[12] = rot16(vxor(v[12], v[1]));
    v[10] = add(v[10], v[15]);
    v[11] = add(v[11], v[12]);
    v[5] = rot12(vxor(v[5], v[10]));
    v[6] = rot12(vxor(v[6], v[11]));
    v[0] = add(add(v[0], v[5]), m[s[9]]);
    v[1] = add(add(v[1], v[6]), m[s[11]]);
    v[15] = rot8(vxor(v[15], v[0]));
    v[12] = rot8(vxor(v[12], v[1]));
    v[10] = add(v[10], v[15]);
    v[11] = add(v[11], v[12]);
    v[5] = rot7(vxor(v[5], v[10]));
    v[6] = rot7(vxor(v[6], v[11]));
    /* Diagonals: G 2 and 3. */
    v[2] = add(add(v[2], v[7]), m[s[12]]);
    v[3] = add(add(v[3], v[4]), m[s[14]]);
    v[13] = rot16(vxor(v[13], v[2]));
    v[14] = rot16(vxor(v[14], v[3]));
    v[8] = add(v[8], v[13]);
    v[9] = add(v[9], v[14]);
    v[7] = rot12(vxor(v[7], v[8]));
    v[4] = rot12(vxor(v[4], v[9]));
    v[2] = add(add(v[2], v[7]), m[s[13]]);
    v[3] = add(add(v[3], v[4]), m[s[15]]);
    v[13] = rot8(vxor(v[13], v[2]));
    v[14] = rot8(vxor(v[14], v[3]));
    v[8] = add(v[8], v[13]);
    v[9] = add(v[9], v[14]);
    v[7] = rot7(vxor(v[7], v[8]));
    v[4] = rot7(vxor(v[4], v[9]));
}

/* Rows of 8 words become columns: x[i] word j <-> x[j] word i. Words are named
 * row-column; "|" separates the 128-bit halves. */
INLINE void transpose8(__m256i x[8])
{
    /* Pairs of rows interleaved: 00 10 01 11 | 04 14 05 15, and so on. */
    __m256i t0 = _mm256_unpacklo_epi32(x[0], x[1]);
    __m256i t1 = _mm256_unpackhi_epi32(x[0], x[1]); /* 02 12 03 13 | 06 16 07 17 */
    __m256i t2 = _mm256_unpacklo_epi32(x[2], x[3]);
    __m256i t3 = _mm256_unpackhi_epi32(x[2], x[3]);
    __m256i t4 = _mm256_unpacklo_epi32(x[4], x[5]);
    __m256i t5 = _mm256_unpackhi_epi32(x[4], x[5]);
    __m256i t6 = _mm256_unpacklo_epi32(x[6], x[7]);
    __m256i t7 = _mm256_unpackhi_epi32(x[6], x[7]);
    /* Quads: 00 10 20 30 | 04 14 24 34, and so on. */
    __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
    __m256i u1 = _mm256_unpackhi_epi64(t0, t2); /* 01 11 21 31 | 05 15 25 35 */
    __m256i u2 = _mm256_unpacklo_epi64(t1, t3); /* 02 12 22 32 | 06 16 26 36 */
    __m256i u3 = _mm256_unpackhi_epi64(t1, t3); /* 03 13 23 33 | 07 17 27 37 */
    __m256i u4 = _mm256_unpacklo_epi64(t4, t6); /* 40 50 60 70 | 44 54 64 74 */
    __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
    __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
    __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
    /* Halves: rows 0-3 from u0..u3, rows 4-7 from u4..u7. */
    x[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    x[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    x[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    x[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    x[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    x[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    x[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    x[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/* Message word w of the eight inputs' block at `off` goes to m[w], input i in lane i.
 * (Written out: a loop here is not always unrolled, and then m goes through memory twice.) */
INLINE void load_message(const uint8_t *const *in, size_t off, __m256i m[16])
{
    m[0] = _mm256_loadu_si256((const __m256i *)(in[0] + off));
    m[1] = _mm256_loadu_si256((const __m256i *)(in[1] + off));
    m[2] = _mm256_loadu_si256((const __m256i *)(in[2] + off));
    m[3] = _mm256_loadu_si256((const __m256i *)(in[3] + off));
    m[4] = _mm256_loadu_si256((const __m256i *)(in[4] + off));
    m[5] = _mm256_loadu_si256((const __m256i *)(in[5] + off));
    m[6] = _mm256_loadu_si256((const __m256i *)(in[6] + off));
    m[7] = _mm256_loadu_si256((const __m256i *)(in[7] + off));
    m[8] = _mm256_loadu_si256((const __m256i *)(in[0] + off + 32));
    m[9] = _mm256_loadu_si256((const __m256i *)(in[1] + off + 32));
    m[10] = _mm256_loadu_si256((const __m256i *)(in[2] + off + 32));
    m[11] = _mm256_loadu_si256((const __m256i *)(in[3] + off + 32));
    m[12] = _mm256_loadu_si256((const __m256i *)(in[4] + off + 32));
    m[13] = _mm256_loadu_si256((const __m256i *)(in[5] + off + 32));
    m[14] = _mm256_loadu_si256((const __m256i *)(in[6] + off + 32));
    m[15] = _mm256_loadu_si256((const __m256i *)(in[7] + off + 32));
    transpose8(m);
    transpose8(m + 8);
}

/* Hash eight inputs. `next` (or NULL) are the eight that follow: block by block, they are
 * fetched into the cache while this batch computes, because the hardware prefetcher does
 * not foresee the jump from one batch of chunks to the next. */
TARGET static void hash8(const uint8_t *const *in, const uint8_t *const *next, size_t blocks,
                         const uint32_t key[8], const uint32_t counter_lo[8],
                         const uint32_t counter_hi[8], uint32_t flags, uint32_t flags_start,
                         uint32_t flags_end, uint8_t *out)
{
    __m256i h[8];
    for (int i = 0; i < 8; i++)
        h[i] = _mm256_set1_epi32((int)key[i]);
    const __m256i lo = _mm256_loadu_si256((const __m256i *)counter_lo);
    const __m256i hi = _mm256_loadu_si256((const __m256i *)counter_hi);
    for (size_t b = 0; b < blocks; b++) {
        uint32_t f = flags | (b == 0 ? flags_start : 0) | (b + 1 == blocks ? flags_end : 0);
        __m256i m[16], v[16];
        if (next)
            for (int i = 0; i < 8; i++)
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
        v[8] = _mm256_set1_epi32((int)IV[0]);
        v[9] = _mm256_set1_epi32((int)IV[1]);
        v[10] = _mm256_set1_epi32((int)IV[2]);
        v[11] = _mm256_set1_epi32((int)IV[3]);
        v[12] = lo;
        v[13] = hi;
        v[14] = _mm256_set1_epi32(MS_BLAKE3_BLOCK_LEN);
        v[15] = _mm256_set1_epi32((int)f);
        round8(v, m, 0);
        round8(v, m, 1);
        round8(v, m, 2);
        round8(v, m, 3);
        round8(v, m, 4);
        round8(v, m, 5);
        round8(v, m, 6);
        h[0] = vxor(v[0], v[8]);
        h[1] = vxor(v[1], v[9]);
        h[2] = vxor(v[2], v[10]);
        h[3] = vxor(v[3], v[11]);
        h[4] = vxor(v[4], v[12]);
        h[5] = vxor(v[5], v[13]);
        h[6] = vxor(v[6], v[14]);
        h[7] = vxor(v[7], v[15]);
    }
    /* h[w] holds word w of the eight chaining values: back to one input per row. */
    transpose8(h);
    for (int i = 0; i < 8; i++)
        _mm256_storeu_si256((__m256i *)(out + 32 * i), h[i]);
}

TARGET void ms_blake3_many_avx2(const uint8_t *const *inputs, size_t n, size_t blocks,
                                const uint32_t key[8], uint64_t counter, int counter_step,
                                uint32_t flags, uint32_t flags_start, uint32_t flags_end,
                                uint8_t *out)
{
    for (; n >= 8; n -= 8) {
        uint32_t lo[8], hi[8];
        for (int i = 0; i < 8; i++) {
            uint64_t c = counter + (counter_step ? (uint64_t)i : 0);
            lo[i] = (uint32_t)c;
            hi[i] = (uint32_t)(c >> 32);
        }
        hash8(inputs, n >= 16 ? inputs + 8 : NULL, blocks, key, lo, hi, flags, flags_start,
              flags_end, out);
        inputs += 8;
        out += 8 * 32;
        if (counter_step) counter += 8;
    }
    if (n)
        ms_blake3_many_sse41(inputs, n, blocks, key, counter, counter_step, flags, flags_start,
                             flags_end, out);
}

#else
typedef int ms_blake3_avx2_unused; /* not x86: nothing here (ISO C wants a declaration) */
#endif
