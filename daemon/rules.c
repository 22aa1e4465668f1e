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
 * Judged only with cost and revenue both reported, cost > 0 and cost at least
 * min_spend: otherwise ROI is undefined or too thin to mean anything, and the
 * status is left exactly as it was.
 */
enum rule_action
rules_step(enum alert_kind kind, const struct rule_params *p,
    const struct kpi_totals *t, int64_t now, struct rule_status *st)
{
	unsigned need = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	int64_t	 hyst;
	int	 hit, clear;

	st->judged = (t->present & need) == need && t->cost > 0 &&
	    t->cost >= p->min_spend;
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
