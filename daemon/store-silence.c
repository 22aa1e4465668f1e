/*
 * The store's silences and held notices (schema in store-migrate.c, the
 * interface in store.h, the pure checks in silence.c). Every statement is
 * prepared once, at the first call on a store, and kept in it until
 * store_free(); values travel as bound parameters.
 *
 * A silence's campaign and rule are '' for "every": a match is then exact
 * lookups of the partial index silence_active (client, campaign IN ('', ?),
 * rule IN ('', ?), until > now) -- at most four, whatever the number of
 * silences. A removed silence keeps its row (removed_at) until it is pruned,
 * so that `silence list --all` shows who ended what; it leaves the index.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "silence.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

enum silence_stmt {
	SS_ADD,
	SS_GET,
	SS_LIST,
	SS_REMOVE,
	SS_PRUNE,
	SS_MATCH,
	SS_HELD_ADD,
	SS_HELD_LIST,
	SS_HELD_DELETE,
	SS_HELD_CLIENTS,
	SS__MAX
};

#define SILENCE_COLUMNS \
	"id, client, campaign, rule, reason, created, until, removed_at"

static const char *silence_sql[SS__MAX] = {
	[SS_ADD] =
	    "INSERT INTO silence (client, campaign, rule, reason, created,"
	    " until) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
	[SS_GET] =
	    "SELECT " SILENCE_COLUMNS " FROM silence WHERE id = ?1",
	/* ?1 client or NULL for all, ?2 all, ?3 now */
	[SS_LIST] =
	    "SELECT " SILENCE_COLUMNS " FROM silence"
	    " WHERE (?1 IS NULL OR client = ?1)"
	    " AND (?2 OR (removed_at IS NULL AND until > ?3))"
	    " ORDER BY client, until, id",
	[SS_REMOVE] =
	    "UPDATE silence SET removed_at = ?2"
	    " WHERE id = ?1 AND removed_at IS NULL AND until > ?2",
	/* A handful of rows a day: a scan, no index to keep up. */
	[SS_PRUNE] =
	    "DELETE FROM silence WHERE min(until, coalesce(removed_at, until))"
	    " < ?1",
	/*
	 * campaign or rule NULL: IN ('', NULL) matches '' alone. The id is
	 * that of the row holding max(until) (SQLite's bare column of a min or
	 * max aggregate); ORDER BY until DESC LIMIT 1 instead sorted in a
	 * temporary b-tree, allocated and freed at every call: 5x slower.
	 */
	[SS_MATCH] =
	    "SELECT id, max(until) FROM silence WHERE client = ?1"
	    " AND campaign IN ('', ?2) AND rule IN ('', ?3)"
	    " AND until > ?4 AND removed_at IS NULL",

	[SS_HELD_ADD] =
	    "INSERT INTO held_notice (client, payload, created)"
	    " VALUES (?1, ?2, ?3) RETURNING id",
	[SS_HELD_LIST] =
	    "SELECT id, payload FROM held_notice WHERE client = ?1 ORDER BY id",
	/* Those read, not one held since. */
	[SS_HELD_DELETE] =
	    "DELETE FROM held_notice WHERE client = ?1 AND id <= ?2",
	[SS_HELD_CLIENTS] =
	    "SELECT DISTINCT client FROM held_notice ORDER BY client",
};

struct store_silence {
	sqlite3_stmt	*st[SS__MAX];
};

/* The statement id of this store, every one prepared at the first call;
 * NULL with *cause when they cannot be. */
static sqlite3_stmt *
silence_stmt(struct store *s, enum silence_stmt id, char **cause)
{
	struct store_silence	**slot = store_silence_slot(s), *ss;
	sqlite3			 *db = store_db(s);
	int			  i;

	if (*slot != NULL)
		return (*slot)->st[id];
	ss = xcalloc(1, sizeof *ss);
	for (i = 0; i < SS__MAX; i++) {
		if (silence_sql[i] == NULL)
			fatalx("%s: statement %d has no SQL", __func__, i);
		if (sqlite3_prepare_v3(db, silence_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &ss->st[i], NULL) != SQLITE_OK) {
			xasprintf(cause, "preparing silence statement %d: %s",
			    i, sqlite3_errmsg(db));
			while (i-- > 0)
				sqlite3_finalize(ss->st[i]);
			free(ss);
			return NULL;
		}
	}
	*slot = ss;
	return ss->st[id];
}

