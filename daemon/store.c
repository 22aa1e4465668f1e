/*
 * The store: one SQLite database in WAL mode holding metric samples, custom
 * KPIs, alert states, the notification outbox and pull sources' state
 * (schema in store-migrate.c).
 *
 * store_open() opens the file, sets the pragmas, runs the migrations and then
 * prepares every statement of store_sql[] once; nothing is prepared later and
 * every value travels as a bound parameter. The write path of ingest,
 * store_put_metric*(), is one bind + step + reset of a cached statement with
 * texts bound SQLITE_STATIC, so it costs what a hand-written loader costs;
 * a row with custom KPIs adds one step of another cached upsert per value.
 * SQLite codes stay in this file: callers get 0/-1 and a caller-freed cause.
 */
#include <sys/file.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metric.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

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
	ST__MAX
};

/*
 * The metric upsert merges field by field (DESIGN.md): an input replaces only
 * the fields it reports; a field it lacks (NULL) keeps the stored value and
 * where that came from. Rows of one input with the same key add up, field by
 * field.
 * Provenance: input_id is the input of the sample's last write; src is NULL
 * while every field came from it -- the hot path of ingest, a fresh or whole
 * sample, writes nothing more -- and otherwise lists, per field (channel,
 * cost, revenue, impressions, clicks, conversions: STORE_SRC_*), the older
 * input a field was kept from, "" for input_id ("12,,12,,,": channel and
 * revenue from input 12). rw_src_of() reads it, rw_src_merge() writes it;
 * both run only when a write meets a stored sample. The metrics table keeps
 * at most 13 columns: beyond that SQLite compares its keys with a generic
 * routine, which cost HTTP ingest a tenth of its speed.
 *   ?1 client ?2 campaign ?3 day ?4 hour ?5 channel ?6 cost ?7 revenue
 *   ?8 impressions ?9 clicks ?10 conversions ?11 input_id
 *   ?12 odd: an hourly sample or one lacking a field (store_sums)
 *   ?13 the fields the row carries, bit STORE_SRC_* each (rw_src_merge)
 * Two channels for one campaign-day within one input is refused through
 * rw_channel_conflict(), which raises a constraint error: the channel is not
 * part of a sample's identity, so the input must say which one it is.
 */
/* Field k came from this very input already: sum rather than replace. */
#define MSAME(k) \
	"(input_id = excluded.input_id AND (src IS NULL OR" \
	" rw_src_of(src, " #k ", input_id) = input_id))"
/* Whether field c stays missing after the merge. */
#define MNULL(c)	"(excluded." c " IS NULL AND " c " IS NULL)"
#define MSET(c, k) \
	c " = CASE WHEN excluded." c " IS NULL THEN " c \
	" WHEN " c " IS NOT NULL AND " MSAME(k) \
	" THEN " c " + excluded." c " ELSE excluded." c " END, "

/*
 * Totals of a scope. Most scopes hold only whole-day samples reporting every
 * field: ST_SUMS_* (plain sums, 0.07 ms per campaign of 200 days) then say
 * everything -- every sample is a day, complete for every pair -- and tell
 * so by max(odd) = 0 (column odd, kept by the upsert: an hourly sample or a
 * missing field). A partial index of odd samples instead cost inserts a
 * quarter more than it saved.
 * Otherwise ST_TOTALS_* add each field up over every sample, count
 * the samples reporting each field and the days (a client's: campaign-days).
 * When some sample lacks a field, ST_GAPS_* read only such samples (a cheap
 * filter on the same range) and, per pair of KPI_PAIRS, sum what must come
 * off the plain sums for the pair to cover only the samples with both fields:
 * a where b is missing, b where a is, the samples lacking either and the days
 * having such a sample. Measured per campaign of 200 days: plain sums 0.07
 * ms, these 0.10 (+0.05 with gaps); conditional sums of every pair over every
 * sample cost 0.3 to 1 ms, and both scans in one statement 0.2. SUM() of
 * integers raises "integer overflow" instead of wrapping.
 * ST_TOTALS_* columns: 0 days, 1 samples, 2..6 sums of cost revenue
 * impressions clicks conversions, 7 min(day), 8 max(day), 9..13 samples
 * reporting each of those fields. ST_GAPS_* columns: 0 days lacking any
 * field, then per pair from 1: a off, b off, samples off, days off.
 */
#define SUMS_SQL(where)							\
	"SELECT count(*), sum(cost), sum(revenue), sum(impressions),"	\
	" sum(clicks), sum(conversions), min(day), max(day), max(odd)"	\
	" FROM metrics WHERE " where " AND day BETWEEN ?3 AND ?4"
#define TOTALS_FIELDS							\
	"sum(cost), sum(revenue), sum(impressions), sum(clicks),"	\
	" sum(conversions), min(day), max(day), count(cost),"		\
	" count(revenue), count(impressions), count(clicks),"		\
	" count(conversions)"
#define TOTALS_SQL_CAMPAIGN						\
	"SELECT count(DISTINCT day), count(*), " TOTALS_FIELDS		\
	" FROM metrics WHERE client = ?1 AND campaign = ?2"		\
	" AND day BETWEEN ?3 AND ?4"
/* A client's (or a channel's) total: campaign-days, counted per campaign
 * and added up. */
#define TOTALS_SQL_SCOPE(where)						\
	"SELECT sum(d), sum(n), sum(c), sum(r), sum(i), sum(k), sum(v),"	\
	" min(lo), max(hi), sum(nc), sum(nr), sum(ni), sum(nk), sum(nv)"	\
	" FROM (SELECT count(DISTINCT day) AS d, count(*) AS n,"	\
	" sum(cost) AS c, sum(revenue) AS r, sum(impressions) AS i,"	\
	" sum(clicks) AS k, sum(conversions) AS v, min(day) AS lo,"	\
	" max(day) AS hi, count(cost) AS nc, count(revenue) AS nr,"	\
	" count(impressions) AS ni, count(clicks) AS nk,"		\
	" count(conversions) AS nv FROM metrics WHERE " where		\
	" AND day BETWEEN ?3 AND ?4 GROUP BY campaign)"
#define TOTALS_NCOLS	14

#define GAPS_ANY_NULL							\
	"(cost IS NULL OR revenue IS NULL OR impressions IS NULL OR"	\
	" clicks IS NULL OR conversions IS NULL)"
#define GAPS_IN(id, fa, fb, ca, cb)					\
	", sum(" #ca " * (" #cb " IS NULL)) AS " #id "_a"		\
	", sum(" #cb " * (" #ca " IS NULL)) AS " #id "_b"		\
	", sum(" #ca " IS NULL OR " #cb " IS NULL) AS " #id "_n"	\
	", max(" #ca " IS NULL OR " #cb " IS NULL) AS " #id "_d"
#define GAPS_OUT(id, fa, fb, ca, cb)					\
	", sum(" #id "_a), sum(" #id "_b), sum(" #id "_n), sum(" #id "_d)"
#define GAPS_SQL(where, group)						\
	"SELECT count(*)" KPI_PAIRS(GAPS_OUT) " FROM (SELECT day"	\
	KPI_PAIRS(GAPS_IN) " FROM metrics WHERE " where			\
	" AND day BETWEEN ?3 AND ?4 AND " GAPS_ANY_NULL			\
	" GROUP BY " group ")"
#define GAPS_NCOLS	(1 + 4 * KPI_PAIR__MAX)

/* Days (client scope: campaign-days) of which some sample lacks a field:
 * columns campaign, day, then 1 per field lacking (cost .. conversions). */
