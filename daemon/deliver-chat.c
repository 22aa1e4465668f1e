/*
 * Chat receivers (slack, teams, discord, mattermost, googlechat): the
 * notice's document in the service's own format (chat.h), in as many
 * messages as its limits require, each POSTed as JSON to the receiver's
 * incoming webhook in turn. The chat types share their operations: the
 * format is the one named like the receiver's type. The outcome follows
 * the HTTP rules (deliver-http.c); the parts and their resumption are
 * deliver.c's.
 */
#include <curl/curl.h>
#include <stdlib.h>

#include "chat.h"
#include "config.h"
#include "deliver-internal.h"
#include "digest.h"
#include "log.h"
#include "notice.h"
#include "notice-doc.h"
#include "xmalloc.h"

#ifndef ROIWATCH_VERSION
#define ROIWATCH_VERSION "0"
#endif

/* Anything time-like comes from the notice's creation, so that the parts
 * are the same at every retry and after a restart. */
static size_t
receiver_chat_render(const struct notice *n, const struct receiver_conf *r,
    char ***parts)
{
	const struct chat_format	*f;
	struct ndoc			*d;
	size_t				 np;

	if ((f = chat_format_find(config_receiver_type_name(r->type))) == NULL)
		fatalx("%s: no chat format for receiver type %s", __func__,
		    config_receiver_type_name(r->type));
	d = notice_doc(n);
	np = chat_render(f, d, n->created, parts);
	ndoc_free(d);
	return (np);
}

/* A digest condensed to its key figures (digest_ndoc()); time-like from
 * its generation, as a notice's from its creation. */
static size_t
receiver_chat_digest(const struct digest *dg, const struct receiver_conf *r,
    const char *key, char ***parts)
{
	const struct chat_format	*f;
	struct ndoc			*d;
	size_t				 np;

	(void)key;
	if ((f = chat_format_find(config_receiver_type_name(r->type))) == NULL)
		fatalx("%s: no chat format for receiver type %s", __func__,
		    config_receiver_type_name(r->type));
	d = digest_ndoc(dg);
	np = chat_render(f, d, dg->generated, parts);
	ndoc_free(d);
	return (np);
}

static int
receiver_chat_send(struct deliver_job *job, const struct receiver_conf *r,
    const struct config *cfg, CURL **easyp, char **cause)
{
	if (r->url == NULL) {
		*cause = xstrdup("no url configured");
		return (-1);
	}
	deliver_http_add_header(&job->headers,
	    "Content-Type: application/json; charset=utf-8");
	deliver_http_add_header(&job->headers, "User-Agent: roiwatch/%s",
	    ROIWATCH_VERSION);
	deliver_http_add_header(&job->headers, "Expect:");
	*easyp = deliver_http_easy(job, r, cfg);
	return (0);
}

#define RECEIVER_CHAT(n, t)						\
const struct receiver_ops receiver_##n##_ops = {			\
	.name = #n,							\
	.type = t,							\
	.render_parts = receiver_chat_render,				\
	.render_digest = receiver_chat_digest,				\
	.send = receiver_chat_send,					\
	.classify = deliver_http_classify,				\
}
RECEIVER_CHAT(slack, RECEIVER_SLACK);
RECEIVER_CHAT(teams, RECEIVER_TEAMS);
RECEIVER_CHAT(discord, RECEIVER_DISCORD);
RECEIVER_CHAT(mattermost, RECEIVER_MATTERMOST);
RECEIVER_CHAT(googlechat, RECEIVER_GOOGLECHAT);
