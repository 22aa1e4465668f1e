/*
 * Inside the chat formats: what chat.c (the splitting) and each format
 * (chat-<name>.c) share. A format is one struct chat_format: how it lays out
 * one message of units, and whether a message is within every limit of its
 * service. chat.c never looks inside a format otherwise, and a format never
 * decides where a message ends: a new format is one file and one row of the
 * table in chat.c (and its receiver type).
 *
 * Lengths are counted in UTF-8 bytes: never fewer than the characters or
 * UTF-16 units the services count, so a message within a limit in bytes is
 * within it however the service counts.
 */
#ifndef ROIWATCH_CHAT_INTERNAL_H
#define ROIWATCH_CHAT_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "chat.h"
#include "notice-doc.h"

/* What a unit of a message holds. */
enum chat_unit_kind {
	CHAT_LEAD,	/* the greeting and the introduction (first part) */
	CHAT_NOTE,	/* a paragraph: the test note, events left out */
	CHAT_EVENT,	/* an event, or a continuation of one */
	CHAT_FOOT,	/* the footnote and the signature (last part) */
	CHAT_UNIT_KIND_MAX
};

/*
 * One unit: the splitting never cuts inside it. Texts are the document's
 * (or pieces of them, owned by the unit); formats escape them.
 */
struct chat_unit {
	enum chat_unit_kind	 kind;
	char			*text;		/* LEAD, NOTE, FOOT; a piece */
	const struct ndoc_event	*ev;		/* EVENT */
	int			 cont;		/* EVENT: continues the unit
						   before (same event) */
	struct ndoc_field	*fields;	/* EVENT: lines, or pieces */
	size_t			 nfields;
};

/* One message as a format lays it out. */
struct chat_msg {
	const struct ndoc	*doc;
	const char		*title;		/* the subject, "(i/N)" added */
	const struct chat_unit	*units;
	size_t			 nunits;
	int64_t			 created;	/* the notice's */
};

struct chat_format {
	const char	*name;
	/* The message (a new cJSON object; dies on out-of-memory). */
	cJSON		*(*render)(const struct chat_msg *);
	/* 1 when the message is within every limit of the service. */
	int		 (*fits)(const cJSON *);
};

extern const struct chat_format chat_slack;
extern const struct chat_format chat_teams;
extern const struct chat_format chat_discord;
extern const struct chat_format chat_mattermost;
extern const struct chat_format chat_googlechat;

/* ---- Helpers of the formats (chat.c) ---- */

/* The head of an event as the plain text writes it, with " \u2026" after a
 * continuation (caller frees). */
char	*chat_head(const struct chat_msg *, const struct chat_unit *);
/* Escapes (caller frees): Slack mrkdwn (& < >); Markdown of Discord,
 * Mattermost and Teams (a backslash before each of `marks`, and no line
 * opens a list); HTML of Google Chat cards (& < > "). */
#define CHAT_MD_MARKS	"\\`*_~|[]<>#"	/* Discord, Mattermost */
#define CHAT_TEAMS_MARKS "\\*_[]"		/* Adaptive Cards' subset */
char	*chat_esc_slack(const char *);
char	*chat_esc_md(const char *, const char *marks);
char	*chat_esc_html(const char *);
/* Neutralise mentions: U+200B after every '@' (Mattermost) or '<' (a Google
 * Chat text message, whose <users/all> would notify everyone). */
char	*chat_defuse(const char *, char after);
/* a then b joined by sep (caller frees); NULL a or b: the other. */
char	*chat_join(const char *a, const char *sep, const char *b);
/* The colour of a tone: "#rrggbb", and as an integer. */
const char *chat_tone_hex(enum ndoc_tone);
int	 chat_tone_rgb(enum ndoc_tone);
/* Bytes of a string member, 0 when absent or not a string. */
size_t	 chat_len(const cJSON *, const char *member);
/* Bytes of the unformatted JSON of an item. */
size_t	 chat_json_len(const cJSON *);
/* cJSON constructors that die on out-of-memory. */
cJSON	*chat_obj(void);
cJSON	*chat_arr(void);
void	 chat_add_str(cJSON *, const char *name, const char *value);
void	 chat_add_item(cJSON *, const char *name, cJSON *);
void	 chat_push(cJSON *arr, cJSON *item);

#endif
