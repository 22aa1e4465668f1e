/*
 * Chat messages of a notice split to a service's limits (chat.h), and the
 * helpers the formats share (chat-internal.h). Pure.
 *
 * The document becomes a list of units in reading order: the greeting and
 * introduction, the test note, one unit per event, the events left out, the
 * footnote. A unit is never cut once made, so every unit is first made to
 * fit a message alone (under the widest mark, "(9999/9999)"):
 *   - an event too large is split at its lines into continuation units,
 *     whose heads end in an ellipsis;
 *   - a line (or paragraph) too long alone is cut at UTF-8 boundaries into
 *     continuation lines under the same label.
 * Units are then packed greedily, in order, into as few messages as fit: a
 * message takes units while the format says the message is within its
 * service's limits. The fit of a message is only ever asked of the format
 * (its render, then its fits), so the splitting knows no service; as every
 * limit is a maximum, a message that fits under the widest mark fits under
 * its real one, and the marks are written once the count is known.
 *
 * The title of every part is the document's subject, with " (i/N)" when
 * there is more than one; the greeting and introduction open the first
 * part, the footnote and signature close the last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat.h"
#include "chat-internal.h"
#include "log.h"
#include "notice-doc.h"
#include "xmalloc.h"

/* The widest mark a message is tried with. */
#define CHAT_MARK_WIDEST	" (9999/9999)"

/* The formats, one row each. */
static const struct chat_format *const chat_formats[] = {
	&chat_slack,
	&chat_teams,
	&chat_discord,
	&chat_mattermost,
	&chat_googlechat,
};
#define CHAT_NFORMATS	(sizeof chat_formats / sizeof chat_formats[0])

const struct chat_format *
chat_format_find(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < CHAT_NFORMATS; i++) {
		if (strcmp(chat_formats[i]->name, name) == 0)
			return (chat_formats[i]);
	}
	return (NULL);
}

const char *
chat_format_name(const struct chat_format *f)
{
	return (f->name);
}

/* ---- Helpers of the formats ---- */

cJSON *
chat_obj(void)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		fatalx("%s: out of memory", __func__);
	return (o);
}

cJSON *
chat_arr(void)
{
	cJSON	*a;

	if ((a = cJSON_CreateArray()) == NULL)
		fatalx("%s: out of memory", __func__);
	return (a);
}

void
chat_add_str(cJSON *o, const char *name, const char *value)
{
	if (cJSON_AddStringToObject(o, name, value) == NULL)
		fatalx("%s: out of memory", __func__);
}

void
chat_add_item(cJSON *o, const char *name, cJSON *item)
{
	if (item == NULL || !cJSON_AddItemToObject(o, name, item))
		fatalx("%s: out of memory", __func__);
}

void
chat_push(cJSON *arr, cJSON *item)
{
	if (item == NULL || !cJSON_AddItemToArray(arr, item))
		fatalx("%s: out of memory", __func__);
}

size_t
chat_len(const cJSON *o, const char *member)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, member);

	return (cJSON_IsString(v) ? strlen(v->valuestring) : 0);
}

size_t
chat_json_len(const cJSON *o)
{
	char	*s;
	size_t	 n;

	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("%s: out of memory", __func__);
	n = strlen(s);
	cJSON_free(s);
	return (n);
}

char *
chat_join(const char *a, const char *sep, const char *b)
{
	char	*s;

	if (a == NULL || *a == '\0')
		return (xstrdup(b == NULL ? "" : b));
	if (b == NULL || *b == '\0')
		return (xstrdup(a));
	xasprintf(&s, "%s%s%s", a, sep, b);
	return (s);
}

/* Colours of the tones: red, amber, blue, green. */
static const int chat_tone_colours[NDOC_TONE_MAX] = {
	[NDOC_BAD] = 0xd93025,
	[NDOC_WARN] = 0xf29900,
	[NDOC_INFO] = 0x1a73e8,
	[NDOC_GOOD] = 0x188038,
};

int
chat_tone_rgb(enum ndoc_tone t)
{
	return ((unsigned)t < NDOC_TONE_MAX ? chat_tone_colours[t] :
	    chat_tone_colours[NDOC_INFO]);
}

const char *
chat_tone_hex(enum ndoc_tone t)
{
	static const char *const hex[NDOC_TONE_MAX] = {
		[NDOC_BAD] = "#d93025",
		[NDOC_WARN] = "#f29900",
		[NDOC_INFO] = "#1a73e8",
		[NDOC_GOOD] = "#188038",
	};

	return ((unsigned)t < NDOC_TONE_MAX ? hex[t] : hex[NDOC_INFO]);
}

