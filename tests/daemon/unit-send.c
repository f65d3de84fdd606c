/* unit-send: the public send calls (anonstats.c) and one child running
 * the script (anonstats-child.c): argv, environment, hostile strings, exit
 * codes, a daemon's own signal handling.  TAP on stdout. */
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

static void test_keep_output(void)
{
	char buf[ANONSTATS_OUTPUT_KEEP];
	char big[200];
	size_t len = 0;

	len = anonstats_keep_output(buf, len, "abc", 3);
	len = anonstats_keep_output(buf, len, "def\n", 4);
	is_str(buf, "abcdef\n", "output is kept");
	memset(big, 'x', sizeof big);
	big[sizeof big - 4] = '2';
	big[sizeof big - 3] = '0';
	big[sizeof big - 2] = '4';
	big[sizeof big - 1] = '\n';
	len = anonstats_keep_output(buf, len, big, sizeof big);
	ok(len == ANONSTATS_OUTPUT_KEEP - 1 && strcmp(buf + len - 4, "204\n") == 0,
	   "long output keeps its end");
}

static void test_send_argv_env(void)
{
	size_t len;
	const char *s;
	double t0, t;

	set_mode("ok");
	clear_calls();
	log_clear();
	setenv("SECRET_TOKEN", "hunter2", 1);
	setenv("ANONYMOUS_STATISTICS_URL", "http://127.0.0.1:9/capture/", 1);
	init_lib(0, 0, "unit");
	unsetenv("ANONYMOUS_STATISTICS_URL");
	ok(anonstats_status() == ANONSTATS_ENABLED, "enabled by default");
	is_str(anonstats_status_string(anonstats_status()), "enabled", "status string");
	ok(anonstats_machine_guid() && anonstats_uuid_valid(anonstats_machine_guid()),
	   "the machine GUID is a UUID");
	t0 = now_ms();
	ok(anonstats_start() == ANONSTATS_SENT, "START spawned");
	t = now_ms() - t0;
	ok(t < 100.0 * slow_factor, "START returned in %.3f ms", t);
	ok(wait_calls(1, 5000) && wait_idle(5000), "the script ran and was collected");
	s = call_file("argc", &len);
	is_str(s, "1", "one argument");
	s = call_file("arg1", &len);
	is_str(s, "START", "argv[1] is START");
	s = call_file("env", &len);
	ok(s && !strstr(s, "SECRET_TOKEN"), "the daemon's environment is not passed");
	ok(s && strstr(s, "NETDATA_VERSION=1.2.3\n"), "NETDATA_VERSION passed");
	ok(s && strstr(s, "NETDATA_REGISTRY_UNIQUE_ID=") &&
		   strstr(s, anonstats_machine_guid() ? anonstats_machine_guid() : "?"),
	   "the GUID passed as NETDATA_REGISTRY_UNIQUE_ID");
	ok(s && strstr(s, "NETDATA_USER_CONFIG_DIR="), "the config dir passed");
	ok(s && strstr(s, "ANONYMOUS_STATISTICS_URL=http://127.0.0.1:9/capture/\n"),
	   "the endpoint override passed");
	ok(s && strstr(s, "\nPATH="), "PATH passed");
	s = call_file("stdin", &len);
	ok(s && len == 0, "stdin is /dev/null");
	s = call_file("pgid", &len);
	ok(s && strtol(s, NULL, 10) != getpgrp(), "the child has its own process group");
	ok(log_has("START: exit 0") && log_has("HTTP 200"),
	   "exit status and HTTP code reported through the log callback");
	unsetenv("SECRET_TOKEN");
}

/* anonstats_in_flight() reaches 0 only once the event has gone through the
 * logging callback, however slow that callback is. */
static void test_reported_before_idle(void)
{
	set_mode("ok");
	clear_calls();
	log_clear();
	log_delay_ms = 300;
	ok(anonstats_start() == ANONSTATS_SENT && wait_calls(1, 5000) && wait_idle(5000),
	   "START ran and in_flight() came back to 0");
	ok(log_has("START: exit 0"), "its report was logged before in_flight() said 0");
	log_delay_ms = 0;
}

