/*
 * Input parsing (see parse.h): format dispatch, transcoding to UTF-8, the CSV
 * row loop, header mapping through presets and explicit mappings, and the
 * conversion of one value into a metric_row field. JSON lives in parse-json.c.
 *
 * Mapping rules. A header matches an explicit mapping (options->columns) first,
 * else the preset's synonyms; each synonym has a rank (its place in the table).
 * Synonyms of a preset are alternatives: for each field only the best-ranked
 * one present is read ("Cost" wins over "Spend"), so that an export carrying
 * two names for one figure is not counted twice. Explicit mappings add up:
 * every explicitly mapped numeric column is summed with the preset's column
 * ("Leads value" mapped to revenue adds to "Purchases conversion value");
 * for text fields an explicit mapping replaces the preset's column.
 *
 * Custom KPIs. A header of options->custom_kpis (unless explicitly mapped to
 * a field) is kept under its KPI name, before the preset is consulted. With
 * keep_unknown_numeric a header that matched nothing at all -- a synonym
 * passed over for a better-ranked one is not unknown -- is kept under its
 * normalised name, unless a custom_kpis name already has it. Names live in
 * parse_ctx.custom for as long as the resolution stands; a row points at
 * them. Values are numbers in micros read like amounts; an unmapped column
 * whose value is not a number is simply not ours, so it is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "currency.h"
#include "log.h"
#include "metric.h"
#include "money.h"
#include "parse.h"
#include "parse-internal.h"
#include "utf8.h"
#include "xmalloc.h"

#define PARSE_PREAMBLE_MAX	5	/* title lines tolerated before a header */
#define PARSE_NUM_MAX		96	/* longest number text accepted */
#define PARSE_UNKNOWN		(-2)	/* resolving: a key that matched nothing */
#define PARSE_HINT_ENCODING	" (set \"encoding\", e.g. \"windows-1252\")"

struct parse_synonym {
	const char		*name;	/* lowercase; " (*)" ends: any "(...)" */
	enum metric_field	 field;
};

struct parse_preset {
	const char			*name;
	const struct parse_synonym	*syn;
	size_t				 nsyn;
	const char			*channel;	/* default channel or NULL */
	int				 skip_totals;	/* "Total: ..." rows */
};

static const struct parse_synonym parse_generic[] = {
	{ "client", MF_CLIENT },
	{ "client_id", MF_CLIENT },
	{ "account", MF_CLIENT },
	{ "campaign", MF_CAMPAIGN },
	{ "campaign_name", MF_CAMPAIGN },
	{ "campaign name", MF_CAMPAIGN },
	{ "channel", MF_CHANNEL },
	{ "source", MF_CHANNEL },
	{ "medium", MF_CHANNEL },
	{ "date", MF_DATE },
	{ "day", MF_DATE },
	{ "reporting starts", MF_DATE },
	{ "cost", MF_COST },
	{ "spend", MF_COST },
	{ "amount spent", MF_COST },
	{ "cost (*)", MF_COST },
	{ "spend (*)", MF_COST },
	{ "amount spent (*)", MF_COST },
	{ "revenue", MF_REVENUE },
	{ "conversion value", MF_REVENUE },
	{ "purchases conversion value", MF_REVENUE },
	{ "value", MF_REVENUE },
	{ "revenue (*)", MF_REVENUE },
	{ "impressions", MF_IMPRESSIONS },
	{ "impr.", MF_IMPRESSIONS },
	{ "clicks", MF_CLICKS },
	{ "link clicks", MF_CLICKS },
	{ "conversions", MF_CONVERSIONS },
	{ "results", MF_CONVERSIONS },
	{ "purchases", MF_CONVERSIONS },
};

/* Meta Ads Manager export ("Export table data"). */
static const struct parse_synonym parse_meta[] = {
	{ "campaign name", MF_CAMPAIGN },
	{ "campaign", MF_CAMPAIGN },
	{ "day", MF_DATE },
	{ "reporting starts", MF_DATE },
	{ "date", MF_DATE },
	{ "amount spent (*)", MF_COST },
	{ "amount spent", MF_COST },
	{ "cost", MF_COST },
	{ "purchases conversion value", MF_REVENUE },
	{ "revenue", MF_REVENUE },
	{ "impressions", MF_IMPRESSIONS },
	{ "link clicks", MF_CLICKS },
	{ "clicks", MF_CLICKS },
	{ "results", MF_CONVERSIONS },
	{ "conversions", MF_CONVERSIONS },
	{ "client", MF_CLIENT },
	{ "client_id", MF_CLIENT },
	{ "channel", MF_CHANNEL },
};

/* Google Ads report download (campaign report segmented by day). */
static const struct parse_synonym parse_google[] = {
	{ "campaign", MF_CAMPAIGN },
	{ "campaign name", MF_CAMPAIGN },
	{ "day", MF_DATE },
	{ "date", MF_DATE },
	{ "cost", MF_COST },
	{ "cost (*)", MF_COST },
	{ "conv. value", MF_REVENUE },
	{ "conversion value", MF_REVENUE },
	{ "revenue", MF_REVENUE },
	{ "impr.", MF_IMPRESSIONS },
	{ "impressions", MF_IMPRESSIONS },
	{ "clicks", MF_CLICKS },
	{ "conversions", MF_CONVERSIONS },
	{ "client", MF_CLIENT },
	{ "client_id", MF_CLIENT },
	{ "channel", MF_CHANNEL },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const struct parse_preset parse_presets[] = {
	{ "generic", parse_generic, NITEMS(parse_generic), NULL, 0 },
	{ "meta_ads", parse_meta, NITEMS(parse_meta), "facebook", 0 },
	{ "google_ads", parse_google, NITEMS(parse_google), "google_ads", 1 },
};

/* windows-1252 0x80-0x9f; the five undefined bytes map to the C1 controls
 * (as WHATWG does), which are then refused in names like any control. */
static const uint16_t parse_cp1252[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static int	parse_word_eq(const char *, size_t, const char *);

static int
parse_is_numeric(enum metric_field f)
{
	return f >= MF_COST && f < MF__MAX;
}


/* "NA", "N/A", "-", "--" and "" stand for a missing value. */
static int
parse_is_missing(const char *s, size_t len)
{
	switch (len) {
	case 0:
		return 1;
	case 1:
		return s[0] == '-';
	case 2:
		return strncasecmp(s, "na", 2) == 0 || memcmp(s, "--", 2) == 0;
	case 3:
		return strncasecmp(s, "n/a", 3) == 0;
	}
	return 0;
}

/* Quote a value for a message: escaped, and shortened. */
static const char *
parse_show(const char *s, size_t len, char *buf, size_t bufsz)
{
	return log_escape(s, len > 64 ? 64 : len, buf, bufsz);
}

int
parse_report(struct parse_ctx *ctx, long row, long line, const char *column,
    size_t columnlen, const char *fmt, ...)
{
	struct parse_error	 e;
	va_list			 ap;

	memset(&e, 0, sizeof e);
	e.row = row;
	e.line = line;
	if (column != NULL && columnlen > 0)
		log_escape(column, columnlen, e.column, sizeof e.column);
	va_start(ap, fmt);
	vsnprintf(e.reason, sizeof e.reason, fmt, ap);
	va_end(ap);
	if (ctx->sink->error == NULL)
		return 0;
	return ctx->sink->error(ctx->sink->arg, &e) == -1 ? -1 : 0;
}

/* Fast path first: most rows are ASCII, checked eight bytes at a time. */
static int
parse_utf8_span(const char *s, size_t len)
{
	size_t	 i = 0;
	uint64_t w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			return utf8_valid(s + i, len - i);
	}
	for (; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return utf8_valid(s + i, len - i);
	}
	return 1;
}

/* ISO-8859-1 or windows-1252 bytes to UTF-8 (at most three bytes each). */
static char *
parse_from_8bit(const char *buf, size_t len, int cp1252, size_t *outlen)
{
	char	*out, *o;
	size_t	 i;
	unsigned c;

	out = o = xreallocarray(NULL, len + 1, 3);
	for (i = 0; i < len; i++) {
		c = (unsigned char)buf[i];
		if (c < 0x80)
			*o++ = (char)c;
		else {
			if (cp1252 && c < 0xa0)
				c = parse_cp1252[c - 0x80];
			o += utf8_put(o, c);
		}
	}
	*outlen = (size_t)(o - out);
	return out;
}

/* UTF-16 with a byte order mark (Excel's "Unicode text") to UTF-8. */
static char *
parse_from_utf16(const char *buf, size_t len, size_t *outlen, char **cause)
{
	const unsigned char *p = (const unsigned char *)buf;
	int	 le = p[0] == 0xff;
	char	*out, *o;
	size_t	 i;
	unsigned u, u2;

	if (len % 2 != 0) {
		*cause = xstrdup("UTF-16 input of odd length");
		return NULL;
	}
	out = o = xreallocarray(NULL, len / 2 + 1, 4);
	for (i = 2; i + 1 < len; i += 2) {
		u = le ? (unsigned)(p[i] | p[i + 1] << 8) :
		    (unsigned)(p[i] << 8 | p[i + 1]);
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 3 >= len)
				goto bad;
			u2 = le ? (unsigned)(p[i + 2] | p[i + 3] << 8) :
			    (unsigned)(p[i + 2] << 8 | p[i + 3]);
			if (u2 < 0xdc00 || u2 > 0xdfff)
				goto bad;
			u = 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00);
			i += 2;
		} else if (u >= 0xdc00 && u <= 0xdfff)
			goto bad;
		o += utf8_put(o, u);
	}
	*outlen = (size_t)(o - out);
	return out;
