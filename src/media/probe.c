/* probe.c: media_probe — what is in a media file, as JSON: the container, every stream
 * (codec, profile, geometry, frame rate, scan type, pixel format, colour, HDR metadata,
 * rotation; audio layout and depth; subtitle language), the start timecode, and a flat summary
 * for filtering. docs/media.md lists every field.
 *
 * Everything comes from the demuxer and avformat_find_stream_info, except two facts that often
 * live only in the pictures themselves: the scan type (when the container does not say) and
 * HDR10 mastering metadata carried in HEVC SEI. For those it decodes the first frame of the
 * main video stream, within a packet budget. It does not decode anything else, compute
 * checksums, or guess a value libav does not know: an unknown field is absent or null. */
#include "media/media_internal.h"

#include <libavutil/dovi_meta.h>
#include <libavutil/mastering_display_metadata.h>
#include <libavutil/pixdesc.h>
#include <libavutil/timecode.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Decoding budget of the first-frame peek: packets of the stream, and packets overall. */
#define PEEK_STREAM_PACKETS 64
#define PEEK_ALL_PACKETS    512
#define TAGS_MAX            64
#define TAG_VALUE_MAX       512

/* ---- JSON helpers ------------------------------------------------------------------------- */

/* A JSON string of at most `max` bytes of `s`, cut on a character boundary; text that is not
 * UTF-8 (tags written in a legacy code page) keeps its ASCII and shows '?' for the rest. */
static json_t *jstr(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    json_t *j = json_stringn(s, n);
    if (j) return j;
    char *copy = malloc(n + 1);
    if (!copy) return NULL;
    for (size_t i = 0; i < n; i++)
        copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    j = json_stringn(copy, n);
    free(copy);
    return j;
}

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v) json_object_set_new(o, key, jstr(v, TAG_VALUE_MAX));
}

static void set_int(json_t *o, const char *key, int64_t v)
{
    json_object_set_new(o, key, json_integer(v));
}

static void set_real(json_t *o, const char *key, double v)
{
    if (isfinite(v)) json_object_set_new(o, key, json_real(round(v * 1e6) / 1e6));
}

static bool rational_ok(AVRational r)
{
    return r.num > 0 && r.den > 0;
}

static void set_rational(json_t *o, const char *key, AVRational r, char sep)
{
    if (!rational_ok(r)) return;
    char buf[48];
    av_reduce(&r.num, &r.den, r.num, r.den, INT32_MAX);
    snprintf(buf, sizeof buf, "%d%c%d", r.num, sep, r.den);
    set_str(o, key, buf);
}

static const char *tag(const AVDictionary *d, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(d, key, NULL, 0);
    return e && e->value ? e->value : NULL;
}

static json_t *tags_json(const AVDictionary *d)
{
    json_t *o = json_object();
    const AVDictionaryEntry *e = NULL;
    int n = 0;
    while ((e = av_dict_get(d, "", e, AV_DICT_IGNORE_SUFFIX)) && n < TAGS_MAX) {
        json_t *k = jstr(e->key, 64);
        if (!k) continue;
        json_object_set_new(o, json_string_value(k), jstr(e->value ? e->value : "", TAG_VALUE_MAX));
        json_decref(k);
        n++;
    }
    return o;
}

static double ts_seconds(int64_t ts, AVRational tb)
{
    return ts == AV_NOPTS_VALUE ? NAN : (double)ts * av_q2d(tb);
}

/* ---- Names -------------------------------------------------------------------------------- */

static const char *media_type_name(enum AVMediaType t)
{
    switch (t) {
    case AVMEDIA_TYPE_VIDEO:
        return "video";
    case AVMEDIA_TYPE_AUDIO:
        return "audio";
    case AVMEDIA_TYPE_SUBTITLE:
        return "subtitle";
    case AVMEDIA_TYPE_ATTACHMENT:
        return "attachment";
    default:
        return "data";
    }
}

