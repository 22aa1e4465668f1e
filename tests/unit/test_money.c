/* Unit tests for money.c: exact parsing and per-language formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "money.h"

#define NNBSP	"\xe2\x80\xaf"
#define NBSP	"\xc2\xa0"

static int64_t
ok(const char *s, char dec, char th)
{
	int64_t	 v = -42;
	const char *why = "unset";

	if (money_parse(s, strlen(s), dec, th, &v, &why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	assert_null(why);
	return v;
}

static const char *
bad(const char *s, char dec, char th)
{
	int64_t	 v = -42;
	const char *why = NULL;

	if (money_parse(s, strlen(s), dec, th, &v, &why) == 0)
		fail_msg("\"%s\" accepted as %lld", s, (long long)v);
	assert_non_null(why);
	assert_int_equal(v, -42);
	return why;
}

static void
test_parse_plain(void **state)
{
	(void)state;
	assert_int_equal(ok("0", '.', 0), 0);
	assert_int_equal(ok("25750", '.', 0), 25750000000LL);
	assert_int_equal(ok("25750.00", '.', 0), 25750000000LL);
	assert_int_equal(ok("12.345678", '.', 0), 12345678);
	assert_int_equal(ok("0.000001", '.', 0), 1);
	assert_int_equal(ok(".5", '.', 0), 500000);
	assert_int_equal(ok("-5", '.', 0), -5000000);
	assert_int_equal(ok("+5", '.', 0), 5000000);
	assert_int_equal(ok("-0", '.', 0), 0);
	assert_int_equal(ok("-0.01", '.', 0), -10000);
	assert_int_equal(ok(" 7 ", '.', 0), 7000000);
	assert_int_equal(ok("\t7.5\t", '.', 0), 7500000);
	assert_int_equal(ok(NBSP "8" NNBSP, '.', 0), 8000000);
	assert_int_equal(ok("007", '.', 0), 7000000);
	/* Zeros beyond the sixth decimal lose nothing. */
	assert_int_equal(ok("1.50000000", '.', 0), 1500000);
}

/* 0.1 + 0.2 is exactly 0.3 in micros (unlike binary floats). */
static void
test_parse_exact_sum(void **state)
{
	(void)state;
	assert_int_equal(ok("0.1", '.', 0) + ok("0.2", '.', 0),
	    ok("0.3", '.', 0));
	assert_int_equal(ok("0.3", '.', 0), 300000);
}

static void
test_parse_refused(void **state)
{
	(void)state;
	assert_string_equal(bad("12.3456789", '.', 0), "more than 6 decimals");
	bad("0.0000001", '.', 0);
	bad("", '.', 0);
	bad("   ", '.', 0);
	bad("-", '.', 0);
	bad("+", '.', 0);
	bad(".", '.', 0);
	bad("5.", '.', 0);
	bad("abc", '.', 0);
	bad("12a", '.', 0);
	bad("1e5", '.', 0);
	bad("--5", '.', 0);
	bad("- 5", '.', 0);
	bad("5-", '.', 0);
	bad("1 000", '.', 0);
	bad("1.2.3", '.', 0);
	bad("0x10", '.', 0);
	bad("$5", '.', 0);
	bad("NaN", '.', 0);
	bad("inf", '.', 0);
	bad("1,5", '.', 0);		/* comma is not the separator here */
	bad("1.5", '.', '.');		/* separators must differ */
	bad("1.5", 'x', 0);
}

static void
test_parse_embedded_nul_len(void **state)
{
	int64_t	 v;
	const char *why;

	(void)state;
	/* Only len bytes are read. */
	assert_int_equal(money_parse("12.5xyz", 4, '.', 0, &v, &why), 0);
	assert_int_equal(v, 12500000);
	assert_int_equal(money_parse("12\0" "5", 4, '.', 0, &v, &why), -1);
	assert_int_equal(money_parse(NULL, 0, '.', 0, &v, &why), -1);
}

