/*
 * HTTP listener tests, in process: a real configuration (temporary main and
 * client files), a real store in a temporary directory, the server bound to an
 * ephemeral port on 127.0.0.1, and clients on plain sockets driven by the same
 * event base. Requests are written whole before the loop runs, so requests
 * sent together are read in one loop iteration (and share one group commit).
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "config.h"
#include "hmac.h"
#include "http-server.h"
#include "ingest.h"
#include "log.h"
#include "metric.h"
#include "store.h"
#include "xmalloc.h"

#define TOKEN_ALPHA	"alpha-token-0123456789"
#define TOKEN_BETA	"beta-token-0123456789"
#define TOKEN_GAMMA	"gamma-token-0123456789"
#define TOKEN_DELTA	"delta-token-0123456789"
#define SECRET_GAMMA	"gamma-secret-0123456789"
#define MAX_BODY	8192

struct fixture {
	char			 dir[64];
	char			 dbpath[128];
	struct config		*cfg;
	struct store		*store;
	struct event_base	*base;
	struct http_server	*srv;
	size_t			 committed_calls;
	size_t			 committed_subjects;
};

static struct fixture *F;

/* A client connection: the whole request is written at once (blocking),
 * then the answer is read from the loop until the server closes. */
struct conn {
	int		 fd;
	struct event	*ev;
	char		*buf;
	size_t		 len, cap;
	int		 eof;
	struct timespec	 closed_at;
	int		 status;
	const char	*body;
};

static void
write_file(const char *path, const char *text)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	chmod(path, 0600);
}

static void
committed_cb(void *arg, const struct ingest_subject *subjects, size_t n)
{
	struct fixture *f = arg;

	assert_non_null(subjects);
	f->committed_calls++;
	f->committed_subjects += n;
}

static void
write_client(const char *dir, const char *id, const char *token,
    const char *secret)
{
	char path[256], text[2048], hmac[256] = "";

	snprintf(path, sizeof path, "%s/tokens/%s.token", dir, id);
	write_file(path, token);
	if (secret != NULL) {
		snprintf(path, sizeof path, "%s/tokens/%s.hmac", dir, id);
		write_file(path, secret);
		snprintf(hmac, sizeof hmac,
		    "\"hmac_secret_file\": \"tokens/%s.hmac\",", id);
	}
	snprintf(text, sizeof text,
	    "{\n"
	    "  \"id\": \"%s\", \"name\": \"Client %s\", \"currency\": \"EUR\",\n"
	    "  \"timezone\": \"Europe/Paris\", \"language\": \"en\",\n"
	    "  \"minimum_roi\": \"150%%\",\n"
	    "  \"token_file\": \"tokens/%s.token\", %s\n"
	    "  \"receivers\": [ { \"name\": \"box\", \"type\": \"file\","
	    " \"dir\": \"mail/%s\" } ]\n"
	    "}\n", id, id, id, hmac, id);
	snprintf(path, sizeof path, "%s/clients.d/%s.conf", dir, id);
	write_file(path, text);
}

