/* blake3_avx512.c: BLAKE3 "hash many" with AVX-512 (F and VL): sixteen inputs (chunks or
 * parents) side by side. See blake3_impl.h for the contract.
 *
 * This is blake3_avx2.c at twice the width, kept structurally identical on purpose: the same
 * round, the same state layout (lane i belongs to input i), the same load-and-transpose of
 * the message and transpose-back of the chaining values. The differences are the vector type,
 * rotations (one native rotate instead of shifts or byte shuffles), a whole 64-byte block
 * per input in one load, and the 16x16 transpose. Keep any change to one file in the other:
 * the machine this was written on has no AVX-512, so only a CPU that has it runs this code
 * (the tests cover it there, and skip it elsewhere).
 *
 * Compiled for every x86 CPU (the functions carry target("avx512f,avx512vl"), no file-wide
 * flags); blake3.c calls it only when the CPU has AVX-512 F and VL (and AVX2, for what is
 * narrower than 16). Not here: single compressions. */
#include "core/blake3_impl.h"

#ifdef MS_BLAKE3_X86

#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512vl")))
#define INLINE MS_BLAKE3_INLINE TARGET

static const uint32_t IV[8] = MS_BLAKE3_IV_INIT;
static const uint8_t SCHEDULE[7][16] = MS_BLAKE3_SCHEDULE_INIT;

INLINE __m512i add(__m512i a, __m512i b)
{
    return _mm512_add_epi32(a, b);
}

INLINE __m512i vxor(__m512i a, __m512i b)
{
    return _mm512_xor_si512(a, b);
}

INLINE __m512i rot16(__m512i x)
{
    return _mm512_ror_epi32(x, 16);
}

INLINE __m512i rot12(__m512i x)
{
    return _mm512_ror_epi32(x, 12);
}

INLINE __m512i rot8(__m512i x)
{
    return _mm512_ror_epi32(x, 8);
}

INLINE __m512i rot7(__m512i x)
{
    return _mm512_ror_epi32(x, 7);
}

/* One round of the portable code (G on the four columns, then on the four diagonals) on
 * 16 inputs at once. The G functions go two at a time, interleaved step by step: enough
 * independent work to overlap, few enough live values that GCC keeps them in registers
 * (measured on AVX2; kept the same here). */
INLINE void round16(__m512i v[16], const __m512i m[16], int r)
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

/* Rows of 16 words become columns: x[i] word j <-> x[j] word i.
 *
 * The first two steps are transpose8's first two in each 128-bit quarter (unpack pairs of
 * rows, then pairs of pairs): afterwards, for each group of four rows g and k = 0..3, the
 * vector u[4g + k] has in its quarter q the words 4q + k of rows 4g..4g+3. Column 4q + k is
 * then quarter q of u[k], u[4 + k], u[8 + k], u[12 + k]: a 4x4 transpose of quarters, done
 * with two rounds of quarter shuffles. */
INLINE void transpose16(__m512i x[16])
{
    __m512i t[16], u[16];
    for (int p = 0; p < 8; p++) {
        t[2 * p] = _mm512_unpacklo_epi32(x[2 * p], x[2 * p + 1]);
        t[2 * p + 1] = _mm512_unpackhi_epi32(x[2 * p], x[2 * p + 1]);
    }
    for (int grp = 0; grp < 4; grp++) {
        const __m512i *tg = t + 4 * grp;
        u[4 * grp + 0] = _mm512_unpacklo_epi64(tg[0], tg[2]);
        u[4 * grp + 1] = _mm512_unpackhi_epi64(tg[0], tg[2]);
        u[4 * grp + 2] = _mm512_unpacklo_epi64(tg[1], tg[3]);
        u[4 * grp + 3] = _mm512_unpackhi_epi64(tg[1], tg[3]);
    }
    for (int k = 0; k < 4; k++) {
        /* Quarters 0,1 and 2,3 of groups 0 and 1, then of groups 2 and 3. */
        __m512i a0 = _mm512_shuffle_i32x4(u[k], u[4 + k], _MM_SHUFFLE(1, 0, 1, 0));
        __m512i a1 = _mm512_shuffle_i32x4(u[k], u[4 + k], _MM_SHUFFLE(3, 2, 3, 2));
        __m512i a2 = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], _MM_SHUFFLE(1, 0, 1, 0));
        __m512i a3 = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], _MM_SHUFFLE(3, 2, 3, 2));
        /* Quarter q of each group, groups in order. */
        x[0 + k] = _mm512_shuffle_i32x4(a0, a2, _MM_SHUFFLE(2, 0, 2, 0));
        x[4 + k] = _mm512_shuffle_i32x4(a0, a2, _MM_SHUFFLE(3, 1, 3, 1));
        x[8 + k] = _mm512_shuffle_i32x4(a1, a3, _MM_SHUFFLE(2, 0, 2, 0));
        x[12 + k] = _mm512_shuffle_i32x4(a1, a3, _MM_SHUFFLE(3, 1, 3, 1));
    }
}

