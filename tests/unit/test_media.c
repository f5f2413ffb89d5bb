/* test_media.c: the media layer (src/media) on real files made by the ffmpeg command in a
 * temporary folder: an H.264/AAC MP4, a 10-bit ProRes 422 HQ MOV with a timecode at
 * 24000/1001, an HDR10 HEVC MP4 (PQ, mastering display and light level in SEI), an
 * interlaced anamorphic MPEG-2 transport stream, a 24-bit 5.1 WAV, a 4K PNG, DPX and EXR
 * stills, a rotated MP4, an SRT, a truncated MP4 and random bytes. It checks the probe fields,
 * thumbnails and filmstrips (decoded back with libav), proxies (H.264/AAC, <= 720 lines, moov
 * before mdat, progress and cancel), waveforms, probing from several threads at once, and
 * media_sniff on every sample, on misleading names and on hand-made headers.
 * Without the ffmpeg command the file tests are skipped with a message; sniffing still runs. */
#include "unit.h"

#include "media/media.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>

static char *dir;
static bool have_ffmpeg;

static const char *path_of(const char *name)
{
    static _Thread_local char buf[8][4200];
    static _Thread_local int next;
    char *p = buf[next++ % 8];
    snprintf(p, 4200, "%s/%s", dir, name);
    return p;
}

static bool ff(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && ffmpeg -nostdin -y -hide_banner -loglevel error %s", dir,
             args);
    return system(cmd) == 0;
}

static void write_bytes(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static size_t read_head(const char *name, uint8_t *buf, size_t max)
{
    FILE *f = fopen(path_of(name), "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, max, f);
    fclose(f);
    return n;
}

static int setup(void **state)
{
    (void)state;
    dir = unit_tmpdir();
    have_ffmpeg = system("ffmpeg -version >/dev/null 2>&1") == 0;
    if (!have_ffmpeg) {
        print_message("ffmpeg command not found: media file tests are skipped\n");
        return 0;
    }
    const char *hdr_params =
        "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:"
        "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):"
        "max-cll=1000,400:hdr10=1:repeat-headers=1";
    char hdr[1024];
    snprintf(hdr, sizeof hdr,
             "-f lavfi -i testsrc2=size=320x180:rate=25 -t 0.4 -c:v libx265 -preset ultrafast "
             "-pix_fmt yuv420p10le -x265-params '%s' -color_primaries bt2020 -color_trc "
             "smpte2084 -colorspace bt2020nc -tag:v hvc1 hdr.mp4",
             hdr_params);
    bool ok =
        ff("-f lavfi -i testsrc2=size=320x180:rate=25 -f lavfi -i sine=frequency=440:"
           "sample_rate=44100 -t 2 -ac 2 -c:v libx264 -preset veryfast -profile:v high "
           "-pix_fmt yuv420p -c:a aac -b:a 96k h264.mp4") &&
        ff("-f lavfi -i testsrc2=size=320x180:rate=24000/1001 -t 1 -c:v prores_ks -profile:v 3 "
           "-pix_fmt yuv422p10le -timecode 01:00:00:00 prores.mov") &&
        ff(hdr) &&
        ff("-f lavfi -i testsrc2=size=720x576:rate=25 -t 1 -c:v mpeg2video -flags +ilme+ildct "
           "-top 1 -aspect 4:3 -f mpegts interlaced.ts") &&
        ff("-f lavfi -i 'aevalsrc=0.5*sin(2*PI*440*t)|0.4*sin(2*PI*550*t)|0.3*sin(2*PI*660*t)|"
           "0.1*sin(2*PI*50*t)|0.2*sin(2*PI*330*t)|0.2*sin(2*PI*220*t):c=5.1:s=48000:d=1' "
           "-c:a pcm_s24le surround.wav") &&
        ff("-f lavfi -i testsrc2=size=3840x2160 -frames:v 1 big.png") &&
        ff("-f lavfi -i testsrc2=size=64x36 -frames:v 1 -pix_fmt rgb48le small.dpx") &&
        ff("-f lavfi -i testsrc2=size=64x36 -frames:v 1 -pix_fmt gbrpf32le small.exr") &&
        ff("-i h264.mp4 -c copy -metadata:s:v:0 rotate=90 rotated.mp4");
    assert_true(ok);

    static const char srt[] = "1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n"
                              "00:00:03,000 --> 00:00:04,000\n你好\n";
    write_bytes("hello.srt", srt, sizeof srt - 1);
    uint8_t head[4096];
    size_t n = read_head("h264.mp4", head, sizeof head);
    assert_int_equal(n, sizeof head);
    write_bytes("truncated.mp4", head, n); /* moov is at the end: this has none */
    uint8_t *noise = malloc(65536);
    uint32_t x = 12345;
    for (size_t i = 0; i < 65536; i++) {
        x = x * 1103515245 + 12345;
        noise[i] = (uint8_t)(x >> 16);
    }
    write_bytes("noise.mov", noise, 65536);
    free(noise);
    char cmd[8500];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path_of("big.png"), path_of("picture.mov"));
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unit_rmdir(dir);
    return 0;
}

#define NEED_FFMPEG()                                                                              \
    do {                                                                                           \
        if (!have_ffmpeg) skip();                                                                  \
    } while (0)

/* ---- helpers ------------------------------------------------------------------------------ */

static json_t *probe_ok(const char *name)
{
    json_t *out = NULL;
    ms_error err = {0};
    int rc = media_probe(path_of(name), &out, &err);
    if (rc != 0) print_error("probe %s: %s\n", name, err.detail);
    assert_int_equal(rc, 0);
    assert_non_null(out);
    return out;
}

static json_t *stream_of(json_t *probe, const char *type)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(probe, "streams"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "type")), type) == 0) return s;
    }
    fail_msg("no %s stream", type);
    return NULL;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) fail_msg("%s is not a string", key);
    return json_string_value(v);
}

