/*
 * Chat messages of a notice: its document (notice-doc.h) laid out in the
 * native format of a chat service (Slack Block Kit, a Teams Adaptive Card,
 * Discord embeds, Mattermost attachments, Google Chat cards) and split into
 * as few messages as fit the service's documented limits, in order, never
 * truncated: events are packed whole while they fit; an event too large for
 * one message is split at its lines into continuation parts, and a value too
 * long for one line is cut at UTF-8 boundaries into continuation lines.
 * When there is more than one part, each part's header ends in "(i/N)".
 *
 * Pure and deterministic: the same document (and creation time) gives the
 * same parts byte for byte, so a retry resumes at the part not delivered.
 */
#ifndef ROIWATCH_CHAT_H
#define ROIWATCH_CHAT_H
#include <stddef.h>
#include <stdint.h>

struct ndoc;
struct chat_format;

/* The format of a service by name ("slack", "teams", "discord",
 * "mattermost", "googlechat"), or NULL. */
const struct chat_format *chat_format_find(const char *name);
const char	*chat_format_name(const struct chat_format *);

/*
 * The messages (JSON bodies) of a document, in order: their count, at least
 * 1, and *parts, freed with chat_parts_free(). created (unix seconds, the
 * notice's) is the only time a format may show.
 */
size_t		 chat_render(const struct chat_format *, const struct ndoc *,
		    int64_t created, char ***parts);
void		 chat_parts_free(char **, size_t);

#endif
