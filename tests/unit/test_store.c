/*
 * Tests of the store against real SQLite files in a fresh temporary directory
 * per test: migrations, upsert semantics (replace, add, per-input), totals,
 * transactions and savepoints, custom KPIs, alert states and the outbox.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metric.h"
#include "store.h"
#include "store-internal.h"

/* The key of a shorthand rule's state of a campaign. */
#define K(client, campaign, kind)					\
	(&(struct alert_key){ (client), RULE_SCOPE_CAMPAIGN, (campaign),	\
	    rules_kind_name(kind) })

struct fixture {
	char		 dir[256];
	char		 path[300];
	struct store	*s;
};

static int
setup(void **state)
{
	struct fixture	*f;
	const char	*tmp = getenv("TMPDIR");
	char		*cause = NULL;

	f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "%s/test_store.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/roiwatch.db", f->dir);
	f->s = store_open(f->path, &cause);
	if (f->s == NULL)
		fail_msg("store_open: %s", cause);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 p[400];

	store_free(f->s);
	unlink(f->path);
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct metric_row
row(const char *client, const char *campaign, int32_t day, int hour,
    int64_t cost, int64_t revenue)
{
	struct metric_row r;

	memset(&r, 0, sizeof r);
	snprintf(r.client, sizeof r.client, "%s", client);
	snprintf(r.campaign, sizeof r.campaign, "%s", campaign);
	snprintf(r.channel, sizeof r.channel, "email");
	r.day = day;
	r.hour = (int8_t)hour;
	r.cost = cost;
	r.revenue = revenue;
	r.impressions = 1000;
	r.clicks = 10;
	r.conversions = 1;
	r.present = MF_REQUIRED | MF_BIT(MF_CHANNEL) | MF_BIT(MF_COST) |
	    MF_BIT(MF_REVENUE) | MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) |
	    MF_BIT(MF_CONVERSIONS);
	return r;
}

#define ALL_FIELDS (MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) | \
	MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS))

/* add == 0: the row is a new input; add != 0: same input as the last put. */
static void
put(struct store *s, const struct metric_row *r, int add)
{
	static int64_t	 input;
	char		*cause = NULL;

	if (!add || input == 0)
		input = store_input_new(s, "test", &cause);
	if (input <= 0 || store_put_metric_input(s, r, input, &cause) != 0)
		fail_msg("store_put_metric_input: %s", cause);
}

static void
totals(struct store *s, const char *client, const char *campaign,
    int32_t from, int32_t to, struct kpi_totals *t)
{
	char	*cause = NULL;

	if (store_totals(s, client, campaign, from, to, t, &cause) != 0)
		fail_msg("store_totals: %s", cause);
}

static int
user_version(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_migrate_fresh(void **state)
{
	struct fixture	*f = *state;

	assert_true(store_schema_version() >= 1);
	assert_int_equal(store_count_metrics(f->s), 0);
	store_free(f->s);
	f->s = NULL;
	assert_int_equal(user_version(f->path), store_schema_version());
}

/* store_open_dir creates a missing state directory (mode 0700) and opens
 * STORE_FILE inside; a state directory that cannot be made is an error that
 * names it. */
static void
test_open_dir(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	struct stat	 sb;
	char		 dir[300], file[400], p[420], *cause = NULL;

	snprintf(dir, sizeof dir, "%s/state", f->dir);
	assert_non_null(s = store_open_dir(dir, &cause));
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(file, sizeof file, "%s/%s", dir, STORE_FILE);
	assert_int_equal(user_version(file), store_schema_version());
	store_free(s);

	snprintf(p, sizeof p, "%s/x/y", file);	/* below a regular file */
	assert_null(store_open_dir(p, &cause));
	assert_non_null(strstr(cause, p));
	free(cause);

	snprintf(p, sizeof p, "%s-wal", file);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", file);
	unlink(p);
	unlink(file);
	rmdir(dir);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 5, 7);
	char			*cause = NULL;

	put(f->s, &r, 0);
	store_free(f->s);
	f->s = store_open(f->path, &cause);
	if (f->s == NULL)
		fail_msg("reopen: %s", cause);
	assert_int_equal(store_count_metrics(f->s), 1);
	store_free(f->s);
	f->s = NULL;
	assert_int_equal(user_version(f->path), store_schema_version());
}

static void
test_newer_refused(void **state)
{
	struct fixture	*f = *state;
	sqlite3		*db;
	char		*cause = NULL;

	store_free(f->s);
	f->s = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_null(store_open(f->path, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "newer"));
	free(cause);
	/* Refusing did not touch the version. */
	assert_int_equal(user_version(f->path), 999);
}

static void
test_replace(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 5000000, 9);
	struct kpi_totals	 t;

	put(f->s, &r, 0);
	r.cost = 2000000;
	r.revenue = 3;
	put(f->s, &r, 0);
	assert_int_equal(store_count_metrics(f->s), 1);
	totals(f->s, "acme", "spring", INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 1);
	assert_int_equal(t.cost, 2000000);
	assert_int_equal(t.revenue, 3);

	/* An input that lacks a field leaves the stored value alone. */
	r.present &= ~MF_BIT(MF_REVENUE);
	r.cost = 1000000;
	put(f->s, &r, 0);
	totals(f->s, "acme", "spring", INT32_MIN, INT32_MAX, &t);
	assert_true(t.present & MF_BIT(MF_REVENUE));
	assert_int_equal(t.revenue, 3);
	assert_int_equal(t.cost, 1000000);
}

/*
 * Samples merge field by field, table-driven: each step is one input (or,
 * with `same`, the previous step's input) carrying only the fields in
 * `present`; after it, the stored sample must hold `want` (-1: NULL).
 */
static void
test_merge_by_field(void **state)
{
	static const struct {
		int		 same;
		unsigned	 present;
		int64_t		 cost, revenue, clicks;
		const char	*channel;
		int64_t		 want_cost, want_revenue, want_clicks;
		const char	*want_channel;
	} steps[] = {
		/* The ad platform's cost, no revenue: revenue stays NULL. */
		{ 0, MF_BIT(MF_COST) | MF_BIT(MF_CLICKS), 1000, 0, 10, "search",
		  1000, -1, 10, "search" },
		/* The shop's revenue, no channel: cost and channel kept. */
		{ 0, MF_BIT(MF_REVENUE), 0, 5000, 0, "",
		  1000, 5000, 10, "search" },
		/* The ad platform resends corrected cost: revenue kept. */
		{ 0, MF_BIT(MF_COST), 1200, 0, 0, "search",
		  1200, 5000, 10, "search" },
		/* Two rows of one input add up, field by field. */
		{ 0, MF_BIT(MF_COST), 100, 0, 0, "",
		  100, 5000, 10, "search" },
		{ 1, MF_BIT(MF_COST) | MF_BIT(MF_REVENUE), 50, 7, 0, "",
		  150, 7, 10, "search" },
		/* A zero is a value, not a missing field. */
		{ 0, MF_BIT(MF_CLICKS), 0, 0, 0, "",
		  150, 7, 0, "search" },
	};
	struct fixture		*f = *state;
	struct metric_row	 r;
	struct store_sample	 smp;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		r = row("acme", "spring", 100, -1, steps[i].cost,
		    steps[i].revenue);
		r.clicks = steps[i].clicks;
		snprintf(r.channel, sizeof r.channel, "%s", steps[i].channel);
		r.present = MF_REQUIRED | steps[i].present |
		    (steps[i].channel[0] != '\0' ? MF_BIT(MF_CHANNEL) : 0);
		put(f->s, &r, steps[i].same);
		assert_int_equal(store_sample_get(f->s, "acme", "spring", 100,
		    -1, &smp, &cause), 1);
		assert_string_equal(smp.channel, steps[i].want_channel);
		assert_int_equal(smp.field[1].present, steps[i].want_cost >= 0);
		if (steps[i].want_cost >= 0)
			assert_int_equal(smp.field[1].value, steps[i].want_cost);
		assert_int_equal(smp.field[2].present,
		    steps[i].want_revenue >= 0);
		if (steps[i].want_revenue >= 0)
			assert_int_equal(smp.field[2].value,
			    steps[i].want_revenue);
		assert_int_equal(smp.field[4].value, steps[i].want_clicks);
		assert_string_equal(smp.field[1].origin, "test");
	}
	assert_int_equal(store_count_metrics(f->s), 1);
	assert_int_equal(store_sample_get(f->s, "acme", "other", 100, -1, &smp,
	    &cause), 0);
}

/* One integer from a query on the database file (outside the store). */
static int64_t
query_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/*
 * The odd flag follows the merge (a sample lacking a field, or hourly), and
 * totals agree whichever path they take: complete whole days (fast path)
 * or not.
 */
