/*
 * The manual's options section (config_print_options_man): roff escaping of
 * the help texts, and that the section lists every option of every table
 * as --options does, in markup that roff cannot misread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-internal.h"

static char *
man_text(const char *s)
{
	char	*out;
	size_t	 len;
	FILE	*f;

	f = open_memstream(&out, &len);
	assert_non_null(f);
	cfg_man_text(s, f);
	fclose(f);
	return out;
}

static void
check_text(const char *in, const char *want)
{
	char	*out = man_text(in);

	assert_string_equal(out, want);
	free(out);
}

static void
test_man_text_escapes(void **state)
{
	(void)state;
	check_text("", "");
	check_text("plain", "plain\n");
	check_text("a \\t tab", "a \\et tab\n");
	check_text(".hidden request", "\\&.hidden request\n");
	check_text("'quoted", "\\&'quoted\n");
	check_text("  leading spaces", "leading spaces\n");
	/* A sentence per line; "e.g. x" and ". ." are not sentence ends. */
	check_text("One. Two? Three! Four", "One.\nTwo?\nThree!\nFour\n");
	check_text("e.g. \"%d/%m/%Y\". .x", "e.g. \"%d/%m/%Y\". .x\n");
}

static void
test_man_text_wraps(void **state)
{
	char	*out, *line, *save;
	char	 in[400];
	size_t	 i;

	(void)state;
	/* 60 characters, then words of which one starts with a dot. */
	memset(in, 'a', 60);
	in[60] = '\0';
	strcat(in, " bbbbbbbbbb .cfg \\x ccccccccc dddddddddd eeeeeeeeee"
	    " ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii jjjjjjjjjj"
	    " kkkkkkkkkk");
	out = man_text(in);
	for (i = 0, line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), i++) {
		assert_true(strlen(line) <= 72);
		assert_true(line[0] != '.' && line[0] != '\'' &&
		    line[0] != ' ');
	}
	assert_true(i >= 3);
	free(out);
	out = man_text(in);
	assert_non_null(strstr(out, "\n\\&.cfg \\ex"));
	free(out);
}

/* Every line is a known macro or plain text: none begins with a control
 * character roff would take as a request, every backslash is \e or \& (or
 * the comment's), and every option of every table is an item. */
static void
test_options_man(void **state)
{
	static const char *const macros[] = { ".\\\" ", ".Ss ", ".Bl -tag",
	    ".It Ic ", ".br", ".El", NULL };
	const struct opt *tables[] = { cfg_main_opts, cfg_source_opts,
	    cfg_client_opts, cfg_receiver_opts, cfg_rule_opts, cfg_cond_opts,
	    cfg_override_opts, cfg_clv_opts, cfg_digest_opts };
	const size_t *ns[] = { &cfg_nmain_opts, &cfg_nsource_opts,
	    &cfg_nclient_opts, &cfg_nreceiver_opts, &cfg_nrule_opts,
	    &cfg_ncond_opts, &cfg_noverride_opts, &cfg_nclv_opts,
	    &cfg_ndigest_opts };
	char	*out, *line, *save, *p, item[128];
	size_t	 len, i, j, nitems = 0, nopts = 0, nss = 0;
	FILE	*f;

	(void)state;
	f = open_memstream(&out, &len);
	config_print_options_man(f);
	fclose(f);
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		for (j = 0; j < *ns[i]; j++, nopts++) {
			snprintf(item, sizeof item, "\n.It Ic %s Ar \"",
			    tables[i][j].name);
			assert_non_null(strstr(out, item));
		}
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '.') {
			for (i = 0; macros[i] != NULL; i++)
				if (strncmp(line, macros[i],
				    strlen(macros[i])) == 0)
					break;
			if (macros[i] == NULL)
				fail_msg("not a macro of the section: %s", line);
			nitems += strncmp(line, ".It ", 4) == 0;
			nss += strncmp(line, ".Ss ", 4) == 0;
			if (i == 0)
				continue;
		}
		assert_true(line[0] != '\'');
		for (p = line; (p = strchr(p, '\\')) != NULL; p += 2)
			if (p[1] != 'e' && p[1] != '&')
				fail_msg("a raw backslash: %s", line);
	}
	assert_int_equal(nitems, nopts);
	assert_int_equal(nss, sizeof tables / sizeof tables[0]);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_man_text_escapes),
		cmocka_unit_test(test_man_text_wraps),
		cmocka_unit_test(test_options_man),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
