/* idempotency.c: see idempotency.h. */
#include "store/idempotency.h"

#include "core/buf.h"
#include "core/seal.h"
#include "core/time.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

bool idem_key_valid(const char *key)
{
    size_t n = strlen(key);
    if (n < 1 || n > IDEM_KEY_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e) return false;
    return true;
}

void idem_request_hash(const char *method, const char *path, const char *body, size_t len,
                       char out[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)method, strlen(method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)path, strlen(path) + 1);
    if (body && len) crypto_generichash_update(&st, (const unsigned char *)body, len);
    crypto_generichash_final(&st, h, sizeof h);
    ms_hex_encode(h, sizeof h, out);
}

int idem_lookup(db_conn *c, const unsigned char secret[32], const char *user_id, const char *key,
                const char *req_hash, idem_record *rec, ms_error *err)
{
    memset(rec, 0, sizeof *rec);
    char cutoff[MS_TIME_LEN];
    ms_time_fmt(ms_now_ms() - IDEM_TTL_MS, cutoff);
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT request_hash, status, response, location, etag "
                          "FROM idempotency_key WHERE user_id = ? AND idem_key = ? "
                          "AND created_at >= ?",
                          "sss", user_id, key, cutoff);
    if (rc <= 0) return rc;
    if (strcmp(db_col_text(st, 0), req_hash) != 0) {
        db_done(st);
        return ms_fail(err, MS_ECONFLICT, "idempotency-key-reused",
                       "This Idempotency-Key was already used for a different request; use a "
                       "new key for a new request.");
    }
    rec->status = (int)db_col_int(st, 1);
    const char *r = db_col_text(st, 2), *l = db_col_text(st, 3), *t = db_col_text(st, 4);
    if (r) {
        ms_error e2;
        if (ms_unseal(secret, "idempotency", r, &rec->response, NULL, &e2) != 0) {
            db_done(st);
            return ms_fail(err, MS_EINTERNAL, "idempotency-unreadable",
                           "The remembered response cannot be opened (was the server key "
                           "changed?); retry with a new Idempotency-Key.");
        }
    }
    rec->location = l ? strdup(l) : NULL;
    rec->etag = t ? strdup(t) : NULL;
    db_done(st);
    return 1;
}

int idem_save(db_conn *c, const unsigned char secret[32], const char *user_id, const char *key,
              const char *method, const char *path, const char *req_hash, int status,
              const char *response, const char *location, const char *etag, ms_error *err)
{
    char now[MS_TIME_LEN], *sealed = NULL;
    ms_now_str(now);
    if (response) {
        int rc = ms_seal(secret, "idempotency", response, strlen(response), &sealed, err);
        if (rc) return rc;
    }
    /* An expired record with the same key is replaced. */
    int rc = db_exec(c, err,
                     "INSERT INTO idempotency_key (user_id, idem_key, method, path, request_hash, "
                     "status, response, location, etag, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (user_id, idem_key) DO UPDATE SET method = excluded.method, "
                     "path = excluded.path, request_hash = excluded.request_hash, "
                     "status = excluded.status, response = excluded.response, "
                     "location = excluded.location, etag = excluded.etag, "
                     "created_at = excluded.created_at",
                     "sssssissss", user_id, key, method, path, req_hash, status, sealed, location,
                     etag, now);
    free(sealed);
    return rc < 0 ? rc : 0;
}

int idem_purge(db_conn *c, const char *before, ms_error *err)
{
    return db_exec(c, err, "DELETE FROM idempotency_key WHERE created_at < ?", "s", before);
}

void idem_record_free(idem_record *rec)
{
    free(rec->response);
    free(rec->location);
    free(rec->etag);
    rec->response = rec->location = rec->etag = NULL;
}
