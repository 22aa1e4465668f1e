/*
 * Inside the HTTP listener: what http-server.c (requests, group commit,
 * answers) and http-conn.c (connections: admission, heads judged before
 * their body, deadlines, lingering) share. Nothing else includes this file.
 */
#ifndef ROIWATCH_HTTP_INTERNAL_H
#define ROIWATCH_HTTP_INTERNAL_H
#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "hmac.h"
#include "http-server.h"
#include "ingest.h"

struct client_conf;
#define HTTP_PATH_INGEST	"/v1/metrics"
#define HTTP_PATH_HEALTH	"/healthz"
#define HTTP_PATH_METRICS	"/metrics"
#define HTTP_PATH_CLIENTS	"/v1/clients/"	/* {id}/kpis, {id}/alerts,
						   {id}/annotations */
#define HTTP_PATH_PAGES		"/clients/"	/* {id}/report, {id}/report.json:
						   the report page */
#define HTTP_ACCEPT_PAUSE_SECS	1
#define HTTP_ERRORS_MAX		INGEST_MAX_ERRORS
#define HTTP_LINGER_SECS	2	/* reading and dropping after an early answer */
#define HTTP_LINGER_MAX		64	/* connections refused at admission lingering;
					   more are closed at once */
#define HTTP_ACCEPT_BURST	32	/* connections accepted before they are
					   admitted (the listener then waits) */
#define HTTP_PIPELINE_MAX	4	/* admitted requests not answered, per connection */
#define HTTP_HEAD_SLACK		8192	/* request line beyond http_max_header_bytes */
#define HTTP_REPLAY_PRUNE_SECS	60	/* delete expired replay marks this often */
#define HTTP_REPLAYED		"replayed request (signature already seen)"
#define HTTP_BUSY_RETRY_MSECS	20	/* database locked: next commit try */
#define HTTP_BUSY_WAIT_MSECS	5000	/* then 503 */
#define HTTP_HEALTH_LOCKED	"locked by another writer, retried"
#define HTTP_READ_QUEUE_MAX	16	/* reads waiting for the read worker;
					   more: 503 + Retry-After */

/* A signature seen inside the replay window. */
struct http_seen {
	uint8_t		 mac[SHA256_DIGEST_LEN];
	int64_t		 ts;		/* the request's timestamp */
};

/* State kept per client id across requests and reloads. */
struct http_client {
	char		*id;
	double		 tokens;	/* rate bucket */
	int64_t		 refilled_ms;	/* monotonic time of the last refill */
	struct http_seen *seen;
	size_t		 nseen;
	size_t		 seencap;
};

/* A client's bearer token, hashed so that comparison time does not depend on
 * its length or contents. */
struct http_cred {
	const struct client_conf *cc;
	uint8_t		 digest[SHA256_DIGEST_LEN];
};

/* A request whose rows are in the open batch, waiting for the commit. */
struct http_pending {
	TAILQ_ENTRY(http_pending) entry;
	struct evhttp_request	*req;
	int			 gone;		/* connection closed meanwhile */
	char			*client_id;	/* the token's client */
	int			 format;	/* enum parse_format */
	int			 partial;
	char			*answer;	/* body of the 202 */
	long			 rows;
	long			 rejected;
	struct http_client	*client;	/* for the signature, if signed */
	int			 is_signed;
	uint8_t			 mac[SHA256_DIGEST_LEN];
	int64_t			 ts;		/* the signature's timestamp */
	struct http_conn	*conn;		/* NULL once gone */
	int64_t			 queued_ms;	/* monotonic, when queued */
	uint64_t		 ticket;	/* committed: answered once the
						   syncer has it on disk */
	int			 code;		/* of that answer; 0: 202 */
};
TAILQ_HEAD(http_pending_list, http_pending);

/* How the listener reads a connection's input (see the top of this file). */
enum http_conn_state {
	HTTP_CONN_HEAD,		/* reading a request head */
	HTTP_CONN_BODY,		/* an admitted request's body passes to evhttp */
	HTTP_CONN_UNTRACKED,	/* a chunked body: evhttp alone; closed after */
	HTTP_CONN_DISCARD	/* refused: input dropped until closed */
};

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct http_server	*srv;
	struct bufferevent	*bev;
	struct evbuffer_cb_entry *incb;		/* on the input buffer */
	struct evhttp_connection *evcon;	/* once admitted */
	struct event		*timer;		/* admission, deadline, linger */
	int			 admitted;
	int			 counted;	/* in srv->nconns */
	int			 lingering;	/* in srv->nlinger */
	int			 closed;	/* on srv->dead */
	char			 peer[INET6_ADDRSTRLEN];
	enum http_conn_state	 state;
	uint64_t		 seen;		/* input bytes so far */
	char			*head;		/* the head being read */
	size_t			 headlen;
	size_t			 headcap;
	uint64_t		 head_start;	/* its stream offset */
	uint64_t		 body_left;
	size_t			 reserved[HTTP_PIPELINE_MAX];	/* oldest first */
	int			 outstanding;	/* admitted, not answered */
	int			 dispatched;	/* in the handlers' hands */
	int			 close_after;	/* once the answers are written */
	int			 in_cb;
	struct http_pending	*pending;
};
TAILQ_HEAD(http_conn_list, http_conn);

