/* id.c: UUIDv7 (RFC 9562) with the "fixed-length dedicated counter" method for monotonicity.
 *
 * The 12-bit rand_a field is a counter: the first id of a millisecond starts it at a random
 * value below 2^11 (leaving room for at least 2048 more ids in that millisecond); when it
 * overflows, the timestamp is advanced by one millisecond, as §6.2 allows. The last
 * (timestamp, counter) pair is process-wide state, one atomic word: it is the one piece of
 * global state mstation keeps outside the server, because ids must be ordered across all
 * threads and every layer creates ids. */
#include "core/id.h"

#include "core/time.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Kernel randomness costs a system call per call; ids and tokens are made on every request.
 * So each thread keeps a ChaCha20 keystream (libsodium) keyed with 256 bits from getrandom,
 * and re-keys from the kernel after every 1 MiB of output. The first 32 bytes of every
 * refill become the next key (fast key erasure) and bytes are wiped once handed out, so a
 * later memory read does not reveal earlier output. */
#define RNG_BLOCK 4096
#define RNG_REKEY (1u << 20)

typedef struct rng_state {
    unsigned char key[32];
    unsigned char buf[RNG_BLOCK];
    size_t pos;      /* next unused byte in buf */
    size_t produced; /* since the last kernel re-key */
    uint64_t nonce;
    bool seeded;
} rng_state;

static _Thread_local rng_state rng;

static void kernel_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            /* getrandom cannot fail on Linux >= 3.17 with a valid buffer; if it does, no id
             * or token may be produced from predictable bytes. */
            abort();
        }
        p += r;
        n -= (size_t)r;
    }
}

static void rng_refill(void)
{
    if (!rng.seeded || rng.produced >= RNG_REKEY) {
        kernel_random(rng.key, sizeof rng.key);
        rng.produced = 0;
        rng.seeded = true;
    }
    unsigned char nonce[8];
    for (int i = 0; i < 8; i++)
        nonce[i] = (unsigned char)(rng.nonce >> (8 * i));
    rng.nonce++;
    crypto_stream_chacha20(rng.buf, sizeof rng.buf, nonce, rng.key);
    memcpy(rng.key, rng.buf, sizeof rng.key);
    sodium_memzero(rng.buf, sizeof rng.key);
    rng.pos = sizeof rng.key;
    rng.produced += sizeof rng.buf;
}

void ms_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n) {
        if (rng.pos >= sizeof rng.buf || !rng.seeded) rng_refill();
        size_t take = sizeof rng.buf - rng.pos < n ? sizeof rng.buf - rng.pos : n;
        memcpy(p, rng.buf + rng.pos, take);
        sodium_memzero(rng.buf + rng.pos, take); /* handed out once, then gone */
        rng.pos += take;
        p += take;
        n -= take;
    }
}

/* (timestamp << 12 | counter) of the last id, advanced with compare-and-swap: ids are made on
 * every request by every thread, and a mutex here was contended. */
static _Atomic uint64_t uuid_last;

void ms_uuid7_at(int64_t now, char out[MS_ID_LEN])
{
    unsigned char r[10];
    ms_random_bytes(r, sizeof r);
    uint64_t fresh = ((uint64_t)r[8] << 8 | r[9]) & 0x7FF; /* below 2^11: room to count */
    uint64_t last = atomic_load_explicit(&uuid_last, memory_order_relaxed), next;
    do {
        uint64_t last_ms = last >> 12;
        if ((uint64_t)now > last_ms) {
            next = (uint64_t)now << 12 | fresh;
        } else if ((last & 0xFFF) < 0xFFF) {
            next = last + 1; /* same (or earlier) millisecond: count */
        } else {
            next = (last_ms + 1) << 12 | fresh; /* counter full: borrow the next millisecond */
        }
    } while (!atomic_compare_exchange_weak_explicit(&uuid_last, &last, next, memory_order_relaxed,
                                                    memory_order_relaxed));
    uint64_t ts = next >> 12;
    unsigned counter = (unsigned)(next & 0xFFF);

    unsigned char b[16];
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ts >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (counter >> 8));
    b[7] = (unsigned char)(counter & 0xFF);
    memcpy(b + 8, r, 8);
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3F));
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

void ms_uuid7(char out[MS_ID_LEN])
{
    ms_uuid7_at(ms_now_ms(), out);
}

bool ms_uuid_valid(const char *s)
{
    if (!s) return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return s[36] == '\0';
}
