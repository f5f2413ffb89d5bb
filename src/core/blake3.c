/* blake3.c: BLAKE3 from the specification: the portable compression, the incremental hasher,
 * and the run-time choice of a SIMD "hash many" (blake3_sse41.c, blake3_avx2.c,
 * blake3_avx512.c). See blake3.h.
 *
 * The input is split into 1 KiB chunks; each chunk is hashed by compressing its 64-byte
 * blocks into a chaining value; chunk chaining values are merged pairwise into a binary tree
 * (parent nodes) whose root, compressed with the ROOT flag, gives the output.
 *
 * Large updates take the largest power-of-two run of whole chunks that starts at a multiple
 * of its own size (so it is a complete subtree of the final tree), at most SUBTREE_MAX
 * chunks: its chunks are hashed side by side with the SIMD hash-many, then its parent levels
 * the same way, down to the subtree's two children, which go on a stack of completed
 * subtrees. Merges on the stack are lazy: a stack entry is merged with its neighbour only
 * once more input has arrived, because until then the pair may be the root's children.
 * With n chunks before the next one, the stack is merged down to popcount(n) entries, which
 * keeps the tree's shape the specification fixes. What is not a whole chunk followed by more
 * input waits in the chunk state (blake3.h) until more input or finalize.
 *
 * Not here: threads, and SIMD for single compressions (the last chunk, the output blocks). */
#include "core/blake3.h"

#include "core/blake3_impl.h"
#include "core/error.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum {
    CHUNK_START = MS_BLAKE3_CHUNK_START,
    CHUNK_END = MS_BLAKE3_CHUNK_END,
    PARENT = MS_BLAKE3_PARENT,
    ROOT = MS_BLAKE3_ROOT,
    KEYED_HASH = MS_BLAKE3_KEYED_HASH,
    DERIVE_KEY_CONTEXT = MS_BLAKE3_DERIVE_KEY_CONTEXT,
    DERIVE_KEY_MATERIAL = MS_BLAKE3_DERIVE_KEY_MATERIAL,
    /* Chunks hashed per subtree in one go: 128 KiB of input, 4 KiB of chaining values. */
    SUBTREE_MAX = 128,
};

static const uint32_t IV[8] = MS_BLAKE3_IV_INIT;
static const uint8_t SCHEDULE[7][16] = MS_BLAKE3_SCHEDULE_INIT;

/* ---- The compression function ---------------------------------------------------------- */

static inline uint32_t rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static inline uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* One round: the G function on the four columns, then on the four diagonals,
 *   G(a, b, c, d, x, y): a += b + x; d = (d ^ a) >>> 16; c += d; b = (b ^ c) >>> 12;
 *                        a += b + y; d = (d ^ a) >>> 8;  c += d; b = (b ^ c) >>> 7;
 * with the four G functions of each half interleaved step by step (they are independent:
 * measured 10% faster than one after the other). */
