/*
 * Backtest (`roiwatch backtest`): the stored history replayed day by day
 * through the same evaluation, as of the end of each local day and seeing no
 * later data, with alert states kept in memory -- the store is only read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "eval.h"
#include "eval-internal.h"
#include "notice.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

/* ---- States of a backtest, in memory ---- */

struct eval_mem_state {
	char			*key;	/* scope, subject and rule, NUL-separated */
	size_t			 keylen;
	struct alert_row	 row;
	struct eval_mem_state	*next;
};

struct eval_mem {
	struct eval_mem_state	**bucket;
	size_t			 nbuckets;
	size_t			 n;
};

static size_t
eval_mem_key(const struct alert_key *k, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%d%c%s%c%s", (int)k->scope, 0, k->subject, 0,
	    k->rule);
	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

static uint64_t
eval_mem_hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	return h;
}

static struct eval_mem_state **
eval_mem_slot(struct eval_mem *m, const char *key, size_t len)
{
	struct eval_mem_state **pp;

	pp = &m->bucket[eval_mem_hash(key, len) & (m->nbuckets - 1)];
	while (*pp != NULL && ((*pp)->keylen != len ||
	    memcmp((*pp)->key, key, len) != 0))
		pp = &(*pp)->next;
	return pp;
}

struct eval_mem *
eval_mem_new(void)
{
	struct eval_mem *m = xcalloc(1, sizeof *m);

	m->nbuckets = 1024;
	m->bucket = xcalloc(m->nbuckets, sizeof *m->bucket);
	return m;
}

void
eval_mem_free(struct eval_mem *m)
{
	struct eval_mem_state *e, *next;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nbuckets; i++)
		for (e = m->bucket[i]; e != NULL; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	free(m->bucket);
	free(m);
}

static void
eval_mem_grow(struct eval_mem *m)
{
	struct eval_mem_state **old = m->bucket, *e, *next, **pp;
	size_t i, n = m->nbuckets;

	m->nbuckets *= 2;
	m->bucket = xcalloc(m->nbuckets, sizeof *m->bucket);
	for (i = 0; i < n; i++)
		for (e = old[i]; e != NULL; e = next) {
			next = e->next;
			pp = eval_mem_slot(m, e->key, e->keylen);
			e->next = NULL;
			*pp = e;
		}
	free(old);
}

int
eval_mem_get(struct eval_mem *m, const struct alert_key *k,
    struct alert_row *row)
{
	struct eval_mem_state **pp;
	char key[512];
	size_t len;

	if ((len = eval_mem_key(k, key, sizeof key)) == 0)
		return 0;
	if (*(pp = eval_mem_slot(m, key, len)) == NULL)
		return 0;
	*row = (*pp)->row;
	return 1;
}

int
eval_mem_put(struct eval_mem *m, const struct alert_key *k,
    const struct alert_row *row, char **cause)
{
	struct eval_mem_state **pp, *e;
	char key[512];
	size_t len;

	if ((len = eval_mem_key(k, key, sizeof key)) == 0) {
		xasprintf(cause, "backtest: subject name too long");
		return -1;
	}
	if ((e = *(pp = eval_mem_slot(m, key, len))) == NULL) {
		e = xcalloc(1, sizeof *e);
		e->key = xmalloc(len);
		memcpy(e->key, key, len);
		e->keylen = len;
		*pp = e;
		if (++m->n > m->nbuckets)
			eval_mem_grow(m);
	}
	e->row = *row;
	return 0;
}

/* ---- Backtest ---- */

struct eval_names {
	char	**v;
	size_t	 n;
};

static int
eval_names_cb(const char *client, const char *campaign, void *arg)
{
	struct eval_names *nm = arg;

	(void)client;
	nm->v = xreallocarray(nm->v, nm->n + 1, sizeof *nm->v);
	nm->v[nm->n++] = xstrdup(campaign);
	return 0;
}

int
eval_backtest(struct store *store, const struct config *cfg,
    const char *client, const char *rule, int32_t from, int32_t to,
    eval_backtest_cb cb, void *arg, char **cause)
{
	const struct client_conf *cc;
	struct eval_names nm = { NULL, 0 };
	struct eval_run run;
	struct eval_item *it;
	struct notice *n;
	size_t i, j;
	int32_t day;
	int rc = -1;

	if ((cc = config_client(cfg, client)) == NULL) {
		xasprintf(cause, "unknown client \"%s\"", client);
		return -1;
	}
	if (rule != NULL) {
		for (i = 0; i < cc->nruleset; i++)
			if (strcmp(cc->ruleset[i].name, rule) == 0)
				break;
		if (i == cc->nruleset) {
			xasprintf(cause, "client %s has no rule \"%s\"",
			    client, rule);
			return -1;
		}
	}
	if (store_foreach_campaign(store, client, eval_names_cb, &nm,
	    cause) != 0)
		return -1;
	memset(&run, 0, sizeof run);
	run.store = store;
	run.cfg = cfg;
	run.q = eval_queue_new();
	run.mem = eval_mem_new();
	run.only = rule;
	for (day = from; day <= to; day++) {
		/* As of the end of that local day, seeing nothing later. */
		run.now = tz_day_start(cc->tz, day + 1) - 1;
		run.cutoff = day;
		for (i = 0; i < nm.n; i++)
			if (eval_subject(&run, cc, RULE_SCOPE_CAMPAIGN,
			    nm.v[i], 0, cause) != 0)
				goto out;
		if (cc->rule_scopes & (1u << RULE_SCOPE_CLIENT))
			eval_push(run.q, cc->id, RULE_SCOPE_CLIENT, "", 0);
		while ((it = eval_pop(run.q)) != NULL) {
			if (eval_subject(&run, cc, it->scope, it->subject, 0,
			    cause) != 0) {
				free(it);
				goto out;
			}
			free(it);
		}
		rc = 0;
		for (i = 0; i < run.nnotices && rc == 0; i++) {
			n = run.notices[i].notice;
			for (j = 0; j < n->nevents && rc == 0; j++)
				rc = cb(day, n, &n->events[j], arg);
		}
		for (i = 0; i < run.nnotices; i++)
			notice_free(run.notices[i].notice);
		run.nnotices = 0;
		if (rc != 0)
			goto out;
		rc = -1;
		if (day == INT32_MAX)
			break;
	}
	rc = 0;
out:
	for (i = 0; i < run.nnotices; i++)
		notice_free(run.notices[i].notice);
	free(run.notices);
	eval_queue_free(run.q);
	eval_mem_free(run.mem);
	for (i = 0; i < nm.n; i++)
		free(nm.v[i]);
	free(nm.v);
	return rc;
}
