/*
 * Routing options of the configuration: a receiver's "severities" (a set;
 * all by default; unknown, empty or repeated ones refused with the file and
 * line), its "min_interval_msecs" (its type's default from the per-type
 * table), a client's "group_wait_secs" (bounds) and the main file's
 * "catchup_max". Files go into a fresh temporary directory per test, with a
 * private $TZDIR holding the one zone the client names.
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

#include "config.h"
#include "rules.h"
#include "xmalloc.h"

#define CONFIG_FIXTURE_NO_ZONES
#include "config-fixture.h"

static int
setup(void **state)
{
	const char	*t = getenv("TMPDIR");
	char		*tz, buf[65536];
	FILE		*in, *out;
	size_t		 n;

	(void)state;
	xasprintf(&tmpdir, "%s/roiwatch-routing-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	write_file("zoneinfo/Europe/Paris", "");
	xasprintf(&tz, "%s/zoneinfo/Europe/Paris", tmpdir);
	if ((in = fopen("/usr/share/zoneinfo/Europe/Paris", "rb")) == NULL ||
	    (out = fopen(tz, "wb")) == NULL)
		fail_msg("Europe/Paris: %s (install tzdata)", strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	free(tz);
	xasprintf(&tz, "%s/zoneinfo", tmpdir);
	setenv("TZDIR", tz, 1);
	free(tz);
	write_file("tok/a.token", "aaaaaaaaaaaaaaaaaaaa-token-a\n");
	write_file("main.conf", "{ \"state_dir\": \"state\" }\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	return 0;
}

/* Client file a.conf: `extra` on line 7, the receivers from line 8 on. */
static void
write_client(const char *extra, const char *receivers)
{
	char	*text;

	xasprintf(&text,
	    "// client\n"				/* 1 */
	    "{ \"id\": \"acme\", \"name\": \"ACME\",\n"	/* 2 */
	    "  \"currency\": \"EUR\",\n"		/* 3 */
	    "  \"timezone\": \"Europe/Paris\",\n"	/* 4 */
	    "  \"minimum_roi\": \"2.5:1\",\n"		/* 5 */
	    "  \"token_file\": \"tok/a.token\",\n"	/* 6 */
	    "  %s\n"					/* 7 */
	    "  \"receivers\": %s\n"			/* 8 */
	    "}\n", extra != NULL ? extra : "", receivers);
	write_file("clients.d/a.conf", text);
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

/* Loading fails with "<tmpdir>/<file>:<rest...>". */
static void
load_fails(const char *file, const char *rest)
{
	struct config	*cfg;
	char		*cause, *expect;

	if ((cfg = load(&cause)) != NULL) {
		config_free(cfg);
		fail_msg("load succeeded; expected %s:%s", file, rest);
	}
	xasprintf(&expect, "%s/%s:%s", tmpdir, file, rest);
	if (strstr(cause, expect) != cause)
		fail_msg("got \"%s\"\nexpected \"%s...\"", cause, expect);
	free(expect);
	free(cause);
}

#define BIT(s)	(1u << (s))

static void
test_defaults(void **state)
{
	struct config			*cfg;
	const struct client_conf	*c;
	char				*cause;

	(void)state;
	write_client(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"mail\"},\n"
	    "  {\"name\": \"w\", \"type\": \"webhook\","
	    " \"url\": \"https://hooks.example/x\"},\n"
	    "  {\"name\": \"s\", \"type\": \"smtp\", \"url\": \"smtps://mx:465\","
	    " \"from\": \"a@b.example\", \"to\": [\"c@d.example\"]}]");
	if ((cfg = load(&cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(cfg->catchup_max, 5);
	c = config_client(cfg, "acme");
	assert_non_null(c);
	assert_int_equal(c->group_wait_secs, 0);
	assert_int_equal(c->nreceivers, 3);
	assert_int_equal(c->receivers[0].severity_mask, BIT(RULE_SEV_MAX) - 1);
	assert_int_equal(c->receivers[0].min_interval_msecs, 0);
	assert_int_equal(c->receivers[1].severity_mask, BIT(RULE_SEV_MAX) - 1);
	assert_int_equal(c->receivers[1].min_interval_msecs, 0);
	assert_int_equal(c->receivers[2].min_interval_msecs, 0);
	config_free(cfg);
}

static void
test_given(void **state)
{
	struct config			*cfg;
	const struct client_conf	*c;
	char				*cause;

	(void)state;
	write_file("main.conf", "{ \"state_dir\": \"state\","
	    " \"catchup_max\": 0 }\n");
	write_client("\"group_wait_secs\": \"2m\",",
	    "[{\"name\": \"pager\", \"type\": \"file\", \"dir\": \"p\","
	    " \"severities\": [\"critical\"]},\n"
	    "  {\"name\": \"team\", \"type\": \"webhook\","
	    " \"url\": \"https://hooks.example/x\","
	    " \"severities\": [\"warning\", \"good\", \"info\"],"
	    " \"min_interval_msecs\": 250}]");
	if ((cfg = load(&cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(cfg->catchup_max, 0);
	c = config_client(cfg, "acme");
	assert_int_equal(c->group_wait_secs, 120);
	assert_int_equal(c->receivers[0].severity_mask, BIT(RULE_SEV_CRITICAL));
	assert_int_equal(c->receivers[1].severity_mask,
	    BIT(RULE_SEV_WARNING) | BIT(RULE_SEV_GOOD) | BIT(RULE_SEV_INFO));
	assert_int_equal(c->receivers[1].min_interval_msecs, 250);
	config_free(cfg);
}

static void
test_errors(void **state)
{
	(void)state;
	/* An unknown severity: its own line (10, the list's third line). */
	write_client(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"m\",\n"
	    "  \"severities\": [\"critical\",\n"
	    "    \"urgent\"]}]");
	load_fails("clients.d/a.conf", "10: option 'severities': \"urgent\" is not a"
	    " severity (critical, warning, info or good)");
	write_client(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"m\",\n  \"severities\": []}]");
	load_fails("clients.d/a.conf", "9: option 'severities': empty");
	write_client(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"m\",\n  \"severities\": [\"good\", \"good\"]}]");
	load_fails("clients.d/a.conf", "9: option 'severities': \"good\" is listed"
	    " twice");
	write_client(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"m\",\n  \"severities\": \"critical\"}]");
	load_fails("clients.d/a.conf", "9: option 'severities': must be an array");
	write_client(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"m\",\n  \"min_interval_msecs\": -1}]");
	load_fails("clients.d/a.conf", "9: option 'min_interval_msecs':");
	write_client("\"group_wait_secs\": \"2h\",", "[{\"name\": \"m\","
	    " \"type\": \"file\", \"dir\": \"m\"}]");
	load_fails("clients.d/a.conf", "7: option 'group_wait_secs':");
	write_client(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"m\"}]");
	write_file("main.conf", "{ \"state_dir\": \"state\",\n"
	    "  \"catchup_max\": -3 }\n");
	load_fails("main.conf", "2: option 'catchup_max':");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_given, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
