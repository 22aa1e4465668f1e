/*
 * Exact money: parse decimal text into int64 micros digit by digit (never via a
 * float), and format micros for people per language and currency. Pure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "currency.h"
#include "metric.h"
#include "money.h"
#include "utf8.h"


#define MONEY_ROUND_MAX_DECIMALS	40	/* longer is no float artefact */
#define MONEY_ROUND_MAX_DECIMALS_S	"40"
#define MONEY_EXP_DIGITS	40	/* mantissa digits of "1.2E+05" */
#define MONEY_EXP_MAX		40	/* |exponent| */

/*
 * Length of a group separator at s, or 0. A space separator also matches the
 * no-break spaces that French formatting (ours included) writes.
 */
static size_t
money_group_sep(const char *s, size_t len, char thousands)
{
	if (thousands == 0 || len == 0)
		return 0;
	if (thousands == ' ')
		return utf8_blank(s, len);
	return s[0] == thousands ? 1 : 0;
}

/*
 * Grouping, when allowed, must be regular: a first group of 1 to 3 digits, then
 * groups of exactly 3, so that "1,23" (a swapped locale, most likely) is refused
 * rather than read as 123. Decimals beyond the sixth are accepted only when they
 * are zeros ("1.5000000" is exact), unless the mode rounds: then the seventh and
 * later digits round the micros half to even (a float artefact such as
 * "1.429999948" carries no meaning worth a bias either way).
 */
static int
money_parse_plain(const char *s, size_t len, char dec, char thousands,
    enum money_round mode, int64_t *micros, const char **why)
{
	const char *p, *end;
	uint64_t v = 0;
	size_t	 n, run = 0, intdigits = 0, decimals = 0;
	int	 neg = 0, grouped = 0, sticky = 0;
	unsigned digit, first = 0;

	if (why != NULL)
		*why = NULL;
	if (s == NULL)
		goto empty;
	if (dec != '.' && dec != ',') {
		if (why != NULL)
			*why = "invalid decimal separator";
		return -1;
	}
	if (thousands == dec) {
		if (why != NULL)
			*why = "thousands separator equals decimal separator";
		return -1;
	}
	utf8_trim(&s, &len);
	if (len == 0)
		goto empty;
	p = s;
	end = s + len;
	if (*p == '-' || *p == '+') {
		neg = (*p == '-');
		p++;
	}

	/* Integer part, with optional regular grouping. */
	while (p < end) {
		if (*p >= '0' && *p <= '9') {
			digit = (unsigned)(*p - '0');
			if (v > (UINT64_MAX - digit) / 10)
				goto overflow;
			v = v * 10 + digit;
			run++;
			intdigits++;
			p++;
			if (grouped && run > 3)
				goto grouping;
			continue;
		}
		if ((n = money_group_sep(p, (size_t)(end - p), thousands)) != 0) {
			if (run == 0 || (grouped && run != 3) ||
			    (!grouped && run > 3))
				goto grouping;
			grouped = 1;
			run = 0;
			p += n;
			continue;
		}
		break;
	}
	if (grouped && run != 3)
		goto grouping;
	if (v > (uint64_t)INT64_MAX / MICROS_PER_UNIT)
		goto overflow;
	v *= MICROS_PER_UNIT;

	/* Decimals. */
	if (p < end && *p == dec) {
		uint64_t scale = MICROS_PER_UNIT;

		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			digit = (unsigned)(*p - '0');
			decimals++;
			if (decimals > 6 && mode == MONEY_ROUND_HALF_EVEN) {
				if (decimals > MONEY_ROUND_MAX_DECIMALS) {
					if (why != NULL)
						*why = "more than "
						    MONEY_ROUND_MAX_DECIMALS_S
						    " decimals";
					return -1;
				}
				if (decimals == 7)
					first = digit;
				else if (digit != 0)
					sticky = 1;
			} else if (decimals > 6) {
				if (digit != 0) {
					if (why != NULL)
						*why = "more than 6 decimals";
					return -1;
				}
			} else {
				scale /= 10;
				v += digit * scale;
			}
			p++;
		}
		if (decimals == 0) {
			if (why != NULL)
				*why = "no digits after the decimal separator";
			return -1;
		}
	}
	if (p != end) {
		if (why != NULL)
			*why = "not a number";
		return -1;
	}
	if (intdigits == 0 && decimals == 0) {
		if (why != NULL)
			*why = "no digits";
		return -1;
	}
	/* Ties to even on the magnitude: the same on both sides of zero. */
	if (first > 5 || (first == 5 && (sticky || v % 2 == 1)))
		v++;
	if (v > (uint64_t)INT64_MAX)
		goto overflow;
	*micros = neg ? -(int64_t)v : (int64_t)v;
	return 0;