char *
chat_head(const struct chat_msg *m, const struct chat_unit *u)
{
	char	*head, *s;

	head = ndoc_head(m->doc, u->ev);
	if (!u->cont)
		return (head);
	xasprintf(&s, "%s \xe2\x80\xa6", head);	/* U+2026 */
	free(head);
	return (s);
}

/* A growable string of the escapes. */
struct chat_buf {
	char	*p;
	size_t	 len, cap;
};

static void
chat_buf_add(struct chat_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static char *
chat_buf_take(struct chat_buf *b)
{
	return (b->p != NULL ? b->p : xstrdup(""));
}

char *
chat_esc_slack(const char *s)
{
	struct chat_buf	b = { NULL, 0, 0 };

	for (; *s != '\0'; s++) {
		if (*s == '&')
			chat_buf_add(&b, "&amp;", 5);
		else if (*s == '<')
			chat_buf_add(&b, "&lt;", 4);
		else if (*s == '>')
			chat_buf_add(&b, "&gt;", 4);
		else
			chat_buf_add(&b, s, 1);
	}
	return (chat_buf_take(&b));
}

char *
chat_esc_html(const char *s)
{
	struct chat_buf	b = { NULL, 0, 0 };

	for (; *s != '\0'; s++) {
		if (*s == '&')
			chat_buf_add(&b, "&amp;", 5);
		else if (*s == '<')
			chat_buf_add(&b, "&lt;", 4);
		else if (*s == '>')
			chat_buf_add(&b, "&gt;", 4);
		else if (*s == '"')
			chat_buf_add(&b, "&quot;", 6);
		else
			chat_buf_add(&b, s, 1);
	}
	return (chat_buf_take(&b));
}

/*
 * Markdown as text: a backslash before every character that marks
 * emphasis, code, links, spoilers, tables, mentions and headings, and before
 * what would open a list ("- ", "+ ", "1. ") at the start of a line. Both
 * CommonMark (Mattermost) and Discord take a backslash before any ASCII
 * punctuation as that character.
 */
char *
chat_esc_md(const char *s, const char *marks)
{
	struct chat_buf	 b = { NULL, 0, 0 };
	const char	*p, *q;
	int		 bol = 1;

	for (p = s; *p != '\0'; p++) {
		if (bol) {
			for (q = p; *q >= '0' && *q <= '9'; q++)
				;
			if (q > p && (*q == '.' || *q == ')')) {
				chat_buf_add(&b, p, (size_t)(q - p));
				chat_buf_add(&b, "\\", 1);
				p = q;
			} else if (*p == '-' || *p == '+')
				chat_buf_add(&b, "\\", 1);
		}
		if (strchr(marks, *p) != NULL)
			chat_buf_add(&b, "\\", 1);
		chat_buf_add(&b, p, 1);
		bol = *p == '\n';
	}
	return (chat_buf_take(&b));
}

char *
chat_defuse(const char *s, char after)
{
	struct chat_buf	b = { NULL, 0, 0 };

	for (; *s != '\0'; s++) {
		chat_buf_add(&b, s, 1);
		if (*s == after)
			chat_buf_add(&b, "\xe2\x80\x8b", 3);	/* U+200B */
	}
	return (chat_buf_take(&b));
}

/* ---- Units ---- */

struct chat_units {
	struct chat_unit	*u;
	size_t			 n, cap;
};

static struct chat_unit *
chat_units_add(struct chat_units *us)
{
	if (us->n == us->cap) {
		us->cap = us->cap == 0 ? 16 : us->cap * 2;
		us->u = xreallocarray(us->u, us->cap, sizeof *us->u);
	}
	memset(&us->u[us->n], 0, sizeof us->u[us->n]);
	return (&us->u[us->n++]);
}

static void
chat_unit_clear(struct chat_unit *u)
{
	size_t	j;

	free(u->text);
	for (j = 0; j < u->nfields; j++) {
		free(u->fields[j].label);
		free(u->fields[j].value);
	}
	free(u->fields);
}

static void
chat_units_free(struct chat_units *us)
{
	size_t	i;

	for (i = 0; i < us->n; i++)
		chat_unit_clear(&us->u[i]);
	free(us->u);
}

/* What every trial needs. */
struct chat_ctx {
	const struct chat_format *f;
	const struct ndoc	*doc;
	int64_t			 created;
	char			*trial_title;	/* the subject, widest mark */
};

/* Whether a message of these units, under the widest mark, fits. */
static int
chat_fits(const struct chat_ctx *c, const struct chat_unit *units, size_t n)
{
	struct chat_msg	 m;
	cJSON		*j;
	int		 ok;

	m.doc = c->doc;
	m.title = c->trial_title;
	m.units = units;
	m.nunits = n;
	m.created = c->created;
	j = c->f->render(&m);
	ok = c->f->fits(j);
	cJSON_Delete(j);
	return (ok);
}

/* Length of the UTF-8 sequence at s (an invalid byte counts alone). */
static size_t
chat_seq(const char *s)
{
	size_t	n = 1;

	while (s[n] != '\0' && ((unsigned char)s[n] & 0xc0) == 0x80 && n < 4)
		n++;
	return (n);
}

/*
 * The longest prefix of s, whole UTF-8 sequences, for which a unit made by
 * `make` fits alone (at least one sequence, so that cutting ends). Every
 * limit is a maximum, so fitting is monotonic in the prefix: a binary
 * search over the sequence boundaries.
 */
static size_t
chat_cut(const struct chat_ctx *c, const char *s,
    void (*make)(struct chat_unit *, const char *, size_t, const void *),
    const void *arg)
{
	struct chat_unit	 u;
	size_t			*ends, n = 0, lo, hi, mid, len = strlen(s), i;
	int			 ok;

	ends = xcalloc(len + 1, sizeof *ends);
	for (i = 0; i < len; i += chat_seq(s + i))
		ends[n++] = i + chat_seq(s + i);
	lo = 0;		/* ends[lo] is taken whether it fits or not */
	hi = n - 1;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		memset(&u, 0, sizeof u);
		make(&u, s, ends[mid], arg);
		ok = chat_fits(c, &u, 1);
		chat_unit_clear(&u);
		if (ok)
			lo = mid;
		else
			hi = mid - 1;
	}
	len = ends[lo];
	free(ends);
	return (len);
}

