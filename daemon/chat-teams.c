/*
 * Microsoft Teams: an Adaptive Card (version 1.4) in the message envelope
 * that incoming webhooks and Workflows take. A bold TextBlock with the
 * title, a TextBlock per paragraph, per event a bold TextBlock with its
 * head in the colour of its tone and a FactSet of its lines, the footnote
 * and signature in small subtle TextBlocks. TextBlocks and facts read a
 * subset of Markdown: its marks are escaped. Pure.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat-internal.h"
#include "xmalloc.h"

/*
 * A message posted through an incoming webhook (or a Workflows flow) is at
 * most 28 KB, refused beyond with 413 (learn.microsoft.com, "Create an
 * Incoming Webhook" and the Teams connector's known limitations). Teams
 * counts its own envelope in, and those who measured found less accepted,
 * so the whole request body is kept under TEAMS_MAX_BYTES.
 */
#define TEAMS_MAX_BYTES		20000

static const char *const teams_colour[NDOC_TONE_MAX] = {
	[NDOC_BAD] = "Attention",
	[NDOC_WARN] = "Warning",
	[NDOC_INFO] = "Accent",
	[NDOC_GOOD] = "Good",
};

/* A wrapping TextBlock of the escaped text. */
static cJSON *
teams_block(const char *text)
{
	cJSON	*b = chat_obj();
	char	*esc = chat_esc_md(text, CHAT_TEAMS_MARKS);

	chat_add_str(b, "type", "TextBlock");
	chat_add_str(b, "text", esc);
	cJSON_AddBoolToObject(b, "wrap", 1);
	free(esc);
	return (b);
}

static void
teams_event(cJSON *body, const struct chat_msg *m, const struct chat_unit *u)
{
	cJSON	*b, *facts, *fact;
	char	*head, *s;
	size_t	 j;

	head = chat_head(m, u);
	b = teams_block(head);
	chat_add_str(b, "weight", "Bolder");
	chat_add_str(b, "color", teams_colour[u->ev->tone < NDOC_TONE_MAX ?
	    u->ev->tone : NDOC_INFO]);
	chat_push(body, b);
	free(head);
	if (u->nfields == 0)
		return;
	b = chat_obj();
	chat_add_str(b, "type", "FactSet");
	facts = chat_arr();
	for (j = 0; j < u->nfields; j++) {
		fact = chat_obj();
		s = chat_esc_md(u->fields[j].label, CHAT_TEAMS_MARKS);
		chat_add_str(fact, "title", s);
		free(s);
		s = chat_esc_md(u->fields[j].value, CHAT_TEAMS_MARKS);
		chat_add_str(fact, "value", s);
		free(s);
		chat_push(facts, fact);
	}
	chat_add_item(b, "facts", facts);
	chat_push(body, b);
}

static cJSON *
teams_render(const struct chat_msg *m)
{
	cJSON	*root = chat_obj(), *atts = chat_arr(), *att, *card, *body, *b;
	size_t	 i;

	chat_add_str(root, "type", "message");
	att = chat_obj();
	chat_add_str(att, "contentType", "application/vnd.microsoft.card.adaptive");
	cJSON_AddNullToObject(att, "contentUrl");
	card = chat_obj();
	chat_add_str(card, "$schema",
	    "http://adaptivecards.io/schemas/adaptive-card.json");
	chat_add_str(card, "type", "AdaptiveCard");
	chat_add_str(card, "version", "1.4");
	body = chat_arr();
	b = teams_block(m->title);
	chat_add_str(b, "weight", "Bolder");
	chat_add_str(b, "size", "Medium");
	chat_push(body, b);
	for (i = 0; i < m->nunits; i++) {
		const struct chat_unit *u = &m->units[i];

		switch (u->kind) {
		case CHAT_LEAD:
		case CHAT_NOTE:
			chat_push(body, teams_block(u->text));
			break;
		case CHAT_EVENT:
			teams_event(body, m, u);
			break;
		case CHAT_FOOT:
			if (*u->text != '\0') {
				b = teams_block(u->text);
				cJSON_AddBoolToObject(b, "isSubtle", 1);
				chat_add_str(b, "size", "Small");
				chat_push(body, b);
			}
			b = teams_block(m->doc->signature);
			cJSON_AddBoolToObject(b, "isSubtle", 1);
			chat_add_str(b, "size", "Small");
			chat_push(body, b);
			break;
		case CHAT_UNIT_KIND_MAX:
			break;
		}
	}
	chat_add_item(card, "body", body);
	chat_add_item(att, "content", card);
	chat_push(atts, att);
	chat_add_item(root, "attachments", atts);
	return (root);
}

static int
teams_fits(const cJSON *root)
{
	return (chat_json_len(root) <= TEAMS_MAX_BYTES);
}

const struct chat_format chat_teams = {
	.name = "teams",
	.render = teams_render,
	.fits = teams_fits,
};
