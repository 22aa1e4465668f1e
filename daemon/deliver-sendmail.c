/*
 * The sendmail receiver: a notice's e-mail (deliver_email, with local line
 * ends) written to the standard input of a local program, by default
 * "/usr/sbin/sendmail -t -i", which every mail transfer agent provides.
 *
 * The program runs without a shell (posix_spawn of the configured argv), in
 * its own process group, with the default signal dispositions, stdout on
 * /dev/null and stderr on a pipe. Nothing blocks the event loop: its stdin
 * (a socket pair, so that a program that stops reading gives EPIPE, never
 * SIGPIPE) is written when writable, its stderr read when readable, its exit
 * seen through a pidfd (or a short poll where there is none), and a timer
 * kills the group after timeout_secs.
 *
 * Outcome: exit 0 is delivered; 75 (EX_TEMPFAIL) is retried, as is a
 * program that could not be started for a passing reason or was killed on
 * its timeout; any other exit or a signal is permanent, the reason naming
 * the status and the first line the program wrote on stderr.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "deliver-internal.h"
#include "digest.h"
#include "log.h"
#include "xmalloc.h"

#define SENDMAIL_EX_TEMPFAIL	75	/* sysexits.h */
#define SENDMAIL_POLL_MSECS	50	/* exit polled without a pidfd */
#define SENDMAIL_ERR_MAX	200	/* first stderr line kept */

extern char **environ;

struct sendmail_proc {
	struct deliver_job	*job;
	const char		*prog;		/* argv[0], for reasons */
	pid_t			 pid;
	int			 in_fd;		/* the message, to its stdin */
	int			 err_fd;	/* its stderr */
	int			 pid_fd;	/* readable at exit, or -1 */
	struct event		*ev_in;
	struct event		*ev_err;
	struct event		*ev_exit;	/* on pid_fd, or a poll timer */
	struct event		*ev_timeout;
	int64_t			 timeout_secs;
	int			 timed_out;
	char			 err[SENDMAIL_ERR_MAX + 1];
	size_t			 errlen;
	int			 err_line_done;	/* the first line is complete */
};

static void	sendmail_exit_cb(evutil_socket_t, short, void *);

/* An e-mail with the local line ends a sendmail program reads. */
static char *
sendmail_local_ends(char *msg)
{
	char	*p, *q;

	for (p = q = msg; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n')
			continue;
		*q++ = *p;
	}
	*q = '\0';
	return (msg);
}

static char *
receiver_sendmail_render(const struct notice *n,
    const struct receiver_conf *r, const char *key, int64_t now)
{
	return (sendmail_local_ends(deliver_email(n, r, key, now)));
}

static size_t
receiver_sendmail_digest(const struct digest *d,
    const struct receiver_conf *r, const char *key, char ***parts)
{
	size_t	n = deliver_digest_email(d, r, key, parts);

	sendmail_local_ends((*parts)[0]);
	return (n);
}

static void
sendmail_close_in(struct sendmail_proc *sp)
{
	if (sp->ev_in != NULL) {
		event_free(sp->ev_in);
		sp->ev_in = NULL;
	}
	if (sp->in_fd != -1) {
		close(sp->in_fd);
		sp->in_fd = -1;
	}
}

static void
sendmail_close_err(struct sendmail_proc *sp)
{
	if (sp->ev_err != NULL) {
		event_free(sp->ev_err);
		sp->ev_err = NULL;
	}
	if (sp->err_fd != -1) {
		close(sp->err_fd);
		sp->err_fd = -1;
	}
}

static void
sendmail_proc_free(struct sendmail_proc *sp)
{
	sendmail_close_in(sp);
	sendmail_close_err(sp);
	if (sp->ev_exit != NULL)
		event_free(sp->ev_exit);
	if (sp->ev_timeout != NULL)
		event_free(sp->ev_timeout);
	if (sp->pid_fd != -1)
		close(sp->pid_fd);
	free(sp);
}

/* Keep the first line of stderr (printable), drain the rest. */
static void
sendmail_read_err(struct sendmail_proc *sp)
{
	char	buf[512];
	ssize_t	n, i;

	while (sp->err_fd != -1) {
		n = read(sp->err_fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			sendmail_close_err(sp);
			return;
		}
		for (i = 0; i < n && !sp->err_line_done; i++) {
			if (buf[i] == '\n') {
				sp->err_line_done = 1;
				break;
			}
			if (sp->errlen < SENDMAIL_ERR_MAX)
				sp->err[sp->errlen++] = (unsigned char)buf[i] <
				    0x20 || buf[i] == 0x7f ? ' ' : buf[i];
		}
		sp->err[sp->errlen] = '\0';
	}
}

