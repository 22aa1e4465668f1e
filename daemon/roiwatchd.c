/*
 * roiwatchd: the daemon. One libevent loop drives everything: the inbox watcher,
 * the HTTP listener, evaluation timers and all outgoing HTTP/SMTP (libcurl
 * multi-socket in the same loop).
 *
 * Periodic duties (the one place they are all listed):
 *   judging            at once after a commit,   the campaigns touched, once, in
 *                      in the next idle turn     slices of 20 ms (eval.c); commits
 *                      of the loop               made while the loop is busy wait
 *                                                in the queue and are judged together
 *   inbox rescan       every inbox_rescan_secs   safety net for missed inotify events
 *   inbox retry        2 s after a failure       a file the store failed is taken again
 *   evaluation         every evaluate_secs       pending periods and repeat intervals
 *                                                (a sweep of the open alerts, sliced)
 *   calendar roll-over at the next local midnight of a client whose rules use
 *                      calendar windows or budgets, and at each freshness
 *                      deadline: a sweep of every subject
 *   quiet hours end    at the end of a client's quiet hours (and at start):
 *                      the notices held meanwhile go as one message
 *   outbox delivery    at the next item's due time (deliver.c arms its own timer)
 *   pull sources       per source, every interval_secs (pull.c arms its own timers)
 *   status             every 10 s                sd_notify STATUS= line
 *   outbox pruning     at start, then hourly     done/dead items older than
 *                                                outbox_retention_days, and
 *                                                silences ended 30 days ago
 *   watchdog           half of $WATCHDOG_USEC    sd_notify WATCHDOG=1
 *   waiting mark       every 250 ms              drop a stale one (store.h)
 *
 * Signals: TERM/INT stop (deliveries in flight get a few seconds to finish; the
 * rest stay in the outbox), HUP reloads the configuration (a bad one is refused
 * and the running one kept), PIPE is ignored.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "config.h"
#include "curl-loop.h"
#include "deliver.h"
#include "digest-run.h"
#include "eval.h"
#include "rules.h"
#include "silence.h"
#include "tz.h"
#include "window.h"
#include "http-server.h"
#include "inbox.h"
#include "log.h"
#include "prom.h"
#include "pull.h"
#include "sdnotify.h"
#include "store.h"
#include "xmalloc.h"

#define DEFAULT_CONFIG		"/etc/roiwatch/roiwatchd.conf"
#define STOP_GRACE_SECS		10
#define STATUS_SECS		10
#define PRUNE_SECS		3600
#define JUDGE_SLICE_USECS	20000	/* the loop is held at most this long */
#define JUDGE_BUSY_MSECS	20	/* database locked: next try */
#define JUDGE_RETRY_SECS	5	/* a slice failed otherwise: next try */
#define DAEMON_BUSY_MSECS	5	/* a write waits this long for a lock */
#define MARK_EXPIRE_MSECS	250	/* a stale waiting mark goes after this */
#define SOURCE_SICK_FAILURES	3	/* /healthz: failed fetches in a row */
#define SOURCE_STALE_INTERVALS	3	/* /healthz: no success for as many */

/* Buckets of roiwatch_evaluation_duration_seconds, around the slice's
 * JUDGE_SLICE_USECS budget: what overshoots it shows. */
static const double judge_buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 1
};

struct daemon {
	struct event_base	*base;
	struct config		*cfg;
	const char		*config_path;
	const char		*state_override;
	struct store		*store;
	struct store_checkpointer *ckpt;	/* the WAL, off the loop */
	struct store_syncer	*syncer;	/* syncs it for HTTP answers */
	struct curl_loop	*curl;
	struct deliver		*deliver;
	struct inbox		*inbox;
	struct pull		*pull;
	struct http_server	*http;
	struct event		*ev_eval;
	struct event		*ev_roll;	/* calendar windows roll over */
	int64_t			 roll_at;	/* its next calendar instant */
	struct event		*ev_status;
	struct event		*ev_prune;
	struct event		*ev_mark;
	struct event		*ev_watchdog;
	struct event		*ev_stop_wait;
	struct event		*ev_sig[3];
	int			 stopping;
	time_t			 stop_started;
	struct eval_queue	*evq;		/* waiting to be judged */
	int			 sweeping;	/* judging every campaign */
	struct event		*ev_judge;
	int64_t			 judge_usec;	/* spent judging, in all */
	struct prom_hist	 judge_hist;	/* each slice's time */
	uint64_t		 judge_failures; /* slices failed, not busy */
	char			*judge_error;	/* the last one's cause, until
						   a slice goes through */
	struct event		*ev_digest;	/* the next digest due */
	uint64_t		 digests_sent;
};