empty:
	if (why != NULL)
		*why = "empty amount";
	return -1;
overflow:
	if (why != NULL)
		*why = "amount too large";
	return -1;
grouping:
	if (why != NULL)
		*why = "bad digit grouping";
	return -1;
}

/*
 * Scientific notation ("1.2E+05", "1,5e-7", "-3e2"), accepted only when
 * rounding: spreadsheets and JSON writers print some floats that way. The
 * mantissa's digits are moved by the exponent into a plain decimal string that
 * money_parse_plain() then reads: exact, no float on the way. The mantissa has
 * no grouping; s is trimmed and e points at its 'e' or 'E'.
 */
static int
money_parse_exp(const char *s, size_t len, const char *e, char dec,
    int64_t *micros, const char **why)
{
	char	 digits[MONEY_EXP_DIGITS + 1], buf[2 * MONEY_EXP_DIGITS + 8];
	const char *p = s, *end = s + len;
	size_t	 ndigits = 0, intdigits = 0, o = 0, i;
	int	 neg = 0, eneg = 0, exp = 0, point, seen_dec = 0, edigits = 0;

	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	for (; p < e; p++) {
		if (*p == dec && !seen_dec) {
			seen_dec = 1;
			continue;
		}
		if (*p < '0' || *p > '9') {
			*why = "not a number";
			return -1;
		}
		if (ndigits == MONEY_EXP_DIGITS) {
			*why = "too many digits before the exponent";
			return -1;
		}
		digits[ndigits++] = *p;
		if (!seen_dec)
			intdigits++;
	}
	if (ndigits == 0) {
		*why = "no digits before the exponent";
		return -1;
	}
	if (seen_dec && ndigits == intdigits) {
		*why = "no digits after the decimal separator";
		return -1;
	}
	p = e + 1;
	if (p < end && (*p == '-' || *p == '+'))
		eneg = (*p++ == '-');
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || ++edigits > 3) {
			*why = "bad exponent";
			return -1;
		}
		exp = exp * 10 + (*p - '0');
	}
	if (edigits == 0) {
		*why = "bad exponent";
		return -1;
	}
	if (exp > MONEY_EXP_MAX) {
		*why = "exponent out of range";
		return -1;
	}
	point = (int)intdigits + (eneg ? -exp : exp);

	if (neg)
		buf[o++] = '-';
	if (point <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (i = 0; i < (size_t)-point; i++)
			buf[o++] = '0';
		memcpy(buf + o, digits, ndigits);
		o += ndigits;
	} else if ((size_t)point >= ndigits) {
		memcpy(buf + o, digits, ndigits);
		o += ndigits;
		for (i = ndigits; i < (size_t)point; i++)
			buf[o++] = '0';
	} else {
		memcpy(buf + o, digits, (size_t)point);
		o += (size_t)point;
		buf[o++] = '.';
		memcpy(buf + o, digits + point, ndigits - (size_t)point);
		o += ndigits - (size_t)point;
	}
	return money_parse_plain(buf, o, '.', 0, MONEY_ROUND_HALF_EVEN, micros,
	    why);
}

int
money_parse_round(const char *s, size_t len, char dec, char thousands,
    enum money_round mode, int64_t *micros, const char **why)
{
	const char *unused, *e = NULL;
	size_t	 i;

	if (why == NULL)
		why = &unused;
	*why = NULL;
	if (mode != MONEY_ROUND_NONE && mode != MONEY_ROUND_HALF_EVEN) {
		*why = "invalid rounding mode";
		return -1;
	}
	if (s == NULL || mode == MONEY_ROUND_NONE || (dec != '.' && dec != ',')
	    || thousands == dec)
		return money_parse_plain(s, len, dec, thousands, mode, micros,
		    why);
	utf8_trim(&s, &len);
	for (i = 0; i < len; i++) {
		if (s[i] == 'e' || s[i] == 'E') {
			e = s + i;
			break;
		}
	}
	if (e != NULL)
		return money_parse_exp(s, len, e, dec, micros, why);
	return money_parse_plain(s, len, dec, thousands, mode, micros, why);
}

int
money_parse(const char *s, size_t len, char dec, char thousands,
    int64_t *micros, const char **why)
{
	return money_parse_plain(s, len, dec, thousands, MONEY_ROUND_NONE,
	    micros, why);
}

/* Copy src into buf of len bytes, truncating; returns buf. */
static char *
money_copy(char *buf, size_t len, const char *src)
{
	size_t	 n;

	if (len == 0)
		return buf;
	n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(buf, src, n);
	buf[n] = '\0';
	return buf;
}

