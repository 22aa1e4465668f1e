/*
 * Inside the notices: what notice.c and notice-rule.c share (growable
 * strings, the plain-text layout, exact integers in JSON). Nothing outside
 * daemon/notice*.c includes this file.
 */
#ifndef ROIWATCH_NOTICE_INTERNAL_H
#define ROIWATCH_NOTICE_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sbuf.h"

#include "notice.h"
#include "notice-doc.h"

__extension__ typedef __int128 notice_i128;

/* Growable string; dies on out-of-memory like the rest of the daemon. */

int	notice_is_fr(const struct notice *);
/* Copy of untrusted text fit for a line: control characters -> spaces. */
char   *notice_clean(const char *);
const char *notice_undefined(int fr);
/* French digits and spacing ("237,86 %"), or the text as is. */
char   *notice_localise(const char *text, int fr, char *buf, size_t len);
/* The same in any language of the catalogue ("fr", "en", ...). */
char   *notice_localise_text(const char *text, const char *lang, char *buf,
	    size_t len);
/* An ROI threshold ("40.00%", "2.5:1") in the notice's language. */
char   *notice_fmt_threshold(int64_t ppm, int fr, char *buf, size_t len);
char   *notice_fmt_threshold_lang(int64_t ppm, const char *lang, char *buf,
	    size_t len);

/* Exact integers: JSON numbers up to 2^53, strings of digits beyond. */
cJSON  *json_int_item(notice_i128);
void	json_int(cJSON *, const char *name, int64_t);
int	json_int_in(const cJSON *, int64_t lo, int64_t hi, int64_t *out);
int	json_get_str(const cJSON *, const char *name, const char **out,
	    char **cause);
int	json_get_int(const cJSON *, const char *name, int64_t *out,
	    char **cause);
int	json_get_name(const cJSON *, const char *name, char *buf, size_t len,
	    char **cause);

/* notice-rule.c: the explanation of a rule's event, in the payload, the
 * plain text and the webhook's JSON. */
void	notice_rule_to_json(cJSON *, const struct notice_rule *);
int	notice_rule_from_json(const cJSON *, struct notice_rule *,
	    char **cause);
/* The event's title ("CPA above 40.00 €") for ALERT_RULE events. */
char   *notice_rule_title(const struct notice *, const struct notice_event *,
	    char *buf, size_t len);
/* The subject, title and severity of a rule's event: the head
 * "2. Campaign "X" (meta): CPA above 40.00 € [critical]". */
void	notice_rule_head(struct ndoc_event *, const struct notice *,
	    const struct notice_event *);
/* The explanation's lines; full: also the KPI, threshold and window (the
 * shorthand rules' own lines say those). */
void	notice_rule_text(struct ndoc_event *, const struct notice *,
	    const struct notice_event *, int full);
void	notice_rule_webhook(cJSON *, const struct notice *,
	    const struct notice_event *);

#endif
