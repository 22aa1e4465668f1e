/*
 * Notices: JSON payload round trip and validation, English and French text with
 * the worked example of DESIGN.md (revenue 87 000, cost 25 750: ROI 237.86 %,
 * 2.38 per 1 spent), undefined ROI, the RFC 5322 rendering (CRLF, encoded
 * subject and display names, no header injection, multipart/alternative
 * whose quoted-printable parts, within 76 columns, decode to the text and
 * the HTML) and the webhook JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric.h"
#include "notice.h"

#define NOW	1709632800	/* Tue, 05 Mar 2024 10:00:00 +0000 */

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
	kpi_totals_assume_complete(&e->totals);	/* 30 complete days */
	e->window_days = 30;
	e->min_roi_ppm = 1500000;	/* 150% = 2.5:1 */
	e->target_roi_ppm = 3000000;	/* 300% = 4:1 */
	e->has_target = 1;
	e->min_spend = 50 * 1000000LL;
}

/* ACME: one campaign under the minimum (ROI 50%), one over target (237.86%). */
static struct notice *
make_notice(const char *lang, const char *name)
{
	struct notice		*n;
	struct notice_event	 e;

	n = notice_new("acme", name, "EUR", lang, "Europe/Paris", NOW - 60);
	fill_event(&e, "Spring sale", "facebook", ALERT_ROI_LOW, RULE_FIRE,
	    10000 * 1000000LL, 15000 * 1000000LL);
	notice_add_event(n, &e);
	fill_event(&e, "Brand search", "google", ALERT_ROI_TARGET, RULE_GOOD,
	    25750 * 1000000LL, 87000 * 1000000LL);
	e.target_roi_ppm = 2000000;
	notice_add_event(n, &e);
	return (n);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		print_error("\"%s\" not found in:\n%s\n", needle, hay);
		fail();
	}
}

/*
 * The origins of the latest day's figures: said in en and fr (one origin
 * named once), kept through the outbox payload, absent when unknown.
 */
static void
test_sources(void **state)
{
	static const struct {
		const char	*lang, *cost, *revenue, *want;
	} cases[] = {
		{ "en", "file ads.csv", "http client acme", "Latest day "
		  "(2024-03-05): cost from file ads.csv, revenue from http "
		  "client acme" },
		{ "fr", "file ads.csv", "http client acme", "Dernier jour "
		  "(05/03/2024)\xc2\xa0: coût de file ads.csv, revenus de "
		  "http client acme" },
		{ "en", "pull source shop", "pull source shop", "cost and "
		  "revenue from pull source shop" },
		{ "en", "", "http client acme", "Latest day (2024-03-05): "
		  "revenue from http client acme" },
		{ "en", "", "", NULL },
	};
	struct notice		*n, *back;
	struct notice_event	 e;
	char			*body, *json, *cause = NULL;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = notice_new("acme", "ACME", "EUR", cases[i].lang,
		    "Europe/Paris", NOW);
		fill_event(&e, "Spring sale", "", ALERT_ROI_LOW, RULE_FIRE,
		    100 * 1000000LL, 50 * 1000000LL);
		e.src_day = metric_days_from_civil(2024, 3, 5);
		snprintf(e.src_cost, sizeof e.src_cost, "%s", cases[i].cost);
		snprintf(e.src_revenue, sizeof e.src_revenue, "%s",
		    cases[i].revenue);
		notice_add_event(n, &e);
		json = notice_to_json(n);
		if ((back = notice_from_json(json, &cause)) == NULL)
			fail_msg("%s", cause);
		body = notice_body_text(back);
		if (cases[i].want != NULL)
			assert_contains(body, cases[i].want);
		else
			assert_null(strstr(body, "Latest day"));
		assert_string_equal(back->events[0].src_cost, cases[i].cost);
		free(body);
		free(json);
		notice_free(back);
		notice_free(n);
	}
}

