/*
 * Reading a digest (digest.h) from the store: every figure of one client's
 * period and of the period before it, in one read transaction, so that the
 * total, the channels, the campaigns and the daily series are one snapshot
 * even while the daemon or a backfill writes.
 *
 * Each scope is read in one pass over its samples (store_totals_multi): the
 * client's total for both periods, their every day and its budgets' periods
 * at once; each channel and each campaign for both periods and its budgets'
 * periods. So a client of 50 campaigns over 400 days costs some 60 statements,
 * never one per day. Everything here is arithmetic on those totals; the SQL
 * stays in store*.c.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "config.h"
#include "digest.h"
#include "digest-schedule.h"
#include "kpi.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "rules.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

__extension__ typedef __int128 dl_i128;

/* The measures of a figure, looked up once. */
enum {
	DL_ROI,
	DL_ROAS,
	DL_CPA,
	DL_CLV,
	DL_CLV_CAC,
	DL_NMEASURES
};
static const char *const dl_measure_names[DL_NMEASURES] = {
	"roi", "roas", "cpa", "clv", "clv_cac"
};

/* A budget of a subject, before it is sorted into the digest. */
struct dl_budget {
	size_t			 rule;		/* index in the ruleset */
	struct digest_budget	 b;
};

struct dl {
	struct store			*s;
	const struct client_conf	*cc;
	struct digest			*d;
	struct measure_ref		 m[DL_NMEASURES];
	int32_t				 ndays;		/* of each period */
	/* The budget rules of the client and their periods at now. */
	size_t				*brule;		/* ruleset indexes */
	int32_t				*bfrom, *bto;
	size_t				 nbrule;
	struct dl_budget		*budgets;
	size_t				 nbudgets;
	char				*cause;
};

/* Names of a listing, copied (the store's strings are not ours). */
struct dl_names {
	char	**v;
	size_t	  n;
};

static void
dl_names_add(struct dl_names *nm, const char *name)
{
	nm->v = xreallocarray(nm->v, nm->n + 1, sizeof *nm->v);
	nm->v[nm->n++] = xstrdup(name);
}

static void
dl_names_free(struct dl_names *nm)
{
	size_t	i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	memset(nm, 0, sizeof *nm);
}

static int
dl_campaign_cb(const char *client, const char *campaign, void *arg)
{
	(void)client;
	dl_names_add(arg, campaign);
	return 0;
}

static int
dl_channel_cb(const char *channel, void *arg)
{
	dl_names_add(arg, channel);
	return 0;
}

/* ---- Figures ---- */

