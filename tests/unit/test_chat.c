/*
 * Chat messages (chat.h): every format's rendering of a fixed notice in
 * English and French, and of a notice that must be split, compared byte for
 * byte with the golden files in tests/golden/chat (one message per line);
 * then, for every format, a notice of 300 events (one of them with 60
 * lines, one with a value of 9 000 bytes of multi-byte text, names full of
 * markup and mentions) split into parts that are each within every
 * documented limit of the service, checked here against the limits written
 * anew (not the format's own check), marked 1/N..N/N, in order, and
 * together holding every event and every line whole: nothing lost, nothing
 * cut inside a UTF-8 sequence, no mention left live.
 *
 * ROIWATCH_UPDATE_GOLDEN=1 in the environment writes the golden files
 * instead of comparing (then review the diff).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "chat-json.h"

#include "golden.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "metric.h"
#include "notice.h"
#include "notice-doc.h"
#include "utf8.h"

#define NOW		1709632800	/* Tue, 05 Mar 2024 10:00:00 +0000 */
#define GOLDEN_DIR	TEST_DATA_DIR "/../golden/chat"
#define BIG_EVENTS	300

static const char *const formats[] = {
	"slack", "teams", "discord", "mattermost", "googlechat",
};
#define NFORMATS	(sizeof formats / sizeof formats[0])

/* A campaign name a hostile sender could push: markup and mentions. */
static const char hostile[] = "Spring *sale* _x_ <!channel> @everyone "
    "@here & [x](https://e.example) <users/all> #1 `y` ~z~ |w|";

static void
fill_event(struct notice_event *e, const char *campaign, const char *channel,
    enum alert_kind kind, enum rule_action action, int64_t cost,
    int64_t revenue)
{
	memset(e, 0, sizeof *e);
	snprintf(e->campaign, sizeof e->campaign, "%s", campaign);
	snprintf(e->channel, sizeof e->channel, "%s", channel);
	e->kind = kind;
	e->action = action;
	e->totals.cost = cost;
	e->totals.revenue = revenue;
	e->totals.clicks = 1200;
	e->totals.impressions = 50000;
	e->totals.conversions = 31;
	e->totals.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) |
	    MF_BIT(MF_CLICKS) | MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CONVERSIONS);
	e->totals.samples = 30;
	e->totals.first_day = metric_days_from_civil(2024, 2, 5);
	e->totals.last_day = metric_days_from_civil(2024, 3, 5);
	kpi_totals_assume_complete(&e->totals);
	e->window_days = 30;
	e->min_roi_ppm = 1500000;	/* 150% = 2.5:1 */
	e->target_roi_ppm = 3000000;	/* 300% = 4:1 */
	e->has_target = 1;
	e->min_spend = 50 * 1000000LL;
}

/* ACME: a campaign under its minimum (with a hostile name), one over its
 * target (the worked example, 237.86 %), one back above its minimum. */
static struct notice *
make_notice(const char *lang)
{
	struct notice		*n;
	struct notice_event	 e;

	n = notice_new("acme", "ACME & Co", "EUR", lang, "Europe/Paris",
	    NOW - 60);
	fill_event(&e, hostile, "facebook", ALERT_ROI_LOW, RULE_FIRE,
	    10000 * 1000000LL, 15000 * 1000000LL);
	notice_add_event(n, &e);
	fill_event(&e, "Brand search", "google", ALERT_ROI_TARGET, RULE_GOOD,
	    25750 * 1000000LL, 87000 * 1000000LL);
	e.target_roi_ppm = 2000000;
	notice_add_event(n, &e);
	fill_event(&e, "Été 2024", "", ALERT_ROI_LOW, RULE_RESOLVE,
	    1000 * 1000000LL, 2600 * 1000000LL);
	notice_add_event(n, &e);
	return (n);
}

/* The document of n after a trip through the outbox's JSON, as the
 * daemon renders it. */
