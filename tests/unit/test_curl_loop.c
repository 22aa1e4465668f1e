/*
 * The curl loop against a real evhttp server on 127.0.0.1 in the same event
 * base: concurrent transfers complete with their statuses, a refused connection
 * reports ok = 0 with a reason, and freeing the loop aborts what still runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curl-loop.h"

struct fixture {
	struct event_base	*base;
	struct evhttp		*http;
	struct curl_loop	*loop;
	int			 port;
	int			 done;
	int			 want;
	int			 hung;		/* /hang requests received */
	struct event		*deadline;
};

struct result {
	struct fixture	*f;
	int		 called;
	int		 ok;
	long		 status;
	char		 error[CURL_ERROR_SIZE];
	char		 body[256];
	size_t		 bodylen;
};

static void
server_cb(struct evhttp_request *req, void *arg)
{
	struct fixture	*f = arg;
	const char	*uri = evhttp_request_get_uri(req);
	struct evbuffer	*buf;

	if (strcmp(uri, "/hang") == 0) {
		/* Never answered: the loop is freed while this is in flight. */
		f->hung++;
		event_base_loopbreak(f->base);
		return;
	}
	buf = evbuffer_new();
	evbuffer_add_printf(buf, "hello %s", uri);
	if (strcmp(uri, "/ok") == 0)
		evhttp_send_reply(req, 200, "OK", buf);
	else if (strcmp(uri, "/created") == 0)
		evhttp_send_reply(req, 201, "Created", buf);
	else
		evhttp_send_reply(req, 404, "Not Found", buf);
	evbuffer_free(buf);
}

static void
deadline_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct fixture *f = arg;

	(void)fd;
	(void)kind;
	event_base_loopbreak(f->base);
}

static int
setup(void **state)
{
	struct fixture			*f;
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 len = sizeof sin;
	struct timeval			 tv = { 10, 0 };

	f = calloc(1, sizeof *f);
	f->base = event_base_new();
	f->http = evhttp_new(f->base);
	bs = evhttp_bind_socket_with_handle(f->http, "127.0.0.1", 0);
	assert_non_null(bs);
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &len), 0);
	f->port = ntohs(sin.sin_port);
	evhttp_set_gencb(f->http, server_cb, f);
	f->loop = curl_loop_new(f->base);
	f->deadline = evtimer_new(f->base, deadline_cb, f);
	evtimer_add(f->deadline, &tv);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	curl_loop_free(f->loop);
	event_free(f->deadline);
	evhttp_free(f->http);
	event_base_free(f->base);
	free(f);
	return (0);
}

static void
done_cb(void *arg, int ok, long status, const char *error)
{
	struct result *r = arg;

	r->called++;
	r->ok = ok;
	r->status = status;
	if (error != NULL)
		snprintf(r->error, sizeof r->error, "%s", error);
	if (++r->f->done == r->f->want)
		event_base_loopbreak(r->f->base);
}

static size_t
write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct result	*r = arg;
	size_t		 len = size * n;

	if (r->bodylen + len >= sizeof r->body)
		return (0);
	memcpy(r->body + r->bodylen, data, len);
	r->bodylen += len;
	return (len);
}

static void
start(struct fixture *f, struct result *r, int port, const char *path)
{
	CURL	*easy;
	char	 url[128];

	r->f = f;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	easy = curl_easy_init();
	assert_non_null(easy);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, 5L);
	assert_int_equal(curl_loop_add(f->loop, easy, done_cb, r), 0);
}

/* A port nobody listens on: bind an ephemeral one, then close it. */
static int
closed_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			s, port;

	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(s);
	return (port);
}

static void
test_concurrent(void **state)
{
	struct fixture	*f = *state;
	struct result	 r[4];

	memset(r, 0, sizeof r);
	f->want = 4;
	start(f, &r[0], f->port, "/ok");
	start(f, &r[1], f->port, "/created");
	start(f, &r[2], f->port, "/nothing");
	start(f, &r[3], closed_port(), "/ok");
	assert_int_equal(curl_loop_active(f->loop), 4);
	event_base_dispatch(f->base);

	assert_int_equal(f->done, 4);
	assert_int_equal(curl_loop_active(f->loop), 0);
	assert_int_equal(r[0].called, 1);
	assert_int_equal(r[0].ok, 1);
	assert_int_equal(r[0].status, 200);
	assert_int_equal(r[0].bodylen, strlen("hello /ok"));
	assert_memory_equal(r[0].body, "hello /ok", r[0].bodylen);
	assert_int_equal(r[1].ok, 1);
	assert_int_equal(r[1].status, 201);
	assert_int_equal(r[2].ok, 1);
	assert_int_equal(r[2].status, 404);
	assert_int_equal(r[3].called, 1);
	assert_int_equal(r[3].ok, 0);
	assert_true(strlen(r[3].error) > 0);
}

/* Handles are reusable by the caller's callback: add from inside done_cb. */
static struct result chained[2];

static void
chain_cb(void *arg, int ok, long status, const char *error)
{
	struct result *r = arg;

	done_cb(arg, ok, status, error);
	if (r == &chained[0])
		start(r->f, &chained[1], r->f->port, "/ok");
}

static void
test_add_from_callback(void **state)
{
	struct fixture	*f = *state;
	CURL		*easy;
	char		 url[128];

	memset(chained, 0, sizeof chained);
	f->want = 2;
	chained[0].f = f;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/created", f->port);
	easy = curl_easy_init();
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &chained[0]);
	assert_int_equal(curl_loop_add(f->loop, easy, chain_cb, &chained[0]),
	    0);
	event_base_dispatch(f->base);
	assert_int_equal(chained[0].status, 201);
	if (!chained[1].ok)
		print_message("error: %s\n", chained[1].error);
	assert_int_equal(chained[1].ok, 1);
	assert_int_equal(chained[1].status, 200);
}

static void
test_free_aborts(void **state)
{
	struct fixture	*f = *state;
	struct result	 r;

	memset(&r, 0, sizeof r);
	f->want = 1;
	start(f, &r, f->port, "/hang");
	event_base_dispatch(f->base);	/* until the server has the request */
	assert_int_equal(f->hung, 1);
	assert_int_equal(r.called, 0);
	assert_int_equal(curl_loop_active(f->loop), 1);

	curl_loop_free(f->loop);
	f->loop = NULL;
	assert_int_equal(r.called, 1);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.error, "shutting down");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_from_callback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_aborts, setup,
		    teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return (rc);
}
