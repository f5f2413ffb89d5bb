/* mhl_xml.c: the two XML documents of ASC MHL v2.0, written with libxml2's xmlTextWriter and
 * read with its streaming xmlTextReader; and the tree of files and folders that gives a
 * generation its order and its directory hashes.
 *
 * Writing follows the XSD (ascmitc/mhl xsd/ASCMHL.xsd, ASCMHLDirectory.xsd): element names,
 * their order, attributes and namespaces. Reading treats the document as hostile: no network,
 * no DTD (a DOCTYPE is refused before any entity could be declared or expanded), no entity
 * references, every path checked (mhl_path_check), every digest, size and date validated, and
 * a document larger than MHL_MAX_XML refused before parsing. Not here: the file system
 * (mhl.c), hashing of file data (mhl_hash.c). */
#include "mhl/mhl.h"
#include "mhl/mhl_internal.h"

#include "core/time.h"
#include "core/version.h"

#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small helpers ---- */

void mhl_date_fmt(int64_t unix_s, char out[32])
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00+00:00");
}

int mhl_path_check(const char *path, ms_error *e)
{
    if (!path || !*path) return ms_fail(e, MS_EINVAL, NULL, "an empty path");
    size_t n = strlen(path);
    if (n > MHL_MAX_PATH)
        return ms_fail(e, MS_EINVAL, NULL, "a path of %zu bytes (at most %d)", n, MHL_MAX_PATH);
    if (!ms_str_is_clean_text(path, MHL_MAX_PATH, false))
        return ms_fail(e, MS_EINVAL, NULL,
                       "the path \"%.200s\" is not UTF-8 text without control characters", path);
    if (path[0] == '/') return ms_fail(e, MS_EINVAL, NULL, "the path \"%.200s\" is absolute", path);
    if (strchr(path, '\\'))
        return ms_fail(e, MS_EINVAL, NULL, "the path \"%.200s\" has a backslash", path);
    int parts = 0;
    for (const char *p = path;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0)
            return ms_fail(e, MS_EINVAL, NULL, "the path \"%.200s\" has an empty part", path);
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return ms_fail(e, MS_EINVAL, NULL, "the path \"%.200s\" has a \"%.*s\" part", path,
                           (int)len, p);
        if (++parts > MHL_MAX_DEPTH)
            return ms_fail(e, MS_EINVAL, NULL, "the path \"%.200s\" is nested too deep", path);
        if (!slash) break;
        p = slash + 1;
    }
    return 0;
}

const char *mhl_entry_digest(const mhl_entry *x, mhl_format f)
{
    for (int i = 0; i < x->nhashes; i++)
        if (x->hashes[i].format == f) return x->hashes[i].digest;
    return NULL;
}

/* ---- the tree ---- */

typedef struct tree_item {
    const char *path;
    const mhl_entry *entry; /* NULL: a folder from dirs */
    int64_t mtime;
} tree_item;

/* Path order in which a folder's descendants are contiguous and its children sorted by name:
 * byte order, with the end of a string before '/' and '/' before every other byte. */
static int path_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = *a ? (*a == '/' ? 0 : (unsigned char)*a + 1) : -1;
        int cb = *b ? (*b == '/' ? 0 : (unsigned char)*b + 1) : -1;
        if (ca != cb) return ca < cb ? -1 : 1;
        if (ca < 0) return 0;
    }
}

static int item_cmp(const void *x, const void *y)
{
    const tree_item *a = x, *b = y;
    int c = path_cmp(a->path, b->path);
    if (c) return c;
    /* One path twice: a folder item before a file, so the conflict check sees the file. */
    return (a->entry != NULL) - (b->entry != NULL);
}

static mhl_node *node_new(ms_arena *a, const char *path, size_t pathlen, size_t namepos, bool dir)
{
    mhl_node *n = ms_arena_alloc(a, sizeof *n);
    if (!n) return NULL;
    n->path = ms_arena_strndup(a, path, pathlen);
    n->name = n->path ? n->path + namepos : NULL;
    n->is_dir = dir;
    n->mtime = MHL_NO_TIME;
    return n->path ? n : NULL;
}

/* Fill folder `dir` (whose path is items[lo].path[0..prefix-1] without the slash) from
 * items[lo, hi), which all lie below it. */
static int tree_fill(mhl_node *dir, tree_item *items, size_t lo, size_t hi, size_t prefix,
                     ms_arena *a, ms_error *e)
{
    size_t groups = 0;
    for (size_t i = lo; i < hi;) {
        const char *c = items[i].path + prefix;
        size_t clen = strcspn(c, "/");
        size_t j = i + 1;
        while (j < hi && !strncmp(items[j].path + prefix, c, clen) &&
               (items[j].path[prefix + clen] == '/' || items[j].path[prefix + clen] == 0))
            j++;
        groups++;
        i = j;
    }
    dir->kids = ms_arena_alloc(a, (groups ? groups : 1) * sizeof *dir->kids);
    if (!dir->kids) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    for (size_t i = lo; i < hi;) {
        const char *path = items[i].path;
        const char *c = path + prefix;
        size_t clen = strcspn(c, "/");
        size_t j = i + 1;
        while (j < hi && !strncmp(items[j].path + prefix, c, clen) &&
               (items[j].path[prefix + clen] == '/' || items[j].path[prefix + clen] == 0))
            j++;
        /* items[i, j) share the component c; an item that is exactly c sorts first. */
        size_t k = i;
        bool exact_file = false;
        int64_t mtime = MHL_NO_TIME;
        bool have_mtime = false;
        while (k < j && c[clen] == 0 && items[k].path[prefix + clen] == 0 &&
               !strcmp(items[k].path, path)) {
            if (items[k].entry) {
                if (exact_file || k + 1 < j)
                    return ms_fail(e, MS_EINVAL, NULL,
                                   "\"%.200s\" is listed twice, or as a file and a folder",
                                   items[k].path);
                exact_file = true;
            } else if (!have_mtime) {
                mtime = items[k].mtime;
                have_mtime = true;
            }
            k++;
        }
        mhl_node *kid;
        if (exact_file) {
            if (have_mtime)
                return ms_fail(e, MS_EINVAL, NULL, "\"%.200s\" is listed as a file and a folder",
                               path);
            kid = node_new(a, path, prefix + clen, prefix, false);
            if (!kid) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
            kid->entry = items[i].entry;
        } else {
            kid = node_new(a, path, prefix + clen, prefix, true);
            if (!kid) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
            kid->mtime = mtime;
            int rc = tree_fill(kid, items, k, j, prefix + clen + 1, a, e);
            if (rc) return rc;
        }
        dir->kids[dir->nkids++] = kid;
        i = j;
    }
    return 0;
}

