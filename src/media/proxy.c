/* proxy.c: media_proxy — a browser-playable copy of a media file: H.264 (libx264) and AAC
 * stereo in an MP4 with the index first.
 *
 * One pass over the file: demux the chosen video and audio streams, decode, convert pictures
 * with swscale (any pixel format, 10-bit 4:2:2 ProRes included, to 8-bit 4:2:0 at most
 * max_height lines, square pixels; interlaced frames keep their top field) and sound with
 * swresample (any layout to stereo, any rate to 48 kHz, through a FIFO cut to AAC's
 * 1024-sample frames), encode, and interleave into the MP4 muxer with +faststart.
 *
 * Timestamps: both tracks start at the file's start time, so they stay in sync when the
 * source's do. Video keeps the source's timestamps (and so its frame rate, variable or not);
 * a frame whose time does not move forward is dropped. Audio is counted in samples from its
 * first frame; gaps in the source audio are not filled, so a broken file can drift. No
 * filters: no tone mapping of HDR (the colour tags are kept), no yadif, no audio loudness.
 * It is not a general transcoder: the output format is fixed on purpose. */
#include "media/media_internal.h"

#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROXY_OUT_RATE   48000
#define PROXY_MAX_WIDTH  8192 /* the unbounded side of a very wide (or tall) picture */
#define PROXY_MAX_ERRORS 1000 /* decode errors tolerated before giving up */

typedef struct proxy {
    media_proxy_opts o;
    media_in in;
    AVFormatContext *oc;
    AVPacket *pkt, *opkt;
    AVFrame *frame;
    ms_error *err;
    double duration, start, reported, reported_at;
    int errors;

    /* video */
    int vin;
    AVStream *vst, *vout;
    AVCodecContext *vdec, *venc;
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt, sws_range, sws_matrix; /* what sws was made for */
    AVFrame *vframe;
    int out_w, out_h, out_matrix;
    int64_t v_offset, v_last;
    int64_t v_frames;

    /* audio */
    int ain;
    AVStream *ast, *aout;
    AVCodecContext *adec, *aenc;
    SwrContext *swr;
    AVChannelLayout swr_layout;
    int swr_rate, swr_fmt;
    AVAudioFifo *fifo;
    uint8_t **abuf;
    int abuf_samples;
    int64_t a_offset, a_next;
    bool a_started;
    int64_t a_samples;
} proxy;

static bool canceled(const proxy *p)
{
    return p->o.cancel && atomic_load(p->o.cancel);
}

static int fail_canceled(proxy *p)
{
    return ms_fail(p->err, MS_EBUSY, "canceled", "the proxy was canceled");
}

static void report(proxy *p, double t)
{
    if (!p->o.progress || !(p->duration > 0) || !isfinite(t)) return;
    double done = t / p->duration;
    if (done < 0) done = 0;
    if (done > 0.999) done = 0.999; /* 1.0 only once it is written */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double secs = (double)now.tv_sec + now.tv_nsec / 1e9;
    if (done - p->reported < 0.01 && secs - p->reported_at < 1) return;
    p->reported = done;
    p->reported_at = secs;
    p->o.progress(done, p->o.user);
}

/* ---- Encoding and muxing ------------------------------------------------------------------ */

