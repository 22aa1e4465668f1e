/*
 * Notes of what the agency did (note.h): the checks of a note's fields, its
 * date on the client's calendar, the JSON body of the HTTP request and the
 * JSON of a list. Pure: the zone and the time come from the caller.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "json-lex.h"
#include "log.h"
#include "metric.h"
#include "note.h"
#include "store.h"
#include "tz.h"
#include "utf8.h"
#include "xmalloc.h"

#define NOTE_SHOW_MAX	64	/* a value quoted in a message, escaped */

static const char *
note_show(const char *s, size_t len, char *buf, size_t bufsz)
{
	return log_escape(s, len, buf, bufsz);
}

/*
 * Valid UTF-8, no control character (C0, DEL, C1), 1 to max bytes, and at
 * most max_chars code points when not 0.
 */
static int
note_check_chars(const char *what, const char *s, size_t max,
    size_t max_chars, char **cause)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 len = strlen(s), i, chars = 0;

	if (len == 0) {
		xasprintf(cause, "%s: empty", what);
		return -1;
	}
	if (!utf8_valid(s, len)) {
		xasprintf(cause, "%s: not valid UTF-8", what);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xc2 &&
		    p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)) {
			xasprintf(cause, "%s: control character 0x%02x at byte "
			    "%zu (not allowed)", what, p[i] == 0xc2 ?
			    p[i + 1] : p[i], i + 1);
			return -1;
		}
		if ((p[i] & 0xc0) != 0x80)
			chars++;
	}
	if (max_chars != 0 && chars > max_chars) {
		xasprintf(cause, "%s: %zu characters, at most %zu", what, chars,
		    max_chars);
		return -1;
	}
	if (len > max) {
		xasprintf(cause, "%s: %zu bytes, at most %zu", what, len, max);
		return -1;
	}
	return 0;
}

int
note_check_text(const char *text, char **cause)
{
	const char	*p;
	size_t		 len, b;

	if (note_check_chars("text", text, 4 * NOTE_TEXT_MAX, NOTE_TEXT_MAX,
	    cause) != 0)
		return -1;
	for (p = text, len = strlen(text); len > 0; p += b, len -= b) {
		if ((b = utf8_blank(p, len)) == 0)
			return 0;
	}
	xasprintf(cause, "text: only blanks (say what was done)");
	return -1;
}

/* A campaign or channel name as ingest stores them: trimmed. */
static int
note_check_name(const char *what, const char *s, size_t max, char **cause)
{
	size_t	len = strlen(s);

	if (note_check_chars(what, s, max, 0, cause) != 0)
		return -1;
	if (utf8_blank(s, len) != 0 || utf8_blank_end(s, len) != 0) {
		xasprintf(cause, "%s: blank at its start or end (names in "
		    "metric rows are trimmed, so it would match none)", what);
		return -1;
	}
	return 0;
}

int
note_check_campaign(const char *campaign, char **cause)
{
	return note_check_name("campaign", campaign, METRIC_CAMPAIGN_MAX - 1,
	    cause);
}

int
note_check_channel(const char *channel, char *out, char **cause)
{
	size_t	i;

	if (note_check_name("channel", channel, METRIC_CHANNEL_MAX - 1,
	    cause) != 0)
		return -1;
	/* Ingest lowercases channels ("Google_Ads" is stored google_ads). */
	for (i = 0; channel[i] != '\0'; i++)
		out[i] = channel[i] >= 'A' && channel[i] <= 'Z' ?
		    (char)(channel[i] - 'A' + 'a') : channel[i];
	out[i] = '\0';
	return 0;
}

int
note_parse_day(const char *what, const char *s, const struct tz *tz,
    int64_t now, int32_t *day, char **cause)
{
	char	 show[NOTE_SHOW_MAX];
	int32_t	 today, sec;

	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		if (tz != NULL)
			tz_local(tz, now, &today, &sec);
		else	/* UTC */
			today = (int32_t)(now / 86400 - (now % 86400 < 0));
		*day = s[0] == 't' ? today : today - 1;
		return 0;
	}
	if (metric_parse_iso_date(s, strlen(s), day) != 0) {
		xasprintf(cause, "%s: \"%s\" is not a date (YYYY-MM-DD, today "
		    "or yesterday)", what, note_show(s, strlen(s), show,
		    sizeof show));
		return -1;
	}
	return 0;
}