static void
test_json_round_trip(void **state)
{
	struct notice	*n, *m;
	char		*a, *b, *cause = NULL;
	size_t		 i;

	(void)state;
	n = make_notice("fr", "ACME «Société»");
	a = notice_to_json(n);
	m = notice_from_json(a, &cause);
	assert_null(cause);
	assert_non_null(m);
	assert_string_equal(m->client_id, "acme");
	assert_string_equal(m->client_name, "ACME «Société»");
	assert_string_equal(m->currency, "EUR");
	assert_string_equal(m->language, "fr");
	assert_string_equal(m->timezone, "Europe/Paris");
	assert_int_equal(m->created, NOW - 60);
	assert_int_equal(m->nevents, 2);
	for (i = 0; i < 2; i++) {
		const struct notice_event *x = &n->events[i], *y = &m->events[i];

		assert_string_equal(x->campaign, y->campaign);
		assert_string_equal(x->channel, y->channel);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->action, y->action);
		assert_int_equal(x->totals.cost, y->totals.cost);
		assert_int_equal(x->totals.revenue, y->totals.revenue);
		assert_int_equal(x->totals.clicks, y->totals.clicks);
		assert_int_equal(x->totals.impressions, y->totals.impressions);
		assert_int_equal(x->totals.conversions, y->totals.conversions);
		assert_int_equal(x->totals.present, y->totals.present);
		assert_int_equal(x->totals.samples, y->totals.samples);
		assert_int_equal(x->totals.first_day, y->totals.first_day);
		assert_int_equal(x->totals.last_day, y->totals.last_day);
		assert_int_equal(x->window_days, y->window_days);
		assert_int_equal(x->min_roi_ppm, y->min_roi_ppm);
		assert_int_equal(x->target_roi_ppm, y->target_roi_ppm);
		assert_int_equal(x->has_target, y->has_target);
		assert_int_equal(x->min_spend, y->min_spend);
	}
	b = notice_to_json(m);
	assert_string_equal(a, b);
	free(a);
	free(b);
	notice_free(n);
	notice_free(m);
	notice_free(NULL);
}

static void
expect_bad_json(const char *json, const char *why)
{
	char	*cause = NULL;

	assert_null(notice_from_json(json, &cause));
	assert_non_null(cause);
	assert_contains(cause, why);
	free(cause);
}

/* The notice is read; one of its events is not, and the message says so. */
static void
expect_unreadable_event(const char *json, const char *why)
{
	struct notice	*n;
	char		*cause = NULL, *body;

	n = notice_from_json(json, &cause);
	assert_non_null(n);
	assert_int_equal(n->nunreadable, 1);
	assert_non_null(n->unreadable_why);
	assert_contains(n->unreadable_why, why);
	body = notice_body_text(n);
	assert_contains(body, "1 more event(s) could not be read");
	free(body);
	body = notice_render_webhook(n, "k");
	assert_contains(body, "\"unreadable_events\":1");
	free(body);
	notice_free(n);
}

/* good with the first `from` replaced by `to`. */
static char *
replace(const char *good, const char *from, const char *to)
{
	const char	*p = strstr(good, from);
	char		*out;

	assert_non_null(p);
	out = malloc(strlen(good) + strlen(to) + 1);
	memcpy(out, good, (size_t)(p - good));
	strcpy(out + (p - good), to);
	strcat(out, p + strlen(from));
	return (out);
}

static void
test_json_invalid(void **state)
{
	struct notice	*n;
	char		*good, *bad, big[300];

	(void)state;
	expect_bad_json("{", "JSON");
	expect_bad_json("[]", "object");
	expect_bad_json("{\"client_id\":\"a\"}", "client_name");

	n = make_notice("en", "ACME");
	good = notice_to_json(n);
	notice_free(n);

	/* A bad event leaves the others readable (it is counted). */
	bad = replace(good, "\"roi_low\"", "\"roi_nope\"");
	expect_unreadable_event(bad, "kind");
	free(bad);
	bad = replace(good, "\"fire\"", "\"explode\"");
	expect_unreadable_event(bad, "action");
	bad[0] = '{';
	free(bad);
	bad = replace(good, "\"cost\":10000000000", "\"cost\":10000000000.5");
	expect_unreadable_event(bad, "cost");
	free(bad);
	bad = replace(good, "\"cost\":10000000000", "\"cost\":\"1x\"");
	expect_unreadable_event(bad, "cost");
	free(bad);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	bad = replace(good, "Spring sale", big);
	expect_unreadable_event(bad, "campaign");
	free(bad);
	bad = replace(good, "\"events\":[", "\"events\":[1,");
	expect_unreadable_event(bad, "event");
	free(bad);
	free(good);
}

/*
 * Totals beyond 2^53 micros (a campaign's lifetime can pass 9 billion units)
 * travel as strings of digits and come back exact; the message renders them.
 * Before, such a notice was refused whole and dead-lettered.
 */