static void
test_parse_overflow(void **state)
{
	(void)state;
	/* INT64_MAX micros is 9223372036854.775807 units. */
	assert_int_equal(ok("9223372036854.775807", '.', 0), INT64_MAX);
	assert_int_equal(ok("-9223372036854.775807", '.', 0), -INT64_MAX);
	assert_string_equal(bad("9223372036854.775808", '.', 0),
	    "amount too large");
	bad("9223372036855", '.', 0);
	bad("99999999999999999999999999", '.', 0);
	bad("18446744073709551616", '.', 0);
	bad("-9223372036855", '.', 0);
}

static void
test_parse_grouping(void **state)
{
	(void)state;
	assert_int_equal(ok("1,234,567.89", '.', ','), 1234567890000LL);
	assert_int_equal(ok("1,234", '.', ','), 1234000000LL);
	assert_int_equal(ok("123", '.', ','), 123000000LL);
	assert_int_equal(ok("-12,345.5", '.', ','), -12345500000LL);
	assert_int_equal(ok("1234567.89", '.', ','), 1234567890000LL);
	/* Without a thousands separator, grouping is refused. */
	bad("1,234,567.89", '.', 0);
	/* Irregular groups. */
	assert_string_equal(bad("1,23", '.', ','), "bad digit grouping");
	bad("1,2345", '.', ',');
	bad("1234,567", '.', ',');
	bad(",123", '.', ',');
	bad("1,,234", '.', ',');
	bad("1,234,", '.', ',');
	bad("1,234.5,6", '.', ',');
	/* Decimal comma, dot grouping. */
	assert_int_equal(ok("1.234,56", ',', '.'), 1234560000LL);
	assert_int_equal(ok("1234,56", ',', '.'), 1234560000LL);
	assert_int_equal(ok("0,1", ',', 0), 100000);
	bad("1.234,56", '.', ',');
	bad("1.234,56", ',', 0);
	/* Space and apostrophe grouping, including our own French output. */
	assert_int_equal(ok("25 750,00", ',', ' '), 25750000000LL);
	assert_int_equal(ok("25" NNBSP "750,00", ',', ' '), 25750000000LL);
	assert_int_equal(ok("1" NBSP "000" NBSP "000", ',', ' '),
	    1000000000000LL);
	assert_int_equal(ok("1'234.5", '.', '\''), 1234500000LL);
	bad("25" NNBSP "750,00", ',', '.');
}

static const char *
fmt(int64_t v, const char *lang)
{
	static char buf[64];

	return money_format(v, lang, buf, sizeof buf);
}

static void
test_format(void **state)
{
	(void)state;
	assert_string_equal(fmt(25750000000LL, "en"), "25,750.00");
	assert_string_equal(fmt(25750000000LL, "fr"), "25" NNBSP "750,00");
	assert_string_equal(fmt(25750000000LL, "fr_FR"), "25" NNBSP "750,00");
	assert_string_equal(fmt(25750000000LL, NULL), "25,750.00");
	assert_string_equal(fmt(25750000000LL, "fri"), "25,750.00");
	assert_string_equal(fmt(0, "en"), "0.00");
	assert_string_equal(fmt(999000000, "en"), "999.00");
	assert_string_equal(fmt(1000000000, "en"), "1,000.00");
	assert_string_equal(fmt(1234567890000LL, "en"), "1,234,567.89");
	assert_string_equal(fmt(-1234567890000LL, "en"), "-1,234,567.89");
	assert_string_equal(fmt(-1234567890000LL, "fr"),
	    "-1" NNBSP "234" NNBSP "567,89");
	assert_string_equal(fmt(INT64_MAX, "en"), "9,223,372,036,854.78");
	assert_string_equal(fmt(INT64_MIN, "en"), "-9,223,372,036,854.78");
}

/* Half away from zero, on both sides of zero. */
static void
test_format_rounding(void **state)
{
	(void)state;
	assert_string_equal(fmt(1005000, "en"), "1.01");
	assert_string_equal(fmt(1004999, "en"), "1.00");
	assert_string_equal(fmt(1015000, "en"), "1.02");
	assert_string_equal(fmt(-1005000, "en"), "-1.01");
	assert_string_equal(fmt(-1004999, "en"), "-1.00");
	assert_string_equal(fmt(999995000, "en"), "1,000.00");
	assert_string_equal(fmt(5000, "en"), "0.01");
	assert_string_equal(fmt(4999, "en"), "0.00");
	assert_string_equal(fmt(-4999, "en"), "0.00");	/* no "-0.00" */
	assert_string_equal(fmt(-5000, "en"), "-0.01");
}

