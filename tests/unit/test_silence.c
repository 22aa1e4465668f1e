/*
 * Silences: the end an operator writes read on the client's clock (DST days
 * of Europe/Paris included), the checks of the texts, and the store side --
 * matching semantics, removal, expiry, pruning, persistence across a close
 * and reopen -- and the notices held for quiet hours.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metric.h"
#include "silence.h"
#include "store.h"
#include "tz.h"

#define H	3600
#define D	86400

/* Unix time of a UTC civil time. */
static int64_t
utc(int y, unsigned mo, unsigned d, int h, int mi)
{
	return (int64_t)metric_days_from_civil(y, mo, d) * D + h * H + mi * 60;
}

/* The zone, or skip the test when tzdata is not installed. */
static struct tz *
load(const char *name)
{
	struct tz	*tz;
	char		*cause = NULL;

	if ((tz = tz_load(name, &cause)) != NULL)
		return tz;
	if (strstr(cause, "No such file") != NULL) {
		free(cause);
		skip();
	}
	fail_msg("tz_load %s: %s", name, cause);
	return NULL;
}

/* silence_parse_until() of when at now must give want. */
static void
until_is(const struct tz *tz, int64_t now, const char *when, int64_t want)
{
	int64_t	 got = 0;
	char	*cause = NULL;

	if (silence_parse_until(when, tz, now, &got, &cause) != 0)
		fail_msg("\"%s\": %s", when, cause);
	if (got != want)
		fail_msg("\"%s\": got %lld, want %lld (%+lld s)", when,
		    (long long)got, (long long)want, (long long)(got - want));
}

/* silence_parse_until() must refuse when, with a cause holding `says`. */
static void
until_refused(const struct tz *tz, int64_t now, const char *when,
    const char *says)
{
	int64_t	 got = 0;
	char	*cause = NULL;

	if (silence_parse_until(when, tz, now, &got, &cause) == 0)
		fail_msg("\"%s\" accepted (%lld)", when, (long long)got);
	assert_non_null(cause);
	if (strstr(cause, says) == NULL)
		fail_msg("\"%s\": cause \"%s\" lacks \"%s\"", when, cause, says);
	free(cause);
}

static void
test_until_durations(void **state)
{
	struct tz	*tz = load("Europe/Paris");
	int64_t		 now = utc(2026, 12, 1, 10, 0);

	(void)state;
	until_is(tz, now, "30m", now + 30 * 60);
	until_is(tz, now, "2h", now + 2 * H);
	until_is(tz, now, "3d", now + 3 * D);
	until_is(tz, now, "1w", now + 7 * D);
	until_is(tz, now, "1h30m", now + 90 * 60);
	until_is(tz, now, "90d", now + 90 * D);
	until_refused(tz, now, "90d1m", "more than 90 days ahead");
	until_refused(tz, now, "13w", "more than 90 days ahead");
	until_refused(tz, now, "9999999999m", "more than 90 days");
	until_refused(tz, now, "0m", "no time");
	until_refused(tz, now, "3", "not a duration");
	until_refused(tz, now, "3x", "not a duration");
	until_refused(tz, now, "2h30", "not a duration");
	until_refused(tz, now, "m", "not a date");
	until_refused(tz, now, "-3d", "not a date");
	until_refused(tz, now, "", "empty");
	tz_free(tz);
}

static void
test_until_dates(void **state)
{
	struct tz	*tz = load("Europe/Paris");
	int64_t		 now = utc(2026, 12, 1, 10, 0);

	(void)state;
	/* A date: through that local day, to the next local midnight. */
	until_is(tz, now, "2026-12-05", utc(2026, 12, 5, 23, 0));
	until_is(tz, now, "2026-12-01", utc(2026, 12, 1, 23, 0));
	until_is(tz, now, "2026-12-05 09:00", utc(2026, 12, 5, 8, 0));
	until_is(tz, now, "2026-12-05T09:00", utc(2026, 12, 5, 8, 0));
	until_is(tz, now, "2026-12-05 09:00:30", utc(2026, 12, 5, 8, 0) + 30);
	until_refused(tz, now, "2026-11-30", "in the past");
	until_refused(tz, now, "2026-12-01 11:00", "in the past");
	until_refused(tz, now, "2026-12-01 11:00", "now is 2026-12-01 11:00");
	until_refused(tz, now, "2027-03-01", "more than 90 days ahead");
	until_refused(tz, now, "2027-03-01", "2027-03-01 11:00 +01:00 at the "
	    "latest");
	until_refused(tz, now, "2026-02-30", "not a date");
	until_refused(tz, now, "2026-12-05 24:00", "not a date");
	until_refused(tz, now, "2026-12-05 9:00", "not a date");
	until_refused(tz, now, "2026-12-05  09:00", "not a date");
	until_refused(tz, now, "2026-12-05 09:60", "not a date");
	until_refused(tz, now, "2026-12-05x", "not a date");
	until_refused(tz, now, "2026-12-05 09:00Z", "not a date");
	/* The operator's text is escaped in the message. */
	until_refused(tz, now, "2026-12-05\x1b[31m", "\\x1b[31m");
	tz_free(tz);
}

