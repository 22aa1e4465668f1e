/*
 * Evaluation and routing: for touched campaigns, compute totals over the client's
 * window, advance each rule's state, persist it, and put one grouped notice per
 * client into the outbox for each of its receivers — all in one transaction, so
 * a crash never leaves a state change without its notice or the reverse.
 */
#ifndef ROIWATCH_EVAL_H
#define ROIWATCH_EVAL_H
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

struct store;
struct config;
struct client_conf;

/*
 * Evaluate the given campaigns at `now`. Campaigns of clients that are not in the
 * configuration are skipped. Returns the number of outbox items added (>= 0) or
 * -1 with *cause (nothing changed).
 */
int	eval_subjects(struct store *, const struct config *,
	    const struct ingest_subject *, size_t n, int64_t now, char **cause);
/* Re-evaluate every campaign with a pending or firing state (pending periods and
 * repeat intervals advance with time even without new data). */
int	eval_periodic(struct store *, const struct config *, int64_t now,
	    char **cause);

/*
 * The days a campaign is judged over: [*from, *to], the client's last
 * window_days days of the campaign's data, or all (INT32_MIN, INT32_MAX).
 */
int	eval_window(struct store *, const struct client_conf *,
	    const char *campaign, int32_t *from, int32_t *to, char **cause);

/* Re-evaluate every stored campaign: after a reload changed thresholds. */
int	eval_all(struct store *, const struct config *, int64_t now,
	    char **cause);

#endif
