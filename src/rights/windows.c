/* windows.c: an organization's rights as the engine's windows, read from the database - its
 * rights in, the rights rows of its deals (signed and active ones hold, drafts, offered and
 * negotiating ones are pending, expired and terminated ones are gone) and its holdbacks (a
 * deal's only while the deal holds). The one place that says which rows are windows: the
 * cache (cache.c) and the conflict check inside write transactions (conflicts.c) both read
 * through it. */
#include "rights/rights_internal.h"

#include <stdint.h>
#include <string.h>

/* The three sources of windows, as the same eleven columns: title, the row's id (the deal's
 * for deal rows), territories, media, languages, start, end, exclusivity, deal status,
 * reference, licensee. Each comes in two forms: for one title (the title's index leads), and
 * for the whole organization (deal rows and holdbacks also leave out the deal being changed). */
typedef struct source {
    uint8_t kind, ref_type;
    const char *one, *all;
} source;

#define IN_COLS                                                                                    \
    "SELECT title_id, id, territories, media, languages, start_date, end_date, exclusivity, "      \
    "NULL, NULL, NULL FROM rights_in WHERE deleted_at IS NULL AND org_id = ?"
#define DEAL_COLS                                                                                  \
    "SELECT dr.title_id, d.id, dr.territories, dr.media, dr.languages, dr.start_date, "            \
    "dr.end_date, dr.exclusivity, d.status, d.reference, d.licensee_name FROM rights_deal_right "  \
    "dr JOIN rights_deal d ON d.id = dr.deal_id WHERE d.org_id = ? AND d.deleted_at IS NULL AND "  \
    "d.status IN ('draft', 'offered', 'negotiating', 'signed', 'active') AND (CAST(? AS TEXT) IS " \
    "NULL OR d.id <> ?)"
#define HOLDBACK_COLS                                                                              \
    "SELECT h.title_id, h.id, h.territories, h.media, NULL, h.start_date, h.end_date, NULL, "      \
    "NULL, d.reference, d.licensee_name FROM rights_holdback h LEFT JOIN rights_deal d ON d.id = " \
    "h.deal_id WHERE h.org_id = ? AND h.deleted_at IS NULL AND (h.deal_id IS NULL OR "             \
    "(d.deleted_at IS NULL AND d.status IN ('signed', 'active'))) AND (CAST(? AS TEXT) IS NULL "   \
    "OR h.deal_id IS NULL OR h.deal_id <> ?)"

static const source sources[] = {
    {AV_RIGHTS_IN, RIGHTS_REF_IN, IN_COLS " AND title_id = ?", IN_COLS},
    {AV_LICENSE, RIGHTS_REF_DEAL, DEAL_COLS " AND dr.title_id = ? ORDER BY d.id, dr.position",
     DEAL_COLS " ORDER BY d.id, dr.position"},
    {AV_HOLDBACK, RIGHTS_REF_HOLDBACK, HOLDBACK_COLS " AND h.title_id = ?", HOLDBACK_COLS},
};

static int load(db_conn *c, const source *src, const char *org_id, const char *title_id,
                const char *ignore, const dims_media_reg *reg, rights_parse_memo *memo,
                rights_window_fn fn, void *ctx, ms_error *err)
{
    db_stmt *st;
    /* Rights in have no deal to leave out: the ignore parameters are bound only where used. */
    bool in = src->kind == AV_RIGHTS_IN;
    int rc = title_id
                 ? (in ? db_query(c, &st, err, src->one, "ss", org_id, title_id)
                       : db_query(c, &st, err, src->one, "ssss", org_id, ignore, ignore, title_id))
                 : (in ? db_query(c, &st, err, src->all, "s", org_id)
                       : db_query(c, &st, err, src->all, "sss", org_id, ignore, ignore));
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *status = db_col_text(st, 8);
        bool pending = status && strcmp(status, "signed") && strcmp(status, "active");
        av_window w = {.kind = src->kind, .pending = pending};
        rights_ref ref = {.type = src->ref_type,
                          .status = status,
                          .reference = db_col_text(st, 9),
                          .licensee = db_col_text(st, 10)};
        ms_strlcpy(ref.id, db_col_text(st, 1), sizeof ref.id);
        if ((rc = rights_window_from_text(memo, reg, db_col_text(st, 2), db_col_text(st, 3),
                                          db_col_text(st, 4), db_col_text(st, 5),
                                          db_col_text(st, 6), db_col_text(st, 7), &w, err)) ||
            (rc = fn(ctx, db_col_text(st, 0), &w, &ref, err)))
            break;
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

int rights_windows_load(db_conn *c, const char *org_id, const char *title_id,
                        const char *ignore_deal_id, const dims_media_reg *reg,
                        rights_parse_memo *memo, rights_window_fn fn, void *ctx, ms_error *err)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof sources / sizeof sources[0]; i++)
        rc = load(c, &sources[i], org_id, title_id, ignore_deal_id, reg, memo, fn, ctx, err);
    return rc;
}
