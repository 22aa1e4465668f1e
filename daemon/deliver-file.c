/*
 * The file receiver: a notice's e-mail written into a directory, whole or
 * not at all (see deliver.c for the life of an outbox item).
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
#include "notice.h"
#include "store.h"
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
 * File receiver: write the message atomically (temporary file, fsync,
 * rename, fsync of the directory) so that a reader never sees half a message.
 */
int
deliver_file(struct deliver *d, const struct receiver_conf *r,
    const struct outbox_item *it, const struct notice *n, char **cause)
{
	char	*dir, *tmp, *path, *msg, *name;
	int	 ret = -1;

	if (r->dir == NULL || *r->dir == '\0') {
		*cause = xstrdup("no directory configured");
		return (-1);
	}
	if (r->dir[0] == '/')
		dir = xstrdup(r->dir);
	else
		xasprintf(&dir, "%s/%s", d->cfg->state_dir, r->dir);
	/* <created>-<id>.eml; a test-notify message has no outbox id. */
	if (it->id < 0)
		xasprintf(&name, "%" PRId64 "-test", it->created);
	else
		xasprintf(&name, "%" PRId64 "-%" PRId64, it->created, it->id);
	xasprintf(&path, "%s/%s.eml", dir, name);
	xasprintf(&tmp, "%s/.%s.eml.tmp", dir, name);
	free(name);
	msg = deliver_email(n, r->from, r, it->idem_key);

	if (deliver_mkdirs(dir, cause) != 0)
		goto out;
	if (fileio_write_atomic(path, tmp, msg, strlen(msg), 0600,
	    cause) != 0)
		goto out;
	ret = 0;
out:
	free(msg);
	free(tmp);
	free(path);
	free(dir);
	return (ret);
}
