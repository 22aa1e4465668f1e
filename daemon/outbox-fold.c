/*
 * Catch-up after downtime: the outbox's never-tried backlog of one receiver
 * folded into one summary notice (notice_fold does the folding, pure; this
 * file reads and writes the items around it, in one transaction). The
 * daemon runs it before its first delivery pass and then every few seconds
 * (deliver.c); items in flight are left out, so nothing a receiver may have
 * seen changes under it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "log.h"
#include "notice.h"
#include "notice-merge.h"
#include "outbox-fold.h"
#include "store.h"
#include "xmalloc.h"

/* Items read at once: a backlog of thousands is folded chunk by chunk, each
 * chunk into the summary of the previous one. */
#define OUTBOX_FOLD_CHUNK	200
#define OUTBOX_FOLD_CHUNKS	100	/* per pair and pass; the rest next pass */

/*
 * Fold one chunk of a pair's never-tried items into the first: how many
 * were folded away (0: one item or none left), or -1.
 */
static int
outbox_fold_chunk(struct store *st, const char *client, const char *receiver,
    const int64_t *skip, size_t nskip, size_t *kept, size_t *superseded,
    int64_t *into, char **cause)
{
	struct outbox_item	*it = NULL;
	struct notice		**ns, *sum;
	char			*json, *why = NULL, esc[256];
	int64_t			 due;
	int			 n, i, nn = 0, gone = 0;

	if ((n = store_outbox_untried(st, client, receiver, skip, nskip,
	    OUTBOX_FOLD_CHUNK, &it, cause)) == -1)
		return -1;
	if (n < 2) {
		store_outbox_items_free(it, n);
		return 0;
	}
	ns = xcalloc((size_t)n, sizeof *ns);
	due = it[0].next_at;
	for (i = 0; i < n; i++) {
		/* A digest is not folded into notices: it goes as it is. */
		if (digest_payload_is(it[i].payload)) {
			it[i].id = -1;
			continue;
		}
		/* An unreadable payload stays as it is: delivery drops it
		 * and says why. */
		if ((ns[nn] = notice_from_json(it[i].payload, &why)) == NULL) {
			log_escape(why, strlen(why), esc, sizeof esc);
			log_warnx("notice %" PRId64 " of client %s: not folded:"
			    " %s", it[i].id, client, esc);
			free(why);
			why = NULL;
			it[i].id = -1;
			continue;
		}
		if (it[i].next_at < due)
			due = it[i].next_at;
		nn++;
	}
	if (nn < 2)
		goto out;
	sum = notice_fold(ns, (size_t)nn);
	*kept = sum->nevents;
	*superseded = sum->nsuperseded;
	json = notice_to_json(sum);
	notice_free(sum);
	/* Into the oldest readable item: its key was never sent. */
	for (i = 0; it[i].id == -1; i++)
		;
	*into = it[i].id;
	if (store_outbox_rewrite(st, *into, json, due, cause) != 0) {
		free(json);
		gone = -1;
		goto out;
	}
	free(json);
	for (i++; i < n; i++) {
		if (it[i].id == -1)
			continue;
		if (store_outbox_remove(st, it[i].id, cause) != 0) {
			gone = -1;
			goto out;
		}
		gone++;
	}
out:
	for (i = 0; i < nn; i++)
		notice_free(ns[i]);
	free(ns);
	store_outbox_items_free(it, n);
	return gone;
}

int
outbox_fold(struct store *st, int64_t cap, const int64_t *skip, size_t nskip,
    char **cause)
{
	char	**clients = NULL, **receivers = NULL;
	size_t	 kept = 0, superseded = 0;
	int64_t	 into = 0;
	int	 n, i, k, gone, total = 0, pair;

	if (cap <= 0)
		return 0;
	if (store_begin(st, cause) != 0)
		return -1;
	if ((n = store_outbox_crowded(st, cap, skip, nskip, &clients,
	    &receivers, cause)) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		pair = 0;
		for (k = 0; k < OUTBOX_FOLD_CHUNKS; k++) {
			if ((gone = outbox_fold_chunk(st, clients[i],
			    receivers[i], skip, nskip, &kept, &superseded,
			    &into, cause)) == -1)
				goto fail;
			if (gone == 0)
				break;
			pair += gone;
		}
		if (pair == 0)
			continue;
		total += pair;
		log_info("catch-up: client %s receiver %s: %d more notice(s) "
		    "never sent folded into notice %" PRId64 ": %zu event(s) "
		    "kept, %zu earlier superseded", clients[i], receivers[i],
		    pair, into, kept, superseded);
	}
	if (store_commit(st, cause) != 0)
		goto fail;
	store_outbox_pairs_free(clients, receivers, n);
	return total;
fail:
	store_rollback(st);
	store_outbox_pairs_free(clients, receivers, n > 0 ? n : 0);
	return -1;
}