int mhl_tree_build(const mhl_entry *entries, size_t n, const mhl_dir *dirs, size_t ndirs,
                   ms_arena *arena, mhl_node **root, ms_error *e)
{
    *root = NULL;
    tree_item *items = malloc((n + ndirs ? n + ndirs : 1) * sizeof *items);
    if (!items) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if ((rc = mhl_path_check(entries[i].path, e))) break;
        items[m++] = (tree_item){entries[i].path, &entries[i], entries[i].mtime};
    }
    for (size_t i = 0; !rc && i < ndirs; i++) {
        if ((rc = mhl_path_check(dirs[i].path, e))) break;
        items[m++] = (tree_item){dirs[i].path, NULL, dirs[i].mtime};
    }
    if (!rc) {
        qsort(items, m, sizeof *items, item_cmp);
        mhl_node *r = node_new(arena, "", 0, 0, true);
        if (!r)
            rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        else if (!(rc = tree_fill(r, items, 0, m, 0, arena, e)))
            *root = r;
    }
    free(items);
    return rc;
}

/* H(name || digest bytes): a child's part of its folder's structure hash. */
static int structure_part(mhl_hasher *h, mhl_format f, const char *name, const char *digest,
                          char out[MHL_DIGEST_MAX], ms_error *e)
{
    uint8_t bytes[64];
    size_t len;
    if (mhl_digest_bytes(f, digest, bytes, sizeof bytes, &len))
        return ms_fail(e, MS_EINVAL, NULL, "\"%.100s\" is not a %s digest", digest,
                       mhl_format_name(f));
    char d[MHL_NFORMATS][MHL_DIGEST_MAX];
    mhl_hasher_update(h, name, strlen(name));
    mhl_hasher_update(h, bytes, len);
    mhl_hasher_final(h, d);
    memcpy(out, d[f], MHL_DIGEST_MAX);
    return 0;
}

static int tree_hash(mhl_node *dir, mhl_format f, mhl_hasher *h, ms_error *e)
{
    size_t n = dir->nkids;
    const char **contents = malloc((n ? n : 1) * sizeof *contents);
    const char **structures = malloc((n ? n : 1) * sizeof *structures);
    char(*parts)[MHL_DIGEST_MAX] = malloc((n ? n : 1) * MHL_DIGEST_MAX);
    int rc = contents && structures && parts ? 0 : ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        mhl_node *k = dir->kids[i];
        if (k->is_dir) {
            if ((rc = tree_hash(k, f, h, e))) break;
            contents[i] = k->content;
            rc = structure_part(h, f, k->name, k->structure, parts[i], e);
        } else {
            const char *d = mhl_entry_digest(k->entry, f);
            if (!d) {
                rc = ms_fail(e, MS_EINVAL, NULL,
                             "\"%.200s\" has no %s digest, which the directory hashes need",
                             k->path, mhl_format_name(f));
                break;
            }
            contents[i] = d;
            rc = structure_part(h, f, k->name, d, parts[i], e);
        }
        structures[i] = parts[i];
    }
    if (!rc) rc = mhl_hash_of_hashes(f, contents, n, dir->content, e);
    if (!rc) rc = mhl_hash_of_hashes(f, structures, n, dir->structure, e);
    free(contents);
    free(structures);
    free(parts);
    return rc;
}

int mhl_tree_hash(mhl_node *root, mhl_format f, ms_error *e)
{
    if (!mhl_format_dirhash_ok(f))
        return ms_fail(e, MS_EINVAL, NULL, "directory hashes cannot use %s",
                       mhl_format_name(f) ? mhl_format_name(f) : "no format");
    mhl_hasher *h;
    int rc = mhl_hasher_new(MHL_FMT_BIT(f), &h, e);
    if (rc) return rc;
    rc = tree_hash(root, f, h, e);
    mhl_hasher_free(h);
    return rc;
}

typedef struct dirhash_list {
    mhl_dirhash *v;
    size_t n, cap;
    mhl_format f;
} dirhash_list;

static int collect_dirhashes(const mhl_node *d, dirhash_list *l, ms_error *e)
{
    for (size_t i = 0; i < d->nkids; i++)
        if (d->kids[i]->is_dir) {
            int rc = collect_dirhashes(d->kids[i], l, e);
            if (rc) return rc;
        }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        mhl_dirhash *v = realloc(l->v, cap * sizeof *v);
        if (!v) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    mhl_dirhash *x = &l->v[l->n];
    memset(x, 0, sizeof *x);
    x->path = strdup(d->path);
    if (!x->path) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    l->n++;
    x->mtime = d->mtime;
    x->format = l->f;
    x->hashdate = MHL_NO_TIME;
    memcpy(x->content, d->content, MHL_DIGEST_MAX);
    memcpy(x->structure, d->structure, MHL_DIGEST_MAX);
    return 0;
}

int mhl_directory_hashes(const mhl_entry *entries, size_t n, const mhl_dir *dirs, size_t ndirs,
                         mhl_format f, mhl_dirhash **out, size_t *nout, ms_error *e)
{
    *out = NULL;
    *nout = 0;
    ms_arena a;
    ms_arena_init(&a, 64 * 1024);
    mhl_node *root;
    int rc = mhl_tree_build(entries, n, dirs, ndirs, &a, &root, e);
    if (!rc) rc = mhl_tree_hash(root, f, e);
    dirhash_list l = {NULL, 0, 0, f};
    if (!rc) rc = collect_dirhashes(root, &l, e);
    ms_arena_free(&a);
    if (rc) {
        mhl_dirhashes_free(l.v, l.n);
        return rc;
    }
    *out = l.v;
    *nout = l.n;
    return 0;
}

void mhl_dirhashes_free(mhl_dirhash *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++)
        free((char *)d[i].path);
    free(d);
}

/* ---- writing ---- */

typedef struct writer {
    xmlTextWriterPtr w;
    int err; /* sticky: a libxml2 call failed */
} writer;

