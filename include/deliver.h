/*
 * Delivery: drains the outbox to receivers — file (RFC 5322 message written to a
 * directory, atomically via rename), webhook (JSON POST with an Idempotency-Key and
 * an optional HMAC-SHA256 signature) and SMTP (libcurl, STARTTLS/login when
 * configured); e-mails carry the key in X-Roiwatch-Idempotency-Key and their
 * Message-ID. Network transfers run in the curl loop, at most
 * delivery_max_in_flight at once, delivery_max_in_flight_per_client to one
 * client's receivers and the receiver's max_in_flight to one receiver. A
 * transient failure is retried with jittered exponential backoff
 * (retry_initial_secs doubling up to retry_max_secs), or when a 429/503
 * answer's Retry-After says, across restarts, and given up ("dead", logged)
 * after retry_give_up_secs; a permanent one (an HTTP 4xx other than 429, an
 * SMTP 5xx) is dead at once. Each receiver type is a table of operations
 * (deliver-internal.h).
 */
#ifndef ROIWATCH_DELIVER_H
#define ROIWATCH_DELIVER_H
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct curl_loop;
struct store;
struct config;

struct deliver;

/*
 * The store, the curl loop and the configuration must outlive the deliverer
 * (deliver_set_config swaps the configuration; in-flight transfers keep copies
 * of what they need). Nothing runs until the first kick or timer.
 */
struct deliver	*deliver_new(struct event_base *, struct curl_loop *,
		    struct store *, const struct config *);
/*
 * Shutdown order: curl_loop_free(), then deliver_free(), then store_free().
 * curl_loop_free aborts in-flight transfers; their callbacks (error
 * CURL_LOOP_SHUTDOWN) leave the items pending, not counted as an attempt, so
 * they are sent after the restart. If deliver_free runs first instead, jobs
 * still in flight are orphaned: their later callbacks only release memory and
 * never touch the deliverer or the store. NULL is a no-op.
 */
void		 deliver_free(struct deliver *);
/* A new configuration was swapped in (receivers may have changed). */
void		 deliver_set_config(struct deliver *, const struct config *);
/* The outbox has new items: run as soon as the loop is free. */
void		 deliver_kick(struct deliver *);
/* Items being delivered right now (stopping waits for 0, bounded). */
size_t		 deliver_inflight(const struct deliver *);

/*
 * Delivery attempts since the start, by what followed them (for /metrics).
 * Each is also counted once in its outbox row's attempts column; items
 * dropped without an attempt (receiver gone) and test-notify count none.
 */
struct deliver_stats {
	uint64_t	attempts_delivered;	/* the item is done */
	uint64_t	attempts_retry;		/* it waits for another */
	uint64_t	attempts_dead;		/* refused for good, or too old */
};
void		 deliver_get_stats(const struct deliver *,
		    struct deliver_stats *);

#endif
