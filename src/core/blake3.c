/* blake3.c: portable BLAKE3, from the specification. See blake3.h.
 *
 * The input is split into 1 KiB chunks; each chunk is hashed by compressing its 64-byte
 * blocks into a chaining value; chunk chaining values are merged pairwise into a binary tree
 * (parent nodes) whose root, compressed with the ROOT flag, gives the output. Completed
 * subtrees wait on a stack: after chunk number n (counting from 1), as many merges happen as
 * n has trailing zero bits, which keeps the tree's shape the specification fixes. The last
 * chunk and the merges above it wait until finalize, because only then is it known which
 * node is the root. */
#include "core/blake3.h"

#include <string.h>

enum {
    CHUNK_START = 1 << 0,
    CHUNK_END = 1 << 1,
    PARENT = 1 << 2,
    ROOT = 1 << 3,
    KEYED_HASH = 1 << 4,
    DERIVE_KEY_CONTEXT = 1 << 5,
    DERIVE_KEY_MATERIAL = 1 << 6,
};

static const uint32_t IV[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                               0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

/* The message word order of each of the 7 rounds (the specification's permutation applied
 * 0, 1, ..., 6 times). */
static const uint8_t SCHEDULE[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

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

static inline void g(uint32_t *s, int a, int b, int c, int d, uint32_t x, uint32_t y)
{
    s[a] = s[a] + s[b] + x;
    s[d] = rotr(s[d] ^ s[a], 16);
    s[c] = s[c] + s[d];
    s[b] = rotr(s[b] ^ s[c], 12);
    s[a] = s[a] + s[b] + y;
    s[d] = rotr(s[d] ^ s[a], 8);
    s[c] = s[c] + s[d];
    s[b] = rotr(s[b] ^ s[c], 7);
}

/* The compression function: all 16 output words (the first 8 are the chaining value). */
static void compress(const uint32_t cv[8], const uint8_t block[MS_BLAKE3_BLOCK_LEN],
                     uint8_t block_len, uint64_t counter, uint32_t flags, uint32_t out[16])
{
    uint32_t m[16], s[16];
    for (int i = 0; i < 16; i++)
        m[i] = load32(block + 4 * i);
    memcpy(s, cv, 8 * sizeof *s);
    memcpy(s + 8, IV, 4 * sizeof *s);
    s[12] = (uint32_t)counter;
    s[13] = (uint32_t)(counter >> 32);
    s[14] = block_len;
    s[15] = flags;
    for (int r = 0; r < 7; r++) {
        const uint8_t *w = SCHEDULE[r];
        g(s, 0, 4, 8, 12, m[w[0]], m[w[1]]);
        g(s, 1, 5, 9, 13, m[w[2]], m[w[3]]);
        g(s, 2, 6, 10, 14, m[w[4]], m[w[5]]);
        g(s, 3, 7, 11, 15, m[w[6]], m[w[7]]);
        g(s, 0, 5, 10, 15, m[w[8]], m[w[9]]);
        g(s, 1, 6, 11, 12, m[w[10]], m[w[11]]);
        g(s, 2, 7, 8, 13, m[w[12]], m[w[13]]);
        g(s, 3, 4, 9, 14, m[w[14]], m[w[15]]);
    }
    for (int i = 0; i < 8; i++) {
        out[i] = s[i] ^ s[i + 8];
        out[i + 8] = s[i + 8] ^ cv[i];
    }
}

/* A node not yet compressed: what finalize needs to produce a chaining value or, as the
 * root, the output. */
typedef struct node {
    uint32_t cv[8];
    uint8_t block[MS_BLAKE3_BLOCK_LEN];
    uint8_t block_len;
    uint64_t counter;
    uint32_t flags;
} node;

static void node_cv(const node *n, uint32_t cv[8])
{
    uint32_t out[16];
    compress(n->cv, n->block, n->block_len, n->counter, n->flags, out);
    memcpy(cv, out, 8 * sizeof *cv);
}

static void parent_node(const uint32_t left[8], const uint32_t right[8], const uint32_t key[8],
                        uint32_t flags, node *n)
{
    memcpy(n->cv, key, sizeof n->cv);
    for (int i = 0; i < 8; i++) {
        store32(n->block + 4 * i, left[i]);
        store32(n->block + 32 + 4 * i, right[i]);
    }
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
            uint32_t out[16];
            compress(c->cv, c->block, MS_BLAKE3_BLOCK_LEN, c->counter,
                     c->flags | chunk_start_flag(c), out);
            memcpy(c->cv, out, sizeof c->cv);
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

/* A chunk is complete (and more input follows): merge it into the stack of subtrees. */
static void push_chunk(ms_blake3 *h, uint32_t cv[8], uint64_t total_chunks)
{
    while ((total_chunks & 1) == 0) {
        node n;
        parent_node(h->stack[--h->stack_len], cv, h->key, h->flags, &n);
        node_cv(&n, cv);
        total_chunks >>= 1;
    }
    memcpy(h->stack[h->stack_len++], cv, 8 * sizeof *cv);
}

void ms_blake3_update(ms_blake3 *h, const void *data, size_t len)
{
    const uint8_t *in = data;
    while (len) {
        if (chunk_len(&h->chunk) == MS_BLAKE3_CHUNK_LEN) {
            node n;
            uint32_t cv[8];
            chunk_node(&h->chunk, &n);
            node_cv(&n, cv);
            uint64_t total = h->chunk.counter + 1;
            push_chunk(h, cv, total);
            chunk_init(&h->chunk, h->key, total, h->flags);
        }
        size_t take = MS_BLAKE3_CHUNK_LEN - chunk_len(&h->chunk);
        if (take > len) take = len;
        chunk_update(&h->chunk, in, take);
        in += take;
        len -= take;
    }
}

void ms_blake3_finalize(const ms_blake3 *h, uint8_t *out, size_t len)
{
    node n;
    chunk_node(&h->chunk, &n);
    for (int i = h->stack_len; i > 0; i--) {
        uint32_t cv[8];
        node_cv(&n, cv);
        parent_node(h->stack[i - 1], cv, h->key, h->flags, &n);
    }
    /* The root: each 64-byte block of output is the root compressed with its counter. */
    for (uint64_t counter = 0; len; counter++) {
        uint32_t words[16];
        compress(n.cv, n.block, n.block_len, counter, n.flags | ROOT, words);
        uint8_t block[MS_BLAKE3_BLOCK_LEN];
        for (int i = 0; i < 16; i++)
            store32(block + 4 * i, words[i]);
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