/*
 * The days of Europe/Paris's changes in 2026: on 29 March the clocks jump
 * from 02:00 to 03:00 (the day lasts 23 h), on 25 October they go back from
 * 03:00 to 02:00 (25 h).
 */
static void
test_until_dst(void **state)
{
	struct tz	*tz = load("Europe/Paris");
	int64_t		 now = utc(2026, 3, 20, 12, 0);

	(void)state;
	/* Through the 23-hour day: its end is 22:00 UTC (00:00 CEST). */
	until_is(tz, now, "2026-03-29", utc(2026, 3, 29, 22, 0));
	until_is(tz, now, "2026-03-28", utc(2026, 3, 28, 23, 0));
	until_is(tz, now, "2026-03-29 01:59", utc(2026, 3, 29, 0, 59));
	/*
	 * 02:30 does not exist that night: the silence ends when the clock
	 * first reads 02:30 or later, at the jump, 03:00 CEST = 01:00 UTC
	 * (not 03:30, mktime's reading).
	 */
	until_is(tz, now, "2026-03-29 02:30", utc(2026, 3, 29, 1, 0));
	until_is(tz, now, "2026-03-29 02:00", utc(2026, 3, 29, 1, 0));
	until_is(tz, now, "2026-03-29 03:00", utc(2026, 3, 29, 1, 0));
	until_is(tz, now, "2026-03-29 03:30", utc(2026, 3, 29, 1, 30));
	/* "3d" is 72 hours, across the change too. */
	until_is(tz, utc(2026, 3, 28, 12, 0), "3d", utc(2026, 3, 31, 12, 0));

	/* 02:30 occurs twice on 25 October: the first one, CEST. */
	now = utc(2026, 10, 20, 12, 0);
	until_is(tz, now, "2026-10-25 02:30", utc(2026, 10, 25, 0, 30));
	until_is(tz, now, "2026-10-25 03:00", utc(2026, 10, 25, 2, 0));
	until_is(tz, now, "2026-10-25", utc(2026, 10, 25, 23, 0));
	tz_free(tz);
}

static void
test_format_local(void **state)
{
	struct tz	*tz = load("Europe/Paris");
	struct tz	*ny = load("America/New_York");
	char		 buf[SILENCE_LOCAL_MAX];

	(void)state;
	assert_string_equal(silence_format_local(tz, utc(2026, 12, 5, 23, 0),
	    buf, sizeof buf), "2026-12-06 00:00 +01:00");
	assert_string_equal(silence_format_local(tz, utc(2026, 3, 29, 1, 0),
	    buf, sizeof buf), "2026-03-29 03:00 +02:00");
	assert_string_equal(silence_format_local(ny, utc(2026, 12, 5, 23, 0) +
	    7, buf, sizeof buf), "2026-12-05 18:00:07 -05:00");
	assert_string_equal(silence_format_local(NULL, utc(2026, 12, 5, 23, 0),
	    buf, sizeof buf), "2026-12-05 23:00 +00:00");
	tz_free(tz);
	tz_free(ny);
}

/* f(s) must refuse s, with a cause holding `says`. */
static void
refused(int (*f)(const char *, char **), const char *s, const char *says)
{
	char	*cause = NULL;

	if (f(s, &cause) == 0)
		fail_msg("\"%s\" accepted", s);
	if (strstr(cause, says) == NULL)
		fail_msg("\"%s\": cause \"%s\" lacks \"%s\"", s, cause, says);
	free(cause);
}

static void
accepted(int (*f)(const char *, char **), const char *s)
{
	char	*cause = NULL;

	if (f(s, &cause) != 0)
		fail_msg("\"%s\" refused: %s", s, cause);
}

