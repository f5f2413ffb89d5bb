/* media_internal.h: what the files of src/media share and nobody else includes — opening an
 * input the safe way, opening a decoder with our limits, libav errors as ms_error sentences,
 * and picture helpers (display size, scale + rotate, encode one still). Not a public API; see
 * media.h for that. */
#ifndef MS_MEDIA_INTERNAL_H
#define MS_MEDIA_INTERNAL_H

#include "media/media.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <stdbool.h>

/* Limits against hostile files (docs/media.md "Limits"). */
#define MEDIA_PROBESIZE       (10 * 1000 * 1000) /* bytes read to find the streams */
#define MEDIA_ANALYZEDURATION (10 * 1000 * 1000) /* microseconds of media to analyse */
#define MEDIA_MAX_STREAMS     64
#define MEDIA_MAX_PIXELS      (120LL * 1000 * 1000) /* per decoded picture (12K is 80M) */

/* An open input. `fmt->opaque` points back here: the io_open guard reads `url` from it. */
typedef struct media_in {
    AVFormatContext *fmt;
    char *url; /* "file:" + path: the only thing a demuxer may open */
    int (*default_io_open)(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                           AVDictionary **options);
    const atomic_int *cancel; /* may be NULL: checked by libav's interrupt callback */
} media_in;

/* Route libav's log to ours (once per process). Every public function calls it first. */
void media_log_init(void);

/* Open `path` and find its streams, with every limit set. MS_EIO when the file cannot be
 * opened at all, MS_EINVAL when libav cannot read it. */
int media_in_open(media_in *in, const char *path, const atomic_int *cancel, ms_error *err);
void media_in_close(media_in *in);
/* The best video stream that is a real picture sequence or still (not cover art unless
 * `cover_ok` and there is nothing else), or -1. */
int media_in_video_stream(const media_in *in, bool cover_ok);

/* A decoder for stream `index` of `in`, with our pixel limit and `threads` threads. */
int media_open_decoder(media_in *in, int index, int threads, AVCodecContext **out, ms_error *err);

/* Fill `err` with "<what>: <libav's text>[ (<last libav error line>)]" and return `code`. */
int media_fail_av(ms_error *err, int code, int averr, const char *what);

/* Clockwise degrees (0, 90, 180, 270) a player turns the stream's pictures for display. */
int media_stream_rotation(const AVStream *st);

/* The stream's sample aspect ratio (1:1 when unknown or absurd). */
AVRational media_stream_sar(const AVFormatContext *fmt, const AVStream *st, const AVFrame *frame);

/* The output size of a picture `w` x `h` with `sar`, turned by `rotation`, fit into
 * `max_w` x `max_h` (0 = no bound), never upscaled, even and at least 2x2. */
void media_fit_size(int w, int h, AVRational sar, int rotation, int max_w, int max_h, int *out_w,
                    int *out_h);

/* The lines of `src` to scale: all of them, or for an interlaced frame only the top field
 * (every other line: a "discard one field" deinterlace, as no libavfilter is linked). Fills
 * data/linesize and returns the height to give swscale. */
int media_field_view(const AVFrame *src, const uint8_t *data[4], int linesize[4]);

/* Give swscale the source frame's range and matrix, and the destination's (`dst_matrix` an
 * SWS_CS_* value). swscale converts the range and, between RGB and YUV, applies the matrices;
 * YUV to YUV keeps the matrix as it is (no colour-space conversion here). */
struct SwsContext;
void media_sws_colorspace(struct SwsContext *sws, const AVFrame *src, int dst_matrix,
                          bool dst_full);

/* A new frame of `w` x `h` (the displayed orientation) in `pix_fmt` (a planar 8-bit 4:2:0 or
 * 4:4:4 format): `src` scaled, then turned by `rotation`. NULL on failure (err filled). */
AVFrame *media_picture(const AVFrame *src, int w, int h, int rotation, enum AVPixelFormat pix_fmt,
                       ms_error *err);

/* Encode one picture with the still encoder of `format` ("jpeg" or "webp") and write the
 * file at `path`. `pic` must be yuvj420p for jpeg and yuv420p for webp. */
int media_write_still(const AVFrame *pic, const char *format, int quality, const char *path,
                      ms_error *err);

#endif
