/*
 * MIME for outgoing e-mail (RFC 5322, 2045-2047, 2231 not needed): header
 * lines that cannot be injected into, RFC 2047 encoded words for text that
 * is not ASCII, address lists with display names, quoted-printable and
 * base64 bodies, a deterministic multipart boundary, the Date and the
 * Message-ID. Every function returns a new string (caller frees) with CRLF
 * line ends. Pure: no clock, no randomness.
 *
 * Injection: every text that reaches a header goes through mime_clean()
 * (control characters, CR, LF and NUL become spaces; invalid UTF-8 becomes
 * '?'), and addresses through mime_addr_parse(), which refuses what is not
 * one address. Header lines are folded to at most 78 characters where the
 * text allows it; encoded words are at most 75 characters and never split a
 * UTF-8 sequence.
 */
#ifndef ROIWATCH_MIME_H
#define ROIWATCH_MIME_H
#include <stddef.h>
#include <stdint.h>

#define MIME_LINE_MAX	78	/* header lines, folding included */
#define MIME_WORD_MAX	75	/* one encoded word */
#define MIME_BODY_MAX	76	/* quoted-printable and base64 lines */

/* One address: "Display Name <local@domain>" or "local@domain". */
struct mime_addr {
	char	*display;	/* UTF-8, unquoted; "" when none */
	char	*addr;		/* local@domain, ASCII */
};

/*
 * Text fit for a header: C0 and C1 control characters (CR, LF, NUL, TAB...)
 * and DEL become spaces, invalid UTF-8 bytes become '?'.
 */
char	*mime_clean(const char *);

/*
 * Parse one address. The addr-spec is a dot-atom local part, '@', and a
 * domain of letters, digits and hyphens (an international domain in its
 * xn-- form); the display name is any text without control characters,
 * or, unless written in double quotes, without '"', '>', ',' or ';'. 0, or
 * -1 with *why saying what is wrong (the address quoted, cleaned).
 */
int	 mime_addr_parse(const char *, struct mime_addr *, char **why);
void	 mime_addr_clear(struct mime_addr *);
/* mime_addr_parse() for validation only. */
int	 mime_addr_check(const char *, char **why);

/*
 * "Name: value\r\n" for unstructured text (Subject, X-...): the value
 * cleaned, then plain when printable ASCII (folded at spaces), else RFC
 * 2047 encoded words (UTF-8, Q or B, whichever is shorter), folded.
 */
char	*mime_header_text(const char *name, const char *value);
/*
 * "Name: a, b\r\n" (From, To, Reply-To): each address parsed, its display
 * name plain, quoted or encoded, its addr-spec kept; one address per line
 * when several. Addresses that do not parse are left out and counted in
 * *nbad (may be NULL). With none left: NULL.
 */
char	*mime_header_addrs(const char *name, char *const *addrs, size_t n,
	    size_t *nbad);
/* RFC 2047 encoded words of text as they would follow `col` characters of
 * a header line (folds included). For the tests and the headers above. */
char	*mime_encode_words(const char *text, size_t col);

/*
 * Quoted-printable (RFC 2045 6.7) of text with '\n' line ends: lines of at
 * most 76 characters, soft breaks never inside an =XX nor a UTF-8 sequence;
 * spaces before a line end, '=', a leading '.' and a leading "From " are
 * encoded.
 */
char	*mime_qp(const char *text);
/* Base64 of len bytes in lines of 76 characters. */
char	*mime_base64(const void *, size_t len);

/*
 * A multipart boundary made from seed (the idempotency key: the same
 * message gets the same boundary on every resend) that occurs in none of
 * the parts (their encoded text).
 */
char	*mime_boundary(const char *seed, const char *const *parts,
	    size_t nparts);
/* RFC 5322 date of a unix time, in UTC: "Tue, 05 Mar 2024 10:00:00 +0000". */
char	*mime_date(int64_t);
/* "<key@domain>": the key with characters outside dot-atom text replaced
 * by '-', the domain of `from` (an address) or "roiwatch.invalid". */
char	*mime_message_id(const char *key, const char *from);

#endif
