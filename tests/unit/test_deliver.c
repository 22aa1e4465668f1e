/*
 * Delivery against a real store in a temporary directory and a real webhook
 * receiver (evhttp on 127.0.0.1) in the same event base: file messages written
 * atomically, signed webhook posts, retry with backoff on a 5xx, giving up
 * after retry_give_up_secs, dropping items whose receiver is gone, and items
 * interrupted by shutdown staying pending; concurrency limits per receiver,
 * client and in all, and the receiver's Retry-After setting the next attempt;
 * the outcome rules of every receiver type (deliver-internal.h: the table of
 * receiver operations), a 4xx answer ending the item at once, and the
 * attempts counted alike in the outbox row, the reason and the statistics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <netinet/in.h>

#include <curl/curl.h>
#include <dirent.h>
#include <sqlite3.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "config.h"
#include "curl-loop.h"
#include "deliver.h"
#include "deliver-internal.h"
#include "hmac.h"
#include "metric.h"
#include "notice.h"
#include "store.h"

#define SECRET	"s3cret-signing-key"

struct hook_req {
	char	path[64];
	char	idem[128];
	char	ts[32];
	char	sig[128];
	char	ctype[64];
	char	*body;
};

struct fixture {
	char			 dir[64];
	struct event_base	*base;
	struct evhttp		*http;
	int			 port;
	struct store		*store;
	struct curl_loop	*curl;
	struct deliver		*deliver;
	struct config		 cfg;
	struct client_conf	 client;
	const struct client_conf *by_id[1];	/* config_client() looks here */
	struct receiver_conf	 recv[8];
	char			 url[8][128];
	struct hook_req		 reqs[16];
	int			 nreqs;
	int			 hung;
	struct event		*poll;
	int			 want_reqs;
	time_t			 deadline;
};

static void
copy_header(struct evhttp_request *req, const char *name, char *buf,
    size_t len)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req),
	    name);

	snprintf(buf, len, "%s", v != NULL ? v : "");
}

static void
hook_cb(struct evhttp_request *req, void *arg)
{
	struct fixture	*f = arg;
	struct hook_req	*r;
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	size_t		 len = evbuffer_get_length(in);
	time_t		 t;
	char		 date[64];

	assert_true(f->nreqs < 16);
	r = &f->reqs[f->nreqs++];
	snprintf(r->path, sizeof r->path, "%s", evhttp_request_get_uri(req));
	copy_header(req, "Idempotency-Key", r->idem, sizeof r->idem);
	copy_header(req, "X-Roiwatch-Timestamp", r->ts, sizeof r->ts);
	copy_header(req, "X-Roiwatch-Signature", r->sig, sizeof r->sig);
	copy_header(req, "Content-Type", r->ctype, sizeof r->ctype);
	r->body = calloc(1, len + 1);
	evbuffer_remove(in, r->body, len);
	if (strncmp(r->path, "/hang", 5) == 0) {
		f->hung++;
		return;		/* never answered */
	}
	if (strcmp(r->path, "/fail") == 0)
		evhttp_send_reply(req, 503, "Unavailable", NULL);
	else if (strcmp(r->path, "/busy") == 0) {
		/* 429 Too Many Requests, come back in 2 minutes. */
		evhttp_add_header(out, "Retry-After", "120");
		evhttp_send_reply(req, 429, "Too Many Requests", NULL);
	} else if (strcmp(r->path, "/busy-short") == 0) {
		evhttp_add_header(out, "Retry-After", " 5 ");
		evhttp_send_reply(req, 429, "Too Many Requests", NULL);
	} else if (strcmp(r->path, "/busy-date") == 0) {
		/* 503 until a date 5 minutes ahead. */
		t = time(NULL) + 300;
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT",
		    gmtime(&t));
		evhttp_add_header(out, "Retry-After", date);
		evhttp_send_reply(req, 503, "Unavailable", NULL);
	} else if (strcmp(r->path, "/gone") == 0) {
		/* Permanent: never asked again, whatever Retry-After says. */
		evhttp_add_header(out, "Retry-After", "1");
		evhttp_send_reply(req, 404, "Not Found", NULL);
	} else if (strcmp(r->path, "/error") == 0) {
		/* Retry-After means nothing on a 500. */
		evhttp_add_header(out, "Retry-After", "120");
		evhttp_send_reply(req, 500, "Internal Server Error", NULL);
	} else
		evhttp_send_reply(req, 200, "OK", NULL);
}

