/*
 * The webhook receiver: a notice as JSON POSTed in the curl loop, with an
 * Idempotency-Key and, when a secret is configured, the signature
 * X-Roiwatch-Signature: sha256=HMAC(secret, "<timestamp>.<body>").
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "deliver-internal.h"
#include "hmac.h"
#include "log.h"
#include "notice.h"
#include "store.h"
#include "xmalloc.h"

#ifndef ROIWATCH_VERSION
#define ROIWATCH_VERSION "0"
#endif

static size_t
deliver_discard_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return (size * nmemb);
}

/*
 * Webhook response headers: keep Retry-After for deliver_classify(). A status
 * line starts a new response (after a 1xx), whose headers replace the last
 * one's. A value too long or holding a NUL is dropped: no valid one is.
 */
static size_t
deliver_header_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct deliver_job	*job = arg;
	static const char	 name[] = "Retry-After:";
	size_t			 n = size * nitems, vlen;
	const char		*v;

	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		job->retry_after[0] = '\0';
		return (n);
	}
	if (n < sizeof name - 1 || strncasecmp(buf, name, sizeof name - 1) != 0)
		return (n);
	v = buf + sizeof name - 1;
	vlen = n - (sizeof name - 1);
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
		vlen--;
	if (vlen >= sizeof job->retry_after || memchr(v, '\0', vlen) != NULL)
		job->retry_after[0] = '\0';
	else {
		memcpy(job->retry_after, v, vlen);
		job->retry_after[vlen] = '\0';
	}
	return (n);
}

static void
deliver_add_header(struct curl_slist **list, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
deliver_add_header(struct curl_slist **list, const char *fmt, ...)
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

int
deliver_webhook(struct deliver *d, const struct receiver_conf *r,
    const struct outbox_item *it, const struct notice *n,
    struct deliver_job *job, CURL **easyp, char **cause)
{
	CURL	*easy;
	uint8_t	 mac[SHA256_DIGEST_LEN];
	char	 hex[SHA256_HEX_LEN], prefix[32];
	struct hmac_sha256_ctx hctx;
	int64_t	 ts;

	if (r->url == NULL) {
		*cause = xstrdup("no url configured");
		return (-1);
	}
	job->body = notice_render_webhook(n, it->idem_key);
	job->len = strlen(job->body);
	deliver_add_header(&job->headers, "Content-Type: application/json");
	deliver_add_header(&job->headers, "Idempotency-Key: %s", it->idem_key);
	deliver_add_header(&job->headers, "User-Agent: roiwatch/%s",
	    ROIWATCH_VERSION);
	deliver_add_header(&job->headers, "Expect:");
	if (r->secret != NULL && *r->secret != '\0') {
		ts = (int64_t)time(NULL);
		snprintf(prefix, sizeof prefix, "%" PRId64 ".", ts);
		hmac_sha256_init(&hctx, r->secret, strlen(r->secret));
		hmac_sha256_update(&hctx, prefix, strlen(prefix));
		hmac_sha256_update(&hctx, job->body, job->len);
		hmac_sha256_final(&hctx, mac);
		deliver_add_header(&job->headers, "X-Roiwatch-Timestamp: %"
		    PRId64, ts);
		deliver_add_header(&job->headers, "X-Roiwatch-Signature: "
		    "sha256=%s", hmac_hex(mac, hex));
	}

	easy = deliver_easy(r, d->cfg, "http,https");
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, job->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)job->len);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, deliver_discard_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, deliver_header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, job);
	*easyp = easy;
	return (0);
}