#define LACKS_SQL(where, group, order)					\
	"SELECT campaign, day, max(cost IS NULL), max(revenue IS NULL),"	\
	" max(impressions IS NULL), max(clicks IS NULL),"		\
	" max(conversions IS NULL) FROM metrics WHERE " where		\
	" AND day BETWEEN ?3 AND ?4 GROUP BY " group			\
	" HAVING max(cost IS NULL) OR max(revenue IS NULL) OR"		\
	" max(impressions IS NULL) OR max(clicks IS NULL) OR"		\
	" max(conversions IS NULL) ORDER BY " order

/*
 * The campaigns of a client, one seek of the primary key each (a loose index
 * scan): a client's or a channel's totals over a window then read only the
 * window's days of each campaign, not every sample of the client -- 100
 * campaigns x 365 days summed for a month in 0.4 ms instead of 10.
 */
#define CLIENT_CAMPAIGNS(table)						\
	"WITH RECURSIVE rw_c(n) AS (SELECT (SELECT min(campaign) FROM "	\
	table " WHERE client = ?1) UNION ALL SELECT (SELECT"		\
	" min(campaign) FROM " table " WHERE client = ?1 AND"		\
	" campaign > n) FROM rw_c WHERE n IS NOT NULL)"			\
	" SELECT n FROM rw_c WHERE n IS NOT NULL"
#define IN_CLIENT	"client = ?1 AND campaign IN ("			\
	CLIENT_CAMPAIGNS("metrics") ")"

#define ROWS_SQL(where)							\
	"SELECT campaign, day, cost, revenue, impressions, clicks,"	\
	" conversions FROM metrics WHERE " where			\
	" AND day BETWEEN ?3 AND ?4 ORDER BY campaign, day, hour"