void
note_input_clear(struct note_input *in)
{
	free(in->text);
	free(in->campaign);
	free(in->channel);
	memset(in, 0, sizeof *in);
}

enum note_member {
	NM_DATE,
	NM_TEXT,
	NM_CAMPAIGN,
	NM_CHANNEL,
	NM__MAX
};

static const char *const note_members[NM__MAX] = {
	"date", "text", "campaign", "channel"
};

static int
note_json_fail(char **field, char **cause, const char *f, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
note_json_fail(char **field, char **cause, const char *f, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*why;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) == -1)
		fatalx("%s: out of memory", __func__);
	va_end(ap);
	*field = xstrdup(f);
	*cause = why;
	return -1;
}

/* The document is not the object expected: where and what came. */
static int
note_json_token(struct json_lex *lx, const struct json_token *t,
    const char *expected, char **field, char **cause)
{
	char	 buf[128];

	if (t->type == JSON_TOK_ERROR)
		return note_json_fail(field, cause, "body", "body: not JSON: "
		    "line %ld: %s", lx->err_line, json_lex_strerror(lx, buf,
		    sizeof buf));
	if (t->type == JSON_TOK_END)
		return note_json_fail(field, cause, "body", "body: ends where "
		    "%s was expected", expected);
	return note_json_fail(field, cause, "body", "body: line %ld: %s "
	    "expected", t->line, expected);
}

/* Structure and types: the members' strings into v (NULL: absent or null). */
static int
note_json_members(const char *body, size_t len, char *v[NM__MAX],
    char **field, char **cause)
{
	struct json_lex		 lx;
	struct json_token	 t;
	char			*key, show[NOTE_SHOW_MAX];
	unsigned		 seen = 0;
	size_t			 n;
	int			 m;

	json_lex_init(&lx, body, len, 1, JSON_LEX_UTF8);
	if (json_lex_next(&lx, &t) != JSON_TOK_LBRACE)
		return note_json_token(&lx, &t, "an object {...}", field,
		    cause);
	if (json_lex_next(&lx, &t) == JSON_TOK_RBRACE)
		goto end;
	for (;;) {
		if (t.type != JSON_TOK_STRING)
			return note_json_token(&lx, &t, "a member name", field,
			    cause);
		key = xmalloc(t.len + 1);
		n = json_lex_decode(&t, key);
		key[n] = '\0';
		for (m = 0; m < NM__MAX; m++)
			if (strcmp(key, note_members[m]) == 0)
				break;
		if (m == NM__MAX) {
			note_show(key, n, show, sizeof show);
			free(key);
			return note_json_fail(field, cause, show, "unknown "
			    "field \"%s\" (date, text, campaign and channel "
			    "are known)", show);
		}
		free(key);
		if (seen & (1u << m))
			return note_json_fail(field, cause, note_members[m],
			    "%s: given twice", note_members[m]);
		seen |= 1u << m;
		if (json_lex_next(&lx, &t) != JSON_TOK_COLON)
			return note_json_token(&lx, &t, "':'", field, cause);
		switch (json_lex_next(&lx, &t)) {
		case JSON_TOK_STRING:
			v[m] = xmalloc(t.len + 1);
			v[m][json_lex_decode(&t, v[m])] = '\0';
			break;
		case JSON_TOK_NULL:
			if (m == NM_CAMPAIGN || m == NM_CHANNEL)
				break;
			/* FALLTHROUGH */
		case JSON_TOK_NUMBER:
		case JSON_TOK_TRUE:
		case JSON_TOK_FALSE:
		case JSON_TOK_LBRACE:
		case JSON_TOK_LBRACKET:
			return note_json_fail(field, cause, note_members[m],
			    "%s: must be a string%s", note_members[m],
			    m == NM_CAMPAIGN || m == NM_CHANNEL ?
			    " (or null: none)" : "");
		default:
			return note_json_token(&lx, &t, "a value", field,
			    cause);
		}
		if (json_lex_next(&lx, &t) == JSON_TOK_RBRACE)
			break;
		if (t.type != JSON_TOK_COMMA)
			return note_json_token(&lx, &t, "',' or '}'", field,
			    cause);
		json_lex_next(&lx, &t);
	}
end:
	if (json_lex_next(&lx, &t) != JSON_TOK_END)
		return note_json_token(&lx, &t, "nothing after the object",
		    field, cause);
	return 0;
}

