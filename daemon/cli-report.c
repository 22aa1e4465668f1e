/*
 * Read-only reports of the command line: KPIs of a client (kpis), alert
 * states (alerts), pull sources (sources), one stored sample (sample) and a
 * replay of stored history through the rules (backtest).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "config.h"
#include "eval.h"
#include "kpi.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "money.h"
#include "notice.h"
#include "report-alerts.h"
#include "report-kpis.h"
#include "rules.h"
#include "store.h"
#include "window.h"

/*
 * The KPIs of a client over one calendar window, by campaign, channel or for
 * the whole client: an aligned table in the client's number format (or the
 * JSON GET /v1/clients/{id}/kpis answers, --json), with the coverage of
 * every KPI that lacks days. Bad options exit 2, an unknown client 1.
 */
int
cli_kpis(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	struct report_kpis *r;
	struct window_spec spec;
	enum report_by by = REPORT_BY_CAMPAIGN;
	const char *client = NULL, *window = "lifetime", *bytext = NULL;
	char *cause = NULL, *text, buf[64], days[32];
	cJSON *json;
	long long n;
	int i, as_json = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--window") == 0 && i + 1 < argc)
			window = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			bytext = argv[++i];
		else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			/* Before --window: the last N days of data. */
			if (cli_parse_opt_int("kpis", "--days", argv[++i], 1,
			    WINDOW_DAYS_MAX, &n) != 0)
				return 2;
			snprintf(days, sizeof days, "data_%lldd", n);
			window = days;
		} else if (strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else if (argv[i][0] == '-' || client != NULL)
			cli_usage();
		else
			client = argv[i];
	}
	if (client == NULL)
		cli_usage();
	if (window_parse(window, &spec, &cause) != 0 || (bytext != NULL &&
	    report_by_parse(bytext, &by, &cause) != 0)) {
		fprintf(stderr, "roiwatch: kpis: %s\n", cause);
		free(cause);
		return 2;
	}
	cfg = cli_load_config(cli_config_path);
	if ((cc = cli_client(cfg, "kpis", client)) == NULL) {
		config_free(cfg);
		return 1;
	}
	st = cli_open_store(cfg);
	if ((r = report_kpis_load(st, cc, &spec, by, (int64_t)time(NULL),
	    &cause)) == NULL) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	if (as_json) {
		json = report_kpis_json(r);
		if ((text = cJSON_Print(json)) == NULL)
			fatalx("%s: out of memory", __func__);
		printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(json);
	} else {
		printf("%s (%s), minimum ROI %s", cc->name, cc->id,
		    kpi_format_roi_threshold(cc->rules.min_roi_ppm, buf,
		    sizeof buf));
		if (cc->rules.has_target)
			printf(", target %s", kpi_format_roi_threshold(
			    cc->rules.target_roi_ppm, buf, sizeof buf));
		printf("\n");
		text = report_kpis_table(r);
		fputs(text, stdout);
		free(text);
	}
	report_kpis_free(r);
	store_free(st);
	config_free(cfg);
	return 0;
}

struct alerts_ctx {
	struct store		*st;
	const struct config	*cfg;
	cJSON			*list;		/* --json */
};

/* The rule a stored state belongs to, or NULL (no longer configured). */
static const struct rule_def *
alerts_rule(const struct client_conf *cc, const struct alert_key *k)
{
	size_t i;

	for (i = 0; cc != NULL && i < cc->nruleset; i++)
		if (cc->ruleset[i].scope == k->scope &&
		    strcmp(cc->ruleset[i].name, k->rule) == 0)
			return &cc->ruleset[i];
	return NULL;
}

/*
 * One alert state: the value it was judged on, with the rule's KPI and its
 * window's local dates, or why it was not judged -- never a made-up value.
 * For too thin a coverage, the subject's coverage now.
 */
