/*
 * The digest in HTML (digest-html.c): the e-mail and the report page of
 * the fixed digest (tests/unit/digest-fixture.h) in English and French,
 * compared byte for byte with the golden files in tests/golden/digest;
 * then what must hold whatever the layout: nothing an e-mail client would
 * fetch or run (no script, no image, no address), every text escaped, the
 * e-mail 600 pixels wide with inline styles only, an anchor for every
 * sentence of the story, the page a whole responsive document with each
 * campaign's alert state as a badge and the notes marked on the chart, and
 * every output well formed (tags balanced, attributes quoted, entities
 * known).
 *
 * ROIWATCH_UPDATE_GOLDEN=1 in the environment writes the golden files
 * instead of comparing (then review the diff):
 *   ROIWATCH_UPDATE_GOLDEN=1 ctest --test-dir build -R digest_html
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "digest.h"
#include "digest-schedule.h"
#include "digest-fixture.h"
/* TO BE REMOVED AT MERGE: see the file. */

#define GOLDEN_DIR	TEST_DATA_DIR "/../golden/digest"

static const char *const langs[] = { "en", "fr" };
static const char *const refs[] = { "total", "channels", "campaigns",
    "budgets", "alerts", "notes", "issues" };
#define NREFS	(sizeof refs / sizeof refs[0])

static void
golden(const char *name, const char *got)
{
	char	path[512];

	snprintf(path, sizeof path, "%s/%s.html", GOLDEN_DIR, name);
	golden_check(path, got);
}

/* ---- Well-formedness ---- */

static int
is_void(const char *name)
{
	static const char *const v[] = { "meta", "br", "hr", "img", "input",
	    "link", "col", "wbr", "area", "base", "source" };
	size_t	i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(name, v[i]) == 0)
			return (1);
	return (0);
}

/* "&amp;" "&lt;" "&gt;" "&quot;" "&#39;" "&nbsp;" "&#9632;": known
 * entities only, so that a bare '&' of a text fails. */
static size_t
entity(const char *p, const char *what)
{
	static const char *const names[] = { "&amp;", "&lt;", "&gt;",
	    "&quot;", "&nbsp;" };
	size_t	i, n;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(p, names[i], strlen(names[i])) == 0)
			return (strlen(names[i]));
	if (p[1] == '#') {
		for (n = 2; isdigit((unsigned char)p[n]); n++)
			;
		if (n > 2 && p[n] == ';')
			return (n + 1);
	}
	fail_msg("%s: bad entity at \"%.20s\"", what, p);
	return (0);
}

/*
 * Tags balanced (void elements aside, "/>" only inside <svg>), every
 * attribute's value quoted, no '<' or '>' or bare '&' in a text or a
 * value; the <style> block's text is skipped.
 */
static void
check_html(const char *s, const char *what)
{
	char		 stack[512][16], name[16];
	size_t		 depth = 0, n, k, svg = 0;
	const char	*p = s, *e;
	int		 close, self;

	while (*p != '\0') {
		if (*p == '&') {
			p += entity(p, what);
			continue;
		}
		if (*p == '>')
			fail_msg("%s: '>' in text at \"%.40s\"", what, p);
		if (*p != '<') {
			p++;
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0) {
			e = strstr(p, "-->");
			assert_non_null(e);
			p = e + 3;
			continue;
		}
		if (strncmp(p, "<!DOCTYPE html>", 15) == 0) {
			assert_true(p == s);
			p += 15;
			continue;
		}
		close = p[1] == '/';
		p += close ? 2 : 1;
		for (n = 0; isalnum((unsigned char)p[n]); n++)
			;
		if (n == 0 || n >= sizeof name)
			fail_msg("%s: not a tag at \"%.40s\"", what, p - 1);
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		self = 0;
		/* Attributes: name="value" */
		for (;;) {
			while (*p == ' ' || *p == '\n')
				p++;
			if (*p == '>') {
				p++;
				break;
			}
			if (p[0] == '/' && p[1] == '>') {
				self = 1;
				p += 2;
				break;
			}
			if (close)
				fail_msg("%s: </%s with attributes", what, name);
			for (k = 0; isalnum((unsigned char)p[k]) || p[k] == '-' ||
			    p[k] == ':'; k++)
				;
			if (k == 0)
				fail_msg("%s: <%s: bad attribute at \"%.40s\"",
				    what, name, p);
			p += k;
			if (*p != '=')
				continue;
			if (p[1] != '"')
				fail_msg("%s: <%s: unquoted value at \"%.40s\"",
				    what, name, p);
			for (p += 2; *p != '"'; p++) {
				if (*p == '\0' || *p == '<' || *p == '>')
					fail_msg("%s: <%s: bad value", what,
					    name);
				if (*p == '&')
					p += entity(p, what) - 1;
			}
			p++;
		}
		if (close) {
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
				fail_msg("%s: </%s> closes <%s> (near \"%.60s\")",
				    what, name, depth ? stack[depth - 1] : "",
				    p);
			depth--;
			if (strcmp(name, "svg") == 0)
				svg--;
			continue;
		}
		if (self) {
			if (svg == 0)
				fail_msg("%s: <%s/> outside <svg>", what, name);
			continue;
		}
		if (is_void(name))
			continue;
		assert_true(depth < 512);
		snprintf(stack[depth++], sizeof stack[0], "%s", name);
		if (strcmp(name, "svg") == 0)
			svg++;
		if (strcmp(name, "style") == 0) {
			e = strstr(p, "</style>");
			assert_non_null(e);
			assert_null(memchr(p, '<', (size_t)(e - p)));
			p = e;
		}
	}
	if (depth != 0)
		fail_msg("%s: <%s> never closed", what, stack[depth - 1]);
}