bad:
	xasprintf(cause, "invalid UTF-16 at byte %zu", i);
	free(out);
	return NULL;
}

/*
 * Whether key (trimmed) is the synonym name: equal ignoring case, or for a
 * name ending in " (*)" the same prefix followed by any "(...)".
 */
static int
parse_name_match(const char *name, const char *key, size_t len)
{
	size_t n = strlen(name);

	if (n > 4 && strcmp(name + n - 4, " (*)") == 0) {
		n -= 3;		/* keep "xxx (" */
		return len > n + 1 && strncasecmp(name, key, n) == 0 &&
		    key[len - 1] == ')' && memchr(key + n, ')', len - n - 1) ==
		    NULL;
	}
	return n == len && strncasecmp(name, key, len) == 0;
}

/* Field code of a custom KPI name, adding it to ctx->custom if new. */
static int
parse_custom_add(struct parse_ctx *ctx, const char *name, int mapped)
{
	struct parse_custom_name *cn;
	size_t i;

	for (i = 0; i < ctx->ncustom; i++) {
		cn = &ctx->custom[i];
		if (strcmp(cn->name, name) == 0) {
			cn->mapped |= mapped;
			return PARSE_FIELD_CUSTOM + (int)i;
		}
	}
	/* At most one entry per key, and parse_resolve() takes at most
	 * PARSE_KEYS_MAX keys. */
	cn = &ctx->custom[ctx->ncustom];
	snprintf(cn->name, sizeof cn->name, "%s", name);
	cn->mapped = mapped;
	cn->mark[0] = '\0';
	return PARSE_FIELD_CUSTOM + (int)ctx->ncustom++;
}

/* Unknown keys become custom KPIs under their normalised names. */
static void
parse_resolve_unknown(struct parse_ctx *ctx, const struct parse_key *keys,
    size_t n, int *field)
{
	char	 name[METRIC_CUSTOM_NAME_MAX];
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		if (field[i] != PARSE_UNKNOWN)
			continue;
		field[i] = -1;
		if (metric_custom_name_normalise(keys[i].p, keys[i].len,
		    name) == 0)
			continue;
		for (j = 0; j < ctx->ncustom; j++) {
			if (ctx->custom[j].mapped &&
			    strcmp(ctx->custom[j].name, name) == 0)
				break;
		}
		if (j == ctx->ncustom)
			field[i] = parse_custom_add(ctx, name, 0);
	}
}

/* Whether the trimmed key s equals name (trimmed), ignoring case. */
static int
parse_key_eq(const char *name, const char *s, size_t len)
{
	size_t	 n = strlen(name);

	utf8_trim(&name, &n);
	return n == len && strncasecmp(name, s, len) == 0;
}

/* Code of a key that is a date part or a spread column, else -1. */
static int
parse_resolve_extra(struct parse_ctx *ctx, const char *s, size_t len)
{
	const struct parse_options *o = ctx->opts;
	size_t	 j;

	for (j = 0; j < o->ndate_columns; j++) {
		if (parse_key_eq(o->date_columns[j], s, len))
			return PARSE_FIELD_DATEPART + (int)j;
	}
	for (j = 0; j < o->nspread; j++) {
		if (parse_key_eq(o->spread[j].header, s, len))
			return PARSE_FIELD_SPREAD + (int)j;
	}
	return -1;
}

/* A currency marker named by a header ("Amount spent (USD)", "Cost (€)"),
 * copied into mark (PARSE_MARK_MAX bytes); "" if none. */
static void
parse_header_mark(const char *s, size_t len, char *mark)
{
	if (!currency_from_header(s, len, mark))
		mark[0] = '\0';
}

/*
 * After mapping: one column per date part or spread column, no date column
 * beside a fixed date or date columns, one currency per field's headers;
 * keep each field's header as written for messages.
 */
static int
parse_resolve_check(struct parse_ctx *ctx, const struct parse_key *keys,
    size_t n, int *field, int *bad, char *reason, size_t reasonlen)
{
	const struct parse_options *o = ctx->opts;
	char	 mark[PARSE_MARK_MAX], *dst;
	size_t	 i, j, len;
	const char *s;
	int	 f;

	memset(ctx->fmark, 0, sizeof ctx->fmark);
	memset(ctx->fhead, 0, sizeof ctx->fhead);
	for (i = 0; i < n; i++) {
		f = field[i];
		if (f < 0)
			continue;
		s = keys[i].p;
		len = keys[i].len;
		utf8_trim(&s, &len);
		if (f >= PARSE_FIELD_CUSTOM) {
			/* "Purchase value (USD)" kept as a custom KPI is
			 * still an amount in USD. */
			dst = ctx->custom[f - PARSE_FIELD_CUSTOM].mark;
			if (dst[0] == '\0')
				parse_header_mark(s, len, dst);
			continue;
		}
		if (f >= PARSE_FIELD_CURRENCY) {
			for (j = 0; j < i; j++) {
				if (field[j] == f) {
					*bad = (int)i;
					snprintf(reason, reasonlen,
					    "duplicate column");
					return -1;
				}
			}
		}
		if (f == MF_DATE && (ctx->has_day || o->ndate_columns > 0)) {
			*bad = (int)i;
			snprintf(reason, reasonlen, "a date column and %s: "
			    "remove one", ctx->has_day ? "a fixed date (\"date\","
			    " \"date_from_name\" or --date)" :
			    "\"date_columns\"");
			return -1;
		}
		if (f < MF__MAX && ctx->fhead[f][0] == '\0')
			log_escape(s, len, ctx->fhead[f], sizeof ctx->fhead[f]);
		if (f != MF_COST && f != MF_REVENUE &&
		    (f < PARSE_FIELD_SPREAD ||
		    f >= PARSE_FIELD_SPREAD + PARSE_SPREAD_MAX))
			continue;
		parse_header_mark(s, len, mark);
		if (mark[0] == '\0')
			continue;
		dst = f < MF__MAX ? ctx->fmark[f] :
		    ctx->smark[f - PARSE_FIELD_SPREAD];
		if (dst[0] != '\0' && !currency_markers_agree(dst, mark)) {
			*bad = (int)i;
			snprintf(reason, reasonlen, "two currencies in the "
			    "headers of %s: %s and %s",
			    metric_field_name((enum metric_field)(f < MF__MAX ?
			    f : (int)o->spread[f - PARSE_FIELD_SPREAD].field)),
			    dst, mark);
			return -1;
		}
		memcpy(dst, mark, sizeof mark);
	}
	return 0;
}

