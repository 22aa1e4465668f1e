/*
 * Sending digests: for each schedule of each client, what the database
 * remembers (digest_state: when the schedule was first seen, the last
 * period sent) and the schedule's arithmetic (digest_schedule_decide())
 * say whether a period is due; a due one is read (digest_load()), put into
 * the outbox for every receiver of the schedule and recorded as sent, in
 * one transaction -- so a crash sends it whole or not at all, and a
 * restart, or a second process, never sends it twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "digest.h"
#include "digest-run.h"
#include "digest-schedule.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

int
digest_enqueue(struct store *st, const struct config *cfg,
    const struct client_conf *cc,
    const char *schedule, char *const *receivers, size_t nreceivers,
    int32_t from, int32_t to, int late, int64_t now, char **cause)
{
	struct digest	*d;
	char		*payload;
	size_t		 i;
	int		 rc;

	if ((d = digest_load(st, cc, from, to, now, cause)) == NULL)
		return (-1);
	if (digest_load_sources(d, st, cfg, cause) != 0) {
		digest_free(d);
		return (-1);
	}
	free(d->schedule);
	d->schedule = xstrdup(schedule);
	d->late = late;
	payload = digest_to_payload(d);
	digest_free(d);
	if (store_begin(st, cause) != 0) {
		free(payload);
		return (-1);
	}
	if (*schedule != '\0') {
		rc = store_digest_mark(st, cc->id, schedule, from, to, now,
		    late, cause);
		if (rc != 1) {
			store_rollback(st);
			free(payload);
			return (rc == 0 ? 0 : -1);
		}
	}
	for (i = 0; i < nreceivers; i++) {
		if (store_outbox_add(st, cc->id, receivers[i], payload, now,
		    cause) < 0) {
			store_rollback(st);
			free(payload);
			return (-1);
		}
	}
	free(payload);
	if (store_commit(st, cause) != 0) {
		store_rollback(st);
		return (-1);
	}
	return ((int)nreceivers);
}

/* One schedule: 1 sent, 0 not due (*next lowered to its sending), -1. */
static int
digest_run_one(struct store *st, const struct config *cfg,
    const struct client_conf *cc,
    const struct digest_conf *dc, int64_t now, int64_t *next, char **cause)
{
	struct store_digest_state	 s;
	struct digest_period		 p;
	char				 a[32];
	int				 rc, late = 0;

	if ((rc = store_digest_get(st, cc->id, dc->name, &s, cause)) == -1)
		return (-1);
	if (rc == 0) {
		if (store_digest_arm(st, cc->id, dc->name, now, cause) != 0)
			return (-1);
		s.armed_at = now;
		s.sent_from = INT32_MIN;
	}
	if (!digest_schedule_decide(&dc->sched, cc->tz, now, s.armed_at,
	    s.sent_from, &p, &late)) {
		if (*next == 0 || p.due < *next)
			*next = p.due;
		return (0);
	}
	if ((rc = digest_enqueue(st, cfg, cc, dc->name, dc->receivers,
	    dc->nreceivers, p.from, p.to, late, now, cause)) == -1)
		return (-1);
	digest_period_name(p.from, p.to, a, sizeof a);
	if (rc == 0)
		log_info("digest %s of client %s for %s: sent already",
		    dc->name, cc->id, a);
	else
		log_info("digest %s of client %s for %s: queued for %d "
		    "receiver(s)%s", dc->name, cc->id, a, rc,
		    late ? " (late: sent after downtime)" : "");
	/* The one after it. */
	digest_schedule_next(&dc->sched, cc->tz, now, &p);
	if (*next == 0 || p.due < *next)
		*next = p.due;
	return (rc > 0);
}

int
digest_run(struct store *st, const struct config *cfg, int64_t now, int max,
    int *more, int64_t *next, int *sent, char **cause)
{
	const struct client_conf	*cc;
	size_t				 i, j;
	int				 rc;

	*more = 0;
	*next = 0;
	*sent = 0;
	for (i = 0; i < cfg->nclients; i++) {
		cc = &cfg->clients[i];
		for (j = 0; j < cc->ndigests; j++) {
			if (*sent >= max) {
				*more = 1;
				return (0);
			}
			if ((rc = digest_run_one(st, cfg, cc, &cc->digests[j], now,
			    next, cause)) == -1)
				return (-1);
			*sent += rc;
		}
	}
	return (0);
}
