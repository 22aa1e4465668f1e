/*
 * The outbox's routing statements (store-outbox.c): the item a grouping wait
 * merges into (never tried, due later than a second from now), rewrites and
 * removals guarded to never-tried items, and the crowded pairs and their
 * backlog a catch-up folds, items in flight left out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void
test_group_open(void **state)
{
	struct store	*s = *state;
	int64_t		 now = (int64_t)time(NULL), a, b, id, due;
	char		*payload = NULL, *cause = NULL;

	/* Due now: no group to join. */
	a = store_outbox_add(s, "acme", "team", "{\"n\":1}", now, &cause);
	assert_true(a > 0);
	assert_int_equal(store_outbox_group_open(s, "acme", "team", now, &id,
	    &due, &payload, &cause), 0);
	/* Due in a minute: joined; another receiver's or client's is not. */
	b = store_outbox_add_at(s, "acme", "team", "{\"n\":2}", now, now + 60,
	    &cause);
	assert_true(b > a);
	assert_int_equal(store_outbox_group_open(s, "acme", "pager", now, &id,
	    &due, &payload, &cause), 0);
	assert_int_equal(store_outbox_group_open(s, "globex", "team", now,
	    &id, &due, &payload, &cause), 0);
	assert_int_equal(store_outbox_group_open(s, "acme", "team", now, &id,
	    &due, &payload, &cause), 1);
	assert_int_equal(id, b);
	assert_int_equal(due, now + 60);
	assert_string_equal(payload, "{\"n\":2}");
	free(payload);
	payload = NULL;
	/* Its last second: closed (the daemon may be sending it). */
	assert_int_equal(store_outbox_group_open(s, "acme", "team", now + 59,
	    &id, &due, &payload, &cause), 0);
	assert_int_equal(store_outbox_rewrite(s, b, "{\"n\":3}", now + 60,
	    &cause), 0);
	/* Tried once: never rewritten, never joined, never removed. */
	assert_int_equal(store_outbox_retry(s, b, now + 60, "503", &cause), 0);
	assert_int_equal(store_outbox_group_open(s, "acme", "team", now, &id,
	    &due, &payload, &cause), 0);
	assert_int_equal(store_outbox_rewrite(s, b, "{\"n\":4}", now + 60,
	    &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(store_outbox_remove(s, b, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(store_outbox_remove(s, a, &cause), 0);
}

static void
test_crowded(void **state)
{
	struct store		*s = *state;
	struct outbox_item	*it = NULL;
	int64_t			 now = (int64_t)time(NULL), ids[8], skip[1];
	char			**c = NULL, **r = NULL, *cause = NULL;
	int			 i, n;

	for (i = 0; i < 6; i++)
		ids[i] = store_outbox_add(s, "acme", "team", "{}", now - 10 + i,
		    &cause);
	ids[6] = store_outbox_add(s, "acme", "pager", "{}", now, &cause);
	ids[7] = store_outbox_add(s, "globex", "team", "{}", now, &cause);
	n = store_outbox_crowded(s, 5, NULL, 0, &c, &r, &cause);
	assert_int_equal(n, 1);
	assert_string_equal(c[0], "acme");
	assert_string_equal(r[0], "team");
	store_outbox_pairs_free(c, r, n);
	/* One in flight, one tried: five left, not crowded. */
	skip[0] = ids[5];
	assert_int_equal(store_outbox_retry(s, ids[0], now, "x", &cause), 0);
	n = store_outbox_crowded(s, 4, skip, 1, &c, &r, &cause);
	assert_int_equal(n, 0);
	store_outbox_pairs_free(c, r, n);
	n = store_outbox_untried(s, "acme", "team", skip, 1, 100, &it, &cause);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_int_equal(it[i].id, ids[i + 1]);	/* oldest first */
	store_outbox_items_free(it, n);
	n = store_outbox_untried(s, "acme", "team", NULL, 0, 2, &it, &cause);
	assert_int_equal(n, 2);
	store_outbox_items_free(it, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crowded, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