static json_int_t num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

/* Decode the first picture of `path` with libav: its size and codec. */
static void decode_picture(const char *path, int *w, int *h, char *codec, size_t codec_size)
{
    AVFormatContext *fmt = NULL;
    assert_int_equal(avformat_open_input(&fmt, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fmt, NULL) >= 0);
    int index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    assert_true(index >= 0);
    const AVCodec *codec_impl = avcodec_find_decoder(fmt->streams[index]->codecpar->codec_id);
    assert_non_null(codec_impl);
    AVCodecContext *c = avcodec_alloc_context3(codec_impl);
    avcodec_parameters_to_context(c, fmt->streams[index]->codecpar);
    assert_int_equal(avcodec_open2(c, codec_impl, NULL), 0);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    bool got = false;
    while (!got && av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index == index && avcodec_send_packet(c, pkt) >= 0)
            got = avcodec_receive_frame(c, f) == 0;
        av_packet_unref(pkt);
    }
    if (!got) {
        avcodec_send_packet(c, NULL);
        got = avcodec_receive_frame(c, f) == 0;
    }
    assert_true(got);
    *w = f->width;
    *h = f->height;
    snprintf(codec, codec_size, "%s", codec_impl->name);
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&c);
    avformat_close_input(&fmt);
}

static void check_thumb(const char *in, const char *format, int max_width, int want_w, int want_h)
{
    const char *out = path_of(strcmp(format, "webp") == 0 ? "thumb.webp" : "thumb.jpg");
    ms_error err = {0};
    int rc = media_thumbnail(path_of(in), out, format, max_width, &err);
    if (rc) print_error("thumbnail of %s: %s\n", in, err.detail);
    assert_int_equal(rc, 0);
    int w, h;
    char codec[32];
    decode_picture(out, &w, &h, codec, sizeof codec);
    assert_string_equal(codec, strcmp(format, "webp") == 0 ? "webp" : "mjpeg");
    if (w != want_w || h != want_h)
        fail_msg("thumbnail of %s is %dx%d, want %dx%d", in, w, h, want_w, want_h);
}

/* The order of the top-level boxes "moov" and "mdat" in an MP4: true when moov is first. */
static bool moov_first(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    long pos = 0;
    int moov = -1, mdat = -1, k = 0;
    uint8_t h[16];
    while (fseek(f, pos, SEEK_SET) == 0 && fread(h, 1, 8, f) == 8) {
        uint64_t size = (uint64_t)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
        if (size == 1) {
            assert_int_equal(fread(h + 8, 1, 8, f), 8);
            size = 0;
            for (int i = 8; i < 16; i++)
                size = size << 8 | h[i];
        }
        if (memcmp(h + 4, "moov", 4) == 0) moov = k;
        if (memcmp(h + 4, "mdat", 4) == 0) mdat = k;
        if (size < 8) break;
        pos += (long)size;
        k++;
    }
    fclose(f);
    assert_true(moov >= 0 && mdat >= 0);
    return moov < mdat;
}

/* ---- probe -------------------------------------------------------------------------------- */

