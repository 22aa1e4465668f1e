/*
 * Tests of input parsing: one test per quirk of real exports, the presets,
 * JSON and NDJSON, and hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric.h"
#include "parse.h"
#include "xmalloc.h"

#define MAXROWS	16
#define MAXERRS	16

struct got {
	struct metric_row	rows[MAXROWS];
	/* custom KPI names only live during the callback: copied here */
	char			cnames[MAXROWS][METRIC_CUSTOM_MAX]
				    [METRIC_CUSTOM_NAME_MAX];
	long			rownum[MAXROWS];
	int			nrows;
	struct parse_error	errs[MAXERRS];
	int			nerrs;
	int			rc;
	int			abort_on_error;
};

static int
got_row(void *arg, const struct metric_row *r, long row)
{
	struct got *g = arg;

	unsigned i;

	if (g->nrows < MAXROWS) {
		g->rows[g->nrows] = *r;
		g->rownum[g->nrows] = row;
		for (i = 0; i < r->ncustom && i < METRIC_CUSTOM_MAX; i++) {
			snprintf(g->cnames[g->nrows][i],
			    sizeof g->cnames[g->nrows][i], "%s",
			    r->custom[i].name);
			g->rows[g->nrows].custom[i].name = g->cnames[g->nrows][i];
		}
	}
	g->nrows++;
	return 0;
}

static int
got_error(void *arg, const struct parse_error *e)
{
	struct got *g = arg;

	if (g->nerrs < MAXERRS)
		g->errs[g->nerrs] = *e;
	g->nerrs++;
	return g->abort_on_error ? -1 : 0;
}

static void
run(const char *buf, size_t len, const struct parse_options *o, struct got *g)
{
	struct parse_sink sink;

	memset(g, 0, sizeof *g);
	sink.row = got_row;
	sink.error = got_error;
	sink.arg = g;
	g->rc = parse_input(buf, len, o, &sink);
}

#define RUN(lit, o, g)	run((lit), sizeof(lit) - 1, (o), (g))

static int32_t
day(int y, unsigned m, unsigned d)
{
	return metric_days_from_civil(y, m, d);
}

static void
opts_init(struct parse_options *o)
{
	memset(o, 0, sizeof *o);
}

static void
assert_clean(const struct got *g, int nrows)
{
	if (g->nerrs > 0)
		print_error("unexpected error: row %ld column \"%s\": %s\n",
		    g->errs[0].row, g->errs[0].column, g->errs[0].reason);
	assert_int_equal(g->nerrs, 0);
	assert_int_equal(g->rc, 0);
	assert_int_equal(g->nrows, nrows);
}

#define HDR	"client,campaign,channel,date,cost,revenue,impressions,clicks," \
		"conversions\n"

static void
test_basic(void **state)
{
	struct parse_options o;
	struct got g;
	const struct metric_row *r;

	(void)state;
	opts_init(&o);
	RUN(HDR "acme,Spring Sale,Email,2026-01-05,25750.00,87000,1000,50,3\n"
	    "acme,Spring Sale,email,2026-01-06,0.1,19.99,0,0,0\n", &o, &g);
	assert_clean(&g, 2);
	r = &g.rows[0];
	assert_string_equal(r->client, "acme");
	assert_string_equal(r->campaign, "Spring Sale");
	assert_string_equal(r->channel, "email");
	assert_int_equal(r->day, day(2026, 1, 5));
	assert_int_equal(r->hour, -1);
	assert_int_equal(r->cost, 25750000000LL);
	assert_int_equal(r->revenue, 87000000000LL);
	assert_int_equal(r->impressions, 1000);
	assert_int_equal(r->clicks, 50);
	assert_int_equal(r->conversions, 3);
	assert_int_equal(r->present, (1u << MF__MAX) - 1);
	assert_int_equal(g.rownum[1], 2);
	assert_int_equal(g.rows[1].cost, 100000);
	assert_int_equal(g.rows[1].revenue, 19990000);
}

static void
test_bom(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("\xef\xbb\xbf" "client,campaign,date,cost\nacme,c,2026-01-05,1\n",
	    &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].cost, 1000000);
}

static void
test_crlf(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,cost\r\nacme,c,2026-01-05,1\r\n"
	    "acme,d,2026-01-05,2\r\n", &o, &g);
	assert_clean(&g, 2);
	assert_string_equal(g.rows[1].campaign, "d");
	assert_int_equal(g.rows[1].cost, 2000000);
}

static void
test_no_final_newline(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,clicks\nacme,c,2026-01-05,7", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].clicks, 7);
}

static void
test_semicolon_decimal_comma(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.decimal = ',';
	o.thousands = '.';
	RUN("client;campaign;date;cost;revenue;impressions\n"
	    "acme;c;2026-01-05;1.234,56;0,1;12.345\n", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].cost, 1234560000LL);
	assert_int_equal(g.rows[0].revenue, 100000);
	assert_int_equal(g.rows[0].impressions, 12345);
}

static void
test_tab(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client\tcampaign\tdate\tcost\nacme\tA, B\t2026-01-05\t3.5\n", &o,
	    &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].campaign, "A, B");
	assert_int_equal(g.rows[0].cost, 3500000);
}

static void
test_quoted_fields_and_headers(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("\"Client\",\"Campaign name\",\"Day\",\"Amount spent (EUR)\"\n"
	    "acme,\"Sale, \"\"big\"\" one\",2026-01-05,\"1,234.50\"\n", &o, &g);
	/* "1,234.50" without a declared thousands separator is refused */
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_string_equal(g.errs[0].column, "Amount spent (EUR)");
	assert_int_equal(g.errs[0].row, 1);

	o.thousands = ',';
	RUN("\"Client\",\"Campaign name\",\"Day\",\"Amount spent (EUR)\"\n"
	    "acme,\"Sale, \"\"big\"\" one\",2026-01-05,\"1,234.50\"\n", &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].campaign, "Sale, \"big\" one");
	assert_int_equal(g.rows[0].cost, 1234500000LL);
}

static void
test_quoted_newline(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,notes,cost\n"
	    "acme,c,2026-01-05,\"two\nlines\",1\n"
	    "acme,d,2026-01-05,x,bad\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 2);
	assert_int_equal(g.errs[0].line, 4);
	assert_string_equal(g.errs[0].column, "cost");
	/* a newline inside a campaign name is a control character */
	RUN("client,campaign,date\nacme,\"a\nb\",2026-01-05\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_string_equal(g.errs[0].column, "campaign");
}

static void
test_iso_8859_1(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.encoding = "iso-8859-1";
	RUN("client;campaign;date\nacme;Soir\xe9" "e d'\xe9t\xe9;2026-01-05\n",
	    &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].campaign,
	    "Soir\xc3\xa9" "e d'\xc3\xa9t\xc3\xa9");
	/* the same bytes read as UTF-8 are an error naming the row */
	o.encoding = NULL;
	RUN("client;campaign;date\nacme;Soir\xe9" "e;2026-01-05\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 1);
	assert_non_null(strstr(g.errs[0].reason, "UTF-8"));
}

static void
test_windows_1252(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.encoding = "windows-1252";
	o.decimal = ',';
	RUN("client;campaign;date;cost\n"
	    "acme;\x93" "Promo\x94 \x80;2026-01-05;12,50 \x80\n", &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].campaign,
	    "\xe2\x80\x9cPromo\xe2\x80\x9d \xe2\x82\xac");
	assert_int_equal(g.rows[0].cost, 12500000);
	/* 0x81 is undefined in windows-1252: a C1 control, refused */
	RUN("client;campaign;date\nacme;a\x81;2026-01-05\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
}

static void
test_thousands_comma(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.thousands = ',';
	RUN("client,campaign,date,cost,clicks\n"
	    "acme,c,2026-01-05,\"1,234,567.89\",\"1,234\"\n"
	    "acme,c,2026-01-06,\"12,34.5\",1\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.rows[0].cost, 1234567890000LL);
	assert_int_equal(g.rows[0].clicks, 1234);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 2);
	/* without a declared separator, a grouped count is refused */
	o.thousands = 0;
	RUN("client,campaign,date,clicks\nacme,c,2026-01-05,\"1,234\"\n", &o,
	    &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_string_equal(g.errs[0].column, "clicks");
}

static void
test_currency_and_spaces(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.decimal = ',';
	o.thousands = ' ';
	RUN("client;campaign;date;cost;revenue\n"
	    "acme;c;2026-01-05; \xe2\x82\xac 1\xe2\x80\xaf" "234,50 ;12,00 \xe2\x82\xac\n"
	    "acme;c;2026-01-06;1\xc2\xa0" "000 \xc2\xa3;\xc2\xa3" "3\n"
	    "acme;c;2026-01-07;USD5;USD 7\n"
	    "acme;c;2026-01-08;-\xe2\x82\xac" "5;1\n"
	    "acme;c;2026-01-09;1;-\xe2\x82\xac" "5\n", &o, &g);
	assert_int_equal(g.nrows, 4);
	assert_int_equal(g.rows[0].cost, 1234500000LL);
	assert_int_equal(g.rows[0].revenue, 12000000);
	assert_int_equal(g.rows[1].cost, 1000000000LL);
	assert_int_equal(g.rows[1].revenue, 3000000);
	assert_int_equal(g.rows[2].cost, 5000000);
	assert_int_equal(g.rows[2].revenue, 7000000);
	assert_int_equal(g.rows[3].revenue, -5000000);
	/* markers are recorded, not stripped silently */
	assert_string_equal(g.rows[0].currency, "\xe2\x82\xac");
	assert_string_equal(g.rows[1].currency, "\xc2\xa3");
	assert_string_equal(g.rows[2].currency, "USD");
	assert_string_equal(g.rows[3].currency, "\xe2\x82\xac");
	/* negative cost is an error */
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 4);
	assert_non_null(strstr(g.errs[0].reason, "negative"));
}

static void
test_percent_refused(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,clicks,cost\nacme,c,2026-01-05,5%,1\n"
	    "acme,c,2026-01-05,5,1%\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 2);
	assert_non_null(strstr(g.errs[0].reason, "percent"));
	assert_non_null(strstr(g.errs[1].reason, "percent"));
}

static void
test_missing_not_zero(void **state)
{
	struct parse_options o;
	struct got g;
	const struct metric_row *r;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,cost,revenue,impressions,clicks,conversions\n"
	    "acme,c,2026-01-05,NA,,N/A,-,n/a\n"
	    "acme,c,2026-01-06,0,0,0,0,0\n", &o, &g);
	assert_clean(&g, 2);
	r = &g.rows[0];
	assert_int_equal(r->present, MF_REQUIRED);
	assert_int_equal(r->cost, 0);
	r = &g.rows[1];
	assert_true(r->present & MF_BIT(MF_COST));
	assert_true(r->present & MF_BIT(MF_CONVERSIONS));
}