static void
test_json_big_totals(void **state)
{
	struct notice	*n, *m;
	char		*a, *b, *cause = NULL, *body;

	(void)state;
	n = make_notice("en", "ACME");
	n->events[0].totals.cost = 9007199254740993LL;		/* 2^53 + 1 */
	n->events[0].totals.revenue = INT64_MAX;
	n->events[0].totals.pair[KPI_PAIR_COST_REVENUE].a = 9007199254740993LL;
	n->events[0].totals.pair[KPI_PAIR_COST_REVENUE].b = INT64_MAX;
	a = notice_to_json(n);
	assert_contains(a, "\"9007199254740993\"");
	m = notice_from_json(a, &cause);
	if (m == NULL)
		fail_msg("%s", cause);
	assert_int_equal(m->nunreadable, 0);
	assert_int_equal(m->events[0].totals.cost, 9007199254740993LL);
	assert_int_equal(m->events[0].totals.revenue, INT64_MAX);
	assert_int_equal(m->events[0].totals.pair[KPI_PAIR_COST_REVENUE].b,
	    INT64_MAX);
	b = notice_to_json(m);
	assert_string_equal(a, b);
	body = notice_body_text(m);
	assert_contains(body, "9,007,199,254.74");
	free(body);
	body = notice_render_webhook(m, "k");
	assert_non_null(body);
	free(body);
	free(a);
	free(b);
	notice_free(n);
	notice_free(m);
}

static void
test_text_en(void **state)
{
	struct notice	*n;
	char		*subject, *body;

	(void)state;
	n = make_notice("en", "ACME");
	subject = notice_subject(n);
	assert_string_equal(subject, "[roiwatch] ACME: 1 campaign under the "
	    "agreed ROI, 1 target reached");
	body = notice_body_text(n);
	assert_contains(body, "Campaign \"Spring sale\" (facebook): ROI under "
	    "the agreed minimum");
	assert_contains(body, "50.00% (0.50 per 1 spent)");
	assert_contains(body, "Campaign \"Brand search\" (google): ROI target "
	    "reached");
	assert_contains(body, "237.86% (2.38 per 1 spent)");
	assert_contains(body, "3.38:1");
	assert_contains(body, "€25,750.00");
	assert_contains(body, "€87,000.00");
	assert_contains(body, "€61,250.00");
	assert_contains(body, "150% (2.5:1)");
	assert_contains(body, "200% (3:1)");
	assert_contains(body, "last 30 days (2024-02-05 to 2024-03-05)");
	free(subject);
	free(body);
	notice_free(n);
}

static void
test_text_fr(void **state)
{
	struct notice	*n;
	char		*subject, *body;

	(void)state;
	n = make_notice("fr", "ACME");
	subject = notice_subject(n);
	assert_string_equal(subject, "[roiwatch] ACME: 1 campagne sous le ROI "
	    "minimum convenu, 1 objectif atteint");
	body = notice_body_text(n);
	assert_contains(body, "ROI sous le minimum convenu");
	assert_contains(body, "Objectif de ROI atteint");
	assert_contains(body, "237,86\xe2\x80\xaf%");
	assert_contains(body, "2,38 pour 1 dépensé");
	assert_contains(body, "3,38:1");
	assert_contains(body, "25\xe2\x80\xaf" "750,00");
	assert_contains(body, "87\xe2\x80\xaf" "000,00");
	assert_contains(body, "€");
	assert_contains(body, "150\xe2\x80\xaf% (2,5:1)");
	assert_contains(body, "30 derniers jours (du 05/02/2024 au 05/03/2024)");
	assert_null(strstr(body, "undefined"));
	free(subject);
	free(body);
	notice_free(n);
}

static void
test_undefined_roi(void **state)
{
	struct notice		*n;
	struct notice_event	 e;
	char			*body, *hook;
	cJSON			*root, *ev;

	(void)state;
	n = notice_new("acme", "ACME", "USD", "en", "UTC", NOW);
	fill_event(&e, "Free", "", ALERT_ROI_LOW, RULE_FIRE, 0, 500000);
	e.window_days = 0;
	notice_add_event(n, &e);
	body = notice_body_text(n);
	assert_contains(body, "ROI:");
	assert_contains(body, "undefined");
	assert_contains(body, "lifetime");
	assert_contains(body, "$0.00");
	free(body);
	hook = notice_render_webhook(n, "k1");
	root = cJSON_Parse(hook);
	assert_non_null(root);
	ev = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(ev, "roi_percent")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(ev, "roas")));
	cJSON_Delete(root);
	free(hook);
	free(n->language);
	n->language = strdup("fr");
	body = notice_body_text(n);
	assert_contains(body, "non défini");
	assert_contains(body, "depuis le début");
	free(body);
	notice_free(n);
}

static int
b64val(char c)
{
	const char	*tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	const char	*p = strchr(tab, c);

	assert_non_null(p);
	return ((int)(p - tab));
}

