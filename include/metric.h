/*
 * One metric sample: the totals of one campaign for one day (optionally one hour)
 * from one source. Money is exact: integer micros of the client's currency
 * (1 unit = 1 000 000 micros, as ad platform APIs report it).
 * A field that was missing in the input ("NA", empty cell) is not zero: its bit in
 * `present` is clear and the store keeps NULL.
 * Besides the fixed fields a row may carry a few custom KPIs (reach, followers,
 * CSAT...): figures the source maps by name or keeps from unknown numeric
 * columns, stored apart (custom_metrics) and never part of ROI.
 */
#ifndef ROIWATCH_METRIC_H
#define ROIWATCH_METRIC_H
#include <stdint.h>

#define METRIC_CLIENT_MAX	64	/* bytes including NUL */
#define METRIC_CAMPAIGN_MAX	200
#define METRIC_CHANNEL_MAX	64
#define MICROS_PER_UNIT		1000000LL
#define METRIC_CUSTOM_MAX	16	/* custom KPIs in one row */
#define METRIC_CUSTOM_NAME_MAX	33	/* bytes including NUL */
/*
 * The largest magnitude one row may carry in any figure: 10^15, i.e. one
 * billion units of money in micros, or 10^15 impressions. Below 2^53, so every
 * value is exact in a JSON number and a double; a campaign needs more than
 * 9 000 such rows before its total could leave int64, which the evaluation
 * then reports for that campaign alone.
 */
#define METRIC_VALUE_MAX	1000000000000000LL

enum metric_field {
	MF_CLIENT,
	MF_CAMPAIGN,
	MF_CHANNEL,
	MF_DATE,
	MF_COST,
	MF_REVENUE,
	MF_IMPRESSIONS,
	MF_CLICKS,
	MF_CONVERSIONS,
	MF__MAX
};

#define MF_BIT(f)	(1u << (f))
/* Fields every row must carry. */
#define MF_REQUIRED	(MF_BIT(MF_CLIENT) | MF_BIT(MF_CAMPAIGN) | MF_BIT(MF_DATE))

/* One custom KPI value of a row. */
struct metric_custom {
	const char	*name;	/* [a-z0-9_], 1 to 32 bytes */
	int64_t		 value;	/* micros: decimals allowed (CSAT 4.5) */
};

struct metric_row {
	char	 client[METRIC_CLIENT_MAX];
	char	 campaign[METRIC_CAMPAIGN_MAX];
	char	 channel[METRIC_CHANNEL_MAX];	/* "" when unknown */
	int32_t	 day;		/* days since 1970-01-01 (UTC calendar date) */
	int8_t	 hour;		/* 0..23, or -1 for a whole-day sample */
	unsigned present;	/* MF_BIT() of every field that had a value */
	int64_t	 cost;		/* micros */
	int64_t	 revenue;	/* micros */
	int64_t	 impressions;
	int64_t	 clicks;
	int64_t	 conversions;
	/* The currency marker named by a money value of the row, its column's
	 * header or a currency column, as written: an ISO code ("USD") or a
	 * symbol ("$", "\xe2\x82\xac"); "" when none. Judged by ingest. */
	char	 currency[8];
	/* A time written with an offset ("Z", "+05:30"): day, hour and minute
	 * are as written, utc_offset in seconds east of UTC; ingest converts
	 * to the client's local time. Without one (has_offset 0) the time is
	 * the client's local time already. */
	int8_t	 has_offset;
	int8_t	 minute;	/* 0..59 (0 without an hour) */
	int32_t	 utc_offset;
	/* Custom KPIs: distinct names, each at most once per row. Names are
	 * owned by the parser and valid during the sink callback only. Kept
	 * last: parse_row_init() clears the row up to `custom` alone. */
	unsigned ncustom;
	struct metric_custom custom[METRIC_CUSTOM_MAX];
};

/* Canonical field names ("client", "cost", ...) used in mappings and errors. */
const char *metric_field_name(enum metric_field);
/* Field by canonical name, or -1. */
int metric_field_lookup(const char *name);

/* Whether name is a custom KPI name: [a-z][a-z0-9_]{0,31}. */
int	metric_custom_name_valid(const char *name);
/*
 * A header as a custom KPI name: ASCII letters lowercased, every run of other
 * bytes (blanks, punctuation, non-ASCII) turned into one '_', '_' trimmed at
 * both ends, cut to 32 bytes. buf holds METRIC_CUSTOM_NAME_MAX bytes. Returns
 * the length; 0 (buf "") when nothing is left, e.g. "(%)". The result may
 * start with a digit ("30-day reach" -> "30_day_reach").
 */
size_t	metric_custom_name_normalise(const char *s, size_t len, char *buf);

/* Civil date <-> days since 1970-01-01 (proleptic Gregorian). Pure. */
int32_t metric_days_from_civil(int y, unsigned m, unsigned d);
void	metric_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);
/* Parse "YYYY-MM-DD" exactly (len bytes); 0 or -1. */
int	metric_parse_iso_date(const char *s, size_t len, int32_t *day);
/* Format as "YYYY-MM-DD" into buf of at least 11 bytes. */
void	metric_format_date(int32_t day, char *buf);

#endif
