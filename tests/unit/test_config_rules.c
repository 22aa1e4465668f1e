/*
 * Tests of rules in configuration files (config-rules.c): every kind of rule
 * object parsed into its struct rule_def, the main file's rules as defaults
 * of every client (replaced and disabled by name, read in each client's
 * currency), the shorthand rules first, CLV inputs, quiet hours, flap
 * options, and every refusal with its message and line. Files are written
 * into a fresh temporary directory per test, with a private $TZDIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "measure.h"
#include "metric.h"
#include "rules.h"
#include "window.h"
#include "xmalloc.h"

#include "config-fixture.h"

static int
setup(void **state)
{
	const char	*t = getenv("TMPDIR");
	char		*tz;

	(void)state;
	xasprintf(&tmpdir, "%s/roiwatch-rules-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	copy_zone("Europe/Paris");
	copy_zone("America/New_York");
	xasprintf(&tz, "%s/zoneinfo", tmpdir);
	setenv("TZDIR", tz, 1);
	free(tz);
	write_file("tok/a.token", "aaaaaaaaaaaaaaaaaaaa-token-a\n");
	write_file("tok/b.token", "bbbbbbbbbbbbbbbbbbbb-token-b\n");
	write_file("tok/c.token", "cccccccccccccccccccc-token-c\n");
	write_file("main.conf", "{ \"state_dir\": \"state\" }\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	tmpdir = NULL;
	return 0;
}

/*
 * A client file whose lines 1..8 are fixed and whose line 9 onwards is
 * `extra`, which starts with a comma (the last fixed line has none).
 */
static void
write_client(const char *file, const char *id, const char *currency,
    const char *token, const char *extra)
{
	char	*text;

	xasprintf(&text,
	    "{\n"						/* 1 */
	    "  \"id\": \"%s\",\n"				/* 2 */
	    "  \"name\": \"Client %s\",\n"			/* 3 */
	    "  \"currency\": \"%s\",\n"				/* 4 */
	    "  \"timezone\": \"Europe/Paris\",\n"		/* 5 */
	    "  \"minimum_roi\": \"2.5:1\",\n"			/* 6 */
	    "  \"token_file\": \"%s\",\n"			/* 7 */
	    "  \"receivers\": [{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"mail\"}]\n"				/* 8 */
	    "%s\n"						/* 9.. */
	    "}\n", id, id, currency, token, extra != NULL ? extra : "");
	write_file(file, text);
	free(text);
}

static struct config *
load(char **cause)
{
	char		*path;
	struct config	*cfg;

	xasprintf(&path, "%s/main.conf", tmpdir);
	*cause = NULL;
	cfg = config_load(path, NULL, cause);
	free(path);
	return cfg;
}

static struct config *
load_ok(void)
{
	struct config	*cfg;
	char		*cause;

	if ((cfg = load(&cause)) == NULL)
		fail_msg("load failed: %s", cause);
	return cfg;
}

/* Load must fail with exactly "<tmpdir>/<file>:<rest>". */
static void
load_fails(const char *file, const char *rest)
{
	struct config	*cfg;
	char		*cause, *expect;

	cfg = load(&cause);
	if (cfg != NULL) {
		config_free(cfg);
		fail_msg("load succeeded; expected %s:%s", file, rest);
	}
	xasprintf(&expect, "%s/%s:%s", tmpdir, file, rest);
	if (strcmp(cause, expect) != 0)
		fail_msg("got      \"%s\"\nexpected \"%s\"", cause, expect);
	free(expect);
	free(cause);
}

/* One client whose "rules" (from line 9; the first object on line 10). */
static void
rules_fail(const char *rules, const char *rest)
{
	char	*extra;

	xasprintf(&extra, "  ,\"rules\": [\n%s\n  ]", rules);
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token", extra);
	free(extra);
	load_fails("clients.d/a.conf", rest);
}

static const struct rule_def *
rule(const struct client_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nruleset; i++) {
		if (strcmp(c->ruleset[i].name, name) == 0)
			return &c->ruleset[i];
	}
	fail_msg("client %s has no rule %s", c->id, name);
	return NULL;
}

static int
has_rule(const struct client_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nruleset; i++) {
		if (strcmp(c->ruleset[i].name, name) == 0)
			return 1;
	}
	return 0;
}

static void
assert_measure(const struct rule_cond *k, const char *name)
{
	char	buf[64];

	assert_string_equal(measure_name(&k->m, buf, sizeof buf), name);
}

static int32_t
day(const char *iso)
{
	int32_t	d;

	assert_int_equal(metric_parse_iso_date(iso, strlen(iso), &d), 0);
	return d;
}

#define EUR(x)	((int64_t)(x) * 1000000)
#define PCT(x)	((int64_t)(x) * 10000)