/* ProRes profiles by the names editors use ("422 HQ"), from the profile or the fourcc. */
static const char *prores_profile(const AVCodecParameters *p)
{
    static const char *names[] = {"422 Proxy", "422 LT", "422", "422 HQ", "4444", "4444 XQ"};
    int prof = p->profile;
    if (prof < 0 || prof > 5) {
        switch (p->codec_tag) {
        case MKTAG('a', 'p', 'c', 'o'):
            prof = 0;
            break;
        case MKTAG('a', 'p', 'c', 's'):
            prof = 1;
            break;
        case MKTAG('a', 'p', 'c', 'n'):
            prof = 2;
            break;
        case MKTAG('a', 'p', 'c', 'h'):
            prof = 3;
            break;
        case MKTAG('a', 'p', '4', 'h'):
            prof = 4;
            break;
        case MKTAG('a', 'p', '4', 'x'):
            prof = 5;
            break;
        default:
            return NULL;
        }
    }
    return names[prof];
}

static const char *profile_name(const AVCodecParameters *p)
{
    if (p->codec_id == AV_CODEC_ID_PRORES) return prores_profile(p);
    if (p->profile == FF_PROFILE_UNKNOWN) return NULL;
    return avcodec_profile_name(p->codec_id, p->profile);
}

static const char *chroma_subsampling(const AVPixFmtDescriptor *d)
{
    if (!d || (d->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM))) return NULL;
    if (d->flags & AV_PIX_FMT_FLAG_PAL) return NULL;
    if (d->flags & AV_PIX_FMT_FLAG_RGB) return "4:4:4";
    if (d->nb_components < 3) return "4:0:0";
    int w = d->log2_chroma_w, h = d->log2_chroma_h;
    if (w == 0 && h == 0) return "4:4:4";
    if (w == 1 && h == 0) return "4:2:2";
    if (w == 1 && h == 1) return "4:2:0";
    if (w == 2 && h == 0) return "4:1:1";
    if (w == 0 && h == 1) return "4:4:0";
    if (w == 2 && h == 2) return "4:1:0";
    return NULL;
}

static const char *scan_from_field_order(enum AVFieldOrder fo)
{
    switch (fo) {
    case AV_FIELD_PROGRESSIVE:
        return "progressive";
    case AV_FIELD_TT:
    case AV_FIELD_BT: /* bottom coded first, top displayed first */
        return "tff";
    case AV_FIELD_BB:
    case AV_FIELD_TB:
        return "bff";
    default:
        return NULL;
    }
}

static const char *hdr_from_transfer(enum AVColorTransferCharacteristic trc)
{
    if (trc == AVCOL_TRC_SMPTE2084) return "PQ";
    if (trc == AVCOL_TRC_ARIB_STD_B67) return "HLG";
    return NULL;
}

/* ---- HDR side data ------------------------------------------------------------------------ */

static json_t *xy(AVRational x, AVRational y)
{
    return json_pack("[f,f]", round(av_q2d(x) * 1e5) / 1e5, round(av_q2d(y) * 1e5) / 1e5);
}

static json_t *mastering_json(const AVMasteringDisplayMetadata *m)
{
    json_t *o = json_object();
    if (m->has_primaries) {
        /* display_primaries is ordered R, G, B in libav. */
        json_object_set_new(o, "red", xy(m->display_primaries[0][0], m->display_primaries[0][1]));
        json_object_set_new(o, "green", xy(m->display_primaries[1][0], m->display_primaries[1][1]));
        json_object_set_new(o, "blue", xy(m->display_primaries[2][0], m->display_primaries[2][1]));
        json_object_set_new(o, "white_point", xy(m->white_point[0], m->white_point[1]));
    }
    if (m->has_luminance) {
        set_real(o, "min_luminance", av_q2d(m->min_luminance));
        set_real(o, "max_luminance", av_q2d(m->max_luminance));
    }
    return o;
}

static json_t *light_json(const AVContentLightMetadata *c)
{
    return json_pack("{s:i,s:i}", "max_cll", (int)c->MaxCLL, "max_fall", (int)c->MaxFALL);
}