static void w_start(writer *x, const char *name)
{
    if (!x->err && xmlTextWriterStartElement(x->w, BAD_CAST name) < 0) x->err = 1;
}
static void w_end(writer *x)
{
    if (!x->err && xmlTextWriterEndElement(x->w) < 0) x->err = 1;
}
static void w_attr(writer *x, const char *name, const char *value)
{
    if (!x->err && xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST value) < 0) x->err = 1;
}
static void w_text(writer *x, const char *s)
{
    if (!x->err && xmlTextWriterWriteString(x->w, BAD_CAST s) < 0) x->err = 1;
}
static void w_elem(writer *x, const char *name, const char *text)
{
    w_start(x, name);
    w_text(x, text);
    w_end(x);
}
static void w_date_attr(writer *x, const char *name, int64_t t)
{
    if (t == MHL_NO_TIME) return;
    char d[32];
    mhl_date_fmt(t, d);
    w_attr(x, name, d);
}

static int writer_open(writer *x, xmlBufferPtr *buf, ms_error *e)
{
    memset(x, 0, sizeof *x);
    *buf = xmlBufferCreate();
    if (!*buf) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    x->w = xmlNewTextWriterMemory(*buf, 0);
    if (!x->w) {
        xmlBufferFree(*buf);
        return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    }
    if (xmlTextWriterSetIndent(x->w, 1) < 0 ||
        xmlTextWriterSetIndentString(x->w, BAD_CAST "  ") < 0 ||
        xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) < 0)
        x->err = 1;
    return 0;
}

static int writer_close(writer *x, xmlBufferPtr buf, ms_buf *out, ms_error *e)
{
    if (!x->err && xmlTextWriterEndDocument(x->w) < 0) x->err = 1;
    xmlFreeTextWriter(x->w); /* flushes into buf */
    int rc = 0;
    if (x->err)
        rc = ms_fail(e, MS_EINTERNAL, NULL, "libxml2 could not write the document");
    else {
        ms_buf_append(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
        if (out->oom) rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    }
    xmlBufferFree(buf);
    return rc;
}

static int check_text(const char *what, const char *s, size_t max, ms_error *e)
{
    if (s && !ms_str_is_clean_text(s, max, true))
        return ms_fail(e, MS_EINVAL, NULL,
                       "%s is not UTF-8 text of at most %zu bytes without control characters", what,
                       max);
    return 0;
}

static const char *action_name(mhl_action a)
{
    switch (a) {
    case MHL_ORIGINAL:
        return "original";
    case MHL_VERIFIED:
        return "verified";
    case MHL_FAILED:
        return "failed";
    default:
        return NULL;
    }
}

static void write_hash_value(writer *x, const mhl_hash *h)
{
    w_start(x, mhl_format_name(h->format));
    if (action_name(h->action)) w_attr(x, "action", action_name(h->action));
    w_date_attr(x, "hashdate", h->hashdate);
    w_text(x, h->digest);
    w_end(x);
}

/* <content> and <structure> of a folder (or of the root). */
static void write_dir_pair(writer *x, mhl_format f, const mhl_node *d, int64_t hashdate)
{
    const char *which[2] = {"content", "structure"};
    for (int i = 0; i < 2; i++) {
        w_start(x, which[i]);
        w_start(x, mhl_format_name(f));
        w_date_attr(x, "hashdate", hashdate);
        w_text(x, i ? d->structure : d->content);
        w_end(x);
        w_end(x);
    }
}

static void write_nodes(writer *x, const mhl_node *d, const mhl_render *r)
{
    for (size_t i = 0; i < d->nkids; i++)
        if (d->kids[i]->is_dir) write_nodes(x, d->kids[i], r);
    for (size_t i = 0; i < d->nkids; i++) {
        const mhl_node *k = d->kids[i];
        if (k->is_dir) continue;
        const mhl_entry *en = k->entry;
        w_start(x, "hash");
        w_start(x, "path");
        if (en->size >= 0) {
            char num[24];
            snprintf(num, sizeof num, "%lld", (long long)en->size);
            w_attr(x, "size", num);
        }
        w_date_attr(x, "lastmodificationdate", en->mtime);
        w_text(x, en->path);
        w_end(x);
        for (int h = 0; h < en->nhashes; h++)
            write_hash_value(x, &en->hashes[h]);
        w_end(x);
    }
    /* Folders are written with their hashes only: <directoryhash> requires them. */
    if (d->path[0] && r->dir_format != MHL_NONE) {
        w_start(x, "directoryhash");
        w_start(x, "path");
        w_date_attr(x, "lastmodificationdate", d->mtime);
        w_text(x, d->path);
        w_end(x);
        write_dir_pair(x, r->dir_format, d, r->hashdate);
        w_end(x);
    }
}

/* Whether <hashes> gets a child: a file, or a folder when folders are written. */
static bool tree_has_output(const mhl_node *d, bool folders)
{
    for (size_t i = 0; i < d->nkids; i++)
        if (!d->kids[i]->is_dir || folders || tree_has_output(d->kids[i], folders)) return true;
    return false;
}

static int check_entries(const mhl_render *r, ms_error *e)
{
    for (size_t i = 0; i < r->nentries; i++) {
        const mhl_entry *en = &r->entries[i];
        int rc = mhl_path_check(en->path, e);
        if (rc) return rc;
        if (en->nhashes < 1 || !en->hashes)
            return ms_fail(e, MS_EINVAL, NULL, "\"%.200s\" has no hash", en->path);
        for (int h = 0; h < en->nhashes; h++)
            if (!mhl_digest_valid(en->hashes[h].format, en->hashes[h].digest))
                return ms_fail(e, MS_EINVAL, NULL, "\"%.200s\": \"%.100s\" is not a %s digest",
                               en->path, en->hashes[h].digest,
                               mhl_format_name(en->hashes[h].format)
                                   ? mhl_format_name(en->hashes[h].format)
                                   : "known");
    }
    for (size_t i = 0; i < r->nignore; i++) {
        int rc = check_text("an ignore pattern", r->ignore[i], 4096, e);
        if (rc) return rc;
        if (!r->ignore[i][0]) return ms_fail(e, MS_EINVAL, NULL, "an empty ignore pattern");
    }
    const mhl_creator *c = &r->creator;
    const char *texts[] = {c->hostname,    c->tool,         c->tool_version,
                           c->author_name, c->author_email, c->author_phone,
                           c->author_role, c->location,     c->comment};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        int rc = check_text("a creator info value", texts[i], 4096, e);
        if (rc) return rc;
    }
    if (c->author_email) {
        /* The XSD's pattern: [^@]+@[^\.]+\..+ */
        const char *at = strchr(c->author_email, '@');
        const char *dot = at ? strchr(at + 1, '.') : NULL;
        if (!at || at == c->author_email || !dot || dot == at + 1 || !dot[1])
            return ms_fail(e, MS_EINVAL, NULL, "\"%.200s\" is not an e-mail address",
                           c->author_email);
    }
    if (r->process && strcmp(r->process, "in-place") && strcmp(r->process, "transfer") &&
        strcmp(r->process, "flatten"))
        return ms_fail(e, MS_EINVAL, NULL, "the process is in-place, transfer or flatten");
    if (r->dir_format != MHL_NONE && !mhl_format_dirhash_ok(r->dir_format))
        return ms_fail(e, MS_EINVAL, NULL, "directory hashes cannot use %s",
                       mhl_format_name(r->dir_format) ? mhl_format_name(r->dir_format)
                                                      : "that format");
    return 0;
}

