/*
 * Silences, the pure part: the end an operator writes ("2h", "2026-12-05",
 * "2026-12-05 09:00") read on the client's clock, the checks of the texts a
 * silence carries, and instants shown in local time. The zone and `now` are
 * parameters; the store (store-silence.c) and the command line
 * (`roiwatch silence`) do the I/O.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metric.h"
#include "silence.h"
#include "tz.h"
#include "utf8.h"
#include "xmalloc.h"

/* Operator's text echoed in a message: escaped, cut to fit. */
#define SILENCE_SHOW	80

static const char *
silence_show(const char *s, char *buf, size_t len)
{
	return log_escape(s, strlen(s), buf, len);
}

/* Local seconds since 1970-01-01 on the zone's clock at instant t. */
static int64_t
silence_local_secs(const struct tz *tz, int64_t t)
{
	return t + (tz != NULL ? tz_offset_at(tz, t) : 0);
}

/*
 * The first instant at which the zone's clock reads `sec` seconds into
 * local day `day`, or later. tz_local_to_utc() answers for a time that
 * exists (the earlier one of a time that occurs twice); a time skipped by a
 * transition it reads with the offset before the gap, landing as far past
 * the gap's end as the time was into the gap: the gap then ends in
 * (t - that distance, t], where the clock first reaches the time.
 */