MS_BLAKE3_INLINE void round_fn(uint32_t s[16], const uint32_t m[16], int r)
{
    const uint8_t *w = SCHEDULE[r];
    /* Columns. */
    s[0] = s[0] + s[4] + m[w[0]];
    s[1] = s[1] + s[5] + m[w[2]];
    s[2] = s[2] + s[6] + m[w[4]];
    s[3] = s[3] + s[7] + m[w[6]];
    s[12] = rotr(s[12] ^ s[0], 16);
    s[13] = rotr(s[13] ^ s[1], 16);
    s[14] = rotr(s[14] ^ s[2], 16);
    s[15] = rotr(s[15] ^ s[3], 16);
    s[8] = s[8] + s[12];
    s[9] = s[9] + s[13];
    s[10] = s[10] + s[14];
    s[11] = s[11] + s[15];
    s[4] = rotr(s[4] ^ s[8], 12);
    s[5] = rotr(s[5] ^ s[9], 12);
    s[6] = rotr(s[6] ^ s[10], 12);
    s[7] = rotr(s[7] ^ s[11], 12);
    s[0] = s[0] + s[4] + m[w[1]];
    s[1] = s[1] + s[5] + m[w[3]];
    s[2] = s[2] + s[6] + m[w[5]];
    s[3] = s[3] + s[7] + m[w[7]];
    s[12] = rotr(s[12] ^ s[0], 8);
    s[13] = rotr(s[13] ^ s[1], 8);
    s[14] = rotr(s[14] ^ s[2], 8);
    s[15] = rotr(s[15] ^ s[3], 8);
    s[8] = s[8] + s[12];
    s[9] = s[9] + s[13];
    s[10] = s[10] + s[14];
    s[11] = s[11] + s[15];
    s[4] = rotr(s[4] ^ s[8], 7);
    s[5] = rotr(s[5] ^ s[9], 7);
    s[6] = rotr(s[6] ^ s[10], 7);
    s[7] = rotr(s[7] ^ s[11], 7);
    /* Diagonals. */
    s[0] = s[0] + s[5] + m[w[8]];
    s[1] = s[1] + s[6] + m[w[10]];
    s[2] = s[2] + s[7] + m[w[12]];
    s[3] = s[3] + s[4] + m[w[14]];
    s[15] = rotr(s[15] ^ s[0], 16);
    s[12] = rotr(s[12] ^ s[1], 16);
    s[13] = rotr(s[13] ^ s[2], 16);
    s[14] = rotr(s[14] ^ s[3], 16);
    s[10] = s[10] + s[15];
    s[11] = s[11] + s[12];
    s[8] = s[8] + s[13];
    s[9] = s[9] + s[14];
    s[5] = rotr(s[5] ^ s[10], 12);
    s[6] = rotr(s[6] ^ s[11], 12);
    s[7] = rotr(s[7] ^ s[8], 12);
    s[4] = rotr(s[4] ^ s[9], 12);
    s[0] = s[0] + s[5] + m[w[9]];
    s[1] = s[1] + s[6] + m[w[11]];
    s[2] = s[2] + s[7] + m[w[13]];
    s[3] = s[3] + s[4] + m[w[15]];
    s[15] = rotr(s[15] ^ s[0], 8);
    s[12] = rotr(s[12] ^ s[1], 8);
    s[13] = rotr(s[13] ^ s[2], 8);
    s[14] = rotr(s[14] ^ s[3], 8);
    s[10] = s[10] + s[15];
    s[11] = s[11] + s[12];
    s[8] = s[8] + s[13];
    s[9] = s[9] + s[14];
    s[5] = rotr(s[5] ^ s[10], 7);
    s[6] = rotr(s[6] ^ s[11], 7);
    s[7] = rotr(s[7] ^ s[8], 7);
    s[4] = rotr(s[4] ^ s[9], 7);
}

/* The 16 state words after the 7 rounds (before the final feed-forward). */
MS_BLAKE3_INLINE void permute(const uint32_t cv[8], const uint8_t block[MS_BLAKE3_BLOCK_LEN],
                              uint32_t block_len, uint64_t counter, uint32_t flags, uint32_t s[16])
{
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = load32(block + 4 * i);
    for (int i = 0; i < 8; i++)
        s[i] = cv[i];
    s[8] = IV[0];
    s[9] = IV[1];
    s[10] = IV[2];
    s[11] = IV[3];
    s[12] = (uint32_t)counter;
    s[13] = (uint32_t)(counter >> 32);
    s[14] = block_len;
    s[15] = flags;
    round_fn(s, m, 0);
    round_fn(s, m, 1);
    round_fn(s, m, 2);
    round_fn(s, m, 3);
    round_fn(s, m, 4);
    round_fn(s, m, 5);
    round_fn(s, m, 6);
}

