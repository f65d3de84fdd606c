/* unit-runstate: the run-state file (anonstats-runstate.c): what a run
 * leaves, what START reports, what another account can plant, move aside
 * or replay.  TAP on stdout. */
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

/* The actions of the recorded runs in the order they started, e.g.
 * "CRASH START". */
static const char *actions_in_order(void)
{
	static char out[1024];
	struct {
		long long t;
		char action[40];
	} runs[64];
	DIR *d = opendir(path("calls"));
	struct dirent *e;
	size_t n = 0, i, j, len;

	out[0] = '\0';
	if (!d)
		return out;
	while ((e = readdir(d)) && n < 64) {
		char p[4700];
		const char *s;
		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp"))
			continue;
		snprintf(p, sizeof p, "%s/calls/%s/t", dir, e->d_name);
		s = read_file(p, &len);
		runs[n].t = s ? strtoll(s, NULL, 10) : 0;
		snprintf(p, sizeof p, "%s/calls/%s/arg1", dir, e->d_name);
		s = read_file(p, &len);
		snprintf(runs[n].action, sizeof runs[n].action, "%s", s ? s : "?");
		n++;
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && runs[j].t < runs[j - 1].t; j--) {
			__typeof__(runs[0]) tmp = runs[j];
			runs[j] = runs[j - 1];
			runs[j - 1] = tmp;
		}
	for (i = 0; i < n; i++) {
		len = strlen(out);
		snprintf(out + len, sizeof out - len, "%s%s", i ? " " : "", runs[i].action);
	}
	return out;
}

static const char *runstate_path(void)
{
	return path("state/" ANONSTATS_RUNSTATE_FILE);
}

static unsigned long long fnv1a(const char *p, size_t n)
{
	unsigned long long h = 14695981039346656037ULL;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ULL;
	}
	return h & 0xffffffffffffffffULL;
}

/* The state= word of the run-state file, with a newline, as the file
 * once was; "(none)" when there is none. */
static const char *runstate_word(void)
{
	static char word[32];
	size_t len, n;
	const char *s = read_file(runstate_path(), &len), *w;

	if (!s || !(w = strstr(s, "\nstate=")))
		return "(none)";
	w += 7;
	n = strcspn(w, "\n");
	if (n >= sizeof word - 1)
		return "(long)";
	memcpy(word, w, n);
	word[n] = '\n';
	word[n + 1] = '\0';
	return word;
}

/* Plant CONTENT as the run state, a file of ours. */
static void plant_runstate(const char *content)
{
	unlink(runstate_path());
	write_file(runstate_path(), content);
	chmod(runstate_path(), 0600);
}

/* The record a run of ours in STATE leaves (a new run id each time). */
static const char *make_record(enum anonstats_run state)
{
	static char rec[1024];
	char run[37];

	if (anonstats_uuid_generate(run) < 0 || anonstats_runstate_format(rec, sizeof rec, run, state) < 0) {
		printf("Bail out! cannot make a run-state record: %s\n", strerror(errno));
		exit(1);
	}
	return rec;
}

static void plant_record(enum anonstats_run state)
{
	plant_runstate(make_record(state));
}

/* init, START, wait until everything ran and was reported: the actions
 * in the order they ran. */
static const char *start_run(void)
{
	clear_calls();
	init_lib(2000, 0, "unit");
	anonstats_start();
	usleep(20000);
	wait_idle(5000);
	return actions_in_order();
}

