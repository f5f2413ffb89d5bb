/* money.c: amounts of money in exact minor units (cents) per ISO 4217: which currencies
 * exist, how many decimals each has, and amounts read from JSON (an integer of major units or
 * a decimal string) and written back as decimal strings. No conversion between currencies. */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

/* ISO 4217 currencies in use, with their minor unit digits where it is not 2. */
static const char *const currencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL", NULL};

bool ms_currency_valid(const char *currency)
{
    if (!currency) return false;
    for (int i = 0; currencies[i]; i++)
        if (!strcmp(currencies[i], currency)) return true;
    return false;
}

static int minor_digits(const char *currency)
{
    static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                       "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
                                       "VUV", "XAF", "XOF", "XPF", NULL};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
    for (int i = 0; zero[i]; i++)
        if (!strcmp(zero[i], currency)) return 0;
    for (int i = 0; three[i]; i++)
        if (!strcmp(three[i], currency)) return 3;
    return 2;
}

/* Amounts are bounded well inside int64 so that sums over many deals cannot overflow. */
#define AMOUNT_MAX 100000000000000LL /* 10^14 minor units */

int ms_money_parse(const json_t *v, const char *currency, int64_t *out, const char *field,
                   ms_error *err)
{
    int digits = minor_digits(currency);
    int64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0 || x > AMOUNT_MAX / scale)
            return ms_field_fail(err, field, "must be between 0 and %lld", AMOUNT_MAX / scale);
        *out = (int64_t)x * scale;
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 24)
        return ms_field_fail(err, field, "must be an amount: an integer or a decimal string");
    int64_t whole = 0, frac = 0;
    int nfrac = 0;
    const char *p = s;
    if (!(*p >= '0' && *p <= '9'))
        return ms_field_fail(err, field, "must be a non-negative decimal amount like \"1250.50\"");
    for (; *p >= '0' && *p <= '9'; p++) {
        whole = whole * 10 + (*p - '0');
        if (whole > AMOUNT_MAX / scale) return ms_field_fail(err, field, "is too large");
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return ms_field_fail(err, field, "must have digits after the decimal point");
        for (; *p >= '0' && *p <= '9'; p++) {
            if (++nfrac > digits)
                return ms_field_fail(err, field, "has more decimals than %s has (%d)", currency,
                                     digits);
            frac = frac * 10 + (*p - '0');
        }
    }
    if (*p)
        return ms_field_fail(err, field, "must be a non-negative decimal amount like \"1250.50\"");
    for (int i = nfrac; i < digits; i++)
        frac *= 10;
    *out = whole * scale + frac;
    return 0;
}

void ms_money_fmt(int64_t minor, const char *currency, char *out, size_t cap)
{
    int digits = minor_digits(currency);
    if (!digits) {
        snprintf(out, cap, "%lld", (long long)minor);
        return;
    }
    int64_t scale = digits == 3 ? 1000 : 100;
    const char *sign = minor < 0 ? "-" : "";
    int64_t m = minor < 0 ? -minor : minor;
    snprintf(out, cap, "%s%lld.%0*lld", sign, (long long)(m / scale), digits,
             (long long)(m % scale));
}
