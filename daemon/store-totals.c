/*
 * Reading samples back: totals of a campaign, a channel or a client over a
 * window (with what the KPI pairs must leave out when a field is missing),
 * the days lacking a field, custom KPI totals, the last day, a campaign's
 * channel, the walks over campaigns, and a report's snapshot and channels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metric.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

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

const char *const store_totals_sql[ST__MAX] = {
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
