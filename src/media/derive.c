/* derive.c: the small derivatives — media_thumbnail (a poster frame as JPEG or WebP),
 * media_filmstrip (a JPEG sprite of frames across the duration) and media_waveform (audio
 * peaks as JSON). The proxy, which reads the whole file, is proxy.c.
 *
 * Thumbnails and filmstrips need a few frames at chosen times. A "frame grabber" seeks to the
 * keyframe before each time and decodes forward to it, within a budget of packets per frame;
 * when the next time is ahead of where decoding already is and no keyframe lies in between,
 * it just keeps decoding instead of seeking back (a clip with one keyframe costs one pass, not
 * N; an all-intra ProRes jumps straight to each frame). It never decodes the whole file
 * unless one GOP spans it. The waveform does read all of the first audio stream. */
#include "media/media_internal.h"

#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GRAB_PACKET_BUDGET   600 /* packets of the stream read for one frame */
#define GRAB_NO_SEEK_SECONDS 4.0 /* without an index: decode forward when this close */
#define THUMB_JPEG_QSCALE    3
#define THUMB_WEBP_QUALITY   80
#define STRIP_JPEG_QSCALE    5
#define DARK_LUMA            40 /* mean full-range luma of a frame not worth a poster */

/* ---- Frame grabber ------------------------------------------------------------------------ */

typedef struct grabber {
    media_in in;
    int index;
    AVStream *st;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame; /* the last frame returned */
    AVFrame *cand;  /* a decoded frame before the target, kept in case nothing later comes */
    double duration;
    double start; /* stream start, seconds */
    double pos;   /* time of the last decoded frame, or -1 */
    bool still;   /* one picture: an image file or cover art */
    bool drained; /* the decoder has been sent its end */
    int rotation;
} grabber;

static void grabber_close(grabber *g)
{
    av_frame_free(&g->frame);
    av_frame_free(&g->cand);
    av_packet_free(&g->pkt);
    avcodec_free_context(&g->dec);
    media_in_close(&g->in);
}

static int grabber_open(grabber *g, const char *path, ms_error *err)
{
    memset(g, 0, sizeof *g);
    int rc = media_in_open(&g->in, path, NULL, err);
    if (rc < 0) return rc;
    AVFormatContext *fmt = g->in.fmt;
    g->index = media_in_video_stream(&g->in, true);
    if (g->index < 0) {
        grabber_close(g);
        return ms_fail(err, MS_EINVAL, NULL, "no picture in this file (it has no video stream)");
    }
    g->st = fmt->streams[g->index];
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if ((int)i != g->index) fmt->streams[i]->discard = AVDISCARD_ALL;
    rc = media_open_decoder(&g->in, g->index, 1, &g->dec, err);
    if (rc < 0) {
        grabber_close(g);
        return rc;
    }
    g->pkt = av_packet_alloc();
    g->frame = av_frame_alloc();
    g->cand = av_frame_alloc();
    if (!g->pkt || !g->frame || !g->cand) {
        grabber_close(g);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    g->still = (g->st->disposition & AV_DISPOSITION_ATTACHED_PIC) || g->st->nb_frames == 1;
    g->duration = fmt->duration > 0 ? (double)fmt->duration / AV_TIME_BASE : 0;
    if (g->st->duration > 0 && g->st->duration != AV_NOPTS_VALUE)
        g->duration = (double)g->st->duration * av_q2d(g->st->time_base);
    if (g->duration <= 0) g->still = true;
    g->start = g->st->start_time != AV_NOPTS_VALUE
                   ? (double)g->st->start_time * av_q2d(g->st->time_base)
                   : 0;
    g->pos = -1;
    g->rotation = media_stream_rotation(g->st);
    return 0;
}

static double frame_time(const grabber *g, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) return g->pos >= 0 ? g->pos : 0;
    return (double)ts * av_q2d(g->st->time_base) - g->start;
}

/* Decode the first frame at or after `t` seconds into g->frame (or the last one before it
 * when the budget or the stream runs out). */