static json_t *dovi_json(const AVDOVIDecoderConfigurationRecord *d)
{
    char version[16];
    snprintf(version, sizeof version, "%u.%u", d->dv_version_major, d->dv_version_minor);
    return json_pack("{s:s,s:i,s:i,s:b,s:b,s:b,s:i}", "version", version, "profile", d->dv_profile,
                     "level", d->dv_level, "rpu", d->rpu_present_flag, "el", d->el_present_flag,
                     "bl", d->bl_present_flag, "bl_compatibility_id",
                     d->dv_bl_signal_compatibility_id);
}

/* ---- The first-frame peek ----------------------------------------------------------------- */

/* Decode the first frame of stream `index` into `frame`, within the packet budget. Returns
 * true when a frame came out. Any failure just means "no peek": probe still succeeds. */
static bool peek_first_frame(media_in *in, int index, AVFrame *frame)
{
    AVCodecContext *dec = NULL;
    ms_error ignored;
    if (media_open_decoder(in, index, 1, &dec, &ignored) < 0) return false;
    AVPacket *pkt = av_packet_alloc();
    bool got = false, eof = false;
    int ours = 0, all = 0;
    while (pkt && !got) {
        int rc = avcodec_receive_frame(dec, frame);
        if (rc == 0) {
            got = true;
            break;
        }
        if (rc != AVERROR(EAGAIN) || eof) break;
        if (ours >= PEEK_STREAM_PACKETS || all >= PEEK_ALL_PACKETS) {
            avcodec_send_packet(dec, NULL); /* drain what it has */
            eof = true;
            continue;
        }
        rc = av_read_frame(in->fmt, pkt);
        all++;
        if (rc < 0) {
            avcodec_send_packet(dec, NULL);
            eof = true;
            continue;
        }
        if (pkt->stream_index == index) {
            ours++;
            avcodec_send_packet(dec, pkt); /* a bad packet is skipped, not fatal */
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return got;
}

static void frame_timecode(const AVFrame *f, AVRational rate, char *out, size_t size)
{
    const AVFrameSideData *sd = av_frame_get_side_data(f, AV_FRAME_DATA_S12M_TIMECODE);
    char buf[AV_TIMECODE_STR_SIZE];
    if (sd && sd->size >= 2 * sizeof(uint32_t) && rational_ok(rate)) {
        const uint32_t *tc = (const uint32_t *)sd->data;
        if (tc[0] >= 1) {
            av_timecode_make_smpte_tc_string2(buf, rate, tc[1], 0, 0);
            snprintf(out, size, "%s", buf);
            return;
        }
    }
    sd = av_frame_get_side_data(f, AV_FRAME_DATA_GOP_TIMECODE);
    if (sd && sd->size >= sizeof(int64_t)) {
        int64_t tc;
        memcpy(&tc, sd->data, sizeof tc);
        av_timecode_make_mpeg_tc_string(buf, (uint32_t)tc);
        snprintf(out, size, "%s", buf);
    }
}

/* ---- Streams ------------------------------------------------------------------------------ */

static bool image_demuxer(const AVInputFormat *f);

static void video_fields(json_t *s, const media_in *in, const AVStream *st, const AVFrame *peek)
{
    const AVCodecParameters *p = st->codecpar;
    set_int(s, "width", p->width);
    set_int(s, "height", p->height);
    AVRational sar = media_stream_sar(in->fmt, st, NULL);
    set_rational(s, "sample_aspect_ratio", sar, ':');
    AVRational dar;
    av_reduce(&dar.num, &dar.den, (int64_t)p->width * sar.num, (int64_t)p->height * sar.den,
              1024 * 1024);
    set_rational(s, "display_aspect_ratio", dar, ':');

    AVRational avg = st->avg_frame_rate, r = st->r_frame_rate;
    set_rational(s, "avg_frame_rate", avg, '/');
    set_rational(s, "r_frame_rate", r, '/');
    AVRational fps = rational_ok(avg) ? avg : r;
    if (rational_ok(fps) && av_q2d(fps) < 10000) {
        set_rational(s, "frame_rate", fps, '/');
        set_real(s, "frame_rate_value", av_q2d(fps));
    }
    if (st->nb_frames > 0) {
        set_int(s, "frames", st->nb_frames);
    } else {
        const char *n = tag(st->metadata, "NUMBER_OF_FRAMES");
        if (!n) n = tag(st->metadata, "NUMBER_OF_FRAMES-eng");
        if (n && strtoll(n, NULL, 10) > 0) set_int(s, "frames", strtoll(n, NULL, 10));
    }

    /* Scan type: the container's word, else the first decoded frame's. */
    const char *scan = scan_from_field_order(p->field_order);
    if (!scan && image_demuxer(in->fmt->iformat)) scan = "progressive";
    if (!scan && peek)
        scan = !peek->interlaced_frame ? "progressive" : peek->top_field_first ? "tff" : "bff";
    set_str(s, "scan", scan ? scan : "unknown");

    int pix = p->format;
    if (pix < 0 && peek) pix = peek->format;
    const AVPixFmtDescriptor *d = pix >= 0 ? av_pix_fmt_desc_get(pix) : NULL;
    if (d) {
        set_str(s, "pix_fmt", d->name);
        if (!(d->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM)))
            set_int(s, "bit_depth", d->comp[0].depth);
        set_str(s, "chroma_subsampling", chroma_subsampling(d));
        json_object_set_new(s, "alpha", json_boolean(d->flags & AV_PIX_FMT_FLAG_ALPHA));
    }

    enum AVColorRange range = p->color_range;
    enum AVColorPrimaries prim = p->color_primaries;
    enum AVColorTransferCharacteristic trc = p->color_trc;
    enum AVColorSpace matrix = p->color_space;
    if (peek) {
        if (range == AVCOL_RANGE_UNSPECIFIED) range = peek->color_range;
        if (prim == AVCOL_PRI_UNSPECIFIED) prim = peek->color_primaries;
        if (trc == AVCOL_TRC_UNSPECIFIED) trc = peek->color_trc;
        if (matrix == AVCOL_SPC_UNSPECIFIED) matrix = peek->colorspace;
    }
    if (range != AVCOL_RANGE_UNSPECIFIED) set_str(s, "color_range", av_color_range_name(range));
    if (prim != AVCOL_PRI_UNSPECIFIED) set_str(s, "color_primaries", av_color_primaries_name(prim));
    if (trc != AVCOL_TRC_UNSPECIFIED) set_str(s, "color_transfer", av_color_transfer_name(trc));
    if (matrix != AVCOL_SPC_UNSPECIFIED) set_str(s, "color_matrix", av_color_space_name(matrix));
    if (p->chroma_location != AVCHROMA_LOC_UNSPECIFIED)
        set_str(s, "chroma_location", av_chroma_location_name(p->chroma_location));

    const char *hdr = hdr_from_transfer(trc);
    json_object_set_new(s, "hdr", hdr ? json_string(hdr) : json_null());
    size_t size = 0;
    const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &size);
    const AVFrameSideData *fsd;
    if (sd && size >= sizeof(AVMasteringDisplayMetadata))
        json_object_set_new(s, "mastering_display",
                            mastering_json((const AVMasteringDisplayMetadata *)sd));
    else if (peek &&
             (fsd = av_frame_get_side_data(peek, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA)) &&
             fsd->size >= sizeof(AVMasteringDisplayMetadata))
        json_object_set_new(s, "mastering_display",
                            mastering_json((const AVMasteringDisplayMetadata *)fsd->data));
    sd = av_stream_get_side_data(st, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &size);
    if (sd && size >= sizeof(AVContentLightMetadata))
        json_object_set_new(s, "content_light", light_json((const AVContentLightMetadata *)sd));
    else if (peek && (fsd = av_frame_get_side_data(peek, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL)) &&
             fsd->size >= sizeof(AVContentLightMetadata))
        json_object_set_new(s, "content_light",
                            light_json((const AVContentLightMetadata *)fsd->data));
    sd = av_stream_get_side_data(st, AV_PKT_DATA_DOVI_CONF, &size);
    if (sd && size >= sizeof(AVDOVIDecoderConfigurationRecord))
        json_object_set_new(s, "dolby_vision",
                            dovi_json((const AVDOVIDecoderConfigurationRecord *)sd));

    set_int(s, "rotation", media_stream_rotation(st));
    if (p->level > 0) set_int(s, "level", p->level);
    json_object_set_new(s, "attached_pic",
                        json_boolean(st->disposition & AV_DISPOSITION_ATTACHED_PIC));
}