static int
alerts_cb(const struct alert_key *k, const struct alert_row *row, void *arg)
{
	struct alerts_ctx *ctx = arg;
	const struct rule_status *st = &row->st;
	const struct client_conf *cc = config_client(ctx->cfg, k->client);
	const struct rule_def *r = alerts_rule(cc, k);
	struct window_range w = { row->win_from, row->win_to };
	struct measure_value mv;
	struct kpi_totals t;
	struct kpi_value v, minimum;
	struct kpi_lack *lacks;
	struct kpi_gaps g;
	size_t n;
	char since[32], cov[1024], pct[32], val[300], range[128], name[64];
	char subj[256], *cause = NULL;
	const char *campaign = k->scope == RULE_SCOPE_CAMPAIGN ? k->subject :
	    NULL;
	time_t tt = (time_t)st->since;
	struct tm tm;

	strftime(since, sizeof since, "%Y-%m-%d %H:%M:%SZ", gmtime_r(&tt, &tm));
	log_escape(k->subject, strlen(k->subject), subj, sizeof subj);
	if (k->scope == RULE_SCOPE_CLIENT)
		snprintf(subj, sizeof subj, "(all campaigns)");
	printf("%-12s %s%-*s", k->client, k->scope == RULE_SCOPE_CHANNEL ?
	    "channel:" : "", k->scope == RULE_SCOPE_CHANNEL ? 22 : 30, subj);
	printf(" %-12s %-9s since %s%s  ", k->rule,
	    rules_state_name(st->state), since, st->flapping ? " (flapping)" :
	    "");
	if (st->judged && r != NULL && r->type == RULE_FRESHNESS)
		printf("%lld day(s) late (data expected by %02d:%02d)\n",
		    (long long)(st->value / MICROS_PER_UNIT),
		    (int)(r->by_sec / 3600), (int)(r->by_sec / 60 % 60));
	else if (st->judged && r != NULL && cc != NULL) {
		memset(&mv, 0, sizeof mv);
		mv.defined = 1;
		mv.floor = st->value;
		if (r->cond[0].change) {
			snprintf(val, sizeof val, "change %+.2f%%",
			    (double)st->value / 10000.0);
		} else
			measure_format(&r->cond[0].m, &mv, cc->currency, "en",
			    val, sizeof val);
		measure_name(&r->cond[0].m, name, sizeof name);
		printf("%s %s over %s\n", name, val, window_format_range(&w,
		    "en", range, sizeof range));
	} else if (st->judged)
		printf("value %lld (its rule is no longer configured)\n",
		    (long long)st->value);
	else if (st->skip != RULE_SKIP_COVERAGE || cc == NULL ||
	    k->scope == RULE_SCOPE_CHANNEL)
		printf("%s\n", rules_skip_text(st->skip));
	else {
		if (store_totals(ctx->st, k->client, campaign, w.from, w.to, &t,
		    &cause) != 0 || store_lacks(ctx->st, k->client, campaign,
		    w.from, w.to, &lacks, &n, &cause) != 0) {
			printf("%s\n", rules_skip_text(st->skip));
			fprintf(stderr, "roiwatch: %s\n", cause);
			free(cause);
			return 0;
		}
		kpi_gaps_pick(lacks, n, KPI_PAIR_COST_REVENUE, &g);
		free(lacks);
		memset(&v, 0, sizeof v);
		v.days = t.pair[KPI_PAIR_COST_REVENUE].days;
		v.days_total = t.days;
		memset(&minimum, 0, sizeof minimum);
		minimum.defined = 1;
		minimum.value = (double)(r != NULL ? r->min_coverage_ppm :
		    cc->rules.min_coverage_ppm) / 1e6;
		printf("%s (%s; minimum %s)\n", rules_skip_text(st->skip),
		    kpi_format_coverage(&v, &g, campaign == NULL, "en", cov,
		    sizeof cov), kpi_format_percent(&minimum, pct, sizeof pct));
	}
	return 0;
}

/* --json of every client: each state as GET /v1/clients/{id}/alerts has
 * it (report-alerts.c), with its client first. */
static int
alerts_json_cb(const struct alert_key *k, const struct alert_row *row,
    void *arg)
{
	struct alerts_ctx *ctx = arg;
	cJSON *o, *c;

	o = report_alert_json(config_client(ctx->cfg, k->client), k, row);
	/* First, where the HTTP document has it. */
	c = cJSON_CreateString(k->client);
	cJSON_AddItemToObject(o, "client", c);
	cJSON_InsertItemInArray(o, 0, cJSON_DetachItemViaPointer(o, c));
	cJSON_AddItemToArray(ctx->list, o);
	return 0;
}

/*
 * Alert states that are not settled (--all: every one), of one client or of
 * all, also those of clients no longer configured. --json of one client:
 * the document GET /v1/clients/{id}/alerts answers; of all: {"alerts":
 * [...]}, each state with its "client".
 */
