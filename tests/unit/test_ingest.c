/*
 * Placing times written with an offset on the client's local calendar
 * (ingest_place_local), table-driven, with the system's zones, DST days of
 * Europe/Paris and America/New_York included. And a file truncated while
 * its rows are parsed and stored (a real store and configuration).
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

#include "config.h"
#include "ingest.h"
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

/*
 * A file truncated while its rows are being parsed (the inbox's writer
 * rewrites it, an operator empties it): it was mapped, and the parser's
 * next page read killed the process with SIGBUS. Now the parse works on
 * the copy read before: the rows read are stored, nothing crashes.
 */
static void
test_file_truncated_while_parsed(void **state)
{
	char dir[] = "/tmp/test_ingest.XXXXXX", *p, *csv, *row, *tmp;
	char *cause = NULL;
	const char *victim;
	struct config *cfg;
	struct store *st;
	struct ingest_batch *b;
	struct ingest_result res;
	struct parse_options po;
	int partial, i;
	const int nrows = 3000;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xasprintf(&p, "%s/clients.d", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	xasprintf(&p, "%s/acme.token", dir);
	spit(p, "test-token-acme-0123456789abcdef\n");
	assert_int_equal(chmod(p, 0600), 0);
	free(p);
	xasprintf(&p, "%s/clients.d/acme.conf", dir);
	spit(p, "{ \"id\": \"acme\", \"name\": \"Acme\", \"currency\": "
	    "\"EUR\", \"timezone\": \"UTC\", \"minimum_roi\": \"150%\",\n"
	    "  \"token_file\": \"acme.token\", \"receivers\": [ { \"name\":"
	    " \"box\", \"type\": \"file\", \"dir\": \"mail\" } ] }\n");
	free(p);
	xasprintf(&p, "%s/roiwatchd.conf", dir);
	xasprintf(&csv, "{ \"state_dir\": \"%s\", \"listen_addr\": \"\" }\n",
	    dir);
	spit(p, csv);
	free(csv);
	if ((cfg = config_load(p, NULL, &cause)) == NULL)
		fail_msg("config_load: %s", cause);
	free(p);
	xasprintf(&p, "%s/roiwatch.db", dir);
	if ((st = store_open(p, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	free(p);

	/* About 200 KiB: dozens of pages beyond the point of truncation. */
	csv = xstrdup("client,campaign,channel,date,cost,revenue,impressions,"
	    "clicks,conversions\n");
	for (i = 0; i < nrows; i++) {
		xasprintf(&row, "acme,Campaign number %04d,search,2026-11-%02d,"
		    "100.00,250.00,10000,100,4\n", i / 30, i % 30 + 1);
		xasprintf(&tmp, "%s%s", csv, row);
		free(row);
		free(csv);
		csv = tmp;
	}
	xasprintf(&p, "%s/big.csv", dir);
	spit(p, csv);
	free(csv);

	config_file_settings(cfg, NULL, p, &po, &partial);
	memset(&res, 0, sizeof res);
	assert_non_null(b = ingest_batch_begin(st, &cause));
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
	assert_non_null(b = ingest_batch_begin(st, &cause));
	assert_int_equal(ingest_batch_add_file(b, cfg, "test", p, &po, partial,
	    &res), -1);
	assert_non_null(res.cause);
	ingest_batch_free(b);
	ingest_result_clear(&res);

	store_free(st);
	config_free(cfg);
	free(p);
	xasprintf(&p, "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_place_local),
		cmocka_unit_test(test_file_truncated_while_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
