/*
 * The file receiver: a notice's e-mail (deliver_email, as smtp sends it)
 * written into a directory as <created>-<id>.eml, whole or not at all.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "deliver-internal.h"
#include "fileio.h"
#include "xmalloc.h"

/* mkdir -p with mode 0700 for every directory created. */
static int
deliver_mkdirs(const char *path, char **cause)
{
	char	*p, *s;

	s = xstrdup(path);
	for (p = s + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(s, 0700) != 0 && errno != EEXIST) {
				xasprintf(cause, "mkdir %s: %s", s,
				    strerror(errno));
				free(s);
				return (-1);
			}
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	free(s);
	return (0);
}

/*
 * Write the message atomically (temporary file, fsync, rename, fsync of the
 * directory) so that a reader never sees half a message; the same name on
 * a retry, so a message is never written twice. A failure to write is
 * retried (a full disk, a directory being fixed).
 */
static int
receiver_file_send(struct deliver_job *job, const struct receiver_conf *r,
    const struct config *cfg, CURL **easyp, char **cause)
{
	char	*dir, *tmp, *path, *name, *why = NULL;

	*easyp = NULL;
	if (r->dir == NULL || *r->dir == '\0') {
		*cause = xstrdup("no directory configured");
		return (-1);
	}
	if (r->dir[0] == '/')
		dir = xstrdup(r->dir);
	else
		xasprintf(&dir, "%s/%s", cfg->state_dir, r->dir);
	/* <created>-<id>.eml; a test-notify message has no outbox id. */
	if (job->id < 0)
		xasprintf(&name, "%" PRId64 "-test", job->created);
	else
		xasprintf(&name, "%" PRId64 "-%" PRId64, job->created, job->id);
	xasprintf(&path, "%s/%s.eml", dir, name);
	xasprintf(&tmp, "%s/.%s.eml.tmp", dir, name);
	free(name);

	job->ok = deliver_mkdirs(dir, &why) == 0 && fileio_write_atomic(path,
	    tmp, job->body, job->len, 0600, &why) == 0;
	if (!job->ok)
		snprintf(job->error, sizeof job->error, "%s", why);
	free(why);
	free(tmp);
	free(path);
	free(dir);
	return (0);
}

static void
receiver_file_classify(const struct deliver_result *res, int64_t now,
    struct deliver_outcome *out)
{
	(void)now;
	out->retry_after = -1;
	out->reason[0] = '\0';
	out->verdict = res->ok ? DELIVER_DELIVERED : DELIVER_RETRY;
	if (!res->ok)
		snprintf(out->reason, sizeof out->reason, "%s",
		    res->error != NULL ? res->error : "write failed");
}

const struct receiver_ops receiver_file_ops = {
	.name = "file",
	.type = RECEIVER_FILE,
	.render = deliver_email,
	.render_digest = deliver_digest_email,
	.send = receiver_file_send,
	.classify = receiver_file_classify,
};
