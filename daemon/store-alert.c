/*
 * Alert states in the store: one row per (client, scope, subject, rule) with
 * the state machine's memory (rules.h) and what it was judged on. The open
 * ones -- not settled -- are found through the partial index alert_open, so
 * a periodic sweep never reads the settled millions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

#define ALERT_COLS							\
	"state, since, last_notified, value, judged, days, days_total,"	\
	" win_from, win_to, told, flapping, flap_start, flap_count,"	\
	" last_change"
#define ALERT_NCOLS	14

static const char *alert_sql[SX__MAX] = {
	[SX_ALERT_GET] =
	    "SELECT " ALERT_COLS " FROM alert_state WHERE client = ?1"
	    " AND scope = ?2 AND subject = ?3 AND rule = ?4",
	[SX_ALERT_PUT] =
	    "INSERT INTO alert_state (client, scope, subject, rule, "
	    ALERT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
	    " ON CONFLICT (client, scope, subject, rule) DO UPDATE SET"
	    " state = excluded.state, since = excluded.since,"
	    " last_notified = excluded.last_notified, value = excluded.value,"
	    " judged = excluded.judged, days = excluded.days,"
	    " days_total = excluded.days_total, win_from = excluded.win_from,"
	    " win_to = excluded.win_to, told = excluded.told,"
	    " flapping = excluded.flapping, flap_start = excluded.flap_start,"
	    " flap_count = excluded.flap_count,"
	    " last_change = excluded.last_change",
	[SX_ALERT_LIST] =
	    "SELECT client, scope, subject, rule, " ALERT_COLS
	    " FROM alert_state WHERE (?1 IS NULL OR client = ?1)"
	    " AND (?2 OR " STORE_ALERT_OPEN7 ")"
	    " ORDER BY client, scope, subject, rule",
	[SX_ALERT_OPEN_NEXT] =
	    "SELECT client, scope, subject FROM alert_state"
	    " INDEXED BY alert_open"
	    " WHERE (client, scope, subject) > (?1, ?2, ?3) AND "
	    STORE_ALERT_OPEN7 " ORDER BY client, scope, subject LIMIT 1",
	[SX_ALERT_UNJUDGEABLE] =
	    "SELECT count(*) FROM (SELECT DISTINCT client, scope, subject"
	    " FROM alert_state INDEXED BY alert_open"
	    " WHERE judged = " STORE_JUDGED_ERROR_SQL ")",
	[SX_ALERT_SUBJECT] =
	    "SELECT rule FROM alert_state WHERE client = ?1 AND scope = ?2"
	    " AND subject = ?3 ORDER BY rule",
	[SX_ALERT_DROP] =
	    "DELETE FROM alert_state WHERE client = ?1 AND scope = ?2"
	    " AND subject = ?3 AND rule = ?4",
	[SX_ALERT_EVENT_ADD] =
	    "INSERT INTO alert_event (client, scope, subject, rule, fired,"
	    " severity, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* id after at: two events of one second keep the order they
	 * happened in. */
	[SX_ALERT_EVENTS] =
	    "SELECT scope, subject, rule, fired, severity, at"
	    " FROM alert_event WHERE client = ?1 AND at >= ?2 AND at < ?3"
	    " ORDER BY at, id",
	[SX_ALERT_EVENT_PRUNE] =
	    "DELETE FROM alert_event WHERE at < ?1",
	/* Through the partial index: a scrape reads the open states, never
	 * the settled millions. */
	[SX_ALERT_COUNTS] =
	    "SELECT client, rule, scope, state, count(*)"
	    " FROM alert_state INDEXED BY alert_open"
	    " WHERE " STORE_ALERT_OPEN7 " AND state <> 'ok'"
	    " GROUP BY client, rule, scope, state",
};

_Static_assert(2 + RULE_SKIP_ERROR == 6, "STORE_JUDGED_ERROR_SQL is "
    "rules_judged_encode() of RULE_SKIP_ERROR");

static sqlite3_stmt *
alert_stmt(struct store *s, enum store_xstmt id, char **cause)
{
	return store_xstmt(s, id, alert_sql[id], cause);
}

static void
alert_bind_key(sqlite3_stmt *st, const struct alert_key *k, int with_rule)
{
	store_bind_text(st, 1, k->client);
	store_bind_text(st, 2, rules_scope_name(k->scope));
	store_bind_text(st, 3, k->subject);
	if (with_rule)
		store_bind_text(st, 4, k->rule);
}