int mhl_render_generation(const mhl_render *r, ms_buf *out, ms_error *e)
{
    int rc = check_entries(r, e);
    if (rc) return rc;
    ms_arena a;
    ms_arena_init(&a, 64 * 1024);
    mhl_node *root;
    rc = mhl_tree_build(r->entries, r->nentries, r->dirs, r->ndirs, &a, &root, e);
    if (!rc && r->dir_format != MHL_NONE) rc = mhl_tree_hash(root, r->dir_format, e);
    if (rc) {
        ms_arena_free(&a);
        return rc;
    }
    writer x;
    xmlBufferPtr buf;
    if ((rc = writer_open(&x, &buf, e))) {
        ms_arena_free(&a);
        return rc;
    }
    const mhl_creator *c = &r->creator;
    w_start(&x, "hashlist");
    w_attr(&x, "version", "2.0");
    w_attr(&x, "xmlns", MHL_NS);

    w_start(&x, "creatorinfo");
    char date[32];
    mhl_date_fmt(c->created, date);
    w_elem(&x, "creationdate", date);
    w_elem(&x, "hostname", c->hostname ? c->hostname : "unknown");
    w_start(&x, "tool");
    w_attr(&x, "version", c->tool ? (c->tool_version ? c->tool_version : "") : ms_version);
    w_text(&x, c->tool ? c->tool : "mstation");
    w_end(&x);
    if (c->author_name) {
        w_start(&x, "author");
        if (c->author_email) w_attr(&x, "email", c->author_email);
        if (c->author_phone) w_attr(&x, "phone", c->author_phone);
        if (c->author_role) w_attr(&x, "role", c->author_role);
        w_text(&x, c->author_name);
        w_end(&x);
    }
    if (c->location) w_elem(&x, "location", c->location);
    if (c->comment) w_elem(&x, "comment", c->comment);
    w_end(&x);

    w_start(&x, "processinfo");
    w_elem(&x, "process", r->process ? r->process : "in-place");
    if (r->dir_format != MHL_NONE) {
        w_start(&x, "roothash");
        write_dir_pair(&x, r->dir_format, root, r->hashdate);
        w_end(&x);
    }
    if (r->nignore) {
        w_start(&x, "ignore");
        for (size_t i = 0; i < r->nignore; i++)
            w_elem(&x, "pattern", r->ignore[i]);
        w_end(&x);
    }
    w_end(&x);

    /* <hashes> needs at least one child (XSD), so an empty folder has none. */
    if (tree_has_output(root, r->dir_format != MHL_NONE)) {
        w_start(&x, "hashes");
        write_nodes(&x, root, r);
        w_end(&x);
    }
    w_end(&x);
    rc = writer_close(&x, buf, out, e);
    ms_arena_free(&a);
    return rc;
}

int mhl_render_chain(const mhl_chain_link *links, size_t n, ms_buf *out, ms_error *e)
{
    for (size_t i = 0; i < n; i++) {
        if (links[i].seq < 1 || !links[i].name[0] || strchr(links[i].name, '/') ||
            !ms_str_is_clean_text(links[i].name, 255, false) ||
            !mhl_digest_valid(MHL_C4, links[i].c4))
            return ms_fail(e, MS_EINVAL, NULL, "chain link %zu is not valid", i + 1);
    }
    writer x;
    xmlBufferPtr buf;
    int rc = writer_open(&x, &buf, e);
    if (rc) return rc;
    w_start(&x, "ascmhldirectory");
    w_attr(&x, "xmlns", MHL_DIRECTORY_NS);
    for (size_t i = 0; i < n; i++) {
        char seq[16];
        snprintf(seq, sizeof seq, "%d", links[i].seq);
        w_start(&x, "hashlist");
        w_attr(&x, "sequencenr", seq);
        w_elem(&x, "path", links[i].name);
        w_elem(&x, "c4", links[i].c4);
        w_end(&x);
    }
    w_end(&x);
    return writer_close(&x, buf, out, e);
}

int mhl_generation_name(int seq, const char *folder, int64_t when, char out[256], ms_error *e)
{
    if (seq < 1 || seq > 99999999) return ms_fail(e, MS_EINVAL, NULL, "generation %d", seq);
    if (!folder || !*folder || strchr(folder, '/') || !ms_str_is_clean_text(folder, 200, false) ||
        !strcmp(folder, ".") || !strcmp(folder, ".."))
        return ms_fail(e, MS_EINVAL, NULL, "\"%.200s\" cannot name a generation file",
                       folder ? folder : "");
    time_t t = (time_t)when;
    struct tm tm;
    char stamp[32];
    if (!gmtime_r(&t, &tm) || !strftime(stamp, sizeof stamp, "%Y-%m-%d_%H%M%SZ", &tm))
        return ms_fail(e, MS_EINVAL, NULL, "the time %lld", (long long)when);
    int n = snprintf(out, 256, "%04d_%s_%s.mhl", seq, folder, stamp);
    if (n < 0 || n >= 256)
        return ms_fail(e, MS_EINVAL, NULL, "the folder name \"%.100s\" is too long", folder);
    return 0;
}

int mhl_render_first_generation(const mhl_render *r, const char *folder, ms_buf *generation,
                                char name[256], ms_buf *chain, ms_error *e)
{
    int rc = mhl_generation_name(1, folder, r->creator.created, name, e);
    if (rc) return rc;
    size_t start = generation->len;
    if ((rc = mhl_render_generation(r, generation, e))) return rc;
    mhl_chain_link link = {.seq = 1};
    ms_strlcpy(link.name, name, sizeof link.name);
    mhl_c4(generation->data + start, generation->len - start, link.c4);
    return mhl_render_chain(&link, 1, chain, e);
}

