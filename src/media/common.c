/* common.c: the pieces every media function shares — libav logging routed to ours, opening an
 * input with the hostile-file limits, opening a decoder, libav errors as sentences, and the
 * picture helpers (display size, scale + rotate with swscale, encode one still picture).
 * See media_internal.h. It does not decide what to make of a file: probe.c, derive.c and
 * proxy.c do. */
#include "media/media_internal.h"

#include "core/log.h"

#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- libav's log ---------------------------------------------------------------------------
 * av_log_set_callback is process-wide, so it is set once. Lines at warning level and above go
 * to our log at debug level (a corrupt upload is the user's problem, not the operator's); the
 * rest is dropped before formatting. The last error line of each thread is kept so that a
 * failure can say what libav complained about ("moov atom not found"). Lines logged from
 * libav's own decoder threads land in those threads' copies, which nobody reads: harmless. */

static _Thread_local char last_error[200];

static void keep_printable(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = 0;
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
}

static void av_log_to_ours(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_WARNING) return;
    bool debug = ms_log_enabled(MS_LOG_DEBUG);
    if (level > AV_LOG_ERROR && !debug) return;
    char line[300];
    va_list copy;
    va_copy(copy, vl);
    vsnprintf(line, sizeof line, fmt, copy);
    va_end(copy);
    keep_printable(line);
    if (!line[0]) return;
    if (level <= AV_LOG_ERROR) {
        size_t n = strnlen(line, sizeof last_error - 1);
        memcpy(last_error, line, n);
        last_error[n] = 0;
    }
    if (!debug) return;
    const char *from = "libav";
    AVClass *cls = avcl ? *(AVClass **)avcl : NULL;
    if (cls && cls->class_name) from = cls->class_name;
    ms_log(MS_LOG_DEBUG, "libav",
           json_pack("{s:s,s:s,s:s}", "level_av", level <= AV_LOG_ERROR ? "error" : "warning",
                     "from", from, "text", line));
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_setup(void)
{
    av_log_set_callback(av_log_to_ours);
}

void media_log_init(void)
{
    pthread_once(&log_once, log_setup);
}

int media_fail_av(ms_error *err, int code, int averr, const char *what)
{
    if (averr == AVERROR_EXIT) return ms_fail(err, MS_EBUSY, "canceled", "%s: canceled", what);
    if (averr == AVERROR(ENOMEM)) return ms_fail(err, MS_ENOMEM, NULL, "%s: out of memory", what);
    char text[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, text, sizeof text);
    if (last_error[0] && !strstr(text, last_error))
        return ms_fail(err, code, NULL, "%s: %s (%s)", what, text, last_error);
    return ms_fail(err, code, NULL, "%s: %s", what, text);
}

/* ---- Opening an input ----------------------------------------------------------------------
 * protocol_whitelist "file" keeps libav off the network, and the path is given as "file:..." so
 * that a path with a colon is never read as another protocol. The whitelist alone would still
 * let a playlist (HLS, concat, image sequences) open other local files — an old way to leak
 * /etc/passwd into a thumbnail — so io_open is replaced by a guard that opens only the one URL
 * we were given, for reading. Nested demuxers share `opaque`, so they are guarded too. */

static int guarded_io_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                           AVDictionary **options)
{
    media_in *in = s->opaque;
    if (!in || !url || strcmp(url, in->url) != 0 || (flags & AVIO_FLAG_WRITE)) {
        av_log(s, AV_LOG_ERROR, "the file refers to another resource; refused");
        return AVERROR(EPERM);
    }
    return in->default_io_open(s, pb, url, flags, options);
}

static int interrupted(void *opaque)
{
    const media_in *in = opaque;
    return in->cancel && atomic_load(in->cancel);
}

/* Demuxers whose files point at other files (playlists, edit scripts, packages): they would
 * read whatever they name. Some open those through nested contexts that do not inherit our
 * io_open guard (concat), so they are refused by name before anything is opened. */
static bool refers_to_other_files(const AVInputFormat *f)
{
    static const char *const names[] = {"hls",  "concat", "dash",   "imf", "sdp",
                                        "rtsp", "rtp",    "image2", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(f->name, names[i]) == 0) return true;
    return false;
}

/* Choose the demuxer from the file's bytes (never from the name alone, and never a demuxer
 * that needs no file, such as image2's numbered sequences). */
