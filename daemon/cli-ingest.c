/*
 * roiwatch ingest: backfill metric files through the same parser and store
 * as the daemon's inbox, with a progress bar on a terminal, then judge the
 * campaigns they touched.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "eval.h"
#include "ingest.h"
#include "log.h"
#include "metric.h"
#include "store.h"

#define INGEST_CHUNK_USECS	1000000	/* ingest commits this often, and at
					   once when the daemon waits for the
					   lock (store_waited_for) */
#define EVAL_SLICE_USECS	50000	/* and judges in slices this long */

/* Progress on a terminal: rows so far against the file's line count. */
struct progress {
	const char	*name;
	long		 total;
	double		 start;
};

static void
progress_cb(void *arg, long rows)
{
	struct progress *p = arg;
	int width = 30, filled;
	double pct = p->total > 0 ? (double)rows / (double)p->total : 0;
	char bar[64];

	if (pct > 1)
		pct = 1;
	filled = (int)(pct * width);
	memset(bar, '#', (size_t)filled);
	memset(bar + filled, '.', (size_t)(width - filled));
	bar[width] = '\0';
	fprintf(stderr, "\r%s [%s] %3.0f%% %ld rows (%.0f rows/s)", p->name, bar,
	    pct * 100, rows, rows / (cli_now_mono() - p->start + 1e-9));
}

/* Lines of the file, for the progress bar: read in blocks (a mapping of a
 * file truncated meanwhile would kill us with SIGBUS); 0 when unreadable. */