/* The checker fails on what it must catch. */
static void
test_checker(void **state)
{
	(void)state;
	check_html("<!DOCTYPE html>\n<html><body><p>a &amp; b<br></p>"
	    "<svg><line x1=\"0\"/></svg></body></html>", "ok");
}

/* ---- What must hold ---- */

static int
contains_ci(const char *s, const char *w)
{
	size_t	n = strlen(w);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, w, n) == 0)
			return (1);
	return (0);
}

/* Nothing a mail client would fetch or run. */
static void
check_inert(const char *html)
{
	assert_false(contains_ci(html, "<script"));
	assert_false(contains_ci(html, "<img"));
	assert_false(contains_ci(html, "<iframe"));
	assert_false(contains_ci(html, "<link"));
	assert_false(contains_ci(html, "<object"));
	assert_false(contains_ci(html, "http"));
	assert_false(contains_ci(html, "url("));
	assert_false(contains_ci(html, "@import"));
	assert_false(contains_ci(html, " on"
	    "click="));
	assert_false(contains_ci(html, "javascript:"));
	assert_false(contains_ci(html, "src="));
}

static void
check_anchors(const struct digest *d, const char *html)
{
	struct digest_sentence	*st;
	char			 want[64];
	size_t			 n, i;

	for (i = 0; i < NREFS; i++) {
		snprintf(want, sizeof want, "id=\"%s\"", refs[i]);
		if (strstr(html, want) == NULL)
			fail_msg("no %s", want);
	}
	n = digest_story(d, &st);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof want, "id=\"%s\"", st[i].ref);
		assert_non_null(strstr(html, want));
		snprintf(want, sizeof want, "<a href=\"#%s\"", st[i].ref);
		assert_non_null(strstr(html, want));
	}
	digest_story_free(st, n);
}

static void
test_golden(void **state)
{
	struct digest	*d;
	char		*s, name[32];
	size_t		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		d = digest_fixture(langs[i]);
		s = digest_html(d, DIGEST_HTML_EMAIL);
		snprintf(name, sizeof name, "email-%s", langs[i]);
		golden(name, s);
		free(s);
		s = digest_html(d, DIGEST_HTML_PAGE);
		snprintf(name, sizeof name, "page-%s", langs[i]);
		golden(name, s);
		free(s);
		digest_free(d);
	}
}

