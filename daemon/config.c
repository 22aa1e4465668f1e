/*
 * Configuration loading (include/config.h): the main file, then one file per
 * client in clients_dir, each walked with its option table (config-table.c)
 * by the generic walker (config-value.c); then the clients indexed by id,
 * with ids and ingest tokens refused twice. The validators of client
 * options (id, currency, time zone) and of the listen address live here.
 * Receivers, sources and printing have their own files (config-internal.h
 * lists them).
 *
 * Files are read with jsonc (JSON with comments) so that every error can name
 * "FILE:LINE: option 'name': reason". Secrets are read from files named in the
 * configuration, never written inline, and never printed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-internal.h"
#include "currency.h"
#include "jsonc.h"
#include "log.h"
#include "tz.h"
#include "xmalloc.h"

#define CONFIG_MAX_FILE		(1024 * 1024)	/* a configuration file */

int
cfg_check_id(const char *s, char **why)
{
	size_t	i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		goto bad;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= 63)
			goto bad;
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-", s[i]) ==
		    NULL)
			goto bad;
	}
	return 0;
bad:
	xasprintf(why, "\"%s\" is not a valid identifier"
	    " ([a-z0-9][a-z0-9_.-]*, at most 63 characters)", s);
	return -1;
}

/*
 * An active ISO 4217 code of a real currency (currency.h): "EUX" and "eur" are
 * refused, and so are the codes of funds, metals and special units, which are
 * ISO 4217 codes but not money an agency's client spends.
 */
int
cfg_check_currency(const char *s, char **why)
{
	const struct currency	*c;
	char			 up[4];
	size_t			 i;

	if ((c = currency_lookup(s)) == NULL) {
		for (i = 0; i < 3 && s[i] >= 'a' && s[i] <= 'z'; i++)
			up[i] = (char)(s[i] - 'a' + 'A');
		up[i] = '\0';
		if (i == 3 && s[3] == '\0' && currency_lookup(up) != NULL)
			xasprintf(why, "\"%s\" is not an ISO 4217 currency"
			    " code (codes are upper case: \"%s\")", s, up);
		else
			xasprintf(why, "\"%s\" is not an ISO 4217 currency"
			    " code (e.g. \"EUR\", \"USD\")", s);
		return -1;
	}
	switch (c->kind) {
	case CURRENCY_MONEY:
		return 0;
	case CURRENCY_FUND:
		xasprintf(why, "\"%s\" is an ISO 4217 fund code, not a"
		    " currency amounts are spent in", s);
		break;
	case CURRENCY_METAL:
		xasprintf(why, "\"%s\" is the ISO 4217 code of a precious"
		    " metal, not a currency amounts are spent in", s);
		break;
	default:
		xasprintf(why, "\"%s\" is an ISO 4217 special unit (SDR,"
		    " bond-market, testing or \"no currency\" code), not a"
		    " currency amounts are spent in", s);
		break;
	}
	return -1;
}

/* A zone that loads: a TZif file under $TZDIR or the system's zoneinfo
 * (cfg_load_client() then keeps it loaded for the client). */
int
cfg_check_timezone(const char *s, char **why)
{
	struct tz *tz;

	if ((tz = tz_load(s, why)) == NULL)
		return -1;
	tz_free(tz);
	return 0;
}

int
cfg_check_listen_addr(const char *s, char **why)
{
	if (strspn(s, "0123456789abcdefABCDEF.:-_ghijklmnopqrstuvwxyz"
	    "GHIJKLMNOPQRSTUVWXYZ") == strlen(s))
		return 0;
	xasprintf(why, "\"%s\" is not an address or host name", s);
	return -1;
}

static void
cfg_free_client(struct client_conf *c)
{
	cfg_free_object(cfg_client_opts, cfg_nclient_opts, c);
	cfg_free_client_rules(c);
	tz_free(c->tz);
	free(c->file);
}

void
config_free(struct config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	cfg_free_object(cfg_main_opts, cfg_nmain_opts, cfg);
	for (i = 0; i < cfg->nclients; i++)
		cfg_free_client(&cfg->clients[i]);
	free(cfg->clients);
	free(cfg->by_id);
	free(cfg->path);
	free(cfg);
}

