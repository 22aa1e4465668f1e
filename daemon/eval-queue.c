/*
 * The evaluation queue: subjects waiting to be judged -- campaigns new data
 * touched (each once, in arrival order), a sweep over every stored campaign
 * or over the open alerts, and the channels and client totals that follow
 * the campaigns judged -- judged in slices of one transaction each, every
 * subject in a savepoint of its own so that one that cannot be evaluated is
 * skipped, never the others.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "eval.h"
#include "eval-internal.h"
#include "log.h"
#include "notice.h"
#include "store.h"
#include "xmalloc.h"

TAILQ_HEAD(eval_items, eval_item);

struct eval_queue {
	struct eval_items	 fifo;		/* touched, in arrival order */
	struct eval_items	 follow;	/* channels and client totals of
						   judged campaigns: after the
						   campaigns and the sweep */
	struct eval_item	**bucket;	/* the same, by name: each once */
	size_t			 nbuckets;
	size_t			 n;
	enum eval_sweep		 sweep;
	int			 sweep_started;	/* client subjects queued */
	char			 sweep_client[METRIC_CLIENT_MAX];
	enum rule_scope		 sweep_scope;
	char			 sweep_subject[METRIC_CAMPAIGN_MAX];
	struct eval_stats	 stats;
};

static struct eval_item **
eval_slot(struct eval_queue *q, const char *client, enum rule_scope scope,
    const char *subject)
{
	struct eval_item **pp;

	pp = &q->bucket[(ingest_subject_hash(client, subject) +
	    (uint64_t)scope * 0x9e3779b97f4a7c15ULL) & (q->nbuckets - 1)];
	while (*pp != NULL && ((*pp)->scope != scope ||
	    strcmp((*pp)->client, client) != 0 ||
	    strcmp((*pp)->subject, subject) != 0))
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
		pp = eval_slot(q, it->client, it->scope, it->subject);
		it->hnext = NULL;
		*pp = it;
	}
	TAILQ_FOREACH(it, &q->follow, entry) {
		pp = eval_slot(q, it->client, it->scope, it->subject);
		it->hnext = NULL;
		*pp = it;
	}
}

struct eval_queue *
eval_queue_new(void)
{
	struct eval_queue *q = xcalloc(1, sizeof *q);

	TAILQ_INIT(&q->fifo);
	TAILQ_INIT(&q->follow);
	eval_grow(q);
	return q;
}

/* Queue one subject (at the head: put back after a failed slice). */
void
eval_push(struct eval_queue *q, const char *client, enum rule_scope scope,
    const char *subject, int head)
{
	struct eval_item *it, **pp;
	struct eval_items *list;
	size_t cl = strlen(client) + 1, ca = strlen(subject) + 1;

	if (*(pp = eval_slot(q, client, scope, subject)) != NULL)
		return;
	it = xmalloc(sizeof *it + cl + ca);
	it->client = (char *)(it + 1);
	it->subject = it->client + cl;
	it->scope = scope;
	memcpy(it->client, client, cl);
	memcpy(it->subject, subject, ca);
	it->hnext = NULL;
	*pp = it;
	/* A channel or a client's total follows its campaigns: judged once
	 * after them (and after a sweep), not after each. */
	list = scope == RULE_SCOPE_CAMPAIGN ? &q->fifo : &q->follow;
	if (head)
		TAILQ_INSERT_HEAD(list, it, entry);
	else
		TAILQ_INSERT_TAIL(list, it, entry);
	if (++q->n > q->nbuckets)
		eval_grow(q);
}

/* Take the oldest waiting subject off a list; the caller frees it. */
static struct eval_item *
eval_pop_from(struct eval_queue *q, struct eval_items *list)
{
	struct eval_item *it, **pp;

	if ((it = TAILQ_FIRST(list)) == NULL)
		return NULL;
	TAILQ_REMOVE(list, it, entry);
	pp = eval_slot(q, it->client, it->scope, it->subject);
	*pp = it->hnext;
	q->n--;
	return it;
}

