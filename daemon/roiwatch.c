/*
 * roiwatch: the operator's command line. It reads the same configuration and
 * database as the daemon (SQLite WAL lets both work at once).
 *
 *   roiwatch [-c CONFIG] [-S STATE_DIR] check-config [PATH] [--options]
 *   roiwatch [-c CONFIG] [-S STATE_DIR] ingest [--source NAME] [--partial]
 *       [--atomic] FILE...
 *   roiwatch [-c CONFIG] [-S STATE_DIR] kpis CLIENT [--window W]
 *       [--by campaign|channel|client] [--json]
 *   roiwatch [-c CONFIG] [-S STATE_DIR] alerts [--all]
 *   roiwatch [-c CONFIG] [-S STATE_DIR] sources
 *   roiwatch [-c CONFIG] [-S STATE_DIR] test-notify CLIENT RECEIVER
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <event2/event.h>

#include "config.h"
#include "curl-loop.h"
#include "deliver.h"
#include "eval.h"
#include "ingest.h"
#include "kpi.h"
#include "log.h"
#include "measure.h"
#include "money.h"
#include "notice.h"
#include "silence.h"
#include "report-kpis.h"
#include "store.h"
#include "utf8.h"
#include "xmalloc.h"

#define DEFAULT_CONFIG	"/etc/roiwatch/roiwatchd.conf"
#define INGEST_CHUNK_USECS	1000000	/* ingest commits this often, and at
					   once when the daemon waits for the
					   lock (store_waited_for) */
#define EVAL_SLICE_USECS	50000	/* and judges in slices this long */

static const char *config_path = DEFAULT_CONFIG;
static const char *state_override;

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: roiwatch [-c CONFIG] [-S STATE_DIR] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  check-config [PATH] [--options]  validate the configuration and\n"
	    "                                   print a summary (or every option)\n"
	    "  ingest [--source NAME] [--partial] [--atomic] [--date YYYY-MM-DD]\n"
	    "         FILE...\n"
	    "                                   backfill metric files (CSV, JSON,\n"
	    "                                   NDJSON) and evaluate alerts; parse\n"
	    "                                   settings of source NAME, else of the\n"
	    "                                   files source matching each name;\n"
	    "                                   --date: the date of files without a\n"
	    "                                   date column (overrides the source's)\n"
	    "                                   --atomic: one transaction per file\n"
	    "                                   (default: checked whole, then\n"
	    "                                   written in chunks so that the\n"
	    "                                   daemon keeps writing meanwhile)\n"
	    "  kpis CLIENT [--window W] [--by campaign|channel|client] [--json]\n"
	    "                                   KPIs over a calendar window of the\n"
	    "                                   client (default lifetime; 7d,\n"
	    "                                   last_7_days, wtd, mtd, last_month,\n"
	    "                                   data_7d...) per campaign (default),\n"
	    "                                   per channel or in total, with their\n"
	    "                                   coverage; --days N: data_Nd\n"
	    "  alerts [--all]                   alert states that are not ok\n"
	    "  sample CLIENT CAMPAIGN DATE [HOUR]\n"
	    "                                   one stored sample, field by field,\n"
	    "                                   with the input each field came from\n"
	    "  sources                          pull sources: last success,\n"
	    "                                   failures, next fetch\n"
	    "  test-notify CLIENT RECEIVER      send an example alert to one\n"
	    "                                   receiver now and report the result\n"
	    "  backtest CLIENT --from DATE --to DATE [--rule NAME]\n"
	    "                                   replay stored history day by day\n"
	    "                                   through the rules: what would have\n"
	    "                                   fired, resolved or flapped, when\n"
	    "  silence add CLIENT [--campaign NAME] [--rule RULE] --until WHEN\n"
	    "          --reason TEXT            no notices of that scope until WHEN\n"
	    "                                   (30m, 2h, 3d, 1w; YYYY-MM-DD: through\n"
	    "                                   that day; YYYY-MM-DD HH:MM), on the\n"
	    "                                   client's clock, at most 90 days\n"
	    "  silence list [CLIENT] [--all]    active silences (--all: ended too)\n"
	    "  silence remove ID                end a silence now\n"
	    "default CONFIG: %s\n", DEFAULT_CONFIG);
	exit(2);
}

