/*
 * The message catalogue (catalog.h): a small parser of gettext .po files and
 * the per-language lookups tr(), trc(), trn() over the files embedded at build
 * time. The parser is pure; the lookups parse every embedded file once
 * (pthread_once) and are read-only afterwards, so any thread may call them.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "log.h"
#include "xmalloc.h"

#define CAT_FORMS_MAX	8	/* msgstr[0] .. msgstr[7] */

/* The Plural-Forms expressions understood. */
enum cat_plural {
	CAT_PLURAL_NE1,		/* n != 1: English, German, Spanish... */
	CAT_PLURAL_GT1,		/* n > 1: French, Brazilian Portuguese */
	CAT_PLURAL_ONE,		/* 0 (nplurals=1): Japanese, Chinese... */
	CAT_PLURAL_MAX
};

struct cat_entry {
	char	*ctx;		/* "" when none */
	char	*id;
	char	*id_plural;	/* NULL when none */
	char	*str[CAT_FORMS_MAX];
	int	 nstr;
};

struct catalog {
	struct cat_entry	*e;
	size_t			 n, cap;
	enum cat_plural		 plural;
	int			 nplurals;
};

/* ---- Parser ---- */

/* A growable string. */
struct cat_buf {
	char	*p;
	size_t	 len, cap;
};

