/*
 * Tests of the digest state in the store (store-digest.c) against a real
 * SQLite file in a fresh temporary directory per test: arming is
 * idempotent, a period is recorded as sent once (a second mark of it, or
 * of an earlier one, is refused), schedules and clients are apart, the
 * state survives closing and reopening the file, and a mark rolled back
 * with its transaction leaves nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

struct fixture {
	char		 dir[256];
	char		 path[300];
	struct store	*s;
};

static struct store *
open_store(const char *path)
{
	struct store	*s;
	char		*cause = NULL;

	if ((s = store_open(path, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	return s;
}

static int
setup(void **state)
{
	struct fixture	*f;
	const char	*tmp = getenv("TMPDIR");

	f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "%s/test_store_digest.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/roiwatch.db", f->dir);
	f->s = open_store(f->path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 p[400];

	store_free(f->s);
	unlink(f->path);
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
get(struct store *s, const char *client, const char *schedule,
    struct store_digest_state *ds)
{
	char	*cause = NULL;
	int	 rc;

	if ((rc = store_digest_get(s, client, schedule, ds, &cause)) == -1)
		fail_msg("store_digest_get: %s", cause);
	return rc;
}

static void
arm(struct store *s, const char *client, const char *schedule, int64_t now)
{
	char	*cause = NULL;

	if (store_digest_arm(s, client, schedule, now, &cause) != 0)
		fail_msg("store_digest_arm: %s", cause);
}

/* store_digest_mark() in its own transaction, committed when it records. */
static int
mark(struct store *s, const char *client, const char *schedule, int32_t from,
    int32_t to, int64_t now, int late)
{
	char	*cause = NULL;
	int	 rc;

	if (store_begin(s, &cause) != 0)
		fail_msg("store_begin: %s", cause);
	rc = store_digest_mark(s, client, schedule, from, to, now, late,
	    &cause);
	if (rc == -1)
		fail_msg("store_digest_mark: %s", cause);
	if (rc == 1) {
		if (store_commit(s, &cause) != 0)
			fail_msg("store_commit: %s", cause);
	} else
		store_rollback(s);
	return rc;
}

static void
test_unknown(void **state)
{
	struct fixture			*f = *state;
	struct store_digest_state	 ds;

	memset(&ds, 0x55, sizeof ds);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 0);
	assert_int_equal(ds.armed_at, 0);
	assert_int_equal(ds.sent_from, INT32_MIN);
	assert_int_equal(ds.sent_to, INT32_MIN);
	assert_int_equal(ds.sent_at, 0);
	assert_int_equal(ds.late, 0);
	assert_int_equal(store_digest_count(f->s), 0);
}

static void
test_arm_idempotent(void **state)
{
	struct fixture			*f = *state;
	struct store_digest_state	 ds;

	arm(f->s, "acme", "weekly", 1000);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.armed_at, 1000);
	assert_int_equal(ds.sent_from, INT32_MIN);
	assert_int_equal(ds.sent_to, INT32_MIN);
	/* Seen again later: first seen stays. */
	arm(f->s, "acme", "weekly", 5000);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.armed_at, 1000);
	/* Another schedule, another client: rows of their own. */
	arm(f->s, "acme", "daily", 2000);
	arm(f->s, "other", "weekly", 3000);
	assert_int_equal(get(f->s, "acme", "daily", &ds), 1);
	assert_int_equal(ds.armed_at, 2000);
	assert_int_equal(get(f->s, "other", "weekly", &ds), 1);
	assert_int_equal(ds.armed_at, 3000);
	assert_int_equal(get(f->s, "other", "daily", &ds), 0);
	/* Arming after a sending keeps the sending. */
	assert_int_equal(mark(f->s, "acme", "weekly", 100, 106, 6000, 0), 1);
	arm(f->s, "acme", "weekly", 7000);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.armed_at, 1000);
	assert_int_equal(ds.sent_from, 100);
}

