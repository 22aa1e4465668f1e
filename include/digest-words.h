/*
 * Inside the digest's text renderers (digest-story.c, digest-text.c,
 * digest-json.c): names made safe for a terminal, and the
 * figures formatted the one way every rendering shows them (measure.h's
 * rounding, money.h's currency, the catalogue's number conventions), so that
 * the narrative, the text and the JSON's display texts say the same thing.
 */
#ifndef ROIWATCH_DIGEST_WORDS_H
#define ROIWATCH_DIGEST_WORDS_H
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "sbuf.h"

#define DW_TEXT_MAX	128	/* a formatted figure */

/* The digest's language ("en" when unset). */
const char *dw_lang(const struct digest *);
/* A name or note as a terminal may show it (log_escape()); caller frees. */
char	*dw_escape(const char *);

/* A ratio as a percent, "238.00%" / "238,00 %"; "undefined" etc. */
char	*dw_percent(const struct digest *, const struct measure_value *,
	    char *buf, size_t len);
/* An exact ppm as a percent value ("150.00%"). */
char	*dw_percent_ppm(const struct digest *, int64_t ppm, char *buf,
	    size_t len);
/* A threshold as configured, without the ROI's ":1" form: "150%". */
char	*dw_threshold(const struct digest *, int64_t ppm, char *buf,
	    size_t len);
/* ROI as profit per 1 spent ("2.38", "-0.40"): its "R:1" form. */
char	*dw_per1(const struct digest *, const struct measure_value *roi,
	    char *buf, size_t len);
/* Exact micros in the digest's currency ("€23,800.00"). */
char	*dw_money(const struct digest *, int64_t micros, char *buf,
	    size_t len);
/* A money value of a measure (exact rounding of an inexact floor). */
char	*dw_money_value(const struct digest *, const struct measure_value *,
	    char *buf, size_t len);
/* A ratio in ppm shown "15.30:1" (CLV:CAC), or "1.29" (pacing) when plain. */
char	*dw_ratio(const struct digest *, const struct measure_value *,
	    int plain, char *buf, size_t len);
/* A count in micros of a unit ("4,200"). */
char	*dw_count(const struct digest *, int64_t micros, char *buf,
	    size_t len);
/* An exact value as a measure_value (defined, exact). */
struct measure_value dw_exact(int64_t);
/* num / den in ppm, floor and inexact (den > 0): a share. */
struct measure_value dw_share(int64_t num, int64_t den);
/* Relative change of cur against prev, "+39.67%"; "–" when undefined. */
char	*dw_change(const struct digest *, int64_t cur, int64_t prev,
	    char *buf, size_t len);
/* Difference of two ROIs in percentage points, "+96.00 pts"; "–". */
char	*dw_change_points(const struct digest *, const struct measure_value *,
	    const struct measure_value *, char *buf, size_t len);
/* Difference of two ROIs per 1 spent, "+0.96"; "–". */
char	*dw_change_per1(const struct digest *, const struct measure_value *,
	    const struct measure_value *, char *buf, size_t len);
/* -1, 0, 1: a against b, both defined, exactly (floor then remainder). */
int	dw_cmp(const struct measure_value *, const struct measure_value *);

/* What is wrong with the data of an issue's subject, in words ("no data
 * since 2026-11-27"), as the HTML and the chat message say it. */
char	*dw_issue_text(const struct digest_issue *, const char *lang,
	    char *buf, size_t len);

#endif
