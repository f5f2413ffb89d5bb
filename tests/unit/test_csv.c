/* test_csv.c: unit tests of src/core/csv: reading (quoting, row and line numbers, BOM,
 * delimiters, UTF-8, caps, strict and relaxed quotes), header mapping, typed cells and the
 * writer (quoting, formula cells, round trips). Not a test of any module's import. */
#include "unit.h"

#include "core/buf.h"
#include "core/csv.h"

/* Every record read, as text: "row/line:[field][field]\n". */
typedef struct seen {
    ms_buf out;
    size_t stop_at; /* index at which to return MS_CSV_STOP, 0 for never */
    int fail_at;    /* index at which to fail with MS_ECONFLICT, -1 for never */
} seen;

static int collect(void *ctx, const ms_csv_record *rec, ms_error *e)
{
    seen *s = ctx;
    ms_buf_printf(&s->out, "%zu/%zu:", rec->row, rec->line);
    for (size_t i = 0; i < rec->nfields; i++) {
        const ms_csv_field *f = &rec->fields[i];
        assert_int_equal(f->data[f->len], '\0');
        assert_int_equal(strlen(f->data), f->len);
        ms_buf_putc(&s->out, '[');
        ms_buf_append(&s->out, f->data, f->len);
        ms_buf_putc(&s->out, ']');
    }
    ms_buf_putc(&s->out, '\n');
    if (s->stop_at && rec->index == s->stop_at) return MS_CSV_STOP;
    if (s->fail_at >= 0 && rec->index == (size_t)s->fail_at)
        return ms_fail(e, MS_ECONFLICT, NULL, "stopped by the test at row %zu", rec->row);
    return 0;
}

/* Read `in` with `o` (NULL: defaults); the records as text, or NULL on error (then `rc`). */
static char *read_all(const char *in, size_t n, const ms_csv_read_opts *o, int *rc,
                      ms_csv_read_info *info, ms_error *e)
{
    seen s = {.fail_at = -1};
    ms_buf_init(&s.out);
    ms_error_clear(e);
    *rc = ms_csv_read(in, n, o, collect, &s, info, e);
    if (*rc) {
        ms_buf_free(&s.out);
        return NULL;
    }
    return ms_buf_take(&s.out);
}

/* The records of `in` read with default options; the test fails on a reading error. */
static char *records(const char *in)
{
    int rc;
    ms_error e;
    char *out = read_all(in, strlen(in), NULL, &rc, NULL, &e);
    if (rc) fail_msg("unexpected error %d: %s", rc, e.detail);
    return out;
}