/* ---- reading ---- */

typedef struct reader {
    xmlTextReaderPtr r;
    char error[300]; /* libxml2's first message */
    int error_line;
} reader;

static void reader_error(void *arg, xmlErrorPtr err)
{
    reader *x = arg;
    if (x->error[0] || !err) return;
    snprintf(x->error, sizeof x->error, "%s", err->message ? err->message : "malformed XML");
    x->error[strcspn(x->error, "\n")] = 0;
    x->error_line = err->line;
}

static int reader_open(reader *x, const char *xml, size_t len, const char *what, ms_error *e)
{
    memset(x, 0, sizeof *x);
    if (len > MHL_MAX_XML)
        return ms_fail(e, MS_ETOOBIG, NULL, "the %s is %zu bytes (at most %zu are read)", what, len,
                       MHL_MAX_XML);
    /* No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR (nothing external is
     * read), NONET (no network even if libxml2 wanted to). A DOCTYPE is refused in the loop. */
    x->r = xmlReaderForMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!x->r) return ms_fail(e, MS_ENOMEM, NULL, "cannot start the XML reader");
    xmlTextReaderSetStructuredErrorHandler(x->r, reader_error, x);
    return 0;
}

static void reader_close(reader *x)
{
    if (x->r) xmlFreeTextReader(x->r);
}

/* Generic element walk: the parser below keeps a stack of element names and the text of the
 * current leaf. */
#define STACK_MAX 16

typedef struct parse {
    reader rd;
    const char *what; /* "generation file", "chain file" */
    const char *ns;
    char stack[STACK_MAX][32];
    int depth;
    ms_buf text;
    ms_error *e;
    int line;
    bool ended; /* the last event was an end: its text is used up */
} parse;

static int p_fail(parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int p_fail(parse *p, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ms_fail(p->e, MS_EINVAL, NULL, "the %s is not valid ASC MHL (line %d): %s", p->what,
                   p->line, msg);
}

static const char *p_parent(parse *p, int up)
{
    return p->depth - 1 - up >= 0 ? p->stack[p->depth - 1 - up] : "";
}

static char *p_attr(parse *p, const char *name)
{
    return (char *)xmlTextReaderGetAttribute(p->rd.r, BAD_CAST name);
}

/* What one parse step found. */
enum { EV_END_DOC, EV_START, EV_END, EV_ERROR };

/* Advance to the next element start or end; text of the current leaf goes to p->text. An empty
 * element gives EV_START then EV_END. */
static int p_next(parse *p, bool *pending_end, const char **name)
{
    if (p->ended) ms_buf_reset(&p->text);
    p->ended = false;
    if (*pending_end) {
        *pending_end = false;
        p->depth--;
        *name = p->stack[p->depth];
        p->ended = true;
        return EV_END;
    }
    for (;;) {
        int rc = xmlTextReaderRead(p->rd.r);
        p->line = xmlTextReaderGetParserLineNumber(p->rd.r);
        if (rc == 0) return EV_END_DOC;
        if (rc < 0) {
            if (p->rd.error_line) p->line = p->rd.error_line;
            p_fail(p, "%s", p->rd.error[0] ? p->rd.error : "malformed XML");
            return EV_ERROR;
        }
        int type = xmlTextReaderNodeType(p->rd.r);
        switch (type) {
        case XML_READER_TYPE_DOCUMENT_TYPE:
            p_fail(p, "a DOCTYPE is not allowed");
            return EV_ERROR;
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY:
            p_fail(p, "entities are not allowed");
            return EV_ERROR;
        case XML_READER_TYPE_ELEMENT: {
            const char *local = (const char *)xmlTextReaderConstLocalName(p->rd.r);
            const char *uri = (const char *)xmlTextReaderConstNamespaceUri(p->rd.r);
            if (!uri || strcmp(uri, p->ns)) {
                /* <metadata> content may come from anywhere; everything else is ours. */
                p_fail(p, "<%.40s> is not in the namespace %s", local ? local : "?", p->ns);
                return EV_ERROR;
            }
            if (p->depth == STACK_MAX || strlen(local) >= sizeof p->stack[0]) {
                p_fail(p, "<%.40s> is nested too deep or unknown", local);
                return EV_ERROR;
            }
            ms_strlcpy(p->stack[p->depth++], local, sizeof p->stack[0]);
            ms_buf_reset(&p->text);
            if (xmlTextReaderIsEmptyElement(p->rd.r)) *pending_end = true;
            *name = p->stack[p->depth - 1];
            return EV_START;
        }
        case XML_READER_TYPE_END_ELEMENT:
            p->depth--;
            *name = p->stack[p->depth];
            p->ended = true;
            return EV_END;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
            const char *v = (const char *)xmlTextReaderConstValue(p->rd.r);
            if (v) ms_buf_puts(&p->text, v);
            if (p->text.oom) {
                ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
                return EV_ERROR;
            }
            break;
        }
        default: /* comments, processing instructions */
            break;
        }
    }
}

/* Skip the element just started (its subtree), e.g. <metadata>. */
static int p_skip(parse *p, bool *pending_end)
{
    if (*pending_end) {
        *pending_end = false;
        p->depth--;
        return 0;
    }
    int d = xmlTextReaderDepth(p->rd.r);
    for (;;) {
        int rc = xmlTextReaderRead(p->rd.r);
        if (rc <= 0) {
            p->line = xmlTextReaderGetParserLineNumber(p->rd.r);
            return p_fail(p, "%s", p->rd.error[0] ? p->rd.error : "unexpected end of document");
        }
        int type = xmlTextReaderNodeType(p->rd.r);
        if (type == XML_READER_TYPE_ENTITY_REFERENCE || type == XML_READER_TYPE_ENTITY)
            return p_fail(p, "entities are not allowed");
        if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(p->rd.r) == d) break;
    }
    p->depth--;
    return 0;
}

/* The text of the leaf just ended, trimmed of surrounding white space. */
static char *p_text(parse *p)
{
    char *s = p->text.data ? p->text.data : (char *)"";
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

static bool text_is_blank(parse *p)
{
    return !*p_text(p);
}

static int parse_int64(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 19) return -1;
    int64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') return -1;
        if (v > (INT64_MAX - (*c - '0')) / 10) return -1;
        v = v * 10 + (*c - '0');
    }
    *out = v;
    return 0;
}

