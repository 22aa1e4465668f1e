/*
 * The evaluation benchmark's driver (scripts/bench-eval.sh), linked with the
 * daemon's own library: the same code the daemon runs, timed without a
 * process start or a configuration load in the measure.
 *   eval_bench CONFIG full      judge every stored campaign (and the
 *                               channel and client subjects that follow) in
 *                               slices of 20 ms, as the daemon does at start;
 *                               prints the seconds it took
 *   eval_bench CONFIG one N     N times: one new sample for a campaign (its
 *                               last day restated), then judge what it
 *                               touched; prints the median and p99 in ms
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "eval.h"
#include "log.h"
#include "metric.h"
#include "store.h"

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct pick {
	char	 client[METRIC_CLIENT_MAX];
	char	 campaign[METRIC_CAMPAIGN_MAX];
	long	 want, seen;
};

static int
pick_cb(const char *client, const char *campaign, void *arg)
{
	struct pick *p = arg;

	if (p->seen++ != p->want)
		return 0;
	snprintf(p->client, sizeof p->client, "%s", client);
	snprintf(p->campaign, sizeof p->campaign, "%s", campaign);
	return 1;
}

int
main(int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	struct eval_queue *q;
	struct store_syncer *syncer;
	struct eval_slice sl;
	struct ingest_subject subj;
	struct metric_row r;
	struct pick p;
	double t0, *lat;
	char *cause = NULL;
	long i, n, ncampaigns = 0;
	int32_t last;
	int64_t input, now = (int64_t)time(NULL);

	if (argc < 3) {
		fprintf(stderr, "usage: eval_bench CONFIG full|one N\n");
		return 2;
	}
	log_init(0, "eval_bench");
	log_set_quiet(1);
	if ((cfg = config_load(argv[1], NULL, &cause)) == NULL ||
	    (st = store_open_dir(cfg->state_dir, &cause)) == NULL) {
		fprintf(stderr, "eval_bench: %s\n", cause);
		return 1;
	}
	store_set_cache_kib(st, 256 * 1024, &cause);
	/* Commits as the daemon makes them: synchronous=NORMAL, the WAL synced
	 * by the syncer thread (an acknowledgement waits for it, judging not). */
	if ((syncer = store_syncer_start(st, &cause)) == NULL) {
		fprintf(stderr, "eval_bench: %s\n", cause);
		return 1;
	}
	if (strcmp(argv[2], "full") == 0) {
		q = eval_queue_new();
		t0 = now_secs();
		eval_queue_sweep(q, EVAL_SWEEP_ALL);
		while (!eval_queue_idle(q))
			if (eval_queue_run(q, st, cfg, now, 20000, &sl,
			    &cause) != 0) {
				fprintf(stderr, "eval_bench: %s\n", cause);
				return 1;
			}
		printf("%.3f\n", now_secs() - t0);
		eval_queue_free(q);
	} else if (strcmp(argv[2], "one") == 0 && argc == 4) {
		n = strtol(argv[3], NULL, 10);
		lat = calloc((size_t)n, sizeof *lat);
		memset(&p, 0, sizeof p);
		p.want = -1;
		store_foreach_campaign(st, NULL, pick_cb, &p, &cause);
		ncampaigns = p.seen;
		for (i = 0; i < n; i++) {
			memset(&p, 0, sizeof p);
			p.want = (i * 7919) % ncampaigns;
			store_foreach_campaign(st, NULL, pick_cb, &p, &cause);
			if (store_last_day(st, p.client, p.campaign, &last,
			    &cause) != 0)
				return 1;
			memset(&r, 0, sizeof r);
			snprintf(r.client, sizeof r.client, "%s", p.client);
			snprintf(r.campaign, sizeof r.campaign, "%s",
			    p.campaign);
			r.day = last;
			r.hour = -1;
			r.cost = 10000000 + i;
			r.revenue = 20000000;
			r.present = MF_REQUIRED | MF_BIT(MF_COST) |
			    MF_BIT(MF_REVENUE);
			if (store_begin(st, &cause) != 0 ||
			    (input = store_input_new(st, "bench", &cause)) < 0 ||
			    store_put_metric_input(st, &r, input, &cause) != 0 ||
			    store_commit(st, &cause) != 0) {
				fprintf(stderr, "eval_bench: %s\n", cause);
				return 1;
			}
			subj.client = p.client;
			subj.campaign = p.campaign;
			t0 = now_secs();
			if (eval_subjects(st, cfg, &subj, 1, now, 20000,
			    &cause) < 0) {
				fprintf(stderr, "eval_bench: %s\n", cause);
				return 1;
			}
			lat[i] = (now_secs() - t0) * 1000.0;
		}
		qsort(lat, (size_t)n, sizeof *lat, cmp_double);
		printf("%.3f %.3f\n", lat[n / 2], lat[n * 99 / 100]);
		free(lat);
	} else {
		fprintf(stderr, "usage: eval_bench CONFIG full|one N\n");
		return 2;
	}
	store_syncer_stop(syncer);
	store_free(st);
	config_free(cfg);
	return 0;
}
