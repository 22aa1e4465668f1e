/*
 * JSON and NDJSON input: one object, an array of objects, {"metrics": [...]},
 * or one object per line. Keys map onto fields as CSV headers do.
 *
 * Money must never pass through a double, but cJSON keeps only the double of a
 * number. So before cJSON sees the text, every number token outside strings
 * is rewritten into a string that starts with PARSE_JSON_NUM and holds the
 * token exactly as written; the value converter then knows it was a number
 * (point decimal, no grouping) and reads its digits. The same pass refuses
 * NUL bytes, raw control characters in strings and "\u0000", which would
 * otherwise cut a cJSON string short without a word.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "metric.h"
#include "parse.h"
#include "parse-internal.h"
#include "xmalloc.h"

#define PJ_WRAP_OPEN	"\"\\u0001"
#define PJ_WRAP_EXTRA	8	/* strlen(PJ_WRAP_OPEN) + closing quote */

static int
pj_is_num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
	    c == 'e' || c == 'E';
}

/* Whether [s, s+len) is exactly one JSON number (RFC 8259 grammar). */
static int
pj_valid_number(const char *s, size_t len)
{
	size_t i = 0;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9') {
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	} else
		return 0;
	if (i < len && s[i] == '.') {
		if (++i >= len || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == len;
}

/*
 * One pass of the rewrite: with out NULL only measure. Returns the output
 * length, or -1 with *why and *at (byte offset) for refused input.
 */
static long
pj_rewrite_pass(const char *s, size_t len, char *out, const char **why,
    size_t *at)
{
	size_t	 i = 0, j, o = 0;
	int	 instr = 0;
	unsigned char c;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c == '\0') {
			*why = "NUL byte";
			*at = i;
			return -1;
		}
		if (instr) {
			if (c < 0x20) {
				*why = "control character in a string";
				*at = i;
				return -1;
			}
			if (c == '\\') {
				if (i + 5 < len && memcmp(s + i + 1, "u0000", 5) == 0) {
					*why = "\\u0000 in a string";
					*at = i;
					return -1;
				}
				if (out != NULL)
					out[o] = s[i];
				o++;
				i++;
				if (i < len) {
					if (out != NULL)
						out[o] = s[i];
					o++;
					i++;
				}
				continue;
			}
			if (c == '"')
				instr = 0;
		} else if (c == '"')
			instr = 1;
		else if (c == '-' || (c >= '0' && c <= '9')) {
			for (j = i; j < len && pj_is_num_char(s[j]); j++)
				;
			if (pj_valid_number(s + i, j - i)) {
				if (out != NULL) {
					memcpy(out + o, PJ_WRAP_OPEN,
					    sizeof PJ_WRAP_OPEN - 1);
					memcpy(out + o + sizeof PJ_WRAP_OPEN - 1,
					    s + i, j - i);
					out[o + sizeof PJ_WRAP_OPEN - 1 + j - i] =
					    '"';
				}
				o += j - i + PJ_WRAP_EXTRA;
			} else {
				if (out != NULL)
					memcpy(out + o, s + i, j - i);
				o += j - i;
			}
			i = j;
			continue;
		}
		if (out != NULL)
			out[o] = s[i];
		o++;
		i++;
	}
	return (long)o;
}

static long
pj_line_at(const char *s, size_t at)
{
	long	 line = 1;
	size_t	 i;

	for (i = 0; i < at; i++)
		line += s[i] == '\n';
	return line;
}

/*
 * Parse one JSON text (a document or an NDJSON line). Returns the tree, or NULL
 * with reason filled in and *errline the line (relative to s) of the fault.
 */
static cJSON *
pj_parse(const char *s, size_t len, char *reason, size_t reasonlen,
    long *errline)
{
	const char	*why = NULL, *end = NULL;
	char		*text;
	size_t		 at = 0, tlen, i;
	long		 n;
	cJSON		*root;

	*errline = 0;
	if ((n = pj_rewrite_pass(s, len, NULL, &why, &at)) < 0) {
		snprintf(reason, reasonlen, "malformed JSON: %s", why);
		*errline = pj_line_at(s, at);
		return NULL;
	}
	tlen = (size_t)n;
	text = xmalloc(tlen + 1);
	pj_rewrite_pass(s, len, text, &why, &at);
	text[tlen] = '\0';
	root = cJSON_ParseWithLengthOpts(text, tlen, &end, 0);
	if (root == NULL) {
		end = cJSON_GetErrorPtr();
		if (end == NULL || end < text || end > text + tlen)
			end = text;
		snprintf(reason, reasonlen, "malformed JSON");
		*errline = pj_line_at(text, (size_t)(end - text));
		free(text);
		return NULL;
	}
	for (i = (size_t)(end - text); i < tlen; i++) {
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n') {
			snprintf(reason, reasonlen, "malformed JSON: text after "
			    "the value");
			*errline = pj_line_at(text, i);
			cJSON_Delete(root);
			free(text);
			return NULL;
		}
	}
	free(text);
	return root;
}