static void
test_format_truncates(void **state)
{
	char	 buf[6];

	(void)state;
	assert_string_equal(money_format(25750000000LL, "en", buf, sizeof buf),
	    "25,75");
	assert_ptr_equal(money_format(1, "en", buf, 0), buf);
}

static const char *
cur(int64_t v, const char *c, const char *lang)
{
	static char buf[64];

	return money_format_currency(v, c, lang, buf, sizeof buf);
}

static void
test_format_currency(void **state)
{
	(void)state;
	assert_string_equal(cur(25750000000LL, "EUR", "en"),
	    "\xe2\x82\xac" "25,750.00");
	assert_string_equal(cur(25750000000LL, "USD", "en"), "$25,750.00");
	assert_string_equal(cur(25750000000LL, "GBP", "en"),
	    "\xc2\xa3" "25,750.00");
	assert_string_equal(cur(25750000000LL, "eur", "en"),
	    "\xe2\x82\xac" "25,750.00");
	assert_string_equal(cur(25750000000LL, "CHF", "en"), "25,750.00 CHF");
	assert_string_equal(cur(25750000000LL, "EUR", "fr"),
	    "25" NNBSP "750,00" NBSP "\xe2\x82\xac");
	assert_string_equal(cur(25750000000LL, "CHF", "fr"),
	    "25" NNBSP "750,00" NBSP "CHF");
	assert_string_equal(cur(-1500000, "EUR", "en"),
	    "-\xe2\x82\xac" "1.50");
	assert_string_equal(cur(-1500000, "EUR", "fr"),
	    "-1,50" NBSP "\xe2\x82\xac");
	assert_string_equal(cur(-1500000, "sek", "en"), "-1.50 SEK");
	assert_string_equal(cur(1500000, NULL, "en"), "1.50");
	assert_string_equal(cur(-1500000, "", "fr"), "-1,50");
}

/* Each currency's own minor units, in both languages. */
static void
test_format_minor_units(void **state)
{
	static const struct {
		int64_t		 v;
		const char	*cur;
		const char	*lang;
		const char	*want;
	} t[] = {
		{ 12345000000LL, "JPY", "en", "\xc2\xa5" "12,345" },
		{ 12345000000LL, "JPY", "fr", "12" NNBSP "345" NBSP "\xc2\xa5" },
		{ 12345500000LL, "JPY", "en", "\xc2\xa5" "12,346" },
		{ 12345499999LL, "JPY", "en", "\xc2\xa5" "12,345" },
		{ -12345500000LL, "JPY", "en", "-\xc2\xa5" "12,346" },
		{ -400000, "JPY", "en", "\xc2\xa5" "0" },	/* no "-¥0" */
		{ -500000, "JPY", "fr", "-1" NBSP "\xc2\xa5" },
		{ 1250000, "KRW", "en", "\xe2\x82\xa9" "1" },
		{ 1234567890000LL, "EUR", "en", "\xe2\x82\xac" "1,234,567.89" },
		{ 1234567890000LL, "EUR", "fr",
		    "1" NNBSP "234" NNBSP "567,89" NBSP "\xe2\x82\xac" },
		{ 1234567890000LL, "BHD", "en", "1,234,567.890 BHD" },
		{ 1234567890000LL, "BHD", "fr",
		    "1" NNBSP "234" NNBSP "567,890" NBSP "BHD" },
		{ 1234500, "BHD", "en", "1.235 BHD" },		/* half away */
		{ -1234500, "BHD", "en", "-1.235 BHD" },
		{ 1234499, "KWD", "en", "1.234 KWD" },
		{ 1234567890000LL, "USD", "en", "$1,234,567.89" },
		{ 1234567890000LL, "USD", "fr",
		    "1" NNBSP "234" NNBSP "567,89" NBSP "$" },
		{ -1005000, "USD", "en", "-$1.01" },
		{ 1234567, "CLF", "en", "1.2346 CLF" },
		{ 12345000000LL, "CHF", "en", "12,345.00 CHF" },
		{ 12345000000LL, "SEK", "fr", "12" NNBSP "345,00" NBSP "SEK" },
		{ 1500000, "ISK", "en", "2 ISK" },
		{ 1500000, "XOF", "fr", "2" NBSP "XOF" },
		{ 1500000, "jpy", "en", "\xc2\xa5" "2" },
		{ 1234567, "XAU", "en", "1.23 XAU" },		/* N.A.: 2 */
		{ 1234567, "EUX", "en", "1.23 EUX" },		/* unknown: 2 */
		{ 1234567, "BRL", "en", "R$1.23" },
		{ INT64_MAX, "JPY", "en", "\xc2\xa5" "9,223,372,036,855" },
		{ INT64_MIN, "BHD", "en", "-9,223,372,036,854.776 BHD" },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *got = cur(t[i].v, t[i].cur, t[i].lang);

		if (strcmp(got, t[i].want) != 0)
			fail_msg("%lld %s %s: \"%s\", expected \"%s\"",
			    (long long)t[i].v, t[i].cur, t[i].lang, got,
			    t[i].want);
	}
}

