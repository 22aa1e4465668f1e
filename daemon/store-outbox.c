/*
 * The notification outbox: what the router decided to send, kept until a
 * delivery succeeds (done) or gives up (dead), then pruned after a while.
 * An item's idempotency key is made with it, so a receiver can drop a
 * notice delivered twice.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

const char *const store_outbox_sql[ST__MAX] = {
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
	/* attempts counts every attempt made: done, retry and failed each
	 * count theirs (dead, without one, does not). */
	[ST_OUTBOX_DONE] =
	    "UPDATE outbox SET status = 'done', done_at = ?2,"
	    " attempts = attempts + 1 WHERE id = ?1 AND status = 'pending'",
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
	[ST_OUTBOX_FAILED] =
	    "UPDATE outbox SET status = 'dead', done_at = ?2, last_error = ?3,"
	    " attempts = attempts + 1 WHERE id = ?1 AND status = 'pending'",
	/*
	 * The operator's view. The state's bit (enum outbox_state) is computed
	 * as store_outbox_read() does; the `limit` newest (?4) in id order.
	 */
	[ST_OUTBOX_LIST] =
	    "SELECT * FROM (SELECT id, client, receiver, idem_key, NULL,"
	    " created, attempts, next_at, last_error, status, done_at"
	    " FROM outbox WHERE (?1 >> CASE"
	    "  WHEN status = 'pending' AND attempts = 0 THEN 0"
	    "  WHEN status = 'pending' THEN 1"
	    "  WHEN status = 'dead' THEN 2"
	    "  ELSE 3 END) & 1 = 1"
	    " AND (?2 IS NULL OR client = ?2) AND (?3 IS NULL OR receiver = ?3)"
	    " ORDER BY id DESC LIMIT ?4) ORDER BY id",
	[ST_OUTBOX_GET] =
	    "SELECT id, client, receiver, idem_key, payload, created, attempts,"
	    " next_at, last_error, status, done_at FROM outbox WHERE id = ?1",
	/* Guarded like the daemon's transitions: never a done item, never
	 * one that is due (it may be in flight). */
	[ST_OUTBOX_REQUEUE] =
	    "UPDATE outbox SET status = 'pending', next_at = ?2, done_at = NULL"
	    " WHERE id = ?1 AND (status = 'dead'"
	    " OR (status = 'pending' AND next_at > ?2))",
	[ST_OUTBOX_DROP] =
	    "DELETE FROM outbox WHERE id = ?1 AND (status = 'dead'"
	    " OR (status = 'pending' AND (next_at > ?2 OR ?3)))",
	[ST_OUTBOX_PARTS_DONE] =
	    "SELECT parts_done FROM outbox WHERE id = ?1",
	/* A part delivered is an attempt; parts_done only grows. */
	[ST_OUTBOX_PART_DONE] =
	    "UPDATE outbox SET parts_done = ?2, attempts = attempts + 1"
	    " WHERE id = ?1 AND status = 'pending' AND parts_done < ?2",
	/*
	 * Routing and catch-up: items never tried (index outbox_untried of
	 * migration 10). The guards repeat "never tried" so that an item
	 * attempted meanwhile is never rewritten under a receiver that may
	 * have seen it.
	 */
	/*
	 * A group still open: due more than a second after both the caller's
	 * time and the clock now. The daemon may start an item the moment it
	 * is due, and `roiwatch ingest` routes in another process: the margin
	 * keeps a merge (committed within its evaluation's short slice) from
	 * changing an item the daemon is already sending.
	 */
	[ST_OUTBOX_GROUP_OPEN] =
	    "SELECT id, payload, next_at FROM outbox"
	    " WHERE client = ?1 AND receiver = ?2 AND status = 'pending'"
	    " AND attempts = 0"
	    " AND next_at > max(?3, CAST(strftime('%s', 'now') AS INTEGER)) + 1"
	    " ORDER BY next_at DESC, id DESC LIMIT 1",
	[ST_OUTBOX_ADD_AT] =
	    "INSERT INTO outbox (id, client, receiver, idem_key, payload,"
	    " created, attempts, next_at, status)"
	    " SELECT n, ?1, ?2,"
	    " 'rw-' || ?1 || '-' || n || '-' || lower(hex(randomblob(8))),"
	    " ?3, ?4, 0, ?5, 'pending'"
	    " FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM outbox)"
	    " RETURNING id",
	[ST_OUTBOX_REWRITE] =
	    "UPDATE outbox SET payload = ?2, next_at = ?3"
	    " WHERE id = ?1 AND status = 'pending' AND attempts = 0",
	[ST_OUTBOX_REMOVE] =
	    "DELETE FROM outbox"
	    " WHERE id = ?1 AND status = 'pending' AND attempts = 0",
	[ST_OUTBOX_CROWDED] =
	    "SELECT client, receiver FROM outbox"
	    " WHERE status = 'pending' AND attempts = 0"
	    " AND id NOT IN (SELECT value FROM json_each(?2))"
	    " GROUP BY client, receiver HAVING count(*) > ?1"
	    " ORDER BY client, receiver",
	[ST_OUTBOX_UNTRIED] =
	    "SELECT id, client, receiver, idem_key, payload, created, attempts,"
	    " next_at, last_error FROM outbox"
	    " WHERE client = ?1 AND receiver = ?2 AND status = 'pending'"
	    " AND attempts = 0 AND id NOT IN (SELECT value FROM json_each(?3))"
	    " ORDER BY created, id LIMIT ?4",
};

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

