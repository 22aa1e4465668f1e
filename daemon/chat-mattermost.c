/*
 * Mattermost: an incoming webhook's `text` (the title as a heading, then
 * the paragraphs) and an attachment per event (a plain fallback for
 * notifications, the colour of its tone, its head in bold, a short field
 * per line), with a last attachment for the footnote and the signature.
 * Markdown marks are escaped, and every '@' is followed by U+200B, so that
 * no name can notify @channel, @all, @here or a user. Pure.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat-internal.h"
#include "xmalloc.h"

/*
 * A post's message is at most 16383 characters (Mattermost 5.0 and later;
 * developers.mattermost.com, "Incoming webhooks" and the API's post limit).
 * Attachments travel in the post's props; servers have refused attachments
 * longer than 7900 characters in all ("Maximum attachments length is 7900
 * characters"), so their JSON is kept within that as well.
 */
#define MATTERMOST_MAX_TEXT		16383
#define MATTERMOST_MAX_ATTACHMENTS	7900

/* Markdown text without mentions (caller frees). */
static char *
mm_md(const char *s)
{
	char	*esc, *out;

	esc = chat_esc_md(s, CHAT_MD_MARKS);
	out = chat_defuse(esc, '@');
	free(esc);
	return (out);
}

static cJSON *
mm_event(const struct chat_msg *m, const struct chat_unit *u)
{
	cJSON	*a = chat_obj(), *fields, *f;
	char	*head, *s, *t;
	size_t	 j;

	head = chat_head(m, u);
	s = chat_defuse(head, '@');
	chat_add_str(a, "fallback", s);
	free(s);
	chat_add_str(a, "color", chat_tone_hex(u->ev->tone));
	s = mm_md(head);
	xasprintf(&t, "**%s**", s);
	chat_add_str(a, "text", t);
	free(t);
	free(s);
	free(head);
	if (u->nfields > 0) {
		fields = chat_arr();
		for (j = 0; j < u->nfields; j++) {
			f = chat_obj();
			s = chat_defuse(u->fields[j].label, '@');
			chat_add_str(f, "title", s);
			free(s);
			s = mm_md(u->fields[j].value);
			chat_add_str(f, "value", s);
			free(s);
			cJSON_AddBoolToObject(f, "short", 1);
			chat_push(fields, f);
		}
		chat_add_item(a, "fields", fields);
	}
	return (a);
}

static cJSON *
mm_render(const struct chat_msg *m)
{
	cJSON	*root = chat_obj(), *atts = chat_arr(), *a;
	char	*text, *esc, *s, *sig;
	size_t	 i;

	esc = mm_md(m->title);
	xasprintf(&text, "#### %s", esc);
	free(esc);
	for (i = 0; i < m->nunits; i++) {
		const struct chat_unit *u = &m->units[i];

		switch (u->kind) {
		case CHAT_LEAD:
		case CHAT_NOTE:
			esc = mm_md(u->text);
			s = chat_join(text, "\n\n", esc);
			free(text);
			free(esc);
			text = s;
			break;
		case CHAT_EVENT:
			chat_push(atts, mm_event(m, u));
			break;
		case CHAT_FOOT:
			a = chat_obj();
			s = chat_join(u->text, "\n\n", m->doc->signature);
			esc = chat_defuse(s, '@');
			chat_add_str(a, "fallback", esc);
			free(esc);
			esc = mm_md(u->text);
			sig = mm_md(m->doc->signature);
			free(s);
			s = chat_join(esc, "\n\n", sig);
			chat_add_str(a, "text", s);
			free(s);
			free(esc);
			free(sig);
			chat_push(atts, a);
			break;
		case CHAT_UNIT_KIND_MAX:
			break;
		}
	}
	chat_add_str(root, "text", text);
	free(text);
	chat_add_item(root, "attachments", atts);
	return (root);
}

static int
mm_fits(const cJSON *root)
{
	return (chat_len(root, "text") <= MATTERMOST_MAX_TEXT &&
	    chat_json_len(cJSON_GetObjectItemCaseSensitive(root,
	    "attachments")) <= MATTERMOST_MAX_ATTACHMENTS);
}

const struct chat_format chat_mattermost = {
	.name = "mattermost",
	.render = mm_render,
	.fits = mm_fits,
};
