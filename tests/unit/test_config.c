/*
 * Tests of the JSON-with-comments reader (jsonc.c) and of configuration
 * loading (config.c): files are written into a fresh temporary directory per
 * test, with a private $TZDIR holding the few zones the tests name.
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
#include "jsonc.h"
#include "xmalloc.h"

#define CONFIG_FIXTURE_NO_ZONES
#include "config-fixture.h"

static char *
tmp_path(const char *name)
{
	char	*path;

	xasprintf(&path, "%s/%s", tmpdir, name);
	return path;
}

/* A real zone file of the system's tzdata into the private $TZDIR. */
static void
copy_zone(const char *name)
{
	char	*src, *dst, buf[65536];
	FILE	*in, *out;
	size_t	 n;

	xasprintf(&src, "/usr/share/zoneinfo/%s", name);
	xasprintf(&dst, "zoneinfo/%s", name);
	write_file(dst, "");	/* creates the directories */
	free(dst);
	xasprintf(&dst, "%s/zoneinfo/%s", tmpdir, name);
	if ((in = fopen(src, "rb")) == NULL)
		fail_msg("%s: %s (install tzdata)", src, strerror(errno));
	if ((out = fopen(dst, "wb")) == NULL)
		fail_msg("%s: %s", dst, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	free(src);
	free(dst);
}

static int
setup(void **state)
{
	const char	*t = getenv("TMPDIR");
	char		*tz;

	(void)state;
	xasprintf(&tmpdir, "%s/roiwatch-config-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	copy_zone("Europe/Paris");
	copy_zone("America/New_York");
	tz = tmp_path("zoneinfo");
	setenv("TZDIR", tz, 1);
	free(tz);
	write_file("tok/a.token", "aaaaaaaaaaaaaaaaaaaa-token-a\n");
	write_file("tok/b.token", "bbbbbbbbbbbbbbbbbbbb-token-b\r\n");
	write_file("tok/short.token", "short\n");
	write_file("tok/hook.key", "0123456789abcdef0123\n");
	write_file("tok/smtp.pw", "hunter2\n");
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

/* ---- jsonc ---- */

static cJSON *
parse_ok(const char *text, struct jsonc_lines **lines)
{
	char	*cause = NULL;
	cJSON	*root;

	root = jsonc_parse(text, strlen(text), lines, &cause);
	if (root == NULL)
		fail_msg("unexpected parse error: %s", cause);
	return root;
}

/* Parse must fail with a message starting with `expect`. */
static void
parse_fails(const char *text, size_t len, const char *expect)
{
	struct jsonc_lines	*lines = (struct jsonc_lines *)1;
	char			*cause = NULL;
	cJSON			*root;

	root = jsonc_parse(text, len, &lines, &cause);
	if (root != NULL)
		fail_msg("parse of [%s] succeeded, expected \"%s\"", text,
		    expect);
	assert_null(lines);
	assert_non_null(cause);
	if (strncmp(cause, expect, strlen(expect)) != 0)
		fail_msg("got \"%s\", expected \"%s...\"", cause, expect);
	free(cause);
}

static void
test_jsonc_lines(void **state)
{
	const char *text =
	    "// leading comment\n"			/* 1 */
	    "{\n"					/* 2 */
	    "  /* block\n"				/* 3 */
	    "     comment */ \"a\": 1,\n"		/* 4 */
	    "  \"b\":\n"				/* 5 */
	    "    \"x // not a comment\",\n"		/* 6 */
	    "  \"c\": [ true, false,\n"		/* 7 */
	    "         null, 100.50, ],\n"		/* 8 */
	    "  \"d\": { \"e\": -2e3 },\n"		/* 9 */
	    "}\n";					/* 10 */
	struct jsonc_lines	*lines;
	cJSON			*root, *a, *b, *c, *n, *d, *e;

	(void)state;
	root = parse_ok(text, &lines);
	assert_true(cJSON_IsObject(root));
	assert_int_equal(jsonc_line(lines, root), 2);
	assert_int_equal(jsonc_key_line(lines, root), 0);

	a = cJSON_GetObjectItemCaseSensitive(root, "a");
	assert_true(cJSON_IsNumber(a));
	assert_int_equal(jsonc_line(lines, a), 4);
	assert_int_equal(jsonc_key_line(lines, a), 4);
	assert_string_equal(jsonc_number_text(lines, a), "1");

	b = cJSON_GetObjectItemCaseSensitive(root, "b");
	assert_string_equal(b->valuestring, "x // not a comment");
	assert_int_equal(jsonc_key_line(lines, b), 5);
	assert_int_equal(jsonc_line(lines, b), 6);

	c = cJSON_GetObjectItemCaseSensitive(root, "c");
	assert_int_equal(cJSON_GetArraySize(c), 4);
	assert_int_equal(jsonc_line(lines, c), 7);
	assert_int_equal(jsonc_line(lines, cJSON_GetArrayItem(c, 1)), 7);
	n = cJSON_GetArrayItem(c, 2);
	assert_true(cJSON_IsNull(n));
	assert_int_equal(jsonc_line(lines, n), 8);
	assert_int_equal(jsonc_key_line(lines, n), 0);
	n = cJSON_GetArrayItem(c, 3);
	assert_string_equal(jsonc_number_text(lines, n), "100.50");
	assert_true(n->valuedouble == 100.5);
	assert_null(jsonc_number_text(lines, cJSON_GetArrayItem(c, 0)));

	d = cJSON_GetObjectItemCaseSensitive(root, "d");
	e = cJSON_GetObjectItemCaseSensitive(d, "e");
	assert_true(e->valuedouble == -2000.0);
	assert_int_equal(jsonc_line(lines, e), 9);

	/* Unknown node, NULL table. */
	assert_int_equal(jsonc_line(lines, NULL), 0);
	assert_int_equal(jsonc_line(NULL, root), 0);

	cJSON_Delete(root);
	jsonc_lines_free(lines);
	jsonc_lines_free(NULL);
}

static void
test_jsonc_strings(void **state)
{
	struct jsonc_lines	*lines;
	cJSON			*root;

	(void)state;
	root = parse_ok("[\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\","
	    " \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]", &lines);
	assert_string_equal(cJSON_GetArrayItem(root, 0)->valuestring,
	    "\xc3\xa9\xf0\x9f\x98\x80\n\t\"\\/\b\f\r");
	assert_string_equal(cJSON_GetArrayItem(root, 1)->valuestring,
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	cJSON_Delete(root);
	jsonc_lines_free(lines);

	/* A byte order mark is skipped; lines table is optional. */
	root = parse_ok("\xef\xbb\xbf\"x\"", NULL);
	assert_string_equal(root->valuestring, "x");
	cJSON_Delete(root);

	parse_fails("\"\\ud83d\"", 8, "line 1: high surrogate");
	parse_fails("\"\\ud83d\\u0041\"", 14, "line 1: high surrogate");
	parse_fails("\"\\ude00\"", 8, "line 1: lone low surrogate");
	parse_fails("\"\\u0000\"", 8, "line 1: \\u0000 is not allowed");
	parse_fails("\"\\u12\"", 6, "line 1: bad \\u escape");
	parse_fails("\"\\x\"", 4, "line 1: bad escape");
	parse_fails("\n\"a\tb\"", 6, "line 2: control character");
	parse_fails("\"abc\ndef\"", 9, "line 1: newline in string");
	parse_fails("\"abc", 4, "line 1: unterminated string");
	parse_fails("\"\xc3\x28\"", 4, "line 1: invalid UTF-8");
	parse_fails("\"\xc0\xaf\"", 4, "line 1: invalid UTF-8");	/* overlong */
	parse_fails("\"\xed\xa0\x80\"", 5, "line 1: invalid UTF-8");	/* surrogate */
	parse_fails("\"\xf4\x90\x80\x80\"", 6, "line 1: invalid UTF-8");
	parse_fails("\"\xe2\x82\"", 4, "line 1: invalid UTF-8");	/* truncated */
	parse_fails("{\n\n \"a\": \"x\0y\"}", 15, "line 3: NUL byte");
	parse_fails("['single']", 10, "line 1: strings need double quotes");
}

static void
test_jsonc_syntax(void **state)
{
	(void)state;
	parse_fails("", 0, "line 1: unexpected end of input");
	parse_fails("  // only a comment\n", 20, "line 2: unexpected end");
	parse_fails("{\n \"a\": 1\n \"b\": 2\n}", 19,
	    "line 3: expected ',' or '}'");
	parse_fails("[1,\n2\n3]", 8, "line 3: expected ',' or ']'");
	parse_fails("{\"a\" 1}", 7, "line 1: expected ':'");
	parse_fails("{\n a: 1}", 8, "line 2: expected a \"key\"");
	parse_fails("{\"a\": 1}\n{}", 11, "line 2: unexpected data");
	parse_fails("[01]", 4, "line 1: leading zero");
	parse_fails("[1.]", 4, "line 1: malformed number");
	parse_fails("[-]", 3, "line 1: malformed number");
	parse_fails("[1e]", 4, "line 1: malformed number");
	parse_fails("[12abc]", 7, "line 1: malformed number");
	parse_fails("[1e999]", 7, "line 1: number out of range");
	parse_fails("[truex]", 7, "line 1: unexpected 't'");
	parse_fails("[nul]", 5, "line 1: unexpected 'n'");
	parse_fails("\n/* open\n comment", 17, "line 2: unterminated /*");
	parse_fails("[1,,2]", 6, "line 1: unexpected ','");
	parse_fails("{,}", 3, "line 1: expected a \"key\"");
	parse_fails("[1, 2", 5, "line 1: unexpected end of input in array");
	parse_fails("{\"a\": 1,\n", 9, "line 2: unexpected end of input in"
	    " object");
	parse_fails("\x01", 1, "line 1: unexpected byte 0x01");
}

static void
test_jsonc_duplicates(void **state)
{
	const char	*text = "{\n \"a\": 1,\n \"b\": 2,\n \"a\": 3\n}";

	(void)state;
	parse_fails(text, strlen(text),
	    "line 4: duplicate key \"a\" (first at line 2)");
	/* Same key in different objects is fine. */
	cJSON_Delete(parse_ok("{\"a\": {\"a\": 1}, \"b\": {\"a\": 2}}", NULL));
}

static void
test_jsonc_depth(void **state)
{
	char	 buf[2 * (JSONC_MAX_DEPTH + 1) + 1];
	int	 i;

	(void)state;
	for (i = 0; i < JSONC_MAX_DEPTH; i++) {
		buf[i] = '[';
		buf[JSONC_MAX_DEPTH + i] = ']';
	}
	buf[2 * JSONC_MAX_DEPTH] = '\0';
	cJSON_Delete(parse_ok(buf, NULL));

	for (i = 0; i <= JSONC_MAX_DEPTH; i++) {
		buf[i] = '[';
		buf[JSONC_MAX_DEPTH + 1 + i] = ']';
	}
	buf[2 * (JSONC_MAX_DEPTH + 1)] = '\0';
	parse_fails(buf, strlen(buf), "line 1: nesting deeper than");
}

/* ---- configuration ---- */

/*
 * A valid client file whose line 8 is `extra` and line 9 holds the receivers
 * (a default file receiver when NULL); the caller frees the text.
 */
static char *
client_text(const char *id, const char *token, const char *extra,
    const char *receivers)
{
	char	*text;

	xasprintf(&text,
	    "// client\n"				/* 1 */
	    "{ \"id\": \"%s\",\n"			/* 2 */
	    "  \"name\": \"ACME Shoes\",\n"		/* 3 */
	    "  \"currency\": \"EUR\",\n"		/* 4 */
	    "  \"timezone\": \"Europe/Paris\",\n"	/* 5 */
	    "  \"minimum_roi\": \"2.5:1\",\n"		/* 6 */
	    "  \"token_file\": \"%s\",\n"		/* 7 */
	    "  %s\n"					/* 8 */
	    "  \"receivers\": %s,\n"			/* 9 */
	    "}\n", id, token, extra != NULL ? extra : "",
	    receivers != NULL ? receivers :
	    "[{\"name\": \"m\", \"type\": \"file\", \"dir\": \"mail/a\"}]");
	return text;
}

static struct config *
load(char **cause)
{
	char		*path = tmp_path("main.conf");
	struct config	*cfg;

	*cause = NULL;
	cfg = config_load(path, NULL, cause);
	free(path);
	return cfg;
}

/* Load must fail with "<tmpdir>/<file>:<rest...>". */
static void
load_fails(const char *file, const char *rest)
{
	struct config	*cfg;
	char		*cause, *expect;

	cfg = load(&cause);
	if (cfg != NULL)
		fail_msg("load succeeded; expected %s:%s", file, rest);
	xasprintf(&expect, "%s/%s:%s", tmpdir, file, rest);
	if (strstr(cause, expect) != cause)
		fail_msg("got \"%s\"\nexpected \"%s...\"", cause, expect);
	free(expect);
	free(cause);
}

/* One client file a.conf with `extra` on line 8 must fail with `rest`. */
static void
client_fails(const char *extra, const char *receivers, const char *rest)
{
	char	*text = client_text("acme", "tok/a.token", extra, receivers);

	write_file("clients.d/a.conf", text);
	free(text);
	load_fails("clients.d/a.conf", rest);
}

static void
test_config_full(void **state)
{
	const char *main_text =
	    "/* main */ {\n"
	    "  \"state_dir\": \"/srv/roi\",\n"
	    "  \"clients_dir\": \"clients.d\",\n"
	    "  \"listen_addr\": \"\",\n"
	    "  \"listen_port\": 9000,\n"
	    "  \"inbox_rescan_secs\": \"2m\",\n"
	    "  \"evaluate_secs\": 15,\n"
	    "  \"retry_initial_secs\": \"10s\",\n"
	    "  \"retry_max_secs\": \"1h\",\n"
	    "  \"retry_give_up_secs\": \"2d\",\n"
	    "  \"delivery_timeout_secs\": 20,\n"
	    "  \"http_max_body_bytes\": \"1MiB\",\n"
	    "  \"http_max_header_bytes\": \"8KiB\",\n"
	    "  \"http_max_rows\": 50,\n"
	    "  \"http_idle_timeout_secs\": 5,\n"
	    "  \"http_rate_per_minute\": 60,\n"
	    "}\n";
	const char *globex =
	    "{\n"
	    "  \"id\": \"globex\", \"name\": \"Globex Travel\",\n"
	    "  \"currency\": \"USD\", \"timezone\": \"America/New_York\",\n"
	    "  \"language\": \"en\",\n"
	    "  \"minimum_roi\": \"120%\", \"target_roi\": \"4:1\",\n"
	    "  \"minimum_spend\": 50.25,\n"
	    "  \"window_days\": 30, \"pending_secs\": \"1h\",\n"
	    "  \"hysteresis\": \"5%\", \"repeat_secs\": \"1d\",\n"
	    "  \"minimum_coverage\": \"85.5%\",\n"
	    "  \"token_file\": \"tok/b.token\",\n"
	    "  \"hmac_secret_file\": \"tok/hook.key\",\n"
	    "  \"receivers\": [\n"
	    "    { \"name\": \"hook\", \"type\": \"webhook\",\n"
	    "      \"url\": \"https://hooks.example.com/x\",\n"
	    "      \"secret_file\": \"tok/hook.key\", },\n"
	    "    { \"name\": \"mail\", \"type\": \"smtp\",\n"
	    "      \"url\": \"smtp://mail.example.com:587\",\n"
	    "      \"from\": \"ROI <roi@agency.example>\",\n"
	    "      \"to\": [\"a@globex.example\", \"B <b@globex.example>\"],\n"
	    "      \"username\": \"roi\", \"password_file\": \"tok/smtp.pw\",\n"
	    "      \"timeout_secs\": 45 },\n"
	    "    { \"name\": \"local\", \"type\": \"smtp\",\n"
	    "      \"url\": \"smtp://127.0.0.1:2525\", \"starttls\": \"no\",\n"
	    "      \"from\": \"roi@localhost\", \"to\": [\"x@localhost\"] },\n"
	    "    { \"name\": \"tls\", \"type\": \"smtp\",\n"
	    "      \"url\": \"smtps://mail.example.com\",\n"
	    "      \"from\": \"roi@agency.example\", \"to\": [\"x@y.example\"] },\n"
	    "  ],\n"
	    "}\n";
	const struct client_conf	*c;
	const struct receiver_conf	*r;
	struct config			*cfg;
	char				*cause, *text, *out, *p;
	size_t				 outlen;
	FILE				*f;

	(void)state;
	write_file("main.conf", main_text);
	text = client_text("acme", "tok/a.token", "\"language\": \"fr\","
	    " \"target_roi\": \"300%\", \"minimum_spend\": \"100.00\",", NULL);
	write_file("clients.d/acme.conf", text);
	free(text);
	write_file("clients.d/globex.conf", globex);
	/* Ignored: dotfiles, backups, other suffixes. */
	write_file("clients.d/.hidden.conf", "garbage");
	write_file("clients.d/acme.conf~", "garbage");
	write_file("clients.d/.acme.conf.swp", "garbage");
	write_file("clients.d/README", "garbage");

	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_string_equal(cfg->state_dir, "/srv/roi");
	assert_string_equal(cfg->inbox_dir, "/srv/roi/inbox");
	p = tmp_path("clients.d");
	assert_string_equal(cfg->clients_dir, p);
	free(p);
	assert_string_equal(cfg->listen_addr, "");
	assert_int_equal(cfg->listen_port, 9000);
	assert_int_equal(cfg->inbox_rescan_secs, 120);
	assert_int_equal(cfg->evaluate_secs, 15);
	assert_int_equal(cfg->retry_initial_secs, 10);
	assert_int_equal(cfg->retry_max_secs, 3600);
	assert_int_equal(cfg->retry_give_up_secs, 2 * 86400);
	assert_int_equal(cfg->delivery_timeout_secs, 20);
	assert_int_equal(cfg->http_max_body_bytes, 1024 * 1024);
	assert_int_equal(cfg->http_max_header_bytes, 8192);
	assert_int_equal(cfg->http_max_rows, 50);
	assert_int_equal(cfg->http_idle_timeout_secs, 5);
	assert_int_equal(cfg->http_rate_per_minute, 60);
	assert_int_equal(cfg->nclients, 2);

	c = config_client(cfg, "acme");
	assert_ptr_equal(c, &cfg->clients[0]);
	assert_string_equal(c->name, "ACME Shoes");
	assert_string_equal(c->language, "fr");
	assert_int_equal(c->rules.min_roi_ppm, 1500000);
	assert_true(c->rules.has_target);
	assert_int_equal(c->rules.target_roi_ppm, 3000000);
	assert_int_equal(c->rules.min_spend, 100000000);
	assert_string_equal(c->ingest_token, "aaaaaaaaaaaaaaaaaaaa-token-a");
	assert_null(c->hmac_secret);
	assert_int_equal(c->nreceivers, 1);
	r = config_receiver(c, "m");
	assert_non_null(r);
	assert_int_equal(r->type, RECEIVER_FILE);
	assert_string_equal(r->dir, "mail/a");
	assert_string_equal(r->from, "roiwatch@localhost");
	assert_null(config_receiver(c, "nope"));

	c = config_client(cfg, "globex");
	assert_non_null(c);
	assert_string_equal(c->timezone, "America/New_York");
	assert_int_equal(c->rules.min_roi_ppm, 1200000);
	assert_int_equal(c->rules.target_roi_ppm, 3000000);
	assert_int_equal(c->rules.min_spend, 50250000);
	assert_int_equal(c->window_days, 30);
	assert_int_equal(c->rules.pending_secs, 3600);
	assert_int_equal(c->rules.hysteresis_ppm, 50000);
	assert_int_equal(c->rules.min_coverage_ppm, 855000);
	assert_int_equal(c->rules.repeat_secs, 86400);
	/* \r\n stripped */
	assert_string_equal(c->ingest_token, "bbbbbbbbbbbbbbbbbbbb-token-b");
	assert_string_equal(c->hmac_secret, "0123456789abcdef0123");
	assert_int_equal(c->nreceivers, 4);
	r = config_receiver(c, "hook");
	assert_int_equal(r->type, RECEIVER_WEBHOOK);
	assert_string_equal(r->secret, "0123456789abcdef0123");
	assert_int_equal(r->timeout_secs, 20);	/* delivery_timeout_secs */
	r = config_receiver(c, "mail");
	assert_int_equal(r->type, RECEIVER_SMTP);
	assert_int_equal(r->starttls, TLS_REQUIRED);
	assert_int_equal(r->nto, 2);
	assert_string_equal(r->to[1], "B <b@globex.example>");
	assert_string_equal(r->password, "hunter2");
	assert_int_equal(r->timeout_secs, 45);
	r = config_receiver(c, "local");
	assert_int_equal(r->starttls, TLS_NONE);
	r = config_receiver(c, "tls");
	assert_int_equal(r->starttls, TLS_REQUIRED);
	assert_null(config_client(cfg, "initech"));

	/* Summary: both threshold forms, secrets hidden. */
	f = open_memstream(&out, &outlen);
	config_print_summary(cfg, f);
	fclose(f);
	assert_non_null(strstr(out, "client acme: ACME Shoes"));
	assert_non_null(strstr(out, "2.5:1"));
	assert_non_null(strstr(out, "4:1"));
	assert_non_null(strstr(out, "(set)"));
	assert_non_null(strstr(out, "receiver hook: webhook"));
	assert_non_null(strstr(out, "(disabled)"));
	assert_null(strstr(out, "token-a"));
	assert_null(strstr(out, "hunter2"));
	assert_null(strstr(out, "0123456789abcdef"));
	free(out);
	config_free(cfg);
	config_free(NULL);
}

static void
test_config_defaults(void **state)
{
	struct config	*cfg;
	char		*cause, *text, *p;
	const struct client_conf *c;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);
	write_file("main.conf", "{}");
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_string_equal(cfg->state_dir, "/var/lib/roiwatch");
	assert_string_equal(cfg->inbox_dir, "/var/lib/roiwatch/inbox");
	assert_string_equal(cfg->listen_addr, "127.0.0.1");
	assert_int_equal(cfg->listen_port, 8470);
	assert_int_equal(cfg->inbox_rescan_secs, 30);
	assert_int_equal(cfg->evaluate_secs, 60);
	assert_int_equal(cfg->retry_initial_secs, 30);
	assert_int_equal(cfg->retry_max_secs, 3600);
	assert_int_equal(cfg->retry_give_up_secs, 7 * 86400);
	assert_int_equal(cfg->delivery_timeout_secs, 30);
	assert_int_equal(cfg->http_max_body_bytes, 8 * 1024 * 1024);
	assert_int_equal(cfg->http_max_header_bytes, 16384);
	assert_int_equal(cfg->http_max_rows, 10000);
	assert_int_equal(cfg->http_idle_timeout_secs, 30);
	assert_int_equal(cfg->http_rate_per_minute, 600);
	c = &cfg->clients[0];
	assert_string_equal(c->language, "en");
	assert_false(c->rules.has_target);
	assert_int_equal(c->rules.min_spend, 0);
	assert_int_equal(c->window_days, 0);
	assert_int_equal(c->rules.pending_secs, 0);
	assert_int_equal(c->rules.hysteresis_ppm, 0);
	assert_int_equal(c->rules.min_coverage_ppm, 500000);	/* "50%" */
	assert_int_equal(c->rules.repeat_secs, 0);
	p = tmp_path("clients.d/a.conf");
	assert_string_equal(c->file, p);
	free(p);
	config_free(cfg);

	/* The override wins, and the inbox follows it; relative state_dir is
	 * relative to the main file. */
	write_file("main.conf", "{ \"state_dir\": \"st\" }");
	cfg = load(&cause);
	assert_non_null(cfg);
	p = tmp_path("st");
	assert_string_equal(cfg->state_dir, p);
	free(p);
	config_free(cfg);
	p = tmp_path("main.conf");
	cfg = config_load(p, "/run/override", &cause);
	free(p);
	assert_non_null(cfg);
	assert_string_equal(cfg->state_dir, "/run/override");
	assert_string_equal(cfg->inbox_dir, "/run/override/inbox");
	config_free(cfg);
}

static void
test_config_main_errors(void **state)
{
	char	*text;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);

	write_file("main.conf", "{\n \"listen_port\": 0 }");
	load_fails("main.conf", "2: option 'listen_port': 0 is out of bounds"
	    " (1..65535)");
	write_file("main.conf", "{\n \"listen_port\": 65536 }");
	load_fails("main.conf", "2: option 'listen_port': 65536 is out of");
	write_file("main.conf", "{\n\n \"listen_prot\": 80 }");
	load_fails("main.conf", "3: option 'listen_prot': unknown option (did"
	    " you mean 'listen_port'?)");
	write_file("main.conf", "{\n \"frobnicate\": 1 }");
	load_fails("main.conf", "2: option 'frobnicate': unknown option");
	write_file("main.conf", "{\n \"listen_port\": \"80\" }");
	load_fails("main.conf", "2: option 'listen_port': must be an integer");
	write_file("main.conf", "{\n \"listen_port\": 80.5 }");
	load_fails("main.conf", "2: option 'listen_port': 80.5 is not a whole");
	write_file("main.conf", "{\n \"evaluate_secs\": \"7x\" }");
	load_fails("main.conf", "2: option 'evaluate_secs': \"7x\" is not a"
	    " duration");
	write_file("main.conf", "{\n \"evaluate_secs\": \"2d\" }");
	load_fails("main.conf", "2: option 'evaluate_secs': 172800 is out");
	write_file("main.conf", "{\n \"retry_give_up_secs\": 59 }");
	load_fails("main.conf", "2: option 'retry_give_up_secs': 59 is out");
	write_file("main.conf", "{\n \"http_max_body_bytes\": \"1GiB\" }");
	load_fails("main.conf", "2: option 'http_max_body_bytes': 1073741824"
	    " is out");
	write_file("main.conf", "{\n \"http_max_body_bytes\": \"1 MB\" }");
	load_fails("main.conf", "2: option 'http_max_body_bytes': \"1 MB\" is"
	    " not a size");
	write_file("main.conf", "{\n \"state_dir\": 5 }");
	load_fails("main.conf", "2: option 'state_dir': must be a string");
	write_file("main.conf", "{\n \"state_dir\": \"\" }");
	load_fails("main.conf", "2: option 'state_dir': must not be empty");
	write_file("main.conf", "{\n \"listen_addr\": \"1.2.3.4; rm\" }");
	load_fails("main.conf", "2: option 'listen_addr':");
	write_file("main.conf", "{\n \"retry_initial_secs\": 600,\n"
	    " \"retry_max_secs\": 300 }");
	load_fails("main.conf", "2: option 'retry_initial_secs': must not"
	    " exceed retry_max_secs");
	write_file("main.conf", "{\n \"a\": 1,\n}\n}");
	load_fails("main.conf", "4: unexpected data");
	write_file("main.conf", "[]");
	load_fails("main.conf", "1: the file must hold one JSON object");
	write_file("main.conf", "{ \"clients_dir\": \"nowhere\" }");
	{
		struct config	*cfg;
		char		*cause;

		cfg = load(&cause);
		assert_null(cfg);
		assert_non_null(strstr(cause, "nowhere"));
		free(cause);
	}
	{
		struct config	*cfg;
		char		*cause;
		char		*p = tmp_path("missing.conf");

		cfg = config_load(p, NULL, &cause);
		assert_null(cfg);
		assert_non_null(strstr(cause, "missing.conf"));
		free(cause);
		free(p);
	}
}

static void
test_config_client_errors(void **state)
{
	(void)state;
	client_fails("\"minimum_rio\": \"150%\",", NULL, "8: option"
	    " 'minimum_rio': unknown option (did you mean 'minimum_roi'?)");
	client_fails("\"window_days\": \"ten\",", NULL,
	    "8: option 'window_days': must be an integer");
	client_fails("\"window_days\": 3661,", NULL,
	    "8: option 'window_days': 3661 is out of bounds (0..3660)");
	client_fails("\"window_days\": -1,", NULL,
	    "8: option 'window_days': -1 is out of bounds");
	client_fails("\"pending_secs\": \"31d\",", NULL,
	    "8: option 'pending_secs': 2678400 is out of bounds");
	client_fails("\"target_roi\": \"2.5\",", NULL,
	    "8: option 'target_roi': ");
	client_fails("\"target_roi\": 2.5,", NULL,
	    "8: option 'target_roi': must be a string such as");
	client_fails("\"target_roi\": \"150%\",", NULL,
	    "8: option 'target_roi': must be above minimum_roi");
	client_fails("\"minimum_coverage\": \"150%\",", NULL,
	    "8: option 'minimum_coverage': must not be above 100%");
	client_fails("\"minimum_coverage\": \"-1%\",", NULL,
	    "8: option 'minimum_coverage': must not be negative");
	client_fails("\"minimum_coverage\": \"0.5:1\",", NULL,
	    "8: option 'minimum_coverage': \"0.5:1\" must be a percentage");
	client_fails("\"minimum_coverage\": 50,", NULL,
	    "8: option 'minimum_coverage': must be a string such as");
	client_fails("\"hysteresis\": \"-5%\",", NULL,
	    "8: option 'hysteresis': must not be negative");
	client_fails("\"hysteresis\": \"1.05:1\",", NULL,
	    "8: option 'hysteresis': \"1.05:1\" must be a percentage");
	client_fails("\"minimum_spend\": \"12.3456789\",", NULL,
	    "8: option 'minimum_spend': ");
	client_fails("\"minimum_spend\": \"-1\",", NULL,
	    "8: option 'minimum_spend': must not be negative");
	client_fails("\"minimum_spend\": true,", NULL,
	    "8: option 'minimum_spend': must be an amount");
	client_fails("\"language\": \"de\",", NULL,
	    "8: option 'language': \"de\" has no message catalogue (known: en, fr)");
	client_fails("\"hmac_secret_file\": \"tok/missing\",", NULL,
	    "8: option 'hmac_secret_file': cannot open ");
	client_fails("\"hmac_secret_file\": \"tok/short.token\",", NULL,
	    "8: option 'hmac_secret_file': tok/short.token: secret is 5"
	    " characters long, need at least 16");
	client_fails("\"hmac_secret_file\": \"tok\",", NULL,
	    "8: option 'hmac_secret_file': ");
	client_fails("\"name\": \"dup\",", NULL,
	    "8: duplicate key \"name\" (first at line 3)");
	client_fails("\"x\": 1 \"y\": 2,", NULL,
	    "8: expected ',' or '}'");
	client_fails(NULL, "[]", "9: option 'receivers': at least one");
	client_fails(NULL, "{}", "9: option 'receivers': must be an array");
	client_fails(NULL, "[1]", "9: option 'receivers': element 1 must be");

	write_file("clients.d/a.conf", "{\n\"id\": \"Acme\" }");
	load_fails("clients.d/a.conf", "2: option 'id': \"Acme\" is not a"
	    " valid identifier");
	write_file("clients.d/a.conf", "{\n\"id\": \"acme\" }");
	load_fails("clients.d/a.conf", "1: option 'name': missing (required)");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"eur\" }");
	load_fails("clients.d/a.conf", "2: option 'currency': \"eur\" is not"
	    " an ISO 4217 currency code (codes are upper case: \"EUR\")");
	/* Three capitals are not enough: the code must be in ISO 4217. */
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"EUX\" }");
	load_fails("clients.d/a.conf", "2: option 'currency': \"EUX\" is not"
	    " an ISO 4217 currency code");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"XAU\" }");
	load_fails("clients.d/a.conf", "2: option 'currency': \"XAU\" is the"
	    " ISO 4217 code of a precious metal");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"CLF\" }");
	load_fails("clients.d/a.conf", "2: option 'currency': \"CLF\" is an"
	    " ISO 4217 fund code");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"EUR\", \"timezone\": \"Mars/Olympus\" }");
	load_fails("clients.d/a.conf", "2: option 'timezone': time zone "
	    "Mars/Olympus: unknown zone");
	write_file("zoneinfo/Mars/Olympus", "TZif");
	load_fails("clients.d/a.conf", "2: option 'timezone': time zone "
	    "Mars/Olympus: ");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"EUR\", \"timezone\": \"../../etc/passwd\" }");
	load_fails("clients.d/a.conf", "2: option 'timezone': time zone "
	    "\"../../etc/");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"EUR\", \"timezone\": \"UTC\",\n"
	    "\"minimum_roi\": \"150%\",\n"
	    "\"token_file\": \"tok/short.token\" }");
	load_fails("clients.d/a.conf", "4: option 'token_file': tok/short.token:"
	    " secret is 5 characters long");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"EUR\", \"timezone\": \"UTC\",\n"
	    "\"minimum_roi\": \"150%\",\n"
	    "\"token_file\": \"tok/none.token\" }");
	load_fails("clients.d/a.conf", "4: option 'token_file': cannot open");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\", \"name\": \"A\",\n"
	    "\"currency\": \"EUR\", \"timezone\": \"UTC\",\n"
	    "\"minimum_roi\": \"150%\",\n"
	    "\"token_file\": \"tok/a.token\" }");
	load_fails("clients.d/a.conf", "1: option 'receivers': missing");
	write_file("clients.d/a.conf", "{ \"id\": \"acme\",\n"
	    " \"name\": \"A\\r\\nBcc: x@evil.example\" }");
	load_fails("clients.d/a.conf", "2: option 'name': control characters");
}

