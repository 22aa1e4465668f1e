/*
 * The RFC 5322 e-mail of a notice: headers made by mime.h (RFC 2047 encoded
 * when not ASCII, never carrying CR or LF from configured or ingested text),
 * Date from `now`, Message-ID and boundary from the idempotency key (the same
 * message on every resend), and a multipart/alternative body: the plain text
 * (notice_body_text(), which stands alone) then its HTML rendering. Pure.
 */
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "notice.h"
#include "notice-doc.h"
#include "notice-internal.h"
#include "xmalloc.h"

/* From when none is given or it does not parse. */
#define NOTICE_MAIL_FROM	"roiwatch@localhost"

static void
notice_add_owned(struct sbuf *b, char *s)
{
	sbuf_puts(b, s);
	free(s);
}

/*
 * An idempotency key as it is (printable ASCII without spaces, as
 * deliver_key_ok() wants it): receivers compare it byte for byte, so it is
 * never encoded nor folded; a long one makes a long line, which RFC 5322
 * allows up to 998 characters. Anything else is cleaned and encoded.
 */
static char *
notice_key_header(const char *key)
{
	const char	*p;
	char		*h;

	for (p = key; *p > ' ' && *p < 0x7f; p++)
		;
	if (*p != '\0' || p == key || p - key > 900)
		return (mime_header_text("X-Roiwatch-Idempotency-Key", key));
	xasprintf(&h, "X-Roiwatch-Idempotency-Key: %s\r\n", key);
	return (h);
}

char *
notice_render_email(const struct notice *n, const struct notice_mail *m)
{
	struct ndoc	*d = notice_doc(n);
	char		*text = ndoc_text(d), *html = ndoc_html(d), *msg;

	msg = notice_email_message(m, d->subject, n->client_id, NULL, text,
	    html);
	free(text);
	free(html);
	ndoc_free(d);
	return (msg);
}

char *
notice_email_message(const struct notice_mail *m, const char *subject,
    const char *client_id, const char *kind, const char *text,
    const char *html)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*from = m->from;
	char		*qtext, *qhtml, *boundary, *h;
	const char	*parts[2];

	if (from == NULL || mime_addr_check(from, NULL) != 0)
		from = NOTICE_MAIL_FROM;
	qtext = mime_qp(text);
	qhtml = mime_qp(html);
	parts[0] = qtext;
	parts[1] = qhtml;
	boundary = mime_boundary(m->key, parts, 2);

	notice_add_owned(&b, notice_key_header(m->key != NULL ? m->key : ""));
	notice_add_owned(&b, mime_header_addrs("From", (char *const *)&from,
	    1, NULL));
	if (m->reply_to != NULL && (h = mime_header_addrs("Reply-To",
	    (char *const *)&m->reply_to, 1, NULL)) != NULL)
		notice_add_owned(&b, h);
	if ((h = mime_header_addrs("To", m->to, m->nto, NULL)) != NULL)
		notice_add_owned(&b, h);
	else
		sbuf_puts(&b, "To: undisclosed-recipients:;\r\n");
	notice_add_owned(&b, mime_header_text("Subject", subject));
	h = mime_date(m->now);
	sbuf_printf(&b, "Date: %s\r\n", h);
	free(h);
	h = mime_message_id(m->key, from);
	sbuf_printf(&b, "Message-ID: %s\r\n", h);
	free(h);
	sbuf_puts(&b, "MIME-Version: 1.0\r\n");
	sbuf_printf(&b, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n", boundary);
	notice_add_owned(&b, mime_header_text("X-Roiwatch-Client",
	    client_id));
	if (kind != NULL)
		sbuf_printf(&b, "X-Roiwatch-Kind: %s\r\n", kind);
	sbuf_puts(&b, "\r\n");

	sbuf_printf(&b, "--%s\r\n", boundary);
	sbuf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	sbuf_puts(&b, qtext);
	sbuf_printf(&b, "--%s\r\n", boundary);
	sbuf_puts(&b, "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	sbuf_puts(&b, qhtml);
	sbuf_printf(&b, "--%s--\r\n", boundary);

	free(boundary);
	free(qtext);
	free(qhtml);
	return (sbuf_take(&b));
}
