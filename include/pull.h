/*
 * Pull sources: URLs of the configuration's "sources" (type "pull") fetched
 * every interval_secs through the curl loop, the body ingested as one input
 * (all-or-nothing unless the source is partial), then handed to the committed
 * callback like an inbox file. ETag / Last-Modified are sent back as
 * If-None-Match / If-Modified-Since; a 304 counts as fresh data. Failures
 * (connect errors, timeouts, HTTP >= 400, refused bodies) retry after
 * pull_backoff(). The schedule, validators and last success live in the store
 * (store_source_get/put), so a restart neither refetches early nor forgets.
 */
#ifndef ROIWATCH_PULL_H
#define ROIWATCH_PULL_H
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

struct event_base;
struct curl_loop;
struct store;
struct config;
struct pull;

struct pull_stats {
	size_t		sources;	/* pull sources configured */
	size_t		inflight;	/* fetches running now */
	uint64_t	fetched;	/* 200 answers ingested */
	uint64_t	not_modified;	/* 304 answers */
	uint64_t	failed;		/* failed attempts */
	uint64_t	rows;		/* rows stored */
};

/*
 * The store, the curl loop and the configuration must outlive the puller
 * (pull_set_config swaps the configuration). Each source's first fetch is at
 * its stored next_at, at once when that is past or unknown; cb (may be NULL)
 * gets the campaigns every committed fetch touched.
 */
struct pull	*pull_new(struct event_base *, struct curl_loop *,
		    struct store *, const struct config *,
		    ingest_committed_cb cb, void *arg);
/*
 * Shutdown order: curl_loop_free(), then pull_free(), then store_free().
 * curl_loop_free aborts fetches in flight; their callbacks (error
 * CURL_LOOP_SHUTDOWN) record nothing, so the source is fetched again at its
 * stored time after the restart. If pull_free runs first instead, fetches in
 * flight are orphaned: their later callbacks only release memory and never
 * touch the puller or the store. NULL is a no-op.
 */
void		 pull_free(struct pull *);
/*
 * A new configuration was swapped in: sources added start at their stored
 * time, removed ones stop (a fetch in flight is orphaned), a changed URL
 * drops the stored validators and fetches at once.
 */
void		 pull_set_config(struct pull *, const struct config *);
void		 pull_get_stats(const struct pull *, struct pull_stats *);

/*
 * Delay before the next attempt after `failures` consecutive failures:
 * 30 s * 2^(failures - 1), never more than interval; interval when
 * failures < 1. Pure.
 */
int64_t		 pull_backoff(int64_t failures, int64_t interval);
/*
 * Seconds from now until the next fetch, given the stored next_at (0:
 * never fetched): 0 when due, at most interval (a shortened interval applies
 * at once). Pure.
 */
int64_t		 pull_delay(int64_t next_at, int64_t now, int64_t interval);

#endif
