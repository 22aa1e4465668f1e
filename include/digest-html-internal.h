/*
 * Inside the digest's HTML (digest-html.c, and its charts in
 * digest-chart.c): the sizes and colours, the named styles, the writer's
 * state and the primitives both files write with.
 */
#ifndef ROIWATCH_DIGEST_HTML_INTERNAL_H
#define ROIWATCH_DIGEST_HTML_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "measure.h"
#include "sbuf.h"

struct tz;

#define DH_WIDTH	600	/* the e-mail's width */
#define DH_INNER	552	/* its content, inside 24 px margins */
#define DH_CHART_H	120	/* the daily bars' height */
#define DH_SPARK_H	64
#define DH_BUCKETS_MAX	31	/* bars of the daily chart: longer periods
				   are summed by groups of days */
#define DH_TOP		5	/* campaigns best and worst in the e-mail */
#define DH_SHARES_MAX	6	/* channels in the share bar, then "other" */
#define DH_LIST_MAX	20	/* alerts, issues in the e-mail (the page
				   shows all): a message stays short enough
				   for mail clients that clip long ones */

/* Colours (white text on the tones keeps a 4.5:1 contrast). */
#define C_GOOD		"#1e6b34"
#define C_BAD		"#b3261e"
#define C_WARN		"#8a5300"
#define C_INFO		"#1f5fa8"
#define C_MUTED		"#4a5360"
#define C_TEXT		"#1b1f24"
#define C_LINE		"#d0d5dc"
#define C_SPEND		"#9aa5b1"
#define C_REVENUE	"#1f5fa8"

#define C_OTHER		"#9aa5b1"

/*
 * The named styles: inline in the e-mail, classes of the page's sheet.
 */
enum dh_style {
	S_BODY, S_WRAP, S_HEAD, S_H1, S_SUB, S_NAV, S_LATE, S_STORY, S_STORYP,
	S_LINK, S_SECTION, S_H2, S_H3, S_P, S_NOTE, S_SCROLL, S_TABLE, S_TH,
	S_THN, S_TD, S_TDN, S_TDNAME, S_SMALL, S_LEGEND, S_CHART, S_BARCELL,
	S_AXIS, S_MARK, S_SPARK, S_SHARE, S_BADGE, S_TRACK, S_FOOT,
	S_MAX
};

struct dh {
	struct sbuf		 b;
	const struct digest	*d;
	enum digest_html_kind	 kind;
	const char		*lang;
	struct tz		*tz;
	int32_t			 today;		/* local day of `generated` */
	struct measure_ref	 roi, roas, pct, count, clv, clv_cac, pacing;
	struct digest_sentence	*story;
	size_t			 nstory;
};

/* Text as HTML; raw markup; a style as the kind writes it (inline or a
 * class, plus inline extra); an opening tag with its style; a whole
 * element with escaped text. */
void	dh_text(struct dh *, const char *);
void	dh_puts(struct dh *, const char *);
void	dh_style(struct dh *, enum dh_style, const char *extra);
void	dh_open(struct dh *, const char *tag, enum dh_style,
	    const char *extra);
void	dh_elem(struct dh *, const char *tag, enum dh_style,
	    const char *extra, const char *text);
/* A data table scrolling inside its box on a phone, and its end. */
void	dh_table_open(struct dh *);
void	dh_table_close(struct dh *);
/* Money in the client's currency; a plain value; a date. */
char   *dh_money(const struct dh *, int64_t micros, char *buf, size_t len);
void	dh_value(struct measure_value *, int64_t);
char   *dh_date(const struct dh *, int32_t day, char *buf, size_t len);

/* digest-chart.c: the daily spend and revenue bars (notes marked), the
 * daily ROI sparkline with its table fallback, the revenue share bar. */
void	dh_chart_days(struct dh *);
void	dh_sparkline(struct dh *);
void	dh_shares(struct dh *);
/* A channel's share of the revenue (ppm), and as a percentage. */
int64_t	dh_share(const struct digest *, int64_t revenue);
void	dh_share_text(const struct dh *, int64_t ppm, char *buf, size_t len);

#endif
