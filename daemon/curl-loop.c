/*
 * libcurl's multi-socket API driven by libevent, in the shape of curl's
 * docs/examples/hiperfifo.c:
 *   - curl_loop_socket_cb (CURLMOPT_SOCKETFUNCTION) keeps one struct curl_sock per
 *     socket curl wants watched, allocated on first sight and freed on
 *     CURL_POLL_REMOVE; its event is deleted before being re-assigned;
 *   - curl_loop_timer_cb (CURLMOPT_TIMERFUNCTION) only arms or disarms one
 *     libevent timer; curl is called from that timer's own event
 *     (curl_loop_timeout_cb), never from inside the curl callback;
 *   - socket and timer events call curl_multi_socket_action and then drain
 *     curl_multi_info_read, the only place where done callbacks run.
 * The loop owns every easy handle given to curl_loop_add until its callback has
 * returned. The event base belongs to the caller and outlives the loop.
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curl-loop.h"

#define CURL_LOOP_MAXCONNECTS	64L	/* idle connections kept for reuse */
#include "log.h"
#include "xmalloc.h"

struct curl_xfer {
	struct curl_loop	*loop;
	CURL			*easy;
	curl_loop_done_cb	 cb;
	void			*arg;
	char			 errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(curl_xfer)	 entry;
};

struct curl_sock {
	struct curl_loop	*loop;
	curl_socket_t		 fd;
	struct event		 ev;
	int			 assigned;	/* ev holds an assigned event */
	LIST_ENTRY(curl_sock)	 entry;
};

struct curl_loop {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	int			 closing;
	size_t			 active;
	TAILQ_HEAD(, curl_xfer)	 xfers;
	LIST_HEAD(, curl_sock)	 socks;
};

static int	curl_loop_initialized;

static void	curl_loop_check_info(struct curl_loop *);

/* Hand a finished transfer to its owner, then release it. */
static void
curl_loop_finish(struct curl_loop *loop, struct curl_xfer *x, int ok,
    const char *error)
{
	long	status = 0;

	curl_multi_remove_handle(loop->multi, x->easy);
	TAILQ_REMOVE(&loop->xfers, x, entry);
	loop->active--;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	x->cb(x->arg, ok, status, ok ? NULL : error);
	curl_easy_cleanup(x->easy);
	free(x);
}

/* Report every transfer curl says is complete. */
static void
curl_loop_check_info(struct curl_loop *loop)
{
	CURLMsg			*msg;
	struct curl_xfer	*x;
	CURL			*easy;
	CURLcode		 res;
	char			*priv;
	int			 left;

	while ((msg = curl_multi_info_read(loop->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is only valid until the handle is removed: copy first. */
		easy = msg->easy_handle;
		res = msg->data.result;
		priv = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		x = (struct curl_xfer *)priv;
		if (x == NULL)
			fatalx("%s: transfer without private data", __func__);
		if (res == CURLE_OK)
			curl_loop_finish(loop, x, 1, NULL);
		else {
			if (x->errbuf[0] == '\0')
				snprintf(x->errbuf, sizeof x->errbuf, "%s",
				    curl_easy_strerror(res));
			curl_loop_finish(loop, x, 0, x->errbuf);
		}
	}
}

/* A watched socket is ready: tell curl, then collect completions. */
static void
curl_loop_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct curl_loop	*loop = arg;
	CURLMcode		 rc;
	int			 action = 0, running;

	if (kind & EV_READ)
		action |= CURL_CSELECT_IN;
	if (kind & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	rc = curl_multi_socket_action(loop->multi, fd, action, &running);
	if (rc != CURLM_OK)
		log_warnx("%s: %s", __func__, curl_multi_strerror(rc));
	/*
	 * Unlike hiperfifo, the timer is not deleted when nothing runs: a done
	 * callback may just have added a transfer, and curl disarms the timer
	 * itself (timeout -1) when it has nothing left to do.
	 */
	curl_loop_check_info(loop);
}

/* curl's timeout expired (armed by curl_loop_timer_cb). */
static void
curl_loop_timeout_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct curl_loop	*loop = arg;
	CURLMcode		 rc;
	int			 running;

	(void)fd;
	(void)kind;
	rc = curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	if (rc != CURLM_OK)
		log_warnx("%s: %s", __func__, curl_multi_strerror(rc));
	curl_loop_check_info(loop);
}

/* CURLMOPT_TIMERFUNCTION: only (dis)arm our timer; never call curl here. */
static int
curl_loop_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct curl_loop	*loop = arg;
	struct timeval		 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(loop->timer);
		return (0);
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(loop->timer, &tv);
	return (0);
}

