/*
 * Notes of what the agency did ("annotations"): the pure part shared by
 * `roiwatch annotate` (cli-note.c) and POST /v1/clients/{id}/annotations
 * (http-note.c): checking a note's text, campaign and channel, reading its
 * date on the client's calendar, reading the JSON body of the HTTP request,
 * and the JSON a list of notes is shown as. The zone and the time are
 * passed in: no clock, no files, no store (store-note.c keeps the notes).
 */
#ifndef ROIWATCH_NOTE_H
#define ROIWATCH_NOTE_H
#include <stddef.h>
#include <stdint.h>

#include "metric.h"

struct tz;
struct cJSON;
struct store_note;

#define NOTE_TEXT_MAX		500	/* characters (code points) */
#define NOTE_BODY_MAX		8192	/* bytes of a POST body */

/*
 * The texts: 0, or -1 with *cause naming the field and the fault.
 * text: 1 to NOTE_TEXT_MAX characters of UTF-8, not only blanks, no
 * control character (C0, DEL, C1).
 * campaign, channel: as a metric row's names once ingested: no blank at
 * either end, no control character, valid UTF-8, at most
 * METRIC_CAMPAIGN_MAX - 1 / METRIC_CHANNEL_MAX - 1 bytes. A channel is
 * stored lowercased (as ingest does): note_check_channel copies it into
 * out (METRIC_CHANNEL_MAX bytes) so.
 */
int	note_check_text(const char *, char **cause);
int	note_check_campaign(const char *, char **cause);
int	note_check_channel(const char *, char *out, char **cause);

/*
 * A note's date as written: "YYYY-MM-DD" (a day of the client's calendar),
 * "today" or "yesterday" (on the client's clock at `now`). what names the
 * field in *cause ("date", "--from"...). A NULL zone is UTC. 0 with *day
 * set, or -1.
 */
int	note_parse_day(const char *what, const char *s, const struct tz *,
	    int64_t now, int32_t *day, char **cause);

/* A new note as read from a request, checked. */
struct note_input {
	int32_t	 day;
	char	*text;
	char	*campaign;	/* NULL: none */
	char	*channel;	/* NULL: none; lowercased */
};

/*
 * The JSON body of POST /v1/clients/{id}/annotations: one object with
 * "date" and "text" (strings, required) and "campaign", "channel" (strings
 * or null, optional); any other member, a member given twice, a value of
 * another type or anything after the object is refused. 0 with *in filled
 * (free with note_input_clear), or -1 with *cause the fault and *field the
 * member it is about ("body" for the document itself); both allocated.
 */
int	note_input_from_json(const char *body, size_t len, const struct tz *,
	    int64_t now, struct note_input *in, char **field, char **cause);
void	note_input_clear(struct note_input *);

/*
 * The notes of a client as `roiwatch annotations --json` prints them and
 * GET /v1/clients/{id}/annotations answers: {"client", "from", "to" (null
 * when open), "annotations": [{"id", "date", "campaign", "channel" (null
 * when none), "text", "author", "created" (UTC, ISO 8601)}]}.
 */
struct cJSON *note_list_json(const char *client, int32_t from, int32_t to,
	    const struct store_note *, size_t n);

#endif