static void audio_fields(json_t *s, const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;
    set_int(s, "sample_rate", p->sample_rate);
    set_int(s, "channels", p->ch_layout.nb_channels);
    if (p->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC) {
        char layout[128];
        if (av_channel_layout_describe(&p->ch_layout, layout, sizeof layout) > 0)
            set_str(s, "channel_layout", layout);
    }
    if (p->format >= 0) set_str(s, "sample_fmt", av_get_sample_fmt_name(p->format));
    /* A lossy codec has no bit depth of its own: its decoder's float samples say nothing. */
    const AVCodecDescriptor *cd = avcodec_descriptor_get(p->codec_id);
    bool lossy = cd && (cd->props & AV_CODEC_PROP_LOSSY);
    int depth = p->bits_per_raw_sample;
    if (depth <= 0) depth = av_get_bits_per_sample(p->codec_id);
    if (depth <= 0 && !lossy && p->format >= 0) depth = 8 * av_get_bytes_per_sample(p->format);
    if (depth > 0) set_int(s, "bit_depth", depth);
}

static json_t *disposition_json(int disposition)
{
    json_t *a = json_array();
    for (int bit = 0; bit < 31; bit++) {
        if (!(disposition & (1 << bit))) continue;
        const char *name = av_disposition_to_string(1 << bit);
        if (name) json_array_append_new(a, json_string(name));
    }
    return a;
}

