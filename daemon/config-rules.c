/*
 * A client's rules: the shorthand minimum_roi / target_roi first, as the two
 * rules they always meant (rules.h), then the rules of the main file
 * (defaults of every client) and those of the client's file; plus the
 * client's CLV inputs and quiet hours.
 *
 * A rule object is read in two steps. While its file is walked, its options
 * go through cfg_rule_opts (config-table.c): names, choices, windows, times
 * and dates are checked there, with the file's lines, and so is everything
 * that does not depend on the client (a KPI that exists, the options of the
 * rule's type, a budget with its period, a compound rule's conditions...).
 * Thresholds are kept as text (struct cfg_text) because they are read
 * against the KPI and the client's currency: cfg_client_rules() builds every
 * struct rule_def of a client from them, the main file's once per client,
 * and refuses there what contradicts itself (a clear threshold on the wrong
 * side of its value, an amount in another currency). Errors read
 * "FILE:LINE: option 'rules[2].op': reason".
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "config.h"
#include "config-internal.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "rules.h"
#include "window.h"
#include "xmalloc.h"

/* ---- Checks of one value (the option tables call them) ---- */

int
cfg_check_rule_name(const char *s, char **why)
{
	size_t	n = strlen(s);

	if (n == 0 || n >= RULE_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n) {
		xasprintf(why, "\"%s\" is not a valid rule name ([a-z0-9_.-],"
		    " 1 to %d characters)", s, RULE_NAME_MAX - 1);
		return -1;
	}
	if (strcmp(s, "roi_low") == 0 || strcmp(s, "roi_target") == 0) {
		xasprintf(why, "\"%s\" is reserved: it is the rule of the"
		    " client's %s", s, strcmp(s, "roi_low") == 0 ?
		    "minimum_roi" : "target_roi");
		return -1;
	}
	return 0;
}

int
cfg_check_window(const char *s, char **why)
{
	struct window_spec	w;

	return window_parse(s, &w, why);
}

int
cfg_check_clock(const char *s, char **why)
{
	int32_t	sec;

	return window_parse_clock(s, &sec, why);
}

/* "22:00-07:00" into seconds of the day; "" is none (-1 with *why). */
static int
cfg_parse_quiet(const char *s, int32_t *start, int32_t *end, char **why)
{
	const char	*dash = strchr(s, '-');
	char		 first[16];

	if (dash == NULL || (size_t)(dash - s) >= sizeof first) {
		xasprintf(why, "\"%s\" is not a span of hours such as"
		    " \"22:00-07:00\"", s);
		return -1;
	}
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = '\0';
	if (window_parse_clock(first, start, why) != 0 ||
	    window_parse_clock(dash + 1, end, why) != 0)
		return -1;
	if (*start == *end) {
		xasprintf(why, "\"%s\" starts and ends at the same time", s);
		return -1;
	}
	return 0;
}

int
cfg_check_quiet(const char *s, char **why)
{
	int32_t	start, end;

	if (*s == '\0')
		return 0;
	return cfg_parse_quiet(s, &start, &end, why);
}

/* ---- Helpers ---- */

/* Whether the option `name` of a table was given (bit of cfg_object). */
static int
cfg_given(const struct opt *opts, size_t nopts, uint64_t seen,
    const char *name)
{
	size_t	i;

	for (i = 0; i < nopts; i++) {
		if (strcmp(opts[i].name, name) == 0)
			return (seen >> i) & 1;
	}
	fatalx("%s: no option %s", __func__, name);
}

#define RULE_GIVEN(r, name) \
	cfg_given(cfg_rule_opts, cfg_nrule_opts, (r)->seen, (name))

/* Messages name nested options "rules[2].all[0].kpi": push "name[i].". */
static const char *
cfg_prefix_push(struct cfg_ctx *ctx, const char *name, size_t i, char **buf)
{
	const char	*old = ctx->prefix;

	xasprintf(buf, "%s%s[%zu].", old != NULL ? old : "", name, i);
	ctx->prefix = *buf;
	return old;
}

static void
cfg_prefix_pop(struct cfg_ctx *ctx, const char *old, char *buf)
{
	ctx->prefix = old;
	free(buf);
}

/* An element that is not an object: "option 'rules[2]': ...". */
static int
cfg_element_error(struct cfg_ctx *ctx, int line, const char *name, size_t i,
    const char *what)
{
	char	*nm;

	xasprintf(&nm, "%s[%zu]", name, i);
	cfg_error(ctx, line, nm, "must be %s", what);
	free(nm);
	return -1;
}

/*
 * A KPI by name, with a "did you mean" for a near name. The error is that of
 * option `name` at `line`.
 */
static int
cfg_kpi(struct cfg_ctx *ctx, int line, const char *name, const char *text,
    struct measure_ref *m)
{
	struct measure_ref	 r;
	char			*why = NULL, nm[64], best[64];
	size_t			 i, d, bestd = 3;

	if (measure_lookup(text, m, &why) == 0)
		return 0;
	best[0] = '\0';
	for (i = 0; strchr(text, ':') == NULL && measure_nth(i, &r) == 0;
	    i++) {
		measure_name(&r, nm, sizeof nm);
		d = cfg_distance(text, nm);
		if (d < bestd) {
			bestd = d;
			snprintf(best, sizeof best, "%s", nm);
		}
	}
	if (best[0] != '\0')
		cfg_error(ctx, line, name, "unknown KPI \"%s\" (did you mean"
		    " '%s'?)", text, best);
	else
		cfg_error(ctx, line, name, "%s", why);
	free(why);
	return -1;
}