/* A text unit of kind *arg holding the first n bytes of s. */
static void
chat_make_text(struct chat_unit *u, const char *s, size_t n, const void *arg)
{
	u->kind = *(const enum chat_unit_kind *)arg;
	u->text = xstrndup(s, n);
}

/* A paragraph: one unit, or continuation units when too long alone. */
static void
chat_add_text(const struct chat_ctx *c, struct chat_units *us,
    enum chat_unit_kind kind, const char *text)
{
	struct chat_unit	*u;
	const char		*p = text;
	size_t			 n;

	do {
		n = *p == '\0' ? 0 : chat_cut(c, p, chat_make_text, &kind);
		u = chat_units_add(us);
		u->kind = kind;
		u->text = xstrndup(p, n);
		p += n;
	} while (*p != '\0');
}

/* An event unit holding lines [a, b) of fields. */
static void
chat_set_event(struct chat_unit *u, const struct ndoc_event *ev, int cont,
    const struct ndoc_field *fields, size_t a, size_t b)
{
	size_t	j;

	u->kind = CHAT_EVENT;
	u->ev = ev;
	u->cont = cont;
	u->nfields = b - a;
	u->fields = xcalloc(b - a + 1, sizeof *u->fields);
	for (j = a; j < b; j++) {
		u->fields[j - a].label = xstrdup(fields[j].label);
		u->fields[j - a].value = xstrdup(fields[j].value);
	}
}

struct chat_line_arg {
	const struct ndoc_event	*ev;
	const char		*label;
};

/* An event continuation holding one line: label, first n bytes of s. */
static void
chat_make_line(struct chat_unit *u, const char *s, size_t n, const void *arg)
{
	const struct chat_line_arg	*a = arg;

	u->kind = CHAT_EVENT;
	u->ev = a->ev;
	u->cont = 1;
	u->nfields = 1;
	u->fields = xcalloc(1, sizeof *u->fields);
	u->fields[0].label = xstrdup(a->label);
	u->fields[0].value = xstrndup(s, n);
}

/*
 * An event: one unit when it fits a message alone; else its lines, each
 * cut into pieces when too long alone, grouped into as few units as fit.
 */
