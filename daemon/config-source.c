/*
 * Source objects of the main file (config-internal.h): the sources array,
 * the options that map an input's columns (columns, custom_kpis, spread,
 * values), headers files, the cross-option checks of dates and columns, and
 * the parse options (parse.h) a source gives, which the parser judges once
 * at load time rather than at the first input.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config-internal.h"
#include "jsonc.h"
#include "money.h"
#include "parse.h"
#include "xmalloc.h"

#define CONFIG_MAX_HEADERS	64		/* lines of a headers file */
#define CONFIG_MAX_HEADER	4096		/* one header line */

/*
 * A "columns" object: header -> canonical field name. Several headers may
 * feed one numeric field (they are summed); a text field (client, campaign,
 * channel, date) takes one column only.
 */
int
cfg_columns(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct parse_column_map	*cm;
	const cJSON		*e;
	size_t			 n, i, j;
	int			 f;

	if (!cJSON_IsObject(v))
		return cfg_error(ctx, line, o->name, "must be an object such"
		    " as {\"Spend (EUR)\": \"cost\"}");
	n = (size_t)cJSON_GetArraySize(v);
	cm = xcalloc(n + 1, sizeof *cm);
	*(struct parse_column_map **)cfg_field(base, o->off) = cm;
	i = 0;
	cJSON_ArrayForEach(e, v) {
		line = cfg_line(ctx, e);
		if (*e->string == '\0' || cfg_has_control(e->string) ||
		    strlen(e->string) > 255)
			return cfg_error(ctx, line, o->name, "a header must be"
			    " 1 to 255 characters without control characters");
		if (!cJSON_IsString(e) ||
		    (f = metric_field_lookup(e->valuestring)) < 0)
			return cfg_error(ctx, line, o->name, "\"%s\": the field"
			    " must be one of client, campaign, channel, date,"
			    " cost, revenue, impressions, clicks, conversions",
			    e->string);
		if (f <= MF_DATE) {
			for (j = 0; j < i; j++) {
				if ((int)cm[j].field == f)
					return cfg_error(ctx, line, o->name,
					    "\"%s\" and \"%s\" both map to %s;"
					    " only numeric fields add up",
					    cm[j].header, e->string,
					    metric_field_name(f));
			}
		}
		cm[i].header = xstrdup(e->string);
		cm[i].field = (enum metric_field)f;
		*(size_t *)cfg_field(base, o->aux) = ++i;
	}
	return 0;
}

/*
 * A "custom_kpis" object: header -> custom KPI name. Several headers may
 * share a name (summed, like numeric columns).
 */
int
cfg_custom_kpis(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct parse_custom_map	*km;
	const cJSON		*e;
	size_t			 n, i, j;

	if (!cJSON_IsObject(v))
		return cfg_error(ctx, line, o->name, "must be an object such"
		    " as {\"Reach\": \"reach\"}");
	n = (size_t)cJSON_GetArraySize(v);
	km = xcalloc(n + 1, sizeof *km);
	*(struct parse_custom_map **)cfg_field(base, o->off) = km;
	i = 0;
	cJSON_ArrayForEach(e, v) {
		line = cfg_line(ctx, e);
		if (*e->string == '\0' || cfg_has_control(e->string) ||
		    strlen(e->string) > 255)
			return cfg_error(ctx, line, o->name, "a header must be"
			    " 1 to 255 characters without control characters");
		if (!cJSON_IsString(e) ||
		    !metric_custom_name_valid(e->valuestring))
			return cfg_error(ctx, line, o->name, "\"%s\": a custom"
			    " KPI name is a lowercase letter then up to 31"
			    " of a-z 0-9 _, e.g. \"reach\"", e->string);
		for (j = 0; j < i; j++) {
			if (strcasecmp(km[j].header, e->string) == 0)
				return cfg_error(ctx, line, o->name, "header"
				    " \"%s\" is listed twice", e->string);
		}
		km[i].header = xstrdup(e->string);
		km[i].name = xstrdup(e->valuestring);
		*(size_t *)cfg_field(base, o->aux) = ++i;
	}
	return 0;
}

