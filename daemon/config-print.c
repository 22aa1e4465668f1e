/*
 * What `roiwatch check-config` prints (include/config.h): the summary of a
 * loaded configuration (secrets shown as "(set)" only) and, for --options,
 * the four option tables of config-table.c.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-internal.h"
#include "kpi.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "money.h"
#include "rules.h"
#include "window.h"

/* How --options names each enum opt_type. */
static const char *const opt_type_names[OPT_TYPE_MAX] = {
	"string", "path", "integer", "seconds", "bytes", "bool", "money",
	"roi", "percent", "choice", "choice", "string list", "secret file",
	"receivers", "column map", "headers file", "sources", "custom KPI map",
	"spread", "value map", "text", "rules", "conditions", "overrides",
	"CLV map",
	"digests",
};

/* "90s", "15m", "2h", "7d": the largest unit that divides exactly. */
static char *
cfg_fmt_secs(int64_t s, char *buf, size_t len)
{
	if (s != 0 && s % DAY == 0)
		snprintf(buf, len, "%" PRId64 "d", s / DAY);
	else if (s != 0 && s % 3600 == 0)
		snprintf(buf, len, "%" PRId64 "h", s / 3600);
	else if (s != 0 && s % 60 == 0)
		snprintf(buf, len, "%" PRId64 "m", s / 60);
	else
		snprintf(buf, len, "%" PRId64 "s", s);
	return buf;
}

/* ROI ppm as a percentage without trailing zeros: 50000 -> "5%". */
static char *
cfg_fmt_percent(int64_t ppm, char *buf, size_t len)
{
	int64_t	whole = ppm / 10000, frac = ppm % 10000;
	int	digits = 4;

	if (frac < 0)
		frac = -frac;
	while (digits > 0 && frac % 10 == 0 && frac != 0) {
		frac /= 10;
		digits--;
	}
	if (frac == 0)
		snprintf(buf, len, "%s%" PRId64 "%%",
		    ppm < 0 && whole == 0 ? "-" : "", whole);
	else
		snprintf(buf, len, "%s%" PRId64 ".%0*" PRId64 "%%",
		    ppm < 0 && whole == 0 ? "-" : "", whole, digits, frac);
	return buf;
}

/* Micros of a unit without trailing zeros: 1500000 -> "1.5". */
static char *
cfg_fmt_micros(int64_t v, char *buf, size_t len)
{
	int64_t	frac = v % (int64_t)MICROS_PER_UNIT;
	int	digits = 6;

	if (frac == 0) {
		snprintf(buf, len, "%" PRId64, v / (int64_t)MICROS_PER_UNIT);
		return buf;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRId64 ".%0*" PRId64, v / (int64_t)MICROS_PER_UNIT,
	    digits, frac);
	return buf;
}

/* A receiver's severities and rate limit. */
static void
cfg_print_routing(const struct receiver_conf *r, FILE *f)
{
	int	 sev, n = 0;

	fprintf(f, "    severities    ");
	if (r->severity_mask == (1u << RULE_SEV_MAX) - 1)
		fprintf(f, "all");
	for (sev = 0; sev < RULE_SEV_MAX &&
	    r->severity_mask != (1u << RULE_SEV_MAX) - 1; sev++)
		if (r->severity_mask & (1u << sev))
			fprintf(f, "%s%s", n++ ? ", " : "",
			    rules_severity_name((enum rule_severity)sev));
	fprintf(f, "\n");
	if (r->min_interval_msecs > 0)
		fprintf(f, "    rate limit    one delivery per %" PRId64 " ms\n",
		    r->min_interval_msecs);
}

