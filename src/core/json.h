/* json.h: parsing request bodies and checking them against a declared shape.
 *
 * A route declares its body as a table of ms_jfield; ms_json_check verifies the body is an
 * object, every required field is present, every field has the declared type and bounds, and
 * there are no unknown fields (a typo such as "nmae" is an error, not silently ignored). All
 * problems are reported at once as field errors in ms_error. String bounds count characters
 * (Unicode code points), not bytes, so a 100-character limit means the same in Chinese and
 * English. It does not coerce types: "5" is not a number. */
#ifndef MS_JSON_H
#define MS_JSON_H

#include "core/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum ms_jtype {
    MS_J_STRING, /* single-line text, no control characters */
    MS_J_TEXT,   /* multi-line text (newlines and tabs allowed) */
    MS_J_INT,    /* integer in [min, max] */
    MS_J_BOOL,
    MS_J_ENUM,   /* string from `choices` */
    MS_J_EMAIL,  /* e-mail address */
    MS_J_ID,     /* UUID in canonical text */
    MS_J_TIME,   /* RFC 3339 date-time */
    MS_J_LOCALE, /* BCP 47 language tag ("zh-CN", "en") */
    MS_J_OBJECT, /* any JSON object, at most `max` members */
    MS_J_ARRAY,  /* any JSON array, at most `max` items */
    MS_J_SLUG,   /* lower-case a-z 0-9 and '-', 2..max characters, starts with a letter */
} ms_jtype;

typedef struct ms_jfield {
    const char *name;
    ms_jtype type;
    bool required;
    bool nullable; /* JSON null allowed (means "clear this field" on PATCH) */
    int64_t min, max;
    const char *const *choices; /* MS_J_ENUM: NULL-terminated */
} ms_jfield;

/* Parse `len` bytes as JSON. Errors are MS_EBADREQ ("malformed-json") with line and column. */
int ms_json_parse(const char *data, size_t len, json_t **out, ms_error *err);

/* Check `body` against `fields` (terminated by an entry with name NULL). */
int ms_json_check(const json_t *body, const ms_jfield *fields, ms_error *err);

/* Shape checks used by ms_json_check and elsewhere (query parameters, CLI input). */
bool ms_email_valid(const char *s);
bool ms_locale_valid(const char *s);
bool ms_slug_valid(const char *s, size_t max);
size_t ms_utf8_chars(const char *s);

/* Accessors: NULL / default when the key is absent or JSON null. */
const char *ms_json_str(const json_t *obj, const char *key);
int64_t ms_json_int(const json_t *obj, const char *key, int64_t def);
bool ms_json_bool(const json_t *obj, const char *key, bool def);
/* True when the key is present (even as null). */
bool ms_json_has(const json_t *obj, const char *key);

#endif