static void
test_config_receiver_errors(void **state)
{
	(void)state;
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"from\": \"a@b.example\","
	    " \"to\": [\"x@y.example\\r\\nBcc: evil@e.example\"]}]",
	    "9: option 'to': element 1: control characters");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"from\": \"a@b.example\","
	    " \"to\": [\"x@y.example, evil@e.example\"]}]",
	    "9: option 'to': \"x@y.example, evil@e.example\" is not a valid");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"from\": \"a@b.example\\n\","
	    " \"to\": [\"x@y.example\"]}]",
	    "9: option 'from': control characters");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"from\": \"nobody\","
	    " \"to\": [\"x@y.example\"]}]",
	    "9: option 'from': \"nobody\" is not a valid e-mail address");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"from\": \"a@b.example\","
	    " \"to\": [\"Evil, Inc <x@y.example>\"]}]",
	    "9: option 'to': ");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"from\": \"a@b.example\","
	    " \"to\": []}]",
	    "9: option 'to': at least one recipient");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'from': missing (required for smtp");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://mail.example.com\", \"starttls\": \"no\","
	    " \"from\": \"a@b.example\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'starttls': \"no\" is only allowed towards 127.0.0.1");
	/* No clear text to a host that is not loopback unless the receiver
	 * says so; a name merely starting with "127." is not loopback. */
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://mail.example.com\", \"starttls\": \"try\","
	    " \"from\": \"a@b.example\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'starttls': \"try\" is only allowed towards 127.0.0.1,"
	    " ::1 or localhost, not mail.example.com");
	client_fails(NULL, "[{\"name\": \"h\", \"type\": \"webhook\","
	    " \"url\": \"http://192.0.2.10:8080/h\"}]",
	    "9: option 'url': http:// would send the notice and its signature"
	    " to 192.0.2.10 in clear");
	client_fails(NULL, "[{\"name\": \"h\", \"type\": \"webhook\","
	    " \"url\": \"http://127.evil.example/h\"}]",
	    "9: option 'url': http:// would send the notice and its signature"
	    " to 127.evil.example in clear");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"mail\", \"allow_insecure\": true}]",
	    "9: option 'allow_insecure': not used by file receivers");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtps://mail.example.com\", \"starttls\": \"try\","
	    " \"from\": \"a@b.example\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'starttls': smtps:// is always TLS");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"starttls\": \"maybe\","
	    " \"from\": \"a@b.example\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'starttls': must be one of \"no\", \"try\", \"required\"");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"https://127.0.0.1\","
	    " \"from\": \"a@b.example\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'url': smtp URLs start with smtp://");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"smtp\","
	    " \"url\": \"smtp://127.0.0.1\", \"username\": \"u\","
	    " \"from\": \"a@b.example\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'password_file': username and password_file go");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\","
	    " \"url\": \"ftp://x.example/\"}]",
	    "9: option 'url': webhook URLs start with http");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\","
	    " \"url\": \"not a url\"}]", "9: option 'url': \"not a url\" is");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\"}]",
	    "9: option 'url': missing (required for webhook");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\","
	    " \"url\": \"https://x.example/\", \"secret\": \"inline\"}]",
	    "9: option 'secret': unknown option (did you mean 'secret_file'?)");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\","
	    " \"url\": \"https://x.example/\", \"secret_file\": \"tok/gone\"}]",
	    "9: option 'secret_file': cannot open");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\","
	    " \"url\": \"https://x.example/\", \"timeout_secs\": 601}]",
	    "9: option 'timeout_secs': 601 is out of bounds (1..600)");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"d\", \"url\": \"https://x.example/\"}]",
	    "9: option 'url': not used by file receivers");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"file\"}]",
	    "9: option 'dir': missing (required for file receivers)");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\","
	    " \"url\": \"https://x.example/\", \"ca_file\": \"tok/no-ca.pem\"}]",
	    "9: option 'ca_file': cannot read");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"d\", \"ca_file\": \"tok/no-ca.pem\"}]",
	    "9: option 'ca_file': not used by file receivers");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"fax\"}]",
	    "9: option 'type': must be one of \"file\", \"webhook\", \"smtp\"");
	client_fails(NULL, "[{\"type\": \"file\", \"dir\": \"d\"}]",
	    "9: option 'name': missing (required)");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"d\"},\n{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"e\"}]",
	    "10: option 'name': receiver 'm' is defined twice");
}

