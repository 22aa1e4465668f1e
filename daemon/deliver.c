/*
 * Delivery of the outbox. One libevent timer drives it: on a kick or when the
 * next item is due, deliver_run() fetches due items, oldest first, leaving out
 * those already in flight and those of a receiver or client at its
 * concurrency limit (so a receiver that hangs holds its own few slots, never
 * everyone's), and starts each one through its receiver type's operations
 * (deliver-internal.h; the types are in deliver-*.c): render the notice, send
 * it (in the curl loop, or at once for files), classify what came back.
 * E-mails (file and smtp) carry the item's idempotency key in the Message-ID
 * and in X-Roiwatch-Idempotency-Key, webhooks in Idempotency-Key, the same on
 * every resend.
 *
 * The verdict goes back to the store: done; retry at now + a jittered backoff
 * (or the receiver's Retry-After on 429 and 503); dead at once when the
 * receiver refused it for good (a 404, an SMTP 550), or once the item is
 * older than retry_give_up_secs. Every attempt is counted once, alike in the
 * row's attempts column, the log, the dead item's reason ("... after 3
 * attempts") and /metrics (deliver_get_stats); an item dropped without an
 * attempt (its receiver gone) counts none. Reasons stored and logged never
 * carry secrets (curl's error text and the response status only).
 *
 * Routing limits: a receiver with min_interval_msecs starts its next delivery
 * no sooner than that after its previous start (its items are left out of
 * the query meanwhile, so they never take another's place, and the timer
 * wakes when it may go again); before the first pass and then every
 * DELIVER_FOLD_MSECS a receiver's never-tried backlog beyond catchup_max is
 * folded into one summary (outbox-fold.c), items in flight left out.
 *
 * Each in-flight transfer has a struct deliver_job owned by this module; the
 * set of jobs is also the "in flight" set that keeps an item from being started
 * twice. deliver_free() orphans jobs whose callbacks have not run, so the curl
 * loop may be freed before or after it (see deliver.h).
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <inttypes.h>
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
#include "digest.h"
#include "log.h"
#include "notice.h"
#include "outbox-fold.h"
#include "store.h"
#include "xmalloc.h"

/* Concurrency limits when the configuration leaves them at 0. */
#define DELIVER_MAX_INFLIGHT	32
#define DELIVER_MAX_PER_CLIENT	8
#define DELIVER_MAX_PER_RECEIVER 4
#define DELIVER_MAX_ROUNDS	8	/* outbox queries per run, then yield */
#define DELIVER_MAX_DELAY	5	/* re-check the outbox at least this often:
					   items queued by `roiwatch ingest` */
#define DELIVER_MAX_KEY		200	/* longest idempotency key sent */
#define DELIVER_RECORD_MSECS	20	/* store locked: record outcomes then */
#define DELIVER_FOLD_MSECS	5000	/* catch-up: look for backlogs this often
					   (and before the first pass) */

/* When a receiver with a rate limit (min_interval_msecs) last started a
 * delivery: its next may start only that long after. */
struct deliver_pace {
	char			*client;
	char			*receiver;
	int64_t			 last_ms;	/* monotonic */
};

struct deliver {
	struct event_base	*base;
	struct curl_loop	*curl;
	struct store		*store;
	const struct config	*cfg;
	struct event		*timer;
	struct event		*record_timer;	/* unrecorded outcomes */
	LIST_HEAD(, deliver_job) jobs;
	size_t			 inflight;
	uint64_t		 rng;		/* jitter; seeded once */
	struct deliver_stats	 stats;
	struct deliver_pace	*pace;		/* rate-limited receivers */
	size_t			 npace;
	int64_t			 fold_ms;	/* next catch-up check */
};

/* The receiver types, one row each, indexed by enum receiver_type. */
static const struct receiver_ops *const deliver_receivers[] = {
	[RECEIVER_FILE] = &receiver_file_ops,
	[RECEIVER_WEBHOOK] = &receiver_webhook_ops,
	[RECEIVER_SMTP] = &receiver_smtp_ops,
	[RECEIVER_SENDMAIL] = &receiver_sendmail_ops,
	[RECEIVER_SLACK] = &receiver_slack_ops,
	[RECEIVER_TEAMS] = &receiver_teams_ops,
	[RECEIVER_DISCORD] = &receiver_discord_ops,
	[RECEIVER_MATTERMOST] = &receiver_mattermost_ops,
	[RECEIVER_GOOGLECHAT] = &receiver_googlechat_ops,
};
_Static_assert(sizeof deliver_receivers / sizeof deliver_receivers[0] ==
    RECEIVER_TYPE_MAX, "a receiver type without operations");

static void	deliver_run(struct deliver *);
static void	deliver_record_cb(evutil_socket_t, short, void *);
static void	deliver_recorded(struct deliver *, struct deliver_job *);
static void	deliver_job_end(struct deliver *, struct deliver_job *);
static void	deliver_next_part(struct deliver *, struct deliver_job *);
static void	deliver_done_cb(void *, int, long, const char *);
static void	deliver_pace_clear(struct deliver *);
static struct deliver_job *deliver_job_new(struct deliver *,
		    const struct outbox_item *, const struct receiver_ops *);
