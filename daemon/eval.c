/*
 * Evaluation and routing. For each touched campaign: totals over the client's
 * window → rules_step() per rule kind → persisted state → one grouped notice per
 * client → one outbox item per receiver. Everything of one slice happens in one
 * transaction, so a state change and its notice are durable together: a restart
 * neither loses an alert nor sends it twice. Each campaign sits in its own
 * savepoint: one that cannot be evaluated is skipped, never the others.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "eval.h"
#include "log.h"
#include "notice.h"
#include "store.h"
#include "xmalloc.h"

struct pending_notice {
	const struct client_conf *client;
	struct notice		*notice;
};

struct eval_run {
	struct store		*store;
	const struct config	*cfg;
	int64_t			 now;
	struct pending_notice	*notices;
	size_t			 nnotices;
};

/* Log every transition of an alert state: the one place they are all visible. */
static void
eval_enter_state(const char *client, const char *campaign, enum alert_kind kind,
    enum alert_state from, const struct rule_status *st)
{
	char esc[256];

	if (from == st->state)
		return;
	log_escape(campaign, strlen(campaign), esc, sizeof esc);
	log_info("alert %s client=%s campaign=\"%s\": %s -> %s (roi %.2f%%)",
	    rules_kind_name(kind), client, esc, rules_state_name(from),
	    rules_state_name(st->state), (double)st->roi_ppm / 10000.0);
}

static struct notice *
eval_notice_for(struct eval_run *run, const struct client_conf *cc)
{
	size_t i;

	for (i = 0; i < run->nnotices; i++)
		if (run->notices[i].client == cc)
			return run->notices[i].notice;
	run->notices = xreallocarray(run->notices, run->nnotices + 1,
	    sizeof *run->notices);
	run->notices[run->nnotices].client = cc;
	run->notices[run->nnotices].notice = notice_new(cc->id, cc->name,
	    cc->currency, cc->language, cc->timezone, run->now);
	return run->notices[run->nnotices++].notice;
}

int
eval_window(struct store *store, const struct client_conf *cc,
    const char *campaign, int32_t *from, int32_t *to, char **cause)
{
	int32_t last;

	*from = INT32_MIN;
	*to = INT32_MAX;
	if (cc->window_days > 0) {
		if (store_last_day(store, cc->id, campaign, &last, cause) != 0)
			return -1;
		if (last != INT32_MIN) {
			*to = last;
			*from = last - (int32_t)cc->window_days + 1;
		}
	}
	return 0;
}

/* The (cost, revenue) gaps of a campaign's window, for a message or a log. */
static int
eval_gaps(struct eval_run *run, const struct client_conf *cc,
    const char *campaign, int32_t from, int32_t to, struct kpi_gaps *g,
    char **cause)
{
	struct kpi_lack *lacks;
	size_t n;

	if (store_lacks(run->store, cc->id, campaign, from, to, &lacks, &n,
	    cause) != 0)
		return -1;
	kpi_gaps_pick(lacks, n, KPI_PAIR_COST_REVENUE, g);
	free(lacks);
	return 0;
}

/*
 * Say once, when it starts, why a rule stopped judging a campaign for want of
 * coverage (and when it judges again); other reasons only at debug level.
 */
static int
eval_log_skip(struct eval_run *run, const struct client_conf *cc,
    const char *campaign, enum alert_kind kind, enum rule_skip old,
    const struct rule_status *st, int32_t from, int32_t to, char **cause)
{
	struct kpi_value v;
	struct kpi_gaps g;
	char esc[256], cov[512], min[32];

	if (st->skip == old)
		return 0;
	log_escape(campaign, strlen(campaign), esc, sizeof esc);
	if (old == RULE_SKIP_COVERAGE && st->skip == RULE_SKIP_NONE) {
		log_info("alert %s client=%s campaign=\"%s\": judged again, over "
		    "%lld of %lld days", rules_kind_name(kind), cc->id, esc,
		    (long long)st->days, (long long)st->days_total);
		return 0;
	}
	if (st->skip == RULE_SKIP_NONE)
		return 0;
	if (st->skip != RULE_SKIP_COVERAGE) {
		/* Thin spend or no revenue yet: common, and no news. */
		log_debug("alert %s client=%s campaign=\"%s\": %s, state %s "
		    "kept", rules_kind_name(kind), cc->id, esc,
		    rules_skip_text(st->skip), rules_state_name(st->state));
		return 0;
	}
	if (eval_gaps(run, cc, campaign, from, to, &g, cause) != 0)
		return -1;
	memset(&v, 0, sizeof v);
	v.days = st->days;
	v.days_total = st->days_total;
	kpi_format_coverage(&v, &g, 0, "en", cov, sizeof cov);
	memset(&v, 0, sizeof v);
	v.defined = 1;
	v.value = (double)cc->rules.min_coverage_ppm / 1e6;
	log_info("alert %s client=%s campaign=\"%s\": %s (%s, minimum %s), "
	    "state %s kept", rules_kind_name(kind), cc->id, esc,
	    rules_skip_text(st->skip), cov, kpi_format_percent(&v, min,
	    sizeof min), rules_state_name(st->state));
	return 0;
}

