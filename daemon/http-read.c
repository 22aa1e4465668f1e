/*
 * The HTTP read endpoints, beside ingest on the same listener:
 *
 *   GET /v1/clients/{id}/kpis[?window=W&by=campaign|channel|client]
 *       the report `roiwatch kpis --json` prints (report-kpis.h): every KPI
 *       per campaign, channel or in total over a calendar window of the
 *       client (default lifetime, by campaign), exact values and the
 *       strings the table shows
 *   GET /clients/{id}/report[?period=P], GET /clients/{id}/report.json
 *       the client's report page (HTML, no script) and its JSON: the
 *       digest of period P (digest-schedule.h's forms; default the last 7
 *       days) with every campaign's alert state
 *   GET /v1/clients/{id}/alerts[?all=1]
 *       the client's alert states that are not settled (all=1: every one):
 *       rule, scope, subject, state and since, the value judged formatted
 *       with the rule's KPI, or why it was not judged, and the window
 *   GET /v1/clients/{id}/annotations[?from=DATE&to=DATE]
 *       the client's notes of what the agency did (note.h), by day; DATE
 *       YYYY-MM-DD on the client's calendar, today or yesterday
 *   POST /v1/clients/{id}/annotations
 *       adds a note (http-note.c: checked here, written on the loop)
 *
 * A client reads only its own data: the bearer token is checked as for
 * ingest (http_authenticate_value: its digest looked up, the match confirmed
 * in constant time). The operator's token (operator_token_file, compared in
 * constant time too) reads and annotates every client. No token or an
 * unknown one: 401; another client's token: 403; a client id that is not
 * configured: 404 (after the token, so that no one learns which ids exist
 * without one); a bad parameter: 400; any method but GET (and POST for
 * annotations): 405. Every answer is JSON.
 *
 * The loop only checks a request (path, method, token, client, parameters:
 * every refusal is answered at once, as before) and queues it; one worker
 * thread computes the answers, one at a time in order, through its own
 * read-only store connection (a report is one read snapshot, see
 * report_kpis_load), and hands each JSON body back through a pipe the loop
 * watches; the loop sends it. So a report of a thousand campaigns (a few
 * hundred ms) never holds ingest, judging or deliveries, and reads never
 * take the write lock. At most HTTP_READ_QUEUE_MAX reads wait behind the
 * one running; more are answered 503 with Retry-After.
 *
 * Who owns what. The loop owns the queue and every evhttp request; the
 * worker sees one job at a time (handed under the mutex, the loop does not
 * touch it until the worker says it is done) and the worker's store alone.
 * A job keeps the configuration it was checked against (its client, rules,
 * currency): a reload that replaces it hands the old one to
 * http_read_release_config, which keeps it until no job uses it.
 *
 * A held request stays valid until it is answered: evhttp frees a server
 * request only after its reply, except in evhttp_free (http_read_free
 * answers every job first: 503 for those waiting) and when the client's
 * connection fails while it waits, in which case evhttp detaches the request
 * from the connection (evhttp_request_get_connection() is NULL) and the
 * answer is dropped (the request freed, nothing sent or counted). A client
 * that closes its socket is otherwise seen when the answer is written.
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "config.h"
#include "digest.h"
#include "digest-schedule.h"
#include "http-internal.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "note.h"
#include "report-alerts.h"
#include "report-kpis.h"
#include "rules.h"
#include "store.h"
#include "window.h"
#include "xmalloc.h"

enum http_read_what {
	HTTP_READ_KPIS,
	HTTP_READ_ALERTS,
	HTTP_READ_NOTES,
	HTTP_READ_REPORT,	/* under HTTP_PATH_PAGES: the page, */
	HTTP_READ_REPORT_JSON,	/* and its report.json */
	HTTP_READ_MAX
};

static const char *http_read_names[HTTP_READ_MAX] = { "kpis", "alerts",
	"annotations", "report", "report.json" };