static int64_t
rnd(const char *s, char dec, char th)
{
	int64_t	 v = -42;
	const char *why = "unset";

	if (money_parse_round(s, strlen(s), dec, th, MONEY_ROUND_HALF_EVEN, &v,
	    &why) != 0)
		fail_msg("\"%s\" refused when rounding: %s", s, why);
	assert_null(why);
	return v;
}

static const char *
rnd_bad(const char *s, char dec, char th)
{
	int64_t	 v = -42;
	const char *why = NULL;

	if (money_parse_round(s, strlen(s), dec, th, MONEY_ROUND_HALF_EVEN, &v,
	    &why) == 0)
		fail_msg("\"%s\" accepted when rounding, as %lld", s,
		    (long long)v);
	assert_non_null(why);
	assert_int_equal(v, -42);
	return why;
}

/* Half to even on the digits beyond micros, symmetric around zero. */
static void
test_parse_round(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 want;
	} t[] = {
		{ "1.429999948", 1430000 },
		{ "2754371.66666667", 2754371666667LL },
		{ "0.0000005", 0 },		/* tie, 0 is even */
		{ "0.0000015", 2 },		/* tie, 1 is odd */
		{ "0.0000025", 2 },
		{ "0.0000035", 4 },
		{ "0.00000050000000001", 1 },	/* above the tie */
		{ "0.00000049999999999", 0 },
		{ "0.0000014", 1 },
		{ "0.0000016", 2 },
		{ "-0.0000005", 0 },
		{ "-0.0000015", -2 },
		{ "-0.0000016", -2 },
		{ "-2.5000005", -2500000 },	/* tie, ...0 is even */
		{ "-2.5000015", -2500002 },
		{ "-2.50000051", -2500001 },
		{ "0.9999995", 1000000 },	/* tie, ...9 odd: carry */
		{ "9.9999999999", 10000000 },
		{ "12.345678", 12345678 },	/* 6 decimals: as is */
		{ "12", 12000000 },
		{ "1,234.5678905", 1234567890 },	/* grouped, tie to even */
		{ "9223372036854.7758065", INT64_MAX - 1 },
		{ "9223372036854.7758069", INT64_MAX },
		{ "-9223372036854.7758069", -INT64_MAX },
		{ "1.2E+05", 120000000000LL },	/* Excel */
		{ "1.2e5", 120000000000LL },
		{ "-3e2", -300000000 },
		{ "1e-05", 10 },		/* Python's repr of 0.00001 */
		{ "1.5e-7", 0 },
		{ "2.5e-6", 2 },		/* 0.0000025: tie to even */
		{ "3.5e-6", 4 },
		{ "1.429999948E0", 1430000 },
		{ "12345678901234567890e-10", 1234567890123457LL },
		{ "  7.12345675  ", 7123457 },	/* above the tie */
	};
	size_t	 i;
	int64_t	 got;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = rnd(t[i].s, '.', ',');
		if (got != t[i].want)
			fail_msg("\"%s\": %lld, expected %lld", t[i].s,
			    (long long)got, (long long)t[i].want);
	}
	assert_int_equal(rnd("1,429999948", ',', '.'), 1430000);
	assert_int_equal(rnd("1.234,5678905", ',', '.'), 1234567890);
	assert_int_equal(rnd("1,2E+05", ',', 0), 120000000000LL);
}