static int detect_format(media_in *in, const AVInputFormat **out)
{
    AVIOContext *pb = NULL;
    AVDictionary *o = NULL;
    av_dict_set(&o, "protocol_whitelist", "file", 0);
    AVIOInterruptCB cb = {interrupted, in};
    int rc = avio_open2(&pb, in->url, AVIO_FLAG_READ, &cb, &o);
    av_dict_free(&o);
    if (rc < 0) return rc;
    rc = av_probe_input_buffer2(pb, out, in->url, NULL, 0, MEDIA_PROBESIZE);
    avio_closep(&pb);
    if (rc >= 0 && !*out) rc = AVERROR_INVALIDDATA;
    return rc < 0 ? rc : 0;
}

static bool stream_usable(const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;
    if (p->codec_id == AV_CODEC_ID_NONE && p->codec_type != AVMEDIA_TYPE_DATA) return false;
    switch (p->codec_type) {
    case AVMEDIA_TYPE_VIDEO:
        return p->width > 0 && p->height > 0;
    case AVMEDIA_TYPE_AUDIO:
        return p->sample_rate > 0 && p->ch_layout.nb_channels > 0;
    case AVMEDIA_TYPE_SUBTITLE:
        return true;
    default:
        return false;
    }
}

int media_in_open(media_in *in, const char *path, const atomic_int *cancel, ms_error *err)
{
    media_log_init();
    memset(in, 0, sizeof *in);
    last_error[0] = 0;
    in->cancel = cancel;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ms_fail(err, errno == ENOENT ? MS_ENOTFOUND : MS_EIO, NULL, "cannot open %s: %s",
                       path, strerror(errno));
    if (!S_ISREG(sb.st_mode)) return ms_fail(err, MS_EINVAL, NULL, "%s is not a file", path);
    if (sb.st_size == 0) return ms_fail(err, MS_EINVAL, NULL, "not a media file: it is empty");
    if (access(path, R_OK) != 0)
        return ms_fail(err, MS_EIO, NULL, "cannot open %s: %s", path, strerror(errno));

    size_t n = strlen(path);
    in->url = malloc(n + 6);
    in->fmt = avformat_alloc_context();
    if (!in->url || !in->fmt) {
        media_in_close(in);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory opening %s", path);
    }
    memcpy(in->url, "file:", 5);
    memcpy(in->url + 5, path, n + 1);
    in->default_io_open = in->fmt->io_open;
    in->fmt->io_open = guarded_io_open;
    in->fmt->opaque = in;
    in->fmt->interrupt_callback.callback = interrupted;
    in->fmt->interrupt_callback.opaque = in;

    const AVInputFormat *ifmt = NULL;
    int rc = detect_format(in, &ifmt);
    if (rc < 0) {
        media_in_close(in);
        return media_fail_av(err, rc == AVERROR(EPERM) ? MS_EIO : MS_EINVAL, rc,
                             "not a media file libav can read");
    }
    /* Text-mode art (ANSI, BinText, XBin, ArtWorx, iCE Draw) is claimed by file extension
     * alone, so any bytes named .bin or .txt "decode" as a huge picture: not film media. */
    static const char *const text_art[] = {"bin", "xbin", "adf", "idf", "tty", NULL};
    for (int i = 0; text_art[i]; i++)
        if (!strcmp(ifmt->name, text_art[i])) {
            media_in_close(in);
            return ms_fail(err, MS_EINVAL, NULL,
                           "not a media file libav can read: only its name looks like %s text art",
                           ifmt->name);
        }
    if (refers_to_other_files(ifmt)) {
        media_in_close(in);
        return ms_fail(err, MS_EINVAL, NULL,
                       "not a media file libav can read: a %s playlist or script refers to other "
                       "files, which is not accepted",
                       ifmt->name);
    }

    AVDictionary *opts = NULL;
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    av_dict_set_int(&opts, "probesize", MEDIA_PROBESIZE, 0);
    av_dict_set_int(&opts, "analyzeduration", MEDIA_ANALYZEDURATION, 0);
    av_dict_set_int(&opts, "max_streams", MEDIA_MAX_STREAMS, 0);
    rc = avformat_open_input(&in->fmt, in->url, ifmt, &opts);
    av_dict_free(&opts);
    if (rc < 0) { /* avformat_open_input freed the context */
        media_in_close(in);
        return media_fail_av(err, MS_EINVAL, rc, "not a media file libav can read");
    }

    /* find_stream_info decodes a little of each stream: give its decoders our pixel limit. */
    unsigned ns = in->fmt->nb_streams;
    AVDictionary **sopts = calloc(ns ? ns : 1, sizeof *sopts);
    if (!sopts) {
        media_in_close(in);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory opening %s", path);
    }
    for (unsigned i = 0; i < ns; i++)
        av_dict_set_int(&sopts[i], "max_pixels", MEDIA_MAX_PIXELS, 0);
    rc = avformat_find_stream_info(in->fmt, sopts);
    for (unsigned i = 0; i < ns; i++)
        av_dict_free(&sopts[i]);
    free(sopts);
    if (rc < 0) {
        media_in_close(in);
        return media_fail_av(err, MS_EINVAL, rc, "not a media file libav can read");
    }
    bool any = false;
    for (unsigned i = 0; i < in->fmt->nb_streams; i++)
        any = any || stream_usable(in->fmt->streams[i]);
    if (!any) {
        const char *name = in->fmt->iformat ? in->fmt->iformat->name : "?";
        media_in_close(in);
        return ms_fail(err, MS_EINVAL, NULL,
                       "not a media file libav can read: no readable audio, video or subtitle "
                       "stream (looked like %s)",
                       name);
    }
    return 0;
}