/* Message word w of the sixteen inputs' block at `off` goes to m[w], input i in lane i. */
INLINE void load_message(const uint8_t *const *in, size_t off, __m512i m[16])
{
    for (int i = 0; i < 16; i++)
        m[i] = _mm512_loadu_si512((const void *)(in[i] + off));
    transpose16(m);
}

/* Hash sixteen inputs. `next` (or NULL) are the sixteen that follow: block by block, they are
 * fetched into the cache while this batch computes, because the hardware prefetcher does
 * not foresee the jump from one batch of chunks to the next. */
TARGET static void hash16(const uint8_t *const *in, const uint8_t *const *next, size_t blocks,
                          const uint32_t key[8], const uint32_t counter_lo[16],
                          const uint32_t counter_hi[16], uint32_t flags, uint32_t flags_start,
                          uint32_t flags_end, uint8_t *out)
{
    __m512i h[16];
    for (int i = 0; i < 8; i++)
        h[i] = _mm512_set1_epi32((int)key[i]);
    const __m512i lo = _mm512_loadu_si512((const void *)counter_lo);
    const __m512i hi = _mm512_loadu_si512((const void *)counter_hi);
    for (size_t b = 0; b < blocks; b++) {
        uint32_t f = flags | (b == 0 ? flags_start : 0) | (b + 1 == blocks ? flags_end : 0);
        __m512i m[16], v[16];
        if (next)
            for (int i = 0; i < 16; i++)
                _mm_prefetch((const char *)(next[i] + b * MS_BLAKE3_BLOCK_LEN), _MM_HINT_T0);
        load_message(in, b * MS_BLAKE3_BLOCK_LEN, m);
        for (int i = 0; i < 8; i++)
            v[i] = h[i];
        for (int i = 0; i < 4; i++)
            v[8 + i] = _mm512_set1_epi32((int)IV[i]);
        v[12] = lo;
        v[13] = hi;
        v[14] = _mm512_set1_epi32(MS_BLAKE3_BLOCK_LEN);
        v[15] = _mm512_set1_epi32((int)f);
        round16(v, m, 0);
        round16(v, m, 1);
        round16(v, m, 2);
        round16(v, m, 3);
        round16(v, m, 4);
        round16(v, m, 5);
        round16(v, m, 6);
        for (int i = 0; i < 8; i++)
            h[i] = vxor(v[i], v[i + 8]);
    }
    /* h[w] holds word w of the sixteen chaining values: back to one input per row. The
     * transpose is square, so rows 8..15 are padding; row i's first 8 words are input i's
     * chaining value. */
    for (int i = 8; i < 16; i++)
        h[i] = _mm512_setzero_si512();
    transpose16(h);
    for (int i = 0; i < 16; i++)
        _mm256_storeu_si256((__m256i *)(out + 32 * i), _mm512_castsi512_si256(h[i]));
}

TARGET void ms_blake3_many_avx512(const uint8_t *const *inputs, size_t n, size_t blocks,
                                  const uint32_t key[8], uint64_t counter, int counter_step,
                                  uint32_t flags, uint32_t flags_start, uint32_t flags_end,
                                  uint8_t *out)
{
    for (; n >= 16; n -= 16) {
        uint32_t lo[16], hi[16];
        for (int i = 0; i < 16; i++) {
            uint64_t c = counter + (counter_step ? (uint64_t)i : 0);
            lo[i] = (uint32_t)c;
            hi[i] = (uint32_t)(c >> 32);
        }
        hash16(inputs, n >= 32 ? inputs + 16 : NULL, blocks, key, lo, hi, flags, flags_start,
               flags_end, out);
        inputs += 16;
        out += 16 * 32;
        if (counter_step) counter += 16;
    }
    if (n)
        ms_blake3_many_avx2(inputs, n, blocks, key, counter, counter_step, flags, flags_start,
                            flags_end, out);
}

#else
typedef int ms_blake3_avx512_unused; /* not x86: nothing here (ISO C wants a declaration) */
#endif
