/*
 * The HTML rendering of a notice's document (notice-doc.h), the second part
 * of its e-mail beside the plain text. Mail clients keep little of CSS: no
 * <style>, no external sheet, no image, no script; inline styles on a
 * 600-pixel centred table, one block per event under a band coloured by its
 * tone, its label/value lines as rows of a table. Explicit colours on every
 * box keep it readable when a client darkens the page. Every word comes from
 * the document, and every text is escaped (campaign names, client names and
 * rule names are untrusted). Pure.
 */
#include <stdlib.h>
#include <string.h>

#include "notice-doc.h"
#include "notice-internal.h"
#include "utf8.h"

#define HTML_WIDTH	600

/* Band colour of a tone (white text on it keeps a 4.5:1 contrast). */
static const char *const html_tone_colour[NDOC_TONE_MAX] = {
	[NDOC_BAD] = "#b3261e",
	[NDOC_WARN] = "#8a5300",
	[NDOC_INFO] = "#1f5fa8",
	[NDOC_GOOD] = "#1e6b34",
};

#define HTML_TABLE	"<table role=\"presentation\" width=\"100%\" " \
	"cellpadding=\"0\" cellspacing=\"0\" border=\"0\""


/* A paragraph of the message's text. */
static void
html_para(struct sbuf *b, const char *style, const char *text)
{
	sbuf_printf(b, "<p style=\"margin:0 0 14px 0;%s\">", style);
	sbuf_html(b, text);
	sbuf_puts(b, "</p>\n");
}

static void
html_event(struct sbuf *b, const struct ndoc *d, const struct ndoc_event *ev)
{
	const char	*colour = html_tone_colour[(unsigned)ev->tone <
			    NDOC_TONE_MAX ? ev->tone : NDOC_INFO];
	size_t		 i;

	sbuf_puts(b, "<tr><td style=\"padding:0 24px 16px 24px;\">\n");
	sbuf_puts(b, HTML_TABLE);
	sbuf_printf(b, " style=\"border:1px solid #d0d5dc;"
	    "border-left:6px solid %s;background-color:#ffffff;\">\n",
	    colour);
	/* The band: what happened where, in white on the tone's colour. */
	sbuf_printf(b, "<tr><td bgcolor=\"%s\" style=\"background-color:%s;"
	    "color:#ffffff;padding:10px 14px;font-size:16px;line-height:1.4;"
	    "font-weight:bold;\">", colour, colour);
	sbuf_printf(b, "%zu. ", ev->idx);
	sbuf_html(b, ev->subject);
	sbuf_html(b, d->label_sep);
	sbuf_puts(b, "<br>\n<span style=\"font-weight:normal;\">");
	sbuf_html(b, ev->title);
	sbuf_puts(b, "</span>");
	if (ev->tag != NULL) {
		sbuf_puts(b, " <span style=\"display:inline-block;"
		    "padding:0 6px;border:1px solid #ffffff;border-radius:3px;"
		    "font-size:12px;font-weight:bold;text-transform:uppercase;"
		    "\">");
		sbuf_html(b, ev->tag);
		sbuf_puts(b, "</span>");
	}
	sbuf_puts(b, "</td></tr>\n");
	/* Label/value rows. */
	sbuf_puts(b, "<tr><td style=\"padding:8px 14px 10px 14px;"
	    "background-color:#ffffff;color:#1b1f24;\">\n");
	sbuf_puts(b, HTML_TABLE " style=\"font-size:14px;line-height:1.45;\">"
	    "\n");
	for (i = 0; i < ev->nfields; i++) {
		sbuf_puts(b, "<tr><th scope=\"row\" align=\"left\" "
		    "valign=\"top\" width=\"38%\" style=\"padding:4px 12px 4px 0;"
		    "font-weight:normal;color:#4a5360;text-align:left;"
		    "vertical-align:top;border-top:1px solid #eceff3;\">");
		sbuf_html(b, ev->fields[i].label);
		sbuf_puts(b, "</th><td valign=\"top\" style=\"padding:4px 0;"
		    "color:#1b1f24;font-weight:bold;vertical-align:top;"
		    "border-top:1px solid #eceff3;\">");
		sbuf_html(b, ev->fields[i].value);
		sbuf_puts(b, "</td></tr>\n");
	}
	sbuf_puts(b, "</table>\n</td></tr>\n</table>\n</td></tr>\n");
}

char *
ndoc_html(const struct ndoc *d)
{
	struct sbuf	 b = { NULL, 0, 0 };
	size_t		 i;

	sbuf_puts(&b, "<!DOCTYPE html>\n<html lang=\"");
	sbuf_html(&b, d->language != NULL ? d->language : "en");
	sbuf_puts(&b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta name=\"supported-color-schemes\" content=\"light dark\">\n"
	    "<title>");
	sbuf_html(&b, d->subject);
	sbuf_puts(&b, "</title>\n</head>\n");
	sbuf_puts(&b, "<body style=\"margin:0;padding:0;"
	    "background-color:#eef1f5;color:#1b1f24;\">\n");
	sbuf_puts(&b, HTML_TABLE " bgcolor=\"#eef1f5\" "
	    "style=\"background-color:#eef1f5;\">\n"
	    "<tr><td align=\"center\" style=\"padding:24px 8px;\">\n");
	sbuf_printf(&b, "<table role=\"presentation\" width=\"%d\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "bgcolor=\"#ffffff\" style=\"width:%dpx;max-width:100%%;"
	    "background-color:#ffffff;color:#1b1f24;border:1px solid #d0d5dc;"
	    "border-radius:6px;font-family:Helvetica,Arial,sans-serif;"
	    "font-size:15px;line-height:1.5;text-align:left;\">\n",
	    HTML_WIDTH, HTML_WIDTH);

	sbuf_puts(&b, "<tr><td style=\"padding:24px 24px 4px 24px;\">\n");
	html_para(&b, "", d->greeting);
	html_para(&b, "", d->intro);
	if (d->test_note != NULL)
		html_para(&b, "padding:8px 12px;border:1px dashed #8a5300;"
		    "background-color:#fff6e0;color:#3d2a00;", d->test_note);
	if (d->catchup != NULL)
		html_para(&b, "padding:8px 12px;border:1px solid #4a5360;"
		    "background-color:#eef1f5;color:#1f2630;", d->catchup);
	sbuf_puts(&b, "</td></tr>\n");

	for (i = 0; i < d->nevents; i++)
		html_event(&b, d, &d->events[i]);

	sbuf_puts(&b, "<tr><td style=\"padding:4px 24px 24px 24px;"
	    "font-size:13px;color:#4a5360;\">\n");
	if (d->unreadable != NULL)
		html_para(&b, "color:#1b1f24;", d->unreadable);
	html_para(&b, "", d->footnote);
	html_para(&b, "margin:0;", d->signature);
	sbuf_puts(&b, "</td></tr>\n</table>\n</td></tr>\n</table>\n"
	    "</body>\n</html>\n");
	return (sbuf_take(&b));
}

char *
notice_body_html(const struct notice *n)
{
	struct ndoc	*d = notice_doc(n);
	char		*s;

	s = ndoc_html(d);
	ndoc_free(d);
	return (s);
}
