/*
 * The write-ahead log checkpointed by a thread of its own, not by the commit
 * that happens to cross SQLite's threshold. A checkpoint copies the WAL into
 * the database file and syncs it: after a backfill of millions of rows by
 * `roiwatch ingest`, that is seconds of work, which the daemon's next commit
 * would otherwise do inside its event loop. The thread has its own connection
 * and runs PASSIVE checkpoints (never waiting for readers or writers) every
 * STORE_CHECKPOINT_MSECS; the daemon's connection stops checkpointing on
 * commit. At close, the last connection checkpoints what is left, as before.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "store-internal.h"
#include "xmalloc.h"

#define STORE_CHECKPOINT_MSECS	1000

struct store_checkpointer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 stop;
	sqlite3		*db;
};

static void *
store_checkpoint_main(void *arg)
{
	struct store_checkpointer *c = arg;
	struct timespec ts;
	int rc, logged = 0, moved = 0;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += STORE_CHECKPOINT_MSECS / 1000;
		ts.tv_nsec += (STORE_CHECKPOINT_MSECS % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->lock);
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &logged, &moved);
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
		    (rc & 0xff) != SQLITE_LOCKED)
			log_warnx("store: checkpoint: %s", sqlite3_errmsg(c->db));
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct store_checkpointer *
store_checkpointer_start(struct store *s, char **cause)
{
	struct store_checkpointer *c;
	const char *path;

	if ((path = sqlite3_db_filename(store_db(s), "main")) == NULL ||
	    *path == '\0') {
		*cause = xstrdup("checkpointer: the database has no file");
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		xasprintf(cause, "checkpointer: %s: %s", path,
		    c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
		goto fail;
	}
	if (store_pragma(c->db, "PRAGMA synchronous = FULL", NULL, 0,
	    cause) != 0)
		goto fail;
	/* The daemon's own commits checkpoint no more. */
	if (store_pragma(store_db(s), "PRAGMA wal_autocheckpoint = 0", NULL, 0,
	    cause) != 0)
		goto fail;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	if (pthread_create(&c->thread, NULL, store_checkpoint_main, c) != 0) {
		*cause = xstrdup("checkpointer: cannot start a thread");
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
		store_pragma(store_db(s), "PRAGMA wal_autocheckpoint = 1000",
		    NULL, 0, cause);
		goto fail;
	}
	return c;
fail:
	sqlite3_close(c->db);
	free(c);
	return NULL;
}

void
store_checkpointer_stop(struct store_checkpointer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	sqlite3_close(c->db);
	free(c);
}