static void
set_receiver(struct fixture *f, int i, const char *name,
    enum receiver_type type, const char *path, const char *secret)
{
	struct receiver_conf *r = &f->recv[i];

	memset(r, 0, sizeof *r);
	r->name = (char *)name;
	r->type = type;
	r->timeout_secs = 5;
	if (type == RECEIVER_FILE)
		r->dir = (char *)path;
	else {
		snprintf(f->url[i], sizeof f->url[i], "http://127.0.0.1:%d%s",
		    f->port, path);
		r->url = f->url[i];
	}
	r->secret = (char *)secret;
	r->from = (char *)"roiwatch <alerts@example.com>";
}

static int
setup(void **state)
{
	struct fixture			*f;
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof sin;
	static char			*to[] = { (char *)"ops@example.com" };
	char				 path[128], *cause = NULL;

	f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/roiwatch-deliver-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->base = event_base_new();
	f->http = evhttp_new(f->base);
	bs = evhttp_bind_socket_with_handle(f->http, "127.0.0.1", 0);
	assert_non_null(bs);
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &slen), 0);
	f->port = ntohs(sin.sin_port);
	evhttp_set_gencb(f->http, hook_cb, f);

	snprintf(path, sizeof path, "%s/roiwatch.db", f->dir);
	f->store = store_open(path, &cause);
	if (f->store == NULL)
		print_error("store_open: %s\n", cause);
	assert_non_null(f->store);

	set_receiver(f, 0, "mail", RECEIVER_FILE, "out/mail", NULL);
	f->recv[0].to = to;
	f->recv[0].nto = 1;
	set_receiver(f, 1, "hook", RECEIVER_WEBHOOK, "/ok", SECRET);
	set_receiver(f, 2, "bad", RECEIVER_WEBHOOK, "/fail", NULL);
	set_receiver(f, 3, "hang", RECEIVER_WEBHOOK, "/hang", NULL);
	f->client.id = (char *)"acme";
	f->client.name = (char *)"ACME";
	f->client.currency = (char *)"EUR";
	f->client.language = (char *)"en";
	f->client.timezone = (char *)"UTC";
	f->client.receivers = f->recv;
	f->client.nreceivers = 4;
	f->cfg.state_dir = f->dir;
	f->cfg.retry_initial_secs = 30;
	f->cfg.retry_max_secs = 3600;
	f->cfg.retry_give_up_secs = 86400;
	f->cfg.delivery_timeout_secs = 5;
	f->cfg.clients = &f->client;
	f->cfg.nclients = 1;
	f->by_id[0] = &f->client;
	f->cfg.by_id = f->by_id;

	f->curl = curl_loop_new(f->base);
	f->deliver = deliver_new(f->base, f->curl, f->store, &f->cfg);
	*state = f;
	return (0);
}

static void
rm_rf(const char *path)
{
	char	cmd[256];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	curl_loop_free(f->curl);
	deliver_free(f->deliver);
	store_free(f->store);
	if (f->poll != NULL)
		event_free(f->poll);
	evhttp_free(f->http);
	event_base_free(f->base);
	for (i = 0; i < f->nreqs; i++)
		free(f->reqs[i].body);
	rm_rf(f->dir);
	free(f);
	return (0);
}

static char *
payload(void)
{
	struct notice		*n;
	struct notice_event	 e;
	char			*s;

	n = notice_new("acme", "ACME", "EUR", "en", "UTC", time(NULL));
	memset(&e, 0, sizeof e);
	snprintf(e.campaign, sizeof e.campaign, "Brand search");
	snprintf(e.channel, sizeof e.channel, "google");
	e.kind = ALERT_ROI_LOW;
	e.action = RULE_FIRE;
	e.totals.cost = 25750 * 1000000LL;
	e.totals.revenue = 87000 * 1000000LL;
	e.totals.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	e.totals.samples = 1;
	kpi_totals_assume_complete(&e.totals);	/* one complete sample */
	e.min_roi_ppm = 2500000;
	notice_add_event(n, &e);
	s = notice_to_json(n);
	notice_free(n);
	return (s);
}

static int64_t
add_item(struct fixture *f, const char *receiver, int64_t created)
{
	char	*p = payload(), *cause = NULL;
	int64_t	 id;

	id = store_outbox_add(f->store, "acme", receiver, p, created, &cause);
	if (id < 0)
		print_error("store_outbox_add: %s\n", cause);
	assert_true(id > 0);
	free(p);
	return (id);
}