/*
 * "spread": one object {"field", "into", "columns": {header: name}} or an
 * array of them (say cost and impressions per channel); all spread into
 * the same dimension, every header once.
 */
int
cfg_spread(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct source_conf	*src = base;
	struct parse_spread	*sp;
	const cJSON		*obj, *m, *e;
	const char		*into;
	size_t			 n = 0, i, k, nobj;
	int			 f, in;

	if (cJSON_IsObject(v))
		nobj = 1;
	else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0)
		nobj = (size_t)cJSON_GetArraySize(v);
	else
		return cfg_error(ctx, line, o->name, "must be an object such as"
		    " {\"field\": \"cost\", \"into\": \"campaign\", \"columns\":"
		    " {\"TV spend\": \"TV\"}} or an array of them");
	for (k = 0; k < nobj; k++) {
		obj = cJSON_IsObject(v) ? v : cJSON_GetArrayItem(v, (int)k);
		m = cJSON_GetObjectItemCaseSensitive(obj, "columns");
		if (cJSON_IsObject(obj) && cJSON_IsObject(m))
			n += (size_t)cJSON_GetArraySize(m);
	}
	sp = xcalloc(n + 1, sizeof *sp);
	*(struct parse_spread **)cfg_field(base, o->off) = sp;
	i = 0;
	src->spread_into = MF_CAMPAIGN;
	for (k = 0; k < nobj; k++) {
		obj = cJSON_IsObject(v) ? v : cJSON_GetArrayItem(v, (int)k);
		if (!cJSON_IsObject(obj))
			return cfg_error(ctx, jsonc_line(ctx->lines, obj),
			    o->name, "element %zu must be an object", k + 1);
		line = jsonc_line(ctx->lines, obj);
		cJSON_ArrayForEach(m, obj) {
			if (strcmp(m->string, "field") != 0 &&
			    strcmp(m->string, "into") != 0 &&
			    strcmp(m->string, "columns") != 0)
				return cfg_error(ctx, cfg_line(ctx, m), o->name,
				    "unknown key \"%s\" (field, into, columns)",
				    m->string);
		}
		m = cJSON_GetObjectItemCaseSensitive(obj, "field");
		if (!cJSON_IsString(m) ||
		    (f = metric_field_lookup(m->valuestring)) < MF_COST)
			return cfg_error(ctx, m != NULL ? cfg_line(ctx, m) :
			    line, o->name, "\"field\" must be one of cost,"
			    " revenue, impressions, clicks, conversions");
		m = cJSON_GetObjectItemCaseSensitive(obj, "into");
		into = m == NULL ? "campaign" : cJSON_IsString(m) ?
		    m->valuestring : "";
		if (strcmp(into, "campaign") == 0)
			in = MF_CAMPAIGN;
		else if (strcmp(into, "channel") == 0)
			in = MF_CHANNEL;
		else
			return cfg_error(ctx, cfg_line(ctx, m), o->name,
			    "\"into\" must be \"campaign\" or \"channel\"");
		if (k > 0 && in != src->spread_into)
			return cfg_error(ctx, cfg_line(ctx, m), o->name,
			    "every spread object goes into the same \"into\"");
		src->spread_into = in;
		m = cJSON_GetObjectItemCaseSensitive(obj, "columns");
		if (!cJSON_IsObject(m) || cJSON_GetArraySize(m) == 0)
			return cfg_error(ctx, m != NULL ? cfg_line(ctx, m) :
			    line, o->name, "\"columns\" must be an object of"
			    " header -> %s, e.g. {\"TV spend\": \"TV\"}", into);
		cJSON_ArrayForEach(e, m) {
			size_t j;

			line = cfg_line(ctx, e);
			if (*e->string == '\0' || cfg_has_control(e->string) ||
			    strlen(e->string) > 255)
				return cfg_error(ctx, line, o->name, "a header"
				    " must be 1 to 255 characters without"
				    " control characters");
			if (!cJSON_IsString(e) || *e->valuestring == '\0' ||
			    cfg_has_control(e->valuestring) ||
			    strlen(e->valuestring) >= (in == MF_CHANNEL ?
			    METRIC_CHANNEL_MAX : METRIC_CAMPAIGN_MAX))
				return cfg_error(ctx, line, o->name, "\"%s\":"
				    " the %s must be a non-empty string of at"
				    " most %d bytes", e->string, into,
				    (in == MF_CHANNEL ? METRIC_CHANNEL_MAX :
				    METRIC_CAMPAIGN_MAX) - 1);
			for (j = 0; j < i; j++) {
				if (strcasecmp(sp[j].header, e->string) == 0)
					return cfg_error(ctx, line, o->name,
					    "header \"%s\" is listed twice",
					    e->string);
			}
			sp[i].header = xstrdup(e->string);
			sp[i].name = xstrdup(e->valuestring);
			sp[i].field = (enum metric_field)f;
			*(size_t *)cfg_field(base, o->aux) = ++i;
		}
	}
	return 0;
}