/* The example, every rule in one client file. */
static const char *example =
    "  ,\"rules\": [\n"						/* 9 */
    "  { \"name\": \"cpa_high\", \"kpi\": \"cpa\", \"op\": \">\","
    " \"value\": \"40 EUR\", \"window\": \"last_7_days\",\n"	/* 10 */
    "    \"scope\": \"campaign\", \"severity\": \"warning\","
    " \"volume\": \"spend\", \"min_volume\": \"100\",\n"	/* 11 */
    "    \"pending_secs\": \"1h\", \"clear\": \"38 EUR\","
    " \"repeat_secs\": \"1d\", \"notify_resolve\": true,\n"	/* 12 */
    "    \"min_coverage\": \"80%\",\n"				/* 13 */
    "    \"overrides\": [ { \"channel\": \"meta\", \"value\":"
    " \"50 EUR\", \"clear\": \"45 EUR\" },\n"			/* 14 */
    "                   { \"campaign\": \"Brand\", \"disabled\":"
    " true },\n"						/* 15 */
    "                   { \"campaign\": \"Launch\","
    " \"min_volume\": \"500\" } ] },\n"				/* 16 */
    "  { \"name\": \"roi_drop\", \"type\": \"change\", \"kpi\":"
    " \"roi\", \"op\": \"<\", \"value\": \"-30%\", \"window\":"
    " \"last_7_days\" },\n"					/* 17 */
    "  { \"name\": \"spend_no_conv\", \"type\": \"compound\","
    " \"window\": \"last_7_days\",\n"				/* 18 */
    "    \"all\": [ { \"kpi\": \"spend\", \"change\": true, \"op\":"
    " \">\", \"value\": \"30%\" },\n"				/* 19 */
    "             { \"kpi\": \"conversions\", \"change\": true,"
    " \"op\": \"<\", \"value\": \"5%\" } ] },\n"		/* 20 */
    "  { \"name\": \"month_budget\", \"type\": \"budget\", \"scope\":"
    " \"client\", \"budget\": \"3000\", \"period\": \"month\",\n" /* 21 */
    "    \"kpi\": \"pacing\", \"op\": \">\", \"value\": \"1.1\" },\n"
								/* 22 */
    "  { \"name\": \"flight\", \"type\": \"budget\", \"scope\":"
    " \"campaign\", \"budget\": \"10000\", \"period\": \"flight\",\n"
								/* 23 */
    "    \"from\": \"2026-11-01\", \"to\": \"2026-12-31\", \"kpi\":"
    " \"budget_used\", \"op\": \">\", \"value\": \"90%\" },\n"	/* 24 */
    "  { \"name\": \"gads_fresh\", \"type\": \"freshness\", \"scope\":"
    " \"client\", \"channel\": \"google_ads\",\n"		/* 25 */
    "    \"expect\": \"yesterday\", \"by\": \"09:00\" }\n"	/* 26 */
    "  ]";

static void
test_rules_example(void **state)
{
	struct config		*cfg;
	const struct client_conf *c;
	const struct rule_def	*r;
	char			*file;

	(void)state;
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    example);
	cfg = load_ok();
	c = config_client(cfg, "acme");
	assert_non_null(c);
	xasprintf(&file, "%s/clients.d/a.conf", tmpdir);
	/* roi_low (the shorthand: no target_roi), then the six in order. */
	assert_int_equal(c->nruleset, 7);
	assert_string_equal(c->ruleset[0].name, "roi_low");
	assert_string_equal(c->ruleset[1].name, "cpa_high");
	assert_string_equal(c->ruleset[6].name, "gads_fresh");

	r = rule(c, "cpa_high");
	assert_int_equal(r->kind, ALERT_RULE);
	assert_int_equal(r->type, RULE_THRESHOLD);
	assert_int_equal(r->scope, RULE_SCOPE_CAMPAIGN);
	assert_int_equal(r->severity, RULE_SEV_WARNING);
	assert_int_equal(r->ncond, 1);
	assert_measure(&r->cond[0], "cpa");
	assert_int_equal(r->cond[0].cmp, RULE_CMP_GT);
	assert_int_equal(r->cond[0].value, EUR(40));
	assert_int_equal(r->cond[0].clear, EUR(38));
	assert_int_equal(r->cond[0].change, 0);
	assert_int_equal(r->window.kind, WINDOW_LAST_DAYS);
	assert_int_equal(r->window.n, 7);
	assert_int_equal(r->volume, RULE_VOLUME_SPEND);
	assert_int_equal(r->min_volume, EUR(100));
	assert_int_equal(r->min_coverage_ppm, PCT(80));
	assert_int_equal(r->pending_secs, 3600);
	assert_int_equal(r->repeat_secs, 86400);
	assert_int_equal(r->notify_resolve, 1);
	assert_int_equal(r->flap_max, 3);
	assert_int_equal(r->flap_secs, 3600);
	assert_int_equal(r->origin, RULE_ORIGIN_CLIENT);
	assert_string_equal(r->file, file);
	assert_int_equal(r->line, 10);
	assert_int_equal(r->nov, 3);
	assert_string_equal(r->ov[0].channel, "meta");
	assert_null(r->ov[0].campaign);
	assert_int_equal(r->ov[0].has_value, 1);
	assert_int_equal(r->ov[0].value, EUR(50));
	assert_int_equal(r->ov[0].has_clear, 1);
	assert_int_equal(r->ov[0].clear, EUR(45));
	assert_int_equal(r->ov[0].line, 14);
	assert_string_equal(r->ov[1].campaign, "Brand");
	assert_int_equal(r->ov[1].disabled, 1);
	assert_int_equal(r->ov[1].has_value, 0);
	assert_int_equal(r->ov[1].line, 15);
	assert_string_equal(r->ov[2].campaign, "Launch");
	assert_int_equal(r->ov[2].has_min_volume, 1);
	assert_int_equal(r->ov[2].min_volume, EUR(500));
	assert_int_equal(r->ov[2].line, 16);

	r = rule(c, "roi_drop");
	assert_int_equal(r->type, RULE_CHANGE);
	assert_int_equal(r->ncond, 1);
	assert_measure(&r->cond[0], "roi");
	assert_int_equal(r->cond[0].change, 1);
	assert_int_equal(r->cond[0].cmp, RULE_CMP_LT);
	assert_int_equal(r->cond[0].value, -PCT(30));
	assert_int_equal(r->cond[0].clear, -PCT(30));
	assert_int_equal(r->line, 17);
	/* Defaults of a new rule: not the client's pending/repeat. */
	assert_int_equal(r->severity, RULE_SEV_WARNING);
	assert_int_equal(r->pending_secs, 0);
	assert_int_equal(r->repeat_secs, 0);
	assert_int_equal(r->min_volume, 0);
	assert_int_equal(r->min_coverage_ppm, PCT(50));	/* the client's */

	r = rule(c, "spend_no_conv");
	assert_int_equal(r->type, RULE_COMPOUND);
	assert_int_equal(r->ncond, 2);
	assert_measure(&r->cond[0], "spend");
	assert_int_equal(r->cond[0].change, 1);
	assert_int_equal(r->cond[0].cmp, RULE_CMP_GT);
	assert_int_equal(r->cond[0].value, PCT(30));
	assert_measure(&r->cond[1], "conversions");
	assert_int_equal(r->cond[1].change, 1);
	assert_int_equal(r->cond[1].cmp, RULE_CMP_LT);
	assert_int_equal(r->cond[1].value, PCT(5));
	assert_int_equal(r->line, 18);

	r = rule(c, "month_budget");
	assert_int_equal(r->type, RULE_BUDGET);
	assert_int_equal(r->scope, RULE_SCOPE_CLIENT);
	assert_int_equal(r->budget, EUR(3000));
	assert_int_equal(r->period, BUDGET_MONTH);
	assert_measure(&r->cond[0], "pacing");
	assert_int_equal(r->cond[0].cmp, RULE_CMP_GT);
	assert_int_equal(r->cond[0].value, 1100000);
	assert_int_equal(r->ncond, 1);

	r = rule(c, "flight");
	assert_int_equal(r->type, RULE_BUDGET);
	assert_int_equal(r->scope, RULE_SCOPE_CAMPAIGN);
	assert_int_equal(r->budget, EUR(10000));
	assert_int_equal(r->period, BUDGET_FLIGHT);
	assert_int_equal(r->flight_from, day("2026-11-01"));
	assert_int_equal(r->flight_to, day("2026-12-31"));
	assert_measure(&r->cond[0], "budget_used");
	assert_int_equal(r->cond[0].value, PCT(90));

	r = rule(c, "gads_fresh");
	assert_int_equal(r->type, RULE_FRESHNESS);
	assert_int_equal(r->scope, RULE_SCOPE_CLIENT);
	assert_string_equal(r->channel, "google_ads");
	assert_int_equal(r->lag_days, 1);
	assert_int_equal(r->by_sec, 9 * 3600);
	assert_int_equal(r->ncond, 1);
	assert_int_equal(r->cond[0].cmp, RULE_CMP_GT);
	assert_int_equal(r->cond[0].value, 0);
	assert_null(r->cond[0].m.def);
	assert_int_equal(r->line, 25);

	assert_true(c->rule_scopes & (1u << RULE_SCOPE_CLIENT));
	assert_true(c->rule_scopes & (1u << RULE_SCOPE_CAMPAIGN));
	assert_int_equal(c->rule_calendar, 1);
	free(file);
	config_free(cfg);
}