static const char *store_sql[ST__MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT store_input",
	[ST_RELEASE] = "RELEASE store_input",
	[ST_ROLLBACK_TO] = "ROLLBACK TO store_input",

	/* An overflowing sum turns REAL in SQLite and the STRICT table
	 * refuses it, so overflow is an error, never a wrong value. */
	[ST_METRIC_INPUT] =
	    "INSERT INTO metrics (client, campaign, day, hour, channel, cost,"
	    " revenue, impressions, clicks, conversions, input_id, odd)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	    " ON CONFLICT (client, campaign, day, hour) DO UPDATE SET"
	    " channel = CASE WHEN excluded.channel IS NULL THEN channel"
	    " WHEN channel <> excluded.channel AND " MSAME(0)
	    " THEN rw_channel_conflict(channel, excluded.channel)"
	    " ELSE excluded.channel END, "
	    MSET("cost", 1) MSET("revenue", 2) MSET("impressions", 3)
	    MSET("clicks", 4) MSET("conversions", 5)
	    " odd = hour >= 0 OR " MNULL("cost") " OR " MNULL("revenue")
	    " OR " MNULL("impressions") " OR " MNULL("clicks") " OR "
	    MNULL("conversions") ","
	    " src = rw_src_merge(src, input_id, excluded.input_id, ?13),"
	    " input_id = excluded.input_id",
	[ST_NEXT_INPUT_ID] =
	    "UPDATE counters SET value = value + 1 WHERE name = 'input_id'"
	    " RETURNING value",
	[ST_INPUT_ADD] =
	    "INSERT INTO inputs (id, origin, created) VALUES (?1, ?2, ?3)",
	/* ?1..?4 the sample's key. */
	/* ?1..?4 the sample's key. */
	[ST_SAMPLE_GET] =
	    "SELECT m.channel, m.cost, m.revenue, m.impressions, m.clicks,"
	    " m.conversions,"
	    " i0.origin, i0.created, i1.origin, i1.created,"
	    " i2.origin, i2.created, i3.origin, i3.created,"
	    " i4.origin, i4.created, i5.origin, i5.created,"
	    " i0.id, i1.id, i2.id, i3.id, i4.id, i5.id"
	    " FROM metrics m"
	    " LEFT JOIN inputs i0 ON i0.id = rw_src_of(m.src, 0, m.input_id)"
	    " LEFT JOIN inputs i1 ON i1.id = rw_src_of(m.src, 1, m.input_id)"
	    " LEFT JOIN inputs i2 ON i2.id = rw_src_of(m.src, 2, m.input_id)"
	    " LEFT JOIN inputs i3 ON i3.id = rw_src_of(m.src, 3, m.input_id)"
	    " LEFT JOIN inputs i4 ON i4.id = rw_src_of(m.src, 4, m.input_id)"
	    " LEFT JOIN inputs i5 ON i5.id = rw_src_of(m.src, 5, m.input_id)"
	    " WHERE m.client = ?1 AND m.campaign = ?2 AND m.day = ?3"
	    " AND m.hour = ?4",
	/* ?1..?4 as metrics, ?5 name ?6 value ?7 input_id. */
	[ST_CUSTOM_PUT] =
	    "INSERT INTO custom_metrics (client, campaign, day, hour, name,"
	    " value, input_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (client, campaign, day, hour, name) DO UPDATE SET"
	    " value = CASE WHEN input_id = excluded.input_id"
	    " THEN value + excluded.value ELSE excluded.value END,"
	    " input_id = excluded.input_id",
	[ST_CUSTOM_TOTALS_CAMPAIGN] =
	    "SELECT name, sum(value), count(DISTINCT day) FROM custom_metrics"
	    " WHERE client = ?1 AND campaign = ?2 AND day BETWEEN ?3 AND ?4"
	    " GROUP BY name ORDER BY name",
	[ST_CUSTOM_TOTALS_CLIENT] =
	    "SELECT name, sum(value), count(DISTINCT day) FROM custom_metrics"
	    " WHERE client = ?1 AND campaign IN ("
	    CLIENT_CAMPAIGNS("custom_metrics") ") AND day BETWEEN ?3 AND ?4"
	    " GROUP BY name ORDER BY name",

	/* A channel's samples: those that name it (a campaign may change
	 * channel); the custom values of those samples. */
	[ST_CUSTOM_TOTALS_CHANNEL] =
	    "SELECT c.name, sum(c.value), count(DISTINCT c.day)"
	    " FROM custom_metrics c JOIN metrics m ON m.client = c.client"
	    " AND m.campaign = c.campaign AND m.day = c.day"
	    " AND m.hour = c.hour"
	    " WHERE c.client = ?1 AND m.channel = ?2"
	    " AND c.day BETWEEN ?3 AND ?4 GROUP BY c.name ORDER BY c.name",

	[ST_SUMS_CAMPAIGN] = SUMS_SQL("client = ?1 AND campaign = ?2"),
	[ST_SUMS_CLIENT] = SUMS_SQL(IN_CLIENT),
	[ST_SUMS_CHANNEL] = SUMS_SQL(IN_CLIENT " AND channel = ?2"),
	[ST_TOTALS_CAMPAIGN] = TOTALS_SQL_CAMPAIGN,
	[ST_TOTALS_CLIENT] = TOTALS_SQL_SCOPE(IN_CLIENT),
	[ST_TOTALS_CHANNEL] = TOTALS_SQL_SCOPE(IN_CLIENT " AND channel = ?2"),
	[ST_GAPS_CAMPAIGN] = GAPS_SQL("client = ?1 AND campaign = ?2", "day"),
	[ST_GAPS_CLIENT] = GAPS_SQL(IN_CLIENT, "campaign, day"),
	[ST_GAPS_CHANNEL] = GAPS_SQL(IN_CLIENT " AND channel = ?2",
	    "campaign, day"),
	[ST_LACKS_CAMPAIGN] = LACKS_SQL("client = ?1 AND campaign = ?2",
	    "day", "day"),
	[ST_LACKS_CLIENT] = LACKS_SQL(IN_CLIENT, "campaign, day",
	    "day, campaign"),
	[ST_LAST_DAY] =
	    "SELECT max(day) FROM metrics WHERE client = ?1 AND campaign = ?2",
	[ST_LAST_DAY_CLIENT] =
	    "SELECT max((SELECT max(day) FROM metrics WHERE client = ?1"
	    " AND campaign = n)) FROM (" CLIENT_CAMPAIGNS("metrics") ")",
	[ST_LAST_DAY_CHANNEL] =
	    "SELECT max((SELECT day FROM metrics WHERE client = ?1"
	    " AND campaign = n AND channel = ?2 ORDER BY day DESC LIMIT 1))"
	    " FROM (" CLIENT_CAMPAIGNS("metrics") ")",
	[ST_CHANNEL] =
	    "SELECT channel FROM metrics WHERE client = ?1 AND campaign = ?2"
	    " AND channel IS NOT NULL ORDER BY day DESC, hour DESC LIMIT 1",

	/* Campaign walks seek the primary key once per campaign (skip-scan)
	 * rather than reading every sample. */
	[ST_CAMPAIGN_FIRST] =
	    "SELECT client, campaign FROM metrics"
	    " ORDER BY client, campaign LIMIT 1",
	[ST_CAMPAIGN_NEXT] =
	    "SELECT client, campaign FROM metrics"
	    " WHERE (client, campaign) > (?1, ?2)"
	    " ORDER BY client, campaign LIMIT 1",
	[ST_CLIENT_CAMPAIGN_FIRST] =
	    "SELECT client, campaign FROM metrics WHERE client = ?1"
	    " ORDER BY campaign LIMIT 1",
	[ST_CLIENT_CAMPAIGN_NEXT] =
	    "SELECT client, campaign FROM metrics WHERE client = ?1"
	    " AND campaign > ?2 ORDER BY campaign LIMIT 1",
	[ST_COUNT_METRICS] = "SELECT count(*) FROM metrics",

	/*
	 * The id is chosen in the same statement so the idempotency key can
	 * carry it; 8 random bytes from SQLite's generator (seeded from the
	 * system's randomness) keep keys unique even if an id is ever reused.
	 */
	[ST_OUTBOX_ADD] =
	    "INSERT INTO outbox (id, client, receiver, idem_key, payload,"
	    " created, attempts, next_at, status)"
	    " SELECT n, ?1, ?2,"
	    " 'rw-' || ?1 || '-' || n || '-' || lower(hex(randomblob(8))),"
	    " ?3, ?4, 0, ?4, 'pending'"
	    " FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM outbox)"
	    " RETURNING id",
	[ST_OUTBOX_DUE] =
	    "SELECT id, client, receiver, idem_key, payload, created, attempts,"
	    " next_at, last_error FROM outbox"
	    " WHERE status = 'pending' AND next_at <= ?1"
	    " ORDER BY created, id LIMIT ?2",
	[ST_OUTBOX_NEXT_AT] =
	    "SELECT min(next_at) FROM outbox WHERE status = 'pending'",
	[ST_OUTBOX_DONE] =
	    "UPDATE outbox SET status = 'done', done_at = ?2"
	    " WHERE id = ?1 AND status = 'pending'",
	[ST_OUTBOX_RETRY] =
	    "UPDATE outbox SET attempts = attempts + 1, next_at = ?2,"
	    " last_error = ?3 WHERE id = ?1 AND status = 'pending'",
	[ST_OUTBOX_DEAD] =
	    "UPDATE outbox SET status = 'dead', done_at = ?2, last_error = ?3"
	    " WHERE id = ?1 AND status = 'pending'",
	[ST_OUTBOX_PRUNE] =
	    "DELETE FROM outbox WHERE status IN ('done', 'dead')"
	    " AND done_at < ?1",
	[ST_OUTBOX_COUNTS] =
	    "SELECT status, count(*) FROM outbox GROUP BY status",
	/*
	 * Due items minus those in flight (?2, ids), of saturated clients (?3)
	 * and of saturated receivers (?4, [client, receiver] pairs), all JSON
	 * arrays: each list is read once into an index, so the cost stays that
	 * of ST_OUTBOX_DUE however many items the saturated ones hold.
	 */
	[ST_OUTBOX_DUE_EXCEPT] =
	    "SELECT id, client, receiver, idem_key, payload, created, attempts,"
	    " next_at, last_error FROM outbox"
	    " WHERE status = 'pending' AND next_at <= ?1"
	    " AND id NOT IN (SELECT value FROM json_each(?2))"
	    " AND client NOT IN (SELECT value FROM json_each(?3))"
	    " AND (client, receiver) NOT IN (SELECT json_extract(value, '$[0]'),"
	    " json_extract(value, '$[1]') FROM json_each(?4))"
	    " ORDER BY created, id LIMIT ?5",

	[ST_SOURCE_GET] =
	    "SELECT last_attempt, last_success, etag, last_modified, failures,"
	    " last_error, next_at FROM sources WHERE name = ?1",
	[ST_SOURCE_PUT] =
	    "INSERT INTO sources (name, last_attempt, last_success, etag,"
	    " last_modified, failures, last_error, next_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (name) DO UPDATE SET"
	    " last_attempt = excluded.last_attempt,"
	    " last_success = excluded.last_success, etag = excluded.etag,"
	    " last_modified = excluded.last_modified,"
	    " failures = excluded.failures, last_error = excluded.last_error,"
	    " next_at = excluded.next_at",

	[ST_REPLAY_SEEN] =
	    "SELECT 1 FROM replay_seen WHERE client = ?1 AND mac = ?2"
	    " AND expires >= ?3",
	[ST_REPLAY_MARK] =
	    "INSERT INTO replay_seen (client, mac, expires) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (client, mac) DO UPDATE SET expires = excluded.expires"
	    " WHERE expires < excluded.expires",
	[ST_REPLAY_PRUNE] =
	    "DELETE FROM replay_seen WHERE expires < ?1",

	/* Reports (report-load.c): one snapshot; the channels of a client. */
	[ST_READ_BEGIN] = "BEGIN DEFERRED",
	[ST_CHANNELS] =
	    "SELECT DISTINCT channel FROM metrics WHERE client = ?1"
	    " AND day BETWEEN ?3 AND ?4 AND channel IS NOT NULL"
	    " AND channel <> '' ORDER BY channel",
	/* A scope's samples in key order, for totals of several windows in
	 * one pass (store_totals_multi). */
	[ST_ROWS_CAMPAIGN] = ROWS_SQL("client = ?1 AND campaign = ?2"),
	[ST_ROWS_CLIENT] = ROWS_SQL(IN_CLIENT),
	[ST_ROWS_CHANNEL] = ROWS_SQL(IN_CLIENT " AND channel = ?2"),
	[ST_LACKS_CHANNEL] = LACKS_SQL(IN_CLIENT " AND channel = ?2",
	    "campaign, day", "day, campaign"),
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST__MAX];
	sqlite3_stmt	*xst[SX__MAX];	/* of the other store*.c files */
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
static int
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
 * rw_channel_conflict(stored, new): called by the metric upsert only when one
 * input gives one campaign-day two channels; fails the statement with a
 * constraint error that names both (store_put turns it into STORE_REFUSED_CHANNEL).
 */
static void
store_channel_conflict(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char	*msg;

	(void)argc;
	msg = sqlite3_mprintf("the campaign already has channel \"%s\" on "
	    "this day in this input; this row says \"%s\" (the channel is not "
	    "part of a sample's key: give each channel its own campaign, or "
	    "one channel per campaign and day)",
	    (const char *)sqlite3_value_text(argv[0]),
	    (const char *)sqlite3_value_text(argv[1]));
	sqlite3_result_error(ctx, msg != NULL ? msg : "channel conflict", -1);
	sqlite3_result_error_code(ctx, SQLITE_CONSTRAINT);
	sqlite3_free(msg);
}

/*
 * Entry k of a provenance list ("12,,12,,,"): the input it names, or dflt
 * for an empty entry, a NULL list or a malformed one (never written by
 * anything but rw_src_merge()).
 */
