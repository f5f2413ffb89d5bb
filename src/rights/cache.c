/* cache.c: an organization's windows in memory, for the avails engine behind the read routes.
 *
 * Design. A view is an immutable snapshot: the catalogue's titles in id order, each with its
 * windows and what their refs point at, at one rights revision of the organization. Requests
 * take a view (a reference count) and never lock while they compute. Every rights write raises
 * the organization's revision and stamps the (organization, title) pairs it touched
 * (rights_title_changed); a request that finds the database's revision ahead of the view's
 * builds the next view by reloading only the stamped titles, sharing every other title's
 * windows with the old view (titles are reference-counted too). The first request loads
 * everything once. Several servers on one PostgreSQL each keep their own cache: the revision
 * read per request is what keeps them right.
 *
 * Why a revision read per request is safe: it is read before the rows, in the request's
 * transaction, so the rows loaded are at least as new as the revision recorded; a newer row
 * only causes one extra reload later, never a stale answer.
 *
 * Not here: write transactions. Conflict checks read the database directly (conflicts.c),
 * because they must see the transaction's own state. */
#include "rights/rights_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct title_entry {
    int refs; /* atomic */
    rights_title_windows pub;
    int wcap, rcap;
    ms_arena arena; /* name and ref strings */
} title_entry;

struct rights_view {
    int refs; /* atomic */
    char org_id[MS_ID_LEN];
    int64_t revision;
    int custom_media; /* custom media count when built: a new one means a full reload */
    dims_media_reg media;
    title_entry **titles; /* by id */
    int ntitles;
    ms_arena arena;
};

typedef struct org_cache {
    char org_id[MS_ID_LEN];
    pthread_mutex_t load; /* one rebuild at a time per organization */
    rights_view *view;    /* guarded by cache_lock */
    rights_parse_memo *memo;
    ms_arena strings; /* language tags of the memo: live as long as the cache */
    struct org_cache *next;
} org_cache;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static org_cache *orgs;

static void title_unref(title_entry *t)
{
    if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL)) return;
    free((void *)t->pub.w);
    free((void *)t->pub.refs);
    ms_arena_free(&t->arena);
    free(t);
}

void rights_cache_release(rights_view *v)
{
    if (!v || __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL)) return;
    for (int i = 0; i < v->ntitles; i++)
        title_unref(v->titles[i]);
    free(v->titles);
    ms_arena_free(&v->arena);
    free(v);
}

static title_entry *title_new(const char *id, const char *name, const char *kind)
{
    title_entry *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->refs = 1;
    ms_arena_init(&t->arena, 512);
    ms_strlcpy(t->pub.id, id, sizeof t->pub.id);
    t->pub.name = ms_arena_strdup(&t->arena, name);
    ms_strlcpy(t->pub.kind, kind, sizeof t->pub.kind);
    return t;
}

static int title_cmp(const void *a, const void *b)
{
    return strcmp((*(title_entry *const *)a)->pub.id, (*(title_entry *const *)b)->pub.id);
}

