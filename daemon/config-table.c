/*
 * The option tables of configuration files (config-internal.h): main file,
 * client file, receiver object, source object. Each lists every option once
 * with its type, place in the struct, bounds, default (written as JSON,
 * exactly as a user would write it) and help line; config-value.c parses with
 * them, config-print.c prints them. A new option is one row here (and its
 * field in config.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

#include "config-internal.h"
#include "rules.h"
#include "xmalloc.h"

const char *const cfg_receiver_type_choices[] = {
	"file", "webhook", "smtp", "sendmail", "slack", "teams", "discord",
	"mattermost", "googlechat", NULL
};
const int64_t cfg_receiver_min_interval_msecs[] = {
	[RECEIVER_FILE] = 0,
	[RECEIVER_WEBHOOK] = 0,
	[RECEIVER_SMTP] = 0,
	[RECEIVER_SENDMAIL] = 0,
	/* Chat services throttle incoming webhooks near one message a second
	 * (Discord: 30 a minute per channel). */
	[RECEIVER_SLACK] = 1000,
	[RECEIVER_TEAMS] = 1000,
	[RECEIVER_DISCORD] = 2000,
	[RECEIVER_MATTERMOST] = 1000,
	[RECEIVER_GOOGLECHAT] = 1000,
};
_Static_assert(sizeof cfg_receiver_min_interval_msecs /
    sizeof cfg_receiver_min_interval_msecs[0] == RECEIVER_TYPE_MAX,
    "a receiver type without its default min_interval_msecs");
const char *const cfg_starttls_choices[] = {
	"no", "try", "required", NULL
};
const char *const cfg_source_type_choices[] = { "pull", "files", NULL };
/* In the order of enum parse_format. */
const char *const cfg_format_choices[] = {
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
const char cfg_delimiter_chars[] = { 0, ',', ';', '\t', '\t' };
static const char *const decimal_choices[] = { ".", ",", NULL };
const char cfg_decimal_chars[] = { '.', ',' };
static const char *const thousands_choices[] = {
	"", ",", ".", " ", "'", NULL
};
const char cfg_thousands_chars[] = { 0, ',', '.', ' ', '\'' };
/* In the order of enum money_round. */
const char *const cfg_round_choices[] = { "none", "half_even", NULL };

#define M(f)	offsetof(struct config, f)
#define C(f)	offsetof(struct client_conf, f)
#define R(f)	offsetof(struct receiver_conf, f)
#define S(f)	offsetof(struct source_conf, f)

const struct opt cfg_main_opts[] = {
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
	  OPT_EMPTY, 0, NULL, cfg_check_listen_addr,
	  "Address of the HTTP listener; \"\" disables it." },
	{ "email_from", OPT_STRING, M(email_from), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_address, "Default From of every client's e-mail"
	  " receivers (file, smtp, sendmail), e.g. \"Agency alerts"
	  " <alerts@agency.example>\"; a client's email_from or a"
	  " receiver's from wins." },
	{ "reply_to", OPT_STRING, M(reply_to), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_address, "Default Reply-To of every client's e-mail"
	  " receivers; a client's or a receiver's reply_to wins." },
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
	{ "catchup_max", OPT_INT, M(catchup_max), 0, 0, 100000, "5", 0, 0,
	  NULL, NULL, "Catch-up after downtime: when one receiver of a client"
	  " has more than this many notices never tried (queued while the"
	  " daemon was stopped, or behind a receiver at its limits), they are"
	  " folded into one summary keeping the latest event of each campaign"
	  " and rule (at start, and checked every few seconds); 0: never." },
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
	{ "rules", OPT_RULES, M(rules), M(nrules), 0, 0, NULL, 0, 0, NULL,
	  NULL, "Default rules of every client, an array of rule objects"
	  " (options below); thresholds are read in each client's currency."
	  " A client's rule of the same name replaces one; {\"name\": ...,"
	  " \"disabled\": true} in a client file turns it off there." },
	{ "operator_token_file", OPT_SECRET, M(operator_token), 0, 16,
	  CONFIG_MAX_SECRET, NULL, 0, 0, NULL, NULL, "Optional file holding"
	  " the agency operator's HTTP bearer token (at least 16 characters,"
	  " unlike every client's, the file not readable by others): it reads"
	  " and annotates every client (GET .../kpis, .../alerts,"
	  " .../annotations, POST .../annotations), and never ingests." },
};

