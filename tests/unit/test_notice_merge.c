/*
 * Notices combined for routing (notice-merge.c): the severity an event is
 * routed by (its rule's whatever the action; the shorthands' for events
 * without a rule), a receiver's share by severity, a grouping wait's merge,
 * and the catch-up fold (latest event per subject and rule, in order, the
 * others counted; a fold of folds adds up), through the JSON payload too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notice.h"
#include "notice-merge.h"

#define NOW	1709632800

static struct notice_event
ev(const char *campaign, const char *rule, int severity,
    enum rule_action action, int64_t cost)
{
	struct notice_event	e;

	memset(&e, 0, sizeof e);
	snprintf(e.campaign, sizeof e.campaign, "%s", campaign);
	snprintf(e.channel, sizeof e.channel, "%s", "facebook");
	e.kind = ALERT_RULE;
	e.action = action;
	e.totals.cost = cost;
	snprintf(e.rule.name, sizeof e.rule.name, "%s", rule);
	e.rule.severity = severity;
	e.rule.scope = RULE_SCOPE_CAMPAIGN;
	e.rule.ncond = 1;	/* a payload's rule has its conditions */
	snprintf(e.rule.cond[0].measure, sizeof e.rule.cond[0].measure, "%s",
	    "roi");
	e.rule.cond[0].defined = 1;
	return (e);
}

static struct notice *
mk(int64_t created)
{
	return (notice_new("acme", "ACME", "EUR", "en", "Europe/Paris",
	    created));
}

static void
add(struct notice *n, struct notice_event e)
{
	notice_add_event(n, &e);
}

static void
test_event_severity(void **state)
{
	struct notice_event	e;

	(void)state;
	e = ev("a", "cpa_high", RULE_SEV_WARNING, RULE_FIRE, 1);
	assert_int_equal(notice_event_severity(&e), RULE_SEV_WARNING);
	/* A resolve, a repeat and a flapping notice carry their rule's. */
	e.action = RULE_RESOLVE;
	assert_int_equal(notice_event_severity(&e), RULE_SEV_WARNING);
	e.action = RULE_FLAPPING;
	assert_int_equal(notice_event_severity(&e), RULE_SEV_WARNING);
	e = ev("a", "roi_low", RULE_SEV_CRITICAL, RULE_RESOLVE, 1);
	e.kind = ALERT_ROI_LOW;
	assert_int_equal(notice_event_severity(&e), RULE_SEV_CRITICAL);
	/* Without a rule (an old payload): the shorthand's. */
	e.rule.name[0] = '\0';
	e.rule.severity = RULE_SEV_INFO;
	assert_int_equal(notice_event_severity(&e), RULE_SEV_CRITICAL);
	e.kind = ALERT_ROI_TARGET;
	assert_int_equal(notice_event_severity(&e), RULE_SEV_GOOD);
	/* Out of range: never dropped by a filter of critical ones. */
	e = ev("a", "x", 17, RULE_FIRE, 1);
	assert_int_equal(notice_event_severity(&e), RULE_SEV_CRITICAL);
}

static void
test_filter(void **state)
{
	struct notice	*n, *c;

	(void)state;
	n = mk(NOW);
	add(n, ev("a", "roi_floor", RULE_SEV_CRITICAL, RULE_FIRE, 1));
	add(n, ev("b", "cpa_high", RULE_SEV_WARNING, RULE_FIRE, 2));
	add(n, ev("c", "ctr_info", RULE_SEV_INFO, RULE_FIRE, 3));
	add(n, ev("d", "roas_good", RULE_SEV_GOOD, RULE_GOOD, 4));
	add(n, ev("e", "roi_floor", RULE_SEV_CRITICAL, RULE_RESOLVE, 5));
	n->nsuperseded = 3;

	c = notice_filter(n, NOTICE_SEV_BIT(RULE_SEV_CRITICAL));
	assert_int_equal(c->nevents, 2);
	assert_string_equal(c->events[0].campaign, "a");
	assert_string_equal(c->events[1].campaign, "e");
	assert_int_equal(c->events[1].action, RULE_RESOLVE);
	assert_string_equal(c->client_id, "acme");
	assert_int_equal(c->created, NOW);
	assert_int_equal(c->nsuperseded, 3);
	notice_free(c);

	c = notice_filter(n, NOTICE_SEV_BIT(RULE_SEV_WARNING) |
	    NOTICE_SEV_BIT(RULE_SEV_GOOD));
	assert_int_equal(c->nevents, 2);
	assert_string_equal(c->events[0].campaign, "b");
	assert_string_equal(c->events[1].campaign, "d");
	notice_free(c);

	c = notice_filter(n, NOTICE_SEV_ALL);
	assert_int_equal(c->nevents, 5);
	notice_free(c);
	c = notice_filter(n, 0);
	assert_int_equal(c->nevents, 0);
	notice_free(c);
	notice_free(n);
}

