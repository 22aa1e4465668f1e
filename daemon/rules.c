/*
 * Alert rules (see rules.h for the kinds and the state machine). Pure: the
 * time is passed in and the whole memory of a (rule, subject) is its struct
 * rule_status, so a status saved in the store and read back after a restart
 * carries on exactly where it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rules.h"

static const char *rules_kind_names[ALERT_KIND_MAX] = {
	[ALERT_ROI_LOW] = "roi_low",
	[ALERT_ROI_TARGET] = "roi_target",
	[ALERT_RULE] = "rule",
};

static const char *rules_state_names[ALERT_STATE_MAX] = {
	[ALERT_OK] = "ok",
	[ALERT_PENDING] = "pending",
	[ALERT_FIRING] = "firing",
	[ALERT_RESOLVED] = "resolved",
};

static const char *rules_action_names[RULE_ACTION_MAX] = {
	[RULE_NONE] = "none",
	[RULE_FIRE] = "fire",
	[RULE_REPEAT] = "repeat",
	[RULE_RESOLVE] = "resolve",
	[RULE_GOOD] = "good",
	[RULE_FLAPPING] = "flapping",
};

static const char *rules_type_names[RULE_TYPE_MAX] = {
	[RULE_THRESHOLD] = "threshold",
	[RULE_CHANGE] = "change",
	[RULE_COMPOUND] = "compound",
	[RULE_BUDGET] = "budget",
	[RULE_FRESHNESS] = "freshness",
};

static const char *rules_scope_names[RULE_SCOPE_MAX] = {
	[RULE_SCOPE_CAMPAIGN] = "campaign",
	[RULE_SCOPE_CHANNEL] = "channel",
	[RULE_SCOPE_CLIENT] = "client",
};

static const char *rules_cmp_names[RULE_CMP_MAX] = {
	[RULE_CMP_LT] = "<",
	[RULE_CMP_LE] = "<=",
	[RULE_CMP_GT] = ">",
	[RULE_CMP_GE] = ">=",
};

static const char *rules_severity_names[RULE_SEV_MAX] = {
	[RULE_SEV_CRITICAL] = "critical",
	[RULE_SEV_WARNING] = "warning",
	[RULE_SEV_INFO] = "info",
	[RULE_SEV_GOOD] = "good",
};

static const char *rules_volume_names[RULE_VOLUME_MAX] = {
	[RULE_VOLUME_SPEND] = "spend",
	[RULE_VOLUME_CLICKS] = "clicks",
	[RULE_VOLUME_CONVERSIONS] = "conversions",
};

static const char *rules_origin_names[RULE_ORIGIN_MAX] = {
	[RULE_ORIGIN_SHORTHAND] = "client's minimum_roi/target_roi",
	[RULE_ORIGIN_DEFAULT] = "main file's rules (default)",
	[RULE_ORIGIN_CLIENT] = "client's rules",
	[RULE_ORIGIN_CHANNEL] = "channel override",
	[RULE_ORIGIN_CAMPAIGN] = "campaign override",
};

static const char *
rules_name_of(const char *const *names, unsigned n, unsigned i)
{
	if (i >= n || names[i] == NULL)
		return "unknown";
	return names[i];
}

static int
rules_lookup_in(const char *const *names, int n, const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

#define RULES_NAMES(fn, type, names, max)				\
const char *								\
rules_##fn##_name(type v)						\
{									\
	return rules_name_of(names, max, (unsigned)v);			\
}									\
int									\
rules_##fn##_lookup(const char *s)					\
{									\
	return rules_lookup_in(names, max, s);				\
}
RULES_NAMES(kind, enum alert_kind, rules_kind_names, ALERT_KIND_MAX)
RULES_NAMES(state, enum alert_state, rules_state_names, ALERT_STATE_MAX)
RULES_NAMES(type, enum rule_type, rules_type_names, RULE_TYPE_MAX)
RULES_NAMES(scope, enum rule_scope, rules_scope_names, RULE_SCOPE_MAX)
RULES_NAMES(cmp, enum rule_cmp, rules_cmp_names, RULE_CMP_MAX)
RULES_NAMES(severity, enum rule_severity, rules_severity_names, RULE_SEV_MAX)
RULES_NAMES(volume, enum rule_volume, rules_volume_names, RULE_VOLUME_MAX)
#undef RULES_NAMES

const char *
rules_action_name(enum rule_action a)
{
	return rules_name_of(rules_action_names, RULE_ACTION_MAX, (unsigned)a);
}

const char *
rules_origin_name(enum rule_origin o)
{
	return rules_name_of(rules_origin_names, RULE_ORIGIN_MAX, (unsigned)o);
}

void
rules_def_free(struct rule_def *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nov; i++) {
		free(r->ov[i].channel);
		free(r->ov[i].campaign);
	}
	free(r->ov);
	free(r->name);
	free(r->channel);
	free(r->file);
	memset(r, 0, sizeof *r);
}

void
rules_status_init(struct rule_status *st, int64_t now)
{
	memset(st, 0, sizeof *st);
	st->state = ALERT_OK;
	st->since = now;
}

static int64_t
rules_add_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		r = b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

size_t
rules_shorthand(const struct rule_params *s, int64_t window_days,
    struct rule_def out[2])
{
	struct rule_def *r;
	size_t n = 0, k;
	int64_t hyst = s->hysteresis_ppm > 0 ? s->hysteresis_ppm : 0;

	for (k = 0; k < 2; k++) {
		if (k == 1 && !s->has_target)
			break;
		r = &out[n++];
		memset(r, 0, sizeof *r);
		r->kind = k == 0 ? ALERT_ROI_LOW : ALERT_ROI_TARGET;
		r->name = (char *)rules_kind_name(r->kind);
		r->type = RULE_THRESHOLD;
		r->scope = RULE_SCOPE_CAMPAIGN;
		r->severity = k == 0 ? RULE_SEV_CRITICAL : RULE_SEV_GOOD;
		r->ncond = 1;
		(void)measure_lookup("roi", &r->cond[0].m, NULL);
		if (k == 0) {
			r->cond[0].cmp = RULE_CMP_LT;
			r->cond[0].value = s->min_roi_ppm;
			r->cond[0].clear = rules_add_sat(s->min_roi_ppm, hyst);
		} else {
			r->cond[0].cmp = RULE_CMP_GE;
			r->cond[0].value = s->target_roi_ppm;
			r->cond[0].clear = rules_add_sat(s->target_roi_ppm,
			    -hyst);
		}
		if (window_days > 0) {
			r->window.kind = WINDOW_DATA_DAYS;
			r->window.n = (int32_t)window_days;
		} else
			r->window.kind = WINDOW_LIFETIME;
		r->volume = RULE_VOLUME_SPEND;
		r->min_volume = s->min_spend;
		r->min_coverage_ppm = s->min_coverage_ppm;
		r->pending_secs = s->pending_secs;
		r->repeat_secs = k == 0 ? s->repeat_secs : 0;
		r->notify_resolve = k == 0;
		r->flap_max = s->flap_max;
		r->flap_secs = s->flap_secs;
		r->origin = RULE_ORIGIN_SHORTHAND;
	}
	return n;
}

void
rules_facts(const struct rule_def *r, const struct measure_input *cur,
    const struct measure_input *prev, struct rule_facts *f)
{
	const struct kpi_totals *t = cur->t;
	char name[64];
	size_t i;

	memset(f, 0, sizeof *f);
	for (i = 0; i < r->ncond; i++) {
		measure_compute(&r->cond[i].m, cur, &f->cur[i]);
		if (r->cond[i].change && prev != NULL)
			measure_compute(&r->cond[i].m, prev, &f->prev[i]);
	}
	f->budget_running = cur->budget.has;
	switch (r->volume) {
	case RULE_VOLUME_SPEND:
		measure_name(&r->cond[0].m, name, sizeof name);
		if (strcmp(name, "roi") == 0 || strcmp(name, "roas") == 0 ||
		    strcmp(name, "profit") == 0)
			f->volume = t->pair[KPI_PAIR_COST_REVENUE].a;
		else
			f->volume = t->cost;
		break;
	case RULE_VOLUME_CLICKS:
		f->volume = t->clicks;
		break;
	case RULE_VOLUME_CONVERSIONS:
		f->volume = t->conversions;
		break;
	default:
		break;
	}
}

void
rules_bound(const struct rule_def *r, const char *channel,
    const char *campaign, struct rule_bound *b)
{
	const struct rule_override *o, *pick = NULL;
	size_t i;

	memset(b, 0, sizeof *b);
	for (i = 0; i < r->ncond; i++) {
		b->value[i] = r->cond[i].value;
		b->clear[i] = r->cond[i].clear;
	}
	b->min_volume = r->min_volume;
	b->origin = r->origin;
	b->line = r->line;
	/* A campaign's override wins over its channel's. */
	for (i = 0; i < r->nov; i++) {
		o = &r->ov[i];
		if (o->campaign != NULL && campaign != NULL &&
		    strcmp(o->campaign, campaign) == 0) {
			pick = o;
			break;
		}
		if (o->channel != NULL && channel != NULL && pick == NULL &&
		    strcmp(o->channel, channel) == 0)
			pick = o;
	}
	if (pick == NULL)
		return;
	b->origin = pick->campaign != NULL ? RULE_ORIGIN_CAMPAIGN :
	    RULE_ORIGIN_CHANNEL;
	b->line = pick->line;
	b->disabled = pick->disabled;
	if (pick->has_value) {
		/* The clear threshold keeps its distance from the value. */
		b->clear[0] = rules_add_sat(pick->value,
		    b->clear[0] - b->value[0]);
		b->value[0] = pick->value;
	}
	if (pick->has_clear)
		b->clear[0] = pick->clear;
	if (pick->has_min_volume)
		b->min_volume = pick->min_volume;
}