/* By id, then in file order (the clients array is in file name order). */
static int
cfg_client_cmp(const void *a, const void *b)
{
	const struct client_conf *ca = *(const struct client_conf *const *)a;
	const struct client_conf *cb = *(const struct client_conf *const *)b;
	int c = strcmp(ca->id, cb->id);

	return c != 0 ? c : (ca > cb) - (ca < cb);
}

static int
cfg_token_cmp(const void *a, const void *b)
{
	const struct client_conf *ca = *(const struct client_conf *const *)a;
	const struct client_conf *cb = *(const struct client_conf *const *)b;
	int c = strcmp(ca->ingest_token, cb->ingest_token);

	return c != 0 ? c : (ca > cb) - (ca < cb);
}

/*
 * Index clients by id and refuse two files with the same id or the same
 * token (one client's data would go to the other). Sorting keeps this
 * O(n log n) for agencies with thousands of clients; the error names the
 * later file and the earlier one, as a reader going through the files would.
 */
static int
cfg_index_clients(struct config *cfg, char **cause)
{
	const struct client_conf **by_token, *a, *b;
	size_t i;

	cfg->by_id = xcalloc(cfg->nclients + 1, sizeof *cfg->by_id);
	for (i = 0; i < cfg->nclients; i++)
		cfg->by_id[i] = &cfg->clients[i];
	if (cfg->nclients < 2)
		return 0;
	qsort(cfg->by_id, cfg->nclients, sizeof *cfg->by_id, cfg_client_cmp);
	for (i = 1; i < cfg->nclients; i++) {
		a = cfg->by_id[i - 1];
		b = cfg->by_id[i];
		if (strcmp(a->id, b->id) == 0) {
			xasprintf(cause, "%s:%d: option 'id': client '%s' is"
			    " already defined in %s", b->file, b->id_line,
			    b->id, a->file);
			return -1;
		}
	}
	by_token = xcalloc(cfg->nclients, sizeof *by_token);
	memcpy(by_token, cfg->by_id, cfg->nclients * sizeof *by_token);
	qsort(by_token, cfg->nclients, sizeof *by_token, cfg_token_cmp);
	for (i = 1; i < cfg->nclients; i++) {
		a = by_token[i - 1];
		b = by_token[i];
		if (strcmp(a->ingest_token, b->ingest_token) == 0) {
			xasprintf(cause, "%s:%d: option 'token_file': same token"
			    " as client '%s' (%s): tokens must differ", b->file,
			    b->token_line, a->id, a->file);
			free(by_token);
			return -1;
		}
	}
	free(by_token);
	return 0;
}

/* Read and parse one file into a tree whose root is an object. */
static cJSON *
cfg_parse_file(const char *path, struct jsonc_lines **lines, char **cause)
{
	char	*text, *why;
	size_t	 len;
	cJSON	*root;

	if ((text = cfg_read_file(path, CONFIG_MAX_FILE, &len, cause)) == NULL)
		return NULL;
	root = jsonc_parse(text, len, lines, &why);
	free(text);
	if (root == NULL) {
		/* why is "line N: reason": make it "FILE:N: reason". */
		if (strncmp(why, "line ", 5) == 0)
			xasprintf(cause, "%s:%s", path, why + 5);
		else
			xasprintf(cause, "%s: %s", path, why);
		free(why);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		xasprintf(cause, "%s:%d: the file must hold one JSON object"
		    " { ... }", path, jsonc_line(*lines, root));
		cJSON_Delete(root);
		jsonc_lines_free(*lines);
		*lines = NULL;
		return NULL;
	}
	return root;
}

