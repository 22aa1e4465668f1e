/*
 * The digest's words (digest-story.c, digest-text.c, digest-json.c): the
 * fixed digest of digest-fixture.h told in English and French, compared byte
 * for byte with the golden files in tests/golden/digest (the narrative one
 * sentence a line with its anchor, the subject, the whole plain text); its
 * report.json parsed back and its key figures checked exactly; then the
 * narrative's edge cases built from the fixture: no figures at all, nothing
 * spent, a loss, ROI falling, no notes, no thresholds, too much to tell.
 *
 * ROIWATCH_UPDATE_GOLDEN=1 in the environment writes the golden files
 * instead of comparing (then review the diff).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "digest.h"
#include "digest-fixture.h"
#include "utf8.h"

#define GOLDEN_DIR	TEST_DATA_DIR "/../golden/digest"

static void
golden(const char *name, const char *got)
{
	char	path[512];

	snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, name);
	golden_check(path, got);
}

/* The narrative as "ref: text" lines. */
static char *
story_lines(const struct digest *d)
{
	struct digest_sentence	*s;
	size_t			 i, n, len = 1;
	char			*out;

	n = digest_story(d, &s);
	assert_true(n <= DIGEST_STORY_MAX);
	for (i = 0; i < n; i++)
		len += strlen(s[i].ref) + strlen(s[i].text) + 3;
	out = calloc(1, len);
	assert_non_null(out);
	for (i = 0; i < n; i++) {
		strcat(out, s[i].ref);
		strcat(out, ": ");
		strcat(out, s[i].text);
		strcat(out, "\n");
	}
	digest_story_free(s, n);
	return (out);
}

/* The one sentence with anchor ref, or NULL; caller frees. */
static char *
story_find(const struct digest *d, const char *ref, size_t *count)
{
	struct digest_sentence	*s;
	size_t			 i, n;
	char			*found = NULL;

	n = digest_story(d, &s);
	assert_true(n <= DIGEST_STORY_MAX);
	if (count != NULL)
		*count = n;
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].ref, ref) == 0 && found == NULL)
			found = strdup(s[i].text);
	}
	digest_story_free(s, n);
	return (found);
}

static void
test_golden(void **state)
{
	static const char *const langs[] = { "en", "fr" };
	struct digest	*d;
	char		 name[64], *s, *subject;
	size_t		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		d = digest_fixture(langs[i]);
		s = story_lines(d);
		snprintf(name, sizeof name, "story-%s.txt", langs[i]);
		golden(name, s);
		free(s);
		subject = digest_subject(d);
		s = digest_text(d);
		snprintf(name, sizeof name, "text-%s.txt", langs[i]);
		/* The subject heads the golden file: one review, both. */
		{
			char *all = malloc(strlen(subject) + strlen(s) + 16);

			assert_non_null(all);
			sprintf(all, "Subject: %s\n\n%s", subject, s);
			golden(name, all);
			free(all);
		}
		free(subject);
		free(s);
		digest_free(d);
	}
	assert_int_equal(catalog_misses(), 0);
}

/* Every line of the body within 72 columns, bar tables of long figures
 * (the fixture has none). */
static void
test_text_width(void **state)
{
	static const char *const langs[] = { "en", "fr" };
	struct digest	*d;
	char		*s, *line, *save = NULL;
	size_t		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		d = digest_fixture(langs[i]);
		s = digest_text(d);
		for (line = strtok_r(s, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			if (utf8_width(line) > 72)
				fail_msg("%s: %zu columns: %s", langs[i],
				    utf8_width(line), line);
		free(s);
		digest_free(d);
	}
}

static const cJSON *
jget(const cJSON *o, const char *path)
{
	char	 buf[256], *p, *save = NULL;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL;
	    p = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(o))
			o = cJSON_GetArrayItem(o, atoi(p));
		else
			o = cJSON_GetObjectItemCaseSensitive(o, p);
		if (o == NULL)
			fail_msg("%s: no %s", path, p);
	}
	return (o);
}

static void
assert_jstr(const cJSON *o, const char *path, const char *want)
{
	const cJSON	*v = jget(o, path);

	if (!cJSON_IsString(v))
		fail_msg("%s: not a string", path);
	assert_string_equal(v->valuestring, want);
}