/* Where the figures of the window's last day came from: the origins of its
 * (whole-day) sample's cost and revenue, for the message. */
static int
eval_sources(struct eval_run *run, const struct client_conf *cc,
    const char *campaign, int32_t day, struct notice_event *ev, char **cause)
{
	struct store_sample smp;
	int found;

	if ((found = store_sample_get(run->store, cc->id, campaign, day, -1,
	    &smp, cause)) == -1)
		return -1;
	if (found == 0)
		return 0;	/* hourly samples: no single origin to name */
	ev->src_day = day;
	if (smp.field[1].present)
		snprintf(ev->src_cost, sizeof ev->src_cost, "%s",
		    smp.field[1].origin);
	if (smp.field[2].present)
		snprintf(ev->src_revenue, sizeof ev->src_revenue, "%s",
		    smp.field[2].origin);
	return 0;
}

static int
eval_campaign(struct eval_run *run, const struct client_conf *cc,
    const char *campaign, char **cause)
{
	struct kpi_totals t;
	struct rule_status st;
	struct notice_event ev;
	int32_t from, to;
	enum alert_kind kind;
	enum alert_state old;
	enum rule_skip old_skip;
	enum rule_action action;
	struct notice_event evs[ALERT_KIND_MAX];
	size_t nevs = 0, i;
	int found;

	if (eval_window(run->store, cc, campaign, &from, &to, cause) != 0)
		return -1;
	if (store_totals(run->store, cc->id, campaign, from, to, &t, cause) != 0)
		return -1;

	for (kind = 0; kind < ALERT_KIND_MAX; kind++) {
		if (kind == ALERT_ROI_TARGET && !cc->rules.has_target)
			continue;
		found = store_alert_get(run->store, cc->id, campaign, kind, &st,
		    cause);
		if (found == -1)
			return -1;
		if (found == 0)
			rules_status_init(&st, run->now);
		old = st.state;
		old_skip = found ? st.skip : RULE_SKIP_NONE;
		action = rules_step(kind, &cc->rules, &t, run->now, &st);
		eval_enter_state(cc->id, campaign, kind, old, &st);
		if (eval_log_skip(run, cc, campaign, kind, old_skip, &st, from,
		    to, cause) != 0)
			return -1;
		if (store_alert_put(run->store, cc->id, campaign, kind, &st,
		    cause) != 0)
			return -1;
		if (action == RULE_NONE)
			continue;

		memset(&ev, 0, sizeof ev);
		snprintf(ev.campaign, sizeof ev.campaign, "%s", campaign);
		if (store_campaign_channel(run->store, cc->id, campaign,
		    ev.channel, sizeof ev.channel, cause) != 0)
			return -1;
		if (eval_gaps(run, cc, campaign, from, to, &ev.gaps,
		    cause) != 0)
			return -1;
		ev.kind = kind;
		ev.action = action;
		ev.totals = t;
		ev.window_days = cc->window_days;
		ev.min_roi_ppm = cc->rules.min_roi_ppm;
		ev.target_roi_ppm = cc->rules.target_roi_ppm;
		ev.has_target = cc->rules.has_target;
		ev.min_spend = cc->rules.min_spend;
		if (t.samples > 0 && eval_sources(run, cc, campaign,
		    t.last_day, &ev, cause) != 0)
			return -1;
		evs[nevs++] = ev;
	}
	/* Only a campaign evaluated whole speaks: a failure above leaves
	 * neither a state change (rolled back) nor an event behind. */
	for (i = 0; i < nevs; i++)
		notice_add_event(eval_notice_for(run, cc), &evs[i]);
	return 0;
}

