/* chunker.h: one pass over a file that cuts it into FastCDC chunks (fastcdc.h), hashes each
 * chunk and the whole content with BLAKE3-256, and hands the chunks to a callback in file
 * order. The server uses it to ingest an upload, the CLI to prepare a deduplicating one.
 *
 * Several threads share the work of a large file: reading, finding hash hits for the
 * boundaries, hashing chunks and hashing the whole content; the result is the same for any
 * number of threads. Each byte is read from the file once; memory is a ring of a few max
 * chunk sizes per thread (see chunker.c), never proportional to the file. It does not store
 * chunks, decide which are new, or know of any protocol: that is the caller's callback. */
#ifndef MS_CHUNKER_H
#define MS_CHUNKER_H

#include "core/blake3.h"
#include "core/error.h"
#include "core/fastcdc.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ms_chunk {
    uint64_t offset;                   /* from where reading began */
    size_t len;                        /* in [min, max], except the last chunk */
    uint8_t digest[MS_BLAKE3_OUT_LEN]; /* BLAKE3-256 of the chunk */
    const uint8_t *data;               /* the chunk's bytes, valid during the callback only */
} ms_chunk;

/* Called once per chunk, in file order, always on the thread that called ms_chunker_fd or
 * ms_chunker_mem, never concurrently with itself. Return 0 to go on; anything else stops the
 * pipeline (all threads finish cleanly) and becomes its return value; fill `err` with why. */
typedef int (*ms_chunk_fn)(void *ctx, const ms_chunk *chunk, ms_error *err);

typedef struct ms_chunker_result {
    uint64_t size; /* bytes of content */
    uint64_t nchunks;
    uint8_t digest[MS_BLAKE3_OUT_LEN]; /* BLAKE3-256 of the whole content */
} ms_chunker_result;

/* Read `fd` from its current position to end of file (read(2) in large blocks, so pipes work
 * too) and chunk it with `params` (NULL: ms_cdc_default()) using `nthreads` threads (0: the
 * number of online CPUs; a small input uses one whatever is asked). `fn` may be NULL when
 * only `out` is wanted. Returns 0 and fills `out` (may be NULL), or: MS_EINVAL for bad
 * parameters, MS_EIO when reading fails, MS_ENOMEM, or what `fn` returned. */
int ms_chunker_fd(int fd, const ms_cdc_params *params, unsigned nthreads, ms_chunk_fn fn, void *ctx,
                  ms_chunker_result *out, ms_error *err);

/* The same over bytes in memory (copied through the same ring, so the chunks' `data` point
 * into the ring, not into `data`). */
int ms_chunker_mem(const void *data, size_t len, const ms_cdc_params *params, unsigned nthreads,
                   ms_chunk_fn fn, void *ctx, ms_chunker_result *out, ms_error *err);

#endif
