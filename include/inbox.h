/*
 * The watched inbox directory. A file is taken once it is complete: inotify
 * reported it closed after writing or renamed in, or a periodic rescan (the
 * safety net for missed events) finds it unchanged for inbox_rescan_secs.
 * Dot files and temporary names (*.tmp, *.part, *~, *.swp, *.crdownload) are
 * ignored. Each file is ingested in one transaction, then moved to done/; a bad
 * file goes to failed/ with FILE.report beside it and nothing of it is stored.
 * A file that could not be stored because the database failed stays in the inbox
 * and is retried.
 */
#ifndef ROIWATCH_INBOX_H
#define ROIWATCH_INBOX_H
#include <stdint.h>

#include "ingest.h"

struct event_base;
struct store;
struct config;
struct inbox;

struct inbox_stats {
	uint64_t	files_done;
	uint64_t	files_failed;
	uint64_t	rows;
};

struct inbox	*inbox_new(struct event_base *, struct store *,
		    const struct config *, ingest_committed_cb, void *arg,
		    char **cause);
/* Swap in a new configuration; the watch moves if inbox_dir changed. On
 * failure the old directory stays watched and -1 is returned with *cause. */
int		 inbox_set_config(struct inbox *, const struct config *,
		    char **cause);
void		 inbox_free(struct inbox *);
void		 inbox_get_stats(const struct inbox *, struct inbox_stats *);

/* Is this file name one the inbox takes (not a dot or temporary file)? Pure. */
int		 inbox_name_eligible(const char *name);

#endif