static int
group_setup(void **state)
{
	struct fixture *f;
	char path[256], text[1024], *cause = NULL;

	signal(SIGPIPE, SIG_IGN);
	log_init(0, "test_http_server");
	f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_http_server.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof path, "%s/clients.d", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/tokens", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/state", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/state/inbox", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_client(f->dir, "alpha", TOKEN_ALPHA, NULL);
	write_client(f->dir, "beta", TOKEN_BETA, NULL);
	write_client(f->dir, "gamma", TOKEN_GAMMA, SECRET_GAMMA);
	write_client(f->dir, "delta", TOKEN_DELTA, NULL);
	snprintf(text, sizeof text,
	    "{\n"
	    "  \"state_dir\": \"%s/state\",\n"
	    "  \"clients_dir\": \"clients.d\",\n"
	    "  \"listen_addr\": \"127.0.0.1\",\n"
	    "  \"listen_port\": 8470,\n"
	    "  \"http_max_body_bytes\": %d,\n"
	    "  \"http_max_header_bytes\": 4096,\n"
	    "  \"http_max_rows\": 5,\n"
	    "  \"http_idle_timeout_secs\": 1,\n"
	    "  \"http_rate_per_minute\": 100000\n"
	    "}\n", f->dir, MAX_BODY);
	snprintf(path, sizeof path, "%s/roiwatchd.conf", f->dir);
	write_file(path, text);

	f->cfg = config_load(path, NULL, &cause);
	if (f->cfg == NULL)
		fail_msg("config_load: %s", cause);
	f->cfg->listen_port = 0;	/* ephemeral, read back below */

	snprintf(f->dbpath, sizeof f->dbpath, "%s/state/roiwatch.db", f->dir);
	f->store = store_open(f->dbpath, &cause);
	if (f->store == NULL)
		fail_msg("store_open: %s", cause);
	assert_non_null(f->base = event_base_new());
	f->srv = http_server_new(f->base, f->store, f->cfg, committed_cb, f,
	    &cause);
	if (f->srv == NULL)
		fail_msg("http_server_new: %s", cause);
	assert_true(http_server_port(f->srv) > 0);
	F = f;
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	http_server_free(f->srv);
	event_base_free(f->base);
	store_free(f->store);
	config_free(f->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

static void
conn_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn *c = arg;
	ssize_t n;

	(void)events;
	for (;;) {
		if (c->len + 4096 + 1 > c->cap) {
			c->cap = c->cap * 2 + 8192;
			c->buf = xreallocarray(c->buf, c->cap, 1);
		}
		n = read(fd, c->buf + c->len, c->cap - c->len - 1);
		if (n > 0) {
			c->len += (size_t)n;
			c->buf[c->len] = '\0';
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		break;		/* EOF or reset */
	}
	c->eof = 1;
	clock_gettime(CLOCK_MONOTONIC, &c->closed_at);
	event_del(c->ev);
}

static struct conn *
conn_open(void)
{
	struct sockaddr_in sin;
	struct conn *c;

	c = xcalloc(1, sizeof *c);
	c->buf = xstrdup("");
	assert_true((c->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)http_server_port(F->srv));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	c->ev = event_new(F->base, c->fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	event_add(c->ev, NULL);
	return c;
}

static void
conn_send(struct conn *c, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(c->fd, data, len);
		if (n == -1 && errno == EINTR)
			continue;
		assert_true(n > 0);
		data += n;
		len -= (size_t)n;
	}
}

static void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	event_free(c->ev);
	close(c->fd);
	free(c->buf);
	free(c);
}

static double
elapsed_since(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) +
	    (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Run the loop until every connection was closed by the server, at most
 * `secs` seconds. Then parse the answers. */
static void
conn_wait(struct conn **cs, size_t n, double secs)
{
	struct timespec t0, t1;
	size_t i, done;
	char *p;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (i = done = 0; i < n; i++)
			done += cs[i]->eof;
		if (done == n)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (elapsed_since(&t0, &t1) > secs)
			break;
		event_base_loop(F->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	for (i = 0; i < n; i++) {
		cs[i]->status = 0;
		if (sscanf(cs[i]->buf, "HTTP/1.%*d %d", &cs[i]->status) != 1)
			cs[i]->status = -1;
		p = strstr(cs[i]->buf, "\r\n\r\n");
		cs[i]->body = p != NULL ? p + 4 : "";
	}
}

/* Build a request with Connection: close. token/ctype may be NULL. */
static char *
build(const char *method, const char *target, const char *token,
    const char *ctype, const char *extra, const char *body)
{
	char *req, auth[128] = "", ct[128] = "";

	if (token != NULL)
		snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", token);
	if (ctype != NULL)
		snprintf(ct, sizeof ct, "Content-Type: %s\r\n", ctype);
	xasprintf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n%s%s%sContent-Length: %zu\r\n\r\n%s",
	    method, target, auth, ct, extra != NULL ? extra : "",
	    body != NULL ? strlen(body) : 0, body != NULL ? body : "");
	return req;
}

/* One request, answered: returns the connection (caller frees). */
static struct conn *
request(const char *method, const char *target, const char *token,
    const char *ctype, const char *extra, const char *body)
{
	struct conn *c = conn_open();
	char *req = build(method, target, token, ctype, extra, body);

	conn_send(c, req, strlen(req));
	free(req);
	conn_wait(&c, 1, 10);
	assert_true(c->eof);
	return c;
}

static int
has_header(const struct conn *c, const char *header)
{
	const char *end = strstr(c->buf, "\r\n\r\n");
	const char *p = strcasestr(c->buf, header);

	return p != NULL && end != NULL && p < end;
}

static struct kpi_totals
totals(const char *client, const char *campaign)
{
	struct kpi_totals t;
	char *cause = NULL;

	if (store_totals(F->store, client, campaign, INT32_MIN, INT32_MAX, &t,
	    &cause) != 0)
		fail_msg("store_totals: %s", cause);
	return t;
}

/* Not inlined: GCC 12 at -O3 takes the returned heap string for a pointer to
 * the local `h` (a -Wdangling-pointer false positive). */
static __attribute__((noinline)) char *
signature_headers(const char *secret, const char *body, int64_t ts)
{
	uint8_t mac[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN], *msg, *h;

	xasprintf(&msg, "%" PRId64 ".%s", ts, body);
	hmac_sha256(secret, strlen(secret), msg, strlen(msg), mac);
	free(msg);
	xasprintf(&h, "X-Roiwatch-Timestamp: %" PRId64 "\r\n"
	    "X-Roiwatch-Signature: sha256=%s\r\n", ts, hmac_hex(mac, hex));
	return h;
}

static void
test_accepts_json_and_stores_rows(void **state)
{
	struct fixture *f = *state;
	struct kpi_totals t;
	struct conn *c;
	int64_t before = store_count_metrics(f->store);
	size_t calls = f->committed_calls;
	const char *body = "{\"metrics\": ["
	    "{\"client\":\"alpha\",\"campaign\":\"json-a\",\"date\":\"2026-11-20\","
	    "\"cost\":\"100.00\",\"revenue\":\"350.50\",\"clicks\":10},"
	    "{\"client\":\"alpha\",\"campaign\":\"json-a\",\"date\":\"2026-11-21\","
	    "\"cost\":\"50.00\",\"revenue\":\"20.00\",\"clicks\":5}]}";

	c = request("POST", "/v1/metrics", TOKEN_ALPHA, "application/json",
	    NULL, body);
	assert_int_equal(c->status, 202);
	assert_true(has_header(c, "Content-Type: application/json"));
	assert_non_null(strstr(c->body, "\"accepted\":2"));
	assert_non_null(strstr(c->body, "\"rejected\":0"));
	conn_free(c);

	assert_int_equal(store_count_metrics(f->store), before + 2);
	t = totals("alpha", "json-a");
	assert_int_equal(t.cost, 150 * MICROS_PER_UNIT);
	assert_int_equal(t.revenue, 370500000);
	assert_int_equal(t.clicks, 15);
	assert_int_equal(f->committed_calls, calls + 1);
}

static void
test_accepts_ndjson_and_csv(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	int64_t before = store_count_metrics(f->store);

	c = request("POST", "/v1/metrics", TOKEN_ALPHA, "application/x-ndjson",
	    NULL,
	    "{\"client\":\"alpha\",\"campaign\":\"nd\",\"date\":\"2026-11-20\","
	    "\"cost\":\"1.00\"}\n"
	    "{\"client\":\"alpha\",\"campaign\":\"nd\",\"date\":\"2026-11-21\","
	    "\"cost\":\"2.00\"}\n");
	assert_int_equal(c->status, 202);
	assert_non_null(strstr(c->body, "\"accepted\":2"));
	conn_free(c);

	c = request("POST", "/v1/metrics", TOKEN_ALPHA,
	    "text/csv; charset=utf-8", NULL,
	    "client,campaign,date,cost,revenue\n"
	    "alpha,csv-c,2026-11-20,10.00,30.00\n");
	assert_int_equal(c->status, 202);
	assert_non_null(strstr(c->body, "\"accepted\":1"));
	conn_free(c);
	assert_int_equal(store_count_metrics(f->store), before + 3);
	assert_int_equal(totals("alpha", "csv-c").revenue, 30 * MICROS_PER_UNIT);
}

static void
test_malformed_json_is_400(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	int64_t before = store_count_metrics(f->store);

	c = request("POST", "/v1/metrics", TOKEN_ALPHA, "application/json",
	    NULL, "{\"client\":\"alpha\",\"campaign\":");
	assert_int_equal(c->status, 400);
	assert_true(has_header(c, "Content-Type: application/json"));
	assert_non_null(strstr(c->body, "\"errors\":[{"));
	conn_free(c);

	/* One bad row refuses the whole request without ?partial=1. */
	c = request("POST", "/v1/metrics", TOKEN_ALPHA, "text/csv", NULL,
	    "client,campaign,date,cost\n"
	    "alpha,bad-1,2026-11-20,10.00\n"
	    "alpha,bad-1,2026-11-21,ten\n");
	assert_int_equal(c->status, 400);
	assert_non_null(strstr(c->body, "\"row\":2"));
	assert_non_null(strstr(c->body, "\"field\":\"cost\""));
	conn_free(c);
	assert_int_equal(store_count_metrics(f->store), before);
}

static void
test_partial_reports_row_errors(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	int64_t before = store_count_metrics(f->store);

	c = request("POST", "/v1/metrics?partial=1", TOKEN_ALPHA, "text/csv",
	    NULL,
	    "client,campaign,date,cost\n"
	    "alpha,part,2026-11-20,10.00\n"
	    "alpha,part,2026-11-21,ten\n"
	    "alpha,part,2026-11-22,12.00\n");
	assert_int_equal(c->status, 202);
	assert_non_null(strstr(c->body, "\"accepted\":2"));
	assert_non_null(strstr(c->body, "\"rejected\":1"));
	assert_non_null(strstr(c->body, "\"row\":2"));
	assert_non_null(strstr(c->body, "\"line\":3"));
	assert_non_null(strstr(c->body, "\"field\":\"cost\""));
	assert_non_null(strstr(c->body, "\"reason\":\""));
	conn_free(c);
	assert_int_equal(store_count_metrics(f->store), before + 2);
	assert_int_equal(totals("alpha", "part").cost, 22 * MICROS_PER_UNIT);
}

static void
test_tokens(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	const char *body = "{\"client\":\"alpha\",\"campaign\":\"tok\","
	    "\"date\":\"2026-11-20\",\"cost\":\"1.00\"}";
	int64_t before = store_count_metrics(f->store);

	c = request("POST", "/v1/metrics", NULL, "application/json", NULL,
	    body);
	assert_int_equal(c->status, 401);
	assert_true(has_header(c, "WWW-Authenticate: Bearer"));
	assert_true(has_header(c, "Content-Type: application/json"));
	conn_free(c);

	c = request("POST", "/v1/metrics", "alpha-token-012345678X",
	    "application/json", NULL, body);
	assert_int_equal(c->status, 401);
	conn_free(c);

	c = request("POST", "/v1/metrics", TOKEN_ALPHA "0", "application/json",
	    NULL, body);
	assert_int_equal(c->status, 401);
	conn_free(c);

	/* beta's token writing alpha's rows: the whole request, also partial. */
	c = request("POST", "/v1/metrics", TOKEN_BETA, "application/json", NULL,
	    body);
	assert_int_equal(c->status, 403);
	conn_free(c);
	c = request("POST", "/v1/metrics?partial=1", TOKEN_BETA,
	    "application/x-ndjson", NULL,
	    "{\"client\":\"beta\",\"campaign\":\"tok\",\"date\":\"2026-11-20\","
	    "\"cost\":\"1.00\"}\n"
	    "{\"client\":\"alpha\",\"campaign\":\"tok\",\"date\":\"2026-11-20\","
	    "\"cost\":\"1.00\"}\n");
	assert_int_equal(c->status, 403);
	conn_free(c);
	assert_int_equal(store_count_metrics(f->store), before);
}

static void
test_limits(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	char *req;
	int64_t before = store_count_metrics(f->store);

	/* Body announced over http_max_body_bytes: refused by evhttp. */
	c = conn_open();
	xasprintf(&req, "POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: text/csv\r\n"
	    "Connection: close\r\nContent-Length: %d\r\n\r\n", TOKEN_ALPHA,
	    MAX_BODY + 1);
	conn_send(c, req, strlen(req));
	free(req);
	conn_wait(&c, 1, 10);
	assert_int_equal(c->status, 413);
	conn_free(c);

	/* More rows than http_max_rows (5). */
	c = request("POST", "/v1/metrics", TOKEN_ALPHA, "text/csv", NULL,
	    "client,campaign,date,cost\n"
	    "alpha,many,2026-11-01,1\nalpha,many,2026-11-02,1\n"
	    "alpha,many,2026-11-03,1\nalpha,many,2026-11-04,1\n"
	    "alpha,many,2026-11-05,1\nalpha,many,2026-11-06,1\n");
	assert_int_equal(c->status, 413);
	assert_true(has_header(c, "Content-Type: application/json"));
	conn_free(c);

	c = request("POST", "/v1/metrics", TOKEN_ALPHA, "application/xml", NULL,
	    "<metrics/>");
	assert_int_equal(c->status, 415);
	conn_free(c);
	c = request("POST", "/v1/metrics", TOKEN_ALPHA, NULL, NULL, "x");
	assert_int_equal(c->status, 415);
	conn_free(c);

	/* Headers over http_max_header_bytes. */
	c = conn_open();
	req = xmalloc(6000);
	memset(req, 'a', 5999);
	req[5999] = '\0';
	conn_send(c, "GET /healthz HTTP/1.1\r\nX-Big: ", 30);
	conn_send(c, req, strlen(req));
	conn_send(c, "\r\n\r\n", 4);
	free(req);
	conn_wait(&c, 1, 10);
	assert_true(c->eof);
	assert_int_not_equal(c->status, 200);
	conn_free(c);
	assert_int_equal(store_count_metrics(f->store), before);
}

static void
test_routes_and_methods(void **state)
{
	struct conn *c;

	(void)state;
	c = request("GET", "/v1/metrics", TOKEN_ALPHA, NULL, NULL, NULL);
	assert_int_equal(c->status, 405);
	assert_true(has_header(c, "Allow: POST"));
	conn_free(c);
	c = request("POST", "/healthz", NULL, NULL, NULL, "");
	assert_int_equal(c->status, 405);
	conn_free(c);
	c = request("GET", "/nowhere", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, 404);
	assert_true(has_header(c, "Content-Type: application/json"));
	conn_free(c);
	c = request("PUT", "/v1/metrics", TOKEN_ALPHA, NULL, NULL, "");
	assert_true(c->status == 405 || c->status == 501);
	conn_free(c);
	c = request("GET", "/healthz", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, 200);
	assert_string_equal(c->body, "{\"status\":\"ok\",\"checks\":["
	    "{\"name\":\"store\",\"ok\":true},"
	    "{\"name\":\"outbox\",\"ok\":true}]}");
	conn_free(c);
}

static void
test_rate_limit(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	int64_t saved = f->cfg->http_rate_per_minute;
	const char *body = "{\"client\":\"delta\",\"campaign\":\"rate\","
	    "\"date\":\"2026-11-20\",\"cost\":\"1.00\"}";
	int i;

	f->cfg->http_rate_per_minute = 3;
	for (i = 0; i < 3; i++) {
		c = request("POST", "/v1/metrics", TOKEN_DELTA,
		    "application/json", NULL, body);
		assert_int_equal(c->status, 202);
		conn_free(c);
	}
	c = request("POST", "/v1/metrics", TOKEN_DELTA, "application/json",
	    NULL, body);
	assert_int_equal(c->status, 429);
	assert_true(has_header(c, "Retry-After: "));
	conn_free(c);
	/* Another client has its own bucket. */
	c = request("POST", "/v1/metrics", TOKEN_BETA, "application/json", NULL,
	    "{\"client\":\"beta\",\"campaign\":\"rate\",\"date\":\"2026-11-20\","
	    "\"cost\":\"1.00\"}");
	assert_int_equal(c->status, 202);
	conn_free(c);
	f->cfg->http_rate_per_minute = saved;
}

static void
test_signatures(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	char *h;
	const char *body = "{\"client\":\"gamma\",\"campaign\":\"signed\","
	    "\"date\":\"2026-11-20\",\"cost\":\"7.00\"}";
	int64_t now = (int64_t)time(NULL), before;

	before = store_count_metrics(f->store);
	/* Unsigned, wrong key, body changed, too old, too far ahead. */
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json",
	    NULL, body);
	assert_int_equal(c->status, 401);
	conn_free(c);
	h = signature_headers("not-the-secret-000000", body, now);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 401);
	conn_free(c);
	free(h);
	h = signature_headers(SECRET_GAMMA, "{}", now);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 401);
	conn_free(c);
	free(h);
	h = signature_headers(SECRET_GAMMA, body, now - 400);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 401);
	assert_non_null(strstr(c->body, "window"));
	conn_free(c);
	free(h);
	h = signature_headers(SECRET_GAMMA, body, now + 400);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 401);
	conn_free(c);
	free(h);
	assert_int_equal(store_count_metrics(f->store), before);

	/* Valid, then the exact same request again: a replay. */
	h = signature_headers(SECRET_GAMMA, body, now - 10);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 202);
	conn_free(c);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 409);
	conn_free(c);
	free(h);
	assert_int_equal(store_count_metrics(f->store), before + 1);
	assert_int_equal(totals("gamma", "signed").cost, 7 * MICROS_PER_UNIT);

	/* Upper-case hex is the same signature. */
	{
		char *upper = signature_headers(SECRET_GAMMA, body, now - 5);
		char *p = strstr(upper, "sha256=");

		assert_non_null(p);
		for (p += 7; *p != '\r'; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
		c = request("POST", "/v1/metrics", TOKEN_GAMMA,
		    "application/json", upper, body);
		assert_int_equal(c->status, 202);
		conn_free(c);
		free(upper);
	}
}

