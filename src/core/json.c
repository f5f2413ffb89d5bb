/* json.c: request body parsing and declarative checking. See json.h. */
#include "core/json.h"

#include "core/buf.h"
#include "core/id.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

int ms_json_parse(const char *data, size_t len, json_t **out, ms_error *err)
{
    json_error_t je;
    *out = NULL;
    if (len == 0) return ms_fail(err, MS_EBADREQ, "malformed-json", "The request body is empty.");
    /* Any JSON value parses; whether it has the right shape (an object, usually) is the
     * checker's question and a 422, not a 400. */
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j)
        return ms_fail(err, MS_EBADREQ, "malformed-json",
                       "The request body is not valid JSON: %s (line %d, column %d).", je.text,
                       je.line, je.column);
    *out = j;
    return 0;
}

size_t ms_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

bool ms_email_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 254) return false;
    const char *at = strrchr(s, '@');
    if (!at || at == s || at - s > 64 || !at[1]) return false;
    for (const char *p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 0x7f || strchr("()<>[]\\,;:\"@", c)) return false;
    }
    /* Domain: dot-separated labels of letters, digits and hyphens, not starting or ending
     * with a hyphen. A single label ("localhost") is accepted for on-premise installs. */
    const char *p = at + 1;
    size_t label = 0;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (label == 0 || p[-1] == '-') return false;
            label = 0;
            continue;
        }
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok || (label == 0 && c == '-') || ++label > 63) return false;
    }
    return label > 0 && p[-1] != '-';
}

bool ms_locale_valid(const char *s)
{
    /* language (2-3 letters) then subtags of 1-8 alphanumerics, at most 35 characters. */
    size_t n = strlen(s), i = 0;
    if (n < 2 || n > 35) return false;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    if (i < 2 || i > 3) return false;
    while (i < n) {
        if (s[i] != '-') return false;
        size_t start = ++i;
        while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                         (s[i] >= '0' && s[i] <= '9')))
            i++;
        if (i - start < 1 || i - start > 8) return false;
    }
    return true;
}

bool ms_slug_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n < 2 || n > max || !(s[0] >= 'a' && s[0] <= 'z') || s[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        if (c == '-' && s[i + 1] == '-') return false;
    }
    return true;
}

static const char *jtype_name(ms_jtype t)
{
    switch (t) {
    case MS_J_INT:
        return "an integer";
    case MS_J_BOOL:
        return "true or false";
    case MS_J_OBJECT:
        return "an object";
    case MS_J_ARRAY:
        return "an array";
    default:
        return "a string";
    }
}

static void check_string(const ms_jfield *f, const char *s, ms_error *err)
{
    size_t chars = ms_utf8_chars(s);
    switch (f->type) {
    case MS_J_STRING:
    case MS_J_TEXT:
        if (!ms_str_is_clean_text(s, (size_t)(f->max > 0 ? f->max : 1 << 20) * 4,
                                  f->type == MS_J_TEXT)) {
            ms_field_fail(err, f->name, "must not contain control characters");
            return;
        }
        if (f->min > 0 && chars < (size_t)f->min) {
            if (f->min == 1)
                ms_field_fail(err, f->name, "must not be empty");
            else
                ms_field_fail(err, f->name, "must be at least %lld characters", (long long)f->min);
        } else if (f->max > 0 && chars > (size_t)f->max) {
            ms_field_fail(err, f->name, "must be at most %lld characters", (long long)f->max);
        } else if (f->type == MS_J_STRING && f->min > 0) {
            /* A required name made only of spaces is empty. */
            const char *p = s;
            while (*p == ' ')
                p++;
            if (!*p) ms_field_fail(err, f->name, "must not be blank");
        }
        return;
    case MS_J_ENUM:
        for (const char *const *c = f->choices; c && *c; c++)
            if (strcmp(*c, s) == 0) return;
        {
            char list[160] = "";
            size_t off = 0;
            for (const char *const *c = f->choices; c && *c && off < sizeof list - 4; c++) {
                int w = snprintf(list + off, sizeof list - off, "%s%s", off ? ", " : "", *c);
                if (w < 0) break;
                off += (size_t)w;
            }
            ms_field_fail(err, f->name, "must be one of: %s", list);
        }
        return;
    case MS_J_EMAIL:
        if (!ms_email_valid(s)) ms_field_fail(err, f->name, "must be an e-mail address");
        return;
    case MS_J_ID:
        if (!ms_uuid_valid(s)) ms_field_fail(err, f->name, "must be an id (UUID)");
        return;
    case MS_J_TIME: {
        int64_t t;
        if (!ms_time_parse(s, &t))
            ms_field_fail(err, f->name, "must be an RFC 3339 date-time, e.g. 2026-01-31T09:00:00Z");
        return;
    }
    case MS_J_LOCALE:
        if (!ms_locale_valid(s))
            ms_field_fail(err, f->name, "must be a language tag such as en or zh-CN");
        return;
    case MS_J_SLUG:
        if (!ms_slug_valid(s, f->max > 0 ? (size_t)f->max : 64))
            ms_field_fail(err, f->name,
                          "must be 2-%lld lower-case letters, digits or single hyphens, "
                          "starting with a letter",
                          (long long)(f->max > 0 ? f->max : 64));
        return;
    default:
        return;
    }
}

