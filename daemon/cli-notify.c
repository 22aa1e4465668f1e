/*
 * roiwatch test-notify: an example notice sent to a receiver at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "cli.h"
#include "config.h"
#include "curl-loop.h"
#include "deliver.h"
#include "kpi.h"
#include "metric.h"
#include "notice.h"
#include "rules.h"
#include "store.h"
#include "xmalloc.h"

struct test_notify {
	struct event_base	*base;
	int			 done;
	char			*error;
};

static void
test_notify_cb(void *arg, const char *error)
{
	struct test_notify *t = arg;

	t->done = 1;
	t->error = error != NULL ? xstrdup(error) : NULL;
	event_base_loopbreak(t->base);
}

/*
 * Send an example notice (the worked case: revenue 87 000 on a cost of
 * 25 750, ROI 237.86 %) marked as a test to one receiver, through the same
 * delivery code as the daemon but outside the outbox: nothing is stored or
 * retried, and the answer is printed at once.
 */
int
cli_test_notify(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	const struct receiver_conf *r;
	struct store *st;
	struct curl_loop *cl;
	struct deliver *d;
	struct notice *n;
	struct notice_event ev;
	struct test_notify t;
	struct timeval limit;
	char *json;
	int rc;

	if (argc != 3)
		cli_usage();
	cfg = cli_load_config(cli_config_path);
	if ((cc = config_client(cfg, argv[1])) == NULL ||
	    (r = config_receiver(cc, argv[2])) == NULL) {
		fprintf(stderr, "roiwatch: %s '%s' is not configured\n",
		    cc == NULL ? "client" : "receiver", cc == NULL ? argv[1] :
		    argv[2]);
		config_free(cfg);
		return 1;
	}
	memset(&ev, 0, sizeof ev);
	snprintf(ev.campaign, sizeof ev.campaign, "roiwatch test-notify");
	snprintf(ev.channel, sizeof ev.channel, "test");
	ev.kind = ALERT_ROI_TARGET;
	ev.action = RULE_GOOD;
	ev.totals.cost = 25750 * MICROS_PER_UNIT;
	ev.totals.revenue = 87000 * MICROS_PER_UNIT;
	ev.totals.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	ev.totals.samples = 1;
	ev.totals.first_day = ev.totals.last_day =
	    (int32_t)(time(NULL) / 86400);
	kpi_totals_assume_complete(&ev.totals);
	ev.window_days = cc->window_days;
	ev.min_roi_ppm = cc->rules.min_roi_ppm;
	ev.target_roi_ppm = cc->rules.target_roi_ppm;
	ev.has_target = cc->rules.has_target;
	ev.min_spend = cc->rules.min_spend;
	n = notice_new(cc->id, cc->name, cc->currency, cc->language,
	    cc->timezone, (int64_t)time(NULL));
	n->test = 1;
	notice_add_event(n, &ev);
	json = notice_to_json(n);
	notice_free(n);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "roiwatch: curl_global_init failed\n");
		return 1;
	}
	st = cli_open_store(cfg);
	memset(&t, 0, sizeof t);
	if ((t.base = event_base_new()) == NULL ||
	    (cl = curl_loop_new(t.base)) == NULL) {
		fprintf(stderr, "roiwatch: cannot start the event loop\n");
		return 1;
	}
	d = deliver_new(t.base, cl, st, cfg);
	deliver_test(d, cc->id, r->name, json, test_notify_cb, &t);
	if (!t.done) {	/* a network receiver: run the loop until it answers */
		limit.tv_sec = (time_t)(r->timeout_secs > 0 ? r->timeout_secs :
		    cfg->delivery_timeout_secs) + 5;
		limit.tv_usec = 0;
		event_base_loopexit(t.base, &limit);
		event_base_dispatch(t.base);
	}
	if (!t.done)
		t.error = xstrdup("no answer in time");
	if (t.error == NULL) {
		printf("test notice sent to %s/%s (%s)\n", cc->id, r->name,
		    config_receiver_type_name(r->type));
		rc = 0;
	} else {
		fprintf(stderr, "roiwatch: test notice to %s/%s failed: %s\n",
		    cc->id, r->name, t.error);
		rc = 1;
	}
	curl_loop_free(cl);
	deliver_free(d);
	event_base_free(t.base);
	store_free(st);
	free(t.error);
	free(json);
	config_free(cfg);
	curl_global_cleanup();
	return rc;
}
