/*
 * A fixture for unit tests that need a real configuration and store: a
 * private directory with main.conf, two clients ("a" and "b", EUR, UTC,
 * minimum ROI 0 %, a file receiver each) and the store in state/. Header
 * only: each test program is one file.
 */
#ifndef ROIWATCH_TEST_FIXTURE_H
#define ROIWATCH_TEST_FIXTURE_H
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "store.h"
#include "xmalloc.h"

static char		*tmpdir;
static struct config	*cfg;
static struct store	*store;

static void
write_file(const char *name, const char *text)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/%s", tmpdir, name);
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

#define CLIENT_FMT \
    "{ \"id\": \"%s\", \"name\": \"%s\", \"currency\": \"EUR\",\n" \
    "  \"timezone\": \"UTC\", \"minimum_roi\": \"0%%\",\n" \
    "  \"token_file\": \"%s.token\",\n" \
    "  \"receivers\": [{\"name\": \"m\", \"type\": \"file\",\n" \
    "    \"dir\": \"mail/%s\"}] }\n"

static int
fixture_setup(void **state)
{
	char	*text, *path, *cause = NULL;

	(void)state;
	tmpdir = xstrdup("/tmp/roiwatch-test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	xasprintf(&path, "%s/clients.d", tmpdir);
	mkdir(path, 0700);
	free(path);
	write_file("main.conf", "{ \"state_dir\": \"state\" }\n");
	write_file("a.token", "token-of-client-a-0123456789\n");
	write_file("b.token", "token-of-client-b-0123456789\n");
	xasprintf(&text, CLIENT_FMT, "a", "Alpha", "a", "a");
	write_file("clients.d/a.conf", text);
	free(text);
	xasprintf(&text, CLIENT_FMT, "b", "Beta", "b", "b");
	write_file("clients.d/b.conf", text);
	free(text);
	xasprintf(&path, "%s/main.conf", tmpdir);
	if ((cfg = config_load(path, NULL, &cause)) == NULL)
		fail_msg("config: %s", cause);
	free(path);
	if ((store = store_open_dir(cfg->state_dir, &cause)) == NULL)
		fail_msg("store: %s", cause);
	return 0;
}

static int
fixture_teardown(void **state)
{
	(void)state;
	store_free(store);
	config_free(cfg);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	return 0;
}

#endif