static int32_t
alert_day(sqlite3_stmt *st, int col, int32_t dflt)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return dflt;
	return sqlite3_column_int(st, col);
}

/* Columns ALERT_COLS from `col` into *r; -1 when the state is unknown. */
static int
alert_read(sqlite3_stmt *st, int col, struct alert_row *r, char **cause)
{
	const char	*name = (const char *)sqlite3_column_text(st, col);
	int		 state;

	if (name == NULL || (state = rules_state_lookup(name)) < 0) {
		xasprintf(cause, "alert state: unknown state \"%s\"",
		    name != NULL ? name : "");
		return -1;
	}
	memset(r, 0, sizeof *r);
	r->st.state = (enum alert_state)state;
	r->st.since = sqlite3_column_int64(st, col + 1);
	r->st.last_notified = sqlite3_column_int64(st, col + 2);
	r->st.value = sqlite3_column_int64(st, col + 3);
	rules_judged_decode(sqlite3_column_int(st, col + 4), &r->st);
	r->st.days = sqlite3_column_int64(st, col + 5);
	r->st.days_total = sqlite3_column_int64(st, col + 6);
	r->win_from = alert_day(st, col + 7, INT32_MIN);
	r->win_to = alert_day(st, col + 8, INT32_MAX);
	r->st.told = sqlite3_column_int(st, col + 9) != 0;
	r->st.flapping = sqlite3_column_int(st, col + 10) != 0;
	r->st.flap_start = sqlite3_column_int64(st, col + 11);
	r->st.flap_count = sqlite3_column_int64(st, col + 12);
	r->st.last_change = sqlite3_column_int64(st, col + 13);
	return 0;
}

int
store_alert_get(struct store *s, const struct alert_key *k,
    struct alert_row *r, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = alert_stmt(s, SX_ALERT_GET, cause)) == NULL)
		return -1;
	alert_bind_key(st, k, 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "alert state", cause);
	rc = alert_read(st, 0, r, cause);
	sqlite3_reset(st);
	return rc == 0 ? 1 : -1;
}

int
store_alert_put(struct store *s, const struct alert_key *k,
    const struct alert_row *r, char **cause)
{
	sqlite3_stmt	*st;

	if ((unsigned)r->st.state >= ALERT_STATE_MAX ||
	    (unsigned)k->scope >= RULE_SCOPE_MAX) {
		xasprintf(cause, "alert state: bad state %d or scope %d",
		    (int)r->st.state, (int)k->scope);
		return -1;
	}
	if ((st = alert_stmt(s, SX_ALERT_PUT, cause)) == NULL)
		return -1;
	alert_bind_key(st, k, 1);
	store_bind_text(st, 5, rules_state_name(r->st.state));
	sqlite3_bind_int64(st, 6, r->st.since);
	sqlite3_bind_int64(st, 7, r->st.last_notified);
	sqlite3_bind_int64(st, 8, r->st.value);
	sqlite3_bind_int(st, 9, rules_judged_encode(&r->st));
	sqlite3_bind_int64(st, 10, r->st.days);
	sqlite3_bind_int64(st, 11, r->st.days_total);
	if (r->win_from == INT32_MIN)
		sqlite3_bind_null(st, 12);
	else
		sqlite3_bind_int(st, 12, r->win_from);
	if (r->win_to == INT32_MAX)
		sqlite3_bind_null(st, 13);
	else
		sqlite3_bind_int(st, 13, r->win_to);
	sqlite3_bind_int(st, 14, r->st.told != 0);
	sqlite3_bind_int(st, 15, r->st.flapping != 0);
	sqlite3_bind_int64(st, 16, r->st.flap_start);
	sqlite3_bind_int64(st, 17, r->st.flap_count);
	sqlite3_bind_int64(st, 18, r->st.last_change);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "saving alert state", cause);
	sqlite3_reset(st);
	return 0;
}

int
store_alert_drop(struct store *s, const struct alert_key *k, char **cause)
{
	sqlite3_stmt	*st;

	if ((st = alert_stmt(s, SX_ALERT_DROP, cause)) == NULL)
		return -1;
	alert_bind_key(st, k, 1);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "dropping alert state", cause);
	sqlite3_reset(st);
	return 0;
}

