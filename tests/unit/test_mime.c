/*
 * MIME (mime.h): encoded words decoded back by a decoder written here (B and
 * Q) equal the cleaned text, every word within 75 characters and every line
 * within 78, no UTF-8 sequence split; headers that CR, LF or NUL cannot
 * break; addresses parsed, refused and rendered with their display names;
 * quoted-printable decoded back, lines within 76, no =XX nor UTF-8 sequence
 * across a soft break; base64; a boundary that occurs in no part; Date and
 * Message-ID.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "utf8.h"

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		print_error("\"%s\" not found in:\n%s\n", needle, hay);
		fail();
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	fail_msg("not a hex digit: 0x%02x", (unsigned char)c);
	return (0);
}

static size_t
b64decode(const char *s, size_t len, char *out)
{
	const char	*tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	const char	*p;
	size_t		 i, n = 0;
	int		 v[4], k;

	assert_int_equal(len % 4, 0);
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=') {
				v[k] = 0;
				continue;
			}
			p = strchr(tab, s[i + k]);
			assert_non_null(p);
			v[k] = (int)(p - tab);
		}
		out[n++] = (char)(v[0] << 2 | v[1] >> 4);
		if (s[i + 2] != '=')
			out[n++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (s[i + 3] != '=')
			out[n++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	return (n);
}

/*
 * Decode a header value made of encoded words separated by folds: each word
 * at most 75 characters, each line (the first after `col` characters)
 * at most 78, each word's text valid UTF-8 on its own.
 */
static char *
words_decode(const char *s, size_t col)
{
	char		*out = calloc(1, strlen(s) + 1), *w;
	const char	*p = s, *end, *eol;
	size_t		 n = 0, len, i, wn, line = col;

	for (;;) {
		assert_int_equal(strncmp(p, "=?UTF-8?", 8), 0);
		assert_true(p[8] == 'B' || p[8] == 'Q');
		assert_int_equal(p[9], '?');
		end = strstr(p + 10, "?=");
		assert_non_null(end);
		len = (size_t)(end + 2 - p);
		assert_true(len <= 75);
		line += len;
		assert_true(line <= 78);
		w = out + n;
		if (p[8] == 'B')
			wn = b64decode(p + 10, (size_t)(end - p - 10), w);
		else {
			for (wn = 0, i = 10; p + i < end; i++) {
				/* Phrase-safe Q: no space, '?', '"'... */
				assert_null(strchr(" ?\"(),.:;<>@[\\]", p[i]));
				if (p[i] == '_')
					w[wn++] = ' ';
				else if (p[i] == '=') {
					w[wn++] = (char)(hexval(p[i + 1]) << 4 |
					    hexval(p[i + 2]));
					i += 2;
				} else
					w[wn++] = p[i];
			}
		}
		assert_true(utf8_valid(w, wn));	/* no sequence split */
		n += wn;
		p = end + 2;
		if (*p == '\0')
			break;
		assert_int_equal(strncmp(p, "\r\n ", 3), 0);
		p += 3;
		line = 1;
		eol = strstr(p, "\r\n");
		(void)eol;
	}
	out[n] = '\0';
	return (out);
}

static void
test_encoded_words(void **state)
{
	static const char *const texts[] = {
		"Zoë Ångström",
		"[roiwatch] Société Générale: 1 campagne sous le ROI minimum"
		    " convenu, 1 objectif atteint, 2 alertes résolues",
		"日本語のキャンペーン名はとても長いのでいくつかの単語に分けられる"
		    "必要があります。もう少し長くします。",
		"emoji \xf0\x9f\x9a\x80\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80"
		    "\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80"
		    "\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80 done",
		"ascii with = and ? and _ and \"quotes\" (parens), commas;",
		"x",
		"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
		    "ééééééééééééééééééééééééé",
	};
	static const size_t cols[] = { 0, 6, 9, 30, 60 };
	char	*enc, *dec, *want;
	size_t	 i, j;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		for (j = 0; j < sizeof cols / sizeof cols[0]; j++) {
			enc = mime_encode_words(texts[i], cols[j]);
			/* Too little room: the words start on the next line. */
			if (strncmp(enc, "\r\n ", 3) == 0)
				dec = words_decode(enc + 3, 1);
			else
				dec = words_decode(enc, cols[j]);
			want = mime_clean(texts[i]);
			assert_string_equal(dec, want);
			free(want);
			free(dec);
			free(enc);
		}
	}
	/* Short and mostly ASCII: readable Q. */
	enc = mime_encode_words("Zoë Ångström", 6);
	assert_string_equal(enc, "=?UTF-8?Q?Zo=C3=AB_=C3=85ngstr=C3=B6m?=");
	free(enc);
	/* Mostly non-ASCII: the shorter B. */
	enc = mime_encode_words("日本語", 9);
	assert_string_equal(enc, "=?UTF-8?B?5pel5pys6Kqe?=");
	free(enc);
}