/* Print s left-aligned in width columns, counting UTF-8 characters (amounts
 * such as "3 630,00 €" hold multi-byte spaces and signs), not bytes. */
static void
print_padded(const char *s, int width)
{
	int n = (int)utf8_width(s);

	printf("%s%*s", s, n < width ? width - n : 0, "");
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct config *
load_config(const char *path)
{
	struct config *cfg;
	char *cause = NULL;

	if ((cfg = config_load(path, state_override, &cause)) == NULL) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
		exit(1);
	}
	return cfg;
}

static struct store *
open_store(const struct config *cfg)
{
	struct store *st;
	char *cause = NULL;

	if ((st = store_open_dir(cfg->state_dir, &cause)) == NULL) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		exit(1);
	}
	return st;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct config *cfg;
	const char *path = config_path;
	int i, options = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--options") == 0)
			options = 1;
		else if (argv[i][0] == '-')
			usage();
		else
			path = argv[i];
	}
	if (options) {
		config_print_options(stdout);
		return 0;
	}
	cfg = load_config(path);
	config_print_summary(cfg, stdout);
	printf("configuration OK: %s\n", path);
	config_free(cfg);
	return 0;
}

/* Progress on a terminal: rows so far against the file's line count. */
struct progress {
	const char	*name;
	long		 total;
	double		 start;
};

static void
progress_cb(void *arg, long rows)
{
	struct progress *p = arg;
	int width = 30, filled;
	double pct = p->total > 0 ? (double)rows / (double)p->total : 0;
	char bar[64];

	if (pct > 1)
		pct = 1;
	filled = (int)(pct * width);
	memset(bar, '#', (size_t)filled);
	memset(bar + filled, '.', (size_t)(width - filled));
	bar[width] = '\0';
	fprintf(stderr, "\r%s [%s] %3.0f%% %ld rows (%.0f rows/s)", p->name, bar,
	    pct * 100, rows, rows / (now_mono() - p->start + 1e-9));
}

/* Lines of the file, for the progress bar: read in blocks (a mapping of a
 * file truncated meanwhile would kill us with SIGBUS); 0 when unreadable. */
