/*
 * A client's rules: the shorthand minimum_roi / target_roi first, as the two
 * rules they always meant (rules.h), then the rules of the main file and of
 * the client's file. Flap suppression is on by default for every rule.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-internal.h"
#include "rules.h"
#include "xmalloc.h"

/* Defaults of flap suppression: more than 3 changes within an hour. */
#define CFG_FLAP_MAX	3
#define CFG_FLAP_SECS	3600

static void
cfg_rules_note(struct client_conf *c)
{
	size_t i;

	c->rule_scopes = 0;
	c->rule_calendar = 0;
	for (i = 0; i < c->nruleset; i++) {
		c->rule_scopes |= 1u << c->ruleset[i].scope;
		switch (c->ruleset[i].window.kind) {
		case WINDOW_LIFETIME:
		case WINDOW_DATA_DAYS:
			break;
		default:
			c->rule_calendar = 1;
		}
		if (c->ruleset[i].type == RULE_BUDGET ||
		    c->ruleset[i].type == RULE_FRESHNESS)
			c->rule_calendar = 1;
	}
}

int
cfg_client_rules(struct cfg_ctx *ctx, const cJSON *root, struct client_conf *c)
{
	struct rule_def sh[2];
	size_t n, i;

	(void)ctx;
	(void)root;
	if (c->rules.flap_max == 0 && c->rules.flap_secs == 0) {
		c->rules.flap_max = CFG_FLAP_MAX;
		c->rules.flap_secs = CFG_FLAP_SECS;
	}
	n = rules_shorthand(&c->rules, c->window_days, sh);
	c->ruleset = xcalloc(n, sizeof *c->ruleset);
	for (i = 0; i < n; i++) {
		c->ruleset[i] = sh[i];
		c->ruleset[i].name = xstrdup(sh[i].name);
		c->ruleset[i].file = xstrdup(c->file);
		c->ruleset[i].line = cfg_member_line(ctx, root, i == 0 ?
		    "minimum_roi" : "target_roi");
	}
	c->nruleset = n;
	cfg_rules_note(c);
	return 0;
}

void
cfg_free_client_rules(struct client_conf *c)
{
	size_t i;

	for (i = 0; i < c->nruleset; i++)
		rules_def_free(&c->ruleset[i]);
	free(c->ruleset);
	c->ruleset = NULL;
	c->nruleset = 0;
}