static void
test_merge(void **state)
{
	struct notice	*a, *b;

	(void)state;
	a = mk(NOW);
	add(a, ev("a", "roi_floor", RULE_SEV_CRITICAL, RULE_FIRE, 1));
	b = mk(NOW + 30);
	add(b, ev("b", "roi_floor", RULE_SEV_CRITICAL, RULE_FIRE, 2));
	add(b, ev("a", "roi_floor", RULE_SEV_CRITICAL, RULE_RESOLVE, 3));
	b->nsuperseded = 2;
	b->nunreadable = 1;
	notice_merge(a, b);
	/* Every event of the burst, in order: a grouping loses nothing. */
	assert_int_equal(a->nevents, 3);
	assert_string_equal(a->events[0].campaign, "a");
	assert_string_equal(a->events[1].campaign, "b");
	assert_int_equal(a->events[2].action, RULE_RESOLVE);
	assert_int_equal(a->created, NOW);
	assert_int_equal(a->nsuperseded, 2);
	assert_int_equal(a->nunreadable, 1);
	notice_free(a);
	notice_free(b);
}

/* Twelve items queued while the daemon was down: three campaigns flip
 * between firing and resolved; one summary keeps the latest of each. */
static void
test_fold(void **state)
{
	struct notice	*ns[12], *sum;
	const char	*camp[3] = { "a", "b", "c" };
	size_t		 i;

	(void)state;
	for (i = 0; i < 12; i++) {
		ns[i] = mk(NOW + (int64_t)i * 60);
		add(ns[i], ev(camp[i % 3], "roi_floor", RULE_SEV_CRITICAL,
		    i % 2 == 0 ? RULE_FIRE : RULE_RESOLVE, (int64_t)i));
	}
	/* Another rule of campaign a, once: kept, not superseded. */
	add(ns[4], ev("a", "cpa_high", RULE_SEV_WARNING, RULE_FIRE, 100));
	sum = notice_fold(ns, 12);
	assert_non_null(sum);
	assert_int_equal(sum->nevents, 4);
	assert_int_equal(sum->nsuperseded, 9);
	/* In the order of their latest occurrence: a/cpa (item 4), then
	 * items 9 (a), 10 (b), 11 (c). */
	assert_string_equal(sum->events[0].rule.name, "cpa_high");
	assert_int_equal(sum->events[0].totals.cost, 100);
	assert_string_equal(sum->events[1].campaign, "a");
	assert_int_equal(sum->events[1].totals.cost, 9);
	assert_int_equal(sum->events[1].action, RULE_RESOLVE);
	assert_string_equal(sum->events[2].campaign, "b");
	assert_int_equal(sum->events[2].totals.cost, 10);
	assert_int_equal(sum->events[2].action, RULE_FIRE);
	assert_string_equal(sum->events[3].campaign, "c");
	assert_int_equal(sum->events[3].totals.cost, 11);
	assert_int_equal(sum->created, NOW + 11 * 60);
	assert_string_equal(sum->client_id, "acme");
	for (i = 0; i < 12; i++)
		notice_free(ns[i]);
	notice_free(sum);
	assert_null(notice_fold(NULL, 0));
}

/* Same campaign, other channel or scope or kind: another subject. */
static void
test_fold_subjects(void **state)
{
	struct notice		*ns[2], *sum;
	struct notice_event	 e;

	(void)state;
	ns[0] = mk(NOW);
	ns[1] = mk(NOW + 1);
	e = ev("a", "r", RULE_SEV_WARNING, RULE_FIRE, 1);
	add(ns[0], e);
	snprintf(e.channel, sizeof e.channel, "%s", "google");
	add(ns[1], e);
	e = ev("a", "r", RULE_SEV_WARNING, RULE_FIRE, 1);
	e.rule.scope = RULE_SCOPE_CHANNEL;
	add(ns[1], e);
	e = ev("a", "", RULE_SEV_WARNING, RULE_FIRE, 1);
	e.kind = ALERT_ROI_LOW;
	add(ns[0], e);
	e.kind = ALERT_ROI_LOW;
	e.action = RULE_RESOLVE;
	add(ns[1], e);
	sum = notice_fold(ns, 2);
	assert_int_equal(sum->nevents, 4);
	assert_int_equal(sum->nsuperseded, 1);
	notice_free(sum);
	notice_free(ns[0]);
	notice_free(ns[1]);
}

/* A summary goes through the outbox's JSON and is folded again: the counts
 * add up, and the message says how many were superseded. */
static void
test_fold_again_json(void **state)
{
	struct notice	*ns[3], *sum, *back, *two[2];
	char		*json, *cause = NULL, *text;
	size_t		 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		ns[i] = mk(NOW + (int64_t)i);
		add(ns[i], ev("a", "roi_floor", RULE_SEV_CRITICAL, RULE_FIRE,
		    (int64_t)i));
	}
	sum = notice_fold(ns, 3);
	assert_int_equal(sum->nsuperseded, 2);
	json = notice_to_json(sum);
	back = notice_from_json(json, &cause);
	assert_non_null(back);
	assert_int_equal(back->nsuperseded, 2);
	assert_int_equal(back->nevents, 1);
	free(json);
	text = notice_body_text(back);
	assert_non_null(strstr(text, "2 earlier events superseded"));
	free(text);
	two[0] = back;
	two[1] = ns[2];
	notice_free(sum);
	sum = notice_fold(two, 2);
	assert_int_equal(sum->nsuperseded, 3);
	assert_int_equal(sum->nevents, 1);
	notice_free(sum);
	notice_free(back);
	for (i = 0; i < 3; i++)
		notice_free(ns[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_severity),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_subjects),
		cmocka_unit_test(test_fold_again_json),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
