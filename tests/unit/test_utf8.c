/*
 * UTF-8 helpers: validation against RFC 3629's edges, encoding round trips,
 * display width, and the blanks of real exports. Table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void
test_valid(void **state)
{
	static const struct {
		const char	*s;
		int		 valid;
	} cases[] = {
		{ "", 1 }, { "plain ascii", 1 }, { "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m", 1 },
		{ "\xe2\x82\xac", 1 }, { "\xf0\x9f\x98\x80", 1 },
		{ "\xc2\x80", 1 }, { "\xdf\xbf", 1 }, { "\xe0\xa0\x80", 1 },
		{ "\xed\x9f\xbf", 1 }, { "\xee\x80\x80", 1 },
		{ "\xf0\x90\x80\x80", 1 }, { "\xf4\x8f\xbf\xbf", 1 },
		{ "\xc0\xaf", 0 }, { "\xc1\xbf", 0 },		/* overlong */
		{ "\xe0\x9f\xbf", 0 }, { "\xf0\x8f\xbf\xbf", 0 },
		{ "\xed\xa0\x80", 0 }, { "\xed\xbf\xbf", 0 },	/* surrogates */
		{ "\xf4\x90\x80\x80", 0 }, { "\xf5\x80\x80\x80", 0 },
		{ "\x80", 0 }, { "\xbf", 0 }, { "\xfe", 0 }, { "\xff", 0 },
		{ "\xe2\x82", 0 }, { "a\xc3", 0 },		/* truncated */
		{ "\xe2\x28\xa1", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (utf8_valid(cases[i].s, strlen(cases[i].s)) !=
		    cases[i].valid)
			fail_msg("case %zu: expected %d", i, cases[i].valid);
}

static void
test_put_round_trip(void **state)
{
	static const unsigned cps[] = {
		0, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd,
		0xffff, 0x10000, 0x1f600, 0x10ffff
	};
	char	 buf[4];
	size_t	 i, n;

	(void)state;
	for (i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		n = utf8_put(buf, cps[i]);
		assert_int_equal(n, cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 :
		    cps[i] < 0x10000 ? 3 : 4);
		assert_true(utf8_valid(buf, n));
		if (n > 1)
			assert_int_equal(utf8_seq_len((unsigned char *)buf,
			    (unsigned char *)buf + n), n);
	}
}

static void
test_width_and_blanks(void **state)
{
	const char	*s;
	size_t		 len;

	(void)state;
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("3\xe2\x80\xaf" "630,00\xc2\xa0\xe2\x82\xac"),
	    10);
	assert_int_equal(utf8_blank("\xc2\xa0x", 3), 2);
	assert_int_equal(utf8_blank("\xe2\x80\xafx", 4), 3);
	assert_int_equal(utf8_blank("\tx", 2), 1);
	assert_int_equal(utf8_blank("x ", 2), 0);
	assert_int_equal(utf8_blank("\xc2", 1), 0);
	assert_int_equal(utf8_blank_end("x\xc2\xa0", 3), 2);
	assert_int_equal(utf8_blank_end("\xa0", 1), 0);
	s = " \xc2\xa0 12,50\xe2\x80\xaf\t";
	len = strlen(s);
	utf8_trim(&s, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "12,50", 5);
	s = "\xc2\xa0 ";
	len = strlen(s);
	utf8_trim(&s, &len);
	assert_int_equal(len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_put_round_trip),
		cmocka_unit_test(test_width_and_blanks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