static void
test_json(void **state)
{
	struct digest	*d = digest_fixture("en");
	cJSON		*j, *back;
	char		*text;

	(void)state;
	j = digest_json(d);
	text = cJSON_PrintUnformatted(j);
	assert_non_null(text);
	/* Exact integers as digits, whatever a double would make of them. */
	assert_non_null(strstr(text, "\"spend\":{\"micros\":10000000000,"));
	assert_non_null(strstr(text,
	    "\"roi\":{\"value\":2380000,\"unit\":\"ppm\""));
	back = cJSON_Parse(text);
	assert_non_null(back);
	assert_jstr(back, "client.name", "ACME Shoes");
	assert_jstr(back, "period.from", "2026-11-01");
	assert_jstr(back, "period.to", "2026-11-30");
	assert_jstr(back, "previous.from", "2026-10-02");
	assert_jstr(back, "previous.to", "2026-10-31");
	assert_jstr(back, "generated", "2026-12-01T07:00:00Z");
	assert_true(cJSON_IsFalse(jget(back, "late")));
	assert_int_equal(jget(back, "thresholds.min_roi.ppm")->valuedouble,
	    1500000);
	assert_jstr(back, "thresholds.min_roi.text", "150%");
	assert_int_equal(jget(back, "totals.cur.roi.value")->valuedouble,
	    2380000);
	assert_jstr(back, "totals.cur.roi.text", "238.00%");
	assert_jstr(back, "totals.cur.roi.per1_text", "2.38");
	assert_int_equal(jget(back, "totals.prev.roi.value")->valuedouble,
	    1420000);
	assert_jstr(back, "totals.cur.profit.text", "€23,800.00");
	assert_jstr(back, "totals.change.roi_points", "+96.00 pts");
	assert_jstr(back, "channels.0.name", "whatsapp");
	assert_int_equal(jget(back, "channels.0.revenue_share.value")
	    ->valuedouble, 600000);
	assert_jstr(back, "channels.0.clv_cac.text", "15.30:1");
	assert_true(cJSON_IsNull(jget(back, "channels.1.clv.value")));
	assert_jstr(back, "channels.1.clv.why", "no_input");
	assert_jstr(back, "campaigns.4.name", "meta-video");
	assert_jstr(back, "campaigns.4.state", "firing");
	assert_jstr(back, "campaigns.4.alerts.0", "roi_low");
	assert_int_equal(cJSON_GetArraySize(jget(back, "campaigns.0.alerts")),
	    0);
	assert_int_equal(cJSON_GetArraySize(jget(back, "days")), 30);
	assert_jstr(back, "days.29.day", "2026-11-30");
	assert_jstr(back, "budgets.0.runout_day", "2026-12-25");
	assert_true(cJSON_IsTrue(jget(back, "budgets.0.at_risk")));
	assert_jstr(back, "customs.0.change", "+35.48%");
	assert_jstr(back, "alerts.0.at", "2026-11-05T09:00:00Z");
	assert_jstr(back, "alerts.1.event", "resolved");
	assert_jstr(back, "notes.0.day", "2026-11-12");
	assert_jstr(back, "issues.1.kind", "stale");
	assert_jstr(back, "issues.1.last_day", "2026-11-27");
	assert_jstr(back, "story.0.ref", "total");
	assert_jstr(back, "story.1.ref", "notes");
	assert_jstr(back, "story.3.text", "ROI then rose from 142.00% to "
	    "238.00%: every €1.00 spent returned €2.38 of profit, reaching "
	    "the target of 200%.");
	assert_jstr(back, "subject",
	    "[roiwatch] ACME Shoes: 2026-11-01 to 2026-11-30, ROI 238.00%");
	cJSON_Delete(back);
	free(text);
	cJSON_Delete(j);
	digest_free(d);
}

/* No figures in either period: two sentences that say so, nothing else
 * that would name a figure. */
static void
test_no_data(void **state)
{
	struct digest	*d = digest_fixture("en");
	struct digest_sentence *s;
	char		*text;
	size_t		 n;

	(void)state;
	fx_figures(&d->total, 0, 0, 0, 0, 0);
	fx_figures(&d->prev_total, 0, 0, 0, 0, 0);
	d->nnotes = 0;		/* still freed: count only */
	n = digest_story(d, &s);
	assert_true(n >= 2);
	assert_string_equal(s[0].text,
	    "The previous period has no figures to compare with.");
	assert_string_equal(s[1].text, "There are no figures for this period.");
	assert_string_equal(s[1].ref, "total");
	digest_story_free(s, n);
	text = story_find(d, "channels", NULL);
	assert_null(text);
	text = story_find(d, "campaigns", NULL);
	assert_null(text);
	text = digest_subject(d);
	assert_string_equal(text,
	    "[roiwatch] ACME Shoes: 2026-11-01 to 2026-11-30, no figures");
	free(text);
	text = digest_text(d);
	assert_non_null(strstr(text, "There are no figures for this period."));
	free(text);
	d->nnotes = 2;
	digest_free(d);
}