static void
test_counts(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,clicks\nacme,c,2026-01-05,12.0\n"
	    "acme,c,2026-01-05,12.5\nacme,c,2026-01-05,-3\n"
	    "acme,c,2026-01-05,abc\n"
	    "acme,c,2026-01-05,99999999999999999999\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.rows[0].clicks, 12);
	assert_int_equal(g.nerrs, 4);
	assert_non_null(strstr(g.errs[0].reason, "fractional"));
	assert_non_null(strstr(g.errs[1].reason, "negative"));
}

static void
test_trailing_unnamed_columns(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,cost,,\nacme,c,2026-01-05,1,,\n"
	    "acme,d,2026-01-05,2\nacme,e,2026-01-05,3,,,,\n"
	    "acme,f,2026-01-05,4,,,x\n", &o, &g);
	assert_int_equal(g.nrows, 3);
	assert_int_equal(g.rows[1].cost, 2000000);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 4);
	/* a short row is an error, not zeros */
	RUN("client,campaign,date,cost\nacme,c,2026-01-05\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
}

static void
test_date_formats(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.date_format = "%d/%m/%Y";
	RUN("client,campaign,date\nacme,c,05/01/2026\nacme,c,5/1/2026\n", &o,
	    &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].day, day(2026, 1, 5));
	assert_int_equal(g.rows[1].day, day(2026, 1, 5));

	o.date_format = "%d.%m.%Y";
	RUN("client;campaign;date\nacme;c;29.02.2024\n", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].day, day(2024, 2, 29));

	o.date_format = "%d %b %Y %H:%M";
	RUN("client,campaign,date\nacme,c,07 Mar 2026 14:30\n", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].day, day(2026, 3, 7));
	assert_int_equal(g.rows[0].hour, 14);
}

static void
test_date_mismatch(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.date_format = "%d/%m/%Y";
	RUN("client,campaign,date\nacme,c,05/01/2026\nacme,c,2026-01-05\n"
	    "acme,c,31/02/2026\nacme,c,05/01/2026x\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.nerrs, 3);
	assert_int_equal(g.errs[0].row, 2);
	assert_int_equal(g.errs[0].line, 3);
	assert_string_equal(g.errs[0].column, "date");
	assert_non_null(strstr(g.errs[0].reason, "2026-01-05"));
	assert_int_equal(g.errs[1].row, 3);
	assert_int_equal(g.errs[2].row, 4);

	/* default format: ISO only, no guessing of 05/01/2026 */
	o.date_format = NULL;
	RUN("client,campaign,date\nacme,c,05/01/2026\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_string_equal(g.errs[0].column, "date");

	/* an unsupported directive is refused as a whole */
	o.date_format = "%d/%m/%y";
	RUN("client,campaign,date\nacme,c,05/01/26\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.errs[0].row, 0);
}

static void
test_iso_datetime_hour(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date\nacme,c,2026-01-05T13:00:00Z\n"
	    "acme,c,2026-01-05 09:15\nacme,c,2026-01-05T25:00\n"
	    "acme,c,2026-01-05T10:00:00.123+01:00\n", &o, &g);
	assert_int_equal(g.nrows, 3);
	assert_int_equal(g.rows[0].hour, 13);
	assert_int_equal(g.rows[1].hour, 9);
	assert_int_equal(g.rows[2].hour, 10);
	assert_int_equal(g.rows[2].day, day(2026, 1, 5));
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 3);
}

static void
test_meta_preset(void **state)
{
	struct parse_options o;
	struct got g;
	const struct metric_row *r;

	(void)state;
	opts_init(&o);
	o.preset = "meta_ads";
	o.fixed_client = "acme";
	RUN("\"Campaign name\",\"Ad set budget\",\"Reporting starts\","
	    "\"Reporting ends\",\"Amount spent (EUR)\",Impressions,Reach,"
	    "\"Link clicks\",Results,\"Result indicator\","
	    "\"Purchases conversion value\",\"Cost per result\"\n"
	    "\"Winter | Prospecting\",\"Using ad set budget\",2026-01-05,"
	    "2026-01-05,123.45,10234,8000,321,12,"
	    "actions:offsite_conversion.fb_pixel_purchase,987.60,10.29\n"
	    "Retargeting,50,2026-01-05,2026-01-05,0,0,0,,,,,\n", &o, &g);
	assert_clean(&g, 2);
	r = &g.rows[0];
	assert_string_equal(r->client, "acme");
	assert_string_equal(r->campaign, "Winter | Prospecting");
	assert_string_equal(r->channel, "facebook");
	assert_int_equal(r->cost, 123450000);
	assert_int_equal(r->revenue, 987600000);
	assert_int_equal(r->impressions, 10234);
	assert_int_equal(r->clicks, 321);
	assert_int_equal(r->conversions, 12);
	r = &g.rows[1];
	assert_false(r->present & MF_BIT(MF_CLICKS));
	assert_false(r->present & MF_BIT(MF_REVENUE));
	assert_true(r->present & MF_BIT(MF_IMPRESSIONS));

	/* without a fixed client the file lacks a required column */
	o.fixed_client = NULL;
	RUN("Campaign name,Day,Amount spent (EUR)\nx,2026-01-05,1\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.errs[0].row, 0);
	assert_string_equal(g.errs[0].column, "client");
}

static void
test_google_preset(void **state)
{
	struct parse_options o;
	struct got g;
	const struct metric_row *r;

	(void)state;
	opts_init(&o);
	o.preset = "google_ads";
	o.fixed_client = "acme";
	o.thousands = ',';
	RUN("Campaign performance report\n"
	    "\"January 5, 2026 - January 6, 2026\"\n"
	    "Campaign,Campaign state,Day,Currency code,Cost,Impr.,Clicks,"
	    "Conversions,Conv. value\n"
	    "Brand Search,Enabled,2026-01-05,EUR,\"1,234.56\",\"10,000\",456,"
	    "12.00,\"2,500.00\"\n"
	    "Generic,Paused,2026-01-06,EUR,0.00,0,0,0.00,0.00\n"
	    "Total: Account,--,--,EUR,\"1,234.56\",\"10,000\",456,12.00,"
	    "\"2,500.00\"\n"
	    "Total: Search,--,--,EUR,\"1,234.56\",\"10,000\",456,12.00,"
	    "\"2,500.00\"\n", &o, &g);
	assert_clean(&g, 2);
	r = &g.rows[0];
	assert_string_equal(r->campaign, "Brand Search");
	assert_string_equal(r->channel, "google_ads");
	assert_int_equal(r->cost, 1234560000LL);
	assert_int_equal(r->impressions, 10000);
	assert_int_equal(r->clicks, 456);
	assert_int_equal(r->conversions, 12);
	assert_int_equal(r->revenue, 2500000000LL);
	assert_int_equal(g.rownum[1], 2);
}

static void
test_summed_columns(void **state)
{
	static const struct parse_column_map map[] = {
		{ "Leads value", MF_REVENUE },
		{ "Shop value", MF_REVENUE },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.columns = map;
	o.ncolumns = 2;
	RUN("client,campaign,date,revenue,leads value,SHOP VALUE\n"
	    "acme,c,2026-01-05,1.50,2.25,NA\n"
	    "acme,c,2026-01-06,NA,,\n", &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].revenue, 3750000);
	assert_true(g.rows[0].present & MF_BIT(MF_REVENUE));
	assert_false(g.rows[1].present & MF_BIT(MF_REVENUE));
	/* preset synonyms are alternatives, not added: cost wins over spend */
	o.columns = NULL;
	o.ncolumns = 0;
	RUN("client,campaign,date,spend,cost\nacme,c,2026-01-05,5,7\n", &o,
	    &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].cost, 7000000);
	/* two currencies for one field are refused */
	RUN("client,campaign,date,Cost (EUR),Cost (USD)\n"
	    "acme,c,2026-01-05,5,7\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.errs[0].row, 0);
}

static void
test_fixed_client_channel(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.fixed_client = "acme";
	o.fixed_channel = "SMS";
	RUN("client,campaign,channel,date\nOTHER CLIENT,c,email,2026-01-05\n",
	    &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].client, "acme");
	assert_string_equal(g.rows[0].channel, "sms");
	/* the client column may be absent altogether */
	RUN("campaign,date\nc,2026-01-05\n", &o, &g);
	assert_clean(&g, 1);
}

static void
test_client_id_chars(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date\nAcme,c,2026-01-05\nac me,c,2026-01-05\n"
	    "ac/me,c,2026-01-05\nacme-1.x_y,c,2026-01-05\n,c,2026-01-05\n",
	    &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_string_equal(g.rows[0].client, "acme-1.x_y");
	assert_int_equal(g.nerrs, 4);
	assert_string_equal(g.errs[0].column, "client");
	assert_int_equal(g.errs[3].row, 5);
	assert_non_null(strstr(g.errs[3].reason, "missing client"));
}

static void
test_missing_required_column(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,cost\nacme,c,1\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 0);
	assert_string_equal(g.errs[0].column, "date");
}