/* Decode one base64 run into out; returns bytes written. */
static size_t
b64decode(const char *s, size_t len, char *out)
{
	size_t	i, n = 0;
	int	v[4], k;

	assert_int_equal(len % 4, 0);
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
		out[n++] = (char)(v[0] << 2 | v[1] >> 4);
		if (s[i + 2] != '=')
			out[n++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (s[i + 3] != '=')
			out[n++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	return (n);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	assert_true(c >= 'A' && c <= 'F');
	return (c - 'A' + 10);
}

/* Decode an encoded word's text (B or Q) into out; returns bytes written. */
static size_t
word_decode(const char *w, size_t len, char *out)
{
	size_t	i, n = 0;

	if (strncmp(w, "=?UTF-8?B?", 10) == 0)
		return (b64decode(w + 10, len - 12, out));
	assert_true(strncmp(w, "=?UTF-8?Q?", 10) == 0);
	for (i = 10; i < len - 2; i++) {
		if (w[i] == '_')
			out[n++] = ' ';
		else if (w[i] == '=') {
			out[n++] = (char)(hexval(w[i + 1]) << 4 |
			    hexval(w[i + 2]));
			i += 2;
		} else
			out[n++] = w[i];
	}
	return (n);
}

/* Decode quoted-printable lines [p, end) into out (lines <= 76, no trailing
 * blank, ASCII only); returns bytes written. */
static size_t
qp_decode(const char *p, const char *end, char *out)
{
	const char	*line, *eol;
	size_t		 len, n, bn = 0;

	for (line = p; line < end; line = eol + 2) {
		eol = strstr(line, "\r\n");
		assert_non_null(eol);
		len = (size_t)(eol - line);
		assert_true(len <= 76);
		assert_true(len == 0 || (line[len - 1] != ' ' &&
		    line[len - 1] != '\t'));
		for (n = 0; n < len; n++) {
			assert_true((unsigned char)line[n] < 0x7f);
			if (line[n] != '=') {
				out[bn++] = line[n];
				continue;
			}
			if (n + 1 == len)
				break;	/* soft break */
			out[bn++] = (char)(hexval(line[n + 1]) << 4 |
			    hexval(line[n + 2]));
			n += 2;
		}
		if (!(len > 0 && line[len - 1] == '=' &&
		    (len < 3 || line[len - 3] != '=')))
			out[bn++] = '\n';
	}
	return (bn);
}

#define TEXT_PART	"Content-Type: text/plain; charset=utf-8\r\n" \
	"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
#define HTML_PART	"Content-Type: text/html; charset=utf-8\r\n" \
	"Content-Transfer-Encoding: quoted-printable\r\n\r\n"

/*
 * Check the message's shape and return its decoded subject and plain-text
 * part (with '\n' line ends) for comparison with the text renderers, and
 * its HTML part.
 */
static void
check_email(const char *msg, char **subject, char **body, char **html)
{
	const char	*p, *hdr_end, *line, *eol, *w, *q, *b0, *b1, *b2, *b3;
	char		*sub, *out, boundary[128], delim[140];
	size_t		 len, sn = 0;
	int		 in_subject = 0;

	/* CRLF only. */
	for (p = msg; *p != '\0'; p++) {
		if (*p == '\n')
			assert_true(p > msg && p[-1] == '\r');
		if (*p == '\r')
			assert_int_equal(p[1], '\n');
	}
	hdr_end = strstr(msg, "\r\n\r\n");
	assert_non_null(hdr_end);
	sub = calloc(1, 1024);
	for (line = msg; line < hdr_end + 2; line = eol + 2) {
		eol = strstr(line, "\r\n");
		len = (size_t)(eol - line);
		assert_true(len <= 78);
		if (line[0] != ' ') {
			assert_non_null(memchr(line, ':', len));
			in_subject = strncmp(line, "Subject:", 8) == 0;
		}
		/* Only these headers, each once. */
		if (line[0] != ' ')
			assert_true(
			    strncmp(line, "X-Roiwatch-Idempotency-Key: ",
			    28) == 0 ||
			    strncmp(line, "From: ", 6) == 0 ||
			    strncmp(line, "Reply-To: ", 10) == 0 ||
			    strncmp(line, "To: ", 4) == 0 ||
			    strncmp(line, "Subject:", 8) == 0 ||
			    strncmp(line, "Date: ", 6) == 0 ||
			    strncmp(line, "Message-ID: ", 12) == 0 ||
			    strncmp(line, "MIME-Version: ", 14) == 0 ||
			    strncmp(line, "Content-Type: ", 14) == 0 ||
			    strncmp(line, "X-Roiwatch-Client: ", 19) == 0);
		if (in_subject) {
			w = line[0] == ' ' ? line + 1 : line + 9;
			if (strncmp(w, "=?UTF-8?", 8) == 0) {
				q = strstr(w + 10, "?=");
				assert_true(q != NULL && q + 2 == eol);
				sn += word_decode(w, (size_t)(q + 2 - w),
				    sub + sn);
			} else {
				if (line[0] == ' ')
					w = line;	/* folded plain text */
				memcpy(sub + sn, w, (size_t)(eol - w));
				sn += (size_t)(eol - w);
			}
		}
	}
	*subject = sub;

	/* multipart/alternative: text/plain, then text/html. */
	p = strstr(msg, "Content-Type: multipart/alternative;\r\n boundary=\"");
	assert_true(p != NULL && p < hdr_end);
	p += strlen("Content-Type: multipart/alternative;\r\n boundary=\"");
	len = strcspn(p, "\"");
	assert_true(len > 0 && len < sizeof boundary);
	memcpy(boundary, p, len);
	boundary[len] = '\0';
	snprintf(delim, sizeof delim, "--%s\r\n", boundary);
	b0 = strstr(hdr_end + 4, delim);
	assert_true(b0 == hdr_end + 4);
	b0 += strlen(delim);
	assert_int_equal(strncmp(b0, TEXT_PART, strlen(TEXT_PART)), 0);
	b1 = strstr(b0, delim);
	assert_non_null(b1);
	assert_int_equal(strncmp(b1 + strlen(delim), HTML_PART,
	    strlen(HTML_PART)), 0);
	snprintf(delim, sizeof delim, "--%s--\r\n", boundary);
	b2 = strstr(b1, delim);
	assert_non_null(b2);
	assert_string_equal(b2, delim);		/* the end */
	out = calloc(1, strlen(msg) + 1);
	qp_decode(b0 + strlen(TEXT_PART), b1, out);
	*body = out;
	b3 = b1 + strlen(boundary) + 4 + strlen(HTML_PART);
	out = calloc(1, strlen(msg) + 1);
	qp_decode(b3, b2, out);
	*html = out;
}

static char *
render_email(const struct notice *n, const char *from, char *const *to,
    size_t nto, const char *key)
{
	struct notice_mail	m;

	memset(&m, 0, sizeof m);
	m.from = from;
	m.to = to;
	m.nto = nto;
	m.key = key;
	m.now = NOW;
	return (notice_render_email(n, &m));
}

static void
test_email(void **state)
{
	struct notice	*n;
	struct notice_mail m;
	char		*msg, *msg2, *subject, *body, *html, *want;
	char		*to[] = { "a@example.com", "b@example.org" };

	(void)state;
	n = make_notice("fr", "Société Générale de Très Longs Noms Commerciaux");
	msg = render_email(n, "roiwatch <alerts@mail.example.com>", to,
	    2, "3f2a-17");
	check_email(msg, &subject, &body, &html);
	assert_contains(msg, "X-Roiwatch-Idempotency-Key: 3f2a-17\r\n");
	assert_contains(msg, "From: roiwatch <alerts@mail.example.com>\r\n");
	assert_contains(msg, "To: a@example.com,\r\n b@example.org\r\n");
	assert_contains(msg, "Subject: =?UTF-8?");
	assert_contains(msg, "Date: Tue, 05 Mar 2024 10:00:00 +0000\r\n");
	assert_contains(msg, "Message-ID: <3f2a-17@mail.example.com>\r\n");
	assert_contains(msg, "MIME-Version: 1.0\r\n");
	assert_contains(msg, "X-Roiwatch-Client: acme\r\n");
	assert_null(strstr(msg, "Reply-To:"));
	want = notice_subject(n);
	assert_string_equal(subject, want);
	free(want);
	want = notice_body_text(n);
	assert_string_equal(body, want);
	free(want);
	want = notice_body_html(n);
	assert_string_equal(html, want);
	free(want);
	/* The same key, the same message: boundary and Message-ID too. */
	msg2 = render_email(n, "roiwatch <alerts@mail.example.com>", to,
	    2, "3f2a-17");
	assert_string_equal(msg, msg2);
	free(msg2);
	free(subject);
	free(body);
	free(html);
	free(msg);
	notice_free(n);

	/* ASCII subject stays plain; a display name in UTF-8 and Reply-To. */
	n = make_notice("en", "ACME");
	memset(&m, 0, sizeof m);
	m.from = "Zoë Ångström <zoe@example.com>";
	m.reply_to = "\"Doe, Jane\" <jane@agency.example>";
	m.to = to;
	m.nto = 1;
	m.key = "k";
	m.now = NOW;
	msg = notice_render_email(n, &m);
	check_email(msg, &subject, &body, &html);
	assert_contains(msg, "Subject: [roiwatch] ACME: 1 campaign under the "
	    "agreed ROI, 1 target reached\r\n");
	assert_contains(msg, "From: =?UTF-8?Q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= "
	    "<zoe@example.com>\r\n");
	assert_contains(msg, "Reply-To: \"Doe, Jane\" <jane@agency.example>"
	    "\r\n");
	assert_contains(msg, "Message-ID: <k@example.com>\r\n");
	free(subject);
	free(body);
	free(html);
	free(msg);
	/* A long key (a long client id) is written as it is, never folded
	 * nor encoded: receivers compare it byte for byte. */
	m.key = "rw-a123456789b123456789c123456789d123456789e123456789f1234567"
	    "89abc-12345-0123456789abcdef";
	msg = notice_render_email(n, &m);
	assert_contains(msg, "X-Roiwatch-Idempotency-Key: rw-a123456789b"
	    "123456789c123456789d123456789e123456789f123456789abc-12345-"
	    "0123456789abcdef\r\n");
	assert_contains(msg, "\r\nMessage-ID: <rw-a123456789b123456789c"
	    "123456789d123456789e123456789f123456789abc-12345-0123456789abcdef"
	    "@example.com>\r\n");
	free(msg);
	notice_free(n);
}

static void
test_email_injection(void **state)
{
	struct notice		*n;
	struct notice_event	 e;
	struct notice_mail	 m;
	char			*msg, *subject, *body, *html, *hdr_end;
	char			*to[] = { "a@example.com\r\nBcc: evil@example.com",
				    "ok@example.com" };

	(void)state;
	n = notice_new("acme", "ACME\r\nBcc: evil@example.com", "EUR", "en",
	    "UTC", NOW);
	fill_event(&e, "x\r\nBcc: evil@example.com", "y\nZ: 1", ALERT_ROI_LOW,
	    RULE_FIRE, 1000000, 0);
	notice_add_event(n, &e);
	memset(&m, 0, sizeof m);
	m.from = "a@b.example\r\nBcc: evil@example.com";
	m.reply_to = "r@b.example\nCc: evil@example.com";
	m.to = to;
	m.nto = 2;
	m.key = "key\r\nBcc: x";
	m.now = NOW;
	msg = notice_render_email(n, &m);
	check_email(msg, &subject, &body, &html);
	hdr_end = strstr(msg, "\r\n\r\n");
	*hdr_end = '\0';
	assert_null(strstr(msg, "\r\nBcc:"));
	assert_null(strstr(msg, "\r\nCc:"));
	assert_null(strstr(msg, "\r\nZ:"));
	assert_null(strstr(msg, "Reply-To:"));	/* not an address: left out */
	assert_contains(msg, "From: roiwatch@localhost\r\n");
	assert_contains(msg, "To: ok@example.com\r\n");
	assert_null(strchr(subject, '\r'));
	assert_null(strchr(subject, '\n'));
	assert_contains(body, "Campaign \"x  Bcc: evil@example.com\"");
	free(subject);
	free(body);
	free(html);
	free(msg);
	notice_free(n);
}

/* Long lines, '=' signs, a leading dot and trailing spaces in QP. */
static void
test_email_qp(void **state)
{
	struct notice		*n;
	struct notice_event	 e;
	char			*msg, *subject, *body, *html, *want;
	char			 name[METRIC_CAMPAIGN_MAX];

	(void)state;
	memset(name, 0, sizeof name);
	memset(name, '=', 40);
	memcpy(name + 40, "ééééééééééééééééééééééééééééé .", 60);
	n = notice_new("acme", ".ACME ", "EUR", "fr", "UTC", NOW);
	fill_event(&e, name, "email", ALERT_ROI_LOW, RULE_REPEAT, 1000000,
	    900000);
	notice_add_event(n, &e);
	msg = render_email(n, NULL, NULL, 0, "k");
	check_email(msg, &subject, &body, &html);
	assert_contains(msg, "To: undisclosed-recipients:;\r\n");
	want = notice_body_text(n);
	assert_string_equal(body, want);
	assert_contains(body, "-10,00\xe2\x80\xaf% (-0,10 pour 1 dépensé)");
	free(want);
	free(subject);
	free(body);
	free(html);
	free(msg);
	notice_free(n);
}

static void
test_webhook(void **state)
{
	struct notice	*n;
	char		*s;
	cJSON		*root, *c, *ev;

	(void)state;
	n = make_notice("en", "ACME");
	s = notice_render_webhook(n, "idem-42");
	root = cJSON_Parse(s);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "idempotency_key")->
	    valuestring, "idem-42");
	c = cJSON_GetObjectItem(root, "client");
	assert_string_equal(cJSON_GetObjectItem(c, "id")->valuestring, "acme");
	assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring, "ACME");
	assert_string_equal(cJSON_GetObjectItem(c, "currency")->valuestring,
	    "EUR");
	assert_string_equal(cJSON_GetObjectItem(c, "language")->valuestring,
	    "en");
	assert_int_equal((int64_t)cJSON_GetObjectItem(root, "created")->
	    valuedouble, NOW - 60);
	assert_string_equal(cJSON_GetObjectItem(root, "subject")->valuestring,
	    "[roiwatch] ACME: 1 campaign under the agreed ROI, 1 target "
	    "reached");
	assert_contains(cJSON_GetObjectItem(root, "text")->valuestring,
	    "237.86%");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root,
	    "events")), 2);
	ev = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 1);
	assert_string_equal(cJSON_GetObjectItem(ev, "campaign")->valuestring,
	    "Brand search");
	assert_string_equal(cJSON_GetObjectItem(ev, "channel")->valuestring,
	    "google");
	assert_string_equal(cJSON_GetObjectItem(ev, "kind")->valuestring,
	    "roi_target");
	assert_string_equal(cJSON_GetObjectItem(ev, "action")->valuestring,
	    "good");
	assert_float_equal(cJSON_GetObjectItem(ev, "roi_percent")->valuedouble,
	    237.86, 1e-9);
	assert_float_equal(cJSON_GetObjectItem(ev, "roas")->valuedouble, 3.38,
	    1e-9);
	assert_int_equal((int64_t)cJSON_GetObjectItem(ev, "cost_micros")->
	    valuedouble, 25750000000LL);
	assert_int_equal((int64_t)cJSON_GetObjectItem(ev, "revenue_micros")->
	    valuedouble, 87000000000LL);
	assert_int_equal((int64_t)cJSON_GetObjectItem(ev, "profit_micros")->
	    valuedouble, 61250000000LL);
	assert_string_equal(cJSON_GetObjectItem(ev, "cost")->valuestring,
	    "€25,750.00");
	assert_string_equal(cJSON_GetObjectItem(ev, "revenue")->valuestring,
	    "€87,000.00");
	assert_string_equal(cJSON_GetObjectItem(ev, "minimum_roi")->valuestring,
	    "150% (2.5:1)");
	assert_string_equal(cJSON_GetObjectItem(ev, "target_roi")->valuestring,
	    "200% (3:1)");
	assert_int_equal((int)cJSON_GetObjectItem(ev, "window_days")->
	    valuedouble, 30);
	assert_string_equal(cJSON_GetObjectItem(ev, "first_day")->valuestring,
	    "2024-02-05");
	assert_string_equal(cJSON_GetObjectItem(ev, "last_day")->valuestring,
	    "2024-03-05");
	cJSON_Delete(root);
	free(s);
	notice_free(n);
}

