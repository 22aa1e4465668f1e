/* Unit tests for metric.c: field names and calendar dates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "metric.h"

static void
test_field_names(void **state)
{
	int	 f;

	(void)state;
	assert_string_equal(metric_field_name(MF_CLIENT), "client");
	assert_string_equal(metric_field_name(MF_CONVERSIONS), "conversions");
	for (f = 0; f < MF__MAX; f++)
		assert_int_equal(metric_field_lookup(metric_field_name(f)), f);
	assert_int_equal(metric_field_lookup("revenue"), MF_REVENUE);
	assert_int_equal(metric_field_lookup("Revenue"), -1);
	assert_int_equal(metric_field_lookup(""), -1);
	assert_int_equal(metric_field_lookup(NULL), -1);
	assert_string_equal(metric_field_name(MF__MAX), "unknown");
}

static void
test_days_known(void **state)
{
	int	 y;
	unsigned m, d;

	(void)state;
	assert_int_equal(metric_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(metric_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(metric_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(metric_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(metric_days_from_civil(2038, 1, 19), 24855);
	assert_int_equal(metric_days_from_civil(1, 1, 1), -719162);
	metric_civil_from_days(19782, &y, &m, &d);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	metric_civil_from_days(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
}

/* Every day from 1600 to 2400 round-trips and days are consecutive. */
static void
test_days_roundtrip(void **state)
{
	int32_t	 z, prev;
	int	 y;
	unsigned m, d;

	(void)state;
	prev = metric_days_from_civil(1600, 1, 1) - 1;
	for (z = prev + 1; z < metric_days_from_civil(2400, 12, 31); z++) {
		metric_civil_from_days(z, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		assert_int_equal(metric_days_from_civil(y, m, d), z);
		assert_int_equal(z, prev + 1);
		prev = z;
	}
}

static int32_t
parse_ok(const char *s)
{
	int32_t	 day = 12345;

	assert_int_equal(metric_parse_iso_date(s, strlen(s), &day), 0);
	return day;
}

static void
parse_bad(const char *s)
{
	int32_t	 day = 12345;

	assert_int_equal(metric_parse_iso_date(s, strlen(s), &day), -1);
	assert_int_equal(day, 12345);
}

static void
test_parse_date(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1970-01-01"), 0);
	assert_int_equal(parse_ok("2024-02-29"), 19782);
	assert_int_equal(parse_ok("2000-02-29"), 11016);
	assert_int_equal(parse_ok("2023-12-31"), 19722);
	assert_int_equal(parse_ok("1969-12-31"), -1);

	parse_bad("2023-02-29");	/* not a leap year */
	parse_bad("1900-02-29");	/* century, not leap */
	parse_bad("2024-02-30");
	parse_bad("2024-04-31");
	parse_bad("2024-13-01");
	parse_bad("2024-00-10");
	parse_bad("2024-01-00");
	parse_bad("2024-01-32");
	parse_bad("0000-01-01");
	parse_bad("2024-1-01");
	parse_bad("2024-01-1");
	parse_bad("24-01-01");
	parse_bad("2024/01/01");
	parse_bad("2024-01-01T");
	parse_bad("2024-01-01 ");
	parse_bad(" 2024-01-01");
	parse_bad("2024-0a-01");
	parse_bad("+024-01-01");
	parse_bad("");
}

/* len is honoured: the date may sit inside a larger buffer. */
static void
test_parse_date_len(void **state)
{
	const char *s = "2024-03-15,foo";
	int32_t	 day;

	(void)state;
	assert_int_equal(metric_parse_iso_date(s, 10, &day), 0);
	assert_int_equal(day, metric_days_from_civil(2024, 3, 15));
	assert_int_equal(metric_parse_iso_date(s, 11, &day), -1);
	assert_int_equal(metric_parse_iso_date(s, 9, &day), -1);
}

static void
test_format_date(void **state)
{
	char	 buf[11];
	int32_t	 z;

	(void)state;
	metric_format_date(0, buf);
	assert_string_equal(buf, "1970-01-01");
	metric_format_date(19782, buf);
	assert_string_equal(buf, "2024-02-29");
	metric_format_date(-719162, buf);
	assert_string_equal(buf, "0001-01-01");
	for (z = -1000; z < 30000; z += 7) {
		metric_format_date(z, buf);
		assert_int_equal(strlen(buf), 10);
		assert_int_equal(parse_ok(buf), z);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_days_known),
		cmocka_unit_test(test_days_roundtrip),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_parse_date_len),
		cmocka_unit_test(test_format_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