static void
test_mark_once(void **state)
{
	struct fixture			*f = *state;
	struct store_digest_state	 ds;

	arm(f->s, "acme", "weekly", 1000);
	assert_int_equal(mark(f->s, "acme", "weekly", 100, 106, 2000, 0), 1);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.armed_at, 1000);
	assert_int_equal(ds.sent_from, 100);
	assert_int_equal(ds.sent_to, 106);
	assert_int_equal(ds.sent_at, 2000);
	assert_int_equal(ds.late, 0);
	assert_int_equal(store_digest_count(f->s), 1);
	/* The same period again (another process sent it), or one before:
	 * refused, nothing changes. */
	assert_int_equal(mark(f->s, "acme", "weekly", 100, 106, 2100, 1), 0);
	assert_int_equal(mark(f->s, "acme", "weekly", 93, 99, 2200, 0), 0);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.sent_from, 100);
	assert_int_equal(ds.sent_at, 2000);
	assert_int_equal(ds.late, 0);
	assert_int_equal(store_digest_count(f->s), 1);
	/* The next period, late. */
	assert_int_equal(mark(f->s, "acme", "weekly", 107, 113, 9000, 1), 1);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.sent_from, 107);
	assert_int_equal(ds.sent_to, 113);
	assert_int_equal(ds.sent_at, 9000);
	assert_int_equal(ds.late, 1);
	assert_int_equal(store_digest_count(f->s), 2);
	/* Another schedule of the client is apart. */
	assert_int_equal(mark(f->s, "acme", "daily", 100, 100, 2000, 0), 1);
	assert_int_equal(store_digest_count(f->s), 3);
}

/* A mark without an arm arms at the sending; days before 1970 work. */
static void
test_mark_unarmed(void **state)
{
	struct fixture			*f = *state;
	struct store_digest_state	 ds;
	char				*cause = NULL;

	assert_int_equal(mark(f->s, "acme", "monthly", -40, -10, 4000, 0), 1);
	assert_int_equal(get(f->s, "acme", "monthly", &ds), 1);
	assert_int_equal(ds.armed_at, 4000);
	assert_int_equal(ds.sent_from, -40);
	assert_int_equal(ds.sent_to, -10);
	/* A period that ends before it starts is an error. */
	assert_int_equal(store_digest_mark(f->s, "acme", "monthly", 10, 9,
	    4000, 0, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

/* Rolled back with the transaction of its outbox items: not sent. */
static void
test_mark_rollback(void **state)
{
	struct fixture			*f = *state;
	struct store_digest_state	 ds;
	char				*cause = NULL;

	arm(f->s, "acme", "daily", 1000);
	assert_int_equal(store_begin(f->s, &cause), 0);
	assert_int_equal(store_digest_mark(f->s, "acme", "daily", 100, 100,
	    2000, 0, &cause), 1);
	store_rollback(f->s);
	assert_int_equal(get(f->s, "acme", "daily", &ds), 1);
	assert_int_equal(ds.sent_from, INT32_MIN);
	assert_int_equal(store_digest_count(f->s), 0);
	assert_int_equal(mark(f->s, "acme", "daily", 100, 100, 2100, 0), 1);
}

static void
test_reopen(void **state)
{
	struct fixture			*f = *state;
	struct store_digest_state	 ds;

	arm(f->s, "acme", "weekly", 1000);
	assert_int_equal(mark(f->s, "acme", "weekly", 100, 106, 2000, 1), 1);
	store_free(f->s);
	f->s = open_store(f->path);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.armed_at, 1000);
	assert_int_equal(ds.sent_from, 100);
	assert_int_equal(ds.sent_to, 106);
	assert_int_equal(ds.sent_at, 2000);
	assert_int_equal(ds.late, 1);
	assert_int_equal(store_digest_count(f->s), 1);
	/* Still sent once. */
	assert_int_equal(mark(f->s, "acme", "weekly", 100, 106, 3000, 0), 0);
	arm(f->s, "acme", "weekly", 5000);
	assert_int_equal(get(f->s, "acme", "weekly", &ds), 1);
	assert_int_equal(ds.armed_at, 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arm_idempotent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mark_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mark_unarmed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mark_rollback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
