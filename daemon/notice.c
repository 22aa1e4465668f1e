/*
 * Notices: the outbox payload for one client and one receiver, and its
 * renderings (subject, plain text, RFC 5322 e-mail, webhook JSON) in English or
 * French. Pure: no clock, no I/O; `created` and `now` are passed in.
 *
 * Campaign, channel and client names come from untrusted input. They are kept
 * verbatim in the JSON payload, but every control character is replaced by a
 * space before they reach text, and header values never carry CR or LF.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "money.h"
#include "notice.h"
#include "notice-internal.h"
#include "utf8.h"
#include "rules.h"
#include "xmalloc.h"

__extension__ typedef unsigned __int128 notice_u128;

/* Integers carried in JSON numbers must survive a double: |x| <= 2^53. */
#define NOTICE_JSON_INT_MAX	9007199254740992.0

/* Column at which values start in the plain-text body. */
#define NOTICE_LABEL_WIDTH	20


void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->p = xreallocarray(b->p, 1, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void __attribute__((format(printf, 2, 3)))
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("%s: out of memory", __func__);
	sbuf_add(b, s, (size_t)n);
	free(s);
}

/* The finished string (never NULL); the sbuf is consumed. */
char *
sbuf_take(struct sbuf *b)
{
	if (b->p == NULL)
		return (xstrdup(""));
	return (b->p);
}

int
notice_is_fr(const struct notice *n)
{
	return (n->language != NULL && strncmp(n->language, "fr", 2) == 0);
}

/* Copy of untrusted text fit for a line: control characters become spaces. */
char *
notice_clean(const char *s)
{
	char	*out, *p;

	out = xstrdup(s == NULL ? "" : s);
	for (p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = ' ';
	}
	return (out);
}

const char *
notice_undefined(int fr)
{
	return (fr ? "non défini" : "undefined");
}

/*
 * A ratio with two decimals, rounded half away from zero, with the language's
 * decimal separator. Written by hand so that the process locale never matters.
 */
static char *
notice_fmt_2dp(double v, int fr, char *buf, size_t len)
{
	long long	c;

	if (!isfinite(v) || fabs(v) > 1e15) {
		snprintf(buf, len, "%s", notice_undefined(fr));
		return (buf);
	}
	c = llround(v * 100.0);
	snprintf(buf, len, "%s%lld%c%02lld", c < 0 ? "-" : "", llabs(c) / 100,
	    fr ? ',' : '.', llabs(c) % 100);
	return (buf);
}

/* English "237.86%" into French "237,86 %" (U+202F before the sign). */
static char *
notice_frenchify(const char *in, char *buf, size_t len)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*p;

	for (p = in; *p != '\0'; p++) {
		if (*p == '.')
			sbuf_add(&b, ",", 1);
		else if (*p == '%')
			sbuf_puts(&b, "\xe2\x80\xaf%");
		else
			sbuf_add(&b, p, 1);
	}
	snprintf(buf, len, "%s", b.p == NULL ? "" : b.p);
	free(b.p);
	return (buf);
}

/* Text in the notice's language: French digits and spacing, or as is. */
char *
notice_localise(const char *text, int fr, char *buf, size_t len)
{
	if (fr)
		return (notice_frenchify(text, buf, len));
	snprintf(buf, len, "%s", text);
	return (buf);
}

static char *
notice_fmt_percent(const struct kpi_value *v, int fr, char *buf, size_t len)
{
	char	tmp[64];

	if (!v->defined)
		return (notice_localise(notice_undefined(fr), 0, buf, len));
	kpi_format_percent(v, tmp, sizeof tmp);
	return (notice_localise(tmp, fr, buf, len));
}

static char *
notice_fmt_threshold(int64_t ppm, int fr, char *buf, size_t len)
{
	char	tmp[64];

	kpi_format_roi_threshold(ppm, tmp, sizeof tmp);
	return (notice_localise(tmp, fr, buf, len));
}

static char *
notice_fmt_roas(const struct kpi_value *v, int fr, char *buf, size_t len)
{
	char	tmp[64];

	if (v->missing)
		return (notice_localise(fr ? "manquant" : "missing", 0, buf,
		    len));
	if (!v->defined)
		return (notice_localise(notice_undefined(fr), 0, buf, len));
	snprintf(buf, len, "%s:1", notice_fmt_2dp(v->value, fr, tmp, sizeof tmp));
	return (buf);
}

/* What happened to one event, as a short phrase. */
static const char *
notice_event_title(const struct notice_event *e, int fr)
{
	if (e->kind == ALERT_ROI_LOW) {
		switch (e->action) {
		case RULE_FIRE:
			return (fr ? "ROI sous le minimum convenu" :
			    "ROI under the agreed minimum");
		case RULE_REPEAT:
			return (fr ? "ROI toujours sous le minimum convenu" :
			    "ROI still under the agreed minimum");
		case RULE_RESOLVE:
			return (fr ? "ROI revenu au-dessus du minimum convenu" :
			    "ROI back above the agreed minimum");
		default:
			break;
		}
	} else if (e->kind == ALERT_ROI_TARGET &&
	    (e->action == RULE_GOOD || e->action == RULE_FIRE ||
	    e->action == RULE_REPEAT))
		return (fr ? "Objectif de ROI atteint" : "ROI target reached");
	return (fr ? "Point sur le ROI" : "ROI update");
}

struct notice *
notice_new(const char *client_id, const char *client_name, const char *currency,
    const char *language, const char *timezone, int64_t created)
{
	struct notice	*n;

	n = xcalloc(1, sizeof *n);
	n->client_id = xstrdup(client_id);
	n->client_name = xstrdup(client_name != NULL ? client_name : client_id);
	n->currency = xstrdup(currency != NULL ? currency : "EUR");
	n->language = xstrdup(language != NULL ? language : "en");
	n->timezone = xstrdup(timezone != NULL ? timezone : "UTC");
	n->created = created;
	return (n);
}

