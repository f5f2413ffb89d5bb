/* mhl.c: ASC MHL on a folder: read its history (ascmhl/ascmhl_chain.xml and the generation
 * files it lists), walk the folder, hash the files, write the next generation (mhl_create) or
 * report what no longer matches (mhl_verify); and the ignore patterns.
 *
 * The history is untrusted input: the chain's C4 ids are checked against the generation files'
 * bytes, the generation files are parsed by mhl_xml.c, and no path read from them is ever
 * opened: files are found by walking the folder (symbolic links are reported and not followed)
 * and looked up by name. Writing is crash-safe: temporary file, fsync, rename, fsync of the
 * folder; the generation file first, the chain last, so an interrupted run leaves at worst a
 * generation the chain does not list (verify names it). Not here: XML (mhl_xml.c), hash
 * formats (mhl_hash.c), nested histories. */
#include "mhl/mhl.h"
#include "mhl/mhl_internal.h"

#include "core/time.h"
#include "core/version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define READ_BUF (8u << 20) /* bytes per read() while hashing */

static const char *const default_ignore[] = {".DS_Store", "ascmhl", "ascmhl/"};

/* ---- ignore patterns ---- */

/* One character of a pattern against byte c: '?', "[...]", "\x" or a literal. On a match,
 * *next is where the pattern goes on. */
static bool char_match(const char *p, size_t pn, size_t pi, unsigned char c, size_t *next)
{
    if (p[pi] == '?') {
        *next = pi + 1;
        return true;
    }
    if (p[pi] == '[') {
        size_t i = pi + 1;
        bool neg = i < pn && (p[i] == '!' || p[i] == '^');
        if (neg) i++;
        bool hit = false;
        size_t start = i;
        while (i < pn && (p[i] != ']' || i == start)) {
            unsigned char lo = (unsigned char)p[i], hi = lo;
            if (p[i] == '\\' && i + 1 < pn) lo = hi = (unsigned char)p[++i];
            if (i + 2 < pn && p[i + 1] == '-' && p[i + 2] != ']') {
                hi = (unsigned char)p[i + 2];
                i += 2;
            }
            if (c >= lo && c <= hi) hit = true;
            i++;
        }
        if (i >= pn) { /* no closing ']': a literal '[' */
            *next = pi + 1;
            return c == '[';
        }
        *next = i + 1;
        return hit != neg;
    }
    if (p[pi] == '\\' && pi + 1 < pn) {
        *next = pi + 2;
        return (unsigned char)p[pi + 1] == c;
    }
    *next = pi + 1;
    return (unsigned char)p[pi] == c;
}

/* A pattern without '/' against one path component: '*' runs, greedy with one backtracking
 * point, so it takes time proportional to the product of the lengths, whatever the input. */
static bool comp_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        size_t next;
        if (pi < pn && p[pi] == '*') {
            while (pi < pn && p[pi] == '*')
                pi++;
            star_p = pi;
            star_s = si;
            continue;
        }
        if (pi < pn && char_match(p, pn, pi, (unsigned char)s[si], &next)) {
            pi = next;
            si++;
            continue;
        }
        if (star_p == (size_t)-1) return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

#define MAX_PARTS 64

static size_t split(const char *s, const char *parts[], size_t lens[], size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t)(slash - s) : strlen(s);
        parts[n] = s;
        lens[n++] = len;
        if (!slash) break;
        s = slash + 1;
    }
    return n;
}

/* An anchored pattern (components, "**" for any number of folders) against a path: dynamic
 * programming over (pattern part, path part), at most 64 x 257 cells. */
static bool anchored_match(const char *pat, const char *path)
{
    const char *pp[MAX_PARTS], *sp[MHL_MAX_DEPTH + 1];
    size_t pl[MAX_PARTS], sl[MHL_MAX_DEPTH + 1];
    size_t np = split(pat, pp, pl, MAX_PARTS);
    size_t ns = split(path, sp, sl, MHL_MAX_DEPTH + 1);
    /* ok[i][j]: pattern parts i.. match path parts j.. */
    bool ok[MAX_PARTS + 1][MHL_MAX_DEPTH + 2];
    for (size_t i = np + 1; i-- > 0;)
        for (size_t j = ns + 1; j-- > 0;) {
            if (i == np) {
                ok[i][j] = j == ns;
            } else if (pl[i] == 2 && pp[i][0] == '*' && pp[i][1] == '*') {
                /* "**" matches zero or more parts; at the end, one or more (what is inside). */
                bool v = i + 1 == np ? j < ns : ok[i + 1][j];
                if (!v && j < ns) v = ok[i][j + 1] || (i + 1 == np);
                ok[i][j] = v;
            } else {
                ok[i][j] = j < ns && comp_match(pp[i], pl[i], sp[j], sl[j]) && ok[i + 1][j + 1];
            }
        }
    return ok[0][0];
}

bool mhl_ignore_pattern_valid(const char *pattern)
{
    if (!pattern || !*pattern || strlen(pattern) > 1024) return false;
    if (pattern[0] == '!' || pattern[0] == '#') return false;
    if (!ms_str_is_clean_text(pattern, 1024, false)) return false;
    size_t parts = 1;
    for (const char *c = pattern; *c; c++)
        if (*c == '/') parts++;
    return parts < MAX_PARTS;
}

static bool pattern_match(const char *pattern, const char *path, bool is_dir)
{
    if (!mhl_ignore_pattern_valid(pattern)) return false;
    char p[1032];
    ms_strlcpy(p, pattern, sizeof p);
    size_t n = strlen(p);
    bool dir_only = false;
    while (n > 1 && p[n - 1] == '/') {
        p[--n] = 0;
        dir_only = true;
    }
    if (dir_only && !is_dir) return false;
    if (!strchr(p, '/')) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        return comp_match(p, n, base, strlen(base));
    }
    return anchored_match(p[0] == '/' ? p + 1 : p, path);
}

