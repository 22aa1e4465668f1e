/*
 * The message catalogue: the .po parser (strings, escapes, continuation lines,
 * contexts, plurals and Plural-Forms, fuzzy and untranslated entries, errors
 * with their line), the lookups with their fallbacks, the embedded English and
 * French catalogues, and the lookups from many threads at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "kpi.h"
#include "metric.h"
#include "money.h"
#include "window.h"

#define NBSP	"\xc2\xa0"		/* U+00A0 */
#define NNBSP	"\xe2\x80\xaf"	/* U+202F */

#define HEADER(plural)							\
	"msgid \"\"\n"							\
	"msgstr \"\"\n"							\
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"		\
	"\"Plural-Forms: " plural "\\n\"\n\n"

static struct catalog *
parse(const char *text)
{
	char		*cause = NULL;
	struct catalog	*c;

	c = catalog_parse(text, strlen(text), "t.po", &cause);
	if (c == NULL)
		fail_msg("unexpected error: %s", cause);
	return c;
}

/* The error of a bad file, which must name the file and line. */
static void
parse_error(const char *text, const char *want)
{
	char		*cause = NULL;
	struct catalog	*c;

	c = catalog_parse(text, strlen(text), "t.po", &cause);
	if (c != NULL)
		fail_msg("parsed, expected \"%s\": %s", want, text);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

static void
test_strings_and_escapes(void **state)
{
	struct catalog	*c;

	(void)state;
	c = parse(HEADER("nplurals=2; plural=(n != 1);")
	    "# a translator's comment\n"
	    "#: daemon/notice-text.c\n"
	    "#, c-format\n"
	    "msgid \"Hello, %s\"\n"
	    "msgstr \"Bonjour, %s\"\n"
	    "\n"
	    "msgid \"\"\n"
	    "\"a long \"\n"
	    "\"message\"\n"
	    "msgstr \"\"\n"
	    "\"un long \"\n"
	    "   \"message\"   \n"
	    "\n"
	    "msgid \"esc\"\n"
	    "msgstr \"q\\\" b\\\\ n\\n t\\t o\\101 x\\x42 u\\303\\251 a\\a\"\n"
	    "msgid \"utf8\"\r\n"
	    "msgstr \"\xe2\x80\xaf%\"\r\n");
	assert_int_equal(catalog_count(c), 4);
	assert_string_equal(catalog_get(c, NULL, "Hello, %s", NULL, 0),
	    "Bonjour, %s");
	assert_string_equal(catalog_get(c, NULL, "a long message", NULL, 0),
	    "un long message");
	assert_string_equal(catalog_get(c, NULL, "esc", NULL, 0),
	    "q\" b\\ n\n t\t oA xB u\xc3\xa9 a\a");
	assert_string_equal(catalog_get(c, NULL, "utf8", NULL, 0),
	    "\xe2\x80\xaf%");
	assert_null(catalog_get(c, NULL, "absent", NULL, 0));
	assert_null(catalog_get(c, "ctx", "Hello, %s", NULL, 0));
	catalog_free(c);
	catalog_free(NULL);
}

static void
test_context(void **state)
{
	struct catalog	*c;

	(void)state;
	c = parse(HEADER("nplurals=2; plural=(n > 1);")
	    "msgctxt \"severity\"\n"
	    "msgid \"good\"\n"
	    "msgstr \"bonne nouvelle\"\n\n"
	    "msgctxt \"quality\"\n"
	    "msgid \"good\"\n"
	    "msgstr \"bon\"\n\n"
	    "msgid \"good\"\n"
	    "msgstr \"bien\"\n\n"
	    "msgctxt \"\"\n"
	    "\"number\"\n"
	    "msgid \".\"\n"
	    "msgstr \",\"\n");
	assert_string_equal(catalog_get(c, "severity", "good", NULL, 0),
	    "bonne nouvelle");
	assert_string_equal(catalog_get(c, "quality", "good", NULL, 0), "bon");
	assert_string_equal(catalog_get(c, NULL, "good", NULL, 0), "bien");
	assert_string_equal(catalog_get(c, "number", ".", NULL, 0), ",");
	assert_null(catalog_get(c, "other", "good", NULL, 0));
	catalog_free(c);
}

static void
test_plurals(void **state)
{
	static const char body[] =
	    "msgid \"%zu alert\"\n"
	    "msgid_plural \"%zu alerts\"\n"
	    "msgstr[0] \"%zu alerte\"\n"
	    "msgstr[1] \"%zu alertes\"\n";
	struct catalog	*c;
	unsigned long	 n;

	(void)state;
	/* French: 0 and 1 are singular. */
	c = parse(HEADER("nplurals=2; plural=(n > 1);") "msgid \"x\"\n"
	    "msgstr \"y\"\n\n" "msgid \"%zu alert\"\n"
	    "msgid_plural \"%zu alerts\"\n"
	    "msgstr[0] \"%zu alerte\"\n"
	    "msgstr[1] \"%zu alertes\"\n");
	assert_int_equal(catalog_nplurals(c), 2);
	for (n = 0; n < 4; n++)
		assert_string_equal(catalog_get(c, NULL, "%zu alert",
		    "%zu alerts", n), n > 1 ? "%zu alertes" : "%zu alerte");
	/* A singular lookup of a plural entry reads its first form. */
	assert_string_equal(catalog_get(c, NULL, "%zu alert", NULL, 0),
	    "%zu alerte");
	/* Another plural msgid is another message. */
	assert_null(catalog_get(c, NULL, "%zu alert", "%zu alertz", 2));
	catalog_free(c);

	/* English: 0 is plural; spaces and parentheses do not matter. */
	c = parse(HEADER("nplurals = 2 ; plural = n!=1 ;") "msgid \"%zu alert\"\n"
	    "msgid_plural \"%zu alerts\"\n"
	    "msgstr[0] \"%zu alert\"\n"
	    "msgstr[1] \"%zu alerts\"\n");
	assert_string_equal(catalog_get(c, NULL, "%zu alert", "%zu alerts", 0),
	    "%zu alerts");
	assert_string_equal(catalog_get(c, NULL, "%zu alert", "%zu alerts", 1),
	    "%zu alert");
	assert_string_equal(catalog_get(c, NULL, "%zu alert", "%zu alerts", 7),
	    "%zu alerts");
	catalog_free(c);

	/* One form for every number (Japanese). */
	c = parse(HEADER("nplurals=1; plural=0;") "msgid \"%zu alert\"\n"
	    "msgid_plural \"%zu alerts\"\n"
	    "msgstr[0] \"%zu \xe4\xbb\xb6\"\n");
	assert_string_equal(catalog_get(c, NULL, "%zu alert", "%zu alerts", 5),
	    "%zu \xe4\xbb\xb6");
	catalog_free(c);

	/* No header: n != 1, as gettext. */
	c = parse(body);
	assert_string_equal(catalog_get(c, NULL, "%zu alert", "%zu alerts", 0),
	    "%zu alertes");
	catalog_free(c);
}

static void
test_fuzzy_untranslated_obsolete(void **state)
{
	struct catalog	*c;

	(void)state;
	c = parse(HEADER("nplurals=2; plural=(n > 1);")
	    "#, fuzzy\n"
	    "msgid \"Window\"\n"
	    "msgstr \"Fenêtre\"\n\n"
	    "#, c-format, fuzzy\n"
	    "msgid \"rule %s\"\n"
	    "msgstr \"règle %s\"\n\n"
	    "msgid \"Cost\"\n"
	    "msgstr \"\"\n\n"
	    "msgid \"%zu day\"\n"
	    "msgid_plural \"%zu days\"\n"
	    "msgstr[0] \"%zu jour\"\n"
	    "msgstr[1] \"\"\n\n"
	    "#~ msgid \"Old\"\n"
	    "#~ msgstr \"Vieux\"\n\n"
	    "#, c-format\n"
	    "msgid \"Revenue\"\n"
	    "msgstr \"Revenus\"\n");
	assert_null(catalog_get(c, NULL, "Window", NULL, 0));
	assert_null(catalog_get(c, NULL, "rule %s", NULL, 0));
	assert_null(catalog_get(c, NULL, "Cost", NULL, 0));
	assert_null(catalog_get(c, NULL, "%zu day", "%zu days", 1));
	assert_null(catalog_get(c, NULL, "Old", NULL, 0));
	/* The fuzzy flag belongs to its entry only. */
	assert_string_equal(catalog_get(c, NULL, "Revenue", NULL, 0),
	    "Revenus");
	assert_int_equal(catalog_count(c), 1);
	catalog_free(c);
}

static void
test_errors(void **state)
{
	(void)state;
	parse_error("msgid \"a\"\nmsgstr \"b\\q\"\n", "t.po:2: unknown escape \\q");
	parse_error("msgid \"a\nmsgstr \"b\"\n", "t.po:1: unterminated string");
	parse_error("msgid \"a\" x\nmsgstr \"b\"\n", "t.po:1: text after");
	parse_error("msgid a\n", "t.po:1: expected a quoted string");
	parse_error("msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n",
	    "t.po:3: msgid \"a\" without msgstr");
	parse_error("msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"\n",
	    "t.po:3: msgstr out of place");
	parse_error("msgstr \"b\"\n", "t.po:1: msgstr out of place");
	parse_error("\"b\"\n", "t.po:1: a string outside any entry");
	parse_error("msgid \"a\"\nmsgstr[0] \"b\"\n",
	    "msgstr[N] without msgid_plural");
	parse_error("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n",
	    "msgid_plural needs msgstr[0]");
	parse_error("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"b\"\n",
	    "t.po:3: msgstr[1] out of place (expected msgstr[0])");
	parse_error(HEADER("nplurals=2; plural=(n > 1);")
	    "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n",
	    "has 1 plural forms, the header says 2");
	parse_error("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n",
	    "msgid \"a\" twice");
	parse_error("msgfoo \"a\"\n", "t.po:1: unknown keyword \"msgfoo\"");
	parse_error("msgid \"a\"\nmsgstr \"\\x\"\n", "\\x without hex digits");
	parse_error("msgid \"a\"\nmsgstr \"\\0\"\n", "octal escape out of range");
	parse_error("msgid \"a\"\n", "the file ends inside an entry");
	parse_error(HEADER("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
	    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"),
	    "unsupported Plural-Forms");
	parse_error(HEADER("plural=(n != 1);"), "Plural-Forms without nplurals");
	parse_error(HEADER("nplurals=2; plural=(n > 1);")
	    HEADER("nplurals=2; plural=(n > 1);"), "a second header");
}

/* A NUL byte inside the text (strlen() would hide it). */
static void
test_nul_byte(void **state)
{
	static const char text[] = "msgid \"a\"\nmsgstr \"b\0c\"\n";
	char		*cause = NULL;

	(void)state;
	assert_null(catalog_parse(text, sizeof text - 1, "t.po", &cause));
	assert_non_null(strstr(cause, "t.po:2: a NUL byte"));
	free(cause);
}

/* The catalogues built in: every one parses, English and French exist. */
static void
test_embedded(void **state)
{
	const char *const *langs;
	char		*cause = NULL;
	struct catalog	*c;
	size_t		 i;

	(void)state;
	assert_true(catalog_nsources >= 2);
	for (i = 0; i < catalog_nsources; i++) {
		c = catalog_parse(catalog_sources[i].text,
		    catalog_sources[i].len, catalog_sources[i].lang, &cause);
		if (c == NULL)
			fail_msg("po/%s.po: %s", catalog_sources[i].lang, cause);
		assert_true(catalog_count(c) > 50);
		catalog_free(c);
	}
	langs = catalog_languages();
	assert_string_equal(langs[0], "en");
	assert_string_equal(langs[1], "fr");
	assert_true(catalog_has_language("fr"));
	assert_false(catalog_has_language("de"));
	assert_false(catalog_has_language(NULL));
}

static void
test_lookup_fallbacks(void **state)
{
	unsigned long	 misses;

	(void)state;
	assert_string_equal(tr("fr", "Hello,"), "Bonjour,");
	assert_string_equal(tr("fr_FR", "Hello,"), "Bonjour,");
	assert_string_equal(tr("fr-CA", "Hello,"), "Bonjour,");
	assert_string_equal(tr("FR", "Hello,"), "Bonjour,");
	assert_string_equal(tr("en", "Hello,"), "Hello,");
	/* Unknown languages read English. */
	assert_string_equal(tr("de", "Hello,"), "Hello,");
	assert_string_equal(tr("", "Hello,"), "Hello,");
	assert_string_equal(tr(NULL, "Hello,"), "Hello,");
	assert_string_equal(tr("francais", "Hello,"), "Hello,");
	/* Contexts and plurals. */
	assert_string_equal(trc("fr", "severity", "good"), "bonne nouvelle");
	assert_string_equal(trc("en", "severity", "good"), "good");
	assert_string_equal(trc("fr", "number", "."), ",");
	assert_string_equal(trc("fr", "label separator", ":"), "\xc2\xa0:");
	assert_string_equal(trn("fr", " %zu alert", " %zu alerts", 1),
	    " %zu alerte");
	assert_string_equal(trn("fr", " %zu alert", " %zu alerts", 2),
	    " %zu alertes");
	assert_string_equal(trn("en", " %zu alert", " %zu alerts", 0),
	    " %zu alerts");
	assert_int_equal(catalog_misses(), 0);
	/* A missing msgid: itself, counted, never a crash. */
	misses = catalog_misses();
	assert_string_equal(tr("fr", "no such message"), "no such message");
	assert_string_equal(trc("en", "nowhere", "Hello,"), "Hello,");
	assert_string_equal(trn("fr", "%zu thing", "%zu things", 1),
	    "%zu thing");
	assert_string_equal(trn("fr", "%zu thing", "%zu things", 3),
	    "%zu things");
	assert_string_equal(tr("fr", NULL), "");
	assert_int_equal(catalog_misses(), misses + 4);
}

/* The first lookups race from many threads: one parse, the same answers. */
static void *
lookup_thread(void *arg)
{
	int	 i, bad = 0;

	(void)arg;
	for (i = 0; i < 2000; i++) {
		bad += strcmp(tr("fr", "Hello,"), "Bonjour,") != 0;
		bad += strcmp(tr("en", "Hello,"), "Hello,") != 0;
		bad += strcmp(trc("fr", "severity", "critical"), "critique") != 0;
	}
	return (void *)(intptr_t)bad;
}

static void
test_threads(void **state)
{
	pthread_t	 t[8];
	void		*bad;
	size_t		 i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, lookup_thread,
		    NULL), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_int_equal((intptr_t)bad, 0);
	}
}