static void
counts(struct fixture *f, int64_t pending, int64_t done, int64_t dead)
{
	int64_t	p = -1, d = -1, x = -1;

	assert_int_equal(store_outbox_counts(f->store, &p, &d, &x), 0);
	assert_int_equal(p, pending);
	assert_int_equal(d, done);
	assert_int_equal(x, dead);
}

/* Stop the loop once nothing is in flight and the server saw enough. */
static void
poll_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct fixture	*f = arg;
	struct timeval	 tv = { 0, 10000 };

	(void)fd;
	(void)kind;
	if ((f->nreqs >= f->want_reqs && deliver_inflight(f->deliver) == 0 &&
	    f->hung == 0) || (f->hung > 0 && deliver_inflight(f->deliver) > 0) ||
	    time(NULL) > f->deadline) {
		event_base_loopbreak(f->base);
		return;
	}
	evtimer_add(f->poll, &tv);
}

static void
run(struct fixture *f, int want_reqs)
{
	struct timeval	tv = { 0, 10000 };

	f->want_reqs = want_reqs;
	f->deadline = time(NULL) + 10;
	if (f->poll == NULL)
		f->poll = evtimer_new(f->base, poll_cb, f);
	evtimer_add(f->poll, &tv);
	deliver_kick(f->deliver);
	event_base_dispatch(f->base);
	assert_true(time(NULL) <= f->deadline);
}

/* The single pending item (attempts, last error). */
static void
pending_item(struct fixture *f, int64_t *attempts, int64_t *next_at,
    char *err, size_t len)
{
	struct outbox_item	*items;
	char			*cause = NULL;
	int			 n;

	n = store_outbox_due(f->store, INT64_MAX / 2, 10, &items, &cause);
	assert_int_equal(n, 1);
	*attempts = items[0].attempts;
	*next_at = items[0].next_at;
	snprintf(err, len, "%s", items[0].last_error != NULL ?
	    items[0].last_error : "");
	store_outbox_items_free(items, n);
}

static void
test_file(void **state)
{
	struct fixture	*f = *state;
	struct stat	 sb;
	struct dirent	*de;
	DIR		*dp;
	char		 path[256], buf[8192], want[256], *p;
	int64_t		 id, created = time(NULL) - 5;
	FILE		*fp;
	size_t		 n;
	int		 files = 0;

	id = add_item(f, "mail", created);
	run(f, 0);
	counts(f, 0, 1, 0);

	snprintf(path, sizeof path, "%s/out/mail", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof path, "%s/out", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	snprintf(path, sizeof path, "%s/out/mail/%lld-%lld.eml", f->dir,
	    (long long)created, (long long)id);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(buf, "To: ops@example.com\r\n"));
	assert_non_null(strstr(buf, "Message-ID: <rw-acme-"));
	assert_non_null(strstr(buf, "@example.com>\r\n"));
	/* The same key for the receiving side to deduplicate on. */
	p = strstr(buf, "Message-ID: <") + 13;
	snprintf(want, sizeof want, "X-Roiwatch-Idempotency-Key: %.*s\r\n",
	    (int)strcspn(p, "@"), p);
	assert_non_null(strstr(buf, want));
	assert_int_equal(strncmp(want + 28, "rw-acme-", 8), 0);
	assert_non_null(strstr(buf, "237.86%"));

	/* No temporary file left behind. */
	snprintf(path, sizeof path, "%s/out/mail", f->dir);
	dp = opendir(path);
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] != '.')
			files++;
		else
			assert_true(strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0);
	}
	closedir(dp);
	assert_int_equal(files, 1);
}

