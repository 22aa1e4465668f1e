/*
 * Probing one receiver (`roiwatch test-notify`, deliver-probe.h): the same
 * operations as deliver.c's deliver_start (render, send, classify) on a job
 * of its own, with id -1 (no outbox row), run to its end on the caller's
 * loop, and everything about the attempt reported instead of recorded.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "curl-loop.h"
#include "deliver-internal.h"
#include "deliver-probe.h"
#include "log.h"
#include "notice.h"
#include "xmalloc.h"

#define PROBE_GRACE_SECS	5	/* beyond the receiver's own timeout */

/* One probe's transfer; freed by whoever comes last: the probe or, when it
 * gave up waiting, the curl loop's callback. */
struct probe_run {
	struct event_base	*base;
	struct deliver_job	*job;
	int			 done;
	int			 timed_out;
	int			 abandoned;
	int			 ok;
	long			 status;
	char			 error[256];
};

static const char *const probe_outcome_names[PROBE_OUTCOME_MAX] = {
	[PROBE_DELIVERED] = "delivered",
	[PROBE_RETRY] = "would retry",
	[PROBE_PERMANENT] = "permanent failure",
	[PROBE_UNUSABLE] = "not usable",
};

const char *
deliver_probe_outcome_name(enum deliver_probe_outcome o)
{
	if ((unsigned)o >= PROBE_OUTCOME_MAX)
		return "?";
	return probe_outcome_names[o];
}

/* The length of a URL's scheme ("https" of "https://..."), or 0. */
static size_t
probe_scheme_len(const char *url)
{
	const char	*p = strstr(url, "://");

	if (p == NULL || p == url || strcspn(url, "/?#@") < (size_t)(p - url))
		return 0;
	return (size_t)(p - url);
}

char *
deliver_probe_destination(const struct receiver_conf *r,
    const char *state_dir, char *buf, size_t len)
{
	const char	*host, *end, *at;
	size_t		 slen;
	char		 tmp[512];

	if (r->url != NULL && *r->url != '\0') {
		if ((slen = probe_scheme_len(r->url)) == 0) {
			snprintf(buf, len, "(a URL that cannot be shown)");
			return buf;
		}
		host = r->url + slen + 3;
		end = host + strcspn(host, "/?#");
		/* user:password@host: the last '@' ends the credentials */
		for (at = host; at < end; at++)
			if (*at == '@')
				host = at + 1;
		snprintf(tmp, sizeof tmp, "%.*s://%.*s%s", (int)slen, r->url,
		    (int)(end - host), host, *end != '\0' &&
		    strcmp(end, "/") != 0 ? "/..." : "");
	} else if (r->dir != NULL && *r->dir != '\0') {
		if (r->dir[0] == '/' || state_dir == NULL)
			snprintf(tmp, sizeof tmp, "directory %s", r->dir);
		else
			snprintf(tmp, sizeof tmp, "directory %s/%s", state_dir,
			    r->dir);
	} else if (r->ncommand > 0)
		snprintf(tmp, sizeof tmp, "program %s", r->command[0]);
	else
		snprintf(tmp, sizeof tmp, "(no destination configured)");
	return log_escape(tmp, strlen(tmp), buf, len);
}

char *
deliver_probe_format(const struct deliver_probe *p, char *buf, size_t len)
{
	char	status[128], reason[300], name[80], type[40], parts[64];
	size_t	slen;

	/* A message in several parts: how far it went. */
	parts[0] = '\0';
	if (p->parts > 1 && p->outcome == PROBE_DELIVERED)
		snprintf(parts, sizeof parts, " (%zu messages)", p->parts);
	else if (p->parts > 1 && p->outcome != PROBE_UNUSABLE)
		snprintf(parts, sizeof parts, " at message %zu of %zu",
		    p->parts_delivered + 1, p->parts);
	status[0] = '\0';
	if (p->status != 0)
		snprintf(status, sizeof status, "%s%s%ld%s%s", p->protocol,
		    p->protocol[0] != '\0' ? " " : "status ", p->status,
		    p->status_text[0] != '\0' ? " " : "", p->status_text);
	slen = strlen(status);
	log_escape(p->reason, strlen(p->reason), reason, sizeof reason);
	log_escape(p->receiver, strlen(p->receiver), name, sizeof name);
	log_escape(p->type, strlen(p->type), type, sizeof type);
	/* An HTTP reason is the status itself ("HTTP 500 Internal Server
	 * Error"), an SMTP one starts with it: said once. */
	if (reason[0] != '\0' && slen > 0 && strncmp(reason, status,
	    slen) == 0)
		snprintf(buf, len, "%s (%s) -> %s: %s%s, %s (%.3f s)", name,
		    type, p->destination,
		    deliver_probe_outcome_name(p->outcome), parts, reason,
		    p->secs);
	else
		snprintf(buf, len, "%s (%s) -> %s: %s%s%s%s%s%s (%.3f s)",
		    name, type, p->destination,
		    deliver_probe_outcome_name(p->outcome), parts,
		    slen > 0 ? ", " : "", status, reason[0] != '\0' ? ": " :
		    "", reason, p->secs);
	return buf;
}

