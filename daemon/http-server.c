/*
 * The HTTP listener: evhttp on the daemon's event base, POST /v1/metrics with
 * group commit, GET /healthz and GET /metrics; GET /v1/clients/{id}/kpis and
 * /alerts are routed to http-read.c (checked on the loop, computed by its
 * worker thread, answered on the loop). See http-server.h for the
 * protocol. The server owns its evhttp, the bound socket, the open ingest batch
 * with the requests waiting for its commit, per-client state (rate bucket,
 * signatures seen recently: a cache in front of the store's replay marks) and
 * one struct http_conn per connection. Configuration strings are borrowed
 * from the current struct config; anything kept across reloads is copied.
 *
 * Connections (http-conn.c). libevent 2.1 has no hook on a new server
 * request before its body is read, so the listener stands beside evhttp on
 * each connection: the
 * bufferevent is ours (evhttp_set_bevcb), a zero-timeout event admits the
 * connection right after evhttp set it up (caps per server and per peer), and
 * a callback on the bufferevent's input buffer sees every byte before evhttp
 * parses it. It frames the requests the way evhttp does (a head, then
 * Content-Length bytes of body; chunked bodies end the tracking and the
 * connection), judges each complete head (http_conn_judge) and either lets
 * evhttp go on or answers at once by itself, takes the refused request's
 * bytes out of the buffer before evhttp sees them, and drops what follows.
 * Only while no answer is being written may it answer by itself; a refused
 * request pipelined behind an unanswered one just closes the connection once
 * the answers before it are written. One timer per connection carries the
 * admission, then the request deadline, then the short linger after an early
 * answer. evhttp_connection_free() is called only while no request is in the
 * handlers' hands (it would free the request under them).
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "hmac.h"
#include "http-head.h"
#include "http-internal.h"
#include "http-server.h"
#include "ingest.h"
#include "log.h"
#include "parse.h"
#include "store.h"
#include "xmalloc.h"


/* Every server, so that the listener's error callback (whose argument is the
 * evhttp's) finds its own. */
static LIST_HEAD(, http_server) http_servers = LIST_HEAD_INITIALIZER(http_servers);

static const int http_stats_codes[HTTP_STATS_NCODES] = HTTP_STATS_CODES;

static void	http_server_request_cb(struct evhttp_request *, void *);
static void	http_server_commit_cb(evutil_socket_t, short, void *);
static void	http_server_commit(struct http_server *);

static int64_t
http_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
http_reason(int code)
{
	switch (code) {
	case 200:	return "OK";
	case 201:	return "Created";
	case 202:	return "Accepted";
	case 400:	return "Bad Request";
	case 401:	return "Unauthorized";
	case 403:	return "Forbidden";
	case 404:	return "Not Found";
	case 405:	return "Method Not Allowed";
	case 408:	return "Request Timeout";
	case 409:	return "Conflict";
	case 413:	return "Content Too Large";
	case 415:	return "Unsupported Media Type";
	case 429:	return "Too Many Requests";
	case 501:	return "Not Implemented";
	case 503:	return "Service Unavailable";
	default:	return "Internal Server Error";
	}
}

void
http_count(struct http_server *srv, int code)
{
	size_t i;

	for (i = 0; i < HTTP_STATS_NCODES; i++) {
		if (http_stats_codes[i] == code)
			break;
	}
	srv->stats.requests[i]++;
}

/* Send the one reply of a request. The body is copied. */
void
http_reply(struct http_server *srv, struct evhttp_request *req, int code,
    const char *ctype, const char *body, size_t len)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct http_conn *c;

	evhttp_add_header(out, "Content-Type", ctype);
	evhttp_add_header(out, "Cache-Control", "no-store");
	if ((c = http_req_conn(srv, req)) != NULL && c->close_after)
		evhttp_add_header(out, "Connection", "close");
	if (len > 0)
		evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	http_count(srv, code);
	evhttp_send_reply(req, code, http_reason(code), NULL);
}

void
http_reply_json(struct http_server *srv, struct evhttp_request *req, int code,
    cJSON *obj)
{
	char *s;

	s = cJSON_PrintUnformatted(obj);
	if (s == NULL)
		fatalx("%s: out of memory", __func__);
	http_reply(srv, req, code, "application/json", s, strlen(s));
	cJSON_free(s);
}

/* {"error": msg} */
void
http_reply_error(struct http_server *srv, struct evhttp_request *req, int code,
    const char *msg)
{
	cJSON *obj;

	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "error", msg);
	http_reply_json(srv, req, code, obj);
	cJSON_Delete(obj);
}

static void
http_reply_retry(struct http_server *srv, struct evhttp_request *req, int code,
    long secs, const char *msg)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%ld", secs < 1 ? 1 : secs);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After",
	    buf);
	http_reply_error(srv, req, code, msg);
}

void
http_reply_method(struct http_server *srv, struct evhttp_request *req,
    const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
	http_reply_error(srv, req, 405, "method not allowed");
}

/*
 * The JSON answer of an ingest request: counts, the first row errors, and a
 * top-level "error" when the input was refused.
 */
static cJSON *
http_result_json(const struct ingest_result *res, const char *error)
{
	const struct parse_error *e;
	cJSON *obj, *arr, *item;
	size_t i;

	obj = cJSON_CreateObject();
	if (error != NULL)
		cJSON_AddStringToObject(obj, "error", error);
	cJSON_AddNumberToObject(obj, "accepted", (double)res->rows_accepted);
	cJSON_AddNumberToObject(obj, "rejected", (double)res->rows_rejected);
	arr = cJSON_AddArrayToObject(obj, "errors");
	for (i = 0; i < res->nerrors && i < HTTP_ERRORS_MAX; i++) {
		e = &res->errors[i];
		item = cJSON_CreateObject();
		cJSON_AddNumberToObject(item, "row", (double)e->row);
		cJSON_AddNumberToObject(item, "line", (double)e->line);
		cJSON_AddStringToObject(item, "field", e->column);
		cJSON_AddStringToObject(item, "reason", e->reason);
		cJSON_AddItemToArray(arr, item);
	}
	if (res->errors_total > (long)res->nerrors)
		cJSON_AddNumberToObject(obj, "errors_total",
		    (double)res->errors_total);
	return obj;
}