int
parse_resolve(struct parse_ctx *ctx, const struct parse_key *keys, size_t n,
    int *field, int *bad, char *reason, size_t reasonlen)
{
	const struct parse_options	*o = ctx->opts;
	const struct parse_preset	*pr = ctx->preset;
	int		 rank[PARSE_KEYS_MAX], best, keep, user;
	size_t		 i, j;
	const char	*s;
	size_t		 len, clen;
	enum metric_field f;

	*bad = -1;
	ctx->ncustom = 0;
	if (n > PARSE_KEYS_MAX) {
		snprintf(reason, reasonlen, "more than %d columns",
		    PARSE_KEYS_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		field[i] = -1;
		rank[i] = 0;
		s = keys[i].p;
		len = keys[i].len;
		utf8_trim(&s, &len);
		if (len == 0)
			continue;
		for (j = 0; j < o->ncolumns; j++) {
			const char *h = o->columns[j].header;

			if (h == NULL)
				continue;
			clen = strlen(h);
			utf8_trim(&h, &clen);
			if (clen == len && strncasecmp(h, s, len) == 0) {
				if ((int)o->columns[j].field < 0 ||
				    o->columns[j].field >= MF__MAX) {
					*bad = (int)i;
					snprintf(reason, reasonlen,
					    "mapping to an unknown field");
					return -1;
				}
				field[i] = (int)o->columns[j].field;
				break;
			}
		}
		if (field[i] == -1)
			field[i] = parse_resolve_extra(ctx, s, len);
		if (field[i] == -1 && ctx->custom != NULL) {
			for (j = 0; j < o->ncustom_kpis; j++) {
				const char *h = o->custom_kpis[j].header;

				clen = strlen(h);
				utf8_trim(&h, &clen);
				if (clen == len && strncasecmp(h, s, len) == 0) {
					field[i] = parse_custom_add(ctx,
					    o->custom_kpis[j].name, 1);
					break;
				}
			}
		}
		if (field[i] == -1) {
			for (j = 0; j < pr->nsyn; j++) {
				if (parse_name_match(pr->syn[j].name, s, len)) {
					field[i] = (int)pr->syn[j].field;
					rank[i] = (int)j + 1;
					break;
				}
			}
		}
		if (field[i] == -1 && (parse_word_eq(s, len, "currency") ||
		    parse_word_eq(s, len, "currency code")))
			field[i] = PARSE_FIELD_CURRENCY;
		if ((field[i] == MF_CLIENT && o->fixed_client != NULL) ||
		    (field[i] == MF_CHANNEL && o->fixed_channel != NULL) ||
		    (field[i] == MF_CAMPAIGN && o->fixed_campaign != NULL))
			field[i] = -1;
		else if (field[i] == -1 && ctx->custom != NULL &&
		    o->keep_unknown_numeric)
			field[i] = PARSE_UNKNOWN;
	}

	for (f = 0; f < MF__MAX; f++) {
		best = 0;
		user = -1;
		for (i = 0; i < n; i++) {
			if (field[i] != (int)f)
				continue;
			if (rank[i] == 0) {
				if (user != -1 && !parse_is_numeric(f)) {
					*bad = (int)i;
					snprintf(reason, reasonlen, "two columns "
					    "map to %s", metric_field_name(f));
					return -1;
				}
				user = (int)i;
			} else if (best == 0 || rank[i] < best)
				best = rank[i];
		}
		keep = -1;
		for (i = 0; i < n; i++) {
			if (field[i] != (int)f || rank[i] == 0)
				continue;
			if (rank[i] != best ||
			    (user != -1 && !parse_is_numeric(f))) {
				field[i] = -1;
				continue;
			}
			if (keep != -1) {
				*bad = (int)i;
				snprintf(reason, reasonlen, "duplicate column "
				    "for %s", metric_field_name(f));
				return -1;
			}
			keep = (int)i;
		}
	}
	if (ctx->custom != NULL && o->keep_unknown_numeric)
		parse_resolve_unknown(ctx, keys, n, field);
	return parse_resolve_check(ctx, keys, n, field, bad, reason,
	    reasonlen);
}

/* The custom values array is left as it is: ncustom says what is set.
 * The currency marker and offset fields lie before it: cleared too. */
void
parse_row_init(struct parse_ctx *ctx, struct metric_row *r)
{
	memset(r, 0, offsetof(struct metric_row, custom));
	r->hour = -1;
	if (ctx->extra) {
		ctx->dparts = 0;
		if (ctx->shave != NULL)
			memset(ctx->shave, 0, ctx->opts->nspread);
	}
}

/*
 * Copy a name into dst: trimmed, shorter than max, no control characters
 * (C0, DEL, C1), valid UTF-8. Client ids are restricted to [a-z0-9_.-]
 * and channels lowercased.
 */
static int
parse_name(struct parse_ctx *ctx, enum metric_field f, const char *s,
    size_t len, char *dst, size_t max, char *reason, size_t reasonlen)
{
	char	 show[96];
	size_t	 i;
	unsigned char c;

	utf8_trim(&s, &len);
	if (len == 0)
		return 1;
	if (len >= max) {
		snprintf(reason, reasonlen, "%s too long (%zu bytes, at most "
		    "%zu)", metric_field_name(f), len, max - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)) {
			snprintf(reason, reasonlen, "control character in %s "
			    "\"%s\"", metric_field_name(f),
			    parse_show(s, len, show, sizeof show));
			return -1;
		}
		if (f == MF_CLIENT && !((c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-')) {
			snprintf(reason, reasonlen, "client id \"%s\" may only "
			    "hold a-z 0-9 _ . -",
			    parse_show(s, len, show, sizeof show));
			return -1;
		}
	}
	if (ctx->check_utf8 && !parse_utf8_span(s, len)) {
		snprintf(reason, reasonlen, "invalid UTF-8 in %s"
		    PARSE_HINT_ENCODING, metric_field_name(f));
		return -1;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	if (f == MF_CHANNEL) {
		for (i = 0; i < len; i++) {
			if (dst[i] >= 'A' && dst[i] <= 'Z')
				dst[i] = (char)(dst[i] - 'A' + 'a');
		}
	}
	return 0;
}

/*
 * An amount: blanks and one currency mark around it are taken off ("€ 1.234,50",
 * "-$5", "12.50 EUR") and the mark copied into mark (PARSE_MARK_MAX bytes, ""
 * when none), the rest goes to money_parse_round().
 */
static int
parse_money(struct parse_ctx *ctx, const char *s, size_t len, int json_number,
    int64_t *v, const char **why, char *mark)
{
	char	 tmp[PARSE_NUM_MAX + 2];
	int	 neg = 0;
	size_t	 n;

	mark[0] = '\0';
	if (json_number)
		return ctx->opts->round == MONEY_ROUND_NONE ?
		    money_parse(s, len, '.', 0, v, why) :
		    money_parse_round(s, len, '.', 0, ctx->opts->round, v, why);
	if (memchr(s, '%', len) != NULL) {
		*why = "percent sign in an amount";
		return -1;
	}
	/* The hot path: a plain number ("337.74") names no currency. */
	if (len > 0 && s[0] >= '0' && s[0] <= '9' && s[len - 1] >= '0' &&
	    s[len - 1] <= '9')
		goto number;
	if (len > 0 && (s[0] == '-' || s[0] == '+') &&
	    currency_marker_start(s + 1, len - 1, mark) != 0) {
		neg = s[0] == '-';
		s++;
		len--;
	}
	if ((n = currency_marker_start(s, len, mark)) != 0) {
		s += n;
		len -= n;
	} else if ((n = currency_marker_end(s, len, mark)) != 0)
		len -= n;
number:
	utf8_trim(&s, &len);
	if (len == 0 || len > PARSE_NUM_MAX) {
		*why = len == 0 ? "no number" : "number too long";
		return -1;
	}
	if (neg) {
		if (s[0] == '-' || s[0] == '+') {
			*why = "two signs";
			return -1;
		}
		tmp[0] = '-';
		memcpy(tmp + 1, s, len);
		s = tmp;
		len++;
	}
	if (ctx->opts->round == MONEY_ROUND_NONE)	/* the hot path */
		return money_parse(s, len, ctx->dec, ctx->thousands, v, why);
	return money_parse_round(s, len, ctx->dec, ctx->thousands,
	    ctx->opts->round, v, why);
}

/* Record a currency marker of the row; two that cannot name one currency
 * refuse it ("€" and "EUR" agree, "$" and "£" do not). */
static int
parse_mark(struct metric_row *r, const char *mark, char *reason,
    size_t reasonlen)
{
	if (mark[0] == '\0')
		return 0;
	if (r->currency[0] == '\0') {
		snprintf(r->currency, sizeof r->currency, "%s", mark);
		return 0;
	}
	if (currency_markers_agree(r->currency, mark)) {
		/* Keep the more precise: an ISO code over a symbol. */
		if (currency_lookup(mark) != NULL)
			snprintf(r->currency, sizeof r->currency, "%s", mark);
		return 0;
	}
	snprintf(reason, reasonlen, "two currencies in one row: %s and %s",
	    r->currency, mark);
	return -1;
}

/* What fixes a likely cause of an amount refused for why, or "". */
static const char *
parse_money_hint(struct parse_ctx *ctx, const char *s, size_t len,
    const char *why)
{
	const char *c;
	size_t	 after;

	if (why != NULL && strcmp(why, "more than 6 decimals") == 0)
		return " (set \"round\": \"half_even\")";
	if (ctx->dec != '.' || (c = memrchr(s, ',', len)) == NULL ||
	    memchr(s, '.', len) != NULL)
		return "";
	after = len - (size_t)(c - s) - 1;
	if (after == 3)
		return " (set \"decimal\": \",\" or \"thousands\": \",\")";
	return " (set \"decimal\": \",\")";
}

/*
 * A count: a non-negative integer, grouped only with the declared thousands
 * separator in groups of three; a fraction of zeros only ("12.0") is allowed.
 */
static inline int __attribute__((always_inline))
parse_count(struct parse_ctx *ctx, const char *s, size_t len, int json_number,
    int64_t *v, const char **why)
{
	char	 dec = json_number ? '.' : ctx->dec;
	char	 th = json_number ? 0 : ctx->thousands;
	size_t	 i = 0, run = 0, n;
	int	 grouped = 0, digits = 0;
	uint64_t x = 0;

	if (memchr(s, '%', len) != NULL) {
		*why = "percent sign in a count";
		return -1;
	}
	if (len > 0 && s[0] == '+')
		i++;
	if (len > 0 && s[0] == '-') {
		*why = "negative count";
		return -1;
	}
	while (i < len) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (x > (UINT64_MAX - 9) / 10 || x * 10 + (unsigned)(s[i] -
			    '0') > (uint64_t)INT64_MAX) {
				*why = "count too large";
				return -1;
			}
			x = x * 10 + (unsigned)(s[i] - '0');
			i++;
			run++;
			digits = 1;
			if (grouped && run > 3)
				goto grouping;
			continue;
		}
		n = 0;
		if (th != 0 && th == ' ')
			n = utf8_blank(s + i, len - i);
		else if (th != 0 && s[i] == th)
			n = 1;
		if (n == 0)
			break;
		if (run == 0 || run > 3 || (grouped && run != 3))
			goto grouping;
		grouped = 1;
		run = 0;
		i += n;
	}
	if (!digits) {
		*why = "not a count";
		return -1;
	}
	if (grouped && run != 3)
		goto grouping;
	if (i < len && s[i] == dec) {
		for (i++; i < len && s[i] == '0'; i++)
			;
		if (i < len && s[i] >= '1' && s[i] <= '9') {
			*why = "fractional count";
			return -1;
		}
	}
	if (i != len) {
		*why = json_number && (s[i] == 'e' || s[i] == 'E') ?
		    "exponent in a count" : "not a count";
		return -1;
	}
	*v = (int64_t)x;
	return 0;
grouping:
	*why = "misplaced thousands separator";
	return -1;
}

/* The id a value of client, campaign or channel is mapped to, or s. */
static const char *
parse_map_value(struct parse_ctx *ctx, enum metric_field f, const char *s,
    size_t *len)
{
	const struct parse_options *o = ctx->opts;
	size_t	 i;

	utf8_trim(&s, len);
	for (i = 0; i < o->nvalues; i++) {
		if (o->values[i].field == f &&
		    parse_key_eq(o->values[i].from, s, *len)) {
			*len = strlen(o->values[i].to);
			return o->values[i].to;
		}
	}
	return s;
}

/*
 * One number of a numeric field f into *v, its currency marker (and that of
 * its column's header, hmark) recorded in the row. Returns 0, 1 when the
 * value is missing, or -1 with reason filled in.
 */
static int __attribute__((noinline, cold))
parse_number_error(struct parse_ctx *ctx, enum metric_field f, const char *s,
    size_t len, const char *why, char *reason, size_t reasonlen)
{
	const char	*hint = "";
	char		 show[96];

	if (f == MF_COST || f == MF_REVENUE)
		hint = parse_money_hint(ctx, s, len, why);
	snprintf(reason, reasonlen, "%s \"%s\": %s%s", metric_field_name(f),
	    parse_show(s, len, show, sizeof show), why != NULL ? why :
	    "invalid", hint);
	return -1;
}

static inline int __attribute__((always_inline))	/* the hot path */
parse_number(struct parse_ctx *ctx, struct metric_row *r, enum metric_field f,
    const char *hmark, const char *s, size_t len, int json_number, int64_t *v,
    char *reason, size_t reasonlen)
{
	const char	*why = NULL;
	char		 mark[PARSE_MARK_MAX];
	int		 rc;

	utf8_trim(&s, &len);
	if (!json_number && parse_is_missing(s, len))
		return 1;
	if (f == MF_COST || f == MF_REVENUE) {
		rc = parse_money(ctx, s, len, json_number, v, &why, mark);
		if (rc == 0 && f == MF_COST && *v < 0) {
			why = "negative cost";
			rc = -1;
		}
		if (rc != 0)
			return parse_number_error(ctx, f, s, len, why, reason,
			    reasonlen);
		if ((mark[0] != '\0' && parse_mark(r, mark, reason,
		    reasonlen) != 0) || (hmark != NULL && hmark[0] != '\0' &&
		    parse_mark(r, hmark, reason, reasonlen) != 0))
			return -1;
		return 0;
	}
	if (parse_count(ctx, s, len, json_number, v, &why) != 0)
		return parse_number_error(ctx, f, s, len, why, reason,
		    reasonlen);
	return 0;
}

static int64_t *
parse_slot(struct metric_row *r, enum metric_field f)
{
	switch (f) {
	case MF_COST:
		return &r->cost;
	case MF_REVENUE:
		return &r->revenue;
	case MF_IMPRESSIONS:
		return &r->impressions;
	case MF_CLICKS:
		return &r->clicks;
	default:
		return &r->conversions;
	}
}

/* A date value under the declared formats (or ISO) into the row. */
static inline int __attribute__((always_inline))
parse_date_value(struct parse_ctx *ctx, struct metric_row *r, const char *s,
    size_t len, char *reason, size_t reasonlen)
{
	struct parse_date d;
	char	 show[96], why[192];
	int	 rc;

	if (ctx->dfmts == NULL)
		rc = parse_date_iso(s, len, &d);
	else
		rc = parse_date_formats(ctx->dfmts, ctx->ndfmts,
		    ctx->opts->default_year, s, len, &d, why, sizeof why);
	if (rc == -2) {
		snprintf(reason, reasonlen, "ambiguous date \"%s\": %s",
		    parse_show(s, len, show, sizeof show), why);
		return -1;
	}
	if (rc != 0) {
		snprintf(reason, reasonlen, "date \"%s\" does not match %s%s "
		    "(set \"date_formats\")", parse_show(s, len, show,
		    sizeof show), ctx->dfmts != NULL ? ctx->dfmts[0] :
		    "YYYY-MM-DD", ctx->ndfmts > 1 ? " or the other formats" :
		    "");
		return -1;
	}
	r->day = d.day;
	r->hour = d.hour;
	r->minute = d.minute;
	r->has_offset = d.has_offset;
	r->utc_offset = d.utc_offset;
	return 0;
}

/* A currency named by a value of its own (a currency column or key, an
 * envelope's "currency"): a code or a symbol, copied into mark. */
static int
parse_currency_text(const char *s, size_t len, char *mark, char *reason,
    size_t reasonlen)
{
	char	 show[96];
	size_t	 i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	}
	if (len == 0 || len >= PARSE_MARK_MAX || i < len) {
		snprintf(reason, reasonlen, "currency \"%s\" is not a code or "
		    "a symbol", parse_show(s, len, show, sizeof show));
		return -1;
	}
	memcpy(mark, s, len);
	mark[len] = '\0';
	/* A column or key that only names the currency may write the code
	 * in lower case ("usd"); beside an amount it must be capitals. */
	if (len == 3 && ((mark[0] | 0x20) >= 'a' && (mark[0] | 0x20) <= 'z') &&
	    ((mark[1] | 0x20) >= 'a' && (mark[1] | 0x20) <= 'z') &&
	    ((mark[2] | 0x20) >= 'a' && (mark[2] | 0x20) <= 'z')) {
		for (i = 0; i < 3; i++)
			mark[i] = (char)(mark[i] & ~0x20);
	}
	return 0;
}

