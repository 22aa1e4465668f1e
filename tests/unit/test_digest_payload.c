/*
 * A digest through the outbox (digest-payload.c): every field survives the
 * round trip exactly, a notice's payload is not taken for a digest's, and
 * a damaged payload is refused naming the field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "digest-fixture.h"

static void
test_round_trip(void **state)
{
	struct digest	*d = digest_fixture("fr"), *back;
	char		*a, *b, *cause = NULL;

	(void)state;
	d->late = 1;
	d->total.roi.inexact = 1;
	d->campaigns[2].clv.clv.margin_ppm = 420000;
	d->budgets[0].spent = INT64_MAX - 3;	/* beyond 2^53: a string */
	a = digest_to_payload(d);
	assert_true(digest_payload_is(a));
	back = digest_from_payload(a, &cause);
	if (back == NULL)
		fail_msg("%s", cause);
	b = digest_to_payload(back);
	assert_string_equal(a, b);
	assert_int_equal(back->budgets[0].spent, INT64_MAX - 3);
	assert_int_equal(back->ncampaigns, 5);
	assert_string_equal(back->notes[1].text, d->notes[1].text);
	assert_int_equal(back->campaigns[4].state, ALERT_FIRING);
	assert_int_equal(back->campaigns[2].clv.clv.margin_ppm, 420000);
	assert_int_equal(back->days[29].spend, d->days[29].spend);
	assert_int_equal(back->late, 1);
	free(a);
	free(b);
	digest_free(back);
	digest_free(d);
}

static void
test_not_a_digest(void **state)
{
	(void)state;
	assert_false(digest_payload_is("{\"client\":\"acme\",\"events\":[]}"));
	assert_false(digest_payload_is("{\"text\":\"\\\"kind\\\":\\\"digest"
	    "\\\"\"}"));
	assert_false(digest_payload_is("not json \"kind\":\"digest\""));
	assert_false(digest_payload_is(NULL));
}

static void
refused(const char *from, const char *to, const char *want)
{
	struct digest	*d = digest_fixture("en");
	char		*p, *q, *at, *cause = NULL;

	p = digest_to_payload(d);
	digest_free(d);
	if ((at = strstr(p, from)) == NULL)
		fail_msg("%s not in the payload", from);
	xasprintf(&q, "%.*s%s%s", (int)(at - p), p, to, at + strlen(from));
	assert_null(digest_from_payload(q, &cause));
	if (cause == NULL || strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause ? cause : "", want);
	free(cause);
	free(p);
	free(q);
}

static void
test_refused(void **state)
{
	(void)state;
	refused("\"client_id\":\"acme\"", "\"client_id\":7", "digest.client_id");
	refused("\"name\":\"meta-video\"", "\"name\":null",
	    "digest.campaigns[4].name");
	refused("\"from_day\":", "\"from_dai\":", "digest.from_day");
	refused("\"state\":2", "\"state\":-2", "digest.campaigns[4].state");
	refused("\"notes\":[", "\"notes\":7,\"x\":[", "digest.notes");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_not_a_digest),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
