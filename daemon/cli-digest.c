/*
 * roiwatch digest CLIENT --preview [--period P] [--format F]
 *   the client's digest rendered on stdout, nothing sent or recorded: F is
 *   text (default), html (the e-mail's HTML), page (the report page),
 *   json (report.json), email (the whole message), payload (the outbox's
 *   JSON), or a chat format (slack, teams, ...: each part on a line)
 * roiwatch digest CLIENT --send-now [--period P] [--receiver R]...
 *   the digest put into the outbox for the daemon to send (to R, or to the
 *   receivers of the client's first schedule, or to all its receivers)
 *
 * The period: digest_period_parse()'s forms; by default the latest period
 * of the client's first schedule, or the last 7 days without one. A digest
 * sent by hand is not recorded as a schedule's: the schedule still sends
 * its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "chat.h"
#include "cli.h"
#include "config.h"
#include "digest.h"
#include "digest-run.h"
#include "digest-schedule.h"
#include "log.h"
#include "notice.h"
#include "notice-doc.h"
#include "store.h"
#include "xmalloc.h"

#define DIGEST_CLI_RECEIVERS_MAX	64

/* What --format names, besides the chat formats. */
static const char *const digest_cli_formats[] = {
	"text", "html", "page", "json", "email", "payload"
};
#define DIGEST_CLI_NFORMATS \
	(sizeof digest_cli_formats / sizeof digest_cli_formats[0])

static int
digest_cli_format_ok(const char *f)
{
	size_t	i;

	for (i = 0; i < DIGEST_CLI_NFORMATS; i++)
		if (strcmp(f, digest_cli_formats[i]) == 0)
			return (1);
	return (chat_format_find(f) != NULL);
}

/* The names --format takes, for the shell's completion. */
void
cli_digest_formats(FILE *f)
{
	static const char *const chats[] = { "slack", "teams", "discord",
	    "mattermost", "googlechat" };
	size_t	i;

	for (i = 0; i < DIGEST_CLI_NFORMATS; i++)
		fprintf(f, "%s\n", digest_cli_formats[i]);
	for (i = 0; i < sizeof chats / sizeof chats[0]; i++)
		if (chat_format_find(chats[i]) != NULL)
			fprintf(f, "%s\n", chats[i]);
}