static void
test_long_strings(void **state)
{
	struct parse_options o;
	struct got g;
	char	buf[1024];
	char	name[METRIC_CAMPAIGN_MAX + 1];

	(void)state;
	opts_init(&o);
	memset(name, 'x', sizeof name - 1);
	name[METRIC_CAMPAIGN_MAX - 1] = '\0';	/* exactly MAX-1 bytes: fits */
	snprintf(buf, sizeof buf, "client,campaign,date\nacme,%s,2026-01-05\n"
	    "acme,%sx,2026-01-05\n", name, name);
	run(buf, strlen(buf), &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(strlen(g.rows[0].campaign), METRIC_CAMPAIGN_MAX - 1);
	assert_int_equal(g.nerrs, 1);
	assert_non_null(strstr(g.errs[0].reason, "too long"));
}

static void
test_max_rows(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.max_rows = 2;
	RUN("client,campaign,date\nacme,a,2026-01-05\nacme,b,2026-01-05\n"
	    "acme,c,2026-01-05\nacme,d,2026-01-05\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 2);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 3);
	o.max_rows = 4;
	RUN("client,campaign,date\nacme,a,2026-01-05\nacme,b,2026-01-05\n"
	    "acme,c,2026-01-05\nacme,d,2026-01-05\n", &o, &g);
	assert_clean(&g, 4);
}

static void
test_json_object(void **state)
{
	struct parse_options o;
	struct got g;
	const struct metric_row *r;

	(void)state;
	opts_init(&o);
	o.format = PARSE_JSON;
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"channel\":\"Email\","
	    "\"date\":\"2026-01-05\",\"cost\":19.99,\"revenue\":\"0.1\","
	    "\"clicks\":12,\"impressions\":null,\"extra\":{\"a\":[1,2]}}",
	    &o, &g);
	assert_clean(&g, 1);
	r = &g.rows[0];
	assert_int_equal(r->cost, 19990000);
	assert_int_equal(r->revenue, 100000);
	assert_int_equal(r->clicks, 12);
	assert_string_equal(r->channel, "email");
	assert_false(r->present & MF_BIT(MF_IMPRESSIONS));
	/* auto detection */
	o.format = PARSE_AUTO;
	RUN("  {\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\"}",
	    &o, &g);
	assert_clean(&g, 1);
}

/* Objects of one document with the same keys reuse their resolution; a
 * different key set, same count, must be resolved afresh. */
static void
test_json_key_changes(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("[{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\","
	    "\"cost\":\"1.5\"},"
	    "{\"client\":\"acme\",\"campaign\":\"b\",\"date\":\"2026-01-05\","
	    "\"cost\":\"2.5\"},"
	    "{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"revenue\":\"7\"},"
	    "{\"client\":\"acme\",\"date\":\"2026-01-05\",\"campaign\":\"d\","
	    "\"clicks\":9}]", &o, &g);
	assert_clean(&g, 4);
	assert_int_equal(g.rows[0].cost, 1500000);
	assert_int_equal(g.rows[1].cost, 2500000);
	assert_false(g.rows[2].present & MF_BIT(MF_COST));
	assert_int_equal(g.rows[2].revenue, 7000000);
	assert_string_equal(g.rows[3].campaign, "d");
	assert_int_equal(g.rows[3].clicks, 9);
	assert_false(g.rows[3].present & MF_BIT(MF_REVENUE));

	o.format = PARSE_NDJSON;
	RUN("{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\","
	    "\"cost\":1}\n"
	    "{\"client\":\"acme\",\"campaign\":\"b\",\"date\":\"2026-01-05\","
	    "\"revenue\":2}\n", &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].cost, 1000000);
	assert_int_equal(g.rows[1].revenue, 2000000);
	assert_false(g.rows[1].present & MF_BIT(MF_COST));
}

/* The streaming JSON reader: rows carry their line, escapes decode to UTF-8,
 * broken escapes and nesting are refused. */
static void
test_json_lines_and_escapes(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.format = PARSE_JSON;
	RUN("{\"metrics\": [\n"
	    "  {\"client\":\"acme\",\"campaign\":\"caf\\u00e9 \\ud83d\\ude00\","
	    "\"date\":\"2026-01-05\",\"cost\":1},\n"
	    "  {\"client\":\"acme\",\"campaign\":\"b\",\"date\":\"2026-01-05\","
	    "\"cost\":[1]}\n]}", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_string_equal(g.rows[0].campaign, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 2);
	assert_int_equal(g.errs[0].line, 3);
	assert_string_equal(g.errs[0].column, "cost");

	RUN("[{\"client\":\"acme\",\"campaign\":\"\\ud83d\",\"date\":\"2026-01-05\"}]",
	    &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
	RUN("[{\"client\":\"acme\",\"campaign\":\"a\\q\",\"date\":\"2026-01-05\"}]",
	    &o, &g);
	assert_int_equal(g.rc, -1);
	RUN("[{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]", &o, &g);
	assert_int_equal(g.rc, -1);
	RUN("[{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\","
	    "\"cost\":1.5e2}]", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	RUN("[{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\"},]",
	    &o, &g);
	assert_int_equal(g.rc, -1);
}

static void
test_json_array_and_envelope(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("[{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\"},"
	    "{\"client\":\"acme\",\"campaign\":\"b\",\"date\":\"2026-01-05\","
	    "\"cost\":-1},\n 5, {\"client\":\"acme\",\"campaign\":\"c\","
	    "\"date\":\"2026-01-05\",\"cost\":true}]", &o, &g);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.nerrs, 3);
	assert_int_equal(g.errs[0].row, 2);
	assert_string_equal(g.errs[0].column, "cost");
	assert_int_equal(g.errs[1].row, 3);
	assert_int_equal(g.errs[2].row, 4);

	RUN("{\"metrics\":[{\"client\":\"acme\",\"campaign\":\"a\","
	    "\"date\":\"2026-01-05\",\"conversions\":3.0},"
	    "{\"client\":\"acme\",\"campaign\":\"b\",\"date\":\"2026-01-06\"}]}",
	    &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].conversions, 3);
	assert_string_equal(g.rows[1].campaign, "b");

	RUN("{\"metrics\":[]}", &o, &g);
	assert_clean(&g, 0);
	RUN("{\"metrics\":{}}", &o, &g);
	assert_int_equal(g.rc, -1);
}

static void
test_ndjson(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\"}\n"
	    "\n"
	    "{\"client\":\"acme\",\"campaign\":\"b\",\"date\":\"2026-01-05\"\r\n"
	    "{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"cost\":1.5}\r\n", &o, &g);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.nrows, 2);
	assert_int_equal(g.rows[1].cost, 1500000);
	assert_int_equal(g.rownum[1], 3);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 2);
	assert_int_equal(g.errs[0].line, 3);
}

static void
test_json_exact_money(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.format = PARSE_JSON;
	/* decimal-comma options do not apply to JSON numbers */
	o.decimal = ',';
	o.thousands = '.';
	RUN("[{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\","
	    "\"cost\":0.1,\"revenue\":19.99},"
	    "{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-06\","
	    "\"cost\":999999999.999999,\"revenue\":1234567.123456},"
	    "{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-07\","
	    "\"cost\":0.1234567},"
	    "{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-08\","
	    "\"cost\":\"1.234,5\"},"
	    "{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-09\","
	    "\"cost\":1, \"revenue\":92233720368.547758}]", &o, &g);
	assert_int_equal(g.nrows, 3);
	assert_int_equal(g.rows[0].cost, 100000);
	assert_int_equal(g.rows[0].revenue, 19990000);
	assert_int_equal(g.rows[1].cost, 999999999999999LL);
	assert_int_equal(g.rows[1].revenue, 1234567123456LL);
	/* strings follow the declared separators */
	assert_int_equal(g.rows[2].cost, 1234500000LL);
	/* more than six decimals is refused, not rounded */
	assert_int_equal(g.nerrs, 2);
	assert_int_equal(g.errs[0].row, 3);
	/* parsed exactly, but beyond what one row may carry (every figure
	 * must stay exact in a JSON number, sums of a campaign in int64) */
	assert_int_equal(g.errs[1].row, 5);
	assert_non_null(strstr(g.errs[1].reason, "revenue: beyond the largest "
	    "figure one row may carry"));
}

static void
test_malformed_json(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.format = PARSE_JSON;
	RUN("[{\"client\":\"acme\",\n\"campaign\":}]", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 0);
	assert_int_equal(g.errs[0].line, 2);
	RUN("{\"client\":\"acme\"} x", &o, &g);
	assert_int_equal(g.rc, -1);
	RUN("", &o, &g);
	assert_int_equal(g.rc, -1);
	RUN("\"just a string\"", &o, &g);
	assert_int_equal(g.rc, -1);
	/* a number that is not JSON is not made one */
	RUN("{\"client\":\"acme\",\"campaign\":\"a\",\"date\":\"2026-01-05\","
	    "\"cost\":01.5}", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	/* "\u0000" would cut a name short */
	RUN("{\"client\":\"acme\",\"campaign\":\"a\\u0000b\","
	    "\"date\":\"2026-01-05\"}", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
}

static void
test_hostile_huge_field(void **state)
{
	struct parse_options o;
	struct got g;
	size_t	 big = 4 << 20, len, off;
	char	*buf;

	(void)state;
	opts_init(&o);
	buf = xmalloc(big + 2048);
	off = (size_t)snprintf(buf, 256, "client,campaign,date,notes\n"
	    "acme,\"");
	memset(buf + off, 'A', big);
	off += big;
	len = off + (size_t)snprintf(buf + off, 256, "\",2026-01-05,\"");
	memset(buf + len, 'B', 1000);
	len += 1000;
	len += (size_t)snprintf(buf + len, 256, "\"\nacme,ok,2026-01-05,x\n");
	run(buf, len, &o, &g);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.nrows, 1);
	assert_string_equal(g.rows[0].campaign, "ok");
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 1);
	assert_string_equal(g.errs[0].column, "campaign");
	free(buf);
}

static void
test_hostile_unterminated_quote(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date\nacme,a,2026-01-05\nacme,b,2026-01-05\n"
	    "acme,\"c,2026-01-05\nacme,d,2026-01-05\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 3);
	assert_int_equal(g.errs[0].line, 4);
	assert_non_null(strstr(g.errs[0].reason, "line 4"));
}