/* Per-client state, created on first use and kept across reloads. */
static struct http_client *
http_client_get(struct http_server *srv, const char *id)
{
	struct http_client *hc;
	size_t i;

	for (i = 0; i < srv->nclients; i++) {
		if (strcmp(srv->clients[i]->id, id) == 0)
			return srv->clients[i];
	}
	hc = xcalloc(1, sizeof *hc);
	hc->id = xstrdup(id);
	hc->tokens = -1;	/* full at first use */
	srv->clients = xreallocarray(srv->clients, srv->nclients + 1,
	    sizeof *srv->clients);
	srv->clients[srv->nclients++] = hc;
	return hc;
}

static void
http_client_free(struct http_client *hc)
{
	free(hc->seen);
	free(hc->id);
	free(hc);
}

/*
 * Token bucket of rate tokens a minute, holding at most a minute's worth.
 * Returns 0 and takes a token, or -1 with *retry the seconds until one is there.
 * A rate <= 0 means no limit.
 */
static int
http_rate_take(struct http_server *srv, struct http_client *hc, long *retry)
{
	int64_t rate = srv->cfg->http_rate_per_minute, now, elapsed;
	double per_ms;

	if (rate <= 0)
		return 0;
	now = http_monotonic_ms();
	per_ms = (double)rate / 60000.0;
	if (hc->tokens < 0)
		hc->tokens = (double)rate;
	else {
		elapsed = now - hc->refilled_ms;
		if (elapsed > 0)
			hc->tokens += (double)elapsed * per_ms;
		if (hc->tokens > (double)rate)
			hc->tokens = (double)rate;
	}
	hc->refilled_ms = now;
	if (hc->tokens >= 1.0) {
		hc->tokens -= 1.0;
		return 0;
	}
	*retry = (long)((1.0 - hc->tokens) / per_ms / 1000.0) + 1;
	return -1;
}

/* Drop signatures whose timestamp left the window: they would be refused as
 * too old anyway. */
static void
http_seen_prune(struct http_client *hc, int64_t now)
{
	size_t i, j;

	for (i = j = 0; i < hc->nseen; i++) {
		if (hc->seen[i].ts >= now - HTTP_SIGNATURE_WINDOW)
			hc->seen[j++] = hc->seen[i];
	}
	hc->nseen = j;
}

static int
http_seen_find(const struct http_client *hc, const uint8_t *mac)
{
	size_t i;

	for (i = 0; i < hc->nseen; i++) {
		if (memcmp(hc->seen[i].mac, mac, SHA256_DIGEST_LEN) == 0)
			return (int)i;
	}
	return -1;
}

/* Remember a committed signature; when full, forget the oldest timestamp
 * (the store still knows it: the cache only spares it the lookups). */
static void
http_seen_add(struct http_client *hc, const uint8_t *mac, int64_t ts)
{
	size_t i, oldest;

	if (hc->nseen == HTTP_REPLAY_MAX) {
		oldest = 0;
		for (i = 1; i < hc->nseen; i++) {
			if (hc->seen[i].ts < hc->seen[oldest].ts)
				oldest = i;
		}
		log_debug("client %s: replay cache full, forgetting a signature",
		    hc->id);
		hc->seen[oldest] = hc->seen[--hc->nseen];
	}
	if (hc->nseen == hc->seencap) {
		hc->seencap = hc->seencap ? hc->seencap * 2 : 16;
		hc->seen = xreallocarray(hc->seen, hc->seencap, sizeof *hc->seen);
	}
	memcpy(hc->seen[hc->nseen].mac, mac, SHA256_DIGEST_LEN);
	hc->seen[hc->nseen].ts = ts;
	hc->nseen++;
}

static int
http_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Check X-Roiwatch-Timestamp and X-Roiwatch-Signature of a signed client's
 * request. Returns 0 (mac and *tsp filled), 401 or 409 (in the cache of
 * committed signatures) with *why a static reason. The signature is recorded
 * only with the rows it admits (http_server_commit), so that the store
 * decides replays across restarts and a failed batch leaves no mark.
 */
static int
http_check_signature(struct http_client *hc, const struct client_conf *cc,
    struct evkeyvalq *hdrs, const char *body, size_t len,
    uint8_t mac[SHA256_DIGEST_LEN], int64_t *tsp, const char **why)
{
	const char *tss, *sig, *p;
	char *prefix;
	uint8_t want[SHA256_DIGEST_LEN];
	struct hmac_sha256_ctx hctx;
	int64_t ts = 0, now;
	size_t i;
	int hi, lo, bad = 0;

	tss = evhttp_find_header(hdrs, "X-Roiwatch-Timestamp");
	sig = evhttp_find_header(hdrs, "X-Roiwatch-Signature");
	if (tss == NULL || sig == NULL) {
		*why = "missing X-Roiwatch-Timestamp or X-Roiwatch-Signature";
		return 401;
	}
	if (*tss == '\0' || strlen(tss) > 12) {
		*why = "invalid X-Roiwatch-Timestamp";
		return 401;
	}
	for (p = tss; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			*why = "invalid X-Roiwatch-Timestamp";
			return 401;
		}
		ts = ts * 10 + (*p - '0');
	}
	now = (int64_t)time(NULL);
	if (ts < now - HTTP_SIGNATURE_WINDOW || ts > now + HTTP_SIGNATURE_WINDOW) {
		*why = "timestamp outside the accepted window";
		return 401;
	}
	if (strncasecmp(sig, "sha256=", 7) != 0 ||
	    strlen(sig + 7) != 2 * SHA256_DIGEST_LEN) {
		*why = "bad signature";
		return 401;
	}
	for (i = 0, p = sig + 7; i < SHA256_DIGEST_LEN; i++, p += 2) {
		hi = http_hexval((unsigned char)p[0]);
		lo = http_hexval((unsigned char)p[1]);
		bad |= hi < 0 || lo < 0;
		mac[i] = (uint8_t)(((hi & 0xf) << 4) | (lo & 0xf));
	}

	/* The signed message is: timestamp "." body. */
	xasprintf(&prefix, "%s.", tss);
	/* HMAC over prefix and body without copying the body. */
	hmac_sha256_init(&hctx, cc->hmac_secret, strlen(cc->hmac_secret));
	hmac_sha256_update(&hctx, prefix, strlen(prefix));
	hmac_sha256_update(&hctx, body, len);
	hmac_sha256_final(&hctx, want);
	free(prefix);
	if (!hmac_equal(want, mac, sizeof want) || bad) {
		*why = "bad signature";
		return 401;
	}

	http_seen_prune(hc, now);
	if (http_seen_find(hc, mac) != -1) {
		*why = HTTP_REPLAYED;
		return 409;
	}
	*tsp = ts;
	return 0;
}

