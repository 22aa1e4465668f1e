/*
 * Whole-or-absent files (see fileio.h): file receivers' messages and the
 * inbox's reports.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "xmalloc.h"

int
fileio_sync_dir(const char *dir, char **cause)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "open %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fsync(fd) == -1) {
		xasprintf(cause, "sync %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
fileio_write_atomic(const char *path, const char *tmp, const char *data,
    size_t len, mode_t mode, char **cause)
{
	char	*dir, *slash;
	ssize_t	 n;
	int	 fd, rc;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		xasprintf(cause, "open %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (len > 0 || fsync(fd) == -1) {
		xasprintf(cause, "write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) == -1) {
		xasprintf(cause, "close %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		xasprintf(cause, "rename %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	rc = fileio_sync_dir(dir, cause);
	free(dir);
	return rc;
}
