/*
 * Configuration loading (include/config.h). Four option tables -- main file,
 * client file, receiver object, source object -- each list every option once
 * with its type,
 * place in the struct, bounds, default (written as JSON, exactly as a user would
 * write it) and help line. One generic walker uses a table to parse an object,
 * apply defaults, check bounds and refuse unknown options; a few cross-option
 * checks follow per object kind. config_print_options() prints the same tables.
 *
 * Files are read with jsonc (JSON with comments) so that every error can name
 * "FILE:LINE: option 'name': reason". Secrets are read from files named in the
 * configuration, never written inline, and never printed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "currency.h"
#include "jsonc.h"
#include "kpi.h"
#include "log.h"
#include "money.h"
#include "parse.h"
#include "tz.h"
#include "xmalloc.h"

#define CONFIG_MAX_FILE		(1024 * 1024)	/* a configuration file */
#define CONFIG_MAX_SECRET	(64 * 1024)	/* a secret file */
#define CONFIG_MAX_HEADERS	64		/* lines of a headers file */
#define CONFIG_MAX_HEADER	4096		/* one header line */

enum opt_type {
	OPT_STRING,	/* text, no control characters */
	OPT_PATH,	/* file name, relative to the main file's directory */
	OPT_INT,	/* integer */
	OPT_DURATION,	/* seconds: 90 or "90s", "15m", "2h", "7d", "1w" */
	OPT_BYTES,	/* 1024 or "1KiB", "8MiB", "1GiB" */
	OPT_BOOL,	/* true or false */
	OPT_MONEY,	/* "100.00" or 100.00 in currency units, kept as micros */
	OPT_ROI,	/* "150%" or "2.5:1", kept as ROI ppm */
	OPT_PERCENT,	/* "5%", kept as ROI ppm */
	OPT_ENUM,	/* one of choices, kept as its index (an enum) */
	OPT_WORD,	/* one of choices, kept as a string */
	OPT_LIST,	/* array of strings: char ** at off, size_t count at aux */
	OPT_SECRET,	/* file name; the file's content is kept */
	OPT_RECEIVERS,	/* array of receiver objects */
	OPT_COLUMNS,	/* object header -> field name: parse_column_map array */
	OPT_HEADERS,	/* file name; its "Name: value" lines are kept */
	OPT_SOURCES,	/* array of source objects */
	OPT_CUSTOM,	/* object header -> KPI name: parse_custom_map array */
	OPT_SPREAD,	/* spread object(s): parse_spread array, into at aux2 */
	OPT_VALUES,	/* {"client": {value: id}, ...}: parse_value_map array */
	OPT_TYPE_MAX
};

static const char *const opt_type_names[OPT_TYPE_MAX] = {
	"string", "path", "integer", "seconds", "bytes", "bool", "money",
	"roi", "percent", "choice", "choice", "string list", "secret file",
	"receivers", "column map", "headers file", "sources", "custom KPI map",
	"spread", "value map",
};

#define OPT_REQUIRED	0x1	/* no default; must be given */
#define OPT_HAS		0x2	/* int at aux is set to 1 when given */
#define OPT_EMPTY	0x4	/* "" is a valid string */

/* Receiver types an option applies to (0: all). */
#define FOR(t)		(1U << (t))
#define FOR_FILE	FOR(RECEIVER_FILE)
#define FOR_WEBHOOK	FOR(RECEIVER_WEBHOOK)
#define FOR_SMTP	FOR(RECEIVER_SMTP)
/* Source types an option applies to. */
#define FOR_PULL	FOR(SOURCE_PULL)
#define FOR_FILES	FOR(SOURCE_FILES)

struct opt {
	const char	*name;
	enum opt_type	 type;
	size_t		 off;
	size_t		 aux;
	int64_t		 min;
	int64_t		 max;
	const char	*def;		/* JSON text of the default, or NULL */
	int		 flags;
	unsigned	 types;
	const char *const *choices;	/* NULL-terminated */
	int		(*check)(const char *, char **);
	const char	*help;
};

struct cfg_ctx {
	const char		*file;	/* as shown in messages */
	const struct jsonc_lines *lines;
	const char		*base;	/* directory of the main file */
	const struct config	*cfg;	/* main settings (client files) */
	char			**cause;
};

static int	check_id(const char *, char **);
static int	check_currency(const char *, char **);
static int	check_timezone(const char *, char **);
static int	check_address(const char *, char **);
static int	check_listen_addr(const char *, char **);
static int	check_url(const char *, char **);
static int	check_pattern(const char *, char **);
static int	check_channel(const char *, char **);
static int	check_campaign(const char *, char **);
static int	check_date(const char *, char **);

static const char *const language_choices[] = { "en", "fr", NULL };
static const char *const receiver_type_choices[] = {
	"file", "webhook", "smtp", NULL
};
static const char *const starttls_choices[] = {
	"no", "try", "required", NULL
};
static const char *const source_type_choices[] = { "pull", "files", NULL };
/* In the order of enum parse_format. */
static const char *const format_choices[] = {
	"auto", "csv", "json", "ndjson", NULL
};
static const char *const preset_choices[] = {
	"generic", "meta_ads", "google_ads", NULL
};
static const char *const encoding_choices[] = {
	"utf-8", "iso-8859-1", "windows-1252", NULL
};
/* Separators as written in the file, and the characters they stand for. */
static const char *const delimiter_choices[] = {
	"auto", ",", ";", "\t", "tab", NULL
};
static const char delimiter_chars[] = { 0, ',', ';', '\t', '\t' };
static const char *const decimal_choices[] = { ".", ",", NULL };
static const char decimal_chars[] = { '.', ',' };
static const char *const thousands_choices[] = {
	"", ",", ".", " ", "'", NULL
};
static const char thousands_chars[] = { 0, ',', '.', ' ', '\'' };
/* In the order of enum money_round. */
static const char *const round_choices[] = { "none", "half_even", NULL };

#define M(f)	offsetof(struct config, f)
#define C(f)	offsetof(struct client_conf, f)
#define R(f)	offsetof(struct receiver_conf, f)
#define S(f)	offsetof(struct source_conf, f)
#define DAY	86400