static void
test_redelivery_counts_once(void **state)
{
	struct fixture *f = *state;
	struct kpi_totals t;
	struct conn *c;
	int64_t before;
	const char *body = "client,campaign,date,cost,revenue,conversions\n"
	    "beta,again,2026-11-20,100.00,300.00,3\n"
	    "beta,again,2026-11-21,50.00,10.00,1\n";
	int i;

	before = store_count_metrics(f->store);
	for (i = 0; i < 3; i++) {
		c = request("POST", "/v1/metrics", TOKEN_BETA, "text/csv", NULL,
		    body);
		assert_int_equal(c->status, 202);
		conn_free(c);
		assert_int_equal(store_count_metrics(f->store), before + 2);
		t = totals("beta", "again");
		assert_int_equal(t.cost, 150 * MICROS_PER_UNIT);
		assert_int_equal(t.revenue, 310 * MICROS_PER_UNIT);
		assert_int_equal(t.conversions, 4);
	}
}

/* Requests read in the same loop iteration share one commit; a refused one
 * among them does not spoil the others. */
static void
test_group_commit(void **state)
{
	struct fixture *f = *state;
	struct http_server_stats st0, st1;
	struct conn *cs[6];
	char body[256], *req;
	int64_t before = store_count_metrics(f->store);
	size_t i, calls = f->committed_calls;

	http_server_stats(f->srv, &st0);
	for (i = 0; i < 6; i++) {
		cs[i] = conn_open();
		if (i == 3)
			snprintf(body, sizeof body, "client,campaign,date,cost\n"
			    "beta,group,2026-11-2%zu,oops\n", i);
		else
			snprintf(body, sizeof body, "client,campaign,date,cost\n"
			    "beta,group,2026-11-2%zu,1.00\n", i);
		req = build("POST", "/v1/metrics", TOKEN_BETA, "text/csv", NULL,
		    body);
		conn_send(cs[i], req, strlen(req));
		free(req);
	}
	conn_wait(cs, 6, 10);
	for (i = 0; i < 6; i++) {
		assert_int_equal(cs[i]->status, i == 3 ? 400 : 202);
		conn_free(cs[i]);
	}
	http_server_stats(f->srv, &st1);
	assert_int_equal(store_count_metrics(f->store), before + 5);
	/* Five accepted requests in fewer commits than requests. */
	assert_true(st1.batches - st0.batches < 5);
	assert_true(st1.batch_max_requests >= 2);
	assert_int_equal(f->committed_calls - calls, st1.batches - st0.batches);
	assert_int_equal(st1.requests[1] - st0.requests[1], 5);	/* 202 */
	assert_int_equal(http_server_pending(f->srv), 0);
}

