/*
 * Samples in the store: the inputs that wrote them, the metric upsert of
 * ingest (store_put_metric_input) with the SQL functions it calls (rw_*),
 * custom KPI values, and a sample read back with where each field came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metric.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

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

const char *const store_metrics_sql[ST__MAX] = {
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
	[ST_COUNT_METRICS] = "SELECT count(*) FROM metrics",
};

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

/* Make the functions of the metric upsert known to db: 0, or -1 (see
 * sqlite3_errmsg). */
int
store_metrics_functions(sqlite3 *db)
{
	if (sqlite3_create_function(db, "rw_channel_conflict", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_channel_conflict,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "rw_src_of", 3,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_src_of,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "rw_src_merge", 4,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_src_merge,
	    NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* The five figures: a sample lacking one of them is odd (store_sums). */
#define STORE_FIGURES	(MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) |		\
	MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS))

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

/* -1 on error (logged). */
int64_t
store_count_metrics(struct store *s)
{
	return store_scalar(s, ST_COUNT_METRICS, "counting samples", 0, -1);
}
