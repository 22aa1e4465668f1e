/*
 * Reading a digest from a real configuration and store: the figures of a
 * client's total, channels and campaigns over a period and the one before,
 * sorted best first, the days of both, budgets, custom KPIs, alerts, notes
 * and data issues; a client without data; and the time it takes for 50
 * campaigns over 400 days.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config.h"
#include "digest.h"
#include "log.h"
#include "store.h"
#include "tz-fixture.h"
#include "xmalloc.h"

#define EUR(x)	((int64_t)(x) * 1000000)

static char		*tmpdir;
static struct config	*cfg;
static struct store	*store;
static struct tz	*paris;

static void
write_file(const char *name, const char *text)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("fopen %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	free(path);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char main_conf[] =
    "{ \"state_dir\": \"state\",\n"
    "  \"sources\": [\n"
    "    { \"name\": \"acme-api\", \"type\": \"pull\", \"url\":"
    " \"https://example.invalid/a.csv\", \"client\": \"acme\" },\n"
    "    { \"name\": \"acme-fine\", \"type\": \"pull\", \"url\":"
    " \"https://example.invalid/b.csv\", \"client\": \"acme\" },\n"
    "    { \"name\": \"other-api\", \"type\": \"pull\", \"url\":"
    " \"https://example.invalid/c.csv\", \"client\": \"empty\" }\n"
    "  ] }\n";

static const char acme_conf[] =
    "{ \"id\": \"acme\", \"name\": \"ACME Shoes\", \"currency\": \"EUR\",\n"
    "  \"timezone\": \"Europe/Paris\", \"language\": \"fr\",\n"
    "  \"minimum_roi\": \"80%\", \"target_roi\": \"250%\",\n"
    "  \"token_file\": \"acme.token\",\n"
    "  \"receivers\": [{\"name\": \"m\", \"type\": \"file\","
    " \"dir\": \"mail/acme\"}],\n"
    "  \"clv\": { \"google\": { \"monthly_transactions\": \"1.5\","
    " \"order_value\": \"80\", \"gross_margin\": \"40%\","
    " \"lifetime_months\": 24 } },\n"
    "  \"rules\": [\n"
    "    { \"name\": \"cpa_high\", \"type\": \"threshold\", \"kpi\":"
    " \"cpa\", \"op\": \">\", \"value\": \"40\" },\n"
    "    { \"name\": \"month_budget\", \"type\": \"budget\", \"scope\":"
    " \"client\", \"budget\": \"12000\", \"period\": \"month\",\n"
    "      \"kpi\": \"pacing\", \"op\": \">\", \"value\": \"1.1\" },\n"
    "    { \"name\": \"flight\", \"type\": \"budget\", \"scope\":"
    " \"channel\", \"budget\": \"2000\", \"period\": \"flight\",\n"
    "      \"from\": \"2026-11-10\", \"to\": \"2026-11-19\", \"kpi\":"
    " \"budget_used\", \"op\": \">\", \"value\": \"90%\" }\n"
    "  ] }\n";

#define PLAIN_FMT \
    "{ \"id\": \"%s\", \"name\": \"%s\", \"currency\": \"EUR\",\n" \
    "  \"timezone\": \"UTC\", \"minimum_roi\": \"0%%\",\n" \
    "  \"token_file\": \"%s.token\",\n" \
    "  \"receivers\": [{\"name\": \"m\", \"type\": \"file\",\n" \
    "    \"dir\": \"mail/%s\"}] }\n"

static void
plain_client(const char *id)
{
	char	*name, *text;

	xasprintf(&name, "%s.token", id);
	xasprintf(&text, "token-of-client-%s-0123456789\n", id);
	write_file(name, text);
	free(name);
	free(text);
	xasprintf(&text, PLAIN_FMT, id, id, id, id);
	xasprintf(&name, "clients.d/%s.conf", id);
	write_file(name, text);
	free(name);
	free(text);
}

static int
setup(void **state)
{
	char	*path, *cause = NULL;

	(void)state;
	tmpdir = xstrdup("/tmp/roiwatch-test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	xasprintf(&path, "%s/clients.d", tmpdir);
	mkdir(path, 0700);
	free(path);
	write_file("main.conf", main_conf);
	write_file("acme.token", "token-of-client-acme-0123456789\n");
	write_file("clients.d/acme.conf", acme_conf);
	plain_client("empty");
	plain_client("idle");
	plain_client("big");
	xasprintf(&path, "%s/main.conf", tmpdir);
	if ((cfg = config_load(path, NULL, &cause)) == NULL)
		fail_msg("config: %s", cause);
	free(path);
	if ((store = store_open_dir(cfg->state_dir, &cause)) == NULL)
		fail_msg("store: %s", cause);
	if ((paris = tz_load("Europe/Paris", &cause)) == NULL)
		fail_msg("tz: %s", cause);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tz_free(paris);
	store_free(store);
	config_free(cfg);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	return 0;
}

/* One whole-day sample inside the caller's transaction; revenue < 0:
 * not reported. custom: NULL or one custom KPI (value in units). */
