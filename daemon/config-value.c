/*
 * The generic walker of configuration objects (config-internal.h): one
 * value converted by its option's type (integers, durations, sizes, money,
 * ROI and percentages, choices, lists, secret files), one object walked with
 * its table (unknown options refused with a "did you mean", defaults applied,
 * required ones checked), arrays of named objects (receivers, sources), and
 * the freeing of everything a table describes. Errors read
 * "FILE:LINE: option 'name': reason".
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config-internal.h"
#include "jsonc.h"
#include "kpi.h"
#include "log.h"
#include "money.h"
#include "xmalloc.h"

/* "FILE:LINE: option 'name': reason", or without the option part. */
int
cfg_error(struct cfg_ctx *ctx, int line, const char *name, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	if (name != NULL)
		xasprintf(ctx->cause, "%s:%d: option '%s%s': %s", ctx->file,
		    line, ctx->prefix != NULL ? ctx->prefix : "", name, msg);
	else
		xasprintf(ctx->cause, "%s:%d: %s", ctx->file, line, msg);
	free(msg);
	return -1;
}

/* Line of a member's key (falling back on its value's line). */
int
cfg_line(const struct cfg_ctx *ctx, const cJSON *node)
{
	int	line = jsonc_key_line(ctx->lines, node);

	if (line == 0)
		line = jsonc_line(ctx->lines, node);
	return line;
}

/*
 * Read a whole regular file of at most max bytes; NUL-terminated. The buffer
 * is sized from the file (a configuration with thousands of clients keeps
 * thousands of small secrets: no buffer of the maximum size each).
 */
char *
cfg_read_file(const char *path, size_t max, size_t *lenp, char **cause)
{
	struct stat	 st;
	char		*buf;
	size_t		 len = 0, cap;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(cause, "cannot stat %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s is not a regular file", path);
		close(fd);
		return NULL;
	}
	cap = (st.st_size >= 0 && (uint64_t)st.st_size < max ?
	    (size_t)st.st_size : max) + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap && cap < max + 1) {	/* the file grew */
			cap = cap * 2 < max + 1 ? cap * 2 : max + 1;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "cannot read %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			xasprintf(cause, "%s is larger than %zu bytes", path,
			    max);
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;

fail:
	close(fd);
	free(buf);
	return NULL;
}

char *
cfg_resolve(const char *base, const char *path)
{
	char	*out;

	if (path[0] == '/' || base == NULL)
		return xstrdup(path);
	xasprintf(&out, "%s/%s", base, path);
	return out;
}

int
cfg_has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/* Levenshtein distance, for "did you mean"; names are short. */
size_t
cfg_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, prev, tmp, cost;
	size_t	row[64];

	if (lb >= sizeof row / sizeof row[0] || la >= 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			row[j] = prev + cost;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static const struct opt *
cfg_lookup(const struct opt *opts, size_t nopts, const char *name)
{
	size_t	i;

	for (i = 0; i < nopts; i++) {
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	}
	return NULL;
}

static const char *
cfg_suggest(const struct opt *opts, size_t nopts, const char *name)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < nopts; i++) {
		/* "secret" for "secret_file": a prefix of 4 or more. */
		if (strlen(name) >= 4 &&
		    strncmp(opts[i].name, name, strlen(name)) == 0)
			return opts[i].name;
		d = cfg_distance(name, opts[i].name);
		if (d < bestd) {
			bestd = d;
			best = opts[i].name;
		}
	}
	return best;
}

static char *
cfg_choices(const char *const *choices)
{
	char	*out = xstrdup(""), *tmp;
	size_t	 i;

	for (i = 0; choices[i] != NULL; i++) {
		xasprintf(&tmp, "%s%s\"%s\"", out, i == 0 ? "" : ", ",
		    strcmp(choices[i], "\t") == 0 ? "\\t" : choices[i]);
		free(out);
		out = tmp;
	}
	return out;
}