const struct opt cfg_client_opts[] = {
	{ "id", OPT_STRING, C(id), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  cfg_check_id, "Client identifier used in metric rows and commands:"
	  " [a-z0-9][a-z0-9_.-]*, at most 63 characters, unique." },
	{ "name", OPT_STRING, C(name), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  NULL, "Client's name as shown in messages." },
	{ "currency", OPT_STRING, C(currency), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  NULL, cfg_check_currency, "ISO 4217 code of all the client's amounts,"
	  " e.g. \"EUR\"." },
	{ "timezone", OPT_STRING, C(timezone), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  NULL, cfg_check_timezone, "IANA time zone of the client's days and"
	  " digests, e.g. \"Europe/Paris\", or \"UTC\"." },
	{ "language", OPT_WORD, C(language), 0, 0, 0, "\"en\"", 0, 0,
	  NULL, cfg_check_language, "Language of messages and digests: one"
	  " of the message catalogues built in (po/*.po: en, fr)." },
	{ "email_from", OPT_STRING, C(email_from), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_address, "From of the client's e-mail receivers (file,"
	  " smtp, sendmail) that set none; default: the main file's"
	  " email_from." },
	{ "reply_to", OPT_STRING, C(reply_to), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_address, "Reply-To of the client's e-mail receivers that"
	  " set none (the account manager, say); default: the main file's"
	  " reply_to, else none." },
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
	{ "rules", OPT_RULES, C(rule_src), C(nrule_src), 0, 0, NULL, 0, 0,
	  NULL, NULL, "The client's rules, an array of rule objects (options"
	  " below), judged after minimum_roi/target_roi (the rules roi_low and"
	  " roi_target) and the main file's rules." },
	{ "flap_max", OPT_INT, C(rules.flap_max), 0, 0, 1000, "3", 0, 0, NULL,
	  NULL, "Flap suppression of every rule of the client: a subject whose"
	  " alert fires or clears more than this many times within flap_secs"
	  " is held (one \"flapping\" notice) until stable; 0: off." },
	{ "flap_secs", OPT_DURATION, C(rules.flap_secs), 0, 1, 30 * DAY,
	  "\"1h\"", 0, 0, NULL, NULL, "The window of flap_max, and how long a"
	  " flapping subject must stay unchanged to be released." },
	{ "quiet_hours", OPT_STRING, C(quiet_hours), 0, 0, 0, NULL, OPT_EMPTY,
	  0, NULL, cfg_check_quiet, "Local hours without notices, e.g."
	  " \"22:00-07:00\" (across midnight); what falls in them is held and"
	  " sent when they end; \"\" or absent: none." },
	{ "group_wait_secs", OPT_DURATION, C(group_wait_secs), 0, 0, 3600,
	  "0", 0, 0, NULL, NULL, "Grouping: the client's events arriving"
	  " within this long after the first go out together, as one message"
	  " per receiver, when it has passed; 0: each evaluation's events at"
	  " once." },
	{ "clv", OPT_CLV, C(clv_src), C(nclv_src), 0, 0, NULL, 0, 0, NULL,
	  NULL, "Customer lifetime value inputs per channel (KPIs clv,"
	  " clv_cac): {\"whatsapp\": {\"monthly_transactions\": \"1.5\","
	  " \"order_value\": \"80\", \"gross_margin\": \"40%\","
	  " \"lifetime_months\": \"24\"}}." },
	{ "digests", OPT_DIGESTS, C(digests), C(ndigests), 0, 0, NULL, 0, 0,
	  NULL, NULL, "Scheduled digests of the client's figures, an array of"
	  " digest objects (options below); each period is sent once, and"
	  " after downtime only the latest missed one, marked late." },
};