static int grab_at(grabber *g, double t, ms_error *err)
{
    if (g->still) t = 0;
    int64_t ts = (int64_t)((t + g->start) / av_q2d(g->st->time_base));
    bool seek = !g->still && t > 0;
    if (seek && g->pos >= 0 && t >= g->pos) {
        /* Ahead of where decoding is: seek only when that skips work — when the keyframe
         * before the target comes after the current position (all-intra codecs, long
         * jumps). Without an index, judge by distance. */
        const AVIndexEntry *key =
            avformat_index_get_entry_from_timestamp(g->st, ts, AVSEEK_FLAG_BACKWARD);
        if (key)
            seek = (double)key->timestamp * av_q2d(g->st->time_base) - g->start > g->pos + 1e-3;
        else
            seek = t - g->pos >= GRAB_NO_SEEK_SECONDS;
    }
    if (seek) {
        if (av_seek_frame(g->in.fmt, g->index, ts, AVSEEK_FLAG_BACKWARD) >= 0) {
            avcodec_flush_buffers(g->dec);
            g->drained = false;
            g->pos = -1;
        }
    } else if (g->drained && (t < g->pos || g->still)) {
        /* Drained at the end of a short file: start over from the beginning. */
        if (av_seek_frame(g->in.fmt, g->index, 0, AVSEEK_FLAG_BACKWARD) >= 0) {
            avcodec_flush_buffers(g->dec);
            g->drained = false;
            g->pos = -1;
        }
    }
    av_frame_unref(g->cand);
    int packets = 0, errors = 0, last_error = 0;
    while (true) {
        int rc = avcodec_receive_frame(g->dec, g->frame);
        if (rc == 0) {
            double ft = frame_time(g, g->frame);
            g->pos = ft;
            if (g->still || ft >= t - 1e-3) return 0;
            av_frame_unref(g->cand);
            av_frame_move_ref(g->cand, g->frame);
            continue;
        }
        if (rc == AVERROR_EOF) break;
        if (rc != AVERROR(EAGAIN)) {
            errors++;
            last_error = rc;
            if (errors > 50) break;
            continue;
        }
        if (g->drained) break;
        if (packets >= GRAB_PACKET_BUDGET) {
            avcodec_send_packet(g->dec, NULL);
            g->drained = true;
            continue;
        }
        rc = av_read_frame(g->in.fmt, g->pkt);
        if (rc < 0) {
            avcodec_send_packet(g->dec, NULL);
            g->drained = true;
            continue;
        }
        if (g->pkt->stream_index == g->index) {
            packets++;
            rc = avcodec_send_packet(g->dec, g->pkt);
            if (rc < 0 && rc != AVERROR(EAGAIN)) {
                errors++;
                last_error = rc;
            }
        }
        av_packet_unref(g->pkt);
    }
    if (g->cand->format >= 0 && g->cand->width > 0) {
        av_frame_unref(g->frame);
        av_frame_move_ref(g->frame, g->cand);
        return 0;
    }
    if (last_error) return media_fail_av(err, MS_EINVAL, last_error, "no picture could be decoded");
    return ms_fail(err, MS_EINVAL, NULL, "no picture could be decoded from this file");
}

/* The output size of the grabbed picture bounded by max_w x max_h. */
static void grab_size(const grabber *g, int max_w, int max_h, int *w, int *h)
{
    AVRational sar = media_stream_sar(g->in.fmt, g->st, g->frame);
    media_fit_size(g->frame->width, g->frame->height, sar, g->rotation, max_w, max_h, w, h);
}

/* Mean luma of a full-range 8-bit picture (its first plane), sampled. */
static int mean_luma(const AVFrame *f)
{
    uint64_t sum = 0, n = 0;
    for (int y = 0; y < f->height; y += 2)
        for (int x = 0; x < f->width; x += 2, n++)
            sum += f->data[0][(ptrdiff_t)y * f->linesize[0] + x];
    return n ? (int)(sum / n) : 0;
}

static void unlink_quietly(const char *path)
{
    (void)unlink(path);
}

/* ---- Thumbnail ---------------------------------------------------------------------------- */