/* The state of a row from its status column and its attempts. */
static enum outbox_state
store_outbox_state(sqlite3_stmt *st, int col, int64_t attempts)
{
	const char	*status = (const char *)sqlite3_column_text(st, col);

	if (status != NULL && strcmp(status, "done") == 0)
		return OUTBOX_DONE;
	if (status != NULL && strcmp(status, "dead") == 0)
		return OUTBOX_DEAD;
	return attempts > 0 ? OUTBOX_RETRYING : OUTBOX_PENDING;
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
		o->state = o->attempts > 0 ? OUTBOX_RETRYING : OUTBOX_PENDING;
		o->done_at = 0;
		if (sqlite3_column_count(st) > 10) {	/* status, done_at */
			o->state = store_outbox_state(st, 9, o->attempts);
			o->done_at = sqlite3_column_int64(st, 10);
		}
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

/* Pending items only, found through the index on (status, next_at): a
 * scrape never reads the done and dead ones kept for outbox_retention_days. */
static const char outbox_queues_sql[] =
    "SELECT client, receiver, count(*), min(created), sum(created < ?1)"
    " FROM outbox INDEXED BY outbox_status_next_at"
    " WHERE status = 'pending' GROUP BY client, receiver";

int
store_outbox_queues(struct store *s, int64_t stuck_before,
    store_outbox_queue_cb cb, void *arg, char **cause)
{
	struct store_outbox_queue q;
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_xstmt(s, SX_OUTBOX_QUEUES, outbox_queues_sql,
	    cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, stuck_before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		q.client = (const char *)sqlite3_column_text(st, 0);
		q.receiver = (const char *)sqlite3_column_text(st, 1);
		q.pending = sqlite3_column_int64(st, 2);
		q.oldest = sqlite3_column_int64(st, 3);
		q.stuck = sqlite3_column_int64(st, 4);
		if (q.client == NULL || q.receiver == NULL)
			continue;
		if (cb(&q, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, st, "outbox queues", cause);
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
store_outbox_failed(struct store *s, int64_t id, int64_t now,
    const char *error, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_FAILED];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	store_bind_text(st, 3, error);
	return store_outbox_update(s, ST_OUTBOX_FAILED, id, "outbox failed",
	    cause);
}

int
store_outbox_list(struct store *s, unsigned mask, const char *client,
    const char *receiver, int limit, struct outbox_item **items, int *more,
    char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_LIST];
	int		 n;

	*items = NULL;
	*more = 0;
	if (limit <= 0)
		return 0;
	/* One more than asked tells whether older ones were left out. */
	sqlite3_bind_int64(st, 1, (sqlite3_int64)mask);
	if (client != NULL)
		store_bind_text(st, 2, client);
	else
		sqlite3_bind_null(st, 2);
	if (receiver != NULL)
		store_bind_text(st, 3, receiver);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit + 1);
	if ((n = store_outbox_read(s, st, items, cause)) > limit) {
		/* The oldest is the extra one. */
		store_outbox_item_clear(&(*items)[0]);
		memmove(&(*items)[0], &(*items)[1], (size_t)limit *
		    sizeof **items);
		n = limit;
		*more = 1;
	}
	return n;
}

int
store_outbox_get(struct store *s, int64_t id, struct outbox_item *item,
    char **cause)
{
	sqlite3_stmt		*st = s->st[ST_OUTBOX_GET];
	struct outbox_item	*items;
	int			 n;

	memset(item, 0, sizeof *item);
	sqlite3_bind_int64(st, 1, id);
	if ((n = store_outbox_read(s, st, &items, cause)) <= 0)
		return n;
	*item = items[0];
	free(items);	/* the id is the key: one row at most */
	return 1;
}

void
store_outbox_item_clear(struct outbox_item *it)
{
	free(it->client);
	free(it->receiver);
	free(it->idem_key);
	free(it->payload);
	free(it->last_error);
	memset(it, 0, sizeof *it);
}

/* Step a guarded change of one row: 1 changed, 0 not, -1 error. */
static int
store_outbox_guarded(struct store *s, sqlite3_stmt *st, const char *what,
    char **cause)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, st, what, cause);
	sqlite3_reset(st);
	return sqlite3_changes(s->db) == 1 ? 1 : 0;
}