static void
test_odd_follows_merge(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 10, 20);
	struct kpi_totals	 t;

	r.present &= ~MF_BIT(MF_REVENUE);
	put(f->s, &r, 0);
	assert_int_equal(query_int(f->path, "SELECT odd FROM metrics"), 1);
	totals(f->s, "acme", "spring", INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.pair[KPI_PAIR_COST_REVENUE].days, 0);
	assert_int_equal(t.pair[KPI_PAIR_COST_CLICKS].days, 1);

	/* The revenue arrives from another input: complete now. */
	r = row("acme", "spring", 100, -1, 0, 20);
	r.present = MF_REQUIRED | MF_BIT(MF_REVENUE);
	put(f->s, &r, 0);
	assert_int_equal(query_int(f->path, "SELECT odd FROM metrics"), 0);
	totals(f->s, "acme", "spring", INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.days, 1);
	assert_int_equal(t.pair[KPI_PAIR_COST_REVENUE].days, 1);
	assert_int_equal(t.pair[KPI_PAIR_COST_REVENUE].a, 10);
	assert_int_equal(t.pair[KPI_PAIR_COST_REVENUE].b, 20);

	/* Two hours of the next day: odd, and one day, not two. */
	r = row("acme", "spring", 101, 9, 1, 2);
	put(f->s, &r, 0);
	r.hour = 10;
	put(f->s, &r, 0);
	assert_int_equal(query_int(f->path,
	    "SELECT sum(odd) FROM metrics WHERE day = 101"), 2);
	totals(f->s, "acme", "spring", INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 3);
	assert_int_equal(t.days, 2);
	assert_int_equal(t.pair[KPI_PAIR_COST_REVENUE].a, 12);
}

/* Each field keeps the origin and time of the input that wrote it. */
static void
test_field_origin(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 1000, 0);
	struct store_sample	 smp;
	char			*cause = NULL;
	int64_t			 ads, shop, crm, ads2;

	assert_int_equal(store_begin(f->s, &cause), 0);
	ads = store_input_new(f->s, "file ads.csv (source google)", &cause);
	r.present = MF_REQUIRED | MF_BIT(MF_COST) | MF_BIT(MF_CHANNEL);
	assert_int_equal(store_put_metric_input(f->s, &r, ads, &cause), 0);
	shop = store_input_new(f->s, "http client acme", &cause);
	r.revenue = 9000;
	r.present = MF_REQUIRED | MF_BIT(MF_REVENUE);
	assert_int_equal(store_put_metric_input(f->s, &r, shop, &cause), 0);
	assert_int_equal(store_commit(f->s, &cause), 0);
	assert_int_equal(store_sample_get(f->s, "acme", "spring", 100, -1,
	    &smp, &cause), 1);
	assert_int_equal(smp.field[0].input_id, ads);		/* channel */
	assert_int_equal(smp.field[1].input_id, ads);		/* cost */
	assert_string_equal(smp.field[1].origin, "file ads.csv (source google)");
	assert_int_equal(smp.field[2].input_id, shop);		/* revenue */
	assert_string_equal(smp.field[2].origin, "http client acme");
	assert_true(smp.field[2].written > 1700000000);
	assert_false(smp.field[3].present);			/* impressions */

	/* A third source; then the ad platform resends its cost: each field
	 * keeps its own input through both. */
	assert_int_equal(store_begin(f->s, &cause), 0);
	crm = store_input_new(f->s, "pull source crm", &cause);
	r.conversions = 7;
	r.present = MF_REQUIRED | MF_BIT(MF_CONVERSIONS);
	assert_int_equal(store_put_metric_input(f->s, &r, crm, &cause), 0);
	ads2 = store_input_new(f->s, "file ads2.csv", &cause);
	r.cost = 1100;
	r.present = MF_REQUIRED | MF_BIT(MF_COST);
	assert_int_equal(store_put_metric_input(f->s, &r, ads2, &cause), 0);
	assert_int_equal(store_commit(f->s, &cause), 0);
	assert_int_equal(store_sample_get(f->s, "acme", "spring", 100, -1,
	    &smp, &cause), 1);
	assert_int_equal(smp.field[0].input_id, ads);		/* channel */
	assert_int_equal(smp.field[1].input_id, ads2);		/* cost */
	assert_int_equal(smp.field[1].value, 1100);
	assert_int_equal(smp.field[2].input_id, shop);		/* revenue */
	assert_int_equal(smp.field[2].value, 9000);
	assert_int_equal(smp.field[5].input_id, crm);		/* conversions */
	assert_string_equal(smp.field[5].origin, "pull source crm");
}

/* One input giving one campaign-day two channels: the row is refused
 * (STORE_REFUSED_CHANNEL, nothing changed); another input may change the channel. */
static void
test_channel_conflict(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 10, 20);
	struct store_sample	 smp;
	char			*cause = NULL;
	int64_t			 in;

	in = store_input_new(f->s, "test", &cause);
	assert_int_equal(store_put_metric_input(f->s, &r, in, &cause), 0);
	snprintf(r.channel, sizeof r.channel, "social");
	assert_int_equal(store_put_metric_input(f->s, &r, in, &cause),
	    STORE_REFUSED_CHANNEL);
	assert_non_null(strstr(cause, "social"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_sample_get(f->s, "acme", "spring", 100, -1,
	    &smp, &cause), 1);
	assert_int_equal(smp.field[1].value, 10);	/* not summed */
	in = store_input_new(f->s, "test", &cause);
	assert_int_equal(store_put_metric_input(f->s, &r, in, &cause), 0);
	assert_int_equal(store_sample_get(f->s, "acme", "spring", 100, -1,
	    &smp, &cause), 1);
	assert_string_equal(smp.channel, "social");
}

static void
test_add(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 5, 9);
	struct kpi_totals	 t;

	put(f->s, &r, 1);
	put(f->s, &r, 1);
	r.hour = 3;	/* another key */
	put(f->s, &r, 1);
	assert_int_equal(store_count_metrics(f->s), 2);
	totals(f->s, "acme", "spring", 100, 100, &t);
	assert_int_equal(t.samples, 2);
	assert_int_equal(t.cost, 15);
	assert_int_equal(t.revenue, 27);
	assert_int_equal(t.impressions, 3000);
	assert_int_equal(t.clicks, 30);
	assert_int_equal(t.conversions, 3);
}

static void
test_add_null_aware(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 5, 9);
	struct kpi_totals	 t;

	r.present &= ~(MF_BIT(MF_REVENUE) | MF_BIT(MF_CLICKS));
	put(f->s, &r, 1);
	totals(f->s, "acme", "spring", 100, 100, &t);
	assert_int_equal(t.present & (MF_BIT(MF_REVENUE) | MF_BIT(MF_CLICKS)),
	    0);

	/* NULL + 9 = 9; 5 + NULL = 5. */
	r = row("acme", "spring", 100, -1, 5, 9);
	r.present &= ~MF_BIT(MF_COST);
	put(f->s, &r, 1);
	totals(f->s, "acme", "spring", 100, 100, &t);
	assert_int_equal(t.present, ALL_FIELDS);
	assert_int_equal(t.cost, 5);
	assert_int_equal(t.revenue, 9);
	assert_int_equal(t.clicks, 10);
	assert_int_equal(t.impressions, 2000);
}

static void
test_add_overflow(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1,
				    INT64_MAX - 1, 1);
	struct kpi_totals	 t;
	char			*cause = NULL;
	int64_t			 in;

	/* Within one input the sum overflows: refused, the sample kept. */
	in = store_input_new(f->s, "test", NULL);
	assert_int_equal(store_put_metric_input(f->s, &r, in, &cause), 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in, &cause),
	    STORE_REFUSED_SUM);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	totals(f->s, "acme", "spring", 100, 100, &t);
	assert_int_equal(t.cost, INT64_MAX - 1);

	/* A sum over samples that overflows is an error, not a wrong total. */
	r.day = 101;
	put(f->s, &r, 0);
	assert_int_equal(store_totals(f->s, "acme", "spring", INT32_MIN,
	    INT32_MAX, &t, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_totals_ranges(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r;
	struct kpi_totals	 t;
	int32_t			 d;

	for (d = 10; d < 20; d++) {
		r = row("acme", "a", d, -1, d, 2 * d);
		put(f->s, &r, 0);
		r = row("acme", "b", d, -1, 100, 0);
		put(f->s, &r, 0);
		r = row("other", "a", d, -1, 1000, 1000);
		put(f->s, &r, 0);
	}

	totals(f->s, "acme", "a", 12, 14, &t);
	assert_int_equal(t.samples, 3);
	assert_int_equal(t.cost, 12 + 13 + 14);
	assert_int_equal(t.revenue, 2 * (12 + 13 + 14));
	assert_int_equal(t.first_day, 12);
	assert_int_equal(t.last_day, 14);
	assert_int_equal(t.present, ALL_FIELDS);

	totals(f->s, "acme", "a", INT32_MIN, 11, &t);
	assert_int_equal(t.samples, 2);
	assert_int_equal(t.cost, 21);

	/* Whole client: both campaigns, not the other client. */
	totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 20);
	assert_int_equal(t.cost, 145 + 1000);
	assert_int_equal(t.first_day, 10);
	assert_int_equal(t.last_day, 19);
	totals(f->s, "acme", NULL, 19, INT32_MAX, &t);
	assert_int_equal(t.samples, 2);
	assert_int_equal(t.cost, 119);

	/* Nothing matched: zeroed. */
	totals(f->s, "acme", "a", 30, 40, &t);
	assert_int_equal(t.samples, 0);
	assert_int_equal(t.present, 0);
	assert_int_equal(t.cost, 0);
	totals(f->s, "nobody", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 0);
}

static void
test_missing_fields(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "a", 1, -1, 7, 0);
	struct kpi_totals	 t;

	r.present = MF_REQUIRED | MF_BIT(MF_COST);
	put(f->s, &r, 0);
	totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.present, MF_BIT(MF_COST));
	assert_int_equal(t.cost, 7);
	assert_int_equal(t.impressions, 0);
	assert_int_equal(t.samples, 1);

	r = row("acme", "a", 2, -1, 0, 5);
	r.present = MF_REQUIRED | MF_BIT(MF_REVENUE);
	put(f->s, &r, 0);
	totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.present, MF_BIT(MF_COST) | MF_BIT(MF_REVENUE));
	assert_int_equal(t.revenue, 5);
}