/* Touched campaigns first, then what follows them (outside a sweep). */
struct eval_item *
eval_pop(struct eval_queue *q)
{
	struct eval_item *it;

	if ((it = eval_pop_from(q, &q->fifo)) != NULL)
		return it;
	return eval_pop_from(q, &q->follow);
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
		eval_push(q, v[i].client, RULE_SCOPE_CAMPAIGN, v[i].campaign,
		    0);
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
	q->sweep_started = 0;
	q->sweep_client[0] = q->sweep_subject[0] = '\0';
	q->sweep_scope = RULE_SCOPE_CAMPAIGN;
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
 * A subject that could not be evaluated: its savepoint is rolled back; say
 * so once (when it starts failing), mark its states "could not be evaluated"
 * (kept otherwise: neither fired nor resolved by a failure) so `roiwatch
 * alerts` and /metrics show it and periodic sweeps retry it, and go on with
 * the others.
 */
static void
eval_failed(struct eval_run *run, const struct client_conf *cc,
    enum rule_scope scope, const char *subject, const char *why)
{
	struct alert_key k = { cc->id, scope, subject, NULL };
	struct alert_row row;
	char esc[256], *cause = NULL;
	size_t i;
	int found, was = 0;

	log_escape(subject, strlen(subject), esc, sizeof esc);
	if (store_savepoint(run->store, &cause) != 0)
		goto fail;
	for (i = 0; i < cc->nruleset; i++) {
		if (cc->ruleset[i].scope != scope)
			continue;
		k.rule = cc->ruleset[i].name;
		if ((found = store_alert_get(run->store, &k, &row,
		    &cause)) == -1)
			goto rollback;
		if (found == 0) {
			memset(&row, 0, sizeof row);
			rules_status_init(&row.st, run->now);
			row.win_from = INT32_MIN;
			row.win_to = INT32_MAX;
		}
		was |= found && row.st.skip == RULE_SKIP_ERROR;
		row.st.judged = 0;
		row.st.skip = RULE_SKIP_ERROR;
		if (store_alert_put(run->store, &k, &row, &cause) != 0)
			goto rollback;
	}
	if (store_savepoint_release(run->store, &cause) != 0)
		goto rollback;
	if (was)
		log_debug("client=%s %s=\"%s\": still cannot be evaluated: %s",
		    cc->id, rules_scope_name(scope), esc, why);
	else
		log_warnx("client=%s %s=\"%s\": cannot be evaluated, skipped "
		    "(other subjects are judged; its alert states are kept): "
		    "%s", cc->id, rules_scope_name(scope), esc, why);
	return;
rollback:
	store_savepoint_rollback(run->store);
fail:
	log_warnx("client=%s %s=\"%s\": cannot be evaluated (%s), nor "
	    "marked so: %s", cc->id, rules_scope_name(scope), esc, why, cause);
	free(cause);
}

/* Judge one subject inside its own savepoint. 0 judged, 1 skipped (it
 * failed, or its client is gone), -1 when the transaction itself failed. */
static int
eval_one(struct eval_run *run, const char *client, enum rule_scope scope,
    const char *subject, int sweep, char **cause)
{
	const struct client_conf *cc;
	char *why = NULL;

	if ((cc = config_client(run->cfg, client)) == NULL)
		return 1;	/* client removed by a reload */
	if (store_savepoint(run->store, cause) != 0)
		return -1;
	if (eval_subject(run, cc, scope, subject, sweep, &why) == 0)
		return store_savepoint_release(run->store, cause) == 0 ? 0 : -1;
	store_savepoint_rollback(run->store);
	if (store_busy(run->store) || !store_txn_open(run->store)) {
		/* Not this subject's fault: the whole slice is retried. */
		*cause = why;
		return -1;
	}
	eval_failed(run, cc, scope, subject, why);
	free(why);
	return 1;
}

/*
 * The next subject of the sweep, moving its cursor: 1, 0 when it is over.
 * A sweep starts by queueing every configured client's total when it has
 * rules of that scope: freshness is judged even when nothing arrives.
 */
static int
eval_sweep_next(struct eval_queue *q, struct store *store,
    const struct config *cfg, char *client, enum rule_scope *scope,
    char *subject, char **cause)
{
	size_t i;
	int rc;

	if (!q->sweep_started) {
		q->sweep_started = 1;
		for (i = 0; i < cfg->nclients; i++)
			if (cfg->clients[i].rule_scopes &
			    (1u << RULE_SCOPE_CLIENT))
				eval_push(q, cfg->clients[i].id,
				    RULE_SCOPE_CLIENT, "", 0);
	}
	if (q->sweep == EVAL_SWEEP_OPEN)
		rc = store_next_open(store, q->sweep_client, q->sweep_scope,
		    q->sweep_subject, client, METRIC_CLIENT_MAX, scope, subject,
		    METRIC_CAMPAIGN_MAX, cause);
	else {
		*scope = RULE_SCOPE_CAMPAIGN;
		rc = store_next_campaign(store, q->sweep_client,
		    q->sweep_subject, client, METRIC_CLIENT_MAX, subject,
		    METRIC_CAMPAIGN_MAX, cause);
	}
	if (rc == 1) {
		memcpy(q->sweep_client, client, METRIC_CLIENT_MAX);
		q->sweep_scope = *scope;
		memcpy(q->sweep_subject, subject, METRIC_CAMPAIGN_MAX);
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
	char client[METRIC_CLIENT_MAX], subject[METRIC_CAMPAIGN_MAX];
	enum rule_scope sc0 = q->sweep_scope, scope;
	int started0 = q->sweep_started;
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
	run.q = q;
	run.cutoff = INT32_MAX;
	TAILQ_INIT(&taken);
	memcpy(cl0, q->sweep_client, sizeof cl0);
	memcpy(ca0, q->sweep_subject, sizeof ca0);
	if (store_begin(store, cause) != 0) {
		out->busy = store_busy(store);
		return -1;
	}
	/* Touched campaigns first (fresh data), then the sweep, then the
	 * channels and client totals that follow the campaigns judged (each
	 * once, however many of its campaigns were); at least one subject
	 * per slice, however slow, so the queue always moves. */
	for (;;) {
		/* The budget is spent, or (every 64 subjects) another
		 * connection waits for the lock: the slice ends. */
		if (judged + failed > 0 && (eval_usec() - start >= budget_usec ||
		    ((judged + failed) % 64 == 0 && store_waited_for(store))))
			break;
		if ((it = eval_pop_from(q, &q->fifo)) != NULL ||
		    (q->sweep == EVAL_SWEEP_NONE &&
		    (it = eval_pop_from(q, &q->follow)) != NULL)) {
			TAILQ_INSERT_TAIL(&taken, it, entry);
			rc = eval_one(&run, it->client, it->scope, it->subject,
			    sweep0 != EVAL_SWEEP_NONE &&
			    it->scope != RULE_SCOPE_CAMPAIGN, cause);
		} else if (q->sweep != EVAL_SWEEP_NONE) {
			if ((rc = eval_sweep_next(q, store, cfg, client,
			    &scope, subject, cause)) == 0)
				continue;
			if (rc == 1)
				rc = eval_one(&run, client, scope, subject, 1,
				    cause);
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
			eval_push(q, it->client, it->scope, it->subject, 1);
			free(it);
		}
		q->sweep = sweep0;
		q->sweep_scope = sc0;
		q->sweep_started = started0;
		memcpy(q->sweep_client, cl0, sizeof cl0);
		memcpy(q->sweep_subject, ca0, sizeof ca0);
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
