/*
 * JSON with comments: a strict JSON reader (RFC 8259) that also accepts
 * // line comments, slash-star block comments, trailing commas in objects and
 * arrays, and a leading UTF-8 byte order mark. It builds an ordinary cJSON tree
 * and remembers, beside it, the line of every value and of every object key,
 * so that configuration errors can say "FILE:LINE". Numbers also keep their
 * source text, so that integers and money amounts never go through a double.
 *
 * Refused: NUL bytes, invalid UTF-8 and raw control characters in strings,
 * lone surrogates, \u0000, duplicate keys (the error names both lines),
 * nesting deeper than JSONC_MAX_DEPTH, anything after the top-level value.
 */
#ifndef ROIWATCH_JSONC_H
#define ROIWATCH_JSONC_H
#include <stddef.h>

#include <cjson/cJSON.h>

#define JSONC_MAX_DEPTH 64

struct jsonc_lines;

/*
 * Parse len bytes of text. On success returns the tree (free with cJSON_Delete)
 * and, if lines is not NULL, the line table (free with jsonc_lines_free). On
 * error returns NULL with *cause "line N: reason" (caller frees).
 */
cJSON		*jsonc_parse(const char *text, size_t len,
		    struct jsonc_lines **lines, char **cause);
void		 jsonc_lines_free(struct jsonc_lines *);

/* Line (from 1) where node's value starts; 0 if node is unknown. */
int		 jsonc_line(const struct jsonc_lines *, const cJSON *node);
/* Line of the key of an object member; 0 for array elements and the root. */
int		 jsonc_key_line(const struct jsonc_lines *, const cJSON *node);
/* Source text of a number node, e.g. "100.00" or "1e3"; NULL if not a number. */
const char	*jsonc_number_text(const struct jsonc_lines *, const cJSON *node);

#endif
