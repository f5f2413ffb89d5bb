/* dims.c: the dimensions of a right - the ISO 3166-1 alpha-2 table and its named groups,
 * territory expressions with exclusions, the media registry, BCP 47 language tags (RFC 5646
 * well-formedness and canonical case) with kinds, dates, terms and exclusivity - and the EIDR
 * check character (ISO 7064 Mod 37,36).
 *
 * It deliberately is not a full BCP 47 validator (no IANA registry lookups: a well-formed tag
 * with an unregistered subtag passes), not a database layer (the caller hands in the media
 * registry), and not a resolver of EIDR ids (only syntax and check character). */
#include "rights/dims.h"

#include "core/time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- Territories. ---- */

/* ISO 3166-1 alpha-2 (Debian iso-codes' English names, common name where it has one) plus XK,
 * sorted by code: the index of a code is its position here. */
static const struct {
    char code[3];
    const char *name;
} terr_table[] = {
    {"AD", "Andorra"},
    {"AE", "United Arab Emirates"},
    {"AF", "Afghanistan"},
    {"AG", "Antigua and Barbuda"},
    {"AI", "Anguilla"},
    {"AL", "Albania"},
    {"AM", "Armenia"},
    {"AO", "Angola"},
    {"AQ", "Antarctica"},
    {"AR", "Argentina"},
    {"AS", "American Samoa"},
    {"AT", "Austria"},
    {"AU", "Australia"},
    {"AW", "Aruba"},
    {"AX", "Åland Islands"},
    {"AZ", "Azerbaijan"},
    {"BA", "Bosnia and Herzegovina"},
    {"BB", "Barbados"},
    {"BD", "Bangladesh"},
    {"BE", "Belgium"},
    {"BF", "Burkina Faso"},
    {"BG", "Bulgaria"},
    {"BH", "Bahrain"},
    {"BI", "Burundi"},
    {"BJ", "Benin"},
    {"BL", "Saint Barthélemy"},
    {"BM", "Bermuda"},
    {"BN", "Brunei Darussalam"},
    {"BO", "Bolivia"},
    {"BQ", "Bonaire, Sint Eustatius and Saba"},
    {"BR", "Brazil"},
    {"BS", "Bahamas"},
    {"BT", "Bhutan"},
    {"BV", "Bouvet Island"},
    {"BW", "Botswana"},
    {"BY", "Belarus"},
    {"BZ", "Belize"},
    {"CA", "Canada"},
    {"CC", "Cocos (Keeling) Islands"},
    {"CD", "Congo, The Democratic Republic of the"},
    {"CF", "Central African Republic"},
    {"CG", "Congo"},
    {"CH", "Switzerland"},
    {"CI", "Côte d'Ivoire"},
    {"CK", "Cook Islands"},
    {"CL", "Chile"},
    {"CM", "Cameroon"},
    {"CN", "China"},
    {"CO", "Colombia"},
    {"CR", "Costa Rica"},
    {"CU", "Cuba"},
    {"CV", "Cabo Verde"},
    {"CW", "Curaçao"},
    {"CX", "Christmas Island"},
    {"CY", "Cyprus"},
    {"CZ", "Czechia"},
    {"DE", "Germany"},
    {"DJ", "Djibouti"},
    {"DK", "Denmark"},
    {"DM", "Dominica"},
    {"DO", "Dominican Republic"},
    {"DZ", "Algeria"},
    {"EC", "Ecuador"},
    {"EE", "Estonia"},
    {"EG", "Egypt"},
    {"EH", "Western Sahara"},
    {"ER", "Eritrea"},
    {"ES", "Spain"},
    {"ET", "Ethiopia"},
    {"FI", "Finland"},
    {"FJ", "Fiji"},
    {"FK", "Falkland Islands (Malvinas)"},
    {"FM", "Micronesia, Federated States of"},
    {"FO", "Faroe Islands"},
    {"FR", "France"},
    {"GA", "Gabon"},
    {"GB", "United Kingdom"},
    {"GD", "Grenada"},
    {"GE", "Georgia"},
    {"GF", "French Guiana"},
    {"GG", "Guernsey"},
    {"GH", "Ghana"},
    {"GI", "Gibraltar"},
    {"GL", "Greenland"},
    {"GM", "Gambia"},
    {"GN", "Guinea"},
    {"GP", "Guadeloupe"},
    {"GQ", "Equatorial Guinea"},
    {"GR", "Greece"},
    {"GS", "South Georgia and the South Sandwich Islands"},
    {"GT", "Guatemala"},
    {"GU", "Guam"},
    {"GW", "Guinea-Bissau"},
    {"GY", "Guyana"},
    {"HK", "Hong Kong"},
    {"HM", "Heard Island and McDonald Islands"},
    {"HN", "Honduras"},
    {"HR", "Croatia"},
    {"HT", "Haiti"},
    {"HU", "Hungary"},
    {"ID", "Indonesia"},
    {"IE", "Ireland"},
    {"IL", "Israel"},
    {"IM", "Isle of Man"},
    {"IN", "India"},
    {"IO", "British Indian Ocean Territory"},
    {"IQ", "Iraq"},
    {"IR", "Iran"},
    {"IS", "Iceland"},
    {"IT", "Italy"},
    {"JE", "Jersey"},
    {"JM", "Jamaica"},
    {"JO", "Jordan"},
    {"JP", "Japan"},
    {"KE", "Kenya"},
    {"KG", "Kyrgyzstan"},
    {"KH", "Cambodia"},
    {"KI", "Kiribati"},
    {"KM", "Comoros"},
    {"KN", "Saint Kitts and Nevis"},
    {"KP", "North Korea"},
    {"KR", "South Korea"},
    {"KW", "Kuwait"},
    {"KY", "Cayman Islands"},
    {"KZ", "Kazakhstan"},
    {"LA", "Laos"},
    {"LB", "Lebanon"},
    {"LC", "Saint Lucia"},
    {"LI", "Liechtenstein"},
    {"LK", "Sri Lanka"},
    {"LR", "Liberia"},
    {"LS", "Lesotho"},
    {"LT", "Lithuania"},
    {"LU", "Luxembourg"},
    {"LV", "Latvia"},
    {"LY", "Libya"},
    {"MA", "Morocco"},
    {"MC", "Monaco"},
    {"MD", "Moldova"},
    {"ME", "Montenegro"},
    {"MF", "Saint Martin (French part)"},
    {"MG", "Madagascar"},
    {"MH", "Marshall Islands"},
    {"MK", "North Macedonia"},
    {"ML", "Mali"},
    {"MM", "Myanmar"},
    {"MN", "Mongolia"},
    {"MO", "Macao"},
    {"MP", "Northern Mariana Islands"},
    {"MQ", "Martinique"},
    {"MR", "Mauritania"},
    {"MS", "Montserrat"},
    {"MT", "Malta"},
    {"MU", "Mauritius"},
    {"MV", "Maldives"},
    {"MW", "Malawi"},
    {"MX", "Mexico"},
    {"MY", "Malaysia"},
    {"MZ", "Mozambique"},
    {"NA", "Namibia"},
    {"NC", "New Caledonia"},
    {"NE", "Niger"},
    {"NF", "Norfolk Island"},
    {"NG", "Nigeria"},
    {"NI", "Nicaragua"},
    {"NL", "Netherlands"},
    {"NO", "Norway"},
    {"NP", "Nepal"},
    {"NR", "Nauru"},
    {"NU", "Niue"},
    {"NZ", "New Zealand"},
    {"OM", "Oman"},
    {"PA", "Panama"},
    {"PE", "Peru"},
    {"PF", "French Polynesia"},
    {"PG", "Papua New Guinea"},
    {"PH", "Philippines"},
    {"PK", "Pakistan"},
    {"PL", "Poland"},
    {"PM", "Saint Pierre and Miquelon"},
    {"PN", "Pitcairn"},
    {"PR", "Puerto Rico"},
    {"PS", "Palestine, State of"},
    {"PT", "Portugal"},
    {"PW", "Palau"},
    {"PY", "Paraguay"},
    {"QA", "Qatar"},
    {"RE", "Réunion"},
    {"RO", "Romania"},
    {"RS", "Serbia"},
    {"RU", "Russian Federation"},
    {"RW", "Rwanda"},
    {"SA", "Saudi Arabia"},
    {"SB", "Solomon Islands"},
    {"SC", "Seychelles"},
    {"SD", "Sudan"},
    {"SE", "Sweden"},
    {"SG", "Singapore"},
    {"SH", "Saint Helena, Ascension and Tristan da Cunha"},
    {"SI", "Slovenia"},
    {"SJ", "Svalbard and Jan Mayen"},
    {"SK", "Slovakia"},
    {"SL", "Sierra Leone"},
    {"SM", "San Marino"},
    {"SN", "Senegal"},
    {"SO", "Somalia"},
    {"SR", "Suriname"},
    {"SS", "South Sudan"},
    {"ST", "Sao Tome and Principe"},
    {"SV", "El Salvador"},
    {"SX", "Sint Maarten (Dutch part)"},
    {"SY", "Syria"},
    {"SZ", "Eswatini"},
    {"TC", "Turks and Caicos Islands"},
    {"TD", "Chad"},
    {"TF", "French Southern Territories"},
    {"TG", "Togo"},
    {"TH", "Thailand"},
    {"TJ", "Tajikistan"},
    {"TK", "Tokelau"},
    {"TL", "Timor-Leste"},
    {"TM", "Turkmenistan"},
    {"TN", "Tunisia"},
    {"TO", "Tonga"},
    {"TR", "Türkiye"},
    {"TT", "Trinidad and Tobago"},
    {"TV", "Tuvalu"},
    {"TW", "Taiwan"},
    {"TZ", "Tanzania"},
    {"UA", "Ukraine"},
    {"UG", "Uganda"},
    {"UM", "United States Minor Outlying Islands"},
    {"US", "United States"},
    {"UY", "Uruguay"},
    {"UZ", "Uzbekistan"},
    {"VA", "Holy See (Vatican City State)"},
    {"VC", "Saint Vincent and the Grenadines"},
    {"VE", "Venezuela"},
    {"VG", "Virgin Islands, British"},
    {"VI", "Virgin Islands, U.S."},
    {"VN", "Vietnam"},
    {"VU", "Vanuatu"},
    {"WF", "Wallis and Futuna"},
    {"WS", "Samoa"},
    {"XK", "Kosovo"},
    {"YE", "Yemen"},
    {"YT", "Mayotte"},
    {"ZA", "South Africa"},
    {"ZM", "Zambia"},
    {"ZW", "Zimbabwe"},
};

