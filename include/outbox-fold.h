/*
 * Catch-up after downtime (outbox-fold.c): a receiver that could not be
 * served for a while -- the daemon stopped while `roiwatch ingest` queued
 * notices, or the receiver at its limits -- gets one summary instead of a
 * flood of stale messages.
 */
#ifndef ROIWATCH_OUTBOX_FOLD_H
#define ROIWATCH_OUTBOX_FOLD_H
#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * For every (client, receiver) with more than cap items never tried (ids in
 * skip, in flight, left out), fold all of them into its oldest: one summary
 * keeping the latest event of each subject and rule, in order, counting
 * those superseded (notice_fold), due when the earliest of them was; the
 * others are deleted. One transaction for the whole pass; each fold is
 * logged. Returns how many items were folded away, or -1 with *cause.
 * cap 0: nothing is folded.
 */
int	outbox_fold(struct store *, int64_t cap, const int64_t *skip,
	    size_t nskip, char **cause);

#endif
