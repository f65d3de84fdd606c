/* unit-queue: the event queue and the helper thread (anonstats-helper.c):
 * bounds, drops, merges, STOP, many threads at once.  TAP on stdout. */
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

/* A hanging script: 40 ordinary events back to back.  8 run, 24 more wait
 * in the queue, 8 are dropped (counted, logged); START and STOP, vital,
 * are still taken and run at once; at the STOP bound what runs is ended
 * and what waits is abandoned. */
static void test_hang_and_stop(void)
{
	struct anonstats_counters k;
	double t0, t, worst = 0, times[40];
	int i, total, zombies, sent = 0, busy = 0, below = 0;

	anonstats_free();
	init_lib(300, 0, "unit");
	set_mode("sleep");
	clear_calls();
	log_clear();
	for (i = 0; i < 40; i++) {
		int rc;
		t0 = now_ms();
		rc = anonstats_cloud_connect_fail(&i, 1);
		t = now_ms() - t0;
		times[i] = t;
		if (t > worst)
			worst = t;
		sent += rc == ANONSTATS_SENT;
		busy += rc == -1 && errno == EBUSY;
	}
	ok(worst < 100.0 * slow_factor, "with a hanging script every send returns at once (worst %.3f ms)",
	   worst);
	/* The 1 ms target, on the median: a loaded test machine may stall
	 * one call, but not most of them. */
	for (i = 0; i < 40; i++)
		below += times[i] < 1.0 * slow_factor;
	ok(below * 2 > 40, "most sends take under 1 ms (%d of 40)", below);
	ok(sent == ANONSTATS_QUEUE_MAX && busy == 40 - ANONSTATS_QUEUE_MAX,
	   "%d ordinary events held, the other %d refused with EBUSY (%d, %d)", ANONSTATS_QUEUE_MAX,
	   40 - ANONSTATS_QUEUE_MAX, sent, busy);
	ok(log_count("dropped:") == 40 - ANONSTATS_QUEUE_MAX, "each drop is logged (%d)",
	   log_count("dropped:"));
	ok(wait_calls(ANONSTATS_MAX_RUNNING, 5000) && (usleep(100000), calls() == ANONSTATS_MAX_RUNNING),
	   "%d run at once (%d)", ANONSTATS_MAX_RUNNING, calls());
	ok(anonstats_start() == ANONSTATS_SENT, "START is taken with the queue full");
	ok(wait_calls(ANONSTATS_MAX_RUNNING + 1, 5000), "and runs at once, beyond the running limit");
	t0 = now_ms();
	ok(anonstats_stop(0) == ANONSTATS_SENT, "STOP is taken with the queue full");
	t = now_ms() - t0;
	ok(t < 300 + 500.0 * slow_factor, "STOP gave up within its bound (%.0f ms for 300 ms)", t);
	ok(calls() == ANONSTATS_MAX_RUNNING + 2, "STOP ran too (%d runs)", calls());
	ok(log_has("no answer after") && log_has("ending it") && log_has("not sent, stopping"),
	   "what was given up is reported");
	anonstats_counters(&k);
	ok(k.queued == ANONSTATS_QUEUE_MAX + 2 && k.dropped == 40 - ANONSTATS_QUEUE_MAX &&
		   k.abandoned == ANONSTATS_QUEUE_MAX - ANONSTATS_MAX_RUNNING &&
		   k.ended == ANONSTATS_MAX_RUNNING + 2 && k.merged == 0,
	   "the counters are exact: queued %lu, dropped %lu, abandoned %lu, ended %lu, merged %lu",
	   k.queued, k.dropped, k.abandoned, k.ended, k.merged);
	usleep(100000);
	children(&total, &zombies);
	ok(total == 0 && zombies == 0, "no child and no zombie left (%d, %d)", total, zombies);
	ok(anonstats_start() == -1 && errno == ESHUTDOWN, "no events after STOP");
	anonstats_free();
}

/* 100 events back to back, the five vital kinds among them, repeats of one
 * ordinary event, the rest distinct. */