int
parse_envelope_currency(struct parse_ctx *ctx, const char *s, size_t len,
    long line)
{
	char	 reason[160];

	utf8_trim(&s, &len);
	if (parse_currency_text(s, len, ctx->envelope_mark, reason,
	    sizeof reason) == 0)
		return 0;
	ctx->envelope_mark[0] = '\0';
	parse_report(ctx, 0, line, "currency", 8, "%s", reason);
	return -1;
}

/* Keys that are not a metric field: currency, date parts, spread columns. */
static int
parse_extra_value(struct parse_ctx *ctx, struct metric_row *r, int code,
    const char *s, size_t len, int json_number, char *reason,
    size_t reasonlen)
{
	char	 mark[PARSE_MARK_MAX];
	size_t	 i;
	int	 rc;

	utf8_trim(&s, &len);
	if (code == PARSE_FIELD_CURRENCY) {
		if (parse_is_missing(s, len))
			return 0;
		if (parse_currency_text(s, len, mark, reason, reasonlen) != 0)
			return -1;
		return parse_mark(r, mark, reason, reasonlen);
	}
	if (code < PARSE_FIELD_SPREAD) {
		i = (size_t)(code - PARSE_FIELD_DATEPART);
		if (parse_is_missing(s, len))
			return 0;
		if (len >= sizeof ctx->dpart[i]) {
			snprintf(reason, reasonlen, "date part too long");
			return -1;
		}
		memcpy(ctx->dpart[i], s, len);
		ctx->dpartlen[i] = len;
		ctx->dparts |= 1u << i;
		return 0;
	}
	i = (size_t)(code - PARSE_FIELD_SPREAD);
	rc = parse_number(ctx, r, ctx->opts->spread[i].field, ctx->smark[i], s,
	    len, json_number, &ctx->sval[i], reason, reasonlen);
	if (rc == 0)
		ctx->shave[i] = 1;
	return rc == -1 ? -1 : 0;
}

