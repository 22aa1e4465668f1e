/*
 * Inside configuration loading: what the config*.c files share. Not for
 * other modules: they use config.h.
 *
 * config-table.c     the option tables and the choices of enum options
 * config-value.c     the generic walker: one value, one object, an array of
 *                    named objects, defaults, bounds, secrets, freeing
 * config-receiver.c  receiver objects: cross-option checks, URLs, addresses
 * config-source.c    source objects (columns, custom KPIs, spread, values,
 *                    headers files, dates) and the parse options they give
 * config-print.c     check-config's summary and --options
 * config.c           the main file, the client files, the clients index and
 *                    the validators of client options
 * config-rules.c     rule objects, CLV inputs and quiet hours: read as text
 *                    from the files, then built into each client's rules
 *                    with the client's currency (shorthand rules first)
 */
#ifndef ROIWATCH_CONFIG_INTERNAL_H
#define ROIWATCH_CONFIG_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "jsonc.h"

#define CONFIG_MAX_SECRET	(64 * 1024)	/* a secret file */
#define DAY	86400
#define NOPTS(t)	(sizeof (t) / sizeof (t)[0])

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
	OPT_SPREAD,	/* spread object(s): parse_spread array (+ spread_into) */
	OPT_VALUES,	/* {"client": {value: id}, ...}: parse_value_map array */
	OPT_VALUE,	/* a string or a number kept as its text and line (struct
			   cfg_text), converted later: a threshold depends on
			   the KPI and the client's currency */
	OPT_RULES,	/* array of rule objects: struct cfg_rule array */
	OPT_CONDS,	/* a compound rule's "all": struct cfg_cond array */
	OPT_OVERRIDES,	/* a rule's "overrides": struct cfg_override array */
	OPT_CLV,	/* {"channel": {CLV inputs}}: struct cfg_clv_src array */
	OPT_DIGESTS,	/* array of digest objects: struct digest_conf array */
	OPT_TYPE_MAX
};

#define OPT_REQUIRED	0x1	/* no default; must be given */
#define OPT_HAS		0x2	/* int at aux is set to 1 when given */
#define OPT_EMPTY	0x4	/* "" is a valid string */

/* Receiver types an option applies to (0: all). */
#define FOR(t)		(1U << (t))
#define FOR_FILE	FOR(RECEIVER_FILE)
#define FOR_WEBHOOK	FOR(RECEIVER_WEBHOOK)
#define FOR_SMTP	FOR(RECEIVER_SMTP)
#define FOR_SENDMAIL	FOR(RECEIVER_SENDMAIL)
#define FOR_EMAIL	(FOR_FILE | FOR_SMTP | FOR_SENDMAIL)
#define FOR_CHAT	(FOR(RECEIVER_SLACK) | FOR(RECEIVER_TEAMS) | \
			    FOR(RECEIVER_DISCORD) | FOR(RECEIVER_MATTERMOST) | \
			    FOR(RECEIVER_GOOGLECHAT))
/* Source types an option applies to. */
#define FOR_PULL	FOR(SOURCE_PULL)
#define FOR_FILES	FOR(SOURCE_FILES)

/* A table holds at most this many options (a bit each in "seen" masks). */
#define OPT_TABLE_MAX	64

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
	const char		*prefix; /* before option names in messages
					   ("rules[2]."), or NULL */
};

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

/* config-table.c: the four option tables. */
extern const struct opt		 cfg_main_opts[];
extern const size_t		 cfg_nmain_opts;
extern const struct opt		 cfg_client_opts[];
extern const size_t		 cfg_nclient_opts;
extern const struct opt		 cfg_receiver_opts[];
extern const size_t		 cfg_nreceiver_opts;
extern const struct opt		 cfg_source_opts[];
extern const size_t		 cfg_nsource_opts;

/*
 * config-table.c: the default of a receiver's min_interval_msecs, one row per
 * receiver type (chat services accept about one post a second per webhook;
 * files, webhooks and e-mail need no pacing).
 */
extern const int64_t		 cfg_receiver_min_interval_msecs[];

