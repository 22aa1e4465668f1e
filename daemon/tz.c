/*
 * IANA time zones (see tz.h): a TZif reader (RFC 8536) and the POSIX TZ rules
 * of its footer, written here rather than borrowed from libc because
 * localtime() works on one process-global zone chosen by the TZ variable,
 * while the daemon serves many clients, each in its own zone, and wants
 * every conversion pure.
 *
 * A loaded zone is a sorted table of transitions, each with the UTC offset
 * in effect from it on, the offset before the first one, and the footer's
 * rule for instants on or after the last one. Every query reduces to one
 * question, answered by tz_segment(): which offset is in effect at t, and
 * when may it change next. Day starts and local-to-UTC conversions walk
 * these segments over a window of a few days around the wanted local time.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metric.h"
#include "tz.h"
#include "xmalloc.h"

#define TZ_DEFAULT_DIR	"/usr/share/zoneinfo"
#define TZ_FILE_MAX	(1024 * 1024)	/* real TZif files are under 4 KiB */
#define TZ_FOOTER_MAX	255		/* bytes of a footer TZ string */
#define TZ_HEADER_LEN	44
#define TZ_UTOFF_MIN	(-89999)	/* RFC 8536 bounds on offsets */
#define TZ_UTOFF_MAX	93599
#define TZ_DAY		86400
/* More than any offset: a window this wide around a local time holds every
 * instant that can show it. */
#define TZ_SPAN		(2 * TZ_DAY)
/* Instants are clamped so that local days fit an int32_t. */
#define TZ_T_MAX	((int64_t)(INT32_MAX - 2) * TZ_DAY)
#define TZ_T_MIN	(-TZ_T_MAX)
/* The Gregorian calendar repeats every 400 years, and so do POSIX rules:
 * instants further than TZ_RULE_SPAN from 1970 are brought back by whole
 * cycles before the rule is applied, so years stay small. */
#define TZ_CYCLE	((int64_t)146097 * TZ_DAY)
#define TZ_RULE_SPAN	((int64_t)1 << 40)

enum tz_date_kind {
	TZ_DATE_JULIAN,		/* Jn: 1..365, February 29 never counted */
	TZ_DATE_ZERO,		/* n: 0..365, February 29 counted */
	TZ_DATE_MONTH,		/* Mm.w.d: day d of week w (5 = last) of month m */
};

struct tz_date {
	enum tz_date_kind kind;
	int		 n;
	int		 m;
	int		 w;
	int		 d;
	int32_t		 time;	/* local seconds after midnight, -167h..167h */
};

/* A POSIX TZ string: standard time, and optionally daylight time between
 * two dates of every year. */
struct tz_rule {
	int32_t		 std_off;	/* seconds east of UTC */
	int		 has_dst;
	int32_t		 dst_off;
	struct tz_date	 start;		/* in local standard time */
	struct tz_date	 end;		/* in local daylight time */
};

struct tz {
	char		*name;
	size_t		 ntrans;
	int64_t		*trans;		/* strictly increasing */
	int32_t		*toff;		/* offset from trans[i] on */
	int32_t		 off0;		/* offset before trans[0] (type 0) */
	int		 has_rule;	/* footer applies from the last one */
	struct tz_rule	 rule;
};

/* One transition of a rule, while finding the one in effect. */
struct tz_change {
	int64_t		 at;
	int32_t		 off;
	int		 starts_dst;
};

static int64_t
tz_floordiv(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t
tz_clamp(int64_t t)
{
	if (t > TZ_T_MAX)
		return TZ_T_MAX;
	if (t < TZ_T_MIN)
		return TZ_T_MIN;
	return t;
}

static int
tz_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
tz_month_days(int y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && tz_is_leap(y))
		return 29;
	return days[m - 1];
}