static void
test_rollback(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "a", 1, -1, 7, 0);
	char			*cause = NULL;

	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_begin(f->s, &cause), -1);	/* nested */
	free(cause);
	cause = NULL;
	put(f->s, &r, 0);
	r.day = 2;
	put(f->s, &r, 0);
	assert_int_equal(store_count_metrics(f->s), 2);
	store_rollback(f->s);
	assert_int_equal(store_count_metrics(f->s), 0);
	store_rollback(f->s);	/* harmless when nothing is open */

	assert_int_equal(store_begin(f->s, &cause), 0);
	put(f->s, &r, 0);
	assert_int_equal(store_commit(f->s, &cause), 0);
	assert_int_equal(store_count_metrics(f->s), 1);
}

static void
test_savepoint_and_inputs(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "a", 1, -1, 10, 20);
	struct kpi_totals	 t;
	int64_t			 in1, in2, in3;
	char			*cause = NULL;

	in1 = store_input_new(f->s, "test", NULL);
	in2 = store_input_new(f->s, "test", NULL);
	assert_true(in1 > 0);
	assert_true(in2 > in1);

	assert_int_equal(store_begin(f->s, &cause), 0);
	/* Input 1: two rows of the same key are summed. */
	assert_int_equal(store_savepoint(f->s, &cause), 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in1, &cause), 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in1, &cause), 0);
	assert_int_equal(store_savepoint_release(f->s, &cause), 0);
	totals(f->s, "acme", "a", 1, 1, &t);
	assert_int_equal(t.cost, 20);

	/* Input 2 is refused: rolled back alone. */
	assert_int_equal(store_savepoint(f->s, &cause), 0);
	r.cost = 1;
	assert_int_equal(store_put_metric_input(f->s, &r, in2, &cause), 0);
	r.day = 2;
	assert_int_equal(store_put_metric_input(f->s, &r, in2, &cause), 0);
	store_savepoint_rollback(f->s);
	assert_int_equal(store_commit(f->s, &cause), 0);

	totals(f->s, "acme", "a", INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 1);
	assert_int_equal(t.cost, 20);
	assert_int_equal(t.revenue, 40);

	/* A later input replaces, then sums within itself. */
	in3 = store_input_new(f->s, "test", NULL);
	assert_true(in3 > in2);
	r.day = 1;
	r.cost = 3;
	assert_int_equal(store_put_metric_input(f->s, &r, in3, &cause), 0);
	totals(f->s, "acme", "a", 1, 1, &t);
	assert_int_equal(t.cost, 3);
	assert_int_equal(t.revenue, 20);
	assert_int_equal(store_put_metric_input(f->s, &r, in3, &cause), 0);
	totals(f->s, "acme", "a", 1, 1, &t);
	assert_int_equal(t.cost, 6);
	assert_int_equal(store_put_metric_input(f->s, &r, 0, &cause), -1);
	free(cause);

	/* Ids survive a reopen. */
	store_free(f->s);
	f->s = store_open(f->path, &cause);
	assert_non_null(f->s);
	assert_true(store_input_new(f->s, "test", NULL) > in3);
}

static void
test_last_day_channel(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "a", 5, -1, 1, 1);
	char			 buf[64], *cause = NULL;
	int32_t			 day;

	assert_int_equal(store_last_day(f->s, "acme", "a", &day, &cause), 0);
	assert_int_equal(day, INT32_MIN);
	assert_int_equal(store_campaign_channel(f->s, "acme", "a", buf,
	    sizeof buf, &cause), 0);
	assert_string_equal(buf, "");

	put(f->s, &r, 0);
	r.day = 9;
	snprintf(r.channel, sizeof r.channel, "sms");
	put(f->s, &r, 0);
	r.day = 7;
	snprintf(r.channel, sizeof r.channel, "facebook");
	put(f->s, &r, 0);
	r.day = 10;
	r.channel[0] = '\0';	/* unknown channel does not count */
	put(f->s, &r, 0);
	assert_int_equal(store_last_day(f->s, "acme", "a", &day, &cause), 0);
	assert_int_equal(day, 10);
	assert_int_equal(store_campaign_channel(f->s, "acme", "a", buf,
	    sizeof buf, &cause), 0);
	assert_string_equal(buf, "sms");
}

struct walk {
	char	seen[16][80];
	int	n;
	int	stop_after;
	struct store *s;
};

static int
walk_cb(const char *client, const char *campaign, void *arg)
{
	struct walk		*w = arg;
	struct metric_row	 r;

	assert_true(w->n < 16);
	snprintf(w->seen[w->n++], sizeof w->seen[0], "%s/%s", client,
	    campaign);
	/* The store is usable from inside the walk. */
	if (w->s != NULL) {
		r = row(client, campaign, 500, -1, 1, 1);
		put(w->s, &r, 0);
	}
	if (w->stop_after != 0 && w->n == w->stop_after)
		return 7;
	return 0;
}

static void
test_foreach_campaign(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r;
	struct walk		 w;
	char			*cause = NULL;
	static const char	*keys[][2] = {
		{ "b", "z" }, { "a", "y" }, { "a", "x" }, { "ab", "a" },
		{ "b", "c" }
	};
	size_t			 i;
	int			 d;

	memset(&w, 0, sizeof w);
	assert_int_equal(store_foreach_campaign(f->s, NULL, walk_cb, &w,
	    &cause), 0);
	assert_int_equal(w.n, 0);

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		for (d = 0; d < 3; d++) {
			r = row(keys[i][0], keys[i][1], d, -1, 1, 1);
			put(f->s, &r, 0);
		}
	}
	memset(&w, 0, sizeof w);
	w.s = f->s;
	assert_int_equal(store_foreach_campaign(f->s, NULL, walk_cb, &w,
	    &cause), 0);
	assert_int_equal(w.n, 5);
	assert_string_equal(w.seen[0], "a/x");
	assert_string_equal(w.seen[1], "a/y");
	assert_string_equal(w.seen[2], "ab/a");
	assert_string_equal(w.seen[3], "b/c");
	assert_string_equal(w.seen[4], "b/z");

	memset(&w, 0, sizeof w);
	assert_int_equal(store_foreach_campaign(f->s, "b", walk_cb, &w,
	    &cause), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.seen[0], "b/c");
	assert_string_equal(w.seen[1], "b/z");

	memset(&w, 0, sizeof w);
	w.stop_after = 2;
	assert_int_equal(store_foreach_campaign(f->s, NULL, walk_cb, &w,
	    &cause), 7);
	assert_int_equal(w.n, 2);
}

struct alerts_seen {
	int			n;
	char			key[8][80];
	struct alert_row	rs[8];
	struct store		*s;
};

static int
alert_cb(const struct alert_key *k, const struct alert_row *rs, void *arg)
{
	struct alerts_seen	*a = arg;
	struct alert_row	 next;
	char			*cause = NULL;

	assert_true(a->n < 8);
	snprintf(a->key[a->n], sizeof a->key[0], "%s/%s/%s", k->client,
	    k->subject, k->rule);
	a->rs[a->n++] = *rs;
	/* Re-evaluation writes states while walking them. */
	if (a->s != NULL) {
		next = *rs;
		next.st.since++;
		assert_int_equal(store_alert_put(a->s, k, &next, &cause), 0);
	}
	return 0;
}