void
notice_add_event(struct notice *n, const struct notice_event *e)
{
	n->events = xreallocarray(n->events, n->nevents + 1, sizeof *n->events);
	n->events[n->nevents] = *e;
	/* Names are fixed arrays: make sure they are terminated. */
	n->events[n->nevents].campaign[METRIC_CAMPAIGN_MAX - 1] = '\0';
	n->events[n->nevents].channel[METRIC_CHANNEL_MAX - 1] = '\0';
	n->nevents++;
}

void
notice_free(struct notice *n)
{
	if (n == NULL)
		return;
	free(n->client_id);
	free(n->client_name);
	free(n->currency);
	free(n->language);
	free(n->timezone);
	free(n->events);
	free(n->unreadable_why);
	free(n);
}

/* ---- JSON payload ---- */

/*
 * An integer as a JSON number when a double holds it exactly (|v| <= 2^53),
 * else as a string of its decimal digits: totals of a campaign can pass 2^53
 * micros, and a message must carry them exactly, never fail on them.
 * Readers (json_get_int, receivers) accept both.
 */
cJSON *
json_int_item(notice_i128 v)
{
	char	 buf[48], *p = buf + sizeof buf;
	int	 neg = v < 0;
	notice_u128 u;

	if (v >= -(notice_i128)NOTICE_JSON_INT_MAX &&
	    v <= (notice_i128)NOTICE_JSON_INT_MAX)
		return cJSON_CreateNumber((double)(int64_t)v);
	u = neg ? -(notice_u128)v : (notice_u128)v;
	*--p = '\0';
	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u != 0);
	if (neg)
		*--p = '-';
	return cJSON_CreateString(p);
}

void
json_int(cJSON *o, const char *name, int64_t v)
{
	cJSON_AddItemToObject(o, name, json_int_item(v));
}

/* A JSON number that is an exact integer, or a string of one (json_int_item)
 * within [lo, hi]: 0, else -1. */
int
json_int_in(const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
	const char	*s;
	double		 d;
	int64_t		 x = 0;
	int		 neg;

	if (cJSON_IsString(v)) {
		s = v->valuestring;
		if ((neg = *s == '-'))
			s++;
		if (*s == '\0')
			return (-1);
		for (; *s != '\0'; s++) {
			if (*s < '0' || *s > '9' ||
			    __builtin_mul_overflow(x, 10, &x) ||
			    __builtin_add_overflow(x, neg ? -(*s - '0') :
			    *s - '0', &x))
				return (-1);
		}
		if (x < lo || x > hi)
			return (-1);
		*out = x;
		return (0);
	}
	if (!cJSON_IsNumber(v))
		return (-1);
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || fabs(d) > NOTICE_JSON_INT_MAX ||
	    d < (double)lo || d > (double)hi)
		return (-1);
	*out = (int64_t)d;
	return (0);
}

/*
 * What the KPIs were computed over: days, the sums per pair of fields
 * ([a, b, samples, days] in KPI_PAIRS order) and the gaps of (cost, revenue).
 */
static void
notice_coverage_to_json(cJSON *o, const struct notice_event *e)
{
	cJSON	*pairs, *p, *gaps, *g;
	size_t	 i;
	int	 k;

	json_int(o, "days", e->totals.days);
	pairs = cJSON_AddArrayToObject(o, "pairs");
	for (k = 0; k < KPI_PAIR__MAX; k++) {
		p = cJSON_CreateArray();
		cJSON_AddItemToArray(p, json_int_item(e->totals.pair[k].a));
		cJSON_AddItemToArray(p, json_int_item(e->totals.pair[k].b));
		cJSON_AddItemToArray(p, json_int_item(
		    e->totals.pair[k].samples));
		cJSON_AddItemToArray(p, json_int_item(e->totals.pair[k].days));
		cJSON_AddItemToArray(pairs, p);
	}
	gaps = cJSON_AddArrayToObject(o, "gaps");
	for (i = 0; i < e->gaps.n && i < KPI_GAPS_MAX; i++) {
		g = cJSON_CreateObject();
		json_int(g, "day", e->gaps.gap[i].day);
		json_int(g, "lacks", e->gaps.gap[i].lacks);
		cJSON_AddStringToObject(g, "campaign", e->gaps.gap[i].campaign);
		cJSON_AddItemToArray(gaps, g);
	}
	json_int(o, "gaps_total", e->gaps.total);
}

char *
notice_to_json(const struct notice *n)
{
	cJSON				*root, *events, *o;
	const struct notice_event	*e;
	char				*s;
	size_t				 i;

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "client_id", n->client_id);
	cJSON_AddStringToObject(root, "client_name", n->client_name);
	cJSON_AddStringToObject(root, "currency", n->currency);
	cJSON_AddStringToObject(root, "language", n->language);
	cJSON_AddStringToObject(root, "timezone", n->timezone);
	json_int(root, "created", n->created);
	if (n->test)
		cJSON_AddTrueToObject(root, "test");
	/* Kept across a merge or a fold (notice-merge.c), so a message
	 * still says what it no longer shows. */
	if (n->nsuperseded > 0)
		json_int(root, "superseded", (int64_t)n->nsuperseded);
	if (n->nunreadable > 0)
		json_int(root, "unreadable", (int64_t)n->nunreadable);
	events = cJSON_AddArrayToObject(root, "events");
	for (i = 0; i < n->nevents; i++) {
		e = &n->events[i];
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "campaign", e->campaign);
		cJSON_AddStringToObject(o, "channel", e->channel);
		cJSON_AddStringToObject(o, "kind", rules_kind_name(e->kind));
		cJSON_AddStringToObject(o, "action",
		    rules_action_name(e->action));
		json_int(o, "cost", e->totals.cost);
		json_int(o, "revenue", e->totals.revenue);
		json_int(o, "impressions", e->totals.impressions);
		json_int(o, "clicks", e->totals.clicks);
		json_int(o, "conversions", e->totals.conversions);
		json_int(o, "present", e->totals.present);
		json_int(o, "samples", e->totals.samples);
		json_int(o, "first_day", e->totals.first_day);
		json_int(o, "last_day", e->totals.last_day);
		notice_coverage_to_json(o, e);
		json_int(o, "window_days", e->window_days);
		json_int(o, "min_roi_ppm", e->min_roi_ppm);
		json_int(o, "target_roi_ppm", e->target_roi_ppm);
		cJSON_AddBoolToObject(o, "has_target", e->has_target != 0);
		json_int(o, "min_spend", e->min_spend);
		if (e->src_cost[0] != '\0' || e->src_revenue[0] != '\0') {
			json_int(o, "src_day", e->src_day);
			cJSON_AddStringToObject(o, "src_cost", e->src_cost);
			cJSON_AddStringToObject(o, "src_revenue",
			    e->src_revenue);
		}
		if (e->rule.name[0] != '\0')
			notice_rule_to_json(o, &e->rule);
		cJSON_AddItemToArray(events, o);
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (s == NULL)
		fatalx("%s: out of memory", __func__);
	return (s);
}

