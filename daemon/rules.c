/*
 * Alert rule state machine (see rules.h for the diagram). Pure: the time is
 * passed in and the whole memory of a (rule, subject) is its struct
 * rule_status, so a status saved in the store and read back after a restart
 * carries on exactly where it was.
 */
#include <stdint.h>
#include <string.h>

#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "rules.h"

static const char *rules_kind_names[ALERT_KIND_MAX] = {
	[ALERT_ROI_LOW] = "roi_low",
	[ALERT_ROI_TARGET] = "roi_target",
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
};

const char *
rules_kind_name(enum alert_kind k)
{
	if ((unsigned)k >= ALERT_KIND_MAX)
		return "unknown";
	return rules_kind_names[k];
}

const char *
rules_state_name(enum alert_state s)
{
	if ((unsigned)s >= ALERT_STATE_MAX)
		return "unknown";
	return rules_state_names[s];
}

const char *
rules_action_name(enum rule_action a)
{
	if ((unsigned)a >= RULE_ACTION_MAX)
		return "unknown";
	return rules_action_names[a];
}

int
rules_kind_lookup(const char *name)
{
	int	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < ALERT_KIND_MAX; i++) {
		if (strcmp(name, rules_kind_names[i]) == 0)
			return i;
	}
	return -1;
}

int
rules_state_lookup(const char *name)
{
	int	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < ALERT_STATE_MAX; i++) {
		if (strcmp(name, rules_state_names[i]) == 0)
			return i;
	}
	return -1;
}

void
rules_status_init(struct rule_status *st, int64_t now)
{
	memset(st, 0, sizeof *st);
	st->state = ALERT_OK;
	st->since = now;
}

/* The one place a status changes state: logs every transition. */
static void
rules_enter_state(enum alert_kind kind, struct rule_status *st,
    enum alert_state state, int64_t now)
{
	log_debug("%s: %s: %s -> %s (roi %lld ppm)", __func__,
	    rules_kind_name(kind), rules_state_name(st->state),
	    rules_state_name(state), (long long)st->roi_ppm);
	st->state = state;
	st->since = now;
}

static int64_t
rules_add_sat(int64_t a, int64_t b)
{
	int64_t	 r;

	if (__builtin_add_overflow(a, b, &r))
		r = b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/*
 * Shared shape of both kinds: `hit` is the alert condition (ROI below the
 * minimum, or at/above the target) and `clear` whether the firing state may
 * leave (beyond the hysteresis band). Returns the action for entering firing.
 */
static enum rule_action
rules_advance(enum alert_kind kind, const struct rule_params *p, int hit,
    int clear, int64_t now, struct rule_status *st, enum rule_action on_fire)
{
	switch (st->state) {
	case ALERT_OK:
	case ALERT_RESOLVED:
		if (!hit)
			return RULE_NONE;
		if (p->pending_secs > 0) {
			rules_enter_state(kind, st, ALERT_PENDING, now);
			return RULE_NONE;
		}
		break;
	case ALERT_PENDING:
		if (!hit) {
			/* Recovered before anyone was told: silently ok. */
			rules_enter_state(kind, st, ALERT_OK, now);
			return RULE_NONE;
		}
		if (now - st->since < p->pending_secs)
			return RULE_NONE;
		break;
	case ALERT_FIRING:
		if (clear) {
			if (kind == ALERT_ROI_TARGET) {
				/* "No longer good" is not news. */
				rules_enter_state(kind, st, ALERT_OK, now);
				return RULE_NONE;
			}
			rules_enter_state(kind, st, ALERT_RESOLVED, now);
			st->last_notified = now;
			return RULE_RESOLVE;
		}
		if (kind == ALERT_ROI_LOW && hit && p->repeat_secs > 0 &&
		    now - st->last_notified >= p->repeat_secs) {
			st->last_notified = now;
			return RULE_REPEAT;
		}
		return RULE_NONE;
	default:
		/* A corrupt saved state: start again from ok. */
		log_warnx("%s: %s: invalid state %d, reset to ok", __func__,
		    rules_kind_name(kind), (int)st->state);
		st->state = ALERT_OK;
		st->since = now;
		return RULE_NONE;
	}
	rules_enter_state(kind, st, ALERT_FIRING, now);
	st->last_notified = now;
	return on_fire;
}

/*
 * Judged only over the samples that report both cost and revenue, and only
 * when their cost is > 0 and at least min_spend (ROI is otherwise undefined or
 * too thin to mean anything) and their days cover min_coverage of the window:
 * otherwise the state is left exactly as it was (firing stays firing, pending
 * waits) and skip says why.
 */
enum rule_action
rules_step(enum alert_kind kind, const struct rule_params *p,
    const struct kpi_totals *t, int64_t now, struct rule_status *st)
{
	const struct kpi_pair_sums *ps = &t->pair[KPI_PAIR_COST_REVENUE];
	int64_t	 hyst;
	int	 hit, clear;

	st->days = ps->days;
	st->days_total = t->days;
	if (ps->samples <= 0 || ps->a <= 0)
		st->skip = RULE_SKIP_NO_DATA;
	else if (ps->a < p->min_spend)
		st->skip = RULE_SKIP_SPEND;
	else if (!kpi_coverage_ok(ps->days, t->days, p->min_coverage_ppm))
		st->skip = RULE_SKIP_COVERAGE;
	else
		st->skip = RULE_SKIP_NONE;
	st->judged = st->skip == RULE_SKIP_NONE;
	if (!st->judged)
		return RULE_NONE;
	st->roi_ppm = kpi_roi_ppm(t);
	hyst = p->hysteresis_ppm > 0 ? p->hysteresis_ppm : 0;

	switch (kind) {
	case ALERT_ROI_LOW:
		hit = kpi_roi_cmp(t, p->min_roi_ppm) < 0;
		clear = kpi_roi_cmp(t, rules_add_sat(p->min_roi_ppm, hyst)) >= 0;
		return rules_advance(kind, p, hit, clear, now, st, RULE_FIRE);
	case ALERT_ROI_TARGET:
		if (!p->has_target)
			return RULE_NONE;
		hit = kpi_roi_cmp(t, p->target_roi_ppm) >= 0;
		clear = kpi_roi_cmp(t, rules_add_sat(p->target_roi_ppm,
		    -hyst)) < 0;
		return rules_advance(kind, p, hit, clear, now, st, RULE_GOOD);
	default:
		log_warnx("%s: unknown alert kind %d", __func__, (int)kind);
		return RULE_NONE;
	}
}

const char *
rules_skip_text(enum rule_skip skip)
{
	switch (skip) {
	case RULE_SKIP_NONE:
		return "judged";
	case RULE_SKIP_NO_DATA:
		return "not judged: no cost with revenue";
	case RULE_SKIP_SPEND:
		return "not judged: spend under minimum_spend";
	case RULE_SKIP_COVERAGE:
		return "not judged: coverage under minimum_coverage";
	case RULE_SKIP_ERROR:
		return "not judged: could not be evaluated (the daemon's log "
		    "says why)";
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
