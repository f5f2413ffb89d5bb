/* fuzz_request.c: libFuzzer target for everything that reads request input before a handler
 * acts on it: JSON body parsing and shape checking (every field type), query parameters
 * (limit, cursor, unknown names), If-Match, RFC 3339 times, e-mail, language tags and slugs.
 * Invariants: no crash, no leak, no sanitizer report; a body that passes the check really
 * has the declared shape. */
#include "core/api.h"
#include "core/json.h"
#include "core/time.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"studio", "broadcaster", "school", NULL};
static const ms_jfield shape[] = {
    {"name", MS_J_STRING, true, false, 1, 200, NULL},
    {"kind", MS_J_ENUM, false, false, 0, 0, kinds},
    {"n", MS_J_INT, false, false, -5, 500, NULL},
    {"flag", MS_J_BOOL, false, false, 0, 0, NULL},
    {"email", MS_J_EMAIL, false, false, 0, 0, NULL},
    {"when", MS_J_TIME, false, true, 0, 0, NULL},
    {"id", MS_J_ID, false, false, 0, 0, NULL},
    {"lang", MS_J_LOCALE, false, false, 0, 0, NULL},
    {"slug", MS_J_SLUG, false, false, 2, 40, NULL},
    {"note", MS_J_TEXT, false, false, 0, 4000, NULL},
    {"meta", MS_J_OBJECT, false, false, 0, 8, NULL},
    {"list", MS_J_ARRAY, false, false, 0, 8, NULL},
    {0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Body. */
    json_t *j = NULL;
    ms_error e;
    ms_error_clear(&e);
    if (ms_json_parse((const char *)data, size, &j, &e) == 0) {
        ms_error_clear(&e);
        if (ms_json_check(j, shape, &e) == 0) {
            const char *name = ms_json_str(j, "name");
            if (!name || ms_utf8_chars(name) < 1 || ms_utf8_chars(name) > 200) abort();
            const char *when = ms_json_str(j, "when");
            int64_t t;
            if (when && !ms_time_parse(when, &t)) abort();
            const char *email = ms_json_str(j, "email");
            if (email && !ms_email_valid(email)) abort();
        } else if (e.nfields > MS_ERROR_FIELDS_MAX) {
            abort();
        }
        json_decref(j);
    }

    /* The same bytes as text inputs of other parsers. */
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    int64_t t;
    if (ms_time_parse(s, &t)) {
        char back[MS_TIME_LEN];
        ms_time_fmt(t, back);
        int64_t t2;
        if (!ms_time_parse(back, &t2) || t2 != t) abort();
    }
    (void)ms_email_valid(s);
    (void)ms_locale_valid(s);
    (void)ms_slug_valid(s, 64);
    (void)ms_str_is_clean_text(s, 1 << 20, true);

    /* Query parameters and headers as a handler sees them. */
    ms_arena a;
    ms_arena_init(&a, 4096);
    ms_req r;
    memset(&r, 0, sizeof r);
    r.arena = &a;
    char *p = s, *save = NULL;
    for (char *kv = strtok_r(p, "&", &save); kv && r.nquery < MS_QUERY_MAX;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq) *eq = 0;
        r.query[r.nquery].key = kv;
        r.query[r.nquery].value = eq ? eq + 1 : "";
        r.nquery++;
    }
    static const char *const allowed[] = {"limit", "cursor", "q", NULL};
    (void)ms_req_query_only(&r, allowed);
    int limit;
    char key[256];
    ms_error_clear(&r.err);
    if (ms_req_page(&r, &limit, key, sizeof key) == 0 && (limit < 1 || limit > 500)) abort();
    r.if_match = r.nquery ? r.query[0].value : NULL;
    ms_error_clear(&r.err);
    (void)ms_req_check_version(&r, 3);
    ms_arena_free(&a);
    free(s);
    return 0;
}
