/*
 * Whole-or-absent files: written and renamed into place; a symlink planted
 * at the temporary name is not written through; a failure leaves the old
 * file as it was.
 */
#include <sys/stat.h>

#include <errno.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