void media_in_close(media_in *in)
{
    if (in->fmt) avformat_close_input(&in->fmt);
    free(in->url);
    in->url = NULL;
}

int media_in_video_stream(const media_in *in, bool cover_ok)
{
    const AVFormatContext *fmt = in->fmt;
    int best = av_find_best_stream((AVFormatContext *)fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (best >= 0 && !(fmt->streams[best]->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
        stream_usable(fmt->streams[best]))
        return best;
    int cover = -1;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO || !stream_usable(st)) continue;
        if (!(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) return (int)i;
        if (cover < 0) cover = (int)i;
    }
    return cover_ok ? cover : -1;
}

int media_open_decoder(media_in *in, int index, int threads, AVCodecContext **out, ms_error *err)
{
    *out = NULL;
    const AVStream *st = in->fmt->streams[index];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec)
        return ms_fail(err, MS_EINVAL, NULL, "no decoder for %s (stream %d)",
                       avcodec_get_name(st->codecpar->codec_id), index);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (!c) return ms_fail(err, MS_ENOMEM, NULL, "out of memory opening a decoder");
    int rc = avcodec_parameters_to_context(c, st->codecpar);
    if (rc < 0) {
        avcodec_free_context(&c);
        return media_fail_av(err, MS_EINVAL, rc, "cannot set up the decoder");
    }
    c->pkt_timebase = st->time_base;
    c->thread_count = threads > 0 ? threads : 1;
    AVDictionary *o = NULL;
    av_dict_set_int(&o, "max_pixels", MEDIA_MAX_PIXELS, 0);
    rc = avcodec_open2(c, codec, &o);
    av_dict_free(&o);
    if (rc < 0) {
        avcodec_free_context(&c);
        return media_fail_av(err, MS_EINVAL, rc, "cannot open the decoder");
    }
    *out = c;
    return 0;
}

/* ---- Geometry ------------------------------------------------------------------------------ */

int media_stream_rotation(const AVStream *st)
{
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    double theta = 0;
    if (m && size >= 9 * sizeof(int32_t)) {
        /* av_display_rotation_get is counter-clockwise; players turn clockwise by its
         * negation (what ffmpeg's own autorotate does). */
        theta = -av_display_rotation_get((const int32_t *)m);
    } else {
        const AVDictionaryEntry *t = av_dict_get(st->metadata, "rotate", NULL, 0);
        if (t) theta = strtod(t->value, NULL);
    }
    if (!isfinite(theta)) return 0;
    theta -= 360 * floor(theta / 360 + 0.9 / 360);
    long quarter = lround(theta / 90) % 4;
    if (fabs(theta - 90.0 * (double)quarter) > 2 && fabs(theta - 360) > 2) return 0;
    return (int)quarter * 90;
}

AVRational media_stream_sar(const AVFormatContext *fmt, const AVStream *st, const AVFrame *frame)
{
    AVRational sar =
        av_guess_sample_aspect_ratio((AVFormatContext *)fmt, (AVStream *)st, (AVFrame *)frame);
    if (sar.num <= 0 || sar.den <= 0) return (AVRational){1, 1};
    double r = av_q2d(sar);
    if (r < 0.1 || r > 10) return (AVRational){1, 1};
    return sar;
}