static void
test_config_duplicate_client(void **state)
{
	char	*text, *expect, *cause;
	struct config *cfg;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);
	text = client_text("acme", "tok/b.token", NULL, NULL);
	write_file("clients.d/b.conf", text);
	free(text);
	cfg = load(&cause);
	assert_null(cfg);
	xasprintf(&expect, "%s/clients.d/b.conf:2: option 'id': client 'acme'"
	    " is already defined in %s/clients.d/a.conf", tmpdir, tmpdir);
	assert_string_equal(cause, expect);
	free(expect);
	free(cause);

	/* Two clients sharing one token would mix their data. */
	text = client_text("other", "tok/a.token", NULL, NULL);
	write_file("clients.d/b.conf", text);
	free(text);
	load_fails("clients.d/b.conf", "7: option 'token_file': same token as"
	    " client 'acme'");
}

/* The example configuration shipped in conf/ loads as documented. */
/* ---- sources ---- */

static void
test_config_sources(void **state)
{
	const char *main_text =
	    "{ \"state_dir\": \"state\",\n"
	    "  \"sources\": [\n"
	    "    { \"name\": \"meta\", \"type\": \"pull\",\n"
	    "      \"url\": \"https://api.example.com/insights.csv?x=1\",\n"
	    "      \"interval_secs\": \"15m\", \"timeout_secs\": 10,\n"
	    "      \"headers_file\": \"tok/meta.headers\",\n"
	    "      \"preset\": \"meta_ads\", \"client\": \"acme\",\n"
	    "      \"columns\": { \"Spend (EUR)\": \"cost\",\n"
	    "        \"Leads value\": \"revenue\",\n"
	    "        \"Purchases value\": \"revenue\" } },\n"
	    "    { \"name\": \"fr\", \"type\": \"files\",\n"
	    "      \"pattern\": \"fr-export-*.csv\", \"format\": \"csv\",\n"
	    "      \"delimiter\": \";\", \"decimal\": \",\",\n"
	    "      \"thousands\": \" \", \"date_format\": \"%d/%m/%Y\",\n"
	    "      \"encoding\": \"windows-1252\", \"partial\": true,\n"
	    "      \"max_rows\": 500, \"channel\": \"email\" },\n"
	    "    { \"name\": \"tabs\", \"type\": \"files\",\n"
	    "      \"pattern\": \"*.tsv\", \"delimiter\": \"\\t\" },\n"
	    "    { \"name\": \"all-fr\", \"type\": \"files\",\n"
	    "      \"pattern\": \"fr-*\" },\n"
	    "    { \"name\": \"social\", \"type\": \"files\",\n"
	    "      \"pattern\": \"social-*.csv\",\n"
	    "      \"custom_kpis\": { \"Reach\": \"reach\",\n"
	    "        \"Page likes\": \"followers\",\n"
	    "        \"Group likes\": \"followers\" },\n"
	    "      \"keep_unknown_numeric\": true },\n"
	    "  ],\n"
	    "}\n";
	const struct source_conf	*src;
	struct parse_options		 po;
	struct config			*cfg;
	char				*cause, *text, *out;
	size_t				 outlen;
	FILE				*f;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);
	write_file("tok/meta.headers", "# Meta\nAuthorization: Bearer"
	    " very-secret-value\nX-Org: 42\n");
	write_file("main.conf", main_text);
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("load: %s", cause);
	assert_int_equal(cfg->nsources, 5);

	src = config_source(cfg, "meta");
	assert_non_null(src);
	assert_int_equal(src->type, SOURCE_PULL);
	assert_int_equal(src->interval_secs, 900);
	assert_int_equal(src->timeout_secs, 10);
	assert_int_equal(src->nheaders, 2);
	assert_string_equal(src->headers[0], "Authorization: Bearer"
	    " very-secret-value");
	assert_string_equal(src->headers[1], "X-Org: 42");
	assert_int_equal(config_source_parse_options(src, &po), 0);
	assert_int_equal(po.format, PARSE_AUTO);
	assert_string_equal(po.preset, "meta_ads");
	assert_string_equal(po.fixed_client, "acme");
	assert_null(po.fixed_channel);
	assert_null(po.date_format);
	assert_int_equal(po.ncolumns, 3);
	assert_string_equal(po.columns[0].header, "Spend (EUR)");
	assert_int_equal(po.columns[0].field, MF_COST);
	assert_int_equal(po.columns[1].field, MF_REVENUE);
	assert_int_equal(po.columns[2].field, MF_REVENUE);
	assert_int_equal(po.delimiter, 0);
	assert_int_equal(po.decimal, '.');
	assert_int_equal(po.thousands, 0);
	assert_string_equal(po.encoding, "utf-8");
	assert_int_equal(po.max_rows, 0);
	assert_false(src->partial);
	assert_null(po.custom_kpis);
	assert_int_equal(po.ncustom_kpis, 0);
	assert_false(po.keep_unknown_numeric);

	/* Custom KPIs point into the source. */
	src = config_file_source(cfg, "social-1.csv");
	assert_non_null(src);
	assert_int_equal(config_source_parse_options(src, &po), 0);
	assert_int_equal(po.ncustom_kpis, 3);
	assert_string_equal(po.custom_kpis[0].header, "Reach");
	assert_string_equal(po.custom_kpis[0].name, "reach");
	assert_string_equal(po.custom_kpis[1].header, "Page likes");
	assert_string_equal(po.custom_kpis[1].name, "followers");
	assert_string_equal(po.custom_kpis[2].name, "followers");
	assert_true(po.keep_unknown_numeric);

	/* The first matching files source wins; pull sources never match. */
	src = config_file_source(cfg, "fr-export-1.csv");
	assert_non_null(src);
	assert_string_equal(src->name, "fr");
	assert_true(src->partial);
	assert_int_equal(config_source_parse_options(src, &po), 0);
	assert_int_equal(po.format, PARSE_CSV);
	assert_int_equal(po.delimiter, ';');
	assert_int_equal(po.decimal, ',');
	assert_int_equal(po.thousands, ' ');
	assert_string_equal(po.date_format, "%d/%m/%Y");
	assert_string_equal(po.encoding, "windows-1252");
	assert_string_equal(po.fixed_channel, "email");
	assert_int_equal(po.max_rows, 500);
	assert_string_equal(config_file_source(cfg, "fr-other.json")->name,
	    "all-fr");
	assert_int_equal(config_file_source(cfg, "x.tsv")->delimiter, 3);
	assert_int_equal(config_source_parse_options(config_file_source(cfg,
	    "x.tsv"), &po), 0);
	assert_int_equal(po.delimiter, '\t');
	assert_null(config_file_source(cfg, "meta.csv"));
	assert_null(config_file_source(cfg, ".fr-export-1.csv"));
	/* No source: generic defaults. */
	assert_int_equal(config_source_parse_options(NULL, &po), 0);
	assert_int_equal(po.format, PARSE_AUTO);
	assert_null(po.preset);

	/* The summary names headers, never their values. */
	f = open_memstream(&out, &outlen);
	config_print_summary(cfg, f);
	fclose(f);
	assert_non_null(strstr(out, "source meta: pull"));
	assert_non_null(strstr(out, "Authorization: (set)"));
	assert_null(strstr(out, "very-secret-value"));
	assert_non_null(strstr(out, "source fr: files inbox files"
	    " \"fr-export-*.csv\""));
	assert_non_null(strstr(out, "keep unknown numeric columns"));
	assert_non_null(strstr(out, "custom KPI    \"Page likes\" ->"
	    " followers"));
	free(out);
	config_free(cfg);
}