/* 10^n for n in 0..6. */
static uint64_t
money_pow10(int n)
{
	uint64_t p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/*
 * Write |micros| rounded half away from zero to `decimals` digits (0 to 6),
 * grouped, into out (at least 128 bytes); *neg tells whether a minus sign is
 * due (never for an amount that rounds to 0). The separators are the
 * language's, from the catalogue (en "," and ".", fr U+202F and ",").
 */
static void
money_digits(int64_t micros, const char *lang, int decimals, char *out,
    int *neg)
{
	uint64_t mag, unit, scaled, units, frac, div;
	char	 rev[32];
	size_t	 n = 0, o = 0, i, gl, dl;
	int	 d;
	/* TRANSLATORS: the thousands separator, then the decimal one. */
	const char *gs = trc(lang, "number", ",");
	const char *ds = trc(lang, "number", ".");

	gl = strlen(gs) < 4 ? strlen(gs) : 4;
	dl = strlen(ds) < 4 ? strlen(ds) : 4;

	if (decimals < 0 || decimals > 6)
		decimals = 2;
	unit = money_pow10(6 - decimals);	/* micros per last digit */
	mag = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
	scaled = mag / unit + (unit > 1 && mag % unit >= unit / 2);
	*neg = micros < 0 && scaled != 0;
	div = money_pow10(decimals);
	units = scaled / div;
	frac = scaled % div;
	do {
		rev[n++] = (char)('0' + units % 10);
		units /= 10;
	} while (units != 0);
	for (i = n; i > 0; i--) {
		out[o++] = rev[i - 1];
		if (i > 1 && (i - 1) % 3 == 0) {
			memcpy(out + o, gs, gl);
			o += gl;
		}
	}
	if (decimals > 0) {
		memcpy(out + o, ds, dl);
		o += dl;
		for (d = decimals - 1; d >= 0; d--) {
			out[o + (size_t)d] = (char)('0' + frac % 10);
			frac /= 10;
		}
		o += (size_t)decimals;
	}
	out[o] = '\0';
}

char *
money_format(int64_t micros, const char *lang, char *buf, size_t len)
{
	char	 digits[128], tmp[160];
	int	 neg;

	money_digits(micros, lang, 2, digits, &neg);
	tmp[0] = '\0';
	if (neg)
		strcat(tmp, "-");
	strcat(tmp, digits);
	return money_copy(buf, len, tmp);
}

/*
 * Digits as the currency counts them (JPY none, BHD three, unknown codes and
 * metals two). English puts a symbol first ("-€1.00"), French after the amount
 * behind a no-break space ("-1,00 €"), as CLDR does; only symbols that read the
 * same in every language (the table's `display`) replace the code, so a CHF,
 * SEK or CAD amount shows its code after the number.
 */
char *
money_format_currency(int64_t micros, const char *currency, const char *lang,
    char *buf, size_t len)
{
	const struct currency *c;
	const char *symbol = NULL;
	char	 digits[128], tmp[192], code[8];
	size_t	 i;
	int	 neg, decimals = 2;

	if (currency == NULL || *currency == '\0') {
		money_digits(micros, lang, 2, digits, &neg);
		money_copy(tmp, sizeof tmp, neg ? "-" : "");
		strcat(tmp, digits);
		return money_copy(buf, len, tmp);
	}
	/* Keep an ISO code short and upper case whatever we were given. */
	for (i = 0; i < sizeof code - 1 && currency[i] != '\0'; i++) {
		code[i] = currency[i];
		if (code[i] >= 'a' && code[i] <= 'z')
			code[i] = (char)(code[i] - 'a' + 'A');
	}
	code[i] = '\0';
	if ((c = currency_lookup(code)) != NULL) {
		if (c->minor_units >= 0)
			decimals = c->minor_units;
		if (c->display)
			symbol = c->symbol;
	}
	money_digits(micros, lang, decimals, digits, &neg);

	/* The sign first, then the amount as the language places it. */
	snprintf(tmp, sizeof tmp, "%s", neg ? "-" : "");
	if (symbol != NULL)
		/* TRANSLATORS: a currency symbol and an amount ("$1.00");
		 * French puts the symbol after: "%2$s\u00a0%1$s". */
		snprintf(tmp + strlen(tmp), sizeof tmp - strlen(tmp),
		    trc(lang, "money with a symbol", "%s%s"), symbol, digits);
	else
		/* TRANSLATORS: an amount and an ISO 4217 code ("1.00 CHF"). */
		snprintf(tmp + strlen(tmp), sizeof tmp - strlen(tmp),
		    trc(lang, "money with a code", "%s %s"), digits, code);
	return money_copy(buf, len, tmp);
}
