/*
 * Notes of what the agency did (store-note.c): added with ids never
 * reused, listed by client and days in day order, removed by their client
 * alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store.h"

static int
setup(void **state)
{
	char	*cause = NULL;

	if ((*state = store_open(":memory:", &cause)) == NULL) {
		free(cause);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	store_free(*state);
	return 0;
}

static int64_t
add(struct store *s, const char *client, int32_t day, const char *campaign,
    const char *channel, const char *text)
{
	struct store_note	 n;
	char			*cause = NULL;
	int64_t			 id;

	memset(&n, 0, sizeof n);
	n.client = (char *)client;
	n.day = day;
	n.campaign = (char *)campaign;
	n.channel = (char *)channel;
	n.text = (char *)text;
	n.created = 1764000000;
	n.author = (char *)"cli";
	id = store_note_add(s, &n, &cause);
	assert_null(cause);
	return id;
}

static void
test_notes(void **state)
{
	struct store		*s = *state;
	struct store_note	*v;
	size_t			 n;
	char			*cause = NULL;
	int64_t			 a, b, c, d;

	a = add(s, "acme", 20404, NULL, "meta", "Meta budget to WhatsApp");
	b = add(s, "acme", 20400, "spring", NULL, "new creatives");
	c = add(s, "other", 20400, NULL, NULL, "not acme's");
	assert_true(a > 0 && b > a && c > b);

	/* acme's, in day order, another client's left out */
	assert_int_equal(store_note_list(s, "acme", INT32_MIN, INT32_MAX, &v,
	    &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, b);
	assert_int_equal(v[0].day, 20400);
	assert_string_equal(v[0].campaign, "spring");
	assert_null(v[0].channel);
	assert_string_equal(v[1].text, "Meta budget to WhatsApp");
	assert_string_equal(v[1].channel, "meta");
	assert_string_equal(v[1].author, "cli");
	store_notes_free(v, n);

	/* days bound both ends */
	assert_int_equal(store_note_list(s, "acme", 20401, 20404, &v, &n,
	    &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, a);
	store_notes_free(v, n);

	/* removed by its own client only; ids not reused */
	assert_int_equal(store_note_remove(s, "acme", c, &cause), 0);
	assert_int_equal(store_note_remove(s, "other", c, &cause), 1);
	assert_int_equal(store_note_remove(s, "other", c, &cause), 0);
	d = add(s, "other", 20400, NULL, NULL, "again");
	assert_true(d > c);
	assert_int_equal(store_note_list(s, "nobody", INT32_MIN, INT32_MAX,
	    &v, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
