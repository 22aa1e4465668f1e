/*
 * A probe of one receiver (`roiwatch test-notify`): an example notice
 * rendered, sent and judged through the receiver type's operations, as the
 * daemon's delivery does, but outside the outbox (nothing stored, nothing
 * retried), reporting everything that happened: the type and destination,
 * the verdict the type's rules give, the HTTP status or SMTP reply, the
 * reason and the time it took. Any receiver type with operations can be
 * probed, without code of its own here.
 */
#ifndef ROIWATCH_DELIVER_PROBE_H
#define ROIWATCH_DELIVER_PROBE_H
#include <stddef.h>

struct config;
struct client_conf;
struct curl_loop;
struct event_base;
struct notice;
struct receiver_conf;

enum deliver_probe_outcome {
	PROBE_DELIVERED,	/* the receiver took it */
	PROBE_RETRY,		/* transient: the daemon would retry */
	PROBE_PERMANENT,	/* refused for good: the daemon would give up */
	PROBE_UNUSABLE,		/* cannot be sent as configured */
	PROBE_OUTCOME_MAX
};

struct deliver_probe {
	char		 receiver[64];
	char		 type[32];		/* the type's name */
	char		 destination[256];	/* deliver_probe_destination */
	enum deliver_probe_outcome outcome;
	char		 protocol[8];		/* what status is: "HTTP", "SMTP"
						   or "" (none) */
	long		 status;		/* 0: none */
	char		 status_text[64];	/* HTTP reason phrase, or "" */
	char		 reason[256];		/* why not delivered, or "";
						   never a secret */
	double		 secs;			/* how long it took */
	size_t		 parts;			/* messages the notice took */
	size_t		 parts_delivered;	/* of them, taken */
};

/*
 * Probe receiver r of client cc with notice n: run base (with curl loop cl
 * in it) until the attempt ends, at most the receiver's timeout and 5 s.
 * Fills *out; returns 0 when delivered, else -1. A transfer that did not end
 * in time is left to the curl loop, which must be freed (curl_loop_free)
 * before the process ends.
 */
int		 deliver_probe(struct event_base *base, struct curl_loop *cl,
		    const struct config *cfg, const struct client_conf *cc,
		    const struct receiver_conf *r, const struct notice *n,
		    struct deliver_probe *out);

/* Pure. */
/* "delivered", "would retry", "permanent failure", "not usable". */
const char	*deliver_probe_outcome_name(enum deliver_probe_outcome);
/*
 * Where a receiver sends, safe to print: a URL as scheme://host[:port]
 * with its user and password, path, query and fragment left out (chat
 * services put their token in the path: "/..." stands for it); a file
 * receiver's directory (relative ones under state_dir). Returns buf.
 */
char		*deliver_probe_destination(const struct receiver_conf *,
		    const char *state_dir, char *buf, size_t len);
/* "hook (webhook) -> https://hooks.example:443/...: would retry, HTTP
 * 500 Internal Server Error (0.012 s)": one line, escaped. Returns buf. */
char		*deliver_probe_format(const struct deliver_probe *, char *buf,
		    size_t len);

#endif
