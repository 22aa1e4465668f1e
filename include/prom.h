/*
 * Pieces of the Prometheus text format (0.0.4) for /metrics: label values
 * escaped, and histograms of durations. Pure: no clock, no store.
 */
#ifndef ROIWATCH_PROM_H
#define ROIWATCH_PROM_H
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* A label value: backslash, double quote and newline escaped. */
void	prom_label(struct evbuffer *, const char *);

/*
 * A histogram: counts per bucket (upper bounds, ascending, +Inf implied),
 * the sum and the count of the values observed. Printed cumulative, as
 * Prometheus wants.
 */
#define PROM_HIST_MAX	16
struct prom_hist {
	const double	*bounds;
	size_t		 nbounds;		/* <= PROM_HIST_MAX */
	uint64_t	 counts[PROM_HIST_MAX + 1];	/* last: over all */
	uint64_t	 count;
	double		 sum;
};
void	prom_hist_init(struct prom_hist *, const double *bounds, size_t n);
void	prom_hist_observe(struct prom_hist *, double);
/* HELP, TYPE, the _bucket lines, _sum and _count of name. */
void	prom_hist_print(struct evbuffer *, const char *name, const char *help,
	    const struct prom_hist *);

#endif
