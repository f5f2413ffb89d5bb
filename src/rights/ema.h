/* ema.h: EMA Avails spreadsheets (the Entertainment Merchants Association's layout, versions
 * 1.6 and 1.7, "Movie" and "TV" sheets) read from TSV or CSV and written as TSV, CSV or XLSX.
 *
 * Reading: the header row names the columns in any order (rows above it, such as the
 * template's group row "Avail / AvailTrans / ...", are skipped); unknown columns are
 * ignored; every cell that means something to a rights system is checked - territory,
 * work type, entry type, license type, localization and language, format profile, dates
 * (YYYY-MM-DD, with or without a time; End may be "Open"), price type and value, season and
 * episode numbers, EIDR content ids - and each problem is reported with the row a spreadsheet
 * shows, the line a text editor shows, the column's name and a message. Good rows come back
 * as one ema_avail each, with every known cell kept (canonical text for the checked ones), so
 * that the writer can give them back.
 *
 * Writing: rows as EMA text (TSV or CSV through core/csv) in the Movie layout, the TV layout,
 * or both columns sets when a file mixes them; XLSX (libxlsxwriter) with a "Movie" and a "TV"
 * sheet in the template's column order.
 *
 * Deliberately not here: titles, deals and the database (rights/ema_api.c maps avails onto
 * them), the XML avails format, XLSX reading, and what retailers add beyond EMA's columns. */
#ifndef MS_RIGHTS_EMA_H
#define MS_RIGHTS_EMA_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "rights/avails.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The columns known here (EMA 1.6 Movie and TV sheets, plus PriceCurrency from 1.7). */
typedef enum ema_col {
    EMA_DISPLAY_NAME,
    EMA_STORE_LANGUAGE, /* also read from AssetLanguage (1.7) */
    EMA_TERRITORY,
    EMA_WORK_TYPE,
    EMA_ENTRY_TYPE,
    EMA_TITLE_ALIAS, /* TitleInternalAlias (Movie) */
    EMA_TITLE_DISPLAY,
    EMA_SERIES_ALIAS, /* SeriesTitleInternalAlias (TV) */
    EMA_SERIES_DISPLAY,
    EMA_SEASON_NUMBER,
    EMA_EPISODE_NUMBER,
    EMA_LOCALIZATION,
    EMA_EPISODE_ALIAS,
    EMA_EPISODE_DISPLAY,
    EMA_SEASON_ALIAS,
    EMA_SEASON_DISPLAY,
    EMA_EPISODE_COUNT,
    EMA_SEASON_COUNT,
    EMA_SERIES_ALT_ID,
    EMA_SEASON_ALT_ID,
    EMA_EPISODE_ALT_ID,
    EMA_COMPANY_DISPLAY_CREDIT,
    EMA_LICENSE_TYPE,
    EMA_LICENSE_RIGHTS_DESCRIPTION,
    EMA_FORMAT_PROFILE,
    EMA_START,
    EMA_END,
    EMA_SPECIAL_PREORDER_FULFILL_DATE,
    EMA_PRICE_TYPE,
    EMA_PRICE_VALUE,
    EMA_PRICE_CURRENCY,
    EMA_SRP,
    EMA_DESCRIPTION,
    EMA_OTHER_TERMS,
    EMA_OTHER_INSTRUCTIONS,
    EMA_CONTENT_ID,
    EMA_SERIES_CONTENT_ID,
    EMA_SEASON_CONTENT_ID,
    EMA_EPISODE_CONTENT_ID,
    EMA_PRODUCT_ID,
    EMA_EPISODE_PRODUCT_ID,
    EMA_ENCODE_ID,
    EMA_AVAIL_ID,
    EMA_METADATA,
    EMA_ALT_ID,
    EMA_SUPPRESSION_LIFT_DATE,
    EMA_RELEASE_YEAR,
    EMA_RELEASE_HISTORY_ORIGINAL,
    EMA_RELEASE_HISTORY_PHYSICAL_HV,
    EMA_EXCEPTION_FLAG,
    EMA_RATING_SYSTEM,
    EMA_RATING_VALUE,
    EMA_RATING_REASON,
    EMA_RENTAL_DURATION,
    EMA_WATCH_DURATION,
    EMA_FIXED_END_DATE,
    EMA_CAPTION_INCLUDED,
    EMA_CAPTION_EXEMPTION,
    EMA_ANY,
    EMA_CONTRACT_ID,
    EMA_SERVICE_PROVIDER,
    EMA_TOTAL_RUN_TIME,
    EMA_HOLDBACK_LANGUAGE,
    EMA_HOLDBACK_EXCLUSION_LANGUAGE,
    EMA_NCOLS
} ema_col;

/* The column's EMA name ("TitleInternalAlias"). */
const char *ema_col_name(ema_col c);

typedef enum ema_work_type {
    EMA_WT_MOVIE,
    EMA_WT_SHORT,
    EMA_WT_SUPPLEMENTAL,
    EMA_WT_EPISODE,
    EMA_WT_SEASON,
    EMA_WT_SERIES,
    EMA_WT_MINISERIES,
} ema_work_type;