static void
test_webhook(void **state)
{
	struct fixture	*f = *state;
	struct hook_req	*r;
	uint8_t		 mac[SHA256_DIGEST_LEN];
	char		 hex[SHA256_HEX_LEN], want[80], *text, err[256];
	int64_t		 attempts, next_at, now;

	add_item(f, "hook", time(NULL));
	add_item(f, "bad", time(NULL));
	now = time(NULL);
	run(f, 2);
	assert_int_equal(f->nreqs, 2);
	counts(f, 1, 1, 0);

	r = strcmp(f->reqs[0].path, "/ok") == 0 ? &f->reqs[0] : &f->reqs[1];
	assert_string_equal(r->path, "/ok");
	assert_string_equal(r->ctype, "application/json");
	assert_true(strncmp(r->idem, "rw-acme-", 8) == 0);
	assert_non_null(strstr(r->body, r->idem));
	assert_non_null(strstr(r->body, "\"roi_percent\":237.86"));
	assert_true(r->ts[0] != '\0');
	if (asprintf(&text, "%s.%s", r->ts, r->body) < 0)
		fail();
	hmac_sha256(SECRET, strlen(SECRET), text, strlen(text), mac);
	free(text);
	snprintf(want, sizeof want, "sha256=%s", hmac_hex(mac, hex));
	assert_string_equal(r->sig, want);

	/* The unsigned one failed with 503 and is retried after 30 s. */
	r = r == &f->reqs[0] ? &f->reqs[1] : &f->reqs[0];
	assert_string_equal(r->path, "/fail");
	assert_string_equal(r->sig, "");
	pending_item(f, &attempts, &next_at, err, sizeof err);
	assert_int_equal(attempts, 1);
	assert_true(next_at >= now + 30 && next_at <= time(NULL) + 30);
	assert_string_equal(err, "HTTP 503 Unavailable");
}

