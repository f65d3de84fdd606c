/* anonstats-child.c: one child running the script.  Spawned with
 * posix_spawn() and a plain argv; its exit noticed through a pidfd the
 * moment it happens (a timer only where pidfd_open() is missing); its
 * stdout read a bounded amount at a time; ended with SIGTERM to its
 * process group, then SIGKILL.  Written once, for the helper thread and
 * for FATAL; only the crash handler keeps its own async-signal-safe copy. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anonstats-internal.h"

/* The configuration (anonstats-config.c owns it; read-only here). */
static struct anonstats_conf *const conf = &anonstats_conf;

#define TERM_GRACE_MAX_MS 200 /* SIGTERM this long before a bound's SIGKILL */
#define KILL_COLLECT_MS 1000  /* after SIGKILL, how long we wait to collect */
#define FALLBACK_OPEN_MS 20   /* no pidfd, stdout open: look every 20 ms */

/* The helper thread runs SCHED_BATCH (anonstats-helper.c); the script
 * gets the ordinary policy back: under load a batch task's many short
 * wake-ups (sh, sysinfo, curl) would each wait for a time slice. */
#ifdef SCHED_BATCH
#define SPAWN_SCHED POSIX_SPAWN_SETSCHEDULER
#else
#define SPAWN_SCHED 0
#endif

/* waitid()'s P_PIDFD (Linux 5.4), not in older headers' enum. */
#define ANONSTATS_P_PIDFD ((idtype_t)3)

void anonstats_child_clear(struct anonstats_child *c)
{
	memset(c, 0, sizeof *c);
	c->pidfd = -1;
	c->out_fd = -1;
	c->status = -1;
}

unsigned anonstats_term_grace(unsigned ms)
{
	return ms / 4 < TERM_GRACE_MAX_MS ? ms / 4 : TERM_GRACE_MAX_MS;
}

/* Move fd above the standard descriptors (a daemon may have closed them). */
static int fd_above_stdio(int fd)
{
	int nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0); /* close-on-exec always */
	if (fd >= 0)
		return fd_above_stdio((int)fd);
#else
	(void)pid;
#endif
	return -1; /* ENOSYS: the timer fallback; ESRCH: reaped already */
}

/* Start argv[0] with argv: stdin and stderr /dev/null, stdout a pipe whose
 * non-blocking, close-on-exec read end goes to c->out_fd; own process
 * group; empty signal mask, common signals at their defaults (ignored
 * ones survive exec otherwise); the configured environment. */
int anonstats_child_spawn(struct anonstats_child *c, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	struct sched_param sp;
	int p[2], rc, e;
	pid_t pid;
	static const int defaulted[] = { SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM,
					 SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU };
	size_t i;

	anonstats_child_clear(c);
	memset(&sp, 0, sizeof sp);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	p[0] = fd_above_stdio(p[0]);
	p[1] = fd_above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		e = errno;
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		errno = e;
		return -1;
	}
	rc = posix_spawn_file_actions_init(&fa);
	if (rc != 0) {
		close(p[0]);
		close(p[1]);
		errno = rc;
		return -1;
	}
	rc = posix_spawnattr_init(&attr);
	if (rc != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		errno = rc;
		return -1;
	}
	sigemptyset(&mask);
	sigemptyset(&def);
	for (i = 0; i < sizeof defaulted / sizeof defaulted[0]; i++)
		sigaddset(&def, defaulted[i]);
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, p[1], 1)) == 0 &&
	    (rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)) == 0 &&
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	    /* Descriptors the daemon left without close-on-exec stay out. */
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
#endif
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
							  POSIX_SPAWN_SETSIGDEF | SPAWN_SCHED)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
#ifdef SCHED_BATCH
	    (rc = posix_spawnattr_setschedpolicy(&attr, SCHED_OTHER)) == 0 &&
	    (rc = posix_spawnattr_setschedparam(&attr, &sp)) == 0 &&