bool mhl_ignored(const char *const *patterns, size_t n, const char *path, bool is_dir)
{
    for (size_t i = 0; i < n; i++)
        if (pattern_match(patterns[i], path, is_dir)) return true;
    return false;
}

/* Whether the path or a folder above it is ignored (a recorded file under an ignored folder
 * is not missing). */
static bool ignored_with_parents(const char *const *patterns, size_t n, const char *path)
{
    if (mhl_ignored(patterns, n, path, false)) return true;
    char buf[MHL_MAX_PATH + 1];
    ms_strlcpy(buf, path, sizeof buf);
    for (char *slash = strrchr(buf, '/'); slash; slash = strrchr(buf, '/')) {
        *slash = 0;
        if (mhl_ignored(patterns, n, buf, true)) return true;
    }
    return false;
}

/* ---- files ---- */

static int read_small_file(int dirfd, const char *name, const char *shown, char **data, size_t *len,
                           ms_error *e)
{
    *data = NULL;
    *len = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ms_fail(e, errno == ENOENT ? MS_ENOTFOUND : MS_EIO, NULL, "cannot open %s: %s",
                       shown, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st))
        rc = ms_fail(e, MS_EIO, NULL, "cannot read %s: %s", shown, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = ms_fail(e, MS_EINVAL, NULL, "%s is not a regular file", shown);
    else if ((uint64_t)st.st_size > MHL_MAX_XML)
        rc = ms_fail(e, MS_ETOOBIG, NULL, "%s is %lld bytes (at most %zu are read)", shown,
                     (long long)st.st_size, MHL_MAX_XML);
    char *buf = NULL;
    size_t n = 0;
    if (!rc && !(buf = malloc((size_t)st.st_size + 1)))
        rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory reading %s", shown);
    while (!rc && n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) rc = ms_fail(e, MS_EIO, NULL, "cannot read %s: %s", shown, strerror(errno));
        if (r == 0) break; /* shrank while reading: take what is there */
        if (r > 0) n += (size_t)r;
    }
    close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

static int sync_dir(int dirfd)
{
    /* Some file systems (FAT, exFAT on old kernels) refuse fsync on a folder: nothing to do. */
    if (fsync(dirfd) && errno != EINVAL && errno != ENOTSUP) return -1;
    return 0;
}

/* Write `name` in the folder dirfd crash-safely; `replace` false refuses an existing file.
 * `mode` is set explicitly: the process umask (077 for the server's data) is not meant for
 * media folders. */