static int64_t
silence_local_instant(const struct tz *tz, int32_t day, int32_t sec)
{
	int64_t	want = (int64_t)day * 86400 + sec, t, lo, hi, mid;

	t = tz_local_to_utc(tz, day, sec);
	if (silence_local_secs(tz, t) <= want)
		return t;
	lo = t - (silence_local_secs(tz, t) - want);
	hi = t;
	if (silence_local_secs(tz, lo) >= want)
		return t;	/* not the shape of a gap: keep tz's answer */
	while (hi - lo > 1) {	/* clock(lo) < want <= clock(hi) */
		mid = lo + (hi - lo) / 2;
		if (silence_local_secs(tz, mid) >= want)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Two digits at s, at most max; -1 when not. */
static int
silence_two_digits(const char *s, int max)
{
	int	v;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	v = (s[0] - '0') * 10 + (s[1] - '0');
	return v <= max ? v : -1;
}

/*
 * A duration: terms of digits and a unit (m h d w), summed. Returns 1 and
 * *secs when `when` is one, 0 when it does not look like one (no digit
 * first, or digits then '-': a date), -1 with *cause when it is a broken
 * one.
 */
static int
silence_parse_duration(const char *when, int64_t *secs, char **cause)
{
	const char	*p = when;
	char		 show[SILENCE_SHOW];
	int64_t		 n, total = 0, unit;
	int		 digits;

	if (*p < '0' || *p > '9')
		return 0;
	while (*p != '\0') {
		n = 0;
		for (digits = 0; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits == 9)
				goto toolong;
			n = n * 10 + (*p - '0');
		}
		if (digits == 0)
			goto bad;
		if (p == when + 4 && *p == '-')
			return 0;	/* "2026-..." */
		switch (*p) {
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			goto bad;
		}
		p++;
		total += n * unit;	/* < 10^9 weeks a term: no overflow */
		if (total > (int64_t)SILENCE_MAX_AHEAD * 1000)
			goto toolong;
	}
	*secs = total;
	return 1;

bad:
	xasprintf(cause, "until \"%s\": not a duration (a number and a unit "
	    "m, h, d or w: 30m, 2h, 3d, 1w, 1h30m) nor a date (YYYY-MM-DD, "
	    "YYYY-MM-DD HH:MM)", silence_show(when, show, sizeof show));
	return -1;
toolong:
	xasprintf(cause, "until \"%s\": more than %d days ahead (the limit)",
	    silence_show(when, show, sizeof show), SILENCE_MAX_AHEAD / 86400);
	return -1;
}

/*
 * "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or with 'T' for the blank: the
 * instant on tz's clock (a date alone: the start of the next day).
 */
static int
silence_parse_local(const char *when, const struct tz *tz, int64_t *until,
    char **cause)
{
	char	 show[SILENCE_SHOW];
	size_t	 len = strlen(when);
	int32_t	 day;
	int	 h, m, s = 0;

	if (len < 10 || metric_parse_iso_date(when, 10, &day) != 0)
		goto bad;
	if (len == 10) {
		*until = tz_day_start(tz, day + 1);
		return 0;
	}
	if ((when[10] != ' ' && when[10] != 'T') || (len != 16 && len != 19))
		goto bad;
	if ((h = silence_two_digits(when + 11, 23)) == -1 || when[13] != ':' ||
	    (m = silence_two_digits(when + 14, 59)) == -1)
		goto bad;
	if (len == 19 && (when[16] != ':' ||
	    (s = silence_two_digits(when + 17, 59)) == -1))
		goto bad;
	*until = silence_local_instant(tz, day, h * 3600 + m * 60 + s);
	return 0;

bad:
	xasprintf(cause, "until \"%s\": not a date (YYYY-MM-DD: through that "
	    "day; YYYY-MM-DD HH:MM: until that time, in the client's time "
	    "zone %s) nor a duration (30m, 2h, 3d, 1w)",
	    silence_show(when, show, sizeof show), tz_name(tz));
	return -1;
}

int
silence_check_until(int64_t until, const struct tz *tz, int64_t now,
    char **cause)
{
	char	a[SILENCE_LOCAL_MAX], b[SILENCE_LOCAL_MAX];

	if (until <= now) {
		xasprintf(cause, "until: ends %s, in the past (now is %s)",
		    silence_format_local(tz, until, a, sizeof a),
		    silence_format_local(tz, now, b, sizeof b));
		return -1;
	}
	if (until - now > SILENCE_MAX_AHEAD) {
		xasprintf(cause, "until: ends %s, more than %d days ahead (the "
		    "limit: %s at the latest)",
		    silence_format_local(tz, until, a, sizeof a),
		    SILENCE_MAX_AHEAD / 86400,
		    silence_format_local(tz, now + SILENCE_MAX_AHEAD, b,
		    sizeof b));
		return -1;
	}
	return 0;
}

int
silence_parse_until(const char *when, const struct tz *tz, int64_t now,
    int64_t *until, char **cause)
{
	char	 show[SILENCE_SHOW], *why;
	int64_t	 secs;
	int	 rc;

	if (*when == '\0') {
		xasprintf(cause, "until: empty (a duration such as 2h or 3d, "
		    "or a date YYYY-MM-DD [HH:MM])");
		return -1;
	}
	if ((rc = silence_parse_duration(when, &secs, cause)) == -1)
		return -1;
	if (rc == 1) {
		if (secs == 0) {
			xasprintf(cause, "until \"%s\": a silence of no time",
			    when);	/* digits and units: nothing to escape */
			return -1;
		}
		*until = now + secs;
	} else if (silence_parse_local(when, tz, until, cause) != 0)
		return -1;
	if (silence_check_until(*until, tz, now, &why) != 0) {
		/* "until: ends ..." as "until \"WHEN\" ends ..." */
		xasprintf(cause, "until \"%s\"%s", silence_show(when, show,
		    sizeof show), why + strlen("until:"));
		free(why);
		return -1;
	}
	return 0;
}

/*
 * The first control character of s (C0, DEL, or a C1 control encoded in
 * UTF-8: terminals act on U+009B as on ESC [), or NULL.
 */
static const char *
silence_control(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return (const char *)p;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return (const char *)p;
	}
	return NULL;
}

/* Valid UTF-8 without control characters, 1 to max bytes. */
static int
silence_check_text(const char *what, const char *s, size_t max, char **cause)
{
	const char	*c;
	size_t		 len = strlen(s);

	if (len == 0) {
		xasprintf(cause, "%s: empty", what);
		return -1;
	}
	if (len > max) {
		xasprintf(cause, "%s: %zu bytes, at most %zu", what, len, max);
		return -1;
	}
	if ((c = silence_control(s)) != NULL) {
		xasprintf(cause, "%s: control character 0x%02x at byte %zu "
		    "(not allowed)", what, (unsigned char)*c == 0xc2 ?
		    (unsigned char)c[1] : (unsigned char)*c,
		    (size_t)(c - s) + 1);
		return -1;
	}
	if (!utf8_valid(s, len)) {
		xasprintf(cause, "%s: not valid UTF-8", what);
		return -1;
	}
	return 0;
}

