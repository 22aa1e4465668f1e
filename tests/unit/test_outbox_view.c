/*
 * The operator's view of outbox items: the --status filter, UTC ISO 8601
 * times, list cells (escaped), JSON objects and payload summaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "notice.h"
#include "outbox-view.h"

static void
test_state_parse(void **state)
{
	unsigned	 mask = 0;
	char		*cause = NULL;

	(void)state;
	assert_int_equal(outbox_state_parse("dead", &mask, &cause), 0);
	assert_int_equal(mask, OUTBOX_STATE_BIT(OUTBOX_DEAD));
	assert_int_equal(outbox_state_parse("retrying,pending", &mask,
	    &cause), 0);
	assert_int_equal(mask, OUTBOX_STATE_BIT(OUTBOX_RETRYING) |
	    OUTBOX_STATE_BIT(OUTBOX_PENDING));
	assert_int_equal(outbox_state_parse("all", &mask, &cause), 0);
	assert_int_equal(mask, OUTBOX_STATES_ALL);
	assert_int_equal(outbox_state_parse("done", &mask, &cause), 0);
	assert_int_equal(mask, OUTBOX_STATE_BIT(OUTBOX_DONE));

	mask = 7;
	assert_int_equal(outbox_state_parse("dead,bogus", &mask, &cause), -1);
	assert_non_null(strstr(cause, "\"bogus\" is not a status"));
	assert_non_null(strstr(cause, "retrying"));
	assert_int_equal(mask, 7);	/* untouched */
	free(cause);
	assert_int_equal(outbox_state_parse("", &mask, &cause), -1);
	free(cause);
	assert_int_equal(outbox_state_parse("dead,", &mask, &cause), -1);
	free(cause);
	assert_int_equal(outbox_state_parse("Dead", &mask, &cause), -1);
	free(cause);
	assert_int_equal(outbox_state_parse("dea", &mask, &cause), -1);
	free(cause);
	/* A terminal's escape sequence is shown, not played. */
	assert_int_equal(outbox_state_parse("\x1b[2J", &mask, &cause), -1);
	assert_null(strchr(cause, '\x1b'));
	free(cause);

	assert_string_equal(outbox_state_name(OUTBOX_RETRYING), "retrying");
	assert_string_equal(outbox_state_name(OUTBOX_STATE_MAX), "?");
}

static void
test_time(void **state)
{
	char	buf[32];

	(void)state;
	assert_string_equal(outbox_format_time(1764718316, buf, sizeof buf),
	    "2025-12-02T23:31:56Z");
	assert_string_equal(outbox_format_time(0, buf, sizeof buf), "-");
	assert_string_equal(outbox_format_time(86400 * 365, buf, sizeof buf),
	    "1971-01-01T00:00:00Z");
}

static void
test_cells(void **state)
{
	struct outbox_item	it;
	char			buf[256];

	(void)state;
	memset(&it, 0, sizeof it);
	it.id = 42;
	it.client = "acme";
	it.receiver = "hook";
	it.created = 1764718316;
	it.next_at = 1764718376;
	it.attempts = 2;
	it.state = OUTBOX_RETRYING;
	it.last_error = "HTTP 500 \x1b[31mred";
	assert_string_equal(outbox_cell(&it, OC_ID, buf, sizeof buf), "42");
	assert_string_equal(outbox_cell(&it, OC_STATUS, buf, sizeof buf),
	    "retrying");
	assert_string_equal(outbox_cell(&it, OC_ATTEMPTS, buf, sizeof buf),
	    "2");
	assert_string_equal(outbox_cell(&it, OC_CREATED, buf, sizeof buf),
	    "2025-12-02T23:31:56Z");
	/* Pending or retrying: the next attempt. */
	assert_string_equal(outbox_cell(&it, OC_WHEN, buf, sizeof buf),
	    "2025-12-02T23:32:56Z");
	assert_string_equal(outbox_cell(&it, OC_REASON, buf, sizeof buf),
	    "HTTP 500 \\x1b[31mred");
	/* Done or dead: when it ended. */
	it.state = OUTBOX_DEAD;
	it.done_at = 1764718400;
	assert_string_equal(outbox_cell(&it, OC_WHEN, buf, sizeof buf),
	    "2025-12-02T23:33:20Z");
	it.last_error = NULL;
	assert_string_equal(outbox_cell(&it, OC_REASON, buf, sizeof buf), "-");
	it.client = "a\nb";
	assert_string_equal(outbox_cell(&it, OC_CLIENT, buf, sizeof buf),
	    "a\\nb");
	assert_string_equal(outbox_col_head(OC_WHEN), "NEXT/FINISHED");
}

/* A payload as the router writes it: two shorthand events on campaigns,
 * one configured rule on a channel, one on the whole client, and one the
 * reader cannot take. */
