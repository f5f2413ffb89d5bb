/* media.h: the media layer of the asset library — pure functions on files.
 *
 * What a file is (media_sniff, from its first bytes), what is in it (media_probe: container,
 * streams, timecode, colour, HDR, as JSON), and the derivatives a browser needs to show it:
 * a poster thumbnail, a filmstrip sprite for hover scrubbing, an H.264/AAC MP4 proxy for
 * playback, and waveform peaks. All of it goes through libavformat/libavcodec/libswscale/
 * libswresample, hardened for hostile uploads: only local files (protocol whitelist "file",
 * and a demuxer may not open any file but the one it was given), bounded probing, bounded
 * decoding where a function only needs a few frames, and a clean MS_EINVAL with a sentence
 * ("not a media file libav can read: ...") for anything corrupt, truncated or unsupported.
 *
 * Every function is thread-safe and keeps no state between calls: the server runs them from
 * several job-queue workers at once. libav's own log lines go to our log (core/log.h) at debug
 * level, never straight to stderr.
 *
 * It is not a job runner, a database layer or a storage backend: the caller chooses the paths
 * (writing to a temporary path and renaming it is the caller's business; on failure the output
 * path is removed), stores the JSON, and schedules the work. docs/media.md lists the probed
 * fields, the derivatives and the limits. */
#ifndef MS_MEDIA_H
#define MS_MEDIA_H

#include "core/error.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Content sniffing --------------------------------------------------------------------- */

/* The asset kind of a file from its first bytes (`head`, `n` bytes; 4 KiB is plenty, 64 bytes
 * enough for most): "video", "audio", "image", "subtitle", "document" or "other". Content
 * decides; `filename` (may be NULL) only breaks ties where the content is ambiguous (an MP4
 * with an audio-only brand, a RIFF of an unknown kind, plain text). Never NULL; the strings
 * are static. */
const char *media_sniff(const uint8_t *head, size_t n, const char *filename);

/* ---- Probe -------------------------------------------------------------------------------- */

/* Describe the media file at `path`. On success *out is a new JSON object:
 *   {"format":{...}, "streams":[{...},...], "summary":{...}}
 * (fields in docs/media.md). MS_EINVAL when libav cannot read it, MS_EIO when the file cannot
 * be opened, MS_ENOMEM. */
int media_probe(const char *path, json_t **out, ms_error *err);

/* ---- Derivatives -------------------------------------------------------------------------- */

/* A poster frame of `in` written to `out_path` as "jpeg" (baseline JFIF, full-range 4:2:0) or
 * "webp" (libwebp, lossy), at most `max_width` pixels wide (16..4096), never upscaled, with the
 * display aspect ratio (sample aspect ratio and 90/180/270 rotation applied). For moving
 * pictures it is taken at ~10% of the duration, skipping frames that are nearly black; still
 * images (PNG, JPEG, TIFF, DPX, EXR, WebP, ...) and audio files with cover art work too. */
int media_thumbnail(const char *in, const char *out_path, const char *format, int max_width,
                    ms_error *err);

/* A JPEG sprite of `nframes` (1..200) frames spread evenly over the duration, side by side in
 * one row, each `tile_width` pixels wide (16..1024; the height follows the display aspect).
 * *geometry (may be NULL) receives {"frames","columns","rows","tile_width","tile_height",
 * "width","height","times":[seconds of each tile]}. A still picture gives one tile. */
int media_filmstrip(const char *in, const char *out_path, int nframes, int tile_width,
                    json_t **geometry, ms_error *err);

/* Progress of a long derivative: `done` in 0..1, called at most about every 1% or second. */
typedef void (*media_progress_fn)(double done, void *user);

typedef struct media_proxy_opts {
    int max_height;             /* displayed height bound; 0: 720 (never upscaled) */
    int crf;                    /* x264 constant rate factor; 0: 23 */
    const char *preset;         /* x264 preset; NULL: "veryfast" */
    int audio_bitrate;          /* AAC bit rate; 0: 128000 */
    int threads;                /* decoder and encoder threads each; 0: 2 */
    media_progress_fn progress; /* may be NULL */
    void *user;                 /* passed to progress */
    const atomic_int *cancel;   /* may be NULL; when it becomes nonzero the proxy stops */
} media_proxy_opts;

/* A browser-playable proxy of `in` at `out_mp4`: H.264 High (libx264, CRF, yuv420p, even
 * dimensions, square pixels, a keyframe every ~2 s, source frame rate and colour tags kept) and
 * AAC-LC stereo 48 kHz, in an MP4 with the index at the front (+faststart). Interlaced frames
 * keep one field (no libavfilter, so no yadif); rotation is carried as the track's display
 * matrix. Audio-only input gives an AAC-only MP4; video-only input an MP4 without audio.
 * `opts` may be NULL. MS_EBUSY (type "canceled") when canceled. */
int media_proxy(const char *in, const char *out_mp4, const media_proxy_opts *opts, ms_error *err);

/* Peaks of the first audio stream for drawing a waveform: *out is
 *   {"buckets":N,"channels":C,"sample_rate":R,"duration":s,"min":[N],"max":[N]}
 * where min/max are the lowest and highest sample over all channels in each of `buckets`
 * (1..100000) equal slices of the audio, in -1..1 (rounded to 1e-4; dump with
 * JSON_REAL_PRECISION(5) or so to keep the text short). MS_EINVAL when there is no audio. */
int media_waveform(const char *in, json_t **out, int buckets, ms_error *err);

#endif
