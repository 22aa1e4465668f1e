/*
 * systemd's notification protocol (sd_notify(3)) without libsystemd: a datagram
 * to $NOTIFY_SOCKET. Every call is a no-op when the daemon is not run by systemd.
 */
#ifndef ROIWATCH_SDNOTIFY_H
#define ROIWATCH_SDNOTIFY_H
#include <stdint.h>

/* Send "READY=1", "RELOADING=1\nMONOTONIC_USEC=...", "STOPPING=1", ... */
int	sdnotify(const char *state);
int	sdnotify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "RELOADING=1" with MONOTONIC_USEC, as systemd >= 253 expects. */
int	sdnotify_reloading(void);
/* Watchdog interval in microseconds from $WATCHDOG_USEC (0: none). Only honoured
 * when $WATCHDOG_PID is unset or ours. */
uint64_t sdnotify_watchdog_usec(void);

#endif