static char *
payload(void)
{
	struct notice		*n;
	struct notice_event	 ev;
	char			*json;

	n = notice_new("acme", "Acme", "EUR", "en", "Europe/Paris", 1000);
	memset(&ev, 0, sizeof ev);
	strcpy(ev.campaign, "Black Friday");
	ev.kind = ALERT_ROI_LOW;
	ev.action = RULE_FIRE;
	notice_add_event(n, &ev);
	strcpy(ev.campaign, "Flights");
	ev.kind = ALERT_ROI_TARGET;
	ev.action = RULE_GOOD;
	notice_add_event(n, &ev);
	strcpy(ev.campaign, "Black Friday");	/* said once */
	ev.kind = ALERT_ROI_LOW;
	ev.action = RULE_REPEAT;
	notice_add_event(n, &ev);
	memset(&ev, 0, sizeof ev);
	strcpy(ev.channel, "facebook");
	ev.kind = ALERT_RULE;
	ev.action = RULE_RESOLVE;
	strcpy(ev.rule.name, "cpa_high");
	ev.rule.scope = RULE_SCOPE_CHANNEL;
	ev.rule.ncond = 1;
	strcpy(ev.rule.cond[0].measure, "cpa");
	notice_add_event(n, &ev);
	memset(&ev, 0, sizeof ev);
	ev.kind = ALERT_RULE;
	ev.action = RULE_FIRE;
	strcpy(ev.rule.name, "budget_month");
	ev.rule.scope = RULE_SCOPE_CLIENT;
	ev.rule.ncond = 1;
	strcpy(ev.rule.cond[0].measure, "cost");
	notice_add_event(n, &ev);
	ev.rule.ncond = 0;		/* unreadable: left out, counted */
	notice_add_event(n, &ev);
	json = notice_to_json(n);
	notice_free(n);
	return json;
}

static void
test_summary(void **state)
{
	struct outbox_summary	 sum;
	char			*json = payload(), *cause = NULL;

	(void)state;
	assert_int_equal(outbox_summary_parse(json, &sum, &cause), 0);
	assert_int_equal(sum.nevents, 5);
	assert_int_equal(sum.ncampaigns, 2);
	assert_string_equal(sum.campaigns[0], "Black Friday");
	assert_string_equal(sum.campaigns[1], "Flights");
	assert_int_equal(sum.nrules, 4);
	assert_string_equal(sum.rules[0], "roi_low");
	assert_string_equal(sum.rules[1], "roi_target");
	assert_string_equal(sum.rules[2], "cpa_high");
	assert_string_equal(sum.rules[3], "budget_month");
	assert_string_equal(sum.events[2].action, "repeat");
	assert_string_equal(sum.events[3].scope, "channel");
	assert_string_equal(sum.events[3].subject, "facebook");
	assert_string_equal(sum.events[3].action, "resolve");
	assert_string_equal(sum.events[4].scope, "client");
	assert_string_equal(sum.events[4].subject, "");
	assert_int_equal(sum.test, 0);
	assert_int_equal(sum.nunreadable, 1);
	outbox_summary_clear(&sum);
	free(json);

	assert_int_equal(outbox_summary_parse("{not json", &sum, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(outbox_summary_parse(NULL, &sum, &cause), -1);
	free(cause);
}

static void
test_json(void **state)
{
	struct outbox_item	 it;
	struct outbox_summary	 sum;
	cJSON			*o, *p;
	char			*json = payload(), *cause = NULL;

	(void)state;
	memset(&it, 0, sizeof it);
	it.id = 7;
	it.client = "acme";
	it.receiver = "hook";
	it.idem_key = "rw-acme-7-00";
	it.created = 1764718316;
	it.next_at = 1764718316;
	it.done_at = 1764718320;
	it.attempts = 1;
	it.state = OUTBOX_DONE;
	o = outbox_item_json(&it, NULL);
	assert_int_equal(cJSON_GetObjectItem(o, "id")->valueint, 7);
	assert_string_equal(cJSON_GetObjectItem(o, "status")->valuestring,
	    "done");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "next_attempt")));
	assert_string_equal(cJSON_GetObjectItem(o, "finished")->valuestring,
	    "2025-12-02T23:32:00Z");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "last_error")));
	assert_null(cJSON_GetObjectItem(o, "payload"));
	assert_null(cJSON_GetObjectItem(o, "idempotency_key"));
	cJSON_Delete(o);

	it.state = OUTBOX_PENDING;
	it.last_error = "timeout";
	assert_int_equal(outbox_summary_parse(json, &sum, &cause), 0);
	o = outbox_item_json(&it, &sum);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "finished")));
	assert_string_equal(cJSON_GetObjectItem(o, "next_attempt")->valuestring,
	    "2025-12-02T23:31:56Z");
	assert_string_equal(cJSON_GetObjectItem(o, "last_error")->valuestring,
	    "timeout");
	assert_string_equal(cJSON_GetObjectItem(o,
	    "idempotency_key")->valuestring, "rw-acme-7-00");
	p = cJSON_GetObjectItem(o, "payload");
	assert_int_equal(cJSON_GetObjectItem(p, "events")->valueint, 5);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p,
	    "campaigns")), 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "rules")),
	    4);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "detail")),
	    5);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(p, "detail"), 4), "subject")));
	cJSON_Delete(o);
	outbox_summary_clear(&sum);
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_parse),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