/* The chaining value: the first 8 output words, written over `cv`. */
static void compress_cv(uint32_t cv[8], const uint8_t block[MS_BLAKE3_BLOCK_LEN],
                        uint32_t block_len, uint64_t counter, uint32_t flags)
{
    uint32_t s[16];
    permute(cv, block, block_len, counter, flags, s);
    for (int i = 0; i < 8; i++)
        cv[i] = s[i] ^ s[i + 8];
}

/* All 16 output words, as bytes (the root's extended output). */
static void compress_out(const uint32_t cv[8], const uint8_t block[MS_BLAKE3_BLOCK_LEN],
                         uint32_t block_len, uint64_t counter, uint32_t flags,
                         uint8_t out[MS_BLAKE3_BLOCK_LEN])
{
    uint32_t s[16];
    permute(cv, block, block_len, counter, flags, s);
    for (int i = 0; i < 8; i++) {
        store32(out + 4 * i, s[i] ^ s[i + 8]);
        store32(out + 32 + 4 * i, s[i + 8] ^ cv[i]);
    }
}

void ms_blake3_many_portable(const uint8_t *const *inputs, size_t n, size_t blocks,
                             const uint32_t key[8], uint64_t counter, int counter_step,
                             uint32_t flags, uint32_t flags_start, uint32_t flags_end, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t cv[8];
        memcpy(cv, key, sizeof cv);
        for (size_t b = 0; b < blocks; b++) {
            uint32_t f = flags | (b == 0 ? flags_start : 0) | (b + 1 == blocks ? flags_end : 0);
            compress_cv(cv, inputs[i] + b * MS_BLAKE3_BLOCK_LEN, MS_BLAKE3_BLOCK_LEN, counter, f);
        }
        for (int k = 0; k < 8; k++)
            store32(out + 32 * i + 4 * k, cv[k]);
        if (counter_step) counter++;
    }
}

/* ---- Choosing an implementation -------------------------------------------------------- */

typedef struct impl {
    const char *name;
    ms_blake3_many_fn *many;
} impl;

enum { IMPL_PORTABLE, IMPL_SSE41, IMPL_AVX2, IMPL_AVX512, IMPL_COUNT };

static const impl IMPLS[IMPL_COUNT] = {
    {"portable", ms_blake3_many_portable},
#ifdef MS_BLAKE3_X86
    {"sse41", ms_blake3_many_sse41},
    {"avx2", ms_blake3_many_avx2},
    {"avx512", ms_blake3_many_avx512},
#else
    {"sse41", NULL},
    {"avx2", NULL},
    {"avx512", NULL},
#endif
};

/* The best implementation this CPU (and its operating system, which must save the wider
 * registers: __builtin_cpu_supports checks that too) can run. Each SIMD variant hands
 * what is narrower than its width to the next one down, so it needs that one as well. */
static int cpu_best(void)
{
#ifdef MS_BLAKE3_X86
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("sse4.1")) return IMPL_PORTABLE;
    if (!__builtin_cpu_supports("avx2")) return IMPL_SSE41;
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl")) return IMPL_AVX2;
    return IMPL_AVX512;
#else
    return IMPL_PORTABLE;
#endif
}

static int impl_by_name(const char *name)
{
    for (int i = 0; i < IMPL_COUNT; i++)
        if (strcmp(IMPLS[i].name, name) == 0) return i;
    return -1;
}

/* The choice, made once (by whichever thread comes first: they all choose the same). */
static atomic_int active = -1;

static int active_impl(void)
{
    int a = atomic_load_explicit(&active, memory_order_relaxed);
    if (a >= 0) return a;
    a = cpu_best();
    const char *env = getenv("MS_BLAKE3_IMPL");
    int wanted = env ? impl_by_name(env) : -1;
    /* Lower only: a name this CPU cannot run falls back to the best it can. */
    if (wanted >= 0 && wanted < a) a = wanted;
    atomic_store_explicit(&active, a, memory_order_relaxed);
    return a;
}

const char *ms_blake3_impl(void)
{
    return IMPLS[active_impl()].name;
}