/* Day (since 1970-01-01) on which date rule d falls in year y. */
static int64_t
tz_rule_day(const struct tz_date *d, int y)
{
	int64_t	 first, day;
	int	 wday, n;

	switch (d->kind) {
	case TZ_DATE_JULIAN:
		n = d->n - 1;
		if (tz_is_leap(y) && d->n >= 60)
			n++;
		return (int64_t)metric_days_from_civil(y, 1, 1) + n;
	case TZ_DATE_ZERO:
		return (int64_t)metric_days_from_civil(y, 1, 1) + d->n;
	case TZ_DATE_MONTH:
		break;
	}
	first = metric_days_from_civil(y, (unsigned)d->m, 1);
	wday = (int)(((first % 7) + 7 + 4) % 7);	/* 1970-01-01: Thursday */
	day = first + (d->d - wday + 7) % 7 + 7 * (d->w - 1);
	while (day >= first + tz_month_days(y, d->m))
		day -= 7;
	return day;
}

/*
 * The offset of a daylight-saving rule at t, and the next instant after t
 * when it changes. The changes of the years around t are listed and sorted:
 * this serves both hemispheres, rules whose times spill into a neighbouring
 * year (RFC 8536 allows -167h..167h) and all-year daylight time
 * ("EST5EDT,0/0,J365/25"), where a year's end meets the next year's start
 * and the start, sorted last, wins.
 */
static int32_t
tz_rule_segment(const struct tz_rule *r, int64_t t, int64_t *next)
{
	struct tz_change c[10], tmp;
	int64_t		 shift = 0, k, n;
	int32_t		 off;
	int		 y, i, j, nc = 0;
	unsigned	 m, d;

	if (!r->has_dst) {
		*next = INT64_MAX;
		return r->std_off;
	}
	if (t > TZ_RULE_SPAN) {
		k = (t - TZ_RULE_SPAN) / TZ_CYCLE + 1;
		shift = k * TZ_CYCLE;
	} else if (t < -TZ_RULE_SPAN) {
		k = (-TZ_RULE_SPAN - t) / TZ_CYCLE + 1;
		shift = -k * TZ_CYCLE;
	}
	t -= shift;

	metric_civil_from_days((int32_t)tz_floordiv(t + r->std_off, TZ_DAY),
	    &y, &m, &d);
	for (i = y - 2; i <= y + 2; i++) {
		c[nc].at = tz_rule_day(&r->start, i) * TZ_DAY + r->start.time -
		    r->std_off;
		c[nc].off = r->dst_off;
		c[nc++].starts_dst = 1;
		c[nc].at = tz_rule_day(&r->end, i) * TZ_DAY + r->end.time -
		    r->dst_off;
		c[nc].off = r->std_off;
		c[nc++].starts_dst = 0;
	}
	for (i = 1; i < nc; i++) {
		for (j = i; j > 0; j--) {
			if (c[j - 1].at < c[j].at || (c[j - 1].at == c[j].at &&
			    c[j - 1].starts_dst <= c[j].starts_dst))
				break;
			tmp = c[j];
			c[j] = c[j - 1];
			c[j - 1] = tmp;
		}
	}

	off = r->std_off;
	n = INT64_MAX;
	for (i = 0; i < nc; i++) {
		if (c[i].at <= t)
			off = c[i].off;
		else {
			n = c[i].at;
			break;
		}
	}
	if (shift > 0 && n > INT64_MAX - shift)
		n = INT64_MAX;
	else if (n != INT64_MAX)
		n += shift;
	*next = n;
	return off;
}

/* The offset in effect at t, and the next instant after t at which it may
 * change (INT64_MAX: never). */
static int32_t
tz_segment(const struct tz *tz, int64_t t, int64_t *next)
{
	size_t	lo = 0, hi = tz->ntrans, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 && tz->ntrans != 0) {
		*next = tz->trans[0];
		return tz->off0;
	}
	if (lo < tz->ntrans) {
		*next = tz->trans[lo];
		return tz->toff[lo - 1];
	}
	if (tz->has_rule)
		return tz_rule_segment(&tz->rule, t, next);
	*next = INT64_MAX;
	return tz->ntrans == 0 ? tz->off0 : tz->toff[tz->ntrans - 1];
}

int32_t
tz_offset_at(const struct tz *tz, int64_t t)
{
	int64_t	next;

	return tz_segment(tz, t, &next);
}