/* Idle connections (nothing sent, half a header) neither block others nor
 * stay open past the idle timeout (1 s here). */
static void
test_slow_clients(void **state)
{
	struct conn *idle, *half, *ok;
	struct timespec t0;
	char *req;
	double e1, e2;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	idle = conn_open();
	half = conn_open();
	conn_send(half, "POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-",
	    strlen("POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-"));
	ok = conn_open();
	req = build("GET", "/healthz", NULL, NULL, NULL, NULL);
	conn_send(ok, req, strlen(req));
	free(req);
	conn_wait(&ok, 1, 5);
	assert_int_equal(ok->status, 200);
	assert_false(idle->eof);
	assert_false(half->eof);

	{
		struct conn *both[2] = { idle, half };

		conn_wait(both, 2, 6);
	}
	assert_true(idle->eof);
	assert_true(half->eof);
	e1 = elapsed_since(&t0, &idle->closed_at);
	e2 = elapsed_since(&t0, &half->closed_at);
	assert_true(e1 >= 0.8 && e1 < 4.0);
	assert_true(e2 >= 0.8 && e2 < 4.0);
	assert_int_equal(idle->len, 0);	/* closed without an answer */
	conn_free(idle);
	conn_free(half);
	conn_free(ok);
}

static void
test_prometheus_metrics(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	char line[128];

	(void)f;
	c = request("GET", "/metrics", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, 200);
	assert_true(has_header(c, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(c->body, "\nroiwatch_up 1\n"));
	assert_non_null(strstr(c->body, "roiwatch_http_requests_total{code=\"202\"} "));
	assert_null(strstr(c->body, "roiwatch_http_requests_total{code=\"202\"} 0\n"));
	assert_non_null(strstr(c->body, "roiwatch_http_requests_total{code=\"401\"} "));
	assert_non_null(strstr(c->body, "roiwatch_ingest_rows_total{"));
	snprintf(line, sizeof line, "roiwatch_metrics_samples %" PRId64 "\n",
	    store_count_metrics(F->store));
	assert_non_null(strstr(c->body, line));
	assert_non_null(strstr(c->body, "roiwatch_outbox_items{status=\"pending\"} "));
	assert_non_null(strstr(c->body, "roiwatch_outbox_items{status=\"dead\"} "));
	conn_free(c);
}

/* A writer holding the database: the commit cannot start, every request of
 * the batch gets 503 + Retry-After, and a signed request may be retried. */
static void
test_store_busy_is_503(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	sqlite3 *db;
	char *h;
	const char *body = "{\"client\":\"gamma\",\"campaign\":\"busy\","
	    "\"date\":\"2026-11-20\",\"cost\":\"3.00\"}";
	int64_t before = store_count_metrics(f->store);

	assert_int_equal(sqlite3_open(f->dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 1000);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	h = signature_headers(SECRET_GAMMA, body, (int64_t)time(NULL));
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 503);
	assert_true(has_header(c, "Retry-After: "));
	conn_free(c);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 202);
	conn_free(c);
	free(h);
	assert_int_equal(store_count_metrics(f->store), before + 1);
}