/* Integer from the source text of a number node; no fraction or exponent. */
static int
cfg_parse_integer(const char *s, int64_t *out)
{
	char		*ep;
	long long	 v;

	if (s == NULL || *s == '\0' || strspn(s, "-0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoll(s, &ep, 10);
	if (errno != 0 || *ep != '\0')
		return -1;
	*out = v;
	return 0;
}

/*
 * "90", "90s", "15m", "2h", "7d", "1w" (durations) or "512", "1KiB", "8MiB",
 * "1GiB" (sizes): digits and one unit. Returns -1 on anything else.
 */
static int
cfg_parse_unit(const char *s, int bytes, int64_t *out)
{
	static const struct {
		const char	*unit;
		int64_t		 mult;
		int		 bytes;
	} units[] = {
		{ "", 1, 0 }, { "s", 1, 0 }, { "m", 60, 0 }, { "h", 3600, 0 },
		{ "d", DAY, 0 }, { "w", 7 * DAY, 0 },
		{ "", 1, 1 }, { "B", 1, 1 }, { "KiB", 1024, 1 },
		{ "MiB", 1024 * 1024, 1 }, { "GiB", 1024 * 1024 * 1024, 1 },
	};
	const char	*p = s;
	int64_t		 v = 0;
	size_t		 i;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (*p == ' ')
		p++;
	for (i = 0; i < NOPTS(units); i++) {
		if (units[i].bytes != bytes || strcmp(p, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].mult)
			return -1;
		*out = v * units[i].mult;
		return 0;
	}
	return -1;
}

static int
cfg_bounds(struct cfg_ctx *ctx, const struct opt *o, int line, int64_t v)
{
	if (o->max == INT64_MAX) {
		if (v < o->min)
			return cfg_error(ctx, line, o->name,
			    "must be at least %" PRId64, o->min);
		return 0;
	}
	if (v < o->min || v > o->max) {
		return cfg_error(ctx, line, o->name, "%" PRId64 " is out of"
		    " bounds (%" PRId64 "..%" PRId64 ")", v, o->min, o->max);
	}
	return 0;
}

/* Content of a secret file: trailing newline stripped, length checked. */
static int
cfg_secret(struct cfg_ctx *ctx, const struct opt *o, int line,
    const char *path, char **out)
{
	char	*full, *buf, *why = NULL;
	size_t	 len;

	full = cfg_resolve(ctx->base, path);
	buf = cfg_read_file(full, CONFIG_MAX_SECRET, &len, &why);
	free(full);
	if (buf == NULL) {
		cfg_error(ctx, line, o->name, "%s", why);
		free(why);
		return -1;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (memchr(buf, '\0', len) != NULL || cfg_has_control(buf)) {
		explicit_bzero(buf, len);
		free(buf);
		return cfg_error(ctx, line, o->name, "%s: secret contains"
		    " control characters or several lines", path);
	}
	if ((int64_t)len < o->min) {
		explicit_bzero(buf, len);
		free(buf);
		return cfg_error(ctx, line, o->name, "%s: secret is %zu"
		    " characters long, need at least %" PRId64, path, len,
		    o->min);
	}
	*out = buf;
	return 0;
}

/*
 * Convert one value (from the file, or a default parsed from the table) and
 * store it. `lines` is the line table of the tree v belongs to.
 */
static int
cfg_value(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    const struct jsonc_lines *lines, int line, void *base)
{
	void		*dst = cfg_field(base, o->off);
	const cJSON	*e;
	const char	*s, *why;
	char		*err = NULL, **list, *tmp;
	int64_t		 iv;
	size_t		 n, i;

	switch (o->type) {
	case OPT_STRING:
	case OPT_PATH:
	case OPT_WORD:
	case OPT_SECRET:
		if (!cJSON_IsString(v))
			return cfg_error(ctx, line, o->name, "must be a string");
		s = v->valuestring;
		if (cfg_has_control(s))
			return cfg_error(ctx, line, o->name, "control characters"
			    " (CR, LF, tab...) are not allowed");
		if (*s == '\0' && !(o->flags & OPT_EMPTY))
			return cfg_error(ctx, line, o->name, "must not be"
			    " empty");
		if (o->type == OPT_WORD && o->choices != NULL) {
			for (i = 0; o->choices[i] != NULL; i++) {
				if (strcmp(s, o->choices[i]) == 0)
					break;
			}
			if (o->choices[i] == NULL)
				goto bad_choice;
		}
		if (o->check != NULL && o->check(s, &err) != 0) {
			cfg_error(ctx, line, o->name, "%s", err);
			free(err);
			return -1;
		}
		if (o->type == OPT_SECRET)
			return cfg_secret(ctx, o, line, s, dst);
		if (o->type == OPT_PATH)
			*(char **)dst = cfg_resolve(ctx->base, s);
		else
			*(char **)dst = xstrdup(s);
		return 0;
	case OPT_ENUM:
		if (!cJSON_IsString(v))
			goto bad_choice;
		for (i = 0; o->choices[i] != NULL; i++) {
			if (strcmp(v->valuestring, o->choices[i]) == 0) {
				*(int *)dst = (int)i;
				return 0;
			}
		}
		goto bad_choice;
	case OPT_INT:
	case OPT_DURATION:
	case OPT_BYTES:
		if (cJSON_IsNumber(v)) {
			if (cfg_parse_integer(jsonc_number_text(lines, v),
			    &iv) != 0)
				return cfg_error(ctx, line, o->name, "%s is not"
				    " a whole number",
				    jsonc_number_text(lines, v));
		} else if (cJSON_IsString(v) && o->type != OPT_INT) {
			if (cfg_parse_unit(v->valuestring,
			    o->type == OPT_BYTES, &iv) != 0)
				return cfg_error(ctx, line, o->name, "\"%s\" is"
				    " not a %s", v->valuestring,
				    o->type == OPT_BYTES ? "size (e.g. 16384,"
				    " \"64KiB\", \"8MiB\")" : "duration (e.g."
				    " 90, \"90s\", \"15m\", \"2h\", \"7d\")");
		} else
			return cfg_error(ctx, line, o->name, "must be %s",
			    o->type == OPT_INT ? "an integer" :
			    "a number or a string with a unit");
		if (cfg_bounds(ctx, o, line, iv) != 0)
			return -1;
		*(int64_t *)dst = iv;
		return 0;
	case OPT_BOOL:
		if (!cJSON_IsBool(v))
			return cfg_error(ctx, line, o->name, "must be true or"
			    " false");
		*(int *)dst = cJSON_IsTrue(v);
		return 0;
	case OPT_MONEY:
		if (cJSON_IsNumber(v))
			s = jsonc_number_text(lines, v);
		else if (cJSON_IsString(v))
			s = v->valuestring;
		else
			return cfg_error(ctx, line, o->name, "must be an amount"
			    " such as \"100.00\"");
		if (s == NULL || money_parse(s, strlen(s), '.', 0, &iv,
		    &why) != 0)
			return cfg_error(ctx, line, o->name, "\"%s\": %s",
			    s != NULL ? s : "", s != NULL ? why : "bad amount");
		if (iv < o->min)
			return cfg_error(ctx, line, o->name, "must not be"
			    " negative");
		*(int64_t *)dst = iv;
		return 0;
	case OPT_ROI:
	case OPT_PERCENT:
		if (!cJSON_IsString(v)) {
			return cfg_error(ctx, line, o->name, "must be a string"
			    " such as %s", o->type == OPT_ROI ?
			    "\"150%\" or \"2.5:1\"" : "\"5%\"");
		}
		s = v->valuestring;
		n = strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (o->type == OPT_PERCENT && (n == 0 || s[n - 1] != '%'))
			return cfg_error(ctx, line, o->name, "\"%s\" must be a"
			    " percentage such as \"5%%\"", s);
		if (kpi_parse_roi_threshold(s, &iv, &err) != 0) {
			cfg_error(ctx, line, o->name, "%s", err);
			free(err);
			return -1;
		}
		if (o->type == OPT_PERCENT && iv < o->min)
			return cfg_error(ctx, line, o->name, "must not be"
			    " negative");
		if (o->type == OPT_PERCENT && iv > o->max)
			return cfg_error(ctx, line, o->name, "must not be"
			    " above %" PRId64 "%%", o->max / 10000);
		*(int64_t *)dst = iv;
		if (o->flags & OPT_HAS)
			*(int *)cfg_field(base, o->aux) = 1;
		return 0;
	case OPT_LIST:
		if (!cJSON_IsArray(v))
			return cfg_error(ctx, line, o->name, "must be an array"
			    " of strings");
		n = (size_t)cJSON_GetArraySize(v);
		list = xcalloc(n + 1, sizeof *list);
		i = 0;
		cJSON_ArrayForEach(e, v) {
			line = jsonc_line(lines, e);
			if (!cJSON_IsString(e)) {
				cfg_error(ctx, line, o->name, "element %zu must"
				    " be a string", i + 1);
				goto bad_list;
			}
			if (cfg_has_control(e->valuestring)) {
				cfg_error(ctx, line, o->name, "element %zu:"
				    " control characters (CR, LF, tab...) are"
				    " not allowed", i + 1);
				goto bad_list;
			}
			if (o->check != NULL &&
			    o->check(e->valuestring, &err) != 0) {
				cfg_error(ctx, line, o->name, "%s", err);
				free(err);
				goto bad_list;
			}
			list[i++] = xstrdup(e->valuestring);
		}
		*(char ***)dst = list;
		*(size_t *)cfg_field(base, o->aux) = i;
		return 0;
	bad_list:
		while (i > 0)
			free(list[--i]);
		free(list);
		return -1;
	case OPT_RECEIVERS:
		return cfg_receivers(ctx, o, v, base);
	case OPT_COLUMNS:
		return cfg_columns(ctx, o, v, line, base);
	case OPT_HEADERS:
		return cfg_headers(ctx, o, line, v, base);
	case OPT_SOURCES:
		return cfg_sources(ctx, o, v, base);
	case OPT_CUSTOM:
		return cfg_custom_kpis(ctx, o, v, line, base);
	case OPT_SPREAD:
		return cfg_spread(ctx, o, v, line, base);
	case OPT_VALUES:
		return cfg_values(ctx, o, v, line, base);
	case OPT_VALUE:
		if (cJSON_IsNumber(v))
			s = jsonc_number_text(lines, v);
		else if (cJSON_IsString(v))
			s = v->valuestring;
		else
			return cfg_error(ctx, line, o->name, "must be a string"
			    " or a number");
		if (s == NULL || *s == '\0' || cfg_has_control(s))
			return cfg_error(ctx, line, o->name, "must not be"
			    " empty nor hold control characters");
		((struct cfg_text *)dst)->s = xstrdup(s);
		((struct cfg_text *)dst)->line = line;
		return 0;
	case OPT_RULES:
	case OPT_CONDS:
	case OPT_OVERRIDES:
	case OPT_CLV:
		return cfg_rule_option(ctx, o, v, line, base);
	case OPT_DIGESTS:
		return cfg_digests_read(ctx, o, v, line, base);
	case OPT_TYPE_MAX:
		break;
	}
	fatalx("%s: bad option type %d", __func__, o->type);

bad_choice:
	tmp = cfg_choices(o->choices);
	cfg_error(ctx, line, o->name, "must be one of %s", tmp);
	free(tmp);
	return -1;
}

/*
 * Walk one JSON object with an option table: refuse unknown members, convert
 * the given ones, then apply defaults and report missing required options at
 * the object's opening line. *seenp gets a bit per option given in the file.
 */
int
cfg_object(struct cfg_ctx *ctx, const struct opt *opts, size_t nopts,
    const cJSON *obj, void *base, uint64_t *seenp)
{
	const struct opt	*o;
	const cJSON		*m;
	const char		*hint;
	struct jsonc_lines	*dlines;
	cJSON			*def;
	uint64_t		 seen = 0;
	size_t			 i;
	char			*why;
	int			 r;

	if (nopts > OPT_TABLE_MAX)
		fatalx("%s: table too large", __func__);
	cJSON_ArrayForEach(m, obj) {
		if ((o = cfg_lookup(opts, nopts, m->string)) == NULL) {
			hint = cfg_suggest(opts, nopts, m->string);
			if (hint != NULL)
				return cfg_error(ctx, cfg_line(ctx, m), m->string,
				    "unknown option (did you mean '%s'?)", hint);
			return cfg_error(ctx, cfg_line(ctx, m), m->string,
			    "unknown option");
		}
		if (cfg_value(ctx, o, m, ctx->lines, cfg_line(ctx, m), base) !=
		    0)
			return -1;
		seen |= 1ULL << (o - opts);
	}
	for (i = 0; i < nopts; i++) {
		o = &opts[i];
		if (seen & (1ULL << i))
			continue;
		if (o->flags & OPT_REQUIRED)
			return cfg_error(ctx, jsonc_line(ctx->lines, obj),
			    o->name, "missing (required)");
		if (o->def == NULL)
			continue;
		def = jsonc_parse(o->def, strlen(o->def), &dlines, &why);
		if (def == NULL)
			fatalx("default of %s: %s", o->name, why);
		r = cfg_value(ctx, o, def, dlines, jsonc_line(ctx->lines, obj),
		    base);
		cJSON_Delete(def);
		jsonc_lines_free(dlines);
		if (r != 0)
			return -1;
	}
	*seenp = seen;
	return 0;
}

void
cfg_free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
cfg_free_receiver(struct receiver_conf *r)
{
	cfg_free_object(cfg_receiver_opts, cfg_nreceiver_opts, r);
}

static void
cfg_free_source(struct source_conf *src)
{
	cfg_free_object(cfg_source_opts, cfg_nsource_opts, src);
}

/* Free every allocated field a table describes. */
void
cfg_free_object(const struct opt *opts, size_t nopts, void *base)
{
	const struct opt	*o;
	struct receiver_conf	*rs;
	struct source_conf	*ss;
	struct parse_column_map	*cm;
	struct parse_custom_map	*km;
	struct parse_spread	*sp;
	struct parse_value_map	*vm;
	char			**list;
	size_t			 i, j, n;

	for (i = 0; i < nopts; i++) {
		o = &opts[i];
		switch (o->type) {
		case OPT_STRING:
		case OPT_PATH:
		case OPT_WORD:
			free(*(char **)cfg_field(base, o->off));
			break;
		case OPT_SECRET:
			cfg_free_secret(*(char **)cfg_field(base, o->off));
			break;
		case OPT_LIST:
		case OPT_HEADERS:	/* header lines may hold API keys */
			list = *(char ***)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; list != NULL && j < n; j++) {
				if (o->type == OPT_HEADERS)
					cfg_free_secret(list[j]);
				else
					free(list[j]);
			}
			free(list);
			break;
		case OPT_RECEIVERS:
			rs = *(struct receiver_conf **)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; rs != NULL && j < n; j++)
				cfg_free_receiver(&rs[j]);
			free(rs);
			break;
		case OPT_COLUMNS:
			cm = *(struct parse_column_map **)cfg_field(base,
			    o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; cm != NULL && j < n; j++)
				free((char *)cm[j].header);
			free(cm);
			break;
		case OPT_CUSTOM:
			km = *(struct parse_custom_map **)cfg_field(base,
			    o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; km != NULL && j < n; j++) {
				free((char *)km[j].header);
				free((char *)km[j].name);
			}
			free(km);
			break;
		case OPT_SPREAD:
			sp = *(struct parse_spread **)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; sp != NULL && j < n; j++) {
				free((char *)sp[j].header);
				free((char *)sp[j].name);
			}
			free(sp);
			break;
		case OPT_VALUES:
			vm = *(struct parse_value_map **)cfg_field(base,
			    o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; vm != NULL && j < n; j++) {
				free((char *)vm[j].from);
				free((char *)vm[j].to);
			}
			free(vm);
			break;
		case OPT_SOURCES:
			ss = *(struct source_conf **)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; ss != NULL && j < n; j++)
				cfg_free_source(&ss[j]);
			free(ss);
			break;
		case OPT_VALUE:
			free(((struct cfg_text *)cfg_field(base, o->off))->s);
			break;
		case OPT_RULES:
		case OPT_CONDS:
		case OPT_OVERRIDES:
		case OPT_CLV:
			cfg_free_rule_option(o, base);
			break;
		case OPT_DIGESTS:
			cfg_free_digests(o, base);
			break;
		default:
			break;
		}
	}
}