/*
 * "values": {"client": {value: id}, "campaign": {...}, "channel": {...}}.
 * Client ids must be ids; a value is listed once per field.
 */
int
cfg_values(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct parse_value_map	*vm;
	const cJSON		*m, *e;
	char			*why = NULL;
	size_t			 n = 0, i = 0, j, max;
	int			 f;

	if (!cJSON_IsObject(v))
		return cfg_error(ctx, line, o->name, "must be an object such as"
		    " {\"client\": {\"ACME Corp\": \"acme\"}}");
	cJSON_ArrayForEach(m, v) {
		if (cJSON_IsObject(m))
			n += (size_t)cJSON_GetArraySize(m);
	}
	vm = xcalloc(n + 1, sizeof *vm);
	*(struct parse_value_map **)cfg_field(base, o->off) = vm;
	cJSON_ArrayForEach(m, v) {
		line = cfg_line(ctx, m);
		f = metric_field_lookup(m->string);
		if (f != MF_CLIENT && f != MF_CAMPAIGN && f != MF_CHANNEL)
			return cfg_error(ctx, line, o->name, "\"%s\": values of"
			    " client, campaign or channel only", m->string);
		if (!cJSON_IsObject(m))
			return cfg_error(ctx, line, o->name, "\"%s\" must be an"
			    " object of value -> id", m->string);
		max = f == MF_CLIENT ? METRIC_CLIENT_MAX : f == MF_CHANNEL ?
		    METRIC_CHANNEL_MAX : METRIC_CAMPAIGN_MAX;
		cJSON_ArrayForEach(e, m) {
			line = cfg_line(ctx, e);
			if (*e->string == '\0' || cfg_has_control(e->string))
				return cfg_error(ctx, line, o->name, "%s: a"
				    " value must be a non-empty string without"
				    " control characters", m->string);
			if (!cJSON_IsString(e) || *e->valuestring == '\0' ||
			    cfg_has_control(e->valuestring) ||
			    strlen(e->valuestring) >= max)
				return cfg_error(ctx, line, o->name, "%s \"%s\":"
				    " the id must be a string of 1 to %zu bytes",
				    m->string, e->string, max - 1);
			if (f == MF_CLIENT && cfg_check_id(e->valuestring,
			    &why) != 0) {
				cfg_error(ctx, line, o->name, "client \"%s\":"
				    " %s", e->string, why);
				free(why);
				return -1;
			}
			for (j = 0; j < i; j++) {
				if ((int)vm[j].field == f &&
				    strcasecmp(vm[j].from, e->string) == 0)
					return cfg_error(ctx, line, o->name,
					    "%s \"%s\" is listed twice",
					    m->string, e->string);
			}
			vm[i].field = (enum metric_field)f;
			vm[i].from = xstrdup(e->string);
			vm[i].to = xstrdup(e->valuestring);
			*(size_t *)cfg_field(base, o->aux) = ++i;
		}
	}
	return 0;
}

static int
cfg_is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void
cfg_free_list(char **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		cfg_free_secret(list[i]);
	free(list);
}

