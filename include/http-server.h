/*
 * The daemon's HTTP listener (libevent evhttp): POST /v1/metrics ingests rows,
 * GET /healthz and GET /metrics (Prometheus text) report health and counters,
 * GET /v1/clients/{id}/kpis and /alerts give a client its KPIs and alert
 * states (http-read.c), with the same token as its ingest, computed by a
 * worker thread off the loop (queued, at most HTTP_READ_QUEUE_MAX waiting).
 * GET /v1/clients/{id}/annotations lists the client's notes of what the
 * agency did, and POST adds one (http-note.c). The operator's token
 * (operator_token_file) reads and annotates every client; it never ingests.
 *
 * Ingest requests are authenticated by a per-client bearer token (compared in
 * constant time against every client's token), optionally signed with the
 * client's HMAC secret (X-Roiwatch-Timestamp + X-Roiwatch-Signature:
 * sha256=<hex of HMAC-SHA256(secret, timestamp "." body)>, timestamps within
 * HTTP_SIGNATURE_WINDOW seconds of now; an exact replay inside the window is
 * answered 409), rate limited per client (token bucket, 429 + Retry-After).
 *
 * Group commit: authenticated requests are queued, and a zero-timeout event
 * (run once the loop iteration's requests were read, or at once when
 * HTTP_BATCH_MAX are queued) adds them all to one ingest batch - one SQLite
 * transaction, a savepoint each - and commits it. The transaction lives only
 * inside that event, so no other module finds the store mid-batch. Refused
 * inputs are answered at once; the 202 answers go out only after the commit,
 * so a 2xx always means the rows are durable; a failed commit answers 503 to
 * every request of the batch. After each successful commit the committed
 * callback gets the touched campaigns.
 *
 * Status codes: 200 (healthz, metrics), 201 a note added, 202 accepted, 400
 * malformed (row errors in the body), 401 missing/unknown token or bad/old
 * signature, 403 rows for another client than the token's, 404 unknown path,
 * 405 wrong method for the path, 409 replayed signature, 413 body or row
 * count over the limits, 415 unsupported Content-Type, 429 rate limited, 503
 * store failure.
 *
 * Bounded by default: every connection is admitted against
 * http_max_connections (global) and http_max_connections_per_peer (same client
 * address), and one over either is answered 503 + Retry-After and closed. A
 * request must arrive whole (head and body) within http_request_timeout_secs
 * of the connection or of the previous answer, or the connection is closed
 * (408 when part of a request came). The listener reads each request head
 * itself, before evhttp reads the body: a POST /v1/metrics without a valid
 * token (401), with a body announced over http_max_body_bytes (413), or
 * that would take the bodies admitted and not yet answered past
 * http_max_inflight_bytes (503 + Retry-After), a body where none is accepted
 * (400, 404, 405), another method (501) or a malformed or ambiguous head
 * (400: obsolete line folding, conflicting Content-Length, Transfer-Encoding
 * other than chunked or with a Content-Length) is answered at once with
 * "Connection: close", and whatever the client still sends is read and
 * dropped for a moment, never kept. Refusals are counted in /metrics.
 *
 * Replays: the MAC of every admitted signed request is recorded in the store
 * (store_replay_mark) in the transaction of its rows, and kept until its
 * timestamp leaves the window, so that a replay is refused (409) after a
 * restart too, and a request whose batch failed leaves no mark.
 */
#ifndef ROIWATCH_HTTP_SERVER_H
#define ROIWATCH_HTTP_SERVER_H
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

struct event_base;
struct store;
struct config;
struct http_server;

#define HTTP_SIGNATURE_WINDOW	300	/* seconds either side of now */
#define HTTP_BATCH_MAX		1000	/* requests per group commit */
#define HTTP_REPLAY_MAX		10000	/* remembered signatures per client */

struct evbuffer;
/* Appends Prometheus text lines of other modules to a /metrics answer. */
typedef void (*http_metrics_hook)(void *arg, struct evbuffer *out);
void	http_server_set_metrics_hook(struct http_server *, http_metrics_hook,
	    void *arg);