/* Where each is: the API's prefix or the pages'. */
static const char *http_read_prefix[HTTP_READ_MAX] = {
	HTTP_PATH_CLIENTS, HTTP_PATH_CLIENTS, HTTP_PATH_CLIENTS,
	HTTP_PATH_PAGES, HTTP_PATH_PAGES };

/*
 * One checked read request. The loop fills the first part and queues it;
 * the worker fills the second.
 */
struct http_read_job {
	TAILQ_ENTRY(http_read_job) entry;
	struct evhttp_request	*req;
	enum http_read_what	 what;
	const struct config	*cfg;		/* alive until answered */
	const struct client_conf *cc;		/* in cfg */
	struct window_spec	 spec;		/* kpis */
	enum report_by		 by;		/* kpis */
	int			 include_ok;	/* alerts: all=1 */
	int32_t			 from, to;	/* annotations, report: days */
	int64_t			 now;		/* when it was asked */

	int			 code;		/* 200, or 503: the store failed */
	char			*body;		/* the JSON (report: HTML) of a 200 */
	char			*cause;		/* why the store failed */
};
TAILQ_HEAD(http_read_list, http_read_job);

/* A configuration a reload replaced, waiting for its jobs to be answered. */
struct http_read_retired {
	struct config		*cfg;
	http_config_release_cb	 release;
	void			*arg;
};

struct http_reader {
	struct http_server	*srv;
	struct http_read_list	 queue;		/* waiting, oldest first */
	size_t			 nqueue;
	struct http_read_job	*cur;		/* handed to the worker */
	struct event		*ev_pipe;
	struct http_read_retired *retired;
	size_t			 nretired;

	/* The worker and what it shares with the loop. */
	struct store		*store;		/* the worker's alone */
	pthread_t		 thread;
	int			 started;
	int			 pipe[2];	/* worker -> loop: a job is done */
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	/* Under mtx. Only the loop sets job; it reads cur without the lock. */
	struct http_read_job	*job;
	int			 job_taken;
	int			 job_done;
	int			 stop;
};

/*
 * Split /v1/clients/{id}/{what}: the id's bytes and what is asked, or -1
 * when the path is none of ours.
 */
static int
http_read_split(const char *path, size_t len, const char **id, size_t *idlen,
    enum http_read_what *what)
{
	size_t	 plen, i, n;
	const char *p, *end = path + len, *slash;

	for (i = 0; i < HTTP_READ_MAX; i++) {
		plen = strlen(http_read_prefix[i]);
		if (len <= plen || strncmp(path, http_read_prefix[i], plen) != 0)
			continue;
		p = path + plen;
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL ||
		    slash == p)
			continue;
		n = strlen(http_read_names[i]);
		if ((size_t)(end - slash - 1) == n &&
		    memcmp(slash + 1, http_read_names[i], n) == 0) {
			*id = p;
			*idlen = (size_t)(slash - p);
			*what = (enum http_read_what)i;
			return 0;
		}
	}
	return -1;
}

int
http_read_path(const char *path, size_t len)
{
	const char *id;
	size_t	 idlen;
	enum http_read_what what;

	return http_read_split(path, len, &id, &idlen, &what) == 0;
}

int
http_read_notes_path(const char *path, size_t len)
{
	const char *id;
	size_t	 idlen;
	enum http_read_what what;

	return http_read_split(path, len, &id, &idlen, &what) == 0 &&
	    what == HTTP_READ_NOTES;
}

/* The configured client an id names, or NULL (a bad id names none). */
static const struct client_conf *
http_read_client(const struct config *cfg, const char *id, size_t len)
{
	char	 buf[METRIC_CLIENT_MAX];
	size_t	 i;

	if (len == 0 || len >= sizeof buf)
		return NULL;
	for (i = 0; i < len; i++) {
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || (i > 0 &&
		    (id[i] == '_' || id[i] == '.' || id[i] == '-'))))
			return NULL;
	}
	memcpy(buf, id, len);
	buf[len] = '\0';
	return config_client(cfg, buf);
}