int
cli_alerts(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc = NULL;
	struct alerts_ctx ctx;
	const char *client = NULL;
	char *cause = NULL, *text;
	cJSON *doc = NULL;
	int i, all = 0, json = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] != '-' && client == NULL)
			client = argv[i];
		else
			cli_usage();
	}
	cfg = cli_load_config(cli_config_path);
	if (client != NULL && (cc = cli_client(cfg, "alerts", client)) ==
	    NULL) {
		config_free(cfg);
		return 1;
	}
	ctx.cfg = cfg;
	ctx.st = cli_open_store(cfg);
	if (json && cc != NULL)
		doc = report_alerts_json(ctx.st, cc, all, &cause);
	else if (json) {
		doc = cJSON_CreateObject();
		ctx.list = cJSON_AddArrayToObject(doc, "alerts");
		if (store_foreach_alert(ctx.st, NULL, all, alerts_json_cb, &ctx,
		    &cause) != 0) {
			cJSON_Delete(doc);
			doc = NULL;
		}
	} else if (store_foreach_alert(ctx.st, client, all, alerts_cb, &ctx,
	    &cause) != 0)
		rc = 1;
	if (json && doc == NULL)
		rc = 1;
	if (rc != 0) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
	} else if (json) {
		if ((text = cJSON_Print(doc)) == NULL)
			fatalx("%s: out of memory", __func__);
		printf("%s\n", text);
		cJSON_free(text);
	}
	cJSON_Delete(doc);
	store_free(ctx.st);
	config_free(cfg);
	return rc;
}

/* "2026-11-24 23:12:12Z (3m ago)", or "never". */
static char *
format_when(int64_t t, time_t now, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char day[32];
	long long ago = (long long)(now - tt);

	if (t <= 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	strftime(day, sizeof day, "%Y-%m-%d %H:%M:%SZ", gmtime_r(&tt, &tm));
	if (ago >= 0)
		snprintf(buf, len, "%s (%lldh%02lldm ago)", day, ago / 3600,
		    ago / 60 % 60);
	else
		snprintf(buf, len, "%s (in %lldh%02lldm)", day, -ago / 3600,
		    -ago / 60 % 60);
	return buf;
}

/* A time in JSON: "2026-11-24T23:12:12Z", null for never (0). */
static void
sources_json_time(cJSON *o, const char *name, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[32];

	if (t <= 0) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	cJSON_AddStringToObject(o, name, buf);
}

/* One source as JSON: never its URL or headers (they may hold keys). */
static cJSON *
sources_json(const struct source_conf *src, const struct store_source_state
    *ss, int found)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", src->name);
	cJSON_AddStringToObject(o, "type", config_source_type_name(src->type));
	if (src->client != NULL)
		cJSON_AddStringToObject(o, "client", src->client);
	else
		cJSON_AddNullToObject(o, "client");
	if (src->type == SOURCE_FILES) {
		cJSON_AddStringToObject(o, "pattern", src->pattern);
		return o;
	}
	cJSON_AddNumberToObject(o, "interval_secs",
	    (double)src->interval_secs);
	sources_json_time(o, "last_attempt", ss->last_attempt);
	sources_json_time(o, "last_success", ss->last_success);
	/* null: not fetched yet, at the daemon's start */
	sources_json_time(o, "next_at", found ? ss->next_at : 0);
	cJSON_AddNumberToObject(o, "failures", (double)ss->failures);
	if (ss->last_error != NULL)
		cJSON_AddStringToObject(o, "last_error", ss->last_error);
	else
		cJSON_AddNullToObject(o, "last_error");
	return o;
}