/* Every line of a header block within 78, continuation lines folded. */
static void
check_header(const char *h, const char *name)
{
	const char	*line, *eol;

	assert_int_equal(strncmp(h, name, strlen(name)), 0);
	assert_int_equal(h[strlen(name)], ':');
	for (line = h; *line != '\0'; line = eol + 2) {
		eol = strstr(line, "\r\n");
		assert_non_null(eol);
		assert_true((size_t)(eol - line) <= 78);
		if (line != h)
			assert_true(line[0] == ' ');
		assert_null(memchr(line, '\n', (size_t)(eol - line)));
		assert_null(memchr(line, '\r', (size_t)(eol - line)));
	}
}

static void
test_header_text(void **state)
{
	char	*h, *dec;

	(void)state;
	h = mime_header_text("Subject", "[roiwatch] ACME: 1 alert");
	assert_string_equal(h, "Subject: [roiwatch] ACME: 1 alert\r\n");
	free(h);
	/* Long ASCII: folded at spaces, no encoding. */
	h = mime_header_text("Subject", "[roiwatch] ACME Corporation"
	    " International: 3 campaigns under the agreed ROI, 2 alerts still"
	    " on, 1 target reached, 4 alerts resolved");
	check_header(h, "Subject");
	assert_null(strstr(h, "=?"));
	assert_contains(h, "\r\n ");
	free(h);
	/* Injection: CR, LF, NUL-free but control-laden text stays one
	 * header. */
	h = mime_header_text("Subject", "ACME\r\nBcc: evil@example.com\r\n"
	    "\r\nbody");
	check_header(h, "Subject");
	assert_null(strstr(h, "\r\nBcc:"));
	assert_string_equal(h, "Subject: ACME  Bcc: evil@example.com    body"
	    "\r\n");
	free(h);
	h = mime_header_text("Subject", "Zoë\r\nBcc: evil@example.com");
	check_header(h, "Subject");
	assert_null(strstr(h, "\r\nBcc:"));
	h[strlen(h) - 2] = '\0';	/* the final CRLF */
	dec = words_decode(h + strlen("Subject: "), strlen("Subject: "));
	assert_string_equal(dec, "Zoë  Bcc: evil@example.com");
	free(dec);
	free(h);
	/* Text that looks like encoded words is encoded itself. */
	h = mime_header_text("Subject", "=?UTF-8?B?ZXZpbA==?=");
	assert_int_equal(strncmp(h, "Subject: =?UTF-8?Q?=3D=3FUTF-8", 30), 0);
	free(h);
	/* A run too long for a line: encoded words split it. */
	h = mime_header_text("X-Roiwatch-Client", "k0123456789012345678901234"
	    "5678901234567890123456789012345678901234567890123456789");
	check_header(h, "X-Roiwatch-Client");
	free(h);
}

