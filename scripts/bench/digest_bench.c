/*
 * The digests benchmark's driver (scripts/bench-digests.sh), linked with the
 * daemon's own library: every client's digest of one period read from the
 * store (digest_load(), its sources' failures) and rendered in every form a
 * receiver or a reader gets -- plain text, HTML e-mail, report page,
 * report.json, the Slack message and the outbox payload -- nothing sent.
 *   digest_bench CONFIG PERIOD
 * prints: clients, seconds in all, per-client median and max in ms, bytes
 * rendered, and the peak RSS in KiB.
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "chat.h"
#include "config.h"
#include "digest.h"
#include "digest-schedule.h"
#include "log.h"
#include "notice-doc.h"
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

static size_t
take(char *s)
{
	size_t n = strlen(s);

	free(s);
	return n;
}

int
main(int argc, char **argv)
{
	const struct chat_format *slack = chat_format_find("slack");
	struct config *cfg;
	struct store *st;
	struct digest *d;
	struct ndoc *doc;
	struct rusage ru;
	cJSON *j;
	char *cause = NULL, **parts;
	double t0, t1, *per;
	size_t i, k, np, bytes = 0;
	int32_t from, to;
	int64_t now = (int64_t)time(NULL);

	if (argc != 3) {
		fprintf(stderr, "usage: digest_bench CONFIG PERIOD\n");
		return 2;
	}
	log_init(0, "digest_bench");
	log_set_quiet(1);
	if ((cfg = config_load(argv[1], NULL, &cause)) == NULL ||
	    (st = store_open_dir(cfg->state_dir, &cause)) == NULL) {
		fprintf(stderr, "digest_bench: %s\n", cause);
		return 1;
	}
	per = calloc(cfg->nclients, sizeof *per);
	t0 = now_secs();
	for (i = 0; i < cfg->nclients; i++) {
		const struct client_conf *cc = &cfg->clients[i];

		t1 = now_secs();
		if (digest_period_parse(argv[2], cc->tz, now, &from, &to,
		    &cause) != 0 ||
		    (d = digest_load(st, cc, from, to, now, &cause)) == NULL ||
		    digest_load_sources(d, st, cfg, &cause) != 0) {
			fprintf(stderr, "digest_bench: %s: %s\n", cc->id, cause);
			return 1;
		}
		bytes += take(digest_text(d));
		bytes += take(digest_html(d, DIGEST_HTML_EMAIL));
		bytes += take(digest_html(d, DIGEST_HTML_PAGE));
		bytes += take(digest_to_payload(d));
		j = digest_json(d);
		bytes += take(cJSON_PrintUnformatted(j));
		cJSON_Delete(j);
		doc = digest_ndoc(d);
		np = chat_render(slack, doc, d->generated, &parts);
		for (k = 0; k < np; k++)
			bytes += strlen(parts[k]);
		chat_parts_free(parts, np);
		ndoc_free(doc);
		digest_free(d);
		per[i] = (now_secs() - t1) * 1000;
	}
	t1 = now_secs() - t0;
	qsort(per, cfg->nclients, sizeof *per, cmp_double);
	getrusage(RUSAGE_SELF, &ru);
	printf("%zu %.3f %.2f %.2f %zu %ld\n", cfg->nclients, t1,
	    per[cfg->nclients / 2], per[cfg->nclients - 1], bytes,
	    ru.ru_maxrss);
	free(per);
	store_free(st);
	config_free(cfg);
	return 0;
}