int ms_blake3_force_impl(const char *name)
{
    if (!name) {
        atomic_store_explicit(&active, -1, memory_order_relaxed);
        return 0;
    }
    int i = impl_by_name(name);
    if (i < 0) return MS_EINVAL;
    if (i > cpu_best()) return MS_ENOTFOUND;
    atomic_store_explicit(&active, i, memory_order_relaxed);
    return 0;
}

/* ---- Chunks and parents one at a time -------------------------------------------------- */

/* A node not yet compressed: what finalize needs to produce a chaining value or, as the
 * root, the output. */
typedef struct node {
    uint32_t cv[8];
    uint8_t block[MS_BLAKE3_BLOCK_LEN];
    uint8_t block_len;
    uint64_t counter;
    uint32_t flags;
} node;

static void node_cv(const node *n, uint8_t out[MS_BLAKE3_OUT_LEN])
{
    uint32_t cv[8];
    memcpy(cv, n->cv, sizeof cv);
    compress_cv(cv, n->block, n->block_len, n->counter, n->flags);
    for (int i = 0; i < 8; i++)
        store32(out + 4 * i, cv[i]);
}

/* The parent of two chaining values, which lie side by side in `children`. */
static void parent_node(const uint8_t children[2 * MS_BLAKE3_OUT_LEN], const uint32_t key[8],
                        uint32_t flags, node *n)
{
    memcpy(n->cv, key, sizeof n->cv);
    memcpy(n->block, children, MS_BLAKE3_BLOCK_LEN);
    n->block_len = MS_BLAKE3_BLOCK_LEN;
    n->counter = 0;
    n->flags = flags | PARENT;
}

static void chunk_init(ms_blake3_chunk *c, const uint32_t key[8], uint64_t counter, uint32_t flags)
{
    memset(c, 0, sizeof *c);
    memcpy(c->cv, key, sizeof c->cv);
    c->counter = counter;
    c->flags = flags;
}

static size_t chunk_len(const ms_blake3_chunk *c)
{
    return (size_t)c->blocks_compressed * MS_BLAKE3_BLOCK_LEN + c->block_len;
}

static uint32_t chunk_start_flag(const ms_blake3_chunk *c)
{
    return c->blocks_compressed == 0 ? CHUNK_START : 0;
}

static void chunk_update(ms_blake3_chunk *c, const uint8_t *in, size_t len)
{
    while (len) {
        /* A full block is compressed only when more input follows: the chunk's last block
         * must wait for CHUNK_END. */
        if (c->block_len == MS_BLAKE3_BLOCK_LEN) {
            compress_cv(c->cv, c->block, MS_BLAKE3_BLOCK_LEN, c->counter,
                        c->flags | chunk_start_flag(c));
            c->blocks_compressed++;
            c->block_len = 0;
            memset(c->block, 0, sizeof c->block);
        }
        size_t take = MS_BLAKE3_BLOCK_LEN - c->block_len;
        if (take > len) take = len;
        memcpy(c->block + c->block_len, in, take);
        c->block_len = (uint8_t)(c->block_len + take);
        in += take;
        len -= take;
    }
}

static void chunk_node(const ms_blake3_chunk *c, node *n)
{
    memcpy(n->cv, c->cv, sizeof n->cv);
    memcpy(n->block, c->block, sizeof n->block);
    n->block_len = c->block_len;
    n->counter = c->counter;
    n->flags = c->flags | chunk_start_flag(c) | CHUNK_END;
}

/* ---- The hasher ------------------------------------------------------------------------ */

static void init_with(ms_blake3 *h, const uint32_t key[8], uint32_t flags)
{
    memcpy(h->key, key, sizeof h->key);
    h->flags = flags;
    h->stack_len = 0;
    chunk_init(&h->chunk, key, 0, flags);
}

void ms_blake3_init(ms_blake3 *h)
{
    init_with(h, IV, 0);
}

