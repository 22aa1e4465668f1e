/*
 * The operator's view of outbox items (`roiwatch outbox list|show`): state
 * names, the --status filter, times in UTC ISO 8601, the cells of a list
 * line, JSON objects and a summary of a stored payload. Pure: no store, no
 * clock (times come in), no I/O. Texts read from the database are escaped
 * for a terminal (log_escape); JSON carries them as they are.
 */
#ifndef ROIWATCH_OUTBOX_VIEW_H
#define ROIWATCH_OUTBOX_VIEW_H
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct cJSON;

/* What `outbox list` shows without --status: every item not done. */
#define OUTBOX_STATES_OPEN	(OUTBOX_STATE_BIT(OUTBOX_PENDING) |	\
				 OUTBOX_STATE_BIT(OUTBOX_RETRYING) |	\
				 OUTBOX_STATE_BIT(OUTBOX_DEAD))
#define OUTBOX_STATES_ALL	((1u << OUTBOX_STATE_MAX) - 1)

/* "pending", "retrying", "dead", "done". */
const char	*outbox_state_name(enum outbox_state);
/*
 * A --status value: one state name, several separated by commas
 * ("dead,retrying") or "all", into a mask of OUTBOX_STATE_BIT()s. -1 and
 * *cause naming what was wrong.
 */
int		 outbox_state_parse(const char *, unsigned *mask, char **cause);
/* "2026-12-02T19:31:56Z"; "-" for 0 (never). Returns buf. */
char		*outbox_format_time(int64_t t, char *buf, size_t len);
/*
 * When an item is next tried (pending, retrying) or was finished (done,
 * dead): 0 for none.
 */
int64_t		 outbox_item_when(const struct outbox_item *);

/* The columns of `outbox list`. */
enum outbox_col {
	OC_ID,
	OC_CLIENT,
	OC_RECEIVER,
	OC_STATUS,
	OC_ATTEMPTS,
	OC_CREATED,
	OC_WHEN,	/* next attempt, or finished */
	OC_REASON,	/* the last error or why it was given up */
	OC__MAX
};
const char	*outbox_col_head(enum outbox_col);
/* The text of one cell, escaped; "-" for an empty one. Returns buf. */
const char	*outbox_cell(const struct outbox_item *, enum outbox_col,
		    char *buf, size_t len);

/* One event of a payload, as `outbox show` lists it. */
struct outbox_event_view {
	char	action[16];		/* "fire", "resolve", ... */
	char	rule[64];		/* rule name, or the shorthand's */
	char	scope[16];		/* "campaign", "channel", "client" */
	char	subject[200];		/* campaign or channel; "" (client) */
};

/* A stored payload summarised. */
struct outbox_summary {
	size_t			 nevents;
	struct outbox_event_view *events;
	char			**campaigns;	/* distinct, in order */
	size_t			 ncampaigns;
	char			**rules;	/* distinct, in order */
	size_t			 nrules;
	int			 test;		/* a test-notify notice */
	size_t			 nunreadable;	/* events left out */
};
/* Read a payload (notice_from_json); -1 and *cause when unreadable. */
int		 outbox_summary_parse(const char *payload,
		    struct outbox_summary *, char **cause);
void		 outbox_summary_clear(struct outbox_summary *);

/*
 * An item as JSON: id, client, receiver, status, attempts, created,
 * next_attempt and finished (ISO 8601 or null), last_error (or null); with
 * a summary (or NULL) also idempotency_key and payload {events, campaigns,
 * rules, detail, test, unreadable}. Caller frees (cJSON_Delete).
 */
struct cJSON	*outbox_item_json(const struct outbox_item *,
		    const struct outbox_summary *);

#endif