/* Pull and files sources: a line each, or {"sources": [...]} (--json). */
int
cli_sources(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct store_source_state ss;
	const struct source_conf *src;
	char *cause = NULL, a[64], b[64], *text;
	time_t now = time(NULL);
	size_t i;
	int rc = 0, found, json = 0;
	cJSON *doc = NULL, *list = NULL;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json = 1;
	else if (argc != 1)
		cli_usage();
	cfg = cli_load_config(cli_config_path);
	st = cli_open_store(cfg);
	if (json) {
		doc = cJSON_CreateObject();
		list = cJSON_AddArrayToObject(doc, "sources");
	}
	for (i = 0; i < cfg->nsources; i++) {
		src = &cfg->sources[i];
		memset(&ss, 0, sizeof ss);
		if (src->type == SOURCE_FILES) {
			if (json)
				cJSON_AddItemToArray(list, sources_json(src,
				    &ss, 0));
			else
				printf("%-20s files  pattern %s\n", src->name,
				    src->pattern);
			continue;
		}
		if ((found = store_source_get(st, src->name, &ss, &cause)) ==
		    -1) {
			fprintf(stderr, "roiwatch: %s: %s\n", src->name, cause);
			free(cause);
			cause = NULL;
			rc = 1;
			continue;
		}
		if (json) {
			cJSON_AddItemToArray(list, sources_json(src, &ss,
			    found));
			store_source_state_clear(&ss);
			continue;
		}
		printf("%-20s pull   every %llds, last success %s, next %s",
		    src->name, (long long)src->interval_secs,
		    format_when(ss.last_success, now, a, sizeof a),
		    found ? format_when(ss.next_at, now, b, sizeof b) :
		    "at the daemon's start");
		if (ss.failures > 0)
			printf(", %lld failure(s), last: %s",
			    (long long)ss.failures,
			    ss.last_error != NULL ? ss.last_error : "?");
		printf("\n");
		store_source_state_clear(&ss);
	}
	if (json) {
		if ((text = cJSON_Print(doc)) == NULL)
			fatalx("%s: out of memory", __func__);
		printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(doc);
	} else if (cfg->nsources == 0)
		printf("no sources configured\n");
	store_free(st);
	config_free(cfg);
	return rc;
}

/*
 * One stored sample as it was merged: every field with its value and the
 * input (origin, time) that wrote it last, "missing" for a field no input
 * reported -- what an operator asks when a figure looks wrong.
 */