const struct opt cfg_receiver_opts[] = {
	{ "name", OPT_STRING, R(name), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  cfg_check_id, "Receiver name, unique within the client." },
	{ "type", OPT_ENUM, R(type), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  cfg_receiver_type_choices, NULL, "file: messages written into a"
	  " directory; webhook: signed JSON POST; smtp: e-mail; sendmail:"
	  " e-mail handed to a local sendmail program; slack, teams,"
	  " discord, mattermost, googlechat: the service's own message format"
	  " POSTed to its incoming webhook, split into several messages (marked"
	  " \"(2/3)\") when the service's limits cannot hold one." },
	{ "dir", OPT_STRING, R(dir), 0, 0, 0, NULL, 0, FOR_FILE, NULL, NULL,
	  "file: directory of the messages, relative to state_dir (required)." },
	{ "url", OPT_STRING, R(url), 0, 0, 0, NULL, 0,
	  FOR_WEBHOOK | FOR_SMTP | FOR_CHAT, NULL, cfg_check_url, "webhook and"
	  " chat types: https:// URL, the chat service's incoming webhook"
	  " (http:// only towards loopback unless allow_insecure); smtp:"
	  " smtp://host:port or smtps://host:port (required)." },
	{ "secret_file", OPT_SECRET, R(secret), 0, 16, CONFIG_MAX_SECRET, NULL,
	  0, FOR_WEBHOOK, NULL, NULL, "webhook: file holding the HMAC-SHA256"
	  " signing key (at least 16 characters)." },
	{ "from", OPT_STRING, R(from), 0, 0, 0, NULL, 0, FOR_EMAIL,
	  NULL, cfg_check_address, "Sender address, \"Name <a@b.example>\""
	  " or \"a@b.example\"; default: the client's email_from, else the"
	  " main file's (smtp: one of them is required; file, sendmail: else"
	  " \"roiwatch@localhost\")." },
	{ "reply_to", OPT_STRING, R(reply_to), 0, 0, 0, NULL, 0, FOR_EMAIL,
	  NULL, cfg_check_address, "Reply-To address; default: the client's"
	  " reply_to, else the main file's, else none." },
	{ "to", OPT_LIST, R(to), R(nto), 0, 0, NULL, 0, FOR_EMAIL,
	  NULL, cfg_check_address, "Recipient addresses (smtp, sendmail: at"
	  " least one)." },
	{ "command", OPT_LIST, R(command), R(ncommand), 0, 0, NULL, 0,
	  FOR_SENDMAIL, NULL, NULL, "sendmail: the program and its arguments,"
	  " run without a shell, the message on its standard input; default"
	  " [\"/usr/sbin/sendmail\", \"-t\", \"-i\"]. Exit 0: delivered; 75"
	  " (EX_TEMPFAIL): retried; anything else: refused for good." },
	{ "starttls", OPT_ENUM, R(starttls), 0, 0, 0, NULL, 0, FOR_SMTP,
	  cfg_starttls_choices, NULL, "smtp: STARTTLS policy; default"
	  " \"required\"; \"no\" and \"try\" only towards loopback (127.0.0.1,"
	  " ::1, localhost) unless allow_insecure; ignored for smtps://." },
	{ "username", OPT_STRING, R(username), 0, 0, 0, NULL, 0, FOR_SMTP, NULL,
	  NULL, "smtp: login name (with password_file)." },
	{ "password_file", OPT_SECRET, R(password), 0, 1, CONFIG_MAX_SECRET,
	  NULL, 0, FOR_SMTP, NULL, NULL, "smtp: file holding the password." },
	{ "timeout_secs", OPT_DURATION, R(timeout_secs), 0, 1, 600, NULL, 0,
	  FOR_WEBHOOK | FOR_SMTP | FOR_SENDMAIL | FOR_CHAT, NULL, NULL, "Time"
	  " limit of one delivery attempt; default: the main file's"
	  " delivery_timeout_secs." },
	{ "ca_file", OPT_PATH, R(ca_file), 0, 0, 0, NULL, 0,
	  FOR_WEBHOOK | FOR_SMTP | FOR_CHAT, NULL, NULL, "PEM file of the"
	  " certificate authorities to trust for this receiver (a private CA) instead of"
	  " the system's; verification itself is never turned off." },
	{ "max_in_flight", OPT_INT, R(max_in_flight), 0, 1, 1024, NULL, 0,
	  FOR_WEBHOOK | FOR_SMTP | FOR_SENDMAIL | FOR_CHAT, NULL, NULL,
	  "Deliveries in progress at once to this receiver; default: 1 for chat"
	  " types (their messages arrive in order), else the main file's"
	  " delivery_max_in_flight_per_receiver." },
	{ "allow_insecure", OPT_BOOL, R(allow_insecure), 0, 0, 0, "false", 0,
	  FOR_WEBHOOK | FOR_SMTP | FOR_CHAT, NULL, NULL, "Allow an http:// webhook"
	  " or chat receiver, or smtp:// without starttls \"required\", to a host that is not"
	  " loopback: the notice, its signature and the SMTP password cross"
	  " the network in clear (refused otherwise; warned at every start)." },
	{ "severities", OPT_LIST, R(severities), R(nseverities), 0, 0, NULL, 0,
	  0, NULL, cfg_check_severity, "Severities of the events this receiver"
	  " gets, among \"critical\", \"warning\", \"info\" and \"good\";"
	  " default all. An event has its rule's severity whatever it says"
	  " (fires, repeats, resolves, flaps); roi_low is critical, roi_target"
	  " good. A message left without events is not sent." },
	{ "min_interval_msecs", OPT_INT, R(min_interval_msecs), 0, 0, 3600000,
	  NULL, 0, 0, NULL, NULL,
	  "Rate limit: milliseconds at least between the starts of two"
	  " deliveries to this receiver (others never wait for it); default:"
	  " its type's (chat services 1000, file, webhook and smtp 0)." },
};

