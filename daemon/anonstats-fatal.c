/* anonstats-fatal.c: FATAL events, sent synchronously with a hard bound,
 * from the ANONSTATS_FATAL() macro and from the crash-signal handler. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anonstats-internal.h"

#define S (&anonstats_g)

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The calling thread's name, "unknown" when it has none. */
static void thread_name(char out[ANONSTATS_THREAD_MAX])
{
	out[0] = '\0';
#ifdef HAVE_PTHREAD_GETNAME_NP
	if (pthread_getname_np(pthread_self(), out, ANONSTATS_THREAD_MAX) != 0)
		out[0] = '\0';
#endif
	out[ANONSTATS_THREAD_MAX - 1] = '\0';
	if (!out[0])
		snprintf(out, ANONSTATS_THREAD_MAX, "unknown");
}

/* result: "process:thread"; data: "function:file:line", then ":errno" when
 * errno was set.  The file is its base name: a build path says who built
 * it.  0, or -1 when a buffer is too small (the output is cut, still
 * terminated). */
int anonstats_format_fatal(char *result, size_t result_size, char *data, size_t data_size,
			   const char *func, const char *file, int line, int errnum)
{
	char thread[ANONSTATS_THREAD_MAX];
	int a, b;

	thread_name(thread);
	a = snprintf(result, result_size, "%s:%s", S->program_name ? S->program_name : "daemon",
		     thread);
	if (errnum)
		b = snprintf(data, data_size, "%s:%s:%d:%d", func, base_name(file), line, errnum);
	else
		b = snprintf(data, data_size, "%s:%s:%d", func, base_name(file), line);
	return a < 0 || b < 0 || (size_t)a >= result_size || (size_t)b >= data_size ? -1 : 0;
}

