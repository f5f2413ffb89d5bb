/* test_ema.c: unit tests of src/rights/ema: reading EMA Avails files (Movie and TV sheets,
 * TSV and CSV, quoting, BOM, CRLF, rows above the header, columns in any order, unknown
 * columns, every kind of bad cell reported by row, line and column, Open ends and times) and
 * writing them back (TSV, CSV and XLSX, with a round trip through the reader). Not a test of
 * the import into titles and deals (tests/api/rights-ema.test.mjs). */
#include "unit.h"

#include "core/arena.h"
#include "core/buf.h"
#include "rights/dims.h"
#include "rights/ema.h"

#define MOVIE_HEAD                                                                                 \
    "DisplayName\tStoreLanguage\tTerritory\tWorkType\tEntryType\tTitleInternalAlias\t"             \
    "TitleDisplayUnlimited\tLocalizationType\tLicenseType\tLicenseRightsDescription\t"             \
    "FormatProfile\tStart\tEnd\tPriceType\tPriceValue\tSRP\tDescription\tOtherTerms\t"             \
    "OtherInstructions\tContentID\tProductID\tEncodeID\tAvailID\tMetadata\tAltID\n"

typedef struct parsed {
    ms_arena a;
    ema_file f;
    ms_error e;
    int rc;
} parsed;

static parsed *parse(const char *text, size_t len, char delim)
{
    parsed *p = calloc(1, sizeof *p);
    ms_arena_init(&p->a, 4096);
    ms_error_clear(&p->e);
    p->rc = ema_parse(text, len, delim, &p->a, &p->f, &p->e);
    return p;
}

static parsed *parse_ok(const char *text)
{
    parsed *p = parse(text, strlen(text), 0);
    if (p->rc) fail_msg("parse failed %d: %s", p->rc, p->e.detail);
    return p;
}

static void done(parsed *p)
{
    ema_file_free(&p->f);
    ms_arena_free(&p->a);
    free(p);
}

/* A valid EIDR id for 20 hex digits (the check character computed by rights/dims). */
static void eidr_for(const char *hex20, char out[40])
{
    char c = dims_eidr_check_char(hex20);
    assert_true(c != 0);
    snprintf(out, 40, "10.5240/%.4s-%.4s-%.4s-%.4s-%.4s-%c", hex20, hex20 + 4, hex20 + 8,
             hex20 + 12, hex20 + 16, c);
}

/* Whether an issue at (row, column) whose message contains `frag` was reported. */
static bool has_issue(const ema_file *f, size_t row, const char *column, const char *frag)
{
    for (size_t i = 0; i < f->nissues; i++) {
        const ema_issue *is = &f->issues[i];
        if (is->row == row && is->column && !strcmp(is->column, column) &&
            (!frag || strstr(is->message, frag)))
            return true;
    }
    return false;
}

static void dump_issues(const ema_file *f)
{
    for (size_t i = 0; i < f->nissues; i++)
        fprintf(stderr, "  row %zu line %zu %s: %s\n", f->issues[i].row, f->issues[i].line,
                f->issues[i].column ? f->issues[i].column : "-", f->issues[i].message);
}

