/*
 * roiwatch outbox list|show|retry|drop: the operator's hands on the
 * notification outbox, in the same database as the running daemon.
 *
 * What the daemon may be sending is never touched: it only starts items that
 * are due (next_at <= now), so a dead item, or a retrying one waiting for a
 * later next_at, is not in flight; retry and drop act on those alone (drop
 * --force also on a due one, for when no daemon runs). A done item is a
 * record of a delivery: it cannot be retried (that would send it twice) nor
 * dropped (it goes by itself after outbox_retention_days). The store guards
 * every change in SQL too, so a race with the daemon changes nothing.
 *
 * A retried item keeps its attempts, so that counts stay honest; the running
 * daemon re-checks the outbox at least every OUTBOX_PICKUP_SECS (deliver.c's
 * DELIVER_MAX_DELAY), so it is sent within that time without a signal.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "config.h"
#include "digest.h"
#include "digest-schedule.h"
#include "log.h"
#include "outbox-view.h"
#include "store.h"
#include "utf8.h"

#define OUTBOX_PICKUP_SECS	5	/* deliver.c: DELIVER_MAX_DELAY */
#define OUTBOX_LIST_DEFAULT	100	/* items `outbox list` shows */
#define OUTBOX_LIST_MAX		1000000
#define OUTBOX_CELL_MAX		1024

/* "acme/hook", escaped. */
static const char *
outbox_who(const struct outbox_item *it, char *buf, size_t len)
{
	char	c[4 * 64 + 8], r[4 * 64 + 8];

	snprintf(buf, len, "%s/%s", log_escape(it->client != NULL ? it->client :
	    "", it->client != NULL ? strlen(it->client) : 0, c, sizeof c),
	    log_escape(it->receiver != NULL ? it->receiver : "",
	    it->receiver != NULL ? strlen(it->receiver) : 0, r, sizeof r));
	return buf;
}

/* An id on the command line: 1 and up. -1 (and a message) otherwise. */
static int64_t
outbox_parse_id(const char *cmd, const char *s)
{
	char		 esc[64];
	long long	 id;

	if (cli_parse_int(s, 1, INT64_MAX, &id) != 0) {
		fprintf(stderr, "roiwatch: outbox %s: \"%s\" is not an outbox "
		    "item id (a number, as `outbox list` shows)\n", cmd,
		    log_escape(s, strlen(s), esc, sizeof esc));
		return -1;
	}
	return (int64_t)id;
}

/* Get item id into *it: 0, or 1 with a message (unknown id, database). */
static int
outbox_fetch(struct store *st, const char *cmd, int64_t id,
    struct outbox_item *it)
{
	char	*cause = NULL;
	int	 found;

	if ((found = store_outbox_get(st, id, it, &cause)) == 1)
		return 0;
	if (found == 0)
		fprintf(stderr, "roiwatch: outbox %s: no outbox item %lld "
		    "(never made, dropped, or pruned after "
		    "outbox_retention_days)\n", cmd, (long long)id);
	else
		fprintf(stderr, "roiwatch: outbox %s: %s\n", cmd, cause);
	free(cause);
	return 1;
}

/*
 * `outbox CMD ID [FLAG]` (show, drop): the one option the command takes sets
 * *flagged; the item is read into *it from the store opened into *st (with
 * its configuration in *cfg). 0, or the exit status after a message: 2 for a
 * bad id, 1 for an item that cannot be read (nothing left open).
 */
static int
outbox_open_item(int argc, char **argv, const char *cmd, const char *flag,
    int *flagged, struct config **cfg, struct store **st,
    struct outbox_item *it)
{
	const char	*idtext = NULL;
	int64_t		 id;
	int		 i;