/* Line of a member named `name` in obj, or obj's own line. */
int
cfg_member_line(const struct cfg_ctx *ctx, const cJSON *obj, const char *name)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(obj, name);

	return m != NULL ? cfg_line(ctx, m) : jsonc_line(ctx->lines, obj);
}

/*
 * Read the array v of objects into *itemsp (NULL-name terminated, caller
 * frees through the config) with *np elements: each object through the kind's
 * option table, names unique, then the kind's cross-option check. *itemsp and
 * *np are set even on failure, so that what was read is freed.
 */
int
cfg_named_objects(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    const struct cfg_array_kind *k, char **itemsp, size_t *np)
{
	const cJSON	*e;
	char		*items, *elem, *name;
	uint64_t	 seen = 0;
	size_t		 n, i;
	int		 line = cfg_line(ctx, v);

	*itemsp = NULL;
	*np = 0;
	if (!cJSON_IsArray(v))
		return cfg_error(ctx, line, o->name, "must be an array of"
		    " %s objects", k->what);
	n = (size_t)cJSON_GetArraySize(v);
	if (n < (size_t)o->min)
		return cfg_error(ctx, line, o->name, "at least one %s"
		    " is required", k->what);
	items = *itemsp = xcalloc(n + 1, k->size);
	cJSON_ArrayForEach(e, v) {
		line = jsonc_line(ctx->lines, e);
		if (!cJSON_IsObject(e))
			return cfg_error(ctx, line, o->name, "element %zu must"
			    " be an object", *np + 1);
		elem = items + (*np)++ * k->size;
		if (cfg_object(ctx, k->opts, k->nopts, e, elem, &seen) != 0)
			return -1;
		memcpy(&name, elem, sizeof name);
		for (i = 0; i + 1 < *np; i++) {
			char *other;

			memcpy(&other, items + i * k->size, sizeof other);
			if (strcmp(other, name) == 0)
				return cfg_error(ctx,
				    cfg_member_line(ctx, e, "name"), "name",
				    "%s '%s' is defined twice", k->what, name);
		}
		if (k->check(ctx, e, elem, seen) != 0)
			return -1;
	}
	return 0;
}