static int encode(proxy *p, AVCodecContext *enc, AVStream *ost, AVFrame *f)
{
    int rc = avcodec_send_frame(enc, f);
    if (rc < 0 && rc != AVERROR_EOF)
        return media_fail_av(p->err, MS_EINTERNAL, rc,
                             enc == p->venc ? "H.264 encoding failed" : "AAC encoding failed");
    while (true) {
        rc = avcodec_receive_packet(enc, p->opkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
        if (rc < 0)
            return media_fail_av(p->err, MS_EINTERNAL, rc,
                                 enc == p->venc ? "H.264 encoding failed" : "AAC encoding failed");
        p->opkt->stream_index = ost->index;
        av_packet_rescale_ts(p->opkt, enc->time_base, ost->time_base);
        rc = av_interleaved_write_frame(p->oc, p->opkt);
        if (rc < 0) return media_fail_av(p->err, MS_EIO, rc, "writing the proxy failed");
    }
}

/* ---- Video -------------------------------------------------------------------------------- */

static bool yuv_matrix(int m)
{
    return m == AVCOL_SPC_BT709 || m == AVCOL_SPC_BT470BG || m == AVCOL_SPC_SMPTE170M ||
           m == AVCOL_SPC_SMPTE240M || m == AVCOL_SPC_BT2020_NCL || m == AVCOL_SPC_FCC;
}

static int video_setup(proxy *p)
{
    int rc = media_open_decoder(&p->in, p->vin, p->o.threads, &p->vdec, p->err);
    if (rc < 0) return rc;
    p->vst = p->in.fmt->streams[p->vin];
    int rotation = media_stream_rotation(p->vst);
    bool turn = rotation == 90 || rotation == 270;
    AVRational sar = media_stream_sar(p->in.fmt, p->vst, NULL);
    /* Bound the displayed height: after a quarter turn that is the encoded width. */
    media_fit_size(p->vdec->width, p->vdec->height, sar, 0,
                   turn ? p->o.max_height : PROXY_MAX_WIDTH,
                   turn ? PROXY_MAX_WIDTH : p->o.max_height, &p->out_w, &p->out_h);

    const AVCodec *x264 = avcodec_find_encoder_by_name("libx264");
    if (!x264) return ms_fail(p->err, MS_EINTERNAL, NULL, "this libavcodec has no libx264");
    AVCodecContext *e = p->venc = avcodec_alloc_context3(x264);
    if (!e) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    e->width = p->out_w;
    e->height = p->out_h;
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->sample_aspect_ratio = (AVRational){1, 1};
    AVRational tb = p->vst->time_base;
    if (tb.num <= 0 || tb.den <= 0 || (double)tb.den / tb.num > 1e6) tb = (AVRational){1, 90000};
    e->time_base = tb;
    AVRational fr = av_guess_frame_rate(p->in.fmt, p->vst, NULL);
    if (fr.num > 0 && fr.den > 0 && av_q2d(fr) < 1000) {
        e->framerate = fr;
        int gop = (int)ceil(2 * av_q2d(fr));
        e->gop_size = gop < 1 ? 1 : gop > 600 ? 600 : gop;
    } else {
        e->gop_size = 50;
    }
    e->thread_count = p->o.threads;
    int m = p->vdec->colorspace;
    p->out_matrix = yuv_matrix(m)            ? m
                    : p->vdec->height >= 720 ? AVCOL_SPC_BT709
                                             : AVCOL_SPC_SMPTE170M;
    e->colorspace = p->out_matrix;
    e->color_primaries = p->vdec->color_primaries;
    e->color_trc = p->vdec->color_trc;
    e->color_range = AVCOL_RANGE_MPEG;
    if (p->oc->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *o = NULL;
    av_dict_set(&o, "preset", p->o.preset, 0);
    av_dict_set_int(&o, "crf", p->o.crf, 0);
    av_dict_set(&o, "profile", "high", 0);
    rc = avcodec_open2(e, x264, &o);
    av_dict_free(&o);
    if (rc < 0) return media_fail_av(p->err, MS_EINTERNAL, rc, "cannot open the H.264 encoder");

    p->vout = avformat_new_stream(p->oc, NULL);
    if (!p->vout) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    rc = avcodec_parameters_from_context(p->vout->codecpar, e);
    if (rc < 0) return media_fail_av(p->err, MS_EINTERNAL, rc, "cannot set up the video track");
    p->vout->time_base = e->time_base;
    if (e->framerate.num) p->vout->avg_frame_rate = e->framerate;
    size_t size = 0;
    const uint8_t *matrix = av_stream_get_side_data(p->vst, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (rotation && matrix && size >= 9 * sizeof(int32_t)) {
        uint8_t *copy = av_stream_new_side_data(p->vout, AV_PKT_DATA_DISPLAYMATRIX, size);
        if (copy) memcpy(copy, matrix, size);
    }

    p->vframe = av_frame_alloc();
    if (!p->vframe) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    p->vframe->width = p->out_w;
    p->vframe->height = p->out_h;
    p->vframe->format = AV_PIX_FMT_YUV420P;
    if (av_frame_get_buffer(p->vframe, 0) < 0)
        return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    p->v_offset = p->in.fmt->start_time != AV_NOPTS_VALUE
                      ? av_rescale_q(p->in.fmt->start_time, AV_TIME_BASE_Q, p->vst->time_base)
                      : 0;
    p->v_last = INT64_MIN;
    return 0;
}

static int video_frame(proxy *p, AVFrame *f)
{
    int64_t pts = f->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE) {
        if (p->v_last == INT64_MIN)
            pts = 0;
        else
            pts = p->v_last + (f->pkt_duration > 0 ? f->pkt_duration : 1);
    } else {
        pts -= p->v_offset;
    }
    report(p, (double)pts * av_q2d(p->vst->time_base));
    if (pts < 0) return 0; /* before the start: pre-roll */
    int64_t out = av_rescale_q(pts, p->vst->time_base, p->venc->time_base);
    if (p->v_last != INT64_MIN && out <= p->v_last) return 0; /* time does not move: drop */

    const uint8_t *data[4];
    int linesize[4];
    int src_h = media_field_view(f, data, linesize);
    int range = f->color_range;
    if (!p->sws || p->sws_w != f->width || p->sws_h != src_h || p->sws_fmt != f->format ||
        p->sws_range != range || p->sws_matrix != (int)f->colorspace) {
        sws_freeContext(p->sws);
        p->sws = NULL;
        if (f->format < 0 || !sws_isSupportedInput(f->format))
            return ms_fail(p->err, MS_EINVAL, NULL, "cannot convert video in pixel format %s",
                           f->format >= 0 ? av_get_pix_fmt_name(f->format) : "none");
        p->sws = sws_getContext(f->width, src_h, f->format, p->out_w, p->out_h, AV_PIX_FMT_YUV420P,
                                SWS_BICUBIC, NULL, NULL, NULL);
        if (!p->sws)
            return ms_fail(p->err, MS_EINVAL, NULL, "cannot scale %dx%d %s video", f->width,
                           f->height, av_get_pix_fmt_name(f->format));
        media_sws_colorspace(p->sws, f, p->out_matrix, false);
        p->sws_w = f->width;
        p->sws_h = src_h;
        p->sws_fmt = f->format;
        p->sws_range = range;
        p->sws_matrix = f->colorspace;
    }
    int rc = av_frame_make_writable(p->vframe);
    if (rc < 0) return media_fail_av(p->err, MS_ENOMEM, rc, "out of memory");
    if (sws_scale(p->sws, data, linesize, 0, src_h, p->vframe->data, p->vframe->linesize) <= 0)
        return ms_fail(p->err, MS_EINVAL, NULL, "scaling a video frame failed");
    p->vframe->pts = out;
    p->vframe->pict_type = AV_PICTURE_TYPE_NONE;
    p->v_last = out;
    p->v_frames++;
    return encode(p, p->venc, p->vout, p->vframe);
}

/* ---- Audio -------------------------------------------------------------------------------- */

static int audio_setup(proxy *p)
{
    int rc = media_open_decoder(&p->in, p->ain, 1, &p->adec, p->err);
    if (rc < 0) return rc;
    p->ast = p->in.fmt->streams[p->ain];
    const AVCodec *aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!aac) return ms_fail(p->err, MS_EINTERNAL, NULL, "this libavcodec has no AAC encoder");
    AVCodecContext *e = p->aenc = avcodec_alloc_context3(aac);
    if (!e) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    e->sample_fmt = AV_SAMPLE_FMT_FLTP;
    e->sample_rate = PROXY_OUT_RATE;
    av_channel_layout_copy(&e->ch_layout, &(AVChannelLayout)AV_CHANNEL_LAYOUT_STEREO);
    e->bit_rate = p->o.audio_bitrate;
    e->time_base = (AVRational){1, PROXY_OUT_RATE};
    e->thread_count = 1;
    if (p->oc->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    rc = avcodec_open2(e, aac, NULL);
    if (rc < 0) return media_fail_av(p->err, MS_EINTERNAL, rc, "cannot open the AAC encoder");
    p->aout = avformat_new_stream(p->oc, NULL);
    if (!p->aout) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    rc = avcodec_parameters_from_context(p->aout->codecpar, e);
    if (rc < 0) return media_fail_av(p->err, MS_EINTERNAL, rc, "cannot set up the audio track");
    p->aout->time_base = e->time_base;
    const AVDictionaryEntry *lang = av_dict_get(p->ast->metadata, "language", NULL, 0);
    if (lang) av_dict_set(&p->aout->metadata, "language", lang->value, 0);
    p->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, 4096);
    if (!p->fifo) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    p->a_offset = p->in.fmt->start_time != AV_NOPTS_VALUE
                      ? av_rescale_q(p->in.fmt->start_time, AV_TIME_BASE_Q, p->ast->time_base)
                      : 0;
    return 0;
}

/* Encode whole AAC frames from the FIFO (and the rest too when `flush`). */
static int audio_drain(proxy *p, bool flush)
{
    int size = p->aenc->frame_size > 0 ? p->aenc->frame_size : 1024;
    while (av_audio_fifo_size(p->fifo) >= size || (flush && av_audio_fifo_size(p->fifo) > 0)) {
        int n = av_audio_fifo_size(p->fifo);
        if (n > size) n = size;
        AVFrame *f = av_frame_alloc();
        if (!f) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
        f->nb_samples = n;
        f->format = AV_SAMPLE_FMT_FLTP;
        f->sample_rate = PROXY_OUT_RATE;
        av_channel_layout_copy(&f->ch_layout, &p->aenc->ch_layout);
        int rc = av_frame_get_buffer(f, 0);
        if (rc >= 0) rc = av_audio_fifo_read(p->fifo, (void **)f->data, n);
        if (rc < 0) {
            av_frame_free(&f);
            return media_fail_av(p->err, MS_ENOMEM, rc, "out of memory");
        }
        f->pts = p->a_next;
        p->a_next += n;
        rc = encode(p, p->aenc, p->aout, f);
        av_frame_free(&f);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Convert `count` input samples (NULL: flush swresample) into the FIFO. */
static int audio_convert(proxy *p, const uint8_t **in, int count)
{
    int room = swr_get_out_samples(p->swr, count);
    if (room <= 0) return 0;
    if (room > p->abuf_samples) {
        if (p->abuf) av_freep(&p->abuf[0]);
        av_freep(&p->abuf);
        if (av_samples_alloc_array_and_samples(&p->abuf, NULL, 2, room, AV_SAMPLE_FMT_FLTP, 0) < 0)
            return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
        p->abuf_samples = room;
    }
    int got = swr_convert(p->swr, p->abuf, room, in, count);
    if (got < 0) return media_fail_av(p->err, MS_EINVAL, got, "converting the audio failed");
    if (got > 0 && av_audio_fifo_write(p->fifo, (void **)p->abuf, got) < got)
        return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    p->a_samples += got;
    return 0;
}

static int audio_frame(proxy *p, AVFrame *f)
{
    if (!p->a_started) {
        p->a_started = true;
        int64_t pts = f->best_effort_timestamp;
        if (pts != AV_NOPTS_VALUE) {
            p->a_next =
                av_rescale_q(pts - p->a_offset, p->ast->time_base, (AVRational){1, PROXY_OUT_RATE});
            if (p->a_next < 0) p->a_next = 0;
        }
    }
    if (f->best_effort_timestamp != AV_NOPTS_VALUE)
        report(p, (double)(f->best_effort_timestamp - p->a_offset) * av_q2d(p->ast->time_base));
    AVChannelLayout layout = {0};
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC ||
        av_channel_layout_copy(&layout, &f->ch_layout) < 0)
        av_channel_layout_default(&layout, f->ch_layout.nb_channels);
    if (!p->swr || p->swr_rate != f->sample_rate || p->swr_fmt != f->format ||
        av_channel_layout_compare(&p->swr_layout, &layout) != 0) {
        if (p->swr) {
            int rc = audio_convert(p, NULL, 0); /* what the old settings still hold */
            if (rc < 0) {
                av_channel_layout_uninit(&layout);
                return rc;
            }
        }
        swr_free(&p->swr);
        av_channel_layout_uninit(&p->swr_layout);
        int rc = swr_alloc_set_opts2(&p->swr, &p->aenc->ch_layout, AV_SAMPLE_FMT_FLTP,
                                     PROXY_OUT_RATE, &layout, f->format, f->sample_rate, 0, NULL);
        if (rc >= 0) rc = swr_init(p->swr);
        if (rc < 0) {
            av_channel_layout_uninit(&layout);
            return media_fail_av(p->err, MS_EINVAL, rc, "cannot convert this audio to stereo");
        }
        p->swr_layout = layout;
        p->swr_rate = f->sample_rate;
        p->swr_fmt = f->format;
    } else {
        av_channel_layout_uninit(&layout);
    }
    int rc = audio_convert(p, (const uint8_t **)f->extended_data, f->nb_samples);
    if (rc < 0) return rc;
    return audio_drain(p, false);
}

/* ---- The pass ----------------------------------------------------------------------------- */

/* Receive every frame the decoder has ready and hand it on. */
static int drain_decoder(proxy *p, AVCodecContext *dec)
{
    while (true) {
        int rc = avcodec_receive_frame(dec, p->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
        if (rc < 0) {
            if (++p->errors > PROXY_MAX_ERRORS)
                return media_fail_av(p->err, MS_EINVAL, rc, "too many decoding errors");
            continue;
        }
        rc = dec == p->vdec ? video_frame(p, p->frame) : audio_frame(p, p->frame);
        av_frame_unref(p->frame);
        if (rc < 0) return rc;
    }
}

static int send_packet(proxy *p, AVCodecContext *dec, const AVPacket *pkt)
{
    int rc = avcodec_send_packet(dec, pkt);
    if (rc < 0 && rc != AVERROR_EOF && ++p->errors > PROXY_MAX_ERRORS)
        return media_fail_av(p->err, MS_EINVAL, rc, "too many decoding errors");
    return drain_decoder(p, dec);
}

static int run(proxy *p)
{
    while (true) {
        if (canceled(p)) return fail_canceled(p);
        int rc = av_read_frame(p->in.fmt, p->pkt);
        if (rc == AVERROR_EXIT) return fail_canceled(p);
        if (rc < 0) break; /* the end, or a broken tail: keep what was read */
        if (p->vdec && p->pkt->stream_index == p->vin)
            rc = send_packet(p, p->vdec, p->pkt);
        else if (p->adec && p->pkt->stream_index == p->ain)
            rc = send_packet(p, p->adec, p->pkt);
        av_packet_unref(p->pkt);
        if (rc < 0) return rc;
    }
    int rc = 0;
    if (p->vdec && (rc = send_packet(p, p->vdec, NULL)) < 0) return rc;
    if (p->adec && (rc = send_packet(p, p->adec, NULL)) < 0) return rc;
    if (p->vdec && p->v_frames == 0)
        return ms_fail(p->err, MS_EINVAL, NULL, "no video frame could be decoded from this file");
    if (p->aenc) {
        if (p->swr && (rc = audio_convert(p, NULL, 0)) < 0) return rc;
        if ((rc = audio_drain(p, true)) < 0) return rc;
        if (!p->vdec && p->a_samples == 0)
            return ms_fail(p->err, MS_EINVAL, NULL, "no audio could be decoded from this file");
        if ((rc = encode(p, p->aenc, p->aout, NULL)) < 0) return rc;
    }
    if (p->venc && (rc = encode(p, p->venc, p->vout, NULL)) < 0) return rc;
    if (canceled(p)) return fail_canceled(p);
    rc = av_write_trailer(p->oc);
    if (rc < 0) return media_fail_av(p->err, MS_EIO, rc, "finishing the proxy failed");
    return 0;
}

static int open_output(proxy *p, const char *out_path)
{
    size_t n = strlen(out_path);
    char *url = malloc(n + 6);
    if (!url) return ms_fail(p->err, MS_ENOMEM, NULL, "out of memory");
    memcpy(url, "file:", 5);
    memcpy(url + 5, out_path, n + 1);
    int rc = avformat_alloc_output_context2(&p->oc, NULL, "mp4", url);
    if (rc < 0) {
        free(url);
        return media_fail_av(p->err, MS_EINTERNAL, rc, "cannot set up the MP4 muxer");
    }
    av_opt_set(p->oc, "protocol_whitelist", "file", 0);
    p->oc->interrupt_callback = p->in.fmt->interrupt_callback;
    AVDictionary *o = NULL;
    av_dict_set(&o, "protocol_whitelist", "file", 0);
    rc = avio_open2(&p->oc->pb, url, AVIO_FLAG_WRITE, &p->oc->interrupt_callback, &o);
    av_dict_free(&o);
    free(url);
    if (rc < 0) {
        char text[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(rc, text, sizeof text);
        return ms_fail(p->err, MS_EIO, NULL, "cannot write %s: %s", out_path, text);
    }
    return 0;
}

static void proxy_free(proxy *p)
{
    if (p->oc) {
        if (p->oc->pb) avio_closep(&p->oc->pb);
        avformat_free_context(p->oc);
    }
    sws_freeContext(p->sws);
    swr_free(&p->swr);
    av_channel_layout_uninit(&p->swr_layout);
    if (p->fifo) av_audio_fifo_free(p->fifo);
    if (p->abuf) av_freep(&p->abuf[0]);
    av_freep(&p->abuf);
    av_frame_free(&p->vframe);
    av_frame_free(&p->frame);
    av_packet_free(&p->pkt);
    av_packet_free(&p->opkt);
    avcodec_free_context(&p->vdec);
    avcodec_free_context(&p->venc);
    avcodec_free_context(&p->adec);
    avcodec_free_context(&p->aenc);
    media_in_close(&p->in);
}

int media_proxy(const char *in, const char *out_mp4, const media_proxy_opts *opts, ms_error *err)
{
    proxy p;
    memset(&p, 0, sizeof p);
    if (opts) p.o = *opts;
    if (p.o.max_height <= 0) p.o.max_height = 720;
    if (p.o.crf <= 0) p.o.crf = 23;
    if (!p.o.preset) p.o.preset = "veryfast";
    if (p.o.audio_bitrate <= 0) p.o.audio_bitrate = 128000;
    if (p.o.threads <= 0) p.o.threads = 2;
    if (p.o.max_height < 16 || p.o.max_height > 4320 || p.o.crf > 51 || p.o.threads > 64)
        return ms_fail(err, MS_EINVAL, NULL,
                       "proxy options out of range (max_height 16..4320, crf 1..51)");
    p.err = err;
    p.vin = p.ain = -1;
    int rc = media_in_open(&p.in, in, p.o.cancel, err);
    if (rc < 0) return rc;
    AVFormatContext *fmt = p.in.fmt;
    p.vin = media_in_video_stream(&p.in, false);
    p.ain = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (p.ain < 0) p.ain = -1;
    if (p.vin < 0 && p.ain < 0) {
        media_in_close(&p.in);
        return ms_fail(err, MS_EINVAL, NULL, "nothing to play: no audio or video stream");
    }
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if ((int)i != p.vin && (int)i != p.ain) fmt->streams[i]->discard = AVDISCARD_ALL;
    p.duration = fmt->duration > 0 ? (double)fmt->duration / AV_TIME_BASE : 0;
    p.pkt = av_packet_alloc();
    p.opkt = av_packet_alloc();
    p.frame = av_frame_alloc();
    if (!p.pkt || !p.opkt || !p.frame) {
        rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        goto done;
    }
    if ((rc = open_output(&p, out_mp4)) < 0) goto done;
    if (p.vin >= 0 && (rc = video_setup(&p)) < 0) goto done;
    if (p.ain >= 0 && (rc = audio_setup(&p)) < 0) goto done;
    AVDictionary *mux = NULL;
    av_dict_set(&mux, "movflags", "+faststart", 0);
    rc = avformat_write_header(p.oc, &mux);
    av_dict_free(&mux);
    if (rc < 0) {
        rc = media_fail_av(err, MS_EINTERNAL, rc, "cannot start the MP4");
        goto done;
    }
    rc = run(&p);
    if (rc == 0 && p.o.progress) p.o.progress(1.0, p.o.user);
done:
    proxy_free(&p);
    if (rc < 0) (void)unlink(out_mp4);
    return rc;
}
