/*
 * Logging to stderr with syslog priority prefixes ("<3>", "<4>", "<6>", "<7>"), so
 * that journald keeps levels when the daemon runs under systemd.
 * log_warn() appends strerror(errno); log_warnx() does not. errno is preserved.
 * fatal()/fatalx() are for start-up and broken invariants only.
 */
#ifndef ROIWATCH_LOG_H
#define ROIWATCH_LOG_H
#include <stddef.h>

void log_init(int debug, const char *progname);
int  log_get_debug(void);
/* Drop info lines (the command line shows its own summary instead). */
void log_set_quiet(int quiet);
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy untrusted text into buf with control characters (including DEL), quotes and
 * backslashes escaped (\n, \x1b...), truncated with "..." to fit; returns buf.
 * UTF-8 passes through unchanged.
 */
char *log_escape(const char *s, size_t len, char *buf, size_t bufsz);

#endif
