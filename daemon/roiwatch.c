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
 * Help asked for (--help, -h, help [COMMAND], COMMAND --help) goes to stdout
 * with exit 0; `__complete`, not in the usage, feeds the bash completion
 * (completion/roiwatch.bash) the names the configuration holds.
 */
#include <dirent.h>
#include <errno.h>
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

/* The command a usage error or --help is about (main sets it): its words. */
static const char	*cli_cmd_words[2];

/*
 * The usage text: a header, then each command's lines, a block that starts
 * with two spaces and the command's words, its other lines indented deeper
 * (cli_usage_print picks one command's blocks by that shape).
 */
static const char *
cli_usage_text(void)
{
	return
	    "usage: roiwatch [-c CONFIG] [-S STATE_DIR] COMMAND [ARGS]\n"
	    "       roiwatch --help | --version | help [COMMAND]\n"
	    "       roiwatch COMMAND --help\n"
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
	    "  alerts [CLIENT] [--all] [--json] alert states that are not ok (of\n"
	    "                                   one client); --all: every one\n"
	    "  sample CLIENT CAMPAIGN DATE [HOUR]\n"
	    "                                   one stored sample, field by field,\n"
	    "                                   with the input each field came from\n"
	    "  sources [--json]                 pull sources: last success,\n"
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
	    "default CONFIG: " DEFAULT_CONFIG "\n";
}

/* Whether line (up to its newline) starts the block of command cmd [sub]. */
static int
cli_usage_block_of(const char *line, const char *cmd, const char *sub)
{
	size_t	 n = strlen(cmd);

	if (strncmp(line, "  ", 2) != 0 || strncmp(line + 2, cmd, n) != 0)
		return 0;
	line += 2 + n;
	if (sub != NULL) {
		if (*line != ' ' || strncmp(line + 1, sub, strlen(sub)) != 0)
			return 0;
		line += 1 + strlen(sub);
	}
	return *line == ' ' || *line == '\n';
}

/*
 * The usage of command cmd [sub] on f: the header line and the command's
 * blocks (of "cmd sub" when such blocks exist, else of every "cmd"); the
 * whole text when cmd is NULL. 0, or -1 when no command has that name.
 */
static int
cli_usage_print(FILE *f, const char *cmd, const char *sub)
{
	const char	*text = cli_usage_text(), *line, *nl;
	int		 in = 0, found = 0;

	if (cmd == NULL) {
		fputs(text, f);
		return 0;
	}
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (cli_usage_block_of(line, cmd, sub))
			found = 1;
	}
	if (!found && sub != NULL)
		return cli_usage_print(f, cmd, NULL);
	if (!found)
		return -1;
	nl = strchr(text, '\n');
	fprintf(f, "%.*s\n", (int)(nl - text), text);
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ')
			in = cli_usage_block_of(line, cmd, sub);
		else if (strncmp(line, "   ", 3) != 0)
			in = 0;
		if (in)
			fprintf(f, "%.*s\n", (int)(nl - line), line);
	}
	return 0;
}

/* A wrong command line: the usage of the command (all of it before one is
 * known) on stderr, exit 2. */
_Noreturn void
cli_usage(void)
{
	if (cli_cmd_words[0] == NULL || cli_usage_print(stderr,
	    cli_cmd_words[0], cli_cmd_words[1]) != 0)
		cli_usage_print(stderr, NULL, NULL);
	exit(2);
}

/* --help, -h, help [COMMAND]: asked for, so on stdout, exit 0; an unknown
 * command is a usage error. */
static _Noreturn void
cli_help(const char *cmd, const char *sub)
{
	char	 esc[128];

	if (cli_usage_print(stdout, cmd, sub) != 0) {
		fprintf(stderr, "roiwatch: help: no command '%s'\n",
		    log_escape(cmd, strlen(cmd), esc, sizeof esc));
		cli_usage_print(stderr, NULL, NULL);
		exit(2);
	}
	exit(0);
}

/*
 * The one parser of whole numbers on the command line: decimal digits with
 * no sign, blank or leading '+' (a '-' only when min is negative), nothing
 * after them, within [min, max]. 0 and *out, or -1 (nothing printed).
 */