/* Order of token digests: http_server_apply() sorts, the lookup searches. */
static int
http_cred_cmp(const void *a, const void *b)
{
	const struct http_cred *ca = a, *cb = b;

	return memcmp(ca->digest, cb->digest, sizeof ca->digest);
}

/*
 * The client owning the request's bearer token, or NULL. Tokens are looked
 * up by their SHA-256 digest in the sorted table (log2 of the clients'
 * number of steps, not one per client): the search's timing can tell at most
 * how the presented token's digest orders against stored digests, which
 * says nothing usable about any token; the match itself is confirmed in
 * constant time.
 */
/* The digest of a "Bearer TOKEN" value's token; -1 when it holds none. */
static int
http_bearer_digest(const char *auth, size_t len,
    uint8_t digest[SHA256_DIGEST_LEN])
{
	const char *tok, *end = auth + len;

	if (len < 7 || strncasecmp(auth, "Bearer", 6) != 0 ||
	    (auth[6] != ' ' && auth[6] != '\t'))
		return -1;
	for (tok = auth + 6; tok < end && (*tok == ' ' || *tok == '\t'); tok++)
		;
	while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == tok)
		return -1;
	sha256(tok, (size_t)(end - tok), digest);
	return 0;
}

const struct client_conf *
http_authenticate_value(struct http_server *srv, const char *auth, size_t len)
{
	const struct http_cred *found;
	struct http_cred key;

	memset(&key, 0, sizeof key);
	if (http_bearer_digest(auth, len, key.digest) != 0)
		return NULL;
	found = bsearch(&key, srv->creds, srv->ncreds, sizeof *srv->creds,
	    http_cred_cmp);
	if (found == NULL || !hmac_equal(key.digest, found->digest,
	    sizeof key.digest))
		return NULL;
	return found->cc;
}

int
http_authenticate_operator(struct http_server *srv, const char *auth,
    size_t len)
{
	uint8_t	 digest[SHA256_DIGEST_LEN];

	if (!srv->has_operator || http_bearer_digest(auth, len, digest) != 0)
		return 0;
	return hmac_equal(digest, srv->operator_digest, sizeof digest);
}

static const struct client_conf *
http_authenticate(struct http_server *srv, struct evkeyvalq *hdrs)
{
	const char *auth;

	if ((auth = evhttp_find_header(hdrs, "Authorization")) == NULL)
		return NULL;
	return http_authenticate_value(srv, auth, strlen(auth));
}


/* ?partial=1 (or true/yes). */
static int
http_query_partial(struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq q;
	const char *query, *v;
	int partial = 0;

	if (uri == NULL || (query = evhttp_uri_get_query(uri)) == NULL)
		return 0;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) != 0)
		return 0;
	if ((v = evhttp_find_header(&q, "partial")) != NULL)
		partial = strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
		    strcasecmp(v, "yes") == 0;
	evhttp_clear_headers(&q);
	return partial;
}

/*
 * The store may have blocked for seconds (fsync, a busy database): refresh
 * libevent's cached clock, or the write timeouts of the replies about to be
 * sent would be counted from before the wait and expire at once, closing the
 * connections unanswered.
 */
static void
http_server_time_moved(struct http_server *srv)
{
	event_base_update_cache_time(srv->base);
}

static void
http_pending_free(struct http_pending *p)
{
	free(p->answer);
	free(p->client_id);
	free(p);
}

/*
 * Take the request out of the pending state before its one reply: a request
 * whose connection closed meanwhile was detached by evhttp (the connection's
 * close callback set gone), and replying to it only frees it.
 */
static void
http_pending_release(struct http_pending *p)
{
	if (p->conn != NULL)
		p->conn->pending = NULL;
	p->conn = NULL;
}

static void
http_pending_store_failed(struct http_server *srv, struct http_pending *p)
{
	http_reply_retry(srv, p->req, 503, 1, "the store failed, retry later");
}

/*
 * A signed request's replay check against the store, inside the batch's
 * transaction: the store keeps the signatures of committed requests (across
 * restarts) and of the requests already added to this batch (two identical
 * requests in one batch). Returns 0 to go on, or -1 after answering it.
 */
static int
http_pending_replay(struct http_server *srv, struct http_pending *p,
    int64_t now)
{
	char *cause = NULL, idbuf[128];
	int seen;

	if (!p->is_signed)
		return 0;
	seen = store_replay_seen(srv->store, p->client_id, p->mac,
	    sizeof p->mac, now, &cause);
	if (seen == 0)
		return 0;
	log_escape(p->client_id, strlen(p->client_id), idbuf, sizeof idbuf);
	http_pending_release(p);
	if (seen == -1) {
		log_warnx("http ingest: client %s: %s", idbuf, cause);
		free(cause);
		http_pending_store_failed(srv, p);
	} else {
		log_info("client %s: request refused: %s", idbuf, HTTP_REPLAYED);
		http_reply_error(srv, p->req, 409, HTTP_REPLAYED);
	}
	return -1;
}

/*
 * Add one queued request to the batch. Returns 0 when its rows are in, or
 * -1 after answering it (refused input: nothing of it stays). A replay mark
 * that cannot be written sets *failed: its rows are in the transaction
 * already, so the whole batch must be rolled back.
 */
