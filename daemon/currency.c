/*
 * Currencies (include/currency.h): the ISO 4217 table, the table of symbols
 * written around amounts, and the scanners that find a currency marker at
 * either end of an amount or in a column header. Pure.
 *
 * The ISO table is List One (active codes) with its minor units. Codes
 * withdrawn in 2023 or before (HRK, MRO, VEF, STD, BYR...) are absent; codes
 * withdrawn since 2024 (ANG for XCG, SLL for SLE, ZWL for ZWG, BGN for EUR)
 * are kept for a while so that configurations and exports written before the
 * change still load: drop them in a later release. Funds, metals and special
 * units are listed (an export stamped "XAU" is recognised and refused) but
 * their kind keeps them from being a client's currency.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "currency.h"
#include "utf8.h"

#define M	CURRENCY_MONEY
#define F	CURRENCY_FUND
#define X	CURRENCY_METAL
#define U	CURRENCY_UNIT

/* Sorted by code: currency_lookup() searches it with bsearch(). */
static const struct currency currency_table[] = {
	{ "AED", 2, NULL, M, 0 },
	{ "AFN", 2, "\xd8\x8b", M, 0 },			/* ؋ */
	{ "ALL", 2, NULL, M, 0 },
	{ "AMD", 2, "\xd6\x8f", M, 0 },			/* ֏ */
	{ "ANG", 2, "\xc6\x92", M, 0 },			/* ƒ, withdrawn 2025 */
	{ "AOA", 2, NULL, M, 0 },
	{ "ARS", 2, "$", M, 0 },
	{ "AUD", 2, "$", M, 0 },
	{ "AWG", 2, "\xc6\x92", M, 0 },			/* ƒ */
	{ "AZN", 2, "\xe2\x82\xbc", M, 0 },		/* ₼ */
	{ "BAM", 2, "KM", M, 0 },
	{ "BBD", 2, "$", M, 0 },
	{ "BDT", 2, "\xe0\xa7\xb3", M, 0 },		/* ৳ */
	{ "BGN", 2, "\xd0\xbb\xd0\xb2", M, 0 },		/* лв, euro in 2026 */
	{ "BHD", 3, NULL, M, 0 },
	{ "BIF", 0, NULL, M, 0 },
	{ "BMD", 2, "$", M, 0 },
	{ "BND", 2, "$", M, 0 },
	{ "BOB", 2, "Bs", M, 0 },
	{ "BOV", 2, NULL, F, 0 },
	{ "BRL", 2, "R$", M, 1 },
	{ "BSD", 2, "$", M, 0 },
	{ "BTN", 2, NULL, M, 0 },
	{ "BWP", 2, NULL, M, 0 },
	{ "BYN", 2, "Br", M, 0 },
	{ "BZD", 2, "$", M, 0 },
	{ "CAD", 2, "$", M, 0 },
	{ "CDF", 2, NULL, M, 0 },
	{ "CHE", 2, NULL, F, 0 },
	{ "CHF", 2, NULL, M, 0 },
	{ "CHW", 2, NULL, F, 0 },
	{ "CLF", 4, NULL, F, 0 },
	{ "CLP", 0, "$", M, 0 },
	{ "CNY", 2, "\xc2\xa5", M, 0 },			/* ¥ */
	{ "COP", 2, "$", M, 0 },
	{ "COU", 2, NULL, F, 0 },
	{ "CRC", 2, "\xe2\x82\xa1", M, 0 },		/* ₡ */
	{ "CUC", 2, NULL, M, 0 },
	{ "CUP", 2, "$", M, 0 },
	{ "CVE", 2, NULL, M, 0 },
	{ "CZK", 2, "K\xc4\x8d", M, 0 },		/* Kč */
	{ "DJF", 0, NULL, M, 0 },
	{ "DKK", 2, "kr.", M, 0 },
	{ "DOP", 2, "$", M, 0 },
	{ "DZD", 2, NULL, M, 0 },
	{ "EGP", 2, "E\xc2\xa3", M, 0 },		/* E£ */
	{ "ERN", 2, NULL, M, 0 },
	{ "ETB", 2, "Br", M, 0 },
	{ "EUR", 2, "\xe2\x82\xac", M, 1 },		/* € */
	{ "FJD", 2, "$", M, 0 },
	{ "FKP", 2, "\xc2\xa3", M, 0 },			/* £ */
	{ "GBP", 2, "\xc2\xa3", M, 1 },			/* £ */
	{ "GEL", 2, "\xe2\x82\xbe", M, 0 },		/* ₾ */
	{ "GHS", 2, "\xe2\x82\xb5", M, 0 },		/* ₵ */
	{ "GIP", 2, "\xc2\xa3", M, 0 },			/* £ */
	{ "GMD", 2, NULL, M, 0 },
	{ "GNF", 0, NULL, M, 0 },
	{ "GTQ", 2, NULL, M, 0 },
	{ "GYD", 2, "$", M, 0 },
	{ "HKD", 2, "$", M, 0 },
	{ "HNL", 2, NULL, M, 0 },
	{ "HTG", 2, NULL, M, 0 },
	{ "HUF", 2, "Ft", M, 0 },
	{ "IDR", 2, "Rp", M, 0 },
	{ "ILS", 2, "\xe2\x82\xaa", M, 1 },		/* ₪ */
	{ "INR", 2, "\xe2\x82\xb9", M, 1 },		/* ₹ */
	{ "IQD", 3, NULL, M, 0 },
	{ "IRR", 2, "\xef\xb7\xbc", M, 0 },		/* ﷼ */
	{ "ISK", 0, "kr", M, 0 },
	{ "JMD", 2, "$", M, 0 },
	{ "JOD", 3, NULL, M, 0 },
	{ "JPY", 0, "\xc2\xa5", M, 1 },			/* ¥ */
	{ "KES", 2, "KSh", M, 0 },
	{ "KGS", 2, NULL, M, 0 },
	{ "KHR", 2, "\xe1\x9f\x9b", M, 0 },		/* ៛ */
	{ "KMF", 0, NULL, M, 0 },
	{ "KPW", 2, "\xe2\x82\xa9", M, 0 },		/* ₩ */
	{ "KRW", 0, "\xe2\x82\xa9", M, 1 },		/* ₩ */
	{ "KWD", 3, NULL, M, 0 },
	{ "KYD", 2, "$", M, 0 },
	{ "KZT", 2, "\xe2\x82\xb8", M, 0 },		/* ₸ */
	{ "LAK", 2, "\xe2\x82\xad", M, 0 },		/* ₭ */
	{ "LBP", 2, NULL, M, 0 },
	{ "LKR", 2, "Rs", M, 0 },
	{ "LRD", 2, "$", M, 0 },
	{ "LSL", 2, NULL, M, 0 },
	{ "LYD", 3, NULL, M, 0 },
	{ "MAD", 2, NULL, M, 0 },
	{ "MDL", 2, NULL, M, 0 },
	{ "MGA", 2, NULL, M, 0 },
	{ "MKD", 2, NULL, M, 0 },
	{ "MMK", 2, NULL, M, 0 },
	{ "MNT", 2, "\xe2\x82\xae", M, 0 },		/* ₮ */
	{ "MOP", 2, NULL, M, 0 },
	{ "MRU", 2, NULL, M, 0 },
	{ "MUR", 2, "Rs", M, 0 },
	{ "MVR", 2, NULL, M, 0 },
	{ "MWK", 2, NULL, M, 0 },
	{ "MXN", 2, "$", M, 0 },
	{ "MXV", 2, NULL, F, 0 },
	{ "MYR", 2, "RM", M, 0 },
	{ "MZN", 2, NULL, M, 0 },
	{ "NAD", 2, "$", M, 0 },
	{ "NGN", 2, "\xe2\x82\xa6", M, 1 },		/* ₦ */
	{ "NIO", 2, "C$", M, 0 },
	{ "NOK", 2, "kr", M, 0 },
	{ "NPR", 2, "Rs", M, 0 },
	{ "NZD", 2, "$", M, 0 },
	{ "OMR", 3, NULL, M, 0 },
	{ "PAB", 2, NULL, M, 0 },
	{ "PEN", 2, "S/", M, 0 },
	{ "PGK", 2, NULL, M, 0 },
	{ "PHP", 2, "\xe2\x82\xb1", M, 1 },		/* ₱ */
	{ "PKR", 2, "Rs", M, 0 },
	{ "PLN", 2, "z\xc5\x82", M, 0 },		/* zł */
	{ "PYG", 0, "\xe2\x82\xb2", M, 0 },		/* ₲ */
	{ "QAR", 2, NULL, M, 0 },
	{ "RON", 2, "lei", M, 0 },
	{ "RSD", 2, "\xd0\xb4\xd0\xb8\xd0\xbd.", M, 0 },	/* дин. */
	{ "RUB", 2, "\xe2\x82\xbd", M, 0 },		/* ₽ */
	{ "RWF", 0, NULL, M, 0 },
	{ "SAR", 2, NULL, M, 0 },
	{ "SBD", 2, "$", M, 0 },
	{ "SCR", 2, NULL, M, 0 },
	{ "SDG", 2, NULL, M, 0 },
	{ "SEK", 2, "kr", M, 0 },
	{ "SGD", 2, "$", M, 0 },
	{ "SHP", 2, "\xc2\xa3", M, 0 },			/* £ */
	{ "SLE", 2, NULL, M, 0 },
	{ "SLL", 2, NULL, M, 0 },			/* withdrawn for SLE */
	{ "SOS", 2, NULL, M, 0 },
	{ "SRD", 2, "$", M, 0 },
	{ "SSP", 2, NULL, M, 0 },
	{ "STN", 2, NULL, M, 0 },
	{ "SVC", 2, NULL, M, 0 },
	{ "SYP", 2, NULL, M, 0 },
	{ "SZL", 2, NULL, M, 0 },
	{ "THB", 2, "\xe0\xb8\xbf", M, 0 },		/* ฿ */
	{ "TJS", 2, NULL, M, 0 },
	{ "TMT", 2, NULL, M, 0 },
	{ "TND", 3, NULL, M, 0 },
	{ "TOP", 2, NULL, M, 0 },
	{ "TRY", 2, "\xe2\x82\xba", M, 0 },		/* ₺ */
	{ "TTD", 2, "$", M, 0 },
	{ "TWD", 2, "$", M, 0 },
	{ "TZS", 2, "TSh", M, 0 },
	{ "UAH", 2, "\xe2\x82\xb4", M, 0 },		/* ₴ */
	{ "UGX", 0, "USh", M, 0 },
	{ "USD", 2, "$", M, 1 },
	{ "USN", 2, NULL, F, 0 },
	{ "UYI", 0, NULL, F, 0 },
	{ "UYU", 2, "$", M, 0 },
	{ "UYW", 4, NULL, F, 0 },
	{ "UZS", 2, NULL, M, 0 },
	{ "VED", 2, NULL, M, 0 },
	{ "VES", 2, "Bs.", M, 0 },
	{ "VND", 0, "\xe2\x82\xab", M, 1 },		/* ₫ */
	{ "VUV", 0, NULL, M, 0 },
	{ "WST", 2, NULL, M, 0 },
	{ "XAF", 0, "FCFA", M, 0 },
	{ "XAG", -1, NULL, X, 0 },
	{ "XAU", -1, NULL, X, 0 },
	{ "XBA", -1, NULL, U, 0 },
	{ "XBB", -1, NULL, U, 0 },
	{ "XBC", -1, NULL, U, 0 },
	{ "XBD", -1, NULL, U, 0 },
	{ "XCD", 2, "$", M, 0 },
	{ "XCG", 2, NULL, M, 0 },
	{ "XDR", -1, NULL, U, 0 },
	{ "XOF", 0, "FCFA", M, 0 },
	{ "XPD", -1, NULL, X, 0 },
	{ "XPF", 0, NULL, M, 0 },
	{ "XPT", -1, NULL, X, 0 },
	{ "XSU", -1, NULL, U, 0 },
	{ "XTS", -1, NULL, U, 0 },
	{ "XUA", -1, NULL, U, 0 },
	{ "XXX", -1, NULL, U, 0 },
	{ "YER", 2, NULL, M, 0 },
	{ "ZAR", 2, "R", M, 0 },
	{ "ZMW", 2, NULL, M, 0 },
	{ "ZWG", 2, NULL, M, 0 },
	{ "ZWL", 2, NULL, M, 0 },			/* withdrawn for ZWG */
};