	*flagged = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], flag) == 0)
			*flagged = 1;
		else if (argv[i][0] != '-' && idtext == NULL)
			idtext = argv[i];
		else
			cli_usage();
	}
	if (idtext == NULL)
		cli_usage();
	if ((id = outbox_parse_id(cmd, idtext)) == -1)
		return 2;
	*cfg = cli_load_config(cli_config_path);
	*st = cli_open_store(*cfg);
	if (outbox_fetch(*st, cmd, id, it) != 0) {
		store_free(*st);
		config_free(*cfg);
		return 1;
	}
	return 0;
}

static void
outbox_print_json(cJSON *json)
{
	char	*text;

	if ((text = cJSON_Print(json)) == NULL)
		fatalx("%s: out of memory", __func__);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(json);
}

/* Whether a --client/--receiver filter names something configured. */
static int
outbox_known(const struct config *cfg, const char *client,
    const char *receiver)
{
	const struct client_conf	*cc;
	size_t				 i;

	if (client != NULL) {
		if ((cc = config_client(cfg, client)) == NULL)
			return 0;
		return receiver == NULL || config_receiver(cc, receiver) != NULL;
	}
	for (i = 0; receiver != NULL && i < cfg->nclients; i++)
		if (config_receiver(&cfg->clients[i], receiver) != NULL)
			return 1;
	return receiver == NULL;
}

static int
outbox_list(int argc, char **argv)
{
	struct config		*cfg;
	struct store		*st;
	struct outbox_item	*items;
	const char		*client = NULL, *receiver = NULL;
	const char		*status = NULL;
	char			*cause = NULL, cell[OUTBOX_CELL_MAX];
	char			 esc[256];
	unsigned		 mask = OUTBOX_STATES_OPEN;
	long long		 limit = OUTBOX_LIST_DEFAULT;
	int			 i, n, c, more, json = 0, width[OC__MAX];
	cJSON			*arr;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else if (strcmp(argv[i], "--client") == 0 && i + 1 < argc)
			client = argv[++i];
		else if (strcmp(argv[i], "--receiver") == 0 && i + 1 < argc)
			receiver = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			if (cli_parse_opt_int("outbox list", "--limit",
			    argv[++i], 1, OUTBOX_LIST_MAX, &limit) != 0)
				return 2;
		} else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			cli_usage();
	}
	if (status != NULL && outbox_state_parse(status, &mask, &cause) != 0) {
		fprintf(stderr, "roiwatch: outbox list: %s\n", cause);
		free(cause);
		return 2;
	}
	cfg = cli_load_config(cli_config_path);
	st = cli_open_store(cfg);
	if ((n = store_outbox_list(st, mask, client, receiver, (int)limit,
	    &items, &more, &cause)) == -1) {
		fprintf(stderr, "roiwatch: outbox list: %s\n", cause);
		free(cause);
		store_free(st);
		config_free(cfg);
		return 1;
	}
	/* Items of a client or receiver removed from the configuration are
	 * still shown; a name matching nothing at all is a mistake. */
	if (n == 0 && !outbox_known(cfg, client, receiver)) {
		const char *what = "receiver", *name = receiver;

		if (client != NULL && config_client(cfg, client) == NULL) {
			what = "client";
			name = client;
		}
		fprintf(stderr, "roiwatch: outbox list: %s '%s' is not "
		    "configured and has no items in the outbox\n", what,
		    log_escape(name, strlen(name), esc, sizeof esc));
		store_free(st);
		config_free(cfg);
		return 1;
	}
	if (json) {
		arr = cJSON_CreateArray();
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, outbox_item_json(&items[i],
			    NULL));
		outbox_print_json(arr);
		if (more)
			fprintf(stderr, "roiwatch: outbox list: the %d newest "
			    "shown, older ones left out (--limit)\n", n);
	} else if (n == 0)
		printf("no outbox items (status %s)\n", status != NULL ?
		    log_escape(status, strlen(status), esc, sizeof esc) :
		    "pending, retrying or dead");
	else {
		for (c = 0; c < OC__MAX; c++)
			width[c] = (int)strlen(outbox_col_head(c));
		for (i = 0; i < n; i++) {
			for (c = 0; c < OC_REASON; c++) {
				int w = (int)utf8_width(outbox_cell(&items[i],
				    c, cell, sizeof cell));

				if (w > width[c])
					width[c] = w;
			}
		}
		for (i = -1; i < n; i++) {
			for (c = 0; c < OC__MAX; c++) {
				const char *s = i < 0 ? outbox_col_head(c) :
				    outbox_cell(&items[i], c, cell,
				    sizeof cell);

				if (c == OC_REASON)
					printf("%s\n", s);
				else {
					cli_print_padded(s, width[c]);
					printf("  ");
				}
			}
		}
		if (more)
			printf("(the %d newest shown, older ones left out: "
			    "--limit)\n", n);
	}
	store_outbox_items_free(items, n);
	store_free(st);
	config_free(cfg);
	return 0;
}