int
cli_parse_int(const char *s, long long min, long long max, long long *out)
{
	const char	*d = s[0] == '-' && min < 0 ? s + 1 : s;
	char		*end;
	long long	 v;

	if (*d < '0' || *d > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* cli_parse_int, with a message naming the command, the option and the
 * value when it is refused (the caller exits 2). */
int
cli_parse_opt_int(const char *cmd, const char *opt, const char *s,
    long long min, long long max, long long *out)
{
	char	 esc[128];

	if (cli_parse_int(s, min, max, out) == 0)
		return 0;
	fprintf(stderr, "roiwatch: %s: %s \"%s\": not a whole number from "
	    "%lld to %lld\n", cmd, opt, log_escape(s, strlen(s), esc,
	    sizeof esc), min, max);
	return -1;
}

/* The configured client id, or a message and NULL (the caller exits 1). */
const struct client_conf *
cli_client(const struct config *cfg, const char *cmd, const char *id)
{
	const struct client_conf *cc;
	char	 esc[256];

	if ((cc = config_client(cfg, id)) == NULL)
		fprintf(stderr, "roiwatch: %s: client '%s' is not configured "
		    "(check-config lists the clients)\n", cmd,
		    log_escape(id, strlen(id), esc, sizeof esc));
	return cc;
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

/*
 * Warn about every entry of clients_dir that the configuration leaves out
 * for its name (acme.json, acme.conf~, .acme.conf.swp, README): a client
 * file misnamed is otherwise silently not read.
 */
static void
check_config_unread(const struct config *cfg)
{
	DIR		*d;
	struct dirent	*de;
	const char	*why;
	char		 esc[1024];

	if ((d = opendir(cfg->clients_dir)) == NULL)
		return;		/* config_load read it: gone meanwhile */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    config_client_file_name(de->d_name, &why))
			continue;
		fprintf(stderr, "roiwatch: warning: %s/%s: not read: %s\n",
		    cfg->clients_dir, log_escape(de->d_name,
		    strlen(de->d_name), esc, sizeof esc), why);
	}
	closedir(d);
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
	check_config_unread(cfg);
	printf("configuration OK: %s\n", path);
	config_free(cfg);
	return 0;
}

/*
 * `roiwatch __complete WHAT [CLIENT]`, for the shell's completion (not in
 * the usage): clients, receivers (of CLIENT, or every name), sources,
 * formats (of digest --format), one a line. Quiet when the configuration
 * cannot be read: a completion must not print errors into a prompt.
 */
static int
cmd_complete(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	char	*cause = NULL;
	size_t	 i, j, k;

	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "formats") == 0) {
		cli_digest_formats(stdout);
		return 0;
	}
	if ((cfg = config_load(cli_config_path, cli_state_override,
	    &cause)) == NULL) {
		free(cause);
		return 1;
	}
	if (strcmp(argv[1], "clients") == 0)
		for (i = 0; i < cfg->nclients; i++)
			printf("%s\n", cfg->clients[i].id);
	else if (strcmp(argv[1], "sources") == 0)
		for (i = 0; i < cfg->nsources; i++)
			printf("%s\n", cfg->sources[i].name);
	else if (strcmp(argv[1], "receivers") == 0) {
		for (i = 0; i < cfg->nclients; i++) {
			cc = &cfg->clients[i];
			if (argc > 2 && strcmp(argv[2], cc->id) != 0)
				continue;
			for (j = 0; j < cc->nreceivers; j++) {
				/* Each name once, over the clients. */
				for (k = 0; argc <= 2 && k < i; k++)
					if (config_receiver(&cfg->clients[k],
					    cc->receivers[j].name) != NULL)
						break;
				if (argc > 2 || k == i)
					printf("%s\n", cc->receivers[j].name);
			}
		}
	}
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
	{ "__complete",		cmd_complete },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	size_t i;
	int ch, j;
	char esc[128];

	log_init(0, "roiwatch");
	log_set_quiet(1);
	while ((ch = getopt_long(argc, argv, "+c:S:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cli_config_path = optarg;
			break;
		case 'S':
			cli_state_override = optarg;
			break;
		case 'h':
			cli_help(NULL, NULL);
		case 'V':
			printf("roiwatch %s\n", ROIWATCH_VERSION);
			return 0;
		default:
			cli_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		cli_usage();
	if (strcmp(argv[0], "help") == 0)
		cli_help(argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
	/* Usage errors and --help are about this command (and subcommand). */
	cli_cmd_words[0] = argv[0];
	if (argc > 1 && argv[1][0] != '-')
		cli_cmd_words[1] = argv[1];
	/* COMMAND ... --help: before anything is checked; after "--" it is
	 * a note's text. */
	for (j = 1; j < argc && strcmp(argv[j], "--") != 0; j++)
		if (strcmp(argv[j], "--help") == 0 ||
		    strcmp(argv[j], "-h") == 0)
			cli_help(argv[0], cli_cmd_words[1]);
	for (i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
		if (strcmp(argv[0], cli_commands[i].name) == 0)
			return cli_commands[i].fn(argc, argv);
	fprintf(stderr, "roiwatch: no command '%s'\n", log_escape(argv[0],
	    strlen(argv[0]), esc, sizeof esc));
	cli_cmd_words[0] = NULL;
	cli_usage();
}
