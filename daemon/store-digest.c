/*
 * Digest schedules in the store (table digest_state, migration 12): per
 * (client, schedule name) when the schedule was first seen and the last
 * period sent. The decision what to send is digest_schedule_decide()'s
 * (pure); this file only remembers.
 *
 * The guard against sending a period twice is in SQL: the mark updates the
 * row only when the recorded period starts before the new one, so two
 * processes that both decided to send cannot both record it, and the one
 * that loses rolls back the outbox items of its transaction.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

static const char *digest_sql[SX__MAX] = {
	[SX_DIGEST_GET] =
	    "SELECT armed_at, sent_from, sent_to, sent_at, late"
	    " FROM digest_state WHERE client = ?1 AND schedule = ?2",
	[SX_DIGEST_ARM] =
	    "INSERT INTO digest_state (client, schedule, armed_at)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (client, schedule) DO NOTHING",
	/* A mark of a schedule never armed arms it too, at the sending. */
	[SX_DIGEST_MARK] =
	    "INSERT INTO digest_state (client, schedule, armed_at, sent_from,"
	    " sent_to, sent_at, late, sent_count)"
	    " VALUES (?1, ?2, ?5, ?3, ?4, ?5, ?6, 1)"
	    " ON CONFLICT (client, schedule) DO UPDATE SET"
	    " sent_from = excluded.sent_from, sent_to = excluded.sent_to,"
	    " sent_at = excluded.sent_at, late = excluded.late,"
	    " sent_count = sent_count + 1"
	    " WHERE sent_from IS NULL OR sent_from < excluded.sent_from",
	[SX_DIGEST_COUNT] =
	    "SELECT coalesce(sum(sent_count), 0) FROM digest_state",
};

static sqlite3_stmt *
digest_stmt(struct store *s, enum store_xstmt id, char **cause)
{
	return store_xstmt(s, id, digest_sql[id], cause);
}

static int32_t
digest_day(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return INT32_MIN;
	return sqlite3_column_int(st, col);
}

int
store_digest_get(struct store *s, const char *client, const char *schedule,
    struct store_digest_state *ds, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(ds, 0, sizeof *ds);
	ds->sent_from = ds->sent_to = INT32_MIN;
	if ((st = digest_stmt(s, SX_DIGEST_GET, cause)) == NULL)
		return -1;
	store_bind_text(st, 1, client);
	store_bind_text(st, 2, schedule);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "digest state", cause);
	ds->armed_at = sqlite3_column_int64(st, 0);
	ds->sent_from = digest_day(st, 1);
	ds->sent_to = digest_day(st, 2);
	ds->sent_at = sqlite3_column_int64(st, 3);
	ds->late = sqlite3_column_int(st, 4) != 0;
	sqlite3_reset(st);
	return 1;
}

int
store_digest_arm(struct store *s, const char *client, const char *schedule,
    int64_t now, char **cause)
{
	sqlite3_stmt	*st;

	if ((st = digest_stmt(s, SX_DIGEST_ARM, cause)) == NULL)
		return -1;
	store_bind_text(st, 1, client);
	store_bind_text(st, 2, schedule);
	sqlite3_bind_int64(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "arming a digest schedule", cause);
	sqlite3_reset(st);
	return 0;
}

int
store_digest_mark(struct store *s, const char *client, const char *schedule,
    int32_t from, int32_t to, int64_t now, int late, char **cause)
{
	sqlite3_stmt	*st;

	if (from > to) {
		xasprintf(cause, "digest %s of %s: period from %d to %d",
		    schedule, client, (int)from, (int)to);
		return -1;
	}
	if ((st = digest_stmt(s, SX_DIGEST_MARK, cause)) == NULL)
		return -1;
	store_bind_text(st, 1, client);
	store_bind_text(st, 2, schedule);
	sqlite3_bind_int(st, 3, from);
	sqlite3_bind_int(st, 4, to);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int(st, 6, late != 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "recording a digest as sent", cause);
	sqlite3_reset(st);
	/* The upsert's WHERE left the row alone: sent already. */
	return sqlite3_changes(store_db(s)) == 1 ? 1 : 0;
}

int64_t
store_digest_count(struct store *s)
{
	sqlite3_stmt	*st;
	char		*cause = NULL;
	int64_t		 n;

	if ((st = digest_stmt(s, SX_DIGEST_COUNT, &cause)) == NULL) {
		log_warnx("digest count: %s", cause);
		free(cause);
		return -1;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_fail(s, st, "digest count", &cause);
		log_warnx("%s", cause);
		free(cause);
		return -1;
	}
	n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}
