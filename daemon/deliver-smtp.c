/*
 * The smtp receiver: a notice's e-mail uploaded by libcurl (STARTTLS and
 * login as configured), and the e-mail itself, which file receivers write.
 * Outcome: a 2xx reply to the end of the message is delivered; curl fails
 * the transfer when the server refuses a step, and its last reply decides:
 * 4xx transient (retried), 5xx permanent (dead at once); no reply at all
 * (connection, TLS, timeout) is retried.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "deliver-internal.h"
#include "digest.h"
#include "log.h"
#include "mime.h"
#include "notice.h"
#include "xmalloc.h"

/* MAIL FROM when the receiver names no sender. */
#define RECEIVER_SMTP_FROM	"roiwatch@localhost"

/*
 * The e-mail of a notice (file, smtp and sendmail receivers):
 * notice_render_email's message, whose Message-ID is made from the key,
 * with the key itself in X-Roiwatch-Idempotency-Key as well, so that the
 * receiving side can drop the copy a resend after a crash delivers. The key
 * must be deliver_key_ok(). From and Reply-To are the receiver's, or its
 * client's email_from and reply_to, or the main file's (config-receiver.c).
 */
char *
deliver_email(const struct notice *n, const struct receiver_conf *r,
    const char *key, int64_t now)
{
	struct notice_mail	m;

	memset(&m, 0, sizeof m);
	m.from = r->from != NULL && *r->from != '\0' ? r->from :
	    RECEIVER_SMTP_FROM;
	m.reply_to = r->reply_to;
	m.to = r->to;
	m.nto = r->nto;
	m.key = key;
	m.now = now;
	return (notice_render_email(n, &m));
}

size_t
deliver_digest_email(const struct digest *d, const struct receiver_conf *r,
    const char *key, char ***parts)
{
	struct notice_mail	m;

	memset(&m, 0, sizeof m);
	m.from = r->from != NULL && *r->from != '\0' ? r->from :
	    RECEIVER_SMTP_FROM;
	m.reply_to = r->reply_to;
	m.to = r->to;
	m.nto = r->nto;
	m.key = key;
	m.now = d->generated;
	*parts = xcalloc(1, sizeof **parts);
	(*parts)[0] = digest_email(d, &m);
	return (1);
}

/* Feed the rendered message to curl's SMTP upload. */
static size_t
receiver_smtp_read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct deliver_job	*job = arg;
	size_t			 n = size * nmemb;

	if (n > job->len - job->off)
		n = job->len - job->off;
	memcpy(buf, job->body + job->off, n);
	job->off += n;
	return (n);
}

/* The bare address of "Name <a@b>" or "a@b", as SMTP's MAIL FROM and RCPT
 * TO want it ("<a@b>"), or NULL when it is not one address (mime.h). */
static char *
receiver_smtp_addr(const char *s)
{
	struct mime_addr	 a;
	char			*out;

	if (mime_addr_parse(s, &a, NULL) != 0)
		return (NULL);
	xasprintf(&out, "<%s>", a.addr);
	mime_addr_clear(&a);
	return (out);
}

static int
receiver_smtp_send(struct deliver_job *job, const struct receiver_conf *r,
    const struct config *cfg, CURL **easyp, char **cause)
{
	CURL		*easy;
	const char	*from = r->from;
	char		*addr;
	size_t		 i;
	long		 ssl;

	if (r->url == NULL || r->nto == 0) {
		*cause = xstrdup("no url or no recipients configured");
		return (-1);
	}
	if (from == NULL || *from == '\0')
		from = RECEIVER_SMTP_FROM;
	for (i = 0; i < r->nto; i++) {
		if ((addr = receiver_smtp_addr(r->to[i])) == NULL) {
			*cause = xstrdup("bad recipient address");
			return (-1);
		}
		if ((job->rcpt = curl_slist_append(job->rcpt, addr)) == NULL)
			fatalx("%s: out of memory", __func__);
		free(addr);
	}
	if ((addr = receiver_smtp_addr(from)) == NULL) {
		*cause = xstrdup("bad sender address");
		return (-1);
	}
	free(addr);

	switch (r->starttls) {
	case TLS_TRY:
		ssl = CURLUSESSL_TRY;
		break;
	case TLS_REQUIRED:
		ssl = CURLUSESSL_ALL;
		break;
	default:
		ssl = CURLUSESSL_NONE;
		break;
	}
	easy = deliver_easy(r, cfg, "smtp,smtps");
	addr = receiver_smtp_addr(from);
	curl_easy_setopt(easy, CURLOPT_MAIL_FROM, addr);	/* copied */
	free(addr);
	curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, job->rcpt);
	curl_easy_setopt(easy, CURLOPT_USE_SSL, ssl);
	curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(easy, CURLOPT_READFUNCTION, receiver_smtp_read_cb);
	curl_easy_setopt(easy, CURLOPT_READDATA, job);
	curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	if (r->username != NULL && *r->username != '\0')
		curl_easy_setopt(easy, CURLOPT_USERNAME, r->username);
	if (r->password != NULL && *r->password != '\0')
		curl_easy_setopt(easy, CURLOPT_PASSWORD, r->password);
	*easyp = easy;
	return (0);
}

static void
receiver_smtp_classify(const struct deliver_result *res, int64_t now,
    struct deliver_outcome *out)
{
	long	st = res->status;

	(void)now;
	out->retry_after = -1;
	out->reason[0] = '\0';
	if (res->ok && st >= 200 && st <= 299) {
		out->verdict = DELIVER_DELIVERED;
		return;
	}
	if (st >= 400 && st <= 599) {
		out->verdict = st >= 500 ? DELIVER_PERMANENT : DELIVER_RETRY;
		if (res->error != NULL)
			snprintf(out->reason, sizeof out->reason, "SMTP %ld: %s",
			    st, res->error);
		else
			snprintf(out->reason, sizeof out->reason, "SMTP %ld",
			    st);
		return;
	}
	/* No reply that says anything: connection, TLS, timeout. */
	out->verdict = DELIVER_RETRY;
	if (!res->ok)
		snprintf(out->reason, sizeof out->reason, "%s",
		    res->error != NULL ? res->error : "transfer failed");
	else
		snprintf(out->reason, sizeof out->reason, "SMTP %ld", st);
}

const struct receiver_ops receiver_smtp_ops = {
	.name = "smtp",
	.type = RECEIVER_SMTP,
	.render = deliver_email,
	.render_digest = deliver_digest_email,
	.send = receiver_smtp_send,
	.classify = receiver_smtp_classify,
};
