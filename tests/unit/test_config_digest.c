/*
 * Tests of scheduled digests in client files (config-digest.c): every kind
 * of digest object parsed into its struct digest_conf (defaults of name
 * and time, receivers before or after "digests"), their lines in
 * check-config's summary and the options' help, and every refusal with
 * its message and line. Files are written into a fresh temporary
 * directory per test, with a private $TZDIR.
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
#include "digest-schedule.h"
#include "xmalloc.h"

#include "config-fixture.h"

static int
setup(void **state)
{
	const char	*t = getenv("TMPDIR");
	char		*tz;

	(void)state;
	xasprintf(&tmpdir, "%s/roiwatch-digest-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	copy_zone("Europe/Paris");
	xasprintf(&tz, "%s/zoneinfo", tmpdir);
	setenv("TZDIR", tz, 1);
	free(tz);
	write_file("tok/a.token", "aaaaaaaaaaaaaaaaaaaa-token-a\n");
	write_file("tok/b.token", "bbbbbbbbbbbbbbbbbbbb-token-b\n");
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
 * A client file whose lines 1..8 are fixed (receivers "m" and "chat") and
 * whose line 9 onwards is `extra`, which starts with a comma (the last
 * fixed line has none).
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
	    " \"dir\": \"mail\"}, {\"name\": \"chat\", \"type\":"
	    " \"file\", \"dir\": \"chat\"}]\n"		/* 8 */
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

/* One client whose "digests" are `digests` (from line 9; the first object
 * on line 10): loading fails with `rest`. */
static void
digests_fail(const char *digests, const char *rest)
{
	char	*extra;

	xasprintf(&extra, "  ,\"digests\": [\n%s\n  ]", digests);
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token", extra);
	free(extra);
	load_fails("clients.d/a.conf", rest);
}

static const char *example =
    "  ,\"digests\": [\n"						/* 9 */
    "    {\"every\": \"daily\", \"receivers\": [\"m\"]},\n"		/* 10 */
    "    {\"name\": \"weekly-mon\", \"every\": \"weekly\", \"day\":"
    " \"monday\", \"at\": \"07:30\", \"receivers\": [\"m\", \"chat\"]},\n"
									/* 11 */
    "    {\"every\": \"monthly\", \"day\": 31, \"receivers\":"
    " [\"chat\"]},\n"							/* 12 */
    "    {\"name\": \"eom\", \"every\": \"monthly\", \"day\": \"last\","
    " \"at\": \"23:59\", \"receivers\": [\"m\"]},\n"			/* 13 */
    "    {\"name\": \"sun\", \"every\": \"weekly\", \"day\": \"sunday\","
    " \"at\": \"00:00\", \"receivers\": [\"chat\"]},\n"		/* 14 */
    "    {\"name\": \"first\", \"every\": \"monthly\", \"day\": \"1\","
    " \"receivers\": [\"m\"]}\n"					/* 15 */
    "  ]";

static void
test_parse(void **state)
{
	struct config		*cfg;
	const struct client_conf *c;
	const struct digest_conf *d;

	(void)state;
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    example);
	write_client("clients.d/b.conf", "beta", "EUR", "tok/b.token", NULL);
	cfg = load_ok();
	assert_int_equal(cfg->nclients, 2);
	c = &cfg->clients[0];
	assert_string_equal(c->id, "acme");
	assert_int_equal(c->ndigests, 6);

	d = &c->digests[0];		/* name and time by default */
	assert_string_equal(d->name, "daily");
	assert_int_equal(d->sched.every, DIGEST_DAILY);
	assert_int_equal(d->sched.at, 8 * 3600);
	assert_int_equal(d->nreceivers, 1);
	assert_string_equal(d->receivers[0], "m");
	assert_int_equal(d->line, 10);

	d = &c->digests[1];
	assert_string_equal(d->name, "weekly-mon");
	assert_int_equal(d->sched.every, DIGEST_WEEKLY);
	assert_int_equal(d->sched.weekday, 1);
	assert_int_equal(d->sched.at, 7 * 3600 + 30 * 60);
	assert_int_equal(d->nreceivers, 2);
	assert_string_equal(d->receivers[0], "m");
	assert_string_equal(d->receivers[1], "chat");
	assert_int_equal(d->line, 11);

	d = &c->digests[2];
	assert_string_equal(d->name, "monthly");
	assert_int_equal(d->sched.every, DIGEST_MONTHLY);
	assert_int_equal(d->sched.monthday, 31);
	assert_int_equal(d->sched.at, 8 * 3600);

	d = &c->digests[3];
	assert_string_equal(d->name, "eom");
	assert_int_equal(d->sched.monthday, DIGEST_LAST_DAY);
	assert_int_equal(d->sched.at, 23 * 3600 + 59 * 60);

	d = &c->digests[4];
	assert_int_equal(d->sched.weekday, 0);
	assert_int_equal(d->sched.at, 0);

	d = &c->digests[5];		/* a day written as a string */
	assert_int_equal(d->sched.monthday, 1);

	/* None given: none. */
	assert_int_equal(cfg->clients[1].ndigests, 0);
	assert_null(cfg->clients[1].digests);
	config_free(cfg);
}

