/*
 * Inside delivery: what deliver.c (the outbox, its scheduler and limits) and
 * the receiver types share. Not for other modules: they use deliver.h.
 *
 * deliver.c          the timer, fair limits, the table of receiver types,
 *                    outcomes recorded in the store
 * deliver-http.c     what every HTTP receiver shares: the curl handle, the
 *                    answer's status and Retry-After, the outcome rules
 * deliver-file.c     file receivers: the e-mail written into a directory
 * deliver-webhook.c  webhook receivers: signed JSON POST
 * deliver-smtp.c     smtp receivers, and the e-mail of a notice
 * deliver-sendmail.c sendmail receivers: the e-mail piped to a local program
 * deliver-chat.c     chat receivers (slack, teams, discord, mattermost,
 *                    googlechat): chat.h's messages POSTed one by one
 *
 * A receiver type is one struct receiver_ops (tmux's cmd_entry, OpenSMTPD's
 * table backends): its name, how it renders a notice, how it sends the
 * rendered message and how it judges what came back. deliver.c never looks
 * at the type otherwise; a new type is one file and one row of the table in
 * deliver.c (and its options in config-table.c).
 */
#ifndef ROIWATCH_DELIVER_INTERNAL_H
#define ROIWATCH_DELIVER_INTERNAL_H
#include <sys/queue.h>

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "deliver.h"

struct digest;
struct event;
struct notice;

/* What follows one attempt. */
enum deliver_verdict {
	DELIVER_DELIVERED,	/* the receiver took it: done */
	DELIVER_RETRY,		/* transient: again after a backoff (or the
				   wait the receiver asked for) */
	DELIVER_PERMANENT,	/* will never be taken: dead at once */
	DELIVER_VERDICT_MAX
};

/* One attempt as the sender saw it end; the strings are never NULL but
 * error, which is set only when !ok. */
struct deliver_result {
	int		 ok;		/* completed at the protocol level */
	long		 status;	/* HTTP status or last SMTP reply; 0: none */
	const char	*error;		/* why it did not complete, or NULL */
	const char	*retry_after;	/* HTTP: the Retry-After value, or "" */
	const char	*status_text;	/* HTTP: the reason phrase, or "" */
};

/* A receiver type's judgement of a result. */
struct deliver_outcome {
	enum deliver_verdict verdict;
	int64_t		 retry_after;	/* seconds the receiver asked to wait
					   (RETRY), or -1: the backoff decides */
	char		 reason[256];	/* when not delivered; never a secret */
};

/*
 * A delivery in progress (one attempt of one outbox item, or a test). The
 * set of jobs is the "in flight" set that keeps an item from being started
 * twice; deliver.c owns them.
 */
struct deliver_job {
	struct deliver		*d;		/* NULL once orphaned */
	const struct receiver_ops *ops;
	int64_t			 id;		/* outbox id; -1: a probe (test-notify) */
	int64_t			 created;
	int64_t			 attempts;	/* made before this one */
	char			*client;
	char			*receiver;
	char			*key;		/* idempotency key */
	char			*body;		/* the rendered message (the
						   part being sent) */
	size_t			 len;
	/* A message in several parts (render_parts): all of them, and the
	 * one being sent; body points into parts. nparts is 1 otherwise. */
	char			**parts;
	size_t			 nparts;
	size_t			 part;		/* 0-based */
	size_t			 off;		/* upload position */
	struct curl_slist	*headers;	/* HTTP request headers */
	struct curl_slist	*rcpt;		/* smtp */
	/* The result of a synchronous send (file), or what an HTTP answer
	 * said besides its status. */
	int			 ok;
	char			 error[256];
	char			 retry_after[64]; /* the header, or "" */
	char			 status_text[64]; /* the reason phrase, or "" */
	/* Finished, but the store was locked when its outcome was to be
	 * recorded: kept (still "in flight", so never started again) until
	 * deliver_record_cb() records it. */
	int			 unrecorded;
	/* A send that runs beside the loop without curl (sendmail): set by
	 * send() with *easy NULL; deliver_job_done() reports its end, and
	 * deliver_free() calls cancel() on one still running (the item
	 * stays pending). */
	void			*proc;
	void			(*cancel)(struct deliver_job *);
	struct deliver_outcome	 outcome;
	LIST_ENTRY(deliver_job)	 entry;
	/* Not deliver.c's job (deliver-probe.c): the loop a background send
	 * runs in, and who hears its end instead of deliver.c. */
	struct event_base	*base;
	void			(*done)(struct deliver_job *, int ok,
				    long status, const char *error);
	void			*done_arg;
};

