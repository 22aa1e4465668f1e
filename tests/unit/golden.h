/*
 * Golden files for the renderers' unit tests: golden_check(path, got)
 * compares a rendering with the file at path, byte for byte, and names the
 * first byte that differs; with ROIWATCH_UPDATE_GOLDEN set in the
 * environment it writes the file instead (then read the diff). Header
 * only: each test program is one file; include it after cmocka.h.
 */
#ifndef ROIWATCH_TEST_GOLDEN_H
#define ROIWATCH_TEST_GOLDEN_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
golden_read(const char *path)
{
	FILE	*f;
	char	*s;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: %s (ROIWATCH_UPDATE_GOLDEN=1 writes it)", path,
		    strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	s = malloc((size_t)len + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
	s[len] = '\0';
	fclose(f);
	return (s);
}

static void
golden_check(const char *path, const char *got)
{
	char	*want;
	FILE	*f;
	size_t	 i;

	if (getenv("ROIWATCH_UPDATE_GOLDEN") != NULL) {
		if ((f = fopen(path, "wb")) == NULL)
			fail_msg("%s: %s", path, strerror(errno));
		assert_int_equal(fwrite(got, 1, strlen(got), f), strlen(got));
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = golden_read(path);
	if (strcmp(want, got) != 0) {
		for (i = 0; want[i] == got[i]; i++)
			;
		fail_msg("%s differs at byte %zu:\n got: %.80s\nwant: %.80s",
		    path, i, got + i, want + i);
	}
	free(want);
}

#endif