#endif
	    (rc = posix_spawnattr_setsigmask(&attr, &mask)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&attr, &def)) == 0)
		rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, conf->envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		errno = rc;
		return -1;
	}
	c->pid = pid;
	c->out_fd = p[0];
	c->pidfd = open_pidfd(pid);
	if (c->pidfd < 0 && errno == ESRCH) {
		c->exited = 1; /* reaped already (SIGCHLD ignored): status unknown */
		c->status = -1;
	}
	return 0;
}

/* Keep the last cap-1 bytes of the output seen so far. */
size_t anonstats_keep_output(char *buf, size_t len, const char *data, size_t n)
{
	size_t cap = ANONSTATS_OUTPUT_KEEP - 1;

	if (n >= cap) {
		memcpy(buf, data + n - cap, cap);
		len = cap;
	} else {
		if (len + n > cap) {
			size_t drop = len + n - cap;
			memmove(buf, buf + drop, len - drop);
			len -= drop;
		}
		memcpy(buf + len, data, n);
		len += n;
	}
	buf[len] = '\0';
	return len;
}

void anonstats_child_read(struct anonstats_child *c)
{
	char buf[1024];
	size_t total = 0;

	while (c->out_fd >= 0 && total < ANONSTATS_READ_BUDGET) {
		ssize_t r = read(c->out_fd, buf, sizeof buf);
		if (r > 0) {
			c->out_len = anonstats_keep_output(c->out, c->out_len, buf, (size_t)r);
			total += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		close(c->out_fd); /* EOF or error */
		c->out_fd = -1;
		if (clock_gettime(CLOCK_MONOTONIC, &c->eof_at) < 0)
			memset(&c->eof_at, 0, sizeof c->eof_at);
	}
}

/* A waitid() result as a waitpid() status. */
static int wait_status(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_KILLED:
		return si->si_status & 0x7f;
	case CLD_DUMPED:
		return (si->si_status & 0x7f) | 0x80;
	}
	return -1;
}

int anonstats_child_collect(struct anonstats_child *c)
{
	int st;
	pid_t r;

	if (c->exited)
		return 1;
	if (c->pid <= 0)
		return 0; /* never waitpid(0) or waitpid(-1): not ours */
	if (c->pidfd >= 0) {
		/* By pidfd: a pid the daemon reaped and the kernel reused
		 * can never be taken for ours. */
		siginfo_t si;
		int rc;
		memset(&si, 0, sizeof si);
		do
			rc = waitid(ANONSTATS_P_PIDFD, (id_t)c->pidfd, &si, WEXITED | WNOHANG);
		while (rc < 0 && errno == EINTR);
		if (rc == 0 && si.si_pid == 0)
			return 0;
		if (rc == 0) {
			c->exited = 1;
			c->status = wait_status(&si);
			return 1;
		}
		if (errno != EINVAL) {
			c->exited = 1; /* ECHILD: reaped elsewhere, or SIGCHLD ignored */
			c->status = -1;
			return 1;
		}
		/* EINVAL: a kernel without P_PIDFD: by pid. */
	}
	do
		r = waitpid(c->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == c->pid) {
		c->exited = 1;
		c->status = st;
	} else if (r < 0) {
		c->exited = 1; /* ECHILD: the daemon reaped it, or SIGCHLD is ignored */
		c->status = -1;
	}
	return c->exited;
}

void anonstats_child_end(struct anonstats_child *c, enum anonstats_end how)
{
	int sig = how == END_KILL ? SIGKILL : SIGTERM;

	if (c->pid <= 0 || c->exited || how == END_NONE || c->end >= how)
		return;
	if (kill(-c->pid, sig) < 0)
		(void)kill(c->pid, sig);
	/* SIGTERM may be blocked by what the script started: SIGCONT does
	 * not hurt, and wakes a stopped group. */
	if (how == END_TERM)
		(void)kill(-c->pid, SIGCONT);
	c->end = how;
}

int anonstats_child_poll_ms(const struct anonstats_child *c)
{
	long since;

	if (c->exited)
		return 0;
	if (c->pidfd >= 0)
		return -1;
	if (c->out_fd >= 0)
		return FALLBACK_OPEN_MS;
	/* Its stdout closed: it is exiting, look often for a while. */
	since = anonstats_ms_since(&c->eof_at);
	return since < 20 ? 1 : (since < 200 ? 5 : FALLBACK_OPEN_MS);
}