static void	deliver_start_digest(struct deliver *,
		    const struct outbox_item *, const struct receiver_conf *,
		    const struct receiver_ops *);
static void	deliver_send(struct deliver *, const struct outbox_item *,
		    const struct receiver_conf *, struct deliver_job *);
static int64_t	deliver_pace_interval(const struct deliver *, const char *,
		    const char *);

const struct receiver_ops *
deliver_receiver_ops(enum receiver_type type)
{
	if ((unsigned)type >= RECEIVER_TYPE_MAX)
		return (NULL);
	return (deliver_receivers[type]);
}

static void
deliver_arm(struct deliver *d, int64_t secs)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = 0;
	evtimer_add(d->timer, &tv);
}

static void
deliver_arm_msecs(struct deliver *d, int64_t msecs)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(msecs / 1000);
	tv.tv_usec = (suseconds_t)(msecs % 1000) * 1000;
	evtimer_add(d->timer, &tv);
}

static void
deliver_arm_record(struct deliver *d)
{
	struct timeval	tv = { 0, DELIVER_RECORD_MSECS * 1000 };

	if (!evtimer_pending(d->record_timer, NULL))
		evtimer_add(d->record_timer, &tv);
}

static void
deliver_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	(void)fd;
	(void)kind;
	deliver_run(arg);
}

struct deliver *
deliver_new(struct event_base *base, struct curl_loop *curl,
    struct store *store, const struct config *cfg)
{
	struct deliver	*d;

	d = xcalloc(1, sizeof *d);
	d->base = base;
	d->curl = curl;
	d->store = store;
	d->cfg = cfg;
	LIST_INIT(&d->jobs);
	if ((d->timer = evtimer_new(base, deliver_timer_cb, d)) == NULL ||
	    (d->record_timer = evtimer_new(base, deliver_record_cb,
	    d)) == NULL)
		fatalx("%s: evtimer_new failed", __func__);
	/* Jitter needs no secrecy, only daemons that differ. */
	if (getentropy(&d->rng, sizeof d->rng) != 0)
		d->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return (d);
}