int
config_parse_headers(const char *text, size_t len, char ***listp, size_t *np,
    char **cause)
{
	const char	*p = text, *end = text + len, *eol, *colon, *v, *ve;
	char		**list = NULL;
	size_t		 n = 0, ln = 0, i;

	*listp = NULL;
	*np = 0;
	while (p < end) {
		ln++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		ve = eol;
		if (ve > p && ve[-1] == '\r')
			ve--;
		if ((size_t)(ve - p) > CONFIG_MAX_HEADER) {
			xasprintf(cause, "line %zu: longer than %d bytes", ln,
			    CONFIG_MAX_HEADER);
			goto fail;
		}
		if (ve == p || *p == '#') {
			p = eol + 1;
			continue;
		}
		for (colon = p; colon < ve && cfg_is_tchar(*colon); colon++)
			;
		if (colon == p || colon == ve || *colon != ':') {
			xasprintf(cause, "line %zu: expected \"Name: value\""
			    " with a header name of letters, digits and"
			    " !#$%%&'*+-.^_`|~", ln);
			goto fail;
		}
		for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
			;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (v == ve) {
			xasprintf(cause, "line %zu: header %.*s has no value",
			    ln, (int)(colon - p), p);
			goto fail;
		}
		for (i = 0; v + i < ve; i++) {
			if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
				break;
			if (v[i] == 0x7f)
				break;
		}
		if (v + i < ve) {
			xasprintf(cause, "line %zu: the value of %.*s holds a"
			    " control character (CR, LF, NUL...)", ln,
			    (int)(colon - p), p);
			goto fail;
		}
		if ((colon - p == 13 && strncasecmp(p, "If-None-Match", 13) ==
		    0) || (colon - p == 17 &&
		    strncasecmp(p, "If-Modified-Since", 17) == 0)) {
			xasprintf(cause, "line %zu: %.*s is set by roiwatch",
			    ln, (int)(colon - p), p);
			goto fail;
		}
		if (n == CONFIG_MAX_HEADERS) {
			xasprintf(cause, "more than %d headers",
			    CONFIG_MAX_HEADERS);
			goto fail;
		}
		list = xreallocarray(list, n + 1, sizeof *list);
		xasprintf(&list[n++], "%.*s: %.*s", (int)(colon - p), p,
		    (int)(ve - v), v);
		p = eol + 1;
	}
	*listp = list;
	*np = n;
	return 0;
fail:
	cfg_free_list(list, n);
	return -1;
}

/* headers_file: read the file now, keep its header lines (secrets). */
int
cfg_headers(struct cfg_ctx *ctx, const struct opt *o, int line,
    const cJSON *v, void *base)
{
	char	*full, *buf, *why = NULL, **list;
	size_t	 len, n;

	if (!cJSON_IsString(v) || *v->valuestring == '\0' ||
	    cfg_has_control(v->valuestring))
		return cfg_error(ctx, line, o->name, "must be a file name");
	full = cfg_resolve(ctx->base, v->valuestring);
	buf = cfg_read_file(full, CONFIG_MAX_SECRET, &len, &why);
	free(full);
	if (buf == NULL) {
		cfg_error(ctx, line, o->name, "%s", why);
		free(why);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		why = xstrdup("holds a NUL byte");
		list = NULL;
	} else if (config_parse_headers(buf, len, &list, &n, &why) == 0) {
		*(char ***)cfg_field(base, o->off) = list;
		*(size_t *)cfg_field(base, o->aux) = n;
	}
	explicit_bzero(buf, len);
	free(buf);
	if (why != NULL) {
		cfg_error(ctx, line, o->name, "%s: %s", v->valuestring, why);
		free(why);
		return -1;
	}
	return 0;
}

/* Collects the first problem of a dry run of the parser. */
static int
cfg_parse_error_cb(void *arg, const struct parse_error *e)
{
	char	**why = arg;

	if (*why == NULL)
		*why = xstrdup(e->reason);
	return -1;
}

static int
cfg_parse_row_cb(void *arg, const struct metric_row *r, long row)
{
	(void)arg;
	(void)r;
	(void)row;
	return 0;
}

/* One date format of option name, checked now rather than at an input. */
static int
cfg_date_format(struct cfg_ctx *ctx, const cJSON *obj, const char *name,
    const char *fmt, int64_t default_year)
{
	char	*why = NULL;

	if (parse_date_check_format(fmt, (int)default_year, &why) == 0)
		return 0;
	cfg_error(ctx, cfg_member_line(ctx, obj, name), name, "%s", why);
	free(why);
	return -1;
}

