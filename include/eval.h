/*
 * Evaluation and routing: for touched subjects -- a campaign, and with it its
 * channel and its client's total when rules judge those -- compute each
 * rule's measures over its window, advance the rule's state, persist it, and
 * put one grouped notice per client into the outbox for each of its
 * receivers (silenced events left out, non-critical ones held during quiet
 * hours) -- a state change and its notice in the same transaction, so a
 * crash never leaves one without the other.
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
 * The evaluation queue: campaigns waiting to be judged -- those new data
 * touched (each once, in arrival order) and a sweep over every stored
 * campaign (start, reload) or over those with an open alert or that could not
 * be evaluated (periodic: pending periods and repeat intervals advance with
 * time). eval_queue_run() judges them in slices, one transaction each, so the
 * daemon's loop is never held longer than a slice's budget.
 */
struct eval_queue;

enum eval_sweep {
	EVAL_SWEEP_NONE,
	EVAL_SWEEP_OPEN,	/* campaigns with an open or failed state */
	EVAL_SWEEP_ALL		/* every stored campaign */
};

struct eval_slice {
	int	 added;		/* outbox items queued */
	size_t	 judged;	/* campaigns evaluated */
	size_t	 failed;	/* campaigns that could not be: skipped */
	int	 busy;		/* the database was locked: nothing done */
	int64_t	 usec;		/* time the slice took */
};

struct eval_stats {
	uint64_t judged;
	uint64_t failed;
	uint64_t slices;
	int64_t	 slice_max_usec;
};

struct eval_queue *eval_queue_new(void);
void	eval_queue_free(struct eval_queue *);
void	eval_queue_add(struct eval_queue *, const struct ingest_subject *,
	    size_t n);
/* Start a sweep. A sweep of every campaign starts from the first again (new
 * thresholds); one of the open ones does not interrupt one in progress (a
 * sweep of every campaign covers them). EVAL_SWEEP_NONE drops the sweep. */
void	eval_queue_sweep(struct eval_queue *, enum eval_sweep);
/* Touched campaigns waiting; whether nothing is left at all. */
size_t	eval_queue_touched(const struct eval_queue *);
int	eval_queue_idle(const struct eval_queue *);
void	eval_queue_stats(const struct eval_queue *, struct eval_stats *);
/*
 * One slice: in one transaction, judge waiting campaigns (touched first, then
 * the sweep) until budget_usec has passed (at least one campaign), and put
 * the notices into the outbox. Each campaign sits in a savepoint: one that
 * cannot be evaluated (totals out of range...) is rolled back, logged,
 * marked RULE_SKIP_ERROR and skipped -- it never stops the others. Returns
 * 0, or -1 with *cause when the transaction failed (out->busy: the database
 * was locked by another connection): then nothing of the slice happened and
 * its campaigns wait again.
 */
int	eval_queue_run(struct eval_queue *, struct store *,
	    const struct config *, int64_t now, int64_t budget_usec,
	    struct eval_slice *out, char **cause);

/*
 * Evaluate the given campaigns at `now`, in slices of budget_usec (one
 * transaction each, so another process's writes interleave). Returns the
 * number of outbox items added (>= 0), or -1 with *cause (the slices before
 * the failing one are committed).
 */
int	eval_subjects(struct store *, const struct config *,
	    const struct ingest_subject *, size_t n, int64_t now,
	    int64_t budget_usec, char **cause);

/*
 * The days a campaign is judged over: [*from, *to], the client's last
 * window_days days of the campaign's data, or all (INT32_MIN, INT32_MAX).
 */
int	eval_window(struct store *, const struct client_conf *,
	    const char *campaign, int32_t *from, int32_t *to, char **cause);

/*
 * Quiet hours: notices held during a client's quiet hours (non-critical
 * events) go out as one grouped message per client once they are over, in
 * one transaction with taking them. Returns the outbox items added (>= 0)
 * or -1 with *cause (nothing taken then).
 */
int	eval_release_held(struct store *, const struct config *, int64_t now,
	    char **cause);

/*
 * Backtest: replay the client's stored history day by day, from local day
 * `from` to `to`, through the same rules and state machine, as of the end of
 * each day and seeing no later data: cb(day, notice, event) for every event
 * that would have been sent (fire, repeat, resolve, good, flapping). Only
 * the rule named `rule` when not NULL. States live in memory: the store is
 * only read, and nothing is queued. Silences are ignored (what would have
 * fired) and freshness rules are left out (the store does not know when a
 * day's data arrived). A non-zero return of cb stops and is returned;
 * -1 with *cause on error.
 */
struct notice;
struct notice_event;
typedef int (*eval_backtest_cb)(int32_t day, const struct notice *,
	    const struct notice_event *, void *arg);
int	eval_backtest(struct store *, const struct config *,
	    const char *client, const char *rule, int32_t from, int32_t to,
	    eval_backtest_cb, void *arg, char **cause);

#endif
