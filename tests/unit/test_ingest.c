/*
 * Placing times written with an offset on the client's local calendar
 * (ingest_place_local), table-driven, with the system's zones, DST days of
 * Europe/Paris and America/New_York included; against a real store and
 * configuration: batches written in chunks, dry runs, and a file truncated
 * while its rows are parsed and stored.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "ingest.h"
#include "log.h"
#include "metric.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

struct place_case {
	const char	*zone;
	const char	*date;		/* as written */
	int		 hour, minute;
	int32_t		 offset;	/* seconds east of UTC, as written */
	const char	*want_date;	/* on the client's calendar */
	int		 want_hour, want_minute;
};

static const struct place_case cases[] = {
	/* The example: 23:30 in New York is the next day in Paris. */
	{ "Europe/Paris", "2026-12-01", 23, 30, -5 * 3600, "2026-12-02", 5, 30 },
	{ "America/New_York", "2026-12-01", 23, 30, -5 * 3600, "2026-12-01", 23, 30 },
	{ "UTC", "2026-12-01", 23, 30, -5 * 3600, "2026-12-02", 4, 30 },
	/* "Z" and an offset that is the client's own. */
	{ "Europe/Paris", "2026-12-01", 23, 30, 0, "2026-12-02", 0, 30 },
	{ "Europe/Paris", "2026-12-01", 23, 30, 3600, "2026-12-01", 23, 30 },
	/* Paris springs forward on 2026-03-29 at 01:00 UTC. */
	{ "Europe/Paris", "2026-03-29", 0, 59, 0, "2026-03-29", 1, 59 },
	{ "Europe/Paris", "2026-03-29", 1, 0, 0, "2026-03-29", 3, 0 },
	{ "Europe/Paris", "2026-03-28", 22, 30, 0, "2026-03-28", 23, 30 },
	{ "Europe/Paris", "2026-03-29", 22, 30, 0, "2026-03-30", 0, 30 },
	/* Paris falls back on 2026-10-25 at 01:00 UTC: 02:xx twice. */
	{ "Europe/Paris", "2026-10-25", 0, 30, 0, "2026-10-25", 2, 30 },
	{ "Europe/Paris", "2026-10-25", 1, 30, 0, "2026-10-25", 2, 30 },
	{ "Europe/Paris", "2026-10-25", 22, 59, 0, "2026-10-25", 23, 59 },
	{ "Europe/Paris", "2026-10-25", 23, 0, 0, "2026-10-26", 0, 0 },
	/* New York: 2026-03-08 07:00 UTC and 2026-11-01 06:00 UTC. */
	{ "America/New_York", "2026-03-08", 6, 59, 0, "2026-03-08", 1, 59 },
	{ "America/New_York", "2026-03-08", 7, 0, 0, "2026-03-08", 3, 0 },
	{ "America/New_York", "2026-03-08", 4, 59, 0, "2026-03-07", 23, 59 },
	{ "America/New_York", "2026-11-01", 5, 30, 0, "2026-11-01", 1, 30 },
	{ "America/New_York", "2026-11-01", 6, 30, 0, "2026-11-01", 1, 30 },
	{ "America/New_York", "2026-11-02", 4, 59, 0, "2026-11-01", 23, 59 },
	{ "America/New_York", "2026-11-02", 5, 0, 0, "2026-11-02", 0, 0 },
	/* Half-hour zones: 23:45 at +09:30 is 19:45 at +05:30; 23:45 UTC is
	 * 05:15 the next day there. */
	{ "Asia/Kolkata", "2026-12-01", 23, 45, 9 * 3600 + 1800, "2026-12-01", 19, 45 },
	{ "Asia/Kolkata", "2026-12-01", 23, 45, 0, "2026-12-02", 5, 15 },
};