typedef enum ema_license_type {
    EMA_LT_EST,
    EMA_LT_POEST, /* pre-order EST */
    EMA_LT_VOD,
    EMA_LT_PVOD, /* premium VOD */
    EMA_LT_TVOD,
    EMA_LT_SVOD,
    EMA_LT_AVOD,
    EMA_LT_FVOD,
} ema_license_type;

typedef enum ema_localization {
    EMA_LOC_NONE, /* blank: the language as it is */
    EMA_LOC_SUB,
    EMA_LOC_DUB,
    EMA_LOC_SUBDUB,
    EMA_LOC_ANY,
} ema_localization;

typedef enum ema_price_kind {
    EMA_PRICE_NONE,  /* no PriceType */
    EMA_PRICE_LABEL, /* Tier, Category, ...: PriceValue is a label ("4", "New Release") */
    EMA_PRICE_MONEY, /* WSP, SRP, DMRP, SMRP: PriceValue is an amount */
} ema_price_kind;

typedef enum ema_layout {
    EMA_LAYOUT_MOVIE,
    EMA_LAYOUT_TV,
    EMA_LAYOUT_BOTH, /* the Movie columns, then the TV-only ones */
} ema_layout;

/* One avail (one row). */
typedef struct ema_avail {
    size_t row, line; /* where it was read (0 for rows made to be written) */
    /* Every known cell: "" when blank; the checked ones in canonical form (Territory "FR",
     * WorkType "Episode", dates "YYYY-MM-DD", EIDR ids "10.5240/...", ...). */
    const char *v[EMA_NCOLS];
    /* Typed values of the checked cells (read only; the writer uses v). */
    char territory[3];
    char language[36]; /* BCP 47, canonical case; "" when blank */
    ema_work_type work_type;
    bool full_delete; /* EntryType "Full Delete" */
    ema_license_type license_type;
    ema_localization localization;
    ema_price_kind price_kind;
    av_day start;
    av_day end;  /* the last day available (inclusive) when !open */
    bool open;   /* End "Open" */
    int season;  /* SeasonNumber, -1 when blank */
    int episode; /* EpisodeNumber, -1 when blank */
} ema_avail;

/* A problem found in a row (row 0: the file as a whole). */
typedef struct ema_issue {
    size_t row, line;
    const char *column; /* an EMA column name, NULL for the row or the file */
    char message[200];
} ema_issue;

#define EMA_MAX_ROWS   100000 /* data rows in one file */
#define EMA_MAX_ISSUES 1000   /* issues kept; ema_file.issues_total counts them all */

typedef struct ema_file {
    char delim;        /* the delimiter read */
    bool bom;          /* a UTF-8 BOM was stripped */
    bool tv;           /* the header has TV columns (SeriesTitleInternalAlias, ...) */
    size_t header_row; /* the row of the header */
    size_t rows;       /* data rows read (blank ones skipped) */
    ema_avail *avails; /* the rows without problems, in file order */
    size_t navails;
    ema_issue *issues; /* in file order, at most EMA_MAX_ISSUES */
    size_t nissues;
    size_t issues_total;  /* all problems, listed or not */
    size_t bad_rows;      /* rows with at least one problem */
    const char **ignored; /* header names not known here (in the arena) */
    size_t nignored;
} ema_file;

/* Read an EMA avails file (TSV or CSV; `delim` 0 detects it). Strings go into arena `a`.
 * Returns 0 when the file could be read as a table with an EMA header - row problems are
 * then in out->issues - or MS_EINVAL / MS_ETOOBIG / MS_ENOMEM for the file as a whole (not
 * UTF-8, no header row, a required column missing, too many rows), with the detail in `e`.
 * Free with ema_file_free in both cases. */
int ema_parse(const void *data, size_t len, char delim, ms_arena *a, ema_file *out, ms_error *e);
void ema_file_free(ema_file *f);

/* ---- Writing. ---- */

/* An avail to fill for writing: every cell "". */
void ema_avail_init(ema_avail *av);
/* The layout that fits rows: Movie when none is TV (Episode, Season, Series, Miniseries),
 * TV when all are, else both. */
ema_layout ema_layout_for(const ema_avail *rows, size_t n);
/* Whether a work type goes on the TV sheet. */
bool ema_work_type_tv(ema_work_type t);
/* The rows as text: a header row in `layout`'s column order, then one record per avail.
 * `delim` '\t' (TSV, LF line ends) or ',' (CSV, CRLF). Cells are quoted as core/csv does;
 * formula-like cells get an apostrophe. Allocation failures show as out->oom. */
void ema_write_text(ms_buf *out, const ema_avail *rows, size_t n, ema_layout layout, char delim);
/* The rows as an XLSX workbook with a "Movie" sheet (the Movie rows, Movie columns) and a
 * "TV" sheet (the TV rows, TV columns), appended to `out`. libxlsxwriter writes through a
 * temporary file in `tmpdir` (NULL: the system's), removed before returning. */
int ema_write_xlsx(ms_buf *out, const ema_avail *rows, size_t n, const char *tmpdir, ms_error *e);

/* ---- Names. ---- */
const char *ema_work_type_name(ema_work_type t);       /* "Movie" */
const char *ema_license_type_name(ema_license_type t); /* "EST" */
const char *ema_localization_name(ema_localization l); /* "sub", "" for none */

#endif
