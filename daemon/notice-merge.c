/*
 * Notices combined for routing: a receiver's share by severity, the events of
 * a client's grouping wait merged into one message, and a receiver's backlog
 * after downtime folded into one summary (the latest event of each subject
 * and rule). Pure: the router (eval.c) and the outbox's catch-up
 * (outbox-fold.c) read and write the payloads around these.
 */
#include <stdlib.h>
#include <string.h>

#include "notice-merge.h"
#include "xmalloc.h"

enum rule_severity
notice_event_severity(const struct notice_event *e)
{
	if (e->rule.name[0] == '\0')
		return (e->kind == ALERT_ROI_TARGET ? RULE_SEV_GOOD :
		    RULE_SEV_CRITICAL);
	if (e->rule.severity < 0 || e->rule.severity >= RULE_SEV_MAX)
		return (RULE_SEV_CRITICAL);	/* never lose an alert */
	return ((enum rule_severity)e->rule.severity);
}

/* A notice with n's header and no events. */
static struct notice *
notice_empty_like(const struct notice *n)
{
	struct notice	*c;

	c = notice_new(n->client_id, n->client_name, n->currency, n->language,
	    n->timezone, n->created);
	c->test = n->test;
	c->nsuperseded = n->nsuperseded;
	c->nunreadable = n->nunreadable;
	if (n->unreadable_why != NULL)
		c->unreadable_why = xstrdup(n->unreadable_why);
	return (c);
}

struct notice *
notice_filter(const struct notice *n, unsigned mask)
{
	struct notice	*c = notice_empty_like(n);
	size_t		 i;

	for (i = 0; i < n->nevents; i++)
		if (mask & NOTICE_SEV_BIT(notice_event_severity(&n->events[i])))
			notice_add_event(c, &n->events[i]);
	return (c);
}

void
notice_merge(struct notice *into, const struct notice *from)
{
	size_t	i;

	for (i = 0; i < from->nevents; i++)
		notice_add_event(into, &from->events[i]);
	into->nsuperseded += from->nsuperseded;
	into->nunreadable += from->nunreadable;
	if (into->unreadable_why == NULL && from->unreadable_why != NULL)
		into->unreadable_why = xstrdup(from->unreadable_why);
}

/* Whether two events speak of the same subject and rule. */
static int
notice_same_subject(const struct notice_event *a, const struct notice_event *b)
{
	return (a->kind == b->kind && a->rule.scope == b->rule.scope &&
	    strcmp(a->rule.name, b->rule.name) == 0 &&
	    strcmp(a->campaign, b->campaign) == 0 &&
	    strcmp(a->channel, b->channel) == 0);
}

struct notice *
notice_fold(struct notice *const *ns, size_t n)
{
	struct notice	*all, *out;
	size_t		 i, j;

	if (n == 0)
		return (NULL);
	/* Every event in order, then keep those no later one supersedes. */
	all = notice_empty_like(ns[0]);
	all->nsuperseded = all->nunreadable = 0;
	free(all->unreadable_why);
	all->unreadable_why = NULL;
	for (i = 0; i < n; i++)
		notice_merge(all, ns[i]);
	all->created = ns[n - 1]->created;
	out = notice_empty_like(all);
	for (i = 0; i < all->nevents; i++) {
		for (j = i + 1; j < all->nevents; j++)
			if (notice_same_subject(&all->events[i],
			    &all->events[j]))
				break;
		if (j < all->nevents)
			out->nsuperseded++;
		else
			notice_add_event(out, &all->events[i]);
	}
	notice_free(all);
	return (out);
}
