/*
 * A digest in the outbox (digest.h: digest_to_payload, digest_from_payload):
 * the whole struct digest as JSON, so that each receiver renders it when it
 * is sent -- with its item's idempotency key and the time of sending -- as
 * a notice's payload is. Rendering is deterministic, so a retry of a chat
 * digest split into parts resumes at the first part not delivered.
 *
 * The layout of each struct is a table of its fields (name, type, offset):
 * one table serves both directions, so a field added to digest.h is one row
 * here. Integers are exact (json_int: numbers up to 2^53, digit strings
 * beyond). Reading checks every field's type and range and names the first
 * one wrong; a payload that does not read is dead in the outbox.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "digest.h"
#include "log.h"
#include "notice-internal.h"
#include "xmalloc.h"

#define DIGEST_PAYLOAD_KIND	"digest"

enum dp_type {
	DP_I64,
	DP_I32,
	DP_INT,		/* int, enum: 0..INT32_MAX */
	DP_STR,		/* char *, never NULL once read */
	DP_MV,		/* struct measure_value */
	DP_FIG,		/* struct digest_figures */
	DP_END
};

struct dp_field {
	const char	*name;
	enum dp_type	 type;
	size_t		 off;
};

#define F(s, n, t)	{ #n, t, offsetof(s, n) }