int
store_outbox_requeue(struct store *s, int64_t id, int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_REQUEUE];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return store_outbox_guarded(s, st, "outbox requeue", cause);
}

int
store_outbox_drop(struct store *s, int64_t id, int64_t now, int due,
    char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_DROP];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, due != 0);
	return store_outbox_guarded(s, st, "outbox drop", cause);
}

int64_t
store_outbox_parts_done(struct store *s, int64_t id, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_PARTS_DONE];
	int64_t		 n;
	int		 rc;

	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		xasprintf(cause, "outbox parts: no item %lld", (long long)id);
		return -1;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "outbox parts", cause);
	n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_outbox_part_done(struct store *s, int64_t id, int64_t parts_done,
    char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_PART_DONE];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, parts_done);
	return store_outbox_update(s, ST_OUTBOX_PART_DONE, id,
	    "outbox part done", cause);
}

/* Ids as a JSON array of numbers for json_each (caller frees). */
static char *
store_json_ids(const int64_t *ids, size_t n)
{
	size_t	 i, len, size = n * 21 + 3;	/* at most 21 bytes each */
	char	*out = xmalloc(size);

	len = (size_t)snprintf(out, size, "[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%lld",
		    i > 0 ? "," : "", (long long)ids[i]);
	snprintf(out + len, size - len, "]");
	return out;
}

int
store_outbox_group_open(struct store *s, const char *client,
    const char *receiver, int64_t now, int64_t *id, int64_t *next_at,
    char **payload, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_GROUP_OPEN];
	int		 rc;

	store_bind_text(st, 1, client);
	store_bind_text(st, 2, receiver);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, st, "outbox group", cause);
	*id = sqlite3_column_int64(st, 0);
	*payload = store_column_strdup(st, 1);
	*next_at = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	if (*payload == NULL) {
		xasprintf(cause, "outbox group: item %lld has no payload",
		    (long long)*id);
		return -1;
	}
	return 1;
}

int64_t
store_outbox_add_at(struct store *s, const char *client, const char *receiver,
    const char *payload, int64_t now, int64_t next_at, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_ADD_AT];
	int64_t		 id;

	store_bind_text(st, 1, client);
	store_bind_text(st, 2, receiver);
	store_bind_text(st, 3, payload);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, next_at);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, st, "adding to outbox", cause);
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

int
store_outbox_rewrite(struct store *s, int64_t id, const char *payload,
    int64_t next_at, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_REWRITE];

	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, payload);
	sqlite3_bind_int64(st, 3, next_at);
	return store_outbox_update(s, ST_OUTBOX_REWRITE, id, "outbox rewrite",
	    cause);
}

int
store_outbox_remove(struct store *s, int64_t id, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_REMOVE];

	sqlite3_bind_int64(st, 1, id);
	return store_outbox_update(s, ST_OUTBOX_REMOVE, id, "outbox remove",
	    cause);
}

void
store_outbox_pairs_free(char **clients, char **receivers, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		free(clients != NULL ? clients[i] : NULL);
		free(receivers != NULL ? receivers[i] : NULL);
	}
	free(clients);
	free(receivers);
}

int
store_outbox_crowded(struct store *s, int64_t cap, const int64_t *skip,
    size_t nskip, char ***clients, char ***receivers, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_CROWDED];
	char		*ids = store_json_ids(skip, nskip);
	char		**c = NULL, **r = NULL;
	int		 n = 0, alloc = 0, rc;

	sqlite3_bind_int64(st, 1, cap);
	sqlite3_bind_text(st, 2, ids, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc != 0 ? alloc * 2 : 4;
			c = xreallocarray(c, (size_t)alloc, sizeof *c);
			r = xreallocarray(r, (size_t)alloc, sizeof *r);
		}
		c[n] = store_column_strdup(st, 0);
		r[n] = store_column_strdup(st, 1);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_outbox_pairs_free(c, r, n);
		n = store_fail(s, st, "outbox crowded", cause);
		sqlite3_clear_bindings(st);
		free(ids);
		return n;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(ids);
	*clients = c;
	*receivers = r;
	return n;
}

int
store_outbox_untried(struct store *s, const char *client,
    const char *receiver, const int64_t *skip, size_t nskip, int limit,
    struct outbox_item **items, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_OUTBOX_UNTRIED];
	char		*ids = store_json_ids(skip, nskip);
	int		 n;

	*items = NULL;
	store_bind_text(st, 1, client);
	store_bind_text(st, 2, receiver);
	sqlite3_bind_text(st, 3, ids, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, limit);
	n = store_outbox_read(s, st, items, cause);
	sqlite3_clear_bindings(st);
	free(ids);
	return n;
}