static void
test_texts(void **state)
{
	char	long_text[SILENCE_REASON_MAX + 2];

	(void)state;
	accepted(silence_check_reason, "deploy of the new shop, ask Léa");
	refused(silence_check_reason, "", "reason: empty");
	refused(silence_check_reason, " \xc2\xa0 ", "only blanks");
	refused(silence_check_reason, "red \x1b[31m", "control character 0x1b "
	    "at byte 5");
	refused(silence_check_reason, "tab\there", "control character 0x09");
	refused(silence_check_reason, "del\x7f", "control character 0x7f");
	/* U+009B, CSI in a terminal: a C1 control. */
	refused(silence_check_reason, "c1 \xc2\x9b" "31m", "control character "
	    "0x9b at byte 4");
	refused(silence_check_reason, "bad \xff utf-8", "not valid UTF-8");
	memset(long_text, 'x', sizeof long_text);
	long_text[SILENCE_REASON_MAX] = '\0';
	accepted(silence_check_reason, long_text);
	long_text[SILENCE_REASON_MAX] = 'x';
	long_text[SILENCE_REASON_MAX + 1] = '\0';
	refused(silence_check_reason, long_text, "501 bytes, at most 500");

	accepted(silence_check_rule, "roi_low");
	accepted(silence_check_rule, "kpi.cpa-max_2");
	refused(silence_check_rule, "", "not a rule name");
	refused(silence_check_rule, "ROI_LOW", "not a rule name");
	refused(silence_check_rule, "roi low", "not a rule name");
	refused(silence_check_rule, "roi\x1b", "\\x1b");
	memset(long_text, 'r', 65);
	long_text[65] = '\0';
	refused(silence_check_rule, long_text, "1 to 64");
	long_text[64] = '\0';
	accepted(silence_check_rule, long_text);

	accepted(silence_check_campaign, "Vols été");
	refused(silence_check_campaign, "", "campaign: empty");
	refused(silence_check_campaign, " Summer", "blank at its start");
	refused(silence_check_campaign, "Summer\xc2\xa0", "blank at its start "
	    "or end");
	refused(silence_check_campaign, "a\nb", "control character 0x0a");
	memset(long_text, 'c', 200);
	long_text[200] = '\0';
	refused(silence_check_campaign, long_text, "at most 199");

	accepted(silence_check_client, "acme");
	accepted(silence_check_client, "a.b_c-9");
	refused(silence_check_client, "", "not a client id");
	refused(silence_check_client, "-acme", "not a client id");
	refused(silence_check_client, "Acme", "not a client id");
}

/* The store ------------------------------------------------------------ */

struct fixture {
	char		 dir[256];
	char		 path[300];
	struct store	*s;
};

