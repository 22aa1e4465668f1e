/*
 * IANA time zones, so that data lands on the client's local calendar day and
 * schedules fire at the client's midnight. A zone is read once from its TZif
 * file (RFC 8536) and is then immutable: every query is pure, takes the
 * instant as a parameter and never touches the libc TZ state (localtime and
 * the TZ variable are process-global).
 *
 * Instants are unix seconds (int64_t); local days count days since
 * 1970-01-01 on the local calendar, as metric_days_from_civil does.
 * Instants past the last transition of the file follow the POSIX TZ rule of
 * its footer, so far-future dates get the current daylight-saving rules.
 * Queries clamp instants to the range where a day fits an int32_t (about
 * 5.8 million years either side of 1970).
 */
#ifndef ROIWATCH_TZ_H
#define ROIWATCH_TZ_H
#include <stddef.h>
#include <stdint.h>

#define TZ_NAME_MAX	255	/* bytes of a zone name, without NUL */

struct tz;	/* opaque, immutable after load */

/*
 * Load zone `name` ("UTC", "Europe/Paris") from $TZDIR, or
 * /usr/share/zoneinfo when TZDIR is unset or empty. Names that are empty,
 * longer than TZ_NAME_MAX, start or end with '/', hold an empty component or
 * a byte outside [A-Za-z0-9_+/-] (so no "..") are refused. "UTC" is built in
 * and needs no zone files. Reads the file: not pure. Returns NULL with
 * *cause naming the zone and the reason.
 */
struct tz	*tz_load(const char *name, char **cause);
/*
 * The same from the bytes of a TZif file (versions 1 to 4; the 64-bit part
 * and the footer of version 2+). Pure. Hostile bytes are refused with a
 * cause, never trusted: counts are checked against the length, type
 * indices, offsets (-89999..93599 s) and the order of transitions against
 * RFC 8536. Leap-second ("right/") zones are refused.
 */
struct tz	*tz_from_tzif(const char *name, const void *buf, size_t len,
		    char **cause);
/* Whether `name` is acceptable to tz_load (syntax only, no file access). */
int		 tz_name_valid(const char *name);
void		 tz_free(struct tz *);	/* NULL ok */
const char	*tz_name(const struct tz *);

/* Seconds east of UTC in effect at unix time t. Pure. */
int32_t		 tz_offset_at(const struct tz *, int64_t t);
/* Local calendar day and seconds since local midnight of instant t. Pure. */
void		 tz_local(const struct tz *, int64_t t, int32_t *day,
		    int32_t *sec_of_day);
/*
 * The first instant of local day `day`: local midnight, or, when midnight is
 * skipped by a transition, the first instant whose local time falls on that
 * day or later. When clocks fall back across midnight the day starts at its
 * first midnight. Pure.
 */
int64_t		 tz_day_start(const struct tz *, int32_t day);
/*
 * Seconds from the start of `day` to the start of the next: 86400, 82800 or
 * 90000 on days of a one-hour change (84600/88200 for Lord Howe's half hour),
 * 0 for a day skipped altogether (Pacific/Apia, 2011-12-30). Pure.
 */
int32_t		 tz_day_length(const struct tz *, int32_t day);
/*
 * The instant of local wall-clock time `sec_of_day` seconds after the
 * nominal midnight of `day` (sec_of_day may be outside 0..86399; it then
 * counts into the neighbouring days). Pure.
 * - A time that occurs twice (clocks fall back) gives the earlier instant:
 *   01:30 on 2026-11-01 in New York is 01:30 EDT.
 * - A time that does not exist (clocks spring forward) is read with the
 *   offset in effect before the gap, so it lands after the gap by as much as
 *   it was into it, as mktime with tm_isdst = -1 does: 02:30 on 2026-03-29
 *   in Paris gives 01:30 UTC, 03:30 CEST.
 */
int64_t		 tz_local_to_utc(const struct tz *, int32_t day,
		    int32_t sec_of_day);

#endif
