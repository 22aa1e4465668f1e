/*
 * What every HTTP receiver shares: the POST in the curl loop, the answer's
 * reason phrase and Retry-After kept as it arrives, and the outcome rules,
 * written once so that a new HTTP receiver cannot count a 500 as delivered:
 *   2xx            delivered;
 *   429, 503       retried after what Retry-After asks (seconds or an
 *                  HTTP-date, backoff_retry_after), else after the backoff;
 *   3xx            permanent: redirects are never followed (a receiver that
 *                  moved must be configured again);
 *   other 4xx      permanent: the same request would be refused again;
 *   5xx, no answer retried with backoff (connection, TLS, timeout: curl's
 *                  error text is the reason).
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backoff.h"
#include "config.h"
#include "deliver-internal.h"
#include "log.h"

static size_t
deliver_http_discard_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return (size * nmemb);
}

/*
 * Copy a header value (or a reason phrase) of n bytes into buf: surrounding
 * white space and the line end dropped; "" when it does not fit or holds a
 * byte that is not printable ASCII (no valid value does, and the phrase is
 * logged and stored).
 */
static void
deliver_http_copy(const char *v, size_t n, char *buf, size_t len)
{
	size_t	i;

	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' ||
	    v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	buf[0] = '\0';
	if (n >= len)
		return;
	for (i = 0; i < n; i++) {
		if ((unsigned char)v[i] < ' ' || (unsigned char)v[i] >= 0x7f)
			return;
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
}

/*
 * Response headers: keep the reason phrase and Retry-After for the
 * classification. A status line starts a new response (after a 1xx), whose
 * headers replace the last one's. Retry-After keeps its inner spaces (dates
 * have them): backoff_retry_after() reads it.
 */
static size_t
deliver_http_header_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct deliver_job	*job = arg;
	static const char	 name[] = "Retry-After:";
	size_t			 n = size * nitems;
	const char		*p, *end = buf + n;

	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		job->retry_after[0] = '\0';
		job->status_text[0] = '\0';
		/* HTTP/1.1 404 Not Found: the phrase after the code (HTTP/2
		 * has none). */
		if ((p = memchr(buf, ' ', n)) != NULL &&
		    (p = memchr(p + 1, ' ', (size_t)(end - p - 1))) != NULL)
			deliver_http_copy(p + 1, (size_t)(end - p - 1),
			    job->status_text, sizeof job->status_text);
		return (n);
	}
	if (n < sizeof name - 1 || strncasecmp(buf, name, sizeof name - 1) != 0)
		return (n);
	deliver_http_copy(buf + sizeof name - 1, n - (sizeof name - 1),
	    job->retry_after, sizeof job->retry_after);
	return (n);
}

void
deliver_http_add_header(struct curl_slist **list, const char *fmt, ...)
{
	struct curl_slist	*l;
	va_list			 ap;
	char			*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("%s: out of memory", __func__);
	va_end(ap);
	if ((l = curl_slist_append(*list, s)) == NULL)
		fatalx("%s: out of memory", __func__);
	*list = l;
	free(s);
}

CURL *
deliver_http_easy(struct deliver_job *job, const struct receiver_conf *r,
    const struct config *cfg)
{
	CURL	*easy;

	easy = deliver_easy(r, cfg, "http,https");
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, job->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)job->len);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, deliver_http_discard_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, deliver_http_header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, job);
	return (easy);
}

void
deliver_http_classify(const struct deliver_result *res, int64_t now,
    struct deliver_outcome *out)
{
	const char	*sp = *res->status_text != '\0' ? " " : "";
	int64_t		 secs;
	long		 st = res->status;

	out->retry_after = -1;
	out->reason[0] = '\0';
	if (!res->ok) {
		out->verdict = DELIVER_RETRY;
		snprintf(out->reason, sizeof out->reason, "%s",
		    res->error != NULL ? res->error : "transfer failed");
		return;
	}
	snprintf(out->reason, sizeof out->reason, "HTTP %ld%s%s", st, sp,
	    res->status_text);
	if (st >= 200 && st <= 299) {
		out->verdict = DELIVER_DELIVERED;
		out->reason[0] = '\0';
	} else if (st == 429 || st == 503) {
		out->verdict = DELIVER_RETRY;
		if (backoff_retry_after(res->retry_after, now, &secs) == 0)
			out->retry_after = secs;
	} else if (st >= 300 && st <= 399) {
		out->verdict = DELIVER_PERMANENT;
		snprintf(out->reason, sizeof out->reason, "HTTP %ld%s%s "
		    "(redirects are not followed)", st, sp, res->status_text);
	} else if (st >= 400 && st <= 499)
		out->verdict = DELIVER_PERMANENT;
	else
		out->verdict = DELIVER_RETRY;	/* 5xx, or no valid status */
}
