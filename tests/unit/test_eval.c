/*
 * Evaluation against a real store: one campaign that cannot be evaluated
 * never stops the others, and the queue judges in slices (a sweep of every
 * campaign, of the open ones, a failed slice put back whole).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "eval.h"
#include "fixture.h"
#include "log.h"
#include "notice.h"
#include "silence.h"

#define DAYS1	86400

/* One whole-day sample with cost and revenue (any magnitude: the store does
 * not bound them, ingest does). */
static void
put(const char *client, const char *campaign, int32_t day, int64_t cost,
    int64_t revenue)
{
	struct metric_row r;
	char *cause = NULL;
	int64_t input;

	memset(&r, 0, sizeof r);
	snprintf(r.client, sizeof r.client, "%s", client);
	snprintf(r.campaign, sizeof r.campaign, "%s", campaign);
	r.day = day;
	r.hour = -1;
	r.cost = cost;
	r.revenue = revenue;
	r.present = MF_REQUIRED | MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	assert_int_equal(store_begin(store, &cause), 0);
	input = store_input_new(store, "test", &cause);
	assert_true(input > 0);
	if (store_put_metric_input(store, &r, input, &cause) != 0)
		fail_msg("put: %s", cause);
	assert_int_equal(store_commit(store, &cause), 0);
}

static enum alert_state
state_of(const char *client, const char *campaign, enum rule_skip *skip)
{
	struct alert_key k = { client, RULE_SCOPE_CAMPAIGN, campaign,
	    "roi_low" };
	struct alert_row row;
	char *cause = NULL;

	if (store_alert_get(store, &k, &row, &cause) != 1)
		fail_msg("no alert state for %s/%s", client, campaign);
	if (skip != NULL)
		*skip = row.st.skip;
	return row.st.state;
}

/*
 * Two samples whose costs overflow a campaign's total make that campaign
 * unjudgeable; the other client's losing campaign judged in the same call
 * still fires and is queued. (Before: the whole evaluation failed with
 * "integer overflow", for every client, at every run.)
 */
static void
test_overflow_isolated(void **state)
{
	struct ingest_subject subj[3] = {
		{ "a", "big" }, { "a", "fine" }, { "b", "loser" }
	};
	enum rule_skip skip;
	int64_t pending, done, dead;
	char *cause = NULL;
	int added;

	(void)state;
	put("a", "big", 20000, INT64_MAX / 2 + 1, 1);
	put("a", "big", 20001, INT64_MAX / 2 + 1, 1);
	put("a", "fine", 20000, 100000000, 200000000);
	put("b", "loser", 20000, 100000000, 10000000);
	added = eval_subjects(store, cfg, subj, 3, 1700000000, 1000000,
	    &cause);
	if (added == -1)
		fail_msg("eval_subjects: %s", cause);
	assert_int_equal(added, 1);		/* b's notice, one receiver */
	assert_int_equal(state_of("b", "loser", NULL), ALERT_FIRING);
	assert_int_equal(state_of("a", "fine", &skip), ALERT_OK);
	assert_int_equal(skip, RULE_SKIP_NONE);
	assert_int_equal(state_of("a", "big", &skip), ALERT_OK);
	assert_int_equal(skip, RULE_SKIP_ERROR);
	assert_int_equal(store_count_unjudgeable(store), 1);
	store_outbox_counts(store, &pending, &done, &dead);
	assert_int_equal(pending, 1);

	/* Periodic sweeps revisit the open and the unjudgeable ones only. */
	{
		struct eval_queue *q = eval_queue_new();
		struct eval_slice sl;
		size_t judged = 0, failed = 0;

		eval_queue_sweep(q, EVAL_SWEEP_OPEN);
		while (!eval_queue_idle(q)) {
			if (eval_queue_run(q, store, cfg, 1700000060, 0, &sl,
			    &cause) != 0)
				fail_msg("slice: %s", cause);
			judged += sl.judged;
			failed += sl.failed;
		}
		assert_int_equal(judged, 1);	/* b/loser, firing */
		assert_int_equal(failed, 1);	/* a/big */
		eval_queue_free(q);
	}
}

/* A sweep of every campaign with a zero budget: one campaign per slice,
 * each a committed transaction, every campaign once. */
