/*
 * One metric sample: the totals of one campaign for one day (optionally one hour)
 * from one source. Money is exact: integer micros of the client's currency
 * (1 unit = 1 000 000 micros, as ad platform APIs report it).
 * A field that was missing in the input ("NA", empty cell) is not zero: its bit in
 * `present` is clear and the store keeps NULL.
 */
#ifndef ROIWATCH_METRIC_H
#define ROIWATCH_METRIC_H
#include <stdint.h>

#define METRIC_CLIENT_MAX	64	/* bytes including NUL */
#define METRIC_CAMPAIGN_MAX	200
#define METRIC_CHANNEL_MAX	64
#define MICROS_PER_UNIT		1000000LL

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
};

/* Canonical field names ("client", "cost", ...) used in mappings and errors. */
const char *metric_field_name(enum metric_field);
/* Field by canonical name, or -1. */
int metric_field_lookup(const char *name);

/* Civil date <-> days since 1970-01-01 (proleptic Gregorian). Pure. */
int32_t metric_days_from_civil(int y, unsigned m, unsigned d);
void	metric_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);
/* Parse "YYYY-MM-DD" exactly (len bytes); 0 or -1. */
int	metric_parse_iso_date(const char *s, size_t len, int32_t *day);
/* Format as "YYYY-MM-DD" into buf of at least 11 bytes. */
void	metric_format_date(int32_t day, char *buf);

#endif
