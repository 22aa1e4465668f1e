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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
