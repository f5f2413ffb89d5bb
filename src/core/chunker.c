/* chunker.c: the one-pass, parallel "chunk and hash" pipeline of chunker.h.
 *
 * It is a small scheduler over a ring of blocks, not a general thread pool: the same few
 * kinds of work, some of which must happen one at a time and in order. It does not decide
 * boundaries itself (fastcdc.c does) and does not keep anything after it returns.
 *
 * Data: the input is read in blocks of B bytes (1 MiB for the default parameters) into a
 * ring of `nslots` slots; block j lives in slot j % nslots, so consecutive blocks are
 * adjacent in memory and a chunk is contiguous in the ring, except the one chunk per lap that
 * crosses the ring's end: it is copied into `scratch`. A slot is reused when everything that
 * needs its block is done: the whole-content hash has passed it, every chunk that overlaps
 * it has been delivered, and no worker is scanning it.
 *
 * Work, in the order a thread looks for it:
 *   deliver  (the calling thread only, in order) call the callback for hashed chunks.
 *   whole    (one at a time, in order) ms_blake3_update of the next block into the
 *            whole-content hash. Serial by nature and the longest serial stage, so first.
 *   read     (one at a time, in order) read the next block into a free slot.
 *   stitch   (one at a time, in order) decide the next chunk boundaries (see below).
 *   hits     (any block, in parallel) find the positions in one block where the gear hash
 *            meets MaskL, noting those that meet MaskS as well.
 *   hash     (any chunks, in parallel) ms_blake3_hash of a run of formed chunks.
 *
 * Parallel boundaries. fp(p) depends only on the 64 bytes ending at p (fastcdc.h), so
 * whether p is a "hit" for MaskS or MaskL is a property of the data alone; only which mask
 * applies, and whether p is far enough from the chunk start, depend on where the chunk
 * began. So workers list each block's hits independently (MaskL's bits are a subset of
 * MaskS's: an S-hit is also an L-hit, one list with a flag holds both), and the stitcher
 * walks the lists with the rule of fastcdc.h: exactly the sequential chunker's result, for
 * any number of threads, without any re-synchronization guesswork. With one thread the
 * stitcher scans the bytes itself instead (ms_cdc_scan, skipping the first min-64 bytes of
 * each chunk, which listing hits cannot), and so it does for a block whose hits would be
 * too many to list (adversarial or degenerate data: the list length is capped, so memory
 * stays bounded). Both ways give the same boundaries; the tests check it.
 *
 * Memory: the ring holds 2 max + 2 avg per thread (rounded to blocks, plus two), the scratch
 * one max, the chunk queue one record per min bytes of ring, and hit lists at most eight
 * times their expected length. For the defaults and two threads: about 34 MiB.
 *
 * Locking: one mutex and one condition variable guard the scheduler's state; the work itself
 * runs unlocked on data that its claim makes private (a slot being read or scanned, a run of
 * chunk records being hashed or delivered, records past `nformed` being written by the
 * stitcher). Every state change broadcasts. */
#include "core/chunker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS  64
#define BLOCK_MIN    (64u << 10)
#define BLOCK_MAX    (1u << 20)
#define HASH_BATCH   (256u << 10) /* bytes of chunks a hash task claims at least */
#define PUBLISH_STEP (256u << 10) /* the stitcher publishes chunks at least this often */
#define QUEUE_MAX    (1u << 16)
#define HIT_S        0x80000000u /* in a hit: the position meets MaskS too */

/* The hit lists pay off when boundary finding would otherwise be the serial bottleneck;
 * with two threads the serial stitcher scanning bytes runs beside the whole-content hash at
 * no cost, and listing hits (which cannot skip min bytes) would only add work. */
#define HITS_MIN_THREADS 3

enum { HITS_SKIP, HITS_TODO, HITS_RUNNING, HITS_DONE, HITS_DENSE };

