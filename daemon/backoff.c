/* Exponential backoff (see backoff.h): doubling, capped, without overflow. */
#include <stdint.h>

#include "backoff.h"

int64_t
backoff_delay(int64_t attempt, int64_t initial, int64_t cap)
{
	int64_t	delay;

	if (cap < 1)
		cap = 1;
	if (initial < 1)
		initial = 1;
	if (initial >= cap)
		return cap;
	delay = initial;
	while (--attempt > 0 && delay < cap)
		delay = delay > cap / 2 ? cap : delay * 2;
	return delay;
}