/* The receiver's type, or why it has none. */
static const char *
outbox_receiver_type(const struct config *cfg, const struct outbox_item *it)
{
	const struct client_conf	*cc;
	const struct receiver_conf	*r;

	if (it->client == NULL || (cc = config_client(cfg, it->client)) ==
	    NULL)
		return "client no longer configured";
	if (it->receiver == NULL || (r = config_receiver(cc,
	    it->receiver)) == NULL)
		return "receiver no longer configured";
	return config_receiver_type_name(r->type);
}


/*
 * `outbox show` of a digest: which schedule, which period, late or not --
 * what an operator asks of it (its figures: `roiwatch digest --preview`).
 */
static int
outbox_show_digest(struct config *cfg, struct store *st,
    struct outbox_item *it, int json)
{
	struct digest	*d;
	char		*cause = NULL, period[32], cell[OUTBOX_CELL_MAX], t[32];
	cJSON		*o, *g;

	d = digest_from_payload(it->payload, &cause);
	if (d != NULL)
		digest_period_name(d->from_day, d->to_day, period,
		    sizeof period);
	if (json) {
		o = outbox_item_json(it, NULL);
		cJSON_AddStringToObject(o, "receiver_type",
		    outbox_receiver_type(cfg, it));
		if (d == NULL)
			cJSON_AddStringToObject(o, "payload_error", cause);
		else {
			g = cJSON_AddObjectToObject(o, "digest");
			cJSON_AddStringToObject(g, "schedule", d->schedule);
			cJSON_AddStringToObject(g, "period", period);
			cJSON_AddBoolToObject(g, "late", d->late != 0);
		}
		outbox_print_json(o);
	} else {
		printf("outbox item %lld: a digest\n", (long long)it->id);
		printf("  client        %s\n", outbox_cell(it, OC_CLIENT, cell,
		    sizeof cell));
		printf("  receiver      %s (%s)\n", outbox_cell(it, OC_RECEIVER,
		    cell, sizeof cell), outbox_receiver_type(cfg, it));
		printf("  status        %s\n", outbox_state_name(it->state));
		printf("  attempts      %lld\n", (long long)it->attempts);
		printf("  created       %s\n", outbox_format_time(it->created, t,
		    sizeof t));
		if (d == NULL)
			printf("  payload       unreadable: %s\n", cause);
		else
			printf("  digest        %s, %s%s\n", *d->schedule != '\0' ?
			    d->schedule : "sent by hand", period, d->late ?
			    ", late (after downtime)" : "");
	}
	free(cause);
	digest_free(d);
	store_outbox_item_clear(it);
	store_free(st);
	config_free(cfg);
	return (0);
}

