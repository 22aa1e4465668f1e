/*
 * Input parsing: bytes of a file or a request body → metric rows. Pure: no files,
 * sockets or clock. Copes with real exports (BOM, CRLF, ; and tab delimiters,
 * quoted fields, ISO-8859-1, decimal commas, thousands separators, currency
 * symbols, NA cells, trailing unnamed columns, declared date formats) and with
 * JSON (one object, an array, {"metrics":[...]}) and NDJSON.
 * Every problem is reported with the data row number, the column and a reason;
 * a value that does not match the declared format is an error, never a guess.
 */
#ifndef ROIWATCH_PARSE_H
#define ROIWATCH_PARSE_H
#include <stddef.h>
#include <stdint.h>

#include "metric.h"
#include "money.h"

enum parse_format {
	PARSE_AUTO,	/* sniff: '{' or '[' → JSON (NDJSON if several lines of objects), else CSV */
	PARSE_CSV,
	PARSE_JSON,
	PARSE_NDJSON,
	PARSE_FORMAT_MAX
};

/* A header of the input mapped onto a field; several headers mapped onto the same
 * numeric field are summed (e.g. "Purchases value" + "Leads value" → revenue). */
struct parse_column_map {
	const char		*header;	/* compared case-insensitively, trimmed */
	enum metric_field	 field;
};

/*
 * A header of the input kept as a custom KPI (metric_row.custom). Explicit
 * mappings (columns) win over these, these over the preset's synonyms.
 * Several headers kept under one name are summed.
 */
struct parse_custom_map {
	const char		*header;	/* compared case-insensitively, trimmed */
	const char		*name;		/* metric_custom_name_valid() */
};

/*
 * Wide files (one column per channel or campaign): a column spread into rows.
 * Each listed column's value becomes `field` of a row whose `into` dimension
 * (options->spread_into) is `name`; entries sharing a name fill one row.
 */
struct parse_spread {
	const char		*header;	/* compared case-insensitively, trimmed */
	enum metric_field	 field;		/* a numeric field */
	const char		*name;		/* campaign or channel of the row */
};

/* A client, campaign or channel value replaced by an id ("ACME Corp" ->
 * "acme"): exact after trimming, case-insensitive. */
struct parse_value_map {
	enum metric_field	 field;		/* MF_CLIENT, MF_CAMPAIGN, MF_CHANNEL */
	const char		*from;
	const char		*to;
};

struct parse_options {
	enum parse_format	 format;
	const char		*preset;	/* NULL or "generic", "meta_ads", "google_ads" */
	const struct parse_column_map *columns;	/* extra mappings, override the preset */
	size_t			 ncolumns;
	const char		*fixed_client;	/* set client for every row (column ignored) */
	const char		*fixed_channel;	/* set channel for every row */
	const char		*fixed_campaign; /* set campaign for every row */
	const char		*date_format;	/* e.g. "%d/%m/%Y"; NULL: YYYY-MM-DD */
	/* Accepted date formats (date_format is a list of one); a value must
	 * mean one date under all of those it matches. */
	const char *const	*date_formats;
	size_t			 ndate_formats;
	int			 default_year;	/* for formats without %Y; 0: none */
	/* A date made of several columns joined by single spaces ("Year Month
	 * Day"), read with the date formats. */
	const char *const	*date_columns;
	size_t			 ndate_columns;
	/* One date for every row of an input without a date column: "date"
	 * ("YYYY-MM-DD"), else the first match of date_from_name (a format) in
	 * name (the file's name, or NULL when there is none). An input with a
	 * date column as well is refused: never a guess which one is meant. */
	const char		*date;
	const char		*date_from_name;
	const char		*name;
	enum money_round	 round;		/* decimals beyond the sixth */
	const struct parse_spread *spread;
	size_t			 nspread;
	enum metric_field	 spread_into;	/* MF_CAMPAIGN or MF_CHANNEL */
	int64_t			 conversion_value; /* micros; 0: none. revenue =
						      conversions x this */
	const struct parse_value_map *values;
	size_t			 nvalues;
	char			 delimiter;	/* 0: detect among ',' ';' '\t' */
	char			 decimal;	/* 0 or '.': point; ',': decimal comma */
	char			 thousands;	/* 0: none accepted */
	const char		*encoding;	/* NULL/"utf-8", "iso-8859-1", "windows-1252" */
	long			 max_rows;	/* 0: unlimited; more rows is an error */
	/* Custom KPIs. A mapped column's value must be a number (or missing);
	 * with keep_unknown_numeric every header mapped to nothing is kept
	 * under metric_custom_name_normalise() of its name (unless that is ""
	 * or a mapped custom name) wherever its value is a number, and
	 * ignored where it is not. More than METRIC_CUSTOM_MAX values in one
	 * row is a row error. */
	const struct parse_custom_map *custom_kpis;
	size_t			 ncustom_kpis;
	int			 keep_unknown_numeric;
};

