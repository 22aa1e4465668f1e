/*
 * Schema migrations of the store. store_migrations[] is append-only: entry i
 * brings a database from PRAGMA user_version i to i + 1. Never edit or reorder
 * a released entry; add a new one. Every pending script runs inside one
 * IMMEDIATE transaction together with the user_version update, so a crash or a
 * failing script leaves the database at its old version. A database whose
 * user_version is beyond the array was written by a newer program and is
 * refused rather than guessed at; there is no way down.
 */
#include <stdio.h>

#include "log.h"
#include "store-internal.h"
#include "xmalloc.h"

static const char *store_migrations[] = {
	/* 1: metric samples, alert states, outbox, counters. */
	"CREATE TABLE metrics ("
	"  client      TEXT NOT NULL,"
	"  campaign    TEXT NOT NULL,"
	"  day         INTEGER NOT NULL,"	/* days since 1970-01-01 */
	"  hour        INTEGER NOT NULL CHECK (hour BETWEEN -1 AND 23),"
	"  channel     TEXT,"
	"  cost        INTEGER,"		/* micros; NULL: not reported */
	"  revenue     INTEGER,"		/* micros */
	"  impressions INTEGER,"
	"  clicks      INTEGER,"
	"  conversions INTEGER,"
	"  input_id    INTEGER NOT NULL DEFAULT 0,"	/* 0: plain put */
	"  updated     INTEGER NOT NULL,"	/* unix time of the write */
	"  PRIMARY KEY (client, campaign, day, hour)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE alert_state ("
	"  client        TEXT NOT NULL,"
	"  campaign      TEXT NOT NULL,"
	"  kind          TEXT NOT NULL,"	/* rules_kind_name() */
	"  state         TEXT NOT NULL,"	/* rules_state_name() */
	"  since         INTEGER NOT NULL,"
	"  last_notified INTEGER NOT NULL DEFAULT 0,"
	"  roi_ppm       INTEGER NOT NULL DEFAULT 0,"
	"  judged        INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (client, campaign, kind)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE outbox ("
	"  id         INTEGER PRIMARY KEY,"
	"  client     TEXT NOT NULL,"
	"  receiver   TEXT NOT NULL,"
	"  idem_key   TEXT NOT NULL UNIQUE,"
	"  payload    TEXT NOT NULL,"
	"  created    INTEGER NOT NULL,"
	"  attempts   INTEGER NOT NULL DEFAULT 0,"
	"  next_at    INTEGER NOT NULL,"
	"  status     TEXT NOT NULL DEFAULT 'pending'"
	"             CHECK (status IN ('pending', 'done', 'dead')),"
	"  done_at    INTEGER,"
	"  last_error TEXT"
	") STRICT;"
	"CREATE INDEX outbox_status_next_at ON outbox (status, next_at);"
	"CREATE TABLE counters ("
	"  name  TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"INSERT INTO counters (name, value) VALUES ('input_id', 0);",

	/* 2: pull sources' schedule, validators and freshness (pull.c). */
	"CREATE TABLE sources ("
	"  name          TEXT PRIMARY KEY,"
	"  last_attempt  INTEGER NOT NULL DEFAULT 0,"	/* unix time */
	"  last_success  INTEGER NOT NULL DEFAULT 0,"	/* 200 or 304 */
	"  etag          TEXT,"
	"  last_modified TEXT,"
	"  failures      INTEGER NOT NULL DEFAULT 0,"	/* in a row */
	"  last_error    TEXT,"
	"  next_at       INTEGER NOT NULL DEFAULT 0"
	") STRICT, WITHOUT ROWID;",

	/* 3: custom KPIs (reach, followers, CSAT...) of a sample, one row
	 * per name. No trigger on metrics: one slows every upsert of ingest
	 * by a third, even inserts that never fire it. */
	"CREATE TABLE custom_metrics ("
	"  client   TEXT NOT NULL,"
	"  campaign TEXT NOT NULL,"
	"  day      INTEGER NOT NULL,"
	"  hour     INTEGER NOT NULL,"
	"  name     TEXT NOT NULL,"		/* [a-z0-9_]{1,32} */
	"  value    INTEGER NOT NULL,"		/* micros */
	"  input_id INTEGER NOT NULL,"
	"  PRIMARY KEY (client, campaign, day, hour, name)"
	") WITHOUT ROWID, STRICT;",

	/* 4: samples merge field by field; each field remembers the input
	 * that wrote it (origin and time in inputs): the sample's last input
	 * (input_id) unless src names an older one (store-metrics.c) -- so
	 * existing values are attributed to the input that last wrote their
	 * sample. updated goes (the time of input_id is in inputs), keeping
	 * the table at 13 columns (store-metrics.c says why). odd: an hourly
	 * sample or one lacking a field; scopes without any take the fast
	 * path of store_totals(). */
	"CREATE TABLE inputs ("
	"  id      INTEGER PRIMARY KEY,"	/* counters.input_id */
	"  origin  TEXT NOT NULL,"
	"  created INTEGER NOT NULL"
	") STRICT;"
	"INSERT INTO inputs (id, origin, created)"
	"  SELECT input_id, 'written before schema version 4', max(updated)"
	"  FROM metrics GROUP BY input_id;"
	"ALTER TABLE metrics DROP COLUMN updated;"
	"ALTER TABLE metrics ADD COLUMN src TEXT;"
	"ALTER TABLE metrics ADD COLUMN odd INTEGER NOT NULL DEFAULT 0;"
	"UPDATE metrics SET odd = hour >= 0 OR cost IS NULL OR"
	"  revenue IS NULL OR impressions IS NULL OR clicks IS NULL OR"
	"  conversions IS NULL;",

	/* 5: the alert states a periodic sweep revisits, found without
	 * reading the settled ones. */
	"CREATE INDEX alert_open ON alert_state (client, campaign)"
	"  WHERE " STORE_ALERT_OPEN ";",

	/* 6: signatures of signed HTTP requests admitted (http-server.c), kept
	 * until their timestamp leaves the accepted window, so that a replay
	 * is refused across restarts too. Written in the transaction of the
	 * rows they admitted. */
	"CREATE TABLE replay_seen ("
	"  client  TEXT NOT NULL,"
	"  mac     BLOB NOT NULL,"		/* HMAC-SHA256 of the request */
	"  expires INTEGER NOT NULL,"		/* unix time */
	"  PRIMARY KEY (client, mac)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX replay_seen_expires ON replay_seen (expires);",

	/* 7: alert states per (client, scope, subject, rule): rules on any
	 * KPI of a campaign, a channel or the client's total. The states of
	 * the shorthand rules roi_low and roi_target carry over (a firing one
	 * was told), with what the flap suppression and the explanations
	 * keep. */
	"CREATE TABLE alert_state7 ("
	"  client        TEXT NOT NULL,"
	"  scope         TEXT NOT NULL,"	/* rules_scope_name() */
	"  subject       TEXT NOT NULL,"	/* campaign, channel or "" */
	"  rule          TEXT NOT NULL,"	/* the rule's name */
	"  state         TEXT NOT NULL,"	/* rules_state_name() */
	"  since         INTEGER NOT NULL,"
	"  last_notified INTEGER NOT NULL DEFAULT 0,"
	"  value         INTEGER NOT NULL DEFAULT 0,"	/* judged on */
	"  judged        INTEGER NOT NULL DEFAULT 0,"
	"  days          INTEGER NOT NULL DEFAULT 0,"
	"  days_total    INTEGER NOT NULL DEFAULT 0,"
	"  win_from      INTEGER,"		/* the window's days */
	"  win_to        INTEGER,"
	"  told          INTEGER NOT NULL DEFAULT 0,"
	"  flapping      INTEGER NOT NULL DEFAULT 0,"
	"  flap_start    INTEGER NOT NULL DEFAULT 0,"
	"  flap_count    INTEGER NOT NULL DEFAULT 0,"
	"  last_change   INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (client, scope, subject, rule)"
	") STRICT, WITHOUT ROWID;"
	"INSERT INTO alert_state7 (client, scope, subject, rule, state, since,"
	"  last_notified, value, judged, told)"
	"  SELECT client, 'campaign', campaign, kind, state, since,"
	"  last_notified, roi_ppm, judged, state = 'firing' FROM alert_state;"
	"DROP TABLE alert_state;"
	"ALTER TABLE alert_state7 RENAME TO alert_state;"
	"CREATE INDEX alert_open ON alert_state (client, scope, subject)"
	"  WHERE " STORE_ALERT_OPEN7 ";",
	/* 8: silences (`roiwatch silence`, store-silence.c) and the notices
	 * quiet hours hold back. campaign and rule '' stand for every
	 * campaign / rule, so that a match is exact lookups of one index:
	 * silence_active holds the silences not removed, by their subject.
	 * Silence ids are never reused: `silence remove 4` cannot end a
	 * newer silence once the old 4 is pruned. */
	"CREATE TABLE silence ("
	"  id         INTEGER PRIMARY KEY AUTOINCREMENT,"	/* never reused */
	"  client     TEXT NOT NULL,"
	"  campaign   TEXT NOT NULL DEFAULT '',"	/* '': every campaign */
	"  rule       TEXT NOT NULL DEFAULT '',"	/* '': every rule */
	"  reason     TEXT NOT NULL,"
	"  created    INTEGER NOT NULL,"		/* unix time */
	"  until      INTEGER NOT NULL,"		/* silent while now < until */
	"  removed_at INTEGER"				/* `silence remove` */
	") STRICT;"
	"CREATE INDEX silence_active ON silence (client, campaign, rule, until)"
	"  WHERE removed_at IS NULL;"
	"CREATE TABLE held_notice ("
	"  id      INTEGER PRIMARY KEY,"
	"  client  TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"			/* a notice's JSON */
	"  created INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX held_notice_client ON held_notice (client, id);",

	/* 9: how many parts of a notice split into several messages (chat
	 * receivers) were delivered, so that a retry resumes at the first
	 * part not delivered and never sends one twice. */
	"ALTER TABLE outbox ADD COLUMN parts_done INTEGER NOT NULL DEFAULT 0;",

	/* 10: routing (store-outbox.c): the items of a client and receiver
	 * never tried, found without reading the others: the one a grouping
	 * wait merges into, and the backlog a catch-up folds. */
	"CREATE INDEX outbox_untried ON outbox (client, receiver, next_at)"
	"  WHERE status = 'pending' AND attempts = 0;",

	/* 11: notes of what the agency did (store-note.c), placed in the
	 * digests' story and on the report page's charts. Ids are never
	 * reused, so that removing note 4 never removes a newer one. */
	"CREATE TABLE note ("
	"  id       INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  client   TEXT NOT NULL,"
	"  day      INTEGER NOT NULL,"		/* local day of the client */
	"  campaign TEXT,"
	"  channel  TEXT,"
	"  text     TEXT NOT NULL,"
	"  created  INTEGER NOT NULL,"		/* unix time */
	"  author   TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX note_client_day ON note (client, day, id);",

	/* 12: digests (store-digest.c): per client and schedule, when the
	 * schedule was first seen (no sending for a period due before) and
	 * the last period sent, so that each period goes once. */
	"CREATE TABLE digest_state ("
	"  client     TEXT NOT NULL,"
	"  schedule   TEXT NOT NULL,"			/* its name */
	"  armed_at   INTEGER NOT NULL,"		/* unix time */
	"  sent_from  INTEGER,"				/* local days; NULL: */
	"  sent_to    INTEGER,"				/* none sent yet */
	"  sent_at    INTEGER,"				/* unix time */
	"  late       INTEGER NOT NULL DEFAULT 0,"
	"  sent_count INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (client, schedule)"
	") STRICT, WITHOUT ROWID;",

	/* 13: alert history (store-alert.c): each time a rule's state of a
	 * subject starts or stops firing, written with the new state, read
	 * by client and time for the digests. */
	"CREATE TABLE alert_event ("
	"  id       INTEGER PRIMARY KEY,"
	"  client   TEXT NOT NULL,"
	"  scope    TEXT NOT NULL,"		/* rules_scope_name() */
	"  subject  TEXT NOT NULL,"
	"  rule     TEXT NOT NULL,"
	"  fired    INTEGER NOT NULL CHECK (fired IN (0, 1)),"
	"  severity TEXT NOT NULL,"		/* rules_severity_name() */
	"  at       INTEGER NOT NULL"		/* unix time */
	") STRICT;"
	"CREATE INDEX alert_event_client_at ON alert_event (client, at);",
};