static int
outbox_show(int argc, char **argv)
{
	struct config		*cfg;
	struct store		*st;
	struct outbox_item	 it;
	struct outbox_summary	 sum;
	char			*cause = NULL, cell[OUTBOX_CELL_MAX], t[32];
	char			 esc[512];
	int			 json = 0, i, readable;
	size_t			 k;

	if ((i = outbox_open_item(argc, argv, "show", "--json", &json, &cfg,
	    &st, &it)) != 0)
		return i;
	if (it.payload != NULL && digest_payload_is(it.payload))
		return (outbox_show_digest(cfg, st, &it, json));
	readable = outbox_summary_parse(it.payload, &sum, &cause) == 0;
	if (json) {
		cJSON *o = outbox_item_json(&it, readable ? &sum : NULL);

		const char *type = outbox_receiver_type(cfg, &it);

		/* null: no longer configured */
		cJSON_AddItemToObject(o, "receiver_type", strstr(type,
		    "configured") != NULL ? cJSON_CreateNull() :
		    cJSON_CreateString(type));
		if (!readable)
			cJSON_AddStringToObject(o, "payload_error", cause);
		outbox_print_json(o);
	} else {
		printf("outbox item %lld\n", (long long)it.id);
		printf("  client        %s\n", outbox_cell(&it, OC_CLIENT, cell,
		    sizeof cell));
		printf("  receiver      %s (%s)\n", outbox_cell(&it,
		    OC_RECEIVER, cell, sizeof cell), outbox_receiver_type(cfg,
		    &it));
		printf("  status        %s\n", outbox_state_name(it.state));
		printf("  attempts      %lld\n", (long long)it.attempts);
		printf("  created       %s\n", outbox_format_time(it.created, t,
		    sizeof t));
		if (it.state == OUTBOX_DONE || it.state == OUTBOX_DEAD)
			printf("  finished      %s\n", outbox_format_time(
			    it.done_at, t, sizeof t));
		else
			printf("  next attempt  %s\n", outbox_format_time(
			    it.next_at, t, sizeof t));
		printf("  %-13s %s\n", it.state == OUTBOX_DEAD ? "reason" :
		    "last error", outbox_cell(&it, OC_REASON, cell,
		    sizeof cell));
		printf("  idempotency   %s\n", log_escape(it.idem_key != NULL ?
		    it.idem_key : "", it.idem_key != NULL ?
		    strlen(it.idem_key) : 0, esc, sizeof esc));
		if (!readable)
			printf("  payload       unreadable: %s\n", log_escape(
			    cause, strlen(cause), esc, sizeof esc));
		else {
			printf("  payload       %zu event(s)%s", sum.nevents,
			    sum.test ? ", a test notice" : "");
			if (sum.nunreadable > 0)
				printf(", %zu unreadable left out",
				    sum.nunreadable);
			printf("\n  campaigns     ");
			for (k = 0; k < sum.ncampaigns; k++)
				printf("%s\"%s\"", k > 0 ? ", " : "",
				    log_escape(sum.campaigns[k],
				    strlen(sum.campaigns[k]), esc, sizeof esc));
			printf("%s\n  rules         ", sum.ncampaigns == 0 ?
			    "-" : "");
			for (k = 0; k < sum.nrules; k++)
				printf("%s%s", k > 0 ? ", " : "", log_escape(
				    sum.rules[k], strlen(sum.rules[k]), esc,
				    sizeof esc));
			printf("%s\n", sum.nrules == 0 ? "-" : "");
			for (k = 0; k < sum.nevents; k++) {
				printf("    %-8s %-16s %s", sum.events[k].action,
				    log_escape(sum.events[k].rule,
				    strlen(sum.events[k].rule), esc,
				    sizeof esc), sum.events[k].scope);
				if (sum.events[k].subject[0] != '\0')
					printf(" \"%s\"", log_escape(
					    sum.events[k].subject,
					    strlen(sum.events[k].subject), esc,
					    sizeof esc));
				printf("\n");
			}
		}
	}
	if (readable)
		outbox_summary_clear(&sum);
	free(cause);
	store_outbox_item_clear(&it);
	store_free(st);
	config_free(cfg);
	return 0;
}

/*
 * Put one item back to pending, due now, and say what was done: 0 (*changed
 * set when it was put back, not when it was due already), or 1 when it was
 * refused (done) or changed meanwhile.
 */
