/*
 * The digest's model (digest.h): freeing it. Everything that fills it is
 * in digest-load.c; everything that reads it in digest-*.c.
 */
#include <stdlib.h>

#include "digest.h"

static void
digest_rows_free(struct digest_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].channel);
		free(rows[i].alerts);
	}
	free(rows);
}

void
digest_free(struct digest *d)
{
	size_t	i;

	if (d == NULL)
		return;
	free(d->client_id);
	free(d->client_name);
	free(d->currency);
	free(d->language);
	free(d->timezone);
	free(d->schedule);
	digest_rows_free(d->channels, d->nchannels);
	digest_rows_free(d->campaigns, d->ncampaigns);
	free(d->days);
	free(d->prev_days);
	for (i = 0; i < d->nbudgets; i++) {
		free(d->budgets[i].rule);
		free(d->budgets[i].subject);
	}
	free(d->budgets);
	for (i = 0; i < d->ncustoms; i++)
		free(d->customs[i].name);
	free(d->customs);
	for (i = 0; i < d->nalerts; i++) {
		free(d->alerts[i].rule);
		free(d->alerts[i].subject);
	}
	free(d->alerts);
	for (i = 0; i < d->nnotes; i++) {
		free(d->notes[i].campaign);
		free(d->notes[i].channel);
		free(d->notes[i].text);
	}
	free(d->notes);
	for (i = 0; i < d->nissues; i++) {
		free(d->issues[i].subject);
		free(d->issues[i].detail);
	}
	free(d->issues);
	free(d);
}