static int
setup(void **state)
{
	struct fixture	*f;
	const char	*tmp = getenv("TMPDIR");
	char		*cause = NULL;

	f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "%s/test_silence.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/roiwatch.db", f->dir);
	if ((f->s = store_open(f->path, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 p[400];

	store_free(f->s);
	unlink(f->path);
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
reopen(struct fixture *f)
{
	char	*cause = NULL;

	store_free(f->s);
	if ((f->s = store_open(f->path, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
}

#define NOW	((int64_t)1796000000)	/* 2026-11-30 */

static int64_t
add(struct store *s, const char *client, const char *campaign,
    const char *rule, int64_t until)
{
	struct silence	 sil;
	char		*cause = NULL;
	int64_t		 id;

	memset(&sil, 0, sizeof sil);
	snprintf(sil.client, sizeof sil.client, "%s", client);
	snprintf(sil.campaign, sizeof sil.campaign, "%s",
	    campaign != NULL ? campaign : "");
	snprintf(sil.rule, sizeof sil.rule, "%s", rule != NULL ? rule : "");
	snprintf(sil.reason, sizeof sil.reason, "test");
	sil.until = until;
	if ((id = store_silence_add(s, &sil, NOW, &cause)) == -1)
		fail_msg("store_silence_add: %s", cause);
	assert_true(id > 0);
	return id;
}

/* store_silence_match() at now: the id of the silence found, 0 for none. */
static int64_t
match(struct store *s, const char *client, const char *campaign,
    const char *rule, int64_t now)
{
	int64_t	 id = -1, until = -1;
	char	*cause = NULL;
	int	 rc;

	rc = store_silence_match(s, client, campaign, rule, now, &id, &until,
	    &cause);
	if (rc == -1)
		fail_msg("store_silence_match: %s", cause);
	if (rc == 0)
		return 0;
	assert_true(until > now);
	return id;
}

static void
test_match_scope(void **state)
{
	struct fixture	*f = *state;
	int64_t		 all, camp, rule, both;

	all = add(f->s, "a", NULL, NULL, NOW + H);
	camp = add(f->s, "b", "Summer", NULL, NOW + H);
	rule = add(f->s, "c", NULL, "roi_low", NOW + H);
	both = add(f->s, "d", "Summer", "roi_low", NOW + H);

	/* No campaign, no rule: every campaign, every rule, and the
	 * subjects of no campaign or no rule. */
	assert_int_equal(match(f->s, "a", "Summer", "roi_low", NOW), all);
	assert_int_equal(match(f->s, "a", "Winter", "roi_target", NOW), all);
	assert_int_equal(match(f->s, "a", NULL, "roi_low", NOW), all);
	assert_int_equal(match(f->s, "a", NULL, NULL, NOW), all);
	/* One campaign: that campaign alone, every rule of it. */
	assert_int_equal(match(f->s, "b", "Summer", "roi_low", NOW), camp);
	assert_int_equal(match(f->s, "b", "Summer", "roi_target", NOW), camp);
	assert_int_equal(match(f->s, "b", "Summer", NULL, NOW), camp);
	assert_int_equal(match(f->s, "b", "Winter", "roi_low", NOW), 0);
	assert_int_equal(match(f->s, "b", "summer", "roi_low", NOW), 0);
	assert_int_equal(match(f->s, "b", NULL, "roi_low", NOW), 0);
	/* One rule: that rule alone, on every campaign. */
	assert_int_equal(match(f->s, "c", "Summer", "roi_low", NOW), rule);
	assert_int_equal(match(f->s, "c", NULL, "roi_low", NOW), rule);
	assert_int_equal(match(f->s, "c", "Summer", "roi_target", NOW), 0);
	assert_int_equal(match(f->s, "c", "Summer", NULL, NOW), 0);
	/* Both. */
	assert_int_equal(match(f->s, "d", "Summer", "roi_low", NOW), both);
	assert_int_equal(match(f->s, "d", "Summer", "roi_target", NOW), 0);
	assert_int_equal(match(f->s, "d", "Winter", "roi_low", NOW), 0);
	/* Another client's silence never matches. */
	assert_int_equal(match(f->s, "e", "Summer", "roi_low", NOW), 0);
	assert_int_equal(match(f->s, "e", NULL, NULL, NOW), 0);
	assert_int_equal(match(f->s, "", NULL, NULL, NOW), 0);
}

static void
test_match_time(void **state)
{
	struct fixture	*f = *state;
	int64_t		 shorter, longer, id, until = 0;
	char		*cause = NULL;

	shorter = add(f->s, "a", NULL, NULL, NOW + H);
	longer = add(f->s, "a", "Summer", NULL, NOW + 2 * H);
	/* Several cover it: the one that ends last, with its end. */
	assert_int_equal(store_silence_match(f->s, "a", "Summer", "roi_low",
	    NOW, &id, &until, &cause), 1);
	assert_int_equal(id, longer);
	assert_int_equal(until, NOW + 2 * H);
	assert_int_equal(match(f->s, "a", "Winter", NULL, NOW), shorter);
	/* Silent while now < until: expired at until. */
	assert_int_equal(match(f->s, "a", "Winter", NULL, NOW + H - 1),
	    shorter);
	assert_int_equal(match(f->s, "a", "Winter", NULL, NOW + H), 0);
	assert_int_equal(match(f->s, "a", "Summer", NULL, NOW + H), longer);
	assert_int_equal(match(f->s, "a", "Summer", NULL, NOW + 2 * H), 0);
}

static void
test_remove(void **state)
{
	struct fixture	*f = *state;
	struct silence	 sil;
	int64_t		 id, other;
	char		*cause = NULL;

	id = add(f->s, "a", NULL, NULL, NOW + H);
	other = add(f->s, "a", NULL, "roi_low", NOW + H);
	assert_int_equal(store_silence_remove(f->s, id, NOW + 60, &cause), 1);
	/* Removed: no longer matches; the other silence still does. */
	assert_int_equal(match(f->s, "a", "x", "roi_target", NOW + 61), 0);
	assert_int_equal(match(f->s, "a", "x", "roi_low", NOW + 61), other);
	/* Kept, marked removed. */
	assert_int_equal(store_silence_get(f->s, id, &sil, &cause), 1);
	assert_int_equal(sil.removed, NOW + 60);
	assert_int_equal(sil.until, NOW + H);
	assert_int_equal(silence_end(&sil), NOW + 60);
	assert_false(silence_active(&sil, NOW + 61));
	/* Twice, unknown, expired: nothing to end. */
	assert_int_equal(store_silence_remove(f->s, id, NOW + 120, &cause), 0);
	assert_int_equal(store_silence_remove(f->s, 999, NOW, &cause), 0);
	assert_int_equal(store_silence_get(f->s, 999, &sil, &cause), 0);
	assert_int_equal(store_silence_remove(f->s, other, NOW + H, &cause), 0);
	assert_int_equal(store_silence_get(f->s, other, &sil, &cause), 1);
	assert_int_equal(sil.removed, 0);
}

static void
test_list_prune_persist(void **state)
{
	struct fixture	*f = *state;
	struct silence	*list;
	size_t		 n;
	int64_t		 a1, a2, b1, gone;
	char		*cause = NULL;

	a2 = add(f->s, "a", "Summer", "roi_low", NOW + 2 * H);
	a1 = add(f->s, "a", NULL, NULL, NOW + H);
	b1 = add(f->s, "b", NULL, NULL, NOW + 3 * H);
	gone = add(f->s, "b", NULL, NULL, NOW + 3 * H);
	assert_int_equal(store_silence_remove(f->s, gone, NOW + 10, &cause), 1);

	/* Survives a close and reopen, fields intact. */
	reopen(f);
	assert_int_equal(store_silence_list(f->s, NULL, 0, NOW + 20, &list, &n,
	    &cause), 0);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].id, a1);	/* by client, end */
	assert_int_equal(list[1].id, a2);
	assert_string_equal(list[1].client, "a");
	assert_string_equal(list[1].campaign, "Summer");
	assert_string_equal(list[1].rule, "roi_low");
	assert_string_equal(list[1].reason, "test");
	assert_int_equal(list[1].created, NOW);
	assert_int_equal(list[1].until, NOW + 2 * H);
	assert_int_equal(list[1].removed, 0);
	assert_int_equal(list[2].id, b1);
	free(list);
	assert_int_equal(match(f->s, "a", "Summer", "roi_low", NOW + 20), a2);

	/* One client; ended ones only with all. */
	assert_int_equal(store_silence_list(f->s, "b", 0, NOW + 20, &list, &n,
	    &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, b1);
	free(list);
	assert_int_equal(store_silence_list(f->s, "a", 0, NOW + H, &list, &n,
	    &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, a2);
	free(list);
	assert_int_equal(store_silence_list(f->s, NULL, 1, NOW + 4 * H, &list,
	    &n, &cause), 0);
	assert_int_equal(n, 4);
	free(list);
	assert_int_equal(store_silence_list(f->s, "z", 1, NOW, &list, &n,
	    &cause), 0);
	assert_int_equal(n, 0);
	assert_null(list);

	/* Pruned once they ended before `before`: the removed one by its
	 * removal, the others by their end. */
	assert_int_equal(store_silence_prune(f->s, NOW + 10, &cause), 0);
	assert_int_equal(store_silence_prune(f->s, NOW + 11, &cause), 1);
	assert_int_equal(store_silence_prune(f->s, NOW + 2 * H + 1, &cause), 2);
	assert_int_equal(store_silence_list(f->s, NULL, 1, NOW, &list, &n,
	    &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, b1);
	free(list);
	/* Ids are never reused. */
	assert_true(add(f->s, "a", NULL, NULL, NOW + H) > gone);
}

static void
test_add_refused(void **state)
{
	struct fixture	*f = *state;
	struct silence	*list, sil;
	size_t		 n;
	char		*cause = NULL;

	memset(&sil, 0, sizeof sil);
	snprintf(sil.client, sizeof sil.client, "a");
	snprintf(sil.reason, sizeof sil.reason, "why \x1b[2J");
	sil.until = NOW + H;
	assert_int_equal(store_silence_add(f->s, &sil, NOW, &cause), -1);
	assert_non_null(strstr(cause, "control character"));
	free(cause);
	snprintf(sil.reason, sizeof sil.reason, "ok");
	sil.until = NOW;
	assert_int_equal(store_silence_add(f->s, &sil, NOW, &cause), -1);
	assert_non_null(strstr(cause, "in the past"));
	free(cause);
	sil.until = NOW + SILENCE_MAX_AHEAD + 1;
	assert_int_equal(store_silence_add(f->s, &sil, NOW, &cause), -1);
	assert_non_null(strstr(cause, "more than 90 days ahead"));
	free(cause);
	sil.until = NOW + H;
	snprintf(sil.rule, sizeof sil.rule, "Bad rule");
	assert_int_equal(store_silence_add(f->s, &sil, NOW, &cause), -1);
	assert_non_null(strstr(cause, "rule"));
	free(cause);
	sil.rule[0] = '\0';
	snprintf(sil.client, sizeof sil.client, "A");
	assert_int_equal(store_silence_add(f->s, &sil, NOW, &cause), -1);
	assert_non_null(strstr(cause, "client"));
	free(cause);
	assert_int_equal(store_silence_list(f->s, NULL, 1, NOW, &list, &n,
	    &cause), 0);
	assert_int_equal(n, 0);
}

/* Held notices ----------------------------------------------------------- */

static void
take(struct store *s, const char *client, size_t want_n, const char **want)
{
	char	**p, *cause = NULL;
	size_t	  n, i;

	if (store_begin(s, &cause) != 0 ||
	    store_held_take(s, client, &p, &n, &cause) != 0 ||
	    store_commit(s, &cause) != 0)
		fail_msg("take %s: %s", client, cause);
	assert_int_equal(n, want_n);
	for (i = 0; i < n; i++)
		assert_string_equal(p[i], want[i]);
	store_held_free(p, n);
}

static void
clients_are(struct store *s, size_t want_n, const char **want)
{
	char	**c, *cause = NULL;
	size_t	  n, i;

	if (store_held_clients(s, &c, &n, &cause) != 0)
		fail_msg("held clients: %s", cause);
	assert_int_equal(n, want_n);
	for (i = 0; i < n; i++)
		assert_string_equal(c[i], want[i]);
	store_held_free(c, n);
}

static void
test_held(void **state)
{
	struct fixture	*f = *state;
	static const char *ab[] = { "a", "b" }, *b[] = { "b" };
	static const char *a3[] = { "{\"n\":1}", "{\"n\":2}", "{\"n\":3}" };
	static const char *b1[] = { "{\"b\":1}" };
	char		**p, *cause = NULL;
	size_t		  n;
	int64_t		  id1, id2;

	clients_are(f->s, 0, NULL);
	id1 = store_held_add(f->s, "b", b1[0], NOW, &cause);
	id2 = store_held_add(f->s, "a", a3[0], NOW, &cause);
	assert_true(id1 > 0 && id2 > id1);
	assert_true(store_held_add(f->s, "a", a3[1], NOW + 1, &cause) > id2);
	assert_true(store_held_add(f->s, "a", a3[2], NOW + 2, &cause) > id2);
	assert_int_equal(store_held_add(f->s, "a", "", NOW, &cause), -1);
	assert_non_null(strstr(cause, "payload"));
	free(cause);
	clients_are(f->s, 2, ab);

	/* Outside a transaction: refused, nothing taken. */
	assert_int_equal(store_held_take(f->s, "a", &p, &n, &cause), -1);
	assert_non_null(strstr(cause, "outside a transaction"));
	free(cause);
	/* A rollback keeps them held. */
	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_held_take(f->s, "a", &p, &n, &cause), 0);
	assert_int_equal(n, 3);
	store_held_free(p, n);
	store_rollback(f->s);

	/* Persist; taken in the order held, once; the other client's stay. */
	reopen(f);
	take(f->s, "a", 3, a3);
	take(f->s, "a", 0, NULL);
	clients_are(f->s, 1, b);
	take(f->s, "b", 1, b1);
	clients_are(f->s, 0, NULL);
	take(f->s, "nobody", 0, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_until_durations),
		cmocka_unit_test(test_until_dates),
		cmocka_unit_test(test_until_dst),
		cmocka_unit_test(test_format_local),
		cmocka_unit_test(test_texts),
		cmocka_unit_test_setup_teardown(test_match_scope, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_match_time, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_prune_persist, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_held, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
