/*
 * Ingest: parsed rows → store, all-or-nothing per input, and the set of campaigns
 * each commit touched (handed to evaluation). One batch is one SQLite
 * transaction holding one or more inputs (a file, or several webhook requests
 * committed together: group commit); each input sits in its own savepoint, so a
 * rejected input leaves nothing behind while the others in the batch still commit.
 *
 * Rows of the same (client, campaign, day, hour) inside one input are summed;
 * a later input with the same key replaces the fields it reports and leaves
 * the others as stored (re-delivery never double-counts; cost from one source
 * and revenue from another make one sample).
 */
#ifndef ROIWATCH_INGEST_H
#define ROIWATCH_INGEST_H
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

struct store;
struct config;
struct ingest_batch;

#define INGEST_MAX_ERRORS	100	/* row errors kept per input for the report */

struct ingest_result {
	long			 rows_accepted;
	long			 rows_rejected;
	struct parse_error	*errors;	/* first INGEST_MAX_ERRORS problems */
	size_t			 nerrors;
	long			 errors_total;
	long			 rows_committed;	/* in chunks committed before
						   a failure (ingest_batch_set_chunk) */
	int			 store_failed;	/* the database failed: retry later */
	int			 retry;		/* a passing failure reading the
						   file (no descriptor left):
						   retry later */
	int			 too_many_rows;	/* parse_options.max_rows exceeded */
	int			 forbidden;	/* a row was for another client than
						   allowed_client (HTTP: 403) */
	char			*cause;		/* why the input was refused, or NULL */
};

/* A touched campaign, for evaluation. */
struct ingest_subject {
	char	*client;
	char	*campaign;
};
/* A hash of a (client, campaign) pair, for sets of subjects. */
uint64_t ingest_subject_hash(const char *client, const char *campaign);

struct ingest_batch *ingest_batch_begin(struct store *, char **cause);
/*
 * Add one input to the batch. allowed_client != NULL: every row must belong to
 * that client (a token of client A never writes client B): a row of another
 * client refuses the whole input (res->forbidden), partial or not. Otherwise a
 * row's client must exist in the configuration. partial != 0 keeps the valid
 * rows and reports the rejected ones; partial == 0 refuses the input at its
 * first error.
 * Returns 0 when the input's rows are in the batch, -1 when it was refused
 * (nothing of it stays; res says why). res is caller-owned: ingest_result_clear.
 */
int	ingest_batch_add(struct ingest_batch *, const struct config *,
	    const char *origin, const char *buf, size_t len,
	    const struct parse_options *,
	    const char *allowed_client, int partial, struct ingest_result *res);
/* Commit. On failure everything in the batch is rolled back. The batch stays
 * valid for ingest_batch_subjects() until ingest_batch_free(). */
int	ingest_batch_commit(struct ingest_batch *, char **cause);
/* Campaigns touched by committed inputs. */
const struct ingest_subject *ingest_batch_subjects(const struct ingest_batch *,
	    size_t *n);
/* Free; rolls back if neither committed nor already rolled back. */
void	ingest_batch_free(struct ingest_batch *);
/*
 * A batch that writes nothing: ingest_batch_add() runs every check but the
 * store's (parsing, client, currency, bounds), so a strict input can be judged
 * whole before a chunked write. Commit refuses; free it as any batch.
 */
struct ingest_batch *ingest_batch_dry(void);
/*
 * Commit every `usec` of writing (0: never, the default), going on in a new
 * transaction with the same input: a backfill of millions of rows lets the
 * daemon write between chunks. The price: an input that fails after a chunk
 * leaves the chunks before it (res->rows_committed says how many rows), so a
 * strict caller checks the input with a dry run first. In a dry run nothing
 * is committed: only the yield callback (below) runs every `usec`.
 */
void	ingest_batch_set_chunk(struct ingest_batch *, int64_t usec);
/*
 * Call cb(arg) at every chunk boundary (ingest_batch_set_chunk): after a
 * chunk is committed and before the next transaction begins, so that the
 * caller may let another writer of the same process in; in a dry run, as
 * often, with nothing held. cb returning -1 stops the input: nothing more is
 * written (the chunks before stay, res->rows_committed), res->retry is set
 * and res->cause says it was stopped.
 */
void	ingest_batch_set_yield(struct ingest_batch *, int (*cb)(void *arg),
	    void *arg);
/* Call cb(arg, rows_so_far) every `every` rows of the inputs added from now on
 * (a progress bar for big backfills). */
void	ingest_batch_set_progress(struct ingest_batch *,
	    void (*cb)(void *arg, long rows), void *arg, long every);

/*
 * Read a whole file and add it to the batch as one input, the format taken
 * from popts or else from the file name. Returns as ingest_batch_add. The
 * file is read (fileio_read_at), never mapped, and the parse works on that
 * copy: a symbolic link, a fifo or another file that is not a regular one,
 * a file over cfg->max_file_bytes and one that changed while it was read are
 * refused with res->cause; res->retry is set instead when the failure is a
 * passing one (no file descriptor left).
 */
int	ingest_batch_add_file(struct ingest_batch *, const struct config *,
	    const char *origin, const char *path, const struct parse_options *,
	    int partial, struct ingest_result *res);
/*
 * Read name in the directory dfd (shown names it in messages) as
 * ingest_batch_add_file does, into *buf (caller frees): 0, or -1 with
 * res->cause (and res->retry for a passing failure). For a caller that
 * checks a file (a dry run) and writes it from the same copy.
 */
int	ingest_file_read_at(const struct config *, int dfd, const char *name,
	    const char *shown, char **buf, size_t *len, struct ingest_result *res);
/* The same for name in the directory dfd (shown names it in messages). */
int	ingest_batch_add_file_at(struct ingest_batch *, const struct config *,
	    const char *origin, int dfd, const char *name, const char *shown,
	    const struct parse_options *, int partial, struct ingest_result *res);

/* Called after a commit with the touched campaigns (daemon: evaluate, deliver). */
typedef void (*ingest_committed_cb)(void *arg, const struct ingest_subject *,
	    size_t n);

/*
 * A time written with its offset ("2026-12-01T23:30:00-05:00", has_offset
 * set by the parser) is an instant: move r's day, hour and minute to the
 * client's local calendar in zone tz, so that samples are days of the
 * client's time zone whatever the sender's. Pure.
 */
struct tz;
void	ingest_place_local(struct metric_row *r, const struct tz *tz);

void	ingest_result_clear(struct ingest_result *);
/* A human report (one line per problem: "row 12 (line 13), column cost: ...").
 * Caller frees. */
char   *ingest_result_report(const struct ingest_result *, const char *source);

#endif
