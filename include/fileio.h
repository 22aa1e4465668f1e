/*
 * Files that must be whole or absent: written under a temporary name,
 * synced, renamed into place, and the directory synced, so that a reader (or
 * a restart after power loss) never finds half a file.
 */
#ifndef ROIWATCH_FILEIO_H
#define ROIWATCH_FILEIO_H
#include <sys/types.h>

#include <stddef.h>

/*
 * Write len bytes of data as path, through tmp (same directory; opened with
 * O_NOFOLLOW, so a planted symlink is not written through). Returns 0, or -1
 * with *cause (tmp removed, path untouched).
 */
int	fileio_write_atomic(const char *path, const char *tmp, const char *data,
	    size_t len, mode_t mode, char **cause);
/* fsync a directory, so that renames into it are durable; -1 with *cause. */
int	fileio_sync_dir(const char *dir, char **cause);

#endif
