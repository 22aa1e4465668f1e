/*
 * Watched inbox: inotify for closed or renamed-in files, a periodic rescan as the
 * safety net, and a work queue handed one file at a time to one worker thread.
 *
 * Who does what. The loop does the cheap parts: inotify, scans, the queue,
 * and settling a file (its report, the rename into done/ or failed/, the
 * directory fsyncs) and the committed callback. The worker reads, parses and
 * stores the file through its own store connection (the loop's is never
 * touched from it), so a file of a million rows never holds the loop. A
 * strict file is checked whole first (a dry run, nothing written) and then
 * written in chunks, each committed: after INBOX_CHUNK_USECS, or as soon as
 * the loop's connection waits for the lock (its waiting mark, seen every 256
 * rows); between chunks the worker waits until the loop has nothing else to
 * do (inbox_grant_cb, at the loop's lowest priority), so the loop's own
 * writes (HTTP group commits, judging, deliveries), which wait only a few ms
 * for the lock and retry on a timer, get it within a few milliseconds.
 * Handing over: the loop puts one job (name, directories, parse settings,
 * configuration) under the mutex and signals the worker; the worker answers
 * through a pipe the loop watches, for a finished job and for a chunk
 * boundary. The job's configuration is kept alive until the job is back
 * (inbox_release_config), whatever a reload did meanwhile.
 *
 * Order of a file's life: ingest + commit (worker) → report, rename to done/
 * → fsync done/ and the inbox (loop), so "in done/" means "durable"; a crash
 * or a stop between the commit and the rename re-ingests the file at the next
 * start, and re-ingesting replaces, so nothing is counted twice.
 *
 * Others write into the inbox, so nothing in it is trusted: the inbox, done/
 * and failed/ are held open as directory descriptors, checked (no symbolic
 * link, a directory, owned by the daemon's uid) when opened and again before
 * every file and at every rescan, and every open, rename and write goes
 * through those descriptors (openat, renameat2, O_NOFOLLOW); a job carries
 * its own duplicates, so the file is read and settled in the directories it
 * was taken from. A symbolic link, a fifo or any other file that is not a
 * regular one is never followed nor read: it is moved to failed/ with a
 * report. When a directory fails the check the inbox is disabled (logged) and
 * nothing is taken from it; the daemon goes on, and every rescan tries again.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "fileio.h"
#include "inbox.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define INBOX_CHUNK_USECS	100000	/* the worker commits this often, and
					   at once when the loop waits for the
					   lock (store_waited_for) */
#define INBOX_BUSY_MSECS	2000	/* the worker waits this long for a lock */
#define INBOX_RETRY_SECS	2	/* a file the database failed: again */

enum inbox_dir_index { INBOX_DIR, INBOX_DONE, INBOX_FAILED, INBOX_NDIRS };
static const char *const inbox_sub[INBOX_NDIRS] = { ".", "done", "failed" };

/* The inbox and its two subdirectories: all open, or all closed (-1). */
struct inbox_dirs {
	int	fd[INBOX_NDIRS];
	dev_t	dev[INBOX_NDIRS];
	ino_t	ino[INBOX_NDIRS];
};

/*
 * One file handed to the worker. The loop fills the first part and does not
 * touch the job again until the worker says it is done; the worker fills the
 * second part.
 */
struct inbox_job {
	char			*name;
	char			*dir;		/* for messages */
	char			*path;		/* dir/name, for messages */
	struct inbox_dirs	 dirs;		/* duplicates of the inbox's */
	char			 origin[PATH_MAX + 128];
	const struct config	*cfg;		/* alive until the job is back */
	struct parse_options	 popts;		/* pointing into cfg */
	int			 partial;

	int			 rc;
	struct ingest_result	 res;
	struct ingest_batch	*batch;		/* committed (subjects), or NULL */
	int			 busy;		/* the store failed: locked */
	int64_t			 usecs;
	int64_t			 chunk_start;	/* when the lock was last taken */
	int64_t			 chunk_max;	/* longest chunk, commit included */
};

struct inbox {
	struct event_base	*base;
	const struct config	*cfg;
	char			*dir;
	struct inbox_dirs	 dirs;
	char			*disabled;	/* why nothing is taken, or NULL */
	int			 ifd;		/* inotify */
	int			 wd;		/* watch of dir, or -1 */
	struct event		*ev_inotify;
	struct event		*ev_rescan;
	struct event		*ev_work;
	struct event		*ev_retry;
	struct event		*ev_pipe;
	struct event		*ev_grant;
	char			**queue;	/* names ready to process */
	size_t			 nqueue;
	char			**retry;	/* names the database failed */
	size_t			 nretry;
	ingest_committed_cb	 cb;
	void			*cb_arg;
	struct inbox_stats	 stats;