static void
sendmail_err_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sendmail_read_err(arg);
}

static void
sendmail_in_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sendmail_proc	*sp = arg;
	struct deliver_job	*job = sp->job;
	ssize_t			 n;

	(void)what;
	while (job->off < job->len) {
		n = send(fd, job->body + job->off, job->len - job->off,
		    MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			/* It stopped reading (EPIPE): its exit says why. */
			log_debug("%s: %s: %s", __func__, sp->prog,
			    strerror(errno));
			break;
		}
		job->off += (size_t)n;
	}
	sendmail_close_in(sp);	/* end of the message */
}

/* The program is gone: judge how it ended and report. */
static void
sendmail_finish(struct sendmail_proc *sp, int status, const char *lost)
{
	struct deliver_job	*job = sp->job;
	char			 why[512];
	long			 st = 0;
	int			 ok = 0;

	sendmail_read_err(sp);
	if (lost != NULL)
		snprintf(why, sizeof why, "lost track of %s: %s", sp->prog,
		    lost);
	else if (sp->timed_out)
		snprintf(why, sizeof why, "%s timed out after %lld s (killed)",
		    sp->prog, (long long)sp->timeout_secs);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ok = 1;
	else if (WIFEXITED(status)) {
		st = WEXITSTATUS(status);
		snprintf(why, sizeof why, "%s exited with status %ld%s%s",
		    sp->prog, st, sp->errlen > 0 ? ": " : "", sp->err);
	} else if (WIFSIGNALED(status)) {
		st = 128 + WTERMSIG(status);
		snprintf(why, sizeof why, "%s killed by signal %d%s%s",
		    sp->prog, WTERMSIG(status), sp->errlen > 0 ? ": " : "",
		    sp->err);
	} else
		snprintf(why, sizeof why, "%s ended oddly (wait status %d)",
		    sp->prog, status);
	job->proc = NULL;
	job->cancel = NULL;
	sendmail_proc_free(sp);
	deliver_job_done(job, ok, st, ok ? NULL : why);
}

static void
sendmail_exit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sendmail_proc	*sp = arg;
	struct timeval		 tv = { 0, SENDMAIL_POLL_MSECS * 1000 };
	pid_t			 r;
	int			 status = 0;

	(void)fd;
	(void)what;
	do
		r = waitpid(sp->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		if (sp->pid_fd == -1)
			evtimer_add(sp->ev_exit, &tv);
		return;
	}
	sendmail_finish(sp, status, r < 0 ? strerror(errno) : NULL);
}

static void
sendmail_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sendmail_proc	*sp = arg;

	(void)fd;
	(void)what;
	sp->timed_out = 1;
	kill(-sp->pid, SIGKILL);
	kill(sp->pid, SIGKILL);
}

/* deliver_free() while it runs: kill it and wait (the item stays pending). */
static void
sendmail_cancel(struct deliver_job *job)
{
	struct sendmail_proc	*sp = job->proc;
	int			 status;

	if (sp == NULL)
		return;
	kill(-sp->pid, SIGKILL);
	kill(sp->pid, SIGKILL);
	while (waitpid(sp->pid, &status, 0) < 0 && errno == EINTR)
		;
	job->proc = NULL;
	job->cancel = NULL;
	sendmail_proc_free(sp);
}

static int
sendmail_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return ((int)syscall(SYS_pidfd_open, pid, 0));
#else
	(void)pid;
	return (-1);
#endif
}

/* Start the program: 0, or an errno value. */
static int
sendmail_spawn(struct sendmail_proc *sp, char *const *argv, int in_child,
    int err_child)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 all, none;
	int				 e;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, in_child, STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_child, STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
	e = posix_spawn(&sp->pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return (e);
}