static int
outbox_requeue_one(const struct config *cfg, struct store *st,
    const struct outbox_item *it, int64_t now, int *changed)
{
	char		*cause = NULL, who[300], cell[OUTBOX_CELL_MAX], t[32];
	const char	*type;
	int		 rc;

	*changed = 0;
	outbox_who(it, who, sizeof who);
	if (it->state == OUTBOX_DONE) {
		fprintf(stderr, "roiwatch: outbox retry: item %lld (%s) was "
		    "delivered at %s: retrying it would send it twice; "
		    "nothing changed\n", (long long)it->id, who,
		    outbox_format_time(it->done_at, t, sizeof t));
		return 1;
	}
	if (it->next_at <= now && it->state != OUTBOX_DEAD) {
		printf("item %lld (%s) is %s and due already (the daemon may "
		    "be sending it now); nothing changed\n", (long long)it->id,
		    who, outbox_state_name(it->state));
		return 0;
	}
	if ((rc = store_outbox_requeue(st, it->id, now, &cause)) != 1) {
		if (rc == -1)
			fprintf(stderr, "roiwatch: outbox retry: %s\n", cause);
		else
			fprintf(stderr, "roiwatch: outbox retry: item %lld "
			    "changed meanwhile (the daemon got to it); nothing "
			    "changed, see `outbox show %lld`\n",
			    (long long)it->id, (long long)it->id);
		free(cause);
		return 1;
	}
	*changed = 1;
	printf("item %lld (%s): %s -> pending, due now; attempts kept at %lld "
	    "(the next is attempt %lld); last %s: %s\n", (long long)it->id,
	    who, outbox_state_name(it->state), (long long)it->attempts,
	    (long long)it->attempts + 1, it->state == OUTBOX_DEAD ? "reason" :
	    "error", outbox_cell(it, OC_REASON, cell, sizeof cell));
	type = outbox_receiver_type(cfg, it);
	if (strstr(type, "no longer configured") != NULL)
		fprintf(stderr, "roiwatch: note: item %lld: %s: the daemon "
		    "will give it up again unless the configuration names it "
		    "again\n", (long long)it->id, type);
	else if (now - it->created > cfg->retry_give_up_secs)
		fprintf(stderr, "roiwatch: note: item %lld is older than "
		    "retry_give_up_secs (%lld s): it gets one more attempt, "
		    "and is dead again if that fails\n", (long long)it->id,
		    (long long)cfg->retry_give_up_secs);
	return 0;
}

static int
outbox_retry(int argc, char **argv)
{
	struct config		*cfg;
	struct store		*st;
	struct outbox_item	 it, *items;
	const char		*client = NULL, *idtext = NULL;
	char			*cause = NULL, esc[256];
	int64_t			 id = 0, now = (int64_t)time(NULL);
	int			 i, n, more, dead = 0, rc = 0, done = 0;
	int			 changed;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dead") == 0)
			dead = 1;
		else if (strcmp(argv[i], "--client") == 0 && i + 1 < argc)
			client = argv[++i];
		else if (argv[i][0] != '-' && idtext == NULL)
			idtext = argv[i];
		else
			cli_usage();
	}
	/* Either one item, or every dead one (of one client). */
	if ((idtext == NULL) == !dead || (client != NULL && !dead))
		cli_usage();
	if (idtext != NULL && (id = outbox_parse_id("retry", idtext)) == -1)
		return 2;
	cfg = cli_load_config(cli_config_path);
	st = cli_open_store(cfg);
	if (!dead) {
		if ((rc = outbox_fetch(st, "retry", id, &it)) == 0) {
			rc = outbox_requeue_one(cfg, st, &it, now, &changed);
			done += changed;
			store_outbox_item_clear(&it);
		}
		goto out;
	}
	if ((n = store_outbox_list(st, OUTBOX_STATE_BIT(OUTBOX_DEAD), client,
	    NULL, INT_MAX - 1, &items, &more, &cause)) == -1) {
		fprintf(stderr, "roiwatch: outbox retry: %s\n", cause);
		free(cause);
		rc = 1;
		goto out;
	}
	if (n == 0 && client != NULL && config_client(cfg, client) == NULL) {
		fprintf(stderr, "roiwatch: outbox retry: client '%s' is not "
		    "configured and has no dead items\n", log_escape(client,
		    strlen(client), esc, sizeof esc));
		rc = 1;
	} else if (n == 0)
		printf("no dead items%s%s\n", client != NULL ? " of client " :
		    "", client != NULL ? client : "");
	for (i = 0; i < n; i++) {
		if (outbox_requeue_one(cfg, st, &items[i], now,
		    &changed) != 0)
			rc = 1;
		done += changed;
	}
	if (n > 0)
		printf("%d dead item(s) put back to pending\n", done);
	store_outbox_items_free(items, n);