static struct ndoc *
stored_doc(const struct notice *n)
{
	struct notice	*m;
	struct ndoc	*d;
	char		*json, *cause = NULL;

	json = notice_to_json(n);
	if ((m = notice_from_json(json, &cause)) == NULL)
		fail_msg("%s", cause);
	d = notice_doc(m);
	notice_free(m);
	free(json);
	return (d);
}

/* A value of `len` bytes of multi-byte text: é (2), € (3), 𝄞 (4), a. */
static char *
long_value(size_t len)
{
	static const char *const seq[] = { "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9d\x84\x9e", "a", " " };
	char	*s = malloc(len + 8);
	size_t	 n = 0, i = 0, k;

	assert_non_null(s);
	while (n < len) {
		k = strlen(seq[i % 5]);
		memcpy(s + n, seq[i % 5], k);
		n += k;
		i++;
	}
	s[n] = '\0';
	return (s);
}

/* 300 events; event 7 has 60 lines, event 11 a value of 9 000 bytes. */
static struct ndoc *
big_doc(const char *lang)
{
	struct notice		*n;
	struct notice_event	 e;
	struct ndoc		*d;
	char			 name[160], label[32], *v;
	int			 i;

	n = notice_new("acme", "ACME", "EUR", lang, "Europe/Paris", NOW);
	for (i = 0; i < BIG_EVENTS; i++) {
		snprintf(name, sizeof name, "%s %d", i % 3 == 0 ? hostile :
		    "Campaign", i + 1);
		fill_event(&e, name, i % 2 ? "google" : "meta",
		    i % 4 ? ALERT_ROI_LOW : ALERT_ROI_TARGET,
		    i % 4 ? RULE_FIRE : RULE_GOOD, (1000 + i) * 1000000LL,
		    (900 + 7 * i) * 1000000LL);
		notice_add_event(n, &e);
	}
	d = stored_doc(n);
	notice_free(n);
	for (i = 0; i < 60; i++) {
		snprintf(label, sizeof label, "Line %02d", i);
		ndoc_add(&d->events[6], label, "a value with *marks* & <b>");
	}
	v = long_value(9000);
	ndoc_add(&d->events[10], "Long", v);
	free(v);
	return (d);
}

/* ---- Golden files ---- */

/* The parts one per line. */
static char *
join_parts(char **parts, size_t n)
{
	size_t	 len = 0, i, k;
	char	*s, *p;

	for (i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	p = s = malloc(len + 1);
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		k = strlen(parts[i]);
		memcpy(p, parts[i], k);
		p += k;
		*p++ = '\n';
	}
	*p = '\0';
	return (s);
}

static void
golden(const char *name, const char *got)
{
	char	path[512];

	snprintf(path, sizeof path, "%s/%s.json", GOLDEN_DIR, name);
	golden_check(path, got);
}

static void
test_golden(void **state)
{
	static const char *const langs[] = { "en", "fr" };
	struct notice	*n;
	struct ndoc	*d;
	char		**parts, *s, name[64];
	size_t		 i, l, np;

	(void)state;
	for (l = 0; l < 2; l++) {
		n = make_notice(langs[l]);
		d = stored_doc(n);
		for (i = 0; i < NFORMATS; i++) {
			np = chat_render(chat_format_find(formats[i]), d,
			    n->created, &parts);
			assert_int_equal(np, 1);	/* fits one message */
			s = join_parts(parts, np);
			snprintf(name, sizeof name, "%s-%s", formats[i],
			    langs[l]);
			golden(name, s);
			free(s);
			chat_parts_free(parts, np);
		}
		ndoc_free(d);
		notice_free(n);
	}
}

