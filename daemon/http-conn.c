/*
 * The listener's connections (see the top of http-server.c): each one is
 * admitted within the caps (per server and per peer address), its input is
 * framed and each request head judged before evhttp reads a byte of the body
 * (token, size, method: refused ones are answered from the head and their
 * bytes dropped), one timer carries the admission, the whole-request deadline
 * and the linger after an early answer, and refused connections linger only
 * a few at a time.
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
#include "http-head.h"
#include "http-internal.h"
#include "log.h"
#include "note.h"
#include "xmalloc.h"

static void	http_conn_close(struct http_conn *);

/* The connection of a request, or NULL (gone, or not one of ours). */
struct http_conn *
http_req_conn(struct http_server *srv, struct evhttp_request *req)
{
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	struct http_conn *c;

	if ((evcon = evhttp_request_get_connection(req)) == NULL)
		return NULL;
	bev = evhttp_connection_get_bufferevent(evcon);
	TAILQ_FOREACH(c, &srv->conns, entry) {
		if (c->bev == bev)
			return c;
	}
	return NULL;
}

static void
http_conn_arm(struct http_conn *c, long secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(c->timer, &tv);
}

/*
 * Answer by ourselves, with "Connection: close", while evhttp is not writing
 * (no answer of an earlier request is on its way): straight to the socket,
 * which has room for a few hundred bytes. hname/hval: one more header or NULL.
 */