/* A reload with the same address keeps the port; tokens come from the new
 * configuration at once. */
static void
test_set_config(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	char *cause = NULL;
	int port = http_server_port(f->srv);

	assert_int_equal(http_server_set_config(f->srv, f->cfg, &cause), 0);
	assert_int_equal(http_server_port(f->srv), port);
	c = request("GET", "/healthz", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, 200);
	conn_free(c);
}

/*
 * accept() failing with EMFILE pauses the listener for a second instead of
 * spinning on the readable socket; the waiting client is served afterwards.
 */
static void
test_accept_emfile_pauses(void **state)
{
	struct fixture *f = *state;
	struct http_server_stats st0, st1;
	struct rlimit saved, low;
	struct timespec t0, t1;
	struct conn *c;
	char *req;
	int fd;

	http_server_stats(f->srv, &st0);
	c = conn_open();
	req = build("GET", "/healthz", NULL, NULL, NULL, NULL);
	conn_send(c, req, strlen(req));
	free(req);

	/* No descriptor above the lowest free one may be allocated now. */
	assert_true((fd = open("/dev/null", O_RDONLY)) >= 0);
	close(fd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low = saved;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (elapsed_since(&t0, &t1) < 0.3);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);

	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.accept_pauses - st0.accept_pauses, 1);
	assert_false(c->eof);
	conn_wait(&c, 1, 5);
	assert_int_equal(c->status, 200);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(elapsed_since(&t0, &t1) >= 0.9);
	conn_free(c);
}

/* Run the loop for `secs` seconds. */
static void
pump(double secs)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		event_base_loop(F->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (elapsed_since(&t0, &t1) < secs);
}

/* Run the loop until no connection is open any more (at most 5 s). */
static void
pump_until_closed(void)
{
	struct http_server_stats st;
	int i;

	for (i = 0; i < 5000; i++) {
		http_server_stats(F->srv, &st);
		if (st.connections == 0)
			return;
		pump(0.001);
	}
	fail_msg("%" PRIu64 " connections still open", st.connections);
}

/*
 * A POST to /v1/metrics without a valid token is answered 401 from its head:
 * the body it announces is neither awaited nor kept. The same for bodies
 * where none is accepted, and for other methods.
 */