void
store_silence_free(struct store *s)
{
	struct store_silence	**slot = store_silence_slot(s);
	int			  i;

	if (*slot == NULL)
		return;
	for (i = 0; i < SS__MAX; i++)
		sqlite3_finalize((*slot)->st[i]);
	free(*slot);
	*slot = NULL;
}

static void
silence_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

/* Copy text column col into buf; -1 when it does not fit. */
static int
silence_column_copy(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const unsigned char	*p = sqlite3_column_text(st, col);
	size_t			 n = (size_t)sqlite3_column_bytes(st, col);

	if (p == NULL)
		n = 0;
	if (n >= len)
		return -1;
	memcpy(buf, p != NULL ? (const char *)p : "", n);
	buf[n] = '\0';
	return 0;
}

/* A row of SILENCE_COLUMNS into *sil; -1 with *cause when a text is longer
 * than a silence holds (a row not written by store_silence_add). */
static int
silence_read(sqlite3_stmt *st, struct silence *sil, char **cause)
{
	static const char *names[] = { "client", "campaign", "rule", "reason" };
	char	*bufs[] = { sil->client, sil->campaign, sil->rule, sil->reason };
	size_t	 lens[] = { sizeof sil->client, sizeof sil->campaign,
		    sizeof sil->rule, sizeof sil->reason };
	int	 i;

	memset(sil, 0, sizeof *sil);
	sil->id = sqlite3_column_int64(st, 0);
	for (i = 0; i < 4; i++) {
		if (silence_column_copy(st, 1 + i, bufs[i], lens[i]) != 0) {
			xasprintf(cause, "silence %lld: %s longer than %zu "
			    "bytes", (long long)sil->id, names[i], lens[i] - 1);
			return -1;
		}
	}
	sil->created = sqlite3_column_int64(st, 5);
	sil->until = sqlite3_column_int64(st, 6);
	sil->removed = sqlite3_column_int64(st, 7);	/* NULL: 0 */
	return 0;
}

int64_t
store_silence_add(struct store *s, const struct silence *sil, int64_t now,
    char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if (silence_check(sil, now, cause) != 0)
		return -1;
	if ((st = silence_stmt(s, SS_ADD, cause)) == NULL)
		return -1;
	silence_bind_text(st, 1, sil->client);
	silence_bind_text(st, 2, sil->campaign);
	silence_bind_text(st, 3, sil->rule);
	silence_bind_text(st, 4, sil->reason);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, sil->until);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, st, "adding a silence", cause);
	id = sqlite3_column_int64(st, 0);
	/* The INSERT ... RETURNING is done only when stepped to its end. */
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "adding a silence", cause);
	sqlite3_reset(st);
	return id;
}

int
store_silence_get(struct store *s, int64_t id, struct silence *sil,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = silence_stmt(s, SS_GET, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "reading a silence", cause);
	rc = silence_read(st, sil, cause);
	sqlite3_reset(st);
	return rc == 0 ? 1 : -1;
}

int
store_silence_list(struct store *s, const char *client, int all, int64_t now,
    struct silence **out, size_t *n, char **cause)
{
	sqlite3_stmt	*st;
	struct silence	*list = NULL;
	size_t		 count = 0, alloc = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	if ((st = silence_stmt(s, SS_LIST, cause)) == NULL)
		return -1;
	silence_bind_text(st, 1, client);
	sqlite3_bind_int(st, 2, all != 0);
	sqlite3_bind_int64(st, 3, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == alloc) {
			alloc = alloc != 0 ? alloc * 2 : 8;
			list = xreallocarray(list, alloc, sizeof *list);
		}
		if (silence_read(st, &list[count], cause) != 0) {
			sqlite3_reset(st);
			free(list);
			return -1;
		}
		count++;
	}
	if (rc != SQLITE_DONE) {
		free(list);
		return store_fail(s, st, "listing silences", cause);
	}
	sqlite3_reset(st);
	*out = list;
	*n = count;
	return 0;
}