static void
test_hostile_nul_bytes(void **state)
{
	static const char csv[] = "client,campaign,date\nacme,a\0b,2026-01-05\n"
	    "ac\0me,a,2026-01-05\nacme,a,2026-01-05\0\n";
	static const char json[] = "{\"client\":\"acme\",\"campaign\":\"a\0\","
	    "\"date\":\"2026-01-05\"}";
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	run(csv, sizeof csv - 1, &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 3);
	run(json, sizeof json - 1, &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
}

static void
test_hostile_invalid_utf8(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	/* overlong '/', a lone surrogate, a truncated sequence */
	RUN("client,campaign,date\nacme,a\xc0\xaf,2026-01-05\n"
	    "acme,\xed\xa0\x80,2026-01-05\nacme,ok \xc3\xa9,2026-01-05\n"
	    "acme,b,2026-01-05,\xe2\x82\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_string_equal(g.rows[0].campaign, "ok \xc3\xa9");
	assert_int_equal(g.nerrs, 3);
	assert_int_equal(g.errs[0].row, 1);
	assert_int_equal(g.errs[1].row, 2);
	assert_int_equal(g.errs[2].row, 4);
	o.format = PARSE_JSON;
	RUN("{\"client\":\"acme\",\"campaign\":\"\xff\",\"date\":\"2026-01-05\"}",
	    &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_string_equal(g.errs[0].column, "campaign");
}

static void
test_sink_abort(void **state)
{
	struct parse_options o;
	struct parse_sink sink;
	struct got g;
	static const char in[] = "client,campaign,date\nBAD,a,2026-01-05\n"
	    "acme,b,2026-01-05\n";

	(void)state;
	opts_init(&o);
	memset(&g, 0, sizeof g);
	g.abort_on_error = 1;
	sink.row = got_row;
	sink.error = got_error;
	sink.arg = &g;
	assert_int_equal(parse_input(in, sizeof in - 1, &o, &sink), -1);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
}

static void
test_bad_options(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.preset = "tiktok";
	RUN("client,campaign,date\n", &o, &g);
	assert_int_equal(g.rc, -1);
	opts_init(&o);
	o.encoding = "ebcdic";
	RUN("client,campaign,date\n", &o, &g);
	assert_int_equal(g.rc, -1);
	opts_init(&o);
	o.decimal = ',';
	o.thousands = ',';
	RUN("client,campaign,date\n", &o, &g);
	assert_int_equal(g.rc, -1);
}

static void
test_utf16(void **state)
{
	static const char in[] = "\xff\xfe" "c\0l\0i\0e\0n\0t\0\t\0c\0a\0m\0"
	    "p\0a\0i\0g\0n\0\t\0d\0a\0t\0e\0\n\0a\0c\0m\0e\0\t\0\xe9\0\t\0"
	    "2\0" "0\0" "2\0" "6\0-\0" "0\0" "1\0-\0" "0\0" "5\0\n\0";
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	run(in, sizeof in - 1, &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].campaign, "\xc3\xa9");
}

static void
test_format_lookup(void **state)
{
	(void)state;
	assert_int_equal(parse_format_from_content_type("text/csv"), PARSE_CSV);
	assert_int_equal(parse_format_from_content_type(
	    "Application/JSON; charset=utf-8"), PARSE_JSON);
	assert_int_equal(parse_format_from_content_type("application/x-ndjson"),
	    PARSE_NDJSON);
	assert_int_equal(parse_format_from_content_type("text/html"), -1);
	assert_int_equal(parse_format_from_content_type(NULL), -1);
	assert_int_equal(parse_format_from_filename("a/b.CSV"), PARSE_CSV);
	assert_int_equal(parse_format_from_filename("x.tsv"), PARSE_CSV);
	assert_int_equal(parse_format_from_filename("x.json"), PARSE_JSON);
	assert_int_equal(parse_format_from_filename("x.jsonl"), PARSE_NDJSON);
	assert_int_equal(parse_format_from_filename("x.ndjson"), PARSE_NDJSON);
	assert_int_equal(parse_format_from_filename("x.xlsx"), -1);
	assert_int_equal(parse_format_from_filename("dir.csv/x"), -1);
	assert_int_equal(parse_format_from_filename("noext"), -1);
}

/* The value of custom KPI `name` in row r; fails the test when absent. */
static int64_t
custom(const struct metric_row *r, const char *name)
{
	unsigned i;

	for (i = 0; i < r->ncustom; i++) {
		if (strcmp(r->custom[i].name, name) == 0)
			return r->custom[i].value;
	}
	fail_msg("no custom KPI \"%s\" (%u in the row)", name, r->ncustom);
	return 0;
}

static int
has_custom(const struct metric_row *r, const char *name)
{
	unsigned i;

	for (i = 0; i < r->ncustom; i++) {
		if (strcmp(r->custom[i].name, name) == 0)
			return 1;
	}
	return 0;
}

static void
test_custom_name_normalise(void **state)
{
	char	 buf[METRIC_CUSTOM_NAME_MAX];
	size_t	 n;

	(void)state;
	assert_int_equal(metric_custom_name_normalise("Reach", 5, buf), 5);
	assert_string_equal(buf, "reach");
	n = metric_custom_name_normalise("  Page-Likes (total)  ", 22, buf);
	assert_string_equal(buf, "page_likes_total");
	assert_int_equal(n, 16);
	metric_custom_name_normalise("CSAT %", 6, buf);
	assert_string_equal(buf, "csat");
	metric_custom_name_normalise("R\xc3\xa9" "actions", 10, buf);
	assert_string_equal(buf, "r_actions");
	metric_custom_name_normalise("30-day reach", 12, buf);
	assert_string_equal(buf, "30_day_reach");
	assert_int_equal(metric_custom_name_normalise("(%)", 3, buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(metric_custom_name_normalise("", 0, buf), 0);
	/* cut to 32, no '_' left at the cut */
	n = metric_custom_name_normalise("abcdefghijklmnopqrstuvwxyz abcde fgh",
	    36, buf);
	assert_int_equal(n, 32);
	assert_string_equal(buf, "abcdefghijklmnopqrstuvwxyz_abcde");
	n = metric_custom_name_normalise("abcdefghijklmnopqrstuvwxyz abcd fgh",
	    35, buf);
	assert_string_equal(buf, "abcdefghijklmnopqrstuvwxyz_abcd");
	assert_int_equal(n, 31);

	assert_true(metric_custom_name_valid("reach"));
	assert_true(metric_custom_name_valid("csat_2"));
	assert_true(metric_custom_name_valid("a234567890123456789012345678901b"));
	assert_false(metric_custom_name_valid("a234567890123456789012345678901bc"));
	assert_false(metric_custom_name_valid("Reach"));
	assert_false(metric_custom_name_valid("2reach"));
	assert_false(metric_custom_name_valid("_reach"));
	assert_false(metric_custom_name_valid("page likes"));
	assert_false(metric_custom_name_valid(""));
	assert_false(metric_custom_name_valid(NULL));
}

/* Mapped columns: kept under their names, summed when two share one, a
 * mapping beats the preset, a non-number is a row error naming the column. */
static void
test_custom_mapped(void **state)
{
	static const struct parse_custom_map map[] = {
		{ "Reach", "reach" },
		{ "Page likes", "followers" },
		{ "Group likes", "followers" },
		{ "Results", "results" },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.custom_kpis = map;
	o.ncustom_kpis = 4;
	RUN("client,campaign,date,cost,REACH , page likes,Group likes,Results,"
	    "Notes\n"
	    "acme,c,2026-01-05,10,12000,40,2,7,hello\n"
	    "acme,c,2026-01-06,10,NA,,1.5,-3,42\n", &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].ncustom, 3);
	assert_int_equal(custom(&g.rows[0], "reach"), 12000000000LL);
	assert_int_equal(custom(&g.rows[0], "followers"), 42000000);
	assert_int_equal(custom(&g.rows[0], "results"), 7000000);
	/* "Results" is no longer the preset's conversions */
	assert_false(g.rows[0].present & MF_BIT(MF_CONVERSIONS));
	/* missing values are absent; unmapped "Notes" is never kept */
	assert_int_equal(g.rows[1].ncustom, 2);
	assert_false(has_custom(&g.rows[1], "reach"));
	assert_int_equal(custom(&g.rows[1], "followers"), 1500000);
	assert_int_equal(custom(&g.rows[1], "results"), -3000000);

	RUN("client,campaign,date,Reach\n"
	    "acme,c,2026-01-05,12k\n"
	    "acme,c,2026-01-06,5\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 1);
	assert_string_equal(g.errs[0].column, "Reach");
	assert_non_null(strstr(g.errs[0].reason, "reach \"12k\""));
	assert_int_equal(custom(&g.rows[0], "reach"), 5000000);

	/* a header in columns stays a field */
	{
		static const struct parse_column_map cols[] = {
			{ "Reach", MF_IMPRESSIONS },
		};

		o.columns = cols;
		o.ncolumns = 1;
		RUN("client,campaign,date,Reach\nacme,c,2026-01-05,5\n", &o, &g);
		assert_clean(&g, 1);
		assert_int_equal(g.rows[0].impressions, 5);
		assert_int_equal(g.rows[0].ncustom, 0);
	}
}

/* keep_unknown_numeric: every unmapped column under its normalised name
 * where it holds a number; text, missing values, empty names, preset
 * alternatives and names a mapping already uses are not kept. */
static void
test_custom_unknown(void **state)
{
	static const struct parse_custom_map map[] = {
		{ "Page likes", "followers" },
	};
	struct parse_options o;
	struct got g;
	const struct metric_row *r;

	(void)state;
	opts_init(&o);
	o.keep_unknown_numeric = 1;
	o.custom_kpis = map;
	o.ncustom_kpis = 1;
	RUN("client,campaign,date,cost,spend,Reach, Link-Shares (total) ,"
	    "(%),Notes,Followers,Page likes,CSAT %\n"
	    "acme,c,2026-01-05,7,5,1200,3,9,hello,77,40,4.5\n"
	    "acme,c,2026-01-06,7,5,NA,,9,12,77,40,n/a\n", &o, &g);
	assert_clean(&g, 2);
	r = &g.rows[0];
	assert_int_equal(r->cost, 7000000);
	assert_int_equal(r->ncustom, 4);
	assert_int_equal(custom(r, "reach"), 1200000000);
	assert_int_equal(custom(r, "link_shares_total"), 3000000);
	assert_int_equal(custom(r, "followers"), 40000000);
	assert_int_equal(custom(r, "csat"), 4500000);
	assert_false(has_custom(r, "spend"));
	assert_false(has_custom(r, "notes"));
	r = &g.rows[1];
	assert_int_equal(r->ncustom, 2);
	assert_int_equal(custom(r, "notes"), 12000000);
	assert_int_equal(custom(r, "followers"), 40000000);

	/* the generic path: nothing kept without the options */
	opts_init(&o);
	RUN("client,campaign,date,Reach\nacme,c,2026-01-05,1200\n", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].ncustom, 0);
	/* a fixed client's column is not unknown */
	o.keep_unknown_numeric = 1;
	o.fixed_client = "acme";
	RUN("client,campaign,date\n123,c,2026-01-05\n", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].ncustom, 0);
}

/* Decimal commas and thousands separators apply as to amounts. */
static void
test_custom_decimal_comma(void **state)
{
	static const struct parse_custom_map map[] = {
		{ "Satisfaction", "csat" },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.decimal = ',';
	o.thousands = ' ';
	o.custom_kpis = map;
	o.ncustom_kpis = 1;
	o.keep_unknown_numeric = 1;
	RUN("client;campaign;date;Satisfaction;Reach;Rate\n"
	    "acme;c;2026-01-05;4,5;12 345;0,000001\n"
	    "acme;c;2026-01-06;4;1 234,5;1.5\n", &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(custom(&g.rows[0], "csat"), 4500000);
	assert_int_equal(custom(&g.rows[0], "reach"), 12345000000LL);
	assert_int_equal(custom(&g.rows[0], "rate"), 1);
	assert_int_equal(custom(&g.rows[1], "csat"), 4000000);
	assert_int_equal(custom(&g.rows[1], "reach"), 1234500000);
	/* "1.5" is not a number here: an unknown column is skipped */
	assert_false(has_custom(&g.rows[1], "rate"));
	/* ...but a mapped one is an error */
	RUN("client;campaign;date;Satisfaction\nacme;c;2026-01-05;4.5\n", &o,
	    &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_string_equal(g.errs[0].column, "Satisfaction");
}

/* At most METRIC_CUSTOM_MAX values in a row; more is a row error. */
static void
test_custom_too_many(void **state)
{
	struct parse_options o;
	struct got g;
	char	 buf[2048];
	size_t	 len;
	int	 i;

	(void)state;
	opts_init(&o);
	o.keep_unknown_numeric = 1;
	len = (size_t)snprintf(buf, sizeof buf, "client,campaign,date");
	for (i = 0; i < METRIC_CUSTOM_MAX + 1; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, ",k%d", i);
	len += (size_t)snprintf(buf + len, sizeof buf - len,
	    "\nacme,c,2026-01-05");
	for (i = 0; i < METRIC_CUSTOM_MAX + 1; i++)	/* 17 numbers */
		len += (size_t)snprintf(buf + len, sizeof buf - len, ",%d", i);
	len += (size_t)snprintf(buf + len, sizeof buf - len,
	    "\nacme,c,2026-01-06");
	for (i = 0; i < METRIC_CUSTOM_MAX + 1; i++)	/* 16 and a text */
		len += (size_t)snprintf(buf + len, sizeof buf - len, ",%s",
		    i == 3 ? "x" : "1");
	len += (size_t)snprintf(buf + len, sizeof buf - len, "\n");
	run(buf, len, &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 1);
	assert_string_equal(g.errs[0].column, "k16");
	assert_non_null(strstr(g.errs[0].reason, "more than 16"));
	assert_int_equal(g.rows[0].ncustom, METRIC_CUSTOM_MAX);
	assert_false(has_custom(&g.rows[0], "k3"));
	assert_int_equal(custom(&g.rows[0], "k16"), 1000000);
}

/* JSON keys: mapped and unknown ones, numbers or numeric strings; other
 * values under unknown keys are skipped, under mapped keys refused. The
 * key cache keeps the names across objects with the same keys. */
static void
test_custom_json(void **state)
{
	static const struct parse_custom_map map[] = {
		{ "Mentions", "mentions" },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.format = PARSE_JSON;
	o.custom_kpis = map;
	o.ncustom_kpis = 1;
	o.keep_unknown_numeric = 1;
	RUN("[{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"cost\":1,\"Reach\":1200,\"CSAT\":\"4.5\",\"tags\":[\"a\"],"
	    "\"ok\":true,\"note\":\"hello\",\"followers\":null,"
	    "\"mentions\":3,\"big\":1e3},\n"
	    "{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-06\","
	    "\"cost\":1,\"Reach\":1300,\"CSAT\":4.25,\"tags\":[],"
	    "\"ok\":false,\"note\":\"7\",\"followers\":10,"
	    "\"mentions\":\"NA\",\"big\":2},\n"
	    "{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-07\","
	    "\"Engagement rate\":0.05}]", &o, &g);
	assert_clean(&g, 3);
	assert_int_equal(g.rows[0].ncustom, 3);
	assert_int_equal(custom(&g.rows[0], "reach"), 1200000000);
	assert_int_equal(custom(&g.rows[0], "csat"), 4500000);
	assert_int_equal(custom(&g.rows[0], "mentions"), 3000000);
	assert_int_equal(g.rows[1].ncustom, 5);
	assert_int_equal(custom(&g.rows[1], "reach"), 1300000000);
	assert_int_equal(custom(&g.rows[1], "csat"), 4250000);
	assert_int_equal(custom(&g.rows[1], "note"), 7000000);
	assert_int_equal(custom(&g.rows[1], "followers"), 10000000);
	assert_int_equal(custom(&g.rows[1], "big"), 2000000);
	assert_false(has_custom(&g.rows[1], "mentions"));
	assert_int_equal(g.rows[2].ncustom, 1);
	assert_int_equal(custom(&g.rows[2], "engagement_rate"), 50000);

	/* a mapped key holding something else than a number */
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"Mentions\":true}", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	assert_string_equal(g.errs[0].column, "Mentions");
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"Mentions\":\"many\"}", &o, &g);
	assert_int_equal(g.nerrs, 1);
	assert_non_null(strstr(g.errs[0].reason, "mentions \"many\""));

	/* NDJSON: a failed resolution must not leave a stale cache behind */
	o.format = PARSE_NDJSON;
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"Reach\":1}\n"
	    "{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"cost (EUR)\":1,\"cost (USD)\":2}\n"
	    "{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-05\","
	    "\"Reach\":2}\n", &o, &g);
	assert_int_equal(g.nrows, 2);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(custom(&g.rows[1], "reach"), 2000000);
}

static void
test_custom_bad_options(void **state)
{
	static const struct parse_custom_map bad[] = {
		{ "Reach", "Reach" },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.custom_kpis = bad;
	o.ncustom_kpis = 1;
	RUN("client,campaign,date\nacme,c,2026-01-05\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
	assert_non_null(strstr(g.errs[0].reason, "custom KPI name"));
}

/* ---- Dates (parse-date.c) ---- */

static void
test_date_format_table(void **state)
{
	static const struct {
		const char	*fmt;
		int		 dy;
		const char	*in;
		int		 ok, y, m, d, h;
	} t[] = {
		{ "%d %B %Y", 0, "20 novembre 2024", 1, 2024, 11, 20, -1 },
		{ "%d %B %Y", 0, "20 November 2024", 1, 2024, 11, 20, -1 },
		{ "%d %b %Y", 0, "20 NOV. 2024", 1, 2024, 11, 20, -1 },
		{ "%b %d, %Y", 0, "f\xc3\xa9vr. 3, 2025", 1, 2025, 2, 3, -1 },
		{ "%b %d %Y", 0, "F\xc3\x89VR 3 2025", 1, 2025, 2, 3, -1 },
		{ "%d %B %Y", 0, "15 ao\xc3\xbbt 2024", 1, 2024, 8, 15, -1 },
		{ "%d %B %Y", 0, "15 AO\xc3\x9bT 2024", 1, 2024, 8, 15, -1 },
		{ "%d %b %Y", 0, "5 D\xc3\x89" "C. 2024", 1, 2024, 12, 5, -1 },
		{ "%d %B %Y", 0, "5 d\xc3\xa9" "cembre 2024", 1, 2024, 12, 5, -1 },
		{ "%d %b %Y", 0, "1 sept. 2024", 1, 2024, 9, 1, -1 },
		{ "%d %b %Y", 0, "1 juil. 2024", 1, 2024, 7, 1, -1 },
		{ "%d %B %Y", 0, "1 juillet 2024", 1, 2024, 7, 1, -1 },
		{ "%d %B %Y", 0, "1 mai 2024", 1, 2024, 5, 1, -1 },
		{ "%d %B %Y", 0, "1 avr. 2024", 1, 2024, 4, 1, -1 },
		{ "%d %B %Y", 0, "1 Mayo 2024", 0, 0, 0, 0, 0 },
		{ "%d %B %Y", 0, "1 Foo 2024", 0, 0, 0, 0, 0 },
		{ "%b. %d %Y", 0, "Nov. 20 2024", 1, 2024, 11, 20, -1 },
		{ "%b %d", 2024, "Nov 20", 1, 2024, 11, 20, -1 },
		{ "%B %e", 2023, "March  5", 1, 2023, 3, 5, -1 },
		{ "%-m/%-d/%Y", 0, "5/1/2026", 1, 2026, 5, 1, -1 },
		{ "%m/%d/%Y %H:%M:%S", 0, "11/20/2024 07:05:09", 1, 2024, 11, 20,
		  7 },
		{ "%Y-%m-%d", 0, "2024-02-30", 0, 0, 0, 0, 0 },
		{ "%d/%m/%Y", 0, "29/02/2023", 0, 0, 0, 0, 0 },
		{ "%d/%m/%Y", 0, "01/02/2023x", 0, 0, 0, 0, 0 },
	};
	struct parse_date d;
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		rc = parse_date_format(t[i].fmt, t[i].dy, t[i].in,
		    strlen(t[i].in), &d);
		if (rc != (t[i].ok ? 0 : -1))
			print_error("case %zu \"%s\" under \"%s\": rc %d\n", i,
			    t[i].in, t[i].fmt, rc);
		assert_int_equal(rc, t[i].ok ? 0 : -1);
		if (!t[i].ok)
			continue;
		assert_int_equal(d.day, day(t[i].y, (unsigned)t[i].m,
		    (unsigned)t[i].d));
		assert_int_equal(d.hour, t[i].h);
	}
}

static void
test_date_check_format(void **state)
{
	static const struct {
		const char	*fmt;
		int		 dy, ok;
		const char	*why;
	} t[] = {
		{ "%Y-%m-%d", 0, 1, NULL },
		{ "%d %B %Y", 0, 1, NULL },
		{ "%e/%-m/%Y %H:%M:%S%z", 0, 1, NULL },
		{ "%b %d", 0, 0, "default_year" },
		{ "%b %d", 2024, 1, NULL },
		{ "%Y %Y %m %d", 0, 0, "needs one" },
		{ "%Y %m", 0, 0, "needs one" },
		{ "%Y %m %d %q", 0, 0, "unsupported %q" },
		{ "%Y %m %d %", 0, 0, "ends with %" },
		{ "%-Y %m %d", 0, 0, "%-" },
	};
	char	*why;
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		why = NULL;
		rc = parse_date_check_format(t[i].fmt, t[i].dy, &why);
		assert_int_equal(rc, t[i].ok ? 0 : -1);
		if (!t[i].ok) {
			if (strstr(why, t[i].why) == NULL)
				print_error("case %zu: %s\n", i, why);
			assert_non_null(strstr(why, t[i].why));
		}
		free(why);
	}
}

static void
test_date_iso_offsets(void **state)
{
	static const struct {
		const char	*in;
		int		 ok, y, m, d, h, mi, has, off;
	} t[] = {
		{ "2026-12-01T23:30:00-05:00", 1, 2026, 12, 1, 23, 30, 1,
		  -18000 },
		{ "2026-12-01T23:30:00Z", 1, 2026, 12, 1, 23, 30, 1, 0 },
		{ "2026-12-01T04:15:00+0530", 1, 2026, 12, 1, 4, 15, 1, 19800 },
		{ "2026-12-01 04:15+01", 1, 2026, 12, 1, 4, 15, 1, 3600 },
		{ "2026-12-01T04:15:00.123", 1, 2026, 12, 1, 4, 15, 0, 0 },
		{ "2026-12-01", 1, 2026, 12, 1, -1, 0, 0, 0 },
		{ "2026-12-01T04:15:00+05:60", 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2026-12-01T04:15:00+24:00", 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "2026-12-01T04:15:00 EST", 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct parse_date d;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(parse_date_iso(t[i].in, strlen(t[i].in), &d),
		    t[i].ok ? 0 : -1);
		if (!t[i].ok)
			continue;
		assert_int_equal(d.day, day(t[i].y, (unsigned)t[i].m,
		    (unsigned)t[i].d));
		assert_int_equal(d.hour, t[i].h);
		assert_int_equal(d.minute, t[i].mi);
		assert_int_equal(d.has_offset, t[i].has);
		assert_int_equal(d.utc_offset, t[i].off);
	}
	/* %z in a declared format */
	assert_int_equal(parse_date_format("%d/%m/%Y %H:%M %z", 0,
	    "01/12/2026 23:30 -0500", 22, &d), 0);
	assert_int_equal(d.utc_offset, -18000);
	assert_int_equal(d.has_offset, 1);
}

static void
test_date_offsets_in_rows(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,cost\n"
	    "acme,c,2026-12-01T23:30:00-05:00,1\n"
	    "acme,c,2026-12-01T23:30:00Z,1\n"
	    "acme,c,2026-12-01T23:30:00+0530,1\n"
	    "acme,c,2026-12-01T23:30:00,1\n", &o, &g);
	assert_clean(&g, 4);
	assert_int_equal(g.rows[0].day, day(2026, 12, 1));
	assert_int_equal(g.rows[0].hour, 23);
	assert_int_equal(g.rows[0].minute, 30);
	assert_int_equal(g.rows[0].has_offset, 1);
	assert_int_equal(g.rows[0].utc_offset, -18000);
	assert_int_equal(g.rows[1].has_offset, 1);
	assert_int_equal(g.rows[1].utc_offset, 0);
	assert_int_equal(g.rows[2].utc_offset, 19800);
	assert_int_equal(g.rows[3].has_offset, 0);
	assert_int_equal(g.rows[3].utc_offset, 0);
	assert_int_equal(g.rows[3].hour, 23);

	/* JSON too; and a new row starts without the previous offset */
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"date\":"
	    "\"2026-12-01T23:30:00-05:00\"}\n"
	    "{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-12-01\"}\n",
	    &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].utc_offset, -18000);
	assert_int_equal(g.rows[1].has_offset, 0);
	assert_int_equal(g.rows[1].utc_offset, 0);
	assert_int_equal(g.rows[1].minute, 0);
	assert_int_equal(g.rows[1].hour, -1);
}

static void
test_date_formats_ambiguous(void **state)
{
	static const char *const fmts[] = { "%m/%d/%Y", "%d/%m/%Y",
	    "%d-%m-%Y" };
	struct parse_options o;
	struct parse_date d;
	struct got g;
	char	 why[160];

	(void)state;
	opts_init(&o);
	o.date_formats = fmts;
	o.ndate_formats = 3;
	RUN("client,campaign,date\n"
	    "acme,c,11/20/2024\n"
	    "acme,c,20-11-2024\n"
	    "acme,c,6/11/2024\n"
	    "acme,c,6/6/2024\n"
	    "acme,c,2024-11-20\n", &o, &g);
	assert_int_equal(g.nrows, 3);
	assert_int_equal(g.rows[0].day, day(2024, 11, 20));
	assert_int_equal(g.rows[1].day, day(2024, 11, 20));
	assert_int_equal(g.rows[2].day, day(2024, 6, 6));
	assert_int_equal(g.rownum[2], 4);
	assert_int_equal(g.nerrs, 2);
	assert_int_equal(g.errs[0].row, 3);
	assert_string_equal(g.errs[0].reason, "ambiguous date \"6/11/2024\": "
	    "matches %m/%d/%Y (2024-06-11) and %d/%m/%Y (2024-11-06)");
	assert_int_equal(g.errs[1].row, 5);
	assert_non_null(strstr(g.errs[1].reason, "(set \"date_formats\")"));

	/* the API alone */
	assert_int_equal(parse_date_formats(fmts, 3, 0, "6/11/2024", 9, &d,
	    why, sizeof why), -2);
	assert_int_equal(parse_date_formats(fmts, 3, 0, "13/11/2024", 10, &d,
	    why, sizeof why), 0);
	assert_int_equal(d.day, day(2024, 11, 13));
	assert_int_equal(parse_date_formats(fmts, 3, 0, "2024", 4, &d,
	    why, sizeof why), -1);
}

static void
test_date_search_name(void **state)
{
	static const struct {
		const char	*fmt, *name;
		int		 ok, y, m, d;
	} t[] = {
		{ "%Y-%m-%d", "meta-2026-11-30.csv", 1, 2026, 11, 30 },
		{ "%Y-%m-%d", "2026-11-30.csv", 1, 2026, 11, 30 },
		{ "%Y%m%d", "report_20261130_v2.csv", 1, 2026, 11, 30 },
		{ "%Y-%m-%d", "meta-2026-13-30.csv", 0, 0, 0, 0 },
		{ "%Y-%m-%d", "meta-12026-11-30.csv", 0, 0, 0, 0 },
		{ "%Y-%m-%d", "meta.csv", 0, 0, 0, 0 },
		{ "%d %b %Y", "Export 3 Nov 2026.csv", 1, 2026, 11, 3 },
	};
	int32_t	 dd;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(parse_date_search(t[i].fmt, 0, t[i].name, &dd),
		    t[i].ok ? 0 : -1);
		if (t[i].ok)
			assert_int_equal(dd, day(t[i].y, (unsigned)t[i].m,
			    (unsigned)t[i].d));
	}
}

/* ---- Fixed values, date sources ---- */

static void
test_fixed_date_and_campaign(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.fixed_client = "acme";
	o.fixed_campaign = "Brand";
	o.date_from_name = "%Y-%m-%d";
	o.name = "meta-2026-11-30.csv";
	RUN("Campaign name,Amount spent (EUR)\nIgnored,12.5\n", &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].campaign, "Brand");
	assert_int_equal(g.rows[0].day, day(2026, 11, 30));
	assert_int_equal(g.rows[0].hour, -1);
	assert_string_equal(g.rows[0].currency, "EUR");

	/* "date" wins over the name (roiwatch ingest --date) */
	o.date = "2026-10-01";
	RUN("Amount spent (EUR),Impressions\n12.5,100\n", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].day, day(2026, 10, 1));

	/* no date in the name: the file is refused */
	o.date = NULL;
	o.name = "meta-latest.csv";
	RUN("Amount spent (EUR),Impressions\n12.5,100\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
	assert_string_equal(g.errs[0].reason, "no date like \"%Y-%m-%d\" in "
	    "the file name \"meta-latest.csv\" (date_from_name)");

	/* a date column and a fixed date: refused, never a guess */
	o.name = "meta-2026-11-30.csv";
	RUN("Day,Amount spent (EUR)\n2026-11-29,12.5\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.nrows, 0);
	assert_string_equal(g.errs[0].column, "Day");
	assert_non_null(strstr(g.errs[0].reason, "fixed date"));

	/* JSON rows: the fixed date, or a row error with a date key */
	RUN("[{\"cost\": 1}, {\"date\": \"2026-01-01\", \"cost\": 2}]", &o,
	    &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.rows[0].day, day(2026, 11, 30));
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 2);

	/* a bad fixed date */
	o.date = "2026-11-31";
	RUN("Amount spent (EUR),Impressions\n12.5,100\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_non_null(strstr(g.errs[0].reason, "YYYY-MM-DD"));
}

static void
test_default_year_and_date_columns(void **state)
{
	static const char *const mdy[] = { "%B %d" };
	static const char *const ymd[] = { "%Y %m %d" };
	static const char *const cols3[] = { "Year", "Month", "Day" };
	static const char *const cols2[] = { "Month", "Day" };
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.date_formats = mdy;
	o.ndate_formats = 1;
	o.default_year = 2024;
	RUN("client,campaign,date\nacme,c,Nov 20\nacme,c,d\xc3\xa9" "c. 1\n",
	    &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].day, day(2024, 11, 20));
	assert_int_equal(g.rows[1].day, day(2024, 12, 1));

	/* without default_year the format is refused */
	o.default_year = 0;
	RUN("client,campaign,date\nacme,c,Nov 20\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_non_null(strstr(g.errs[0].reason, "default_year"));

	/* Month and Day columns with a default year */
	o.default_year = 2024;
	o.date_columns = cols2;
	o.ndate_columns = 2;
	RUN("client,campaign,Month,Day,cost\nacme,c,November,20,1\n"
	    "acme,c,Nov,,2\nacme,c,NA,NA,3\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.rows[0].day, day(2024, 11, 20));
	assert_int_equal(g.nerrs, 2);
	assert_int_equal(g.errs[0].row, 2);
	assert_string_equal(g.errs[0].column, "Day");
	assert_non_null(strstr(g.errs[0].reason, "date part missing"));
	assert_int_equal(g.errs[1].row, 3);
	assert_non_null(strstr(g.errs[1].reason, "missing date"));

	/* Year, Month, Day; a missing column refuses the file */
	o.default_year = 0;
	o.date_formats = ymd;
	o.date_columns = cols3;
	o.ndate_columns = 3;
	RUN("client,campaign,Year,Month,Day\nacme,c,2024,2,29\n"
	    "acme,c,2023,2,29\n", &o, &g);
	assert_int_equal(g.nrows, 1);
	assert_int_equal(g.rows[0].day, day(2024, 2, 29));
	assert_int_equal(g.nerrs, 1);
	assert_non_null(strstr(g.errs[0].reason, "\"2023 2 29\""));
	RUN("client,campaign,Year,Month\nacme,c,2024,2\n", &o, &g);
	assert_int_equal(g.rc, -1);
	assert_string_equal(g.errs[0].column, "Day");
	/* and a date column besides: refused */
	RUN("client,campaign,date,Year,Month,Day\nacme,c,x,2024,2,2\n", &o,
	    &g);
	assert_int_equal(g.rc, -1);
	assert_string_equal(g.errs[0].column, "date");

	/* JSON: numbers as parts */
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"Year\":2025,\"Month\":1,"
	    "\"Day\":31}", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].day, day(2025, 1, 31));
}