static int64_t
store_src_entry(const unsigned char *src, int k, int64_t dflt)
{
	int64_t	 v = 0;
	int	 digits = 0;

	if (src == NULL)
		return dflt;
	for (; k > 0 && *src != '\0'; src++)
		if (*src == ',')
			k--;
	if (k > 0)
		return dflt;
	for (; *src >= '0' && *src <= '9' && digits < 18; src++, digits++)
		v = v * 10 + (*src - '0');
	return digits > 0 ? v : dflt;
}

/* rw_src_of(src, k, input_id): the input field k of a sample came from. */
static void
store_src_of(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int64(ctx, store_src_entry(sqlite3_value_text(argv[0]),
	    sqlite3_value_int(argv[1]), sqlite3_value_int64(argv[2])));
}

/*
 * rw_src_merge(src, old_input, new_input, mask): the provenance list after
 * new_input wrote the fields in mask: those come from new_input (""), the
 * others keep theirs (old_input's become explicit). NULL when every field
 * comes from new_input.
 */
static void
store_src_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char	*src = sqlite3_value_text(argv[0]);
	int64_t			 old = sqlite3_value_int64(argv[1]);
	int64_t			 new = sqlite3_value_int64(argv[2]);
	int			 mask = sqlite3_value_int(argv[3]), k, any = 0;
	int64_t			 from;
	char			 buf[STORE_SAMPLE_FIELDS * 21], *p = buf;

	(void)argc;
	for (k = 0; k < STORE_SAMPLE_FIELDS; k++) {
		from = (mask & (1 << k)) ? new : store_src_entry(src, k, old);
		if (k > 0)
			*p++ = ',';
		if (from != new) {
			p += snprintf(p, buf + sizeof buf - p, "%lld",
			    (long long)from);
			any = 1;
		}
	}
	if (any)
		sqlite3_result_text(ctx, buf, (int)(p - buf), SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

struct store *
store_open(const char *path, char **cause)
{
	struct store	*s;
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

	if (sqlite3_create_function(s->db, "rw_channel_conflict", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_channel_conflict,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "rw_src_of", 3,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_src_of,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "rw_src_merge", 4,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_src_merge,
	    NULL, NULL) != SQLITE_OK) {
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
		if (store_sql[i] == NULL)
			fatalx("%s: statement %d has no SQL", __func__, i);
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
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

#define STORE_FIGURES	(MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) |		\
	MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS))

/* The five figures of a sample, in the order of the totals statements. */
#define STORE_NFIGURES	5
static const enum metric_field store_figures[STORE_NFIGURES] = {
	MF_COST, MF_REVENUE, MF_IMPRESSIONS, MF_CLICKS, MF_CONVERSIONS
};

/* Where each of store_figures goes in a kpi_totals. */
static void
store_figure_ptrs(struct kpi_totals *t, int64_t *sums[STORE_NFIGURES])
{
	sums[0] = &t->cost;
	sums[1] = &t->revenue;
	sums[2] = &t->impressions;
	sums[3] = &t->clicks;
	sums[4] = &t->conversions;
}

/* The fields of a sample's provenance (src), in their order there. */
static const enum metric_field store_src_fields[STORE_SAMPLE_FIELDS] = {
	MF_CHANNEL, MF_COST, MF_REVENUE, MF_IMPRESSIONS, MF_CLICKS,
	MF_CONVERSIONS
};

/*
 * Bit k set when the row carries field k of store_src_fields: the channel,
 * then the five figures, whose MF_BITs follow one another (checked below).
 */
static int
store_src_mask(const struct metric_row *r)
{
	int mask;

	mask = (int)(r->present >> (MF_COST - 1)) & 0x3e;
	if ((r->present & MF_BIT(MF_CHANNEL)) && r->channel[0] != '\0')
		mask |= 1;	/* an empty channel is bound as NULL */
	return mask;
}
_Static_assert(MF_REVENUE == MF_COST + 1 && MF_IMPRESSIONS == MF_COST + 2 &&
    MF_CLICKS == MF_COST + 3 && MF_CONVERSIONS == MF_COST + 4,
    "store_src_mask() needs the figures' bits in store_src_fields order");

/*
 * The hot path of ingest: bind one row into a cached upsert and step it.
 * Texts are bound SQLITE_STATIC with their length, missing fields as NULL;
 * no allocation, no other statement.
 */
static int
store_put(struct store *s, sqlite3_stmt *st, const struct metric_row *r,
    int64_t input_id, char **cause)
{
	unsigned	p = r->present;
	size_t		n;

	n = strnlen(r->client, sizeof r->client);
	if (n == 0 || n == sizeof r->client) {
		xasprintf(cause, "store: bad client name");
		return -1;
	}
	sqlite3_bind_text(st, 1, r->client, (int)n, SQLITE_STATIC);
	n = strnlen(r->campaign, sizeof r->campaign);
	if (n == 0 || n == sizeof r->campaign) {
		xasprintf(cause, "store: bad campaign name");
		return -1;
	}
	sqlite3_bind_text(st, 2, r->campaign, (int)n, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->day);
	sqlite3_bind_int(st, 4, r->hour);
	n = strnlen(r->channel, sizeof r->channel);
	if (!(p & MF_BIT(MF_CHANNEL)) || n == 0 || n == sizeof r->channel)
		sqlite3_bind_null(st, 5);
	else
		sqlite3_bind_text(st, 5, r->channel, (int)n, SQLITE_STATIC);

#define BIND_FIELD(idx, f, v) do {					\
	if (p & MF_BIT(f))						\
		sqlite3_bind_int64(st, idx, v);				\
	else								\
		sqlite3_bind_null(st, idx);				\
} while (0)
	BIND_FIELD(6, MF_COST, r->cost);
	BIND_FIELD(7, MF_REVENUE, r->revenue);
	BIND_FIELD(8, MF_IMPRESSIONS, r->impressions);
	BIND_FIELD(9, MF_CLICKS, r->clicks);
	BIND_FIELD(10, MF_CONVERSIONS, r->conversions);
#undef BIND_FIELD
	sqlite3_bind_int64(st, 11, input_id);
	sqlite3_bind_int(st, 12, r->hour >= 0 ||
	    (p & STORE_FIGURES) != STORE_FIGURES);
	sqlite3_bind_int(st, 13, store_src_mask(r));

	if (sqlite3_step(st) != SQLITE_DONE) {
		/* Only rw_channel_conflict() raises a plain constraint
		 * error here; NOT NULL, CHECK and type errors have their
		 * extended codes. */
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT) {
			xasprintf(cause, "%s", sqlite3_errmsg(s->db));
			sqlite3_reset(st);
			return STORE_REFUSED_CHANNEL;
		}
		/* A sum of this input's rows that overflows turns REAL,
		 * which the STRICT table refuses: the row's fault. */
		if (sqlite3_extended_errcode(s->db) ==
		    SQLITE_CONSTRAINT_DATATYPE) {
			xasprintf(cause, "this row added to the input's earlier "
			    "rows of the same campaign and day is too large");
			sqlite3_reset(st);
			return STORE_REFUSED_SUM;
		}
		return store_fail(s, st, "storing sample", cause);
	}
	sqlite3_reset(st);
	return 0;
}