/* A KPI of a condition: budget KPIs only in budget rules. */
static int
cfg_cond_kpi(struct cfg_ctx *ctx, int line, const char *text, int budget,
    struct measure_ref *m)
{
	char	nm[64];

	if (cfg_kpi(ctx, line, "kpi", text, m) != 0)
		return -1;
	measure_name(m, nm, sizeof nm);
	if (!budget && measure_needs_budget(m))
		return cfg_error(ctx, line, "kpi", "%s needs a budget: it is"
		    " judged only by rules of type \"budget\"", nm);
	if (budget && !measure_needs_budget(m))
		return cfg_error(ctx, line, "kpi", "a budget rule judges"
		    " pacing, budget_used or projected_spend, not %s", nm);
	return 0;
}

/* "today" 0, "yesterday" 1, "N_days_ago" N (0..366). */
static int
cfg_parse_expect(const char *s, int32_t *lag)
{
	const char	*p = s;
	int32_t		 n = 0;

	if (strcmp(s, "today") == 0) {
		*lag = 0;
		return 0;
	}
	if (strcmp(s, "yesterday") == 0) {
		*lag = 1;
		return 0;
	}
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] != '_'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 366)
			return -1;
	}
	if (strcmp(p, "_days_ago") != 0)
		return -1;
	*lag = n;
	return 0;
}

/* ---- Reading rule objects (while their file is walked) ---- */

/* Overrides: one channel or one campaign each, once, changing something. */
static int
cfg_overrides_read(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct cfg_override	**op = cfg_field(base, o->off), *ov, *x;
	size_t			*np = cfg_field(base, o->aux), n, i = 0, j;
	const cJSON		*e;
	const char		*old;
	char			*buf;
	int			 rc;

	if (!cJSON_IsArray(v))
		return cfg_error(ctx, line, o->name, "must be an array of"
		    " override objects");
	n = (size_t)cJSON_GetArraySize(v);
	ov = *op = xcalloc(n + 1, sizeof *ov);
	*np = n;
	cJSON_ArrayForEach(e, v) {
		x = &ov[i];
		x->line = jsonc_line(ctx->lines, e);
		if (!cJSON_IsObject(e))
			return cfg_element_error(ctx, x->line, o->name, i,
			    "an object");
		old = cfg_prefix_push(ctx, o->name, i, &buf);
		rc = cfg_object(ctx, cfg_override_opts, cfg_noverride_opts, e,
		    x, &x->seen);
		if (rc == 0 && x->channel != NULL && x->campaign != NULL)
			rc = cfg_error(ctx, cfg_member_line(ctx, e, "campaign"),
			    "campaign", "an override names a channel or a"
			    " campaign, not both");
		if (rc == 0 && x->channel == NULL && x->campaign == NULL)
			rc = cfg_error(ctx, x->line, "channel", "missing: an"
			    " override names the channel or the campaign it"
			    " applies to");
		if (rc == 0 && x->value.s == NULL && x->clear.s == NULL &&
		    x->min_volume.s == NULL && !x->disabled)
			rc = cfg_error(ctx, x->line, "value", "missing: an"
			    " override changes value, clear, min_volume or"
			    " disabled");
		if (rc == 0 && x->disabled && (x->value.s != NULL ||
		    x->clear.s != NULL || x->min_volume.s != NULL))
			rc = cfg_error(ctx, cfg_member_line(ctx, e, "disabled"),
			    "disabled", "a disabled override's other values"
			    " would never apply");
		for (j = 0; rc == 0 && j < i; j++) {
			if ((x->channel != NULL && ov[j].channel != NULL &&
			    strcmp(x->channel, ov[j].channel) == 0) ||
			    (x->campaign != NULL && ov[j].campaign != NULL &&
			    strcmp(x->campaign, ov[j].campaign) == 0))
				rc = cfg_error(ctx, x->line, x->channel != NULL ?
				    "channel" : "campaign", "%s '%s' has an"
				    " override already (line %d)", x->channel !=
				    NULL ? "channel" : "campaign",
				    x->channel != NULL ? x->channel :
				    x->campaign, ov[j].line);
		}
		cfg_prefix_pop(ctx, old, buf);
		if (rc != 0)
			return -1;
		i++;
	}
	return 0;
}