static void
cfg_print_receiver(const struct receiver_conf *r, FILE *f)
{
	char	 buf[32];
	size_t	 i;

	fprintf(f, "  receiver %s: %s\n", r->name,
	    config_receiver_type_name(r->type));
	if (r->dir != NULL)
		fprintf(f, "    dir           %s\n", r->dir);
	if (r->url != NULL)
		fprintf(f, "    url           %s\n", r->url);
	if (r->type == RECEIVER_WEBHOOK)
		fprintf(f, "    secret        %s\n",
		    r->secret != NULL ? "(set)" : "(not set: unsigned)");
	if (r->from != NULL)
		fprintf(f, "    from          %s\n", r->from);
	if (r->reply_to != NULL)
		fprintf(f, "    reply-to      %s\n", r->reply_to);
	for (i = 0; i < r->nto; i++)
		fprintf(f, "    to            %s\n", r->to[i]);
	if (r->ncommand > 0) {
		fprintf(f, "    command      ");
		for (i = 0; i < r->ncommand; i++)
			fprintf(f, " %s", r->command[i]);
		fprintf(f, "\n");
	}
	if (r->type == RECEIVER_SMTP) {
		fprintf(f, "    starttls      %s\n",
		    cfg_starttls_choices[r->starttls]);
		if (r->username != NULL)
			fprintf(f, "    username      %s\n", r->username);
		fprintf(f, "    password      %s\n",
		    r->password != NULL ? "(set)" : "(not set)");
	}
	if (r->type != RECEIVER_FILE) {
		fprintf(f, "    timeout       %s\n",
		    cfg_fmt_secs(r->timeout_secs, buf, sizeof buf));
		fprintf(f, "    in flight     at most %" PRId64 "\n",
		    r->max_in_flight);
	}
	cfg_print_routing(r, f);
}

/* Header values may be API keys: only their names are shown. */
static void
cfg_print_source(const struct source_conf *src, FILE *f)
{
	char	 buf[32];
	size_t	 i;

	fprintf(f, "source %s: %s", src->name,
	    config_source_type_name(src->type));
	if (src->type == SOURCE_PULL)
		fprintf(f, " %s every %s", src->url, cfg_fmt_secs(
		    src->interval_secs, buf, sizeof buf));
	else
		fprintf(f, " inbox files \"%s\"", src->pattern);
	fprintf(f, ", format %s, preset %s", cfg_format_choices[src->format],
	    src->preset);
	if (src->client != NULL)
		fprintf(f, ", client %s", src->client);
	if (src->partial)
		fprintf(f, ", partial");
	if (src->keep_unknown_numeric)
		fprintf(f, ", keep unknown numeric columns");
	fprintf(f, "\n");
	for (i = 0; i < src->nheaders; i++)
		fprintf(f, "  header        %.*s: (set)\n",
		    (int)strcspn(src->headers[i], ":"), src->headers[i]);
	for (i = 0; i < src->ncolumns; i++)
		fprintf(f, "  column        \"%s\" -> %s\n",
		    src->columns[i].header,
		    metric_field_name(src->columns[i].field));
	for (i = 0; i < src->ncustom_kpis; i++)
		fprintf(f, "  custom KPI    \"%s\" -> %s\n",
		    src->custom_kpis[i].header, src->custom_kpis[i].name);
	if (src->campaign != NULL)
		fprintf(f, "  campaign      %s\n", src->campaign);
	if (src->date != NULL)
		fprintf(f, "  date          %s (files without a date column)\n",
		    src->date);
	if (src->date_from_name != NULL)
		fprintf(f, "  date          from the file name, \"%s\"\n",
		    src->date_from_name);
	for (i = 0; i < src->ndate_formats; i++)
		fprintf(f, "  date format   \"%s\"\n", src->date_formats[i]);
	if (src->default_year != 0)
		fprintf(f, "  default year  %" PRId64 "\n", src->default_year);
	for (i = 0; i < src->ndate_columns; i++)
		fprintf(f, "  date column   \"%s\"\n", src->date_columns[i]);
	if (src->round != 0)
		fprintf(f, "  round         %s\n",
		    cfg_round_choices[src->round]);
	for (i = 0; i < src->nspread; i++)
		fprintf(f, "  spread        \"%s\" -> %s of %s %s\n",
		    src->spread[i].header,
		    metric_field_name(src->spread[i].field),
		    metric_field_name((enum metric_field)src->spread_into),
		    src->spread[i].name);
	if (src->conversion_value != 0) {
		char m[64];

		fprintf(f, "  revenue       conversions x %s\n",
		    money_format(src->conversion_value, "en", m, sizeof m));
	}
	for (i = 0; i < src->nvalues; i++)
		fprintf(f, "  value         %s \"%s\" -> %s\n",
		    metric_field_name(src->values[i].field),
		    src->values[i].from, src->values[i].to);
}