static void
test_alerts(void **state)
{
	struct fixture		*f = *state;
	struct alert_row	 rs, got;
	struct alerts_seen	 a;
	char			*cause = NULL;

	assert_int_equal(store_alert_get(f->s, K("acme", "a", ALERT_ROI_LOW), &got,
	    &cause), 0);

	memset(&rs, 0, sizeof rs);
	rs.st.state = ALERT_FIRING;
	rs.st.since = 1000;
	rs.st.last_notified = 1010;
	rs.st.value = -250000;
	rs.st.judged = 1;
	assert_int_equal(store_alert_put(f->s, K("acme", "a", ALERT_ROI_LOW), &rs, &cause), 0);
	assert_int_equal(store_alert_get(f->s, K("acme", "a", ALERT_ROI_LOW), &got, &cause), 1);
	assert_int_equal(got.st.state, ALERT_FIRING);
	assert_int_equal(got.st.since, 1000);
	assert_int_equal(got.st.last_notified, 1010);
	assert_int_equal(got.st.value, -250000);
	assert_int_equal(got.st.judged, 1);
	/* Other kind, same campaign: separate. */
	assert_int_equal(store_alert_get(f->s, K("acme", "a", ALERT_ROI_TARGET), &got,
	    &cause), 0);

	/* Overwrite. */
	rs.st.state = ALERT_RESOLVED;
	rs.st.since = 2000;
	assert_int_equal(store_alert_put(f->s, K("acme", "a", ALERT_ROI_LOW), &rs,
	    &cause), 0);
	assert_int_equal(store_alert_get(f->s, K("acme", "a", ALERT_ROI_LOW), &got,
	    &cause), 1);
	assert_int_equal(got.st.state, ALERT_RESOLVED);
	assert_int_equal(got.st.since, 2000);

	memset(&rs, 0, sizeof rs);
	rs.st.state = ALERT_OK;
	assert_int_equal(store_alert_put(f->s, K("acme", "b", ALERT_ROI_TARGET), &rs,
	    &cause), 0);
	rs.st.state = ALERT_PENDING;
	assert_int_equal(store_alert_put(f->s, K("zeta", "a", ALERT_ROI_LOW), &rs,
	    &cause), 0);

	memset(&a, 0, sizeof a);
	assert_int_equal(store_foreach_alert(f->s, NULL, 0, alert_cb, &a,
	    &cause), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.key[0], "acme/a/roi_low");
	assert_int_equal(a.rs[0].st.state, ALERT_RESOLVED);
	assert_string_equal(a.key[1], "zeta/a/roi_low");
	assert_int_equal(a.rs[1].st.state, ALERT_PENDING);

	/* One client's states only. */
	memset(&a, 0, sizeof a);
	assert_int_equal(store_foreach_alert(f->s, "zeta", 1, alert_cb, &a,
	    &cause), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.key[0], "zeta/a/roi_low");

	memset(&a, 0, sizeof a);
	a.s = f->s;
	assert_int_equal(store_foreach_alert(f->s, NULL, 1, alert_cb, &a,
	    &cause), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.key[1], "acme/b/roi_target");
	assert_int_equal(store_alert_get(f->s, K("acme", "a", ALERT_ROI_LOW), &got,
	    &cause), 1);
	assert_int_equal(got.st.since, 2001);
}

static void
test_outbox(void **state)
{
	struct fixture		*f = *state;
	struct outbox_item	*it;
	int64_t			 id1, id2, id3, p, d, x;
	char			*key1, *cause = NULL;
	int			 n;

	assert_int_equal(store_outbox_next_at(f->s), 0);
	n = store_outbox_due(f->s, 1000, 10, &it, &cause);
	assert_int_equal(n, 0);
	store_outbox_items_free(it, n);

	id1 = store_outbox_add(f->s, "acme", "ops-mail", "{\"a\":1}", 100,
	    &cause);
	id2 = store_outbox_add(f->s, "acme", "slack", "{\"a\":2}", 110, &cause);
	id3 = store_outbox_add(f->s, "zeta", "slack", "{\"a\":3}", 120, &cause);
	assert_true(id1 > 0 && id2 > id1 && id3 > id2);
	assert_int_equal(store_outbox_next_at(f->s), 100);

	n = store_outbox_due(f->s, 115, 10, &it, &cause);
	assert_int_equal(n, 2);
	assert_int_equal(it[0].id, id1);
	assert_int_equal(it[1].id, id2);
	assert_string_equal(it[0].client, "acme");
	assert_string_equal(it[0].receiver, "ops-mail");
	assert_string_equal(it[0].payload, "{\"a\":1}");
	assert_int_equal(it[0].created, 100);
	assert_int_equal(it[0].attempts, 0);
	assert_null(it[0].last_error);
	assert_int_equal(strncmp(it[0].idem_key, "rw-acme-", 8), 0);
	assert_int_equal(strlen(it[0].idem_key),
	    strlen("rw-acme-") + (size_t)snprintf(NULL, 0, "%lld",
	    (long long)id1) + 1 + 16);
	assert_string_not_equal(it[0].idem_key, it[1].idem_key);
	key1 = strdup(it[0].idem_key);
	store_outbox_items_free(it, n);

	n = store_outbox_due(f->s, 1000, 1, &it, &cause);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].id, id1);
	store_outbox_items_free(it, n);

	/* Retry: later, counted, key unchanged. */
	assert_int_equal(store_outbox_retry(f->s, id1, 500, "timeout",
	    &cause), 0);
	assert_int_equal(store_outbox_next_at(f->s), 110);
	n = store_outbox_due(f->s, 200, 10, &it, &cause);
	assert_int_equal(n, 2);
	assert_int_equal(it[0].id, id2);
	assert_int_equal(it[1].id, id3);
	store_outbox_items_free(it, n);
	n = store_outbox_due(f->s, 500, 10, &it, &cause);
	assert_int_equal(n, 3);
	assert_int_equal(it[0].id, id1);
	assert_int_equal(it[0].attempts, 1);
	assert_int_equal(it[0].next_at, 500);
	assert_string_equal(it[0].last_error, "timeout");
	assert_string_equal(it[0].idem_key, key1);
	store_outbox_items_free(it, n);
	free(key1);

	assert_int_equal(store_outbox_done(f->s, id2, 200, &cause), 0);
	assert_int_equal(store_outbox_dead(f->s, id3, 200, "410 Gone",
	    &cause), 0);
	/* Finished items cannot be finished again. */
	assert_int_equal(store_outbox_done(f->s, id2, 201, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(store_outbox_retry(f->s, 9999, 1, "x", &cause), -1);
	free(cause);
	cause = NULL;

	assert_int_equal(store_outbox_counts(f->s, &p, &d, &x), 0);
	assert_int_equal(p, 1);
	assert_int_equal(d, 1);
	assert_int_equal(x, 1);
	assert_int_equal(store_outbox_next_at(f->s), 500);
	n = store_outbox_due(f->s, 10000, 10, &it, &cause);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].id, id1);
	store_outbox_items_free(it, n);

	assert_int_equal(store_outbox_done(f->s, id1, 600, &cause), 0);
	assert_int_equal(store_outbox_next_at(f->s), 0);
	assert_int_equal(store_outbox_counts(f->s, &p, &d, &x), 0);
	assert_int_equal(p, 0);
	assert_int_equal(d, 2);
}

/* Pruning deletes finished items older than the cut, never pending ones. */
static void
test_outbox_prune(void **state)
{
	struct fixture	*f = *state;
	int64_t		 old_done, new_done, old_dead, pending, p, dn, dd;
	char		*cause = NULL;

	old_done = store_outbox_add(f->s, "acme", "mail", "{}", 100, &cause);
	new_done = store_outbox_add(f->s, "acme", "mail", "{}", 100, &cause);
	old_dead = store_outbox_add(f->s, "acme", "mail", "{}", 100, &cause);
	pending = store_outbox_add(f->s, "acme", "mail", "{}", 100, &cause);
	assert_true(old_done > 0 && new_done > 0 && old_dead > 0 && pending > 0);
	assert_int_equal(store_outbox_done(f->s, old_done, 1000, &cause), 0);
	assert_int_equal(store_outbox_done(f->s, new_done, 5000, &cause), 0);
	assert_int_equal(store_outbox_dead(f->s, old_dead, 1000, "gone",
	    &cause), 0);

	assert_int_equal(store_outbox_prune(f->s, 2000, &cause), 2);
	assert_int_equal(store_outbox_counts(f->s, &p, &dn, &dd), 0);
	assert_int_equal(p, 1);
	assert_int_equal(dn, 1);
	assert_int_equal(dd, 0);
	/* Pending items stay whatever their age. */
	assert_int_equal(store_outbox_prune(f->s, INT64_MAX, &cause), 1);
	assert_int_equal(store_outbox_counts(f->s, &p, &dn, &dd), 0);
	assert_int_equal(p, 1);
	assert_int_equal(dn, 0);
}

static void
test_outbox_keys_unique(void **state)
{
	struct fixture		*f = *state;
	struct outbox_item	*it;
	char			*cause = NULL;
	int			 i, j, n;

	for (i = 0; i < 50; i++)
		assert_true(store_outbox_add(f->s, "acme", "r", "{}", i,
		    &cause) > 0);
	n = store_outbox_due(f->s, 100, 100, &it, &cause);
	assert_int_equal(n, 50);
	for (i = 0; i < n; i++) {
		assert_true(i == 0 || it[i].id > it[i - 1].id);
		for (j = i + 1; j < n; j++)
			assert_string_not_equal(it[i].idem_key, it[j].idem_key);
	}
	store_outbox_items_free(it, n);
}