static int parse_date(parse *p, const char *what, const char *s, int64_t *out)
{
    int64_t ms;
    if (ms_time_parse(s, &ms)) {
        *out = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
        return 0;
    }
    /* xs:dateTime may leave the zone out; read it as UTC. */
    char z[64];
    if (strlen(s) < 40) {
        snprintf(z, sizeof z, "%sZ", s);
        if (ms_time_parse(z, &ms)) {
            *out = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
            return 0;
        }
    }
    return p_fail(p, "%s \"%.40s\" is not a date and time", what, s);
}

/* ---- the generation document ---- */

struct mhl_gen_mem {
    ms_arena arena;
    size_t cap_entries, cap_dirs, cap_roots, cap_ignore;
};

typedef struct pair_hash {
    mhl_format f;
    char digest[MHL_DIGEST_MAX];
    int64_t hashdate;
} pair_hash;

/* The state of the element being read inside <hashes> or <roothash>. */
typedef struct gen_cur {
    mhl_entry entry;
    mhl_hash hashes[MHL_MAX_HASHES];
    bool have_path;
    char *path;
    int64_t mtime;
    pair_hash content[MHL_NFORMATS], structure[MHL_NFORMATS];
    int ncontent, nstructure;
    int64_t pair_date; /* hashdate of the content/structure value being read */
} gen_cur;

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return v;
    size_t c = *cap ? *cap * 2 : 64;
    void *nv = realloc(v, c * size);
    if (nv) *cap = c;
    return nv;
}

static char *g_strdup(mhl_generation *g, const char *s)
{
    return ms_arena_strdup(&g->mem->arena, s);
}

static bool is_format_elem(const char *name)
{
    return mhl_format_parse(name) != MHL_NONE;
}

/* A hash value element (<xxh128 action=... hashdate=...>digest</xxh128>) just started: read its
 * attributes into h (the digest comes at its end). */
static int hash_attrs(parse *p, mhl_hash *h, const char *name)
{
    memset(h, 0, sizeof *h);
    h->format = mhl_format_parse(name);
    h->hashdate = MHL_NO_TIME;
    char *action = p_attr(p, "action");
    char *date = p_attr(p, "hashdate");
    int rc = 0;
    if (action) {
        if (!strcmp(action, "original"))
            h->action = MHL_ORIGINAL;
        else if (!strcmp(action, "verified"))
            h->action = MHL_VERIFIED;
        else if (!strcmp(action, "failed"))
            h->action = MHL_FAILED;
        else
            rc = p_fail(p, "the action \"%.40s\" is not original, verified or failed", action);
    }
    if (!rc && date) rc = parse_date(p, "hashdate", date, &h->hashdate);
    xmlFree(action);
    xmlFree(date);
    return rc;
}

static int digest_text(parse *p, mhl_format f, char out[MHL_DIGEST_MAX])
{
    char *t = p_text(p);
    if (f != MHL_C4) ms_str_lower(t);
    if (!mhl_digest_valid(f, t))
        return p_fail(p, "\"%.100s\" is not a %s digest", t, mhl_format_name(f));
    memcpy(out, t, strlen(t) + 1);
    return 0;
}

static int path_attrs(parse *p, gen_cur *c, bool file)
{
    char *size = file ? p_attr(p, "size") : NULL;
    char *mdate = p_attr(p, "lastmodificationdate");
    char *cdate = p_attr(p, "creationdate");
    int rc = 0;
    int64_t ignored;
    if (size && parse_int64(size, &c->entry.size))
        rc = p_fail(p, "the size \"%.40s\" is not a number of bytes", size);
    if (!rc && mdate) rc = parse_date(p, "lastmodificationdate", mdate, &c->mtime);
    if (!rc && cdate) rc = parse_date(p, "creationdate", cdate, &ignored);
    xmlFree(size);
    xmlFree(mdate);
    xmlFree(cdate);
    return rc;
}

static int add_dir_pairs(parse *p, mhl_generation *g, gen_cur *c, bool root)
{
    for (int i = 0; i < c->ncontent; i++) {
        const pair_hash *ph = &c->content[i], *sh = NULL;
        for (int k = 0; k < c->nstructure; k++)
            if (c->structure[k].f == ph->f) sh = &c->structure[k];
        if (!sh)
            return p_fail(p, "a %s content hash has no structure hash", mhl_format_name(ph->f));
        mhl_dirhash **v = root ? &g->roots : &g->dirs;
        size_t *n = root ? &g->nroots : &g->ndirs;
        size_t *cap = root ? &g->mem->cap_roots : &g->mem->cap_dirs;
        mhl_dirhash *nv = grow(*v, cap, *n, sizeof **v);
        if (!nv) return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
        *v = nv;
        mhl_dirhash *d = &nv[(*n)++];
        memset(d, 0, sizeof *d);
        d->path = root ? "" : c->path;
        d->mtime = root ? MHL_NO_TIME : c->mtime;
        d->format = ph->f;
        d->hashdate = ph->hashdate;
        memcpy(d->content, ph->digest, MHL_DIGEST_MAX);
        memcpy(d->structure, sh->digest, MHL_DIGEST_MAX);
    }
    return 0;
}

/* Elements allowed in each container (the XSD), and which are leaves with text. */
static bool allowed(const char *parent, const char *name)
{
    static const struct {
        const char *parent, *kids;
    } rules[] = {
        {"hashlist", " creatorinfo processinfo hashes metadata references "},
        {"creatorinfo", " creationdate hostname tool author location comment "},
        {"processinfo", " process roothash ignore "},
        {"roothash", " content structure "},
        {"ignore", " pattern "},
        {"hashes", " hash directoryhash "},
        {"hash", " path previousPath metadata "},
        {"directoryhash", " path content structure previousPath metadata "},
        {"references", " hashlistreference "},
        {"hashlistreference", " path c4 "},
    };
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (!strcmp(rules[i].parent, parent)) {
            char key[40];
            snprintf(key, sizeof key, " %s ", name);
            return strstr(rules[i].kids, key) != NULL;
        }
    return false;
}