/* Defaults of type-dependent options; budget defaults; freshness forms. */
static void
test_rules_type_defaults(void **state)
{
	struct config		*cfg;
	const struct client_conf *c;
	const struct rule_def	*r;

	(void)state;
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"rules\": [\n"
	    "  { \"name\": \"pace\", \"type\": \"budget\", \"budget\": 3000,"
	    " \"period\": \"month\" },\n"
	    "  { \"name\": \"proj\", \"type\": \"budget\", \"budget\":"
	    " \"2000.50\", \"period\": \"month\", \"kpi\":"
	    " \"projected_spend\" },\n"
	    "  { \"name\": \"late\", \"type\": \"freshness\", \"by\":"
	    " \"10:30\", \"expect\": \"3_days_ago\", \"scope\":"
	    " \"campaign\", \"timezone\": \"Europe/Paris\" },\n"
	    "  { \"name\": \"today\", \"type\": \"freshness\", \"by\":"
	    " \"23:59\", \"expect\": \"today\" },\n"
	    "  { \"name\": \"clicks\", \"kpi\": \"ctr\", \"op\": \"<=\","
	    " \"value\": \"1%\", \"volume\": \"clicks\", \"min_volume\": 200,"
	    " \"window\": \"mtd\", \"severity\": \"info\","
	    " \"notify_resolve\": false }\n"
	    "  ]");
	cfg = load_ok();
	c = config_client(cfg, "acme");

	r = rule(c, "pace");
	assert_measure(&r->cond[0], "pacing");
	assert_int_equal(r->cond[0].cmp, RULE_CMP_GT);
	assert_int_equal(r->cond[0].value, 1000000);	/* 1.0: 100 % */
	assert_int_equal(r->cond[0].clear, 1000000);
	assert_int_equal(r->scope, RULE_SCOPE_CAMPAIGN);
	assert_int_equal(r->budget, EUR(3000));

	r = rule(c, "proj");
	assert_measure(&r->cond[0], "projected_spend");
	assert_int_equal(r->budget, 2000500000);
	assert_int_equal(r->cond[0].value, 2000500000);	/* the budget */

	r = rule(c, "late");
	assert_int_equal(r->scope, RULE_SCOPE_CAMPAIGN);
	assert_int_equal(r->lag_days, 3);
	assert_int_equal(r->by_sec, 10 * 3600 + 30 * 60);
	assert_null(r->channel);

	r = rule(c, "today");
	assert_int_equal(r->scope, RULE_SCOPE_CLIENT);	/* freshness default */
	assert_int_equal(r->lag_days, 0);
	assert_int_equal(r->by_sec, 86340);

	r = rule(c, "clicks");
	assert_measure(&r->cond[0], "ctr");
	assert_int_equal(r->cond[0].cmp, RULE_CMP_LE);
	assert_int_equal(r->cond[0].value, PCT(1));
	assert_int_equal(r->volume, RULE_VOLUME_CLICKS);
	assert_int_equal(r->min_volume, 200);		/* a count */
	assert_int_equal(r->window.kind, WINDOW_MTD);
	assert_int_equal(r->severity, RULE_SEV_INFO);
	assert_int_equal(r->notify_resolve, 0);
	config_free(cfg);
}