/* The next random value for backoff_jitter() (splitmix64). */
static uint64_t
deliver_random(struct deliver *d)
{
	uint64_t	z;

	z = (d->rng += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return (z ^ (z >> 31));
}

void
deliver_job_free(struct deliver_job *job)
{
	size_t	i;

	free(job->client);
	free(job->receiver);
	free(job->key);
	if (job->parts != NULL) {	/* body points into parts */
		for (i = 0; i < job->nparts; i++)
			free(job->parts[i]);
		free(job->parts);
	} else
		free(job->body);
	curl_slist_free_all(job->headers);
	curl_slist_free_all(job->rcpt);
	free(job);
}

void
deliver_free(struct deliver *d)
{
	struct deliver_job	*job;

	if (d == NULL)
		return;
	/* Transfers still in the curl loop finish later: orphan them. A
	 * finished one whose outcome the locked store refused goes now: its
	 * item stays pending and is sent again (at least once). */
	while ((job = LIST_FIRST(&d->jobs)) != NULL) {
		LIST_REMOVE(job, entry);
		if (job->cancel != NULL) {
			/* A program still running: stopped; not an attempt. */
			job->cancel(job);
			log_info("notice %" PRId64 " of client %s to receiver "
			    "%s interrupted by shutdown; kept in the outbox",
			    job->id, job->client, job->receiver);
			deliver_job_free(job);
		} else if (job->unrecorded) {
			log_warnx("notice %" PRId64 ": outcome not recorded (the "
			    "database stayed locked); it will be sent again",
			    job->id);
			deliver_job_free(job);
		} else
			job->d = NULL;
	}
	event_free(d->timer);
	event_free(d->record_timer);
	deliver_pace_clear(d);
	free(d);
}

void
deliver_set_config(struct deliver *d, const struct config *cfg)
{
	d->cfg = cfg;
}

void
deliver_kick(struct deliver *d)
{
	deliver_arm(d, 0);
}

size_t
deliver_inflight(const struct deliver *d)
{
	return (d == NULL ? 0 : d->inflight);
}

void
deliver_get_stats(const struct deliver *d, struct deliver_stats *st)
{
	*st = d->stats;
}

/* "1 attempt", "3 attempts" */
static const char *
deliver_plural(int64_t n)
{
	return (n == 1 ? "" : "s");
}

/*
 * Record the outcome of one attempt of a job in the store and log it (the
 * attempt is counted in the row by each of done, retry and dead). Returns 1
 * when the store was locked by another connection (the caller keeps the
 * outcome and records it later), else 0: other storage errors are logged;
 * the item then stays pending and is tried again (a second delivery beats a
 * lost one).
 */
static int
deliver_outcome(struct deliver *d, const struct deliver_job *job,
    const struct deliver_outcome *o)
{
	int64_t	 now = (int64_t)time(NULL), next, n = job->attempts + 1;
	char	*cause = NULL, *msg, esc[512];
	int	 expired;

	if (o->verdict == DELIVER_DELIVERED && job->part + 1 < job->nparts) {
		/* A part short of the last: counted, and the next is sent. */
		if (store_outbox_part_done(d->store, job->id,
		    (int64_t)job->part + 1, &cause) != 0)
			goto fail;
		d->stats.attempts_delivered++;
		log_info("delivered part %zu/%zu of notice %" PRId64 " of "
		    "client %s to receiver %s (attempt %" PRId64 ")",
		    job->part + 1, job->nparts, job->id, job->client,
		    job->receiver, n);
		return (0);
	}
	if (o->verdict == DELIVER_DELIVERED) {
		if (store_outbox_done(d->store, job->id, now, &cause) != 0)
			goto fail;
		d->stats.attempts_delivered++;
		log_info("delivered notice %" PRId64 " of client %s to receiver "
		    "%s (attempt %" PRId64 ")", job->id, job->client,
		    job->receiver, n);
		return (0);
	}
	expired = now - job->created > d->cfg->retry_give_up_secs;
	if (o->verdict == DELIVER_PERMANENT || expired) {
		xasprintf(&msg, "%s (%s after %" PRId64 " attempt%s)", o->reason,
		    o->verdict == DELIVER_PERMANENT ? "permanent failure," :
		    "given up", n, deliver_plural(n));
		if (store_outbox_failed(d->store, job->id, now, msg,
		    &cause) != 0) {
			free(msg);
			goto fail;
		}
		free(msg);
		d->stats.attempts_dead++;
		log_escape(o->reason, strlen(o->reason), esc, sizeof esc);
		log_warnx("giving up notice %" PRId64 " of client %s to receiver "
		    "%s after %" PRId64 " attempt%s: %s (%s)", job->id,
		    job->client, job->receiver, n, deliver_plural(n), esc,
		    o->verdict == DELIVER_PERMANENT ? "permanent failure" :
		    "retry_give_up_secs passed");
		return (0);
	}
	next = now + backoff_retry_delay(n, d->cfg->retry_initial_secs,
	    d->cfg->retry_max_secs, o->retry_after, deliver_random(d));
	if (store_outbox_retry(d->store, job->id, next, o->reason,
	    &cause) != 0)
		goto fail;
	d->stats.attempts_retry++;
	log_escape(o->reason, strlen(o->reason), esc, sizeof esc);
	log_warnx("notice %" PRId64 " of client %s to receiver %s: attempt %"
	    PRId64 " failed: %s; retry in %" PRId64 "s%s", job->id, job->client,
	    job->receiver, n, esc, next - now, o->retry_after >= 0 ?
	    " (as its Retry-After asks)" : "");
	return (0);

fail:
	if (store_busy(d->store)) {
		/* Locked by another process (a backfill): not lost, kept
		 * and recorded on a timer, so never sent twice for it. */
		log_debug("notice %" PRId64 ": outcome kept for later: %s",
		    job->id, cause);
		free(cause);
		return (1);
	}
	log_warnx("notice %" PRId64 ": %s", job->id, cause);
	free(cause);
	return (0);
}

/*
 * Drop an item that can never be delivered (no receiver, bad payload): dead
 * without an attempt.
 */
static void
deliver_dead(struct deliver *d, const struct outbox_item *it,
    const char *reason)
{
	char	*cause = NULL, esc[512];

	if (store_outbox_dead(d->store, it->id, (int64_t)time(NULL), reason,
	    &cause) != 0) {
		log_warnx("notice %" PRId64 ": %s", it->id, cause);
		free(cause);
	}
	log_escape(reason, strlen(reason), esc, sizeof esc);
	log_warnx("notice %" PRId64 " of client %s to receiver %s dropped: %s",
	    it->id, it->client, it->receiver, esc);
}

/*
 * An idempotency key fit for a header line: printable ASCII without spaces,
 * 1 to DELIVER_MAX_KEY characters. The store makes keys so; a row changed by
 * other hands is refused rather than allowed to write headers of its own.
 */
static int
deliver_key_ok(const char *key)
{
	size_t	n;

	if (key == NULL)
		return (0);
	for (n = 0; key[n] != '\0'; n++) {
		if ((unsigned char)key[n] <= ' ' || (unsigned char)key[n] >= 0x7f)
			return (0);
	}
	return (n > 0 && n <= DELIVER_MAX_KEY);
}

/*
 * An attempt ended: judge it with its type's rules and record the outcome.
 * The job leaves the in-flight set unless the locked store kept it there.
 */
static void
deliver_finish(struct deliver *d, struct deliver_job *job,
    const struct deliver_result *res)
{
	job->ops->classify(res, (int64_t)time(NULL), &job->outcome);
	if (deliver_outcome(d, job, &job->outcome) == 1) {
		job->unrecorded = 1;
		deliver_arm_record(d);
		return;
	}
	deliver_recorded(d, job);
}

/* Whether a job's outcome recorded calls for its next part. */
static int
deliver_more_parts(const struct deliver_job *job)
{
	return (job->outcome.verdict == DELIVER_DELIVERED &&
	    job->part + 1 < job->nparts);
}

/*
 * The outcome of a job's attempt is recorded: send its next part at once,
 * or end the job.
 */
static void
deliver_recorded(struct deliver *d, struct deliver_job *job)
{
	if (deliver_more_parts(job)) {
		/* A rate-limited receiver (chat services throttle near a
		 * message a second) takes the next part when its interval
		 * has passed: the item stays due, and the scheduler resumes
		 * it at its first part not delivered. */
		if (job->id >= 0 && deliver_pace_interval(d, job->client,
		    job->receiver) > 0) {
			deliver_job_end(d, job);
			return;
		}
		deliver_next_part(d, job);
		return;
	}
	deliver_job_end(d, job);
}

/* The job leaves the in-flight set. */
static void
deliver_job_end(struct deliver *d, struct deliver_job *job)
{
	LIST_REMOVE(job, entry);
	d->inflight--;
	/* A slot is free and more may be due: look again once we return. */
	deliver_kick(d);
	deliver_job_free(job);
}

/* Transfer finished (or aborted by curl_loop_free). */
static void
deliver_done_cb(void *arg, int ok, long status, const char *error)
{
	struct deliver_job	*job = arg;
	struct deliver		*d = job->d;
	struct deliver_result	 res;

	if (d == NULL) {
		/* deliver_free ran first; the item stays pending. */
		deliver_job_free(job);
		return;
	}
	if (!ok && error != NULL && strcmp(error, CURL_LOOP_SHUTDOWN) == 0) {
		LIST_REMOVE(job, entry);
		d->inflight--;
		/* Not an attempt: the item stays pending for the next start. */
		log_info("notice %" PRId64 " of client %s to receiver %s "
		    "interrupted by shutdown; kept in the outbox", job->id,
		    job->client, job->receiver);
		deliver_job_free(job);
		return;
	}
	memset(&res, 0, sizeof res);
	res.ok = ok;
	res.status = status;
	res.error = ok ? NULL : error;
	res.retry_after = job->retry_after;
	res.status_text = job->status_text;
	deliver_finish(d, job, &res);
}

struct event_base *
deliver_job_base(const struct deliver_job *job)
{
	return (job->base != NULL ? job->base : job->d->base);
}

void
deliver_job_done(struct deliver_job *job, int ok, long status,
    const char *error)
{
	if (job->done != NULL)
		job->done(job, ok, status, error);
	else
		deliver_done_cb(job, ok, status, error);
}

/* Record the outcomes the locked store refused, as soon as it is free. */
static void
deliver_record_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct deliver		*d = arg;
	struct deliver_job	*job, *next;
	int			 left = 0;

	(void)fd;
	(void)kind;
	for (job = LIST_FIRST(&d->jobs); job != NULL; job = next) {
		next = LIST_NEXT(job, entry);
		if (!job->unrecorded)
			continue;
		if (deliver_outcome(d, job, &job->outcome) == 1) {
			left++;
			continue;
		}
		job->unrecorded = 0;
		if (deliver_more_parts(job)) {
			deliver_next_part(d, job);
			continue;
		}
		LIST_REMOVE(job, entry);
		d->inflight--;
		deliver_job_free(job);
	}
	if (left > 0)
		deliver_arm_record(d);
	else
		deliver_kick(d);
}