/* main.conf with one source object on lines 2-3 must fail with `rest`. */
static void
source_fails(const char *source, const char *rest)
{
	char	*text;

	xasprintf(&text, "{ \"sources\": [\n%s\n] }\n", source);
	write_file("main.conf", text);
	free(text);
	load_fails("main.conf", rest);
}

static void
test_config_source_errors(void **state)
{
	char	*text;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);
	write_file("tok/crlf.headers", "X-Key: abc\rBcc: evil\n");
	write_file("tok/bad.headers", "X-Key abc\n");

	write_file("main.conf", "{\n \"sources\": {} }");
	load_fails("main.conf", "2: option 'sources': must be an array");
	source_fails("{ \"type\": \"pull\", \"url\": \"http://x.example\" }",
	    "2: option 'name': missing (required)");
	source_fails("{ \"name\": \"a\", \"type\": \"ftp\" }",
	    "2: option 'type': must be one of \"pull\", \"files\"");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\" }",
	    "2: option 'url': missing (required for pull sources)");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"ftp://x.example/a.csv\" }",
	    "3: option 'url': pull URLs start with http:// or https://");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"http://x.example\", \"interval_secs\": 5 }",
	    "3: option 'interval_secs': 5 is out of bounds (10..604800)");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"http://x.example\", \"interval_secs\": \"8d\" }",
	    "3: option 'interval_secs': 691200 is out of bounds");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"http://x.example\", \"pattern\": \"*.csv\" }",
	    "3: option 'pattern': not used by pull sources");
	source_fails("{ \"name\": \"a\", \"type\": \"files\" }",
	    "2: option 'pattern': missing (required for files sources)");
	source_fails("{ \"name\": \"a\", \"type\": \"files\",\n"
	    " \"pattern\": \"*.csv\", \"url\": \"http://x.example\" }",
	    "3: option 'url': not used by files sources");
	source_fails("{ \"name\": \"a\", \"type\": \"files\",\n"
	    " \"pattern\": \"in/*.csv\" }",
	    "3: option 'pattern': \"in/*.csv\": a pattern matches file names");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"http://x.example\",\n"
	    " \"headers_file\": \"tok/crlf.headers\" }",
	    "4: option 'headers_file': tok/crlf.headers: line 1: the value of"
	    " X-Key holds a control character");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"http://x.example\",\n"
	    " \"headers_file\": \"tok/bad.headers\" }",
	    "4: option 'headers_file': tok/bad.headers: line 1: expected");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"http://x.example\",\n"
	    " \"headers_file\": \"tok/none\" }",
	    "4: option 'headers_file': cannot open");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"format\": \"xml\" }",
	    "3: option 'format': must be one of \"auto\", \"csv\"");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"preset\": \"tiktok\" }",
	    "3: option 'preset': must be one of \"generic\"");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"columns\": { \"Spend\": \"spend\" } }",
	    "3: option 'columns': \"Spend\": the field must be one of");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"columns\": { \"Spend\": 1 } }",
	    "3: option 'columns': \"Spend\": the field must be one of");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"columns\": { \"Name\": \"campaign\",\n \"Title\": \"campaign\" } }",
	    "4: option 'columns': \"Name\" and \"Title\" both map to campaign");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"columns\": [] }", "3: option 'columns': must be an object");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"delimiter\": \"|\" }",
	    "3: option 'delimiter': must be one of \"auto\", \",\", \";\","
	    " \"\\t\"");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"decimal\": \",\", \"thousands\": \",\" }",
	    "3: option 'thousands': must differ from the decimal separator");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"thousands\": \"_\" }", "3: option 'thousands': must be one of");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"encoding\": \"utf-16\" }", "3: option 'encoding': must be one");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"date_format\": \"%d/%m\" }",
	    "3: option 'date_format': date format has no %Y: set default_year");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"date_format\": \"%Q\" }",
	    "3: option 'date_format': unsupported %Q");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"partial\": \"yes\" }", "3: option 'partial': must be true or");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"max_rows\": -1 }", "3: option 'max_rows': -1 is out of bounds");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"client\": \"Acme\" }", "3: option 'client': \"Acme\" is not a");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"client\": \"globex\" }", "3: option 'client': source 'a' names"
	    " client 'globex', which is not configured");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\" },\n"
	    "{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"x\" }",
	    "3: option 'name': source 'a' is defined twice");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"patern\": 1 }", "3: option 'patern': unknown option (did you"
	    " mean 'pattern'?)");
	source_fails("42", "2: option 'sources': element 1 must be an object");

	/* Custom KPIs. */
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": [\"reach\"] }",
	    "3: option 'custom_kpis': must be an object");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": { \"Reach\": \"Reach\" } }",
	    "3: option 'custom_kpis': \"Reach\": a custom KPI name is a"
	    " lowercase letter");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": {\n \"Likes\": \"page likes\" } }",
	    "4: option 'custom_kpis': \"Likes\": a custom KPI name");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": { \"Score\": \"1st\" } }",
	    "3: option 'custom_kpis': \"Score\": a custom KPI name");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": { \"Score\":"
	    " \"a234567890123456789012345678901bc\" } }",
	    "3: option 'custom_kpis': \"Score\": a custom KPI name");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": { \"Score\": 5 } }",
	    "3: option 'custom_kpis': \"Score\": a custom KPI name");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": { \"\": \"x\" } }",
	    "3: option 'custom_kpis': a header must be 1 to 255");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"custom_kpis\": { \"Reach\": \"reach\", \"REACH\": \"r\" } }",
	    "3: option 'custom_kpis': header \"REACH\" is listed twice");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"columns\": { \"Reach\": \"impressions\" },\n"
	    " \"custom_kpis\": { \"reach\": \"reach\" } }",
	    "4: option 'custom_kpis': \"reach\" is mapped in columns already");
	source_fails("{ \"name\": \"a\", \"type\": \"files\", \"pattern\": \"*\",\n"
	    " \"keep_unknown_numeric\": 1 }",
	    "3: option 'keep_unknown_numeric': must be true or false");
	source_fails("{ \"name\": \"a\", \"type\": \"pull\",\n"
	    " \"url\": \"http://x.example\", \"keep_unknown_numerics\": true }",
	    "3: option 'keep_unknown_numerics': unknown option (did you mean"
	    " 'keep_unknown_numeric'?)");
}