int
note_input_from_json(const char *body, size_t len, const struct tz *tz,
    int64_t now, struct note_input *in, char **field, char **cause)
{
	char	*v[NM__MAX] = { NULL, NULL, NULL, NULL };
	char	 channel[METRIC_CHANNEL_MAX];
	int	 m, rc = -1;

	memset(in, 0, sizeof *in);
	*field = *cause = NULL;
	if (note_json_members(body, len, v, field, cause) != 0)
		goto out;
	for (m = NM_DATE; m <= NM_TEXT; m++)
		if (v[m] == NULL) {
			note_json_fail(field, cause, note_members[m],
			    "%s: missing (required)", note_members[m]);
			goto out;
		}
	*field = xstrdup("date");
	if (note_parse_day("date", v[NM_DATE], tz, now, &in->day, cause) != 0)
		goto out;
	free(*field);
	*field = xstrdup("text");
	if (note_check_text(v[NM_TEXT], cause) != 0)
		goto out;
	free(*field);
	*field = xstrdup("campaign");
	if (v[NM_CAMPAIGN] != NULL &&
	    note_check_campaign(v[NM_CAMPAIGN], cause) != 0)
		goto out;
	free(*field);
	*field = xstrdup("channel");
	if (v[NM_CHANNEL] != NULL &&
	    note_check_channel(v[NM_CHANNEL], channel, cause) != 0)
		goto out;
	free(*field);
	*field = NULL;
	in->text = v[NM_TEXT];
	in->campaign = v[NM_CAMPAIGN];
	if (v[NM_CHANNEL] != NULL)
		in->channel = xstrdup(channel);
	v[NM_TEXT] = v[NM_CAMPAIGN] = NULL;
	rc = 0;
out:
	for (m = 0; m < NM__MAX; m++)
		free(v[m]);
	return rc;
}

static void
note_json_date(cJSON *o, const char *name, int32_t day)
{
	char	buf[16];

	if (day == INT32_MIN || day == INT32_MAX) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	metric_format_date(day, buf);
	cJSON_AddStringToObject(o, name, buf);
}

static void
note_json_name(cJSON *o, const char *name, const char *s)
{
	if (s == NULL || *s == '\0')
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, s);
}

cJSON *
note_list_json(const char *client, int32_t from, int32_t to,
    const struct store_note *v, size_t n)
{
	cJSON	*obj, *list, *o;
	char	 buf[32];
	time_t	 tt;
	struct tm tm;
	size_t	 i;

	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "client", client);
	note_json_date(obj, "from", from);
	note_json_date(obj, "to", to);
	list = cJSON_AddArrayToObject(obj, "annotations");
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)v[i].id);
		note_json_date(o, "date", v[i].day);
		note_json_name(o, "campaign", v[i].campaign);
		note_json_name(o, "channel", v[i].channel);
		cJSON_AddStringToObject(o, "text", v[i].text != NULL ?
		    v[i].text : "");
		cJSON_AddStringToObject(o, "author", v[i].author != NULL ?
		    v[i].author : "");
		tt = (time_t)v[i].created;
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ",
		    gmtime_r(&tt, &tm));
		cJSON_AddStringToObject(o, "created", buf);
		cJSON_AddItemToArray(list, o);
	}
	if (obj == NULL || list == NULL)
		fatalx("%s: out of memory", __func__);
	return obj;
}