void anonstats_child_close(struct anonstats_child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->out_fd = c->pidfd = -1;
}

void anonstats_child_wait(struct anonstats_child *c, const struct timespec *deadline,
			  unsigned grace_ms)
{
	struct timespec kill_by;

	for (;;) {
		struct pollfd p[2];
		nfds_t n = 0;
		long left;
		int timeout, t;

		anonstats_child_read(c);
		if (anonstats_child_collect(c))
			break;
		left = anonstats_ms_until(deadline);
		if (left <= 0)
			break;
		if (left <= (long)grace_ms) {
			anonstats_child_end(c, END_TERM); /* a chance to clean up */
			timeout = (int)left;
		} else {
			timeout = (int)(left - (long)grace_ms);
		}
		t = anonstats_child_poll_ms(c);
		if (t >= 0 && t < timeout)
			timeout = t;
		if (c->pidfd >= 0) {
			p[n].fd = c->pidfd;
			p[n++].events = POLLIN;
		}
		if (c->out_fd >= 0) {
			p[n].fd = c->out_fd;
			p[n++].events = POLLIN;
		}
		if (poll(p, n, timeout) < 0 && errno != EINTR)
			(void)poll(NULL, 0, 1);
	}
	if (!c->exited) {
		anonstats_child_end(c, END_KILL);
		anonstats_deadline_after(&kill_by, KILL_COLLECT_MS);
		while (!anonstats_child_collect(c) && anonstats_ms_until(&kill_by) > 0) {
			struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
			(void)poll(&p, c->pidfd >= 0 ? 1 : 0, c->pidfd >= 0 ? 100 : 1);
		}
	}
	/* Keep what is in the pipe, but never wait for a grandchild that
	 * still holds it. */
	anonstats_child_read(c);
	anonstats_child_close(c);
}

/* The HTTP status the script printed: the last non-empty line, if it is
 * three digits; 0 otherwise. */
static int http_code(const char *out)
{
	const char *end = out + strlen(out), *start;

	while (end > out && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > out && start[-1] != '\n')
		start--;
	if (end - start != 3)
		return 0;
	for (const char *p = start; p < end; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return (start[0] - '0') * 100 + (start[1] - '0') * 10 + (start[2] - '0');
}

/* The script's exit codes (see anonymous-statistics.sh --help). */
static const struct {
	int code;
	const char *meaning;
} exit_meanings[] = {
	{ 0, "sent, or nothing to send" },
	{ 2, "usage error" },
	{ 3, "not configured (no key or URL)" },
	{ 4, "no transport (curl or wget)" },
	{ 5, "network failure" },
	{ 6, "HTTP error" },
	{ 7, "the event could not be built" },
	{ 126, "script not executable" },
	{ 127, "script not found" },
	{ 143, "ended by SIGTERM" },
};

static const char *exit_meaning(int code)
{
	size_t i;

	for (i = 0; i < sizeof exit_meanings / sizeof exit_meanings[0]; i++)
		if (exit_meanings[i].code == code)
			return exit_meanings[i].meaning;
	return "failed";
}

void anonstats_child_report(const char *action, const struct anonstats_child *c, long ms)
{
	int code = http_code(c->out);
	char http[32] = "";

	if (code)
		snprintf(http, sizeof http, ", HTTP %d", code);
	if (c->status == -1) {
		anonstats_log(ANONSTATS_LOG_INFO, "%s: exit status unknown (reaped elsewhere)%s, %ld ms",
			      action, http, ms);
	} else if (WIFEXITED(c->status)) {
		int st = WEXITSTATUS(c->status);
		anonstats_log(st == 0 ? ANONSTATS_LOG_INFO : ANONSTATS_LOG_WARNING,
			      "%s: exit %d (%s)%s, %ld ms", action, st, exit_meaning(st), http, ms);
	} else if (WIFSIGNALED(c->status)) {
		anonstats_log(ANONSTATS_LOG_WARNING, "%s: %s by signal %d%s, %ld ms", action,
			      c->end != END_NONE ? "given up, ended" : "killed", WTERMSIG(c->status),
			      http, ms);
	}
}
