/*
 * The operator's command line (roiwatch): what its commands share. main and
 * these helpers are in roiwatch.c, each command family in a cli-*.c file;
 * they belong to the roiwatch program alone, not to the core library.
 *
 * A command gets argv with its own name in argv[0] and returns the exit
 * code: 0 done, 1 could not be carried out (an unknown client or id, the
 * database), 2 a wrong command line (cli_usage() exits 2 itself).
 */
#ifndef ROIWATCH_CLI_H
#define ROIWATCH_CLI_H

#include <stdio.h>

struct client_conf;
struct config;
struct store;

extern const char	*cli_config_path;	/* -c */
extern const char	*cli_state_override;	/* -S */

/* The usage of the command on stderr, exit 2. */
_Noreturn void	 cli_usage(void);
/*
 * Whole numbers on the command line, all parsed here: digits only (a '-'
 * only when min < 0), the whole string, within [min, max]. 0 and *out, or
 * -1: cli_parse_int prints nothing, cli_parse_opt_int says which option of
 * which command refused what (the caller exits 2).
 */
int		 cli_parse_int(const char *s, long long min, long long max,
		    long long *out);
int		 cli_parse_opt_int(const char *cmd, const char *opt,
		    const char *s, long long min, long long max,
		    long long *out);
/* The configured client, or a message naming the command and id and NULL
 * (the caller exits 1). */
const struct client_conf *cli_client(const struct config *, const char *cmd,
		    const char *id);
/* The configuration, or its error on stderr and exit 1. */
struct config	*cli_load_config(const char *path);
/* The database of the configuration's state_dir, or exit 1. */
struct store	*cli_open_store(const struct config *);
/* s left-aligned in width columns, counting UTF-8 characters. */
void		 cli_print_padded(const char *s, int width);
/* Seconds on the monotonic clock. */
double		 cli_now_mono(void);

int	cli_ingest(int, char **);		/* cli-ingest.c */
int	cli_kpis(int, char **);			/* cli-report.c */
int	cli_alerts(int, char **);
int	cli_sources(int, char **);
int	cli_sample(int, char **);
int	cli_backtest(int, char **);
int	cli_test_notify(int, char **);		/* cli-notify.c */
int	cli_silence(int, char **);		/* cli-silence.c */
int	cli_outbox(int, char **);		/* cli-outbox.c */
int	cli_digest(int, char **);		/* cli-digest.c */
void	cli_digest_formats(FILE *);		/* --format's names, a line each */
int	cli_annotate(int, char **);		/* cli-note.c */
int	cli_annotations(int, char **);

#endif