int media_thumbnail(const char *in, const char *out_path, const char *format, int max_width,
                    ms_error *err)
{
    if (!format || (strcmp(format, "jpeg") != 0 && strcmp(format, "webp") != 0))
        return ms_fail(err, MS_EINVAL, NULL, "thumbnail format must be jpeg or webp");
    if (max_width < 16 || max_width > 4096)
        return ms_fail(err, MS_EINVAL, NULL, "thumbnail width must be 16..4096, not %d", max_width);
    bool webp = strcmp(format, "webp") == 0;
    enum AVPixelFormat pix = webp ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUVJ420P;
    grabber g;
    int rc = grabber_open(&g, in, err);
    if (rc < 0) return rc;

    /* Try ~10% in; when that frame is nearly black (a fade, a slate's dark lead-in), a few
     * later points, and keep the brightest. */
    static const double points[] = {0.10, 0.25, 0.40, 0.60};
    AVFrame *best = NULL;
    int best_luma = -1;
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        rc = grab_at(&g, g.duration * points[i], err);
        if (rc < 0) {
            if (best) break; /* keep what we have */
            goto done;
        }
        int w, h;
        grab_size(&g, max_width, 0, &w, &h);
        /* Judge darkness on a small full-range copy, whatever the output format. */
        AVFrame *probe = media_picture(g.frame, 64, 64, 0, AV_PIX_FMT_YUVJ420P, NULL);
        int luma = probe ? mean_luma(probe) : 255;
        av_frame_free(&probe);
        if (luma > best_luma) {
            AVFrame *pic = media_picture(g.frame, w, h, g.rotation, pix, err);
            if (!pic) {
                rc = err ? err->code : MS_EINVAL;
                goto done;
            }
            av_frame_free(&best);
            best = pic;
            best_luma = luma;
        }
        if (luma >= DARK_LUMA || g.still) break;
    }
    rc = media_write_still(best, format, webp ? THUMB_WEBP_QUALITY : THUMB_JPEG_QSCALE, out_path,
                           err);
done:
    av_frame_free(&best);
    grabber_close(&g);
    if (rc < 0) unlink_quietly(out_path);
    return rc;
}

/* ---- Filmstrip ---------------------------------------------------------------------------- */

/* Copy a yuvj420p tile into the sprite at column x (even). */
static void blit(AVFrame *dst, const AVFrame *tile, int x)
{
    for (int p = 0; p < 3; p++) {
        int shift = p ? 1 : 0;
        int w = tile->width >> shift, h = tile->height >> shift, dx = x >> shift;
        for (int y = 0; y < h; y++)
            memcpy(dst->data[p] + (ptrdiff_t)y * dst->linesize[p] + dx,
                   tile->data[p] + (ptrdiff_t)y * tile->linesize[p], (size_t)w);
    }
}

int media_filmstrip(const char *in, const char *out_path, int nframes, int tile_width,
                    json_t **geometry, ms_error *err)
{
    if (geometry) *geometry = NULL;
    if (nframes < 1 || nframes > 200)
        return ms_fail(err, MS_EINVAL, NULL, "filmstrip frames must be 1..200, not %d", nframes);
    if (tile_width < 16 || tile_width > 1024)
        return ms_fail(err, MS_EINVAL, NULL, "filmstrip tile width must be 16..1024, not %d",
                       tile_width);
    if ((int64_t)nframes * tile_width > 65500)
        return ms_fail(err, MS_EINVAL, NULL,
                       "a filmstrip of %d tiles of %d pixels is wider than a JPEG can be", nframes,
                       tile_width);
    grabber g;
    int rc = grabber_open(&g, in, err);
    if (rc < 0) return rc;
    if (g.still) nframes = 1;

    AVFrame *sprite = NULL, *last = NULL;
    json_t *times = json_array();
    int tw = 0, th = 0, made = 0;
    for (int i = 0; i < nframes; i++) {
        double t = g.duration * (i + 0.5) / nframes;
        rc = grab_at(&g, t, err);
        AVFrame *tile = NULL;
        if (rc == 0) {
            if (!sprite) {
                /* Every tile is tile_width wide (small sources are scaled up, so the
                 * geometry is what the caller asked for); the height follows the first
                 * frame's display aspect. */
                AVRational sar = media_stream_sar(g.in.fmt, g.st, g.frame);
                double dw = g.frame->width * av_q2d(sar), dh = g.frame->height;
                if (g.rotation == 90 || g.rotation == 270) {
                    double swap = dw;
                    dw = dh;
                    dh = swap;
                }
                tw = tile_width & ~1;
                th = (int)lround(dh * tw / dw) & ~1;
                if (th < 2) th = 2;
                if (th > 4 * tw) th = 4 * tw & ~1;
                sprite = av_frame_alloc();
                if (!sprite) {
                    rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
                    break;
                }
                sprite->width = tw * nframes;
                sprite->height = th;
                sprite->format = AV_PIX_FMT_YUVJ420P;
                if (av_frame_get_buffer(sprite, 0) < 0) {
                    rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory for a %dx%d filmstrip",
                                 sprite->width, sprite->height);
                    break;
                }
                for (int p = 0; p < 3; p++)
                    memset(sprite->data[p], p ? 128 : 0,
                           (size_t)sprite->linesize[p] * (size_t)(p ? (th + 1) / 2 : th));
            }
            tile = media_picture(g.frame, tw, th, g.rotation, AV_PIX_FMT_YUVJ420P, err);
            if (!tile) {
                rc = err ? err->code : MS_EINVAL;
                break;
            }
            av_frame_free(&last);
            last = tile;
            json_array_append_new(times, json_real(round(frame_time(&g, g.frame) * 1000) / 1000));
        } else if (last) {
            /* Past what can be decoded (a truncated end): repeat the last good frame. */
            rc = 0;
            tile = last;
            json_array_append_new(times, json_real(round(t * 1000) / 1000));
        } else {
            break;
        }
        blit(sprite, tile, i * tw);
        made++;
    }
    if (rc == 0 && made == nframes)
        rc = media_write_still(sprite, "jpeg", STRIP_JPEG_QSCALE, out_path, err);
    else if (rc == 0)
        rc = ms_fail(err, MS_EINVAL, NULL, "no picture could be decoded from this file");
    if (rc == 0 && geometry) {
        *geometry = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:s,s:o}", "frames", nframes, "columns",
                              nframes, "rows", 1, "tile_width", tw, "tile_height", th, "width",
                              tw * nframes, "height", th, "format", "jpeg", "times", times);
        times = NULL;
    }
    json_decref(times);
    av_frame_free(&last);
    av_frame_free(&sprite);
    grabber_close(&g);
    if (rc < 0) unlink_quietly(out_path);
    return rc;
}