#undef M
#undef F
#undef X
#undef U

/*
 * Symbols written around amounts and the currencies each may stand for. A
 * `word` symbol is made of letters, so it must not touch a letter of any
 * script ("kr" in "krone", "zł" in "złoty"); the others must only not touch a
 * Latin letter ("€uro"). ISO codes are markers too, but come from the table
 * above; "CHF" is only a code.
 */
static const struct currency_symbol {
	const char	*symbol;
	const char	*codes;		/* space-separated ISO codes */
	int		 word;
} currency_symbols[] = {
	{ "$", "USD CAD AUD NZD MXN SGD HKD TWD ARS CLP COP CUP DOP UYU BSD"
	    " BBD BZD BMD BND KYD FJD GYD JMD LRD NAD SBD SRD TTD XCD", 0 },
	{ "US$", "USD", 0 },
	{ "C$", "CAD NIO", 0 },
	{ "CA$", "CAD", 0 },
	{ "A$", "AUD", 0 },
	{ "AU$", "AUD", 0 },
	{ "NZ$", "NZD", 0 },
	{ "HK$", "HKD", 0 },
	{ "S$", "SGD", 0 },
	{ "MX$", "MXN", 0 },
	{ "NT$", "TWD", 0 },
	{ "R$", "BRL", 0 },
	{ "RD$", "DOP", 0 },
	{ "J$", "JMD", 0 },
	{ "TT$", "TTD", 0 },
	{ "BZ$", "BZD", 0 },
	{ "EC$", "XCD", 0 },
	{ "N$", "NAD", 0 },
	{ "$U", "UYU", 0 },
	{ "\xe2\x82\xac", "EUR", 0 },				/* € */
	{ "\xc2\xa3", "GBP GIP FKP SHP", 0 },			/* £ */
	{ "E\xc2\xa3", "EGP", 0 },				/* E£ */
	{ "\xc2\xa5", "JPY CNY", 0 },				/* ¥ */
	{ "\xef\xbf\xa5", "JPY CNY", 0 },			/* ￥ */
	{ "JP\xc2\xa5", "JPY", 0 },
	{ "CN\xc2\xa5", "CNY", 0 },
	{ "\xe5\x86\x86", "JPY", 1 },				/* 円 */
	{ "\xe5\x85\x83", "CNY", 1 },				/* 元 */
	{ "RMB", "CNY", 1 },
	{ "\xe2\x82\xb9", "INR", 0 },				/* ₹ */
	{ "\xe2\x82\xa8", "INR PKR LKR NPR MUR SCR", 0 },	/* ₨ */
	{ "Rs", "INR PKR LKR NPR MUR SCR", 1 },
	{ "Rs.", "INR PKR LKR NPR MUR SCR", 1 },
	{ "\xe2\x82\xa9", "KRW KPW", 0 },			/* ₩ */
	{ "\xec\x9b\x90", "KRW", 1 },				/* 원 */
	{ "kr", "SEK NOK DKK ISK", 1 },
	{ "kr.", "SEK NOK DKK ISK", 1 },
	{ "z\xc5\x82", "PLN", 1 },				/* zł */
	{ "K\xc4\x8d", "CZK", 1 },				/* Kč */
	{ "Ft", "HUF", 1 },
	{ "lei", "RON MDL", 1 },
	{ "Fr.", "CHF", 1 },
	{ "SFr.", "CHF", 1 },
	{ "\xe2\x82\xba", "TRY", 0 },				/* ₺ */
	{ "TL", "TRY", 1 },
	{ "\xe2\x82\xbd", "RUB", 0 },				/* ₽ */
	{ "\xd1\x80\xd1\x83\xd0\xb1", "RUB", 1 },		/* руб */
	{ "\xd1\x80\xd1\x83\xd0\xb1.", "RUB", 1 },		/* руб. */
	{ "\xe2\x82\xb4", "UAH", 0 },				/* ₴ */
	{ "\xd0\xb3\xd1\x80\xd0\xbd", "UAH", 1 },		/* грн */
	{ "\xd0\xbb\xd0\xb2", "BGN", 1 },			/* лв */
	{ "\xd0\xbb\xd0\xb2.", "BGN", 1 },			/* лв. */
	{ "\xd0\xb4\xd0\xb8\xd0\xbd", "RSD", 1 },		/* дин */
	{ "\xd0\xb4\xd0\xb8\xd0\xbd.", "RSD", 1 },		/* дин. */
	{ "\xe2\x82\xaa", "ILS", 0 },				/* ₪ */
	{ "\xe2\x82\xab", "VND", 0 },				/* ₫ */
	{ "\xe2\x82\xb1", "PHP", 0 },				/* ₱ */
	{ "\xe0\xb8\xbf", "THB", 0 },				/* ฿ */
	{ "\xe2\x82\xa6", "NGN", 0 },				/* ₦ */
	{ "\xe2\x82\xb5", "GHS", 0 },				/* ₵ */
	{ "\xe2\x82\xb8", "KZT", 0 },				/* ₸ */
	{ "\xe2\x82\xbc", "AZN", 0 },				/* ₼ */
	{ "\xe2\x82\xbe", "GEL", 0 },				/* ₾ */
	{ "\xe2\x82\xa1", "CRC SVC", 0 },			/* ₡ */
	{ "\xe2\x82\xb2", "PYG", 0 },				/* ₲ */
	{ "\xe2\x82\xad", "LAK", 0 },				/* ₭ */
	{ "\xe2\x82\xae", "MNT", 0 },				/* ₮ */
	{ "\xe1\x9f\x9b", "KHR", 0 },				/* ៛ */
	{ "\xe0\xa7\xb3", "BDT", 0 },				/* ৳ */
	{ "\xd6\x8f", "AMD", 0 },				/* ֏ */
	{ "\xd8\x8b", "AFN", 0 },				/* ؋ */
	{ "\xef\xb7\xbc", "IRR OMR QAR SAR YER", 0 },		/* ﷼ */
	{ "\xc6\x92", "AWG ANG XCG", 0 },			/* ƒ */
	{ "R", "ZAR", 1 },
	{ "RM", "MYR", 1 },
	{ "Rp", "IDR", 1 },
	{ "S/", "PEN", 0 },
	{ "S/.", "PEN", 0 },
	{ "Bs", "BOB VES VED", 1 },
	{ "Bs.", "BOB VES VED", 1 },
	{ "Br", "BYN ETB", 1 },
	{ "KSh", "KES", 1 },
	{ "USh", "UGX", 1 },
	{ "TSh", "TZS", 1 },
	{ "KM", "BAM", 1 },
	{ "FCFA", "XAF XOF", 1 },
	{ "CFA", "XAF XOF", 1 },
};

