/*
 * The request-head parser the HTTP listener judges requests with before it
 * reads their body (http-head.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http-head.h"

/* The head parser the listener judges requests with, before their body. */
static void
test_head_parse(void **state)
{
	struct http_head h;
	const char *why, *s;
	size_t i;
	static const char *const bad[] = {
		"GARBAGE\r\n\r\n",
		"POST /v1/metrics\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nNoColon\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nBad Name: x\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nContent-Length: 12a\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nContent-Length:\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nContent-Length: 1\r\n"
		    "Content-Length: 2\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		"POST /v1/metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		    "Content-Length: 5\r\n\r\n",
	};

	(void)state;
	s = "POST /v1/metrics?partial=1 HTTP/1.1\r\nHost: x\r\n"
	    "authorization:  Bearer abc \r\nContent-Length: 12\r\n"
	    "Authorization: Bearer other\r\n\r\nbody";
	assert_int_equal(http_head_end(s, strlen(s), 0), strlen(s) - 4);
	assert_int_equal(http_head_end(s, strlen(s) - 6, 0), 0);
	assert_int_equal(http_head_parse(s, strlen(s) - 4, &h, &why), 0);
	assert_int_equal(h.method, HTTP_HEAD_POST);
	assert_int_equal(h.pathlen, strlen("/v1/metrics"));
	assert_memory_equal(h.path, "/v1/metrics", h.pathlen);
	assert_int_equal(h.authlen, strlen("Bearer abc"));
	assert_memory_equal(h.auth, "Bearer abc", h.authlen);
	assert_true(h.has_length);
	assert_int_equal(h.length, 12);
	assert_false(h.chunked);

	/* Bare LF line ends, absolute form, the same length twice. */
	s = "GET http://127.0.0.1:8470/healthz HTTP/1.0\nHost: x\n"
	    "Content-Length: 0\nContent-Length: 0\n\n";
	assert_int_equal(http_head_end(s, strlen(s), 0), strlen(s));
	assert_int_equal(http_head_parse(s, strlen(s), &h, &why), 0);
	assert_int_equal(h.method, HTTP_HEAD_GET);
	assert_int_equal(h.pathlen, strlen("/healthz"));
	assert_memory_equal(h.path, "/healthz", h.pathlen);
	assert_null(h.auth);
	assert_int_equal(h.length, 0);

	s = "PUT /x HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n";
	assert_int_equal(http_head_parse(s, strlen(s), &h, &why), 0);
	assert_int_equal(h.method, HTTP_HEAD_OTHER);
	assert_true(h.chunked);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (http_head_parse(bad[i], strlen(bad[i]), &h, &why) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