int
cli_sample(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	struct store_sample smp;
	const struct store_sample_field *f;
	char *cause = NULL, value[64], when[32], origin[512], esc[64];
	int32_t day;
	long long hour = -1;
	int i, found;
	time_t t;
	struct tm tm;

	if (argc != 4 && argc != 5)
		cli_usage();
	if (metric_parse_iso_date(argv[3], strlen(argv[3]), &day) != 0) {
		fprintf(stderr, "roiwatch: sample: DATE \"%s\": not a date "
		    "(YYYY-MM-DD)\n", log_escape(argv[3], strlen(argv[3]), esc,
		    sizeof esc));
		return 2;
	}
	if (argc == 5 && cli_parse_opt_int("sample", "HOUR", argv[4], 0, 23,
	    &hour) != 0)
		return 2;
	cfg = cli_load_config(cli_config_path);
	if ((cc = cli_client(cfg, "sample", argv[1])) == NULL) {
		config_free(cfg);
		return 1;
	}
	st = cli_open_store(cfg);
	found = store_sample_get(st, cc->id, argv[2], day, (int)hour, &smp,
	    &cause);
	if (found <= 0) {
		if (found == 0)
			fprintf(stderr, "roiwatch: no sample of %s \"%s\" on "
			    "%s%s%s\n", cc->id, argv[2], argv[3],
			    argc == 5 ? " hour " : "", argc == 5 ? argv[4] : "");
		else
			fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	printf("%s \"%s\" %s%s%s\n", cc->id, argv[2], argv[3],
	    argc == 5 ? " hour " : "", argc == 5 ? argv[4] : "");
	for (i = 0; i < STORE_SAMPLE_FIELDS; i++) {
		f = &smp.field[i];
		if (!f->present) {
			printf("  %-12s missing\n", metric_field_name(f->field));
			continue;
		}
		/* Channels and origins (file names) come from inputs:
		 * escaped before they reach a terminal. */
		if (f->field == MF_CHANNEL)
			log_escape(smp.channel, strlen(smp.channel), value,
			    sizeof value);
		else if (f->field == MF_COST || f->field == MF_REVENUE)
			money_format_currency(f->value, cc->currency,
			    cc->language, value, sizeof value);
		else
			snprintf(value, sizeof value, "%lld",
			    (long long)f->value);
		t = (time_t)f->written;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		printf("  %-12s ", metric_field_name(f->field));
		cli_print_padded(value, 16);
		log_escape(f->origin, strlen(f->origin), origin,
		    sizeof origin);
		printf(" from %s, %s\n", origin, when);
	}
	store_free(st);
	config_free(cfg);
	return 0;
}

struct backtest_ctx {
	const struct client_conf *cc;
	size_t			 n[RULE_ACTION_MAX];
};

/* One event a backtest found: day, action, rule, subject, value, threshold. */
static int
backtest_cb(int32_t day, const struct notice *n, const struct notice_event *e,
    void *arg)
{
	struct backtest_ctx *ctx = arg;
	const struct notice_cond *k = &e->rule.cond[0];
	struct measure_ref m;
	struct measure_value v;
	char date[16], subj[300], esc[256], val[128], th[128];

	(void)n;
	metric_format_date(day, date);
	switch (e->rule.scope) {
	case RULE_SCOPE_CAMPAIGN:
		log_escape(e->campaign, strlen(e->campaign), esc, sizeof esc);
		snprintf(subj, sizeof subj, "campaign \"%s\"", esc);
		break;
	case RULE_SCOPE_CHANNEL:
		log_escape(e->channel, strlen(e->channel), esc, sizeof esc);
		snprintf(subj, sizeof subj, "channel \"%s\"", esc);
		break;
	default:
		snprintf(subj, sizeof subj, "all campaigns");
	}
	val[0] = th[0] = '\0';
	if (measure_lookup(k->measure, &m, NULL) == 0) {
		memset(&v, 0, sizeof v);
		v.defined = k->defined;
		v.floor = k->change ? k->cur : k->value;
		v.inexact = k->change ? 0 : k->inexact;
		measure_format(&m, &v, ctx->cc->currency, "en", val, sizeof val);
		if (k->change) {
			snprintf(th, sizeof th, "change %+.2f%% %s %+.2f%%",
			    (double)k->value / 10000.0,
			    rules_cmp_name((enum rule_cmp)k->cmp),
			    (double)k->threshold / 10000.0);
		} else {
			snprintf(th, sizeof th, "%s ",
			    rules_cmp_name((enum rule_cmp)k->cmp));
			measure_format_threshold(&m, k->threshold,
			    ctx->cc->currency, "en", th + strlen(th),
			    sizeof th - strlen(th));
		}
	}
	printf("%s  %-8s  %-14s  %-40s  %s %s  (%s)\n", date,
	    rules_action_name(e->action), e->rule.name, subj, k->measure, val,
	    th);
	if ((unsigned)e->action < RULE_ACTION_MAX)
		ctx->n[e->action]++;
	return 0;
}

int
cli_backtest(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct backtest_ctx ctx;
	const char *from_s = NULL, *to_s = NULL, *rule = NULL, *client;
	char *cause = NULL, esc[64];
	int32_t from, to;
	int i, rc;

	if (argc < 2 || argv[1][0] == '-')
		cli_usage();
	client = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			from_s = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to_s = argv[++i];
		else if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc)
			rule = argv[++i];
		else
			cli_usage();
	}
	if (from_s == NULL || to_s == NULL)
		cli_usage();
	if (metric_parse_iso_date(from_s, strlen(from_s), &from) != 0) {
		fprintf(stderr, "roiwatch: backtest: --from \"%s\": not a date "
		    "(YYYY-MM-DD)\n", log_escape(from_s, strlen(from_s), esc,
		    sizeof esc));
		return 2;
	}
	if (metric_parse_iso_date(to_s, strlen(to_s), &to) != 0) {
		fprintf(stderr, "roiwatch: backtest: --to \"%s\": not a date "
		    "(YYYY-MM-DD)\n", log_escape(to_s, strlen(to_s), esc,
		    sizeof esc));
		return 2;
	}
	if (to < from || to - from > 3660) {
		fprintf(stderr, "roiwatch: backtest: --to must be on or after "
		    "--from, at most 3660 days later\n");
		return 2;
	}
	cfg = cli_load_config(cli_config_path);
	memset(&ctx, 0, sizeof ctx);
	if ((ctx.cc = config_client(cfg, client)) == NULL) {
		fprintf(stderr, "roiwatch: backtest: unknown client \"%s\"\n",
		    client);
		config_free(cfg);
		return 1;
	}
	st = cli_open_store(cfg);
	rc = eval_backtest(st, cfg, client, rule, from, to, backtest_cb, &ctx,
	    &cause);
	if (rc != 0) {
		fprintf(stderr, "roiwatch: backtest: %s\n", cause);
		free(cause);
	} else
		printf("%s to %s: %zu fired, %zu repeated, %zu resolved, "
		    "%zu good news, %zu flapping\n", from_s, to_s,
		    ctx.n[RULE_FIRE], ctx.n[RULE_REPEAT], ctx.n[RULE_RESOLVE],
		    ctx.n[RULE_GOOD], ctx.n[RULE_FLAPPING]);
	store_free(st);
	config_free(cfg);
	return rc == 0 ? 0 : 1;
}