	/* The worker and what it shares with the loop. */
	struct store		*wstore;	/* the worker's alone */
	pthread_t		 thread;
	int			 started;
	int			 pipe[2];	/* worker -> loop */
	struct config		*retired;	/* freed when its job is back */
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	/* Under mtx. The loop sets job and clears it; only it reads the
	 * pointer without the lock. */
	struct inbox_job	*job;
	int			 job_taken;
	int			 job_done;
	int			 yield_wanted;
	int			 yield_granted;
	int			 stop;
};

int
inbox_name_eligible(const char *name)
{
	static const char *skip[] = { ".tmp", ".part", ".partial", ".swp",
	    ".crdownload", ".report", "~" };
	size_t len = strlen(name), i, sl;

	if (len == 0 || name[0] == '.')
		return 0;
	for (i = 0; i < sizeof skip / sizeof skip[0]; i++) {
		sl = strlen(skip[i]);
		if (len >= sl && strcmp(name + len - sl, skip[i]) == 0)
			return 0;
	}
	return 1;
}

static void
inbox_dirs_close(struct inbox_dirs *dirs)
{
	int i;

	for (i = 0; i < INBOX_NDIRS; i++) {
		if (dirs->fd[i] != -1)
			close(dirs->fd[i]);
		dirs->fd[i] = -1;
	}
}

/*
 * Open dir, dir/done and dir/failed (made when missing) as directory
 * descriptors; each must be a directory, not a symbolic link, owned by the
 * daemon's uid. All or nothing: -1 with *cause and nothing open.
 */
static int
inbox_dirs_open(const char *dir, struct inbox_dirs *dirs, char **cause)
{
	struct stat sb;
	char shown[PATH_MAX];
	uid_t uid = geteuid();
	int i;

	for (i = 0; i < INBOX_NDIRS; i++)
		dirs->fd[i] = -1;
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return -1;
	}
	dirs->fd[INBOX_DIR] = fileio_open_dir_at(AT_FDCWD, dir, dir, uid, cause);
	if (dirs->fd[INBOX_DIR] == -1)
		return -1;
	for (i = 0; i < INBOX_NDIRS; i++) {
		snprintf(shown, sizeof shown, "%s/%s", dir, inbox_sub[i]);
		if (i != INBOX_DIR) {
			if (mkdirat(dirs->fd[INBOX_DIR], inbox_sub[i], 0750) ==
			    -1 && errno != EEXIST) {
				xasprintf(cause, "%s: %s", shown,
				    strerror(errno));
				goto fail;
			}
			dirs->fd[i] = fileio_open_dir_at(dirs->fd[INBOX_DIR],
			    inbox_sub[i], shown, uid, cause);
			if (dirs->fd[i] == -1)
				goto fail;
		}
		if (fstat(dirs->fd[i], &sb) == -1) {
			xasprintf(cause, "%s: %s", shown, strerror(errno));
			goto fail;
		}
		dirs->dev[i] = sb.st_dev;
		dirs->ino[i] = sb.st_ino;
	}
	return 0;

fail:
	inbox_dirs_close(dirs);
	return -1;
}

/* Are the open descriptors still those the names lead to (nothing renamed
 * away or replaced by a symbolic link since they were checked), still ours? */
static int
inbox_dirs_current(const struct inbox *ib)
{
	struct stat sb;
	int i;

	if (ib->dirs.fd[INBOX_DIR] == -1)
		return 0;
	for (i = 0; i < INBOX_NDIRS; i++) {
		if (fstatat(i == INBOX_DIR ? AT_FDCWD : ib->dirs.fd[INBOX_DIR],
		    i == INBOX_DIR ? ib->dir : inbox_sub[i], &sb,
		    AT_SYMLINK_NOFOLLOW) == -1 ||
		    sb.st_dev != ib->dirs.dev[i] ||
		    sb.st_ino != ib->dirs.ino[i] || sb.st_uid != geteuid())
			return 0;
	}
	return 1;
}

/* Forget the names waiting (queued or to retry). */
static void
inbox_clear_queue(struct inbox *ib)
{
	size_t i;

	for (i = 0; i < ib->nqueue; i++)
		free(ib->queue[i]);
	ib->nqueue = 0;
	for (i = 0; i < ib->nretry; i++)
		free(ib->retry[i]);
	ib->nretry = 0;
}

/*
 * Take dir as the inbox: its directories opened and checked, its inotify
 * watch set (never through a symbolic link). On failure nothing changes
 * and -1 is returned with *cause.
 */
static int
inbox_enable(struct inbox *ib, const char *dir, char **cause)
{
	struct inbox_dirs dirs;
	int wd;

	if (inbox_dirs_open(dir, &dirs, cause) != 0)
		return -1;
	wd = inotify_add_watch(ib->ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
	    IN_ONLYDIR | IN_DONT_FOLLOW);
	if (wd == -1) {
		xasprintf(cause, "inotify watch %s: %s", dir, strerror(errno));
		inbox_dirs_close(&dirs);
		return -1;
	}
	if (ib->wd != -1 && ib->wd != wd)
		inotify_rm_watch(ib->ifd, ib->wd);
	ib->wd = wd;
	inbox_dirs_close(&ib->dirs);
	ib->dirs = dirs;
	if (ib->dir != dir) {
		free(ib->dir);
		ib->dir = xstrdup(dir);
	}
	free(ib->disabled);
	ib->disabled = NULL;
	return 0;
}

