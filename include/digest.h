/*
 * Digests: the story of one period of one client, told against the period
 * before it of the same length -- what the scheduled e-mails and chat
 * messages say and what the report page shows.
 *
 * A struct digest is every figure of the story, computed once (exact
 * integers: micros of money, ppm of ratios) and read from the store by
 * digest_load() (digest-load.c, the only part that reads the store). Every
 * other part is pure and reads only the struct:
 *
 *   digest-story.c   the narrative: a few sentences in the client's
 *                    language, each naming the figures (anchors) it
 *                    comes from
 *   digest-text.c    the plain-text body and the subject line
 *   digest-json.c    report.json
 *   digest-html.c    the HTML e-mail (inline styles, ~600 px, charts as
 *                    styled tables and inline SVG with a table fallback)
 *                    and the report page (a whole document, no script,
 *                    phone and desktop widths)
 *   digest-chat.c    the condensed document every chat format renders
 *   digest-email.c   the multipart e-mail (text + HTML)
 *
 * Days are local days of the client's time zone (days since 1970-01-01,
 * as window.h). Nothing here reads the clock: `generated` is passed in.
 */
#ifndef ROIWATCH_DIGEST_H
#define ROIWATCH_DIGEST_H
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "measure.h"
#include "rules.h"

struct client_conf;
struct store;
struct ndoc;
struct notice_mail;

/* The figures of one scope (the client, a channel, a campaign) over one
 * period. has = 0: no sample in the period (the rest is zero). */
struct digest_figures {
	int			 has;
	int64_t			 spend;		/* micros */
	int64_t			 revenue;	/* micros */
	int64_t			 profit;	/* revenue - spend, micros
						   (saturated) */
	int64_t			 conversions;	/* micros of a unit */
	struct measure_value	 roi;		/* ppm: 1380000 = 138 % */
	struct measure_value	 roas;		/* ppm: revenue / spend */
	struct measure_value	 cpa;		/* micros */
	int64_t			 days;		/* days (client, channel:
						   campaign-days) with a sample */
	int64_t			 days_complete;	/* of which every sample has
						   cost and revenue */
};

/* A channel or a campaign. The arrays are sorted best first: by ROI in
 * the period (defined before undefined), then by revenue, then by name. */
struct digest_row {
	char			*name;
	char			*channel;	/* campaigns: their channel ("" when
						   unknown); channels: "" */
	struct digest_figures	 cur, prev;
	/* Channels: CLV and CLV:CAC over the period when the client's
	 * inputs for the channel are known (defined = 0 otherwise). */
	struct measure_value	 clv;		/* micros */
	struct measure_value	 clv_cac;	/* ppm */
	/* Campaigns: the alert states now (the report page's dashboard):
	 * the worst state of its rules (ALERT_OK when none) and the rules
	 * firing or pending, comma-separated ("" when none). */
	enum alert_state	 state;
	char			*alerts;
	int32_t			 last_day;	/* last day with data, INT32_MIN */
};

/* One day of the client's total (the charts). */
struct digest_day {
	int32_t			 day;
	int			 has;
	int64_t			 spend, revenue;	/* micros */
};

/* A budget rule of the client (its monthly or flight budget), judged at
 * the end of the period. */
struct digest_budget {
	char			*rule;		/* its name */
	char			*subject;	/* campaign, channel or "" */
	int64_t			 budget;	/* micros */
	int64_t			 spent;		/* micros, over [from, to] */
	int32_t			 from, to;	/* the budget's own period */
	int			 running;	/* the period runs at `generated` */
	int64_t			 used_ppm;
	int64_t			 pacing_ppm;	/* 1e6: on pace */
	int64_t			 projected;	/* micros at the period's end */
	int32_t			 runout_day;	/* INT32_MAX: does not run out */
};

/* A custom KPI of the client: sums over the two periods (micros) and the
 * days with a value. */
struct digest_custom {
	char			*name;
	int64_t			 cur, prev;
	int64_t			 cur_days, prev_days;
};

/* An alert that fired or was resolved during the period. */
struct digest_alert {
	int64_t			 at;		/* unix seconds */
	int			 fired;		/* 1 fired, 0 resolved */
	char			*rule;
	enum rule_scope		 scope;
	char			*subject;	/* campaign, channel, "" */
	enum rule_severity	 severity;
};

/* What the agency recorded it did (roiwatch annotate). */
struct digest_note {
	int64_t			 id;
	int32_t			 day;
	char			*campaign;	/* "" when none */
	char			*channel;	/* "" when none */
	char			*text;
};

/* A data problem: a scope whose days lack figures in the period, or a
 * source (or the client's data) not fresh. */
enum digest_issue_kind {
	DIGEST_ISSUE_COVERAGE,	/* subject: days_complete of days */
	DIGEST_ISSUE_STALE,	/* subject's last data day is before to_day */
	DIGEST_ISSUE_SOURCE,	/* a pull source failing: detail its error */
	DIGEST_ISSUE_MAX
};
struct digest_issue {
	enum digest_issue_kind	 kind;
	char			*subject;	/* campaign, source name, or "" */
	int64_t			 days, days_total;	/* coverage */
	int32_t			 last_day;		/* stale */
	char			*detail;		/* source: its error */
};