/*
 * The date options: formats usable, one way to name the formats, and one
 * source of the date (a column, date_columns, or a fixed date).
 */
static int
cfg_source_check_dates(struct cfg_ctx *ctx, const cJSON *obj,
    struct source_conf *src)
{
	size_t	 i;
	int	 fixed = src->date != NULL || src->date_from_name != NULL;

	if (src->date_format != NULL && cfg_date_format(ctx, obj,
	    "date_format", src->date_format, src->default_year) != 0)
		return -1;
	for (i = 0; i < src->ndate_formats; i++) {
		if (cfg_date_format(ctx, obj, "date_formats",
		    src->date_formats[i], src->default_year) != 0)
			return -1;
	}
	if (src->date_from_name != NULL && cfg_date_format(ctx, obj,
	    "date_from_name", src->date_from_name, src->default_year) != 0)
		return -1;
	if (src->date_format != NULL && src->ndate_formats > 0)
		return cfg_error(ctx, cfg_member_line(ctx, obj, "date_formats"),
		    "date_formats", "date_format is set too: list every"
		    " format in date_formats");
	if (src->date != NULL && src->date_from_name != NULL)
		return cfg_error(ctx, cfg_member_line(ctx, obj,
		    "date_from_name"), "date_from_name", "date is set too:"
		    " one fixed date");
	if (src->ndate_columns > 8)
		return cfg_error(ctx, cfg_member_line(ctx, obj, "date_columns"),
		    "date_columns", "at most 8 columns");
	if (src->ndate_columns > 0 && fixed)
		return cfg_error(ctx, cfg_member_line(ctx, obj, "date_columns"),
		    "date_columns", "a fixed date (%s) is set too",
		    src->date != NULL ? "date" : "date_from_name");
	for (i = 0; i < src->ncolumns; i++) {
		if (src->columns[i].field == MF_DATE &&
		    (fixed || src->ndate_columns > 0))
			return cfg_error(ctx, cfg_member_line(ctx, obj,
			    "columns"), "columns", "\"%s\" is mapped to date"
			    " while %s gives the date", src->columns[i].header,
			    src->ndate_columns > 0 ? "date_columns" :
			    src->date != NULL ? "date" : "date_from_name");
	}
	return 0;
}

/* Spread headers, revenue and conversion_value against the other columns. */
static int
cfg_source_check_columns(struct cfg_ctx *ctx, const cJSON *obj,
    struct source_conf *src)
{
	size_t	 i, j;

	for (i = 0; i < src->nspread; i++) {
		for (j = 0; j < src->ncolumns; j++) {
			if (strcasecmp(src->spread[i].header,
			    src->columns[j].header) == 0)
				return cfg_error(ctx, cfg_member_line(ctx, obj,
				    "spread"), "spread", "\"%s\" is mapped in"
				    " columns already", src->spread[i].header);
		}
		for (j = 0; j < src->ncustom_kpis; j++) {
			if (strcasecmp(src->spread[i].header,
			    src->custom_kpis[j].header) == 0)
				return cfg_error(ctx, cfg_member_line(ctx, obj,
				    "spread"), "spread", "\"%s\" is a custom"
				    " KPI already", src->spread[i].header);
		}
		for (j = 0; j < src->ndate_columns; j++) {
			if (strcasecmp(src->spread[i].header,
			    src->date_columns[j]) == 0)
				return cfg_error(ctx, cfg_member_line(ctx, obj,
				    "spread"), "spread", "\"%s\" is a date"
				    " column already", src->spread[i].header);
		}
	}
	if (src->nspread > 0 && src->spread_into == MF_CHANNEL &&
	    src->channel != NULL)
		return cfg_error(ctx, cfg_member_line(ctx, obj, "spread"),
		    "spread", "spreads into channel while channel is fixed");
	if (src->conversion_value == 0)
		return 0;
	for (i = 0; i < src->ncolumns; i++) {
		if (src->columns[i].field == MF_REVENUE)
			return cfg_error(ctx, cfg_member_line(ctx, obj,
			    "conversion_value"), "conversion_value", "\"%s\""
			    " is mapped to revenue: one way to the revenue",
			    src->columns[i].header);
	}
	for (i = 0; i < src->nspread; i++) {
		if (src->spread[i].field == MF_REVENUE)
			return cfg_error(ctx, cfg_member_line(ctx, obj,
			    "conversion_value"), "conversion_value", "spread"
			    " column \"%s\" gives revenue: one way to the"
			    " revenue", src->spread[i].header);
	}
	return 0;
}

