/* sniff.c: media_sniff — the asset kind of a file from its first bytes.
 *
 * Content decides: magic numbers and container headers (ISO BMFF brands, EBML, MXF, RIFF
 * forms, MPEG-TS sync, MP3/ADTS frame sync, Ogg codec headers, image and document
 * signatures), and for text, the structure of subtitle formats (WebVTT, SRT, ASS/SSA, TTML,
 * SCC, SAMI, MicroDVD). The file name's extension only breaks ties where the bytes fit more
 * than one kind: an MP4 or Matroska file that may hold only audio, a ZIP that may be an office
 * document, text that may be a subtitle, a raw elementary stream with no magic at all. Bytes
 * nothing recognises are "other", whatever the extension says.
 *
 * It is a fast first guess on an upload's first bytes, not a parser: the server confirms with
 * media_probe. It reads only `head`, never the file. */
#include "media/media.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool at(const uint8_t *h, size_t n, size_t off, const char *magic, size_t len)
{
    return n >= off + len && memcmp(h + off, magic, len) == 0;
}
#define AT(off, lit) at(h, n, (off), (lit), sizeof(lit) - 1)

/* The lower-cased extension of `filename` (without the dot) in `out`, or "". */
static void extension(const char *filename, char out[12])
{
    out[0] = 0;
    if (!filename) return;
    const char *slash = strrchr(filename, '/');
    const char *base = slash ? slash + 1 : filename;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || strlen(dot + 1) >= 12) return;
    size_t i = 0;
    for (const char *p = dot + 1; *p; p++)
        out[i++] = (char)tolower((unsigned char)*p);
    out[i] = 0;
}

/* Is `ext` one of the space-separated words of `list`? */
static bool ext_in(const char *ext, const char *list)
{
    size_t n = strlen(ext);
    if (!n) return false;
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, ext, n) == 0) return true;
        if (!end) break;
        p = end + 1;
    }
    return false;
}

static const char *AUDIO_EXTS = "m4a m4b m4p aac mka weba wav mp3 flac ogg oga opus wma aif "
                                "aiff caf ac3 eac3 ec3 dts mp2";
static const char *SUBTITLE_EXTS = "srt vtt webvtt ass ssa ttml dfxp xml scc sub smi sami stl sbv";

/* Does `head` contain `needle` anywhere? */
static bool contains(const uint8_t *h, size_t n, const char *needle)
{
    size_t len = strlen(needle);
    if (len > n) return false;
    for (size_t i = 0; i + len <= n; i++)
        if (h[i] == (uint8_t)needle[0] && memcmp(h + i, needle, len) == 0) return true;
    return false;
}

/* ---- ISO base media (MP4, MOV, M4A, HEIC, AVIF, 3GP, CR3) ----------------------------------- */

static bool brand_is(const uint8_t *b, const char *list)
{
    for (const char *p = list; *p; p += 5) /* "heic mif1 ..." : 4 letters + a space */
        if (memcmp(b, p, 4) == 0) return true;
    return false;
}

static const char *sniff_isobmff(const uint8_t *h, size_t n, const char *ext)
{
    static const char *image = "heic heix heim heis mif1 avif jxl  crx  ";
    static const char *image_seq = "msf1 hevc hevx avis ";
    static const char *audio = "M4A  M4B  M4P  F4A  F4B  ";
    const uint8_t *major = h + 8;
    if (brand_is(major, image)) return "image";
    if (brand_is(major, image_seq)) return "video";
    if (brand_is(major, audio)) return "audio";
    if (memcmp(major, "qt  ", 4) == 0) return "video";
    /* Generic brands (isom, mp41, mp42, dash, iso5, ...) are used for audio-only files too:
     * the compatible brands may say more; else the extension breaks the tie. */
    uint32_t box = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    size_t end = box < n ? box : n;
    for (size_t off = 16; off + 4 <= end; off += 4) {
        if (brand_is(h + off, audio)) return "audio";
        if (brand_is(h + off, image) && !ext_in(ext, "mp4 mov m4v")) return "image";
    }
    if (ext_in(ext, AUDIO_EXTS)) return "audio";
    return "video";
}

/* ---- Text --------------------------------------------------------------------------------- */

/* Valid UTF-8 without NULs and with few control characters (a sequence cut by the end of
 * the head is fine). */
