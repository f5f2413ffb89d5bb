/* fuzz_ema.c: libFuzzer target for src/rights/ema: the EMA Avails reader on any bytes (its
 * first byte picks the delimiter: detected, tab or comma), then the writer on what it read.
 * Invariants: no crash, no leak, no sanitizer report; every row is either an avail or a bad
 * row; every avail has a known territory, a known work and license type, and a term whose
 * last day is not before its first; every issue names a row at or after the header; and the
 * avails written as TSV and as CSV read back with no issue and the same cells. */
#include "core/arena.h"
#include "core/buf.h"
#include "rights/dims.h"
#include "rights/ema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(const ema_file *f)
{
    if (f->navails + f->bad_rows != f->rows) abort();
    if (f->nissues > EMA_MAX_ISSUES || f->issues_total < f->nissues) abort();
    if ((f->bad_rows == 0) != (f->issues_total == 0)) abort();
    for (size_t i = 0; i < f->nissues; i++)
        if (f->issues[i].row <= f->header_row || !f->issues[i].message[0]) abort();
    for (size_t i = 0; i < f->navails; i++) {
        const ema_avail *a = &f->avails[i];
        for (int c = 0; c < EMA_NCOLS; c++)
            if (!a->v[c]) abort();
        if (strlen(a->territory) != 2 || dims_terr_index(a->territory) < 0) abort();
        if (!a->open && a->end < a->start) abort();
        if (!ema_work_type_name(a->work_type)[0] || !ema_license_type_name(a->license_type)[0])
            abort();
        if (i && a->row <= f->avails[i - 1].row) abort();
    }
}

static void round_trip(const ema_file *f, char delim)
{
    ms_buf out;
    ms_buf_init(&out);
    ema_write_text(&out, f->avails, f->navails, EMA_LAYOUT_BOTH, delim);
    if (out.oom) abort();
    ms_arena a;
    ms_arena_init(&a, 4096);
    ema_file g;
    ms_error e;
    ms_error_clear(&e);
    int rc = ema_parse(out.data, out.len, delim, &a, &g, &e);
    if (rc || g.issues_total || g.navails != f->navails) abort();
    for (size_t i = 0; i < g.navails; i++)
        for (int c = 0; c < EMA_NCOLS; c++)
            if (strcmp(f->avails[i].v[c], g.avails[i].v[c])) abort();
    ema_file_free(&g);
    ms_arena_free(&a);
    ms_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const char delims[] = {0, '\t', ',', 0};
    char delim = delims[data[0] & 3];
    ms_arena a;
    ms_arena_init(&a, 4096);
    ema_file f;
    ms_error e;
    ms_error_clear(&e);
    int rc = ema_parse(data + 1, size - 1, delim, &a, &f, &e);
    if (rc > 0 || (rc < 0 && (e.code != rc || !e.detail[0]))) abort();
    if (rc == 0) {
        check(&f);
        round_trip(&f, '\t');
        round_trip(&f, ',');
    }
    ema_file_free(&f);
    ms_arena_free(&a);
    return 0;
}
