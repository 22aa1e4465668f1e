/*
 * Exact money: parse decimal text into int64 micros digit by digit (never via a
 * float), and format micros for people per language and currency. Pure.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "metric.h"
#include "money.h"

#define MONEY_NBSP	"\xc2\xa0"	/* U+00A0 no-break space */
#define MONEY_NNBSP	"\xe2\x80\xaf"	/* U+202F narrow no-break space */

/* Length of the blank at s (ASCII space/tab, U+00A0, U+202F), or 0. */
static size_t
money_blank(const char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (len >= 2 && memcmp(s, MONEY_NBSP, 2) == 0)
		return 2;
	if (len >= 3 && memcmp(s, MONEY_NNBSP, 3) == 0)
		return 3;
	return 0;
}

/* Length of a blank ending at s + len, or 0. */
static size_t
money_blank_end(const char *s, size_t len)
{
	if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		return 1;
	if (len >= 2 && memcmp(s + len - 2, MONEY_NBSP, 2) == 0)
		return 2;
	if (len >= 3 && memcmp(s + len - 3, MONEY_NNBSP, 3) == 0)
		return 3;
	return 0;
}

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
		return money_blank(s, len);
	return s[0] == thousands ? 1 : 0;
}

/*
 * Grouping, when allowed, must be regular: a first group of 1 to 3 digits, then
 * groups of exactly 3, so that "1,23" (a swapped locale, most likely) is refused
 * rather than read as 123. Decimals beyond the sixth are accepted only when they
 * are zeros ("1.5000000" is exact); anything else would need rounding.
 */
int
money_parse(const char *s, size_t len, char dec, char thousands,
    int64_t *micros, const char **why)
{
	const char *p, *end;
	uint64_t v = 0;
	size_t	 n, run = 0, intdigits = 0, decimals = 0;
	int	 neg = 0, grouped = 0;
	unsigned digit;

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
	while ((n = money_blank(s, len)) != 0) {
		s += n;
		len -= n;
	}
	while ((n = money_blank_end(s, len)) != 0)
		len -= n;
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
			if (decimals > 6) {
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

int
money_parse_round(const char *s, size_t len, char dec, char thousands,
    enum money_round mode, int64_t *micros, const char **why)
{
	const char *p, *d, *end;
	int64_t	 v;
	int	 neg, up;
	size_t	 n;

	if (mode == MONEY_ROUND_NONE || s == NULL)
		return money_parse(s, len, dec, thousands, micros, why);
	while ((n = money_blank(s, len)) != 0) {
		s += n;
		len -= n;
	}
	while ((n = money_blank_end(s, len)) != 0)
		len -= n;
	end = s + len;
	if ((d = memchr(s, dec, len)) == NULL || end - d <= 7)
		return money_parse(s, len, dec, thousands, micros, why);
	for (p = d + 7; p < end; p++) {
		if (*p < '0' || *p > '9')	/* money_parse() says why */
			return money_parse(s, len, dec, thousands, micros, why);
	}
	if (money_parse(s, (size_t)(d + 7 - s), dec, thousands, &v, why) != 0)
		return -1;
	neg = s[0] == '-';
	/* The dropped digits against one half of a micro. */
	p = d + 7;
	if (*p > '5')
		up = 1;
	else if (*p < '5')
		up = 0;
	else {
		for (p++; p < end && *p == '0'; p++)
			;
		up = p < end || (v % 2 != 0);
	}
	if (up && __builtin_add_overflow(v, neg ? -1 : 1, &v)) {
		if (why != NULL)
			*why = "amount too large";
		return -1;
	}
	*micros = v;
	return 0;
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

/* "fr", "fr_FR", "fr-CA" are French; everything else is English. */
static int
money_is_fr(const char *lang)
{
	return lang != NULL && strncasecmp(lang, "fr", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-');
}

/*
 * Write |micros| rounded to cents, grouped, into out (at least 64 bytes);
 * *neg tells whether a minus sign is due (never for an amount that rounds to 0).
 */
static void
money_digits(int64_t micros, int fr, char *out, int *neg)
{
	uint64_t mag, cents, units;
	char	 rev[32];
	size_t	 n = 0, o = 0, i;

	mag = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
	cents = mag / 10000 + (mag % 10000 >= 5000);	/* half away from zero */
	*neg = micros < 0 && cents != 0;
	units = cents / 100;
	do {
		rev[n++] = (char)('0' + units % 10);
		units /= 10;
	} while (units != 0);
	for (i = n; i > 0; i--) {
		out[o++] = rev[i - 1];
		if (i > 1 && (i - 1) % 3 == 0) {
			if (fr) {
				memcpy(out + o, MONEY_NNBSP, 3);
				o += 3;
			} else
				out[o++] = ',';
		}
	}
	out[o++] = fr ? ',' : '.';
	out[o++] = (char)('0' + (cents % 100) / 10);
	out[o++] = (char)('0' + cents % 10);
	out[o] = '\0';
}

char *
money_format(int64_t micros, const char *lang, char *buf, size_t len)
{
	char	 digits[64], tmp[80];
	int	 neg;

	money_digits(micros, money_is_fr(lang), digits, &neg);
	tmp[0] = '\0';
	if (neg)
		strcat(tmp, "-");
	strcat(tmp, digits);
	return money_copy(buf, len, tmp);
}

/*
 * English puts the symbol first ("-€1.00"), French after the amount behind a
 * no-break space ("-1,00 €"), as CLDR does. Unknown codes follow the amount.
 */
char *
money_format_currency(int64_t micros, const char *currency, const char *lang,
    char *buf, size_t len)
{
	static const struct {
		const char	*code;
		const char	*symbol;
	} symbols[] = {
		{ "EUR", "\xe2\x82\xac" },
		{ "USD", "$" },
		{ "GBP", "\xc2\xa3" },
	};
	const char *symbol = NULL;
	char	 digits[64], tmp[128], code[8];
	size_t	 i;
	int	 neg, fr;

	fr = money_is_fr(lang);
	money_digits(micros, fr, digits, &neg);
	if (currency == NULL || *currency == '\0') {
		money_copy(tmp, sizeof tmp, neg ? "-" : "");
		strcat(tmp, digits);
		return money_copy(buf, len, tmp);
	}
	for (i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		if (strcasecmp(currency, symbols[i].code) == 0)
			symbol = symbols[i].symbol;
	}
	if (symbol == NULL) {
		/* Keep an ISO code short and upper case whatever we were given. */
		for (i = 0; i < sizeof code - 1 && currency[i] != '\0'; i++) {
			code[i] = currency[i];
			if (code[i] >= 'a' && code[i] <= 'z')
				code[i] = (char)(code[i] - 'a' + 'A');
		}
		code[i] = '\0';
		symbol = code;
	}

	tmp[0] = '\0';
	if (neg)
		strcat(tmp, "-");
	if (fr) {
		strcat(tmp, digits);
		strcat(tmp, MONEY_NBSP);
		strcat(tmp, symbol);
	} else if (symbol != code) {
		strcat(tmp, symbol);
		strcat(tmp, digits);
	} else {
		strcat(tmp, digits);
		strcat(tmp, " ");
		strcat(tmp, symbol);
	}
	return money_copy(buf, len, tmp);
}
