/* spawn-latency: what the statistics cost a daemon, with libanonstats and
 * with popen()+pclose() of the same script (what Netdata did: a command
 * string through sh -c, waiting for the script), the two timed
 * interleaved in one run (A, B, A, B, ...).
 *
 *   1. anonstats_stop() against an endpoint that answers at once, vs
 *      popen("script STOP OK")+pclose();
 *   2. anonstats_stop() against an endpoint that never answers (it ends
 *      at its bound);
 *   3. the send call idle (one event, then wait), and at one event every
 *      5 ms (answering endpoint);
 *   4. the send call while the endpoint hangs, vs popen+pclose.
 *
 * It starts its own loopback endpoints (127.0.0.1 only): one answers
 * HTTP 200 to each request, one accepts, reads and never answers.  See
 * bench/README.md. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "anonstats.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v. */
static double percentile(const double *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/* ---- the loopback endpoints ---------------------------------------------- */

static int bench_failed; /* a run that did not do what it times */

struct endpoint {
	int listener;
	int answer; /* 1: HTTP 200 once the request is read; 0: never answer */
};

/* Read one HTTP request (headers, then Content-Length bytes of body). */
static void read_request(int c)
{
	char buf[8192];
	size_t len = 0;
	long body = -1;

	for (;;) {
		ssize_t r = read(c, buf + len, sizeof buf - 1 - len);
		char *end;
		if (r <= 0)
			return;
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end && body < 0) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");
			body = cl ? strtol(cl + 17, NULL, 10) : 0;
		}
		if (end && (long)(len - (size_t)(end + 4 - buf)) >= body)
			return;
		if (len == sizeof buf - 1) {
			if (!end)
				return;
			/* Keep the headers' end in view; count the body read. */
			body -= (long)(len - (size_t)(end + 4 - buf));
			len = 0;
			buf[0] = '\0';
			if (body <= 0)
				return;
			while (body > 0 && (r = read(c, buf, sizeof buf)) > 0)
				body -= r;
			return;
		}
	}
}

static void *serve(void *arg)
{
	const struct endpoint *ep = arg;
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				    "Content-Length: 13\r\nConnection: close\r\n\r\n{\"status\": 1}";

	for (;;) {
		int c = accept(ep->listener, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		read_request(c);
		if (ep->answer) {
			if (write(c, reply, sizeof reply - 1) < 0)
				perror("spawn-latency: reply");
			close(c);
		}
		/* a hanging endpoint keeps c open until the process exits */
	}
}

static int start_endpoint(struct endpoint *ep, int answer, int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	pthread_t t;

	ep->answer = answer;
	ep->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ep->listener < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ep->listener, (struct sockaddr *)&a, sizeof a) < 0 || listen(ep->listener, 128) < 0 ||
	    getsockname(ep->listener, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	if (pthread_create(&t, NULL, serve, ep) != 0)
		return -1;
	return pthread_detach(t) == 0 ? 0 : -1;
}

/* ---- the measurements ----------------------------------------------------- */

#define BENCH_GUID "01234567-89ab-4cde-8f01-23456789abcd"

static const char *script = "daemon/anonymous-statistics.sh";
/* The popen peer of the hanging-endpoint case: Netdata's own script (its
 * curl has --max-time 2), or ours. */
static const char *popen_script;
/* --rows FILE: each measurement also as a tab-separated line, for
 * bench/report.py: section, peer, n, median ms, p99 ms. */
static FILE *rows;
static const char *section = "";
static char tmpl[] = "/tmp/spawn-latency.XXXXXX";
static char answering_url[128], hanging_url[128];
static unsigned long stop_runs, stop_failures;

static void quiet(enum anonstats_log_level level, const char *msg, void *data)
{
	(void)data;
	if (strstr(msg, "STOP: exit")) {
		stop_runs++;
		stop_failures += strstr(msg, "STOP: exit 0") == NULL;
	}
	if (level == ANONSTATS_LOG_ERROR)
		fprintf(stderr, "spawn-latency: %s\n", msg);
}

static void lib_init(unsigned stop_ms)
{
	struct anonstats_config cfg = {
		.script = script,
		.config_dir = tmpl,
		.state_dir = tmpl,
		.version = "bench",
		.machine_guid = BENCH_GUID,
		.stop_timeout_ms = stop_ms,
		.log = quiet,
	};

	if (anonstats_init(&cfg) < 0) {
		perror("spawn-latency: anonstats_init");
		exit(1);
	}
}

static void use_endpoint(const char *url)
{
	setenv("ANONYMOUS_STATISTICS_URL", url, 1);
}

/* popen("'script' ARGS") and pclose(), which waits for it.  The bench's
 * environment holds what the library gives the script (main()). */
static double popen_run(const char *which, const char *args)
{
	char cmd[4096], line[256];
	double t0 = now_ms();
	FILE *p;

	snprintf(cmd, sizeof cmd, "'%s' %s", which, args);
	p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		exit(1);
	}
	while (fgets(line, sizeof line, p))
		;
	pclose(p);
	return now_ms() - t0;
}