static title_entry *find(title_entry **titles, int n, const char *id)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(titles[mid]->pub.id, id);
        if (!c) return titles[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* Add one window (the loader's callback): to the title it belongs to, when in the view. */
typedef struct load_ctx {
    title_entry **titles;
    int ntitles;
} load_ctx;

static int add_window(void *p, const char *title_id, av_window *w, const rights_ref *ref,
                      ms_error *err)
{
    load_ctx *x = p;
    title_entry *t = find(x->titles, x->ntitles, title_id);
    if (!t) return 0; /* not in the catalogue (deleted) */
    rights_title_windows *pub = &t->pub;
    /* A deal's rows share one ref: consecutive rows of the same deal reuse it. */
    if (!pub->nrefs || pub->refs[pub->nrefs - 1].type != ref->type ||
        strcmp(pub->refs[pub->nrefs - 1].id, ref->id)) {
        if (pub->nrefs == t->rcap) {
            int cap = t->rcap ? t->rcap * 2 : 8;
            rights_ref *n = realloc((void *)pub->refs, (size_t)cap * sizeof *n);
            if (!n) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            pub->refs = n;
            t->rcap = cap;
        }
        rights_ref *dst = (rights_ref *)&pub->refs[pub->nrefs++];
        *dst = *ref;
        dst->reference = ref->reference ? ms_arena_strdup(&t->arena, ref->reference) : NULL;
        dst->licensee = ref->licensee ? ms_arena_strdup(&t->arena, ref->licensee) : NULL;
        dst->status = ref->status ? ms_arena_strdup(&t->arena, ref->status) : NULL;
    }
    if (pub->nw == t->wcap) {
        int cap = t->wcap ? t->wcap * 2 : 16;
        av_window *n = realloc((void *)pub->w, (size_t)cap * sizeof *n);
        if (!n) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        pub->w = n;
        t->wcap = cap;
    }
    av_window *dst = (av_window *)&pub->w[pub->nw++];
    *dst = *w;
    dst->ref = (uint32_t)(pub->nrefs - 1);
    return 0;
}

/* The titles of the catalogue (all, or those stamped after `since`) as new entries. */
static int load_titles(db_conn *c, const char *org_id, int64_t since, title_entry ***out, int *n,
                       ms_error *err)
{
    db_stmt *st;
    int rc = since < 0
                 ? db_query(c, &st, err,
                            "SELECT t.id, t.title, t.kind FROM rights_title t WHERE t.deleted_at "
                            "IS NULL AND (t.org_id = ? OR EXISTS (SELECT 1 FROM rights_in ri "
                            "WHERE ri.title_id = t.id AND ri.org_id = ? AND ri.deleted_at IS "
                            "NULL)) ORDER BY t.id",
                            "ss", org_id, org_id)
                 : db_query(c, &st, err,
                            "SELECT t.id, t.title, t.kind FROM rights_title_rev tr JOIN "
                            "rights_title t ON t.id = tr.title_id WHERE tr.org_id = ? AND tr.rev "
                            "> ? AND t.deleted_at IS NULL AND (t.org_id = ? OR EXISTS (SELECT 1 "
                            "FROM rights_in ri WHERE ri.title_id = t.id AND ri.org_id = ? AND "
                            "ri.deleted_at IS NULL)) ORDER BY t.id",
                            "sIss", org_id, (int64_t)since, org_id, org_id);
    if (rc) return rc;
    int cap = 64;
    title_entry **v = malloc((size_t)cap * sizeof *v);
    *n = 0;
    while (v && (rc = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            title_entry **nv = realloc(v, (size_t)(cap *= 2) * sizeof *nv);
            if (!nv) break;
            v = nv;
        }
        title_entry *t = title_new(db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
        if (!t) break;
        v[(*n)++] = t;
    }
    db_done(st);
    if (rc == DB_ROW || !v) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    if (rc < 0) {
        for (int i = 0; v && i < *n; i++)
            title_unref(v[i]);
        free(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* The titles stamped after `since` whatever became of them (deleted ones leave the view). */
static int changed_ids(db_conn *c, const char *org_id, int64_t since, ms_arena *a, char ***ids,
                       int *n, ms_error *err)
{
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT title_id FROM rights_title_rev WHERE org_id = ? AND rev > ? ORDER BY "
                      "title_id",
                      "sI", org_id, (int64_t)since);
    if (rc) return rc;
    int cap = 16;
    *ids = ms_arena_alloc(a, (size_t)cap * sizeof(char *));
    *n = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            char **nv = ms_arena_alloc(a, (size_t)(cap *= 2) * sizeof(char *));
            memcpy(nv, *ids, (size_t)*n * sizeof(char *));
            *ids = nv;
        }
        (*ids)[(*n)++] = ms_arena_strdup(a, db_col_text(st, 0));
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

static bool in_sorted(char **ids, int n, const char *id)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(ids[mid], id);
        if (!c) return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

static int media_of(ms_req *r, const char *org_id, rights_view *v)
{
    dims_media_reg reg;
    int rc = rights_media_reg(r, org_id, &reg);
    if (rc) return rc;
    v->media.n = reg.n;
    for (int i = 0; i < reg.n; i++)
        v->media.codes[i] = ms_arena_strdup(&v->arena, reg.codes[i]);
    v->custom_media = reg.n - DIMS_MEDIA_BUILTIN;
    return 0;
}

/* Build the view at `rev` from `old` (NULL: everything). */
static int build(ms_req *r, org_cache *oc, rights_view *old, int64_t rev, rights_view **out)
{
    rights_view *v = calloc(1, sizeof *v);
    if (!v) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    v->refs = 1;
    ms_arena_init(&v->arena, 4096);
    ms_strlcpy(v->org_id, oc->org_id, sizeof v->org_id);
    v->revision = rev;
    int rc = media_of(r, oc->org_id, v);
    if (!rc && old && old->custom_media != v->custom_media) old = NULL;
    title_entry **fresh = NULL;
    int nfresh = 0;
    if (!rc)
        rc = load_titles(r->db, oc->org_id, old ? old->revision : -1, &fresh, &nfresh, &r->err);
    if (rc) {
        rights_cache_release(v);
        return rc;
    }
    /* Windows of the fresh titles: all of the organization's at once on a full load, title by
     * title on an update (a few titles). */
    load_ctx x = {.titles = fresh, .ntitles = nfresh};
    if (!old) {
        rc = rights_windows_load(r->db, oc->org_id, NULL, NULL, &v->media, oc->memo, add_window, &x,
                                 &r->err);
    } else {
        for (int i = 0; !rc && i < nfresh; i++)
            rc = rights_windows_load(r->db, oc->org_id, fresh[i]->pub.id, NULL, &v->media, oc->memo,
                                     add_window, &x, &r->err);
    }
    char **changed = NULL;
    int nchanged = 0;
    if (!rc && old)
        rc = changed_ids(r->db, oc->org_id, old->revision, r->arena, &changed, &nchanged, &r->err);
    if (rc) {
        for (int i = 0; i < nfresh; i++)
            title_unref(fresh[i]);
        free(fresh);
        rights_cache_release(v);
        return rc;
    }
    /* Merge: the old titles not changed, and the fresh ones. */
    int cap = nfresh + (old ? old->ntitles : 0);
    v->titles = malloc((size_t)(cap ? cap : 1) * sizeof *v->titles);
    if (!v->titles) {
        for (int i = 0; i < nfresh; i++)
            title_unref(fresh[i]);
        free(fresh);
        rights_cache_release(v);
        return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    for (int i = 0; old && i < old->ntitles; i++) {
        title_entry *t = old->titles[i];
        if (in_sorted(changed, nchanged, t->pub.id)) continue;
        __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
        v->titles[v->ntitles++] = t;
    }
    for (int i = 0; i < nfresh; i++)
        v->titles[v->ntitles++] = fresh[i];
    free(fresh);
    qsort(v->titles, (size_t)v->ntitles, sizeof *v->titles, title_cmp);
    *out = v;
    return 0;
}

int rights_cache_get(ms_req *r, const char *org_id, rights_view **out)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT revision FROM rights_revision WHERE org_id = ?", "s", org_id);
    if (rc < 0) return rc;
    int64_t rev = 0;
    if (rc == DB_ROW) {
        rev = db_col_int(st, 0);
        db_done(st);
    }
    pthread_mutex_lock(&cache_lock);
    org_cache *oc = orgs;
    while (oc && strcmp(oc->org_id, org_id))
        oc = oc->next;
    if (!oc && (oc = calloc(1, sizeof *oc))) {
        ms_strlcpy(oc->org_id, org_id, sizeof oc->org_id);
        pthread_mutex_init(&oc->load, NULL);
        ms_arena_init(&oc->strings, 4096);
        oc->memo = rights_memo_new(&oc->strings);
        oc->next = orgs;
        orgs = oc;
    }
    if (oc && oc->view && oc->view->revision >= rev) {
        __atomic_add_fetch(&oc->view->refs, 1, __ATOMIC_RELAXED);
        *out = oc->view;
        pthread_mutex_unlock(&cache_lock);
        return 0;
    }
    pthread_mutex_unlock(&cache_lock);
    if (!oc || !oc->memo) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    /* One rebuild at a time; whoever waited may find it done. */
    pthread_mutex_lock(&oc->load);
    pthread_mutex_lock(&cache_lock);
    rights_view *old = oc->view;
    if (old) __atomic_add_fetch(&old->refs, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&cache_lock);
    if (old && old->revision >= rev) {
        pthread_mutex_unlock(&oc->load);
        *out = old;
        return 0;
    }
    rights_view *v = NULL;
    rc = build(r, oc, old, rev, &v);
    if (!rc) {
        __atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED); /* the cache's and the caller's */
        pthread_mutex_lock(&cache_lock);
        rights_view *prev = oc->view;
        oc->view = v;
        pthread_mutex_unlock(&cache_lock);
        rights_cache_release(prev);
        *out = v;
    }
    pthread_mutex_unlock(&oc->load);
    rights_cache_release(old);
    return rc;
}

const rights_title_windows *rights_view_title(rights_view *v, const char *title_id)
{
    title_entry *t = find(v->titles, v->ntitles, title_id);
    return t ? &t->pub : NULL;
}

int rights_view_count(rights_view *v)
{
    return v->ntitles;
}

const rights_title_windows *rights_view_at(rights_view *v, int i)
{
    return i >= 0 && i < v->ntitles ? &v->titles[i]->pub : NULL;
}

const dims_media_reg *rights_view_media(rights_view *v)
{
    return &v->media;
}