static void
test_refused_before_body(void **state)
{
	struct fixture *f = *state;
	struct http_server_stats st0, st1;
	struct timespec t0, t1;
	struct conn *c;
	char *req, pad[1000];
	size_t i;
	static const struct {
		const char *head;
		int status;
		const char *header;
	} cases[] = {
		{ "POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"
		  "Authorization: Bearer wrong-token-0123456789\r\n"
		  "Content-Type: text/csv\r\nContent-Length: 8000\r\n\r\n",
		  401, "WWW-Authenticate: Bearer" },
		{ "POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"
		  "Content-Type: text/csv\r\nContent-Length: 8000\r\n\r\n",
		  401, "WWW-Authenticate: Bearer" },
		{ "POST /healthz HTTP/1.1\r\nHost: x\r\n"
		  "Content-Length: 8000\r\n\r\n", 405, "Allow: GET" },
		{ "POST /nowhere HTTP/1.1\r\nHost: x\r\n"
		  "Content-Length: 8000\r\n\r\n", 404, "Connection: close" },
		{ "GET /healthz HTTP/1.1\r\nHost: x\r\n"
		  "Content-Length: 8000\r\n\r\n", 400, "Connection: close" },
		{ "PUT /v1/metrics HTTP/1.1\r\nHost: x\r\n"
		  "Content-Length: 8000\r\n\r\n", 501, "Connection: close" },
		{ "POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"
		  "Authorization: Bearer " TOKEN_ALPHA "\r\n"
		  "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		  400, "Connection: close" },
	};

	http_server_stats(f->srv, &st0);
	memset(pad, 'x', sizeof pad);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		c = conn_open();
		conn_send(c, cases[i].head, strlen(cases[i].head));
		conn_send(c, pad, sizeof pad);	/* of 8000 */
		conn_wait(&c, 1, 5);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (c->status != cases[i].status)
			fail_msg("case %zu: status %d, not %d", i, c->status,
			    cases[i].status);
		assert_true(has_header(c, cases[i].header));
		assert_true(has_header(c, "Content-Type: application/json"));
		assert_true(elapsed_since(&t0, &t1) < 0.9);	/* no timeout */
		conn_free(c);
	}
	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.refused_head - st0.refused_head,
	    sizeof cases / sizeof cases[0]);
	assert_int_equal(st1.requests[3] - st0.requests[3], 2);	/* 401 */

	/* The same connection's next request is not read: it was closed. */
	c = conn_open();
	req = build("GET", "/healthz", NULL, NULL, NULL, NULL);
	conn_send(c, cases[0].head, strlen(cases[0].head));
	conn_send(c, req, strlen(req));
	free(req);
	conn_wait(&c, 1, 5);
	assert_int_equal(c->status, 401);
	assert_null(strstr(c->buf, "200 OK"));
	conn_free(c);
	pump_until_closed();
}

/* Over http_max_connections_per_peer or http_max_connections, a connection
 * is answered 503 with Retry-After at once, and counted. */
static void
test_connection_caps(void **state)
{
	struct fixture *f = *state;
	struct http_server_stats st0, st1;
	int64_t per = f->cfg->http_max_connections_per_peer;
	int64_t all = f->cfg->http_max_connections;
	struct conn *idle[2], *c;
	struct timespec t0, t1;

	pump_until_closed();
	http_server_stats(f->srv, &st0);
	f->cfg->http_max_connections_per_peer = 2;
	idle[0] = conn_open();
	idle[1] = conn_open();
	pump(0.1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = request("GET", "/healthz", NULL, NULL, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(c->status, 503);
	assert_true(has_header(c, "Retry-After: 1"));
	assert_true(elapsed_since(&t0, &t1) < 0.5);
	conn_free(c);
	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.refused_peer - st0.refused_peer, 1);
	assert_int_equal(st1.connections, 2);
	conn_free(idle[0]);
	conn_free(idle[1]);
	pump_until_closed();
	c = request("GET", "/healthz", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, 200);
	conn_free(c);

	f->cfg->http_max_connections_per_peer = per;
	f->cfg->http_max_connections = 1;
	idle[0] = conn_open();
	pump(0.1);
	c = request("GET", "/healthz", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, 503);
	conn_free(c);
	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.refused_connections - st0.refused_connections, 1);
	conn_free(idle[0]);
	f->cfg->http_max_connections = all;
	pump_until_closed();
}

/* Send one byte of s every `every` seconds until the server closes or
 * `secs` passed. */
static void
trickle(struct conn *c, const char *s, double every, double secs)
{
	struct timespec t0, t1, last;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	while (!c->eof) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (elapsed_since(&t0, &t1) > secs)
			break;
		if (*s != '\0' && elapsed_since(&last, &t1) >= every) {
			if (write(c->fd, s++, 1) != 1)
				break;
			last = t1;
		}
		pump(0.01);
	}
	conn_wait(&c, 1, 1);
}

/*
 * A client trickling its request (a byte a quarter second: never idle for
 * http_idle_timeout_secs) is closed by the request deadline, in the head or
 * in the body, with 408.
 */
static void
test_request_deadline(void **state)
{
	struct fixture *f = *state;
	struct http_server_stats st0, st1;
	int64_t saved = f->cfg->http_request_timeout_secs;
	struct timespec t0;
	struct conn *c;
	char *req;
	double e;

	f->cfg->http_request_timeout_secs = 2;
	http_server_stats(f->srv, &st0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = conn_open();
	trickle(c, "POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: text/csv\r\nContent-Length: 10\r\n\r\n", 0.25, 6);
	e = elapsed_since(&t0, &c->closed_at);
	assert_true(c->eof);
	assert_true(e >= 1.8 && e < 3.5);
	assert_int_equal(c->status, 408);
	conn_free(c);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = conn_open();
	xasprintf(&req, "POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: text/csv\r\n"
	    "Content-Length: 400\r\n\r\n", TOKEN_ALPHA);
	conn_send(c, req, strlen(req));
	free(req);
	trickle(c, "client,campaign,date,cost\nalpha,slow,2026-11-01,1\n"
	    "alpha,slow,2026-11-02,1\nalpha,slow,2026-11-03,1\n", 0.25, 6);
	e = elapsed_since(&t0, &c->closed_at);
	assert_true(c->eof);
	assert_true(e >= 1.8 && e < 3.5);
	assert_int_equal(c->status, 408);
	conn_free(c);

	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.deadline_closes - st0.deadline_closes, 2);
	f->cfg->http_request_timeout_secs = saved;
	pump_until_closed();
	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.inflight_bytes, 0);
}

