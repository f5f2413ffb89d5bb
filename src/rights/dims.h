/* dims.h: the dimensions of a right, checked and turned into the avails engine's sets -
 * territories (ISO 3166-1 alpha-2 and named groups with exclusions), media (built-ins and an
 * organization's own), languages (BCP 47 with kinds), dates and exclusivity - and the EIDR
 * identifier check. Input is hostile: every function says exactly what is wrong in `err`
 * (MS_EINVAL, detail naming the bad entry) and never writes a partial result the caller
 * could mistake for a whole one. No database here: the caller supplies the media registry. */
#ifndef MS_RIGHTS_DIMS_H
#define MS_RIGHTS_DIMS_H

#include "core/arena.h"
#include "core/error.h"
#include "rights/avails.h"

#include <jansson.h>
#include <stdbool.h>

/* ---- Territories. ---- */

/* The ISO 3166-1 alpha-2 table (249 officially assigned codes plus XK Kosovo): index <-> code. */
int dims_terr_count(void);
const char *dims_terr_code(int index); /* "FR"; NULL out of range */
const char *dims_terr_name(int index); /* English short name: "France" */
int dims_terr_index(const char *code); /* case-insensitive; -1 when unknown */

/* Named groups: WORLD (every code), EUROPE, ASIA, AFRICA, NORTH_AMERICA, LATAM, OCEANIA,
 * MENA, GREATER_CHINA (CN HK MO TW), DACH (DE AT CH), NORDICS, BENELUX, ANZ (AU NZ), UK_IE,
 * CIS, SEA. NULL-terminated names; dims_terr_group fills the set (false when unknown). */
extern const char *const dims_terr_groups[];
bool dims_terr_group(const char *name, av_terrs *out);

/* A territory expression: {"include": [code or group, ...], "exclude": [...]} or a plain array
 * (include only). Codes and groups are case-insensitive; the result must not be empty.
 * `canonical` (may be NULL) gets the expression in its stored form:
 * {"include": [...], "exclude": [...]} with upper-case names, duplicates removed, order kept. */
int dims_terr_parse(const json_t *expr, av_terrs *out, json_t **canonical, ms_error *err);
/* The codes of a set, as a JSON array in table order. */
json_t *dims_terr_codes(const av_terrs *s);
int dims_terr_popcount(const av_terrs *s);
bool dims_terr_intersects(const av_terrs *a, const av_terrs *b);

/* ---- Media. ---- */

/* The built-in media, in index order: theatrical, non_theatrical, free_tv, pay_tv, svod,
 * avod, tvod, est, fast, catch_up, airline, hotel, ship, educational, short_video
 * (DIMS_MEDIA_BUILTIN of them). NULL-terminated, with English names in dims_media_names. */
#define DIMS_MEDIA_BUILTIN    15
#define DIMS_MEDIA_CUSTOM_MAX (AV_NMEDIA - DIMS_MEDIA_BUILTIN)
extern const char *const dims_media_codes[];
extern const char *const dims_media_names[];

/* An organization's media: the built-ins at their indexes, then its own codes. */
typedef struct dims_media_reg {
    int n;
    const char *codes[AV_NMEDIA];
} dims_media_reg;
void dims_media_reg_builtin(dims_media_reg *reg);                  /* just the built-ins */
int dims_media_index(const dims_media_reg *reg, const char *code); /* -1 when unknown */
/* A non-empty JSON array of media codes (lower-case slugs, "all" for every medium of the
 * registry); `canonical` (may be NULL) gets the array deduplicated, in input order. */
int dims_media_parse(const json_t *arr, const dims_media_reg *reg, av_media *out,
                     json_t **canonical, ms_error *err);
/* A new media code: a lower-case slug of 2..32 characters [a-z0-9_], not a built-in. */
bool dims_media_code_valid(const char *code);

/* ---- Languages. ---- */

/* A BCP 47 tag, well-formed per RFC 5646's syntax (language[-script][-region][-variant]*
 * [-extension]*[-privateuse], or grandfathered irregular tags rejected), written in its
 * canonical case ("zh-hant-tw" -> "zh-Hant-TW") into out (cap >= 36 is enough for what we
 * accept: at most 35 characters). */
bool dims_lang_canonical(const char *tag, char *out, size_t cap);
/* A language list: [] (every language), or [{"tag": "fr", "kinds": ["dubbed"]}, "en", ...]
 * (a plain string: every kind). Strings are copied into arena `a` canonical; `canonical`
 * (may be NULL) gets [{"tag": .., "kinds": [..]}] with kinds sorted original, dubbed,
 * subtitled. `for_question`: kinds default to 0 (any) instead of AV_KIND_ALL. At most 64. */
int dims_langs_parse(const json_t *arr, bool for_question, ms_arena *a, av_lang **out, int *n,
                     json_t **canonical, ms_error *err);

/* ---- Dates and exclusivity. ---- */

/* "YYYY-MM-DD" (a real date, years 1900..9999) -> days since 1970-01-01. */
bool dims_date_parse(const char *s, av_day *out);
void dims_date_fmt(av_day d, char out[11]);
/* A term: start (required) and end (the last day, inclusive; NULL, "" or "open": open) into
 * the half-open [start, end) of the engine. End before start is an error. */
int dims_term_parse(const char *start, const char *end, av_day *s, av_day *e, ms_error *err);
/* "exclusive", "sole", "non_exclusive" (also "non-exclusive") -> av_excl; -1 when unknown. */
int dims_excl_parse(const char *s);
const char *dims_excl_name(int excl);

/* ---- EIDR. ---- */

/* An EIDR content id: "10.5240/" + five groups of four upper-case hex digits separated by
 * '-', then '-' and the ISO 7064 Mod 37,36 check character computed over the 20 hex digits.
 * Lower-case hex is accepted and upper-cased into `canonical` (cap >= 35; may be NULL). */
bool dims_eidr_valid(const char *s, char *canonical, size_t cap);
/* The check character for 20 hex digits (no separators); '\0' when the input is not that. */
char dims_eidr_check_char(const char *hex20);

#endif
