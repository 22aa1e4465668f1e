/*
 * Watched inbox: inotify for closed or renamed-in files, a periodic rescan as the
 * safety net, and a work queue processed one file per loop iteration so that a
 * burst of files never starves signals, HTTP or deliveries.
 * Order of a file's life: ingest + commit → rename to done/ → fsync done/ and
 * the inbox (so "in done/" means "durable"); a crash between the commit and the
 * rename re-ingests the file at the next start, and re-ingesting replaces, so
 * nothing is counted twice.
 *
 * Others write into the inbox, so nothing in it is trusted: the inbox, done/
 * and failed/ are held open as directory descriptors, checked (no symbolic
 * link, a directory, owned by the daemon's uid) when opened and again before
 * every file and at every rescan, and every open, rename and write goes
 * through those descriptors (openat, renameat2, O_NOFOLLOW). A symbolic link,
 * a fifo or any other file that is not a regular one is never followed nor
 * read: it is moved to failed/ with a report. When a directory fails the
 * check the inbox is disabled (logged) and nothing is taken from it; the
 * daemon goes on, and every rescan tries again.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

enum inbox_dir_index { INBOX_DIR, INBOX_DONE, INBOX_FAILED, INBOX_NDIRS };
static const char *const inbox_sub[INBOX_NDIRS] = { ".", "done", "failed" };

/* The inbox and its two subdirectories: all open, or all closed (-1). */
struct inbox_dirs {
	int	fd[INBOX_NDIRS];
	dev_t	dev[INBOX_NDIRS];
	ino_t	ino[INBOX_NDIRS];
};