int
parse_value(struct parse_ctx *ctx, struct metric_row *r, enum metric_field f,
    const char *s, size_t len, int json_number, char *reason,
    size_t reasonlen)
{
	int64_t		 v = 0, *dst;
	int		 rc;

	if ((int)f >= PARSE_FIELD_CURRENCY)
		return parse_extra_value(ctx, r, (int)f, s, len, json_number,
		    reason, reasonlen);
	switch (f) {
	case MF_CLIENT:
	case MF_CAMPAIGN:
	case MF_CHANNEL:
		if (ctx->opts->nvalues > 0)
			s = parse_map_value(ctx, f, s, &len);
		if (f == MF_CLIENT)
			rc = parse_name(ctx, f, s, len, r->client,
			    sizeof r->client, reason, reasonlen);
		else if (f == MF_CAMPAIGN)
			rc = parse_name(ctx, f, s, len, r->campaign,
			    sizeof r->campaign, reason, reasonlen);
		else
			rc = parse_name(ctx, f, s, len, r->channel,
			    sizeof r->channel, reason, reasonlen);
		break;
	case MF_DATE:
		utf8_trim(&s, &len);
		if (parse_is_missing(s, len))
			return 0;
		rc = parse_date_value(ctx, r, s, len, reason, reasonlen);
		break;
	case MF_COST:
	case MF_REVENUE:
	case MF_IMPRESSIONS:
	case MF_CLICKS:
	case MF_CONVERSIONS:
		rc = parse_number(ctx, r, f, ctx->fmark[f], s, len,
		    json_number, &v, reason, reasonlen);
		if (rc != 0)
			return rc == 1 ? 0 : -1;
		dst = parse_slot(r, f);
		if (__builtin_add_overflow(*dst, v, dst)) {
			snprintf(reason, reasonlen, "%s: sum too large",
			    metric_field_name(f));
			return -1;
		}
		break;
	default:
		snprintf(reason, reasonlen, "unknown field");
		return -1;
	}
	if (rc == -1)
		return -1;
	if (rc == 0)
		r->present |= MF_BIT(f);
	return 0;
}

int
parse_custom_value(struct parse_ctx *ctx, struct metric_row *r, int field,
    const char *s, size_t len, int json_number, char *reason,
    size_t reasonlen)
{
	const struct parse_custom_name *cn;
	const char	*why = NULL;
	char		 show[96], mark[PARSE_MARK_MAX];
	int64_t		 v;
	unsigned	 i;

	cn = &ctx->custom[field - PARSE_FIELD_CUSTOM];
	utf8_trim(&s, &len);
	if (!json_number && parse_is_missing(s, len))
		return 0;
	if (parse_money(ctx, s, len, json_number, &v, &why, mark) != 0 ||
	    (!cn->mapped && mark[0] != '\0')) {
		/* An unknown column of text ("R 100" in "Ad name") is not
		 * ours: it neither becomes a figure nor names the row's
		 * currency. */
		if (!cn->mapped)
			return 0;
		snprintf(reason, reasonlen, "%s \"%s\": %s%s", cn->name,
		    parse_show(s, len, show, sizeof show),
		    why != NULL ? why : "not a number",
		    parse_money_hint(ctx, s, len, why));
		return -1;
	}
	if (parse_mark(r, mark, reason, reasonlen) != 0 ||
	    parse_mark(r, cn->mark, reason, reasonlen) != 0)
		return -1;
	for (i = 0; i < r->ncustom; i++) {
		if (r->custom[i].name != cn->name)
			continue;
		if (__builtin_add_overflow(r->custom[i].value, v,
		    &r->custom[i].value)) {
			snprintf(reason, reasonlen, "%s: sum too large",
			    cn->name);
			return -1;
		}
		return 0;
	}
	if (r->ncustom == METRIC_CUSTOM_MAX) {
		snprintf(reason, reasonlen, "more than %d custom KPIs in one "
		    "row", METRIC_CUSTOM_MAX);
		return -1;
	}
	r->custom[r->ncustom].name = cn->name;
	r->custom[r->ncustom++].value = v;
	return 0;
}

/* revenue = conversions x conversion_value, exactly. */
static int
parse_conversion_value(struct parse_ctx *ctx, struct metric_row *r,
    char *reason, size_t reasonlen)
{
	if (ctx->opts->conversion_value == 0 ||
	    !(r->present & MF_BIT(MF_CONVERSIONS)))
		return 0;
	if (r->present & MF_BIT(MF_REVENUE)) {
		snprintf(reason, reasonlen, "a revenue column and "
		    "\"conversion_value\": remove one");
		return -1;
	}
	if (__builtin_mul_overflow(r->conversions, ctx->opts->conversion_value,
	    &r->revenue)) {
		snprintf(reason, reasonlen, "conversions x conversion_value: "
		    "too large");
		return -1;
	}
	r->present |= MF_BIT(MF_REVENUE);
	return 0;
}

/*
 * Whether a figure of the row is beyond METRIC_VALUE_MAX: then *reason says
 * which. Checked once per finished row, so sums of several columns count.
 */
static int
parse_out_of_bounds(const struct metric_row *r, char *reason, size_t len)
{
	static const enum metric_field fields[] = { MF_COST, MF_REVENUE,
	    MF_IMPRESSIONS, MF_CLICKS, MF_CONVERSIONS };
	const int64_t	*v[] = { &r->cost, &r->revenue, &r->impressions,
			    &r->clicks, &r->conversions };
	const char	*what = NULL;
	int		 money = 0;
	unsigned	 i;

	for (i = 0; i < sizeof fields / sizeof fields[0] && what == NULL;
	    i++) {
		if ((r->present & MF_BIT(fields[i])) &&
		    (*v[i] > METRIC_VALUE_MAX || *v[i] < -METRIC_VALUE_MAX)) {
			what = metric_field_name(fields[i]);
			money = fields[i] == MF_COST || fields[i] == MF_REVENUE;
		}
	}
	for (i = 0; i < r->ncustom && what == NULL; i++) {
		if (r->custom[i].value > METRIC_VALUE_MAX ||
		    r->custom[i].value < -METRIC_VALUE_MAX) {
			what = r->custom[i].name;
			money = 1;
		}
	}
	if (what == NULL)
		return 0;
	if (money)
		snprintf(reason, len, "%s: beyond the largest figure one row "
		    "may carry (1 000 000 000 units)", what);
	else
		snprintf(reason, len, "%s: beyond the largest figure one row "
		    "may carry (10^15)", what);
	return 1;
}

/* Check required fields and hand one finished row to the sink. */
static inline int __attribute__((always_inline))
parse_emit(struct parse_ctx *ctx, struct metric_row *r, long row, long line)
{
	enum metric_field f;
	char		 reason[160];

	if (ctx->opts->conversion_value != 0 &&
	    parse_conversion_value(ctx, r, reason, sizeof reason) != 0)
		return parse_report(ctx, row, line, NULL, 0, "%s", reason);
	for (f = 0; f < MF__MAX; f++) {
		if ((MF_REQUIRED & MF_BIT(f)) && !(r->present & MF_BIT(f))) {
			const char *n = metric_field_name(f);

			return parse_report(ctx, row, line, n, strlen(n),
			    "missing %s", n);
		}
	}
	if (parse_out_of_bounds(r, reason, sizeof reason))
		return parse_report(ctx, row, line, NULL, 0, "%s", reason);
	if (ctx->sink->row == NULL)
		return 0;
	return ctx->sink->row(ctx->sink->arg, r, row) == -1 ? -1 : 0;
}

/* The date of date_columns: every part, joined by single spaces. */
static int
parse_date_parts(struct parse_ctx *ctx, struct metric_row *r, long row,
    long line)
{
	const struct parse_options *o = ctx->opts;
	char	 buf[PARSE_DATEPARTS_MAX * 64], reason[400];
	size_t	 i, n = 0;

	if (ctx->dparts == 0)
		return 0;	/* no date: "missing date" */
	for (i = 0; i < o->ndate_columns; i++) {
		if (!(ctx->dparts & (1u << i)))
			return parse_report(ctx, row, line, o->date_columns[i],
			    strlen(o->date_columns[i]), "date part missing");
		if (n > 0)
			buf[n++] = ' ';
		memcpy(buf + n, ctx->dpart[i], ctx->dpartlen[i]);
		n += ctx->dpartlen[i];
	}
	if (parse_date_value(ctx, r, buf, n, reason, sizeof reason) != 0)
		return parse_report(ctx, row, line, NULL, 0, "%s (from %s)",
		    reason, "date_columns");
	r->present |= MF_BIT(MF_DATE);
	return 1;
}

/*
 * A wide row: one row per spread name with its columns' values (none when
 * they are all missing), then the row's other values under its own
 * campaign or channel, if it has any.
 */