void media_fit_size(int w, int h, AVRational sar, int rotation, int max_w, int max_h, int *out_w,
                    int *out_h)
{
    double dw = (double)w * sar.num / sar.den, dh = h;
    if (rotation == 90 || rotation == 270) {
        double t = dw;
        dw = dh;
        dh = t;
    }
    double scale = 1;
    if (max_w > 0 && dw * scale > max_w) scale = max_w / dw;
    if (max_h > 0 && dh * scale > max_h) scale = max_h / dh;
    long ow = lround(dw * scale), oh = lround(dh * scale);
    ow &= ~1L;
    oh &= ~1L;
    *out_w = ow < 2 ? 2 : (int)ow;
    *out_h = oh < 2 ? 2 : (int)oh;
}

/* ---- Pictures ------------------------------------------------------------------------------ */

static bool full_range_format(int f)
{
    return f == AV_PIX_FMT_YUVJ420P || f == AV_PIX_FMT_YUVJ422P || f == AV_PIX_FMT_YUVJ444P ||
           f == AV_PIX_FMT_YUVJ440P || f == AV_PIX_FMT_YUVJ411P;
}

void media_sws_colorspace(struct SwsContext *sws, const AVFrame *src, int dst_matrix, bool dst_full)
{
    int src_matrix =
        src->colorspace >= 1 && src->colorspace <= 10 ? (int)src->colorspace : SWS_CS_DEFAULT;
    int src_full = src->color_range == AVCOL_RANGE_JPEG || full_range_format(src->format);
    int *inv, *table, src_range, dst_range, brightness, contrast, saturation;
    if (sws_getColorspaceDetails(sws, &inv, &src_range, &table, &dst_range, &brightness, &contrast,
                                 &saturation) < 0)
        return; /* not a YUV/RGB pair swscale lets us tune (e.g. gray): keep its defaults */
    sws_setColorspaceDetails(sws, sws_getCoefficients(src_matrix), src_full,
                             sws_getCoefficients(dst_matrix), dst_full ? 1 : 0, brightness,
                             contrast, saturation);
}

/* Turn each plane of a planar 8-bit picture clockwise by `rotation`. */
static int rotate_planes(const AVFrame *src, AVFrame *dst, int rotation)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(src->format);
    if (!d || (d->flags & AV_PIX_FMT_FLAG_RGB) || d->comp[0].depth != 8) return -1;
    int planes = av_pix_fmt_count_planes(src->format);
    for (int p = 0; p < planes; p++) {
        int sw = src->width, sh = src->height;
        if (p == 1 || p == 2) {
            sw = AV_CEIL_RSHIFT(sw, d->log2_chroma_w);
            sh = AV_CEIL_RSHIFT(sh, d->log2_chroma_h);
        }
        const uint8_t *s = src->data[p];
        uint8_t *o = dst->data[p];
        int sl = src->linesize[p], dl = dst->linesize[p];
        for (int y = 0; y < sh; y++) {
            const uint8_t *row = s + (ptrdiff_t)y * sl;
            for (int x = 0; x < sw; x++) {
                int dx, dy;
                if (rotation == 90) {
                    dx = sh - 1 - y;
                    dy = x;
                } else if (rotation == 180) {
                    dx = sw - 1 - x;
                    dy = sh - 1 - y;
                } else {
                    dx = y;
                    dy = sw - 1 - x;
                }
                o[(ptrdiff_t)dy * dl + dx] = row[x];
            }
        }
    }
    return 0;
}

static AVFrame *new_picture(int w, int h, enum AVPixelFormat pix_fmt)
{
    AVFrame *f = av_frame_alloc();
    if (!f) return NULL;
    f->width = w;
    f->height = h;
    f->format = pix_fmt;
    if (av_frame_get_buffer(f, 0) < 0) av_frame_free(&f);
    return f;
}

int media_field_view(const AVFrame *src, const uint8_t *data[4], int linesize[4])
{
    bool one_field = src->interlaced_frame && src->height >= 4;
    for (int i = 0; i < 4; i++) {
        data[i] = src->data[i];
        linesize[i] = one_field ? 2 * src->linesize[i] : src->linesize[i];
    }
    return one_field ? src->height / 2 : src->height;
}

