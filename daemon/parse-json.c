/*
 * JSON and NDJSON input: one object, an array of objects, {"metrics": [...]},
 * or one object per line. Keys map onto fields as CSV headers do.
 *
 * A streaming scanner, not a tree: rows are read straight out of the buffer,
 * so a large webhook body costs no allocation per value, every row knows its
 * line, and numbers keep the text they were written with — money never passes
 * through a double. Strings without escapes are used in place; escaped ones
 * are decoded into one scratch area as long as the input (a decoded string is
 * never longer than its escaped form). NUL bytes, raw control characters in
 * strings, "\u0000" and lone surrogates are refused.
 *
 * Syntax errors reject the whole input (row 0, with the line); a row whose
 * values have the wrong type (true, an array...) is a row error, except under
 * a key kept only because keep_unknown_numeric is set: that one is skipped. Rows are
 * handed to the sink as they are read, so when -1 is returned the caller
 * discards what it got (ingest rolls back the input's savepoint).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric.h"
#include "parse.h"
#include "parse-internal.h"
#include "xmalloc.h"

#define PJ_MAX_DEPTH	64	/* nesting of values that are skipped */

enum pj_type {
	PJ_STRING,
	PJ_NUMBER,
	PJ_NULL,
	PJ_OTHER	/* true, false, object or array: not a field value */
};

struct pj_value {
	enum pj_type	 type;
	const char	*p;
	size_t		 len;
};

struct pj_lex {
	const char	*p, *end;
	long		 line;		/* line of p, counted from `line0` */
	char		*scratch;	/* decoded strings; NULL until needed */
	size_t		 scratch_used, scratch_cap;
	const char	*why;		/* syntax error, or NULL */
	long		 why_line;
};

/*
 * Key resolution of the previous object. Rows of one input nearly always carry
 * the same keys in the same order, and matching keys against every synonym of
 * the preset costs more than the rest of the row; comparing the keys with the
 * previous object's is cheap. The names are copied (NDJSON lines go away).
 */
struct pj_keycache {
	int	valid;
	size_t	n;
	int	field[PARSE_KEYS_MAX];
	char	names[2048];	/* the n keys, NUL-separated */
};

static int
pj_keycache_hit(const struct pj_keycache *kc, const struct parse_key *keys,
    size_t n)
{
	const char *p = kc->names;
	size_t i;

	if (!kc->valid || kc->n != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (memcmp(p, keys[i].p, keys[i].len) != 0 ||
		    p[keys[i].len] != '\0')
			return 0;
		p += keys[i].len + 1;
	}
	return 1;
}

static void
pj_keycache_store(struct pj_keycache *kc, const struct parse_key *keys,
    size_t n, const int *field)
{
	size_t i, used = 0;

	kc->valid = 0;
	for (i = 0; i < n; i++) {
		if (used + keys[i].len + 1 > sizeof kc->names ||
		    memchr(keys[i].p, '\0', keys[i].len) != NULL)
			return;		/* not cacheable: resolve each time */
		memcpy(kc->names + used, keys[i].p, keys[i].len);
		kc->names[used + keys[i].len] = '\0';
		used += keys[i].len + 1;
	}
	memcpy(kc->field, field, n * sizeof *field);
	kc->n = n;
	kc->valid = 1;
}

static int
pj_fail(struct pj_lex *lx, const char *why)
{
	if (lx->why == NULL) {
		lx->why = why;
		lx->why_line = lx->line;
	}
	return -1;
}

static void
pj_ws(struct pj_lex *lx)
{
	while (lx->p < lx->end) {
		switch (*lx->p) {
		case '\n':
			lx->line++;
			/* FALLTHROUGH */
		case ' ':
		case '\t':
		case '\r':
			lx->p++;
			break;
		default:
			return;
		}
	}
}

static int
pj_expect(struct pj_lex *lx, char c)
{
	pj_ws(lx);
	if (lx->p >= lx->end || *lx->p != c)
		return pj_fail(lx, c == ':' ? "':' expected" : c == '{' ?
		    "'{' expected" : "unexpected character");
	lx->p++;
	return 0;
}