/*
 * Numbers, money and dates follow the reader's language through the
 * catalogue: separators, the place of the currency, the date's order.
 */
static void
test_formats_follow_language(void **state)
{
	struct kpi_value	 v;
	struct window_range	 w;
	char			 buf[128];

	(void)state;
	assert_string_equal(money_format_currency(87000000000LL, "EUR", "fr",
	    buf, sizeof buf), "87" NNBSP "000,00" NBSP "\xe2\x82\xac");
	assert_string_equal(money_format_currency(87000000000LL, "USD", "en",
	    buf, sizeof buf), "$87,000.00");
	assert_string_equal(money_format_currency(87000000000LL, "USD",
	    "fr_CA", buf, sizeof buf), "87" NNBSP "000,00" NBSP "$");
	assert_string_equal(money_format_currency(25750000000LL, "JPY", "fr",
	    buf, sizeof buf), "25" NNBSP "750" NBSP "\xc2\xa5");
	assert_string_equal(money_format_currency(25750000000LL, "JPY", "en",
	    buf, sizeof buf), "\xc2\xa5" "25,750");
	assert_string_equal(money_format_currency(-25750000000LL, "CHF", "en",
	    buf, sizeof buf), "-25,750.00 CHF");
	assert_string_equal(money_format_currency(-25750000000LL, "CHF", "fr",
	    buf, sizeof buf), "-25" NNBSP "750,00" NBSP "CHF");
	/* An unknown language reads English. */
	assert_string_equal(money_format_currency(87000000000LL, "EUR", "de",
	    buf, sizeof buf), "\xe2\x82\xac" "87,000.00");
	assert_string_equal(money_format(1234567890000LL, "fr", buf,
	    sizeof buf), "1" NNBSP "234" NNBSP "567,89");

	memset(&v, 0, sizeof v);
	v.defined = 1;
	v.value = 0.125;
	assert_string_equal(kpi_format_value(kpi_def(KPI_ROI), &v, "EUR", "fr",
	    buf, sizeof buf), "12,50" NNBSP "%");
	assert_string_equal(kpi_format_value(kpi_def(KPI_ROI), &v, "EUR", "en",
	    buf, sizeof buf), "12.50%");
	v.value = 3.375;
	assert_string_equal(kpi_format_value(kpi_def(KPI_ROAS), &v, "EUR",
	    "fr", buf, sizeof buf), "3,38:1");

	w.from = metric_days_from_civil(2026, 11, 25);
	w.to = metric_days_from_civil(2026, 12, 1);
	assert_string_equal(window_format_range(&w, "fr", buf, sizeof buf),
	    "du 25/11/2026 au 01/12/2026");
	assert_string_equal(window_format_range(&w, "en", buf, sizeof buf),
	    "2026-11-25 to 2026-12-01");
	w.from = w.to;
	assert_string_equal(window_format_range(&w, "fr", buf, sizeof buf),
	    "le 01/12/2026");
	assert_int_equal(catalog_misses(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: its threads make the first lookups. */
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_strings_and_escapes),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_plurals),
		cmocka_unit_test(test_fuzzy_untranslated_obsolete),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_formats_follow_language),
		cmocka_unit_test(test_lookup_fallbacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