AVFrame *media_picture(const AVFrame *src, int w, int h, int rotation, enum AVPixelFormat pix_fmt,
                       ms_error *err)
{
    if (src->width <= 0 || src->height <= 0 || src->format < 0 ||
        !sws_isSupportedInput(src->format)) {
        ms_fail(err, MS_EINVAL, NULL, "cannot convert pictures in pixel format %s",
                src->format >= 0 ? av_get_pix_fmt_name(src->format) : "none");
        return NULL;
    }
    bool turn = rotation == 90 || rotation == 270;
    int sw = turn ? h : w, sh = turn ? w : h; /* scaled size, before turning */
    const uint8_t *data[4];
    int linesize[4];
    int src_h = media_field_view(src, data, linesize);
    struct SwsContext *sws = sws_getContext(src->width, src_h, src->format, sw, sh, pix_fmt,
                                            SWS_BICUBIC, NULL, NULL, NULL);
    AVFrame *scaled = new_picture(sw, sh, pix_fmt);
    if (!sws || !scaled) {
        sws_freeContext(sws);
        av_frame_free(&scaled);
        ms_fail(err, MS_ENOMEM, NULL, "cannot set up scaling from %dx%d %s to %dx%d", src->width,
                src->height, av_get_pix_fmt_name(src->format), sw, sh);
        return NULL;
    }
    media_sws_colorspace(sws, src, SWS_CS_ITU601, full_range_format(pix_fmt));
    int rows = sws_scale(sws, data, linesize, 0, src_h, scaled->data, scaled->linesize);
    sws_freeContext(sws);
    if (rows <= 0) {
        av_frame_free(&scaled);
        ms_fail(err, MS_EINVAL, NULL, "scaling the picture failed");
        return NULL;
    }
    if (!rotation) return scaled;
    AVFrame *turned = new_picture(w, h, pix_fmt);
    if (!turned || rotate_planes(scaled, turned, rotation) < 0) {
        av_frame_free(&turned);
        av_frame_free(&scaled);
        ms_fail(err, MS_EINTERNAL, NULL, "cannot rotate a %s picture",
                av_get_pix_fmt_name(pix_fmt));
        return NULL;
    }
    av_frame_free(&scaled);
    return turned;
}

static int write_file(const char *path, const uint8_t *data, size_t n, ms_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f) return ms_fail(err, MS_EIO, NULL, "cannot write %s: %s", path, strerror(errno));
    size_t w = fwrite(data, 1, n, f);
    int closed = fclose(f);
    if (w != n || closed != 0) {
        int e = errno;
        unlink(path);
        return ms_fail(err, MS_EIO, NULL, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

int media_write_still(const AVFrame *pic, const char *format, int quality, const char *path,
                      ms_error *err)
{
    bool webp = strcmp(format, "webp") == 0;
    const AVCodec *codec = avcodec_find_encoder_by_name(webp ? "libwebp" : "mjpeg");
    if (!codec)
        return ms_fail(err, MS_EINTERNAL, NULL, "this libavcodec has no %s encoder",
                       webp ? "libwebp" : "mjpeg");
    AVCodecContext *c = avcodec_alloc_context3(codec);
    AVFrame *f = av_frame_clone(pic);
    AVPacket *pkt = av_packet_alloc();
    AVDictionary *o = NULL;
    int rc = 0;
    if (!c || !f || !pkt) {
        rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory encoding a picture");
        goto done;
    }
    c->width = pic->width;
    c->height = pic->height;
    c->pix_fmt = pic->format;
    c->time_base = (AVRational){1, 25};
    c->thread_count = 1;
    if (webp) {
        av_dict_set_int(&o, "quality", quality, 0);
    } else {
        c->flags |= AV_CODEC_FLAG_QSCALE;
        c->global_quality = FF_QP2LAMBDA * quality;
        c->color_range = AVCOL_RANGE_JPEG;
        f->quality = c->global_quality;
    }
    f->pts = 0;
    int av = avcodec_open2(c, codec, &o);
    if (av >= 0) av = avcodec_send_frame(c, f);
    if (av >= 0) av = avcodec_send_frame(c, NULL);
    if (av >= 0) av = avcodec_receive_packet(c, pkt);
    if (av < 0) {
        rc = media_fail_av(err, MS_EINTERNAL, av, "encoding the picture failed");
        goto done;
    }
    rc = write_file(path, pkt->data, (size_t)pkt->size, err);
done:
    av_dict_free(&o);
    av_packet_free(&pkt);
    av_frame_free(&f);
    avcodec_free_context(&c);
    return rc;
}