static const struct dp_field dp_clv[] = {
	F(struct measure_clv, has, DP_INT),
	F(struct measure_clv, monthly_transactions, DP_I64),
	F(struct measure_clv, order_value, DP_I64),
	F(struct measure_clv, margin_ppm, DP_I64),
	F(struct measure_clv, lifetime_months, DP_I64),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_mv[] = {
	F(struct measure_value, defined, DP_INT),
	F(struct measure_value, why, DP_INT),
	F(struct measure_value, floor, DP_I64),
	F(struct measure_value, inexact, DP_INT),
	F(struct measure_value, days, DP_I64),
	F(struct measure_value, days_total, DP_I64),
	F(struct measure_value, num, DP_I64),
	F(struct measure_value, den, DP_I64),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_fig[] = {
	F(struct digest_figures, has, DP_INT),
	F(struct digest_figures, spend, DP_I64),
	F(struct digest_figures, revenue, DP_I64),
	F(struct digest_figures, profit, DP_I64),
	F(struct digest_figures, conversions, DP_I64),
	F(struct digest_figures, roi, DP_MV),
	F(struct digest_figures, roas, DP_MV),
	F(struct digest_figures, cpa, DP_MV),
	F(struct digest_figures, days, DP_I64),
	F(struct digest_figures, days_complete, DP_I64),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_row[] = {
	F(struct digest_row, name, DP_STR),
	F(struct digest_row, channel, DP_STR),
	F(struct digest_row, cur, DP_FIG),
	F(struct digest_row, prev, DP_FIG),
	F(struct digest_row, clv, DP_MV),
	F(struct digest_row, clv_cac, DP_MV),
	F(struct digest_row, state, DP_INT),
	F(struct digest_row, alerts, DP_STR),
	F(struct digest_row, last_day, DP_I32),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_day[] = {
	F(struct digest_day, day, DP_I32),
	F(struct digest_day, has, DP_INT),
	F(struct digest_day, spend, DP_I64),
	F(struct digest_day, revenue, DP_I64),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_budget[] = {
	F(struct digest_budget, rule, DP_STR),
	F(struct digest_budget, subject, DP_STR),
	F(struct digest_budget, budget, DP_I64),
	F(struct digest_budget, spent, DP_I64),
	F(struct digest_budget, from, DP_I32),
	F(struct digest_budget, to, DP_I32),
	F(struct digest_budget, running, DP_INT),
	F(struct digest_budget, used_ppm, DP_I64),
	F(struct digest_budget, pacing_ppm, DP_I64),
	F(struct digest_budget, projected, DP_I64),
	F(struct digest_budget, runout_day, DP_I32),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_custom[] = {
	F(struct digest_custom, name, DP_STR),
	F(struct digest_custom, cur, DP_I64),
	F(struct digest_custom, prev, DP_I64),
	F(struct digest_custom, cur_days, DP_I64),
	F(struct digest_custom, prev_days, DP_I64),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_alert[] = {
	F(struct digest_alert, at, DP_I64),
	F(struct digest_alert, fired, DP_INT),
	F(struct digest_alert, rule, DP_STR),
	F(struct digest_alert, scope, DP_INT),
	F(struct digest_alert, subject, DP_STR),
	F(struct digest_alert, severity, DP_INT),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_note[] = {
	F(struct digest_note, id, DP_I64),
	F(struct digest_note, day, DP_I32),
	F(struct digest_note, campaign, DP_STR),
	F(struct digest_note, channel, DP_STR),
	F(struct digest_note, text, DP_STR),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_issue[] = {
	F(struct digest_issue, kind, DP_INT),
	F(struct digest_issue, subject, DP_STR),
	F(struct digest_issue, days, DP_I64),
	F(struct digest_issue, days_total, DP_I64),
	F(struct digest_issue, last_day, DP_I32),
	F(struct digest_issue, detail, DP_STR),
	{ NULL, DP_END, 0 }
};

static const struct dp_field dp_digest[] = {
	F(struct digest, client_id, DP_STR),
	F(struct digest, client_name, DP_STR),
	F(struct digest, currency, DP_STR),
	F(struct digest, language, DP_STR),
	F(struct digest, timezone, DP_STR),
	F(struct digest, schedule, DP_STR),
	F(struct digest, generated, DP_I64),
	F(struct digest, late, DP_INT),
	F(struct digest, from_day, DP_I32),
	F(struct digest, to_day, DP_I32),
	F(struct digest, prev_from, DP_I32),
	F(struct digest, prev_to, DP_I32),
	F(struct digest, has_min, DP_INT),
	F(struct digest, has_target, DP_INT),
	F(struct digest, min_roi_ppm, DP_I64),
	F(struct digest, target_roi_ppm, DP_I64),
	F(struct digest, total, DP_FIG),
	F(struct digest, prev_total, DP_FIG),
	F(struct digest, last_day, DP_I32),
	{ NULL, DP_END, 0 }
};

/* The arrays of struct digest: pointer, count, element size and layout. */
struct dp_array {
	const char		*name;
	size_t			 ptr, count, size;
	const struct dp_field	*fields;
};
#define A(n, c, t, f)	{ #n, offsetof(struct digest, n),		\
	offsetof(struct digest, c), sizeof(t), f }
static const struct dp_array dp_arrays[] = {
	A(channels, nchannels, struct digest_row, dp_row),
	A(campaigns, ncampaigns, struct digest_row, dp_row),
	A(days, ndays, struct digest_day, dp_day),
	A(prev_days, nprev_days, struct digest_day, dp_day),
	A(budgets, nbudgets, struct digest_budget, dp_budget),
	A(customs, ncustoms, struct digest_custom, dp_custom),
	A(alerts, nalerts, struct digest_alert, dp_alert),
	A(notes, nnotes, struct digest_note, dp_note),
	A(issues, nissues, struct digest_issue, dp_issue),
};
#define DP_NARRAYS	(sizeof dp_arrays / sizeof dp_arrays[0])
/* No period is longer than this, no list of a client longer than that. */
#define DP_ARRAY_MAX	1000000

static cJSON *
dp_write(const void *base, const struct dp_field *f)
{
	cJSON		*o = cJSON_CreateObject();
	const char	*p;
	char *const	*s;

	for (; f->name != NULL; f++) {
		p = (const char *)base + f->off;
		switch (f->type) {
		case DP_I64:
			json_int(o, f->name, *(const int64_t *)p);
			break;
		case DP_I32:
			json_int(o, f->name, *(const int32_t *)p);
			break;
		case DP_INT:
			json_int(o, f->name, *(const int *)p);
			break;
		case DP_STR:
			s = (char *const *)p;
			cJSON_AddStringToObject(o, f->name,
			    *s != NULL ? *s : "");
			break;
		case DP_MV:
			cJSON_AddItemToObject(o, f->name, dp_write(p, dp_mv));
			cJSON_AddItemToObject(cJSON_GetObjectItem(o, f->name),
			    "clv", dp_write(&((const struct measure_value *)
			    p)->clv, dp_clv));
			break;
		case DP_FIG:
			cJSON_AddItemToObject(o, f->name, dp_write(p, dp_fig));
			break;
		case DP_END:
			break;
		}
	}
	return (o);
}

char *
digest_to_payload(const struct digest *d)
{
	cJSON		*o, *a;
	const char	*p;
	size_t		 i, j, n;
	char		*s;

	o = dp_write(d, dp_digest);
	cJSON_AddStringToObject(o, "kind", DIGEST_PAYLOAD_KIND);
	for (i = 0; i < DP_NARRAYS; i++) {
		a = cJSON_AddArrayToObject(o, dp_arrays[i].name);
		p = *(const char *const *)((const char *)d + dp_arrays[i].ptr);
		n = *(const size_t *)((const char *)d + dp_arrays[i].count);
		for (j = 0; j < n; j++)
			cJSON_AddItemToArray(a, dp_write(p + j *
			    dp_arrays[i].size, dp_arrays[i].fields));
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatalx("%s: out of memory", __func__);
	return (s);
}

/* Read fields into base (zeroed by the caller); -1 with *cause naming the
 * path of the field ("campaigns[3].cur.roi.floor"). */
static int
dp_read(const cJSON *o, void *base, const struct dp_field *f,
    const char *path, char **cause)
{
	const cJSON	*v;
	char		*p, *sub;
	int64_t		 x;
	int		 rc;

	if (!cJSON_IsObject(o)) {
		xasprintf(cause, "%s: not an object", path);
		return (-1);
	}
	for (; f->name != NULL; f++) {
		p = (char *)base + f->off;
		v = cJSON_GetObjectItemCaseSensitive(o, f->name);
		switch (f->type) {
		case DP_I64:
		case DP_I32:
		case DP_INT:
			if (json_int_in(v, f->type == DP_I64 ? INT64_MIN :
			    f->type == DP_I32 ? INT32_MIN : 0,
			    f->type == DP_I64 ? INT64_MAX : INT32_MAX,
			    &x) != 0) {
				xasprintf(cause, "%s.%s: missing or not an "
				    "integer in range", path, f->name);
				return (-1);
			}
			if (f->type == DP_I64)
				*(int64_t *)p = x;
			else if (f->type == DP_I32)
				*(int32_t *)p = (int32_t)x;
			else
				*(int *)p = (int)x;
			break;
		case DP_STR:
			if (!cJSON_IsString(v) || v->valuestring == NULL) {
				xasprintf(cause, "%s.%s: missing or not a "
				    "string", path, f->name);
				return (-1);
			}
			*(char **)p = xstrdup(v->valuestring);
			break;
		case DP_MV:
		case DP_FIG:
			xasprintf(&sub, "%s.%s", path, f->name);
			rc = dp_read(v, p, f->type == DP_MV ? dp_mv : dp_fig,
			    sub, cause);
			if (rc == 0 && f->type == DP_MV)
				rc = dp_read(cJSON_GetObjectItemCaseSensitive(v,
				    "clv"), &((struct measure_value *)p)->clv,
				    dp_clv, sub, cause);
			free(sub);
			if (rc != 0)
				return (-1);
			break;
		case DP_END:
			break;
		}
	}
	return (0);
}

int
digest_payload_is(const char *json)
{
	cJSON		*o;
	const cJSON	*k;
	int		 is;

	/* Cheap first: a notice's payload never names this kind. */
	if (json == NULL || strstr(json, "\"kind\":\"" DIGEST_PAYLOAD_KIND
	    "\"") == NULL)
		return (0);
	if ((o = cJSON_Parse(json)) == NULL)
		return (0);
	k = cJSON_GetObjectItemCaseSensitive(o, "kind");
	is = cJSON_IsString(k) && strcmp(k->valuestring,
	    DIGEST_PAYLOAD_KIND) == 0;
	cJSON_Delete(o);
	return (is);
}

struct digest *
digest_from_payload(const char *json, char **cause)
{
	struct digest	*d;
	cJSON		*o;
	const cJSON	*a, *e;
	char		*path, **ptr;
	size_t		 i, j, n, *count;
	int		 rc;

	if ((o = cJSON_Parse(json)) == NULL) {
		xasprintf(cause, "digest payload: not JSON");
		return (NULL);
	}
	d = xcalloc(1, sizeof *d);
	if (dp_read(o, d, dp_digest, "digest", cause) != 0)
		goto fail;
	for (i = 0; i < DP_NARRAYS; i++) {
		a = cJSON_GetObjectItemCaseSensitive(o, dp_arrays[i].name);
		if (!cJSON_IsArray(a) ||
		    (n = (size_t)cJSON_GetArraySize(a)) > DP_ARRAY_MAX) {
			xasprintf(cause, "digest.%s: missing, not an array or "
			    "too long", dp_arrays[i].name);
			goto fail;
		}
		ptr = (char **)((char *)d + dp_arrays[i].ptr);
		count = (size_t *)((char *)d + dp_arrays[i].count);
		*ptr = n > 0 ? xcalloc(n, dp_arrays[i].size) : NULL;
		j = 0;
		cJSON_ArrayForEach(e, a) {
			/* Counted as read so far: digest_free() frees the
			 * strings of the elements read, even a partial one. */
			*count = j + 1;
			xasprintf(&path, "digest.%s[%zu]", dp_arrays[i].name,
			    j);
			rc = dp_read(e, *ptr + j * dp_arrays[i].size,
			    dp_arrays[i].fields, path, cause);
			free(path);
			if (rc != 0)
				goto fail;
			j++;
		}
	}
	cJSON_Delete(o);
	return (d);
fail:
	cJSON_Delete(o);
	digest_free(d);
	return (NULL);
}