#define CURRENCY_NSYMBOLS \
	(sizeof currency_symbols / sizeof currency_symbols[0])

#define CURRENCY_NBSP	"\xc2\xa0"	/* U+00A0 no-break space */
#define CURRENCY_NNBSP	"\xe2\x80\xaf"	/* U+202F narrow no-break space */

static int
currency_cmp(const void *key, const void *elem)
{
	const struct currency	*c = elem;

	return strcmp(key, c->code);
}

const struct currency *
currency_lookup(const char *code)
{
	if (code == NULL || strlen(code) != 3)
		return NULL;
	return bsearch(code, currency_table,
	    sizeof currency_table / sizeof currency_table[0],
	    sizeof currency_table[0], currency_cmp);
}

/* Whether the three letters `code` appear as a word of the list `codes`. */
static int
currency_in_list(const char *codes, const char *code)
{
	const char	*p;

	if (strlen(code) != 3)
		return 0;
	for (p = codes; (p = strstr(p, code)) != NULL; p++) {
		if ((p == codes || p[-1] == ' ') && (p[3] == '\0' ||
		    p[3] == ' '))
			return 1;
	}
	return 0;
}

static const struct currency_symbol *
currency_find_symbol(const char *marker)
{
	size_t	 i;

	for (i = 0; i < CURRENCY_NSYMBOLS; i++) {
		if (strcmp(currency_symbols[i].symbol, marker) == 0)
			return &currency_symbols[i];
	}
	return NULL;
}