static long
count_lines(const char *path)
{
	struct stat sb;
	char buf[65536];
	const char *p, *end;
	ssize_t r;
	long n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);	/* a pipe's data is not ours to drain */
		return 0;
	}
	for (;;) {
		if ((r = read(fd, buf, sizeof buf)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		end = buf + r;
		for (p = buf; p < end &&
		    (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			n++;
	}
	close(fd);
	return n > 0 ? n - 1 : 0;	/* header */
}

int
cli_ingest(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct store_checkpointer *ckpt;
	struct ingest_batch *b;
	struct ingest_result res;
	struct parse_options popts;
	struct progress prog;
	const struct ingest_subject *subjects;
	const struct source_conf *src = NULL, *fsrc;
	const char *source = NULL, *date = NULL;
	int32_t day;
	size_t nsubjects;
	char *cause = NULL, *report, origin[PATH_MAX + 128], esc[64];
	double t0, t1, total_secs = 0;
	long total_rows = 0;
	int i, partial = 0, file_partial, failed = 0, files = 0, added, rc;
	int tty = isatty(2), atomic = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--partial") == 0)
			partial = 1;
		else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
			source = argv[++i];
		else if (strcmp(argv[i], "--atomic") == 0)
			atomic = 1;
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			date = argv[++i];
		else
			cli_usage();
	}
	if (i == argc)
		cli_usage();
	if (date != NULL && metric_parse_iso_date(date, strlen(date), &day) != 0) {
		fprintf(stderr, "roiwatch: ingest: --date \"%s\": not a date "
		    "(YYYY-MM-DD)\n", log_escape(date, strlen(date), esc,
		    sizeof esc));
		return 2;
	}
	cfg = cli_load_config(cli_config_path);
	if (source != NULL && (src = config_source(cfg, source)) == NULL) {
		fprintf(stderr, "roiwatch: ingest: --source: no source named "
		    "'%s' in %s\n", log_escape(source, strlen(source), esc,
		    sizeof esc), cli_config_path);
		config_free(cfg);
		return 1;
	}
	st = cli_open_store(cfg);
	/* Checkpoints in a thread: a commit never copies the WAL into the
	 * database while the daemon waits for its turn. */
	if ((ckpt = store_checkpointer_start(st, &cause)) == NULL) {
		free(cause);
		cause = NULL;
	}
	if (store_set_cache_kib(st, 65536, &cause) != 0) {
		fprintf(stderr, "roiwatch: %s\n", cause);
		free(cause);
		cause = NULL;
	}

	for (; i < argc; i++) {
		fsrc = config_file_settings(cfg, src, argv[i], &popts,
		    &file_partial);
		snprintf(origin, sizeof origin, "roiwatch ingest %s%s%s%s",
		    argv[i], fsrc != NULL ? " (source " : "",
		    fsrc != NULL ? fsrc->name : "", fsrc != NULL ? ")" : "");
		if (date != NULL) {
			popts.date = date;
			popts.date_from_name = NULL;
		}
		memset(&res, 0, sizeof res);
		t0 = cli_now_mono();
		/*
		 * Written in chunks of INGEST_CHUNK_USECS, each committed, cut
		 * short when the daemon waits for the lock, so the daemon
		 * answers webhooks during a backfill; a strict file
		 * is checked whole first (a dry run), so a bad row still
		 * refuses it before anything is written. --atomic: one
		 * transaction (the daemon's writes wait meanwhile).
		 */
		if (!atomic && !(partial || file_partial)) {
			b = ingest_batch_dry();
			rc = ingest_batch_add_file(b, cfg, origin, argv[i],
			    &popts, 0, &res);
			ingest_batch_free(b);
			if (rc != 0) {
				report = ingest_result_report(&res, argv[i]);
				fprintf(stderr, "%s", report);
				free(report);
				ingest_result_clear(&res);
				failed++;
				continue;
			}
			ingest_result_clear(&res);
		}
		if ((b = ingest_batch_begin(st, &cause)) == NULL) {
			fprintf(stderr, "roiwatch: %s: %s\n", argv[i], cause);
			free(cause);
			failed++;
			continue;
		}
		if (!atomic)
			ingest_batch_set_chunk(b, INGEST_CHUNK_USECS);
		if (tty) {
			prog.name = argv[i];
			prog.total = count_lines(argv[i]);
			prog.start = t0;
			ingest_batch_set_progress(b, progress_cb, &prog, 50000);
		}
		if (ingest_batch_add_file(b, cfg, origin, argv[i], &popts,
		    partial || file_partial, &res) != 0 ||
		    ingest_batch_commit(b, &cause) != 0) {
			if (tty)
				fputc('\n', stderr);
			if (res.cause == NULL) {
				res.cause = cause;
				cause = NULL;
			}
			report = ingest_result_report(&res, argv[i]);
			fprintf(stderr, "%s", report);
			free(report);
			ingest_batch_free(b);
			ingest_result_clear(&res);
			failed++;
			continue;
		}
		t1 = cli_now_mono();
		if (tty) {
			/* The last state of the bar: every row read. */
			prog.total = res.rows_accepted + res.rows_rejected;
			progress_cb(&prog, prog.total);
			fputc('\n', stderr);
		}
		subjects = ingest_batch_subjects(b, &nsubjects);
		/* In slices of 50 ms, each its own transaction: the
		 * daemon's writes interleave with a big backfill's. */
		added = eval_subjects(st, cfg, subjects, nsubjects,
		    (int64_t)time(NULL), EVAL_SLICE_USECS, &cause);
		if (added == -1) {
			fprintf(stderr, "roiwatch: %s: evaluation failed: %s\n",
			    argv[i], cause);
			free(cause);
			cause = NULL;
		}
		printf("%s: %ld rows stored, %ld rejected, %zu campaigns, "
		    "%.3f s (%.0f rows/s), %d notice(s) queued\n", argv[i],
		    res.rows_accepted, res.rows_rejected, nsubjects, t1 - t0,
		    res.rows_accepted / (t1 - t0 + 1e-9), added < 0 ? 0 : added);
		if (res.nerrors > 0) {
			report = ingest_result_report(&res, argv[i]);
			fprintf(stderr, "%s", report);
			free(report);
		}
		total_rows += res.rows_accepted;
		total_secs += t1 - t0;
		files++;
		ingest_batch_free(b);
		ingest_result_clear(&res);
	}
	printf("summary: %d file(s) stored, %d refused, %ld rows, %.3f s\n",
	    files, failed, total_rows, total_secs);
	store_checkpointer_stop(ckpt);
	store_free(st);
	config_free(cfg);
	return failed ? 1 : 0;
}
