/*
 * Inside the store: what the daemon/store*.c files share. Nothing else
 * includes this file; SQLite types stay behind store.h.
 *
 * Statements. enum store_stmt names every statement prepared once by
 * store_open() into struct store's st[]. Each file keeps the SQL of the
 * statements it uses, next to the code and the comments that explain them,
 * in a table indexed by the enum (store_metrics_sql[] in store-metrics.c,
 * ...); every statement is in exactly one table, which store_open() checks.
 * The statements of store-alert.c and store-note.c are prepared on first
 * use instead (enum store_xstmt, store_xstmt()), and store-silence.c keeps
 * its own.
 */
#ifndef ROIWATCH_STORE_INTERNAL_H
#define ROIWATCH_STORE_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct store;

/*
 * Bring the schema of db up to the newest version this program knows, in one
 * IMMEDIATE transaction; a database newer than the program is refused.
 * Returns 0, or -1 with *cause (caller frees).
 */
int	store_migrate(sqlite3 *db, char **cause);
/*
 * alert_state.judged of a campaign that could not be evaluated
 * (rules_judged_encode of RULE_SKIP_ERROR), and the states a periodic sweep
 * revisits: open alerts and campaigns that could not be evaluated (the
 * partial index alert_open holds exactly these).
 */
#define STORE_JUDGED_ERROR_SQL	"6"
#define STORE_ALERT_OPEN	"(state <> 'ok' OR judged = " STORE_JUDGED_ERROR_SQL ")"
/* Since migration 7 also the subjects the receivers believe firing or that
 * flap: a sweep releases them (the index of migration 5 is gone). */
#define STORE_ALERT_OPEN7	"(state <> 'ok' OR judged = "		\
	STORE_JUDGED_ERROR_SQL " OR told <> 0 OR flapping <> 0)"

/* The connection of a store (store-checkpoint.c), and a PRAGMA run on a
 * connection (the value it returns, if any, into out). */
sqlite3	*store_db(struct store *);
int	store_pragma(sqlite3 *db, const char *sql, char *out, size_t len,
	    char **cause);

/*
 * Statements of store-alert.c, not store_open()'s: prepared on first
 * use (each file keeps its SQL), finalized by store_free(). NULL with
 * *cause when the SQL does not prepare.
 */
enum store_xstmt {
	SX_ALERT_GET,
	SX_ALERT_PUT,
	SX_ALERT_LIST,
	SX_ALERT_OPEN_NEXT,
	SX_ALERT_UNJUDGEABLE,
	SX_ALERT_SUBJECT,
	SX_ALERT_DROP,
	SX_NOTE_ADD,
	SX_NOTE_LIST,
	SX_NOTE_REMOVE,
	SX_DIGEST_GET,		/* store-digest.c's, the same way */
	SX_DIGEST_ARM,
	SX_DIGEST_MARK,
	SX_DIGEST_COUNT,
	SX_ALERT_EVENT_ADD,
	SX_ALERT_EVENTS,
	SX_ALERT_EVENT_PRUNE,
	SX_ALERT_COUNTS,	/* /metrics (store-alert.c) */
	SX_OUTBOX_QUEUES,	/* /metrics, /healthz (store-outbox.c) */
	SX__MAX
};
sqlite3_stmt *store_xstmt(struct store *, enum store_xstmt, const char *sql,
	    char **cause);
/* Bind text (NULL: SQL NULL), kept by the caller until the step. */
void	store_bind_text(sqlite3_stmt *, int idx, const char *);
/* Copy a text column into buf; -1 if it does not fit. */
int	store_column_copy(sqlite3_stmt *, int col, char *buf, size_t len);

/* Schema version this program writes (the number of migrations). */
int	store_schema_version(void);

/*
 * Set *cause to "what: <SQLite's message>", reset st (may be NULL), note a
 * lock held by another connection (store_busy) and return -1.
 */
int	store_fail(struct store *, sqlite3_stmt *st, const char *what,
	    char **cause);
/* The statements of silences and held notices (store-silence.c), prepared
 * at its first call, kept in the store and finalized by store_free(). */
struct store_silence;
struct store_silence **store_silence_slot(struct store *);
void	store_silence_free(struct store *);