typedef struct slot {
    size_t len;                        /* bytes of the block it holds */
    uint8_t prefix[MS_CDC_WINDOW - 1]; /* the bytes before the block (block > 0) */
    int hits_state;
    uint32_t *hits; /* positions in the block, ascending, HIT_S flag */
    size_t nhits, hits_cap;
} slot;

typedef struct chunk_rec {
    uint64_t offset;
    size_t len;
    const uint8_t *data;
    bool hashed;
    uint8_t digest[MS_BLAKE3_OUT_LEN];
} chunk_rec;

typedef struct pipeline {
    ms_cdc_params p;
    uint64_t mask_s, mask_l;
    ms_chunk_fn fn;
    void *ctx;

    /* input */
    int fd;
    const uint8_t *mem;
    size_t mem_len, mem_at;

    /* fixed after setup */
    size_t block; /* B */
    size_t nslots;
    uint8_t *ring; /* nslots * B */
    slot *slots;
    uint8_t *scratch; /* max bytes: the chunk that crosses the ring's end */
    size_t hits_max;  /* longest hit list kept for one block */
    chunk_rec *queue;
    size_t queue_cap;
    unsigned nthreads; /* wanted, including the caller */

    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t threads[MAX_THREADS];
    unsigned nstarted; /* worker threads running (not counting the caller) */
    bool use_hits;     /* new blocks get hit lists */

    /* reading (serial) */
    bool reading;
    bool eof;
    uint64_t nread;                  /* blocks read */
    uint64_t bytes;                  /* bytes read */
    uint8_t last[MS_CDC_WINDOW - 1]; /* the last bytes read: the next block's prefix */

    /* whole-content hash (serial) */
    bool wholing;
    uint64_t nwhole; /* blocks hashed into `whole` */
    ms_blake3 whole;

    /* boundaries (serial) */
    bool stitching;
    uint64_t cut; /* where the next chunk begins */

    /* chunks: records [ndelivered, nformed) live in the queue */
    uint64_t nformed, nclaimed, ndelivered;
    uint64_t delivered_end; /* the end of the last delivered chunk */
    uint64_t nfreed;        /* blocks whose slots are free again */

    int rc;              /* first failure; stops everything */
    bool rc_from_worker; /* `werr` holds its detail (else the callback filled the caller's) */
    ms_error werr;
} pipeline;

/* ---------------------------------------------------------------------------------------
 * Small helpers (the callers hold the lock unless said otherwise).
 * --------------------------------------------------------------------------------------- */

static slot *slot_of(pipeline *pl, uint64_t block)
{
    return &pl->slots[block % pl->nslots];
}

static uint64_t block_end(pipeline *pl, uint64_t j)
{
    uint64_t end = (j + 1) * pl->block;
    return pl->eof && end > pl->bytes ? pl->bytes : end;
}

/* Keep the first failure of a worker thread (the detail is already in pl->werr). */
static void fail_worker(pipeline *pl, int code)
{
    if (pl->rc) return;
    pl->rc = code;
    pl->rc_from_worker = true;
}

static bool finished(pipeline *pl)
{
    return pl->eof && pl->cut == pl->bytes && pl->ndelivered == pl->nformed &&
           pl->nwhole == pl->nread;
}

/* Give back the slots that nothing needs any more, oldest first. */
static void free_slots(pipeline *pl)
{
    while (pl->nfreed < pl->nread) {
        uint64_t j = pl->nfreed;
        slot *s = slot_of(pl, j);
        if (pl->nwhole <= j || pl->delivered_end < block_end(pl, j) ||
            s->hits_state == HITS_RUNNING)
            break;
        s->nhits = 0;
        s->hits_state = HITS_SKIP;
        pl->nfreed++;
    }
}

/* ---------------------------------------------------------------------------------------
 * read: the next block into its slot. Called unlocked; the caller set `reading`, which
 * makes `last` and the slot of block `nread` ours.
 * --------------------------------------------------------------------------------------- */