/* Put every grouped notice into the outbox, once per receiver of its client. */
static int
eval_route(struct eval_run *run, char **cause)
{
	const struct client_conf *cc;
	char *json;
	size_t i, r;
	int added = 0;

	for (i = 0; i < run->nnotices; i++) {
		cc = run->notices[i].client;
		json = notice_to_json(run->notices[i].notice);
		for (r = 0; r < cc->nreceivers; r++) {
			if (store_outbox_add(run->store, cc->id,
			    cc->receivers[r].name, json, run->now, cause) == -1) {
				free(json);
				return -1;
			}
			added++;
		}
		log_info("client %s: %zu alert event(s) queued for %zu "
		    "receiver(s)", cc->id, run->notices[i].notice->nevents,
		    cc->nreceivers);
		free(json);
	}
	return added;
}

/* ---- The queue: what waits to be judged, judged in slices ---- */

struct eval_item {
	char			*client;	/* one allocation with campaign */
	char			*campaign;
	struct eval_item	*hnext;
	TAILQ_ENTRY(eval_item)	 entry;
};
TAILQ_HEAD(eval_items, eval_item);

struct eval_queue {
	struct eval_items	 fifo;		/* touched, in arrival order */
	struct eval_item	**bucket;	/* the same, by name: each once */
	size_t			 nbuckets;
	size_t			 n;
	enum eval_sweep		 sweep;
	char			 sweep_client[METRIC_CLIENT_MAX];
	char			 sweep_campaign[METRIC_CAMPAIGN_MAX];
	struct eval_stats	 stats;
};