static const struct opt main_opts[] = {
	{ "state_dir", OPT_PATH, M(state_dir), 0, 0, 0,
	  "\"/var/lib/roiwatch\"", 0, 0, NULL, NULL,
	  "Database, outbox and file receivers' directories (the command"
	  " line's --state-dir or $STATE_DIRECTORY wins)." },
	{ "inbox_dir", OPT_PATH, M(inbox_dir), 0, 0, 0, NULL, 0, 0, NULL, NULL,
	  "Watched directory for CSV/JSON metric files (done/ and failed/"
	  " inside); default <state_dir>/inbox." },
	{ "clients_dir", OPT_PATH, M(clients_dir), 0, 0, 0, "\"clients.d\"",
	  0, 0, NULL, NULL,
	  "Directory of client files: every *.conf, read in name order." },
	{ "listen_addr", OPT_STRING, M(listen_addr), 0, 0, 0, "\"127.0.0.1\"",
	  OPT_EMPTY, 0, NULL, check_listen_addr,
	  "Address of the HTTP listener; \"\" disables it." },
	{ "listen_port", OPT_INT, M(listen_port), 0, 1, 65535, "8470", 0, 0,
	  NULL, NULL, "TCP port of the HTTP listener." },
	{ "inbox_rescan_secs", OPT_DURATION, M(inbox_rescan_secs), 0, 1, 3600,
	  "30", 0, 0, NULL, NULL,
	  "Rescan the inbox this often even without change notifications." },
	{ "max_file_bytes", OPT_BYTES, M(max_file_bytes), 0, 1024,
	  INT64_C(16) * 1024 * 1024 * 1024, "\"256MiB\"", 0, 0, NULL, NULL,
	  "Largest metric file read (inbox, roiwatch ingest); it is read into"
	  " memory whole, a larger one is refused (inbox: moved to failed/)." },
	{ "evaluate_secs", OPT_DURATION, M(evaluate_secs), 0, 1, DAY, "60",
	  0, 0, NULL, NULL,
	  "Re-evaluate every client's rules this often (pending, repeat)." },
	{ "retry_initial_secs", OPT_DURATION, M(retry_initial_secs), 0, 1, 3600,
	  "30", 0, 0, NULL, NULL,
	  "First delay before retrying a failed delivery; doubles each time." },
	{ "retry_max_secs", OPT_DURATION, M(retry_max_secs), 0, 1, DAY, "3600",
	  0, 0, NULL, NULL, "Longest delay between two delivery attempts." },
	{ "retry_give_up_secs", OPT_DURATION, M(retry_give_up_secs), 0, 60,
	  90 * DAY, "604800", 0, 0, NULL, NULL,
	  "Give up on a notification this long after it was queued." },
	{ "outbox_retention_days", OPT_INT, M(outbox_retention_days), 0, 1,
	  3650, "30", 0, 0, NULL, NULL,
	  "Days a delivered or abandoned notification stays in the outbox"
	  " (for the record) before it is deleted; pending ones stay." },
	{ "delivery_timeout_secs", OPT_DURATION, M(delivery_timeout_secs), 0,
	  1, 600, "30", 0, 0, NULL, NULL,
	  "Default time limit of one delivery attempt (receivers may"
	  " override)." },
	{ "delivery_max_in_flight", OPT_INT, M(delivery_max_in_flight), 0, 1,
	  1024, "32", 0, 0, NULL, NULL,
	  "Deliveries (webhook, smtp) in progress at once, all receivers." },
	{ "delivery_max_in_flight_per_client", OPT_INT,
	  M(delivery_max_in_flight_per_client), 0, 1, 1024, "8", 0, 0, NULL,
	  NULL, "Deliveries in progress at once to the receivers of one"
	  " client: a client's slow receivers never hold every slot." },
	{ "delivery_max_in_flight_per_receiver", OPT_INT,
	  M(delivery_max_in_flight_per_receiver), 0, 1, 1024, "4", 0, 0, NULL,
	  NULL, "Deliveries in progress at once to one receiver (receivers"
	  " may override): a receiver that hangs delays only itself." },
	{ "http_max_body_bytes", OPT_BYTES, M(http_max_body_bytes), 0, 1024,
	  256 * 1024 * 1024, "8388608", 0, 0, NULL, NULL,
	  "Largest accepted HTTP request body." },
	{ "http_max_header_bytes", OPT_BYTES, M(http_max_header_bytes), 0,
	  1024, 1024 * 1024, "16384", 0, 0, NULL, NULL,
	  "Largest accepted HTTP request headers." },
	{ "http_max_rows", OPT_INT, M(http_max_rows), 0, 1, 1000000, "10000",
	  0, 0, NULL, NULL, "Most metric rows accepted in one HTTP request." },
	{ "http_idle_timeout_secs", OPT_DURATION, M(http_idle_timeout_secs), 0,
	  1, 3600, "30", 0, 0, NULL, NULL,
	  "Close HTTP connections idle this long." },
	{ "http_rate_per_minute", OPT_INT, M(http_rate_per_minute), 0, 1,
	  1000000, "600", 0, 0, NULL, NULL,
	  "HTTP requests accepted per client token per minute." },
	{ "http_max_connections", OPT_INT, M(http_max_connections), 0, 1,
	  1000000, "512", 0, 0, NULL, NULL,
	  "Most HTTP connections open at once; one more is answered 503"
	  " (Retry-After) and closed." },
	{ "http_max_connections_per_peer", OPT_INT,
	  M(http_max_connections_per_peer), 0, 1, 1000000, "32", 0, 0, NULL,
	  NULL, "Most HTTP connections open at once from one client address;"
	  " one more is answered 503 (Retry-After) and closed." },
	{ "http_request_timeout_secs", OPT_DURATION,
	  M(http_request_timeout_secs), 0, 1, 3600, "30", 0, 0, NULL, NULL,
	  "Time allowed to send a whole request, headers and body, counted"
	  " from the connection (or the previous answer on a kept-alive one);"
	  " a slower client is closed." },
	{ "http_max_inflight_bytes", OPT_BYTES, M(http_max_inflight_bytes), 0,
	  1024, INT64_C(16) * 1024 * 1024 * 1024, "67108864", 0, 0, NULL, NULL,
	  "Most request body bytes announced by admitted requests not yet"
	  " answered, over all connections; beyond it a request is answered"
	  " 503 (Retry-After) before its body is read." },
	{ "sources", OPT_SOURCES, M(sources), M(nsources), 0, 0, NULL, 0, 0,
	  NULL, NULL, "Metric sources: URLs pulled periodically and parse"
	  " settings of inbox files, an array of source objects (options"
	  " below)." },
};

static const struct opt client_opts[] = {
	{ "id", OPT_STRING, C(id), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  check_id, "Client identifier used in metric rows and commands:"
	  " [a-z0-9][a-z0-9_.-]*, at most 63 characters, unique." },
	{ "name", OPT_STRING, C(name), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  NULL, "Client's name as shown in messages." },
	{ "currency", OPT_STRING, C(currency), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  NULL, check_currency, "ISO 4217 code of all the client's amounts,"
	  " e.g. \"EUR\"." },
	{ "timezone", OPT_STRING, C(timezone), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  NULL, check_timezone, "IANA time zone of the client's days and"
	  " digests, e.g. \"Europe/Paris\", or \"UTC\"." },
	{ "language", OPT_WORD, C(language), 0, 0, 0, "\"en\"", 0, 0,
	  language_choices, NULL, "Language of messages and digests." },
	{ "minimum_roi", OPT_ROI, C(rules.min_roi_ppm), 0, 0, 0, NULL,
	  OPT_REQUIRED, 0, NULL, NULL, "Agreed minimum ROI: \"150%\" or as"
	  " revenue per unit of cost \"2.5:1\"; below it an alert fires." },
	{ "target_roi", OPT_ROI, C(rules.target_roi_ppm), C(rules.has_target),
	  0, 0, NULL, OPT_HAS, 0, NULL, NULL, "Optional ROI target (same forms,"
	  " above minimum_roi); reaching it sends good news." },
	{ "minimum_spend", OPT_MONEY, C(rules.min_spend), 0, 0, INT64_MAX,
	  "\"0\"", 0, 0, NULL, NULL, "No judgement of a campaign before it has"
	  " spent this much (currency units, e.g. \"100.00\")." },
	{ "minimum_coverage", OPT_PERCENT, C(rules.min_coverage_ppm), 0, 0,
	  1000000, "\"50%\"", 0, 0, NULL, NULL, "No judgement of a campaign"
	  " unless this share of its window's days have both cost and revenue"
	  " (ROI counts only those), e.g. \"50%\"; \"0%\": any day." },
	{ "window_days", OPT_INT, C(window_days), 0, 0, 3660, "0", 0, 0, NULL,
	  NULL, "Judge ROI over the last N days of data; 0: lifetime." },
	{ "pending_secs", OPT_DURATION, C(rules.pending_secs), 0, 0, 30 * DAY,
	  "0", 0, 0, NULL, NULL, "ROI must stay bad this long before an alert"
	  " fires; 0: at once." },
	{ "hysteresis", OPT_PERCENT, C(rules.hysteresis_ppm), 0, 0,
	  INT64_MAX, "\"0%\"", 0, 0, NULL, NULL, "An alert resolves only once"
	  " ROI is this many points above the minimum, e.g. \"5%\"." },
	{ "repeat_secs", OPT_DURATION, C(rules.repeat_secs), 0, 0, 30 * DAY,
	  "0", 0, 0, NULL, NULL, "Repeat a still-firing alert this often;"
	  " 0: never." },
	{ "token_file", OPT_SECRET, C(ingest_token), 0, 16, CONFIG_MAX_SECRET,
	  NULL, OPT_REQUIRED, 0, NULL, NULL, "File holding the client's HTTP"
	  " ingest bearer token (at least 16 characters)." },
	{ "hmac_secret_file", OPT_SECRET, C(hmac_secret), 0, 16,
	  CONFIG_MAX_SECRET, NULL, 0, 0, NULL, NULL, "Optional file holding"
	  " the key of HMAC-SHA256 signatures required on HTTP ingest." },
	{ "receivers", OPT_RECEIVERS, C(receivers), C(nreceivers), 1, 0, NULL,
	  OPT_REQUIRED, 0, NULL, NULL, "Where alerts and digests go: an array"
	  " of receiver objects (options below)." },
};

static const struct opt receiver_opts[] = {
	{ "name", OPT_STRING, R(name), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  check_id, "Receiver name, unique within the client." },
	{ "type", OPT_ENUM, R(type), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  receiver_type_choices, NULL, "file: messages written into a"
	  " directory; webhook: signed JSON POST; smtp: e-mail." },
	{ "dir", OPT_STRING, R(dir), 0, 0, 0, NULL, 0, FOR_FILE, NULL, NULL,
	  "file: directory of the messages, relative to state_dir (required)." },
	{ "url", OPT_STRING, R(url), 0, 0, 0, NULL, 0, FOR_WEBHOOK | FOR_SMTP,
	  NULL, check_url, "webhook: http:// or https:// URL; smtp:"
	  " smtp://host:port or smtps://host:port (required)." },
	{ "secret_file", OPT_SECRET, R(secret), 0, 16, CONFIG_MAX_SECRET, NULL,
	  0, FOR_WEBHOOK, NULL, NULL, "webhook: file holding the HMAC-SHA256"
	  " signing key (at least 16 characters)." },
	{ "from", OPT_STRING, R(from), 0, 0, 0, NULL, 0, FOR_FILE | FOR_SMTP,
	  NULL, check_address, "Sender address (smtp: required; file: default"
	  " \"roiwatch@localhost\")." },
	{ "to", OPT_LIST, R(to), R(nto), 0, 0, NULL, 0, FOR_FILE | FOR_SMTP,
	  NULL, check_address, "Recipient addresses (smtp: at least one)." },
	{ "starttls", OPT_ENUM, R(starttls), 0, 0, 0, NULL, 0, FOR_SMTP,
	  starttls_choices, NULL, "smtp: STARTTLS policy; default \"required\";"
	  " \"no\" only towards 127.0.0.1/localhost; ignored for smtps://." },
	{ "username", OPT_STRING, R(username), 0, 0, 0, NULL, 0, FOR_SMTP, NULL,
	  NULL, "smtp: login name (with password_file)." },
	{ "password_file", OPT_SECRET, R(password), 0, 1, CONFIG_MAX_SECRET,
	  NULL, 0, FOR_SMTP, NULL, NULL, "smtp: file holding the password." },
	{ "timeout_secs", OPT_DURATION, R(timeout_secs), 0, 1, 600, NULL, 0,
	  FOR_WEBHOOK | FOR_SMTP, NULL, NULL, "Time limit of one delivery"
	  " attempt; default: the main file's delivery_timeout_secs." },
	{ "ca_file", OPT_PATH, R(ca_file), 0, 0, 0, NULL, 0,
	  FOR_WEBHOOK | FOR_SMTP, NULL, NULL, "PEM file of the certificate"
	  " authorities to trust for this receiver (a private CA) instead of"
	  " the system's; verification itself is never turned off." },
	{ "max_in_flight", OPT_INT, R(max_in_flight), 0, 1, 1024, NULL, 0,
	  FOR_WEBHOOK | FOR_SMTP, NULL, NULL, "Deliveries in progress at once"
	  " to this receiver; default: the main file's"
	  " delivery_max_in_flight_per_receiver." },
};