/* Bodies announced by admitted requests not yet answered stay under
 * http_max_inflight_bytes: one more is answered 503 before its body. */
static void
test_inflight_bound(void **state)
{
	struct fixture *f = *state;
	struct http_server_stats st0, st1;
	int64_t saved = f->cfg->http_max_inflight_bytes;
	struct conn *a, *b;
	char *head, body[5001];
	const char *json = "{\"client\":\"alpha\",\"campaign\":\"inflight\","
	    "\"date\":\"2026-11-20\",\"cost\":\"2.00\"}";

	f->cfg->http_max_inflight_bytes = 6000;
	http_server_stats(f->srv, &st0);
	memset(body, ' ', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	memcpy(body, json, strlen(json));

	a = conn_open();
	xasprintf(&head, "POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	    "Connection: close\r\nContent-Length: 5000\r\n\r\n", TOKEN_ALPHA);
	conn_send(a, head, strlen(head));
	pump(0.1);
	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.inflight_bytes, 5000);

	b = request("POST", "/v1/metrics", TOKEN_ALPHA, "application/json",
	    NULL, body + 3000);	/* 2000 bytes */
	assert_int_equal(b->status, 503);
	assert_true(has_header(b, "Retry-After: 1"));
	conn_free(b);

	conn_send(a, body, 5000);
	conn_wait(&a, 1, 5);
	assert_int_equal(a->status, 202);
	conn_free(a);
	free(head);
	pump_until_closed();
	http_server_stats(f->srv, &st1);
	assert_int_equal(st1.inflight_bytes, 0);
	assert_int_equal(st1.refused_inflight - st0.refused_inflight, 1);
	f->cfg->http_max_inflight_bytes = saved;
}

/* Two identical signed requests in one group commit: only one passes. */
static void
test_replay_in_one_batch(void **state)
{
	struct fixture *f = *state;
	struct conn *cs[2];
	char *h, *req;
	const char *body = "{\"client\":\"gamma\",\"campaign\":\"twice\","
	    "\"date\":\"2026-11-20\",\"cost\":\"5.00\"}";
	int64_t before = store_count_metrics(f->store);
	int i, ok = 0, replay = 0;

	h = signature_headers(SECRET_GAMMA, body, (int64_t)time(NULL));
	req = build("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	for (i = 0; i < 2; i++) {
		cs[i] = conn_open();
		conn_send(cs[i], req, strlen(req));
	}
	conn_wait(cs, 2, 10);
	for (i = 0; i < 2; i++) {
		ok += cs[i]->status == 202;
		replay += cs[i]->status == 409;
		conn_free(cs[i]);
	}
	free(req);
	free(h);
	assert_int_equal(ok, 1);
	assert_int_equal(replay, 1);
	assert_int_equal(store_count_metrics(f->store), before + 1);
}

/* The signatures seen are in the store: a new listener (a restarted daemon)
 * still refuses a replay. */
static void
test_replay_after_restart(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	char *h, *cause = NULL;
	const char *body = "{\"client\":\"gamma\",\"campaign\":\"restart\","
	    "\"date\":\"2026-11-20\",\"cost\":\"9.00\"}";

	h = signature_headers(SECRET_GAMMA, body, (int64_t)time(NULL) - 20);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 202);
	conn_free(c);

	http_server_free(f->srv);
	f->srv = http_server_new(f->base, f->store, f->cfg, committed_cb, f,
	    &cause);
	if (f->srv == NULL)
		fail_msg("http_server_new: %s", cause);
	c = request("POST", "/v1/metrics", TOKEN_GAMMA, "application/json", h,
	    body);
	assert_int_equal(c->status, 409);
	assert_non_null(strstr(c->body, "replayed"));
	conn_free(c);
	free(h);
	assert_int_equal(totals("gamma", "restart").cost, 9 * MICROS_PER_UNIT);
}

static void
put_alert(const char *client, const char *subject, const char *rule,
    enum alert_state state, int told)
{
	struct alert_key k = { client, RULE_SCOPE_CAMPAIGN, subject, rule };
	struct alert_row r;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	rules_status_init(&r.st, 1000);
	r.st.state = state;
	r.st.told = told;
	r.win_from = INT32_MIN;
	r.win_to = INT32_MAX;
	if (store_alert_put(F->store, &k, &r, &cause) != 0)
		fail_msg("store_alert_put: %s", cause);
}

static cJSON *
health_check(cJSON *doc, const char *name)
{
	cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(doc, "checks"))
		if (strcmp(cJSON_GetObjectItem(it, "name")->valuestring,
		    name) == 0)
			return it;
	return NULL;
}

/* The /healthz answer, parsed; its check `name` in *check. */
static cJSON *
health(int want_status, const char *want, const char *name, cJSON **check)
{
	struct conn *c;
	cJSON *doc;

	c = request("GET", "/healthz", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, want_status);
	assert_non_null(doc = cJSON_Parse(c->body));
	conn_free(c);
	assert_string_equal(cJSON_GetObjectItem(doc, "status")->valuestring,
	    want);
	assert_non_null(*check = health_check(doc, name));
	return doc;
}

static int hook_broken;

static void
health_hook(void *arg, struct http_health *h)
{
	(void)arg;
	http_health_add(h, "test", !hook_broken, hook_broken ? "broken" : NULL);
}

/*
 * /metrics counts the alert states that are not ok per client, rule, scope
 * and state, and the outbox's pending items and oldest age per receiver,
 * label values escaped; /healthz names the receivers of stuck items and the
 * failed checks of the hook. Both reuse what they read for a while.
 */
