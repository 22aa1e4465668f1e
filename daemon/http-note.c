/*
 * POST /v1/clients/{id}/annotations: a note of what the agency did, from a
 * client's token (its own client alone) or the operator's (any client),
 * http-read.c having checked the token and the client. The body is one
 * JSON object (note.h: date, text, campaign, channel), at most
 * NOTE_BODY_MAX bytes (413 beyond: refused from the head by http-conn.c
 * when announced); anything wrong is answered 400 with {"error", "field"}
 * naming the member. The note is one row: it is written on the loop's
 * store connection, in a transaction of its own, between two group commits
 * of ingest (whose transaction lives only inside its event), and answered
 * 201 {"id": N} once on disk, as ingest's 202s are. A database another
 * process holds locked is answered 503 with Retry-After: the write is not
 * worth making the loop wait.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "http-internal.h"
#include "log.h"
#include "note.h"
#include "store.h"
#include "xmalloc.h"

/* 400 {"error": cause, "field": field} */
static void
http_note_refuse(struct http_server *srv, struct evhttp_request *req,
    int code, const char *field, const char *cause)
{
	cJSON	*obj;

	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "error", cause);
	if (field != NULL)
		cJSON_AddStringToObject(obj, "field", field);
	http_reply_json(srv, req, code, obj);
	cJSON_Delete(obj);
}

/* Write the note: its id, or -1 (*busy: another process holds the lock). */
static int64_t
http_note_write(struct http_server *srv, const struct store_note *n,
    int *busy, char **cause)
{
	int64_t	 id;

	*busy = 0;
	if (store_begin(srv->store, cause) != 0) {
		*busy = store_busy(srv->store);
		return -1;
	}
	if ((id = store_note_add(srv->store, n, cause)) == -1 ||
	    store_commit(srv->store, cause) != 0) {
		*busy = store_busy(srv->store);
		store_rollback(srv->store);
		return -1;
	}
	return id;
}

void
http_note_post(struct http_server *srv, struct evhttp_request *req,
    const struct client_conf *cc, int operator)
{
	struct evkeyvalq *hdrs = evhttp_request_get_input_headers(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct note_input ni;
	struct store_note n;
	const char *ctype, *body;
	char	*field = NULL, *cause = NULL, *author, *answer, day[16];
	int64_t	 now = (int64_t)time(NULL), id;
	size_t	 len = evbuffer_get_length(in);
	int	 busy;

	if (len > NOTE_BODY_MAX) {
		http_note_refuse(srv, req, 413, "body", "request body too "
		    "large for a note");
		return;
	}
	/* JSON, or said nothing (curl -d says form data: refused too). */
	if ((ctype = evhttp_find_header(hdrs, "Content-Type")) != NULL &&
	    strncasecmp(ctype, "application/json", 16) != 0) {
		http_reply_error(srv, req, 415, "Content-Type must be "
		    "application/json");
		return;
	}
	body = len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";
	if (note_input_from_json(body, len, cc->tz, now, &ni, &field,
	    &cause) != 0) {
		http_note_refuse(srv, req, 400, field, cause);
		free(field);
		free(cause);
		return;
	}
	if (operator)
		author = xstrdup("http operator");
	else
		xasprintf(&author, "http client %s", cc->id);
	memset(&n, 0, sizeof n);
	n.client = cc->id;
	n.day = ni.day;
	n.campaign = ni.campaign;
	n.channel = ni.channel;
	n.text = ni.text;
	n.created = now;
	n.author = author;
	if ((id = http_note_write(srv, &n, &busy, &cause)) == -1) {
		log_warnx("http note: client %s: %s", cc->id, cause);
		free(cause);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "1");
		http_reply_error(srv, req, 503, busy ? "database busy, retry "
		    "later" : "the store failed, retry later");
	} else {
		metric_format_date(n.day, day);
		log_info("client %s: note %lld of %s added by %s", cc->id,
		    (long long)id, day, author);
		xasprintf(&answer, "{\"id\":%lld}", (long long)id);
		http_answer_committed(srv, req, 201, answer);
	}
	free(author);
	note_input_clear(&ni);
}
