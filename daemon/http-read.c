/*
 * The HTTP read endpoints, beside ingest on the same listener:
 *
 *   GET /v1/clients/{id}/kpis[?window=W&by=campaign|channel|client]
 *       the report `roiwatch kpis --json` prints (report-kpis.h): every KPI
 *       per campaign, channel or in total over a calendar window of the
 *       client (default lifetime, by campaign), exact values and the
 *       strings the table shows
 *   GET /v1/clients/{id}/alerts[?all=1]
 *       the client's alert states that are not settled (all=1: every one):
 *       rule, scope, subject, state and since, the value judged formatted
 *       with the rule's KPI, or why it was not judged, and the window
 *
 * A client reads only its own data: the bearer token is checked as for
 * ingest (http_authenticate_value: its digest looked up, the match confirmed
 * in constant time). No token or an unknown one: 401; another client's
 * token: 403; a client id that is not configured: 404 (after the token, so
 * that no one learns which ids exist without one); a bad parameter: 400; any
 * method but GET: 405. Every answer is JSON.
 *
 * The answer is computed at once on the loop from the store's read
 * snapshot (report_kpis_load): a read never takes the write lock, so ingest
 * waits for it no longer than for any read of that size.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "http-internal.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "report-kpis.h"
#include "rules.h"
#include "store.h"
#include "window.h"
#include "xmalloc.h"

enum http_read_what {
	HTTP_READ_KPIS,
	HTTP_READ_ALERTS,
	HTTP_READ_MAX
};

static const char *http_read_names[HTTP_READ_MAX] = { "kpis", "alerts" };

/*
 * Split /v1/clients/{id}/{what}: the id's bytes and what is asked, or -1
 * when the path is none of ours.
 */
static int
http_read_split(const char *path, size_t len, const char **id, size_t *idlen,
    enum http_read_what *what)
{
	size_t	 plen = strlen(HTTP_PATH_CLIENTS), i, n;
	const char *p, *end = path + len, *slash;