/* "receivers" may come after "digests" in the file. */
static void
test_receivers_after(void **state)
{
	struct config	*cfg;

	(void)state;
	write_file("clients.d/a.conf",
	    "{ \"id\": \"acme\", \"name\": \"A\", \"currency\": \"EUR\",\n"
	    "  \"timezone\": \"Europe/Paris\", \"minimum_roi\": \"150%\",\n"
	    "  \"token_file\": \"tok/a.token\",\n"
	    "  \"digests\": [{\"every\": \"weekly\", \"day\": \"friday\","
	    " \"receivers\": [\"late\"]}],\n"
	    "  \"receivers\": [{\"name\": \"late\", \"type\": \"file\","
	    " \"dir\": \"mail\"}] }\n");
	cfg = load_ok();
	assert_int_equal(cfg->clients[0].ndigests, 1);
	assert_int_equal(cfg->clients[0].digests[0].sched.weekday, 5);
	config_free(cfg);
	/* And an unknown one is still found there, at its line. */
	write_file("clients.d/a.conf",
	    "{ \"id\": \"acme\", \"name\": \"A\", \"currency\": \"EUR\",\n"
	    "  \"timezone\": \"Europe/Paris\", \"minimum_roi\": \"150%\",\n"
	    "  \"token_file\": \"tok/a.token\",\n"
	    "  \"digests\": [{\"every\": \"daily\", \"receivers\": [\"late\","
	    "\n  \"early\"]}],\n"
	    "  \"receivers\": [{\"name\": \"late\", \"type\": \"file\","
	    " \"dir\": \"mail\"}] }\n");
	load_fails("clients.d/a.conf", "5: option 'digests[0].receivers':"
	    " digest 'daily': no receiver named 'early' in this client (its"
	    " receivers: late)");
}

static char *
summary(struct config *cfg)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*f;

	f = open_memstream(&out, &len);
	assert_non_null(f);
	config_print_summary(cfg, f);
	fclose(f);
	return out;
}

static void
test_summary(void **state)
{
	static const char *const want[] = {
	    "  digest daily     daily at 08:00 (Europe/Paris), to m"
	    " (line 10)\n",
	    "  digest weekly-mon weekly on monday at 07:30 (Europe/Paris),"
	    " to m, chat (line 11)\n",
	    "  digest monthly   monthly on day 31 at 08:00 (Europe/Paris),"
	    " to chat (line 12)\n",
	    "  digest eom       monthly on the last day at 23:59"
	    " (Europe/Paris), to m (line 13)\n",
	    "  digest sun       weekly on sunday at 00:00 (Europe/Paris),"
	    " to chat (line 14)\n",
	};
	struct config	*cfg;
	char		*out, *opts = NULL;
	size_t		 i, len = 0;
	FILE		*f;

	(void)state;
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    example);
	cfg = load_ok();
	out = summary(cfg);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (strstr(out, want[i]) == NULL)
			fail_msg("summary lacks \"%s\":\n%s", want[i], out);
	}
	free(out);
	config_free(cfg);

	/* The options' help lists the digest object's options. */
	f = open_memstream(&opts, &len);
	assert_non_null(f);
	config_print_options(f);
	fclose(f);
	assert_non_null(strstr(opts, "  digests                  digests,"
	    " optional\n"));
	assert_non_null(strstr(opts, "Digest objects (in a client's"
	    " \"digests\"):\n"));
	assert_non_null(strstr(opts, "  every                    choice"
	    " \"daily\"|\"weekly\"|\"monthly\", required\n"));
	assert_non_null(strstr(opts, "  at                       string,"
	    " default \"08:00\"\n"));
	free(opts);
}