static int
http_pending_add(struct http_server *srv, struct ingest_batch *b,
    struct http_pending *p, int *failed)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(p->req);
	struct parse_options po;
	struct ingest_result res;
	const char *body;
	char idbuf[128];
	size_t len;
	cJSON *obj;
	char origin[96];

	/*
	 * The request was authenticated when it came, but is added under the
	 * configuration of now: a reload while it waited (the database held
	 * by another writer) may have removed its client. Its rows are not
	 * wrong, its token no longer opens anything: 401, as it would get if
	 * sent again, not a 400 that tells the sender to drop the rows.
	 */
	if (config_client(srv->cfg, p->client_id) == NULL) {
		log_escape(p->client_id, strlen(p->client_id), idbuf,
		    sizeof idbuf);
		log_info("client %s: request refused: the client was removed "
		    "by a reload while the request waited", idbuf);
		http_pending_release(p);
		evhttp_add_header(evhttp_request_get_output_headers(p->req),
		    "WWW-Authenticate", "Bearer realm=\"roiwatch\"");
		http_reply_error(srv, p->req, 401, "the token's client was "
		    "removed by a configuration reload");
		return -1;
	}
	len = evbuffer_get_length(in);
	body = len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";
	memset(&po, 0, sizeof po);
	po.format = p->format;
	po.max_rows = srv->cfg->http_max_rows > 0 ? srv->cfg->http_max_rows : 0;
	memset(&res, 0, sizeof res);
	snprintf(origin, sizeof origin, "http client %s", p->client_id);
	if (ingest_batch_add(b, srv->cfg, origin, body, len, &po, p->client_id,
	    p->partial, &res) == 0) {
		/* The signature is durable with the rows it admitted. */
		if (p->is_signed && store_replay_mark(srv->store, p->client_id,
		    p->mac, sizeof p->mac, p->ts + HTTP_SIGNATURE_WINDOW,
		    &res.cause) != 0) {
			res.store_failed = 1;
			*failed = 1;
			goto refused;
		}
		p->rows = res.rows_accepted;
		p->rejected = res.rows_rejected;
		obj = http_result_json(&res, NULL);
		if ((p->answer = cJSON_PrintUnformatted(obj)) == NULL)
			fatalx("%s: out of memory", __func__);
		cJSON_Delete(obj);
		ingest_result_clear(&res);
		return 0;
	}

refused:
	srv->stats.rows_rejected += (uint64_t)res.rows_rejected;
	http_pending_release(p);
	if (res.store_failed) {
		log_escape(p->client_id, strlen(p->client_id), idbuf,
		    sizeof idbuf);
		log_warnx("http ingest: client %s: %s", idbuf,
		    res.cause != NULL ? res.cause : "store failed");
		http_pending_store_failed(srv, p);
	} else if (res.too_many_rows) {
		http_reply_error(srv, p->req, 413, res.cause != NULL ?
		    res.cause : "too many rows");
	} else if (res.forbidden) {
		http_reply_error(srv, p->req, 403,
		    "rows for another client than the token's");
	} else {
		obj = http_result_json(&res, res.cause != NULL ? res.cause :
		    "input refused");
		http_reply_json(srv, p->req, 400, obj);
		cJSON_Delete(obj);
	}
	ingest_result_clear(&res);
	return -1;
}

/*
 * Group commit: one transaction for every request queued since the last
 * commit, each request in its own savepoint (ingest_batch_add). The
 * transaction lives only inside this function, so no other module's callback
 * ever finds the store in the middle of it. Refused inputs are answered at
 * once; the others get 202 after the commit, or 503 when it failed. Then the
 * daemon gets the touched campaigns.
 */
static void
http_server_commit(struct http_server *srv)
{
	struct http_pending_list list, added;
	struct ingest_batch *b;
	struct http_pending *p;
	const struct ingest_subject *subjects;
	size_t n, count = 0;
	char *cause = NULL;
	int64_t now, pruned;
	uint64_t ticket;
	int ok, failed = 0;

	if (srv->npending == 0)
		return;
	TAILQ_INIT(&list);
	TAILQ_INIT(&added);
	TAILQ_CONCAT(&list, &srv->pending, entry);
	srv->npending = 0;

	b = ingest_batch_begin(srv->store, &cause);
	http_server_time_moved(srv);
	if (b == NULL && store_busy(srv->store) && !srv->closing &&
	    http_monotonic_ms() - TAILQ_FIRST(&list)->queued_ms <
	    HTTP_BUSY_WAIT_MSECS) {
		/*
		 * Another process holds the write lock (a backfill commits in
		 * chunks of 50 ms): the loop does not wait for it. The
		 * requests wait, in order, and the commit is tried again
		 * shortly; after HTTP_BUSY_WAIT_MSECS they get 503.
		 */
		struct timeval tv = { 0, HTTP_BUSY_RETRY_MSECS * 1000 };

		free(cause);
		TAILQ_CONCAT(&list, &srv->pending, entry);
		TAILQ_CONCAT(&srv->pending, &list, entry);
		for (p = TAILQ_FIRST(&srv->pending), n = 0; p != NULL;
		    p = TAILQ_NEXT(p, entry))
			n++;
		srv->npending = n;
		srv->stats.busy_retries++;
		srv->busy_waiting = 1;
		event_del(srv->commit_ev);
		event_add(srv->commit_ev, &tv);
		return;
	}
	srv->busy_waiting = 0;
	if (b == NULL) {
		log_warnx("http ingest: %s", cause);
		free(cause);
		srv->stats.batch_failures++;
		while ((p = TAILQ_FIRST(&list)) != NULL) {
			TAILQ_REMOVE(&list, p, entry);
			http_pending_release(p);
			http_pending_store_failed(srv, p);
			http_pending_free(p);
		}
		return;
	}
	now = (int64_t)time(NULL);
	while ((p = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, p, entry);
		if (failed) {
			http_pending_release(p);
			http_pending_store_failed(srv, p);
			http_pending_free(p);
		} else if (http_pending_replay(srv, p, now) != 0)
			http_pending_free(p);
		else if (http_pending_add(srv, b, p, &failed) == 0) {
			TAILQ_INSERT_TAIL(&added, p, entry);
			count++;
		} else
			http_pending_free(p);
	}
	if (count == 0) {
		ingest_batch_free(b);	/* every input was refused */
		return;
	}
	if (!failed && now - srv->replay_pruned >= HTTP_REPLAY_PRUNE_SECS) {
		srv->replay_pruned = now;
		if ((pruned = store_replay_prune(srv->store, now,
		    &cause)) == -1) {
			log_warnx("http ingest: %s", cause);
			free(cause);
			cause = NULL;
		} else if (pruned > 0)
			log_debug("%s: %" PRId64 " expired replay marks deleted",
			    __func__, pruned);
	}

	if (failed)
		ok = 0;		/* a replay mark failed: roll back whole */
	else
		ok = ingest_batch_commit(b, &cause) == 0;
	http_server_time_moved(srv);
	if (!ok) {
		log_warnx("http ingest: commit of %zu requests failed: %s",
		    count, cause != NULL ? cause : "replay mark not written");
		free(cause);
		srv->stats.batch_failures++;
	} else {
		srv->stats.batches++;
		if (count > srv->stats.batch_max_requests)
			srv->stats.batch_max_requests = count;
	}
	ticket = ok && srv->syncer != NULL ? store_syncer_request(srv->syncer) :
	    0;
	while ((p = TAILQ_FIRST(&added)) != NULL) {
		TAILQ_REMOVE(&added, p, entry);
		srv->stats.rows_rejected += (uint64_t)p->rejected;
		if (ok) {
			srv->stats.rows_accepted += (uint64_t)p->rows;
			if (p->is_signed) {
				http_seen_prune(p->client, now);
				http_seen_add(p->client, p->mac, p->ts);
			}
			if (ticket != 0) {
				/* Answered once on disk (http_server_synced). */
				p->ticket = ticket;
				TAILQ_INSERT_TAIL(&srv->awaiting, p, entry);
				continue;
			}
			http_pending_release(p);
			http_reply(srv, p->req, 202, "application/json",
			    p->answer, strlen(p->answer));
		} else {
			http_pending_release(p);
			srv->stats.rows_rejected += (uint64_t)p->rows;
			http_pending_store_failed(srv, p);
		}
		http_pending_free(p);
	}
	if (ok && srv->cb != NULL) {
		subjects = ingest_batch_subjects(b, &n);
		if (n > 0)
			srv->cb(srv->cb_arg, subjects, n);
	}
	ingest_batch_free(b);
}