/* Whether value v (a measure) satisfies "v <cmp> t". */
static int
rules_holds(const struct measure_value *v, enum rule_cmp cmp, int64_t t)
{
	int c = measure_cmp(v, t);

	switch (cmp) {
	case RULE_CMP_LT:
		return c < 0;
	case RULE_CMP_LE:
		return c <= 0;
	case RULE_CMP_GT:
		return c > 0;
	case RULE_CMP_GE:
		return c >= 0;
	default:
		return 0;
	}
}

/* Past the clear threshold: the negation of the condition at `clear`. */
static int
rules_cleared(const struct measure_value *v, enum rule_cmp cmp, int64_t clear)
{
	return !rules_holds(v, cmp, clear);
}

void
rules_judge(const struct rule_def *r, const struct rule_bound *b,
    const struct rule_facts *f, struct rule_verdict *out)
{
	const struct measure_value *v;
	struct measure_value chg[RULE_CONDS_MAX];
	size_t i;

	memset(out, 0, sizeof *out);
	if (r->ncond == 0) {
		out->skip = RULE_SKIP_NO_DATA;
		return;
	}
	out->days = f->cur[0].days;
	out->days_total = f->cur[0].days_total;
	if (r->type == RULE_BUDGET && !f->budget_running) {
		out->skip = RULE_SKIP_NO_BUDGET;
		return;
	}
	for (i = 0; i < r->ncond; i++) {
		if (!f->cur[i].defined) {
			out->skip = RULE_SKIP_NO_DATA;
			return;
		}
		if (r->cond[i].change) {
			if (!f->prev[i].defined) {
				out->skip = RULE_SKIP_NO_PREVIOUS;
				return;
			}
			measure_change(&f->cur[i], &f->prev[i], &chg[i]);
			if (!chg[i].defined) {
				out->skip = RULE_SKIP_NO_PREVIOUS;
				return;
			}
		}
	}
	if (r->type != RULE_FRESHNESS && f->volume < b->min_volume) {
		out->skip = RULE_SKIP_SPEND;
		return;
	}
	for (i = 0; i < r->ncond; i++) {
		if (r->cond[i].change || r->type == RULE_FRESHNESS)
			continue;
		if (!kpi_coverage_ok(f->cur[i].days, f->cur[i].days_total,
		    r->min_coverage_ppm)) {
			out->skip = RULE_SKIP_COVERAGE;
			out->days = f->cur[i].days;
			out->days_total = f->cur[i].days_total;
			return;
		}
	}
	out->skip = RULE_SKIP_NONE;
	out->hit = 1;
	out->clear = 0;
	for (i = 0; i < r->ncond; i++) {
		v = r->cond[i].change ? &chg[i] : &f->cur[i];
		if (i == 0)
			out->value = v->floor;
		if (!rules_holds(v, r->cond[i].cmp, b->value[i]))
			out->hit = 0;
		if (rules_cleared(v, r->cond[i].cmp, b->clear[i]))
			out->clear = 1;
	}
}

