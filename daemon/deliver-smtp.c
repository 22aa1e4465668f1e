/*
 * The smtp receiver: a notice's e-mail uploaded by libcurl (STARTTLS and
 * login as configured), and the e-mail itself, which file receivers write.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "deliver-internal.h"
#include "log.h"
#include "notice.h"
#include "store.h"
#include "xmalloc.h"

/*
 * The e-mail of a notice (file and smtp receivers): notice_render_email's
 * message, whose Message-ID is made from the key, with the key itself in
 * X-Roiwatch-Idempotency-Key as well, so that the receiving side can drop
 * the copy a resend after a crash delivers. The key must be deliver_key_ok().
 */
char *
deliver_email(const struct notice *n, const char *from,
    const struct receiver_conf *r, const char *key)
{
	char	*msg, *out;

	msg = notice_render_email(n, from, r->to, r->nto, key,
	    (int64_t)time(NULL));
	xasprintf(&out, "X-Roiwatch-Idempotency-Key: %s\r\n%s", key, msg);
	free(msg);
	return (out);
}

/* Feed the rendered message to curl's SMTP upload. */
static size_t
deliver_read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct deliver_job	*job = arg;
	size_t			 n = size * nmemb;

	if (n > job->len - job->off)
		n = job->len - job->off;
	memcpy(buf, job->body + job->off, n);
	job->off += n;
	return (n);
}

/* The bare address of "Name <a@b>" or "a@b", as SMTP's MAIL FROM wants it. */
static char *
deliver_addr(const char *s)
{
	const char	*lt, *gt;
	char		*out;

	if ((lt = strrchr(s, '<')) != NULL && (gt = strchr(lt, '>')) != NULL)
		xasprintf(&out, "<%.*s>", (int)(gt - lt - 1), lt + 1);
	else
		xasprintf(&out, "<%s>", s);
	return (out);
}

static int
deliver_has_crlf(const char *s)
{
	return (s != NULL && strpbrk(s, "\r\n") != NULL);
}

int
deliver_smtp(struct deliver *d, const struct receiver_conf *r,
    const struct outbox_item *it, const struct notice *n,
    struct deliver_job *job, CURL **easyp, char **cause)
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
		from = "roiwatch@localhost";
	for (i = 0; i < r->nto; i++) {
		if (deliver_has_crlf(r->to[i])) {
			*cause = xstrdup("bad recipient address");
			return (-1);
		}
		addr = deliver_addr(r->to[i]);
		if ((job->rcpt = curl_slist_append(job->rcpt, addr)) == NULL)
			fatalx("%s: out of memory", __func__);
		free(addr);
	}
	if (deliver_has_crlf(from)) {
		*cause = xstrdup("bad sender address");
		return (-1);
	}
	job->body = deliver_email(n, from, r, it->idem_key);
	job->len = strlen(job->body);

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
	easy = deliver_easy(r, d->cfg, "smtp,smtps");
	addr = deliver_addr(from);
	curl_easy_setopt(easy, CURLOPT_MAIL_FROM, addr);	/* copied */
	free(addr);
	curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, job->rcpt);
	curl_easy_setopt(easy, CURLOPT_USE_SSL, ssl);
	curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(easy, CURLOPT_READFUNCTION, deliver_read_cb);
	curl_easy_setopt(easy, CURLOPT_READDATA, job);
	curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	if (r->username != NULL && *r->username != '\0')
		curl_easy_setopt(easy, CURLOPT_USERNAME, r->username);
	if (r->password != NULL && *r->password != '\0')
		curl_easy_setopt(easy, CURLOPT_PASSWORD, r->password);
	*easyp = easy;
	return (0);
}
