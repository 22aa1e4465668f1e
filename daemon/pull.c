/*
 * Pull sources (include/pull.h). One struct pull_source per configured pull
 * source, each with its own libevent timer; a fetch is one libcurl easy handle
 * run by the curl loop (never curl_easy_perform), owned by a struct pull_job:
 *
 *   timer -> pull_fetch: validators from the store, easy handle, curl_loop_add
 *   curl  -> pull_write_cb (body, capped at http_max_body_bytes),
 *            pull_header_cb (ETag, Last-Modified, Content-Type, Content-Length)
 *   done  -> pull_done_cb: 200 ingest + state in the same transaction, 304
 *            fresh, 3xx follow (at most PULL_MAX_REDIRECTS, http/https only,
 *            the source's headers only to the same origin), else a failure
 *            with backoff; then the timer is armed for the next fetch.
 *
 * Redirects are followed here rather than by libcurl so that headers from
 * headers_file (API keys) never reach another host. Reasons stored and logged
 * carry no secrets: no header values, no URL (its query may hold a key).
 * pull_free() and source removal orphan jobs in flight (job->src = NULL); their
 * callbacks then only release memory, so the curl loop may be freed before or
 * after the puller.
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backoff.h"
#include "config.h"
#include "curl-loop.h"
#include "ingest.h"
#include "log.h"
#include "pull.h"
#include "store.h"
#include "xmalloc.h"

#ifndef ROIWATCH_VERSION
#define ROIWATCH_VERSION "0"
#endif

#define PULL_BACKOFF_FIRST	30	/* seconds after the first failure */
#define PULL_MAX_REDIRECTS	3
#define PULL_VALIDATOR_MAX	512	/* longest ETag / Last-Modified kept */

struct pull_source;

struct pull_job {
	struct pull_source	*src;		/* NULL once orphaned */
	CURL			*easy;		/* valid until the callback returns */
	struct curl_slist	*headers;
	char			*buf;
	size_t			 len;
	size_t			 cap;
	size_t			 max;
	int			 too_big;
	char			*etag;		/* of the last response */
	char			*last_modified;
	char			*content_type;
};

struct pull_source {
	struct pull		*p;
	char			*name;
	char			*url;		/* as configured (reload compares) */
	const struct source_conf *conf;
	struct event		*timer;
	struct pull_job		*job;		/* in flight, or NULL */
	char			*redirect;	/* next hop to fetch, or NULL */
	int			 redirects;
	TAILQ_ENTRY(pull_source) entry;
};

struct pull {
	struct event_base	*base;
	struct curl_loop	*curl;
	struct store		*store;
	const struct config	*cfg;
	ingest_committed_cb	 cb;
	void			*cb_arg;
	TAILQ_HEAD(, pull_source) sources;
	struct pull_stats	 stats;
};

int64_t
pull_backoff(int64_t failures, int64_t interval)
{
	if (interval < 1)
		interval = 1;
	if (failures < 1)
		return interval;
	return backoff_delay(failures, PULL_BACKOFF_FIRST, interval);
}

int64_t
pull_delay(int64_t next_at, int64_t now, int64_t interval)
{
	if (next_at <= now)
		return 0;
	if (next_at - now > interval)
		return interval;
	return next_at - now;
}

static void
pull_arm(struct pull_source *src, int64_t secs)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(secs < 0 ? 0 : secs);
	tv.tv_usec = 0;
	evtimer_del(src->timer);
	evtimer_add(src->timer, &tv);
}

static void
pull_job_free(struct pull_job *job)
{
	curl_slist_free_all(job->headers);
	free(job->buf);
	free(job->etag);
	free(job->last_modified);
	free(job->content_type);
	free(job);
}

