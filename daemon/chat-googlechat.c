/*
 * Google Chat: an incoming webhook's `text` (the title) and one card
 * (cardsV2) with the title as header, a section per paragraph, per event a
 * section whose header is its head in the colour of its tone and a
 * decoratedText widget per line (label above, value wrapped), and a last
 * section with the footnote and the signature. Google Chat refuses unknown
 * fields: only documented ones are written. Card texts are simple HTML:
 * & < > " are escaped; in `text`, '<' is followed by U+200B, so that no name
 * can write <users/all>. Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat-internal.h"
#include "xmalloc.h"

/*
 * Google Chat's documented limits (developers.google.com/workspace/chat:
 * the Message and CardWithId resources, and Card): a card at most 32 KB; at
 * most 100 widgets per card (sections beyond are ignored); a message's text
 * at most 4096 characters. The whole request body is kept within 32 000
 * bytes, and every card text within the text's 4096 as well.
 */
#define GCHAT_MAX_BYTES		32000
#define GCHAT_MAX_WIDGETS	100
#define GCHAT_MAX_TEXT		4096

/* Card HTML of plain text: escaped, line ends as <br>. */
static char *
gchat_html(const char *s)
{
	char	*esc, *out, *o;
	size_t	 n = 0;
	const char *p;

	esc = chat_esc_html(s);
	for (p = esc; *p != '\0'; p++)
		n += *p == '\n' ? 4 : 1;
	out = o = xmalloc(n + 1);
	for (p = esc; *p != '\0'; p++) {
		if (*p == '\n') {
			memcpy(o, "<br>", 4);
			o += 4;
		} else
			*o++ = *p;
	}
	*o = '\0';
	free(esc);
	return (out);
}

/* {"textParagraph": {"text": html}} (taken). */
static cJSON *
gchat_paragraph(char *html)
{
	cJSON	*w = chat_obj(), *tp = chat_obj();

	chat_add_str(tp, "text", html);
	free(html);
	chat_add_item(w, "textParagraph", tp);
	return (w);
}

static cJSON *
gchat_event(const struct chat_msg *m, const struct chat_unit *u)
{
	cJSON	*sec = chat_obj(), *widgets = chat_arr(), *w, *dt;
	char	*head, *esc, *s;
	size_t	 j;

	head = chat_head(m, u);
	esc = gchat_html(head);
	xasprintf(&s, "<font color=\"%s\">%s</font>",
	    chat_tone_hex(u->ev->tone), esc);
	free(esc);
	free(head);
	/* A section needs a widget: a head alone is one. */
	if (u->nfields == 0)
		chat_push(widgets, gchat_paragraph(s));
	else {
		chat_add_str(sec, "header", s);
		free(s);
	}
	for (j = 0; j < u->nfields; j++) {
		w = chat_obj();
		dt = chat_obj();
		chat_add_str(dt, "topLabel", u->fields[j].label);
		s = gchat_html(u->fields[j].value);
		chat_add_str(dt, "text", s);
		free(s);
		cJSON_AddBoolToObject(dt, "wrapText", 1);
		chat_add_item(w, "decoratedText", dt);
		chat_push(widgets, w);
	}
	chat_add_item(sec, "widgets", widgets);
	return (sec);
}

static cJSON *
gchat_render(const struct chat_msg *m)
{
	cJSON	*root = chat_obj(), *cards = chat_arr(), *cw, *card, *hdr;
	cJSON	*sections = chat_arr(), *sec, *widgets;
	char	*s;
	size_t	 i;

	s = chat_defuse(m->title, '<');
	chat_add_str(root, "text", s);
	free(s);
	cw = chat_obj();
	chat_add_str(cw, "cardId", "roiwatch");
	card = chat_obj();
	hdr = chat_obj();
	chat_add_str(hdr, "title", m->title);
	chat_add_item(card, "header", hdr);
	for (i = 0; i < m->nunits; i++) {
		const struct chat_unit *u = &m->units[i];

		switch (u->kind) {
		case CHAT_LEAD:
		case CHAT_NOTE:
			sec = chat_obj();
			widgets = chat_arr();
			chat_push(widgets, gchat_paragraph(gchat_html(u->text)));
			chat_add_item(sec, "widgets", widgets);
			chat_push(sections, sec);
			break;
		case CHAT_EVENT:
			chat_push(sections, gchat_event(m, u));
			break;
		case CHAT_FOOT:
			sec = chat_obj();
			widgets = chat_arr();
			if (*u->text != '\0')
				chat_push(widgets, gchat_paragraph(gchat_html(
				    u->text)));
			chat_push(widgets, gchat_paragraph(gchat_html(
			    m->doc->signature)));
			chat_add_item(sec, "widgets", widgets);
			chat_push(sections, sec);
			break;
		case CHAT_UNIT_KIND_MAX:
			break;
		}
	}
	chat_add_item(card, "sections", sections);
	chat_add_item(cw, "card", card);
	chat_push(cards, cw);
	chat_add_item(root, "cardsV2", cards);
	return (root);
}

static int
gchat_fits(const cJSON *root)
{
	const cJSON	*cw, *sec, *w, *item;
	size_t		 widgets = 0;

	if (chat_json_len(root) > GCHAT_MAX_BYTES ||
	    chat_len(root, "text") > GCHAT_MAX_TEXT)
		return (0);
	cJSON_ArrayForEach(cw, cJSON_GetObjectItemCaseSensitive(root,
	    "cardsV2")) {
		cJSON_ArrayForEach(sec, cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(cw, "card"), "sections")) {
			if (chat_len(sec, "header") > GCHAT_MAX_TEXT)
				return (0);
			cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(
			    sec, "widgets")) {
				widgets++;
				cJSON_ArrayForEach(item, w) {
					if (chat_len(item, "text") >
					    GCHAT_MAX_TEXT)
						return (0);
				}
			}
		}
	}
	return (widgets <= GCHAT_MAX_WIDGETS);
}

const struct chat_format chat_googlechat = {
	.name = "googlechat",
	.render = gchat_render,
	.fits = gchat_fits,
};
