/*
 * The explanation a rule's alert carries (notice-rule.c), in English and
 * French: every rule type and action renders with no message missing from
 * the catalogue, the words and numbers are the language's, and the time the
 * state began reads in the client's zone (in UTC for payloads that predate
 * the offset).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "metric.h"
#include "notice.h"
#include "rules.h"

#define NOW	1701388800	/* 2023-12-01 00:00 UTC */

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not in:\n%s", needle, hay);
}

/* A CPA rule of campaign "Spring" (meta), over 7 days, fired at 14:05 UTC
 * on 2023-11-30, Paris then at UTC+1. */
static void
rule_event(struct notice_event *e, enum rule_type type, enum rule_action act)
{
	struct notice_rule *r = &e->rule;

	memset(e, 0, sizeof *e);
	snprintf(e->campaign, sizeof e->campaign, "Spring");
	snprintf(e->channel, sizeof e->channel, "meta");
	e->kind = ALERT_RULE;
	e->action = act;
	snprintf(r->name, sizeof r->name, "cpa_high");
	r->type = type;
	r->scope = RULE_SCOPE_CAMPAIGN;
	r->severity = RULE_SEV_CRITICAL;
	r->ncond = 1;
	snprintf(r->cond[0].measure, sizeof r->cond[0].measure, "cpa");
	r->cond[0].cmp = RULE_CMP_GT;
	r->cond[0].defined = 1;
	r->cond[0].value = 45500000;		/* 45.50 */
	r->cond[0].threshold = 40000000;
	r->cond[0].clear = 35000000;
	r->cond[0].days = 6;
	r->cond[0].days_total = 7;
	snprintf(r->window, sizeof r->window, "7d");
	r->win_from = metric_days_from_civil(2023, 11, 24);
	r->win_to = metric_days_from_civil(2023, 11, 30);
	r->prev_from = INT32_MIN;
	r->prev_to = INT32_MAX;
	r->origin = RULE_ORIGIN_CLIENT;
	snprintf(r->file, sizeof r->file, "clients/acme.conf");
	r->line = 12;
	r->since = 1701353100;			/* 2023-11-30 14:05 UTC */
	r->since_off = 3600;
	r->since_off_known = 1;
	r->pending_secs = 3600;
	r->repeat_secs = 2 * 86400;
	r->budget = 1000000000;
	r->spent = 870000000;
	r->projected = 1100000000;
	r->period_from = metric_days_from_civil(2023, 11, 1);
	r->period_to = metric_days_from_civil(2023, 11, 30);
	r->runout_day = metric_days_from_civil(2023, 11, 28);
	r->expected_day = metric_days_from_civil(2023, 11, 29);
	r->last_day = INT32_MIN;
	r->by_sec = 9 * 3600 + 30 * 60;
	snprintf(r->tz, sizeof r->tz, "Europe/Paris");
}

static char *
body_of(const char *lang, const struct notice_event *e)
{
	struct notice	*n;
	char		*s;

	n = notice_new("acme", "ACME", "EUR", lang, "Europe/Paris", NOW);
	notice_add_event(n, e);
	s = notice_body_text(n);
	notice_free(n);
	return s;
}

static void
test_every_kind_translated(void **state)
{
	static const enum rule_type types[] = { RULE_THRESHOLD, RULE_BUDGET,
	    RULE_FRESHNESS };
	static const enum rule_action acts[] = { RULE_FIRE, RULE_REPEAT,
	    RULE_RESOLVE, RULE_GOOD, RULE_FLAPPING };
	static const char *langs[] = { "en", "fr" };
	struct notice_event e;
	size_t	 t, a, l;
	char	*s;
	int	 sev, origin;

	(void)state;
	for (l = 0; l < 2; l++)
		for (t = 0; t < 3; t++)
			for (a = 0; a < 5; a++)
				for (sev = 0; sev < RULE_SEV_MAX; sev++) {
					rule_event(&e, types[t], acts[a]);
					e.rule.severity = sev;
					e.rule.origin = sev % RULE_ORIGIN_MAX;
					s = body_of(langs[l], &e);
					free(s);
				}
	for (origin = 0; origin < RULE_ORIGIN_MAX; origin++) {
		rule_event(&e, RULE_THRESHOLD, RULE_FIRE);
		e.rule.origin = origin;
		e.rule.cond[0].change = 1;
		free(body_of("fr", &e));
	}
	assert_int_equal(catalog_misses(), 0);
}

