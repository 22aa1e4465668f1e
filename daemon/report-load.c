/*
 * Reading a KPI report (report-kpis.h) from the store: the window's days on
 * the client's calendar, its subjects (campaigns or channels with samples in
 * it), each one's totals, custom sums and incomplete days, and the client's
 * total -- all in one read transaction, so that the rows and the total are
 * one snapshot even while the daemon or a backfill writes. The report itself
 * is built by the pure report-kpis.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kpi.h"
#include "measure.h"
#include "report-kpis.h"
#include "store.h"
#include "window.h"
#include "xmalloc.h"

struct report_load {
	struct store			*st;
	const struct client_conf	*cc;
	struct report_kpis		*r;
	struct window_range		 w;
	char				*cause;
};

/* The custom KPIs of one scope, names copied (the store's are not ours). */
struct report_load_custom {
	struct measure_custom	*c;
	size_t			 n;
};

static int
report_load_custom_cb(const char *name, int64_t sum, int64_t days, void *arg)
{
	struct report_load_custom *lc = arg;

	lc->c = xreallocarray(lc->c, lc->n + 1, sizeof *lc->c);
	lc->c[lc->n].name = xstrdup(name);
	lc->c[lc->n].sum = sum;
	lc->c[lc->n].days = days;
	lc->n++;
	return 0;
}

static void
report_load_custom_clear(struct report_load_custom *lc)
{
	size_t	 i;

	for (i = 0; i < lc->n; i++)
		free((char *)lc->c[i].name);
	free(lc->c);
	memset(lc, 0, sizeof *lc);
}

/*
 * One subject (campaign or channel; both NULL: the client's total). A
 * subject without a sample in the window is left out.
 */
static int
report_load_one(struct report_load *l, const char *campaign,
    const char *channel)
{
	struct report_load_custom lc;
	struct report_sums	 in;
	struct kpi_totals	 t;
	struct kpi_lack		*lacks = NULL;
	size_t			 nlacks = 0;
	int			 total = campaign == NULL && channel == NULL;

	memset(&lc, 0, sizeof lc);
	if (store_totals_scope(l->st, l->cc->id, campaign, channel, l->w.from,
	    l->w.to, &t, &l->cause) != 0)
		return -1;
	if (!total && t.samples <= 0)
		return 0;
	if (store_custom_totals_scope(l->st, l->cc->id, campaign, channel,
	    l->w.from, l->w.to, report_load_custom_cb, &lc, &l->cause) != 0)
		goto fail;
	if (store_lacks_scope(l->st, l->cc->id, campaign, channel, l->w.from,
	    l->w.to, &lacks, &nlacks, &l->cause) != 0)
		goto fail;
	memset(&in, 0, sizeof in);
	in.subject = total ? NULL : campaign != NULL ? campaign : channel;
	in.t = &t;
	in.custom = lc.c;
	in.ncustom = lc.n;
	in.lacks = lacks;
	in.nlacks = nlacks;
	report_kpis_add(l->r, &in);
	free(lacks);
	report_load_custom_clear(&lc);
	return 0;

fail:
	report_load_custom_clear(&lc);
	return -1;
}

static int
report_load_campaign_cb(const char *client, const char *campaign, void *arg)
{
	(void)client;
	return report_load_one(arg, campaign, NULL) != 0 ? 1 : 0;
}

static int
report_load_channel_cb(const char *channel, void *arg)
{
	return report_load_one(arg, NULL, channel) != 0 ? 1 : 0;
}

struct report_kpis *
report_kpis_load(struct store *st, const struct client_conf *cc,
    const struct window_spec *spec, enum report_by by, int64_t now,
    char **cause)
{
	struct report_kpis_info	 info;
	struct report_load	 l;
	int32_t			 last;
	int			 rc = 0;

	memset(&l, 0, sizeof l);
	l.st = st;
	l.cc = cc;
	if (store_read_begin(st, cause) != 0)
		return NULL;
	if (spec->kind == WINDOW_DATA_DAYS) {
		/* The client's last day of data: one window for every row. */
		if (store_last_day_scope(st, cc->id, NULL, NULL, &last,
		    cause) != 0) {
			store_read_end(st);
			return NULL;
		}
		window_resolve_data(spec, last, &l.w);
	} else
		window_resolve(spec, cc->tz, now, &l.w);

	memset(&info, 0, sizeof info);
	info.client = cc->id;
	info.currency = cc->currency;
	info.language = cc->language;
	info.timezone = cc->timezone;
	info.window = *spec;
	info.range = l.w;
	info.by = by;
	l.r = report_kpis_new(&info);

	if (by == REPORT_BY_CAMPAIGN)
		rc = store_foreach_campaign(st, cc->id,
		    report_load_campaign_cb, &l, &l.cause);
	else if (by == REPORT_BY_CHANNEL)
		rc = store_foreach_channel(st, cc->id, l.w.from, l.w.to,
		    report_load_channel_cb, &l, &l.cause);
	if (rc == 0)
		rc = report_load_one(&l, NULL, NULL);
	store_read_end(st);
	if (rc != 0) {
		*cause = l.cause != NULL ? l.cause : xstrdup("reading the "
		    "report failed");
		report_kpis_free(l.r);
		return NULL;
	}
	return l.r;
}