static void test_probe_h264_aac(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *p = probe_ok("h264.mp4");
    json_t *format = json_object_get(p, "format");
    assert_non_null(strstr(str(format, "name"), "mp4"));
    assert_non_null(json_object_get(format, "long_name"));
    double d = json_real_value(json_object_get(format, "duration"));
    assert_true(d > 1.9 && d < 2.2);
    assert_true(num(format, "bit_rate") > 0);
    json_t *v = stream_of(p, "video");
    assert_string_equal(str(v, "codec"), "h264");
    assert_string_equal(str(v, "profile"), "High");
    assert_int_equal(num(v, "width"), 320);
    assert_int_equal(num(v, "height"), 180);
    assert_string_equal(str(v, "frame_rate"), "25/1");
    assert_int_equal(num(v, "frames"), 50);
    assert_string_equal(str(v, "scan"), "progressive");
    assert_string_equal(str(v, "pix_fmt"), "yuv420p");
    assert_int_equal(num(v, "bit_depth"), 8);
    assert_string_equal(str(v, "chroma_subsampling"), "4:2:0");
    assert_string_equal(str(v, "sample_aspect_ratio"), "1:1");
    assert_string_equal(str(v, "display_aspect_ratio"), "16:9");
    assert_true(json_is_null(json_object_get(v, "hdr")));
    assert_int_equal(num(v, "rotation"), 0);
    json_t *a = stream_of(p, "audio");
    assert_string_equal(str(a, "codec"), "aac");
    assert_string_equal(str(a, "profile"), "LC");
    assert_int_equal(num(a, "channels"), 2);
    assert_string_equal(str(a, "channel_layout"), "stereo");
    assert_int_equal(num(a, "sample_rate"), 44100);
    assert_string_equal(str(a, "sample_fmt"), "fltp");
    assert_null(json_object_get(a, "bit_depth")); /* lossy: no bit depth */
    json_t *s = json_object_get(p, "summary");
    assert_string_equal(str(s, "kind"), "video");
    assert_string_equal(str(s, "video_codec"), "h264");
    assert_string_equal(str(s, "fps"), "25/1");
    assert_int_equal(num(s, "width"), 320);
    assert_int_equal(num(s, "audio_channels"), 2);
    assert_int_equal(num(s, "audio_streams"), 1);
    assert_int_equal(num(s, "video_streams"), 1);
    json_decref(p);
}

static void test_probe_prores_timecode(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *p = probe_ok("prores.mov");
    json_t *v = stream_of(p, "video");
    assert_string_equal(str(v, "codec"), "prores");
    assert_string_equal(str(v, "profile"), "422 HQ");
    assert_string_equal(str(v, "codec_tag"), "apch");
    assert_string_equal(str(v, "frame_rate"), "24000/1001");
    assert_string_equal(str(v, "pix_fmt"), "yuv422p10le");
    assert_int_equal(num(v, "bit_depth"), 10);
    assert_string_equal(str(v, "chroma_subsampling"), "4:2:2");
    assert_string_equal(str(v, "scan"), "progressive");
    json_t *tmcd = stream_of(p, "data");
    assert_string_equal(str(tmcd, "codec_tag"), "tmcd");
    assert_string_equal(str(json_object_get(p, "format"), "timecode"), "01:00:00:00");
    json_t *s = json_object_get(p, "summary");
    assert_string_equal(str(s, "timecode"), "01:00:00:00");
    assert_string_equal(str(s, "video_profile"), "422 HQ");
    assert_string_equal(str(s, "fps"), "24000/1001");
    assert_int_equal(num(s, "bit_depth"), 10);
    json_decref(p);
}

static void test_probe_hdr10(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *p = probe_ok("hdr.mp4");
    json_t *v = stream_of(p, "video");
    assert_string_equal(str(v, "codec"), "hevc");
    assert_string_equal(str(v, "profile"), "Main 10");
    assert_string_equal(str(v, "hdr"), "PQ");
    assert_string_equal(str(v, "color_primaries"), "bt2020");
    assert_string_equal(str(v, "color_transfer"), "smpte2084");
    assert_string_equal(str(v, "color_matrix"), "bt2020nc");
    assert_int_equal(num(v, "bit_depth"), 10);
    json_t *md = json_object_get(v, "mastering_display");
    assert_non_null(md);
    assert_true(fabs(json_real_value(json_object_get(md, "max_luminance")) - 1000) < 0.01);
    assert_true(fabs(json_real_value(json_object_get(md, "min_luminance")) - 0.0001) < 1e-6);
    assert_true(fabs(json_real_value(json_array_get(json_object_get(md, "red"), 0)) - 0.68) <
                0.001);
    json_t *cl = json_object_get(v, "content_light");
    assert_non_null(cl);
    assert_int_equal(num(cl, "max_cll"), 1000);
    assert_int_equal(num(cl, "max_fall"), 400);
    assert_string_equal(str(json_object_get(p, "summary"), "hdr"), "PQ");
    json_decref(p);
}

static void test_probe_interlaced_anamorphic(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *p = probe_ok("interlaced.ts");
    assert_string_equal(str(json_object_get(p, "format"), "name"), "mpegts");
    json_t *v = stream_of(p, "video");
    assert_string_equal(str(v, "codec"), "mpeg2video");
    assert_string_equal(str(v, "scan"), "tff");
    assert_string_equal(str(v, "sample_aspect_ratio"), "16:15");
    assert_string_equal(str(v, "display_aspect_ratio"), "4:3");
    assert_string_equal(str(json_object_get(p, "summary"), "scan"), "tff");
    json_decref(p);
}

static void test_probe_wav_51(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *p = probe_ok("surround.wav");
    json_t *a = stream_of(p, "audio");
    assert_string_equal(str(a, "codec"), "pcm_s24le");
    assert_int_equal(num(a, "channels"), 6);
    assert_string_equal(str(a, "channel_layout"), "5.1");
    assert_int_equal(num(a, "sample_rate"), 48000);
    assert_int_equal(num(a, "bit_depth"), 24);
    json_t *s = json_object_get(p, "summary");
    assert_string_equal(str(s, "kind"), "audio");
    assert_int_equal(num(s, "audio_channels"), 6);
    assert_int_equal(num(s, "audio_bit_depth"), 24);
    assert_null(json_object_get(s, "width"));
    json_decref(p);
}

