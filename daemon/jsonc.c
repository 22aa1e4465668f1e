/*
 * JSON-with-comments reader: a small recursive-descent parser over the tokens
 * of json-lex.c that builds cJSON nodes and records, per node, the line of its
 * value and of its key (see include/jsonc.h). The first error wins: it is kept
 * in the parser and every level unwinds, deleting what it built.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-lex.h"
#include "jsonc.h"
#include "log.h"
#include "xmalloc.h"

struct jsonc_rec {
	const cJSON	*node;
	int		 line;
	int		 key_line;
	char		*num;		/* source text of numbers */
};

struct jsonc_lines {
	struct jsonc_rec *recs;
	size_t		  n;
	size_t		  cap;
};

struct jsonc_parser {
	struct json_lex	 lx;
	char		*cause;		/* first error, "line N: reason" */
	struct jsonc_lines *lines;
	size_t		 last;		/* record of the value parsed last */
};

static cJSON	*jsonc_value(struct jsonc_parser *, struct json_token *, int);

static void __attribute__((format(printf, 3, 4)))
jsonc_error(struct jsonc_parser *jp, long line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (jp->cause != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	xasprintf(&jp->cause, "line %ld: %s", line, msg);
	free(msg);
}

static cJSON *
jsonc_checked(cJSON *node)
{
	if (node == NULL)
		fatalx("out of memory");
	return node;
}

static size_t
jsonc_record(struct jsonc_parser *jp, const cJSON *node, long line,
    const char *num, size_t numlen)
{
	struct jsonc_lines	*l = jp->lines;
	struct jsonc_rec	*r;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->recs = xreallocarray(l->recs, l->cap, sizeof *l->recs);
	}
	r = &l->recs[l->n++];
	r->node = node;
	r->line = (int)line;
	r->key_line = 0;
	r->num = num != NULL ? xstrndup(num, numlen) : NULL;
	jp->last = l->n - 1;
	return jp->last;
}

/*
 * Linear lookup while parsing (the table is sorted only at the end); used only
 * to name the first line of a duplicate key, so the cost is paid on error.
 */
static struct jsonc_rec *
jsonc_find_unsorted(struct jsonc_lines *l, const cJSON *node)
{
	size_t	i;

	for (i = l->n; i > 0; i--) {
		if (l->recs[i - 1].node == node)
			return &l->recs[i - 1];
	}
	return NULL;
}

static int
jsonc_rec_cmp(const void *a, const void *b)
{
	uintptr_t	x = (uintptr_t)((const struct jsonc_rec *)a)->node;
	uintptr_t	y = (uintptr_t)((const struct jsonc_rec *)b)->node;

	return x < y ? -1 : x > y;
}

static const struct jsonc_rec *
jsonc_find(const struct jsonc_lines *l, const cJSON *node)
{
	struct jsonc_rec	key;

	if (l == NULL || node == NULL || l->n == 0)
		return NULL;
	key.node = node;
	return bsearch(&key, l->recs, l->n, sizeof *l->recs, jsonc_rec_cmp);
}

void
jsonc_lines_free(struct jsonc_lines *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->recs[i].num);
	free(l->recs);
	free(l);
}

int
jsonc_line(const struct jsonc_lines *l, const cJSON *node)
{
	const struct jsonc_rec	*r = jsonc_find(l, node);

	return r != NULL ? r->line : 0;
}

int
jsonc_key_line(const struct jsonc_lines *l, const cJSON *node)
{
	const struct jsonc_rec	*r = jsonc_find(l, node);

	return r != NULL ? r->key_line : 0;
}

const char *
jsonc_number_text(const struct jsonc_lines *l, const cJSON *node)
{
	const struct jsonc_rec	*r = jsonc_find(l, node);

	return r != NULL ? r->num : NULL;
}

/* The lexer's error, at the line it names. */
static void
jsonc_lex_error(struct jsonc_parser *jp)
{
	char	buf[128];

	jsonc_error(jp, jp->lx.err_line, "%s",
	    json_lex_strerror(&jp->lx, buf, sizeof buf));
}

/*
 * A token that is not the punctuation the grammar expects there. A comment
 * left open is reported as such; any other token, even a malformed one, is
 * named by what was expected.
 */
