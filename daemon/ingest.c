/*
 * Ingest batches: parsed rows → store inside one transaction, one savepoint per
 * input (file or request), plus the set of campaigns the committed inputs
 * touched. The batch owns the transaction from ingest_batch_begin() until
 * ingest_batch_commit() or ingest_batch_free().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "currency.h"
#include "fileio.h"
#include "ingest.h"
#include "log.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

/*
 * Touched campaigns: an array in insertion order plus an open-addressing index
 * of positions (+1, 0 = empty). Rows of one campaign usually come together, so
 * the last hit is checked first.
 */
struct subject_set {
	struct ingest_subject	*items;
	uint64_t		*hashes;
	size_t			 n, cap;
	uint32_t		*index;
	size_t			 index_cap;	/* power of two */
	size_t			 last;		/* position of the last hit + 1 */
};

struct ingest_batch {
	struct store		*store;		/* NULL: a dry run */
	int			 open;		/* transaction open */
	int			 committed;
	int64_t			 chunk_usec;	/* 0: one transaction */
	int64_t			 chunk_start;	/* when the open one began */
	long			 chunk_rows;	/* rows in the open one */
	struct subject_set	 subjects;
	void			(*progress)(void *, long);
	void			*progress_arg;
	long			 progress_every;
	int			(*yield)(void *);	/* between chunks */
	void			*yield_arg;
};

/* State of one input while its rows stream through the parser. */
struct input_ctx {
	struct ingest_batch	*batch;
	const struct config	*cfg;
	const char		*allowed_client;
	int			 partial;
	long			 max_rows;
	int64_t			 input_id;
	struct ingest_result	*res;
	const struct client_conf *last_client;
	char			*store_cause;
};