/* Names first, callbacks after: a callback may use the store. */
int
store_alert_rules(struct store *s, const char *client, enum rule_scope scope,
    const char *subject, store_rule_cb cb, void *arg, char **cause)
{
	struct alert_key k = { client, scope, subject, NULL };
	sqlite3_stmt	*st;
	char		**names = NULL;
	size_t		 n = 0, i;
	int		 rc, ret = 0;

	if ((st = alert_stmt(s, SX_ALERT_SUBJECT, cause)) == NULL)
		return -1;
	alert_bind_key(st, &k, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	if (rc != SQLITE_DONE)
		ret = store_fail(s, st, "listing a subject's rules", cause);
	else
		sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		if (ret == 0)
			ret = cb(names[i], arg);
		free(names[i]);
	}
	free(names);
	return ret;
}

struct alert_listed {
	char		*client;
	enum rule_scope	 scope;
	char		*subject;
	char		*rule;
	struct alert_row row;
};

/*
 * Read every matching state first and call back afterwards, so callbacks may
 * write alert states without disturbing the walk. A callback returning
 * non-zero stops the walk; that value is returned.
 */
int
store_foreach_alert(struct store *s, const char *client, int include_ok,
    store_alert_cb cb, void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct alert_listed	*rows = NULL, *r;
	struct alert_key	 k;
	const char		*sc;
	size_t			 n = 0, alloc = 0, i;
	int			 rc, scope, ret = 0;

	if ((st = alert_stmt(s, SX_ALERT_LIST, cause)) == NULL)
		return -1;
	store_bind_text(st, 1, client);
	sqlite3_bind_int(st, 2, include_ok != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc != 0 ? alloc * 2 : 16;
			rows = xreallocarray(rows, alloc, sizeof *rows);
		}
		r = &rows[n];
		memset(r, 0, sizeof *r);
		sc = (const char *)sqlite3_column_text(st, 1);
		if ((scope = rules_scope_lookup(sc)) < 0 ||
		    alert_read(st, 4, &r->row, cause) != 0) {
			if (scope < 0)
				xasprintf(cause, "alert states: unknown scope "
				    "\"%s\"", sc != NULL ? sc : "");
			sqlite3_reset(st);
			ret = -1;
			goto out;
		}
		r->client = xstrdup((const char *)sqlite3_column_text(st, 0));
		r->scope = (enum rule_scope)scope;
		r->subject = xstrdup((const char *)sqlite3_column_text(st, 2));
		r->rule = xstrdup((const char *)sqlite3_column_text(st, 3));
		n++;
	}
	if (rc != SQLITE_DONE) {
		ret = store_fail(s, st, "listing alert states", cause);
		goto out;
	}
	sqlite3_reset(st);

	for (i = 0; i < n; i++) {
		r = &rows[i];
		k.client = r->client;
		k.scope = r->scope;
		k.subject = r->subject;
		k.rule = r->rule;
		if ((ret = cb(&k, &r->row, arg)) != 0)
			break;
	}
out:
	for (i = 0; i < n; i++) {
		free(rows[i].client);
		free(rows[i].subject);
		free(rows[i].rule);
	}
	free(rows);
	return ret;
}

