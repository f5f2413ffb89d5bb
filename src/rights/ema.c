/* ema.c: EMA Avails spreadsheets read from TSV/CSV and written as TSV, CSV and XLSX. See
 * ema.h for the interface and docs/rights-ema.md for the column map as users see it.
 *
 * The reader is a core/csv record callback: it skips the rows above the header (the
 * template's group row), maps the header onto the column table below (any order, unknown
 * names ignored, two columns for one key refused by core/csv), then checks each data row
 * cell by cell and keeps it only when nothing is wrong with it. Every problem is one issue
 * (row, line, column, message), so a user fixes a file in one pass instead of one error at a
 * time. No database and no knowledge of titles or deals here. */
#include "rights/ema.h"

#include "core/csv.h"
#include "rights/dims.h"

#include <xlsxwriter.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CELL_MAX       4000 /* bytes of one cell */
#define HEADER_SEARCH  10   /* records looked at for the header row */
#define NUMBER_MAX     100000
#define PRICE_DECIMALS 4

/* ---- Columns. ---- */

/* Header names a column is also known by (the csv reader's "A|B" form): AssetLanguage is
 * what some older templates call StoreLanguage. Every other column has just its name. */
static const char *const col_aliases[EMA_NCOLS] = {
    [EMA_STORE_LANGUAGE] = "StoreLanguage|AssetLanguage",
};

/* The EMA name of each column: what the reader looks for and the writer writes. */
static const char *const col_first[EMA_NCOLS] = {
    [EMA_DISPLAY_NAME] = "DisplayName",
    [EMA_STORE_LANGUAGE] = "StoreLanguage",
    [EMA_TERRITORY] = "Territory",
    [EMA_WORK_TYPE] = "WorkType",
    [EMA_ENTRY_TYPE] = "EntryType",
    [EMA_TITLE_ALIAS] = "TitleInternalAlias",
    [EMA_TITLE_DISPLAY] = "TitleDisplayUnlimited",
    [EMA_SERIES_ALIAS] = "SeriesTitleInternalAlias",
    [EMA_SERIES_DISPLAY] = "SeriesTitleDisplayUnlimited",
    [EMA_SEASON_NUMBER] = "SeasonNumber",
    [EMA_EPISODE_NUMBER] = "EpisodeNumber",
    [EMA_LOCALIZATION] = "LocalizationType",
    [EMA_EPISODE_ALIAS] = "EpisodeTitleInternalAlias",
    [EMA_EPISODE_DISPLAY] = "EpisodeTitleDisplayUnlimited",
    [EMA_SEASON_ALIAS] = "SeasonTitleInternalAlias",
    [EMA_SEASON_DISPLAY] = "SeasonTitleDisplayUnlimited",
    [EMA_EPISODE_COUNT] = "EpisodeCount",
    [EMA_SEASON_COUNT] = "SeasonCount",
    [EMA_SERIES_ALT_ID] = "SeriesAltID",
    [EMA_SEASON_ALT_ID] = "SeasonAltID",
    [EMA_EPISODE_ALT_ID] = "EpisodeAltID",
    [EMA_COMPANY_DISPLAY_CREDIT] = "CompanyDisplayCredit",
    [EMA_LICENSE_TYPE] = "LicenseType",
    [EMA_LICENSE_RIGHTS_DESCRIPTION] = "LicenseRightsDescription",
    [EMA_FORMAT_PROFILE] = "FormatProfile",
    [EMA_START] = "Start",
    [EMA_END] = "End",
    [EMA_SPECIAL_PREORDER_FULFILL_DATE] = "SpecialPreOrderFulfillDate",
    [EMA_PRICE_TYPE] = "PriceType",
    [EMA_PRICE_VALUE] = "PriceValue",
    [EMA_PRICE_CURRENCY] = "PriceCurrency",
    [EMA_SRP] = "SRP",
    [EMA_DESCRIPTION] = "Description",
    [EMA_OTHER_TERMS] = "OtherTerms",
    [EMA_OTHER_INSTRUCTIONS] = "OtherInstructions",
    [EMA_CONTENT_ID] = "ContentID",
    [EMA_SERIES_CONTENT_ID] = "SeriesContentID",
    [EMA_SEASON_CONTENT_ID] = "SeasonContentID",
    [EMA_EPISODE_CONTENT_ID] = "EpisodeContentID",
    [EMA_PRODUCT_ID] = "ProductID",
    [EMA_EPISODE_PRODUCT_ID] = "EpisodeProductID",
    [EMA_ENCODE_ID] = "EncodeID",
    [EMA_AVAIL_ID] = "AvailID",
    [EMA_METADATA] = "Metadata",
    [EMA_ALT_ID] = "AltID",
    [EMA_SUPPRESSION_LIFT_DATE] = "SuppressionLiftDate",
    [EMA_RELEASE_YEAR] = "ReleaseYear",
    [EMA_RELEASE_HISTORY_ORIGINAL] = "ReleaseHistoryOriginal",
    [EMA_RELEASE_HISTORY_PHYSICAL_HV] = "ReleaseHistoryPhysicalHV",
    [EMA_EXCEPTION_FLAG] = "ExceptionFlag",
    [EMA_RATING_SYSTEM] = "RatingSystem",
    [EMA_RATING_VALUE] = "RatingValue",
    [EMA_RATING_REASON] = "RatingReason",
    [EMA_RENTAL_DURATION] = "RentalDuration",
    [EMA_WATCH_DURATION] = "WatchDuration",
    [EMA_FIXED_END_DATE] = "FixedEndDate",
    [EMA_CAPTION_INCLUDED] = "CaptionIncluded",
    [EMA_CAPTION_EXEMPTION] = "CaptionExemption",
    [EMA_ANY] = "Any",
    [EMA_CONTRACT_ID] = "ContractID",
    [EMA_SERVICE_PROVIDER] = "ServiceProvider",
    [EMA_TOTAL_RUN_TIME] = "TotalRunTime",
    [EMA_HOLDBACK_LANGUAGE] = "HoldbackLanguage",
    [EMA_HOLDBACK_EXCLUSION_LANGUAGE] = "HoldbackExclusionLanguage",
};

