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

/*
 * A complete RFC 5322 message with CRLF line ends: From, To, Subject (RFC 2047
 * encoded when not ASCII), Date (from `now`), Message-ID (from idem_key and
 * domain of `from`), MIME-Version, text/plain UTF-8 quoted-printable body.
 */
char		*notice_render_email(const struct notice *, const char *from,
		    char *const *to, size_t nto, const char *idem_key, int64_t now);
/* JSON body of the generic webhook: the notice plus idempotency key, subject and
 * text, with amounts both as micros and as formatted strings. */
char		*notice_render_webhook(const struct notice *, const char *idem_key);

#endif