static void
test_email(void **state)
{
	struct digest	*d;
	char		*s;
	size_t		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		d = digest_fixture(langs[i]);
		s = digest_html(d, DIGEST_HTML_EMAIL);
		check_html(s, langs[i]);
		check_inert(s);
		/* Inline styles only, 600 pixels. */
		assert_null(strstr(s, "<style"));
		assert_null(strstr(s, "class="));
		assert_non_null(strstr(s, "width=\"600\""));
		check_anchors(d, s);
		/* The note's text, escaped. */
		assert_null(strstr(s, "<20 % off>"));
		assert_non_null(strstr(s, "Black Friday offer &lt;20 % off&gt; "
		    "&amp; free delivery"));
		/* Charts without images: bars of cells, an inline SVG. */
		assert_non_null(strstr(s, "<svg "));
		assert_non_null(strstr(s, "bgcolor="));
		/* Words of the client's language; figures in its format. */
		assert_non_null(strstr(s, tr(langs[i], "Key figures")));
		assert_non_null(strstr(s, i == 0 ? "\xe2\x82\xac" "10,000.00" :
		    "10\xe2\x80\xaf" "000,00\xc2\xa0\xe2\x82\xac"));
		assert_non_null(strstr(s, i == 0 ? "238.00%" :
		    "238,00\xe2\x80\xaf%"));
		/* The late banner only when late. */
		assert_null(strstr(s, tr(langs[i], "This digest is late: it "
		    "was due while roiwatch was not running, and reports the "
		    "period it was due for.")));
		free(s);
		d->late = 1;
		s = digest_html(d, DIGEST_HTML_EMAIL);
		assert_non_null(strstr(s, tr(langs[i], "This digest is late: it "
		    "was due while roiwatch was not running, and reports the "
		    "period it was due for.")));
		free(s);
		digest_free(d);
	}
	assert_int_equal(catalog_misses(), 0);
}

/* The row of campaign `name` (from its name cell to the row's end). */
static char *
row_of(const char *html, const char *name)
{
	char		 want[128];
	const char	*p, *e;

	snprintf(want, sizeof want, ">%s<br>", name);
	p = strstr(html, want);
	if (p == NULL)
		return (NULL);
	e = strstr(p, "</tr>");
	assert_non_null(e);
	return (strndup(p, (size_t)(e - p)));
}

static void
test_page(void **state)
{
	struct digest	*d;
	char		*s, *row, want[128], name[64];
	const char	*p, *mark;
	size_t		 i, j;
	int32_t		 day0;

	(void)state;
	for (i = 0; i < 2; i++) {
		d = digest_fixture(langs[i]);
		s = digest_html(d, DIGEST_HTML_PAGE);
		check_html(s, langs[i]);
		check_inert(s);
		assert_true(strncmp(s, "<!DOCTYPE html>\n<html lang=\"", 28) ==
		    0);
		assert_non_null(strstr(s, "<meta name=\"viewport\" "
		    "content=\"width=device-width, initial-scale=1\">"));
		assert_non_null(strstr(s, "<style>"));
		/* Tables scroll in their box on a phone. */
		assert_non_null(strstr(s, ".scroll{overflow-x:auto"));
		assert_non_null(strstr(s, "@media (max-width:"));
		check_anchors(d, s);
		/* Every campaign with its alert state as a badge. */
		for (j = 0; j < d->ncampaigns; j++) {
			row = row_of(s, d->campaigns[j].name);
			if (row == NULL)
				fail_msg("no row for %s", d->campaigns[j].name);
			snprintf(want, sizeof want, "data-state=\"%s\"",
			    rules_state_name(d->campaigns[j].state));
			if (strstr(row, want) == NULL)
				fail_msg("%s: no %s", d->campaigns[j].name,
				    want);
			assert_non_null(strstr(row, "class=\"badge\""));
			free(row);
		}
		row = row_of(s, "meta-video");
		assert_non_null(strstr(row, trc(langs[i], "alert state",
		    "firing")));
		assert_non_null(strstr(row, "roi_low"));
		free(row);
		/* Notes: a mark on the chart with the note as its title, and
		 * listed under it. */
		mark = strstr(s, "class=\"mark\" title=\"1. ");
		assert_non_null(mark);
		p = strchr(mark + 20, '"');
		assert_non_null(strstr(mark, "Meta budget moved to WhatsApp"));
		assert_true(strstr(mark, "Meta budget moved to WhatsApp") < p);
		mark = strstr(s, "class=\"mark\" title=\"2. ");
		assert_non_null(mark);
		assert_non_null(strstr(mark, "Black Friday offer &lt;20 % off&gt;"
		    " &amp; free delivery\">2</td>"));
		assert_null(strstr(s, "<20 % off>"));
		assert_non_null(strstr(s, "<li>"));
		/* Links to the periods before and after: calendar months. */
		day0 = metric_days_from_civil(2026, 10, 1);
		digest_period_name(day0, day0 + 30, name, sizeof name);
		snprintf(want, sizeof want, "<a href=\"?period=%s\"", name);
		assert_non_null(strstr(s, want));
		day0 = metric_days_from_civil(2026, 12, 1);
		digest_period_name(day0, day0 + 30, name, sizeof name);
		snprintf(want, sizeof want, "<a href=\"?period=%s\"", name);
		assert_non_null(strstr(s, want));
		free(s);
		/* Seen on 15 November, December has not started. */
		d->generated -= 16 * 86400;
		s = digest_html(d, DIGEST_HTML_PAGE);
		assert_null(strstr(s, want));
		free(s);
		digest_free(d);
	}
	assert_int_equal(catalog_misses(), 0);
}

