/*
 * Receiver objects of a client file (config-internal.h): the receivers
 * array, the cross-option checks of each receiver type and its computed
 * defaults (no clear text towards a host that is not loopback unless the
 * receiver says allow_insecure), and the validators of URLs and e-mail
 * addresses.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "config-internal.h"
#include "jsonc.h"
#include "log.h"
#include "mime.h"
#include "rules.h"
#include "xmalloc.h"

/* The sendmail receivers' command when they give none. */
static const char *const cfg_sendmail_default[] = {
	"/usr/sbin/sendmail", "-t", "-i"
};

/* Host part of a URL ("host", "[::1]"), copied into buf. */
static void
cfg_url_host(const char *url, char *buf, size_t len)
{
	const char	*p, *end, *at;
	size_t		 n;

	p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if (*p == '[')
		n = strcspn(p, "]") + (p[strcspn(p, "]")] == ']');
	else
		n = strcspn(p, ":/?#");
	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* A loopback host: localhost, [::1] or an IPv4 address 127.x.y.z (not a
 * name that merely starts with "127."). */
static int
cfg_loopback(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	return strncmp(host, "127.", 4) == 0 &&
	    host[strspn(host, "0123456789.")] == '\0';
}

/*
 * Whether a receiver sends without TLS to a host that is not loopback (its
 * host into buf): an http:// webhook, an smtp:// relay whose STARTTLS is
 * not required.
 */
static int
cfg_receiver_insecure(const struct receiver_conf *r, char *host, size_t len)
{
	int	clear;

	if (r->url == NULL)
		return 0;
	switch (r->type) {
	case RECEIVER_WEBHOOK:
	case RECEIVER_SLACK:
	case RECEIVER_TEAMS:
	case RECEIVER_DISCORD:
	case RECEIVER_MATTERMOST:
	case RECEIVER_GOOGLECHAT:
		clear = strncmp(r->url, "http://", 7) == 0;
		break;
	case RECEIVER_SMTP:
		clear = strncmp(r->url, "smtp://", 7) == 0 &&
		    r->starttls != TLS_REQUIRED;
		break;
	default:
		clear = 0;
		break;
	}
	if (!clear)
		return 0;
	cfg_url_host(r->url, host, len);
	return !cfg_loopback(host);
}

/*
 * A sendmail receiver's command: the default when none is given; else an
 * absolute program name (no search of PATH, no shell) that exists and may
 * be run, so that a typo is seen by check-config rather than at 3 a.m.
 */
static int
cfg_sendmail_command(struct cfg_ctx *ctx, const cJSON *obj,
    struct receiver_conf *r)
{
	struct stat	 st;
	const char	*prog;
	size_t		 i, n = sizeof cfg_sendmail_default /
			    sizeof cfg_sendmail_default[0];
	int		 line = cfg_member_line(ctx, obj, "command");
	int		 dflt = r->command == NULL;

	if (dflt) {
		r->command = xcalloc(n + 1, sizeof *r->command);
		for (i = 0; i < n; i++)
			r->command[i] = xstrdup(cfg_sendmail_default[i]);
		r->ncommand = n;
		line = jsonc_line(ctx->lines, obj);
	}
	if (r->ncommand == 0)
		return cfg_error(ctx, line, "command", "must name a program");
	prog = r->command[0];
	if (prog[0] != '/')
		return cfg_error(ctx, line, "command", "the program \"%s\" must"
		    " be an absolute path (no shell, no PATH search)", prog);
	if (stat(prog, &st) != 0)
		return cfg_error(ctx, line, "command", "cannot run %s: %s%s",
		    prog, strerror(errno), dflt ? " (install a mail transfer"
		    " agent, or set \"command\")" : "");
	if (!S_ISREG(st.st_mode) || access(prog, X_OK) != 0)
		return cfg_error(ctx, line, "command", "cannot run %s: not an"
		    " executable file", prog);
	return 0;
}

int
cfg_check_severity(const char *s, char **why)
{
	if (rules_severity_lookup(s) >= 0)
		return 0;
	xasprintf(why, "\"%s\" is not a severity (critical, warning, info"
	    " or good)", s);
	return -1;
}

/*
 * Routing options of a receiver: its severities as a set (all when absent;
 * an empty list or one named twice refused), and its rate limit's default,
 * its type's.
 */
static int
cfg_receiver_routing(struct cfg_ctx *ctx, const cJSON *obj,
    struct receiver_conf *r)
{
	unsigned	 bit;
	size_t		 i;
	int		 sev;

	if (!cJSON_HasObjectItem(obj, "min_interval_msecs"))
		r->min_interval_msecs =
		    cfg_receiver_min_interval_msecs[r->type];
	if (!cJSON_HasObjectItem(obj, "severities")) {
		r->severity_mask = (1u << RULE_SEV_MAX) - 1;
		return 0;
	}
	if (r->nseverities == 0)
		return cfg_error(ctx, cfg_member_line(ctx, obj, "severities"),
		    "severities", "empty: the receiver would get nothing;"
		    " list at least one severity, or remove the receiver");
	r->severity_mask = 0;
	for (i = 0; i < r->nseverities; i++) {
		sev = rules_severity_lookup(r->severities[i]);
		bit = 1u << (unsigned)sev;
		if (r->severity_mask & bit)
			return cfg_error(ctx, cfg_member_line(ctx, obj,
			    "severities"), "severities", "\"%s\" is listed"
			    " twice", r->severities[i]);
		r->severity_mask |= bit;
	}
	return 0;
}

/* Cross-option checks of one receiver, by type, and computed defaults. */
static int
cfg_receiver_check(struct cfg_ctx *ctx, const cJSON *obj, void *elem,
    uint64_t seen)
{
	struct receiver_conf	*r = elem;
	const struct opt	*o;
	const char		*tname = config_receiver_type_name(r->type);
	char			 host[256];
	size_t			 i;
	int			 line = jsonc_line(ctx->lines, obj);
	int			 smtps = 0;

	for (i = 0; i < cfg_nreceiver_opts; i++) {
		o = &cfg_receiver_opts[i];
		if ((seen & (1ULL << i)) && o->types != 0 &&
		    !(o->types & FOR(r->type)))
			return cfg_error(ctx, cfg_member_line(ctx, obj, o->name),
			    o->name, "not used by %s receivers",
			    tname);
	}
	if (r->ca_file != NULL && access(r->ca_file, R_OK) != 0)
		return cfg_error(ctx, cfg_member_line(ctx, obj, "ca_file"),
		    "ca_file", "cannot read %s: %s", r->ca_file,
		    strerror(errno));
	if (r->timeout_secs == 0)
		r->timeout_secs = ctx->cfg->delivery_timeout_secs;
	/* A chat channel shows messages as they come: one at a time keeps
	 * notices, and the parts of each, in order. */
	if (r->max_in_flight == 0)
		r->max_in_flight = (FOR(r->type) & FOR_CHAT) ? 1 :
		    ctx->cfg->delivery_max_in_flight_per_receiver;
	if (cfg_receiver_routing(ctx, obj, r) != 0)
		return -1;

	switch (r->type) {
	case RECEIVER_FILE:
		if (r->dir == NULL)
			return cfg_error(ctx, line, "dir", "missing (required"
			    " for file receivers)");
		break;
	case RECEIVER_WEBHOOK:
	case RECEIVER_SLACK:
	case RECEIVER_TEAMS:
	case RECEIVER_DISCORD:
	case RECEIVER_MATTERMOST:
	case RECEIVER_GOOGLECHAT:
		if (r->url == NULL)
			return cfg_error(ctx, line, "url", "missing (required"
			    " for %s receivers)", tname);
		if (strncmp(r->url, "http://", 7) != 0 &&
		    strncmp(r->url, "https://", 8) != 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "url"),
			    "url", "%s URLs start with http:// or https://",
			    tname);
		if (!r->allow_insecure && cfg_receiver_insecure(r, host,
		    sizeof host))
			return cfg_error(ctx, cfg_member_line(ctx, obj, "url"),
			    "url", "http:// would send the notice%s to %s in"
			    " clear: use https://, or say \"allow_insecure\":"
			    " true (http:// is allowed towards 127.0.0.1, ::1"
			    " or localhost)", r->type == RECEIVER_WEBHOOK ?
			    " and its signature" : "", host);
		break;
	case RECEIVER_SMTP:
		if (r->url == NULL)
			return cfg_error(ctx, line, "url", "missing (required"
			    " for smtp receivers)");
		if (strncmp(r->url, "smtps://", 8) == 0)
			smtps = 1;
		else if (strncmp(r->url, "smtp://", 7) != 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "url"),
			    "url", "smtp URLs start with smtp:// or smtps://");
		if (r->nto == 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "to"),
			    "to", "at least one recipient is required for"
			    " smtp receivers");
		if (!cJSON_HasObjectItem(obj, "starttls"))
			r->starttls = TLS_REQUIRED;
		else if (smtps && r->starttls != TLS_REQUIRED)
			return cfg_error(ctx,
			    cfg_member_line(ctx, obj, "starttls"), "starttls",
			    "smtps:// is always TLS; remove this option");
		if (!r->allow_insecure && cfg_receiver_insecure(r, host,
		    sizeof host))
			return cfg_error(ctx,
			    cfg_member_line(ctx, obj, "starttls"), "starttls",
			    "\"%s\" is only allowed towards 127.0.0.1, ::1 or"
			    " localhost, not %s (the message and the password"
			    " would cross the network in clear), unless"
			    " \"allow_insecure\": true",
			    cfg_starttls_choices[r->starttls], host);
		if ((r->username == NULL) != (r->password == NULL))
			return cfg_error(ctx, line, r->username == NULL ?
			    "username" : "password_file", "username and"
			    " password_file go together");
		break;
	case RECEIVER_SENDMAIL:
		if (r->nto == 0)
			return cfg_error(ctx, cfg_member_line(ctx, obj, "to"),
			    "to", "at least one recipient is required for"
			    " sendmail receivers");
		return cfg_sendmail_command(ctx, obj, r);
	case RECEIVER_TYPE_MAX:
		break;
	}
	return 0;
}

