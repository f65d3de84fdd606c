/* unit-helpers.c: what the library's unit tests share (unit-helpers.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit-helpers.h"

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer needs ptrace, which containers often forbid; valgrind
 * checks leaks instead. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

char dir[4096];
char script[4200];
long slow_factor = 1;
const char *config_dir_name = "config";
const char *script_override;
unsigned log_delay_ms;
static char top[64]; /* the mkdtemp() directory dir is in */

/* ---- the log ------------------------------------------------------------ */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[262144]; /* a burst of 1,000 calls logs about 70 KiB */
static size_t log_len;

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

int log_has(const char *needle)
{
	int found;

	pthread_mutex_lock(&log_lock);
	found = strstr(log_buf, needle) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

void log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_len = 0;
	log_buf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

int log_count(const char *needle)
{
	const char *p;
	int n = 0;

	pthread_mutex_lock(&log_lock);
	for (p = log_buf; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	pthread_mutex_unlock(&log_lock);
	return n;
}

void log_walk(void (*fn)(const char *text, void *arg), void *arg)
{
	pthread_mutex_lock(&log_lock);
	fn(log_buf, arg);
	pthread_mutex_unlock(&log_lock);
}

/* ---- files and runs ----------------------------------------------------- */

char *path(const char *name)
{
	static char buf[8][4300];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

void write_file(const char *p, const char *content)
{
	FILE *f = fopen(p, "w");

	if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", p, strerror(errno));
		exit(1);
	}
}

/* Read a whole small file; returns a static buffer and sets *len. */
const char *read_file(const char *p, size_t *len)
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

void set_mode(const char *mode)
{
	write_file(path("mode"), mode);
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The fake script's runs: one directory each under dir/calls. */
int calls(void)
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
const char *call_file(const char *name, size_t *len)
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

void clear_calls(void)
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

int wait_idle(int ms)
{
	double end = now_ms() + ms * slow_factor;

	while (anonstats_in_flight() > 0 && now_ms() < end)
		usleep(2000);
	return anonstats_in_flight() == 0;
}

int wait_calls(int n, int ms)
{
	double end = now_ms() + ms * slow_factor;

	while (calls() < n && now_ms() < end)
		usleep(2000);
	return calls() >= n;
}

/* How many recorded runs had ACTION as argv[1]. */
int runs_of(const char *action)
{
	DIR *d = opendir(path("calls"));
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char p[4700];
		size_t len;
		const char *s;
		if (e->d_name[0] == '.')
			continue; /* NNN.tmp too: killed before it finished recording */
		snprintf(p, sizeof p, "%s/calls/%s/arg1", dir, e->d_name);
		s = read_file(p, &len);
		n += s && strcmp(s, action) == 0;
	}
	closedir(d);
	return n;
}

/* Every process's state, parent and group, from /proc: FN is called for
 * each with its stat line (in a buffer FN may print). */
static void each_process(void (*fn)(char state, long ppid, long pgrp, const char *line, void *arg),
			 void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[300], buf[1024], *rp, state;
		const char *s;
		size_t len;
		long ppid, pgrp;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
		s = read_file(p, &len);
		if (!s)
			continue;
		snprintf(buf, sizeof buf, "%s", s);
		rp = strrchr(buf, ')');
		if (rp && sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3)
			fn(state, ppid, pgrp, buf, arg);
	}
	closedir(d);
}

struct kids {
	long parent;
	int total, zombies;
};

static void count_child(char state, long ppid, long pgrp, const char *line, void *arg)
{
	struct kids *k = arg;

	(void)pgrp;
	(void)line;
	if (ppid == k->parent) {
		k->total++;
		k->zombies += state == 'Z';
	}
}

/* Our children: total and zombies, from /proc. */
void children(int *total, int *zombies)
{
	struct kids k = { (long)getpid(), 0, 0 };

	each_process(count_child, &k);
	*total = k.total;
	*zombies = k.zombies;
}

struct group {
	long pgid;
	int alive;
};

static void count_alive(char state, long ppid, long pgrp, const char *line, void *arg)
{
	struct group *g = arg;

	(void)ppid;
	if (pgrp == g->pgid && state != 'Z') {
		printf("# alive in group %ld: %s", g->pgid, line);
		g->alive++;
	}
}

/* Live (not zombie) processes in process group pgid. */
int group_alive(pid_t pgid)
{
	struct group g = { (long)pgid, 0 };

	each_process(count_alive, &g);
	return g.alive;
}

void init_lib(unsigned stop_ms, unsigned fatal_ms, const char *program)
{
	struct anonstats_config cfg = {
		.script = script_override ? script_override : script,
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

/* Run fn in a child process; its exit status, or -1. */
int in_child(void (*fn)(void), double *ms)
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

static const char fake_script[] =
	"#!/bin/sh\n"
	"t=$(date +%s%N)\n"
	"d=$(dirname \"$0\")\n"
	"mkdir -p \"$d/calls\"\n"
	"c=\"$d/calls/$$\"\n"
	"mkdir \"$c.tmp\"\n"
	"printf '%s' \"$t\" > \"$c.tmp/t\"\n"
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
	"flood) exec yes 200 ;;\n"
	"nap) sleep 0.2; echo 200 ;;\n"
	"exit6) echo 503; exit 6 ;;\n"
	"*) echo 200 ;;\n"
	"esac\n";

/* remove_tree(WHERE): rm -rf WHERE, a directory of ours (no quote in its name). */
static void remove_tree(const char *where)
{
	char cmd[8300];

	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", where);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", where);
}

void unit_setup(void)
{
	const char *slow = getenv("ANONSTATS_TEST_SLOW");

	if (slow && *slow)
		slow_factor = 10;
	snprintf(top, sizeof top, "/tmp/anonstats-unit.XXXXXX");
	if (!mkdtemp(top)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
	/* Hostile characters in every path the library is given. */
	snprintf(dir, sizeof dir, "%s/it's $(touch canary) `x` dir", top);
	if (mkdir(dir, 0755) < 0) {
		printf("Bail out! mkdir: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(script, sizeof script, "%s/fake.sh", dir);
	write_file(script, fake_script);
	chmod(script, 0755);
	set_mode("ok");
}

void unit_teardown(void)
{
	remove_tree(top);
}

int unit_concurrency_only(void)
{
	const char *only = getenv("ANONSTATS_TEST_ONLY");

	return only && strcmp(only, "concurrency") == 0;
}