/* config-table.c: choices (in the order of their enums) read elsewhere. */
extern const char *const	 cfg_receiver_type_choices[];
extern const char *const	 cfg_starttls_choices[];
extern const char *const	 cfg_source_type_choices[];
extern const char *const	 cfg_format_choices[];
extern const char *const	 cfg_round_choices[];
/* The characters the separator choices stand for, by choice index. */
extern const char		 cfg_delimiter_chars[];
extern const size_t		 cfg_ndelimiter_chars;
extern const char		 cfg_decimal_chars[];
extern const size_t		 cfg_ndecimal_chars;
extern const char		 cfg_thousands_chars[];
extern const size_t		 cfg_nthousands_chars;

/* config-value.c: the generic walker and its helpers. */
int		 cfg_error(struct cfg_ctx *, int, const char *, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
int		 cfg_line(const struct cfg_ctx *, const cJSON *);
int		 cfg_member_line(const struct cfg_ctx *, const cJSON *,
		    const char *);
char		*cfg_read_file(const char *, size_t, size_t *, char **);
char		*cfg_resolve(const char *, const char *);
int		 cfg_has_control(const char *);
int		 cfg_object(struct cfg_ctx *, const struct opt *, size_t,
		    const cJSON *, void *, uint64_t *);
size_t		 cfg_distance(const char *, const char *);
int		 cfg_named_objects(struct cfg_ctx *, const struct opt *,
		    const cJSON *, const struct cfg_array_kind *, char **,
		    size_t *);
void		 cfg_free_secret(char *);
void		 cfg_free_object(const struct opt *, size_t, void *);

/* Where a table's option keeps its value. */
static inline void *
cfg_field(void *base, size_t off)
{
	return (char *)base + off;
}

/* config-receiver.c */
int		 cfg_receivers(struct cfg_ctx *, const struct opt *,
		    const cJSON *, struct client_conf *);
int		 cfg_check_address(const char *, char **);
/* After a client file is read: From and Reply-To of its e-mail receivers
 * from the client's or the main file's defaults, and what needs them. */
int		 cfg_receivers_mail(struct cfg_ctx *, const cJSON *root,
		    struct client_conf *);
int		 cfg_check_url(const char *, char **);
int		 cfg_check_language(const char *, char **);
int		 cfg_check_severity(const char *, char **);

/* config-source.c */
int		 cfg_sources(struct cfg_ctx *, const struct opt *,
		    const cJSON *, struct config *);
int		 cfg_columns(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);
int		 cfg_headers(struct cfg_ctx *, const struct opt *, int,
		    const cJSON *, void *);
int		 cfg_custom_kpis(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);
int		 cfg_spread(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);
int		 cfg_values(struct cfg_ctx *, const struct opt *,
		    const cJSON *, int, void *);
int		 cfg_check_pattern(const char *, char **);
int		 cfg_check_channel(const char *, char **);
int		 cfg_check_campaign(const char *, char **);
int		 cfg_check_date(const char *, char **);

/* config.c */
int		 cfg_check_id(const char *, char **);
int		 cfg_check_currency(const char *, char **);
int		 cfg_check_timezone(const char *, char **);
int		 cfg_check_listen_addr(const char *, char **);

/* config-rules.c: the client's rules (shorthand first) into c->ruleset. */
int	cfg_client_rules(struct cfg_ctx *, const cJSON *root,
	    struct client_conf *);
void	cfg_free_client_rules(struct client_conf *);

/*
 * Rules as the files write them. A rule object is read in two steps: its
 * options through cfg_rule_opts (words, choices, durations checked at once,
 * in the file that holds it), and its thresholds kept as text, because they
 * are read against the KPI and the currency of each client: a rule of the
 * main file is a default of every client and is built once per client.
 */
struct cfg_text {
	char		*s;		/* as written (a number: its source text) */
	int		 line;
};

/* A condition of a compound rule's "all". */
struct cfg_cond {
	char		*kpi;
	int		 op;		/* enum rule_cmp */
	struct cfg_text	 value;
	struct cfg_text	 clear;
	int		 change;
	int		 line;
};

struct cfg_override {
	char		*channel;
	char		*campaign;
	struct cfg_text	 value;
	struct cfg_text	 clear;
	struct cfg_text	 min_volume;
	int		 disabled;
	int		 line;
	uint64_t	 seen;
};

struct cfg_rule {
	char		*name;
	int		 type;		/* enum rule_type */
	int		 disabled;
	char		*kpi;
	int		 op;		/* enum rule_cmp */
	struct cfg_text	 value;
	struct cfg_text	 clear;
	struct cfg_cond	*all;
	size_t		 nall;
	char		*window;
	int		 scope;		/* enum rule_scope */
	int		 severity;	/* enum rule_severity */
	int		 volume;	/* enum rule_volume */
	struct cfg_text	 min_volume;
	int64_t		 min_coverage_ppm;
	int		 has_min_coverage;
	int64_t		 pending_secs;
	int64_t		 repeat_secs;
	int		 notify_resolve;
	struct cfg_override *ov;
	size_t		 nov;
	struct cfg_text	 budget;
	int		 period;	/* enum budget_period_kind */
	char		*from, *to;
	char		*expect;
	char		*by;
	char		*channel;
	char		*timezone;
	int		 tz_line;
	uint64_t	 seen;		/* a bit per cfg_rule_opts row given */
	size_t		 index;		/* in the file's "rules" */
	int		 line;
};

/* A channel's CLV inputs in a client file. */
struct cfg_clv_src {
	char		*channel;
	struct cfg_text	 transactions;
	struct cfg_text	 order_value;
	struct cfg_text	 margin;
	struct cfg_text	 lifetime;
	int		 line;
};

/* config-table.c: rule objects, their conditions and overrides, CLV. */
extern const struct opt		 cfg_rule_opts[];
extern const size_t		 cfg_nrule_opts;
extern const struct opt		 cfg_cond_opts[];
extern const size_t		 cfg_ncond_opts;
extern const struct opt		 cfg_override_opts[];
extern const size_t		 cfg_noverride_opts;
extern const struct opt		 cfg_clv_opts[];
extern const size_t		 cfg_nclv_opts;
extern const char *const	 cfg_rule_type_choices[];

/* config-rules.c: the OPT_RULES .. OPT_CLV values, read and freed. */
int	cfg_rule_option(struct cfg_ctx *, const struct opt *, const cJSON *,
	    int line, void *base);
void	cfg_free_rule_option(const struct opt *, void *base);
int	cfg_check_rule_name(const char *, char **);
int	cfg_check_window(const char *, char **);
int	cfg_check_clock(const char *, char **);
int	cfg_check_quiet(const char *, char **);

/*
 * config-digest.c: a client's "digests", scheduled digests. A digest object
 * is read through cfg_digest_opts into a struct cfg_digest_src, checked
 * and turned into a struct digest_conf (config.h); its receivers are
 * checked against the client's once the whole file is read
 * (cfg_client_digests), since "receivers" may come after "digests".
 */
struct cfg_digest_src {
	char		*name;		/* NULL: the every value */
	int		 every;		/* enum digest_every */
	struct cfg_text	 day;		/* weekly: a weekday; monthly: 1..31,
					   "last"; not given: s NULL */
	char		*at;		/* "HH:MM", local */
	char		**receivers;
	size_t		 nreceivers;
};
extern const struct opt		 cfg_digest_opts[];
extern const size_t		 cfg_ndigest_opts;
extern const char *const	 cfg_digest_every_choices[];
int	cfg_digests_read(struct cfg_ctx *, const struct opt *, const cJSON *,
	    int line, void *base);
void	cfg_free_digests(const struct opt *, void *base);
int	cfg_client_digests(struct cfg_ctx *, const cJSON *root,
	    struct client_conf *);

/* config-print.c: s as roff text lines for the manual (backslashes and
 * leading control characters escaped, a sentence per line, 72 columns). */
void		 cfg_man_text(const char *, FILE *);

#endif