/* Every byte of s in [a-z0-9_.-]. */
static int
silence_name_chars(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '.' || *s == '-'))
			return 0;
	}
	return 1;
}

int
silence_check_client(const char *client, char **cause)
{
	char	show[SILENCE_SHOW];
	size_t	len = strlen(client);

	if (len == 0 || len >= METRIC_CLIENT_MAX || !silence_name_chars(client) ||
	    client[0] == '_' || client[0] == '.' || client[0] == '-') {
		xasprintf(cause, "client \"%s\": not a client id "
		    "([a-z0-9][a-z0-9_.-]*, at most %d characters)",
		    silence_show(client, show, sizeof show),
		    METRIC_CLIENT_MAX - 1);
		return -1;
	}
	return 0;
}

int
silence_check_campaign(const char *campaign, char **cause)
{
	size_t	len = strlen(campaign);

	if (silence_check_text("campaign", campaign, METRIC_CAMPAIGN_MAX - 1,
	    cause) != 0)
		return -1;
	if (utf8_blank(campaign, len) != 0 ||
	    utf8_blank_end(campaign, len) != 0) {
		xasprintf(cause, "campaign: blank at its start or end (stored "
		    "campaign names have none, so it would never match)");
		return -1;
	}
	return 0;
}

int
silence_check_rule(const char *rule, char **cause)
{
	char	show[SILENCE_SHOW];
	size_t	len = strlen(rule);

	if (len == 0 || len > SILENCE_RULE_MAX || !silence_name_chars(rule)) {
		xasprintf(cause, "rule \"%s\": not a rule name ([a-z0-9_.-], 1 "
		    "to %d characters, e.g. roi_low)",
		    silence_show(rule, show, sizeof show), SILENCE_RULE_MAX);
		return -1;
	}
	return 0;
}

int
silence_check_reason(const char *reason, char **cause)
{
	const char	*p;
	size_t		 len, b;

	if (silence_check_text("reason", reason, SILENCE_REASON_MAX,
	    cause) != 0)
		return -1;
	for (p = reason, len = strlen(reason); len > 0; p += b, len -= b) {
		if ((b = utf8_blank(p, len)) == 0)
			return 0;
	}
	xasprintf(cause, "reason: only blanks (say why, for whoever reads "
	    "`roiwatch silence list` later)");
	return -1;
}

int
silence_check(const struct silence *sil, int64_t now, char **cause)
{
	if (silence_check_client(sil->client, cause) != 0)
		return -1;
	if (sil->campaign[0] != '\0' &&
	    silence_check_campaign(sil->campaign, cause) != 0)
		return -1;
	if (sil->rule[0] != '\0' && silence_check_rule(sil->rule, cause) != 0)
		return -1;
	if (silence_check_reason(sil->reason, cause) != 0)
		return -1;
	return silence_check_until(sil->until, NULL, now, cause);
}

int64_t
silence_end(const struct silence *sil)
{
	if (sil->removed != 0 && sil->removed < sil->until)
		return sil->removed;
	return sil->until;
}

int
silence_active(const struct silence *sil, int64_t now)
{
	return sil->removed == 0 && now < sil->until;
}

char *
silence_format_local(const struct tz *tz, int64_t t, char *buf, size_t len)
{
	int64_t		 local = silence_local_secs(tz, t);
	int32_t		 day, sec, off;
	int		 y;
	unsigned	 m, d;
	char		 tail[8] = "";

	/* Floor division: instants before 1970 too. */
	day = (int32_t)(local / 86400 - (local % 86400 < 0));
	sec = (int32_t)(local - (int64_t)day * 86400);
	off = (int32_t)(local - t);
	metric_civil_from_days(day, &y, &m, &d);
	if (sec % 60 != 0)
		snprintf(tail, sizeof tail, ":%02d", (int)(sec % 60));
	snprintf(buf, len, "%04d-%02u-%02u %02d:%02d%s %c%02d:%02d", y, m, d,
	    (int)(sec / 3600), (int)(sec / 60 % 60), tail, off < 0 ? '-' : '+',
	    (int)(off < 0 ? -off : off) / 3600,
	    (int)(off < 0 ? -off : off) / 60 % 60);
	return buf;
}
