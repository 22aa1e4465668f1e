/*
 * The JSON lexer: strings (escapes, surrogate pairs, control characters,
 * UTF-8), numbers, words, punctuation, comments, lines, truncated input, and
 * the 8-bytes-a-step string scan against a byte-by-byte reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-lex.h"

#define IN(s)	s, sizeof s - 1		/* a literal, NUL bytes included */

struct lex_case {
	const char		*in;
	size_t			 len;
	int			 flags;
	enum json_tok		 type;
	const char		*want;	/* decoded string or number text */
	size_t			 wantlen;
	enum json_lex_err	 err;
	unsigned		 arg;	/* checked when not 0 */
	long			 line;	/* of the token or error; 0: 1 */
};

/* The first token of c->in must be what c says. */
static void
check_case(const struct lex_case *c, size_t i)
{
	struct json_lex		lx;
	struct json_token	t;
	enum json_tok		type;
	char			*out;
	size_t			 n;
	long			 line = c->line != 0 ? c->line : 1;

	json_lex_init(&lx, c->in, c->len, 1, c->flags);
	type = json_lex_next(&lx, &t);
	if (type != c->type || t.type != type)
		fail_msg("case %zu: token %d, want %d (error %d)", i, type,
		    c->type, lx.err);
	if (type == JSON_TOK_ERROR) {
		if (lx.err != c->err)
			fail_msg("case %zu: error %d, want %d", i, lx.err, c->err);
		if (c->arg != 0 && lx.err_arg != c->arg)
			fail_msg("case %zu: error names 0x%x, want 0x%x", i,
			    lx.err_arg, c->arg);
		if (lx.err_line != line)
			fail_msg("case %zu: error line %ld, want %ld", i,
			    lx.err_line, line);
		/* Errors stick: the cursor does not move on. */
		assert_int_equal(json_lex_next(&lx, &t), JSON_TOK_ERROR);
		assert_int_equal(lx.err, c->err);
		return;
	}
	if (t.line != line)
		fail_msg("case %zu: line %ld, want %ld", i, t.line, line);
	if (c->want == NULL)
		return;
	if (type == JSON_TOK_STRING) {
		/* Exactly t.len bytes: the decoder must fit in the source. */
		out = malloc(t.len > 0 ? t.len : 1);
		assert_non_null(out);
		n = json_lex_decode(&t, out);
		if (n != c->wantlen || memcmp(out, c->want, n) != 0)
			fail_msg("case %zu: decoded %zu bytes [%.*s], want [%s]",
			    i, n, (int)n, out, c->want);
		free(out);
	} else if (t.len != c->wantlen || memcmp(t.p, c->want, t.len) != 0)
		fail_msg("case %zu: text [%.*s], want [%s]", i, (int)t.len,
		    t.p, c->want);
}

static void
check_cases(const struct lex_case *cases, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		check_case(&cases[i], i);
}

#define OK(s, f, ty, w)		{ IN(s), f, ty, IN(w), 0, 0, 0 }
#define OKL(s, f, ty, w, l)	{ IN(s), f, ty, IN(w), 0, 0, l }
#define BAD(s, f, e, a)		{ IN(s), f, JSON_TOK_ERROR, NULL, 0, e, a, 0 }
#define U			JSON_LEX_UTF8

