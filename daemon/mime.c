/*
 * MIME for outgoing e-mail (see mime.h): clean header text, addresses,
 * RFC 2047 encoded words, quoted-printable, base64, boundaries, Date and
 * Message-ID. Pure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hmac.h"
#include "mime.h"
#include "utf8.h"
#include "xmalloc.h"

#define MIME_LOCAL_MAX	64	/* RFC 5321 4.5.3.1 */
#define MIME_DOMAIN_MAX	253

/* Growable output string. */
struct mbuf {
	char	*p;
	size_t	 len, cap;
};

static void
mbuf_add(struct mbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
mbuf_puts(struct mbuf *b, const char *s)
{
	mbuf_add(b, s, strlen(s));
}

static char *
mbuf_take(struct mbuf *b)
{
	if (b->p == NULL)
		return (xstrdup(""));
	return (b->p);
}

static const char hexd[] = "0123456789ABCDEF";

char *
mime_clean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)(s == NULL ? "" : s);
	const unsigned char	*end = p + strlen((const char *)p);
	struct mbuf		 b = { NULL, 0, 0 };
	size_t			 n;

	while (p < end) {
		if (*p < 0x80) {
			mbuf_add(&b, *p < 0x20 || *p == 0x7f ? " " :
			    (const char *)p, 1);
			p++;
			continue;
		}
		if ((n = utf8_seq_len(p, end)) == 0) {
			mbuf_add(&b, "?", 1);
			p++;
			continue;
		}
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)	/* C1 */
			mbuf_add(&b, " ", 1);
		else
			mbuf_add(&b, (const char *)p, n);
		p += n;
	}
	return (mbuf_take(&b));
}

/* ---- Addresses ---- */

static int
mime_atext(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
	    c) != NULL));
}

/* Why an addr-spec is not one, or NULL. */
static const char *
mime_addr_spec_why(const char *a)
{
	const char	*at = strchr(a, '@'), *p, *label;
	size_t		 n;

	if (*a == '\0')
		return ("no address");
	if (at == NULL)
		return ("no '@'");
	if (strchr(at + 1, '@') != NULL)
		return ("more than one '@'");
	if (at == a)
		return ("nothing before '@'");
	if ((size_t)(at - a) > MIME_LOCAL_MAX)
		return ("the part before '@' is longer than 64 characters");
	if (*a == '.' || at[-1] == '.')
		return ("a dot at an end of the part before '@'");
	for (p = a; p < at; p++) {
		if ((unsigned char)*p >= 0x80)
			return ("the part before '@' must be ASCII");
		if (*p == '.' && p[1] == '.')
			return ("two dots in a row");
		if (*p != '.' && !mime_atext(*p))
			return ("a character not allowed before '@' (space,"
			    " quote, comma, <, >, ...)");
	}
	if (at[1] == '\0')
		return ("nothing after '@'");
	if (strlen(at + 1) > MIME_DOMAIN_MAX)
		return ("the domain is longer than 253 characters");
	for (label = p = at + 1; ; p++) {
		if (*p == '.' || *p == '\0') {
			n = (size_t)(p - label);
			if (n == 0)
				return ("an empty label in the domain");
			if (n > 63)
				return ("a domain label longer than 63 characters");
			if (*label == '-' || p[-1] == '-')
				return ("a domain label starts or ends with '-'");
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if ((unsigned char)*p >= 0x80)
			return ("the domain must be ASCII (write an international"
			    " domain in its xn-- form)");
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return ("a character not allowed in the domain");
	}
	return (NULL);
}

static const char *
mime_trim(const char *s, const char *end, size_t *len)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*len = (size_t)(end - s);
	return (s);
}

static int
mime_addr_fail(const char *s, const char *why, char **whyp)
{
	char	*c = mime_clean(s);

	if (whyp != NULL)
		xasprintf(whyp, "\"%s\" is not a valid e-mail address: %s", c,
		    why);
	free(c);
	return (-1);
}