static void flood_of_events(int hanging)
{
	struct anonstats_counters k;
	int i, sent = 0, merged = 0, busy = 0, code = 111, rc;
	char dep[32];
	static const char *const vital[] = { "FATAL", "CRASH", "INCOMPLETE_SHUTDOWN" };
	const char *what = hanging ? "hanging" : "answering";

	init_lib(hanging ? 1000 : 10000, 0, "unit");
	set_mode(hanging ? "sleep" : "ok");
	clear_calls();
	log_clear();
	for (i = 0; i < 100; i++) {
		if (i == 10)
			rc = anonstats_start();
		else if (i % 20 == 10 && i < 90)
			rc = anonstats_send(vital[i / 20 - 1], "p:t", "f:x.c:1");
		else if (i % 2)
			rc = anonstats_cloud_connect_fail(&code, 1);
		else {
			snprintf(dep, sizeof dep, "dep%d", i);
			rc = anonstats_cloud_build_fail(dep);
		}
		sent += rc == ANONSTATS_SENT;
		merged += rc == ANONSTATS_MERGED;
		busy += rc == -1 && errno == EBUSY;
	}
	/* Hanging: let the 12 that may run start (valgrind is slow), so the
	 * bound decides nothing but their end. */
	if (hanging)
		wait_calls(ANONSTATS_MAX_RUNNING + 4, 5000);
	ok(anonstats_stop(0) == ANONSTATS_SENT, "%s: STOP taken after 100 events", what);
	sent++;
	anonstats_counters(&k);
	ok(runs_of("START") == 1 && runs_of("STOP") == 1 && runs_of("FATAL") == 1 &&
		   runs_of("CRASH") == 1 && runs_of("INCOMPLETE_SHUTDOWN") == 1,
	   "%s: START, STOP, FATAL, CRASH and INCOMPLETE_SHUTDOWN each ran once", what);
	ok(runs_of("CLOUD_CONNECT_FAIL") == 1 && merged == 49 &&
		   k.merged + k.rate_limited == (unsigned long)merged,
	   "%s: 50 repeats ran once, 49 merged (%d; counted %lu + %lu)", what, merged, k.merged,
	   k.rate_limited);
	ok(k.dropped == (unsigned long)busy && log_count("dropped:") == busy &&
		   k.queued == (unsigned long)sent,
	   "%s: drops exact: %d refused, %lu counted, %d logged; %d queued, %lu counted", what,
	   busy, k.dropped, log_count("dropped:"), sent, k.queued);
	if (hanging)
		ok(calls() == ANONSTATS_MAX_RUNNING + 5 &&
			   k.abandoned == k.queued - ANONSTATS_MAX_RUNNING - 5,
		   "hanging: %d ordinary and the 5 vital ones ran (%d runs), the rest abandoned (%lu)",
		   ANONSTATS_MAX_RUNNING, calls(), k.abandoned);
	else
		ok(calls() == sent && k.abandoned == 0 && k.ended == 0,
		   "answering: every queued event ran (%d of %d)", calls(), sent);
	anonstats_free();
}

/* The "(+N merged)" of every log line, added up; -1 when one is cut short. */
static void add_merged(const char *text, void *arg)
{
	long *total = arg;
	const char *p;

	for (p = text; (p = strstr(p, "(+")); p += 2) {
		char *end;
		unsigned long n = strtoul(p + 2, &end, 10);

		if (strncmp(end, " merged)", 8) != 0) {
			*total = -1;
			return;
		}
		*total += (long)n;
	}
}

static long log_merged_total(void)
{
	long total = 0;

	log_walk(add_merged, &total);
	return total;
}

/* 1,000 calls against a hanging endpoint, then STOP: every call is in the
 * log as it is in the counters, repeats merged into events that STOP
 * abandons included, and no report is cut short. */