/*
 * The query's parameters into q (cleared by the caller), each allowed one at
 * most once; -1 with why naming an unknown or repeated one.
 */
static int
http_read_query(struct evhttp_request *req, const char *const *allowed,
    struct evkeyvalq *q, char *why, size_t len)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyval *kv, *other;
	char	 esc[64];
	size_t	 i;

	TAILQ_INIT(q);
	if (query == NULL)
		return 0;
	if (evhttp_parse_query_str(query, q) != 0) {
		snprintf(why, len, "malformed query string");
		return -1;
	}
	TAILQ_FOREACH(kv, q, next) {
		log_escape(kv->key, strlen(kv->key), esc, sizeof esc);
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(kv->key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			snprintf(why, len, "unknown parameter \"%s\"", esc);
			return -1;
		}
		for (other = TAILQ_NEXT(kv, next); other != NULL;
		    other = TAILQ_NEXT(other, next))
			if (strcmp(other->key, kv->key) == 0) {
				snprintf(why, len, "parameter \"%s\" given "
				    "twice", esc);
				return -1;
			}
	}
	return 0;
}

static void	http_read_queue(struct http_server *, struct evhttp_request *,
		    struct http_read_job *);

static struct http_read_job *
http_read_job_new(struct http_server *srv, enum http_read_what what,
    const struct client_conf *cc)
{
	struct http_read_job *job;

	job = xcalloc(1, sizeof *job);
	job->what = what;
	job->cfg = srv->cfg;
	job->cc = cc;
	job->now = (int64_t)time(NULL);
	job->code = 503;
	return job;
}

static void
http_read_job_free(struct http_read_job *job)
{
	free(job->body);
	free(job->cause);
	free(job);
}

/* GET /v1/clients/{id}/kpis: the parameters checked, the report queued. */
static void
http_read_kpis(struct http_server *srv, struct evhttp_request *req,
    const struct client_conf *cc)
{
	static const char *const allowed[] = { "window", "by", NULL };
	struct evkeyvalq q;
	struct window_spec spec;
	struct http_read_job *job;
	enum report_by by = REPORT_BY_CAMPAIGN;
	const char *window, *bytext;
	char	 why[256], *cause = NULL;

	if (http_read_query(req, allowed, &q, why, sizeof why) != 0) {
		evhttp_clear_headers(&q);
		http_reply_error(srv, req, 400, why);
		return;
	}
	if ((window = evhttp_find_header(&q, "window")) == NULL)
		window = "lifetime";
	bytext = evhttp_find_header(&q, "by");
	if (window_parse(window, &spec, &cause) != 0 || (bytext != NULL &&
	    report_by_parse(bytext, &by, &cause) != 0)) {
		evhttp_clear_headers(&q);
		http_reply_error(srv, req, 400, cause);
		free(cause);
		return;
	}
	evhttp_clear_headers(&q);
	job = http_read_job_new(srv, HTTP_READ_KPIS, cc);
	job->spec = spec;
	job->by = by;
	http_read_queue(srv, req, job);
}