int
mime_addr_parse(const char *s, struct mime_addr *out, char **whyp)
{
	const unsigned char	*u;
	const char		*p, *lt, *gt, *q, *end = s + strlen(s), *d;
	struct mbuf		 disp = { NULL, 0, 0 };
	size_t			 n, dn;
	const char		*why;
	char			*addr;

	memset(out, 0, sizeof *out);
	if (!utf8_valid(s, strlen(s)))
		return (mime_addr_fail(s, "not valid UTF-8", whyp));
	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u < 0x20 || *u == 0x7f || (u[0] == 0xc2 && u[1] >= 0x80 &&
		    u[1] < 0xa0))
			return (mime_addr_fail(s, "a control character",
			    whyp));
	}
	p = mime_trim(s, end, &n);
	end = p + n;
	if (*p == '"') {
		/* A quoted display name: "Doe, John" <j@example.com> */
		for (q = p + 1; q < end && *q != '"'; q++) {
			if (*q == '\\' && q + 1 < end)
				q++;
			mbuf_add(&disp, q, 1);
		}
		if (q >= end) {
			free(disp.p);
			return (mime_addr_fail(s, "an unpaired '\"'", whyp));
		}
		lt = q + 1;
		while (lt < end && (*lt == ' ' || *lt == '\t'))
			lt++;
		if (lt >= end || *lt != '<') {
			free(disp.p);
			return (mime_addr_fail(s, "a quoted name without"
			    " <address> after it", whyp));
		}
	} else if ((lt = strchr(p, '<')) != NULL && lt < end) {
		d = mime_trim(p, lt, &dn);
		for (q = d; q < d + dn; q++) {
			if (*q == '"' || *q == '>' || *q == ',' ||
			    *q == ';') {
				free(disp.p);
				return (mime_addr_fail(s, "a '\"', '>', ',' or"
				    " ';' in the name (one address per element;"
				    " write such a name in double quotes)",
				    whyp));
			}
		}
		mbuf_add(&disp, d, dn);
	} else
		lt = NULL;
	if (lt != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt + 1 != end) {
			free(disp.p);
			return (mime_addr_fail(s, "'<' without a closing '>' at"
			    " the end", whyp));
		}
		addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	} else
		addr = xstrndup(p, n);
	if ((why = mime_addr_spec_why(addr)) != NULL) {
		free(addr);
		free(disp.p);
		return (mime_addr_fail(s, why, whyp));
	}
	out->addr = addr;
	out->display = mbuf_take(&disp);
	return (0);
}

void
mime_addr_clear(struct mime_addr *a)
{
	free(a->display);
	free(a->addr);
	memset(a, 0, sizeof *a);
}

int
mime_addr_check(const char *s, char **why)
{
	struct mime_addr	a;

	if (mime_addr_parse(s, &a, why) != 0)
		return (-1);
	mime_addr_clear(&a);
	return (0);
}

/* ---- Encoded words (RFC 2047) ---- */

/* Q-encoded length of a byte; the set safe in a phrase too (5.3). */
static size_t
mime_q_len(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == ' ' || c == '!' || c == '*' ||
	    c == '+' || c == '-' || c == '/')
		return (1);
	return (3);
}

static void
mime_q_add(struct mbuf *b, const unsigned char *s, size_t n)
{
	char	t[3];
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			mbuf_add(b, "_", 1);
		else if (mime_q_len(s[i]) == 1)
			mbuf_add(b, (const char *)s + i, 1);
		else {
			t[0] = '=';
			t[1] = hexd[s[i] >> 4];
			t[2] = hexd[s[i] & 15];
			mbuf_add(b, t, 3);
		}
	}
}

static void
mime_b64_add(struct mbuf *b, const unsigned char *p, size_t len)
{
	static const char	tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			out[4];
	uint32_t		v;
	size_t			i;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[0] = tab[(v >> 18) & 63];
		out[1] = tab[(v >> 12) & 63];
		out[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[3] = i + 2 < len ? tab[v & 63] : '=';
		mbuf_add(b, out, 4);
	}
}

