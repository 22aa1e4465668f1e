/*
 * The store: one SQLite database (WAL) holding metric samples and their custom
 * KPIs, alert states, the notification outbox and the state of pull sources. Statements are prepared once at open. Writes happen
 * inside store_begin()/store_commit() (BEGIN IMMEDIATE); a failed batch is rolled
 * back whole. SQLite codes do not leave this module: errors come back as text.
 */
#ifndef ROIWATCH_STORE_H
#define ROIWATCH_STORE_H
#include <stddef.h>
#include <stdint.h>

#include "kpi.h"
#include "metric.h"
#include "rules.h"

struct store;

#define STORE_FILE	"roiwatch.db"	/* inside the state directory */

/* Open (creating) the database, set pragmas, run migrations, prepare statements. */
struct store	*store_open(const char *path, char **cause);
/* The daemon's and the command line's database: <state_dir>/STORE_FILE, the
 * directory created (0700) when missing. */
struct store	*store_open_dir(const char *state_dir, char **cause);
void		 store_free(struct store *);
/* Page cache ceiling in KiB (default 8 MiB; backfills use more). */
int		 store_set_cache_kib(struct store *, int64_t kib, char **cause);

/*
 * Checkpoint the write-ahead log in a thread of its own (its own connection,
 * PASSIVE, every second) instead of in whichever commit crosses SQLite's
 * threshold: the daemon's loop never copies a backfill's WAL. Stop it before
 * store_free(). NULL with *cause when it cannot start (checkpoints then stay
 * with the commits).
 */
struct store_checkpointer;
struct store_checkpointer *store_checkpointer_start(struct store *,
	    char **cause);
void	store_checkpointer_stop(struct store_checkpointer *);
/*
 * The syncer (store-sync.c): the store's commits stop syncing
 * (synchronous=NORMAL) and a thread syncs the write-ahead log for them.
 * After a commit whose writes must be durable before they are acknowledged,
 * store_syncer_request() gives a ticket; the syncer's file descriptor turns
 * readable when syncs end, and store_syncer_collect() says up to which ticket
 * everything is on disk (synced), and up to which a sync failed (failed,
 * with its errno: those writes may not be durable). store_syncer_wait()
 * blocks until a ticket is synced (at shutdown). NULL with *cause when it
 * cannot start: commits then stay synchronous=FULL.
 */
struct store_syncer;
struct store_syncer *store_syncer_start(struct store *, char **cause);
uint64_t store_syncer_request(struct store_syncer *);
int	store_syncer_fd(const struct store_syncer *);
void	store_syncer_collect(struct store_syncer *, uint64_t *synced,
	    uint64_t *failed, int *error);
void	store_syncer_wait(struct store_syncer *, uint64_t ticket);
void	store_syncer_stop(struct store_syncer *);

/* How long a write waits for another connection's lock (default
 * STORE_BUSY_MSECS; the daemon's loop waits a few ms and retries on a timer
 * instead). Waiting leaves the mark store_yield() honours. */
#define STORE_BUSY_MSECS	5000
int	store_set_busy_timeout(struct store *, int msecs, char **cause);
/* Whether the last failure was the database locked by another connection
 * (retry later) rather than an error of the data or the disk. */
int	store_busy(const struct store *);
/* Whether a transaction is open (an I/O error may have rolled one back). */
int	store_txn_open(const struct store *);

/*
 * A bulk writer (`roiwatch ingest`) between two transactions: while another
 * connection waits for the lock (it found it taken and has not written
 * since), wait for it to get its turn, at most STORE_YIELD_MAX_MSECS.
 */
#define STORE_YIELD_MAX_MSECS	500
void	store_yield(struct store *);
/* Whether another connection waits for the lock now (a bulk writer ends its
 * transaction early then). */
int	store_waited_for(struct store *);
/* Drop our mark if we last waited msecs ago or more: a read that waited and
 * then went through leaves it behind (a daemon calls this on a timer). */
void	store_wait_expire(struct store *, int64_t msecs);

int	store_begin(struct store *, char **cause);
int	store_commit(struct store *, char **cause);
void	store_rollback(struct store *);

/*
 * Totals of one campaign (campaign NULL: every campaign of the client) over days
 * [from_day, to_day] inclusive; INT32_MIN / INT32_MAX for open ends: plain sums
 * per field, sums per pair of fields over the samples that have both, the days
 * with any sample and, per pair, the days whose samples are all complete (the
 * client's total counts campaign-days). One statement per call, and a second
 * (of the samples lacking a field only) when some sample lacks one.
 * Returns 0 (totals zeroed when nothing matched) or -1.
 */
