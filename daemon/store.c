/*
 * The store: one SQLite database in WAL mode holding metric samples, custom
 * KPIs, alert states, the notification outbox and pull sources' state
 * (schema in store-migrate.c). This file opens and closes it: pragmas, the
 * busy handler and the waiting mark, transactions and savepoints, the
 * preparation of every statement, and the helpers the other store*.c files
 * share (store-internal.h). The family:
 *   store-metrics.c	inputs, the metric upsert and its SQL functions, samples
 *   store-totals.c	totals, gaps, lacks, last day, campaign walks, reports
 *   store-outbox.c	the notification outbox
 *   store-source.c	pull sources' state and replay marks
 *   store-alert.c, store-silence.c, store-sync.c, store-checkpoint.c,
 *   store-migrate.c
 *
 * store_open() opens the file, sets the pragmas, runs the migrations and then
 * prepares every statement of enum store_stmt once, each from the SQL table
 * of the file that uses it; nothing is prepared later and every value
 * travels as a bound parameter. The write path of ingest,
 * store_put_metric*(), is one bind + step + reset of a cached statement with
 * texts bound SQLITE_STATIC, so it costs what a hand-written loader costs;
 * a row with custom KPIs adds one step of another cached upsert per value.
 * SQLite codes stay in the store*.c files: callers get 0/-1 and a
 * caller-freed cause.
 */
#include <sys/file.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

static const char *const store_core_sql[ST__MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT store_input",
	[ST_RELEASE] = "RELEASE store_input",
	[ST_ROLLBACK_TO] = "ROLLBACK TO store_input",
};

/* Every statement's SQL is in exactly one of these. */
static const char *const *const store_sql[] = {
	store_core_sql,
	store_metrics_sql,
	store_totals_sql,
	store_outbox_sql,
	store_source_sql,
};

/* The SQL of statement id, or NULL if no table has it. */
static const char *
store_stmt_sql(int id)
{
	const char	*sql = NULL;
	size_t		 i;

	for (i = 0; i < sizeof store_sql / sizeof store_sql[0]; i++) {
		if (store_sql[i][id] == NULL)
			continue;
		if (sql != NULL)
			fatalx("%s: statement %d has SQL twice", __func__, id);
		sql = store_sql[i][id];
	}
	return sql;
}

/*
 * The waiting mark: SQLite's lock is not fair, and a backfill that commits
 * chunk after chunk would take it again before a connection that polls now
 * and then ever finds it free. A connection that found it taken holds a
 * shared flock() on the database file until one of its statements succeeds;
 * a bulk writer calls store_yield() between its transactions and waits while
 * someone holds the mark. flock() and SQLite's fcntl() locks are independent
 * on Linux. Best effort: without the file descriptor, no marks.
 */
static int64_t
store_msecs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
store_wait_mark(struct store *s, int on)
{
	if (s->waitfd == -1)
		return;
	if (flock(s->waitfd, on ? LOCK_SH | LOCK_NB : LOCK_UN) == 0)
		s->waiting = on;
}

void
store_wait_expire(struct store *s, int64_t msecs)
{
	if (s->waiting && store_msecs() - s->mark_at >= msecs)
		store_wait_mark(s, 0);
}