static void
jsonc_expected(struct jsonc_parser *jp, const struct json_token *t,
    const char *what)
{
	if (t->type == JSON_TOK_ERROR && jp->lx.err == JSON_LEX_E_COMMENT)
		jsonc_lex_error(jp);
	else
		jsonc_error(jp, t->line, "%s", what);
}

/* A string token as a new NUL-terminated buffer. */
static char *
jsonc_string(const struct json_token *t)
{
	char	*buf;
	size_t	 n;

	buf = xmalloc(t->len + 1);
	n = json_lex_decode(t, buf);
	buf[n] = '\0';
	return buf;
}

/* A number token, kept as text and as a double. */
static cJSON *
jsonc_number(struct jsonc_parser *jp, const struct json_token *t)
{
	char		*copy, *dp, *ep;
	const char	*point;
	double		 d;
	cJSON		*node;

	/* strtod follows LC_NUMERIC: swap in the locale's decimal point. */
	copy = xstrndup(t->p, t->len);
	point = localeconv()->decimal_point;
	if (point != NULL && point[0] != '\0' && point[0] != '.' &&
	    point[1] == '\0' && (dp = strchr(copy, '.')) != NULL)
		*dp = point[0];
	d = strtod(copy, &ep);
	free(copy);
	if (!isfinite(d)) {
		jsonc_error(jp, t->line, "number out of range");
		return NULL;
	}
	node = jsonc_checked(cJSON_CreateNumber(d));
	jsonc_record(jp, node, t->line, t->p, t->len);
	return node;
}

/* Members of an object; the '{' has been read. */
static int
jsonc_members(struct jsonc_parser *jp, cJSON *obj, int depth)
{
	struct json_token t;
	cJSON		*val, *prev;
	char		*key;
	long		 key_line;
	struct jsonc_rec *r;

	for (;;) {
		json_lex_next(&jp->lx, &t);
		if (t.type == JSON_TOK_RBRACE)
			return 0;
		if (t.type == JSON_TOK_END) {
			jsonc_error(jp, t.line, "unexpected end of input"
			    " in object (missing '}'?)");
			return -1;
		}
		/* A broken key is named as such; anything else is no key. */
		if (t.type == JSON_TOK_ERROR &&
		    (jp->lx.err == JSON_LEX_E_COMMENT || *t.p == '"')) {
			jsonc_lex_error(jp);
			return -1;
		}
		if (t.type != JSON_TOK_STRING) {
			jsonc_error(jp, t.line, "expected a \"key\" or '}'");
			return -1;
		}
		key_line = t.line;
		key = jsonc_string(&t);
		if (json_lex_next(&jp->lx, &t) != JSON_TOK_COLON) {
			if (t.type == JSON_TOK_ERROR &&
			    jp->lx.err == JSON_LEX_E_COMMENT)
				jsonc_lex_error(jp);
			else
				jsonc_error(jp, t.line, "expected ':' after key"
				    " \"%s\"", key);
			free(key);
			return -1;
		}
		json_lex_next(&jp->lx, &t);
		if ((val = jsonc_value(jp, &t, depth)) == NULL) {
			free(key);
			return -1;
		}
		jp->lines->recs[jp->last].key_line = (int)key_line;
		prev = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (prev != NULL) {
			r = jsonc_find_unsorted(jp->lines, prev);
			jsonc_error(jp, key_line, "duplicate key \"%s\""
			    " (first at line %d)", key,
			    r != NULL ? r->key_line : 0);
			cJSON_Delete(val);
			free(key);
			return -1;
		}
		if (!cJSON_AddItemToObject(obj, key, val))
			fatalx("out of memory");
		free(key);

		json_lex_next(&jp->lx, &t);
		if (t.type == JSON_TOK_COMMA)
			continue;
		if (t.type == JSON_TOK_RBRACE)
			return 0;
		jsonc_expected(jp, &t, "expected ',' or '}' in object");
		return -1;
	}
}