int
json_get_str(const cJSON *o, const char *name, const char **out, char **cause)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		xasprintf(cause, "\"%s\" missing or not a string", name);
		return (-1);
	}
	*out = v->valuestring;
	return (0);
}

int
json_get_int(const cJSON *o, const char *name, int64_t *out, char **cause)
{
	if (json_int_in(cJSON_GetObjectItemCaseSensitive(o, name), INT64_MIN,
	    INT64_MAX, out) != 0) {
		xasprintf(cause, "\"%s\" missing or not an exact integer", name);
		return (-1);
	}
	return (0);
}

int
json_get_name(const cJSON *o, const char *name, char *buf, size_t len,
    char **cause)
{
	const char	*s;

	if (json_get_str(o, name, &s, cause) != 0)
		return (-1);
	if (strlen(s) >= len) {
		xasprintf(cause, "\"%s\" too long", name);
		return (-1);
	}
	memcpy(buf, s, strlen(s) + 1);
	return (0);
}

static int
notice_action_lookup(const char *s)
{
	int	i;

	for (i = 0; i < RULE_ACTION_MAX; i++) {
		if (strcmp(rules_action_name((enum rule_action)i), s) == 0)
			return (i);
	}
	return (-1);
}

/* An exact integer in [lo, hi] from a JSON number. */
/* Origins of the latest day's figures; absent in older payloads. */
static int
notice_sources_from_json(const cJSON *o, struct notice_event *e, char **cause)
{
	const cJSON	*c, *r;
	int64_t		 day;

	if (cJSON_GetObjectItemCaseSensitive(o, "src_day") == NULL)
		return (0);
	c = cJSON_GetObjectItemCaseSensitive(o, "src_cost");
	r = cJSON_GetObjectItemCaseSensitive(o, "src_revenue");
	if (json_get_int(o, "src_day", &day, cause) != 0)
		return (-1);
	if (day < INT32_MIN || day > INT32_MAX || !cJSON_IsString(c) ||
	    !cJSON_IsString(r) || strlen(c->valuestring) >=
	    sizeof e->src_cost || strlen(r->valuestring) >=
	    sizeof e->src_revenue) {
		*cause = xstrdup("\"src_day\", \"src_cost\" or "
		    "\"src_revenue\" malformed");
		return (-1);
	}
	e->src_day = (int32_t)day;
	memcpy(e->src_cost, c->valuestring, strlen(c->valuestring) + 1);
	memcpy(e->src_revenue, r->valuestring, strlen(r->valuestring) + 1);
	return (0);
}

/*
 * Coverage of an event. A payload queued before coverage existed has no
 * "pairs": its sums were taken over every sample, so they are read as
 * complete (what that version judged).
 */
static int
notice_coverage_from_json(const cJSON *o, struct notice_event *e,
    char **cause)
{
	const cJSON	*pairs, *p, *gaps, *g, *c;
	int64_t		 v[4], day, lacks;
	int		 k, j;

	pairs = cJSON_GetObjectItemCaseSensitive(o, "pairs");
	if (pairs == NULL) {
		kpi_totals_assume_complete(&e->totals);
		return (0);
	}
	if (json_get_int(o, "days", &e->totals.days, cause) != 0 ||
	    json_get_int(o, "gaps_total", &e->gaps.total, cause) != 0)
		return (-1);
	if (!cJSON_IsArray(pairs) || cJSON_GetArraySize(pairs) != KPI_PAIR__MAX)
		goto bad;
	for (k = 0; k < KPI_PAIR__MAX; k++) {
		p = cJSON_GetArrayItem(pairs, k);
		if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 4)
			goto bad;
		for (j = 0; j < 4; j++)
			if (json_int_in(cJSON_GetArrayItem(p, j), INT64_MIN,
			    INT64_MAX, &v[j]) != 0)
				goto bad;
		e->totals.pair[k].a = v[0];
		e->totals.pair[k].b = v[1];
		e->totals.pair[k].samples = v[2];
		e->totals.pair[k].days = v[3];
	}
	gaps = cJSON_GetObjectItemCaseSensitive(o, "gaps");
	if (!cJSON_IsArray(gaps) || cJSON_GetArraySize(gaps) > KPI_GAPS_MAX)
		goto bad;
	cJSON_ArrayForEach(g, gaps) {
		c = cJSON_GetObjectItemCaseSensitive(g, "campaign");
		if (json_int_in(cJSON_GetObjectItemCaseSensitive(g, "day"),
		    INT32_MIN, INT32_MAX, &day) != 0 ||
		    json_int_in(cJSON_GetObjectItemCaseSensitive(g, "lacks"), 0,
		    MF_BIT(MF__MAX) - 1, &lacks) != 0 || !cJSON_IsString(c) ||
		    strlen(c->valuestring) >= METRIC_CAMPAIGN_MAX)
			goto bad;
		e->gaps.gap[e->gaps.n].day = (int32_t)day;
		e->gaps.gap[e->gaps.n].lacks = (unsigned)lacks;
		memcpy(e->gaps.gap[e->gaps.n].campaign, c->valuestring,
		    strlen(c->valuestring) + 1);
		e->gaps.n++;
	}
	return (0);