static void
put_in(int64_t input, const char *client, const char *campaign,
    const char *channel, int32_t day, int64_t cost, int64_t revenue,
    const char *custom, int64_t cvalue)
{
	struct metric_row r;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	snprintf(r.client, sizeof r.client, "%s", client);
	snprintf(r.campaign, sizeof r.campaign, "%s", campaign);
	snprintf(r.channel, sizeof r.channel, "%s", channel);
	r.day = day;
	r.hour = -1;
	r.cost = EUR(cost);
	r.present = MF_REQUIRED | MF_BIT(MF_COST) | MF_BIT(MF_CHANNEL);
	if (revenue >= 0) {
		r.revenue = EUR(revenue);
		r.present |= MF_BIT(MF_REVENUE);
	}
	if (custom != NULL) {
		r.ncustom = 1;
		r.custom[0].name = custom;
		r.custom[0].value = cvalue * 1000000;
	}
	if (store_put_metric_input(store, &r, input, &cause) != 0)
		fail_msg("put: %s", cause);
}

static int64_t
begin(void)
{
	char *cause = NULL;
	int64_t input;

	if (store_begin(store, &cause) != 0)
		fail_msg("begin: %s", cause);
	if ((input = store_input_new(store, "test", &cause)) <= 0)
		fail_msg("input: %s", cause);
	return input;
}

static void
commit(void)
{
	char *cause = NULL;

	if (store_commit(store, &cause) != 0)
		fail_msg("commit: %s", cause);
}

static const struct client_conf *
client(const char *id)
{
	const struct client_conf *cc = config_client(cfg, id);

	assert_non_null(cc);
	return cc;
}

static void
alert_state(const char *campaign, const char *rule, enum alert_state st)
{
	struct alert_key k = { "acme", RULE_SCOPE_CAMPAIGN, campaign, rule };
	struct alert_row row;
	char *cause = NULL;

	memset(&row, 0, sizeof row);
	rules_status_init(&row.st, 1000);
	row.st.state = st;
	row.win_from = INT32_MIN;
	row.win_to = INT32_MAX;
	if (store_alert_put(store, &k, &row, &cause) != 0)
		fail_msg("alert put: %s", cause);
}

static void
alert_event(enum rule_scope scope, const char *subject, const char *rule,
    int fired, int64_t at)
{
	struct alert_key k = { "acme", scope, subject, rule };
	char *cause = NULL;

	if (store_alert_event_add(store, &k, fired, RULE_SEV_CRITICAL, at,
	    &cause) != 0)
		fail_msg("alert event: %s", cause);
}

static void
note(int32_t day, const char *campaign, const char *channel,
    const char *text)
{
	struct store_note n;
	char *cause = NULL;

	memset(&n, 0, sizeof n);
	n.client = (char *)"acme";
	n.day = day;
	n.campaign = (char *)campaign;
	n.channel = (char *)channel;
	n.text = (char *)text;
	n.created = 1000;
	n.author = (char *)"cli";
	if (store_note_add(store, &n, &cause) <= 0)
		fail_msg("note: %s", cause);
}

/*
 * November 2026 against 2 to 31 October, client acme (Europe/Paris):
 *   g-brand    google  every day: 100 -> 400 (prev 100 -> 300), 10
 *                      store_visits and 1 new_customers a day (prev 8
 *                      store_visits)
 *   g-generic  google  every day: 100 -> 150 (prev 100 -> 200)
 *   g-organic  google  30 Nov only: 0 -> 1000 (ROI undefined)
 *   m-gap      meta    every day but 15 Nov: 100 -> 200 (prev every day
 *                      100 -> 150)
 *   m-video    meta    1 to 27 Nov: 50 -> 100, 10 Nov without revenue
 *   old        meta    one day of 2025 (in neither period)
 * plus a newsletter custom KPI on one day of October.
 */