static int
parse_spread_rows(struct parse_ctx *ctx, struct metric_row *r, long row,
    long line)
{
	const struct parse_options *o = ctx->opts;
	const unsigned	 numeric = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) |
			    MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) |
			    MF_BIT(MF_CONVERSIONS);
	struct metric_row s;
	enum metric_field into = o->spread_into, f;
	char		 reason[256], heads[200], *dst;
	size_t		 i, j, max, n;
	int64_t		*slot;
	int		 any;

	for (f = 0; f < MF__MAX; f++) {
		if ((MF_REQUIRED & MF_BIT(f)) && f != into &&
		    !(r->present & MF_BIT(f))) {
			const char *fn = metric_field_name(f);

			return parse_report(ctx, row, line, fn, strlen(fn),
			    "missing %s", fn);
		}
	}
	/* The store keeps one sample per campaign and time bucket: rows of
	 * one campaign for several channels would replace each other. */
	if (into == MF_CHANNEL) {
		for (i = 0, n = 0; i < o->nspread; i++) {
			for (j = 0; j < i && !(ctx->shave[j] &&
			    strcmp(o->spread[j].name, o->spread[i].name) == 0);
			    j++)
				;
			if (ctx->shave[i] && j == i)
				n++;
		}
		if (n + ((r->present & numeric) || r->ncustom > 0) > 1)
			return parse_report(ctx, row, line, NULL, 0, "values "
			    "for several channels of campaign \"%s\": one "
			    "sample per campaign and day is kept (spread into "
			    "campaign instead)", r->campaign);
	}
	for (i = 0; i < o->nspread; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(o->spread[j].name, o->spread[i].name) == 0)
				break;
		}
		if (j < i)
			continue;	/* that name's row is out already */
		s = *r;
		s.present &= ~numeric;
		s.cost = s.revenue = s.impressions = s.clicks = 0;
		s.conversions = 0;
		s.ncustom = 0;
		any = 0;
		for (j = i; j < o->nspread; j++) {
			if (!ctx->shave[j] ||
			    strcmp(o->spread[j].name, o->spread[i].name) != 0)
				continue;
			f = o->spread[j].field;
			slot = parse_slot(&s, f);
			if (__builtin_add_overflow(*slot, ctx->sval[j], slot))
				return parse_report(ctx, row, line,
				    o->spread[j].header,
				    strlen(o->spread[j].header), "%s: sum too "
				    "large", metric_field_name(f));
			s.present |= MF_BIT(f);
			any = 1;
		}
		if (!any)
			continue;
		dst = into == MF_CHANNEL ? s.channel : s.campaign;
		max = into == MF_CHANNEL ? sizeof s.channel : sizeof s.campaign;
		if (parse_name(ctx, into, o->spread[i].name,
		    strlen(o->spread[i].name), dst, max, reason,
		    sizeof reason) != 0)
			return parse_report(ctx, row, line, NULL, 0, "%s",
			    reason);
		s.present |= MF_BIT(into);
		if (parse_emit(ctx, &s, row, line) != 0)
			return -1;
	}
	if (!(r->present & numeric) && r->ncustom == 0)
		return 0;
	if (!(r->present & MF_BIT(into))) {
		heads[0] = '\0';
		for (f = MF_COST, n = 0; f < MF__MAX; f++) {
			if (!(r->present & MF_BIT(f)))
				continue;
			n += (size_t)snprintf(heads + n, n < sizeof heads ?
			    sizeof heads - n : 0, "%s\"%s\"", n > 0 ? ", " : "",
			    ctx->fhead[f][0] != '\0' ? ctx->fhead[f] :
			    metric_field_name(f));
			if (n >= sizeof heads)
				break;
		}
		return parse_report(ctx, row, line, NULL, 0, "no %s for the "
		    "values of %s (not spread)", metric_field_name(into),
		    r->ncustom > 0 && heads[0] == '\0' ? "custom KPIs" : heads);
	}
	return parse_emit(ctx, r, row, line);
}

int
parse_row_finish(struct parse_ctx *ctx, struct metric_row *r, long row,
    long line)
{
	const struct parse_options *o = ctx->opts;
	const char	*chan;
	char		 reason[128];
	int		 rc;

	if (o->fixed_client != NULL) {
		memcpy(r->client, o->fixed_client, strlen(o->fixed_client) + 1);
		r->present |= MF_BIT(MF_CLIENT);
	}
	if (o->fixed_campaign != NULL) {
		memcpy(r->campaign, o->fixed_campaign,
		    strlen(o->fixed_campaign) + 1);
		r->present |= MF_BIT(MF_CAMPAIGN);
	}
	chan = o->fixed_channel != NULL ? o->fixed_channel :
	    (r->present & MF_BIT(MF_CHANNEL)) ? NULL : ctx->preset->channel;
	if (chan != NULL) {
		if (parse_name(ctx, MF_CHANNEL, chan, strlen(chan), r->channel,
		    sizeof r->channel, reason, sizeof reason) == 0)
			r->present |= MF_BIT(MF_CHANNEL);
	}
	if (ctx->has_day && !(r->present & MF_BIT(MF_DATE))) {
		r->day = ctx->day;
		r->present |= MF_BIT(MF_DATE);
	}
	if (ctx->envelope_mark[0] != '\0' && parse_mark(r, ctx->envelope_mark,
	    reason, sizeof reason) != 0)
		return parse_report(ctx, row, line, "currency", 8, "%s",
		    reason);
	if (!ctx->extra)
		return parse_emit(ctx, r, row, line);
	if (o->ndate_columns > 0) {
		if (r->present & MF_BIT(MF_DATE))
			return parse_report(ctx, row, line, "date", 4, "a date "
			    "and \"date_columns\": remove one");
		if ((rc = parse_date_parts(ctx, r, row, line)) < 0)
			return -1;
		if (rc == 0 && ctx->dparts != 0)
			return 0;	/* reported */
	}
	if (o->nspread > 0)
		return parse_spread_rows(ctx, r, row, line);
	return parse_emit(ctx, r, row, line);
}

int
parse_count_row(struct parse_ctx *ctx, long line)
{
	ctx->nrows++;
	if (ctx->opts->max_rows > 0 && ctx->nrows > ctx->opts->max_rows) {
		parse_report(ctx, ctx->nrows, line, NULL, 0, "more than %ld "
		    "rows", ctx->opts->max_rows);
		return -1;
	}
	return 0;
}

/* Google Ads appends "Total: Account", "Total: Campaigns"... rows. */
static int
parse_is_total(const struct csv_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].len == 0)
			continue;
		return f[i].len >= 6 && strncasecmp(f[i].p, "total:", 6) == 0;
	}
	return 0;
}

/* Every date part and spread column of the options must be a column. */
static int
parse_csv_extra_columns(struct parse_ctx *ctx, const int *field, size_t n,
    unsigned *have, long line)
{
	const struct parse_options *o = ctx->opts;
	const char *h;
	size_t	 i, j;
	int	 code;

	for (j = 0; j < o->ndate_columns + o->nspread; j++) {
		code = j < o->ndate_columns ? PARSE_FIELD_DATEPART + (int)j :
		    PARSE_FIELD_SPREAD + (int)(j - o->ndate_columns);
		for (i = 0; i < n && field[i] != code; i++)
			;
		if (i < n)
			continue;
		h = j < o->ndate_columns ? o->date_columns[j] :
		    o->spread[j - o->ndate_columns].header;
		parse_report(ctx, 0, line, h, strlen(h), "no column \"%s\" "
		    "(%s)", h, j < o->ndate_columns ? "date_columns" :
		    "spread");
		return -1;
	}
	if (o->ndate_columns > 0)
		*have |= MF_BIT(MF_DATE);
	return 0;
}

/*
 * The CSV body. The header is copied (its fields may live in the tokenizer's
 * scratch) and mapped once; each data row then visits only mapped columns.
 */