/* Stop taking files: logged once per reason, the queue forgotten. */
static void
inbox_disable(struct inbox *ib, const char *why)
{
	if (ib->disabled == NULL || strcmp(ib->disabled, why) != 0)
		log_warnx("inbox: disabled, no file is taken from %s until this "
		    "is fixed (checked again every %llds): %s", ib->dir,
		    (long long)ib->cfg->inbox_rescan_secs, why);
	free(ib->disabled);
	ib->disabled = xstrdup(why);
	if (ib->wd != -1)
		inotify_rm_watch(ib->ifd, ib->wd);
	ib->wd = -1;
	inbox_dirs_close(&ib->dirs);
	inbox_clear_queue(ib);
}

/*
 * Before each file and at each rescan: 0 when the directories are usable
 * (still those checked, or opened and checked again), else -1 and the inbox
 * is disabled.
 */
static int
inbox_check(struct inbox *ib)
{
	char *cause = NULL;
	int was_disabled = ib->disabled != NULL;

	if (!was_disabled && inbox_dirs_current(ib))
		return 0;
	if (inbox_enable(ib, ib->dir, &cause) != 0) {
		inbox_disable(ib, cause);
		free(cause);
		return -1;
	}
	if (was_disabled)
		log_info("inbox: %s is usable again, taking files", ib->dir);
	else
		log_info("inbox: directories of %s were replaced: checked and "
		    "opened again", ib->dir);
	return 0;
}

static void
inbox_enqueue(struct inbox *ib, const char *name)
{
	size_t i;

	/* The file the worker is on is settled when it is back. */
	if (ib->job != NULL && strcmp(ib->job->name, name) == 0)
		return;
	for (i = 0; i < ib->nqueue; i++)
		if (strcmp(ib->queue[i], name) == 0)
			return;
	ib->queue = xreallocarray(ib->queue, ib->nqueue + 1, sizeof *ib->queue);
	ib->queue[ib->nqueue++] = xstrdup(name);
	event_active(ib->ev_work, EV_TIMEOUT, 0);
}

/* Sync a directory after a rename into it; logged when it fails. */
static void
inbox_sync_dir(const struct inbox_dirs *dirs, const char *dir, int sub)
{
	char where[PATH_MAX], *cause = NULL;

	snprintf(where, sizeof where, "%s/%s", dir, inbox_sub[sub]);
	if (fileio_sync_dirfd(dirs->fd[sub], where, &cause) != 0) {
		log_warnx("inbox: %s", cause);
		free(cause);
	}
}

/* Rename without replacing whatever is at dst; file systems without
 * RENAME_NOREPLACE get a plain rename (dst was found free just before). */
