/* unit-crash: the crash-signal handler (anonstats-crash.c): the report
 * from the handler, then the signal's default action.  TAP on stdout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit-helpers.h"
#include "../helpers/tap.h"

static void do_crash(void)
{
	init_lib(0, 0, "unit");
	if (anonstats_install_crash_handlers() != 0)
		_exit(99);
	raise(SIGSEGV);
	_exit(98);
}

static void do_crash_opted_out(void)
{
	setenv("DISABLE_TELEMETRY", "0", 1);
	do_crash();
}

static void do_crash_null(void)
{
	init_lib(0, 0, "unit");
	if (anonstats_install_crash_handlers() != 0)
		_exit(99);
	abort();
}

/* A config directory whose path cannot be resolved (a symlink loop: ELOOP,
 * as EACCES is for a directory the daemon may not search): opted out, for
 * the crash handler too. */
static void do_crash_config_eloop(void)
{
	config_dir_name = "loop/config";
	init_lib(0, 0, "unit");
	if (anonstats_status() != ANONSTATS_DISABLED_OPT_OUT_FILE)
		_exit(97);
	if (anonstats_install_crash_handlers() != 0)
		_exit(99);
	raise(SIGSEGV);
	_exit(98);
}

/* A daemon that ignores SIGTERM, SIGINT and SIGPIPE: the crash report's
 * child gets the default dispositions back, so its bound can stop it. */
static void do_crash_ignoring(void)
{
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	do_crash();
}

static void test_crash(void)
{
	size_t len;
	int st;

	set_mode("ok");
	clear_calls();
	st = in_child(do_crash, NULL);
	ok(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	   "after reporting, the process still dies of SIGSEGV");
	ok(calls() == 1, "the crash was sent before dying");
	is_str(call_file("arg1", &len), "FATAL", "as FATAL");
	is_str(call_file("arg2", &len), "unit:" THREAD_NAME, "process:thread");
	is_str(call_file("arg3", &len), "SIGSEGV:unknown:0", "with the signal name");

	clear_calls();
	st = in_child(do_crash_null, NULL);
	ok(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "abort() still aborts");
	is_str(call_file("arg3", &len), "SIGABRT:unknown:0", "reported as SIGABRT");

	clear_calls();
	st = in_child(do_crash_ignoring, NULL);
	{
		const char *ign = call_file("sigign", &len);
		unsigned long mask = ign ? strtoul(ign + strcspn(ign, "0123456789abcdef"), NULL, 16) : ~0UL;
		ok(calls() == 1 && (mask & ((1UL << (SIGTERM - 1)) | (1UL << (SIGINT - 1)) |
					    (1UL << (SIGPIPE - 1)))) == 0,
		   "the crash report runs with SIGTERM, SIGINT, SIGPIPE at their defaults (SigIgn %lx)",
		   mask);
	}

	clear_calls();
	if (symlink("loop", path("loop")) != 0 && errno != EEXIST)
		printf("# symlink: %s\n", strerror(errno));
	st = in_child(do_crash_config_eloop, NULL);
	ok(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && calls() == 0,
	   "a config dir that cannot be checked (ELOOP) opts out: the crash runs nothing (status %d)",
	   st);

	clear_calls();
	st = in_child(do_crash_opted_out, NULL);
	ok(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && calls() == 0,
	   "opted out, a crash runs nothing");
}

int main(void)
{
	unit_setup();
	test_crash();
	unit_teardown();
	return done_testing();
}
