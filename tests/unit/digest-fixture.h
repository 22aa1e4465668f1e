/*
 * A fixed digest for the renderers' tests (golden files): client ACME,
 * November 2026 against the 30 days before, three channels, five
 * campaigns, a budget, a custom KPI, alerts, two notes and data issues.
 * The figures are chosen so that the story has something to tell: ROI rose
 * from 142 % to 238 %, WhatsApp carried 60 % of the revenue.
 */
#ifndef ROIWATCH_TEST_DIGEST_FIXTURE_H
#define ROIWATCH_TEST_DIGEST_FIXTURE_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "metric.h"
#include "xmalloc.h"

#define FX_EUR(x)	((int64_t)(x) * 1000000)

/* Figures of spend, revenue and conversions (whole units) over `days`. */
static void
fx_figures(struct digest_figures *f, int64_t spend, int64_t revenue,
    int64_t conversions, int64_t days, int64_t complete)
{
	memset(f, 0, sizeof *f);
	if (days == 0)
		return;
	f->has = 1;
	f->spend = FX_EUR(spend);
	f->revenue = FX_EUR(revenue);
	f->profit = f->revenue - f->spend;
	f->conversions = conversions * 1000000;
	f->days = days;
	f->days_complete = complete;
	f->roi.days = f->roas.days = f->cpa.days = complete;
	f->roi.days_total = f->roas.days_total = f->cpa.days_total = days;
	if (spend > 0) {
		f->roi.defined = f->roas.defined = 1;
		f->roi.num = f->profit;
		f->roi.den = f->spend;
		f->roi.floor = (revenue - spend) * 1000000 / spend;
		if ((revenue - spend) * 1000000 % spend < 0)
			f->roi.floor--;
		f->roi.inexact = (revenue - spend) * 1000000 % spend != 0;
		f->roas.num = f->revenue;
		f->roas.den = f->spend;
		f->roas.floor = revenue * 1000000 / spend;
		f->roas.inexact = revenue * 1000000 % spend != 0;
	} else
		f->roi.why = f->roas.why = MEASURE_UNDEFINED;
	if (conversions > 0) {
		f->cpa.defined = 1;
		f->cpa.num = f->spend;
		f->cpa.den = conversions;
		f->cpa.floor = f->spend / conversions;
		f->cpa.inexact = f->spend % conversions != 0;
	} else
		f->cpa.why = MEASURE_UNDEFINED;
}

static void
fx_row(struct digest_row *r, const char *name, const char *channel,
    int64_t spend, int64_t revenue, int64_t conv, int64_t pspend,
    int64_t prevenue, int64_t pconv, enum alert_state state,
    const char *alerts, int32_t last_day)
{
	memset(r, 0, sizeof *r);
	r->name = xstrdup(name);
	r->channel = xstrdup(channel);
	fx_figures(&r->cur, spend, revenue, conv, 30, 30);
	fx_figures(&r->prev, pspend, prevenue, pconv, pspend ? 30 : 0,
	    pspend ? 30 : 0);
	r->state = state;
	r->alerts = xstrdup(alerts);
	r->last_day = last_day;
}