/*
 * The main file's rules apply to every client, each read in the client's
 * currency; a client's rule of the same name replaces one, a client turns
 * one off by name.
 */
static void
test_rules_defaults(void **state)
{
	struct config		*cfg;
	const struct client_conf *a, *b, *u;
	const struct rule_def	*r;
	char			*main_path, *bfile;

	(void)state;
	write_file("main.conf",
	    "{ \"state_dir\": \"state\",\n"				/* 1 */
	    "  \"rules\": [\n"						/* 2 */
	    "    { \"name\": \"cpa_high\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\" },\n"					/* 3 */
	    "    { \"name\": \"ctr_low\", \"kpi\": \"ctr\", \"op\": \"<\","
	    " \"value\": \"1%\", \"clear\": \"1.2%\" },\n"		/* 4 */
	    "    { \"name\": \"fresh\", \"type\": \"freshness\", \"by\":"
	    " \"09:00\" },\n"						/* 5 */
	    "    { \"name\": \"off\", \"disabled\": true, \"kpi\": \"cpc\","
	    " \"op\": \">\", \"value\": \"3\" }\n"			/* 6 */
	    "  ]\n"
	    "}\n");
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token", "");
	write_client("clients.d/b.conf", "beta", "EUR", "tok/b.token",
	    "  ,\"rules\": [\n"						/* 9 */
	    "    { \"name\": \"cpa_high\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"60\" },\n"					/* 10 */
	    "    { \"name\": \"fresh\", \"disabled\": true }\n"	/* 11 */
	    "  ]");
	write_client("clients.d/u.conf", "usco", "USD", "tok/c.token", "");
	cfg = load_ok();
	xasprintf(&main_path, "%s/main.conf", tmpdir);
	xasprintf(&bfile, "%s/clients.d/b.conf", tmpdir);

	a = config_client(cfg, "acme");
	assert_int_equal(a->nruleset, 4);	/* roi_low + 3 defaults */
	assert_string_equal(a->ruleset[0].name, "roi_low");
	assert_string_equal(a->ruleset[1].name, "cpa_high");
	assert_string_equal(a->ruleset[2].name, "ctr_low");
	assert_string_equal(a->ruleset[3].name, "fresh");
	assert_false(has_rule(a, "off"));
	r = rule(a, "cpa_high");
	assert_int_equal(r->origin, RULE_ORIGIN_DEFAULT);
	assert_string_equal(r->file, main_path);
	assert_int_equal(r->line, 3);
	assert_int_equal(r->cond[0].value, EUR(40));
	r = rule(a, "ctr_low");
	assert_int_equal(r->cond[0].value, PCT(1));
	assert_int_equal(r->cond[0].clear, 12000);
	assert_int_equal(r->line, 4);

	b = config_client(cfg, "beta");
	assert_int_equal(b->nruleset, 3);	/* roi_low, ctr_low, cpa_high */
	assert_string_equal(b->ruleset[1].name, "ctr_low");
	assert_int_equal(b->ruleset[1].origin, RULE_ORIGIN_DEFAULT);
	r = rule(b, "cpa_high");
	assert_int_equal(r->origin, RULE_ORIGIN_CLIENT);
	assert_string_equal(r->file, bfile);
	assert_int_equal(r->line, 10);
	assert_int_equal(r->cond[0].value, EUR(60));
	assert_false(has_rule(b, "fresh"));

	/* The same default in dollars for a client in dollars. */
	u = config_client(cfg, "usco");
	r = rule(u, "cpa_high");
	assert_int_equal(r->cond[0].value, EUR(40));
	assert_int_equal(r->origin, RULE_ORIGIN_DEFAULT);
	assert_true(has_rule(u, "fresh"));
	free(main_path);
	free(bfile);
	config_free(cfg);
}

/* A default's amount names a currency: refused for another client. */
static void
test_rules_default_currency(void **state)
{
	char	*expect;

	(void)state;
	write_file("main.conf",
	    "{ \"state_dir\": \"state\",\n"
	    "  \"rules\": [\n"
	    "    { \"name\": \"cpa_high\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40 EUR\" }\n"
	    "  ]\n"
	    "}\n");
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token", "");
	write_client("clients.d/u.conf", "usco", "USD", "tok/c.token", "");
	xasprintf(&expect, "3: option 'rules[0].value': invalid threshold"
	    " \"40 EUR\" for cpa: it names the currency EUR but the client's"
	    " currency is USD (write an amount like \"40.50\" or \"40.50 USD\")"
	    " (for client 'usco', %s/clients.d/u.conf)", tmpdir);
	load_fails("main.conf", expect);
	free(expect);

	/* The client replaces it: nothing to read in dollars. */
	write_client("clients.d/u.conf", "usco", "USD", "tok/c.token",
	    "  ,\"rules\": [{ \"name\": \"cpa_high\", \"disabled\": true }]");
	config_free(load_ok());
}