static void
cat_buf_add(struct cat_buf *b, char c)
{
	if (b->len + 2 > b->cap) {
		b->cap = b->cap == 0 ? 64 : b->cap * 2;
		b->p = xreallocarray(b->p, 1, b->cap);
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static char *
cat_buf_take(struct cat_buf *b)
{
	char	*s = b->p != NULL ? b->p : xstrdup("");

	b->p = NULL;
	b->len = b->cap = 0;
	return s;
}

/* Which part of an entry a string line continues. */
enum cat_field {
	CAT_NONE,
	CAT_CTX,
	CAT_ID,
	CAT_IDP,
	CAT_STR		/* + index */
};

struct cat_parse {
	const char	*name;
	int		 line;
	char		*cause;
	/* The entry being read. */
	struct cat_buf	 ctx, id, idp, str[CAT_FORMS_MAX];
	int		 has_ctx, has_id, has_idp, has_str, nidx;
	unsigned	 idx_seen;	/* bit i: msgstr[i] */
	int		 fuzzy, next_fuzzy;
	enum cat_field	 field;
	int		 field_idx;
	int		 have_header;
};

static void __attribute__((format(printf, 2, 3)))
cat_error(struct cat_parse *p, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	if (p->cause != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xasprintf(&p->cause, "%s:%d: %s", p->name, p->line, msg);
}

static int
cat_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A C string literal at s (which points at its opening quote) appended to b
 * with its escapes decoded; the rest of the line must be blank.
 */
static int
cat_string(struct cat_parse *p, const char *s, const char *end,
    struct cat_buf *b)
{
	int	 v, k;

	if (s >= end || *s != '"') {
		cat_error(p, "expected a quoted string");
		return -1;
	}
	for (s++; s < end && *s != '"'; s++) {
		if (*s != '\\') {
			cat_buf_add(b, *s);
			continue;
		}
		if (++s >= end)
			break;
		switch (*s) {
		case 'n': cat_buf_add(b, '\n'); break;
		case 't': cat_buf_add(b, '\t'); break;
		case 'r': cat_buf_add(b, '\r'); break;
		case 'a': cat_buf_add(b, '\a'); break;
		case 'b': cat_buf_add(b, '\b'); break;
		case 'f': cat_buf_add(b, '\f'); break;
		case 'v': cat_buf_add(b, '\v'); break;
		case '"': case '\\': case '\'': case '?':
			cat_buf_add(b, *s);
			break;
		case 'x':
			v = 0;
			for (k = 0; s + 1 < end && cat_hex(s[1]) >= 0 && k < 2;
			    k++)
				v = v * 16 + cat_hex(*++s);
			if (k == 0) {
				cat_error(p, "\\x without hex digits");
				return -1;
			}
			if (v == 0) {
				cat_error(p, "a NUL byte (\\x00) in a string");
				return -1;
			}
			cat_buf_add(b, (char)v);
			break;
		default:
			if (*s < '0' || *s > '7') {
				cat_error(p, "unknown escape \\%c", *s);
				return -1;
			}
			v = 0;
			for (k = 0; k < 3 && s < end && *s >= '0' && *s <= '7';
			    k++)
				v = v * 8 + (*s++ - '0');
			s--;
			if (v == 0 || v > 255) {
				cat_error(p, "octal escape out of range (1 to "
				    "\\377)");
				return -1;
			}
			cat_buf_add(b, (char)v);
			break;
		}
	}
	if (s >= end) {
		cat_error(p, "unterminated string");
		return -1;
	}
	for (s++; s < end; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\r') {
			cat_error(p, "text after the closing quote");
			return -1;
		}
	}
	return 0;
}

static void
cat_reset(struct cat_parse *p)
{
	int	 i;

	free(cat_buf_take(&p->ctx));
	free(cat_buf_take(&p->id));
	free(cat_buf_take(&p->idp));
	for (i = 0; i < CAT_FORMS_MAX; i++)
		free(cat_buf_take(&p->str[i]));
	p->has_ctx = p->has_id = p->has_idp = p->has_str = 0;
	p->nidx = 0;
	p->idx_seen = 0;
	p->fuzzy = 0;
	p->field = CAT_NONE;
}

/* "nplurals=2; plural=(n > 1);" from the header's Plural-Forms line. */
static int
cat_plural_forms(struct cat_parse *p, struct catalog *c, const char *hdr)
{
	const char	*l, *e;
	char		 expr[128];
	size_t		 o = 0;
	int		 np = -1;

	for (l = hdr; l != NULL && *l != '\0'; l = e != NULL ? e + 1 : NULL) {
		e = strchr(l, '\n');
		if (strncasecmp(l, "Plural-Forms:", 13) == 0)
			break;
	}
	if (l == NULL || *l == '\0')
		return 0;	/* no header line: n != 1, as gettext */
	for (l += 13; *l != '\0' && *l != '\n'; l++) {
		if (*l == ' ' || *l == '\t' || *l == '(' || *l == ')' ||
		    *l == ';')
			continue;
		if (o + 1 < sizeof expr)
			expr[o++] = *l;
	}
	expr[o] = '\0';
	if (sscanf(expr, "nplurals=%d", &np) != 1) {
		cat_error(p, "Plural-Forms without nplurals");
		return -1;
	}
	e = strstr(expr, "plural=");
	e = e != NULL ? e + 7 : "";
	if (np == 2 && strcmp(e, "n!=1") == 0)
		c->plural = CAT_PLURAL_NE1;
	else if (np == 2 && strcmp(e, "n>1") == 0)
		c->plural = CAT_PLURAL_GT1;
	else if (np == 1 && strcmp(e, "0") == 0)
		c->plural = CAT_PLURAL_ONE;
	else {
		cat_error(p, "unsupported Plural-Forms \"%s\" (supported: "
		    "nplurals=2; plural=(n != 1); nplurals=2; plural=(n > 1); "
		    "nplurals=1; plural=0)", expr);
		return -1;
	}
	c->nplurals = np;
	return 0;
}

static int
cat_entry_cmp(const void *a, const void *b)
{
	const struct cat_entry *x = a, *y = b;
	int	 r = strcmp(x->ctx, y->ctx);

	return r != 0 ? r : strcmp(x->id, y->id);
}

/* The entry read so far into the catalogue (or dropped: fuzzy, empty). */
static int
cat_finish(struct cat_parse *p, struct catalog *c)
{
	struct cat_entry *e;
	int		 i, n;

	if (!p->has_ctx && !p->has_id && !p->has_str) {
		cat_reset(p);
		return 0;
	}
	if (!p->has_id) {
		cat_error(p, "an entry without msgid");
		return -1;
	}
	if (!p->has_str) {
		cat_error(p, "msgid \"%.40s\" without msgstr", p->id.p ?
		    p->id.p : "");
		return -1;
	}
	if (p->has_idp && p->nidx == 0) {
		cat_error(p, "msgid_plural needs msgstr[0], msgstr[1]...");
		return -1;
	}
	if (!p->has_idp && p->nidx > 0) {
		cat_error(p, "msgstr[N] without msgid_plural");
		return -1;
	}
	n = p->has_idp ? p->nidx : 1;
	for (i = 0; i < n; i++) {
		if ((p->idx_seen & (1u << i)) == 0 && p->has_idp) {
			cat_error(p, "msgstr[%d] missing", i);
			return -1;
		}
	}
	/* The header: its Plural-Forms, then nothing more to keep. */
	if (!p->has_ctx && p->id.len == 0) {
		if (p->have_header) {
			cat_error(p, "a second header (msgid \"\")");
			return -1;
		}
		p->have_header = 1;
		if (!p->fuzzy && cat_plural_forms(p, c, p->str[0].p) != 0)
			return -1;
		cat_reset(p);
		return 0;
	}
	/* Fuzzy and untranslated entries are not translations. */
	for (i = 0; i < n; i++)
		if (p->str[i].len == 0)
			break;
	if (p->fuzzy || i < n) {
		cat_reset(p);
		return 0;
	}
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 64 : c->cap * 2;
		c->e = xreallocarray(c->e, c->cap, sizeof *c->e);
	}
	e = &c->e[c->n++];
	memset(e, 0, sizeof *e);
	e->ctx = cat_buf_take(&p->ctx);
	e->id = cat_buf_take(&p->id);
	e->id_plural = p->has_idp ? cat_buf_take(&p->idp) : NULL;
	for (i = 0; i < n; i++)
		e->str[i] = cat_buf_take(&p->str[i]);
	e->nstr = n;
	cat_reset(p);
	return 0;
}

/* One line of the file: a comment, a keyword and its string, or a string
 * continuing the last keyword's. */
static int
cat_line(struct cat_parse *p, struct catalog *c, const char *s,
    const char *end)
{
	struct cat_buf	*b;
	const char	*kw;
	size_t		 kl;
	int		 idx;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == '\r' || end[-1] == ' ' ||
	    end[-1] == '\t'))
		end--;
	if (s == end)
		return 0;
	if (*s == '#') {
		/* "#, fuzzy, c-format": flags of the next entry. */
		if (end - s >= 2 && s[1] == ',') {
			char flags[256];
			size_t fl = (size_t)(end - s);

			if (fl >= sizeof flags)
				fl = sizeof flags - 1;
			memcpy(flags, s, fl);
			flags[fl] = '\0';
			if (strstr(flags, "fuzzy") != NULL)
				p->next_fuzzy = 1;
		}
		return 0;	/* "#~" obsolete entries: comments too */
	}
	if (*s == '"') {
		switch (p->field) {
		case CAT_CTX: b = &p->ctx; break;
		case CAT_ID: b = &p->id; break;
		case CAT_IDP: b = &p->idp; break;
		case CAT_STR: b = &p->str[p->field_idx]; break;
		default:
			cat_error(p, "a string outside any entry");
			return -1;
		}
		return cat_string(p, s, end, b);
	}
	kw = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '"')
		s++;
	kl = (size_t)(s - kw);
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	/* msgctxt or msgid after a msgstr start the next entry. */
	if (((kl == 7 && memcmp(kw, "msgctxt", 7) == 0) ||
	    (kl == 5 && memcmp(kw, "msgid", 5) == 0)) &&
	    (p->has_str || (kl == 7 && (p->has_ctx || p->has_id)))) {
		if (cat_finish(p, c) != 0)
			return -1;
	}
	if (p->field == CAT_NONE && !p->has_ctx && !p->has_id) {
		p->fuzzy = p->next_fuzzy;
		p->next_fuzzy = 0;
	}
	if (kl == 7 && memcmp(kw, "msgctxt", 7) == 0) {
		p->has_ctx = 1;
		p->field = CAT_CTX;
		return cat_string(p, s, end, &p->ctx);
	}
	if (kl == 5 && memcmp(kw, "msgid", 5) == 0) {
		if (p->has_id) {
			cat_error(p, "msgid \"%.40s\" without msgstr",
			    p->id.p != NULL ? p->id.p : "");
			return -1;
		}
		p->has_id = 1;
		p->field = CAT_ID;
		return cat_string(p, s, end, &p->id);
	}
	if (kl == 12 && memcmp(kw, "msgid_plural", 12) == 0) {
		if (!p->has_id || p->has_idp || p->has_str) {
			cat_error(p, "msgid_plural out of place");
			return -1;
		}
		p->has_idp = 1;
		p->field = CAT_IDP;
		return cat_string(p, s, end, &p->idp);
	}
	if (kl == 6 && memcmp(kw, "msgstr", 6) == 0) {
		if (!p->has_id || p->has_str) {
			cat_error(p, "msgstr out of place");
			return -1;
		}
		p->has_str = 1;
		p->field = CAT_STR;
		p->field_idx = 0;
		return cat_string(p, s, end, &p->str[0]);
	}
	if (kl == 9 && memcmp(kw, "msgstr[", 7) == 0 && kw[7] >= '0' &&
	    kw[7] <= '9' && kw[8] == ']') {
		idx = kw[7] - '0';
		if (!p->has_id || idx >= CAT_FORMS_MAX || idx != p->nidx ||
		    (p->has_str && p->nidx == 0)) {
			cat_error(p, "msgstr[%d] out of place (expected "
			    "msgstr[%d])", idx, p->nidx);
			return -1;
		}
		p->has_str = 1;
		p->idx_seen |= 1u << idx;
		p->nidx++;
		p->field = CAT_STR;
		p->field_idx = idx;
		return cat_string(p, s, end, &p->str[idx]);
	}
	cat_error(p, "unknown keyword \"%.*s\"", (int)(kl > 20 ? 20 : kl), kw);
	return -1;
}