bad:
	*cause = xstrdup("\"pairs\" or \"gaps\" malformed");
	return (-1);
}

static int
notice_event_from_json(const cJSON *o, struct notice_event *e, char **cause)
{
	const char	*s;
	int64_t		 v, fd, ld;
	int		 k;

	memset(e, 0, sizeof *e);
	if (!cJSON_IsObject(o)) {
		*cause = xstrdup("event is not an object");
		return (-1);
	}
	if (json_get_name(o, "campaign", e->campaign, sizeof e->campaign,
	    cause) != 0 ||
	    json_get_name(o, "channel", e->channel, sizeof e->channel,
	    cause) != 0)
		return (-1);
	if (json_get_str(o, "kind", &s, cause) != 0)
		return (-1);
	if ((k = rules_kind_lookup(s)) < 0) {
		xasprintf(cause, "unknown kind");
		return (-1);
	}
	e->kind = (enum alert_kind)k;
	if (json_get_str(o, "action", &s, cause) != 0)
		return (-1);
	if ((k = notice_action_lookup(s)) < 0) {
		xasprintf(cause, "unknown action");
		return (-1);
	}
	e->action = (enum rule_action)k;
	if (json_get_int(o, "cost", &e->totals.cost, cause) != 0 ||
	    json_get_int(o, "revenue", &e->totals.revenue, cause) != 0 ||
	    json_get_int(o, "impressions", &e->totals.impressions,
	    cause) != 0 ||
	    json_get_int(o, "clicks", &e->totals.clicks, cause) != 0 ||
	    json_get_int(o, "conversions", &e->totals.conversions,
	    cause) != 0 ||
	    json_get_int(o, "samples", &e->totals.samples, cause) != 0 ||
	    json_get_int(o, "window_days", &e->window_days, cause) != 0 ||
	    json_get_int(o, "min_roi_ppm", &e->min_roi_ppm, cause) != 0 ||
	    json_get_int(o, "target_roi_ppm", &e->target_roi_ppm,
	    cause) != 0 ||
	    json_get_int(o, "min_spend", &e->min_spend, cause) != 0)
		return (-1);
	if (json_get_int(o, "present", &v, cause) != 0)
		return (-1);
	if (v < 0 || v >= (int64_t)MF_BIT(MF__MAX)) {
		*cause = xstrdup("\"present\" out of range");
		return (-1);
	}
	e->totals.present = (unsigned)v;
	if (json_get_int(o, "first_day", &fd, cause) != 0 ||
	    json_get_int(o, "last_day", &ld, cause) != 0)
		return (-1);
	if (fd < INT32_MIN || fd > INT32_MAX || ld < INT32_MIN ||
	    ld > INT32_MAX) {
		*cause = xstrdup("day out of range");
		return (-1);
	}
	e->totals.first_day = (int32_t)fd;
	e->totals.last_day = (int32_t)ld;
	e->has_target = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o,
	    "has_target"));
	if (notice_sources_from_json(o, e, cause) != 0 ||
	    notice_rule_from_json(o, &e->rule, cause) != 0)
		return (-1);
	if (e->kind == ALERT_RULE && e->rule.name[0] == '\0') {
		*cause = xstrdup("a rule's event without its rule");
		return (-1);
	}
	return (notice_coverage_from_json(o, e, cause));
}

struct notice *
notice_from_json(const char *json, char **cause)
{
	cJSON			*root;
	const cJSON		*events, *o;
	const char		*id, *name, *cur, *lang, *tz;
	struct notice		*n = NULL;
	struct notice_event	 e;
	char			*why = NULL;
	int64_t			 created, count;

	if (json == NULL || (root = cJSON_Parse(json)) == NULL) {
		*cause = xstrdup("notice: not valid JSON");
		return (NULL);
	}
	if (!cJSON_IsObject(root)) {
		why = xstrdup("not an object");
		goto fail;
	}
	if (json_get_str(root, "client_id", &id, &why) != 0 ||
	    json_get_str(root, "client_name", &name, &why) != 0 ||
	    json_get_str(root, "currency", &cur, &why) != 0 ||
	    json_get_str(root, "language", &lang, &why) != 0 ||
	    json_get_str(root, "timezone", &tz, &why) != 0 ||
	    json_get_int(root, "created", &created, &why) != 0)
		goto fail;
	events = cJSON_GetObjectItemCaseSensitive(root, "events");
	if (!cJSON_IsArray(events)) {
		why = xstrdup("\"events\" missing or not an array");
		goto fail;
	}
	n = notice_new(id, name, cur, lang, tz, created);
	n->test = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "test"));
	if (json_int_in(cJSON_GetObjectItemCaseSensitive(root, "superseded"),
	    0, INT32_MAX, &count) == 0)
		n->nsuperseded = (size_t)count;
	/* One event that cannot be read does not sink the others: the
	 * message says how many are missing, the deliverer logs why. */
	cJSON_ArrayForEach(o, events) {
		if (notice_event_from_json(o, &e, &why) != 0) {
			if (n->nunreadable++ == 0)
				n->unreadable_why = why;
			else
				free(why);
			why = NULL;
			continue;
		}
		notice_add_event(n, &e);
	}
	/* Unreadable in a payload merged or folded into this one. */
	if (json_int_in(cJSON_GetObjectItemCaseSensitive(root, "unreadable"),
	    0, INT32_MAX, &count) == 0 && count > 0) {
		n->nunreadable += (size_t)count;
		if (n->unreadable_why == NULL)
			n->unreadable_why = xstrdup("left out when notices "
			    "were merged (logged then)");
	}
	cJSON_Delete(root);
	return (n);