static bool looks_text(const uint8_t *h, size_t n)
{
    size_t controls = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = h[i];
        if (c == 0) return false;
        if (c < 0x80) {
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') controls++;
            i++;
            continue;
        }
        size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        if (!len) return false;
        for (size_t k = 1; k < len; k++) {
            if (i + k >= n) return true; /* cut at the end of the head */
            if ((h[i + k] & 0xC0) != 0x80) return false;
        }
        i += len;
    }
    return controls * 100 <= n;
}

/* Skip spaces and line breaks. */
static size_t skip_space(const uint8_t *h, size_t n, size_t i)
{
    while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
        i++;
    return i;
}

static bool digits(const uint8_t *h, size_t n, size_t *i, int min, int max)
{
    int k = 0;
    while (*i < n && isdigit(h[*i]) && k < max) {
        (*i)++;
        k++;
    }
    return k >= min;
}

/* "00:00:01,000 --> " (SRT, and WebVTT cues without the header): hours optional. */
static bool cue_timing(const uint8_t *h, size_t n, size_t i)
{
    if (!digits(h, n, &i, 1, 3) || i >= n || h[i++] != ':') return false;
    if (!digits(h, n, &i, 2, 2) || i >= n) return false;
    if (h[i] == ':') {
        i++;
        if (!digits(h, n, &i, 2, 2)) return false;
    }
    if (i >= n || (h[i] != ',' && h[i] != '.')) return false;
    i++;
    if (!digits(h, n, &i, 1, 3)) return false;
    while (i < n && h[i] == ' ')
        i++;
    return n >= i + 3 && memcmp(h + i, "-->", 3) == 0;
}

static bool srt_start(const uint8_t *h, size_t n, size_t i)
{
    if (!digits(h, n, &i, 1, 9)) return false;
    while (i < n && (h[i] == ' ' || h[i] == '\r'))
        i++;
    if (i >= n || h[i++] != '\n') return false;
    return cue_timing(h, n, i);
}

/* The root element of an XML document: its name after '<' (skipping the prolog, comments,
 * the doctype and processing instructions) in `name`, namespace prefix dropped. */
static bool xml_root(const uint8_t *h, size_t n, size_t i, char name[16])
{
    while (true) {
        i = skip_space(h, n, i);
        if (i + 1 >= n || h[i] != '<') return false;
        if (h[i + 1] == '?' || h[i + 1] == '!') {
            const char *close =
                h[i + 1] == '!' && n >= i + 4 && memcmp(h + i, "<!--", 4) == 0 ? "-->" : ">";
            size_t len = strlen(close);
            size_t j = i + 2;
            while (j + len <= n && memcmp(h + j, close, len) != 0)
                j++;
            if (j + len > n) return false;
            i = j + len;
            continue;
        }
        size_t j = i + 1, k = 0;
        char raw[64];
        while (j < n && k < sizeof raw - 1 &&
               (isalnum(h[j]) || h[j] == ':' || h[j] == '_' || h[j] == '-' || h[j] == '.'))
            raw[k++] = (char)h[j++];
        raw[k] = 0;
        const char *colon = strrchr(raw, ':');
        const char *local = colon ? colon + 1 : raw;
        size_t m = 0;
        for (; local[m] && m < 15; m++)
            name[m] = (char)tolower((unsigned char)local[m]);
        name[m] = 0;
        return m > 0;
    }
}

static const char *sniff_text(const uint8_t *h, size_t n, const char *ext)
{
    size_t i = 0;
    if (AT(0, "\xEF\xBB\xBF")) i = 3;
    i = skip_space(h, n, i);
    if (at(h, n, i, "WEBVTT", 6)) return "subtitle";
    if (at(h, n, i, "[Script Info]", 13) || at(h, n, i, "[V4+ Styles]", 12)) return "subtitle";
    if (at(h, n, i, "Scenarist_SCC V1.0", 18)) return "subtitle";
    if (srt_start(h, n, i) || cue_timing(h, n, i)) return "subtitle";
    if (n >= i + 3 && h[i] == '{' && isdigit(h[i + 1])) { /* MicroDVD "{1}{25}text" */
        size_t j = i + 1;
        if (digits(h, n, &j, 1, 9) && j + 2 < n && h[j] == '}' && h[j + 1] == '{' &&
            isdigit(h[j + 2]))
            return "subtitle";
    }
    if (at(h, n, i, "{\\rtf", 5)) return "document";
    if (i < n && h[i] == '<') {
        char root[16];
        if (xml_root(h, n, i, root)) {
            if (strcmp(root, "tt") == 0 || strcmp(root, "sami") == 0) return "subtitle";
            if (strcmp(root, "svg") == 0) return "image";
            if (strcmp(root, "html") == 0) return "document";
        }
        if (contains(h, n, "http://www.w3.org/ns/ttml")) return "subtitle";
    }
    if (ext_in(ext, SUBTITLE_EXTS) && !ext_in(ext, "xml")) return "subtitle";
    return "document";
}