struct catalog *
catalog_parse(const char *text, size_t len, const char *name, char **cause)
{
	struct catalog	*c = xcalloc(1, sizeof *c);
	struct cat_parse p;
	const char	*s = text, *end = text + len, *nl;
	size_t		 i;

	memset(&p, 0, sizeof p);
	p.name = name != NULL ? name : "catalogue";
	c->plural = CAT_PLURAL_NE1;
	c->nplurals = 2;
	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		if (memchr(s, '\0', (size_t)(nl - s)) != NULL) {
			cat_error(&p, "a NUL byte");
			break;
		}
		if (cat_line(&p, c, s, nl) != 0)
			break;
		s = nl + 1;
	}
	if (p.cause == NULL) {
		if (p.field == CAT_CTX || p.field == CAT_ID ||
		    p.field == CAT_IDP || (p.has_id && !p.has_str)) {
			cat_error(&p, "the file ends inside an entry");
		} else
			(void)cat_finish(&p, c);
	}
	if (c->n > 1)
		qsort(c->e, c->n, sizeof *c->e, cat_entry_cmp);
	for (i = 0; p.cause == NULL && i + 1 < c->n; i++) {
		if (cat_entry_cmp(&c->e[i], &c->e[i + 1]) == 0) {
			xasprintf(&p.cause, "%s: msgid \"%.40s\"%s%s%s twice",
			    p.name, c->e[i].id, *c->e[i].ctx ? " (context \"" :
			    "", c->e[i].ctx, *c->e[i].ctx ? "\")" : "");
		}
	}
	for (i = 0; p.cause == NULL && i < c->n; i++) {
		if (c->e[i].id_plural != NULL &&
		    c->e[i].nstr != c->nplurals) {
			xasprintf(&p.cause, "%s: msgid \"%.40s\" has %d plural "
			    "forms, the header says %d", p.name, c->e[i].id,
			    c->e[i].nstr, c->nplurals);
		}
	}
	cat_reset(&p);
	if (p.cause != NULL) {
		*cause = p.cause;
		catalog_free(c);
		return NULL;
	}
	return c;
}

