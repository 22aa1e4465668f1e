/*
 * Tests of currency.c: the ISO 4217 table, which markers are compatible with
 * which client currency, and finding markers around amounts and in headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "currency.h"

#define NNBSP	"\xe2\x80\xaf"
#define NBSP	"\xc2\xa0"
#define EURO	"\xe2\x82\xac"
#define POUND	"\xc2\xa3"
#define YEN	"\xc2\xa5"

static void
test_lookup(void **state)
{
	static const struct {
		const char	*code;
		int		 minor;
		enum currency_kind kind;
	} t[] = {
		{ "EUR", 2, CURRENCY_MONEY },
		{ "USD", 2, CURRENCY_MONEY },
		{ "GBP", 2, CURRENCY_MONEY },
		{ "CHF", 2, CURRENCY_MONEY },
		{ "JPY", 0, CURRENCY_MONEY },
		{ "KRW", 0, CURRENCY_MONEY },
		{ "ISK", 0, CURRENCY_MONEY },
		{ "VND", 0, CURRENCY_MONEY },
		{ "CLP", 0, CURRENCY_MONEY },
		{ "XOF", 0, CURRENCY_MONEY },
		{ "XAF", 0, CURRENCY_MONEY },
		{ "XPF", 0, CURRENCY_MONEY },
		{ "BHD", 3, CURRENCY_MONEY },
		{ "KWD", 3, CURRENCY_MONEY },
		{ "IQD", 3, CURRENCY_MONEY },
		{ "TND", 3, CURRENCY_MONEY },
		{ "OMR", 3, CURRENCY_MONEY },
		{ "XCD", 2, CURRENCY_MONEY },
		{ "XCG", 2, CURRENCY_MONEY },
		{ "ZWG", 2, CURRENCY_MONEY },
		{ "SLE", 2, CURRENCY_MONEY },
		{ "VED", 2, CURRENCY_MONEY },
		{ "CLF", 4, CURRENCY_FUND },
		{ "UYW", 4, CURRENCY_FUND },
		{ "UYI", 0, CURRENCY_FUND },
		{ "USN", 2, CURRENCY_FUND },
		{ "XAU", -1, CURRENCY_METAL },
		{ "XPT", -1, CURRENCY_METAL },
		{ "XDR", -1, CURRENCY_UNIT },
		{ "XTS", -1, CURRENCY_UNIT },
		{ "XXX", -1, CURRENCY_UNIT },
	};
	static const char *unknown[] = {
		"EUX", "eur", "Eur", "EURO", "EU", "", "HRK", "MRO", "VEF",
		"DEM", "FRF", "ABC", "AAA", "ZZZ", "RMB", "BTC",
	};
	const struct currency *c;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		c = currency_lookup(t[i].code);
		if (c == NULL)
			fail_msg("%s not found", t[i].code);
		assert_string_equal(c->code, t[i].code);
		if (c->minor_units != t[i].minor || c->kind != t[i].kind)
			fail_msg("%s: minor units %d kind %d, expected %d %d",
			    t[i].code, c->minor_units, (int)c->kind,
			    t[i].minor, (int)t[i].kind);
	}
	for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		if (currency_lookup(unknown[i]) != NULL)
			fail_msg("\"%s\" found", unknown[i]);
	}
	assert_null(currency_lookup(NULL));
}

/*
 * Every code of three capitals is tried: the table must be sorted for
 * bsearch (an entry out of order would be missed and this count fall short),
 * and hold List One: 160 currencies, 9 funds, 4 metals, 9 special units.
 * Every symbol of the table must be a marker of its own currency.
 */
static void
test_table_whole(void **state)
{
	const struct currency *c;
	char	 code[4], out[CURRENCY_MARKER_MAX];
	int	 count[4] = { 0, 0, 0, 0 };
	size_t	 n;

	(void)state;
	code[3] = '\0';
	for (code[0] = 'A'; code[0] <= 'Z'; code[0]++)
	for (code[1] = 'A'; code[1] <= 'Z'; code[1]++)
	for (code[2] = 'A'; code[2] <= 'Z'; code[2]++) {
		if ((c = currency_lookup(code)) == NULL)
			continue;
		assert_string_equal(c->code, code);
		assert_true(c->kind <= CURRENCY_UNIT);
		count[c->kind]++;
		if (c->kind == CURRENCY_MONEY || c->kind == CURRENCY_FUND)
			assert_true(c->minor_units >= 0 &&
			    c->minor_units <= 4);
		else
			assert_int_equal(c->minor_units, -1);
		if (c->display)
			assert_non_null(c->symbol);
		if (c->symbol == NULL)
			continue;
		if (!currency_marker_matches(code, c->symbol))
			fail_msg("%s: own symbol %s does not match", code,
			    c->symbol);
		n = currency_marker_start(c->symbol, strlen(c->symbol), out);
		if (n != strlen(c->symbol) || strcmp(out, c->symbol) != 0)
			fail_msg("%s: symbol %s not found as a marker", code,
			    c->symbol);
	}
	assert_int_equal(count[CURRENCY_MONEY], 160);
	assert_int_equal(count[CURRENCY_FUND], 9);
	assert_int_equal(count[CURRENCY_METAL], 4);
	assert_int_equal(count[CURRENCY_UNIT], 9);
}

