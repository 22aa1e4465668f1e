/*
 * The RFC 5322 e-mail of a notice: headers (RFC 2047 encoded when not
 * ASCII, never carrying CR or LF from untrusted text), Date from `now`,
 * Message-ID from the idempotency key, a quoted-printable UTF-8 body. Pure.
 */

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "money.h"
#include "notice.h"
#include "notice-internal.h"
#include "utf8.h"
#include "rules.h"
#include "xmalloc.h"



/* ---- E-mail ---- */

static void
base64_add(struct sbuf *b, const unsigned char *p, size_t len)
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
		sbuf_add(b, out, 4);
	}
}

/*
 * Subject header value: plain when printable ASCII and short, otherwise RFC 2047
 * encoded words of at most 39 bytes of text each (never splitting a UTF-8
 * sequence), folded one per line so no line exceeds 78 characters.
 */
static void
notice_add_subject(struct sbuf *b, const char *subject)
{
	const unsigned char	*s = (const unsigned char *)subject;
	size_t			 len = strlen(subject), i, n;
	int			 plain = len <= 78 - strlen("Subject: ");

	for (i = 0; i < len && plain; i++) {
		if (s[i] < 0x20 || s[i] >= 0x7f)
			plain = 0;
	}
	if (plain) {
		sbuf_printf(b, "Subject: %s\r\n", subject);
		return;
	}
	sbuf_puts(b, "Subject:");
	for (i = 0; i < len; i += n) {
		n = len - i > 39 ? 39 : len - i;
		while (i + n < len && n > 1 && (s[i + n] & 0xc0) == 0x80)
			n--;
		sbuf_puts(b, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		base64_add(b, s + i, n);
		sbuf_puts(b, "?=");
	}
	sbuf_puts(b, "\r\n");
}

/* A header value from configuration: one line, no control characters. */
static void
notice_add_header(struct sbuf *b, const char *name, const char *value)
{
	char	*clean = notice_clean(value);

	sbuf_printf(b, "%s: %s\r\n", name, clean);
	free(clean);
}

/*
 * Quoted-printable (RFC 2045 6.7) of UTF-8 text with '\n' line ends, output with
 * CRLF. Encoded lines are at most 76 characters, soft breaks included;
 * whitespace before a line end and a leading '.' (SMTP) are encoded.
 */
static void
notice_add_qp(struct sbuf *b, const char *text)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)text;
	char			 tok[3];
	size_t			 col = 0, tlen;
	int			 eol;

	for (; *p != '\0'; p++) {
		if (*p == '\n') {
			sbuf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if (*p == '\r')
			continue;
		eol = p[1] == '\0' || p[1] == '\n' ||
		    (p[1] == '\r' && p[2] == '\n');
		if ((*p >= 33 && *p <= 126 && *p != '=' &&
		    !(*p == '.' && col == 0)) ||
		    ((*p == ' ' || *p == '\t') && !eol)) {
			tok[0] = (char)*p;
			tlen = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[*p >> 4];
			tok[2] = hex[*p & 15];
			tlen = 3;
		}
		if (col + tlen > 75) {
			sbuf_puts(b, "=\r\n");
			col = 0;
			if (tlen == 1 && tok[0] == '.') {
				tok[0] = '=';
				tok[1] = '2';
				tok[2] = 'E';
				tlen = 3;
			}
		}
		sbuf_add(b, tok, tlen);
		col += tlen;
	}
	if (col > 0)
		sbuf_puts(b, "\r\n");
}

/* Domain for the Message-ID: the part of `from` after its last '@'. */
static char *
notice_from_domain(const char *from)
{
	const char	*at, *p;
	size_t		 n = 0;

	if (from == NULL || (at = strrchr(from, '@')) == NULL)
		return (xstrdup("roiwatch.invalid"));
	for (p = at + 1; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
			n++;
		else
			break;
	}
	if (n == 0)
		return (xstrdup("roiwatch.invalid"));
	return (xstrndup(at + 1, n));
}

char *
notice_render_email(const struct notice *n, const char *from, char *const *to,
    size_t nto, const char *idem_key, int64_t now)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct sbuf		 b = { NULL, 0, 0 }, rcpt = { NULL, 0, 0 };
	struct tm		 tm;
	time_t			 t = (time_t)now;
	char			*subject, *body, *domain, *key, *p;
	size_t			 i;

	if (from == NULL || *from == '\0')
		from = "roiwatch@localhost";
	notice_add_header(&b, "From", from);
	for (i = 0; i < nto; i++) {
		if (i > 0)
			sbuf_puts(&rcpt, ",\r\n ");
		p = notice_clean(to[i]);
		sbuf_puts(&rcpt, p);
		free(p);
	}
	sbuf_printf(&b, "To: %s\r\n", nto > 0 ? rcpt.p :
	    "undisclosed-recipients:;");
	free(rcpt.p);
	subject = notice_subject(n);
	notice_add_subject(&b, subject);
	free(subject);

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	sbuf_printf(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

	/* id-left must be dot-atom text: keep only safe characters. */
	key = xstrdup(idem_key != NULL && *idem_key != '\0' ? idem_key :
	    "roiwatch");
	for (p = key; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_' || *p == '+'))
			*p = '-';
	}
	domain = notice_from_domain(from);
	sbuf_printf(&b, "Message-ID: <%s@%s>\r\n", key, domain);
	free(key);
	free(domain);
	sbuf_puts(&b, "MIME-Version: 1.0\r\n");
	sbuf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	sbuf_puts(&b, "Content-Transfer-Encoding: quoted-printable\r\n");
	notice_add_header(&b, "X-Roiwatch-Client", n->client_id);
	sbuf_puts(&b, "\r\n");

	body = notice_body_text(n);
	notice_add_qp(&b, body);
	free(body);
	return (sbuf_take(&b));
}
