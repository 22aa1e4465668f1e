/*
 * The watched inbox directory. A file is taken once it is complete: inotify
 * reported it closed after writing or renamed in, or a periodic rescan (the
 * safety net for missed events) finds it unchanged for inbox_rescan_secs.
 * Dot files and temporary names (*.tmp, *.part, *~, *.swp, *.crdownload) are
 * ignored. Files are ingested one at a time by a worker thread with its own
 * database connection, never in the event loop: a strict file is checked
 * whole first (a bad file goes to failed/ with FILE.report beside it and
 * nothing of it is stored), then written in short chunks, each committed,
 * that let the loop's own writes in; then it is moved to done/. A file the
 * database failed stays in the inbox and is retried a moment later (the
 * chunks committed before the failure stay; the same file again replaces
 * them with the same values).
 * Nothing in the inbox is followed: a symbolic link, a fifo or another file that
 * is not a regular one goes to failed/ with a report, unread. The inbox, done/
 * and failed/ must be directories (not symbolic links) owned by the daemon's
 * uid; when one is not, the inbox is disabled (logged once) and checked again
 * at every rescan, while the rest of the daemon goes on.
 */
#ifndef ROIWATCH_INBOX_H
#define ROIWATCH_INBOX_H
#include <stdint.h>

#include "ingest.h"

struct event_base;
struct config;
struct inbox;

struct inbox_stats {
	uint64_t	files_done;
	uint64_t	files_failed;
	uint64_t	rows;
};

/* The worker opens its own connection to the database of cfg->state_dir;
 * the caller's configuration must outlive the inbox or be handed back
 * through inbox_release_config. */
struct inbox	*inbox_new(struct event_base *, const struct config *,
		    ingest_committed_cb, void *arg, char **cause);
/* Swap in a new configuration; the watch moves if inbox_dir changed. On
 * failure (the new directory cannot be made or fails the checks above) the
 * old directory stays watched and -1 is returned with *cause. inbox_new
 * fails only when inotify cannot be had: an unusable directory at start
 * leaves the inbox disabled until a rescan finds it fixed. */
int		 inbox_set_config(struct inbox *, const struct config *,
		    char **cause);
/* Free a configuration replaced by inbox_set_config (config_free), now, or
 * when the file the worker is on with it is done. ib NULL: now. */
void		 inbox_release_config(struct inbox *, struct config *);
/* Stops the worker (the file it is on stays in the inbox) and frees all. */
void		 inbox_free(struct inbox *);
void		 inbox_get_stats(const struct inbox *, struct inbox_stats *);
/* Why no file is taken (the directories failed the checks), or NULL. */
const char	*inbox_disabled(const struct inbox *);

/* Is this file name one the inbox takes (not a dot or temporary file)? Pure. */
int		 inbox_name_eligible(const char *name);

#endif