/* 26 events, one with a value of 2 500 bytes: Discord and Slack split. */
static void
test_golden_split(void **state)
{
	static const char *const split[] = { "discord", "slack" };
	struct notice		*n;
	struct notice_event	 e;
	struct ndoc		*d;
	char			**parts, *s, *v, name[64];
	size_t			 i, np;
	int			 k;

	(void)state;
	n = notice_new("acme", "ACME", "EUR", "en", "Europe/Paris", NOW);
	for (k = 0; k < 26; k++) {
		snprintf(name, sizeof name, "Campaign %d", k + 1);
		fill_event(&e, name, "meta", ALERT_ROI_LOW, RULE_FIRE,
		    (1000 + k) * 1000000LL, 900 * 1000000LL);
		notice_add_event(n, &e);
	}
	d = stored_doc(n);
	v = long_value(2500);
	ndoc_add(&d->events[3], "Long", v);
	free(v);
	for (i = 0; i < 2; i++) {
		np = chat_render(chat_format_find(split[i]), d, n->created,
		    &parts);
		assert_true(np > 1);
		s = join_parts(parts, np);
		snprintf(name, sizeof name, "%s-split", split[i]);
		golden(name, s);
		free(s);
		chat_parts_free(parts, np);
	}
	ndoc_free(d);
	notice_free(n);
}

/* ---- Limits, order and completeness, checked anew ---- */

/* What a part holds as the test reads it back: its title, and its event
 * units as (head, lines) with the format's escapes undone. */
struct seen_line {
	char	*label, *value;
};
struct seen_unit {
	char			*head;
	struct seen_line	 lines[128];
	size_t			 n;
};
struct seen {
	char			*title;
	struct seen_unit	 u[64];
	size_t			 n;
};

/* Undo an escape: backslashes (Markdown), entities, U+200B, <br>. */
static char *
unesc(const char *s, int md, int html)
{
	char	*o = malloc(strlen(s) + 1), *p = o;

	assert_non_null(o);
	while (*s != '\0') {
		if (md && *s == '\\' && s[1] != '\0') {
			*p++ = s[1];
			s += 2;
		} else if (strncmp(s, "\xe2\x80\x8b", 3) == 0)
			s += 3;
		else if (html && strncmp(s, "&amp;", 5) == 0) {
			*p++ = '&';
			s += 5;
		} else if (html && strncmp(s, "&lt;", 4) == 0) {
			*p++ = '<';
			s += 4;
		} else if (html && strncmp(s, "&gt;", 4) == 0) {
			*p++ = '>';
			s += 4;
		} else if (html == 2 && strncmp(s, "&quot;", 6) == 0) {
			*p++ = '"';
			s += 6;
		} else if (html == 2 && strncmp(s, "<br>", 4) == 0) {
			*p++ = '\n';
			s += 4;
		} else
			*p++ = *s++;
	}
	*p = '\0';
	return (o);
}

static struct seen_unit *
seen_add(struct seen *sn, char *head)
{
	struct seen_unit	*u;

	assert_true(sn->n < 64);
	u = &sn->u[sn->n++];
	u->head = head;
	u->n = 0;
	return (u);
}

static void
seen_line(struct seen_unit *u, char *label, char *value)
{
	assert_true(u->n < 128);
	u->lines[u->n].label = label;
	u->lines[u->n].value = value;
	u->n++;
}

/* Strip a trailing label separator (":" or "\u00a0:"). */
static char *
strip_sep(char *label)
{
	size_t	n = strlen(label);

	if (n >= 3 && strcmp(label + n - 3, "\xc2\xa0:") == 0)
		label[n - 3] = '\0';
	else if (n >= 1 && label[n - 1] == ':')
		label[n - 1] = '\0';
	return (label);
}

/*
 * Slack: 50 blocks; header 150; section text 3000; 10 fields of 2000; a
 * context of 10 elements of 3000; text 40 000. No "<!" can survive.
 */