static void
test_parse_round_refused(void **state)
{
	(void)state;
	assert_string_equal(rnd_bad("9223372036854.7758075", '.', 0),
	    "amount too large");		/* ...807 odd, up: overflow */
	assert_string_equal(rnd_bad("1e14", '.', 0), "amount too large");
	assert_string_equal(rnd_bad("1.2E+41", '.', 0),
	    "exponent out of range");
	assert_string_equal(rnd_bad("0.00000000000000000000000000000000000000001",
	    '.', 0), "more than 40 decimals");
	assert_string_equal(rnd_bad("1e", '.', 0), "bad exponent");
	assert_string_equal(rnd_bad("1e+", '.', 0), "bad exponent");
	assert_string_equal(rnd_bad("1e1.5", '.', 0), "bad exponent");
	assert_string_equal(rnd_bad("1e1000", '.', 0), "bad exponent");
	assert_string_equal(rnd_bad("e5", '.', 0),
	    "no digits before the exponent");
	assert_string_equal(rnd_bad("1,234e2", '.', ','), "not a number");
	assert_string_equal(rnd_bad("5.e2", '.', 0),
	    "no digits after the decimal separator");
	assert_int_equal(rnd(".5e2", '.', 0), 50000000);
	rnd_bad("1.2.3e2", '.', 0);
	rnd_bad("--1e2", '.', 0);
	rnd_bad("1e2e3", '.', 0);
	rnd_bad("", '.', 0);
	rnd_bad("abc", '.', 0);
	rnd_bad("1,23", '.', ',');
	rnd_bad("NaN", '.', 0);
	rnd_bad("inf", '.', 0);
	rnd_bad("1.5", 'x', 0);
	/* Rounding never makes a wrong separator right. */
	rnd_bad("1,5", '.', 0);
}

/* MONEY_ROUND_NONE is money_parse(), 7 decimals and exponents refused. */
static void
test_parse_round_none(void **state)
{
	static const char *t[] = {
		"12.3456789", "0.0000001", "1.2E+05", "1e5", "1.429999948",
		"12.345678", "1.50000000", "-5", "1,234.5", "", "abc",
		"9223372036854.775808",
	};
	int64_t	 a, b;
	const char *wa, *wb;
	size_t	 i;
	int	 ra, rb;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		a = b = -42;
		ra = money_parse(t[i], strlen(t[i]), '.', ',', &a, &wa);
		rb = money_parse_round(t[i], strlen(t[i]), '.', ',',
		    MONEY_ROUND_NONE, &b, &wb);
		assert_int_equal(ra, rb);
		assert_int_equal(a, b);
		if (ra != 0)
			assert_string_equal(wa, wb);
	}
	b = -42;
	assert_int_equal(money_parse_round("12.3456789", 10, '.', 0,
	    MONEY_ROUND_NONE, &b, &wb), -1);
	assert_string_equal(wb, "more than 6 decimals");
	assert_int_equal(b, -42);
	assert_int_equal(money_parse_round("12.3456789", 10, '.', 0,
	    MONEY_ROUND_NONE, &b, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_plain),
		cmocka_unit_test(test_parse_exact_sum),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_parse_embedded_nul_len),
		cmocka_unit_test(test_parse_overflow),
		cmocka_unit_test(test_parse_grouping),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_rounding),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_format_currency),
		cmocka_unit_test(test_format_minor_units),
		cmocka_unit_test(test_parse_round),
		cmocka_unit_test(test_parse_round_refused),
		cmocka_unit_test(test_parse_round_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
