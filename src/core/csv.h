/* csv.h: reading and writing CSV and TSV, the one way every module imports and exports tables
 * (production's shot and task lists, rights' EMA avails, talent's people and credits).
 *
 * Reading: a whole file already in memory goes through Debian's libcsv for the quoting rules,
 * and each record is handed to a callback as soon as it is complete, so a file of a few hundred
 * MB never becomes a few hundred MB of records. Around libcsv this adds what an import needs:
 * the delimiter detected from the first line, the UTF-8 BOM stripped, invalid UTF-8 refused,
 * caps on fields per record and bytes per field, and for every record the row a spreadsheet
 * shows and the line a text editor shows, so that every error message says where to look.
 * Header names map onto canonical keys through lists of accepted names (Kitsu's, ShotGrid's,
 * our own), and small helpers check typed cells (integers, decimals, dates, booleans) with
 * messages fit to show a person.
 *
 * Writing: RFC 4180 quoting into an ms_buf, CRLF or LF, an optional BOM for Excel, and cells
 * that a spreadsheet would run as a formula (= + - @ ...) defused with a leading apostrophe.
 *
 * It is deliberately not a spreadsheet reader (no .xlsx), not an encoding converter (UTF-8
 * only; UTF-16 is recognized and refused with a hint), and knows nothing about what columns
 * mean. The rules as users see them are in docs/csv.md. */
#ifndef MS_CSV_H
#define MS_CSV_H

#include "core/buf.h"
#include "core/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_CSV_MAX_FIELDS    1024      /* default cap on fields in one record */
#define MS_CSV_MAX_FIELD_LEN (1 << 20) /* default cap on the bytes of one field: 1 MiB */
#define MS_CSV_MSG_MAX       160       /* a cell message; the size of ms_field_error.message */
#define MS_CSV_STOP          1         /* a record callback's "stop here, no error" */

/* One field: `len` bytes at `data`, followed by a NUL (embedded NULs are refused on input). */
typedef struct ms_csv_field {
    const char *data;
    size_t len;
} ms_csv_field;

/* One record as the reader hands it over. The fields live until the callback returns. */
typedef struct ms_csv_record {
    size_t index; /* 0 for the first record delivered (the header), then 1, 2, ... */
    size_t row;   /* the row a spreadsheet shows (1-based; blank lines count, line breaks
                     inside quotes do not); the header is row 1 unless blank lines precede it */
    size_t line;  /* the line a text editor shows where the record starts (1-based) */
    size_t nfields;
    const ms_csv_field *fields;
} ms_csv_record;

/* Called once per record. Return 0 to go on, MS_CSV_STOP to end the reading without an error,
 * or a negative MS_E* code (after filling `e`) to end it with that error. */
typedef int (*ms_csv_record_fn)(void *ctx, const ms_csv_record *rec, ms_error *e);

/* Reading options; all zero is the usual choice: delimiter detected, relaxed quoting, blank
 * records skipped, the default caps. */
typedef struct ms_csv_read_opts {
    char delim;           /* ',', ';', '\t' or '|'; 0: detect ',' ';' or '\t' (docs/csv.md) */
    bool strict;          /* refuse stray quotes (libcsv CSV_STRICT) instead of keeping them */
    bool keep_blank;      /* also deliver records whose fields are all empty (",,,") */
    bool keep_apostrophe; /* keep the ' that ms_csv_put puts before a formula-like cell */
    size_t max_fields;    /* 0: MS_CSV_MAX_FIELDS */
    size_t max_field_len; /* 0: MS_CSV_MAX_FIELD_LEN */
} ms_csv_read_opts;

/* What the reading found; filled on success and on error. */
typedef struct ms_csv_read_info {
    char delim;     /* the delimiter used */
    bool bom;       /* a UTF-8 BOM was stripped */
    size_t records; /* records delivered to the callback, header included */
    size_t row;     /* row and line where the last record started: after an error, the */
    size_t line;    /* record that failed (0 when it failed before any record) */
} ms_csv_read_info;

/* Read `len` bytes of CSV at `data`, calling `fn` for every record in order. Returns 0, the
 * callback's negative code, or MS_EINVAL (type "invalid-csv": not UTF-8, a quote never
 * closed, a stray quote in strict mode, ...), MS_ETOOBIG (a cap) or MS_ENOMEM, with a
 * detail that names the row, the line and, where it applies, the column. `opts` and `info`
 * may be NULL. */
int ms_csv_read(const void *data, size_t len, const ms_csv_read_opts *opts, ms_csv_record_fn fn,
                void *ctx, ms_csv_read_info *info, ms_error *e);

/* The field at column `col` of a record, or an empty field ("") when `col` is negative or past
 * the record's end (short rows, unmapped columns). */
ms_csv_field ms_csv_get(const ms_csv_record *rec, int col);
/* Cell `col` without its leading and trailing spaces and tabs (`*s` "" and `*n` 0 when the
 * column is absent, col < 0); false when it is blank. */
bool ms_csv_get_trimmed(const ms_csv_record *rec, int col, const char **s, size_t *n);
/* One row error of an import report, as the imports answer them: {"row", "line", "column"
 * (null for 0 / NULL), "message", "field": "row 12, Title" or "file"}. */
json_t *ms_csv_error_json(size_t row, size_t line, const char *column, const char *msg);