/* ---- Amounts: rounding, currencies, conversion value ---- */

static void
test_round_half_even(void **state)
{
	static const struct parse_custom_map ck[] = { { "CPC", "cpc" } };
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,cost\nacme,c,2026-01-01,1.429999948\n", &o,
	    &g);
	assert_int_equal(g.nrows, 0);
	assert_non_null(strstr(g.errs[0].reason, "more than 6 decimals "
	    "(set \"round\": \"half_even\")"));

	o.round = MONEY_ROUND_HALF_EVEN;
	o.custom_kpis = ck;
	o.ncustom_kpis = 1;
	RUN("client,campaign,date,cost,revenue,CPC\n"
	    "acme,c,2026-01-01,1.429999948,2754371.66666667,0.1234565\n"
	    "acme,c,2026-01-02,0.0000005,0.0000015,0.33\n", &o, &g);
	assert_clean(&g, 2);
	assert_int_equal(g.rows[0].cost, 1430000);
	assert_int_equal(g.rows[0].revenue, 2754371666667LL);
	assert_int_equal(g.rows[0].custom[0].value, 123456);
	assert_int_equal(g.rows[1].cost, 0);
	assert_int_equal(g.rows[1].revenue, 2);

	/* JSON numbers too */
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-01\","
	    "\"cost\":1.429999948}", &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(g.rows[0].cost, 1430000);
}