/* A test-notify notice says so in subject and body, in both languages, and
 * keeps the mark through the outbox JSON. */
static void
test_test_mark(void **state)
{
	struct notice *n = make_notice("en", "ACME"), *back;
	char *json, *subject, *body, *cause = NULL;

	(void)state;
	n->test = 1;
	json = notice_to_json(n);
	back = notice_from_json(json, &cause);
	assert_non_null(back);
	assert_int_equal(back->test, 1);
	subject = notice_subject(back);
	body = notice_body_text(back);
	assert_true(strncmp(subject, "[roiwatch] TEST ACME:", 21) == 0);
	assert_non_null(strstr(body, "test message"));
	free(subject);
	free(body);
	free(back->language);
	back->language = strdup("fr");
	subject = notice_subject(back);
	assert_true(strncmp(subject, "[roiwatch] ESSAI ACME:", 22) == 0);
	free(subject);
	notice_free(back);
	free(json);
	n->test = 0;
	json = notice_to_json(n);
	assert_null(strstr(json, "\"test\""));
	back = notice_from_json(json, &cause);
	assert_int_equal(back->test, 0);
	notice_free(back);
	free(json);
	notice_free(n);
}

/*
 * The case as an event: ROI -50 % over 1 of 2 days, the other day
 * lacking cost. The message says what ROI was judged over (en and fr), shows
 * the complete day's figures, and the payload carries pairs and gaps.
 */