int
currency_marker_matches(const char *code, const char *marker)
{
	const struct currency_symbol	*sym;

	if (code == NULL || marker == NULL)
		return 0;
	if (currency_lookup(marker) != NULL)
		return strcmp(code, marker) == 0;
	if ((sym = currency_find_symbol(marker)) != NULL)
		return currency_in_list(sym->codes, code);
	return 0;
}

int
currency_markers_agree(const char *a, const char *b)
{
	size_t i;

	if (strcmp(a, b) == 0)
		return 1;
	for (i = 0; i < sizeof currency_table / sizeof currency_table[0]; i++)
		if (currency_marker_matches(currency_table[i].code, a) &&
		    currency_marker_matches(currency_table[i].code, b))
			return 1;
	return 0;
}

static int
currency_is_alpha(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static int
currency_is_upper(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z';
}

static int
currency_is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

/*
 * Whether the text after a marker (s, len bytes: what follows it) lets the
 * marker stand alone: not a Latin letter, and for a word marker not a letter
 * of another script either -- any byte of a multibyte character other than
 * a blank is taken for one.
 */
static int
currency_free_after(const char *s, size_t len, int word)
{
	unsigned char	 ch;

	if (len == 0)
		return 1;
	ch = (unsigned char)s[0];
	if (currency_is_alpha(ch))
		return 0;
	if (word && ch >= 0x80 && utf8_blank(s, len) == 0)
		return 0;
	return 1;
}

/* The same for the text before a marker (s, len bytes: what precedes it). */
static int
currency_free_before(const char *s, size_t len, int word)
{
	unsigned char	 ch;

	if (len == 0)
		return 1;
	ch = (unsigned char)s[len - 1];
	if (currency_is_alpha(ch))
		return 0;
	if (word && ch >= 0x80 && utf8_blank_end(s, len) == 0)
		return 0;
	return 1;
}

/* Copy a marker of n bytes into out, or make out "" if it would not fit. */
static size_t
currency_put(char *out, const char *m, size_t n)
{
	if (n >= CURRENCY_MARKER_MAX) {
		out[0] = '\0';
		return 0;
	}
	memcpy(out, m, n);
	out[n] = '\0';
	return n;
}

/*
 * Length of the longest marker right at s (no blanks skipped), 0 if none:
 * an ISO code of the table, or a symbol, free of letters after it.
 */
static size_t
currency_marker_at(const char *s, size_t len, char *out)
{
	char	 code[4];
	size_t	 i, n, best = 0;

	out[0] = '\0';
	/* The hot path of ingest: a plain number starts with a digit, which
	 * no code or symbol does. */
	if (len == 0 || currency_is_digit((unsigned char)s[0]))
		return 0;
	if (len >= 3 && currency_is_upper((unsigned char)s[0]) &&
	    currency_is_upper((unsigned char)s[1]) &&
	    currency_is_upper((unsigned char)s[2])) {
		memcpy(code, s, 3);
		code[3] = '\0';
		if (currency_lookup(code) != NULL &&
		    currency_free_after(s + 3, len - 3, 1))
			best = currency_put(out, s, 3);
	}
	for (i = 0; i < CURRENCY_NSYMBOLS; i++) {
		n = strlen(currency_symbols[i].symbol);
		if (n <= best || n > len ||
		    memcmp(s, currency_symbols[i].symbol, n) != 0)
			continue;
		if (!currency_free_after(s + n, len - n,
		    currency_symbols[i].word))
			continue;
		best = currency_put(out, s, n);
	}
	return best;
}

/* Length of the longest marker ending right at s + len, 0 if none. */
static size_t
currency_marker_before(const char *s, size_t len, char *out)
{
	const char	*e;
	char		 code[4];
	size_t		 i, n, best = 0;

	out[0] = '\0';
	if (len == 0 || currency_is_digit((unsigned char)s[len - 1]))
		return 0;	/* no code or symbol ends with a digit */
	if (len >= 3 && currency_is_upper((unsigned char)s[len - 3]) &&
	    currency_is_upper((unsigned char)s[len - 2]) &&
	    currency_is_upper((unsigned char)s[len - 1])) {
		memcpy(code, s + len - 3, 3);
		code[3] = '\0';
		if (currency_lookup(code) != NULL &&
		    currency_free_before(s, len - 3, 1))
			best = currency_put(out, s + len - 3, 3);
	}
	for (i = 0; i < CURRENCY_NSYMBOLS; i++) {
		n = strlen(currency_symbols[i].symbol);
		e = s + len - n;
		if (n <= best || n > len ||
		    memcmp(e, currency_symbols[i].symbol, n) != 0)
			continue;
		if (!currency_free_before(s, len - n,
		    currency_symbols[i].word))
			continue;
		best = currency_put(out, e, n);
	}
	return best;
}

size_t
currency_marker_start(const char *s, size_t len, char *out)
{
	size_t	 off = 0, n, m;

	out[0] = '\0';
	if (s == NULL)
		return 0;
	while ((n = utf8_blank(s + off, len - off)) != 0)
		off += n;
	if ((m = currency_marker_at(s + off, len - off, out)) == 0)
		return 0;
	off += m;
	while ((n = utf8_blank(s + off, len - off)) != 0)
		off += n;
	return off;
}

size_t
currency_marker_end(const char *s, size_t len, char *out)
{
	size_t	 end = len, n, m;

	out[0] = '\0';
	if (s == NULL)
		return 0;
	while ((n = utf8_blank_end(s, end)) != 0)
		end -= n;
	if ((m = currency_marker_before(s, end, out)) == 0)
		return 0;
	end -= m;
	while ((n = utf8_blank_end(s, end)) != 0)
		end -= n;
	return len - end;
}

/*
 * A marker may name a header's currency only if it names a real currency
 * (a symbol, or an ISO code of kind MONEY: "XXX" or "XAU" in a header is no
 * statement about its amounts).
 */
static int
currency_header_marker(const char *m)
{
	const struct currency	*c;

	if ((c = currency_lookup(m)) != NULL)
		return c->kind == CURRENCY_MONEY;
	return currency_find_symbol(m) != NULL;
}

/* Characters that separate a header's words besides blanks. */
static int
currency_is_sep(char ch)
{
	return strchr(",;:-_/|", ch) != NULL;
}

/*
 * A marker as the whole of s, or as its first or last word: separated from the
 * rest by a blank or one of currency_is_sep(). Brackets are handled by the
 * caller.
 */
static int
currency_header_words(const char *s, size_t len, char *out)
{
	size_t	 m, rest;

	utf8_trim(&s, &len);
	if (len == 0)
		return 0;

	/* Last word. */
	if ((m = currency_marker_before(s, len, out)) != 0 &&
	    currency_header_marker(out)) {
		rest = len - m;
		if (rest == 0 || utf8_blank_end(s, rest) != 0 ||
		    currency_is_sep(s[rest - 1]))
			return 1;
	}
	/* First word. */
	if ((m = currency_marker_at(s, len, out)) != 0 &&
	    currency_header_marker(out)) {
		if (m == len || utf8_blank(s + m, len - m) != 0 ||
		    currency_is_sep(s[m]))
			return 1;
	}
	out[0] = '\0';
	return 0;
}

int
currency_from_header(const char *h, size_t len, char *out)
{
	const char	*p, *close;
	char		 want;
	size_t		 i;

	out[0] = '\0';
	if (h == NULL)
		return 0;
	/* "Cost (€)", "Revenue [EUR]", "Coût (en €)". */
	for (i = 0; i < len; i++) {
		if (h[i] != '(' && h[i] != '[')
			continue;
		want = h[i] == '(' ? ')' : ']';
		p = h + i + 1;
		close = memchr(p, want, len - i - 1);
		if (close == NULL)
			break;
		if (currency_header_words(p, (size_t)(close - p), out))
			return 1;
		i = (size_t)(close - h);
	}
	/* "Spend, GBP", "Kosten in EUR", "USD amount". */
	return currency_header_words(h, len, out);
}