int	store_totals(struct store *, const char *client, const char *campaign,
	    int32_t from_day, int32_t to_day, struct kpi_totals *, char **cause);
/*
 * The days (campaign NULL: campaign-days, each naming its campaign) of that
 * scope of which some sample lacks a field, earliest first, with the fields
 * lacking. *out is caller-freed (NULL when none). For messages and `kpis`
 * only: kpi_gaps_pick() takes a KPI's gaps from them. Returns 0 or -1.
 */
int	store_lacks(struct store *, const char *client, const char *campaign,
	    int32_t from_day, int32_t to_day, struct kpi_lack **out, size_t *n,
	    char **cause);
/* Last day with data for the campaign, or INT32_MIN when none. */
int	store_last_day(struct store *, const char *client, const char *campaign,
	    int32_t *day, char **cause);
int	store_last_day_scope(struct store *, const char *client,
	    const char *campaign, const char *channel, int32_t *day,
	    char **cause);
/* Channel of the campaign's most recent sample ("" when unknown); buf >= 64. */
int	store_campaign_channel(struct store *, const char *client,
	    const char *campaign, char *buf, size_t len, char **cause);

/* Iterate campaigns of a client (client NULL: all), sorted by client, campaign. */
typedef int (*store_campaign_cb)(const char *client, const char *campaign,
	    void *arg);
int	store_foreach_campaign(struct store *, const char *client,
	    store_campaign_cb, void *arg, char **cause);
/*
 * The first campaign after (after_client, after_campaign) in (client,
 * campaign) order -- "" "" for the first -- among all stored campaigns: a
 * cursor that holds nothing between calls, so a sweep of a million campaigns
 * goes in slices. Returns 1 (names copied), 0 at the end, or -1.
 */
int	store_next_campaign(struct store *, const char *after_client,
	    const char *after_campaign, char *client, size_t clen,
	    char *campaign, size_t calen, char **cause);
/*
 * Totals, custom totals and the last day of data of any scope: a campaign,
 * a channel (campaign NULL: the samples that name the channel) or the
 * client's total (both NULL, counted in campaign-days as a channel's).
 */
int	store_totals_scope(struct store *, const char *client,
	    const char *campaign, const char *channel, int32_t from_day,
	    int32_t to_day, struct kpi_totals *, char **cause);
/* The same for n windows [from[i], to[i]] at once, in one pass over the
 * scope's samples: out[i] as store_totals_scope() would give it. */
int	store_totals_multi(struct store *, const char *client,
	    const char *campaign, const char *channel, const int32_t *from,
	    const int32_t *to, size_t n, struct kpi_totals *out, char **cause);
/* Number of samples stored (tests, /metrics). */
int64_t	store_count_metrics(struct store *);

/*
 * Alert states (store-alert.c), one per (client, scope, subject, rule): the
 * subject is the campaign, the channel, or "" for the client's total.
 * store_alert_get: 1 found, 0 not found, -1.
 */
struct alert_key {
	const char	*client;
	enum rule_scope	 scope;
	const char	*subject;
	const char	*rule;
};
/* The state plus the window it was judged over (local days). */
struct alert_row {
	struct rule_status st;
	int32_t	 win_from, win_to;	/* INT32_MIN/MAX when open */
};
int	store_alert_get(struct store *, const struct alert_key *,
	    struct alert_row *, char **cause);
int	store_alert_put(struct store *, const struct alert_key *,
	    const struct alert_row *, char **cause);
/* Forget one state (its rule was removed from the configuration). */
int	store_alert_drop(struct store *, const struct alert_key *,
	    char **cause);
/* The rules with a state for one subject: cb(rule name); non-zero stops. */
typedef int (*store_rule_cb)(const char *rule, void *arg);
int	store_alert_rules(struct store *, const char *client,
	    enum rule_scope, const char *subject, store_rule_cb, void *arg,
	    char **cause);
/*
 * Iterate the states of a client (NULL: all) that are not settled -- not
 * ok, could not be evaluated, believed firing by the receivers or flapping
 * -- (include_ok: all), ordered by client, scope, subject, rule.
 */
typedef int (*store_alert_cb)(const struct alert_key *,
	    const struct alert_row *, void *arg);