/* ---- Waveform ------------------------------------------------------------------------------
 * Peaks are gathered in blocks of 2^k samples: when the block list is full, neighbours merge
 * and blocks double. Memory stays bounded whatever the length, the length need not be known in
 * advance (many streams do not say), and the buckets are cut from the blocks at the end. */

#define WAVE_MAX_BLOCKS (1 << 18)

typedef struct peaks {
    float *min, *max;
    size_t n;          /* complete blocks */
    uint64_t per;      /* samples per block */
    uint64_t in_block; /* samples in the current block */
    float cur_min, cur_max;
    uint64_t samples;
} peaks;

static void peaks_push(peaks *p, float lo, float hi)
{
    if (p->in_block == 0 || lo < p->cur_min) p->cur_min = lo;
    if (p->in_block == 0 || hi > p->cur_max) p->cur_max = hi;
    p->samples++;
    if (++p->in_block < p->per) return;
    if (p->n == WAVE_MAX_BLOCKS) {
        for (size_t i = 0; i < p->n / 2; i++) {
            p->min[i] = fminf(p->min[2 * i], p->min[2 * i + 1]);
            p->max[i] = fmaxf(p->max[2 * i], p->max[2 * i + 1]);
        }
        p->n /= 2;
        p->per *= 2;
        if (p->in_block < p->per) return; /* the current block now has room to grow */
    }
    p->min[p->n] = p->cur_min;
    p->max[p->n] = p->cur_max;
    p->n++;
    p->in_block = 0;
}

static void peaks_finish(peaks *p)
{
    if (p->in_block && p->n < WAVE_MAX_BLOCKS) {
        p->min[p->n] = p->cur_min;
        p->max[p->n] = p->cur_max;
        p->n++;
        p->in_block = 0;
    }
}

static double clamp1(float v)
{
    double d = v < -1 ? -1 : v > 1 ? 1 : v;
    return round(d * 1e4) / 1e4;
}

