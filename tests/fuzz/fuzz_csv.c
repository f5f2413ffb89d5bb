/* fuzz_csv.c: libFuzzer target for src/core/csv: the reader under every option, header
 * mapping, the typed cell helpers and the writer. Input: an option byte, then the file.
 * Invariants: no crash, no leak, no sanitizer report; every field is NUL-terminated with no
 * NUL inside; rows and lines only go forward; typed cells that pass are in range; and what
 * the writer makes of the records reads back strictly as the same records (write, read,
 * write again gives the same bytes). */
#include "core/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const ms_csv_column cols[] = {
    {"name", "Shot|Name|code", true},
    {"frame_in", "Frame In|Cut In|sg_cut_in", true},
    {"date", "Start Date|start", false},
    {"flag", "Done|x", false},
    {NULL, NULL, false},
};

typedef struct pass {
    ms_csv_writer w;
    size_t row, line, records;
    bool check_cells;
} pass;

static void check_cells(const ms_csv_record *rec)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        const char *s = rec->fields[i].data;
        size_t n = rec->fields[i].len;
        char msg[MS_CSV_MSG_MAX] = "";
        int64_t v;
        bool b;
        if (ms_csv_cell_int(s, n, -1000, 1000, &v, msg) == 0 && (v < -1000 || v > 1000)) abort();
        if (ms_csv_cell_decimal(s, n, (int)(i % 10), i % 2, &v, msg) == 0 && ms_csv_blank(s, n))
            abort();
        int64_t first = -719162, last = 2932896; /* 0001-01-01 and 9999-12-31 */
        if (ms_csv_cell_date(s, n, &v, msg) == 0 && (v < first || v > last)) abort();
        (void)ms_csv_cell_bool(s, n, &b, msg);
        if (strlen(msg) >= MS_CSV_MSG_MAX) abort();
    }
}

static int on_record(void *ctx, const ms_csv_record *rec, ms_error *e)
{
    pass *p = ctx;
    if (rec->index != p->records || rec->nfields == 0) abort();
    if (p->records && (rec->row <= p->row || rec->line <= p->line)) abort();
    if (rec->row > rec->line) abort();
    p->row = rec->row;
    p->line = rec->line;
    p->records++;
    for (size_t i = 0; i < rec->nfields; i++) {
        const ms_csv_field *f = &rec->fields[i];
        if (f->data[f->len] != '\0' || strlen(f->data) != f->len) abort();
        ms_csv_putn(&p->w, f->data, f->len);
    }
    ms_csv_end_record(&p->w);
    if (p->check_cells) {
        check_cells(rec);
        if (rec->index == 0) {
            ms_csv_map m;
            ms_error me;
            ms_error_clear(&me);
            if (ms_csv_map_header(rec, cols, &m, &me) == 0) {
                for (size_t k = 0; k < m.nkeys; k++)
                    if (m.col[k] >= (int)rec->nfields) abort();
                ms_error_clear(&me);
                (void)ms_csv_map_require(&m, cols, &me);
                ms_csv_map_free(&m);
            } else if (m.col || m.unknown) {
                abort();
            }
        }
        ms_error fe;
        ms_error_clear(&fe);
        ms_csv_fail_cell(&fe, rec, rec->fields[0].data, "bad %zu", rec->nfields);
    }
    (void)e;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const char delims[] = {0, ',', ';', '\t', '|', 0, 0, 0};
    uint8_t opt = data[0];
    ms_csv_read_opts o = {
        .delim = delims[opt & 7],
        .strict = opt & 8,
        .keep_blank = opt & 16,
        .keep_apostrophe = opt & 32,
        .max_fields = opt & 64 ? 4 : 0,
        .max_field_len = opt & 128 ? 16 : 0,
    };
    ms_buf one, two;
    ms_buf_init(&one);
    ms_buf_init(&two);
    pass p1 = {.check_cells = true};
    ms_csv_writer_init(&p1.w, &one, NULL);
    ms_error e;
    ms_error_clear(&e);
    ms_csv_read_info info;
    int rc = ms_csv_read(data + 1, size - 1, &o, on_record, &p1, &info, &e);
    if (rc > 0 || (rc < 0 && e.code != rc) || info.records != p1.records) abort();

    /* Whatever was read before an error is written, and reads back the same. */
    ms_csv_read_opts o2 = o;
    o2.delim = ',';
    o2.strict = true;
    o2.keep_apostrophe = false;
    pass p2 = {0};
    ms_csv_writer_init(&p2.w, &two, NULL);
    ms_error_clear(&e);
    rc = ms_csv_read(one.data, one.len, &o2, on_record, &p2, &info, &e);
    if (rc != 0 || p2.records != p1.records || one.len != two.len ||
        (one.len && memcmp(one.data, two.data, one.len) != 0))
        abort();
    ms_buf_free(&one);
    ms_buf_free(&two);
    return 0;
}