/* The attempts and last error of a finished (done or dead) item. */
static void
finished_item(struct fixture *f, int64_t id, const char *status,
    int64_t *attempts, char *err, size_t len)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 path[128];
	const char	*e;

	snprintf(path, sizeof path, "%s/roiwatch.db", f->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT status, attempts,"
	    " last_error FROM outbox WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), status);
	*attempts = sqlite3_column_int64(st, 1);
	e = (const char *)sqlite3_column_text(st, 2);
	snprintf(err, len, "%s", e != NULL ? e : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
test_give_up(void **state)
{
	struct fixture		*f = *state;
	struct deliver_stats	 st;
	int64_t			 id, attempts;
	char			 err[256];

	id = add_item(f, "bad", time(NULL) - 86400 - 60);
	run(f, 1);
	counts(f, 0, 0, 1);
	/* The attempt that gave up is counted like the others, in the row,
	 * in its reason and in the statistics. */
	finished_item(f, id, "dead", &attempts, err, sizeof err);
	assert_int_equal(attempts, 1);
	assert_string_equal(err, "HTTP 503 Unavailable (given up after 1"
	    " attempt)");
	deliver_get_stats(f->deliver, &st);
	assert_int_equal(st.attempts_delivered, 0);
	assert_int_equal(st.attempts_retry, 0);
	assert_int_equal(st.attempts_dead, 1);
}

/*
 * A 404 is final: the item is dead after its first attempt, with the
 * status in its reason, even though the answer carried a Retry-After. A
 * delivered item counts its attempt too.
 */
static void
test_permanent(void **state)
{
	struct fixture		*f = *state;
	struct deliver_stats	 st;
	int64_t			 gone, ok, attempts;
	char			 err[256];

	set_receiver(f, 4, "gone", RECEIVER_WEBHOOK, "/gone", NULL);
	f->client.nreceivers = 5;
	gone = add_item(f, "gone", time(NULL));
	ok = add_item(f, "hook", time(NULL));
	run(f, 2);
	assert_int_equal(f->nreqs, 2);
	counts(f, 0, 1, 1);
	finished_item(f, gone, "dead", &attempts, err, sizeof err);
	assert_int_equal(attempts, 1);
	assert_string_equal(err, "HTTP 404 Not Found (permanent failure,"
	    " after 1 attempt)");
	finished_item(f, ok, "done", &attempts, err, sizeof err);
	assert_int_equal(attempts, 1);
	deliver_get_stats(f->deliver, &st);
	assert_int_equal(st.attempts_delivered, 1);
	assert_int_equal(st.attempts_retry, 0);
	assert_int_equal(st.attempts_dead, 1);
}

/* One row of the outcome table: what a sender saw, what follows. */
struct classify_case {
	int		 ok;
	long		 status;
	const char	*error;
	const char	*retry_after;
	const char	*status_text;
	enum deliver_verdict verdict;
	int64_t		 secs;
	const char	*reason;	/* NULL when delivered */
};

static void
classify_table(const struct receiver_ops *ops,
    const struct classify_case *c, size_t n, int64_t now)
{
	struct deliver_result	 res;
	struct deliver_outcome	 out;
	size_t			 i;

	for (i = 0; i < n; i++) {
		memset(&res, 0, sizeof res);
		res.ok = c[i].ok;
		res.status = c[i].status;
		res.error = c[i].error;
		res.retry_after = c[i].retry_after != NULL ?
		    c[i].retry_after : "";
		res.status_text = c[i].status_text != NULL ?
		    c[i].status_text : "";
		memset(&out, 0xa5, sizeof out);
		ops->classify(&res, now, &out);
		if (out.verdict != c[i].verdict || out.retry_after !=
		    c[i].secs || (c[i].reason != NULL &&
		    strcmp(out.reason, c[i].reason) != 0))
			fail_msg("%s row %zu (status %ld): verdict %d, "
			    "retry_after %lld, reason \"%.*s\"", ops->name, i,
			    c[i].status, (int)out.verdict,
			    (long long)out.retry_after,
			    (int)sizeof out.reason, out.reason);
	}
}

/*
 * The HTTP rules, once for every HTTP receiver: 2xx delivered; 429 and 503
 * wait what Retry-After asks (seconds or any of the three date forms, capped,
 * a past date meaning at once, an unreadable one left to the backoff); other
 * 4xx (and redirects, never followed) permanent; 5xx and transfers that did
 * not complete retried with backoff.
 */
static void
test_classify_http(void **state)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT */
	const int64_t		 now = 784111777;
	const struct classify_case c[] = {
		{ 1, 200, NULL, "", "OK", DELIVER_DELIVERED, -1, NULL },
		{ 1, 202, NULL, "", "", DELIVER_DELIVERED, -1, NULL },
		{ 1, 204, NULL, "120", "No Content", DELIVER_DELIVERED, -1,
		  NULL },
		{ 1, 299, NULL, "", "", DELIVER_DELIVERED, -1, NULL },
		{ 1, 301, NULL, "", "Moved Permanently", DELIVER_PERMANENT, -1,
		  "HTTP 301 Moved Permanently (redirects are not followed)" },
		{ 1, 307, NULL, "", "", DELIVER_PERMANENT, -1,
		  "HTTP 307 (redirects are not followed)" },
		{ 1, 400, NULL, "", "Bad Request", DELIVER_PERMANENT, -1,
		  "HTTP 400 Bad Request" },
		{ 1, 401, NULL, "", "Unauthorized", DELIVER_PERMANENT, -1,
		  "HTTP 401 Unauthorized" },
		{ 1, 403, NULL, "", "", DELIVER_PERMANENT, -1, "HTTP 403" },
		{ 1, 404, NULL, "60", "Not Found", DELIVER_PERMANENT, -1,
		  "HTTP 404 Not Found" },
		{ 1, 410, NULL, "", "Gone", DELIVER_PERMANENT, -1,
		  "HTTP 410 Gone" },
		{ 1, 413, NULL, "", "", DELIVER_PERMANENT, -1, "HTTP 413" },
		{ 1, 422, NULL, "", "", DELIVER_PERMANENT, -1, "HTTP 422" },
		{ 1, 499, NULL, "", "", DELIVER_PERMANENT, -1, "HTTP 499" },
		{ 1, 429, NULL, "120", "Too Many Requests", DELIVER_RETRY, 120,
		  "HTTP 429 Too Many Requests" },
		{ 1, 429, NULL, " 7 ", "", DELIVER_RETRY, 7, "HTTP 429" },
		{ 1, 429, NULL, "0", "", DELIVER_RETRY, 0, "HTTP 429" },
		{ 1, 429, NULL, "", "", DELIVER_RETRY, -1, "HTTP 429" },
		{ 1, 429, NULL, "soon", "", DELIVER_RETRY, -1, "HTTP 429" },
		{ 1, 429, NULL, "-5", "", DELIVER_RETRY, -1, "HTTP 429" },
		{ 1, 429, NULL, "Sun, 06 Nov 1994 08:51:37 GMT", "",
		  DELIVER_RETRY, 120, "HTTP 429" },
		{ 1, 429, NULL, "Sunday, 06-Nov-94 08:51:37 GMT", "",
		  DELIVER_RETRY, 120, "HTTP 429" },
		{ 1, 429, NULL, "Sun Nov  6 08:51:37 1994", "",
		  DELIVER_RETRY, 120, "HTTP 429" },
		{ 1, 503, NULL, "Sun, 06 Nov 1994 08:00:00 GMT",
		  "Service Unavailable", DELIVER_RETRY, 0,
		  "HTTP 503 Service Unavailable" },
		{ 1, 503, NULL, "99999999", "", DELIVER_RETRY,
		  BACKOFF_RETRY_AFTER_MAX, "HTTP 503" },
		{ 1, 503, NULL, "", "", DELIVER_RETRY, -1, "HTTP 503" },
		{ 1, 500, NULL, "120", "Internal Server Error", DELIVER_RETRY,
		  -1, "HTTP 500 Internal Server Error" },
		{ 1, 502, NULL, "", "Bad Gateway", DELIVER_RETRY, -1,
		  "HTTP 502 Bad Gateway" },
		{ 1, 504, NULL, "", "", DELIVER_RETRY, -1, "HTTP 504" },
		{ 1, 599, NULL, "", "", DELIVER_RETRY, -1, "HTTP 599" },
		{ 1, 0, NULL, "", "", DELIVER_RETRY, -1, NULL },
		{ 0, 0, "Failed to connect to 127.0.0.1 port 9: Connection"
		  " refused", "", "", DELIVER_RETRY, -1, "Failed to connect to"
		  " 127.0.0.1 port 9: Connection refused" },
		{ 0, 0, "Operation timed out after 5000 milliseconds", "", "",
		  DELIVER_RETRY, -1, "Operation timed out after 5000"
		  " milliseconds" },
		{ 0, 0, NULL, "", "", DELIVER_RETRY, -1, "transfer failed" },
	};

	(void)state;
	classify_table(deliver_receiver_ops(RECEIVER_WEBHOOK), c,
	    sizeof c / sizeof c[0], now);
}

/*
 * SMTP: delivered on a 2xx reply to the end of the message; a 4xx reply
 * (to any step, curl then fails the transfer) is transient, a 5xx one
 * permanent; no reply at all (connection, TLS, timeout) is retried.
 * Retry-After means nothing here. Files: written, or retried.
 */
static void
test_classify_smtp_file(void **state)
{
	const struct classify_case smtp[] = {
		{ 1, 250, NULL, "", "", DELIVER_DELIVERED, -1, NULL },
		{ 0, 421, "Weird server reply", "120", "", DELIVER_RETRY, -1,
		  "SMTP 421: Weird server reply" },
		{ 0, 451, "Failed sending DATA", "", "", DELIVER_RETRY, -1,
		  "SMTP 451: Failed sending DATA" },
		{ 0, 452, NULL, "", "", DELIVER_RETRY, -1, "SMTP 452" },
		{ 0, 550, "RCPT failed: 550", "", "", DELIVER_PERMANENT, -1,
		  "SMTP 550: RCPT failed: 550" },
		{ 0, 535, "Login denied", "", "", DELIVER_PERMANENT, -1,
		  "SMTP 535: Login denied" },
		{ 1, 554, NULL, "", "", DELIVER_PERMANENT, -1, "SMTP 554" },
		{ 0, 220, "SSL certificate problem", "", "", DELIVER_RETRY,
		  -1, "SSL certificate problem" },
		{ 0, 0, "Couldn't connect to server", "", "", DELIVER_RETRY,
		  -1, "Couldn't connect to server" },
		{ 1, 0, NULL, "", "", DELIVER_RETRY, -1, NULL },
	};
	const struct classify_case file[] = {
		{ 1, 0, NULL, "", "", DELIVER_DELIVERED, -1, NULL },
		{ 0, 0, "mkdir /x: Permission denied", "", "", DELIVER_RETRY,
		  -1, "mkdir /x: Permission denied" },
	};

	(void)state;
	classify_table(deliver_receiver_ops(RECEIVER_SMTP), smtp,
	    sizeof smtp / sizeof smtp[0], 0);
	classify_table(deliver_receiver_ops(RECEIVER_FILE), file,
	    sizeof file / sizeof file[0], 0);
}

/* Every receiver type has its row, named as the configuration names it. */
static void
test_receiver_table(void **state)
{
	const struct receiver_ops	*ops;
	int				 t;

	(void)state;
	for (t = 0; t < RECEIVER_TYPE_MAX; t++) {
		ops = deliver_receiver_ops((enum receiver_type)t);
		assert_non_null(ops);
		assert_int_equal(ops->type, t);
		assert_string_equal(ops->name,
		    config_receiver_type_name((enum receiver_type)t));
		assert_true(ops->render != NULL || ops->render_parts != NULL);
		assert_non_null(ops->send);
		assert_non_null(ops->classify);
	}
	assert_null(deliver_receiver_ops(RECEIVER_TYPE_MAX));
}

static void
test_receiver_gone(void **state)
{
	struct fixture	*f = *state;

	add_item(f, "mail", time(NULL));
	add_item(f, "nonexistent", time(NULL));
	run(f, 0);
	counts(f, 0, 1, 1);

	/* The receiver disappears from a new configuration. */
	f->client.nreceivers = 0;
	deliver_set_config(f->deliver, &f->cfg);
	add_item(f, "mail", time(NULL));
	run(f, 0);
	counts(f, 0, 1, 2);
}

static void
test_shutdown_keeps_pending(void **state)
{
	struct fixture	*f = *state;
	int64_t		 attempts, next_at;
	char		 err[256];

	add_item(f, "hang", time(NULL));
	run(f, 1);
	assert_int_equal(f->hung, 1);
	assert_int_equal(deliver_inflight(f->deliver), 1);

	curl_loop_free(f->curl);	/* the daemon's order */
	f->curl = NULL;
	assert_int_equal(deliver_inflight(f->deliver), 0);
	counts(f, 1, 0, 0);
	pending_item(f, &attempts, &next_at, err, sizeof err);
	assert_int_equal(attempts, 0);
	assert_string_equal(err, "");
}

static void
test_free_before_curl(void **state)
{
	struct fixture	*f = *state;

	add_item(f, "hang", time(NULL));
	run(f, 1);
	assert_int_equal(deliver_inflight(f->deliver), 1);
	deliver_free(f->deliver);	/* orphans the job */
	f->deliver = NULL;
	curl_loop_free(f->curl);	/* its callback must not touch f->deliver */
	f->curl = NULL;
	counts(f, 1, 0, 0);
}

/* Stop once `cond` holds and 300 ms more passed (for what should not come). */
struct settle {
	struct fixture	*f;
	int		 want_hung, want_reqs;
	struct timeval	 until;
};

static void
settle_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct settle	*st = arg;
	struct fixture	*f = st->f;
	struct timeval	 tv = { 0, 10000 }, now;

	(void)fd;
	(void)kind;
	gettimeofday(&now, NULL);
	if (time(NULL) > f->deadline) {
		event_base_loopbreak(f->base);
		return;
	}
	if (!timerisset(&st->until) && f->hung >= st->want_hung &&
	    f->nreqs - f->hung >= st->want_reqs) {
		st->until = now;
		st->until.tv_usec += 300000;
		if (st->until.tv_usec >= 1000000) {
			st->until.tv_sec++;
			st->until.tv_usec -= 1000000;
		}
	}
	if (timerisset(&st->until) && timercmp(&now, &st->until, >)) {
		event_base_loopbreak(f->base);
		return;
	}
	evtimer_add(f->poll, &tv);
}