static void
test_bad_rows(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "a", 1, 24, 1, 1);
	char			*cause = NULL;

	assert_int_equal(store_put_metric_input(f->s, &r, 1, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	r = row("", "a", 1, -1, 1, 1);
	assert_int_equal(store_put_metric_input(f->s, &r, 1, &cause), -1);
	free(cause);
	assert_int_equal(store_count_metrics(f->s), 0);
}

/* Pull source state: absent, put, replaced, kept across a reopen, and
 * rolled back with the transaction it was written in. */
static void
test_source_state(void **state)
{
	struct fixture			*f = *state;
	struct store_source_state	 st, got;
	char				*cause = NULL;

	assert_int_equal(store_source_get(f->s, "meta", &got, &cause), 0);
	assert_int_equal(got.next_at, 0);
	assert_null(got.etag);

	memset(&st, 0, sizeof st);
	st.last_attempt = 100;
	st.last_success = 100;
	st.etag = "\"v1\"";
	st.last_modified = "Wed, 21 Oct 2026 07:28:00 GMT";
	st.next_at = 3700;
	assert_int_equal(store_source_put(f->s, "meta", &st, &cause), 0);
	st.etag = NULL;
	st.last_modified = NULL;
	st.failures = 2;
	st.last_error = "HTTP status 500";
	st.last_attempt = 200;
	st.next_at = 260;
	assert_int_equal(store_source_put(f->s, "google", &st, &cause), 0);

	store_free(f->s);
	f->s = store_open(f->path, &cause);
	assert_non_null(f->s);
	assert_int_equal(store_source_get(f->s, "meta", &got, &cause), 1);
	assert_int_equal(got.last_attempt, 100);
	assert_int_equal(got.last_success, 100);
	assert_string_equal(got.etag, "\"v1\"");
	assert_string_equal(got.last_modified, "Wed, 21 Oct 2026 07:28:00 GMT");
	assert_int_equal(got.failures, 0);
	assert_null(got.last_error);
	assert_int_equal(got.next_at, 3700);
	store_source_state_clear(&got);
	assert_int_equal(store_source_get(f->s, "google", &got, &cause), 1);
	assert_int_equal(got.failures, 2);
	assert_string_equal(got.last_error, "HTTP status 500");
	assert_null(got.etag);
	assert_int_equal(got.next_at, 260);
	store_source_state_clear(&got);

	/* Replaced in place; undone by a rollback. */
	assert_int_equal(store_begin(f->s, &cause), 0);
	memset(&st, 0, sizeof st);
	st.next_at = 9999;
	assert_int_equal(store_source_put(f->s, "meta", &st, &cause), 0);
	assert_int_equal(store_source_get(f->s, "meta", &got, &cause), 1);
	assert_int_equal(got.next_at, 9999);
	assert_null(got.etag);
	store_source_state_clear(&got);
	store_rollback(f->s);
	assert_int_equal(store_source_get(f->s, "meta", &got, &cause), 1);
	assert_int_equal(got.next_at, 3700);
	assert_string_equal(got.etag, "\"v1\"");
	store_source_state_clear(&got);
}

/* A version-1 database gains the later tables and keeps its data. */
static void
test_migrate_from_1(void **state)
{
	struct fixture			*f = *state;
	struct metric_row		 r = row("acme", "spring", 100, -1, 5, 7);
	struct store_source_state	 got;
	struct store_sample		 smp;
	sqlite3				*db;
	char				*cause = NULL;
	int64_t				 in;

	put(f->s, &r, 0);
	store_free(f->s);
	f->s = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE sources;"
	    " DROP TABLE custom_metrics; DROP TABLE inputs;"
	    " DROP TABLE alert_state;"
	    " CREATE TABLE alert_state (client TEXT NOT NULL,"
	    " campaign TEXT NOT NULL, kind TEXT NOT NULL,"
	    " state TEXT NOT NULL, since INTEGER NOT NULL,"
	    " last_notified INTEGER NOT NULL DEFAULT 0,"
	    " roi_ppm INTEGER NOT NULL DEFAULT 0,"
	    " judged INTEGER NOT NULL DEFAULT 0,"
	    " PRIMARY KEY (client, campaign, kind)) STRICT, WITHOUT ROWID;"
	    " INSERT INTO alert_state VALUES ('acme', 'spring', 'roi_low',"
	    " 'firing', 1000, 1010, -250000, 1);"
	    " DROP TABLE replay_seen;"
	    " DROP TABLE silence; DROP TABLE held_notice;"
	    " DROP INDEX outbox_untried;"
	    " DROP TABLE note;"
	    " DROP TABLE digest_state;"
	    " DROP TABLE alert_event;"
	    " ALTER TABLE outbox DROP COLUMN parts_done;"
	    " ALTER TABLE metrics DROP COLUMN src;"
	    " ALTER TABLE metrics DROP COLUMN odd;"
	    " ALTER TABLE metrics ADD COLUMN updated INTEGER NOT NULL"
	    " DEFAULT 1700000000;"
	    " UPDATE metrics SET input_id = 0;"	/* a plain put of old */
	    " PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	f->s = store_open(f->path, &cause);
	if (f->s == NULL)
		fail_msg("reopen: %s", cause);
	assert_int_equal(store_count_metrics(f->s), 1);
	assert_int_equal(store_source_get(f->s, "x", &got, &cause), 0);
	/* An alert state of version 1 is the shorthand rule's, told. */
	{
		struct alert_row	 ar;

		assert_int_equal(store_alert_get(f->s, K("acme", "spring",
		    ALERT_ROI_LOW), &ar, &cause), 1);
		assert_int_equal(ar.st.state, ALERT_FIRING);
		assert_int_equal(ar.st.since, 1000);
		assert_int_equal(ar.st.value, -250000);
		assert_true(ar.st.judged);
		assert_true(ar.st.told);
		assert_int_equal(ar.win_from, INT32_MIN);
	}
	/* Fields written before version 4 are attributed to that. */
	assert_int_equal(store_sample_get(f->s, "acme", "spring", 100, -1,
	    &smp, &cause), 1);
	assert_int_equal(smp.field[1].value, 5);
	assert_string_equal(smp.field[1].origin,
	    "written before schema version 4");
	/* A new input writes revenue, then cost in a second row: the cost
	 * kept from input 0 is replaced, not added to. */
	in = store_input_new(f->s, "test", &cause);
	r.present = MF_REQUIRED | MF_BIT(MF_REVENUE);
	assert_int_equal(store_put_metric_input(f->s, &r, in, &cause), 0);
	r.cost = 3;
	r.present = MF_REQUIRED | MF_BIT(MF_COST);
	assert_int_equal(store_put_metric_input(f->s, &r, in, &cause), 0);
	assert_int_equal(store_sample_get(f->s, "acme", "spring", 100, -1,
	    &smp, &cause), 1);
	assert_int_equal(smp.field[1].value, 3);
	assert_int_equal(smp.field[1].input_id, in);
	store_free(f->s);
	f->s = NULL;
	assert_int_equal(user_version(f->path), store_schema_version());
}

/* What store_custom_totals() reported, in order. */
struct custom_seen {
	char	 name[8][METRIC_CUSTOM_NAME_MAX];
	int64_t	 sum[8];
	int64_t	 days[8];
	int	 n;
	int	 stop_after;	/* 0: never */
};

static int
custom_cb(const char *name, int64_t sum, int64_t days, void *arg)
{
	struct custom_seen *cs = arg;

	if (cs->n < 8) {
		snprintf(cs->name[cs->n], sizeof cs->name[cs->n], "%s", name);
		cs->sum[cs->n] = sum;
		cs->days[cs->n] = days;
	}
	cs->n++;
	return cs->stop_after != 0 && cs->n == cs->stop_after ? 7 : 0;
}

static void
custom_totals(struct store *s, const char *client, const char *campaign,
    int32_t from, int32_t to, struct custom_seen *cs)
{
	char	*cause = NULL;

	memset(cs, 0, sizeof *cs);
	if (store_custom_totals(s, client, campaign, from, to, custom_cb, cs,
	    &cause) != 0)
		fail_msg("store_custom_totals: %s", cause);
}

static void
set_custom(struct metric_row *r, const char *n1, int64_t v1, const char *n2,
    int64_t v2)
{
	r->ncustom = 0;
	if (n1 != NULL) {
		r->custom[r->ncustom].name = n1;
		r->custom[r->ncustom++].value = v1;
	}
	if (n2 != NULL) {
		r->custom[r->ncustom].name = n2;
		r->custom[r->ncustom++].value = v2;
	}
}

/* Custom KPIs per name: the same input sums, another input replaces (a
 * name it lacks stays), a savepoint rollback undoes them; totals per name
 * over a day range. */
static void
test_custom_kpis(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r = row("acme", "spring", 100, -1, 10, 20);
	struct custom_seen	 cs;
	int64_t			 in1, in2, in3, in4;
	char			*cause = NULL;

	in1 = store_input_new(f->s, "test", NULL);
	set_custom(&r, "reach", 1000000000, "csat", 4500000);
	assert_int_equal(store_put_metric_input(f->s, &r, in1, &cause), 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in1, &cause), 0);
	custom_totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &cs);
	assert_int_equal(cs.n, 2);
	assert_string_equal(cs.name[0], "csat");	/* sorted by name */
	assert_int_equal(cs.sum[0], 9000000);
	assert_int_equal(cs.days[0], 1);
	assert_string_equal(cs.name[1], "reach");
	assert_int_equal(cs.sum[1], 2000000000);

	/* Input 2 replaces reach; csat, which it lacks, stays. */
	in2 = store_input_new(f->s, "test", NULL);
	set_custom(&r, "reach", 500000000, NULL, 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in2, &cause), 0);
	r.day = 101;
	set_custom(&r, "reach", 300000000, "followers", 42000000);
	assert_int_equal(store_put_metric_input(f->s, &r, in2, &cause), 0);
	r = row("acme", "autumn", 100, 9, 1, 2);
	set_custom(&r, "reach", 7000000, NULL, 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in2, &cause), 0);
	r = row("globex", "spring", 100, -1, 1, 2);
	set_custom(&r, "reach", 1, NULL, 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in2, &cause), 0);

	custom_totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &cs);
	assert_int_equal(cs.n, 3);
	assert_string_equal(cs.name[0], "csat");
	assert_int_equal(cs.sum[0], 9000000);
	assert_string_equal(cs.name[1], "followers");
	assert_int_equal(cs.sum[1], 42000000);
	assert_int_equal(cs.days[1], 1);
	assert_string_equal(cs.name[2], "reach");
	assert_int_equal(cs.sum[2], 807000000);
	assert_int_equal(cs.days[2], 2);	/* days 100 and 101 */
	custom_totals(f->s, "acme", "spring", 101, INT32_MAX, &cs);
	assert_int_equal(cs.n, 2);
	assert_int_equal(cs.sum[1], 300000000);
	custom_totals(f->s, "acme", "autumn", INT32_MIN, INT32_MAX, &cs);
	assert_int_equal(cs.n, 1);
	assert_int_equal(cs.sum[0], 7000000);
	custom_totals(f->s, "acme", "spring", 200, 300, &cs);
	assert_int_equal(cs.n, 0);
	custom_totals(f->s, "initech", NULL, INT32_MIN, INT32_MAX, &cs);
	assert_int_equal(cs.n, 0);

	/* Input 3 replaces, then sums within itself. */
	in3 = store_input_new(f->s, "test", NULL);
	r = row("acme", "spring", 101, -1, 10, 20);
	set_custom(&r, "followers", 1000000, NULL, 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in3, &cause), 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in3, &cause), 0);
	custom_totals(f->s, "acme", "spring", 101, 101, &cs);
	assert_int_equal(cs.n, 2);
	assert_string_equal(cs.name[0], "followers");
	assert_int_equal(cs.sum[0], 2000000);
	assert_string_equal(cs.name[1], "reach");
	assert_int_equal(cs.sum[1], 300000000);

	/* Rolled back with the input's savepoint. */
	in4 = store_input_new(f->s, "test", NULL);
	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_savepoint(f->s, &cause), 0);
	r = row("acme", "spring", 100, -1, 10, 20);
	set_custom(&r, "mentions", 5, NULL, 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in4, &cause), 0);
	custom_totals(f->s, "acme", "spring", 100, 100, &cs);
	assert_int_equal(cs.n, 3);
	assert_string_equal(cs.name[1], "mentions");
	store_savepoint_rollback(f->s);
	assert_int_equal(store_commit(f->s, &cause), 0);
	custom_totals(f->s, "acme", "spring", 100, 100, &cs);
	assert_int_equal(cs.n, 2);
	assert_string_equal(cs.name[0], "csat");
	assert_string_equal(cs.name[1], "reach");
	assert_int_equal(cs.sum[1], 500000000);

	/* A callback's non-zero stops the walk and is returned. */
	memset(&cs, 0, sizeof cs);
	cs.stop_after = 1;
	assert_int_equal(store_custom_totals(f->s, "acme", NULL, INT32_MIN,
	    INT32_MAX, custom_cb, &cs, &cause), 7);
	assert_int_equal(cs.n, 1);

	/* Bad names are refused; a sum that overflows is an error. */
	r = row("acme", "spring", 102, -1, 10, 20);
	set_custom(&r, "Bad Name", 1, NULL, 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in4, &cause), -1);
	free(cause);
	cause = NULL;
	set_custom(&r, "big", INT64_MAX, NULL, 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in4, &cause), 0);
	assert_int_equal(store_put_metric_input(f->s, &r, in4, &cause), -1);
	free(cause);
}