static void
read_slack(const cJSON *m, struct seen *sn)
{
	const cJSON		*b, *f, *t;
	struct seen_unit	*u = NULL;
	const char		*type, *s, *nl;
	char			*lab;

	assert_true(slen(m, "text") <= 40000);
	assert_true(cJSON_GetArraySize(get(m, "blocks")) <= 50);
	sn->title = unesc(get(m, "text")->valuestring, 0, 1);
	cJSON_ArrayForEach(b, get(m, "blocks")) {
		type = get(b, "type")->valuestring;
		if (strcmp(type, "header") == 0) {
			assert_true(slen(get(b, "text"), "text") <= 150);
		} else if (strcmp(type, "context") == 0) {
			assert_true(cJSON_GetArraySize(get(b, "elements")) <=
			    10);
			cJSON_ArrayForEach(f, get(b, "elements"))
				assert_true(slen(f, "text") <= 3000);
		} else {
			assert_string_equal(type, "section");
			if ((t = cJSON_GetObjectItem(b, "text")) != NULL) {
				assert_true(slen(t, "text") <= 3000);
				s = get(t, "text")->valuestring;
				u = NULL;
				if (s[0] == ':' && (s = strstr(s, ": *")) !=
				    NULL) {
					lab = unesc(s + 3, 0, 1);
					lab[strlen(lab) - 1] = '\0';
					u = seen_add(sn, lab);
				}
			}
			f = cJSON_GetObjectItem(b, "fields");
			if (f == NULL)
				continue;
			assert_true(cJSON_GetArraySize(f) <= 10);
			assert_non_null(u);
			cJSON_ArrayForEach(t, f) {
				assert_true(slen(t, "text") <= 2000);
				s = get(t, "text")->valuestring;
				nl = strstr(s, "*\n");
				assert_non_null(nl);
				lab = strndup(s + 1, (size_t)(nl - s - 1));
				seen_line(u, strip_sep(unesc(lab, 0, 1)),
				    unesc(nl + 2, 0, 1));
				free(lab);
			}
		}
	}
}

/* Teams: the whole body within 20 000 bytes (our margin under 28 KB). */
static void
read_teams(const cJSON *m, struct seen *sn)
{
	const cJSON		*card, *b, *f;
	struct seen_unit	*u = NULL;

	assert_true(json_len(m) <= 20000);
	assert_string_equal(get(m, "type")->valuestring, "message");
	card = get(cJSON_GetArrayItem(get(m, "attachments"), 0), "content");
	assert_string_equal(get(card, "type")->valuestring, "AdaptiveCard");
	assert_string_equal(get(card, "version")->valuestring, "1.4");
	sn->title = unesc(get(cJSON_GetArrayItem(get(card, "body"), 0),
	    "text")->valuestring, 1, 0);
	cJSON_ArrayForEach(b, get(card, "body")) {
		if (strcmp(get(b, "type")->valuestring, "FactSet") == 0) {
			assert_non_null(u);
			cJSON_ArrayForEach(f, get(b, "facts"))
				seen_line(u, unesc(get(f, "title")->valuestring,
				    1, 0), unesc(get(f, "value")->valuestring,
				    1, 0));
		} else if (cJSON_GetObjectItem(b, "color") != NULL)
			u = seen_add(sn, unesc(get(b, "text")->valuestring, 1,
			    0));
	}
}

/*
 * Discord: content 2000; 10 embeds; title 256, description 4096, 25 fields,
 * name 256, value 1024, footer 2048, 6000 in all embeds; no mention parsed.
 */
