/*
 * Evaluation and routing. For each subject waiting (a touched campaign, then
 * its channel and its client's total when rules judge them): each rule's
 * measures over its window (calendar windows in the client's zone, budgets'
 * periods, freshness deadlines) -> rules_judge() and rules_step() -> the
 * persisted state -> one grouped notice per client -> one outbox item per
 * receiver. Everything of one slice happens in one transaction, so a state
 * change and its notice are durable together: a restart neither loses an
 * alert nor sends it twice. Each subject sits in its own savepoint: one
 * that cannot be evaluated is skipped, never the others. The same code
 * replays history for `roiwatch backtest`, with states in memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "config.h"
#include "eval.h"
#include "eval-internal.h"
#include "log.h"
#include "notice.h"
#include "notice-merge.h"
#include "store.h"
#include "tz.h"
#include "window.h"
#include "xmalloc.h"

/* store_alert_get() / _put() of a run: the store, or a backtest's memory. */
static int
eval_state_get(struct eval_run *run, const struct alert_key *k,
    struct alert_row *row, char **cause)
{
	if (run->mem == NULL)
		return store_alert_get(run->store, k, row, cause);
	return eval_mem_get(run->mem, k, row);
}

static int
eval_state_put(struct eval_run *run, const struct alert_key *k,
    const struct alert_row *row, char **cause)
{
	if (run->mem == NULL)
		return store_alert_put(run->store, k, row, cause);
	return eval_mem_put(run->mem, k, row, cause);
}

/* Log every transition of an alert state: the one place they are all visible. */
static void
eval_enter_state(const struct client_conf *cc, const struct alert_key *k,
    enum alert_state from, const struct rule_status *st)
{
	char esc[256];