static void
test_place_local(void **state)
{
	struct metric_row r;
	struct tz	*tz;
	char		*cause = NULL, got[11];
	int32_t		 day, want;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if ((tz = tz_load(cases[i].zone, &cause)) == NULL)
			fail_msg("%s (install tzdata)", cause);
		memset(&r, 0, sizeof r);
		assert_int_equal(metric_parse_iso_date(cases[i].date, 10, &day),
		    0);
		assert_int_equal(metric_parse_iso_date(cases[i].want_date, 10,
		    &want), 0);
		r.day = day;
		r.hour = (int8_t)cases[i].hour;
		r.minute = (int8_t)cases[i].minute;
		r.utc_offset = cases[i].offset;
		r.has_offset = 1;
		ingest_place_local(&r, tz);
		metric_format_date(r.day, got);
		if (r.day != want || r.hour != cases[i].want_hour)
			fail_msg("case %zu: %s %s %02d:%02d (offset %d) -> %s "
			    "%02d, want %s %02d", i, cases[i].zone,
			    cases[i].date, cases[i].hour, cases[i].minute,
			    (int)cases[i].offset, got, r.hour,
			    cases[i].want_date, cases[i].want_hour);
		assert_int_equal(r.has_offset, 0);
		assert_int_equal(r.minute, cases[i].want_minute);
		tz_free(tz);
	}
}

/* n rows of client b over 10 campaigns; row `bad` (1-based, 0: none) has a
 * cost that is not a number; the last row repeats the first one's key. */
static char *
rows_csv(int n, int bad, size_t *len)
{
	char	*buf, *p;
	size_t	 cap = (size_t)n * 64 + 128;
	int	 i;

	p = buf = xmalloc(cap);
	p += sprintf(p, "client,campaign,date,cost,revenue\n");
	for (i = 1; i < n; i++)
		p += sprintf(p, "b,c%d,2026-01-%02d,%s,3\n", i % 10,
		    1 + i / 10 % 28, i == bad ? "x" : "1");
	p += sprintf(p, "b,c1,2026-01-01,5,7\n");	/* row n: adds up */
	*len = (size_t)(p - buf);
	return buf;
}

static int64_t
cost_of(const char *campaign)
{
	struct kpi_totals t;
	char *cause = NULL;

	if (store_totals(store, "b", campaign, INT32_MIN, INT32_MAX, &t,
	    &cause) != 0)
		fail_msg("totals: %s", cause);
	return t.cost;
}

/*
 * Committed every 256 rows (a chunk of 1 us): the same figures as one
 * transaction, rows of one key adding up across chunks (one input).
 */
static void
test_chunked(void **state)
{
	struct parse_options po;
	struct ingest_result res;
	struct ingest_batch *b;
	char *buf, *cause = NULL;
	size_t len;

	(void)state;
	memset(&po, 0, sizeof po);
	po.format = PARSE_CSV;
	buf = rows_csv(3000, 0, &len);
	memset(&res, 0, sizeof res);
	assert_non_null(b = ingest_batch_begin(store, &cause));
	ingest_batch_set_chunk(b, 1);
	if (ingest_batch_add(b, cfg, "test", buf, len, &po, NULL, 0,
	    &res) != 0)
		fail_msg("add: %s", res.cause);
	assert_int_equal(ingest_batch_commit(b, &cause), 0);
	assert_int_equal(res.rows_accepted, 3000);
	assert_true(res.rows_committed >= 2560);	/* ten chunks at least */
	ingest_batch_free(b);
	ingest_result_clear(&res);
	/* c1: rows 1, 11, ..., 2991 (300 of cost 1) and the last (5) */
	assert_int_equal(cost_of("c1"), 305 * 1000000LL);
	assert_int_equal(cost_of("c2"), 300 * 1000000LL);
	free(buf);
}

/*
 * A dry run refuses a strict input with a bad row and writes nothing; written
 * in chunks without one, the rows of the chunks before the bad row stay and
 * the report says so (this is why `roiwatch ingest` runs dry first).
 */
