/*
 * A client's scheduled digests (client file "digests"): each object read
 * through cfg_digest_opts (config-table.c), its day checked against its
 * kind (a weekday for weekly, 1..31 or "last" for monthly, none for
 * daily), turned into a struct digest_conf, and its receivers checked
 * against the client's once the whole file has been read. When a digest
 * is due is digest-schedule.c's business; this file only reads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "digest-schedule.h"
#include "log.h"
#include "window.h"
#include "xmalloc.h"

#define DIGEST_WEEKDAYS	"\"monday\", \"tuesday\", \"wednesday\", " \
			"\"thursday\", \"friday\", \"saturday\" or \"sunday\""

/* By tm_wday: 0 Sunday. */
static const char *const cfg_weekdays[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday"
};

/* Messages name options "digests[2].day", as config-rules.c does. */
static const char *
cfg_digest_prefix(struct cfg_ctx *ctx, const char *name, size_t i, char **buf)
{
	const char	*old = ctx->prefix;

	xasprintf(buf, "%s%s[%zu].", old != NULL ? old : "", name, i);
	ctx->prefix = *buf;
	return old;
}

/* "1" .. "31" without leading zeros; -1 otherwise. */
static int
cfg_monthday(const char *s)
{
	size_t	len = strlen(s);
	int	v;

	if (len == 0 || len > 2 || s[0] < '1' || s[0] > '9')
		return -1;
	v = s[0] - '0';
	if (len == 2) {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		v = v * 10 + (s[1] - '0');
	}
	return v >= 1 && v <= 31 ? v : -1;
}

/* The day of src for its kind into *sched. */
static int
cfg_digest_day(struct cfg_ctx *ctx, const cJSON *e,
    const struct cfg_digest_src *src, struct digest_schedule *sched)
{
	const char	*day = src->day.s;
	int		 line = src->day.line, i;

	switch (src->every) {
	case DIGEST_DAILY:
		if (day != NULL)
			return cfg_error(ctx, line, "day", "a daily digest"
			    " takes no day (only weekly and monthly ones do)");
		return 0;
	case DIGEST_WEEKLY:
		if (day == NULL)
			return cfg_error(ctx, jsonc_line(ctx->lines, e), "day",
			    "missing (required for a weekly digest): "
			    DIGEST_WEEKDAYS);
		for (i = 0; i < 7; i++) {
			if (strcmp(day, cfg_weekdays[i]) == 0) {
				sched->weekday = i;
				return 0;
			}
		}
		return cfg_error(ctx, line, "day", "\"%s\" is not a weekday:"
		    " a weekly digest's day is " DIGEST_WEEKDAYS, day);
	case DIGEST_MONTHLY:
		if (day == NULL)
			return cfg_error(ctx, jsonc_line(ctx->lines, e), "day",
			    "missing (required for a monthly digest): a day of"
			    " the month 1 to 31 or \"last\"");
		if (strcmp(day, "last") == 0) {
			sched->monthday = DIGEST_LAST_DAY;
			return 0;
		}
		if ((sched->monthday = cfg_monthday(day)) == -1)
			return cfg_error(ctx, line, "day", "\"%s\" is not a day"
			    " of the month: a monthly digest's day is 1 to 31"
			    " (a day the month lacks is its last day) or"
			    " \"last\"", day);
		return 0;
	default:
		fatalx("%s: every %d", __func__, src->every);
	}
}

/* src checked into d, taking its name and receivers. */
static int
cfg_digest_build(struct cfg_ctx *ctx, const cJSON *e,
    struct cfg_digest_src *src, struct digest_conf *d)
{
	char	*why = NULL;
	size_t	 i, j;

	d->line = jsonc_line(ctx->lines, e);
	d->name = src->name != NULL ? src->name :
	    xstrdup(cfg_digest_every_choices[src->every]);
	src->name = NULL;
	d->receivers = src->receivers;
	d->nreceivers = src->nreceivers;
	src->receivers = NULL;
	src->nreceivers = 0;

	d->sched.every = (enum digest_every)src->every;
	if (window_parse_clock(src->at, &d->sched.at, &why) != 0) {
		cfg_error(ctx, cfg_member_line(ctx, e, "at"), "at", "%s", why);
		free(why);
		return -1;
	}
	if (cfg_digest_day(ctx, e, src, &d->sched) != 0)
		return -1;
	if (d->nreceivers == 0)
		return cfg_error(ctx, cfg_member_line(ctx, e, "receivers"),
		    "receivers", "at least one receiver is required");
	for (i = 0; i < d->nreceivers; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(d->receivers[i], d->receivers[j]) == 0)
				return cfg_error(ctx, cfg_member_line(ctx, e,
				    "receivers"), "receivers", "receiver '%s'"
				    " is listed twice", d->receivers[i]);
		}
	}
	return 0;
}