#define U(x)	((int64_t)(x) * MICROS_PER_UNIT)

/* A fresh sample lacking the fields in `lacks` (NULL in the table). */
static void
put_lacking(struct store *s, const char *campaign, int32_t day, int hour,
    int64_t cost, int64_t revenue, unsigned lacks)
{
	struct metric_row r = row("acme", campaign, day, hour, cost, revenue);

	r.present &= ~lacks;
	put(s, &r, 0);
}

/*
 * Totals with NULLs: plain sums per field, sums per pair over the samples that
 * have both, days, and complete days per pair (campaign-days for a client);
 * a day with one incomplete hour is not complete, though its complete hours
 * count in the pair's sums.
 */
static void
test_totals_coverage(void **state)
{
	struct fixture		*f = *state;
	struct kpi_totals	 t;
	const struct kpi_pair_sums *cr, *cc;
	struct kpi_lack		*l;
	size_t			 n;
	char			*cause = NULL;

	put_lacking(f->s, "D", 100, -1, U(1000), U(500), 0);
	put_lacking(f->s, "D", 101, -1, 0, U(5000), MF_BIT(MF_COST));
	put_lacking(f->s, "E", 100, -1, U(10), U(40), MF_BIT(MF_CONVERSIONS));
	put_lacking(f->s, "H", 102, 1, U(10), U(30), 0);
	put_lacking(f->s, "H", 102, 2, U(10), 0, MF_BIT(MF_REVENUE));

	totals(f->s, "acme", "D", INT32_MIN, INT32_MAX, &t);
	cr = &t.pair[KPI_PAIR_COST_REVENUE];
	assert_int_equal(t.days, 2);
	assert_int_equal(t.samples, 2);
	assert_int_equal(t.cost, U(1000));
	assert_int_equal(t.revenue, U(5500));
	assert_int_equal(cr->a, U(1000));
	assert_int_equal(cr->b, U(500));
	assert_int_equal(cr->samples, 1);
	assert_int_equal(cr->days, 1);
	assert_int_equal(kpi_roi_ppm(&t), -500000);
	assert_int_equal(t.pair[KPI_PAIR_CLICKS_IMPRESSIONS].days, 2);
	assert_int_equal(t.pair[KPI_PAIR_CLICKS_IMPRESSIONS].a, 20);

	/* Hourly: the pair sums take hour 1, the day is not complete. */
	totals(f->s, "acme", "H", INT32_MIN, INT32_MAX, &t);
	cr = &t.pair[KPI_PAIR_COST_REVENUE];
	assert_int_equal(t.days, 1);
	assert_int_equal(t.samples, 2);
	assert_int_equal(cr->a, U(10));
	assert_int_equal(cr->b, U(30));
	assert_int_equal(cr->samples, 1);
	assert_int_equal(cr->days, 0);
	assert_int_equal(t.pair[KPI_PAIR_COST_CLICKS].days, 1);

	/* The client: campaign-days. CPA leaves E (no conversions) out. */
	totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &t);
	cr = &t.pair[KPI_PAIR_COST_REVENUE];
	cc = &t.pair[KPI_PAIR_COST_CONVERSIONS];
	assert_int_equal(t.days, 4);
	assert_int_equal(t.samples, 5);
	assert_int_equal(t.cost, U(1030));
	assert_int_equal(cr->a, U(1020));
	assert_int_equal(cr->b, U(570));
	assert_int_equal(cr->days, 2);
	assert_int_equal(cc->a, U(1020));	/* D day 100 + both hours of H */
	assert_int_equal(cc->b, 3);
	assert_int_equal(cc->days, 2);
	assert_int_equal(t.first_day, 100);
	assert_int_equal(t.last_day, 102);

	/* A range. */
	totals(f->s, "acme", NULL, 101, 102, &t);
	assert_int_equal(t.days, 2);
	assert_int_equal(t.pair[KPI_PAIR_COST_REVENUE].days, 0);
	totals(f->s, "nobody", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.days, 0);
	assert_int_equal(t.pair[KPI_PAIR_COST_REVENUE].samples, 0);

	/* What each day lacks. */
	assert_int_equal(store_lacks(f->s, "acme", "D", INT32_MIN, INT32_MAX,
	    &l, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].day, 101);
	assert_int_equal(l[0].lacks, MF_BIT(MF_COST));
	assert_string_equal(l[0].campaign, "");
	free(l);
	assert_int_equal(store_lacks(f->s, "acme", NULL, INT32_MIN, INT32_MAX,
	    &l, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_int_equal(l[0].day, 100);
	assert_string_equal(l[0].campaign, "E");
	assert_int_equal(l[0].lacks, MF_BIT(MF_CONVERSIONS));
	assert_int_equal(l[1].day, 101);
	assert_string_equal(l[1].campaign, "D");
	assert_int_equal(l[2].day, 102);
	assert_string_equal(l[2].campaign, "H");
	assert_int_equal(l[2].lacks, MF_BIT(MF_REVENUE));
	free(l);
	assert_int_equal(store_lacks(f->s, "acme", "E", 101, INT32_MAX, &l, &n,
	    &cause), 0);
	assert_int_equal(n, 0);
	assert_null(l);
}

/* Why a rule did not judge survives in the store. */
static void
test_alert_skip_kept(void **state)
{
	struct fixture		*f = *state;
	struct alert_row	 rs, got;
	char			*cause = NULL;

	memset(&rs, 0, sizeof rs);
	rules_status_init(&rs.st, 1000);
	rs.st.state = ALERT_FIRING;
	rs.st.value = -500000;
	rs.st.judged = 0;
	rs.st.skip = RULE_SKIP_COVERAGE;
	assert_int_equal(store_alert_put(f->s, K("acme", "a", ALERT_ROI_LOW), &rs, &cause), 0);
	assert_int_equal(store_alert_get(f->s, K("acme", "a", ALERT_ROI_LOW), &got, &cause), 1);
	assert_false(got.st.judged);
	assert_int_equal(got.st.skip, RULE_SKIP_COVERAGE);
	assert_int_equal(got.st.state, ALERT_FIRING);
	assert_int_equal(got.st.value, -500000);
}

/*
 * A notice in parts: none delivered at first; each part short of the last
 * counts its attempt and the count only grows (a part recorded twice is an
 * error, not a silent resend); the last part ends the item as done.
 */
static void
test_outbox_parts(void **state)
{
	struct fixture		*f = *state;
	struct outbox_item	*it;
	char			*cause = NULL;
	int64_t			 id;
	int			 n;

	id = store_outbox_add(f->s, "acme", "chat", "{}", 100, &cause);
	assert_true(id > 0);
	assert_int_equal(store_outbox_parts_done(f->s, id, &cause), 0);
	assert_int_equal(store_outbox_part_done(f->s, id, 1, &cause), 0);
	assert_int_equal(store_outbox_parts_done(f->s, id, &cause), 1);
	assert_int_equal(store_outbox_part_done(f->s, id, 1, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(store_outbox_retry(f->s, id, 150, "HTTP 500",
	    &cause), 0);
	assert_int_equal(store_outbox_part_done(f->s, id, 2, &cause), 0);
	n = store_outbox_due(f->s, 200, 10, &it, &cause);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].attempts, 3);	/* two parts, one retry */
	store_outbox_items_free(it, n);
	assert_int_equal(store_outbox_done(f->s, id, 200, &cause), 0);
	assert_int_equal(store_outbox_parts_done(f->s, id, &cause), 2);
	assert_int_equal(store_outbox_part_done(f->s, id, 3, &cause), -1);
	free(cause);
	assert_int_equal(store_outbox_parts_done(f->s, id + 99, &cause), -1);
	free(cause);
}

/*
 * Due items without those in flight and those of saturated clients and
 * receivers: a receiver with many due items leaves the batch to the others.
 */
static void
test_outbox_due_except(void **state)
{
	struct fixture		*f = *state;
	struct outbox_item	*it;
	struct outbox_skip	 skip;
	const char		*rc[] = { "acme" };
	const char		*rr[] = { "hang" };
	int64_t			 ids[3], other, weird, zeta, i;
	char			*cause = NULL;
	int			 n;

	for (i = 0; i < 500; i++)
		assert_true(store_outbox_add(f->s, "acme", "hang", "{}", 100 + i,
		    &cause) > 0);
	other = store_outbox_add(f->s, "acme", "ok", "{}", 900, &cause);
	weird = store_outbox_add(f->s, "acme", "we\"ird\\", "{}", 901, &cause);
	zeta = store_outbox_add(f->s, "zeta", "hang", "{}", 902, &cause);
	assert_true(other > 0 && weird > 0 && zeta > 0);

	/* Nothing skipped: the same as store_outbox_due. */
	memset(&skip, 0, sizeof skip);
	n = store_outbox_due_except(f->s, 1000, 4, &skip, &it, &cause);
	assert_int_equal(n, 4);
	assert_int_equal(it[0].created, 100);
	assert_string_equal(it[3].receiver, "hang");
	ids[0] = it[0].id;
	ids[1] = it[1].id;
	ids[2] = it[2].id;
	store_outbox_items_free(it, n);

	/* In flight: the next ones. */
	skip.ids = ids;
	skip.nids = 3;
	n = store_outbox_due_except(f->s, 1000, 2, &skip, &it, &cause);
	assert_int_equal(n, 2);
	assert_int_equal(it[0].created, 103);
	assert_int_equal(it[1].created, 104);
	store_outbox_items_free(it, n);

	/* acme/hang saturated: its 500 items no longer hide the others. */
	skip.rclients = rc;
	skip.receivers = rr;
	skip.nreceivers = 1;
	n = store_outbox_due_except(f->s, 1000, 2, &skip, &it, &cause);
	assert_int_equal(n, 2);
	assert_int_equal(it[0].id, other);
	assert_int_equal(it[1].id, weird);
	store_outbox_items_free(it, n);

	/* A pair is a pair: "ok" of zeta is not "ok" of acme. */
	skip.rclients = (const char *const []){ "acme", "zeta" };
	skip.receivers = (const char *const []){ "hang", "ok" };
	skip.nreceivers = 2;
	n = store_outbox_due_except(f->s, 1000, 1, &skip, &it, &cause);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].id, other);
	store_outbox_items_free(it, n);

	/* A name that needs escaping in JSON still matches; a client. */
	skip.rclients = (const char *const []){ "acme", "acme" };
	skip.receivers = (const char *const []){ "hang", "we\"ird\\" };
	skip.clients = (const char *const []){ "zeta" };
	skip.nclients = 1;
	n = store_outbox_due_except(f->s, 1000, 10, &skip, &it, &cause);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].id, other);
	store_outbox_items_free(it, n);

	/* Not yet due is not due. */
	n = store_outbox_due_except(f->s, 899, 10, &skip, &it, &cause);
	assert_int_equal(n, 0);
	store_outbox_items_free(it, n);
	n = store_outbox_due_except(f->s, 1000, 0, &skip, &it, &cause);
	assert_int_equal(n, 0);
}