/* Worker: the report as JSON, from the worker's store. */
static void
http_read_run_kpis(struct http_reader *rd, struct http_read_job *job)
{
	struct report_kpis *r;
	cJSON	*obj;

	r = report_kpis_load(rd->store, job->cc, &job->spec, job->by,
	    job->now, &job->cause);
	if (r == NULL)
		return;
	obj = report_kpis_json(r);
	report_kpis_free(r);
	if ((job->body = cJSON_PrintUnformatted(obj)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_Delete(obj);
	job->code = 200;
}

/* GET /v1/clients/{id}/alerts: the parameter checked, the list queued. */
static void
http_read_alerts(struct http_server *srv, struct evhttp_request *req,
    const struct client_conf *cc)
{
	static const char *const allowed[] = { "all", NULL };
	struct http_read_job *job;
	struct evkeyvalq q;
	const char *all;
	char	 why[256];
	int	 include_ok = 0;

	if (http_read_query(req, allowed, &q, why, sizeof why) != 0) {
		evhttp_clear_headers(&q);
		http_reply_error(srv, req, 400, why);
		return;
	}
	if ((all = evhttp_find_header(&q, "all")) != NULL) {
		if (strcmp(all, "1") == 0 || strcmp(all, "true") == 0)
			include_ok = 1;
		else if (strcmp(all, "0") != 0 && strcmp(all, "false") != 0) {
			evhttp_clear_headers(&q);
			http_reply_error(srv, req, 400, "all: expected 1, true, "
			    "0 or false");
			return;
		}
	}
	evhttp_clear_headers(&q);
	job = http_read_job_new(srv, HTTP_READ_ALERTS, cc);
	job->include_ok = include_ok;
	http_read_queue(srv, req, job);
}

/* Worker: the client's alert states as JSON (report-alerts.c), from the
 * worker's store. */
static void
http_read_run_alerts(struct http_reader *rd, struct http_read_job *job)
{
	cJSON	*obj;

	if ((obj = report_alerts_json(rd->store, job->cc, job->include_ok,
	    &job->cause)) == NULL)
		return;
	if ((job->body = cJSON_PrintUnformatted(obj)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_Delete(obj);
	job->code = 200;
}

/* GET /v1/clients/{id}/annotations: the days checked, the list queued. */
static void
http_read_notes(struct http_server *srv, struct evhttp_request *req,
    const struct client_conf *cc)
{
	static const char *const allowed[] = { "from", "to", NULL };
	struct http_read_job *job;
	struct evkeyvalq q;
	const char *v;
	char	 why[256], *cause = NULL, a[16], b[16];
	int64_t	 now = (int64_t)time(NULL);
	int32_t	 from = INT32_MIN, to = INT32_MAX;

	if (http_read_query(req, allowed, &q, why, sizeof why) != 0) {
		evhttp_clear_headers(&q);
		http_reply_error(srv, req, 400, why);
		return;
	}
	if (((v = evhttp_find_header(&q, "from")) != NULL &&
	    note_parse_day("from", v, cc->tz, now, &from, &cause) != 0) ||
	    ((v = evhttp_find_header(&q, "to")) != NULL &&
	    note_parse_day("to", v, cc->tz, now, &to, &cause) != 0)) {
		evhttp_clear_headers(&q);
		http_reply_error(srv, req, 400, cause);
		free(cause);
		return;
	}
	evhttp_clear_headers(&q);
	if (from > to) {
		metric_format_date(from, a);
		metric_format_date(to, b);
		snprintf(why, sizeof why, "from %s is after to %s", a, b);
		http_reply_error(srv, req, 400, why);
		return;
	}
	job = http_read_job_new(srv, HTTP_READ_NOTES, cc);
	job->now = now;
	job->from = from;
	job->to = to;
	http_read_queue(srv, req, job);
}

/* Worker: the client's notes as JSON, from the worker's store. */
static void
http_read_run_notes(struct http_reader *rd, struct http_read_job *job)
{
	struct store_note *v;
	size_t	 n;
	cJSON	*obj;

	if (store_note_list(rd->store, job->cc->id, job->from, job->to, &v, &n,
	    &job->cause) != 0)
		return;
	obj = note_list_json(job->cc->id, job->from, job->to, v, n);
	store_notes_free(v, n);
	if ((job->body = cJSON_PrintUnformatted(obj)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_Delete(obj);
	job->code = 200;
}

/*
 * GET /clients/{id}/report[.json][?period=P]: the digest of period P
 * (digest_period_parse(); default the last 7 days) as the report page or
 * as report.json.
 */
static void
http_read_report(struct http_server *srv, struct evhttp_request *req,
    const struct client_conf *cc, enum http_read_what what)
{
	static const char *const allowed[] = { "period", NULL };
	struct evkeyvalq q;
	struct http_read_job *job;
	const char *period;
	char	 why[256], *cause = NULL;
	int64_t	 now = (int64_t)time(NULL);
	int32_t	 from, to;

	if (http_read_query(req, allowed, &q, why, sizeof why) != 0) {
		evhttp_clear_headers(&q);
		http_reply_error(srv, req, 400, why);
		return;
	}
	if ((period = evhttp_find_header(&q, "period")) == NULL)
		period = "last-7-days";
	if (digest_period_parse(period, cc->tz, now, &from, &to,
	    &cause) != 0) {
		evhttp_clear_headers(&q);
		http_reply_error(srv, req, 400, cause);
		free(cause);
		return;
	}
	evhttp_clear_headers(&q);
	job = http_read_job_new(srv, what, cc);
	job->now = now;
	job->from = from;
	job->to = to;
	http_read_queue(srv, req, job);
}

/* Worker: the digest of the period, from the worker's store. */
static void
http_read_run_report(struct http_reader *rd, struct http_read_job *job)
{
	struct digest	*d;
	cJSON		*obj;

	if ((d = digest_load(rd->store, job->cc, job->from, job->to, job->now,
	    &job->cause)) == NULL)
		return;
	if (digest_load_sources(d, rd->store, job->cfg, &job->cause) != 0) {
		digest_free(d);
		return;
	}
	if (job->what == HTTP_READ_REPORT)
		job->body = digest_html(d, DIGEST_HTML_PAGE);
	else {
		obj = digest_json(d);
		if ((job->body = cJSON_PrintUnformatted(obj)) == NULL)
			fatalx("%s: out of memory", __func__);
		cJSON_Delete(obj);
	}
	digest_free(d);
	job->code = 200;
}

/* Worker: tell the loop a job is done. A full pipe already says so. */
static void
http_read_notify(struct http_reader *rd)
{
	ssize_t	 n;

	do
		n = write(rd->pipe[1], "", 1);
	while (n == -1 && errno == EINTR);
}

/* The worker thread: one job at a time until told to stop. */
static void *
http_read_main(void *arg)
{
	struct http_reader *rd = arg;
	struct http_read_job *job;

	pthread_mutex_lock(&rd->mtx);
	for (;;) {
		while (!rd->stop && (rd->job == NULL || rd->job_taken))
			pthread_cond_wait(&rd->cond, &rd->mtx);
		if (rd->stop)
			break;
		job = rd->job;
		rd->job_taken = 1;
		pthread_mutex_unlock(&rd->mtx);

		if (job->what == HTTP_READ_KPIS)
			http_read_run_kpis(rd, job);
		else if (job->what == HTTP_READ_NOTES)
			http_read_run_notes(rd, job);
		else if (job->what == HTTP_READ_REPORT ||
		    job->what == HTTP_READ_REPORT_JSON)
			http_read_run_report(rd, job);
		else
			http_read_run_alerts(rd, job);

		pthread_mutex_lock(&rd->mtx);
		rd->job_done = 1;
		pthread_mutex_unlock(&rd->mtx);
		http_read_notify(rd);
		pthread_mutex_lock(&rd->mtx);
	}
	pthread_mutex_unlock(&rd->mtx);
	return NULL;
}

/* Loop: hand the oldest waiting job to the worker, if it is free. */
static void
http_read_next(struct http_reader *rd)
{
	struct http_read_job *job;

	if (rd->cur != NULL || (job = TAILQ_FIRST(&rd->queue)) == NULL)
		return;
	TAILQ_REMOVE(&rd->queue, job, entry);
	rd->nqueue--;
	rd->cur = job;
	pthread_mutex_lock(&rd->mtx);
	rd->job = job;
	rd->job_taken = rd->job_done = 0;
	pthread_cond_signal(&rd->cond);
	pthread_mutex_unlock(&rd->mtx);
}

/* Loop: queue a checked request, or refuse it when too many wait. */
static void
http_read_queue(struct http_server *srv, struct evhttp_request *req,
    struct http_read_job *job)
{
	struct http_reader *rd = srv->reader;

	if (rd->nqueue >= HTTP_READ_QUEUE_MAX) {
		log_info("http read: %d reads waiting: 503",
		    HTTP_READ_QUEUE_MAX);
		http_read_job_free(job);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "1");
		http_reply_error(srv, req, 503, "reads busy, retry later");
		return;
	}
	job->req = req;
	TAILQ_INSERT_TAIL(&rd->queue, job, entry);
	rd->nqueue++;
	http_read_next(rd);
}

/* Loop: whether a job (waiting or running) still uses cfg. */
static int
http_read_uses(const struct http_reader *rd, const struct config *cfg)
{
	const struct http_read_job *job;

	if (rd->cur != NULL && rd->cur->cfg == cfg)
		return 1;
	TAILQ_FOREACH(job, &rd->queue, entry) {
		if (job->cfg == cfg)
			return 1;
	}
	return 0;
}

/* Loop: hand on the retired configurations no job uses any more. */
static void
http_read_release_unused(struct http_reader *rd, int all)
{
	struct http_read_retired r;
	size_t	 i = 0;

	while (i < rd->nretired) {
		if (!all && http_read_uses(rd, rd->retired[i].cfg)) {
			i++;
			continue;
		}
		r = rd->retired[i];
		rd->retired[i] = rd->retired[--rd->nretired];
		r.release(r.arg, r.cfg);
	}
}

void
http_read_release_config(struct http_reader *rd, struct config *cfg,
    http_config_release_cb release, void *arg)
{
	if (rd == NULL || !http_read_uses(rd, cfg)) {
		release(arg, cfg);
		return;
	}
	log_debug("%s: the replaced configuration is kept for the reads "
	    "queued before", __func__);
	rd->retired = xreallocarray(rd->retired, rd->nretired + 1,
	    sizeof *rd->retired);
	rd->retired[rd->nretired].cfg = cfg;
	rd->retired[rd->nretired].release = release;
	rd->retired[rd->nretired].arg = arg;
	rd->nretired++;
}

/*
 * Loop: send a job's answer. A request whose connection failed while it
 * waited was detached by evhttp: it is only freed (see the top).
 */
static void
http_read_answer(struct http_reader *rd, struct http_read_job *job)
{
	struct http_server *srv = rd->srv;
	char	 idbuf[128];

	log_escape(job->cc->id, strlen(job->cc->id), idbuf, sizeof idbuf);
	if (evhttp_request_get_connection(job->req) == NULL) {
		log_debug("%s: client %s: %s: the client left, answer "
		    "dropped", __func__, idbuf, http_read_names[job->what]);
		evhttp_request_free(job->req);
		return;
	}
	if (job->code == 200) {
		/* The page fetches and runs nothing: say so to the browser,
		 * so that no injected text could make it. */
		if (job->what == HTTP_READ_REPORT)
			evhttp_add_header(evhttp_request_get_output_headers(
			    job->req), "Content-Security-Policy",
			    "default-src 'none'; style-src 'unsafe-inline'; "
			    "img-src data:; form-action 'none'; "
			    "frame-ancestors 'none'");
		http_reply(srv, job->req, 200, job->what == HTTP_READ_REPORT ?
		    "text/html; charset=utf-8" : "application/json", job->body,
		    strlen(job->body));
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(job->req),
	    "Retry-After", "1");
	if (job->cause == NULL) {
		/* Not run, or interrupted: http_read_free. */
		http_reply_error(srv, job->req, 503, "the daemon is stopping");
		return;
	}
	log_warnx("http read: client %s: %s", idbuf, job->cause);
	http_reply_error(srv, job->req, 503, "the store failed, retry later");
}

/* Loop: the worker wrote to the pipe: its job is done. */
static void
http_read_pipe_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_reader *rd = arg;
	struct http_read_job *job = NULL;
	char	 buf[64];

	(void)events;
	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&rd->mtx);
	if (rd->job != NULL && rd->job_done) {
		job = rd->job;
		rd->job = NULL;
		rd->job_taken = rd->job_done = 0;
	}
	pthread_mutex_unlock(&rd->mtx);
	if (job == NULL)
		return;
	rd->cur = NULL;
	http_read_answer(rd, job);
	http_read_job_free(job);
	http_read_release_unused(rd, 0);
	http_read_next(rd);
}

/* Start the worker with every signal blocked: signals are the loop's. */
static int
http_read_start(struct http_reader *rd, char **cause)
{
	sigset_t all, old;
	int	 error;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&rd->thread, NULL, http_read_main, rd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0) {
		xasprintf(cause, "cannot start the read worker: %s",
		    strerror(error));
		return -1;
	}
	rd->started = 1;
	return 0;
}

struct http_reader *
http_read_new(struct http_server *srv, const char *state_dir, char **cause)
{
	struct http_reader *rd;
	char	*why = NULL;

	rd = xcalloc(1, sizeof *rd);
	rd->srv = srv;
	TAILQ_INIT(&rd->queue);
	rd->pipe[0] = rd->pipe[1] = -1;
	pthread_mutex_init(&rd->mtx, NULL);
	pthread_cond_init(&rd->cond, NULL);
	if (pipe2(rd->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		http_read_free(rd);
		return NULL;
	}
	/* The worker's own connection: its reads wait for no lock, and it
	 * cannot write. */
	if ((rd->store = store_open_dir(state_dir, &why)) == NULL ||
	    store_set_read_only(rd->store, &why) != 0) {
		xasprintf(cause, "database for the read worker: %s", why);
		free(why);
		http_read_free(rd);
		return NULL;
	}
	rd->ev_pipe = event_new(srv->base, rd->pipe[0], EV_READ | EV_PERSIST,
	    http_read_pipe_cb, rd);
	if (rd->ev_pipe == NULL || event_add(rd->ev_pipe, NULL) != 0)
		fatalx("%s: event_new failed", __func__);
	if (http_read_start(rd, cause) != 0) {
		http_read_free(rd);
		return NULL;
	}
	return rd;
}

/*
 * Stop the worker (the report it is on interrupted: it fails, or ends if
 * it was past its last statement), answer its job and every waiting one
 * (503), then hand on the retired configurations.
 */
void
http_read_free(struct http_reader *rd)
{
	struct http_read_job *job;

	if (rd == NULL)
		return;
	if (rd->started) {
		pthread_mutex_lock(&rd->mtx);
		rd->stop = 1;
		if (rd->job_taken && !rd->job_done)
			store_interrupt(rd->store);
		pthread_cond_signal(&rd->cond);
		pthread_mutex_unlock(&rd->mtx);
		pthread_join(rd->thread, NULL);
	}
	if ((job = rd->cur) != NULL) {
		/* Done (an interrupted report failed), or never taken. */
		rd->cur = NULL;
		if (!rd->job_done || job->code != 200) {
			job->code = 503;
			free(job->cause);
			job->cause = NULL;
		}
		http_read_answer(rd, job);
		http_read_job_free(job);
	}
	while ((job = TAILQ_FIRST(&rd->queue)) != NULL) {
		TAILQ_REMOVE(&rd->queue, job, entry);
		http_read_answer(rd, job);	/* 503: stopping */
		http_read_job_free(job);
	}
	rd->nqueue = 0;
	http_read_release_unused(rd, 1);
	free(rd->retired);
	if (rd->ev_pipe != NULL)
		event_free(rd->ev_pipe);
	store_free(rd->store);
	if (rd->pipe[0] != -1)
		close(rd->pipe[0]);
	if (rd->pipe[1] != -1)
		close(rd->pipe[1]);
	pthread_cond_destroy(&rd->cond);
	pthread_mutex_destroy(&rd->mtx);
	free(rd);
}

/*
 * The report page in a browser: HTTP Basic authentication, the token as
 * the password (any user name), read as "Bearer TOKEN" into out, so that
 * a browser's own prompt opens the page. 0, or -1 when auth is not a
 * Basic credential that decodes (it is then read as it is).
 */
#define HTTP_READ_BASIC_MAX	512
static int
http_read_basic(const char *auth, char *out, size_t len)
{
	unsigned char	 dec[HTTP_READ_BASIC_MAX];
	const char	*b64, *colon;
	size_t		 n;
	int		 got;

	if (strncasecmp(auth, "Basic ", 6) != 0)
		return -1;
	for (b64 = auth + 6; *b64 == ' '; b64++)
		;
	n = strlen(b64);
	while (n > 0 && b64[n - 1] == ' ')
		n--;
	if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof dec - 1)
		return -1;
	if ((got = EVP_DecodeBlock(dec, (const unsigned char *)b64,
	    (int)n)) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding's bytes as zeros. */
	if (b64[n - 1] == '=')
		got--;
	if (b64[n - 2] == '=')
		got--;
	dec[got] = '\0';
	if (memchr(dec, '\0', (size_t)got) != NULL ||
	    (colon = strchr((char *)dec, ':')) == NULL ||
	    (size_t)snprintf(out, len, "Bearer %s", colon + 1) >= len) {
		explicit_bzero(dec, sizeof dec);
		return -1;
	}
	explicit_bzero(dec, sizeof dec);
	return 0;
}

void
http_read_request(struct http_server *srv, struct evhttp_request *req,
    const char *path)
{
	struct evkeyvalq *hdrs = evhttp_request_get_input_headers(req);
	const struct client_conf *cc, *tok = NULL;
	enum http_read_what what;
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	const char *id, *auth;
	char	 bearer[HTTP_READ_BASIC_MAX + 8];
	size_t	 idlen;
	int	 operator = 0, page;

	if (http_read_split(path, strlen(path), &id, &idlen, &what) != 0) {
		http_reply_error(srv, req, 404, "not found");
		return;
	}
	if (method != EVHTTP_REQ_GET && (what != HTTP_READ_NOTES ||
	    method != EVHTTP_REQ_POST)) {
		http_reply_method(srv, req, what == HTTP_READ_NOTES ?
		    "GET, POST" : "GET");
		return;
	}
	page = what == HTTP_READ_REPORT || what == HTTP_READ_REPORT_JSON;
	if ((auth = evhttp_find_header(hdrs, "Authorization")) != NULL &&
	    page && http_read_basic(auth, bearer, sizeof bearer) == 0)
		auth = bearer;
	if (auth != NULL &&
	    (tok = http_authenticate_value(srv, auth, strlen(auth))) == NULL)
		operator = http_authenticate_operator(srv, auth, strlen(auth));
	explicit_bzero(bearer, sizeof bearer);
	if (tok == NULL && !operator) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"roiwatch\"");
		/* A browser asks for the token itself. */
		if (page)
			evhttp_add_header(evhttp_request_get_output_headers(
			    req), "WWW-Authenticate", "Basic realm=\"roiwatch "
			    "report\", charset=\"UTF-8\"");
		http_reply_error(srv, req, 401, "missing or unknown bearer token");
		return;
	}
	if ((cc = http_read_client(srv->cfg, id, idlen)) == NULL) {
		http_reply_error(srv, req, 404, "no such client");
		return;
	}
	if (!operator && strcmp(cc->id, tok->id) != 0) {
		http_reply_error(srv, req, 403, "the token is another "
		    "client's");
		return;
	}
	if (what == HTTP_READ_KPIS)
		http_read_kpis(srv, req, cc);
	else if (what == HTTP_READ_ALERTS)
		http_read_alerts(srv, req, cc);
	else if (what == HTTP_READ_REPORT || what == HTTP_READ_REPORT_JSON)
		http_read_report(srv, req, cc, what);
	else if (method == EVHTTP_REQ_POST)
		http_note_post(srv, req, cc, operator);
	else
		http_read_notes(srv, req, cc);
}