struct receiver_ops {
	const char	*name;		/* as in the configuration's "type" */
	enum receiver_type type;
	/* The message of a notice for this receiver (caller frees): now is
	 * the time it is rendered at, key the item's idempotency key. */
	char		*(*render)(const struct notice *,
			    const struct receiver_conf *, const char *key,
			    int64_t now);
	/*
	 * Or, when set (render unused): a message in several parts sent one
	 * after the other, each as soon as the one before was taken; the
	 * count (at least 1) and *parts (caller frees each and the array).
	 * Deterministic: the same notice gives the same parts, so a retry
	 * resumes at the first part not delivered (the outbox keeps count).
	 */
	size_t		 (*render_parts)(const struct notice *,
			    const struct receiver_conf *, char ***parts);
	/*
	 * The message(s) of a digest (digest.h) for this receiver: as
	 * render_parts, deterministic (time-like headers from the digest's
	 * `generated`), so that a retry resumes at the first part not
	 * delivered. The count (at least 1) and *parts (caller frees).
	 */
	size_t		 (*render_digest)(const struct digest *,
			    const struct receiver_conf *, const char *key,
			    char ***parts);
	/*
	 * Send job->body. Either a configured curl handle in *easy (the
	 * transfer runs in the curl loop and its end is judged later), or
	 * *easy left NULL and the result in job->ok and job->error (a
	 * synchronous send). -1 and *cause: the receiver cannot be used as
	 * configured (the item is dead without an attempt).
	 */
	int		 (*send)(struct deliver_job *,
			    const struct receiver_conf *,
			    const struct config *, CURL **easy, char **cause);
	/* Judge a result at `now` (pure). */
	void		 (*classify)(const struct deliver_result *,
			    int64_t now, struct deliver_outcome *);
};

extern const struct receiver_ops receiver_file_ops;
extern const struct receiver_ops receiver_webhook_ops;
extern const struct receiver_ops receiver_smtp_ops;
extern const struct receiver_ops receiver_sendmail_ops;
extern const struct receiver_ops receiver_slack_ops;
extern const struct receiver_ops receiver_teams_ops;
extern const struct receiver_ops receiver_discord_ops;
extern const struct receiver_ops receiver_mattermost_ops;
extern const struct receiver_ops receiver_googlechat_ops;

/* The operations of a receiver type, or NULL for none. */
const struct receiver_ops *deliver_receiver_ops(enum receiver_type);
/* Free a job and everything it holds (deliver.c; deliver-probe.c too). */
void	 deliver_job_free(struct deliver_job *);

/* The loop a background send (job->cancel set) runs in, and how it ends:
 * as a curl transfer would (deliver.c judges and records it). */
struct event_base *deliver_job_base(const struct deliver_job *);
void	 deliver_job_done(struct deliver_job *, int ok, long status,
	    const char *error);

/* A curl handle for one transfer to r: URL, protocols, TLS checks, timeouts. */
CURL	*deliver_easy(const struct receiver_conf *, const struct config *,
	    const char *protocols);

/*
 * HTTP receivers (deliver-http.c). deliver_http_easy: deliver_easy() for
 * http and https, posting job->body with job->headers, keeping the answer's
 * reason phrase and Retry-After in the job. deliver_http_classify: the
 * outcome rules of every HTTP receiver: 2xx delivered; 429 and 503 retried
 * after what Retry-After asks; redirects (never followed) and other 4xx
 * permanent; 5xx and transfers that did not complete retried.
 */
CURL	*deliver_http_easy(struct deliver_job *, const struct receiver_conf *,
	    const struct config *);
void	 deliver_http_add_header(struct curl_slist **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 deliver_http_classify(const struct deliver_result *, int64_t now,
	    struct deliver_outcome *);

/* The e-mail of a notice, its idempotency key in Message-ID and a header
 * (file, smtp and sendmail receivers; deliver-smtp.c). */
char	*deliver_email(const struct notice *, const struct receiver_conf *,
	    const char *key, int64_t now);
/* The e-mail of a digest, as one part (file and smtp receivers). */
size_t	 deliver_digest_email(const struct digest *,
	    const struct receiver_conf *, const char *key, char ***parts);

#endif
