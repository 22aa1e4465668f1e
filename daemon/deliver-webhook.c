/*
 * The webhook receiver: a notice as JSON POSTed in the curl loop, with an
 * Idempotency-Key and, when a secret is configured, the signature
 * X-Roiwatch-Signature: sha256=HMAC(secret, "<timestamp>.<body>") beside
 * X-Roiwatch-Timestamp. The outcome follows the HTTP rules (deliver-http.c).
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "deliver-internal.h"
#include "digest.h"
#include "hmac.h"
#include "log.h"
#include "notice.h"
#include "xmalloc.h"

#ifndef ROIWATCH_VERSION
#define ROIWATCH_VERSION "0"
#endif

static char *
receiver_webhook_render(const struct notice *n, const struct receiver_conf *r,
    const char *key, int64_t now)
{
	(void)r;
	(void)now;
	return (notice_render_webhook(n, key));
}

/*
 * A digest as JSON: the idempotency key, what kind of message it is, the
 * subject and plain text a person reads, and the report (digest_json(),
 * report.json's every figure).
 */
static size_t
receiver_webhook_digest(const struct digest *d, const struct receiver_conf *r,
    const char *key, char ***parts)
{
	cJSON	*root, *client;
	char	*s;

	(void)r;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "idempotency_key", key);
	cJSON_AddStringToObject(root, "kind", "digest");
	client = cJSON_AddObjectToObject(root, "client");
	cJSON_AddStringToObject(client, "id", d->client_id);
	cJSON_AddStringToObject(client, "name", d->client_name);
	cJSON_AddStringToObject(client, "currency", d->currency);
	cJSON_AddStringToObject(client, "language", d->language);
	s = digest_subject(d);
	cJSON_AddStringToObject(root, "subject", s);
	free(s);
	s = digest_text(d);
	cJSON_AddStringToObject(root, "text", s);
	free(s);
	cJSON_AddItemToObject(root, "report", digest_json(d));
	*parts = xcalloc(1, sizeof **parts);
	if (((*parts)[0] = cJSON_PrintUnformatted(root)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_Delete(root);
	return (1);
}

static int
receiver_webhook_send(struct deliver_job *job, const struct receiver_conf *r,
    const struct config *cfg, CURL **easyp, char **cause)
{
	uint8_t	 mac[SHA256_DIGEST_LEN];
	char	 hex[SHA256_HEX_LEN], prefix[32];
	struct hmac_sha256_ctx hctx;
	int64_t	 ts;

	if (r->url == NULL) {
		*cause = xstrdup("no url configured");
		return (-1);
	}
	deliver_http_add_header(&job->headers, "Content-Type: application/json");
	deliver_http_add_header(&job->headers, "Idempotency-Key: %s", job->key);
	deliver_http_add_header(&job->headers, "User-Agent: roiwatch/%s",
	    ROIWATCH_VERSION);
	deliver_http_add_header(&job->headers, "Expect:");
	if (r->secret != NULL && *r->secret != '\0') {
		ts = (int64_t)time(NULL);
		snprintf(prefix, sizeof prefix, "%" PRId64 ".", ts);
		hmac_sha256_init(&hctx, r->secret, strlen(r->secret));
		hmac_sha256_update(&hctx, prefix, strlen(prefix));
		hmac_sha256_update(&hctx, job->body, job->len);
		hmac_sha256_final(&hctx, mac);
		deliver_http_add_header(&job->headers, "X-Roiwatch-Timestamp: %"
		    PRId64, ts);
		deliver_http_add_header(&job->headers, "X-Roiwatch-Signature: "
		    "sha256=%s", hmac_hex(mac, hex));
	}
	*easyp = deliver_http_easy(job, r, cfg);
	return (0);
}

const struct receiver_ops receiver_webhook_ops = {
	.name = "webhook",
	.type = RECEIVER_WEBHOOK,
	.render = receiver_webhook_render,
	.render_digest = receiver_webhook_digest,
	.send = receiver_webhook_send,
	.classify = deliver_http_classify,
};
