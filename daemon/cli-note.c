/*
 * roiwatch annotate, roiwatch annotations: notes of what the agency did
 * (a budget moved, a campaign paused, new creatives), on a day of the
 * client's calendar, maybe about one campaign or channel. The digests tell
 * them beside the figures. Exit 2 when the command line is wrong (usage, a
 * value refused), 1 when it cannot be carried out (a client or note
 * unknown, the database).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "metric.h"
#include "note.h"
#include "store.h"
#include "utf8.h"
#include "xmalloc.h"

#define NOTE_SHOW_TEXT	(4 * 4 * NOTE_TEXT_MAX + 8)	/* escaped */
#define NOTE_SHOW_NAME	(4 * METRIC_CAMPAIGN_MAX + 8)

/* The client of a command, or a message and NULL. */
static const struct client_conf *
note_client(const struct config *cfg, const char *cmd, const char *client)
{
	const struct client_conf *cc;
	char	 show[4 * METRIC_CLIENT_MAX + 8];

	if ((cc = config_client(cfg, client)) == NULL)
		fprintf(stderr, "roiwatch: %s: no client '%s' in the "
		    "configuration\n", cmd, log_escape(client, strlen(client),
		    show, sizeof show));
	return cc;
}

/* annotate CLIENT --remove ID */
static int
note_remove(const char *client, const char *idtext)
{
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	char	*cause = NULL, show[64];
	long long id;
	int	 rc = 1, removed;

	if (cli_parse_int(idtext, 1, INT64_MAX, &id) != 0) {
		fprintf(stderr, "roiwatch: annotate: --remove: \"%s\" is not a "
		    "note id (a number, as `roiwatch annotations` shows)\n",
		    log_escape(idtext, strlen(idtext), show, sizeof show));
		return 2;
	}
	cfg = cli_load_config(cli_config_path);
	if ((cc = note_client(cfg, "annotate", client)) == NULL) {
		config_free(cfg);
		return 1;
	}
	st = cli_open_store(cfg);
	if ((removed = store_note_remove(st, cc->id, id, &cause)) == -1)
		fprintf(stderr, "roiwatch: annotate: %s\n", cause);
	else if (removed == 0)
		fprintf(stderr, "roiwatch: annotate: client %s has no note "
		    "%lld\n", cc->id, id);
	else {
		printf("note %lld of %s removed\n", id, cc->id);
		rc = 0;
	}
	free(cause);
	store_free(st);
	config_free(cfg);
	return rc;
}

/* The words of the note joined by spaces. */
static char *
note_join(int argc, char **argv)
{
	char	*text;
	size_t	 len = 1, off = 0, n;
	int	 i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	text = xmalloc(len);
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (i > 0)
			text[off++] = ' ';
		memcpy(text + off, argv[i], n);
		off += n;
	}
	text[off] = '\0';
	return text;
}

/*
 * annotate CLIENT [--campaign C] [--channel X] --date DATE TEXT...
 * annotate CLIENT --remove ID
 * Options come before the text: the first word that is none starts it (or
 * "--", for a text that starts with '-').
 */
int
cli_annotate(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	struct store_note n;
	const char *client = NULL, *campaign = NULL, *channel = NULL;
	const char *date = NULL, *remove = NULL;
	char	*cause = NULL, *text = NULL, chan[METRIC_CHANNEL_MAX];
	char	 day[16], show[NOTE_SHOW_NAME];
	int64_t	 now = (int64_t)time(NULL), id;
	int	 i, rc = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--campaign") == 0 && i + 1 < argc)
			campaign = argv[++i];
		else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc)
			channel = argv[++i];
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			date = argv[++i];
		else if (strcmp(argv[i], "--remove") == 0 && i + 1 < argc)
			remove = argv[++i];
		else if (argv[i][0] == '-')
			cli_usage();
		else if (client == NULL)
			client = argv[i];
		else
			break;
	}
	if (client == NULL)
		cli_usage();
	if (remove != NULL) {
		if (i < argc || campaign != NULL || channel != NULL ||
		    date != NULL) {
			fprintf(stderr, "roiwatch: annotate: --remove takes "
			    "the client and the note's id alone\n");
			return 2;
		}
		return note_remove(client, remove);
	}
	if (date == NULL) {
		fprintf(stderr, "roiwatch: annotate: --date is required "
		    "(YYYY-MM-DD on the client's calendar, today or "
		    "yesterday)\n");
		return 2;
	}
	if (i == argc) {
		fprintf(stderr, "roiwatch: annotate: the text of the note is "
		    "missing (what was done, after the options)\n");
		return 2;
	}
	text = note_join(argc - i, argv + i);
	if (note_check_text(text, &cause) != 0 || (campaign != NULL &&
	    note_check_campaign(campaign, &cause) != 0) || (channel != NULL &&
	    note_check_channel(channel, chan, &cause) != 0)) {
		fprintf(stderr, "roiwatch: annotate: %s\n", cause);
		free(cause);
		free(text);
		return 2;
	}
	cfg = cli_load_config(cli_config_path);
	if ((cc = note_client(cfg, "annotate", client)) == NULL)
		goto out;
	memset(&n, 0, sizeof n);
	if (note_parse_day("--date", date, cc->tz, now, &n.day,
	    &cause) != 0) {
		fprintf(stderr, "roiwatch: annotate: %s\n", cause);
		rc = 2;
		goto out;
	}
	n.client = cc->id;
	n.campaign = (char *)campaign;
	n.channel = channel != NULL ? chan : NULL;
	n.text = text;
	n.created = now;
	n.author = (char *)"cli";
	st = cli_open_store(cfg);
	if ((id = store_note_add(st, &n, &cause)) == -1)
		fprintf(stderr, "roiwatch: annotate: %s\n", cause);
	else {
		metric_format_date(n.day, day);
		printf("note %lld: %s, %s", (long long)id, cc->id, day);
		if (campaign != NULL)
			printf(", campaign \"%s\"", log_escape(campaign,
			    strlen(campaign), show, sizeof show));
		if (channel != NULL)
			printf(", channel \"%s\"", log_escape(chan,
			    strlen(chan), show, sizeof show));
		printf("\n");
		rc = 0;
	}
	store_free(st);
