/*
 * JSON and NDJSON input: one object, an array of objects, {"metrics": [...]},
 * or one object per line. Keys map onto fields as CSV headers do.
 *
 * A streaming reader over the tokens of json-lex.c, not a tree: rows are read
 * straight out of the buffer, so a large webhook body costs no allocation per
 * value, every row knows its line, and numbers keep the text they were written
 * with — money never passes through a double. Strings without escapes are used
 * in place; escaped ones are decoded into one scratch area as long as the
 * input (a decoded string is never longer than its escaped form). NUL bytes,
 * raw control characters in strings, "\u0000" and lone surrogates are refused
 * by the lexer; UTF-8 is checked per value by parse.c (check_utf8), so that a
 * bad byte is a row error naming its key, not a broken input.
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

#include "json-lex.h"
#include "log.h"
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
	struct json_lex	 lx;
	char		*scratch;	/* decoded strings; NULL until needed */
	size_t		 scratch_used, scratch_cap;
	size_t		 input_len;	/* of the document or NDJSON line: no
					   object decodes more (escapes only
					   shrink), wherever the scratch area
					   was first needed */
	const char	*why;		/* syntax error, or NULL */
	long		 why_line;
	char		 whybuf[128];	/* the lexer's message */
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
		/* The cached names end inside names[]: never compare past. */
		if ((size_t)(p - kc->names) + keys[i].len + 1 >
		    sizeof kc->names ||
		    memcmp(p, keys[i].p, keys[i].len) != 0 ||
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
pj_fail(struct pj_lex *pl, long line, const char *why)
{
	if (pl->why == NULL) {
		pl->why = why;
		pl->why_line = line;
	}
	return -1;
}

/* The lexer's error (a bad string, number or byte), in its words. */
static int
pj_lex_fail(struct pj_lex *pl)
{
	if (pl->why == NULL) {
		pl->why = json_lex_strerror(&pl->lx, pl->whybuf,
		    sizeof pl->whybuf);
		pl->why_line = pl->lx.err_line;
	}
	return -1;
}

/* Token t where a key must be: a malformed string is named as such. */
static int
pj_key_expected(struct pj_lex *pl, const struct json_token *t)
{
	if (t->type == JSON_TOK_ERROR && *t->p == '"')
		return pj_lex_fail(pl);
	return pj_fail(pl, t->line, "key expected");
}

/* Anything but the end where the input should have ended. */
static int
pj_trailing(struct pj_lex *pl, const struct json_token *t)
{
	return pj_fail(pl, t->line, t->type == JSON_TOK_ERROR &&
	    pl->lx.err == JSON_LEX_E_NUL ? "NUL byte" : "text after the value");
}

/* A string token as a value: in place, or decoded into the scratch area. */
static inline void
pj_string(struct pj_lex *pl, const struct json_token *t, struct pj_value *v)
{
	v->type = PJ_STRING;
	if (!t->escaped) {
		v->p = t->p;
		v->len = t->len;
		return;
	}
	if (pl->scratch == NULL) {
		/* Sized for the whole input, not from this string on: an
		 * envelope's array is read again after the keys that follow
		 * it. */
		pl->scratch_cap = pl->input_len + 1;
		pl->scratch = xmalloc(pl->scratch_cap);
	}
	if (pl->scratch_used + t->len > pl->scratch_cap)
		fatalx("%s: scratch area overrun", __func__);
	v->p = pl->scratch + pl->scratch_used;
	v->len = json_lex_decode(t, pl->scratch + pl->scratch_used);
	pl->scratch_used += v->len;
}

static int pj_value(struct pj_lex *, const struct json_token *,
    struct pj_value *, int depth);

/*
 * Skip the members of an object or the elements of an array whose opening
 * token is open, checking them (their strings are not decoded).
 */
static int
pj_skip_container(struct pj_lex *pl, const struct json_token *open, int depth)
{
	enum json_tok close = open->type == JSON_TOK_LBRACE ?
	    JSON_TOK_RBRACE : JSON_TOK_RBRACKET;
	struct json_token t;

	if (depth > PJ_MAX_DEPTH)
		return pj_fail(pl, open->line, "nested too deeply");
	if (json_lex_next(&pl->lx, &t) == close)
		return 0;
	for (;;) {
		if (close == JSON_TOK_RBRACE) {
			if (t.type != JSON_TOK_STRING)
				return pj_key_expected(pl, &t);
			if (json_lex_next(&pl->lx, &t) != JSON_TOK_COLON)
				return pj_fail(pl, t.line, "':' expected");
			json_lex_next(&pl->lx, &t);
		}
		if (pj_value(pl, &t, NULL, depth + 1) != 0)
			return -1;
		json_lex_next(&pl->lx, &t);
		if (t.type == JSON_TOK_COMMA) {
			json_lex_next(&pl->lx, &t);
			continue;
		}
		if (t.type == close)
			return 0;
		return pj_fail(pl, t.line, close == JSON_TOK_RBRACE ?
		    "',' or '}' expected" : "',' or ']' expected");
	}
}

/*
 * The value starting with token t into v (NULL: only check it); containers
 * and booleans are checked and reported as PJ_OTHER.
 */
static int
pj_value(struct pj_lex *pl, const struct json_token *t, struct pj_value *v,
    int depth)
{
	struct pj_value skipped;

	if (v == NULL)
		v = &skipped;
	v->p = t->p;
	v->len = 0;
	switch (t->type) {
	case JSON_TOK_STRING:
		if (v == &skipped)
			v->type = PJ_STRING;
		else
			pj_string(pl, t, v);
		return 0;
	case JSON_TOK_NUMBER:
		v->type = PJ_NUMBER;
		v->len = t->len;
		return 0;
	case JSON_TOK_NULL:
		v->type = PJ_NULL;
		return 0;
	case JSON_TOK_TRUE:
	case JSON_TOK_FALSE:
		v->type = PJ_OTHER;
		return 0;
	case JSON_TOK_LBRACE:
	case JSON_TOK_LBRACKET:
		v->type = PJ_OTHER;
		return pj_skip_container(pl, t, depth);
	case JSON_TOK_ERROR:
		return pj_lex_fail(pl);
	case JSON_TOK_END:
		return pj_fail(pl, t->line, "unexpected end of input");
	default:
		return pj_fail(pl, t->line, "value expected");
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
	const char		*metrics_at;	/* past its '[' when it is an array */
	long			 metrics_line;	/* the line of that '[' */
};

/*
 * Read the members of the object whose '{' has just been read into row. At
 * the top level a "metrics" array is not read but remembered (an envelope).
 */
static int
pj_read_object(struct pj_lex *pl, struct pj_row *row, int top)
{
	struct json_token t;
	struct pj_value k, v;

	row->n = 0;
	row->too_many = 0;
	row->has_metrics = 0;
	pl->scratch_used = 0;
	if (json_lex_next(&pl->lx, &t) == JSON_TOK_RBRACE)
		return 0;
	for (;;) {
		if (t.type != JSON_TOK_STRING)
			return pj_key_expected(pl, &t);
		pj_string(pl, &t, &k);
		if (json_lex_next(&pl->lx, &t) != JSON_TOK_COLON)
			return pj_fail(pl, t.line, "':' expected");
		json_lex_next(&pl->lx, &t);
		if (top && k.len == 7 && memcmp(k.p, "metrics", 7) == 0 &&
		    row->has_metrics != 0)
			return pj_fail(pl, t.line, "two \"metrics\" members");
		if (top && k.len == 7 && memcmp(k.p, "metrics", 7) == 0 &&
		    t.type == JSON_TOK_LBRACKET) {
			row->has_metrics = 1;
			row->metrics_at = pl->lx.p;
			row->metrics_line = t.line;
			if (pj_skip_container(pl, &t, 1) != 0)
				return -1;
		} else {
			if (pj_value(pl, &t, &v, 1) != 0)
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
		json_lex_next(&pl->lx, &t);
		if (t.type == JSON_TOK_COMMA) {
			json_lex_next(&pl->lx, &t);
			continue;
		}
		if (t.type == JSON_TOK_RBRACE)
			return 0;
		return pj_fail(pl, t.line, "',' or '}' expected");
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
pj_syntax(struct parse_ctx *ctx, const struct pj_lex *pl)
{
	parse_report(ctx, 0, pl->why_line, NULL, 0, "malformed JSON: %s "
	    "(line %ld)", pl->why, pl->why_line);
	return -1;
}

/* The elements of the array whose '[' has just been read: one row each. */
static int
pj_array(struct parse_ctx *ctx, struct pj_lex *pl, struct pj_keycache *kc,
    struct pj_row *row)
{
	struct json_token t;
	long line;

	if (json_lex_next(&pl->lx, &t) == JSON_TOK_RBRACKET)
		return 0;
	for (;;) {
		line = t.line;
		if (parse_count_row(ctx, line) != 0)
			return -1;
		if (t.type == JSON_TOK_LBRACE) {
			if (pj_read_object(pl, row, 0) != 0)
				return pj_syntax(ctx, pl);
			if (pj_emit(ctx, kc, row, ctx->nrows, line) != 0)
				return -1;
		} else {
			if (pj_value(pl, &t, NULL, 1) != 0)
				return pj_syntax(ctx, pl);
			if (parse_report(ctx, ctx->nrows, line, NULL, 0,
			    "not an object") != 0)
				return -1;
		}
		json_lex_next(&pl->lx, &t);
		if (t.type == JSON_TOK_COMMA) {
			json_lex_next(&pl->lx, &t);
			continue;
		}
		if (t.type == JSON_TOK_RBRACKET)
			return 0;
		pj_fail(pl, t.line, "',' or ']' expected");
		return pj_syntax(ctx, pl);
	}
}

/* An envelope's "currency" member names the currency of all its rows;
 * it is not dropped like the envelope's other members. */
static int
pj_envelope_currency(struct parse_ctx *ctx, const struct pj_row *row,
    long line)
{
	size_t i;

	for (i = 0; i < row->n; i++) {
		if (row->keys[i].len != 8 ||
		    memcmp(row->keys[i].p, "currency", 8) != 0)
			continue;
		if (row->vals[i].type != PJ_STRING) {
			parse_report(ctx, 0, line, "currency", 8, "\"currency\" "
			    "is not a string");
			return -1;
		}
		return parse_envelope_currency(ctx, row->vals[i].p,
		    row->vals[i].len, line);
	}
	return 0;
}

static int
pj_document(struct parse_ctx *ctx, const char *buf, size_t len)
{
	struct pj_lex	 pl;
	struct json_token t;
	struct pj_keycache *kc;
	struct pj_row	*row;
	long		 line;
	int		 rc = -1;

	memset(&pl, 0, sizeof pl);
	json_lex_init(&pl.lx, buf, len, 1, 0);
	pl.input_len = len;
	kc = xmalloc(sizeof *kc);
	kc->valid = 0;
	row = xmalloc(sizeof *row);

	json_lex_next(&pl.lx, &t);
	line = t.line;
	if (t.type == JSON_TOK_END) {
		pj_fail(&pl, line, "empty input");
		rc = pj_syntax(ctx, &pl);
	} else if (t.type == JSON_TOK_LBRACKET) {
		rc = pj_array(ctx, &pl, kc, row);
	} else if (t.type == JSON_TOK_LBRACE) {
		if (pj_read_object(&pl, row, 1) != 0)
			rc = pj_syntax(ctx, &pl);
		else if (row->has_metrics == -1) {
			parse_report(ctx, 0, line, "metrics", 7, "\"metrics\" "
			    "is not an array");
		} else if (row->has_metrics == 1) {
			/* Envelope: re-read its array, now as rows. */
			const char *after = pl.lx.p;
			long after_line = pl.lx.line;

			if (pj_envelope_currency(ctx, row, line) != 0)
				goto out;
			pl.lx.p = row->metrics_at;
			pl.lx.line = row->metrics_line;
			rc = pj_array(ctx, &pl, kc, row);
			pl.lx.p = after;
			pl.lx.line = after_line;
		} else {
			if ((rc = parse_count_row(ctx, line)) == 0)
				rc = pj_emit(ctx, kc, row, ctx->nrows, line);
		}
	} else {
		parse_report(ctx, 0, line, NULL, 0, "JSON input must be an "
		    "object or an array");
	}
	if (rc == 0 && json_lex_next(&pl.lx, &t) != JSON_TOK_END) {
		pj_trailing(&pl, &t);
		rc = pj_syntax(ctx, &pl);
	}
out:
	free(pl.scratch);
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
	struct pj_lex	 pl;
	struct json_token tok;
	long		 line = 0;
	int		 rc = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	kc = xmalloc(sizeof *kc);
	kc->valid = 0;
	row = xmalloc(sizeof *row);
	memset(&pl, 0, sizeof pl);
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
		json_lex_init(&pl.lx, s, (size_t)(t - s), line, 0);
		pl.input_len = (size_t)(t - s);
		pl.why = NULL;
		free(pl.scratch);
		pl.scratch = NULL;
		pl.scratch_used = 0;
		if (json_lex_next(&pl.lx, &tok) != JSON_TOK_LBRACE)
			pj_fail(&pl, tok.line, "'{' expected");
		else if (pj_read_object(&pl, row, 0) == 0 &&
		    json_lex_next(&pl.lx, &tok) != JSON_TOK_END)
			pj_trailing(&pl, &tok);
		if (pl.why != NULL)
			rc = parse_report(ctx, ctx->nrows, line, NULL, 0,
			    "malformed JSON: %s", pl.why);
		else
			rc = pj_emit(ctx, kc, row, ctx->nrows, line);
		if (rc != 0) {
			rc = -1;
			break;
		}
		if (nl == e)
			break;
	}
	free(pl.scratch);
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