const struct opt cfg_source_opts[] = {
	{ "name", OPT_STRING, S(name), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  cfg_check_id, "Source name, unique; pull state is kept under it." },
	{ "type", OPT_ENUM, S(type), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  cfg_source_type_choices, NULL, "pull: fetch url every interval_secs;"
	  " files: settings for inbox files whose name matches pattern." },
	{ "url", OPT_STRING, S(url), 0, 0, 0, NULL, 0, FOR_PULL, NULL,
	  cfg_check_url, "pull: http:// or https:// URL (required); TLS"
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
	  cfg_check_pattern, "files: glob on inbox file names, e.g."
	  " \"meta-*.csv\" (required); the first matching source wins." },
	{ "format", OPT_ENUM, S(format), 0, 0, 0, "\"auto\"", 0, 0,
	  cfg_format_choices, NULL, "Input format; auto: from the file name or"
	  " Content-Type, else sniffed." },
	{ "preset", OPT_WORD, S(preset), 0, 0, 0, "\"generic\"", 0, 0,
	  preset_choices, NULL, "Column names of a known export." },
	{ "columns", OPT_COLUMNS, S(columns), S(ncolumns), 0, 0, NULL, 0, 0,
	  NULL, NULL, "Extra header -> field mappings, e.g. {\"Spend (EUR)\":"
	  " \"cost\"}; headers mapped to one numeric field are summed." },
	{ "client", OPT_STRING, S(client), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_id, "Fixed client id for every row (must be a configured"
	  " client)." },
	{ "channel", OPT_STRING, S(channel), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_channel, "Fixed channel for every row." },
	{ "campaign", OPT_STRING, S(campaign), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_campaign, "Fixed campaign for every row (a campaign column"
	  " is then ignored)." },
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
	{ "date", OPT_STRING, S(date), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_date, "Fixed date YYYY-MM-DD of inputs without a date"
	  " column (one export = one period); an input with a date column is"
	  " refused. roiwatch ingest --date overrides it." },
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
	  cfg_round_choices, NULL, "Amounts with more than 6 decimals (float"
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

/*
 * Rule objects (main file and client files, "rules"). types: the rule types
 * an option applies to (0: all); giving one to another type is refused.
 * Options without a default here have one that depends on the type (see
 * config-rules.c): scope campaign (freshness: client), budget rules kpi
 * pacing, op ">" and value 1.0, min_coverage the client's.
 */
#define RT(t)		FOR(RULE_##t)
#define RT_KPI		(RT(THRESHOLD) | RT(CHANGE) | RT(BUDGET))
#define RT_JUDGED	(RT(THRESHOLD) | RT(CHANGE) | RT(COMPOUND) | RT(BUDGET))
#define RT_WINDOW	(RT(THRESHOLD) | RT(CHANGE) | RT(COMPOUND))

/* In the order of enum rule_type, rule_scope, rule_cmp ... */
const char *const cfg_rule_type_choices[] = {
	"threshold", "change", "compound", "budget", "freshness", NULL
};
static const char *const rule_scope_choices[] = {
	"campaign", "channel", "client", NULL
};
static const char *const rule_op_choices[] = { "<", "<=", ">", ">=", NULL };
static const char *const rule_severity_choices[] = {
	"critical", "warning", "info", "good", NULL
};
static const char *const rule_volume_choices[] = {
	"spend", "clicks", "conversions", NULL
};
static const char *const rule_period_choices[] = { "month", "flight", NULL };

#define RU(f)	offsetof(struct cfg_rule, f)
#define CO(f)	offsetof(struct cfg_cond, f)
#define OV(f)	offsetof(struct cfg_override, f)
#define CL(f)	offsetof(struct cfg_clv_src, f)

const struct opt cfg_rule_opts[] = {
	{ "name", OPT_STRING, RU(name), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  cfg_check_rule_name, "Rule name, [a-z0-9_.-] (1 to 63), unique per"
	  " file; roi_low and roi_target are the shorthand's. A client's rule"
	  " named as a main file's replaces it for the client." },
	{ "type", OPT_ENUM, RU(type), 0, 0, 0, "\"threshold\"", 0, 0,
	  cfg_rule_type_choices, NULL, "threshold: kpi op value; change:"
	  " relative change against the previous period op value (\"-30%\");"
	  " compound: every condition of all; budget: pacing of a budget;"
	  " freshness: data expected by a local time." },
	{ "disabled", OPT_BOOL, RU(disabled), 0, 0, 0, "false", 0, 0, NULL,
	  NULL, "true: the rule is not judged; in a client file"
	  " {\"name\": \"x\", \"disabled\": true} turns off the main file's"
	  " rule x for that client." },
	{ "kpi", OPT_STRING, RU(kpi), 0, 0, 0, NULL, 0, RT_KPI, NULL, NULL,
	  "The KPI judged: roi roas profit cpa cpc cpm ctr cvr spend revenue"
	  " impressions clicks conversions cac clv clv_cac custom:NAME"
	  " custom_avg:NAME; budget rules: pacing (default), budget_used,"
	  " projected_spend (only there). Required but in budget rules." },
	{ "op", OPT_ENUM, RU(op), 0, 0, 0, NULL, 0, RT_KPI, rule_op_choices,
	  NULL, "Comparison that fires: KPI op value (budget rules: default"
	  " \">\"). Required but in budget rules." },
	{ "value", OPT_VALUE, RU(value), 0, 0, 0, NULL, 0, RT_KPI, NULL, NULL,
	  "Threshold in the KPI's unit and the client's currency: \"40 EUR\","
	  " \"40.50\", \"150%\", \"3:1\", \"1000\"; change rules a"
	  " percentage \"-30%\"; budget rules default 1.0 (100 %; the budget"
	  " for projected_spend). Required but in budget rules." },
	{ "clear", OPT_VALUE, RU(clear), 0, 0, 0, NULL, 0, RT_KPI, NULL, NULL,
	  "Hysteresis: a firing alert clears only past this (same forms);"
	  " default value. With < or <= it must be at least value, with > or"
	  " >= at most value." },
	{ "all", OPT_CONDS, RU(all), RU(nall), 0, 0, NULL, 0, RT(COMPOUND),
	  NULL, NULL, "compound: 2 to 4 conditions that must all hold,"
	  " {kpi, op, value, change, clear} (options below); required." },
	{ "window", OPT_STRING, RU(window), 0, 0, 0, "\"last_7_days\"", 0,
	  RT_WINDOW, NULL, cfg_check_window, "Days judged, on the client's"
	  " calendar: lifetime, today, yesterday, 7d, last_7_days, wtd, mtd,"
	  " last_month, data_7d (the last 7 days of data)." },
	{ "scope", OPT_ENUM, RU(scope), 0, 0, 0, NULL, 0, 0,
	  rule_scope_choices, NULL, "What is judged: each campaign (default),"
	  " each channel, or the client's total (freshness default: client;"
	  " freshness takes client or campaign)." },
	{ "severity", OPT_ENUM, RU(severity), 0, 0, 0, "\"warning\"", 0, 0,
	  rule_severity_choices, NULL, "critical, warning, info, or good: good"
	  " news (reaching it is the message, no resolve or repeat)." },
	{ "volume", OPT_ENUM, RU(volume), 0, 0, 0, "\"spend\"", 0, RT_JUDGED,
	  rule_volume_choices, NULL, "What min_volume counts." },
	{ "min_volume", OPT_VALUE, RU(min_volume), 0, 0, 0, NULL, 0, RT_JUDGED,
	  NULL, NULL, "No judgement below this volume: an amount for spend"
	  " (\"100\"), a whole number of clicks or conversions; default 0." },
	{ "min_coverage", OPT_PERCENT, RU(min_coverage_ppm),
	  RU(has_min_coverage), 0, 1000000, NULL, OPT_HAS, RT_JUDGED, NULL, NULL,
	  "No judgement unless this share of the window's days are complete"
	  " for the KPI, e.g. \"80%\"; default: the client's"
	  " minimum_coverage." },
	{ "pending_secs", OPT_DURATION, RU(pending_secs), 0, 0, 30 * DAY, "0",
	  0, 0, NULL, NULL, "The condition must hold this long before the"
	  " alert fires; 0 (default, not the client's pending_secs): at"
	  " once." },
	{ "repeat_secs", OPT_DURATION, RU(repeat_secs), 0, 0, 30 * DAY, "0", 0,
	  0, NULL, NULL, "Repeat a still-firing alert this often; 0 (default,"
	  " not the client's repeat_secs): never." },
	{ "notify_resolve", OPT_BOOL, RU(notify_resolve), 0, 0, 0, "true", 0,
	  0, NULL, NULL, "Tell the receivers when a firing alert clears." },
	{ "overrides", OPT_OVERRIDES, RU(ov), RU(nov), 0, 0, NULL, 0, 0, NULL,
	  NULL, "Other values for a channel or a campaign (options below); a"
	  " campaign's override wins over its channel's." },
	{ "budget", OPT_VALUE, RU(budget), 0, 0, 0, NULL, 0, RT(BUDGET), NULL,
	  NULL, "budget: the amount of the period (above 0); required." },
	{ "period", OPT_ENUM, RU(period), 0, 0, 0, NULL, 0, RT(BUDGET),
	  rule_period_choices, NULL, "budget: month (each calendar month) or"
	  " flight (from .. to); required." },
	{ "from", OPT_STRING, RU(from), 0, 0, 0, NULL, 0, RT(BUDGET), NULL,
	  cfg_check_date, "budget, period flight: first day YYYY-MM-DD"
	  " (required then)." },
	{ "to", OPT_STRING, RU(to), 0, 0, 0, NULL, 0, RT(BUDGET), NULL,
	  cfg_check_date, "budget, period flight: last day YYYY-MM-DD"
	  " (required then)." },
	{ "expect", OPT_STRING, RU(expect), 0, 0, 0, "\"yesterday\"", 0,
	  RT(FRESHNESS), NULL, NULL, "freshness: the day whose data is"
	  " expected: today, yesterday or N_days_ago (\"2_days_ago\")." },
	{ "by", OPT_STRING, RU(by), 0, 0, 0, NULL, 0, RT(FRESHNESS), NULL,
	  cfg_check_clock, "freshness: local time \"HH:MM\" by which it is"
	  " expected; required." },
	{ "channel", OPT_STRING, RU(channel), 0, 0, 0, NULL, 0, RT(FRESHNESS),
	  NULL, cfg_check_channel, "freshness: only this channel's samples"
	  " count." },
	{ "timezone", OPT_STRING, RU(timezone), 0, 0, 0, NULL, 0,
	  RT(FRESHNESS), NULL, cfg_check_timezone, "freshness: the client's"
	  " time zone, the only one allowed (written for the reader)." },
};

const struct opt cfg_cond_opts[] = {
	{ "kpi", OPT_STRING, CO(kpi), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  NULL, "The KPI of the condition (not a budget KPI)." },
	{ "op", OPT_ENUM, CO(op), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  rule_op_choices, NULL, "Comparison: KPI (or its change) op value." },
	{ "value", OPT_VALUE, CO(value), 0, 0, 0, NULL, OPT_REQUIRED, 0, NULL,
	  NULL, "Threshold (change: a percentage such as \"30%\")." },
	{ "change", OPT_BOOL, CO(change), 0, 0, 0, "false", 0, 0, NULL, NULL,
	  "Judge the relative change against the previous period." },
	{ "clear", OPT_VALUE, CO(clear), 0, 0, 0, NULL, 0, 0, NULL, NULL,
	  "Clear threshold of the condition; default value." },
};

const struct opt cfg_override_opts[] = {
	{ "channel", OPT_STRING, OV(channel), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_channel, "The channel it applies to (or campaign)." },
	{ "campaign", OPT_STRING, OV(campaign), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_campaign, "The campaign it applies to (or channel)." },
	{ "value", OPT_VALUE, OV(value), 0, 0, 0, NULL, 0, 0, NULL, NULL,
	  "Threshold there (first condition); the clear threshold keeps its"
	  " distance unless clear is given." },
	{ "clear", OPT_VALUE, OV(clear), 0, 0, 0, NULL, 0, 0, NULL, NULL,
	  "Clear threshold there." },
	{ "min_volume", OPT_VALUE, OV(min_volume), 0, 0, 0, NULL, 0, 0, NULL,
	  NULL, "Minimum volume there." },
	{ "disabled", OPT_BOOL, OV(disabled), 0, 0, 0, "false", 0, 0, NULL,
	  NULL, "true: the rule does not apply there." },
};

const struct opt cfg_clv_opts[] = {
	{ "monthly_transactions", OPT_VALUE, CL(transactions), 0, 0, 0, NULL,
	  OPT_REQUIRED, 0, NULL, NULL, "Average transactions per customer and"
	  " month, e.g. \"1.5\"." },
	{ "order_value", OPT_VALUE, CL(order_value), 0, 0, 0, NULL,
	  OPT_REQUIRED, 0, NULL, NULL, "Average order value in the client's"
	  " currency, e.g. \"80\"." },
	{ "gross_margin", OPT_VALUE, CL(margin), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  NULL, NULL, "Average gross margin, e.g. \"40%\"." },
	{ "lifetime_months", OPT_VALUE, CL(lifetime), 0, 0, 0, NULL,
	  OPT_REQUIRED, 0, NULL, NULL, "Average customer lifetime in months,"
	  " e.g. \"24\"." },
};

/* Digest objects (a client's "digests", config-digest.c), in the order of
 * enum digest_every. */
const char *const cfg_digest_every_choices[] = {
	"daily", "weekly", "monthly", NULL
};

#define DG(f)	offsetof(struct cfg_digest_src, f)

const struct opt cfg_digest_opts[] = {
	{ "name", OPT_STRING, DG(name), 0, 0, 0, NULL, 0, 0, NULL,
	  cfg_check_id, "Digest name, unique within the client"
	  " ([a-z0-9][a-z0-9_.-]*); default: the every value. Renaming a"
	  " digest makes it a new one (it then waits for its next sending)." },
	{ "every", OPT_ENUM, DG(every), 0, 0, 0, NULL, OPT_REQUIRED, 0,
	  cfg_digest_every_choices, NULL, "daily: each day, about the day"
	  " before; weekly: on one weekday, about the 7 days before; monthly:"
	  " on one day of the month, about the days since that day of the"
	  " month before." },
	{ "day", OPT_VALUE, DG(day), 0, 0, 0, NULL, 0, 0, NULL, NULL,
	  "weekly: the weekday, \"monday\" .. \"sunday\"; monthly: 1 to 31"
	  " (a day the month lacks is its last day) or \"last\"; required"
	  " for both, refused for daily." },
	{ "at", OPT_STRING, DG(at), 0, 0, 0, "\"08:00\"", 0, 0, NULL,
	  cfg_check_clock, "Local time \"HH:MM\" of the sending, in the"
	  " client's time zone (a time a DST change skips is sent when the"
	  " clocks have jumped; one it repeats, the first time)." },
	{ "receivers", OPT_LIST, DG(receivers), DG(nreceivers), 0, 0, NULL,
	  OPT_REQUIRED, 0, NULL, NULL, "Names of the client's receivers it"
	  " goes to (at least one)." },
};

const size_t	cfg_nmain_opts = NOPTS(cfg_main_opts);
const size_t	cfg_nclient_opts = NOPTS(cfg_client_opts);
const size_t	cfg_nreceiver_opts = NOPTS(cfg_receiver_opts);
const size_t	cfg_nsource_opts = NOPTS(cfg_source_opts);
const size_t	cfg_nrule_opts = NOPTS(cfg_rule_opts);
const size_t	cfg_ncond_opts = NOPTS(cfg_cond_opts);
const size_t	cfg_noverride_opts = NOPTS(cfg_override_opts);
const size_t	cfg_nclv_opts = NOPTS(cfg_clv_opts);
const size_t	cfg_ndigest_opts = NOPTS(cfg_digest_opts);
const size_t	cfg_ndelimiter_chars = sizeof cfg_delimiter_chars;
const size_t	cfg_ndecimal_chars = sizeof cfg_decimal_chars;
const size_t	cfg_nthousands_chars = sizeof cfg_thousands_chars;

/* cfg_object() keeps a bit per option of a table. */
_Static_assert(NOPTS(cfg_main_opts) <= OPT_TABLE_MAX, "main_opts too large");
_Static_assert(NOPTS(cfg_client_opts) <= OPT_TABLE_MAX,
    "client_opts too large");
_Static_assert(NOPTS(cfg_receiver_opts) <= OPT_TABLE_MAX,
    "receiver_opts too large");
_Static_assert(NOPTS(cfg_source_opts) <= OPT_TABLE_MAX,
    "source_opts too large");
_Static_assert(NOPTS(cfg_rule_opts) <= OPT_TABLE_MAX, "rule_opts too large");

/* A language is one of the catalogues built in: a new po/<lang>.po is a
 * new language, with no change here. */
int
cfg_check_language(const char *s, char **why)
{
	const char *const	*l;
	size_t			 len = 0;
	char			*list, *p;

	if (catalog_has_language(s))
		return 0;
	for (l = catalog_languages(); *l != NULL; l++)
		len += strlen(*l) + 2;
	p = list = xcalloc(1, len + 1);
	for (l = catalog_languages(); *l != NULL; l++)
		p += sprintf(p, "%s%s", p == list ? "" : ", ", *l);
	xasprintf(why, "\"%s\" has no message catalogue (known: %s)", s, list);
	free(list);
	return -1;
}