static void
test_marker_matches(void **state)
{
	static const struct {
		const char	*code;
		const char	*marker;
		int		 want;
	} t[] = {
		{ "USD", "$", 1 },
		{ "CAD", "$", 1 },
		{ "AUD", "$", 1 },
		{ "MXN", "$", 1 },
		{ "HKD", "$", 1 },
		{ "EUR", "$", 0 },
		{ "GBP", "$", 0 },
		{ "BRL", "$", 0 },
		{ "BRL", "R$", 1 },
		{ "USD", "R$", 0 },
		{ "USD", "US$", 1 },
		{ "CAD", "US$", 0 },
		{ "CAD", "C$", 1 },
		{ "NIO", "C$", 1 },
		{ "USD", "C$", 0 },
		{ "GBP", POUND, 1 },
		{ "EUR", POUND, 0 },
		{ "EGP", POUND, 0 },
		{ "EGP", "E" POUND, 1 },
		{ "EUR", EURO, 1 },
		{ "USD", EURO, 0 },
		{ "JPY", YEN, 1 },
		{ "CNY", YEN, 1 },
		{ "KRW", YEN, 0 },
		{ "JPY", "CN" YEN, 0 },
		{ "INR", "\xe2\x82\xb9", 1 },
		{ "PKR", "\xe2\x82\xb9", 0 },
		{ "KRW", "\xe2\x82\xa9", 1 },
		{ "SEK", "kr", 1 },
		{ "NOK", "kr", 1 },
		{ "DKK", "kr.", 1 },
		{ "ISK", "kr", 1 },
		{ "EUR", "kr", 0 },
		{ "PLN", "z\xc5\x82", 1 },
		{ "CZK", "z\xc5\x82", 0 },
		{ "CHF", "CHF", 1 },
		{ "EUR", "EUR", 1 },
		{ "EUR", "USD", 0 },
		{ "USD", "USD", 1 },
		{ "USD", "usd", 0 },		/* codes are upper case only */
		{ "EUR", "EUX", 0 },
		{ "EUR", "ABC", 0 },
		{ "EUR", "", 0 },
		{ "EUR", "\xe2\x82", 0 },		/* a piece of "€" */
		{ "XAU", "XAU", 1 },
		{ "CNY", "RMB", 1 },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (currency_marker_matches(t[i].code, t[i].marker) !=
		    t[i].want)
			fail_msg("%s vs \"%s\": expected %d", t[i].code,
			    t[i].marker, t[i].want);
	}
	assert_int_equal(currency_marker_matches(NULL, "$"), 0);
	assert_int_equal(currency_marker_matches("USD", NULL), 0);
}

struct marker_case {
	const char	*s;
	size_t		 start;		/* length at the start, blanks included */
	size_t		 end;		/* length at the end */
	const char	*marker;	/* found at either end, "" if none */
};