static void
acme_data(int32_t nov1)
{
	int64_t	input = begin();
	int32_t	d, oct2 = nov1 - 30;
	int	i;

	for (i = 0; i < 30; i++) {
		d = nov1 + i;
		put_in(input, "acme", "g-brand", "google", d, 100, 400,
		    NULL, 0);
		put_in(input, "acme", "g-generic", "google", d, 100, 150,
		    NULL, 0);
		if (i != 14)
			put_in(input, "acme", "m-gap", "meta", d, 100, 200,
			    NULL, 0);
		if (i < 27)
			put_in(input, "acme", "m-video", "meta", d, 50,
			    i == 9 ? -1 : 100, NULL, 0);
		d = oct2 + i;
		put_in(input, "acme", "g-brand", "google", d, 100, 300,
		    "store_visits", 8);
		put_in(input, "acme", "g-generic", "google", d, 100, 200,
		    NULL, 0);
		put_in(input, "acme", "m-gap", "meta", d, 100, 150, NULL, 0);
	}
	put_in(input, "acme", "g-organic", "google", nov1 + 29, 0, 1000, NULL,
	    0);
	put_in(input, "acme", "old", "meta", day_of(2025, 3, 1), 10, 10, NULL,
	    0);
	put_in(input, "acme", "g-generic", "google", oct2 + 5, 0, 0,
	    "newsletter", 5);
	commit();
	/* The custom KPIs of g-brand in November: another input, added to
	 * the samples already there. */
	input = begin();
	for (i = 0; i < 30; i++) {
		struct metric_row r;
		char *cause = NULL;

		memset(&r, 0, sizeof r);
		snprintf(r.client, sizeof r.client, "acme");
		snprintf(r.campaign, sizeof r.campaign, "g-brand");
		r.day = nov1 + i;
		r.hour = -1;
		r.present = MF_REQUIRED;
		r.ncustom = 2;
		r.custom[0].name = "store_visits";
		r.custom[0].value = EUR(10);
		r.custom[1].name = "new_customers";
		r.custom[1].value = EUR(1);
		if (store_put_metric_input(store, &r, input, &cause) != 0)
			fail_msg("put custom: %s", cause);
	}
	commit();
}

static const struct digest_row *
row(const struct digest_row *rows, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	fail_msg("no row %s", name);
	return NULL;
}