static void
test_refused(void **state)
{
	static const struct {
		const char	*digests, *rest;
	} bad[] = {
		{ "    3",
		  "10: option 'digests[0]': must be a digest object" },
		{ "    {\"receivers\": [\"m\"]}",
		  "10: option 'digests[0].every': missing (required)" },
		{ "    {\"every\": \"hourly\", \"receivers\": [\"m\"]}",
		  "10: option 'digests[0].every': must be one of \"daily\","
		  " \"weekly\", \"monthly\"" },
		{ "    {\"every\": \"weekly\", \"receivers\": [\"m\"],"
		  " \"days\": \"monday\"}",
		  "10: option 'digests[0].days': unknown option (did you mean"
		  " 'day'?)" },
		{ "    {\"every\": \"daily\", \"receivers\": [\"m\"],"
		  " \"day\": \"monday\"}",
		  "10: option 'digests[0].day': a daily digest takes no day"
		  " (only weekly and monthly ones do)" },
		{ "    {\"every\": \"weekly\", \"receivers\": [\"m\"]}",
		  "10: option 'digests[0].day': missing (required for a weekly"
		  " digest): \"monday\", \"tuesday\", \"wednesday\","
		  " \"thursday\", \"friday\", \"saturday\" or \"sunday\"" },
		{ "    {\"every\": \"weekly\",\n"
		  "     \"day\": \"Monday\", \"receivers\": [\"m\"]}",
		  "11: option 'digests[0].day': \"Monday\" is not a weekday:"
		  " a weekly digest's day is \"monday\", \"tuesday\","
		  " \"wednesday\", \"thursday\", \"friday\", \"saturday\" or"
		  " \"sunday\"" },
		{ "    {\"every\": \"weekly\", \"day\": 1, \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].day': \"1\" is not a weekday:"
		  " a weekly digest's day is \"monday\", \"tuesday\","
		  " \"wednesday\", \"thursday\", \"friday\", \"saturday\" or"
		  " \"sunday\"" },
		{ "    {\"every\": \"monthly\", \"receivers\": [\"m\"]}",
		  "10: option 'digests[0].day': missing (required for a"
		  " monthly digest): a day of the month 1 to 31 or \"last\"" },
		{ "    {\"every\": \"monthly\", \"day\": 32, \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].day': \"32\" is not a day of the"
		  " month: a monthly digest's day is 1 to 31 (a day the month"
		  " lacks is its last day) or \"last\"" },
		{ "    {\"every\": \"monthly\", \"day\": 0, \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].day': \"0\" is not a day of the"
		  " month: a monthly digest's day is 1 to 31 (a day the month"
		  " lacks is its last day) or \"last\"" },
		{ "    {\"every\": \"monthly\", \"day\": \"01\", \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].day': \"01\" is not a day of the"
		  " month: a monthly digest's day is 1 to 31 (a day the month"
		  " lacks is its last day) or \"last\"" },
		{ "    {\"every\": \"monthly\", \"day\": 1.5, \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].day': \"1.5\" is not a day of the"
		  " month: a monthly digest's day is 1 to 31 (a day the month"
		  " lacks is its last day) or \"last\"" },
		{ "    {\"every\": \"monthly\", \"day\": \"first\","
		  " \"receivers\": [\"m\"]}",
		  "10: option 'digests[0].day': \"first\" is not a day of the"
		  " month: a monthly digest's day is 1 to 31 (a day the month"
		  " lacks is its last day) or \"last\"" },
		{ "    {\"every\": \"daily\", \"at\": \"8:00\", \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].at': time of day \"8:00\" is not"
		  " HH:MM from 00:00 to 23:59" },
		{ "    {\"every\": \"daily\", \"at\": \"24:00\", \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].at': time of day \"24:00\" is not"
		  " HH:MM from 00:00 to 23:59" },
		{ "    {\"every\": \"daily\"}",
		  "10: option 'digests[0].receivers': missing (required)" },
		{ "    {\"every\": \"daily\", \"receivers\": []}",
		  "10: option 'digests[0].receivers': at least one receiver is"
		  " required" },
		{ "    {\"every\": \"daily\", \"receivers\": \"m\"}",
		  "10: option 'digests[0].receivers': must be an array of"
		  " strings" },
		{ "    {\"every\": \"daily\", \"receivers\": [\"m\", \"chat\","
		  " \"m\"]}",
		  "10: option 'digests[0].receivers': receiver 'm' is listed"
		  " twice" },
		{ "    {\"every\": \"daily\", \"receivers\": [\"m\"]},\n"
		  "    {\"every\": \"weekly\", \"day\": \"friday\","
		  " \"receivers\": [\"m\",\n"
		  "      \"email\"]}",
		  "12: option 'digests[1].receivers': digest 'weekly': no"
		  " receiver named 'email' in this client (its receivers: m,"
		  " chat)" },
		{ "    {\"every\": \"daily\", \"receivers\": [\"m\"]},\n"
		  "    {\"every\": \"daily\", \"at\": \"18:00\", \"receivers\":"
		  " [\"chat\"]}",
		  "11: option 'digests[1].name': digest 'daily' is defined twice"
		  " (digests[0], line 10); give each a name" },
		{ "    {\"name\": \"x\", \"every\": \"daily\", \"receivers\":"
		  " [\"m\"]},\n"
		  "    {\"name\": \"x\", \"every\": \"weekly\", \"day\":"
		  " \"monday\", \"receivers\": [\"m\"]}",
		  "11: option 'digests[1].name': digest 'x' is defined twice"
		  " (digests[0], line 10)" },
		{ "    {\"name\": \"Weekly\", \"every\": \"daily\", \"receivers\":"
		  " [\"m\"]}",
		  "10: option 'digests[0].name': \"Weekly\" is not a valid"
		  " identifier ([a-z0-9][a-z0-9_.-]*, at most 63 characters)" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		digests_fail(bad[i].digests, bad[i].rest);
	/* Not an array. */
	write_client("clients.d/a.conf", "acme", "EUR", "tok/a.token",
	    "  ,\"digests\": {\"every\": \"daily\"}");
	load_fails("clients.d/a.conf", "9: option 'digests': must be an array"
	    " of digest objects");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receivers_after, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
