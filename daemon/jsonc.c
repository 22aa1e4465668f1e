/*
 * JSON-with-comments reader: a small recursive-descent parser that builds cJSON
 * nodes and records, per node, the line of its value and of its key (see
 * include/jsonc.h). The first error wins: it is kept in the parser and every
 * level unwinds, deleting what it built.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	const char	*p;
	const char	*end;
	int		 line;
	char		*cause;		/* first error, "line N: reason" */
	struct jsonc_lines *lines;
	size_t		 last;		/* record of the value parsed last */
};

static cJSON	*jsonc_value(struct jsonc_parser *, int);

static void __attribute__((format(printf, 3, 4)))
jsonc_error(struct jsonc_parser *jp, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (jp->cause != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	xasprintf(&jp->cause, "line %d: %s", line, msg);
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
jsonc_record(struct jsonc_parser *jp, const cJSON *node, int line,
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
	r->line = line;
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

/* Skip blanks and comments, counting lines. Returns -1 on an open comment. */
static int
jsonc_skip(struct jsonc_parser *jp)
{
	int	start;

	while (jp->p < jp->end) {
		switch (*jp->p) {
		case '\n':
			jp->line++;
			/* FALLTHROUGH */
		case ' ':
		case '\t':
		case '\r':
			jp->p++;
			continue;
		case '/':
			if (jp->p + 1 < jp->end && jp->p[1] == '/') {
				while (jp->p < jp->end && *jp->p != '\n')
					jp->p++;
				continue;
			}
			if (jp->p + 1 < jp->end && jp->p[1] == '*') {
				start = jp->line;
				jp->p += 2;
				for (;;) {
					if (jp->p >= jp->end) {
						jsonc_error(jp, start,
						    "unterminated /* comment");
						return -1;
					}
					if (*jp->p == '\n')
						jp->line++;
					else if (*jp->p == '*' &&
					    jp->p + 1 < jp->end &&
					    jp->p[1] == '/') {
						jp->p += 2;
						break;
					}
					jp->p++;
				}
				continue;
			}
			return 0;
		default:
			return 0;
		}
	}
	return 0;
}

/*
 * Length of the valid UTF-8 sequence at s (lead byte >= 0x80), or 0. Overlong
 * forms, surrogates and code points above U+10FFFF are invalid (RFC 3629).
 */
static size_t
jsonc_utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

static int
jsonc_hex4(const char *s, const char *end, unsigned *out)
{
	unsigned	v = 0;
	int		i;

	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= (unsigned)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= (unsigned)(s[i] - 'a' + 10);
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= (unsigned)(s[i] - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t
jsonc_put_utf8(char *b, unsigned cp)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Parse a string at jp->p (on the opening quote) into a new NUL-terminated
 * buffer. The decoded text is never longer than the source, so one allocation
 * of the remaining length bounds it.
 */
static char *
jsonc_string(struct jsonc_parser *jp)
{
	const char	*s;
	char		*buf, *b;
	int		 start = jp->line;
	unsigned	 cp, lo;
	size_t		 n;

	s = ++jp->p;
	while (s < jp->end && *s != '"') {
		if (*s == '\\' && s + 1 < jp->end)
			s++;
		s++;
	}
	buf = b = xmalloc((size_t)(s - jp->p) + 1);

	for (;;) {
		if (jp->p >= jp->end) {
			jsonc_error(jp, start, "unterminated string");
			goto fail;
		}
		unsigned char c = (unsigned char)*jp->p;
		if (c == '"') {
			jp->p++;
			break;
		}
		if (c == '\n') {
			jsonc_error(jp, jp->line,
			    "newline in string (missing closing quote?)");
			goto fail;
		}
		if (c < 0x20) {
			jsonc_error(jp, jp->line,
			    "control character 0x%02x in string", c);
			goto fail;
		}
		if (c >= 0x80) {
			n = jsonc_utf8_len((const unsigned char *)jp->p,
			    (const unsigned char *)jp->end);
			if (n == 0) {
				jsonc_error(jp, jp->line,
				    "invalid UTF-8 in string");
				goto fail;
			}
			memcpy(b, jp->p, n);
			b += n;
			jp->p += n;
			continue;
		}
		if (c != '\\') {
			*b++ = (char)c;
			jp->p++;
			continue;
		}
		if (++jp->p >= jp->end) {
			jsonc_error(jp, start, "unterminated string");
			goto fail;
		}
		switch (*jp->p++) {
		case '"':  *b++ = '"'; break;
		case '\\': *b++ = '\\'; break;
		case '/':  *b++ = '/'; break;
		case 'b':  *b++ = '\b'; break;
		case 'f':  *b++ = '\f'; break;
		case 'n':  *b++ = '\n'; break;
		case 'r':  *b++ = '\r'; break;
		case 't':  *b++ = '\t'; break;
		case 'u':
			if (jsonc_hex4(jp->p, jp->end, &cp) != 0) {
				jsonc_error(jp, jp->line,
				    "bad \\u escape (need 4 hex digits)");
				goto fail;
			}
			jp->p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				jsonc_error(jp, jp->line,
				    "lone low surrogate \\u%04x", cp);
				goto fail;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (jp->end - jp->p < 6 || jp->p[0] != '\\' ||
				    jp->p[1] != 'u' ||
				    jsonc_hex4(jp->p + 2, jp->end, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff) {
					jsonc_error(jp, jp->line,
					    "high surrogate \\u%04x not followed"
					    " by a low surrogate", cp);
					goto fail;
				}
				jp->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0) {
				jsonc_error(jp, jp->line,
				    "\\u0000 is not allowed in strings");
				goto fail;
			}
			/* 6 (or 12) escape bytes always exceed 4 output bytes. */
			b += jsonc_put_utf8(b, cp);
			break;
		default:
			jsonc_error(jp, jp->line, "bad escape '\\%c'",
			    jp->p[-1]);
			goto fail;
		}
	}
	*b = '\0';
	return buf;

fail:
	free(buf);
	return NULL;
}

/* A number exactly as RFC 8259 writes it; kept as text and as a double. */
static cJSON *
jsonc_number(struct jsonc_parser *jp, int line)
{
	const char	*s = jp->p, *p = jp->p;
	char		*copy, *dp, *ep;
	const char	*point;
	double		 d;
	cJSON		*node;

	if (p < jp->end && *p == '-')
		p++;
	if (p >= jp->end || *p < '0' || *p > '9')
		goto bad;
	if (*p == '0') {
		p++;
		if (p < jp->end && *p >= '0' && *p <= '9') {
			jsonc_error(jp, line, "leading zero in number");
			return NULL;
		}
	} else {
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < jp->end && *p == '.') {
		p++;
		if (p >= jp->end || *p < '0' || *p > '9')
			goto bad;
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < jp->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < jp->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= jp->end || *p < '0' || *p > '9')
			goto bad;
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < jp->end && ((*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '.'))
		goto bad;

	/* strtod follows LC_NUMERIC: swap in the locale's decimal point. */
	copy = xstrndup(s, (size_t)(p - s));
	point = localeconv()->decimal_point;
	if (point != NULL && point[0] != '\0' && point[0] != '.' &&
	    point[1] == '\0' && (dp = strchr(copy, '.')) != NULL)
		*dp = point[0];
	d = strtod(copy, &ep);
	free(copy);
	if (!isfinite(d)) {
		jsonc_error(jp, line, "number out of range");
		return NULL;
	}
	node = jsonc_checked(cJSON_CreateNumber(d));
	jsonc_record(jp, node, line, s, (size_t)(p - s));
	jp->p = p;
	return node;

bad:
	jsonc_error(jp, line, "malformed number");
	return NULL;
}

static int
jsonc_word(struct jsonc_parser *jp, const char *w)
{
	size_t	n = strlen(w);
	char	c;

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, w, n) != 0)
		return 0;
	if (jp->p + n < jp->end) {
		c = jp->p[n];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_')
			return 0;
	}
	jp->p += n;
	return 1;
}

/* Members of an object; jp->p is just past '{'. */
static int
jsonc_members(struct jsonc_parser *jp, cJSON *obj, int depth)
{
	cJSON		*val, *prev;
	char		*key;
	int		 key_line;
	struct jsonc_rec *r;

	for (;;) {
		if (jsonc_skip(jp) != 0)
			return -1;
		if (jp->p < jp->end && *jp->p == '}') {
			jp->p++;
			return 0;
		}
		if (jp->p >= jp->end) {
			jsonc_error(jp, jp->line, "unexpected end of input"
			    " in object (missing '}'?)");
			return -1;
		}
		if (*jp->p != '"') {
			jsonc_error(jp, jp->line, "expected a \"key\" or '}'");
			return -1;
		}
		key_line = jp->line;
		if ((key = jsonc_string(jp)) == NULL)
			return -1;
		if (jsonc_skip(jp) != 0 || jp->p >= jp->end ||
		    *jp->p != ':') {
			jsonc_error(jp, jp->line, "expected ':' after key \"%s\"",
			    key);
			free(key);
			return -1;
		}
		jp->p++;
		if ((val = jsonc_value(jp, depth)) == NULL) {
			free(key);
			return -1;
		}
		jp->lines->recs[jp->last].key_line = key_line;
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

		if (jsonc_skip(jp) != 0)
			return -1;
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == '}') {
			jp->p++;
			return 0;
		}
		jsonc_error(jp, jp->line, "expected ',' or '}' in object");
		return -1;
	}
}

/* Elements of an array; jp->p is just past '['. */
static int
jsonc_elements(struct jsonc_parser *jp, cJSON *arr, int depth)
{
	cJSON	*val;

	for (;;) {
		if (jsonc_skip(jp) != 0)
			return -1;
		if (jp->p < jp->end && *jp->p == ']') {
			jp->p++;
			return 0;
		}
		if ((val = jsonc_value(jp, depth)) == NULL)
			return -1;
		if (!cJSON_AddItemToArray(arr, val))
			fatalx("out of memory");
		if (jsonc_skip(jp) != 0)
			return -1;
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == ']') {
			jp->p++;
			return 0;
		}
		if (jp->p >= jp->end)
			jsonc_error(jp, jp->line, "unexpected end of input"
			    " in array (missing ']'?)");
		else
			jsonc_error(jp, jp->line, "expected ',' or ']' in array");
		return -1;
	}
}

/* One value after optional blanks; depth counts enclosing containers. */
static cJSON *
jsonc_value(struct jsonc_parser *jp, int depth)
{
	cJSON	*node;
	char	*s;
	int	 line, r;
	size_t	 rec;

	if (jsonc_skip(jp) != 0)
		return NULL;
	line = jp->line;
	if (jp->p >= jp->end) {
		jsonc_error(jp, line, "unexpected end of input");
		return NULL;
	}
	switch (*jp->p) {
	case '{':
	case '[':
		if (depth >= JSONC_MAX_DEPTH) {
			jsonc_error(jp, line, "nesting deeper than %d levels",
			    JSONC_MAX_DEPTH);
			return NULL;
		}
		if (*jp->p++ == '{') {
			node = jsonc_checked(cJSON_CreateObject());
			rec = jsonc_record(jp, node, line, NULL, 0);
			r = jsonc_members(jp, node, depth + 1);
		} else {
			node = jsonc_checked(cJSON_CreateArray());
			rec = jsonc_record(jp, node, line, NULL, 0);
			r = jsonc_elements(jp, node, depth + 1);
		}
		if (r != 0) {
			cJSON_Delete(node);
			return NULL;
		}
		jp->last = rec;
		return node;
	case '"':
		if ((s = jsonc_string(jp)) == NULL)
			return NULL;
		node = jsonc_checked(cJSON_CreateString(s));
		free(s);
		break;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return jsonc_number(jp, line);
	default:
		if (jsonc_word(jp, "true"))
			node = jsonc_checked(cJSON_CreateTrue());
		else if (jsonc_word(jp, "false"))
			node = jsonc_checked(cJSON_CreateFalse());
		else if (jsonc_word(jp, "null"))
			node = jsonc_checked(cJSON_CreateNull());
		else {
			unsigned char c = (unsigned char)*jp->p;
			if (c == '\'')
				jsonc_error(jp, line, "strings need double"
				    " quotes");
			else if (c >= 0x21 && c < 0x7f)
				jsonc_error(jp, line, "unexpected '%c'", c);
			else
				jsonc_error(jp, line, "unexpected byte 0x%02x",
				    c);
			return NULL;
		}
		break;
	}
	jsonc_record(jp, node, line, NULL, 0);
	return node;
}

cJSON *
jsonc_parse(const char *text, size_t len, struct jsonc_lines **lines,
    char **cause)
{
	struct jsonc_parser	 jp;
	const char		*nul;
	cJSON			*root;
	int			 line;

	if (lines != NULL)
		*lines = NULL;
	memset(&jp, 0, sizeof jp);
	jp.p = text;
	jp.end = text + len;
	jp.line = 1;

	if ((nul = memchr(text, '\0', len)) != NULL) {
		line = 1;
		for (; text < nul; text++)
			line += *text == '\n';
		xasprintf(cause, "line %d: NUL byte in input", line);
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		jp.p += 3;

	jp.lines = xcalloc(1, sizeof *jp.lines);
	root = jsonc_value(&jp, 0);
	if (root != NULL && jsonc_skip(&jp) == 0 && jp.p < jp.end) {
		jsonc_error(&jp, jp.line, "unexpected data after the end of"
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