static void
test_acme(void **state)
{
	int32_t nov1 = day_of(2026, 11, 1), nov30 = day_of(2026, 11, 30);
	int64_t now = local(paris, 2026, 11, 30, 20, 0);
	const struct digest_row *r;
	struct store_source_state ss;
	struct digest *d;
	char *cause = NULL;
	size_t i;

	(void)state;
	acme_data(nov1);
	assert_int_equal(store_begin(store, &cause), 0);
	alert_state("m-video", "roi_low", ALERT_FIRING);
	alert_state("m-video", "cpa_high", ALERT_PENDING);
	alert_state("g-generic", "roi_low", ALERT_RESOLVED);
	alert_state("g-brand", "roi_target", ALERT_FIRING);	/* good news */
	alert_state("m-gap", "gone", ALERT_FIRING);	/* not configured */
	/* The period's local days: 1 Nov 00:00 Paris is 31 Oct 23:00 UTC. */
	alert_event(RULE_SCOPE_CAMPAIGN, "m-video", "roi_low", 1,
	    local(paris, 2026, 10, 31, 23, 50));		/* before */
	alert_event(RULE_SCOPE_CAMPAIGN, "m-video", "roi_low", 0,
	    local(paris, 2026, 11, 1, 0, 10));
	alert_event(RULE_SCOPE_CHANNEL, "meta", "roi_low", 1,
	    local(paris, 2026, 11, 20, 9, 0));
	alert_event(RULE_SCOPE_CAMPAIGN, "m-video", "roi_low", 1,
	    local(paris, 2026, 11, 30, 23, 59));
	alert_event(RULE_SCOPE_CAMPAIGN, "m-video", "roi_low", 0,
	    local(paris, 2026, 12, 1, 0, 0));			/* after */
	memset(&ss, 0, sizeof ss);
	ss.failures = 3;
	ss.last_error = (char *)"HTTP 500 from example.invalid";
	assert_int_equal(store_source_put(store, "acme-api", &ss, &cause), 0);
	assert_int_equal(store_source_put(store, "other-api", &ss, &cause),
	    0);
	ss.failures = 0;
	ss.last_error = NULL;
	assert_int_equal(store_source_put(store, "acme-fine", &ss, &cause),
	    0);
	assert_int_equal(store_commit(store, &cause), 0);
	note(nov1 - 12, NULL, "meta", "before");
	note(nov1 + 20, "g-brand", NULL, "Black Friday offer");
	note(nov1 + 11, NULL, "meta", "Meta budget moved to Google");
	note(nov30 + 1, NULL, NULL, "after");

	if ((d = digest_load(store, client("acme"), nov1, nov30, now,
	    &cause)) == NULL)
		fail_msg("digest_load: %s", cause);

	/* Who and when. */
	assert_string_equal(d->client_id, "acme");
	assert_string_equal(d->client_name, "ACME Shoes");
	assert_string_equal(d->currency, "EUR");
	assert_string_equal(d->language, "fr");
	assert_string_equal(d->timezone, "Europe/Paris");
	assert_string_equal(d->schedule, "");
	assert_int_equal(d->generated, now);
	assert_int_equal(d->from_day, nov1);
	assert_int_equal(d->to_day, nov30);
	assert_int_equal(d->prev_from, nov1 - 30);
	assert_int_equal(d->prev_to, nov1 - 1);
	assert_true(d->has_min && d->has_target);
	assert_int_equal(d->min_roi_ppm, 800000);
	assert_int_equal(d->target_roi_ppm, 2500000);
	assert_int_equal(d->last_day, nov30);

	/* The total: 10 250 spent, 25 900 earned over 117 campaign-days,
	 * one (m-video, 10 Nov) without revenue. */
	assert_true(d->total.has);
	assert_int_equal(d->total.spend, EUR(10250));
	assert_int_equal(d->total.revenue, EUR(25900));
	assert_int_equal(d->total.profit, EUR(15650));
	assert_int_equal(d->total.days, 117);
	assert_int_equal(d->total.days_complete, 116);
	assert_true(d->total.roi.defined);
	/* ROI over the complete samples: (25 900 - 10 200) / 10 200. */
	assert_int_equal(d->total.roi.num, EUR(15700));
	assert_int_equal(d->total.roi.den, EUR(10200));
	assert_int_equal(d->total.roi.floor, 1539215);
	assert_true(d->prev_total.has);
	assert_int_equal(d->prev_total.spend, EUR(9000));
	assert_int_equal(d->prev_total.revenue, EUR(19500));
	assert_int_equal(d->prev_total.days, 90);
	assert_int_equal(d->prev_total.roi.floor, 1166666);

	/* Every day of both periods. */
	assert_int_equal(d->ndays, 30);
	assert_int_equal(d->nprev_days, 30);
	for (i = 0; i < 30; i++) {
		assert_int_equal(d->days[i].day, nov1 + (int32_t)i);
		assert_int_equal(d->prev_days[i].day, nov1 - 30 + (int32_t)i);
		assert_true(d->days[i].has && d->prev_days[i].has);
	}
	assert_int_equal(d->days[0].spend, EUR(350));
	assert_int_equal(d->days[0].revenue, EUR(850));
	assert_int_equal(d->days[9].revenue, EUR(750));	/* m-video's gap */
	assert_int_equal(d->days[14].spend, EUR(250));	/* m-gap's gap */
	assert_int_equal(d->days[29].spend, EUR(300));
	assert_int_equal(d->days[29].revenue, EUR(1750));
	assert_int_equal(d->prev_days[0].spend, EUR(300));
	assert_int_equal(d->prev_days[0].revenue, EUR(650));

	/* Channels, best first: google 191 %, meta 100 %. */
	assert_int_equal(d->nchannels, 2);
	assert_string_equal(d->channels[0].name, "google");
	assert_string_equal(d->channels[1].name, "meta");
	r = &d->channels[0];
	assert_string_equal(r->channel, "");
	assert_int_equal(r->cur.spend, EUR(6000));
	assert_int_equal(r->cur.revenue, EUR(17500));
	assert_int_equal(r->cur.days, 61);
	assert_int_equal(r->prev.spend, EUR(6000));
	assert_int_equal(r->prev.revenue, EUR(15000));
	assert_int_equal(r->last_day, nov30);
	/* CLV 1.5 x 80 x 40 % x 24 = 1 152; CAC 6 000 / 30 = 200. */
	assert_true(r->clv.defined);
	assert_int_equal(r->clv.floor, EUR(1152));
	assert_true(r->clv_cac.defined);
	assert_int_equal(r->clv_cac.floor, 5760000);
	r = &d->channels[1];
	assert_int_equal(r->cur.spend, EUR(4250));
	assert_int_equal(r->cur.roi.floor, 1000000);
	assert_int_equal(r->prev.spend, EUR(3000));
	assert_false(r->clv.defined);
	assert_false(r->clv_cac.defined);

	/* Campaigns, best first: ROI 300 %, then m-gap and m-video at 100 %
	 * (m-gap earned more), then 50 %, then g-organic (undefined: no
	 * cost) although it earned most in a day. "old" is in neither. */
	assert_int_equal(d->ncampaigns, 5);
	assert_string_equal(d->campaigns[0].name, "g-brand");
	assert_string_equal(d->campaigns[1].name, "m-gap");
	assert_string_equal(d->campaigns[2].name, "m-video");
	assert_string_equal(d->campaigns[3].name, "g-generic");
	assert_string_equal(d->campaigns[4].name, "g-organic");
	assert_false(d->campaigns[4].cur.roi.defined);
	r = row(d->campaigns, d->ncampaigns, "g-brand");
	assert_string_equal(r->channel, "google");
	assert_int_equal(r->cur.roi.floor, 3000000);
	assert_int_equal(r->prev.roi.floor, 2000000);
	assert_int_equal(r->cur.days, 30);
	assert_int_equal(r->state, ALERT_OK);	/* its target is good news */
	assert_string_equal(r->alerts, "");
	r = row(d->campaigns, d->ncampaigns, "m-video");
	assert_string_equal(r->channel, "meta");
	assert_true(r->cur.has);
	assert_false(r->prev.has);
	assert_int_equal(r->prev.spend, 0);
	assert_int_equal(r->cur.spend, EUR(1350));
	assert_int_equal(r->cur.revenue, EUR(2600));
	assert_int_equal(r->cur.days, 27);
	assert_int_equal(r->cur.days_complete, 26);
	assert_int_equal(r->last_day, nov30 - 3);
	assert_int_equal(r->state, ALERT_FIRING);
	assert_string_equal(r->alerts, "cpa_high, roi_low");
	r = row(d->campaigns, d->ncampaigns, "g-generic");
	assert_int_equal(r->state, ALERT_RESOLVED);
	assert_string_equal(r->alerts, "");
	r = row(d->campaigns, d->ncampaigns, "m-gap");
	assert_int_equal(r->state, ALERT_OK);	/* "gone" is no rule */
	assert_int_equal(r->cur.days, 29);

	/* Budgets in the configuration's order: the month of `now`
	 * (running), then the flight per channel (over). */
	assert_int_equal(d->nbudgets, 3);
	assert_string_equal(d->budgets[0].rule, "month_budget");
	assert_string_equal(d->budgets[0].subject, "");
	assert_int_equal(d->budgets[0].budget, EUR(12000));
	assert_int_equal(d->budgets[0].spent, EUR(10250));
	assert_int_equal(d->budgets[0].from, nov1);
	assert_int_equal(d->budgets[0].to, nov30);
	assert_true(d->budgets[0].running);
	assert_int_equal(d->budgets[0].used_ppm, 854166);
	assert_true(d->budgets[0].pacing_ppm > 854166);
	assert_true(d->budgets[0].projected > EUR(10250));
	assert_string_equal(d->budgets[1].rule, "flight");
	assert_string_equal(d->budgets[1].subject, "google");
	assert_int_equal(d->budgets[1].spent, EUR(2000));
	assert_int_equal(d->budgets[1].from, day_of(2026, 11, 10));
	assert_int_equal(d->budgets[1].to, day_of(2026, 11, 19));
	assert_false(d->budgets[1].running);
	assert_int_equal(d->budgets[1].used_ppm, 1000000);
	assert_string_equal(d->budgets[2].subject, "meta");
	assert_int_equal(d->budgets[2].spent, EUR(1400));

	/* Custom KPIs of both periods, by name. */
	assert_int_equal(d->ncustoms, 3);
	assert_string_equal(d->customs[0].name, "new_customers");
	assert_int_equal(d->customs[0].cur, EUR(30));
	assert_int_equal(d->customs[0].prev, 0);
	assert_string_equal(d->customs[1].name, "newsletter");
	assert_int_equal(d->customs[1].cur, 0);
	assert_int_equal(d->customs[1].prev, EUR(5));
	assert_int_equal(d->customs[1].prev_days, 1);
	assert_string_equal(d->customs[2].name, "store_visits");
	assert_int_equal(d->customs[2].cur, EUR(300));
	assert_int_equal(d->customs[2].cur_days, 30);
	assert_int_equal(d->customs[2].prev, EUR(240));

	/* Alerts of the period's local days, by time. */
	assert_int_equal(d->nalerts, 3);
	assert_int_equal(d->alerts[0].at, local(paris, 2026, 11, 1, 0, 10));
	assert_false(d->alerts[0].fired);
	assert_string_equal(d->alerts[0].subject, "m-video");
	assert_int_equal(d->alerts[1].scope, RULE_SCOPE_CHANNEL);
	assert_string_equal(d->alerts[1].subject, "meta");
	assert_true(d->alerts[1].fired);
	assert_string_equal(d->alerts[1].rule, "roi_low");
	assert_int_equal(d->alerts[1].severity, RULE_SEV_CRITICAL);
	assert_int_equal(d->alerts[2].at, local(paris, 2026, 11, 30, 23, 59));

	/* Notes of the period, by day. */
	assert_int_equal(d->nnotes, 2);
	assert_int_equal(d->notes[0].day, nov1 + 11);
	assert_string_equal(d->notes[0].campaign, "");
	assert_string_equal(d->notes[0].channel, "meta");
	assert_string_equal(d->notes[0].text, "Meta budget moved to Google");
	assert_int_equal(d->notes[1].day, nov1 + 20);
	assert_string_equal(d->notes[1].campaign, "g-brand");
	assert_string_equal(d->notes[1].channel, "");

	/* Issues: m-gap lacks a day of 30, m-video one of its 27 and stopped
	 * on the 27th while others went on; the client is up to date. */
	assert_int_equal(d->nissues, 3);
	assert_int_equal(d->issues[0].kind, DIGEST_ISSUE_COVERAGE);
	assert_string_equal(d->issues[0].subject, "m-gap");
	assert_int_equal(d->issues[0].days, 29);
	assert_int_equal(d->issues[0].days_total, 30);
	assert_int_equal(d->issues[1].kind, DIGEST_ISSUE_COVERAGE);
	assert_string_equal(d->issues[1].subject, "m-video");
	assert_int_equal(d->issues[1].days, 26);
	assert_int_equal(d->issues[1].days_total, 27);
	assert_int_equal(d->issues[2].kind, DIGEST_ISSUE_STALE);
	assert_string_equal(d->issues[2].subject, "m-video");
	assert_int_equal(d->issues[2].last_day, nov30 - 3);

	/* The client's failing pull source, not the other client's nor
	 * the one that works. */
	assert_int_equal(digest_load_sources(d, store, cfg, &cause), 0);
	assert_int_equal(d->nissues, 4);
	assert_int_equal(d->issues[3].kind, DIGEST_ISSUE_SOURCE);
	assert_string_equal(d->issues[3].subject, "acme-api");
	assert_string_equal(d->issues[3].detail,
	    "HTTP 500 from example.invalid");
	digest_free(d);

	/* A week whose last days have no data: the client is stale, and a
	 * monthly budget is judged in the month of `now`. */
	if ((d = digest_load(store, client("acme"), nov30 - 1, nov30 + 5,
	    local(paris, 2026, 12, 7, 8, 0), &cause)) == NULL)
		fail_msg("digest_load: %s", cause);
	assert_int_equal(d->ndays, 7);
	assert_true(d->days[1].has);
	assert_false(d->days[2].has);
	assert_int_equal(d->last_day, nov30);
	/* m-video's data is in the week before alone: stale, no coverage. */
	assert_int_equal(d->nissues, 2);
	assert_int_equal(d->issues[0].kind, DIGEST_ISSUE_STALE);
	assert_string_equal(d->issues[0].subject, "m-video");
	assert_int_equal(d->issues[1].kind, DIGEST_ISSUE_STALE);
	assert_string_equal(d->issues[1].subject, "");
	assert_int_equal(d->issues[1].last_day, nov30);
	assert_int_equal(d->budgets[0].from, nov30 + 1);
	assert_int_equal(d->budgets[0].spent, 0);
	digest_free(d);

	/* A period the wrong way round is refused, naming the client. */
	assert_null(digest_load(store, client("acme"), nov30, nov1, now,
	    &cause));
	assert_non_null(strstr(cause, "acme"));
	free(cause);
}

