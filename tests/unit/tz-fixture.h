/*
 * Time zones for unit tests: the zone files, civil days, local instants.
 * Header only (static inline): each test program is one file.
 */
#ifndef ROIWATCH_TEST_TZ_FIXTURE_H
#define ROIWATCH_TEST_TZ_FIXTURE_H
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "metric.h"
#include "tz.h"

#define ZONEINFO	"/usr/share/zoneinfo"

static inline int32_t
day_of(int y, unsigned m, unsigned d)
{
	return metric_days_from_civil(y, m, d);
}

/* The instant of a local wall-clock time (the earlier one when repeated). */
static inline int64_t
local(const struct tz *tz, int y, unsigned m, unsigned d, int hh, int mm)
{
	return tz_local_to_utc(tz, day_of(y, m, d), hh * 3600 + mm * 60);
}

/*
 * The zone, or skip the test when its file is absent (no tzdata); any other
 * failure fails the test with the cause.
 */
static inline struct tz *
load(const char *name)
{
	struct tz	*tz;
	struct stat	 st;
	char		*cause = NULL, path[512];

	if ((tz = tz_load(name, &cause)) != NULL)
		return tz;
	snprintf(path, sizeof path, "%s/%s", ZONEINFO, name);
	if (stat(path, &st) == -1 && errno == ENOENT) {
		free(cause);
		skip();
	}
	fail_msg("tz_load %s: %s", name, cause);
	return NULL;
}

#endif
