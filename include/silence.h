/*
 * Silences: an operator's order not to notify about a client -- or one of
 * its campaigns, or one rule -- until a given instant (`roiwatch silence`).
 * The store keeps them (store-silence.c) and the evaluator asks it whether
 * one covers a notice. This is the pure part: reading the end the operator
 * wrote (a duration, or a date and time on the client's local calendar),
 * checking the texts, and showing instants in the client's local time. The
 * zone and the time are passed in: no clock, no files.
 */
#ifndef ROIWATCH_SILENCE_H
#define ROIWATCH_SILENCE_H
#include <stddef.h>
#include <stdint.h>

#include "metric.h"

struct tz;

#define SILENCE_MAX_AHEAD	(90 * 86400)	/* the latest end, from now */
#define SILENCE_KEEP_SECS	(30 * 86400)	/* ended ones kept this long */
#define SILENCE_REASON_MAX	500		/* bytes */
#define SILENCE_RULE_MAX	64		/* bytes: [a-z0-9_.-]{1,64} */
#define SILENCE_LOCAL_MAX	32		/* silence_format_local() */

struct silence {
	int64_t	 id;
	char	 client[METRIC_CLIENT_MAX];
	char	 campaign[METRIC_CAMPAIGN_MAX];	/* "": every campaign */
	char	 rule[SILENCE_RULE_MAX + 1];	/* "": every rule */
	char	 reason[SILENCE_REASON_MAX + 1];
	int64_t	 created;		/* unix time */
	int64_t	 until;			/* silent while now < until */
	int64_t	 removed;		/* `silence remove` time; 0: never */
};

/*
 * The end of a silence written as WHEN, at `now`, in the client's zone:
 * - a duration from now: terms of a number and a unit, m(inutes), h(ours),
 *   d(ays of 24 h) or w(eeks): "30m", "2h", "3d", "1w", "1h30m";
 * - a local date, "2026-12-05": through that day, i.e. until the start of
 *   the next local day;
 * - a local date and time, "2026-12-05 09:00" or "2026-12-05T09:00" (":SS"
 *   allowed): the first instant at which the client's clock reads that
 *   time. A time skipped by a change to summer time ends when the clock
 *   jumps past it: "2026-03-29 02:30" in Europe/Paris is 03:00 CEST (01:00
 *   UTC). A time that occurs twice ends at its first occurrence.
 * The end must be after now and at most SILENCE_MAX_AHEAD later. Returns 0,
 * or -1 with *cause naming WHEN and what is wrong.
 */
int	 silence_parse_until(const char *when, const struct tz *, int64_t now,
	    int64_t *until, char **cause);
/* The end is after now and at most SILENCE_MAX_AHEAD later (the bound, and
 * the latest end in the zone, in *cause otherwise). */
int	 silence_check_until(int64_t until, const struct tz *, int64_t now,
	    char **cause);

/*
 * The texts: 0, or -1 with *cause naming the field and the fault.
 * client: [a-z0-9][a-z0-9_.-]*, at most 63 bytes (as configured).
 * campaign: 1 to 199 bytes of UTF-8, no blank at either end (stored
 * campaign names are trimmed), no control character (C0, DEL, C1).
 * rule: [a-z0-9_.-]{1,64}.
 * reason: 1 to SILENCE_REASON_MAX bytes of UTF-8, not only blanks, no
 * control character.
 */
int	 silence_check_client(const char *, char **cause);
int	 silence_check_campaign(const char *, char **cause);
int	 silence_check_rule(const char *, char **cause);
int	 silence_check_reason(const char *, char **cause);
/* Every field of a new silence ("" campaign and rule for "every"). The end
 * is checked against now in UTC: the zone only shows the bound. */
int	 silence_check(const struct silence *, int64_t now, char **cause);

/* When it stopped or stops: until, or the removal when earlier. */
int64_t	 silence_end(const struct silence *);
/* Whether it covers `now`: not removed and now < until. */
int	 silence_active(const struct silence *, int64_t now);

/* Instant t on the zone's clock, "2026-12-06 00:00 +01:00" (seconds shown
 * when not zero); buf holds SILENCE_LOCAL_MAX bytes. Returns buf. */
char	*silence_format_local(const struct tz *, int64_t t, char *buf,
	    size_t len);

#endif
