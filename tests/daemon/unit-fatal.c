/* unit-fatal: ANONSTATS_FATAL() (anonstats-fatal.c): one synchronous,
 * bounded send, then exit.  TAP on stdout. */
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

static void do_fatal(void)
{
	char line[32];

	init_lib(0, 0, "unit");
	snprintf(line, sizeof line, "%d", __LINE__ + 3);
	write_file(path("fatal-line"), line);
	errno = ENOENT;
	ANONSTATS_FATAL("cannot reach secret.example.com:19999");
}

static void do_fatal_hang(void)
{
	init_lib(0, 300, "unit");
	set_mode("sleep");
	anonstats_start(); /* running when FATAL comes (valgrind is slow to start it) */
	wait_calls(1, 5000);
	ANONSTATS_FATAL("hang");
}

static void test_fatal(void)
{
	char want[256];
	size_t len;
	double ms;
	int st, total, zombies;

	set_mode("ok");
	clear_calls();
	st = in_child(do_fatal, &ms);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == EXIT_FAILURE, "FATAL exits non-zero");
	ok(calls() == 1, "FATAL was sent synchronously, before the exit");
	is_str(call_file("arg1", &len), "FATAL", "action FATAL");
	is_str(call_file("arg2", &len), "unit:" THREAD_NAME, "result process:thread");
	{
		const char *l = read_file(path("fatal-line"), &len);
		snprintf(want, sizeof want, "do_fatal:unit-fatal.c:%s:%d", l ? l : "?", ENOENT);
	}
	is_str(call_file("arg3", &len), want, "data function:file:line:errno match the source");
	{
		const char *s = call_file("arg3", &len);
		ok(s && !strstr(s, "secret"), "the message text is never sent");
	}

	clear_calls();
	st = in_child(do_fatal_hang, &ms);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 0 && ms < 300 + 700.0 * slow_factor,
	   "FATAL against a hanging script gives up at its bound (%.0f ms for 300 ms)", ms);
	usleep(50000);
	children(&total, &zombies);
	ok(total == 0, "nothing of it left running");
	ok(calls() == 2, "START and FATAL both ran");
	{
		/* Their process groups (with the sleeps) are gone too. */
		DIR *d = opendir(path("calls"));
		struct dirent *e;
		int alive = 0;
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				alive += group_alive((pid_t)strtol(e->d_name, NULL, 10));
		if (d)
			closedir(d);
		ok(alive == 0, "FATAL killed the event still in flight (%d groups alive)", alive);
	}
}

int main(void)
{
	unit_setup();
	test_fatal();
	unit_teardown();
	return done_testing();
}