/* lang: "en" or "fr". */
static struct digest *
digest_fixture(const char *lang)
{
	struct digest	*d = xcalloc(1, sizeof *d);
	int32_t		 nov1 = metric_days_from_civil(2026, 11, 1);
	int32_t		 nov30 = metric_days_from_civil(2026, 11, 30);
	size_t		 i;

	d->client_id = xstrdup("acme");
	d->client_name = xstrdup("ACME Shoes");
	d->currency = xstrdup("EUR");
	d->language = xstrdup(lang);
	d->timezone = xstrdup("Europe/Paris");
	d->schedule = xstrdup("monthly");
	/* 2026-12-01 08:00 Paris (07:00 UTC) */
	d->generated = (int64_t)metric_days_from_civil(2026, 12, 1) * 86400 +
	    7 * 3600;
	d->from_day = nov1;
	d->to_day = nov30;
	d->prev_from = nov1 - 30;
	d->prev_to = nov1 - 1;
	d->has_min = d->has_target = 1;
	d->min_roi_ppm = 1500000;	/* 150 % */
	d->target_roi_ppm = 2000000;	/* 200 % */
	fx_figures(&d->total, 10000, 33800, 676, 150, 147);
	fx_figures(&d->prev_total, 10000, 24200, 484, 120, 120);

	d->nchannels = 3;
	d->channels = xcalloc(d->nchannels, sizeof *d->channels);
	/* best first: whatsapp 3.225 roi, google 1.75, meta 0.8 */
	fx_row(&d->channels[0], "whatsapp", "", 4800, 20280, 406, 1000, 2500,
	    50, ALERT_OK, "", nov30);
	fx_row(&d->channels[1], "google", "", 2400, 6600, 132, 3000, 9000,
	    180, ALERT_OK, "", nov30);
	fx_row(&d->channels[2], "meta", "", 2800, 6920, 138, 6000, 12700,
	    254, ALERT_OK, "", nov30);
	d->channels[0].cur.days = d->channels[0].cur.days_complete = 60;
	d->channels[0].clv.defined = 1;
	d->channels[0].clv.floor = FX_EUR(180);
	d->channels[0].clv_cac.defined = 1;
	d->channels[0].clv_cac.floor = 15300000;	/* 15.3:1 */
	d->channels[2].clv.why = MEASURE_NO_INPUT;
	d->channels[2].clv_cac.why = MEASURE_NO_INPUT;
	d->channels[1].clv.why = MEASURE_NO_INPUT;
	d->channels[1].clv_cac.why = MEASURE_NO_INPUT;

	d->ncampaigns = 5;
	d->campaigns = xcalloc(d->ncampaigns, sizeof *d->campaigns);
	fx_row(&d->campaigns[0], "wa-black-friday", "whatsapp", 3000, 14000,
	    280, 0, 0, 0, ALERT_OK, "", nov30);
	fx_row(&d->campaigns[1], "wa-retarget", "whatsapp", 1800, 6280, 126,
	    1000, 2500, 50, ALERT_OK, "", nov30);
	fx_row(&d->campaigns[2], "meta-prospecting", "meta", 1600, 5120, 102,
	    3500, 9200, 184, ALERT_OK, "", nov30);
	fx_row(&d->campaigns[3], "search-brand", "google", 2400, 6600, 132,
	    3000, 9000, 180, ALERT_OK, "", nov30);
	fx_row(&d->campaigns[4], "meta-video", "meta", 1200, 1800, 36,
	    2500, 3500, 70, ALERT_FIRING, "roi_low", nov30 - 3);
	d->campaigns[4].cur.days = 27;
	d->campaigns[4].cur.days_complete = 24;

	d->ndays = d->nprev_days = 30;
	d->days = xcalloc(30, sizeof *d->days);
	d->prev_days = xcalloc(30, sizeof *d->prev_days);
	for (i = 0; i < 30; i++) {
		/* spend 260..340 a day and 1 000 more on the 30th (10 000
		 * in all); revenue rising after the 12th (33 800 in all) */
		d->days[i].day = nov1 + (int32_t)i;
		d->days[i].has = 1;
		d->days[i].spend = FX_EUR(260 + (int64_t)(i % 5) * 20) +
		    (i == 29 ? FX_EUR(1000) : 0);
		d->days[i].revenue = FX_EUR(i < 11 ? 700 : 1300) +
		    (i == 29 ? FX_EUR(33800 - 11 * 700 - 19 * 1300) : 0);
		d->prev_days[i].day = d->prev_from + (int32_t)i;
		d->prev_days[i].has = 1;
		d->prev_days[i].spend = FX_EUR(10000) / 30 +
		    (i == 29 ? FX_EUR(10000) % 30 : 0);
		d->prev_days[i].revenue = FX_EUR(24200) / 30 +
		    (i == 29 ? FX_EUR(24200) % 30 : 0);
	}

	d->nbudgets = 1;
	d->budgets = xcalloc(1, sizeof *d->budgets);
	d->budgets[0].rule = xstrdup("monthly_budget");
	d->budgets[0].subject = xstrdup("");
	d->budgets[0].budget = FX_EUR(12000);
	d->budgets[0].spent = FX_EUR(300);
	d->budgets[0].from = nov30 + 1;
	d->budgets[0].to = nov30 + 31;
	d->budgets[0].running = 1;
	d->budgets[0].used_ppm = 25000;
	d->budgets[0].pacing_ppm = 1290000;
	d->budgets[0].projected = FX_EUR(15500);
	d->budgets[0].runout_day = nov30 + 25;

	d->ncustoms = 1;
	d->customs = xcalloc(1, sizeof *d->customs);
	d->customs[0].name = xstrdup("store_visits");
	d->customs[0].cur = 4200 * 1000000LL;
	d->customs[0].prev = 3100 * 1000000LL;
	d->customs[0].cur_days = 30;
	d->customs[0].prev_days = 30;

	d->nalerts = 3;
	d->alerts = xcalloc(3, sizeof *d->alerts);
	d->alerts[0].at = (int64_t)(nov1 + 4) * 86400 + 9 * 3600;
	d->alerts[0].fired = 1;
	d->alerts[0].rule = xstrdup("roi_low");
	d->alerts[0].scope = RULE_SCOPE_CHANNEL;
	d->alerts[0].subject = xstrdup("meta");
	d->alerts[0].severity = RULE_SEV_CRITICAL;
	d->alerts[1].at = (int64_t)(nov1 + 14) * 86400 + 9 * 3600;
	d->alerts[1].fired = 0;
	d->alerts[1].rule = xstrdup("roi_low");
	d->alerts[1].scope = RULE_SCOPE_CHANNEL;
	d->alerts[1].subject = xstrdup("meta");
	d->alerts[1].severity = RULE_SEV_CRITICAL;
	d->alerts[2].at = (int64_t)(nov1 + 26) * 86400 + 9 * 3600;
	d->alerts[2].fired = 1;
	d->alerts[2].rule = xstrdup("roi_low");
	d->alerts[2].scope = RULE_SCOPE_CAMPAIGN;
	d->alerts[2].subject = xstrdup("meta-video");
	d->alerts[2].severity = RULE_SEV_CRITICAL;

	d->nnotes = 2;
	d->notes = xcalloc(2, sizeof *d->notes);
	d->notes[0].id = 1;
	d->notes[0].day = nov1 + 11;	/* 12 Nov */
	d->notes[0].campaign = xstrdup("");
	d->notes[0].channel = xstrdup("meta");
	d->notes[0].text = xstrdup("Meta budget moved to WhatsApp");
	d->notes[1].id = 2;
	d->notes[1].day = nov1 + 20;
	d->notes[1].campaign = xstrdup("wa-black-friday");
	d->notes[1].channel = xstrdup("");
	d->notes[1].text = xstrdup("Black Friday offer <20 % off> & free "
	    "delivery");

	d->nissues = 2;
	d->issues = xcalloc(2, sizeof *d->issues);
	d->issues[0].kind = DIGEST_ISSUE_COVERAGE;
	d->issues[0].subject = xstrdup("meta-video");
	d->issues[0].days = 24;
	d->issues[0].days_total = 27;
	d->issues[0].last_day = nov30 - 3;
	d->issues[1].kind = DIGEST_ISSUE_STALE;
	d->issues[1].subject = xstrdup("meta-video");
	d->issues[1].last_day = nov30 - 3;
	d->last_day = nov30;
	return (d);
}

#endif
