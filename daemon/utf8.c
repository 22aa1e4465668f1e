/*
 * UTF-8 text helpers (see utf8.h): one copy of what the CSV parser, the JSON
 * lexer, money and currency scanning and the renderers each need.
 */
#include <stddef.h>
#include <string.h>

#include "utf8.h"

#define UTF8_NBSP	"\xc2\xa0"	/* U+00A0 no-break space */
#define UTF8_NNBSP	"\xe2\x80\xaf"	/* U+202F narrow no-break space */

size_t
utf8_seq_len(const unsigned char *s, const unsigned char *end)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
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

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	size_t n;

	while (p < e) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((n = utf8_seq_len(p, e)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

size_t
utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
utf8_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
utf8_blank(const char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (len >= 2 && memcmp(s, UTF8_NBSP, 2) == 0)
		return 2;
	if (len >= 3 && memcmp(s, UTF8_NNBSP, 3) == 0)
		return 3;
	return 0;
}

size_t
utf8_blank_end(const char *s, size_t len)
{
	if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		return 1;
	if (len >= 2 && memcmp(s + len - 2, UTF8_NBSP, 2) == 0)
		return 2;
	if (len >= 3 && memcmp(s + len - 3, UTF8_NNBSP, 3) == 0)
		return 3;
	return 0;
}

void
utf8_trim(const char **s, size_t *len)
{
	size_t n;

	while ((n = utf8_blank(*s, *len)) != 0) {
		*s += n;
		*len -= n;
	}
	while ((n = utf8_blank_end(*s, *len)) != 0)
		*len -= n;
}