/* Nothing spent: ROI is undefined, said so, and no "per 1 spent". */
static void
test_roi_undefined(void **state)
{
	struct digest	*d = digest_fixture("en");
	char		*s;

	(void)state;
	fx_figures(&d->total, 0, 500, 3, 30, 30);
	s = story_find(d, "total", NULL);
	assert_string_equal(s, "At the start of the period ROI stood at "
	    "142.00%, under the agreed minimum of 150%.");
	free(s);
	{
		struct digest_sentence *st;
		size_t n = digest_story(d, &st), i;
		int found = 0;

		for (i = 0; i < n; i++) {
			assert_null(strstr(st[i].text, "spent returned"));
			if (strcmp(st[i].text, "Nothing was spent in this "
			    "period, so its ROI is undefined.") == 0)
				found = 1;
		}
		assert_true(found);
		digest_story_free(st, n);
	}
	fx_figures(&d->prev_total, 0, 100, 1, 30, 30);
	s = story_find(d, "total", NULL);
	assert_string_equal(s, "Nothing was spent in the previous period, so "
	    "its ROI is undefined.");
	free(s);
	s = digest_subject(d);
	assert_string_equal(s,
	    "[roiwatch] ACME Shoes: 2026-11-01 to 2026-11-30, ROI undefined");
	free(s);
	digest_free(d);
}

/* The result sentence, the last of ref "total". */
static char *
story_result(const struct digest *d)
{
	struct digest_sentence	*s;
	size_t			 i, n;
	char			*found = NULL;

	n = digest_story(d, &s);
	for (i = 0; i < n; i++)
		if (strcmp(s[i].ref, "total") == 0) {
			free(found);
			found = strdup(s[i].text);
		}
	digest_story_free(s, n);
	assert_non_null(found);
	return (found);
}

/* A loss, falling: "fell", "lost", the minimum missed; in French too. */
static void
test_negative_fell(void **state)
{
	struct digest	*d = digest_fixture("en");
	char		*s;

	(void)state;
	fx_figures(&d->total, 10000, 6000, 100, 30, 30);	/* -40 % */
	s = story_result(d);
	assert_string_equal(s, "ROI then fell from 142.00% to -40.00%: every "
	    "€1.00 spent lost €0.40, under the agreed minimum of 150%.");
	free(s);
	digest_free(d);

	d = digest_fixture("fr");
	fx_figures(&d->total, 10000, 6000, 100, 30, 30);
	s = story_result(d);
	assert_string_equal(s, "Le ROI est ensuite tombé de 142,00\u202f% à "
	    "-40,00\u202f%\u00a0: chaque 1,00\u00a0€ dépensé a fait perdre "
	    "0,40\u00a0€, sous le minimum convenu de 150\u202f%.");
	free(s);
	digest_free(d);
}

/* No notes: no "then"; between minimum and target; ROI unchanged. */
static void
test_no_notes(void **state)
{
	struct digest	*d = digest_fixture("en");
	char		*s;
	size_t		 n;

	(void)state;
	while (d->nnotes > 0) {
		d->nnotes--;
		free(d->notes[d->nnotes].campaign);
		free(d->notes[d->nnotes].channel);
		free(d->notes[d->nnotes].text);
	}
	fx_figures(&d->total, 10000, 28000, 100, 30, 30);	/* 180 % */
	s = story_result(d);
	assert_string_equal(s, "ROI rose from 142.00% to 180.00%: every €1.00 "
	    "spent returned €1.80 of profit, above the agreed minimum of 150% "
	    "but short of the target of 200%.");
	free(s);
	s = story_find(d, "notes", &n);
	assert_null(s);
	/* Room for every kind now: the alerts are told too. */
	s = story_find(d, "alerts", NULL);
	assert_string_equal(s, "2 alerts fired and 1 alert was resolved "
	    "during the period.");
	free(s);
	/* Unchanged as shown: "held", not "rose from 142.00% to 142.00%". */
	fx_figures(&d->total, 10000, 24200, 100, 30, 30);
	d->total.roi.inexact = 1;	/* a hair above: shown the same */
	s = story_result(d);
	assert_string_equal(s, "ROI held at 142.00%: every €1.00 spent "
	    "returned €1.42 of profit, under the agreed minimum of 150%.");
	free(s);
	digest_free(d);
}

/* No thresholds, no previous figures. */
static void
test_no_thresholds(void **state)
{
	struct digest	*d = digest_fixture("en");
	char		*s;

	(void)state;
	d->has_min = d->has_target = 0;
	s = story_find(d, "total", NULL);
	assert_string_equal(s, "At the start of the period ROI stood at "
	    "142.00%.");
	free(s);
	s = story_result(d);
	assert_string_equal(s, "ROI then rose from 142.00% to 238.00%: every "
	    "€1.00 spent returned €2.38 of profit.");
	free(s);
	fx_figures(&d->prev_total, 0, 0, 0, 0, 0);
	s = story_result(d);
	assert_string_equal(s, "ROI then came to 238.00%: every €1.00 spent "
	    "returned €2.38 of profit.");
	free(s);
	s = digest_text(d);
	assert_null(strstr(s, "Agreed minimum"));
	free(s);
	digest_free(d);
}