void ms_blake3_init_keyed(ms_blake3 *h, const uint8_t key[MS_BLAKE3_KEY_LEN])
{
    uint32_t k[8];
    for (int i = 0; i < 8; i++)
        k[i] = load32(key + 4 * i);
    init_with(h, k, KEYED_HASH);
}

void ms_blake3_init_derive_key(ms_blake3 *h, const char *context)
{
    ms_blake3 ctx;
    init_with(&ctx, IV, DERIVE_KEY_CONTEXT);
    ms_blake3_update(&ctx, context, strlen(context));
    uint8_t context_key[MS_BLAKE3_KEY_LEN];
    ms_blake3_finalize(&ctx, context_key, sizeof context_key);
    uint32_t k[8];
    for (int i = 0; i < 8; i++)
        k[i] = load32(context_key + 4 * i);
    init_with(h, k, DERIVE_KEY_MATERIAL);
}

static unsigned popcount64(uint64_t x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* More input follows the first `chunks` chunks: no stack entry can be the root's child any
 * more, so merge down to one entry per complete subtree (one per bit of `chunks`). */
static void merge_stack(ms_blake3 *h, uint64_t chunks)
{
    unsigned keep = popcount64(chunks);
    while (h->stack_len > keep) {
        uint8_t *left = h->stack + (size_t)(h->stack_len - 2) * MS_BLAKE3_OUT_LEN;
        node n;
        parent_node(left, h->key, h->flags, &n);
        node_cv(&n, left);
        h->stack_len--;
    }
}

/* Push the chaining value of a subtree whose first chunk has number `chunk`. */
static void push_cv(ms_blake3 *h, const uint8_t cv[MS_BLAKE3_OUT_LEN], uint64_t chunk)
{
    merge_stack(h, chunk);
    memcpy(h->stack + (size_t)h->stack_len * MS_BLAKE3_OUT_LEN, cv, MS_BLAKE3_OUT_LEN);
    h->stack_len++;
}

/* Hash `chunks` whole chunks (a power of two, 2..SUBTREE_MAX) starting at chunk number
 * `counter`, a multiple of `chunks`: the chaining values of the subtree's two children. */
static void hash_subtree(const impl *im, const ms_blake3 *h, const uint8_t *in, size_t chunks,
                         uint64_t counter, uint8_t out[2 * MS_BLAKE3_OUT_LEN])
{
    const uint8_t *inputs[SUBTREE_MAX] = {0}; /* (all set below; quiets the compiler) */
    uint8_t cvs[SUBTREE_MAX * MS_BLAKE3_OUT_LEN], parents[SUBTREE_MAX / 2 * MS_BLAKE3_OUT_LEN];
    for (size_t i = 0; i < chunks; i++)
        inputs[i] = in + i * MS_BLAKE3_CHUNK_LEN;
    im->many(inputs, chunks, MS_BLAKE3_CHUNK_LEN / MS_BLAKE3_BLOCK_LEN, h->key, counter, 1,
             h->flags, CHUNK_START, CHUNK_END, cvs);
    /* Level by level: each pair of neighbours is one parent's block. */
    uint8_t *from = cvs, *to = parents;
    for (size_t n = chunks; n > 2; n /= 2) {
        for (size_t i = 0; i < n / 2; i++)
            inputs[i] = from + i * 2 * MS_BLAKE3_OUT_LEN;
        im->many(inputs, n / 2, 1, h->key, 0, 0, h->flags | PARENT, 0, 0, to);
        uint8_t *t = from;
        from = to;
        to = t;
    }
    memcpy(out, from, 2 * MS_BLAKE3_OUT_LEN);
}

static size_t pow2_floor(size_t x)
{
    size_t p = 1;
    while (p <= x / 2)
        p *= 2;
    return p;
}

void ms_blake3_update(ms_blake3 *h, const void *data, size_t len)
{
    const uint8_t *in = data;
    if (!len) return;
    const impl *im = &IMPLS[active_impl()];
    /* First complete a chunk already started. */
    if (chunk_len(&h->chunk) > 0) {
        size_t take = MS_BLAKE3_CHUNK_LEN - chunk_len(&h->chunk);
        if (take > len) take = len;
        chunk_update(&h->chunk, in, take);
        in += take;
        len -= take;
        if (!len) return;
        /* The chunk is complete and more input follows: it is not the root. */
        node n;
        uint8_t cv[MS_BLAKE3_OUT_LEN];
        chunk_node(&h->chunk, &n);
        node_cv(&n, cv);
        push_cv(h, cv, h->chunk.counter);
        chunk_init(&h->chunk, h->key, h->chunk.counter + 1, h->flags);
    }
    /* Whole chunks, as long as more than one chunk's worth remains (the last one may be the
     * root and waits), in complete subtrees. */
    while (len > MS_BLAKE3_CHUNK_LEN) {
        uint64_t counter = h->chunk.counter;
        size_t chunks = pow2_floor(len / MS_BLAKE3_CHUNK_LEN);
        if (chunks > SUBTREE_MAX) chunks = SUBTREE_MAX;
        while (counter & (chunks - 1))
            chunks /= 2;
        if (chunks == 1) {
            uint8_t cv[MS_BLAKE3_OUT_LEN];
            im->many(&in, 1, MS_BLAKE3_CHUNK_LEN / MS_BLAKE3_BLOCK_LEN, h->key, counter, 1,
                     h->flags, CHUNK_START, CHUNK_END, cv);
            push_cv(h, cv, counter);
        } else {
            uint8_t cvs[2 * MS_BLAKE3_OUT_LEN];
            hash_subtree(im, h, in, chunks, counter, cvs);
            push_cv(h, cvs, counter);
            push_cv(h, cvs + MS_BLAKE3_OUT_LEN, counter + chunks / 2);
        }
        chunk_init(&h->chunk, h->key, counter + chunks, h->flags);
        in += chunks * MS_BLAKE3_CHUNK_LEN;
        len -= chunks * MS_BLAKE3_CHUNK_LEN;
    }
    /* The rest (at most a chunk) waits; being more input, it settles the stack below it. */
    if (len) {
        chunk_update(&h->chunk, in, len);
        merge_stack(h, h->chunk.counter);
    }
}

void ms_blake3_finalize(const ms_blake3 *h, uint8_t *out, size_t len)
{
    node n;
    size_t below = h->stack_len;
    if (h->stack_len == 0 || chunk_len(&h->chunk) > 0) {
        chunk_node(&h->chunk, &n);
    } else {
        /* The input ended with a subtree: the top two entries (never one alone then) are
         * the children of the node above. */
        below -= 2;
        parent_node(h->stack + below * MS_BLAKE3_OUT_LEN, h->key, h->flags, &n);
    }
    while (below > 0) {
        uint8_t children[2 * MS_BLAKE3_OUT_LEN];
        below--;
        memcpy(children, h->stack + below * MS_BLAKE3_OUT_LEN, MS_BLAKE3_OUT_LEN);
        node_cv(&n, children + MS_BLAKE3_OUT_LEN);
        parent_node(children, h->key, h->flags, &n);
    }
    /* The root: each 64-byte block of output is the root compressed with its counter. */
    for (uint64_t counter = 0; len; counter++) {
        uint8_t block[MS_BLAKE3_BLOCK_LEN];
        compress_out(n.cv, n.block, n.block_len, counter, n.flags | ROOT, block);
        size_t take = len < sizeof block ? len : sizeof block;
        memcpy(out, block, take);
        out += take;
        len -= take;
    }
}

void ms_blake3_hash(const void *data, size_t len, uint8_t out[MS_BLAKE3_OUT_LEN])
{
    ms_blake3 h;
    ms_blake3_init(&h);
    ms_blake3_update(&h, data, len);
    ms_blake3_finalize(&h, out, MS_BLAKE3_OUT_LEN);
}