/* Elements of an array; the '[' has been read. */
static int
jsonc_elements(struct jsonc_parser *jp, cJSON *arr, int depth)
{
	struct json_token t;
	cJSON	*val;

	for (;;) {
		if (json_lex_next(&jp->lx, &t) == JSON_TOK_RBRACKET)
			return 0;
		if ((val = jsonc_value(jp, &t, depth)) == NULL)
			return -1;
		if (!cJSON_AddItemToArray(arr, val))
			fatalx("out of memory");
		json_lex_next(&jp->lx, &t);
		if (t.type == JSON_TOK_COMMA)
			continue;
		if (t.type == JSON_TOK_RBRACKET)
			return 0;
		if (t.type == JSON_TOK_END)
			jsonc_error(jp, t.line, "unexpected end of input"
			    " in array (missing ']'?)");
		else
			jsonc_expected(jp, &t, "expected ',' or ']' in array");
		return -1;
	}
}

/* The value starting with token t; depth counts enclosing containers. */
static cJSON *
jsonc_value(struct jsonc_parser *jp, struct json_token *t, int depth)
{
	cJSON	*node;
	char	*s;
	int	 r;
	size_t	 rec;

	switch (t->type) {
	case JSON_TOK_END:
		jsonc_error(jp, t->line, "unexpected end of input");
		return NULL;
	case JSON_TOK_ERROR:
		jsonc_lex_error(jp);
		return NULL;
	case JSON_TOK_LBRACE:
	case JSON_TOK_LBRACKET:
		if (depth >= JSONC_MAX_DEPTH) {
			jsonc_error(jp, t->line, "nesting deeper than %d levels",
			    JSONC_MAX_DEPTH);
			return NULL;
		}
		if (t->type == JSON_TOK_LBRACE) {
			node = jsonc_checked(cJSON_CreateObject());
			rec = jsonc_record(jp, node, t->line, NULL, 0);
			r = jsonc_members(jp, node, depth + 1);
		} else {
			node = jsonc_checked(cJSON_CreateArray());
			rec = jsonc_record(jp, node, t->line, NULL, 0);
			r = jsonc_elements(jp, node, depth + 1);
		}
		if (r != 0) {
			cJSON_Delete(node);
			return NULL;
		}
		jp->last = rec;
		return node;
	case JSON_TOK_STRING:
		s = jsonc_string(t);
		node = jsonc_checked(cJSON_CreateString(s));
		free(s);
		break;
	case JSON_TOK_NUMBER:
		return jsonc_number(jp, t);
	case JSON_TOK_TRUE:
		node = jsonc_checked(cJSON_CreateTrue());
		break;
	case JSON_TOK_FALSE:
		node = jsonc_checked(cJSON_CreateFalse());
		break;
	case JSON_TOK_NULL:
		node = jsonc_checked(cJSON_CreateNull());
		break;
	default:	/* punctuation */
		jsonc_error(jp, t->line, "unexpected '%c'", *t->p);
		return NULL;
	}
	jsonc_record(jp, node, t->line, NULL, 0);
	return node;
}

cJSON *
jsonc_parse(const char *text, size_t len, struct jsonc_lines **lines,
    char **cause)
{
	struct jsonc_parser	 jp;
	struct json_token	 t;
	const char		*nul;
	cJSON			*root;
	int			 line;

	if (lines != NULL)
		*lines = NULL;
	memset(&jp, 0, sizeof jp);
	if ((nul = memchr(text, '\0', len)) != NULL) {
		line = 1;
		for (; text < nul; text++)
			line += *text == '\n';
		xasprintf(cause, "line %d: NUL byte in input", line);
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	json_lex_init(&jp.lx, text, len, 1, JSON_LEX_COMMENTS | JSON_LEX_UTF8);

	jp.lines = xcalloc(1, sizeof *jp.lines);
	json_lex_next(&jp.lx, &t);
	root = jsonc_value(&jp, &t, 0);
	if (root != NULL && json_lex_next(&jp.lx, &t) != JSON_TOK_END) {
		jsonc_expected(&jp, &t, "unexpected data after the end of"
		    " the document");
	}
	if (jp.cause != NULL) {
		cJSON_Delete(root);
		jsonc_lines_free(jp.lines);
		*cause = jp.cause;
		return NULL;
	}
	qsort(jp.lines->recs, jp.lines->n, sizeof *jp.lines->recs,
	    jsonc_rec_cmp);
	if (lines != NULL)
		*lines = jp.lines;
	else
		jsonc_lines_free(jp.lines);
	return root;
}
