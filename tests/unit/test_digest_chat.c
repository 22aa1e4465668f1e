/*
 * The digest for chat (digest-chat.c): the condensed document of the fixed
 * digest (tests/unit/digest-fixture.h) in English and French -- the key
 * figures against the previous period and the agreed ROI, the best and the
 * worst campaign, the budgets at risk, the alerts, the data issues, each
 * with a sensible tone -- and every chat format's rendering of it: valid
 * JSON, one message, within each service's documented limits (checked
 * here anew), for the fixture and for a client of 300 campaigns, whose
 * document must stay as short (no list of every campaign).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "chat-json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "chat.h"
#include "digest.h"
#include "digest-fixture.h"
#include "notice-doc.h"
#include "utf8.h"
/* TO BE REMOVED AT MERGE: see the file. */

static const char *const formats[] = {
	"slack", "teams", "discord", "mattermost", "googlechat",
};
#define NFORMATS	(sizeof formats / sizeof formats[0])
#define BIG		300

/* The services' documented limits (see test_chat.c for the sources). */
static void
check_limits(const char *format, const cJSON *m)
{
	const cJSON	*b, *f, *e;
	size_t		 total = 0, n;

	if (strcmp(format, "slack") == 0) {
		assert_true(slen(m, "text") <= 40000);
		assert_true(cJSON_GetArraySize(get(m, "blocks")) <= 50);
		cJSON_ArrayForEach(b, get(m, "blocks")) {
			if (strcmp(get(b, "type")->valuestring, "header") == 0)
				assert_true(slen(get(b, "text"), "text") <= 150);
			if ((f = cJSON_GetObjectItem(b, "text")) != NULL &&
			    cJSON_IsObject(f))
				assert_true(slen(f, "text") <= 3000);
			if ((f = cJSON_GetObjectItem(b, "fields")) != NULL) {
				assert_true(cJSON_GetArraySize(f) <= 10);
				cJSON_ArrayForEach(e, f)
					assert_true(slen(e, "text") <= 2000);
			}
			if ((f = cJSON_GetObjectItem(b, "elements")) != NULL) {
				assert_true(cJSON_GetArraySize(f) <= 10);
				cJSON_ArrayForEach(e, f)
					assert_true(slen(e, "text") <= 3000);
			}
		}
	} else if (strcmp(format, "teams") == 0) {
		assert_true(json_len(m) <= 20000);
		assert_string_equal(get(m, "type")->valuestring, "message");
	} else if (strcmp(format, "discord") == 0) {
		assert_true(slen(m, "content") <= 2000);
		assert_int_equal(cJSON_GetArraySize(get(get(m,
		    "allowed_mentions"), "parse")), 0);
		assert_true(cJSON_GetArraySize(get(m, "embeds")) <= 10);
		cJSON_ArrayForEach(e, get(m, "embeds")) {
			assert_true((n = slen(e, "title")) <= 256);
			total += n;
			assert_true((n = slen(e, "description")) <= 4096);
			total += n;
			if (cJSON_GetObjectItem(e, "footer") != NULL) {
				assert_true((n = slen(get(e, "footer"),
				    "text")) <= 2048);
				total += n;
			}
			f = cJSON_GetObjectItem(e, "fields");
			assert_true(cJSON_GetArraySize(f) <= 25);
			cJSON_ArrayForEach(b, f) {
				assert_true((n = slen(b, "name")) <= 256 &&
				    n > 0);
				total += n;
				assert_true((n = slen(b, "value")) <= 1024 &&
				    n > 0);
				total += n;
			}
		}
		assert_true(total <= 6000);
	} else if (strcmp(format, "mattermost") == 0) {
		assert_true(slen(m, "text") <= 16383);
		assert_true(json_len(get(m, "attachments")) <= 7900);
	} else {
		assert_true(json_len(m) <= 32000);
		assert_true(slen(m, "text") <= 4096);
		assert_int_equal(cJSON_GetArraySize(get(m, "cardsV2")), 1);
	}
}

