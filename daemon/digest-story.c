/*
 * The narrative of a digest (digest.h): a few sentences in the client's
 * language that tell the period against the one before. Where things stood
 * at the start (the previous period's ROI against the agreed minimum and
 * target), what the agency recorded (its notes, by day), what came of it
 * (ROI then and now, in percent and as profit per 1 spent), who carried it,
 * which budget runs out early, alerts and data problems.
 *
 * Every figure a sentence names is one the digest holds and every rendering
 * shows in the section the sentence's `ref` names, formatted by the same
 * functions (digest-words.c), so the story can be checked against the
 * tables below it. When there is more to tell than DIGEST_STORY_MAX
 * sentences, the least telling go first (alerts, then campaigns, issues,
 * budgets, the channel); the start and the result are always told. Pure.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "digest.h"
#include "digest-words.h"
#include "log.h"
#include "window.h"
#include "xmalloc.h"

/* Notes told one by one; more are counted in one sentence. */
#define STORY_NOTES_MAX	4

/* What may be dropped, least telling first. */
enum story_rank {
	STORY_ALERTS,
	STORY_CAMPAIGNS,
	STORY_ISSUES,
	STORY_BUDGETS,
	STORY_CHANNEL,
	STORY_NOTE,
	STORY_KEEP,	/* the start and the result */
	STORY_RANK_MAX
};

struct story {
	const struct digest	*d;
	const char		*lang;
	struct digest_sentence	 s[DIGEST_STORY_MAX * 4];
	enum story_rank		 rank[DIGEST_STORY_MAX * 4];
	size_t			 n;
};

