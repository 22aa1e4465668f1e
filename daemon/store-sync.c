/*
 * Durable acknowledgements without an fsync in the event loop. With the
 * syncer, the daemon's connection commits with synchronous=NORMAL (the WAL is
 * written, not synced), and a thread of its own syncs the write-ahead log
 * afterwards: every commit asks for a sync (a ticket), the thread runs one
 * fdatasync() for all the tickets asked meanwhile, and the loop answers the
 * requests of a commit only once its ticket is synced. Group commit in full:
 * commits go on while the disk syncs, and one sync serves them all.
 *
 * Why it is as safe as synchronous=FULL for what was acknowledged: a frame
 * committed to the WAL and then synced is on disk; should a checkpoint have
 * copied it into the database file and the WAL been restarted meanwhile,
 * SQLite synced the WAL before that checkpoint and the database after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

struct store_syncer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 stop;
	int		 walfd;
	int		 pipe[2];	/* the thread tells the loop */
	uint64_t	 requested;	/* last ticket given */
	uint64_t	 synced;	/* every ticket up to it is on disk */
	uint64_t	 failed;	/* tickets up to it: the sync failed */
	int		 error;		/* errno of that failure */
};

static void *
store_syncer_main(void *arg)
{
	struct store_syncer *y = arg;
	uint64_t target;
	int rc, err;

	pthread_mutex_lock(&y->lock);
	for (;;) {
		while (y->requested == y->synced && !y->stop)
			pthread_cond_wait(&y->cond, &y->lock);
		if (y->requested == y->synced && y->stop)
			break;
		target = y->requested;
		pthread_mutex_unlock(&y->lock);
		rc = fdatasync(y->walfd);
		err = errno;
		pthread_mutex_lock(&y->lock);
		if (rc != 0) {
			y->failed = target;
			y->error = err;
		}
		y->synced = target;
		pthread_cond_broadcast(&y->cond);
		pthread_mutex_unlock(&y->lock);
		if (write(y->pipe[1], "s", 1) == -1 && errno != EAGAIN)
			log_warnx("store: syncer: %s", strerror(errno));
		pthread_mutex_lock(&y->lock);
	}
	pthread_mutex_unlock(&y->lock);
	return NULL;
}

struct store_syncer *
store_syncer_start(struct store *s, char **cause)
{
	struct store_syncer *y;
	const char *path;
	char *wal;

	if ((path = sqlite3_db_filename(store_db(s), "main")) == NULL ||
	    *path == '\0') {
		*cause = xstrdup("syncer: the database has no file");
		return NULL;
	}
	y = xcalloc(1, sizeof *y);
	y->pipe[0] = y->pipe[1] = -1;
	xasprintf(&wal, "%s-wal", path);
	y->walfd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (y->walfd == -1) {
		xasprintf(cause, "syncer: %s: %s", wal, strerror(errno));
		free(wal);
		goto fail;
	}
	free(wal);
	if (pipe2(y->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		xasprintf(cause, "syncer: pipe: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&y->lock, NULL);
	pthread_cond_init(&y->cond, NULL);
	if (pthread_create(&y->thread, NULL, store_syncer_main, y) != 0) {
		*cause = xstrdup("syncer: cannot start a thread");
		pthread_cond_destroy(&y->cond);
		pthread_mutex_destroy(&y->lock);
		goto fail;
	}
	/* Only now: commits stop syncing, the thread does it. */
	if (store_pragma(store_db(s), "PRAGMA synchronous = NORMAL", NULL, 0,
	    cause) != 0) {
		store_syncer_stop(y);
		return NULL;
	}
	return y;
fail:
	if (y->walfd != -1)
		close(y->walfd);
	if (y->pipe[0] != -1) {
		close(y->pipe[0]);
		close(y->pipe[1]);
	}
	free(y);
	return NULL;
}

uint64_t
store_syncer_request(struct store_syncer *y)
{
	uint64_t t;

	pthread_mutex_lock(&y->lock);
	t = ++y->requested;
	pthread_cond_signal(&y->cond);
	pthread_mutex_unlock(&y->lock);
	return t;
}

int
store_syncer_fd(const struct store_syncer *y)
{
	return y->pipe[0];
}

void
store_syncer_collect(struct store_syncer *y, uint64_t *synced,
    uint64_t *failed, int *error)
{
	char buf[64];

	while (read(y->pipe[0], buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&y->lock);
	*synced = y->synced;
	*failed = y->failed;
	*error = y->error;
	pthread_mutex_unlock(&y->lock);
}

void
store_syncer_wait(struct store_syncer *y, uint64_t ticket)
{
	pthread_mutex_lock(&y->lock);
	while (y->synced < ticket)
		pthread_cond_wait(&y->cond, &y->lock);
	pthread_mutex_unlock(&y->lock);
}

void
store_syncer_stop(struct store_syncer *y)
{
	if (y == NULL)
		return;
	pthread_mutex_lock(&y->lock);
	y->stop = 1;
	pthread_cond_broadcast(&y->cond);
	pthread_mutex_unlock(&y->lock);
	pthread_join(y->thread, NULL);
	pthread_cond_destroy(&y->cond);
	pthread_mutex_destroy(&y->lock);
	close(y->walfd);
	close(y->pipe[0]);
	close(y->pipe[1]);
	free(y);
}