/* Run until `hung` requests hang and `reqs` others were answered, then a bit. */
static void
settle(struct fixture *f, int hung, int reqs)
{
	struct settle	st;
	struct timeval	tv = { 0, 10000 };

	memset(&st, 0, sizeof st);
	st.f = f;
	st.want_hung = hung;
	st.want_reqs = reqs;
	f->deadline = time(NULL) + 10;
	if (f->poll != NULL)
		event_free(f->poll);
	f->poll = evtimer_new(f->base, settle_cb, &st);
	evtimer_add(f->poll, &tv);
	deliver_kick(f->deliver);
	event_base_dispatch(f->base);
	event_free(f->poll);
	f->poll = NULL;
	assert_true(time(NULL) <= f->deadline);
}

/*
 * A receiver that hangs with ten items due holds 4 slots (its limit), not
 * all 32: the next receiver's item, queued after them, goes out at once.
 */
static void
test_fair(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	f->cfg.delivery_max_in_flight = 32;
	f->cfg.delivery_max_in_flight_per_client = 8;
	f->cfg.delivery_max_in_flight_per_receiver = 4;
	for (i = 0; i < 10; i++)
		add_item(f, "hang", time(NULL) - 100 + i);
	add_item(f, "hook", time(NULL));
	settle(f, 4, 1);
	assert_int_equal(f->hung, 4);
	assert_int_equal(f->nreqs, 5);
	assert_int_equal(deliver_inflight(f->deliver), 4);
	counts(f, 10, 1, 0);
}

