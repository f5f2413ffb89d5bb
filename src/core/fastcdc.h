/* fastcdc.h: content-defined chunking with FastCDC, written here from the papers (Xia et al.,
 * "FastCDC: a Fast and Efficient Content-Defined Chunking Approach for Data Deduplication",
 * USENIX ATC 2016, and its TPDS 2020 extension that rolls two bytes per step).
 *
 * A chunk boundary ("cut") is placed where a gear hash of the bytes just before it has
 * certain bits all zero, so that an insertion or deletion only moves the boundaries near it:
 * the rest of a file keeps its chunks and deduplicates against the old version. This file
 * decides where one chunk ends; chunker.h reads a file, hashes the chunks and runs in
 * parallel. It is not a hash for anything but boundaries (the gear hash is not
 * collision-resistant) and it knows nothing of storage.
 *
 * The boundary rule, exactly (stored chunk lists depend on it: never change it):
 *
 *   gear[0..255]  SplitMix64 (Steele, Lea, Flood 2014) seeded with MS_CDC_GEAR_SEED: state
 *                 += 0x9E3779B97F4A7C15; z = state; z = (z ^ z>>30) * 0xBF58476D1CE4E5B9;
 *                 z = (z ^ z>>27) * 0x94D049BB133111EB; gear[i] = z ^ z>>31.
 *   fp(p)         the gear hash of the 64 bytes ending at position p:
 *                 sum over k = 0..63 of gear[data[p-k]] << k (mod 2^64), i.e. what
 *                 fp = (fp << 1) + gear[byte] gives after 64 bytes, whatever came before.
 *   mask(n)       n one bits just below the top bit: bits 62 down to 63-n (bit 63 is never
 *                 used, which lets the scanner roll two bytes per step, and every used bit
 *                 depends on at least 37 bytes of the window).
 *   normalized chunking, level 2: with avg = 2^b, MaskS = mask(b+2) (harder to hit) for
 *                 chunk lengths up to avg, MaskL = mask(b-2) (easier) beyond it.
 *   The chunk starting at s has length L, the smallest value in [min, max] with
 *                 L <= avg and fp(s+L-1) & MaskS == 0, or
 *                 L >  avg and fp(s+L-1) & MaskL == 0;
 *                 max when there is none; at the end of the data, what is left when fewer
 *                 bytes than that remain (or at most min remain).
 *
 * Cut-point skipping: the first min-64 bytes of a chunk are never hashed. Because fp(p)
 * depends only on the 64 bytes ending at p, a position's "hit" does not depend on where the
 * chunk began, only on which mask its distance from the chunk start selects; chunker.c uses
 * that to find boundaries in parallel with the same result. */
#ifndef MS_FASTCDC_H
#define MS_FASTCDC_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_CDC_GEAR_SEED 0x6D73746174696F6EULL /* "mstation" in ASCII */
#define MS_CDC_WINDOW    64                    /* bytes that fp(p) depends on */
#define MS_CDC_MIN_FLOOR 64u                   /* smallest allowed min (tests use it) */
#define MS_CDC_MAX_CEIL  (64u << 20)           /* largest allowed max */

typedef struct ms_cdc_params {
    uint32_t min; /* no chunk is shorter, except the last one of the data */
    uint32_t avg; /* a power of two: the target length, where the masks switch */
    uint32_t max; /* no chunk is longer */
} ms_cdc_params;

/* 512 KiB / 2 MiB / 8 MiB. */
ms_cdc_params ms_cdc_default(void);

/* 0, or MS_EINVAL with a sentence in `err` (may be NULL) when the parameters are not
 * MS_CDC_MIN_FLOOR <= min < avg < max <= MS_CDC_MAX_CEIL with avg a power of two. */
int ms_cdc_check(const ms_cdc_params *p, ms_error *err);

/* The length of the chunk that starts at `data`, given `len` bytes from there; `eof` says
 * that nothing follows them. Returns 0 when more data is needed to decide (len < max and no
 * cut found and not eof), and 0 for len == 0. A result is final: more data never changes it.
 * `p` must have passed ms_cdc_check. Thread-safe. */
size_t ms_cdc_cut(const ms_cdc_params *p, const uint8_t *data, size_t len, bool eof);

/* The masks of `p` (see above): MaskS for lengths up to avg, MaskL beyond. */
uint64_t ms_cdc_mask_small(const ms_cdc_params *p);
uint64_t ms_cdc_mask_large(const ms_cdc_params *p);

/* The gear table (256 entries, built once, never changes). */
const uint64_t *ms_cdc_gear(void);

/* Scan `data[from..to)` for the first position p whose fp(p) & mask == 0, where `*fp` is the
 * rolling hash after data[from-1] (callers warm it up over the 63 bytes before `from` with
 * ms_cdc_roll, or start at 0 and ignore the first 63 positions). Returns p, or `to` when
 * there is none; `*fp` is left as the hash after the last byte consumed (p, or to-1). The
 * building block of ms_cdc_cut and of the parallel boundary finder; `mask` must not have
 * bit 63 set. */
size_t ms_cdc_scan(const uint8_t *data, size_t from, size_t to, uint64_t mask, uint64_t *fp);

/* Feed data[0..n) into the rolling hash without looking for cuts. */
uint64_t ms_cdc_roll(uint64_t fp, const uint8_t *data, size_t n);

#endif