/* UTF-16 text (with a byte-order mark): its low bytes, enough for the structure checks. */
static const char *sniff_utf16(const uint8_t *h, size_t n, const char *ext)
{
    uint8_t narrow[1024];
    bool le = h[0] == 0xFF;
    size_t m = 0;
    for (size_t i = 2; i + 1 < n && m < sizeof narrow; i += 2) {
        uint8_t lo = le ? h[i] : h[i + 1], hi = le ? h[i + 1] : h[i];
        narrow[m++] = hi ? '?' : lo;
    }
    for (size_t i = 0; i < m; i++)
        if (narrow[i] == 0) return "other";
    return sniff_text(narrow, m, ext);
}

/* ---- Binary formats ----------------------------------------------------------------------- */

/* Sync bytes 0x47 every `stride` bytes: at least two in a row (a head too short for two
 * needs the extension to agree). */
static bool mpeg_ts(const uint8_t *h, size_t n, size_t stride, size_t first, const char *ext)
{
    if (n < first + 1 || h[first] != 0x47) return false;
    int seen = 0;
    for (size_t off = first; off < n && seen < 4; off += stride, seen++)
        if (h[off] != 0x47) return false;
    return seen >= 2 || ext_in(ext, "ts m2ts mts m2t tsv trp");
}

/* An MPEG audio frame header (MP1/2/3) or ADTS (AAC). */
static bool mpeg_audio_sync(const uint8_t *h, size_t n)
{
    if (n < 4 || h[0] != 0xFF || (h[1] & 0xE0) != 0xE0) return false;
    int layer = (h[1] >> 1) & 3;
    if (layer == 0) return (h[1] & 0xF6) == 0xF0 && ((h[2] >> 2) & 0xF) < 13; /* ADTS */
    int version = (h[1] >> 3) & 3, bitrate = h[2] >> 4, rate = (h[2] >> 2) & 3;
    return version != 1 && bitrate != 15 && bitrate != 0 && rate != 3;
}

static const char *sniff_ogg(const uint8_t *h, size_t n, const char *ext)
{
    if (n < 28) return ext_in(ext, "ogv") ? "video" : "audio";
    size_t segs = h[26], off = 27 + segs;
    if (off >= n) return ext_in(ext, "ogv") ? "video" : "audio";
    if (at(h, n, off, "\x80theora", 7) ||
        at(h, n, off,
           "\x80"
           "daala",
           6) ||
        at(h, n, off, "\x01video", 6))
        return "video";
    if (at(h, n, off, "\x80kate", 5)) return "subtitle";
    if (at(h, n, off, "\x01vorbis", 7) || at(h, n, off, "OpusHead", 8) ||
        at(h, n, off, "Speex", 5) ||
        at(h, n, off,
           "\x7f"
           "FLAC",
           5))
        return "audio";
    return ext_in(ext, "ogv ogm") ? "video" : "audio"; /* a skeleton stream comes first */
}

static const char *sniff_zip(const uint8_t *h, size_t n, const char *ext)
{
    if (contains(h, n, "[Content_Types].xml") || contains(h, n, "word/") || contains(h, n, "xl/") ||
        contains(h, n, "ppt/"))
        return "document";
    if (contains(h, n, "mimetypeapplication/vnd.oasis.opendocument") ||
        contains(h, n, "mimetypeapplication/epub+zip"))
        return "document";
    if (ext_in(ext, "docx xlsx pptx odt ods odp epub pages numbers key")) return "document";
    return "other";
}