/* As a daemon stops: START first (not timed), then STOP, timed. */
static double lib_stop(unsigned stop_ms)
{
	double t0, t;

	lib_init(stop_ms);
	anonstats_start();
	while (anonstats_in_flight() > 0)
		usleep(1000);
	t0 = now_ms();
	anonstats_stop(0);
	t = now_ms() - t0;
	anonstats_free();
	return t;
}

static double last_p99;

static void report(const char *name, double *v, size_t n, double *median)
{
	qsort(v, n, sizeof *v, cmp_double);
	*median = percentile(v, n, 50);
	last_p99 = percentile(v, n, 99);
	printf("  %-34s n=%-4zu median %9.3f ms  p99 %9.3f ms  max %9.3f ms\n", name, n, *median,
	       percentile(v, n, 99), v[n - 1]);
	if (rows)
		fprintf(rows, "%s\t%s\t%zu\t%.3f\t%.3f\n", section, name, n, *median, last_p99);
}

static double *alloc_samples(long n)
{
	double *v = calloc((size_t)n, sizeof *v);

	if (!v) {
		perror("spawn-latency");
		exit(1);
	}
	return v;
}

/* 1: STOP with the answering endpoint, interleaved with popen+pclose. */
static void bench_stop_answering(long n)
{
	double *lib = alloc_samples(n), *pop = alloc_samples(n), ml, mp;
	long i;

	use_endpoint(answering_url);
	stop_runs = stop_failures = 0;
	for (i = 0; i < n; i++) {
		lib[i] = lib_stop(5000);
		pop[i] = popen_run(script, "'STOP' 'OK'");
	}
	section = "anonstats_stop(), endpoint answering";
	printf("anonstats_stop(), endpoint answering (STOP OK), interleaved:\n");
	report("libanonstats anonstats_stop()", lib, (size_t)n, &ml);
	report("popen+pclose of the script", pop, (size_t)n, &mp);
	printf("  median difference: %+.3f ms (target: at most +2 ms); ratio %.2f\n", ml - mp,
	       mp > 0 ? ml / mp : 0.0);
	if (stop_failures) {
		/* A STOP that sent nothing times nothing: the figures are void. */
		printf("  FAILED: %lu of %lu STOP runs did not exit 0\n", stop_failures, stop_runs);
		bench_failed = 1;
	}
	free(lib);
	free(pop);
}

/* 2: STOP with the hanging endpoint: it ends at its bound. */
static void bench_stop_hanging(long n, unsigned bound)
{
	double *lib = alloc_samples(n), m;
	long i;

	use_endpoint(hanging_url);
	for (i = 0; i < n; i++)
		lib[i] = lib_stop(bound);
	section = "anonstats_stop(), endpoint hanging, bound 500 ms";
	printf("anonstats_stop(), endpoint hanging, bound %u ms:\n", bound);
	report("libanonstats anonstats_stop()", lib, (size_t)n, &m);
	printf("  median over the bound: %+.3f ms\n", m - bound);
	free(lib);
}

/* 3: the send call idle (each event alone), and at one event every 5 ms,
 * interleaved in blocks. */
static void bench_send_rate(long n, long pause_ms)
{
	double *idle = alloc_samples(n), *busy = alloc_samples(n), mi, mb, pi;
	long k = 0, ki = 0;
	char dep[32];

	use_endpoint(answering_url);
	lib_init(5000);
	while (k < n || ki < n) {
		long b;
		/* A block of 20 events every pause_ms... */
		for (b = 0; b < 20 && k < n; b++, k++) {
			double t0;
			snprintf(dep, sizeof dep, "rate%ld", k);
			t0 = now_ms();
			anonstats_cloud_build_fail(dep);
			busy[k] = now_ms() - t0;
			usleep((useconds_t)pause_ms * 1000);
		}
		while (anonstats_in_flight() > 0)
			usleep(1000);
		/* ...then a block of 5 alone, each once the last is done. */
		for (b = 0; b < 5 && ki < n; b++, ki++) {
			double t0;
			snprintf(dep, sizeof dep, "idle%ld", ki);
			usleep(2000);
			t0 = now_ms();
			anonstats_cloud_build_fail(dep);
			idle[ki] = now_ms() - t0;
			while (anonstats_in_flight() > 0)
				usleep(1000);
		}
	}
	anonstats_stop(0);
	anonstats_free();
	section = "send call, endpoint answering";
	printf("send call (anonstats_cloud_build_fail), endpoint answering:\n");
	report("idle (one event at a time)", idle, (size_t)n, &mi);
	pi = last_p99;
	report("one event every 5 ms", busy, (size_t)n, &mb);
	printf("  ratio every 5 ms / idle: median %.2f, p99 %.2f\n", mi > 0 ? mb / mi : 0.0,
	       pi > 0 ? last_p99 / pi : 0.0);
	free(idle);
	free(busy);
}