static long
count_lines(const char *path)
{
	struct stat sb;
	char buf[65536];
	const char *p, *end;
	ssize_t r;
	long n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);	/* a pipe's data is not ours to drain */
		return 0;
	}
	for (;;) {
		if ((r = read(fd, buf, sizeof buf)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		end = buf + r;
		for (p = buf; p < end &&
		    (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			n++;
	}
	close(fd);
	return n > 0 ? n - 1 : 0;	/* header */
}

static int
cmd_ingest(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct store_checkpointer *ckpt;
	struct ingest_batch *b;
	struct ingest_result res;
	struct parse_options popts;
	struct progress prog;
	const struct ingest_subject *subjects;
	const struct source_conf *src = NULL, *fsrc;
	const char *source = NULL, *date = NULL;
	int32_t day;
	size_t nsubjects;
	char *cause = NULL, *report, origin[PATH_MAX + 128];
	double t0, t1, total_secs = 0;
	long total_rows = 0;
	int i, partial = 0, file_partial, failed = 0, files = 0, added, rc;
	int tty = isatty(2), atomic = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--partial") == 0)
			partial = 1;
		else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
			source = argv[++i];
		else if (strcmp(argv[i], "--atomic") == 0)
			atomic = 1;
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			date = argv[++i];
		else
			usage();
	}
	if (i == argc)
		usage();
	if (date != NULL && metric_parse_iso_date(date, strlen(date), &day) != 0) {
		fprintf(stderr, "roiwatch: --date %s: not a date YYYY-MM-DD\n",
		    date);
		return 2;
	}
	cfg = load_config(config_path);
	if (source != NULL && (src = config_source(cfg, source)) == NULL) {
		fprintf(stderr, "roiwatch: no source named '%s' in %s\n", source,
		    config_path);
		config_free(cfg);
		return 1;
	}
	st = open_store(cfg);
	/* Checkpoints in a thread: a commit never copies the WAL into the
	 * database while the daemon waits for its turn. */
	if ((ckpt = store_checkpointer_start(st, &cause)) == NULL) {
		free(cause);
		cause = NULL;
	}
	if (store_set_cache_kib(st, 65536, &cause) != 0) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
		cause = NULL;
	}

	for (; i < argc; i++) {
		fsrc = config_file_settings(cfg, src, argv[i], &popts,
		    &file_partial);
		snprintf(origin, sizeof origin, "roiwatch ingest %s%s%s%s",
		    argv[i], fsrc != NULL ? " (source " : "",
		    fsrc != NULL ? fsrc->name : "", fsrc != NULL ? ")" : "");
		if (date != NULL) {
			popts.date = date;
			popts.date_from_name = NULL;
		}
		memset(&res, 0, sizeof res);
		t0 = now_mono();
		/*
		 * Written in chunks of INGEST_CHUNK_USECS, each committed, cut
		 * short when the daemon waits for the lock, so the daemon
		 * answers webhooks during a backfill; a strict file
		 * is checked whole first (a dry run), so a bad row still
		 * refuses it before anything is written. --atomic: one
		 * transaction (the daemon's writes wait meanwhile).
		 */
		if (!atomic && !(partial || file_partial)) {
			b = ingest_batch_dry();
			rc = ingest_batch_add_file(b, cfg, origin, argv[i],
			    &popts, 0, &res);
			ingest_batch_free(b);
			if (rc != 0) {
				report = ingest_result_report(&res, argv[i]);
				fprintf(stderr, "%s", report);
				free(report);
				ingest_result_clear(&res);
				failed++;
				continue;
			}
			ingest_result_clear(&res);
		}
		if ((b = ingest_batch_begin(st, &cause)) == NULL) {
			fprintf(stderr, "roiwatch: %s: %s\n", argv[i], cause);
			free(cause);
			failed++;
			continue;
		}
		if (!atomic)
			ingest_batch_set_chunk(b, INGEST_CHUNK_USECS);
		if (tty) {
			prog.name = argv[i];
			prog.total = count_lines(argv[i]);
			prog.start = t0;
			ingest_batch_set_progress(b, progress_cb, &prog, 50000);
		}
		if (ingest_batch_add_file(b, cfg, origin, argv[i], &popts,
		    partial || file_partial, &res) != 0 ||
		    ingest_batch_commit(b, &cause) != 0) {
			if (tty)
				fputc('\n', stderr);
			if (res.cause == NULL) {
				res.cause = cause;
				cause = NULL;
			}
			report = ingest_result_report(&res, argv[i]);
			fprintf(stderr, "%s", report);
			free(report);
			ingest_batch_free(b);
			ingest_result_clear(&res);
			failed++;
			continue;
		}
		t1 = now_mono();
		if (tty) {
			/* The last state of the bar: every row read. */
			prog.total = res.rows_accepted + res.rows_rejected;
			progress_cb(&prog, prog.total);
			fputc('\n', stderr);
		}
		subjects = ingest_batch_subjects(b, &nsubjects);
		/* In slices of 50 ms, each its own transaction: the
		 * daemon's writes interleave with a big backfill's. */
		added = eval_subjects(st, cfg, subjects, nsubjects,
		    (int64_t)time(NULL), EVAL_SLICE_USECS, &cause);
		if (added == -1) {
			fprintf(stderr, "roiwatch: %s: evaluation failed: %s\n",
			    argv[i], cause);
			free(cause);
			cause = NULL;
		}
		printf("%s: %ld rows stored, %ld rejected, %zu campaigns, "
		    "%.3f s (%.0f rows/s), %d notice(s) queued\n", argv[i],
		    res.rows_accepted, res.rows_rejected, nsubjects, t1 - t0,
		    res.rows_accepted / (t1 - t0 + 1e-9), added < 0 ? 0 : added);
		if (res.nerrors > 0) {
			report = ingest_result_report(&res, argv[i]);
			fprintf(stderr, "%s", report);
			free(report);
		}
		total_rows += res.rows_accepted;
		total_secs += t1 - t0;
		files++;
		ingest_batch_free(b);
		ingest_result_clear(&res);
	}
	printf("summary: %d file(s) stored, %d refused, %ld rows, %.3f s\n",
	    files, failed, total_rows, total_secs);
	store_checkpointer_stop(ckpt);
	store_free(st);
	config_free(cfg);
	return failed ? 1 : 0;
}

/*
 * The KPIs of a client over one calendar window, by campaign, channel or for
 * the whole client: an aligned table in the client's number format (or the
 * JSON GET /v1/clients/{id}/kpis answers, --json), with the coverage of
 * every KPI that lacks days. Bad options exit 2, an unknown client 1.
 */
static int
cmd_kpis(int argc, char **argv)
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
	int i, as_json = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--window") == 0 && i + 1 < argc)
			window = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			bytext = argv[++i];
		else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			/* Before --window: the last N days of data. */
			snprintf(days, sizeof days, "data_%sd", argv[++i]);
			window = days;
		} else if (strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else if (argv[i][0] == '-' || client != NULL)
			usage();
		else
			client = argv[i];
	}
	if (client == NULL)
		usage();
	if (window_parse(window, &spec, &cause) != 0 || (bytext != NULL &&
	    report_by_parse(bytext, &by, &cause) != 0)) {
		fprintf(stderr, "roiwatch: kpis: %s\n", cause);
		free(cause);
		return 2;
	}
	cfg = load_config(config_path);
	if ((cc = config_client(cfg, client)) == NULL) {
		fprintf(stderr, "roiwatch: client '%s' is not configured\n",
		    client);
		config_free(cfg);
		return 1;
	}
	st = open_store(cfg);
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