static void
test_config_repo_example(void **state)
{
	const struct client_conf *c;
	struct config	*cfg;
	char		*root, *path, *cause = NULL, *suffix;

	(void)state;
	/* TEST_DATA_DIR is <repo>/tests/data; it need not exist. */
	root = xstrdup(TEST_DATA_DIR);
	if ((suffix = strstr(root, "/tests/data")) != NULL &&
	    suffix[strlen("/tests/data")] == '\0')
		*suffix = '\0';
	xasprintf(&path, "%s/conf/roiwatchd.conf", root);
	cfg = config_load(path, tmpdir, &cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_string_equal(cfg->state_dir, tmpdir);
	assert_int_equal(cfg->nclients, 2);
	c = config_client(cfg, "acme");
	assert_non_null(c);
	assert_string_equal(c->name, "ACME Shoes");
	assert_string_equal(c->currency, "EUR");
	assert_string_equal(c->timezone, "Europe/Paris");
	assert_string_equal(c->language, "fr");
	assert_int_equal(c->rules.min_roi_ppm, 1500000);
	assert_int_equal(c->rules.target_roi_ppm, 3000000);
	assert_int_equal(c->rules.min_spend, 100000000);
	assert_non_null(config_receiver(c, "mailbox"));
	assert_string_equal(config_receiver(c, "mailbox")->dir, "mail/acme");
	assert_true(strlen(c->ingest_token) >= 16);
	c = config_client(cfg, "globex");
	assert_non_null(c);
	assert_string_equal(c->currency, "USD");
	assert_string_equal(c->language, "en");
	assert_int_equal(c->rules.min_roi_ppm, 1200000);
	assert_int_equal(c->rules.target_roi_ppm, 2000000);
	assert_string_equal(config_receiver(c, "mailbox")->dir, "mail/globex");
	config_free(cfg);
	free(path);
	free(root);
}

static void
test_config_print_options(void **state)
{
	char	*out;
	size_t	 len;
	FILE	*f;

	(void)state;
	f = open_memstream(&out, &len);
	config_print_options(f);
	fclose(f);
	assert_non_null(strstr(out, "listen_port"));
	assert_non_null(strstr(out, "1..65535"));
	assert_non_null(strstr(out, "default 8470"));
	assert_non_null(strstr(out, "minimum_roi"));
	assert_non_null(strstr(out, "starttls"));
	assert_non_null(strstr(out, "\"no\"|\"try\"|\"required\""));
	free(out);
	assert_string_equal(config_receiver_type_name(RECEIVER_SMTP), "smtp");
	assert_string_equal(config_receiver_type_name(RECEIVER_TYPE_MAX),
	    "unknown");
}

/* The source options of real exports: fixed campaign and dates, formats,
 * date columns, rounding, spread, conversion value, value maps. */
static void
test_config_source_export_options(void **state)
{
	const char *main_text =
	    "{ \"state_dir\": \"state\",\n"
	    "  \"sources\": [\n"
	    "    { \"name\": \"fb\", \"type\": \"files\",\n"
	    "      \"pattern\": \"meta-*.csv\", \"client\": \"acme\",\n"
	    "      \"campaign\": \"Always on\",\n"
	    "      \"date_from_name\": \"%Y-%m-%d\", \"round\": \"half_even\",\n"
	    "      \"values\": { \"channel\": { \"Facebook\": \"meta\" },\n"
	    "        \"client\": { \"ACME Corp\": \"acme\" } } },\n"
	    "    { \"name\": \"gads\", \"type\": \"files\",\n"
	    "      \"pattern\": \"gads-*.csv\",\n"
	    "      \"date_formats\": [\"%m/%d/%Y\", \"%d-%m-%Y\"],\n"
	    "      \"conversion_value\": \"45.50\" },\n"
	    "    { \"name\": \"mmm\", \"type\": \"files\",\n"
	    "      \"pattern\": \"mmm-*.csv\", \"client\": \"acme\",\n"
	    "      \"date_columns\": [\"Month\", \"Day\"],\n"
	    "      \"date_formats\": [\"%B %d\"], \"default_year\": 2024,\n"
	    "      \"spread\": [{ \"field\": \"cost\", \"into\": \"channel\",\n"
	    "        \"columns\": { \"TV spend\": \"tv\", \"Radio\": \"radio\" } },\n"
	    "        { \"field\": \"impressions\", \"into\": \"channel\",\n"
	    "        \"columns\": { \"TV GRP\": \"tv\" } }] },\n"
	    "    { \"name\": \"one\", \"type\": \"files\",\n"
	    "      \"pattern\": \"one-*.csv\", \"date\": \"2026-11-30\",\n"
	    "      \"spread\": { \"field\": \"cost\",\n"
	    "        \"columns\": { \"A\": \"Campaign A\" } } },\n"
	    "  ],\n"
	    "}\n";
	const struct source_conf	*src;
	struct parse_options		 po;
	struct config			*cfg;
	char				*cause, *text, *out;
	size_t				 outlen;
	int				 partial;
	FILE				*f;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);
	write_file("main.conf", main_text);
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("load: %s", cause);
	assert_int_equal(cfg->nsources, 4);

	src = config_file_settings(cfg, NULL, "/in/meta-2026-11-30.csv", &po,
	    &partial);
	assert_non_null(src);
	assert_string_equal(po.fixed_campaign, "Always on");
	assert_string_equal(po.date_from_name, "%Y-%m-%d");
	assert_string_equal(po.name, "meta-2026-11-30.csv");
	assert_null(po.date);
	assert_int_equal(po.round, MONEY_ROUND_HALF_EVEN);
	assert_int_equal(po.nvalues, 2);
	assert_int_equal(po.values[0].field, MF_CHANNEL);
	assert_string_equal(po.values[0].from, "Facebook");
	assert_string_equal(po.values[0].to, "meta");
	assert_int_equal(po.values[1].field, MF_CLIENT);

	src = config_file_source(cfg, "gads-1.csv");
	assert_int_equal(config_source_parse_options(src, &po), 0);
	assert_int_equal(po.ndate_formats, 2);
	assert_string_equal(po.date_formats[1], "%d-%m-%Y");
	assert_int_equal(po.conversion_value, 45500000);
	assert_int_equal(po.round, MONEY_ROUND_NONE);

	src = config_file_source(cfg, "mmm-1.csv");
	assert_int_equal(config_source_parse_options(src, &po), 0);
	assert_int_equal(po.ndate_columns, 2);
	assert_string_equal(po.date_columns[0], "Month");
	assert_int_equal(po.default_year, 2024);
	assert_int_equal(po.nspread, 3);
	assert_int_equal(po.spread_into, MF_CHANNEL);
	assert_string_equal(po.spread[1].header, "Radio");
	assert_string_equal(po.spread[1].name, "radio");
	assert_int_equal(po.spread[2].field, MF_IMPRESSIONS);

	src = config_file_source(cfg, "one-1.csv");
	assert_int_equal(config_source_parse_options(src, &po), 0);
	assert_string_equal(po.date, "2026-11-30");
	assert_int_equal(po.nspread, 1);
	assert_int_equal(po.spread_into, MF_CAMPAIGN);

	f = open_memstream(&out, &outlen);
	config_print_summary(cfg, f);
	fclose(f);
	assert_non_null(strstr(out, "date          from the file name,"
	    " \"%Y-%m-%d\""));
	assert_non_null(strstr(out, "spread        \"TV GRP\" -> impressions"
	    " of channel tv"));
	assert_non_null(strstr(out, "revenue       conversions x 45.50"));
	free(out);
	config_free(cfg);

	/* Every new option is listed with its help. */
	f = open_memstream(&out, &outlen);
	config_print_options(f);
	fclose(f);
	assert_non_null(strstr(out, "  date_formats "));
	assert_non_null(strstr(out, "  date_from_name "));
	assert_non_null(strstr(out, "  spread "));
	assert_non_null(strstr(out, "  round                    choice"
	    " \"none\"|\"half_even\", default \"none\""));
	free(out);
}