/* Every format: one message of valid JSON within the limits. */
static void
check_render(const struct ndoc *doc, const char *must, const char *mustnot)
{
	char	**parts;
	cJSON	 *m;
	size_t	  np, i, k;

	for (i = 0; i < NFORMATS; i++) {
		np = chat_render(chat_format_find(formats[i]), doc, 1764572400,
		    &parts);
		if (np != 1)
			fail_msg("%s: %zu messages", formats[i], np);
		for (k = 0; k < np; k++) {
			if ((m = cJSON_Parse(parts[k])) == NULL)
				fail_msg("%s: not JSON: %.80s", formats[i],
				    parts[k]);
			check_limits(formats[i], m);
			cJSON_Delete(m);
		}
		if (must != NULL && strstr(parts[0], must) == NULL)
			fail_msg("%s: no \"%s\"", formats[i], must);
		if (mustnot != NULL && strstr(parts[0], mustnot) != NULL)
			fail_msg("%s: \"%s\"", formats[i], mustnot);
		chat_parts_free(parts, np);
	}
}

static const struct ndoc_event *
event_titled(const struct ndoc *doc, const char *title)
{
	size_t	i;

	for (i = 0; i < doc->nevents; i++)
		if (strstr(doc->events[i].title, title) != NULL)
			return (&doc->events[i]);
	fail_msg("no event \"%s\"", title);
	return (NULL);
}

static const struct ndoc_event *
event_of(const struct ndoc *doc, const char *subject)
{
	size_t	i;

	for (i = 0; i < doc->nevents; i++)
		if (strcmp(doc->events[i].subject, subject) == 0)
			return (&doc->events[i]);
	fail_msg("no event about \"%s\"", subject);
	return (NULL);
}

static const char *
field(const struct ndoc_event *ev, const char *label)
{
	size_t	i;

	for (i = 0; i < ev->nfields; i++)
		if (strcmp(ev->fields[i].label, label) == 0)
			return (ev->fields[i].value);
	fail_msg("%s: no line \"%s\"", ev->title, label);
	return (NULL);
}

static void
test_document(void **state)
{
	static const char *const langs[] = { "en", "fr" };
	const struct ndoc_event	*ev;
	struct digest		*d;
	struct ndoc		*doc;
	size_t			 i;
	const char		*l;

	(void)state;
	for (i = 0; i < 2; i++) {
		l = langs[i];
		d = digest_fixture(l);
		doc = digest_ndoc(d);
		assert_non_null(strstr(doc->subject, "ACME Shoes"));
		assert_non_null(strstr(doc->subject, i == 0 ? "238.00%" :
		    "238,00\xe2\x80\xaf%"));
		/* The narrative is the introduction. */
		assert_non_null(strstr(doc->intro, i == 0 ?
		    "ROI then rose from 142.00% to 238.00%" :
		    "pass\xc3\xa9 de 142,00\xe2\x80\xaf% \xc3\xa0 238,00"));
		assert_true(doc->nevents <= 6);
		ev = &doc->events[0];
		assert_int_equal(ev->tone, NDOC_GOOD);	/* above target */
		assert_non_null(strstr(field(ev, tr(l, "Revenue")), i == 0 ?
		    "+39.67%" : "+39,67\xe2\x80\xaf%"));
		assert_non_null(strstr(field(ev, tr(l, "Spend")), i == 0 ?
		    "\xe2\x82\xac" "10,000.00" : "10\xe2\x80\xaf" "000,00"));
		assert_non_null(field(ev, tr(l, "Profit")));
		assert_non_null(strstr(field(ev, trc(l, "KPI", "ROI")),
		    i == 0 ? "+96.00" : "+96,00"));
		assert_non_null(strstr(field(ev, trc(l, "KPI", "ROI")),
		    i == 0 ? "3.38:1" : "3,38:1"));
		assert_non_null(field(ev, tr(l, "Agreed minimum")));
		assert_non_null(field(ev, tr(l, "Target")));
		ev = event_titled(doc, tr(l, "Best campaign"));
		assert_non_null(strstr(ev->subject, "wa-black-friday"));
		assert_int_equal(ev->tone, NDOC_GOOD);
		ev = event_titled(doc, tr(l, "Worst campaign"));
		assert_non_null(strstr(ev->subject, "meta-video"));
		assert_int_equal(ev->tone, NDOC_BAD);	/* under the minimum */
		ev = event_of(doc, tr(l, "Budgets"));
		assert_true(strncmp(ev->title, "1 ", 2) == 0);
		assert_int_equal(ev->tone, NDOC_WARN);
		assert_non_null(strstr(field(ev, "monthly_budget"), i == 0 ?
		    "2026-12-25" : "25/12/2026"));
		ev = event_of(doc, tr(l, "Alerts"));
		if (i == 0)
			assert_string_equal(ev->title,
			    "2 fired, 1 resolved in the period");
		assert_int_equal(ev->tone, NDOC_BAD);	/* meta-video fires */
		assert_string_equal(field(ev, tr(l, "Campaigns firing now")),
		    "meta-video");
		ev = event_of(doc, tr(l, "Data issues"));
		assert_true(strncmp(ev->title, "2 ", 2) == 0);
		assert_int_equal(ev->tone, NDOC_WARN);
		assert_int_equal(ev->nfields, 2);
		check_render(doc, "wa-black-friday", NULL);
		ndoc_free(doc);
		/* Late: said first. */
		d->late = 1;
		doc = digest_ndoc(d);
		assert_true(strncmp(doc->intro, tr(l, "This digest is late: "
		    "it was due while roiwatch was not running, and reports the "
		    "period it was due for."), 20) == 0);
		ndoc_free(doc);
		digest_free(d);
	}
	assert_int_equal(catalog_misses(), 0);
}