/* Run one FATAL and wait for it at most timeout_ms; kill it after that. */
static void send_fatal_sync(char *const argv[])
{
	struct timespec start;
	struct anonstats_child c;
	int fd;
	pid_t pid;

	if (anonstats_spawn(argv, &pid, &fd) < 0) {
		anonstats_log(ANONSTATS_LOG_ERROR, "FATAL not sent: cannot run %s: %s", argv[0],
			      strerror(errno));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(&c, 0, sizeof c);
	c.pid = pid;
	c.status = -1;
	snprintf(c.action, sizeof c.action, "FATAL");
	for (;;) {
		long left = (long)S->fatal_timeout_ms - anonstats_ms_since(&start);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[256];
		int st;
		pid_t r;

		do
			r = waitpid(pid, &st, WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == pid) {
			c.status = st;
			break;
		}
		if (r < 0)
			break; /* reaped elsewhere */
		if (left <= 0) {
			if (kill(-pid, SIGKILL) < 0)
				kill(pid, SIGKILL);
			c.killed = 1;
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			c.status = st;
			break;
		}
		/* Read the output as it comes; poll at most 10 ms at a time so
		 * the exit is seen even if a grandchild holds the pipe. */
		if (fd >= 0 && poll(&p, 1, left < 10 ? (int)left : 10) > 0) {
			ssize_t n = read(fd, buf, sizeof buf);
			if (n > 0) {
				c.out_len = anonstats_keep_output(c.out, c.out_len, buf, (size_t)n);
			} else if (n == 0 || errno != EAGAIN) {
				close(fd);
				fd = -1;
			}
		} else if (fd < 0) {
			struct timespec ts = { 0, 5 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	if (fd >= 0) {
		char buf[256];
		ssize_t n;
		while ((n = read(fd, buf, sizeof buf)) > 0)
			c.out_len = anonstats_keep_output(c.out, c.out_len, buf, (size_t)n);
		close(fd);
	}
	anonstats_child_report(&c, anonstats_ms_since(&start));
}

_Noreturn void anonstats_fatal_(const char *func, const char *file, int line, int errnum,
				const char *fmt, ...)
{
	char msg[512], result[ANONSTATS_PROGRAM_MAX + ANONSTATS_THREAD_MAX + 2];
	char data[ANONSTATS_ARG_MAX];
	enum anonstats_status st;
	struct timespec start;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* The message stays in the local log: it can hold hostnames. */
	if (errnum)
		anonstats_log(ANONSTATS_LOG_ERROR, "FATAL in %s() at %s:%d: %s (errno %d, %s)", func,
			      file, line, msg, errnum, strerror(errnum));
	else
		anonstats_log(ANONSTATS_LOG_ERROR, "FATAL in %s() at %s:%d: %s", func, file, line,
			      msg);

	clock_gettime(CLOCK_MONOTONIC, &start);
	st = anonstats_status();
	if (st == ANONSTATS_ENABLED) {
		char *argv[] = { S->script, (char *)"FATAL", result, data, NULL };
		anonstats_format_fatal(result, sizeof result, data, sizeof data, func, file, line,
				       errnum);
		send_fatal_sync(argv);
	} else if (S->initialized) {
		anonstats_log(ANONSTATS_LOG_DEBUG, "FATAL not sent: %s", anonstats_status_string(st));
	}
	/* Events still in flight get what is left of the bound, then are
	 * killed: nothing of ours outlives the process for long. */
	if (S->initialized) {
		long left = (long)S->fatal_timeout_ms - anonstats_ms_since(&start);
		anonstats_settle_for_exit(left > 0 ? (unsigned)left : 0);
	}
	exit(EXIT_FAILURE);
}

/* ---- crash signals ------------------------------------------------------- */

/* Everything the handler needs, built by anonstats_install_crash_handlers():
 * the handler itself only copies bytes, forks, execs and waits. */
static struct {
	char result[ANONSTATS_PROGRAM_MAX + ANONSTATS_THREAD_MAX + 2];
	size_t program_len;      /* result holds "program:" up to here */
	char data[32];
	char *argv[5];
	atomic_int armed;
	atomic_flag busy;
	struct sigaction old[4];
} crash = { .busy = ATOMIC_FLAG_INIT };

static const int crash_signals[4] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT };
static const char *const crash_names[4] = { "SIGSEGV", "SIGBUS", "SIGFPE", "SIGABRT" };

/* Reset to SIG_DFL in the report's child (the posix_spawn() path's list). */
static const int crash_child_defaults[] = { SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM,
					    SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU };

extern char **environ;

/* Opted out by the environment?  Walks environ by hand: getenv() is not on
 * the async-signal-safe list. */
static int env_opted_out(void)
{
	static const char *const vars[] = { "DO_NOT_TRACK=", "DISABLE_TELEMETRY=" };
	char **e;
	size_t i, k;

	for (e = environ; e && *e; e++) {
		for (i = 0; i < 2; i++) {
			for (k = 0; vars[i][k] && (*e)[k] == vars[i][k]; k++)
				;
			if (!vars[i][k] && (*e)[k] != '\0')
				return 1;
		}
	}
	return 0;
}

static void copy_str(char *dst, size_t *pos, size_t cap, const char *src)
{
	while (*src && *pos + 1 < cap)
		dst[(*pos)++] = *src++;
	dst[*pos] = '\0';
}

static void crash_report(int idx)
{
	char thread[ANONSTATS_THREAD_MAX] = "";
	size_t pos, i;
	long waited = 0;
	int st;
	pid_t pid;

	if (env_opted_out())
		return;
	/* The same rule as anonstats_status(): only ENOENT or ENOTDIR means
	 * "no file"; any other error (EACCES, ELOOP) counts as opted out. */
	for (i = 0; i < S->n_opt_out_paths; i++) {
		struct stat sb;
		if (lstat(S->opt_out_paths[i], &sb) == 0 || (errno != ENOENT && errno != ENOTDIR))
			return;
	}

	/* "program:thread" and the signal name. */
	pos = crash.program_len;
	if (prctl(PR_GET_NAME, thread, 0, 0, 0) < 0 || !thread[0])
		copy_str(thread, &(size_t){ 0 }, sizeof thread, "unknown");
	thread[sizeof thread - 1] = '\0';
	copy_str(crash.result, &pos, sizeof crash.result, thread);
	/* FUNCTION:FILE:LINE, the shape the script takes: the signal name
	 * where the function goes, the place unknown. */
	pos = 0;
	copy_str(crash.data, &pos, sizeof crash.data, crash_names[idx]);
	copy_str(crash.data, &pos, sizeof crash.data, ":unknown:0");

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	pid = _Fork(); /* no atfork handlers: async-signal-safe */
#else
	pid = fork();
#endif
	if (pid < 0)
		return;
	if (pid == 0) {
		sigset_t none;
		int fd;

		struct sigaction dfl;
		size_t k;

		/* Dispositions the daemon ignores survive exec: give the
		 * script the defaults, as the posix_spawn() path does. */
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		for (k = 0; k < sizeof crash_child_defaults / sizeof crash_child_defaults[0]; k++)
			(void)sigaction(crash_child_defaults[k], &dfl, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
#ifdef SYS_close_range
		if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
#endif
			for (fd = 3; fd < 1024; fd++)
				close(fd);
		execve(crash.argv[0], crash.argv, S->envp);
		_exit(127);
	}
	/* Wait at most fatal_timeout_ms, 10 ms at a time. */
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (waited >= (long)S->fatal_timeout_ms) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			break;
		}
		poll(NULL, 0, 10);
		waited += 10;
	}
}

static void crash_handler(int sig)
{
	int saved = errno, idx = -1, i;

	for (i = 0; i < 4; i++)
		if (crash_signals[i] == sig)
			idx = i;
	/* Only the first crash reports, and only while armed. */
	if (idx >= 0 && atomic_load(&crash.armed) && !atomic_flag_test_and_set(&crash.busy))
		crash_report(idx);
	{
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
	}
	errno = saved;
	raise(sig); /* pending until we return; then the default action: core */
}

int anonstats_install_crash_handlers(void)
{
	struct sigaction sa;
	size_t pos = 0;
	int i;

	if (!S->initialized) {
		errno = EINVAL;
		return -1;
	}
	copy_str(crash.result, &pos, sizeof crash.result, S->program_name);
	copy_str(crash.result, &pos, sizeof crash.result, ":");
	crash.program_len = pos;
	crash.argv[0] = S->script;
	crash.argv[1] = (char *)"FATAL";
	crash.argv[2] = crash.result;
	crash.argv[3] = crash.data;
	crash.argv[4] = NULL;

	/* A stack overflow needs its own stack to report from. */
	{
		static char *altstack;
		stack_t ss;
		if (!altstack)
			altstack = malloc(SIGSTKSZ > 65536 ? SIGSTKSZ : 65536);
		if (altstack) {
			ss.ss_sp = altstack;
			ss.ss_size = SIGSTKSZ > 65536 ? SIGSTKSZ : 65536;
			ss.ss_flags = 0;
			(void)sigaltstack(&ss, NULL);
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		sigaddset(&sa.sa_mask, crash_signals[i]);
	sa.sa_flags = SA_ONSTACK;
	for (i = 0; i < 4; i++) {
		if (sigaction(crash_signals[i], &sa, &crash.old[i]) < 0)
			return -1;
	}
	atomic_store(&crash.armed, 1);
	return 0;
}

/* Called by anonstats_free(): the handler must not use freed state. */
void anonstats_disarm_crash_handlers(void)
{
	int i;

	if (!atomic_exchange(&crash.armed, 0))
		return;
	/* Give the daemon back whatever handlers it had before. */
	for (i = 0; i < 4; i++)
		(void)sigaction(crash_signals[i], &crash.old[i], NULL);
}