static void
test_currency_markers(void **state)
{
	static const struct {
		const char	*csv;
		const char	*mark;		/* NULL: the row is refused */
	} t[] = {
		{ "client,campaign,date,Amount spent (USD)\n"
		  "acme,c,2026-01-01,5\n", "USD" },
		{ "client,campaign,date,Cost (\xe2\x82\xac)\n"
		  "acme,c,2026-01-01,5\n", "\xe2\x82\xac" },
		{ "client,campaign,date,cost,revenue\n"
		  "acme,c,2026-01-01,$5,7\n", "$" },
		{ "client,campaign,date,cost,revenue\n"
		  "acme,c,2026-01-01,\xc2\xa5" "5,7\n", "\xc2\xa5" },
		{ "client,campaign,date,cost\nacme,c,2026-01-01,5\n", "" },
		{ "client,campaign,date,cost,currency\n"
		  "acme,c,2026-01-01,5,GBP\n", "GBP" },
		{ "client,campaign,date,cost,currency\n"
		  "acme,c,2026-01-01,5 GBP,GBP\n", "GBP" },
		{ "client,campaign,date,cost,currency\n"
		  "acme,c,2026-01-01,5,gbp\n", "GBP" },
		/* two markers in one row */
		{ "client,campaign,date,Amount spent (USD)\n"
		  "acme,c,2026-01-01,5 EUR\n", NULL },
		{ "client,campaign,date,Cost (USD),Revenue (EUR)\n"
		  "acme,c,2026-01-01,5,6\n", NULL },
		{ "client,campaign,date,cost,currency\n"
		  "acme,c,2026-01-01,\xc2\xa3" "5,USD\n", NULL },
		/* two ways to write one currency: the code is kept */
		{ "client,campaign,date,cost,currency\n"
		  "acme,c,2026-01-01,$5,USD\n", "USD" },
		{ "client,campaign,date,Cost (\xe2\x82\xac),Revenue (EUR)\n"
		  "acme,c,2026-01-01,5,6\n", "EUR" },
	};
	struct parse_options o;
	struct got g;
	size_t	 i;

	(void)state;
	opts_init(&o);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		run(t[i].csv, strlen(t[i].csv), &o, &g);
		if (t[i].mark == NULL) {
			assert_int_equal(g.nrows, 0);
			assert_int_equal(g.nerrs, 1);
			assert_int_equal(g.errs[0].row, 1);
			assert_non_null(strstr(g.errs[0].reason,
			    "two currencies in one row"));
			continue;
		}
		assert_clean(&g, 1);
		assert_string_equal(g.rows[0].currency, t[i].mark);
		assert_int_equal(g.rows[0].cost, 5000000);
	}
	/* two headers of one field naming two currencies: the file */
	{
		static const struct parse_column_map cm[] = {
			{ "Fees (EUR)", MF_COST },
		};

		o.columns = cm;
		o.ncolumns = 1;
		RUN("client,campaign,date,Cost (USD),Fees (EUR)\n"
		    "acme,c,2026-01-01,5,1\n", &o, &g);
		assert_int_equal(g.rc, -1);
		assert_non_null(strstr(g.errs[0].reason, "two currencies"));
		o.ncolumns = 0;
	}
	/* JSON: a currency key */
	RUN("{\"client\":\"acme\",\"campaign\":\"c\",\"date\":\"2026-01-01\","
	    "\"cost\":5,\"currency\":\"CHF\"}", &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].currency, "CHF");
	/* a marker does not leak into the next row */
	RUN("client,campaign,date,cost\nacme,c,2026-01-01,$5\n"
	    "acme,c,2026-01-02,5\n", &o, &g);
	assert_clean(&g, 2);
	assert_string_equal(g.rows[1].currency, "");
}

