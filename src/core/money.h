/* money.h: amounts of money in exact minor units per ISO 4217 (see money.c). */
#ifndef MS_MONEY_H
#define MS_MONEY_H

#include "core/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An ISO 4217 code of a currency in use ("CNY"). */
bool ms_currency_valid(const char *currency);
/* An amount given as a JSON integer (major units) or a decimal string ("1250.50") in
 * `currency` (its minor unit decides the decimals: JPY 0, KWD 3, most 2) into minor units;
 * field errors name `field`. */
int ms_money_parse(const json_t *v, const char *currency, int64_t *out, const char *field,
                   ms_error *err);
/* Minor units back to a decimal string ("1250.50") into out (cap >= 32). */
void ms_money_fmt(int64_t minor, const char *currency, char *out, size_t cap);

#endif