struct parse_error {
	long	row;		/* 1-based data row (header excluded); 0: the input as a whole */
	long	line;		/* physical line where the row starts; 0 if unknown */
	char	column[64];	/* header / JSON key concerned, "" if none */
	char	reason[256];
};

struct parse_sink {
	int	(*row)(void *arg, const struct metric_row *, long row);	/* -1 aborts */
	int	(*error)(void *arg, const struct parse_error *);	/* -1 aborts */
	void	*arg;
};

/*
 * Parse buf (len bytes, need not be NUL-terminated). Rows go to sink->row, row
 * problems to sink->error and the row is skipped. Returns 0 when the whole input
 * was read, -1 when a sink callback aborted or the input is malformed as a whole
 * (reported through sink->error with row 0 or the row where it broke).
 */
int	parse_input(const char *buf, size_t len, const struct parse_options *,
	    const struct parse_sink *);

/* Format from a Content-Type ("text/csv", "application/json",
 * "application/x-ndjson"; parameters ignored), or -1 when unsupported. */
int	parse_format_from_content_type(const char *);
/* Format from a file name's extension (.csv .tsv .json .ndjson .jsonl), or -1. */
int	parse_format_from_filename(const char *);

/*
 * Dates (parse-date.c). A date read from an input: hour -1 for a whole day;
 * minute, has_offset and utc_offset as in struct metric_row.
 */
struct parse_date {
	int32_t	day;
	int8_t	hour;
	int8_t	minute;
	int8_t	has_offset;
	int32_t	utc_offset;
};

/* "YYYY-MM-DD" optionally followed by "THH:MM[:SS[.fff]][Z|+-HH[:]MM]" (or
 * a space instead of T). 0 or -1. */
int	parse_date_iso(const char *s, size_t len, struct parse_date *);
/*
 * A value in a format checked by parse_date_check_format(): %Y (four
 * digits), %m %d %-m %-d %e (one or two), %b %B (month names in English or
 * French, full or abbreviated, any case, an optional '.'), %H, %M, %S, %z
 * ("Z", "+HH:MM", "+HHMM"), %%; anything else literally. default_year
 * stands for a missing %Y. 0 or -1.
 */
int	parse_date_format(const char *fmt, int default_year, const char *s,
	    size_t len, struct parse_date *);
/*
 * The value under every format: 0 when those it matches agree, -1 when none
 * matches, -2 when two disagree (reason: "matches %m/%d/%Y (2024-06-11) and
 * %d/%m/%Y (2024-11-06)").
 */
int	parse_date_formats(const char *const *fmts, size_t n, int default_year,
	    const char *s, size_t len, struct parse_date *, char *reason,
	    size_t reasonlen);
/* The first date in fmt found in name, not touching other digits
 * ("meta-2026-11-30.csv"). 0 or -1. */
int	parse_date_search(const char *fmt, int default_year, const char *name,
	    int32_t *day);
/* Whether fmt is a usable date format (one year, unless default_year > 0,
 * one month, one day); -1 with *cause (caller frees). */
int	parse_date_check_format(const char *fmt, int default_year,
	    char **cause);

#endif