#define TERR_N ((int)(sizeof terr_table / sizeof terr_table[0]))
_Static_assert(sizeof terr_table / sizeof terr_table[0] == 250, "249 ISO codes plus XK");
_Static_assert(sizeof terr_table / sizeof terr_table[0] <= AV_NTERR, "fits av_terrs");

int dims_terr_count(void)
{
    return TERR_N;
}

const char *dims_terr_code(int index)
{
    return index >= 0 && index < TERR_N ? terr_table[index].code : NULL;
}

const char *dims_terr_name(int index)
{
    return index >= 0 && index < TERR_N ? terr_table[index].name : NULL;
}

int dims_terr_index(const char *code)
{
    if (!code || !isalpha((unsigned char)code[0]) || !isalpha((unsigned char)code[1]) || code[2])
        return -1;
    char c[3] = {(char)toupper((unsigned char)code[0]), (char)toupper((unsigned char)code[1]), 0};
    int lo = 0, hi = TERR_N - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int cmp = memcmp(c, terr_table[mid].code, 2);
        if (cmp == 0) return mid;
        if (cmp < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

/* The named groups. Groups overlap on purpose (TR is in EUROPE and MENA; US territories in the
 * Pacific are in NORTH_AMERICA and OCEANIA). docs/rights-avails-engine.md lists them. */
static const struct {
    const char *name;
    const char *codes; /* space-separated; NULL: every code */
} terr_groups[] = {
    {"WORLD", NULL},
    /* Geographic Europe (UN M49) with CY, TR, XK and GL (licensed with Denmark), as European
     * licenses usually cover them. */
    {"EUROPE",
     "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GL GR HR HU IE IM IS "
     "IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR UA VA XK"},
    /* UN M49 Asia without CY and TR (in EUROPE). */
    {"ASIA", "AE AF AM AZ BD BH BN BT CN GE HK ID IL IN IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM "
             "MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TW UZ VN YE"},
    /* UN M49 Africa, with the Indian Ocean territories it counts (IO, TF, YT, RE). */
    {"AFRICA", "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW IO KE KM LR "
               "LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN "
               "TZ UG YT ZA ZM ZW"},
    /* The licensing sense: the US with its territories, Canada, Bermuda, Saint Pierre and
     * Miquelon. Mexico is in LATAM. */
    {"NORTH_AMERICA", "AS BM CA GU MP PM PR UM US VI"},
    /* Mexico, Central and South America and the Caribbean (not PR and VI: NORTH_AMERICA). */
    {"LATAM", "AG AI AR AW BB BL BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN "
              "HT JM KN KY LC MF MQ MS MX NI PA PE PY SR SV SX TC TT UY VC VE VG"},
    {"OCEANIA", "AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU "
                "WF WS"},
    /* The Arab states of the Middle East and North Africa plus IL, IR and TR. */
    {"MENA", "AE BH DZ EG IL IQ IR JO KW LB LY MA OM PS QA SA SY TN TR YE"},
    {"GREATER_CHINA", "CN HK MO TW"},
    {"DACH", "AT CH DE"},
    {"NORDICS", "AX DK FI FO GL IS NO SE"},
    {"BENELUX", "BE LU NL"},
    {"ANZ", "AU NZ"},
    /* The United Kingdom, Ireland and the Crown Dependencies. */
    {"UK_IE", "GB GG IE IM JE"},
    /* The Commonwealth of Independent States' members and associate (TM). */
    {"CIS", "AM AZ BY KG KZ MD RU TJ TM UZ"},
    {"SEA", "BN ID KH LA MM MY PH SG TH TL VN"},
};
#define GROUP_N ((int)(sizeof terr_groups / sizeof terr_groups[0]))

const char *const dims_terr_groups[] = {
    "WORLD", "EUROPE",        "ASIA", "AFRICA",  "NORTH_AMERICA", "LATAM", "OCEANIA",
    "MENA",  "GREATER_CHINA", "DACH", "NORDICS", "BENELUX",       "ANZ",   "UK_IE",
    "CIS",   "SEA",           NULL,
};

static int group_find(const char *name)
{
    for (int g = 0; g < GROUP_N; g++)
        if (strcasecmp(name, terr_groups[g].name) == 0) return g;
    return -1;
}

static void group_fill(int g, av_terrs *out)
{
    memset(out, 0, sizeof *out);
    if (!terr_groups[g].codes) {
        for (int i = 0; i < TERR_N; i++)
            av_terrs_add(out, i);
        return;
    }
    for (const char *p = terr_groups[g].codes; *p; p += p[2] ? 3 : 2) {
        char c[3] = {p[0], p[1], 0};
        int i = dims_terr_index(c);
        if (i >= 0) av_terrs_add(out, i);
    }
}

bool dims_terr_group(const char *name, av_terrs *out)
{
    int g = name ? group_find(name) : -1;
    if (g < 0) return false;
    group_fill(g, out);
    return true;
}

static void terrs_or(av_terrs *a, const av_terrs *b)
{
    for (int i = 0; i < AV_NTERR / 64; i++)
        a->w[i] |= b->w[i];
}

#define TERR_EXPR_MAX 512 /* entries per list */
#define TERR_NAME_MAX 32

/* One list of an expression into `set`; names upper-cased and deduplicated into `canon`. */
static int terr_list(const json_t *arr, const char *what, av_terrs *set, json_t *canon,
                     ms_error *err)
{
    if (!json_is_array(arr))
        return ms_field_fail(err, what, "must be an array of territory codes or groups");
    if (json_array_size(arr) > TERR_EXPR_MAX)
        return ms_field_fail(err, what, "at most %d entries", TERR_EXPR_MAX);
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        char field[64];
        snprintf(field, sizeof field, "%s/%zu", what, i);
        size_t len = s ? strlen(s) : 0;
        if (!s || len == 0 || len > TERR_NAME_MAX || len != json_string_length(v))
            return ms_field_fail(err, field, "must be an ISO 3166-1 alpha-2 code or a group name");
        char up[TERR_NAME_MAX + 1];
        for (size_t k = 0; k <= len; k++)
            up[k] = (char)toupper((unsigned char)s[k]);
        av_terrs one = {0};
        int idx = dims_terr_index(up);
        if (idx >= 0) {
            av_terrs_add(&one, idx);
        } else if (!dims_terr_group(up, &one)) {
            bool printable = true;
            for (size_t k = 0; k < len; k++)
                if (!isalnum((unsigned char)up[k]) && up[k] != '_') printable = false;
            return ms_field_fail(err, field, "unknown territory or group%s%s",
                                 printable ? ": " : "", printable ? up : "");
        }
        terrs_or(set, &one);
        bool dup = false;
        size_t j;
        const json_t *c;
        json_array_foreach(canon, j, c) if (strcmp(json_string_value(c), up) == 0) dup = true;
        if (!dup && json_array_append_new(canon, json_string(up)))
            return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

int dims_terr_parse(const json_t *expr, av_terrs *out, json_t **canonical, ms_error *err)
{
    const json_t *inc = NULL, *exc = NULL;
    if (json_is_array(expr)) {
        inc = expr;
    } else if (json_is_object(expr)) {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)expr, k, v)
        {
            if (strcmp(k, "include") == 0)
                inc = v;
            else if (strcmp(k, "exclude") == 0)
                exc = json_is_null(v) ? NULL : v;
            else
                return ms_field_fail(err, "territories", "unknown member (include, exclude)");
        }
        if (!inc) return ms_field_fail(err, "territories/include", "is required");
    } else {
        return ms_field_fail(err, "territories",
                             "must be an array of codes or {\"include\": [..], \"exclude\": [..]}");
    }
    av_terrs in = {0}, ex = {0};
    json_t *cin = json_array(), *cex = json_array();
    int rc = (cin && cex) ? 0 : ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    if (!rc)
        rc = terr_list(inc, json_is_array(expr) ? "territories" : "territories/include", &in, cin,
                       err);
    if (!rc && exc) rc = terr_list(exc, "territories/exclude", &ex, cex, err);
    if (!rc) {
        for (int i = 0; i < AV_NTERR / 64; i++)
            in.w[i] &= ~ex.w[i];
        if (dims_terr_popcount(&in) == 0)
            rc = ms_field_fail(err, "territories", "names no territory once the exclusions apply");
    }
    json_t *canon = NULL;
    if (!rc && canonical) {
        canon = json_object();
        if (!canon || json_object_set_new(canon, "include", cin) ||
            json_object_set_new(canon, "exclude", cex)) {
            cin = cex = NULL;
            json_decref(canon);
            return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        }
        cin = cex = NULL;
    }
    json_decref(cin);
    json_decref(cex);
    if (rc) return rc;
    *out = in;
    if (canonical) *canonical = canon;
    return 0;
}

json_t *dims_terr_codes(const av_terrs *s)
{
    json_t *arr = json_array();
    if (!arr) return NULL;
    for (int i = 0; i < TERR_N; i++)
        if (av_terrs_has(s, i) && json_array_append_new(arr, json_string(terr_table[i].code))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

int dims_terr_popcount(const av_terrs *s)
{
    int n = 0;
    for (int i = 0; i < AV_NTERR / 64; i++)
        n += __builtin_popcountll(s->w[i]);
    return n;
}

bool dims_terr_intersects(const av_terrs *a, const av_terrs *b)
{
    uint64_t x = 0;
    for (int i = 0; i < AV_NTERR / 64; i++)
        x |= a->w[i] & b->w[i];
    return x != 0;
}

/* ---- Media. ---- */

const char *const dims_media_codes[] = {
    "theatrical", "non_theatrical", "free_tv",     "pay_tv",
    "svod",       "avod",           "tvod",        "est",
    "fast",       "catch_up",       "airline",     "hotel",
    "ship",       "educational",    "short_video", NULL,
};
const char *const dims_media_names[] = {
    "Theatrical", "Non-theatrical", "Free TV", "Pay TV",      "SVOD",
    "AVOD",       "TVOD",           "EST",     "FAST",        "Catch-up",
    "Airline",    "Hotel",          "Ship",    "Educational", "Short-video platform",
    NULL,
};
_Static_assert(sizeof dims_media_codes / sizeof dims_media_codes[0] == DIMS_MEDIA_BUILTIN + 1,
               "built-in media count");

void dims_media_reg_builtin(dims_media_reg *reg)
{
    memset(reg, 0, sizeof *reg);
    for (int i = 0; i < DIMS_MEDIA_BUILTIN; i++)
        reg->codes[i] = dims_media_codes[i];
    reg->n = DIMS_MEDIA_BUILTIN;
}

int dims_media_index(const dims_media_reg *reg, const char *code)
{
    if (!code) return -1;
    for (int i = 0; i < reg->n && i < AV_NMEDIA; i++)
        if (reg->codes[i] && strcmp(reg->codes[i], code) == 0) return i;
    return -1;
}

int dims_media_parse(const json_t *arr, const dims_media_reg *reg, av_media *out,
                     json_t **canonical, ms_error *err)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return ms_field_fail(err, "media", "must be a non-empty array of media codes");
    if (json_array_size(arr) > 4 * AV_NMEDIA)
        return ms_field_fail(err, "media", "at most %d entries", 4 * AV_NMEDIA);
    av_media m = 0;
    json_t *canon = canonical ? json_array() : NULL;
    if (canonical && !canon) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        char field[32];
        snprintf(field, sizeof field, "media/%zu", i);
        int idx = -1;
        bool all = s && strcmp(s, "all") == 0;
        if (s && !all) idx = dims_media_index(reg, s);
        if (!s || (!all && idx < 0) || strlen(s) != json_string_length(v)) {
            json_decref(canon);
            if (s && dims_media_code_valid(s))
                return ms_field_fail(err, field, "unknown media: %s", s);
            return ms_field_fail(err, field, "must be a media code");
        }
        if (all) {
            for (int k = 0; k < reg->n && k < AV_NMEDIA; k++)
                if (reg->codes[k]) {
                    if (canon && !(m >> k & 1) &&
                        json_array_append_new(canon, json_string(reg->codes[k]))) {
                        json_decref(canon);
                        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
                    }
                    m |= 1ULL << k;
                }
        } else {
            if (canon && !(m >> idx & 1) && json_array_append_new(canon, json_string(s))) {
                json_decref(canon);
                return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            }
            m |= 1ULL << idx;
        }
    }
    if (!m) {
        json_decref(canon);
        return ms_field_fail(err, "media", "names no media");
    }
    *out = m;
    if (canonical) *canonical = canon;
    return 0;
}

bool dims_media_code_valid(const char *code)
{
    if (!code) return false;
    size_t n = strlen(code);
    if (n < 2 || n > 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!((code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') ||
              code[i] == '_'))
            return false;
    if (strcmp(code, "all") == 0) return false;
    for (int i = 0; i < DIMS_MEDIA_BUILTIN; i++)
        if (strcmp(code, dims_media_codes[i]) == 0) return false;
    return true;
}

/* ---- Languages. ---- */

#define LANG_MAX_LEN 35

static bool all_alpha(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) return false;
    return true;
}
static bool all_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(s[i] >= '0' && s[i] <= '9')) return false;
    return true;
}
static bool all_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* RFC 5646 section 2.1: langtag = language ["-" script] ["-" region] *("-" variant)
 * *("-" extension) ["-" privateuse]. Subtags are walked in order with a state that only moves
 * forward; canonical case (section 2.1.1): lower case, scripts title case, regions upper case,
 * everything after a singleton lower case. */
