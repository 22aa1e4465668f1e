/*
 * Alert rule state machine: pure, time passed in. One status per (rule kind,
 * subject). Subjects are campaigns of one client.
 *
 *   Judged over the samples with both cost and revenue (kpi.h), only when their
 *   cost is > 0 and >= min_spend and their days cover at least min_coverage of
 *   the window's days; otherwise the status keeps its state (a firing alert
 *   stays firing, nothing is sent) and records why it was not judged.
 *   ROI_LOW (bad news):
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

/* Why the last evaluation did not judge (RULE_SKIP_NONE: it did). */
enum rule_skip {
	RULE_SKIP_NONE,
	RULE_SKIP_NO_DATA,	/* no sample with both cost and revenue, or
				   their cost is 0: ROI undefined */
	RULE_SKIP_SPEND,	/* their cost is under min_spend */
	RULE_SKIP_COVERAGE,	/* their days are under min_coverage */
	RULE_SKIP_ERROR,	/* the campaign could not be evaluated (its
				   totals out of range, a read failed):
				   skipped, the others judged; see the log */
	RULE_SKIP_MAX
};

struct rule_params {
	int64_t	min_roi_ppm;
	int64_t	target_roi_ppm;
	int	has_target;
	int64_t	min_spend;	/* micros of the complete samples' cost;
				   no judgement below it */
	int64_t	min_coverage_ppm; /* complete days / days, in ppm (50 %
				   = 500 000); no judgement below it */
	int64_t	pending_secs;
	int64_t	hysteresis_ppm;	/* >= 0 */
	int64_t	repeat_secs;	/* 0: never repeat */
};

struct rule_status {
	enum alert_state state;
	int64_t	since;		/* time of the last state change (unix seconds) */
	int64_t	last_notified;	/* 0: never */
	int64_t	roi_ppm;	/* ROI at the last evaluation (valid if judged) */
	int	judged;		/* last evaluation judged (skip == NONE) */
	enum rule_skip skip;	/* why not */
	int64_t	days;		/* coverage at the last evaluation: complete */
	int64_t	days_total;	/* days of (cost, revenue) / days; not stored */
};

/* Fresh status: ALERT_OK since `now`. */
void	rules_status_init(struct rule_status *, int64_t now);

/*
 * Advance the status of one (kind, subject) given its current totals at `now`.
 * Returns the notification to send, if any. Never reads the clock.
 */
enum rule_action rules_step(enum alert_kind, const struct rule_params *,
	    const struct kpi_totals *, int64_t now, struct rule_status *);

/* Why a status was not judged, in words ("coverage under the minimum"). */
const char *rules_skip_text(enum rule_skip);
/*
 * judged and skip as the one integer the store keeps (1: judged; 0: not
 * judged, reason unknown; 2 + skip otherwise) and back.
 */
int	rules_judged_encode(const struct rule_status *);
void	rules_judged_decode(int, struct rule_status *);

const char *rules_kind_name(enum alert_kind);	/* "roi_low", "roi_target" */
const char *rules_state_name(enum alert_state);	/* "ok", "pending", ... */
const char *rules_action_name(enum rule_action);/* "none", "fire", ... */
int	rules_kind_lookup(const char *);	/* -1 if unknown */
int	rules_state_lookup(const char *);

#endif