static json_t *stream_json(const media_in *in, const AVStream *st, const AVFrame *peek)
{
    const AVCodecParameters *p = st->codecpar;
    json_t *s = json_object();
    set_int(s, "index", st->index);
    set_str(s, "type", media_type_name(p->codec_type));
    const AVCodecDescriptor *cd = avcodec_descriptor_get(p->codec_id);
    if (cd) {
        set_str(s, "codec", cd->name);
        set_str(s, "codec_long_name", cd->long_name);
    } else if (p->codec_id != AV_CODEC_ID_NONE) {
        set_str(s, "codec", avcodec_get_name(p->codec_id));
    }
    if (p->codec_tag) {
        char fourcc[AV_FOURCC_MAX_STRING_SIZE];
        set_str(s, "codec_tag", av_fourcc_make_string(fourcc, p->codec_tag));
    }
    set_str(s, "profile", profile_name(p));
    if (p->bit_rate > 0) set_int(s, "bit_rate", p->bit_rate);
    set_real(s, "start_time", ts_seconds(st->start_time, st->time_base));
    set_real(s, "duration", ts_seconds(st->duration, st->time_base));
    set_str(s, "language", tag(st->metadata, "language"));
    set_str(s, "title", tag(st->metadata, "title"));
    set_str(s, "timecode", tag(st->metadata, "timecode"));
    json_object_set_new(s, "disposition", disposition_json(st->disposition));
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) video_fields(s, in, st, peek);
    if (p->codec_type == AVMEDIA_TYPE_AUDIO) audio_fields(s, st);
    if (p->codec_type == AVMEDIA_TYPE_ATTACHMENT) {
        set_str(s, "filename", tag(st->metadata, "filename"));
        set_str(s, "mimetype", tag(st->metadata, "mimetype"));
    }
    json_object_set_new(s, "tags", tags_json(st->metadata));
    return s;
}

/* ---- Format and summary ------------------------------------------------------------------- */

static bool image_demuxer(const AVInputFormat *f)
{
    if (!f || !f->name) return false;
    size_t n = strlen(f->name);
    return strcmp(f->name, "image2") == 0 || (n > 5 && strcmp(f->name + n - 5, "_pipe") == 0);
}

