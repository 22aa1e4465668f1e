/*
 * Exponential backoff, shared by outbox deliveries and pull sources so that
 * both wait the same way after failures. Pure.
 */
#ifndef ROIWATCH_BACKOFF_H
#define ROIWATCH_BACKOFF_H
#include <stdint.h>

/*
 * Seconds to wait before retrying after failure number `attempt` (1 = the
 * first): initial * 2^(attempt - 1), never more than cap — the cap wins even
 * over initial. attempt < 1 counts as 1; initial and cap are at least 1.
 */
int64_t	backoff_delay(int64_t attempt, int64_t initial, int64_t cap);

#endif