CURL *
deliver_easy(const struct receiver_conf *r, const struct config *cfg,
    const char *protocols)
{
	CURL	*easy;
	long	 timeout = (long)(r->timeout_secs > 0 ? r->timeout_secs :
		    cfg->delivery_timeout_secs);

	if ((easy = curl_easy_init()) == NULL)
		fatalx("%s: curl_easy_init failed", __func__);
	curl_easy_setopt(easy, CURLOPT_URL, r->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (r->ca_file != NULL)
		curl_easy_setopt(easy, CURLOPT_CAINFO, r->ca_file);
	if (timeout > 0) {
		curl_easy_setopt(easy, CURLOPT_TIMEOUT, timeout);
		curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, timeout);
	}
	return (easy);
}

/*
 * A message in parts: start at the first part not delivered (the outbox
 * keeps count), so that a retry never sends a part twice. -1 when the job
 * is over already (freed): the store could not say (the item stays pending
 * for the next pass), or every part was delivered (the item is done).
 */
static int
deliver_resume(struct deliver *d, const struct outbox_item *it,
    struct deliver_job *job)
{
	int64_t	 done;
	char	*cause = NULL;

	if ((done = store_outbox_parts_done(d->store, it->id, &cause)) < 0) {
		log_warnx("notice %" PRId64 ": %s", it->id, cause);
		free(cause);
		deliver_job_free(job);
		return (-1);
	}
	if ((uint64_t)done < job->nparts) {
		job->part = (size_t)done;
		if (done > 0)
			log_info("notice %" PRId64 " of client %s to receiver "
			    "%s: resuming at part %zu/%zu", it->id, it->client,
			    it->receiver, job->part + 1, job->nparts);
		return (0);
	}
	/* The receiver renders fewer parts than were delivered (its type
	 * changed): nothing is left to send. */
	log_warnx("notice %" PRId64 " of client %s to receiver %s: all %zu "
	    "part(s) delivered already", it->id, it->client, it->receiver,
	    job->nparts);
	if (store_outbox_done(d->store, it->id, (int64_t)time(NULL),
	    &cause) != 0) {
		log_warnx("notice %" PRId64 ": %s", it->id, cause);
		free(cause);
	}
	deliver_job_free(job);
	return (-1);
}

