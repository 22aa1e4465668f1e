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

struct parse_options {
	enum parse_format	 format;
	const char		*preset;	/* NULL or "generic", "meta_ads", "google_ads" */
	const struct parse_column_map *columns;	/* extra mappings, override the preset */
	size_t			 ncolumns;
	const char		*fixed_client;	/* set client for every row (column ignored) */
	const char		*fixed_channel;	/* set channel for every row */
	const char		*date_format;	/* e.g. "%d/%m/%Y"; NULL: YYYY-MM-DD */
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
 * Dates (parse-date.c). parse_date_iso: "YYYY-MM-DD" optionally followed by
 * "THH:MM[:SS[.fff]][Z|+-HH:MM]"; *hour is -1 for a plain date.
 * parse_date_format: a value in a format checked by parse_date_check_format()
 * (%Y %m %d %H %M %b %%). Both return 0 or -1.
 */
int	parse_date_iso(const char *s, size_t len, int32_t *day, int8_t *hour);
int	parse_date_format(const char *fmt, const char *s, size_t len,
	    int32_t *day, int8_t *hour);
/* Whether fmt is a usable date format; -1 with *cause (caller frees). */
int	parse_date_check_format(const char *fmt, char **cause);

#endif