/* Many notes: at most DIGEST_STORY_MAX sentences, the start and the
 * result always, the rest counted; in day order. */
static void
test_many_notes(void **state)
{
	struct digest	*d = digest_fixture("en");
	struct digest_sentence *s;
	size_t		 i, n, notes = 0, total = 0;

	(void)state;
	d->notes = xreallocarray(d->notes, 9, sizeof *d->notes);
	for (i = 2; i < 9; i++) {
		d->notes[i].id = (int64_t)i + 1;
		d->notes[i].day = d->notes[1].day + (int32_t)i;
		d->notes[i].campaign = xstrdup("");
		d->notes[i].channel = xstrdup("");
		d->notes[i].text = xstrdup("Bids lowered.");
	}
	d->nnotes = 9;
	n = digest_story(d, &s);
	assert_true(n <= DIGEST_STORY_MAX);
	for (i = 0; i < n; i++) {
		notes += strcmp(s[i].ref, "notes") == 0;
		total += strcmp(s[i].ref, "total") == 0;
	}
	assert_int_equal(total, 2);
	assert_int_equal(notes, 4);
	assert_string_equal(s[1].text, "On 2026-11-12: Meta budget moved to "
	    "WhatsApp (meta).");
	assert_string_equal(s[3].text, "On 2026-11-23: Bids lowered.");
	assert_string_equal(s[4].text, "6 more notes are listed below.");
	assert_string_equal(s[5].ref, "total");
	digest_story_free(s, n);
	digest_free(d);
}

/* A name that would drive a terminal is escaped in the subject and the
 * text, and kept as is in the JSON. */
static void
test_escape(void **state)
{
	struct digest	*d = digest_fixture("en");
	cJSON		*j;
	char		*s;

	(void)state;
	free(d->client_name);
	d->client_name = xstrdup("ACME\x1b[2J\nShoes");
	s = digest_subject(d);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\n'));
	assert_non_null(strstr(s, "ACME\\x1b[2J\\nShoes"));
	free(s);
	free(d->campaigns[0].name);
	d->campaigns[0].name = xstrdup("bf\x1b]0;x\x07");
	s = digest_text(d);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x07'));
	free(s);
	j = digest_json(d);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j,
	    "client"), "name")->valuestring, "ACME\x1b[2J\nShoes");
	cJSON_Delete(j);
	digest_free(d);
}

/* More than 10 campaigns: the best 5, the weakest 5, the rest counted. */
static void
test_many_campaigns(void **state)
{
	struct digest	*d = digest_fixture("en");
	char		 name[32], *s;
	size_t		 i;

	(void)state;
	d->campaigns = xreallocarray(d->campaigns, 14, sizeof *d->campaigns);
	for (i = 5; i < 14; i++) {
		snprintf(name, sizeof name, "extra-%02zu", i);
		fx_row(&d->campaigns[i], name, "google", 100, 100, 1, 0, 0,
		    0, ALERT_OK, "", d->to_day);
	}
	d->ncampaigns = 14;
	s = digest_text(d);
	assert_non_null(strstr(s, "wa-black-friday"));
	assert_non_null(strstr(s, "\xe2\x80\xa6 4 more campaigns"));
	assert_null(strstr(s, "extra-05"));
	assert_null(strstr(s, "extra-08"));
	assert_non_null(strstr(s, "extra-09"));
	assert_non_null(strstr(s, "extra-13"));
	free(s);
	/* The worst by ROI in the story: the last with a defined ROI. */
	s = story_find(d, "campaigns", NULL);
	assert_non_null(s);
	assert_non_null(strstr(s, "extra-13"));
	free(s);
	digest_free(d);
}

/* Late: said at the top. */
static void
test_late(void **state)
{
	struct digest	*d = digest_fixture("fr");
	char		*s;

	(void)state;
	d->late = 1;
	s = digest_text(d);
	assert_non_null(strstr(s, "en retard"));
	free(s);
	digest_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_no_data),
		cmocka_unit_test(test_roi_undefined),
		cmocka_unit_test(test_negative_fell),
		cmocka_unit_test(test_no_notes),
		cmocka_unit_test(test_no_thresholds),
		cmocka_unit_test(test_many_notes),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_many_campaigns),
		cmocka_unit_test(test_late),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