/* minimum_roi / target_roi are the two rules they always were, first. */
static void
test_rules_shorthand_first(void **state)
{
	struct config		*cfg;
	const struct client_conf *c;
	struct rule_def		 sh[2];
	size_t			 n, i;

	(void)state;
	write_file("main.conf",
	    "{ \"state_dir\": \"state\",\n"
	    "  \"rules\": [{ \"name\": \"cpc_high\", \"kpi\": \"cpc\","
	    " \"op\": \">\", \"value\": \"2\" }]\n"
	    "}\n");
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"target_roi\": \"300%\", \"window_days\": 14,"
	    " \"minimum_spend\": \"50\", \"pending_secs\": 600,"
	    " \"hysteresis\": \"5%\", \"repeat_secs\": \"2h\","
	    " \"flap_max\": 0,\n"
	    "  \"rules\": [{ \"name\": \"cpa_high\", \"kpi\": \"cpa\","
	    " \"op\": \">\", \"value\": \"40\" }]");
	cfg = load_ok();
	c = config_client(cfg, "acme");
	n = rules_shorthand(&c->rules, c->window_days, sh);
	assert_int_equal(n, 2);
	assert_int_equal(c->nruleset, 4);
	for (i = 0; i < n; i++) {
		const struct rule_def *r = &c->ruleset[i];

		assert_string_equal(r->name, sh[i].name);
		assert_int_equal(r->kind, sh[i].kind);
		assert_int_equal(r->origin, RULE_ORIGIN_SHORTHAND);
		assert_int_equal(r->cond[0].cmp, sh[i].cond[0].cmp);
		assert_int_equal(r->cond[0].value, sh[i].cond[0].value);
		assert_int_equal(r->cond[0].clear, sh[i].cond[0].clear);
		assert_int_equal(r->window.kind, WINDOW_DATA_DAYS);
		assert_int_equal(r->window.n, 14);
		assert_int_equal(r->min_volume, EUR(50));
		assert_int_equal(r->pending_secs, 600);
		assert_int_equal(r->repeat_secs, sh[i].repeat_secs);
		assert_int_equal(r->flap_max, 0);
	}
	assert_string_equal(c->ruleset[0].name, "roi_low");
	assert_int_equal(c->ruleset[0].cond[0].value, PCT(150));
	assert_int_equal(c->ruleset[0].cond[0].clear, PCT(155));
	assert_int_equal(c->ruleset[0].repeat_secs, 7200);
	assert_string_equal(c->ruleset[1].name, "roi_target");
	assert_string_equal(c->ruleset[2].name, "cpc_high");
	assert_string_equal(c->ruleset[3].name, "cpa_high");
	/* New rules keep their own pending and repeat defaults. */
	assert_int_equal(c->ruleset[3].pending_secs, 0);
	assert_int_equal(c->ruleset[3].repeat_secs, 0);
	assert_int_equal(c->ruleset[3].window.kind, WINDOW_LAST_DAYS);
	config_free(cfg);
}

/* CLV inputs per channel, quiet hours and flap options of a client. */
static void
test_rules_client_options(void **state)
{
	struct config		*cfg;
	const struct client_conf *c;
	const struct measure_clv *v;

	(void)state;
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"clv\": { \"whatsapp\": { \"monthly_transactions\": \"1.5\","
	    " \"order_value\": \"80\", \"gross_margin\": \"40%\","
	    " \"lifetime_months\": 24 } },\n"
	    "  \"quiet_hours\": \"22:00-07:00\", \"flap_max\": 5,"
	    " \"flap_secs\": \"2h\"");
	cfg = load_ok();
	c = config_client(cfg, "acme");
	v = config_client_clv(c, "whatsapp");
	assert_non_null(v);
	assert_int_equal(v->has, 1);
	assert_int_equal(v->monthly_transactions, 1500000);
	assert_int_equal(v->order_value, EUR(80));
	assert_int_equal(v->margin_ppm, PCT(40));
	assert_int_equal(v->lifetime_months, 24000000);
	assert_null(config_client_clv(c, "email"));
	assert_null(config_client_clv(c, NULL));
	assert_int_equal(c->has_quiet, 1);
	assert_int_equal(c->quiet_start, 22 * 3600);
	assert_int_equal(c->quiet_end, 7 * 3600);
	assert_int_equal(c->rules.flap_max, 5);
	assert_int_equal(c->rules.flap_secs, 7200);
	assert_int_equal(c->ruleset[0].flap_max, 5);
	assert_int_equal(c->ruleset[0].flap_secs, 7200);
	config_free(cfg);

	/* Defaults: no quiet hours, flap suppression 3 within an hour. */
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"quiet_hours\": \"\"");
	cfg = load_ok();
	c = config_client(cfg, "acme");
	assert_int_equal(c->has_quiet, 0);
	assert_int_equal(c->nclv, 0);
	assert_int_equal(c->rules.flap_max, 3);
	assert_int_equal(c->rules.flap_secs, 3600);
	config_free(cfg);

	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"quiet_hours\": \"22:00-25:00\"");
	load_fails("clients.d/a.conf", "9: option 'quiet_hours': time of day"
	    " \"25:00\" is not HH:MM from 00:00 to 23:59");
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"clv\": { \"sms\": { \"monthly_transactions\": \"1\",\n"
	    "    \"order_value\": \"80 USD\", \"gross_margin\": \"40%\","
	    " \"lifetime_months\": 24 } }");
	load_fails("clients.d/a.conf", "10: option 'clv.sms.order_value':"
	    " invalid threshold \"80 USD\" for revenue: it names the currency"
	    " USD but the client's currency is EUR (write an amount like"
	    " \"40.50\" or \"40.50 EUR\")");
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"clv\": { \"sms\": { \"monthly_transactions\": \"1\","
	    " \"order_value\": \"80\", \"gross_margin\": \"140%\","
	    " \"lifetime_months\": 24 } }");
	load_fails("clients.d/a.conf", "9: option 'clv.sms.gross_margin':"
	    " \"140%\" is above 100%");
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"clv\": { \"sms\": { \"order_value\": \"80\","
	    " \"gross_margin\": \"40%\", \"lifetime_months\": 24 } }");
	load_fails("clients.d/a.conf", "9: option"
	    " 'clv.sms.monthly_transactions': missing (required)");
}