struct inbox {
	struct event_base	*base;
	struct store		*store;
	const struct config	*cfg;
	char			*dir;
	struct inbox_dirs	 dirs;
	char			*disabled;	/* why nothing is taken, or NULL */
	int			 ifd;		/* inotify */
	int			 wd;		/* watch of dir, or -1 */
	struct event		*ev_inotify;
	struct event		*ev_rescan;
	struct event		*ev_work;
	char			**queue;	/* names ready to process */
	size_t			 nqueue;
	ingest_committed_cb	 cb;
	void			*cb_arg;
	struct inbox_stats	 stats;
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

static void
inbox_clear_queue(struct inbox *ib)
{
	size_t i;

	for (i = 0; i < ib->nqueue; i++)
		free(ib->queue[i]);
	ib->nqueue = 0;
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

	for (i = 0; i < ib->nqueue; i++)
		if (strcmp(ib->queue[i], name) == 0)
			return;
	ib->queue = xreallocarray(ib->queue, ib->nqueue + 1, sizeof *ib->queue);
	ib->queue[ib->nqueue++] = xstrdup(name);
	event_active(ib->ev_work, EV_TIMEOUT, 0);
}

/* Sync a directory after a rename into it; logged when it fails. */
static void
inbox_sync_dir(struct inbox *ib, int sub)
{
	char where[PATH_MAX], *cause = NULL;

	snprintf(where, sizeof where, "%s/%s", ib->dir, inbox_sub[sub]);
	if (fileio_sync_dirfd(ib->dirs.fd[sub], where, &cause) != 0) {
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
 * Settle name into done/ or failed/: never overwriting an earlier file of
 * the same name there (a suffix is added instead). The report, when there is
 * one, is written and synced beside the destination first and the file is
 * renamed last, so whoever sees the file in sub/ also finds its report
 * (unless writing it failed: logged, and the file is moved all the same so
 * that it is not ingested again and again). Then both directories are
 * synced. Returns 0 or -1 (logged; the file stays in the inbox).
 */
static int
inbox_settle(struct inbox *ib, const char *name, int sub, const char *report)
{
	char dst[PATH_MAX], rep[PATH_MAX + 16], tmp[PATH_MAX + 16];
	char where[PATH_MAX];
	char *cause = NULL;
	struct stat sb;
	int n, sfd = ib->dirs.fd[sub];

	snprintf(where, sizeof where, "%s/%s", ib->dir, inbox_sub[sub]);
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
	if (inbox_rename(ib->dirs.fd[INBOX_DIR], name, sfd, dst) == -1) {
		log_warn("inbox: cannot move %s/%s to %s/%s", ib->dir, name,
		    where, dst);
		return -1;
	}
	inbox_sync_dir(ib, sub);
	inbox_sync_dir(ib, INBOX_DIR);
	return 0;
}

/*
 * Returns 1 to keep the file queued for a later retry, 0 when it is settled.
 * Parse settings and partial come from the first "files" source whose pattern
 * matches the name (config_file_settings), else generic defaults.
 */
static int
inbox_process(struct inbox *ib, const char *name)
{
	struct ingest_batch *batch;
	struct ingest_result res;
	struct parse_options popts;
	const struct source_conf *src;
	const struct ingest_subject *subjects;
	char path[PATH_MAX], esc[PATH_MAX], *cause = NULL, *report;
	char origin[PATH_MAX + 128], why[2 * PATH_MAX];
	size_t nsubjects;
	struct stat sb;
	int rc, partial, dfd;

	if (inbox_check(ib) != 0)
		return 0;
	dfd = ib->dirs.fd[INBOX_DIR];
	snprintf(path, sizeof path, "%s/%s", ib->dir, name);
	log_escape(name, strlen(name), esc, sizeof esc);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;	/* gone meanwhile */
	if (S_ISDIR(sb.st_mode))
		return 0;	/* done/, failed/ and the operator's own */

	src = config_file_settings(ib->cfg, NULL, name, &popts, &partial);
	if (src != NULL)
		log_debug("inbox: %s: settings of source %s", esc, src->name);
	snprintf(origin, sizeof origin, "inbox file %s%s%s%s", name,
	    src != NULL ? " (source " : "", src != NULL ? src->name : "",
	    src != NULL ? ")" : "");
	memset(&res, 0, sizeof res);
	if ((batch = ingest_batch_begin(ib->store, &cause)) == NULL) {
		log_warnx("inbox: %s: database unavailable, will retry: %s", esc,
		    cause);
		free(cause);
		return 1;
	}
	/* A link, a fifo...: refused by the reading, which says what it is. */
	if (S_ISREG(sb.st_mode) && popts.format == PARSE_AUTO &&
	    parse_format_from_filename(name) == -1) {
		rc = -1;
		xasprintf(&res.cause, "unsupported file type (expected .csv, "
		    ".tsv, .json, .ndjson or .jsonl)");
	} else
		rc = ingest_batch_add_file_at(batch, ib->cfg, origin, dfd, name,
		    path, &popts, partial, &res);
	if (rc == 0 && ingest_batch_commit(batch, &cause) != 0) {
		res.store_failed = 1;
		res.cause = cause;
		cause = NULL;
		rc = -1;
	}
	/* The cause may quote the file's name or content: escaped. */
	if (rc != 0 && res.cause == NULL)
		res.cause = xstrdup("refused");
	if (rc != 0)
		log_escape(res.cause, strlen(res.cause), why, sizeof why);
	if (rc != 0 && (res.store_failed || res.retry)) {
		log_warnx("inbox: %s: %s, will retry: %s", esc,
		    res.store_failed ? "database failed" : "cannot read it now",
		    why);
		ingest_batch_free(batch);
		ingest_result_clear(&res);
		return 1;
	}
	if (rc != 0) {
		ingest_batch_free(batch);
		report = ingest_result_report(&res, name);
		inbox_settle(ib, name, INBOX_FAILED, report);
		free(report);
		log_warnx("inbox: %s refused, moved to failed/: %s", esc, why);
		ib->stats.files_failed++;
		ingest_result_clear(&res);
		return 0;
	}

	if (res.rows_rejected > 0)
		log_warnx("inbox: %s: %ld rows stored, %ld rejected (partial; "
		    "report in done/)", esc, res.rows_accepted,
		    res.rows_rejected);
	else
		log_info("inbox: %s: %ld rows stored", esc, res.rows_accepted);
	ib->stats.files_done++;
	ib->stats.rows += (uint64_t)res.rows_accepted;
	report = res.rows_rejected > 0 ? ingest_result_report(&res, name) :
	    NULL;
	/* Committed first: only now may the file be seen in done/. */
	inbox_settle(ib, name, INBOX_DONE, report);
	free(report);
	subjects = ingest_batch_subjects(batch, &nsubjects);
	if (ib->cb != NULL && nsubjects > 0)
		ib->cb(ib->cb_arg, subjects, nsubjects);
	ingest_batch_free(batch);
	ingest_result_clear(&res);
	return 0;
}

static void
inbox_work_cb(evutil_socket_t fd, short events, void *arg)
{
	struct inbox *ib = arg;
	char *name;
	int retry;

	(void)fd;
	(void)events;
	if (ib->nqueue == 0)
		return;
	/* Taken off first: processing may disable the inbox, which empties
	 * the queue. */
	name = ib->queue[0];
	memmove(ib->queue, ib->queue + 1, --ib->nqueue * sizeof *ib->queue);
	retry = inbox_process(ib, name);
	free(name);
	/* On database trouble the file stays in the inbox: the rescan retries it. */
	if (!retry && ib->nqueue > 0)
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

struct inbox *
inbox_new(struct event_base *base, struct store *store,
    const struct config *cfg, ingest_committed_cb cb, void *arg, char **cause)
{
	struct inbox *ib;
	char *why = NULL;
	int i;

	ib = xcalloc(1, sizeof *ib);
	ib->base = base;
	ib->store = store;
	ib->cfg = cfg;
	ib->cb = cb;
	ib->cb_arg = arg;
	ib->wd = -1;
	for (i = 0; i < INBOX_NDIRS; i++)
		ib->dirs.fd[i] = -1;
	ib->dir = xstrdup(cfg->inbox_dir);
	if ((ib->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		xasprintf(cause, "inotify_init1: %s", strerror(errno));
		inbox_free(ib);
		return NULL;
	}
	ib->ev_inotify = event_new(base, ib->ifd, EV_READ | EV_PERSIST,
	    inbox_inotify_cb, ib);
	event_add(ib->ev_inotify, NULL);
	ib->ev_work = event_new(base, -1, 0, inbox_work_cb, ib);
	ib->ev_rescan = event_new(base, -1, EV_PERSIST, inbox_rescan_cb, ib);
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
	ib->cfg = cfg;
	inbox_arm_rescan(ib);
	return 0;
}

void
inbox_get_stats(const struct inbox *ib, struct inbox_stats *st)
{
	*st = ib->stats;
}

void
inbox_free(struct inbox *ib)
{
	if (ib == NULL)
		return;
	if (ib->ev_inotify != NULL)
		event_free(ib->ev_inotify);
	if (ib->ifd != -1)
		close(ib->ifd);
	if (ib->ev_rescan != NULL)
		event_free(ib->ev_rescan);
	if (ib->ev_work != NULL)
		event_free(ib->ev_work);
	inbox_dirs_close(&ib->dirs);
	inbox_clear_queue(ib);
	free(ib->queue);
	free(ib->disabled);
	free(ib->dir);
	free(ib);
}