/*
 * CURLMOPT_SOCKETFUNCTION: start, change or stop watching one socket. socketp
 * is our struct curl_sock once curl_multi_assign has been called for it, NULL
 * before that (and possibly on REMOVE for a socket we never saw).
 */
static int
curl_loop_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg,
    void *socketp)
{
	struct curl_loop	*loop = arg;
	struct curl_sock	*cs = socketp;
	short			 kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (cs != NULL) {
			if (cs->assigned)
				event_del(&cs->ev);
			LIST_REMOVE(cs, entry);
			free(cs);
		}
		return (0);
	}

	if (cs == NULL) {
		cs = xcalloc(1, sizeof *cs);
		cs->loop = loop;
		cs->fd = fd;
		LIST_INSERT_HEAD(&loop->socks, cs, entry);
		curl_multi_assign(loop->multi, fd, cs);
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (cs->assigned)
		event_del(&cs->ev);
	event_assign(&cs->ev, loop->base, fd, kind, curl_loop_event_cb, loop);
	cs->assigned = 1;
	event_add(&cs->ev, NULL);
	return (0);
}

struct curl_loop *
curl_loop_new(struct event_base *base)
{
	struct curl_loop	*loop;

	if (!curl_loop_initialized) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			fatalx("curl_global_init failed");
		curl_loop_initialized = 1;
		/* A synchronous resolver would block the whole loop. */
		if (!(curl_version_info(CURLVERSION_NOW)->features &
		    CURL_VERSION_ASYNCHDNS))
			log_warnx("libcurl resolves names synchronously: a slow "
			    "DNS server stalls the daemon");
	}

	loop = xcalloc(1, sizeof *loop);
	loop->base = base;
	TAILQ_INIT(&loop->xfers);
	LIST_INIT(&loop->socks);
	loop->timer = evtimer_new(base, curl_loop_timeout_cb, loop);
	if (loop->timer == NULL)
		fatalx("%s: evtimer_new failed", __func__);
	if ((loop->multi = curl_multi_init()) == NULL)
		fatalx("%s: curl_multi_init failed", __func__);
	curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION,
	    curl_loop_socket_cb);
	curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop);
	curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION,
	    curl_loop_timer_cb);
	curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop);
	/*
	 * Keep idle connections for reuse. By default the cache holds four per
	 * handle currently added; every transfer here has its own short-lived
	 * handle, so the cache shrinks as transfers end and each delivery to a
	 * webhook would pay a new TCP (and TLS) handshake.
	 */
	curl_multi_setopt(loop->multi, CURLMOPT_MAXCONNECTS, CURL_LOOP_MAXCONNECTS);
	return (loop);
}

/*
 * Abort what is still running (callbacks see ok = 0, "shutting down"), then
 * clean up the multi handle, which may still call our socket callback, and only
 * then release the sockets it left and the timer.
 */
void
curl_loop_free(struct curl_loop *loop)
{
	struct curl_xfer	*x;
	struct curl_sock	*cs;

	if (loop == NULL)
		return;
	loop->closing = 1;
	while ((x = TAILQ_FIRST(&loop->xfers)) != NULL)
		curl_loop_finish(loop, x, 0, CURL_LOOP_SHUTDOWN);
	curl_multi_cleanup(loop->multi);
	while ((cs = LIST_FIRST(&loop->socks)) != NULL) {
		if (cs->assigned)
			event_del(&cs->ev);
		LIST_REMOVE(cs, entry);
		free(cs);
	}
	event_free(loop->timer);
	free(loop);
}

int
curl_loop_add(struct curl_loop *loop, void *easy, curl_loop_done_cb cb,
    void *arg)
{
	struct curl_xfer	*x;
	CURLMcode		 rc;

	if (loop->closing) {
		curl_easy_cleanup(easy);
		return (-1);
	}
	x = xcalloc(1, sizeof *x);
	x->loop = loop;
	x->easy = easy;
	x->cb = cb;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	TAILQ_INSERT_TAIL(&loop->xfers, x, entry);
	loop->active++;
	if ((rc = curl_multi_add_handle(loop->multi, easy)) != CURLM_OK) {
		log_warnx("%s: %s", __func__, curl_multi_strerror(rc));
		TAILQ_REMOVE(&loop->xfers, x, entry);
		loop->active--;
		curl_easy_cleanup(easy);
		free(x);
		return (-1);
	}
	return (0);
}

size_t
curl_loop_active(const struct curl_loop *loop)
{
	return (loop == NULL ? 0 : loop->active);
}
