/*
 * Configuration: a main file plus one file per client in clients_dir, JSON with
 * comments (line and block) allowed. One table per object kind (main, client,
 * receiver) lists every option with its type, bounds, default and help line; the
 * table drives parsing, validation, defaults and `roiwatch check-config`.
 * Errors name the file, the line and the option. Reload parses into a fresh
 * struct config and the caller swaps it in only when config_load() succeeded.
 */
#ifndef ROIWATCH_CONFIG_H
#define ROIWATCH_CONFIG_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "digest-schedule.h"
#include "parse.h"
#include "rules.h"

struct tz;
struct cfg_rule;
struct cfg_clv_src;

/* A channel's CLV inputs (client file "clv"): measure.h's units. */
struct cfg_clv {
	char		*channel;
	struct measure_clv v;
};

enum receiver_type {
	RECEIVER_FILE,		/* RFC 5322 messages written into a directory */
	RECEIVER_WEBHOOK,	/* generic JSON POST over HTTP(S) */
	RECEIVER_SMTP,		/* e-mail through an SMTP server */
	RECEIVER_SENDMAIL,	/* e-mail handed to a local sendmail program */
	/* Chat services: their native formats (chat.h), POSTed like a
	 * webhook, split into several messages when one cannot hold it. */
	RECEIVER_SLACK,
	RECEIVER_TEAMS,
	RECEIVER_DISCORD,
	RECEIVER_MATTERMOST,
	RECEIVER_GOOGLECHAT,
	RECEIVER_TYPE_MAX
};

enum tls_mode {
	TLS_NONE,		/* plain SMTP (loopback relays) */
	TLS_TRY,		/* STARTTLS when offered */
	TLS_REQUIRED,		/* STARTTLS or fail; smtps:// URLs are TLS anyway */
	TLS_MODE_MAX
};

struct receiver_conf {
	char		*name;		/* unique within the client */
	enum receiver_type type;
	char		*dir;		/* file: absolute, or relative to state_dir */
	char		*url;		/* webhook, chat: http(s)://; smtp:
					   smtp(s)://host:port */
	char		*secret;	/* webhook: HMAC-SHA256 signing key, from secret_file */
	char		*from;		/* e-mail: the receiver's, else its client's
					   email_from, else the main file's */
	char		*reply_to;	/* e-mail, likewise; NULL: none */
	char		**to;		/* smtp (also used in file messages' To:) */
	size_t		 nto;
	char		**command;	/* sendmail: argv, no shell */
	size_t		 ncommand;
	enum tls_mode	 starttls;	/* smtp */
	char		*username;	/* smtp login, optional */
	char		*password;	/* smtp, from password_file, never logged */
	int64_t		 timeout_secs;
	char		*ca_file;	/* webhook, smtp: trusted CAs (PEM), or NULL */
	int64_t		 max_in_flight;	/* webhook, smtp: deliveries at once */
	int		 allow_insecure; /* webhook, smtp: without TLS to a host
					   that is not loopback (warned) */
	/* Routing (eval.c, deliver.c): the severities it is sent, as
	 * written and as a set (1 << enum rule_severity; all by default),
	 * and the least time between the starts of two of its deliveries
	 * (default: its type's, cfg_receiver_min_interval_msecs). */
	char		**severities;
	size_t		 nseverities;
	unsigned	 severity_mask;
	int64_t		 min_interval_msecs;
};

/* A scheduled digest of a client (client file "digests",
 * config-digest.c). */
struct digest_conf {
	char		*name;		/* unique within the client; the
					   store's key (store_digest_*) */
	struct digest_schedule sched;
	char		**receivers;	/* names of the client's receivers */
	size_t		 nreceivers;
	int		 line;		/* of its object in the client file */
};