static int
parse_csv(struct parse_ctx *ctx, const char *buf, size_t len)
{
	struct csv		*c;
	const struct csv_field	*f;
	struct parse_key	*keys = NULL;
	struct metric_row	 row;
	char			*names = NULL, *cause = NULL, reason[256];
	int			*field = NULL, bad, rc, ret = -1;
	size_t			 nf, ncols, needed = 0, i, total, nmapped = 0;
	size_t			*mapped = NULL, off, pre;
	long			 line;

	c = csv_new(buf, len, ctx->opts->delimiter);
	for (pre = 0;; pre++) {
		rc = csv_next(c, &f, &nf, &cause);
		if (rc == 0) {
			parse_report(ctx, 0, 0, NULL, 0, "no header line");
			goto out;
		}
		if (rc == -1) {
			parse_report(ctx, 0, csv_line(c), NULL, 0, "%s", cause);
			goto out;
		}
		if (nf == 1 && f[0].len == 0)
			continue;	/* blank line */
		if (nf >= 2 || pre >= PARSE_PREAMBLE_MAX)
			break;
	}
	if (nf > PARSE_KEYS_MAX) {
		parse_report(ctx, 0, csv_line(c), NULL, 0, "more than %d "
		    "columns", PARSE_KEYS_MAX);
		goto out;
	}
	ncols = nf;
	for (total = 0, i = 0; i < nf; i++)
		total += f[i].len;
	names = xmalloc(total + 1);
	keys = xreallocarray(NULL, nf, sizeof *keys);
	field = xreallocarray(NULL, nf, sizeof *field);
	mapped = xreallocarray(NULL, nf, sizeof *mapped);
	for (off = 0, i = 0; i < nf; i++) {
		memcpy(names + off, f[i].p, f[i].len);
		keys[i].p = names + off;
		keys[i].len = f[i].len;
		off += f[i].len;
		if (ctx->check_utf8 && !parse_utf8_span(keys[i].p, keys[i].len)) {
			parse_report(ctx, 0, csv_line(c), NULL, 0, "invalid "
			    "UTF-8 in the header" PARSE_HINT_ENCODING);
			goto out;
		}
		{
			const char *s = keys[i].p;
			size_t l = keys[i].len;

			utf8_trim(&s, &l);
			if (l != 0)
				needed = i + 1;
		}
	}
	if (parse_resolve(ctx, keys, ncols, field, &bad, reason,
	    sizeof reason) != 0) {
		parse_report(ctx, 0, csv_line(c), bad >= 0 ? keys[bad].p : NULL,
		    bad >= 0 ? keys[bad].len : 0, "%s", reason);
		goto out;
	}
	{
		unsigned have = 0;
		enum metric_field m;

		for (i = 0; i < ncols; i++) {
			if (field[i] >= 0 && field[i] < MF__MAX)
				have |= MF_BIT(field[i]);
			if (field[i] >= 0)
				mapped[nmapped++] = i;
		}
		if (ctx->opts->fixed_client != NULL)
			have |= MF_BIT(MF_CLIENT);
		if (ctx->opts->fixed_campaign != NULL ||
		    (ctx->opts->nspread > 0 &&
		    ctx->opts->spread_into == MF_CAMPAIGN))
			have |= MF_BIT(MF_CAMPAIGN);
		if (ctx->has_day)
			have |= MF_BIT(MF_DATE);
		if (parse_csv_extra_columns(ctx, field, ncols, &have,
		    csv_line(c)) != 0)
			goto out;
		for (m = 0; m < MF__MAX; m++) {
			const char *n = metric_field_name(m);

			if ((MF_REQUIRED & MF_BIT(m)) && !(have & MF_BIT(m))) {
				parse_report(ctx, 0, csv_line(c), n, strlen(n),
				    "no column for %s", n);
				goto out;
			}
		}
	}

	for (;;) {
		off = csv_offset(c);
		rc = csv_next(c, &f, &nf, &cause);
		if (rc == 0)
			break;
		line = csv_line(c);
		if (rc == -1) {
			parse_report(ctx, ctx->nrows + 1, line, NULL, 0, "%s",
			    cause);
			goto out;
		}
		if (f[0].len == 0) {
			for (i = 1; i < nf && f[i].len == 0; i++)
				;
			if (i == nf)
				continue;	/* blank line */
		}
		if (ctx->preset->skip_totals && parse_is_total(f, nf))
			continue;
		if (parse_count_row(ctx, line) != 0)
			goto out;
		if (ctx->check_utf8 &&
		    !parse_utf8_span(buf + off, csv_offset(c) - off)) {
			rc = parse_report(ctx, ctx->nrows, line, NULL, 0,
			    "invalid UTF-8" PARSE_HINT_ENCODING);
			goto next;
		}
		if (nf < needed) {
			rc = parse_report(ctx, ctx->nrows, line, NULL, 0,
			    "%zu fields, the header has %zu", nf, needed);
			goto next;
		}
		for (i = ncols; i < nf; i++) {
			if (f[i].len != 0) {
				rc = parse_report(ctx, ctx->nrows, line, NULL, 0,
				    "%zu fields, the header has %zu", nf,
				    ncols);
				goto next;
			}
		}
		parse_row_init(ctx, &row);
		for (i = 0; i < nmapped; i++) {
			size_t k = mapped[i];

			if ((field[k] < PARSE_FIELD_CUSTOM ?
			    parse_value(ctx, &row, (enum metric_field)field[k],
			    f[k].p, f[k].len, 0, reason, sizeof reason) :
			    parse_custom_value(ctx, &row, field[k], f[k].p,
			    f[k].len, 0, reason, sizeof reason)) != 0) {
				rc = parse_report(ctx, ctx->nrows, line,
				    keys[k].p, keys[k].len, "%s", reason);
				goto next;
			}
		}
		rc = parse_row_finish(ctx, &row, ctx->nrows, line);
next:
		if (rc == -1)
			goto out;
	}
	ret = 0;
out:
	free(cause);
	free(mapped);
	free(field);
	free(keys);
	free(names);
	csv_free(c);
	return ret;
}

/* AUTO: JSON if the input opens with '{' or '['; NDJSON when the first line is
 * a whole object and another object line follows. */
static enum parse_format
parse_sniff(const char *buf, size_t len)
{
	const char *p = buf, *e = buf + len, *nl, *q;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (p >= e || (*p != '{' && *p != '['))
		return PARSE_CSV;
	if (*p == '[')
		return PARSE_JSON;
	if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
		return PARSE_JSON;
	for (q = nl; q > p && (q[-1] == '\r' || q[-1] == ' ' || q[-1] == '\t');)
		q--;
	if (q == p || q[-1] != '}')
		return PARSE_JSON;
	for (q = nl; q < e && (*q == ' ' || *q == '\t' || *q == '\r' ||
	    *q == '\n');)
		q++;
	return q < e && *q == '{' ? PARSE_NDJSON : PARSE_JSON;
}

static int
parse_encoding(const char *enc)
{
	static const char *const utf8[] = { "utf-8", "utf8" };
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1",
	    "latin1", "latin-1" };
	static const char *const cp1252[] = { "windows-1252", "cp1252" };
	size_t i;

	if (enc == NULL)
		return 0;
	for (i = 0; i < NITEMS(utf8); i++)
		if (strcasecmp(enc, utf8[i]) == 0)
			return 0;
	for (i = 0; i < NITEMS(latin1); i++)
		if (strcasecmp(enc, latin1[i]) == 0)
			return 1;
	for (i = 0; i < NITEMS(cp1252); i++)
		if (strcasecmp(enc, cp1252[i]) == 0)
			return 2;
	return -1;
}

/* Report a bad option (row 0); returns -1. */
static int __attribute__((format(printf, 2, 3)))
parse_bad_option(struct parse_ctx *ctx, const char *fmt, ...)
{
	struct parse_error	 e;
	va_list			 ap;

	memset(&e, 0, sizeof e);
	va_start(ap, fmt);
	vsnprintf(e.reason, sizeof e.reason, fmt, ap);
	va_end(ap);
	if (ctx->sink->error != NULL)
		ctx->sink->error(ctx->sink->arg, &e);
	return -1;
}

/*
 * The date, campaign, spread, value and rounding options; sets the date
 * formats and the fixed date of ctx. The fixed date comes from "date", else
 * from the name when there is one (a dry run of the configuration has none).
 */
