/*
 * Slack: Block Kit blocks with a `text` fallback (notifications and clients
 * without blocks). A header block with the title (a section when the title
 * is longer than a header takes), a section per paragraph, per event a
 * section with its head after the emoji of its tone and sections of up to
 * ten mrkdwn fields "*label*\nvalue", the footnote and signature in a
 * context block. Every text is escaped for mrkdwn (& < >), so that no name
 * can write a link or a <!channel> mention. Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat-internal.h"
#include "xmalloc.h"

/*
 * Slack's documented limits (api.slack.com/reference/block-kit/blocks and
 * /composition-objects, and chat.postMessage, which incoming webhooks
 * follow): at most 50 blocks per message; a header's plain_text at most
 * 150 characters; a section's text at most 3000 and at most 10 fields of at
 * most 2000 each; a context block at most 10 elements; a text object at
 * most 3000; the top-level text at most 40 000 (cut beyond).
 */
#define SLACK_MAX_BLOCKS	50
#define SLACK_MAX_HEADER	150
#define SLACK_MAX_SECTION	3000
#define SLACK_MAX_FIELDS	10
#define SLACK_MAX_FIELD		2000
#define SLACK_MAX_ELEMENTS	10
#define SLACK_MAX_TEXT_OBJECT	3000
#define SLACK_MAX_TEXT		40000

static const char *const slack_emoji[NDOC_TONE_MAX] = {
	[NDOC_BAD] = ":red_circle:",
	[NDOC_WARN] = ":large_orange_circle:",
	[NDOC_INFO] = ":large_blue_circle:",
	[NDOC_GOOD] = ":large_green_circle:",
};

/* {"type": type, "text": text} (and "emoji": true for plain_text). */
static cJSON *
slack_text(const char *type, const char *text)
{
	cJSON	*o = chat_obj();

	chat_add_str(o, "type", type);
	chat_add_str(o, "text", text);
	if (strcmp(type, "plain_text") == 0)
		cJSON_AddBoolToObject(o, "emoji", 1);
	return (o);
}

/* A section block of mrkdwn text (taken). */
static cJSON *
slack_section(char *mrkdwn)
{
	cJSON	*b = chat_obj();

	chat_add_str(b, "type", "section");
	chat_add_item(b, "text", slack_text("mrkdwn", mrkdwn));
	free(mrkdwn);
	return (b);
}

static void
slack_event(cJSON *blocks, const struct chat_msg *m,
    const struct chat_unit *u)
{
	cJSON	*b = NULL, *fields = NULL;
	char	*head, *esc, *s, *l, *v;
	size_t	 j;

	head = chat_head(m, u);
	esc = chat_esc_slack(head);
	xasprintf(&s, "%s *%s*", slack_emoji[u->ev->tone < NDOC_TONE_MAX ?
	    u->ev->tone : NDOC_INFO], esc);
	chat_push(blocks, slack_section(s));
	free(esc);
	free(head);
	for (j = 0; j < u->nfields; j++) {
		if (j % SLACK_MAX_FIELDS == 0) {
			b = chat_obj();
			chat_add_str(b, "type", "section");
			fields = chat_arr();
			chat_add_item(b, "fields", fields);
			chat_push(blocks, b);
		}
		l = chat_esc_slack(u->fields[j].label);
		v = chat_esc_slack(u->fields[j].value);
		xasprintf(&s, "*%s%s*\n%s", l, m->doc->label_sep, v);
		chat_push(fields, slack_text("mrkdwn", s));
		free(s);
		free(l);
		free(v);
	}
}

static cJSON *
slack_render(const struct chat_msg *m)
{
	cJSON	*root = chat_obj(), *blocks = chat_arr(), *b, *els;
	char	*esc, *s;
	size_t	 i;

	esc = chat_esc_slack(m->title);
	chat_add_str(root, "text", esc);
	if (strlen(m->title) <= SLACK_MAX_HEADER) {
		b = chat_obj();
		chat_add_str(b, "type", "header");
		chat_add_item(b, "text", slack_text("plain_text", m->title));
		chat_push(blocks, b);
	} else {
		xasprintf(&s, "*%s*", esc);
		chat_push(blocks, slack_section(s));
	}
	free(esc);
	for (i = 0; i < m->nunits; i++) {
		const struct chat_unit *u = &m->units[i];

		switch (u->kind) {
		case CHAT_LEAD:
		case CHAT_NOTE:
			chat_push(blocks, slack_section(chat_esc_slack(
			    u->text)));
			break;
		case CHAT_EVENT:
			slack_event(blocks, m, u);
			break;
		case CHAT_FOOT:
			b = chat_obj();
			chat_add_str(b, "type", "context");
			els = chat_arr();
			if (*u->text != '\0') {
				esc = chat_esc_slack(u->text);
				chat_push(els, slack_text("mrkdwn", esc));
				free(esc);
			}
			esc = chat_esc_slack(m->doc->signature);
			chat_push(els, slack_text("mrkdwn", esc));
			free(esc);
			chat_add_item(b, "elements", els);
			chat_push(blocks, b);
			break;
		case CHAT_UNIT_KIND_MAX:
			break;
		}
	}
	chat_add_item(root, "blocks", blocks);
	return (root);
}

/* The text of a text object, or NULL. */
static const cJSON *
slack_text_of(const cJSON *o)
{
	const cJSON	*t = cJSON_GetObjectItemCaseSensitive(o, "text");

	return (cJSON_IsString(t) ? t : NULL);
}

static int
slack_fits(const cJSON *root)
{
	const cJSON	*blocks, *b, *t, *f, *e;
	const char	*type;

	if (chat_len(root, "text") > SLACK_MAX_TEXT)
		return (0);
	blocks = cJSON_GetObjectItemCaseSensitive(root, "blocks");
	if (cJSON_GetArraySize(blocks) > SLACK_MAX_BLOCKS)
		return (0);
	cJSON_ArrayForEach(b, blocks) {
		type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b,
		    "type"));
		t = cJSON_GetObjectItemCaseSensitive(b, "text");
		if (strcmp(type, "header") == 0 && (t = slack_text_of(t)) !=
		    NULL && strlen(t->valuestring) > SLACK_MAX_HEADER)
			return (0);
		if (strcmp(type, "section") == 0) {
			if ((t = slack_text_of(t)) != NULL &&
			    strlen(t->valuestring) > SLACK_MAX_SECTION)
				return (0);
			f = cJSON_GetObjectItemCaseSensitive(b, "fields");
			if (cJSON_GetArraySize(f) > SLACK_MAX_FIELDS)
				return (0);
			cJSON_ArrayForEach(e, f) {
				if (chat_len(e, "text") > SLACK_MAX_FIELD)
					return (0);
			}
		}
		if (strcmp(type, "context") == 0) {
			f = cJSON_GetObjectItemCaseSensitive(b, "elements");
			if (cJSON_GetArraySize(f) > SLACK_MAX_ELEMENTS)
				return (0);
			cJSON_ArrayForEach(e, f) {
				if (chat_len(e, "text") > SLACK_MAX_TEXT_OBJECT)
					return (0);
			}
		}
	}
	return (1);
}

const struct chat_format chat_slack = {
	.name = "slack",
	.render = slack_render,
	.fits = slack_fits,
};