static int
pj_hex4(const char *p, unsigned *v)
{
	unsigned i, c;

	*v = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*v = *v << 4 | c;
	}
	return 0;
}

/* Decode the escapes of [s, e) (a string's inside) into the scratch area. */
static int
pj_unescape(struct pj_lex *lx, const char *s, const char *e,
    struct pj_value *v)
{
	char *o;
	unsigned cp, lo;

	if (lx->scratch == NULL) {
		lx->scratch_cap = (size_t)(lx->end - s) + 1;
		lx->scratch = xmalloc(lx->scratch_cap);
	}
	o = lx->scratch + lx->scratch_used;
	v->p = o;
	while (s < e) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (e - s < 4 || pj_hex4(s, &cp) != 0)
				return pj_fail(lx, "bad \\u escape");
			s += 4;
			if (cp == 0)
				return pj_fail(lx, "\\u0000 in a string");
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return pj_fail(lx, "lone surrogate in a string");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (e - s < 6 || s[0] != '\\' || s[1] != 'u' ||
				    pj_hex4(s + 2, &lo) != 0 || lo < 0xdc00 ||
				    lo > 0xdfff)
					return pj_fail(lx, "lone surrogate in a "
					    "string");
				s += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp < 0x80)
				*o++ = (char)cp;
			else if (cp < 0x800) {
				*o++ = (char)(0xc0 | cp >> 6);
				*o++ = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				*o++ = (char)(0xe0 | cp >> 12);
				*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
				*o++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*o++ = (char)(0xf0 | cp >> 18);
				*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
				*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
				*o++ = (char)(0x80 | (cp & 0x3f));
			}
			break;
		default:
			return pj_fail(lx, "bad escape in a string");
		}
	}
	v->len = (size_t)(o - v->p);
	lx->scratch_used += v->len;
	return 0;
}

/* A string at lx->p (the opening quote). */
static int
pj_string(struct pj_lex *lx, struct pj_value *v)
{
	const char *s = ++lx->p, *q;
	int escaped = 0;

	for (q = s; q < lx->end; q++) {
		if (*q == '"')
			break;
		if ((unsigned char)*q < 0x20)
			return pj_fail(lx, *q == '\0' ? "NUL byte" :
			    "control character in a string");
		if (*q == '\\') {
			escaped = 1;
			if (++q == lx->end)
				break;
		}
	}
	if (q >= lx->end)
		return pj_fail(lx, "unterminated string");
	lx->p = q + 1;
	v->type = PJ_STRING;
	if (!escaped) {
		v->p = s;
		v->len = (size_t)(q - s);
		return 0;
	}
	return pj_unescape(lx, s, q, v);
}

/* A number token, kept as written after checking the RFC 8259 grammar. */
static int
pj_number(struct pj_lex *lx, struct pj_value *v)
{
	const char *s = lx->p, *e = lx->end, *p = s;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && *p >= '1' && *p <= '9') {
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	} else
		return pj_fail(lx, "bad number");
	if (p < e && *p == '.') {
		if (++p >= e || *p < '0' || *p > '9')
			return pj_fail(lx, "bad number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return pj_fail(lx, "bad number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && ((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
	    *p == '+'))
		return pj_fail(lx, "bad number");
	v->type = PJ_NUMBER;
	v->p = s;
	v->len = (size_t)(p - s);
	lx->p = p;
	return 0;
}

static int pj_value(struct pj_lex *, struct pj_value *, int depth);

/* Skip the members of an object or the elements of an array, checking them. */
static int
pj_skip_container(struct pj_lex *lx, char close, int depth)
{
	struct pj_value v;

	if (depth > PJ_MAX_DEPTH)
		return pj_fail(lx, "nested too deeply");
	lx->p++;
	pj_ws(lx);
	if (lx->p < lx->end && *lx->p == close) {
		lx->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			pj_ws(lx);
			if (lx->p >= lx->end || *lx->p != '"')
				return pj_fail(lx, "key expected");
			if (pj_string(lx, &v) != 0 || pj_expect(lx, ':') != 0)
				return -1;
		}
		if (pj_value(lx, &v, depth + 1) != 0)
			return -1;
		pj_ws(lx);
		if (lx->p < lx->end && *lx->p == ',') {
			lx->p++;
			continue;
		}
		if (lx->p < lx->end && *lx->p == close) {
			lx->p++;
			return 0;
		}
		return pj_fail(lx, close == '}' ? "',' or '}' expected" :
		    "',' or ']' expected");
	}
}