void
tz_local(const struct tz *tz, int64_t t, int32_t *day, int32_t *sec_of_day)
{
	int64_t	lt, d;

	t = tz_clamp(t);
	lt = t + tz_offset_at(tz, t);
	d = tz_floordiv(lt, TZ_DAY);
	*day = (int32_t)d;
	*sec_of_day = (int32_t)(lt - d * TZ_DAY);
}

/*
 * The first instant whose local time is at or after local time l (seconds
 * since 1970-01-01 on the local clock). Local time only rises within a
 * segment, so it is either where l - offset falls inside a segment or the
 * start of the first segment that jumps past l.
 */
static int64_t
tz_first_at_or_after(const struct tz *tz, int64_t l)
{
	int64_t	a = l - TZ_SPAN, b;
	int32_t	o;

	for (;;) {
		o = tz_segment(tz, a, &b);
		if (a + o >= l)
			return a;
		if (l - o < b)
			return l - o;
		a = b;
	}
}

int64_t
tz_day_start(const struct tz *tz, int32_t day)
{
	return tz_first_at_or_after(tz, (int64_t)day * TZ_DAY);
}

int32_t
tz_day_length(const struct tz *tz, int32_t day)
{
	int64_t	l = (int64_t)day * TZ_DAY;

	return (int32_t)(tz_first_at_or_after(tz, l + TZ_DAY) -
	    tz_first_at_or_after(tz, l));
}

/*
 * Every instant t with t + offset(t) = l lies within TZ_SPAN of l: walk the
 * segments there and keep the first such instant. When none exists (a
 * spring-forward gap), read l with the offset before the gap.
 */
int64_t
tz_local_to_utc(const struct tz *tz, int32_t day, int32_t sec_of_day)
{
	int64_t	l = (int64_t)day * TZ_DAY + sec_of_day;
	int64_t	a = l - TZ_SPAN, b, gap = 0;
	int32_t	o, prev = 0;
	int	have_gap = 0;

	for (;;) {
		o = tz_segment(tz, a, &b);
		if (l - o >= a && l - o < b)
			return l - o;
		if (!have_gap && a + o > l) {
			gap = l - prev;
			have_gap = 1;
		}
		if (b > l + TZ_SPAN)
			break;
		prev = o;
		a = b;
	}
	return have_gap ? gap : l - o;
}

const char *
tz_name(const struct tz *tz)
{
	return tz->name;
}

void
tz_free(struct tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->toff);
	free(tz);
}

/* ---- POSIX TZ strings (footers) ---- */

static int
tz_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
tz_is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* A zone abbreviation: three or more letters, or <...> of letters, digits,
 * '+' and '-' ("<+0530>"). */
static int
tz_posix_name(const char **sp)
{
	const char	*s = *sp;
	size_t		 n = 0;

	if (*s == '<') {
		s++;
		while (tz_is_alpha(*s) || tz_is_digit(*s) || *s == '+' ||
		    *s == '-') {
			s++;
			n++;
		}
		if (*s != '>' || n < 3)
			return -1;
		*sp = s + 1;
		return 0;
	}
	while (tz_is_alpha(*s)) {
		s++;
		n++;
	}
	if (n < 3)
		return -1;
	*sp = s;
	return 0;
}

/* A number of at most `digits` digits, no more than max. */
static int
tz_posix_num(const char **sp, int digits, int max, int *out)
{
	const char	*s = *sp;
	int		 v = 0, n = 0;

	while (tz_is_digit(*s) && n < digits) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || tz_is_digit(*s) || v > max)
		return -1;
	*out = v;
	*sp = s;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh at most maxh, in seconds. */
