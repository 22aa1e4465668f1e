/*
 * stderr logging with syslog priority prefixes (sd-daemon(3) convention), one line
 * per message. Debug lines are dropped unless log_init() was given debug != 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int log_debug_on;
static int log_info_on = 1;
static const char *log_progname = "roiwatch";

void
log_init(int debug, const char *progname)
{
	log_debug_on = debug;
	if (progname != NULL)
		log_progname = progname;
}

void
log_set_quiet(int quiet)
{
	log_info_on = !quiet;
}

int
log_get_debug(void)
{
	return log_debug_on;
}

static void
log_vwrite(int pri, const char *emsg, const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (emsg != NULL)
		fprintf(stderr, "<%d>%s: %s: %s\n", pri, log_progname, msg, emsg);
	else
		fprintf(stderr, "<%d>%s: %s\n", pri, log_progname, msg);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!log_info_on)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(const char *s, size_t len, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (bufsz == 0)
		return buf;
	for (i = 0; i < len && o + 5 < bufsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			buf[o++] = '\\'; buf[o++] = 'n';
		} else if (c == '\r') {
			buf[o++] = '\\'; buf[o++] = 'r';
		} else if (c == '\t') {
			buf[o++] = '\\'; buf[o++] = 't';
		} else if (c == '\\' || c == '"') {
			buf[o++] = '\\'; buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			buf[o++] = '\\'; buf[o++] = 'x';
			buf[o++] = hex[c >> 4]; buf[o++] = hex[c & 15];
		} else
			buf[o++] = (char)c;
	}
	if (i < len && o + 3 < bufsz) {
		buf[o++] = '.'; buf[o++] = '.'; buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}
