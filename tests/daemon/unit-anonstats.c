/* Unit tests of libanonstats, against a fake script that records its argv
 * and environment.  Built from the library's sources, once plain and once
 * with ASan+UBSan; run under valgrind too.  TAP on stdout. */
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

#include "anonstats-internal.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer needs ptrace, which containers often forbid; valgrind
 * checks leaks instead. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

#define THREAD_NAME "t$(x)`y`\"'z"   /* 11 bytes: thread names hold 15 */

static char dir[4096];       /* the test's directory, with a hostile name */
static char script[4200];    /* dir/fake.sh */
static long slow_factor = 1; /* valgrind: timings relaxed */

/* ---- helpers ---------------------------------------------------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[16384];
static size_t log_len;
static unsigned log_delay_ms; /* a slow logging callback, for the race test */

static void test_log(enum anonstats_log_level level, const char *msg, void *data)
{
	(void)level;
	(void)data;
	if (log_delay_ms) {
		struct timespec ts = { log_delay_ms / 1000, (long)(log_delay_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&log_lock);
	int n = snprintf(log_buf + log_len, sizeof log_buf - log_len, "%s\n", msg);
	if (n > 0 && (size_t)n < sizeof log_buf - log_len)
		log_len += (size_t)n;
	pthread_mutex_unlock(&log_lock);
}

static int log_has(const char *needle)
{
	int found;

	pthread_mutex_lock(&log_lock);
	found = strstr(log_buf, needle) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

static void log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_len = 0;
	log_buf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

static char *path(const char *name)
{
	static char buf[8][4300];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static void write_file(const char *p, const char *content)
{
	FILE *f = fopen(p, "w");

	if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", p, strerror(errno));
		exit(1);
	}
}

/* Read a whole small file; returns a static buffer and sets *len. */
static const char *read_file(const char *p, size_t *len)
{
	static char buf[8192];
	size_t n = 0;
	int fd = open(p, O_RDONLY);

	*len = 0;
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void set_mode(const char *mode)
{
	write_file(path("mode"), mode);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The fake script's runs: one directory each under dir/calls. */
static int calls(void)
{
	DIR *d = opendir(path("calls"));
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The one recorded run's file NAME (arg1, arg2, ..., env, argc). */
static const char *call_file(const char *name, size_t *len)
{
	DIR *d = opendir(path("calls"));
	struct dirent *e;
	char p[4600];

	*len = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/calls/%s/%s", dir, e->d_name, name);
		closedir(d);
		return read_file(p, len);
	}
	closedir(d);
	return NULL;
}

static void clear_calls(void)
{
	char cmd[4600];

	/* The test's own cleanup; dir is quoted for sh by escaping. */
	DIR *d = opendir(path("calls"));
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		DIR *sub;
		struct dirent *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(cmd, sizeof cmd, "%s/calls/%s", dir, e->d_name);
		sub = opendir(cmd);
		while (sub && (f = readdir(sub))) {
			char fp[4900];
			if (f->d_name[0] == '.')
				continue;
			snprintf(fp, sizeof fp, "%s/%s", cmd, f->d_name);
			unlink(fp);
		}
		if (sub)
			closedir(sub);
		rmdir(cmd);
	}
	closedir(d);
}

static int wait_idle(int ms)
{
	double end = now_ms() + ms * slow_factor;

	while (anonstats_in_flight() > 0 && now_ms() < end)
		usleep(2000);
	return anonstats_in_flight() == 0;
}

static int wait_calls(int n, int ms)
{
	double end = now_ms() + ms * slow_factor;

	while (calls() < n && now_ms() < end)
		usleep(2000);
	return calls() >= n;
}

/* Our children: total and zombies, from /proc. */
static void children(int *total, int *zombies)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();

	*total = *zombies = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[300], buf[1024], *rp, state;
		size_t len;
		long ppid;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
		const char *s = read_file(p, &len);
		if (!s)
			continue;
		snprintf(buf, sizeof buf, "%s", s);
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 1, " %c %ld", &state, &ppid) != 2)
			continue;
		if (ppid == me) {
			(*total)++;
			if (state == 'Z')
				(*zombies)++;
		}
	}
	closedir(d);
}

/* Live (not zombie) processes in process group pgid. */
static int group_alive(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char p[300], buf[1024], *rp, state;
		size_t len;
		long ppid, pgrp;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
		const char *s = read_file(p, &len);
		if (!s)
			continue;
		snprintf(buf, sizeof buf, "%s", s);
		rp = strrchr(buf, ')');
		if (rp && sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
		    state != 'Z') {
			printf("# alive in group %ld: %s", (long)pgid, buf);
			n++;
		}
	}
	closedir(d);
	return n;
}

static const char *config_dir_name = "config"; /* under dir */

static void init_lib(unsigned stop_ms, unsigned fatal_ms, const char *program)
{
	struct anonstats_config cfg = {
		.script = script,
		.config_dir = path(config_dir_name),
		.state_dir = path("state"),
		.version = "1.2.3",
		.program_name = program,
		.stop_timeout_ms = stop_ms,
		.fatal_timeout_ms = fatal_ms,
		.log = test_log,
	};

	if (anonstats_init(&cfg) != 0) {
		printf("Bail out! anonstats_init: %s\n", strerror(errno));
		exit(1);
	}
}