/*
 * Send the next part of a job whose part was just taken, at once, in the
 * same slot. The receiver is looked up again (the configuration may have
 * been reloaded): gone or of another type, the job ends without an attempt
 * and the item stays pending (the next pass judges it afresh).
 */
static void
deliver_next_part(struct deliver *d, struct deliver_job *job)
{
	const struct client_conf	*cc;
	const struct receiver_conf	*r = NULL;
	struct deliver_result		 res;
	CURL				*easy = NULL;
	char				*cause = NULL, esc[512];

	if ((cc = config_client(d->cfg, job->client)) != NULL)
		r = config_receiver(cc, job->receiver);
	if (r == NULL || deliver_receiver_ops(r->type) != job->ops) {
		log_info("notice %" PRId64 " of client %s: receiver %s changed;"
		    " parts after %zu/%zu wait for the next pass", job->id,
		    job->client, job->receiver, job->part + 1, job->nparts);
		deliver_job_end(d, job);
		return;
	}
	job->part++;
	job->attempts++;
	job->body = job->parts[job->part];
	job->len = strlen(job->body);
	job->off = 0;
	curl_slist_free_all(job->headers);
	job->headers = NULL;
	job->ok = 0;
	job->error[0] = job->retry_after[0] = job->status_text[0] = '\0';
	memset(&job->outcome, 0, sizeof job->outcome);
	memset(&res, 0, sizeof res);
	res.retry_after = res.status_text = "";
	if (job->ops->send(job, r, d->cfg, &easy, &cause) != 0) {
		/* Not an attempt: the item stays pending, as above. */
		log_escape(cause, strlen(cause), esc, sizeof esc);
		log_warnx("notice %" PRId64 " of client %s to receiver %s: "
		    "part %zu/%zu not sent: %s", job->id, job->client,
		    job->receiver, job->part + 1, job->nparts, esc);
		free(cause);
		if (easy != NULL)
			curl_easy_cleanup(easy);
		deliver_job_end(d, job);
		return;
	}
	if (easy == NULL) {
		res.ok = job->ok;
		res.error = job->ok ? NULL : job->error;
		deliver_finish(d, job, &res);
		return;
	}
	if (curl_loop_add(d->curl, easy, deliver_done_cb, job) != 0) {
		res.error = "could not start transfer";
		deliver_finish(d, job, &res);
	}
}

/*
 * Start delivering one due item that is not in flight: render the notice
 * for its receiver's type and send it. A synchronous send (file) is judged
 * at once; a transfer when the curl loop reports its end.
 */
static void
deliver_start(struct deliver *d, const struct outbox_item *it)
{
	const struct client_conf	*cc;
	const struct receiver_conf	*r;
	const struct receiver_ops	*ops;
	struct notice			*n;
	struct deliver_job		*job;
	char				*cause = NULL;

	if ((cc = config_client(d->cfg, it->client)) == NULL) {
		deliver_dead(d, it, "client no longer configured");
		return;
	}
	if ((r = config_receiver(cc, it->receiver)) == NULL) {
		deliver_dead(d, it, "receiver no longer configured");
		return;
	}
	if ((ops = deliver_receiver_ops(r->type)) == NULL) {
		deliver_dead(d, it, "unknown receiver type");
		return;
	}
	if (!deliver_key_ok(it->idem_key)) {
		deliver_dead(d, it, "bad idempotency key");
		return;
	}
	if (digest_payload_is(it->payload)) {
		deliver_start_digest(d, it, r, ops);
		return;
	}
	if ((n = notice_from_json(it->payload, &cause)) == NULL) {
		deliver_dead(d, it, cause);
		free(cause);
		return;
	}
	if (n->nunreadable > 0)
		log_warnx("notice %" PRId64 " of client %s: %zu event(s) left "
		    "out, unreadable: %s", it->id, it->client, n->nunreadable,
		    n->unreadable_why);

	job = deliver_job_new(d, it, ops);
	if (ops->render_parts != NULL) {
		job->nparts = ops->render_parts(n, r, &job->parts);
		notice_free(n);
		if (deliver_resume(d, it, job) != 0)
			return;
		job->body = job->parts[job->part];
	} else {
		job->body = ops->render(n, r, job->key, (int64_t)time(NULL));
		notice_free(n);
	}
	deliver_send(d, it, r, job);
}