static void
test_markers(void **state)
{
	static const struct marker_case t[] = {
		{ "$120.00", 1, 0, "$" },
		{ "120.00 USD", 0, 4, "USD" },
		{ "120.00USD", 0, 3, "USD" },
		{ POUND "120.00", 2, 0, POUND },
		{ "120,00 " EURO, 0, 4, EURO },
		{ "120,00" NBSP EURO, 0, 5, EURO },
		{ "120,00" NNBSP EURO, 0, 6, EURO },
		{ EURO " 1.234,50", 4, 0, EURO },
		{ "EUR 5", 4, 0, "EUR" },
		{ "EUR5", 3, 0, "EUR" },
		{ "  EUR  5", 7, 0, "EUR" },
		{ "5 EUR  ", 0, 6, "EUR" },
		{ "-$5", 0, 0, "" },		/* the sign is the caller's */
		{ "US$120", 3, 0, "US$" },
		{ "120 US$", 0, 4, "US$" },
		{ "R$ 10,00", 3, 0, "R$" },
		{ "10,00 R$", 0, 3, "R$" },
		{ "CA$10", 3, 0, "CA$" },
		{ YEN "12,345", 2, 0, YEN },
		{ "12 345 kr", 0, 3, "kr" },
		{ "12 345 kr.", 0, 4, "kr." },
		{ "1 234,50 z\xc5\x82", 0, 4, "z\xc5\x82" },
		{ "R 1 234,56", 2, 0, "R" },
		{ "CHF 12.50", 4, 0, "CHF" },
		{ "12.50 CHF", 0, 4, "CHF" },
		{ "\xe2\x82\xb9" "500", 3, 0, "\xe2\x82\xb9" },
		{ "Rs. 500", 4, 0, "Rs." },
		{ "E" POUND "5", 3, 0, "E" POUND },
		/* Not markers. */
		{ "NA", 0, 0, "" },
		{ "ABC 12", 0, 0, "" },
		{ "12 ABC", 0, 0, "" },
		{ "usd 12", 0, 0, "" },
		{ "12 eur", 0, 0, "" },
		{ "USDT 5", 0, 0, "" },
		{ "5 XEUR", 0, 0, "" },
		{ "12", 0, 0, "" },
		{ "", 0, 0, "" },
		{ "   ", 0, 0, "" },
		{ EURO "uro", 0, 0, "" },
		{ "5 krone", 0, 0, "" },
		{ "5 Euro", 0, 0, "" },
		{ "Rand 5", 0, 0, "" },
		{ "5 XY$", 0, 0, "" },
		{ "$US 5", 0, 0, "" },
		/* "zł" is a word: a Cyrillic letter after it is no boundary. */
		{ "z\xc5\x82\xd0\xb0 5", 0, 0, "" },
	};
	char	 out[CURRENCY_MARKER_MAX];
	size_t	 i, n;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(out, 'x', sizeof out);
		n = currency_marker_start(t[i].s, strlen(t[i].s), out);
		if (n != t[i].start)
			fail_msg("start of \"%s\": %zu, expected %zu", t[i].s,
			    n, t[i].start);
		if (n != 0)
			assert_string_equal(out, t[i].marker);
		else
			assert_string_equal(out, "");
		memset(out, 'x', sizeof out);
		n = currency_marker_end(t[i].s, strlen(t[i].s), out);
		if (n != t[i].end)
			fail_msg("end of \"%s\": %zu, expected %zu", t[i].s,
			    n, t[i].end);
		if (n != 0)
			assert_string_equal(out, t[i].marker);
		else
			assert_string_equal(out, "");
	}
}

/* Only len bytes are read, and a NULL string has no marker. */
static void
test_markers_len(void **state)
{
	char	 out[CURRENCY_MARKER_MAX];

	(void)state;
	assert_int_equal(currency_marker_start("EUR5", 2, out), 0);
	assert_int_equal(currency_marker_end("5 EURO", 5, out), 4);
	assert_string_equal(out, "EUR");
	assert_int_equal(currency_marker_start(EURO, 2, out), 0);
	assert_int_equal(currency_marker_start(NULL, 0, out), 0);
	assert_int_equal(currency_marker_end(NULL, 0, out), 0);
	assert_int_equal(currency_from_header(NULL, 0, out), 0);
}

static void
test_from_header(void **state)
{
	static const struct {
		const char	*h;
		const char	*marker;	/* NULL: none */
	} t[] = {
		{ "Amount spent (USD)", "USD" },
		{ "Cost (" EURO ")", EURO },
		{ "Co\xc3\xbbt (" EURO ")", EURO },
		{ "Revenue [EUR]", "EUR" },
		{ "Spend, GBP", "GBP" },
		{ "Kosten in EUR", "EUR" },
		{ "USD amount", "USD" },
		{ "Cost ( " POUND " )", POUND },
		{ "Cost (in USD)", "USD" },
		{ "Co\xc3\xbbt (en " EURO ")", EURO },
		{ "Revenue (EUR, incl. VAT)", "EUR" },
		{ "Spend_CHF", "CHF" },
		{ "Cost - JPY", "JPY" },
		{ "Revenue (" YEN ")", YEN },
		{ "Cost (US$)", "US$" },
		{ "Purchases conversion value (CAD) [7d]", "CAD" },
		/* None. */
		{ "Cost", NULL },
		{ "Revenue", NULL },
		{ "Amount spent", NULL },
		{ "Cost per click (CPC)", NULL },
		{ "ROAS (ratio)", NULL },
		{ "Spend (ABC)", NULL },
		{ "Spend (usd)", NULL },
		{ "CostEUR", NULL },
		{ "Cost (EUROS)", NULL },
		{ "Value (XXX)", NULL },		/* not a currency */
		{ "Gold (XAU)", NULL },
		{ "EURO revenue", NULL },
		{ "Cost (", NULL },
		{ "", NULL },
	};
	char	 out[CURRENCY_MARKER_MAX];
	size_t	 i;
	int	 got;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = currency_from_header(t[i].h, strlen(t[i].h), out);
		if (t[i].marker == NULL) {
			if (got != 0)
				fail_msg("\"%s\": found \"%s\"", t[i].h, out);
			assert_string_equal(out, "");
			continue;
		}
		if (got != 1)
			fail_msg("\"%s\": no currency found", t[i].h);
		assert_string_equal(out, t[i].marker);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_table_whole),
		cmocka_unit_test(test_marker_matches),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_markers_len),
		cmocka_unit_test(test_from_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