struct client_conf {
	char		*id;		/* [a-z0-9][a-z0-9_.-]*, as in metric rows */
	char		*name;
	char		*currency;	/* ISO 4217, e.g. "EUR" */
	char		*timezone;	/* IANA, e.g. "Europe/Paris" */
	struct tz	*tz;		/* that zone, loaded */
	char		*language;	/* "en" or "fr" */
	char		*email_from;	/* e-mail receivers' default From, */
	char		*reply_to;	/* and Reply-To (or the main file's) */
	char		*file;		/* the file it was read from */
	struct rule_params rules;	/* minimum/target ROI, spend, pending, ... */
	int64_t		 window_days;	/* 0: lifetime; N: last N days of data */
	char		*ingest_token;	/* HTTP ingest bearer token, from token_file */
	char		*hmac_secret;	/* optional HTTP ingest signature key */
	struct receiver_conf *receivers;
	size_t		 nreceivers;
	/* Every rule judged for the client: the shorthand rules of
	 * minimum_roi/target_roi first, then the main file's "rules"
	 * (defaults) and the client's own (config-rules.c). */
	struct rule_def	*ruleset;
	size_t		 nruleset;
	unsigned	 rule_scopes;	/* 1 << enum rule_scope of each */
	int		 rule_calendar;	/* some window follows the calendar:
					   they roll over at local midnight */
	int		 id_line;	/* where id and token_file were set, */
	int		 token_line;	/* for the checks across files */
	/* The client file's "rules" and "clv" as written (config-rules.c
	 * builds ruleset and clv from them with the client's currency). */
	struct cfg_rule	*rule_src;
	size_t		 nrule_src;
	struct cfg_clv_src *clv_src;
	size_t		 nclv_src;
	struct cfg_clv	*clv;		/* CLV inputs by channel */
	size_t		 nclv;
	/* Quiet hours: notices held from quiet_start to quiet_end, local
	 * wall-clock seconds (a span across midnight when end < start). */
	char		*quiet_hours;	/* as written, "" or absent: none */
	int		 has_quiet;
	int32_t		 quiet_start, quiet_end;
	/* Events of the client within this long after the first go out as
	 * one message per receiver (eval_route); 0: each evaluation's at once. */
	int64_t		 group_wait_secs;
	/* Scheduled digests (config-digest.c). */
	struct digest_conf *digests;
	size_t		 ndigests;
};

enum source_type {
	SOURCE_PULL,		/* a URL fetched every interval_secs */
	SOURCE_FILES,		/* options for inbox files matching pattern */
	SOURCE_TYPE_MAX
};

/*
 * A metric source of the main file's "sources" array. Parse settings (format
 * .. max_rows) apply to both types; config_source_parse_options() turns them
 * into a struct parse_options pointing into this struct.
 */
struct source_conf {
	char		*name;		/* unique; the store's key for pull state */
	enum source_type type;
	char		*url;		/* pull: http:// or https:// */
	int64_t		 interval_secs;	/* pull */
	int64_t		 timeout_secs;	/* pull: one fetch, connect included */
	char		**headers;	/* pull: "Name: value" lines of headers_file;
					   may hold API keys: never log them */
	size_t		 nheaders;
	char		*pattern;	/* files: fnmatch glob on the file name */
	int		 format;	/* enum parse_format */
	char		*preset;	/* "generic", "meta_ads", "google_ads" */
	struct parse_column_map *columns; /* header -> field; headers owned */
	size_t		 ncolumns;
	char		*client;	/* fixed client id, or NULL */
	char		*channel;	/* fixed channel, or NULL */
	char		*date_format;	/* strftime-like, or NULL: YYYY-MM-DD */
	int		 delimiter;	/* index: auto , ; tab */
	int		 decimal;	/* index: . , */
	int		 thousands;	/* index: none , . space ' */
	char		*encoding;
	int		 partial;	/* keep valid rows, report the others */
	int64_t		 max_rows;	/* 0: unlimited */
	struct parse_custom_map *custom_kpis; /* header -> KPI name; owned */
	size_t		 ncustom_kpis;
	int		 keep_unknown_numeric; /* other numeric columns too */
	char		*campaign;	/* fixed campaign, or NULL */
	char		*date;		/* fixed "YYYY-MM-DD", or NULL */
	char		*date_from_name; /* files: date format in the name */
	char		**date_formats;	/* accepted formats (or date_format) */
	size_t		 ndate_formats;
	int64_t		 default_year;	/* 0: none */
	char		**date_columns;	/* a date made of these columns */
	size_t		 ndate_columns;
	int		 round;		/* enum money_round */
	struct parse_spread *spread;	/* wide files; headers, names owned */
	size_t		 nspread;
	int		 spread_into;	/* enum metric_field: campaign, channel */
	int64_t		 conversion_value; /* micros per conversion; 0: none */
	struct parse_value_map *values;	/* value -> id; strings owned */
	size_t		 nvalues;
	int		 client_line;	/* where client was set (late check) */
};