	if (len <= plen || strncmp(path, HTTP_PATH_CLIENTS, plen) != 0)
		return -1;
	p = path + plen;
	if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL || slash == p)
		return -1;
	for (i = 0; i < HTTP_READ_MAX; i++) {
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

/* GET /v1/clients/{id}/kpis */
static void
http_read_kpis(struct http_server *srv, struct evhttp_request *req,
    const struct client_conf *cc)
{
	static const char *const allowed[] = { "window", "by", NULL };
	struct evkeyvalq q;
	struct window_spec spec;
	struct report_kpis *r;
	enum report_by by = REPORT_BY_CAMPAIGN;
	const char *window, *bytext;
	char	 why[256], idbuf[128], *cause = NULL;
	cJSON	*obj;

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
	r = report_kpis_load(srv->store, cc, &spec, by, (int64_t)time(NULL),
	    &cause);
	event_base_update_cache_time(srv->base);	/* a long read */
	if (r == NULL) {
		log_escape(cc->id, strlen(cc->id), idbuf, sizeof idbuf);
		log_warnx("http read: client %s: %s", idbuf, cause);
		free(cause);
		http_reply_error(srv, req, 503, "the store failed, retry later");
		return;
	}
	obj = report_kpis_json(r);
	report_kpis_free(r);
	http_reply_json(srv, req, 200, obj);
	cJSON_Delete(obj);
}

struct http_read_alerts {
	const struct client_conf	*cc;
	cJSON				*list;
};

/* The rule a stored state belongs to, or NULL (no longer configured). */
static const struct rule_def *
http_read_rule(const struct client_conf *cc, const struct alert_key *k)
{
	size_t	 i;

	for (i = 0; i < cc->nruleset; i++)
		if (cc->ruleset[i].scope == k->scope &&
		    strcmp(cc->ruleset[i].name, k->rule) == 0)
			return &cc->ruleset[i];
	return NULL;
}

static void
http_read_int(cJSON *o, const char *name, int64_t v)
{
	char	 buf[24];
	cJSON	*item;

	/* Exact whatever its size: a raw JSON integer, not a double. */
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	if ((item = cJSON_CreateRaw(buf)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_AddItemToObject(o, name, item);
}

/* The value a state was judged on, as its rule's KPI shows it. */
static void
http_read_value(const struct client_conf *cc, const struct rule_def *r,
    const struct rule_status *st, cJSON *o)
{
	struct measure_value mv;
	char	 text[128], name[64];

	if (!st->judged) {
		cJSON_AddNullToObject(o, "value");
		cJSON_AddStringToObject(o, "value_text",
		    rules_skip_text(st->skip));
		return;
	}
	http_read_int(o, "value", st->value);
	memset(&mv, 0, sizeof mv);
	mv.defined = 1;
	mv.floor = st->value;
	if (r == NULL)
		snprintf(text, sizeof text, "%lld (its rule is no longer "
		    "configured)", (long long)st->value);
	else if (r->type == RULE_FRESHNESS)
		snprintf(text, sizeof text, "%lld day%s late",
		    (long long)st->value, st->value == 1 ? "" : "s");
	else if (r->cond[0].m.def == NULL)
		snprintf(text, sizeof text, "%lld", (long long)st->value);
	else if (r->cond[0].change)
		measure_format_change(&mv, cc->language, text, sizeof text);
	else
		measure_format(&r->cond[0].m, &mv, cc->currency, cc->language,
		    text, sizeof text);
	cJSON_AddStringToObject(o, "value_text", text);
	if (r == NULL || r->type == RULE_FRESHNESS || r->cond[0].m.def == NULL)
		return;
	cJSON_AddStringToObject(o, "kpi", measure_name(&r->cond[0].m, name,
	    sizeof name));
	cJSON_AddBoolToObject(o, "change", r->cond[0].change);
	/* A change is a ratio in ppm; a value is in its KPI's unit. */
	cJSON_AddStringToObject(o, "unit", r->cond[0].change ||
	    measure_unit(&r->cond[0].m) == MEASURE_PERCENT ||
	    measure_unit(&r->cond[0].m) == MEASURE_RATIO ? "ppm" : "micros");
}

static int
http_read_alert_cb(const struct alert_key *k, const struct alert_row *row,
    void *arg)
{
	struct http_read_alerts *a = arg;
	const struct rule_status *st = &row->st;
	const struct rule_def *r = http_read_rule(a->cc, k);
	struct window_range w = { row->win_from, row->win_to };
	char	 buf[WINDOW_RANGE_TEXT_MAX];
	time_t	 tt = (time_t)st->since;
	struct tm tm;
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "rule", k->rule);
	cJSON_AddStringToObject(o, "scope", rules_scope_name(k->scope));
	if (k->scope == RULE_SCOPE_CLIENT)
		cJSON_AddNullToObject(o, "subject");
	else
		cJSON_AddStringToObject(o, "subject", k->subject);
	cJSON_AddStringToObject(o, "state", rules_state_name(st->state));
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	cJSON_AddStringToObject(o, "since", buf);
	cJSON_AddBoolToObject(o, "flapping", st->flapping);
	if (r != NULL)
		cJSON_AddStringToObject(o, "severity",
		    rules_severity_name(r->severity));
	cJSON_AddBoolToObject(o, "judged", st->judged);
	http_read_value(a->cc, r, st, o);
	http_read_int(o, "days", st->days);
	http_read_int(o, "days_total", st->days_total);
	if (w.from == INT32_MIN || w.to == INT32_MAX) {
		cJSON_AddNullToObject(o, "window_from");
		cJSON_AddNullToObject(o, "window_to");
	} else {
		metric_format_date(w.from, buf);
		cJSON_AddStringToObject(o, "window_from", buf);
		metric_format_date(w.to, buf);
		cJSON_AddStringToObject(o, "window_to", buf);
	}
	cJSON_AddStringToObject(o, "window", window_format_range(&w, "en",
	    buf, sizeof buf));
	cJSON_AddItemToArray(a->list, o);
	return 0;
}

/* GET /v1/clients/{id}/alerts */
static void
http_read_alerts(struct http_server *srv, struct evhttp_request *req,
    const struct client_conf *cc)
{
	static const char *const allowed[] = { "all", NULL };
	struct http_read_alerts a;
	struct evkeyvalq q;
	const char *all;
	char	 why[256], idbuf[128], *cause = NULL;
	int	 include_ok = 0;
	cJSON	*obj;

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
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "client", cc->id);
	a.cc = cc;
	a.list = cJSON_AddArrayToObject(obj, "alerts");
	if (store_foreach_alert(srv->store, cc->id, include_ok,
	    http_read_alert_cb, &a, &cause) != 0) {
		event_base_update_cache_time(srv->base);
		log_escape(cc->id, strlen(cc->id), idbuf, sizeof idbuf);
		log_warnx("http read: client %s: %s", idbuf, cause);
		free(cause);
		cJSON_Delete(obj);
		http_reply_error(srv, req, 503, "the store failed, retry later");
		return;
	}
	event_base_update_cache_time(srv->base);
	http_reply_json(srv, req, 200, obj);
	cJSON_Delete(obj);
}

void
http_read_request(struct http_server *srv, struct evhttp_request *req,
    const char *path)
{
	struct evkeyvalq *hdrs = evhttp_request_get_input_headers(req);
	const struct client_conf *cc, *tok = NULL;
	enum http_read_what what;
	const char *id, *auth;
	size_t	 idlen;

	if (http_read_split(path, strlen(path), &id, &idlen, &what) != 0) {
		http_reply_error(srv, req, 404, "not found");
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		http_reply_method(srv, req, "GET");
		return;
	}
	if ((auth = evhttp_find_header(hdrs, "Authorization")) != NULL)
		tok = http_authenticate_value(srv, auth, strlen(auth));
	if (tok == NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"roiwatch\"");
		http_reply_error(srv, req, 401, "missing or unknown bearer token");
		return;
	}
	if ((cc = http_read_client(srv->cfg, id, idlen)) == NULL) {
		http_reply_error(srv, req, 404, "no such client");
		return;
	}
	if (strcmp(cc->id, tok->id) != 0) {
		http_reply_error(srv, req, 403, "the token is another "
		    "client's");
		return;
	}
	if (what == HTTP_READ_KPIS)
		http_read_kpis(srv, req, cc);
	else
		http_read_alerts(srv, req, cc);
}