fail:
	xasprintf(cause, "notice: %s", why);
	free(why);
	notice_free(n);
	cJSON_Delete(root);
	return (NULL);
}

/* ---- Text ---- */

char *
notice_subject(const struct notice *n)
{
	struct sbuf	 b = { NULL, 0, 0 };
	size_t		 low = 0, still = 0, back = 0, good = 0, other = 0, i;
	size_t		 alert = 0, ralert = 0, resolved = 0, flap = 0;
	int		 fr = notice_is_fr(n), parts = 0;
	char		*name;

	for (i = 0; i < n->nevents; i++) {
		const struct notice_event *e = &n->events[i];

		if (e->action == RULE_FLAPPING)
			flap++;
		else if (e->kind == ALERT_RULE && e->action == RULE_FIRE)
			alert++;
		else if (e->kind == ALERT_RULE && e->action == RULE_REPEAT)
			ralert++;
		else if (e->kind == ALERT_RULE && e->action == RULE_RESOLVE)
			resolved++;
		else if (e->kind == ALERT_RULE && e->action == RULE_GOOD)
			good++;
		else if (e->kind == ALERT_ROI_LOW && e->action == RULE_FIRE)
			low++;
		else if (e->kind == ALERT_ROI_LOW && e->action == RULE_REPEAT)
			still++;
		else if (e->kind == ALERT_ROI_LOW && e->action == RULE_RESOLVE)
			back++;
		else if (e->kind == ALERT_ROI_TARGET)
			good++;
		else
			other++;
	}
	name = notice_clean(n->client_name);
	sbuf_printf(&b, "[roiwatch] %s%s:", n->test ? (fr ? "ESSAI " : "TEST ") :
	    "", name);
	free(name);

#define PART(count, en1, enN, fr1, frN) do {				\
	if ((count) > 0) {						\
		sbuf_printf(&b, "%s %zu %s", parts++ ? "," : "",	\
		    (size_t)(count), fr ? ((count) > 1 ? frN : fr1) :	\
		    ((count) > 1 ? enN : en1));				\
	}								\
} while (0)
	PART(low, "campaign under the agreed ROI",
	    "campaigns under the agreed ROI",
	    "campagne sous le ROI minimum convenu",
	    "campagnes sous le ROI minimum convenu");
	PART(still, "campaign still under the agreed ROI",
	    "campaigns still under the agreed ROI",
	    "campagne toujours sous le ROI minimum convenu",
	    "campagnes toujours sous le ROI minimum convenu");
	PART(back, "campaign back above the agreed ROI",
	    "campaigns back above the agreed ROI",
	    "campagne revenue au-dessus du ROI minimum convenu",
	    "campagnes revenues au-dessus du ROI minimum convenu");
	PART(alert, "alert", "alerts", "alerte", "alertes");
	PART(ralert, "alert still on", "alerts still on",
	    "alerte toujours active", "alertes toujours actives");
	PART(resolved, "alert resolved", "alerts resolved", "alerte résolue",
	    "alertes résolues");
	PART(good, "target reached", "targets reached",
	    "objectif atteint", "objectifs atteints");
	PART(flap, "alert flapping (held)", "alerts flapping (held)",
	    "alerte instable (suspendue)", "alertes instables (suspendues)");
	PART(other, "update", "updates", "information", "informations");
#undef PART
	if (parts == 0)
		sbuf_puts(&b, fr ? " aucun changement" : " no change");
	return (sbuf_take(&b));
}


/* "Label:" padded so that values line up. */
void
notice_line(struct sbuf *b, int fr, const char *label, const char *value)
{
	size_t	w;

	sbuf_printf(b, "   %s%s", label, fr ? "\xc2\xa0:" : ":");
	w = utf8_width(label) + (fr ? 2 : 1);
	do
		sbuf_add(b, " ", 1);
	while (++w < NOTICE_LABEL_WIDTH);
	sbuf_puts(b, value);
	sbuf_add(b, "\n", 1);
}

/* "Latest day (2026-12-02): cost from …, revenue from …": where the figures
 * of the window's last day came from, when known. */
static void
notice_sources_line(struct sbuf *b, int fr, const struct notice_event *e)
{
	char	 label[64], day[11], *cost, *rev, *val;

	if (e->src_cost[0] == '\0' && e->src_revenue[0] == '\0')
		return;
	metric_format_date(e->src_day, day);
	snprintf(label, sizeof label, fr ? "Dernier jour (%s)" :
	    "Latest day (%s)", day);
	cost = notice_clean(e->src_cost);
	rev = notice_clean(e->src_revenue);
	if (*cost != '\0' && strcmp(cost, rev) == 0)
		xasprintf(&val, fr ? "coût et revenus de %s" :
		    "cost and revenue from %s", cost);
	else if (*cost != '\0' && *rev != '\0')
		xasprintf(&val, fr ? "coût de %s, revenus de %s" :
		    "cost from %s, revenue from %s", cost, rev);
	else if (*cost != '\0')
		xasprintf(&val, fr ? "coût de %s" : "cost from %s", cost);
	else
		xasprintf(&val, fr ? "revenus de %s" : "revenue from %s", rev);
	notice_line(b, fr, label, val);
	free(val);
	free(cost);
	free(rev);
}