static int
pj_literal(struct pj_lex *lx, const char *word, size_t len)
{
	if ((size_t)(lx->end - lx->p) < len || memcmp(lx->p, word, len) != 0)
		return pj_fail(lx, "unexpected character");
	lx->p += len;
	return 0;
}

/* Any value; containers and booleans are checked and reported as PJ_OTHER. */
static int
pj_value(struct pj_lex *lx, struct pj_value *v, int depth)
{
	pj_ws(lx);
	if (lx->p >= lx->end)
		return pj_fail(lx, "unexpected end of input");
	v->p = lx->p;
	v->len = 0;
	switch (*lx->p) {
	case '"':
		return pj_string(lx, v);
	case '{':
		v->type = PJ_OTHER;
		return pj_skip_container(lx, '}', depth);
	case '[':
		v->type = PJ_OTHER;
		return pj_skip_container(lx, ']', depth);
	case 't':
		v->type = PJ_OTHER;
		return pj_literal(lx, "true", 4);
	case 'f':
		v->type = PJ_OTHER;
		return pj_literal(lx, "false", 5);
	case 'n':
		v->type = PJ_NULL;
		return pj_literal(lx, "null", 4);
	case '\0':
		return pj_fail(lx, "NUL byte");
	default:
		return pj_number(lx, v);
	}
}

/* One row's keys and values while its object is read. */
struct pj_row {
	struct parse_key	keys[PARSE_KEYS_MAX];
	struct pj_value		vals[PARSE_KEYS_MAX];
	size_t			n;
	int			too_many;
	struct pj_value		metrics;	/* the "metrics" member, if any */
	int			has_metrics;
	const char		*metrics_at;	/* its '[' when it is an array */
};

/*
 * Read the members of the object at lx->p into row. At the top level a
 * "metrics" array is not read but remembered (an envelope).
 */
static int
pj_read_object(struct pj_lex *lx, struct pj_row *row, int top)
{
	struct pj_value k, v;

	row->n = 0;
	row->too_many = 0;
	row->has_metrics = 0;
	lx->scratch_used = 0;
	if (pj_expect(lx, '{') != 0)
		return -1;
	pj_ws(lx);
	if (lx->p < lx->end && *lx->p == '}') {
		lx->p++;
		return 0;
	}
	for (;;) {
		pj_ws(lx);
		if (lx->p >= lx->end || *lx->p != '"')
			return pj_fail(lx, "key expected");
		if (pj_string(lx, &k) != 0 || pj_expect(lx, ':') != 0)
			return -1;
		pj_ws(lx);
		if (top && k.len == 7 && memcmp(k.p, "metrics", 7) == 0 &&
		    lx->p < lx->end && *lx->p == '[') {
			row->has_metrics = 1;
			row->metrics_at = lx->p;
			if (pj_skip_container(lx, ']', 1) != 0)
				return -1;
		} else {
			if (pj_value(lx, &v, 1) != 0)
				return -1;
			if (top && k.len == 7 && memcmp(k.p, "metrics", 7) == 0)
				row->has_metrics = -1;	/* not an array */
			if (row->n < PARSE_KEYS_MAX) {
				row->keys[row->n].p = k.p;
				row->keys[row->n].len = k.len;
				row->vals[row->n++] = v;
			} else
				row->too_many = 1;
		}
		pj_ws(lx);
		if (lx->p < lx->end && *lx->p == ',') {
			lx->p++;
			continue;
		}
		if (lx->p < lx->end && *lx->p == '}') {
			lx->p++;
			return 0;
		}
		return pj_fail(lx, "',' or '}' expected");
	}
}