static int write_file_atomic(int dirfd, const char *name, const char *shown, const void *data,
                             size_t len, bool replace, mode_t mode, ms_error *e)
{
    char tmp[300];
    snprintf(tmp, sizeof tmp, ".%.200s.tmp-%ld", name, (long)getpid());
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return ms_fail(e, MS_EIO, NULL, "cannot write %s: %s", shown, strerror(errno));
    size_t off = 0;
    int rc = 0;
    (void)fchmod(fd, mode); /* best effort: FAT and exFAT have no modes */
    while (!rc && off < len) {
        ssize_t w = write(fd, (const char *)data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            rc = ms_fail(e, MS_EIO, NULL, "cannot write %s: %s", shown,
                         w < 0 ? strerror(errno) : "no space written");
        else
            off += (size_t)w;
    }
    if (!rc && fsync(fd))
        rc = ms_fail(e, MS_EIO, NULL, "cannot sync %s: %s", shown, strerror(errno));
    if (close(fd) && !rc)
        rc = ms_fail(e, MS_EIO, NULL, "cannot write %s: %s", shown, strerror(errno));
    if (!rc) {
        int r;
#ifdef RENAME_NOREPLACE
        r = replace ? renameat(dirfd, tmp, dirfd, name)
                    : renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE);
        if (r && !replace && (errno == EINVAL || errno == ENOSYS)) {
#else
        r = -1;
        errno = EINVAL;
        {
#endif
            /* No RENAME_NOREPLACE on this file system: check, then rename. */
            struct stat st;
            if (!fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
                errno = EEXIST;
                r = -1;
            } else {
                r = renameat(dirfd, tmp, dirfd, name);
            }
        }
        if (r)
            rc = ms_fail(e, errno == EEXIST ? MS_ECONFLICT : MS_EIO, NULL, "cannot create %s: %s",
                         shown, strerror(errno));
    }
    if (rc) {
        unlinkat(dirfd, tmp, 0);
        return rc;
    }
    if (sync_dir(dirfd))
        return ms_fail(e, MS_EIO, NULL, "cannot sync the folder of %s: %s", shown, strerror(errno));
    return 0;
}

/* ---- the history ---- */

/* What the history says about one path. */
typedef struct rec {
    const char *path;
    int64_t size;                  /* the latest recorded size, -1 if none */
    const char *ref[MHL_NFORMATS]; /* the first good digest recorded in each format */
    int ref_seq[MHL_NFORMATS];     /* the generation it came from */
    mhl_format first;              /* the format recorded first (the original's) */
    bool found;
} rec;

typedef struct gen {
    int seq;
    char name[256];
    mhl_generation *g;
} gen;

typedef struct history {
    bool exists;
    mhl_chain_link *links;
    size_t nlinks;
    gen *gens; /* sorted by seq */
    size_t ngens;
    int next_seq;
    rec *recs;
    size_t nrecs, cap_recs;
    uint32_t *table; /* open addressing: index + 1 into recs, 0 empty */
    size_t table_size;
    uint64_t chain_problems;
} history;

static void history_free(history *h)
{
    for (size_t i = 0; i < h->ngens; i++)
        mhl_generation_free(h->gens[i].g);
    free(h->gens);
    free(h->links);
    free(h->recs);
    free(h->table);
    memset(h, 0, sizeof *h);
}

static uint64_t path_hash(const char *p)
{
    return XXH3_64bits(p, strlen(p));
}

static rec *rec_find(const history *h, const char *path)
{
    if (!h->table_size) return NULL;
    size_t mask = h->table_size - 1;
    for (size_t i = (size_t)path_hash(path) & mask;; i = (i + 1) & mask) {
        uint32_t v = h->table[i];
        if (!v) return NULL;
        if (!strcmp(h->recs[v - 1].path, path)) return &h->recs[v - 1];
    }
}

/* Index every entry of every generation. */
static int history_index(history *h, ms_error *e)
{
    size_t total = 0;
    for (size_t i = 0; i < h->ngens; i++)
        total += h->gens[i].g->nentries;
    if (total > UINT32_MAX / 4) return ms_fail(e, MS_ETOOBIG, NULL, "too many files recorded");
    size_t size = 16;
    while (size < total * 2)
        size *= 2;
    h->table = calloc(size, sizeof *h->table);
    h->recs = calloc(total ? total : 1, sizeof *h->recs);
    if (!h->table || !h->recs) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    h->table_size = size;
    for (size_t gi = 0; gi < h->ngens; gi++) {
        const mhl_generation *g = h->gens[gi].g;
        for (size_t k = 0; k < g->nentries; k++) {
            const mhl_entry *x = &g->entries[k];
            rec *r = rec_find(h, x->path);
            if (!r) {
                size_t mask = size - 1, i = (size_t)path_hash(x->path) & mask;
                while (h->table[i])
                    i = (i + 1) & mask;
                r = &h->recs[h->nrecs++];
                h->table[i] = (uint32_t)h->nrecs;
                r->path = x->path;
                r->size = -1;
            }
            if (x->size >= 0) r->size = x->size;
            for (int j = 0; j < x->nhashes; j++) {
                const mhl_hash *hs = &x->hashes[j];
                if (hs->action == MHL_FAILED || r->ref[hs->format]) continue;
                r->ref[hs->format] = hs->digest;
                r->ref_seq[hs->format] = h->gens[gi].seq;
                if (r->first == MHL_NONE) r->first = hs->format;
            }
        }
    }
    return 0;
}

static void report(mhl_report_fn fn, void *ctx, mhl_result *res, const char *kind, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void report(mhl_report_fn fn, void *ctx, mhl_result *res, const char *kind, const char *path,
                   const char *fmt, ...)
{
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (strcmp(kind, "skipped"))
        res->problems++;
    else
        res->skipped++;
    if (fn) fn(ctx, kind, path, detail);
}

/* The sequence number of a generation file name ("0012_A001_....mhl"), or -1. */
static int name_seq(const char *name)
{
    size_t n = strlen(name), digits = strspn(name, "0123456789");
    if (digits < 4 || digits > 8 || name[digits] != '_' || n < digits + 6 ||
        strcmp(name + n - 4, ".mhl"))
        return -1;
    return atoi(name);
}

static int gen_cmp(const void *a, const void *b)
{
    const gen *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Read and check the history of the folder open at rootfd. Chain problems are reported (and
 * counted in h->chain_problems); unreadable or invalid files are errors. */
static int history_load(int rootfd, history *h, mhl_report_fn fn, void *ctx, mhl_result *res,
                        ms_error *e)
{
    memset(h, 0, sizeof *h);
    h->next_seq = 1;
    int dfd = openat(rootfd, MHL_FOLDER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        if (errno == ENOENT) return 0;
        return ms_fail(e, MS_EIO, NULL, "cannot open the ascmhl folder: %s", strerror(errno));
    }
    h->exists = true;
    /* The generation files present. */
    char **names = NULL;
    size_t nnames = 0, cap = 0;
    int rc = 0;
    DIR *d = fdopendir(dup(dfd));
    if (!d) rc = ms_fail(e, MS_EIO, NULL, "cannot list the ascmhl folder: %s", strerror(errno));
    for (struct dirent *de; !rc && d && (de = readdir(d));) {
        if (name_seq(de->d_name) < 0) continue;
        if (nnames == cap) {
            cap = cap ? cap * 2 : 16;
            char **nv = realloc(names, cap * sizeof *nv);
            if (!nv) {
                rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            names = nv;
        }
        if (!(names[nnames] = strdup(de->d_name)))
            rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        else
            nnames++;
    }
    if (d) closedir(d);
    for (size_t i = 0; i < nnames; i++)
        if (name_seq(names[i]) >= h->next_seq) h->next_seq = name_seq(names[i]) + 1;

    /* The chain. */
    char *data = NULL;
    size_t len = 0;
    bool chain = false;
    if (!rc) {
        ms_error ce;
        ms_error_clear(&ce);
        int r = read_small_file(dfd, MHL_CHAIN_FILE, "ascmhl/" MHL_CHAIN_FILE, &data, &len, &ce);
        if (r == MS_ENOTFOUND) {
            if (nnames)
                report(fn, ctx, res, "chain", "ascmhl/" MHL_CHAIN_FILE,
                       "the chain file is missing: the generations cannot be checked");
            h->chain_problems += nnames > 0;
        } else if (r) {
            *e = ce;
            rc = r;
        } else {
            chain = true;
            rc = mhl_parse_chain(data, len, &h->links, &h->nlinks, e);
            if (rc) {
                char detail[sizeof e->detail];
                ms_strlcpy(detail, e->detail, sizeof detail);
                ms_fail(e, rc, NULL, "ascmhl/%s: %s", MHL_CHAIN_FILE, detail);
            }
        }
        free(data);
    }
    /* Every generation the chain lists (or, without a chain, every one present), checked. */
    size_t want = chain ? h->nlinks : nnames;
    h->gens = calloc(want ? want : 1, sizeof *h->gens);
    if (!rc && !h->gens) rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < want; i++) {
        const char *name = chain ? h->links[i].name : names[i];
        int seq = chain ? h->links[i].seq : name_seq(name);
        char shown[300];
        snprintf(shown, sizeof shown, "ascmhl/%s", name);
        if (chain) {
            if (seq != (int)i + 1) {
                report(fn, ctx, res, "chain", shown, "sequence number %d where %zu was expected",
                       seq, i + 1);
                h->chain_problems++;
            }
            if (name_seq(name) != seq) {
                report(fn, ctx, res, "chain", shown,
                       "the file name does not start with its sequence number %04d", seq);
                h->chain_problems++;
            }
            if (seq >= h->next_seq) h->next_seq = seq + 1;
        }
        ms_error fe;
        ms_error_clear(&fe);
        int r = read_small_file(dfd, name, shown, &data, &len, &fe);
        if (r == MS_ENOTFOUND) {
            report(fn, ctx, res, "chain", shown, "generation %d is listed in the chain but missing",
                   seq);
            h->chain_problems++;
            continue;
        }
        if (r) {
            *e = fe;
            rc = r;
            break;
        }
        if (chain) {
            char c4[MHL_DIGEST_MAX];
            mhl_c4(data, len, c4);
            if (strcmp(c4, h->links[i].c4)) {
                report(fn, ctx, res, "chain", shown,
                       "the file was changed: its C4 is %s, the chain records %s", c4,
                       h->links[i].c4);
                h->chain_problems++;
            }
        }
        gen *g = &h->gens[h->ngens];
        rc = mhl_parse_generation(data, len, &g->g, e);
        free(data);
        if (rc) {
            char detail[sizeof e->detail];
            ms_strlcpy(detail, e->detail, sizeof detail);
            ms_fail(e, rc, NULL, "%s: %s", shown, detail);
            break;
        }
        g->seq = seq;
        ms_strlcpy(g->name, name, sizeof g->name);
        h->ngens++;
    }
    /* Generation files the chain does not list. */
    for (size_t i = 0; !rc && chain && i < nnames; i++) {
        bool listed = false;
        for (size_t k = 0; k < h->nlinks && !listed; k++)
            listed = !strcmp(h->links[k].name, names[i]);
        if (!listed) {
            report(fn, ctx, res, "chain", names[i],
                   "ascmhl/%s is not in the chain (added by hand, or a run was interrupted)",
                   names[i]);
            h->chain_problems++;
        }
    }
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    close(dfd);
    if (!rc) {
        qsort(h->gens, h->ngens, sizeof *h->gens, gen_cmp);
        rc = history_index(h, e);
    }
    if (rc) history_free(h);
    return rc;
}

static const mhl_generation *history_latest(const history *h)
{
    return h->ngens ? h->gens[h->ngens - 1].g : NULL;
}

/* ---- walking and hashing ---- */

typedef struct walker walker;
struct walker {
    int rootfd;
    const char *const *ignore;
    size_t nignore;
    mhl_report_fn fn;
    void *ctx;
    mhl_result *res;
    int (*on_file)(walker *w, int dirfd, const char *name, const char *rel, const struct stat *st,
                   ms_error *e);
    int (*on_dir)(walker *w, const char *rel, const struct stat *st, ms_error *e);
    void *user;
    /* the hashing state */
    uint8_t *buf;
    mhl_hasher *hasher;
    unsigned hasher_formats;
};

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int walk(walker *w, int dirfd, const char *rel, int depth, ms_error *e)
{
    DIR *d = fdopendir(dup(dirfd));
    if (!d) {
        report(w->fn, w->ctx, w->res, "unreadable", rel[0] ? rel : ".", "cannot list: %s",
               strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    errno = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nv = realloc(names, cap * sizeof *nv);
            if (!nv) {
                rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            names = nv;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (!rc && n > 1) qsort(names, n, sizeof *names, name_cmp);
    char path[MHL_MAX_PATH + 2];
    for (size_t i = 0; !rc && i < n; i++) {
        const char *name = names[i];
        int len = snprintf(path, sizeof path, "%s%s%s", rel, rel[0] ? "/" : "", name);
        if (depth == 0 && !strcmp(name, MHL_FOLDER)) continue; /* the history itself */
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
            report(w->fn, w->ctx, w->res, "unreadable", path, "cannot stat: %s", strerror(errno));
            continue;
        }
        bool is_dir = S_ISDIR(st.st_mode);
        if (len < 0 || (size_t)len > MHL_MAX_PATH) {
            report(w->fn, w->ctx, w->res, "unsupported", path, "the path is longer than %d bytes",
                   MHL_MAX_PATH);
            continue;
        }
        if (mhl_ignored(w->ignore, w->nignore, path, is_dir)) continue;
        ms_error pe;
        if (mhl_path_check(path, &pe)) {
            report(w->fn, w->ctx, w->res, "unsupported", path, "cannot be recorded: %s", pe.detail);
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            report(w->fn, w->ctx, w->res, "skipped", path, "a symbolic link (not followed)");
        } else if (is_dir) {
            if (depth + 1 >= MHL_MAX_DEPTH) {
                report(w->fn, w->ctx, w->res, "unsupported", path, "folders nested too deep");
                continue;
            }
            int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                report(w->fn, w->ctx, w->res, "unreadable", path, "cannot open: %s",
                       strerror(errno));
                continue;
            }
            rc = walk(w, sub, path, depth + 1, e);
            close(sub);
            if (!rc && w->on_dir) rc = w->on_dir(w, path, &st, e);
        } else if (S_ISREG(st.st_mode)) {
            rc = w->on_file(w, dirfd, name, path, &st, e);
        } else {
            report(w->fn, w->ctx, w->res, "skipped", path, "not a regular file (not hashed)");
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Hash one file in the given formats. Returns 0, or an errno value (reported by the caller). */
static int hash_file(walker *w, int dirfd, const char *name, unsigned formats,
                     char d[MHL_NFORMATS][MHL_DIGEST_MAX], uint64_t *size, ms_error *e, int *fatal)
{
    *fatal = 0;
    *size = 0;
    if (!w->hasher || w->hasher_formats != formats) {
        mhl_hasher_free(w->hasher);
        w->hasher = NULL;
        if ((*fatal = mhl_hasher_new(formats, &w->hasher, e))) return EINVAL;
        w->hasher_formats = formats;
    }
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    for (;;) {
        ssize_t r = read(fd, w->buf, READ_BUF);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int err = errno;
            close(fd);
            mhl_hasher_final(w->hasher, d); /* reset for the next file */
            return err;
        }
        if (r == 0) break;
        mhl_hasher_update(w->hasher, w->buf, (size_t)r);
        *size += (uint64_t)r;
    }
    close(fd);
    mhl_hasher_final(w->hasher, d);
    w->res->files++;
    w->res->bytes += *size;
    return 0;
}

static int walker_init(walker *w, int rootfd, const char *const *ignore, size_t nignore,
                       mhl_report_fn fn, void *ctx, mhl_result *res, ms_error *e)
{
    memset(w, 0, sizeof *w);
    w->rootfd = rootfd;
    w->ignore = ignore;
    w->nignore = nignore;
    w->fn = fn;
    w->ctx = ctx;
    w->res = res;
    if (posix_memalign((void **)&w->buf, 4096, READ_BUF))
        return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    return 0;
}

static void walker_free(walker *w)
{
    free(w->buf);
    mhl_hasher_free(w->hasher);
}

static int open_root(const char *dir, ms_error *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ms_fail(e, errno == ENOENT || errno == ENOTDIR ? MS_ENOTFOUND : MS_EIO, NULL,
                       "cannot open the folder %s: %s", dir, strerror(errno));
    return fd;
}

static double seconds_since(uint64_t start_ns)
{
    return (double)(ms_mono_ns() - start_ns) / 1e9;
}

/* Growable arrays of entries, hashes and folders, with strings in an arena. */
typedef struct collect {
    ms_arena arena;
    mhl_entry *entries;
    size_t n, cap;
    mhl_dir *dirs;
    size_t ndirs, capdirs;
} collect;

static mhl_entry *collect_entry(collect *c, const char *path, int nhashes, ms_error *e)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        mhl_entry *nv = realloc(c->entries, cap * sizeof *nv);
        if (!nv) {
            ms_fail(e, MS_ENOMEM, NULL, "out of memory");
            return NULL;
        }
        c->entries = nv;
        c->cap = cap;
    }
    mhl_entry *x = &c->entries[c->n];
    memset(x, 0, sizeof *x);
    x->path = ms_arena_strdup(&c->arena, path);
    x->hashes = ms_arena_alloc(&c->arena, (size_t)nhashes * sizeof(mhl_hash));
    if (!x->path || !x->hashes) {
        ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    c->n++;
    return x;
}

static int collect_dir(walker *w, const char *rel, const struct stat *st, ms_error *e)
{
    collect *c = w->user;
    if (c->ndirs == c->capdirs) {
        size_t cap = c->capdirs ? c->capdirs * 2 : 64;
        mhl_dir *nv = realloc(c->dirs, cap * sizeof *nv);
        if (!nv) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        c->dirs = nv;
        c->capdirs = cap;
    }
    mhl_dir *d = &c->dirs[c->ndirs];
    d->path = ms_arena_strdup(&c->arena, rel);
    d->mtime = (int64_t)st->st_mtime;
    if (!d->path) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    c->ndirs++;
    return 0;
}

static void collect_free(collect *c)
{
    free(c->entries);
    free(c->dirs);
    ms_arena_free(&c->arena);
}

/* ---- create ---- */

typedef struct create_state {
    collect c; /* first: walker.user points here for collect_dir */
    history *h;
    mhl_format f;
    int64_t now;
} create_state;

static int create_file(walker *w, int dirfd, const char *name, const char *rel,
                       const struct stat *st, ms_error *e)
{
    create_state *s = w->user;
    rec *r = rec_find(s->h, rel);
    /* Hash in the chosen format, and in the history's first format when the chosen one was
     * never recorded for this file (it is verified against that, as the reference does). */
    mhl_format check = MHL_NONE;
    if (r) check = r->ref[s->f] ? s->f : r->first;
    unsigned formats = MHL_FMT_BIT(s->f) | (check != MHL_NONE ? MHL_FMT_BIT(check) : 0);
    char d[MHL_NFORMATS][MHL_DIGEST_MAX];
    uint64_t size;
    int fatal;
    int err = hash_file(w, dirfd, name, formats, d, &size, e, &fatal);
    if (fatal) return fatal;
    if (r) r->found = true;
    if (err) {
        report(w->fn, w->ctx, w->res, "unreadable", rel, "cannot read: %s (not recorded)",
               strerror(err));
        return 0;
    }
    mhl_entry *x = collect_entry(&s->c, rel, 2, e);
    if (!x) return MS_ENOMEM;
    mhl_hash *hs = (mhl_hash *)x->hashes;
    x->size = (int64_t)size;
    x->mtime = (int64_t)st->st_mtime;
    if (!r) {
        hs[0] = (mhl_hash){s->f, MHL_ORIGINAL, s->now, ""};
        memcpy(hs[0].digest, d[s->f], MHL_DIGEST_MAX);
        x->nhashes = 1;
        w->res->originals++;
        return 0;
    }
    bool ok = !strcmp(d[check], r->ref[check]);
    hs[0] = (mhl_hash){check, ok ? MHL_VERIFIED : MHL_FAILED, s->now, ""};
    memcpy(hs[0].digest, d[check], MHL_DIGEST_MAX);
    x->nhashes = 1;
    if (ok && check != s->f) {
        /* A new format for a verified file: recorded as verified, like the reference. */
        hs[1] = (mhl_hash){s->f, MHL_VERIFIED, s->now, ""};
        memcpy(hs[1].digest, d[s->f], MHL_DIGEST_MAX);
        x->nhashes = 2;
    } else if (!ok && check != s->f) {
        /* The directory hashes need the chosen format even for a failed file. */
        hs[1] = (mhl_hash){s->f, MHL_FAILED, s->now, ""};
        memcpy(hs[1].digest, d[s->f], MHL_DIGEST_MAX);
        x->nhashes = 2;
    }
    if (ok) {
        w->res->verified++;
    } else {
        w->res->failed++;
        if (r->size >= 0 && (uint64_t)r->size != size)
            report(w->fn, w->ctx, w->res, "size", rel,
                   "recorded %lld bytes (generation %d), now %llu bytes", (long long)r->size,
                   r->ref_seq[check], (unsigned long long)size);
        else
            report(w->fn, w->ctx, w->res, "mismatch", rel, "%s recorded %s (generation %d), now %s",
                   mhl_format_name(check), r->ref[check], r->ref_seq[check], d[check]);
    }
    return 0;
}

static void default_creator(mhl_creator *c, char host[256], int64_t now)
{
    if (!c->created) c->created = now;
    if (!c->hostname) {
        if (gethostname(host, 255)) ms_strlcpy(host, "unknown", 256);
        host[255] = 0;
        c->hostname = ms_str_is_clean_text(host, 255, false) && host[0] ? host : "unknown";
    }
    if (!c->tool) {
        c->tool = "mstation";
        c->tool_version = ms_version;
    }
}

/* The folder's own name, for the generation file name. */
static int folder_name(const char *dir, char out[256], ms_error *e)
{
    char *real = realpath(dir, NULL);
    if (!real) return ms_fail(e, MS_ENOTFOUND, NULL, "%s: %s", dir, strerror(errno));
    const char *base = strrchr(real, '/');
    base = base && base[1] ? base + 1 : "root";
    bool ok = ms_strlcpy(out, base, 200);
    free(real);
    if (!ok) return ms_fail(e, MS_EINVAL, NULL, "the folder name is too long");
    return 0;
}

int mhl_create(const char *dir, const mhl_create_opts *o, mhl_result *res, ms_error *e)
{
    uint64_t start = ms_mono_ns();
    memset(res, 0, sizeof *res);
    mhl_format f = o->format != MHL_NONE ? o->format : MHL_XXH128;
    if (!mhl_format_dirhash_ok(f))
        return ms_fail(e, MS_EINVAL, NULL, "a generation cannot be created with %s",
                       mhl_format_name(f) ? mhl_format_name(f) : "that format");
    for (size_t i = 0; i < o->nignore; i++)
        if (!mhl_ignore_pattern_valid(o->ignore[i]))
            return ms_fail(e, MS_EINVAL, NULL,
                           "\"%.100s\" is not an ignore pattern this tool applies (no \"!\", "
                           "no \"#\", at most 1024 bytes)",
                           o->ignore[i]);
    char folder[256];
    int rc = folder_name(dir, folder, e);
    if (rc) return rc;
    int rootfd = open_root(dir, e);
    if (rootfd < 0) return rootfd;
    history h;
    rc = history_load(rootfd, &h, o->report, o->ctx, res, e);
    if (rc) {
        close(rootfd);
        return rc;
    }
    if (h.chain_problems) {
        rc = ms_fail(e, MS_ECONFLICT, NULL,
                     "the history in %s/ascmhl does not verify (%llu problems): no generation was "
                     "added; see `mstation mhl verify %s`",
                     dir, (unsigned long long)h.chain_problems, dir);
        history_free(&h);
        close(rootfd);
        return rc;
    }
    /* Ignore patterns: the latest generation's (or the defaults), then the new ones. */
    const mhl_generation *latest = history_latest(&h);
    size_t nbase = latest && latest->nignore ? latest->nignore : 3;
    const char *const *base = latest && latest->nignore ? latest->ignore : default_ignore;
    const char **ignore = malloc((nbase + o->nignore + 1) * sizeof *ignore);
    size_t nignore = 0;
    if (!ignore) rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < nbase + o->nignore; i++) {
        const char *p = i < nbase ? base[i] : o->ignore[i - nbase];
        bool dup = false;
        for (size_t k = 0; k < nignore && !dup; k++)
            dup = !strcmp(ignore[k], p);
        if (!dup) ignore[nignore++] = p;
    }

    create_state s;
    memset(&s, 0, sizeof s);
    ms_arena_init(&s.c.arena, 256 * 1024);
    s.h = &h;
    s.f = f;
    s.now = ms_now_ms() / 1000;
    walker w;
    if (!rc) rc = walker_init(&w, rootfd, ignore, nignore, o->report, o->ctx, res, e);
    if (!rc) {
        w.on_file = create_file;
        w.on_dir = collect_dir;
        w.user = &s;
        rc = walk(&w, rootfd, "", 0, e);
        walker_free(&w);
    }
    /* Files the history has and the folder no longer has. */
    for (size_t i = 0; !rc && i < h.nrecs; i++) {
        rec *r = &h.recs[i];
        if (r->found || ignored_with_parents(ignore, nignore, r->path)) continue;
        res->missing++;
        report(o->report, o->ctx, res, "missing", r->path, "recorded in generation %d, not found",
               r->ref_seq[r->first]);
    }
    /* Render, then write the generation and the chain. */
    ms_buf gen_xml, chain_xml;
    ms_buf_init(&gen_xml);
    ms_buf_init(&chain_xml);
    char host[256];
    mhl_render r;
    memset(&r, 0, sizeof r);
    r.creator = o->creator;
    default_creator(&r.creator, host, s.now);
    r.process = "in-place";
    r.ignore = ignore;
    r.nignore = nignore;
    r.entries = s.c.entries;
    r.nentries = s.c.n;
    r.dirs = s.c.dirs;
    r.ndirs = s.c.ndirs;
    r.dir_format = o->no_dir_hashes ? MHL_NONE : f;
    r.hashdate = s.now;
    char name[256];
    if (!rc) rc = mhl_generation_name(h.next_seq, folder, r.creator.created, name, e);
    if (!rc) rc = mhl_render_generation(&r, &gen_xml, e);
    mhl_chain_link *links = NULL;
    if (!rc && !(links = calloc(h.nlinks + 1, sizeof *links)))
        rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    if (!rc) {
        if (h.nlinks) memcpy(links, h.links, h.nlinks * sizeof *links);
        links[h.nlinks].seq = h.next_seq;
        ms_strlcpy(links[h.nlinks].name, name, sizeof links[h.nlinks].name);
        mhl_c4(gen_xml.data, gen_xml.len, links[h.nlinks].c4);
        rc = mhl_render_chain(links, h.nlinks + 1, &chain_xml, e);
    }
    /* The history is as readable as the folder it describes (its files without x bits). */
    struct stat rst;
    mode_t dmode = !fstat(rootfd, &rst) ? (rst.st_mode & 0777) | 0700 : 0755;
    mode_t fmode = dmode & 0666;
    if (!rc && !h.exists) {
        if (mkdirat(rootfd, MHL_FOLDER, dmode) && errno != EEXIST)
            rc = ms_fail(e, MS_EIO, NULL, "cannot create %s/ascmhl: %s", dir, strerror(errno));
        else
            (void)fchmodat(rootfd, MHL_FOLDER, dmode, 0);
    }
    if (!rc) {
        int dfd = openat(rootfd, MHL_FOLDER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
            rc = ms_fail(e, MS_EIO, NULL, "cannot open %s/ascmhl: %s", dir, strerror(errno));
        char shown[300];
        snprintf(shown, sizeof shown, "ascmhl/%s", name);
        if (!rc)
            rc = write_file_atomic(dfd, name, shown, gen_xml.data, gen_xml.len, false, fmode, e);
        if (!rc)
            rc = write_file_atomic(dfd, MHL_CHAIN_FILE, "ascmhl/" MHL_CHAIN_FILE, chain_xml.data,
                                   chain_xml.len, true, fmode, e);
        if (!rc && !h.exists && sync_dir(rootfd))
            rc = ms_fail(e, MS_EIO, NULL, "cannot sync %s: %s", dir, strerror(errno));
        if (dfd >= 0) close(dfd);
        if (!rc) ms_strlcpy(res->generation, name, sizeof res->generation);
    }
    free(links);
    ms_buf_free(&gen_xml);
    ms_buf_free(&chain_xml);
    collect_free(&s.c);
    free(ignore);
    history_free(&h);
    close(rootfd);
    res->seconds = seconds_since(start);
    return rc;
}

/* ---- verify ---- */

typedef struct verify_state {
    collect c;
    history *h;
    mhl_format dirfmt; /* the latest generation's root hash format, or MHL_NONE */
} verify_state;

static int verify_file(walker *w, int dirfd, const char *name, const char *rel,
                       const struct stat *st, ms_error *e)
{
    verify_state *s = w->user;
    rec *r = rec_find(s->h, rel);
    if (!r) {
        w->res->new_files++;
        report(w->fn, w->ctx, w->res, "new", rel, "not in any generation");
        return 0;
    }
    r->found = true;
    unsigned formats = s->dirfmt != MHL_NONE ? MHL_FMT_BIT(s->dirfmt) : 0;
    for (int f = 1; f < MHL_NFORMATS; f++)
        if (r->ref[f]) formats |= MHL_FMT_BIT(f);
    char d[MHL_NFORMATS][MHL_DIGEST_MAX];
    uint64_t size;
    int fatal;
    int err = hash_file(w, dirfd, name, formats, d, &size, e, &fatal);
    if (fatal) return fatal;
    if (err) {
        report(w->fn, w->ctx, w->res, "unreadable", rel, "cannot read: %s", strerror(err));
        return 0;
    }
    if (r->size >= 0 && (uint64_t)r->size != size) {
        w->res->failed++;
        report(w->fn, w->ctx, w->res, "size", rel, "recorded %lld bytes, now %llu bytes",
               (long long)r->size, (unsigned long long)size);
        return 0;
    }
    char detail[500] = "";
    size_t off = 0;
    for (int f = 1; f < MHL_NFORMATS; f++) {
        if (!r->ref[f] || !strcmp(r->ref[f], d[f])) continue;
        int n = snprintf(detail + off, sizeof detail - off,
                         "%s%s recorded %s (generation %d), now %s", off ? "; " : "",
                         mhl_format_name((mhl_format)f), r->ref[f], r->ref_seq[f], d[f]);
        if (n > 0) off += (size_t)n < sizeof detail - off ? (size_t)n : sizeof detail - off - 1;
    }
    if (off) {
        w->res->failed++;
        report(w->fn, w->ctx, w->res, "mismatch", rel, "%s", detail);
        return 0;
    }
    w->res->verified++;
    (void)st;
    if (s->dirfmt == MHL_NONE) return 0;
    mhl_entry *x = collect_entry(&s->c, rel, 1, e);
    if (!x) return MS_ENOMEM;
    mhl_hash *hs = (mhl_hash *)x->hashes;
    hs[0].format = s->dirfmt;
    memcpy(hs[0].digest, d[s->dirfmt], MHL_DIGEST_MAX);
    x->nhashes = 1;
    x->size = (int64_t)size;
    x->mtime = MHL_NO_TIME;
    return 0;
}

static int dirhash_cmp(const void *a, const void *b)
{
    return strcmp(((const mhl_dirhash *)a)->path, ((const mhl_dirhash *)b)->path);
}

/* Compare the latest generation's directory hashes with the folder's. */
static int verify_dirhashes(verify_state *s, const mhl_generation *g, mhl_report_fn fn, void *ctx,
                            mhl_result *res, ms_error *e)
{
    mhl_dirhash *now;
    size_t n;
    int rc =
        mhl_directory_hashes(s->c.entries, s->c.n, s->c.dirs, s->c.ndirs, s->dirfmt, &now, &n, e);
    if (rc) return rc;
    if (n > 1) qsort(now, n, sizeof *now, dirhash_cmp);
    for (size_t i = 0; i < g->ndirs + g->nroots; i++) {
        const mhl_dirhash *rec_d = i < g->ndirs ? &g->dirs[i] : &g->roots[i - g->ndirs];
        if (rec_d->format != s->dirfmt) continue;
        mhl_dirhash key = {.path = rec_d->path};
        const mhl_dirhash *cur = n ? bsearch(&key, now, n, sizeof *now, dirhash_cmp) : NULL;
        const char *shown = rec_d->path[0] ? rec_d->path : ".";
        if (!cur) {
            report(fn, ctx, res, "missing", shown, "a recorded folder, not found");
            continue;
        }
        bool content = !strcmp(cur->content, rec_d->content);
        bool structure = !strcmp(cur->structure, rec_d->structure);
        if (!content || !structure)
            report(fn, ctx, res, "dirhash", shown, "%s%s%s hash differs (%s recorded %s, now %s)",
                   content ? "" : "content", !content && !structure ? " and " : "",
                   structure ? "" : "structure", mhl_format_name(s->dirfmt),
                   content ? rec_d->structure : rec_d->content,
                   content ? cur->structure : cur->content);
    }
    mhl_dirhashes_free(now, n);
    return 0;
}

int mhl_verify(const char *dir, mhl_report_fn fn, void *ctx, mhl_result *res, ms_error *e)
{
    uint64_t start = ms_mono_ns();
    memset(res, 0, sizeof *res);
    int rootfd = open_root(dir, e);
    if (rootfd < 0) return rootfd;
    history h;
    int rc = history_load(rootfd, &h, fn, ctx, res, e);
    if (rc) {
        close(rootfd);
        return rc;
    }
    if (!h.exists || (!h.ngens && !h.chain_problems)) {
        history_free(&h);
        close(rootfd);
        return ms_fail(e, MS_ENOTFOUND, NULL,
                       "%s has no ASC MHL history (no generation in %s/ascmhl); create one with "
                       "`mstation mhl create %s`",
                       dir, dir, dir);
    }
    const mhl_generation *latest = history_latest(&h);
    verify_state s;
    memset(&s, 0, sizeof s);
    ms_arena_init(&s.c.arena, 256 * 1024);
    s.h = &h;
    s.dirfmt = latest && latest->nroots ? latest->roots[0].format : MHL_NONE;
    const char *const *ignore = latest && latest->nignore ? latest->ignore : default_ignore;
    size_t nignore = latest && latest->nignore ? latest->nignore : 3;
    walker w;
    rc = walker_init(&w, rootfd, ignore, nignore, fn, ctx, res, e);
    if (!rc) {
        w.on_file = verify_file;
        w.on_dir = collect_dir;
        w.user = &s;
        rc = walk(&w, rootfd, "", 0, e);
        walker_free(&w);
    }
    for (size_t i = 0; !rc && i < h.nrecs; i++) {
        rec *r = &h.recs[i];
        if (r->found || ignored_with_parents(ignore, nignore, r->path)) continue;
        res->missing++;
        report(fn, ctx, res, "missing", r->path, "recorded in generation %d, not found",
               r->ref_seq[r->first]);
    }
    /* Directory hashes add something only when every file checked out: then they catch
     * folders added, removed or renamed. */
    if (!rc && !res->problems && s.dirfmt != MHL_NONE)
        rc = verify_dirhashes(&s, latest, fn, ctx, res, e);
    collect_free(&s.c);
    history_free(&h);
    close(rootfd);
    res->seconds = seconds_since(start);
    return rc;
}