/* Every refusal: the file, the line, the option and why. */
static void
test_rules_errors(void **state)
{
	char	*expect;

	(void)state;
	/* A clear threshold on the wrong side of its value. */
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\",\n"
	    " \"value\": \"40\", \"clear\": \"45\" }",
	    "11: option 'rules[0].clear': \"45\" is above the value \"40\":"
	    " with > an alert clears once the KPI is back at or below clear,"
	    " so clear must be at most the value");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"roi\", \"op\": \"<=\","
	    " \"value\": \"150%\", \"clear\": \"140%\" }",
	    "10: option 'rules[0].clear': \"140%\" is below the value"
	    " \"150%\": with <= an alert clears once the KPI is back at or"
	    " above clear, so clear must be at least the value");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\", \"overrides\": [\n"
	    " { \"channel\": \"meta\", \"clear\": \"41\" }] }",
	    "11: option 'rules[0].overrides[0].clear': \"41\" is above the"
	    " value \"40\": with > an alert clears once the KPI is back at or"
	    " below clear, so clear must be at most the value");
	rules_fail("{ \"name\": \"a\", \"type\": \"compound\", \"all\": [\n"
	    " { \"kpi\": \"cpa\", \"op\": \"<\", \"value\": \"4\" },\n"
	    " { \"kpi\": \"cpc\", \"op\": \"<\", \"value\": \"4\","
	    " \"clear\": \"3\" } ] }",
	    "12: option 'rules[0].all[1].clear': \"3\" is below the value"
	    " \"4\": with < an alert clears once the KPI is back at or above"
	    " clear, so clear must be at least the value");
	/* An unknown KPI, with a suggestion when one is near. */
	rules_fail("{ \"name\": \"a\",\n \"kpi\": \"cpq\", \"op\": \">\","
	    " \"value\": \"40\" }",
	    "11: option 'rules[0].kpi': unknown KPI \"cpq\" (did you mean"
	    " 'cpa'?)");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"zzzzzz\", \"op\": \">\","
	    " \"value\": \"40\" }",
	    "10: option 'rules[0].kpi': unknown KPI \"zzzzzz\" (known: roi,"
	    " roas, profit, cpa, cpc, cpm, ctr, cvr, spend, revenue,"
	    " impressions, clicks, conversions, cac, clv, clv_cac,"
	    " budget_used, pacing, projected_spend, custom:NAME,"
	    " custom_avg:NAME)");
	/* Budgets. */
	rules_fail("{ \"name\": \"a\", \"type\": \"budget\",\n"
	    " \"budget\": \"3000\" }",
	    "11: option 'rules[0].period': a budget without a period: add"
	    " \"period\": \"month\" or \"flight\"");
	rules_fail("{ \"name\": \"a\", \"type\": \"budget\", \"budget\":"
	    " \"3000\",\n \"period\": \"flight\", \"from\": \"2026-11-01\" }",
	    "11: option 'rules[0].to': missing: a flight budget runs from its"
	    " first day to its last (\"from\", \"to\": YYYY-MM-DD)");
	rules_fail("{ \"name\": \"a\", \"type\": \"budget\", \"budget\":"
	    " \"3000\", \"period\": \"flight\",\n \"from\": \"2026-12-01\","
	    " \"to\": \"2026-11-30\" }",
	    "11: option 'rules[0].to': budget flight 2026-12-01 to 2026-11-30"
	    " ends before it starts");
	rules_fail("{ \"name\": \"a\", \"type\": \"budget\", \"budget\":"
	    " \"0\", \"period\": \"month\" }",
	    "10: option 'rules[0].budget': \"0\" must be above 0");
	rules_fail("{ \"name\": \"a\", \"type\": \"budget\", \"budget\":"
	    " \"30\", \"period\": \"month\",\n \"window\": \"7d\" }",
	    "11: option 'rules[0].window': does not apply to budget rules"
	    " (a budget's period is its window)");
	rules_fail("{ \"name\": \"a\", \"type\": \"budget\", \"budget\":"
	    " \"30\", \"period\": \"month\", \"kpi\": \"cpa\" }",
	    "10: option 'rules[0].kpi': a budget rule judges pacing,"
	    " budget_used or projected_spend, not cpa");
	/* A budget KPI outside a budget rule. */
	rules_fail("{ \"name\": \"a\",\n \"kpi\": \"pacing\", \"op\": \">\","
	    " \"value\": \"1.1\" }",
	    "11: option 'rules[0].kpi': pacing needs a budget: it is judged"
	    " only by rules of type \"budget\"");
	rules_fail("{ \"name\": \"a\", \"type\": \"compound\", \"all\": [\n"
	    " { \"kpi\": \"cpa\", \"op\": \"<\", \"value\": \"4\" },\n"
	    " { \"kpi\": \"budget_used\", \"op\": \">\", \"value\": \"9%\" } ]"
	    " }",
	    "12: option 'rules[0].all[1].kpi': budget_used needs a budget: it"
	    " is judged only by rules of type \"budget\"");
	/* Freshness. */
	rules_fail("{ \"name\": \"a\", \"type\": \"freshness\",\n"
	    " \"by\": \"25:00\" }",
	    "11: option 'rules[0].by': time of day \"25:00\" is not HH:MM"
	    " from 00:00 to 23:59");
	xasprintf(&expect, "11: option 'rules[0].timezone': time zone"
	    " Mars/Olympus: unknown zone (no file %s/zoneinfo/Mars/Olympus)",
	    tmpdir);
	rules_fail("{ \"name\": \"a\", \"type\": \"freshness\", \"by\":"
	    " \"09:00\",\n \"timezone\": \"Mars/Olympus\" }", expect);
	free(expect);
	rules_fail("{ \"name\": \"a\", \"type\": \"freshness\", \"by\":"
	    " \"09:00\",\n \"timezone\": \"America/New_York\" }",
	    "11: option 'rules[0].timezone': freshness rules use the client's"
	    " time zone, Europe/Paris");
	rules_fail("{ \"name\": \"a\", \"type\": \"freshness\" }",
	    "10: option 'rules[0].by': missing (required for freshness rules:"
	    " the local time \"HH:MM\" by which the data is expected)");
	rules_fail("{ \"name\": \"a\", \"type\": \"freshness\", \"by\":"
	    " \"09:00\", \"expect\": \"tomorrow\" }",
	    "10: option 'rules[0].expect': \"tomorrow\" is not \"today\","
	    " \"yesterday\" or \"N_days_ago\" (N up to 366)");
	rules_fail("{ \"name\": \"a\", \"type\": \"freshness\", \"by\":"
	    " \"09:00\", \"kpi\": \"cpa\" }",
	    "10: option 'rules[0].kpi': does not apply to freshness rules"
	    " (a freshness rule judges how many days its data is late)");
	/* Names. */
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\" },\n"
	    "{ \"name\": \"a\", \"kpi\": \"cpc\", \"op\": \">\", \"value\":"
	    " \"4\" }",
	    "11: option 'rules[1].name': rule 'a' is defined twice (rules[0],"
	    " line 10)");
	rules_fail("{ \"name\": \"roi_low\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\" }",
	    "10: option 'rules[0].name': \"roi_low\" is reserved: it is the"
	    " rule of the client's minimum_roi");
	rules_fail("{ \"name\": \"roi_target\", \"disabled\": true }",
	    "10: option 'rules[0].name': \"roi_target\" is reserved: it is"
	    " the rule of the client's target_roi");
	rules_fail("{ \"name\": \"CPA high\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\" }",
	    "10: option 'rules[0].name': \"CPA high\" is not a valid rule name"
	    " ([a-z0-9_.-], 1 to 63 characters)");
	rules_fail("{ \"name\": \"nothing\", \"disabled\": true }",
	    "10: option 'rules[0].name': 'nothing' is not a rule of the main"
	    " file: there is nothing to disable");
	/* Overrides. */
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\", \"overrides\": [\n"
	    " { \"channel\": \"meta\",\n \"campaign\": \"Brand\", \"value\":"
	    " \"50\" } ] }",
	    "12: option 'rules[0].overrides[0].campaign': an override names a"
	    " channel or a campaign, not both");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\", \"overrides\": [\n"
	    " { \"value\": \"50\" } ] }",
	    "11: option 'rules[0].overrides[0].channel': missing: an override"
	    " names the channel or the campaign it applies to");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\", \"overrides\": [\n"
	    " { \"channel\": \"meta\", \"value\": \"50\" },\n"
	    " { \"channel\": \"meta\", \"value\": \"60\" } ] }",
	    "12: option 'rules[0].overrides[1].channel': channel 'meta' has"
	    " an override already (line 11)");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"40\", \"scope\": \"client\", \"overrides\": [\n"
	    " { \"channel\": \"meta\", \"value\": \"50\" } ] }",
	    "11: option 'rules[0].overrides': a rule of scope \"client\""
	    " judges the client's total, which has no channel nor campaign"
	    " to override");
	/* Compound rules: 2 to 4 conditions, no top-level KPI. */
	rules_fail("{ \"name\": \"a\", \"type\": \"compound\",\n \"all\": [\n"
	    " { \"kpi\": \"cpa\", \"op\": \">\", \"value\": \"40\" } ] }",
	    "11: option 'rules[0].all': a compound rule has 2 to 4"
	    " conditions, not 1");
	rules_fail("{ \"name\": \"a\", \"type\": \"compound\", \"all\": [\n"
	    " { \"kpi\": \"cpa\", \"op\": \">\", \"value\": \"40\" },\n"
	    " { \"kpi\": \"cpc\", \"op\": \">\", \"value\": \"4\" },\n"
	    " { \"kpi\": \"cpm\", \"op\": \">\", \"value\": \"4\" },\n"
	    " { \"kpi\": \"ctr\", \"op\": \"<\", \"value\": \"4%\" },\n"
	    " { \"kpi\": \"cvr\", \"op\": \"<\", \"value\": \"4%\" } ] }",
	    "10: option 'rules[0].all': a compound rule has 2 to 4"
	    " conditions, not 5");
	rules_fail("{ \"name\": \"a\", \"type\": \"compound\", \"kpi\":"
	    " \"cpa\" }",
	    "10: option 'rules[0].kpi': does not apply to compound rules (a"
	    " compound rule judges the conditions of 'all')");
	rules_fail("{ \"name\": \"a\", \"type\": \"compound\" }",
	    "10: option 'rules[0].all': missing (required for compound"
	    " rules)");
	/* Money in another currency than the client's. */
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\",\n"
	    " \"value\": \"$40\" }",
	    "11: option 'rules[0].value': invalid threshold \"$40\" for cpa:"
	    " it names the currency $ but the client's currency is EUR (write"
	    " an amount like \"40.50\" or \"40.50 EUR\")");
	/* The generic walker's checks, with the rule's place. */
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \"=>\","
	    " \"value\": \"40\" }",
	    "10: option 'rules[0].op': must be one of \"<\", \"<=\", \">\","
	    " \">=\"");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"valeu\": \"40\" }",
	    "10: option 'rules[0].valeu': unknown option (did you mean"
	    " 'value'?)");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\" }",
	    "10: option 'rules[0].value': missing (required for threshold"
	    " rules)");
	rules_fail("{ \"kpi\": \"cpa\", \"op\": \">\", \"value\": \"4\" }",
	    "10: option 'rules[0].name': missing (required)");
	rules_fail("{ \"name\": \"a\", \"type\": \"change\", \"kpi\": \"roi\","
	    " \"op\": \"<\", \"value\": \"-0.3\" }",
	    "10: option 'rules[0].value': invalid change \"-0.3\": a change is"
	    " a percentage (write a percentage like \"-30%\")");
	rules_fail("{ \"name\": \"a\", \"kpi\": \"cpa\", \"op\": \">\","
	    " \"value\": \"4\", \"volume\": \"clicks\", \"min_volume\":"
	    " \"2.5\" }",
	    "10: option 'rules[0].min_volume': \"2.5\": a whole number of"
	    " clicks");
	rules_fail("\"cpa\"",
	    "10: option 'rules[0]': must be a rule object");
}