struct config {
	char		*path;		/* main file */
	char		*state_dir;	/* database, outbox, file receivers */
	char		*inbox_dir;	/* watched directory (done/, failed/ inside) */
	char		*clients_dir;	/* one *.conf per client */
	char		*listen_addr;	/* HTTP listener address, "" disables it */
	char		*email_from;	/* every client's default From, */
	char		*reply_to;	/* and Reply-To, or NULL */
	int64_t		 listen_port;
	int64_t		 inbox_rescan_secs;
	int64_t		 max_file_bytes;	/* largest input file read */
	int64_t		 evaluate_secs;
	int64_t		 retry_initial_secs;
	int64_t		 retry_max_secs;
	int64_t		 retry_give_up_secs;
	int64_t		 delivery_timeout_secs;
	int64_t		 delivery_max_in_flight;	/* all receivers */
	int64_t		 delivery_max_in_flight_per_client;
	int64_t		 delivery_max_in_flight_per_receiver; /* default */
	int64_t		 outbox_retention_days;
	int64_t		 catchup_max;	/* never-attempted items of one client
					   and receiver folded beyond this
					   (outbox-fold.c); 0: never */
	int64_t		 http_max_body_bytes;
	int64_t		 http_max_header_bytes;
	int64_t		 http_max_rows;
	int64_t		 http_idle_timeout_secs;
	int64_t		 http_rate_per_minute;
	int64_t		 http_max_connections;
	int64_t		 http_max_connections_per_peer;
	int64_t		 http_request_timeout_secs;
	int64_t		 http_max_inflight_bytes;
	struct client_conf *clients;
	size_t		 nclients;
	const struct client_conf **by_id;	/* clients sorted by id */
	struct source_conf *sources;
	size_t		 nsources;
	/* The main file's "rules": defaults of every client, as written. */
	struct cfg_rule	*rules;
	size_t		 nrules;
	/* The agency operator's HTTP bearer token (operator_token_file):
	 * reads and annotates every client, never ingests; NULL: none. */
	char		*operator_token;
};

/*
 * Load and validate the main file at `path` and every client file. Relative paths
 * in the main file are relative to its directory; `state_dir_override` (may be
 * NULL) replaces state_dir (the command line's --state-dir or systemd's
 * $STATE_DIRECTORY). Returns NULL with *cause "FILE:LINE: option: reason".
 */
struct config	*config_load(const char *path, const char *state_dir_override,
		    char **cause);
void		 config_free(struct config *);
const struct client_conf *config_client(const struct config *, const char *id);
const struct receiver_conf *config_receiver(const struct client_conf *,
		    const char *name);
/*
 * Whether the entry `name` of clients_dir is read as a client file (*.conf,
 * no dotfile): 1, or 0 with *why the rule that leaves it out ("client files
 * end in .conf"), for check-config's warning. Pure.
 */
int		 config_client_file_name(const char *name, const char **why);
/* The CLV inputs configured for the client's channel, or NULL. */
const struct measure_clv *config_client_clv(const struct client_conf *,
		    const char *channel);
/* Human summary for check-config: clients, thresholds in both forms, receivers
 * (secrets shown as "(set)"). */
void		 config_print_summary(const struct config *, FILE *);
/* Every option of every table with type, bounds, default and help. */
void		 config_print_options(FILE *);
/* The same tables as the options section of the manual roiwatch.conf(5),
 * in mdoc: roiwatch check-config --options --man. */
void		 config_print_options_man(FILE *);
const char	*config_receiver_type_name(enum receiver_type);
/*
 * Warn (log_warnx) about every receiver that sends without TLS to a host
 * that is not loopback because it says allow_insecure: the daemon calls it
 * at every start and reload. Names the client, the receiver and the host,
 * never the URL (it may hold credentials) nor a secret.
 */
void		 config_warn_insecure(const struct config *);
const char	*config_source_type_name(enum source_type);

const struct source_conf *config_source(const struct config *,
		    const char *name);
/* The first "files" source whose pattern matches the file's name (a directory
 * part is ignored), or NULL: generic defaults apply. */
const struct source_conf *config_file_source(const struct config *,
		    const char *filename);
/*
 * Parse options of a source (NULL: generic defaults, format auto). The
 * pointers in *po point into the source and stay valid while the
 * configuration lives. Returns 0, or -1 when a stored index is out of range.
 */
int		 config_source_parse_options(const struct source_conf *,
		    struct parse_options *po);
/*
 * Settings for ingesting the file at path (inbox, `roiwatch ingest`): those of
 * src when not NULL, else of the files source matching the name, else the
 * generic defaults. Fills *po and *partial; returns the source used or NULL.
 * po->name points at the file name in path (for date_from_name): path must
 * outlive the parse.
 */
const struct source_conf *config_file_settings(const struct config *,
		    const struct source_conf *src, const char *path,
		    struct parse_options *po, int *partial);
/*
 * Parse a headers file: "Name: value" lines; blank lines and lines starting
 * with '#' are skipped, CRLF line ends accepted. Names are HTTP tokens; values
 * must not be empty or hold control characters (no CR/LF injection);
 * If-None-Match and If-Modified-Since are refused (roiwatch sets them).
 * On success *list holds n strings "Name: value" (free each, then the list;
 * they may be secrets: wipe them). Errors name the line, never the value.
 * Pure.
 */
int		 config_parse_headers(const char *text, size_t len,
		    char ***list, size_t *n, char **cause);

#endif
