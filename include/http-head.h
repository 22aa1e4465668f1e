/*
 * Request heads as the HTTP listener reads them before evhttp hands the
 * request on (http-server.c): the method, the path, the bearer token and the
 * body's framing, so that a request is judged -- token, size, method --
 * before a byte of its body is read. Pure.
 */
#ifndef ROIWATCH_HTTP_HEAD_H
#define ROIWATCH_HTTP_HEAD_H
#include <stddef.h>
#include <stdint.h>

/* A parsed head. Pointers go into the parsed buffer. */
enum http_head_method {
	HTTP_HEAD_GET,
	HTTP_HEAD_POST,
	HTTP_HEAD_OTHER
};
struct http_head {
	enum http_head_method method;
	const char	*path;		/* target without query */
	size_t		 pathlen;
	const char	*auth;		/* first Authorization value, or NULL */
	size_t		 authlen;
	int		 has_length;	/* Content-Length given */
	uint64_t	 length;
	int		 chunked;	/* Transfer-Encoding: chunked */
};
/* Offset just past the empty line ending the head in buf[0..len), searching
 * from `from` on (the caller's previous length minus 3), or 0. */
size_t		 http_head_end(const char *buf, size_t len, size_t from);
/* Parse a complete head of len bytes (as http_head_end delimits it). Returns
 * 0, or -1 with *why a static reason (the request is answered 400). */
int		 http_head_parse(const char *buf, size_t len, struct http_head *,
		    const char **why);

/* Whether name[0..len) is want, ignoring case (header names, paths). */
int		 http_head_name_is(const char *name, size_t len,
		    const char *want);

#endif
