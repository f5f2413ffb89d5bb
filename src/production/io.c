/* io.c: what the CSV export, the CSV import and the EDL import share: a string-keyed hash map
 * (an import loads a project's names and ids into these once, so that no row costs a SELECT),
 * the collection of a text body (CSV or EDL uploads are not JSON: the route streams the body
 * here, capped at IO_BODY_MAX), and the reading of the kind and yes/no query parameters. The
 * rules users see are in docs/production-io.md. It does not read or write CSV itself
 * (io_export.c, io_import.c; core/csv.h). */
#include "production/prod_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- A hash map from strings to indexes. ----
 *
 * Open addressing with linear probing over a power-of-two table kept at most half full; a slot
 * holds the key's hash, so a probe reads one slot and compares strings only on a hash match. The
 * keys are not copied: they live in the request's arena (or in the rows they index), which
 * outlives the map. FNV-1a with a finalizer is plenty for ids and names. */

static uint64_t io_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    /* FNV's multiplications carry upward only: its low bits, which pick the slot, are a poor
     * hash of their own. A finalizer (MurmurHash3's fmix64) spreads the high bits down. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static bool io_map_grow(io_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    io_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key) continue;
        size_t j = m->slots[i].hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

bool io_map_put(io_map *m, const char *key, size_t val)
{
    if (!key) return false;
    if (2 * (m->n + 1) > m->cap && !io_map_grow(m)) return false;
    uint64_t h = io_hash(key);
    size_t j = h & (m->cap - 1);
    while (m->slots[j].key) {
        if (m->slots[j].hash == h && !strcmp(m->slots[j].key, key)) {
            m->slots[j].val = val;
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j] = (io_slot){.hash = h, .key = key, .val = val};
    m->n++;
    return true;
}

bool io_map_get(const io_map *m, const char *key, size_t *val)
{
    if (!m->cap || !key) return false;
    uint64_t h = io_hash(key);
    size_t j = h & (m->cap - 1);
    while (m->slots[j].key) {
        if (m->slots[j].hash == h && !strcmp(m->slots[j].key, key)) {
            if (val) *val = m->slots[j].val;
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return false;
}

void io_map_free(io_map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

char *io_lower(ms_arena *a, const char *s, size_t n)
{
    char *out = ms_arena_strndup(a, s, n);
    if (!out) return NULL;
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return out;
}

/* ---- Kinds. ---- */

static const char *const io_kinds[] = {"episodes", "sequences", "shots", "assets", "tasks", NULL};
static const char *const io_kind_entity[] = {"episode", "sequence", "shot", "asset", NULL};

int io_kind_parse(const char *s, size_t n)
{
    for (int i = 0; io_kinds[i]; i++)
        if (strlen(io_kinds[i]) == n && !memcmp(io_kinds[i], s, n)) return i;
    return -1;
}

const char *io_kind_name(int kind)
{
    return io_kinds[kind];
}

const char *io_kind_entity_kind(int kind)
{
    return kind >= 0 && kind < IO_TASKS ? io_kind_entity[kind] : NULL;
}

/* ---- Text bodies. ----
 *
 * Import routes are MS_ROUTE_STREAM: the server hands the body over piece by piece before the
 * handler runs, and this collects it, refusing more than IO_BODY_MAX bytes (413, as early as
 * the Content-Length says so) and bodies that say they are JSON, a form or a binary format
 * (415). A missing Content-Type is taken as text. */

static bool io_text_type(const char *ct)
{
    static const char *const ok[] = {"text/csv",
                                     "text/plain",
                                     "text/tab-separated-values",
                                     "text/x-csv",
                                     "text/comma-separated-values",
                                     "application/csv",
                                     "application/x-csv",
                                     "application/vnd.ms-excel",
                                     "application/octet-stream",
                                     "application/x-edl",
                                     "text/x-edl",
                                     NULL};
    return !ct || ms_content_type_index(ct, ok) >= 0;
}

int io_on_body(ms_req *r, const char *data, size_t len)
{
    if (!r->module_state && !io_text_type(r->content_type))
        return ms_req_fail(r, MS_EBADREQ, "unsupported-media-type",
                           "Send the file as Content-Type: text/csv (or text/plain).");
    return ms_req_body_collect(r, data, len, IO_BODY_MAX, "An import");
}