static void
test_health_and_store_gauges(void **state)
{
	struct fixture *f = *state;
	struct conn *c;
	cJSON *doc, *chk;
	sqlite3 *db;
	char *cause = NULL, *p;
	int64_t now = (int64_t)time(NULL);
	long age;

	http_server_set_store_cache(f->srv, 0);
	assert_int_equal(store_begin(f->store, &cause), 0);
	assert_true(store_outbox_add(f->store, "alpha", "we\"ird\\rx\n", "{}",
	    now - 2000, &cause) > 0);
	assert_true(store_outbox_add(f->store, "alpha", "box", "{}", now,
	    &cause) > 0);
	put_alert("alpha", "c1", "roi_low", ALERT_FIRING, 1);
	put_alert("alpha", "c2", "roi_low", ALERT_FIRING, 1);
	/* ok, among the open states (its receivers are told it ended). */
	put_alert("alpha", "c3", "roi_low", ALERT_OK, 1);
	put_alert("alpha", "c4", "roi_low", ALERT_OK, 0);
	put_alert("beta", "c1", "cpa_high", ALERT_PENDING, 0);
	assert_int_equal(store_commit(f->store, &cause), 0);

	c = request("GET", "/metrics", NULL, NULL, NULL, NULL);
	assert_int_equal(c->status, 200);
	assert_non_null(strstr(c->body, "# TYPE roiwatch_alerts gauge\n"));
	assert_non_null(strstr(c->body, "\nroiwatch_alerts{client=\"alpha\","
	    "rule=\"roi_low\",scope=\"campaign\",state=\"firing\"} 2\n"));
	assert_non_null(strstr(c->body, "\nroiwatch_alerts{client=\"beta\","
	    "rule=\"cpa_high\",scope=\"campaign\",state=\"pending\"} 1\n"));
	assert_null(strstr(c->body, "state=\"ok\""));
	assert_non_null(strstr(c->body, "\nroiwatch_outbox_pending{client="
	    "\"alpha\",receiver=\"we\\\"ird\\\\rx\\n\"} 1\n"));
	assert_non_null(strstr(c->body, "\nroiwatch_outbox_pending{client="
	    "\"alpha\",receiver=\"box\"} 1\n"));
	p = strstr(c->body, "\nroiwatch_outbox_oldest_pending_seconds{client="
	    "\"alpha\",receiver=\"we\\\"ird\\\\rx\\n\"} ");
	assert_non_null(p);
	age = strtol(strchr(p, '}') + 2, NULL, 10);
	assert_true(age >= 2000 && age < 2100);
	conn_free(c);

	doc = health(200, "degraded", "outbox", &chk);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(chk, "ok")));
	assert_string_equal(cJSON_GetObjectItem(chk, "detail")->valuestring,
	    "1 item pending for more than 15 minutes (alpha/we\"ird\\rx\n)");
	cJSON_Delete(doc);

	/* Kept: a second stuck item is not seen until the cache is renewed. */
	http_server_set_store_cache(f->srv, 60000);
	doc = health(200, "degraded", "outbox", &chk);
	cJSON_Delete(doc);
	assert_int_equal(store_begin(f->store, &cause), 0);
	assert_true(store_outbox_add(f->store, "beta", "box", "{}", now - 1000,
	    &cause) > 0);
	assert_int_equal(store_commit(f->store, &cause), 0);
	doc = health(200, "degraded", "outbox", &chk);
	assert_string_equal(cJSON_GetObjectItem(chk, "detail")->valuestring,
	    "1 item pending for more than 15 minutes (alpha/we\"ird\\rx\n)");
	cJSON_Delete(doc);
	http_server_set_store_cache(f->srv, 0);
	doc = health(200, "degraded", "outbox", &chk);
	assert_string_equal(cJSON_GetObjectItem(chk, "detail")->valuestring,
	    "2 items pending for more than 15 minutes "
	    "(alpha/we\"ird\\rx\n: 1, beta/box: 1)");
	cJSON_Delete(doc);

	/* The daemon's checks, from its hook. */
	http_server_set_health_hook(f->srv, health_hook, NULL);
	hook_broken = 1;
	doc = health(200, "degraded", "test", &chk);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(chk, "ok")));
	assert_string_equal(cJSON_GetObjectItem(chk, "detail")->valuestring,
	    "broken");
	cJSON_Delete(doc);

	/* Nothing stuck any more, the hook's check passes: ok. */
	assert_int_equal(sqlite3_open(f->dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 1000);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM outbox;"
	    "DELETE FROM alert_state", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	hook_broken = 0;
	doc = health(200, "ok", "test", &chk);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(chk, "ok")));
	assert_null(cJSON_GetObjectItem(chk, "detail"));
	cJSON_Delete(doc);
	c = request("GET", "/metrics", NULL, NULL, NULL, NULL);
	assert_null(strstr(c->body, "\nroiwatch_alerts{"));
	assert_null(strstr(c->body, "\nroiwatch_outbox_pending{"));
	conn_free(c);

	/* The store unusable (here: a transaction left open on the loop's
	 * connection): failing, 503, and why; the other checks still run. */
	assert_int_equal(store_begin(f->store, &cause), 0);
	doc = health(503, "failing", "store", &chk);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(chk, "ok")));
	assert_string_equal(cJSON_GetObjectItem(chk, "detail")->valuestring,
	    "begin: a transaction is already open");
	assert_null(health_check(doc, "outbox"));
	assert_non_null(health_check(doc, "test"));
	cJSON_Delete(doc);
	store_rollback(f->store);
	doc = health(200, "ok", "store", &chk);
	cJSON_Delete(doc);

	http_server_set_health_hook(f->srv, NULL, NULL);
	http_server_set_store_cache(f->srv, 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_json_and_stores_rows),
		cmocka_unit_test(test_accepts_ndjson_and_csv),
		cmocka_unit_test(test_malformed_json_is_400),
		cmocka_unit_test(test_partial_reports_row_errors),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_routes_and_methods),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_redelivery_counts_once),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_slow_clients),
		cmocka_unit_test(test_store_busy_is_503),
		cmocka_unit_test(test_set_config),
		cmocka_unit_test(test_accept_emfile_pauses),
		cmocka_unit_test(test_prometheus_metrics),
		cmocka_unit_test(test_refused_before_body),
		cmocka_unit_test(test_connection_caps),
		cmocka_unit_test(test_request_deadline),
		cmocka_unit_test(test_inflight_bound),
		cmocka_unit_test(test_replay_in_one_batch),
		cmocka_unit_test(test_replay_after_restart),
		cmocka_unit_test(test_health_and_store_gauges),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