static void test_movie_rows(void **state)
{
    (void)state;
    char eidr[40];
    eidr_for("148949A239564B2DBEF1", eidr);
    char *lower = strdup(eidr);
    for (char *q = lower; *q; q++)
        if (*q >= 'A' && *q <= 'F') *q = (char)(*q - 'A' + 'a');
    char text[4096];
    snprintf(text, sizeof text,
             MOVIE_HEAD "Rockstar Films\ten\tus\tMovie\tFull Extract\tView from a Mountain, "
                        "The\tThe View from a Mountain\tsub\tEST\tLibrary\thd\t2013-06-14\tOpen\t"
                        "Tier\t4\t\t\t\t\t%s\t\t\t\t\tVIEW_MT_2006\n"
                        "Rockstar Films\tfr-ca\tCA\tmovie\t\tMountain\t\t\tSVOD\t\tUHD\t"
                        "2024-01-01T00:00:00Z\t2025-01-01\tWSP\t12.50\t\t\t\t\t\t\t\t\t\t\n",
             lower);
    parsed *p = parse_ok(text);
    if (p->f.nissues) dump_issues(&p->f);
    assert_int_equal(p->f.rows, 2);
    assert_int_equal(p->f.navails, 2);
    assert_int_equal(p->f.nissues, 0);
    assert_false(p->f.tv);
    assert_int_equal(p->f.delim, '\t');
    const ema_avail *a = &p->f.avails[0];
    assert_int_equal(a->row, 2);
    assert_string_equal(a->territory, "US");
    assert_string_equal(a->v[EMA_TERRITORY], "US");
    assert_string_equal(a->language, "en");
    assert_int_equal(a->work_type, EMA_WT_MOVIE);
    assert_false(a->full_delete);
    assert_int_equal(a->license_type, EMA_LT_EST);
    assert_int_equal(a->localization, EMA_LOC_SUB);
    assert_string_equal(a->v[EMA_FORMAT_PROFILE], "HD");
    assert_true(a->open);
    assert_string_equal(a->v[EMA_END], "Open");
    av_day d;
    assert_true(dims_date_parse("2013-06-14", &d));
    assert_int_equal(a->start, d);
    assert_int_equal(a->price_kind, EMA_PRICE_LABEL);
    assert_string_equal(a->v[EMA_TITLE_ALIAS], "View from a Mountain, The");
    assert_string_equal(a->v[EMA_CONTENT_ID], eidr); /* canonical upper case */
    assert_string_equal(a->v[EMA_ALT_ID], "VIEW_MT_2006");
    const ema_avail *b = &p->f.avails[1];
    assert_string_equal(b->language, "fr-CA");
    assert_int_equal(b->work_type, EMA_WT_MOVIE);
    assert_string_equal(b->v[EMA_WORK_TYPE], "Movie");
    assert_int_equal(b->license_type, EMA_LT_SVOD);
    assert_int_equal(b->localization, EMA_LOC_NONE);
    assert_int_equal(b->price_kind, EMA_PRICE_MONEY);
    assert_false(b->open);
    /* End 2025-01-01 (a date alone: 00:00) leaves 2024-12-31 as the last day. */
    assert_true(dims_date_parse("2024-12-31", &d));
    assert_int_equal(b->end, d);
    free(lower);
    done(p);
}

static void test_header_anywhere_any_order(void **state)
{
    (void)state;
    /* The template's group row above the header, columns in another order, unknown columns
     * kept aside, CSV with quotes, a BOM and CRLF line ends. */
    const char *text = "\xEF\xBB\xBF"
                       "Avail,AvailTrans,AvailAsset,,,\r\n"
                       "End,Start,LicenseType,Territory,WorkType,TitleInternalAlias,Retailer "
                       "Notes\r\n"
                       "Open,2026-01-01,VOD,DE,Movie,\"Das Boot, \"\"Director's Cut\"\"\",x\r\n"
                       "\r\n"
                       "2027-01-01,2026-01-01,avod,AT,Short,\"line\nbreak\",\r\n";
    parsed *p = parse_ok(text);
    if (p->f.nissues) dump_issues(&p->f);
    assert_true(p->f.bom);
    assert_int_equal(p->f.delim, ',');
    assert_int_equal(p->f.header_row, 2);
    assert_int_equal(p->f.navails, 2);
    assert_int_equal(p->f.nignored, 1);
    assert_string_equal(p->f.ignored[0], "Retailer Notes");
    assert_string_equal(p->f.avails[0].v[EMA_TITLE_ALIAS], "Das Boot, \"Director's Cut\"");
    assert_int_equal(p->f.avails[0].row, 3);
    assert_int_equal(p->f.avails[1].row, 5); /* the blank row counts as a row */
    assert_int_equal(p->f.avails[1].license_type, EMA_LT_AVOD);
    assert_int_equal(p->f.avails[1].work_type, EMA_WT_SHORT);
    assert_string_equal(p->f.avails[1].v[EMA_TITLE_ALIAS], "line\nbreak");
    done(p);
}