out:
	if (done > 0)
		printf("attempts are kept, so counts stay honest; a running "
		    "daemon sends due items within %d s\n", OUTBOX_PICKUP_SECS);
	store_free(st);
	config_free(cfg);
	return rc;
}

static int
outbox_drop(int argc, char **argv)
{
	struct config		*cfg;
	struct store		*st;
	struct outbox_item	 it;
	char			*cause = NULL, who[300], t[32];
	char			 cell[OUTBOX_CELL_MAX];
	int64_t			 id, now = (int64_t)time(NULL);
	int			 i, force = 0, rc = 1, dropped;

	if ((i = outbox_open_item(argc, argv, "drop", "--force", &force, &cfg,
	    &st, &it)) != 0)
		return i;
	id = it.id;
	outbox_who(&it, who, sizeof who);
	if (it.state == OUTBOX_DONE)
		fprintf(stderr, "roiwatch: outbox drop: item %lld (%s) was "
		    "delivered at %s: it is kept as the record of that "
		    "delivery and deleted after outbox_retention_days; nothing "
		    "dropped\n", (long long)id, who,
		    outbox_format_time(it.done_at, t, sizeof t));
	else if (it.state != OUTBOX_DEAD && it.next_at <= now && !force)
		fprintf(stderr, "roiwatch: outbox drop: item %lld (%s) is due "
		    "now, so a running daemon may be sending it at this moment; "
		    "drop it once that attempt has ended (it is then retrying "
		    "or dead), or stop the daemon and use --force; nothing "
		    "dropped\n", (long long)id, who);
	else if ((dropped = store_outbox_drop(st, id, now, force,
	    &cause)) == -1)
		fprintf(stderr, "roiwatch: outbox drop: %s\n", cause);
	else if (dropped == 0)
		fprintf(stderr, "roiwatch: outbox drop: item %lld changed "
		    "meanwhile (the daemon got to it); nothing dropped, see "
		    "`outbox show %lld`\n", (long long)id, (long long)id);
	else {
		printf("dropped item %lld (%s): %s, %lld attempt(s), created "
		    "%s, last %s: %s; it will not be sent\n", (long long)id,
		    who, outbox_state_name(it.state), (long long)it.attempts,
		    outbox_format_time(it.created, t, sizeof t),
		    it.state == OUTBOX_DEAD ? "reason" : "error",
		    outbox_cell(&it, OC_REASON, cell, sizeof cell));
		rc = 0;
	}
	free(cause);
	store_outbox_item_clear(&it);
	store_free(st);
	config_free(cfg);
	return rc;
}

int
cli_outbox(int argc, char **argv)
{
	if (argc < 2)
		cli_usage();
	if (strcmp(argv[1], "list") == 0)
		return outbox_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return outbox_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "retry") == 0)
		return outbox_retry(argc - 1, argv + 1);
	if (strcmp(argv[1], "drop") == 0)
		return outbox_drop(argc - 1, argv + 1);
	cli_usage();
}