/* Length of the character at s (a whole UTF-8 sequence, or one byte). */
static size_t
mime_char_len(const unsigned char *s, const unsigned char *end)
{
	size_t	n;

	if (*s < 0x80)
		return (1);
	n = utf8_seq_len(s, end);
	return (n == 0 ? 1 : n);
}

/*
 * Encoded words of clean text starting at column *col, separated by folds;
 * *col is left at the column after the last word.
 */
static void
mime_words(struct mbuf *b, const char *text, size_t *col)
{
	const unsigned char	*s = (const unsigned char *)text;
	const unsigned char	*end = s + strlen(text), *p, *start;
	size_t			 qlen = 0, blen, i, n, enc, lim, w;
	int			 q;

	for (i = 0; s + i < end; i++)
		qlen += mime_q_len(s[i]);
	blen = (size_t)(end - s + 2) / 3 * 4;
	/* Q stays readable in raw headers: taken unless much longer. */
	q = qlen <= blen * 3 / 2;
	/* Too little room for a useful word on this line: start the next. */
	if (*col + 24 > MIME_LINE_MAX) {
		mbuf_puts(b, "\r\n ");
		*col = 1;
	}
	p = s;
	do {
		if (p != s) {
			mbuf_puts(b, "\r\n ");
			*col = 1;
		}
		lim = MIME_LINE_MAX - *col;
		if (lim > MIME_WORD_MAX)
			lim = MIME_WORD_MAX;
		lim -= 12;	/* "=?UTF-8?Q?" and "?=" */
		start = p;
		w = 0;
		while (p < end) {
			n = mime_char_len(p, end);
			if (q) {
				for (enc = 0, i = 0; i < n; i++)
					enc += mime_q_len(p[i]);
				if (w + enc > lim && p > start)
					break;
				w += enc;
			} else {
				enc = ((size_t)(p - start) + n + 2) / 3 * 4;
				if (enc > lim && p > start)
					break;
				w = enc;
			}
			p += n;
		}
		mbuf_puts(b, q ? "=?UTF-8?Q?" : "=?UTF-8?B?");
		if (q)
			mime_q_add(b, start, (size_t)(p - start));
		else
			mime_b64_add(b, start, (size_t)(p - start));
		mbuf_puts(b, "?=");
		*col += 12 + w;
	} while (p < end);
}

char *
mime_encode_words(const char *text, size_t col)
{
	struct mbuf	b = { NULL, 0, 0 };
	char		*c = mime_clean(text);

	mime_words(&b, c, &col);
	free(c);
	return (mbuf_take(&b));
}

/* Printable ASCII that a reader would not take for encoded words. */
static int
mime_plain_ok(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			return (0);
	}
	return (strstr(s, "=?") == NULL);
}

/*
 * "Name: value" folded before spaces into lines of at most 78, or -1 when
 * some run without a space is too long for that.
 */
static int
mime_fold_plain(struct mbuf *b, const char *name, const char *v)
{
	struct mbuf	 o = { NULL, 0, 0 };
	const char	*p = v, *sp;
	size_t		 col, n;

	mbuf_puts(&o, name);
	mbuf_puts(&o, ":");
	col = strlen(name) + 1;
	if (*p != '\0') {
		/* The first run joins the name on its line. */
		n = strcspn(p + 1, " ") + 1;
		if (col + 1 + n > MIME_LINE_MAX)
			goto fail;
		mbuf_puts(&o, " ");
		mbuf_add(&o, p, n);
		col += 1 + n;
		p += n;
	}
	while (*p != '\0') {
		/* p is at a space: the run is the space and what follows. */
		sp = p;
		n = strcspn(sp + 1, " ") + 1;
		if (col + n > MIME_LINE_MAX) {
			if (n > MIME_LINE_MAX)
				goto fail;
			mbuf_puts(&o, "\r\n");
			col = 0;
		}
		mbuf_add(&o, sp, n);
		col += n;
		p += n;
	}
	mbuf_puts(&o, "\r\n");
	mbuf_add(b, o.p, o.len);
	free(o.p);
	return (0);
fail:
	free(o.p);
	return (-1);
}

