/*
 * The operator's side of the outbox in the store: listing by state (pending
 * split from retrying), client and receiver, newest first under a limit;
 * one item with its payload; requeue and drop guarded so that a done item
 * and one that may be in flight (due) are never touched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixture.h"
#include "outbox-view.h"

/* Items: 1 pending (a/m), 2 retrying (a/m, next at 500), 3 dead (a/x),
 * 4 done (b/m), created at 100.. 130. */
static int64_t id[5];

static int
setup(void **state)
{
	char	*cause = NULL;
	int	 i;

	fixture_setup(state);
	for (i = 1; i <= 4; i++) {
		id[i] = store_outbox_add(store, i < 4 ? "a" : "b", i == 3 ? "x" :
		    "m", "{}", 100 + 10 * (i - 1), &cause);
		assert_true(id[i] > 0);
	}
	assert_int_equal(store_outbox_retry(store, id[2], 500, "HTTP 500",
	    &cause), 0);
	assert_int_equal(store_outbox_failed(store, id[3], 135, "HTTP 404 Not "
	    "Found (permanent failure, after 1 attempt)", &cause), 0);
	assert_int_equal(store_outbox_done(store, id[4], 140, &cause), 0);
	return 0;
}

static int
teardown(void **state)
{
	return fixture_teardown(state);
}

/* The ids a list returns, as "1,2,3". */
static const char *
list_ids(unsigned mask, const char *client, const char *receiver, int limit,
    int *more)
{
	static char		 buf[128];
	struct outbox_item	*it;
	char			*cause = NULL;
	size_t			 len = 0;
	int			 n, i;

	n = store_outbox_list(store, mask, client, receiver, limit, &it, more,
	    &cause);
	assert_true(n >= 0);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		assert_null(it[i].payload);
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld",
		    i > 0 ? "," : "", (long long)it[i].id);
	}
	store_outbox_items_free(it, n);
	return buf;
}

static void
test_list(void **state)
{
	struct outbox_item	*it;
	char			*cause = NULL;
	int			 more, n;

	(void)state;
	assert_string_equal(list_ids(OUTBOX_STATES_OPEN, NULL, NULL, 100,
	    &more), "1,2,3");
	assert_int_equal(more, 0);
	assert_string_equal(list_ids(OUTBOX_STATES_ALL, NULL, NULL, 100,
	    &more), "1,2,3,4");
	assert_string_equal(list_ids(OUTBOX_STATE_BIT(OUTBOX_PENDING), NULL,
	    NULL, 100, &more), "1");
	assert_string_equal(list_ids(OUTBOX_STATE_BIT(OUTBOX_RETRYING), NULL,
	    NULL, 100, &more), "2");
	assert_string_equal(list_ids(OUTBOX_STATE_BIT(OUTBOX_DEAD), NULL, NULL,
	    100, &more), "3");
	assert_string_equal(list_ids(OUTBOX_STATE_BIT(OUTBOX_DONE), NULL, NULL,
	    100, &more), "4");
	assert_string_equal(list_ids(OUTBOX_STATES_ALL, "b", NULL, 100, &more),
	    "4");
	assert_string_equal(list_ids(OUTBOX_STATES_ALL, NULL, "m", 100, &more),
	    "1,2,4");
	assert_string_equal(list_ids(OUTBOX_STATES_ALL, "a", "x", 100, &more),
	    "3");
	assert_string_equal(list_ids(OUTBOX_STATES_ALL, "nope", NULL, 100,
	    &more), "");
	/* The newest under the limit, oldest first, and a word of the rest. */
	assert_string_equal(list_ids(OUTBOX_STATES_ALL, NULL, NULL, 2, &more),
	    "3,4");
	assert_int_equal(more, 1);
	assert_string_equal(list_ids(OUTBOX_STATES_ALL, NULL, NULL, 4, &more),
	    "1,2,3,4");
	assert_int_equal(more, 0);

	n = store_outbox_list(store, OUTBOX_STATES_ALL, NULL, NULL, 10, &it,
	    &more, &cause);
	assert_int_equal(n, 4);
	assert_int_equal(it[1].state, OUTBOX_RETRYING);
	assert_int_equal(it[1].next_at, 500);
	assert_int_equal(it[1].attempts, 1);
	assert_string_equal(it[1].last_error, "HTTP 500");
	assert_int_equal(it[2].state, OUTBOX_DEAD);
	assert_int_equal(it[2].done_at, 135);
	assert_int_equal(it[3].state, OUTBOX_DONE);
	assert_int_equal(it[3].done_at, 140);
	assert_int_equal(it[0].state, OUTBOX_PENDING);
	assert_int_equal(it[0].done_at, 0);
	store_outbox_items_free(it, n);
}

