/*
 * The KPI report of one client over one calendar window, by campaign, by
 * channel or for the client as a whole: what `roiwatch kpis` prints and
 * GET /v1/clients/{id}/kpis answers.
 *
 * The caller reads each subject's sums (report_kpis_load() does, from the
 * store) and adds them; report-kpis.c computes every KPI with
 * measure_compute(), formats each value once with measure_format() in the
 * client's currency and language, and lays the rows out either as an aligned
 * table or as JSON that carries the exact values (floors in ppm or micros)
 * beside the very strings the table shows. report-kpis.c is pure: no store,
 * no clock. report-load.c is its reader.
 */
#ifndef ROIWATCH_REPORT_KPIS_H
#define ROIWATCH_REPORT_KPIS_H
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "kpi.h"
#include "measure.h"
#include "window.h"

struct client_conf;
struct store;

enum report_by {
	REPORT_BY_CAMPAIGN,
	REPORT_BY_CHANNEL,
	REPORT_BY_CLIENT,	/* the total alone */
	REPORT_BY_MAX
};

/* "campaign", "channel", "client"; -1 with *cause naming the text. */
int	report_by_parse(const char *, enum report_by *, char **cause);
const char *report_by_name(enum report_by);
/* A window in words: "lifetime", "last 7 days", "7 days to today",
 * "month to date", "last 7 days of data"... Returns buf. */
char   *report_window_words(const struct window_spec *, char *buf,
	    size_t len);

/* What the report is about; the strings are copied. */
struct report_kpis_info {
	const char		*client;	/* id */
	const char		*currency;	/* ISO 4217 */
	const char		*language;	/* of the figures: "en", "fr" */
	const char		*timezone;	/* IANA name, shown with the dates */
	struct window_spec	 window;
	struct window_range	 range;		/* its days, resolved */
	enum report_by		 by;
};

/* One subject's sums over the window. */
struct report_sums {
	const char			*subject;	/* NULL: the total */
	const struct kpi_totals		*t;
	const struct measure_custom	*custom;	/* any order, names
							   distinct */
	size_t				 ncustom;
	/* Every day (total, channel: campaign-day) of which some sample
	 * lacks a field (store_lacks_scope()), earliest first. */
	const struct kpi_lack		*lacks;
	size_t				 nlacks;
};

struct report_kpis;

struct report_kpis *report_kpis_new(const struct report_kpis_info *);
void	report_kpis_free(struct report_kpis *);
/* Add a subject (rows keep the order they were added in) or the total;
 * everything is copied. */
void	report_kpis_add(struct report_kpis *, const struct report_sums *);
/* Rows added so far, the total not counted. */
size_t	report_kpis_rows(const struct report_kpis *);

/*
 * The table, caller-freed: a header line with the window and its local
 * dates ("last 7 days: 2026-11-25 to 2026-12-01 (Europe/Paris)"), then one
 * line per subject and a total line -- spend, revenue, profit, ROI, ROAS,
 * CPA, CPC, CPM, CTR, CVR and the sum of each custom KPI present, numbers
 * right-aligned by their display width -- then the coverage of every KPI
 * that lacks days (with the sums reported), and the custom KPIs' daily
 * averages. Subject names are escaped for a terminal.
 */
char   *report_kpis_table(const struct report_kpis *);
/*
 * The same as JSON: for each subject and the total, every KPI that needs no
 * budget with "value" (the floor of the exact value in "unit" ppm or micros,
 * null when not defined), "inexact", "text" (the table's string), "days",
 * "days_total" and "coverage"; custom KPIs' sums and daily averages alike.
 * Integers are exact JSON integers of any size (not doubles).
 */
cJSON  *report_kpis_json(const struct report_kpis *);

/*
 * report-load.c: read the report of client cc over window spec at instant
 * now (its days on the client's calendar; data_Nd: the last N days of the
 * client's data) by `by`, in one read transaction of the store so that the
 * rows and the total are one snapshot. Subjects without a sample in the
 * window are left out. NULL with *cause when the store fails.
 */
struct report_kpis *report_kpis_load(struct store *,
	    const struct client_conf *cc, const struct window_spec *,
	    enum report_by, int64_t now, char **cause);

#endif