/* A main file's rule that contradicts itself fails for every client. */
static void
test_rules_main_errors(void **state)
{
	char	*expect;

	(void)state;
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token", "");
	write_file("main.conf",
	    "{ \"state_dir\": \"state\", \"rules\": [\n"
	    "  { \"name\": \"x\", \"disabled\": true } ] }\n");
	load_fails("main.conf", "2: option 'rules[0].disabled': a rule of the"
	    " main file is disabled with its definition, or removed: only a"
	    " client file turns off a rule by its name");
	write_file("main.conf",
	    "{ \"state_dir\": \"state\", \"rules\": [\n"
	    "  { \"name\": \"x\", \"kpi\": \"roas\", \"op\": \"<\", \"value\":"
	    " \"3:1\",\n \"clear\": \"2:1\" } ] }\n");
	xasprintf(&expect, "3: option 'rules[0].clear': \"2:1\" is below the"
	    " value \"3:1\": with < an alert clears once the KPI is back at or"
	    " above clear, so clear must be at least the value (for client"
	    " 'acme', %s/clients.d/a.conf)", tmpdir);
	load_fails("main.conf", expect);
	free(expect);
	write_file("main.conf",
	    "{ \"state_dir\": \"state\", \"rules\": [\n"
	    "  { \"name\": \"x\", \"kpi\": \"cpx\", \"op\": \"<\", \"value\":"
	    " \"3\" } ] }\n");
	load_fails("main.conf", "2: option 'rules[0].kpi': unknown KPI \"cpx\""
	    " (did you mean 'cpa'?)");
}

