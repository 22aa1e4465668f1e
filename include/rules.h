/*
 * Alert rules: what a client agreed to be told, and the state machine that
 * decides when. Pure: time is passed in, measures come from the caller.
 *
 * A rule (struct rule_def) judges one KPI (a measure: measure.h) of a subject
 * -- a campaign, a channel or the client's total -- over a calendar window in
 * the client's zone (window.h). Kinds:
 *   threshold  KPI <op> value ("CPA > 40 EUR over the last 7 days")
 *   change     relative change of the KPI against the previous period of the
 *              same length <op> value ("ROI down more than 30 %": < -30 %)
 *   compound   up to RULE_CONDS_MAX conditions, threshold or change, ANDed
 *              ("spend up > 30 % while conversions change < 5 %")
 *   budget     a threshold on pacing, budget_used or projected_spend of a
 *              monthly or flight budget (budget.h)
 *   freshness  no data for the expected day by a local time ("yesterday's
 *              data by 09:00"): the measure is the days late
 * The shorthand options minimum_roi and target_roi (with pending_secs,
 * hysteresis, repeat_secs, window_days, minimum_spend) are the two rules
 * "roi_low" (ROI < minimum, critical) and "roi_target" (ROI >= target, good),
 * and keep the states they had before rules existed.
 *
 * The state machine, per (rule, subject):
 *   Judged only when the measures are defined, the volume reaches the rule's
 *   minimum and the coverage its minimum; otherwise the state is kept (a
 *   firing alert stays firing, nothing is sent) and skip says why.
 *     ok/resolved --hit--> pending --held pending_secs--> firing [FIRE/GOOD]
 *     pending --not hit--> ok                             (nothing was sent)
 *     firing --clear--> resolved [RESOLVE if notify_resolve]   (bad news)
 *     firing --clear--> ok                                 (good news: silent)
 *     firing, still hit, repeat_secs since last notice [REPEAT]  (bad news)
 *   "clear" is the hysteresis: a condition "x < V" clears at x >= clear
 *   (default V); "x > V" at x <= clear.
 *   Flap suppression: a subject whose state changed (fired or cleared) more
 *   than flap_max times within flap_secs is held: one FLAPPING notice, then
 *   silence while it goes on changing; when it has not changed for flap_secs
 *   it is released and the receivers are told the state they do not know
 *   (FIRE if it fires and they were not told, RESOLVE if it stopped).
 */
#ifndef ROIWATCH_RULES_H
#define ROIWATCH_RULES_H
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "kpi.h"
#include "measure.h"
#include "window.h"

/* What a notice event is: the two shorthand rules keep their messages. */
enum alert_kind {
	ALERT_ROI_LOW,		/* shorthand minimum_roi */
	ALERT_ROI_TARGET,	/* shorthand target_roi */
	ALERT_RULE,		/* any configured rule */
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
	RULE_RESOLVE,	/* back beyond the clear threshold */
	RULE_GOOD,	/* good news: target reached */
	RULE_FLAPPING,	/* changing too often: held until stable */
	RULE_ACTION_MAX
};

/* Why the last evaluation did not judge (RULE_SKIP_NONE: it did). */
enum rule_skip {
	RULE_SKIP_NONE,
	RULE_SKIP_NO_DATA,	/* the KPI is missing or undefined (no cost
				   with revenue, a divisor of 0...) */
	RULE_SKIP_SPEND,	/* the volume is under the rule's minimum */
	RULE_SKIP_COVERAGE,	/* complete days under min_coverage */
	RULE_SKIP_ERROR,	/* the subject could not be evaluated (its
				   totals out of range, a read failed):
				   skipped, the others judged; see the log */
	RULE_SKIP_NO_PREVIOUS,	/* change: the previous period has no value */
	RULE_SKIP_NO_BUDGET,	/* budget: the period is not running */
	RULE_SKIP_MAX
};

enum rule_type {
	RULE_THRESHOLD,
	RULE_CHANGE,
	RULE_COMPOUND,
	RULE_BUDGET,
	RULE_FRESHNESS,
	RULE_TYPE_MAX
};

enum rule_scope {
	RULE_SCOPE_CAMPAIGN,
	RULE_SCOPE_CHANNEL,
	RULE_SCOPE_CLIENT,
	RULE_SCOPE_MAX
};