static void
test_get(void **state)
{
	struct outbox_item	 it;
	char			*cause = NULL;

	(void)state;
	assert_int_equal(store_outbox_get(store, id[3], &it, &cause), 1);
	assert_int_equal(it.id, id[3]);
	assert_string_equal(it.client, "a");
	assert_string_equal(it.receiver, "x");
	assert_string_equal(it.payload, "{}");
	assert_int_equal(it.state, OUTBOX_DEAD);
	assert_int_equal(it.attempts, 1);
	assert_non_null(strstr(it.idem_key, "rw-a-"));
	store_outbox_item_clear(&it);
	assert_int_equal(store_outbox_get(store, 999, &it, &cause), 0);
	assert_null(it.client);
}

static void
test_requeue(void **state)
{
	struct outbox_item	 it;
	char			*cause = NULL;

	(void)state;
	/* Done: never (it would be sent twice). */
	assert_int_equal(store_outbox_requeue(store, id[4], 200, &cause), 0);
	/* Due already (pending, retrying due): may be in flight, untouched. */
	assert_int_equal(store_outbox_requeue(store, id[1], 200, &cause), 0);
	assert_int_equal(store_outbox_requeue(store, id[2], 600, &cause), 0);
	assert_int_equal(store_outbox_requeue(store, 999, 200, &cause), 0);
	/* Retrying, waiting: due now, attempts and error kept. */
	assert_int_equal(store_outbox_requeue(store, id[2], 200, &cause), 1);
	assert_int_equal(store_outbox_get(store, id[2], &it, &cause), 1);
	assert_int_equal(it.next_at, 200);
	assert_int_equal(it.attempts, 1);
	assert_string_equal(it.last_error, "HTTP 500");
	store_outbox_item_clear(&it);
	/* Dead: pending again, due now, finished time cleared. */
	assert_int_equal(store_outbox_requeue(store, id[3], 200, &cause), 1);
	assert_int_equal(store_outbox_get(store, id[3], &it, &cause), 1);
	assert_int_equal(it.state, OUTBOX_RETRYING);
	assert_int_equal(it.next_at, 200);
	assert_int_equal(it.done_at, 0);
	assert_int_equal(it.attempts, 1);
	store_outbox_item_clear(&it);
	/* The daemon's transitions take it from there. */
	assert_int_equal(store_outbox_done(store, id[3], 210, &cause), 0);
	assert_int_equal(store_outbox_get(store, id[3], &it, &cause), 1);
	assert_int_equal(it.state, OUTBOX_DONE);
	assert_int_equal(it.attempts, 2);
	store_outbox_item_clear(&it);
}

static void
test_drop(void **state)
{
	struct outbox_item	 it;
	char			*cause = NULL;

	(void)state;
	assert_int_equal(store_outbox_drop(store, id[4], 200, 1, &cause), 0);
	assert_int_equal(store_outbox_drop(store, id[1], 200, 0, &cause), 0);
	assert_int_equal(store_outbox_drop(store, id[2], 600, 0, &cause), 0);
	assert_int_equal(store_outbox_drop(store, 999, 200, 1, &cause), 0);
	assert_int_equal(store_outbox_drop(store, id[2], 200, 0, &cause), 1);
	assert_int_equal(store_outbox_drop(store, id[3], 200, 0, &cause), 1);
	assert_int_equal(store_outbox_drop(store, id[1], 200, 1, &cause), 1);
	assert_int_equal(store_outbox_get(store, id[1], &it, &cause), 0);
	assert_int_equal(store_outbox_get(store, id[4], &it, &cause), 1);
	store_outbox_item_clear(&it);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