const char *ema_col_name(ema_col c)
{
    return c >= 0 && c < EMA_NCOLS ? col_first[c] : "";
}

/* Column order of the EMA 1.6 template's sheets (1.7 added columns; those we know are read
 * wherever they are, and written where 1.6 has them). */
static const ema_col movie_layout[] = {
    EMA_DISPLAY_NAME,
    EMA_STORE_LANGUAGE,
    EMA_TERRITORY,
    EMA_WORK_TYPE,
    EMA_ENTRY_TYPE,
    EMA_TITLE_ALIAS,
    EMA_TITLE_DISPLAY,
    EMA_LOCALIZATION,
    EMA_LICENSE_TYPE,
    EMA_LICENSE_RIGHTS_DESCRIPTION,
    EMA_FORMAT_PROFILE,
    EMA_START,
    EMA_END,
    EMA_PRICE_TYPE,
    EMA_PRICE_VALUE,
    EMA_SRP,
    EMA_DESCRIPTION,
    EMA_OTHER_TERMS,
    EMA_OTHER_INSTRUCTIONS,
    EMA_CONTENT_ID,
    EMA_PRODUCT_ID,
    EMA_ENCODE_ID,
    EMA_AVAIL_ID,
    EMA_METADATA,
    EMA_ALT_ID,
    EMA_SUPPRESSION_LIFT_DATE,
    EMA_SPECIAL_PREORDER_FULFILL_DATE,
    EMA_RELEASE_YEAR,
    EMA_RELEASE_HISTORY_ORIGINAL,
    EMA_RELEASE_HISTORY_PHYSICAL_HV,
    EMA_EXCEPTION_FLAG,
    EMA_RATING_SYSTEM,
    EMA_RATING_VALUE,
    EMA_RATING_REASON,
    EMA_RENTAL_DURATION,
    EMA_WATCH_DURATION,
    EMA_CAPTION_INCLUDED,
    EMA_CAPTION_EXEMPTION,
    EMA_ANY,
    EMA_CONTRACT_ID,
    EMA_SERVICE_PROVIDER,
    EMA_TOTAL_RUN_TIME,
    EMA_HOLDBACK_LANGUAGE,
    EMA_HOLDBACK_EXCLUSION_LANGUAGE,
    EMA_PRICE_CURRENCY,
};