static void test_burst_accounted(void)
{
	struct anonstats_counters k;
	int i, code = 111, rc, merged = 0, connect_merged = 0, calls_made = 0;
	char dep[32], label[64];

	init_lib(1000, 0, "unit");
	set_mode("sleep");
	clear_calls();
	log_clear();
	for (i = 0; i < 1000; i++) {
		if (i % 4 == 0) {
			rc = anonstats_cloud_connect_fail(&code, 1);
			connect_merged += i > 0 && rc == ANONSTATS_MERGED;
		} else {
			snprintf(dep, sizeof dep, "dep%d", i % 40);
			rc = anonstats_cloud_build_fail(dep);
		}
		merged += rc == ANONSTATS_MERGED;
		calls_made++;
	}
	wait_calls(ANONSTATS_MAX_RUNNING, 5000);
	ok(anonstats_stop(0) == ANONSTATS_SENT, "burst: STOP taken after 1,000 calls");
	calls_made++;
	anonstats_counters(&k);
	ok(k.queued + k.merged + k.rate_limited + k.dropped == (unsigned long)calls_made,
	   "burst: every call counted once: %lu queued + %lu merged + %lu rate-limited + %lu "
	   "dropped = %d",
	   k.queued, k.merged, k.rate_limited, k.dropped, calls_made);
	ok(k.merged + k.rate_limited == (unsigned long)merged && k.abandoned > 0,
	   "burst: %d merged calls, %lu events abandoned at STOP", merged, k.abandoned);
	ok(log_merged_total() == (long)k.merged,
	   "burst: the log's (+N merged) add up to the counter (%ld, %lu), abandoned events too",
	   log_merged_total(), k.merged);
	ok(log_count(": not sent, stopping") == (int)k.abandoned &&
		   log_count(" dropped: ") == (int)k.dropped &&
		   log_count("not sent again") == (int)k.rate_limited,
	   "burst: one log line per abandoned (%d, %lu), dropped (%d, %lu) and rate-limited "
	   "(%d, %lu) call",
	   log_count(": not sent, stopping"), k.abandoned, log_count(" dropped: "), k.dropped,
	   log_count("not sent again"), k.rate_limited);
	snprintf(label, sizeof label, "CLOUD_CONNECT_FAIL (+%d merged)", connect_merged);
	ok(connect_merged > 99 && log_has(label), "burst: the report says it whole: %s", label);
	anonstats_free();
}

static void test_no_event_lost(void)
{
	int rc1, rc2;
	struct anonstats_counters k;

	flood_of_events(0);
	flood_of_events(1);
	test_burst_accounted();

	/* The repeat window: an ordinary event once per 10 minutes. */
	init_lib(2000, 0, "unit");
	set_mode("ok");
	clear_calls();
	rc1 = anonstats_cloud_disabled();
	wait_calls(1, 5000);
	wait_idle(5000);
	rc2 = anonstats_cloud_disabled();
	anonstats_counters(&k);
	ok(rc1 == ANONSTATS_SENT && rc2 == ANONSTATS_MERGED && k.rate_limited == 1 && calls() == 1,
	   "a repeat after the first finished is rate-limited");
	ok(anonstats_send("CRASH", NULL, NULL) == ANONSTATS_SENT && wait_calls(2, 5000) &&
		   wait_idle(5000) && anonstats_send("CRASH", NULL, NULL) == ANONSTATS_SENT,
	   "a vital event is never rate-limited");
	anonstats_free();

	/* A dropped event was not sent: once the queue has room, it is. */
	init_lib(5000, 0, "unit");
	set_mode("nap");
	{
		int i, held = 0;
		char dep[32];
		for (i = 0; i < ANONSTATS_QUEUE_MAX; i++) {
			snprintf(dep, sizeof dep, "held%d", i);
			held += anonstats_cloud_build_fail(dep) == ANONSTATS_SENT;
		}
		rc1 = anonstats_cloud_build_fail("late");
		wait_idle(10000);
		rc2 = anonstats_cloud_build_fail("late");
		ok(held == ANONSTATS_QUEUE_MAX && rc1 == -1 && rc2 == ANONSTATS_SENT,
		   "dropped with the queue full, then sent once it had room (%d, %d)", rc1, rc2);
	}
	anonstats_stop(0);
	anonstats_free();
}