int	store_foreach_alert(struct store *, const char *client,
	    int include_ok, store_alert_cb, void *arg, char **cause);
/*
 * The first unsettled subject after (client, scope, subject) in that order
 * -- "", 0, "" for the first: a cursor for the periodic sweep. Returns 1
 * (copied), 0 at the end, -1.
 */
int	store_next_open(struct store *, const char *after_client,
	    enum rule_scope after_scope, const char *after_subject,
	    char *client, size_t clen, enum rule_scope *scope, char *subject,
	    size_t slen, char **cause);
/* Subjects whose last evaluation failed (RULE_SKIP_ERROR); -1 on error. */
int64_t	store_count_unjudgeable(struct store *);
/*
 * The alert states that are not ok, counted per (client, rule, scope, state)
 * for /metrics: read through the partial index of the open states, so the
 * cost follows those, not the whole table. cb once per group (its strings
 * last until it returns; non-zero stops); 0, or -1 with *cause.
 */
struct store_alert_count {
	const char	*client;
	const char	*rule;
	const char	*scope;		/* rules_scope_name() */
	const char	*state;		/* rules_state_name() */
	int64_t		 n;
};
typedef int (*store_alert_count_cb)(const struct store_alert_count *,
	    void *arg);
int	store_alert_counts(struct store *, store_alert_count_cb, void *arg,
	    char **cause);
/*
 * Outbox: one row per notification and receiver. payload is the JSON the router
 * built (each receiver type renders it into its message, deliver-internal.h);
 * idem_key is stable across retries and sent as the webhook's idempotency key
 * / the Message-ID.
 */
/*
 * What an operator sees of an item: its status column, with "pending"
 * split by whether an attempt was made already (retrying: it waits for
 * its next_at after a failure).
 */
enum outbox_state {
	OUTBOX_PENDING,		/* pending, never attempted */
	OUTBOX_RETRYING,	/* pending after a failed attempt */
	OUTBOX_DEAD,		/* given up (or dropped without an attempt) */
	OUTBOX_DONE,		/* delivered */
	OUTBOX_STATE_MAX
};
#define OUTBOX_STATE_BIT(s)	(1u << (s))	/* store_outbox_list's mask */

struct outbox_item {
	int64_t	 id;
	char	*client;
	char	*receiver;
	char	*idem_key;
	char	*payload;	/* NULL from store_outbox_list */
	int64_t	 created;
	int64_t	 attempts;
	int64_t	 next_at;
	char	*last_error;
	enum outbox_state state;
	int64_t	 done_at;	/* done or dead: when; else 0 */
};
int64_t	store_outbox_add(struct store *, const char *client, const char *receiver,
	    const char *payload, int64_t now, char **cause);	/* id or -1 */
/* Items with next_at <= now and not done/dead, oldest first, at most `limit`.
 * *items is caller-freed with store_outbox_items_free. Returns the count or -1. */
int	store_outbox_due(struct store *, int64_t now, int limit,
	    struct outbox_item **items, char **cause);
void	store_outbox_items_free(struct outbox_item *, int n);
/* Earliest next_at among pending items; 0 when there are none. */
int64_t	store_outbox_next_at(struct store *);
int	store_outbox_done(struct store *, int64_t id, int64_t now, char **cause);
int	store_outbox_retry(struct store *, int64_t id, int64_t next_at,
	    const char *error, char **cause);
int	store_outbox_dead(struct store *, int64_t id, int64_t now,
	    const char *error, char **cause);
/* Done and retry count the attempt they end in `attempts`; dead drops an
 * item without one; failed makes it dead after a last attempt, counted. */
int	store_outbox_failed(struct store *, int64_t id, int64_t now,
	    const char *error, char **cause);
/* Delete done and dead items finished before `before`; returns how many, or
 * -1. Pending items are never pruned. */
int64_t	store_outbox_prune(struct store *, int64_t before, char **cause);
/*
 * The pending items per (client, receiver), for /metrics and /healthz: how
 * many, when the oldest was made, and how many were made before
 * stuck_before. Read through the index on status, so done and dead items
 * cost nothing. cb once per pair (strings last until it returns; non-zero
 * stops); 0, or -1 with *cause.
 */
struct store_outbox_queue {
	const char	*client;
	const char	*receiver;
	int64_t		 pending;
	int64_t		 oldest;	/* unix time the oldest was made */
	int64_t		 stuck;		/* made before stuck_before */
};
typedef int (*store_outbox_queue_cb)(const struct store_outbox_queue *,
	    void *arg);