static int
cmd_alerts(int argc, char **argv)
{
	struct config *cfg;
	struct alerts_ctx ctx;
	char *cause = NULL;
	int all = 0, rc = 0;

	if (argc == 2 && strcmp(argv[1], "--all") == 0)
		all = 1;
	else if (argc != 1)
		usage();
	cfg = load_config(config_path);
	ctx.cfg = cfg;
	ctx.st = open_store(cfg);
	if (store_foreach_alert(ctx.st, NULL, all, alerts_cb, &ctx,
	    &cause) != 0) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
		rc = 1;
	}
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

static int
cmd_sources(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct store_source_state ss;
	const struct source_conf *src;
	char *cause = NULL, a[64], b[64];
	time_t now = time(NULL);
	size_t i;
	int rc = 0, found;

	(void)argv;
	if (argc != 1)
		usage();
	cfg = load_config(config_path);
	st = open_store(cfg);
	for (i = 0; i < cfg->nsources; i++) {
		src = &cfg->sources[i];
		if (src->type == SOURCE_FILES) {
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
	if (cfg->nsources == 0)
		printf("no sources configured\n");
	store_free(st);
	config_free(cfg);
	return rc;
}

struct test_notify {
	struct event_base	*base;
	int			 done;
	char			*error;
};

static void
test_notify_cb(void *arg, const char *error)
{
	struct test_notify *t = arg;

	t->done = 1;
	t->error = error != NULL ? xstrdup(error) : NULL;
	event_base_loopbreak(t->base);
}

/*
 * Send an example notice (the worked case: revenue 87 000 on a cost of
 * 25 750, ROI 237.86 %) marked as a test to one receiver, through the same
 * delivery code as the daemon but outside the outbox: nothing is stored or
 * retried, and the answer is printed at once.
 */
static int
cmd_test_notify(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	const struct receiver_conf *r;
	struct store *st;
	struct curl_loop *cl;
	struct deliver *d;
	struct notice *n;
	struct notice_event ev;
	struct test_notify t;
	struct timeval limit;
	char *json;
	int rc;

	if (argc != 3)
		usage();
	cfg = load_config(config_path);
	if ((cc = config_client(cfg, argv[1])) == NULL ||
	    (r = config_receiver(cc, argv[2])) == NULL) {
		fprintf(stderr, "roiwatch: %s '%s' is not configured\n",
		    cc == NULL ? "client" : "receiver", cc == NULL ? argv[1] :
		    argv[2]);
		config_free(cfg);
		return 1;
	}
	memset(&ev, 0, sizeof ev);
	snprintf(ev.campaign, sizeof ev.campaign, "roiwatch test-notify");
	snprintf(ev.channel, sizeof ev.channel, "test");
	ev.kind = ALERT_ROI_TARGET;
	ev.action = RULE_GOOD;
	ev.totals.cost = 25750 * MICROS_PER_UNIT;
	ev.totals.revenue = 87000 * MICROS_PER_UNIT;
	ev.totals.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	ev.totals.samples = 1;
	ev.totals.first_day = ev.totals.last_day =
	    (int32_t)(time(NULL) / 86400);
	kpi_totals_assume_complete(&ev.totals);
	ev.window_days = cc->window_days;
	ev.min_roi_ppm = cc->rules.min_roi_ppm;
	ev.target_roi_ppm = cc->rules.target_roi_ppm;
	ev.has_target = cc->rules.has_target;
	ev.min_spend = cc->rules.min_spend;
	n = notice_new(cc->id, cc->name, cc->currency, cc->language,
	    cc->timezone, (int64_t)time(NULL));
	n->test = 1;
	notice_add_event(n, &ev);
	json = notice_to_json(n);
	notice_free(n);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "roiwatch: curl_global_init failed\n");
		return 1;
	}
	st = open_store(cfg);
	memset(&t, 0, sizeof t);
	if ((t.base = event_base_new()) == NULL ||
	    (cl = curl_loop_new(t.base)) == NULL) {
		fprintf(stderr, "roiwatch: cannot start the event loop\n");
		return 1;
	}
	d = deliver_new(t.base, cl, st, cfg);
	deliver_test(d, cc->id, r->name, json, test_notify_cb, &t);
	if (!t.done) {	/* a network receiver: run the loop until it answers */
		limit.tv_sec = (time_t)(r->timeout_secs > 0 ? r->timeout_secs :
		    cfg->delivery_timeout_secs) + 5;
		limit.tv_usec = 0;
		event_base_loopexit(t.base, &limit);
		event_base_dispatch(t.base);
	}
	if (!t.done)
		t.error = xstrdup("no answer in time");
	if (t.error == NULL) {
		printf("test notice sent to %s/%s (%s)\n", cc->id, r->name,
		    config_receiver_type_name(r->type));
		rc = 0;
	} else {
		fprintf(stderr, "roiwatch: test notice to %s/%s failed: %s\n",
		    cc->id, r->name, t.error);
		rc = 1;
	}
	curl_loop_free(cl);
	deliver_free(d);
	event_base_free(t.base);
	store_free(st);
	free(t.error);
	free(json);
	config_free(cfg);
	curl_global_cleanup();
	return rc;
}