bool dims_lang_canonical(const char *tag, char *out, size_t cap)
{
    if (!tag || !out) return false;
    size_t len = strlen(tag);
    if (len == 0 || len > LANG_MAX_LEN || cap < len + 1) return false;
    char buf[LANG_MAX_LEN + 1];
    for (size_t i = 0; i <= len; i++)
        buf[i] = (char)tolower((unsigned char)tag[i]);
    enum {
        S_LANG,
        S_EXTLANG,
        S_SCRIPT,
        S_REGION,
        S_VARIANT,
        S_EXT,
        S_EXTBODY,
        S_PRIV0,
        S_PRIV
    } st = S_LANG;
    int nextlang = 0;
    bool lang3 = false; /* the language subtag had 2..3 letters: extlangs may follow */
    size_t pos = 0;
    while (pos <= len) {
        size_t e = pos;
        while (e < len && buf[e] != '-')
            e++;
        size_t n = e - pos;
        char *t = buf + pos;
        if (n == 0 || n > 8) return false;
        if (st == S_LANG) {
            if (!all_alpha(t, n) || n == 4 || n < 2) return false; /* 2*3, 4 reserved, 5*8 */
            lang3 = n <= 3;
            st = S_EXTLANG;
        } else if (st == S_PRIV0 || st == S_PRIV) {
            if (!all_alnum(t, n)) return false;
            st = S_PRIV;
        } else if (st == S_EXTBODY || st == S_EXT) {
            /* inside an extension: 2*8 alphanum, or a new singleton, or x */
            if (n == 1) {
                if (!all_alnum(t, 1)) return false;
                if (st == S_EXT) return false; /* a singleton needs at least one subtag */
                st = t[0] == 'x' ? S_PRIV0 : S_EXT;
            } else {
                if (!all_alnum(t, n)) return false;
                st = S_EXTBODY;
            }
        } else {
            /* the optional subtags, each state at most once, in order */
            if (st == S_EXTLANG && lang3 && n == 3 && all_alpha(t, 3) && nextlang < 3) {
                nextlang++;
            } else if (st <= S_SCRIPT && n == 4 && all_alpha(t, 4)) {
                t[0] = (char)toupper((unsigned char)t[0]);
                st = S_REGION;
            } else if (st <= S_REGION &&
                       ((n == 2 && all_alpha(t, 2)) || (n == 3 && all_digit(t, 3)))) {
                for (size_t k = 0; k < n; k++)
                    t[k] = (char)toupper((unsigned char)t[k]);
                st = S_VARIANT;
            } else if (st <= S_VARIANT && ((n >= 5 && all_alnum(t, n)) ||
                                           (n == 4 && all_digit(t, 1) && all_alnum(t, 4)))) {
                st = S_VARIANT;
            } else if (n == 1 && all_alnum(t, 1)) {
                st = t[0] == 'x' ? S_PRIV0 : S_EXT;
            } else {
                return false;
            }
        }
        pos = e + 1;
    }
    if (st == S_EXT || st == S_PRIV0) return false; /* a trailing singleton */
    memcpy(out, buf, len + 1);
    return true;
}