static void
test_dry_run_and_chunk_failure(void **state)
{
	struct parse_options po;
	struct ingest_result res;
	struct ingest_batch *b;
	char *buf, *cause = NULL, *report;
	int64_t before = store_count_metrics(store);
	size_t len;

	(void)state;
	memset(&po, 0, sizeof po);
	po.format = PARSE_CSV;
	buf = rows_csv(3000, 2000, &len);
	memset(&res, 0, sizeof res);
	b = ingest_batch_dry();
	assert_int_equal(ingest_batch_add(b, cfg, "test", buf, len, &po, NULL,
	    0, &res), -1);
	assert_non_null(strstr(res.cause, "row 2000"));
	assert_int_equal(res.rows_committed, 0);
	assert_int_equal(ingest_batch_commit(b, &cause), -1);
	free(cause);
	cause = NULL;
	ingest_batch_free(b);
	ingest_result_clear(&res);
	assert_int_equal(store_count_metrics(store), before);

	/* Other campaign names, so new samples show. */
	for (char *p = strchr(buf, '\n'); (p = strstr(p, ",c")) != NULL; p++)
		p[1] = 'k';
	assert_non_null(b = ingest_batch_begin(store, &cause));
	ingest_batch_set_chunk(b, 1);
	assert_int_equal(ingest_batch_add(b, cfg, "test", buf, len, &po, NULL,
	    0, &res), -1);
	if (res.rows_committed < 1792)			/* 7 chunks of 256 */
		fail_msg("%ld rows committed", res.rows_committed);
	assert_true(res.rows_committed < 2000);
	assert_int_equal(res.rows_accepted, res.rows_committed);
	report = ingest_result_report(&res, "test");
	assert_non_null(strstr(report, "committed in chunks"));
	free(report);
	ingest_batch_free(b);
	{
		/* exactly the committed rows are stored: cost 1 each */
		int64_t sum = 0;
		char name[8];
		int i;

		for (i = 0; i < 10; i++) {
			snprintf(name, sizeof name, "k%d", i);
			sum += cost_of(name);
		}
		assert_int_equal(sum, res.rows_committed * 1000000LL);
	}
	ingest_result_clear(&res);
	free(buf);
}

static void
spit(const char *path, const char *text)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Progress callback: the first call truncates the file being ingested. */
static void
truncate_cb(void *arg, long rows)
{
	const char **path = arg;

	(void)rows;
	if (*path != NULL) {
		assert_int_equal(truncate(*path, 0), 0);
		*path = NULL;
	}
}

/* Counts the calls between chunks; says stop at call `stop_at`. */
struct yield_count {
	int	calls;
	int	stop_at;	/* 0: never */
	int	held;		/* a transaction was open during a call */
};

static int
yield_cb(void *arg)
{
	struct yield_count *y = arg;

	y->calls++;
	if (store_txn_open(store))
		y->held = 1;
	return y->stop_at != 0 && y->calls >= y->stop_at ? -1 : 0;
}

/*
 * The yield callback runs between chunks with no transaction open, in a dry
 * run as well; -1 from it stops the input: the chunks before stay, nothing
 * after, and the result says to try again (res.retry).
 */
