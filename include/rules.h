/*
 * Alert rule state machine: pure, time passed in. One status per (rule kind,
 * subject). Subjects are campaigns of one client.
 *
 *   ROI_LOW (bad news): judged only once spend >= min_spend and cost > 0.
 *     ok/resolved --ROI < min--> pending --held for pending_secs--> firing [FIRE]
 *     pending --ROI >= min--> ok                      (nothing was sent)
 *     firing --ROI >= min + hysteresis--> resolved [RESOLVE]
 *     firing, still bad, repeat_secs > 0 and repeat_secs since last notice [REPEAT]
 *   ROI_TARGET (good news): same shape with "ROI >= target" as the condition;
 *     reaching it sends [GOOD]; falling below target - hysteresis returns to ok
 *     silently (no message for "no longer good").
 * A pending_secs of 0 fires on the first bad evaluation.
 */
#ifndef ROIWATCH_RULES_H
#define ROIWATCH_RULES_H
#include <stdint.h>

#include "kpi.h"

enum alert_kind {
	ALERT_ROI_LOW,
	ALERT_ROI_TARGET,
	ALERT_KIND_MAX
};

enum alert_state {
	ALERT_OK,
	ALERT_PENDING,
	ALERT_FIRING,
	ALERT_RESOLVED,
	ALERT_STATE_MAX
};

enum rule_action {
	RULE_NONE,
	RULE_FIRE,	/* bad threshold crossed: alert */
	RULE_REPEAT,	/* still firing, repeat interval elapsed */
	RULE_RESOLVE,	/* back above minimum + hysteresis */
	RULE_GOOD,	/* target reached */
	RULE_ACTION_MAX
};

struct rule_params {
	int64_t	min_roi_ppm;
	int64_t	target_roi_ppm;
	int	has_target;
	int64_t	min_spend;	/* micros; no judgement below it */
	int64_t	pending_secs;
	int64_t	hysteresis_ppm;	/* >= 0 */
	int64_t	repeat_secs;	/* 0: never repeat */
};

struct rule_status {
	enum alert_state state;
	int64_t	since;		/* time of the last state change (unix seconds) */
	int64_t	last_notified;	/* 0: never */
	int64_t	roi_ppm;	/* ROI at the last evaluation (valid if judged) */
	int	judged;		/* last evaluation had enough spend and cost > 0 */
};

/* Fresh status: ALERT_OK since `now`. */
void	rules_status_init(struct rule_status *, int64_t now);

/*
 * Advance the status of one (kind, subject) given its current totals at `now`.
 * Returns the notification to send, if any. Never reads the clock.
 */
enum rule_action rules_step(enum alert_kind, const struct rule_params *,
	    const struct kpi_totals *, int64_t now, struct rule_status *);

const char *rules_kind_name(enum alert_kind);	/* "roi_low", "roi_target" */
const char *rules_state_name(enum alert_state);	/* "ok", "pending", ... */
const char *rules_action_name(enum rule_action);/* "none", "fire", ... */
int	rules_kind_lookup(const char *);	/* -1 if unknown */
int	rules_state_lookup(const char *);

#endif