/* A threshold of condition c for the summary ("€40.00", "-30.00%"). */
static char *
cfg_fmt_threshold(const struct client_conf *c, const struct rule_cond *k,
    int64_t v, char *buf, size_t len)
{
	if (k->change)
		return cfg_fmt_percent(v, buf, len);
	return measure_format_threshold(&k->m, v, c->currency, c->language,
	    buf, len);
}

/*
 * One line per rule: name, scope, what it judges, window, severity, and
 * where it was defined; its overrides indented below it.
 */
static void
cfg_print_rule(const struct client_conf *c, const struct rule_def *r, FILE *f)
{
	const struct rule_override *o;
	char	 m[64], a[64], b[64], line[512];
	size_t	 i, len = 0;

	line[0] = '\0';
	if (r->type == RULE_FRESHNESS) {
		if (r->lag_days == 0)
			snprintf(a, sizeof a, "today");
		else if (r->lag_days == 1)
			snprintf(a, sizeof a, "yesterday");
		else
			snprintf(a, sizeof a, "%d_days_ago", (int)r->lag_days);
		len = (size_t)snprintf(line, sizeof line, "data of %s%s%s%s by"
		    " %02d:%02d %s", a, r->channel != NULL ? " (" : "",
		    r->channel != NULL ? r->channel : "",
		    r->channel != NULL ? ")" : "", (int)(r->by_sec / 3600),
		    (int)(r->by_sec / 60 % 60), c->timezone);
	}
	for (i = 0; r->type != RULE_FRESHNESS && i < r->ncond &&
	    len < sizeof line; i++) {
		const struct rule_cond *k = &r->cond[i];

		len += (size_t)snprintf(line + len, sizeof line - len,
		    "%s%s%s %s %s", i > 0 ? " and " : "",
		    measure_name(&k->m, m, sizeof m),
		    k->change ? " change" : "", rules_cmp_name(k->cmp),
		    cfg_fmt_threshold(c, k, k->value, a, sizeof a));
		if (k->clear != k->value && len < sizeof line)
			len += (size_t)snprintf(line + len, sizeof line - len,
			    " (clears at %s)", cfg_fmt_threshold(c, k,
			    k->clear, b, sizeof b));
	}
	if (r->type == RULE_BUDGET && len < sizeof line) {
		money_format_currency(r->budget, c->currency, c->language, a,
		    sizeof a);
		if (r->period == BUDGET_MONTH)
			snprintf(line + len, sizeof line - len, " of a monthly"
			    " budget of %s", a);
		else {
			metric_format_date(r->flight_from, m);
			metric_format_date(r->flight_to, b);
			snprintf(line + len, sizeof line - len, " of a budget of"
			    " %s from %s to %s", a, m, b);
		}
	} else if (r->type != RULE_FRESHNESS && len < sizeof line)
		snprintf(line + len, sizeof line - len, " over %s",
		    window_name(&r->window, a, sizeof a));
	fprintf(f, "  rule %-14s %-8s  %s  %s  (%s, %s:%d)\n", r->name,
	    rules_scope_name(r->scope), line, rules_severity_name(r->severity),
	    rules_origin_name(r->origin), r->file != NULL ? r->file : c->file,
	    r->line);
	for (i = 0; i < r->nov; i++) {
		o = &r->ov[i];
		fprintf(f, "    %s %s:", o->campaign != NULL ? "campaign" :
		    "channel", o->campaign != NULL ? o->campaign : o->channel);
		if (o->disabled)
			fprintf(f, " disabled");
		if (o->has_value)
			fprintf(f, " value %s", cfg_fmt_threshold(c,
			    &r->cond[0], o->value, a, sizeof a));
		if (o->has_clear)
			fprintf(f, " clear %s", cfg_fmt_threshold(c,
			    &r->cond[0], o->clear, a, sizeof a));
		if (o->has_min_volume)
			fprintf(f, " min_volume %" PRId64, r->volume ==
			    RULE_VOLUME_SPEND ? o->min_volume / (int64_t)MICROS_PER_UNIT :
			    o->min_volume);
		fprintf(f, " (line %d)\n", o->line);
	}
}