enum rule_cmp {
	RULE_CMP_LT,
	RULE_CMP_LE,
	RULE_CMP_GT,
	RULE_CMP_GE,
	RULE_CMP_MAX
};

enum rule_severity {
	RULE_SEV_CRITICAL,
	RULE_SEV_WARNING,
	RULE_SEV_INFO,
	RULE_SEV_GOOD,		/* good news: reaching it is the message */
	RULE_SEV_MAX
};

enum rule_volume {
	RULE_VOLUME_SPEND,	/* micros */
	RULE_VOLUME_CLICKS,
	RULE_VOLUME_CONVERSIONS,
	RULE_VOLUME_MAX
};

/* Where a rule's threshold came from, for explanations. */
enum rule_origin {
	RULE_ORIGIN_SHORTHAND,	/* minimum_roi / target_roi of the client */
	RULE_ORIGIN_DEFAULT,	/* "rules" of the main file */
	RULE_ORIGIN_CLIENT,	/* "rules" of the client's file */
	RULE_ORIGIN_CHANNEL,	/* an override for the subject's channel */
	RULE_ORIGIN_CAMPAIGN,	/* an override for the campaign */
	RULE_ORIGIN_MAX
};

#define RULE_CONDS_MAX	4
#define RULE_NAME_MAX	64	/* bytes including NUL */

struct rule_cond {
	struct measure_ref m;
	enum rule_cmp	 cmp;
	int64_t		 value;		/* in the measure's unit; change: ppm */
	int64_t		 clear;		/* the condition clears past this */
	int		 change;	/* judge the change against the
					   previous period, not the value */
};

/* Per-channel or per-campaign values of a rule (first condition). */
struct rule_override {
	char		*channel;	/* one of channel, campaign */
	char		*campaign;
	int		 disabled;	/* the rule does not apply there */
	int		 has_value;
	int64_t		 value;
	int		 has_clear;
	int64_t		 clear;
	int		 has_min_volume;
	int64_t		 min_volume;
	int		 line;
};

struct rule_def {
	char		*name;		/* [a-z0-9_.-], unique per client */
	enum alert_kind	 kind;		/* ALERT_RULE, or a shorthand's */
	enum rule_type	 type;
	enum rule_scope	 scope;
	enum rule_severity severity;
	struct rule_cond cond[RULE_CONDS_MAX];
	size_t		 ncond;
	struct window_spec window;
	enum rule_volume volume;
	int64_t		 min_volume;	/* in the volume's unit (spend: micros) */
	int64_t		 min_coverage_ppm;
	int64_t		 pending_secs;
	int64_t		 repeat_secs;	/* 0: never */
	int		 notify_resolve;
	int64_t		 flap_max;	/* 0: no flap suppression */
	int64_t		 flap_secs;
	/* budget */
	enum budget_period_kind period;
	int64_t		 budget;	/* micros */
	int32_t		 flight_from, flight_to;	/* local days */
	/* freshness: data for the day `lag_days` before today expected by
	 * local time `by_sec`; only the channel's samples when set */
	int32_t		 by_sec;
	int32_t		 lag_days;
	char		*channel;
	struct rule_override *ov;
	size_t		 nov;
	enum rule_origin origin;
	char		*file;		/* where it was defined */
	int		 line;
};

/* A rule's thresholds for one subject, overrides applied. */
struct rule_bound {
	int		 disabled;
	int64_t		 value[RULE_CONDS_MAX];
	int64_t		 clear[RULE_CONDS_MAX];
	int64_t		 min_volume;
	enum rule_origin origin;
	int		 line;		/* of the override, or the rule */
};

/* The override (campaign first, then channel) of a subject, applied. */
void	rules_bound(const struct rule_def *, const char *channel,
	    const char *campaign, struct rule_bound *);

/* What evaluation measured for one subject and rule. */
struct rule_facts {
	struct measure_value cur[RULE_CONDS_MAX];
	struct measure_value prev[RULE_CONDS_MAX];	/* change conditions */
	int64_t		 volume;	/* of the rule's volume kind */
	int		 budget_running;	/* budget: the period runs */
};

/* The judgement of one evaluation. */
struct rule_verdict {
	enum rule_skip	 skip;
	int		 hit;		/* every condition holds */
	int		 clear;		/* some condition is past its clear */
	int64_t		 value;		/* first condition's value (floor):
					   the KPI, or its change in ppm */
	int64_t		 days, days_total;	/* coverage of the first */
};

