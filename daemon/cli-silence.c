/*
 * roiwatch silence add|list|remove.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "metric.h"
#include "rules.h"
#include "silence.h"
#include "store.h"
#include "utf8.h"

/*
 * Silences (`roiwatch silence add|list|remove`): kept in the store, matched
 * by the daemon before it notifies. Times are read and shown on the
 * client's clock. Exit 2 when the command line is wrong (usage, a value
 * refused), 1 when it cannot be carried out (a client or silence unknown,
 * the database).
 */
#define SILENCE_SHOW_MAX	(4 * SILENCE_REASON_MAX + 8)	/* escaped */

/* Instant t in UTC, "2026-12-05 23:00 UTC" (seconds when not 0). */
static char *
format_utc(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	strftime(buf, len, tt % 60 != 0 ? "%Y-%m-%d %H:%M:%S UTC" :
	    "%Y-%m-%d %H:%M UTC", gmtime_r(&tt, &tm));
	return buf;
}

/* The zone of a silence's client; NULL (UTC) when it is no longer
 * configured. */
static const struct tz *
silence_zone(const struct config *cfg, const char *client)
{
	const struct client_conf *cc = config_client(cfg, client);

	return cc != NULL ? cc->tz : NULL;
}

static int
silence_add(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	struct store *st;
	struct silence sil;
	const char *client = NULL, *campaign = NULL, *rule = NULL;
	const char *until = NULL, *reason = NULL;
	char *cause = NULL, local[SILENCE_LOCAL_MAX], utc[32];
	char show[SILENCE_SHOW_MAX];
	int64_t now = (int64_t)time(NULL), id;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--campaign") == 0 && i + 1 < argc)
			campaign = argv[++i];
		else if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc)
			rule = argv[++i];
		else if (strcmp(argv[i], "--until") == 0 && i + 1 < argc)
			until = argv[++i];
		else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (argv[i][0] != '-' && client == NULL)
			client = argv[i];
		else
			cli_usage();
	}
	if (client == NULL || until == NULL || reason == NULL)
		cli_usage();
	cfg = cli_load_config(cli_config_path);
	if ((cc = config_client(cfg, client)) == NULL) {
		fprintf(stderr, "roiwatch: silence add: no client '%s' in the "
		    "configuration\n", log_escape(client, strlen(client), show,
		    sizeof show));
		config_free(cfg);
		return 1;
	}
	memset(&sil, 0, sizeof sil);
	if ((campaign != NULL && silence_check_campaign(campaign,
	    &cause) != 0) ||
	    (rule != NULL && silence_check_rule(rule, &cause) != 0) ||
	    silence_check_reason(reason, &cause) != 0 ||
	    silence_parse_until(until, cc->tz, now, &sil.until, &cause) != 0) {
		fprintf(stderr, "roiwatch: silence add: %s\n", cause);
		free(cause);
		config_free(cfg);
		return 2;
	}
	snprintf(sil.client, sizeof sil.client, "%s", cc->id);
	snprintf(sil.campaign, sizeof sil.campaign, "%s",
	    campaign != NULL ? campaign : "");
	snprintf(sil.rule, sizeof sil.rule, "%s", rule != NULL ? rule : "");
	snprintf(sil.reason, sizeof sil.reason, "%s", reason);
	st = cli_open_store(cfg);
	if ((id = store_silence_add(st, &sil, now, &cause)) == -1) {
		fprintf(stderr, "roiwatch: silence add: %s\n", cause);
		free(cause);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	printf("silence %lld: %s, ", (long long)id, cc->id);
	if (campaign != NULL)
		printf("campaign \"%s\", ", log_escape(campaign,
		    strlen(campaign), show, sizeof show));
	else
		printf("every campaign, ");
	printf("%s%s, until %s (%s), %s\n", rule != NULL ? "rule " : "",
	    rule != NULL ? rule : "every rule",
	    silence_format_local(cc->tz, sil.until, local, sizeof local),
	    cc->timezone, format_utc(sil.until, utc, sizeof utc));
	if (rule != NULL && rules_kind_lookup(rule) == -1)
		fprintf(stderr, "roiwatch: note: this version has no rule "
		    "\"%s\"; the silence covers it if a later one does\n", rule);
	store_free(st);
	config_free(cfg);
	return 0;
}

enum silence_col {
	SC_ID,
	SC_CLIENT,
	SC_CAMPAIGN,
	SC_RULE,
	SC_UNTIL,
	SC_STATE,
	SC_REASON,
	SC__MAX
};

/* Column c of silence sil, escaped (every text came from a user or from
 * the database file). */
static const char *
silence_cell(const struct config *cfg, const struct silence *sil,
    enum silence_col c, int64_t now, char *buf, size_t len)
{
	const char *s;