static void
chat_add_event(const struct chat_ctx *c, struct chat_units *us,
    const struct ndoc_event *ev)
{
	struct chat_unit	 probe;
	struct chat_line_arg	 la;
	struct ndoc_field	*lines = NULL;
	size_t			 nlines = 0, cap = 0, j, a, b, n;
	const char		*p;
	int			 ok;

	memset(&probe, 0, sizeof probe);
	chat_set_event(&probe, ev, 0, ev->fields, 0, ev->nfields);
	ok = chat_fits(c, &probe, 1);
	chat_unit_clear(&probe);
	if (ok) {
		chat_set_event(chat_units_add(us), ev, 0, ev->fields, 0,
		    ev->nfields);
		return;
	}
	/* The lines, values cut where one alone does not fit. */
	for (j = 0; j < ev->nfields; j++) {
		la.ev = ev;
		la.label = ev->fields[j].label;
		p = ev->fields[j].value;
		do {
			n = *p == '\0' ? 0 : chat_cut(c, p, chat_make_line,
			    &la);
			if (nlines == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				lines = xreallocarray(lines, cap,
				    sizeof *lines);
			}
			lines[nlines].label = (char *)la.label;
			lines[nlines].value = xstrndup(p, n);
			nlines++;
			p += n;
		} while (*p != '\0');
	}
	/* Group them: each unit takes lines while it fits alone. */
	for (a = 0; a < nlines || (a == 0 && nlines == 0); a = b) {
		for (b = a + 1; b < nlines; b++) {
			memset(&probe, 0, sizeof probe);
			chat_set_event(&probe, ev, a > 0, lines, a, b + 1);
			ok = chat_fits(c, &probe, 1);
			chat_unit_clear(&probe);
			if (!ok)
				break;
		}
		if (b > nlines)
			b = nlines;
		chat_set_event(chat_units_add(us), ev, a > 0, lines, a, b);
		if (nlines == 0)
			break;
	}
	for (j = 0; j < nlines; j++)
		free(lines[j].value);
	free(lines);
}

static void
chat_units_build(const struct chat_ctx *c, struct chat_units *us)
{
	const struct ndoc	*d = c->doc;
	char			*lead;
	size_t			 i;

	lead = chat_join(d->greeting, "\n\n", d->intro);
	chat_add_text(c, us, CHAT_LEAD, lead);
	free(lead);
	if (d->test_note != NULL)
		chat_add_text(c, us, CHAT_NOTE, d->test_note);
	if (d->catchup != NULL)
		chat_add_text(c, us, CHAT_NOTE, d->catchup);
	for (i = 0; i < d->nevents; i++)
		chat_add_event(c, us, &d->events[i]);
	if (d->unreadable != NULL)
		chat_add_text(c, us, CHAT_NOTE, d->unreadable);
	chat_add_text(c, us, CHAT_FOOT, d->footnote != NULL ? d->footnote :
	    "");
}

/* ---- Rendering ---- */

size_t
chat_render(const struct chat_format *f, const struct ndoc *d,
    int64_t created, char ***partsp)
{
	struct chat_ctx		 c;
	struct chat_units	 us = { NULL, 0, 0 };
	struct chat_msg		 m;
	size_t			*start, nparts = 0, i, end;
	char			**parts, *title, *s;
	cJSON			*j;

	c.f = f;
	c.doc = d;
	c.created = created;
	xasprintf(&c.trial_title, "%s%s", d->subject, CHAT_MARK_WIDEST);
	chat_units_build(&c, &us);

	/* Greedy packing: a part takes units while it fits. */
	start = xcalloc(us.n + 1, sizeof *start);
	for (i = 0; i < us.n; i++) {
		if (i == 0 || !chat_fits(&c, &us.u[start[nparts - 1]],
		    i - start[nparts - 1] + 1))
			start[nparts++] = i;
	}
	start[nparts] = us.n;

	parts = xcalloc(nparts, sizeof *parts);
	for (i = 0; i < nparts; i++) {
		end = start[i + 1];
		if (nparts > 1)
			xasprintf(&title, "%s (%zu/%zu)", d->subject, i + 1,
			    nparts);
		else
			title = xstrdup(d->subject);
		m.doc = d;
		m.title = title;
		m.units = &us.u[start[i]];
		m.nunits = end - start[i];
		m.created = created;
		j = f->render(&m);
		if (!f->fits(j))
			log_warnx("%s message %zu/%zu of \"%s\" exceeds a limit"
			    " of the service", f->name, i + 1, nparts,
			    d->subject);
		if ((s = cJSON_PrintUnformatted(j)) == NULL)
			fatalx("%s: out of memory", __func__);
		parts[i] = xstrdup(s);
		cJSON_free(s);
		cJSON_Delete(j);
		free(title);
	}
	free(start);
	chat_units_free(&us);
	free(c.trial_title);
	*partsp = parts;
	return (nparts);
}

void
chat_parts_free(char **parts, size_t n)
{
	size_t	i;

	if (parts == NULL)
		return;
	for (i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
}