static const ema_col tv_layout[] = {
    EMA_DISPLAY_NAME,
    EMA_STORE_LANGUAGE,
    EMA_TERRITORY,
    EMA_WORK_TYPE,
    EMA_ENTRY_TYPE,
    EMA_SERIES_ALIAS,
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
    EMA_SRP,
    EMA_DESCRIPTION,
    EMA_OTHER_TERMS,
    EMA_OTHER_INSTRUCTIONS,
    EMA_SERIES_CONTENT_ID,
    EMA_SEASON_CONTENT_ID,
    EMA_EPISODE_CONTENT_ID,
    EMA_EPISODE_PRODUCT_ID,
    EMA_ENCODE_ID,
    EMA_AVAIL_ID,
    EMA_METADATA,
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
    EMA_PRICE_CURRENCY,
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The columns of a layout into cols (cap EMA_NCOLS); returns how many. */
static size_t layout_cols(ema_layout layout, ema_col cols[EMA_NCOLS])
{
    size_t n = 0;
    if (layout != EMA_LAYOUT_TV)
        for (size_t i = 0; i < NELEM(movie_layout); i++)
            cols[n++] = movie_layout[i];
    if (layout == EMA_LAYOUT_MOVIE) return n;
    for (size_t i = 0; i < NELEM(tv_layout); i++) {
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = cols[j] == tv_layout[i];
        if (!seen) cols[n++] = tv_layout[i];
    }
    return n;
}

/* ---- Enumerations. ---- */

static const char *const work_type_names[] = {
    [EMA_WT_MOVIE] = "Movie",
    [EMA_WT_SHORT] = "Short",
    [EMA_WT_SUPPLEMENTAL] = "Supplemental",
    [EMA_WT_EPISODE] = "Episode",
    [EMA_WT_SEASON] = "Season",
    [EMA_WT_SERIES] = "Series",
    [EMA_WT_MINISERIES] = "Miniseries",
};
static const char *const license_type_names[] = {
    [EMA_LT_EST] = "EST",   [EMA_LT_POEST] = "POEST", [EMA_LT_VOD] = "VOD",
    [EMA_LT_PVOD] = "PVOD", [EMA_LT_TVOD] = "TVOD",   [EMA_LT_SVOD] = "SVOD",
    [EMA_LT_AVOD] = "AVOD", [EMA_LT_FVOD] = "FVOD",
};
static const char *const localization_names[] = {
    [EMA_LOC_NONE] = "",         [EMA_LOC_SUB] = "sub", [EMA_LOC_DUB] = "dub",
    [EMA_LOC_SUBDUB] = "subdub", [EMA_LOC_ANY] = "any",
};
static const char *const format_profiles[] = {"SD", "HD", "UHD", "3D", NULL};
static const char *const price_labels[] = {"Tier", "Category", NULL};
static const char *const price_money[] = {"WSP", "SRP", "DMRP", "SMRP", NULL};

const char *ema_work_type_name(ema_work_type t)
{
    return t >= 0 && (size_t)t < NELEM(work_type_names) ? work_type_names[t] : "";
}
const char *ema_license_type_name(ema_license_type t)
{
    return t >= 0 && (size_t)t < NELEM(license_type_names) ? license_type_names[t] : "";
}
const char *ema_localization_name(ema_localization l)
{
    return l >= 0 && (size_t)l < NELEM(localization_names) ? localization_names[l] : "";
}

bool ema_work_type_tv(ema_work_type t)
{
    return t == EMA_WT_EPISODE || t == EMA_WT_SEASON || t == EMA_WT_SERIES ||
           t == EMA_WT_MINISERIES;
}

/* Index of `s` in names[0..n) compared case-insensitively, -1 when absent. */
static int lookup(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && names[i][0] && !strcasecmp(s, names[i])) return (int)i;
    return -1;
}

static int lookup_null(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (!strcasecmp(s, names[i])) return i;
    return -1;
}

/* ---- Reading. ---- */

typedef struct reader {
    ms_arena *a;
    ema_file *f;
    ms_csv_column cols[EMA_NCOLS + 1];
    ms_csv_map map;
    bool have_header;
    size_t cap_avails;
    /* The row being checked. */
    const ms_csv_record *rec;
    bool row_bad;
} reader;

static void issue_add(reader *rd, size_t row, size_t line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void issue_add(reader *rd, size_t row, size_t line, const char *column, const char *fmt, ...)
{
    ema_file *f = rd->f;
    f->issues_total++;
    if (f->nissues >= EMA_MAX_ISSUES) return;
    if (!f->issues) {
        f->issues = calloc(EMA_MAX_ISSUES, sizeof *f->issues);
        if (!f->issues) return;
    }
    ema_issue *is = &f->issues[f->nissues++];
    is->row = row;
    is->line = line;
    is->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(is->message, sizeof is->message, fmt, ap);
    va_end(ap);
}

/* A problem with cell `c` of the current row. */
#define BAD(rd, c, ...)                                                                            \
    do {                                                                                           \
        (rd)->row_bad = true;                                                                      \
        issue_add((rd), (rd)->rec->row, (rd)->rec->line, ema_col_name(c), __VA_ARGS__);            \
    } while (0)

/* Whether a record is the header: it names both Territory and WorkType. */
static bool is_header(const ms_csv_record *rec)
{
    bool terr = false, wt = false;
    for (size_t i = 0; i < rec->nfields; i++) {
        const ms_csv_field *fl = &rec->fields[i];
        terr |= ms_csv_name_eq(fl->data, fl->len, "Territory", 9);
        wt |= ms_csv_name_eq(fl->data, fl->len, "WorkType", 8);
    }
    return terr && wt;
}

static int on_header(reader *rd, const ms_csv_record *rec, ms_error *e)
{
    int rc = ms_csv_map_header(rec, rd->cols, &rd->map, e);
    if (rc) return rc;
    if ((rc = ms_csv_map_require(&rd->map, rd->cols, e))) return rc;
    const int *col = rd->map.col;
    static const ema_col ids[] = {EMA_TITLE_ALIAS,   EMA_TITLE_DISPLAY,    EMA_CONTENT_ID,
                                  EMA_ALT_ID,        EMA_SERIES_ALIAS,     EMA_SERIES_DISPLAY,
                                  EMA_SERIES_ALT_ID, EMA_SERIES_CONTENT_ID};
    bool any = false;
    for (size_t i = 0; i < NELEM(ids); i++)
        any |= col[ids[i]] >= 0;
    if (!any)
        return ms_fail(e, MS_EINVAL, "validation",
                       "The header (row %zu) names no title column: an avail needs "
                       "TitleInternalAlias, ContentID or AltID (Movie), or "
                       "SeriesTitleInternalAlias, SeriesContentID or SeriesAltID (TV).",
                       rec->row);
    static const ema_col tv[] = {EMA_SERIES_ALIAS,      EMA_SERIES_DISPLAY,    EMA_SEASON_NUMBER,
                                 EMA_EPISODE_NUMBER,    EMA_EPISODE_ALIAS,     EMA_SERIES_ALT_ID,
                                 EMA_SERIES_CONTENT_ID, EMA_EPISODE_CONTENT_ID};
    for (size_t i = 0; i < NELEM(tv); i++)
        rd->f->tv |= col[tv[i]] >= 0;
    rd->f->header_row = rec->row;
    if (rd->map.nunknown) {
        rd->f->ignored = ms_arena_alloc(rd->a, rd->map.nunknown * sizeof *rd->f->ignored);
        if (!rd->f->ignored) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        for (size_t i = 0; i < rd->map.nunknown; i++) {
            ms_csv_field fl = ms_csv_get(rec, rd->map.unknown[i]);
            rd->f->ignored[i] = ms_arena_strndup(rd->a, fl.data, fl.len > 200 ? 200 : fl.len);
        }
        rd->f->nignored = rd->map.nunknown;
    }
    rd->have_header = true;
    return 0;
}

/* A cell's text, trimmed of spaces and tabs, copied into the arena. */
static const char *cell(reader *rd, ema_col c)
{
    ms_csv_field fl = ms_csv_get(rd->rec, rd->map.col[c]);
    const char *s = fl.data;
    size_t n = fl.len;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n) return "";
    if (n > CELL_MAX) {
        BAD(rd, c, "is %zu bytes long; at most %d", n, CELL_MAX);
        return "";
    }
    char *out = ms_arena_strndup(rd->a, s, n);
    if (!out) return "";
    if (!ms_str_is_clean_text(out, CELL_MAX, true)) {
        BAD(rd, c, "holds control characters");
        return "";
    }
    return out;
}

