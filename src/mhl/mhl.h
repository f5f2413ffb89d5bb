/* mhl.h: ASC Media Hash List (ASC MHL) v2.0: the hash formats it uses, its two XML documents
 * (a generation file, ascmhl/NNNN_<folder>_<date>_<time>Z.mhl, and the chain file
 * ascmhl/ascmhl_chain.xml that lists every generation with the C4 id of its bytes), and the two
 * folder operations a data wrangler runs: create the next generation of a folder, and verify a
 * folder against its history.
 *
 * Written from the ASC MHL specification, its XSD (ascmitc/mhl xsd/ASCMHL.xsd and
 * ASCMHLDirectory.xsd) and the behaviour of the reference tool `ascmhl` (directory hashes,
 * default ignore patterns, file names). The rendering half needs no file system and no
 * database: the server can render a generation and its chain for a folder download from the
 * digests it already stores (mhl_render_first_generation).
 *
 * Not here: nested histories (an ascmhl folder inside a sub-folder is ignored, as the
 * reference's default ignore list does, not linked through <references>), `flatten`, packing
 * lists, single-file records, <metadata> content (skipped when read), sha256 (not in the XSD).
 * Inputs read from disk are untrusted: parsing refuses a DOCTYPE, entities, network access,
 * absolute paths, ".." and oversized documents. */
#ifndef MS_MHL_H
#define MS_MHL_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- hash formats ---- */

typedef enum mhl_format {
    MHL_NONE = 0,
    MHL_MD5,
    MHL_SHA1,
    MHL_C4,
    MHL_XXH32,
    MHL_XXH64,
    MHL_XXH3,
    MHL_XXH128,
    MHL_NFORMATS
} mhl_format;

#define MHL_DIGEST_MAX 91 /* the longest digest text (a C4 id: 90 characters) and its NUL */
#define MHL_FMT_BIT(f) (1u << (unsigned)(f))

/* The XML element name ("xxh128"), or NULL for MHL_NONE / out of range. */
const char *mhl_format_name(mhl_format f);
/* The format of an element name; MHL_NONE when unknown. */
mhl_format mhl_format_parse(const char *name);
/* Whether directory hashes may use this format (the XSD leaves xxh32 out). */
bool mhl_format_dirhash_ok(mhl_format f);
/* Whether `s` is a well-formed digest of format `f` (lower-case hex of the right length; a
 * C4 id: "c4" and 88 base58 characters). */
bool mhl_digest_valid(mhl_format f, const char *s);

/* Streaming hash in several formats at once (a bit set of MHL_FMT_BIT). */
typedef struct mhl_hasher mhl_hasher;
int mhl_hasher_new(unsigned formats, mhl_hasher **out, ms_error *e);
void mhl_hasher_update(mhl_hasher *h, const void *p, size_t n);
/* Write the digest text of every requested format into digests[format]; the hasher is reset
 * for another input. */
void mhl_hasher_final(mhl_hasher *h, char digests[MHL_NFORMATS][MHL_DIGEST_MAX]);
void mhl_hasher_free(mhl_hasher *h);

/* One format over one buffer. */
int mhl_hash_data(mhl_format f, const void *p, size_t n, char out[MHL_DIGEST_MAX], ms_error *e);
/* The C4 id (SMPTE ST 2114: SHA-512, base58, "c4" + 88 characters) of a buffer. */
void mhl_c4(const void *p, size_t n, char out[MHL_DIGEST_MAX]);
/* The ASC MHL "hash of hashes": sort the digest texts, decode each (hex or C4) and hash the
 * concatenated bytes in format `f`. Digests of any even hex length are accepted, as the
 * reference does. The input array is not modified. */
int mhl_hash_of_hashes(mhl_format f, const char *const *digests, size_t n, char out[MHL_DIGEST_MAX],
                       ms_error *e);

/* ---- the generation document ---- */

#define MHL_NO_TIME    INT64_MIN /* a date that is not known and not written */
#define MHL_MAX_HASHES 8         /* hash elements read per file (one per format is the norm) */
#define MHL_MAX_PATH   4096      /* bytes in a relative path */