static void test_hostile_strings(void)
{
	static const char *const hostile[] = {
		"it's \"quoted\"",
		"$(touch canary)",
		"`touch canary`",
		"line1\nline2\r\n",
		"\xff\xfe invalid \xc3\x28 utf-8",
		"; touch canary #",
	};
	size_t i, len;
	int all = 1;

	set_mode("ok");
	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		const char *s1, *s2;
		char a1[256], a2[256];
		clear_calls();
		anonstats_send("CLOUD_BUILD_FAIL", hostile[i], hostile[i]);
		wait_calls(1, 5000);
		wait_idle(5000);
		s1 = call_file("arg2", &len);
		snprintf(a1, sizeof a1, "%s", s1 ? s1 : "");
		s2 = call_file("arg3", &len);
		snprintf(a2, sizeof a2, "%s", s2 ? s2 : "");
		if (strcmp(a1, hostile[i]) || strcmp(a2, hostile[i]))
			all = 0;
	}
	ok(all, "hostile strings reach the script byte for byte");

	/* An ACTION the script would refuse never runs it. */
	clear_calls();
	log_clear();
	errno = 0;
	ok(anonstats_send(hostile[1], NULL, NULL) == -1 && errno == EINVAL &&
		   anonstats_send("NOT_AN_ACTION", NULL, NULL) == -1 && errno == EINVAL,
	   "an ACTION the script does not take is refused (EINVAL)");
	wait_idle(5000);
	ok(calls() == 0 && log_has("not an ACTION the script takes") && anonstats_in_flight() == 0,
	   "nothing was queued or run for it, and the log says why");
	ok(anonstats_send("EXIT", NULL, NULL) == ANONSTATS_SENT &&
		   anonstats_send("ACLK_DISABLED", NULL, NULL) == ANONSTATS_SENT,
	   "the script's aliases are taken");
	wait_idle(5000);
	ok(access(path("canary"), F_OK) != 0 && access("canary", F_OK) != 0, "nothing was executed");

	/* A long argument is cut at ANONSTATS_ARG_MAX. */
	{
		char *big = malloc(100000);
		memset(big, 'a', 99999);
		big[99999] = '\0';
		clear_calls();
		ok(anonstats_send("CLOUD_BUILD_FAIL", "FAILED", big) == ANONSTATS_SENT,
		   "a 100 kB argument is accepted");
		wait_calls(1, 5000);
		wait_idle(5000);
		call_file("arg3", &len);
		ok(len == ANONSTATS_ARG_MAX, "and cut at %d bytes (got %zu)", ANONSTATS_ARG_MAX, len);
		free(big);
	}
}

static void test_cloud_helpers(void)
{
	int codes[] = { 111, -3, 110 };
	size_t len;

	set_mode("ok");
	clear_calls();
	ok(anonstats_cloud_connect_fail(codes, 3) == ANONSTATS_SENT, "CLOUD_CONNECT_FAIL spawned");
	wait_calls(1, 5000);
	wait_idle(5000);
	is_str(call_file("arg1", &len), "CLOUD_CONNECT_FAIL", "action");
	is_str(call_file("arg3", &len), "111,-3,110", "the codes, comma-separated");
	clear_calls();
	anonstats_cloud_disabled();
	wait_calls(1, 5000);
	wait_idle(5000);
	is_str(call_file("arg1", &len), "CLOUD_DISABLED", "CLOUD_DISABLED");
	clear_calls();
	anonstats_cloud_build_fail("libwebsockets");
	wait_calls(1, 5000);
	wait_idle(5000);
	is_str(call_file("arg1", &len), "CLOUD_BUILD_FAIL", "CLOUD_BUILD_FAIL");
	is_str(call_file("arg3", &len), "libwebsockets", "names the dependency");
}

static void test_exit_codes(void)
{
	set_mode("exit6");
	log_clear();
	anonstats_start();
	wait_idle(5000);
	ok(log_has("START: exit 6 (HTTP error), HTTP 503"), "a failing send is reported");
	set_mode("missing");
	log_clear();
	chmod(script, 0644);
	/* posix_spawn() reports a failed exec (glibc does); under valgrind
	 * the child reports it with exit 126 or 127. */
	{
		int rc = anonstats_start();
		wait_idle(5000);
		ok(rc == 0 && (log_has("START not sent: cannot run") || log_has("START: exit 12")),
		   "a script that cannot be executed is reported through the log");
		ok(anonstats_in_flight() == 0, "and leaves nothing in flight");
	}
	chmod(script, 0755);
}

static void custom_bus(int sig)
{
	(void)sig;
}

/* A daemon that ignores SIGCHLD, or reaps with waitpid(-1): events still
 * work, their status is unknown; and its own crash handlers come back. */
static void test_daemon_signal_handling(void)
{
	struct sigaction sa, got;
	int total, zombies;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	init_lib(0, 0, "unit");
	set_mode("ok");
	clear_calls();
	log_clear();
	ok(anonstats_start() == ANONSTATS_SENT && wait_calls(1, 5000) && wait_idle(5000),
	   "with SIGCHLD ignored, events still run and are collected");
	ok(log_has("START: exit status unknown"), "their exit status is logged as unknown");
	anonstats_free();
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	children(&total, &zombies);
	ok(zombies == 0, "no zombies");

	sa.sa_handler = custom_bus;
	sigaction(SIGBUS, &sa, NULL);
	init_lib(0, 0, "unit");
	ok(anonstats_install_crash_handlers() == 0, "crash handlers installed");
	sigaction(SIGBUS, NULL, &got);
	ok(got.sa_handler != custom_bus, "they replace the daemon's");
	anonstats_free();
	sigaction(SIGBUS, NULL, &got);
	ok(got.sa_handler == custom_bus, "anonstats_free() gives the daemon's handler back");
	sa.sa_handler = SIG_DFL;
	sigaction(SIGBUS, &sa, NULL);
}

int main(void)
{
	unit_setup();
	if (unit_concurrency_only()) {
		test_send_argv_env();
		test_reported_before_idle();
		anonstats_free();
		goto done;
	}
	test_keep_output();
	test_send_argv_env();
	test_reported_before_idle();
	test_hostile_strings();
	test_cloud_helpers();
	test_exit_codes();
	anonstats_free();
	test_daemon_signal_handling();
done:
	unit_teardown();
	return done_testing();
}