/*
 * POST /v1/metrics: authenticate, rate limit, check the signature and the
 * content type, then queue the request for the group commit.
 */
static void
http_ingest(struct http_server *srv, struct evhttp_request *req)
{
	const struct config *cfg = srv->cfg;
	struct evkeyvalq *hdrs = evhttp_request_get_input_headers(req);
	const struct client_conf *cc;
	struct http_client *hc;
	struct http_pending *p;
	struct evbuffer *in;
	const char *ctype, *why, *body;
	char idbuf[128];
	uint8_t mac[SHA256_DIGEST_LEN];
	int64_t ts = 0;
	size_t len;
	long retry;
	int format, partial, code, is_signed = 0;

	if ((cc = http_authenticate(srv, hdrs)) == NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"roiwatch\"");
		http_reply_error(srv, req, 401, "missing or unknown bearer token");
		return;
	}
	log_escape(cc->id, strlen(cc->id), idbuf, sizeof idbuf);
	hc = http_client_get(srv, cc->id);
	if (http_rate_take(srv, hc, &retry) != 0) {
		log_debug("%s: client %s rate limited", __func__, idbuf);
		http_reply_retry(srv, req, 429, retry, "rate limit exceeded");
		return;
	}

	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if (cfg->http_max_body_bytes > 0 &&
	    len > (size_t)cfg->http_max_body_bytes) {
		http_reply_error(srv, req, 413, "request body too large");
		return;
	}
	body = len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";

	memset(mac, 0, sizeof mac);
	if (cc->hmac_secret != NULL && cc->hmac_secret[0] != '\0') {
		code = http_check_signature(hc, cc, hdrs, body, len, mac, &ts,
		    &why);
		if (code != 0) {
			log_info("client %s: request refused: %s", idbuf, why);
			if (code == 401)
				evhttp_add_header(
				    evhttp_request_get_output_headers(req),
				    "WWW-Authenticate",
				    "Bearer realm=\"roiwatch\"");
			http_reply_error(srv, req, code, why);
			return;
		}
		is_signed = 1;
	}

	ctype = evhttp_find_header(hdrs, "Content-Type");
	if (ctype == NULL ||
	    (format = parse_format_from_content_type(ctype)) == -1) {
		http_reply_error(srv, req, 415, "Content-Type must be "
		    "application/json, application/x-ndjson or text/csv");
		return;
	}
	partial = http_query_partial(req);

	p = xcalloc(1, sizeof *p);
	p->req = req;
	p->client_id = xstrdup(cc->id);
	p->format = format;
	p->partial = partial;
	p->client = hc;
	p->is_signed = is_signed;
	p->ts = ts;
	memcpy(p->mac, mac, sizeof mac);
	/* The connection's close callback marks it gone. */
	if ((p->conn = http_req_conn(srv, req)) != NULL)
		p->conn->pending = p;
	p->queued_ms = http_monotonic_ms();
	TAILQ_INSERT_TAIL(&srv->pending, p, entry);
	srv->npending++;
	log_debug("%s: client %s: %zu bytes queued (%zu requests)", __func__,
	    idbuf, len, srv->npending);

	if (srv->busy_waiting)
		;	/* the commit timer retries: no wait per arrival */
	else if (srv->npending >= HTTP_BATCH_MAX)
		http_server_commit(srv);
	else
		event_active(srv->commit_ev, EV_TIMEOUT, 0);
}

/*
 * Answer the committed requests whose writes are on disk: 202, or 503 when
 * the sync that should have carried them failed (the client sends them
 * again; a second write of the same fields changes nothing).
 */
static void
http_server_answer_synced(struct http_server *srv, uint64_t synced,
    uint64_t failed, int error)
{
	struct http_pending *p;

	while ((p = TAILQ_FIRST(&srv->awaiting)) != NULL &&
	    p->ticket <= synced) {
		TAILQ_REMOVE(&srv->awaiting, p, entry);
		http_pending_release(p);
		if (p->ticket <= failed) {
			log_warnx("http ingest: syncing the database failed "
			    "(%s): request answered 503", strerror(error));
			http_pending_store_failed(srv, p);
		} else
			http_reply(srv, p->req, p->code != 0 ? p->code : 202,
			    "application/json", p->answer, strlen(p->answer));
		http_pending_free(p);
	}
}