static void
test_config_source_export_errors(void **state)
{
	static const struct {
		const char	*src;
		const char	*rest;
	} t[] = {
		{ "\"date_formats\": [\"%d/%m\"]",
		  "option 'date_formats': date format has no %Y" },
		{ "\"date_formats\": [\"%Y-%m-%d\"], \"date_format\": \"%Y\"",
		  "option 'date_format': date format needs one" },
		{ "\"date_formats\": [\"%Y-%m-%d\"],"
		  " \"date_format\": \"%Y-%m-%d\"",
		  "option 'date_formats': date_format is set too" },
		{ "\"date\": \"2026-02-30\"",
		  "option 'date': \"2026-02-30\" is not a date YYYY-MM-DD" },
		{ "\"date\": \"2026-02-03\", \"date_from_name\": \"%Y%m%d\"",
		  "option 'date_from_name': date is set too" },
		{ "\"date_from_name\": \"%d\"",
		  "option 'date_from_name': date format" },
		{ "\"date_columns\": [\"Y\", \"M\", \"D\"],"
		  " \"date\": \"2026-02-03\"",
		  "option 'date_columns': a fixed date (date) is set too" },
		{ "\"date\": \"2026-02-03\", \"columns\": {\"Day\": \"date\"}",
		  "option 'columns': \"Day\" is mapped to date while date" },
		{ "\"default_year\": 0",
		  "option 'default_year': 0 is out of bounds" },
		{ "\"round\": \"up\"",
		  "option 'round': must be one of \"none\", \"half_even\"" },
		{ "\"campaign\": \"\"", "option 'campaign': must not be empty" },
		{ "\"spread\": \"cost\"", "option 'spread': must be an object" },
		{ "\"spread\": {\"field\": \"date\", \"columns\": {\"A\": \"a\"}}",
		  "option 'spread': \"field\" must be one of cost" },
		{ "\"spread\": {\"field\": \"cost\", \"into\": \"client\","
		  " \"columns\": {\"A\": \"a\"}}",
		  "option 'spread': \"into\" must be \"campaign\" or" },
		{ "\"spread\": {\"field\": \"cost\", \"columns\": {}}",
		  "option 'spread': \"columns\" must be an object" },
		{ "\"spread\": {\"field\": \"cost\", \"colums\": {}}",
		  "option 'spread': unknown key \"colums\"" },
		{ "\"spread\": [{\"field\": \"cost\", \"columns\": {\"A\": \"a\"}},"
		  " {\"field\": \"cost\", \"into\": \"channel\","
		  " \"columns\": {\"B\": \"b\"}}]",
		  "option 'spread': every spread object goes into the same" },
		{ "\"spread\": [{\"field\": \"cost\", \"columns\": {\"A\": \"a\"}},"
		  " {\"field\": \"clicks\", \"columns\": {\"a\": \"b\"}}]",
		  "option 'spread': header \"a\" is listed twice" },
		{ "\"spread\": {\"field\": \"cost\", \"columns\": {\"A\": \"a\"}},"
		  " \"columns\": {\"A\": \"cost\"}",
		  "option 'spread': \"A\" is mapped in columns already" },
		{ "\"spread\": {\"field\": \"cost\", \"into\": \"channel\","
		  " \"columns\": {\"A\": \"a\"}}, \"channel\": \"tv\"",
		  "option 'spread': spreads into channel while channel is fixed" },
		{ "\"conversion_value\": \"45.5\", \"columns\": {\"Sales\":"
		  " \"revenue\"}",
		  "option 'conversion_value': \"Sales\" is mapped to revenue" },
		{ "\"conversion_value\": \"-1\"",
		  "option 'conversion_value': must not be negative" },
		{ "\"conversion_value\": \"1.5\", \"spread\": {\"field\":"
		  " \"revenue\", \"columns\": {\"A\": \"a\"}}",
		  "option 'conversion_value': spread column \"A\" gives revenue" },
		{ "\"values\": {\"date\": {\"a\": \"b\"}}",
		  "option 'values': \"date\": values of client, campaign or" },
		{ "\"values\": {\"client\": {\"ACME Corp\": \"ACME\"}}",
		  "option 'values': client \"ACME Corp\": \"ACME\" is not a" },
		{ "\"values\": {\"channel\": {\"Fb\": \"meta\", \"FB\": \"x\"}}",
		  "option 'values': channel \"FB\" is listed twice" },
		{ "\"values\": {\"channel\": [\"meta\"]}",
		  "option 'values': \"channel\" must be an object" },
	};
	char	*text, *src;
	size_t	 i;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		xasprintf(&src, "{ \"name\": \"a\", \"type\": \"files\","
		    " \"pattern\": \"*\",\n %s }", t[i].src);
		xasprintf(&text, "3: %s", t[i].rest);
		source_fails(src, text);
		free(text);
		free(src);
	}
	/* date_from_name is for files */
	source_fails("{ \"name\": \"a\", \"type\": \"pull\", \"url\":"
	    " \"http://x.example\",\n \"date_from_name\": \"%Y%m%d\" }",
	    "3: option 'date_from_name': not used by pull sources");
}

