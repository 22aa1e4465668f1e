/*
 * Watched inbox: inotify for closed or renamed-in files, a periodic rescan as the
 * safety net, and a work queue processed one file per loop iteration so that a
 * burst of files never starves signals, HTTP or deliveries.
 * Order of a file's life: ingest + commit → rename to done/ (so "in done/" means
 * "durable"); a crash between the two re-ingests the file at the next start, and
 * re-ingesting replaces, so nothing is counted twice.
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

struct inbox {
	struct event_base	*base;
	struct store		*store;
	const struct config	*cfg;
	char			*dir;
	int			 ifd;		/* inotify */
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

static int
inbox_mkdirs(const char *dir, char **cause)
{
	const char *sub[] = { "", "/done", "/failed" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s", dir, sub[i]);
		if (mkdir(path, 0750) == -1 && errno != EEXIST) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
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

/* Write report as path.report (whole or absent). Returns 0 or -1 (logged). */
static int
inbox_write_report(const char *path, const char *report)
{
	char tmp[PATH_MAX], final[PATH_MAX], *cause = NULL;

	if (snprintf(final, sizeof final, "%s.report", path) >=
	    (int)sizeof final ||
	    snprintf(tmp, sizeof tmp, "%s.report.tmp", path) >= (int)sizeof tmp) {
		log_warnx("inbox: report path too long for %s", path);
		return -1;
	}
	if (fileio_write_atomic(final, tmp, report, strlen(report), 0640,
	    &cause) != 0) {
		log_warnx("inbox: report: %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Sync a directory after a rename into it; logged when it fails. */
static void
inbox_sync_dir(const char *dir)
{
	char *cause = NULL;

	if (fileio_sync_dir(dir, &cause) != 0) {
		log_warnx("inbox: %s", cause);
		free(cause);
	}
}

/*
 * Settle dir/name into dir/sub/: never overwriting an earlier file of the
 * same name there (a suffix is added instead). The report, when there is
 * one, is written and synced beside the destination first and the file is
 * renamed last, so whoever sees the file in sub/ also finds its report
 * (unless writing it failed: logged, and the file is moved all the same so
 * that it is not ingested again and again). Returns 0 or -1 (logged; the file stays in the inbox).
 */
static int
inbox_settle(struct inbox *ib, const char *name, const char *sub,
    const char *report)
{
	char src[PATH_MAX], dst[PATH_MAX], subdir[PATH_MAX];
	struct stat sb;
	int n;

	if (snprintf(src, sizeof src, "%s/%s", ib->dir, name) >=
	    (int)sizeof src ||
	    snprintf(subdir, sizeof subdir, "%s/%s", ib->dir, sub) >=
	    (int)sizeof subdir ||
	    snprintf(dst, sizeof dst, "%s/%s/%s.999", ib->dir, sub, name) >=
	    (int)sizeof dst) {
		log_warnx("inbox: path too long for %s", name);
		return -1;
	}
	snprintf(dst, sizeof dst, "%s/%s/%s", ib->dir, sub, name);
	for (n = 1; lstat(dst, &sb) == 0 && n < 1000; n++)
		snprintf(dst, sizeof dst, "%s/%s/%s.%d", ib->dir, sub, name, n);
	if (report != NULL)
		inbox_write_report(dst, report);	/* logged; move anyway */
	if (rename(src, dst) == -1) {
		log_warn("inbox: cannot move %s to %s/", src, sub);
		return -1;
	}
	inbox_sync_dir(subdir);
	inbox_sync_dir(ib->dir);
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
	char origin[PATH_MAX + 128];
	size_t nsubjects;
	struct stat sb;
	int rc, partial;

	snprintf(path, sizeof path, "%s/%s", ib->dir, name);
	log_escape(name, strlen(name), esc, sizeof esc);
	if (lstat(path, &sb) == -1)
		return 0;	/* gone meanwhile */
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("inbox: %s is not a regular file, ignored", esc);
		return 0;
	}

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
	if (popts.format == PARSE_AUTO && parse_format_from_filename(name) == -1) {
		rc = -1;
		xasprintf(&res.cause, "unsupported file type (expected .csv, "
		    ".tsv, .json, .ndjson or .jsonl)");
	} else
		rc = ingest_batch_add_file(batch, ib->cfg, origin, path, &popts,
		    partial, &res);
	if (rc == 0 && ingest_batch_commit(batch, &cause) != 0) {
		res.store_failed = 1;
		res.cause = cause;
		cause = NULL;
		rc = -1;
	}
	if (rc != 0 && res.store_failed) {
		log_warnx("inbox: %s: database failed, will retry: %s", esc,
		    res.cause);
		ingest_batch_free(batch);
		ingest_result_clear(&res);
		return 1;
	}
	if (rc != 0) {
		ingest_batch_free(batch);
		report = ingest_result_report(&res, name);
		inbox_settle(ib, name, "failed", report);
		free(report);
		log_warnx("inbox: %s refused, moved to failed/: %s", esc,
		    res.cause);
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
	inbox_settle(ib, name, "done", report);
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
	name = ib->queue[0];
	retry = inbox_process(ib, name);
	free(name);
	memmove(ib->queue, ib->queue + 1, --ib->nqueue * sizeof *ib->queue);
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
 * time (a file still being written by a slow writer keeps changing).
 */
static void
inbox_scan(struct inbox *ib, time_t settle)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char path[PATH_MAX], **names = NULL;
	size_t n = 0, i;
	struct timespec now;
	double quiet;

	if ((d = opendir(ib->dir)) == NULL) {
		log_warn("inbox: %s", ib->dir);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	while ((de = readdir(d)) != NULL) {
		if (!inbox_name_eligible(de->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", ib->dir, de->d_name);
		if (lstat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
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
			if (ie->len == 0 || (ie->mask & IN_ISDIR))
				continue;
			if (inbox_name_eligible(ie->name))
				inbox_enqueue(ib, ie->name);
		}
	}
}

static int
inbox_watch(struct inbox *ib, const char *dir, char **cause)
{
	int ifd;

	if (inbox_mkdirs(dir, cause) != 0)
		return -1;
	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		xasprintf(cause, "inotify_init1: %s", strerror(errno));
		return -1;
	}
	if (inotify_add_watch(ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
	    IN_ONLYDIR) == -1) {
		xasprintf(cause, "inotify watch %s: %s", dir, strerror(errno));
		close(ifd);
		return -1;
	}
	if (ib->ev_inotify != NULL) {
		event_free(ib->ev_inotify);
		close(ib->ifd);
	}
	ib->ifd = ifd;
	ib->ev_inotify = event_new(ib->base, ifd, EV_READ | EV_PERSIST,
	    inbox_inotify_cb, ib);
	event_add(ib->ev_inotify, NULL);
	free(ib->dir);
	ib->dir = xstrdup(dir);
	return 0;
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

	ib = xcalloc(1, sizeof *ib);
	ib->base = base;
	ib->store = store;
	ib->cfg = cfg;
	ib->cb = cb;
	ib->cb_arg = arg;
	ib->ifd = -1;
	ib->ev_work = event_new(base, -1, 0, inbox_work_cb, ib);
	ib->ev_rescan = event_new(base, -1, EV_PERSIST, inbox_rescan_cb, ib);
	if (inbox_watch(ib, cfg->inbox_dir, cause) != 0) {
		inbox_free(ib);
		return NULL;
	}
	inbox_arm_rescan(ib);
	/* Files left from before the start: the settle time still applies. */
	inbox_scan(ib, 2);
	return ib;
}

int
inbox_set_config(struct inbox *ib, const struct config *cfg, char **cause)
{
	if (strcmp(cfg->inbox_dir, ib->dir) != 0) {
		if (inbox_watch(ib, cfg->inbox_dir, cause) != 0)
			return -1;
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
	size_t i;

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
	for (i = 0; i < ib->nqueue; i++)
		free(ib->queue[i]);
	free(ib->queue);
	free(ib->dir);
	free(ib);
}