void
http_answer_committed(struct http_server *srv, struct evhttp_request *req,
    int code, char *answer)
{
	struct http_pending *p;

	http_server_time_moved(srv);
	if (srv->syncer == NULL) {
		http_reply(srv, req, code, "application/json", answer,
		    strlen(answer));
		free(answer);
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->req = req;
	p->answer = answer;
	p->code = code;
	/* The connection's close callback marks it gone. */
	if ((p->conn = http_req_conn(srv, req)) != NULL)
		p->conn->pending = p;
	p->ticket = store_syncer_request(srv->syncer);
	TAILQ_INSERT_TAIL(&srv->awaiting, p, entry);
}

static void
http_server_synced_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_server *srv = arg;
	uint64_t synced, failed;
	int error;

	(void)fd;
	(void)events;
	store_syncer_collect(srv->syncer, &synced, &failed, &error);
	http_server_answer_synced(srv, synced, failed, error);
}

void
http_server_set_syncer(struct http_server *srv, struct store_syncer *y)
{
	srv->syncer = y;
	srv->sync_ev = event_new(srv->base, store_syncer_fd(y),
	    EV_READ | EV_PERSIST, http_server_synced_cb, srv);
	if (srv->sync_ev == NULL || event_add(srv->sync_ev, NULL) != 0)
		fatalx("%s: event_new failed", __func__);
}

static void
http_server_commit_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	http_server_commit(arg);
}

/* GET /healthz: the store must accept a write transaction; then the
 * other checks (http-health.c). */
static void
http_healthz(struct http_server *srv, struct evhttp_request *req)
{
	char *cause = NULL;

	if (store_begin(srv->store, &cause) != 0 && store_busy(srv->store)) {
		/* Another process (a backfill) writes: the store works. */
		free(cause);
		http_health_reply(srv, req, NULL, HTTP_HEALTH_LOCKED);
		return;
	}
	if (cause != NULL) {
		http_server_time_moved(srv);
		log_warnx("healthz: %s", cause);
		http_health_reply(srv, req, cause, NULL);
		free(cause);
		return;
	}
	store_rollback(srv->store);
	http_health_reply(srv, req, NULL, NULL);
}

/* GET /metrics in Prometheus text format 0.0.4. */
static void
http_metrics(struct http_server *srv, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	const struct http_server_stats *st = &srv->stats;
	int64_t samples, pending = 0, done = 0, dead = 0;
	size_t i, len;
	char *s;

	evbuffer_add_printf(b,
	    "# HELP roiwatch_up Whether roiwatchd is running.\n"
	    "# TYPE roiwatch_up gauge\nroiwatch_up 1\n");
	evbuffer_add_printf(b,
	    "# HELP roiwatch_http_requests_total HTTP requests answered by "
	    "roiwatchd, by status code.\n"
	    "# TYPE roiwatch_http_requests_total counter\n");
	for (i = 0; i < HTTP_STATS_NCODES; i++)
		evbuffer_add_printf(b,
		    "roiwatch_http_requests_total{code=\"%d\"} %" PRIu64 "\n",
		    http_stats_codes[i], st->requests[i]);
	evbuffer_add_printf(b,
	    "roiwatch_http_requests_total{code=\"other\"} %" PRIu64 "\n",
	    st->requests[HTTP_STATS_NCODES]);
	evbuffer_add_printf(b,
	    "# HELP roiwatch_ingest_rows_total Metric rows received over HTTP.\n"
	    "# TYPE roiwatch_ingest_rows_total counter\n"
	    "roiwatch_ingest_rows_total{source=\"http\",result=\"accepted\"} "
	    "%" PRIu64 "\n"
	    "roiwatch_ingest_rows_total{source=\"http\",result=\"rejected\"} "
	    "%" PRIu64 "\n", st->rows_accepted, st->rows_rejected);
	evbuffer_add_printf(b,
	    "# HELP roiwatch_http_batches_total Group commits of ingest "
	    "requests.\n# TYPE roiwatch_http_batches_total counter\n"
	    "roiwatch_http_batches_total{result=\"ok\"} %" PRIu64 "\n"
	    "roiwatch_http_batches_total{result=\"failed\"} %" PRIu64 "\n"
	    "roiwatch_http_batches_total{result=\"put_off_busy\"} %" PRIu64
	    "\n", st->batches, st->batch_failures, st->busy_retries);
	evbuffer_add_printf(b,
	    "# HELP roiwatch_http_accept_pauses_total Times accepting was "
	    "paused after an accept error.\n"
	    "# TYPE roiwatch_http_accept_pauses_total counter\n"
	    "roiwatch_http_accept_pauses_total %" PRIu64 "\n",
	    st->accept_pauses);
	evbuffer_add_printf(b,
	    "# HELP roiwatch_http_connections HTTP connections open.\n"
	    "# TYPE roiwatch_http_connections gauge\n"
	    "roiwatch_http_connections %zu\n"
	    "# HELP roiwatch_http_inflight_bytes Request body bytes admitted "
	    "and not yet answered.\n"
	    "# TYPE roiwatch_http_inflight_bytes gauge\n"
	    "roiwatch_http_inflight_bytes %" PRIu64 "\n",
	    srv->nconns, srv->inflight);
	evbuffer_add_printf(b,
	    "# HELP roiwatch_http_refused_total Connections and requests "
	    "refused before their body was read, by limit.\n"
	    "# TYPE roiwatch_http_refused_total counter\n"
	    "roiwatch_http_refused_total{limit=\"max_connections\"} "
	    "%" PRIu64 "\n"
	    "roiwatch_http_refused_total{limit=\"max_connections_per_peer\"} "
	    "%" PRIu64 "\n"
	    "roiwatch_http_refused_total{limit=\"max_inflight_bytes\"} "
	    "%" PRIu64 "\n"
	    "roiwatch_http_refused_total{limit=\"head\"} %" PRIu64 "\n",
	    st->refused_connections, st->refused_peer, st->refused_inflight,
	    st->refused_head);
	evbuffer_add_printf(b,
	    "# HELP roiwatch_http_deadline_closes_total Connections closed "
	    "because a request did not arrive whole within "
	    "http_request_timeout_secs.\n"
	    "# TYPE roiwatch_http_deadline_closes_total counter\n"
	    "roiwatch_http_deadline_closes_total %" PRIu64 "\n",
	    st->deadline_closes);
	if ((samples = store_count_metrics(srv->store)) >= 0)
		evbuffer_add_printf(b,
		    "# HELP roiwatch_metrics_samples Metric samples stored.\n"
		    "# TYPE roiwatch_metrics_samples gauge\n"
		    "roiwatch_metrics_samples %" PRId64 "\n", samples);
	if (store_outbox_counts(srv->store, &pending, &done, &dead) == 0)
		evbuffer_add_printf(b,
		    "# HELP roiwatch_outbox_items Notifications in the outbox, "
		    "by status.\n# TYPE roiwatch_outbox_items gauge\n"
		    "roiwatch_outbox_items{status=\"pending\"} %" PRId64 "\n"
		    "roiwatch_outbox_items{status=\"done\"} %" PRId64 "\n"
		    "roiwatch_outbox_items{status=\"dead\"} %" PRId64 "\n",
		    pending, done, dead);
	http_metrics_store(srv, b);
	if (srv->metrics_hook != NULL)
		srv->metrics_hook(srv->metrics_hook_arg, b);

	len = evbuffer_get_length(b);
	s = (char *)evbuffer_pullup(b, -1);
	http_reply(srv, req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    s, len);
	evbuffer_free(b);
}