static void
read_discord(const cJSON *m, struct seen *sn)
{
	const cJSON		*e, *f, *am;
	struct seen_unit	*u;
	size_t			 total = 0, n;
	const char		*c, *nl;
	char			*t;

	assert_true(slen(m, "content") <= 2000);
	am = get(get(m, "allowed_mentions"), "parse");
	assert_true(cJSON_IsArray(am) && cJSON_GetArraySize(am) == 0);
	c = get(m, "content")->valuestring;
	assert_true(strncmp(c, "**", 2) == 0);
	nl = strstr(c + 2, "**");
	t = strndup(c + 2, (size_t)(nl - c - 2));
	sn->title = unesc(t, 1, 0);
	free(t);
	assert_true(cJSON_GetArraySize(get(m, "embeds")) <= 10);
	cJSON_ArrayForEach(e, get(m, "embeds")) {
		assert_true((n = slen(e, "title")) <= 256);
		total += n;
		assert_true((n = slen(e, "description")) <= 4096);
		total += n;
		if (cJSON_GetObjectItem(e, "footer") != NULL) {
			assert_true((n = slen(get(e, "footer"), "text")) <=
			    2048);
			total += n;
		}
		if (cJSON_GetObjectItem(e, "color") == NULL)
			continue;	/* the footnote */
		u = seen_add(sn, unesc(cJSON_GetObjectItem(e, "title") ?
		    get(e, "title")->valuestring :
		    get(e, "description")->valuestring, 1, 0));
		f = cJSON_GetObjectItem(e, "fields");
		assert_true(cJSON_GetArraySize(f) <= 25);
		cJSON_ArrayForEach(f, f) {
			assert_true((n = slen(f, "name")) <= 256 && n > 0);
			total += n;
			assert_true((n = slen(f, "value")) <= 1024 && n > 0);
			total += n;
			seen_line(u, unesc(get(f, "name")->valuestring, 1, 0),
			    unesc(get(f, "value")->valuestring, 1, 0));
		}
	}
	assert_true(total <= 6000);
}

/* Mattermost: text 16383; attachments' JSON 7900; no live mention. */
static void
read_mattermost(const cJSON *m, struct seen *sn)
{
	const cJSON		*a, *f;
	struct seen_unit	*u;
	const char		*t, *nl;
	char			*title;

	assert_true(slen(m, "text") <= 16383);
	assert_true(json_len(get(m, "attachments")) <= 7900);
	t = get(m, "text")->valuestring;
	assert_true(strncmp(t, "#### ", 5) == 0);
	nl = strchr(t, '\n');
	title = strndup(t + 5, nl != NULL ? (size_t)(nl - t - 5) :
	    strlen(t + 5));
	sn->title = unesc(title, 1, 0);
	free(title);
	cJSON_ArrayForEach(a, get(m, "attachments")) {
		if (cJSON_GetObjectItem(a, "color") == NULL)
			continue;
		u = seen_add(sn, unesc(get(a, "fallback")->valuestring, 0, 0));
		cJSON_ArrayForEach(f, cJSON_GetObjectItem(a, "fields"))
			seen_line(u, unesc(get(f, "title")->valuestring, 0, 0),
			    unesc(get(f, "value")->valuestring, 1, 0));
	}
}

/* Google Chat: 32 000 bytes; 100 widgets; texts 4096; no <users/. */
static void
read_googlechat(const cJSON *m, struct seen *sn)
{
	const cJSON		*card, *sec, *w, *dt;
	struct seen_unit	*u;
	size_t			 widgets = 0;
	const char		*h, *gt;
	char			*s;

	assert_true(json_len(m) <= 32000);
	assert_true(slen(m, "text") <= 4096);
	assert_null(strstr(get(m, "text")->valuestring, "<users/"));
	sn->title = unesc(get(m, "text")->valuestring, 0, 0);
	assert_int_equal(cJSON_GetArraySize(get(m, "cardsV2")), 1);
	card = get(cJSON_GetArrayItem(get(m, "cardsV2"), 0), "card");
	assert_string_equal(get(get(card, "header"), "title")->valuestring,
	    sn->title);
	cJSON_ArrayForEach(sec, get(card, "sections")) {
		u = NULL;
		if (cJSON_GetObjectItem(sec, "header") != NULL) {
			h = get(sec, "header")->valuestring;
			assert_true(strlen(h) <= 4096);
			gt = strchr(h, '>');
			s = strndup(gt + 1, strlen(gt + 1) - strlen("</font>"));
			u = seen_add(sn, unesc(s, 0, 2));
			free(s);
		}
		cJSON_ArrayForEach(w, get(sec, "widgets")) {
			widgets++;
			if ((dt = cJSON_GetObjectItem(w, "decoratedText")) ==
			    NULL)
				continue;
			assert_true(slen(dt, "text") <= 4096);
			assert_non_null(u);
			seen_line(u, strdup(get(dt, "topLabel")->valuestring),
			    unesc(get(dt, "text")->valuestring, 0, 2));
		}
	}
	assert_true(widgets <= 100);
}