/*
 * The statements prepared by store_open(); a scope's statements (campaign,
 * client, channel) follow each other in that order (store_pick in
 * store-totals.c).
 */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_METRIC_INPUT,
	ST_NEXT_INPUT_ID,
	ST_INPUT_ADD,
	ST_SAMPLE_GET,
	ST_CUSTOM_PUT,
	ST_CUSTOM_TOTALS_CAMPAIGN,
	ST_CUSTOM_TOTALS_CLIENT,
	ST_CUSTOM_TOTALS_CHANNEL,
	ST_SUMS_CAMPAIGN,
	ST_SUMS_CLIENT,
	ST_SUMS_CHANNEL,
	ST_TOTALS_CAMPAIGN,
	ST_TOTALS_CLIENT,
	ST_TOTALS_CHANNEL,
	ST_GAPS_CAMPAIGN,
	ST_GAPS_CLIENT,
	ST_GAPS_CHANNEL,
	ST_LACKS_CAMPAIGN,
	ST_LACKS_CLIENT,
	ST_LAST_DAY,
	ST_LAST_DAY_CLIENT,
	ST_LAST_DAY_CHANNEL,
	ST_CHANNEL,
	ST_CAMPAIGN_FIRST,
	ST_CAMPAIGN_NEXT,
	ST_CLIENT_CAMPAIGN_FIRST,
	ST_CLIENT_CAMPAIGN_NEXT,
	ST_COUNT_METRICS,
	ST_OUTBOX_ADD,
	ST_OUTBOX_DUE,
	ST_OUTBOX_NEXT_AT,
	ST_OUTBOX_DONE,
	ST_OUTBOX_RETRY,
	ST_OUTBOX_DEAD,
	ST_OUTBOX_PRUNE,
	ST_OUTBOX_COUNTS,
	ST_OUTBOX_DUE_EXCEPT,
	ST_OUTBOX_FAILED,
	ST_OUTBOX_LIST,
	ST_OUTBOX_GET,
	ST_OUTBOX_REQUEUE,
	ST_OUTBOX_DROP,
	ST_OUTBOX_PARTS_DONE,
	ST_OUTBOX_PART_DONE,
	ST_SOURCE_GET,
	ST_SOURCE_PUT,
	ST_REPLAY_SEEN,
	ST_REPLAY_MARK,
	ST_REPLAY_PRUNE,
	ST_READ_BEGIN,
	ST_CHANNELS,
	ST_LACKS_CHANNEL,
	ST_ROWS_CAMPAIGN,
	ST_ROWS_CLIENT,
	ST_ROWS_CHANNEL,
	ST_OUTBOX_GROUP_OPEN,
	ST_OUTBOX_ADD_AT,
	ST_OUTBOX_REWRITE,
	ST_OUTBOX_REMOVE,
	ST_OUTBOX_CROWDED,
	ST_OUTBOX_UNTRIED,
	ST__MAX
};

/* The SQL of the statements, one table per file (NULL: another file's). */
extern const char *const store_metrics_sql[ST__MAX];
extern const char *const store_totals_sql[ST__MAX];
extern const char *const store_outbox_sql[ST__MAX];
extern const char *const store_source_sql[ST__MAX];

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST__MAX];
	sqlite3_stmt	*xst[SX__MAX];	/* store_xstmt(): on first use */
	int		 in_txn;	/* inside store_begin() */
	int64_t		 txn_time;	/* clock read once per transaction */
	int		 busy;		/* the last failure: locked by another
					   connection (store_busy) */
	int		 waitfd;	/* the database file, for flock():
					   the waiting mark (store_yield) */
	int		 waiting;	/* we hold the mark */
	int		 busy_msecs;	/* how long a statement waits for a
					   lock (store_busy_cb) */
	int64_t		 mark_at;	/* last wait (monotonic ms) */
	struct store_silence *silence;	/* store-silence.c's statements */
};

/* Run a statement that returns no rows, leaving the waiting mark on
 * success: 0, or -1 with *cause. */
int	store_run(struct store *, enum store_stmt, const char *what,
	    char **cause);
/* Run a statement that yields one integer (NULL reads as null); on error
 * log what and return fail. */
int64_t	store_scalar(struct store *, enum store_stmt, const char *what,
	    int64_t null, int64_t fail);
/* Run a DELETE of the rows older than before (?1): how many, or -1
 * with *cause. */
int64_t	store_prune(struct store *, enum store_stmt, int64_t before,
	    const char *what, char **cause);
/* A text column as a string of its own (NULL for NULL). */
char	*store_column_strdup(sqlite3_stmt *, int col);
/* Make the SQL functions of the metric upsert (rw_*, store-metrics.c)
 * known to db: 0, or -1 (sqlite3_errmsg tells why). */
int	store_metrics_functions(sqlite3 *db);

#endif
