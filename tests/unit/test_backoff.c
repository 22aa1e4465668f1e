/* Unit tests of the shared exponential backoff (deliveries, pull sources). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "backoff.h"

/* Outbox retries: retry_initial_secs doubling up to retry_max_secs. */
static void
test_delivery_schedule(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(1, 30, 3600), 30);
	assert_int_equal(backoff_delay(2, 30, 3600), 60);
	assert_int_equal(backoff_delay(3, 30, 3600), 120);
	assert_int_equal(backoff_delay(7, 30, 3600), 1920);
	assert_int_equal(backoff_delay(8, 30, 3600), 3600);
	assert_int_equal(backoff_delay(1000, 30, 3600), 3600);
	assert_int_equal(backoff_delay(0, 30, 3600), 30);
	assert_int_equal(backoff_delay(5, 60, 60), 60);
}

/* Doubling never overflows, however many attempts. */
static void
test_no_overflow(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(62, 1, INT64_MAX), INT64_C(1) << 61);
	assert_int_equal(backoff_delay(200, 1, INT64_MAX), INT64_MAX);
	assert_int_equal(backoff_delay(INT64_MAX, 30, 7 * 86400), 7 * 86400);
}

/* The cap wins over the first step; nonsense bounds are clamped to 1. */
static void
test_cap_and_bounds(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(1, 30, 10), 10);
	assert_int_equal(backoff_delay(3, 30, 100), 100);
	assert_int_equal(backoff_delay(1, 0, 100), 1);
	assert_int_equal(backoff_delay(3, -5, 100), 4);
	assert_int_equal(backoff_delay(3, 30, 0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivery_schedule),
		cmocka_unit_test(test_no_overflow),
		cmocka_unit_test(test_cap_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
