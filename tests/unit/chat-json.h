/*
 * Reading a chat message back in the chat renderers' tests: a string
 * member's length in bytes (0 when absent; it must be valid UTF-8), a
 * member that must be there, and a value's length as compact JSON -- what
 * the services' limits are stated in. Header only; include it after
 * cmocka.h.
 */
#ifndef ROIWATCH_TEST_CHAT_JSON_H
#define ROIWATCH_TEST_CHAT_JSON_H
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "utf8.h"

static size_t
slen(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (v == NULL)
		return (0);
	assert_true(cJSON_IsString(v));
	assert_true(utf8_valid(v->valuestring, strlen(v->valuestring)));
	return (strlen(v->valuestring));
}

static const cJSON *
get(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (v == NULL)
		fail_msg("no member \"%s\"", k);
	return (v);
}

static size_t
json_len(const cJSON *o)
{
	char	*s = cJSON_PrintUnformatted(o);
	size_t	 n = strlen(s);

	free(s);
	return (n);
}

#endif
