/*
 * Whole-or-absent files and safe reading (see fileio.h): file receivers'
 * messages, the inbox's reports and input files.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "xmalloc.h"

int
fileio_sync_dirfd(int dfd, const char *where, char **cause)
{
	if (fsync(dfd) == -1) {
		xasprintf(cause, "sync %s: %s", where, strerror(errno));
		return -1;
	}
	return 0;
}

int
fileio_sync_dir(const char *dir, char **cause)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "open %s: %s", dir, strerror(errno));
		return -1;
	}
	rc = fileio_sync_dirfd(fd, dir, cause);
	close(fd);
	return rc;
}

const char *
fileio_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a fifo (named pipe)";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

int
fileio_open_dir_at(int dfd, const char *name, const char *shown, uid_t uid,
    char **cause)
{
	struct stat sb;
	int fd;

	/* Looked at first for a clear message; the open below refuses a
	 * symbolic link swapped in meanwhile all the same. */
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		xasprintf(cause, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s is %s, not a directory: refused", shown,
		    fileio_kind(sb.st_mode));
		return -1;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		xasprintf(cause, "%s: %s%s", shown, strerror(errno),
		    errno == ELOOP || errno == ENOTDIR ?
		    " (replaced by a symbolic link?): refused" : "");
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", shown, strerror(errno));
		close(fd);
		return -1;
	}
	if (sb.st_uid != uid) {
		xasprintf(cause, "%s is owned by uid %lu, not by uid %lu that "
		    "runs the daemon: refused", shown, (unsigned long)sb.st_uid,
		    (unsigned long)uid);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * An existing tmp that an interrupted write of ours left: a regular file,
 * ours, with no other name. Anything else (a symbolic link, another user's
 * file, a hard link to a file elsewhere) was not left by us.
 */
static int
fileio_stale_tmp(int dfd, const char *tmp)
{
	struct stat sb;

	if (fstatat(dfd, tmp, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	return S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
	    sb.st_nlink == 1;
}

int
fileio_write_atomic_at(int dfd, const char *where, const char *name,
    const char *tmp, const char *data, size_t len, mode_t mode, char **cause)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC;
	ssize_t	n;
	int	fd;

	if ((fd = openat(dfd, tmp, flags, mode)) == -1 && errno == EEXIST &&
	    fileio_stale_tmp(dfd, tmp) && unlinkat(dfd, tmp, 0) == 0)
		fd = openat(dfd, tmp, flags, mode);
	if (fd == -1) {
		xasprintf(cause, "open %s/%s: %s%s", where, tmp, strerror(errno),
		    errno == EEXIST ? " (a symbolic link, a hard link or "
		    "another user's file is in the way: refused, nothing "
		    "written)" : "");
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
		xasprintf(cause, "write %s/%s: %s", where, tmp, strerror(errno));
		close(fd);
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	if (close(fd) == -1) {
		xasprintf(cause, "close %s/%s: %s", where, tmp, strerror(errno));
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	if (renameat(dfd, tmp, dfd, name) == -1) {
		xasprintf(cause, "rename %s/%s: %s", where, name,
		    strerror(errno));
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return fileio_sync_dirfd(dfd, where, cause);
}

int
fileio_write_atomic(const char *path, const char *tmp, const char *data,
    size_t len, mode_t mode, char **cause)
{
	const char	*name, *tmpname;
	char		*dir;
	int		 dfd, rc;

	name = (name = strrchr(path, '/')) != NULL ? name + 1 : path;
	tmpname = (tmpname = strrchr(tmp, '/')) != NULL ? tmpname + 1 : tmp;
	if (name - path != tmpname - tmp || strncmp(path, tmp, name - path) != 0) {
		xasprintf(cause, "%s and %s: not in the same directory", tmp,
		    path);
		return -1;
	}
	if (name == path)
		dir = xstrdup(".");
	else if (name == path + 1)
		dir = xstrdup("/");
	else {
		dir = xstrdup(path);
		dir[name - path - 1] = '\0';
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "open %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	rc = fileio_write_atomic_at(dfd, dir, name, tmpname, data, len, mode,
	    cause);
	close(dfd);
	free(dir);
	return rc;
}

int
fileio_read_at(int dfd, const char *name, const char *shown, size_t max,
    char **buf, size_t *len, char **cause)
{
	struct stat	 sb, after;
	char		*p;
	size_t		 n, size;
	ssize_t		 r;
	int		 fd, saved;

	*buf = NULL;
	*len = 0;
	/* A fifo or a device is not even opened when it can be told first;
	 * the open still refuses a link and never blocks if one is swapped
	 * in meanwhile, and fstat has the last word. */
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s is %s, not a regular file: not read",
		    shown, fileio_kind(sb.st_mode));
		return -1;
	}
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1) {
		saved = errno;
		if (saved == ELOOP)
			xasprintf(cause, "%s is a symbolic link, not a regular "
			    "file: not read", shown);
		else
			xasprintf(cause, "%s: %s", shown, strerror(saved));
		errno = saved;
		return saved == EMFILE || saved == ENFILE ? -2 : -1;
	}
	if (fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", shown, strerror(errno));
		goto bad;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s is %s, not a regular file: not read",
		    shown, fileio_kind(sb.st_mode));
		goto bad;
	}
	if (sb.st_size < 0 || (uintmax_t)sb.st_size > max) {
		xasprintf(cause, "%s: %jd bytes, more than the limit of %zu",
		    shown, (intmax_t)sb.st_size, max);
		close(fd);
		errno = EFBIG;
		return -1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* One byte more than the size: a file that grew is seen. */
	size = (size_t)sb.st_size;
	p = xmalloc(size + 2);
	for (n = 0; n < size + 1; n += (size_t)r) {
		if ((r = read(fd, p + n, size + 1 - n)) == -1) {
			if (errno == EINTR) {
				r = 0;
				continue;
			}
			xasprintf(cause, "%s: read: %s", shown, strerror(errno));
			free(p);
			goto bad;
		}
		if (r == 0)
			break;
	}
	if (fstat(fd, &after) == -1) {
		xasprintf(cause, "%s: %s", shown, strerror(errno));
		free(p);
		goto bad;
	}
	if (n != size || after.st_size != sb.st_size ||
	    after.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != sb.st_mtim.tv_nsec) {
		xasprintf(cause, "%s changed while it was read (%jd bytes when "
		    "opened, %zu%s read, %jd now): truncated or still being "
		    "written, not trusted", shown, (intmax_t)sb.st_size, n,
		    n > size ? " or more" : "", (intmax_t)after.st_size);
		free(p);
		goto bad;
	}
	close(fd);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;

bad:
	close(fd);
	return -1;
}