/* Cross-option checks of one source, by type. */
static int
cfg_source_check(struct cfg_ctx *ctx, const cJSON *obj, void *elem,
    uint64_t seen)
{
	struct source_conf	*src = elem;
	const struct opt	*o;
	const char		*tname = config_source_type_name(src->type);
	struct parse_options	 po;
	struct parse_sink	 sink;
	char			*why = NULL;
	size_t			 i;
	int			 line = jsonc_line(ctx->lines, obj);

	for (i = 0; i < cfg_nsource_opts; i++) {
		o = &cfg_source_opts[i];
		if ((seen & (1ULL << i)) && o->types != 0 &&
		    !(o->types & FOR(src->type)))
			return cfg_error(ctx, cfg_member_line(ctx, obj, o->name),
			    o->name, "not used by %s sources", tname);
	}
	switch (src->type) {
	case SOURCE_PULL:
		if (src->url == NULL)
			return cfg_error(ctx, line, "url", "missing (required"
			    " for pull sources)");
		if (strncmp(src->url, "http://", 7) != 0 &&
		    strncmp(src->url, "https://", 8) != 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "url"),
			    "url", "pull URLs start with http:// or https://");
		break;
	case SOURCE_FILES:
		if (src->pattern == NULL)
			return cfg_error(ctx, line, "pattern", "missing"
			    " (required for files sources)");
		break;
	case SOURCE_TYPE_MAX:
		break;
	}
	for (i = 0; i < src->ncustom_kpis; i++) {
		size_t j;

		for (j = 0; j < src->ncolumns; j++) {
			if (strcasecmp(src->custom_kpis[i].header,
			    src->columns[j].header) == 0)
				return cfg_error(ctx, cfg_member_line(ctx, obj,
				    "custom_kpis"), "custom_kpis", "\"%s\" is"
				    " mapped in columns already",
				    src->custom_kpis[i].header);
		}
	}
	if (cfg_thousands_chars[src->thousands] ==
	    cfg_decimal_chars[src->decimal])
		return cfg_error(ctx, cfg_member_line(ctx, obj, "thousands"),
		    "thousands", "must differ from the decimal separator");
	if (cfg_source_check_dates(ctx, obj, src) != 0 ||
	    cfg_source_check_columns(ctx, obj, src) != 0)
		return -1;
	if (src->client != NULL)
		src->client_line = cfg_member_line(ctx, obj, "client");

	/* Let the parser judge the settings (date_format above all) now
	 * rather than at the first input. */
	if (config_source_parse_options(src, &po) != 0)
		return cfg_error(ctx, line, NULL, "bad source settings");
	po.format = PARSE_JSON;
	sink.row = cfg_parse_row_cb;
	sink.error = cfg_parse_error_cb;
	sink.arg = &why;
	if (parse_input("[]", 2, &po, &sink) != 0 || why != NULL) {
		cfg_error(ctx, line, NULL, "%s",
		    why != NULL ? why : "bad parse settings");
		free(why);
		return -1;
	}
	return 0;
}

/* The main file's sources array: objects with unique names. */
int
cfg_sources(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    struct config *cfg)
{
	const struct cfg_array_kind kind = { "source", cfg_source_opts,
	    cfg_nsource_opts, sizeof(struct source_conf), cfg_source_check };
	char	*items;
	int	 rc;

	rc = cfg_named_objects(ctx, o, v, &kind, &items, &cfg->nsources);
	cfg->sources = (struct source_conf *)(void *)items;
	return rc;
}

/* A file name glob: no directory part. */
int
cfg_check_pattern(const char *s, char **why)
{
	if (strchr(s, '/') == NULL)
		return 0;
	xasprintf(why, "\"%s\": a pattern matches file names, without '/'", s);
	return -1;
}

