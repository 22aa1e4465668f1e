/*
 * The pure side of a receiver probe (`roiwatch test-notify`): where a
 * receiver sends, shown without credentials or the tokens chat services
 * keep in their paths, and the one line that says what happened.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "deliver-probe.h"

static const char *
dest(const char *url, const char *dir)
{
	static char		 buf[256];
	struct receiver_conf	 r;

	memset(&r, 0, sizeof r);
	r.url = (char *)url;
	r.dir = (char *)dir;
	return deliver_probe_destination(&r, "/var/lib/roiwatch", buf,
	    sizeof buf);
}

static void
test_destination(void **state)
{
	(void)state;
	assert_string_equal(dest("https://hooks.example.com/services/T0/B0/"
	    "s3cret", NULL), "https://hooks.example.com/...");
	assert_string_equal(dest("http://user:pa55@127.0.0.1:8080/h", NULL),
	    "http://127.0.0.1:8080/...");
	/* An '@' in a password: the last one ends the credentials. */
	assert_string_equal(dest("https://u:p@ss@host.example", NULL),
	    "https://host.example");
	assert_string_equal(dest("https://host.example/?token=k", NULL),
	    "https://host.example/...");
	assert_string_equal(dest("https://host.example?token=k", NULL),
	    "https://host.example/...");
	assert_string_equal(dest("https://host.example/", NULL),
	    "https://host.example");
	assert_string_equal(dest("smtp://mail.example:587", NULL),
	    "smtp://mail.example:587");
	assert_string_equal(dest("smtps://u:pw@[::1]:465", NULL),
	    "smtps://[::1]:465");
	/* Not a URL we can take apart: nothing of it. */
	assert_string_equal(dest("user:pw@host/path", NULL),
	    "(a URL that cannot be shown)");
	assert_string_equal(dest("a@b://host", NULL),
	    "(a URL that cannot be shown)");
	assert_string_equal(dest(NULL, "mail/acme"),
	    "directory /var/lib/roiwatch/mail/acme");
	assert_string_equal(dest(NULL, "/srv/mail"), "directory /srv/mail");
	assert_string_equal(dest(NULL, NULL), "(no destination configured)");
	assert_string_equal(dest("https://ho\x1bst", NULL), "https://ho\\x1bst");
}

static const char *
line(const char *proto, long status, const char *text, const char *reason,
    enum deliver_probe_outcome o)
{
	static char		buf[512];
	struct deliver_probe	p;

	memset(&p, 0, sizeof p);
	snprintf(p.receiver, sizeof p.receiver, "hook");
	snprintf(p.type, sizeof p.type, "webhook");
	snprintf(p.destination, sizeof p.destination, "https://h.example/...");
	snprintf(p.protocol, sizeof p.protocol, "%s", proto);
	p.status = status;
	snprintf(p.status_text, sizeof p.status_text, "%s", text);
	snprintf(p.reason, sizeof p.reason, "%s", reason);
	p.outcome = o;
	p.secs = 0.0123;
	return deliver_probe_format(&p, buf, sizeof buf);
}

static void
test_format(void **state)
{
	(void)state;
	assert_string_equal(line("HTTP", 200, "OK", "", PROBE_DELIVERED),
	    "hook (webhook) -> https://h.example/...: delivered, HTTP 200 OK "
	    "(0.012 s)");
	/* The reason that is the status is said once. */
	assert_string_equal(line("HTTP", 500, "Internal Server Error",
	    "HTTP 500 Internal Server Error", PROBE_RETRY),
	    "hook (webhook) -> https://h.example/...: would retry, HTTP 500 "
	    "Internal Server Error (0.012 s)");
	assert_string_equal(line("HTTP", 301, "Moved",
	    "HTTP 301 Moved (redirects are not followed)", PROBE_PERMANENT),
	    "hook (webhook) -> https://h.example/...: permanent failure, HTTP "
	    "301 Moved (redirects are not followed) (0.012 s)");
	assert_string_equal(line("SMTP", 550, "", "SMTP 550: Failed sending "
	    "data", PROBE_PERMANENT), "hook (webhook) -> https://h.example/...: "
	    "permanent failure, SMTP 550: Failed sending data (0.012 s)");
	assert_string_equal(line("SMTP", 250, "", "", PROBE_DELIVERED),
	    "hook (webhook) -> https://h.example/...: delivered, SMTP 250 "
	    "(0.012 s)");
	/* No answer at all. */
	assert_string_equal(line("HTTP", 0, "", "Couldn't connect to server",
	    PROBE_RETRY), "hook (webhook) -> https://h.example/...: would "
	    "retry: Couldn't connect to server (0.012 s)");
	/* A status without a known protocol. */
	assert_string_equal(line("", 7, "", "", PROBE_PERMANENT),
	    "hook (webhook) -> https://h.example/...: permanent failure, "
	    "status 7 (0.012 s)");
	assert_string_equal(line("", 0, "", "receiver: no url configured",
	    PROBE_UNUSABLE), "hook (webhook) -> https://h.example/...: not "
	    "usable: receiver: no url configured (0.012 s)");
	assert_string_equal(line("HTTP", 0, "", "bad\nline", PROBE_RETRY),
	    "hook (webhook) -> https://h.example/...: would retry: bad\\nline "
	    "(0.012 s)");
	assert_string_equal(deliver_probe_outcome_name(PROBE_OUTCOME_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_destination),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