/* On stdout and exit 0 when asked for (-h), else on stderr and exit 2. */
static _Noreturn void
usage(int asked)
{
	fprintf(asked ? stdout : stderr,
	    "usage: roiwatchd [-d] [-c CONFIG] [-S STATE_DIR]\n"
	    "  -c, --config PATH     main configuration (default %s)\n"
	    "  -S, --state-dir DIR   state directory (overrides state_dir and\n"
	    "                        $STATE_DIRECTORY)\n"
	    "  -d, --debug           log debug messages\n"
	    "  -V, --version         print the version\n"
	    "  -h, --help            print this help\n", DEFAULT_CONFIG);
	exit(asked ? 0 : 2);
}

/*
 * Judge the next slice of the queue after msecs, or (0) in the next turn of
 * the loop that has nothing of a higher priority to do. Even then a timer,
 * not event_active(): libevent runs an event made active from its own
 * callback in the same pass over the active queue, without looking at the
 * sockets -- back-to-back slices would hold the loop for a whole sweep. A
 * timer due now is activated at the start of the next turn, after the poll.
 */
static void
daemon_arm_judge(struct daemon *d, long msecs)
{
	struct timeval tv = { msecs / 1000, (msecs % 1000) * 1000 };

	event_del(d->ev_judge);
	evtimer_add(d->ev_judge, &tv);
}

/*
 * One slice of judging, then back to the loop: HTTP, the inbox and deliveries
 * run between slices, so a sweep of a million campaigns never holds the loop
 * longer than JUDGE_SLICE_USECS (plus one campaign). A slice the database
 * refused (locked by `roiwatch ingest`, an I/O error) changed nothing: its
 * campaigns wait and are retried on a timer.
 */
static void
daemon_judge_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;
	struct eval_slice sl;
	char *cause = NULL;
	int rc;

	(void)fd;
	(void)events;
	rc = eval_queue_run(d->evq, d->store, d->cfg, (int64_t)time(NULL),
	    JUDGE_SLICE_USECS, &sl, &cause);
	d->judge_usec += sl.usec;
	if (!sl.busy)
		prom_hist_observe(&d->judge_hist, (double)sl.usec / 1e6);
	if (rc != 0) {
		if (sl.busy) {
			log_debug("judging: database busy, retried: %s", cause);
			daemon_arm_judge(d, JUDGE_BUSY_MSECS);
		} else {
			log_warnx("judging failed, retried in %d s: %s",
			    JUDGE_RETRY_SECS, cause);
			d->judge_failures++;
			free(d->judge_error);
			d->judge_error = xstrdup(cause);
			daemon_arm_judge(d, JUDGE_RETRY_SECS * 1000L);
		}
		free(cause);
		return;
	}
	free(d->judge_error);
	d->judge_error = NULL;
	if (sl.added > 0)
		deliver_kick(d->deliver);
	/* Back to back, unless another process waits for the lock (a
	 * backfill): then it gets a turn between two slices. */
	if (!eval_queue_idle(d->evq))
		daemon_arm_judge(d, store_waited_for(d->store) ?
		    JUDGE_BUSY_MSECS : 0);
	else if (d->sweeping) {
		d->sweeping = 0;
		log_info("every stored campaign judged");
	}
}

/* Judge the whole store (start, reload), in slices after READY=1. */
static void
daemon_judge_all(struct daemon *d)
{
	eval_queue_sweep(d->evq, EVAL_SWEEP_ALL);
	d->sweeping = 1;
	daemon_arm_judge(d, 0);
}

/*
 * After a commit (inbox, HTTP, pull): queue the touched campaigns and judge
 * them at once -- in the next turn of the loop with nothing else to do, since
 * judging runs at the lowest priority. No delay is added: an idle daemon
 * judges a lone webhook's sample straight after its commit, and its notice
 * leaves right after that slice (deliver_kick). Batching comes from the load
 * itself: while requests, commits or deliveries keep the loop busy, or a
 * retry after a busy database is pending, the judging event waits and the
 * campaigns of every commit made meanwhile gather in the queue (each once),
 * so one slice -- one transaction -- takes them all.
 */
static void
daemon_committed_cb(void *arg, const struct ingest_subject *subjects, size_t n)
{
	struct daemon *d = arg;

	if (n == 0)
		return;
	eval_queue_add(d->evq, subjects, n);
	/* Pending covers active: a slice already due takes these too. */
	if (!evtimer_pending(d->ev_judge, NULL))
		daemon_arm_judge(d, 0);
}

/* Pending periods and repeat intervals advance with time: revisit the
 * campaigns with an open alert (and those that could not be evaluated). */
static void	daemon_release_held(struct daemon *);

static void
daemon_eval_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)events;
	eval_queue_sweep(d->evq, EVAL_SWEEP_OPEN);
	if (!evtimer_pending(d->ev_judge, NULL))
		daemon_arm_judge(d, 0);
	/* Held notices whose release failed (database busy) go now. */
	daemon_release_held(d);
}