/* Feed converted interleaved float samples. */
static void feed(peaks *p, const float *s, int count, int channels)
{
    for (int i = 0; i < count; i++) {
        float lo = s[(size_t)i * channels], hi = lo;
        for (int c = 1; c < channels; c++) {
            float v = s[(size_t)i * channels + c];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (isnan(lo) || isnan(hi)) lo = hi = 0;
        peaks_push(p, lo, hi);
    }
}

int media_waveform(const char *path, json_t **out, int buckets, ms_error *err)
{
    *out = NULL;
    if (buckets < 1 || buckets > 100000)
        return ms_fail(err, MS_EINVAL, NULL, "waveform buckets must be 1..100000, not %d", buckets);
    media_in in;
    int rc = media_in_open(&in, path, NULL, err);
    if (rc < 0) return rc;
    int index = av_find_best_stream(in.fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (index < 0) {
        media_in_close(&in);
        return ms_fail(err, MS_EINVAL, NULL, "no audio in this file");
    }
    for (unsigned i = 0; i < in.fmt->nb_streams; i++)
        if ((int)i != index) in.fmt->streams[i]->discard = AVDISCARD_ALL;
    AVCodecContext *dec = NULL;
    rc = media_open_decoder(&in, index, 1, &dec, err);
    if (rc < 0) {
        media_in_close(&in);
        return rc;
    }
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    SwrContext *swr = NULL;
    float *buf = NULL;
    int buf_samples = 0, channels = 0, rate = 0;
    peaks p = {.per = 1};
    p.min = malloc(WAVE_MAX_BLOCKS * sizeof(float));
    p.max = malloc(WAVE_MAX_BLOCKS * sizeof(float));
    if (!pkt || !frame || !p.min || !p.max) {
        rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        goto done;
    }
    bool drained = false;
    int errors = 0;
    while (true) {
        int av = avcodec_receive_frame(dec, frame);
        if (av == 0) {
            if (!swr || frame->ch_layout.nb_channels != channels || frame->sample_rate != rate) {
                /* (Re)configure: same rate and channels, interleaved float. */
                swr_free(&swr);
                AVChannelLayout layout = {0};
                if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC ||
                    av_channel_layout_copy(&layout, &frame->ch_layout) < 0)
                    av_channel_layout_default(&layout, frame->ch_layout.nb_channels);
                channels = frame->ch_layout.nb_channels;
                rate = frame->sample_rate;
                av = swr_alloc_set_opts2(&swr, &layout, AV_SAMPLE_FMT_FLT, rate, &layout,
                                         frame->format, rate, 0, NULL);
                av_channel_layout_uninit(&layout);
                if (av < 0 || channels <= 0 || (av = swr_init(swr)) < 0) {
                    rc = media_fail_av(err, MS_EINVAL, av, "cannot convert this audio");
                    goto done;
                }
            }
            if (frame->nb_samples > buf_samples) {
                free(buf);
                buf_samples = frame->nb_samples;
                buf = malloc((size_t)buf_samples * (size_t)channels * sizeof(float));
                if (!buf) {
                    rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
                    goto done;
                }
            }
            uint8_t *o[1] = {(uint8_t *)buf};
            int got = swr_convert(swr, o, buf_samples, (const uint8_t **)frame->extended_data,
                                  frame->nb_samples);
            if (got > 0) feed(&p, buf, got, channels);
            av_frame_unref(frame);
            continue;
        }
        if (av == AVERROR_EOF) break;
        if (av != AVERROR(EAGAIN)) {
            if (++errors > 100) break;
            continue;
        }
        if (drained) break;
        av = av_read_frame(in.fmt, pkt);
        if (av < 0) {
            avcodec_send_packet(dec, NULL);
            drained = true;
            continue;
        }
        if (pkt->stream_index == index && avcodec_send_packet(dec, pkt) < 0) errors++;
        av_packet_unref(pkt);
    }
    peaks_finish(&p);
    if (p.n == 0) {
        rc = ms_fail(err, MS_EINVAL, NULL, "no audio could be decoded from this file");
        goto done;
    }
    json_t *mins = json_array(), *maxs = json_array();
    for (int b = 0; b < buckets; b++) {
        size_t from = (size_t)((uint64_t)b * p.n / (uint64_t)buckets);
        size_t to = (size_t)((uint64_t)(b + 1) * p.n / (uint64_t)buckets);
        if (to <= from) to = from + 1;
        float lo = p.min[from], hi = p.max[from];
        for (size_t k = from + 1; k < to; k++) {
            lo = fminf(lo, p.min[k]);
            hi = fmaxf(hi, p.max[k]);
        }
        json_array_append_new(mins, json_real(clamp1(lo)));
        json_array_append_new(maxs, json_real(clamp1(hi)));
    }
    *out = json_pack("{s:i,s:i,s:i,s:f,s:o,s:o}", "buckets", buckets, "channels", channels,
                     "sample_rate", rate, "duration",
                     rate ? round((double)p.samples / rate * 1000) / 1000 : 0.0, "min", mins, "max",
                     maxs);
    if (!*out) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
done:
    free(buf);
    free(p.min);
    free(p.max);
    swr_free(&swr);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    media_in_close(&in);
    return rc;
}
