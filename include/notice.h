/*
 * Notices: what the router puts into the outbox for one client and one receiver,
 * and how each receiver type renders it. Pure: time is passed in.
 * A notice groups every alert event of one client from one evaluation, so a
 * client gets one message, not one per campaign.
 */
#ifndef ROIWATCH_NOTICE_H
#define ROIWATCH_NOTICE_H
#include <stddef.h>
#include <stdint.h>

#include "kpi.h"
#include "metric.h"
#include "rules.h"

/*
 * What a configured rule judged, for the explanation every alert carries:
 * per condition the KPI (measure name), its value (floor, in the measure's
 * unit; a change condition: the change in ppm, with the previous value),
 * its inputs, coverage and threshold; the window with its local days; where
 * the threshold came from; why now. Budget and freshness rules add theirs.
 */
struct notice_cond {
	char			measure[48];	/* measure_name() */
	int			cmp;		/* enum rule_cmp */
	int			change;
	int			defined;
	int64_t			value;		/* floor */
	int			inexact;
	int			prev_defined;	/* change: the previous value */
	int64_t			prev;
	int64_t			cur;		/* change: the current value */
	int64_t			threshold;
	int64_t			clear;
	int64_t			num, den;	/* inputs */
	int64_t			days, days_total;
};
struct notice_rule {
	char			name[64];	/* "" for events without one */
	int			type;		/* enum rule_type */
	int			scope;		/* enum rule_scope */
	int			severity;	/* enum rule_severity */
	struct notice_cond	cond[4];	/* RULE_CONDS_MAX */
	int			ncond;
	char			window[24];	/* window_name() */
	int32_t			win_from, win_to;
	int32_t			prev_from, prev_to;
	int			origin;		/* enum rule_origin */
	char			file[128];	/* where the rule or override is */
	int			line;
	int64_t			since;		/* of the current state */
	/* The client's UTC offset at `since` (seconds east), so that the
	 * message shows the client's local time; 0 in since_off_known: not
	 * known (payloads written before it), the time shows in UTC. */
	int32_t			since_off;
	int			since_off_known;
	int64_t			pending_secs;
	int64_t			repeat_secs;
	int64_t			min_volume;
	int			volume;		/* enum rule_volume */
	/* budget */
	int64_t			budget, spent, projected, pacing_ppm;
	int32_t			period_from, period_to, runout_day;
	/* freshness */
	int32_t			expected_day, last_day, by_sec;
	char			tz[64];		/* the client's zone */
};

struct notice_event {
	char			campaign[METRIC_CAMPAIGN_MAX];
	char			channel[METRIC_CHANNEL_MAX];
	enum alert_kind		kind;
	enum rule_action	action;		/* FIRE, REPEAT, RESOLVE or GOOD */
	struct kpi_totals	totals;		/* over the evaluated window */
	struct kpi_gaps		gaps;		/* its days without cost or
						   revenue (coverage) */
	int64_t			window_days;	/* 0: lifetime */
	int64_t			min_roi_ppm;
	int64_t			target_roi_ppm;
	int			has_target;
	int64_t			min_spend;	/* micros */
	/* Where the latest day's figures came from (store_sample_get):
	 * the origins of its cost and revenue, "" when unknown. */
	int32_t			src_day;
	char			src_cost[128];
	char			src_revenue[128];
	struct notice_rule	rule;		/* ALERT_RULE, and the
						   shorthand rules' explanation */
};

struct notice {
	char			*client_id;
	char			*client_name;
	char			*currency;
	char			*language;	/* "en" or "fr" */
	char			*timezone;
	int64_t			 created;	/* unix seconds */
	int			 test;		/* sent by `roiwatch test-notify`:
						   says so, figures are an example */
	struct notice_event	*events;
	size_t			 nevents;
	/* Events of the payload notice_from_json() could not read: left
	 * out, counted in the message; the first reason for the log. */
	size_t			 nunreadable;
	char			*unreadable_why;
	/* Events of this (subject, rule) folded away by a catch-up after
	 * downtime, the latest kept (notice_fold, notice-merge.h). */
	size_t			 nsuperseded;
};

struct notice	*notice_new(const char *client_id, const char *client_name,
		    const char *currency, const char *language,
		    const char *timezone, int64_t created);
void		 notice_add_event(struct notice *, const struct notice_event *);
void		 notice_free(struct notice *);

/* Outbox payload (JSON) and back. notice_from_json: NULL with *cause. */
char		*notice_to_json(const struct notice *);
struct notice	*notice_from_json(const char *json, char **cause);

/* Subject line in the client's language, e.g.
 * "[roiwatch] ACME: 1 campaign under the agreed ROI, 1 target reached". */
char		*notice_subject(const struct notice *);
/* Plain-text body in the client's language, amounts in its currency. */
char		*notice_body_text(const struct notice *);

/* The HTML body of its e-mail (ndoc_html()). */
char		*notice_body_html(const struct notice *);

/* Who an e-mail is from and to (addresses as mime_addr_parse() reads them:
 * "Name <a@b>" or "a@b"; those that do not parse are left out). */
struct notice_mail {
	const char	*from;		/* NULL: roiwatch@localhost */
	const char	*reply_to;	/* or NULL */
	char *const	*to;
	size_t		 nto;
	const char	*key;		/* the idempotency key */
	int64_t		 now;		/* Date */
};

/*
 * A complete RFC 5322 message with CRLF line ends: X-Roiwatch-Idempotency-Key,
 * From, Reply-To, To, Subject (RFC 2047 encoded when not ASCII), Date (from
 * `now`), Message-ID (from the key and the domain of `from`, the same on
 * every resend), MIME-Version, X-Roiwatch-Client, and a multipart/alternative
 * body: the plain text first, then the HTML, both UTF-8 quoted-printable.
 * Every header is made by mime.h: nothing in the notice or the addresses can
 * add a header line.
 */
char		*notice_render_email(const struct notice *,
		    const struct notice_mail *);
/* The same message of any subject, text and HTML (digests too), with an
 * X-Roiwatch-Kind header when kind is not NULL. */
char		*notice_email_message(const struct notice_mail *,
		    const char *subject, const char *client_id,
		    const char *kind, const char *text, const char *html);
/* JSON body of the generic webhook: the notice plus idempotency key, subject and
 * text, with amounts both as micros and as formatted strings. */
char		*notice_render_webhook(const struct notice *, const char *idem_key);

#endif
