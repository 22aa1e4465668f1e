/*
 * JSON lexer (see json-lex.h). The hot paths are punctuation (one table
 * lookup) and the plain run of a string, read 8 bytes a step until a quote, a
 * backslash or a control character (and, when UTF-8 is checked, a byte above
 * 0x7f). Escapes are checked when the token is read, so that a string the
 * parser skips is checked as well and decoding cannot fail; decoding copies
 * plain runs with memcpy.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json-lex.h"
#include "utf8.h"

#define JL_STOP		0x1	/* ends a plain run in a string */
#define JL_HIGH		0x2	/* above 0x7f: UTF-8 to check */
#define JL_IDENT	0x4	/* A-Z a-z 0-9 _: may not follow a literal */
#define JL_NUMTAIL	0x8	/* ident or . + -: may not follow a number */
#define JL_SKIP		0x10	/* blank, or '/' that may open a comment */

/* The JL_ classes of every byte value. */
static const unsigned char json_lex_class[256] = {
	 1,  1,  1,  1,  1,  1,  1,  1,  1, 17, 17,  1,  1, 17,  1,  1,
	 1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,
	16,  0,  1,  0,  0,  0,  0,  0,  0,  0,  0,  8,  0,  8,  8, 16,
	12, 12, 12, 12, 12, 12, 12, 12, 12, 12,  0,  0,  0,  0,  0,  0,
	 0, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
	12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,  0,  1,  0,  0, 12,
	 0, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
	12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,  0,  0,  0,  0,  0,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
};

void
json_lex_init(struct json_lex *lx, const char *buf, size_t len, long line,
    int flags)
{
	memset(lx, 0, sizeof *lx);
	lx->p = buf;
	lx->end = buf + len;
	lx->line = line;
	lx->flags = flags;
}

static enum json_tok
json_lex_fail(struct json_lex *lx, struct json_token *t, enum json_lex_err err,
    long line, unsigned arg)
{
	lx->err = err;
	lx->err_line = line;
	lx->err_arg = arg;
	t->type = JSON_TOK_ERROR;
	return JSON_TOK_ERROR;
}

static int
json_lex_hex4(const unsigned char *s, const unsigned char *end, unsigned *out)
{
	unsigned	v = 0, c;
	int		i;

	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		v = v << 4 | c;
	}
	*out = v;
	return 0;
}

/*
 * The bytes of w that are a quote, a backslash, below 0x20 or, with high,
 * above 0x7f, as their top bits: the "has a zero byte" / "has a byte less
 * than n" tricks. Only the lowest flagged byte is sure (a borrow may flag the
 * bytes above it), which is the one wanted: plain text, most of every string,
 * goes 8 bytes a step.
 */
static inline uint64_t
json_lex_stops(uint64_t w, int high)
{
	const uint64_t	ones = 0x0101010101010101ULL;
	uint64_t	q = w ^ (ones * '"'), b = w ^ (ones * '\\'), hit;

	hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
	if (high)
		hit |= w;
	return hit & 0x8080808080808080ULL;
}

/* The first byte from s on that ends a plain run of a string, or e. */
static inline const unsigned char *
json_lex_plain(const unsigned char *s, const unsigned char *e,
    unsigned char stop, int high)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t	w, hit;

	for (; e - s >= 8; s += 8) {
		memcpy(&w, s, sizeof w);
		if ((hit = json_lex_stops(w, high)) != 0)
			return s + (__builtin_ctzll(hit) >> 3);
	}
#endif
	while (s < e && (json_lex_class[*s] & stop) == 0)
		s++;
	return s;
}

