/*
 * Unit tests of the shared exponential backoff (deliveries, pull sources), its
 * jitter and the reading of Retry-After.
 */
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

/* Full jitter: every value of [floor, delay] is reachable, nothing outside. */
static void
test_jitter(void **state)
{
	uint64_t	r;
	int		seen[9] = { 0 }, i;
	int64_t		v;

	(void)state;
	for (r = 0; r < 1000; r++) {
		v = backoff_jitter(8, 1, r * 2654435761u);
		assert_true(v >= 1 && v <= 8);
		seen[v]++;
	}
	for (i = 1; i <= 8; i++)
		assert_true(seen[i] > 0);
	assert_int_equal(backoff_jitter(8, 1, 0), 1);
	assert_int_equal(backoff_jitter(8, 1, 7), 8);
	assert_int_equal(backoff_jitter(8, 1, 8), 1);
	assert_int_equal(backoff_jitter(3600, 30, UINT64_MAX),
	    30 + (int64_t)(UINT64_MAX % 3571));
	/* The floor: the first step stays as it was, never 0 s. */
	assert_int_equal(backoff_jitter(30, 30, 12345), 30);
	assert_int_equal(backoff_jitter(5, 0, 5), 1);
	assert_int_equal(backoff_jitter(0, 0, 99), 1);
	assert_int_equal(backoff_jitter(10, 50, 3), 10);	/* floor <= delay */
	assert_int_equal(backoff_jitter(INT64_MAX, 1, UINT64_MAX),
	    1 + (int64_t)(UINT64_MAX % (uint64_t)INT64_MAX));
}

/* 1994-11-06 08:49:37 UTC, RFC 9110's example. */
#define EXAMPLE	INT64_C(784111777)

static int64_t
retry_after(const char *v, int64_t now)
{
	int64_t	secs = -42;

	if (backoff_retry_after(v, now, &secs) != 0)
		return -1;
	assert_true(secs >= 0 && secs <= BACKOFF_RETRY_AFTER_MAX);
	return secs;
}

static void
test_retry_after_seconds(void **state)
{
	(void)state;
	assert_int_equal(retry_after("2", EXAMPLE), 2);
	assert_int_equal(retry_after("0", EXAMPLE), 0);
	assert_int_equal(retry_after(" 120\t", EXAMPLE), 120);
	assert_int_equal(retry_after("3600", EXAMPLE), 3600);
	assert_int_equal(retry_after("3601", EXAMPLE), BACKOFF_RETRY_AFTER_MAX);
	assert_int_equal(retry_after("99999999999999999999999999", EXAMPLE),
	    BACKOFF_RETRY_AFTER_MAX);
	assert_int_equal(retry_after("", EXAMPLE), -1);
	assert_int_equal(retry_after("  ", EXAMPLE), -1);
	assert_int_equal(retry_after("-5", EXAMPLE), -1);
	assert_int_equal(retry_after("+5", EXAMPLE), -1);
	assert_int_equal(retry_after("1.5", EXAMPLE), -1);
	assert_int_equal(retry_after("5s", EXAMPLE), -1);
	assert_int_equal(retry_after("5 6", EXAMPLE), -1);
}