/* A job for one outbox item, its message not rendered yet. */
static struct deliver_job *
deliver_job_new(struct deliver *d, const struct outbox_item *it,
    const struct receiver_ops *ops)
{
	struct deliver_job	*job;

	job = xcalloc(1, sizeof *job);
	job->d = d;
	job->ops = ops;
	job->id = it->id;
	job->created = it->created;
	job->attempts = it->attempts;
	job->client = xstrdup(it->client);
	job->receiver = xstrdup(it->receiver);
	job->key = xstrdup(it->idem_key);
	job->nparts = 1;
	return (job);
}

/*
 * A digest (digest-payload.c): rendered for the receiver's type from the
 * payload, in parts like a chat notice (a retry resumes at the first part
 * not delivered), then sent as a notice is.
 */
static void
deliver_start_digest(struct deliver *d, const struct outbox_item *it,
    const struct receiver_conf *r, const struct receiver_ops *ops)
{
	struct digest		*dg;
	struct deliver_job	*job;
	char			*cause = NULL;

	if ((dg = digest_from_payload(it->payload, &cause)) == NULL) {
		deliver_dead(d, it, cause);
		free(cause);
		return;
	}
	job = deliver_job_new(d, it, ops);
	job->nparts = ops->render_digest(dg, r, job->key, &job->parts);
	digest_free(dg);
	if (deliver_resume(d, it, job) != 0)
		return;
	job->body = job->parts[job->part];
	deliver_send(d, it, r, job);
}

/* Send a job's (first) message, rendered into job->body. */
static void
deliver_send(struct deliver *d, const struct outbox_item *it,
    const struct receiver_conf *r, struct deliver_job *job)
{
	const struct receiver_ops	*ops = job->ops;
	struct deliver_result		 res;
	CURL				*easy = NULL;
	char				*cause = NULL, *why;

	job->len = strlen(job->body);
	if (ops->send(job, r, d->cfg, &easy, &cause) != 0) {
		xasprintf(&why, "receiver: %s", cause);
		deliver_dead(d, it, why);
		free(why);
		free(cause);
		if (easy != NULL)
			curl_easy_cleanup(easy);
		deliver_job_free(job);
		return;
	}
	LIST_INSERT_HEAD(&d->jobs, job, entry);
	d->inflight++;
	if (job->cancel != NULL)
		return;		/* running beside the loop: deliver_job_done() */
	if (easy == NULL) {
		/* Sent (or not) already. */
		memset(&res, 0, sizeof res);
		res.ok = job->ok;
		res.error = job->ok ? NULL : job->error;
		res.retry_after = res.status_text = "";
		deliver_finish(d, job, &res);
		return;
	}
	if (curl_loop_add(d->curl, easy, deliver_done_cb, job) != 0) {
		memset(&res, 0, sizeof res);
		res.error = "could not start transfer";
		res.retry_after = res.status_text = "";
		deliver_finish(d, job, &res);
	}
}

/* A limit from the configuration; 0 (not set, as in tests) is the default. */
static size_t
deliver_limit(int64_t v, size_t def)
{
	return (v > 0 ? (size_t)v : def);
}

/* How many deliveries may run at once to this item's client and receiver. */
static void
deliver_limits(const struct deliver *d, const char *client,
    const char *receiver, size_t *per_client, size_t *per_receiver)
{
	const struct client_conf	*cc;
	const struct receiver_conf	*r = NULL;

	*per_client = deliver_limit(d->cfg->delivery_max_in_flight_per_client,
	    DELIVER_MAX_PER_CLIENT);
	*per_receiver = deliver_limit(
	    d->cfg->delivery_max_in_flight_per_receiver,
	    DELIVER_MAX_PER_RECEIVER);
	if ((cc = config_client(d->cfg, client)) != NULL)
		r = config_receiver(cc, receiver);
	if (r != NULL && r->max_in_flight > 0)
		*per_receiver = (size_t)r->max_in_flight;
}

/* Deliveries in flight to a client's receivers, and to one of them. */
static void
deliver_count(const struct deliver *d, const char *client,
    const char *receiver, size_t *nclient, size_t *nreceiver)
{
	const struct deliver_job	*job;

	*nclient = *nreceiver = 0;
	LIST_FOREACH(job, &d->jobs, entry) {
		if (strcmp(job->client, client) != 0)
			continue;
		(*nclient)++;
		if (strcmp(job->receiver, receiver) == 0)
			(*nreceiver)++;
	}
}

/* Whether the client or the receiver of an item has no slot left. */
static int
deliver_saturated(const struct deliver *d, const char *client,
    const char *receiver)
{
	size_t	per_client, per_receiver, nclient, nreceiver;

	deliver_limits(d, client, receiver, &per_client, &per_receiver);
	deliver_count(d, client, receiver, &nclient, &nreceiver);
	return (nclient >= per_client || nreceiver >= per_receiver);
}

/*
 * What the outbox query must leave out: the items in flight, and every item
 * of a client or receiver at its limit. The strings point into the jobs,
 * which stay put until the query is done.
 */
struct deliver_skip {
	struct outbox_skip	  s;
	int64_t			 *ids;
	const char		**clients;
	const char		**rclients;
	const char		**receivers;
};

static void	deliver_pace_skip(const struct deliver *, struct deliver_skip *);