/* Signatures of signed requests: kept until they expire, across a reopen;
 * a mark written in a rolled-back transaction is forgotten. */
static void
test_replay_marks(void **state)
{
	struct fixture	*f = *state;
	uint8_t		 mac[32], other[32];
	char		*cause = NULL;

	memset(mac, 0xab, sizeof mac);
	memset(other, 0xcd, sizeof other);
	assert_int_equal(store_replay_seen(f->s, "acme", mac, sizeof mac, 1000,
	    &cause), 0);

	/* Rolled back: not seen. */
	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_replay_mark(f->s, "acme", mac, sizeof mac, 1300,
	    &cause), 0);
	assert_int_equal(store_replay_seen(f->s, "acme", mac, sizeof mac, 1000,
	    &cause), 1);
	store_rollback(f->s);
	assert_int_equal(store_replay_seen(f->s, "acme", mac, sizeof mac, 1000,
	    &cause), 0);

	/* Committed: seen after a reopen, for that client only, until it
	 * expires. */
	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_replay_mark(f->s, "acme", mac, sizeof mac, 1300,
	    &cause), 0);
	assert_int_equal(store_replay_mark(f->s, "acme", other, sizeof other,
	    2000, &cause), 0);
	/* Marking again never shortens a mark. */
	assert_int_equal(store_replay_mark(f->s, "acme", other, sizeof other,
	    1500, &cause), 0);
	assert_int_equal(store_commit(f->s, &cause), 0);
	store_free(f->s);
	f->s = store_open(f->path, &cause);
	assert_non_null(f->s);
	assert_int_equal(store_replay_seen(f->s, "acme", mac, sizeof mac, 1300,
	    &cause), 1);
	assert_int_equal(store_replay_seen(f->s, "globex", mac, sizeof mac,
	    1000, &cause), 0);
	assert_int_equal(store_replay_seen(f->s, "acme", mac, sizeof mac, 1301,
	    &cause), 0);

	/* Pruning deletes only the expired ones. */
	assert_int_equal(store_replay_prune(f->s, 1301, &cause), 1);
	assert_int_equal(store_replay_seen(f->s, "acme", other, sizeof other,
	    1999, &cause), 1);
	assert_int_equal(store_replay_prune(f->s, 1301, &cause), 0);
	assert_null(cause);
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The waiting mark: a connection that found the lock taken is waited for by
 * a bulk writer's store_yield() (at most STORE_YIELD_MAX_MSECS) until one of
 * its statements succeeds; without a waiter, store_yield() returns at once.
 */