static const struct opt source_opts[] = {
	{ "name", OPT_STRING, S(name), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  check_id, "Source name, unique; pull state is kept under it." },
	{ "type", OPT_ENUM, S(type), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  source_type_choices, NULL, "pull: fetch url every interval_secs;"
	  " files: settings for inbox files whose name matches pattern." },
	{ "url", OPT_STRING, S(url), 0, 0, 0, NULL, 0, FOR_PULL, NULL,
	  check_url, "pull: http:// or https:// URL (required); TLS"
	  " certificates are always verified." },
	{ "interval_secs", OPT_DURATION, S(interval_secs), 0, 10, 7 * DAY,
	  "3600", 0, FOR_PULL, NULL, NULL, "pull: fetch this often; failures"
	  " retry sooner (30 s doubling, at most this interval)." },
	{ "timeout_secs", OPT_DURATION, S(timeout_secs), 0, 1, 600, "30", 0,
	  FOR_PULL, NULL, NULL, "pull: time limit of one fetch." },
	{ "headers_file", OPT_HEADERS, S(headers), S(nheaders), 0, 0, NULL, 0,
	  FOR_PULL, NULL, NULL, "pull: file of \"Name: value\" request header"
	  " lines (API keys live there, never in this file)." },
	{ "pattern", OPT_STRING, S(pattern), 0, 0, 0, NULL, 0, FOR_FILES, NULL,
	  check_pattern, "files: glob on inbox file names, e.g."
	  " \"meta-*.csv\" (required); the first matching source wins." },
	{ "format", OPT_ENUM, S(format), 0, 0, 0, "\"auto\"", 0, 0,
	  format_choices, NULL, "Input format; auto: from the file name or"
	  " Content-Type, else sniffed." },
	{ "preset", OPT_WORD, S(preset), 0, 0, 0, "\"generic\"", 0, 0,
	  preset_choices, NULL, "Column names of a known export." },
	{ "columns", OPT_COLUMNS, S(columns), S(ncolumns), 0, 0, NULL, 0, 0,
	  NULL, NULL, "Extra header -> field mappings, e.g. {\"Spend (EUR)\":"
	  " \"cost\"}; headers mapped to one numeric field are summed." },
	{ "client", OPT_STRING, S(client), 0, 0, 0, NULL, 0, 0, NULL, check_id,
	  "Fixed client id for every row (must be a configured client)." },
	{ "channel", OPT_STRING, S(channel), 0, 0, 0, NULL, 0, 0, NULL,
	  check_channel, "Fixed channel for every row." },
	{ "campaign", OPT_STRING, S(campaign), 0, 0, 0, NULL, 0, 0, NULL,
	  check_campaign, "Fixed campaign for every row (a campaign column is"
	  " then ignored)." },
	{ "date_format", OPT_STRING, S(date_format), 0, 0, 0, NULL, 0, 0, NULL,
	  NULL, "Date format of the input, e.g. \"%d/%m/%Y\"; default"
	  " YYYY-MM-DD. Same as date_formats with one format." },
	{ "date_formats", OPT_LIST, S(date_formats), S(ndate_formats), 0, 0,
	  NULL, 0, 0, NULL, NULL, "Accepted date formats, e.g. [\"%m/%d/%Y\","
	  " \"%d-%m-%Y\"]: %Y %m %d %-m %-d %e %b %B (month names in English"
	  " or French) %H %M %S %z %%. A value two formats read as different"
	  " dates (6/11/2024) refuses its row: never a guess." },
	{ "default_year", OPT_INT, S(default_year), 0, 1, 9999, NULL, 0, 0,
	  NULL, NULL, "Year of dates whose format has no %Y (\"Nov 20\" with"
	  " \"%b %d\")." },
	{ "date_columns", OPT_LIST, S(date_columns), S(ndate_columns), 0, 0,
	  NULL, 0, 0, NULL, NULL, "A date made of several columns, e.g."
	  " [\"Year\", \"Month\", \"Day\"], joined by single spaces and read"
	  " with the date formats (\"%Y %m %d\")." },
	{ "date", OPT_STRING, S(date), 0, 0, 0, NULL, 0, 0, NULL, check_date,
	  "Fixed date YYYY-MM-DD of inputs without a date column (one export"
	  " = one period); an input with a date column is refused. roiwatch"
	  " ingest --date overrides it." },
	{ "date_from_name", OPT_STRING, S(date_from_name), 0, 0, 0, NULL, 0,
	  FOR_FILES, NULL, NULL, "files: date format searched in the file's"
	  " name, e.g. \"%Y-%m-%d\" finds 2026-11-30 in"
	  " \"meta-2026-11-30.csv\"; a name without one is refused. Like"
	  " date, for files without a date column." },
	{ "delimiter", OPT_ENUM, S(delimiter), 0, 0, 0, "\"auto\"", 0, 0,
	  delimiter_choices, NULL, "CSV field separator; auto: detected." },
	{ "decimal", OPT_ENUM, S(decimal), 0, 0, 0, "\".\"", 0, 0,
	  decimal_choices, NULL, "Decimal separator of amounts." },
	{ "thousands", OPT_ENUM, S(thousands), 0, 0, 0, "\"\"", 0, 0,
	  thousands_choices, NULL, "Thousands separator accepted in numbers;"
	  " \"\": none." },
	{ "encoding", OPT_WORD, S(encoding), 0, 0, 0, "\"utf-8\"", 0, 0,
	  encoding_choices, NULL, "Character set of CSV input." },
	{ "partial", OPT_BOOL, S(partial), 0, 0, 0, "false", 0, 0, NULL, NULL,
	  "Keep the valid rows of an input with bad rows (reported) instead"
	  " of refusing it whole." },
	{ "max_rows", OPT_INT, S(max_rows), 0, 0, 100000000, "0", 0, 0, NULL,
	  NULL, "Most rows accepted in one input; 0: unlimited." },
	{ "custom_kpis", OPT_CUSTOM, S(custom_kpis), S(ncustom_kpis), 0, 0,
	  NULL, 0, 0, NULL, NULL, "Columns kept as custom KPIs, header -> name"
	  " ([a-z][a-z0-9_]{0,31}), e.g. {\"Reach\": \"reach\"}; decimals"
	  " allowed, a value that is not a number is a row error." },
	{ "keep_unknown_numeric", OPT_BOOL, S(keep_unknown_numeric), 0, 0, 0,
	  "false", 0, 0, NULL, NULL, "Also keep every column mapped to nothing"
	  " as a custom KPI named after its header (\"Page likes\" ->"
	  " page_likes) where its value is a number." },
	{ "round", OPT_ENUM, S(round), 0, 0, 0, "\"none\"", 0, 0,
	  round_choices, NULL, "Amounts with more than 6 decimals (float"
	  " artefacts such as 1.429999948): none refuses them; half_even"
	  " rounds them to micros, ties to even." },
	{ "spread", OPT_SPREAD, S(spread), S(nspread), 0, 0, NULL, 0, 0, NULL,
	  NULL, "Wide files: {\"field\": \"cost\", \"into\": \"campaign\","
	  " \"columns\": {\"TV spend\": \"TV\", \"Radio spend\": \"Radio\"}}"
	  " (or an array of such objects, one into for all): each column's"
	  " value becomes field of a row whose campaign (or channel) is the"
	  " name given; the row's other values stay under its own campaign."
	  " Into channel, the campaign must come from a column or campaign,"
	  " and a row may hold one channel's values only (one sample per"
	  " campaign and day is kept)." },
	{ "conversion_value", OPT_MONEY, S(conversion_value), 0, 0, INT64_MAX,
	  NULL, 0, 0, NULL, NULL, "Revenue = conversions x this value"
	  " (currency units, e.g. \"45.00\"), for inputs without revenue;"
	  " not with a column mapped to revenue." },
	{ "values", OPT_VALUES, S(values), S(nvalues), 0, 0, NULL, 0, 0, NULL,
	  NULL, "Values replaced by ids, compared trimmed and"
	  " case-insensitively: {\"client\": {\"ACME Corp\": \"acme\"},"
	  " \"channel\": {\"Google Ads\": \"google\"}, \"campaign\": {...}};"
	  " other values are kept as they are." },
};