const char *media_sniff(const uint8_t *h, size_t n, const char *filename)
{
    char ext[12];
    extension(filename, ext);
    if (!h || n == 0) return "other";

    /* Containers. */
    if (AT(4, "ftyp") && n >= 12) return sniff_isobmff(h, n, ext);
    if (AT(4, "moov") || AT(4, "mdat") || AT(4, "wide") || AT(4, "pnot") ||
        (AT(4, "free") && ext_in(ext, "mov qt mp4")))
        return "video"; /* QuickTime without ftyp */
    if (AT(0, "\x1A\x45\xDF\xA3")) {
        if (ext_in(ext, "mka weba")) return "audio";
        if (ext_in(ext, "mks")) return "subtitle";
        return "video";
    }
    if (AT(0, "\x06\x0E\x2B\x34\x02\x05\x01\x01\x0D\x01\x02")) return "video"; /* MXF */
    if (AT(0, "RIFF") || AT(0, "RIFX") || AT(0, "RF64") || AT(0, "BW64")) {
        if (AT(8, "WAVE") || AT(8, "RMID") || AT(8, "QLCM")) return "audio";
        if (AT(8, "AVI ") || AT(8, "AVIX") || AT(8, "CDXA")) return "video";
        if (AT(8, "WEBP")) return "image";
        return "other";
    }
    if (AT(0, "FORM") && (AT(8, "AIFF") || AT(8, "AIFC"))) return "audio";
    if (AT(0, "OggS")) return sniff_ogg(h, n, ext);
    if (AT(0, "fLaC") || AT(0, "caff") || AT(0, "#!AMR") || AT(0, ".snd") || AT(0, "wvpk") ||
        AT(0, "MAC ") || AT(0, "MThd") || AT(0, "ID3") || AT(0, "\x7F\xFE\x80\x01"))
        return "audio";
    if (AT(0, "\x30\x26\xB2\x75\x8E\x66\xCF\x11"))
        return ext_in(ext, "wma") ? "audio" : "video"; /* ASF */
    if (AT(0, "FLV\x01") || AT(0, ".RMF") || AT(0, "\x00\x00\x01\xBA") || AT(0, "\x00\x00\x01\xB3"))
        return "video";

    /* Images. */
    if (AT(0, "\x89PNG\r\n\x1A\n") || AT(0, "\xFF\xD8\xFF") || AT(0, "GIF87a") || AT(0, "GIF89a") ||
        AT(0, "II*\0") || AT(0, "MM\0*") || AT(0, "II+\0") || AT(0, "MM\0+") || AT(0, "SDPX") ||
        AT(0, "XPDS") || AT(0, "\x76\x2F\x31\x01") || AT(0, "8BPS") || AT(0, "\x80\x2A\x5F\xD7") ||
        AT(0, "#?RADIANCE") || AT(0, "#?RGBE") || AT(0, "\0\0\0\x0CjP  \r\n\x87\n") ||
        AT(0, "\xFF\x4F\xFF\x51") || AT(0, "\xFF\x0A") || AT(0, "\0\0\0\x0CJXL \r\n\x87\n") ||
        AT(0, "qoif") || AT(0, "gimp xcf"))
        return "image";
    if (AT(0, "BM") && n >= 18) {
        uint32_t dib = h[14] | (uint32_t)h[15] << 8 | (uint32_t)h[16] << 16 | (uint32_t)h[17] << 24;
        if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 108 || dib == 124)
            return "image";
    }

    /* MPEG-TS after the images: its sync byte is a 'G', as in "GIF". */
    if (mpeg_ts(h, n, 188, 0, ext) || mpeg_ts(h, n, 192, 4, ext)) return "video";

    /* Documents. */
    if (AT(0, "%PDF-")) return "document";
    if (AT(0, "PK\x03\x04")) return sniff_zip(h, n, ext);
    if (AT(0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return "document"; /* .doc .xls .ppt */

    /* Subtitles in binary: EBU STL (its GSI block starts with a code page, then "STL"). */
    if (n >= 11 && isdigit(h[0]) && isdigit(h[1]) && isdigit(h[2]) && AT(3, "STL"))
        return "subtitle";

    /* UTF-16 text: its byte-order mark looks like an MPEG audio frame sync. */
    if (AT(0, "\xFF\xFE") || AT(0, "\xFE\xFF")) return sniff_utf16(h, n, ext);

    /* Frame syncs are short patterns: checked after the real signatures. */
    if (mpeg_audio_sync(h, n)) return "audio";
    if (AT(0, "\x0B\x77") && ext_in(ext, "ac3 eac3 ec3")) return "audio";
    if ((AT(0, "\0\0\0\x01") || AT(0, "\0\0\x01")) &&
        ext_in(ext, "h264 264 avc h265 265 hevc m2v mpv m1v m4v vc1 ivf"))
        return "video";
    if (AT(0, "DKIF")) return "video"; /* IVF (VP8/VP9/AV1 elementary) */

    /* Text. */
    if (looks_text(h, n)) return sniff_text(h, n, ext);

    /* Formats without any magic, by name only. */
    if (ext_in(ext, "tga")) return "image";
    return "other";
}