static void
test_yield_to_waiter(void **state)
{
	struct fixture	*f = *state;
	struct store	*b;
	char		*cause = NULL;
	double		 t0;

	assert_non_null(b = store_open(f->path, &cause));
	assert_int_equal(store_set_busy_timeout(b, 1, &cause), 0);
	t0 = mono();
	store_yield(f->s);
	assert_true(mono() - t0 < 0.1);			/* nobody waits */
	assert_false(store_waited_for(f->s));

	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_begin(b, &cause), -1);	/* locked: b waits */
	assert_true(store_busy(b));
	free(cause);
	cause = NULL;
	assert_true(store_waited_for(f->s));
	store_wait_expire(b, 60000);			/* recent: kept */
	assert_true(store_waited_for(f->s));
	assert_int_equal(store_commit(f->s, &cause), 0);
	t0 = mono();
	store_yield(f->s);				/* b never comes */
	assert_true(mono() - t0 >= STORE_YIELD_MAX_MSECS / 1000.0 * 0.8);

	assert_int_equal(store_begin(b, &cause), 0);	/* b's turn */
	store_rollback(b);
	assert_false(store_waited_for(f->s));

	/* A mark a read left behind goes by itself. */
	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_begin(b, &cause), -1);
	free(cause);
	cause = NULL;
	store_rollback(f->s);
	assert_true(store_waited_for(f->s));
	store_wait_expire(b, 0);
	t0 = mono();
	store_yield(f->s);				/* b wrote: no mark */
	assert_true(mono() - t0 < 0.1);
	assert_false(store_waited_for(f->s));
	store_free(b);
}

/* The syncer: tickets after commits, one sync for those asked meanwhile,
 * its descriptor readable once they are on disk. */
static void
test_syncer(void **state)
{
	struct fixture		*f = *state;
	struct store_syncer	*y;
	struct metric_row	 r = row("acme", "s", 100, -1, 5, 7);
	uint64_t		 t1, t2, synced = 0, failed = 1;
	char			*cause = NULL;
	int			 error = -1;
	struct pollfd		 pfd;

	put(f->s, &r, 0);		/* the WAL exists */
	if ((y = store_syncer_start(f->s, &cause)) == NULL)
		fail_msg("%s", cause);
	put(f->s, &r, 0);
	t1 = store_syncer_request(y);
	t2 = store_syncer_request(y);
	assert_true(t2 == t1 + 1);
	store_syncer_wait(y, t2);
	pfd.fd = store_syncer_fd(y);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	store_syncer_collect(y, &synced, &failed, &error);
	assert_true(synced >= t2);
	assert_int_equal(failed, 0);
	assert_int_equal(error, 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);	/* drained */
	store_syncer_stop(y);
}

struct chan_walk {
	char	 seen[8][64];
	int	 n;
	int	 stop_after;
};

static int
chan_cb(const char *channel, void *arg)
{
	struct chan_walk *w = arg;

	assert_true(w->n < 8);
	snprintf(w->seen[w->n++], sizeof w->seen[0], "%s", channel);
	return w->stop_after != 0 && w->n == w->stop_after ? 5 : 0;
}

/*
 * Reports' reads: a client's channels over a range, a channel's incomplete
 * campaign-days, and a read snapshot that a writer on another connection
 * does not change until it ends.
 */
static void
test_report_reads(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r;
	struct chan_walk	 w;
	struct kpi_totals	 t;
	struct kpi_lack		*l = NULL;
	struct store		*other;
	size_t			 n;
	char			*cause = NULL;

	r = row("acme", "a", 5, -1, 100, 200);
	put(f->s, &r, 0);
	r = row("acme", "b", 6, -1, 100, 200);
	snprintf(r.channel, sizeof r.channel, "sms");
	r.present &= ~MF_BIT(MF_REVENUE);
	put(f->s, &r, 0);
	r = row("acme", "c", 20, -1, 100, 200);
	snprintf(r.channel, sizeof r.channel, "facebook");
	put(f->s, &r, 0);
	r = row("acme", "d", 7, -1, 100, 200);
	r.channel[0] = '\0';	/* no channel: not listed */
	put(f->s, &r, 0);
	r = row("globex", "a", 5, -1, 100, 200);
	snprintf(r.channel, sizeof r.channel, "tv");
	put(f->s, &r, 0);

	memset(&w, 0, sizeof w);
	assert_int_equal(store_foreach_channel(f->s, "acme", INT32_MIN,
	    INT32_MAX, chan_cb, &w, &cause), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.seen[0], "email");
	assert_string_equal(w.seen[1], "facebook");
	assert_string_equal(w.seen[2], "sms");
	memset(&w, 0, sizeof w);
	assert_int_equal(store_foreach_channel(f->s, "acme", 5, 10, chan_cb,
	    &w, &cause), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.seen[1], "sms");
	memset(&w, 0, sizeof w);
	w.stop_after = 1;
	assert_int_equal(store_foreach_channel(f->s, "acme", INT32_MIN,
	    INT32_MAX, chan_cb, &w, &cause), 5);
	assert_int_equal(w.n, 1);

	assert_int_equal(store_lacks_scope(f->s, "acme", NULL, "sms",
	    INT32_MIN, INT32_MAX, &l, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].day, 6);
	assert_string_equal(l[0].campaign, "b");
	assert_int_equal(l[0].lacks, MF_BIT(MF_REVENUE));
	free(l);
	assert_int_equal(store_lacks_scope(f->s, "acme", NULL, "email",
	    INT32_MIN, INT32_MAX, &l, &n, &cause), 0);
	assert_int_equal(n, 0);

	/* A snapshot: another connection's commit shows after the end. */
	other = store_open(f->path, &cause);
	assert_non_null(other);
	assert_int_equal(store_read_begin(f->s, &cause), 0);
	totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 4);
	r = row("acme", "e", 8, -1, 100, 200);
	put(other, &r, 0);
	totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 4);
	store_read_end(f->s);
	totals(f->s, "acme", NULL, INT32_MIN, INT32_MAX, &t);
	assert_int_equal(t.samples, 5);
	store_free(other);

	/* Inside a write transaction the reads join it, which stays open. */
	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_read_begin(f->s, &cause), 0);
	store_read_end(f->s);
	assert_true(store_txn_open(f->s));
	assert_int_equal(store_commit(f->s, &cause), 0);
}

/*
 * Totals of several windows in one pass equal those of one window at a time,
 * for a campaign, a channel and a client's total, over random samples with
 * missing fields, hourly samples and channels that change.
 */
static void
test_totals_multi(void **state)
{
	struct fixture		*f = *state;
	struct metric_row	 r;
	struct kpi_totals	 one, many[4];
	const char		*camp[3] = { "c1", "c2", "c3" };
	const char		*chan[3] = { "meta", "google", "email" };
	int32_t			 from[4] = { INT32_MIN, 100, 95, 120 };
	int32_t			 to[4] = { INT32_MAX, 106, 99, 130 };
	char			*cause = NULL;
	unsigned		 seed = 12345, k;
	int			 c, d, h, sc;
	size_t			 i;

	for (c = 0; c < 3; c++)
		for (d = 90; d < 125; d++)
			for (h = -1; h < 2; h++) {
				seed = seed * 1103515245 + 12345;
				if (h >= 0 && (seed >> 16) % 4 != 0)
					continue;	/* some hourly days */
				if (h == -1 && (seed >> 18) % 5 == 0)
					continue;	/* some days absent */
				r = row("acme", camp[c], d, h,
				    (int64_t)((seed >> 8) % 100000) * 1000,
				    (int64_t)((seed >> 4) % 300000) * 1000);
				snprintf(r.channel, sizeof r.channel, "%s",
				    chan[(c + d / 10) % 3]);
				for (k = 0; k < 5; k++)
					if ((seed >> (20 + k)) % 6 == 0)
						r.present &= ~MF_BIT(MF_COST +
						    (int)k);
				put(f->s, &r, 0);
			}
	for (sc = 0; sc < 4; sc++) {
		const char *ca = sc == 0 ? "c2" : NULL;
		const char *ch = sc == 1 ? "meta" : sc == 2 ? "google" : NULL;

		assert_int_equal(store_totals_multi(f->s, "acme", ca, ch, from,
		    to, 4, many, &cause), 0);
		for (i = 0; i < 4; i++) {
			assert_int_equal(store_totals_scope(f->s, "acme", ca, ch,
			    from[i], to[i], &one, &cause), 0);
			if (memcmp(&one, &many[i], sizeof one) != 0)
				fail_msg("scope %d window %zu: one pass differs "
				    "(days %lld/%lld samples %lld/%lld cost "
				    "%lld/%lld)", sc, i, (long long)one.days,
				    (long long)many[i].days,
				    (long long)one.samples,
				    (long long)many[i].samples,
				    (long long)one.cost,
				    (long long)many[i].cost);
		}
	}
	/* A sum out of range is an error, as SQLite's. */
	r = row("acme", "huge", 100, -1, INT64_MAX / 2 + 1, 0);
	put(f->s, &r, 0);
	r = row("acme", "huge", 101, -1, INT64_MAX / 2 + 1, 0);
	put(f->s, &r, 0);
	assert_int_equal(store_totals_multi(f->s, "acme", "huge", NULL, from,
	    to, 1, many, &cause), -1);
	assert_non_null(strstr(cause, "overflow"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_fresh, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_merge_by_field, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_field_origin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_odd_follows_merge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_channel_conflict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_null_aware, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_overflow, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_totals_coverage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alert_skip_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_totals_ranges, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_fields, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_savepoint_and_inputs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_last_day_channel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_foreach_campaign, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_prune, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outbox_keys_unique, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syncer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yield_to_waiter, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replay_marks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_source_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_custom_kpis, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outbox_due_except, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outbox_parts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_totals_multi, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_report_reads, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