void
catalog_free(struct catalog *c)
{
	size_t	 i;
	int	 j;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->e[i].ctx);
		free(c->e[i].id);
		free(c->e[i].id_plural);
		for (j = 0; j < c->e[i].nstr; j++)
			free(c->e[i].str[j]);
	}
	free(c->e);
	free(c);
}

size_t
catalog_count(const struct catalog *c)
{
	return c->n;
}

int
catalog_nplurals(const struct catalog *c)
{
	return c->nplurals;
}

static int
cat_form(const struct catalog *c, unsigned long n)
{
	switch (c->plural) {
	case CAT_PLURAL_GT1:
		return n > 1;
	case CAT_PLURAL_ONE:
		return 0;
	default:
		return n != 1;
	}
}

const char *
catalog_get(const struct catalog *c, const char *ctx, const char *msgid,
    const char *plural, unsigned long n)
{
	struct cat_entry key, *e;
	int		 f;

	if (c == NULL || msgid == NULL || c->n == 0)
		return NULL;
	memset(&key, 0, sizeof key);
	key.ctx = (char *)(uintptr_t)(ctx != NULL ? ctx : "");
	key.id = (char *)(uintptr_t)msgid;
	e = bsearch(&key, c->e, c->n, sizeof *c->e, cat_entry_cmp);
	if (e == NULL)
		return NULL;
	if (plural == NULL)
		return e->str[0];
	if (e->id_plural == NULL || strcmp(e->id_plural, plural) != 0)
		return NULL;
	f = cat_form(c, n);
	return f < e->nstr ? e->str[f] : NULL;
}

