/*
 * What GET /healthz and GET /metrics read from the store beyond counters:
 * the outbox's queues per client and receiver (depth, oldest item, items
 * stuck) and the alert states that are not ok per client, rule, scope and
 * state. Both are aggregate queries (store-outbox.c, store-alert.c) run on
 * the loop, so their results are kept HTTP_OBS_CACHE_MSECS: however many
 * scrapers and health checkers ask, the store is read once in that time.
 * At 50 000 alert states the alerts' query takes about 4 ms when a tenth
 * are open, about 40 ms when all are.
 *
 * /healthz answers {"status": "ok"|"degraded"|"failing", "checks": [...]}:
 * a failed check makes it degraded (200: the daemon works, someone should
 * look); a store that cannot be read makes it failing (503).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <cjson/cJSON.h>

#include "http-internal.h"
#include "http-server.h"
#include "log.h"
#include "prom.h"
#include "store.h"
#include "xmalloc.h"

#define HTTP_OBS_CACHE_MSECS	5000
#define HTTP_OBS_LIST_MAX	5	/* receivers named in a detail */

struct http_obs_queue {
	char		*client;
	char		*receiver;
	int64_t		 pending;
	int64_t		 oldest;	/* unix time */
	int64_t		 stuck;		/* older than HTTP_HEALTH_STUCK_SECS */
};

struct http_obs {
	int64_t			 cache_ms;
	int64_t			 read_ms;	/* monotonic; 0: never read */
	struct http_obs_queue	*queues;
	size_t			 nqueues;
	char			*queues_error;	/* the last read failed */
	struct evbuffer		*alerts;	/* roiwatch_alerts lines */
	int			 alerts_ok;
};

struct http_health {
	cJSON	*checks;
	int	 degraded;
	int	 failing;
};

static int64_t
http_obs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct http_obs *
http_obs_get(struct http_server *srv)
{
	if (srv->obs == NULL) {
		srv->obs = xcalloc(1, sizeof *srv->obs);
		srv->obs->cache_ms = HTTP_OBS_CACHE_MSECS;
		if ((srv->obs->alerts = evbuffer_new()) == NULL)
			fatalx("%s: evbuffer_new failed", __func__);
	}
	return srv->obs;
}

static void
http_obs_clear(struct http_obs *o)
{
	size_t	i;

	for (i = 0; i < o->nqueues; i++) {
		free(o->queues[i].client);
		free(o->queues[i].receiver);
	}
	free(o->queues);
	o->queues = NULL;
	o->nqueues = 0;
	free(o->queues_error);
	o->queues_error = NULL;
	evbuffer_drain(o->alerts, evbuffer_get_length(o->alerts));
	o->alerts_ok = 0;
}

void
http_obs_free(struct http_obs *o)
{
	if (o == NULL)
		return;
	http_obs_clear(o);
	evbuffer_free(o->alerts);
	free(o);
}

void
http_server_set_store_cache(struct http_server *srv, int64_t msecs)
{
	struct http_obs *o = http_obs_get(srv);

	o->cache_ms = msecs;
	o->read_ms = 0;
}

static int
http_obs_queue_cb(const struct store_outbox_queue *q, void *arg)
{
	struct http_obs		*o = arg;
	struct http_obs_queue	*c;

	o->queues = xreallocarray(o->queues, o->nqueues + 1,
	    sizeof *o->queues);
	c = &o->queues[o->nqueues++];
	c->client = xstrdup(q->client);
	c->receiver = xstrdup(q->receiver);
	c->pending = q->pending;
	c->oldest = q->oldest;
	c->stuck = q->stuck;
	return 0;
}

static int
http_obs_alert_cb(const struct store_alert_count *c, void *arg)
{
	struct evbuffer *b = arg;

	evbuffer_add_printf(b, "roiwatch_alerts{client=\"");
	prom_label(b, c->client);
	evbuffer_add_printf(b, "\",rule=\"");
	prom_label(b, c->rule);
	evbuffer_add_printf(b, "\",scope=\"");
	prom_label(b, c->scope);
	evbuffer_add_printf(b, "\",state=\"");
	prom_label(b, c->state);
	evbuffer_add_printf(b, "\"} %" PRId64 "\n", c->n);
	return 0;
}

/* Read the aggregates again when the cached ones are too old. */
static struct http_obs *
http_obs_read(struct http_server *srv)
{
	struct http_obs	*o = http_obs_get(srv);
	int64_t		 now_ms = http_obs_now_ms();
	char		*cause = NULL;

	if (o->read_ms != 0 && now_ms - o->read_ms < o->cache_ms)
		return o;
	http_obs_clear(o);
	o->read_ms = now_ms;
	if (store_outbox_queues(srv->store,
	    (int64_t)time(NULL) - HTTP_HEALTH_STUCK_SECS, http_obs_queue_cb, o,
	    &cause) != 0) {
		log_warnx("metrics: %s", cause);
		o->queues_error = cause;
		cause = NULL;
	}
	if (store_alert_counts(srv->store, http_obs_alert_cb, o->alerts,
	    &cause) != 0) {
		log_warnx("metrics: %s", cause);
		free(cause);
		evbuffer_drain(o->alerts, evbuffer_get_length(o->alerts));
	} else
		o->alerts_ok = 1;
	return o;
}

