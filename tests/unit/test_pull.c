/*
 * Tests of the pure parts of pull sources: the retry backoff, the delay
 * before the next fetch from the stored schedule, and the headers file
 * reader the pull sources' headers_file goes through (config-source.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pull.h"

static void
test_backoff(void **state)
{
	(void)state;
	/* 30 s doubling, capped at the interval. */
	assert_int_equal(pull_backoff(1, 3600), 30);
	assert_int_equal(pull_backoff(2, 3600), 60);
	assert_int_equal(pull_backoff(3, 3600), 120);
	assert_int_equal(pull_backoff(7, 3600), 1920);
	assert_int_equal(pull_backoff(8, 3600), 3600);
	assert_int_equal(pull_backoff(9, 3600), 3600);
	assert_int_equal(pull_backoff(1000000, 3600), 3600);
	assert_int_equal(pull_backoff(INT64_MAX, 7 * 86400), 7 * 86400);
	/* An interval shorter than the first step wins. */
	assert_int_equal(pull_backoff(1, 10), 10);
	assert_int_equal(pull_backoff(3, 100), 100);
	/* No failure: the regular interval. */
	assert_int_equal(pull_backoff(0, 3600), 3600);
	assert_int_equal(pull_backoff(-1, 600), 600);
}

static void
test_delay(void **state)
{
	(void)state;
	/* Never fetched, or overdue: at once. */
	assert_int_equal(pull_delay(0, 1000, 3600), 0);
	assert_int_equal(pull_delay(999, 1000, 3600), 0);
	assert_int_equal(pull_delay(1000, 1000, 3600), 0);
	/* At the stored time. */
	assert_int_equal(pull_delay(1500, 1000, 3600), 500);
	/* A shortened interval applies at once. */
	assert_int_equal(pull_delay(1000 + 7200, 1000, 3600), 3600);
}

static void
headers_fail(const char *text, const char *expect)
{
	char	**list = NULL, *cause = NULL;
	size_t	  n = 99;

	assert_int_equal(config_parse_headers(text, strlen(text), &list, &n,
	    &cause), -1);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_non_null(cause);
	if (strstr(cause, expect) == NULL)
		fail_msg("got \"%s\", expected \"%s\"", cause, expect);
	/* Errors never quote a value. */
	assert_null(strstr(cause, "s3cr3t"));
	free(cause);
}

static void
test_headers(void **state)
{
	const char	*text =
	    "# API access\r\n"
	    "Authorization: Bearer s3cr3t-token\r\n"
	    "\r\n"
	    "X-Api-Key:\ts3cr3t  \n"
	    "Accept-Language: fr";
	char		**list = NULL, *cause = NULL;
	size_t		  n, i;

	(void)state;
	assert_int_equal(config_parse_headers(text, strlen(text), &list, &n,
	    &cause), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], "Authorization: Bearer s3cr3t-token");
	assert_string_equal(list[1], "X-Api-Key: s3cr3t");
	assert_string_equal(list[2], "Accept-Language: fr");
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);

	assert_int_equal(config_parse_headers("", 0, &list, &n, &cause), 0);
	assert_int_equal(n, 0);
	free(list);

	headers_fail("X-Key: s3cr3t\rBcc: x\n", "line 1: the value of X-Key"
	    " holds a control character");
	headers_fail("A: 1\nX-Key: s3cr3t\r\r\n", "line 2: the value of X-Key");
	headers_fail("no colon here\n", "line 1: expected \"Name: value\"");
	headers_fail(": s3cr3t\n", "line 1: expected");
	headers_fail("Bad Name: s3cr3t\n", "line 1: expected");
	headers_fail("X-Key:   \n", "line 1: header X-Key has no value");
	headers_fail("A: 1\n\nif-none-match: \"s3cr3t\"\n",
	    "line 3: if-none-match is set by roiwatch");
	headers_fail("If-Modified-Since: s3cr3t\n", "is set by roiwatch");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