int	store_outbox_queues(struct store *, int64_t stuck_before,
	    store_outbox_queue_cb, void *arg, char **cause);
/* Counts by status for /metrics and the CLI: pending, done, dead. */
int	store_outbox_counts(struct store *, int64_t *pending, int64_t *done,
	    int64_t *dead);
/*
 * What store_outbox_due_except() leaves out: items already in flight (ids),
 * every item of the clients listed, and every item of the receivers listed
 * (rclients[i], receivers[i]): those at their concurrency limit.
 */
struct outbox_skip {
	const int64_t		*ids;
	size_t			 nids;
	const char *const	*clients;
	size_t			 nclients;
	const char *const	*rclients;
	const char *const	*receivers;
	size_t			 nreceivers;
};
/* store_outbox_due() without the items *skip names, so that a receiver with
 * many due items cannot fill the batch of an item of another. */
int	store_outbox_due_except(struct store *, int64_t now, int limit,
	    const struct outbox_skip *skip, struct outbox_item **items,
	    char **cause);
/*
 * Items delivered as several messages (chat receivers): how many parts were
 * delivered (0 for a new item; -1 and *cause on error), and one more part
 * delivered short of the last (the attempt counted; store_outbox_done ends
 * the item with its last part). A retry resumes at part parts_done + 1.
 */
int64_t	store_outbox_parts_done(struct store *, int64_t id, char **cause);
int	store_outbox_part_done(struct store *, int64_t id, int64_t parts_done,
	    char **cause);

/*
 * The operator's view of the outbox (`roiwatch outbox ...`).
 *
 * store_outbox_list: the items whose state is in mask (OUTBOX_STATE_BIT of
 * each), of one client and one receiver when not NULL, the `limit` newest,
 * oldest first, without their payloads. Returns the count (at most limit;
 * *more set when older ones were left out) or -1.
 */
int	store_outbox_list(struct store *, unsigned mask, const char *client,
	    const char *receiver, int limit, struct outbox_item **items,
	    int *more, char **cause);
/* One item with its payload: 1 found, 0 no such id, -1 error. */
int	store_outbox_get(struct store *, int64_t id, struct outbox_item *,
	    char **cause);
/* Free what store_outbox_get filled in (not the struct itself). */
void	store_outbox_item_clear(struct outbox_item *);
/*
 * Put an item back to pending, due at `now`, its attempts and last error
 * kept: a dead one, or a retrying one waiting for a later next_at. Never
 * one in flight: the daemon only sends items due (next_at <= now), and a
 * retrying item waiting is not. Returns 1 done, 0 the item is not (or no
 * longer) dead or waiting, -1 error.
 */
int	store_outbox_requeue(struct store *, int64_t id, int64_t now,
	    char **cause);
/*
 * Delete an item that cannot be in flight: dead, or pending with a next_at
 * after `now` (waiting for a retry); with `due` also a pending one due now
 * (for when no daemon runs). Never a done item. 1 deleted, 0 not, -1 error.
 */
int	store_outbox_drop(struct store *, int64_t id, int64_t now, int due,
	    char **cause);

/*
 * Routing and catch-up (eval.c, outbox-fold.c). An item "never tried" is
 * pending with no attempt made: no receiver has seen its key yet, so its
 * payload may still change. (The daemon starts items in the thread that
 * routes and folds: an item it has in flight is left out by the caller.)
 *
 * store_outbox_group_open: the item of client and receiver that waits for
 * its group -- never tried, due more than a second after now (and after the
 * clock: see ST_OUTBOX_GROUP_OPEN) -- into *id, *next_at and *payload
 * (caller frees): 1, 0 when there is none, -1.
 * store_outbox_add_at: store_outbox_add() due at next_at instead of now.
 * store_outbox_rewrite: a never-tried item's new payload and due time;
 * -1 when it is not (or no longer) never tried.
 * store_outbox_remove: delete a never-tried item (folded into another).
 */
int	store_outbox_group_open(struct store *, const char *client,
	    const char *receiver, int64_t now, int64_t *id, int64_t *next_at,
	    char **payload, char **cause);
int64_t	store_outbox_add_at(struct store *, const char *client,
	    const char *receiver, const char *payload, int64_t now,
	    int64_t next_at, char **cause);