/* What metric_custom_name_normalise() makes: [a-z0-9_]{1,32}. */
static int
store_custom_name_ok(const char *name)
{
	size_t	i;

	if (name == NULL || name[0] == '\0')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i == METRIC_CUSTOM_NAME_MAX - 1 ||
		    !((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	}
	return 1;
}

/*
 * The custom values of a row just stored: one cached upsert per value, with
 * the sample's per-input semantics. Client and campaign were checked by
 * store_put().
 */
static int
store_put_custom(struct store *s, const struct metric_row *r,
    int64_t input_id, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_CUSTOM_PUT];
	unsigned	 i;

	if (r->ncustom > METRIC_CUSTOM_MAX) {
		xasprintf(cause, "store: %u custom KPIs", r->ncustom);
		return -1;
	}
	sqlite3_bind_text(st, 1, r->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->campaign, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->day);
	sqlite3_bind_int(st, 4, r->hour);
	sqlite3_bind_int64(st, 7, input_id);
	for (i = 0; i < r->ncustom; i++) {
		if (!store_custom_name_ok(r->custom[i].name)) {
			xasprintf(cause, "store: bad custom KPI name");
			return -1;
		}
		sqlite3_bind_text(st, 5, r->custom[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, r->custom[i].value);
		if (sqlite3_step(st) != SQLITE_DONE)
			return store_fail(s, st, "storing custom KPI", cause);
		sqlite3_reset(st);
	}
	return 0;
}

int
store_put_metric_input(struct store *s, const struct metric_row *r,
    int64_t input_id, char **cause)
{
	int rc;

	if (input_id <= 0) {
		xasprintf(cause, "store: bad input id %lld",
		    (long long)input_id);
		return -1;
	}
	if ((rc = store_put(s, s->st[ST_METRIC_INPUT], r, input_id,
	    cause)) != 0)
		return rc;
	if (r->ncustom > 0)
		return store_put_custom(s, r, input_id, cause);
	return 0;
}

/*
 * Run a statement that yields one integer (NULL reads as `null`); on error log
 * `what` and return `fail`.
 */
static int64_t
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

/* Ids are never reused: the counter is in the database. */
int64_t
store_input_new(struct store *s, const char *origin, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_INPUT_ADD];
	int64_t		 id;

	id = store_scalar(s, ST_NEXT_INPUT_ID, "next input id", -1, -1);
	if (id <= 0) {
		xasprintf(cause, "store: cannot number the input");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, origin != NULL && *origin != '\0' ? origin :
	    "unknown");
	sqlite3_bind_int64(st, 3, s->in_txn ? s->txn_time :
	    (int64_t)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "recording the input", cause);
	sqlite3_reset(st);
	return id;
}

/* Copy a nullable text column into a fixed buffer ("" for NULL). */
static void
store_column_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	if (store_column_copy(st, col, buf, len) != 0)
		snprintf(buf, len, "%.*s", (int)len - 1,
		    (const char *)sqlite3_column_text(st, col));
}

int
store_sample_get(struct store *s, const char *client, const char *campaign,
    int32_t day, int hour, struct store_sample *out, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_SAMPLE_GET];
	int		 i, rc;

	memset(out, 0, sizeof *out);
	store_bind_text(st, 1, client);
	store_bind_text(st, 2, campaign);
	sqlite3_bind_int(st, 3, day);
	sqlite3_bind_int(st, 4, hour);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "reading sample", cause);
	store_column_text(st, 0, out->channel, sizeof out->channel);
	for (i = 0; i < STORE_SAMPLE_FIELDS; i++) {
		struct store_sample_field *f = &out->field[i];

		f->field = store_src_fields[i];
		if (sqlite3_column_type(st, i) == SQLITE_NULL)
			continue;
		f->present = 1;
		if (i > 0)
			f->value = sqlite3_column_int64(st, i);
		f->input_id = sqlite3_column_int64(st, 18 + i);
		store_column_text(st, 6 + 2 * i, f->origin, sizeof f->origin);
		f->written = sqlite3_column_int64(st, 7 + 2 * i);
	}
	sqlite3_reset(st);
	return 1;
}

/* Column col as an int64 sum: 0 when NULL (nothing summed). -1 if not an
 * integer, which a STRICT table cannot give: money is never rounded. */
static int
store_column_sum(sqlite3_stmt *st, int col, int64_t *v, int *present)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		*v = 0;
		*present = 0;
		return 0;
	case SQLITE_INTEGER:
		*v = sqlite3_column_int64(st, col);
		*present = 1;
		return 0;
	default:
		return -1;
	}
}

/*
 * The statement of a scope: a campaign, a channel (campaign NULL) or the
 * client's total (both NULL); their statements follow each other in that
 * order from `base`.
 */
static enum store_stmt
store_pick(enum store_stmt base, const char *campaign, const char *channel)
{
	if (campaign != NULL)
		return base;
	return base + (channel != NULL ? 2 : 1);
}

/* Bind the scope of a totals, gaps or lacks statement (key: the campaign or
 * the channel, NULL for a client's total). */
static void
store_bind_scope(sqlite3_stmt *st, const char *client, const char *key,
    int32_t from_day, int32_t to_day)
{
	store_bind_text(st, 1, client);
	if (key != NULL)
		store_bind_text(st, 2, key);
	sqlite3_bind_int(st, 3, from_day);
	sqlite3_bind_int(st, 4, to_day);
}

/*
 * Totals of a scope whose samples are all whole days reporting every field:
 * each sample is a day (a campaign-day of a client's total) complete for
 * every pair. Returns 0 (done), 1 when some sample is odd (the caller reads
 * the scope the long way) or -1.
 */
static int
store_sums(struct store *s, const char *client, const char *campaign,
    const char *channel, int32_t from_day, int32_t to_day,
    struct kpi_totals *t, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		*sums[STORE_NFIGURES];
	int		 i, present;

	store_figure_ptrs(t, sums);
	st = s->st[store_pick(ST_SUMS_CAMPAIGN, campaign, channel)];
	store_bind_scope(st, client, campaign != NULL ? campaign : channel,
	    from_day, to_day);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, st, "totals", cause);
	t->samples = t->days = sqlite3_column_int64(st, 0);
	for (i = 0; i < STORE_NFIGURES; i++) {
		if (store_column_sum(st, 1 + i, sums[i], &present) != 0) {
			xasprintf(cause, "totals: a sum is not an integer");
			sqlite3_reset(st);
			memset(t, 0, sizeof *t);
			return -1;
		}
		if (present)
			t->present |= MF_BIT(store_figures[i]);
	}
	if (sqlite3_column_int(st, 8) != 0) {
		sqlite3_reset(st);
		return 1;
	}
	if (t->samples != 0) {
		t->first_day = sqlite3_column_int(st, 6);
		t->last_day = sqlite3_column_int(st, 7);
	}
	sqlite3_reset(st);
	kpi_totals_assume_complete(t);
	return 0;
}

int
store_totals(struct store *s, const char *client, const char *campaign,
    int32_t from_day, int32_t to_day, struct kpi_totals *t, char **cause)
{
	return store_totals_scope(s, client, campaign, NULL, from_day, to_day,
	    t, cause);
}

int
store_totals_scope(struct store *s, const char *client, const char *campaign,
    const char *channel, int32_t from_day, int32_t to_day,
    struct kpi_totals *t, char **cause)
{
	const char	*key = campaign != NULL ? campaign : channel;

	sqlite3_stmt	*st;
	struct kpi_pair_sums *ps;
	int64_t		*sums[STORE_NFIGURES], off[4 * KPI_PAIR__MAX], n;
	int		 i, p, present, gaps = 0;

	memset(t, 0, sizeof *t);
	memset(off, 0, sizeof off);
	store_figure_ptrs(t, sums);

	/* The common case first: no hourly sample, no missing field. */
	switch (store_sums(s, client, campaign, channel, from_day, to_day, t,
	    cause)) {
	case 0:
		return 0;
	case 1:
		memset(t, 0, sizeof *t);
		break;
	default:
		return -1;
	}

