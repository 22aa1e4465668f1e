/*
 * The message catalogue: every word roiwatch writes to a client, looked up in
 * that client's language. The translations are gettext .po files (po/LANG.po),
 * embedded into the program when it is built and parsed once, at first use.
 *
 * Why not gettext(3) itself: glibc's libintl picks the language from the
 * process locale (setlocale, LC_MESSAGES, LANGUAGE), which is one setting for
 * the whole process, needs the locale to be installed (a minimal Debian has
 * only C, under which LANGUAGE is ignored), and cannot be switched per message
 * without racing the other threads. A daemon writing to an English client and
 * a French one in the same second needs the language as a parameter: tr(lang,
 * ...). The files stay standard .po, so xgettext, msgfmt --check-format and
 * every translation tool work on them.
 *
 * A language is one file: po/<lang>.po becomes the language "<lang>" with no
 * code change. Unknown languages read English; a msgid missing from a
 * language falls back to English, then to the msgid itself, and is counted
 * (catalog_misses()) and logged, never fatal.
 */
#ifndef ROIWATCH_CATALOG_H
#define ROIWATCH_CATALOG_H
#include <stddef.h>

/* Marks a string for xgettext without translating it (tables of msgids). */
#define N_(s)	(s)
/* The same for a msgid looked up with a context (trc()). */
#define NC_(ctx, s)	(s)
/* A singular and its plural, as the two msgid arguments of trn(). */
#define NP_(s, p)	s, p

/*
 * format_arg: gcc checks a call's arguments against the msgid (as it does for
 * gettext()); msgfmt --check-format checks each translation against its msgid
 * (tests/po-check.sh), so a translation cannot ask for other arguments.
 */
/* The translation of msgid in lang ("fr", "fr_FR", "fr-CA", NULL...). The
 * result lives as long as the process. */
const char	*tr(const char *lang, const char *msgid)
		    __attribute__((format_arg(2)));
/* The same with a context, for one English word that translates two ways. */
const char	*trc(const char *lang, const char *ctx, const char *msgid)
		    __attribute__((format_arg(3)));
/* The form for n of a message with a plural (the language's Plural-Forms). */
const char	*trn(const char *lang, const char *msgid, const char *plural,
		    unsigned long n)
		    __attribute__((format_arg(2))) __attribute__((format_arg(3)));
const char	*trcn(const char *lang, const char *ctx, const char *msgid,
		    const char *plural, unsigned long n)
		    __attribute__((format_arg(3))) __attribute__((format_arg(4)));

/* How many lookups found no translation since start (tests assert 0). */
unsigned long	 catalog_misses(void);
/* 1 when po/<lang>.po was built in (exact name, e.g. "fr"). */
int		 catalog_has_language(const char *lang);
/* The languages built in, NULL-terminated, in name order. */
const char	*const *catalog_languages(void);

/* ---- The parser, pure, for tests and tools ---- */

struct catalog;

/* Parse the text of a .po file; `name` prefixes errors ("fr.po:12: ...").
 * NULL and *cause (caller frees) on any error. */
struct catalog	*catalog_parse(const char *text, size_t len, const char *name,
		    char **cause);
void		 catalog_free(struct catalog *);
/* The translation, or NULL when the entry is absent or untranslated. plural
 * NULL: a singular lookup; otherwise the form for n. */
const char	*catalog_get(const struct catalog *, const char *ctx,
		    const char *msgid, const char *plural, unsigned long n);
size_t		 catalog_count(const struct catalog *);
int		 catalog_nplurals(const struct catalog *);

/* The embedded files (generated at build time from po/LANG.po). */
struct catalog_source {
	const char	*lang;
	const char	*text;
	size_t		 len;
};
extern const struct catalog_source	catalog_sources[];
extern const size_t			catalog_nsources;

#endif
