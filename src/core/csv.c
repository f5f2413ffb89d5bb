/* csv.c: CSV and TSV reading through libcsv, header mapping, typed cells, and the writer.
 * See csv.h for the interface and docs/csv.md for the rules as users see them.
 *
 * libcsv does the quoting (RFC 4180 plus its relaxed reading of stray quotes) and trims
 * unquoted spaces; it does not say where in the input a record starts, has no caps, and leaves
 * encodings to the caller. What this file adds is mostly about that gap. */
#include "core/csv.h"

#include "core/time.h"

#include <csv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Reading ----------------------------------------------------------------------------
 *
 * Where records start. libcsv reports fields and record ends but no positions, so the input
 * is fed to it one physical line at a time (a line ends at LF, CRLF or a lone CR, the same
 * bytes libcsv ends records at). Outside quotes a line break ends a record, so at most one
 * record ends per line, and always at the line's end: when a line is fed, the line number is
 * known, and a record that has not begun begins on the first line holding anything but
 * spaces (libcsv skips lines of nothing but spaces without reporting a record). The row
 * number advances at every record end and at every such blank line, which is how a
 * spreadsheet numbers rows: blank lines are rows, line breaks inside quotes are not.
 *
 * Caps. A field only reaches us complete, so the field cap is checked twice: exactly when the
 * field arrives, and while it is still being read, through the size of libcsv's buffer (it
 * grows in steps of BLK to fit the current field), after every CHUNK of a long line. A quote
 * that is never closed therefore costs at most about max_field_len of memory, not the file.
 *
 * The end. After the last byte, a record still open either lacks its final line break or is
 * inside a quote that never closed. Feeding one more "\n" tells the two apart: it ends the
 * first kind and is swallowed by the second, which is then an error in both modes (libcsv's
 * relaxed mode would quietly turn the rest of the file into one field). */

#define BLK   (64 * 1024)
#define CHUNK (64 * 1024)

typedef struct reader {
    char delim;
    bool keep_blank, keep_apostrophe;
    size_t max_fields, max_field_len;
    ms_csv_record_fn fn;
    void *ctx;
    ms_error *e;
    int rc; /* the first error, or MS_CSV_STOP: once set, callbacks do nothing */

    /* The record being read: its fields' bytes, each followed by a NUL, and their offsets. */
    ms_buf text;
    size_t *offs;
    ms_csv_field *fields;
    size_t nfields, cap;
    bool begun;
    size_t rec_row, rec_line;

    size_t line;  /* the physical line being fed */
    size_t row;   /* the row the next record will have */
    size_t index; /* records delivered */
} reader;

/* The first byte of `p` that is not part of valid UTF-8 (overlong forms, surrogates and
 * code points past U+10FFFF are not) or is a NUL; `n` when there is none. */
static size_t utf8_bad_at(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Eight bytes at a time while they are ASCII and not NUL (most of most files). */
        while (n - i >= 8) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            uint64_t high = 0x8080808080808080u, ones = 0x0101010101010101u;
            if ((v & high) || ((v - ones) & ~v & high)) break;
            i += 8;
        }
        if (i == n) break;
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c == 0) return i;
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (n - i < len) return i;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return n;
}

/* Whether a cell would be run as a formula by a spreadsheet: its first character after any
 * apostrophes is one of = + - @ tab CR. The writer adds one apostrophe to such a cell and the
 * reader takes one away, so every value survives a round trip. */
static bool formula_like(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == '\'')
        i++;
    return i < n && s[i] != '\0' && strchr("=+-@\t\r", s[i]);
}

/* libcsv's space test for TSV: what it trims around unquoted fields, without the tab. */
static int space_only(unsigned char c)
{
    return c == ' ';
}

static bool is_space(unsigned char c, char delim)
{
    return c == ' ' || (c == '\t' && delim != '\t');
}