/*
 * The other limits: a receiver's own max_in_flight, the client's share over
 * its receivers, and the global one.
 */
static void
test_limits(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	set_receiver(f, 4, "hang2", RECEIVER_WEBHOOK, "/hang2", NULL);
	f->client.nreceivers = 5;
	f->recv[3].max_in_flight = 2;		/* hang: 2 */
	f->cfg.delivery_max_in_flight_per_receiver = 4;	/* hang2: 4 */
	f->cfg.delivery_max_in_flight_per_client = 3;
	for (i = 0; i < 5; i++) {
		add_item(f, "hang", time(NULL) - 100 + i);
		add_item(f, "hang2", time(NULL) - 100 + i);
	}
	add_item(f, "hook", time(NULL));
	/* hang 2, hang2 1: the client's 3; its third receiver waits. */
	settle(f, 3, 0);
	assert_int_equal(f->hung, 3);
	assert_int_equal(f->nreqs, 3);
	assert_int_equal(deliver_inflight(f->deliver), 3);
	counts(f, 11, 0, 0);
	for (i = 0; i < f->nreqs; i++) {
		if (strcmp(f->reqs[i].path, "/hang2") == 0)
			break;
	}
	assert_true(i < f->nreqs);

	/* A smaller global limit wins over the others. */
	curl_loop_free(f->curl);
	deliver_free(f->deliver);
	f->hung = 0;
	f->cfg.delivery_max_in_flight = 2;
	f->cfg.delivery_max_in_flight_per_client = 8;
	f->curl = curl_loop_new(f->base);
	f->deliver = deliver_new(f->base, f->curl, f->store, &f->cfg);
	settle(f, 2, 0);
	assert_int_equal(f->hung, 2);
	assert_int_equal(deliver_inflight(f->deliver), 2);
}

