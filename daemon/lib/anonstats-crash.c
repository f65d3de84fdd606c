/* anonstats-crash.c: the crash-signal handler.  SIGSEGV, SIGBUS, SIGFPE and
 * SIGABRT are reported as FATAL from the signal handler, with only
 * async-signal-safe calls and an argv built at install time; then the run
 * is marked clean and the signal re-raised with its default action. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anonstats-internal.h"

/* The configuration (anonstats-config.c owns it; read-only here). */
static struct anonstats_conf *const conf = &anonstats_conf;

/* Everything the handler needs, built by anonstats_install_crash_handlers():
 * the handler itself only copies bytes, forks, execs and waits. */
static struct {
	char result[ANONSTATS_PROGRAM_MAX + ANONSTATS_THREAD_MAX + 2];
	size_t program_len; /* result holds "program:" up to here */
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

static void copy_str(char *dst, size_t *pos, size_t cap, const char *src)
{
	while (*src && *pos + 1 < cap)
		dst[(*pos)++] = *src++;
	dst[*pos] = '\0';
}

static void crash_report(int idx)
{
	char thread[ANONSTATS_THREAD_MAX] = "";
	struct anonstats_decision d;
	size_t pos;
	long waited = 0, grace;
	int st;
	pid_t pid;

	/* The one rule of every event (async-signal-safe): the environment,
	 * the opt-out file (any error but ENOENT/ENOTDIR opts out), the
	 * level (crashes still sends FATAL). */
	anonstats_decide(&d);
	if (!anonstats_level_allows(d.level, "FATAL"))
		return;

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

#ifdef HAVE__FORK
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
		execve(crash.argv[0], crash.argv, conf->envp);
		_exit(127);
	}
	/* Wait at most fatal_timeout_ms, 5 ms at a time (no pidfd here: the
	 * simplest async-signal-safe wait); SIGTERM in the last part, so the
	 * script can clean up, then SIGKILL. */
	grace = (long)anonstats_term_grace(conf->fatal_timeout_ms);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (waited >= (long)conf->fatal_timeout_ms) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (waited >= (long)conf->fatal_timeout_ms - grace && waited - 5 < (long)conf->fatal_timeout_ms - grace)
			kill(-pid, SIGTERM);
		poll(NULL, 0, 5);
		waited += 5;
	}
}

static void crash_handler(int sig)
{
	int saved = errno, idx = -1, i;

	for (i = 0; i < 4; i++)
		if (crash_signals[i] == sig)
			idx = i;
	/* Only the first crash reports, and only while armed. */
	if (idx >= 0 && atomic_load(&crash.armed) && !atomic_flag_test_and_set(&crash.busy)) {
		crash_report(idx);
		/* Reported (or not to be): no CRASH for this run at the next
		 * start. */
		anonstats_runstate_mark_crashed();
	}
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

	if (!anonstats_conf_loaded()) {
		errno = EINVAL;
		return -1;
	}
	copy_str(crash.result, &pos, sizeof crash.result, conf->program_name);
	copy_str(crash.result, &pos, sizeof crash.result, ":");
	crash.program_len = pos;
	crash.argv[0] = conf->script;
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
