/* error.c: filling ms_error values and mapping codes to slugs and HTTP statuses.
 * Never allocates: see error.h. */
#include "core/error.h"

#include <stdio.h>
#include <string.h>

void ms_error_clear(ms_error *e)
{
    if (!e) return;
    e->code = MS_OK;
    e->type[0] = '\0';
    e->detail[0] = '\0';
    e->nfields = 0;
}

const char *ms_error_slug(int code)
{
    switch (code) {
    case MS_OK:
        return "ok";
    case MS_EINVAL:
        return "validation";
    case MS_ENOTFOUND:
        return "not-found";
    case MS_ECONFLICT:
        return "conflict";
    case MS_EFORBIDDEN:
        return "forbidden";
    case MS_EUNAUTH:
        return "unauthorized";
    case MS_ESTALE:
        return "stale-version";
    case MS_ETOOBIG:
        return "too-large";
    case MS_EIO:
        return "io-error";
    case MS_EDB:
        return "database-error";
    case MS_ENOMEM:
        return "out-of-memory";
    case MS_EBUSY:
        return "busy";
    case MS_ELIMIT:
        return "rate-limited";
    case MS_EBADREQ:
        return "bad-request";
    case MS_ENOSPC:
        return "insufficient-storage";
    case MS_EGONE:
        return "gone";
    default:
        return "internal";
    }
}

int ms_error_http_status(int code)
{
    switch (code) {
    case MS_OK:
        return 200;
    case MS_EINVAL:
        return 422;
    case MS_EBADREQ:
        return 400;
    case MS_ENOTFOUND:
        return 404;
    case MS_ECONFLICT:
        return 409;
    case MS_EFORBIDDEN:
        return 403;
    case MS_EUNAUTH:
        return 401;
    case MS_ESTALE:
        return 412;
    case MS_ETOOBIG:
        return 413;
    case MS_EBUSY:
        return 503;
    case MS_ELIMIT:
        return 429;
    case MS_ENOSPC:
        return 507;
    case MS_EGONE:
        return 410;
    default:
        return 500;
    }
}

int ms_vfail(ms_error *e, int code, const char *type, const char *fmt, va_list ap)
{
    if (!e) return code;
    e->code = code;
    snprintf(e->type, sizeof e->type, "%s", type ? type : ms_error_slug(code));
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    return code;
}

int ms_fail(ms_error *e, int code, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ms_vfail(e, code, type, fmt, ap);
    va_end(ap);
    return code;
}

int ms_field_fail(ms_error *e, const char *field, const char *fmt, ...)
{
    if (!e) return MS_EINVAL;
    if (e->code == MS_OK) {
        e->code = MS_EINVAL;
        snprintf(e->type, sizeof e->type, "validation");
        snprintf(e->detail, sizeof e->detail, "The request has invalid fields.");
    }
    if (e->nfields < MS_ERROR_FIELDS_MAX) {
        ms_field_error *f = &e->fields[e->nfields++];
        snprintf(f->field, sizeof f->field, "%s", field);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->message, sizeof f->message, fmt, ap);
        va_end(ap);
    }
    return MS_EINVAL;
}