/* ---- tests ------------------------------------------------------------- */

static void test_uuid(void)
{
	char a[37], b[37];

	ok(anonstats_uuid_generate(a) == 0 && anonstats_uuid_generate(b) == 0, "UUIDs generated");
	ok(anonstats_uuid_valid(a) && strlen(a) == 36, "a generated UUID is well formed: %s", a);
	ok(a[14] == '4' && strchr("89ab", a[19]), "version 4, RFC 4122 variant");
	ok(strcmp(a, b) != 0, "two UUIDs differ");
	ok(!anonstats_uuid_valid("not-a-uuid"), "garbage is no UUID");
	ok(!anonstats_uuid_valid("0123456789abcdef0123456789abcdef0123"), "no dashes, no UUID");
	ok(!anonstats_uuid_valid("01234567-89ab-cdef-0123-456789abcdeg"), "a non-hex digit");
}

static void test_guid_file(void)
{
	char *g1 = NULL, *g2 = NULL, *g3 = NULL;
	struct stat st;
	size_t len;

	ok(anonstats_guid_load(path("state"), &g1) == 0 && g1, "the GUID is created on first run");
	ok(stat(path("state/" ANONSTATS_GUID_FILE), &st) == 0 && (st.st_mode & 07777) == 0600,
	   "the GUID file has mode 0600");
	ok(anonstats_guid_load(path("state"), &g2) == 0 && g1 && g2 && strcmp(g1, g2) == 0,
	   "the second run reads the same GUID");
	write_file(path("state/" ANONSTATS_GUID_FILE), "$(touch canary)\n");
	ok(anonstats_guid_load(path("state"), &g3) == 0 && g3 && anonstats_uuid_valid(g3),
	   "an invalid GUID file is replaced by a fresh UUID");
	const char *s = read_file(path("state/" ANONSTATS_GUID_FILE), &len);
	ok(s && len == 37 && g3 && strncmp(s, g3, 36) == 0, "and written back");
	free(g1);
	free(g2);
	free(g3);
	ok(anonstats_guid_load(path("no/such/parent"), &g1) == -1 && errno == ENOENT,
	   "a state dir that cannot be created is an error");
}

/* Call anonstats_guid_load() in a child that SIGALRM ends after 3 s: its
 * exit status (0 loaded, 1 failed, or the signal that ended it). */
