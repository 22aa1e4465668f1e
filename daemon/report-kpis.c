/*
 * The KPI report (report-kpis.h): subjects' sums in, an aligned table or JSON
 * out. Pure: the sums come from the caller, nothing reads the store or the
 * clock.
 *
 * Every figure is one measure (measure.h) computed from the subject's sums
 * and formatted once by measure_format() in the client's currency and
 * language; the table prints that string and the JSON carries it beside the
 * exact value, so both say the same thing. The words around the figures
 * (column titles, coverage) are English: the operator's tool speaks English,
 * the amounts keep the client's format, as `roiwatch kpis` always did.
 *
 * Coverage. A plain sum covers the days whose samples all report its field,
 * a ratio the days whose samples report both of its fields (measure.c). The
 * caller gives every day that lacks a field: the days each field is complete
 * on are counted from them exactly (measure_input.field_days), and the first
 * gaps of each KPI are named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kpi.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "report-kpis.h"
#include "utf8.h"
#include "window.h"
#include "xmalloc.h"

#define REPORT_GAP	2	/* blanks between two columns */
#define REPORT_TEXT_MAX	128	/* a formatted value */
#define REPORT_COV_MAX	1024	/* a coverage text */
/* A subject name escaped for a terminal: 4 bytes per input byte at worst. */
#define REPORT_NAME_MAX	(4 * METRIC_CAMPAIGN_MAX + 8)

/* The table's columns after the subject, in order. */
static const struct {
	const char	*measure;	/* measure_lookup() word */
	const char	*title;		/* column title and coverage label */
} report_cols[] = {
	{ "spend", "spend" },
	{ "revenue", "revenue" },
	{ "profit", "profit" },
	{ "roi", "ROI" },
	{ "roas", "ROAS" },
	{ "cpa", "CPA" },
	{ "cpc", "CPC" },
	{ "cpm", "CPM" },
	{ "ctr", "CTR" },
	{ "cvr", "CVR" },
};
#define REPORT_NCOLS	(sizeof report_cols / sizeof report_cols[0])

/* The plain sums a coverage block says were reported. */
static const struct {
	const char	*measure;
	const char	*word;
} report_sums_shown[] = {
	{ "spend", "cost" },
	{ "revenue", "revenue" },
	{ "impressions", "impressions" },
	{ "clicks", "clicks" },
	{ "conversions", "conversions" },
};
#define REPORT_NSUMS	(sizeof report_sums_shown / sizeof report_sums_shown[0])

static const char *report_by_names[REPORT_BY_MAX] = {
	"campaign", "channel", "client"
};

struct report_row {
	char			*subject;	/* NULL: the total */
	struct kpi_totals	 t;
	struct measure_custom	*custom;	/* names owned */
	size_t			 ncustom;
	struct kpi_lack		*lacks;
	size_t			 nlacks;
	int64_t			 field_days[MF__MAX];
};

struct report_kpis {
	char			*client;
	char			*currency;
	char			*language;
	char			*timezone;
	struct window_spec	 window;
	struct window_range	 range;
	enum report_by		 by;
	struct report_row	*rows;
	size_t			 nrows;
	struct report_row	 total;
	int			 has_total;
	/* The custom KPIs of every row, sorted. */
	char			**custom;
	size_t			 ncustom;
};