typedef enum mhl_action {
    MHL_ACTION_NONE = 0, /* no action attribute */
    MHL_ORIGINAL,
    MHL_VERIFIED,
    MHL_FAILED
} mhl_action;

typedef struct mhl_hash {
    mhl_format format;
    mhl_action action;
    int64_t hashdate; /* Unix seconds, UTC; MHL_NO_TIME: not written */
    char digest[MHL_DIGEST_MAX];
} mhl_hash;

/* One file: a relative path ('/' between folders, no "..", ".", empty parts or leading '/'). */
typedef struct mhl_entry {
    const char *path;
    int64_t size;  /* bytes; -1: unknown (not written) */
    int64_t mtime; /* lastmodificationdate, Unix seconds; MHL_NO_TIME: not written */
    const mhl_hash *hashes;
    int nhashes;
} mhl_entry;

/* A folder that should appear even when nothing below it does (an empty folder), or whose
 * modification date should be written. Folders of the entries' paths are implied. */
typedef struct mhl_dir {
    const char *path;
    int64_t mtime; /* MHL_NO_TIME: not written */
} mhl_dir;

/* The content and structure hash of one folder ("" is the root) in one format. */
typedef struct mhl_dirhash {
    const char *path;
    int64_t mtime;
    mhl_format format;
    int64_t hashdate;
    char content[MHL_DIGEST_MAX];
    char structure[MHL_DIGEST_MAX];
} mhl_dirhash;

/* <creatorinfo>. NULL strings are left out (hostname and tool are required: NULL hostname
 * writes "unknown", NULL tool writes "mstation" with this build's version). */
typedef struct mhl_creator {
    int64_t created; /* Unix seconds, UTC */
    const char *hostname;
    const char *tool, *tool_version;
    const char *author_name, *author_email, *author_phone, *author_role;
    const char *location, *comment;
} mhl_creator;

/* What to render into one generation file. */
typedef struct mhl_render {
    mhl_creator creator;
    const char *process; /* "in-place" (NULL), "transfer" or "flatten" */
    const char *const *ignore;
    size_t nignore; /* patterns written to <ignore> (none: the element is left out) */
    const mhl_entry *entries;
    size_t nentries;
    const mhl_dir *dirs;
    size_t ndirs;
    /* Directory hashes (a <directoryhash> per folder and the <roothash>) computed from the
     * entries' digests in this format, which every entry must then have; MHL_NONE: none. */
    mhl_format dir_format;
    int64_t hashdate; /* hashdate of the directory hashes; MHL_NO_TIME: not written */
} mhl_render;

/* Render a generation file (UTF-8 XML, the elements in the XSD's order, files in the
 * reference tool's post-order: a folder's sub-folders, then its files, then the folder's own
 * directory hash). Validates every path and digest; two entries with one path, or a path that
 * is both a file and a folder, are refused (MS_EINVAL). Appends to `out`. */
int mhl_render_generation(const mhl_render *r, ms_buf *out, ms_error *e);

/* The content and structure hashes of every folder implied by the entries and dirs, in
 * post-order, the root last (path ""). The caller frees *out with mhl_dirhashes_free. */
int mhl_directory_hashes(const mhl_entry *entries, size_t n, const mhl_dir *dirs, size_t ndirs,
                         mhl_format f, mhl_dirhash **out, size_t *nout, ms_error *e);
void mhl_dirhashes_free(mhl_dirhash *d, size_t n);

/* A parsed generation file. Strings live as long as the generation. */
typedef struct mhl_generation {
    mhl_creator creator;
    char process[16];
    const char **ignore;
    size_t nignore;
    mhl_entry *entries;
    size_t nentries;
    mhl_dirhash *dirs; /* <directoryhash> content/structure pairs, one per format */
    size_t ndirs;
    mhl_dirhash *roots; /* <roothash> pairs (path ""), one per format */
    size_t nroots;
    size_t nreferences; /* <hashlistreference> elements (child histories: not followed) */
    struct mhl_gen_mem *mem;
} mhl_generation;

#define MHL_MAX_XML ((size_t)1 << 30) /* the largest generation or chain file read: 1 GiB */