static void
test_addresses(void **state)
{
	static const char *const bad[] = {
		"", "nobody", "@example.com", "a@", "a@@b.example",
		"a b@example.com", "a@b..example", ".a@b.example",
		"a.@b.example", "a@-b.example", "a@b_c.example",
		"a@exämple.com", "zoë@example.com", "a@b.example\r\nBcc: x@y",
		"Evil, Inc <x@y.example>", "x@y.example, evil@e.example",
		"Name <a@b.example", "Name <a@b.example> trailing",
		"\"unclosed <a@b.example>", "a@b.example>", "Na\"me <a@b.example>",
		"<>", "a@b.example\x01",
	};
	struct mime_addr	 a;
	char			*why, *h, *list[4];
	size_t			 i, nbad;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (mime_addr_parse(bad[i], &a, &why) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(why);
		assert_contains(why, "is not a valid e-mail address: ");
		assert_null(strpbrk(why, "\r\n"));
		free(why);
	}
	assert_int_equal(mime_addr_parse("  Zoë Ångström <zoe@example.com> ",
	    &a, NULL), 0);
	assert_string_equal(a.display, "Zoë Ångström");
	assert_string_equal(a.addr, "zoe@example.com");
	mime_addr_clear(&a);
	assert_int_equal(mime_addr_parse("\"Doe, \\\"JJ\\\" Jane\" <j@x.example>",
	    &a, NULL), 0);
	assert_string_equal(a.display, "Doe, \"JJ\" Jane");
	assert_string_equal(a.addr, "j@x.example");
	mime_addr_clear(&a);
	assert_int_equal(mime_addr_check("roiwatch@localhost", NULL), 0);
	assert_int_equal(mime_addr_check("first.last+tag@xn--exmple-cua.com",
	    NULL), 0);

	list[0] = "Zoë Ångström <zoe@example.com>";
	list[1] = "bad\r\nBcc: evil@example.com";
	list[2] = "\"Doe, Jane\" <jane@example.com>";
	list[3] = "plain@example.com";
	h = mime_header_addrs("To", list, 4, &nbad);
	check_header(h, "To");
	assert_int_equal(nbad, 1);
	assert_string_equal(h, "To: =?UTF-8?Q?Zo=C3=AB_=C3=85ngstr=C3=B6m?="
	    " <zoe@example.com>,\r\n \"Doe, Jane\" <jane@example.com>,\r\n"
	    " plain@example.com\r\n");
	free(h);
	list[0] = "ACME Alerts <alerts@example.com>";
	list[1] = "J. Doe <j@example.com>";
	h = mime_header_addrs("From", list, 2, NULL);
	assert_string_equal(h, "From: ACME Alerts <alerts@example.com>,\r\n"
	    " \"J. Doe\" <j@example.com>\r\n");
	free(h);
	/* A display name long enough to need several words and lines. */
	list[0] = "Équipe des alertes de l'agence de marketing numérique"
	    " très créative <alertes-roi@agence-numerique.example>";
	h = mime_header_addrs("Reply-To", list, 1, NULL);
	check_header(h, "Reply-To");
	assert_contains(h, " <alertes-roi@agence-numerique.example>\r\n");
	free(h);
	list[0] = "nope";
	assert_null(mime_header_addrs("To", list, 1, &nbad));
	assert_int_equal(nbad, 1);
}

/*
 * Strict quoted-printable decoding: lines within 76, '=' at the end is a
 * soft break, any other '=' starts an =XX on the same line, no blank at a
 * line end; a soft-broken line decodes to whole UTF-8 sequences.
 */
static char *
qp_decode(const char *s)
{
	char		*out = calloc(1, strlen(s) + 1);
	const char	*line, *eol;
	size_t		 len, i, n = 0, start;
	int		 soft;

	for (line = s; *line != '\0'; line = eol + 2) {
		eol = strstr(line, "\r\n");
		assert_non_null(eol);
		len = (size_t)(eol - line);
		assert_true(len <= 76);
		assert_true(len == 0 || (line[len - 1] != ' ' &&
		    line[len - 1] != '\t'));
		start = n;
		soft = 0;
		for (i = 0; i < len; i++) {
			assert_true(((unsigned char)line[i] >= 0x20 &&
			    (unsigned char)line[i] < 0x7f) || line[i] == '\t');
			if (line[i] != '=') {
				out[n++] = line[i];
				continue;
			}
			if (i + 1 == len) {
				soft = 1;
				break;
			}
			assert_true(i + 2 < len);
			out[n++] = (char)(hexval(line[i + 1]) << 4 |
			    hexval(line[i + 2]));
			i += 2;
		}
		if (soft) {
			assert_true(utf8_valid(out + start, n - start));
			continue;
		}
		out[n++] = '\n';
	}
	out[n] = '\0';
	return (out);
}