/* Route one request; every branch ends in exactly one reply (or hands the
 * request to the batch, whose commit replies). */
static void
http_server_request_cb(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	const char *path;
	char buf[128];

	http_conn_dispatched(srv, req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL) {
		http_reply_error(srv, req, 400, "bad request target");
		return;
	}
	if (log_get_debug()) {
		log_escape(path, strlen(path), buf, sizeof buf);
		log_debug("%s: %s %s", __func__,
		    method == EVHTTP_REQ_POST ? "POST" : "GET", buf);
	}
	if (strcmp(path, HTTP_PATH_INGEST) == 0) {
		if (method != EVHTTP_REQ_POST)
			http_reply_method(srv, req, "POST");
		else
			http_ingest(srv, req);
	} else if (strcmp(path, HTTP_PATH_HEALTH) == 0) {
		if (method != EVHTTP_REQ_GET)
			http_reply_method(srv, req, "GET");
		else
			http_healthz(srv, req);
	} else if (strcmp(path, HTTP_PATH_METRICS) == 0) {
		if (method != EVHTTP_REQ_GET)
			http_reply_method(srv, req, "GET");
		else
			http_metrics(srv, req);
	} else if (http_read_path(path, strlen(path)))
		http_read_request(srv, req, path);
	else
		http_reply_error(srv, req, 404, "not found");
}

static void
http_server_resume_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_server *srv = arg;

	(void)fd;
	(void)events;
	if (srv->bound != NULL)
		evconnlistener_enable(evhttp_bound_socket_get_listener(srv->bound));
}

/*
 * accept() failed (EMFILE, ENFILE, ENOBUFS...): the listening socket stays
 * readable, so stop watching it for a second instead of spinning.
 */
static void
http_server_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct http_server *srv;
	struct timeval tv = { HTTP_ACCEPT_PAUSE_SECS, 0 };

	(void)arg;	/* the evhttp's, not ours */
	log_warn("http: accept");
	LIST_FOREACH(srv, &http_servers, entry) {
		if (srv->bound != NULL &&
		    evhttp_bound_socket_get_listener(srv->bound) == lev)
			break;
	}
	if (srv == NULL)
		return;
	srv->stats.accept_pauses++;
	evconnlistener_disable(lev);
	evtimer_add(srv->resume_ev, &tv);
}

static void
http_server_unbind(struct http_server *srv)
{
	if (srv->bound != NULL)
		evhttp_del_accept_socket(srv->http, srv->bound);
	srv->bound = NULL;
	srv->port = 0;
	evtimer_del(srv->resume_ev);
}

static struct evhttp_bound_socket *
http_server_try_bind(struct http_server *srv, const char *addr, int64_t port,
    char **cause)
{
	struct evhttp_bound_socket *b;
	int saved;

	errno = 0;
	b = evhttp_bind_socket_with_handle(srv->http, addr, (ev_uint16_t)port);
	if (b == NULL) {
		saved = errno;
		xasprintf(cause, "cannot listen on %s port %" PRId64 ": %s",
		    addr, port, saved != 0 ? strerror(saved) : "bind failed");
	}
	return b;
}

/*
 * Listen on addr:port, replacing the current socket only once the new one is
 * bound. When the new address overlaps the old one (same port), the old
 * socket is closed first and rebound if the new bind fails.
 */
static int
http_server_bind(struct http_server *srv, const char *addr, int64_t port,
    char **cause)
{
	struct evhttp_bound_socket *b;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char *oaddr, *ignored = NULL;
	int64_t oport;

	if (port < 0 || port > 65535) {
		xasprintf(cause, "invalid port %" PRId64, port);
		return -1;
	}
	if (addr[0] == '\0') {
		http_server_unbind(srv);
		free(srv->bound_addr);
		srv->bound_addr = xstrdup(addr);
		srv->bound_cfg_port = port;
		return 0;
	}
	b = http_server_try_bind(srv, addr, port, cause);
	if (b == NULL && srv->bound != NULL) {
		free(*cause);
		*cause = NULL;
		oaddr = xstrdup(srv->bound_addr);
		oport = srv->port;
		http_server_unbind(srv);
		b = http_server_try_bind(srv, addr, port, cause);
		if (b == NULL) {
			srv->bound = http_server_try_bind(srv, oaddr, oport,
			    &ignored);
			free(ignored);
			if (srv->bound != NULL)
				srv->port = (int)oport;
		}
		free(oaddr);
		if (b == NULL)
			return -1;
	}
	if (b == NULL)
		return -1;
	if (srv->bound != NULL)
		http_server_unbind(srv);
	srv->bound = b;
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b),
	    http_server_accept_error_cb);
	if (getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&ss,
	    &sslen) == 0) {
		if (ss.ss_family == AF_INET)
			srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	free(srv->bound_addr);
	srv->bound_addr = xstrdup(addr);
	srv->bound_cfg_port = port;
	log_info("http: listening on %s port %d", addr, srv->port);
	return 0;
}

