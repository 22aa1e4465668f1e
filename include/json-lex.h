/*
 * The one JSON lexer (RFC 8259), shared by the configuration reader (jsonc.c,
 * JSON with comments) and the ingest parser (parse-json.c, untrusted bodies on
 * the HTTP hot path). It cuts a buffer held by the caller into tokens and
 * allocates nothing: a string token is the span inside its quotes, checked
 * (escapes, \u surrogate pairs, no \u0000, no raw control characters, and
 * optionally UTF-8) and decoded on demand into a buffer of the caller's; a
 * number token is its text, checked against the grammar but never converted,
 * so that money keeps the digits it was written with. Lines are counted for
 * error messages. Nesting is the parsers' business: the lexer has no state
 * between tokens but its position.
 */
#ifndef ROIWATCH_JSON_LEX_H
#define ROIWATCH_JSON_LEX_H
#include <stddef.h>

/* json_lex_init flags */
#define JSON_LEX_COMMENTS	0x1	/* skip // and slash-star comments */
#define JSON_LEX_UTF8		0x2	/* refuse invalid UTF-8 in strings */

enum json_tok {
	JSON_TOK_END,		/* end of input */
	JSON_TOK_ERROR,		/* see json_lex.err */
	JSON_TOK_STRING,
	JSON_TOK_NUMBER,
	JSON_TOK_TRUE,
	JSON_TOK_FALSE,
	JSON_TOK_NULL,
	JSON_TOK_LBRACE,	/* { */
	JSON_TOK_RBRACE,	/* } */
	JSON_TOK_LBRACKET,	/* [ */
	JSON_TOK_RBRACKET,	/* ] */
	JSON_TOK_COLON,
	JSON_TOK_COMMA
};

enum json_lex_err {
	JSON_LEX_OK,
	JSON_LEX_E_UNTERMINATED,	/* string without its closing quote */
	JSON_LEX_E_NEWLINE,		/* raw newline in a string */
	JSON_LEX_E_CONTROL,		/* raw control character in a string */
	JSON_LEX_E_NUL,			/* NUL byte */
	JSON_LEX_E_UTF8,		/* invalid UTF-8 in a string */
	JSON_LEX_E_ESCAPE,		/* unknown backslash escape */
	JSON_LEX_E_HEX,			/* \u without four hex digits */
	JSON_LEX_E_U0000,		/* \u0000 */
	JSON_LEX_E_LOW_SURROGATE,	/* low surrogate with no high one */
	JSON_LEX_E_HIGH_SURROGATE,	/* high surrogate with no low one */
	JSON_LEX_E_LEADING_ZERO,	/* 01 */
	JSON_LEX_E_NUMBER,		/* any other malformed number */
	JSON_LEX_E_COMMENT,		/* slash-star comment left open */
	JSON_LEX_E_BYTE			/* a byte that starts no token */
};

/*
 * The cursor: the parser may read p, end and line (and move p and line
 * together, to read a part of the buffer again); the rest is the lexer's.
 */
struct json_lex {
	const char		*p;
	const char		*end;
	long			 line;		/* line of p, from 1 */
	int			 flags;
	enum json_lex_err	 err;		/* after a JSON_TOK_ERROR */
	long			 err_line;
	unsigned		 err_arg;	/* the byte or code point named */
};

struct json_token {
	enum json_tok	 type;
	const char	*p;		/* where the token starts; a string's */
	size_t		 len;		/*  span is inside its quotes */
	long		 line;		/* line where the token starts */
	int		 escaped;	/* a string holding backslash escapes */
};

void	json_lex_init(struct json_lex *, const char *buf, size_t len,
	    long line, int flags);
/* Skip blanks (and comments) and read one token into *t; returns its type.
 * After JSON_TOK_ERROR or JSON_TOK_END the cursor does not move again. */
enum json_tok json_lex_next(struct json_lex *, struct json_token *t);
/*
 * Decode a string token into out, which holds at least t->len bytes (decoded
 * text is never longer than its source); returns the decoded length. Not
 * NUL-terminated. Cannot fail: the token was checked when it was read.
 */
size_t	json_lex_decode(const struct json_token *t, char *out);
/* The last error as text without its line, e.g. "lone low surrogate \udc00". */
const char *json_lex_strerror(const struct json_lex *, char *buf, size_t len);

#endif