char *
mime_header_text(const char *name, const char *value)
{
	struct mbuf	 b = { NULL, 0, 0 };
	char		*v = mime_clean(value);
	size_t		 col;

	if (mime_plain_ok(v) && mime_fold_plain(&b, name, v) == 0) {
		free(v);
		return (mbuf_take(&b));
	}
	mbuf_puts(&b, name);
	mbuf_puts(&b, ": ");
	col = strlen(name) + 2;
	if (*v != '\0')
		mime_words(&b, v, &col);
	mbuf_puts(&b, "\r\n");
	free(v);
	return (mbuf_take(&b));
}

/* A display name as a phrase: atoms, a quoted string or encoded words. */
static void
mime_phrase(struct mbuf *b, const char *display, size_t *col)
{
	const char	*p;
	int		 atoms = 1;

	if (!mime_plain_ok(display)) {
		mime_words(b, display, col);
		return;
	}
	for (p = display; *p != '\0'; p++) {
		if (*p != ' ' && !mime_atext(*p))
			atoms = 0;
	}
	if (atoms && display[0] != ' ' && display[strlen(display) - 1] != ' ') {
		mbuf_puts(b, display);
		*col += strlen(display);
		return;
	}
	mbuf_puts(b, "\"");
	for (p = display; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			mbuf_add(b, "\\", 1);
			(*col)++;
		}
		mbuf_add(b, p, 1);
	}
	mbuf_puts(b, "\"");
	*col += strlen(display) + 2;
}

char *
mime_header_addrs(const char *name, char *const *addrs, size_t n,
    size_t *nbad)
{
	struct mbuf		 b = { NULL, 0, 0 };
	struct mime_addr	 a;
	size_t			 i, col, len, good = 0;

	if (nbad != NULL)
		*nbad = 0;
	mbuf_puts(&b, name);
	mbuf_puts(&b, ": ");
	col = strlen(name) + 2;
	for (i = 0; i < n; i++) {
		if (addrs[i] == NULL || mime_addr_parse(addrs[i], &a,
		    NULL) != 0) {
			if (nbad != NULL)
				(*nbad)++;
			continue;
		}
		if (good++ > 0) {
			mbuf_puts(&b, ",\r\n ");
			col = 1;
		}
		if (a.display[0] == '\0') {
			mbuf_puts(&b, a.addr);
			col += strlen(a.addr);
		} else {
			mime_phrase(&b, a.display, &col);
			len = strlen(a.addr) + 3;
			if (col + len > MIME_LINE_MAX) {
				mbuf_puts(&b, "\r\n");
				col = 0;
			}
			mbuf_puts(&b, " <");
			mbuf_puts(&b, a.addr);
			mbuf_puts(&b, ">");
			col += len;
		}
		mime_addr_clear(&a);
	}
	if (good == 0) {
		free(b.p);
		return (NULL);
	}
	mbuf_puts(&b, "\r\n");
	return (mbuf_take(&b));
}

/* ---- Bodies ---- */