static void test_bad_cells(void **state)
{
    (void)state;
    const char *text =
        "Territory\tWorkType\tEntryType\tTitleInternalAlias\tLicenseType\tLocalizationType\t"
        "StoreLanguage\tFormatProfile\tStart\tEnd\tPriceType\tPriceValue\tContentID\t"
        "ReleaseYear\tSuppressionLiftDate\tPriceCurrency\n"
        /* 2: good */
        "FR\tMovie\t\tA\tEST\t\t\t\t2026-01-01\tOpen\t\t\t\t\t\t\n"
        /* 3: territory, work type, entry type */
        "France\tFeature\tPartial\tB\tEST\t\t\t\t2026-01-01\tOpen\t\t\t\t\t\t\n"
        /* 4: license type, localization without language, format */
        "FR\tMovie\t\tC\tRental\tsub\t\t4K\t2026-01-01\tOpen\t\t\t\t\t\t\n"
        /* 5: dates */
        "FR\tMovie\t\tD\tEST\t\t\t\t2026-02-30\tsoon\t\t\t\t\t\t\n"
        /* 6: end not after start, bad language */
        "FR\tMovie\t\tE\tEST\tdub\tnot a tag\t\t2026-03-01\t2026-03-01\t\t\t\t\t\t\n"
        /* 7: price */
        "FR\tMovie\t\tF\tEST\t\t\t\t2026-01-01\tOpen\tWSP\t-3\t\t\t\t\n"
        /* 8: price value without type; bad EIDR; bad year; bad date; bad currency */
        "FR\tMovie\t\tG\tEST\t\t\t\t2026-01-01\tOpen\t\t5\t10.5240/0000-0000-0000-0000-0000-"
        "Y\t20x6\t2026-13-01\tEURO\n"
        /* 9: required cells blank (a row of blank cells alone would be skipped) */
        "\t\t\tZ\t\t\t\t\t\t\t\t\t\t\t\t\n"
        /* 10: a TV work type without its series */
        "FR\tEpisode\t\tH\tEST\t\t\t\t2026-01-01\tOpen\t\t\t\t\t\t\n"
        /* 11: money price type without value, unknown price type on 12 */
        "FR\tMovie\t\tI\tEST\t\t\t\t2026-01-01\tOpen\tSRP\t\t\t\t\t\n"
        "FR\tMovie\t\tJ\tEST\t\t\t\t2026-01-01\tOpen\tBargain\t1\t\t\t\t\n";
    parsed *p = parse(text, strlen(text), 0);
    assert_int_equal(p->rc, 0);
    const ema_file *f = &p->f;
    assert_int_equal(f->rows, 11);
    assert_int_equal(f->navails, 1);
    assert_int_equal(f->bad_rows, 10);
    assert_string_equal(f->avails[0].v[EMA_TITLE_ALIAS], "A");
    assert_true(has_issue(f, 3, "Territory", "ISO 3166-1"));
    assert_true(has_issue(f, 3, "WorkType", "Feature"));
    assert_true(has_issue(f, 3, "EntryType", "Full Delete"));
    assert_true(has_issue(f, 4, "LicenseType", "Rental"));
    assert_true(has_issue(f, 4, "StoreLanguage", "sub"));
    assert_true(has_issue(f, 4, "FormatProfile", "4K"));
    assert_true(has_issue(f, 5, "Start", "2026-02-30"));
    assert_true(has_issue(f, 5, "End", "soon"));
    assert_true(has_issue(f, 6, "End", "no day after Start"));
    assert_true(has_issue(f, 6, "StoreLanguage", "BCP 47"));
    assert_true(has_issue(f, 7, "PriceValue", "negative"));
    assert_true(has_issue(f, 8, "PriceType", "PriceValue"));
    assert_true(has_issue(f, 8, "ContentID", "EIDR"));
    assert_true(has_issue(f, 8, "ReleaseYear", NULL));
    assert_true(has_issue(f, 8, "SuppressionLiftDate", NULL));
    assert_true(has_issue(f, 8, "PriceCurrency", "ISO 4217"));
    assert_true(has_issue(f, 9, "Territory", "required"));
    assert_true(has_issue(f, 9, "WorkType", "required"));
    assert_true(has_issue(f, 9, "LicenseType", "required"));
    assert_true(has_issue(f, 9, "Start", "required"));
    assert_true(has_issue(f, 9, "End", "required"));
    assert_true(has_issue(f, 10, "SeriesTitleInternalAlias", "series"));
    assert_true(has_issue(f, 11, "PriceValue", "amount"));
    assert_true(has_issue(f, 12, "PriceType", "Bargain"));
    for (size_t i = 0; i < f->nissues; i++) {
        assert_true(f->issues[i].line == f->issues[i].row); /* no quoted line breaks here */
        assert_true(strlen(f->issues[i].message) > 5);
    }
    assert_int_equal(f->issues_total, f->nissues);
    done(p);
}