static void sort_doubles(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

/* STOP against a script that answers at once takes about what the script
 * takes (run directly, interleaved), not a timer's period more: the old
 * 20 ms timer made it 8.1 ms against 1.5 ms here. */
static void test_stop_fast(void)
{
	double lib[15], direct[15], t0;
	int i, st;

	write_file(path("quick.sh"), "#!/bin/sh\necho x >> \"$(dirname \"$0\")/quick-runs\"; echo 200\n");
	chmod(path("quick.sh"), 0755);
	{
		static char quick[4300];
		snprintf(quick, sizeof quick, "%s", path("quick.sh"));
		script_override = quick;
	}
	for (i = 0; i < 15; i++) {
		pid_t pid;
		t0 = now_ms();
		pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			execl(script_override, script_override, "STOP", "OK", (char *)NULL);
			_exit(127);
		}
		while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		direct[i] = now_ms() - t0;
		init_lib(2000, 0, "unit");
		t0 = now_ms();
		anonstats_stop(0);
		lib[i] = now_ms() - t0;
		anonstats_free();
	}
	script_override = NULL;
	{
		size_t len;
		read_file(path("quick-runs"), &len);
		ok(len == 60, "STOP ran each time (%zu bytes)", len);
	}
	sort_doubles(lib, 15);
	sort_doubles(direct, 15);
	/* Generous for a loaded machine (both slow down), still below what
	 * the timer cost (8.1 ms against 1.5 ms: 1.5 * 1.5 + 3 = 5.25). */
	ok(lib[7] <= direct[7] * 1.5 + 3.0 * slow_factor,
	   "STOP with a script that answers at once: median %.1f ms, the script run directly %.1f ms",
	   lib[7], direct[7]);
}

/* A child flooding its stdout never holds up a send call or STOP. */
static void test_flood_output(void)
{
	double worst = 0, t0, t;
	int i;
	char dep[32];

	init_lib(1000, 0, "unit");
	set_mode("flood");
	clear_calls();
	anonstats_start();
	wait_calls(1, 5000);
	usleep(100000);
	for (i = 0; i < 20; i++) {
		snprintf(dep, sizeof dep, "flood%d", i);
		t0 = now_ms();
		anonstats_cloud_build_fail(dep);
		t = now_ms() - t0;
		if (t > worst)
			worst = t;
		usleep(5000);
	}
	ok(worst < 100.0 * slow_factor, "sends while a child floods its stdout: worst %.1f ms", worst);
	t0 = now_ms();
	anonstats_stop(0);
	t = now_ms() - t0;
	ok(t < 1000 + 500.0 * slow_factor, "STOP still within its bound (%.0f ms for 1000 ms)", t);
	anonstats_free();
}

static void test_stop_waits(void)
{
	double t0, t;
	int total, zombies;

	init_lib(2000, 0, "unit");
	set_mode("ok");
	clear_calls();
	log_clear();
	t0 = now_ms();
	anonstats_stop(1);
	t = now_ms() - t0;
	ok(calls() == 1 && log_has("STOP: exit 0"), "STOP ran and was waited for (%.0f ms)", t);
	{
		size_t len;
		is_str(call_file("arg2", &len), "ERROR", "a failed stop says ERROR");
	}
	children(&total, &zombies);
	ok(total == 0, "nothing left running");
	anonstats_free();
}

static int stress_sent[4];

/* 25 distinct events (repeats would be merged). */
static void *stress_thread(void *arg)
{
	int *sent = arg, i;
	char dep[32];

	for (i = 0; i < 25; i++) {
		snprintf(dep, sizeof dep, "t%d-%d", (int)(sent - stress_sent), i);
		if (anonstats_cloud_build_fail(dep) == ANONSTATS_SENT)
			(*sent)++;
		usleep(1000);
	}
	return NULL;
}

/* Four threads sending at once, then STOP: every accepted event runs,
 * nothing is left. */
static void test_threads(void)
{
	pthread_t t[4];
	int i, total_sent = 0, total, zombies;

	init_lib(5000, 0, "unit");
	set_mode("ok");
	clear_calls();
	for (i = 0; i < 4; i++) {
		stress_sent[i] = 0;
		pthread_create(&t[i], NULL, stress_thread, &stress_sent[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total_sent += stress_sent[i];
	}
	ok(anonstats_stop(0) == ANONSTATS_SENT, "STOP queued");
	ok(total_sent > 0 && calls() == total_sent + 1,
	   "four threads at once: every accepted event ran (%d accepted, %d runs)", total_sent,
	   calls());
	children(&total, &zombies);
	ok(total == 0 && zombies == 0, "nothing left after STOP");
	anonstats_free();
}

int main(void)
{
	unit_setup();
	if (unit_concurrency_only()) {
		test_hang_and_stop();
		test_threads();
		test_no_event_lost();
		test_flood_output();
		goto done;
	}
	test_hang_and_stop();
	test_stop_waits();
	test_threads();
	test_no_event_lost();
	test_stop_fast();
	test_flood_output();
done:
	unit_teardown();
	return done_testing();
}