static void
daemon_status_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;
	struct inbox_stats st;
	int64_t pending = 0, done = 0, dead = 0;

	(void)fd;
	(void)events;
	memset(&st, 0, sizeof st);
	if (d->inbox != NULL)
		inbox_get_stats(d->inbox, &st);
	store_outbox_counts(d->store, &pending, &done, &dead);
	sdnotify_status("%zu client(s); files done %llu, failed %llu; "
	    "outbox pending %lld, sent %lld, dead %lld", d->cfg->nclients,
	    (unsigned long long)st.files_done,
	    (unsigned long long)st.files_failed, (long long)pending,
	    (long long)done, (long long)dead);
}

static void
daemon_prune_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;
	char *cause = NULL;
	int64_t n, before;

	(void)fd;
	(void)events;
	before = (int64_t)time(NULL) - d->cfg->outbox_retention_days * 86400;
	if ((n = store_outbox_prune(d->store, before, &cause)) == -1) {
		log_warnx("outbox pruning failed: %s", cause);
		free(cause);
	} else if (n > 0)
		log_info("outbox: %lld delivered or abandoned item(s) older than "
		    "%lld day(s) deleted", (long long)n,
		    (long long)d->cfg->outbox_retention_days);
	before = (int64_t)time(NULL) - SILENCE_KEEP_SECS;
	if ((n = store_silence_prune(d->store, before, &cause)) == -1) {
		log_warnx("silence pruning failed: %s", cause);
		free(cause);
	} else if (n > 0)
		log_info("silences: %lld ended more than %d days ago deleted",
		    (long long)n, SILENCE_KEEP_SECS / 86400);
	before = (int64_t)time(NULL) - ALERT_EVENT_KEEP_DAYS * 86400;
	if ((n = store_alert_event_prune(d->store, before, &cause)) == -1) {
		log_warnx("alert history pruning failed: %s", cause);
		free(cause);
	} else if (n > 0)
		log_info("alert history: %lld event(s) older than %d days "
		    "deleted", (long long)n, ALERT_EVENT_KEEP_DAYS);
}

/* A waiting mark left by a read that went through (store.h). */
static void
daemon_mark_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)events;
	store_wait_expire(d->store, MARK_EXPIRE_MSECS);
}

static void
daemon_watchdog_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	sdnotify("WATCHDOG=1");
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void
daemon_label(struct evbuffer *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(out, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, s, 1);
	}
}

