/*
 * Notices combined and sorted for routing (notice-merge.c): which severity
 * an event carries, a receiver's share of a notice (its severities), the
 * events of a grouping wait merged into one message, and the items a
 * receiver could not get for a while folded into one summary. Pure: no
 * clock, no I/O.
 */
#ifndef ROIWATCH_NOTICE_MERGE_H
#define ROIWATCH_NOTICE_MERGE_H
#include <stddef.h>

#include "notice.h"
#include "rules.h"

/* A set of severities: bit 1 << enum rule_severity. */
#define NOTICE_SEV_BIT(s)	(1u << (unsigned)(s))
#define NOTICE_SEV_ALL		((1u << RULE_SEV_MAX) - 1)

/*
 * The severity an event is routed by: its rule's. Every action of a rule
 * carries it (fire, repeat, resolve, good news, flapping): a receiver that
 * heard an alert also hears it clear or be held as flapping. Events read
 * from payloads older than configured rules (no rule name) take their
 * shorthand's: roi_low critical, roi_target good.
 */
enum rule_severity notice_event_severity(const struct notice_event *);

/* A copy of n with only the events whose severity is in mask (maybe none). */
struct notice	*notice_filter(const struct notice *n, unsigned mask);

/*
 * Append the events of from to into (a grouping wait: one message for a
 * burst). into keeps its header and creation time; the counts of events
 * superseded or unreadable add up.
 */
void		 notice_merge(struct notice *into, const struct notice *from);

/*
 * Fold notices (oldest first) into one summary: for each subject and rule
 * (scope, campaign, channel, kind, rule name) only its latest event is
 * kept, at the place of that latest event, so the survivors stay in the
 * order they happened; the others are counted in nsuperseded (with those
 * the inputs had folded already). The header is the first notice's, the
 * creation time the last's. NULL when n is 0.
 */
struct notice	*notice_fold(struct notice *const *ns, size_t n);

#endif