static int
pull_has_ctl(const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

static int
pull_is_http(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

/* Same scheme, host and port: the source's headers may go there. */
static int
pull_same_origin(const char *a, const char *b)
{
	static const CURLUPart parts[] = {
		CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT
	};
	CURLU	*ua, *ub;
	char	*pa, *pb;
	size_t	 i;
	int	 same = 1;

	ua = curl_url();
	ub = curl_url();
	if (ua == NULL || ub == NULL)
		fatalx("%s: out of memory", __func__);
	if (curl_url_set(ua, CURLUPART_URL, a, 0) != CURLUE_OK ||
	    curl_url_set(ub, CURLUPART_URL, b, 0) != CURLUE_OK)
		same = 0;
	for (i = 0; same && i < sizeof parts / sizeof parts[0]; i++) {
		pa = pb = NULL;
		if (curl_url_get(ua, parts[i], &pa, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK ||
		    curl_url_get(ub, parts[i], &pb, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK || strcasecmp(pa, pb) != 0)
			same = 0;
		curl_free(pa);
		curl_free(pb);
	}
	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return same;
}

/* Body bytes: kept up to job->max, then the transfer is aborted. */
static size_t
pull_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct pull_job	*job = arg;
	size_t		 n = size * nmemb;

	if (n > job->max - job->len) {
		job->too_big = 1;
		return 0;
	}
	if (job->len + n > job->cap) {
		job->cap = job->cap == 0 ? 16384 : job->cap;
		while (job->cap < job->len + n)
			job->cap *= 2;
		if (job->cap > job->max)
			job->cap = job->max;
		job->buf = xreallocarray(job->buf, job->cap, 1);
	}
	memcpy(job->buf + job->len, data, n);
	job->len += n;
	return n;
}

/* The value of "Name: value" when name matches, trimmed, or NULL. */
static char *
pull_header_value(const char *line, size_t len, const char *name)
{
	size_t	nl = strlen(name), start, end;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	start = nl + 1;
	end = len;
	while (start < end && (line[start] == ' ' || line[start] == '\t'))
		start++;
	while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' ||
	    line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	return xstrndup(line + start, end - start);
}

/* Keep a validator only if it can be sent back safely. */
static void
pull_keep(char **slot, char *value)
{
	free(*slot);
	*slot = NULL;
	if (value == NULL)
		return;
	if (*value == '\0' || strlen(value) > PULL_VALIDATOR_MAX ||
	    pull_has_ctl(value)) {
		free(value);
		return;
	}
	*slot = value;
}

/*
 * Response headers, one line at a time. A status line starts a new response
 * (a redirect hop or a 100 Continue): what was kept belongs to the old one.
 */
static size_t
pull_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct pull_job	*job = arg;
	size_t		 n = size * nmemb;
	char		*v, *end;
	unsigned long long cl;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		pull_keep(&job->etag, NULL);
		pull_keep(&job->last_modified, NULL);
		pull_keep(&job->content_type, NULL);
		return n;
	}
	if ((v = pull_header_value(data, n, "ETag")) != NULL)
		pull_keep(&job->etag, v);
	else if ((v = pull_header_value(data, n, "Last-Modified")) != NULL)
		pull_keep(&job->last_modified, v);
	else if ((v = pull_header_value(data, n, "Content-Type")) != NULL)
		pull_keep(&job->content_type, v);
	else if ((v = pull_header_value(data, n, "Content-Length")) != NULL) {
		cl = strtoull(v, &end, 10);
		free(v);
		if (cl > job->max) {
			job->too_big = 1;
			return 0;	/* abort before reading the body */
		}
	}
	return n;
}

static void
pull_add_header(struct curl_slist **list, const char *line)
{
	struct curl_slist	*l;

	if ((l = curl_slist_append(*list, line)) == NULL)
		fatalx("%s: out of memory", __func__);
	*list = l;
}

static void	pull_done_cb(void *, int, long, const char *);

/*
 * A failed attempt: count it, store the reason and the retry time, log,
 * and arm the timer. reason must not hold secrets.
 */
static void
pull_failed(struct pull_source *src, const char *reason, int64_t now)
{
	struct pull			*p = src->p;
	struct store_source_state	 st;
	char				*cause = NULL, esc[512];
	int64_t				 delay;

	if (store_source_get(p->store, src->name, &st, &cause) == -1) {
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
		cause = NULL;
	}
	st.failures++;
	st.last_attempt = now;
	free(st.last_error);
	st.last_error = xstrdup(reason);
	delay = pull_backoff(st.failures, src->conf->interval_secs);
	st.next_at = now + delay;
	if (store_source_put(p->store, src->name, &st, &cause) != 0) {
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
	}
	p->stats.failed++;
	log_escape(reason, strlen(reason), esc, sizeof esc);
	log_warnx("pull: source %s failed (%" PRId64 " in a row): %s; retry in "
	    "%" PRId64 "s", src->name, st.failures, esc, delay);
	store_source_state_clear(&st);
	pull_arm(src, delay);
}

/* 304: the data we hold is still current. */
static void
pull_not_modified(struct pull_source *src, struct pull_job *job, int64_t now)
{
	struct pull			*p = src->p;
	struct store_source_state	 st;
	char				*cause = NULL;

	if (store_source_get(p->store, src->name, &st, &cause) == -1) {
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
		cause = NULL;
	}
	/* A 304 may carry updated validators. */
	if (job->etag != NULL) {
		free(st.etag);
		st.etag = job->etag;
		job->etag = NULL;
	}
	if (job->last_modified != NULL) {
		free(st.last_modified);
		st.last_modified = job->last_modified;
		job->last_modified = NULL;
	}
	st.last_attempt = st.last_success = now;
	st.failures = 0;
	free(st.last_error);
	st.last_error = NULL;
	st.next_at = now + src->conf->interval_secs;
	if (store_source_put(p->store, src->name, &st, &cause) != 0) {
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
	}
	store_source_state_clear(&st);
	p->stats.not_modified++;
	log_info("pull: source %s not modified", src->name);
	pull_arm(src, src->conf->interval_secs);
}

/*
 * 200: ingest the body as one input and record the success in the same
 * transaction, so data and validators are durable together. Returns 0, or
 * -1 with *reason (caller frees).
 */
static int
pull_ingest(struct pull_source *src, struct pull_job *job, int64_t now,
    char **reason)
{
	struct pull			*p = src->p;
	const struct source_conf	*conf = src->conf;
	const struct ingest_subject	*subjects;
	struct store_source_state	 st;
	struct ingest_batch		*batch;
	struct ingest_result		 res;
	struct parse_options		 po;
	size_t				 nsubjects;
	char				*cause = NULL;
	char				 origin[128];
	int				 fmt;

	if (config_source_parse_options(conf, &po) != 0) {
		*reason = xstrdup("bad source settings");
		return -1;
	}
	if (po.format == PARSE_AUTO && job->content_type != NULL &&
	    (fmt = parse_format_from_content_type(job->content_type)) != -1)
		po.format = (enum parse_format)fmt;
	if ((batch = ingest_batch_begin(p->store, &cause)) == NULL) {
		xasprintf(reason, "database: %s", cause);
		free(cause);
		return -1;
	}
	memset(&res, 0, sizeof res);
	snprintf(origin, sizeof origin, "pull source %s", conf->name);
	if (ingest_batch_add(batch, p->cfg, origin,
	    job->buf != NULL ? job->buf : "", job->len, &po, conf->client,
	    conf->partial, &res) != 0) {
		xasprintf(reason, "%s: %s", res.store_failed ? "database" :
		    "body refused", res.cause != NULL ? res.cause : "?");
		goto fail;
	}
	memset(&st, 0, sizeof st);
	st.last_attempt = st.last_success = now;
	st.etag = job->etag;
	st.last_modified = job->last_modified;
	st.next_at = now + conf->interval_secs;
	if (store_source_put(p->store, src->name, &st, &cause) != 0 ||
	    ingest_batch_commit(batch, &cause) != 0) {
		xasprintf(reason, "database: %s", cause);
		free(cause);
		goto fail;
	}

	p->stats.fetched++;
	p->stats.rows += (uint64_t)res.rows_accepted;
	if (res.rows_rejected > 0)
		log_warnx("pull: source %s: %ld rows stored, %ld rejected "
		    "(partial)", src->name, res.rows_accepted,
		    res.rows_rejected);
	else
		log_info("pull: source %s: %ld rows stored", src->name,
		    res.rows_accepted);
	subjects = ingest_batch_subjects(batch, &nsubjects);
	if (p->cb != NULL && nsubjects > 0)
		p->cb(p->cb_arg, subjects, nsubjects);
	ingest_batch_free(batch);
	ingest_result_clear(&res);
	pull_arm(src, conf->interval_secs);
	return 0;

fail:
	ingest_batch_free(batch);
	ingest_result_clear(&res);
	return -1;
}

/* Start one fetch of the source (or of the redirect it is following). */
static void
pull_fetch(struct pull_source *src)
{
	struct pull			*p = src->p;
	const struct source_conf	*conf = src->conf;
	struct store_source_state	 st;
	struct pull_job			*job;
	CURL				*easy;
	const char			*url;
	char				*cause = NULL, *line;
	size_t				 i;
	long				 timeout = (long)conf->timeout_secs;

	if (src->job != NULL)
		return;		/* the running fetch re-arms the timer */
	if (store_source_get(p->store, src->name, &st, &cause) == -1) {
		/* Fetch anyway, unconditionally. */
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
	}
	url = src->redirect != NULL ? src->redirect : conf->url;
	job = xcalloc(1, sizeof *job);
	job->src = src;
	job->max = (size_t)p->cfg->http_max_body_bytes;
	if (src->redirect == NULL || pull_same_origin(conf->url, url)) {
		for (i = 0; i < conf->nheaders; i++)
			pull_add_header(&job->headers, conf->headers[i]);
	} else
		log_debug("pull: source %s: redirected to another origin, "
		    "its headers are not sent", src->name);
	if (st.etag != NULL && !pull_has_ctl(st.etag)) {
		xasprintf(&line, "If-None-Match: %s", st.etag);
		pull_add_header(&job->headers, line);
		free(line);
	}
	if (st.last_modified != NULL && !pull_has_ctl(st.last_modified)) {
		xasprintf(&line, "If-Modified-Since: %s", st.last_modified);
		pull_add_header(&job->headers, line);
		free(line);
	}
	store_source_state_clear(&st);
	pull_add_header(&job->headers, "Accept: text/csv, application/json, "
	    "application/x-ndjson, */*;q=0.1");

	if ((easy = curl_easy_init()) == NULL)
		fatalx("%s: curl_easy_init failed", __func__);
	job->easy = easy;
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "roiwatch/" ROIWATCH_VERSION);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, pull_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, pull_header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, job);

	src->job = job;
	p->stats.inflight++;
	log_debug("pull: fetching source %s", src->name);
	if (curl_loop_add(p->curl, easy, pull_done_cb, job) != 0) {
		src->job = NULL;
		p->stats.inflight--;
		pull_job_free(job);
		pull_failed(src, "could not start the transfer",
		    (int64_t)time(NULL));
	}
}

