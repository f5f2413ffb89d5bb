/* error.h: the one error convention of mstation.
 *
 * Functions return int: 0 (MS_OK) or a negative MS_E* code, and fill an ms_error that the
 * caller owns. The code says what class of failure it was (and so which HTTP status or exit
 * code it becomes); `type` is the stable slug shown to API clients (RFC 9457 problem type);
 * `detail` is a sentence a person can act on; `fields` carries field-level validation errors.
 *
 * ms_error is a fixed-size value: filling it never allocates, so it is safe on every path,
 * including out-of-memory. It is not a stack trace and not a log record. */
#ifndef MS_ERROR_H
#define MS_ERROR_H

#include <stdarg.h>
#include <stddef.h>

enum {
    MS_OK = 0,
    MS_EINVAL = -1,     /* the input is wrong (422, or 400 when it is not even parseable) */
    MS_ENOTFOUND = -2,  /* no such object, or not one the caller may see (404) */
    MS_ECONFLICT = -3,  /* clashes with existing state (409) */
    MS_EFORBIDDEN = -4, /* visible, but the caller may not do this (403) */
    MS_EUNAUTH = -5,    /* no valid credentials (401) */
    MS_ESTALE = -6,     /* If-Match did not match the current version (412) */
    MS_ETOOBIG = -7,    /* body or field too large (413) */
    MS_EIO = -8,        /* file system failure (500) */
    MS_EDB = -9,        /* database failure (500, or 503 when busy) */
    MS_ENOMEM = -10,    /* allocation failed (500) */
    MS_EBUSY = -11,     /* try again later (503) */
    MS_ELIMIT = -12,    /* rate limited or locked for a while (429) */
    MS_EINTERNAL = -13, /* a bug: an invariant did not hold (500) */
    MS_EBADREQ = -14,   /* malformed request: bad JSON, bad query parameter (400) */
    MS_ENOSPC = -15,    /* the store is full (507); nothing was kept */
    MS_EGONE = -16,     /* existed, but expired or was revoked (410) */
};

#define MS_ERROR_FIELDS_MAX 16

typedef struct ms_field_error {
    char field[64];    /* JSON pointer-ish name: "email", "members/2/role" */
    char message[160]; /* "must be one of: owner, admin, member, viewer" */
} ms_field_error;

typedef struct ms_error {
    int code;
    char type[48];    /* stable slug: "validation", "not-found", "stale-version", ... */
    char detail[400]; /* human sentence */
    int nfields;
    ms_field_error fields[MS_ERROR_FIELDS_MAX];
} ms_error;

/* Clear an error to "no error". */
void ms_error_clear(ms_error *e);

/* Fill `e` (may be NULL) and return `code`, so that `return ms_fail(...)` reads naturally.
 * `type` NULL picks the default slug for `code`. */
int ms_fail(ms_error *e, int code, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ms_vfail(ms_error *e, int code, const char *type, const char *fmt, va_list ap);

/* Add a field-level validation error (kept up to MS_ERROR_FIELDS_MAX). Sets code to
 * MS_EINVAL and type "validation" when no error was set yet. Returns MS_EINVAL. */
int ms_field_fail(ms_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The default slug of a code ("not-found" for MS_ENOTFOUND, ...). */
const char *ms_error_slug(int code);

/* HTTP status for a code. */
int ms_error_http_status(int code);

#endif