static void
test_sweep_in_slices(void **state)
{
	struct eval_queue *q = eval_queue_new();
	struct eval_slice sl;
	struct eval_stats st;
	struct ingest_subject s = { "b", "c007" };
	char name[32], *cause = NULL;
	size_t judged = 0, slices = 0;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "c%03d", i);
		put("b", name, 20000, 100000000, 300000000);
	}
	eval_queue_sweep(q, EVAL_SWEEP_ALL);
	eval_queue_add(q, &s, 1);
	eval_queue_add(q, &s, 1);		/* each campaign once */
	assert_int_equal(eval_queue_touched(q), 1);
	while (!eval_queue_idle(q)) {
		if (eval_queue_run(q, store, cfg, 1700000000, 0, &sl,
		    &cause) != 0)
			fail_msg("slice: %s", cause);
		assert_true(sl.judged + sl.failed <= 1);
		judged += sl.judged;
		slices++;
	}
	/* 40 + the touched one, + a/big, a/fine, b/loser of the first test
	 * when run in order (a fresh store otherwise). */
	assert_true(judged == 41 || judged == 43);
	assert_true(slices >= judged);
	eval_queue_stats(q, &st);
	assert_int_equal(st.judged, judged);
	assert_int_equal(state_of("b", "c039", NULL), ALERT_OK);
	eval_queue_free(q);
}

/* A slice whose transaction cannot start changes nothing: its campaigns
 * wait, and the next slice judges them. */
static void
test_failed_slice_put_back(void **state)
{
	struct eval_queue *q = eval_queue_new();
	struct ingest_subject s = { "b", "c001" };
	struct eval_slice sl;
	char *cause = NULL;

	(void)state;
	put("b", "c001", 20000, 100000000, 300000000);
	eval_queue_add(q, &s, 1);
	assert_int_equal(store_begin(store, &cause), 0);	/* in the way */
	assert_int_equal(eval_queue_run(q, store, cfg, 1700000000, 0, &sl,
	    &cause), -1);
	free(cause);
	cause = NULL;
	store_rollback(store);
	assert_int_equal(eval_queue_touched(q), 1);
	assert_int_equal(eval_queue_run(q, store, cfg, 1700000000, 0, &sl,
	    &cause), 0);
	assert_int_equal(sl.judged, 1);
	assert_true(eval_queue_idle(q));
	eval_queue_free(q);
}

static int64_t
outbox_pending(void)
{
	int64_t pending, done, dead;

	store_outbox_counts(store, &pending, &done, &dead);
	return pending;
}

/* A silence covering a campaign: its alert fires (the state moves) but no
 * notice is queued; another campaign of the client still speaks. */
static void
test_silence_holds_back(void **state)
{
	struct ingest_subject subj[2] = { { "a", "hushed" }, { "a", "loud" } };
	struct silence sil;
	int64_t before, now = 1700100000;
	char *cause = NULL;
	int added;

	(void)state;
	put("a", "hushed", 20300, 100000000, 10000000);
	put("a", "loud", 20300, 100000000, 10000000);
	memset(&sil, 0, sizeof sil);
	snprintf(sil.client, sizeof sil.client, "a");
	snprintf(sil.campaign, sizeof sil.campaign, "hushed");
	snprintf(sil.reason, sizeof sil.reason, "client on holiday");
	sil.until = now + 3600;
	assert_int_equal(store_begin(store, &cause), 0);
	assert_true(store_silence_add(store, &sil, now, &cause) > 0);
	assert_int_equal(store_commit(store, &cause), 0);
	before = outbox_pending();
	added = eval_subjects(store, cfg, subj, 2, now, 1000000, &cause);
	if (added == -1)
		fail_msg("eval_subjects: %s", cause);
	assert_int_equal(added, 1);	/* loud's notice only */
	assert_int_equal(outbox_pending(), before + 1);
	assert_int_equal(state_of("a", "hushed", NULL), ALERT_FIRING);
	assert_int_equal(state_of("a", "loud", NULL), ALERT_FIRING);
}

/* During quiet hours a non-critical event is held; a critical one goes at
 * once; when they end, everything held goes as one message. */
