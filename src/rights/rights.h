/* rights.h: rights and program trade - the public face of the rights module.
 *
 * An organization's catalogue of titles (features, series with seasons and episodes, micro
 * dramas, ...), the rights it controls (rights in), the licenses it grants (deals with their
 * rights rows, fees and payment schedules), holdbacks, and the avails engine that says what
 * can still be licensed and why the rest cannot. The market (listings, offers between
 * organizations) and EMA Avails import and export build on the same deals. */
#ifndef MS_RIGHTS_H
#define MS_RIGHTS_H

#include "core/api.h"

extern const ms_route rights_routes[];
extern const char ms_schema_rights[];
extern const char ms_openapi_rights[];

/* ---- Market (wt-market). ---- */
extern const char ms_schema_rights_market[];  /* rights/market.sql */
extern const char ms_openapi_rights_market[]; /* rights/openapi-market.json */
/* ---- end of market. ---- */

/* ---- EMA Avails (wt-ema). ---- */
extern const char ms_openapi_rights_ema[];
/* ---- end of EMA. ---- */

#endif