int	store_outbox_rewrite(struct store *, int64_t id, const char *payload,
	    int64_t next_at, char **cause);
int	store_outbox_remove(struct store *, int64_t id, char **cause);
/*
 * The (client, receiver) pairs with more than cap items never tried, the
 * ids in skip (in flight) left out: their count, the pairs in *clients and
 * *receivers (free with store_outbox_pairs_free), or -1.
 */
int	store_outbox_crowded(struct store *, int64_t cap, const int64_t *skip,
	    size_t nskip, char ***clients, char ***receivers, char **cause);
void	store_outbox_pairs_free(char **clients, char **receivers, int n);
/* The never-tried items of a pair, oldest first, at most limit, the ids in
 * skip left out: as store_outbox_due(). */
int	store_outbox_untried(struct store *, const char *client,
	    const char *receiver, const int64_t *skip, size_t nskip, int limit,
	    struct outbox_item **items, char **cause);

/*
 * Savepoints inside a store_begin() transaction: one per input of a batch, so a
 * refused input is undone while the rest of the batch commits.
 */
int	store_savepoint(struct store *, char **cause);
int	store_savepoint_release(struct store *, char **cause);
void	store_savepoint_rollback(struct store *);

/*
 * Inputs: every file, request or fetch that writes samples is one input, with
 * an origin ("http client acme", "file meta-2026-11-30.csv (source meta)")
 * and the time it was written. store_input_new() numbers it (ids are never
 * reused) and records it; -1 with *cause on error.
 */
int64_t	store_input_new(struct store *, const char *origin, char **cause);

/*
 * Upsert one sample keyed by (client, campaign, day, hour), field by field:
 * the row replaces only the fields it carries (a missing field keeps the
 * stored value and its origin); within one input, rows of the same key add
 * up. Returns 0, -1 when the database failed (*cause), or STORE_REFUSED_* when
 * the row itself cannot be stored (*cause says why: one campaign-day given
 * two channels by one input, or a sum of its rows too large) -- the
 * statement changed nothing.
 */
#define STORE_REFUSED_CHANNEL	(-2)	/* two channels */
#define STORE_REFUSED_SUM	(-3)	/* the input's sum overflows */
int	store_put_metric_input(struct store *, const struct metric_row *,
	    int64_t input_id, char **cause);

/* One stored sample with the origin of each field (roiwatch, alerts). */
#define STORE_SAMPLE_FIELDS	6	/* channel, then the five figures */
struct store_sample_field {
	enum metric_field field;	/* MF_CHANNEL, MF_COST, ... */
	int	 present;
	int64_t	 value;			/* figures only */
	int64_t	 input_id;
	char	 origin[128];		/* of the input that wrote it */
	int64_t	 written;		/* unix time of that input */
};
struct store_sample {
	char	 channel[METRIC_CHANNEL_MAX];
	struct store_sample_field field[STORE_SAMPLE_FIELDS];
};
/* Returns 1 found, 0 no such sample, -1 on error. */
int	store_sample_get(struct store *, const char *client,
	    const char *campaign, int32_t day, int hour, struct store_sample *,
	    char **cause);

/*
 * Custom KPIs. store_put_metric_input() also stores the row's custom values
 * (table custom_metrics, one row per name): per name, the same input sums and
 * another input replaces. A name the new input does not carry keeps the old
 * input's value (a metrics field would turn NULL). store_put_metric() ignores
 * custom values.
 * store_custom_totals() calls cb once per name over days [from_day, to_day]
 * (INT32_MIN / INT32_MAX for open ends) of one campaign (NULL: every campaign
 * of the client), sorted by name: sum of the values in micros and the number
 * of distinct days with a value. cb must not use the store; non-zero from cb
 * stops and is returned (no *cause). Returns 0 or -1 with *cause.
 */
typedef int (*store_custom_cb)(const char *name, int64_t sum,
	    int64_t days_with_value, void *arg);
int	store_custom_totals(struct store *, const char *client,
	    const char *campaign, int32_t from_day, int32_t to_day,
	    store_custom_cb, void *arg, char **cause);
int	store_custom_totals_scope(struct store *, const char *client,
	    const char *campaign, const char *channel, int32_t from_day,
	    int32_t to_day, store_custom_cb, void *arg, char **cause);

/*
 * State of a pull source (pull.c), so that the fetch schedule, the HTTP
 * validators and the last success (freshness) survive restarts. Times are
 * unix seconds, 0 for never; strings may be NULL.
 */
