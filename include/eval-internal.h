/*
 * Inside evaluation: what eval.c (judging a subject), eval-queue.c (the queue
 * and its slices) and eval-backtest.c (history replayed, states in memory)
 * share. Nothing outside daemon/eval*.c includes this file.
 */
#ifndef ROIWATCH_EVAL_INTERNAL_H
#define ROIWATCH_EVAL_INTERNAL_H
#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "rules.h"
#include "store.h"

struct client_conf;
struct config;
struct eval_queue;
struct eval_mem;
struct notice;

struct pending_notice {
	const struct client_conf *client;
	struct notice		*notice;
};

/* One run of judging: a slice, a release of held notices, a backtest. */
struct eval_run {
	struct store		*store;
	const struct config	*cfg;
	struct eval_queue	*q;		/* channel and client subjects
						   of judged campaigns join it */
	int64_t			 now;
	struct pending_notice	*notices;
	size_t			 nnotices;
	/* A backtest: no data after `cutoff` is seen, states live in `mem`
	 * (never the store), silences and freshness are left out, and only
	 * the rule named `only` is judged when set. */
	int32_t			 cutoff;
	struct eval_mem		*mem;
	const char		*only;
};

/* eval.c: judge every rule of one subject (sweep: also forget the states of
 * rules no longer configured); put the run's grouped notices into the
 * outbox (the number of items added, or -1). */
int	eval_subject(struct eval_run *, const struct client_conf *,
	    enum rule_scope, const char *subject, int sweep, char **cause);
int	eval_route(struct eval_run *, char **cause);

/* eval-queue.c: queue a subject (at the head: put back); the next one
 * waiting (touched campaigns, then those that follow them), caller-freed. */
struct eval_item {
	char			*client;	/* one allocation with subject */
	char			*subject;
	enum rule_scope		 scope;
	struct eval_item	*hnext;
	TAILQ_ENTRY(eval_item)	 entry;
};
void	eval_push(struct eval_queue *, const char *client, enum rule_scope,
	    const char *subject, int head);
struct eval_item *eval_pop(struct eval_queue *);

/* eval-backtest.c: alert states in memory. eval_mem_get: 1 found, 0 not. */
struct eval_mem	*eval_mem_new(void);
void	eval_mem_free(struct eval_mem *);
int	eval_mem_get(struct eval_mem *, const struct alert_key *,
	    struct alert_row *);
int	eval_mem_put(struct eval_mem *, const struct alert_key *,
	    const struct alert_row *, char **cause);

#endif
