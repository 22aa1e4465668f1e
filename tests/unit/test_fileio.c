/*
 * Whole-or-absent files: written and renamed into place; a symlink or a hard
 * link planted at the temporary name is not written through; a failure
 * leaves the old file as it was. Directories opened only when they are ours
 * and not links. Files read whole, never through a link nor from a fifo,
 * bounded, and refused when they change while read (read() is wrapped below
 * to truncate or grow the file in the middle of the reading).
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "xmalloc.h"

/* The file that the next read() truncates to 10 bytes (or grows by 10
 * bytes) after reading at most 100 bytes of it. */
static const char	*shrink_path, *grow_path;

ssize_t
read(int fd, void *buf, size_t n)
{
	ssize_t	 r;
	FILE	*f;

	if (shrink_path == NULL && grow_path == NULL)
		return syscall(SYS_read, fd, buf, n);
	r = syscall(SYS_read, fd, buf, n < 100 ? n : 100);
	if (shrink_path != NULL)
		assert_int_equal(truncate(shrink_path, 10), 0);
	if (grow_path != NULL) {
		assert_non_null(f = fopen(grow_path, "a"));
		fputs("0123456789", f);
		fclose(f);
	}
	shrink_path = grow_path = NULL;
	return r;
}

static char *
slurp(const char *path)
{
	static char	 buf[256];
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_write_atomic(void **state)
{
	char	 dir[] = "/tmp/test_fileio.XXXXXX", *path, *tmp, *victim;
	char	*cause = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xasprintf(&path, "%s/x.report", dir);
	xasprintf(&tmp, "%s/x.report.tmp", dir);
	xasprintf(&victim, "%s/victim", dir);

	assert_int_equal(fileio_write_atomic(path, tmp, "first\n", 6, 0640,
	    &cause), 0);
	assert_string_equal(slurp(path), "first\n");
	assert_int_equal(access(tmp, F_OK), -1);

	/* A planted symlink at the temporary name: refused, nothing
	 * written through it, the old file kept. */
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(fileio_write_atomic(path, tmp, "second\n", 7, 0640,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(access(victim, F_OK), -1);
	assert_string_equal(slurp(path), "first\n");
	unlink(tmp);

	assert_int_equal(fileio_write_atomic(path, tmp, "second\n", 7, 0640,
	    &cause), 0);
	assert_string_equal(slurp(path), "second\n");
	assert_int_equal(fileio_sync_dir(dir, &cause), 0);
	assert_int_equal(fileio_sync_dir(victim, &cause), -1);
	free(cause);

	unlink(path);
	rmdir(dir);
	free(path);
	free(tmp);
	free(victim);
}

static void
spit(const char *path, const char *text)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
cleanup(const char *dir)
{
	char *cmd;

	xasprintf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* The directory-relative writer, as the inbox uses it for reports. */
static void
test_write_atomic_at(void **state)
{
	char	 dir[] = "/tmp/test_fileio.XXXXXX", *p, *victim, *cause = NULL;
	struct stat sb;
	int	 dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true((dfd = open(dir, O_RDONLY | O_DIRECTORY)) != -1);
	xasprintf(&victim, "%s/victim", dir);
	spit(victim, "precious\n");

	/* A hard link to a file elsewhere at the temporary name: opened
	 * with O_TRUNC it would have been overwritten. Refused. */
	xasprintf(&p, "%s/x.report.tmp", dir);
	assert_int_equal(link(victim, p), 0);
	assert_int_equal(fileio_write_atomic_at(dfd, dir, "x.report",
	    "x.report.tmp", "report\n", 7, 0640, &cause), -1);
	assert_non_null(strstr(cause, "refused"));
	free(cause);
	cause = NULL;
	assert_string_equal(slurp(victim), "precious\n");
	assert_int_equal(access(p, F_OK), 0);	/* not ours to remove */
	unlink(p);

	/* A symbolic link: the same. */
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(fileio_write_atomic_at(dfd, dir, "x.report",
	    "x.report.tmp", "report\n", 7, 0640, &cause), -1);
	free(cause);
	cause = NULL;
	assert_string_equal(slurp(victim), "precious\n");
	unlink(p);

	/* A leftover of ours (a regular file, one link): replaced. */
	spit(p, "half a rep");
	assert_int_equal(fileio_write_atomic_at(dfd, dir, "x.report",
	    "x.report.tmp", "report\n", 7, 0640, &cause), 0);
	free(p);
	xasprintf(&p, "%s/x.report", dir);
	assert_string_equal(slurp(p), "report\n");
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	free(p);
	xasprintf(&p, "%s/x.report.tmp", dir);
	assert_int_equal(access(p, F_OK), -1);

	close(dfd);
	cleanup(dir);
	free(p);
	free(victim);
}

static void
test_open_dir_at(void **state)
{
	char	 dir[] = "/tmp/test_fileio.XXXXXX", *p, *cause = NULL;
	int	 dfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true((dfd = open(dir, O_RDONLY | O_DIRECTORY)) != -1);
	assert_int_equal(mkdirat(dfd, "done", 0750), 0);
	assert_int_equal(mkdirat(dfd, "elsewhere", 0750), 0);
	assert_int_equal(symlinkat("elsewhere", dfd, "failed"), 0);
	xasprintf(&p, "%s/file", dir);
	spit(p, "x");

	assert_true((fd = fileio_open_dir_at(dfd, "done", "inbox/done",
	    geteuid(), &cause)) != -1);
	close(fd);
	assert_int_equal(fileio_open_dir_at(dfd, "failed", "inbox/failed",
	    geteuid(), &cause), -1);
	assert_string_equal(cause, "inbox/failed is a symbolic link, not a "
	    "directory: refused");
	free(cause);
	assert_int_equal(fileio_open_dir_at(dfd, "file", "inbox/file",
	    geteuid(), &cause), -1);
	assert_non_null(strstr(cause, "a regular file, not a directory"));
	free(cause);
	assert_int_equal(fileio_open_dir_at(dfd, "done", "inbox/done",
	    geteuid() + 1, &cause), -1);
	assert_non_null(strstr(cause, "inbox/done is owned by uid"));
	free(cause);
	assert_int_equal(fileio_open_dir_at(dfd, "absent", "inbox/absent",
	    geteuid(), &cause), -1);
	assert_non_null(strstr(cause, "inbox/absent: No such file"));
	free(cause);
	/* The absolute form, as for the inbox itself. */
	assert_true((fd = fileio_open_dir_at(AT_FDCWD, dir, dir, geteuid(),
	    &cause)) != -1);
	close(fd);

	close(dfd);
	cleanup(dir);
	free(p);
}

static void
test_read_at(void **state)
{
	char	 dir[] = "/tmp/test_fileio.XXXXXX", *p, *buf, *cause = NULL;
	char	 big[1000];
	size_t	 len;
	int	 dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true((dfd = open(dir, O_RDONLY | O_DIRECTORY)) != -1);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	xasprintf(&p, "%s/big.csv", dir);
	spit(p, big);
	free(p);

	assert_int_equal(fileio_read_at(dfd, "big.csv", "inbox/big.csv", 999,
	    &buf, &len, &cause), 0);
	assert_int_equal(len, 999);
	assert_int_equal(buf[999], '\0');
	assert_string_equal(buf, big);
	free(buf);

	/* Bounded. */
	errno = 0;
	assert_int_equal(fileio_read_at(dfd, "big.csv", "inbox/big.csv", 998,
	    &buf, &len, &cause), -1);
	assert_int_equal(errno, EFBIG);
	assert_null(buf);
	assert_string_equal(cause, "inbox/big.csv: 999 bytes, more than the "
	    "limit of 998");
	free(cause);

	/* Truncated while it is read: refused, not half a file (with a
	 * mapping, this was SIGBUS). */
	xasprintf(&p, "%s/big.csv", dir);
	shrink_path = p;
	assert_int_equal(fileio_read_at(dfd, "big.csv", "inbox/big.csv", 4096,
	    &buf, &len, &cause), -1);
	assert_null(shrink_path);
	assert_null(buf);
	assert_string_equal(cause, "inbox/big.csv changed while it was read "
	    "(999 bytes when opened, 100 read, 10 now): truncated or still "
	    "being written, not trusted");
	free(cause);
	/* Grown while it is read: refused too. */
	spit(p, big);
	grow_path = p;
	assert_int_equal(fileio_read_at(dfd, "big.csv", "inbox/big.csv", 4096,
	    &buf, &len, &cause), -1);
	assert_null(grow_path);
	assert_non_null(strstr(cause, "changed while it was read (999 bytes "
	    "when opened, 1000 or more read, 1009 now)"));
	free(cause);
	free(p);

	/* Never through a symbolic link, even to a good file. */
	assert_int_equal(symlinkat("big.csv", dfd, "link.csv"), 0);
	assert_int_equal(fileio_read_at(dfd, "link.csv", "inbox/link.csv",
	    4096, &buf, &len, &cause), -1);
	assert_string_equal(cause, "inbox/link.csv is a symbolic link, not a "
	    "regular file: not read");
	free(cause);

	/* A fifo without a writer: refused at once, never blocking. */
	assert_int_equal(mkfifoat(dfd, "pipe.csv", 0600), 0);
	assert_int_equal(fileio_read_at(dfd, "pipe.csv", "inbox/pipe.csv",
	    4096, &buf, &len, &cause), -1);
	assert_string_equal(cause, "inbox/pipe.csv is a fifo (named pipe), "
	    "not a regular file: not read");
	free(cause);

	/* Empty and absent files. */
	xasprintf(&p, "%s/empty.csv", dir);
	spit(p, "");
	free(p);
	assert_int_equal(fileio_read_at(dfd, "empty.csv", "inbox/empty.csv",
	    4096, &buf, &len, &cause), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	assert_int_equal(fileio_read_at(dfd, "absent.csv", "inbox/absent.csv",
	    4096, &buf, &len, &cause), -1);
	assert_string_equal(cause, "inbox/absent.csv: No such file or "
	    "directory");
	free(cause);

	close(dfd);
	cleanup(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_write_atomic_at),
		cmocka_unit_test(test_open_dir_at),
		cmocka_unit_test(test_read_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