/* A compound rule's conditions: 2 to RULE_CONDS_MAX, KPIs known. */
static int
cfg_conds_read(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct cfg_cond		**cp = cfg_field(base, o->off), *conds, *x;
	size_t			*np = cfg_field(base, o->aux), n, i = 0;
	struct measure_ref	 m;
	const cJSON		*e;
	const char		*old;
	char			*buf;
	uint64_t		 seen;
	int			 rc;

	if (!cJSON_IsArray(v))
		return cfg_error(ctx, line, o->name, "must be an array of"
		    " condition objects");
	n = (size_t)cJSON_GetArraySize(v);
	if (n < 2 || n > RULE_CONDS_MAX)
		return cfg_error(ctx, line, o->name, "a compound rule has 2 to"
		    " %d conditions, not %zu", RULE_CONDS_MAX, n);
	conds = *cp = xcalloc(n + 1, sizeof *conds);
	*np = n;
	cJSON_ArrayForEach(e, v) {
		x = &conds[i];
		x->line = jsonc_line(ctx->lines, e);
		if (!cJSON_IsObject(e))
			return cfg_element_error(ctx, x->line, o->name, i,
			    "an object");
		old = cfg_prefix_push(ctx, o->name, i, &buf);
		rc = cfg_object(ctx, cfg_cond_opts, cfg_ncond_opts, e, x,
		    &seen);
		if (rc == 0)
			rc = cfg_cond_kpi(ctx, cfg_member_line(ctx, e, "kpi"),
			    x->kpi, 0, &m);
		cfg_prefix_pop(ctx, old, buf);
		if (rc != 0)
			return -1;
		i++;
	}
	return 0;
}

/* Only the name and "disabled" given: it turns a default off. */
static int
cfg_rule_stub(const struct cfg_rule *s)
{
	uint64_t	only = 0;
	size_t		i;

	for (i = 0; i < cfg_nrule_opts; i++) {
		if (strcmp(cfg_rule_opts[i].name, "name") == 0 ||
		    strcmp(cfg_rule_opts[i].name, "disabled") == 0)
			only |= 1ULL << i;
	}
	return s->disabled && (s->seen & ~only) == 0;
}

/* Why an option of another type of rule is there, when it helps. */
static const char *
cfg_rule_hint(int type, const char *name)
{
	if (type == RULE_BUDGET && strcmp(name, "window") == 0)
		return " (a budget's period is its window)";
	if (type == RULE_COMPOUND)
		return " (a compound rule judges the conditions of 'all')";
	if (type == RULE_FRESHNESS)
		return " (a freshness rule judges how many days its data is"
		    " late)";
	return "";
}

/* What a rule object says, whatever the client. */
static int
cfg_rule_check(struct cfg_ctx *ctx, const cJSON *e, struct cfg_rule *r,
    int main_file)
{
	const struct opt	*o;
	struct measure_ref	 m;
	int32_t			 from, to, lag;
	size_t			 i;
	char			*why = NULL;

	/* {"name": "x", "disabled": true}: a client turns a default off. */
	if (cfg_rule_stub(r)) {
		if (main_file)
			return cfg_error(ctx, cfg_member_line(ctx, e,
			    "disabled"), "disabled", "a rule of the main file"
			    " is disabled with its definition, or removed:"
			    " only a client file turns off a rule by its name");
		return 0;
	}
	for (i = 0; i < cfg_nrule_opts; i++) {
		o = &cfg_rule_opts[i];
		if (!((r->seen >> i) & 1) || o->types == 0 ||
		    (o->types & FOR(r->type)))
			continue;
		return cfg_error(ctx, cfg_member_line(ctx, e, o->name),
		    o->name, "does not apply to %s rules%s",
		    cfg_rule_type_choices[r->type],
		    cfg_rule_hint(r->type, o->name));
	}
	if (!RULE_GIVEN(r, "scope"))
		r->scope = r->type == RULE_FRESHNESS ? RULE_SCOPE_CLIENT :
		    RULE_SCOPE_CAMPAIGN;
	switch (r->type) {
	case RULE_THRESHOLD:
	case RULE_CHANGE:
		if (!RULE_GIVEN(r, "kpi") || !RULE_GIVEN(r, "op") ||
		    !RULE_GIVEN(r, "value"))
			return cfg_error(ctx, r->line, !RULE_GIVEN(r, "kpi") ?
			    "kpi" : !RULE_GIVEN(r, "op") ? "op" : "value",
			    "missing (required for %s rules)",
			    cfg_rule_type_choices[r->type]);
		if (cfg_cond_kpi(ctx, cfg_member_line(ctx, e, "kpi"), r->kpi,
		    0, &m) != 0)
			return -1;
		break;
	case RULE_COMPOUND:
		if (!RULE_GIVEN(r, "all"))
			return cfg_error(ctx, r->line, "all", "missing"
			    " (required for compound rules)");
		break;
	case RULE_BUDGET:
		if (!RULE_GIVEN(r, "budget"))
			return cfg_error(ctx, r->line, "budget", "missing"
			    " (required for budget rules)");
		if (!RULE_GIVEN(r, "period"))
			return cfg_error(ctx, cfg_member_line(ctx, e, "budget"),
			    "period", "a budget without a period: add"
			    " \"period\": \"month\" or \"flight\"");
		if (r->period == BUDGET_FLIGHT && (r->from == NULL ||
		    r->to == NULL))
			return cfg_error(ctx, cfg_member_line(ctx, e, "period"),
			    r->from == NULL ? "from" : "to", "missing: a flight"
			    " budget runs from its first day to its last"
			    " (\"from\", \"to\": YYYY-MM-DD)");
		if (r->period == BUDGET_MONTH && (r->from != NULL ||
		    r->to != NULL))
			return cfg_error(ctx, cfg_member_line(ctx, e,
			    r->from != NULL ? "from" : "to"), r->from != NULL ?
			    "from" : "to", "only for a flight budget (period"
			    " \"flight\"); a monthly budget runs each calendar"
			    " month");
		if (r->period == BUDGET_FLIGHT) {
			metric_parse_iso_date(r->from, strlen(r->from), &from);
			metric_parse_iso_date(r->to, strlen(r->to), &to);
			if (budget_check_flight(from, to, &why) != 0) {
				cfg_error(ctx, cfg_member_line(ctx, e, "to"),
				    "to", "%s", why);
				free(why);
				return -1;
			}
		}
		if (RULE_GIVEN(r, "kpi") && cfg_cond_kpi(ctx,
		    cfg_member_line(ctx, e, "kpi"), r->kpi, 1, &m) != 0)
			return -1;
		break;
	case RULE_FRESHNESS:
		if (!RULE_GIVEN(r, "by"))
			return cfg_error(ctx, r->line, "by", "missing (required"
			    " for freshness rules: the local time \"HH:MM\" by"
			    " which the data is expected)");
		if (r->scope == RULE_SCOPE_CHANNEL)
			return cfg_error(ctx, cfg_member_line(ctx, e, "scope"),
			    "scope", "a freshness rule judges the client or each"
			    " campaign; \"channel\" names the channel whose"
			    " data counts");
		if (cfg_parse_expect(r->expect, &lag) != 0)
			return cfg_error(ctx, cfg_member_line(ctx, e, "expect"),
			    "expect", "\"%s\" is not \"today\", \"yesterday\""
			    " or \"N_days_ago\" (N up to 366)", r->expect);
		break;
	}
	for (i = 0; i < r->nov; i++) {
		if (r->scope == RULE_SCOPE_CLIENT)
			return cfg_error(ctx, r->ov[i].line, "overrides",
			    "a rule of scope \"client\" judges the client's"
			    " total, which has no channel nor campaign to"
			    " override");
		if (r->scope == RULE_SCOPE_CHANNEL && r->ov[i].campaign != NULL)
			return cfg_error(ctx, r->ov[i].line, "overrides",
			    "a rule of scope \"channel\" judges channels: an"
			    " override for campaign '%s' would never apply",
			    r->ov[i].campaign);
		if (r->type == RULE_FRESHNESS && !r->ov[i].disabled)
			return cfg_error(ctx, r->ov[i].line, "overrides",
			    "a freshness rule has no value to override; an"
			    " override may only disable it");
	}
	r->tz_line = cfg_member_line(ctx, e, "timezone");
	return 0;
}