#define NOPTS(t)	(sizeof (t) / sizeof (t)[0])

static int	cfg_object(struct cfg_ctx *, const struct opt *, size_t,
		    const cJSON *, void *, uint64_t *);
static void	cfg_free_object(const struct opt *, size_t, void *);

/* "FILE:LINE: option 'name': reason", or without the option part. */
static int __attribute__((format(printf, 4, 5)))
cfg_error(struct cfg_ctx *ctx, int line, const char *name, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	if (name != NULL)
		xasprintf(ctx->cause, "%s:%d: option '%s': %s", ctx->file, line,
		    name, msg);
	else
		xasprintf(ctx->cause, "%s:%d: %s", ctx->file, line, msg);
	free(msg);
	return -1;
}

/* Line of a member's key (falling back on its value's line). */
static int
cfg_line(const struct cfg_ctx *ctx, const cJSON *node)
{
	int	line = jsonc_key_line(ctx->lines, node);

	if (line == 0)
		line = jsonc_line(ctx->lines, node);
	return line;
}

static void *
cfg_field(void *base, size_t off)
{
	return (char *)base + off;
}

/*
 * Read a whole regular file of at most max bytes; NUL-terminated. The buffer
 * is sized from the file (a configuration with thousands of clients keeps
 * thousands of small secrets: no buffer of the maximum size each).
 */
static char *
cfg_read_file(const char *path, size_t max, size_t *lenp, char **cause)
{
	struct stat	 st;
	char		*buf;
	size_t		 len = 0, cap;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(cause, "cannot stat %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s is not a regular file", path);
		close(fd);
		return NULL;
	}
	cap = (st.st_size >= 0 && (uint64_t)st.st_size < max ?
	    (size_t)st.st_size : max) + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap && cap < max + 1) {	/* the file grew */
			cap = cap * 2 < max + 1 ? cap * 2 : max + 1;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "cannot read %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			xasprintf(cause, "%s is larger than %zu bytes", path,
			    max);
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;

fail:
	close(fd);
	free(buf);
	return NULL;
}

static char *
cfg_resolve(const char *base, const char *path)
{
	char	*out;

	if (path[0] == '/' || base == NULL)
		return xstrdup(path);
	xasprintf(&out, "%s/%s", base, path);
	return out;
}

static int
cfg_has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/* Levenshtein distance, for "did you mean"; names are short. */
static size_t
cfg_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, prev, tmp, cost;
	size_t	row[64];

	if (lb >= sizeof row / sizeof row[0] || la >= 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			row[j] = prev + cost;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static const struct opt *
cfg_lookup(const struct opt *opts, size_t nopts, const char *name)
{
	size_t	i;

	for (i = 0; i < nopts; i++) {
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	}
	return NULL;
}

static const char *
cfg_suggest(const struct opt *opts, size_t nopts, const char *name)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < nopts; i++) {
		/* "secret" for "secret_file": a prefix of 4 or more. */
		if (strlen(name) >= 4 &&
		    strncmp(opts[i].name, name, strlen(name)) == 0)
			return opts[i].name;
		d = cfg_distance(name, opts[i].name);
		if (d < bestd) {
			bestd = d;
			best = opts[i].name;
		}
	}
	return best;
}

static char *
cfg_choices(const char *const *choices)
{
	char	*out = xstrdup(""), *tmp;
	size_t	 i;

	for (i = 0; choices[i] != NULL; i++) {
		xasprintf(&tmp, "%s%s\"%s\"", out, i == 0 ? "" : ", ",
		    strcmp(choices[i], "\t") == 0 ? "\\t" : choices[i]);
		free(out);
		out = tmp;
	}
	return out;
}