/*
 * Delivery concurrency limits: defaults 32 / 8 / 4, set in the main file, a
 * receiver's own max_in_flight or the main file's per-receiver default.
 */
static void
test_config_delivery_limits(void **state)
{
	const struct client_conf *c;
	struct config	*cfg;
	char		*cause = NULL, *text;

	(void)state;
	text = client_text("acme", "tok/a.token", NULL,
	    "[{\"name\": \"h\", \"type\": \"webhook\","
	    " \"url\": \"https://x.example/\", \"max_in_flight\": 2},"
	    " {\"name\": \"g\", \"type\": \"webhook\","
	    " \"url\": \"https://y.example/\"}]");
	write_file("clients.d/a.conf", text);
	free(text);
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_int_equal(cfg->delivery_max_in_flight, 32);
	assert_int_equal(cfg->delivery_max_in_flight_per_client, 8);
	assert_int_equal(cfg->delivery_max_in_flight_per_receiver, 4);
	c = config_client(cfg, "acme");
	assert_int_equal(config_receiver(c, "h")->max_in_flight, 2);
	assert_int_equal(config_receiver(c, "g")->max_in_flight, 4);
	config_free(cfg);

	write_file("main.conf", "{ \"state_dir\": \"state\",\n"
	    " \"delivery_max_in_flight\": 100,\n"
	    " \"delivery_max_in_flight_per_client\": 10,\n"
	    " \"delivery_max_in_flight_per_receiver\": 3 }\n");
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_int_equal(cfg->delivery_max_in_flight, 100);
	assert_int_equal(cfg->delivery_max_in_flight_per_client, 10);
	c = config_client(cfg, "acme");
	assert_int_equal(config_receiver(c, "h")->max_in_flight, 2);
	assert_int_equal(config_receiver(c, "g")->max_in_flight, 3);
	config_free(cfg);

	write_file("main.conf", "{ \"state_dir\": \"state\",\n"
	    " \"delivery_max_in_flight_per_receiver\": 0 }\n");
	load_fails("main.conf", "2: option 'delivery_max_in_flight_per_receiver':"
	    " 0 is out of bounds (1..1024)");
	write_file("main.conf", "{ \"state_dir\": \"state\" }\n");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"file\","
	    " \"dir\": \"d\", \"max_in_flight\": 2}]",
	    "9: option 'max_in_flight': not used by file receivers");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"webhook\","
	    " \"url\": \"https://x.example/\", \"max_in_flight\": 1025}]",
	    "9: option 'max_in_flight': 1025 is out of bounds (1..1024)");
}