/* check-config --options lists the rule options; the summary the rules. */
static void
test_rules_print(void **state)
{
	struct config	*cfg;
	char		*buf = NULL, *expect;
	size_t		 len = 0;
	FILE		*f;

	(void)state;
	f = open_memstream(&buf, &len);
	config_print_options(f);
	fclose(f);
	assert_non_null(strstr(buf, "Rule objects"));
	assert_non_null(strstr(buf, "  min_coverage             percent,"
	    " optional, for threshold change compound budget\n"));
	assert_non_null(strstr(buf, "  window                   string,"
	    " default \"last_7_days\", for threshold change compound\n"));
	assert_non_null(strstr(buf, "  flap_max                 integer,"
	    " 0..1000, default 3\n"));
	assert_non_null(strstr(buf, "  gross_margin             text,"
	    " required\n"));
	free(buf);

	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    example);
	cfg = load_ok();
	buf = NULL;
	f = open_memstream(&buf, &len);
	config_print_summary(cfg, f);
	fclose(f);
	xasprintf(&expect, "  rule cpa_high       campaign  cpa > €40.00"
	    " (clears at €38.00) over last_7_days  warning  (client's rules,"
	    " %s/clients.d/a.conf:10)\n"
	    "    channel meta: value €50.00 clear €45.00 (line 14)\n"
	    "    campaign Brand: disabled (line 15)\n"
	    "    campaign Launch: min_volume 500 (line 16)\n"
	    "  rule roi_drop       campaign  roi change < -30%% over"
	    " last_7_days  warning", tmpdir);
	if (strstr(buf, expect) == NULL)
		fail_msg("summary:\n%s\nlacks:\n%s", buf, expect);
	assert_non_null(strstr(buf, "  rule month_budget   client    pacing >"
	    " 1.1 of a monthly budget of €3,000.00  warning"));
	assert_non_null(strstr(buf, "  rule gads_fresh     client    data of"
	    " yesterday (google_ads) by 09:00 Europe/Paris  warning"));
	free(expect);
	free(buf);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules_example, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_type_defaults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_defaults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_default_currency,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_shorthand_first,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_client_options,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_main_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_print, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
