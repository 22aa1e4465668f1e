/*
 * Notices: the outbox payload for one client and one receiver (this file),
 * and its renderings in the client's language: subject and plain text
 * (notice-text.c), RFC 5322 e-mail (notice-email.c), the generic webhook's
 * JSON (notice-webhook.c), a rule's explanation (notice-rule.c). Pure: no
 * clock, no I/O; `created` and `now` are passed in.
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