/* 300 campaigns, 40 firing, 12 budgets at risk, 30 issues: the same short
 * message, within every limit, that lists none of them all. */
static void
test_big(void **state)
{
	struct digest	*d;
	struct ndoc	*doc;
	char		 name[32];
	size_t		 i, j, fields = 0;

	(void)state;
	d = digest_fixture("fr");
	for (i = 0; i < d->ncampaigns; i++) {
		free(d->campaigns[i].name);
		free(d->campaigns[i].channel);
		free(d->campaigns[i].alerts);
	}
	free(d->campaigns);
	d->ncampaigns = BIG;
	d->campaigns = xcalloc(BIG, sizeof *d->campaigns);
	for (i = 0; i < BIG; i++) {
		snprintf(name, sizeof name, "campaign-%03zu", i);
		fx_row(&d->campaigns[i], name, "meta", 100, 1000 -
		    (int64_t)i * 3, 10, 100, 500, 5, i % 7 == 0 ?
		    ALERT_FIRING : ALERT_OK, i % 7 == 0 ? "roi_low" : "",
		    d->to_day);
	}
	for (i = 0; i < d->nbudgets; i++) {
		free(d->budgets[i].rule);
		free(d->budgets[i].subject);
	}
	free(d->budgets);
	d->nbudgets = 12;
	d->budgets = xcalloc(12, sizeof *d->budgets);
	for (i = 0; i < 12; i++) {
		xasprintf(&d->budgets[i].rule, "budget_%zu", i);
		xasprintf(&d->budgets[i].subject, "campaign-%03zu", i);
		d->budgets[i].budget = FX_EUR(1000);
		d->budgets[i].spent = FX_EUR(900);
		d->budgets[i].from = d->from_day;
		d->budgets[i].to = d->to_day + 10;
		d->budgets[i].running = 1;
		d->budgets[i].used_ppm = 900000;
		d->budgets[i].pacing_ppm = 1500000;
		d->budgets[i].projected = FX_EUR(1500);
		d->budgets[i].runout_day = d->to_day + 2;
	}
	for (i = 0; i < d->nissues; i++)
		free(d->issues[i].subject);
	free(d->issues);
	d->nissues = 30;
	d->issues = xcalloc(30, sizeof *d->issues);
	for (i = 0; i < 30; i++) {
		d->issues[i].kind = DIGEST_ISSUE_SOURCE;
		xasprintf(&d->issues[i].subject, "source-%zu", i);
		d->issues[i].detail = xstrdup("HTTP 500 from the API");
	}
	doc = digest_ndoc(d);
	assert_true(doc->nevents <= 6);
	for (i = 0; i < doc->nevents; i++)
		fields += doc->events[i].nfields;
	assert_true(fields <= 40);
	/* Best and worst, the first 5 firing; not the rest. */
	check_render(doc, "campaign-000", "campaign-150");
	for (i = 0; i < doc->nevents; i++)
		for (j = 0; j < doc->events[i].nfields; j++)
			assert_null(strstr(doc->events[i].fields[j].value,
			    "campaign-042"));
	ndoc_free(doc);
	digest_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_big),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