struct http_server {
	LIST_ENTRY(http_server)	 entry;
	struct event_base	*base;
	struct store		*store;
	const struct config	*cfg;
	ingest_committed_cb	 cb;	/* after each group commit */
	void			*cb_arg;

	struct evhttp		*http;
	struct evhttp_bound_socket *bound;
	char			*bound_addr;	/* as configured */
	int64_t			 bound_cfg_port;
	int			 port;		/* actually bound */
	struct event		*resume_ev;	/* re-enable accepting */

	struct event		*commit_ev;	/* group commit */
	int			 busy_waiting;	/* database locked: commit_ev
						   retries on a timer */
	struct http_pending_list pending;
	size_t			 npending;
	struct store_syncer	*syncer;	/* NULL: commits sync */
	struct event		*sync_ev;	/* the syncer says: synced */
	struct http_pending_list awaiting;	/* committed, not synced */
	int			 closing;	/* http_server_free */

	struct http_cred	*creds;
	size_t			 ncreds;
	struct http_client	**clients;
	size_t			 nclients;

	struct http_conn_list	 conns;		/* open */
	struct http_conn_list	 dead;		/* closed, freed by reap_ev */
	struct event		*reap_ev;
	struct event		*accept_ev;	/* accept again after a burst */
	size_t			 nfresh;	/* accepted since accept_ev */
	size_t			 nconns;	/* admitted within the caps */
	size_t			 nlinger;	/* refused, lingering */
	uint64_t		 inflight;	/* body bytes reserved */
	int64_t			 replay_pruned;	/* last store_replay_prune */

	struct http_reader	*reader;	/* http-read.c: reports off the loop */

	struct http_server_stats stats;
	http_metrics_hook	 metrics_hook;	/* other modules' /metrics lines */
	void			*metrics_hook_arg;
	http_health_hook	 health_hook;	/* the daemon's checks */
	void			*health_hook_arg;
	struct http_obs		*obs;		/* http-health.c: store reads */

	/* The operator's token (operator_token_file), hashed as a client's:
	 * reads and notes of every client, never ingest. */
	int			 has_operator;
	uint8_t			 operator_digest[SHA256_DIGEST_LEN];
};

/* http-health.c: the answer of /healthz (store_error: the store cannot be
 * read; store_note: it can, but something is worth saying), and the
 * /metrics lines read from the store, both kept a few seconds. */
struct http_obs;
void		 http_health_reply(struct http_server *,
		    struct evhttp_request *, const char *store_error,
		    const char *store_note);
void		 http_metrics_store(struct http_server *, struct evbuffer *);
void		 http_obs_free(struct http_obs *);

/* http-server.c */
const char	*http_reason(int code);
void		 http_count(struct http_server *, int code);
const struct client_conf *http_authenticate_value(struct http_server *,
		    const char *auth, size_t len);
/* Whether the Authorization value carries the operator's token (compared
 * in constant time). */
int		 http_authenticate_operator(struct http_server *,
		    const char *auth, size_t len);
/*
 * The answer of a request whose write was just committed on the loop's
 * store (a note): sent once the syncer has it on disk, as ingest's 202s,
 * or at once without a syncer. answer is JSON, taken.
 */
void		 http_answer_committed(struct http_server *,
		    struct evhttp_request *, int code, char *answer);
/* The one reply of a request: a body (copied), JSON, {"error": msg}, 405
 * with Allow. */
void		 http_reply(struct http_server *, struct evhttp_request *,
		    int code, const char *ctype, const char *body, size_t len);
void		 http_reply_json(struct http_server *, struct evhttp_request *,
		    int code, struct cJSON *);
void		 http_reply_error(struct http_server *, struct evhttp_request *,
		    int code, const char *msg);
void		 http_reply_method(struct http_server *,
		    struct evhttp_request *, const char *allow);

/* http-read.c: GET /v1/clients/{id}/kpis and /alerts, answered from a
 * worker thread with its own read-only store connection. */
struct http_reader;
struct http_reader *http_read_new(struct http_server *, const char *state_dir,
		    char **cause);
/* Stop and join the worker, answer what waits (503), release the retired
 * configurations. Before evhttp_free (it frees held requests). */
void		 http_read_free(struct http_reader *);
void		 http_read_release_config(struct http_reader *, struct config *,
		    http_config_release_cb, void *arg);
int		 http_read_path(const char *path, size_t len);
/* Whether the path is /v1/clients/{id}/annotations (a POST has a body). */
int		 http_read_notes_path(const char *path, size_t len);
void		 http_read_request(struct http_server *,
		    struct evhttp_request *, const char *path);

/* http-note.c: POST /v1/clients/{id}/annotations, the token checked. */
void		 http_note_post(struct http_server *, struct evhttp_request *,
		    const struct client_conf *, int operator);

/* http-conn.c */
struct http_conn *http_req_conn(struct http_server *, struct evhttp_request *);
struct bufferevent *http_conn_bev_cb(struct event_base *, void *);
void		 http_conn_accept_cb(evutil_socket_t, short, void *);
void		 http_conn_reap_cb(evutil_socket_t, short, void *);
void		 http_conn_dispatched(struct http_server *,
		    struct evhttp_request *);
void		 http_conn_free(struct http_conn *);

#endif
