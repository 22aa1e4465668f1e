/*
 * A growing string (sbuf.h), and text written into it as HTML.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sbuf.h"
#include "utf8.h"
#include "xmalloc.h"

void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->p = xreallocarray(b->p, 1, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void __attribute__((format(printf, 2, 3)))
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("%s: out of memory", __func__);
	sbuf_add(b, s, (size_t)n);
	free(s);
}

/* The finished string (never NULL); the sbuf is consumed. */
char *
sbuf_take(struct sbuf *b)
{
	char	*s = b->p != NULL ? b->p : xstrdup("");

	memset(b, 0, sizeof *b);
	return (s);
}

void
sbuf_html(struct sbuf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)(s == NULL ? "" :
				    s);
	const unsigned char	*end = p + strlen((const char *)p);
	size_t			 n;

	while (p < end) {
		switch (*p) {
		case '&':
			sbuf_puts(b, "&amp;");
			break;
		case '<':
			sbuf_puts(b, "&lt;");
			break;
		case '>':
			sbuf_puts(b, "&gt;");
			break;
		case '"':
			sbuf_puts(b, "&quot;");
			break;
		case '\'':
			sbuf_puts(b, "&#39;");
			break;
		default:
			if (*p >= 0x80) {
				if ((n = utf8_seq_len(p, end)) == 0)
					sbuf_puts(b, "\xef\xbf\xbd");
				else
					sbuf_add(b, (const char *)p, n);
				p += n == 0 ? 1 : n;
				continue;
			}
			if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
				sbuf_add(b, " ", 1);
			else
				sbuf_add(b, (const char *)p, 1);
			break;
		}
		p++;
	}
}
