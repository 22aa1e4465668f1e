/*
 * Notes of what the agency did (note.c): the checks of their text, campaign
 * and channel, their date on the client's calendar ("today" at the
 * client's midnight), the JSON body of the HTTP request with the member
 * each refusal names, and the JSON of a list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "note.h"
#include "store.h"
#include "tz-fixture.h"

/* A check refuses s with a cause holding want. */
static void
refused(int rc, char **causep, const char *want)
{
	char	*cause = *causep;

	*causep = NULL;
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

static void
test_text(void **state)
{
	char	*cause = NULL, buf[4 * NOTE_TEXT_MAX + 8];
	size_t	 i;

	(void)state;
	assert_int_equal(note_check_text("Budget moved to Search", &cause), 0);
	assert_int_equal(note_check_text("Campagne « Été » relancée",
	    &cause), 0);
	assert_null(cause);
	refused(note_check_text("", &cause), &cause, "text: empty");
	refused(note_check_text(" \xe2\x80\xaf \xc2\xa0", &cause), &cause,
	    "only blanks");
	refused(note_check_text("two\nlines", &cause), &cause,
	    "text: control character 0x0a at byte 4");
	refused(note_check_text("esc \x1b[2J", &cause), &cause, "0x1b");
	refused(note_check_text("del \x7f", &cause), &cause, "0x7f");
	refused(note_check_text("c1 \xc2\x9b", &cause), &cause, "0x9b");
	refused(note_check_text("bad \xff utf", &cause), &cause,
	    "text: not valid UTF-8");
	refused(note_check_text("overlong \xc0\xaf", &cause), &cause,
	    "not valid UTF-8");

	/* 500 characters pass, counted as characters, not bytes. */
	memset(buf, 'a', NOTE_TEXT_MAX);
	buf[NOTE_TEXT_MAX] = '\0';
	assert_int_equal(note_check_text(buf, &cause), 0);
	buf[NOTE_TEXT_MAX] = 'a';
	buf[NOTE_TEXT_MAX + 1] = '\0';
	refused(note_check_text(buf, &cause), &cause,
	    "text: 501 characters, at most 500");
	for (i = 0; i < NOTE_TEXT_MAX; i++)
		memcpy(buf + 2 * i, "\xc3\xa9", 2);	/* é */
	buf[2 * NOTE_TEXT_MAX] = '\0';
	assert_int_equal(note_check_text(buf, &cause), 0);
	memcpy(buf + 2 * NOTE_TEXT_MAX, "\xc3\xa9", 3);
	refused(note_check_text(buf, &cause), &cause, "501 characters");
}

static void
test_names(void **state)
{
	char	*cause = NULL, ch[METRIC_CHANNEL_MAX];
	char	 big[METRIC_CAMPAIGN_MAX + 1];

	(void)state;
	assert_int_equal(note_check_campaign("Vols été", &cause), 0);
	refused(note_check_campaign("", &cause), &cause, "campaign: empty");
	refused(note_check_campaign(" Search", &cause), &cause,
	    "campaign: blank at its start or end");
	refused(note_check_campaign("Search\xc2\xa0", &cause), &cause,
	    "blank at its start or end");
	refused(note_check_campaign("a\tb", &cause), &cause,
	    "campaign: control character");
	memset(big, 'x', METRIC_CAMPAIGN_MAX - 1);
	big[METRIC_CAMPAIGN_MAX - 1] = '\0';
	assert_int_equal(note_check_campaign(big, &cause), 0);
	big[METRIC_CAMPAIGN_MAX - 1] = 'x';
	big[METRIC_CAMPAIGN_MAX] = '\0';
	refused(note_check_campaign(big, &cause), &cause,
	    "campaign: 200 bytes, at most 199");

	/* Channels are lowercased as ingest stores them. */
	assert_int_equal(note_check_channel("Google_Ads", ch, &cause), 0);
	assert_string_equal(ch, "google_ads");
	refused(note_check_channel("", ch, &cause), &cause, "channel: empty");
	memset(big, 'x', METRIC_CHANNEL_MAX);
	big[METRIC_CHANNEL_MAX] = '\0';
	refused(note_check_channel(big, ch, &cause), &cause,
	    "channel: 64 bytes, at most 63");
}

static void
test_day(void **state)
{
	struct tz	*paris = load("Europe/Paris");
	char		*cause = NULL;
	int32_t		 day;
	/* 2026-03-28 23:30 UTC is already the 29th in Paris (00:30 CET). */
	int64_t		 now = local(paris, 2026, 3, 29, 0, 30);

	(void)state;
	assert_int_equal(note_parse_day("date", "today", paris, now, &day,
	    &cause), 0);
	assert_int_equal(day, day_of(2026, 3, 29));
	assert_int_equal(note_parse_day("date", "yesterday", paris, now, &day,
	    &cause), 0);
	assert_int_equal(day, day_of(2026, 3, 28));
	/* In UTC it is still the 28th. */
	assert_int_equal(note_parse_day("date", "today", NULL, now, &day,
	    &cause), 0);
	assert_int_equal(day, day_of(2026, 3, 28));
	assert_int_equal(note_parse_day("date", "2024-02-29", paris, now, &day,
	    &cause), 0);
	assert_int_equal(day, day_of(2024, 2, 29));
	refused(note_parse_day("date", "2025-02-29", paris, now, &day, &cause),
	    &cause, "date: \"2025-02-29\" is not a date");
	refused(note_parse_day("--from", "Today", paris, now, &day, &cause),
	    &cause, "--from: \"Today\" is not a date");
	refused(note_parse_day("date", "2026-3-1", paris, now, &day, &cause),
	    &cause, "YYYY-MM-DD, today or yesterday");
	tz_free(paris);
}

/* The body is refused naming field, with a cause holding want. */
static void
json_refused(const char *body, const char *field, const char *want)
{
	struct note_input	 in;
	char			*f = NULL, *cause = NULL;

	assert_int_equal(note_input_from_json(body, strlen(body), NULL,
	    1764000000, &in, &f, &cause), -1);
	assert_non_null(f);
	assert_non_null(cause);
	if (strcmp(f, field) != 0)
		fail_msg("%s: field \"%s\", not \"%s\" (%s)", body, f, field,
		    cause);
	if (strstr(cause, want) == NULL)
		fail_msg("%s: cause \"%s\" lacks \"%s\"", body, cause, want);
	assert_null(in.text);
	free(f);
	free(cause);
}

static void
test_json(void **state)
{
	struct note_input	 in;
	const char		*body;
	char			*f = NULL, *cause = NULL;

	(void)state;
	body = "{\"date\": \"2026-03-02\", \"text\": \"Budget \\u00e9t\\u00e9 "
	    "moved\", \"campaign\": \"Search\", \"channel\": \"Google_Ads\"}";
	assert_int_equal(note_input_from_json(body, strlen(body), NULL,
	    1764000000, &in, &f, &cause), 0);
	assert_null(f);
	assert_null(cause);
	assert_int_equal(in.day, day_of(2026, 3, 2));
	assert_string_equal(in.text, "Budget \xc3\xa9t\xc3\xa9 moved");
	assert_string_equal(in.campaign, "Search");
	assert_string_equal(in.channel, "google_ads");
	note_input_clear(&in);

	body = "{\"text\":\"x\",\"date\":\"today\",\"campaign\":null}";
	assert_int_equal(note_input_from_json(body, strlen(body), NULL,
	    1764000000, &in, &f, &cause), 0);
	assert_int_equal(in.day, 1764000000 / 86400);
	assert_null(in.campaign);
	assert_null(in.channel);
	note_input_clear(&in);

	json_refused("", "body", "body: ends where an object");
	json_refused("[1]", "body", "an object {...} expected");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"x\"", "body",
	    "body: ends where ',' or '}' was expected");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"x\"} {}", "body",
	    "nothing after the object");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"a\\u0000b\"}",
	    "body", "body: not JSON: line 1");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"\xff\"}", "body",
	    "not JSON");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"x\",}", "body",
	    "a member name expected");
	json_refused("{\"date\": \"2026-03-02\"}", "text", "text: missing");
	json_refused("{\"text\": \"x\"}", "date", "date: missing");
	json_refused("{}", "date", "date: missing");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"\"}", "text",
	    "text: empty");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"  \"}", "text",
	    "text: only blanks");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"a\\nb\"}", "text",
	    "text: control character 0x0a");
	json_refused("{\"date\": \"02/03/2026\", \"text\": \"x\"}", "date",
	    "date: \"02/03/2026\" is not a date");
	json_refused("{\"date\": 20260302, \"text\": \"x\"}", "date",
	    "date: must be a string");
	json_refused("{\"date\": \"2026-03-02\", \"text\": [\"x\"]}", "text",
	    "text: must be a string");
	json_refused("{\"date\": \"2026-03-02\", \"text\": null}", "text",
	    "text: must be a string");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"x\", "
	    "\"campaign\": 3}", "campaign",
	    "campaign: must be a string (or null: none)");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"x\", "
	    "\"channel\": \" tv\"}", "channel", "channel: blank");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"x\", "
	    "\"author\": \"me\"}", "author", "unknown field \"author\"");
	json_refused("{\"date\": \"2026-03-02\", \"text\": \"x\", "
	    "\"text\": \"y\"}", "text", "text: given twice");
}

