/*
 * Inside the store: what store.c and store-migrate.c share. Nothing outside
 * daemon/store*.c includes this file; SQLite types stay behind store.h.
 */
#ifndef ROIWATCH_STORE_INTERNAL_H
#define ROIWATCH_STORE_INTERNAL_H
#include <stddef.h>

#include <sqlite3.h>

struct store;

/*
 * Bring the schema of db up to the newest version this program knows, in one
 * IMMEDIATE transaction; a database newer than the program is refused.
 * Returns 0, or -1 with *cause (caller frees).
 */
int	store_migrate(sqlite3 *db, char **cause);
/*
 * alert_state.judged of a campaign that could not be evaluated
 * (rules_judged_encode of RULE_SKIP_ERROR), and the states a periodic sweep
 * revisits: open alerts and campaigns that could not be evaluated (the
 * partial index alert_open holds exactly these).
 */
#define STORE_JUDGED_ERROR_SQL	"6"
#define STORE_ALERT_OPEN	"(state <> 'ok' OR judged = " STORE_JUDGED_ERROR_SQL ")"
/* Since migration 7 also the subjects the receivers believe firing or that
 * flap: a sweep releases them (the index of migration 5 is gone). */
#define STORE_ALERT_OPEN7	"(state <> 'ok' OR judged = "		\
	STORE_JUDGED_ERROR_SQL " OR told <> 0 OR flapping <> 0)"

/* The connection of a store (store-checkpoint.c), and a PRAGMA run on a
 * connection (the value it returns, if any, into out). */
sqlite3	*store_db(struct store *);
int	store_pragma(sqlite3 *db, const char *sql, char *out, size_t len,
	    char **cause);

/*
 * Statements of the store*.c files other than store.c: prepared on first
 * use (each file keeps its SQL), finalized by store_free(). NULL with
 * *cause when the SQL does not prepare.
 */
enum store_xstmt {
	SX_ALERT_GET,
	SX_ALERT_PUT,
	SX_ALERT_LIST,
	SX_ALERT_OPEN_NEXT,
	SX_ALERT_UNJUDGEABLE,
	SX_ALERT_SUBJECT,
	SX_ALERT_DROP,
	SX__MAX
};
sqlite3_stmt *store_xstmt(struct store *, enum store_xstmt, const char *sql,
	    char **cause);
/* "what: <SQLite's message>" into *cause, st reset, busy noted; -1. */
int	store_fail(struct store *, sqlite3_stmt *, const char *what,
	    char **cause);
/* Bind text (NULL: SQL NULL), kept by the caller until the step. */
void	store_bind_text(sqlite3_stmt *, int idx, const char *);
/* Copy a text column into buf; -1 if it does not fit. */
int	store_column_copy(sqlite3_stmt *, int col, char *buf, size_t len);

/* Schema version this program writes (the number of migrations). */
int	store_schema_version(void);

/*
 * Set *cause to "what: <SQLite's message>", reset st (may be NULL), note a
 * lock held by another connection (store_busy) and return -1.
 */
int	store_fail(struct store *, sqlite3_stmt *st, const char *what,
	    char **cause);
/* The statements of silences and held notices (store-silence.c), prepared
 * at its first call, kept in the store and finalized by store_free(). */
struct store_silence;
struct store_silence **store_silence_slot(struct store *);
void	store_silence_free(struct store *);

#endif
