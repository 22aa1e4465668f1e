/*
 * The private directory of the configuration tests: files written into it
 * (directories made on the way), removed with rm_entry() by nftw(), and
 * real zone files of the system's tzdata copied into its $TZDIR. Header
 * only: each test program is one file; include it after cmocka.h and set
 * tmpdir in the setup.
 */
#ifndef ROIWATCH_TEST_CONFIG_FIXTURE_H
#define ROIWATCH_TEST_CONFIG_FIXTURE_H
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static char	*tmpdir;

static void
write_file(const char *name, const char *text)
{
	char	*path, *p;
	FILE	*f;

	xasprintf(&path, "%s/%s", tmpdir, name);
	for (p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL;
	    p++) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("fopen %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	free(path);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

#ifndef CONFIG_FIXTURE_NO_ZONES
/* A real zone file of the system's tzdata into the private $TZDIR. */
static void
copy_zone(const char *name)
{
	char	*src, *dst, buf[65536];
	FILE	*in, *out;
	size_t	 n;

	xasprintf(&src, "/usr/share/zoneinfo/%s", name);
	xasprintf(&dst, "zoneinfo/%s", name);
	write_file(dst, "");
	free(dst);
	xasprintf(&dst, "%s/zoneinfo/%s", tmpdir, name);
	if ((in = fopen(src, "rb")) == NULL)
		fail_msg("%s: %s (install tzdata)", src, strerror(errno));
	if ((out = fopen(dst, "wb")) == NULL)
		fail_msg("%s: %s", dst, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	free(src);
	free(dst);
}
#endif

#endif