/* A growing text. */
struct report_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void report_printf(struct report_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
report_printf(struct report_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("%s: vsnprintf failed", __func__);
	if (b->len + (size_t)n + 1 > b->cap) {
		while (b->len + (size_t)n + 1 > b->cap)
			b->cap = b->cap != 0 ? b->cap * 2 : 1024;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* s in a column `width` display cells wide, right- or left-aligned. */
static void
report_pad(struct report_buf *b, const char *s, size_t width, int right)
{
	size_t	 w = utf8_width(s);
	int	 pad = w < width ? (int)(width - w) : 0;

	if (right)
		report_printf(b, "%*s%s", pad, "", s);
	else
		report_printf(b, "%s%*s", s, pad, "");
}

int
report_by_parse(const char *s, enum report_by *by, char **cause)
{
	char	 esc[64];
	int	 i;

	for (i = 0; i < REPORT_BY_MAX; i++) {
		if (s != NULL && strcmp(s, report_by_names[i]) == 0) {
			*by = (enum report_by)i;
			return 0;
		}
	}
	if (s == NULL)
		s = "";
	log_escape(s, strlen(s), esc, sizeof esc);
	xasprintf(cause, "by \"%s\": expected campaign, channel or client",
	    esc);
	return -1;
}

const char *
report_by_name(enum report_by by)
{
	if ((int)by < 0 || by >= REPORT_BY_MAX)
		return "?";
	return report_by_names[by];
}

char *
report_window_words(const struct window_spec *w, char *buf, size_t len)
{
	int	n = (int)w->n;

	switch (w->kind) {
	case WINDOW_LIFETIME:
		snprintf(buf, len, "lifetime");
		break;
	case WINDOW_TODAY:
		snprintf(buf, len, "today");
		break;
	case WINDOW_YESTERDAY:
		snprintf(buf, len, "yesterday");
		break;
	case WINDOW_DAYS:
		snprintf(buf, len, "%d day%s to today", n, n == 1 ? "" : "s");
		break;
	case WINDOW_LAST_DAYS:
		snprintf(buf, len, "last %d day%s", n, n == 1 ? "" : "s");
		break;
	case WINDOW_WTD:
		snprintf(buf, len, "week to date");
		break;
	case WINDOW_MTD:
		snprintf(buf, len, "month to date");
		break;
	case WINDOW_LAST_MONTH:
		snprintf(buf, len, "last month");
		break;
	case WINDOW_DATA_DAYS:
		snprintf(buf, len, "last %d day%s of data", n, n == 1 ? "" : "s");
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
	return buf;
}

struct report_kpis *
report_kpis_new(const struct report_kpis_info *info)
{
	struct report_kpis *r;

	r = xcalloc(1, sizeof *r);
	r->client = xstrdup(info->client);
	r->currency = xstrdup(info->currency);
	r->language = xstrdup(info->language);
	r->timezone = xstrdup(info->timezone);
	r->window = info->window;
	r->range = info->range;
	r->by = info->by;
	return r;
}

static void
report_row_clear(struct report_row *row)
{
	size_t	 i;

	for (i = 0; i < row->ncustom; i++)
		free((char *)row->custom[i].name);
	free(row->custom);
	free(row->lacks);
	free(row->subject);
	memset(row, 0, sizeof *row);
}

void
report_kpis_free(struct report_kpis *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrows; i++)
		report_row_clear(&r->rows[i]);
	free(r->rows);
	report_row_clear(&r->total);
	for (i = 0; i < r->ncustom; i++)
		free(r->custom[i]);
	free(r->custom);
	free(r->client);
	free(r->currency);
	free(r->language);
	free(r->timezone);
	free(r);
}

static int
report_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Merge a row's custom names into the report's sorted set. */
static void
report_custom_merge(struct report_kpis *r, const struct report_row *row)
{
	size_t	 i;

	for (i = 0; i < row->ncustom; i++) {
		if (r->ncustom > 0 && bsearch(&row->custom[i].name, r->custom,
		    r->ncustom, sizeof *r->custom, report_name_cmp) != NULL)
			continue;
		r->custom = xreallocarray(r->custom, r->ncustom + 1,
		    sizeof *r->custom);
		r->custom[r->ncustom++] = xstrdup(row->custom[i].name);
		qsort(r->custom, r->ncustom, sizeof *r->custom,
		    report_name_cmp);
	}
}

void
report_kpis_add(struct report_kpis *r, const struct report_sums *in)
{
	struct report_row *row;
	size_t	 i;
	int	 f;

	if (in->subject == NULL) {
		report_row_clear(&r->total);
		row = &r->total;
		r->has_total = 1;
	} else {
		r->rows = xreallocarray(r->rows, r->nrows + 1, sizeof *r->rows);
		row = &r->rows[r->nrows++];
		memset(row, 0, sizeof *row);
		row->subject = xstrdup(in->subject);
	}
	if (in->t != NULL)
		row->t = *in->t;
	if (in->ncustom > 0) {
		row->custom = xreallocarray(NULL, in->ncustom,
		    sizeof *row->custom);
		for (i = 0; i < in->ncustom; i++) {
			row->custom[i] = in->custom[i];
			row->custom[i].name = xstrdup(in->custom[i].name);
		}
		row->ncustom = in->ncustom;
	}
	if (in->nlacks > 0) {
		row->lacks = xreallocarray(NULL, in->nlacks,
		    sizeof *row->lacks);
		memcpy(row->lacks, in->lacks, in->nlacks * sizeof *row->lacks);
		row->nlacks = in->nlacks;
	}
	/* Days each field is complete on: the days, less those lacking it. */
	for (f = 0; f < MF__MAX; f++) {
		row->field_days[f] = row->t.days;
		for (i = 0; i < row->nlacks; i++)
			if ((row->lacks[i].lacks & MF_BIT(f)) != 0)
				row->field_days[f]--;
		if (row->field_days[f] < 0)
			row->field_days[f] = 0;
	}
	report_custom_merge(r, row);
}

size_t
report_kpis_rows(const struct report_kpis *r)
{
	return r->nrows;
}

/* The measure a table column or a custom KPI names; -1 if it has none. */
static int
report_ref(const char *name, struct measure_ref *ref)
{
	char	*cause = NULL;

	if (measure_lookup(name, ref, &cause) != 0) {
		free(cause);
		return -1;
	}
	return 0;
}

static int
report_custom_ref(const char *form, const char *name, struct measure_ref *ref)
{
	char	 buf[METRIC_CUSTOM_NAME_MAX + 16];

	snprintf(buf, sizeof buf, "%s:%s", form, name);
	return report_ref(buf, ref);
}

/* One figure of a row: computed, and formatted the one way it is shown. */
static void
report_value(const struct report_kpis *r, const struct report_row *row,
    const struct measure_ref *ref, struct measure_value *v, char *text,
    size_t len)
{
	struct measure_input in;

	memset(&in, 0, sizeof in);
	in.t = &row->t;
	in.custom = row->custom;
	in.ncustom = row->ncustom;
	in.field_days = row->field_days;
	measure_compute(ref, &in, v);
	measure_format(ref, v, r->currency, r->language, text, len);
}

/* Whether a row's coverage counts campaign-days (a channel, the total). */
static int
report_campaign_days(const struct report_kpis *r, const struct report_row *row)
{
	return row->subject == NULL || r->by != REPORT_BY_CAMPAIGN;
}

/* "1 of 2 days; 2026-12-02 lacks cost", the gaps of the fields read. */
static char *
report_coverage(const struct report_kpis *r, const struct report_row *row,
    const struct measure_ref *ref, const struct measure_value *v, char *buf,
    size_t len)
{
	struct kpi_value kv;
	struct kpi_gaps	 g;
	unsigned	 mask = measure_fields(ref);
	size_t		 i;

	memset(&kv, 0, sizeof kv);
	kv.days = v->days;
	kv.days_total = v->days_total;
	memset(&g, 0, sizeof g);
	for (i = 0; i < row->nlacks; i++) {
		if ((row->lacks[i].lacks & mask) == 0)
			continue;
		if (g.n < KPI_GAPS_MAX) {
			g.gap[g.n] = row->lacks[i];
			g.gap[g.n].lacks &= mask;
			g.n++;
		}
		g.total++;
	}
	return kpi_format_coverage(&kv, &g, report_campaign_days(r, row), "en",
	    buf, len);
}

/* The subject as a terminal may show it. */
static char *
report_subject(const struct report_row *row, char *buf, size_t len)
{
	if (row->subject == NULL)
		snprintf(buf, len, "total");
	else
		log_escape(row->subject, strlen(row->subject), buf, len);
	return buf;
}

/* "last 7 days: 2026-11-25 to 2026-12-01 (Europe/Paris)" */
static void
report_header(const struct report_kpis *r, struct report_buf *b)
{
	struct window_range data;
	char	 words[64], range[WINDOW_RANGE_TEXT_MAX];

	report_window_words(&r->window, words, sizeof words);
	window_format_range(&r->range, "en", range, sizeof range);
	report_printf(b, "%s: %s", words, range);
	if (r->range.from == INT32_MIN && r->range.to == INT32_MAX &&
	    r->total.t.samples > 0) {
		data.from = r->total.t.first_day;
		data.to = r->total.t.last_day;
		window_format_range(&data, "en", range, sizeof range);
		report_printf(b, ", data %s", range);
	}
	report_printf(b, " (%s), by %s\n", r->timezone, report_by_name(r->by));
}

/*
 * The table proper: cells[row][col] of (rows + header + total) x (subject,
 * columns, custom sums), then each column as wide as its widest cell.
 */
static void
report_grid(const struct report_kpis *r, struct report_buf *b)
{
	struct measure_ref	 ref;
	struct measure_value	 v;
	const struct report_row	*row;
	size_t	 ncols = 1 + REPORT_NCOLS + r->ncustom, nlines = r->nrows + 2;
	size_t	 i, j, *width;
	char	**cell, text[REPORT_NAME_MAX];

	cell = xcalloc(nlines * ncols, sizeof *cell);
	width = xcalloc(ncols, sizeof *width);
	cell[0] = xstrdup(report_by_name(r->by));
	for (j = 0; j < REPORT_NCOLS; j++)
		cell[1 + j] = xstrdup(report_cols[j].title);
	for (j = 0; j < r->ncustom; j++)
		cell[1 + REPORT_NCOLS + j] = xstrdup(r->custom[j]);
	for (i = 1; i < nlines; i++) {
		row = i <= r->nrows ? &r->rows[i - 1] : &r->total;
		cell[i * ncols] = xstrdup(report_subject(row, text,
		    sizeof text));
		for (j = 0; j < REPORT_NCOLS; j++) {
			if (report_ref(report_cols[j].measure, &ref) != 0)
				fatalx("%s: no measure %s", __func__,
				    report_cols[j].measure);
			report_value(r, row, &ref, &v, text, sizeof text);
			cell[i * ncols + 1 + j] = xstrdup(text);
		}
		for (j = 0; j < r->ncustom; j++) {
			if (report_custom_ref("custom", r->custom[j],
			    &ref) != 0)
				snprintf(text, sizeof text, "?");
			else
				report_value(r, row, &ref, &v, text,
				    sizeof text);
			cell[i * ncols + 1 + REPORT_NCOLS + j] = xstrdup(text);
		}
	}
	for (i = 0; i < nlines * ncols; i++)
		if (utf8_width(cell[i]) > width[i % ncols])
			width[i % ncols] = utf8_width(cell[i]);
	for (i = 0; i < nlines; i++) {
		for (j = 0; j < ncols; j++) {
			if (j > 0)
				report_printf(b, "%*s", REPORT_GAP, "");
			/* The subject left, the figures right. */
			report_pad(b, cell[i * ncols + j], width[j], j > 0);
		}
		report_printf(b, "\n");
	}
	for (i = 0; i < nlines * ncols; i++)
		free(cell[i]);
	free(cell);
	free(width);
}

/* Whether some column of a row covers fewer days than the row has. */
static int
report_incomplete(const struct report_kpis *r, const struct report_row *row)
{
	struct measure_ref	 ref;
	struct measure_value	 v;
	char	 text[REPORT_TEXT_MAX];
	size_t	 j;

	for (j = 0; j < REPORT_NCOLS; j++) {
		if (report_ref(report_cols[j].measure, &ref) != 0)
			continue;
		report_value(r, row, &ref, &v, text, sizeof text);
		if (v.days < v.days_total)
			return 1;
	}
	return 0;
}

/*
 * A row whose KPIs lack days: each such KPI with its value and coverage,
 * then the plain sums reported ("missing" for a field no sample reports).
 */
static void
report_coverage_block(const struct report_kpis *r,
    const struct report_row *row, struct report_buf *b)
{
	struct measure_ref	 ref;
	struct measure_value	 v;
	char	 text[REPORT_TEXT_MAX], cov[REPORT_COV_MAX];
	char	 name[REPORT_NAME_MAX];
	size_t	 j, w = 0;

	report_printf(b, "%s%s\n", report_subject(row, name, sizeof name),
	    report_campaign_days(r, row) ? " (campaign-days)" : "");
	for (j = 0; j < REPORT_NCOLS; j++) {
		report_ref(report_cols[j].measure, &ref);
		report_value(r, row, &ref, &v, text, sizeof text);
		if (v.days < v.days_total && utf8_width(text) > w)
			w = utf8_width(text);
	}
	for (j = 0; j < REPORT_NCOLS; j++) {
		report_ref(report_cols[j].measure, &ref);
		report_value(r, row, &ref, &v, text, sizeof text);
		if (v.days >= v.days_total)
			continue;
		report_printf(b, "  %-8s ", report_cols[j].title);
		report_pad(b, text, w, 1);
		report_printf(b, " over %s\n", report_coverage(r, row, &ref,
		    &v, cov, sizeof cov));
	}
	report_printf(b, "  reported");
	for (j = 0; j < REPORT_NSUMS; j++) {
		report_ref(report_sums_shown[j].measure, &ref);
		report_value(r, row, &ref, &v, text, sizeof text);
		report_printf(b, " %s %s", report_sums_shown[j].word, text);
	}
	report_printf(b, "\n");
}

/* "reach 20,500 (10,250/day over 2 days)" for each custom KPI of a row. */
static void
report_custom_line(const struct report_kpis *r, const struct report_row *row,
    struct report_buf *b)
{
	struct measure_ref	 ref;
	struct measure_value	 v;
	char	 sum[REPORT_TEXT_MAX], avg[REPORT_TEXT_MAX];
	char	 name[REPORT_NAME_MAX];
	size_t	 i;

	if (row->ncustom == 0)
		return;
	report_printf(b, "  %s:", report_subject(row, name, sizeof name));
	for (i = 0; i < r->ncustom; i++) {
		if (report_custom_ref("custom", r->custom[i], &ref) != 0)
			continue;
		report_value(r, row, &ref, &v, sum, sizeof sum);
		if (!v.defined)
			continue;	/* not reported by this row */
		if (report_custom_ref("custom_avg", r->custom[i], &ref) != 0)
			continue;
		report_value(r, row, &ref, &v, avg, sizeof avg);
		report_printf(b, " %s %s (%s/day over %lld day%s)",
		    r->custom[i], sum, avg, (long long)v.days,
		    v.days == 1 ? "" : "s");
	}
	report_printf(b, "\n");
}

char *
report_kpis_table(const struct report_kpis *r)
{
	struct report_buf	 b;
	int64_t	 samples = 0;
	size_t	 i;
	int	 incomplete = 0;

	memset(&b, 0, sizeof b);
	report_header(r, &b);
	report_grid(r, &b);
	if (r->nrows == 0 && r->by != REPORT_BY_CLIENT)
		report_printf(&b, "no %s has data in this window\n",
		    report_by_name(r->by));
	for (i = 0; i < r->nrows; i++)
		samples += r->rows[i].t.samples;
	if (r->by == REPORT_BY_CHANNEL && samples < r->total.t.samples)
		report_printf(&b, "samples that name no channel count in the "
		    "total only\n");

	for (i = 0; i <= r->nrows && !incomplete; i++)
		incomplete = report_incomplete(r, i == 0 ? &r->total :
		    &r->rows[i - 1]);
	if (incomplete) {
		report_printf(&b, "\ncoverage: each KPI is computed over the "
		    "samples that report its fields;\n\"over\" counts the days "
		    "whose samples all do, out of the days with data.\n");
		/* The total first: the summary, then where it comes from. */
		for (i = 0; i <= r->nrows; i++) {
			if (report_incomplete(r, i == 0 ? &r->total :
			    &r->rows[i - 1]))
				report_coverage_block(r, i == 0 ? &r->total :
				    &r->rows[i - 1], &b);
		}
	}
	if (r->ncustom > 0) {
		report_printf(&b, "\ncustom KPIs: sum (daily average over the "
		    "days with a value)\n");
		report_custom_line(r, &r->total, &b);
		for (i = 0; i < r->nrows; i++)
			report_custom_line(r, &r->rows[i], &b);
	}
	if (b.s == NULL)
		return xstrdup("");
	return b.s;
}

/* An exact JSON integer, whatever its size (cJSON numbers are doubles). */
static cJSON *
report_json_int(int64_t v)
{
	char	 buf[24];
	cJSON	*item;

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	if ((item = cJSON_CreateRaw(buf)) == NULL)
		fatalx("%s: out of memory", __func__);
	return item;
}

static void
report_json_add_int(cJSON *o, const char *name, int64_t v)
{
	cJSON_AddItemToObject(o, name, report_json_int(v));
}

static void
report_json_date(cJSON *o, const char *name, int32_t day, int open)
{
	char	 buf[16];

	if (open) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	metric_format_date(day, buf);
	cJSON_AddStringToObject(o, name, buf);
}

static const char *
report_unit_kind(enum measure_unit u)
{
	switch (u) {
	case MEASURE_PERCENT:
		return "percent";
	case MEASURE_RATIO:
		return "ratio";
	case MEASURE_MONEY:
		return "money";
	default:
		return "count";
	}
}

static const char *
report_why(enum measure_why why)
{
	switch (why) {
	case MEASURE_MISSING:
		return "missing";
	case MEASURE_UNDEFINED:
		return "undefined";
	case MEASURE_NO_INPUT:
		return "no_input";
	default:
		return "ok";
	}
}

/* One figure: exact value, the table's text, coverage. */
static cJSON *
report_json_value(const struct report_kpis *r, const struct report_row *row,
    const struct measure_ref *ref, int coverage)
{
	struct measure_value	 v;
	enum measure_unit	 u = measure_unit(ref);
	char	 text[REPORT_TEXT_MAX], cov[REPORT_COV_MAX];
	cJSON	*o;

	report_value(r, row, ref, &v, text, sizeof text);
	o = cJSON_CreateObject();
	if (v.defined)
		report_json_add_int(o, "value", v.floor);
	else
		cJSON_AddNullToObject(o, "value");
	cJSON_AddStringToObject(o, "unit", u == MEASURE_PERCENT ||
	    u == MEASURE_RATIO ? "ppm" : "micros");
	cJSON_AddStringToObject(o, "kind", report_unit_kind(u));
	cJSON_AddBoolToObject(o, "inexact", v.defined && v.inexact);
	if (!v.defined)
		cJSON_AddStringToObject(o, "why", report_why(v.why));
	cJSON_AddStringToObject(o, "text", text);
	report_json_add_int(o, "days", v.days);
	report_json_add_int(o, "days_total", v.days_total);
	if (coverage)
		cJSON_AddStringToObject(o, "coverage", report_coverage(r, row,
		    ref, &v, cov, sizeof cov));
	return o;
}

static cJSON *
report_json_row(const struct report_kpis *r, const struct report_row *row)
{
	struct measure_ref	 ref;
	cJSON	*o, *k, *c, *one;
	char	 name[64];
	size_t	 i;

	o = cJSON_CreateObject();
	if (row->subject != NULL)
		cJSON_AddStringToObject(o, "subject", row->subject);
	else
		cJSON_AddNullToObject(o, "subject");
	report_json_add_int(o, "samples", row->t.samples);
	report_json_add_int(o, "days", row->t.days);
	cJSON_AddBoolToObject(o, "campaign_days",
	    report_campaign_days(r, row));
	report_json_date(o, "first_day", row->t.first_day, row->t.samples <= 0);
	report_json_date(o, "last_day", row->t.last_day, row->t.samples <= 0);
	k = cJSON_AddObjectToObject(o, "kpis");
	for (i = 0; measure_nth(i, &ref) == 0; i++) {
		if (measure_needs_budget(&ref))
			continue;	/* a budget is a rule's, not a report's */
		measure_name(&ref, name, sizeof name);
		cJSON_AddItemToObject(k, name, report_json_value(r, row, &ref,
		    1));
	}
	c = cJSON_AddObjectToObject(o, "custom");
	for (i = 0; i < row->ncustom; i++) {
		one = cJSON_AddObjectToObject(c, row->custom[i].name);
		if (report_custom_ref("custom", row->custom[i].name,
		    &ref) == 0)
			cJSON_AddItemToObject(one, "sum", report_json_value(r,
			    row, &ref, 0));
		if (report_custom_ref("custom_avg", row->custom[i].name,
		    &ref) == 0)
			cJSON_AddItemToObject(one, "daily_average",
			    report_json_value(r, row, &ref, 0));
	}
	return o;
}

cJSON *
report_kpis_json(const struct report_kpis *r)
{
	char	 buf[WINDOW_RANGE_TEXT_MAX];
	cJSON	*o, *rows;
	size_t	 i;
	int	 open = r->range.from == INT32_MIN && r->range.to == INT32_MAX;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "client", r->client);
	cJSON_AddStringToObject(o, "currency", r->currency);
	cJSON_AddStringToObject(o, "language", r->language);
	cJSON_AddStringToObject(o, "timezone", r->timezone);
	cJSON_AddStringToObject(o, "window", window_name(&r->window, buf,
	    sizeof buf));
	cJSON_AddStringToObject(o, "window_text", report_window_words(
	    &r->window, buf, sizeof buf));
	report_json_date(o, "from", r->range.from, open);
	report_json_date(o, "to", r->range.to, open);
	cJSON_AddStringToObject(o, "range", window_format_range(&r->range,
	    "en", buf, sizeof buf));
	cJSON_AddStringToObject(o, "by", report_by_name(r->by));
	rows = cJSON_AddArrayToObject(o, "rows");
	for (i = 0; i < r->nrows; i++)
		cJSON_AddItemToArray(rows, report_json_row(r, &r->rows[i]));
	cJSON_AddItemToObject(o, "total", report_json_row(r, &r->total));
	return o;
}