/* The pending item of a receiver: attempts, next attempt, last error. */
static void
item_of(struct fixture *f, const char *receiver, int64_t *attempts,
    int64_t *next_at, char *err, size_t len)
{
	struct outbox_item	*items;
	char			*cause = NULL;
	int			 n, i;

	n = store_outbox_due(f->store, INT64_MAX / 2, 20, &items, &cause);
	for (i = 0; i < n; i++) {
		if (strcmp(items[i].receiver, receiver) == 0)
			break;
	}
	assert_true(i < n);
	*attempts = items[i].attempts;
	*next_at = items[i].next_at;
	snprintf(err, len, "%s", items[i].last_error != NULL ?
	    items[i].last_error : "");
	store_outbox_items_free(items, n);
}

/*
 * Retry-After on 429 and 503, as seconds or a date, sets the next attempt;
 * under retry_initial_secs it waits that much; on a 500 it means nothing.
 */
static void
test_retry_after(void **state)
{
	struct fixture	*f = *state;
	int64_t		 attempts, next_at, t0, t1;
	char		 err[256];

	set_receiver(f, 4, "busy", RECEIVER_WEBHOOK, "/busy", NULL);
	set_receiver(f, 5, "busy-date", RECEIVER_WEBHOOK, "/busy-date", NULL);
	set_receiver(f, 6, "busy-short", RECEIVER_WEBHOOK, "/busy-short",
	    NULL);
	set_receiver(f, 7, "error", RECEIVER_WEBHOOK, "/error", NULL);
	f->client.nreceivers = 8;
	add_item(f, "busy", time(NULL));
	add_item(f, "busy-date", time(NULL));
	add_item(f, "busy-short", time(NULL));
	add_item(f, "error", time(NULL));
	t0 = time(NULL);
	run(f, 4);
	t1 = time(NULL);
	assert_int_equal(f->nreqs, 4);
	counts(f, 4, 0, 0);

	item_of(f, "busy", &attempts, &next_at, err, sizeof err);
	assert_int_equal(attempts, 1);
	assert_true(next_at >= t0 + 120 && next_at <= t1 + 120);
	assert_string_equal(err, "HTTP 429 Too Many Requests");
	item_of(f, "busy-date", &attempts, &next_at, err, sizeof err);
	assert_true(next_at >= t0 + 300 && next_at <= t1 + 300);
	assert_string_equal(err, "HTTP 503 Unavailable");
	/* Under the first step of the backoff (30 s): 30 s. */
	item_of(f, "busy-short", &attempts, &next_at, err, sizeof err);
	assert_true(next_at >= t0 + 30 && next_at <= t1 + 30);
	item_of(f, "error", &attempts, &next_at, err, sizeof err);
	assert_true(next_at >= t0 + 30 && next_at <= t1 + 30);
	assert_string_equal(err, "HTTP 500 Internal Server Error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receiver_gone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_keeps_pending,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_before_curl, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_after, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_permanent, setup,
		    teardown),
		cmocka_unit_test(test_classify_http),
		cmocka_unit_test(test_classify_smtp_file),
		cmocka_unit_test(test_receiver_table),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return (rc);
}