static void
http_conn_answer(struct http_conn *c, int code, const char *msg,
    const char *hname, const char *hval)
{
	cJSON *obj;
	char *body, *out;
	int len;

	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "error", msg);
	if ((body = cJSON_PrintUnformatted(obj)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_Delete(obj);
	len = xasprintf(&out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\nCache-Control: no-store\r\n"
	    "Connection: close\r\nContent-Length: %zu\r\n%s%s%s%s\r\n%s",
	    code, http_reason(code), strlen(body), hname != NULL ? hname : "",
	    hname != NULL ? ": " : "", hname != NULL ? hval : "",
	    hname != NULL ? "\r\n" : "", body);
	cJSON_free(body);
	if (send(bufferevent_getfd(c->bev), out, (size_t)len,
	    MSG_NOSIGNAL | MSG_DONTWAIT) != len)
		log_debug("%s: %s: answer %d not sent whole", __func__, c->peer,
		    code);
	free(out);
	http_count(c->srv, code);
}

/* Remove the input buffer's bytes from offset keep on (a refused request's),
 * leaving the earlier ones (an admitted request's) to evhttp. */
static void
http_conn_truncate(struct evbuffer *in, size_t keep)
{
	struct evbuffer *tmp;

	if (keep == 0) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	if ((tmp = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new failed", __func__);
	evbuffer_remove_buffer(in, tmp, keep);
	evbuffer_drain(in, evbuffer_get_length(in));
	evbuffer_prepend_buffer(in, tmp);
	evbuffer_free(tmp);
}

/*
 * Refuse the request whose head just ended (or the connection, at
 * admission): its bytes leave the input buffer, later ones are dropped as
 * they come. With no answer on its way, answer now and linger a moment so
 * that the client reads the answer rather than a reset; otherwise close once
 * the answers before it are written.
 */
static void
http_conn_refuse(struct http_conn *c, int code, const char *msg,
    const char *hname, const char *hval)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct http_conn *o;
	uint64_t start = c->seen - evbuffer_get_length(in);
	size_t keep = 0;

	if (c->head_start > start)
		keep = (size_t)(c->head_start - start);
	http_conn_truncate(in, keep);
	free(c->head);
	c->head = NULL;
	c->headlen = c->headcap = 0;
	c->state = HTTP_CONN_DISCARD;
	if (c->outstanding > 0 || c->dispatched || keep > 0) {
		log_debug("%s: %s: %d behind an unanswered request: closing "
		    "after it", __func__, c->peer, code);
		c->close_after = 1;
		return;
	}
	http_conn_answer(c, code, msg, hname, hval);
	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	/*
	 * Refused connections must not pile up: past a few, the one that has
	 * lingered longest goes (it had its answer long ago), and the new one
	 * lingers -- a legitimate client sending its request right now reads
	 * its 503 rather than a reset.
	 */
	if (c->lingering && c->srv->nlinger > HTTP_LINGER_MAX) {
		TAILQ_FOREACH(o, &c->srv->conns, entry) {
			if (o != c && o->lingering && !o->dispatched)
				break;
		}
		if (o != NULL)
			http_conn_close(o);
	}
	http_conn_arm(c, c->lingering && c->srv->nlinger > HTTP_LINGER_MAX ?
	    0 : HTTP_LINGER_SECS);
}

/*
 * A complete head: admit it (its body, if any, reserved in the bodies in
 * flight) or answer it from the head alone. Returns 0 when admitted.
 */
static int
http_conn_judge(struct http_conn *c)
{
	struct http_server *srv = c->srv;
	const struct config *cfg = srv->cfg;
	struct http_head h;
	const char *why, *allow;
	uint64_t reserve;
	int has_body;

	if (c->outstanding >= HTTP_PIPELINE_MAX) {
		http_conn_refuse(c, 503, "too many pipelined requests", NULL,
		    NULL);
		return -1;
	}
	if (http_head_parse(c->head, c->headlen, &h, &why) != 0) {
		srv->stats.refused_head++;
		http_conn_refuse(c, 400, why, NULL, NULL);
		return -1;
	}
	has_body = h.chunked || h.length > 0;
	if (h.method == HTTP_HEAD_OTHER) {
		srv->stats.refused_head++;
		http_conn_refuse(c, 501, "method not implemented", NULL, NULL);
		return -1;
	}
	if (h.method == HTTP_HEAD_GET) {
		if (has_body) {
			srv->stats.refused_head++;
			http_conn_refuse(c, 400, "a GET request has no body",
			    NULL, NULL);
			return -1;
		}
		reserve = 0;
	} else if (http_read_notes_path(h.path, h.pathlen)) {
		/* A note: a client's or the operator's token, a small body
		 * (the handler checks which client the token may write). */
		if (h.auth == NULL || (http_authenticate_value(srv, h.auth,
		    h.authlen) == NULL && !http_authenticate_operator(srv,
		    h.auth, h.authlen))) {
			srv->stats.refused_head++;
			http_conn_refuse(c, 401, "missing or unknown bearer token",
			    "WWW-Authenticate", "Bearer realm=\"roiwatch\"");
			return -1;
		}
		if (h.length > NOTE_BODY_MAX) {
			srv->stats.refused_head++;
			http_conn_refuse(c, 413, "request body too large for a"
			    " note", NULL, NULL);
			return -1;
		}
		reserve = h.chunked ? NOTE_BODY_MAX : h.length;
	} else if (!http_head_name_is(h.path, h.pathlen, HTTP_PATH_INGEST)) {
		if (has_body) {
			/* As the handlers would answer, but unread. */
			allow = NULL;
			if (http_head_name_is(h.path, h.pathlen,
			    HTTP_PATH_HEALTH) || http_head_name_is(h.path,
			    h.pathlen, HTTP_PATH_METRICS) ||
			    http_read_path(h.path, h.pathlen))
				allow = "GET";
			srv->stats.refused_head++;
			if (allow != NULL)
				http_conn_refuse(c, 405, "method not allowed",
				    "Allow", allow);
			else
				http_conn_refuse(c, 404, "not found", NULL,
				    NULL);
			return -1;
		}
		reserve = 0;
	} else {
		if (h.auth == NULL ||
		    http_authenticate_value(srv, h.auth, h.authlen) == NULL) {
			srv->stats.refused_head++;
			http_conn_refuse(c, 401, "missing or unknown bearer token",
			    "WWW-Authenticate", "Bearer realm=\"roiwatch\"");
			return -1;
		}
		if (cfg->http_max_body_bytes > 0 &&
		    h.length > (uint64_t)cfg->http_max_body_bytes) {
			srv->stats.refused_head++;
			http_conn_refuse(c, 413, "request body too large", NULL,
			    NULL);
			return -1;
		}
		reserve = h.chunked ? (uint64_t)cfg->http_max_body_bytes :
		    h.length;
		/* The first body in flight always fits. */
		if (srv->inflight > 0 && srv->inflight + reserve >
		    (uint64_t)cfg->http_max_inflight_bytes) {
			srv->stats.refused_inflight++;
			log_info("http: %s: bodies in flight over %" PRId64
			    " bytes: 503", c->peer,
			    cfg->http_max_inflight_bytes);
			http_conn_refuse(c, 503, "server busy, retry later",
			    "Retry-After", "1");
			return -1;
		}
	}

	c->reserved[c->outstanding++] = (size_t)reserve;
	srv->inflight += reserve;
	if (h.chunked) {
		/* Not framed here: this request is the connection's last. */
		c->state = HTTP_CONN_UNTRACKED;
		c->close_after = 1;
	} else if (h.length > 0 && h.method == HTTP_HEAD_POST) {
		c->state = HTTP_CONN_BODY;
		c->body_left = h.length;
	} else
		c->state = HTTP_CONN_HEAD;
	return 0;
}

/*
 * Bytes of a head: gather them until the empty line, then judge the head.
 * Returns how many of the n bytes at stream offset `at` belong to it.
 */
static size_t
http_conn_head_feed(struct http_conn *c, const char *p, size_t n, uint64_t at)
{
	size_t i = 0, take, cap, from, end, used;

	cap = (size_t)c->srv->cfg->http_max_header_bytes + HTTP_HEAD_SLACK;
	if (c->headlen == 0) {
		/* Empty lines before a request line are allowed. */
		while (i < n && (p[i] == '\r' || p[i] == '\n'))
			i++;
		if (i == n)
			return n;
		c->head_start = at + i;
	}
	take = n - i;
	if (take > cap - c->headlen)
		take = cap - c->headlen;
	if (c->headlen + take > c->headcap) {
		c->headcap = c->headlen + take < 1024 ? 1024 :
		    c->headlen + take;
		c->head = xreallocarray(c->head, c->headcap, 1);
	}
	memcpy(c->head + c->headlen, p + i, take);
	from = c->headlen > 3 ? c->headlen - 3 : 0;
	c->headlen += take;
	if ((end = http_head_end(c->head, c->headlen, from)) == 0) {
		if (c->headlen == cap) {
			c->srv->stats.refused_head++;
			http_conn_refuse(c, 413, "request head too large",
			    NULL, NULL);
		}
		return i + take;
	}
	used = i + take - (c->headlen - end);
	c->headlen = end;
	if (http_conn_judge(c) == 0) {
		free(c->head);
		c->head = NULL;
		c->headlen = c->headcap = 0;
	}
	return used;
}

static void	http_conn_admit(struct http_conn *);

/*
 * Bytes just read into the connection's input buffer, before evhttp parses
 * them: follow the requests' framing, judge each head as it completes.
 */
static void
http_conn_input_cb(struct evbuffer *in, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_conn *c = arg;
	struct evbuffer_ptr ptr;
	char buf[4096];
	size_t len, pos, n;

	if (info->n_added == 0 || c->in_cb || c->closed)
		return;
	c->in_cb = 1;
	c->seen += info->n_added;
	if (!c->admitted)
		http_conn_admit(c);
	len = evbuffer_get_length(in);
	pos = len - info->n_added;
	while (pos < len && !c->closed) {
		switch (c->state) {
		case HTTP_CONN_DISCARD:
			evbuffer_drain(in, len);
			pos = len;
			break;
		case HTTP_CONN_UNTRACKED:
			pos = len;
			break;
		case HTTP_CONN_BODY:
			n = len - pos;
			if (n > c->body_left)
				n = (size_t)c->body_left;
			c->body_left -= n;
			pos += n;
			if (c->body_left == 0)
				c->state = HTTP_CONN_HEAD;
			break;
		case HTTP_CONN_HEAD:
			n = len - pos < sizeof buf ? len - pos : sizeof buf;
			evbuffer_ptr_set(in, &ptr, pos, EVBUFFER_PTR_SET);
			if (evbuffer_copyout_from(in, &ptr, buf, n) !=
			    (ev_ssize_t)n)
				fatalx("%s: evbuffer_copyout_from failed",
				    __func__);
			pos += http_conn_head_feed(c, buf, n,
			    c->seen - (len - pos));
			if (c->state == HTTP_CONN_DISCARD)
				pos = len;	/* the buffer was cut */
			break;
		}
	}
	c->in_cb = 0;
}

/* Close: only while no request is in the handlers' hands. */
static void
http_conn_close(struct http_conn *c)
{
	if (c->dispatched) {
		c->close_after = 1;
		return;
	}
	evhttp_connection_free(c->evcon);	/* calls http_conn_close_cb */
}

/* Admission (right after evhttp set the connection up), the request
 * deadline, or the end of a linger. */
static void
http_conn_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_conn *c = arg;
	const struct config *cfg = c->srv->cfg;

	(void)fd;
	(void)events;
	if (!c->admitted) {
		http_conn_admit(c);
		return;
	}
	if (c->dispatched)
		return;		/* the handlers answer first */
	if (c->state == HTTP_CONN_DISCARD) {
		http_conn_close(c);
		return;
	}
	c->srv->stats.deadline_closes++;
	log_info("http: %s: request not complete within %" PRId64 " s: "
	    "closing", c->peer, cfg->http_request_timeout_secs);
	if (c->outstanding == 0 && c->headlen > 0)
		http_conn_answer(c, 408, "request not complete in time", NULL,
		    NULL);
	else if (c->state == HTTP_CONN_BODY)
		http_conn_answer(c, 408, "request not complete in time", NULL,
		    NULL);
	http_conn_close(c);
}

/* evhttp frees the connection (any reason): give back what it held. The
 * struct itself is freed later, from reap_ev, not inside this callback. */
static void
http_conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *c = arg;
	struct http_server *srv = c->srv;
	int i;

	(void)evcon;
	if (c->closed)
		return;
	c->closed = 1;
	if (c->pending != NULL) {
		c->pending->gone = 1;
		c->pending->conn = NULL;
		c->pending = NULL;
	}
	for (i = 0; i < c->outstanding; i++)
		srv->inflight -= c->reserved[i];
	c->outstanding = 0;
	if (c->counted)
		srv->nconns--;
	if (c->lingering)
		srv->nlinger--;
	evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->incb);
	evtimer_del(c->timer);
	TAILQ_REMOVE(&srv->conns, c, entry);
	TAILQ_INSERT_TAIL(&srv->dead, c, entry);
	event_active(srv->reap_ev, EV_TIMEOUT, 0);
}

