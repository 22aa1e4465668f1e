/*
 * Tests of the CSV tokenizer: quoting, line ends, BOM, delimiter detection and
 * malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "xmalloc.h"

/* All records of s joined as "f1|f2\n" per record, plus the start lines. */
struct tok {
	char	out[4096];
	long	lines[64];
	int	nrec;
	int	rc;
	char	*cause;
};

static void
tokenize(const char *s, size_t len, char delim, struct tok *t)
{
	struct csv		*c;
	const struct csv_field	*f;
	size_t			 n, i, o = 0;
	int			 rc;

	memset(t, 0, sizeof *t);
	c = csv_new(s, len, delim);
	while ((rc = csv_next(c, &f, &n, &t->cause)) == 1) {
		if (t->nrec < 64)
			t->lines[t->nrec] = csv_line(c);
		t->nrec++;
		for (i = 0; i < n; i++) {
			assert_true(o + f[i].len + 2 < sizeof t->out);
			memcpy(t->out + o, f[i].p, f[i].len);
			o += f[i].len;
			t->out[o++] = i + 1 < n ? '|' : '\n';
		}
	}
	t->out[o] = '\0';
	t->rc = rc;
	if (rc == -1)
		t->lines[t->nrec < 64 ? t->nrec : 63] = csv_line(c);
	csv_free(c);
}

#define TOK(lit, d, t)	tokenize((lit), sizeof(lit) - 1, (d), (t))

static void
test_simple(void **state)
{
	struct tok t;

	(void)state;
	TOK("a,b,c\n1,2,3\n", 0, &t);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.nrec, 2);
	assert_string_equal(t.out, "a|b|c\n1|2|3\n");
	assert_int_equal(t.lines[0], 1);
	assert_int_equal(t.lines[1], 2);
}

static void
test_crlf_and_cr(void **state)
{
	struct tok t;

	(void)state;
	TOK("a,b\r\n1,2\r\n3,4\r5,6\r", 0, &t);
	assert_int_equal(t.rc, 0);
	assert_string_equal(t.out, "a|b\n1|2\n3|4\n5|6\n");
	assert_int_equal(t.lines[3], 4);
}

static void
test_no_final_newline(void **state)
{
	struct tok t;

	(void)state;
	TOK("a,b\n1,2", 0, &t);
	assert_int_equal(t.nrec, 2);
	assert_string_equal(t.out, "a|b\n1|2\n");
	TOK("a,b\n1,", 0, &t);
	assert_string_equal(t.out, "a|b\n1|\n");
	TOK("a,b\n\"x\"", 0, &t);
	assert_string_equal(t.out, "a|b\nx\n");
}

static void
test_bom(void **state)
{
	struct tok t;

	(void)state;
	TOK("\xef\xbb\xbf" "a;b\n1;2\n", 0, &t);
	assert_int_equal(t.rc, 0);
	assert_string_equal(t.out, "a|b\n1|2\n");
}

static void
test_detect(void **state)
{
	struct tok t;

	(void)state;
	assert_int_equal(csv_detect_delimiter("a;b;c\n1,5;2,5;3\n", 16), ';');
	assert_int_equal(csv_detect_delimiter("a\tb\tc\n", 6), '\t');
	assert_int_equal(csv_detect_delimiter("a,b\n", 4), ',');
	assert_int_equal(csv_detect_delimiter("abc\n", 4), ',');
	/* separators inside a quoted header do not count */
	assert_int_equal(csv_detect_delimiter("\"a;b;c\",d,e\n", 12), ',');
	/* a title line without any separator is passed over */
	assert_int_equal(csv_detect_delimiter("Report\na;b\n", 11), ';');
	TOK("a\tb\n1,5\t2\n", 0, &t);
	assert_string_equal(t.out, "a|b\n1,5|2\n");
	/* explicit delimiter wins */
	TOK("a;b,c\n", ',', &t);
	assert_string_equal(t.out, "a;b|c\n");
}