static struct notice *
coverage_notice(const char *lang)
{
	struct notice		*n;
	struct notice_event	 e;
	struct kpi_pair_sums	*cr;

	n = notice_new("acme", "ACME", "USD", lang, "UTC", NOW);
	memset(&e, 0, sizeof e);
	snprintf(e.campaign, sizeof e.campaign, "D");
	snprintf(e.channel, sizeof e.channel, "search");
	e.kind = ALERT_ROI_LOW;
	e.action = RULE_FIRE;
	e.totals.cost = 1000 * 1000000LL;
	e.totals.revenue = 5500 * 1000000LL;
	e.totals.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	e.totals.samples = 2;
	e.totals.days = 2;
	e.totals.first_day = metric_days_from_civil(2026, 12, 1);
	e.totals.last_day = metric_days_from_civil(2026, 12, 2);
	cr = &e.totals.pair[KPI_PAIR_COST_REVENUE];
	cr->a = 1000 * 1000000LL;
	cr->b = 500 * 1000000LL;
	cr->samples = 1;
	cr->days = 1;
	e.gaps.n = 1;
	e.gaps.total = 1;
	e.gaps.gap[0].day = e.totals.last_day;
	e.gaps.gap[0].lacks = MF_BIT(MF_COST);
	e.min_roi_ppm = 0;
	notice_add_event(n, &e);
	return (n);
}