static int
inbox_rename(int from, const char *name, int to, const char *dst)
{
	if (renameat2(from, name, to, dst, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	return renameat(from, name, to, dst);
}

/*
 * Settle name of the directories dirs (dir names them) into done/ or
 * failed/: never overwriting an earlier file of the same name there (a
 * suffix is added instead). The report, when there is one, is written and
 * synced beside the destination first and the file is renamed last, so
 * whoever sees the file in sub/ also finds its report (unless writing it
 * failed: logged, and the file is moved all the same so that it is not
 * ingested again and again). Then both directories are synced. Returns 0 or
 * -1 (logged; the file stays in the inbox).
 */
static int
inbox_settle(const struct inbox_dirs *dirs, const char *dir, const char *name,
    int sub, const char *report)
{
	char dst[PATH_MAX], rep[PATH_MAX + 16], tmp[PATH_MAX + 16];
	char where[PATH_MAX];
	char *cause = NULL;
	struct stat sb;
	int n, sfd = dirs->fd[sub];

	snprintf(where, sizeof where, "%s/%s", dir, inbox_sub[sub]);
	snprintf(dst, sizeof dst, "%s", name);
	for (n = 1; fstatat(sfd, dst, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    n < 1000; n++)
		snprintf(dst, sizeof dst, "%s.%d", name, n);
	if (report != NULL) {
		snprintf(rep, sizeof rep, "%s.report", dst);
		snprintf(tmp, sizeof tmp, "%s.report.tmp", dst);
		if (fileio_write_atomic_at(sfd, where, rep, tmp, report,
		    strlen(report), 0640, &cause) != 0) {
			log_warnx("inbox: report: %s", cause);	/* move anyway */
			free(cause);
		}
	}
	if (inbox_rename(dirs->fd[INBOX_DIR], name, sfd, dst) == -1) {
		log_warn("inbox: cannot move %s/%s to %s/%s", dir, name,
		    where, dst);
		return -1;
	}
	inbox_sync_dir(dirs, dir, sub);
	inbox_sync_dir(dirs, dir, INBOX_DIR);
	return 0;
}

static int64_t
inbox_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Tell the loop to look at the shared state (a job done, a chunk boundary).
 * A full pipe already says so. */
static void
inbox_notify(struct inbox *ib)
{
	ssize_t n;

	do
		n = write(ib->pipe[1], "", 1);
	while (n == -1 && errno == EINTR);
}

/* Worker: between two chunks of a dry run (nothing held): stop? */
static int
inbox_worker_check(void *arg)
{
	struct inbox *ib = arg;
	int stop;

	pthread_mutex_lock(&ib->mtx);
	stop = ib->stop;
	pthread_mutex_unlock(&ib->mtx);
	return stop ? -1 : 0;
}

/*
 * Worker: between two committed chunks, the lock released. Wait until the
 * loop has had a turn with nothing else to do (its writes that were waiting
 * for the lock got it meanwhile), or stop.
 */
static int
inbox_worker_yield(void *arg)
{
	struct inbox *ib = arg;
	struct inbox_job *job = ib->job;	/* set while the worker runs */
	int64_t held = inbox_usec() - job->chunk_start;
	int stop;

	if (held > job->chunk_max)
		job->chunk_max = held;
	pthread_mutex_lock(&ib->mtx);
	if (!ib->stop) {
		ib->yield_wanted = 1;
		ib->yield_granted = 0;
		pthread_mutex_unlock(&ib->mtx);
		inbox_notify(ib);
		pthread_mutex_lock(&ib->mtx);
		while (!ib->yield_granted && !ib->stop)
			pthread_cond_wait(&ib->cond, &ib->mtx);
		ib->yield_wanted = 0;
	}
	stop = ib->stop;
	pthread_mutex_unlock(&ib->mtx);
	job->chunk_start = inbox_usec();
	return stop ? -1 : 0;
}

/*
 * Worker: read the job's file once, check it whole when it is strict (a dry
 * run: a bad row refuses it with nothing written), then write it from the
 * same copy in chunks through the worker's store. Touches only the job, the
 * worker's store and the job's configuration.
 */
static void
inbox_job_run(struct inbox *ib, struct inbox_job *job)
{
	struct ingest_batch *b;
	struct ingest_result *res = &job->res;
	struct parse_options po = job->popts;
	char *buf = NULL, *cause = NULL;
	int64_t t0 = inbox_usec();
	size_t len;
	int fmt;

	job->rc = -1;
	if (ingest_file_read_at(job->cfg, job->dirs.fd[INBOX_DIR], job->name,
	    job->path, &buf, &len, res) != 0)
		goto out;
	if (po.format == PARSE_AUTO &&
	    (fmt = parse_format_from_filename(job->name)) != -1)
		po.format = fmt;
	if (!job->partial) {
		b = ingest_batch_dry();
		ingest_batch_set_chunk(b, INBOX_CHUNK_USECS);
		ingest_batch_set_yield(b, inbox_worker_check, ib);
		job->rc = ingest_batch_add(b, job->cfg, job->origin, buf, len,
		    &po, NULL, 0, res);
		ingest_batch_free(b);
		if (job->rc != 0)
			goto out;
		ingest_result_clear(res);
		job->rc = -1;
	}
	job->chunk_start = inbox_usec();
	if ((b = ingest_batch_begin(ib->wstore, &cause)) == NULL) {
		res->store_failed = 1;
		res->cause = cause;
		job->busy = store_busy(ib->wstore);
		goto out;
	}
	ingest_batch_set_chunk(b, INBOX_CHUNK_USECS);
	ingest_batch_set_yield(b, inbox_worker_yield, ib);
	job->rc = ingest_batch_add(b, job->cfg, job->origin, buf, len, &po,
	    NULL, job->partial, res);
	if (job->rc == 0 && ingest_batch_commit(b, &cause) != 0) {
		res->store_failed = 1;
		res->cause = cause;
		job->rc = -1;
	}
	if (inbox_usec() - job->chunk_start > job->chunk_max)
		job->chunk_max = inbox_usec() - job->chunk_start;
	if (job->rc != 0 && res->store_failed)
		job->busy = store_busy(ib->wstore);
	if (job->rc == 0)
		job->batch = b;		/* committed: only its subjects left */
	else
		ingest_batch_free(b);	/* rolls back here, in the worker */
out:
	free(buf);
	job->usecs = inbox_usec() - t0;
}

/* The worker thread: one job at a time until told to stop. */
static void *
inbox_worker_main(void *arg)
{
	struct inbox *ib = arg;
	struct inbox_job *job;

	pthread_mutex_lock(&ib->mtx);
	for (;;) {
		while (!ib->stop && (ib->job == NULL || ib->job_taken))
			pthread_cond_wait(&ib->cond, &ib->mtx);
		if (ib->stop)
			break;
		job = ib->job;
		ib->job_taken = 1;
		pthread_mutex_unlock(&ib->mtx);

		inbox_job_run(ib, job);

		pthread_mutex_lock(&ib->mtx);
		ib->job_done = 1;
		pthread_mutex_unlock(&ib->mtx);
		inbox_notify(ib);
		pthread_mutex_lock(&ib->mtx);
	}
	pthread_mutex_unlock(&ib->mtx);
	return NULL;
}

static void
inbox_job_free(struct inbox *ib, struct inbox_job *job)
{
	if (job == NULL)
		return;
	ingest_batch_free(job->batch);	/* committed: no store call */
	ingest_result_clear(&job->res);
	inbox_dirs_close(&job->dirs);
	if (ib->retired != NULL && ib->retired == job->cfg) {
		config_free(ib->retired);
		ib->retired = NULL;
	}
	free(job->name);
	free(job->dir);
	free(job->path);
	free(job);
}

/* A file the database failed (or that could not be read for now): queued
 * again after INBOX_RETRY_SECS. */
static void
inbox_retry_later(struct inbox *ib, const char *name)
{
	struct timeval tv = { INBOX_RETRY_SECS, 0 };
	size_t i;

	for (i = 0; i < ib->nretry; i++)
		if (strcmp(ib->retry[i], name) == 0)
			return;
	ib->retry = xreallocarray(ib->retry, ib->nretry + 1, sizeof *ib->retry);
	ib->retry[ib->nretry++] = xstrdup(name);
	if (!evtimer_pending(ib->ev_retry, NULL))
		evtimer_add(ib->ev_retry, &tv);
}

static void
inbox_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	struct inbox *ib = arg;
	size_t i;

	(void)fd;
	(void)events;
	for (i = 0; i < ib->nretry; i++) {
		if (ib->disabled == NULL)
			inbox_enqueue(ib, ib->retry[i]);
		free(ib->retry[i]);
	}
	ib->nretry = 0;
}

/*
 * Loop: the worker is done with the job. Settle its file: committed first
 * (by the worker), then the report and the rename, then the directories
 * synced; a file the database failed stays in the inbox and is taken again.
 */
static void
inbox_job_finish(struct inbox *ib, struct inbox_job *job)
{
	struct ingest_result *res = &job->res;
	const struct ingest_subject *subjects;
	char esc[PATH_MAX], why[2 * PATH_MAX], *report;
	size_t nsubjects;
	double secs = (double)job->usecs / 1e6;

	log_escape(job->name, strlen(job->name), esc, sizeof esc);
	/* The cause may quote the file's name or content: escaped. */
	if (job->rc != 0 && res->cause == NULL)
		res->cause = xstrdup("refused");
	if (job->rc != 0)
		log_escape(res->cause, strlen(res->cause), why, sizeof why);
	if (job->rc != 0 && (res->store_failed || res->retry)) {
		if (res->store_failed && res->rows_committed > 0)
			log_warnx("inbox: %s: database failed after %ld rows "
			    "were committed in chunks (they stay; reading the "
			    "file again replaces them with the same values), "
			    "will retry in %d s: %s", esc, res->rows_committed,
			    INBOX_RETRY_SECS, why);
		else
			log_warnx("inbox: %s: %s, will retry in %d s: %s", esc,
			    job->busy ? "database locked by another writer" :
			    res->store_failed ? "database failed" :
			    "cannot read it now", INBOX_RETRY_SECS, why);
		inbox_retry_later(ib, job->name);
		return;
	}
	if (job->rc != 0) {
		report = ingest_result_report(res, job->name);
		inbox_settle(&job->dirs, job->dir, job->name, INBOX_FAILED,
		    report);
		free(report);
		if (res->rows_committed > 0)
			log_warnx("inbox: %s refused after %ld rows were "
			    "committed in chunks (they stay), moved to failed/: "
			    "%s", esc, res->rows_committed, why);
		else
			log_warnx("inbox: %s refused, moved to failed/: %s", esc,
			    why);
		ib->stats.files_failed++;
		return;
	}

	if (res->rows_rejected > 0)
		log_warnx("inbox: %s: %ld rows stored, %ld rejected (partial; "
		    "report in done/), %.2f s", esc, res->rows_accepted,
		    res->rows_rejected, secs);
	else
		log_info("inbox: %s: %ld rows stored in %.2f s (%.0f rows/s)",
		    esc, res->rows_accepted, secs,
		    (double)res->rows_accepted / (secs > 0 ? secs : 1e-6));
	log_debug("inbox: %s: the write lock was held %.1f ms at most", esc,
	    (double)job->chunk_max / 1e3);
	ib->stats.files_done++;
	ib->stats.rows += (uint64_t)res->rows_accepted;
	report = res->rows_rejected > 0 ? ingest_result_report(res, job->name) :
	    NULL;
	/* Committed first: only now may the file be seen in done/. */
	inbox_settle(&job->dirs, job->dir, job->name, INBOX_DONE, report);
	free(report);
	subjects = ingest_batch_subjects(job->batch, &nsubjects);
	if (ib->cb != NULL && nsubjects > 0)
		ib->cb(ib->cb_arg, subjects, nsubjects);
}

/* Duplicates of the inbox's directory descriptors, for a job. */
static int
inbox_dirs_dup(const struct inbox_dirs *from, struct inbox_dirs *to)
{
	int i;

	for (i = 0; i < INBOX_NDIRS; i++)
		to->fd[i] = -1;
	for (i = 0; i < INBOX_NDIRS; i++) {
		if ((to->fd[i] = fcntl(from->fd[i], F_DUPFD_CLOEXEC, 0)) == -1) {
			inbox_dirs_close(to);
			return -1;
		}
		to->dev[i] = from->dev[i];
		to->ino[i] = from->ino[i];
	}
	return 0;
}

/*
 * Loop: take name off the queue and hand it to the worker, or settle it at
 * once when it cannot be ingested (an unsupported type). Parse settings and
 * partial come from the first "files" source whose pattern matches the name
 * (config_file_settings), else generic defaults.
 */
static void
inbox_start(struct inbox *ib, const char *name)
{
	struct inbox_job *job;
	struct ingest_result res;
	const struct source_conf *src;
	char esc[PATH_MAX], *report;
	struct stat sb;
	int dfd;

	if (inbox_check(ib) != 0)
		return;
	dfd = ib->dirs.fd[INBOX_DIR];
	log_escape(name, strlen(name), esc, sizeof esc);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return;	/* gone meanwhile */
	if (S_ISDIR(sb.st_mode))
		return;	/* done/, failed/ and the operator's own */

	job = xcalloc(1, sizeof *job);
	job->name = xstrdup(name);
	job->dir = xstrdup(ib->dir);
	xasprintf(&job->path, "%s/%s", ib->dir, name);
	job->cfg = ib->cfg;
	src = config_file_settings(ib->cfg, NULL, job->name, &job->popts,
	    &job->partial);
	if (src != NULL)
		log_debug("inbox: %s: settings of source %s", esc, src->name);
	snprintf(job->origin, sizeof job->origin, "inbox file %s%s%s%s", name,
	    src != NULL ? " (source " : "", src != NULL ? src->name : "",
	    src != NULL ? ")" : "");
	/* A link, a fifo...: refused by the reading, which says what it is. */
	if (S_ISREG(sb.st_mode) && job->popts.format == PARSE_AUTO &&
	    parse_format_from_filename(name) == -1) {
		memset(&res, 0, sizeof res);
		res.cause = xstrdup("unsupported file type (expected .csv, "
		    ".tsv, .json, .ndjson or .jsonl)");
		report = ingest_result_report(&res, name);
		inbox_settle(&ib->dirs, ib->dir, name, INBOX_FAILED, report);
		free(report);
		log_warnx("inbox: %s refused, moved to failed/: %s", esc,
		    res.cause);
		ib->stats.files_failed++;
		ingest_result_clear(&res);
		inbox_job_free(ib, job);
		return;
	}
	if (inbox_dirs_dup(&ib->dirs, &job->dirs) != 0) {
		log_warn("inbox: %s: cannot take it now, will retry in %d s",
		    esc, INBOX_RETRY_SECS);
		inbox_job_free(ib, job);
		inbox_retry_later(ib, name);
		return;
	}
	pthread_mutex_lock(&ib->mtx);
	ib->job = job;
	ib->job_taken = ib->job_done = 0;
	pthread_cond_signal(&ib->cond);
	pthread_mutex_unlock(&ib->mtx);
}

static void
inbox_work_cb(evutil_socket_t fd, short events, void *arg)
{
	struct inbox *ib = arg;
	char *name;

	(void)fd;
	(void)events;
	/* One file at a time; the next when the worker is done. */
	while (ib->job == NULL && ib->nqueue > 0) {
		/* Taken off first: starting may disable the inbox, which
		 * empties the queue. */
		name = ib->queue[0];
		memmove(ib->queue, ib->queue + 1, --ib->nqueue *
		    sizeof *ib->queue);
		inbox_start(ib, name);
		free(name);
		if (ib->job == NULL && ib->nqueue > 0) {
			/* Settled at once: the next in a later turn. */
			event_active(ib->ev_work, EV_TIMEOUT, 0);
			return;
		}
	}
}

/* Loop, at its lowest priority: nothing else to do, so the worker may take
 * the write lock for its next chunk. */
static void
inbox_grant_cb(evutil_socket_t fd, short events, void *arg)
{
	struct inbox *ib = arg;

	(void)fd;
	(void)events;
	pthread_mutex_lock(&ib->mtx);
	if (ib->yield_wanted) {
		ib->yield_granted = 1;
		pthread_cond_signal(&ib->cond);
	}
	pthread_mutex_unlock(&ib->mtx);
}

/* Loop: the worker wrote to the pipe: a job is done, or it waits between
 * two chunks. */
static void
inbox_pipe_cb(evutil_socket_t fd, short events, void *arg)
{
	struct inbox *ib = arg;
	struct inbox_job *job = NULL;
	char buf[64];
	int yield;

	(void)events;
	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&ib->mtx);
	yield = ib->yield_wanted && !ib->yield_granted;
	if (ib->job != NULL && ib->job_done) {
		job = ib->job;
		ib->job = NULL;
		ib->job_taken = ib->job_done = 0;
	}
	pthread_mutex_unlock(&ib->mtx);
	if (yield)
		event_active(ib->ev_grant, EV_TIMEOUT, 0);
	if (job == NULL)
		return;
	inbox_job_finish(ib, job);
	inbox_job_free(ib, job);
	if (ib->nqueue > 0)
		event_active(ib->ev_work, EV_TIMEOUT, 0);
}

static int
inbox_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * List the directory and queue every eligible file not modified for the settle
 * time (a file still being written by a slow writer keeps changing). Files
 * that are not regular ones (symbolic links, fifos) are queued too, to be
 * moved to failed/ with a report; directories are left alone.
 */
static void
inbox_scan(struct inbox *ib, time_t settle)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char **names = NULL;
	size_t n = 0, i;
	struct timespec now;
	double quiet;
	int fd;

	if (inbox_check(ib) != 0)
		return;
	fd = openat(ib->dirs.fd[INBOX_DIR], ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		log_warn("inbox: %s", ib->dir);
		if (fd != -1)
			close(fd);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	while ((de = readdir(d)) != NULL) {
		if (!inbox_name_eligible(de->d_name))
			continue;
		if (fstatat(ib->dirs.fd[INBOX_DIR], de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == -1 || S_ISDIR(sb.st_mode))
			continue;
		/* Nanoseconds matter: with whole seconds a file written
		 * 0.1 s ago can look a second old. */
		quiet = (double)(now.tv_sec - sb.st_mtim.tv_sec) +
		    (double)(now.tv_nsec - sb.st_mtim.tv_nsec) / 1e9;
		if (quiet < (double)settle)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, inbox_name_cmp);
	for (i = 0; i < n; i++) {
		inbox_enqueue(ib, names[i]);
		free(names[i]);
	}
	free(names);
}

static void
inbox_rescan_cb(evutil_socket_t fd, short events, void *arg)
{
	struct inbox *ib = arg;

	(void)fd;
	(void)events;
	inbox_scan(ib, (time_t)ib->cfg->inbox_rescan_secs);
}

static void
inbox_inotify_cb(evutil_socket_t fd, short events, void *arg)
{
	struct inbox *ib = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	ssize_t len;
	char *p;

	(void)events;
	for (;;) {
		len = read(fd, buf, sizeof buf);
		if (len == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("inbox: inotify read");
			return;
		}
		if (len == 0)
			return;
		for (p = buf; p < buf + len; p += sizeof *ie + ie->len) {
			ie = (const struct inotify_event *)p;
			if (ie->mask & IN_Q_OVERFLOW) {
				log_warnx("inbox: inotify queue overflow, rescanning");
				inbox_scan(ib, 0);
				continue;
			}
			if (ie->len == 0 || (ie->mask & IN_ISDIR) ||
			    ib->disabled != NULL || ie->wd != ib->wd)
				continue;
			if (inbox_name_eligible(ie->name))
				inbox_enqueue(ib, ie->name);
		}
	}
}

static void
inbox_arm_rescan(struct inbox *ib)
{
	struct timeval tv = { (time_t)ib->cfg->inbox_rescan_secs, 0 };

	event_del(ib->ev_rescan);
	event_add(ib->ev_rescan, &tv);
}

/* Start the worker with every signal blocked: signals are the loop's. */
static int
inbox_worker_start(struct inbox *ib, char **cause)
{
	sigset_t all, old;
	int error;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&ib->thread, NULL, inbox_worker_main, ib);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0) {
		xasprintf(cause, "cannot start the inbox worker: %s",
		    strerror(error));
		return -1;
	}
	ib->started = 1;
	return 0;
}

