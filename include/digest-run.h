/*
 * Sending digests (digest-run.c): the store and the configuration meet the
 * schedules (digest-schedule.h) here. Used by roiwatchd on a timer and by
 * `roiwatch digest --send-now`.
 */
#ifndef ROIWATCH_DIGEST_RUN_H
#define ROIWATCH_DIGEST_RUN_H
#include <stddef.h>
#include <stdint.h>

struct client_conf;
struct config;
struct store;

/*
 * Put the digest of client cc over local days [from, to] (with the
 * failures of its pull sources) into the outbox,
 * one item per receiver named, in one transaction. With a schedule name
 * (not ""), the period is recorded as that schedule's, in the same
 * transaction: when it is recorded already (sent by another process, or
 * before a crash) nothing is added and 0 is returned. Returns the number
 * of items added, or -1 with *cause.
 */
int	digest_enqueue(struct store *, const struct config *,
	    const struct client_conf *cc,
	    const char *schedule, char *const *receivers, size_t nreceivers,
	    int32_t from, int32_t to, int late, int64_t now, char **cause);

/*
 * One pass over every client's schedules at `now`: a schedule seen for the
 * first time is armed (it sends from its next sending on); one due is sent
 * (digest_enqueue; after downtime only its latest period, marked late).
 * At most `max` digests are sent in one pass (*more set when some wait:
 * call again soon). *next: the earliest sending still ahead (0: none).
 * *sent: digests put into the outbox. Returns 0, or -1 with *cause on the
 * first store failure (the pass stops; nothing of a failed digest is kept).
 */
int	digest_run(struct store *, const struct config *, int64_t now,
	    int max, int *more, int64_t *next, int *sent, char **cause);

#endif
