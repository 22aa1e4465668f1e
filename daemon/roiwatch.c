/*
 * roiwatch: the operator's command line. It reads the same configuration and
 * database as the daemon (SQLite WAL lets both work at once). This file holds
 * main, the usage text, what every command shares (cli.h) and check-config;
 * the commands are in cli-*.c:
 *
 *   cli-ingest.c   ingest
 *   cli-report.c   kpis, alerts, sources, sample, backtest
 *   cli-notify.c   test-notify
 *   cli-silence.c  silence add|list|remove
 *   cli-outbox.c   outbox list|show|retry|drop
 *   cli-note.c     annotate, annotations
 *
 * Exit codes: 0 done, 1 could not be carried out (an unknown client or id,
 * the database), 2 a wrong command line (usage on stderr).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "utf8.h"

#define DEFAULT_CONFIG	"/etc/roiwatch/roiwatchd.conf"

const char *cli_config_path = DEFAULT_CONFIG;
const char *cli_state_override;

_Noreturn void
cli_usage(void)
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
	    "  test-notify CLIENT [RECEIVER]    send an example alert now to one\n"
	    "                                   receiver, or to each of the client's\n"
	    "                                   in turn, and report what happened\n"
	    "                                   (exit 1 if any failed)\n"
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
	    "  outbox list [--status S] [--client C] [--receiver R] [--limit N]\n"
	    "              [--json]             notification outbox items, the N\n"
	    "                                   newest (100); S: pending, retrying,\n"
	    "                                   dead, done or all, or a comma list\n"
	    "                                   (default: all but done)\n"
	    "  outbox show ID [--json]          one item, its payload summarised\n"
	    "  outbox retry ID | --dead [--client C]\n"
	    "                                   back to pending, due now (attempts\n"
	    "                                   kept); a done item is refused\n"
	    "  outbox drop ID [--force]         delete a dead or retrying item;\n"
	    "                                   --force: also one due now (only\n"
	    "                                   with the daemon stopped)\n"
	    "  digest CLIENT --preview [--period P] [--format F]\n"
	    "                                   the client's digest on stdout, not\n"
	    "                                   sent: F text, html, page, json,\n"
	    "                                   email, payload or a chat type; P\n"
	    "                                   2026-11, 2026-W47, 2026-11-30,\n"
	    "                                   FROM..TO, yesterday, last-week,\n"
	    "                                   last-month, last-7-days... (default:\n"
	    "                                   the first schedule's latest period)\n"
	    "  digest CLIENT --send-now [--period P] [--receiver R]...\n"
	    "                                   put it into the outbox now (to R, or\n"
	    "                                   the first schedule's receivers)\n"
	    "  annotate CLIENT [--campaign NAME] [--channel NAME] --date DATE\n"
	    "           TEXT...                 note what the agency did that\n"
	    "                                   day (DATE: YYYY-MM-DD on the\n"
	    "                                   client's calendar, today or\n"
	    "                                   yesterday; TEXT: at most 500\n"
	    "                                   characters); prints its id\n"
	    "  annotate CLIENT --remove ID      remove one of the client's notes\n"
	    "  annotations CLIENT [--from DATE] [--to DATE] [--json]\n"
	    "                                   the client's notes, by day\n"
	    "default CONFIG: %s\n", DEFAULT_CONFIG);
	exit(2);
}

/* Print s left-aligned in width columns, counting UTF-8 characters (amounts
 * such as "3 630,00 €" hold multi-byte spaces and signs), not bytes. */
void
cli_print_padded(const char *s, int width)
{
	int n = (int)utf8_width(s);

	printf("%s%*s", s, n < width ? width - n : 0, "");
}

double
cli_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct config *
cli_load_config(const char *path)
{
	struct config *cfg;
	char *cause = NULL;

	if ((cfg = config_load(path, cli_state_override, &cause)) == NULL) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
		exit(1);
	}
	return cfg;
}

struct store *
cli_open_store(const struct config *cfg)
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
	const char *path = cli_config_path;
	int i, options = 0, man = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--options") == 0)
			options = 1;
		else if (strcmp(argv[i], "--man") == 0)
			man = 1;	/* the build makes roiwatch.conf.5 with it */
		else if (argv[i][0] == '-')
			cli_usage();
		else
			path = argv[i];
	}
	if (man) {
		config_print_options_man(stdout);
		return 0;
	}
	if (options) {
		config_print_options(stdout);
		return 0;
	}
	cfg = cli_load_config(path);
	config_print_summary(cfg, stdout);
	printf("configuration OK: %s\n", path);
	config_free(cfg);
	return 0;
}

/* The commands, as tmux's cmd_entry table: a new one is a row. */
static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} cli_commands[] = {
	{ "check-config",	cmd_check_config },
	{ "ingest",		cli_ingest },
	{ "kpis",		cli_kpis },
	{ "alerts",		cli_alerts },
	{ "sources",		cli_sources },
	{ "sample",		cli_sample },
	{ "test-notify",	cli_test_notify },
	{ "silence",		cli_silence },
	{ "backtest",		cli_backtest },
	{ "outbox",		cli_outbox },
	{ "digest",		cli_digest },
	{ "annotate",		cli_annotate },
	{ "annotations",	cli_annotations },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	size_t i;
	int ch;

	log_init(0, "roiwatch");
	log_set_quiet(1);
	while ((ch = getopt_long(argc, argv, "+c:S:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cli_config_path = optarg;
			break;
		case 'S':
			cli_state_override = optarg;
			break;
		default:
			cli_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		cli_usage();
	for (i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
		if (strcmp(argv[0], cli_commands[i].name) == 0)
			return cli_commands[i].fn(argc, argv);
	cli_usage();
}