static void test_file_errors(void **state)
{
    (void)state;
    /* A required column missing. */
    const char *t1 = "Territory\tWorkType\tTitleInternalAlias\tStart\tEnd\nFR\tMovie\tA\t2026-01-01"
                     "\tOpen\n";
    parsed *p = parse(t1, strlen(t1), 0);
    assert_int_equal(p->rc, MS_EINVAL);
    assert_true(p->e.nfields >= 1);
    assert_non_null(strstr(p->e.fields[0].field, "LicenseType"));
    done(p);
    /* No header at all. */
    const char *t2 = "a,b\n1,2\n3,4\n";
    p = parse(t2, strlen(t2), 0);
    assert_int_equal(p->rc, MS_EINVAL);
    assert_string_equal(p->e.type, "validation");
    done(p);
    /* No title column. */
    const char *t3 = "Territory,WorkType,LicenseType,Start,End\nFR,Movie,EST,2026-01-01,Open\n";
    p = parse(t3, strlen(t3), 0);
    assert_int_equal(p->rc, MS_EINVAL);
    assert_non_null(strstr(p->e.detail, "title column"));
    done(p);
    /* Not UTF-8. */
    const char *t4 = "Territory,WorkType,LicenseType,Start,End,TitleInternalAlias\nFR,Movie,EST,"
                     "2026-01-01,Open,\xff\xfe\n";
    p = parse(t4, strlen(t4), 0);
    assert_int_equal(p->rc, MS_EINVAL);
    done(p);
    /* Empty. */
    p = parse("", 0, 0);
    assert_int_equal(p->rc, MS_EINVAL);
    done(p);
    /* Two columns for one key (StoreLanguage and its 1.7 name AssetLanguage). */
    const char *t5 = "Territory,WorkType,LicenseType,Start,End,TitleInternalAlias,StoreLanguage,"
                     "AssetLanguage\nFR,Movie,EST,2026-01-01,Open,A,en,fr\n";
    p = parse(t5, strlen(t5), 0);
    assert_int_equal(p->rc, MS_EINVAL);
    done(p);
}

static void test_dates_and_times(void **state)
{
    (void)state;
    const char *text = "Territory,WorkType,TitleInternalAlias,LicenseType,Start,End\n"
                       "FR,Movie,A,EST,2026-01-01T10:30:00,2026-02-01T12:00:00+02:00\n"
                       "FR,Movie,B,EST,2026-01-01,2026-01-02T00:00:00Z\n"
                       "FR,Movie,C,EST,2026-01-01 08:00,OPEN\n"
                       "FR,Movie,D,EST,2026-01-01T25:00:00,2026-02-01\n"
                       "FR,Movie,E,EST,2026-01-01,2026-01-01\n"
                       "FR,Movie,F,EST,1899-12-31,Open\n";
    parsed *p = parse_ok(text);
    const ema_file *f = &p->f;
    assert_int_equal(f->navails, 3);
    av_day d;
    assert_true(dims_date_parse("2026-02-01", &d));
    assert_int_equal(f->avails[0].end, d); /* 12:00 on End's day: that day counts */
    assert_true(dims_date_parse("2026-01-01", &d));
    assert_int_equal(f->avails[1].start, d);
    assert_int_equal(f->avails[1].end, d); /* midnight: one day */
    assert_true(f->avails[2].open);
    assert_true(has_issue(f, 5, "Start", NULL));
    assert_true(has_issue(f, 6, "End", "no day after Start"));
    assert_true(has_issue(f, 7, "Start", NULL));
    done(p);
}