/* One object → one row. Returns 0, or -1 when the sink aborted. */
static int
pj_object(struct parse_ctx *ctx, const cJSON *obj, long row, long line)
{
	struct parse_key	 keys[PARSE_KEYS_MAX];
	const cJSON		*items[PARSE_KEYS_MAX], *v;
	int			 field[PARSE_KEYS_MAX], bad;
	struct metric_row	 r;
	char			 reason[256];
	const char		*s;
	size_t			 n = 0, i;

	if (!cJSON_IsObject(obj))
		return parse_report(ctx, row, line, NULL, 0, "not an object");
	for (v = obj->child; v != NULL; v = v->next) {
		if (n == PARSE_KEYS_MAX)
			return parse_report(ctx, row, line, NULL, 0, "more "
			    "than %d keys", PARSE_KEYS_MAX);
		keys[n].p = v->string != NULL ? v->string : "";
		keys[n].len = strlen(keys[n].p);
		items[n++] = v;
	}
	if (parse_resolve(ctx, keys, n, field, &bad, reason,
	    sizeof reason) != 0)
		return parse_report(ctx, row, line, bad >= 0 ? keys[bad].p :
		    NULL, bad >= 0 ? keys[bad].len : 0, "%s", reason);
	parse_row_init(ctx, &r);
	for (i = 0; i < n; i++) {
		if (field[i] < 0)
			continue;
		v = items[i];
		if (cJSON_IsNull(v))
			continue;
		if (!cJSON_IsString(v) || v->valuestring == NULL)
			return parse_report(ctx, row, line, keys[i].p,
			    keys[i].len, "expected a string or a number");
		s = v->valuestring;
		if (parse_value(ctx, &r, (enum metric_field)field[i],
		    s + (s[0] == PARSE_JSON_NUM), strlen(s) - (s[0] ==
		    PARSE_JSON_NUM), s[0] == PARSE_JSON_NUM, reason,
		    sizeof reason) != 0)
			return parse_report(ctx, row, line, keys[i].p,
			    keys[i].len, "%s", reason);
	}
	return parse_row_finish(ctx, &r, row, line);
}

static int
pj_document(struct parse_ctx *ctx, const char *buf, size_t len)
{
	cJSON		*root, *list, *v;
	char		 reason[256];
	long		 errline;
	int		 rc = 0;

	if ((root = pj_parse(buf, len, reason, sizeof reason, &errline)) ==
	    NULL) {
		parse_report(ctx, 0, errline, NULL, 0, "%s (line %ld)", reason,
		    errline);
		return -1;
	}
	list = root;
	if (cJSON_IsObject(root) &&
	    (v = cJSON_GetObjectItemCaseSensitive(root, "metrics")) != NULL) {
		if (!cJSON_IsArray(v)) {
			parse_report(ctx, 0, 0, "metrics", 7, "\"metrics\" is "
			    "not an array");
			cJSON_Delete(root);
			return -1;
		}
		list = v;
	}
	if (cJSON_IsArray(list)) {
		cJSON_ArrayForEach(v, list) {
			if ((rc = parse_count_row(ctx, 0)) != 0)
				break;
			if ((rc = pj_object(ctx, v, ctx->nrows, 0)) != 0)
				break;
		}
	} else if (cJSON_IsObject(list)) {
		if ((rc = parse_count_row(ctx, 0)) == 0)
			rc = pj_object(ctx, list, ctx->nrows, 1);
	} else {
		parse_report(ctx, 0, 0, NULL, 0, "JSON input must be an object "
		    "or an array");
		rc = -1;
	}
	cJSON_Delete(root);
	return rc;
}

/* NDJSON: a bad line is a bad row; the others still count. */
static int
pj_lines(struct parse_ctx *ctx, const char *buf, size_t len)
{
	const char	*p = buf, *e = buf + len, *nl, *s, *t;
	char		 reason[256];
	long		 line = 0, errline;
	cJSON		*obj;
	int		 rc;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; p < e; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		for (s = p; s < nl && (*s == ' ' || *s == '\t' || *s == '\r');)
			s++;
		for (t = nl; t > s && (t[-1] == ' ' || t[-1] == '\t' ||
		    t[-1] == '\r');)
			t--;
		if (s == t)
			continue;
		if (parse_count_row(ctx, line) != 0)
			return -1;
		obj = pj_parse(s, (size_t)(t - s), reason, sizeof reason,
		    &errline);
		if (obj == NULL)
			rc = parse_report(ctx, ctx->nrows, line, NULL, 0, "%s",
			    reason);
		else {
			rc = pj_object(ctx, obj, ctx->nrows, line);
			cJSON_Delete(obj);
		}
		if (rc != 0)
			return -1;
		if (nl == e)
			break;
	}
	return 0;
}

int
parse_json_input(struct parse_ctx *ctx, const char *buf, size_t len,
    enum parse_format fmt)
{
	ctx->check_utf8 = 1;	/* escapes can make invalid UTF-8 too */
	if (fmt == PARSE_NDJSON)
		return pj_lines(ctx, buf, len);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	return pj_document(ctx, buf, len);
}