static int
cfg_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Whether a name in clients_dir is a client file's: *.conf, no dotfiles
 * (editor backups such as "x.conf~" or ".x.conf.swp" do not end in ".conf";
 * a hidden file is an editor's or a tool's, never the operator's).
 */
int
config_client_file_name(const char *name, const char **why)
{
	size_t	 len = strlen(name);
	const char *w = NULL;

	if (name[0] == '.')
		w = "hidden files (starting with '.') are skipped";
	else if (len <= 5 || strcmp(name + len - 5, ".conf") != 0)
		w = "client files end in .conf";
	if (why != NULL)
		*why = w;
	return w == NULL;
}

/* Names of the client files (config_client_file_name), in name order. */
static int
cfg_client_files(const char *dir, char ***namesp, size_t *np, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL;
	size_t		 n = 0;

	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "clients_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!config_client_file_name(de->d_name, NULL))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cfg_name_cmp);
	*namesp = names;
	*np = n;
	return 0;
}

/* Load one client file into c; checks against clients already loaded. */
static int
cfg_load_client(struct config *cfg, struct client_conf *c, const char *path,
    const char *base, char **cause)
{
	struct jsonc_lines	*lines = NULL;
	struct cfg_ctx		 ctx;
	cJSON			*root;
	uint64_t		 seen = 0;
	char			*why = NULL;
	int			 r = -1;

	c->file = xstrdup(path);
	if ((root = cfg_parse_file(path, &lines, cause)) == NULL)
		return -1;
	memset(&ctx, 0, sizeof ctx);
	ctx.file = path;
	ctx.lines = lines;
	ctx.base = base;
	ctx.cfg = cfg;
	ctx.cause = cause;
	if (cfg_object(&ctx, cfg_client_opts, cfg_nclient_opts, root, c,
	    &seen) != 0)
		goto out;
	if (c->rules.has_target &&
	    c->rules.target_roi_ppm <= c->rules.min_roi_ppm) {
		cfg_error(&ctx, cfg_member_line(&ctx, root, "target_roi"),
		    "target_roi", "must be above minimum_roi");
		goto out;
	}
	/* The zone is read once here, for ingest (offsets) and windows. */
	if ((c->tz = tz_load(c->timezone, &why)) == NULL) {
		cfg_error(&ctx, cfg_member_line(&ctx, root, "timezone"),
		    "timezone", "%s", why);
		free(why);
		goto out;
	}
	c->id_line = cfg_member_line(&ctx, root, "id");
	c->token_line = cfg_member_line(&ctx, root, "token_file");
	if (cfg_client_rules(&ctx, root, c) != 0)
		goto out;
	if (cfg_receivers_mail(&ctx, root, c) != 0)
		goto out;
	if (cfg_client_digests(&ctx, root, c) != 0)
		goto out;
	r = 0;
out:
	cJSON_Delete(root);
	jsonc_lines_free(lines);
	return r;
}

/*
 * The operator's token reads every client's data: its file must not be
 * open to other users (group access is the administrator's choice, as for
 * the rest of the configuration), and the token must be no client's, or
 * one client's ingest token would read them all. path is as written.
 */
static int
cfg_check_operator(struct config *cfg, const char *base, const char *path,
    int line, char **cause)
{
	struct stat	 st;
	char		*full;
	size_t		 i;

	full = cfg_resolve(base, path);
	if (stat(full, &st) == -1) {
		xasprintf(cause, "%s:%d: option 'operator_token_file': cannot "
		    "stat %s: %s", cfg->path, line, full, strerror(errno));
		free(full);
		return -1;
	}
	if (st.st_mode & S_IRWXO) {
		xasprintf(cause, "%s:%d: option 'operator_token_file': %s is "
		    "open to other users (mode %04o): the operator's token "
		    "reads every client; chmod o-rwx it", cfg->path, line,
		    full, (unsigned)(st.st_mode & 07777));
		free(full);
		return -1;
	}
	free(full);
	for (i = 0; i < cfg->nclients; i++) {
		if (strcmp(cfg->clients[i].ingest_token,
		    cfg->operator_token) == 0) {
			xasprintf(cause, "%s:%d: option 'operator_token_file': "
			    "same token as client '%s' (%s): the operator's "
			    "token must be its own", cfg->path, line,
			    cfg->clients[i].id, cfg->clients[i].file);
			return -1;
		}
	}
	return 0;
}

struct config *
config_load(const char *path, const char *state_dir_override, char **cause)
{
	struct config		*cfg;
	struct jsonc_lines	*lines = NULL;
	struct cfg_ctx		 ctx;
	cJSON			*root = NULL;
	char			*copy, *slash, *base = NULL, *file, **names = NULL;
	char			*op_path = NULL;
	size_t			 nnames = 0, i;
	uint64_t		 seen = 0;
	int			 op_line = 0;
	const cJSON		*op;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	if ((root = cfg_parse_file(path, &lines, cause)) == NULL)
		goto fail;

	copy = xstrdup(path);
	if ((slash = strrchr(copy, '/')) != NULL)
		*(slash == copy ? slash + 1 : slash) = '\0';
	base = realpath(slash != NULL ? copy : ".", NULL);
	free(copy);
	if (base == NULL) {
		xasprintf(cause, "%s: cannot resolve its directory: %s", path,
		    strerror(errno));
		goto fail;
	}

	memset(&ctx, 0, sizeof ctx);
	ctx.file = path;
	ctx.lines = lines;
	ctx.base = base;
	ctx.cfg = cfg;
	ctx.cause = cause;
	if (cfg_object(&ctx, cfg_main_opts, cfg_nmain_opts, root, cfg,
	    &seen) != 0)
		goto fail;
	if (state_dir_override != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = xstrdup(state_dir_override);
	}
	if (cfg->inbox_dir == NULL)
		xasprintf(&cfg->inbox_dir, "%s/inbox", cfg->state_dir);
	if (cfg->retry_initial_secs > cfg->retry_max_secs) {
		cfg_error(&ctx, cfg_member_line(&ctx, root,
		    "retry_initial_secs"), "retry_initial_secs",
		    "must not exceed retry_max_secs (%" PRId64 ")",
		    cfg->retry_max_secs);
		goto fail;
	}
	if (cfg->operator_token != NULL &&
	    (op = cJSON_GetObjectItemCaseSensitive(root,
	    "operator_token_file")) != NULL && cJSON_IsString(op)) {
		op_path = xstrdup(op->valuestring);
		op_line = cfg_member_line(&ctx, root, "operator_token_file");
	}
	cJSON_Delete(root);
	root = NULL;
	jsonc_lines_free(lines);
	lines = NULL;

	if (cfg_client_files(cfg->clients_dir, &names, &nnames, cause) != 0)
		goto fail;
	cfg->clients = xcalloc(nnames, sizeof *cfg->clients);
	for (i = 0; i < nnames; i++) {
		xasprintf(&file, "%s/%s", cfg->clients_dir, names[i]);
		if (cfg_load_client(cfg, &cfg->clients[cfg->nclients], file,
		    base, cause) != 0) {
			free(file);
			cfg->nclients++;	/* free what it holds */
			goto fail;
		}
		free(file);
		cfg->nclients++;
	}
	if (cfg->nclients == 0)
		log_warnx("%s: no client files (*.conf) in %s", path,
		    cfg->clients_dir);
	/* Every ingested row and every delivery looks its client up by id. */
	if (cfg_index_clients(cfg, cause) != 0)
		goto fail;
	if (op_path != NULL && cfg_check_operator(cfg, base, op_path, op_line,
	    cause) != 0)
		goto fail;
	/* Sources name clients, which are known only now. */
	for (i = 0; i < cfg->nsources; i++) {
		if (cfg->sources[i].client != NULL &&
		    config_client(cfg, cfg->sources[i].client) == NULL) {
			xasprintf(cause, "%s:%d: option 'client': source '%s'"
			    " names client '%s', which is not configured",
			    path, cfg->sources[i].client_line,
			    cfg->sources[i].name, cfg->sources[i].client);
			goto fail;
		}
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(op_path);
	free(base);
	return cfg;

fail:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(op_path);
	cJSON_Delete(root);
	jsonc_lines_free(lines);
	free(base);
	config_free(cfg);
	return NULL;
}

const struct client_conf *
config_client(const struct config *cfg, const char *id)
{
	size_t	lo = 0, hi = cfg->nclients, mid;
	int	c;

	if (cfg->by_id == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(id, cfg->by_id[mid]->id)) == 0)
			return cfg->by_id[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct receiver_conf *
config_receiver(const struct client_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nreceivers; i++) {
		if (strcmp(c->receivers[i].name, name) == 0)
			return &c->receivers[i];
	}
	return NULL;
}