/* A 3xx: fetch the Location next, if allowed. Returns 0 or -1 with *reason. */
static int
pull_redirect(struct pull_source *src, struct pull_job *job, long status,
    char **reason)
{
	char	*loc = NULL;

	curl_easy_getinfo(job->easy, CURLINFO_REDIRECT_URL, &loc);
	if (loc == NULL) {
		xasprintf(reason, "HTTP status %ld without a Location", status);
		return -1;
	}
	if (src->redirects >= PULL_MAX_REDIRECTS) {
		xasprintf(reason, "more than %d redirects", PULL_MAX_REDIRECTS);
		return -1;
	}
	if (!pull_is_http(loc)) {
		xasprintf(reason, "redirect to a non-HTTP URL refused");
		return -1;
	}
	free(src->redirect);
	src->redirect = xstrdup(loc);
	src->redirects++;
	pull_arm(src, 0);
	return 0;
}

/* The transfer ended (or was aborted by curl_loop_free). */
static void
pull_done_cb(void *arg, int ok, long status, const char *error)
{
	struct pull_job		*job = arg;
	struct pull_source	*src = job->src;
	char			*reason = NULL;
	int64_t			 now = (int64_t)time(NULL);

	if (src == NULL) {
		pull_job_free(job);	/* orphaned */
		return;
	}
	src->job = NULL;
	src->p->stats.inflight--;
	if (!ok && error != NULL && strcmp(error, CURL_LOOP_SHUTDOWN) == 0) {
		/* Not an attempt: the stored schedule stands. */
		pull_job_free(job);
		return;
	}

	if (job->too_big)
		xasprintf(&reason, "response larger than %zu bytes (the limit"
		    " is http_max_body_bytes)", job->max);
	else if (!ok)
		reason = xstrdup(error != NULL ? error : "transfer failed");
	else if (status == 301 || status == 302 || status == 303 ||
	    status == 307 || status == 308) {
		if (pull_redirect(src, job, status, &reason) == 0) {
			pull_job_free(job);
			return;
		}
	} else if (status == 304)
		pull_not_modified(src, job, now);
	else if (status == 200)
		pull_ingest(src, job, now, &reason);
	else
		xasprintf(&reason, "HTTP status %ld", status);

	free(src->redirect);
	src->redirect = NULL;
	src->redirects = 0;
	if (reason != NULL) {
		pull_failed(src, reason, now);
		free(reason);
	}
	pull_job_free(job);
}