static int64_t
dl_sub_sat(int64_t a, int64_t b)
{
	int64_t	r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static void
dl_figures(const struct dl *l, const struct kpi_totals *t,
    struct digest_figures *f)
{
	struct measure_input	in;

	memset(f, 0, sizeof *f);
	memset(&in, 0, sizeof in);
	in.t = t;
	f->has = t->samples > 0;
	f->spend = t->cost;
	f->revenue = t->revenue;
	f->profit = dl_sub_sat(t->revenue, t->cost);
	f->conversions = t->conversions;
	f->days = t->days;
	f->days_complete = t->pair[KPI_PAIR_COST_REVENUE].days;
	measure_compute(&l->m[DL_ROI], &in, &f->roi);
	measure_compute(&l->m[DL_ROAS], &in, &f->roas);
	measure_compute(&l->m[DL_CPA], &in, &f->cpa);
}

/* The last day with data of a scope in the two periods (on or before the
 * end of the period): INT32_MIN when none. */
static int32_t
dl_last_day(const struct kpi_totals *cur, const struct kpi_totals *prev)
{
	if (cur->samples > 0)
		return cur->last_day;
	if (prev->samples > 0)
		return prev->last_day;
	return INT32_MIN;
}

/*
 * One scope's totals (campaign, channel or, both NULL, the client's) in
 * one pass: out[0] the period, out[1] the one before, then the periods of
 * the budget rules of `scope` in the order of l->brule, then (days) every
 * day of the previous period and of the period. Caller frees *out.
 */
static int
dl_read(struct dl *l, const char *campaign, const char *channel,
    enum rule_scope scope, int days, struct kpi_totals **out, size_t *nout)
{
	const struct digest	*d = l->d;
	int32_t			*from, *to;
	size_t			 n = 0, max, i;
	int32_t			 k;
	int			 rc;

	max = 2 + l->nbrule + (days ? 2 * (size_t)l->ndays : 0);
	from = xcalloc(max, sizeof *from);
	to = xcalloc(max, sizeof *to);
	from[n] = d->from_day;
	to[n++] = d->to_day;
	from[n] = d->prev_from;
	to[n++] = d->prev_to;
	for (i = 0; i < l->nbrule; i++) {
		if (l->cc->ruleset[l->brule[i]].scope != scope)
			continue;
		from[n] = l->bfrom[i];
		to[n++] = l->bto[i];
	}
	if (days) {
		for (k = d->prev_from; k <= d->to_day; k++) {
			from[n] = k;
			to[n++] = k;
		}
	}
	*out = xcalloc(n, sizeof **out);
	*nout = n;
	rc = store_totals_multi(l->s, l->cc->id, campaign, channel, from, to,
	    n, *out, &l->cause);
	free(from);
	free(to);
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* The budgets of one subject: the budget rules of its scope, their spend
 * over their own periods (t[2..], as dl_read() reads them), judged at now. */
static void
dl_budgets(struct dl *l, enum rule_scope scope, const char *subject,
    const char *channel, const char *campaign, const struct kpi_totals *t)
{
	const struct rule_def	*r;
	struct rule_bound	 bound;
	struct budget_result	 br;
	struct dl_budget	*e;
	size_t			 i, k = 2;

	for (i = 0; i < l->nbrule; i++) {
		r = &l->cc->ruleset[l->brule[i]];
		if (r->scope != scope)
			continue;
		rules_bound(r, channel, campaign, &bound);
		if (bound.disabled) {
			k++;
			continue;
		}
		budget_compute(r->budget, t[k].cost, l->cc->tz, l->bfrom[i],
		    l->bto[i], l->d->generated, &br);
		l->budgets = xreallocarray(l->budgets, l->nbudgets + 1,
		    sizeof *l->budgets);
		e = &l->budgets[l->nbudgets++];
		memset(e, 0, sizeof *e);
		e->rule = l->brule[i];
		e->b.rule = xstrdup(r->name);
		e->b.subject = xstrdup(subject);
		e->b.budget = r->budget;
		e->b.spent = t[k].cost;
		e->b.from = l->bfrom[i];
		e->b.to = l->bto[i];
		e->b.running = br.defined;
		e->b.used_ppm = br.used_ppm;
		e->b.pacing_ppm = br.pacing_ppm;
		e->b.projected = br.projected;
		e->b.runout_day = br.runout_day;
		k++;
	}
}

/* ---- Rows ---- */

static void	dl_campaign_issues(struct dl *, const struct digest_row *,
		    const struct kpi_totals *);

static void
dl_row_init(struct dl *l, struct digest_row *row, const char *name,
    const char *channel, const struct kpi_totals *t)
{
	memset(row, 0, sizeof *row);
	row->name = xstrdup(name);
	row->channel = xstrdup(channel);
	row->alerts = xstrdup("");
	row->state = ALERT_OK;
	dl_figures(l, &t[0], &row->cur);
	dl_figures(l, &t[1], &row->prev);
	row->last_day = dl_last_day(&t[0], &t[1]);
}

/* Best first: ROI in the period (defined before undefined, compared
 * exactly), then revenue, then name. */
static int
dl_row_cmp(const void *a, const void *b)
{
	const struct digest_row	*x = a, *y = b;
	const struct measure_value *rx = &x->cur.roi, *ry = &y->cur.roi;
	dl_i128			 p, q;

	if (rx->defined != ry->defined)
		return rx->defined ? -1 : 1;
	if (rx->defined && rx->den > 0 && ry->den > 0) {
		/* num / den, den > 0: cross-multiplied, exactly. */
		p = (dl_i128)rx->num * ry->den;
		q = (dl_i128)ry->num * rx->den;
		if (p != q)
			return p > q ? -1 : 1;
	} else if (rx->defined && rx->floor != ry->floor)
		return rx->floor > ry->floor ? -1 : 1;
	if (x->cur.revenue != y->cur.revenue)
		return x->cur.revenue > y->cur.revenue ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
dl_row_name_cmp(const void *key, const void *elem)
{
	const struct digest_row	*r = elem;

	return strcmp(key, r->name);
}

static int
dl_custom_cb(const char *name, int64_t sum, int64_t days, void *arg)
{
	struct {
		struct measure_custom	*c;
		size_t			 n;
	} *lc = arg;

	lc->c = xreallocarray(lc->c, lc->n + 1, sizeof *lc->c);
	lc->c[lc->n].name = xstrdup(name);
	lc->c[lc->n].sum = sum;
	lc->c[lc->n].days = days;
	lc->n++;
	return 0;
}

/* A channel's CLV and CLV:CAC over the period: its configured inputs, or
 * the ingested ones (custom KPIs), as rules measure them. */
static int
dl_clv(struct dl *l, struct digest_row *row, const struct kpi_totals *t)
{
	struct {
		struct measure_custom	*c;
		size_t			 n;
	} lc = { NULL, 0 };
	const struct measure_clv *clv;
	struct measure_input	 in;
	size_t			 i;
	int			 rc;

	rc = store_custom_totals_scope(l->s, l->cc->id, NULL, row->name,
	    l->d->from_day, l->d->to_day, dl_custom_cb, &lc, &l->cause);
	if (rc == 0) {
		memset(&in, 0, sizeof in);
		in.t = t;
		in.custom = lc.c;
		in.ncustom = lc.n;
		if ((clv = config_client_clv(l->cc, row->name)) != NULL)
			in.clv = *clv;
		measure_compute(&l->m[DL_CLV], &in, &row->clv);
		measure_compute(&l->m[DL_CLV_CAC], &in, &row->clv_cac);
	}
	for (i = 0; i < lc.n; i++)
		free((char *)lc.c[i].name);
	free(lc.c);
	return rc;
}

static int
dl_channels(struct dl *l)
{
	struct digest		*d = l->d;
	struct dl_names		 nm = { NULL, 0 };
	struct kpi_totals	*t;
	size_t			 i, nt;
	int			 rc = -1;

	if (store_foreach_channel(l->s, l->cc->id, d->prev_from, d->to_day,
	    dl_channel_cb, &nm, &l->cause) != 0)
		goto out;
	d->channels = xcalloc(nm.n, sizeof *d->channels);
	for (i = 0; i < nm.n; i++) {
		if (dl_read(l, NULL, nm.v[i], RULE_SCOPE_CHANNEL, 0, &t,
		    &nt) != 0)
			goto out;
		dl_row_init(l, &d->channels[d->nchannels++], nm.v[i], "", t);
		dl_budgets(l, RULE_SCOPE_CHANNEL, nm.v[i], nm.v[i], NULL, t);
		if (dl_clv(l, &d->channels[d->nchannels - 1], &t[0]) != 0) {
			free(t);
			goto out;
		}
		free(t);
	}
	rc = 0;
out:
	dl_names_free(&nm);
	return rc;
}

/* Campaigns with a sample in either period, in name order (the alert
 * states are matched by name before the rows are sorted). */
static int
dl_campaigns(struct dl *l)
{
	struct digest		*d = l->d;
	struct dl_names		 nm = { NULL, 0 };
	struct kpi_totals	*t;
	char			 channel[METRIC_CHANNEL_MAX];
	size_t			 i, nt;
	int			 rc = -1;

	if (store_foreach_campaign(l->s, l->cc->id, dl_campaign_cb, &nm,
	    &l->cause) != 0)
		goto out;
	d->campaigns = xcalloc(nm.n, sizeof *d->campaigns);
	for (i = 0; i < nm.n; i++) {
		if (dl_read(l, nm.v[i], NULL, RULE_SCOPE_CAMPAIGN, 0, &t,
		    &nt) != 0)
			goto out;
		if (t[0].samples == 0 && t[1].samples == 0) {
			free(t);
			continue;
		}
		if (store_campaign_channel(l->s, l->cc->id, nm.v[i], channel,
		    sizeof channel, &l->cause) != 0) {
			free(t);
			goto out;
		}
		dl_row_init(l, &d->campaigns[d->ncampaigns++], nm.v[i],
		    channel, t);
		dl_campaign_issues(l, &d->campaigns[d->ncampaigns - 1],
		    &t[0]);
		dl_budgets(l, RULE_SCOPE_CAMPAIGN, nm.v[i], channel, nm.v[i],
		    t);
		free(t);
	}
	rc = 0;
out:
	dl_names_free(&nm);
	return rc;
}

/* ---- Alert states, alerts, customs, notes ---- */

static int
dl_state_rank(enum alert_state s)
{
	switch (s) {
	case ALERT_FIRING:
		return 3;
	case ALERT_PENDING:
		return 2;
	case ALERT_RESOLVED:
		return 1;
	default:
		return 0;
	}
}

/*
 * A state of the client: a campaign's, of a campaign rule still
 * configured, and not good news (a target reached is no alert), makes its
 * row's worst state and, firing or pending, its list.
 */
static int
dl_state_cb(const struct alert_key *k, const struct alert_row *r, void *arg)
{
	struct dl		*l = arg;
	struct digest_row	*row;
	const struct rule_def	*def = NULL;
	enum alert_state	 st = r->st.state;
	char			*s;
	size_t			 i;

	if (k->scope != RULE_SCOPE_CAMPAIGN)
		return 0;
	for (i = 0; i < l->cc->nruleset; i++)
		if (l->cc->ruleset[i].scope == RULE_SCOPE_CAMPAIGN &&
		    strcmp(l->cc->ruleset[i].name, k->rule) == 0)
			def = &l->cc->ruleset[i];
	if (def == NULL || def->severity == RULE_SEV_GOOD)
		return 0;
	if ((row = bsearch(k->subject, l->d->campaigns, l->d->ncampaigns,
	    sizeof *row, dl_row_name_cmp)) == NULL)
		return 0;
	if (dl_state_rank(st) > dl_state_rank(row->state))
		row->state = st;
	if (st == ALERT_FIRING || st == ALERT_PENDING) {
		xasprintf(&s, "%s%s%s", row->alerts, *row->alerts != '\0' ?
		    ", " : "", k->rule);
		free(row->alerts);
		row->alerts = s;
	}
	return 0;
}

static int
dl_event_cb(const struct alert_key *k, int fired, enum rule_severity sev,
    int64_t at, void *arg)
{
	struct digest		*d = arg;
	struct digest_alert	*a;

	d->alerts = xreallocarray(d->alerts, d->nalerts + 1,
	    sizeof *d->alerts);
	a = &d->alerts[d->nalerts++];
	memset(a, 0, sizeof *a);
	a->at = at;
	a->fired = fired;
	a->rule = xstrdup(k->rule);
	a->scope = k->scope;
	a->subject = xstrdup(k->subject);
	a->severity = sev;
	return 0;
}

/* Custom KPIs of the client's total: the period's first, then the
 * previous period's merged into them by name. */
struct dl_customs {
	struct digest	*d;
	int		 prev;
};

static int
dl_customs_cb(const char *name, int64_t sum, int64_t days, void *arg)
{
	struct dl_customs	*dc = arg;
	struct digest		*d = dc->d;
	struct digest_custom	*c = NULL;
	size_t			 i;

	for (i = 0; dc->prev && i < d->ncustoms; i++)
		if (strcmp(d->customs[i].name, name) == 0) {
			c = &d->customs[i];
			break;
		}
	if (c == NULL) {
		d->customs = xreallocarray(d->customs, d->ncustoms + 1,
		    sizeof *d->customs);
		c = &d->customs[d->ncustoms++];
		memset(c, 0, sizeof *c);
		c->name = xstrdup(name);
	}
	if (dc->prev) {
		c->prev = sum;
		c->prev_days = days;
	} else {
		c->cur = sum;
		c->cur_days = days;
	}
	return 0;
}

static int
dl_custom_name_cmp(const void *a, const void *b)
{
	const struct digest_custom *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
dl_customs(struct dl *l)
{
	struct digest		*d = l->d;
	struct dl_customs	 dc = { d, 0 };

	if (store_custom_totals(l->s, l->cc->id, NULL, d->from_day, d->to_day,
	    dl_customs_cb, &dc, &l->cause) != 0)
		return -1;
	dc.prev = 1;
	if (store_custom_totals(l->s, l->cc->id, NULL, d->prev_from,
	    d->prev_to, dl_customs_cb, &dc, &l->cause) != 0)
		return -1;
	if (d->ncustoms > 1)
		qsort(d->customs, d->ncustoms, sizeof *d->customs,
		    dl_custom_name_cmp);
	return 0;
}

static int
dl_notes(struct dl *l)
{
	struct digest		*d = l->d;
	struct store_note	*v;
	size_t			 n, i;

	if (store_note_list(l->s, l->cc->id, d->from_day, d->to_day, &v, &n,
	    &l->cause) != 0)
		return -1;
	if (n > 0)
		d->notes = xcalloc(n, sizeof *d->notes);
	for (i = 0; i < n; i++) {
		d->notes[i].id = v[i].id;
		d->notes[i].day = v[i].day;
		d->notes[i].campaign = xstrdup(v[i].campaign != NULL ?
		    v[i].campaign : "");
		d->notes[i].channel = xstrdup(v[i].channel != NULL ?
		    v[i].channel : "");
		d->notes[i].text = xstrdup(v[i].text != NULL ? v[i].text : "");
	}
	d->nnotes = n;
	store_notes_free(v, n);
	return 0;
}

/* ---- Issues ---- */

static struct digest_issue *
dl_issue(struct digest *d, enum digest_issue_kind kind, const char *subject)
{
	struct digest_issue	*is;

	d->issues = xreallocarray(d->issues, d->nissues + 1,
	    sizeof *d->issues);
	is = &d->issues[d->nissues++];
	memset(is, 0, sizeof *is);
	is->kind = kind;
	is->subject = xstrdup(subject);
	is->detail = xstrdup("");
	is->last_day = INT32_MIN;
	return is;
}

/*
 * A campaign's data issues. Coverage: its days in the period, from its
 * first to its last with data there, of which fewer are complete (a day
 * without a sample, or one lacking cost or revenue); a campaign that
 * started late is not short of coverage before it started, and one that
 * stopped early is stale rather than short for the days after. Stale: its
 * last day is before the period's end while the client has later data.
 */
static void
dl_campaign_issues(struct dl *l, const struct digest_row *r,
    const struct kpi_totals *cur)
{
	struct digest		*d = l->d;
	struct digest_issue	*is;
	int64_t			 span;

	if (cur->samples > 0) {
		span = (int64_t)cur->last_day - cur->first_day + 1;
		if (r->cur.days_complete < span) {
			is = dl_issue(d, DIGEST_ISSUE_COVERAGE, r->name);
			is->days = r->cur.days_complete;
			is->days_total = span;
			is->last_day = r->last_day;
		}
	}
	if (r->last_day < d->to_day && d->last_day != INT32_MIN &&
	    r->last_day < d->last_day) {
		is = dl_issue(d, DIGEST_ISSUE_STALE, r->name);
		is->last_day = r->last_day;
	}
}

/* ---- The digest ---- */

/* The client's total: both periods, their days, its budgets. */
static int
dl_total(struct dl *l)
{
	struct digest		*d = l->d;
	struct kpi_totals	*t;
	size_t			 nt, i, k;

	if (dl_read(l, NULL, NULL, RULE_SCOPE_CLIENT, 1, &t, &nt) != 0)
		return -1;
	dl_figures(l, &t[0], &d->total);
	dl_figures(l, &t[1], &d->prev_total);
	dl_budgets(l, RULE_SCOPE_CLIENT, "", NULL, NULL, t);
	d->nprev_days = d->ndays = (size_t)l->ndays;
	d->prev_days = xcalloc(d->nprev_days, sizeof *d->prev_days);
	d->days = xcalloc(d->ndays, sizeof *d->days);
	k = nt - 2 * (size_t)l->ndays;
	for (i = 0; i < 2 * (size_t)l->ndays; i++, k++) {
		struct digest_day *dd = i < (size_t)l->ndays ?
		    &d->prev_days[i] : &d->days[i - (size_t)l->ndays];

		dd->day = d->prev_from + (int32_t)i;
		dd->has = t[k].samples > 0;
		dd->spend = t[k].cost;
		dd->revenue = t[k].revenue;
	}
	d->last_day = dl_last_day(&t[0], &t[1]);
	free(t);
	/* No data in either period: its last day before them, if any (a
	 * day after the period is none of its business). */
	if (d->last_day == INT32_MIN) {
		int32_t last;

		if (store_last_day_scope(l->s, l->cc->id, NULL, NULL, &last,
		    &l->cause) != 0)
			return -1;
		if (last < d->prev_from)
			d->last_day = last;
	}
	return 0;
}

/* The budget rules of the client and their periods at now. */
static void
dl_budget_rules(struct dl *l)
{
	const struct rule_def	*r;
	size_t			 i;

	for (i = 0; i < l->cc->nruleset; i++) {
		r = &l->cc->ruleset[i];
		if (r->type != RULE_BUDGET)
			continue;
		l->brule = xreallocarray(l->brule, l->nbrule + 1,
		    sizeof *l->brule);
		l->bfrom = xreallocarray(l->bfrom, l->nbrule + 1,
		    sizeof *l->bfrom);
		l->bto = xreallocarray(l->bto, l->nbrule + 1, sizeof *l->bto);
		l->brule[l->nbrule] = i;
		if (r->period == BUDGET_MONTH)
			budget_month(l->cc->tz, l->d->generated,
			    &l->bfrom[l->nbrule], &l->bto[l->nbrule]);
		else {
			l->bfrom[l->nbrule] = r->flight_from;
			l->bto[l->nbrule] = r->flight_to;
		}
		l->nbrule++;
	}
}

/* By rule (the configuration's order), then subject. */
static int
dl_budget_cmp(const void *a, const void *b)
{
	const struct dl_budget	*x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->b.subject, y->b.subject);
}

static int
dl_load(struct dl *l)
{
	struct digest	*d = l->d;
	size_t		 i;

	dl_budget_rules(l);
	if (dl_total(l) != 0 || dl_channels(l) != 0 || dl_campaigns(l) != 0)
		return -1;
	if (d->last_day != INT32_MIN && d->last_day < d->to_day)
		dl_issue(d, DIGEST_ISSUE_STALE, "")->last_day = d->last_day;
	if (store_foreach_alert(l->s, l->cc->id, 1, dl_state_cb, l,
	    &l->cause) != 0)
		return -1;
	if (d->nchannels > 1)
		qsort(d->channels, d->nchannels, sizeof *d->channels,
		    dl_row_cmp);
	if (d->ncampaigns > 1)
		qsort(d->campaigns, d->ncampaigns, sizeof *d->campaigns,
		    dl_row_cmp);
	if (l->nbudgets > 1)
		qsort(l->budgets, l->nbudgets, sizeof *l->budgets,
		    dl_budget_cmp);
	if (l->nbudgets > 0)
		d->budgets = xcalloc(l->nbudgets, sizeof *d->budgets);
	for (i = 0; i < l->nbudgets; i++)
		d->budgets[d->nbudgets++] = l->budgets[i].b;
	free(l->budgets);
	l->budgets = NULL;
	l->nbudgets = 0;
	if (dl_customs(l) != 0)
		return -1;
	if (store_alert_events(l->s, l->cc->id, tz_day_start(l->cc->tz,
	    d->from_day), tz_day_start(l->cc->tz, d->to_day + 1), dl_event_cb,
	    d, &l->cause) != 0)
		return -1;
	return dl_notes(l);
}

struct digest *
digest_load(struct store *s, const struct client_conf *cc, int32_t from,
    int32_t to, int64_t now, char **cause)
{
	struct dl	 l;
	struct digest	*d;
	size_t		 i;
	int		 rc;

	if (from > to || (int64_t)to - from + 1 > DIGEST_PERIOD_DAYS_MAX ||
	    from < INT32_MIN / 2 || to > INT32_MAX / 2) {
		xasprintf(cause, "digest of client %s: period %ld to %ld: "
		    "expected from <= to, at most %d days", cc->id, (long)from,
		    (long)to, DIGEST_PERIOD_DAYS_MAX);
		return NULL;
	}
	memset(&l, 0, sizeof l);
	for (i = 0; i < DL_NMEASURES; i++)
		if (measure_lookup(dl_measure_names[i], &l.m[i], NULL) != 0)
			fatalx("%s: no measure %s", __func__,
			    dl_measure_names[i]);
	d = xcalloc(1, sizeof *d);
	d->client_id = xstrdup(cc->id);
	d->client_name = xstrdup(cc->name != NULL ? cc->name : cc->id);
	d->currency = xstrdup(cc->currency);
	d->language = xstrdup(cc->language);
	d->timezone = xstrdup(cc->timezone);
	d->schedule = xstrdup("");
	d->generated = now;
	d->from_day = from;
	d->to_day = to;
	l.ndays = to - from + 1;
	d->prev_to = from - 1;
	d->prev_from = from - l.ndays;
	d->has_min = 1;		/* minimum_roi is required */
	d->min_roi_ppm = cc->rules.min_roi_ppm;
	d->has_target = cc->rules.has_target;
	d->target_roi_ppm = cc->rules.has_target ? cc->rules.target_roi_ppm :
	    0;
	d->last_day = INT32_MIN;
	l.s = s;
	l.cc = cc;
	l.d = d;

	if (store_read_begin(s, &l.cause) != 0)
		rc = -1;
	else {
		rc = dl_load(&l);
		store_read_end(s);
	}
	for (i = 0; i < l.nbudgets; i++) {
		free(l.budgets[i].b.rule);
		free(l.budgets[i].b.subject);
	}
	free(l.budgets);
	free(l.brule);
	free(l.bfrom);
	free(l.bto);
	if (rc != 0) {
		xasprintf(cause, "digest of client %s: %s", cc->id,
		    l.cause != NULL ? l.cause : "reading the store failed");
		free(l.cause);
		digest_free(d);
		return NULL;
	}
	return d;
}

int
digest_load_sources(struct digest *d, struct store *s,
    const struct config *cfg, char **cause)
{
	const struct source_conf *src;
	struct store_source_state st;
	struct digest_issue	*is;
	size_t			 i;
	int			 found;

	for (i = 0; i < cfg->nsources; i++) {
		src = &cfg->sources[i];
		if (src->type != SOURCE_PULL || src->client == NULL ||
		    strcmp(src->client, d->client_id) != 0)
			continue;
		if ((found = store_source_get(s, src->name, &st, cause)) == -1)
			return -1;
		if (found && st.failures > 0) {
			is = dl_issue(d, DIGEST_ISSUE_SOURCE, src->name);
			free(is->detail);
			is->detail = xstrdup(st.last_error != NULL ?
			    st.last_error : "");
		}
		if (found)
			store_source_state_clear(&st);
	}
	return 0;
}
