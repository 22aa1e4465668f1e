/*
 * Exact money: amounts are int64 micros (1.00 = 1 000 000). Parsing never goes
 * through a float. Pure functions.
 */
#ifndef ROIWATCH_MONEY_H
#define ROIWATCH_MONEY_H
#include <stddef.h>
#include <stdint.h>

/*
 * Parse a plain decimal amount of len bytes: optional sign, digits, optional
 * decimal separator `dec` ('.' or ',') and up to 6 decimals. If `thousands` is not
 * 0, that character (',' '.' ' ' or '\'') may group digits before the separator.
 * Leading and trailing spaces (also U+00A0 / U+202F as UTF-8) are allowed; nothing
 * else. More than 6 decimals is an error (never rounded silently), as is overflow.
 * Returns 0, or -1 with *why set to a static reason.
 */
int	money_parse(const char *s, size_t len, char dec, char thousands,
	    int64_t *micros, const char **why);

/* How money_parse_round() treats decimals beyond the sixth. */
enum money_round {
	MONEY_ROUND_NONE,	/* refused, as money_parse() does */
	MONEY_ROUND_HALF_EVEN,	/* rounded to micros, ties to even */
};

/*
 * money_parse(), except that with MONEY_ROUND_HALF_EVEN more than 6 decimals
 * are rounded to the nearest micro, ties to the even one, by digit
 * arithmetic ("1.429999948" -> 1.430000, "0.0000005" -> 0). Exporters write
 * float artefacts such as 2754371.66666667; the rounding is exact and
 * documented, never through a float.
 */
int	money_parse_round(const char *s, size_t len, char dec, char thousands,
	    enum money_round mode, int64_t *micros, const char **why);

/*
 * Format micros with 2 decimals, rounded half away from zero, grouped per
 * language: "en" → "25,750.00", "fr" → "25 750,00" (U+202F narrow no-break
 * space as group separator). Returns buf.
 */
char   *money_format(int64_t micros, const char *lang, char *buf, size_t len);

/* Format micros with the currency: en "€25,750.00"/"$"/"£", fr "25 750,00 €";
 * other ISO codes as "25,750.00 CHF". Returns buf. */
char   *money_format_currency(int64_t micros, const char *currency,
	    const char *lang, char *buf, size_t len);

#endif
