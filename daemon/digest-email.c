/*
 * The e-mail of a digest (digest.h): as notice-email.c makes a notice's --
 * headers by mime.h, Message-ID and boundary from the idempotency key, Date
 * from the digest's generation, so that every resend is the same message
 * -- with a multipart/alternative body: the plain text (digest_text(),
 * which stands alone) then the HTML (digest_html(), inline styles). Pure.
 */
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "mime.h"
#include "notice.h"
#include "notice-internal.h"
#include "xmalloc.h"

/* From when none is given or it does not parse. */
#define DIGEST_MAIL_FROM	"roiwatch@localhost"

static void
digest_add_owned(struct sbuf *b, char *s)
{
	sbuf_puts(b, s);
	free(s);
}

char *
digest_email(const struct digest *d, const struct notice_mail *m)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*from = m->from, *key = m->key != NULL ? m->key : "";
	char		*text, *html, *qtext, *qhtml, *boundary, *h, *subject;
	const char	*parts[2];

	if (from == NULL || mime_addr_check(from, NULL) != 0)
		from = DIGEST_MAIL_FROM;
	text = digest_text(d);
	html = digest_html(d, DIGEST_HTML_EMAIL);
	qtext = mime_qp(text);
	qhtml = mime_qp(html);
	free(text);
	free(html);
	parts[0] = qtext;
	parts[1] = qhtml;
	boundary = mime_boundary(key, parts, 2);

	/* The key as notices carry it (receivers deduplicate on it). */
	digest_add_owned(&b, mime_header_text("X-Roiwatch-Idempotency-Key",
	    key));
	digest_add_owned(&b, mime_header_addrs("From", (char *const *)&from,
	    1, NULL));
	if (m->reply_to != NULL && (h = mime_header_addrs("Reply-To",
	    (char *const *)&m->reply_to, 1, NULL)) != NULL)
		digest_add_owned(&b, h);
	if ((h = mime_header_addrs("To", m->to, m->nto, NULL)) != NULL)
		digest_add_owned(&b, h);
	else
		sbuf_puts(&b, "To: undisclosed-recipients:;\r\n");
	subject = digest_subject(d);
	digest_add_owned(&b, mime_header_text("Subject", subject));
	free(subject);
	h = mime_date(m->now);
	sbuf_printf(&b, "Date: %s\r\n", h);
	free(h);
	h = mime_message_id(key, from);
	sbuf_printf(&b, "Message-ID: %s\r\n", h);
	free(h);
	sbuf_puts(&b, "MIME-Version: 1.0\r\n");
	sbuf_printf(&b, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n", boundary);
	digest_add_owned(&b, mime_header_text("X-Roiwatch-Client",
	    d->client_id));
	sbuf_puts(&b, "X-Roiwatch-Kind: digest\r\n");
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