/* "YYYY-MM-DD", optionally followed by 'T' (or a space) and hh:mm[:ss[.fff]] and an optional
 * "Z" or "+hh:mm" / "-hh:mm". The day into *day; *midnight tells whether the time (if any) is
 * 00:00:00. The offset is not applied: avails count in days, in the territory's time. */
static bool parse_datetime(const char *s, av_day *day, bool *midnight)
{
    size_t n = strlen(s);
    if (n < 10) return false;
    char d[11];
    memcpy(d, s, 10);
    d[10] = 0;
    if (!dims_date_parse(d, day)) return false;
    *midnight = true;
    const char *p = s + 10;
    if (!*p) return true;
    if (*p != 'T' && *p != 't' && *p != ' ') return false;
    p++;
    int hh, mm, ss = 0;
#define DIG2(q, v)                                                                                 \
    ((q)[0] >= '0' && (q)[0] <= '9' && (q)[1] >= '0' && (q)[1] <= '9'                              \
         ? ((v) = ((q)[0] - '0') * 10 + (q)[1] - '0', true)                                        \
         : false)
    if (!DIG2(p, hh) || p[2] != ':' || !DIG2(p + 3, mm)) return false;
    p += 5;
    if (*p == ':') {
        if (!DIG2(p + 1, ss)) return false;
        p += 3;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') return false;
            while (*p >= '0' && *p <= '9') {
                if (*p != '0') *midnight = false;
                p++;
            }
        }
    }
    if (hh > 23 || mm > 59 || ss > 59) return false;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!DIG2(p + 1, oh) || p[3] != ':' || !DIG2(p + 4, om) || oh > 14 || om > 59) return false;
        p += 6;
    }
#undef DIG2
    if (*p) return false;
    if (hh || mm || ss) *midnight = false;
    return true;
}

/* An optional date cell. */
static void check_date(reader *rd, ema_col c, const char *s)
{
    av_day d;
    bool mid;
    if (*s && !parse_datetime(s, &d, &mid))
        BAD(rd, c, "must be a date YYYY-MM-DD (or YYYY-MM-DDThh:mm:ss), got \"%.60s\"", s);
}

/* An optional whole number in [lo, hi]; -1 when blank or bad. */
static int check_int(reader *rd, ema_col c, const char *s, int64_t lo, int64_t hi)
{
    if (!*s) return -1;
    int64_t v;
    char msg[MS_CSV_MSG_MAX];
    if (ms_csv_cell_int(s, strlen(s), lo, hi, &v, msg)) {
        BAD(rd, c, "%s", msg);
        return -1;
    }
    return (int)v;
}

/* A content id: EIDR ids ("10.5240/..." or Common Metadata's "md:cid:eidr-s:...") must be
 * valid and are made canonical; other ids are kept as written. */
static const char *check_content_id(reader *rd, ema_col c, const char *s)
{
    const char *suffix = NULL;
    if (!strncasecmp(s, "10.5240/", 8))
        suffix = s + 8;
    else if (!strncasecmp(s, "md:cid:eidr-s:", 14) || !strncasecmp(s, "md:cid:eidr-x:", 14))
        suffix = s + 14;
    if (!suffix) return s;
    char full[64], canon[40];
    snprintf(full, sizeof full, "10.5240/%.40s", suffix);
    if (strlen(suffix) > 40 || !dims_eidr_valid(full, canon, sizeof canon)) {
        BAD(rd, c,
            "\"%.60s\" is not a valid EIDR id (10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C with "
            "its check character)",
            s);
        return s;
    }
    return ms_arena_strdup(rd->a, canon);
}