/* 4: the send call while the endpoint hangs, vs popen+pclose. */
static void bench_send_hanging(long n, long baseline)
{
	double *lib = alloc_samples(n), *pop = alloc_samples(baseline), ml, mp;
	long i, j = 0;

	use_endpoint(hanging_url);
	for (i = 0; i < n; i++) {
		double t0;
		lib_init(1);
		t0 = now_ms();
		if (anonstats_start() != ANONSTATS_SENT) {
			fprintf(stderr, "spawn-latency: the send failed\n");
			exit(1);
		}
		lib[i] = now_ms() - t0;
		anonstats_free();
		usleep(20000);
		/* The slow peer, spread through the run. */
		if (j < baseline && i % (n / baseline ? n / baseline : 1) == 0)
			pop[j++] = popen_run(popen_script ? popen_script : script, "'START'");
	}
	while (j < baseline)
		pop[j++] = popen_run(popen_script ? popen_script : script, "'START'");
	section = "send call, endpoint hanging";
	printf("send call (anonstats_start()), endpoint hanging:\n");
	report("libanonstats send", lib, (size_t)n, &ml);
	report(popen_script ? "popen+pclose of Netdata's script" : "popen+pclose", pop, (size_t)baseline,
	       &mp);
	printf("  ratio (median popen / median libanonstats): %.0fx\n", ml > 0 ? mp / ml : 0.0);
	free(lib);
	free(pop);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "script", required_argument, NULL, 's' },
		{ "sysinfo", required_argument, NULL, 'i' },
		{ "state-helper", required_argument, NULL, 'S' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "baseline-iterations", required_argument, NULL, 'b' },
		{ "pause-ms", required_argument, NULL, 'p' },
		{ "popen-script", required_argument, NULL, 'P' },
		{ "rows", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sysinfo = NULL, *state_helper = NULL;
	long iterations = 100, baseline = 3, pause_ms = 5;
	char state[256], *end;
	struct endpoint answering, hanging;
	int opt, port;
	long v;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			script = optarg;
			break;
		case 'i':
			sysinfo = optarg;
			break;
		case 'S':
			state_helper = optarg;
			break;
		case 'n':
		case 'b':
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < (opt == 'p' ? 0 : 1) || v > 100000) {
				fprintf(stderr, "spawn-latency: bad count: %s\n", optarg);
				return 2;
			}
			*(opt == 'n' ? &iterations : (opt == 'b' ? &baseline : &pause_ms)) = v;
			break;
		case 'P':
			popen_script = optarg;
			break;
		case 'r':
			rows = fopen(optarg, "a");
			if (!rows) {
				perror(optarg);
				return 1;
			}
			break;
		case 'h':
			printf("Usage: spawn-latency [--script PATH] [--sysinfo PATH] [--state-helper PATH]"
			       " [--iterations N]"
			       " [--baseline-iterations N] [--pause-ms MS] [--popen-script PATH]"
			       " [--rows FILE]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (access(script, X_OK) != 0) {
		fprintf(stderr, "spawn-latency: %s: not executable (run from the build tree)\n", script);
		return 1;
	}
	if (!mkdtemp(tmpl)) {
		perror("spawn-latency");
		return 1;
	}
	if (start_endpoint(&answering, 1, &port) < 0) {
		perror("spawn-latency");
		return 1;
	}
	snprintf(answering_url, sizeof answering_url, "http://127.0.0.1:%d/capture/", port);
	if (start_endpoint(&hanging, 0, &port) < 0) {
		perror("spawn-latency");
		return 1;
	}
	snprintf(hanging_url, sizeof hanging_url, "http://127.0.0.1:%d/capture/", port);
	/* The script's settings: a key, its own state, no opt-out. */
	snprintf(state, sizeof state, "%s/script-state", tmpl);
	unsetenv("DO_NOT_TRACK");
	unsetenv("DISABLE_TELEMETRY");
	setenv("ANONYMOUS_STATISTICS_KEY", "phc_bench", 1);
	setenv("ANONYMOUS_STATISTICS_STATE_DIR", state, 1);
	if (sysinfo)
		setenv("ANONYMOUS_STATISTICS_SYSINFO", sysinfo, 1);
	/* The build tree's sender: without one the script sends nothing
	 * (exit 3), and STOP would be timed doing nothing. */
	if (state_helper)
		setenv("ANONYMOUS_STATISTICS_STATE_HELPER", state_helper, 1);
	/* What the library puts in the script's environment, for popen's
	 * runs too: both peers run the same script the same way. */
	setenv("LC_ALL", "C", 1);
	setenv("NETDATA_VERSION", "bench", 1);
	setenv("NETDATA_REGISTRY_UNIQUE_ID", BENCH_GUID, 1);
	setenv("NETDATA_USER_CONFIG_DIR", tmpl, 1);
	signal(SIGPIPE, SIG_IGN);

	printf("script %s; endpoints %s (answers) and %s (hangs)\n\n", script, answering_url,
	       hanging_url);
	bench_stop_answering(iterations);
	bench_stop_hanging(iterations / 10 > 3 ? iterations / 10 : 3, 500);
	bench_send_rate(iterations * 2, pause_ms);
	bench_send_hanging(iterations, baseline);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
		if (system(cmd) != 0)
			fprintf(stderr, "spawn-latency: could not remove %s\n", tmpl);
	}
	return bench_failed;
}