static int
receiver_sendmail_send(struct deliver_job *job, const struct receiver_conf *r,
    const struct config *cfg, CURL **easyp, char **cause)
{
	struct event_base	*base = deliver_job_base(job);
	struct sendmail_proc	*sp;
	struct timeval		 tv;
	int			 sv[2] = { -1, -1 }, ep[2] = { -1, -1 }, e;

	*easyp = NULL;
	if (r->command == NULL || r->ncommand == 0) {
		*cause = xstrdup("no command configured");
		return (-1);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    pipe2(ep, O_CLOEXEC) != 0) {
		e = errno;
		goto transient;
	}
	sp = xcalloc(1, sizeof *sp);
	sp->job = job;
	sp->prog = r->command[0];
	sp->in_fd = sv[0];
	sp->err_fd = ep[0];
	sp->pid_fd = -1;
	sp->timeout_secs = r->timeout_secs > 0 ? r->timeout_secs :
	    cfg->delivery_timeout_secs;
	if ((e = sendmail_spawn(sp, r->command, sv[1], ep[1])) != 0) {
		close(sv[0]);
		close(ep[0]);
		free(sp);
		close(sv[1]);
		close(ep[1]);
		if (e == ENOENT || e == EACCES || e == ENOEXEC ||
		    e == ENOTDIR || e == ELOOP) {
			xasprintf(cause, "cannot run %s: %s", r->command[0],
			    strerror(e));
			return (-1);
		}
		snprintf(job->error, sizeof job->error, "cannot run %s: %s",
		    r->command[0], strerror(e));
		job->ok = 0;
		return (0);
	}
	close(sv[1]);
	close(ep[1]);
	shutdown(sp->in_fd, SHUT_RD);
	if (fcntl(sp->in_fd, F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(sp->err_fd, F_SETFL, O_NONBLOCK) != 0)
		log_warn("%s: fcntl", __func__);
	sp->pid_fd = sendmail_pidfd(sp->pid);
	if ((sp->ev_in = event_new(base, sp->in_fd, EV_WRITE | EV_PERSIST,
	    sendmail_in_cb, sp)) == NULL ||
	    (sp->ev_err = event_new(base, sp->err_fd, EV_READ | EV_PERSIST,
	    sendmail_err_cb, sp)) == NULL ||
	    (sp->ev_exit = sp->pid_fd != -1 ? event_new(base, sp->pid_fd,
	    EV_READ | EV_PERSIST, sendmail_exit_cb, sp) :
	    evtimer_new(base, sendmail_exit_cb, sp)) == NULL ||
	    (sp->ev_timeout = evtimer_new(base, sendmail_timeout_cb,
	    sp)) == NULL)
		fatalx("%s: event_new failed", __func__);
	event_add(sp->ev_in, NULL);
	event_add(sp->ev_err, NULL);
	tv.tv_sec = 0;
	tv.tv_usec = SENDMAIL_POLL_MSECS * 1000;
	event_add(sp->ev_exit, sp->pid_fd != -1 ? NULL : &tv);
	tv.tv_sec = (time_t)sp->timeout_secs;
	tv.tv_usec = 0;
	evtimer_add(sp->ev_timeout, &tv);
	job->proc = sp;
	job->cancel = sendmail_cancel;
	log_debug("%s: started %s (pid %ld) for notice %lld", __func__,
	    sp->prog, (long)sp->pid, (long long)job->id);
	return (0);

transient:
	if (sv[0] != -1) {
		close(sv[0]);
		close(sv[1]);
	}
	snprintf(job->error, sizeof job->error, "cannot start %s: %s",
	    r->command[0], strerror(e));
	job->ok = 0;
	return (0);
}

static void
receiver_sendmail_classify(const struct deliver_result *res, int64_t now,
    struct deliver_outcome *out)
{
	(void)now;
	out->retry_after = -1;
	out->reason[0] = '\0';
	if (res->ok) {
		out->verdict = DELIVER_DELIVERED;
		return;
	}
	snprintf(out->reason, sizeof out->reason, "%s", res->error != NULL ?
	    res->error : "sendmail failed");
	/* 0: it did not run to an exit of its own (start, timeout). */
	out->verdict = res->status == 0 || res->status ==
	    SENDMAIL_EX_TEMPFAIL ? DELIVER_RETRY : DELIVER_PERMANENT;
}

const struct receiver_ops receiver_sendmail_ops = {
	.name = "sendmail",
	.type = RECEIVER_SENDMAIL,
	.render = receiver_sendmail_render,
	.render_digest = receiver_sendmail_digest,
	.send = receiver_sendmail_send,
	.classify = receiver_sendmail_classify,
};