uint64_t
ingest_subject_hash(const char *client, const char *campaign)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	const unsigned char *p;

	for (p = (const unsigned char *)client; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = (const unsigned char *)campaign; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static void
subject_index_rebuild(struct subject_set *set, size_t cap)
{
	size_t i, j;

	free(set->index);
	set->index_cap = cap;
	set->index = xcalloc(cap, sizeof *set->index);
	for (i = 0; i < set->n; i++) {
		j = set->hashes[i] & (cap - 1);
		while (set->index[j] != 0)
			j = (j + 1) & (cap - 1);
		set->index[j] = (uint32_t)(i + 1);
	}
}

static void
subject_add(struct subject_set *set, const char *client, const char *campaign)
{
	struct ingest_subject *s;
	uint64_t h;
	size_t j;

	if (set->last != 0) {
		s = &set->items[set->last - 1];
		if (strcmp(s->campaign, campaign) == 0 &&
		    strcmp(s->client, client) == 0)
			return;
	}
	h = ingest_subject_hash(client, campaign);
	if (set->index_cap != 0) {
		j = h & (set->index_cap - 1);
		while (set->index[j] != 0) {
			s = &set->items[set->index[j] - 1];
			if (set->hashes[set->index[j] - 1] == h &&
			    strcmp(s->campaign, campaign) == 0 &&
			    strcmp(s->client, client) == 0) {
				set->last = set->index[j];
				return;
			}
			j = (j + 1) & (set->index_cap - 1);
		}
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->items = xreallocarray(set->items, set->cap, sizeof *set->items);
		set->hashes = xreallocarray(set->hashes, set->cap,
		    sizeof *set->hashes);
	}
	set->items[set->n].client = xstrdup(client);
	set->items[set->n].campaign = xstrdup(campaign);
	set->hashes[set->n] = h;
	set->n++;
	set->last = set->n;
	if (set->n * 2 > set->index_cap)
		subject_index_rebuild(set, set->index_cap ? set->index_cap * 2 : 128);
	else {
		j = h & (set->index_cap - 1);
		while (set->index[j] != 0)
			j = (j + 1) & (set->index_cap - 1);
		set->index[j] = (uint32_t)set->n;
	}
}

/* Forget subjects added after position `mark` (their input was rolled back). */
static void
subject_truncate(struct subject_set *set, size_t mark)
{
	if (mark >= set->n)
		return;
	while (set->n > mark) {
		set->n--;
		free(set->items[set->n].client);
		free(set->items[set->n].campaign);
	}
	set->last = 0;
	if (set->index_cap != 0)
		subject_index_rebuild(set, set->index_cap);
}

static void
subject_set_clear(struct subject_set *set)
{
	subject_truncate(set, 0);
	free(set->items);
	free(set->hashes);
	free(set->index);
	memset(set, 0, sizeof *set);
}

struct ingest_batch *
ingest_batch_begin(struct store *store, char **cause)
{
	struct ingest_batch *b;

	if (store_begin(store, cause) != 0)
		return NULL;
	b = xcalloc(1, sizeof *b);
	b->store = store;
	b->open = 1;
	return b;
}

static void
result_add_error(struct ingest_result *res, const struct parse_error *e)
{
	res->errors_total++;
	if (res->nerrors >= INGEST_MAX_ERRORS)
		return;
	if (res->errors == NULL)
		res->errors = xcalloc(INGEST_MAX_ERRORS, sizeof *res->errors);
	res->errors[res->nerrors++] = *e;
}

static void __attribute__((format(printf, 4, 5)))
row_error(struct input_ctx *ctx, long row, const char *column,
    const char *fmt, ...)
{
	struct parse_error e;
	va_list ap;

	memset(&e, 0, sizeof e);
	e.row = row;
	snprintf(e.column, sizeof e.column, "%s", column);
	va_start(ap, fmt);
	vsnprintf(e.reason, sizeof e.reason, fmt, ap);
	va_end(ap);
	result_add_error(ctx->res, &e);
	ctx->res->rows_rejected++;
}

void
ingest_place_local(struct metric_row *r, const struct tz *tz)
{
	int64_t	 t;
	int32_t	 day, sec;

	t = (int64_t)r->day * 86400 + (r->hour >= 0 ? r->hour : 0) * 3600 +
	    r->minute * 60 - r->utc_offset;
	tz_local(tz, t, &day, &sec);
	r->day = day;
	if (r->hour >= 0)
		r->hour = (int8_t)(sec / 3600);
	r->minute = (int8_t)(sec / 60 % 60);
	r->utc_offset = 0;
	r->has_offset = 0;
}

/*
 * After a bad row: go on reading (0) or stop (-1). Partial inputs keep their
 * good rows; a strict input is refused whole, but it is read on so that the
 * report names every bad row (up to INGEST_MAX_ERRORS), not only the first.
 */
static int
input_go_on(struct input_ctx *ctx)
{
	if (!ctx->partial && ctx->res->errors_total >= INGEST_MAX_ERRORS)
		return -1;
	return 0;
}

static int64_t
ingest_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Commit the rows so far and go on in a new transaction, the same input (its
 * rows of one key still add up): another process's writes get the database
 * between chunks, and the yield callback (ingest_batch_set_yield) runs there,
 * holding nothing. A dry run only calls the callback. -1 with the store
 * failure recorded, or with res->retry when the callback stopped the input.
 */
static int
ingest_chunk(struct input_ctx *ctx)
{
	struct ingest_batch *b = ctx->batch;
	char *cause = NULL;

	if (b->store != NULL) {
		if (store_savepoint_release(b->store, &cause) != 0 ||
		    store_commit(b->store, &cause) != 0)
			goto fail;
		ctx->res->rows_committed = ctx->res->rows_accepted;
		b->open = 0;
	}
	if (b->yield != NULL && b->yield(b->yield_arg) != 0) {
		ctx->res->retry = 1;
		if (ctx->res->cause == NULL)
			ctx->res->cause = xstrdup("stopped before the end of "
			    "the input");
		return -1;
	}
	if (b->store != NULL) {
		store_yield(b->store);	/* the daemon's turn, if it waits */
		if (store_begin(b->store, &cause) != 0)
			goto fail;
		b->open = 1;
		if (store_savepoint(b->store, &cause) != 0)
			goto fail;
	}
	b->chunk_start = ingest_usec();
	return 0;
fail:
	ctx->store_cause = cause;
	ctx->res->store_failed = 1;
	return -1;
}

static int
input_row_cb(void *arg, const struct metric_row *row, long rowno)
{
	struct input_ctx *ctx = arg;
	const struct client_conf *cc = ctx->last_client;
	struct metric_row local;
	char *cause = NULL;
	int rc;

	if (ctx->max_rows > 0 && rowno > ctx->max_rows) {
		ctx->res->too_many_rows = 1;
		xasprintf(&ctx->res->cause, "more than %ld rows", ctx->max_rows);
		return -1;
	}
	if (ctx->allowed_client != NULL &&
	    strcmp(row->client, ctx->allowed_client) != 0) {
		row_error(ctx, rowno, "client",
		    "row is for client '%s', not the token's client", row->client);
		ctx->res->forbidden = 1;
		return -1;	/* never partial: refuse the whole input */
	}
	if (cc == NULL || strcmp(cc->id, row->client) != 0) {
		if ((cc = config_client(ctx->cfg, row->client)) == NULL) {
			row_error(ctx, rowno, "client",
			    "client '%s' is not configured", row->client);
			return input_go_on(ctx);
		}
		ctx->last_client = cc;
	}
	/* DESIGN.md: amounts of another currency are refused, never
	 * converted or added to the client's. */
	if (row->currency[0] != '\0' &&
	    !currency_marker_matches(cc->currency, row->currency)) {
		row_error(ctx, rowno, "currency", "amounts in %s, but client "
		    "%s's currency is %s: refused, never converted",
		    row->currency, cc->id, cc->currency);
		return input_go_on(ctx);
	}
	if (row->has_offset && row->hour >= 0) {	/* a whole day stays */
		local = *row;
		ingest_place_local(&local, cc->tz);
		row = &local;
	}
	if (ctx->batch->store == NULL)
		goto accepted;		/* a dry run: checks only */
	switch ((rc = store_put_metric_input(ctx->batch->store, row,
	    ctx->input_id, &cause))) {
	case 0:
		break;
	case STORE_REFUSED_CHANNEL:
	case STORE_REFUSED_SUM:
		row_error(ctx, rowno, rc == STORE_REFUSED_CHANNEL ? "channel" :
		    "", "%s", cause);
		free(cause);
		return input_go_on(ctx);
	default:
		ctx->store_cause = cause;
		ctx->res->store_failed = 1;
		return -1;
	}
	subject_add(&ctx->batch->subjects, row->client, row->campaign);
accepted:
	ctx->res->rows_accepted++;
	if (ctx->batch->progress != NULL &&
	    rowno % ctx->batch->progress_every == 0)
		ctx->batch->progress(ctx->batch->progress_arg, rowno);
	/* A strict input with a bad row is being refused: read on for the
	 * report, but commit nothing more of it. A dry run holds nothing:
	 * only the yield callback runs. */
	/* A chunk ends after chunk_usec, or early when another connection
	 * waits for the lock (store_waited_for): its wait stays short. */
	if (ctx->batch->chunk_usec > 0 && (ctx->partial ||
	    ctx->res->errors_total == 0 || ctx->batch->store == NULL) &&
	    ++ctx->batch->chunk_rows % 256 == 0 &&
	    (ingest_usec() - ctx->batch->chunk_start >= ctx->batch->chunk_usec ||
	    (ctx->batch->store != NULL &&
	    store_waited_for(ctx->batch->store))) &&
	    ingest_chunk(ctx) != 0)
		return -1;
	return 0;
}

static int
input_error_cb(void *arg, const struct parse_error *e)
{
	struct input_ctx *ctx = arg;

	if (ctx->max_rows > 0 && e->row > ctx->max_rows) {
		ctx->res->too_many_rows = 1;
		if (ctx->res->cause == NULL)
			xasprintf(&ctx->res->cause, "more than %ld rows",
			    ctx->max_rows);
		return -1;
	}
	result_add_error(ctx->res, e);
	if (e->row > 0)
		ctx->res->rows_rejected++;
	return e->row > 0 ? input_go_on(ctx) : -1;
}

int
ingest_batch_add(struct ingest_batch *b, const struct config *cfg,
    const char *origin, const char *buf, size_t len,
    const struct parse_options *popts,
    const char *allowed_client, int partial, struct ingest_result *res)
{
	struct input_ctx ctx;
	struct parse_options po = *popts;
	struct parse_sink sink;
	size_t mark = b->subjects.n;
	char *cause = NULL;
	int rc;

	if (!b->open) {
		res->cause = xstrdup("batch is not open");
		return -1;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.batch = b;
	ctx.cfg = cfg;
	ctx.allowed_client = allowed_client;
	ctx.partial = partial;
	ctx.max_rows = popts->max_rows;
	ctx.res = res;
	po.max_rows = 0;	/* enforced here so that it is told apart */

	sink.row = input_row_cb;
	sink.error = input_error_cb;
	sink.arg = &ctx;
	if (b->store == NULL) {
		/* A dry run: every check but the store's, nothing written. */
		b->chunk_start = ingest_usec();
		b->chunk_rows = 0;
		rc = parse_input(buf, len, &po, &sink);
		if (rc == 0 && (partial || res->errors_total == 0))
			return 0;
		goto refused;
	}
	if (store_savepoint(b->store, &cause) != 0) {
		res->store_failed = 1;
		res->cause = cause;
		return -1;
	}
	if ((ctx.input_id = store_input_new(b->store, origin, &cause)) == -1) {
		store_savepoint_rollback(b->store);
		res->store_failed = 1;
		res->cause = cause;
		return -1;
	}
	b->chunk_start = ingest_usec();
	b->chunk_rows = 0;
	rc = parse_input(buf, len, &po, &sink);

	if (rc != 0 || (!partial && res->errors_total > 0) || res->store_failed) {
		if (b->open)
			store_savepoint_rollback(b->store);
		subject_truncate(&b->subjects, mark);
refused:
		if (res->store_failed && res->cause == NULL) {
			res->cause = ctx.store_cause;
			ctx.store_cause = NULL;
		}
		free(ctx.store_cause);
		if (res->cause == NULL && res->nerrors > 0) {
			const struct parse_error *e = &res->errors[0];

			if (e->row > 0)
				xasprintf(&res->cause, "row %ld%s%s: %s", e->row,
				    e->column[0] ? ", column " : "", e->column,
				    e->reason);
			else
				xasprintf(&res->cause, "%s", e->reason);
		}
		if (res->cause == NULL)
			res->cause = xstrdup("input refused");
		res->rows_rejected += res->rows_accepted - res->rows_committed;
		res->rows_accepted = res->rows_committed;
		return -1;
	}
	if (store_savepoint_release(b->store, &cause) != 0) {
		store_savepoint_rollback(b->store);
		subject_truncate(&b->subjects, mark);
		res->store_failed = 1;
		res->cause = cause;
		res->rows_accepted = res->rows_committed;
		return -1;
	}
	return 0;
}

/*
 * Files are read, never mapped: a file truncated while a mapping of it is
 * parsed kills the process with SIGBUS. The copy costs the file's size in
 * memory for the time of the parse, bounded by max_file_bytes.
 */
int
ingest_file_read_at(const struct config *cfg, int dfd, const char *name,
    const char *shown, char **buf, size_t *len, struct ingest_result *res)
{
	char *cause = NULL;

	errno = 0;
	switch (fileio_read_at(dfd, name, shown, (size_t)cfg->max_file_bytes,
	    buf, len, &cause)) {
	case 0:
		return 0;
	case -2:
		res->retry = 1;
		res->cause = cause;
		return -1;
	default:
		if (errno == EFBIG) {
			xasprintf(&res->cause, "%s (max_file_bytes)", cause);
			free(cause);
		} else
			res->cause = cause;
		return -1;
	}
}

int
ingest_batch_add_file_at(struct ingest_batch *b, const struct config *cfg,
    const char *origin, int dfd, const char *name, const char *shown,
    const struct parse_options *popts, int partial, struct ingest_result *res)
{
	struct parse_options po = *popts;
	char *buf;
	size_t len;
	int rc, fmt;

	if (ingest_file_read_at(cfg, dfd, name, shown, &buf, &len, res) != 0)
		return -1;
	if (po.format == PARSE_AUTO &&
	    (fmt = parse_format_from_filename(name)) != -1)
		po.format = fmt;
	rc = ingest_batch_add(b, cfg, origin, buf, len, &po, NULL, partial,
	    res);
	free(buf);
	return rc;
}

int
ingest_batch_add_file(struct ingest_batch *b, const struct config *cfg,
    const char *origin, const char *path, const struct parse_options *popts,
    int partial, struct ingest_result *res)
{
	return ingest_batch_add_file_at(b, cfg, origin, AT_FDCWD, path, path,
	    popts, partial, res);
}

int
ingest_batch_commit(struct ingest_batch *b, char **cause)
{
	if (!b->open) {
		*cause = xstrdup("batch is not open");
		return -1;
	}
	b->open = 0;
	if (b->store == NULL) {
		*cause = xstrdup("a dry run commits nothing");
		return -1;
	}
	if (store_commit(b->store, cause) != 0) {
		store_rollback(b->store);
		subject_truncate(&b->subjects, 0);
		return -1;
	}
	b->committed = 1;
	return 0;
}

const struct ingest_subject *
ingest_batch_subjects(const struct ingest_batch *b, size_t *n)
{
	*n = b->committed ? b->subjects.n : 0;
	return b->subjects.items;
}

void
ingest_batch_free(struct ingest_batch *b)
{
	if (b == NULL)
		return;
	if (b->open && b->store != NULL)
		store_rollback(b->store);
	subject_set_clear(&b->subjects);
	free(b);
}

struct ingest_batch *
ingest_batch_dry(void)
{
	struct ingest_batch *b = xcalloc(1, sizeof *b);

	b->open = 1;
	return b;
}

void
ingest_batch_set_chunk(struct ingest_batch *b, int64_t usec)
{
	b->chunk_usec = usec;
}

void
ingest_batch_set_yield(struct ingest_batch *b, int (*cb)(void *), void *arg)
{
	b->yield = cb;
	b->yield_arg = arg;
}

void
ingest_batch_set_progress(struct ingest_batch *b, void (*cb)(void *, long),
    void *arg, long every)
{
	b->progress = cb;
	b->progress_arg = arg;
	b->progress_every = every > 0 ? every : 1;
}

void
ingest_result_clear(struct ingest_result *res)
{
	free(res->errors);
	free(res->cause);
	memset(res, 0, sizeof *res);
}

char *
ingest_result_report(const struct ingest_result *res, const char *source)
{
	char *out, *line, *tmp;
	size_t i;

	xasprintf(&out, "source: %s\nresult: %s\nrows accepted: %ld\n"
	    "rows rejected: %ld\n", source,
	    res->cause == NULL ? "accepted" : res->rows_committed > 0 ?
	    "refused after the rows accepted were committed in chunks (they "
	    "stay stored; the same file again replaces them)" :
	    "refused, nothing was stored",
	    res->rows_accepted, res->rows_rejected);
	if (res->cause != NULL) {
		xasprintf(&tmp, "%sreason: %s\n", out, res->cause);
		free(out);
		out = tmp;
	}
	for (i = 0; i < res->nerrors; i++) {
		const struct parse_error *e = &res->errors[i];

		if (e->row > 0 && e->line > 0)
			xasprintf(&line, "row %ld (line %ld)", e->row, e->line);
		else if (e->row > 0)
			xasprintf(&line, "row %ld", e->row);
		else if (e->line > 0)
			xasprintf(&line, "line %ld", e->line);
		else
			line = xstrdup("input");
		xasprintf(&tmp, "%s%s%s%s: %s\n", out, line,
		    e->column[0] != '\0' ? ", column " : "", e->column, e->reason);
		free(line);
		free(out);
		out = tmp;
	}
	if ((size_t)res->errors_total > res->nerrors) {
		xasprintf(&tmp, "%s... and %ld more problems\n", out,
		    res->errors_total - (long)res->nerrors);
		free(out);
		out = tmp;
	}
	return out;
}
