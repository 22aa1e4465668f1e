/*
 * UTF-8 text helpers shared by the parsers, the JSON lexer, money and
 * currency scanning and the renderers: validation (RFC 3629), encoding,
 * display width, and the blanks found around figures in real exports
 * (space, tab, U+00A0 and U+202F, the no-break spaces of French formatting).
 * Pure.
 */
#ifndef ROIWATCH_UTF8_H
#define ROIWATCH_UTF8_H
#include <stddef.h>

/* Length of the valid sequence at s (lead byte >= 0x80; end bounds it), or
 * 0: overlong forms, surrogates and code points above U+10FFFF are invalid. */
size_t	utf8_seq_len(const unsigned char *s, const unsigned char *end);
/* Whether len bytes at s are valid UTF-8. */
int	utf8_valid(const char *s, size_t len);
/* Write code point cp (<= U+10FFFF, not a surrogate) at o: 1 to 4 bytes. */
size_t	utf8_put(char *o, unsigned cp);
/* Display width in code points of a NUL-terminated string. */
size_t	utf8_width(const char *s);

/* Length of a blank (space, tab, U+00A0, U+202F) at s / ending at s + len,
 * or 0. */
size_t	utf8_blank(const char *s, size_t len);
size_t	utf8_blank_end(const char *s, size_t len);
/* Drop blanks at both ends of (*s, *len). */
void	utf8_trim(const char **s, size_t *len);

#endif