/* Integer from the source text of a number node; no fraction or exponent. */
static int
cfg_parse_integer(const char *s, int64_t *out)
{
	char		*ep;
	long long	 v;

	if (s == NULL || *s == '\0' || strspn(s, "-0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoll(s, &ep, 10);
	if (errno != 0 || *ep != '\0')
		return -1;
	*out = v;
	return 0;
}

/*
 * "90", "90s", "15m", "2h", "7d", "1w" (durations) or "512", "1KiB", "8MiB",
 * "1GiB" (sizes): digits and one unit. Returns -1 on anything else.
 */
static int
cfg_parse_unit(const char *s, int bytes, int64_t *out)
{
	static const struct {
		const char	*unit;
		int64_t		 mult;
		int		 bytes;
	} units[] = {
		{ "", 1, 0 }, { "s", 1, 0 }, { "m", 60, 0 }, { "h", 3600, 0 },
		{ "d", DAY, 0 }, { "w", 7 * DAY, 0 },
		{ "", 1, 1 }, { "B", 1, 1 }, { "KiB", 1024, 1 },
		{ "MiB", 1024 * 1024, 1 }, { "GiB", 1024 * 1024 * 1024, 1 },
	};
	const char	*p = s;
	int64_t		 v = 0;
	size_t		 i;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (*p == ' ')
		p++;
	for (i = 0; i < NOPTS(units); i++) {
		if (units[i].bytes != bytes || strcmp(p, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].mult)
			return -1;
		*out = v * units[i].mult;
		return 0;
	}
	return -1;
}

static int
cfg_bounds(struct cfg_ctx *ctx, const struct opt *o, int line, int64_t v)
{
	if (o->max == INT64_MAX) {
		if (v < o->min)
			return cfg_error(ctx, line, o->name,
			    "must be at least %" PRId64, o->min);
		return 0;
	}
	if (v < o->min || v > o->max) {
		return cfg_error(ctx, line, o->name, "%" PRId64 " is out of"
		    " bounds (%" PRId64 "..%" PRId64 ")", v, o->min, o->max);
	}
	return 0;
}

/* Content of a secret file: trailing newline stripped, length checked. */
static int
cfg_secret(struct cfg_ctx *ctx, const struct opt *o, int line,
    const char *path, char **out)
{
	char	*full, *buf, *why = NULL;
	size_t	 len;

	full = cfg_resolve(ctx->base, path);
	buf = cfg_read_file(full, CONFIG_MAX_SECRET, &len, &why);
	free(full);
	if (buf == NULL) {
		cfg_error(ctx, line, o->name, "%s", why);
		free(why);
		return -1;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (memchr(buf, '\0', len) != NULL || cfg_has_control(buf)) {
		explicit_bzero(buf, len);
		free(buf);
		return cfg_error(ctx, line, o->name, "%s: secret contains"
		    " control characters or several lines", path);
	}
	if ((int64_t)len < o->min) {
		explicit_bzero(buf, len);
		free(buf);
		return cfg_error(ctx, line, o->name, "%s: secret is %zu"
		    " characters long, need at least %" PRId64, path, len,
		    o->min);
	}
	*out = buf;
	return 0;
}

static int	cfg_receivers(struct cfg_ctx *, const struct opt *,
		    const cJSON *, struct client_conf *);
static int	cfg_columns(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);
static int	cfg_headers(struct cfg_ctx *, const struct opt *, int,
		    const cJSON *, void *);
static int	cfg_custom_kpis(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);
static int	cfg_sources(struct cfg_ctx *, const struct opt *,
		    const cJSON *, struct config *);
static int	cfg_spread(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);
static int	cfg_values(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);

/*
 * Convert one value (from the file, or a default parsed from the table) and
 * store it. `lines` is the line table of the tree v belongs to.
 */
static int
cfg_value(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    const struct jsonc_lines *lines, int line, void *base)
{
	void		*dst = cfg_field(base, o->off);
	const cJSON	*e;
	const char	*s, *why;
	char		*err = NULL, **list, *tmp;
	int64_t		 iv;
	size_t		 n, i;

	switch (o->type) {
	case OPT_STRING:
	case OPT_PATH:
	case OPT_WORD:
	case OPT_SECRET:
		if (!cJSON_IsString(v))
			return cfg_error(ctx, line, o->name, "must be a string");
		s = v->valuestring;
		if (cfg_has_control(s))
			return cfg_error(ctx, line, o->name, "control characters"
			    " (CR, LF, tab...) are not allowed");
		if (*s == '\0' && !(o->flags & OPT_EMPTY))
			return cfg_error(ctx, line, o->name, "must not be"
			    " empty");
		if (o->type == OPT_WORD) {
			for (i = 0; o->choices[i] != NULL; i++) {
				if (strcmp(s, o->choices[i]) == 0)
					break;
			}
			if (o->choices[i] == NULL)
				goto bad_choice;
		}
		if (o->check != NULL && o->check(s, &err) != 0) {
			cfg_error(ctx, line, o->name, "%s", err);
			free(err);
			return -1;
		}
		if (o->type == OPT_SECRET)
			return cfg_secret(ctx, o, line, s, dst);
		if (o->type == OPT_PATH)
			*(char **)dst = cfg_resolve(ctx->base, s);
		else
			*(char **)dst = xstrdup(s);
		return 0;
	case OPT_ENUM:
		if (!cJSON_IsString(v))
			goto bad_choice;
		for (i = 0; o->choices[i] != NULL; i++) {
			if (strcmp(v->valuestring, o->choices[i]) == 0) {
				*(int *)dst = (int)i;
				return 0;
			}
		}
		goto bad_choice;
	case OPT_INT:
	case OPT_DURATION:
	case OPT_BYTES:
		if (cJSON_IsNumber(v)) {
			if (cfg_parse_integer(jsonc_number_text(lines, v),
			    &iv) != 0)
				return cfg_error(ctx, line, o->name, "%s is not"
				    " a whole number",
				    jsonc_number_text(lines, v));
		} else if (cJSON_IsString(v) && o->type != OPT_INT) {
			if (cfg_parse_unit(v->valuestring,
			    o->type == OPT_BYTES, &iv) != 0)
				return cfg_error(ctx, line, o->name, "\"%s\" is"
				    " not a %s", v->valuestring,
				    o->type == OPT_BYTES ? "size (e.g. 16384,"
				    " \"64KiB\", \"8MiB\")" : "duration (e.g."
				    " 90, \"90s\", \"15m\", \"2h\", \"7d\")");
		} else
			return cfg_error(ctx, line, o->name, "must be %s",
			    o->type == OPT_INT ? "an integer" :
			    "a number or a string with a unit");
		if (cfg_bounds(ctx, o, line, iv) != 0)
			return -1;
		*(int64_t *)dst = iv;
		return 0;
	case OPT_BOOL:
		if (!cJSON_IsBool(v))
			return cfg_error(ctx, line, o->name, "must be true or"
			    " false");
		*(int *)dst = cJSON_IsTrue(v);
		return 0;
	case OPT_MONEY:
		if (cJSON_IsNumber(v))
			s = jsonc_number_text(lines, v);
		else if (cJSON_IsString(v))
			s = v->valuestring;
		else
			return cfg_error(ctx, line, o->name, "must be an amount"
			    " such as \"100.00\"");
		if (s == NULL || money_parse(s, strlen(s), '.', 0, &iv,
		    &why) != 0)
			return cfg_error(ctx, line, o->name, "\"%s\": %s",
			    s != NULL ? s : "", s != NULL ? why : "bad amount");
		if (iv < o->min)
			return cfg_error(ctx, line, o->name, "must not be"
			    " negative");
		*(int64_t *)dst = iv;
		return 0;
	case OPT_ROI:
	case OPT_PERCENT:
		if (!cJSON_IsString(v)) {
			return cfg_error(ctx, line, o->name, "must be a string"
			    " such as %s", o->type == OPT_ROI ?
			    "\"150%\" or \"2.5:1\"" : "\"5%\"");
		}
		s = v->valuestring;
		n = strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (o->type == OPT_PERCENT && (n == 0 || s[n - 1] != '%'))
			return cfg_error(ctx, line, o->name, "\"%s\" must be a"
			    " percentage such as \"5%%\"", s);
		if (kpi_parse_roi_threshold(s, &iv, &err) != 0) {
			cfg_error(ctx, line, o->name, "%s", err);
			free(err);
			return -1;
		}
		if (o->type == OPT_PERCENT && iv < o->min)
			return cfg_error(ctx, line, o->name, "must not be"
			    " negative");
		if (o->type == OPT_PERCENT && iv > o->max)
			return cfg_error(ctx, line, o->name, "must not be"
			    " above %" PRId64 "%%", o->max / 10000);
		*(int64_t *)dst = iv;
		if (o->flags & OPT_HAS)
			*(int *)cfg_field(base, o->aux) = 1;
		return 0;
	case OPT_LIST:
		if (!cJSON_IsArray(v))
			return cfg_error(ctx, line, o->name, "must be an array"
			    " of strings");
		n = (size_t)cJSON_GetArraySize(v);
		list = xcalloc(n + 1, sizeof *list);
		i = 0;
		cJSON_ArrayForEach(e, v) {
			line = jsonc_line(lines, e);
			if (!cJSON_IsString(e)) {
				cfg_error(ctx, line, o->name, "element %zu must"
				    " be a string", i + 1);
				goto bad_list;
			}
			if (cfg_has_control(e->valuestring)) {
				cfg_error(ctx, line, o->name, "element %zu:"
				    " control characters (CR, LF, tab...) are"
				    " not allowed", i + 1);
				goto bad_list;
			}
			if (o->check != NULL &&
			    o->check(e->valuestring, &err) != 0) {
				cfg_error(ctx, line, o->name, "%s", err);
				free(err);
				goto bad_list;
			}
			list[i++] = xstrdup(e->valuestring);
		}
		*(char ***)dst = list;
		*(size_t *)cfg_field(base, o->aux) = i;
		return 0;
	bad_list:
		while (i > 0)
			free(list[--i]);
		free(list);
		return -1;
	case OPT_RECEIVERS:
		return cfg_receivers(ctx, o, v, base);
	case OPT_COLUMNS:
		return cfg_columns(ctx, o, v, line, base);
	case OPT_HEADERS:
		return cfg_headers(ctx, o, line, v, base);
	case OPT_SOURCES:
		return cfg_sources(ctx, o, v, base);
	case OPT_CUSTOM:
		return cfg_custom_kpis(ctx, o, v, line, base);
	case OPT_SPREAD:
		return cfg_spread(ctx, o, v, line, base);
	case OPT_VALUES:
		return cfg_values(ctx, o, v, line, base);
	case OPT_TYPE_MAX:
		break;
	}
	fatalx("%s: bad option type %d", __func__, o->type);

bad_choice:
	tmp = cfg_choices(o->choices);
	cfg_error(ctx, line, o->name, "must be one of %s", tmp);
	free(tmp);
	return -1;
}

/*
 * Walk one JSON object with an option table: refuse unknown members, convert
 * the given ones, then apply defaults and report missing required options at
 * the object's opening line. *seenp gets a bit per option given in the file.
 */
static int
cfg_object(struct cfg_ctx *ctx, const struct opt *opts, size_t nopts,
    const cJSON *obj, void *base, uint64_t *seenp)
{
	const struct opt	*o;
	const cJSON		*m;
	const char		*hint;
	struct jsonc_lines	*dlines;
	cJSON			*def;
	uint64_t		 seen = 0;
	size_t			 i;
	char			*why;
	int			 r;

	if (nopts > 64)
		fatalx("%s: table too large", __func__);
	cJSON_ArrayForEach(m, obj) {
		if ((o = cfg_lookup(opts, nopts, m->string)) == NULL) {
			hint = cfg_suggest(opts, nopts, m->string);
			if (hint != NULL)
				return cfg_error(ctx, cfg_line(ctx, m), m->string,
				    "unknown option (did you mean '%s'?)", hint);
			return cfg_error(ctx, cfg_line(ctx, m), m->string,
			    "unknown option");
		}
		if (cfg_value(ctx, o, m, ctx->lines, cfg_line(ctx, m), base) !=
		    0)
			return -1;
		seen |= 1ULL << (o - opts);
	}
	for (i = 0; i < nopts; i++) {
		o = &opts[i];
		if (seen & (1ULL << i))
			continue;
		if (o->flags & OPT_REQUIRED)
			return cfg_error(ctx, jsonc_line(ctx->lines, obj),
			    o->name, "missing (required)");
		if (o->def == NULL)
			continue;
		def = jsonc_parse(o->def, strlen(o->def), &dlines, &why);
		if (def == NULL)
			fatalx("default of %s: %s", o->name, why);
		r = cfg_value(ctx, o, def, dlines, jsonc_line(ctx->lines, obj),
		    base);
		cJSON_Delete(def);
		jsonc_lines_free(dlines);
		if (r != 0)
			return -1;
	}
	*seenp = seen;
	return 0;
}

static void
cfg_free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
cfg_free_receiver(struct receiver_conf *r)
{
	cfg_free_object(receiver_opts, NOPTS(receiver_opts), r);
}

static void
cfg_free_source(struct source_conf *src)
{
	cfg_free_object(source_opts, NOPTS(source_opts), src);
}

/* Free every allocated field a table describes. */
static void
cfg_free_object(const struct opt *opts, size_t nopts, void *base)
{
	const struct opt	*o;
	struct receiver_conf	*rs;
	struct source_conf	*ss;
	struct parse_column_map	*cm;
	struct parse_custom_map	*km;
	struct parse_spread	*sp;
	struct parse_value_map	*vm;
	char			**list;
	size_t			 i, j, n;

	for (i = 0; i < nopts; i++) {
		o = &opts[i];
		switch (o->type) {
		case OPT_STRING:
		case OPT_PATH:
		case OPT_WORD:
			free(*(char **)cfg_field(base, o->off));
			break;
		case OPT_SECRET:
			cfg_free_secret(*(char **)cfg_field(base, o->off));
			break;
		case OPT_LIST:
		case OPT_HEADERS:	/* header lines may hold API keys */
			list = *(char ***)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; list != NULL && j < n; j++) {
				if (o->type == OPT_HEADERS)
					cfg_free_secret(list[j]);
				else
					free(list[j]);
			}
			free(list);
			break;
		case OPT_RECEIVERS:
			rs = *(struct receiver_conf **)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; rs != NULL && j < n; j++)
				cfg_free_receiver(&rs[j]);
			free(rs);
			break;
		case OPT_COLUMNS:
			cm = *(struct parse_column_map **)cfg_field(base,
			    o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; cm != NULL && j < n; j++)
				free((char *)cm[j].header);
			free(cm);
			break;
		case OPT_CUSTOM:
			km = *(struct parse_custom_map **)cfg_field(base,
			    o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; km != NULL && j < n; j++) {
				free((char *)km[j].header);
				free((char *)km[j].name);
			}
			free(km);
			break;
		case OPT_SPREAD:
			sp = *(struct parse_spread **)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; sp != NULL && j < n; j++) {
				free((char *)sp[j].header);
				free((char *)sp[j].name);
			}
			free(sp);
			break;
		case OPT_VALUES:
			vm = *(struct parse_value_map **)cfg_field(base,
			    o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; vm != NULL && j < n; j++) {
				free((char *)vm[j].from);
				free((char *)vm[j].to);
			}
			free(vm);
			break;
		case OPT_SOURCES:
			ss = *(struct source_conf **)cfg_field(base, o->off);
			n = *(size_t *)cfg_field(base, o->aux);
			for (j = 0; ss != NULL && j < n; j++)
				cfg_free_source(&ss[j]);
			free(ss);
			break;
		default:
			break;
		}
	}
}