/*
 * One stored sample as it was merged: every field with its value and the
 * input (origin, time) that wrote it last, "missing" for a field no input
 * reported -- what an operator asks when a figure looks wrong.
 */
static int
cmd_sample(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	struct store_sample smp;
	const struct store_sample_field *f;
	char *cause = NULL, value[64], when[32], origin[512], *end;
	int32_t day;
	long hour = -1;
	int i, found;
	time_t t;
	struct tm tm;

	if (argc != 4 && argc != 5)
		usage();
	if (metric_parse_iso_date(argv[3], strlen(argv[3]), &day) != 0) {
		fprintf(stderr, "roiwatch: %s: not a date (YYYY-MM-DD)\n",
		    argv[3]);
		return 2;
	}
	if (argc == 5) {
		hour = strtol(argv[4], &end, 10);
		if (*argv[4] == '\0' || *end != '\0' || hour < 0 ||
		    hour > 23) {
			fprintf(stderr, "roiwatch: %s: not an hour (0-23)\n",
			    argv[4]);
			return 2;
		}
	}
	cfg = load_config(config_path);
	if ((cc = config_client(cfg, argv[1])) == NULL) {
		fprintf(stderr, "roiwatch: no client '%s' in the "
		    "configuration\n", argv[1]);
		config_free(cfg);
		return 1;
	}
	st = open_store(cfg);
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
		print_padded(value, 16);
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

static int
cmd_backtest(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct backtest_ctx ctx;
	const char *from_s = NULL, *to_s = NULL, *rule = NULL, *client;
	char *cause = NULL;
	int32_t from, to;
	int i, rc;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	client = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			from_s = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to_s = argv[++i];
		else if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc)
			rule = argv[++i];
		else
			usage();
	}
	if (from_s == NULL || to_s == NULL)
		usage();
	if (metric_parse_iso_date(from_s, strlen(from_s), &from) != 0 ||
	    metric_parse_iso_date(to_s, strlen(to_s), &to) != 0) {
		fprintf(stderr, "roiwatch: backtest: dates are YYYY-MM-DD "
		    "(got \"%s\" and \"%s\")\n", from_s, to_s);
		return 2;
	}
	if (to < from || to - from > 3660) {
		fprintf(stderr, "roiwatch: backtest: --to must be on or after "
		    "--from, at most 3660 days later\n");
		return 2;
	}
	cfg = load_config(config_path);
	memset(&ctx, 0, sizeof ctx);
	if ((ctx.cc = config_client(cfg, client)) == NULL) {
		fprintf(stderr, "roiwatch: backtest: unknown client \"%s\"\n",
		    client);
		config_free(cfg);
		return 1;
	}
	st = open_store(cfg);
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