void
http_conn_free(struct http_conn *c)
{
	event_free(c->timer);
	free(c->head);
	free(c);
}

void
http_conn_reap_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_server *srv = arg;
	struct http_conn *c;

	(void)fd;
	(void)events;
	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, entry);
		http_conn_free(c);
	}
}

/* An answer of the connection was written (evhttp's on-complete callback):
 * its body's bytes leave the in-flight sum; the next request's deadline
 * starts, or the connection closes if it was told to. */
static void
http_conn_complete_cb(struct evhttp_request *req, void *arg)
{
	struct http_conn *c = arg;
	int i;

	(void)req;
	c->dispatched = 0;
	if (c->outstanding > 0) {
		c->srv->inflight -= c->reserved[0];
		for (i = 1; i < c->outstanding; i++)
			c->reserved[i - 1] = c->reserved[i];
		c->outstanding--;
	}
	if (c->close_after) {
		if (c->outstanding == 0) {
			c->state = HTTP_CONN_DISCARD;
			http_conn_arm(c, 0);
		}
	} else
		http_conn_arm(c, (long)c->srv->cfg->http_request_timeout_secs);
}

/* A request reaches the handlers: no deadline while they hold it. */
void
http_conn_dispatched(struct http_server *srv, struct evhttp_request *req)
{
	struct http_conn *c;

	if ((c = http_req_conn(srv, req)) == NULL)
		return;
	c->dispatched = 1;
	evtimer_del(c->timer);
	evhttp_request_set_on_complete_cb(req, http_conn_complete_cb, c);
}