#define LANGS_MAX 64

static const char *const kind_names[] = {"original", "dubbed", "subtitled"};

static json_t *kinds_json(uint8_t kinds)
{
    json_t *arr = json_array();
    for (int k = 0; arr && k < 3; k++)
        if (kinds >> k & 1) json_array_append_new(arr, json_string(kind_names[k]));
    return arr;
}

int dims_langs_parse(const json_t *arr, bool for_question, ms_arena *a, av_lang **out, int *n,
                     json_t **canonical, ms_error *err)
{
    if (!json_is_array(arr))
        return ms_field_fail(err, "languages", "must be an array of BCP 47 tags or {tag, kinds}");
    size_t cnt = json_array_size(arr);
    if (cnt > LANGS_MAX) return ms_field_fail(err, "languages", "at most %d languages", LANGS_MAX);
    av_lang *langs = cnt ? ms_arena_alloc(a, cnt * sizeof *langs) : NULL;
    if (cnt && !langs) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        char field[48];
        snprintf(field, sizeof field, "languages/%zu", i);
        const json_t *tagv = v, *kindsv = NULL;
        if (json_is_object(v)) {
            const char *k;
            const json_t *m;
            tagv = NULL;
            json_object_foreach((json_t *)v, k, m)
            {
                if (strcmp(k, "tag") == 0)
                    tagv = m;
                else if (strcmp(k, "kinds") == 0)
                    kindsv = json_is_null(m) ? NULL : m;
                else
                    return ms_field_fail(err, field, "unknown member (tag, kinds)");
            }
        }
        const char *tag = json_string_value(tagv);
        char canon[LANG_MAX_LEN + 1];
        if (!tag || strlen(tag) != json_string_length(tagv) ||
            !dims_lang_canonical(tag, canon, sizeof canon))
            return ms_field_fail(err, field, "must be a well-formed BCP 47 tag such as \"fr-CA\"");
        uint8_t kinds = 0;
        if (kindsv) {
            if (!json_is_array(kindsv) || json_array_size(kindsv) > 8)
                return ms_field_fail(err, field,
                                     "kinds must be an array of original, dubbed, subtitled");
            size_t j;
            const json_t *kv;
            json_array_foreach(kindsv, j, kv)
            {
                const char *ks = json_string_value(kv);
                int k = 0;
                while (k < 3 && !(ks && strcmp(ks, kind_names[k]) == 0))
                    k++;
                if (k == 3)
                    return ms_field_fail(err, field,
                                         "kinds must be an array of original, dubbed, subtitled");
                kinds |= (uint8_t)(1u << k);
            }
        }
        if (!kinds && !for_question) kinds = AV_KIND_ALL;
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(langs[j].tag, canon) == 0)
                return ms_field_fail(err, field, "names %s twice", canon);
        langs[i].tag = ms_arena_strdup(a, canon);
        if (!langs[i].tag) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        langs[i].kinds = kinds;
    }
    if (canonical) {
        json_t *c = json_array();
        for (size_t j = 0; c && j < cnt; j++) {
            json_t *o = json_object();
            if (!o || json_object_set_new(o, "tag", json_string(langs[j].tag)) ||
                json_object_set_new(o, "kinds", kinds_json(langs[j].kinds)) ||
                json_array_append_new(c, o)) {
                json_decref(c);
                c = NULL;
            }
        }
        if (!c) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        *canonical = c;
    }
    *out = langs;
    *n = (int)cnt;
    return 0;
}