/*
 * E-mail senders: a receiver's from and reply_to, else its client's
 * email_from and reply_to, else the main file's; smtp needs a From from one
 * of them; addresses are checked where they are written; a sendmail
 * receiver's program must be an absolute path to an executable file.
 */
static void
test_config_email(void **state)
{
	const struct client_conf	*c;
	const struct receiver_conf	*r;
	struct config			*cfg;
	char				*cause = NULL, *text;

	(void)state;
	write_file("main.conf", "{ \"state_dir\": \"state\",\n"
	    " \"email_from\": \"Agency <alerts@agency.example>\",\n"
	    " \"reply_to\": \"desk@agency.example\" }\n");
	text = client_text("acme", "tok/a.token",
	    "\"email_from\": \"Zoë Ångström <zoe@acme.example>\",",
	    "[{\"name\": \"s\", \"type\": \"smtp\", \"url\": \"smtp://127.0.0.1\","
	    " \"to\": [\"x@y.example\"]},"
	    " {\"name\": \"f\", \"type\": \"file\", \"dir\": \"d\","
	    " \"reply_to\": \"\\\"Doe, Jane\\\" <jane@acme.example>\"},"
	    " {\"name\": \"m\", \"type\": \"sendmail\", \"to\": [\"x@y.example\"],"
	    " \"from\": \"own@acme.example\", \"command\": [\"/bin/true\", \"-t\"],"
	    " \"timeout_secs\": 3}]");
	write_file("clients.d/a.conf", text);
	free(text);
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	c = config_client(cfg, "acme");
	r = config_receiver(c, "s");
	assert_string_equal(r->from, "Zoë Ångström <zoe@acme.example>");
	assert_string_equal(r->reply_to, "desk@agency.example");
	r = config_receiver(c, "f");
	assert_string_equal(r->from, "Zoë Ångström <zoe@acme.example>");
	assert_string_equal(r->reply_to, "\"Doe, Jane\" <jane@acme.example>");
	r = config_receiver(c, "m");
	assert_int_equal(r->type, RECEIVER_SENDMAIL);
	assert_string_equal(r->from, "own@acme.example");
	assert_int_equal(r->ncommand, 2);
	assert_string_equal(r->command[0], "/bin/true");
	assert_int_equal(r->timeout_secs, 3);
	config_free(cfg);

	/* The main file's From when the client sets none. */
	text = client_text("acme", "tok/a.token", NULL,
	    "[{\"name\": \"s\", \"type\": \"smtp\", \"url\": \"smtp://127.0.0.1\","
	    " \"to\": [\"x@y.example\"]}]");
	write_file("clients.d/a.conf", text);
	free(text);
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	r = config_receiver(config_client(cfg, "acme"), "s");
	assert_string_equal(r->from, "Agency <alerts@agency.example>");
	config_free(cfg);

	/* None at all: smtp refused, file and sendmail fall back. */
	write_file("main.conf", "{ \"state_dir\": \"state\" }\n");
	client_fails(NULL, "[{\"name\": \"f\", \"type\": \"file\", \"dir\":"
	    " \"d\"}, {\"name\": \"s\", \"type\": \"smtp\", \"url\":"
	    " \"smtp://127.0.0.1\", \"to\": [\"x@y.example\"]}]",
	    "9: option 'from': missing (required for smtp receivers, unless the"
	    " client or the main file sets email_from)");
	text = client_text("acme", "tok/a.token", NULL, NULL);
	write_file("clients.d/a.conf", text);
	free(text);
	cfg = load(&cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	r = config_receiver(config_client(cfg, "acme"), "m");
	assert_string_equal(r->from, "roiwatch@localhost");
	assert_null(r->reply_to);
	config_free(cfg);

	/* Bad addresses, where they are written. */
	write_file("main.conf", "{ \"state_dir\": \"state\",\n"
	    " \"email_from\": \"alerts at agency\" }\n");
	load_fails("main.conf", "2: option 'email_from': \"alerts at agency\""
	    " is not a valid e-mail address");
	write_file("main.conf", "{ \"state_dir\": \"state\" }\n");
	client_fails("\"reply_to\": \"Desk <desk@agency.example\",",
	    NULL, "8: option 'reply_to': \"Desk <desk@agency.example\" is not"
	    " a valid e-mail address");
	client_fails("\"email_from\": \"a@b.example\\r\\nBcc: x@y.example\",",
	    NULL, "8: option 'email_from': control characters");
	client_fails(NULL, "[{\"name\": \"f\", \"type\": \"file\", \"dir\":"
	    " \"d\", \"reply_to\": \"zoë@example.com\"}]",
	    "9: option 'reply_to': \"zoë@example.com\" is not a valid e-mail"
	    " address: the part before '@' must be ASCII");
	client_fails(NULL, "[{\"name\": \"h\", \"type\": \"webhook\", \"url\":"
	    " \"https://x.example/\", \"reply_to\": \"a@b.example\"}]",
	    "9: option 'reply_to': not used by webhook receivers");

	/* sendmail programs. */
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"sendmail\","
	    " \"command\": [\"/bin/true\"]}]",
	    "9: option 'to': at least one recipient is required for sendmail");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"sendmail\","
	    " \"to\": [\"x@y.example\"], \"command\": [\"sendmail\", \"-t\"]}]",
	    "9: option 'command': the program \"sendmail\" must be an absolute"
	    " path");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"sendmail\","
	    " \"to\": [\"x@y.example\"], \"command\": [\"/nonexistent/sm\"]}]",
	    "9: option 'command': cannot run /nonexistent/sm: No such file");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"sendmail\","
	    " \"to\": [\"x@y.example\"], \"command\": [\"/etc/passwd\"]}]",
	    "9: option 'command': cannot run /etc/passwd: not an executable");
	client_fails(NULL, "[{\"name\": \"m\", \"type\": \"sendmail\","
	    " \"to\": [\"x@y.example\"], \"command\": []}]",
	    "9: option 'command': must name a program");
	if (access("/usr/sbin/sendmail", X_OK) != 0)
		client_fails(NULL, "[{\"name\": \"m\", \"type\": \"sendmail\","
		    " \"to\": [\"x@y.example\"]}]", "9: option 'command': cannot"
		    " run /usr/sbin/sendmail: No such file or directory (install"
		    " a mail transfer agent, or set \"command\")");
}

/* Which names of clients_dir are read, and the rule check-config names. */
static void
test_config_client_file_name(void **state)
{
	const char	*why;

	(void)state;
	assert_int_equal(config_client_file_name("acme.conf", &why), 1);
	assert_null(why);
	assert_int_equal(config_client_file_name("a.b.conf", NULL), 1);
	assert_int_equal(config_client_file_name("acme.json", &why), 0);
	assert_string_equal(why, "client files end in .conf");
	assert_int_equal(config_client_file_name("acme.conf~", &why), 0);
	assert_string_equal(why, "client files end in .conf");
	assert_int_equal(config_client_file_name("README", &why), 0);
	assert_int_equal(config_client_file_name("conf", &why), 0);
	assert_int_equal(config_client_file_name(".acme.conf.swp", &why), 0);
	assert_non_null(strstr(why, "hidden"));
	assert_int_equal(config_client_file_name(".acme.conf", &why), 0);
	assert_non_null(strstr(why, "hidden"));
	assert_int_equal(config_client_file_name(".conf", NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonc_lines),
		cmocka_unit_test(test_jsonc_strings),
		cmocka_unit_test(test_jsonc_syntax),
		cmocka_unit_test(test_jsonc_duplicates),
		cmocka_unit_test(test_jsonc_depth),
		cmocka_unit_test_setup_teardown(test_config_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_defaults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_main_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_client_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_receiver_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_duplicate_client,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_repo_example,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_sources, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_source_errors, setup,
		    teardown),
		cmocka_unit_test(test_config_print_options),
		cmocka_unit_test_setup_teardown(
		    test_config_source_export_options, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_source_export_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_delivery_limits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_email, setup,
		    teardown),
		cmocka_unit_test(test_config_client_file_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