int
cfg_digests_read(struct cfg_ctx *ctx, const struct opt *o, const cJSON *v,
    int line, void *base)
{
	struct digest_conf	**dp = cfg_field(base, o->off), *d;
	size_t			*np = cfg_field(base, o->aux), n, i = 0, j;
	struct cfg_digest_src	 src;
	const cJSON		*e;
	const char		*old;
	char			*buf, *nm;
	uint64_t		 seen;
	int			 rc;

	if (!cJSON_IsArray(v))
		return cfg_error(ctx, line, o->name, "must be an array of"
		    " digest objects");
	n = (size_t)cJSON_GetArraySize(v);
	d = *dp = xcalloc(n + 1, sizeof *d);
	*np = 0;
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsObject(e)) {
			xasprintf(&nm, "%s[%zu]", o->name, i);
			cfg_error(ctx, jsonc_line(ctx->lines, e), nm, "must be"
			    " a digest object");
			free(nm);
			return -1;
		}
		(*np)++;
		memset(&src, 0, sizeof src);
		old = cfg_digest_prefix(ctx, o->name, i, &buf);
		rc = cfg_object(ctx, cfg_digest_opts, cfg_ndigest_opts, e,
		    &src, &seen);
		if (rc == 0)
			rc = cfg_digest_build(ctx, e, &src, &d[i]);
		for (j = 0; rc == 0 && j < i; j++) {
			if (strcmp(d[j].name, d[i].name) == 0)
				rc = cfg_error(ctx, cfg_member_line(ctx, e,
				    "name"), "name", "digest '%s' is defined"
				    " twice (%s[%zu], line %d)%s", d[i].name,
				    o->name, j, d[j].line,
				    cJSON_GetObjectItemCaseSensitive(e,
				    "name") == NULL ? "; give each a name" : "");
		}
		cfg_free_object(cfg_digest_opts, cfg_ndigest_opts, &src);
		ctx->prefix = old;
		free(buf);
		if (rc != 0)
			return -1;
		i++;
	}
	return 0;
}

void
cfg_free_digests(const struct opt *o, void *base)
{
	struct digest_conf	**dp = cfg_field(base, o->off), *d = *dp;
	size_t			*np = cfg_field(base, o->aux), i, j;

	for (i = 0; d != NULL && i < *np; i++) {
		free(d[i].name);
		for (j = 0; j < d[i].nreceivers; j++)
			free(d[i].receivers[j]);
		free(d[i].receivers);
	}
	free(d);
	*dp = NULL;
	*np = 0;
}

/* The line of receivers[j] of digests[i] in the file. */
static int
cfg_digest_receiver_line(struct cfg_ctx *ctx, const cJSON *root, size_t i,
    size_t j, int dflt)
{
	const cJSON	*a, *e, *r;

	a = cJSON_GetObjectItemCaseSensitive(root, "digests");
	if ((e = cJSON_GetArrayItem(a, (int)i)) == NULL ||
	    (r = cJSON_GetObjectItemCaseSensitive(e, "receivers")) == NULL ||
	    (r = cJSON_GetArrayItem(r, (int)j)) == NULL)
		return dflt;
	return jsonc_line(ctx->lines, r);
}

/*
 * Every receiver a digest names is one of the client's. Run once the
 * client file has been read whole: "receivers" may follow "digests".
 */
int
cfg_client_digests(struct cfg_ctx *ctx, const cJSON *root,
    struct client_conf *c)
{
	const struct digest_conf *d;
	const char		*old;
	char			*buf, *names, *p;
	size_t			 i, j, k, len;

	for (i = 0; i < c->ndigests; i++) {
		d = &c->digests[i];
		for (j = 0; j < d->nreceivers; j++) {
			for (k = 0; k < c->nreceivers; k++) {
				if (strcmp(c->receivers[k].name,
				    d->receivers[j]) == 0)
					break;
			}
			if (k < c->nreceivers)
				continue;
			for (len = 1, k = 0; k < c->nreceivers; k++)
				len += strlen(c->receivers[k].name) + 2;
			p = names = xcalloc(1, len);
			for (k = 0; k < c->nreceivers; k++)
				p += sprintf(p, "%s%s", k > 0 ? ", " : "",
				    c->receivers[k].name);
			old = cfg_digest_prefix(ctx, "digests", i, &buf);
			cfg_error(ctx, cfg_digest_receiver_line(ctx, root, i, j,
			    d->line), "receivers", "digest '%s': no receiver"
			    " named '%s' in this client (its receivers: %s)",
			    d->name, d->receivers[j], names);
			ctx->prefix = old;
			free(buf);
			free(names);
			return -1;
		}
	}
	return 0;
}