/* Tokens, secrets and limits of a configuration. */
static void
http_server_apply(struct http_server *srv, const struct config *cfg)
{
	const struct client_conf *cc;
	size_t i;

	srv->cfg = cfg;
	free(srv->creds);
	srv->creds = xcalloc(cfg->nclients > 0 ? cfg->nclients : 1,
	    sizeof *srv->creds);
	srv->ncreds = 0;
	for (i = 0; i < cfg->nclients; i++) {
		cc = &cfg->clients[i];
		if (cc->ingest_token == NULL || cc->ingest_token[0] == '\0')
			continue;
		srv->creds[srv->ncreds].cc = cc;
		sha256(cc->ingest_token, strlen(cc->ingest_token),
		    srv->creds[srv->ncreds].digest);
		srv->ncreds++;
	}
	/* Tokens are unique (config_load refuses duplicates). */
	qsort(srv->creds, srv->ncreds, sizeof *srv->creds, http_cred_cmp);
	/* Not among creds: it authenticates no ingest. */
	srv->has_operator = cfg->operator_token != NULL;
	if (srv->has_operator)
		sha256(cfg->operator_token, strlen(cfg->operator_token),
		    srv->operator_digest);
	else
		memset(srv->operator_digest, 0, sizeof srv->operator_digest);
	if (cfg->http_max_header_bytes > 0)
		evhttp_set_max_headers_size(srv->http,
		    (ev_ssize_t)cfg->http_max_header_bytes);
	if (cfg->http_max_body_bytes > 0)
		evhttp_set_max_body_size(srv->http,
		    (ev_ssize_t)cfg->http_max_body_bytes);
	if (cfg->http_idle_timeout_secs > 0)
		evhttp_set_timeout(srv->http, (int)cfg->http_idle_timeout_secs);
}

struct http_server *
http_server_new(struct event_base *base, struct store *store,
    const struct config *cfg, ingest_committed_cb cb, void *arg, char **cause)
{
	struct http_server *srv;

	srv = xcalloc(1, sizeof *srv);
	srv->base = base;
	srv->store = store;
	srv->cb = cb;
	srv->cb_arg = arg;
	TAILQ_INIT(&srv->pending);
	TAILQ_INIT(&srv->awaiting);
	if ((srv->http = evhttp_new(base)) == NULL)
		fatalx("%s: evhttp_new failed", __func__);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(srv->http, http_server_request_cb, srv);
	evhttp_set_bevcb(srv->http, http_conn_bev_cb, srv);
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->dead);
	srv->commit_ev = event_new(base, -1, 0, http_server_commit_cb, srv);
	srv->resume_ev = evtimer_new(base, http_server_resume_cb, srv);
	srv->reap_ev = event_new(base, -1, 0, http_conn_reap_cb, srv);
	srv->accept_ev = event_new(base, -1, 0, http_conn_accept_cb, srv);
	if (srv->commit_ev == NULL || srv->resume_ev == NULL ||
	    srv->reap_ev == NULL || srv->accept_ev == NULL)
		fatalx("%s: event_new failed", __func__);
	http_server_apply(srv, cfg);
	LIST_INSERT_HEAD(&http_servers, srv, entry);
	if ((srv->reader = http_read_new(srv, cfg->state_dir, cause)) == NULL ||
	    http_server_bind(srv, cfg->listen_addr, cfg->listen_port,
	    cause) != 0) {
		http_server_free(srv);
		return NULL;
	}
	return srv;
}

int
http_server_set_config(struct http_server *srv, const struct config *cfg,
    char **cause)
{
	http_server_apply(srv, cfg);
	if (srv->bound_addr != NULL &&
	    strcmp(srv->bound_addr, cfg->listen_addr) == 0 &&
	    srv->bound_cfg_port == cfg->listen_port)
		return 0;
	return http_server_bind(srv, cfg->listen_addr, cfg->listen_port, cause);
}

void
http_server_release_config(struct http_server *srv, struct config *cfg,
    http_config_release_cb release, void *arg)
{
	http_read_release_config(srv != NULL ? srv->reader : NULL, cfg,
	    release, arg);
}

/*
 * Before evhttp_free closes the connections: write out the answers just
 * given to what was waiting (202 or 503 of the last batch, the reads' 503),
 * as much as each socket takes now; evhttp_free would drop them unsent.
 */
static void
http_server_flush(struct http_server *srv)
{
	struct http_conn *c;
	struct evbuffer *out;

	TAILQ_FOREACH(c, &srv->conns, entry) {
		out = bufferevent_get_output(c->bev);
		if (c->admitted && evbuffer_get_length(out) > 0 &&
		    evbuffer_write(out, bufferevent_getfd(c->bev)) == -1)
			log_debug("%s: %s: %s", __func__, c->peer,
			    strerror(errno));
	}
}

void
http_server_free(struct http_server *srv)
{
	struct http_conn *c;
	struct http_pending *p;
	size_t i;

	if (srv == NULL)
		return;
	/* Answer whatever waits: evhttp_free would free those requests. */
	srv->closing = 1;
	http_server_commit(srv);
	if ((p = TAILQ_LAST(&srv->awaiting, http_pending_list)) != NULL) {
		store_syncer_wait(srv->syncer, p->ticket);
		http_server_synced_cb(-1, 0, srv);
	}
	if (srv->sync_ev != NULL)
		event_free(srv->sync_ev);
	http_obs_free(srv->obs);
	http_read_free(srv->reader);	/* its held requests answered */
	http_server_flush(srv);
	LIST_REMOVE(srv, entry);
	/* evhttp_free closes every connection: their close callbacks move
	 * them to the dead list; those not admitted yet hold a reference. */
	if (srv->http != NULL)
		evhttp_free(srv->http);
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL) {
		TAILQ_REMOVE(&srv->conns, c, entry);
		if (!c->admitted)
			bufferevent_decref(c->bev);
		http_conn_free(c);
	}
	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, entry);
		http_conn_free(c);
	}
	event_free(srv->commit_ev);
	event_free(srv->resume_ev);
	event_free(srv->reap_ev);
	event_free(srv->accept_ev);
	for (i = 0; i < srv->nclients; i++)
		http_client_free(srv->clients[i]);
	free(srv->clients);
	free(srv->creds);
	free(srv->bound_addr);
	free(srv);
}

int
http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_server_stats(const struct http_server *srv, struct http_server_stats *st)
{
	*st = srv->stats;
	st->connections = srv->nconns;
	st->inflight_bytes = srv->inflight;
}

size_t
http_server_pending(const struct http_server *srv)
{
	return srv->npending;
}

void
http_server_set_metrics_hook(struct http_server *srv, http_metrics_hook hook,
    void *arg)
{
	srv->metrics_hook = hook;
	srv->metrics_hook_arg = arg;
}