#define STORE_NMIGRATIONS \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

int
store_schema_version(void)
{
	return STORE_NMIGRATIONS;
}

/* Read PRAGMA user_version. */
static int
store_migrate_version(sqlite3 *db, int *version, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK) {
		xasprintf(cause, "reading schema version: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		xasprintf(cause, "reading schema version: %s",
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int
store_migrate_exec(sqlite3 *db, const char *sql, const char *what,
    char **cause)
{
	char	*errmsg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &errmsg) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", what,
		    errmsg != NULL ? errmsg : sqlite3_errmsg(db));
		sqlite3_free(errmsg);
		return -1;
	}
	return 0;
}

int
store_migrate(sqlite3 *db, char **cause)
{
	char	 sql[64], what[64];
	int	 version, i;

	if (store_migrate_version(db, &version, cause) != 0)
		return -1;
	if (version == STORE_NMIGRATIONS)
		return 0;
	if (version > STORE_NMIGRATIONS)
		goto newer;

	/*
	 * Take the write lock before looking again: another process (the CLI
	 * and the daemon share the file) may have migrated in between.
	 */
	if (store_migrate_exec(db, "BEGIN IMMEDIATE", "migration", cause) != 0)
		return -1;
	if (store_migrate_version(db, &version, cause) != 0)
		goto fail;
	if (version > STORE_NMIGRATIONS) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto newer;
	}
	if (version < 0) {
		xasprintf(cause, "database schema version %d is invalid",
		    version);
		goto fail;
	}
	for (i = version; i < STORE_NMIGRATIONS; i++) {
		snprintf(what, sizeof what, "migration to schema version %d",
		    i + 1);
		if (store_migrate_exec(db, store_migrations[i], what,
		    cause) != 0)
			goto fail;
	}
	/* PRAGMA takes no parameters; the value is our own integer. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
	    STORE_NMIGRATIONS);
	if (store_migrate_exec(db, sql, "setting schema version", cause) != 0)
		goto fail;
	if (store_migrate_exec(db, "COMMIT", "committing migration",
	    cause) != 0)
		goto fail;
	if (version != STORE_NMIGRATIONS)
		log_info("store: schema migrated from version %d to %d",
		    version, STORE_NMIGRATIONS);
	return 0;

fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;

newer:
	xasprintf(cause, "database schema version %d is newer than this "
	    "program's (%d): refusing to use it; upgrade roiwatch",
	    version, STORE_NMIGRATIONS);
	return -1;
}