static void test_run_state(void)
{
	struct stat st;
	char outside[4300];
	struct anonstats_counters k;

	snprintf(outside, sizeof outside, "%s", path("outside-state"));
	set_mode("ok");
	mkdir(path("state"), 0755);
	unlink(runstate_path());
	log_clear();
	is_str(start_run(), "START", "first start ever: START, no CRASH");
	is_str(runstate_word(), "running\n", "the run is marked running");
	{
		size_t len;
		const char *c = read_file(runstate_path(), &len);
		ok(stat(runstate_path(), &st) == 0 && (st.st_mode & 07777) == 0600 && c &&
			   strncmp(c, "anonstats.run-state 1\nrun=", 26) == 0 && strstr(c, "\ncheck="),
		   "the run-state file has mode 0600 and holds a record of this run");
	}
	anonstats_stop(0);
	is_str(runstate_word(), "clean\n", "a clean stop marks it clean");
	anonstats_free();
	is_str(start_run(), "START", "after a clean stop: no CRASH");
	ok(anonstats_start() == ANONSTATS_SENT && (usleep(20000), wait_idle(5000)) &&
		   strcmp(actions_in_order(), "START START") == 0,
	   "a second START in the same run reports nothing either (%s)", actions_in_order());
	anonstats_free();

	/* What a run killed by SIGKILL, or by a power cut, leaves. */
	plant_record(RUN_RUNNING);
	is_str(start_run(), "CRASH START", "the previous run died while running: CRASH, then START");
	anonstats_counters(&k);
	ok(k.queued == 2, "CRASH is counted as queued (%lu)", k.queued);
	ok(log_has("died while running"), "and logged");
	anonstats_free();
	is_str(start_run(), "START", "reported once: not again at the next start");
	anonstats_free();
	plant_record(RUN_STOPPING);
	is_str(start_run(), "INCOMPLETE_SHUTDOWN START",
	       "died while stopping: INCOMPLETE_SHUTDOWN, then START");
	anonstats_free();

	/* Corrupt and foreign files: never a report, and replaced. */
	plant_runstate("runningX\n");
	is_str(start_run(), "START", "a corrupt run-state file: no report");
	is_str(runstate_word(), "running\n", "and it is replaced");
	anonstats_free();
	plant_runstate("");
	is_str(start_run(), "START", "an empty one: no report");
	anonstats_free();
	plant_runstate("running\n");
	is_str(start_run(), "START", "the one word of an older version: no report");
	anonstats_free();
	{
		char rec[1024], *p;
		snprintf(rec, sizeof rec, "%s", make_record(RUN_RUNNING));
		p = strstr(rec, "state=running");
		p[6] = 'R'; /* a torn write: the check fails */
		plant_runstate(rec);
		is_str(start_run(), "START", "a record whose check fails: no report");
		anonstats_free();
		snprintf(rec, sizeof rec, "%sstate=stopping\n", make_record(RUN_RUNNING));
		plant_runstate(rec);
		is_str(start_run(), "START", "a record with bytes after its check: no report");
		anonstats_free();
		snprintf(rec, sizeof rec, "%s", make_record(RUN_RUNNING));
		p = strstr(rec, "check=");
		snprintf(p, sizeof rec - (size_t)(p - rec), "boot=later-versions-add-keys\n");
		p += strlen(p);
		snprintf(p, sizeof rec - (size_t)(p - rec), "check=%016llx\n", fnv1a(rec, (size_t)(p - rec)));
		plant_runstate(rec);
		is_str(start_run(), "CRASH START", "a key it does not know is skipped: the record holds");
		anonstats_free();
	}

	write_file(outside, "running\n");
	chmod(outside, 0644);
	unlink(runstate_path());
	if (symlink(outside, runstate_path()) != 0)
		printf("# symlink: %s\n", strerror(errno));
	is_str(start_run(), "START", "a symlink to a file saying running: no report");
	{
		size_t len;
		const char *c = read_file(outside, &len);
		ok(c && strcmp(c, "running\n") == 0 && lstat(runstate_path(), &st) == 0 &&
			   S_ISREG(st.st_mode),
		   "the link's target is untouched, the link replaced by a file");
	}
	anonstats_free();
	write_file(outside, "stopping\n");
	unlink(runstate_path());
	if (link(outside, runstate_path()) != 0)
		printf("# link: %s\n", strerror(errno));
	is_str(start_run(), "START", "a hard link to a file outside: no report");
	{
		size_t len;
		const char *c = read_file(outside, &len);
		ok(c && strcmp(c, "stopping\n") == 0 && stat(outside, &st) == 0 && st.st_nlink == 1,
		   "the file outside is untouched");
	}
	anonstats_free();
	plant_record(RUN_RUNNING);
	if (chown(runstate_path(), 65534, 65534) != 0)
		printf("# chown: %s\n", strerror(errno));
	is_str(start_run(), geteuid() == 0 ? "START" : "CRASH START",
	       "another user's file saying running: no report");
	anonstats_free();
	unlink(runstate_path());
	mkfifo(runstate_path(), 0666);
	is_str(start_run(), "START", "a FIFO: no report, and START is not held up");
	ok(lstat(runstate_path(), &st) == 0 && S_ISREG(st.st_mode), "the FIFO is replaced");
	anonstats_free();

	/* A record is consumed before it is reported: replaying it (the
	 * state directory's owner keeps it aside, or a copy of it) reports
	 * nothing the second time. */
	plant_record(RUN_RUNNING);
	{
		int keep = open(runstate_path(), O_RDONLY);
		char was[1024], now[1024];
		ssize_t n;
		snprintf(was, sizeof was, "%s", read_file(runstate_path(), &(size_t){ 0 }));
		is_str(start_run(), "CRASH START", "a run that died: CRASH");
		n = pread(keep, now, sizeof now - 1, 0);
		now[n > 0 ? n : 0] = '\0';
		ok(strstr(now, "\nstate=reported\n") && strncmp(now, was, strstr(was, "state=") - was) == 0,
		   "its file now says reported, same run");
		anonstats_free();
		plant_runstate(now);
		is_str(start_run(), "START", "put back after it was reported: no second CRASH");
		anonstats_free();
		close(keep);
	}

	/* This run's file moved aside during the run and put back: it says
	 * how the run ended, wherever it went. */
	is_str(start_run(), "START", "a run");
	rename(runstate_path(), path("aside"));
	plant_record(RUN_CLEAN);
	log_clear();
	anonstats_stop(0);
	ok(log_has("not this run's"), "stop sees the name holds another run's file");
	rename(path("aside"), runstate_path());
	is_str(runstate_word(), "clean\n", "the file moved aside says clean");
	anonstats_free();
	is_str(start_run(), "START", "put back after a clean stop: no CRASH");
	rename(runstate_path(), path("aside"));
	anonstats_runstate_mark_crashed();
	rename(path("aside"), runstate_path());
	is_str(runstate_word(), "clean\n", "the crash handler writes clean in place, too");
	anonstats_free();
	is_str(start_run(), "START", "put back after a reported crash: no CRASH");
	anonstats_free();

	/* Level crashes: START is not sent, a crash still is, and this run
	 * is still watched. */
	mkdir(path("config"), 0755);
	write_file(path("config/" ANONSTATS_LEVEL_FILE), "crashes\n");
	plant_record(RUN_RUNNING);
	is_str(start_run(), "CRASH", "level crashes: CRASH is sent, START is not");
	is_str(runstate_word(), "running\n", "and this run is marked running");
	anonstats_free();
	unlink(path("config/" ANONSTATS_LEVEL_FILE));

	/* Opted out: nothing is sent, and the run is marked off, so that a
	 * death of it is not reported once statistics are on again. */
	plant_record(RUN_RUNNING);
	setenv("DO_NOT_TRACK", "1", 1);
	clear_calls();
	init_lib(2000, 0, "unit");
	ok(anonstats_start() == ANONSTATS_OPTED_OUT, "opted out: START not sent");
	usleep(50000);
	wait_idle(5000);
	ok(calls() == 0, "opted out: the previous run's crash is not sent either");
	is_str(runstate_word(), "off\n", "the run is marked off");
	anonstats_free();
	unsetenv("DO_NOT_TRACK");
	is_str(start_run(), "START", "after an opted-out run died: no report");
	anonstats_free();
	unlink(outside);
}

int main(void)
{
	unit_setup();
	if (unit_concurrency_only()) {
		test_run_state();
		goto done;
	}
	test_run_state();
done:
	unit_teardown();
	return done_testing();
}