static void
notice_event_text(struct sbuf *b, const struct notice *n,
    const struct notice_event *e, size_t idx)
{
	const struct kpi_pair_sums *cr = &e->totals.pair[KPI_PAIR_COST_REVENUE];
	struct kpi_value	 v[KPI__MAX];
	char			 pct[64], per[64], val[128], a[64], c[64];
	char			 cov[1024];
	char			*campaign, *channel;
	int			 fr = notice_is_fr(n);

	if (e->kind == ALERT_RULE || (e->action == RULE_FLAPPING &&
	    e->rule.name[0] != '\0')) {
		notice_rule_head(b, n, e, idx);
		notice_rule_text(b, n, e, 1);
		sbuf_add(b, "\n", 1);
		return;
	}
	kpi_compute(&e->totals, v);
	campaign = notice_clean(e->campaign);
	channel = notice_clean(e->channel);
	if (fr)
		sbuf_printf(b, "%zu. Campagne « %s »", idx, campaign);
	else
		sbuf_printf(b, "%zu. Campaign \"%s\"", idx, campaign);
	if (*channel != '\0')
		sbuf_printf(b, " (%s)", channel);
	sbuf_printf(b, "%s %s\n", fr ? "\xc2\xa0:" : ":",
	    notice_event_title(e, fr));
	free(campaign);
	free(channel);

	notice_fmt_percent(&v[KPI_ROI], fr, pct, sizeof pct);
	if (v[KPI_ROI].defined) {
		notice_fmt_2dp(v[KPI_ROI].value, fr, per, sizeof per);
		snprintf(val, sizeof val, fr ? "%s (%s pour 1 dépensé)" :
		    "%s (%s per 1 spent)", pct, per);
	} else if (v[KPI_ROI].missing)
		snprintf(val, sizeof val, "%s", fr ? "manquant (aucun jour avec "
		    "coût et revenus)" : "missing (no day with cost and revenue)");
	else
		snprintf(val, sizeof val, "%s", fr ?
		    "non défini (aucun coût)" : "undefined (no cost)");
	notice_line(b, fr, "ROI", val);
	/* ROI, ROAS, cost, revenue and profit: over the same samples. */
	notice_line(b, fr, fr ? "Jugé sur" : "Judged over",
	    kpi_format_coverage(&v[KPI_ROI], &e->gaps, 0, n->language, cov,
	    sizeof cov));
	notice_sources_line(b, fr, e);
	notice_line(b, fr, "ROAS", notice_fmt_roas(&v[KPI_ROAS], fr, val,
	    sizeof val));
	if (cr->samples > 0)
		money_format_currency(cr->a, n->currency, n->language, val,
		    sizeof val);
	else
		snprintf(val, sizeof val, "%s", fr ? "manquant" : "missing");
	notice_line(b, fr, fr ? "Coût" : "Cost", val);
	if (cr->samples > 0)
		money_format_currency(cr->b, n->currency, n->language, val,
		    sizeof val);
	notice_line(b, fr, fr ? "Revenus" : "Revenue", val);
	notice_line(b, fr, fr ? "Bénéfice" : "Profit", kpi_format_value(
	    kpi_def(KPI_PROFIT), &v[KPI_PROFIT], n->currency, n->language, val,
	    sizeof val));
	notice_line(b, fr, fr ? "Minimum convenu" : "Agreed minimum",
	    notice_fmt_threshold(e->min_roi_ppm, fr, val, sizeof val));
	if (e->has_target)
		notice_line(b, fr, fr ? "Objectif" : "Target",
		    notice_fmt_threshold(e->target_roi_ppm, fr, val,
		    sizeof val));

	if (e->window_days > 0)
		snprintf(val, sizeof val, fr ? "%lld derniers jours" :
		    "last %lld days", (long long)e->window_days);
	else
		snprintf(val, sizeof val, "%s", fr ? "depuis le début" :
		    "lifetime");
	if (e->totals.samples > 0) {
		metric_format_date(e->totals.first_day, a);
		metric_format_date(e->totals.last_day, c);
		snprintf(val + strlen(val), sizeof val - strlen(val),
		    fr ? " (du %s au %s)" : " (%s to %s)", a, c);
	}
	notice_line(b, fr, fr ? "Période" : "Window", val);
	if (e->rule.name[0] != '\0')
		notice_rule_text(b, n, e, 0);
	sbuf_add(b, "\n", 1);
}

char *
notice_body_text(const struct notice *n)
{
	struct sbuf	 b = { NULL, 0, 0 };
	char		*name;
	size_t		 i;
	int		 fr = notice_is_fr(n);

	name = notice_clean(n->client_name);
	if (fr)
		sbuf_printf(&b, "Bonjour,\n\nroiwatch a évalué les campagnes de "
		    "%s.\n\n", name);
	else
		sbuf_printf(&b, "Hello,\n\nroiwatch has evaluated the "
		    "campaigns of %s.\n\n", name);
	free(name);
	if (n->test)
		sbuf_puts(&b, fr ? "Ceci est un message d'essai envoyé par "
		    "« roiwatch test-notify » : la campagne ci-dessous est un "
		    "exemple.\n\n" : "This is a test message sent by "
		    "\"roiwatch test-notify\": the campaign below is an "
		    "example.\n\n");
	if (n->nsuperseded > 0 && fr)
		sbuf_printf(&b, "Message de rattrapage : %zu événement(s) "
		    "antérieur(s) remplacé(s) par le plus récent de chaque "
		    "campagne et règle.\n\n", n->nsuperseded);
	else if (n->nsuperseded > 0)
		sbuf_printf(&b, "Catch-up summary: %zu earlier event(s) "
		    "superseded by the latest of each campaign and rule.\n\n",
		    n->nsuperseded);
	for (i = 0; i < n->nevents; i++)
		notice_event_text(&b, n, &n->events[i], i + 1);
	if (n->nunreadable > 0 && fr)
		sbuf_printf(&b, "%zu autre(s) événement(s) n'ont pas pu être "
		    "lus ; le journal du démon dit pourquoi.\n\n",
		    n->nunreadable);
	else if (n->nunreadable > 0)
		sbuf_printf(&b, "%zu more event(s) could not be read; the "
		    "daemon's log says why.\n\n", n->nunreadable);
	if (fr)
		sbuf_puts(&b, "Le ROI est (revenus - coût) / coût ; un seuil "
		    "écrit « R:1 » (ex. « 2,5:1 ») signifie R de revenus pour 1 "
		    "dépensé.\n");
	else
		sbuf_puts(&b, "ROI is (revenue - cost) / cost; a threshold "
		    "written \"R:1\" (e.g. \"2.5:1\") means R of revenue per 1 "
		    "spent.\n");
	sbuf_puts(&b, "\n-- \nroiwatch\n");
	return (sbuf_take(&b));
}

