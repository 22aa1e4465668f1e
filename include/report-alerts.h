/*
 * The alert states of a client as JSON: what GET /v1/clients/{id}/alerts
 * answers and `roiwatch alerts --json` prints, built here once so that the
 * two say the same thing with the same field names.
 *
 * One state: rule, scope, subject (null for the client as a whole), state,
 * since (UTC, ISO 8601), flapping, severity (when its rule is configured),
 * judged, value (an exact integer in the rule's unit, or null when it was
 * not judged) and value_text (the value in the client's format, or why it
 * was not judged), kpi, change and unit (ppm or micros) for a KPI rule, days
 * and days_total, window_from and window_to (local dates, null when open)
 * and window (the range in words).
 */
#ifndef ROIWATCH_REPORT_ALERTS_H
#define ROIWATCH_REPORT_ALERTS_H

#include <cjson/cJSON.h>

struct alert_key;
struct alert_row;
struct client_conf;
struct store;

/* One state as an object; cc NULL for a client no longer configured (its
 * rules unknown: no severity, the value unformatted). */
cJSON	*report_alert_json(const struct client_conf *cc,
	    const struct alert_key *, const struct alert_row *);
/* {"client": id, "alerts": [...]}: the client's states that are not
 * settled (include_ok: every one), read from st; NULL with *cause on a
 * database error. */
cJSON	*report_alerts_json(struct store *st, const struct client_conf *cc,
	    int include_ok, char **cause);

#endif