static void
test_yield_between_chunks(void **state)
{
	struct parse_options po;
	struct ingest_result res;
	struct ingest_batch *b;
	struct yield_count y;
	char *buf, *cause = NULL;
	int64_t sum = 0;
	char name[8];
	size_t len;
	int i;

	(void)state;
	memset(&po, 0, sizeof po);
	po.format = PARSE_CSV;
	buf = rows_csv(3000, 0, &len);
	/* Other campaign names, so new samples show. */
	for (char *p = strchr(buf, '\n'); (p = strstr(p, ",c")) != NULL; p++)
		p[1] = 'y';

	memset(&y, 0, sizeof y);
	memset(&res, 0, sizeof res);
	b = ingest_batch_dry();
	ingest_batch_set_chunk(b, 1);
	ingest_batch_set_yield(b, yield_cb, &y);
	assert_int_equal(ingest_batch_add(b, cfg, "test", buf, len, &po, NULL,
	    0, &res), 0);
	assert_true(y.calls >= 10);		/* every 256 rows */
	assert_int_equal(res.rows_accepted, 3000);
	ingest_batch_free(b);
	ingest_result_clear(&res);

	memset(&y, 0, sizeof y);
	y.stop_at = 2;
	b = ingest_batch_dry();
	ingest_batch_set_chunk(b, 1);
	ingest_batch_set_yield(b, yield_cb, &y);
	assert_int_equal(ingest_batch_add(b, cfg, "test", buf, len, &po, NULL,
	    0, &res), -1);
	assert_int_equal(y.calls, 2);
	assert_true(res.retry);
	assert_non_null(strstr(res.cause, "stopped"));
	ingest_batch_free(b);
	ingest_result_clear(&res);

	memset(&y, 0, sizeof y);
	y.stop_at = 3;
	assert_non_null(b = ingest_batch_begin(store, &cause));
	ingest_batch_set_chunk(b, 1);
	ingest_batch_set_yield(b, yield_cb, &y);
	assert_int_equal(ingest_batch_add(b, cfg, "test", buf, len, &po, NULL,
	    0, &res), -1);
	assert_int_equal(y.calls, 3);
	assert_false(y.held);
	assert_true(res.retry);
	assert_false(res.store_failed);
	assert_int_equal(res.rows_committed, 3 * 256);
	assert_int_equal(res.rows_accepted, res.rows_committed);
	ingest_batch_free(b);
	assert_false(store_txn_open(store));
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "y%d", i);
		sum += cost_of(name);
	}
	assert_int_equal(sum, res.rows_committed * 1000000LL);
	ingest_result_clear(&res);
	free(buf);
}

/*
 * A file truncated while its rows are being parsed (the inbox's writer
 * rewrites it, an operator empties it): it was mapped, and the parser's
 * next page read killed the process with SIGBUS. Now the parse works on
 * the copy read before: the rows read are stored, nothing crashes.
 */
static void
test_file_truncated_while_parsed(void **state)
{
	char *p, *csv, *row, *tmp, *cause = NULL;
	const char *victim;
	struct ingest_batch *b;
	struct ingest_result res;
	struct parse_options po;
	int partial, i;
	const int nrows = 3000;

	(void)state;
	/* About 200 KiB: dozens of pages beyond the point of truncation. */
	csv = xstrdup("client,campaign,channel,date,cost,revenue,impressions,"
	    "clicks,conversions\n");
	for (i = 0; i < nrows; i++) {
		xasprintf(&row, "b,Campaign number %04d,search,2026-11-%02d,"
		    "100.00,250.00,10000,100,4\n", i / 30, i % 30 + 1);
		xasprintf(&tmp, "%s%s", csv, row);
		free(row);
		free(csv);
		csv = tmp;
	}
	xasprintf(&p, "%s/big.csv", tmpdir);
	spit(p, csv);
	free(csv);

	config_file_settings(cfg, NULL, p, &po, &partial);
	memset(&res, 0, sizeof res);
	assert_non_null(b = ingest_batch_begin(store, &cause));
	victim = p;
	ingest_batch_set_progress(b, truncate_cb, &victim, 100);
	assert_int_equal(ingest_batch_add_file(b, cfg, "test", p, &po, partial,
	    &res), 0);
	assert_null(victim);	/* truncated after row 100 */
	assert_int_equal(res.rows_accepted, nrows);
	assert_int_equal(res.rows_rejected, 0);
	assert_int_equal(ingest_batch_commit(b, &cause), 0);
	ingest_batch_free(b);
	ingest_result_clear(&res);

	/* What is left of it (nothing) is a file of no rows, refused with
	 * its reason, not a crash. */
	assert_non_null(b = ingest_batch_begin(store, &cause));
	assert_int_equal(ingest_batch_add_file(b, cfg, "test", p, &po, partial,
	    &res), -1);
	assert_non_null(res.cause);
	ingest_batch_free(b);
	ingest_result_clear(&res);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_place_local),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_dry_run_and_chunk_failure),
		cmocka_unit_test(test_file_truncated_while_parsed),
		cmocka_unit_test(test_yield_between_chunks),
	};

	log_init(0, "test_ingest");
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
