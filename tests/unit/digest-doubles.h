/*
 * TEST DOUBLES -- TO BE REMOVED AT MERGE.
 *
 * digest_story()/digest_story_free() (daemon/digest-story.c) and
 * digest_period_name() (daemon/digest-schedule.c) are written in parallel
 * on other branches. Until they are merged, the renderers' tests link
 * these stand-ins instead: a two-sentence story naming "total" and
 * "channels", and a period always named "from..to".
 *
 * At merge: delete this file and its #include in the tests, then
 * regenerate the golden files the tests compare with (each test's header
 * says how: ROIWATCH_UPDATE_GOLDEN=1 in the environment), and review the
 * diff.
 *
 * Include it in exactly one file of a test program (it defines the
 * functions).
 */
#ifndef ROIWATCH_TEST_DIGEST_DOUBLES_H
#define ROIWATCH_TEST_DIGEST_DOUBLES_H
#include <stdio.h>
#include <stdlib.h>

#include "digest.h"
#include "digest-schedule.h"
#include "metric.h"
#include "xmalloc.h"

size_t
digest_story(const struct digest *d, struct digest_sentence **out)
{
	struct digest_sentence	*s = xcalloc(2, sizeof *s);

	xasprintf(&s[0].text, "ROI of %s rose over the period.",
	    d->client_name);
	s[0].ref = "total";
	s[1].text = xstrdup("One channel carried most of the revenue.");
	s[1].ref = "channels";
	*out = s;
	return (2);
}

void
digest_story_free(struct digest_sentence *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(s[i].text);
	free(s);
}

char *
digest_period_name(int32_t from, int32_t to, char *buf, size_t len)
{
	int		 y1, y2;
	unsigned	 m1, d1, m2, d2;

	metric_civil_from_days(from, &y1, &m1, &d1);
	metric_civil_from_days(to, &y2, &m2, &d2);
	snprintf(buf, len, "%04d-%02u-%02u..%04d-%02u-%02u", y1, m1, d1, y2,
	    m2, d2);
	return (buf);
}

#endif