/* The receivers array of a client: objects, at least one, unique names. */
int
cfg_receivers(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    struct client_conf *c)
{
	const struct cfg_array_kind kind = { "receiver", cfg_receiver_opts,
	    cfg_nreceiver_opts, sizeof(struct receiver_conf),
	    cfg_receiver_check };
	char	*items;
	int	 rc;

	rc = cfg_named_objects(ctx, o, v, &kind, &items, &c->nreceivers);
	c->receivers = (struct receiver_conf *)(void *)items;
	return rc;
}

/*
 * An address, "Name <local@domain>" or "local@domain" (mime.h): what is
 * not one address is refused, so nothing can smuggle more recipients or
 * header lines in.
 */
int
cfg_check_address(const char *s, char **why)
{
	return mime_addr_check(s, why);
}

/*
 * After a client file is read (its email_from and reply_to may follow its
 * receivers): the From and Reply-To of each e-mail receiver that sets none
 * come from the client, else from the main file; an smtp receiver needs a
 * From, file and sendmail receivers fall back on roiwatch@localhost.
 */
int
cfg_receivers_mail(struct cfg_ctx *ctx, const cJSON *root,
    struct client_conf *c)
{
	const cJSON		*arr = cJSON_GetObjectItemCaseSensitive(root,
				    "receivers");
	struct receiver_conf	*r;
	const char		*from, *reply;
	size_t			 i;

