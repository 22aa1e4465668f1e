/*
 * Inside delivery: what deliver.c (the outbox, its scheduler and limits) and
 * the senders of each receiver type share. Not for other modules: they use
 * deliver.h.
 *
 * deliver.c          the timer, fair limits, outcomes recorded in the store
 * deliver-file.c     file receivers: the e-mail written into a directory
 * deliver-webhook.c  webhook receivers: signed JSON POST
 * deliver-smtp.c     smtp receivers, and the e-mail of a notice
 */
#ifndef ROIWATCH_DELIVER_INTERNAL_H
#define ROIWATCH_DELIVER_INTERNAL_H
#include <sys/queue.h>

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "deliver.h"

struct event;
struct notice;
struct outbox_item;

struct deliver_job {
	struct deliver		*d;		/* NULL once orphaned */
	int64_t			 id;
	int64_t			 created;
	int64_t			 attempts;
	enum receiver_type	 type;
	char			*client;
	char			*receiver;
	char			*body;		/* webhook POST body / SMTP message */
	size_t			 len;
	size_t			 off;		/* SMTP upload position */
	struct curl_slist	*headers;	/* webhook */
	struct curl_slist	*rcpt;		/* smtp */
	char			 retry_after[64]; /* webhook: the header, or "" */
	/* Finished, but the store was locked when its outcome was to be
	 * recorded: kept (still "in flight", so never started again) until
	 * deliver_record_cb() records it. */
	int			 unrecorded;
	int			 unrecorded_ok;
	char			 unrecorded_why[256];
	int64_t			 unrecorded_retry_after;
	LIST_ENTRY(deliver_job)	 entry;
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
	deliver_test_cb		 test_cb;	/* deliver_test() outcome */
	void			*test_arg;
	uint64_t		 rng;		/* jitter; seeded once */
};

/* A curl handle for one transfer to r: URL, protocols, TLS checks, timeouts. */
CURL	*deliver_easy(const struct receiver_conf *, const struct config *,
	    const char *protocols);
/* The e-mail of a notice, its idempotency key in Message-ID and a header. */
char	*deliver_email(const struct notice *, const char *from,
	    const struct receiver_conf *, const char *key);

/* The senders: 0, or -1 and *cause when the receiver cannot be used. */
int	 deliver_file(struct deliver *, const struct receiver_conf *,
	    const struct outbox_item *, const struct notice *, char **cause);
int	 deliver_webhook(struct deliver *, const struct receiver_conf *,
	    const struct outbox_item *, const struct notice *,
	    struct deliver_job *, CURL **, char **cause);
int	 deliver_smtp(struct deliver *, const struct receiver_conf *,
	    const struct outbox_item *, const struct notice *,
	    struct deliver_job *, CURL **, char **cause);

#endif