static void
test_list_json(void **state)
{
	struct store_note	 v[2];
	cJSON			*o;
	char			*s;

	(void)state;
	memset(v, 0, sizeof v);
	v[0].id = 3;
	v[0].day = day_of(2026, 3, 2);
	v[0].text = (char *)"Budget moved";
	v[0].author = (char *)"cli";
	v[0].created = 1764000000;
	v[1].id = 7;
	v[1].day = day_of(2026, 3, 5);
	v[1].campaign = (char *)"Search";
	v[1].channel = (char *)"google_ads";
	v[1].text = (char *)"New \"ads\"";
	v[1].author = (char *)"http operator";
	v[1].created = 1764000061;
	o = note_list_json("acme", day_of(2026, 3, 1), INT32_MAX, v, 2);
	s = cJSON_PrintUnformatted(o);
	assert_string_equal(s, "{\"client\":\"acme\",\"from\":\"2026-03-01\","
	    "\"to\":null,\"annotations\":[{\"id\":3,\"date\":\"2026-03-02\","
	    "\"campaign\":null,\"channel\":null,\"text\":\"Budget moved\","
	    "\"author\":\"cli\",\"created\":\"2025-11-24T16:00:00Z\"},"
	    "{\"id\":7,\"date\":\"2026-03-05\",\"campaign\":\"Search\","
	    "\"channel\":\"google_ads\",\"text\":\"New \\\"ads\\\"\","
	    "\"author\":\"http operator\","
	    "\"created\":\"2025-11-24T16:01:01Z\"}]}");
	cJSON_free(s);
	cJSON_Delete(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_day),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_list_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
