/*
 * A growing string (sbuf.c): what every renderer writes its message into.
 * Zero-initialise it ({ NULL, 0, 0 }); sbuf_take() hands the string over.
 */
#ifndef ROIWATCH_SBUF_H
#define ROIWATCH_SBUF_H
#include <stddef.h>

struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
void	sbuf_add(struct sbuf *, const char *, size_t);
void	sbuf_puts(struct sbuf *, const char *);
void	sbuf_printf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char   *sbuf_take(struct sbuf *);	/* never NULL; consumes the sbuf */
/*
 * Text as HTML: & < > " ' escaped, control characters other than '\n'
 * turned into spaces, invalid UTF-8 into U+FFFD (NULL: nothing).
 */
void	sbuf_html(struct sbuf *, const char *);

#endif