	if (from == st->state)
		return;
	log_escape(k->subject, strlen(k->subject), esc, sizeof esc);
	log_info("alert %s client=%s %s=\"%s\": %s -> %s (value %lld)",
	    k->rule, cc->id, rules_scope_name(k->scope), esc,
	    rules_state_name(from), rules_state_name(st->state),
	    (long long)st->value);
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

/* The (cost, revenue) gaps of a scope's window, for a message or a log. */
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
 * Say once, when it starts, why a rule stopped judging a subject for want of
 * coverage (and when it judges again); other reasons only at debug level.
 */
static int
eval_log_skip(struct eval_run *run, const struct client_conf *cc,
    const struct rule_def *r, const struct alert_key *k, enum rule_skip old,
    const struct rule_status *st, int32_t from, int32_t to, char **cause)
{
	struct kpi_value v;
	struct kpi_gaps g;
	char esc[256], cov[512], min[32];

	if (st->skip == old)
		return 0;
	log_escape(k->subject, strlen(k->subject), esc, sizeof esc);
	if (old == RULE_SKIP_COVERAGE && st->skip == RULE_SKIP_NONE) {
		log_info("alert %s client=%s %s=\"%s\": judged again, over "
		    "%lld of %lld days", r->name, cc->id,
		    rules_scope_name(k->scope), esc, (long long)st->days,
		    (long long)st->days_total);
		return 0;
	}
	if (st->skip == RULE_SKIP_NONE)
		return 0;
	if (st->skip != RULE_SKIP_COVERAGE) {
		/* Thin spend or no revenue yet: common, and no news. */
		log_debug("alert %s client=%s %s=\"%s\": %s, state %s kept",
		    r->name, cc->id, rules_scope_name(k->scope), esc,
		    rules_skip_text(st->skip), rules_state_name(st->state));
		return 0;
	}
	memset(&g, 0, sizeof g);
	if (k->scope != RULE_SCOPE_CHANNEL && eval_gaps(run, cc,
	    k->scope == RULE_SCOPE_CAMPAIGN ? k->subject : NULL, from, to, &g,
	    cause) != 0)
		return -1;
	memset(&v, 0, sizeof v);
	v.days = st->days;
	v.days_total = st->days_total;
	kpi_format_coverage(&v, &g, k->scope != RULE_SCOPE_CAMPAIGN, "en",
	    cov, sizeof cov);
	memset(&v, 0, sizeof v);
	v.defined = 1;
	v.value = (double)r->min_coverage_ppm / 1e6;
	log_info("alert %s client=%s %s=\"%s\": %s (%s, minimum %s), "
	    "state %s kept", r->name, cc->id, rules_scope_name(k->scope), esc,
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

/* ---- What one subject's rules are judged on ---- */

#define EVAL_CUSTOM_MAX	64	/* custom KPI names read per window */

/* The inputs of one window of one subject, read once for all its rules. */
struct eval_data {
	int32_t			 from, to;
	struct kpi_totals	 t;
	int			 custom_read;
	struct measure_custom	 custom[EVAL_CUSTOM_MAX];
	char			 names[EVAL_CUSTOM_MAX][METRIC_CUSTOM_NAME_MAX];
	size_t			 ncustom;
};

#define EVAL_DATA_MAX	16
struct eval_subject {
	const struct client_conf *cc;
	enum rule_scope		 scope;
	const char		*subject;
	const char		*campaign;	/* scope campaign, else NULL */
	const char		*channel;	/* its channel, NULL if none */
	struct eval_data	 data[EVAL_DATA_MAX];
	size_t			 ndata;
};

static int
eval_custom_cb(const char *name, int64_t sum, int64_t days, void *arg)
{
	struct eval_data *d = arg;

	if (d->ncustom == EVAL_CUSTOM_MAX)
		return 0;	/* more names than any rule reads */
	snprintf(d->names[d->ncustom], sizeof d->names[0], "%s", name);
	d->custom[d->ncustom].name = d->names[d->ncustom];
	d->custom[d->ncustom].sum = sum;
	d->custom[d->ncustom].days = days;
	d->ncustom++;
	return 0;
}

/* Whether a rule reads custom KPIs (custom:, custom_avg:, cac, clv...). */
static int
eval_needs_custom(const struct rule_def *r)
{
	char name[64];
	size_t i;

	for (i = 0; i < r->ncond; i++) {
		measure_name(&r->cond[i].m, name, sizeof name);
		if (strncmp(name, "custom", 6) == 0 ||
		    strncmp(name, "clv", 3) == 0 || strcmp(name, "cac") == 0)
			return 1;
	}
	return 0;
}

/* The window's data, read at most once per subject. */
static struct eval_data *
eval_data_get(struct eval_run *run, struct eval_subject *sj, int32_t from,
    int32_t to, int custom, char **cause)
{
	const char *channel = sj->scope == RULE_SCOPE_CHANNEL ?
	    sj->subject : NULL;
	struct eval_data *d = NULL;
	size_t i;

	if (to > run->cutoff)
		to = run->cutoff;	/* a backtest sees no later day */
	for (i = 0; i < sj->ndata; i++)
		if (sj->data[i].from == from && sj->data[i].to == to) {
			d = &sj->data[i];
			break;
		}
	if (d == NULL) {
		/* eval_rule() makes room for its two windows first. */
		if (sj->ndata == EVAL_DATA_MAX)
			fatalx("%s: no room for a window", __func__);
		d = &sj->data[sj->ndata++];
		memset(d, 0, sizeof *d);
		d->from = from;
		d->to = to;
		if (store_totals_scope(run->store, sj->cc->id, sj->campaign,
		    channel, from, to, &d->t, cause) != 0)
			return NULL;
	}
	if (custom && !d->custom_read) {
		if (store_custom_totals_scope(run->store, sj->cc->id,
		    sj->campaign, channel, from, to, eval_custom_cb, d,
		    cause) != 0)
			return NULL;
		d->custom_read = 1;
	}
	return d;
}

/* The days a rule judges over at `now`. */
static int
eval_rule_window(struct eval_run *run, struct eval_subject *sj,
    const struct rule_def *r, struct window_range *w, char **cause)
{
	int32_t last;

	if (r->window.kind != WINDOW_DATA_DAYS) {
		window_resolve(&r->window, sj->cc->tz, run->now, w);
		return 0;
	}
	if (store_last_day_scope(run->store, sj->cc->id, sj->campaign,
	    sj->scope == RULE_SCOPE_CHANNEL ? sj->subject : NULL, &last,
	    cause) != 0)
		return -1;
	if (last != INT32_MIN && last > run->cutoff)
		last = run->cutoff;
	window_resolve_data(&r->window, last, w);
	return 0;
}

static void
eval_input(const struct eval_data *d, struct measure_input *in)
{
	memset(in, 0, sizeof *in);
	in->t = &d->t;
	in->custom = d->custom;
	in->ncustom = d->ncustom;
}

/* What a freshness rule measures: days late (0 when on time). */
static int
eval_freshness(struct eval_run *run, struct eval_subject *sj,
    const struct rule_def *r, struct rule_facts *f, struct notice_rule *nr,
    char **cause)
{
	int32_t today, sec, expected, last;
	int64_t late;

	tz_local(sj->cc->tz, run->now, &today, &sec);
	/* The latest deadline passed: today's, or yesterday's. */
	expected = today - r->lag_days - (sec < r->by_sec ? 1 : 0);
	if (store_last_day_scope(run->store, sj->cc->id, sj->campaign,
	    sj->scope == RULE_SCOPE_CHANNEL ? sj->subject : r->channel, &last,
	    cause) != 0)
		return -1;
	if (last == INT32_MIN)
		late = (int64_t)expected - INT32_MIN > 36600 ? 36600 :
		    (int64_t)expected - INT32_MIN;
	else
		late = last >= expected ? 0 : (int64_t)expected - last;
	memset(f, 0, sizeof *f);
	f->cur[0].defined = 1;
	f->cur[0].floor = late * MICROS_PER_UNIT;
	f->cur[0].days = f->cur[0].days_total = 0;
	nr->expected_day = expected;
	nr->last_day = last;
	nr->by_sec = r->by_sec;
	return 0;
}

/* The explanation of one judgement, for the event. */
static void
eval_explain(const struct eval_subject *sj, const struct rule_def *r,
    const struct rule_bound *b, const struct rule_facts *f,
    const struct rule_status *st, const struct window_range *w,
    const struct window_range *pw, struct notice_rule *nr)
{
	struct measure_value chg;
	struct notice_cond *k;
	size_t i;

	snprintf(nr->name, sizeof nr->name, "%s", r->name);
	nr->type = r->type;
	nr->scope = r->scope;
	nr->severity = r->severity;
	window_name(&r->window, nr->window, sizeof nr->window);
	nr->win_from = w->from;
	nr->win_to = w->to;
	nr->prev_from = pw != NULL ? pw->from : INT32_MIN;
	nr->prev_to = pw != NULL ? pw->to : INT32_MAX;
	nr->origin = b->origin;
	snprintf(nr->file, sizeof nr->file, "%s", r->file != NULL ? r->file :
	    (sj->cc->file != NULL ? sj->cc->file : ""));
	nr->line = b->line;
	nr->since = st->since;
	nr->since_off = tz_offset_at(sj->cc->tz, st->since);
	nr->since_off_known = 1;
	nr->pending_secs = r->pending_secs;
	nr->repeat_secs = r->repeat_secs;
	nr->min_volume = b->min_volume;
	nr->volume = r->volume;
	snprintf(nr->tz, sizeof nr->tz, "%s", sj->cc->timezone);
	nr->ncond = (int)r->ncond;
	for (i = 0; i < r->ncond && i < RULE_CONDS_MAX; i++) {
		k = &nr->cond[i];
		if (r->type == RULE_FRESHNESS)
			snprintf(k->measure, sizeof k->measure, "days_late");
		else
			measure_name(&r->cond[i].m, k->measure,
			    sizeof k->measure);
		k->cmp = r->cond[i].cmp;
		k->change = r->cond[i].change;
		k->threshold = b->value[i];
		k->clear = b->clear[i];
		k->num = f->cur[i].num;
		k->den = f->cur[i].den;
		k->days = f->cur[i].days;
		k->days_total = f->cur[i].days_total;
		if (r->cond[i].change) {
			measure_change(&f->cur[i], &f->prev[i], &chg);
			k->defined = chg.defined;
			k->value = chg.floor;
			k->inexact = chg.inexact;
			k->cur = f->cur[i].floor;
			k->prev_defined = f->prev[i].defined;
			k->prev = f->prev[i].floor;
		} else {
			k->defined = f->cur[i].defined;
			k->value = f->cur[i].floor;
			k->inexact = f->cur[i].inexact;
		}
	}
}

/*
 * Read the totals of every window the subject's rules judge over (and their
 * previous periods) in one pass over its samples, into the cache: a subject
 * with five rules over three windows reads its samples once, not five times.
 */
static int
eval_prefetch(struct eval_run *run, struct eval_subject *sj, char **cause)
{
	const struct client_conf *cc = sj->cc;
	const struct rule_def *r;
	struct window_range w, pw;
	struct kpi_totals t[EVAL_DATA_MAX];
	int32_t from[EVAL_DATA_MAX], to[EVAL_DATA_MAX];
	size_t i, j, n = 0, k;

	for (i = 0; i < cc->nruleset && n + 2 <= EVAL_DATA_MAX; i++) {
		r = &cc->ruleset[i];
		if (r->scope != sj->scope || r->type == RULE_FRESHNESS ||
		    (run->only != NULL && strcmp(r->name, run->only) != 0))
			continue;
		if (r->type == RULE_BUDGET) {
			if (r->period == BUDGET_MONTH)
				budget_month(cc->tz, run->now, &w.from, &w.to);
			else {
				w.from = r->flight_from;
				w.to = r->flight_to;
			}
		} else if (eval_rule_window(run, sj, r, &w, cause) != 0)
			return -1;
		if (w.to > run->cutoff)
			w.to = run->cutoff;
		for (k = 0; k < 2; k++) {
			if (k == 1) {
				for (j = 0; j < r->ncond && !r->cond[j].change;
				    j++)
					;
				if (j == r->ncond || window_previous(&w,
				    &pw) != 0)
					break;
				w = pw;
			}
			for (j = 0; j < n; j++)
				if (from[j] == w.from && to[j] == w.to)
					break;
			if (j == n && w.from <= w.to) {
				from[n] = w.from;
				to[n++] = w.to;
			}
		}
	}
	if (n < 2)
		return 0;	/* one window: eval_data_get() reads it */
	if (store_totals_multi(run->store, cc->id, sj->campaign,
	    sj->scope == RULE_SCOPE_CHANNEL ? sj->subject : NULL, from, to, n,
	    t, cause) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&sj->data[i], 0, sizeof sj->data[i]);
		sj->data[i].from = from[i];
		sj->data[i].to = to[i];
		sj->data[i].t = t[i];
	}
	sj->ndata = n;
	return 0;
}

/* Whether a state is what the store holds already (field by field). */
static int
eval_row_same(const struct alert_row *a, const struct alert_row *b)
{
	return a->st.state == b->st.state && a->st.since == b->st.since &&
	    a->st.last_notified == b->st.last_notified &&
	    a->st.value == b->st.value && a->st.judged == b->st.judged &&
	    a->st.skip == b->st.skip && a->st.days == b->st.days &&
	    a->st.days_total == b->st.days_total &&
	    a->st.told == b->st.told && a->st.flapping == b->st.flapping &&
	    a->st.flap_start == b->st.flap_start &&
	    a->st.flap_count == b->st.flap_count &&
	    a->st.last_change == b->st.last_change &&
	    a->win_from == b->win_from && a->win_to == b->win_to;
}

/*
 * Judge one rule of one subject: measure, judge, advance and store its state,
 * and fill *ev when the receivers are to be told (returns 1 then, 0 when
 * not, -1 on error).
 */
static int
eval_rule(struct eval_run *run, struct eval_subject *sj,
    const struct rule_def *r, struct notice_event *ev, char **cause)
{
	const struct client_conf *cc = sj->cc;
	struct alert_key	 k = { cc->id, sj->scope, sj->subject, r->name };
	struct rule_bound	 b;
	struct rule_facts	 f;
	struct rule_verdict	 v;
	struct alert_row	 row, orig;
	struct window_range	 w, pw;
	struct measure_input	 in, pin;
	struct budget_result	 br;
	struct notice_rule	 nr;
	struct eval_data	*d, *pd = NULL;
	const struct measure_clv *clv;
	enum alert_state	 old;
	enum rule_skip		 old_skip;
	enum rule_action	 action;
	size_t			 i;
	int			 found, custom, change = 0;

	rules_bound(r, sj->channel, sj->campaign, &b);
	if (b.disabled)
		return 0;
	/* Room for this rule's two windows: pointers into the cache stay
	 * valid until the next rule. */
	if (sj->ndata > EVAL_DATA_MAX - 2)
		sj->ndata = 0;	/* more windows than the cache: read again */
	memset(&nr, 0, sizeof nr);
	memset(&br, 0, sizeof br);
	custom = eval_needs_custom(r);
	for (i = 0; i < r->ncond; i++)
		change |= r->cond[i].change;

	if (r->type == RULE_BUDGET) {
		if (r->period == BUDGET_MONTH)
			budget_month(cc->tz, run->now, &w.from, &w.to);
		else {
			w.from = r->flight_from;
			w.to = r->flight_to;
		}
	} else if (eval_rule_window(run, sj, r, &w, cause) != 0)
		return -1;
	if ((d = eval_data_get(run, sj, w.from, w.to, custom, cause)) == NULL)
		return -1;
	eval_input(d, &in);
	/* CLV inputs configured for the subject's channel; without them the
	 * measures read the ingested ones. */
	if ((clv = config_client_clv(cc, sj->channel)) != NULL)
		in.clv = *clv;
	if (r->type == RULE_BUDGET) {
		budget_compute(r->budget, d->t.cost, cc->tz, w.from, w.to,
		    run->now, &br);
		in.budget.has = br.defined;
		in.budget.budget = r->budget;
		in.budget.elapsed_ppm = br.elapsed_ppm;
		nr.budget = r->budget;
		nr.spent = d->t.cost;
		nr.projected = br.projected;
		nr.pacing_ppm = br.pacing_ppm;
		nr.period_from = w.from;
		nr.period_to = w.to;
		nr.runout_day = br.runout_day;
	}
	if (change && window_previous(&w, &pw) == 0) {
		if ((pd = eval_data_get(run, sj, pw.from, pw.to, custom,
		    cause)) == NULL)
			return -1;
		eval_input(pd, &pin);
		pin.clv = in.clv;
	}
	if (r->type == RULE_FRESHNESS) {
		if (eval_freshness(run, sj, r, &f, &nr, cause) != 0)
			return -1;
	} else
		rules_facts(r, &in, pd != NULL ? &pin : NULL, &f);
	rules_judge(r, &b, &f, &v);

	if ((found = eval_state_get(run, &k, &row, cause)) == -1)
		return -1;
	if (found == 0) {
		memset(&row, 0, sizeof row);
		rules_status_init(&row.st, run->now);
	}
	orig = row;
	old = row.st.state;
	old_skip = found ? row.st.skip : RULE_SKIP_NONE;
	action = rules_step(r, &v, run->now, &row.st);
	row.win_from = w.from;
	row.win_to = w.to;
	eval_enter_state(cc, &k, old, &row.st);
	if (eval_log_skip(run, cc, r, &k, old_skip, &row.st, w.from, w.to,
	    cause) != 0)
		return -1;
	/* A re-evaluation that changes nothing writes nothing. */
	if ((!found || !eval_row_same(&orig, &row)) &&
	    eval_state_put(run, &k, &row, cause) != 0)
		return -1;
	/* The history the digests tell: each start and end of firing,
	 * in the same savepoint as the state (a backtest keeps none). Held
	 * flapping changes are history too; a release changes no state. */
	if (run->mem == NULL && old != row.st.state &&
	    (old == ALERT_FIRING || row.st.state == ALERT_FIRING) &&
	    store_alert_event_add(run->store, &k,
	    row.st.state == ALERT_FIRING, r->severity, run->now, cause) != 0)
		return -1;
	if (action == RULE_NONE)
		return 0;

	memset(ev, 0, sizeof *ev);
	if (sj->campaign != NULL)
		snprintf(ev->campaign, sizeof ev->campaign, "%s", sj->campaign);
	if (sj->channel != NULL)
		snprintf(ev->channel, sizeof ev->channel, "%s", sj->channel);
	ev->kind = r->kind;
	ev->action = action;
	ev->totals = d->t;
	if (sj->scope != RULE_SCOPE_CHANNEL && eval_gaps(run, cc,
	    sj->campaign, w.from, w.to, &ev->gaps, cause) != 0)
		return -1;
	ev->window_days = r->window.kind == WINDOW_DATA_DAYS ? r->window.n : 0;
	ev->min_roi_ppm = cc->rules.min_roi_ppm;
	ev->target_roi_ppm = cc->rules.target_roi_ppm;
	ev->has_target = cc->rules.has_target;
	ev->min_spend = cc->rules.min_spend;
	if (sj->campaign != NULL && d->t.samples > 0 && eval_sources(run, cc,
	    sj->campaign, d->t.last_day, ev, cause) != 0)
		return -1;
	eval_explain(sj, r, &b, &f, &row.st, &w, pd != NULL ? &pw : NULL,
	    &ev->rule);
	ev->rule.budget = nr.budget;
	ev->rule.spent = nr.spent;
	ev->rule.projected = nr.projected;
	ev->rule.pacing_ppm = nr.pacing_ppm;
	ev->rule.period_from = r->type == RULE_BUDGET ? nr.period_from :
	    INT32_MIN;
	ev->rule.period_to = r->type == RULE_BUDGET ? nr.period_to : INT32_MAX;
	ev->rule.runout_day = r->type == RULE_BUDGET ? nr.runout_day :
	    INT32_MAX;
	ev->rule.expected_day = r->type == RULE_FRESHNESS ? nr.expected_day :
	    INT32_MIN;
	ev->rule.last_day = r->type == RULE_FRESHNESS ? nr.last_day :
	    INT32_MIN;
	ev->rule.by_sec = nr.by_sec;
	return 1;
}

/*
 * A silence covering the event: it is not sent (the state moved anyway, so
 * the receivers are not told later either: what was silenced stays so).
 * 1 silenced, 0 not, -1 on error.
 */
static int
eval_silenced(struct eval_run *run, const struct client_conf *cc,
    const struct eval_subject *sj, const struct rule_def *r,
    const struct notice_event *ev, char **cause)
{
	int64_t id, until;
	char esc[256];
	int rc;

	if (run->mem != NULL)
		return 0;	/* a backtest says what would have fired */
	if ((rc = store_silence_match(run->store, cc->id, sj->campaign,
	    r->name, run->now, &id, &until, cause)) != 1)
		return rc;
	log_escape(sj->subject, strlen(sj->subject), esc, sizeof esc);
	log_info("alert %s client=%s %s=\"%s\": %s not sent: silence %lld "
	    "until %lld", r->name, cc->id, rules_scope_name(sj->scope), esc,
	    rules_action_name(ev->action), (long long)id, (long long)until);
	return 1;
}

struct eval_known {
	const struct client_conf *cc;
	enum rule_scope		 scope;
	struct eval_run		*run;
	const char		*subject;
	char			*cause;
};

/* A state whose rule the configuration no longer has: forgotten. */
static int
eval_forget_cb(const char *rule, void *arg)
{
	struct eval_known *kn = arg;
	struct alert_key k = { kn->cc->id, kn->scope, kn->subject, rule };
	char esc[256];
	size_t i;

	for (i = 0; i < kn->cc->nruleset; i++)
		if (kn->cc->ruleset[i].scope == kn->scope &&
		    strcmp(kn->cc->ruleset[i].name, rule) == 0)
			return 0;
	log_escape(kn->subject, strlen(kn->subject), esc, sizeof esc);
	log_info("alert %s client=%s %s=\"%s\": the rule is no longer "
	    "configured; its state is dropped", rule, kn->cc->id,
	    rules_scope_name(kn->scope), esc);
	return store_alert_drop(kn->run->store, &k, &kn->cause) == 0 ? 0 : -1;
}

int
eval_subject(struct eval_run *run, const struct client_conf *cc,
    enum rule_scope scope, const char *subject, int sweep, char **cause)
{
	struct eval_subject	 sj;
	struct notice_event	*evs = NULL, ev;
	struct eval_known	 kn;
	char			 channel[METRIC_CHANNEL_MAX];
	size_t			 nevs = 0, i;
	int			 rc, ret = -1;

	memset(&sj, 0, sizeof sj);
	sj.cc = cc;
	sj.scope = scope;
	sj.subject = subject;
	if (scope == RULE_SCOPE_CAMPAIGN) {
		sj.campaign = subject;
		if (store_campaign_channel(run->store, cc->id, subject, channel,
		    sizeof channel, cause) != 0)
			return -1;
		sj.channel = channel[0] != '\0' ? channel : NULL;
	} else if (scope == RULE_SCOPE_CHANNEL)
		sj.channel = subject;

	if (eval_prefetch(run, &sj, cause) != 0)
		goto out;
	for (i = 0; i < cc->nruleset; i++) {
		const struct rule_def *r = &cc->ruleset[i];

		if (r->scope != scope || (run->only != NULL &&
		    strcmp(r->name, run->only) != 0) || (run->mem != NULL &&
		    r->type == RULE_FRESHNESS))
			continue;
		if ((rc = eval_rule(run, &sj, r, &ev, cause)) == -1)
			goto out;
		if (rc == 0)
			continue;
		if ((rc = eval_silenced(run, cc, &sj, r, &ev, cause)) == -1)
			goto out;
		if (rc == 1)
			continue;
		evs = xreallocarray(evs, nevs + 1, sizeof *evs);
		evs[nevs++] = ev;
	}
	if (sweep && run->mem == NULL) {
		memset(&kn, 0, sizeof kn);
		kn.cc = cc;
		kn.scope = scope;
		kn.run = run;
		kn.subject = subject;
		if (store_alert_rules(run->store, cc->id, scope, subject,
		    eval_forget_cb, &kn, cause) != 0) {
			if (kn.cause != NULL) {
				free(*cause);
				*cause = kn.cause;
			}
			goto out;
		}
	}
	/* A campaign's channel and its client's total follow it. */
	if (scope == RULE_SCOPE_CAMPAIGN && run->q != NULL) {
		if ((cc->rule_scopes & (1u << RULE_SCOPE_CHANNEL)) &&
		    sj.channel != NULL)
			eval_push(run->q, cc->id, RULE_SCOPE_CHANNEL,
			    sj.channel, 0);
		if (cc->rule_scopes & (1u << RULE_SCOPE_CLIENT))
			eval_push(run->q, cc->id, RULE_SCOPE_CLIENT, "", 0);
	}
	/* Only a subject evaluated whole speaks: a failure above leaves
	 * neither a state change (rolled back) nor an event behind. */
	for (i = 0; i < nevs; i++)
		notice_add_event(eval_notice_for(run, cc), &evs[i]);
	ret = 0;
out:
	free(evs);
	return ret;
}

/*
 * During a client's quiet hours its non-critical events are held (the store
 * keeps them) and sent as one grouped message when the quiet hours end; a
 * critical one goes at once. Returns 0 or -1; *n keeps only what goes now.
 */
static int
eval_hold(struct eval_run *run, const struct client_conf *cc,
    struct notice *n, char **cause)
{
	struct notice *held;
	int64_t ends;
	size_t i, kept = 0;
	char *json;

	if (!cc->has_quiet || run->mem != NULL || !window_in_span(cc->tz,
	    run->now, cc->quiet_start, cc->quiet_end, &ends))
		return 0;
	held = notice_new(cc->id, cc->name, cc->currency, cc->language,
	    cc->timezone, run->now);
	for (i = 0; i < n->nevents; i++) {
		if (n->events[i].rule.name[0] != '\0' &&
		    n->events[i].rule.severity != RULE_SEV_CRITICAL)
			notice_add_event(held, &n->events[i]);
		else
			n->events[kept++] = n->events[i];
	}
	n->nevents = kept;
	if (held->nevents > 0) {
		json = notice_to_json(held);
		if (store_held_add(run->store, cc->id, json, run->now,
		    cause) == -1) {
			free(json);
			notice_free(held);
			return -1;
		}
		free(json);
		log_info("client %s: quiet hours: %zu non-critical event(s) "
		    "held until %lld", cc->id, held->nevents, (long long)ends);
	}
	notice_free(held);
	return 0;
}

/*
 * Queue a notice for one receiver of its client: the events of the
 * severities it takes (none: nothing queued). Without a grouping wait, an
 * item due now. With one, the events join the item that waits for its
 * group -- made by an earlier evaluation within the wait, never tried --
 * or start one due when the wait ends: a burst goes out as one message.
 * The merge happens in the evaluation's transaction, so a restart finds
 * the group as it was. 1 queued (or merged), 0 nothing, -1 on error.
 */
static int
eval_route_one(struct eval_run *run, const struct client_conf *cc,
    const struct receiver_conf *r, const struct notice *n, char **cause)
{
	struct notice	*mine, *group;
	char		*json, *payload = NULL;
	int64_t		 id, due;
	int		 rc, ret = -1;

	mine = notice_filter(n, r->severity_mask);
	if (mine->nevents == 0) {
		log_debug("client %s: receiver %s takes none of the %zu "
		    "event(s)", cc->id, r->name, n->nevents);
		notice_free(mine);
		return 0;
	}
	if (cc->group_wait_secs > 0 && (rc = store_outbox_group_open(
	    run->store, cc->id, r->name, run->now, &id, &due, &payload,
	    cause)) != 0) {
		if (rc == -1)
			goto out;
		if ((group = notice_from_json(payload, cause)) == NULL)
			goto out;
		notice_merge(group, mine);
		json = notice_to_json(group);
		notice_free(group);
		/* The group still goes when its wait ends: a steady
		 * trickle of events never holds it back. */
		rc = store_outbox_rewrite(run->store, id, json, due, cause);
		free(json);
		if (rc != 0)
			goto out;
		log_info("client %s: %zu event(s) join notice %lld for "
		    "receiver %s (grouping)", cc->id, mine->nevents,
		    (long long)id, r->name);
		ret = 1;
		goto out;
	}
	json = notice_to_json(mine);
	id = store_outbox_add_at(run->store, cc->id, r->name, json, run->now,
	    run->now + cc->group_wait_secs, cause);
	free(json);
	if (id == -1)
		goto out;
	ret = 1;
out:
	free(payload);
	notice_free(mine);
	return ret;
}

/*
 * Put every grouped notice into the outbox, once per receiver of its client
 * (its share by severity; grouped over the client's group_wait_secs).
 */
int
eval_route(struct eval_run *run, char **cause)
{
	const struct client_conf *cc;
	size_t i, r;
	int added = 0, rc, nrx;

	for (i = 0; i < run->nnotices; i++) {
		cc = run->notices[i].client;
		if (eval_hold(run, cc, run->notices[i].notice, cause) != 0)
			return -1;
		if (run->notices[i].notice->nevents == 0)
			continue;
		nrx = 0;
		for (r = 0; r < cc->nreceivers; r++) {
			if ((rc = eval_route_one(run, cc, &cc->receivers[r],
			    run->notices[i].notice, cause)) == -1)
				return -1;
			nrx += rc;
		}
		added += nrx;
		log_info("client %s: %zu alert event(s) queued for %d of %zu "
		    "receiver(s)", cc->id, run->notices[i].notice->nevents,
		    nrx, cc->nreceivers);
	}
	return added;
}

int
eval_release_held(struct store *store, const struct config *cfg,
    int64_t now, char **cause)
{
	const struct client_conf *cc;
	struct eval_run run;
	struct notice *n;
	char **clients = NULL, **payloads;
	size_t nclients = 0, np, i, j, k;
	int64_t ends;
	int added = -1;

	if (store_held_clients(store, &clients, &nclients, cause) != 0)
		return -1;
	if (nclients == 0)
		return 0;
	memset(&run, 0, sizeof run);
	run.store = store;
	run.cfg = cfg;
	run.now = now;
	run.cutoff = INT32_MAX;
	if (store_begin(store, cause) != 0)
		goto out;
	for (i = 0; i < nclients; i++) {
		/* A client removed meanwhile: its held notices wait. */
		if ((cc = config_client(cfg, clients[i])) == NULL ||
		    (cc->has_quiet && window_in_span(cc->tz, now,
		    cc->quiet_start, cc->quiet_end, &ends)))
			continue;
		if (store_held_take(store, cc->id, &payloads, &np, cause) != 0)
			goto fail;
		for (j = 0; j < np; j++) {
			if ((n = notice_from_json(payloads[j], cause)) == NULL) {
				store_held_free(payloads, np);
				goto fail;
			}
			for (k = 0; k < n->nevents; k++)
				notice_add_event(eval_notice_for(&run, cc),
				    &n->events[k]);
			notice_free(n);
		}
		store_held_free(payloads, np);
		log_info("client %s: quiet hours over: %zu held notice(s) go "
		    "as one message", cc->id, np);
	}
	if ((added = eval_route(&run, cause)) == -1)
		goto fail;
	if (store_commit(store, cause) != 0) {
		added = -1;
		goto fail;
	}
	goto out;
fail:
	store_rollback(store);
	added = -1;
out:
	for (i = 0; i < run.nnotices; i++)
		notice_free(run.notices[i].notice);
	free(run.notices);
	for (i = 0; i < nclients; i++)
		free(clients[i]);
	free(clients);
	return added;
}