static void
test_conversion_value(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.conversion_value = 45500000;		/* 45.50 */
	RUN("client,campaign,date,cost,conversions\n"
	    "acme,c,2026-01-01,10,3\nacme,c,2026-01-02,10,NA\n"
	    "acme,c,2026-01-03,10,0\n", &o, &g);
	assert_clean(&g, 3);
	assert_int_equal(g.rows[0].revenue, 136500000);
	assert_true(g.rows[0].present & MF_BIT(MF_REVENUE));
	assert_false(g.rows[1].present & MF_BIT(MF_REVENUE));
	assert_int_equal(g.rows[2].revenue, 0);
	assert_true(g.rows[2].present & MF_BIT(MF_REVENUE));

	/* overflow is an error, not a wrap */
	o.conversion_value = INT64_MAX / 2;
	RUN("client,campaign,date,conversions\nacme,c,2026-01-01,3\n", &o,
	    &g);
	assert_int_equal(g.nrows, 0);
	assert_non_null(strstr(g.errs[0].reason, "too large"));

	/* a revenue column as well: the row is refused */
	o.conversion_value = 1000000;
	RUN("client,campaign,date,revenue,conversions\n"
	    "acme,c,2026-01-01,5,3\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_non_null(strstr(g.errs[0].reason, "conversion_value"));
}

/* ---- Values mapped to ids ---- */

static void
test_values_map(void **state)
{
	static const struct parse_value_map vm[] = {
		{ MF_CLIENT, "ACME Corp", "acme" },
		{ MF_CHANNEL, "Google Ads", "google" },
		{ MF_CHANNEL, "Facebook", "meta" },
		{ MF_CAMPAIGN, "BF 2024", "Black Friday 2024" },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.values = vm;
	o.nvalues = 4;
	RUN("client,campaign,channel,date\n"
	    " acme corp ,bf 2024,FACEBOOK,2026-01-01\n"
	    "acme,Other,Google Ads,2026-01-01\n"
	    "acme,c,TikTok,2026-01-01\n"
	    "Globex Inc,c,x,2026-01-01\n", &o, &g);
	assert_int_equal(g.nrows, 3);
	assert_string_equal(g.rows[0].client, "acme");
	assert_string_equal(g.rows[0].campaign, "Black Friday 2024");
	assert_string_equal(g.rows[0].channel, "meta");
	assert_string_equal(g.rows[1].channel, "google");
	assert_string_equal(g.rows[1].campaign, "Other");
	assert_string_equal(g.rows[2].channel, "tiktok");
	/* unmapped and not an id: the usual error */
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 4);
	assert_non_null(strstr(g.errs[0].reason, "client id"));
}

/* ---- Wide files ---- */

static void
test_spread_campaign(void **state)
{
	static const struct parse_spread sp[] = {
		{ "TV spend", MF_COST, "TV" },
		{ "Radio spend", MF_COST, "Radio" },
		{ "Search spend", MF_COST, "Search" },
		{ "Search clicks", MF_CLICKS, "Search" },
	};
	static const struct parse_column_map cm[] = {
		{ "Sales", MF_REVENUE },
		{ "Week", MF_DATE },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.fixed_client = "acme";
	o.spread = sp;
	o.nspread = 4;
	o.spread_into = MF_CAMPAIGN;
	o.columns = cm;
	o.ncolumns = 2;
	o.fixed_campaign = "Total";
	RUN("Week,TV spend,Radio spend,Search spend,Search clicks,Sales\n"
	    "2024-11-04,1000.50,200,NA,NA,5000\n"
	    "2024-11-11,1100,NA,300.25,42,NA\n", &o, &g);
	assert_clean(&g, 5);
	assert_string_equal(g.rows[0].campaign, "TV");
	assert_int_equal(g.rows[0].cost, 1000500000);
	assert_int_equal(g.rows[0].present & MF_BIT(MF_REVENUE), 0);
	assert_string_equal(g.rows[1].campaign, "Radio");
	assert_int_equal(g.rows[1].cost, 200000000);
	assert_string_equal(g.rows[2].campaign, "Total");
	assert_int_equal(g.rows[2].revenue, 5000000000LL);
	assert_int_equal(g.rows[2].present & MF_BIT(MF_COST), 0);
	assert_int_equal(g.rownum[2], 1);
	assert_string_equal(g.rows[3].campaign, "TV");
	assert_string_equal(g.rows[4].campaign, "Search");
	assert_int_equal(g.rows[4].cost, 300250000);
	assert_int_equal(g.rows[4].clicks, 42);
	assert_int_equal(g.rownum[4], 2);
	assert_int_equal(g.rows[4].day, day(2024, 11, 11));

	/* no campaign for the rest of the row: an error naming its column */
	o.fixed_campaign = NULL;
	RUN("Week,TV spend,Radio spend,Search spend,Search clicks,Sales\n"
	    "2024-11-04,1000.50,200,NA,NA,5000\n", &o, &g);
	assert_int_equal(g.nrows, 2);
	assert_int_equal(g.nerrs, 1);
	assert_int_equal(g.errs[0].row, 1);
	assert_string_equal(g.errs[0].reason, "no campaign for the values of "
	    "\"Sales\" (not spread)");

	/* a listed column missing from the header refuses the file */
	RUN("Week,TV spend,Radio spend,Search clicks\n2024-11-04,1,2,3\n", &o,
	    &g);
	assert_int_equal(g.rc, -1);
	assert_string_equal(g.errs[0].column, "Search spend");
}

static void
test_spread_channel(void **state)
{
	static const struct parse_spread sp[] = {
		{ "Google (USD)", MF_COST, "Google" },
		{ "Meta (USD)", MF_COST, "meta" },
	};
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	o.spread = sp;
	o.nspread = 2;
	o.spread_into = MF_CHANNEL;
	RUN("client,campaign,date,Google (USD),Meta (USD)\n"
	    "acme,Spring,2026-03-01,10,NA\n"
	    "acme,Spring,2026-03-02,,20\n"
	    "acme,,2026-03-03,10,20\n"
	    "acme,Spring,2026-03-04,10,\xc2\xa3" "20\n"
	    "acme,Spring,2026-03-05,10,20 EUR\n"
	    "acme,Spring,2026-03-06,10,20\n", &o, &g);
	assert_int_equal(g.nrows, 2);
	assert_string_equal(g.rows[0].channel, "google");
	assert_string_equal(g.rows[0].campaign, "Spring");
	assert_string_equal(g.rows[0].currency, "USD");
	assert_int_equal(g.rows[0].cost, 10000000);
	assert_string_equal(g.rows[1].channel, "meta");
	assert_int_equal(g.rows[1].cost, 20000000);
	assert_string_equal(g.rows[1].currency, "USD");
	/* no campaign: one error for the row; "£" or "EUR" written in a
	 * "(USD)" column: two markers; two channels of one campaign would
	 * replace each other in the store */
	assert_int_equal(g.nerrs, 4);
	assert_int_equal(g.errs[0].row, 3);
	assert_string_equal(g.errs[0].reason, "missing campaign");
	assert_int_equal(g.errs[1].row, 4);
	assert_string_equal(g.errs[1].column, "Meta (USD)");
	assert_string_equal(g.errs[1].reason, "two currencies in one row: USD "
	    "and \xc2\xa3");
	assert_int_equal(g.errs[2].row, 5);
	assert_non_null(strstr(g.errs[2].reason, "USD and EUR"));
	assert_int_equal(g.errs[3].row, 6);
	assert_non_null(strstr(g.errs[3].reason, "several channels"));
}

/* ---- Messages: the option that fixes a likely cause ---- */

static void
test_error_hints(void **state)
{
	struct parse_options o;
	struct got g;

	(void)state;
	opts_init(&o);
	RUN("client,campaign,date,cost\nacme,Caf\xe9,2026-01-01,1\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_string_equal(g.errs[0].reason, "invalid UTF-8 (set "
	    "\"encoding\", e.g. \"windows-1252\")");

	RUN("client,campaign,date,Amount spent (EUR)\n"
	    "acme,c,2026-01-01,2662,38\n", &o, &g);
	assert_int_equal(g.nrows, 0);	/* 5 fields: quoted below */
	RUN("client,campaign,date,Amount spent (EUR)\n"
	    "acme,c,2026-01-01,\"2662,38\"\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_string_equal(g.errs[0].column, "Amount spent (EUR)");
	assert_non_null(strstr(g.errs[0].reason, "(set \"decimal\": \",\")"));

	RUN("client,campaign,date\nacme,c,20/11/2024\n", &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_string_equal(g.errs[0].reason, "date \"20/11/2024\" does not "
	    "match YYYY-MM-DD (set \"date_formats\")");
}

static void
test_new_bad_options(void **state)
{
	static const char *const nofmt[] = { "%Y-%m" };
	static const char *const cols[] = { "" };
	static const struct parse_spread badsp[] = {
		{ "TV", MF_CLIENT, "TV" },
	};
	static const struct parse_value_map badvm[] = {
		{ MF_DATE, "x", "y" },
	};
	struct parse_options o;
	struct got g;
	int	 i;

	(void)state;
	for (i = 0; i < 8; i++) {
		opts_init(&o);
		switch (i) {
		case 0:
			o.date_formats = nofmt;
			o.ndate_formats = 1;
			break;
		case 1:
			o.date_columns = cols;
			o.ndate_columns = 1;
			break;
		case 2:
			o.spread = badsp;
			o.nspread = 1;
			o.spread_into = MF_CAMPAIGN;
			break;
		case 3:
			o.values = badvm;
			o.nvalues = 1;
			break;
		case 4:
			o.fixed_campaign = "";
			break;
		case 5:
			o.date = "2026-1-1";
			break;
		case 6:
			o.default_year = 10000;
			break;
		case 7:
			o.date_from_name = "%Q";
			o.name = "x.csv";
			break;
		}
		RUN("client,campaign,date\nacme,c,2026-01-01\n", &o, &g);
		if (g.rc != -1)
			print_error("case %d accepted\n", i);
		assert_int_equal(g.rc, -1);
		assert_int_equal(g.nrows, 0);
		assert_int_equal(g.errs[0].row, 0);
	}
}

/*
 * Found in review: a JSON envelope whose escaped key follows its metrics
 * array (the decoded strings of the array's rows once overran a scratch
 * area sized from that key on), a key cache compared past its names, an
 * envelope's "currency" dropped, two "metrics" members.
 */
static void
test_json_envelope_edges(void **state)
{
	static struct got	 g;
	struct parse_options	 o;
	char			*buf, *p;
	size_t			 i;

	(void)state;
	opts_init(&o);
	buf = xmalloc(16384);
	p = buf + sprintf(buf, "{\"metrics\":[{\"client\":\"acme\","
	    "\"campaign\":\"c");
	for (i = 0; i < 150; i++)
		p += sprintf(p, "\\u0041");
	sprintf(p, "\",\"date\":\"2024-11-06\",\"cost\":\"1\"}],"
	    "\"z\\u0041\":1}");
	run(buf, strlen(buf), &o, &g);
	assert_clean(&g, 1);
	assert_int_equal(strlen(g.rows[0].campaign), 151);

	/* Same key count, the second object's key far longer than the
	 * cached names. */
	p = buf + sprintf(buf, "[{\"client\":\"acme\",\"campaign\":\"c\","
	    "\"date\":\"2024-11-06\",\"");
	for (i = 0; i < 1900; i++)
		*p++ = 'k';
	p += sprintf(p, "\":1},{\"client\":\"acme\",\"campaign\":\"c\","
	    "\"date\":\"2024-11-07\",\"");
	for (i = 0; i < 4950; i++)
		*p++ = 'k';
	sprintf(p, "\":1}]");
	run(buf, strlen(buf), &o, &g);
	assert_int_equal(g.nrows, 2);

	RUN("{\"currency\":\"USD\",\"metrics\":[{\"client\":\"acme\","
	    "\"campaign\":\"c\",\"date\":\"2024-11-06\",\"cost\":\"1\"}]}",
	    &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].currency, "USD");
	RUN("{\"currency\":\"USD\",\"metrics\":[{\"client\":\"acme\","
	    "\"campaign\":\"c\",\"date\":\"2024-11-06\",\"cost\":\"1 GBP\"}]}",
	    &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nerrs, 1);
	RUN("{\"metrics\":[],\"metrics\":[{\"client\":\"acme\","
	    "\"campaign\":\"c\",\"date\":\"2024-11-06\",\"cost\":\"1\"}]}",
	    &o, &g);
	assert_int_equal(g.nrows, 0);
	assert_non_null(strstr(g.errs[0].reason, "two \"metrics\""));
	free(buf);
}

/* Custom KPI columns: a header's currency counts; an unknown column of
 * text that happens to carry a marker is neither a figure nor a currency. */
static void
test_custom_currency(void **state)
{
	static struct got	 g;
	struct parse_options	 o;

	(void)state;
	opts_init(&o);
	o.keep_unknown_numeric = 1;
	RUN("client,campaign,date,cost,Purchase value (USD)\n"
	    "acme,c,2026-01-01,5,30\n", &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].currency, "USD");
	RUN("client,campaign,date,cost,Ad name,Notes\n"
	    "acme,c,2026-01-01,5,R 100,USD 2024\n", &o, &g);
	assert_clean(&g, 1);
	assert_string_equal(g.rows[0].currency, "");
	assert_int_equal(g.rows[0].ncustom, 0);
}

/* Glued one- or two-digit fields read two digits; an offset needs a time. */
static void
test_date_glued_and_offset(void **state)
{
	struct parse_date	 d;
	char			*why = NULL;

	(void)state;
	assert_int_equal(parse_date_format("%Y%m%d", 0, "20241106", 8, &d), 0);
	assert_int_equal(d.day, day(2024, 11, 6));
	assert_int_equal(parse_date_format("%Y%m%d", 0, "2024111", 7, &d), -1);
	assert_int_equal(parse_date_format("%Y-%m-%d", 0, "2024-1-6", 8, &d),
	    0);
	assert_int_equal(parse_date_check_format("%Y-%m-%d%z", 0, &why), -1);
	assert_non_null(strstr(why, "%z without a time"));
	free(why);
	why = NULL;
	assert_int_equal(parse_date_check_format("%Y-%m-%d %H:%M%z", 0, &why),
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_envelope_edges),
		cmocka_unit_test(test_custom_currency),
		cmocka_unit_test(test_date_glued_and_offset),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_semicolon_decimal_comma),
		cmocka_unit_test(test_tab),
		cmocka_unit_test(test_quoted_fields_and_headers),
		cmocka_unit_test(test_quoted_newline),
		cmocka_unit_test(test_iso_8859_1),
		cmocka_unit_test(test_windows_1252),
		cmocka_unit_test(test_thousands_comma),
		cmocka_unit_test(test_currency_and_spaces),
		cmocka_unit_test(test_percent_refused),
		cmocka_unit_test(test_missing_not_zero),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_trailing_unnamed_columns),
		cmocka_unit_test(test_date_formats),
		cmocka_unit_test(test_date_mismatch),
		cmocka_unit_test(test_iso_datetime_hour),
		cmocka_unit_test(test_meta_preset),
		cmocka_unit_test(test_google_preset),
		cmocka_unit_test(test_summed_columns),
		cmocka_unit_test(test_fixed_client_channel),
		cmocka_unit_test(test_client_id_chars),
		cmocka_unit_test(test_missing_required_column),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_max_rows),
		cmocka_unit_test(test_json_object),
		cmocka_unit_test(test_json_array_and_envelope),
		cmocka_unit_test(test_json_key_changes),
		cmocka_unit_test(test_json_lines_and_escapes),
		cmocka_unit_test(test_ndjson),
		cmocka_unit_test(test_json_exact_money),
		cmocka_unit_test(test_malformed_json),
		cmocka_unit_test(test_hostile_huge_field),
		cmocka_unit_test(test_hostile_unterminated_quote),
		cmocka_unit_test(test_hostile_nul_bytes),
		cmocka_unit_test(test_hostile_invalid_utf8),
		cmocka_unit_test(test_sink_abort),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_format_lookup),
		cmocka_unit_test(test_custom_name_normalise),
		cmocka_unit_test(test_custom_mapped),
		cmocka_unit_test(test_custom_unknown),
		cmocka_unit_test(test_custom_decimal_comma),
		cmocka_unit_test(test_custom_too_many),
		cmocka_unit_test(test_custom_json),
		cmocka_unit_test(test_custom_bad_options),
		cmocka_unit_test(test_date_format_table),
		cmocka_unit_test(test_date_check_format),
		cmocka_unit_test(test_date_iso_offsets),
		cmocka_unit_test(test_date_offsets_in_rows),
		cmocka_unit_test(test_date_formats_ambiguous),
		cmocka_unit_test(test_date_search_name),
		cmocka_unit_test(test_fixed_date_and_campaign),
		cmocka_unit_test(test_default_year_and_date_columns),
		cmocka_unit_test(test_round_half_even),
		cmocka_unit_test(test_currency_markers),
		cmocka_unit_test(test_conversion_value),
		cmocka_unit_test(test_values_map),
		cmocka_unit_test(test_spread_campaign),
		cmocka_unit_test(test_spread_channel),
		cmocka_unit_test(test_error_hints),
		cmocka_unit_test(test_new_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
