/*
 * Request heads, read before evhttp (http-head.h). Pure.
 */
#include <string.h>
#include <strings.h>

#include "http-head.h"

/* A head ends with an empty line; evhttp accepts LF as well as CRLF line
 * ends, and so does this. */
size_t
http_head_end(const char *buf, size_t len, size_t from)
{
	size_t i;

	for (i = from; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

int
http_head_name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

int
http_head_parse(const char *buf, size_t len, struct http_head *h,
    const char **why)
{
	const char *p = buf, *end = buf + len, *eol, *line_end, *sp, *colon;
	const char *tgt, *tgt_end, *v, *vend;
	uint64_t n;
	size_t i;
	int first = 1, has_te = 0;

	memset(h, 0, sizeof *h);
	while (p < end) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		line_end = eol;
		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (first) {
			first = 0;
			/* METHOD SP target SP HTTP/x.y */
			if ((sp = memchr(p, ' ', (size_t)(line_end - p))) == NULL)
				goto bad_line;
			if (sp - p == 3 && memcmp(p, "GET", 3) == 0)
				h->method = HTTP_HEAD_GET;
			else if (sp - p == 4 && memcmp(p, "POST", 4) == 0)
				h->method = HTTP_HEAD_POST;
			else
				h->method = HTTP_HEAD_OTHER;
			tgt = sp + 1;
			if ((tgt_end = memchr(tgt, ' ',
			    (size_t)(line_end - tgt))) == NULL ||
			    tgt_end == tgt || line_end - tgt_end < 6 ||
			    memcmp(tgt_end + 1, "HTTP/", 5) != 0)
				goto bad_line;
			/* Absolute form: the path starts after the authority. */
			if ((size_t)(tgt_end - tgt) > 7 &&
			    (strncasecmp(tgt, "http://", 7) == 0 ||
			    strncasecmp(tgt, "https://", 8) == 0)) {
				v = memchr(tgt, ':', (size_t)(tgt_end - tgt)) + 3;
				if ((v = memchr(v, '/', (size_t)(tgt_end - v))) ==
				    NULL)
					v = tgt_end;
				tgt = v;
			}
			h->path = tgt;
			for (v = tgt; v < tgt_end && *v != '?' && *v != '#'; v++)
				;
			h->pathlen = (size_t)(v - tgt);
			p = eol + 1;
			continue;
		}
		if (line_end == p)
			break;			/* the empty line */
		if (*p == ' ' || *p == '\t') {
			*why = "obsolete line folding in the request head";
			return -1;
		}
		if ((colon = memchr(p, ':', (size_t)(line_end - p))) == NULL ||
		    colon == p) {
			*why = "malformed header line";
			return -1;
		}
		for (v = p; v < colon; v++) {
			if (*v == ' ' || *v == '\t') {
				*why = "malformed header line";
				return -1;
			}
		}
		for (v = colon + 1; v < line_end && (*v == ' ' || *v == '\t');
		    v++)
			;
		for (vend = line_end; vend > v && (vend[-1] == ' ' ||
		    vend[-1] == '\t'); vend--)
			;
		if (http_head_name_is(p, (size_t)(colon - p), "Authorization")) {
			if (h->auth == NULL) {
				h->auth = v;
				h->authlen = (size_t)(vend - v);
			}
		} else if (http_head_name_is(p, (size_t)(colon - p),
		    "Content-Length")) {
			if (vend == v || vend - v > 18) {
				*why = "invalid Content-Length";
				return -1;
			}
			for (n = 0, i = 0; i < (size_t)(vend - v); i++) {
				if (v[i] < '0' || v[i] > '9') {
					*why = "invalid Content-Length";
					return -1;
				}
				n = n * 10 + (uint64_t)(v[i] - '0');
			}
			if (h->has_length && h->length != n) {
				*why = "conflicting Content-Length headers";
				return -1;
			}
			h->has_length = 1;
			h->length = n;
		} else if (http_head_name_is(p, (size_t)(colon - p),
		    "Transfer-Encoding")) {
			/* evhttp knows "chunked" alone. */
			if (has_te || vend - v != 7 ||
			    strncasecmp(v, "chunked", 7) != 0) {
				*why = "unsupported Transfer-Encoding";
				return -1;
			}
			has_te = 1;
			h->chunked = 1;
		}
		p = eol + 1;
	}
	if (first)
		goto bad_line;
	if (h->chunked && h->has_length) {
		*why = "both Content-Length and Transfer-Encoding";
		return -1;
	}
	return 0;

bad_line:
	*why = "malformed request line";
	return -1;
}
