/* idempotency.h: remembered responses of create requests sent with an Idempotency-Key.
 *
 * A client that retries a POST (the network dropped the response) sends the same key; the
 * server answers with the response it gave the first time instead of creating again. Keys are
 * scoped to the user and kept for 24 hours. The record is written in the same transaction as
 * the object it created, so "created" and "remembered" can never disagree. Reusing a key for a
 * different request (other method, path or body) is an error. The remembered response is
 * sealed with the server key (core/seal.h): a create may have returned a one-time secret (an
 * API token, an invitation link) that a retrying client needs again and that must not sit in
 * the database in plain text. */
#ifndef MS_IDEMPOTENCY_H
#define MS_IDEMPOTENCY_H

#include "core/error.h"
#include "store/db.h"

#include <stdbool.h>

#define IDEM_KEY_MAX 255
#define IDEM_TTL_MS  (24LL * 3600 * 1000)

typedef struct idem_record {
    int status;
    char *response; /* malloc'd, may be NULL */
    char *location; /* malloc'd, may be NULL */
    char *etag;     /* malloc'd, may be NULL */
} idem_record;

/* Printable ASCII, 1..255 characters. */
bool idem_key_valid(const char *key);
/* Hex digest identifying a request: method, path and body bytes. */
void idem_request_hash(const char *method, const char *path, const char *body, size_t len,
                       char out[65]);
/* 1: found for the same request (rec filled; free with idem_record_free), 0: not found,
 * MS_ECONFLICT ("idempotency-key-reused"): the key was used for a different request. */
int idem_lookup(db_conn *c, const unsigned char secret[32], const char *user_id, const char *key,
                const char *req_hash, idem_record *rec, ms_error *err);
int idem_save(db_conn *c, const unsigned char secret[32], const char *user_id, const char *key,
              const char *method, const char *path, const char *req_hash, int status,
              const char *response, const char *location, const char *etag, ms_error *err);
int idem_purge(db_conn *c, const char *before, ms_error *err);
void idem_record_free(idem_record *rec);

#endif
