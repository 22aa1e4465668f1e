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

#include "rules.h"

enum receiver_type {
	RECEIVER_FILE,		/* RFC 5322 messages written into a directory */
	RECEIVER_WEBHOOK,	/* generic JSON POST over HTTP(S) */
	RECEIVER_SMTP,		/* e-mail through an SMTP server */
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
	char		*url;		/* webhook: http(s)://; smtp: smtp(s)://host:port */
	char		*secret;	/* webhook: HMAC-SHA256 signing key, from secret_file */
	char		*from;		/* smtp */
	char		**to;		/* smtp (also used in file messages' To:) */
	size_t		 nto;
	enum tls_mode	 starttls;	/* smtp */
	char		*username;	/* smtp login, optional */
	char		*password;	/* smtp, from password_file, never logged */
	int64_t		 timeout_secs;
};

struct client_conf {
	char		*id;		/* [a-z0-9][a-z0-9_.-]*, as in metric rows */
	char		*name;
	char		*currency;	/* ISO 4217, e.g. "EUR" */
	char		*timezone;	/* IANA, e.g. "Europe/Paris" */
	char		*language;	/* "en" or "fr" */
	char		*file;		/* the file it was read from */
	struct rule_params rules;	/* minimum/target ROI, spend, pending, ... */
	int64_t		 window_days;	/* 0: lifetime; N: last N days of data */
	char		*ingest_token;	/* HTTP ingest bearer token, from token_file */
	char		*hmac_secret;	/* optional HTTP ingest signature key */
	struct receiver_conf *receivers;
	size_t		 nreceivers;
};

struct config {
	char		*path;		/* main file */
	char		*state_dir;	/* database, outbox, file receivers */
	char		*inbox_dir;	/* watched directory (done/, failed/ inside) */
	char		*clients_dir;	/* one *.conf per client */
	char		*listen_addr;	/* HTTP listener address, "" disables it */
	int64_t		 listen_port;
	int64_t		 inbox_rescan_secs;
	int64_t		 evaluate_secs;
	int64_t		 retry_initial_secs;
	int64_t		 retry_max_secs;
	int64_t		 retry_give_up_secs;
	int64_t		 delivery_timeout_secs;
	int64_t		 http_max_body_bytes;
	int64_t		 http_max_header_bytes;
	int64_t		 http_max_rows;
	int64_t		 http_idle_timeout_secs;
	int64_t		 http_rate_per_minute;
	struct client_conf *clients;
	size_t		 nclients;
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
/* Human summary for check-config: clients, thresholds in both forms, receivers
 * (secrets shown as "(set)"). */
void		 config_print_summary(const struct config *, FILE *);
/* Every option of every table with type, bounds, default and help. */
void		 config_print_options(FILE *);
const char	*config_receiver_type_name(enum receiver_type);

#endif