static int guid_load_bounded(const char *state_dir)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *g = NULL;
		alarm(3);
		_exit(anonstats_guid_load(state_dir, &g) == 0 && g ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* What another account could plant as machine-guid in a state directory
 * it owns: a FIFO (blocked init forever), a hard link to a file outside
 * (its mode was changed to 0600). */
static void test_guid_planted(void)
{
	const char *guid = path("state/" ANONSTATS_GUID_FILE);
	const char *outside = path("outside-guid");
	struct stat st, st2;
	int rc;

	unlink(guid);
	ok(mkfifo(guid, 0666) == 0, "a FIFO planted as machine-guid");
	rc = guid_load_bounded(path("state"));
	ok(rc == 0, "the GUID is still loaded, without blocking on the FIFO (status %d)", rc);
	ok(lstat(guid, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600,
	   "the FIFO was replaced by a regular file, mode 0600");

	unlink(guid);
	write_file(outside, "01234567-89ab-4cde-8f01-23456789abcd\n");
	chmod(outside, 0666);
	ok(link(outside, guid) == 0, "a file from outside hard-linked as machine-guid");
	rc = guid_load_bounded(path("state"));
	ok(rc == 0, "the GUID is loaded (status %d)", rc);
	rc = stat(outside, &st);
	ok(rc == 0 && (st.st_mode & 07777) == 0666, "the outside file keeps its mode (%o)",
	   (unsigned)(st.st_mode & 07777));
	rc = stat(guid, &st2);
	ok(rc == 0 && st2.st_ino != st.st_ino && st2.st_nlink == 1 && (st2.st_mode & 07777) == 0600,
	   "machine-guid is now a file of its own, mode 0600");
	unlink(outside);
}

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
	ok(s && strstr(s, "\nPATH=") , "PATH passed");
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
		anonstats_send(hostile[i], hostile[i], hostile[i]);
		wait_calls(1, 5000);
		wait_idle(5000);
		s1 = call_file("arg1", &len);
		snprintf(a1, sizeof a1, "%s", s1 ? s1 : "");
		s2 = call_file("arg3", &len);
		snprintf(a2, sizeof a2, "%s", s2 ? s2 : "");
		if (strcmp(a1, hostile[i]) || strcmp(a2, hostile[i]))
			all = 0;
	}
	ok(all, "hostile strings reach the script byte for byte");
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

static void test_opt_out(void)
{
	static const char *const vars[] = { "DO_NOT_TRACK", "DISABLE_TELEMETRY" };
	static const char *const values[] = { "1", "0", "false", " " };
	size_t i, k;
	int all = 1;

	set_mode("ok");
	clear_calls();
	for (i = 0; i < 2; i++) {
		for (k = 0; k < sizeof values / sizeof values[0]; k++) {
			setenv(vars[i], values[k], 1);
			if (anonstats_start() != ANONSTATS_OPTED_OUT ||
			    anonstats_status() != (i == 0 ? ANONSTATS_DISABLED_DO_NOT_TRACK
							  : ANONSTATS_DISABLED_DISABLE_TELEMETRY))
				all = 0;
			unsetenv(vars[i]);
		}
	}
	ok(all, "DO_NOT_TRACK and DISABLE_TELEMETRY opt out with any non-empty value, 0 included");
	is_str(anonstats_status_string(ANONSTATS_DISABLED_DO_NOT_TRACK), "disabled by DO_NOT_TRACK",
	       "the status names the variable");
	setenv("DO_NOT_TRACK", "", 1);
	ok(anonstats_status() == ANONSTATS_ENABLED, "an empty DO_NOT_TRACK does not opt out");
	unsetenv("DO_NOT_TRACK");

	mkdir(path("config"), 0755);
	write_file(path("config/" ANONSTATS_OPT_OUT_FILE), "");
	ok(anonstats_status() == ANONSTATS_DISABLED_OPT_OUT_FILE, "the opt-out file opts out");
	ok(anonstats_start() == ANONSTATS_OPTED_OUT && anonstats_cloud_disabled() == ANONSTATS_OPTED_OUT,
	   "and is checked at every event");
	unlink(path("config/" ANONSTATS_OPT_OUT_FILE));
	ok(symlink("/nonexistent", path("config/" ANONSTATS_OPT_OUT_FILE)) == 0 &&
		   anonstats_status() == ANONSTATS_DISABLED_OPT_OUT_FILE,
	   "a dangling symlink as the opt-out file opts out too");
	unlink(path("config/" ANONSTATS_OPT_OUT_FILE));
	usleep(50000);
	ok(calls() == 0, "opted out: the script was never executed");
	ok(anonstats_status() == ANONSTATS_ENABLED, "removing the file takes effect at once");
}

static int log_count(const char *needle)
{
	const char *p;
	int n = 0;

	pthread_mutex_lock(&log_lock);
	for (p = log_buf; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	pthread_mutex_unlock(&log_lock);
	return n;
}

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

/* Run fn in a child process; its exit status, or -1. */
static int in_child(void (*fn)(void), double *ms)
{
	double t0 = now_ms();
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* The child's TAP output would confuse the driver. */
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		pthread_setname_np(pthread_self(), THREAD_NAME);
		fn();
		_exit(100);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (ms)
		*ms = now_ms() - t0;
	return st;
}

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
	anonstats_start(); /* in flight when FATAL comes */
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
		snprintf(want, sizeof want, "do_fatal:unit-anonstats.c:%s:%d", l ? l : "?", ENOENT);
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

static const char fake_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"mkdir -p \"$d/calls\"\n"
	"c=\"$d/calls/$$\"\n"
	"mkdir \"$c.tmp\"\n"
	"i=0\n"
	"for a; do i=$((i + 1)); printf '%s' \"$a\" > \"$c.tmp/arg$i\"; done\n"
	"printf '%s' \"$#\" > \"$c.tmp/argc\"\n"
	"env > \"$c.tmp/env\"\n"
	"cat > \"$c.tmp/stdin\"\n"
	"cut -d' ' -f5 /proc/$$/stat > \"$c.tmp/pgid\"\n"
	"grep SigIgn /proc/$$/status > \"$c.tmp/sigign\"\n"
	"mv \"$c.tmp\" \"$c\"\n"
	"case $(cat \"$d/mode\") in\n"
	"sleep) sleep 1000; echo never ;;\n"
	"exit6) echo 503; exit 6 ;;\n"
	"*) echo 200 ;;\n"
	"esac\n";

int main(void)
{
	char tmpl[] = "/tmp/anonstats-unit.XXXXXX";
	const char *slow = getenv("ANONSTATS_TEST_SLOW");

	if (slow && *slow)
		slow_factor = 10;
	if (!mkdtemp(tmpl)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	/* Hostile characters in every path the library is given. */
	snprintf(dir, sizeof dir, "%s/it's $(touch canary) `x` dir", tmpl);
	if (mkdir(dir, 0755) < 0) {
		printf("Bail out! mkdir: %s\n", strerror(errno));
		return 1;
	}
	snprintf(script, sizeof script, "%s/fake.sh", dir);
	write_file(script, fake_script);
	chmod(script, 0755);
	set_mode("ok");

	test_uuid();
	test_guid_file();
	test_guid_planted();
	test_keep_output();
	test_send_argv_env();
	test_reported_before_idle();
	test_hostile_strings();
	test_cloud_helpers();
	test_exit_codes();
	test_opt_out();
	test_hang_and_stop();
	test_stop_waits();
	test_daemon_signal_handling();
	test_threads();
	test_fatal();
	test_crash();

	{
		char cmd[8300];
		snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", tmpl); /* tmpl is ours: no quote in it */
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpl);
	}
	return done_testing();
}