/* The rendering of d in format f (caller frees). */
static char *
digest_cli_render(const struct digest *d, const struct client_conf *cc,
    const struct config *cfg, const char *f)
{
	const struct chat_format	*cf;
	struct notice_mail		 m;
	struct ndoc			*doc;
	cJSON				*j;
	char				**parts, *s, *to;
	size_t				 i, n, len = 0;

	if (strcmp(f, "text") == 0)
		return (digest_text(d));
	if (strcmp(f, "html") == 0)
		return (digest_html(d, DIGEST_HTML_EMAIL));
	if (strcmp(f, "page") == 0)
		return (digest_html(d, DIGEST_HTML_PAGE));
	if (strcmp(f, "payload") == 0)
		return (digest_to_payload(d));
	if (strcmp(f, "json") == 0) {
		j = digest_json(d);
		s = cJSON_Print(j);
		cJSON_Delete(j);
		return (s);
	}
	if (strcmp(f, "email") == 0) {
		memset(&m, 0, sizeof m);
		m.from = cc->email_from != NULL ? cc->email_from :
		    cfg->email_from;
		m.reply_to = cc->reply_to != NULL ? cc->reply_to :
		    cfg->reply_to;
		to = NULL;
		m.to = &to;
		m.nto = 0;
		m.key = "preview";
		m.now = d->generated;
		return (digest_email(d, &m));
	}
	cf = chat_format_find(f);
	doc = digest_ndoc(d);
	n = chat_render(cf, doc, d->generated, &parts);
	ndoc_free(doc);
	for (i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	s = xcalloc(1, len + 1);
	for (i = 0; i < n; i++) {
		strcat(s, parts[i]);
		strcat(s, "\n");
	}
	chat_parts_free(parts, n);
	return (s);
}

int
cli_digest(int argc, char **argv)
{
	struct config		*cfg;
	const struct client_conf *cc;
	const struct digest_conf *dc;
	struct digest_period	 p;
	struct store		*st;
	struct digest		*d;
	const char		*client = NULL, *period = NULL, *format = "text";
	char			*receivers[DIGEST_CLI_RECEIVERS_MAX];
	char			*const *rcv;
	char			*cause = NULL, *out, esc[256], name[32];
	size_t			 nrcv = 0, i;
	int			 preview = 0, send = 0, n, rc = 0;
	int32_t			 from, to;
	int64_t			 now = (int64_t)time(NULL);

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--preview") == 0)
			preview = 1;
		else if (strcmp(argv[i], "--send-now") == 0)
			send = 1;
		else if (strcmp(argv[i], "--period") == 0 &&
		    i + 1 < (size_t)argc)
			period = argv[++i];
		else if (strcmp(argv[i], "--format") == 0 &&
		    i + 1 < (size_t)argc)
			format = argv[++i];
		else if (strcmp(argv[i], "--receiver") == 0 &&
		    i + 1 < (size_t)argc) {
			if (nrcv == DIGEST_CLI_RECEIVERS_MAX) {
				fprintf(stderr, "roiwatch: digest: at most %d "
				    "--receiver\n", DIGEST_CLI_RECEIVERS_MAX);
				return (2);
			}
			receivers[nrcv++] = argv[++i];
		} else if (argv[i][0] == '-' || client != NULL)
			cli_usage();
		else
			client = argv[i];
	}
	if (client == NULL || preview + send != 1 ||
	    (send && strcmp(format, "text") != 0) || (preview && nrcv > 0))
		cli_usage();
	if (!digest_cli_format_ok(format)) {
		fprintf(stderr, "roiwatch: digest: unknown --format \"%s\" "
		    "(text, html, page, json, email, payload, or a chat "
		    "receiver type: slack, teams, discord, mattermost, "
		    "googlechat)\n", log_escape(format, strlen(format), esc,
		    sizeof esc));
		return (2);
	}
	cfg = cli_load_config(cli_config_path);
	if ((cc = config_client(cfg, client)) == NULL) {
		fprintf(stderr, "roiwatch: digest: no client '%s' in the "
		    "configuration\n", log_escape(client, strlen(client), esc,
		    sizeof esc));
		config_free(cfg);
		return (1);
	}
	dc = cc->ndigests > 0 ? &cc->digests[0] : NULL;
	if (period != NULL) {
		if (digest_period_parse(period, cc->tz, now, &from, &to,
		    &cause) != 0) {
			fprintf(stderr, "roiwatch: digest: --period: %s\n",
			    cause);
			free(cause);
			config_free(cfg);
			return (2);
		}
	} else if (dc != NULL) {
		digest_schedule_last(&dc->sched, cc->tz, now, &p);
		from = p.from;
		to = p.to;
	} else if (digest_period_parse("last-7-days", cc->tz, now, &from, &to,
	    &cause) != 0)
		fatalx("digest: %s", cause);
	for (i = 0; i < nrcv; i++) {
		if (config_receiver(cc, receivers[i]) == NULL) {
			fprintf(stderr, "roiwatch: digest: client %s has no "
			    "receiver '%s'\n", cc->id, log_escape(receivers[i],
			    strlen(receivers[i]), esc, sizeof esc));
			config_free(cfg);
			return (1);
		}
	}
	st = cli_open_store(cfg);
	digest_period_name(from, to, name, sizeof name);
	if (preview) {
		if ((d = digest_load(st, cc, from, to, now, &cause)) == NULL ||
		    digest_load_sources(d, st, cfg, &cause) != 0) {
			digest_free(d);
			fprintf(stderr, "roiwatch: digest: %s\n", cause);
			free(cause);
			rc = 1;
		} else {
			out = digest_cli_render(d, cc, cfg, format);
			fputs(out, stdout);
			if (*out != '\0' && out[strlen(out) - 1] != '\n')
				putchar('\n');
			free(out);
			digest_free(d);
		}
		goto out;
	}
	/* --send-now: the receivers named, the first schedule's, or all. */
	if (nrcv > 0)
		rcv = receivers;
	else if (dc != NULL) {
		rcv = dc->receivers;
		nrcv = dc->nreceivers;
	} else {
		for (i = 0; i < cc->nreceivers && i < DIGEST_CLI_RECEIVERS_MAX;
		    i++)
			receivers[i] = cc->receivers[i].name;
		rcv = receivers;
		nrcv = i;
	}
	if (nrcv == 0) {
		fprintf(stderr, "roiwatch: digest: client %s has no receiver\n",
		    cc->id);
		rc = 1;
		goto out;
	}
	if ((n = digest_enqueue(st, cfg, cc, "", rcv, nrcv, from, to, 0, now,
	    &cause)) < 0) {
		fprintf(stderr, "roiwatch: digest: %s\n", cause);
		free(cause);
		rc = 1;
		goto out;
	}
	printf("digest of %s for %s queued for %d receiver(s):", cc->id, name,
	    n);
	for (i = 0; i < nrcv; i++)
		printf(" %s", rcv[i]);
	printf("\n");
out:
	store_free(st);
	config_free(cfg);
	return (rc);
}