/* Turn a read object into a metric row for the sink. */
static int
pj_emit(struct parse_ctx *ctx, struct pj_keycache *kc, struct pj_row *row,
    long rowno, long line)
{
	int			 field[PARSE_KEYS_MAX], bad;
	struct metric_row	 r;
	char			 reason[256];
	size_t			 i;

	if (row->too_many)
		return parse_report(ctx, rowno, line, NULL, 0, "more than %d "
		    "keys", PARSE_KEYS_MAX);
	if (pj_keycache_hit(kc, row->keys, row->n))
		memcpy(field, kc->field, row->n * sizeof *field);
	else if (parse_resolve(ctx, row->keys, row->n, field, &bad, reason,
	    sizeof reason) != 0) {
		/* The custom names the cache's codes index are gone. */
		kc->valid = 0;
		return parse_report(ctx, rowno, line, bad >= 0 ?
		    row->keys[bad].p : NULL, bad >= 0 ? row->keys[bad].len : 0,
		    "%s", reason);
	} else
		pj_keycache_store(kc, row->keys, row->n, field);
	parse_row_init(ctx, &r);
	for (i = 0; i < row->n; i++) {
		const struct pj_value *v = &row->vals[i];

		if (field[i] < 0 || v->type == PJ_NULL)
			continue;
		if (field[i] >= PARSE_FIELD_CUSTOM && v->type != PJ_OTHER) {
			if (parse_custom_value(ctx, &r, field[i], v->p, v->len,
			    v->type == PJ_NUMBER, reason, sizeof reason) != 0)
				return parse_report(ctx, rowno, line,
				    row->keys[i].p, row->keys[i].len, "%s",
				    reason);
			continue;
		}
		/* true, an array...: under an unknown key, not ours */
		if (field[i] >= PARSE_FIELD_CUSTOM &&
		    !ctx->custom[field[i] - PARSE_FIELD_CUSTOM].mapped)
			continue;
		if (v->type == PJ_OTHER)
			return parse_report(ctx, rowno, line, row->keys[i].p,
			    row->keys[i].len, "expected a string or a number");
		if (parse_value(ctx, &r, (enum metric_field)field[i], v->p,
		    v->len, v->type == PJ_NUMBER, reason, sizeof reason) != 0)
			return parse_report(ctx, rowno, line, row->keys[i].p,
			    row->keys[i].len, "%s", reason);
	}
	return parse_row_finish(ctx, &r, rowno, line);
}

static int
pj_syntax(struct parse_ctx *ctx, const struct pj_lex *lx)
{
	parse_report(ctx, 0, lx->why_line, NULL, 0, "malformed JSON: %s "
	    "(line %ld)", lx->why, lx->why_line);
	return -1;
}

/* The elements of the array at lx->p: one row each. */
static int
pj_array(struct parse_ctx *ctx, struct pj_lex *lx, struct pj_keycache *kc,
    struct pj_row *row)
{
	long line;

	lx->p++;
	pj_ws(lx);
	if (lx->p < lx->end && *lx->p == ']') {
		lx->p++;
		return 0;
	}
	for (;;) {
		pj_ws(lx);
		line = lx->line;
		if (parse_count_row(ctx, line) != 0)
			return -1;
		if (lx->p < lx->end && *lx->p == '{') {
			if (pj_read_object(lx, row, 0) != 0)
				return pj_syntax(ctx, lx);
			if (pj_emit(ctx, kc, row, ctx->nrows, line) != 0)
				return -1;
		} else {
			struct pj_value v;

			if (pj_value(lx, &v, 1) != 0)
				return pj_syntax(ctx, lx);
			if (parse_report(ctx, ctx->nrows, line, NULL, 0,
			    "not an object") != 0)
				return -1;
		}
		pj_ws(lx);
		if (lx->p < lx->end && *lx->p == ',') {
			lx->p++;
			continue;
		}
		if (lx->p < lx->end && *lx->p == ']') {
			lx->p++;
			return 0;
		}
		pj_fail(lx, "',' or ']' expected");
		return pj_syntax(ctx, lx);
	}
}

