/*
 * The operator's view of outbox items: names, the --status filter, cells of
 * `outbox list`, JSON, payload summaries (outbox-view.h). Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "notice.h"
#include "outbox-view.h"
#include "rules.h"
#include "xmalloc.h"

static const char *const outbox_state_names[OUTBOX_STATE_MAX] = {
	[OUTBOX_PENDING] = "pending",
	[OUTBOX_RETRYING] = "retrying",
	[OUTBOX_DEAD] = "dead",
	[OUTBOX_DONE] = "done",
};

static const char *const outbox_col_heads[OC__MAX] = {
	[OC_ID] = "ID",
	[OC_CLIENT] = "CLIENT",
	[OC_RECEIVER] = "RECEIVER",
	[OC_STATUS] = "STATUS",
	[OC_ATTEMPTS] = "ATTEMPTS",
	[OC_CREATED] = "CREATED",
	[OC_WHEN] = "NEXT/FINISHED",
	[OC_REASON] = "LAST ERROR/REASON",
};

const char *
outbox_state_name(enum outbox_state s)
{
	if ((unsigned)s >= OUTBOX_STATE_MAX)
		return "?";
	return outbox_state_names[s];
}

int
outbox_state_parse(const char *text, unsigned *mask, char **cause)
{
	const char	*p = text, *end;
	size_t		 n;
	unsigned	 m = 0;
	int		 s, found;
	char		 esc[64], part[64];

	for (;;) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		found = 0;
		if (n == 3 && strncmp(p, "all", 3) == 0) {
			m |= OUTBOX_STATES_ALL;
			found = 1;
		}
		for (s = 0; !found && s < OUTBOX_STATE_MAX; s++) {
			if (strlen(outbox_state_names[s]) == n &&
			    strncmp(p, outbox_state_names[s], n) == 0) {
				m |= OUTBOX_STATE_BIT(s);
				found = 1;
			}
		}
		if (!found) {
			xasprintf(cause, "--status \"%s\": \"%s\" is not a "
			    "status (pending, retrying, dead, done or all, "
			    "several separated by commas)", log_escape(text,
			    strlen(text), esc, sizeof esc), log_escape(p, n,
			    part, sizeof part));
			return -1;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}

char *
outbox_format_time(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int64_t
outbox_item_when(const struct outbox_item *it)
{
	if (it->state == OUTBOX_DONE || it->state == OUTBOX_DEAD)
		return it->done_at;
	return it->next_at;
}

const char *
outbox_col_head(enum outbox_col c)
{
	if ((unsigned)c >= OC__MAX)
		return "?";
	return outbox_col_heads[c];
}

/* s escaped into buf, "-" when NULL or empty. */
static const char *
outbox_text(const char *s, char *buf, size_t len)
{
	if (s == NULL || *s == '\0') {
		snprintf(buf, len, "-");
		return buf;
	}
	return log_escape(s, strlen(s), buf, len);
}

const char *
outbox_cell(const struct outbox_item *it, enum outbox_col c, char *buf,
    size_t len)
{
	switch (c) {
	case OC_ID:
		snprintf(buf, len, "%lld", (long long)it->id);
		return buf;
	case OC_CLIENT:
		return outbox_text(it->client, buf, len);
	case OC_RECEIVER:
		return outbox_text(it->receiver, buf, len);
	case OC_STATUS:
		snprintf(buf, len, "%s", outbox_state_name(it->state));
		return buf;
	case OC_ATTEMPTS:
		snprintf(buf, len, "%lld", (long long)it->attempts);
		return buf;
	case OC_CREATED:
		return outbox_format_time(it->created, buf, len);
	case OC_WHEN:
		return outbox_format_time(outbox_item_when(it), buf, len);
	case OC_REASON:
	default:
		return outbox_text(it->last_error, buf, len);
	}
}

/* Add s to a list of distinct strings. */
static void
outbox_add_distinct(char ***list, size_t *n, const char *s)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i], s) == 0)
			return;
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(s);
}

