/*
 * The HTML rendering of a notice (notice-html.c): untrusted text (client,
 * campaign and channel names) escaped everywhere, elements balanced, no
 * <style>, <script> nor external resource, a band in each event's tone, and
 * every label and value of the document in it.
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
#include "notice.h"
#include "notice-doc.h"

#define NOW	1709632800

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		print_error("\"%s\" not found in:\n%s\n", needle, hay);
		fail();
	}
}

static void
fill(struct notice_event *e, const char *campaign, const char *channel,
    enum alert_kind kind, enum rule_action action)
{
	memset(e, 0, sizeof *e);
	snprintf(e->campaign, sizeof e->campaign, "%s", campaign);
	snprintf(e->channel, sizeof e->channel, "%s", channel);
	e->kind = kind;
	e->action = action;
	e->totals.cost = 25750 * 1000000LL;
	e->totals.revenue = 87000 * 1000000LL;
	e->totals.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	e->totals.samples = 3;
	e->totals.first_day = metric_days_from_civil(2024, 3, 1);
	e->totals.last_day = metric_days_from_civil(2024, 3, 3);
	kpi_totals_assume_complete(&e->totals);
	e->window_days = 7;
	e->min_roi_ppm = 1500000;
	e->target_roi_ppm = 2000000;
	e->has_target = 1;
}

/* HTML escaped the way ndoc_html() does it, for comparison. */
static char *
esc(const char *s)
{
	char	*out = calloc(1, strlen(s) * 6 + 1), *o = out;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': o = stpcpy(o, "&amp;"); break;
		case '<': o = stpcpy(o, "&lt;"); break;
		case '>': o = stpcpy(o, "&gt;"); break;
		case '"': o = stpcpy(o, "&quot;"); break;
		case '\'': o = stpcpy(o, "&#39;"); break;
		default: *o++ = *s; break;
		}
	}
	return (out);
}

/* Opening and closing tags of the elements used pair up, in order. */
static void
check_balanced(const char *html)
{
	static const char *const paired[] = { "html", "head", "title", "body",
	    "table", "tr", "td", "th", "p", "span" };
	const char	*stack[256], *p, *name;
	size_t		 depth = 0, n, i;
	int		 close, known;

	for (p = strchr(html, '<'); p != NULL; p = strchr(p + 1, '<')) {
		close = p[1] == '/';
		name = p + 1 + close;
		n = strspn(name, "abcdefghijklmnopqrstuvwxyz");
		known = 0;
		for (i = 0; i < sizeof paired / sizeof paired[0]; i++) {
			if (strlen(paired[i]) == n &&
			    strncmp(paired[i], name, n) == 0)
				known = 1;
		}
		if (!known)
			continue;
		if (!close) {
			assert_true(depth < 256);
			stack[depth++] = name;
			continue;
		}
		assert_true(depth > 0);
		depth--;
		if (strncmp(stack[depth], name, n) != 0 ||
		    strspn(stack[depth], "abcdefghijklmnopqrstuvwxyz") != n)
			fail_msg("</%.*s> closes <%.*s>", (int)n, name, (int)n,
			    stack[depth]);
	}
	assert_int_equal(depth, 0);
}

static void
test_html_escaping(void **state)
{
	static const char	*hostile = "<script>alert('x')</script> & \"Bcc\"";
	struct notice		*n;
	struct notice_event	 e;
	struct ndoc		*d;
	char			*html, *want, *text;
	size_t			 i, j;

	(void)state;
	n = notice_new("acme", "<b>ACME</b> & Sons' \"Shop\"", "EUR", "en",
	    "UTC", NOW);
	fill(&e, hostile, "ch<i>an", ALERT_ROI_LOW, RULE_FIRE);
	notice_add_event(n, &e);
	fill(&e, "Spring", "meta", ALERT_ROI_TARGET, RULE_GOOD);
	notice_add_event(n, &e);
	html = notice_body_html(n);

	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>"));
	assert_null(strstr(html, "<i>"));
	assert_null(strstr(html, "<style"));
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, "<img"));
	assert_contains(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
	    " &amp; &quot;Bcc&quot;");
	assert_contains(html, "&lt;b&gt;ACME&lt;/b&gt; &amp; Sons&#39;"
	    " &quot;Shop&quot;");
	assert_contains(html, "<html lang=\"en\">");
	assert_contains(html, "width=\"600\"");
	check_balanced(html);
	/* A band in each event's tone: bad, then good. */
	assert_true(strstr(html, "background-color:#b3261e") != NULL);
	assert_true(strstr(html, "background-color:#1e6b34") != NULL);
	assert_true(strstr(html, "background-color:#b3261e") <
	    strstr(html, "background-color:#1e6b34"));

	/* Every word of the document, escaped, and nothing else. */
	d = notice_doc(n);
	for (i = 0; i < d->nevents; i++) {
		for (j = 0; j < d->events[i].nfields; j++) {
			want = esc(d->events[i].fields[j].label);
			assert_contains(html, want);
			free(want);
			want = esc(d->events[i].fields[j].value);
			assert_contains(html, want);
			free(want);
		}
		want = esc(d->events[i].title);
		assert_contains(html, want);
		free(want);
	}
	want = esc(d->footnote);
	assert_contains(html, want);
	free(want);
	want = esc(d->subject);
	assert_contains(html, want);
	free(want);
	ndoc_free(d);
	/* The figures of the text are in the HTML too. */
	text = notice_body_text(n);
	assert_contains(text, "237.86");
	assert_contains(html, "237.86");
	free(text);
	free(html);
	notice_free(n);
}

/* Control characters and invalid UTF-8 in names never reach the HTML. */
static void
test_html_controls(void **state)
{
	struct notice		*n;
	struct notice_event	 e;
	char			*html, *p;

	(void)state;
	n = notice_new("acme", "AC\x01ME\xff", "EUR", "fr", "UTC", NOW);
	fill(&e, "x\x1b[31m", "y", ALERT_ROI_LOW, RULE_FIRE);
	notice_add_event(n, &e);
	html = notice_body_html(n);
	for (p = html; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	assert_null(strstr(html, "\xff"));
	assert_contains(html, "<html lang=\"fr\">");
	free(html);
	notice_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escaping),
		cmocka_unit_test(test_html_controls),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