static void
deliver_skip_build(const struct deliver *d, struct deliver_skip *sk)
{
	const struct deliver_job	*job, *prev;
	size_t				 n = 0, i, per_client, per_receiver;
	size_t				 nclient, nreceiver;
	int				 seen_client, seen_receiver;

	LIST_FOREACH(job, &d->jobs, entry)
		n++;
	memset(sk, 0, sizeof *sk);
	sk->ids = xcalloc(n + 1, sizeof *sk->ids);
	sk->clients = xcalloc(n + 1, sizeof *sk->clients);
	sk->rclients = xcalloc(n + d->npace + 1, sizeof *sk->rclients);
	sk->receivers = xcalloc(n + d->npace + 1, sizeof *sk->receivers);
	LIST_FOREACH(job, &d->jobs, entry) {
		if (job->id >= 0)
			sk->ids[sk->s.nids++] = job->id;
		/* Judge each client and receiver once, at its first job. */
		seen_client = seen_receiver = 0;
		for (prev = LIST_FIRST(&d->jobs); prev != job;
		    prev = LIST_NEXT(prev, entry)) {
			if (strcmp(prev->client, job->client) != 0)
				continue;
			seen_client = 1;
			if (strcmp(prev->receiver, job->receiver) == 0)
				seen_receiver = 1;
		}
		if (seen_receiver)
			continue;
		deliver_limits(d, job->client, job->receiver, &per_client,
		    &per_receiver);
		deliver_count(d, job->client, job->receiver, &nclient,
		    &nreceiver);
		if (!seen_client && nclient >= per_client)
			sk->clients[sk->s.nclients++] = job->client;
		if (nreceiver >= per_receiver) {
			i = sk->s.nreceivers++;
			sk->rclients[i] = job->client;
			sk->receivers[i] = job->receiver;
		}
	}
	deliver_pace_skip(d, sk);
	sk->s.ids = sk->ids;
	sk->s.clients = sk->clients;
	sk->s.rclients = sk->rclients;
	sk->s.receivers = sk->receivers;
}

static void
deliver_skip_free(struct deliver_skip *sk)
{
	free(sk->ids);
	free(sk->clients);
	free(sk->rclients);
	free(sk->receivers);
}

/* ---- Rate limits (min_interval_msecs) and catch-up ---- */