struct inbox *
inbox_new(struct event_base *base, const struct config *cfg,
    ingest_committed_cb cb, void *arg, char **cause)
{
	struct inbox *ib;
	char *why = NULL;
	int i;

	ib = xcalloc(1, sizeof *ib);
	ib->base = base;
	ib->cfg = cfg;
	ib->cb = cb;
	ib->cb_arg = arg;
	ib->wd = -1;
	ib->pipe[0] = ib->pipe[1] = -1;
	for (i = 0; i < INBOX_NDIRS; i++)
		ib->dirs.fd[i] = -1;
	pthread_mutex_init(&ib->mtx, NULL);
	pthread_cond_init(&ib->cond, NULL);
	ib->dir = xstrdup(cfg->inbox_dir);
	if ((ib->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		xasprintf(cause, "inotify_init1: %s", strerror(errno));
		inbox_free(ib);
		return NULL;
	}
	if (pipe2(ib->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		inbox_free(ib);
		return NULL;
	}
	/* The worker's own connection: it may wait long for a lock, since
	 * that blocks only the worker. */
	if ((ib->wstore = store_open_dir(cfg->state_dir, &why)) == NULL ||
	    store_set_busy_timeout(ib->wstore, INBOX_BUSY_MSECS, &why) != 0) {
		xasprintf(cause, "database for the inbox worker: %s", why);
		free(why);
		inbox_free(ib);
		return NULL;
	}
	ib->ev_inotify = event_new(base, ib->ifd, EV_READ | EV_PERSIST,
	    inbox_inotify_cb, ib);
	event_add(ib->ev_inotify, NULL);
	ib->ev_pipe = event_new(base, ib->pipe[0], EV_READ | EV_PERSIST,
	    inbox_pipe_cb, ib);
	event_add(ib->ev_pipe, NULL);
	ib->ev_grant = event_new(base, -1, 0, inbox_grant_cb, ib);
	event_priority_set(ib->ev_grant, event_base_get_npriorities(base) - 1);
	ib->ev_work = event_new(base, -1, 0, inbox_work_cb, ib);
	ib->ev_retry = evtimer_new(base, inbox_retry_cb, ib);
	ib->ev_rescan = event_new(base, -1, EV_PERSIST, inbox_rescan_cb, ib);
	if (inbox_worker_start(ib, cause) != 0) {
		inbox_free(ib);
		return NULL;
	}
	/* An unusable inbox does not stop the daemon (HTTP, pulls and
	 * deliveries go on); the rescan tries it again. */
	if (inbox_enable(ib, ib->dir, &why) != 0) {
		inbox_disable(ib, why);
		free(why);
	}
	inbox_arm_rescan(ib);
	/* Files left from before the start: the settle time still applies. */
	if (ib->disabled == NULL)
		inbox_scan(ib, 2);
	return ib;
}

int
inbox_set_config(struct inbox *ib, const struct config *cfg, char **cause)
{
	if (strcmp(cfg->inbox_dir, ib->dir) != 0) {
		if (inbox_enable(ib, cfg->inbox_dir, cause) != 0)
			return -1;
		inbox_clear_queue(ib);	/* names of the old directory */
		log_info("inbox: now watching %s", cfg->inbox_dir);
	}
	/* The job the worker is on keeps the configuration it began with. */
	ib->cfg = cfg;
	inbox_arm_rescan(ib);
	return 0;
}

void
inbox_release_config(struct inbox *ib, struct config *cfg)
{
	if (ib == NULL || ib->job == NULL || ib->job->cfg != cfg) {
		config_free(cfg);
		return;
	}
	ib->retired = cfg;	/* one job, so one configuration at most */
}

void
inbox_get_stats(const struct inbox *ib, struct inbox_stats *st)
{
	*st = ib->stats;
}

const char *
inbox_disabled(const struct inbox *ib)
{
	return ib->disabled;
}

/*
 * Stop the worker first: told to stop, it leaves the file it is on between
 * two chunks (what it committed stays; the file is not settled, so it stays
 * in the inbox and is taken again at the next start) and returns.
 */
void
inbox_free(struct inbox *ib)
{
	char esc[PATH_MAX];

	if (ib == NULL)
		return;
	if (ib->started) {
		pthread_mutex_lock(&ib->mtx);
		ib->stop = 1;
		pthread_cond_signal(&ib->cond);
		pthread_mutex_unlock(&ib->mtx);
		pthread_join(ib->thread, NULL);
	}
	if (ib->job != NULL) {
		log_escape(ib->job->path, strlen(ib->job->path), esc,
		    sizeof esc);
		log_info("inbox: stopped while %s was being ingested; it stays "
		    "in the inbox and is taken again at the next start", esc);
		inbox_job_free(ib, ib->job);
		ib->job = NULL;
	}
	if (ib->retired != NULL)
		config_free(ib->retired);
	store_free(ib->wstore);
	if (ib->ev_inotify != NULL)
		event_free(ib->ev_inotify);
	if (ib->ifd != -1)
		close(ib->ifd);
	if (ib->ev_pipe != NULL)
		event_free(ib->ev_pipe);
	if (ib->ev_grant != NULL)
		event_free(ib->ev_grant);
	if (ib->ev_rescan != NULL)
		event_free(ib->ev_rescan);
	if (ib->ev_work != NULL)
		event_free(ib->ev_work);
	if (ib->ev_retry != NULL)
		event_free(ib->ev_retry);
	if (ib->pipe[0] != -1)
		close(ib->pipe[0]);
	if (ib->pipe[1] != -1)
		close(ib->pipe[1]);
	inbox_dirs_close(&ib->dirs);
	inbox_clear_queue(ib);
	free(ib->queue);
	free(ib->retry);
	free(ib->disabled);
	free(ib->dir);
	pthread_cond_destroy(&ib->cond);
	pthread_mutex_destroy(&ib->mtx);
	free(ib);
}