static int
tz_posix_hms(const char **sp, int maxh, int32_t *out)
{
	const char	*s = *sp;
	int		 sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (tz_posix_num(&s, 3, maxh, &h) != 0)
		return -1;
	if (*s == ':') {
		s++;
		if (tz_posix_num(&s, 2, 59, &m) != 0)
			return -1;
		if (*s == ':') {
			s++;
			if (tz_posix_num(&s, 2, 59, &sec) != 0)
				return -1;
		}
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	*sp = s;
	return 0;
}

/* Jn, n or Mm.w.d, then an optional /time (default 02:00). */
static int
tz_posix_date(const char **sp, struct tz_date *d)
{
	const char	*s = *sp;

	memset(d, 0, sizeof *d);
	if (*s == 'J') {
		s++;
		d->kind = TZ_DATE_JULIAN;
		if (tz_posix_num(&s, 3, 365, &d->n) != 0 || d->n < 1)
			return -1;
	} else if (*s == 'M') {
		s++;
		d->kind = TZ_DATE_MONTH;
		if (tz_posix_num(&s, 2, 12, &d->m) != 0 || d->m < 1 ||
		    *s++ != '.' ||
		    tz_posix_num(&s, 1, 5, &d->w) != 0 || d->w < 1 ||
		    *s++ != '.' ||
		    tz_posix_num(&s, 1, 6, &d->d) != 0)
			return -1;
	} else {
		d->kind = TZ_DATE_ZERO;
		if (tz_posix_num(&s, 3, 365, &d->n) != 0)
			return -1;
	}
	d->time = 2 * 3600;
	if (*s == '/') {
		s++;
		if (tz_posix_hms(&s, 167, &d->time) != 0)
			return -1;
	}
	*sp = s;
	return 0;
}

/*
 * A POSIX TZ string as zic writes it in footers: std offset [dst [offset]
 * [,start[/time],end[/time]]], with the RFC 8536 extensions (times of
 * -167..167 hours, <quoted> names). POSIX offsets count west of UTC, hence
 * the signs. Daylight time without dates takes the US rule, as tzcode does.
 */
static int
tz_posix_parse(const char *s, struct tz_rule *r)
{
	int32_t	v;

	memset(r, 0, sizeof *r);
	if (tz_posix_name(&s) != 0 || tz_posix_hms(&s, 24, &v) != 0)
		return -1;
	r->std_off = -v;
	if (*s == '\0')
		return 0;
	if (tz_posix_name(&s) != 0)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (tz_posix_hms(&s, 24, &v) != 0)
			return -1;
		r->dst_off = -v;
	}
	if (*s == '\0') {
		s = ",M3.2.0,M11.1.0";
	}
	if (*s++ != ',' || tz_posix_date(&s, &r->start) != 0 ||
	    *s++ != ',' || tz_posix_date(&s, &r->end) != 0 || *s != '\0')
		return -1;
	return 0;
}

/* ---- TZif ---- */

struct tzif_counts {
	uint32_t	isutcnt;
	uint32_t	isstdcnt;
	uint32_t	leapcnt;
	uint32_t	timecnt;
	uint32_t	typecnt;
	uint32_t	charcnt;
};

static uint32_t
tzif_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
tzif_i64(const uint8_t *p)
{
	uint64_t	v = (uint64_t)tzif_u32(p) << 32 | tzif_u32(p + 4);

	return (int64_t)v;
}

/* Header at p (len bytes left): magic, version and counts. */
static const char *
tzif_header(const uint8_t *p, size_t len, int *version,
    struct tzif_counts *c)
{
	if (len < TZ_HEADER_LEN)
		return "truncated header";
	if (memcmp(p, "TZif", 4) != 0)
		return "not a TZif file (bad magic)";
	switch (p[4]) {
	case 0:
		*version = 1;
		break;
	case '2':
	case '3':
	case '4':
		*version = p[4] - '0';
		break;
	default:
		return "unknown TZif version";
	}
	c->isutcnt = tzif_u32(p + 20);
	c->isstdcnt = tzif_u32(p + 24);
	c->leapcnt = tzif_u32(p + 28);
	c->timecnt = tzif_u32(p + 32);
	c->typecnt = tzif_u32(p + 36);
	c->charcnt = tzif_u32(p + 40);
	return NULL;
}

/* Bytes of the data block after a header; tsize is 4 (v1) or 8. */
static uint64_t
tzif_block_len(const struct tzif_counts *c, unsigned tsize)
{
	return (uint64_t)c->timecnt * (tsize + 1) + (uint64_t)c->typecnt * 6 +
	    c->charcnt + (uint64_t)c->leapcnt * (tsize + 4) + c->isstdcnt +
	    c->isutcnt;
}

