/*
 * Files that must be whole or absent: written under a temporary name,
 * synced, renamed into place, and the directory synced, so that a reader (or
 * a restart after power loss) never finds half a file. And files read from
 * a directory others write into (the inbox): never through a symbolic link,
 * never blocking on a fifo, never mapped (a file truncated under a mapping
 * kills the reader with SIGBUS), bounded in size.
 *
 * The *_at variants work relative to a directory descriptor, so that a
 * directory renamed or replaced by a symbolic link after it was checked is
 * not followed; `where` names that directory in messages.
 */
#ifndef ROIWATCH_FILEIO_H
#define ROIWATCH_FILEIO_H
#include <sys/types.h>

#include <stddef.h>

/*
 * Write len bytes of data as path, through tmp (same directory): see
 * fileio_write_atomic_at. Returns 0, or -1 with *cause (path untouched).
 */
int	fileio_write_atomic(const char *path, const char *tmp, const char *data,
	    size_t len, mode_t mode, char **cause);
/*
 * Write len bytes of data as name in the directory dfd, through tmp (a name
 * in the same directory) created with O_CREAT | O_EXCL | O_NOFOLLOW: a
 * symbolic link or a hard link planted at tmp is never written through (it
 * refuses the write); only a regular file of ours with one link, left by an
 * interrupted write, is removed and the write goes on. tmp is synced,
 * renamed to name, and dfd synced. Returns 0, or -1 with *cause (tmp
 * removed when we created it, name untouched).
 */
int	fileio_write_atomic_at(int dfd, const char *where, const char *name,
	    const char *tmp, const char *data, size_t len, mode_t mode,
	    char **cause);
/* fsync a directory, so that renames into it are durable; -1 with *cause. */
int	fileio_sync_dir(const char *dir, char **cause);
int	fileio_sync_dirfd(int dfd, const char *where, char **cause);

/*
 * Open name in the directory dfd (AT_FDCWD: the current directory, or name
 * absolute) as a directory descriptor, refusing it when it is a symbolic
 * link, not a directory, or not owned by uid. shown names it in *cause.
 * Returns the descriptor (O_CLOEXEC), or -1 with *cause.
 */
int	fileio_open_dir_at(int dfd, const char *name, const char *shown,
	    uid_t uid, char **cause);

/* "a symbolic link", "a fifo"...: what a file of this mode is, for messages. */
const char *fileio_kind(mode_t);

/*
 * Read the whole of name in the directory dfd into *buf (NUL-terminated,
 * *len bytes without the NUL; caller frees). Refused, -1 with *cause: a
 * file that is not a regular file (a symbolic link is never followed, a fifo
 * never opened for long nor read), one larger than max bytes (errno EFBIG),
 * and one whose size or modification time changed while it was read
 * (truncated, or still being written: what was read is not trusted). -2
 * with *cause: a passing failure (no file descriptor left, errno EMFILE or
 * ENFILE), try again later. shown names the file in *cause.
 */
int	fileio_read_at(int dfd, const char *name, const char *shown, size_t max,
	    char **buf, size_t *len, char **cause);

#endif