static void story_add(struct story *, enum story_rank, const char *ref,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
story_add(struct story *st, enum story_rank rank, const char *ref,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (st->n == sizeof st->s / sizeof st->s[0])
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("%s: out of memory", __func__);
	va_end(ap);
	st->s[st->n].text = s;
	st->s[st->n].ref = ref;
	st->rank[st->n] = rank;
	st->n++;
}

/* Where ROI stands against the agreed minimum and target, as a clause. */
enum story_level {
	LEVEL_NONE,		/* no threshold */
	LEVEL_UNDER_MIN,
	LEVEL_ABOVE_MIN,	/* no target */
	LEVEL_BETWEEN,		/* above the minimum, under the target */
	LEVEL_UNDER_TARGET,	/* no minimum */
	LEVEL_TARGET
};

static enum story_level
story_level(const struct digest *d, const struct measure_value *roi)
{
	if (d->has_target && measure_cmp(roi, d->target_roi_ppm) >= 0)
		return (LEVEL_TARGET);
	if (d->has_min && measure_cmp(roi, d->min_roi_ppm) < 0)
		return (LEVEL_UNDER_MIN);
	if (d->has_min)
		return (d->has_target ? LEVEL_BETWEEN : LEVEL_ABOVE_MIN);
	if (d->has_target)
		return (LEVEL_UNDER_TARGET);
	return (LEVEL_NONE);
}

/* 1. Where things stood: the previous period. */
static void
story_start(struct story *st)
{
	const struct digest	*d = st->d;
	const char		*lang = st->lang;
	char			 roi[DW_TEXT_MAX], min[DW_TEXT_MAX];
	char			 tgt[DW_TEXT_MAX];

	if (!d->prev_total.has) {
		story_add(st, STORY_KEEP, "total", "%s", tr(lang,
		    "The previous period has no figures to compare with."));
		return;
	}
	if (!d->prev_total.roi.defined) {
		story_add(st, STORY_KEEP, "total", "%s", tr(lang,
		    "Nothing was spent in the previous period, so its ROI is "
		    "undefined."));
		return;
	}
	dw_percent(d, &d->prev_total.roi, roi, sizeof roi);
	dw_threshold(d, d->min_roi_ppm, min, sizeof min);
	dw_threshold(d, d->target_roi_ppm, tgt, sizeof tgt);
	switch (story_level(d, &d->prev_total.roi)) {
	case LEVEL_UNDER_MIN:
		story_add(st, STORY_KEEP, "total", tr(lang, "At the start of "
		    "the period ROI stood at %s, under the agreed minimum of "
		    "%s."), roi, min);
		break;
	case LEVEL_ABOVE_MIN:
		story_add(st, STORY_KEEP, "total", tr(lang, "At the start of "
		    "the period ROI stood at %s, above the agreed minimum of "
		    "%s."), roi, min);
		break;
	case LEVEL_BETWEEN:
		story_add(st, STORY_KEEP, "total", tr(lang, "At the start of "
		    "the period ROI stood at %s, above the agreed minimum of "
		    "%s but short of the target of %s."), roi, min, tgt);
		break;
	case LEVEL_UNDER_TARGET:
		story_add(st, STORY_KEEP, "total", tr(lang, "At the start of "
		    "the period ROI stood at %s, short of the target of %s."),
		    roi, tgt);
		break;
	case LEVEL_TARGET:
		story_add(st, STORY_KEEP, "total", tr(lang, "At the start of "
		    "the period ROI stood at %s, already at the target of %s."),
		    roi, tgt);
		break;
	default:
		story_add(st, STORY_KEEP, "total", tr(lang, "At the start of "
		    "the period ROI stood at %s."), roi);
		break;
	}
}

/* The note's text without a final full stop: the sentence adds one. */
static char *
story_note_text(const char *text)
{
	char	*s = dw_escape(text);
	size_t	 n = strlen(s);

	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
		s[--n] = '\0';
	return (s);
}

/* 2. What the agency recorded, by day. */
static void
story_notes(struct story *st)
{
	const struct digest	*d = st->d;
	const struct digest_note *no;
	char			 day[32], *text, *about;
	size_t			 i, told;

	told = d->nnotes > STORY_NOTES_MAX ? STORY_NOTES_MAX - 1 : d->nnotes;
	for (i = 0; i < told; i++) {
		no = &d->notes[i];
		window_format_date(no->day, st->lang, day, sizeof day);
		text = story_note_text(no->text);
		about = dw_escape(*no->campaign != '\0' ? no->campaign :
		    no->channel);
		if (*about != '\0')
			/* TRANSLATORS: a note of the agency: its day, its
			 * text, the campaign or channel it is about. */
			story_add(st, STORY_NOTE, "notes", tr(st->lang,
			    "On %s: %s (%s)."), day, text, about);
		else
			story_add(st, STORY_NOTE, "notes", tr(st->lang,
			    "On %s: %s."), day, text);
		free(text);
		free(about);
	}
	if (told < d->nnotes)
		story_add(st, STORY_NOTE, "notes", trn(st->lang,
		    "%zu more note is listed below.",
		    "%zu more notes are listed below.", d->nnotes - told),
		    d->nnotes - told);
}

/* ": every €1.00 spent returned €2.38 of profit" */
static void
story_per1(struct story *st, struct sbuf *b)
{
	const struct digest	*d = st->d;
	struct measure_value	 v = d->total.roi;
	char			 one[DW_TEXT_MAX], per[DW_TEXT_MAX];

	dw_money(d, 1000000, one, sizeof one);
	if (v.floor < 0) {
		/* What was lost: the exact value's magnitude. */
		v.floor = v.inexact ? -v.floor - 1 : -v.floor;
		dw_money_value(d, &v, per, sizeof per);
		sbuf_printf(b, tr(st->lang, ": every %s spent lost %s"), one,
		    per);
	} else {
		dw_money_value(d, &v, per, sizeof per);
		sbuf_printf(b, tr(st->lang, ": every %s spent returned %s of "
		    "profit"), one, per);
	}
}

/* ", reaching the target of 200%" */
static void
story_result_level(struct story *st, struct sbuf *b)
{
	const struct digest	*d = st->d;
	const char		*lang = st->lang;
	char			 min[DW_TEXT_MAX], tgt[DW_TEXT_MAX];

	dw_threshold(d, d->min_roi_ppm, min, sizeof min);
	dw_threshold(d, d->target_roi_ppm, tgt, sizeof tgt);
	switch (story_level(d, &d->total.roi)) {
	case LEVEL_UNDER_MIN:
		sbuf_printf(b, tr(lang, ", under the agreed minimum of %s"),
		    min);
		break;
	case LEVEL_ABOVE_MIN:
		sbuf_printf(b, tr(lang, ", above the agreed minimum of %s"),
		    min);
		break;
	case LEVEL_BETWEEN:
		sbuf_printf(b, tr(lang, ", above the agreed minimum of %s but "
		    "short of the target of %s"), min, tgt);
		break;
	case LEVEL_UNDER_TARGET:
		sbuf_printf(b, tr(lang, ", short of the target of %s"), tgt);
		break;
	case LEVEL_TARGET:
		sbuf_printf(b, tr(lang, ", reaching the target of %s"), tgt);
		break;
	default:
		break;
	}
}

/* 3. What came of it: ROI now against before. */
static void
story_result(struct story *st, int then)
{
	const struct digest	*d = st->d;
	const char		*lang = st->lang;
	const struct measure_value *cur = &d->total.roi, *prev =
				    &d->prev_total.roi;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 a[DW_TEXT_MAX], c[DW_TEXT_MAX], *s;

	if (!d->total.has) {
		story_add(st, STORY_KEEP, "total", "%s", tr(lang,
		    "There are no figures for this period."));
		return;
	}
	if (!cur->defined) {
		story_add(st, STORY_KEEP, "total", "%s", tr(lang,
		    "Nothing was spent in this period, so its ROI is "
		    "undefined."));
		return;
	}
	dw_percent(d, cur, c, sizeof c);
	if (!d->prev_total.has || !prev->defined)
		sbuf_printf(&b, then ? tr(lang, "ROI then came to %s") :
		    tr(lang, "ROI over the period was %s"), c);
	else {
		dw_percent(d, prev, a, sizeof a);
		if (strcmp(a, c) == 0)
			sbuf_printf(&b, then ? tr(lang, "ROI then held at %s") :
			    tr(lang, "ROI held at %s"), c);
		else if (dw_cmp(cur, prev) > 0)
			sbuf_printf(&b, then ? tr(lang, "ROI then rose from %s "
			    "to %s") : tr(lang, "ROI rose from %s to %s"), a,
			    c);
		else
			sbuf_printf(&b, then ? tr(lang, "ROI then fell from %s "
			    "to %s") : tr(lang, "ROI fell from %s to %s"), a,
			    c);
	}
	story_per1(st, &b);
	story_result_level(st, &b);
	sbuf_puts(&b, ".");
	s = sbuf_take(&b);
	story_add(st, STORY_KEEP, "total", "%s", s);
	free(s);
}

/* 4. The channel that brought most revenue, and its share. */
static void
story_channel(struct story *st)
{
	const struct digest	*d = st->d;
	const struct digest_row	*top = NULL;
	struct measure_value	 share;
	char			 pct[DW_TEXT_MAX], *name;
	size_t			 i;

	if (d->nchannels < 2 || !d->total.has || d->total.revenue <= 0)
		return;
	for (i = 0; i < d->nchannels; i++)
		if (d->channels[i].cur.has && (top == NULL ||
		    d->channels[i].cur.revenue > top->cur.revenue))
			top = &d->channels[i];
	if (top == NULL || top->cur.revenue <= 0)
		return;
	share = dw_share(top->cur.revenue, d->total.revenue);
	dw_percent(d, &share, pct, sizeof pct);
	name = dw_escape(top->name);
	story_add(st, STORY_CHANNEL, "channels", tr(st->lang,
	    "The %s channel carried %s of revenue."), name, pct);
	free(name);
}

/* 5. Best and weakest campaign by ROI (the array is best first). */
static void
story_campaigns(struct story *st)
{
	const struct digest	*d = st->d;
	const struct digest_row	*best = NULL, *worst = NULL;
	char			 a[DW_TEXT_MAX], b[DW_TEXT_MAX], *bn, *wn;
	size_t			 i;

	for (i = 0; i < d->ncampaigns; i++) {
		if (!d->campaigns[i].cur.has ||
		    !d->campaigns[i].cur.roi.defined)
			continue;
		if (best == NULL)
			best = &d->campaigns[i];
		worst = &d->campaigns[i];
	}
	if (best == NULL || best == worst)
		return;
	dw_percent(d, &best->cur.roi, a, sizeof a);
	dw_percent(d, &worst->cur.roi, b, sizeof b);
	bn = dw_escape(best->name);
	wn = dw_escape(worst->name);
	story_add(st, STORY_CAMPAIGNS, "campaigns", tr(st->lang,
	    "The best campaign was %s with an ROI of %s, the weakest %s with "
	    "%s."), bn, a, wn, b);
	free(bn);
	free(wn);
}

/* 6. Budgets that run out before their period ends, at this pace. */
static void
story_budgets(struct story *st)
{
	const struct digest	*d = st->d;
	const struct digest_budget *first = NULL, *bu;
	char			 day[32], end[32], amount[DW_TEXT_MAX], *name;
	size_t			 i, n = 0;

	for (i = 0; i < d->nbudgets; i++) {
		bu = &d->budgets[i];
		if (!bu->running || bu->runout_day == INT32_MAX ||
		    bu->runout_day >= bu->to)
			continue;
		if (first == NULL || bu->runout_day < first->runout_day)
			first = bu;
		n++;
	}
	if (first == NULL)
		return;
	window_format_date(first->runout_day, st->lang, day, sizeof day);
	window_format_date(first->to, st->lang, end, sizeof end);
	dw_money(d, first->budget, amount, sizeof amount);
	name = dw_escape(first->rule);
	if (n == 1)
		story_add(st, STORY_BUDGETS, "budgets", tr(st->lang,
		    "At this pace the budget %s (%s) runs out on %s, before "
		    "its period ends on %s."), name, amount, day, end);
	else
		story_add(st, STORY_BUDGETS, "budgets", trn(st->lang,
		    "At this pace %zu budget runs out before its period ends, "
		    "the first (%s) on %s.", "At this pace %zu budgets run out "
		    "before their period ends, the first (%s) on %s.", n), n,
		    name, day);
	free(name);
}

/* 7. Alerts that fired and were resolved during the period. */
static void
story_alerts(struct story *st)
{
	const struct digest	*d = st->d;
	const char		*lang = st->lang;
	char			 f[128], r[128];
	size_t			 i, fired = 0, resolved = 0;

	for (i = 0; i < d->nalerts; i++) {
		if (d->alerts[i].fired)
			fired++;
		else
			resolved++;
	}
	snprintf(f, sizeof f, trn(lang, "%zu alert fired", "%zu alerts fired",
	    fired), fired);
	snprintf(r, sizeof r, trn(lang, "%zu alert was resolved",
	    "%zu alerts were resolved", resolved), resolved);
	if (fired > 0 && resolved > 0)
		story_add(st, STORY_ALERTS, "alerts", tr(lang,
		    "%s and %s during the period."), f, r);
	else if (fired > 0 || resolved > 0)
		story_add(st, STORY_ALERTS, "alerts", tr(lang,
		    "%s during the period."), fired > 0 ? f : r);
}

/* 8. The data problem that matters most: stale first, then gaps. */
static void
story_issues(struct story *st)
{
	const struct digest	*d = st->d;
	const struct digest_issue *is = NULL;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 day[32], *name, *s;
	size_t			 i;
	int			 k;

	for (k = DIGEST_ISSUE_STALE; is == NULL && k >= 0; k--)
		for (i = 0; i < d->nissues && is == NULL; i++)
			if ((int)d->issues[i].kind == k)
				is = &d->issues[i];
	for (i = 0; i < d->nissues && is == NULL; i++)
		if (d->issues[i].kind == DIGEST_ISSUE_SOURCE)
			is = &d->issues[i];
	if (is == NULL)
		return;
	name = dw_escape(is->subject);
	switch (is->kind) {
	case DIGEST_ISSUE_STALE:
		window_format_date(is->last_day, st->lang, day, sizeof day);
		if (*name != '\0')
			sbuf_printf(&b, tr(st->lang, "Figures for %s stop on "
			    "%s"), name, day);
		else
			sbuf_printf(&b, tr(st->lang, "Figures stop on %s"),
			    day);
		break;
	case DIGEST_ISSUE_COVERAGE:
		if (*name != '\0')
			sbuf_printf(&b, tr(st->lang, "Figures for %s are "
			    "complete on %lld of %lld days"), name,
			    (long long)is->days, (long long)is->days_total);
		else
			sbuf_printf(&b, tr(st->lang, "Figures are complete on "
			    "%lld of %lld days"), (long long)is->days,
			    (long long)is->days_total);
		break;
	default:
		sbuf_printf(&b, tr(st->lang, "The source %s is failing"),
		    name);
		break;
	}
	if (d->nissues > 1)
		sbuf_printf(&b, trn(st->lang, " (and %zu more data issue)",
		    " (and %zu more data issues)", d->nissues - 1),
		    d->nissues - 1);
	sbuf_puts(&b, ".");
	s = sbuf_take(&b);
	story_add(st, STORY_ISSUES, "issues", "%s", s);
	free(s);
	free(name);
}

size_t
digest_story(const struct digest *d, struct digest_sentence **out)
{
	struct story	 st;
	size_t		 i, n, keep;
	int		 r;

	memset(&st, 0, sizeof st);
	st.d = d;
	st.lang = dw_lang(d);
	story_start(&st);
	story_notes(&st);
	story_result(&st, d->nnotes > 0);
	if (d->total.has) {
		story_channel(&st);
		story_campaigns(&st);
	}
	story_budgets(&st);
	story_alerts(&st);
	story_issues(&st);

	/* Too many: drop the least telling first, in rank order. */
	for (r = 0; st.n > DIGEST_STORY_MAX && r < STORY_KEEP; r++) {
		for (i = 0, keep = 0; i < st.n; i++) {
			if (st.rank[i] == (enum story_rank)r &&
			    st.n - (i - keep) > DIGEST_STORY_MAX) {
				free(st.s[i].text);
				continue;
			}
			st.s[keep] = st.s[i];
			st.rank[keep] = st.rank[i];
			keep++;
		}
		st.n = keep;
	}
	n = st.n;
	*out = xcalloc(n == 0 ? 1 : n, sizeof **out);
	memcpy(*out, st.s, n * sizeof **out);
	return (n);
}

void
digest_story_free(struct digest_sentence *s, size_t n)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		free(s[i].text);
	free(s);
}
