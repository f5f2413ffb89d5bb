/* talent.h: the talent data center - the public face of the talent module.
 *
 * Profiles of the people who make films and series (names in several scripts, crafts,
 * skills, languages, base and travel, affiliations, education, showreel and portfolio from
 * the asset library, rates, contacts), each field with its own visibility; credits from
 * production work and from manual or imported entries, verified by the producing
 * organization or self-declared; availability; full-text search with facets; matching for a
 * project's need with explained scores; shortlists; invitations to projects; CSV import and
 * export. A person claims, exports and erases their own profile. */
#ifndef MS_TALENT_H
#define MS_TALENT_H

#include "core/api.h"
#include "core/error.h"
#include "store/db.h"

extern const ms_route talent_routes[];
extern const char ms_schema_talent[];
extern const char ms_schema_talent_pg[];
extern const char ms_openapi_talent[];
extern const char ms_openapi_talent_search[]; /* talent/openapi-search.json */
extern const char ms_openapi_talent_work[];   /* talent/openapi-work.json */
extern const char ms_openapi_talent_io[];     /* talent/openapi-io.json */

/* Rebuild the text index of every profile (after migrate-store, or a tokenizer change). */
int talent_index_rebuild(db_conn *c, ms_error *err);
/* Load the search's in-memory index now rather than at the first search (which otherwise
 * waits for it: seconds for a million profiles). For a server's start, on a thread of its
 * own; safe alongside requests. */
int talent_index_preload(db *d, ms_error *err);

/* ---- The command line's CSV import and export (io.c, part "io"). ---- */
#include <stdio.h>
typedef struct talent_cli_import_opts {
    const char *org;        /* slug or id */
    const char *user_email; /* the member who imports (NULL: the organization's first owner) */
    const char *people;     /* file paths; either may be NULL */
    const char *credits;
    long batch;            /* rows per transaction (0: 50,000) */
    bool consent_attested; /* every person of the file agreed (consent=attested) */
    bool dry_run;          /* check every row, write nothing */
} talent_cli_import_opts;
/* Check both files completely (nothing is written when a row is bad: the problems go to
 * stderr), then import them in transactions of `batch` rows; progress lines go to `report`
 * (may be NULL). */
int talent_cli_import(db_conn *c, const ms_env *env, const talent_cli_import_opts *o, FILE *report,
                      ms_error *err);
/* The organization's people or credits ("people" | "credits") as CSV, to `out`. */
int talent_cli_export(db_conn *c, const char *org, const char *kind, FILE *out, ms_error *err);
/* ---- end of io ---- */

#endif