static bool any_of(const ema_avail *av, const ema_col *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (av->v[cols[i]][0]) return true;
    return false;
}

static int on_row(reader *rd, const ms_csv_record *rec, ms_error *e)
{
    ema_file *f = rd->f;
    if (++f->rows > EMA_MAX_ROWS)
        return ms_fail(e, MS_ETOOBIG, "body-too-large",
                       "An EMA import is at most %d rows; split the file.", EMA_MAX_ROWS);
    rd->rec = rec;
    rd->row_bad = false;
    ema_avail av;
    ema_avail_init(&av);
    av.row = rec->row;
    av.line = rec->line;
    for (int c = 0; c < EMA_NCOLS; c++)
        if (rd->map.col[c] >= 0) av.v[c] = cell(rd, (ema_col)c);

    /* Territory: one ISO 3166-1 alpha-2 code per row. */
    const char *t = av.v[EMA_TERRITORY];
    int ti = strlen(t) == 2 ? dims_terr_index(t) : -1;
    if (!*t)
        BAD(rd, EMA_TERRITORY, "is required: an ISO 3166-1 alpha-2 country code");
    else if (ti < 0)
        BAD(rd, EMA_TERRITORY,
            "must be an ISO 3166-1 alpha-2 country code (one per row), got "
            "\"%.40s\"",
            t);
    else {
        ms_strlcpy(av.territory, dims_terr_code(ti), sizeof av.territory);
        av.v[EMA_TERRITORY] = dims_terr_code(ti);
    }

    int wt = lookup(av.v[EMA_WORK_TYPE], work_type_names, NELEM(work_type_names));
    if (!*av.v[EMA_WORK_TYPE])
        BAD(rd, EMA_WORK_TYPE, "is required");
    else if (wt < 0)
        BAD(rd, EMA_WORK_TYPE,
            "must be Movie, Short, Supplemental, Episode, Season, Series or Miniseries, got "
            "\"%.40s\"",
            av.v[EMA_WORK_TYPE]);
    else {
        av.work_type = (ema_work_type)wt;
        av.v[EMA_WORK_TYPE] = work_type_names[wt];
    }

    const char *et = av.v[EMA_ENTRY_TYPE];
    if (!*et || ms_csv_name_eq(et, strlen(et), "Full Extract", 12))
        av.v[EMA_ENTRY_TYPE] = *et ? "Full Extract" : "";
    else if (ms_csv_name_eq(et, strlen(et), "Full Delete", 11)) {
        av.full_delete = true;
        av.v[EMA_ENTRY_TYPE] = "Full Delete";
    } else
        BAD(rd, EMA_ENTRY_TYPE, "must be \"Full Extract\" or \"Full Delete\", got \"%.40s\"", et);

    int lt = lookup(av.v[EMA_LICENSE_TYPE], license_type_names, NELEM(license_type_names));
    if (!*av.v[EMA_LICENSE_TYPE])
        BAD(rd, EMA_LICENSE_TYPE, "is required");
    else if (lt < 0)
        BAD(rd, EMA_LICENSE_TYPE,
            "must be EST, POEST, VOD, PVOD, TVOD, SVOD, AVOD or FVOD, got \"%.40s\"",
            av.v[EMA_LICENSE_TYPE]);
    else {
        av.license_type = (ema_license_type)lt;
        av.v[EMA_LICENSE_TYPE] = license_type_names[lt];
    }

    /* Language and localization. */
    const char *lang = av.v[EMA_STORE_LANGUAGE];
    if (*lang) {
        if (!dims_lang_canonical(lang, av.language, sizeof av.language))
            BAD(rd, EMA_STORE_LANGUAGE,
                "must be a BCP 47 language tag (en, fr-CA, zh-Hant), got "
                "\"%.40s\"",
                lang);
        else
            av.v[EMA_STORE_LANGUAGE] = ms_arena_strdup(rd->a, av.language);
    }
    const char *loc = av.v[EMA_LOCALIZATION];
    int li = *loc ? lookup(loc, localization_names, NELEM(localization_names)) : EMA_LOC_NONE;
    if (li < 0)
        BAD(rd, EMA_LOCALIZATION, "must be sub, dub, subdub or any, got \"%.40s\"", loc);
    else {
        av.localization = (ema_localization)li;
        av.v[EMA_LOCALIZATION] = localization_names[li];
        if ((li == EMA_LOC_SUB || li == EMA_LOC_DUB || li == EMA_LOC_SUBDUB) && !*lang)
            BAD(rd, EMA_STORE_LANGUAGE,
                "is required with LocalizationType %s: the language "
                "subtitled or dubbed",
                localization_names[li]);
    }

    const char *fp = av.v[EMA_FORMAT_PROFILE];
    if (*fp) {
        int i = lookup_null(fp, format_profiles);
        if (i < 0)
            BAD(rd, EMA_FORMAT_PROFILE, "must be SD, HD, UHD or 3D, got \"%.40s\"", fp);
        else
            av.v[EMA_FORMAT_PROFILE] = format_profiles[i];
    }

    /* The term. */
    bool mid;
    bool start_ok = false;
    if (!*av.v[EMA_START])
        BAD(rd, EMA_START, "is required: the first day, YYYY-MM-DD");
    else if (!parse_datetime(av.v[EMA_START], &av.start, &mid))
        BAD(rd, EMA_START, "must be a date YYYY-MM-DD (or YYYY-MM-DDThh:mm:ss), got \"%.60s\"",
            av.v[EMA_START]);
    else
        start_ok = true;
    const char *end = av.v[EMA_END];
    if (!*end)
        BAD(rd, EMA_END, "is required: a date YYYY-MM-DD or Open");
    else if (!strcasecmp(end, "Open")) {
        av.open = true;
        av.v[EMA_END] = "Open";
    } else if (!parse_datetime(end, &av.end, &mid))
        BAD(rd, EMA_END,
            "must be a date YYYY-MM-DD (or YYYY-MM-DDThh:mm:ss) or Open, got "
            "\"%.60s\"",
            end);
    else {
        /* The avail ends at the start of End's day (EMA: a date alone is 00:00), so the last
         * day available is the one before; a time after midnight makes End's day count. */
        if (mid) av.end -= 1;
        if (start_ok && av.end < av.start)
            BAD(rd, EMA_END,
                "%.40s leaves no day after Start %.40s (End is the first day no "
                "longer available)",
                end, av.v[EMA_START]);
    }
    check_date(rd, EMA_SUPPRESSION_LIFT_DATE, av.v[EMA_SUPPRESSION_LIFT_DATE]);
    check_date(rd, EMA_SPECIAL_PREORDER_FULFILL_DATE, av.v[EMA_SPECIAL_PREORDER_FULFILL_DATE]);
    check_date(rd, EMA_FIXED_END_DATE, av.v[EMA_FIXED_END_DATE]);

    /* Price. */
    const char *pt = av.v[EMA_PRICE_TYPE], *pv = av.v[EMA_PRICE_VALUE];
    if (*pt) {
        int i;
        if ((i = lookup_null(pt, price_labels)) >= 0) {
            av.price_kind = EMA_PRICE_LABEL;
            av.v[EMA_PRICE_TYPE] = price_labels[i];
            if (!*pv) BAD(rd, EMA_PRICE_VALUE, "is required with PriceType %s", price_labels[i]);
        } else if ((i = lookup_null(pt, price_money)) >= 0) {
            av.price_kind = EMA_PRICE_MONEY;
            av.v[EMA_PRICE_TYPE] = price_money[i];
            int64_t v;
            char msg[MS_CSV_MSG_MAX];
            if (!*pv)
                BAD(rd, EMA_PRICE_VALUE, "is required with PriceType %s: an amount",
                    price_money[i]);
            else if (ms_csv_cell_decimal(pv, strlen(pv), PRICE_DECIMALS, false, &v, msg))
                BAD(rd, EMA_PRICE_VALUE, "%s", msg);
            else if (v < 0)
                BAD(rd, EMA_PRICE_VALUE, "must not be negative, got %.40s", pv);
        } else
            BAD(rd, EMA_PRICE_TYPE,
                "must be Tier, Category, WSP, SRP, DMRP or SMRP, got "
                "\"%.40s\"",
                pt);
    } else if (*pv)
        BAD(rd, EMA_PRICE_TYPE, "is required when PriceValue is given");
    const char *cur = av.v[EMA_PRICE_CURRENCY];
    if (*cur) {
        bool ok = strlen(cur) == 3;
        char up[4] = "";
        for (int i = 0; ok && i < 3; i++) {
            char ch = cur[i];
            if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
            ok = ch >= 'A' && ch <= 'Z';
            up[i] = ch;
        }
        if (!ok)
            BAD(rd, EMA_PRICE_CURRENCY, "must be an ISO 4217 code (USD, EUR), got \"%.20s\"", cur);
        else
            av.v[EMA_PRICE_CURRENCY] = ms_arena_strdup(rd->a, up);
    }
    const char *srp = av.v[EMA_SRP];
    if (*srp) {
        int64_t v;
        char msg[MS_CSV_MSG_MAX];
        if (ms_csv_cell_decimal(srp, strlen(srp), PRICE_DECIMALS, false, &v, msg))
            BAD(rd, EMA_SRP, "%s", msg);
    }

    /* Numbers. */
    av.season = check_int(rd, EMA_SEASON_NUMBER, av.v[EMA_SEASON_NUMBER], 0, NUMBER_MAX);
    av.episode = check_int(rd, EMA_EPISODE_NUMBER, av.v[EMA_EPISODE_NUMBER], 0, NUMBER_MAX);
    check_int(rd, EMA_EPISODE_COUNT, av.v[EMA_EPISODE_COUNT], 0, NUMBER_MAX);
    check_int(rd, EMA_SEASON_COUNT, av.v[EMA_SEASON_COUNT], 0, NUMBER_MAX);
    check_int(rd, EMA_RELEASE_YEAR, av.v[EMA_RELEASE_YEAR], 1870, 2200);

    /* Identifiers. */
    static const ema_col cids[] = {EMA_CONTENT_ID, EMA_SERIES_CONTENT_ID, EMA_SEASON_CONTENT_ID,
                                   EMA_EPISODE_CONTENT_ID};
    for (size_t i = 0; i < NELEM(cids); i++)
        if (*av.v[cids[i]]) av.v[cids[i]] = check_content_id(rd, cids[i], av.v[cids[i]]);

    /* What the work type needs to name its title. */
    static const ema_col movie_ids[] = {EMA_TITLE_ALIAS, EMA_TITLE_DISPLAY, EMA_CONTENT_ID,
                                        EMA_ALT_ID};
    static const ema_col series_ids[] = {EMA_SERIES_ALIAS, EMA_SERIES_DISPLAY,
                                         EMA_SERIES_CONTENT_ID, EMA_SERIES_ALT_ID};
    static const ema_col episode_ids[] = {
        EMA_EPISODE_ALIAS,  EMA_EPISODE_DISPLAY, EMA_EPISODE_CONTENT_ID, EMA_EPISODE_ALT_ID,
        EMA_EPISODE_NUMBER, EMA_TITLE_ALIAS,     EMA_CONTENT_ID,         EMA_ALT_ID};
    if (wt >= 0) {
        switch ((ema_work_type)wt) {
        case EMA_WT_MOVIE:
        case EMA_WT_SHORT:
        case EMA_WT_SUPPLEMENTAL:
            if (!any_of(&av, movie_ids, NELEM(movie_ids)))
                BAD(rd, EMA_TITLE_ALIAS, "is required for a %s (or ContentID or AltID)",
                    work_type_names[wt]);
            break;
        case EMA_WT_SERIES:
        case EMA_WT_MINISERIES:
            if (!any_of(&av, series_ids, NELEM(series_ids)) &&
                !any_of(&av, movie_ids, NELEM(movie_ids)))
                BAD(rd, EMA_SERIES_ALIAS,
                    "is required for a %s (or SeriesContentID or "
                    "SeriesAltID)",
                    work_type_names[wt]);
            break;
        case EMA_WT_SEASON:
            if (!any_of(&av, series_ids, NELEM(series_ids)))
                BAD(rd, EMA_SERIES_ALIAS, "is required for a Season: the series it belongs to");
            if (!*av.v[EMA_SEASON_NUMBER] && !*av.v[EMA_SEASON_ALIAS] &&
                !*av.v[EMA_SEASON_CONTENT_ID] && !*av.v[EMA_SEASON_ALT_ID])
                BAD(rd, EMA_SEASON_NUMBER, "is required for a Season");
            break;
        case EMA_WT_EPISODE:
            if (!any_of(&av, series_ids, NELEM(series_ids)))
                BAD(rd, EMA_SERIES_ALIAS, "is required for an Episode: the series it belongs to");
            if (!any_of(&av, episode_ids, NELEM(episode_ids)))
                BAD(rd, EMA_EPISODE_NUMBER,
                    "is required for an Episode (or EpisodeTitleInternalAlias, "
                    "EpisodeContentID or EpisodeAltID)");
            break;
        }
    }

    if (rd->row_bad) {
        f->bad_rows++;
        return 0;
    }
    if (f->navails == rd->cap_avails) {
        size_t cap = rd->cap_avails ? rd->cap_avails * 2 : 64;
        ema_avail *p = realloc(f->avails, cap * sizeof *p);
        if (!p) return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        f->avails = p;
        rd->cap_avails = cap;
    }
    f->avails[f->navails++] = av;
    return 0;
}