static struct eval_item **
eval_slot(struct eval_queue *q, const char *client, const char *campaign)
{
	struct eval_item **pp;

	pp = &q->bucket[ingest_subject_hash(client, campaign) &
	    (q->nbuckets - 1)];
	while (*pp != NULL && (strcmp((*pp)->client, client) != 0 ||
	    strcmp((*pp)->campaign, campaign) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

static void
eval_grow(struct eval_queue *q)
{
	struct eval_item *it, **pp;

	free(q->bucket);
	q->nbuckets = q->nbuckets == 0 ? 64 : q->nbuckets * 2;
	q->bucket = xcalloc(q->nbuckets, sizeof *q->bucket);
	TAILQ_FOREACH(it, &q->fifo, entry) {
		pp = eval_slot(q, it->client, it->campaign);
		it->hnext = NULL;
		*pp = it;
	}
}

struct eval_queue *
eval_queue_new(void)
{
	struct eval_queue *q = xcalloc(1, sizeof *q);

	TAILQ_INIT(&q->fifo);
	eval_grow(q);
	return q;
}

/* Queue one campaign (at the head: put back after a failed slice). */
static void
eval_push(struct eval_queue *q, const char *client, const char *campaign,
    int head)
{
	struct eval_item *it, **pp;
	size_t cl = strlen(client) + 1, ca = strlen(campaign) + 1;

	if (*(pp = eval_slot(q, client, campaign)) != NULL)
		return;
	it = xmalloc(sizeof *it + cl + ca);
	it->client = (char *)(it + 1);
	it->campaign = it->client + cl;
	memcpy(it->client, client, cl);
	memcpy(it->campaign, campaign, ca);
	it->hnext = NULL;
	*pp = it;
	if (head)
		TAILQ_INSERT_HEAD(&q->fifo, it, entry);
	else
		TAILQ_INSERT_TAIL(&q->fifo, it, entry);
	if (++q->n > q->nbuckets)
		eval_grow(q);
}

/* Take the oldest touched campaign off the queue; the caller frees it. */
static struct eval_item *
eval_pop(struct eval_queue *q)
{
	struct eval_item *it, **pp;

	if ((it = TAILQ_FIRST(&q->fifo)) == NULL)
		return NULL;
	TAILQ_REMOVE(&q->fifo, it, entry);
	pp = eval_slot(q, it->client, it->campaign);
	*pp = it->hnext;
	q->n--;
	return it;
}

void
eval_queue_free(struct eval_queue *q)
{
	struct eval_item *it;

	if (q == NULL)
		return;
	while ((it = eval_pop(q)) != NULL)
		free(it);
	free(q->bucket);
	free(q);
}

void
eval_queue_add(struct eval_queue *q, const struct ingest_subject *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		eval_push(q, v[i].client, v[i].campaign, 0);
}

void
eval_queue_sweep(struct eval_queue *q, enum eval_sweep kind)
{
	/* A sweep of every campaign covers the open ones too, and one of
	 * the open ones in progress goes on from where it is; a sweep of
	 * every campaign (new thresholds) starts from the first again. */
	if (kind == EVAL_SWEEP_OPEN && q->sweep != EVAL_SWEEP_NONE)
		return;
	q->sweep = kind;
	q->sweep_client[0] = q->sweep_campaign[0] = '\0';
}

size_t
eval_queue_touched(const struct eval_queue *q)
{
	return q->n;
}

int
eval_queue_idle(const struct eval_queue *q)
{
	return q->n == 0 && q->sweep == EVAL_SWEEP_NONE;
}

void
eval_queue_stats(const struct eval_queue *q, struct eval_stats *st)
{
	*st = q->stats;
}

static int64_t
eval_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * A campaign that could not be evaluated: its savepoint is rolled back; say
 * so once (when it starts failing), mark its states "could not be evaluated"
 * (kept otherwise: neither fired nor resolved by a failure) so `roiwatch
 * alerts` and /metrics show it and periodic sweeps retry it, and go on with
 * the others.
 */
static void
eval_failed(struct eval_run *run, const struct client_conf *cc,
    const char *campaign, const char *why)
{
	struct rule_status st;
	enum alert_kind kind;
	char esc[256], *cause = NULL;
	int found, was = 0;

	log_escape(campaign, strlen(campaign), esc, sizeof esc);
	if (store_savepoint(run->store, &cause) != 0)
		goto fail;
	for (kind = 0; kind < ALERT_KIND_MAX; kind++) {
		if (kind == ALERT_ROI_TARGET && !cc->rules.has_target)
			continue;
		if ((found = store_alert_get(run->store, cc->id, campaign,
		    kind, &st, &cause)) == -1)
			goto rollback;
		if (found == 0)
			rules_status_init(&st, run->now);
		was |= found && st.skip == RULE_SKIP_ERROR;
		st.judged = 0;
		st.skip = RULE_SKIP_ERROR;
		if (store_alert_put(run->store, cc->id, campaign, kind, &st,
		    &cause) != 0)
			goto rollback;
	}
	if (store_savepoint_release(run->store, &cause) != 0)
		goto rollback;
	if (was)
		log_debug("client=%s campaign=\"%s\": still cannot be "
		    "evaluated: %s", cc->id, esc, why);
	else
		log_warnx("client=%s campaign=\"%s\": cannot be evaluated, "
		    "skipped (other campaigns are judged; its alert states are "
		    "kept): %s", cc->id, esc, why);
	return;
rollback:
	store_savepoint_rollback(run->store);
fail:
	log_warnx("client=%s campaign=\"%s\": cannot be evaluated (%s), nor "
	    "marked so: %s", cc->id, esc, why, cause);
	free(cause);
}

/* Judge one campaign inside its own savepoint. 0 judged, 1 skipped (it
 * failed, or its client is gone), -1 when the transaction itself failed. */
static int
eval_one(struct eval_run *run, const char *client, const char *campaign,
    char **cause)
{
	const struct client_conf *cc;
	char *why = NULL;

	if ((cc = config_client(run->cfg, client)) == NULL)
		return 1;	/* client removed by a reload */
	if (store_savepoint(run->store, cause) != 0)
		return -1;
	if (eval_campaign(run, cc, campaign, &why) == 0)
		return store_savepoint_release(run->store, cause) == 0 ? 0 : -1;
	store_savepoint_rollback(run->store);
	if (store_busy(run->store) || !store_txn_open(run->store)) {
		/* Not this campaign's fault: the whole slice is retried. */
		*cause = why;
		return -1;
	}
	eval_failed(run, cc, campaign, why);
	free(why);
	return 1;
}

/* The next campaign of the sweep, moving its cursor: 1, 0 when it is over. */
static int
eval_sweep_next(struct eval_queue *q, struct store *store, char *client,
    char *campaign, char **cause)
{
	int rc;

	rc = store_next_campaign(store, q->sweep == EVAL_SWEEP_OPEN,
	    q->sweep_client, q->sweep_campaign, client, METRIC_CLIENT_MAX,
	    campaign, METRIC_CAMPAIGN_MAX, cause);
	if (rc == 1) {
		memcpy(q->sweep_client, client, METRIC_CLIENT_MAX);
		memcpy(q->sweep_campaign, campaign, METRIC_CAMPAIGN_MAX);
	} else if (rc == 0)
		q->sweep = EVAL_SWEEP_NONE;
	return rc;
}

int
eval_queue_run(struct eval_queue *q, struct store *store,
    const struct config *cfg, int64_t now, int64_t budget_usec,
    struct eval_slice *out, char **cause)
{
	struct eval_run run;
	struct eval_items taken;
	struct eval_item *it;
	enum eval_sweep sweep0 = q->sweep;
	char cl0[METRIC_CLIENT_MAX], ca0[METRIC_CAMPAIGN_MAX];
	char client[METRIC_CLIENT_MAX], campaign[METRIC_CAMPAIGN_MAX];
	int64_t start = eval_usec();
	size_t i, judged = 0, failed = 0;
	int rc, added = -1;

	memset(out, 0, sizeof *out);
	if (eval_queue_idle(q))
		return 0;
	memset(&run, 0, sizeof run);
	run.store = store;
	run.cfg = cfg;
	run.now = now;
	TAILQ_INIT(&taken);
	memcpy(cl0, q->sweep_client, sizeof cl0);
	memcpy(ca0, q->sweep_campaign, sizeof ca0);
	if (store_begin(store, cause) != 0) {
		out->busy = store_busy(store);
		return -1;
	}
	/* Touched campaigns first (fresh data), then the sweep; at least one
	 * campaign per slice, however slow, so the queue always moves. */
	for (;;) {
		/* The budget is spent, or (every 64 campaigns) another
		 * connection waits for the lock: the slice ends. */
		if (judged + failed > 0 && (eval_usec() - start >= budget_usec ||
		    ((judged + failed) % 64 == 0 && store_waited_for(store))))
			break;
		if ((it = eval_pop(q)) != NULL) {
			TAILQ_INSERT_TAIL(&taken, it, entry);
			rc = eval_one(&run, it->client, it->campaign, cause);
		} else if (q->sweep != EVAL_SWEEP_NONE) {
			if ((rc = eval_sweep_next(q, store, client, campaign,
			    cause)) == 0)
				continue;
			if (rc == 1)
				rc = eval_one(&run, client, campaign, cause);
		} else
			break;
		if (rc == -1)
			goto out;
		if (rc == 0)
			judged++;
		else
			failed++;
	}
	if ((added = eval_route(&run, cause)) == -1)
		goto out;
	if (store_commit(store, cause) != 0)
		added = -1;
out:
	if (added == -1) {
		/* Nothing of the slice happened: its campaigns wait again, at
		 * the head, and the sweep goes back to where it was. */
		out->busy = store_busy(store);
		store_rollback(store);
		while ((it = TAILQ_LAST(&taken, eval_items)) != NULL) {
			TAILQ_REMOVE(&taken, it, entry);
			eval_push(q, it->client, it->campaign, 1);
			free(it);
		}
		q->sweep = sweep0;
		memcpy(q->sweep_client, cl0, sizeof cl0);
		memcpy(q->sweep_campaign, ca0, sizeof ca0);
	} else {
		while ((it = TAILQ_FIRST(&taken)) != NULL) {
			TAILQ_REMOVE(&taken, it, entry);
			free(it);
		}
		out->added = added;
		out->judged = judged;
		out->failed = failed;
		q->stats.judged += judged;
		q->stats.failed += failed;
	}
	for (i = 0; i < run.nnotices; i++)
		notice_free(run.notices[i].notice);
	free(run.notices);
	out->usec = eval_usec() - start;
	if (out->usec > q->stats.slice_max_usec)
		q->stats.slice_max_usec = out->usec;
	q->stats.slices++;
	return added == -1 ? -1 : 0;
}

int
eval_subjects(struct store *store, const struct config *cfg,
    const struct ingest_subject *subjects, size_t n, int64_t now,
    int64_t budget_usec, char **cause)
{
	struct eval_queue *q = eval_queue_new();
	struct eval_slice sl;
	int added = 0;

	eval_queue_add(q, subjects, n);
	while (!eval_queue_idle(q)) {
		if (eval_queue_run(q, store, cfg, now, budget_usec, &sl,
		    cause) != 0) {
			added = -1;
			break;
		}
		added += sl.added;
		store_yield(store);	/* another writer's turn, if it waits */
	}
	eval_queue_free(q);
	return added;
}