static void
test_quiet_hours(void **state)
{
	struct client_conf *b = NULL;
	struct ingest_subject s1 = { "b", "night1" }, s2 = { "b", "night2" };
	struct notice *n;
	char **clients, **payloads;
	size_t nclients, np, i;
	int64_t before;
	/* 2023-11-16 23:00 UTC; b's zone is UTC, quiet 22:00-07:00. */
	int64_t night = 1700175600, morning = 1700204400;
	char *cause = NULL;

	(void)state;
	for (i = 0; i < cfg->nclients; i++)
		if (strcmp(cfg->clients[i].id, "b") == 0)
			b = &cfg->clients[i];
	assert_non_null(b);
	b->has_quiet = 1;
	b->quiet_start = 22 * 3600;
	b->quiet_end = 7 * 3600;
	b->ruleset[0].severity = RULE_SEV_WARNING;

	put("b", "night1", 19600, 100000000, 10000000);
	put("b", "night2", 19600, 100000000, 10000000);
	before = outbox_pending();
	assert_int_equal(eval_subjects(store, cfg, &s1, 1, night, 1000000,
	    &cause), 0);
	assert_int_equal(eval_subjects(store, cfg, &s2, 1, night + 60, 1000000,
	    &cause), 0);
	assert_int_equal(outbox_pending(), before);
	assert_int_equal(store_held_clients(store, &clients, &nclients,
	    &cause), 0);
	assert_int_equal(nclients, 1);
	assert_string_equal(clients[0], "b");
	store_held_free(clients, nclients);

	/* Still quiet: nothing released. */
	assert_int_equal(eval_release_held(store, cfg, night + 1800, &cause),
	    0);
	assert_int_equal(outbox_pending(), before);
	/* Over: one message with both events. */
	assert_int_equal(eval_release_held(store, cfg, morning, &cause), 1);
	assert_int_equal(outbox_pending(), before + 1);
	assert_int_equal(store_held_clients(store, &clients, &nclients,
	    &cause), 0);
	assert_int_equal(nclients, 0);
	store_held_free(clients, nclients);
	assert_int_equal(store_begin(store, &cause), 0);
	assert_int_equal(store_held_take(store, "b", &payloads, &np, &cause),
	    0);
	assert_int_equal(np, 0);
	store_held_free(payloads, np);
	store_rollback(store);
	{
		struct outbox_item *items;
		int k, found = 0;

		k = store_outbox_due(store, morning + 10, 100, &items, &cause);
		assert_true(k > 0);
		for (i = 0; i < (size_t)k; i++) {
			if (strcmp(items[i].client, "b") != 0 ||
			    items[i].created != morning)
				continue;
			n = notice_from_json(items[i].payload, &cause);
			assert_non_null(n);
			assert_int_equal(n->nevents, 2);
			notice_free(n);
			found++;
		}
		assert_int_equal(found, 1);
		store_outbox_items_free(items, k);
	}

	/* A critical event is not held. */
	b->ruleset[0].severity = RULE_SEV_CRITICAL;
	put("b", "night3", 19600, 100000000, 10000000);
	before = outbox_pending();
	{
		struct ingest_subject s3 = { "b", "night3" };

		assert_int_equal(eval_subjects(store, cfg, &s3, 1, night + DAYS1,
		    1000000, &cause), 1);
	}
	assert_int_equal(outbox_pending(), before + 1);
	b->has_quiet = 0;
}

struct hist {
	int	 n;
	int	 fired[4];
	int64_t	 at[4];
	char	 rule[4][32];
	char	 subject[4][32];
	enum rule_scope scope[4];
	enum rule_severity sev[4];
};

static int
hist_cb(const struct alert_key *k, int fired, enum rule_severity sev,
    int64_t at, void *arg)
{
	struct hist *h = arg;

	if (h->n == 4)
		return 0;
	h->fired[h->n] = fired;
	h->at[h->n] = at;
	h->sev[h->n] = sev;
	h->scope[h->n] = k->scope;
	snprintf(h->rule[h->n], sizeof h->rule[0], "%s", k->rule);
	snprintf(h->subject[h->n], sizeof h->subject[0], "%s", k->subject);
	h->n++;
	return 0;
}

static void
hist_get(const char *client, int64_t from, int64_t to, struct hist *h)
{
	char *cause = NULL;

	memset(h, 0, sizeof *h);
	if (store_alert_events(store, client, from, to, hist_cb, h,
	    &cause) != 0)
		fail_msg("alert events: %s", cause);
}

/* Make every outbox insert fail (1) or not (0), from another connection:
 * a slice then fails in its routing, after its states were stored. */