static void
http_conn_peer(struct http_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	struct sockaddr_in6 *sin6;
	struct in_addr a4;

	snprintf(c->peer, sizeof c->peer, "unknown");
	if (getpeername(bufferevent_getfd(c->bev), (struct sockaddr *)&ss,
	    &sslen) != 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    c->peer, sizeof c->peer);
	else if (ss.ss_family == AF_INET6) {
		sin6 = (struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(&a4, &sin6->sin6_addr.s6_addr[12], sizeof a4);
			inet_ntop(AF_INET, &a4, c->peer, sizeof c->peer);
		} else
			inet_ntop(AF_INET6, &sin6->sin6_addr, c->peer,
			    sizeof c->peer);
	}
}

/*
 * Admit a connection evhttp just set up (from the timer made active in
 * http_conn_bev_cb, or from the first bytes if they come first): take its
 * evhttp connection from the bufferevent's callback argument, count it
 * against the caps, start its deadline.
 */
static void
http_conn_admit(struct http_conn *c)
{
	struct http_server *srv = c->srv;
	const struct config *cfg = srv->cfg;
	bufferevent_data_cb readcb;
	struct http_conn *o;
	void *cbarg;
	int64_t same = 0;

	c->admitted = 1;
	evtimer_del(c->timer);
	bufferevent_getcb(c->bev, &readcb, NULL, NULL, &cbarg);
	if (readcb == NULL) {
		/* evhttp freed it already; ours was the last reference. */
		TAILQ_REMOVE(&srv->conns, c, entry);
		c->closed = 1;
		TAILQ_INSERT_TAIL(&srv->dead, c, entry);
		event_active(srv->reap_ev, EV_TIMEOUT, 0);
		bufferevent_decref(c->bev);
		return;
	}
	bufferevent_decref(c->bev);
	c->evcon = cbarg;
	evhttp_connection_set_closecb(c->evcon, http_conn_close_cb, c);
	http_conn_peer(c);
	TAILQ_FOREACH(o, &srv->conns, entry) {
		if (o != c && o->counted && strcmp(o->peer, c->peer) == 0)
			same++;
	}
	if (srv->nconns >= (size_t)cfg->http_max_connections) {
		srv->stats.refused_connections++;
		log_info("http: %s: %zu connections open: 503", c->peer,
		    srv->nconns);
	} else if (same >= cfg->http_max_connections_per_peer) {
		srv->stats.refused_peer++;
		log_info("http: %s: %" PRId64 " connections open from this "
		    "address: 503", c->peer, same);
	} else {
		c->counted = 1;
		srv->nconns++;
		http_conn_arm(c, (long)cfg->http_request_timeout_secs);
		return;
	}
	c->lingering = 1;
	srv->nlinger++;
	http_conn_refuse(c, 503, "too many connections, retry later",
	    "Retry-After", "1");
}