/* /metrics lines of judging's slices and of the pull sources' failures. */
static void
daemon_metrics_more(struct daemon *d, struct evbuffer *out)
{
	struct store_source_state ss;
	const struct source_conf *src;
	char *cause = NULL;
	size_t i;

	prom_hist_print(out, "roiwatch_evaluation_duration_seconds",
	    "Time each slice of judging took (the loop is held that long).",
	    &d->judge_hist);
	evbuffer_add_printf(out,
	    "# HELP roiwatch_evaluation_slice_failures_total Slices of judging "
	    "that failed (not for a busy database) and were retried.\n"
	    "# TYPE roiwatch_evaluation_slice_failures_total counter\n"
	    "roiwatch_evaluation_slice_failures_total %llu\n",
	    (unsigned long long)d->judge_failures);
	if (d->pull == NULL)
		return;
	evbuffer_add_printf(out, "# HELP roiwatch_source_consecutive_failures "
	    "Failed fetches of a pull source since its last success.\n"
	    "# TYPE roiwatch_source_consecutive_failures gauge\n");
	for (i = 0; i < d->cfg->nsources; i++) {
		src = &d->cfg->sources[i];
		if (src->type != SOURCE_PULL)
			continue;
		if (store_source_get(d->store, src->name, &ss, &cause) == -1) {
			log_warnx("metrics: source %s: %s", src->name, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		evbuffer_add_printf(out,
		    "roiwatch_source_consecutive_failures{source=\"");
		daemon_label(out, src->name);
		evbuffer_add_printf(out, "\"} %lld\n", (long long)ss.failures);
		store_source_state_clear(&ss);
	}
}

/* One pull source's trouble for /healthz, appended to *list; 1 if any. */
static int
daemon_source_trouble(struct daemon *d, const struct source_conf *src,
    int64_t now, char **list)
{
	struct store_source_state ss;
	char *cause = NULL, *what = NULL, *s;

	memset(&ss, 0, sizeof ss);
	if (store_source_get(d->store, src->name, &ss, &cause) == -1) {
		xasprintf(&what, "cannot be read: %s", cause);
		free(cause);
	} else if (ss.failures >= SOURCE_SICK_FAILURES)
		xasprintf(&what, "%lld consecutive failures: %s",
		    (long long)ss.failures,
		    ss.last_error != NULL ? ss.last_error : "?");
	else if (ss.last_success > 0 && src->interval_secs > 0 &&
	    now - ss.last_success > SOURCE_STALE_INTERVALS * src->interval_secs)
		xasprintf(&what, "no success for %lld s (fetched every %lld s)",
		    (long long)(now - ss.last_success),
		    (long long)src->interval_secs);
	store_source_state_clear(&ss);
	if (what == NULL)
		return 0;
	xasprintf(&s, "%s%spull source %s: %s", *list != NULL ? *list : "",
	    *list != NULL ? "; " : "", src->name, what);
	free(*list);
	free(what);
	*list = s;
	return 1;
}

/* /healthz checks of the daemon: judging, the pull sources, the inbox. */
static void
daemon_health_cb(void *arg, struct http_health *h)
{
	struct daemon *d = arg;
	const struct source_conf *src;
	char *list = NULL, *s;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	if (d->judge_error != NULL) {
		xasprintf(&s, "judging fails, retried every %d s: %s",
		    JUDGE_RETRY_SECS, d->judge_error);
		http_health_add(h, "evaluation", 0, s);
		free(s);
	} else
		http_health_add(h, "evaluation", 1, NULL);
	for (i = 0; i < d->cfg->nsources; i++) {
		src = &d->cfg->sources[i];
		if (src->type == SOURCE_PULL)
			daemon_source_trouble(d, src, now, &list);
	}
	http_health_add(h, "sources", list == NULL, list);
	free(list);
	if (d->inbox == NULL)
		http_health_add(h, "inbox", 0, "not watched");
	else if (inbox_disabled(d->inbox) != NULL) {
		xasprintf(&s, "disabled: %s", inbox_disabled(d->inbox));
		http_health_add(h, "inbox", 0, s);
		free(s);
	} else
		http_health_add(h, "inbox", 1, NULL);
}

/* /metrics lines of the inbox, the pull sources and their freshness. */
static void
daemon_metrics_cb(void *arg, struct evbuffer *out)
{
	struct daemon *d = arg;
	struct inbox_stats ist;
	struct eval_stats est;
	struct pull_stats pst;
	struct deliver_stats dst;
	struct store_source_state ss;
	const struct source_conf *src;
	char *cause = NULL;
	size_t i;

	memset(&ist, 0, sizeof ist);
	if (d->inbox != NULL)
		inbox_get_stats(d->inbox, &ist);
	evbuffer_add_printf(out,
	    "# HELP roiwatch_inbox_files_total Inbox files processed.\n"
	    "# TYPE roiwatch_inbox_files_total counter\n"
	    "roiwatch_inbox_files_total{result=\"done\"} %llu\n"
	    "roiwatch_inbox_files_total{result=\"failed\"} %llu\n"
	    "# HELP roiwatch_inbox_rows_total Rows stored from inbox files.\n"
	    "# TYPE roiwatch_inbox_rows_total counter\n"
	    "roiwatch_inbox_rows_total %llu\n",
	    (unsigned long long)ist.files_done,
	    (unsigned long long)ist.files_failed, (unsigned long long)ist.rows);
	evbuffer_add_printf(out,
	    "# HELP roiwatch_digests_sent_total Scheduled digests put into "
	    "the outbox since start (one per period and schedule).\n"
	    "# TYPE roiwatch_digests_sent_total counter\n"
	    "roiwatch_digests_sent_total %llu\n",
	    (unsigned long long)d->digests_sent);
	eval_queue_stats(d->evq, &est);
	evbuffer_add_printf(out,
	    "# HELP roiwatch_evaluations_total Campaign evaluations: judged, "
	    "or failed (skipped; the others go on).\n"
	    "# TYPE roiwatch_evaluations_total counter\n"
	    "roiwatch_evaluations_total{result=\"judged\"} %llu\n"
	    "roiwatch_evaluations_total{result=\"failed\"} %llu\n"
	    "# HELP roiwatch_campaigns_unjudgeable Campaigns whose last "
	    "evaluation failed (roiwatch alerts lists them).\n"
	    "# TYPE roiwatch_campaigns_unjudgeable gauge\n"
	    "roiwatch_campaigns_unjudgeable %lld\n"
	    "# HELP roiwatch_evaluation_waiting Touched campaigns waiting to be "
	    "judged.\n"
	    "# TYPE roiwatch_evaluation_waiting gauge\n"
	    "roiwatch_evaluation_waiting %zu\n"
	    "# HELP roiwatch_evaluation_slice_max_seconds Longest slice of "
	    "judging (the loop is held that long).\n"
	    "# TYPE roiwatch_evaluation_slice_max_seconds gauge\n"
	    "roiwatch_evaluation_slice_max_seconds %.6f\n"
	    "# HELP roiwatch_evaluation_slices_total Slices of judging run "
	    "(one transaction each; commits made meanwhile share one).\n"
	    "# TYPE roiwatch_evaluation_slices_total counter\n"
	    "roiwatch_evaluation_slices_total %llu\n"
	    "# HELP roiwatch_evaluation_seconds_total Time spent judging, "
	    "in slices (the loop was held that long in all).\n"
	    "# TYPE roiwatch_evaluation_seconds_total counter\n"
	    "roiwatch_evaluation_seconds_total %.6f\n",
	    (unsigned long long)est.judged, (unsigned long long)est.failed,
	    (long long)store_count_unjudgeable(d->store),
	    eval_queue_touched(d->evq), (double)est.slice_max_usec / 1e6,
	    (unsigned long long)est.slices, (double)d->judge_usec / 1e6);
	deliver_get_stats(d->deliver, &dst);
	evbuffer_add_printf(out,
	    "# HELP roiwatch_delivery_attempts_total Delivery attempts, by "
	    "what followed (each also counted in its outbox row's attempts).\n"
	    "# TYPE roiwatch_delivery_attempts_total counter\n"
	    "roiwatch_delivery_attempts_total{outcome=\"delivered\"} %llu\n"
	    "roiwatch_delivery_attempts_total{outcome=\"retry\"} %llu\n"
	    "roiwatch_delivery_attempts_total{outcome=\"dead\"} %llu\n",
	    (unsigned long long)dst.attempts_delivered,
	    (unsigned long long)dst.attempts_retry,
	    (unsigned long long)dst.attempts_dead);
	daemon_metrics_more(d, out);
	if (d->pull == NULL)
		return;
	pull_get_stats(d->pull, &pst);
	evbuffer_add_printf(out,
	    "# HELP roiwatch_pull_fetches_total Fetches of pull sources.\n"
	    "# TYPE roiwatch_pull_fetches_total counter\n"
	    "roiwatch_pull_fetches_total{result=\"ok\"} %llu\n"
	    "roiwatch_pull_fetches_total{result=\"not_modified\"} %llu\n"
	    "roiwatch_pull_fetches_total{result=\"failed\"} %llu\n"
	    "# HELP roiwatch_pull_rows_total Rows stored from pull sources.\n"
	    "# TYPE roiwatch_pull_rows_total counter\n"
	    "roiwatch_pull_rows_total %llu\n",
	    (unsigned long long)pst.fetched,
	    (unsigned long long)pst.not_modified,
	    (unsigned long long)pst.failed, (unsigned long long)pst.rows);
	evbuffer_add_printf(out, "# HELP roiwatch_source_last_success_seconds "
	    "Unix time of a pull source's last successful fetch (0: never).\n"
	    "# TYPE roiwatch_source_last_success_seconds gauge\n");
	for (i = 0; i < d->cfg->nsources; i++) {
		src = &d->cfg->sources[i];
		if (src->type != SOURCE_PULL)
			continue;
		if (store_source_get(d->store, src->name, &ss, &cause) == -1) {
			log_warnx("metrics: source %s: %s", src->name, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		evbuffer_add_printf(out,
		    "roiwatch_source_last_success_seconds{source=\"");
		daemon_label(out, src->name);
		evbuffer_add_printf(out, "\"} %lld\n",
		    (long long)ss.last_success);
		store_source_state_clear(&ss);
	}
}

/*
 * The next instant a rule's judgement can change without new data: a local
 * midnight of a client with calendar windows or budgets (windows roll over),
 * or a freshness deadline ("yesterday's data by 09:00"). 0 when none.
 */
/* The next end of a client's quiet hours after now; 0 when none. */
static int64_t
daemon_next_quiet_end(const struct config *cfg, int64_t now)
{
	const struct client_conf *cc;
	int64_t next = 0, t;
	int32_t day, sec;
	size_t i;
	int k;

	for (i = 0; i < cfg->nclients; i++) {
		cc = &cfg->clients[i];
		if (!cc->has_quiet)
			continue;
		if (!window_in_span(cc->tz, now, cc->quiet_start, cc->quiet_end,
		    &t)) {
			tz_local(cc->tz, now, &day, &sec);
			for (k = 0, t = 0; k < 3 && t <= now; k++)
				t = tz_local_to_utc(cc->tz, day + k,
				    cc->quiet_end);
		}
		if (t > now && (next == 0 || t < next))
			next = t;
	}
	return next;
}

static int64_t
daemon_next_roll(const struct config *cfg, int64_t now)
{
	const struct client_conf *cc;
	const struct rule_def *r;
	int64_t next = 0, t;
	int32_t day, sec;
	size_t i, j;

	for (i = 0; i < cfg->nclients; i++) {
		cc = &cfg->clients[i];
		if (!cc->rule_calendar)
			continue;
		t = window_next_rollover(cc->tz, now);
		if (next == 0 || t < next)
			next = t;
		for (j = 0; j < cc->nruleset; j++) {
			r = &cc->ruleset[j];
			if (r->type != RULE_FRESHNESS)
				continue;
			tz_local(cc->tz, now, &day, &sec);
			t = tz_local_to_utc(cc->tz, day, r->by_sec);
			if (t <= now)
				t = tz_local_to_utc(cc->tz, day + 1, r->by_sec);
			if (t > now && (next == 0 || t < next))
				next = t;
		}
	}
	return next;
}

static void
daemon_arm_roll(struct daemon *d)
{
	int64_t now = (int64_t)time(NULL), next;
	struct timeval tv;

	event_del(d->ev_roll);
	d->roll_at = daemon_next_roll(d->cfg, now);
	next = daemon_next_quiet_end(d->cfg, now);
	if (d->roll_at != 0 && (next == 0 || d->roll_at < next))
		next = d->roll_at;
	if (next == 0)
		return;
	/* A second late: the new day has begun in every reading. */
	tv.tv_sec = (time_t)(next - now + 1);
	tv.tv_usec = 0;
	evtimer_add(d->ev_roll, &tv);
}

/* Notices held during quiet hours that are over: one message each. */
static void
daemon_release_held(struct daemon *d)
{
	char *cause = NULL;
	int added;

	if ((added = eval_release_held(d->store, d->cfg, (int64_t)time(NULL),
	    &cause)) == -1) {
		log_warnx("releasing notices held for quiet hours: %s (tried "
		    "again at the next roll-over or evaluation)", cause);
		free(cause);
	} else if (added > 0)
		deliver_kick(d->deliver);
}

static void
daemon_roll_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)events;
	daemon_release_held(d);
	if (d->roll_at != 0 && (int64_t)time(NULL) >= d->roll_at) {
		log_info("calendar windows roll over: every subject is judged "
		    "again");
		daemon_judge_all(d);
	}
	daemon_arm_roll(d);
}

static void
daemon_arm_eval(struct daemon *d)
{
	struct timeval tv = { (time_t)d->cfg->evaluate_secs, 0 };

	event_del(d->ev_eval);
	event_add(d->ev_eval, &tv);
}

/* A replaced configuration no HTTP read uses any more: the inbox frees it,
 * now or when its worker is done with it. */
static void
daemon_release_config(void *arg, struct config *cfg)
{
	struct daemon *d = arg;

	inbox_release_config(d->inbox, cfg);
}

/*
 * Digests (digest-run.c): a pass sends those due, at most DIGEST_SLICE at
 * once (each is one client's read and one commit) so that judging and
 * deliveries go on between them; the next pass comes at the next sending,
 * and at least every DIGEST_RECHECK_SECS, so that a clock set forward, a
 * reload or a failed pass never delays a digest by more.
 */
#define DIGEST_SLICE		4
#define DIGEST_RECHECK_SECS	60
#define DIGEST_RETRY_SECS	5

static void
daemon_arm_digest(struct daemon *d, int64_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	event_del(d->ev_digest);
	evtimer_add(d->ev_digest, &tv);
}

static void
daemon_digest_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;
	int64_t now = (int64_t)time(NULL), next, wait;
	int more, sent;
	char *cause = NULL;

	(void)fd;
	(void)events;
	if (digest_run(d->store, d->cfg, now, DIGEST_SLICE, &more, &next,
	    &sent, &cause) != 0) {
		log_warnx("digests: %s (tried again in %d s)", cause,
		    DIGEST_RETRY_SECS);
		free(cause);
		daemon_arm_digest(d, DIGEST_RETRY_SECS);
		return;
	}
	if (sent > 0) {
		d->digests_sent += (uint64_t)sent;
		deliver_kick(d->deliver);
	}
	if (more) {
		daemon_arm_digest(d, 0);
		return;
	}
	wait = DIGEST_RECHECK_SECS;
	if (next != 0 && next - now < wait)
		wait = next > now ? next - now : 0;
	daemon_arm_digest(d, wait);
}

/* Parse the configuration afresh; swap it in only if it is entirely valid. */
static void
daemon_reload(struct daemon *d)
{
	struct config *ncfg, *old = d->cfg;
	char *cause = NULL;

	sdnotify_reloading();
	log_info("reloading %s", d->config_path);
	ncfg = config_load(d->config_path, d->state_override, &cause);
	if (ncfg == NULL) {
		log_warnx("reload refused, keeping the running configuration: %s",
		    cause);
		free(cause);
		goto done;
	}
	if (strcmp(ncfg->state_dir, old->state_dir) != 0) {
		log_warnx("reload refused: state_dir cannot change while running "
		    "(%s -> %s); restart instead", old->state_dir,
		    ncfg->state_dir);
		config_free(ncfg);
		goto done;
	}
	if (inbox_set_config(d->inbox, ncfg, &cause) != 0) {
		log_warnx("reload refused: %s", cause);
		free(cause);
		config_free(ncfg);
		inbox_set_config(d->inbox, old, &cause);
		goto done;
	}
	if (d->http != NULL && http_server_set_config(d->http, ncfg, &cause) != 0) {
		log_warnx("reload: HTTP listener kept its old address: %s", cause);
		free(cause);
	}
	deliver_set_config(d->deliver, ncfg);
	pull_set_config(d->pull, ncfg);
	d->cfg = ncfg;
	/* Freed once the HTTP reads queued before and the inbox's worker
	 * are done with it. */
	http_server_release_config(d->http, old, daemon_release_config, d);
	daemon_arm_eval(d);
	daemon_arm_roll(d);
	daemon_arm_digest(d, 0);
	log_info("configuration reloaded: %zu client(s)", ncfg->nclients);
	config_warn_insecure(ncfg);
	/* Thresholds may have changed: judge every campaign by the new ones,
	 * from the first again (after READY=1, in slices). */
	daemon_judge_all(d);
	deliver_kick(d->deliver);
done:
	sdnotify("READY=1");
	daemon_status_cb(-1, 0, d);
}

static void
daemon_stop_wait_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)events;
	if ((deliver_inflight(d->deliver) == 0 &&
	    eval_queue_idle(d->evq)) ||
	    time(NULL) - d->stop_started >= STOP_GRACE_SECS) {
		if (deliver_inflight(d->deliver) > 0)
			log_warnx("stopping with %zu deliveries in flight; they "
			    "stay in the outbox", deliver_inflight(d->deliver));
		if (eval_queue_touched(d->evq) > 0)
			log_warnx("stopping with %zu touched campaign(s) not "
			    "judged yet; the next start judges every campaign",
			    eval_queue_touched(d->evq));
		event_base_loopexit(d->base, NULL);
	}
}

