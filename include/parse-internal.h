/*
 * Shared between the parse modules (parse.c: dispatch, CSV rows, header
 * mapping and value conversion; parse-json.c: JSON and NDJSON). Not for other
 * modules: they use parse.h.
 */
#ifndef ROIWATCH_PARSE_INTERNAL_H
#define ROIWATCH_PARSE_INTERNAL_H
#include <stddef.h>

#include "currency.h"
#include "parse.h"

#define PARSE_KEYS_MAX	512	/* columns or keys of one record */
#define PARSE_JSON_NUM	'\001'	/* leads a string that was a JSON number */

/*
 * parse_resolve() codes a key kept as a custom KPI as PARSE_FIELD_CUSTOM + i,
 * i indexing parse_ctx.custom: one entry per distinct name of the latest
 * resolution (a JSON key cache must be dropped when a resolution fails).
 */
#define PARSE_FIELD_CUSTOM	1024
/*
 * Other codes of parse_resolve() for keys that are not a metric field: the
 * row's currency marker, a part of a date made of several columns
 * (+ index into options->date_columns) and a column spread into rows
 * (+ index into options->spread). parse_value() takes them like fields.
 */
#define PARSE_FIELD_CURRENCY	512
#define PARSE_FIELD_DATEPART	520
#define PARSE_DATEPARTS_MAX	8
#define PARSE_FIELD_SPREAD	600
#define PARSE_SPREAD_MAX	256
#define PARSE_MARK_MAX		CURRENCY_MARKER_MAX	/* a currency marker and its NUL */

struct parse_preset;

struct parse_custom_name {
	char	name[METRIC_CUSTOM_NAME_MAX];
	int	mapped;		/* from custom_kpis: a non-number is an error */
	char	mark[PARSE_MARK_MAX];	/* currency named by its header */
};

struct parse_ctx {
	const struct parse_options	*opts;
	const struct parse_sink		*sink;
	const struct parse_preset	*preset;
	char				 dec;
	char				 thousands;
	int				 check_utf8;	/* input not transcoded */
	long				 nrows;		/* data rows seen */
	struct parse_custom_name	*custom;	/* PARSE_KEYS_MAX; NULL when
							   no custom KPIs are kept */
	size_t				 ncustom;
	const char *const		*dfmts;		/* date formats, or NULL: ISO */
	size_t				 ndfmts;
	int				 has_day;	/* a fixed date for every row */
	int32_t				 day;
	int				 extra;		/* spread, date columns or a
							   conversion value: finish
							   rows the long way */
	/* Of the latest resolution: the currency marker of a field's (or a
	 * spread column's) header, and the header of each field as written. */
	char				 fmark[MF__MAX][PARSE_MARK_MAX];
	char				 envelope_mark[PARSE_MARK_MAX];
						/* a JSON envelope's
						   "currency", for every row */
	char				 fhead[MF__MAX][64];
	char				(*smark)[PARSE_MARK_MAX];
	/* Of the row being read: date parts and spread values. */
	char				 dpart[PARSE_DATEPARTS_MAX][64];
	size_t				 dpartlen[PARSE_DATEPARTS_MAX];
	unsigned			 dparts;	/* bits: parts seen */
	int64_t				*sval;		/* nspread */
	unsigned char			*shave;		/* 1: sval[i] set */
};

/* A record's keys (CSV header or JSON object keys), trimmed. */
struct parse_key {
	const char	*p;
	size_t		 len;
};

/* Report a problem; returns what the sink said (0 go on, -1 abort). */
int	parse_report(struct parse_ctx *, long row, long line,
	    const char *column, size_t columnlen, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

/*
 * Map n keys onto fields: field[i] is the field of key i, -1 when it is
 * ignored, or PARSE_FIELD_CUSTOM + an index into ctx->custom. Returns 0, or -1 with *bad the index of the offending key (or -1)
 * and reason filled in.
 */
int	parse_resolve(struct parse_ctx *, const struct parse_key *, size_t n,
	    int *field, int *bad, char *reason, size_t reasonlen);

/*
 * Convert one value into the row. json_number: the text is a JSON number
 * (point decimal, no grouping). Numeric fields add up. Returns 0 (stored or
 * missing) or -1 with reason filled in.
 */
int	parse_value(struct parse_ctx *, struct metric_row *, enum metric_field,
	    const char *s, size_t len, int json_number, char *reason,
	    size_t reasonlen);

/*
 * Add one value of a custom KPI column (field code from parse_resolve) to
 * the row. Returns 0 (stored, missing, or not a number in an unmapped
 * column) or -1 with reason filled in.
 */
int	parse_custom_value(struct parse_ctx *, struct metric_row *, int field,
	    const char *s, size_t len, int json_number, char *reason,
	    size_t reasonlen);

/* Start a row (all fields missing). */
void	parse_row_init(struct parse_ctx *, struct metric_row *);

/* Apply fixed values, check required fields and hand the row to the sink.
 * Returns 0 or -1 when the sink aborted. */
int	parse_row_finish(struct parse_ctx *, struct metric_row *, long row,
	    long line);

/* Count one more data row against max_rows; -1 (reported) when over. */
int	parse_count_row(struct parse_ctx *, long line);


/* A JSON envelope's "currency" ({"currency": "EUR", "metrics": [...]}):
 * the marker of every row. Returns 0, or -1 (reported) when it is not a
 * code or a symbol. */
int	parse_envelope_currency(struct parse_ctx *, const char *s, size_t len,
	    long line);

int	parse_json_input(struct parse_ctx *, const char *buf, size_t len,
	    enum parse_format);

#endif