void	rules_judge(const struct rule_def *, const struct rule_bound *,
	    const struct rule_facts *, struct rule_verdict *);

struct rule_status {
	enum alert_state state;
	int64_t	since;		/* time of the last state change (unix seconds) */
	int64_t	last_notified;	/* 0: never */
	int64_t	value;		/* at the last evaluation (valid if judged);
				   the shorthand rules: ROI in ppm */
	int	judged;		/* last evaluation judged (skip == NONE) */
	enum rule_skip skip;	/* why not */
	int64_t	days;		/* coverage at the last evaluation: complete */
	int64_t	days_total;	/* days with any sample */
	int	told;		/* receivers were last told it fires */
	int	flapping;	/* held: changing too often */
	int64_t	flap_start;	/* start of the current flap count */
	int64_t	flap_count;	/* changes since flap_start */
	int64_t	last_change;	/* last fire or clear (0: never) */
};

/* Fresh status: ALERT_OK since `now`. */
void	rules_status_init(struct rule_status *, int64_t now);

/*
 * Advance the status of one (rule, subject) given the verdict at `now`.
 * Returns the notification to send, if any. Never reads the clock.
 */
enum rule_action rules_step(const struct rule_def *, const struct rule_verdict *,
	    int64_t now, struct rule_status *);

/*
 * The two shorthand rules of a client's minimum_roi / target_roi options:
 * roi_low (ROI < min, clear at min + hysteresis, critical) and, when
 * has_target, roi_target (ROI >= target, clear under target - hysteresis,
 * good); window_days N as the last N days of data. Fills out[0..] and
 * returns how many (1 or 2). Names are static strings: not freed.
 */
struct rule_params {
	int64_t	min_roi_ppm;
	int64_t	target_roi_ppm;
	int	has_target;
	int64_t	min_spend;	/* micros of the complete samples' cost */
	int64_t	min_coverage_ppm; /* complete days / days, in ppm */
	int64_t	pending_secs;
	int64_t	hysteresis_ppm;	/* >= 0 */
	int64_t	repeat_secs;	/* 0: never repeat */
	int64_t	flap_max;	/* flap suppression of every rule */
	int64_t	flap_secs;
};
size_t	rules_shorthand(const struct rule_params *, int64_t window_days,
	    struct rule_def out[2]);
/*
 * The facts of a rule from the measures' inputs of the current window and,
 * for change conditions, of the previous one (prev may be NULL): each
 * condition's measure, and the volume (spend: the cost of the samples that
 * also report revenue when the first KPI is taken from that pair, as
 * minimum_spend always meant; else the window's plain sums).
 */
void	rules_facts(const struct rule_def *, const struct measure_input *cur,
	    const struct measure_input *prev, struct rule_facts *);


/* Why a status was not judged, in words ("coverage under the minimum"). */
const char *rules_skip_text(enum rule_skip);
/*
 * judged and skip as the one integer the store keeps (1: judged; 0: not
 * judged, reason unknown; 2 + skip otherwise) and back.
 */
int	rules_judged_encode(const struct rule_status *);
void	rules_judged_decode(int, struct rule_status *);

const char *rules_kind_name(enum alert_kind);	/* "roi_low", "roi_target", "rule" */
const char *rules_state_name(enum alert_state);	/* "ok", "pending", ... */
const char *rules_action_name(enum rule_action);/* "none", "fire", ... */
const char *rules_type_name(enum rule_type);	/* "threshold", ... */
const char *rules_scope_name(enum rule_scope);	/* "campaign", ... */
const char *rules_cmp_name(enum rule_cmp);	/* "<", "<=", ">", ">=" */
const char *rules_severity_name(enum rule_severity); /* "critical", ... */
const char *rules_volume_name(enum rule_volume);	/* "spend", ... */
const char *rules_origin_name(enum rule_origin);
int	rules_kind_lookup(const char *);	/* -1 if unknown */
int	rules_state_lookup(const char *);
int	rules_type_lookup(const char *);
int	rules_scope_lookup(const char *);
int	rules_cmp_lookup(const char *);
int	rules_severity_lookup(const char *);
int	rules_volume_lookup(const char *);
void	rules_def_free(struct rule_def *);	/* members, not the struct */

#endif