int
store_silence_remove(struct store *s, int64_t id, int64_t now, char **cause)
{
	sqlite3_stmt	*st;

	if ((st = silence_stmt(s, SS_REMOVE, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "removing a silence", cause);
	sqlite3_reset(st);
	return sqlite3_changes(store_db(s)) == 1;
}

int64_t
store_silence_prune(struct store *s, int64_t before, char **cause)
{
	sqlite3_stmt	*st;

	if ((st = silence_stmt(s, SS_PRUNE, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "pruning silences", cause);
	sqlite3_reset(st);
	return sqlite3_changes64(store_db(s));
}

int
store_silence_match(struct store *s, const char *client, const char *campaign,
    const char *rule, int64_t now, int64_t *id, int64_t *until, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = silence_stmt(s, SS_MATCH, cause)) == NULL)
		return -1;
	silence_bind_text(st, 1, client);
	silence_bind_text(st, 2, campaign);
	silence_bind_text(st, 3, rule);
	sqlite3_bind_int64(st, 4, now);
	/* An aggregate: one row, NULL when nothing matched. */
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return store_fail(s, st, "matching silences", cause);
	if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
		sqlite3_reset(st);
		return 0;
	}
	if (id != NULL)
		*id = sqlite3_column_int64(st, 0);
	if (until != NULL)
		*until = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 1;
}

int64_t
store_held_add(struct store *s, const char *client, const char *payload,
    int64_t now, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if (client == NULL || *client == '\0' || payload == NULL ||
	    *payload == '\0') {
		xasprintf(cause, "holding a notice: no %s",
		    client == NULL || *client == '\0' ? "client" : "payload");
		return -1;
	}
	if ((st = silence_stmt(s, SS_HELD_ADD, cause)) == NULL)
		return -1;
	silence_bind_text(st, 1, client);
	silence_bind_text(st, 2, payload);
	sqlite3_bind_int64(st, 3, now);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, st, "holding a notice", cause);
	id = sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, "holding a notice", cause);
	sqlite3_reset(st);
	return id;
}

/* The first column of every row of st into a string array. */
static int
held_read(struct store *s, sqlite3_stmt *st, int col, int64_t *last_id,
    char ***out, size_t *n, const char *what, char **cause)
{
	char		**list = NULL;
	const char	 *p;
	size_t		  count = 0, alloc = 0;
	int		  rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == alloc) {
			alloc = alloc != 0 ? alloc * 2 : 8;
			list = xreallocarray(list, alloc, sizeof *list);
		}
		p = (const char *)sqlite3_column_text(st, col);
		list[count++] = xstrdup(p != NULL ? p : "");
		if (last_id != NULL)
			*last_id = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		store_held_free(list, count);
		return store_fail(s, st, what, cause);
	}
	sqlite3_reset(st);
	*out = list;
	*n = count;
	return 0;
}

int
store_held_take(struct store *s, const char *client, char ***payloads,
    size_t *n, char **cause)
{
	sqlite3_stmt	*st;
	char		**list;
	size_t		  count;
	int64_t		  last = 0;

	*payloads = NULL;
	*n = 0;
	if (!store_txn_open(s)) {
		xasprintf(cause, "taking held notices of %s: outside a "
		    "transaction (they would be lost if the grouped message "
		    "were not stored)", client);
		return -1;
	}
	if ((st = silence_stmt(s, SS_HELD_LIST, cause)) == NULL)
		return -1;
	silence_bind_text(st, 1, client);
	if (held_read(s, st, 1, &last, &list, &count, "reading held notices",
	    cause) != 0)
		return -1;
	if (count == 0)
		return 0;
	st = silence_stmt(s, SS_HELD_DELETE, cause);
	silence_bind_text(st, 1, client);
	sqlite3_bind_int64(st, 2, last);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_held_free(list, count);
		return store_fail(s, st, "deleting held notices", cause);
	}
	sqlite3_reset(st);
	*payloads = list;
	*n = count;
	return 0;
}

int
store_held_clients(struct store *s, char ***clients, size_t *n, char **cause)
{
	sqlite3_stmt	*st;

	*clients = NULL;
	*n = 0;
	if ((st = silence_stmt(s, SS_HELD_CLIENTS, cause)) == NULL)
		return -1;
	return held_read(s, st, 0, NULL, clients, n, "listing held notices",
	    cause);
}

void
store_held_free(char **list, size_t n)
{
	size_t	i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
