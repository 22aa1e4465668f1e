/* Unit tests of the inbox's pure part: which file names it takes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "inbox.h"

static void
test_name_eligible(void **state)
{
	static const char *taken[] = { "nov.csv", "meta-export 2026-11.csv",
	    "data.json", "x.ndjson", "report.TMP.csv", "notes.txt", "a" };
	static const char *left[] = { "", ".nov.csv", ".nov.csv.tmp",
	    "nov.csv.tmp", "nov.csv.part", "nov.csv.partial", "nov.csv~",
	    ".nov.csv.swp", "nov.csv.crdownload", "nov.csv.report", ".",
	    ".." };
	size_t i;

	(void)state;
	/* Unsupported types are taken too: they go to failed/ with a report,
	 * which tells the operator more than silence. */
	for (i = 0; i < sizeof taken / sizeof taken[0]; i++)
		assert_true(inbox_name_eligible(taken[i]));
	for (i = 0; i < sizeof left / sizeof left[0]; i++)
		assert_false(inbox_name_eligible(left[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_eligible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