static int fail_csv(reader *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_csv(reader *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ms_vfail(r->e, code, code == MS_EINVAL ? "invalid-csv" : NULL, fmt, ap);
    va_end(ap);
    r->rc = code;
    return code;
}

static void on_field(void *s, size_t n, void *data)
{
    reader *r = data;
    if (r->rc) return;
    const unsigned char *p = s;
    size_t col = r->nfields + 1;
    if (r->nfields >= r->max_fields) {
        fail_csv(r, MS_ETOOBIG, "Row %zu (line %zu) has more than %zu fields.", r->rec_row,
                 r->rec_line, r->max_fields);
        return;
    }
    /* The cap is on the value, without the apostrophe the writer adds. */
    size_t skip = !r->keep_apostrophe && n > 1 && p[0] == '\'' && formula_like((const char *)p, n);
    if (n - skip > r->max_field_len) {
        fail_csv(r, MS_ETOOBIG, "Row %zu (line %zu), column %zu is longer than %zu bytes.",
                 r->rec_row, r->rec_line, col, r->max_field_len);
        return;
    }
    size_t bad = utf8_bad_at(p, n);
    if (bad < n) {
        if (p[bad] == 0)
            fail_csv(r, MS_EINVAL,
                     "Row %zu (line %zu), column %zu contains a NUL byte: the file may be "
                     "UTF-16. Save it as CSV UTF-8 and try again.",
                     r->rec_row, r->rec_line, col);
        else
            fail_csv(r, MS_EINVAL,
                     "Row %zu (line %zu), column %zu is not valid UTF-8 (byte %zu of the "
                     "field). Save the file as CSV UTF-8 and try again.",
                     r->rec_row, r->rec_line, col, bad + 1);
        return;
    }
    p += skip;
    n -= skip;
    if (r->nfields == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        if (cap > r->max_fields) cap = r->max_fields;
        size_t *offs = realloc(r->offs, cap * sizeof *offs);
        if (offs) r->offs = offs;
        ms_csv_field *fields = offs ? realloc(r->fields, cap * sizeof *fields) : NULL;
        if (!fields) {
            fail_csv(r, MS_ENOMEM, "Out of memory reading row %zu.", r->rec_row);
            return;
        }
        r->fields = fields;
        r->cap = cap;
    }
    r->offs[r->nfields] = r->text.len;
    r->fields[r->nfields].len = n;
    r->nfields++;
    if (!ms_buf_reserve(&r->text, n + 1)) return; /* oom is sticky: seen at the record's end */
    if (n) memcpy(r->text.data + r->text.len, p, n);
    r->text.data[r->text.len + n] = '\0';
    r->text.len += n + 1;
    r->text.data[r->text.len] = '\0'; /* ms_buf's own NUL after the data */
}

static void on_record_end(int c, void *data)
{
    (void)c;
    reader *r = data;
    if (r->rc) return;
    if (!r->begun) { /* cannot happen (see the banner), but never number a record wrongly */
        r->rec_row = r->row;
        r->rec_line = r->line;
    }
    size_t n = r->nfields;
    r->nfields = 0;
    r->begun = false;
    r->row = r->rec_row + 1;
    if (r->text.oom) {
        fail_csv(r, MS_ENOMEM, "Out of memory reading row %zu.", r->rec_row);
        return;
    }
    bool blank = true;
    for (size_t i = 0; i < n && blank; i++)
        blank = r->fields[i].len == 0;
    if (n && (!blank || r->keep_blank)) {
        for (size_t i = 0; i < n; i++)
            r->fields[i].data = r->text.data + r->offs[i];
        ms_csv_record rec = {r->index, r->rec_row, r->rec_line, n, r->fields};
        r->index++;
        int rc = r->fn ? r->fn(r->ctx, &rec, r->e) : 0;
        if (rc < 0)
            r->rc = rc;
        else if (rc > 0)
            r->rc = MS_CSV_STOP;
    }
    ms_buf_reset(&r->text);
}

static bool delim_allowed(char c)
{
    return c == ',' || c == ';' || c == '\t' || c == '|';
}

/* The delimiter of the first line that is not blank: whichever of ',' '\t' ';' occurs most
 * outside quotes (ties in that order); ',' when none does (a file of one column). */
static char detect_delim(const unsigned char *s, const unsigned char *end)
{
    for (;;) {
        const unsigned char *q = s;
        while (q < end && *q == ' ')
            q++;
        if (q < end && (*q == '\r' || *q == '\n')) {
            s = q + 1;
            continue;
        }
        break;
    }
    size_t comma = 0, tab = 0, semi = 0;
    bool quoted = false;
    for (; s < end; s++) {
        if (*s == '"') {
            quoted = !quoted;
        } else if (!quoted) {
            if (*s == '\r' || *s == '\n') break;
            comma += *s == ',';
            tab += *s == '\t';
            semi += *s == ';';
        }
    }
    if (tab > comma && tab >= semi) return '\t';
    if (semi > comma && semi > tab) return ';';
    return ',';
}

static const char *delim_name(char c)
{
    return c == '\t' ? "tab" : c == ',' ? "','" : c == ';' ? "';'" : "'|'";
}

/* Feed bytes [s, end) of one physical line to libcsv, a CHUNK at a time. */
static void feed_line(reader *r, struct csv_parser *p, const unsigned char *s,
                      const unsigned char *end)
{
    while (s < end && !r->rc) {
        size_t k = (size_t)(end - s) < CHUNK ? (size_t)(end - s) : CHUNK;
        size_t done = csv_parse(p, s, k, on_field, on_record_end, r);
        if (r->rc) return;
        if (done < k) {
            int err = csv_error(p);
            if (err == CSV_EPARSE)
                fail_csv(r, MS_EINVAL,
                         "Row %zu, line %zu, column %zu: a quote inside an unquoted field, or "
                         "text after a closing quote. Put quotes around the whole field and "
                         "double the quotes inside it (\"\").",
                         r->rec_row, r->line, r->nfields + 1);
            else if (err == CSV_ETOOBIG)
                fail_csv(r, MS_ETOOBIG, "Row %zu (line %zu) is too large.", r->rec_row,
                         r->rec_line);
            else
                fail_csv(r, MS_ENOMEM, "Out of memory reading row %zu.", r->rec_row);
            return;
        }
        if (csv_get_buffer_size(p) > r->max_field_len + BLK) {
            fail_csv(r, MS_ETOOBIG,
                     "Row %zu (line %zu), column %zu is longer than %zu bytes (or a quote "
                     "that opens there is never closed).",
                     r->rec_row, r->rec_line, r->nfields + 1, r->max_field_len);
            return;
        }
        s += k;
    }
}

int ms_csv_read(const void *data, size_t len, const ms_csv_read_opts *opts, ms_csv_record_fn fn,
                void *ctx, ms_csv_read_info *info, ms_error *e)
{
    static const ms_csv_read_opts defaults;
    const ms_csv_read_opts *o = opts ? opts : &defaults;
    ms_csv_read_info dummy;
    if (!info) info = &dummy;
    memset(info, 0, sizeof *info);
    /* No arithmetic on a null pointer: an empty input may come as (NULL, 0). */
    const unsigned char *s = len ? (const unsigned char *)data : (const unsigned char *)"";
    const unsigned char *end = s + len;

    if (o->delim && !delim_allowed(o->delim))
        return ms_fail(e, MS_EINVAL, "invalid-csv", "The delimiter must be ',', ';', tab or '|'.");
    if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
        return ms_fail(e, MS_EINVAL, "invalid-csv",
                       "The file is UTF-16 text. Save it as CSV UTF-8 and try again.");
    if (end - s >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        s += 3;
        info->bom = true;
    }

    reader r;
    memset(&r, 0, sizeof r);
    ms_buf_init(&r.text);
    r.keep_blank = o->keep_blank;
    r.keep_apostrophe = o->keep_apostrophe;
    r.max_fields = o->max_fields ? o->max_fields : MS_CSV_MAX_FIELDS;
    r.max_field_len = o->max_field_len ? o->max_field_len : MS_CSV_MAX_FIELD_LEN;
    r.fn = fn;
    r.ctx = ctx;
    r.e = e;
    r.line = r.row = 1;

    /* Excel's "sep=;" first line names the delimiter; it is no row of the table. */
    char declared = 0;
    if (end - s >= 5 && memcmp(s, "sep=", 4) == 0 && delim_allowed((char)s[4]) &&
        (end - s == 5 || s[5] == '\r' || s[5] == '\n')) {
        declared = (char)s[4];
        s += 5;
        if (s < end && *s == '\r') s++;
        if (s < end && *s == '\n') s++;
        r.line++;
    }
    if (declared && o->delim && declared != o->delim)
        return ms_fail(e, MS_EINVAL, "invalid-csv",
                       "The file's first line says sep=%s, but %s was asked for.",
                       declared == '\t' ? "(tab)" : (char[2]){declared, 0}, delim_name(o->delim));
    r.delim = o->delim ? o->delim : declared ? declared : detect_delim(s, end);
    info->delim = r.delim;

    struct csv_parser p;
    if (csv_init(&p, o->strict ? CSV_STRICT | CSV_STRICT_FINI : 0) != 0)
        return ms_fail(e, MS_ENOMEM, NULL, "Out of memory starting to read a CSV file.");
    csv_set_delim(&p, (unsigned char)r.delim);
    if (r.delim == '\t') csv_set_space_func(&p, space_only); /* else libcsv's: space and tab */
    csv_set_blk_size(&p, BLK);

    /* One physical line at a time (see the banner). The next LF is remembered, so that a file
     * whose lines end in lone CRs is not searched for an LF once per line. */
    const unsigned char *lf = NULL;
    bool lf_known = false;
    while (s < end && !r.rc) {
        if (!lf_known || (lf && lf < s)) {
            lf = memchr(s, '\n', (size_t)(end - s));
            lf_known = true;
        }
        const unsigned char *stop = lf ? lf : end;
        const unsigned char *brk = memchr(s, '\r', (size_t)(stop - s));
        if (!brk) brk = lf;
        const unsigned char *next = !brk                                              ? end
                                    : *brk == '\r' && brk + 1 < end && brk[1] == '\n' ? brk + 2
                                                                                      : brk + 1;
        bool blank = false;
        if (!r.begun) {
            const unsigned char *q = s, *qend = brk ? brk : end;
            while (q < qend && is_space(*q, r.delim))
                q++;
            if (q < qend) {
                r.begun = true;
                r.rec_row = r.row;
                r.rec_line = r.line;
            } else {
                blank = true;
            }
        }
        feed_line(&r, &p, s, next);
        if (brk) {
            r.line++;
            if (blank) r.row++;
        }
        s = next;
    }
    if (!r.rc && r.begun) {
        size_t col = r.nfields + 1;
        feed_line(&r, &p, (const unsigned char *)"\n", (const unsigned char *)"\n" + 1);
        if (!r.rc && r.begun)
            fail_csv(&r, MS_EINVAL,
                     "Row %zu (line %zu), column %zu: a quoted field is never closed. A quote "
                     "inside a field must be doubled (\"\").",
                     r.rec_row, r.rec_line, col);
    }
    csv_free(&p);
    free(r.offs);
    free(r.fields);
    ms_buf_free(&r.text);

    info->records = r.index;
    info->row = r.rec_row;
    info->line = r.rec_line;
    return r.rc == MS_CSV_STOP ? 0 : r.rc;
}

ms_csv_field ms_csv_get(const ms_csv_record *rec, int col)
{
    if (col < 0 || (size_t)col >= rec->nfields) return (ms_csv_field){"", 0};
    return rec->fields[col];
}

bool ms_csv_get_trimmed(const ms_csv_record *rec, int col, const char **s, size_t *n)
{
    *s = "";
    *n = 0;
    if (col < 0) return false;
    ms_csv_field f = ms_csv_get(rec, col);
    const char *p = f.data;
    size_t len = f.len;
    while (len && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    *s = p ? p : "";
    *n = len;
    return len > 0;
}

json_t *ms_csv_error_json(size_t row, size_t line, const char *column, const char *msg)
{
    json_t *o = json_object();
    json_object_set_new(o, "row", row ? json_integer((json_int_t)row) : json_null());
    json_object_set_new(o, "line", line ? json_integer((json_int_t)line) : json_null());
    json_object_set_new(o, "column", column ? json_string(column) : json_null());
    json_object_set_new(o, "message", json_string(msg));
    char field[200];
    if (row)
        snprintf(field, sizeof field, "row %zu%s%.120s", row, column ? ", " : "",
                 column ? column : "");
    else
        snprintf(field, sizeof field, "file");
    field[ms_utf8_whole(field, strlen(field))] = 0;
    json_object_set_new(o, "field", json_string(field));
    return o;
}

/* Copy at most `max` bytes of `s` for a message: whole UTF-8 characters, control characters
 * shown as '?', "…" when cut. `out` holds max + 4 bytes. */
static void show(const char *s, size_t n, char *out, size_t max)
{
    size_t k = n > max ? ms_utf8_whole(s, max) : n;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (k < n) {
        memcpy(out + k, "\xE2\x80\xA6", 3);
        k += 3;
    }
    out[k] = '\0';
}

int ms_csv_fail_cell(ms_error *e, const ms_csv_record *rec, const char *column, const char *fmt,
                     ...)
{
    char field[sizeof e->fields[0].field], msg[sizeof e->fields[0].message], name[44];
    if (column) {
        show(column, strlen(column), name, 40);
        snprintf(field, sizeof field, "row %zu, line %zu, %s", rec->row, rec->line, name);
    } else {
        snprintf(field, sizeof field, "row %zu, line %zu", rec->row, rec->line);
    }
    field[ms_utf8_whole(field, strlen(field))] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    msg[ms_utf8_whole(msg, strlen(msg))] = '\0';
    return ms_field_fail(e, field, "%s", msg);
}

/* ---- Header mapping -----------------------------------------------------------------------
 *
 * Names are compared as streams of normalized characters, so that no name is too long to
 * compare: ASCII letters lower-cased, runs of spaces, tabs, '_' and '-' read as one '_',
 * and such runs at either end dropped. */

typedef struct name_it {
    const unsigned char *s, *end;
    bool started, pending;
} name_it;

static int name_next(name_it *it)
{
    while (it->s < it->end) {
        unsigned char c = *it->s;
        if (c == ' ' || c == '\t' || c == '_' || c == '-') {
            it->s++;
            if (it->started) it->pending = true;
            continue;
        }
        if (it->pending) {
            it->pending = false;
            return '_';
        }
        it->s++;
        it->started = true;
        return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
    }
    return -1;
}

bool ms_csv_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    name_it x = {(const unsigned char *)a, (const unsigned char *)a + alen, false, false};
    name_it y = {(const unsigned char *)b, (const unsigned char *)b + blen, false, false};
    for (;;) {
        int c = name_next(&x), d = name_next(&y);
        if (c != d) return false;
        if (c < 0) return true;
    }
}

/* Whether `name` is one of the names of column `c`. */
static bool column_matches(const ms_csv_column *c, const char *name, size_t n)
{
    if (ms_csv_name_eq(name, n, c->key, strlen(c->key))) return true;
    for (const char *s = c->names; s && *s;) {
        const char *bar = strchr(s, '|');
        size_t k = bar ? (size_t)(bar - s) : strlen(s);
        if (ms_csv_name_eq(name, n, s, k)) return true;
        s += k + (bar != NULL);
    }
    return false;
}

/* The name exports write for a column: its first name, else its key. */
static void first_name(const ms_csv_column *c, const char **s, size_t *n)
{
    if (c->names && *c->names && *c->names != '|') {
        *s = c->names;
        *n = strcspn(c->names, "|");
    } else {
        *s = c->key;
        *n = strlen(c->key);
    }
}

void ms_csv_map_free(ms_csv_map *m)
{
    free(m->col);
    free(m->unknown);
    memset(m, 0, sizeof *m);
}

int ms_csv_map_header(const ms_csv_record *header, const ms_csv_column *cols, ms_csv_map *m,
                      ms_error *e)
{
    memset(m, 0, sizeof *m);
    size_t nkeys = 0;
    while (cols[nkeys].key)
        nkeys++;
    m->nkeys = nkeys;
    m->col = malloc((nkeys ? nkeys : 1) * sizeof *m->col);
    m->unknown = malloc((header->nfields ? header->nfields : 1) * sizeof *m->unknown);
    if (!m->col || !m->unknown) {
        ms_csv_map_free(m);
        return ms_fail(e, MS_ENOMEM, NULL, "Out of memory reading the header.");
    }
    for (size_t k = 0; k < nkeys; k++)
        m->col[k] = -1;
    bool dup = false;
    for (size_t i = 0; i < header->nfields && i <= INT32_MAX; i++) {
        const ms_csv_field *f = &header->fields[i];
        if (ms_csv_blank(f->data, f->len)) continue;
        size_t k = 0;
        while (k < nkeys && !column_matches(&cols[k], f->data, f->len))
            k++;
        if (k == nkeys) {
            m->unknown[m->nunknown++] = (int)i;
        } else if (m->col[k] < 0) {
            m->col[k] = (int)i;
        } else {
            const ms_csv_field *g = &header->fields[m->col[k]];
            char a[44], b[44];
            show(g->data, g->len, a, 40);
            show(f->data, f->len, b, 40);
            if (!dup && e && e->code == MS_OK)
                ms_fail(e, MS_EINVAL, "validation",
                        "Columns %d (\"%s\") and %zu (\"%s\") of the header both mean %s. Keep "
                        "one of them.",
                        m->col[k] + 1, a, i + 1, b, cols[k].key);
            ms_field_fail(e, cols[k].key, "columns %d (\"%s\") and %zu (\"%s\") both mean %s",
                          m->col[k] + 1, a, i + 1, b, cols[k].key);
            dup = true;
        }
    }
    if (dup) {
        ms_csv_map_free(m);
        return MS_EINVAL;
    }
    return 0;
}

int ms_csv_map_require(const ms_csv_map *m, const ms_csv_column *cols, ms_error *e)
{
    char list[300];
    size_t used = 0;
    int missing = 0;
    list[0] = '\0';
    for (size_t k = 0; k < m->nkeys && cols[k].key; k++) {
        if (!cols[k].required || m->col[k] >= 0) continue;
        const char *s;
        size_t n;
        first_name(&cols[k], &s, &n);
        if (used < sizeof list) {
            int w =
                snprintf(list + used, sizeof list - used, "%s%.*s", missing ? ", " : "", (int)n, s);
            used += w > 0 ? (size_t)w : 0;
        }
        missing++;
    }
    if (!missing) return 0;
    list[ms_utf8_whole(list, strlen(list))] = '\0';
    if (e && e->code == MS_OK)
        ms_fail(e, MS_EINVAL, "validation", "The header lacks %s: %s.",
                missing == 1 ? "a required column" : "required columns", list);
    for (size_t k = 0; k < m->nkeys && cols[k].key; k++) {
        if (!cols[k].required || m->col[k] >= 0) continue;
        char names[140];
        size_t o = 0;
        for (const char *s = cols[k].names ? cols[k].names : ""; *s && o + 3 < sizeof names; s++) {
            if (*s == '|') {
                names[o++] = ',';
                names[o++] = ' ';
            } else {
                names[o++] = *s;
            }
        }
        names[ms_utf8_whole(names, o)] = '\0';
        ms_field_fail(e, cols[k].key, "required column is missing; accepted names: %s%s%s", names,
                      *names ? ", " : "", cols[k].key);
    }
    return MS_EINVAL;
}

/* ---- Typed cells ------------------------------------------------------------------------ */

static void trim(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

bool ms_csv_blank(const char *s, size_t n)
{
    trim(&s, &n);
    return n == 0;
}

static int cell_fail(char *msg, const char *s, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Write the message `fmt`, in which "%s" stands for the cell shown in quotes. */
static int cell_fail(char *msg, const char *s, size_t n, const char *fmt, ...)
{
    if (!msg) return MS_EINVAL;
    char shown[48];
    show(s, n, shown, 40);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, MS_CSV_MSG_MAX, fmt, ap);
    va_end(ap);
    size_t k = strlen(msg);
    snprintf(msg + k, MS_CSV_MSG_MAX - k, ", got \"%s\"", shown);
    msg[ms_utf8_whole(msg, strlen(msg))] = '\0';
    return MS_EINVAL;
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

int ms_csv_cell_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out,
                    char msg[MS_CSV_MSG_MAX])
{
    trim(&s, &n);
    if (!n) return cell_fail(msg, s, n, "is empty; a whole number is expected");
    size_t i = s[0] == '-' || s[0] == '+';
    bool neg = s[0] == '-', big = false;
    if (i == n) return cell_fail(msg, s, n, "must be a whole number");
    uint64_t v = 0;
    for (; i < n; i++) {
        if (!digit(s[i])) return cell_fail(msg, s, n, "must be a whole number");
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            big = true;
        else
            v = v * 10 + d;
    }
    int64_t x;
    if (big || v > (uint64_t)INT64_MAX + neg)
        big = true, x = 0;
    else
        x = neg ? (int64_t)(0 - v) : (int64_t)v;
    if (big || x < min || x > max)
        return cell_fail(msg, s, n, "must be between %" PRId64 " and %" PRId64, min, max);
    *out = x;
    return 0;
}

int ms_csv_cell_decimal(const char *s, size_t n, int scale, bool comma, int64_t *out,
                        char msg[MS_CSV_MSG_MAX])
{
    if (scale < 0 || scale > 9) return cell_fail(msg, s, n, "has an unsupported scale");
    trim(&s, &n);
    if (!n) return cell_fail(msg, s, n, "is empty; a number is expected");
    size_t i = s[0] == '-' || s[0] == '+';
    bool neg = s[0] == '-';
    uint64_t v = 0;
    int places = -1; /* digits seen after the separator; -1 before it */
    size_t ndigits = 0;
    for (; i < n; i++) {
        char c = s[i];
        if ((c == '.' || (c == ',' && comma)) && places < 0) {
            places = 0;
            continue;
        }
        if (c == ',' && !comma && places < 0)
            return cell_fail(msg, s, n, "must be a number written with a decimal point");
        if (!digit(c)) return cell_fail(msg, s, n, "must be a number");
        ndigits++;
        if (places >= 0 && places++ >= scale) {
            if (c != '0')
                return cell_fail(msg, s, n, "must have at most %d decimal place%s", scale,
                                 scale == 1 ? "" : "s");
            continue;
        }
        if (v > (UINT64_MAX / 10 - 9)) return cell_fail(msg, s, n, "is too large");
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (!ndigits) return cell_fail(msg, s, n, "must be a number");
    for (int k = places < 0 ? 0 : places; k < scale; k++) {
        if (v > UINT64_MAX / 10) return cell_fail(msg, s, n, "is too large");
        v *= 10;
    }
    if (v > (uint64_t)INT64_MAX) return cell_fail(msg, s, n, "is too large");
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int ms_csv_cell_date(const char *s, size_t n, int64_t *days, char msg[MS_CSV_MSG_MAX])
{
    trim(&s, &n);
    if (!n) return cell_fail(msg, s, n, "is empty; a date YYYY-MM-DD is expected");
    bool shape = n == 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; shape && i < n; i++)
        if (i != 4 && i != 7 && !digit(s[i])) shape = false;
    if (!shape) return cell_fail(msg, s, n, "must be a date written YYYY-MM-DD");
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    int64_t t;
    if (!ms_days_from_civil(y, m, d, &t)) {
        if (m == 2 && d == 29 && y >= 1)
            return cell_fail(msg, s, n, "is not a date: %04d is not a leap year", y);
        return cell_fail(msg, s, n, "is not a calendar date");
    }
    if (days) *days = t;
    return 0;
}

int ms_csv_cell_bool(const char *s, size_t n, bool *out, char msg[MS_CSV_MSG_MAX])
{
    static const char *const yes[] = {"true", "yes", "1", "x"};
    static const char *const no[] = {"false", "no", "0"};
    trim(&s, &n);
    if (!n) return cell_fail(msg, s, n, "is empty; yes or no is expected");
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (n == strlen(yes[i]) && strncasecmp(s, yes[i], n) == 0) {
            *out = true;
            return 0;
        }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (n == strlen(no[i]) && strncasecmp(s, no[i], n) == 0) {
            *out = false;
            return 0;
        }
    return cell_fail(msg, s, n, "must be true/false, yes/no, 1/0 or x");
}

/* ---- Writing ---------------------------------------------------------------------------- */

void ms_csv_writer_init(ms_csv_writer *w, ms_buf *out, const ms_csv_write_opts *o)
{
    w->out = out;
    w->delim = o && o->delim ? o->delim : ',';
    w->lf = o && o->lf;
    w->nfields = 0;
    w->first_empty = false;
    if (o && o->bom) ms_buf_append(out, "\xEF\xBB\xBF", 3);
}

/* Whether a cell must be quoted to read back as it is: it holds the delimiter, a quote, CR
 * or LF; it starts or ends with a space or tab (readers trim those); or it starts like the
 * things a reader looks for at the start of a file (a BOM, "sep="). */
static bool needs_quotes(const ms_csv_writer *w, const char *s, size_t n)
{
    if (!n) return false;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t') return true;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) return true;
    if (n >= 4 && memcmp(s, "sep=", 4) == 0) return true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == w->delim || c == '"' || c == '\r' || c == '\n') return true;
    }
    return false;
}

static void put_cell(ms_csv_writer *w, const char *s, size_t n, bool protect)
{
    ms_buf *b = w->out;
    if (w->nfields++)
        ms_buf_putc(b, w->delim);
    else
        w->first_empty = n == 0;
    bool apos = protect && formula_like(s, n);
    if (!needs_quotes(w, s, n)) {
        if (apos) ms_buf_putc(b, '\'');
        ms_buf_append(b, s, n);
        return;
    }
    ms_buf_putc(b, '"');
    if (apos) ms_buf_putc(b, '\'');
    const char *end = s + n;
    while (s < end) {
        const char *q = memchr(s, '"', (size_t)(end - s));
        const char *stop = q ? q + 1 : end;
        ms_buf_append(b, s, (size_t)(stop - s));
        if (q) ms_buf_putc(b, '"');
        s = stop;
    }
    ms_buf_putc(b, '"');
}

void ms_csv_putn(ms_csv_writer *w, const char *s, size_t n)
{
    put_cell(w, s ? s : "", s ? n : 0, true);
}

void ms_csv_put(ms_csv_writer *w, const char *s)
{
    ms_csv_putn(w, s, s ? strlen(s) : 0);
}

/* -?digits(.digits)?([eE][+-]?digits)? */
static bool plain_number(const char *s)
{
    size_t i = s[0] == '-';
    size_t d = i;
    while (digit(s[i]))
        i++;
    if (i == d) return false;
    if (s[i] == '.') {
        d = ++i;
        while (digit(s[i]))
            i++;
        if (i == d) return false;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-') i++;
        d = i;
        while (digit(s[i]))
            i++;
        if (i == d) return false;
    }
    return s[i] == '\0';
}

void ms_csv_put_number(ms_csv_writer *w, const char *s)
{
    if (!s) s = "";
    put_cell(w, s, strlen(s), !plain_number(s));
}

void ms_csv_put_i64(ms_csv_writer *w, int64_t v)
{
    if (w->nfields++)
        ms_buf_putc(w->out, w->delim);
    else
        w->first_empty = false;
    ms_buf_put_i64(w->out, v);
}

void ms_csv_put_header(ms_csv_writer *w, const ms_csv_column *cols)
{
    for (const ms_csv_column *c = cols; c->key; c++) {
        const char *s;
        size_t n;
        first_name(c, &s, &n);
        ms_csv_putn(w, s, n);
    }
}

void ms_csv_end_record(ms_csv_writer *w)
{
    if (w->nfields == 1 && w->first_empty) ms_buf_append(w->out, "\"\"", 2);
    ms_buf_append(w->out, w->lf ? "\n" : "\r\n", w->lf ? 1 : 2);
    w->nfields = 0;
    w->first_empty = false;
}