/* Parse a generation file. Refuses what is not ASC MHL v2.0 (root, namespace, version),
 * a DOCTYPE or entity, unsafe paths, malformed digests, sizes and dates, with the line in
 * the message. */
int mhl_parse_generation(const char *xml, size_t len, mhl_generation **out, ms_error *e);
void mhl_generation_free(mhl_generation *g);

/* ---- the chain file ---- */

typedef struct mhl_chain_link {
    int seq;        /* sequencenr, from 1 */
    char name[256]; /* file name in the ascmhl folder */
    char c4[MHL_DIGEST_MAX];
} mhl_chain_link;

int mhl_render_chain(const mhl_chain_link *links, size_t n, ms_buf *out, ms_error *e);
/* Parse ascmhl_chain.xml (root <ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">). Each
 * name must be a plain file name; the caller frees *links. */
int mhl_parse_chain(const char *xml, size_t len, mhl_chain_link **links, size_t *n, ms_error *e);

/* "0001_<folder>_2020-01-16_091500Z.mhl" (UTC). Refuses a folder name with '/' or control
 * characters, or too long for out (256). */
int mhl_generation_name(int seq, const char *folder, int64_t when, char out[256], ms_error *e);

/* For a download: render generation 1 of a folder and its chain file in memory.
 * `name` receives the generation's file name (put both files in the archive's ascmhl/). */
int mhl_render_first_generation(const mhl_render *r, const char *folder, ms_buf *generation,
                                char name[256], ms_buf *chain, ms_error *e);

/* ---- folders ---- */

/* Problems and notes found while creating or verifying, one call per line:
 * kind is "missing", "new", "size", "mismatch", "unreadable", "unsupported" (a name that
 * cannot be recorded), "chain", "dirhash", and "skipped" (a symbolic link or special file,
 * which is not counted as a problem). */
typedef void (*mhl_report_fn)(void *ctx, const char *kind, const char *path, const char *detail);

typedef struct mhl_result {
    uint64_t files, bytes; /* files hashed and their bytes */
    double seconds;        /* wall time of the whole run */
    uint64_t problems;     /* lines reported, "skipped" excepted */
    uint64_t originals, verified, failed, missing, new_files, skipped;
    char generation[256]; /* create: the file written (in ascmhl/) */
} mhl_result;

typedef struct mhl_create_opts {
    mhl_format format; /* MHL_NONE: xxh128 */
    const char *const *ignore;
    size_t nignore; /* patterns added to the history's (or the defaults) */
    mhl_creator creator;
    bool no_dir_hashes;
    mhl_report_fn report;
    void *ctx;
} mhl_create_opts;

/* Hash every file under `dir` and write the next generation and the chain (each written to a
 * temporary file, synced, renamed, and the folder synced). Files already in the history are
 * verified against it. Returns 0 when a generation was written (res->problems counts the
 * failures); an error when `dir` or its history cannot be used (a chain that does not verify
 * is refused: MS_ECONFLICT). */
int mhl_create(const char *dir, const mhl_create_opts *o, mhl_result *res, ms_error *e);

/* Check the chain, re-hash every recorded file in every format its history used, report
 * missing, changed and new files, and (when nothing else is wrong) the directory hashes of the
 * latest generation. Returns 0 when the check ran (res->problems says how it went);
 * MS_ENOTFOUND when `dir` has no history. */
int mhl_verify(const char *dir, mhl_report_fn report, void *ctx, mhl_result *res, ms_error *e);

/* Match a relative path against ignore patterns (gitignore style as the reference uses:
 * "name" matches that name in every folder, a pattern with '/' is anchored at the root,
 * a trailing '/' matches folders only, '*', '?', "[...]" and "**"). */
bool mhl_ignored(const char *const *patterns, size_t n, const char *path, bool is_dir);
/* Whether a pattern is one mhl_ignored can apply ("!" negation is not supported). */
bool mhl_ignore_pattern_valid(const char *pattern);

/* Whether `path` is a safe relative path as described for mhl_entry; fills `e` if not. */
int mhl_path_check(const char *path, ms_error *e);

#endif