static void
test_strings(void **state)
{
	static const struct lex_case cases[] = {
		OK("\"abc\"", 0, JSON_TOK_STRING, "abc"),
		OK("\"\"", 0, JSON_TOK_STRING, ""),
		OK("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0, JSON_TOK_STRING,
		    "\"\\/\b\f\n\r\t"),
		OK("\"\\u0041\\u00e9\\u20AC\"", 0, JSON_TOK_STRING,
		    "A\xc3\xa9\xe2\x82\xac"),
		OK("\"caf\\u00e9 \\ud83d\\ude00!\"", 0, JSON_TOK_STRING,
		    "caf\xc3\xa9 \xf0\x9f\x98\x80!"),
		OK("\"\\uD83D\\uDE00\"", 0, JSON_TOK_STRING,
		    "\xf0\x9f\x98\x80"),
		OK("\"\\udbff\\udfff\"", 0, JSON_TOK_STRING,
		    "\xf4\x8f\xbf\xbf"),
		OK("\"\x7f\"", 0, JSON_TOK_STRING, "\x7f"),
		OK("\"a // b /* c\"", JSON_LEX_COMMENTS, JSON_TOK_STRING,
		    "a // b /* c"),
		OK("\"0123456789abcdef\\n0123456789\"", 0, JSON_TOK_STRING,
		    "0123456789abcdef\n0123456789"),
		/* surrogates */
		BAD("\"\\ud83d\"", 0, JSON_LEX_E_HIGH_SURROGATE, 0xd83d),
		BAD("\"\\ud83d\\u0041\"", 0, JSON_LEX_E_HIGH_SURROGATE, 0xd83d),
		BAD("\"\\ud83d\\ud83d\"", 0, JSON_LEX_E_HIGH_SURROGATE, 0xd83d),
		BAD("\"\\ud83dx\\ude00\"", 0, JSON_LEX_E_HIGH_SURROGATE, 0xd83d),
		BAD("\"\\ude00\"", 0, JSON_LEX_E_LOW_SURROGATE, 0xde00),
		BAD("\"\\ude00\\ud83d\"", 0, JSON_LEX_E_LOW_SURROGATE, 0xde00),
		/* other escapes */
		BAD("\"a\\u0000b\"", 0, JSON_LEX_E_U0000, 0),
		BAD("\"\\u12\"", 0, JSON_LEX_E_HEX, 0),
		BAD("\"\\u12g4\"", 0, JSON_LEX_E_HEX, 0),
		BAD("\"\\x\"", 0, JSON_LEX_E_ESCAPE, 'x'),
		BAD("\"\\'\"", 0, JSON_LEX_E_ESCAPE, '\''),
		BAD("\"\\U0041\"", 0, JSON_LEX_E_ESCAPE, 'U'),
		/* raw control characters */
		BAD("\"a\tb\"", 0, JSON_LEX_E_CONTROL, '\t'),
		BAD("\"a\x1f\"", 0, JSON_LEX_E_CONTROL, 0x1f),
		BAD("\"a\nb\"", 0, JSON_LEX_E_NEWLINE, 0),
		BAD("\"a\rb\"", 0, JSON_LEX_E_CONTROL, '\r'),
		BAD("\"a\0b\"", 0, JSON_LEX_E_NUL, 0),
		BAD("\"01234567\x01\"", 0, JSON_LEX_E_CONTROL, 0x01),
		/* UTF-8, checked only when asked */
		OK("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", U,
		    JSON_TOK_STRING, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		OK("\"\xff\xc0\xaf\"", 0, JSON_TOK_STRING, "\xff\xc0\xaf"),
		BAD("\"\xc0\xaf\"", U, JSON_LEX_E_UTF8, 0),	/* overlong / */
		BAD("\"\xe0\x80\xaf\"", U, JSON_LEX_E_UTF8, 0),	/* overlong */
		BAD("\"\xf0\x80\x80\xaf\"", U, JSON_LEX_E_UTF8, 0),
		BAD("\"\xed\xa0\x80\"", U, JSON_LEX_E_UTF8, 0),	/* surrogate */
		BAD("\"\xf4\x90\x80\x80\"", U, JSON_LEX_E_UTF8, 0),	/* >10FFFF */
		BAD("\"\xe2\x82\"", U, JSON_LEX_E_UTF8, 0),	/* truncated */
		BAD("\"\xe2\x82", U, JSON_LEX_E_UTF8, 0),	/* at the end */
		BAD("\"\x80\"", U, JSON_LEX_E_UTF8, 0),	/* continuation */
		BAD("\"\xff\"", U, JSON_LEX_E_UTF8, 0),
		BAD("\"abcdefgh\xc3\x28\"", U, JSON_LEX_E_UTF8, 0),
		/* truncated input */
		BAD("\"", 0, JSON_LEX_E_UNTERMINATED, 0),
		BAD("\"abc", 0, JSON_LEX_E_UNTERMINATED, 0),
		BAD("\"0123456789abcdef", 0, JSON_LEX_E_UNTERMINATED, 0),
		BAD("\"abc\\", 0, JSON_LEX_E_UNTERMINATED, 0),
		BAD("\"abc\\\"", 0, JSON_LEX_E_UNTERMINATED, 0),
		BAD("\"\\u12", 0, JSON_LEX_E_HEX, 0),
		BAD("\"\\ud83d\\u", 0, JSON_LEX_E_HIGH_SURROGATE, 0xd83d),
	};

	(void)state;
	check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void
test_numbers(void **state)
{
	static const struct lex_case cases[] = {
		OK("0", 0, JSON_TOK_NUMBER, "0"),
		OK("-0", 0, JSON_TOK_NUMBER, "-0"),
		OK("12", 0, JSON_TOK_NUMBER, "12"),
		OK("-12.50", 0, JSON_TOK_NUMBER, "-12.50"),
		OK("0.0001", 0, JSON_TOK_NUMBER, "0.0001"),
		OK("1e3", 0, JSON_TOK_NUMBER, "1e3"),
		OK("1E+3", 0, JSON_TOK_NUMBER, "1E+3"),
		OK("1.5e-2", 0, JSON_TOK_NUMBER, "1.5e-2"),
		OK("92233720368.547758", 0, JSON_TOK_NUMBER,
		    "92233720368.547758"),
		OK("1,", 0, JSON_TOK_NUMBER, "1"),
		OK("1]", 0, JSON_TOK_NUMBER, "1"),
		OK("1}", 0, JSON_TOK_NUMBER, "1"),
		OK("1 x", 0, JSON_TOK_NUMBER, "1"),
		OK("1\n", 0, JSON_TOK_NUMBER, "1"),
		OK("1/", 0, JSON_TOK_NUMBER, "1"),
		BAD("01", 0, JSON_LEX_E_LEADING_ZERO, 0),
		BAD("-01", 0, JSON_LEX_E_LEADING_ZERO, 0),
		BAD("00", 0, JSON_LEX_E_LEADING_ZERO, 0),
		BAD("1.", 0, JSON_LEX_E_NUMBER, 0),
		BAD("1.e3", 0, JSON_LEX_E_NUMBER, 0),
		BAD("-", 0, JSON_LEX_E_NUMBER, 0),
		BAD("-a", 0, JSON_LEX_E_NUMBER, 0),
		BAD("- 1", 0, JSON_LEX_E_NUMBER, 0),
		BAD("1e", 0, JSON_LEX_E_NUMBER, 0),
		BAD("1e+", 0, JSON_LEX_E_NUMBER, 0),
		BAD("12abc", 0, JSON_LEX_E_NUMBER, 0),
		BAD("1.2.3", 0, JSON_LEX_E_NUMBER, 0),
		BAD("1-2", 0, JSON_LEX_E_NUMBER, 0),
		BAD("1e5+", 0, JSON_LEX_E_NUMBER, 0),
		BAD("0x10", 0, JSON_LEX_E_NUMBER, 0),
		BAD("1_000", 0, JSON_LEX_E_NUMBER, 0),
		BAD(".5", 0, JSON_LEX_E_BYTE, '.'),
		BAD("+1", 0, JSON_LEX_E_BYTE, '+'),
		BAD("Infinity", 0, JSON_LEX_E_BYTE, 'I'),
		BAD("NaN", 0, JSON_LEX_E_BYTE, 'N'),
	};

	(void)state;
	check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void
test_words_and_bytes(void **state)
{
	static const struct lex_case cases[] = {
		OK("true", 0, JSON_TOK_TRUE, "true"),
		OK("false", 0, JSON_TOK_FALSE, "false"),
		OK("null", 0, JSON_TOK_NULL, "null"),
		OK("true,", 0, JSON_TOK_TRUE, "true"),
		OK("null]", 0, JSON_TOK_NULL, "null"),
		BAD("truex", 0, JSON_LEX_E_BYTE, 't'),
		BAD("true_", 0, JSON_LEX_E_BYTE, 't'),
		BAD("tru", 0, JSON_LEX_E_BYTE, 't'),
		BAD("nul", 0, JSON_LEX_E_BYTE, 'n'),
		BAD("True", 0, JSON_LEX_E_BYTE, 'T'),
		BAD("fals", 0, JSON_LEX_E_BYTE, 'f'),
		BAD("'a'", 0, JSON_LEX_E_BYTE, '\''),
		BAD("\x01", 0, JSON_LEX_E_BYTE, 0x01),
		BAD("\xc3\xa9", 0, JSON_LEX_E_BYTE, 0xc3),
		BAD("\0", 0, JSON_LEX_E_NUL, 0),
		BAD("/", JSON_LEX_COMMENTS, JSON_LEX_E_BYTE, '/'),
		BAD("// c\n1", 0, JSON_LEX_E_BYTE, '/'),
		BAD("/* c */ 1", 0, JSON_LEX_E_BYTE, '/'),
		/* comments only when enabled */
		OKL("// c\n/* x\n y */ 1", JSON_LEX_COMMENTS, JSON_TOK_NUMBER,
		    "1", 3),
		OK("/**/1", JSON_LEX_COMMENTS, JSON_TOK_NUMBER, "1"),
		OK("/* a * / b **/ null", JSON_LEX_COMMENTS, JSON_TOK_NULL,
		    "null"),
		OK("// only a comment", JSON_LEX_COMMENTS, JSON_TOK_END, ""),
		{ IN("\n/* open\n comment"), JSON_LEX_COMMENTS, JSON_TOK_ERROR,
		    NULL, 0, JSON_LEX_E_COMMENT, 0, 2 },
		{ IN("/*/"), JSON_LEX_COMMENTS, JSON_TOK_ERROR, NULL, 0,
		    JSON_LEX_E_COMMENT, 0, 1 },
		/* blanks and lines */
		OK("", 0, JSON_TOK_END, ""),
		OKL(" \t\r\n\n ", 0, JSON_TOK_END, "", 3),
		{ IN("\n\n\"a\tb\""), 0, JSON_TOK_ERROR, NULL, 0,
		    JSON_LEX_E_CONTROL, '\t', 3 },
	};

	(void)state;
	check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* A document's tokens, in order, with their lines. */
static void
test_sequence(void **state)
{
	static const char doc[] = "{\"a\" :\n [1, true,\r\n null],\n"
	    "\"b\":{}}  ";
	static const struct {
		enum json_tok	type;
		long		line;
	} want[] = {
		{ JSON_TOK_LBRACE, 1 }, { JSON_TOK_STRING, 1 },
		{ JSON_TOK_COLON, 1 }, { JSON_TOK_LBRACKET, 2 },
		{ JSON_TOK_NUMBER, 2 }, { JSON_TOK_COMMA, 2 },
		{ JSON_TOK_TRUE, 2 }, { JSON_TOK_COMMA, 2 },
		{ JSON_TOK_NULL, 3 }, { JSON_TOK_RBRACKET, 3 },
		{ JSON_TOK_COMMA, 3 }, { JSON_TOK_STRING, 4 },
		{ JSON_TOK_COLON, 4 }, { JSON_TOK_LBRACE, 4 },
		{ JSON_TOK_RBRACE, 4 }, { JSON_TOK_RBRACE, 4 },
		{ JSON_TOK_END, 4 }, { JSON_TOK_END, 4 },
	};
	struct json_lex		lx;
	struct json_token	t;
	size_t			i;

	(void)state;
	json_lex_init(&lx, doc, sizeof doc - 1, 1, 0);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(json_lex_next(&lx, &t), want[i].type);
		assert_int_equal(t.line, want[i].line);
	}

	/* A cursor started at another line counts from there (NDJSON). */
	json_lex_init(&lx, "\n1", 2, 41, 0);
	assert_int_equal(json_lex_next(&lx, &t), JSON_TOK_NUMBER);
	assert_int_equal(t.line, 42);

	/* An open comment after a token is an error at the comment's line. */
	json_lex_init(&lx, "1 /* open\n", 10, 1, JSON_LEX_COMMENTS);
	assert_int_equal(json_lex_next(&lx, &t), JSON_TOK_NUMBER);
	assert_int_equal(json_lex_next(&lx, &t), JSON_TOK_ERROR);
	assert_int_equal(lx.err, JSON_LEX_E_COMMENT);
	assert_int_equal(lx.err_line, 1);
}

/*
 * Every byte value at every place of strings of 1 to 24 bytes, against a
 * byte-by-byte reference: the 8-bytes-a-step scan must stop exactly where the
 * first byte that ends a plain run is, whatever follows it.
 */
static void
test_scan_reference(void **state)
{
	char			 buf[32];
	struct json_lex		 lx;
	struct json_token	 t;
	enum json_tok		 type;
	enum json_lex_err	 want;
	size_t			 len, pos;
	unsigned		 b;
	int			 flags;

	(void)state;
	for (flags = 0; flags <= JSON_LEX_UTF8; flags += JSON_LEX_UTF8)
	for (len = 1; len <= 24; len++)
	for (pos = 0; pos < len; pos++)
	for (b = 0; b < 256; b++) {
		buf[0] = '"';
		memset(buf + 1, 'a', len);
		buf[1 + pos] = (char)b;
		buf[1 + len] = '"';
		/* a stray quote or high byte after it must not matter */
		buf[2 + len] = (char)(b & 1 ? '"' : 0xff);
		json_lex_init(&lx, buf, len + 3, 1, flags);
		type = json_lex_next(&lx, &t);

		if (b == '"') {
			assert_int_equal(type, JSON_TOK_STRING);
			assert_int_equal(t.len, pos);
			continue;
		}
		want = JSON_LEX_OK;
		if (b == '\\' && pos + 1 == len)	/* \" then 0xff */
			want = flags & JSON_LEX_UTF8 ? JSON_LEX_E_UTF8 :
			    JSON_LEX_E_UNTERMINATED;
		else if (b == '\\')
			want = JSON_LEX_E_ESCAPE;	/* \a */
		else if (b == '\n')
			want = JSON_LEX_E_NEWLINE;
		else if (b == 0)
			want = JSON_LEX_E_NUL;
		else if (b < 0x20)
			want = JSON_LEX_E_CONTROL;
		else if (b >= 0x80 && (flags & JSON_LEX_UTF8))
			want = JSON_LEX_E_UTF8;
		if (want == JSON_LEX_OK) {
			assert_int_equal(type, JSON_TOK_STRING);
			assert_int_equal(t.len, len);
		} else {
			assert_int_equal(type, JSON_TOK_ERROR);
			assert_int_equal(lx.err, want);
		}
	}
}

static void
test_messages(void **state)
{
	static const struct {
		enum json_lex_err	 err;
		unsigned		 arg;
		const char		*want;
	} cases[] = {
		{ JSON_LEX_E_LOW_SURROGATE, 0xde00, "lone low surrogate \\ude00" },
		{ JSON_LEX_E_HIGH_SURROGATE, 0xd83d, "high surrogate \\ud83d not "
		    "followed by a low surrogate" },
		{ JSON_LEX_E_CONTROL, 9, "control character 0x09 in string" },
		{ JSON_LEX_E_ESCAPE, 'x', "bad escape '\\x'" },
		{ JSON_LEX_E_BYTE, '\'', "strings need double quotes" },
		{ JSON_LEX_E_BYTE, 'x', "unexpected 'x'" },
		{ JSON_LEX_E_BYTE, 1, "unexpected byte 0x01" },
		{ JSON_LEX_E_U0000, 0, "\\u0000 is not allowed in strings" },
		{ JSON_LEX_E_COMMENT, 0, "unterminated /* comment" },
	};
	struct json_lex	lx;
	char		buf[128];
	size_t		i;

	(void)state;
	memset(&lx, 0, sizeof lx);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lx.err = cases[i].err;
		lx.err_arg = cases[i].arg;
		assert_string_equal(json_lex_strerror(&lx, buf, sizeof buf),
		    cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_words_and_bytes),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_scan_reference),
		cmocka_unit_test(test_messages),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
