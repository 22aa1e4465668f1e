/*
 * libcurl's multi-socket interface driven by the daemon's libevent loop (the shape
 * of curl's hiperfifo.c example): curl tells which sockets to watch and when its
 * timer fires; libevent tells curl when sockets are ready. No threads of ours, no
 * polling. Completions are reported only while draining curl_multi_info_read.
 */
#ifndef ROIWATCH_CURL_LOOP_H
#define ROIWATCH_CURL_LOOP_H
#include <stddef.h>

struct event_base;
struct curl_loop;

/*
 * Called once per transfer when it ends. ok: the transfer completed at the
 * protocol level (the caller still judges `status`: HTTP or SMTP response code).
 * error: a readable reason when !ok (curl's error buffer), else NULL.
 * The easy handle is cleaned up by the loop after the callback returns.
 */
typedef void (*curl_loop_done_cb)(void *arg, int ok, long status,
	    const char *error);

struct curl_loop *curl_loop_new(struct event_base *);
/* Abort transfers still running (their callbacks are called with ok = 0,
 * error "shutting down"), then clean up. NULL is a no-op. */
#define CURL_LOOP_SHUTDOWN	"shutting down"	/* the error text above */
void		 curl_loop_free(struct curl_loop *);
/*
 * Start a transfer on a configured easy handle (CURL *, passed as void * so that
 * callers need not include curl.h). The loop sets CURLOPT_PRIVATE and
 * CURLOPT_ERRORBUFFER itself and owns the handle from here on.
 * Returns 0, or -1 (handle already cleaned up, callback not called).
 */
int		 curl_loop_add(struct curl_loop *, void *easy, curl_loop_done_cb,
		    void *arg);
size_t		 curl_loop_active(const struct curl_loop *);

#endif