int ms_json_check(const json_t *body, const ms_jfield *fields, ms_error *err)
{
    if (!json_is_object(body))
        return ms_fail(err, MS_EINVAL, "validation", "The request body must be a JSON object.");
    int before = err ? err->nfields : 0;
    ms_error local;
    ms_error_clear(&local);
    ms_error *e = err ? err : &local;

    /* Unknown fields first: they usually explain the "missing" errors that follow. */
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)body, key, val)
    {
        const ms_jfield *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            char name[64];
            snprintf(name, sizeof name, "%s", key);
            if (!ms_str_is_clean_text(name, sizeof name, false)) snprintf(name, sizeof name, "?");
            ms_field_fail(e, name, "is not a known field");
        }
    }
    for (const ms_jfield *f = fields; f->name; f++) {
        json_t *v = json_object_get(body, f->name);
        if (!v) {
            if (f->required) ms_field_fail(e, f->name, "is required");
            continue;
        }
        if (json_is_null(v)) {
            if (!f->nullable) ms_field_fail(e, f->name, "must not be null");
            continue;
        }
        switch (f->type) {
        case MS_J_INT:
            if (!json_is_integer(v)) {
                ms_field_fail(e, f->name, "must be %s", jtype_name(f->type));
            } else {
                json_int_t x = json_integer_value(v);
                if (x < f->min || (f->max > f->min && x > f->max))
                    ms_field_fail(e, f->name, "must be between %lld and %lld", (long long)f->min,
                                  (long long)f->max);
            }
            break;
        case MS_J_BOOL:
            if (!json_is_boolean(v)) ms_field_fail(e, f->name, "must be %s", jtype_name(f->type));
            break;
        case MS_J_OBJECT:
            if (!json_is_object(v))
                ms_field_fail(e, f->name, "must be %s", jtype_name(f->type));
            else if (f->max > 0 && json_object_size(v) > (size_t)f->max)
                ms_field_fail(e, f->name, "must have at most %lld members", (long long)f->max);
            break;
        case MS_J_ARRAY:
            if (!json_is_array(v))
                ms_field_fail(e, f->name, "must be %s", jtype_name(f->type));
            else if (f->max > 0 && json_array_size(v) > (size_t)f->max)
                ms_field_fail(e, f->name, "must have at most %lld items", (long long)f->max);
            break;
        default:
            if (!json_is_string(v))
                ms_field_fail(e, f->name, "must be %s", jtype_name(f->type));
            else
                check_string(f, json_string_value(v), e);
        }
    }
    return e->nfields > before ? MS_EINVAL : 0;
}

const char *ms_json_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t ms_json_int(const json_t *obj, const char *key, int64_t def)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

bool ms_json_bool(const json_t *obj, const char *key, bool def)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

bool ms_json_has(const json_t *obj, const char *key)
{
    return json_object_get(obj, key) != NULL;
}