/* No data at all: nothing to tell, nothing broken. */
static void
test_empty(void **state)
{
	int32_t nov1 = day_of(2026, 11, 1);
	struct digest *d;
	char *cause = NULL;
	size_t i;

	(void)state;
	if ((d = digest_load(store, client("empty"), nov1, nov1 + 29,
	    1800000000, &cause)) == NULL)
		fail_msg("digest_load: %s", cause);
	assert_false(d->total.has);
	assert_false(d->prev_total.has);
	assert_int_equal(d->total.spend, 0);
	assert_false(d->total.roi.defined);
	assert_int_equal(d->nchannels, 0);
	assert_int_equal(d->ncampaigns, 0);
	assert_int_equal(d->ndays, 30);
	for (i = 0; i < d->ndays; i++)
		assert_false(d->days[i].has || d->prev_days[i].has);
	assert_int_equal(d->nbudgets, 0);
	assert_int_equal(d->ncustoms, 0);
	assert_int_equal(d->nalerts, 0);
	assert_int_equal(d->nnotes, 0);
	assert_int_equal(d->nissues, 0);
	assert_int_equal(d->last_day, INT32_MIN);
	assert_string_equal(d->client_name, "empty");
	digest_free(d);

	/* A client whose data stopped long before: stale since then. */
	{
		int64_t input = begin();

		put_in(input, "idle", "x", "web", nov1 - 100, 1, 2, NULL, 0);
		commit();
	}
	if ((d = digest_load(store, client("idle"), nov1, nov1 + 29,
	    1800000000, &cause)) == NULL)
		fail_msg("digest_load: %s", cause);
	assert_false(d->total.has);
	assert_int_equal(d->ncampaigns, 0);
	assert_int_equal(d->last_day, nov1 - 100);
	assert_int_equal(d->nissues, 1);
	assert_int_equal(d->issues[0].kind, DIGEST_ISSUE_STALE);
	assert_string_equal(d->issues[0].subject, "");
	digest_free(d);
}