static void
pull_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	(void)fd;
	(void)kind;
	pull_fetch(arg);
}

/* Arm the timer from the stored schedule. */
static void
pull_schedule(struct pull_source *src)
{
	struct store_source_state	 st;
	char				*cause = NULL;
	int64_t				 now = (int64_t)time(NULL), delay;

	if (store_source_get(src->p->store, src->name, &st, &cause) == -1) {
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
	}
	delay = pull_delay(st.next_at, now, src->conf->interval_secs);
	store_source_state_clear(&st);
	log_debug("pull: source %s: next fetch in %" PRId64 "s", src->name,
	    delay);
	pull_arm(src, delay);
}

static struct pull_source *
pull_source_new(struct pull *p, const struct source_conf *conf)
{
	struct pull_source	*src;

	src = xcalloc(1, sizeof *src);
	src->p = p;
	src->name = xstrdup(conf->name);
	src->url = xstrdup(conf->url);
	src->conf = conf;
	if ((src->timer = evtimer_new(p->base, pull_timer_cb, src)) == NULL)
		fatalx("%s: evtimer_new failed", __func__);
	TAILQ_INSERT_TAIL(&p->sources, src, entry);
	p->stats.sources++;
	return src;
}

/* Forget the fetch in flight: its callback will only free it. */
static void
pull_orphan(struct pull_source *src)
{
	if (src->job != NULL) {
		src->job->src = NULL;
		src->job = NULL;
		src->p->stats.inflight--;
	}
}