/* Line of a member named `name` in obj, or obj's own line. */
static int
cfg_member_line(const struct cfg_ctx *ctx, const cJSON *obj, const char *name)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(obj, name);

	return m != NULL ? cfg_line(ctx, m) : jsonc_line(ctx->lines, obj);
}

/* Host part of a URL ("host", "[::1]"), copied into buf. */
static void
cfg_url_host(const char *url, char *buf, size_t len)
{
	const char	*p, *end, *at;
	size_t		 n;

	p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if (*p == '[')
		n = strcspn(p, "]") + (p[strcspn(p, "]")] == ']');
	else
		n = strcspn(p, ":/?#");
	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

static int
cfg_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    strncmp(host, "127.", 4) == 0;
}

/* Cross-option checks of one receiver, by type, and computed defaults. */
static int
cfg_receiver_check(struct cfg_ctx *ctx, const cJSON *obj, void *elem,
    uint64_t seen)
{
	struct receiver_conf	*r = elem;
	const struct opt	*o;
	const char		*tname = config_receiver_type_name(r->type);
	char			 host[256];
	size_t			 i;
	int			 line = jsonc_line(ctx->lines, obj);
	int			 smtps = 0;

	for (i = 0; i < NOPTS(receiver_opts); i++) {
		o = &receiver_opts[i];
		if ((seen & (1ULL << i)) && o->types != 0 &&
		    !(o->types & FOR(r->type)))
			return cfg_error(ctx, cfg_member_line(ctx, obj, o->name),
			    o->name, "not used by %s receivers",
			    tname);
	}
	if (r->ca_file != NULL && access(r->ca_file, R_OK) != 0)
		return cfg_error(ctx, cfg_member_line(ctx, obj, "ca_file"),
		    "ca_file", "cannot read %s: %s", r->ca_file,
		    strerror(errno));
	if (r->type == RECEIVER_FILE && r->from == NULL)
		r->from = xstrdup("roiwatch@localhost");
	if (r->timeout_secs == 0)
		r->timeout_secs = ctx->cfg->delivery_timeout_secs;
	if (r->max_in_flight == 0)
		r->max_in_flight = ctx->cfg->delivery_max_in_flight_per_receiver;

	switch (r->type) {
	case RECEIVER_FILE:
		if (r->dir == NULL)
			return cfg_error(ctx, line, "dir", "missing (required"
			    " for file receivers)");
		break;
	case RECEIVER_WEBHOOK:
		if (r->url == NULL)
			return cfg_error(ctx, line, "url", "missing (required"
			    " for webhook receivers)");
		if (strncmp(r->url, "http://", 7) != 0 &&
		    strncmp(r->url, "https://", 8) != 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "url"),
			    "url", "webhook URLs start with http:// or"
			    " https://");
		break;
	case RECEIVER_SMTP:
		if (r->url == NULL)
			return cfg_error(ctx, line, "url", "missing (required"
			    " for smtp receivers)");
		if (strncmp(r->url, "smtps://", 8) == 0)
			smtps = 1;
		else if (strncmp(r->url, "smtp://", 7) != 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "url"),
			    "url", "smtp URLs start with smtp:// or smtps://");
		if (r->from == NULL)
			return cfg_error(ctx, line, "from", "missing (required"
			    " for smtp receivers)");
		if (r->nto == 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "to"),
			    "to", "at least one recipient is required for"
			    " smtp receivers");
		if (!cJSON_HasObjectItem(obj, "starttls"))
			r->starttls = TLS_REQUIRED;
		else if (smtps && r->starttls != TLS_REQUIRED)
			return cfg_error(ctx,
			    cfg_member_line(ctx, obj, "starttls"), "starttls",
			    "smtps:// is always TLS; remove this option");
		cfg_url_host(r->url, host, sizeof host);
		if (r->starttls == TLS_NONE && !cfg_loopback(host))
			return cfg_error(ctx,
			    cfg_member_line(ctx, obj, "starttls"), "starttls",
			    "\"no\" is only allowed towards 127.0.0.1 or"
			    " localhost, not %s", host);
		if ((r->username == NULL) != (r->password == NULL))
			return cfg_error(ctx, line, r->username == NULL ?
			    "username" : "password_file", "username and"
			    " password_file go together");
		break;
	case RECEIVER_TYPE_MAX:
		break;
	}
	return 0;
}

/*
 * How an array of named objects is read: receivers of a client, sources of
 * the main file. Elements are `size` bytes and start with their char *name.
 */
struct cfg_array_kind {
	const char		*what;		/* "receiver", "source" */
	const struct opt	*opts;
	size_t			 nopts;
	size_t			 size;
	int			(*check)(struct cfg_ctx *, const cJSON *, void *,
				    uint64_t);
};

/*
 * Read the array v of objects into *itemsp (NULL-name terminated, caller
 * frees through the config) with *np elements: each object through the kind's
 * option table, names unique, then the kind's cross-option check. *itemsp and
 * *np are set even on failure, so that what was read is freed.
 */
static int
cfg_named_objects(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    const struct cfg_array_kind *k, char **itemsp, size_t *np)
{
	const cJSON	*e;
	char		*items, *elem, *name;
	uint64_t	 seen = 0;
	size_t		 n, i;
	int		 line = cfg_line(ctx, v);

	*itemsp = NULL;
	*np = 0;
	if (!cJSON_IsArray(v))
		return cfg_error(ctx, line, o->name, "must be an array of"
		    " %s objects", k->what);
	n = (size_t)cJSON_GetArraySize(v);
	if (n < (size_t)o->min)
		return cfg_error(ctx, line, o->name, "at least one %s"
		    " is required", k->what);
	items = *itemsp = xcalloc(n + 1, k->size);
	cJSON_ArrayForEach(e, v) {
		line = jsonc_line(ctx->lines, e);
		if (!cJSON_IsObject(e))
			return cfg_error(ctx, line, o->name, "element %zu must"
			    " be an object", *np + 1);
		elem = items + (*np)++ * k->size;
		if (cfg_object(ctx, k->opts, k->nopts, e, elem, &seen) != 0)
			return -1;
		memcpy(&name, elem, sizeof name);
		for (i = 0; i + 1 < *np; i++) {
			char *other;

			memcpy(&other, items + i * k->size, sizeof other);
			if (strcmp(other, name) == 0)
				return cfg_error(ctx,
				    cfg_member_line(ctx, e, "name"), "name",
				    "%s '%s' is defined twice", k->what, name);
		}
		if (k->check(ctx, e, elem, seen) != 0)
			return -1;
	}
	return 0;
}

/* The receivers array of a client: objects, at least one, unique names. */
static int
cfg_receivers(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    struct client_conf *c)
{
	static const struct cfg_array_kind kind = { "receiver", receiver_opts,
	    NOPTS(receiver_opts), sizeof(struct receiver_conf),
	    cfg_receiver_check };
	char	*items;
	int	 rc;

	rc = cfg_named_objects(ctx, o, v, &kind, &items, &c->nreceivers);
	c->receivers = (struct receiver_conf *)(void *)items;
	return rc;
}

/*
 * A "columns" object: header -> canonical field name. Several headers may
 * feed one numeric field (they are summed); a text field (client, campaign,
 * channel, date) takes one column only.
 */