static void
test_coverage_text(void **state)
{
	struct notice	*n, *m;
	char		*body, *json, *hook, *cause = NULL;
	cJSON		*root, *ev;

	(void)state;
	n = coverage_notice("en");
	body = notice_body_text(n);
	assert_contains(body, "-50.00% (-0.50 per 1 spent)");
	assert_contains(body, "Judged over:        1 of 2 days; 2026-12-02 "
	    "lacks cost");
	assert_contains(body, "$1,000.00");
	assert_contains(body, "$500.00");
	assert_contains(body, "-$500.00");
	if (strstr(body, "450") != NULL || strstr(body, "5,500") != NULL)
		fail_msg("incomplete day counted:\n%s", body);
	free(body);

	/* Through the outbox payload and back: same text. */
	json = notice_to_json(n);
	m = notice_from_json(json, &cause);
	assert_non_null(m);
	assert_int_equal(m->events[0].totals.days, 2);
	assert_int_equal(m->events[0].totals.pair[KPI_PAIR_COST_REVENUE].b,
	    500 * 1000000LL);
	assert_int_equal(m->events[0].gaps.n, 1);
	assert_int_equal(m->events[0].gaps.total, 1);
	assert_int_equal(m->events[0].gaps.gap[0].lacks, MF_BIT(MF_COST));
	body = notice_body_text(m);
	assert_contains(body, "1 of 2 days; 2026-12-02 lacks cost");
	free(body);
	notice_free(m);
	free(json);

	hook = notice_render_webhook(n, "k1");
	root = cJSON_Parse(hook);
	ev = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 0);
	assert_float_equal(cJSON_GetObjectItem(ev, "roi_percent")->valuedouble,
	    -50.0, 1e-9);
	assert_string_equal(cJSON_GetObjectItem(ev, "coverage")->valuestring,
	    "1 of 2 days; 2026-12-02 lacks cost");
	assert_int_equal(cJSON_GetObjectItem(ev, "days_complete")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(ev, "days")->valueint, 2);
	cJSON_Delete(root);
	free(hook);
	notice_free(n);

	n = coverage_notice("fr");
	body = notice_body_text(n);
	assert_contains(body, "Jugé sur");
	assert_contains(body, "1 sur 2 jours ; 2026-12-02 sans coût");
	assert_contains(body, "-50,00\xe2\x80\xaf%");
	free(body);
	notice_free(n);
}