/* ---- E-mail ---- */

static void
base64_add(struct sbuf *b, const unsigned char *p, size_t len)
{
	static const char	tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			out[4];
	uint32_t		v;
	size_t			i;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[0] = tab[(v >> 18) & 63];
		out[1] = tab[(v >> 12) & 63];
		out[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[3] = i + 2 < len ? tab[v & 63] : '=';
		sbuf_add(b, out, 4);
	}
}

/*
 * Subject header value: plain when printable ASCII and short, otherwise RFC 2047
 * encoded words of at most 39 bytes of text each (never splitting a UTF-8
 * sequence), folded one per line so no line exceeds 78 characters.
 */
static void
notice_add_subject(struct sbuf *b, const char *subject)
{
	const unsigned char	*s = (const unsigned char *)subject;
	size_t			 len = strlen(subject), i, n;
	int			 plain = len <= 78 - strlen("Subject: ");

	for (i = 0; i < len && plain; i++) {
		if (s[i] < 0x20 || s[i] >= 0x7f)
			plain = 0;
	}
	if (plain) {
		sbuf_printf(b, "Subject: %s\r\n", subject);
		return;
	}
	sbuf_puts(b, "Subject:");
	for (i = 0; i < len; i += n) {
		n = len - i > 39 ? 39 : len - i;
		while (i + n < len && n > 1 && (s[i + n] & 0xc0) == 0x80)
			n--;
		sbuf_puts(b, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		base64_add(b, s + i, n);
		sbuf_puts(b, "?=");
	}
	sbuf_puts(b, "\r\n");
}

/* A header value from configuration: one line, no control characters. */
static void
notice_add_header(struct sbuf *b, const char *name, const char *value)
{
	char	*clean = notice_clean(value);

	sbuf_printf(b, "%s: %s\r\n", name, clean);
	free(clean);
}

/*
 * Quoted-printable (RFC 2045 6.7) of UTF-8 text with '\n' line ends, output with
 * CRLF. Encoded lines are at most 76 characters, soft breaks included;
 * whitespace before a line end and a leading '.' (SMTP) are encoded.
 */
static void
notice_add_qp(struct sbuf *b, const char *text)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)text;
	char			 tok[3];
	size_t			 col = 0, tlen;
	int			 eol;

	for (; *p != '\0'; p++) {
		if (*p == '\n') {
			sbuf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if (*p == '\r')
			continue;
		eol = p[1] == '\0' || p[1] == '\n' ||
		    (p[1] == '\r' && p[2] == '\n');
		if ((*p >= 33 && *p <= 126 && *p != '=' &&
		    !(*p == '.' && col == 0)) ||
		    ((*p == ' ' || *p == '\t') && !eol)) {
			tok[0] = (char)*p;
			tlen = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[*p >> 4];
			tok[2] = hex[*p & 15];
			tlen = 3;
		}
		if (col + tlen > 75) {
			sbuf_puts(b, "=\r\n");
			col = 0;
			if (tlen == 1 && tok[0] == '.') {
				tok[0] = '=';
				tok[1] = '2';
				tok[2] = 'E';
				tlen = 3;
			}
		}
		sbuf_add(b, tok, tlen);
		col += tlen;
	}
	if (col > 0)
		sbuf_puts(b, "\r\n");
}

/* Domain for the Message-ID: the part of `from` after its last '@'. */
static char *
notice_from_domain(const char *from)
{
	const char	*at, *p;
	size_t		 n = 0;

	if (from == NULL || (at = strrchr(from, '@')) == NULL)
		return (xstrdup("roiwatch.invalid"));
	for (p = at + 1; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
			n++;
		else
			break;
	}
	if (n == 0)
		return (xstrdup("roiwatch.invalid"));
	return (xstrndup(at + 1, n));
}

char *
notice_render_email(const struct notice *n, const char *from, char *const *to,
    size_t nto, const char *idem_key, int64_t now)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct sbuf		 b = { NULL, 0, 0 }, rcpt = { NULL, 0, 0 };
	struct tm		 tm;
	time_t			 t = (time_t)now;
	char			*subject, *body, *domain, *key, *p;
	size_t			 i;

	if (from == NULL || *from == '\0')
		from = "roiwatch@localhost";
	notice_add_header(&b, "From", from);
	for (i = 0; i < nto; i++) {
		if (i > 0)
			sbuf_puts(&rcpt, ",\r\n ");
		p = notice_clean(to[i]);
		sbuf_puts(&rcpt, p);
		free(p);
	}
	sbuf_printf(&b, "To: %s\r\n", nto > 0 ? rcpt.p :
	    "undisclosed-recipients:;");
	free(rcpt.p);
	subject = notice_subject(n);
	notice_add_subject(&b, subject);
	free(subject);

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	sbuf_printf(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

	/* id-left must be dot-atom text: keep only safe characters. */
	key = xstrdup(idem_key != NULL && *idem_key != '\0' ? idem_key :
	    "roiwatch");
	for (p = key; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_' || *p == '+'))
			*p = '-';
	}
	domain = notice_from_domain(from);
	sbuf_printf(&b, "Message-ID: <%s@%s>\r\n", key, domain);
	free(key);
	free(domain);
	sbuf_puts(&b, "MIME-Version: 1.0\r\n");
	sbuf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	sbuf_puts(&b, "Content-Transfer-Encoding: quoted-printable\r\n");
	notice_add_header(&b, "X-Roiwatch-Client", n->client_id);
	sbuf_puts(&b, "\r\n");

	body = notice_body_text(n);
	notice_add_qp(&b, body);
	free(body);
	return (sbuf_take(&b));
}

/* ---- Webhook ---- */