int
outbox_summary_parse(const char *payload, struct outbox_summary *sum,
    char **cause)
{
	struct notice			*n;
	const struct notice_event	*e;
	struct outbox_event_view	*v;
	enum rule_scope			 scope;
	size_t				 i;

	memset(sum, 0, sizeof *sum);
	if (payload == NULL) {
		*cause = xstrdup("no payload");
		return -1;
	}
	if ((n = notice_from_json(payload, cause)) == NULL)
		return -1;
	sum->nevents = n->nevents;
	sum->test = n->test;
	sum->nunreadable = n->nunreadable;
	sum->events = xcalloc(n->nevents + 1, sizeof *sum->events);
	for (i = 0; i < n->nevents; i++) {
		e = &n->events[i];
		v = &sum->events[i];
		/* The shorthand rules (minimum_roi, target_roi) judge
		 * campaigns and carry no rule name of their own. */
		scope = e->kind == ALERT_RULE ? (enum rule_scope)e->rule.scope :
		    RULE_SCOPE_CAMPAIGN;
		snprintf(v->action, sizeof v->action, "%s",
		    rules_action_name(e->action));
		snprintf(v->rule, sizeof v->rule, "%s", e->kind == ALERT_RULE &&
		    e->rule.name[0] != '\0' ? e->rule.name :
		    rules_kind_name(e->kind));
		snprintf(v->scope, sizeof v->scope, "%s",
		    rules_scope_name(scope));
		if (scope == RULE_SCOPE_CAMPAIGN) {
			snprintf(v->subject, sizeof v->subject, "%s",
			    e->campaign);
			outbox_add_distinct(&sum->campaigns, &sum->ncampaigns,
			    e->campaign);
		} else if (scope == RULE_SCOPE_CHANNEL)
			snprintf(v->subject, sizeof v->subject, "%s",
			    e->channel);
		outbox_add_distinct(&sum->rules, &sum->nrules, v->rule);
	}
	notice_free(n);
	return 0;
}

void
outbox_summary_clear(struct outbox_summary *sum)
{
	size_t	i;

	for (i = 0; i < sum->ncampaigns; i++)
		free(sum->campaigns[i]);
	for (i = 0; i < sum->nrules; i++)
		free(sum->rules[i]);
	free(sum->campaigns);
	free(sum->rules);
	free(sum->events);
	memset(sum, 0, sizeof *sum);
}

static cJSON *
outbox_json_time(int64_t t)
{
	char	buf[32];

	if (t == 0)
		return cJSON_CreateNull();
	return cJSON_CreateString(outbox_format_time(t, buf, sizeof buf));
}

static cJSON *
outbox_json_text(const char *s)
{
	return s != NULL && *s != '\0' ? cJSON_CreateString(s) :
	    cJSON_CreateNull();
}

static cJSON *
outbox_json_strings(char **list, size_t n)
{
	cJSON	*arr = cJSON_CreateArray();
	size_t	 i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(list[i]));
	return arr;
}

struct cJSON *
outbox_item_json(const struct outbox_item *it,
    const struct outbox_summary *sum)
{
	cJSON	*o, *p, *arr, *ev;
	int	 finished = it->state == OUTBOX_DONE || it->state == OUTBOX_DEAD;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_AddNumberToObject(o, "id", (double)it->id);
	cJSON_AddItemToObject(o, "client", outbox_json_text(it->client));
	cJSON_AddItemToObject(o, "receiver", outbox_json_text(it->receiver));
	cJSON_AddStringToObject(o, "status", outbox_state_name(it->state));
	cJSON_AddNumberToObject(o, "attempts", (double)it->attempts);
	cJSON_AddItemToObject(o, "created", outbox_json_time(it->created));
	cJSON_AddItemToObject(o, "next_attempt", outbox_json_time(finished ?
	    0 : it->next_at));
	cJSON_AddItemToObject(o, "finished", outbox_json_time(finished ?
	    it->done_at : 0));
	cJSON_AddItemToObject(o, "last_error", outbox_json_text(
	    it->last_error));
	if (sum == NULL)
		return o;
	cJSON_AddItemToObject(o, "idempotency_key", outbox_json_text(
	    it->idem_key));
	p = cJSON_AddObjectToObject(o, "payload");
	cJSON_AddNumberToObject(p, "events", (double)sum->nevents);
	cJSON_AddItemToObject(p, "campaigns", outbox_json_strings(
	    sum->campaigns, sum->ncampaigns));
	cJSON_AddItemToObject(p, "rules", outbox_json_strings(sum->rules,
	    sum->nrules));
	arr = cJSON_AddArrayToObject(p, "detail");
	for (i = 0; i < sum->nevents; i++) {
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "action", sum->events[i].action);
		cJSON_AddStringToObject(ev, "rule", sum->events[i].rule);
		cJSON_AddStringToObject(ev, "scope", sum->events[i].scope);
		cJSON_AddItemToObject(ev, "subject", outbox_json_text(
		    sum->events[i].subject));
		cJSON_AddItemToArray(arr, ev);
	}
	cJSON_AddBoolToObject(p, "test", sum->test);
	cJSON_AddNumberToObject(p, "unreadable", (double)sum->nunreadable);
	return o;
}
