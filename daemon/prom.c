/*
 * Pieces of the Prometheus text format for /metrics (prom.h).
 */
#include <string.h>

#include <event2/buffer.h>

#include "log.h"
#include "prom.h"

void
prom_label(struct evbuffer *out, const char *s)
{
	size_t	n;

	while (*s != '\0') {
		n = strcspn(s, "\\\"\n");
		evbuffer_add(out, s, n);
		s += n;
		if (*s == '\0')
			break;
		if (*s == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add_printf(out, "\\%c", *s);
		s++;
	}
}

void
prom_hist_init(struct prom_hist *h, const double *bounds, size_t n)
{
	if (n > PROM_HIST_MAX)
		fatalx("%s: %zu buckets", __func__, n);
	memset(h, 0, sizeof *h);
	h->bounds = bounds;
	h->nbounds = n;
}

void
prom_hist_observe(struct prom_hist *h, double v)
{
	size_t	i;

	for (i = 0; i < h->nbounds && v > h->bounds[i]; i++)
		continue;
	h->counts[i]++;
	h->count++;
	h->sum += v;
}

void
prom_hist_print(struct evbuffer *out, const char *name, const char *help,
    const struct prom_hist *h)
{
	uint64_t	cum = 0;
	size_t		i;

	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name,
	    help, name);
	for (i = 0; i < h->nbounds; i++) {
		cum += h->counts[i];
		evbuffer_add_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
		    h->bounds[i], (unsigned long long)cum);
	}
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n"
	    "%s_sum %.6f\n%s_count %llu\n", name,
	    (unsigned long long)h->count, name, h->sum, name,
	    (unsigned long long)h->count);
}