/* Fill `dst` with up to `want` bytes; `*at_end` when the input has no more. Returns 0 or an
 * errno value. */
static int source_read(pipeline *pl, uint8_t *dst, size_t want, size_t *got, bool *at_end)
{
    if (pl->mem) {
        size_t n = pl->mem_len - pl->mem_at < want ? pl->mem_len - pl->mem_at : want;
        memcpy(dst, pl->mem + pl->mem_at, n);
        pl->mem_at += n;
        *got = n;
        *at_end = pl->mem_at == pl->mem_len;
        return 0;
    }
    size_t n = 0;
    *at_end = false;
    while (n < want) {
        ssize_t r = read(pl->fd, dst + n, want - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            *got = n;
            return errno;
        }
        if (r == 0) {
            *at_end = true;
            break;
        }
        n += (size_t)r;
    }
    *got = n;
    return 0;
}

static int do_read(pipeline *pl, uint64_t j, size_t *got, bool *at_end)
{
    slot *s = slot_of(pl, j);
    uint8_t *dst = pl->ring + (j % pl->nslots) * pl->block;
    memcpy(s->prefix, pl->last, sizeof s->prefix);
    int e = source_read(pl, dst, pl->block, got, at_end);
    if (e) return e;
    /* Keep the last W-1 bytes read (only the final block can be shorter than that). */
    size_t n = *got, w = sizeof pl->last;
    if (n >= w) {
        memcpy(pl->last, dst + n - w, w);
    } else if (n > 0) {
        memmove(pl->last, pl->last + n, w - n);
        memcpy(pl->last + w - n, dst, n);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * hits: list the positions of block j where fp meets MaskL. Called unlocked; the block is
 * ours while its state is HITS_RUNNING. Returns the new state.
 * --------------------------------------------------------------------------------------- */

static int do_hits(pipeline *pl, uint64_t j)
{
    slot *s = slot_of(pl, j);
    const uint8_t *base = pl->ring + (j % pl->nslots) * pl->block;
    size_t len = s->len, at;
    uint64_t fp;
    if (j == 0) {
        /* Positions before 63 have no full window and are never asked about. */
        at = MS_CDC_WINDOW - 1 < len ? MS_CDC_WINDOW - 1 : len;
        fp = ms_cdc_roll(0, base, at);
    } else {
        at = 0;
        fp = ms_cdc_roll(0, s->prefix, sizeof s->prefix);
    }
    s->nhits = 0;
    for (;;) {
        at = ms_cdc_scan(base, at, len, pl->mask_l, &fp);
        if (at == len) return HITS_DONE;
        if (s->nhits == s->hits_cap) {
            if (s->hits_cap >= pl->hits_max) return HITS_DENSE;
            size_t cap = s->hits_cap ? 2 * s->hits_cap : 64;
            if (cap > pl->hits_max) cap = pl->hits_max;
            uint32_t *h = realloc(s->hits, cap * sizeof *h);
            if (!h) return HITS_DENSE; /* the stitcher scans the bytes instead */
            s->hits = h;
            s->hits_cap = cap;
        }
        s->hits[s->nhits++] = (uint32_t)at | ((fp & pl->mask_s) ? 0 : HIT_S);
        at++;
    }
}

/* ---------------------------------------------------------------------------------------
 * stitch: the boundaries, by the rule of fastcdc.h. Called unlocked on blocks whose hit
 * state is final (DONE, DENSE or SKIP) and that stay resident while the stitcher works.
 * --------------------------------------------------------------------------------------- */

/* The first position p in [lo, hi) where fp(p) meets MaskS (`small`) or MaskL, or
 * UINT64_MAX. lo >= 63, so fp(p) always has a full window. */
static uint64_t find_hit(pipeline *pl, uint64_t lo, uint64_t hi, bool small)
{
    const uint64_t mask = small ? pl->mask_s : pl->mask_l;
    while (lo < hi) {
        uint64_t j = lo / pl->block, start = j * pl->block;
        size_t a = (size_t)(lo - start);
        size_t b = (size_t)((hi < start + pl->block ? hi : start + pl->block) - start);
        slot *s = slot_of(pl, j);
        const uint8_t *base = pl->ring + (j % pl->nslots) * pl->block;
        if (s->hits_state == HITS_DONE) {
            size_t l = 0, r = s->nhits;
            while (l < r) {
                size_t m = l + (r - l) / 2;
                if ((s->hits[m] & ~HIT_S) < a)
                    l = m + 1;
                else
                    r = m;
            }
            for (; l < s->nhits; l++) {
                uint32_t pos = s->hits[l] & ~HIT_S;
                if (pos >= b) break;
                if (!small || (s->hits[l] & HIT_S)) return start + pos;
            }
        } else {
            /* Warm the hash up on the 63 bytes before `a`: from the block itself, or from
             * the copy of the previous block's tail kept with it. */
            const size_t w = MS_CDC_WINDOW - 1;
            uint64_t fp;
            if (a >= w) {
                fp = ms_cdc_roll(0, base + a - w, w);
            } else {
                fp = ms_cdc_roll(0, s->prefix + a, w - a);
                fp = ms_cdc_roll(fp, base, a);
            }
            size_t at = ms_cdc_scan(base, a, b, mask, &fp);
            if (at < b) return start + at;
        }
        lo = start + b;
    }
    return UINT64_MAX;
}

/* The end of the chunk that begins at `s`, given that the data (and hit lists) up to `end`
 * = min(s + max, end of input) are ready. */
static uint64_t next_cut(pipeline *pl, uint64_t s, uint64_t end)
{
    if (end - s <= pl->p.min) return end;
    uint64_t split = s + pl->p.avg < end ? s + pl->p.avg : end;
    uint64_t p = find_hit(pl, s + pl->p.min - 1, split, true);
    if (p != UINT64_MAX) return p + 1;
    if (split < end) {
        p = find_hit(pl, split, end, false);
        if (p != UINT64_MAX) return p + 1;
    }
    return end;
}

/* Where the chunk [s, e) can be read contiguously: in the ring, or copied to the scratch
 * buffer when it crosses the ring's end (at most one chunk per lap; the previous one has
 * been delivered by then, because the blocks of this one could not have been read before
 * its slots were freed). NULL when the scratch buffer cannot be allocated. */
static const uint8_t *chunk_data(pipeline *pl, uint64_t s, uint64_t e)
{
    size_t ring = pl->nslots * pl->block, a = (size_t)(s % ring), len = (size_t)(e - s);
    if (a + len <= ring) return pl->ring + a;
    if (!pl->scratch && !(pl->scratch = malloc(pl->p.max))) return NULL;
    memcpy(pl->scratch, pl->ring + a, ring - a);
    memcpy(pl->scratch + (ring - a), pl->ring, len - (ring - a));
    return pl->scratch;
}

/* How far the stitcher may look: the data read so far, up to the first block (from the one
 * holding `cut`) whose hit list is still to come. Locked. */
static uint64_t ready_end(pipeline *pl)
{
    for (uint64_t j = pl->cut / pl->block; j < pl->nread; j++) {
        int st = slot_of(pl, j)->hits_state;
        if (st == HITS_TODO || st == HITS_RUNNING) return j * pl->block;
    }
    return pl->bytes;
}

static bool stitch_ready(pipeline *pl)
{
    if (pl->stitching || (pl->eof && pl->cut == pl->bytes)) return false;
    if (pl->nformed - pl->ndelivered >= pl->queue_cap) return false;
    uint64_t ready = ready_end(pl);
    return pl->cut + pl->p.max <= ready || (pl->eof && ready == pl->bytes);
}

/* Form chunks while the data allows, publishing them in groups so hashing can start. Called
 * locked with `stitching` set; drops the lock while it works. */
static void do_stitch(pipeline *pl)
{
    for (;;) {
        uint64_t ready = ready_end(pl), s = pl->cut, first = pl->nformed;
        uint64_t total = pl->eof ? pl->bytes : UINT64_MAX;
        size_t space = pl->queue_cap - (size_t)(pl->nformed - pl->ndelivered);
        if (pl->rc) break;
        pthread_mutex_unlock(&pl->mu);
        size_t k = 0;
        uint64_t bytes = 0;
        bool oom = false;
        while (k < space && bytes < PUBLISH_STEP) {
            uint64_t end = s + pl->p.max < total ? s + pl->p.max : total;
            if (end == s || end > ready) break;
            uint64_t e = next_cut(pl, s, end);
            chunk_rec *r = &pl->queue[(first + k) % pl->queue_cap];
            r->offset = s;
            r->len = (size_t)(e - s);
            r->data = chunk_data(pl, s, e);
            r->hashed = false;
            if (!r->data) {
                oom = true;
                break;
            }
            k++;
            bytes += e - s;
            s = e;
        }
        pthread_mutex_lock(&pl->mu);
        if (oom && !pl->rc) {
            ms_fail(&pl->werr, MS_ENOMEM, NULL, "out of memory for a chunk of %u bytes", pl->p.max);
            fail_worker(pl, MS_ENOMEM);
        }
        pl->nformed += k;
        pl->cut = s;
        pthread_cond_broadcast(&pl->cv);
        if (k == 0) break;
    }
}

/* ---------------------------------------------------------------------------------------
 * The scheduler: every thread runs `work`, the calling thread with `caller` set (it alone
 * delivers, so the callback always runs on it).
 * --------------------------------------------------------------------------------------- */

static void *worker_main(void *arg);

/* Once the input has proved larger than two blocks, start the other threads. Locked. */
static void maybe_spawn(pipeline *pl)
{
    if (pl->nstarted || pl->nthreads < 2 || pl->eof || pl->nread < 2) return;
    pl->use_hits = pl->nthreads >= HITS_MIN_THREADS;
    for (unsigned i = 0; i + 1 < pl->nthreads; i++) {
        if (pthread_create(&pl->threads[pl->nstarted], NULL, worker_main, pl) != 0) break;
        pl->nstarted++;
    }
}

/* Deliver the hashed chunks at the head of the queue. Locked; drops the lock for the
 * callbacks. */
static void do_deliver(pipeline *pl, ms_error *err)
{
    uint64_t first = pl->ndelivered, last = first;
    while (last < pl->nformed && pl->queue[last % pl->queue_cap].hashed)
        last++;
    pthread_mutex_unlock(&pl->mu);
    int rc = 0;
    uint64_t i = first;
    for (; i < last; i++) {
        const chunk_rec *r = &pl->queue[i % pl->queue_cap];
        ms_chunk c = {.offset = r->offset, .len = r->len, .data = r->data};
        memcpy(c.digest, r->digest, sizeof c.digest);
        if (pl->fn && (rc = pl->fn(pl->ctx, &c, err)) != 0) break;
    }
    pthread_mutex_lock(&pl->mu);
    if (rc && !pl->rc) pl->rc = rc;
    if (i > first) {
        const chunk_rec *r = &pl->queue[(i - 1) % pl->queue_cap];
        pl->delivered_end = r->offset + r->len;
    }
    pl->ndelivered = i;
    free_slots(pl);
    pthread_cond_broadcast(&pl->cv);
}

/* One task, if there is one. Locked. Returns false when there was nothing to do. */
static bool run_one(pipeline *pl, bool caller, ms_error *err)
{
    if (caller && pl->ndelivered < pl->nformed &&
        pl->queue[pl->ndelivered % pl->queue_cap].hashed) {
        do_deliver(pl, err);
        return true;
    }

    if (!pl->wholing && pl->nwhole < pl->nread) {
        uint64_t j = pl->nwhole;
        pl->wholing = true;
        pthread_mutex_unlock(&pl->mu);
        ms_blake3_update(&pl->whole, pl->ring + (j % pl->nslots) * pl->block, slot_of(pl, j)->len);
        pthread_mutex_lock(&pl->mu);
        pl->wholing = false;
        pl->nwhole++;
        free_slots(pl);
        pthread_cond_broadcast(&pl->cv);
        return true;
    }

    if (!pl->reading && !pl->eof && pl->nread < pl->nfreed + pl->nslots) {
        uint64_t j = pl->nread;
        size_t got = 0;
        bool at_end = false;
        pl->reading = true;
        pthread_mutex_unlock(&pl->mu);
        int e = do_read(pl, j, &got, &at_end);
        pthread_mutex_lock(&pl->mu);
        pl->reading = false;
        if (e) {
            if (!pl->rc) {
                ms_fail(&pl->werr, MS_EIO, NULL, "cannot read the input: %s", strerror(e));
                fail_worker(pl, MS_EIO);
            }
        } else {
            if (got > 0) {
                slot *s = slot_of(pl, j);
                s->len = got;
                s->hits_state = pl->use_hits ? HITS_TODO : HITS_SKIP;
                pl->nread++;
                pl->bytes += got;
            }
            if (at_end || got < pl->block) pl->eof = true;
            maybe_spawn(pl);
        }
        pthread_cond_broadcast(&pl->cv);
        return true;
    }

    if (stitch_ready(pl)) {
        pl->stitching = true;
        do_stitch(pl);
        pl->stitching = false;
        return true;
    }

    for (uint64_t j = pl->nfreed; j < pl->nread; j++) {
        slot *s = slot_of(pl, j);
        if (s->hits_state != HITS_TODO) continue;
        if ((j + 1) * pl->block <= pl->cut) { /* the stitcher is past it */
            s->hits_state = HITS_SKIP;
            continue;
        }
        s->hits_state = HITS_RUNNING;
        pthread_mutex_unlock(&pl->mu);
        int st = do_hits(pl, j);
        pthread_mutex_lock(&pl->mu);
        s->hits_state = st;
        free_slots(pl);
        pthread_cond_broadcast(&pl->cv);
        return true;
    }

    if (pl->nclaimed < pl->nformed) {
        uint64_t first = pl->nclaimed;
        size_t bytes = 0;
        while (pl->nclaimed < pl->nformed && bytes < HASH_BATCH)
            bytes += pl->queue[pl->nclaimed++ % pl->queue_cap].len;
        uint64_t last = pl->nclaimed;
        pthread_mutex_unlock(&pl->mu);
        for (uint64_t i = first; i < last; i++) {
            chunk_rec *r = &pl->queue[i % pl->queue_cap];
            ms_blake3_hash(r->data, r->len, r->digest);
        }
        pthread_mutex_lock(&pl->mu);
        for (uint64_t i = first; i < last; i++)
            pl->queue[i % pl->queue_cap].hashed = true;
        pthread_cond_broadcast(&pl->cv);
        return true;
    }
    return false;
}

static void work(pipeline *pl, bool caller, ms_error *err)
{
    pthread_mutex_lock(&pl->mu);
    while (!pl->rc && !finished(pl)) {
        if (!run_one(pl, caller, err)) pthread_cond_wait(&pl->cv, &pl->mu);
    }
    pthread_cond_broadcast(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
}

static void *worker_main(void *arg)
{
    work(arg, false, NULL);
    return NULL;
}

/* ---------------------------------------------------------------------------------------
 * Setup and the two entry points.
 * --------------------------------------------------------------------------------------- */

static unsigned log2u(uint64_t v)
{
    unsigned b = 0;
    while (v >>= 1)
        b++;
    return b;
}

static int run(pipeline *pl, const ms_cdc_params *params, unsigned nthreads, size_t known_len,
               ms_chunker_result *out, ms_error *err)
{
    pl->p = params ? *params : ms_cdc_default();
    if (ms_cdc_check(&pl->p, err)) return MS_EINVAL;
    pl->mask_s = ms_cdc_mask_small(&pl->p);
    pl->mask_l = ms_cdc_mask_large(&pl->p);

    if (nthreads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = n > 0 ? (unsigned)n : 1;
    }
    pl->nthreads = nthreads > MAX_THREADS ? MAX_THREADS : nthreads;

    /* Blocks of max/8 (a power of two in [64 KiB, 1 MiB]); enough of them for the
     * stitcher's look-ahead of one max, one more max of chunks waiting to be delivered,
     * and two average chunks per thread being hashed. */
    size_t b = BLOCK_MIN;
    while (b < pl->p.max / 8 && b < BLOCK_MAX)
        b *= 2;
    pl->block = b;
    size_t want = 2 * (size_t)pl->p.max + 2 * (size_t)pl->p.avg * pl->nthreads;
    pl->nslots = (want + b - 1) / b + 2;
    if (known_len != SIZE_MAX && known_len / b + 1 < pl->nslots)
        pl->nslots = known_len / b + 1; /* all of it fits: nothing ever waits for a slot */
    size_t ring = pl->nslots * b;
    pl->queue_cap = ring / pl->p.min + 2;
    if (pl->queue_cap > QUEUE_MAX) pl->queue_cap = QUEUE_MAX;
    unsigned bits_l = log2u(pl->p.avg) - 2;
    pl->hits_max = 8 * (b >> bits_l) + 64;

    pl->ring = malloc(ring);
    pl->slots = calloc(pl->nslots, sizeof *pl->slots);
    pl->queue = calloc(pl->queue_cap, sizeof *pl->queue);
    if (!pl->ring || !pl->slots || !pl->queue) {
        free(pl->ring);
        free(pl->slots);
        free(pl->queue);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory for a %zu-byte chunking ring", ring);
    }
    ms_blake3_init(&pl->whole);
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->cv, NULL);

    work(pl, true, err);
    for (unsigned i = 0; i < pl->nstarted; i++)
        pthread_join(pl->threads[i], NULL);

    int rc = pl->rc;
    if (rc && pl->rc_from_worker && err) *err = pl->werr;
    if (!rc && out) {
        out->size = pl->bytes;
        out->nchunks = pl->ndelivered;
        ms_blake3_finalize(&pl->whole, out->digest, sizeof out->digest);
    }
    pthread_cond_destroy(&pl->cv);
    pthread_mutex_destroy(&pl->mu);
    for (size_t i = 0; i < pl->nslots; i++)
        free(pl->slots[i].hits);
    free(pl->slots);
    free(pl->queue);
    free(pl->ring);
    free(pl->scratch);
    return rc;
}

int ms_chunker_fd(int fd, const ms_cdc_params *params, unsigned nthreads, ms_chunk_fn fn, void *ctx,
                  ms_chunker_result *out, ms_error *err)
{
    pipeline *pl = calloc(1, sizeof *pl);
    if (!pl) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    pl->fd = fd;
    pl->fn = fn;
    pl->ctx = ctx;
    int rc = run(pl, params, nthreads, SIZE_MAX, out, err);
    free(pl);
    return rc;
}

int ms_chunker_mem(const void *data, size_t len, const ms_cdc_params *params, unsigned nthreads,
                   ms_chunk_fn fn, void *ctx, ms_chunker_result *out, ms_error *err)
{
    pipeline *pl = calloc(1, sizeof *pl);
    if (!pl) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    static const uint8_t nothing[1];
    pl->fd = -1;
    pl->mem = len ? data : nothing;
    pl->mem_len = len;
    pl->fn = fn;
    pl->ctx = ctx;
    int rc = run(pl, params, nthreads, len, out, err);
    free(pl);
    return rc;
}
