/*
 * Streaming CSV tokenizer over a buffer held by the caller (RFC 4180 and the
 * usual deviations of real exports): quoted fields with "" escapes, quoted
 * fields spanning lines, CRLF, LF or CR line ends, no final newline, a UTF-8
 * BOM skipped, the delimiter detected among ',' ';' and TAB.
 * Fields point into the buffer where possible; only quoted fields with ""
 * escapes are copied into a scratch area reused from record to record, so
 * reading a record allocates nothing once the first records have been seen.
 */
#ifndef ROIWATCH_CSV_H
#define ROIWATCH_CSV_H
#include <stddef.h>

#define CSV_FIELDS_MAX	4096	/* more fields in one record is an error */

struct csv;

struct csv_field {
	const char	*p;	/* not NUL-terminated */
	size_t		 len;
	int		 quoted;
};

/* Reader over buf (len bytes, kept by the caller while the reader lives).
 * delim 0: detect from the first line that has one (csv_detect_delimiter). */
struct csv	*csv_new(const char *buf, size_t len, char delim);
void		 csv_free(struct csv *);

/*
 * Next record: 1 with *fields / *nfields set (valid until the next call), 0 at
 * the end of the input, -1 on malformed input (unterminated quote, text after a
 * closing quote, too many fields) with *cause set (caller frees); the reader
 * stops there.
 */
int		 csv_next(struct csv *, const struct csv_field **fields,
		    size_t *nfields, char **cause);

/* Physical line (1-based) where the last record returned started. */
long		 csv_line(const struct csv *);
/* Bytes of the buffer consumed so far (for progress). */
size_t		 csv_offset(const struct csv *);

/* Delimiter among ',' ';' TAB counted outside quotes on the first line that
 * holds any of them (at most the first few lines); ',' when none. */
char		 csv_detect_delimiter(const char *buf, size_t len);

#endif