static void test_tv_rows(void **state)
{
    (void)state;
    char eidr[40];
    eidr_for("148949A239564B2DFE16", eidr);
    char text[2048];
    snprintf(text, sizeof text,
             "DisplayName\tStoreLanguage\tTerritory\tWorkType\tEntryType\t"
             "SeriesTitleInternalAlias\tSeriesTitleDisplayUnlimited\tSeasonNumber\tEpisodeNumber\t"
             "LocalizationType\tEpisodeTitleInternalAlias\tLicenseType\tStart\tEnd\t"
             "SeriesContentID\tEpisodeContentID\tSeriesAltID\n"
             "Rockstar\ten\tUS\tEpisode\tFull Extract\tDetectives, The\tThe Detectives\t1\t101\t\t"
             "Meet the Cast\tEST\t2013-05-14\tOpen\t\tmd:cid:eidr-s:%s\trs_detectives\n"
             "Rockstar\ten\tUS\tSeason\tFull Extract\tDetectives, The\t\t1\t\t\t\tEST\t"
             "2013-05-14\tOpen\t\t\trs_detectives\n"
             "Rockstar\ten\tUS\tSeries\tFull Delete\tDetectives, The\t\t\t\t\t\tSVOD\t2013-05-14\t"
             "Open\t\t\t\n"
             "Rockstar\ten\tUS\tEpisode\t\tDetectives, The\t\tone\t-2\t\t\tEST\t2013-05-14\tOpen\t"
             "\t\t\n",
             eidr + 8);
    parsed *p = parse_ok(text);
    const ema_file *f = &p->f;
    if (f->nissues != 2) dump_issues(f);
    assert_true(f->tv);
    assert_int_equal(f->navails, 3);
    const ema_avail *ep = &f->avails[0];
    assert_int_equal(ep->work_type, EMA_WT_EPISODE);
    assert_int_equal(ep->season, 1);
    assert_int_equal(ep->episode, 101);
    assert_string_equal(ep->v[EMA_EPISODE_CONTENT_ID], eidr);
    assert_string_equal(ep->v[EMA_SERIES_ALIAS], "Detectives, The");
    assert_int_equal(f->avails[1].work_type, EMA_WT_SEASON);
    assert_int_equal(f->avails[1].episode, -1);
    assert_true(f->avails[2].full_delete);
    assert_true(has_issue(f, 5, "SeasonNumber", NULL));
    assert_true(has_issue(f, 5, "EpisodeNumber", NULL));
    done(p);
}

/* The cells of two files' rows are the same. */
static void assert_same_rows(const ema_file *a, const ema_file *b)
{
    assert_int_equal(a->navails, b->navails);
    for (size_t i = 0; i < a->navails; i++)
        for (int c = 0; c < EMA_NCOLS; c++)
            if (strcmp(a->avails[i].v[c], b->avails[i].v[c]))
                fail_msg("row %zu %s: \"%s\" vs \"%s\"", i, ema_col_name((ema_col)c),
                         a->avails[i].v[c], b->avails[i].v[c]);
}

static const char *mixed =
    "Territory,WorkType,TitleInternalAlias,SeriesTitleInternalAlias,SeasonNumber,EpisodeNumber,"
    "EpisodeTitleInternalAlias,LicenseType,Start,End,PriceType,PriceValue,Description,"
    "StoreLanguage,LocalizationType\n"
    "FR,Movie,\"Tabs\tand, commas\",,,,,EST,2026-01-01,Open,WSP,9.99,\"=HYPERLINK(\"\"x\"\")\",fr,"
    "dub\n"
    "GB,Episode,,Series One,2,7,\"Quote \"\"this\"\"\",SVOD,2026-01-01,2027-01-01,,,-5 stars,,\n"
    "JP,Movie,日本の映画,,,,,AVOD,2026-01-01,Open,Tier,Library,,ja,any\n";