/*
 * Silences (`roiwatch silence add|list|remove`): kept in the store, matched
 * by the daemon before it notifies. Times are read and shown on the
 * client's clock. Exit 2 when the command line is wrong (usage, a value
 * refused), 1 when it cannot be carried out (a client or silence unknown,
 * the database).
 */
#define SILENCE_SHOW_MAX	(4 * SILENCE_REASON_MAX + 8)	/* escaped */

/* Instant t in UTC, "2026-12-05 23:00 UTC" (seconds when not 0). */
static char *
format_utc(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	strftime(buf, len, tt % 60 != 0 ? "%Y-%m-%d %H:%M:%S UTC" :
	    "%Y-%m-%d %H:%M UTC", gmtime_r(&tt, &tm));
	return buf;
}

/* The zone of a silence's client; NULL (UTC) when it is no longer
 * configured. */
static const struct tz *
silence_zone(const struct config *cfg, const char *client)
{
	const struct client_conf *cc = config_client(cfg, client);

	return cc != NULL ? cc->tz : NULL;
}

static int
silence_add(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	struct silence sil;
	const char *client = NULL, *campaign = NULL, *rule = NULL;
	const char *until = NULL, *reason = NULL;
	char *cause = NULL, local[SILENCE_LOCAL_MAX], utc[32];
	char show[SILENCE_SHOW_MAX];
	int64_t now = (int64_t)time(NULL), id;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--campaign") == 0 && i + 1 < argc)
			campaign = argv[++i];
		else if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc)
			rule = argv[++i];
		else if (strcmp(argv[i], "--until") == 0 && i + 1 < argc)
			until = argv[++i];
		else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (argv[i][0] != '-' && client == NULL)
			client = argv[i];
		else
			usage();
	}
	if (client == NULL || until == NULL || reason == NULL)
		usage();
	cfg = load_config(config_path);
	if ((cc = config_client(cfg, client)) == NULL) {
		fprintf(stderr, "roiwatch: silence add: no client '%s' in the "
		    "configuration\n", log_escape(client, strlen(client), show,
		    sizeof show));
		config_free(cfg);
		return 1;
	}
	memset(&sil, 0, sizeof sil);
	if ((campaign != NULL && silence_check_campaign(campaign,
	    &cause) != 0) ||
	    (rule != NULL && silence_check_rule(rule, &cause) != 0) ||
	    silence_check_reason(reason, &cause) != 0 ||
	    silence_parse_until(until, cc->tz, now, &sil.until, &cause) != 0) {
		fprintf(stderr, "roiwatch: silence add: %s\n", cause);
		free(cause);
		config_free(cfg);
		return 2;
	}
	snprintf(sil.client, sizeof sil.client, "%s", cc->id);
	snprintf(sil.campaign, sizeof sil.campaign, "%s",
	    campaign != NULL ? campaign : "");
	snprintf(sil.rule, sizeof sil.rule, "%s", rule != NULL ? rule : "");
	snprintf(sil.reason, sizeof sil.reason, "%s", reason);
	st = open_store(cfg);
	if ((id = store_silence_add(st, &sil, now, &cause)) == -1) {
		fprintf(stderr, "roiwatch: silence add: %s\n", cause);
		free(cause);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	printf("silence %lld: %s, ", (long long)id, cc->id);
	if (campaign != NULL)
		printf("campaign \"%s\", ", log_escape(campaign,
		    strlen(campaign), show, sizeof show));
	else
		printf("every campaign, ");
	printf("%s%s, until %s (%s), %s\n", rule != NULL ? "rule " : "",
	    rule != NULL ? rule : "every rule",
	    silence_format_local(cc->tz, sil.until, local, sizeof local),
	    cc->timezone, format_utc(sil.until, utc, sizeof utc));
	if (rule != NULL && rules_kind_lookup(rule) == -1)
		fprintf(stderr, "roiwatch: note: this version has no rule "
		    "\"%s\"; the silence covers it if a later one does\n", rule);
	store_free(st);
	config_free(cfg);
	return 0;
}