struct digest {
	char			*client_id;
	char			*client_name;
	char			*currency;	/* ISO 4217 */
	char			*language;	/* "en", "fr" */
	char			*timezone;	/* IANA */
	char			*schedule;	/* the schedule's name; "" when
						   previewed or sent by hand */
	int64_t			 generated;	/* unix seconds */
	int			 late;		/* sent after downtime, late */
	int32_t			 from_day, to_day;	/* the period */
	int32_t			 prev_from, prev_to;	/* the one before */
	/* The client's agreed ROI (ppm) */
	int			 has_min, has_target;
	int64_t			 min_roi_ppm, target_roi_ppm;
	struct digest_figures	 total, prev_total;
	struct digest_row	*channels;
	size_t			 nchannels;
	struct digest_row	*campaigns;
	size_t			 ncampaigns;
	struct digest_day	*days;		/* every day of the period */
	size_t			 ndays;
	struct digest_day	*prev_days;	/* every day of the one before */
	size_t			 nprev_days;
	struct digest_budget	*budgets;
	size_t			 nbudgets;
	struct digest_custom	*customs;	/* by name */
	size_t			 ncustoms;
	struct digest_alert	*alerts;	/* by time */
	size_t			 nalerts;
	struct digest_note	*notes;		/* by day, then id */
	size_t			 nnotes;
	struct digest_issue	*issues;
	size_t			 nissues;
	int32_t			 last_day;	/* client's last data day
						   (INT32_MIN: none) */
};

void	digest_free(struct digest *);

/*
 * digest-payload.c: a digest as an outbox item's payload (JSON of every
 * field, exact integers) and back, so that each receiver renders it when it
 * is sent. digest_payload_is(): whether a payload is a digest's rather than
 * a notice's. digest_from_payload(): NULL with *cause naming the first
 * field that does not read ("digest.campaigns[3].cur.spend: ...").
 */
char	*digest_to_payload(const struct digest *);
int	 digest_payload_is(const char *json);
struct digest *digest_from_payload(const char *json, char **cause);

/*
 * digest-load.c: the digest of client cc over local days [from, to] (the
 * previous period: the same number of days just before), as the store has
 * it at `now` (campaign alert states, budgets judged at now). One read
 * snapshot. NULL with *cause when the store fails.
 */
struct digest *digest_load(struct store *, const struct client_conf *cc,
	    int32_t from, int32_t to, int64_t now, char **cause);
/*
 * The pull sources of the main file fixed to the digest's client and
 * failing now (failures in a row): DIGEST_ISSUE_SOURCE issues appended,
 * their last error as detail. digest_load() sees only the client's part
 * of the configuration; a caller holding the whole calls this after it.
 * 0, or -1 with *cause (the digest is kept as it was, less any issue
 * added).
 */
struct config;
int	digest_load_sources(struct digest *, struct store *,
	    const struct config *, char **cause);

/*
 * digest-story.c: the narrative, at most DIGEST_STORY_MAX sentences in the
 * digest's language: where things stood at the start (the previous period),
 * what the agency recorded (each note of the period, by day), what came of
 * it (the period against the one before: ROI in % and as "R:1", the channel
 * that carried most revenue), budgets at risk, alerts. Each sentence names
 * in `ref` the anchor of the figures it comes from ("total", "channels",
 * "campaigns", "budgets", "alerts", "notes", "issues"), which every
 * rendering gives that section. Free with digest_story_free().
 */
#define DIGEST_STORY_MAX	8
struct digest_sentence {
	char		*text;
	const char	*ref;
};
size_t	digest_story(const struct digest *, struct digest_sentence **out);
void	digest_story_free(struct digest_sentence *, size_t);

/* digest-text.c: the subject line ("[roiwatch] ACME: 1-30 Nov 2026, ROI
 * 238 %") and the plain-text body (caller frees). */
char	*digest_subject(const struct digest *);
char	*digest_text(const struct digest *);

/* digest-json.c: report.json -- every figure exact (ppm, micros as JSON
 * integers) beside the text the page shows, and the narrative. */
cJSON	*digest_json(const struct digest *);

/* digest-html.c. */
enum digest_html_kind {
	DIGEST_HTML_EMAIL,	/* a body for the e-mail: inline styles only */
	DIGEST_HTML_PAGE,	/* the report page: a whole document, its
				   campaigns' alert states, notes marked on
				   the charts; relative links
				   "?period=..." to the periods before and
				   after */
	DIGEST_HTML_KIND_MAX
};
char	*digest_html(const struct digest *, enum digest_html_kind);

/* digest-chat.c: the condensed document every chat format lays out
 * (chat.h): the narrative and the key figures (ROI, spend, revenue,
 * profit, best and worst campaign, budgets at risk, alerts). */
struct ndoc *digest_ndoc(const struct digest *);

/* digest-email.c: the whole message (RFC 5322, multipart/alternative:
 * text and HTML), as notice_render_email() does for a notice. */
char	*digest_email(const struct digest *, const struct notice_mail *);

#endif