#define assert_records(in, want)                                                                   \
    do {                                                                                           \
        char *got_ = records(in);                                                                  \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* Read `in` expecting error `code`; the detail must contain `needle`. */
static void assert_read_fails(const char *in, size_t n, const ms_csv_read_opts *o, int code,
                              const char *needle)
{
    int rc;
    ms_error e;
    char *out = read_all(in, n, o, &rc, NULL, &e);
    free(out);
    assert_int_equal(rc, code);
    if (!strstr(e.detail, needle)) fail_msg("\"%s\" not in \"%s\"", needle, e.detail);
}

static void test_quoting(void **state)
{
    (void)state;
    assert_records("a,b\n", "1/1:[a][b]\n");
    assert_records("\"a\"\"b\",\"say \"\"hi\"\"\"\n", "1/1:[a\"b][say \"hi\"]\n");
    /* A line break inside quotes is data, CRLF and all. */
    assert_records("\"one\ntwo\",x\r\n\"3\r\n4\",y\r\n", "1/1:[one\ntwo][x]\n2/3:[3\r\n4][y]\n");
    assert_records("a,b\r\nc,d\r\n", "1/1:[a][b]\n2/2:[c][d]\n");
    /* No line break after the last record. */
    assert_records("a,b\nc,d", "1/1:[a][b]\n2/2:[c][d]\n");
    assert_records("a,b\n\"c\nd\"", "1/1:[a][b]\n2/2:[c\nd]\n");
    /* Empty fields, quoted and not, at both ends. */
    assert_records(",a,,\"\",b,\n", "1/1:[][a][][][b][]\n");
    /* Unquoted spaces are trimmed, quoted ones kept. */
    assert_records("  a  , \" b \" ,c\n", "1/1:[a][ b ][c]\n");
    /* Only a header; nothing at all. */
    assert_records("Title,Frame In\n", "1/1:[Title][Frame In]\n");
    assert_records("Title,Frame In", "1/1:[Title][Frame In]\n");
    assert_records("", "");
    assert_records("\n\n", "");
    /* Delimiters and quotes inside quotes, and Chinese text. */
    assert_records("\"上海, 北京\",\"\"\"引号\"\"\"\n", "1/1:[上海, 北京][\"引号\"]\n");
}

static void test_rows_and_lines(void **state)
{
    (void)state;
    /* Blank lines (also of spaces) are rows and lines but no records; a line break inside
     * quotes is a line but not a row. */
    assert_records("h1,h2\n\nr2a,r2b\n   \n\"x\ny\",z\nlast,1\n",
                   "1/1:[h1][h2]\n3/3:[r2a][r2b]\n5/5:[x\ny][z]\n6/7:[last][1]\n");
    /* Leading blank lines: the header is still the first record. */
    assert_records("\n\nh\nv\n", "3/3:[h]\n4/4:[v]\n");
    /* Lone CRs end lines too (old Mac files), and CRLF is one line break. */
    assert_records("a\rb\r\rc", "1/1:[a]\n2/2:[b]\n4/4:[c]\n");
    assert_records("a\r\n\r\nb\r\n", "1/1:[a]\n3/3:[b]\n");
    /* The record index counts delivered records: the header is 0. */
    int rc;
    ms_error e;
    ms_csv_read_info info;
    char *out = read_all("\nh\n\"a\nb\"\n", 9, NULL, &rc, &info, &e);
    assert_int_equal(rc, 0);
    assert_int_equal(info.records, 2);
    assert_int_equal(info.row, 3);
    assert_int_equal(info.line, 3);
    free(out);
}

static void test_blank_records(void **state)
{
    (void)state;
    /* Spreadsheets export rows that only look empty as ",,,": skipped, but counted. */
    assert_records("a,b\n,\n , \"\" \nc,d\n", "1/1:[a][b]\n4/4:[c][d]\n");
    ms_csv_read_opts o = {.keep_blank = true};
    int rc;
    ms_error e;
    const char *in = "a,b\n,\nc,d\n";
    char *out = read_all(in, strlen(in), &o, &rc, NULL, &e);
    assert_string_equal(out, "1/1:[a][b]\n2/2:[][]\n3/3:[c][d]\n");
    free(out);
}

static void test_bom_and_utf16(void **state)
{
    (void)state;
    int rc;
    ms_error e;
    ms_csv_read_info info;
    const char *in = "\xEF\xBB\xBFTitle,Frame In\nA,1\n";
    char *out = read_all(in, strlen(in), NULL, &rc, &info, &e);
    assert_string_equal(out, "1/1:[Title][Frame In]\n2/2:[A][1]\n");
    assert_true(info.bom);
    free(out);
    /* Only one BOM is taken away: a second one is data. */
    assert_records("\xEF\xBB\xBF\xEF\xBB\xBF"
                   "a\n",
                   "1/1:[\xEF\xBB\xBF"
                   "a]\n");
    assert_read_fails("\xFF\xFE"
                      "a\0,\0",
                      6, NULL, MS_EINVAL, "UTF-16");
    assert_read_fails("\xFE\xFF\0a\0,", 6, NULL, MS_EINVAL, "UTF-16");
    /* UTF-16 without a BOM shows as NUL bytes. */
    assert_read_fails("a\0,\0b\0", 6, NULL, MS_EINVAL, "NUL byte");
}

static void test_delimiters(void **state)
{
    (void)state;
    int rc;
    ms_error e;
    ms_csv_read_info info;
    struct {
        const char *in;
        char delim;
        const char *want;
    } cases[] = {
        {"Title;Frame In;Notes\nA;1;x, y\n", ';',
         "1/1:[Title][Frame In][Notes]\n2/2:[A][1][x, y]\n"},
        {"Title\tFrame In\tNotes\nA\t1\t x, y \n", '\t',
         "1/1:[Title][Frame In][Notes]\n2/2:[A][1][x, y]\n"},
        /* A TSV with empty cells: tabs are data separators, never trimmed as spaces. */
        {"a\t\tc\n\t\t\n", '\t', "1/1:[a][][c]\n"},
        {"Title,Frame In\nA,1\n", ',', "1/1:[Title][Frame In]\n2/2:[A][1]\n"},
        /* Delimiters inside quotes do not count; ties go to ','. */
        {"\"a;b;c\",d\n", ',', "1/1:[a;b;c][d]\n"},
        {"a;b,c\n", ',', "1/1:[a;b][c]\n"},
        {"one column\nvalue\n", ',', "1/1:[one column]\n2/2:[value]\n"},
        /* The first line that is not blank decides. */
        {"\n\na;b\n", ';', "3/3:[a][b]\n"},
        /* Excel's sep= line: no row, but a line. */
        {"sep=;\r\na;b\r\n", ';', "1/2:[a][b]\n"},
        {"sep=|\na|b,c\n", '|', "1/2:[a][b,c]\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *out = read_all(cases[i].in, strlen(cases[i].in), NULL, &rc, &info, &e);
        assert_int_equal(rc, 0);
        assert_int_equal(info.delim, cases[i].delim);
        assert_string_equal(out, cases[i].want);
        free(out);
    }
    /* An explicit delimiter wins over detection. */
    ms_csv_read_opts o = {.delim = ';'};
    char *out = read_all("a,b;c\n", 6, &o, &rc, &info, &e);
    assert_string_equal(out, "1/1:[a,b][c]\n");
    free(out);
    assert_read_fails("sep=;\na;b\n", 10, &(ms_csv_read_opts){.delim = ','}, MS_EINVAL, "sep=;");
    assert_read_fails("a\n", 2, &(ms_csv_read_opts){.delim = 'x'}, MS_EINVAL, "delimiter");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* Reported with row, line and column. */
    assert_read_fails("h1,h2\n\"a\nb\",ok\nx,caf\xE9\n", 22, NULL, MS_EINVAL,
                      "Row 3 (line 4), column 2 is not valid UTF-8 (byte 4 of the field)");
    assert_read_fails("\xC0\xAF\n", 3, NULL, MS_EINVAL, "Row 1 (line 1), column 1"); /* overlong */
    assert_read_fails("a,\xED\xA0\x80\n", 6, NULL, MS_EINVAL, "column 2");           /* surrogate */
    assert_read_fails("a,\xF4\x90\x80\x80\n", 7, NULL, MS_EINVAL, "not valid UTF-8"); /* too big */
    assert_read_fails("a,\xE4\xB8\n", 5, NULL, MS_EINVAL, "not valid UTF-8");         /* cut */
    /* In the header too: it is record 1. */
    assert_read_fails("Ti\xFFtle\n", 7, NULL, MS_EINVAL, "Row 1 (line 1)");
    assert_records("名字,🎬\n", "1/1:[名字][🎬]\n");
}

static void test_caps(void **state)
{
    (void)state;
    ms_csv_read_opts o = {.max_fields = 3, .max_field_len = 5};
    int rc;
    ms_error e;
    char *out = read_all("a,b,c\n12345,\"1,345\",\n", 21, &o, &rc, NULL, &e);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "1/1:[a][b][c]\n2/2:[12345][1,345][]\n");
    free(out);
    assert_read_fails("a,b,c\n\n1,2,3,4\n", 15, &o, MS_ETOOBIG,
                      "Row 3 (line 3) has more than 3 fields");
    assert_read_fails("a,b\n1,123456\n", 13, &o, MS_ETOOBIG,
                      "Row 2 (line 2), column 2 is longer than 5 bytes");
    /* A field over the cap is refused while it is still being read, long before the end of a
     * file that a quote never closed turns into one field. */
    size_t n = 8u << 20;
    char *big = malloc(n);
    memset(big, 'x', n);
    memcpy(big, "h\n\"", 3);
    for (size_t i = 100; i < n; i += 100)
        big[i] = '\n';
    ms_csv_read_opts d = {0};
    out = read_all(big, n, &d, &rc, NULL, &e);
    assert_null(out);
    assert_int_equal(rc, MS_ETOOBIG);
    assert_non_null(strstr(e.detail, "Row 2 (line 2), column 1 is longer than 1048576 bytes"));
    /* A long line within the caps is fine (it is fed in pieces). */
    memset(big, 'y', 300000);
    memcpy(big, "v\n", 2);
    out = read_all(big, 300000, NULL, &rc, NULL, &e);
    assert_int_equal(rc, 0);
    assert_int_equal(strlen(out), strlen("1/1:[v]\n2/2:[]\n") + 299998);
    free(out);
    free(big);
}

static void test_strict_and_relaxed(void **state)
{
    (void)state;
    /* Relaxed: a stray quote inside an unquoted field is kept as a character. */
    assert_records("a\"b,c\n", "1/1:[a\"b][c]\n");
    ms_csv_read_opts strict = {.strict = true};
    assert_read_fails("h\nok\nx,a\"b,c\n", 13, &strict, MS_EINVAL, "Row 3, line 3, column 2");
    assert_read_fails("h\n\"ab\"c,d\n", 10, &strict, MS_EINVAL, "text after a closing quote");
    /* Spaces after a closing quote are fine in both modes. */
    int rc;
    ms_error e;
    char *out = read_all("\"ab\"  ,c\n", 9, &strict, &rc, NULL, &e);
    assert_string_equal(out, "1/1:[ab][c]\n");
    free(out);
    /* A quote never closed is an error in both modes, reported where its record starts. */
    assert_read_fails("h1,h2\n1,\"open\n2,3\n4,5\n", 22, NULL, MS_EINVAL,
                      "Row 2 (line 2), column 2: a quoted field is never closed");
    assert_read_fails("h1,h2\n1,\"open\n2,3\n4,5\n", 22, &strict, MS_EINVAL, "never closed");
    /* In relaxed mode "ab"c reopens the quote, so it is the same error. */
    assert_read_fails("h\n\"ab\"c,d\n", 10, NULL, MS_EINVAL, "never closed");
}

static void test_callback_stop_and_error(void **state)
{
    (void)state;
    const char *in = "h\n1\n2\n3\n";
    seen s = {.stop_at = 2, .fail_at = -1};
    ms_buf_init(&s.out);
    ms_error e;
    ms_error_clear(&e);
    ms_csv_read_info info;
    assert_int_equal(ms_csv_read(in, strlen(in), NULL, collect, &s, &info, &e), 0);
    assert_string_equal(s.out.data, "1/1:[h]\n2/2:[1]\n3/3:[2]\n");
    assert_int_equal(info.records, 3);
    ms_buf_reset(&s.out);
    s.stop_at = 0;
    s.fail_at = 1;
    assert_int_equal(ms_csv_read(in, strlen(in), NULL, collect, &s, &info, &e), MS_ECONFLICT);
    assert_string_equal(e.detail, "stopped by the test at row 2");
    assert_string_equal(s.out.data, "1/1:[h]\n2/2:[1]\n");
    assert_int_equal(info.row, 2);
    ms_buf_free(&s.out);
    /* No callback: a dry run that only checks the file. */
    assert_int_equal(ms_csv_read(in, strlen(in), NULL, NULL, NULL, &info, &e), 0);
    assert_int_equal(info.records, 4);
}

/* ---- Header mapping ---------------------------------------------------------------------- */

enum { K_NAME, K_FRAME_IN, K_FRAME_OUT, K_STATUS };
static const ms_csv_column shot_cols[] = {
    {"name", "Shot|Name|code|Entity Name", true},
    {"frame_in", "Frame In|Cut In|sg_cut_in", true},
    {"frame_out", "Frame Out|Cut Out|sg_cut_out", false},
    {"status", "Status|sg_status_list", false},
    {NULL, NULL, false},
};

typedef struct map_ctx {
    ms_csv_map *m;
    int rc;
} map_ctx;

static int map_first(void *ctx, const ms_csv_record *rec, ms_error *e)
{
    map_ctx *c = ctx;
    c->rc = ms_csv_map_header(rec, shot_cols, c->m, e);
    return c->rc ? c->rc : MS_CSV_STOP;
}

/* Map the header (first record) of `in`. */
static int map_of(const char *in, ms_csv_map *m, ms_error *e)
{
    map_ctx c = {m, 0};
    ms_error_clear(e);
    int rc = ms_csv_read(in, strlen(in), NULL, map_first, &c, NULL, e);
    return rc ? rc : c.rc;
}

static void test_name_eq(void **state)
{
    (void)state;
    assert_true(ms_csv_name_eq("Frame In", 8, "frame_in", 8));
    assert_true(ms_csv_name_eq("  FRAME--in ", 12, "frame in", 8));
    assert_true(ms_csv_name_eq("frame _ - in", 12, "Frame-In", 8));
    assert_true(ms_csv_name_eq("_sg_cut_in_", 11, "sg cut in", 9));
    assert_false(ms_csv_name_eq("framein", 7, "frame_in", 8));
    assert_false(ms_csv_name_eq("frame in 2", 10, "frame_in", 8));
    assert_true(ms_csv_name_eq("镜头号", strlen("镜头号"), "镜头号", strlen("镜头号")));
    assert_true(ms_csv_name_eq("", 0, " _ ", 3));
}

static void test_header_map(void **state)
{
    (void)state;
    ms_csv_map m;
    ms_error e;
    /* Kitsu's and ShotGrid's names, our keys, any case and spacing; unknown and empty header
     * cells are noted, not errors. */
    assert_int_equal(map_of("Entity Name, sg_cut_in ,Notes,,CUT-OUT,Extra\n1,2\n", &m, &e), 0);
    assert_int_equal(m.nkeys, 4);
    assert_int_equal(m.col[K_NAME], 0);
    assert_int_equal(m.col[K_FRAME_IN], 1);
    assert_int_equal(m.col[K_FRAME_OUT], 4);
    assert_int_equal(m.col[K_STATUS], -1);
    assert_int_equal(m.nunknown, 2);
    assert_int_equal(m.unknown[0], 2);
    assert_int_equal(m.unknown[1], 5);
    assert_int_equal(ms_csv_map_require(&m, shot_cols, &e), 0);
    ms_csv_map_free(&m);
    assert_int_equal(map_of("frame_in;name;STATUS\n", &m, &e), 0);
    assert_int_equal(m.col[K_NAME], 1);
    assert_int_equal(m.col[K_FRAME_IN], 0);
    assert_int_equal(m.col[K_STATUS], 2);
    assert_int_equal(m.nunknown, 0);
    ms_csv_map_free(&m);

    /* Two columns meaning one key: an error naming both. */
    assert_int_equal(map_of("Shot,Frame In,Cut In\n", &m, &e), MS_EINVAL);
    assert_string_equal(e.detail, "Columns 2 (\"Frame In\") and 3 (\"Cut In\") of the header "
                                  "both mean frame_in. Keep one of them.");
    assert_int_equal(e.nfields, 1);
    assert_string_equal(e.fields[0].field, "frame_in");
    assert_null(m.col);
    assert_int_equal(map_of("name,Name\n", &m, &e), MS_EINVAL);
    assert_string_equal(e.fields[0].field, "name");

    /* Required columns: every missing one named, with the names that would do. */
    assert_int_equal(map_of("Status,Notes\n", &m, &e), 0);
    ms_error_clear(&e);
    assert_int_equal(ms_csv_map_require(&m, shot_cols, &e), MS_EINVAL);
    assert_string_equal(e.detail, "The header lacks required columns: Shot, Frame In.");
    assert_int_equal(e.nfields, 2);
    assert_string_equal(e.fields[1].field, "frame_in");
    assert_string_equal(e.fields[1].message,
                        "required column is missing; accepted names: Frame In, Cut In, "
                        "sg_cut_in, frame_in");
    ms_csv_map_free(&m);
}

static int check_get(void *ctx, const ms_csv_record *rec, ms_error *e)
{
    (void)ctx;
    (void)e;
    assert_string_equal(ms_csv_get(rec, 0).data, "a");
    assert_string_equal(ms_csv_get(rec, 1).data, "");
    assert_int_equal(ms_csv_get(rec, 2).len, 0);
    assert_int_equal(ms_csv_get(rec, -1).len, 0);
    ms_error_clear(e);
    assert_int_equal(ms_csv_fail_cell(e, rec, "Frame In", "must be a whole number"), MS_EINVAL);
    assert_string_equal(e->fields[0].field, "row 3, line 3, Frame In");
    assert_string_equal(e->fields[0].message, "must be a whole number");
    /* Long column names are cut between characters, never inside one. */
    ms_csv_fail_cell(e, rec, "镜头镜头镜头镜头镜头镜头镜头镜头镜头镜头镜头镜头镜头镜头镜头", "x");
    assert_string_equal(e->fields[1].field, "row 3, line 3, 镜头镜头镜头镜头镜头镜头镜…");
    return 0;
}

static void test_get_and_fail_cell(void **state)
{
    (void)state;
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(ms_csv_read("\n\na,\n", 5, &(ms_csv_read_opts){.keep_blank = true}, check_get,
                                 NULL, NULL, &e),
                     0);
}

/* ---- Typed cells ------------------------------------------------------------------------- */

static void test_cell_int(void **state)
{
    (void)state;
    char msg[MS_CSV_MSG_MAX];
    int64_t v;
    assert_int_equal(ms_csv_cell_int(" 1001 ", 6, 0, 100000, &v, msg), 0);
    assert_int_equal(v, 1001);
    assert_int_equal(ms_csv_cell_int("-7", 2, -10, 10, &v, msg), 0);
    assert_int_equal(v, -7);
    assert_int_equal(ms_csv_cell_int("+7", 2, -10, 10, &v, msg), 0);
    assert_int_equal(ms_csv_cell_int("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &v, msg), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(ms_csv_cell_int("12a", 3, 0, 100, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "must be a whole number, got \"12a\"");
    assert_int_equal(ms_csv_cell_int("1,000", 5, 0, 10000, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_int("1e3", 3, 0, 10000, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_int("12.0", 4, 0, 100, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_int("-", 1, 0, 100, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_int("101", 3, 0, 100, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "must be between 0 and 100, got \"101\"");
    assert_int_equal(ms_csv_cell_int("99999999999999999999999", 23, 0, 100, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "must be between 0 and 100, got \"99999999999999999999999\"");
    assert_int_equal(ms_csv_cell_int("  ", 2, 0, 100, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "is empty; a whole number is expected, got \"\"");
    /* The value shown is cut at 40 bytes, between characters, and control bytes hidden. */
    const char *longv = "第一第二第三第四第五第六第七第八第九第十\n";
    assert_int_equal(ms_csv_cell_int(longv, strlen(longv), 0, 1, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "must be a whole number, got \"第一第二第三第四第五第六第…\"");
    assert_int_equal(ms_csv_cell_int("a\tb", 3, 0, 1, &v, NULL), MS_EINVAL);
    assert_int_equal(ms_csv_cell_int("a\nb", 3, 0, 1, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "must be a whole number, got \"a?b\"");
}

static void test_cell_decimal(void **state)
{
    (void)state;
    char msg[MS_CSV_MSG_MAX];
    int64_t v;
    assert_int_equal(ms_csv_cell_decimal("12.5", 4, 2, false, &v, msg), 0);
    assert_int_equal(v, 1250);
    assert_int_equal(ms_csv_cell_decimal("23.976", 6, 3, false, &v, msg), 0);
    assert_int_equal(v, 23976);
    assert_int_equal(ms_csv_cell_decimal("-0.5", 4, 2, false, &v, msg), 0);
    assert_int_equal(v, -50);
    assert_int_equal(ms_csv_cell_decimal(".5", 2, 1, false, &v, msg), 0);
    assert_int_equal(v, 5);
    assert_int_equal(ms_csv_cell_decimal("3.", 2, 1, false, &v, msg), 0);
    assert_int_equal(v, 30);
    assert_int_equal(ms_csv_cell_decimal("7", 1, 0, false, &v, msg), 0);
    assert_int_equal(v, 7);
    assert_int_equal(ms_csv_cell_decimal("3.9900", 6, 2, false, &v, msg), 0); /* zeros: fine */
    assert_int_equal(v, 399);
    assert_int_equal(ms_csv_cell_decimal("3.999", 5, 2, false, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "must have at most 2 decimal places, got \"3.999\"");
    assert_int_equal(ms_csv_cell_decimal("12,5", 4, 2, false, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "must be a number written with a decimal point, got \"12,5\"");
    assert_int_equal(ms_csv_cell_decimal("12,5", 4, 2, true, &v, msg), 0);
    assert_int_equal(v, 1250);
    assert_int_equal(ms_csv_cell_decimal("1,000.5", 7, 2, true, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_decimal("1.2.3", 5, 2, false, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_decimal("1e5", 3, 2, false, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_decimal(".", 1, 2, false, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_decimal("-", 1, 2, false, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_decimal("", 0, 2, false, &v, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_decimal("92233720368547758.08", 20, 2, false, &v, msg), MS_EINVAL);
    assert_string_equal(msg, "is too large, got \"92233720368547758.08\"");
    assert_int_equal(ms_csv_cell_decimal("92233720368547758.07", 20, 2, false, &v, msg), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(ms_csv_cell_decimal("1", 1, 10, false, &v, msg), MS_EINVAL);
}

static void test_cell_date(void **state)
{
    (void)state;
    char msg[MS_CSV_MSG_MAX];
    int64_t d;
    assert_int_equal(ms_csv_cell_date("1970-01-02", 10, &d, msg), 0);
    assert_int_equal(d, 1);
    assert_int_equal(ms_csv_cell_date("2024-02-29", 10, &d, msg), 0); /* leap year */
    assert_int_equal(ms_csv_cell_date("2000-02-29", 10, &d, msg), 0); /* divisible by 400 */
    assert_int_equal(ms_csv_cell_date(" 2026-12-31 ", 12, NULL, msg), 0);
    assert_int_equal(ms_csv_cell_date("2023-02-29", 10, &d, msg), MS_EINVAL);
    assert_string_equal(msg, "is not a date: 2023 is not a leap year, got \"2023-02-29\"");
    assert_int_equal(ms_csv_cell_date("1900-02-29", 10, &d, msg), MS_EINVAL); /* by 100 */
    assert_string_equal(msg, "is not a date: 1900 is not a leap year, got \"1900-02-29\"");
    assert_int_equal(ms_csv_cell_date("2026-04-31", 10, &d, msg), MS_EINVAL);
    assert_string_equal(msg, "is not a calendar date, got \"2026-04-31\"");
    assert_int_equal(ms_csv_cell_date("2026-13-01", 10, &d, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_date("2026-00-10", 10, &d, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_date("0000-01-01", 10, &d, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_date("3/1/2026", 8, &d, msg), MS_EINVAL);
    assert_string_equal(msg, "must be a date written YYYY-MM-DD, got \"3/1/2026\"");
    assert_int_equal(ms_csv_cell_date("2026-3-01", 9, &d, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_date("2026-03-01T00:00", 16, &d, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_date("2026-0a-01", 10, &d, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_date("", 0, &d, msg), MS_EINVAL);
}

static void test_cell_bool(void **state)
{
    (void)state;
    char msg[MS_CSV_MSG_MAX];
    const char *yes[] = {"true", "TRUE", "Yes", "1", "x", " X "};
    const char *no[] = {"false", "False", "NO", "0"};
    bool b;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        b = false;
        assert_int_equal(ms_csv_cell_bool(yes[i], strlen(yes[i]), &b, msg), 0);
        assert_true(b);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        b = true;
        assert_int_equal(ms_csv_cell_bool(no[i], strlen(no[i]), &b, msg), 0);
        assert_false(b);
    }
    assert_int_equal(ms_csv_cell_bool("maybe", 5, &b, msg), MS_EINVAL);
    assert_string_equal(msg, "must be true/false, yes/no, 1/0 or x, got \"maybe\"");
    assert_int_equal(ms_csv_cell_bool("yess", 4, &b, msg), MS_EINVAL);
    assert_int_equal(ms_csv_cell_bool("", 0, &b, msg), MS_EINVAL);
    assert_true(ms_csv_blank(" \t ", 3));
    assert_false(ms_csv_blank(" x ", 3));
}

/* ---- Writing ----------------------------------------------------------------------------- */

static void test_writer_quoting(void **state)
{
    (void)state;
    ms_buf b;
    ms_buf_init(&b);
    ms_csv_writer w;
    ms_csv_writer_init(&w, &b, NULL);
    ms_csv_put(&w, "plain");
    ms_csv_put(&w, "a,b");
    ms_csv_put(&w, "say \"hi\"");
    ms_csv_put(&w, "two\nlines");
    ms_csv_put(&w, "cr\rhere");
    ms_csv_put(&w, " lead");
    ms_csv_put(&w, "trail ");
    ms_csv_put(&w, "");
    ms_csv_put(&w, NULL);
    ms_csv_put(&w, "上海;北京");
    ms_csv_end_record(&w);
    assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\","
                                "\" lead\",\"trail \",,,上海;北京\r\n");
    /* A record of one empty field is not a blank line; a BOM-like or sep= cell is quoted. */
    ms_buf_reset(&b);
    ms_csv_put(&w, "");
    ms_csv_end_record(&w);
    ms_csv_put(&w, "sep=;");
    ms_csv_put(&w, "\xEF\xBB\xBFx");
    ms_csv_end_record(&w);
    assert_string_equal(b.data, "\"\"\r\n\"sep=;\",\"\xEF\xBB\xBFx\"\r\n");
    /* LF, ';', a BOM; the delimiter decides what is quoted. */
    ms_buf_reset(&b);
    ms_csv_writer_init(&w, &b, &(ms_csv_write_opts){.delim = ';', .lf = true, .bom = true});
    ms_csv_put(&w, "a,b");
    ms_csv_put(&w, "a;b");
    ms_csv_put_i64(&w, -42);
    ms_csv_end_record(&w);
    assert_string_equal(b.data, "\xEF\xBB\xBF"
                                "a,b;\"a;b\";-42\n");
    ms_buf_reset(&b);
    ms_csv_writer_init(&w, &b, &(ms_csv_write_opts){.delim = '\t', .lf = true});
    ms_csv_put_header(&w, shot_cols);
    ms_csv_put(&w, "tab\there");
    ms_csv_end_record(&w);
    assert_string_equal(b.data, "Shot\tFrame In\tFrame Out\tStatus\t\"tab\there\"\n");
    assert_false(b.oom);
    ms_buf_free(&b);
}

static void test_writer_formula_cells(void **state)
{
    (void)state;
    ms_buf b;
    ms_buf_init(&b);
    ms_csv_writer w;
    ms_csv_writer_init(&w, &b, &(ms_csv_write_opts){.lf = true});
    ms_csv_put(&w, "=SUM(A1:A9)");
    ms_csv_put(&w, "+1");
    ms_csv_put(&w, "-1");
    ms_csv_put(&w, "@cmd");
    ms_csv_put(&w, "\tx");
    ms_csv_put(&w, "\rx");
    ms_csv_put(&w, "'=already");
    ms_csv_put(&w, "'plain");
    ms_csv_put(&w, "a=b");
    ms_csv_end_record(&w);
    assert_string_equal(b.data, "'=SUM(A1:A9),'+1,'-1,'@cmd,\"'\tx\",\"'\rx\",''=already,'plain,"
                                "a=b\n");
    /* Numeric columns: plain numbers stay numbers; anything else is text, defused. */
    ms_buf_reset(&b);
    const char *nums[] = {"-12", "3.5", "-0.25", "1e-3", "-2E+5", "0"};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
        ms_csv_put_number(&w, nums[i]);
    ms_csv_end_record(&w);
    assert_string_equal(b.data, "-12,3.5,-0.25,1e-3,-2E+5,0\n");
    ms_buf_reset(&b);
    const char *bad[] = {"-1+2", "=1", "-", "1.", "+5", "-cmd|' /C calc'!A0", " 1", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ms_csv_put_number(&w, bad[i]);
    ms_csv_put_number(&w, NULL);
    ms_csv_end_record(&w);
    assert_string_equal(b.data, "'-1+2,'=1,'-,1.,'+5,'-cmd|' /C calc'!A0,\" 1\",,\n");

    /* Reading takes the apostrophe away again, unless asked not to. */
    int rc;
    ms_error e;
    const char *in = "'=SUM(A1),'-1,''=x,'plain,'\n";
    char *out = read_all(in, strlen(in), NULL, &rc, NULL, &e);
    assert_string_equal(out, "1/1:[=SUM(A1)][-1]['=x]['plain][']\n");
    free(out);
    out = read_all(in, strlen(in), &(ms_csv_read_opts){.keep_apostrophe = true}, &rc, NULL, &e);
    assert_string_equal(out, "1/1:['=SUM(A1)]['-1][''=x]['plain][']\n");
    free(out);
    ms_buf_free(&b);
}

/* Write `cells` (records ended by a NULL) and read them back, strictly and with detection. */
static void round_trip(const char *const *cells, size_t ncells, const ms_csv_write_opts *wo)
{
    ms_buf b, want;
    ms_buf_init(&b);
    ms_buf_init(&want);
    ms_csv_writer w;
    ms_csv_writer_init(&w, &b, wo);
    size_t row = 1, line = 1;
    ms_buf_printf(&want, "%zu/%zu:", row, line);
    for (size_t i = 0; i < ncells; i++) {
        if (!cells[i]) {
            ms_csv_end_record(&w);
            line++;
            ms_buf_putc(&want, '\n');
            row++;
            if (i + 1 < ncells) ms_buf_printf(&want, "%zu/%zu:", row, line);
            continue;
        }
        ms_csv_put(&w, cells[i]);
        ms_buf_printf(&want, "[%s]", cells[i]);
        for (const char *p = cells[i]; *p; p++) /* line breaks inside quotes */
            if (*p == '\n' || (*p == '\r' && p[1] != '\n')) line++;
    }
    int rc;
    ms_error e;
    ms_csv_read_opts ro = {.strict = true};
    char *out = read_all(b.data, b.len, &ro, &rc, NULL, &e);
    if (rc) fail_msg("%s in %s", e.detail, b.data);
    assert_string_equal(out, want.data);
    /* Detection finds the delimiter the writer used. */
    free(out);
    ms_csv_read_info info;
    out = read_all(b.data, b.len, NULL, &rc, &info, &e);
    assert_int_equal(info.delim, wo && wo->delim ? wo->delim : ',');
    assert_string_equal(out, want.data);
    free(out);
    ms_buf_free(&b);
    ms_buf_free(&want);
}

static void test_writer_round_trip(void **state)
{
    (void)state;
    static const char *const cells[] = {
        "镜头",       "Frame In",
        "备注",       "Tab\tseparated",
        NULL,         "SH010 上海外滩",
        "1001",       "comma, inside",
        "\"quoted\"", NULL,
        "two\nlines", "  spaces kept  ",
        "",           "CRLF\r\ninside",
        NULL,         "=HYPERLINK(\"http://x\")",
        "-5",         "'=not a formula",
        "@sum",       NULL,
        "emoji 🎬",    "semi;colon",
        "pipe|here",  "'",
        NULL,
    };
    size_t n = sizeof cells / sizeof *cells;
    round_trip(cells, n, NULL);
    round_trip(cells, n, &(ms_csv_write_opts){.lf = true, .bom = true});
    round_trip(cells, n, &(ms_csv_write_opts){.delim = ';'});
    round_trip(cells, n, &(ms_csv_write_opts){.delim = '\t', .lf = true});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_rows_and_lines),
        cmocka_unit_test(test_blank_records),
        cmocka_unit_test(test_bom_and_utf16),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_strict_and_relaxed),
        cmocka_unit_test(test_callback_stop_and_error),
        cmocka_unit_test(test_name_eq),
        cmocka_unit_test(test_header_map),
        cmocka_unit_test(test_get_and_fail_cell),
        cmocka_unit_test(test_cell_int),
        cmocka_unit_test(test_cell_decimal),
        cmocka_unit_test(test_cell_date),
        cmocka_unit_test(test_cell_bool),
        cmocka_unit_test(test_writer_quoting),
        cmocka_unit_test(test_writer_formula_cells),
        cmocka_unit_test(test_writer_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