/*
 * Check the data block at p (its length already checked against the input)
 * and fill tz's transitions. Every index and offset is checked before use.
 */
static const char *
tzif_block(struct tz *tz, const uint8_t *p, const struct tzif_counts *c,
    unsigned tsize)
{
	const uint8_t	*times = p, *idx, *types;
	uint32_t	 i;
	int32_t		 utoff;
	int64_t		 t;

	if (c->typecnt == 0)
		return "no local time types";
	if (c->typecnt > 256)
		return "more than 256 local time types";
	if (c->leapcnt != 0)
		return "leap-second zones are not supported";
	if (c->isstdcnt != 0 && c->isstdcnt != c->typecnt)
		return "standard/wall indicator count differs from type count";
	if (c->isutcnt != 0 && c->isutcnt != c->typecnt)
		return "UT/local indicator count differs from type count";
	idx = times + (size_t)c->timecnt * tsize;
	types = idx + c->timecnt;

	for (i = 0; i < c->typecnt; i++) {
		utoff = (int32_t)tzif_u32(types + 6 * i);
		if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX)
			return "UTC offset out of range";
		if (types[6 * i + 4] > 1)
			return "daylight flag is neither 0 nor 1";
		if (c->charcnt != 0 && types[6 * i + 5] >= c->charcnt)
			return "abbreviation index out of range";
	}
	tz->off0 = (int32_t)tzif_u32(types);
	tz->ntrans = c->timecnt;
	tz->trans = xcalloc(c->timecnt, sizeof *tz->trans);
	tz->toff = xcalloc(c->timecnt, sizeof *tz->toff);
	for (i = 0; i < c->timecnt; i++) {
		if (tsize == 8)
			t = tzif_i64(times + 8 * (size_t)i);
		else
			t = (int32_t)tzif_u32(times + 4 * (size_t)i);
		if (i > 0 && t <= tz->trans[i - 1])
			return "transition times out of order";
		if (idx[i] >= c->typecnt)
			return "transition type index out of range";
		tz->trans[i] = t;
		tz->toff[i] = (int32_t)tzif_u32(types + 6 * (size_t)idx[i]);
	}
	return NULL;
}