static int
pj_document(struct parse_ctx *ctx, const char *buf, size_t len)
{
	struct pj_lex	 lx;
	struct pj_keycache *kc;
	struct pj_row	*row;
	long		 line;
	int		 rc = -1;

	memset(&lx, 0, sizeof lx);
	lx.p = buf;
	lx.end = buf + len;
	lx.line = 1;
	kc = xmalloc(sizeof *kc);
	kc->valid = 0;
	row = xmalloc(sizeof *row);

	pj_ws(&lx);
	line = lx.line;
	if (lx.p >= lx.end) {
		pj_fail(&lx, "empty input");
		rc = pj_syntax(ctx, &lx);
	} else if (*lx.p == '[') {
		rc = pj_array(ctx, &lx, kc, row);
	} else if (*lx.p == '{') {
		if (pj_read_object(&lx, row, 1) != 0)
			rc = pj_syntax(ctx, &lx);
		else if (row->has_metrics == -1) {
			parse_report(ctx, 0, line, "metrics", 7, "\"metrics\" "
			    "is not an array");
		} else if (row->has_metrics == 1) {
			/* Envelope: re-read its array, now as rows. */
			const char *after = lx.p;
			long after_line = lx.line;

			const char *q;

			lx.p = row->metrics_at;
			lx.line = 1;
			for (q = buf; q < row->metrics_at; q++)
				lx.line += *q == '\n';
			rc = pj_array(ctx, &lx, kc, row);
			lx.p = after;
			lx.line = after_line;
		} else {
			if ((rc = parse_count_row(ctx, line)) == 0)
				rc = pj_emit(ctx, kc, row, ctx->nrows, line);
		}
	} else {
		parse_report(ctx, 0, line, NULL, 0, "JSON input must be an "
		    "object or an array");
	}
	if (rc == 0) {
		pj_ws(&lx);
		if (lx.p < lx.end) {
			pj_fail(&lx, lx.p[0] == '\0' ? "NUL byte" :
			    "text after the value");
			rc = pj_syntax(ctx, &lx);
		}
	}
	free(lx.scratch);
	free(row);
	free(kc);
	return rc;
}

/* NDJSON: a bad line is a bad row; the others still count. */
static int
pj_lines(struct parse_ctx *ctx, const char *buf, size_t len)
{
	const char	*p = buf, *e = buf + len, *nl, *s, *t;
	struct pj_keycache *kc;
	struct pj_row	*row;
	struct pj_lex	 lx;
	long		 line = 0;
	int		 rc = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	kc = xmalloc(sizeof *kc);
	kc->valid = 0;
	row = xmalloc(sizeof *row);
	memset(&lx, 0, sizeof lx);
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
		if (parse_count_row(ctx, line) != 0) {
			rc = -1;
			break;
		}
		lx.p = s;
		lx.end = t;
		lx.line = line;
		lx.why = NULL;
		free(lx.scratch);
		lx.scratch = NULL;
		lx.scratch_used = 0;
		if (pj_read_object(&lx, row, 0) == 0 && lx.p != t)
			pj_fail(&lx, lx.p[0] == '\0' ? "NUL byte" :
			    "text after the value");
		if (lx.why != NULL)
			rc = parse_report(ctx, ctx->nrows, line, NULL, 0,
			    "malformed JSON: %s", lx.why);
		else
			rc = pj_emit(ctx, kc, row, ctx->nrows, line);
		if (rc != 0) {
			rc = -1;
			break;
		}
		if (nl == e)
			break;
	}
	free(lx.scratch);
	free(row);
	free(kc);
	return rc;
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
