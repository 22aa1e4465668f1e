/*
 * Exponential backoff, shared by outbox deliveries and pull sources so that
 * both wait the same way after failures, plus what deliveries add to it: full
 * jitter and the receiver's own Retry-After. Pure: the time and the random
 * value are passed in.
 */
#ifndef ROIWATCH_BACKOFF_H
#define ROIWATCH_BACKOFF_H
#include <stdint.h>

/* Longest wait a Retry-After may ask for; a longer one is cut to this. */
#define BACKOFF_RETRY_AFTER_MAX	3600

/*
 * Seconds to wait before retrying after failure number `attempt` (1 = the
 * first): initial * 2^(attempt - 1), never more than cap — the cap wins even
 * over initial. attempt < 1 counts as 1; initial and cap are at least 1.
 */
int64_t	backoff_delay(int64_t attempt, int64_t initial, int64_t cap);

/*
 * Full jitter: a whole number of seconds in [floor, delay] picked by rnd
 * (uniform when rnd is), so that items failing together do not come back
 * together. floor is the backoff's first step (never retry sooner than that,
 * nor in the same second: floor is at least 1 and at most delay).
 */
int64_t	backoff_jitter(int64_t delay, int64_t floor, uint64_t rnd);

/*
 * An HTTP Retry-After value (RFC 9110 10.2.3): delta-seconds ("120") or an
 * HTTP-date in any of its three forms ("Sun, 06 Nov 1994 08:49:37 GMT", the
 * obsolete "Sunday, 06-Nov-94 08:49:37 GMT" and asctime's "Sun Nov  6
 * 08:49:37 1994"), surrounding spaces allowed. On success *secs is the wait
 * from `now` (unix seconds): 0 for a date already past, at most
 * BACKOFF_RETRY_AFTER_MAX. Returns 0, or -1 when the value is neither form.
 */
int	backoff_retry_after(const char *value, int64_t now, int64_t *secs);

/*
 * The wait before the next delivery attempt after failure number `attempt`:
 * the receiver's Retry-After (retry_after >= 0, from backoff_retry_after) if it
 * gave one, but never less than initial; otherwise the jittered backoff
 * between initial and backoff_delay(attempt, initial, cap).
 */
int64_t	backoff_retry_delay(int64_t attempt, int64_t initial, int64_t cap,
	    int64_t retry_after, uint64_t rnd);

#endif