static int
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
static int
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
static int
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
static int
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
			if (f == MF_CLIENT && check_id(e->valuestring,
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
static int
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

	for (i = 0; i < NOPTS(source_opts); i++) {
		o = &source_opts[i];
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
	if (thousands_chars[src->thousands] == decimal_chars[src->decimal])
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
static int
cfg_sources(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    struct config *cfg)
{
	static const struct cfg_array_kind kind = { "source", source_opts,
	    NOPTS(source_opts), sizeof(struct source_conf), cfg_source_check };
	char	*items;
	int	 rc;

	rc = cfg_named_objects(ctx, o, v, &kind, &items, &cfg->nsources);
	cfg->sources = (struct source_conf *)(void *)items;
	return rc;
}

/* A file name glob: no directory part. */
static int
check_pattern(const char *s, char **why)
{
	if (strchr(s, '/') == NULL)
		return 0;
	xasprintf(why, "\"%s\": a pattern matches file names, without '/'", s);
	return -1;
}

static int
check_channel(const char *s, char **why)
{
	if (strlen(s) < METRIC_CHANNEL_MAX)
		return 0;
	xasprintf(why, "longer than %d characters", METRIC_CHANNEL_MAX - 1);
	return -1;
}

static int
check_campaign(const char *s, char **why)
{
	if (strlen(s) < METRIC_CAMPAIGN_MAX)
		return 0;
	xasprintf(why, "longer than %d bytes", METRIC_CAMPAIGN_MAX - 1);
	return -1;
}

static int
check_date(const char *s, char **why)
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
	return source_type_choices[type];
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
	    (size_t)src->delimiter >= sizeof delimiter_chars ||
	    src->decimal < 0 || (size_t)src->decimal >= sizeof decimal_chars ||
	    src->thousands < 0 ||
	    (size_t)src->thousands >= sizeof thousands_chars)
		return -1;
	po->format = (enum parse_format)src->format;
	po->preset = src->preset;
	po->columns = src->columns;
	po->ncolumns = src->ncolumns;
	po->fixed_client = src->client;
	po->fixed_channel = src->channel;
	po->date_format = src->date_format;
	po->delimiter = delimiter_chars[src->delimiter];
	po->decimal = decimal_chars[src->decimal];
	po->thousands = thousands_chars[src->thousands];
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

static int
check_id(const char *s, char **why)
{
	size_t	i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		goto bad;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= 63)
			goto bad;
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-", s[i]) ==
		    NULL)
			goto bad;
	}
	return 0;
bad:
	xasprintf(why, "\"%s\" is not a valid identifier"
	    " ([a-z0-9][a-z0-9_.-]*, at most 63 characters)", s);
	return -1;
}

/*
 * An active ISO 4217 code of a real currency (currency.h): "EUX" and "eur" are
 * refused, and so are the codes of funds, metals and special units, which are
 * ISO 4217 codes but not money an agency's client spends.
 */
static int
check_currency(const char *s, char **why)
{
	const struct currency	*c;
	char			 up[4];
	size_t			 i;

	if ((c = currency_lookup(s)) == NULL) {
		for (i = 0; i < 3 && s[i] >= 'a' && s[i] <= 'z'; i++)
			up[i] = (char)(s[i] - 'a' + 'A');
		up[i] = '\0';
		if (i == 3 && s[3] == '\0' && currency_lookup(up) != NULL)
			xasprintf(why, "\"%s\" is not an ISO 4217 currency"
			    " code (codes are upper case: \"%s\")", s, up);
		else
			xasprintf(why, "\"%s\" is not an ISO 4217 currency"
			    " code (e.g. \"EUR\", \"USD\")", s);
		return -1;
	}
	switch (c->kind) {
	case CURRENCY_MONEY:
		return 0;
	case CURRENCY_FUND:
		xasprintf(why, "\"%s\" is an ISO 4217 fund code, not a"
		    " currency amounts are spent in", s);
		break;
	case CURRENCY_METAL:
		xasprintf(why, "\"%s\" is the ISO 4217 code of a precious"
		    " metal, not a currency amounts are spent in", s);
		break;
	default:
		xasprintf(why, "\"%s\" is an ISO 4217 special unit (SDR,"
		    " bond-market, testing or \"no currency\" code), not a"
		    " currency amounts are spent in", s);
		break;
	}
	return -1;
}

/* A zone that loads: a TZif file under $TZDIR or the system's zoneinfo
 * (cfg_load_client() then keeps it loaded for the client). */
static int
check_timezone(const char *s, char **why)
{
	struct tz *tz;

	if ((tz = tz_load(s, why)) == NULL)
		return -1;
	tz_free(tz);
	return 0;
}

/*
 * Minimal address check: "local@domain" or "Display Name <local@domain>".
 * Control characters were refused before; separators that would smuggle more
 * recipients or headers are refused here.
 */
static int
check_address(const char *s, char **why)
{
	const char	*a = s, *end, *at, *p;
	size_t		 n;

	if ((p = strchr(s, '<')) != NULL) {
		if (strpbrk(s, ",;\"") != NULL && strpbrk(s, ",;\"") < p)
			goto bad;
		a = p + 1;
		end = strchr(a, '>');
		if (end == NULL || end[1] != '\0')
			goto bad;
	} else
		end = s + strlen(s);
	n = (size_t)(end - a);
	at = memchr(a, '@', n);
	if (at == NULL || at == a || at + 1 == end)
		goto bad;
	for (p = a; p < end; p++) {
		if (p != at && (*p == '@' || strchr(" <>(),;:\\\"[]", *p) != NULL))
			goto bad;
	}
	for (p = at + 1; p < end; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    (unsigned char)*p >= 0x80))
			goto bad;
	}
	if (at[1] == '.' || end[-1] == '.' || strstr(at, "..") != NULL)
		goto bad;
	return 0;
bad:
	xasprintf(why, "\"%s\" is not a valid e-mail address", s);
	return -1;
}

static int
check_listen_addr(const char *s, char **why)
{
	if (strspn(s, "0123456789abcdefABCDEF.:-_ghijklmnopqrstuvwxyz"
	    "GHIJKLMNOPQRSTUVWXYZ") == strlen(s))
		return 0;
	xasprintf(why, "\"%s\" is not an address or host name", s);
	return -1;
}

static int
check_url(const char *s, char **why)
{
	const char	*p = strstr(s, "://");

	if (p != NULL && p != s && p[3] != '\0' && p[3] != '/' &&
	    strchr(s, ' ') == NULL)
		return 0;
	xasprintf(why, "\"%s\" is not a URL (scheme://host...)", s);
	return -1;
}

const char *
config_receiver_type_name(enum receiver_type type)
{
	if ((unsigned)type >= RECEIVER_TYPE_MAX)
		return "unknown";
	return receiver_type_choices[type];
}

static void
cfg_free_client(struct client_conf *c)
{
	cfg_free_object(client_opts, NOPTS(client_opts), c);
	tz_free(c->tz);
	free(c->file);
}

void
config_free(struct config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	cfg_free_object(main_opts, NOPTS(main_opts), cfg);
	for (i = 0; i < cfg->nclients; i++)
		cfg_free_client(&cfg->clients[i]);
	free(cfg->clients);
	free(cfg->by_id);
	free(cfg->path);
	free(cfg);
}

/* By id, then in file order (the clients array is in file name order). */
static int
cfg_client_cmp(const void *a, const void *b)
{
	const struct client_conf *ca = *(const struct client_conf *const *)a;
	const struct client_conf *cb = *(const struct client_conf *const *)b;
	int c = strcmp(ca->id, cb->id);

	return c != 0 ? c : (ca > cb) - (ca < cb);
}

static int
cfg_token_cmp(const void *a, const void *b)
{
	const struct client_conf *ca = *(const struct client_conf *const *)a;
	const struct client_conf *cb = *(const struct client_conf *const *)b;
	int c = strcmp(ca->ingest_token, cb->ingest_token);

	return c != 0 ? c : (ca > cb) - (ca < cb);
}

/*
 * Index clients by id and refuse two files with the same id or the same
 * token (one client's data would go to the other). Sorting keeps this
 * O(n log n) for agencies with thousands of clients; the error names the
 * later file and the earlier one, as a reader going through the files would.
 */