/* A string at q (its opening quote): find its end, checking what is inside. */
static enum json_tok __attribute__((noinline))
json_lex_string(struct json_lex *lx, struct json_token *t, const char *q)
{
	const unsigned char	*s = (const unsigned char *)q + 1;
	const unsigned char	*e = (const unsigned char *)lx->end;
	unsigned char		 stop = JL_STOP, c;
	unsigned		 cp, lo;
	size_t			 n;
	int			 high = (lx->flags & JSON_LEX_UTF8) != 0;

	if (high)
		stop |= JL_HIGH;
	t->escaped = 0;
	for (;;) {
		if ((s = json_lex_plain(s, e, stop, high)) >= e)
			return json_lex_fail(lx, t, JSON_LEX_E_UNTERMINATED,
			    t->line, 0);
		c = *s;
		if (c == '"')
			break;
		if (c >= 0x80) {
			if ((n = utf8_seq_len(s, e)) == 0)
				return json_lex_fail(lx, t, JSON_LEX_E_UTF8,
				    t->line, 0);
			s += n;
			continue;
		}
		if (c != '\\') {
			if (c == '\n')
				return json_lex_fail(lx, t, JSON_LEX_E_NEWLINE,
				    t->line, 0);
			return json_lex_fail(lx, t, c == '\0' ? JSON_LEX_E_NUL :
			    JSON_LEX_E_CONTROL, t->line, c);
		}
		t->escaped = 1;
		if (++s >= e)
			return json_lex_fail(lx, t, JSON_LEX_E_UNTERMINATED,
			    t->line, 0);
		switch (*s) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			s++;
			continue;
		case 'u':
			break;
		default:
			return json_lex_fail(lx, t, JSON_LEX_E_ESCAPE, t->line,
			    *s);
		}
		if (json_lex_hex4(s + 1, e, &cp) != 0)
			return json_lex_fail(lx, t, JSON_LEX_E_HEX, t->line, 0);
		s += 5;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return json_lex_fail(lx, t, JSON_LEX_E_LOW_SURROGATE,
			    t->line, cp);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (e - s < 6 || s[0] != '\\' || s[1] != 'u' ||
			    json_lex_hex4(s + 2, e, &lo) != 0 || lo < 0xdc00 ||
			    lo > 0xdfff)
				return json_lex_fail(lx, t,
				    JSON_LEX_E_HIGH_SURROGATE, t->line, cp);
			s += 6;
		}
		if (cp == 0)
			return json_lex_fail(lx, t, JSON_LEX_E_U0000, t->line, 0);
	}
	t->type = JSON_TOK_STRING;
	t->p = q + 1;
	t->len = (size_t)((const char *)s - t->p);
	lx->p = (const char *)s + 1;
	return JSON_TOK_STRING;
}

/* A number at p, checked against the RFC 8259 grammar and kept as text. */
static enum json_tok __attribute__((noinline))
json_lex_number(struct json_lex *lx, struct json_token *t, const char *p)
{
	const char	*e = lx->end;

	if (p < e && *p == '-')
		p++;
	if (p >= e || *p < '0' || *p > '9')
		goto bad;
	if (*p == '0') {
		if (++p < e && *p >= '0' && *p <= '9')
			return json_lex_fail(lx, t, JSON_LEX_E_LEADING_ZERO,
			    t->line, 0);
	} else {
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && *p == '.') {
		if (++p >= e || *p < '0' || *p > '9')
			goto bad;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			goto bad;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	/* "12abc" or "1.2.3" is one bad number, not a number and more. */
	if (p < e && (json_lex_class[(unsigned char)*p] & JL_NUMTAIL))
		goto bad;
	t->type = JSON_TOK_NUMBER;
	t->len = (size_t)(p - t->p);
	lx->p = p;
	return JSON_TOK_NUMBER;

bad:
	return json_lex_fail(lx, t, JSON_LEX_E_NUMBER, t->line, 0);
}

/* true, false or null at p, as a whole word ("truex" is not true). */
static enum json_tok __attribute__((noinline))
json_lex_word(struct json_lex *lx, struct json_token *t, const char *p)
{
	static const struct {
		const char	*w;
		size_t		 n;
		enum json_tok	 type;
	} words[] = {
		{ "true", 4, JSON_TOK_TRUE },
		{ "false", 5, JSON_TOK_FALSE },
		{ "null", 4, JSON_TOK_NULL },
	};
	size_t	i, n;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		n = words[i].n;
		if ((size_t)(lx->end - p) < n || memcmp(p, words[i].w, n) != 0)
			continue;
		if (p + n < lx->end &&
		    (json_lex_class[(unsigned char)p[n]] & JL_IDENT))
			break;
		t->type = words[i].type;
		t->len = n;
		lx->p = p + n;
		return t->type;
	}
	return json_lex_fail(lx, t, JSON_LEX_E_BYTE, t->line,
	    (unsigned char)*p);
}