static void test_probe_stills_and_subtitles(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *p = probe_ok("big.png");
    json_t *s = json_object_get(p, "summary");
    assert_string_equal(str(s, "kind"), "image");
    assert_string_equal(str(s, "video_codec"), "png");
    assert_int_equal(num(s, "width"), 3840);
    assert_int_equal(num(s, "height"), 2160);
    assert_string_equal(str(s, "scan"), "progressive");
    json_decref(p);
    p = probe_ok("picture.mov"); /* a PNG with a misleading name */
    assert_string_equal(str(json_object_get(p, "summary"), "kind"), "image");
    json_decref(p);
    p = probe_ok("small.dpx");
    assert_string_equal(str(json_object_get(p, "summary"), "video_codec"), "dpx");
    json_decref(p);
    p = probe_ok("hello.srt");
    s = json_object_get(p, "summary");
    assert_string_equal(str(s, "kind"), "subtitle");
    assert_int_equal(num(s, "subtitle_streams"), 1);
    assert_string_equal(str(stream_of(p, "subtitle"), "codec"), "subrip");
    json_decref(p);
    /* ffmpeg 5.1 turns "rotate=90" into a display matrix of 90 degrees counter-clockwise,
     * which players (and ffmpeg's autorotate) show turned 270 degrees clockwise. */
    p = probe_ok("rotated.mp4");
    assert_int_equal(num(stream_of(p, "video"), "rotation"), 270);
    json_decref(p);
}

static void test_probe_bad_files(void **state)
{
    (void)state;
    NEED_FFMPEG();
    static const char *bad[] = {"truncated.mp4", "noise.mov"};
    for (size_t i = 0; i < 2; i++) {
        json_t *out = NULL;
        ms_error err = {0};
        assert_int_equal(media_probe(path_of(bad[i]), &out, &err), MS_EINVAL);
        assert_null(out);
        assert_non_null(strstr(err.detail, "not a media file libav can read"));
        json_t *w = NULL;
        assert_int_equal(media_waveform(path_of(bad[i]), &w, 10, &err), MS_EINVAL);
        assert_int_equal(media_thumbnail(path_of(bad[i]), path_of("bad.jpg"), "jpeg", 64, &err),
                         MS_EINVAL);
        assert_int_equal(media_proxy(path_of(bad[i]), path_of("bad.mp4"), NULL, &err), MS_EINVAL);
        struct stat sb;
        assert_int_not_equal(stat(path_of("bad.mp4"), &sb), 0); /* no half-written output */
    }
    /* Playlists and scripts that name other files are refused before anything is opened. */
    static const char hls[] = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nh264.mp4\n"
                              "#EXT-X-ENDLIST\n";
    static const char concat[] = "ffconcat version 1.0\nfile 'h264.mp4'\n";
    write_bytes("playlist.avi", hls, sizeof hls - 1);
    write_bytes("script.mp4", concat, sizeof concat - 1);
    json_t *out = NULL;
    ms_error err = {0};
    assert_int_equal(media_probe(path_of("playlist.avi"), &out, &err), MS_EINVAL);
    assert_non_null(strstr(err.detail, "refers to other files"));
    assert_int_equal(media_probe(path_of("script.mp4"), &out, &err), MS_EINVAL);
    assert_non_null(strstr(err.detail, "refers to other files"));
    assert_int_equal(media_proxy(path_of("script.mp4"), path_of("bad.mp4"), NULL, &err), MS_EINVAL);

    /* A PNG header claiming 65535x65535 pixels: refused, not allocated. */
    static const uint8_t giant[] = "\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR\0\0\xFF\xFF\0\0\xFF\xFF"
                                   "\x08\x02\0\0\0\0\0\0\0\0\0\0\0IEND\xAE\x42\x60\x82";
    write_bytes("giant.png", giant, sizeof giant - 1);
    int rc = media_thumbnail(path_of("giant.png"), path_of("bad.jpg"), "jpeg", 64, &err);
    assert_true(rc == MS_EINVAL);

    assert_int_equal(media_probe(path_of("does-not-exist.mp4"), &out, &err), MS_ENOTFOUND);
    write_bytes("empty.mp4", "", 0);
    assert_int_equal(media_probe(path_of("empty.mp4"), &out, &err), MS_EINVAL);
}

typedef struct probe_job {
    const char *name;
    char *dump;
} probe_job;

static void *probe_thread(void *arg)
{
    probe_job *job = arg;
    for (int round = 0; round < 3; round++) {
        json_t *out = NULL;
        ms_error err;
        if (media_probe(path_of(job->name), &out, &err) != 0) return NULL;
        free(job->dump);
        json_object_del(json_object_get(out, "format"), "probe_score");
        job->dump = json_dumps(out, JSON_SORT_KEYS);
        json_decref(out);
    }
    return job;
}