static int
cfg_rules_read(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct cfg_rule		**rp = cfg_field(base, o->off), *rules, *r;
	size_t			*np = cfg_field(base, o->aux), n, i = 0, j;
	const cJSON		*e;
	const char		*old;
	char			*buf;
	int			 rc, main_file;

	main_file = o >= cfg_main_opts && o < cfg_main_opts + cfg_nmain_opts;
	if (!cJSON_IsArray(v))
		return cfg_error(ctx, line, o->name, "must be an array of rule"
		    " objects");
	n = (size_t)cJSON_GetArraySize(v);
	rules = *rp = xcalloc(n + 1, sizeof *rules);
	*np = n;
	cJSON_ArrayForEach(e, v) {
		r = &rules[i];
		r->index = i;
		r->line = jsonc_line(ctx->lines, e);
		if (!cJSON_IsObject(e))
			return cfg_element_error(ctx, r->line, o->name, i,
			    "a rule object");
		old = cfg_prefix_push(ctx, o->name, i, &buf);
		rc = cfg_object(ctx, cfg_rule_opts, cfg_nrule_opts, e, r,
		    &r->seen);
		for (j = 0; rc == 0 && j < i; j++) {
			if (strcmp(rules[j].name, r->name) == 0)
				rc = cfg_error(ctx, cfg_member_line(ctx, e,
				    "name"), "name", "rule '%s' is defined"
				    " twice (rules[%zu], line %d)", r->name, j,
				    rules[j].line);
		}
		if (rc == 0)
			rc = cfg_rule_check(ctx, e, r, main_file);
		cfg_prefix_pop(ctx, old, buf);
		if (rc != 0)
			return -1;
		i++;
	}
	return 0;
}

