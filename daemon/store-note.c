/*
 * Notes of what the agency did (store.h: store_note_*): a handful per
 * client and month, read by period for the digests and the report page.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

static const char *const note_sql[SX__MAX] = {
	[SX_NOTE_ADD] =
	    "INSERT INTO note (client, day, campaign, channel, text, created,"
	    " author) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
	[SX_NOTE_LIST] =
	    "SELECT id, client, day, campaign, channel, text, created, author"
	    " FROM note WHERE client = ?1 AND day BETWEEN ?2 AND ?3"
	    " ORDER BY day, id",
	[SX_NOTE_REMOVE] =
	    "DELETE FROM note WHERE client = ?1 AND id = ?2",
};

int64_t
store_note_add(struct store *s, const struct store_note *n, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if ((st = store_xstmt(s, SX_NOTE_ADD, note_sql[SX_NOTE_ADD],
	    cause)) == NULL)
		return (-1);
	store_bind_text(st, 1, n->client);
	sqlite3_bind_int(st, 2, n->day);
	store_bind_text(st, 3, n->campaign);
	store_bind_text(st, 4, n->channel);
	store_bind_text(st, 5, n->text);
	sqlite3_bind_int64(st, 6, n->created);
	store_bind_text(st, 7, n->author != NULL ? n->author : "");
	if (sqlite3_step(st) != SQLITE_ROW)
		return (store_fail(s, st, "adding a note", cause));
	id = sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (store_fail(s, st, "adding a note", cause));
	sqlite3_reset(st);
	return (id);
}

void
store_notes_free(struct store_note *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].client);
		free(v[i].campaign);
		free(v[i].channel);
		free(v[i].text);
		free(v[i].author);
	}
	free(v);
}

int
store_note_list(struct store *s, const char *client, int32_t from_day,
    int32_t to_day, struct store_note **out, size_t *n, char **cause)
{
	sqlite3_stmt		*st;
	struct store_note	*v = NULL, *x;
	size_t			 cap = 0, k = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	if ((st = store_xstmt(s, SX_NOTE_LIST, note_sql[SX_NOTE_LIST],
	    cause)) == NULL)
		return (-1);
	store_bind_text(st, 1, client);
	sqlite3_bind_int(st, 2, from_day);
	sqlite3_bind_int(st, 3, to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		x = &v[k++];
		memset(x, 0, sizeof *x);
		x->id = sqlite3_column_int64(st, 0);
		x->client = store_column_strdup(st, 1);
		x->day = sqlite3_column_int(st, 2);
		x->campaign = store_column_strdup(st, 3);
		x->channel = store_column_strdup(st, 4);
		x->text = store_column_strdup(st, 5);
		x->created = sqlite3_column_int64(st, 6);
		x->author = store_column_strdup(st, 7);
	}
	if (rc != SQLITE_DONE) {
		store_notes_free(v, k);
		return (store_fail(s, st, "reading notes", cause));
	}
	sqlite3_reset(st);
	*out = v;
	*n = k;
	return (0);
}

int
store_note_remove(struct store *s, const char *client, int64_t id,
    char **cause)
{
	sqlite3_stmt	*st;

	if ((st = store_xstmt(s, SX_NOTE_REMOVE, note_sql[SX_NOTE_REMOVE],
	    cause)) == NULL)
		return (-1);
	store_bind_text(st, 1, client);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (store_fail(s, st, "removing a note", cause));
	sqlite3_reset(st);
	return (sqlite3_changes(store_db(s)) > 0);
}