void
http_metrics_store(struct http_server *srv, struct evbuffer *b)
{
	struct http_obs		*o = http_obs_read(srv);
	struct http_obs_queue	*q;
	int64_t			 now = (int64_t)time(NULL);
	size_t			 i;

	if (o->alerts_ok) {
		evbuffer_add_printf(b,
		    "# HELP roiwatch_alerts Subjects whose alert state is not "
		    "ok, by client, rule, scope and state.\n"
		    "# TYPE roiwatch_alerts gauge\n");
		evbuffer_add(b, evbuffer_pullup(o->alerts, -1),
		    evbuffer_get_length(o->alerts));
	}
	if (o->queues_error != NULL)
		return;
	evbuffer_add_printf(b,
	    "# HELP roiwatch_outbox_pending Notifications waiting in the "
	    "outbox, by client and receiver.\n"
	    "# TYPE roiwatch_outbox_pending gauge\n");
	for (i = 0; i < o->nqueues; i++) {
		q = &o->queues[i];
		evbuffer_add_printf(b, "roiwatch_outbox_pending{client=\"");
		prom_label(b, q->client);
		evbuffer_add_printf(b, "\",receiver=\"");
		prom_label(b, q->receiver);
		evbuffer_add_printf(b, "\"} %" PRId64 "\n", q->pending);
	}
	evbuffer_add_printf(b,
	    "# HELP roiwatch_outbox_oldest_pending_seconds Age of the oldest "
	    "notification waiting in the outbox, by client and receiver.\n"
	    "# TYPE roiwatch_outbox_oldest_pending_seconds gauge\n");
	for (i = 0; i < o->nqueues; i++) {
		q = &o->queues[i];
		evbuffer_add_printf(b,
		    "roiwatch_outbox_oldest_pending_seconds{client=\"");
		prom_label(b, q->client);
		evbuffer_add_printf(b, "\",receiver=\"");
		prom_label(b, q->receiver);
		evbuffer_add_printf(b, "\"} %" PRId64 "\n",
		    now > q->oldest ? now - q->oldest : 0);
	}
}

void
http_health_add(struct http_health *h, const char *name, int ok,
    const char *detail)
{
	cJSON	*c;

	if ((c = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(c, "name", name) == NULL ||
	    cJSON_AddBoolToObject(c, "ok", ok) == NULL ||
	    (detail != NULL &&
	    cJSON_AddStringToObject(c, "detail", detail) == NULL))
		fatalx("%s: out of memory", __func__);
	cJSON_AddItemToArray(h->checks, c);
	if (!ok)
		h->degraded = 1;
}

/* Items pending longer than HTTP_HEALTH_STUCK_SECS, and where. */
static void
http_health_outbox(struct http_server *srv, struct http_health *h)
{
	struct http_obs	*o = http_obs_read(srv);
	int64_t		 stuck = 0;
	size_t		 i, named = 0, where = 0;
	char		*detail, *list = xstrdup(""), *s;

	if (o->queues_error != NULL) {
		xasprintf(&detail, "cannot be read: %s", o->queues_error);
		http_health_add(h, "outbox", 0, detail);
		free(detail);
		free(list);
		return;
	}
	for (i = 0; i < o->nqueues; i++) {
		if (o->queues[i].stuck == 0)
			continue;
		stuck += o->queues[i].stuck;
		where++;
		if (named++ >= HTTP_OBS_LIST_MAX)
			continue;
		xasprintf(&s, "%s%s%s/%s: %" PRId64, list, *list ? ", " : "",
		    o->queues[i].client, o->queues[i].receiver,
		    o->queues[i].stuck);
		free(list);
		list = s;
	}
	if (stuck == 0) {
		http_health_add(h, "outbox", 1, NULL);
		free(list);
		return;
	}
	if (where == 1)
		*strrchr(list, ':') = '\0';	/* one receiver: no count */
	xasprintf(&detail, "%" PRId64 " item%s pending for more than %d "
	    "minutes (%s%s)", stuck, stuck == 1 ? "" : "s",
	    HTTP_HEALTH_STUCK_SECS / 60, list,
	    where > HTTP_OBS_LIST_MAX ? ", ..." : "");
	http_health_add(h, "outbox", 0, detail);
	free(detail);
	free(list);
}

void
http_health_reply(struct http_server *srv, struct evhttp_request *req,
    const char *store_error, const char *store_note)
{
	struct http_health	 h;
	cJSON			*obj;
	const char		*status;

	memset(&h, 0, sizeof h);
	if ((obj = cJSON_CreateObject()) == NULL ||
	    (h.checks = cJSON_CreateArray()) == NULL)
		fatalx("%s: out of memory", __func__);
	http_health_add(&h, "store", store_error == NULL,
	    store_error != NULL ? store_error : store_note);
	if (store_error != NULL)
		h.failing = 1;
	else
		http_health_outbox(srv, &h);
	if (srv->health_hook != NULL)
		srv->health_hook(srv->health_hook_arg, &h);
	status = h.failing ? "failing" : h.degraded ? "degraded" : "ok";
	if (cJSON_AddStringToObject(obj, "status", status) == NULL)
		fatalx("%s: out of memory", __func__);
	/* Before the checks, where the older answer had it. */
	if (store_note != NULL &&
	    cJSON_AddStringToObject(obj, "database", store_note) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_AddItemToObject(obj, "checks", h.checks);
	if (h.failing)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "1");
	http_reply_json(srv, req, h.failing ? 503 : 200, obj);
	cJSON_Delete(obj);
}

void
http_server_set_health_hook(struct http_server *srv, http_health_hook hook,
    void *arg)
{
	srv->health_hook = hook;
	srv->health_hook_arg = arg;
}