struct store_source_state {
	int64_t	 last_attempt;
	int64_t	 last_success;
	char	*etag;
	char	*last_modified;
	int64_t	 failures;		/* consecutive */
	char	*last_error;
	int64_t	 next_at;
};
/* Returns 1 found (strings caller-freed: store_source_state_clear), 0 not
 * found (*st zeroed), -1 on error. */
int	store_source_get(struct store *, const char *name,
	    struct store_source_state *, char **cause);
/* Insert or replace; inside store_begin() it commits with the batch. */
int	store_source_put(struct store *, const char *name,
	    const struct store_source_state *, char **cause);
void	store_source_state_clear(struct store_source_state *);

/*
 * Replay protection of signed HTTP requests (http-server.c): a signature, the
 * request's MAC, is kept per client until `expires` (unix time: its timestamp
 * plus the accepted window). store_replay_seen() returns 1 when (client, mac)
 * is recorded and not expired at `now`, 0 when not, -1 on error.
 * store_replay_mark() records it, inside the store_begin() transaction that
 * stores the request's rows (a rollback forgets it); 0 or -1.
 * store_replay_prune() deletes the marks expired before `now`: how many, or -1.
 */
int	store_replay_seen(struct store *, const char *client,
	    const uint8_t *mac, size_t maclen, int64_t now, char **cause);
int	store_replay_mark(struct store *, const char *client,
	    const uint8_t *mac, size_t maclen, int64_t expires, char **cause);
int64_t	store_replay_prune(struct store *, int64_t now, char **cause);

/*
 * Silences (store-silence.c; struct silence and its checks in silence.h):
 * not to notify about a client, one campaign or one rule until `until`.
 * store_silence_add() checks the silence (silence_check) and returns its id
 * (ids are never reused), or -1. store_silence_get() returns 1 found, 0 no
 * such id, -1. store_silence_list() gives the silences of a client (NULL:
 * every client) active at now (all: those ended and kept, too), by client,
 * end and id; *out caller-freed. store_silence_remove() ends an active
 * silence at now, keeping it as removed until it is pruned: 1 ended, 0 no
 * active silence of that id, -1. store_silence_prune() deletes silences
 * that ended (expired or removed) before `before`: how many, or -1.
 *
 * store_silence_match(): 1 when an active silence covers (client, campaign,
 * rule) at now, with its id and end (the latest-ending one), 0 when none,
 * -1. A silence without campaign covers every campaign and the subjects of
 * no campaign (campaign NULL: the client's or a channel's); one with a
 * campaign covers that campaign alone. A silence without rule covers every
 * rule (and rule NULL, a notice of no rule); one with a rule that rule
 * alone. At most four exact lookups of one index.
 */
struct silence;
int64_t	store_silence_add(struct store *, const struct silence *, int64_t now,
	    char **cause);
int	store_silence_get(struct store *, int64_t id, struct silence *,
	    char **cause);
int	store_silence_list(struct store *, const char *client, int all,
	    int64_t now, struct silence **out, size_t *n, char **cause);
int	store_silence_remove(struct store *, int64_t id, int64_t now,
	    char **cause);
int64_t	store_silence_prune(struct store *, int64_t before, char **cause);
int	store_silence_match(struct store *, const char *client,
	    const char *campaign, const char *rule, int64_t now, int64_t *id,
	    int64_t *until, char **cause);
/*
 * Notices held during a client's quiet hours, sent as one grouped message
 * when they end. store_held_add() keeps one notice's JSON: its id, or -1.
 * store_held_take() returns a client's held notices in the order they were
 * held and deletes them; it must run inside store_begin(), so that the
 * grouped message reaches the outbox in the same commit (a rollback keeps
 * them held). *payloads (n strings) is freed with store_held_free().
 * store_held_clients(): the clients with held notices, sorted. 0 or -1.
 */
int64_t	store_held_add(struct store *, const char *client, const char *payload,
	    int64_t now, char **cause);
int	store_held_take(struct store *, const char *client, char ***payloads,
	    size_t *n, char **cause);
int	store_held_clients(struct store *, char ***clients, size_t *n,
	    char **cause);