static void test_round_trip(void **state)
{
    (void)state;
    parsed *p = parse_ok(mixed);
    assert_int_equal(p->f.nissues, 0);
    assert_int_equal(ema_layout_for(p->f.avails, p->f.navails), EMA_LAYOUT_BOTH);
    for (int k = 0; k < 2; k++) {
        char delim = k ? ',' : '\t';
        ms_buf out;
        ms_buf_init(&out);
        ema_write_text(&out, p->f.avails, p->f.navails, EMA_LAYOUT_BOTH, delim);
        assert_false(out.oom);
        parsed *q = parse(out.data, out.len, delim);
        if (q->rc) fail_msg("%s", q->e.detail);
        if (q->f.nissues) dump_issues(&q->f);
        assert_int_equal(q->f.nissues, 0);
        assert_same_rows(&p->f, &q->f);
        /* Written again: the same bytes. */
        ms_buf again;
        ms_buf_init(&again);
        ema_write_text(&again, q->f.avails, q->f.navails, EMA_LAYOUT_BOTH, delim);
        assert_int_equal(again.len, out.len);
        assert_memory_equal(again.data, out.data, out.len);
        /* A formula-like cell is defused with an apostrophe in the file. */
        assert_non_null(strstr(out.data, "'=HYPERLINK"));
        ms_buf_free(&again);
        ms_buf_free(&out);
        done(q);
    }
    /* Movie and TV layouts start with the template's columns. */
    ms_buf out;
    ms_buf_init(&out);
    ema_write_text(&out, p->f.avails, 1, EMA_LAYOUT_MOVIE, '\t');
    assert_true(ms_str_has_prefix(out.data, "DisplayName\tStoreLanguage\tTerritory\tWorkType\t"
                                            "EntryType\tTitleInternalAlias\t"));
    ms_buf_reset(&out);
    ema_write_text(&out, p->f.avails + 1, 1, EMA_LAYOUT_TV, ',');
    assert_true(ms_str_has_prefix(out.data, "DisplayName,StoreLanguage,Territory,WorkType,"
                                            "EntryType,SeriesTitleInternalAlias,"));
    assert_non_null(strstr(out.data, "\r\n"));
    ms_buf_free(&out);
    done(p);
}

static void test_xlsx(void **state)
{
    (void)state;
    parsed *p = parse_ok(mixed);
    ms_buf out;
    ms_buf_init(&out);
    ms_error e;
    char *dir = unit_tmpdir();
    assert_int_equal(ema_write_xlsx(&out, p->f.avails, p->f.navails, dir, &e), 0);
    assert_true(out.len > 1000);
    assert_memory_equal(out.data, "PK\x03\x04", 4);
    /* Zip entry names are stored as they are: two sheets. */
    assert_non_null(memmem(out.data, out.len, "xl/worksheets/sheet1.xml", 24));
    assert_non_null(memmem(out.data, out.len, "xl/worksheets/sheet2.xml", 24));
    assert_null(memmem(out.data, out.len, "xl/worksheets/sheet3.xml", 24));
    /* Nothing left behind in the temporary folder. */
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", dir);
    assert_int_equal(system(cmd), 0);
    unit_rmdir(dir);
    ms_buf_free(&out);
    /* No rows at all: still a workbook with both sheets. */
    ms_buf_init(&out);
    assert_int_equal(ema_write_xlsx(&out, NULL, 0, NULL, &e), 0);
    assert_memory_equal(out.data, "PK", 2);
    ms_buf_free(&out);
    done(p);
}

static void test_many_issues_capped(void **state)
{
    (void)state;
    ms_buf in;
    ms_buf_init(&in);
    ms_buf_puts(&in, "Territory,WorkType,TitleInternalAlias,LicenseType,Start,End\n");
    for (int i = 0; i < 1500; i++)
        ms_buf_puts(&in, "XX,Movie,A,EST,2026-01-01,Open\n");
    parsed *p = parse(in.data, in.len, 0);
    assert_int_equal(p->rc, 0);
    assert_int_equal(p->f.nissues, EMA_MAX_ISSUES);
    assert_int_equal(p->f.issues_total, 1500);
    assert_int_equal(p->f.bad_rows, 1500);
    assert_int_equal(p->f.issues[999].row, 1001);
    done(p);
    ms_buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_movie_rows),         cmocka_unit_test(test_header_anywhere_any_order),
        cmocka_unit_test(test_bad_cells),          cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_dates_and_times),    cmocka_unit_test(test_tv_rows),
        cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_many_issues_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