	st = s->st[store_pick(ST_TOTALS_CAMPAIGN, campaign, channel)];
	store_bind_scope(st, client, key, from_day, to_day);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, st, "totals", cause);
	if (sqlite3_column_count(st) != TOTALS_NCOLS)
		fatalx("%s: %d columns", __func__, sqlite3_column_count(st));
	if (store_column_sum(st, 0, &t->days, &present) != 0 ||
	    store_column_sum(st, 1, &t->samples, &present) != 0)
		goto bad;
	for (i = 0; i < STORE_NFIGURES; i++) {
		if (store_column_sum(st, i + 2, sums[i], &present) != 0 ||
		    store_column_sum(st, i + 9, &n, &present) != 0)
			goto bad;
		if (n > 0)
			t->present |= MF_BIT(store_figures[i]);
		if (n < t->samples)
			gaps = 1;
	}
	if (t->samples != 0) {
		t->first_day = sqlite3_column_int(st, 7);
		t->last_day = sqlite3_column_int(st, 8);
	}
	sqlite3_reset(st);

	/* Some sample lacks a field: what its pairs must leave out. */
	if (gaps) {
		st = s->st[store_pick(ST_GAPS_CAMPAIGN, campaign, channel)];
		store_bind_scope(st, client, key, from_day, to_day);
		if (sqlite3_step(st) != SQLITE_ROW) {
			memset(t, 0, sizeof *t);
			return store_fail(s, st, "totals", cause);
		}
		if (sqlite3_column_count(st) != GAPS_NCOLS)
			fatalx("%s: %d gap columns", __func__,
			    sqlite3_column_count(st));
		for (i = 0; i < 4 * KPI_PAIR__MAX; i++)
			if (store_column_sum(st, 1 + i, &off[i], &present) != 0)
				goto bad;
		sqlite3_reset(st);
	}
	for (p = 0; p < KPI_PAIR__MAX; p++) {
		ps = &t->pair[p];
		ps->a = kpi_totals_field(t, kpi_pair_field(p, 0)) - off[4 * p];
		ps->b = kpi_totals_field(t, kpi_pair_field(p, 1)) -
		    off[4 * p + 1];
		ps->samples = t->samples - off[4 * p + 2];
		ps->days = t->days - off[4 * p + 3];
	}
	return 0;

bad:
	xasprintf(cause, "totals: a sum is not an integer");
	sqlite3_reset(st);
	memset(t, 0, sizeof *t);
	return -1;
}

static int	store_lacks_read(struct store *, sqlite3_stmt *, int,
		    struct kpi_lack **, size_t *, char **);

/*
 * Totals of one scope over several windows in one pass over its samples:
 * each sample read once, added in C to every window that holds its day (the
 * sums SQL would make, kpi_acc). Samples of one (campaign-)day come
 * together in key order. Returns 0, or -1 with *cause: a sum out of range
 * ("integer overflow"), or the read failed.
 */
int
store_totals_multi(struct store *s, const char *client, const char *campaign,
    const char *channel, const int32_t *from, const int32_t *to, size_t n,
    struct kpi_totals *out, char **cause)
{
	sqlite3_stmt	*st;
	struct kpi_acc	*acc;
	const unsigned char *ca;
	char		 prev[METRIC_CAMPAIGN_MAX] = "";
	int64_t		 v[STORE_NFIGURES];
	unsigned	 present;
	int32_t		 lo = INT32_MAX, hi = INT32_MIN, day, pday = 0;
	size_t		 i;
	int		 rc, k, first = 1, group, ovf = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (from[i] < lo)
			lo = from[i];
		if (to[i] > hi)
			hi = to[i];
	}
	acc = xcalloc(n, sizeof *acc);
	st = s->st[store_pick(ST_ROWS_CAMPAIGN, campaign, channel)];
	store_bind_scope(st, client, campaign != NULL ? campaign : channel, lo,
	    hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		day = sqlite3_column_int(st, 1);
		ca = sqlite3_column_text(st, 0);
		group = first || day != pday || (campaign == NULL &&
		    strcmp(prev, ca != NULL ? (const char *)ca : "") != 0);
		if (group && campaign == NULL)
			snprintf(prev, sizeof prev, "%s",
			    ca != NULL ? (const char *)ca : "");
		first = 0;
		pday = day;
		present = 0;
		for (k = 0; k < STORE_NFIGURES; k++) {
			v[k] = 0;
			switch (sqlite3_column_type(st, 2 + k)) {
			case SQLITE_NULL:
				break;
			case SQLITE_INTEGER:
				v[k] = sqlite3_column_int64(st, 2 + k);
				present |= MF_BIT(store_figures[k]);
				break;
			default:
				sqlite3_reset(st);
				free(acc);
				xasprintf(cause, "totals: a figure is not an "
				    "integer");
				return -1;
			}
		}
		for (i = 0; i < n; i++)
			if (day >= from[i] && day <= to[i])
				kpi_acc_add(&acc[i], group, day, v, present);
	}
	if (rc != SQLITE_DONE) {
		free(acc);
		return store_fail(s, st, "totals", cause);
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++)
		ovf |= kpi_acc_finish(&acc[i], &out[i]) != 0;
	free(acc);
	if (ovf) {
		xasprintf(cause, "totals: integer overflow");
		return -1;
	}
	return 0;
}

int
store_lacks(struct store *s, const char *client, const char *campaign,
    int32_t from_day, int32_t to_day, struct kpi_lack **out, size_t *nout,
    char **cause)
{
	sqlite3_stmt	*st;

	st = s->st[campaign != NULL ? ST_LACKS_CAMPAIGN : ST_LACKS_CLIENT];
	store_bind_scope(st, client, campaign, from_day, to_day);
	return store_lacks_read(s, st, campaign == NULL, out, nout, cause);
}

/* The rows of a bound LACKS_SQL statement; named: campaigns are named. */
static int
store_lacks_read(struct store *s, sqlite3_stmt *st, int named,
    struct kpi_lack **out, size_t *nout, char **cause)
{
	struct kpi_lack	*l = NULL, *e;
	size_t		 n = 0;
	int		 i, rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l = xreallocarray(l, n + 1, sizeof *l);
		e = &l[n++];
		memset(e, 0, sizeof *e);
		if (named && store_column_copy(st, 0, e->campaign,
		    sizeof e->campaign) != 0) {
			sqlite3_reset(st);
			free(l);
			xasprintf(cause, "incomplete days: campaign too long");
			return -1;
		}
		e->day = sqlite3_column_int(st, 1);
		for (i = 0; i < STORE_NFIGURES; i++)
			if (sqlite3_column_int(st, 2 + i))
				e->lacks |= MF_BIT(store_figures[i]);
	}
	if (rc != SQLITE_DONE) {
		free(l);
		return store_fail(s, st, "incomplete days", cause);
	}
	sqlite3_reset(st);
	*out = l;
	*nout = n;
	return 0;
}

/*
 * Sums per custom KPI name, in name order. The statement stays active while
 * cb runs: cb must not use the store. A callback returning non-zero stops
 * the walk; that value is returned and *cause is not set.
 */
int
store_custom_totals(struct store *s, const char *client, const char *campaign,
    int32_t from_day, int32_t to_day, store_custom_cb cb, void *arg,
    char **cause)
{
	return store_custom_totals_scope(s, client, campaign, NULL, from_day,
	    to_day, cb, arg, cause);
}