static int gen_start(parse *p, mhl_generation *g, gen_cur *c, const char *name, bool *skip)
{
    const char *parent = p_parent(p, 1);
    if (p->depth == 1) {
        if (strcmp(name, "hashlist")) return p_fail(p, "the root element is <%s>", name);
        char *v = p_attr(p, "version");
        bool ok = v && !strcmp(v, "2.0");
        xmlFree(v);
        if (!ok) return p_fail(p, "<hashlist> is not version=\"2.0\"");
        return 0;
    }
    bool pair_parent = !strcmp(parent, "content") || !strcmp(parent, "structure");
    if (pair_parent) {
        if (!is_format_elem(name) || !mhl_format_dirhash_ok(mhl_format_parse(name)))
            return p_fail(p, "<%s> is not a directory hash format", name);
        mhl_hash tmp;
        int rc = hash_attrs(p, &tmp, name);
        c->pair_date = tmp.hashdate;
        return rc;
    }
    if (!strcmp(parent, "hash") && is_format_elem(name)) {
        if (c->entry.nhashes == MHL_MAX_HASHES)
            return p_fail(p, "more than %d hashes for one file", MHL_MAX_HASHES);
        return hash_attrs(p, &c->hashes[c->entry.nhashes], name);
    }
    if (!allowed(parent, name)) return p_fail(p, "<%s> is not expected in <%s>", name, parent);
    if (!strcmp(name, "metadata")) {
        *skip = true;
        return 0;
    }
    if (!strcmp(name, "hash") || !strcmp(name, "directoryhash") || !strcmp(name, "roothash")) {
        memset(c, 0, sizeof *c);
        c->entry.size = -1;
        c->entry.mtime = MHL_NO_TIME;
        c->mtime = MHL_NO_TIME;
    } else if (!strcmp(name, "path") &&
               (!strcmp(parent, "hash") || !strcmp(parent, "directoryhash"))) {
        if (c->have_path) return p_fail(p, "two <path> elements");
        return path_attrs(p, c, !strcmp(parent, "hash"));
    } else if (!strcmp(name, "tool")) {
        char *v = p_attr(p, "version");
        if (v) {
            g->creator.tool_version = g_strdup(g, v);
            xmlFree(v);
            if (!g->creator.tool_version) return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
        }
    } else if (!strcmp(name, "author")) {
        const char *attrs[3] = {"email", "phone", "role"};
        const char **dst[3] = {&g->creator.author_email, &g->creator.author_phone,
                               &g->creator.author_role};
        for (int i = 0; i < 3; i++) {
            char *v = p_attr(p, attrs[i]);
            if (v && !*dst[i]) *dst[i] = g_strdup(g, v);
            xmlFree(v);
        }
    }
    return 0;
}

static int gen_end(parse *p, mhl_generation *g, gen_cur *c, const char *name)
{
    const char *parent = p_parent(p, 0);
    mhl_format f = mhl_format_parse(name);
    bool leaf = f != MHL_NONE || !strcmp(name, "path") || !strcmp(name, "previousPath") ||
                !strcmp(name, "creationdate") || !strcmp(name, "hostname") ||
                !strcmp(name, "tool") || !strcmp(name, "author") || !strcmp(name, "location") ||
                !strcmp(name, "comment") || !strcmp(name, "process") || !strcmp(name, "pattern");
    if (!leaf && !text_is_blank(p)) return p_fail(p, "text inside <%s>", name);
    char *t = leaf ? p_text(p) : NULL;
    if (f != MHL_NONE && !strcmp(parent, "hash")) {
        mhl_hash *h = &c->hashes[c->entry.nhashes];
        int rc = digest_text(p, f, h->digest);
        if (rc) return rc;
        c->entry.nhashes++;
    } else if (f != MHL_NONE && (!strcmp(parent, "content") || !strcmp(parent, "structure"))) {
        bool content = !strcmp(parent, "content");
        pair_hash *v = content ? c->content : c->structure;
        int *n = content ? &c->ncontent : &c->nstructure;
        for (int i = 0; i < *n; i++)
            if (v[i].f == f) return p_fail(p, "two %s hashes in <%s>", name, parent);
        int rc = digest_text(p, f, v[*n].digest);
        if (rc) return rc;
        v[*n].f = f;
        v[*n].hashdate = c->pair_date;
        (*n)++;
    } else if (!strcmp(name, "c4") && !strcmp(parent, "hashlistreference")) {
        char tmp[MHL_DIGEST_MAX];
        return digest_text(p, MHL_C4, tmp);
    } else if (!strcmp(name, "path") || !strcmp(name, "previousPath")) {
        int rc = mhl_path_check(t, p->e);
        if (rc) return p_fail(p, "%s", p->e->detail);
        if (!strcmp(name, "path") &&
            (!strcmp(parent, "hash") || !strcmp(parent, "directoryhash"))) {
            c->have_path = true;
            if (!(c->path = g_strdup(g, t))) return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
        }
    } else if (!strcmp(name, "hash")) {
        if (!c->have_path) return p_fail(p, "a <hash> without <path>");
        if (!c->entry.nhashes) return p_fail(p, "no hash value for \"%.200s\"", c->path);
        mhl_entry *nv = grow(g->entries, &g->mem->cap_entries, g->nentries, sizeof *nv);
        if (!nv) return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
        g->entries = nv;
        mhl_hash *hs = ms_arena_alloc(&g->mem->arena, (size_t)c->entry.nhashes * sizeof *hs);
        if (!hs) return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
        memcpy(hs, c->hashes, (size_t)c->entry.nhashes * sizeof *hs);
        c->entry.hashes = hs;
        c->entry.path = c->path;
        c->entry.mtime = c->mtime;
        nv[g->nentries++] = c->entry;
    } else if (!strcmp(name, "directoryhash") || !strcmp(name, "roothash")) {
        bool root = !strcmp(name, "roothash");
        if (!root && !c->have_path) return p_fail(p, "a <directoryhash> without <path>");
        if (!c->ncontent || !c->nstructure)
            return p_fail(p, "<%s> needs <content> and <structure> hashes", name);
        return add_dir_pairs(p, g, c, root);
    } else if (!strcmp(name, "pattern")) {
        if (!*t) return p_fail(p, "an empty ignore pattern");
        const char **nv = grow(g->ignore, &g->mem->cap_ignore, g->nignore, sizeof *nv);
        if (!nv) return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
        g->ignore = nv;
        if (!(nv[g->nignore] = g_strdup(g, t)))
            return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
        g->nignore++;
    } else if (!strcmp(name, "process")) {
        if (strcmp(t, "in-place") && strcmp(t, "transfer") && strcmp(t, "flatten"))
            return p_fail(p, "the process \"%.40s\" is not in-place, transfer or flatten", t);
        ms_strlcpy(g->process, t, sizeof g->process);
    } else if (!strcmp(name, "creationdate") && !strcmp(parent, "creatorinfo")) {
        return parse_date(p, "creationdate", t, &g->creator.created);
    } else if (!strcmp(parent, "creatorinfo") && t) {
        const char **dst = !strcmp(name, "hostname")   ? &g->creator.hostname
                           : !strcmp(name, "tool")     ? &g->creator.tool
                           : !strcmp(name, "author")   ? &g->creator.author_name
                           : !strcmp(name, "location") ? &g->creator.location
                                                       : &g->creator.comment;
        if (!*dst && !(*dst = g_strdup(g, t)))
            return ms_fail(p->e, MS_ENOMEM, NULL, "out of memory");
    } else if (!strcmp(name, "hashlistreference")) {
        g->nreferences++;
    }
    return 0;
}