/* Skip blanks and comments from lx->p; -1 with t the error on an open comment. */
static int
json_lex_skip(struct json_lex *lx, struct json_token *t)
{
	const char	*p = lx->p, *e = lx->end;
	long		 line = lx->line, start;

	for (; p < e; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r')
			continue;
		if (*p == '\n') {
			line++;
			continue;
		}
		if (*p != '/' || (lx->flags & JSON_LEX_COMMENTS) == 0 ||
		    p + 1 >= e || (p[1] != '/' && p[1] != '*'))
			break;
		if (p[1] == '/') {
			while (p + 1 < e && p[1] != '\n')
				p++;
			continue;
		}
		start = line;
		for (p += 2;; p++) {
			if (p >= e) {
				t->line = start;
				t->p = p;
				json_lex_fail(lx, t, JSON_LEX_E_COMMENT, start, 0);
				return -1;
			}
			if (*p == '\n')
				line++;
			else if (*p == '*' && p + 1 < e && p[1] == '/')
				break;
		}
		p++;
	}
	lx->p = p;
	lx->line = line;
	return 0;
}

/*
 * What the first byte of a token makes it: punctuation is the token itself;
 * S a string, N a number, W one of the words, E no token at all.
 */
#define LB	JSON_TOK_LBRACE
#define RB	JSON_TOK_RBRACE
#define LK	JSON_TOK_LBRACKET
#define RK	JSON_TOK_RBRACKET
#define CO	JSON_TOK_COLON
#define CM	JSON_TOK_COMMA
#define S	JSON_TOK_STRING
#define N	JSON_TOK_NUMBER
#define W	JSON_TOK_TRUE
#define E	JSON_TOK_ERROR
static const unsigned char json_lex_start[256] = {
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  S,  E,  E,  E,  E,  E,  E,  E,  E,  E, CM,  N,  E,  E,
	 N,  N,  N,  N,  N,  N,  N,  N,  N,  N, CO,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E, LK,  E, RK,  E,  E,
	 E,  E,  E,  E,  E,  E,  W,  E,  E,  E,  E,  E,  E,  E,  W,  E,
	 E,  E,  E,  E,  W,  E,  E,  E,  E,  E,  E, LB,  E, RB,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
	 E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,  E,
};
#undef LB
#undef RB
#undef LK
#undef RK
#undef CO
#undef CM
#undef S
#undef N
#undef W
#undef E

/*
 * Kept small so that the punctuation that makes up half of the tokens costs
 * a table lookup; strings, numbers and words go out of line.
 */
enum json_tok
json_lex_next(struct json_lex *lx, struct json_token *t)
{
	const char	*p = lx->p;
	unsigned char	 c;
	enum json_tok	 type;

	if (p < lx->end && (json_lex_class[(unsigned char)*p] & JL_SKIP)) {
		if (json_lex_skip(lx, t) != 0)
			return JSON_TOK_ERROR;
		p = lx->p;
	}
	t->p = p;
	t->line = lx->line;
	t->escaped = 0;
	if (p >= lx->end) {
		t->len = 0;
		return t->type = JSON_TOK_END;
	}
	c = (unsigned char)*p;
	type = (enum json_tok)json_lex_start[c];
	if (type >= JSON_TOK_LBRACE) {
		t->type = type;
		t->len = 1;
		lx->p = p + 1;
		return type;
	}
	switch (type) {
	case JSON_TOK_STRING:
		return json_lex_string(lx, t, p);
	case JSON_TOK_NUMBER:
		return json_lex_number(lx, t, p);
	case JSON_TOK_TRUE:
		return json_lex_word(lx, t, p);
	default:
		return json_lex_fail(lx, t, c == '\0' ? JSON_LEX_E_NUL :
		    JSON_LEX_E_BYTE, t->line, c);
	}
}