/* ---- Dates and exclusivity. ---- */

bool dims_date_parse(const char *s, av_day *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9')) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    int64_t days;
    if (y < 1900 || !ms_days_from_civil(y, m, d, &days)) return false;
    *out = (av_day)days;
    return true;
}

/* Howard Hinnant's civil-from-days, the inverse of ms_days_from_civil. */
void dims_date_fmt(av_day d, char out[11])
{
    int64_t z = (int64_t)d + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    if (mm <= 2) y++;
    if (y < 0 || y > 9999) {
        memcpy(out, "0000-00-00", 11);
        return;
    }
    int yy = (int)y, m2 = (int)mm, d2 = (int)dd;
    out[0] = (char)('0' + yy / 1000);
    out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10);
    out[3] = (char)('0' + yy % 10);
    out[4] = '-';
    out[5] = (char)('0' + m2 / 10);
    out[6] = (char)('0' + m2 % 10);
    out[7] = '-';
    out[8] = (char)('0' + d2 / 10);
    out[9] = (char)('0' + d2 % 10);
    out[10] = '\0';
}

int dims_term_parse(const char *start, const char *end, av_day *s, av_day *e, ms_error *err)
{
    av_day st, en;
    if (!start || !dims_date_parse(start, &st))
        return ms_field_fail(err, "start", "must be a date YYYY-MM-DD");
    if (!end || !end[0] || strcasecmp(end, "open") == 0) {
        en = AV_OPEN_END;
    } else {
        av_day last;
        if (!dims_date_parse(end, &last))
            return ms_field_fail(err, "end", "must be a date YYYY-MM-DD, or open");
        if (last < st) return ms_field_fail(err, "end", "is before start");
        en = last + 1;
    }
    *s = st;
    *e = en;
    return 0;
}