/* Add a field error for one cell: field "row 12, line 15, Frame In", then the message.
 * Returns MS_EINVAL. */
int ms_csv_fail_cell(ms_error *e, const ms_csv_record *rec, const char *column, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

/* ---- Header mapping ---------------------------------------------------------------------- */

/* One column an import understands: its canonical key and the header names accepted for it,
 * separated by '|', the first being the name exports write ("Frame In|Cut In|sg_cut_in").
 * Names compare case-insensitively (ASCII), trimmed, with runs of spaces, '_' and '-' equal;
 * the key itself is always accepted. A table ends with an entry whose key is NULL. */
typedef struct ms_csv_column {
    const char *key;
    const char *names;
    bool required;
} ms_csv_column;

typedef struct ms_csv_map {
    size_t nkeys;
    int *col; /* col[k]: the header column of table entry k, or -1 */
    size_t nunknown;
    int *unknown; /* header columns with a name that matched no key, in order */
} ms_csv_map;

/* Map a header record onto a column table. Empty header cells are ignored. Two columns that
 * mean the same key are an error (MS_EINVAL, a field error per key naming both columns):
 * there is no telling which one the user meant. On error `m` is left empty. */
int ms_csv_map_header(const ms_csv_record *header, const ms_csv_column *cols, ms_csv_map *m,
                      ms_error *e);
/* MS_EINVAL naming every required key of `cols` that `m` did not find, with the names that
 * would have been accepted; 0 when none is missing. */
int ms_csv_map_require(const ms_csv_map *m, const ms_csv_column *cols, ms_error *e);
void ms_csv_map_free(ms_csv_map *m);
/* Whether two header names are the same under the rules above. */
bool ms_csv_name_eq(const char *a, size_t alen, const char *b, size_t blen);

/* ---- Typed cells ------------------------------------------------------------------------- */

/* Each helper trims spaces and tabs, converts, and returns 0, or MS_EINVAL with a message in
 * `msg` (may be NULL) such as `must be a whole number, got "12a"`. An empty cell is an error
 * for all of them: check ms_csv_blank first where a column is optional. */
bool ms_csv_blank(const char *s, size_t n);
/* A whole number in [min, max]: optional sign and digits, nothing else ("1,000" and "1e3"
 * are refused). */
int ms_csv_cell_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out,
                    char msg[MS_CSV_MSG_MAX]);
/* A decimal as a fixed-point integer with `scale` decimal places (0..9): "12.5" at scale 2 is
 * 1250; more significant places than `scale` are refused, trailing zeros are not. A comma is
 * taken as the decimal separator too when `comma` (files from locales that write "12,5";
 * callers usually pass `delim == ';'`). No thousands separators, no exponent. */
int ms_csv_cell_decimal(const char *s, size_t n, int scale, bool comma, int64_t *out,
                        char msg[MS_CSV_MSG_MAX]);
/* A calendar date YYYY-MM-DD (years 0001-9999), as days since 1970-01-01 (`days` may be NULL). */
int ms_csv_cell_date(const char *s, size_t n, int64_t *days, char msg[MS_CSV_MSG_MAX]);
/* true/false, yes/no, 1/0, and x for true (a ticked box), case-insensitive. */
int ms_csv_cell_bool(const char *s, size_t n, bool *out, char msg[MS_CSV_MSG_MAX]);

/* ---- Writing ----------------------------------------------------------------------------- */

/* Writing options; all zero is RFC 4180: ',' and CRLF, no BOM. */
typedef struct ms_csv_write_opts {
    char delim; /* 0 for ',' */
    bool lf;    /* end records with LF alone */
    bool bom;   /* start with a UTF-8 BOM, which Excel needs to read UTF-8 */
} ms_csv_write_opts;

typedef struct ms_csv_writer {
    ms_buf *out;
    char delim;
    bool lf;
    size_t nfields;   /* fields written in the current record */
    bool first_empty; /* the current record's first field was empty */
} ms_csv_writer;

/* Start writing into `out` (appending; writes the BOM when asked). Allocation failures are
 * out->oom, as with every ms_buf: check once at the end. `o` may be NULL. */
void ms_csv_writer_init(ms_csv_writer *w, ms_buf *out, const ms_csv_write_opts *o);
/* A text cell (NULL writes an empty one). Quoted when it holds the delimiter, a quote, CR or
 * LF, or starts or ends with a space or tab. A cell starting with = + - @ tab or CR (after
 * any apostrophes) gets one more leading apostrophe, so no spreadsheet runs it as a formula. */
void ms_csv_put(ms_csv_writer *w, const char *s);
void ms_csv_putn(ms_csv_writer *w, const char *s, size_t n);
/* A cell of a numeric column: a plain number (-12, 3.5, 1e-3) is written as it is, so that
 * negative numbers stay numbers; anything else is written as text by ms_csv_put. */
void ms_csv_put_number(ms_csv_writer *w, const char *s);
void ms_csv_put_i64(ms_csv_writer *w, int64_t v);
/* The header of a column table: each entry's first name (its key when it has none). */
void ms_csv_put_header(ms_csv_writer *w, const ms_csv_column *cols);
/* End the record. A record of one empty field is written as "" so it is not a blank line. */
void ms_csv_end_record(ms_csv_writer *w);

#endif