/* One line per digest: its name, when, and to whom. */
static void
cfg_print_digest(const struct client_conf *c, const struct digest_conf *d,
    FILE *f)
{
	static const char *const weekdays[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	char	 when[48];
	size_t	 i;

	switch (d->sched.every) {
	case DIGEST_WEEKLY:
		snprintf(when, sizeof when, "weekly on %s",
		    weekdays[d->sched.weekday % 7]);
		break;
	case DIGEST_MONTHLY:
		if (d->sched.monthday == DIGEST_LAST_DAY)
			snprintf(when, sizeof when, "monthly on the last day");
		else
			snprintf(when, sizeof when, "monthly on day %d",
			    d->sched.monthday);
		break;
	default:
		snprintf(when, sizeof when, "daily");
		break;
	}
	fprintf(f, "  digest %-9s %s at %02d:%02d (%s), to", d->name, when,
	    (int)(d->sched.at / 3600), (int)(d->sched.at / 60 % 60),
	    c->timezone);
	for (i = 0; i < d->nreceivers; i++)
		fprintf(f, "%s %s", i > 0 ? "," : "", d->receivers[i]);
	fprintf(f, " (line %d)\n", d->line);
}

void
config_print_summary(const struct config *cfg, FILE *f)
{
	const struct client_conf *c;
	char			 b1[64], b2[64], b3[64], b4[64];
	size_t			 i, j;

	fprintf(f, "main file     %s\n", cfg->path);
	fprintf(f, "state_dir     %s\n", cfg->state_dir);
	fprintf(f, "inbox_dir     %s\n", cfg->inbox_dir);
	fprintf(f, "clients_dir   %s\n", cfg->clients_dir);
	if (*cfg->listen_addr == '\0')
		fprintf(f, "listen        (disabled)\n");
	else if (strchr(cfg->listen_addr, ':') != NULL)
		fprintf(f, "listen        [%s]:%" PRId64 "\n", cfg->listen_addr,
		    cfg->listen_port);
	else
		fprintf(f, "listen        %s:%" PRId64 "\n", cfg->listen_addr,
		    cfg->listen_port);
	fprintf(f, "clients       %zu\n", cfg->nclients);
	fprintf(f, "operator token %s\n", cfg->operator_token != NULL ?
	    "(set)" : "(not set)");
	for (i = 0; i < cfg->nsources; i++)
		cfg_print_source(&cfg->sources[i], f);

	for (i = 0; i < cfg->nclients; i++) {
		c = &cfg->clients[i];
		fprintf(f, "\nclient %s: %s\n", c->id, c->name);
		fprintf(f, "  file          %s\n", c->file);
		fprintf(f, "  currency      %s\n", c->currency);
		fprintf(f, "  timezone      %s\n", c->timezone);
		fprintf(f, "  language      %s\n", c->language);
		fprintf(f, "  minimum_roi   %s\n", kpi_format_roi_threshold(
		    c->rules.min_roi_ppm, b1, sizeof b1));
		if (c->rules.has_target)
			fprintf(f, "  target_roi    %s\n",
			    kpi_format_roi_threshold(c->rules.target_roi_ppm,
			    b1, sizeof b1));
		else
			fprintf(f, "  target_roi    (none)\n");
		fprintf(f, "  minimum_spend %s\n", money_format_currency(
		    c->rules.min_spend, c->currency, c->language, b1,
		    sizeof b1));
		fprintf(f, "  min coverage  %s\n",
		    cfg_fmt_percent(c->rules.min_coverage_ppm, b2, sizeof b2));
		if (c->window_days == 0)
			fprintf(f, "  window        lifetime\n");
		else
			fprintf(f, "  window        last %" PRId64 " days\n",
			    c->window_days);
		fprintf(f, "  pending       %s\n",
		    cfg_fmt_secs(c->rules.pending_secs, b1, sizeof b1));
		fprintf(f, "  hysteresis    %s\n",
		    cfg_fmt_percent(c->rules.hysteresis_ppm, b2, sizeof b2));
		if (c->rules.repeat_secs == 0)
			fprintf(f, "  repeat        never\n");
		else
			fprintf(f, "  repeat        every %s\n", cfg_fmt_secs(
			    c->rules.repeat_secs, b1, sizeof b1));
		if (c->rules.flap_max == 0)
			fprintf(f, "  flapping      not suppressed\n");
		else
			fprintf(f, "  flapping      held after %" PRId64 " changes"
			    " within %s\n", c->rules.flap_max, cfg_fmt_secs(
			    c->rules.flap_secs, b1, sizeof b1));
		if (c->has_quiet)
			fprintf(f, "  quiet hours   %s (%s)\n", c->quiet_hours,
			    c->timezone);
		if (c->group_wait_secs > 0)
			fprintf(f, "  grouping      events within %s as one"
			    " message\n", cfg_fmt_secs(c->group_wait_secs, b1,
			    sizeof b1));
		for (j = 0; j < c->nclv; j++) {
			const struct measure_clv *v = &c->clv[j].v;

			fprintf(f, "  clv %-9s %s transactions/month x %s x"
			    " %s margin x %s months\n", c->clv[j].channel,
			    cfg_fmt_micros(v->monthly_transactions, b1,
			    sizeof b1), money_format_currency(v->order_value,
			    c->currency, c->language, b2, sizeof b2),
			    cfg_fmt_percent(v->margin_ppm, b3, sizeof b3),
			    cfg_fmt_micros(v->lifetime_months, b4, sizeof b4));
		}
		for (j = 0; j < c->nruleset; j++)
			cfg_print_rule(c, &c->ruleset[j], f);
		for (j = 0; j < c->ndigests; j++)
			cfg_print_digest(c, &c->digests[j], f);
		fprintf(f, "  ingest token  (set)\n");
		fprintf(f, "  hmac secret   %s\n",
		    c->hmac_secret != NULL ? "(set)" : "(not set)");
		for (j = 0; j < c->nreceivers; j++)
			cfg_print_receiver(&c->receivers[j], f);
	}
}

/* A choice as shown in help: a tab as \t. */
static const char *
cfg_choice_text(const char *s)
{
	return strcmp(s, "\t") == 0 ? "\\t" : s;
}

static void
cfg_print_table(const char *title, const struct opt *opts, size_t nopts,
    const char *const *type_names, FILE *f)
{
	const struct opt	*o;
	size_t			 i, j;

	fprintf(f, "%s\n", title);
	for (i = 0; i < nopts; i++) {
		o = &opts[i];
		fprintf(f, "  %-24s %s", o->name, opt_type_names[o->type]);
		if (o->choices != NULL) {
			for (j = 0; o->choices[j] != NULL; j++)
				fprintf(f, "%s\"%s\"", j == 0 ? " " : "|",
				    cfg_choice_text(o->choices[j]));
		}
		if ((o->type == OPT_INT || o->type == OPT_DURATION ||
		    o->type == OPT_BYTES) && o->max != 0)
			fprintf(f, ", %" PRId64 "..%" PRId64, o->min, o->max);
		if (o->flags & OPT_REQUIRED)
			fprintf(f, ", required");
		else if (o->def != NULL)
			fprintf(f, ", default %s", o->def);
		else
			fprintf(f, ", optional");
		if (o->types != 0) {
			fprintf(f, ", for");
			for (j = 0; type_names[j] != NULL; j++) {
				if (o->types & FOR(j))
					fprintf(f, " %s", type_names[j]);
			}
		}
		fprintf(f, "\n      %s\n", o->help);
	}
}

/*
 * The option tables in the order both --options and the manual list them:
 * the title of the text listing, and the manual's subsection and the
 * sentence saying where those options are written.
 */
static const struct {
	const char		*title;
	const char		*man_title;
	const char		*man_where;
	const struct opt	*opts;
	const size_t		*nopts;
	const char *const	*type_names;
} cfg_print_tables[] = {
	{ "Main file (roiwatchd.conf):", "Main file",
	  "Top-level members of the main file, roiwatchd.conf.",
	  cfg_main_opts, &cfg_nmain_opts, NULL },
	{ "Source objects (in the main file's \"sources\"):", "Source objects",
	  "Members of each object of the main file's \"sources\" array.",
	  cfg_source_opts, &cfg_nsource_opts, cfg_source_type_choices },
	{ "Client files (clients_dir/*.conf):", "Client files",
	  "Top-level members of each client file, clients_dir/*.conf.",
	  cfg_client_opts, &cfg_nclient_opts, NULL },
	{ "Receiver objects (in a client's \"receivers\"):", "Receiver objects",
	  "Members of each object of a client's \"receivers\" array.",
	  cfg_receiver_opts, &cfg_nreceiver_opts, cfg_receiver_type_choices },
	{ "Rule objects (\"rules\" of the main file: defaults;"
	  " of a client file):", "Rule objects",
	  "Members of each object of a \"rules\" array: the main file's"
	  " (defaults of every client) or a client file's.",
	  cfg_rule_opts, &cfg_nrule_opts, cfg_rule_type_choices },
	{ "Conditions (in a compound rule's \"all\"):", "Conditions",
	  "Members of each object of a compound rule's \"all\" array.",
	  cfg_cond_opts, &cfg_ncond_opts, NULL },
	{ "Overrides (in a rule's \"overrides\"):", "Overrides",
	  "Members of each object of a rule's \"overrides\" array.",
	  cfg_override_opts, &cfg_noverride_opts, NULL },
	{ "CLV inputs (in a client's \"clv\", per channel):", "CLV inputs",
	  "Members of each channel's object in a client's \"clv\" object.",
	  cfg_clv_opts, &cfg_nclv_opts, NULL },
	{ "Digest objects (in a client's \"digests\"):", "Digest objects",
	  "Members of each object of a client's \"digests\" array.",
	  cfg_digest_opts, &cfg_ndigest_opts, NULL },
};
#define CFG_NPRINT_TABLES \
	(sizeof cfg_print_tables / sizeof cfg_print_tables[0])

void
config_print_options(FILE *f)
{
	size_t	 i;

	for (i = 0; i < CFG_NPRINT_TABLES; i++) {
		if (i > 0)
			fprintf(f, "\n");
		cfg_print_table(cfg_print_tables[i].title,
		    cfg_print_tables[i].opts, *cfg_print_tables[i].nopts,
		    cfg_print_tables[i].type_names, f);
	}
	fprintf(f, "\nRelative paths are relative to the main file's"
	    " directory; a receiver's dir is\nrelative to state_dir. Secrets"
	    " are read from the files named by *_file options.\n");
}

/*
 * Text for roff text lines: a backslash becomes \e, and a line that would
 * start with a control character (. or ') starts with the zero-width \& so
 * that roff does not take it for a request. Each sentence ends its line
 * (". " before a capital letter): roff puts the space between sentences only
 * there, and mandoc's lint asks for it. Lines are broken at spaces to stay
 * within 72 columns, for whoever reads the source.
 */
void
cfg_man_text(const char *s, FILE *f)
{
	size_t	 col = 0, w, n, i;
	int	 bol = 1;

	for (; *s != '\0'; s++) {
		if (bol) {
			while (*s == ' ')
				s++;
			if (*s == '\0')
				break;
			if (*s == '.' || *s == '\'')
				col += (size_t)fprintf(f, "\\&");
			bol = 0;
		}
		if (*s == '\\')
			col += (size_t)fprintf(f, "\\e");
		else if ((*s == '.' || *s == '?' || *s == '!') &&
		    s[1] == ' ' && s[2] >= 'A' && s[2] <= 'Z') {
			fprintf(f, "%c\n", *s);
			bol = 1;
			col = 0;
		} else if (*s == ' ') {
			/* The next word as written: escapes are longer. */
			w = n = strcspn(s + 1, " ");
			for (i = 1; i <= n; i++)
				w += s[i] == '\\';
			if (s[1] == '.' || s[1] == '\'')
				w += 2;
			if (col + 1 + w > 72) {
				fputc('\n', f);
				bol = 1;
				col = 0;
			} else
				col += (size_t)fprintf(f, " ");
		} else {
			fputc(*s, f);
			col++;
		}
	}
	if (!bol)
		fputc('\n', f);
}

/* One table as an mdoc tag list: the name and type as the tag, then the
 * bounds, choices and default, then the help text. */
static void
cfg_man_table(const char *title, const char *where, const struct opt *opts,
    size_t nopts, const char *const *type_names, FILE *f)
{
	const struct opt	*o;
	char			*line;
	size_t			 i, j, k, n, len;
	FILE			*m;

	fprintf(f, ".Ss %s\n", title);
	cfg_man_text(where, f);
	fprintf(f, ".Bl -tag -width Ds\n");
	for (i = 0; i < nopts; i++) {
		o = &opts[i];
		fprintf(f, ".It Ic %s Ar \"%s\"\n", o->name,
		    opt_type_names[o->type]);
		/* The line under the tag, built whole, then escaped once. */
		if ((m = open_memstream(&line, &len)) == NULL)
			fatal("open_memstream");
		if (o->choices != NULL) {
			fprintf(m, "One of");
			for (j = 0; o->choices[j] != NULL; j++)
				fprintf(m, "%s\"%s\"", j == 0 ? " " : ", ",
				    cfg_choice_text(o->choices[j]));
			fprintf(m, "; ");
		}
		if ((o->type == OPT_INT || o->type == OPT_DURATION ||
		    o->type == OPT_BYTES) && o->max != 0)
			fprintf(m, "%" PRId64 " to %" PRId64 "; ", o->min,
			    o->max);
		if (o->flags & OPT_REQUIRED)
			fprintf(m, "required");
		else if (o->def != NULL)
			fprintf(m, "default %s", o->def);
		else
			fprintf(m, "optional");
		if (o->types != 0) {
			for (j = 0, n = 0; type_names[j] != NULL; j++)
				n += (o->types & FOR(j)) != 0;
			fprintf(m, "; for type%s", n > 1 ? "s" : "");
			for (j = 0, k = 0; type_names[j] != NULL; j++)
				if (o->types & FOR(j))
					fprintf(m, "%s%s", k++ ? ", " : " ",
					    type_names[j]);
		}
		fprintf(m, ".");
		fclose(m);
		line[0] = (char)toupper((unsigned char)line[0]);
		cfg_man_text(line, f);
		free(line);
		fprintf(f, ".br\n");
		cfg_man_text(o->help, f);
	}
	fprintf(f, ".El\n");
}

void
config_print_options_man(FILE *f)
{
	size_t	 i;

	fprintf(f, ".\\\" Generated by roiwatch check-config --options --man"
	    " from daemon/config-table.c.\n");
	for (i = 0; i < CFG_NPRINT_TABLES; i++)
		cfg_man_table(cfg_print_tables[i].man_title,
		    cfg_print_tables[i].man_where, cfg_print_tables[i].opts,
		    *cfg_print_tables[i].nopts, cfg_print_tables[i].type_names,
		    f);
}