/* The start timecode: the container's, else a timecode track's, else any stream's, else the
 * first frame's (H.264 SEI, MPEG-2 GOP header). */
static const char *start_timecode(const AVFormatContext *fmt, const char *from_frame)
{
    const char *tc = tag(fmt->metadata, "timecode");
    for (unsigned i = 0; !tc && i < fmt->nb_streams; i++)
        if (fmt->streams[i]->codecpar->codec_tag == MKTAG('t', 'm', 'c', 'd'))
            tc = tag(fmt->streams[i]->metadata, "timecode");
    for (unsigned i = 0; !tc && i < fmt->nb_streams; i++)
        tc = tag(fmt->streams[i]->metadata, "timecode");
    if (!tc && from_frame && from_frame[0]) tc = from_frame;
    return tc;
}

static double media_duration(const AVFormatContext *fmt)
{
    if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
        return (double)fmt->duration / AV_TIME_BASE;
    double best = NAN;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        double d = ts_seconds(fmt->streams[i]->duration, fmt->streams[i]->time_base);
        if (isfinite(d) && d > 0 && !(best >= d)) best = d;
    }
    return best;
}

static void copy_field(json_t *to, const char *to_key, const json_t *from, const char *key)
{
    json_t *v = json_object_get(from, key);
    if (v) json_object_set(to, to_key, v);
}

static json_t *summary_json(const media_in *in, json_t *streams, int main_video,
                            const char *timecode)
{
    const AVFormatContext *fmt = in->fmt;
    json_t *sum = json_object();
    int nv = 0, na = 0, ns = 0;
    json_t *first_audio = NULL, *langs = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(streams, i, s)
    {
        const char *type = json_string_value(json_object_get(s, "type"));
        if (strcmp(type, "video") == 0 && !json_is_true(json_object_get(s, "attached_pic"))) nv++;
        if (strcmp(type, "audio") == 0) {
            na++;
            if (!first_audio) first_audio = s;
        }
        if (strcmp(type, "subtitle") == 0) {
            ns++;
            json_t *lang = json_object_get(s, "language");
            if (lang) json_array_append(langs, lang);
        }
    }
    int cover = media_in_video_stream(in, true);
    const char *kind = "other";
    if (main_video >= 0)
        kind = image_demuxer(fmt->iformat) && na == 0 ? "image" : "video";
    else if (na)
        kind = "audio";
    else if (ns)
        kind = "subtitle";
    else if (cover >= 0)
        kind = "image";
    set_str(sum, "kind", kind);
    set_str(sum, "container", fmt->iformat->name);
    set_real(sum, "duration", media_duration(fmt));
    if (fmt->bit_rate > 0) set_int(sum, "bit_rate", fmt->bit_rate);
    int pic = main_video >= 0 ? main_video : cover;
    if (pic >= 0) {
        json_t *v = json_array_get(streams, (size_t)pic);
        copy_field(sum, "width", v, "width");
        copy_field(sum, "height", v, "height");
        copy_field(sum, "display_aspect_ratio", v, "display_aspect_ratio");
        copy_field(sum, "video_codec", v, "codec");
        copy_field(sum, "video_profile", v, "profile");
        copy_field(sum, "pix_fmt", v, "pix_fmt");
        copy_field(sum, "bit_depth", v, "bit_depth");
        copy_field(sum, "chroma_subsampling", v, "chroma_subsampling");
        copy_field(sum, "color_primaries", v, "color_primaries");
        copy_field(sum, "color_transfer", v, "color_transfer");
        copy_field(sum, "hdr", v, "hdr");
        json_t *dovi = json_object_get(v, "dolby_vision");
        if (dovi) copy_field(sum, "dolby_vision_profile", dovi, "profile");
        copy_field(sum, "rotation", v, "rotation");
        if (main_video >= 0) {
            copy_field(sum, "fps", v, "frame_rate");
            copy_field(sum, "fps_value", v, "frame_rate_value");
            copy_field(sum, "scan", v, "scan");
            copy_field(sum, "frames", v, "frames");
        }
    }
    if (first_audio) {
        copy_field(sum, "audio_codec", first_audio, "codec");
        copy_field(sum, "audio_channels", first_audio, "channels");
        copy_field(sum, "audio_layout", first_audio, "channel_layout");
        copy_field(sum, "audio_sample_rate", first_audio, "sample_rate");
        copy_field(sum, "audio_bit_depth", first_audio, "bit_depth");
    }
    set_int(sum, "video_streams", nv);
    set_int(sum, "audio_streams", na);
    set_int(sum, "subtitle_streams", ns);
    if (json_array_size(langs))
        json_object_set_new(sum, "subtitle_languages", langs);
    else
        json_decref(langs);
    set_str(sum, "timecode", timecode);
    return sum;
}

