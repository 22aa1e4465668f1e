/*
 * The e-mail of a digest (digest.h): the message a notice's is
 * (notice_email_message(): headers by mime.h, Message-ID and boundary from
 * the idempotency key, Date from the digest's generation, so that every
 * resend is the same message), marked X-Roiwatch-Kind: digest, with the
 * plain text (digest_text(), which stands alone) and the HTML
 * (digest_html(), inline styles) as its alternatives. Pure.
 */
#include <stdlib.h>

#include "digest.h"
#include "notice.h"

char *
digest_email(const struct digest *d, const struct notice_mail *m)
{
	char	*subject = digest_subject(d), *text = digest_text(d);
	char	*html = digest_html(d, DIGEST_HTML_EMAIL), *msg;

	msg = notice_email_message(m, subject, d->client_id, "digest", text,
	    html);
	free(subject);
	free(text);
	free(html);
	return (msg);
}
