/*
 * Streaming CSV tokenizer (see csv.h). The hot path is the unquoted field: one
 * table lookup per byte until a delimiter or a line end, no copy. Quoted fields
 * are found with memchr; only those holding "" escapes are copied, into a
 * scratch buffer whose fields are given as offsets until the record is
 * complete (the scratch may move when it grows) and turned into pointers last.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "xmalloc.h"

#define CSV_DETECT_LINES	10
#define CSV_SCRATCH		2	/* csv_field.quoted while p is an offset */

struct csv {
	const char		*p;
	const char		*end;
	char			 delim;
	unsigned char		 stop[256];	/* bytes ending an unquoted field */
	long			 line;		/* physical line at p */
	long			 rec_line;	/* line where the last record started */
	const char		*base;

	struct csv_field	*fields;
	size_t			 nalloc;
	char			*scratch;
	size_t			 slen;
	size_t			 salloc;
};

char
csv_detect_delimiter(const char *buf, size_t len)
{
	static const char cand[] = { ',', ';', '\t' };
	size_t count[3] = { 0, 0, 0 }, i;
	int inq = 0, lines = 0, best;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	for (i = 0; i < len && lines < CSV_DETECT_LINES; i++) {
		switch (buf[i]) {
		case '"':
			inq = !inq;
			break;
		case ',':
			count[0] += !inq;
			break;
		case ';':
			count[1] += !inq;
			break;
		case '\t':
			count[2] += !inq;
			break;
		case '\r':
		case '\n':
			if (inq)
				break;
			if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
				i++;
			if (count[0] + count[1] + count[2] != 0)
				goto done;
			lines++;
			break;
		}
	}
done:
	best = 0;
	if (count[1] > count[best])
		best = 1;
	if (count[2] > count[best])
		best = 2;
	return cand[best];
}

struct csv *
csv_new(const char *buf, size_t len, char delim)
{
	struct csv	*c;

	c = xcalloc(1, sizeof *c);
	c->base = buf;
	c->p = buf;
	c->end = buf + len;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		c->p += 3;
	}
	if (delim == 0)
		delim = csv_detect_delimiter(c->p, (size_t)(c->end - c->p));
	c->delim = delim;
	c->stop[(unsigned char)delim] = 1;
	c->stop['\r'] = 1;
	c->stop['\n'] = 1;
	c->line = 1;
	c->rec_line = 1;
	return c;
}

void
csv_free(struct csv *c)
{
	if (c == NULL)
		return;
	free(c->fields);
	free(c->scratch);
	free(c);
}

long
csv_line(const struct csv *c)
{
	return c->rec_line;
}

size_t
csv_offset(const struct csv *c)
{
	return (size_t)(c->p - c->base);
}

static void
csv_scratch_add(struct csv *c, const char *s, size_t n)
{
	if (c->salloc - c->slen < n) {
		size_t want = c->salloc ? c->salloc : 256;

		while (want - c->slen < n)
			want *= 2;
		c->scratch = xreallocarray(c->scratch, 1, want);
		c->salloc = want;
	}
	memcpy(c->scratch + c->slen, s, n);
	c->slen += n;
}

/* Count the line ends in [s, e): LF, CRLF and a lone CR each end one line. */
static long
csv_count_lines(const char *s, const char *e)
{
	long n = 0;

	for (; s < e; s++) {
		if (*s == '\n')
			n++;
		else if (*s == '\r' && (s + 1 >= e || s[1] != '\n'))
			n++;
	}
	return n;
}

/*
 * A quoted field starting at *pp (on the opening quote). Leaves *pp after the
 * closing quote and any blanks that follow it.
 */
static int
csv_quoted(struct csv *c, const char **pp, struct csv_field *f, char **cause)
{
	const char	*p = *pp + 1, *seg = p, *q;
	long		 open_line = c->line;
	size_t		 off = 0;
	int		 copied = 0;

	for (;;) {
		q = memchr(p, '"', (size_t)(c->end - p));
		if (q == NULL) {
			xasprintf(cause, "unterminated quoted field opened on "
			    "line %ld", open_line);
			return -1;
		}
		c->line += csv_count_lines(p, q);
		if (q + 1 < c->end && q[1] == '"') {
			if (!copied) {
				copied = 1;
				off = c->slen;
			}
			csv_scratch_add(c, seg, (size_t)(q + 1 - seg));
			p = seg = q + 2;
			continue;
		}
		break;
	}
	if (copied) {
		csv_scratch_add(c, seg, (size_t)(q - seg));
		f->p = (const char *)(uintptr_t)off;
		f->len = c->slen - off;
		f->quoted = CSV_SCRATCH;
	} else {
		f->p = seg;
		f->len = (size_t)(q - seg);
		f->quoted = 1;
	}
	p = q + 1;
	while (p < c->end && (*p == ' ' || (*p == '\t' && c->delim != '\t')))
		p++;
	if (p < c->end && *p != c->delim && *p != '\r' && *p != '\n') {
		xasprintf(cause, "unexpected text after a closing quote on "
		    "line %ld", c->line);
		return -1;
	}
	*pp = p;
	return 0;
}

int
csv_next(struct csv *c, const struct csv_field **fields, size_t *nfields,
    char **cause)
{
	const char		*p = c->p, *end = c->end, *s;
	const unsigned char	*stop = c->stop;
	struct csv_field	*f;
	size_t			 n = 0, i;

	*cause = NULL;
	if (p >= end)
		return 0;
	c->rec_line = c->line;
	c->slen = 0;
	for (;;) {
		if (n == c->nalloc) {
			if (n >= CSV_FIELDS_MAX) {
				xasprintf(cause, "more than %d fields on line %ld",
				    CSV_FIELDS_MAX, c->rec_line);
				c->p = end;
				return -1;
			}
			c->nalloc = c->nalloc ? c->nalloc * 2 : 32;
			c->fields = xreallocarray(c->fields, c->nalloc,
			    sizeof *c->fields);
		}
		f = &c->fields[n++];
		if (p < end && *p == '"') {
			if (csv_quoted(c, &p, f, cause) == -1) {
				c->p = end;
				return -1;
			}
		} else {
			s = p;
			while (p < end && !stop[(unsigned char)*p])
				p++;
			f->p = s;
			f->len = (size_t)(p - s);
			f->quoted = 0;
		}
		if (p >= end)
			break;
		if (*p == c->delim) {
			p++;
			continue;
		}
		if (*p++ == '\r' && p < end && *p == '\n')
			p++;
		c->line++;
		break;
	}
	c->p = p;
	if (c->slen != 0) {
		for (i = 0; i < n; i++) {
			f = &c->fields[i];
			if (f->quoted == CSV_SCRATCH) {
				f->p = c->scratch + (uintptr_t)f->p;
				f->quoted = 1;
			}
		}
	}
	*fields = c->fields;
	*nfields = n;
	return 1;
}