int
store_custom_totals_scope(struct store *s, const char *client,
    const char *campaign, const char *channel, int32_t from_day,
    int32_t to_day, store_custom_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*st;
	char		 name[METRIC_CUSTOM_NAME_MAX];
	int		 rc;

	st = s->st[store_pick(ST_CUSTOM_TOTALS_CAMPAIGN, campaign, channel)];
	store_bind_text(st, 1, client);
	if (campaign != NULL || channel != NULL)
		store_bind_text(st, 2, campaign != NULL ? campaign : channel);
	sqlite3_bind_int(st, 3, from_day);
	sqlite3_bind_int(st, 4, to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
		    store_column_copy(st, 0, name, sizeof name) != 0) {
			sqlite3_reset(st);
			xasprintf(cause, "custom totals: bad row");
			return -1;
		}
		if ((rc = cb(name, sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), arg)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	if (rc != SQLITE_DONE)
		return store_fail(s, st, "custom totals", cause);
	sqlite3_reset(st);
	return 0;
}

int
store_last_day(struct store *s, const char *client, const char *campaign,
    int32_t *day, char **cause)
{
	return store_last_day_scope(s, client, campaign, NULL, day, cause);
}

int
store_last_day_scope(struct store *s, const char *client,
    const char *campaign, const char *channel, int32_t *day, char **cause)
{
	sqlite3_stmt	*st = s->st[store_pick(ST_LAST_DAY, campaign, channel)];

	store_bind_text(st, 1, client);
	if (campaign != NULL || channel != NULL)
		store_bind_text(st, 2, campaign != NULL ? campaign : channel);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, st, "last day", cause);
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		*day = INT32_MIN;
	else
		*day = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return 0;
}

int
store_campaign_channel(struct store *s, const char *client,
    const char *campaign, char *buf, size_t len, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_CHANNEL];
	int		 rc;

	if (len != 0)
		*buf = '\0';
	store_bind_text(st, 1, client);
	store_bind_text(st, 2, campaign);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (len != 0)
			snprintf(buf, len, "%s",
			    (const char *)sqlite3_column_text(st, 0));
	} else if (rc != SQLITE_DONE)
		return store_fail(s, st, "campaign channel", cause);
	sqlite3_reset(st);
	return 0;
}

/*
 * Walk the distinct (client, campaign) pairs by seeking past the previous
 * pair each time. No statement is active while the callback runs, so it may
 * use the store freely (evaluation writes alert states). A callback returning
 * non-zero stops the walk; that value is returned and *cause is not set.
 */
int
store_foreach_campaign(struct store *s, const char *client,
    store_campaign_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*st;
	char		 cl[METRIC_CLIENT_MAX], ca[METRIC_CAMPAIGN_MAX];
	int		 rc, first = 1;

	for (;;) {
		if (client != NULL) {
			st = s->st[first ? ST_CLIENT_CAMPAIGN_FIRST :
			    ST_CLIENT_CAMPAIGN_NEXT];
			sqlite3_bind_text(st, 1, client, -1, SQLITE_TRANSIENT);
		} else {
			st = s->st[first ? ST_CAMPAIGN_FIRST :
			    ST_CAMPAIGN_NEXT];
			if (!first)
				sqlite3_bind_text(st, 1, cl, -1,
				    SQLITE_TRANSIENT);
		}
		if (!first)
			sqlite3_bind_text(st, 2, ca, -1, SQLITE_TRANSIENT);
		first = 0;

		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(st);
			return 0;
		}
		if (rc != SQLITE_ROW)
			return store_fail(s, st, "listing campaigns", cause);
		if (store_column_copy(st, 0, cl, sizeof cl) != 0 ||
		    store_column_copy(st, 1, ca, sizeof ca) != 0) {
			sqlite3_reset(st);
			xasprintf(cause, "listing campaigns: name too long");
			return -1;
		}
		sqlite3_reset(st);
		if ((rc = cb(cl, ca, arg)) != 0)
			return rc;
	}
}

int
store_next_campaign(struct store *s, const char *after_client,
    const char *after_campaign, char *client, size_t clen, char *campaign,
    size_t calen, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_CAMPAIGN_NEXT];
	int		 rc;

	sqlite3_bind_text(st, 1, after_client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, after_campaign, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "listing campaigns", cause);
	if (store_column_copy(st, 0, client, clen) != 0 ||
	    store_column_copy(st, 1, campaign, calen) != 0) {
		sqlite3_reset(st);
		xasprintf(cause, "listing campaigns: name too long");
		return -1;
	}
	sqlite3_reset(st);
	return 1;
}

/* -1 on error (logged). */
int64_t
store_count_metrics(struct store *s)
{
	return store_scalar(s, ST_COUNT_METRICS, "counting samples", 0, -1);
}


int64_t
store_outbox_add(struct store *s, const char *client, const char *receiver,
    const char *payload, int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_ADD];
	int64_t		 id;

	store_bind_text(st, 1, client);
	store_bind_text(st, 2, receiver);
	store_bind_text(st, 3, payload);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, st, "adding to outbox", cause);
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

static char *
store_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char	*p = sqlite3_column_text(st, col);

	return p != NULL ? xstrdup((const char *)p) : NULL;
}

/* The rows of an outbox query bound by the caller into *items: their
 * count, or -1 (nothing kept). The statement is reset. */
static int
store_outbox_read(struct store *s, sqlite3_stmt *st,
    struct outbox_item **items, char **cause)
{
	struct outbox_item	*it = NULL, *o;
	int			 n = 0, alloc = 0, rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc != 0 ? alloc * 2 : 8;
			it = xreallocarray(it, (size_t)alloc, sizeof *it);
		}
		o = &it[n++];
		o->id = sqlite3_column_int64(st, 0);
		o->client = store_column_strdup(st, 1);
		o->receiver = store_column_strdup(st, 2);
		o->idem_key = store_column_strdup(st, 3);
		o->payload = store_column_strdup(st, 4);
		o->created = sqlite3_column_int64(st, 5);
		o->attempts = sqlite3_column_int64(st, 6);
		o->next_at = sqlite3_column_int64(st, 7);
		o->last_error = store_column_strdup(st, 8);
	}
	if (rc != SQLITE_DONE) {
		store_outbox_items_free(it, n);
		return store_fail(s, st, "reading outbox", cause);
	}
	sqlite3_reset(st);
	*items = it;
	return n;
}

int
store_outbox_due(struct store *s, int64_t now, int limit,
    struct outbox_item **items, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_DUE];

	*items = NULL;
	if (limit <= 0)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, limit);
	return store_outbox_read(s, st, items, cause);
}

void
store_outbox_items_free(struct outbox_item *items, int n)
{
	int	i;

	if (items == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(items[i].client);
		free(items[i].receiver);
		free(items[i].idem_key);
		free(items[i].payload);
		free(items[i].last_error);
	}
	free(items);
}

/* 0 when nothing is pending (or on error, logged). */
int64_t
store_outbox_next_at(struct store *s)
{
	return store_scalar(s, ST_OUTBOX_NEXT_AT, "outbox next time", 0, 0);
}

/* Step an outbox update; an item that is unknown or no longer pending is an
 * error, so a double delivery shows up instead of passing silently. */
static int
store_outbox_update(struct store *s, enum store_stmt id, int64_t item,
    const char *what, char **cause)
{
	sqlite3_stmt	*st = s->st[id];

	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, what, cause);
	sqlite3_reset(st);
	if (sqlite3_changes(s->db) != 1) {
		xasprintf(cause, "%s: outbox item %lld is not pending", what,
		    (long long)item);
		return -1;
	}
	return 0;
}

int
store_outbox_done(struct store *s, int64_t id, int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_DONE];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return store_outbox_update(s, ST_OUTBOX_DONE, id, "outbox done", cause);
}

int
store_outbox_retry(struct store *s, int64_t id, int64_t next_at,
    const char *error, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_RETRY];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, next_at);
	store_bind_text(st, 3, error);
	return store_outbox_update(s, ST_OUTBOX_RETRY, id, "outbox retry",
	    cause);
}

int
store_outbox_dead(struct store *s, int64_t id, int64_t now,
    const char *error, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_DEAD];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	store_bind_text(st, 3, error);
	return store_outbox_update(s, ST_OUTBOX_DEAD, id, "outbox dead", cause);
}

/* Run a DELETE of the rows older than `before`: how many, or -1. */
static int64_t
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