static int on_record(void *ctx, const ms_csv_record *rec, ms_error *e)
{
    reader *rd = ctx;
    if (rd->have_header) return on_row(rd, rec, e);
    if (is_header(rec)) return on_header(rd, rec, e);
    if (rec->index + 1 >= HEADER_SEARCH)
        return ms_fail(e, MS_EINVAL, "validation",
                       "No EMA header row in the first %d rows: the header names the columns "
                       "(DisplayName, Territory, WorkType, ...).",
                       HEADER_SEARCH);
    return 0; /* a row above the header (the template's group row) */
}

int ema_parse(const void *data, size_t len, char delim, ms_arena *a, ema_file *out, ms_error *e)
{
    memset(out, 0, sizeof *out);
    reader rd = {.a = a, .f = out};
    for (int c = 0; c < EMA_NCOLS; c++)
        rd.cols[c] = (ms_csv_column){
            .key = col_first[c],
            .names = col_aliases[c] ? col_aliases[c] : col_first[c],
            .required = c == EMA_TERRITORY || c == EMA_WORK_TYPE || c == EMA_LICENSE_TYPE ||
                        c == EMA_START || c == EMA_END,
        };
    rd.cols[EMA_NCOLS] = (ms_csv_column){0};
    ms_csv_read_opts o = {.delim = delim};
    ms_csv_read_info info;
    int rc = ms_csv_read(data, len, &o, on_record, &rd, &info, e);
    ms_csv_map_free(&rd.map);
    out->delim = info.delim;
    out->bom = info.bom;
    if (!rc && !rd.have_header)
        rc = ms_fail(e, MS_EINVAL, "validation",
                     "The file has no EMA header row (DisplayName, Territory, WorkType, ...).");
    if (rc == MS_EINVAL && !e->type[0]) ms_strlcpy(e->type, "validation", sizeof e->type);
    return rc;
}