static void
seen_free(struct seen *sn)
{
	size_t	i, j;

	free(sn->title);
	for (i = 0; i < sn->n; i++) {
		free(sn->u[i].head);
		for (j = 0; j < sn->u[i].n; j++) {
			free(sn->u[i].lines[j].label);
			free(sn->u[i].lines[j].value);
		}
	}
	sn->n = 0;
}

/* Append s to *acc. */
static void
append(char **acc, const char *s)
{
	size_t	a = *acc != NULL ? strlen(*acc) : 0;

	*acc = realloc(*acc, a + strlen(s) + 1);
	assert_non_null(*acc);
	memcpy(*acc + a, s, strlen(s) + 1);
}

/* The line being gathered, and the event's lines seen, are whole. */
static void
line_end(const struct ndoc *d, size_t ev, size_t li, char **got)
{
	if (li > 0)
		assert_string_equal(*got, d->events[ev - 1].fields[li - 1].value);
	free(*got);
	*got = NULL;
}

static void
event_end(const struct ndoc *d, size_t ev, size_t li, char **got)
{
	if (ev == 0)
		return;
	line_end(d, ev, li, got);
	assert_int_equal(li, d->events[ev - 1].nfields);
}

static void
check_split(const char *format, const struct ndoc *d)
{
	static const char	 ell[] = " \xe2\x80\xa6";
	const struct ndoc_field	*f;
	struct seen		 sn;
	cJSON			*m;
	char			**parts, want[64], *head, *got = NULL, *exp;
	char			*prev = NULL;
	size_t			 np, i, k, j, ev = 0, li = 0, hl;

	np = chat_render(chat_format_find(format), d, NOW, &parts);
	assert_true(np > 1);
	for (i = 0; i < np; i++) {
		memset(&sn, 0, sizeof sn);
		if ((m = cJSON_Parse(parts[i])) == NULL)
			fail_msg("%s part %zu is not JSON", format, i + 1);
		if (strcmp(format, "slack") == 0) {
			read_slack(m, &sn);
			assert_null(strstr(parts[i], "<!"));
		} else if (strcmp(format, "teams") == 0)
			read_teams(m, &sn);
		else if (strcmp(format, "discord") == 0)
			read_discord(m, &sn);
		else if (strcmp(format, "mattermost") == 0) {
			read_mattermost(m, &sn);
			assert_null(strstr(parts[i], "@everyone"));
			assert_null(strstr(parts[i], "@here"));
		} else
			read_googlechat(m, &sn);
		snprintf(want, sizeof want, " (%zu/%zu)", i + 1, np);
		if (strlen(sn.title) < strlen(want) || strcmp(sn.title +
		    strlen(sn.title) - strlen(want), want) != 0)
			fail_msg("%s part %zu: title \"%s\" lacks \"%s\"",
			    format, i + 1, sn.title, want);
		/* Units in order: an event continues, or the next starts
		 * once the one before was seen whole. */
		for (k = 0; k < sn.n; k++) {
			head = sn.u[k].head;
			hl = strlen(head);
			if (hl > 4 && strcmp(head + hl - 4, ell) == 0) {
				head[hl - 4] = '\0';
				assert_true(ev > 0);
			} else {
				event_end(d, ev, li, &got);
				ev++;
				li = 0;
				free(prev);
				prev = NULL;
			}
			assert_true(ev <= d->nevents);
			exp = ndoc_head(d, &d->events[ev - 1]);
			if (strcmp(head, exp) != 0)
				fail_msg("%s part %zu: head \"%s\", want \"%s\"",
				    format, i + 1, head, exp);
			free(exp);
			/* Pieces of one line follow each other under its
			 * label (labels differ within an event). */
			for (j = 0; j < sn.u[k].n; j++) {
				if (prev == NULL || strcmp(prev,
				    sn.u[k].lines[j].label) != 0) {
					line_end(d, ev, li, &got);
					li++;
				}
				assert_true(li <= d->events[ev - 1].nfields);
				f = &d->events[ev - 1].fields[li - 1];
				assert_string_equal(sn.u[k].lines[j].label,
				    f->label);
				if (got == NULL)
					got = strdup("");
				append(&got, sn.u[k].lines[j].value);
				free(prev);
				prev = strdup(sn.u[k].lines[j].label);
			}
		}
		seen_free(&sn);
		cJSON_Delete(m);
	}
	event_end(d, ev, li, &got);
	assert_int_equal(ev, d->nevents);
	free(prev);
	chat_parts_free(parts, np);
}