/* ---- The embedded catalogues ---- */

static pthread_once_t	 cat_once = PTHREAD_ONCE_INIT;
static struct catalog	**cat_loaded;	/* parallel to catalog_sources */
static const char	**cat_names;	/* NULL-terminated */
static const struct catalog *cat_english;
static atomic_ulong	 cat_nmisses;

static int
cat_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
cat_load(void)
{
	char	*cause = NULL, name[64];
	size_t	 i, k = 0;

	cat_loaded = xcalloc(catalog_nsources + 1, sizeof *cat_loaded);
	cat_names = xcalloc(catalog_nsources + 1, sizeof *cat_names);
	for (i = 0; i < catalog_nsources; i++) {
		const struct catalog_source *s = &catalog_sources[i];

		snprintf(name, sizeof name, "po/%s.po", s->lang);
		cat_loaded[i] = catalog_parse(s->text, s->len, name, &cause);
		if (cat_loaded[i] == NULL) {
			/* The tests parse every file: this is a bad build. */
			log_warnx("catalogue %s: %s; its language reads "
			    "English", name, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		cat_names[k++] = s->lang;
		if (strcmp(s->lang, "en") == 0)
			cat_english = cat_loaded[i];
	}
	if (k > 1)
		qsort(cat_names, k, sizeof *cat_names, cat_name_cmp);
}

/* The catalogue of "fr", "fr_FR", "fr-CA.UTF-8"...; NULL: none. */
static const struct catalog *
cat_find(const char *lang)
{
	size_t	 i, n;

	pthread_once(&cat_once, cat_load);
	if (lang == NULL)
		return NULL;
	n = strcspn(lang, "_-.@");
	for (i = 0; i < catalog_nsources; i++) {
		if (cat_loaded[i] != NULL &&
		    strcasecmp(catalog_sources[i].lang, lang) == 0)
			return cat_loaded[i];
	}
	for (i = 0; i < catalog_nsources; i++) {
		if (cat_loaded[i] != NULL &&
		    strlen(catalog_sources[i].lang) == n &&
		    strncasecmp(catalog_sources[i].lang, lang, n) == 0)
			return cat_loaded[i];
	}
	return NULL;
}

static const char *
cat_lookup(const char *lang, const char *ctx, const char *msgid,
    const char *plural, unsigned long n)
{
	const struct catalog *c = cat_find(lang);
	const char	*s;
	unsigned long	 k;

	if (msgid == NULL)
		return "";
	if ((s = catalog_get(c, ctx, msgid, plural, n)) != NULL)
		return s;
	if (c != cat_english &&
	    (s = catalog_get(cat_english, ctx, msgid, plural, n)) != NULL)
		return s;	/* a language not (yet) complete */
	k = atomic_fetch_add(&cat_nmisses, 1);
	if (k < 20)
		log_warnx("catalogue: no translation of \"%s\"%s%s%s", msgid,
		    ctx != NULL ? " (context \"" : "", ctx != NULL ? ctx : "",
		    ctx != NULL ? "\")" : "");
	if (plural == NULL || n == 1)
		return msgid;
	return plural;
}

const char *
tr(const char *lang, const char *msgid)
{
	return cat_lookup(lang, NULL, msgid, NULL, 0);
}

const char *
trc(const char *lang, const char *ctx, const char *msgid)
{
	return cat_lookup(lang, ctx, msgid, NULL, 0);
}

const char *
trn(const char *lang, const char *msgid, const char *plural, unsigned long n)
{
	return cat_lookup(lang, NULL, msgid, plural, n);
}

const char *
trcn(const char *lang, const char *ctx, const char *msgid, const char *plural,
    unsigned long n)
{
	return cat_lookup(lang, ctx, msgid, plural, n);
}

unsigned long
catalog_misses(void)
{
	return atomic_load(&cat_nmisses);
}

int
catalog_has_language(const char *lang)
{
	size_t	 i;

	pthread_once(&cat_once, cat_load);
	for (i = 0; lang != NULL && cat_names[i] != NULL; i++)
		if (strcmp(cat_names[i], lang) == 0)
			return 1;
	return 0;
}

const char *const *
catalog_languages(void)
{
	pthread_once(&cat_once, cat_load);
	return cat_names;
}