static void
test_qp(void **state)
{
	char	 text[2048], *enc, *dec;
	size_t	 k, pos;

	(void)state;
	enc = mime_qp("Héllo = world\n.dot\nFrom here\ntrailing  \n\ttab\t\n");
	assert_string_equal(enc, "H=C3=A9llo =3D world\r\n=2Edot\r\n"
	    "=46rom here\r\ntrailing =20\r\n\ttab=09\r\n");
	dec = qp_decode(enc);
	assert_string_equal(dec, "Héllo = world\n.dot\nFrom here\n"
	    "trailing  \n\ttab\t\n");
	free(dec);
	free(enc);
	/* Every position of a 2- and a 4-byte sequence around the break. */
	for (k = 60; k < 90; k++) {
		for (pos = 0; pos < 3; pos++) {
			memset(text, 'a', k);
			text[k] = '\0';
			strcat(text, pos == 0 ? "é" : pos == 1 ?
			    "\xf0\x9f\x9a\x80" : "=");
			strcat(text, "ééééééééééééééééééééééééééééééééééé"
			    "\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80 end .\n");
			enc = mime_qp(text);
			dec = qp_decode(enc);
			assert_string_equal(dec, text);
			free(dec);
			free(enc);
		}
	}
	/* A leading dot after a soft break is encoded too. */
	memset(text, 'b', 75);
	strcpy(text + 75, "....\n");
	enc = mime_qp(text);
	assert_contains(enc, "=\r\n=2E");
	dec = qp_decode(enc);
	assert_string_equal(dec, text);
	free(dec);
	free(enc);
	/* No final line end in the text: none added beyond the CRLF. */
	enc = mime_qp("abc");
	assert_string_equal(enc, "abc\r\n");
	free(enc);
}

static void
test_base64(void **state)
{
	char		 data[300], out[300], *enc, *p, *eol;
	size_t		 i, n = 0;

	(void)state;
	enc = mime_base64("foobar", 6);
	assert_string_equal(enc, "Zm9vYmFy\r\n");
	free(enc);
	enc = mime_base64("fo", 2);
	assert_string_equal(enc, "Zm8=\r\n");
	free(enc);
	for (i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 7 + 3);
	enc = mime_base64(data, sizeof data);
	for (p = enc; *p != '\0'; p = eol + 2) {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 76);
		n += b64decode(p, (size_t)(eol - p), out + n);
	}
	assert_int_equal(n, sizeof data);
	assert_memory_equal(out, data, sizeof data);
	free(enc);
}

static void
test_boundary(void **state)
{
	const char	*parts[2];
	char		*a, *b, *c, *clash;

	(void)state;
	parts[0] = "text";
	parts[1] = "<html></html>";
	a = mime_boundary("rw-acme-42", parts, 2);
	b = mime_boundary("rw-acme-42", parts, 2);
	c = mime_boundary("rw-acme-43", parts, 2);
	assert_string_equal(a, b);		/* the same on every resend */
	assert_string_not_equal(a, c);
	assert_int_equal(strncmp(a, "=_rw_", 5), 0);
	assert_true(strlen(a) <= 70);		/* RFC 2046 */
	/* A part holding the boundary: another one. */
	clash = calloc(1, strlen(a) + 16);
	sprintf(clash, "x--%s--y", a);
	parts[0] = clash;
	free(b);
	b = mime_boundary("rw-acme-42", parts, 2);
	assert_string_not_equal(a, b);
	assert_null(strstr(clash, b));
	free(clash);
	free(a);
	free(b);
	free(c);
}

static void
test_date_and_id(void **state)
{
	char	*s;

	(void)state;
	s = mime_date(1709632800);
	assert_string_equal(s, "Tue, 05 Mar 2024 10:00:00 +0000");
	free(s);
	s = mime_date(0);
	assert_string_equal(s, "Thu, 01 Jan 1970 00:00:00 +0000");
	free(s);
	s = mime_message_id("rw-acme-17", "Zoë <zoe@mail.example.com>");
	assert_string_equal(s, "<rw-acme-17@mail.example.com>");
	free(s);
	s = mime_message_id("a b\r\n<c>..d.", "not an address");
	assert_string_equal(s, "<a-b---c--.d-@roiwatch.invalid>");
	free(s);
}

static void
test_clean(void **state)
{
	char	*s;

	(void)state;
	s = mime_clean("a\r\nb\tc\x7f" "d\xc2\x85" "e\xff" "f");
	assert_string_equal(s, "a  b c d e?f");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_header_text),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_date_and_id),
		cmocka_unit_test(test_clean),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