static void
daemon_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = { 0, 100 * 1000 };

	(void)events;
	if (sig == SIGHUP) {
		if (d->stopping)
			log_info("stopping: reload ignored");
		else
			daemon_reload(d);
		return;
	}
	if (d->stopping) {
		log_info("second signal: stopping now");
		event_base_loopexit(d->base, NULL);
		return;
	}
	d->stopping = 1;
	d->stop_started = time(NULL);
	sdnotify("STOPPING=1");
	log_info("stopping on signal %d", (int)sig);
	/* No new work: close the listener and the inbox; finish deliveries. */
	http_server_free(d->http);
	d->http = NULL;
	inbox_free(d->inbox);
	d->inbox = NULL;
	pull_free(d->pull);
	d->pull = NULL;
	/* What the last commits touched is judged during the grace period;
	 * a sweep is left to the next start, which judges every campaign. */
	eval_queue_sweep(d->evq, EVAL_SWEEP_NONE);
	if (!eval_queue_idle(d->evq))
		daemon_arm_judge(d, 0);
	event_del(d->ev_eval);
	event_del(d->ev_roll);
	event_del(d->ev_status);
	event_del(d->ev_prune);
	event_del(d->ev_mark);
	d->ev_stop_wait = event_new(d->base, -1, EV_PERSIST, daemon_stop_wait_cb, d);
	event_add(d->ev_stop_wait, &tv);
	daemon_stop_wait_cb(-1, 0, d);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon d;
	struct timeval tv;
	char *cause = NULL;
	const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	uint64_t wd;
	int ch, debug = 0, i;

	memset(&d, 0, sizeof d);
	d.config_path = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:S:dVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'S':
			d.state_override = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'V':
			printf("roiwatchd %s\n", ROIWATCH_VERSION);
			return 0;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (optind != argc)
		usage(0);
	if (d.state_override == NULL)
		d.state_override = getenv("STATE_DIRECTORY");
	log_init(debug, "roiwatchd");
	signal(SIGPIPE, SIG_IGN);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
	if ((d.cfg = config_load(d.config_path, d.state_override, &cause)) == NULL)
		fatalx("configuration: %s", cause);
	config_warn_insecure(d.cfg);
	if ((d.store = store_open_dir(d.cfg->state_dir, &cause)) == NULL)
		fatalx("database %s", cause);

	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	/* Three priorities; everything runs at the default (1) but judging,
	 * at 2: a slice runs only in a turn of the loop with nothing else to
	 * do, so a request never waits behind more than one slice. */
	if (event_base_priority_init(d.base, 3) != 0)
		fatalx("event_base_priority_init failed");
	for (i = 0; i < 3; i++) {
		d.ev_sig[i] = evsignal_new(d.base, sigs[i], daemon_signal_cb, &d);
		event_add(d.ev_sig[i], NULL);
	}
	if ((d.curl = curl_loop_new(d.base)) == NULL)
		fatalx("cannot start the transfer loop");
	/* The loop never waits long for another process's lock: writes
	 * that find the database busy are retried on a timer. */
	if (store_set_busy_timeout(d.store, DAEMON_BUSY_MSECS, &cause) != 0)
		fatalx("database: %s", cause);
	if ((d.ckpt = store_checkpointer_start(d.store, &cause)) == NULL) {
		log_warnx("database: %s; commits checkpoint instead", cause);
		free(cause);
		cause = NULL;
	}
	d.deliver = deliver_new(d.base, d.curl, d.store, d.cfg);
	d.evq = eval_queue_new();
	prom_hist_init(&d.judge_hist, judge_buckets,
	    sizeof judge_buckets / sizeof judge_buckets[0]);
	d.ev_judge = evtimer_new(d.base, daemon_judge_cb, &d);
	event_priority_set(d.ev_judge, 2);
	d.inbox = inbox_new(d.base, d.cfg, daemon_committed_cb, &d, &cause);
	if (d.inbox == NULL)
		fatalx("inbox: %s", cause);
	d.pull = pull_new(d.base, d.curl, d.store, d.cfg, daemon_committed_cb,
	    &d);
	if (d.cfg->listen_addr[0] != '\0') {
		d.http = http_server_new(d.base, d.store, d.cfg,
		    daemon_committed_cb, &d, &cause);
		if (d.http == NULL)
			fatalx("HTTP listener: %s", cause);
		/* A 2xx waits for the disk, the loop does not. */
		if ((d.syncer = store_syncer_start(d.store, &cause)) == NULL) {
			log_warnx("database: %s; commits sync themselves",
			    cause);
			free(cause);
			cause = NULL;
		} else
			http_server_set_syncer(d.http, d.syncer);
		http_server_set_metrics_hook(d.http, daemon_metrics_cb, &d);
		http_server_set_health_hook(d.http, daemon_health_cb, &d);
	}

	d.ev_eval = event_new(d.base, -1, EV_PERSIST, daemon_eval_cb, &d);
	d.ev_roll = evtimer_new(d.base, daemon_roll_cb, &d);
	daemon_arm_eval(&d);
	daemon_arm_roll(&d);
	d.ev_digest = evtimer_new(d.base, daemon_digest_cb, &d);
	daemon_arm_digest(&d, 0);
	d.ev_status = event_new(d.base, -1, EV_PERSIST, daemon_status_cb, &d);
	tv.tv_sec = STATUS_SECS;
	tv.tv_usec = 0;
	event_add(d.ev_status, &tv);
	d.ev_prune = event_new(d.base, -1, EV_PERSIST, daemon_prune_cb, &d);
	tv.tv_sec = PRUNE_SECS;
	event_add(d.ev_prune, &tv);
	d.ev_mark = event_new(d.base, -1, EV_PERSIST, daemon_mark_cb, &d);
	tv.tv_sec = 0;
	tv.tv_usec = MARK_EXPIRE_MSECS * 1000;
	event_add(d.ev_mark, &tv);
	if ((wd = sdnotify_watchdog_usec()) != 0) {
		d.ev_watchdog = event_new(d.base, -1, EV_PERSIST,
		    daemon_watchdog_cb, &d);
		tv.tv_sec = (time_t)(wd / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(wd / 2 % 1000000);
		event_add(d.ev_watchdog, &tv);
	}

	if (d.http != NULL)
		log_info("started: %zu client(s), state %s, inbox %s, HTTP on "
		    "%s port %d", d.cfg->nclients, d.cfg->state_dir,
		    d.cfg->inbox_dir, d.cfg->listen_addr,
		    http_server_port(d.http));
	else
		log_info("started: %zu client(s), state %s, inbox %s, no HTTP "
		    "listener", d.cfg->nclients, d.cfg->state_dir,
		    d.cfg->inbox_dir);
	sdnotify("READY=1");
	daemon_status_cb(-1, 0, &d);
	daemon_prune_cb(-1, 0, &d);
	/* Judge every campaign once: thresholds may have changed while the
	 * daemon was stopped, and a crash may have come between a commit and
	 * its evaluation. States are stored, so nothing already sent is sent
	 * again. In slices, once the loop runs: READY=1 is not held up. */
	daemon_judge_all(&d);
	daemon_release_held(&d);	/* quiet hours that ended meanwhile */
	deliver_kick(d.deliver);	/* items left from before a restart */

	event_base_dispatch(d.base);

	/* Order matters: transfers are aborted (their items stay pending) before
	 * the deliverer that owns their contexts goes away. */
	http_server_free(d.http);
	inbox_free(d.inbox);
	curl_loop_free(d.curl);
	pull_free(d.pull);
	deliver_free(d.deliver);
	event_free(d.ev_judge);
	eval_queue_free(d.evq);
	for (i = 0; i < 3; i++)
		event_free(d.ev_sig[i]);
	event_free(d.ev_eval);
	event_free(d.ev_roll);
	event_free(d.ev_digest);
	event_free(d.ev_status);
	event_free(d.ev_prune);
	event_free(d.ev_mark);
	if (d.ev_watchdog != NULL)
		event_free(d.ev_watchdog);
	if (d.ev_stop_wait != NULL)
		event_free(d.ev_stop_wait);
	store_syncer_stop(d.syncer);
	store_checkpointer_stop(d.ckpt);
	store_free(d.store);
	event_base_free(d.base);
	free(d.judge_error);
	config_free(d.cfg);
	curl_global_cleanup();
	log_info("stopped");
	return 0;
}