enum silence_col {
	SC_ID,
	SC_CLIENT,
	SC_CAMPAIGN,
	SC_RULE,
	SC_UNTIL,
	SC_STATE,
	SC_REASON,
	SC__MAX
};

/* Column c of silence sil, escaped (every text came from a user or from
 * the database file). */
static const char *
silence_cell(const struct config *cfg, const struct silence *sil,
    enum silence_col c, int64_t now, char *buf, size_t len)
{
	const char *s;

	switch (c) {
	case SC_ID:
		snprintf(buf, len, "%lld", (long long)sil->id);
		return buf;
	case SC_CLIENT:
		s = sil->client;
		break;
	case SC_CAMPAIGN:
		s = sil->campaign[0] != '\0' ? sil->campaign : "*";
		break;
	case SC_RULE:
		s = sil->rule[0] != '\0' ? sil->rule : "*";
		break;
	case SC_UNTIL:	/* when it ended, for one that did */
		return silence_format_local(silence_zone(cfg, sil->client),
		    silence_end(sil), buf, len);
	case SC_STATE:
		s = silence_active(sil, now) ? "active" : sil->removed != 0 &&
		    sil->removed < sil->until ? "removed" : "expired";
		break;
	case SC_REASON:
	default:
		s = sil->reason;
		break;
	}
	return log_escape(s, strlen(s), buf, len);
}

static int
silence_list(int argc, char **argv)
{
	static const char *heads[SC__MAX] = { "ID", "CLIENT", "CAMPAIGN",
	    "RULE", "UNTIL", "STATE", "REASON" };
	struct config *cfg;
	struct store *st;
	struct silence *list;
	const char *client = NULL;
	char *cause = NULL, cell[SILENCE_SHOW_MAX];
	int64_t now = (int64_t)time(NULL);
	size_t n, i;
	int all = 0, width[SC__MAX], c, w;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (argv[i][0] != '-' && client == NULL)
			client = argv[i];
		else
			usage();
	}
	cfg = load_config(config_path);
	st = open_store(cfg);
	if (store_silence_list(st, client, all, now, &list, &n,
	    &cause) != 0) {
		fprintf(stderr, "roiwatch: silence list: %s\n", cause);
		free(cause);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	if (n == 0)
		printf("no %s\n", all ? "silences" : "active silences");
	for (c = 0; c < SC__MAX; c++)
		width[c] = (int)strlen(heads[c]);
	for (i = 0; i < n; i++) {
		for (c = 0; c < SC_REASON; c++) {
			w = (int)utf8_width(silence_cell(cfg, &list[i], c, now,
			    cell, sizeof cell));
			if (w > width[c])
				width[c] = w;
		}
	}
	for (i = 0; n > 0 && i <= n; i++) {
		for (c = 0; c < SC__MAX; c++) {
			if (c == SC_STATE && !all)
				continue;
			if (c == SC_REASON) {
				printf("%s\n", i == 0 ? heads[c] :
				    silence_cell(cfg, &list[i - 1], c, now,
				    cell, sizeof cell));
				continue;
			}
			print_padded(i == 0 ? heads[c] : silence_cell(cfg,
			    &list[i - 1], c, now, cell, sizeof cell), width[c]);
			printf("  ");
		}
	}
	free(list);
	store_free(st);
	config_free(cfg);
	return 0;
}

