/*
 * roiwatch test-notify CLIENT [RECEIVER]: an example notice (the worked
 * case: revenue 87 000 on a cost of 25 750, ROI 237.86 %) marked as a test,
 * sent at once to one receiver or to every receiver of the client in turn,
 * through each type's own operations (deliver-probe.h) but outside the
 * outbox: nothing is stored or retried. One line per receiver on stdout
 * says what happened; each failure is repeated on stderr, and the exit code
 * is 1 when any failed.
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
#include "deliver-probe.h"
#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "money.h"
#include "notice.h"
#include "rules.h"

/* The example notice for client cc at `now` (caller frees). */
static struct notice *
test_notice(const struct client_conf *cc, int64_t now)
{
	struct notice *n;
	struct notice_event ev;

	memset(&ev, 0, sizeof ev);
	snprintf(ev.campaign, sizeof ev.campaign, "roiwatch test-notify");
	snprintf(ev.channel, sizeof ev.channel, "test");
	ev.kind = ALERT_ROI_TARGET;
	ev.action = RULE_GOOD;
	ev.totals.cost = 25750 * MICROS_PER_UNIT;
	ev.totals.revenue = 87000 * MICROS_PER_UNIT;
	ev.totals.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	ev.totals.samples = 1;
	ev.totals.first_day = ev.totals.last_day = (int32_t)(now / 86400);
	kpi_totals_assume_complete(&ev.totals);
	ev.window_days = cc->window_days;
	ev.min_roi_ppm = cc->rules.min_roi_ppm;
	ev.target_roi_ppm = cc->rules.target_roi_ppm;
	ev.has_target = cc->rules.has_target;
	ev.min_spend = cc->rules.min_spend;
	n = notice_new(cc->id, cc->name, cc->currency, cc->language,
	    cc->timezone, now);
	n->test = 1;
	notice_add_event(n, &ev);
	return n;
}

int
cli_test_notify(int argc, char **argv)
{
	struct config *cfg;
	const struct client_conf *cc;
	const struct receiver_conf *r = NULL;
	struct event_base *base;
	struct curl_loop *cl;
	struct notice *n;
	struct deliver_probe p;
	char line[1024], esc[256], why[600];
	size_t i, failed = 0, tried = 0;

	if (argc < 2 || argc > 3 || argv[1][0] == '-' ||
	    (argc == 3 && argv[2][0] == '-'))
		cli_usage();
	cfg = cli_load_config(cli_config_path);
	if ((cc = config_client(cfg, argv[1])) == NULL) {
		fprintf(stderr, "roiwatch: test-notify: client '%s' is not "
		    "configured\n", log_escape(argv[1], strlen(argv[1]), esc,
		    sizeof esc));
		config_free(cfg);
		return 1;
	}
	if (argc == 3 && (r = config_receiver(cc, argv[2])) == NULL) {
		fprintf(stderr, "roiwatch: test-notify: receiver '%s' is not "
		    "configured for client %s\n", log_escape(argv[2],
		    strlen(argv[2]), esc, sizeof esc), cc->id);
		config_free(cfg);
		return 1;
	}
	if (cc->nreceivers == 0) {
		fprintf(stderr, "roiwatch: test-notify: client %s has no "
		    "receivers\n", cc->id);
		config_free(cfg);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "roiwatch: curl_global_init failed\n");
		config_free(cfg);
		return 1;
	}
	if ((base = event_base_new()) == NULL ||
	    (cl = curl_loop_new(base)) == NULL) {
		fprintf(stderr, "roiwatch: cannot start the event loop\n");
		config_free(cfg);
		return 1;
	}
	n = test_notice(cc, (int64_t)time(NULL));
	for (i = 0; i < cc->nreceivers; i++) {
		if (r != NULL && &cc->receivers[i] != r)
			continue;
		tried++;
		if (deliver_probe(base, cl, cfg, cc, &cc->receivers[i], n,
		    &p) != 0)
			failed++;
		printf("%s\n", deliver_probe_format(&p, line, sizeof line));
		fflush(stdout);
		if (p.outcome == PROBE_DELIVERED)
			continue;
		/* Why, once more, where errors go. */
		if (p.reason[0] != '\0')
			log_escape(p.reason, strlen(p.reason), why, sizeof why);
		else
			snprintf(why, sizeof why, "%s",
			    deliver_probe_outcome_name(p.outcome));
		fprintf(stderr, "roiwatch: test notice to %s/%s failed (%s): "
		    "%s\n", cc->id, log_escape(p.receiver, strlen(p.receiver),
		    esc, sizeof esc), deliver_probe_outcome_name(p.outcome),
		    why);
	}
	if (tried > 1)
		printf("%zu of %zu receiver(s) of %s took the test notice\n",
		    tried - failed, tried, cc->id);
	notice_free(n);
	curl_loop_free(cl);	/* frees a transfer left unanswered */
	event_base_free(base);
	config_free(cfg);
	curl_global_cleanup();
	return failed > 0 ? 1 : 0;
}