static void test_probe_threads(void **state)
{
    (void)state;
    NEED_FFMPEG();
    static const char *names[] = {"h264.mp4",      "prores.mov",   "hdr.mp4",
                                  "interlaced.ts", "surround.wav", "hello.srt"};
    enum { N = sizeof names / sizeof names[0] };
    probe_job jobs[N] = {0};
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        jobs[i].name = names[i];
        assert_int_equal(pthread_create(&t[i], NULL, probe_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        assert_non_null(ret);
        probe_job alone = {names[i], NULL};
        probe_thread(&alone);
        assert_string_equal(jobs[i].dump, alone.dump);
        free(alone.dump);
        free(jobs[i].dump);
    }
}

/* ---- thumbnails and filmstrips ------------------------------------------------------------ */

static void test_thumbnails(void **state)
{
    (void)state;
    NEED_FFMPEG();
    check_thumb("h264.mp4", "jpeg", 160, 160, 90);
    check_thumb("h264.mp4", "webp", 160, 160, 90);
    check_thumb("prores.mov", "jpeg", 200, 200, 112);
    check_thumb("hdr.mp4", "jpeg", 1000, 320, 180);      /* never upscaled */
    check_thumb("interlaced.ts", "jpeg", 320, 320, 240); /* 720x576 at 16:15 is 4:3 */
    check_thumb("big.png", "jpeg", 320, 320, 180);
    check_thumb("picture.mov", "webp", 64, 64, 36);
    check_thumb("small.dpx", "jpeg", 320, 64, 36);
    check_thumb("small.exr", "jpeg", 32, 32, 18);
    check_thumb("rotated.mp4", "jpeg", 90, 90, 160); /* turned a quarter */

    ms_error err = {0};
    assert_int_equal(media_thumbnail(path_of("surround.wav"), path_of("t.jpg"), "jpeg", 160, &err),
                     MS_EINVAL);
    assert_non_null(strstr(err.detail, "no picture"));
    assert_int_equal(media_thumbnail(path_of("h264.mp4"), path_of("t.gif"), "gif", 160, &err),
                     MS_EINVAL);
    assert_int_equal(media_thumbnail(path_of("h264.mp4"), path_of("t.jpg"), "jpeg", 2, &err),
                     MS_EINVAL);
}

static void test_filmstrip(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *geo = NULL;
    ms_error err = {0};
    const char *out = path_of("strip.jpg");
    int rc = media_filmstrip(path_of("h264.mp4"), out, 10, 64, &geo, &err);
    if (rc) print_error("filmstrip: %s\n", err.detail);
    assert_int_equal(rc, 0);
    assert_int_equal(num(geo, "frames"), 10);
    assert_int_equal(num(geo, "columns"), 10);
    assert_int_equal(num(geo, "rows"), 1);
    assert_int_equal(num(geo, "tile_width"), 64);
    assert_int_equal(num(geo, "tile_height"), 36);
    assert_int_equal(num(geo, "width"), 640);
    assert_int_equal(num(geo, "height"), 36);
    json_t *times = json_object_get(geo, "times");
    assert_int_equal(json_array_size(times), 10);
    double prev = -1;
    for (size_t i = 0; i < 10; i++) {
        double t = json_real_value(json_array_get(times, i));
        assert_true(t > prev && t < 2.0);
        double want = 2.0 * ((double)i + 0.5) / 10;
        assert_true(fabs(t - want) < 0.05);
        prev = t;
    }
    int w, h;
    char codec[32];
    decode_picture(out, &w, &h, codec, sizeof codec);
    assert_string_equal(codec, "mjpeg");
    assert_int_equal(w, 640);
    assert_int_equal(h, 36);
    json_decref(geo);

    /* The interlaced 4:3 source: tiles 4:3 wide; a still gives one tile. */
    assert_int_equal(media_filmstrip(path_of("interlaced.ts"), out, 4, 100, &geo, &err), 0);
    assert_int_equal(num(geo, "tile_height"), 74);
    json_decref(geo);
    assert_int_equal(media_filmstrip(path_of("big.png"), out, 8, 160, &geo, &err), 0);
    assert_int_equal(num(geo, "frames"), 1);
    assert_int_equal(num(geo, "tile_height"), 90);
    json_decref(geo);
    assert_int_equal(media_filmstrip(path_of("h264.mp4"), out, 0, 64, &geo, &err), MS_EINVAL);
    assert_int_equal(media_filmstrip(path_of("h264.mp4"), out, 200, 1024, &geo, &err),
                     MS_EINVAL); /* wider than a JPEG can be */
}

/* ---- proxy -------------------------------------------------------------------------------- */

typedef struct progress_log {
    int calls;
    double last;
    bool backwards;
    atomic_int cancel;
    double cancel_at;
} progress_log;

static void on_progress(double done, void *user)
{
    progress_log *log = user;
    if (done < log->last) log->backwards = true;
    log->last = done;
    log->calls++;
    if (log->cancel_at > 0 && done >= log->cancel_at) atomic_store(&log->cancel, 1);
}

static json_t *proxy_ok(const char *in, const media_proxy_opts *opts)
{
    const char *out = path_of("proxy.mp4");
    ms_error err = {0};
    int rc = media_proxy(path_of(in), out, opts, &err);
    if (rc) print_error("proxy of %s: %s\n", in, err.detail);
    assert_int_equal(rc, 0);
    assert_true(moov_first(out));
    json_t *p = probe_ok("proxy.mp4");
    json_t *s = json_object_get(p, "summary");
    if (json_object_get(s, "video_codec")) {
        assert_string_equal(str(s, "video_codec"), "h264");
        assert_string_equal(str(s, "pix_fmt"), "yuv420p");
        assert_true(num(s, "height") <= 720);
        assert_int_equal(num(s, "width") % 2, 0);
        assert_int_equal(num(s, "height") % 2, 0);
        assert_string_equal(str(stream_of(p, "video"), "sample_aspect_ratio"), "1:1");
    }
    if (json_object_get(s, "audio_codec")) {
        assert_string_equal(str(s, "audio_codec"), "aac");
        assert_int_equal(num(s, "audio_channels"), 2);
        assert_int_equal(num(s, "audio_sample_rate"), 48000);
    }
    return p;
}

static void test_proxy(void **state)
{
    (void)state;
    NEED_FFMPEG();
    progress_log log = {0};
    media_proxy_opts opts = {.progress = on_progress, .user = &log};
    json_t *p = proxy_ok("h264.mp4", &opts);
    json_t *s = json_object_get(p, "summary");
    assert_int_equal(num(s, "width"), 320);
    assert_int_equal(num(s, "height"), 180);
    assert_string_equal(str(s, "fps"), "25/1");
    assert_int_equal(num(s, "audio_streams"), 1);
    assert_true(fabs(json_real_value(json_object_get(s, "duration")) - 2.0) < 0.1);
    assert_true(log.calls >= 2);
    assert_false(log.backwards);
    assert_true(log.last == 1.0);
    json_decref(p);

    /* 10-bit 4:2:2 ProRes at 24000/1001, scaled down to 90 lines. */
    media_proxy_opts small = {.max_height = 90};
    p = proxy_ok("prores.mov", &small);
    s = json_object_get(p, "summary");
    assert_int_equal(num(s, "width"), 160);
    assert_int_equal(num(s, "height"), 90);
    assert_string_equal(str(s, "fps"), "24000/1001");
    assert_int_equal(num(s, "audio_streams"), 0); /* video only */
    json_decref(p);

    /* Interlaced, anamorphic: square pixels at the display aspect. */
    p = proxy_ok("interlaced.ts", NULL);
    s = json_object_get(p, "summary");
    assert_int_equal(num(s, "width"), 768);
    assert_int_equal(num(s, "height"), 576);
    json_decref(p);

    /* Audio only (5.1 24-bit): an AAC stereo MP4. */
    p = proxy_ok("surround.wav", NULL);
    s = json_object_get(p, "summary");
    assert_string_equal(str(s, "kind"), "audio");
    assert_int_equal(num(s, "video_streams"), 0);
    assert_true(fabs(json_real_value(json_object_get(s, "duration")) - 1.0) < 0.1);
    json_decref(p);

    /* Rotation is kept as the track's display matrix. */
    p = proxy_ok("rotated.mp4", &small);
    assert_int_equal(num(stream_of(p, "video"), "rotation"), 270);
    assert_int_equal(num(json_object_get(p, "summary"), "width"), 90);
    json_decref(p);

    /* Canceled half-way: MS_EBUSY "canceled", no output left. */
    progress_log stop = {.cancel_at = 0.3};
    media_proxy_opts cancel = {.progress = on_progress, .user = &stop, .cancel = &stop.cancel};
    ms_error err = {0};
    assert_int_equal(media_proxy(path_of("h264.mp4"), path_of("c.mp4"), &cancel, &err), MS_EBUSY);
    assert_string_equal(err.type, "canceled");
    struct stat sb;
    assert_int_not_equal(stat(path_of("c.mp4"), &sb), 0);
    assert_int_equal(media_proxy(path_of("hello.srt"), path_of("c.mp4"), NULL, &err), MS_EINVAL);
}

/* ---- waveform ----------------------------------------------------------------------------- */

static void test_waveform(void **state)
{
    (void)state;
    NEED_FFMPEG();
    json_t *w = NULL;
    ms_error err = {0};
    assert_int_equal(media_waveform(path_of("surround.wav"), &w, 100, &err), 0);
    assert_int_equal(num(w, "buckets"), 100);
    assert_int_equal(num(w, "channels"), 6);
    assert_int_equal(num(w, "sample_rate"), 48000);
    assert_true(fabs(json_real_value(json_object_get(w, "duration")) - 1.0) < 0.01);
    json_t *mins = json_object_get(w, "min"), *maxs = json_object_get(w, "max");
    assert_int_equal(json_array_size(mins), 100);
    assert_int_equal(json_array_size(maxs), 100);
    double top = -2, bottom = 2;
    for (size_t i = 0; i < 100; i++) {
        double lo = json_real_value(json_array_get(mins, i));
        double hi = json_real_value(json_array_get(maxs, i));
        assert_true(lo >= -1 && lo <= hi && hi <= 1);
        if (hi > top) top = hi;
        if (lo < bottom) bottom = lo;
    }
    assert_true(fabs(top - 0.5) < 0.01); /* the loudest channel is a 0.5 sine */
    assert_true(fabs(bottom + 0.5) < 0.01);
    json_decref(w);

    /* More buckets than samples still gives the count asked for; AAC in MP4 too. */
    assert_int_equal(media_waveform(path_of("h264.mp4"), &w, 100000, &err), 0);
    assert_int_equal(json_array_size(json_object_get(w, "max")), 100000);
    json_decref(w);
    assert_int_equal(media_waveform(path_of("big.png"), &w, 100, &err), MS_EINVAL);
    assert_null(w);
    assert_int_equal(media_waveform(path_of("surround.wav"), &w, 0, &err), MS_EINVAL);
}

/* ---- sniff -------------------------------------------------------------------------------- */

static const char *sniff_file(const char *name, const char *as)
{
    uint8_t head[4096];
    size_t n = read_head(name, head, sizeof head);
    return media_sniff(head, n, as ? as : name);
}

static void test_sniff_samples(void **state)
{
    (void)state;
    NEED_FFMPEG();
    assert_string_equal(sniff_file("h264.mp4", NULL), "video");
    assert_string_equal(sniff_file("prores.mov", NULL), "video");
    assert_string_equal(sniff_file("hdr.mp4", NULL), "video");
    assert_string_equal(sniff_file("interlaced.ts", NULL), "video");
    assert_string_equal(sniff_file("surround.wav", NULL), "audio");
    assert_string_equal(sniff_file("big.png", NULL), "image");
    assert_string_equal(sniff_file("small.dpx", NULL), "image");
    assert_string_equal(sniff_file("small.exr", NULL), "image");
    assert_string_equal(sniff_file("hello.srt", NULL), "subtitle");
    assert_string_equal(sniff_file("noise.mov", NULL), "other");
    /* Misleading names: content wins. */
    assert_string_equal(sniff_file("picture.mov", NULL), "image");
    assert_string_equal(sniff_file("h264.mp4", "poster.png"), "video");
    assert_string_equal(sniff_file("surround.wav", "clip.mp4"), "audio");
    assert_string_equal(sniff_file("hello.srt", "notes.txt"), "subtitle");
    assert_string_equal(sniff_file("noise.mov", "noise.mp4"), "other");
    /* The extension breaks a tie: an MP4 with a generic brand named .m4a. */
    assert_string_equal(sniff_file("h264.mp4", "song.m4a"), "audio");
}

#define SNIFF(lit, name) media_sniff((const uint8_t *)(lit), sizeof(lit) - 1, (name))

static void test_sniff_headers(void **state)
{
    (void)state;
    assert_string_equal(SNIFF("", "a.mp4"), "other");
    assert_string_equal(media_sniff(NULL, 0, NULL), "other");
    /* ISO BMFF brands. */
    assert_string_equal(SNIFF("\0\0\0\x18"
                              "ftypqt  \0\0\0\0qt  ",
                              NULL),
                        "video");
    assert_string_equal(SNIFF("\0\0\0\x18"
                              "ftypM4A \0\0\0\0M4A isom",
                              NULL),
                        "audio");
    assert_string_equal(SNIFF("\0\0\0\x18"
                              "ftypheic\0\0\0\0mif1heic",
                              "x.mov"),
                        "image");
    assert_string_equal(SNIFF("\0\0\0\x1c"
                              "ftypavif\0\0\0\0avifmif1miaf",
                              NULL),
                        "image");
    assert_string_equal(SNIFF("\0\0\0\x1c"
                              "ftypisom\0\0\x02\0isomiso2mp41",
                              NULL),
                        "video");
    assert_string_equal(SNIFF("\0\0\0\x1c"
                              "ftypisom\0\0\x02\0isomiso2mp41",
                              "a.m4a"),
                        "audio");
    assert_string_equal(SNIFF("\0\0\0\x08wide\0\0\0\0mdat", NULL), "video");
    /* Other containers. */
    assert_string_equal(SNIFF("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01", "x.mkv"), "video");
    assert_string_equal(SNIFF("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01", "x.mka"), "audio");
    assert_string_equal(SNIFF("\x06\x0E\x2B\x34\x02\x05\x01\x01\x0D\x01\x02\x01\x01\x02", "x.bin"),
                        "video");
    assert_string_equal(SNIFF("RIFF\0\0\0\0AVI LIST", NULL), "video");
    assert_string_equal(SNIFF("RIFF\0\0\0\0WAVEfmt ", "x.mov"), "audio");
    assert_string_equal(SNIFF("RIFF\0\0\0\0WEBPVP8 ", NULL), "image");
    assert_string_equal(SNIFF("FORM\0\0\0\0AIFFCOMM", NULL), "audio");
    assert_string_equal(SNIFF("ID3\x04\0\0\0\0\0\0", NULL), "audio");
    assert_string_equal(SNIFF("\xFF\xFB\x90\x64\0\0\0\0", NULL), "audio");     /* MP3 frame */
    assert_string_equal(SNIFF("\xFF\xF1\x50\x80\x02\x1F\xFC", NULL), "audio"); /* ADTS */
    assert_string_equal(SNIFF("fLaC\0\0\0\x22", NULL), "audio");
    static const uint8_t ogg_opus[] = "OggS\0\x02\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0"
                                      "\0\0\0\0\x01\x13OpusHead\x01\x02";
    assert_string_equal(media_sniff(ogg_opus, sizeof ogg_opus - 1, NULL), "audio");
    static const uint8_t ogg_theora[] = "OggS\0\x02\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0"
                                        "\0\0\0\0\x01\x2a\x80theora\x03\x02";
    assert_string_equal(media_sniff(ogg_theora, sizeof ogg_theora - 1, NULL), "video");
    uint8_t ts[188 * 3] = {0};
    ts[0] = ts[188] = ts[376] = 0x47;
    assert_string_equal(media_sniff(ts, sizeof ts, "x.bin"), "video");
    ts[188] = 0;
    assert_string_equal(media_sniff(ts, sizeof ts, "x.ts"), "other");
    /* Images. */
    assert_string_equal(SNIFF("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", "x.mov"), "image");
    assert_string_equal(SNIFF("\xFF\xD8\xFF\xE0\0\x10JFIF", NULL), "image");
    assert_string_equal(SNIFF("GIF89a\x01\0\x01\0", NULL), "image");
    assert_string_equal(SNIFF("II*\0\x08\0\0\0", NULL), "image");
    assert_string_equal(SNIFF("MM\0*\0\0\0\x08", NULL), "image");
    assert_string_equal(SNIFF("SDPX\0\0\x20\0V2.0", NULL), "image");
    assert_string_equal(SNIFF("XPDS\0\x20\0\0V1.0", NULL), "image");
    assert_string_equal(SNIFF("\x76\x2F\x31\x01\x02\0\0\0", NULL), "image");
    /* Documents. */
    assert_string_equal(SNIFF("%PDF-1.7\n%\xE2\xE3\xCF\xD3", NULL), "document");
    assert_string_equal(SNIFF("PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0\0\0\0\0\0\0\0\0\0\0\0\0"
                              "\x13\0\0\0[Content_Types].xml",
                              "report.bin"),
                        "document");
    assert_string_equal(SNIFF("PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                              "\x05\0\0\0a.txt",
                              "photos.zip"),
                        "other");
    assert_string_equal(SNIFF("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", NULL), "document");
    /* Subtitles and text. */
    assert_string_equal(SNIFF("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", "x.txt"), "subtitle");
    assert_string_equal(SNIFF("\xEF\xBB\xBFWEBVTT - title\n", NULL), "subtitle");
    assert_string_equal(SNIFF("1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n", "x.txt"), "subtitle");
    assert_string_equal(SNIFF("[Script Info]\nScriptType: v4.00+\n", NULL), "subtitle");
    assert_string_equal(SNIFF("<?xml version=\"1.0\"?>\n<!-- c -->\n<tt xmlns=\"http://www.w3.org"
                              "/ns/ttml\" xml:lang=\"en\"><body/></tt>",
                              "x.xml"),
                        "subtitle");
    assert_string_equal(SNIFF("<tt:tt xmlns:tt=\"http://www.w3.org/ns/ttml\">", NULL), "subtitle");
    assert_string_equal(
        SNIFF("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\">", NULL), "image");
    assert_string_equal(SNIFF("INT. KITCHEN - NIGHT\n\n厨房里很安静。\n", "script.srt"),
                        "subtitle"); /* plain text: the name breaks the tie */
    assert_string_equal(SNIFF("INT. KITCHEN - NIGHT\n\n厨房里很安静。\n", "script.txt"),
                        "document");
    assert_string_equal(SNIFF("\xFF\xFEW\0E\0B\0V\0T\0T\0\n\0", NULL), "subtitle"); /* UTF-16 */
    assert_string_equal(SNIFF("\x01\x02\x03\x04\x05\x06\x07\x08\xF0\xF1", "x.mov"), "other");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff_headers),
        cmocka_unit_test(test_probe_h264_aac),
        cmocka_unit_test(test_probe_prores_timecode),
        cmocka_unit_test(test_probe_hdr10),
        cmocka_unit_test(test_probe_interlaced_anamorphic),
        cmocka_unit_test(test_probe_wav_51),
        cmocka_unit_test(test_probe_stills_and_subtitles),
        cmocka_unit_test(test_probe_bad_files),
        cmocka_unit_test(test_probe_threads),
        cmocka_unit_test(test_thumbnails),
        cmocka_unit_test(test_filmstrip),
        cmocka_unit_test(test_proxy),
        cmocka_unit_test(test_waveform),
        cmocka_unit_test(test_sniff_samples),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