/* Names that are markup are shown, never read as markup. */
static void
test_escapes(void **state)
{
	struct digest	*d;
	char		*s;
	int		 kind;

	(void)state;
	d = digest_fixture("en");
	free(d->client_name);
	d->client_name = xstrdup("ACME <b>\"Shoes\"</b> & 'Co'");
	free(d->campaigns[1].name);
	d->campaigns[1].name = xstrdup("<script>x</script>");
	free(d->channels[0].name);
	d->channels[0].name = xstrdup("wa\"><i>");
	free(d->alerts[0].rule);
	d->alerts[0].rule = xstrdup("r<1>");
	free(d->campaigns[4].alerts);
	d->campaigns[4].alerts = xstrdup("a&b");
	free(d->issues[0].subject);
	d->issues[0].subject = xstrdup("x\x01<y>");
	for (kind = 0; kind < DIGEST_HTML_KIND_MAX; kind++) {
		s = digest_html(d, (enum digest_html_kind)kind);
		check_html(s, "hostile");
		check_inert(s);
		assert_null(strstr(s, "<b>"));
		assert_null(strstr(s, "<i>"));
		assert_non_null(strstr(s, "ACME &lt;b&gt;&quot;Shoes&quot;"
		    "&lt;/b&gt; &amp; &#39;Co&#39;"));
		assert_non_null(strstr(s, "&lt;script&gt;x&lt;/script&gt;"));
		assert_non_null(strstr(s, "r&lt;1&gt;"));
		assert_non_null(strstr(s, "a&amp;b"));
		assert_non_null(strstr(s, "x &lt;y&gt;"));
		free(s);
	}
	digest_free(d);
}

/* More than 10 campaigns: the e-mail shows the 5 best, "N more", the 5
 * worst; the page shows every one. */
static void
test_many_campaigns(void **state)
{
	struct digest	*d;
	char		*s, name[32], *row;
	size_t		 i, n = 13;

	(void)state;
	d = digest_fixture("en");
	for (i = 0; i < d->ncampaigns; i++) {
		free(d->campaigns[i].name);
		free(d->campaigns[i].channel);
		free(d->campaigns[i].alerts);
	}
	free(d->campaigns);
	d->ncampaigns = n;
	d->campaigns = xcalloc(n, sizeof *d->campaigns);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "camp-%02zu", i);
		fx_row(&d->campaigns[i], name, "meta", 100, 1000 - (int64_t)i *
		    60, 10, 100, 500, 5, i == n - 1 ? ALERT_PENDING : ALERT_OK,
		    i == n - 1 ? "cpa_high" : "", d->to_day);
	}
	s = digest_html(d, DIGEST_HTML_EMAIL);
	check_html(s, "many");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "camp-%02zu", i);
		row = row_of(s, name);
		if ((i >= 5 && i < n - 5) != (row == NULL))
			fail_msg("e-mail: %s %s", name, row ? "shown" :
			    "missing");
		free(row);
	}
	assert_non_null(strstr(s, "3 more campaigns"));
	/* The best before the worst. */
	assert_true(strstr(s, ">camp-00<") < strstr(s, "3 more campaigns"));
	assert_true(strstr(s, "3 more campaigns") < strstr(s, ">camp-12<"));
	free(s);
	s = digest_html(d, DIGEST_HTML_PAGE);
	check_html(s, "many page");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "camp-%02zu", i);
		row = row_of(s, name);
		assert_non_null(row);
		free(row);
	}
	assert_null(strstr(s, "more campaigns"));
	row = row_of(s, "camp-12");
	assert_non_null(strstr(row, "data-state=\"pending\""));
	free(row);
	free(s);
	digest_free(d);
}