int media_probe(const char *path, json_t **out, ms_error *err)
{
    *out = NULL;
    media_in in;
    int rc = media_in_open(&in, path, NULL, err);
    if (rc < 0) return rc;
    const AVFormatContext *fmt = in.fmt;

    /* Peek at the first frame of the main video stream when the container leaves the scan
     * type open, or says PQ/HLG without the mastering metadata (HEVC keeps it in SEI). */
    int main_video = media_in_video_stream(&in, false);
    AVFrame *peek = NULL;
    char frame_tc[AV_TIMECODE_STR_SIZE] = "";
    if (main_video >= 0) {
        const AVStream *st = fmt->streams[main_video];
        const AVCodecParameters *p = st->codecpar;
        size_t size;
        bool hdr_unknown =
            hdr_from_transfer(p->color_trc) &&
            !av_stream_get_side_data(st, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &size);
        bool scan_unknown = !scan_from_field_order(p->field_order) && !image_demuxer(fmt->iformat);
        bool tc_unknown = !start_timecode(fmt, NULL);
        if (scan_unknown || hdr_unknown || (tc_unknown && !image_demuxer(fmt->iformat))) {
            peek = av_frame_alloc();
            if (peek && !peek_first_frame(&in, main_video, peek)) av_frame_free(&peek);
            if (peek) frame_timecode(peek, st->avg_frame_rate, frame_tc, sizeof frame_tc);
        }
    }

    json_t *root = json_object();
    json_t *format = json_object();
    json_t *streams = json_array();
    if (!root || !format || !streams) {
        json_decref(root);
        json_decref(format);
        json_decref(streams);
        av_frame_free(&peek);
        media_in_close(&in);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory probing %s", path);
    }
    set_str(format, "name", fmt->iformat->name);
    set_str(format, "long_name", fmt->iformat->long_name);
    set_real(format, "duration", media_duration(fmt));
    if (fmt->start_time != AV_NOPTS_VALUE)
        set_real(format, "start_time", (double)fmt->start_time / AV_TIME_BASE);
    if (fmt->bit_rate > 0) set_int(format, "bit_rate", fmt->bit_rate);
    if (fmt->pb) {
        int64_t size = avio_size(fmt->pb);
        if (size >= 0) set_int(format, "size", size);
    }
    set_int(format, "streams", fmt->nb_streams);
    set_int(format, "probe_score", fmt->probe_score);
    const char *timecode = start_timecode(fmt, frame_tc);
    set_str(format, "timecode", timecode);
    const char *created = tag(fmt->metadata, "creation_time");
    for (unsigned i = 0; !created && i < fmt->nb_streams; i++)
        created = tag(fmt->streams[i]->metadata, "creation_time");
    set_str(format, "creation_time", created);
    json_object_set_new(format, "tags", tags_json(fmt->metadata));

    for (unsigned i = 0; i < fmt->nb_streams; i++)
        json_array_append_new(
            streams, stream_json(&in, fmt->streams[i], (int)i == main_video ? peek : NULL));
    json_object_set_new(root, "summary", summary_json(&in, streams, main_video, timecode));
    json_object_set_new(root, "format", format);
    json_object_set_new(root, "streams", streams);
    av_frame_free(&peek);
    media_in_close(&in);
    *out = root;
    return 0;
}