static int64_t
deliver_msecs(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* A receiver's min_interval_msecs as configured now (0: none). */
static int64_t
deliver_pace_interval(const struct deliver *d, const char *client,
    const char *receiver)
{
	const struct client_conf	*cc;
	const struct receiver_conf	*r;

	if ((cc = config_client(d->cfg, client)) == NULL ||
	    (r = config_receiver(cc, receiver)) == NULL)
		return (0);
	return (r->min_interval_msecs > 0 ? r->min_interval_msecs : 0);
}

static struct deliver_pace *
deliver_pace_find(const struct deliver *d, const char *client,
    const char *receiver)
{
	size_t	i;

	for (i = 0; i < d->npace; i++)
		if (strcmp(d->pace[i].client, client) == 0 &&
		    strcmp(d->pace[i].receiver, receiver) == 0)
			return (&d->pace[i]);
	return (NULL);
}

/* Milliseconds before the receiver may start its next delivery (0: now). */
static int64_t
deliver_pace_wait(const struct deliver *d, const char *client,
    const char *receiver, int64_t now_ms)
{
	const struct deliver_pace	*p;
	int64_t				 wait;

	if ((p = deliver_pace_find(d, client, receiver)) == NULL)
		return (0);
	wait = p->last_ms + deliver_pace_interval(d, client, receiver) -
	    now_ms;
	return (wait > 0 ? wait : 0);
}

/* A delivery to the receiver starts now: remember when, if it is limited. */
static void
deliver_pace_note(struct deliver *d, const char *client, const char *receiver,
    int64_t now_ms)
{
	struct deliver_pace	*p;

	if (deliver_pace_interval(d, client, receiver) == 0)
		return;
	if ((p = deliver_pace_find(d, client, receiver)) == NULL) {
		d->pace = xreallocarray(d->pace, d->npace + 1, sizeof *d->pace);
		p = &d->pace[d->npace++];
		p->client = xstrdup(client);
		p->receiver = xstrdup(receiver);
	}
	p->last_ms = now_ms;
}

/* Forget the receivers whose interval has passed: the list stays as short
 * as the receivers still waiting. */
static void
deliver_pace_prune(struct deliver *d, int64_t now_ms)
{
	size_t	i = 0;

	while (i < d->npace) {
		if (deliver_pace_wait(d, d->pace[i].client, d->pace[i].receiver,
		    now_ms) > 0) {
			i++;
			continue;
		}
		free(d->pace[i].client);
		free(d->pace[i].receiver);
		d->pace[i] = d->pace[--d->npace];
	}
}

static void
deliver_pace_clear(struct deliver *d)
{
	while (d->npace > 0)
		deliver_pace_prune(d, INT64_MAX / 2);
	free(d->pace);
	d->pace = NULL;
}

/* The receivers still waiting, for the outbox query to leave out: their
 * items never take a batch's places from others'. */
static void
deliver_pace_skip(const struct deliver *d, struct deliver_skip *sk)
{
	int64_t	now_ms = deliver_msecs();
	size_t	i, k;

	for (i = 0; i < d->npace; i++) {
		if (deliver_pace_wait(d, d->pace[i].client,
		    d->pace[i].receiver, now_ms) == 0)
			continue;
		k = sk->s.nreceivers++;
		sk->rclients[k] = d->pace[i].client;
		sk->receivers[k] = d->pace[i].receiver;
	}
}

/* Milliseconds until the first waiting receiver may go again (0: none). */
static int64_t
deliver_pace_next(const struct deliver *d, int64_t now_ms)
{
	int64_t	w, min = 0;
	size_t	i;

	for (i = 0; i < d->npace; i++) {
		w = deliver_pace_wait(d, d->pace[i].client, d->pace[i].receiver,
		    now_ms);
		if (w > 0 && (min == 0 || w < min))
			min = w;
	}
	return (min);
}

/*
 * Catch-up: before the first pass (the backlog of a downtime) and then every
 * DELIVER_FOLD_MSECS, fold each receiver's never-tried backlog beyond
 * catchup_max into one summary (outbox-fold.c), items in flight left out.
 */
static void
deliver_catchup(struct deliver *d, int64_t now_ms)
{
	const struct deliver_job	*job;
	int64_t				*ids;
	size_t				 n = 0;
	char				*cause = NULL;

	if (d->cfg->catchup_max <= 0 || now_ms < d->fold_ms)
		return;
	d->fold_ms = now_ms + DELIVER_FOLD_MSECS;
	LIST_FOREACH(job, &d->jobs, entry)
		n++;
	ids = xcalloc(n + 1, sizeof *ids);
	n = 0;
	LIST_FOREACH(job, &d->jobs, entry)
		if (job->id >= 0)
			ids[n++] = job->id;
	if (outbox_fold(d->store, d->cfg->catchup_max, ids, n, &cause) == -1) {
		/* A backfill holding the lock: next time. */
		log_warnx("catch-up: %s", cause);
		free(cause);
	}
	free(ids);
}

/*
 * One pass: start what is due and free to start, then arm the timer for the
 * next due item (at least 1 s away, at most DELIVER_MAX_DELAY).
 *
 * Fairness: each query asks for as many items as there are free slots,
 * oldest first, without those in flight and those of saturated receivers and
 * clients, so a receiver with thousands of due items cannot fill the batch of
 * another's single one. Starting items may saturate a receiver within the
 * batch: its further items are skipped and, when the batch was full, the
 * query runs again without them. After DELIVER_MAX_ROUNDS full batches (file
 * receivers deliver synchronously, so a backlog of them keeps every batch
 * full) the pass yields to the loop and runs again at once.
 */
static void
deliver_run(struct deliver *d)
{
	struct outbox_item	*items = NULL;
	struct deliver_skip	 sk;
	int64_t			 now = (int64_t)time(NULL), next, delay;
	int64_t			 now_ms = deliver_msecs(), pace_ms;
	size_t			 max;
	char			*cause = NULL;
	int			 n, i, limit, round, started, more = 0;

	deliver_catchup(d, now_ms);
	deliver_pace_prune(d, now_ms);
	max = deliver_limit(d->cfg->delivery_max_in_flight,
	    DELIVER_MAX_INFLIGHT);
	for (round = 0; d->inflight < max; round++) {
		if (round == DELIVER_MAX_ROUNDS) {
			more = 1;
			break;
		}
		limit = (int)(max - d->inflight);
		deliver_skip_build(d, &sk);
		n = store_outbox_due_except(d->store, now, limit, &sk.s, &items,
		    &cause);
		deliver_skip_free(&sk);
		if (n < 0) {
			log_warnx("outbox: %s", cause);
			free(cause);
			break;
		}
		started = 0;
		for (i = 0; i < n && d->inflight < max; i++) {
			if (deliver_saturated(d, items[i].client,
			    items[i].receiver) || deliver_pace_wait(d,
			    items[i].client, items[i].receiver, now_ms) > 0)
				continue;
			deliver_start(d, &items[i]);
			deliver_pace_note(d, items[i].client, items[i].receiver,
			    now_ms);
			started++;
		}
		store_outbox_items_free(items, n);
		/* A batch short of its limit held every item free to go. */
		if (n < limit || started == 0)
			break;
	}
	if (more) {
		deliver_arm(d, 0);
		return;
	}
	next = store_outbox_next_at(d->store);
	delay = next == 0 ? DELIVER_MAX_DELAY : next - now;
	if (delay < 1)
		delay = 1;
	if (delay > DELIVER_MAX_DELAY)
		delay = DELIVER_MAX_DELAY;
	/* A rate-limited receiver may go again sooner than a second. */
	if ((pace_ms = deliver_pace_next(d, now_ms)) > 0 &&
	    pace_ms < delay * 1000) {
		deliver_arm_msecs(d, pace_ms);
		return;
	}
	deliver_arm(d, delay);
}