/* 50 alerts and 50 issues: the e-mail shows 20 of each and says how many
 * more the page has; the page shows them all. */
static void
test_long_lists(void **state)
{
	struct digest	*d;
	char		*s, want[64];
	const char	*p;
	size_t		 i, n;

	(void)state;
	d = digest_fixture("en");
	d->alerts = xreallocarray(d->alerts, 50, sizeof *d->alerts);
	d->issues = xreallocarray(d->issues, 50, sizeof *d->issues);
	for (i = d->nalerts; i < 50; i++) {
		d->alerts[i] = d->alerts[0];
		xasprintf(&d->alerts[i].rule, "rule_%02zu", i);
		d->alerts[i].subject = xstrdup("meta");
	}
	for (i = d->nissues; i < 50; i++) {
		memset(&d->issues[i], 0, sizeof d->issues[i]);
		d->issues[i].kind = DIGEST_ISSUE_SOURCE;
		xasprintf(&d->issues[i].subject, "source_%02zu", i);
		d->issues[i].detail = xstrdup("timeout");
	}
	d->nalerts = d->nissues = 50;
	s = digest_html(d, DIGEST_HTML_EMAIL);
	check_html(s, "lists");
	for (n = 0, p = s; (p = strstr(p, "30 more, on the report page")) !=
	    NULL; p++)
		n++;
	assert_int_equal(n, 2);
	assert_non_null(strstr(s, ">rule_19<"));
	assert_null(strstr(s, ">rule_20<"));
	assert_non_null(strstr(s, "source_19"));
	assert_null(strstr(s, "source_20"));
	free(s);
	s = digest_html(d, DIGEST_HTML_PAGE);
	check_html(s, "lists page");
	assert_null(strstr(s, "on the report page"));
	for (i = 3; i < 50; i++) {
		snprintf(want, sizeof want, ">rule_%02zu<", i);
		assert_non_null(strstr(s, want));
		snprintf(want, sizeof want, "source_%02zu", i);
		assert_non_null(strstr(s, want));
	}
	free(s);
	digest_free(d);
}

/* An empty period and a long one: every section is there, the chart
 * groups days, nothing breaks. */
static void
test_shapes(void **state)
{
	struct digest	*d;
	char		*s;
	size_t		 i;
	int		 kind;

	(void)state;
	d = xcalloc(1, sizeof *d);
	d->client_id = xstrdup("empty");
	d->client_name = xstrdup("Empty");
	d->currency = xstrdup("USD");
	d->language = xstrdup("fr");
	d->timezone = xstrdup("No/Such_Zone");
	d->schedule = xstrdup("");
	d->from_day = d->to_day = metric_days_from_civil(2026, 11, 30);
	d->prev_from = d->prev_to = d->from_day - 1;
	d->last_day = INT32_MIN;
	for (kind = 0; kind < DIGEST_HTML_KIND_MAX; kind++) {
		s = digest_html(d, (enum digest_html_kind)kind);
		check_html(s, "empty");
		check_anchors(d, s);
		assert_non_null(strstr(s, "(UTC)"));
		free(s);
	}
	digest_free(d);

	d = digest_fixture("en");
	free(d->days);
	d->ndays = 400;
	d->days = xcalloc(d->ndays, sizeof *d->days);
	d->from_day = d->to_day - 399;
	for (i = 0; i < d->ndays; i++) {
		d->days[i].day = d->from_day + (int32_t)i;
		d->days[i].has = i % 7 != 0;
		d->days[i].spend = i % 7 != 0 ? FX_EUR(100) : 0;
		d->days[i].revenue = FX_EUR((int64_t)(i % 50) * 5);
	}
	for (kind = 0; kind < DIGEST_HTML_KIND_MAX; kind++) {
		s = digest_html(d, (enum digest_html_kind)kind);
		check_html(s, "long");
		assert_non_null(strstr(s, "Spend and revenue by groups of "
		    "days"));
		/* 400 days in bars of 13: 31 columns of two bars. */
		assert_non_null(strstr(s, "<td colspan=\"31\""));
		free(s);
	}
	digest_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_many_campaigns),
		cmocka_unit_test(test_long_lists),
		cmocka_unit_test(test_shapes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