static void
outbox_refuse(int on)
{
	sqlite3 *db;
	char *path;

	xasprintf(&path, "%s/%s", cfg->state_dir, STORE_FILE);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, on ?
	    "CREATE TRIGGER refuse BEFORE INSERT ON outbox"
	    " BEGIN SELECT RAISE(ABORT, 'outbox refused'); END" :
	    "DROP TRIGGER refuse", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
}

/*
 * The alert history: a campaign that fires, then is resolved, leaves both
 * events (at the evaluation's time, with the rule's severity); a slice that
 * fails after judging leaves none, as it leaves no state.
 */
static void
test_alert_history(void **state)
{
	struct ingest_subject s = { "a", "hist" }, s2 = { "a", "hist2" };
	struct hist h;
	int64_t t1 = 1700300000, t2 = t1 + 3600, t3 = t2 + 3600;
	char *cause = NULL;

	(void)state;
	put("a", "hist", 20400, 100000000, 10000000);	/* ROI -90 % */
	if (eval_subjects(store, cfg, &s, 1, t1, 1000000, &cause) == -1)
		fail_msg("eval_subjects: %s", cause);
	assert_int_equal(state_of("a", "hist", NULL), ALERT_FIRING);
	put("a", "hist", 20400, 100000000, 400000000);	/* ROI 300 % */
	if (eval_subjects(store, cfg, &s, 1, t2, 1000000, &cause) == -1)
		fail_msg("eval_subjects: %s", cause);
	assert_int_equal(state_of("a", "hist", NULL), ALERT_RESOLVED);
	/* Judged again, unchanged: no event. */
	if (eval_subjects(store, cfg, &s, 1, t2 + 60, 1000000, &cause) == -1)
		fail_msg("eval_subjects: %s", cause);

	hist_get("a", t1, t3, &h);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.fired[0], 1);
	assert_int_equal(h.at[0], t1);
	assert_int_equal(h.fired[1], 0);
	assert_int_equal(h.at[1], t2);
	assert_string_equal(h.rule[0], "roi_low");
	assert_string_equal(h.subject[1], "hist");
	assert_int_equal(h.scope[0], RULE_SCOPE_CAMPAIGN);
	assert_int_equal(h.sev[0], RULE_SEV_CRITICAL);
	assert_int_equal(h.sev[1], RULE_SEV_CRITICAL);
	/* [from, to): the bounds hold, and another client has its own. */
	hist_get("a", t1 + 1, t2, &h);
	assert_int_equal(h.n, 0);
	hist_get("b", t1, t3, &h);
	assert_int_equal(h.n, 0);

	/* A slice that fails after judging: no state, no event. */
	put("a", "hist2", 20400, 100000000, 10000000);
	outbox_refuse(1);
	assert_int_equal(eval_subjects(store, cfg, &s2, 1, t3, 1000000,
	    &cause), -1);
	free(cause);
	cause = NULL;
	outbox_refuse(0);
	hist_get("a", t3, t3 + 1, &h);
	assert_int_equal(h.n, 0);
	{
		struct alert_key k = { "a", RULE_SCOPE_CAMPAIGN, "hist2",
		    "roi_low" };
		struct alert_row row;

		assert_int_equal(store_alert_get(store, &k, &row, &cause), 0);
	}
	/* Once it goes through, the event is there. */
	if (eval_subjects(store, cfg, &s2, 1, t3, 1000000, &cause) == -1)
		fail_msg("eval_subjects: %s", cause);
	hist_get("a", t3, t3 + 1, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.subject[0], "hist2");

	/* Pruned by age (with the earlier tests' events, run in order). */
	assert_true(store_alert_event_prune(store, t2, &cause) >= 1);
	assert_int_equal(store_alert_event_prune(store, t2, &cause), 0);
	hist_get("a", 0, INT64_MAX, &h);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.at[0], t2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overflow_isolated),
		cmocka_unit_test(test_sweep_in_slices),
		cmocka_unit_test(test_failed_slice_put_back),
		cmocka_unit_test(test_silence_holds_back),
		cmocka_unit_test(test_quiet_hours),
		cmocka_unit_test(test_alert_history),
	};

	log_init(0, "test_eval");
	return cmocka_run_group_tests(tests, fixture_setup,
	    fixture_teardown);
}