int
store_waited_for(struct store *s)
{
	/* (A test of our own descriptor while we hold our mark would
	 * convert and then drop it.) */
	if (s->waitfd == -1 || s->waiting)
		return 0;
	if (flock(s->waitfd, LOCK_EX | LOCK_NB) == 0) {
		flock(s->waitfd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK;
}

void
store_yield(struct store *s)
{
	int i;

	if (s->waitfd == -1 || s->waiting)
		return;
	for (i = 0; i < STORE_YIELD_MAX_MSECS; i++) {
		if (flock(s->waitfd, LOCK_EX | LOCK_NB) == 0) {
			flock(s->waitfd, LOCK_UN);
			return;
		}
		if (errno != EWOULDBLOCK)
			return;
		usleep(1000);
	}
}

/*
 * SQLite's busy handler: the lock is taken. Leave the waiting mark at once (a
 * bulk writer then yields between its transactions), and poll every
 * millisecond -- not SQLite's growing sleeps of up to 100 ms, which a writer
 * committing chunk after chunk never leaves a gap wide enough for -- until
 * busy_msecs have passed.
 */
static int
store_busy_cb(void *arg, int count)
{
	struct store *s = arg;

	if (count == 0 && !s->waiting)
		store_wait_mark(s, 1);
	s->mark_at = store_msecs();
	if (count >= s->busy_msecs)
		return 0;
	usleep(1000);
	return 1;
}

/* Set *cause to "what: <SQLite's message>", reset st and return -1. */
int
store_fail(struct store *s, sqlite3_stmt *st, const char *what, char **cause)
{
	int	rc = sqlite3_errcode(s->db) & 0xff;

	s->busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
	if (cause != NULL)
		xasprintf(cause, "%s: %s", what, sqlite3_errmsg(s->db));
	if (st != NULL)
		sqlite3_reset(st);
	/* The caller tries again later, and keeps its place meanwhile. */
	if (s->busy && !s->waiting)
		store_wait_mark(s, 1);
	if (s->busy)
		s->mark_at = store_msecs();
	return -1;
}

/* Run a statement that returns no rows. */
int
store_run(struct store *s, enum store_stmt id, const char *what, char **cause)
{
	sqlite3_stmt	*st = s->st[id];
	int		 rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(s, st, what, cause);
	sqlite3_reset(st);
	if (s->waiting)
		store_wait_mark(s, 0);	/* it got its turn */
	return 0;
}

void
store_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

/* Copy a text column into buf; -1 if it does not fit. */
int
store_column_copy(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const unsigned char	*p = sqlite3_column_text(st, col);
	size_t			 n = (size_t)sqlite3_column_bytes(st, col);

	if (p == NULL)
		n = 0;
	if (n >= len)
		return -1;
	if (n != 0)
		memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

sqlite3_stmt *
store_xstmt(struct store *s, enum store_xstmt id, const char *sql,
    char **cause)
{
	if ((unsigned)id >= SX__MAX)
		fatalx("%s: statement %d", __func__, (int)id);
	if (s->xst[id] == NULL && sqlite3_prepare_v3(s->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &s->xst[id], NULL) != SQLITE_OK) {
		xasprintf(cause, "preparing statement: %s",
		    sqlite3_errmsg(s->db));
		s->xst[id] = NULL;
		return NULL;
	}
	return s->xst[id];
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

/* Run one pragma; its first result (if any) goes to out. */
int
store_pragma(sqlite3 *db, const char *sql, char *out, size_t len,
    char **cause)
{
	sqlite3_stmt		*st;
	const unsigned char	*p;
	int			 rc;

	if (out != NULL && len != 0)
		*out = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", sql, sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = sqlite3_column_text(st, 0);
		if (out != NULL && p != NULL)
			snprintf(out, len, "%s", (const char *)p);
	}
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "%s: %s", sql, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * Run a statement that yields one integer (NULL reads as `null`); on error log
 * `what` and return `fail`.
 */
int64_t
store_scalar(struct store *s, enum store_stmt id, const char *what,
    int64_t null, int64_t fail)
{
	sqlite3_stmt	*st = s->st[id];
	int64_t		 v = null;

	if (sqlite3_step(st) != SQLITE_ROW) {
		log_warnx("store: %s: %s", what, sqlite3_errmsg(s->db));
		sqlite3_reset(st);
		return fail;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* A text column as a string of its own (NULL for NULL). */
char *
store_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char	*p = sqlite3_column_text(st, col);

	return p != NULL ? xstrdup((const char *)p) : NULL;
}

/* Run a DELETE of the rows older than `before`: how many, or -1. */
int64_t
store_prune(struct store *s, enum store_stmt id, int64_t before,
    const char *what, char **cause)
{
	sqlite3_stmt	*st = s->st[id];

	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, what, cause);
	sqlite3_reset(st);
	return sqlite3_changes64(s->db);
}

struct store *
store_open(const char *path, char **cause)
{
	struct store	*s;
	const char	*sql;
	char		 mode[32];
	int		 i, flags;

	s = xcalloc(1, sizeof *s);
	s->waitfd = -1;
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		if (s->db == NULL)
			xasprintf(cause, "%s: out of memory", path);
		else
			xasprintf(cause, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);

	/* The busy handler first: switching to WAL may wait for another
	 * process. */
	s->busy_msecs = STORE_BUSY_MSECS;
	sqlite3_busy_handler(s->db, store_busy_cb, s);
	if (store_pragma(s->db, "PRAGMA journal_mode = WAL", mode,
	    sizeof mode, cause) != 0)
		goto fail;
	if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
		log_warnx("store: %s: journal mode is %s, not wal", path, mode);
	/*
	 * FULL: a commit is on disk (the WAL fsynced) before it returns, so a
	 * 2xx or a file in done/ survives a power loss, not only a crash of
	 * the process. Group commit shares the fsync among the requests and
	 * files of one transaction.
	 */
	if (store_pragma(s->db, "PRAGMA synchronous = FULL", NULL, 0,
	    cause) != 0)
		goto fail;
	if (store_pragma(s->db, "PRAGMA foreign_keys = ON", NULL, 0,
	    cause) != 0)
		goto fail;
	/*
	 * The daemon keeps an 8 MiB page cache: its memory stays small under a
	 * steady stream of webhooks. Backfills raise it (store_set_cache_kib):
	 * 64 MiB keeps the leaf pages of every campaign resident while a
	 * million rows in day order upsert one row per campaign in turn, 1.5x
	 * faster than a cache that spills and re-reads pages.
	 */
	if (store_pragma(s->db, "PRAGMA cache_size = -8192", NULL, 0,
	    cause) != 0)
		goto fail;

	if (store_metrics_functions(s->db) != 0) {
		xasprintf(cause, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (store_migrate(s->db, cause) != 0) {
		char *c = *cause;

		xasprintf(cause, "%s: %s", path, c);
		free(c);
		goto fail;
	}

	if (strcmp(path, ":memory:") != 0)
		s->waitfd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	for (i = 0; i < ST__MAX; i++) {
		if ((sql = store_stmt_sql(i)) == NULL)
			fatalx("%s: statement %d has no SQL", __func__, i);
		if (sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			xasprintf(cause, "%s: preparing statement %d: %s", path,
			    i, sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	return s;

fail:
	store_free(s);
	return NULL;
}

struct store *
store_open_dir(const char *state_dir, char **cause)
{
	struct store *s;
	char *path;

	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "state directory %s: %s", state_dir,
		    strerror(errno));
		return NULL;
	}
	xasprintf(&path, "%s/%s", state_dir, STORE_FILE);
	s = store_open(path, cause);
	free(path);
	return s;
}

int
store_set_cache_kib(struct store *s, int64_t kib, char **cause)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%lld", (long long)kib);
	return store_pragma(s->db, sql, NULL, 0, cause);
}

void
store_free(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	if (s->waitfd != -1)
		close(s->waitfd);	/* and with it any mark */
	for (i = 0; i < ST__MAX; i++)
		sqlite3_finalize(s->st[i]);
	for (i = 0; i < SX__MAX; i++)
		sqlite3_finalize(s->xst[i]);
	store_silence_free(s);
	/* An open transaction is rolled back; the last connection's close
	 * checkpoints the WAL into the database file. */
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(s->db));
	free(s);
}

int
store_begin(struct store *s, char **cause)
{
	/* Ask SQLite, not in_txn: an I/O error may have rolled back for us. */
	if (!sqlite3_get_autocommit(s->db)) {
		/* The last failure is this one: not a lock to wait for. */
		s->busy = 0;
		xasprintf(cause, "begin: a transaction is already open");
		return -1;
	}
	if (store_run(s, ST_BEGIN, "begin", cause) != 0)
		return -1;
	s->in_txn = 1;
	s->txn_time = (int64_t)time(NULL);
	return 0;
}

/* A failed COMMIT (SQLITE_BUSY) leaves the transaction open: roll back. */
int
store_commit(struct store *s, char **cause)
{
	if (store_run(s, ST_COMMIT, "commit", cause) != 0)
		return -1;
	s->in_txn = 0;
	return 0;
}

void
store_rollback(struct store *s)
{
	char	*cause;

	s->in_txn = 0;
	if (sqlite3_get_autocommit(s->db))
		return;		/* nothing open, or SQLite already rolled back */
	if (store_run(s, ST_ROLLBACK, "rollback", &cause) != 0) {
		log_warnx("store: %s", cause);
		free(cause);
	}
}

int
store_set_busy_timeout(struct store *s, int msecs, char **cause)
{
	if (msecs < 0) {
		xasprintf(cause, "busy timeout %d ms: negative", msecs);
		return -1;
	}
	s->busy_msecs = msecs;
	return 0;
}

int
store_busy(const struct store *s)
{
	return s->busy;
}

int
store_txn_open(const struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int
store_savepoint(struct store *s, char **cause)
{
	return store_run(s, ST_SAVEPOINT, "savepoint", cause);
}

int
store_savepoint_release(struct store *s, char **cause)
{
	return store_run(s, ST_RELEASE, "release savepoint", cause);
}

/* Undo everything since store_savepoint() and close the savepoint. */
void
store_savepoint_rollback(struct store *s)
{
	char	*cause;

	if (sqlite3_get_autocommit(s->db))
		return;
	if (store_run(s, ST_ROLLBACK_TO, "rollback to savepoint",
	    &cause) != 0 ||
	    store_run(s, ST_RELEASE, "release savepoint", &cause) != 0) {
		log_warnx("store: %s", cause);
		free(cause);
	}
}

/* Where store-silence.c keeps its statements for this store. */
struct store_silence **
store_silence_slot(struct store *s)
{
	return &s->silence;
}

/*
 * A connection that only reads (the HTTP read endpoints' worker): a write
 * through it fails (PRAGMA query_only). store_interrupt() is the one call
 * another thread may make on a connection: the statement running on it, if
 * any, fails at once (a report stopped at shutdown).
 */
int
store_set_read_only(struct store *s, char **cause)
{
	return store_pragma(s->db, "PRAGMA query_only = ON", NULL, 0, cause);
}

void
store_interrupt(struct store *s)
{
	sqlite3_interrupt(s->db);
}