static void
test_quoted(void **state)
{
	struct tok t;

	(void)state;
	TOK("\"Campaign, name\",\"Cost \"\"EUR\"\"\"\n\"x,y\",\"\"\"\"\n"
	    "\"\",\"a\"\"\"\n", 0, &t);
	assert_int_equal(t.rc, 0);
	assert_string_equal(t.out,
	    "Campaign, name|Cost \"EUR\"\nx,y|\"\n|a\"\n");
	/* blanks after the closing quote are tolerated */
	TOK("\"a\" ,b\n", 0, &t);
	assert_string_equal(t.out, "a|b\n");
}

static void
test_quoted_newline(void **state)
{
	struct tok t;

	(void)state;
	TOK("a,b\n\"line1\nline2\r\nline3\",x\n1,2\n", 0, &t);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.nrec, 3);
	assert_string_equal(t.out, "a|b\nline1\nline2\r\nline3|x\n1|2\n");
	assert_int_equal(t.lines[1], 2);
	assert_int_equal(t.lines[2], 5);
}

static void
test_escapes_across_scratch_growth(void **state)
{
	char	*buf;
	size_t	 i, o = 0, nf = 0;
	struct csv *c;
	const struct csv_field *f;
	char	*cause;

	(void)state;
	/* many escaped fields in one record force the scratch to grow */
	buf = xmalloc(200 * 40);
	for (i = 0; i < 200; i++)
		o += (size_t)snprintf(buf + o, 40, "%s\"v%03zu\"\"q\"\"\"",
		    i ? "," : "", i);
	c = csv_new(buf, o, ',');
	assert_int_equal(csv_next(c, &f, &nf, &cause), 1);
	assert_int_equal(nf, 200);
	for (i = 0; i < 200; i++) {
		char want[16];

		snprintf(want, sizeof want, "v%03zu\"q\"", i);
		assert_int_equal(f[i].len, strlen(want));
		assert_memory_equal(f[i].p, want, f[i].len);
	}
	assert_int_equal(csv_next(c, &f, &nf, &cause), 0);
	csv_free(c);
	free(buf);
}

static void
test_unterminated_quote(void **state)
{
	struct tok t;

	(void)state;
	TOK("a,b\n1,2\n3,\"open\nmore\n", 0, &t);
	assert_int_equal(t.rc, -1);
	assert_non_null(t.cause);
	assert_non_null(strstr(t.cause, "line 3"));
	assert_int_equal(t.lines[2], 3);
	free(t.cause);
}

static void
test_text_after_quote(void **state)
{
	struct tok t;

	(void)state;
	TOK("a,b\n\"x\"y,2\n", 0, &t);
	assert_int_equal(t.rc, -1);
	assert_non_null(strstr(t.cause, "line 2"));
	free(t.cause);
}

static void
test_nul_and_binary(void **state)
{
	static const char in[] = "a,b\n\0x,\xff\xfe\n";
	struct tok t;

	(void)state;
	tokenize(in, sizeof in - 1, 0, &t);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.nrec, 2);
	assert_memory_equal(t.out + 4, "\0x|\xff\xfe\n", 6);
}

static void
test_too_many_fields(void **state)
{
	size_t	 len = CSV_FIELDS_MAX + 10;
	char	*buf = xmalloc(len);
	struct tok t;

	(void)state;
	memset(buf, ',', len);
	tokenize(buf, len, ',', &t);
	assert_int_equal(t.rc, -1);
	free(t.cause);
	free(buf);
}

static void
test_empty(void **state)
{
	struct tok t;

	(void)state;
	tokenize("", 0, 0, &t);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.nrec, 0);
	TOK("\xef\xbb\xbf", 0, &t);
	assert_int_equal(t.nrec, 0);
	TOK("a\n\n", 0, &t);
	assert_int_equal(t.nrec, 2);
	assert_string_equal(t.out, "a\n\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_crlf_and_cr),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_quoted_newline),
		cmocka_unit_test(test_escapes_across_scratch_growth),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_text_after_quote),
		cmocka_unit_test(test_nul_and_binary),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