void ema_file_free(ema_file *f)
{
    free(f->avails);
    free(f->issues);
    memset(f, 0, sizeof *f);
}

/* ---- Writing. ---- */

void ema_avail_init(ema_avail *av)
{
    memset(av, 0, sizeof *av);
    for (int c = 0; c < EMA_NCOLS; c++)
        av->v[c] = "";
    av->season = av->episode = -1;
}

ema_layout ema_layout_for(const ema_avail *rows, size_t n)
{
    size_t tv = 0;
    for (size_t i = 0; i < n; i++)
        tv += ema_work_type_tv(rows[i].work_type);
    return tv == 0 ? EMA_LAYOUT_MOVIE : tv == n ? EMA_LAYOUT_TV : EMA_LAYOUT_BOTH;
}

void ema_write_text(ms_buf *out, const ema_avail *rows, size_t n, ema_layout layout, char delim)
{
    ema_col cols[EMA_NCOLS];
    size_t nc = layout_cols(layout, cols);
    ms_csv_writer w;
    ms_csv_writer_init(&w, out, &(ms_csv_write_opts){.delim = delim, .lf = delim == '\t'});
    for (size_t c = 0; c < nc; c++)
        ms_csv_put(&w, col_first[cols[c]]);
    ms_csv_end_record(&w);
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < nc; c++) {
            const char *s = rows[i].v[cols[c]];
            ms_csv_put(&w, s ? s : "");
        }
        ms_csv_end_record(&w);
    }
}