static double
probe_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
probe_run_free(struct probe_run *run)
{
	deliver_job_free(run->job);
	free(run);
}

/* The transfer ended (or the loop is being freed). */
static void
probe_done_cb(void *arg, int ok, long status, const char *error)
{
	struct probe_run	*run = arg;

	if (run->abandoned) {
		probe_run_free(run);
		return;
	}
	run->done = 1;
	run->ok = ok;
	run->status = status;
	snprintf(run->error, sizeof run->error, "%s", error != NULL ? error :
	    "");
	event_base_loopbreak(run->base);
}

/* The probe's own deadline (not event_base_loopexit: its timer would
 * outlive this probe and cut the next one short). */
static void
probe_timeout_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct probe_run	*run = arg;

	(void)fd;
	(void)kind;
	run->timed_out = 1;
	event_base_loopbreak(run->base);
}

/* A background send (sendmail) ended: as a transfer would. */
static void
probe_job_done(struct deliver_job *job, int ok, long status,
    const char *error)
{
	probe_done_cb(job->done_arg, ok, status, error);
}

/*
 * Send the job's current part and judge what came back. 0: judged (in *o,
 * with *res), -1: not sent (out says why; the run may have been handed to
 * the curl loop, which frees it).
 */
static int
probe_send(struct probe_run *run, struct curl_loop *cl,
    const struct config *cfg, const struct receiver_conf *r,
    struct deliver_probe *out, struct deliver_outcome *o, double t0)
{
	struct deliver_job	*job = run->job;
	struct deliver_result	 res;
	struct timeval		 limit;
	struct event		*timer;
	CURL			*easy = NULL;
	char			*cause = NULL;

	run->done = run->timed_out = run->ok = 0;
	run->status = 0;
	run->error[0] = '\0';
	if (job->ops->send(job, r, cfg, &easy, &cause) != 0) {
		if (easy != NULL)
			curl_easy_cleanup(easy);
		out->outcome = PROBE_UNUSABLE;
		snprintf(out->reason, sizeof out->reason, "receiver: %s", cause);
		free(cause);
		return -1;
	}
	memset(&res, 0, sizeof res);
	res.retry_after = res.status_text = "";
	if (easy == NULL && job->cancel == NULL) { /* sent (or not) already */
		res.ok = job->ok;
		res.error = job->ok ? NULL : job->error;
	} else if (easy != NULL && curl_loop_add(cl, easy, probe_done_cb,
	    run) != 0)
		res.error = "could not start transfer";
	else {
		limit.tv_sec = (time_t)(r->timeout_secs > 0 ? r->timeout_secs :
		    cfg->delivery_timeout_secs) + PROBE_GRACE_SECS;
		limit.tv_usec = 0;
		if ((timer = evtimer_new(run->base, probe_timeout_cb, run)) ==
		    NULL)
			fatalx("%s: evtimer_new failed", __func__);
		evtimer_add(timer, &limit);
		while (!run->done && !run->timed_out &&
		    event_base_dispatch(run->base) == 0)
			;	/* a loopbreak of another's ends a pass early */
		event_free(timer);
		if (!run->done) {
			out->outcome = PROBE_RETRY;
			snprintf(out->reason, sizeof out->reason, "no answer "
			    "in %lld s", (long long)limit.tv_sec);
			out->secs = probe_mono() - t0;
			if (job->cancel != NULL) {
				/* A program still running: stopped here. */
				job->cancel(job);
				probe_run_free(run);
			} else	/* the curl loop frees it when done with it */
				run->abandoned = 1;
			return -1;
		}
		res.ok = run->ok;
		res.status = run->status;
		res.error = run->ok ? NULL : run->error;
		res.retry_after = job->retry_after;
		res.status_text = job->status_text;
	}
	out->secs = probe_mono() - t0;
	job->ops->classify(&res, (int64_t)time(NULL), o);
	out->status = res.status;
	snprintf(out->status_text, sizeof out->status_text, "%s",
	    res.status_text);
	return 0;
}