size_t
json_lex_decode(const struct json_token *t, char *out)
{
	const unsigned char	*s = (const unsigned char *)t->p;
	const unsigned char	*e = s + t->len, *bs;
	char			*o = out;
	unsigned		 cp = 0, lo = 0;	/* set by json_lex_hex4 (-O3 cannot tell) */

	if (!t->escaped) {
		memcpy(out, t->p, t->len);
		return t->len;
	}
	while (s < e) {
		if ((bs = memchr(s, '\\', (size_t)(e - s))) == NULL)
			bs = e;
		memcpy(o, s, (size_t)(bs - s));
		o += bs - s;
		if ((s = bs) >= e)
			break;
		s++;
		switch (*s++) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			json_lex_hex4(s, e, &cp);
			s += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				json_lex_hex4(s + 2, e, &lo);
				s += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			/* 6 (or 12) escape bytes always exceed the output. */
			o += utf8_put(o, cp);
			break;
		default:	/* " \ / */
			*o++ = (char)s[-1];
			break;
		}
	}
	return (size_t)(o - out);
}

const char *
json_lex_strerror(const struct json_lex *lx, char *buf, size_t len)
{
	unsigned	a = lx->err_arg;

	switch (lx->err) {
	case JSON_LEX_OK:
		snprintf(buf, len, "no error");
		break;
	case JSON_LEX_E_UNTERMINATED:
		snprintf(buf, len, "unterminated string");
		break;
	case JSON_LEX_E_NEWLINE:
		snprintf(buf, len, "newline in string (missing closing quote?)");
		break;
	case JSON_LEX_E_CONTROL:
		snprintf(buf, len, "control character 0x%02x in string", a);
		break;
	case JSON_LEX_E_NUL:
		snprintf(buf, len, "NUL byte");
		break;
	case JSON_LEX_E_UTF8:
		snprintf(buf, len, "invalid UTF-8 in string");
		break;
	case JSON_LEX_E_ESCAPE:
		if (a >= 0x21 && a < 0x7f)
			snprintf(buf, len, "bad escape '\\%c'", (char)a);
		else
			snprintf(buf, len, "bad escape '\\' then byte 0x%02x",
			    a);
		break;
	case JSON_LEX_E_HEX:
		snprintf(buf, len, "bad \\u escape (need 4 hex digits)");
		break;
	case JSON_LEX_E_U0000:
		snprintf(buf, len, "\\u0000 is not allowed in strings");
		break;
	case JSON_LEX_E_LOW_SURROGATE:
		snprintf(buf, len, "lone low surrogate \\u%04x", a);
		break;
	case JSON_LEX_E_HIGH_SURROGATE:
		snprintf(buf, len, "high surrogate \\u%04x not followed by a "
		    "low surrogate", a);
		break;
	case JSON_LEX_E_LEADING_ZERO:
		snprintf(buf, len, "leading zero in number");
		break;
	case JSON_LEX_E_NUMBER:
		snprintf(buf, len, "malformed number");
		break;
	case JSON_LEX_E_COMMENT:
		snprintf(buf, len, "unterminated /* comment");
		break;
	case JSON_LEX_E_BYTE:
		if (a == '\'')
			snprintf(buf, len, "strings need double quotes");
		else if (a >= 0x21 && a < 0x7f)
			snprintf(buf, len, "unexpected '%c'", (char)a);
		else
			snprintf(buf, len, "unexpected byte 0x%02x", a);
		break;
	}
	return buf;
}