char *
mime_qp(const char *text)
{
	const unsigned char	*p = (const unsigned char *)text;
	const unsigned char	*end = p + strlen(text);
	struct mbuf		 b = { NULL, 0, 0 };
	char			 tok[12];
	size_t			 col = 0, tlen, n, i;
	int			 eol, again;

	while (p < end) {
		if (*p == '\n') {
			mbuf_puts(&b, "\r\n");
			col = 0;
			p++;
			continue;
		}
		if (*p == '\r') {
			p++;
			continue;
		}
		n = mime_char_len(p, end);
		do {
			again = 0;
			eol = p + n == end || p[n] == '\n' ||
			    (p[n] == '\r' && (p + n + 1 == end ||
			    p[n + 1] == '\n'));
			if (n == 1 && ((*p >= 33 && *p <= 126 && *p != '=' &&
			    !(col == 0 && (*p == '.' || (*p == 'F' &&
			    strncmp((const char *)p, "From ", 5) == 0)))) ||
			    ((*p == ' ' || *p == '\t') && !eol))) {
				tok[0] = (char)*p;
				tlen = 1;
			} else {
				for (i = 0; i < n; i++) {
					tok[3 * i] = '=';
					tok[3 * i + 1] = hexd[p[i] >> 4];
					tok[3 * i + 2] = hexd[p[i] & 15];
				}
				tlen = 3 * n;
			}
			/* Room for the soft break's '=' unless the line
			 * ends here. */
			if (col + tlen > (eol ? MIME_BODY_MAX :
			    MIME_BODY_MAX - 1) && col > 0) {
				mbuf_puts(&b, "=\r\n");
				col = 0;
				again = 1;	/* col 0 may encode it */
			}
		} while (again);
		mbuf_add(&b, tok, tlen);
		col += tlen;
		p += n;
	}
	if (col > 0)
		mbuf_puts(&b, "\r\n");
	return (mbuf_take(&b));
}

char *
mime_base64(const void *data, size_t len)
{
	const unsigned char	*p = data;
	struct mbuf		 b = { NULL, 0, 0 };
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = len - i > MIME_BODY_MAX / 4 * 3 ? MIME_BODY_MAX / 4 * 3 :
		    len - i;
		mime_b64_add(&b, p + i, n);
		mbuf_puts(&b, "\r\n");
	}
	return (mbuf_take(&b));
}

/* ---- Boundary, Date, Message-ID ---- */

char *
mime_boundary(const char *seed, const char *const *parts, size_t nparts)
{
	uint8_t		 dig[SHA256_DIGEST_LEN];
	char		 hex[SHA256_HEX_LEN], *in, *out;
	unsigned	 round;
	size_t		 i;
	int		 clash;

	for (round = 0; ; round++) {
		xasprintf(&in, "roiwatch-boundary:%u:%s", round,
		    seed == NULL ? "" : seed);
		sha256(in, strlen(in), dig);
		free(in);
		hmac_hex(dig, hex);
		/* "=_" never occurs in quoted-printable or base64 text. */
		xasprintf(&out, "=_rw_%.32s", hex);
		clash = 0;
		for (i = 0; i < nparts && !clash; i++)
			clash = parts[i] != NULL && strstr(parts[i], out) != NULL;
		if (!clash)
			return (out);
		free(out);
	}
}

char *
mime_date(int64_t now)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm		 tm;
	time_t			 t = (time_t)now;
	char			*s;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	xasprintf(&s, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (s);
}

char *
mime_message_id(const char *key, const char *from)
{
	struct mime_addr	 a;
	const char		*domain = "roiwatch.invalid";
	char			*k, *p, *s;
	int			 have = 0;

	k = xstrdup(key != NULL && *key != '\0' ? key : "roiwatch");
	for (p = k; *p != '\0'; p++) {
		if (!mime_atext(*p) && *p != '.')
			*p = '-';
	}
	/* id-left is a dot-atom: no dot at an end, none doubled. */
	for (p = k; *p != '\0'; p++) {
		if (*p == '.' && (p == k || p[1] == '\0' || p[1] == '.'))
			*p = '-';
	}
	if (from != NULL && mime_addr_parse(from, &a, NULL) == 0) {
		have = 1;
		domain = strchr(a.addr, '@') + 1;
	}
	xasprintf(&s, "<%s@%s>", k, domain);
	if (have)
		mime_addr_clear(&a);
	free(k);
	return (s);
}