/*
 * evhttp accepted a connection and wants its bufferevent: make it ours and
 * watch its input. The admission runs once evhttp has set the connection up
 * (the timer, active at once); a reference keeps the bufferevent until then.
 */
struct bufferevent *
http_conn_bev_cb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	struct http_conn *c;

	c = xcalloc(1, sizeof *c);
	c->srv = srv;
	if ((c->bev = bufferevent_socket_new(base, -1, 0)) == NULL)
		fatalx("%s: bufferevent_socket_new failed", __func__);
	if ((c->timer = evtimer_new(base, http_conn_timer_cb, c)) == NULL)
		fatalx("%s: evtimer_new failed", __func__);
	if ((c->incb = evbuffer_add_cb(bufferevent_get_input(c->bev),
	    http_conn_input_cb, c)) == NULL)
		fatalx("%s: evbuffer_add_cb failed", __func__);
	bufferevent_incref(c->bev);
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	event_active(c->timer, EV_TIMEOUT, 0);
	/*
	 * The listener accepts whatever is pending in one go, before any of
	 * it is admitted: a flood would take every descriptor. Stop after a
	 * burst; accept_ev, active after the admissions, goes on.
	 */
	if (++srv->nfresh >= HTTP_ACCEPT_BURST && srv->bound != NULL) {
		evconnlistener_disable(
		    evhttp_bound_socket_get_listener(srv->bound));
		event_active(srv->accept_ev, EV_TIMEOUT, 0);
	}
	return c->bev;
}

/* The burst was admitted (or refused): accept again, unless an accept
 * error paused the listener. */
void
http_conn_accept_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_server *srv = arg;

	(void)fd;
	(void)events;
	srv->nfresh = 0;
	if (srv->bound != NULL && !evtimer_pending(srv->resume_ev, NULL))
		evconnlistener_enable(
		    evhttp_bound_socket_get_listener(srv->bound));
}