/* A ratio rounded to `scale` (100: two decimals) as a JSON number, or null. */
static cJSON *
json_rounded(const struct kpi_value *v, double mul)
{
	if (!v->defined || !isfinite(v->value))
		return (cJSON_CreateNull());
	return (cJSON_CreateNumber(round(v->value * mul * 100.0) / 100.0));
}

/* A ratio as the percentage kpi_format_percent() writes, or null: the
 * payload and the text never round the same value two ways. */
static cJSON *
json_percent(const struct kpi_value *v)
{
	char	 buf[64], *end;
	double	 d;

	if (!v->defined || !isfinite(v->value))
		return (cJSON_CreateNull());
	kpi_format_percent(v, buf, sizeof buf);
	d = strtod(buf, &end);
	if (*end != '%')
		return (cJSON_CreateNull());
	return (cJSON_CreateNumber(d));
}

/* "NAME_micros" and "NAME" (formatted) of an amount, or nulls. */
static void
notice_json_amount(cJSON *o, const char *name, int known, int64_t micros,
    const struct notice *n, char *buf, size_t len)
{
	char key[32];

	snprintf(key, sizeof key, "%s_micros", name);
	if (!known) {
		cJSON_AddNullToObject(o, key);
		cJSON_AddNullToObject(o, name);
		return;
	}
	json_int(o, key, micros);
	cJSON_AddStringToObject(o, name, money_format_currency(micros,
	    n->currency, n->language, buf, len));
}

char *
notice_render_webhook(const struct notice *n, const char *idem_key)
{
	cJSON				*root, *client, *events, *o, *src;
	const struct notice_event	*e;
	const struct kpi_pair_sums	*cr;
	struct kpi_value		 v[KPI__MAX];
	char				 buf[128], cov[1024], day[11], *s;
	size_t				 i;
	int				 fr = notice_is_fr(n);

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "idempotency_key",
	    idem_key != NULL ? idem_key : "");
	client = cJSON_AddObjectToObject(root, "client");
	cJSON_AddStringToObject(client, "id", n->client_id);
	cJSON_AddStringToObject(client, "name", n->client_name);
	cJSON_AddStringToObject(client, "currency", n->currency);
	cJSON_AddStringToObject(client, "language", n->language);
	json_int(root, "created", n->created);
	cJSON_AddBoolToObject(root, "test", n->test != 0);
	s = notice_subject(n);
	cJSON_AddStringToObject(root, "subject", s);
	free(s);
	s = notice_body_text(n);
	cJSON_AddStringToObject(root, "text", s);
	free(s);

	if (n->nunreadable > 0)
		json_int(root, "unreadable_events", (int64_t)n->nunreadable);
	if (n->nsuperseded > 0)
		json_int(root, "superseded_events", (int64_t)n->nsuperseded);
	events = cJSON_AddArrayToObject(root, "events");
	for (i = 0; i < n->nevents; i++) {
		e = &n->events[i];
		kpi_compute(&e->totals, v);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "campaign", e->campaign);
		cJSON_AddStringToObject(o, "channel", e->channel);
		cJSON_AddStringToObject(o, "kind", rules_kind_name(e->kind));
		cJSON_AddStringToObject(o, "action",
		    rules_action_name(e->action));
		/* The very figure the text shows: one rounding. */
		cJSON_AddItemToObject(o, "roi_percent",
		    json_percent(&v[KPI_ROI]));
		cJSON_AddItemToObject(o, "roas", json_rounded(&v[KPI_ROAS],
		    1.0));
		/* Missing is not zero: no complete day, no amounts. */
		cr = &e->totals.pair[KPI_PAIR_COST_REVENUE];
		notice_json_amount(o, "cost", cr->samples > 0, cr->a, n, buf,
		    sizeof buf);
		notice_json_amount(o, "revenue", cr->samples > 0, cr->b, n,
		    buf, sizeof buf);
		if (v[KPI_PROFIT].defined)
			cJSON_AddItemToObject(o, "profit_micros",
			    json_int_item((notice_i128)cr->b - cr->a));
		else
			cJSON_AddNullToObject(o, "profit_micros");
		cJSON_AddStringToObject(o, "profit", kpi_format_value(
		    kpi_def(KPI_PROFIT), &v[KPI_PROFIT], n->currency,
		    n->language, buf, sizeof buf));
		json_int(o, "days_complete", cr->days);
		json_int(o, "days", e->totals.days);
		if (e->src_cost[0] != '\0' || e->src_revenue[0] != '\0') {
			metric_format_date(e->src_day, day);
			src = cJSON_AddObjectToObject(o, "sources");
			cJSON_AddStringToObject(src, "day", day);
			cJSON_AddStringToObject(src, "cost", e->src_cost);
			cJSON_AddStringToObject(src, "revenue", e->src_revenue);
		}
		cJSON_AddStringToObject(o, "coverage", kpi_format_coverage(
		    &v[KPI_ROI], &e->gaps, 0, n->language, cov, sizeof cov));
		cJSON_AddStringToObject(o, "minimum_roi", notice_fmt_threshold(
		    e->min_roi_ppm, fr, buf, sizeof buf));
		if (e->has_target)
			cJSON_AddStringToObject(o, "target_roi",
			    notice_fmt_threshold(e->target_roi_ppm, fr, buf,
			    sizeof buf));
		else
			cJSON_AddNullToObject(o, "target_roi");
		json_int(o, "window_days", e->window_days);
		if (e->totals.samples > 0) {
			metric_format_date(e->totals.first_day, buf);
			cJSON_AddStringToObject(o, "first_day", buf);
			metric_format_date(e->totals.last_day, buf);
			cJSON_AddStringToObject(o, "last_day", buf);
		} else {
			cJSON_AddNullToObject(o, "first_day");
			cJSON_AddNullToObject(o, "last_day");
		}
		if (e->rule.name[0] != '\0')
			notice_rule_webhook(o, n, e);
		cJSON_AddItemToArray(events, o);
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (s == NULL)
		fatalx("%s: out of memory", __func__);
	return (s);
}