int
store_next_open(struct store *s, const char *after_client,
    enum rule_scope after_scope, const char *after_subject, char *client,
    size_t clen, enum rule_scope *scope, char *subject, size_t slen,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, sc;

	if ((st = alert_stmt(s, SX_ALERT_OPEN_NEXT, cause)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, after_client, -1, SQLITE_TRANSIENT);
	/* Scope names sort as their order in the cursor: compare names. */
	sqlite3_bind_text(st, 2, after_client[0] == '\0' &&
	    after_subject[0] == '\0' ? "" : rules_scope_name(after_scope), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, after_subject, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "listing open alerts", cause);
	sc = rules_scope_lookup((const char *)sqlite3_column_text(st, 1));
	if (sc < 0 || store_column_copy(st, 0, client, clen) != 0 ||
	    store_column_copy(st, 2, subject, slen) != 0) {
		sqlite3_reset(st);
		xasprintf(cause, "listing open alerts: bad row");
		return -1;
	}
	*scope = (enum rule_scope)sc;
	sqlite3_reset(st);
	return 1;
}

/* -1 on error (logged). */
int64_t
store_count_unjudgeable(struct store *s)
{
	sqlite3_stmt	*st;
	char		*cause = NULL;
	int64_t		 n = -1;

	if ((st = alert_stmt(s, SX_ALERT_UNJUDGEABLE, &cause)) == NULL) {
		log_warnx("store: counting unjudgeable subjects: %s", cause);
		free(cause);
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		log_warnx("store: counting unjudgeable subjects: %s",
		    sqlite3_errmsg(store_db(s)));
	sqlite3_reset(st);
	return n;
}

int
store_alert_counts(struct store *s, store_alert_count_cb cb, void *arg,
    char **cause)
{
	struct store_alert_count c;
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = alert_stmt(s, SX_ALERT_COUNTS, cause)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.client = (const char *)sqlite3_column_text(st, 0);
		c.rule = (const char *)sqlite3_column_text(st, 1);
		c.scope = (const char *)sqlite3_column_text(st, 2);
		c.state = (const char *)sqlite3_column_text(st, 3);
		c.n = sqlite3_column_int64(st, 4);
		if (c.client == NULL || c.rule == NULL || c.scope == NULL ||
		    c.state == NULL)
			continue;
		if (cb(&c, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, st, "counting alert states", cause);
	sqlite3_reset(st);
	return 0;
}

/* ---- Alert history ---- */

int
store_alert_event_add(struct store *s, const struct alert_key *k, int fired,
    enum rule_severity sev, int64_t at, char **cause)
{
	sqlite3_stmt	*st;

	if ((unsigned)k->scope >= RULE_SCOPE_MAX ||
	    (unsigned)sev >= RULE_SEV_MAX) {
		xasprintf(cause, "alert event: bad scope %d or severity %d",
		    (int)k->scope, (int)sev);
		return -1;
	}
	if ((st = alert_stmt(s, SX_ALERT_EVENT_ADD, cause)) == NULL)
		return -1;
	alert_bind_key(st, k, 1);
	sqlite3_bind_int(st, 5, fired != 0);
	store_bind_text(st, 6, rules_severity_name(sev));
	sqlite3_bind_int64(st, 7, at);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "saving an alert event", cause);
	sqlite3_reset(st);
	return 0;
}

struct alert_event_row {
	enum rule_scope		 scope;
	char			*subject;
	char			*rule;
	int			 fired;
	enum rule_severity	 sev;
	int64_t			 at;
};

/* Read first, call back after (as store_foreach_alert). */
int
store_alert_events(struct store *s, const char *client, int64_t from,
    int64_t to, store_alert_event_cb cb, void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct alert_event_row	*rows = NULL, *r;
	struct alert_key	 k;
	const char		*sc, *sv;
	size_t			 n = 0, alloc = 0, i;
	int			 rc, scope, sev, ret = 0;

	if ((st = alert_stmt(s, SX_ALERT_EVENTS, cause)) == NULL)
		return -1;
	store_bind_text(st, 1, client);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sc = (const char *)sqlite3_column_text(st, 0);
		sv = (const char *)sqlite3_column_text(st, 4);
		if ((scope = rules_scope_lookup(sc)) < 0 ||
		    (sev = rules_severity_lookup(sv)) < 0) {
			xasprintf(cause, "alert events: unknown scope \"%s\" "
			    "or severity \"%s\"", sc != NULL ? sc : "",
			    sv != NULL ? sv : "");
			sqlite3_reset(st);
			ret = -1;
			goto out;
		}
		if (n == alloc) {
			alloc = alloc != 0 ? alloc * 2 : 16;
			rows = xreallocarray(rows, alloc, sizeof *rows);
		}
		r = &rows[n++];
		r->scope = (enum rule_scope)scope;
		r->subject = xstrdup((const char *)sqlite3_column_text(st, 1));
		r->rule = xstrdup((const char *)sqlite3_column_text(st, 2));
		r->fired = sqlite3_column_int(st, 3) != 0;
		r->sev = (enum rule_severity)sev;
		r->at = sqlite3_column_int64(st, 5);
	}
	if (rc != SQLITE_DONE) {
		ret = store_fail(s, st, "reading alert events", cause);
		goto out;
	}
	sqlite3_reset(st);

	for (i = 0; i < n; i++) {
		r = &rows[i];
		k.client = client;
		k.scope = r->scope;
		k.subject = r->subject;
		k.rule = r->rule;
		if ((ret = cb(&k, r->fired, r->sev, r->at, arg)) != 0)
			break;
	}
out:
	for (i = 0; i < n; i++) {
		free(rows[i].subject);
		free(rows[i].rule);
	}
	free(rows);
	return ret;
}

int64_t
store_alert_event_prune(struct store *s, int64_t before, char **cause)
{
	sqlite3_stmt	*st;

	if ((st = alert_stmt(s, SX_ALERT_EVENT_PRUNE, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "pruning alert events", cause);
	sqlite3_reset(st);
	return sqlite3_changes(store_db(s));
}