static int xlsx_sheet(lxw_workbook *wb, const char *name, ema_layout layout, lxw_format *bold,
                      const ema_avail *rows, size_t n, bool tv)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws) return -1;
    ema_col cols[EMA_NCOLS];
    size_t nc = layout_cols(layout, cols);
    for (size_t c = 0; c < nc; c++)
        if (worksheet_write_string(ws, 0, (lxw_col_t)c, col_first[cols[c]], bold)) return -1;
    lxw_row_t r = 1;
    for (size_t i = 0; i < n; i++) {
        if (ema_work_type_tv(rows[i].work_type) != tv) continue;
        for (size_t c = 0; c < nc; c++) {
            const char *s = rows[i].v[cols[c]];
            if (s && *s && worksheet_write_string(ws, r, (lxw_col_t)c, s, NULL)) return -1;
        }
        r++;
    }
    worksheet_freeze_panes(ws, 1, 0);
    return 0;
}

int ema_write_xlsx(ms_buf *out, const ema_avail *rows, size_t n, const char *tmpdir, ms_error *e)
{
    if (n >= 1048575) return ms_fail(e, MS_ETOOBIG, NULL, "Too many rows for one XLSX sheet.");
    const char *dir = tmpdir && *tmpdir ? tmpdir : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    char path[1024];
    if (snprintf(path, sizeof path, "%s/ema-XXXXXX.xlsx", dir) >= (int)sizeof path)
        return ms_fail(e, MS_EIO, NULL, "The temporary folder's path is too long.");
    int fd = mkstemps(path, 5);
    if (fd < 0)
        return ms_fail(e, MS_EIO, NULL, "Cannot make a temporary file: %s", strerror(errno));
    close(fd);
    lxw_workbook_options opt = {.tmpdir = (char *)dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    int rc = 0;
    if (!wb) {
        unlink(path);
        return ms_fail(e, MS_ENOMEM, NULL, "Cannot start the XLSX workbook.");
    }
    lxw_format *bold = workbook_add_format(wb);
    if (bold) format_set_bold(bold);
    if (xlsx_sheet(wb, "Movie", EMA_LAYOUT_MOVIE, bold, rows, n, false) ||
        xlsx_sheet(wb, "TV", EMA_LAYOUT_TV, bold, rows, n, true))
        rc = ms_fail(e, MS_EINTERNAL, NULL, "Cannot write the XLSX sheets.");
    lxw_error err = workbook_close(wb);
    if (!rc && err != LXW_NO_ERROR)
        rc = ms_fail(e, MS_EIO, NULL, "Cannot write the XLSX file: %s", lxw_strerror(err));
    if (!rc) {
        FILE *fp = fopen(path, "rb");
        if (!fp)
            rc = ms_fail(e, MS_EIO, NULL, "Cannot read the XLSX file back.");
        else {
            char buf[65536];
            size_t k;
            while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
                ms_buf_append(out, buf, k);
            if (ferror(fp)) rc = ms_fail(e, MS_EIO, NULL, "Cannot read the XLSX file back.");
            fclose(fp);
            if (!rc && out->oom) rc = ms_fail(e, MS_ENOMEM, NULL, "out of memory");
        }
    }
    unlink(path);
    return rc;
}