int
deliver_probe(struct event_base *base, struct curl_loop *cl,
    const struct config *cfg, const struct client_conf *cc,
    const struct receiver_conf *r, const struct notice *n,
    struct deliver_probe *out)
{
	const struct receiver_ops	*ops;
	struct deliver_job		*job;
	struct probe_run		*run;
	struct deliver_outcome		 o;
	int64_t				 now = (int64_t)time(NULL);
	size_t				 slen, i;
	double				 t0;

	memset(out, 0, sizeof *out);
	snprintf(out->receiver, sizeof out->receiver, "%s", r->name);
	snprintf(out->type, sizeof out->type, "%s",
	    config_receiver_type_name(r->type));
	deliver_probe_destination(r, cfg->state_dir, out->destination,
	    sizeof out->destination);
	if (r->url != NULL && (slen = probe_scheme_len(r->url)) > 0) {
		if ((slen == 4 || slen == 5) && strncasecmp(r->url, "http",
		    4) == 0)
			snprintf(out->protocol, sizeof out->protocol, "HTTP");
		else if ((slen == 4 || slen == 5) && strncasecmp(r->url,
		    "smtp", 4) == 0)
			snprintf(out->protocol, sizeof out->protocol, "SMTP");
	}
	if ((ops = deliver_receiver_ops(r->type)) == NULL) {
		out->outcome = PROBE_UNUSABLE;
		snprintf(out->reason, sizeof out->reason, "no operations for "
		    "this receiver type");
		return -1;
	}
	snprintf(out->type, sizeof out->type, "%s", ops->name);

	job = xcalloc(1, sizeof *job);
	job->ops = ops;
	job->id = -1;		/* no outbox row (file: "<created>-test") */
	job->created = now;
	job->client = xstrdup(cc->id);
	job->receiver = xstrdup(r->name);
	xasprintf(&job->key, "rw-test-%s-%lld", cc->id, (long long)now);
	/* Every part of a message a chat service gets in several, in order,
	 * as the daemon sends them. */
	if (ops->render_parts != NULL)
		job->nparts = ops->render_parts(n, r, &job->parts);
	else {
		job->parts = xcalloc(1, sizeof *job->parts);
		job->parts[0] = ops->render(n, r, job->key, now);
		job->nparts = 1;
	}
	out->parts = job->nparts;

	run = xcalloc(1, sizeof *run);
	run->base = base;
	run->job = job;
	job->base = base;
	job->done = probe_job_done;
	job->done_arg = run;
	t0 = probe_mono();
	for (i = 0; i < job->nparts; i++) {
		job->part = i;
		job->body = job->parts[i];
		job->len = strlen(job->body);
		job->off = 0;
		curl_slist_free_all(job->headers);
		job->headers = NULL;
		job->ok = 0;
		job->error[0] = job->retry_after[0] = job->status_text[0] =
		    '\0';
		if (probe_send(run, cl, cfg, r, out, &o, t0) != 0) {
			out->secs = probe_mono() - t0;
			if (out->outcome == PROBE_UNUSABLE)
				probe_run_free(run);
			return -1;
		}
		if (o.verdict != DELIVER_DELIVERED)
			break;
		out->parts_delivered++;
	}
	switch (o.verdict) {
	case DELIVER_DELIVERED:
		out->outcome = PROBE_DELIVERED;
		break;
	case DELIVER_RETRY:
		out->outcome = PROBE_RETRY;
		break;
	default:
		out->outcome = PROBE_PERMANENT;
		break;
	}
	if (o.verdict != DELIVER_DELIVERED)
		snprintf(out->reason, sizeof out->reason, "%s", o.reason);
	probe_run_free(run);
	return out->outcome == PROBE_DELIVERED ? 0 : -1;
}
