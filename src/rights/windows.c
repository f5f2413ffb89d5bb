/* windows.c: an organization's rights as the engine's windows, read from the database - its
 * rights in, the rights rows of its deals (signed and active ones hold, drafts, offered and
 * negotiating ones are pending, expired and terminated ones are gone) and its holdbacks (a
 * deal's only while the deal holds). The one place that says which rows are windows: the
 * cache (cache.c) and the conflict check inside write transactions (conflicts.c) both read
 * through it. */
#include "rights/rights_internal.h"

#include <string.h>

static int load_rights_in(db_conn *c, const char *org_id, const char *title_id,
                          const dims_media_reg *reg, rights_parse_memo *memo, rights_window_fn fn,
                          void *ctx, ms_error *err)
{
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT title_id, id, territories, media, languages, start_date, end_date, "
                      "exclusivity FROM rights_in WHERE org_id = ? AND deleted_at IS NULL AND "
                      "(CAST(? AS TEXT) IS NULL OR title_id = ?)",
                      "sss", org_id, title_id, title_id);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        av_window w = {.kind = AV_RIGHTS_IN};
        rights_ref ref = {.type = RIGHTS_REF_IN};
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

static int load_deals(db_conn *c, const char *org_id, const char *title_id, const char *ignore,
                      const dims_media_reg *reg, rights_parse_memo *memo, rights_window_fn fn,
                      void *ctx, ms_error *err)
{
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT dr.title_id, d.id, dr.territories, dr.media, dr.languages, "
                      "dr.start_date, dr.end_date, dr.exclusivity, d.status, d.reference, "
                      "d.licensee_name FROM rights_deal_right dr JOIN rights_deal d ON d.id = "
                      "dr.deal_id WHERE d.org_id = ? AND d.deleted_at IS NULL AND d.status IN "
                      "('draft', 'offered', 'negotiating', 'signed', 'active') AND (CAST(? AS "
                      "TEXT) IS NULL OR dr.title_id = ?) AND (CAST(? AS TEXT) IS NULL OR d.id <> "
                      "?) ORDER BY d.id, dr.position",
                      "sssss", org_id, title_id, title_id, ignore, ignore);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *status = db_col_text(st, 8);
        bool holds = !strcmp(status, "signed") || !strcmp(status, "active");
        av_window w = {.kind = AV_LICENSE, .pending = !holds};
        rights_ref ref = {.type = RIGHTS_REF_DEAL,
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

static int load_holdbacks(db_conn *c, const char *org_id, const char *title_id, const char *ignore,
                          const dims_media_reg *reg, rights_parse_memo *memo, rights_window_fn fn,
                          void *ctx, ms_error *err)
{
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT h.title_id, h.id, h.territories, h.media, h.start_date, h.end_date, "
                      "d.reference, d.licensee_name FROM rights_holdback h LEFT JOIN rights_deal "
                      "d ON d.id = h.deal_id WHERE h.org_id = ? AND h.deleted_at IS NULL AND "
                      "(h.deal_id IS NULL OR (d.deleted_at IS NULL AND d.status IN ('signed', "
                      "'active'))) AND (CAST(? AS TEXT) IS NULL OR h.title_id = ?) AND (CAST(? "
                      "AS TEXT) IS NULL OR h.deal_id IS NULL OR h.deal_id <> ?)",
                      "sssss", org_id, title_id, title_id, ignore, ignore);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        av_window w = {.kind = AV_HOLDBACK};
        rights_ref ref = {.type = RIGHTS_REF_HOLDBACK,
                          .reference = db_col_text(st, 6),
                          .licensee = db_col_text(st, 7)};
        ms_strlcpy(ref.id, db_col_text(st, 1), sizeof ref.id);
        if ((rc = rights_window_from_text(memo, reg, db_col_text(st, 2), db_col_text(st, 3), NULL,
                                          db_col_text(st, 4), db_col_text(st, 5), NULL, &w, err)) ||
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
    int rc = load_rights_in(c, org_id, title_id, reg, memo, fn, ctx, err);
    if (!rc) rc = load_deals(c, org_id, title_id, ignore_deal_id, reg, memo, fn, ctx, err);
    if (!rc) rc = load_holdbacks(c, org_id, title_id, ignore_deal_id, reg, memo, fn, ctx, err);
    return rc;
}