static int
cfg_index_clients(struct config *cfg, char **cause)
{
	const struct client_conf **by_token, *a, *b;
	size_t i;

	cfg->by_id = xcalloc(cfg->nclients + 1, sizeof *cfg->by_id);
	for (i = 0; i < cfg->nclients; i++)
		cfg->by_id[i] = &cfg->clients[i];
	if (cfg->nclients < 2)
		return 0;
	qsort(cfg->by_id, cfg->nclients, sizeof *cfg->by_id, cfg_client_cmp);
	for (i = 1; i < cfg->nclients; i++) {
		a = cfg->by_id[i - 1];
		b = cfg->by_id[i];
		if (strcmp(a->id, b->id) == 0) {
			xasprintf(cause, "%s:%d: option 'id': client '%s' is"
			    " already defined in %s", b->file, b->id_line,
			    b->id, a->file);
			return -1;
		}
	}
	by_token = xcalloc(cfg->nclients, sizeof *by_token);
	memcpy(by_token, cfg->by_id, cfg->nclients * sizeof *by_token);
	qsort(by_token, cfg->nclients, sizeof *by_token, cfg_token_cmp);
	for (i = 1; i < cfg->nclients; i++) {
		a = by_token[i - 1];
		b = by_token[i];
		if (strcmp(a->ingest_token, b->ingest_token) == 0) {
			xasprintf(cause, "%s:%d: option 'token_file': same token"
			    " as client '%s' (%s): tokens must differ", b->file,
			    b->token_line, a->id, a->file);
			free(by_token);
			return -1;
		}
	}
	free(by_token);
	return 0;
}

/* Read and parse one file into a tree whose root is an object. */
static cJSON *
cfg_parse_file(const char *path, struct jsonc_lines **lines, char **cause)
{
	char	*text, *why;
	size_t	 len;
	cJSON	*root;

	if ((text = cfg_read_file(path, CONFIG_MAX_FILE, &len, cause)) == NULL)
		return NULL;
	root = jsonc_parse(text, len, lines, &why);
	free(text);
	if (root == NULL) {
		/* why is "line N: reason": make it "FILE:N: reason". */
		if (strncmp(why, "line ", 5) == 0)
			xasprintf(cause, "%s:%s", path, why + 5);
		else
			xasprintf(cause, "%s: %s", path, why);
		free(why);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		xasprintf(cause, "%s:%d: the file must hold one JSON object"
		    " { ... }", path, jsonc_line(*lines, root));
		cJSON_Delete(root);
		jsonc_lines_free(*lines);
		*lines = NULL;
		return NULL;
	}
	return root;
}

static int
cfg_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Names of the client files: *.conf, no dotfiles, in name order (editor
 * backups such as "x.conf~" or ".x.conf.swp" do not end in ".conf").
 */
static int
cfg_client_files(const char *dir, char ***namesp, size_t *np, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL;
	size_t		 n = 0, len;

	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "clients_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cfg_name_cmp);
	*namesp = names;
	*np = n;
	return 0;
}

/* Load one client file into c; checks against clients already loaded. */
static int
cfg_load_client(struct config *cfg, struct client_conf *c, const char *path,
    const char *base, char **cause)
{
	struct jsonc_lines	*lines = NULL;
	struct cfg_ctx		 ctx;
	cJSON			*root;
	uint64_t		 seen = 0;
	char			*why = NULL;
	int			 r = -1;

	c->file = xstrdup(path);
	if ((root = cfg_parse_file(path, &lines, cause)) == NULL)
		return -1;
	memset(&ctx, 0, sizeof ctx);
	ctx.file = path;
	ctx.lines = lines;
	ctx.base = base;
	ctx.cfg = cfg;
	ctx.cause = cause;
	if (cfg_object(&ctx, client_opts, NOPTS(client_opts), root, c,
	    &seen) != 0)
		goto out;
	if (c->rules.has_target &&
	    c->rules.target_roi_ppm <= c->rules.min_roi_ppm) {
		cfg_error(&ctx, cfg_member_line(&ctx, root, "target_roi"),
		    "target_roi", "must be above minimum_roi");
		goto out;
	}
	/* The zone is read once here, for ingest (offsets) and windows. */
	if ((c->tz = tz_load(c->timezone, &why)) == NULL) {
		cfg_error(&ctx, cfg_member_line(&ctx, root, "timezone"),
		    "timezone", "%s", why);
		free(why);
		goto out;
	}
	c->id_line = cfg_member_line(&ctx, root, "id");
	c->token_line = cfg_member_line(&ctx, root, "token_file");
	r = 0;
out:
	cJSON_Delete(root);
	jsonc_lines_free(lines);
	return r;
}

struct config *
config_load(const char *path, const char *state_dir_override, char **cause)
{
	struct config		*cfg;
	struct jsonc_lines	*lines = NULL;
	struct cfg_ctx		 ctx;
	cJSON			*root = NULL;
	char			*copy, *slash, *base = NULL, *file, **names = NULL;
	size_t			 nnames = 0, i;
	uint64_t		 seen = 0;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	if ((root = cfg_parse_file(path, &lines, cause)) == NULL)
		goto fail;

	copy = xstrdup(path);
	if ((slash = strrchr(copy, '/')) != NULL)
		*(slash == copy ? slash + 1 : slash) = '\0';
	base = realpath(slash != NULL ? copy : ".", NULL);
	free(copy);
	if (base == NULL) {
		xasprintf(cause, "%s: cannot resolve its directory: %s", path,
		    strerror(errno));
		goto fail;
	}

	memset(&ctx, 0, sizeof ctx);
	ctx.file = path;
	ctx.lines = lines;
	ctx.base = base;
	ctx.cfg = cfg;
	ctx.cause = cause;
	if (cfg_object(&ctx, main_opts, NOPTS(main_opts), root, cfg,
	    &seen) != 0)
		goto fail;
	if (state_dir_override != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = xstrdup(state_dir_override);
	}
	if (cfg->inbox_dir == NULL)
		xasprintf(&cfg->inbox_dir, "%s/inbox", cfg->state_dir);
	if (cfg->retry_initial_secs > cfg->retry_max_secs) {
		cfg_error(&ctx, cfg_member_line(&ctx, root,
		    "retry_initial_secs"), "retry_initial_secs",
		    "must not exceed retry_max_secs (%" PRId64 ")",
		    cfg->retry_max_secs);
		goto fail;
	}
	cJSON_Delete(root);
	root = NULL;
	jsonc_lines_free(lines);
	lines = NULL;

	if (cfg_client_files(cfg->clients_dir, &names, &nnames, cause) != 0)
		goto fail;
	cfg->clients = xcalloc(nnames, sizeof *cfg->clients);
	for (i = 0; i < nnames; i++) {
		xasprintf(&file, "%s/%s", cfg->clients_dir, names[i]);
		if (cfg_load_client(cfg, &cfg->clients[cfg->nclients], file,
		    base, cause) != 0) {
			free(file);
			cfg->nclients++;	/* free what it holds */
			goto fail;
		}
		free(file);
		cfg->nclients++;
	}
	if (cfg->nclients == 0)
		log_warnx("%s: no client files (*.conf) in %s", path,
		    cfg->clients_dir);
	/* Every ingested row and every delivery looks its client up by id. */
	if (cfg_index_clients(cfg, cause) != 0)
		goto fail;
	/* Sources name clients, which are known only now. */
	for (i = 0; i < cfg->nsources; i++) {
		if (cfg->sources[i].client != NULL &&
		    config_client(cfg, cfg->sources[i].client) == NULL) {
			xasprintf(cause, "%s:%d: option 'client': source '%s'"
			    " names client '%s', which is not configured",
			    path, cfg->sources[i].client_line,
			    cfg->sources[i].name, cfg->sources[i].client);
			goto fail;
		}
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(base);
	return cfg;

fail:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	cJSON_Delete(root);
	jsonc_lines_free(lines);
	free(base);
	config_free(cfg);
	return NULL;
}

const struct client_conf *
config_client(const struct config *cfg, const char *id)
{
	size_t	lo = 0, hi = cfg->nclients, mid;
	int	c;

	if (cfg->by_id == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(id, cfg->by_id[mid]->id)) == 0)
			return cfg->by_id[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct receiver_conf *
config_receiver(const struct client_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nreceivers; i++) {
		if (strcmp(c->receivers[i].name, name) == 0)
			return &c->receivers[i];
	}
	return NULL;
}

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
	for (i = 0; i < r->nto; i++)
		fprintf(f, "    to            %s\n", r->to[i]);
	if (r->type == RECEIVER_SMTP) {
		fprintf(f, "    starttls      %s\n",
		    starttls_choices[r->starttls]);
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
	fprintf(f, ", format %s, preset %s", format_choices[src->format],
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
		fprintf(f, "  round         %s\n", round_choices[src->round]);
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

void
config_print_summary(const struct config *cfg, FILE *f)
{
	const struct client_conf *c;
	char			 b1[64], b2[64];
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

void
config_print_options(FILE *f)
{
	cfg_print_table("Main file (roiwatchd.conf):", main_opts,
	    NOPTS(main_opts), NULL, f);
	fprintf(f, "\n");
	cfg_print_table("Source objects (in the main file's \"sources\"):",
	    source_opts, NOPTS(source_opts), source_type_choices, f);
	fprintf(f, "\n");
	cfg_print_table("Client files (clients_dir/*.conf):", client_opts,
	    NOPTS(client_opts), NULL, f);
	fprintf(f, "\n");
	cfg_print_table("Receiver objects (in a client's \"receivers\"):",
	    receiver_opts, NOPTS(receiver_opts), receiver_type_choices, f);
	fprintf(f, "\nRelative paths are relative to the main file's"
	    " directory; a receiver's dir is\nrelative to state_dir. Secrets"
	    " are read from the files named by *_file options.\n");
}