out:
	free(cause);
	free(text);
	config_free(cfg);
	return rc;
}

enum note_col {
	NC_ID,
	NC_DATE,
	NC_CAMPAIGN,
	NC_CHANNEL,
	NC_AUTHOR,
	NC_TEXT,
	NC__MAX
};

/* Column c of note v, escaped for a terminal (every text came from a
 * user). */
static const char *
note_cell(const struct store_note *v, enum note_col c, char *buf, size_t len)
{
	const char *s;

	switch (c) {
	case NC_ID:
		snprintf(buf, len, "%lld", (long long)v->id);
		return buf;
	case NC_DATE:
		metric_format_date(v->day, buf);
		return buf;
	case NC_CAMPAIGN:
		s = v->campaign != NULL ? v->campaign : "-";
		break;
	case NC_CHANNEL:
		s = v->channel != NULL ? v->channel : "-";
		break;
	case NC_AUTHOR:
		s = v->author != NULL ? v->author : "";
		break;
	case NC_TEXT:
	default:
		s = v->text != NULL ? v->text : "";
		break;
	}
	return log_escape(s, strlen(s), buf, len);
}

/* annotations CLIENT [--from DATE] [--to DATE] [--json] */
int
cli_annotations(int argc, char **argv)
{
	static const char *heads[NC__MAX] = { "ID", "DATE", "CAMPAIGN",
	    "CHANNEL", "AUTHOR", "TEXT" };
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	struct store_note *v = NULL;
	const char *client = NULL, *fromtext = NULL, *totext = NULL;
	char	*cause = NULL, *out, cell[NOTE_SHOW_TEXT], a[16], b[16];
	int64_t	 now = (int64_t)time(NULL);
	int32_t	 from = INT32_MIN, to = INT32_MAX;
	size_t	 n = 0, i;
	int	 json = 0, width[NC__MAX], c, w, rc = 1;
	cJSON	*doc;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--from") == 0 && i + 1 < (size_t)argc)
			fromtext = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < (size_t)argc)
			totext = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] != '-' && client == NULL)
			client = argv[i];
		else
			cli_usage();
	}
	if (client == NULL)
		cli_usage();
	cfg = cli_load_config(cli_config_path);
	if ((cc = note_client(cfg, "annotations", client)) == NULL) {
		config_free(cfg);
		return 1;
	}
	if ((fromtext != NULL && note_parse_day("--from", fromtext, cc->tz,
	    now, &from, &cause) != 0) || (totext != NULL &&
	    note_parse_day("--to", totext, cc->tz, now, &to, &cause) != 0)) {
		fprintf(stderr, "roiwatch: annotations: %s\n", cause);
		free(cause);
		config_free(cfg);
		return 2;
	}
	if (from > to) {
		metric_format_date(from, a);
		metric_format_date(to, b);
		fprintf(stderr, "roiwatch: annotations: --from %s is after "
		    "--to %s\n", a, b);
		config_free(cfg);
		return 2;
	}
	st = cli_open_store(cfg);
	if (store_note_list(st, cc->id, from, to, &v, &n, &cause) != 0) {
		fprintf(stderr, "roiwatch: annotations: %s\n", cause);
		free(cause);
		goto out;
	}
	rc = 0;
	if (json) {
		doc = note_list_json(cc->id, from, to, v, n);
		if ((out = cJSON_Print(doc)) == NULL)
			fatalx("%s: out of memory", __func__);
		printf("%s\n", out);
		cJSON_free(out);
		cJSON_Delete(doc);
		goto out;
	}
	if (n == 0) {
		printf("no notes of %s%s\n", cc->id, from != INT32_MIN ||
		    to != INT32_MAX ? " in those days" : "");
		goto out;
	}
	for (c = 0; c < NC__MAX; c++)
		width[c] = (int)strlen(heads[c]);
	for (i = 0; i < n; i++) {
		for (c = 0; c < NC_TEXT; c++) {
			w = (int)utf8_width(note_cell(&v[i], c, cell,
			    sizeof cell));
			if (w > width[c])
				width[c] = w;
		}
	}
	for (i = 0; i <= n; i++) {
		for (c = 0; c < NC_TEXT; c++) {
			cli_print_padded(i == 0 ? heads[c] : note_cell(
			    &v[i - 1], c, cell, sizeof cell), width[c]);
			printf("  ");
		}
		printf("%s\n", i == 0 ? heads[NC_TEXT] : note_cell(&v[i - 1],
		    NC_TEXT, cell, sizeof cell));
	}
out:
	store_notes_free(v, n);
	store_free(st);
	config_free(cfg);
	return rc;
}