static int64_t
usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 50 campaigns over 400 days: how long a month's digest and one of the
 * 400 days take (printed; bounded loosely, the machine is shared). */
static void
test_big(void **state)
{
	int32_t	first = day_of(2025, 11, 1), last = first + 399;
	struct digest *d;
	char name[32], *cause = NULL;
	int64_t input, t0, t1, t2;
	int c, i;

	(void)state;
	input = begin();
	for (c = 0; c < 50; c++) {
		snprintf(name, sizeof name, "c%02d", c);
		for (i = 0; i < 400; i++)
			put_in(input, "big", name, c % 2 ? "odd" : "even",
			    first + i, 100 + c, 100 + c * 5 + i % 7, NULL, 0);
	}
	commit();
	t0 = usec();
	if ((d = digest_load(store, client("big"), last - 29, last,
	    1800000000, &cause)) == NULL)
		fail_msg("digest_load: %s", cause);
	t1 = usec();
	assert_int_equal(d->ncampaigns, 50);
	assert_int_equal(d->total.days, 50 * 30);
	assert_string_equal(d->campaigns[0].name, "c49");
	digest_free(d);
	if ((d = digest_load(store, client("big"), first, last,
	    1800000000, &cause)) == NULL)
		fail_msg("digest_load: %s", cause);
	t2 = usec();
	assert_int_equal(d->ndays, 400);
	assert_int_equal(d->total.days, 50 * 400);
	assert_false(d->prev_total.has);
	digest_free(d);
	print_message("digest_load, 50 campaigns x 400 days: 30-day period "
	    "%.1f ms, 400-day period %.1f ms\n", (double)(t1 - t0) / 1000,
	    (double)(t2 - t1) / 1000);
	assert_true(t2 - t0 < 20 * 1000000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acme),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_big),
	};

	log_init(0, "test_digest_load");
	return cmocka_run_group_tests(tests, setup, teardown);
}