/*
 * Every format splits 300 events within its limits, marked and in order,
 * losing nothing; the same document renders the same parts again.
 */
static void
test_limits(void **state)
{
	struct ndoc	*d;
	char		**a, **b;
	size_t		 i, na, nb, k;

	(void)state;
	d = big_doc("fr");
	for (i = 0; i < NFORMATS; i++) {
		check_split(formats[i], d);
		na = chat_render(chat_format_find(formats[i]), d, NOW, &a);
		nb = chat_render(chat_format_find(formats[i]), d, NOW, &b);
		assert_int_equal(na, nb);
		print_message("%s: %zu events in %zu messages\n", formats[i],
		    d->nevents, na);
		for (k = 0; k < na; k++)
			assert_string_equal(a[k], b[k]);
		chat_parts_free(a, na);
		chat_parts_free(b, nb);
	}
	ndoc_free(d);
}

/* Escapes: markup of names cannot format, link or mention. */
static void
test_escapes(void **state)
{
	struct notice	*n;
	struct ndoc	*d;
	char		**parts;
	size_t		 np;

	(void)state;
	n = make_notice("en");
	d = stored_doc(n);
	np = chat_render(chat_format_find("slack"), d, NOW, &parts);
	assert_null(strstr(parts[0], "<!channel>"));
	assert_non_null(strstr(parts[0], "&lt;!channel&gt;"));
	assert_non_null(strstr(parts[0], "ACME &amp; Co"));
	chat_parts_free(parts, np);
	np = chat_render(chat_format_find("discord"), d, NOW, &parts);
	assert_non_null(strstr(parts[0], "Spring \\\\*sale\\\\*"));
	assert_non_null(strstr(parts[0], "\\\\[x\\\\](https://e.example)"));
	assert_non_null(strstr(parts[0], "\"allowed_mentions\":{\"parse\":[]}"));
	chat_parts_free(parts, np);
	np = chat_render(chat_format_find("mattermost"), d, NOW, &parts);
	assert_null(strstr(parts[0], "@everyone"));
	assert_non_null(strstr(parts[0], "@\xe2\x80\x8b" "everyone"));
	chat_parts_free(parts, np);
	np = chat_render(chat_format_find("googlechat"), d, NOW, &parts);
	assert_null(strstr(parts[0], "<users/all>"));
	assert_non_null(strstr(parts[0], "&lt;users/all&gt;"));
	chat_parts_free(parts, np);
	ndoc_free(d);
	notice_free(n);
	assert_null(chat_format_find("irc"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_golden_split),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_escapes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