static int
silence_remove(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct silence sil;
	char *cause = NULL, *end, local[SILENCE_LOCAL_MAX];
	char show[4 * METRIC_CLIENT_MAX + 8];
	int64_t now = (int64_t)time(NULL);
	long long id;
	int found, removed = 0, rc = 1;

	if (argc != 2)
		usage();
	errno = 0;
	id = strtoll(argv[1], &end, 10);
	if (argv[1][0] < '1' || argv[1][0] > '9' || *end != '\0' ||
	    errno != 0) {
		fprintf(stderr, "roiwatch: silence remove: \"%s\" is not a "
		    "silence id (a number, as `silence list` shows)\n",
		    log_escape(argv[1], strlen(argv[1]), show, sizeof show));
		return 2;
	}
	cfg = load_config(config_path);
	st = open_store(cfg);
	/* One that expires between the two calls is "ended already". */
	if ((found = store_silence_get(st, id, &sil, &cause)) == 1 &&
	    (removed = silence_active(&sil, now) ?
	    store_silence_remove(st, id, now, &cause) : 0) == -1)
		found = -1;
	if (found == -1)
		fprintf(stderr, "roiwatch: silence remove: %s\n", cause);
	else if (found == 0)
		fprintf(stderr, "roiwatch: silence remove: no silence %lld\n",
		    id);
	else if (removed == 0)
		fprintf(stderr, "roiwatch: silence remove: silence %lld "
		    "ended already (%s %s)\n", id, sil.removed != 0 &&
		    sil.removed < sil.until ? "removed" : "expired",
		    silence_format_local(silence_zone(cfg, sil.client),
		    silence_end(&sil), local, sizeof local));
	else {
		printf("silence %lld of %s removed (it was to last until %s)\n",
		    id, log_escape(sil.client, strlen(sil.client), show,
		    sizeof show), silence_format_local(silence_zone(cfg,
		    sil.client), sil.until, local, sizeof local));
		rc = 0;
	}
	free(cause);
	store_free(st);
	config_free(cfg);
	return rc;
}

static int
cmd_silence(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "add") == 0)
		return silence_add(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return silence_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "remove") == 0)
		return silence_remove(argc - 1, argv + 1);
	usage();
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	log_init(0, "roiwatch");
	log_set_quiet(1);
	while ((ch = getopt_long(argc, argv, "+c:S:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'S':
			state_override = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "check-config") == 0)
		return cmd_check_config(argc, argv);
	if (strcmp(argv[0], "ingest") == 0)
		return cmd_ingest(argc, argv);
	if (strcmp(argv[0], "kpis") == 0)
		return cmd_kpis(argc, argv);
	if (strcmp(argv[0], "alerts") == 0)
		return cmd_alerts(argc, argv);
	if (strcmp(argv[0], "sources") == 0)
		return cmd_sources(argc, argv);
	if (strcmp(argv[0], "sample") == 0)
		return cmd_sample(argc, argv);
	if (strcmp(argv[0], "test-notify") == 0)
		return cmd_test_notify(argc, argv);
	if (strcmp(argv[0], "silence") == 0)
		return cmd_silence(argc, argv);
	if (strcmp(argv[0], "backtest") == 0)
		return cmd_backtest(argc, argv);
	usage();
}