/* "clv": {"channel": {inputs}}: the texts, read per client later. */
static int
cfg_clv_read(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct cfg_clv_src	**sp = cfg_field(base, o->off), *src, *x;
	size_t			*np = cfg_field(base, o->aux), n;
	const cJSON		*e;
	const char		*old;
	char			*buf, *why = NULL;
	uint64_t		 seen;
	int			 rc;

	if (!cJSON_IsObject(v))
		return cfg_error(ctx, line, o->name, "must be an object"
		    " {\"channel\": {\"monthly_transactions\": ...}}");
	n = (size_t)cJSON_GetArraySize(v);
	src = *sp = xcalloc(n + 1, sizeof *src);
	*np = 0;
	cJSON_ArrayForEach(e, v) {
		x = &src[(*np)++];
		x->line = cfg_line(ctx, e);
		x->channel = xstrdup(e->string);
		if (*e->string == '\0' || cfg_has_control(e->string) ||
		    cfg_check_channel(e->string, &why) != 0) {
			cfg_error(ctx, x->line, o->name, "\"%s\": not a"
			    " channel name%s%s", e->string, why != NULL ?
			    ": " : "", why != NULL ? why : "");
			free(why);
			return -1;
		}
		if (!cJSON_IsObject(e))
			return cfg_error(ctx, x->line, o->name, "%s: must be an"
			    " object of CLV inputs", e->string);
		xasprintf(&buf, "%s%s.%s.", ctx->prefix != NULL ?
		    ctx->prefix : "", o->name, e->string);
		old = ctx->prefix;
		ctx->prefix = buf;
		rc = cfg_object(ctx, cfg_clv_opts, cfg_nclv_opts, e, x, &seen);
		cfg_prefix_pop(ctx, old, buf);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
cfg_rule_option(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	switch (o->type) {
	case OPT_RULES:
		return cfg_rules_read(ctx, o, v, line, base);
	case OPT_CONDS:
		return cfg_conds_read(ctx, o, v, line, base);
	case OPT_OVERRIDES:
		return cfg_overrides_read(ctx, o, v, line, base);
	case OPT_CLV:
		return cfg_clv_read(ctx, o, v, line, base);
	default:
		fatalx("%s: bad option type %d", __func__, o->type);
	}
}

void
cfg_free_rule_option(const struct opt *o, void *base)
{
	void		*items = *(void **)cfg_field(base, o->off);
	size_t		 n = *(size_t *)cfg_field(base, o->aux), i;
	struct cfg_rule	*rules = items;
	struct cfg_cond	*conds = items;
	struct cfg_override *ov = items;
	struct cfg_clv_src *clv = items;

	for (i = 0; items != NULL && i < n; i++) {
		switch (o->type) {
		case OPT_RULES:
			cfg_free_object(cfg_rule_opts, cfg_nrule_opts,
			    &rules[i]);
			break;
		case OPT_CONDS:
			cfg_free_object(cfg_cond_opts, cfg_ncond_opts,
			    &conds[i]);
			break;
		case OPT_OVERRIDES:
			cfg_free_object(cfg_override_opts, cfg_noverride_opts,
			    &ov[i]);
			break;
		case OPT_CLV:
			free(clv[i].channel);
			cfg_free_object(cfg_clv_opts, cfg_nclv_opts, &clv[i]);
			break;
		default:
			break;
		}
	}
	free(items);
	*(void **)cfg_field(base, o->off) = NULL;
	*(size_t *)cfg_field(base, o->aux) = 0;
}

/* ---- Building a client's rules ---- */

/* A threshold of measure m (change: a percentage) from its text. */
static int
cfg_threshold(struct cfg_ctx *ctx, const struct measure_ref *m, int change,
    const struct cfg_text *t, const char *name, const char *currency,
    int64_t *out)
{
	char	*why = NULL;
	int	 rc;

	if (change)
		rc = measure_parse_change(t->s, out, &why);
	else
		rc = measure_parse_value(m, t->s, currency, out, &why);
	if (rc != 0) {
		cfg_error(ctx, t->line, name, "%s", why);
		free(why);
		return -1;
	}
	return 0;
}

/*
 * The hysteresis on the side it clears: "x < V" clears at x >= clear, so a
 * clear under V would resolve an alert that still holds.
 */
static int
cfg_clear_side(struct cfg_ctx *ctx, enum rule_cmp cmp, int64_t value,
    int64_t clear, const char *vtext, const struct cfg_text *ct)
{
	int	 low = cmp == RULE_CMP_LT || cmp == RULE_CMP_LE;

	if (low ? clear >= value : clear <= value)
		return 0;
	return cfg_error(ctx, ct->line, "clear", "\"%s\" is %s the value"
	    " \"%s\": with %s an alert clears once the KPI is back %s clear,"
	    " so clear must be %s the value", ct->s, low ? "below" : "above",
	    vtext, rules_cmp_name(cmp), low ? "at or above" : "at or below",
	    low ? "at least" : "at most");
}

/* One condition: KPI, comparison, value and clear (default: the value). */
static int
cfg_cond_build(struct cfg_ctx *ctx, const char *kpi, int op, int change,
    const struct cfg_text *value, const struct cfg_text *clear,
    const char *currency, struct rule_cond *c)
{
	if (cfg_kpi(ctx, value->line, "kpi", kpi, &c->m) != 0)
		return -1;
	c->cmp = (enum rule_cmp)op;
	c->change = change;
	if (cfg_threshold(ctx, &c->m, change, value, "value", currency,
	    &c->value) != 0)
		return -1;
	c->clear = c->value;
	if (clear->s != NULL && (cfg_threshold(ctx, &c->m, change, clear,
	    "clear", currency, &c->clear) != 0 || cfg_clear_side(ctx, c->cmp,
	    c->value, c->clear, value->s, clear) != 0))
		return -1;
	return 0;
}

/* min_volume: an amount for spend (micros), else a whole count. */
static int
cfg_min_volume(struct cfg_ctx *ctx, enum rule_volume volume,
    const struct cfg_text *t, const char *currency, int64_t *out)
{
	struct measure_ref	 m;
	char			*why = NULL;

	*out = 0;
	if (t->s == NULL)
		return 0;
	if (measure_lookup(rules_volume_name(volume), &m, NULL) != 0)
		fatalx("%s: no measure %s", __func__, rules_volume_name(volume));
	if (measure_parse_value(&m, t->s, currency, out, &why) != 0) {
		cfg_error(ctx, t->line, "min_volume", "%s", why);
		free(why);
		return -1;
	}
	if (*out < 0)
		return cfg_error(ctx, t->line, "min_volume", "\"%s\" must not"
		    " be negative", t->s);
	if (volume != RULE_VOLUME_SPEND) {
		if (*out % MICROS_PER_UNIT != 0)
			return cfg_error(ctx, t->line, "min_volume", "\"%s\":"
			    " a whole number of %s", t->s,
			    rules_volume_name(volume));
		*out /= MICROS_PER_UNIT;
	}
	return 0;
}

/* The overrides of r's first condition, read in the client's currency. */
static int
cfg_overrides_build(struct cfg_ctx *ctx, const struct cfg_rule *s,
    const char *currency, struct rule_def *r)
{
	const struct cfg_override *x;
	struct rule_override	*o;
	const struct rule_cond	*c = &r->cond[0];
	const char		*old;
	char			*buf;
	size_t			 i;
	int			 rc;

	r->ov = xcalloc(s->nov + 1, sizeof *r->ov);
	for (i = 0; i < s->nov; i++) {
		x = &s->ov[i];
		o = &r->ov[r->nov++];
		o->channel = x->channel != NULL ? xstrdup(x->channel) : NULL;
		o->campaign = x->campaign != NULL ? xstrdup(x->campaign) : NULL;
		o->disabled = x->disabled;
		o->line = x->line;
		old = cfg_prefix_push(ctx, "overrides", i, &buf);
		rc = 0;
		if (x->value.s != NULL) {
			o->has_value = 1;
			rc = cfg_threshold(ctx, &c->m, c->change, &x->value,
			    "value", currency, &o->value);
		}
		if (rc == 0 && x->clear.s != NULL) {
			o->has_clear = 1;
			rc = cfg_threshold(ctx, &c->m, c->change, &x->clear,
			    "clear", currency, &o->clear);
			if (rc == 0)
				rc = cfg_clear_side(ctx, c->cmp, o->has_value ?
				    o->value : c->value, o->clear, o->has_value ?
				    x->value.s : s->value.s != NULL ?
				    s->value.s : "(the rule's)", &x->clear);
		}
		if (rc == 0 && x->min_volume.s != NULL) {
			o->has_min_volume = 1;
			rc = cfg_min_volume(ctx, r->volume, &x->min_volume,
			    currency, &o->min_volume);
		}
		cfg_prefix_pop(ctx, old, buf);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* A budget rule: its amount, period and the condition on its pacing. */
static int
cfg_budget_build(struct cfg_ctx *ctx, const struct cfg_rule *s,
    const char *currency, struct rule_def *r)
{
	struct rule_cond	*c = &r->cond[0];
	struct measure_ref	 spend;
	char			*why = NULL;

	if (measure_lookup("spend", &spend, NULL) != 0)
		fatalx("%s: no measure spend", __func__);
	if (measure_parse_value(&spend, s->budget.s, currency, &r->budget,
	    &why) != 0) {
		cfg_error(ctx, s->budget.line, "budget", "%s", why);
		free(why);
		return -1;
	}
	if (r->budget <= 0)
		return cfg_error(ctx, s->budget.line, "budget", "\"%s\" must be"
		    " above 0", s->budget.s);
	r->period = (enum budget_period_kind)s->period;
	if (r->period == BUDGET_FLIGHT) {
		metric_parse_iso_date(s->from, strlen(s->from), &r->flight_from);
		metric_parse_iso_date(s->to, strlen(s->to), &r->flight_to);
	}
	r->ncond = 1;
	if (measure_lookup(s->kpi != NULL ? s->kpi : "pacing", &c->m,
	    NULL) != 0)
		fatalx("%s: no measure %s", __func__, s->kpi);
	c->cmp = RULE_GIVEN(s, "op") ? (enum rule_cmp)s->op : RULE_CMP_GT;
	if (s->value.s != NULL) {
		if (cfg_threshold(ctx, &c->m, 0, &s->value, "value", currency,
		    &c->value) != 0)
			return -1;
	} else if (measure_unit(&c->m) == MEASURE_MONEY)
		c->value = r->budget;	/* projected_spend: the budget */
	else
		c->value = BUDGET_PPM;	/* pacing 1.0, budget_used 100 % */
	c->clear = c->value;
	if (s->clear.s != NULL && (cfg_threshold(ctx, &c->m, 0, &s->clear,
	    "clear", currency, &c->clear) != 0 || cfg_clear_side(ctx, c->cmp,
	    c->value, c->clear, s->value.s != NULL ? s->value.s : "1.0",
	    &s->clear) != 0))
		return -1;
	return 0;
}

/* One rule of the client from what its file (or the main file) says. */
static int
cfg_rule_build(struct cfg_ctx *ctx, const struct cfg_rule *s,
    const struct client_conf *c, enum rule_origin origin, struct rule_def *r)
{
	const struct cfg_cond	*k;
	const char		*old, *old2;
	char			*buf, *buf2;
	size_t			 i;
	int			 rc = -1;

	memset(r, 0, sizeof *r);
	r->name = xstrdup(s->name);
	r->file = xstrdup(ctx->file);
	r->line = s->line;
	r->origin = origin;
	r->kind = ALERT_RULE;
	r->type = (enum rule_type)s->type;
	r->scope = (enum rule_scope)s->scope;
	r->severity = (enum rule_severity)s->severity;
	r->volume = (enum rule_volume)s->volume;
	r->min_coverage_ppm = s->has_min_coverage ? s->min_coverage_ppm :
	    c->rules.min_coverage_ppm;
	r->pending_secs = s->pending_secs;
	r->repeat_secs = s->repeat_secs;
	r->notify_resolve = s->notify_resolve;
	r->flap_max = c->rules.flap_max;
	r->flap_secs = c->rules.flap_secs;
	r->window.kind = WINDOW_LIFETIME;
	if (r->type != RULE_BUDGET && r->type != RULE_FRESHNESS &&
	    window_parse(s->window, &r->window, NULL) != 0)
		fatalx("%s: window %s", __func__, s->window);

	old = cfg_prefix_push(ctx, "rules", s->index, &buf);
	if (cfg_min_volume(ctx, r->volume, &s->min_volume, c->currency,
	    &r->min_volume) != 0)
		goto out;
	switch (r->type) {
	case RULE_THRESHOLD:
	case RULE_CHANGE:
		r->ncond = 1;
		if (cfg_cond_build(ctx, s->kpi, s->op, r->type == RULE_CHANGE,
		    &s->value, &s->clear, c->currency, &r->cond[0]) != 0)
			goto out;
		break;
	case RULE_COMPOUND:
		for (i = 0; i < s->nall; i++) {
			k = &s->all[i];
			old2 = cfg_prefix_push(ctx, "all", i, &buf2);
			rc = cfg_cond_build(ctx, k->kpi, k->op, k->change,
			    &k->value, &k->clear, c->currency, &r->cond[i]);
			cfg_prefix_pop(ctx, old2, buf2);
			if (rc != 0)
				goto out;
			r->ncond++;
		}
		rc = -1;
		break;
	case RULE_BUDGET:
		if (cfg_budget_build(ctx, s, c->currency, r) != 0)
			goto out;
		break;
	case RULE_FRESHNESS:
		if (s->timezone != NULL &&
		    strcmp(s->timezone, c->timezone) != 0) {
			cfg_error(ctx, s->tz_line, "timezone", "freshness rules"
			    " use the client's time zone, %s", c->timezone);
			goto out;
		}
		if (window_parse_clock(s->by, &r->by_sec, NULL) != 0 ||
		    cfg_parse_expect(s->expect, &r->lag_days) != 0)
			fatalx("%s: freshness %s", __func__, s->name);
		r->channel = s->channel != NULL ? xstrdup(s->channel) : NULL;
		/* Judged on the days late (eval.c): late > 0 fires. */
		r->ncond = 1;
		r->cond[0].cmp = RULE_CMP_GT;
		r->cond[0].value = 0;
		r->cond[0].clear = 0;
		break;
	default:
		fatalx("%s: bad rule type %d", __func__, r->type);
	}
	if (cfg_overrides_build(ctx, s, c->currency, r) != 0)
		goto out;
	rc = 0;
out:
	cfg_prefix_pop(ctx, old, buf);
	if (rc != 0)
		rules_def_free(r);
	return rc;
}

static const struct cfg_rule *
cfg_rule_find(const struct cfg_rule *rules, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	}
	return NULL;
}

/* The client's CLV inputs in measure.h's units. */
static int
cfg_client_clv(struct cfg_ctx *ctx, struct client_conf *c)
{
	const struct cfg_clv_src *x;
	struct measure_ref	 count, money, pct;
	struct measure_clv	*v;
	const char		*old = ctx->prefix;
	char			*buf, *why = NULL;
	size_t			 i, j;
	int			 rc = 0;
	struct {
		const char		*name;
		const struct measure_ref *m;
		size_t			 off;
		size_t			 dst;
	} in[] = {
		{ "monthly_transactions", &count,
		  offsetof(struct cfg_clv_src, transactions),
		  offsetof(struct measure_clv, monthly_transactions) },
		{ "order_value", &money,
		  offsetof(struct cfg_clv_src, order_value),
		  offsetof(struct measure_clv, order_value) },
		{ "gross_margin", &pct, offsetof(struct cfg_clv_src, margin),
		  offsetof(struct measure_clv, margin_ppm) },
		{ "lifetime_months", &count,
		  offsetof(struct cfg_clv_src, lifetime),
		  offsetof(struct measure_clv, lifetime_months) },
	};
	const struct cfg_text	*t;
	int64_t			*dst;

	if (measure_lookup("clicks", &count, NULL) != 0 ||
	    measure_lookup("revenue", &money, NULL) != 0 ||
	    measure_lookup("ctr", &pct, NULL) != 0)
		fatalx("%s: measures missing", __func__);
	c->clv = xcalloc(c->nclv_src + 1, sizeof *c->clv);
	for (i = 0; rc == 0 && i < c->nclv_src; i++) {
		x = &c->clv_src[i];
		c->clv[c->nclv].channel = xstrdup(x->channel);
		v = &c->clv[c->nclv++].v;
		v->has = 1;
		xasprintf(&buf, "clv.%s.", x->channel);
		ctx->prefix = buf;
		for (j = 0; rc == 0 && j < NOPTS(in); j++) {
			t = (const struct cfg_text *)((const char *)x +
			    in[j].off);
			dst = (int64_t *)((char *)v + in[j].dst);
			if (measure_parse_value(in[j].m, t->s, c->currency, dst,
			    &why) != 0) {
				rc = cfg_error(ctx, t->line, in[j].name, "%s",
				    why);
				free(why);
			} else if (*dst <= 0)
				rc = cfg_error(ctx, t->line, in[j].name, "\"%s\""
				    " must be above 0", t->s);
			else if (in[j].m == &pct && *dst > BUDGET_PPM)
				rc = cfg_error(ctx, t->line, in[j].name, "\"%s\""
				    " is above 100%%", t->s);
		}
		ctx->prefix = old;
		free(buf);
	}
	return rc;
}

const struct measure_clv *
config_client_clv(const struct client_conf *c, const char *channel)
{
	size_t	i;

	if (channel == NULL)
		return NULL;
	for (i = 0; i < c->nclv; i++) {
		if (strcmp(c->clv[i].channel, channel) == 0)
			return &c->clv[i].v;
	}
	return NULL;
}

static void
cfg_rules_note(struct client_conf *c)
{
	size_t i;

	c->rule_scopes = 0;
	c->rule_calendar = 0;
	for (i = 0; i < c->nruleset; i++) {
		c->rule_scopes |= 1u << c->ruleset[i].scope;
		switch (c->ruleset[i].window.kind) {
		case WINDOW_LIFETIME:
		case WINDOW_DATA_DAYS:
			break;
		default:
			c->rule_calendar = 1;
		}
		if (c->ruleset[i].type == RULE_BUDGET ||
		    c->ruleset[i].type == RULE_FRESHNESS)
			c->rule_calendar = 1;
	}
}

int
cfg_client_rules(struct cfg_ctx *ctx, const cJSON *root, struct client_conf *c)
{
	const struct cfg_rule	*defs = ctx->cfg != NULL ? ctx->cfg->rules :
				    NULL;
	size_t			 ndefs = ctx->cfg != NULL ? ctx->cfg->nrules : 0;
	const struct cfg_rule	*s;
	struct cfg_ctx		 dctx;
	struct rule_def		 sh[2];
	size_t			 n, i;
	char			*why = NULL, *tmp;

	if (c->quiet_hours != NULL && *c->quiet_hours != '\0') {
		if (cfg_parse_quiet(c->quiet_hours, &c->quiet_start,
		    &c->quiet_end, &why) != 0)
			fatalx("%s: quiet_hours: %s", __func__, why);
		c->has_quiet = 1;
	}
	if (cfg_client_clv(ctx, c) != 0)
		return -1;

	n = rules_shorthand(&c->rules, c->window_days, sh);
	c->ruleset = xcalloc(n + ndefs + c->nrule_src, sizeof *c->ruleset);
	for (i = 0; i < n; i++) {
		c->ruleset[i] = sh[i];
		c->ruleset[i].name = xstrdup(sh[i].name);
		c->ruleset[i].file = xstrdup(c->file);
		c->ruleset[i].line = cfg_member_line(ctx, root, i == 0 ?
		    "minimum_roi" : "target_roi");
	}
	c->nruleset = n;

	/* The main file's, unless the client names one of them. */
	dctx = *ctx;
	dctx.file = ctx->cfg != NULL ? ctx->cfg->path : NULL;
	dctx.prefix = NULL;
	for (i = 0; i < ndefs; i++) {
		s = &defs[i];
		if (s->disabled ||
		    cfg_rule_find(c->rule_src, c->nrule_src, s->name) != NULL)
			continue;
		if (cfg_rule_build(&dctx, s, c, RULE_ORIGIN_DEFAULT,
		    &c->ruleset[c->nruleset]) != 0) {
			/* The main file's line, for this client. */
			xasprintf(&tmp, "%s (for client '%s', %s)",
			    *ctx->cause, c->id, c->file);
			free(*ctx->cause);
			*ctx->cause = tmp;
			return -1;
		}
		c->nruleset++;
	}
	for (i = 0; i < c->nrule_src; i++) {
		s = &c->rule_src[i];
		if (s->disabled) {
			if (cfg_rule_stub(s) && cfg_rule_find(defs, ndefs,
			    s->name) == NULL) {
				xasprintf(&tmp, "rules[%zu].", s->index);
				ctx->prefix = tmp;
				cfg_error(ctx, s->line, "name", "'%s' is not a"
				    " rule of the main file: there is nothing to"
				    " disable", s->name);
				ctx->prefix = NULL;
				free(tmp);
				return -1;
			}
			continue;
		}
		if (cfg_rule_build(ctx, s, c, RULE_ORIGIN_CLIENT,
		    &c->ruleset[c->nruleset]) != 0)
			return -1;
		c->nruleset++;
	}
	cfg_rules_note(c);
	return 0;
}

void
cfg_free_client_rules(struct client_conf *c)
{
	size_t i;

	for (i = 0; i < c->nruleset; i++)
		rules_def_free(&c->ruleset[i]);
	free(c->ruleset);
	c->ruleset = NULL;
	c->nruleset = 0;
	for (i = 0; i < c->nclv; i++)
		free(c->clv[i].channel);
	free(c->clv);
	c->clv = NULL;
	c->nclv = 0;
}
