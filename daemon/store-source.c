/*
 * Pull sources' state (when a source was last fetched, its validators and
 * failures) and the replay marks of signed HTTP requests.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store-internal.h"

const char *const store_source_sql[ST__MAX] = {
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
};

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