static int
rules_good(const struct rule_def *r)
{
	return r->severity == RULE_SEV_GOOD;
}

/* The one place a status changes state: logs every transition. */
static void
rules_enter_state(const struct rule_def *r, struct rule_status *st,
    enum alert_state state, int64_t now)
{
	log_debug("%s: %s: %s -> %s (value %lld)", __func__, r->name,
	    rules_state_name(st->state), rules_state_name(state),
	    (long long)st->value);
	st->state = state;
	st->since = now;
}

/*
 * A fire or a clear: count it towards flapping. Returns 1 when this change
 * starts the subject flapping (tell once, then hold).
 */
static int
rules_flap_count(const struct rule_def *r, struct rule_status *st,
    int64_t now)
{
	st->last_change = now;
	if (r->flap_max <= 0)
		return 0;
	if (st->flap_count == 0 || now - st->flap_start >= r->flap_secs) {
		st->flap_start = now;
		st->flap_count = 0;
	}
	st->flap_count++;
	if (!st->flapping && st->flap_count > r->flap_max) {
		st->flapping = 1;
		return 1;
	}
	return 0;
}

/* What the receivers should hear of a state change, flapping aside. */
static enum rule_action
rules_tell(const struct rule_def *r, struct rule_status *st, int firing,
    int64_t now)
{
	enum rule_action a = RULE_NONE;

	if (firing && !st->told)
		a = rules_good(r) ? RULE_GOOD : RULE_FIRE;
	else if (!firing && st->told && !rules_good(r) && r->notify_resolve)
		a = RULE_RESOLVE;
	st->told = firing;
	if (a != RULE_NONE)
		st->last_notified = now;
	return a;
}