/*
 * GET /healthz answers {"status": "ok"|"degraded"|"failing", "checks":
 * [{"name", "ok", "detail"}...]} (http-health.c). The server checks the store
 * (failing, 503, when it cannot be read) and the outbox (items pending for
 * more than HTTP_HEALTH_STUCK_SECS); a hook adds the daemon's checks. A
 * failed check makes the answer degraded (200). detail: what is wrong, or
 * NULL.
 */
#define HTTP_HEALTH_STUCK_SECS	900
struct http_health;
void	http_health_add(struct http_health *, const char *name, int ok,
	    const char *detail);
typedef void (*http_health_hook)(void *arg, struct http_health *);
void	http_server_set_health_hook(struct http_server *, http_health_hook,
	    void *arg);
/* How long /metrics and /healthz reuse what they read of the outbox and the
 * alert states (default 5 s; tests set 0). */
void	http_server_set_store_cache(struct http_server *, int64_t msecs);

/* Status codes counted for /metrics, in this order; others count as "other".
 * 201 (a note added) came later: last, so that the others keep their
 * places. */
#define HTTP_STATS_CODES	{ 200, 202, 400, 401, 403, 404, 405, 408, 409, \
				  413, 415, 429, 500, 501, 503, 201 }
#define HTTP_STATS_NCODES	16

struct http_server_stats {
	uint64_t	requests[HTTP_STATS_NCODES + 1];	/* last: other */
	uint64_t	rows_accepted;		/* committed rows */
	uint64_t	rows_rejected;		/* rows refused or rolled back */
	uint64_t	batches;		/* successful group commits */
	uint64_t	batch_failures;		/* failed group commits */
	uint64_t	busy_retries;		/* commits put off: database
						   locked by another process */
	uint64_t	batch_max_requests;	/* largest batch so far */
	uint64_t	accept_pauses;		/* accept errors (EMFILE...) */
	uint64_t	connections;		/* open and admitted, now */
	uint64_t	inflight_bytes;		/* bodies admitted, not answered */
	uint64_t	refused_connections;	/* over http_max_connections */
	uint64_t	refused_peer;		/* over ..._per_peer */
	uint64_t	refused_inflight;	/* over http_max_inflight_bytes */
	uint64_t	refused_head;		/* answered from the head alone */
	uint64_t	deadline_closes;	/* http_request_timeout_secs */
};

/*
 * Bind cfg->listen_addr:listen_port (no socket when listen_addr is "";
 * port 0 binds an ephemeral port, see http_server_port) and apply the limits
 * (header and body size, idle timeout). cb gets the campaigns each successful
 * group commit touched. Returns NULL with *cause on failure.
 * cfg must stay valid until the next http_server_set_config or free.
 */
struct http_server *http_server_new(struct event_base *, struct store *,
		    const struct config *, ingest_committed_cb, void *arg,
		    char **cause);
/*
 * A new configuration was swapped in: tokens, secrets and limits are taken
 * from it at once; the socket is rebound only when the address or port
 * changed, and on a bind failure the old socket is kept (returns -1 with
 * *cause; the rest of the configuration is still applied).
 */
int		 http_server_set_config(struct http_server *,
		    const struct config *, char **cause);
/*
 * A configuration replaced by http_server_set_config: the read requests
 * queued before the swap still use it. release(arg, cfg) is called at once
 * when none does (or srv is NULL), else once the last of them is answered,
 * at the latest in http_server_free.
 */
typedef void	(*http_config_release_cb)(void *arg, struct config *);
void		 http_server_release_config(struct http_server *,
		    struct config *, http_config_release_cb, void *arg);
/* Commit the open batch (answering its requests), close the listener. NULL is
 * a no-op. */
void		 http_server_free(struct http_server *);
/* Port actually bound (useful with listen_port 0), 0 when not listening. */
int		 http_server_port(const struct http_server *);
void		 http_server_stats(const struct http_server *,
		    struct http_server_stats *);
/* Requests waiting for the open batch's commit. */
size_t		 http_server_pending(const struct http_server *);

/*
 * Answer committed requests only once the syncer has their writes on disk
 * (store.h); without one, commits are synchronous=FULL and requests are
 * answered right after them.
 */
struct store_syncer;
void	http_server_set_syncer(struct http_server *, struct store_syncer *);

#endif
