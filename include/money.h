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

enum money_round {
	MONEY_ROUND_NONE,	/* more than 6 decimals is an error */
	MONEY_ROUND_HALF_EVEN	/* round to micros, ties to even */
};

/*
 * money_parse() with a choice for the digits beyond micros. MONEY_ROUND_NONE is
 * money_parse() exactly. MONEY_ROUND_HALF_EVEN reads up to 40 decimals and
 * rounds them to micros on the decimal digits themselves, ties to even and
 * symmetric around zero ("1.429999948" -> 1430000, "0.0000005" -> 0,
 * "0.0000015" -> 2, "-2.5000005" -> -2500000); it also reads scientific
 * notation without grouping ("1.2E+05", "1,5e-7", exponent within +-40), as
 * spreadsheets and JSON writers print floats. Overflow is still an error.
 * For exports whose amounts are float artefacts; configuration keeps NONE.
 */
int	money_parse_round(const char *s, size_t len, char dec, char thousands,
	    enum money_round mode, int64_t *micros, const char **why);

/*
 * Format micros with 2 decimals, rounded half away from zero, grouped per
 * language: "en" → "25,750.00", "fr" → "25 750,00" (U+202F narrow no-break
 * space as group separator). Returns buf.
 */
char   *money_format(int64_t micros, const char *lang, char *buf, size_t len);

/*
 * Format micros with the currency, to its own minor units (currency.h), rounded
 * half away from zero: en "€25,750.00", "$", "£", "¥12,345", fr "25 750,00 €",
 * "12 345 ¥"; codes without a symbol read alike in every language follow the
 * number: "25,750.00 CHF", "1.250 BHD". Unknown codes get 2 decimals; a NULL
 * or empty currency formats the number alone. Returns buf.
 */
char   *money_format_currency(int64_t micros, const char *currency,
	    const char *lang, char *buf, size_t len);

#endif