enum rule_action
rules_step(const struct rule_def *r, const struct rule_verdict *v,
    int64_t now, struct rule_status *st)
{
	int changed = 0, firing;

	st->days = v->days;
	st->days_total = v->days_total;
	st->skip = v->skip;
	st->judged = v->skip == RULE_SKIP_NONE;
	if (!st->judged)
		return RULE_NONE;
	st->value = v->value;

	switch (st->state) {
	case ALERT_OK:
	case ALERT_RESOLVED:
		if (!v->hit)
			break;
		if (r->pending_secs > 0) {
			rules_enter_state(r, st, ALERT_PENDING, now);
			break;
		}
		rules_enter_state(r, st, ALERT_FIRING, now);
		changed = 1;
		break;
	case ALERT_PENDING:
		if (!v->hit) {
			/* Recovered before anyone was told: silently ok. */
			rules_enter_state(r, st, ALERT_OK, now);
			break;
		}
		if (now - st->since < r->pending_secs)
			break;
		rules_enter_state(r, st, ALERT_FIRING, now);
		changed = 1;
		break;
	case ALERT_FIRING:
		if (v->clear && !v->hit) {
			rules_enter_state(r, st, rules_good(r) ||
			    !r->notify_resolve ? ALERT_OK : ALERT_RESOLVED,
			    now);
			changed = 1;
		}
		break;
	default:
		/* A corrupt saved state: start again from ok. */
		log_warnx("%s: %s: invalid state %d, reset to ok", __func__,
		    r->name, (int)st->state);
		st->state = ALERT_OK;
		st->since = now;
		return RULE_NONE;
	}
	firing = st->state == ALERT_FIRING;

	if (changed && rules_flap_count(r, st, now)) {
		/* Say once that it flaps; the receivers' picture is kept
		 * (told) and corrected when it settles. */
		st->last_notified = now;
		return RULE_FLAPPING;
	}
	if (st->flapping) {
		if (now - st->last_change < r->flap_secs)
			return RULE_NONE;
		/* Stable for a whole flap window: released. */
		st->flapping = 0;
		st->flap_count = 0;
		log_debug("%s: %s: stable again", __func__, r->name);
		return rules_tell(r, st, firing, now);
	}
	if (changed)
		return rules_tell(r, st, firing, now);
	if (firing && v->hit && !rules_good(r) && r->repeat_secs > 0 &&
	    now - st->last_notified >= r->repeat_secs) {
		st->last_notified = now;
		st->told = 1;
		return RULE_REPEAT;
	}
	return RULE_NONE;
}

const char *
rules_skip_text(enum rule_skip skip)
{
	switch (skip) {
	case RULE_SKIP_NONE:
		return "judged";
	case RULE_SKIP_NO_DATA:
		return "not judged: no data for the KPI (missing or "
		    "undefined)";
	case RULE_SKIP_SPEND:
		return "not judged: volume under the rule's minimum";
	case RULE_SKIP_COVERAGE:
		return "not judged: coverage under minimum_coverage";
	case RULE_SKIP_ERROR:
		return "not judged: could not be evaluated (the daemon's log "
		    "says why)";
	case RULE_SKIP_NO_PREVIOUS:
		return "not judged: no value for the previous period";
	case RULE_SKIP_NO_BUDGET:
		return "not judged: the budget's period is not running";
	default:
		return "not judged";
	}
}

int
rules_judged_encode(const struct rule_status *st)
{
	if (st->judged)
		return 1;
	if ((unsigned)st->skip >= RULE_SKIP_MAX || st->skip == RULE_SKIP_NONE)
		return 0;
	return 2 + (int)st->skip;
}

void
rules_judged_decode(int v, struct rule_status *st)
{
	st->judged = v == 1;
	if (v == 1)
		st->skip = RULE_SKIP_NONE;
	else if (v >= 2 && v - 2 < RULE_SKIP_MAX && v - 2 != RULE_SKIP_NONE)
		st->skip = (enum rule_skip)(v - 2);
	else
		st->skip = RULE_SKIP_NO_DATA;	/* saved before reasons were */
}