int
cfg_check_channel(const char *s, char **why)
{
	if (strlen(s) < METRIC_CHANNEL_MAX)
		return 0;
	xasprintf(why, "longer than %d characters", METRIC_CHANNEL_MAX - 1);
	return -1;
}

int
cfg_check_campaign(const char *s, char **why)
{
	if (strlen(s) < METRIC_CAMPAIGN_MAX)
		return 0;
	xasprintf(why, "longer than %d bytes", METRIC_CAMPAIGN_MAX - 1);
	return -1;
}

int
cfg_check_date(const char *s, char **why)
{
	int32_t	 day;

	if (metric_parse_iso_date(s, strlen(s), &day) == 0)
		return 0;
	xasprintf(why, "\"%s\" is not a date YYYY-MM-DD", s);
	return -1;
}

const char *
config_source_type_name(enum source_type type)
{
	if ((unsigned)type >= SOURCE_TYPE_MAX)
		return "unknown";
	return cfg_source_type_choices[type];
}

const struct source_conf *
config_source(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->nsources; i++) {
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	}
	return NULL;
}

const struct source_conf *
config_file_source(const struct config *cfg, const char *filename)
{
	const struct source_conf	*src;
	const char			*slash = strrchr(filename, '/');
	size_t				 i;

	if (slash != NULL)
		filename = slash + 1;
	for (i = 0; i < cfg->nsources; i++) {
		src = &cfg->sources[i];
		if (src->type == SOURCE_FILES && src->pattern != NULL &&
		    fnmatch(src->pattern, filename, FNM_PERIOD) == 0)
			return src;
	}
	return NULL;
}

const struct source_conf *
config_file_settings(const struct config *cfg, const struct source_conf *src,
    const char *path, struct parse_options *po, int *partial)
{
	if (src == NULL)
		src = config_file_source(cfg, path);
	if (config_source_parse_options(src, po) != 0) {
		src = NULL;	/* cannot happen once validated: defaults */
		config_source_parse_options(NULL, po);
	}
	*partial = src != NULL && src->partial;
	po->name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	return src;
}

int
config_source_parse_options(const struct source_conf *src,
    struct parse_options *po)
{
	memset(po, 0, sizeof *po);
	po->format = PARSE_AUTO;
	if (src == NULL)
		return 0;
	if (src->format < 0 || src->format >= PARSE_FORMAT_MAX ||
	    src->delimiter < 0 ||
	    (size_t)src->delimiter >= cfg_ndelimiter_chars ||
	    src->decimal < 0 || (size_t)src->decimal >= cfg_ndecimal_chars ||
	    src->thousands < 0 ||
	    (size_t)src->thousands >= cfg_nthousands_chars)
		return -1;
	po->format = (enum parse_format)src->format;
	po->preset = src->preset;
	po->columns = src->columns;
	po->ncolumns = src->ncolumns;
	po->fixed_client = src->client;
	po->fixed_channel = src->channel;
	po->date_format = src->date_format;
	po->delimiter = cfg_delimiter_chars[src->delimiter];
	po->decimal = cfg_decimal_chars[src->decimal];
	po->thousands = cfg_thousands_chars[src->thousands];
	po->encoding = src->encoding;
	po->max_rows = (long)src->max_rows;
	po->custom_kpis = src->custom_kpis;
	po->ncustom_kpis = src->ncustom_kpis;
	po->keep_unknown_numeric = src->keep_unknown_numeric;
	po->fixed_campaign = src->campaign;
	po->date_formats = (const char *const *)src->date_formats;
	po->ndate_formats = src->ndate_formats;
	po->default_year = (int)src->default_year;
	po->date_columns = (const char *const *)src->date_columns;
	po->ndate_columns = src->ndate_columns;
	po->date = src->date;
	po->date_from_name = src->date_from_name;
	po->round = src->round == MONEY_ROUND_HALF_EVEN ?
	    MONEY_ROUND_HALF_EVEN : MONEY_ROUND_NONE;
	po->spread = src->spread;
	po->nspread = src->nspread;
	po->spread_into = src->spread_into == MF_CHANNEL ? MF_CHANNEL :
	    MF_CAMPAIGN;
	po->conversion_value = src->conversion_value;
	po->values = src->values;
	po->nvalues = src->nvalues;
	return 0;
}
