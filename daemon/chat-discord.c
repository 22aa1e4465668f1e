/*
 * Discord: a webhook message whose `content` holds the title (bold) and the
 * paragraphs, with an embed per event (its head as title, the colour of its
 * tone, a field per line, the notice's time) and a last embed with the
 * footnote and the signature. Markdown marks are escaped, and
 * allowed_mentions parses none, so no name can ping @everyone, @here, a
 * role or a user. Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "chat-internal.h"
#include "xmalloc.h"

/*
 * Discord's documented limits (discord.com/developers/docs: resources/
 * message, "Embed Limits"; resources/webhook, "Execute Webhook"): content
 * at most 2000 characters; at most 10 embeds; an embed's title at most 256,
 * description 4096, at most 25 fields, a field's name 256 and value 1024,
 * footer text 2048; at most 6000 characters across the titles,
 * descriptions, field names and values, footers and authors of all embeds.
 */
#define DISCORD_MAX_CONTENT	2000
#define DISCORD_MAX_EMBEDS	10
#define DISCORD_MAX_TITLE	256
#define DISCORD_MAX_DESCRIPTION	4096
#define DISCORD_MAX_FIELDS	25
#define DISCORD_MAX_FIELD_NAME	256
#define DISCORD_MAX_FIELD_VALUE	1024
#define DISCORD_MAX_FOOTER	2048
#define DISCORD_MAX_TOTAL	6000

/* A field's name and value may not be empty: U+200B stands for nothing. */
#define DISCORD_EMPTY		"\xe2\x80\x8b"

static char *
discord_esc(const char *s)
{
	if (*s == '\0')
		return (xstrdup(DISCORD_EMPTY));
	return (chat_esc_md(s, CHAT_MD_MARKS));
}

static cJSON *
discord_embed(const struct chat_msg *m, const struct chat_unit *u)
{
	cJSON		*e = chat_obj(), *fields, *f;
	char		*head, *s, ts[32];
	struct tm	 tm;
	time_t		 t = (time_t)m->created;
	size_t		 j;

	head = chat_head(m, u);
	s = discord_esc(head);
	/* A head longer than a title takes goes where longer text goes. */
	chat_add_str(e, strlen(s) <= DISCORD_MAX_TITLE ? "title" :
	    "description", s);
	free(s);
	free(head);
	cJSON_AddNumberToObject(e, "color", chat_tone_rgb(u->ev->tone));
	if (u->nfields > 0) {
		fields = chat_arr();
		for (j = 0; j < u->nfields; j++) {
			f = chat_obj();
			s = discord_esc(u->fields[j].label);
			chat_add_str(f, "name", s);
			free(s);
			s = discord_esc(u->fields[j].value);
			chat_add_str(f, "value", s);
			free(s);
			cJSON_AddBoolToObject(f, "inline", 1);
			chat_push(fields, f);
		}
		chat_add_item(e, "fields", fields);
	}
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		chat_add_str(e, "timestamp", ts);
	return (e);
}

static cJSON *
discord_render(const struct chat_msg *m)
{
	cJSON	*root = chat_obj(), *embeds = chat_arr(), *e, *o, *am;
	char	*content, *esc, *s;
	size_t	 i;

	esc = chat_esc_md(m->title, CHAT_MD_MARKS);
	xasprintf(&content, "**%s**", esc);
	free(esc);
	for (i = 0; i < m->nunits; i++) {
		const struct chat_unit *u = &m->units[i];

		switch (u->kind) {
		case CHAT_LEAD:
		case CHAT_NOTE:
			esc = chat_esc_md(u->text, CHAT_MD_MARKS);
			s = chat_join(content, "\n\n", esc);
			free(content);
			free(esc);
			content = s;
			break;
		case CHAT_EVENT:
			chat_push(embeds, discord_embed(m, u));
			break;
		case CHAT_FOOT:
			e = chat_obj();
			if (*u->text != '\0') {
				esc = chat_esc_md(u->text, CHAT_MD_MARKS);
				chat_add_str(e, "description", esc);
				free(esc);
			}
			o = chat_obj();
			chat_add_str(o, "text", m->doc->signature);
			chat_add_item(e, "footer", o);
			chat_push(embeds, e);
			break;
		case CHAT_UNIT_KIND_MAX:
			break;
		}
	}
	chat_add_str(root, "content", content);
	free(content);
	chat_add_item(root, "embeds", embeds);
	am = chat_obj();
	chat_add_item(am, "parse", chat_arr());
	chat_add_item(root, "allowed_mentions", am);
	return (root);
}

static int
discord_fits(const cJSON *root)
{
	const cJSON	*embeds, *e, *fields, *f, *footer;
	size_t		 total = 0, n;

	if (chat_len(root, "content") > DISCORD_MAX_CONTENT)
		return (0);
	embeds = cJSON_GetObjectItemCaseSensitive(root, "embeds");
	if (cJSON_GetArraySize(embeds) > DISCORD_MAX_EMBEDS)
		return (0);
	cJSON_ArrayForEach(e, embeds) {
		if ((n = chat_len(e, "title")) > DISCORD_MAX_TITLE)
			return (0);
		total += n;
		if ((n = chat_len(e, "description")) > DISCORD_MAX_DESCRIPTION)
			return (0);
		total += n;
		footer = cJSON_GetObjectItemCaseSensitive(e, "footer");
		if ((n = chat_len(footer, "text")) > DISCORD_MAX_FOOTER)
			return (0);
		total += n;
		fields = cJSON_GetObjectItemCaseSensitive(e, "fields");
		if (cJSON_GetArraySize(fields) > DISCORD_MAX_FIELDS)
			return (0);
		cJSON_ArrayForEach(f, fields) {
			if ((n = chat_len(f, "name")) > DISCORD_MAX_FIELD_NAME)
				return (0);
			total += n;
			if ((n = chat_len(f, "value")) >
			    DISCORD_MAX_FIELD_VALUE)
				return (0);
			total += n;
		}
	}
	return (total <= DISCORD_MAX_TOTAL);
}

const struct chat_format chat_discord = {
	.name = "discord",
	.render = discord_render,
	.fits = discord_fits,
};