static int
parse_check_options(struct parse_ctx *ctx, const struct parse_options *o)
{
	char	*cause = NULL;
	size_t	 i, n;

	if (o->ndate_formats > 0) {
		ctx->dfmts = o->date_formats;
		ctx->ndfmts = o->ndate_formats;
	} else if (o->date_format != NULL) {
		ctx->dfmts = &o->date_format;
		ctx->ndfmts = 1;
	}
	if (o->default_year < 0 || o->default_year > 9999)
		return parse_bad_option(ctx, "default_year out of range");
	for (i = 0; i < ctx->ndfmts; i++) {
		if (ctx->dfmts[i] == NULL || parse_date_check_format(
		    ctx->dfmts[i], o->default_year, &cause) != 0)
			goto bad_format;
	}
	if (o->date_from_name != NULL && parse_date_check_format(
	    o->date_from_name, o->default_year, &cause) != 0)
		goto bad_format;
	if (o->date != NULL) {
		if (metric_parse_iso_date(o->date, strlen(o->date),
		    &ctx->day) != 0)
			return parse_bad_option(ctx, "fixed date \"%s\" is not "
			    "YYYY-MM-DD", o->date);
		ctx->has_day = 1;
	} else if (o->date_from_name != NULL && o->name != NULL) {
		if (parse_date_search(o->date_from_name, o->default_year,
		    o->name, &ctx->day) != 0)
			return parse_bad_option(ctx, "no date like \"%s\" in "
			    "the file name \"%s\" (date_from_name)",
			    o->date_from_name, o->name);
		ctx->has_day = 1;
	}
	if (o->ndate_columns > PARSE_DATEPARTS_MAX)
		return parse_bad_option(ctx, "more than %d date_columns",
		    PARSE_DATEPARTS_MAX);
	for (i = 0; i < o->ndate_columns; i++) {
		if (o->date_columns[i] == NULL || *o->date_columns[i] == '\0')
			return parse_bad_option(ctx, "empty date column name");
	}
	if (o->ndate_columns > 0 && (o->date != NULL ||
	    o->date_from_name != NULL))
		return parse_bad_option(ctx, "date_columns and a fixed date "
		    "exclude each other");
	if (o->fixed_campaign != NULL && (*o->fixed_campaign == '\0' ||
	    strlen(o->fixed_campaign) >= METRIC_CAMPAIGN_MAX))
		return parse_bad_option(ctx, "bad fixed campaign");
	if (o->nspread > PARSE_SPREAD_MAX)
		return parse_bad_option(ctx, "more than %d spread columns",
		    PARSE_SPREAD_MAX);
	if (o->nspread > 0 && o->spread_into != MF_CAMPAIGN &&
	    o->spread_into != MF_CHANNEL)
		return parse_bad_option(ctx, "spread goes into campaign or "
		    "channel");
	for (i = 0; i < o->nspread; i++) {
		if (o->spread[i].header == NULL || o->spread[i].name == NULL ||
		    *o->spread[i].name == '\0' ||
		    !parse_is_numeric(o->spread[i].field))
			return parse_bad_option(ctx, "bad spread column %zu",
			    i + 1);
		n = strlen(o->spread[i].name);
		if (n >= (o->spread_into == MF_CHANNEL ? METRIC_CHANNEL_MAX :
		    METRIC_CAMPAIGN_MAX))
			return parse_bad_option(ctx, "spread name \"%s\" too "
			    "long", o->spread[i].name);
	}
	for (i = 0; i < o->nvalues; i++) {
		if ((o->values[i].field != MF_CLIENT &&
		    o->values[i].field != MF_CAMPAIGN &&
		    o->values[i].field != MF_CHANNEL) ||
		    o->values[i].from == NULL || o->values[i].to == NULL ||
		    *o->values[i].to == '\0')
			return parse_bad_option(ctx, "bad value mapping %zu",
			    i + 1);
	}
	if (o->conversion_value < 0)
		return parse_bad_option(ctx, "negative conversion_value");
	if (o->round != MONEY_ROUND_NONE && o->round != MONEY_ROUND_HALF_EVEN)
		return parse_bad_option(ctx, "unknown rounding");
	return 0;

bad_format:
	if (cause == NULL)
		return parse_bad_option(ctx, "empty date format");
	parse_bad_option(ctx, "%s", cause);
	free(cause);
	return -1;
}

int
parse_input(const char *buf, size_t len, const struct parse_options *o,
    const struct parse_sink *sink)
{
	struct parse_ctx	 ctx;
	enum parse_format	 fmt;
	char			*conv = NULL, *cause = NULL;
	size_t			 convlen, i;
	int			 enc, rc;

	memset(&ctx, 0, sizeof ctx);
	ctx.opts = o;
	ctx.sink = sink;
	ctx.preset = &parse_presets[0];
	if (o->preset != NULL) {
		for (i = 0; i < NITEMS(parse_presets); i++) {
			if (strcasecmp(o->preset, parse_presets[i].name) == 0)
				break;
		}
		if (i == NITEMS(parse_presets)) {
			parse_report(&ctx, 0, 0, NULL, 0, "unknown preset \"%s\"",
			    o->preset);
			return -1;
		}
		ctx.preset = &parse_presets[i];
	}
	if (o->decimal != 0 && o->decimal != '.' && o->decimal != ',') {
		parse_report(&ctx, 0, 0, NULL, 0, "decimal separator must be "
		    "'.' or ','");
		return -1;
	}
	ctx.dec = o->decimal == ',' ? ',' : '.';
	ctx.thousands = o->thousands;
	if (ctx.thousands != 0 && (ctx.thousands == ctx.dec ||
	    strchr(",. '", ctx.thousands) == NULL)) {
		parse_report(&ctx, 0, 0, NULL, 0, "thousands separator must "
		    "be ',' '.' ' ' or an apostrophe, unlike the decimal one");
		return -1;
	}
	if (parse_check_options(&ctx, o) != 0)
		return -1;
	if (o->fixed_client != NULL && (o->fixed_client[0] == '\0' ||
	    strlen(o->fixed_client) >= METRIC_CLIENT_MAX)) {
		parse_report(&ctx, 0, 0, NULL, 0, "bad fixed client");
		return -1;
	}
	if (o->fixed_channel != NULL &&
	    strlen(o->fixed_channel) >= METRIC_CHANNEL_MAX) {
		parse_report(&ctx, 0, 0, NULL, 0, "fixed channel too long");
		return -1;
	}
	for (i = 0; i < o->ncustom_kpis; i++) {
		if (o->custom_kpis[i].header == NULL ||
		    !metric_custom_name_valid(o->custom_kpis[i].name)) {
			parse_report(&ctx, 0, 0, NULL, 0, "bad custom KPI name "
			    "\"%s\" (a-z, then a-z 0-9 _, at most %d)",
			    o->custom_kpis[i].name != NULL ?
			    o->custom_kpis[i].name : "",
			    METRIC_CUSTOM_NAME_MAX - 1);
			return -1;
		}
	}
	if ((enc = parse_encoding(o->encoding)) == -1) {
		parse_report(&ctx, 0, 0, NULL, 0, "unsupported encoding \"%s\"",
		    o->encoding);
		return -1;
	}

	if (len >= 2 && (((unsigned char)buf[0] == 0xff &&
	    (unsigned char)buf[1] == 0xfe) || ((unsigned char)buf[0] == 0xfe &&
	    (unsigned char)buf[1] == 0xff))) {
		if ((conv = parse_from_utf16(buf, len, &convlen, &cause)) ==
		    NULL) {
			parse_report(&ctx, 0, 0, NULL, 0, "%s", cause);
			free(cause);
			return -1;
		}
	} else if (enc != 0)
		conv = parse_from_8bit(buf, len, enc == 2, &convlen);
	if (conv != NULL) {
		buf = conv;
		len = convlen;
	} else
		ctx.check_utf8 = 1;

	if (o->ncustom_kpis > 0 || o->keep_unknown_numeric)
		ctx.custom = xreallocarray(NULL, PARSE_KEYS_MAX,
		    sizeof *ctx.custom);
	ctx.extra = o->ndate_columns > 0 || o->nspread > 0;
	if (o->nspread > 0) {
		ctx.smark = xcalloc(o->nspread, sizeof *ctx.smark);
		ctx.sval = xcalloc(o->nspread, sizeof *ctx.sval);
		ctx.shave = xcalloc(o->nspread, 1);
	}
	fmt = o->format;
	if (fmt == PARSE_AUTO)
		fmt = parse_sniff(buf, len);
	switch (fmt) {
	case PARSE_CSV:
		rc = parse_csv(&ctx, buf, len);
		break;
	case PARSE_JSON:
	case PARSE_NDJSON:
		rc = parse_json_input(&ctx, buf, len, fmt);
		break;
	default:
		parse_report(&ctx, 0, 0, NULL, 0, "unknown input format");
		rc = -1;
		break;
	}
	free(ctx.shave);
	free(ctx.sval);
	free(ctx.smark);
	free(ctx.custom);
	free(conv);
	return rc;
}

/* Trimmed, case-insensitive s == word. */
static int
parse_word_eq(const char *s, size_t len, const char *word)
{
	utf8_trim(&s, &len);
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

int
parse_format_from_content_type(const char *ct)
{
	size_t len;

	if (ct == NULL)
		return -1;
	len = strcspn(ct, ";");
	if (parse_word_eq(ct, len, "text/csv") ||
	    parse_word_eq(ct, len, "application/csv") ||
	    parse_word_eq(ct, len, "text/tab-separated-values"))
		return PARSE_CSV;
	if (parse_word_eq(ct, len, "application/json") ||
	    parse_word_eq(ct, len, "text/json"))
		return PARSE_JSON;
	if (parse_word_eq(ct, len, "application/x-ndjson") ||
	    parse_word_eq(ct, len, "application/ndjson") ||
	    parse_word_eq(ct, len, "application/jsonl") ||
	    parse_word_eq(ct, len, "application/x-jsonlines") ||
	    parse_word_eq(ct, len, "application/jsonlines"))
		return PARSE_NDJSON;
	return -1;
}

int
parse_format_from_filename(const char *name)
{
	const char *dot;

	if (name == NULL || (dot = strrchr(name, '.')) == NULL ||
	    strchr(dot, '/') != NULL)
		return -1;
	if (strcasecmp(dot, ".csv") == 0 || strcasecmp(dot, ".tsv") == 0)
		return PARSE_CSV;
	if (strcasecmp(dot, ".json") == 0)
		return PARSE_JSON;
	if (strcasecmp(dot, ".ndjson") == 0 || strcasecmp(dot, ".jsonl") == 0)
		return PARSE_NDJSON;
	return -1;
}