	switch (c) {
	case SC_ID:
		snprintf(buf, len, "%lld", (long long)sil->id);
		return buf;
	case SC_CLIENT:
		s = sil->client;
		break;
	case SC_CAMPAIGN:
		s = sil->campaign[0] != '\0' ? sil->campaign : "*";
		break;
	case SC_RULE:
		s = sil->rule[0] != '\0' ? sil->rule : "*";
		break;
	case SC_UNTIL:	/* when it ended, for one that did */
		return silence_format_local(silence_zone(cfg, sil->client),
		    silence_end(sil), buf, len);
	case SC_STATE:
		s = silence_active(sil, now) ? "active" : sil->removed != 0 &&
		    sil->removed < sil->until ? "removed" : "expired";
		break;
	case SC_REASON:
	default:
		s = sil->reason;
		break;
	}
	return log_escape(s, strlen(s), buf, len);
}

static int
silence_list(int argc, char **argv)
{
	static const char *heads[SC__MAX] = { "ID", "CLIENT", "CAMPAIGN",
	    "RULE", "UNTIL", "STATE", "REASON" };
	struct config *cfg;
	struct store *st;
	struct silence *list;
	const char *client = NULL;
	char *cause = NULL, cell[SILENCE_SHOW_MAX];
	int64_t now = (int64_t)time(NULL);
	size_t n, i;
	int all = 0, width[SC__MAX], c, w;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (argv[i][0] != '-' && client == NULL)
			client = argv[i];
		else
			cli_usage();
	}
	cfg = cli_load_config(cli_config_path);
	st = cli_open_store(cfg);
	if (store_silence_list(st, client, all, now, &list, &n,
	    &cause) != 0) {
		fprintf(stderr, "roiwatch: silence list: %s\n", cause);
		free(cause);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	/* Silences of a client removed from the configuration are still
	 * listed; a name matching nothing at all is a mistake. */
	if (n == 0 && client != NULL && config_client(cfg, client) == NULL) {
		fprintf(stderr, "roiwatch: silence list: client '%s' is not "
		    "configured and has no %ssilences\n", log_escape(client,
		    strlen(client), cell, sizeof cell), all ? "" : "active ");
		free(list);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	if (n == 0)
		printf("no %s\n", all ? "silences" : "active silences");
	for (c = 0; c < SC__MAX; c++)
		width[c] = (int)strlen(heads[c]);
	for (i = 0; i < n; i++) {
		for (c = 0; c < SC_REASON; c++) {
			w = (int)utf8_width(silence_cell(cfg, &list[i], c, now,
			    cell, sizeof cell));
			if (w > width[c])
				width[c] = w;
		}
	}
	for (i = 0; n > 0 && i <= n; i++) {
		for (c = 0; c < SC__MAX; c++) {
			if (c == SC_STATE && !all)
				continue;
			if (c == SC_REASON) {
				printf("%s\n", i == 0 ? heads[c] :
				    silence_cell(cfg, &list[i - 1], c, now,
				    cell, sizeof cell));
				continue;
			}
			cli_print_padded(i == 0 ? heads[c] : silence_cell(cfg,
			    &list[i - 1], c, now, cell, sizeof cell), width[c]);
			printf("  ");
		}
	}
	free(list);
	store_free(st);
	config_free(cfg);
	return 0;
}

static int
silence_remove(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct silence sil;
	char *cause = NULL, local[SILENCE_LOCAL_MAX];
	char show[4 * METRIC_CLIENT_MAX + 8];
	int64_t now = (int64_t)time(NULL);
	long long id;
	int found, removed = 0, rc = 1;

	if (argc != 2)
		cli_usage();
	if (cli_parse_int(argv[1], 1, INT64_MAX, &id) != 0) {
		fprintf(stderr, "roiwatch: silence remove: \"%s\" is not a "
		    "silence id (a number, as `silence list` shows)\n",
		    log_escape(argv[1], strlen(argv[1]), show, sizeof show));
		return 2;
	}
	cfg = cli_load_config(cli_config_path);
	st = cli_open_store(cfg);
	/* One that expires between the two calls is "ended already". */
	if ((found = store_silence_get(st, id, &sil, &cause)) == 1 &&
	    (removed = silence_active(&sil, now) ?
	    store_silence_remove(st, id, now, &cause) : 0) == -1)
		found = -1;
	if (found == -1)
		fprintf(stderr, "roiwatch: silence remove: %s\n", cause);
	else if (found == 0)
		fprintf(stderr, "roiwatch: silence remove: no silence %lld\n",
		    id);
	else if (removed == 0)
		fprintf(stderr, "roiwatch: silence remove: silence %lld "
		    "ended already (%s %s)\n", id, sil.removed != 0 &&
		    sil.removed < sil.until ? "removed" : "expired",
		    silence_format_local(silence_zone(cfg, sil.client),
		    silence_end(&sil), local, sizeof local));
	else {
		printf("silence %lld of %s removed (it was to last until %s)\n",
		    id, log_escape(sil.client, strlen(sil.client), show,
		    sizeof show), silence_format_local(silence_zone(cfg,
		    sil.client), sil.until, local, sizeof local));
		rc = 0;
	}
	free(cause);
	store_free(st);
	config_free(cfg);
	return rc;
}

int
cli_silence(int argc, char **argv)
{
	if (argc < 2)
		cli_usage();
	if (strcmp(argv[1], "add") == 0)
		return silence_add(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return silence_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "remove") == 0)
		return silence_remove(argc - 1, argv + 1);
	cli_usage();
}