/* Copy s into buf with bytes other than printable ASCII as '?', cut short. */
static const char *
tz_printable(const char *s, size_t len, char *buf, size_t size)
{
	size_t	i;

	for (i = 0; i < len && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* The footer "\nTZ\n" at p, len bytes; the rule goes into tz. */
static const char *
tzif_footer(struct tz *tz, const uint8_t *p, size_t len, char *why,
    size_t whysize)
{
	const uint8_t	*nl;
	char		 s[TZ_FOOTER_MAX + 1], shown[64];
	size_t		 n;

	if (len == 0 || p[0] != '\n')
		return "missing footer";
	if ((nl = memchr(p + 1, '\n', len - 1)) == NULL)
		return "unterminated footer";
	n = (size_t)(nl - (p + 1));
	if (n > TZ_FOOTER_MAX)
		return "footer TZ string too long";
	if ((size_t)(nl - p) + 1 != len)
		return "unexpected bytes after the footer";
	if (n == 0)
		return NULL;
	memcpy(s, p + 1, n);
	s[n] = '\0';
	if (memchr(s, '\0', n) != NULL || tz_posix_parse(s, &tz->rule) != 0) {
		snprintf(why, whysize, "invalid footer TZ string \"%s\"",
		    tz_printable(s, n, shown, sizeof shown));
		return why;
	}
	tz->has_rule = 1;
	return NULL;
}

struct tz *
tz_from_tzif(const char *name, const void *buf, size_t len, char **cause)
{
	const uint8_t		*p = buf;
	struct tz		*tz;
	struct tzif_counts	 c;
	const char		*err;
	char			 why[128], shown[64];
	uint64_t		 blen;
	size_t			 off;
	int			 version, version2;

	tz = xcalloc(1, sizeof *tz);
	tz->name = xstrdup(name != NULL ? name : "");
	if ((err = tzif_header(p, len, &version, &c)) != NULL)
		goto fail;
	blen = tzif_block_len(&c, 4);
	if (blen > len - TZ_HEADER_LEN) {
		err = "truncated data (counts exceed the file)";
		goto fail;
	}
	if (version == 1) {
		if ((err = tzif_block(tz, p + TZ_HEADER_LEN, &c, 4)) != NULL)
			goto fail;
		if (blen != len - TZ_HEADER_LEN) {
			err = "unexpected bytes after the data";
			goto fail;
		}
		return tz;
	}

	/* Version 2+: skip the 32-bit part for the 64-bit one. */
	off = TZ_HEADER_LEN + (size_t)blen;
	if ((err = tzif_header(p + off, len - off, &version2, &c)) != NULL)
		goto fail;
	if (version2 == 1) {
		err = "second header is version 1";
		goto fail;
	}
	off += TZ_HEADER_LEN;
	blen = tzif_block_len(&c, 8);
	if (blen > len - off) {
		err = "truncated 64-bit data (counts exceed the file)";
		goto fail;
	}
	if ((err = tzif_block(tz, p + off, &c, 8)) != NULL)
		goto fail;
	off += (size_t)blen;
	if ((err = tzif_footer(tz, p + off, len - off, why, sizeof why)) !=
	    NULL)
		goto fail;
	return tz;

fail:
	xasprintf(cause, "time zone %s: %s", tz_printable(tz->name,
	    strlen(tz->name), shown, sizeof shown), err);
	tz_free(tz);
	return NULL;
}

/* ---- Loading ---- */

/* Why name cannot be a zone name, or NULL when it can. */
static const char *
tz_name_check(const char *name)
{
	const char	*s;
	size_t		 len;

	if (name == NULL || *name == '\0')
		return "empty name";
	if ((len = strlen(name)) > TZ_NAME_MAX)
		return "name too long";
	if (name[0] == '/' || name[len - 1] == '/' || strstr(name, "//"))
		return "name must be relative, without empty components";
	for (s = name; *s != '\0'; s++) {
		if (!tz_is_alpha(*s) && !tz_is_digit(*s) && *s != '_' &&
		    *s != '+' && *s != '-' && *s != '/')
			return "name may hold only letters, digits, '_', '+', "
			    "'-' and '/'";
	}
	return NULL;
}

int
tz_name_valid(const char *name)
{
	return tz_name_check(name) == NULL;
}

/* The built-in UTC zone: no transitions, offset 0. */
static struct tz *
tz_utc(void)
{
	struct tz	*tz;

	tz = xcalloc(1, sizeof *tz);
	tz->name = xstrdup("UTC");
	return tz;
}

/* Read the whole regular file at path, at most TZ_FILE_MAX bytes. */
static int
tz_read_file(const char *path, uint8_t **bufp, size_t *lenp, char **why)
{
	struct stat	 st;
	uint8_t		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			xasprintf(why, "unknown zone (no file %s)", path);
		else
			xasprintf(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(why, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
		xasprintf(why, "%s: %s", path, S_ISREG(st.st_mode) ?
		    "larger than a TZif file can be" : "not a regular file");
		close(fd);
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	for (;;) {
		n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(why, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size) {
			xasprintf(why, "%s: grew while being read", path);
			goto fail;
		}
	}
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;

fail:
	free(buf);
	close(fd);
	return -1;
}

struct tz *
tz_load(const char *name, char **cause)
{
	struct tz	*tz;
	const char	*dir, *err;
	char		*path, *why, shown[64];
	uint8_t		*buf;
	size_t		 len;

	if ((err = tz_name_check(name)) != NULL) {
		xasprintf(cause, "time zone \"%s\": %s", name == NULL ? "" :
		    tz_printable(name, strlen(name), shown, sizeof shown), err);
		return NULL;
	}
	if (strcmp(name, "UTC") == 0)
		return tz_utc();
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = TZ_DEFAULT_DIR;
	xasprintf(&path, "%s/%s", dir, name);
	if (tz_read_file(path, &buf, &len, &why) != 0) {
		xasprintf(cause, "time zone %s: %s", name, why);
		free(why);
		free(path);
		return NULL;
	}
	free(path);
	tz = tz_from_tzif(name, buf, len, cause);
	free(buf);
	return tz;
}