void	store_held_free(char **, size_t n);
/*
 * Reports (`roiwatch kpis`, the HTTP read endpoints). store_read_begin()
 * opens a read transaction (no lock: the first read fixes a snapshot) unless
 * a transaction is open already, whose reads then join it; store_read_end()
 * ends it. store_foreach_channel() calls cb with each channel the client's
 * samples name over days [from_day, to_day], sorted; cb may use the store;
 * non-zero from cb stops and is returned (no *cause).
 */
int	store_read_begin(struct store *, char **cause);
void	store_read_end(struct store *);
typedef int (*store_channel_cb)(const char *channel, void *arg);
int	store_foreach_channel(struct store *, const char *client,
	    int32_t from_day, int32_t to_day, store_channel_cb, void *arg,
	    char **cause);
/* store_lacks() of any scope: a channel's campaign-days (campaign NULL). */
int	store_lacks_scope(struct store *, const char *client,
	    const char *campaign, const char *channel, int32_t from_day,
	    int32_t to_day, struct kpi_lack **out, size_t *n, char **cause);

/* A connection that only reads: writes through it fail. 0 or -1. */
int	store_set_read_only(struct store *, char **cause);
/* From another thread: make the statement running on the connection, if
 * any, fail at once (a long read stopped at shutdown). */
void	store_interrupt(struct store *);

/*
 * Digests (store-digest.c): per (client, schedule) when the schedule was
 * first seen and the last period sent. store_digest_get(): 1 found, 0 not
 * (*st zeroed, sent_from INT32_MIN), -1. store_digest_arm(): record the
 * schedule as seen at now unless it is already (0 or -1).
 * store_digest_mark(): record period [from, to] as sent at now (late or
 * not), inside the store_begin() transaction that adds its outbox items;
 * returns 1, or 0 when a period from `from` or later is recorded already
 * (sent by another process: the caller rolls back), or -1.
 * store_digest_count(): digests recorded as sent (metrics), or -1.
 */
struct store_digest_state {
	int64_t	 armed_at;
	int32_t	 sent_from, sent_to;	/* INT32_MIN: none */
	int64_t	 sent_at;
	int	 late;
};
int	store_digest_get(struct store *, const char *client,
	    const char *schedule, struct store_digest_state *, char **cause);
int	store_digest_arm(struct store *, const char *client,
	    const char *schedule, int64_t now, char **cause);
int	store_digest_mark(struct store *, const char *client,
	    const char *schedule, int32_t from, int32_t to, int64_t now,
	    int late, char **cause);
int64_t	store_digest_count(struct store *);

/*
 * Annotations (store-note.c): what the agency did, on a local day of a
 * client, maybe about one campaign or channel. store_note_add(): its id
 * (never reused) or -1. store_note_list(): the client's notes of days
 * [from_day, to_day] (INT32_MIN / INT32_MAX: open), by day then id; *out
 * freed with store_notes_free(). store_note_remove(): 1 removed, 0 no such
 * note of that client, -1.
 */
struct store_note {
	int64_t	 id;
	char	*client;
	int32_t	 day;
	char	*campaign;	/* NULL: none */
	char	*channel;	/* NULL: none */
	char	*text;
	int64_t	 created;	/* unix seconds */
	char	*author;	/* "cli", "http client acme", "http operator" */
};
int64_t	store_note_add(struct store *, const struct store_note *,
	    char **cause);
int	store_note_list(struct store *, const char *client, int32_t from_day,
	    int32_t to_day, struct store_note **out, size_t *n, char **cause);
void	store_notes_free(struct store_note *, size_t n);
int	store_note_remove(struct store *, const char *client, int64_t id,
	    char **cause);

/*
 * Alert history (store-alert.c): each time a rule fires or is resolved
 * for a subject, in the transaction that stores its new state.
 * store_alert_events(): the client's events with from <= at < to, by time,
 * to cb (non-zero stops and is returned); 0 or -1.
 */
int	store_alert_event_add(struct store *, const struct alert_key *,
	    int fired, enum rule_severity, int64_t at, char **cause);
typedef int (*store_alert_event_cb)(const struct alert_key *, int fired,
	    enum rule_severity, int64_t at, void *arg);
int	store_alert_events(struct store *, const char *client, int64_t from,
	    int64_t to, store_alert_event_cb, void *arg, char **cause);
/* Delete the events from before `before`: how many, or -1. The daemon
 * keeps ALERT_EVENT_KEEP_DAYS: a yearly digest's alerts and some. */
#define ALERT_EVENT_KEEP_DAYS	400
int64_t	store_alert_event_prune(struct store *, int64_t before, char **cause);

#endif