static void
test_threshold_en_fr(void **state)
{
	struct notice_event e;
	char	*s;

	(void)state;
	rule_event(&e, RULE_THRESHOLD, RULE_FIRE);
	s = body_of("en", &e);
	assert_contains(s, "1. Campaign \"Spring\" (meta): CPA above "
	    "\xe2\x82\xac" "40.00 (rule cpa_high) [critical]");
	assert_contains(s, "Threshold:          > \xe2\x82\xac" "40.00; "
	    "clears at \xe2\x82\xac" "35.00");
	assert_contains(s, "Formula:            cost / conversions");
	assert_contains(s, "Judged over:        6 of 7 days complete");
	assert_contains(s, "7d: 2023-11-24 to 2023-11-30 (Europe/Paris)");
	assert_contains(s, "client's rules (clients/acme.conf, line 12)");
	/* 14:05 UTC is 15:05 in Paris. */
	assert_contains(s, "Why now:            condition held for 1 h (pending "
	    "period), firing since 2023-11-30 15:05 (Europe/Paris)");
	free(s);

	s = body_of("fr", &e);
	assert_contains(s, "1. Campagne « Spring » (meta)\xc2\xa0: CPA "
	    "au-dessus de 40,00\xc2\xa0\xe2\x82\xac (règle cpa_high) "
	    "[critique]");
	assert_contains(s, "Seuil\xc2\xa0:");
	assert_contains(s, "> 40,00\xc2\xa0\xe2\x82\xac ; levée à "
	    "35,00\xc2\xa0\xe2\x82\xac");
	assert_contains(s, "coût / conversions");
	assert_contains(s, "6 jour(s) complet(s) sur 7");
	assert_contains(s, "7d: du 24/11/2023 au 30/11/2023 (Europe/Paris)");
	assert_contains(s, "règles du client (clients/acme.conf, ligne 12)");
	assert_contains(s, "condition tenue pendant 1 h (délai de "
	    "confirmation), en alerte depuis 30/11/2023 15:05 (Europe/Paris)");
	free(s);
}

static void
test_budget_freshness_repeat(void **state)
{
	struct notice_event e;
	char	*s;

	(void)state;
	rule_event(&e, RULE_BUDGET, RULE_REPEAT);
	s = body_of("fr", &e);
	assert_contains(s, "870,00\xc2\xa0\xe2\x82\xac dépensés sur "
	    "1\xe2\x80\xaf" "000,00\xc2\xa0\xe2\x82\xac");
	assert_contains(s, "du 01/11/2023 au 30/11/2023");
	assert_contains(s, "budget épuisé le 28/11/2023 au rythme actuel");
	assert_contains(s, "toujours en alerte depuis 30/11/2023 15:05 "
	    "(Europe/Paris) ; rappel toutes les 2 j");
	free(s);
	s = body_of("en", &e);
	assert_contains(s, "\xe2\x82\xac" "870.00 spent of \xe2\x82\xac"
	    "1,000.00");
	assert_contains(s, "still firing since 2023-11-30 15:05 (Europe/Paris); "
	    "reminder every 2 d");
	free(s);

	rule_event(&e, RULE_FRESHNESS, RULE_REPEAT);
	s = body_of("en", &e);
	assert_contains(s, "still data late (rule cpa_high)");
	assert_contains(s, "data of 2023-11-29 expected by 09:30 (Europe/Paris); "
	    "latest data: none");
	free(s);
	s = body_of("fr", &e);
	assert_contains(s, "toujours : données en retard (règle cpa_high)");
	assert_contains(s, "dernières données : aucune");
	free(s);
}

/* A payload queued before the offset existed: the time reads in UTC. */
static void
test_since_without_offset(void **state)
{
	struct notice_event e;
	struct notice	*n, *back;
	char		*json, *cause = NULL, *s;

	(void)state;
	rule_event(&e, RULE_THRESHOLD, RULE_RESOLVE);
	e.rule.since_off_known = 0;
	s = body_of("en", &e);
	assert_contains(s, "back past the clear threshold at 2023-11-30 14:05 "
	    "UTC");
	free(s);

	/* The offset survives the outbox's JSON. */
	e.rule.since_off_known = 1;
	e.rule.since_off = -18000;		/* New York, 09:05 */
	n = notice_new("acme", "ACME", "USD", "en", "America/New_York", NOW);
	snprintf(e.rule.tz, sizeof e.rule.tz, "America/New_York");
	notice_add_event(n, &e);
	json = notice_to_json(n);
	back = notice_from_json(json, &cause);
	assert_non_null(back);
	assert_int_equal(back->events[0].rule.since_off_known, 1);
	assert_int_equal(back->events[0].rule.since_off, -18000);
	s = notice_body_text(back);
	assert_contains(s, "back past the clear threshold at 2023-11-30 09:05 "
	    "(America/New_York)");
	free(s);
	free(json);
	notice_free(back);
	notice_free(n);
}

/* A custom KPI's label, in a change condition too (it once pointed into a
 * ref gone out of scope and read empty). */
static void
test_custom_label(void **state)
{
	struct notice_event e;
	char	*s;

	(void)state;
	rule_event(&e, RULE_THRESHOLD, RULE_FIRE);
	e.rule.ncond = 2;
	e.rule.cond[1] = e.rule.cond[0];
	snprintf(e.rule.cond[1].measure, sizeof e.rule.cond[1].measure,
	    "custom_avg:reach");
	e.rule.cond[1].change = 1;
	e.rule.cond[1].prev_defined = 1;
	e.rule.cond[1].prev = 1000000;
	e.rule.cond[1].cur = 1250000;
	e.rule.cond[1].value = 250000;
	s = body_of("en", &e);
	assert_contains(s, "\n   reach (daily average): 1.25, change +25.00% "
	    "(previous period: 1)\n");
	free(s);
	s = body_of("fr", &e);
	assert_contains(s, "\n   reach (moyenne par jour)\xc2\xa0: 1,25, "
	    "variation +25,00\xe2\x80\xaf% (période précédente : 1)");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_translated),
		cmocka_unit_test(test_threshold_en_fr),
		cmocka_unit_test(test_budget_freshness_repeat),
		cmocka_unit_test(test_since_without_offset),
		cmocka_unit_test(test_custom_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