void mhl_generation_free(mhl_generation *g)
{
    if (!g) return;
    free(g->entries);
    free(g->dirs);
    free(g->roots);
    free(g->ignore);
    if (g->mem) ms_arena_free(&g->mem->arena);
    free(g->mem);
    free(g);
}

int mhl_parse_generation(const char *xml, size_t len, mhl_generation **out, ms_error *e)
{
    *out = NULL;
    mhl_generation *g = calloc(1, sizeof *g);
    if (g) g->mem = calloc(1, sizeof *g->mem);
    if (!g || !g->mem) {
        free(g);
        return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    }
    ms_arena_init(&g->mem->arena, 64 * 1024);
    g->creator.created = MHL_NO_TIME;
    parse p;
    memset(&p, 0, sizeof p);
    p.what = "generation file";
    p.ns = MHL_NS;
    p.e = e;
    ms_buf_init(&p.text);
    int rc = reader_open(&p.rd, xml, len, p.what, e);
    gen_cur *c = calloc(1, sizeof *c);
    if (!rc && !c) rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    bool pending = false, seen_root = false, creator = false, process = false;
    while (!rc) {
        const char *name;
        int ev = p_next(&p, &pending, &name);
        if (ev == EV_ERROR) {
            rc = e->code ? e->code : MS_EINVAL;
            break;
        }
        if (ev == EV_END_DOC) break;
        if (ev == EV_START) {
            bool skip = false;
            if (p.depth == 1) seen_root = true;
            if (p.depth == 2 && !strcmp(name, "creatorinfo")) creator = true;
            if (p.depth == 2 && !strcmp(name, "processinfo")) process = true;
            rc = gen_start(&p, g, c, name, &skip);
            if (!rc && skip) rc = p_skip(&p, &pending);
        } else {
            rc = gen_end(&p, g, c, name);
        }
    }
    if (!rc && !seen_root) rc = p_fail(&p, "no <hashlist>");
    if (!rc && (!creator || !process))
        rc = p_fail(&p, "<creatorinfo> and <processinfo> are required");
    if (!rc && g->creator.created == MHL_NO_TIME) rc = p_fail(&p, "no <creationdate>");
    free(c);
    ms_buf_free(&p.text);
    reader_close(&p.rd);
    if (rc) {
        mhl_generation_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

/* ---- the chain document ---- */

int mhl_parse_chain(const char *xml, size_t len, mhl_chain_link **links, size_t *n, ms_error *e)
{
    *links = NULL;
    *n = 0;
    parse p;
    memset(&p, 0, sizeof p);
    p.what = "chain file";
    p.ns = MHL_DIRECTORY_NS;
    p.e = e;
    ms_buf_init(&p.text);
    int rc = reader_open(&p.rd, xml, len, p.what, e);
    size_t cap = 0;
    mhl_chain_link cur;
    bool pending = false, seen_root = false, have_path = false, have_c4 = false;
    while (!rc) {
        const char *name;
        int ev = p_next(&p, &pending, &name);
        if (ev == EV_ERROR) {
            rc = e->code ? e->code : MS_EINVAL;
            break;
        }
        if (ev == EV_END_DOC) break;
        const char *parent = p_parent(&p, ev == EV_START ? 1 : 0);
        if (ev == EV_START) {
            if (p.depth == 1) {
                if (strcmp(name, "ascmhldirectory"))
                    rc = p_fail(&p, "the root element is <%s>, not <ascmhldirectory>", name);
                seen_root = true;
            } else if (p.depth == 2 && !strcmp(name, "hashlist")) {
                memset(&cur, 0, sizeof cur);
                have_path = have_c4 = false;
                char *seq = p_attr(&p, "sequencenr");
                int64_t v;
                if (!seq || parse_int64(seq, &v) || v < 1 || v > 99999999)
                    rc = p_fail(&p, "the sequencenr \"%.20s\" is not a generation number",
                                seq ? seq : "");
                else
                    cur.seq = (int)v;
                xmlFree(seq);
            } else if (p.depth == 3 && !strcmp(parent, "hashlist") &&
                       (!strcmp(name, "path") || !strcmp(name, "c4"))) {
            } else {
                rc = p_fail(&p, "<%s> is not expected in <%s>", name, parent);
            }
        } else if (!strcmp(name, "path") && !strcmp(parent, "hashlist")) {
            char *t = p_text(&p);
            if (!*t || strchr(t, '/') || strchr(t, '\\') || !strcmp(t, ".") || !strcmp(t, "..") ||
                !ms_str_is_clean_text(t, sizeof cur.name - 1, false))
                rc = p_fail(&p, "\"%.200s\" is not a file name in the ascmhl folder", t);
            else {
                ms_strlcpy(cur.name, t, sizeof cur.name);
                have_path = true;
            }
        } else if (!strcmp(name, "c4") && !strcmp(parent, "hashlist")) {
            rc = digest_text(&p, MHL_C4, cur.c4);
            have_c4 = !rc;
        } else if (!strcmp(name, "hashlist")) {
            if (!have_path || !have_c4) {
                rc = p_fail(&p, "a <hashlist> needs <path> and <c4>");
                break;
            }
            mhl_chain_link *nv = grow(*links, &cap, *n, sizeof *nv);
            if (!nv) {
                rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            *links = nv;
            nv[(*n)++] = cur;
        } else if (!text_is_blank(&p)) {
            rc = p_fail(&p, "text inside <%s>", name);
        }
    }
    if (!rc && !seen_root) rc = p_fail(&p, "no <ascmhldirectory>");
    ms_buf_free(&p.text);
    reader_close(&p.rd);
    if (rc) {
        free(*links);
        *links = NULL;
        *n = 0;
    }
    return rc;
}