	from = c->email_from != NULL ? c->email_from : ctx->cfg->email_from;
	reply = c->reply_to != NULL ? c->reply_to : ctx->cfg->reply_to;
	for (i = 0; i < c->nreceivers; i++) {
		r = &c->receivers[i];
		if (r->type != RECEIVER_FILE && r->type != RECEIVER_SMTP &&
		    r->type != RECEIVER_SENDMAIL)
			continue;
		if (r->reply_to == NULL && reply != NULL)
			r->reply_to = xstrdup(reply);
		if (r->from != NULL)
			continue;
		if (from != NULL)
			r->from = xstrdup(from);
		else if (r->type != RECEIVER_SMTP)
			r->from = xstrdup("roiwatch@localhost");
		else
			return cfg_error(ctx, jsonc_line(ctx->lines,
			    cJSON_GetArrayItem(arr, (int)i)), "from", "missing"
			    " (required for smtp receivers, unless the client"
			    " or the main file sets email_from)");
	}
	return 0;
}

int
cfg_check_url(const char *s, char **why)
{
	const char	*p = strstr(s, "://");

	if (p != NULL && p != s && p[3] != '\0' && p[3] != '/' &&
	    strchr(s, ' ') == NULL)
		return 0;
	xasprintf(why, "\"%s\" is not a URL (scheme://host...)", s);
	return -1;
}

void
config_warn_insecure(const struct config *cfg)
{
	const struct client_conf	*c;
	const struct receiver_conf	*r;
	char				 host[256];
	size_t				 i, j;

	for (i = 0; i < cfg->nclients; i++) {
		c = &cfg->clients[i];
		for (j = 0; j < c->nreceivers; j++) {
			r = &c->receivers[j];
			if (!r->allow_insecure ||
			    !cfg_receiver_insecure(r, host, sizeof host))
				continue;
			log_warnx("receiver %s of client %s sends to %s without"
			    " TLS (allow_insecure): notices%s can be read and"
			    " changed on the way", r->name, c->id, host,
			    r->type == RECEIVER_SMTP ? " and the password" :
			    r->type == RECEIVER_WEBHOOK ?
			    " and their signatures" : "");
		}
	}
}

const char *
config_receiver_type_name(enum receiver_type type)
{
	if ((unsigned)type >= RECEIVER_TYPE_MAX)
		return "unknown";
	return cfg_receiver_type_choices[type];
}
