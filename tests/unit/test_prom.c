/*
 * The Prometheus text format pieces: label values escaped (backslash, quote,
 * newline, nothing else), histograms printed cumulative with +Inf, _sum and
 * _count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>

#include "prom.h"

/* The text of b, NUL-terminated, b emptied. */
static char *
take(struct evbuffer *b)
{
	size_t	 n = evbuffer_get_length(b);
	char	*s = malloc(n + 1);

	assert_non_null(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

static void
test_label(void **state)
{
	struct evbuffer *b = evbuffer_new();
	char *s;

	(void)state;
	prom_label(b, "acme");
	s = take(b);
	assert_string_equal(s, "acme");
	free(s);
	prom_label(b, "a\"b\\c\nd\te é");
	s = take(b);
	assert_string_equal(s, "a\\\"b\\\\c\\nd\te é");
	free(s);
	prom_label(b, "\\\\\"\n");
	s = take(b);
	assert_string_equal(s, "\\\\\\\\\\\"\\n");
	free(s);
	prom_label(b, "");
	assert_int_equal(evbuffer_get_length(b), 0);
	evbuffer_free(b);
}

static void
test_histogram(void **state)
{
	static const double bounds[] = { 0.001, 0.01, 0.1 };
	struct evbuffer *b = evbuffer_new();
	struct prom_hist h;
	char *s;

	(void)state;
	prom_hist_init(&h, bounds, 3);
	prom_hist_print(b, "x_seconds", "Help.", &h);
	s = take(b);
	assert_string_equal(s, "# HELP x_seconds Help.\n"
	    "# TYPE x_seconds histogram\n"
	    "x_seconds_bucket{le=\"0.001\"} 0\n"
	    "x_seconds_bucket{le=\"0.01\"} 0\n"
	    "x_seconds_bucket{le=\"0.1\"} 0\n"
	    "x_seconds_bucket{le=\"+Inf\"} 0\n"
	    "x_seconds_sum 0.000000\nx_seconds_count 0\n");
	free(s);
	prom_hist_observe(&h, 0.0005);
	prom_hist_observe(&h, 0.001);	/* le: on the bound counts */
	prom_hist_observe(&h, 0.05);
	prom_hist_observe(&h, 2.0);
	prom_hist_print(b, "x_seconds", "Help.", &h);
	s = take(b);
	assert_string_equal(s, "# HELP x_seconds Help.\n"
	    "# TYPE x_seconds histogram\n"
	    "x_seconds_bucket{le=\"0.001\"} 2\n"
	    "x_seconds_bucket{le=\"0.01\"} 2\n"
	    "x_seconds_bucket{le=\"0.1\"} 3\n"
	    "x_seconds_bucket{le=\"+Inf\"} 4\n"
	    "x_seconds_sum 2.051500\nx_seconds_count 4\n");
	free(s);
	evbuffer_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_histogram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