int dims_excl_parse(const char *s)
{
    if (!s) return -1;
    if (strcmp(s, "exclusive") == 0) return AV_EXCLUSIVE;
    if (strcmp(s, "sole") == 0) return AV_SOLE;
    if (strcmp(s, "non_exclusive") == 0 || strcmp(s, "non-exclusive") == 0) return AV_NON_EXCLUSIVE;
    return -1;
}

const char *dims_excl_name(int excl)
{
    switch (excl) {
    case AV_EXCLUSIVE:
        return "exclusive";
    case AV_SOLE:
        return "sole";
    case AV_NON_EXCLUSIVE:
        return "non_exclusive";
    default:
        return NULL;
    }
}

/* ---- EIDR. ---- */

static int b36(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return -1;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* ISO 7064 hybrid system Mod 37,36 (M = 36): p starts at M; for each character
 * s = (p + value) mod M, with 0 read as M, p = 2s mod (M + 1); the check character makes
 * (p + check) mod M == 1. */
char dims_eidr_check_char(const char *hex20)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if (!hex20) return '\0';
    int p = 36;
    for (int i = 0; i < 20; i++) {
        char c = hex20[i];
        if (!is_hex(c)) return '\0';
        int s = (p + b36((char)toupper((unsigned char)c))) % 36;
        if (s == 0) s = 36;
        p = (s * 2) % 37;
    }
    if (hex20[20]) return '\0';
    return alphabet[(37 - p) % 36];
}

bool dims_eidr_valid(const char *s, char *canonical, size_t cap)
{
    static const char prefix[] = "10.5240/";
    if (!s || strncmp(s, prefix, 8) != 0 || strlen(s) != 34) return false;
    const char *p = s + 8;
    char hex[21];
    int k = 0;
    for (int g = 0; g < 5; g++) {
        for (int i = 0; i < 4; i++) {
            if (!is_hex(p[i])) return false;
            hex[k++] = (char)toupper((unsigned char)p[i]);
        }
        if (p[4] != '-') return false;
        p += 5;
    }
    hex[20] = '\0';
    char want = dims_eidr_check_char(hex);
    if (!want || (char)toupper((unsigned char)p[0]) != want || p[1]) return false;
    if (canonical) {
        if (cap < 35) return false;
        for (int i = 0; i < 34; i++)
            canonical[i] = (char)toupper((unsigned char)s[i]);
        canonical[34] = '\0';
    }
    return true;
}