/* A payload queued by a version without coverage still renders: its sums
 * were over every sample, read as complete. Malformed pairs are refused. */
static void
test_coverage_old_payload(void **state)
{
	struct notice	*n, *m;
	char		*json, *body, *cause = NULL;
	cJSON		*root, *ev;

	(void)state;
	n = make_notice("en", "ACME");
	json = notice_to_json(n);
	notice_free(n);
	root = cJSON_Parse(json);
	free(json);
	ev = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 0);
	cJSON_DeleteItemFromObject(ev, "pairs");
	cJSON_DeleteItemFromObject(ev, "gaps");
	cJSON_DeleteItemFromObject(ev, "gaps_total");
	cJSON_DeleteItemFromObject(ev, "days");
	json = cJSON_PrintUnformatted(root);
	m = notice_from_json(json, &cause);
	assert_non_null(m);
	body = notice_body_text(m);
	assert_contains(body, "50.00% (0.50 per 1 spent)");
	assert_contains(body, "30 of 30 days");
	free(body);
	notice_free(m);
	free(json);

	ev = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 1);
	cJSON_ReplaceItemInObject(ev, "pairs", cJSON_CreateString("x"));
	json = cJSON_PrintUnformatted(root);
	m = notice_from_json(json, &cause);
	assert_non_null(m);
	assert_int_equal(m->nunreadable, 1);
	assert_contains(m->unreadable_why, "pairs");
	notice_free(m);
	free(json);
	cJSON_Delete(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_test_mark),
		cmocka_unit_test(test_json_invalid),
		cmocka_unit_test(test_json_big_totals),
		cmocka_unit_test(test_text_en),
		cmocka_unit_test(test_text_fr),
		cmocka_unit_test(test_undefined_roi),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_email_injection),
		cmocka_unit_test(test_email_qp),
		cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_coverage_text),
		cmocka_unit_test(test_coverage_old_payload),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