static void
pull_source_free(struct pull_source *src)
{
	pull_orphan(src);
	TAILQ_REMOVE(&src->p->sources, src, entry);
	src->p->stats.sources--;
	event_free(src->timer);
	free(src->name);
	free(src->url);
	free(src->redirect);
	free(src);
}

/* The URL changed: its validators and schedule belong to the old one. */
static void
pull_reset_state(struct pull_source *src)
{
	struct store_source_state	 st;
	char				*cause = NULL;

	if (store_source_get(src->p->store, src->name, &st, &cause) == -1) {
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
		return;
	}
	free(st.etag);
	free(st.last_modified);
	st.etag = st.last_modified = NULL;
	st.failures = 0;
	st.next_at = 0;
	if (store_source_put(src->p->store, src->name, &st, &cause) != 0) {
		log_warnx("pull: source %s: %s", src->name, cause);
		free(cause);
	}
	store_source_state_clear(&st);
}

struct pull *
pull_new(struct event_base *base, struct curl_loop *curl, struct store *store,
    const struct config *cfg, ingest_committed_cb cb, void *arg)
{
	struct pull	*p;

	p = xcalloc(1, sizeof *p);
	p->base = base;
	p->curl = curl;
	p->store = store;
	p->cb = cb;
	p->cb_arg = arg;
	TAILQ_INIT(&p->sources);
	pull_set_config(p, cfg);
	return p;
}

void
pull_set_config(struct pull *p, const struct config *cfg)
{
	struct pull_source		*src, *next;
	const struct source_conf	*conf;
	size_t				 i;

	p->cfg = cfg;
	for (src = TAILQ_FIRST(&p->sources); src != NULL; src = next) {
		next = TAILQ_NEXT(src, entry);
		conf = config_source(cfg, src->name);
		if (conf == NULL || conf->type != SOURCE_PULL) {
			log_info("pull: source %s removed", src->name);
			pull_source_free(src);
			continue;
		}
		src->conf = conf;
		if (strcmp(src->url, conf->url) != 0) {
			log_info("pull: source %s has a new URL", src->name);
			pull_orphan(src);
			free(src->url);
			src->url = xstrdup(conf->url);
			free(src->redirect);
			src->redirect = NULL;
			src->redirects = 0;
			pull_reset_state(src);
		}
		if (src->job == NULL)
			pull_schedule(src);
	}
	for (i = 0; i < cfg->nsources; i++) {
		conf = &cfg->sources[i];
		if (conf->type != SOURCE_PULL)
			continue;
		TAILQ_FOREACH(src, &p->sources, entry) {
			if (strcmp(src->name, conf->name) == 0)
				break;
		}
		if (src == NULL)
			pull_schedule(pull_source_new(p, conf));
	}
}

void
pull_free(struct pull *p)
{
	struct pull_source	*src;

	if (p == NULL)
		return;
	while ((src = TAILQ_FIRST(&p->sources)) != NULL)
		pull_source_free(src);
	free(p);
}

void
pull_get_stats(const struct pull *p, struct pull_stats *st)
{
	if (p == NULL) {
		memset(st, 0, sizeof *st);
		return;
	}
	*st = p->stats;
}
