/*
 * Evaluation and routing. For each touched campaign: totals over the client's
 * window → rules_step() per rule kind → persisted state → one grouped notice per
 * client → one outbox item per receiver. Everything of one call happens in one
 * transaction, so a state change and its notice are durable together: a restart
 * neither loses an alert nor sends it twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
		notice_add_event(eval_notice_for(run, cc), &ev);
	}
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

int
eval_subjects(struct store *store, const struct config *cfg,
    const struct ingest_subject *subjects, size_t n, int64_t now, char **cause)
{
	struct eval_run run;
	const struct client_conf *cc = NULL;
	size_t i;
	int added = -1;

	if (n == 0)
		return 0;
	memset(&run, 0, sizeof run);
	run.store = store;
	run.cfg = cfg;
	run.now = now;
	if (store_begin(store, cause) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (cc == NULL || strcmp(cc->id, subjects[i].client) != 0)
			cc = config_client(cfg, subjects[i].client);
		if (cc == NULL)
			continue;	/* client removed by a reload */
		if (eval_campaign(&run, cc, subjects[i].campaign, cause) != 0)
			goto out;
	}
	if ((added = eval_route(&run, cause)) == -1)
		goto out;
	if (store_commit(store, cause) != 0)
		added = -1;
out:
	if (added == -1)
		store_rollback(store);
	for (i = 0; i < run.nnotices; i++)
		notice_free(run.notices[i].notice);
	free(run.notices);
	return added;
}

struct periodic_ctx {
	struct ingest_subject	*items;
	size_t			 n;
};

static int
eval_collect_campaign_cb(const char *client, const char *campaign, void *arg)
{
	struct periodic_ctx *ctx = arg;

	ctx->items = xreallocarray(ctx->items, ctx->n + 1, sizeof *ctx->items);
	ctx->items[ctx->n].client = xstrdup(client);
	ctx->items[ctx->n].campaign = xstrdup(campaign);
	ctx->n++;
	return 0;
}

/* Campaigns with an open alert (pending or firing), each once. */
static int
eval_collect_cb(const char *client, const char *campaign, enum alert_kind kind,
    const struct rule_status *st, void *arg)
{
	struct periodic_ctx *ctx = arg;

	(void)kind;
	if (st->state != ALERT_PENDING && st->state != ALERT_FIRING)
		return 0;
	if (ctx->n > 0 && strcmp(ctx->items[ctx->n - 1].client, client) == 0 &&
	    strcmp(ctx->items[ctx->n - 1].campaign, campaign) == 0)
		return 0;
	return eval_collect_campaign_cb(client, campaign, arg);
}

static void
eval_ctx_free(struct periodic_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n; i++) {
		free(ctx->items[i].client);
		free(ctx->items[i].campaign);
	}
	free(ctx->items);
}

/* Collect campaigns (every one, or those with an open alert) and judge them. */
static int
eval_collected(struct store *store, const struct config *cfg, int64_t now,
    int all, char **cause)
{
	struct periodic_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof ctx);
	if (all)
		rc = store_foreach_campaign(store, NULL,
		    eval_collect_campaign_cb, &ctx, cause);
	else
		rc = store_foreach_alert(store, 0, eval_collect_cb, &ctx,
		    cause);
	if (rc == 0)
		rc = eval_subjects(store, cfg, ctx.items, ctx.n, now, cause);
	else
		rc = -1;
	eval_ctx_free(&ctx);
	return rc;
}

int
eval_all(struct store *store, const struct config *cfg, int64_t now,
    char **cause)
{
	return eval_collected(store, cfg, now, 1, cause);
}

int
eval_periodic(struct store *store, const struct config *cfg, int64_t now,
    char **cause)
{
	return eval_collected(store, cfg, now, 0, cause);
}