static void
test_retry_after_dates(void **state)
{
	(void)state;
	/* The three forms of the same instant, seen 2 s before it. */
	assert_int_equal(retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
	    EXAMPLE - 2), 2);
	assert_int_equal(retry_after("Sunday, 06-Nov-94 08:49:37 GMT",
	    EXAMPLE - 2), 2);
	assert_int_equal(retry_after("Sun Nov  6 08:49:37 1994", EXAMPLE - 2),
	    2);
	assert_int_equal(retry_after(" Sun, 06 Nov 1994 08:49:37 GMT ",
	    EXAMPLE - 2), 2);
	/* Past or now: retry at once (the caller's floor still applies). */
	assert_int_equal(retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
	    EXAMPLE), 0);
	assert_int_equal(retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
	    EXAMPLE + 86400), 0);
	/* Far ahead: capped. */
	assert_int_equal(retry_after("Wed, 02 Dec 2026 10:00:00 GMT",
	    EXAMPLE), BACKOFF_RETRY_AFTER_MAX);
	assert_int_equal(retry_after("Wed, 02 Dec 2026 10:00:00 GMT",
	    INT64_C(1796205600) - 90), 90);
	/* Leap day, end of a century, an asctime day of two digits. */
	assert_int_equal(retry_after("Thu, 29 Feb 2024 00:00:00 GMT",
	    INT64_C(1709164800) - 1), 1);
	assert_int_equal(retry_after("Wed, 01 Mar 2000 00:00:00 GMT",
	    INT64_C(951868800) - 10), 10);
	assert_int_equal(retry_after("Wed Dec  2 10:00:00 2026",
	    INT64_C(1796205600) - 7), 7);
	assert_int_equal(retry_after("Wed Dec 02 10:00:00 2026",
	    INT64_C(1796205600) - 7), 7);
	/* RFC 850 years: more than 50 years ahead is the century before. */
	assert_int_equal(retry_after("Wednesday, 02-Dec-26 10:00:00 GMT",
	    INT64_C(1796205600) - 60), 60);
	assert_int_equal(retry_after("Sunday, 06-Nov-94 08:49:37 GMT",
	    INT64_C(1796205600)), 0);
}

static void
test_retry_after_bad(void **state)
{
	static const char *bad[] = {
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Nov 1994 08:49:37",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 November 1994 08:49:37 GMT",
		"sun, 06 nov 1994 08:49:37 gmt",
		"Sun, 31 Nov 1994 08:49:37 GMT",
		"Sun, 29 Feb 1900 08:49:37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:00 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT junk",
		"Sun, 06 Nov 94 08:49:37 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994",
		"Sun Nov  6 08:49:37 1994 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT\r\nX-Injected: 1",
		"1994-11-06T08:49:37Z",
		"soon",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (retry_after(bad[i], EXAMPLE) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

/*
 * The wait of a delivery: Retry-After when given (capped, not under the
 * first step), else the jittered backoff of the attempt.
 */
static void
test_retry_delay(void **state)
{
	uint64_t	r;
	int64_t		v;

	(void)state;
	assert_int_equal(backoff_retry_delay(1, 1, 2, 4, 0), 4);
	assert_int_equal(backoff_retry_delay(9, 1, 2, 4, 0), 4);
	assert_int_equal(backoff_retry_delay(1, 30, 3600, 2, 0), 30);
	assert_int_equal(backoff_retry_delay(1, 30, 3600, 0, 0), 30);
	assert_int_equal(backoff_retry_delay(1, 30, 3600, 7200, 0),
	    BACKOFF_RETRY_AFTER_MAX);
	assert_int_equal(backoff_retry_delay(1, 30, 60, 600, 0), 600);
	/* No Retry-After: the first step exactly, then jittered. */
	assert_int_equal(backoff_retry_delay(1, 30, 3600, -1, 987654321), 30);
	for (r = 0; r < 500; r++) {
		v = backoff_retry_delay(4, 30, 3600, -1, r * 11400714819323198485u);
		assert_true(v >= 30 && v <= 240);
	}
	assert_int_equal(backoff_retry_delay(4, 30, 3600, -1, 0), 30);
	assert_int_equal(backoff_retry_delay(4, 30, 3600, -1, 210), 240);
	assert_int_equal(backoff_retry_delay(50, 30, 3600, -1, 3570), 3600);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivery_schedule),
		cmocka_unit_test(test_no_overflow),
		cmocka_unit_test(test_cap_and_bounds),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_dates),
		cmocka_unit_test(test_retry_after_bad),
		cmocka_unit_test(test_retry_delay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