int64_t
store_outbox_prune(struct store *s, int64_t before, char **cause)
{
	return store_prune(s, ST_OUTBOX_PRUNE, before, "outbox prune", cause);
}

int
store_outbox_counts(struct store *s, int64_t *pending, int64_t *done,
    int64_t *dead)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_COUNTS];
	const char	*status;
	int64_t		 n;
	int		 rc;

	*pending = *done = *dead = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		status = (const char *)sqlite3_column_text(st, 0);
		n = sqlite3_column_int64(st, 1);
		if (status == NULL)
			continue;
		if (strcmp(status, "pending") == 0)
			*pending = n;
		else if (strcmp(status, "done") == 0)
			*done = n;
		else if (strcmp(status, "dead") == 0)
			*dead = n;
	}
	if (rc != SQLITE_DONE) {
		log_warnx("store: outbox counts: %s", sqlite3_errmsg(s->db));
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/* A JSON array of strings (pairs: of [a[i], b[i]] arrays) for json_each. */
static char *
store_json_list(const char *const *a, const char *const *b, size_t n)
{
	cJSON	*arr, *pair;
	char	*out;
	size_t	 i;

	if ((arr = cJSON_CreateArray()) == NULL)
		fatalx("%s: out of memory", __func__);
	for (i = 0; i < n; i++) {
		if (b == NULL) {
			cJSON_AddItemToArray(arr, cJSON_CreateString(a[i]));
			continue;
		}
		pair = cJSON_CreateArray();
		cJSON_AddItemToArray(pair, cJSON_CreateString(a[i]));
		cJSON_AddItemToArray(pair, cJSON_CreateString(b[i]));
		cJSON_AddItemToArray(arr, pair);
	}
	if ((out = cJSON_PrintUnformatted(arr)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_Delete(arr);
	return out;
}

int
store_outbox_due_except(struct store *s, int64_t now, int limit,
    const struct outbox_skip *skip, struct outbox_item **items, char **cause)
{
	sqlite3_stmt		*st = s->st[ST_OUTBOX_DUE_EXCEPT];
	char			*ids, *clients, *receivers;
	size_t			 i, len, size;
	int			 n;

	*items = NULL;
	if (limit <= 0)
		return 0;
	/* Ids as a JSON array of numbers: at most 21 bytes each. */
	size = skip->nids * 21 + 3;
	ids = xmalloc(size);
	len = (size_t)snprintf(ids, size, "[");
	for (i = 0; i < skip->nids; i++)
		len += (size_t)snprintf(ids + len, size - len, "%s%lld",
		    i > 0 ? "," : "", (long long)skip->ids[i]);
	snprintf(ids + len, size - len, "]");
	clients = store_json_list(skip->clients, NULL, skip->nclients);
	receivers = store_json_list(skip->rclients, skip->receivers,
	    skip->nreceivers);

	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, ids, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, clients, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, receivers, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit);
	n = store_outbox_read(s, st, items, cause);
	/* The texts were bound SQLITE_STATIC: unbind before freeing them. */
	sqlite3_clear_bindings(st);
	free(ids);
	cJSON_free(clients);
	cJSON_free(receivers);
	return n;
}

int
store_source_get(struct store *s, const char *name,
    struct store_source_state *ss, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_SOURCE_GET];
	int		 rc;

	memset(ss, 0, sizeof *ss);
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "source state", cause);
	ss->last_attempt = sqlite3_column_int64(st, 0);
	ss->last_success = sqlite3_column_int64(st, 1);
	ss->etag = store_column_strdup(st, 2);
	ss->last_modified = store_column_strdup(st, 3);
	ss->failures = sqlite3_column_int64(st, 4);
	ss->last_error = store_column_strdup(st, 5);
	ss->next_at = sqlite3_column_int64(st, 6);
	sqlite3_reset(st);
	return 1;
}

int
store_source_put(struct store *s, const char *name,
    const struct store_source_state *ss, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_SOURCE_PUT];

	store_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, ss->last_attempt);
	sqlite3_bind_int64(st, 3, ss->last_success);
	store_bind_text(st, 4, ss->etag);
	store_bind_text(st, 5, ss->last_modified);
	sqlite3_bind_int64(st, 6, ss->failures);
	store_bind_text(st, 7, ss->last_error);
	sqlite3_bind_int64(st, 8, ss->next_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "saving source state", cause);
	sqlite3_reset(st);
	return 0;
}

void
store_source_state_clear(struct store_source_state *ss)
{
	free(ss->etag);
	free(ss->last_modified);
	free(ss->last_error);
	memset(ss, 0, sizeof *ss);
}

/*
 * Replay protection of signed HTTP requests: a signature (client, MAC) seen
 * until `expires`. Marks are written inside the transaction of the data they
 * admitted, so a rolled-back batch leaves no mark behind.
 */
int
store_replay_seen(struct store *s, const char *client, const uint8_t *mac,
    size_t maclen, int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_REPLAY_SEEN];
	int		 rc;

	store_bind_text(st, 1, client);
	sqlite3_bind_blob(st, 2, mac, (int)maclen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, st, "looking up a request signature",
		    cause);
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

int
store_replay_mark(struct store *s, const char *client, const uint8_t *mac,
    size_t maclen, int64_t expires, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_REPLAY_MARK];

	store_bind_text(st, 1, client);
	sqlite3_bind_blob(st, 2, mac, (int)maclen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, expires);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "recording a request signature",
		    cause);
	sqlite3_reset(st);
	return 0;
}

int64_t
store_replay_prune(struct store *s, int64_t now, char **cause)
{
	return store_prune(s, ST_REPLAY_PRUNE, now,
	    "pruning request signatures", cause);
}

/* Where store-silence.c keeps its statements for this store. */
struct store_silence **
store_silence_slot(struct store *s)
{
	return &s->silence;
}

/*
 * Reports. A read transaction (BEGIN DEFERRED: no lock is taken, the first
 * read fixes the snapshot) so that a report's rows and total come from one
 * state of the database while writers go on; inside a write transaction the
 * reads simply join it.
 */
int
store_read_begin(struct store *s, char **cause)
{
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	return store_run(s, ST_READ_BEGIN, "begin a read", cause);
}

void
store_read_end(struct store *s)
{
	char	*cause;

	if (s->in_txn || sqlite3_get_autocommit(s->db))
		return;		/* a write transaction's, or none */
	if (store_run(s, ST_ROLLBACK, "end a read", &cause) != 0) {
		log_warnx("store: %s", cause);
		free(cause);
	}
}

/*
 * The channels are read whole before the first callback, so that it may use
 * the store (a client has a few channels, not millions).
 */
int
store_foreach_channel(struct store *s, const char *client, int32_t from_day,
    int32_t to_day, store_channel_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_CHANNELS];
	char		**names = NULL, buf[METRIC_CHANNEL_MAX];
	size_t		 n = 0, i;
	int		 rc;

	store_bind_scope(st, client, NULL, from_day, to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_column_copy(st, 0, buf, sizeof buf) != 0)
			continue;	/* refused at ingest: cannot be */
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(buf);
	}
	if (rc != SQLITE_DONE)
		rc = store_fail(s, st, "listing channels", cause);
	else {
		sqlite3_reset(st);
		rc = 0;
		for (i = 0; i < n && rc == 0; i++)
			rc = cb(names[i], arg);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* store_lacks() of a channel's campaign-days (channel NULL: store_lacks()). */
int
store_lacks_scope(struct store *s, const char *client, const char *campaign,
    const char *channel, int32_t from_day, int32_t to_day,
    struct kpi_lack **out, size_t *nout, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_LACKS_CHANNEL];

	if (channel == NULL)
		return store_lacks(s, client, campaign, from_day, to_day, out,
		    nout, cause);
	store_bind_scope(st, client, channel, from_day, to_day);
	return store_lacks_read(s, st, 1, out, nout, cause);
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
