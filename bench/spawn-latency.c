/* spawn-latency: how long a daemon waits to send one event while the
 * endpoint hangs, with libanonstats and with popen()+pclose() (what Netdata
 * did: a command string through sh -c, waiting for the script to finish).
 *
 * It starts its own hanging endpoint on loopback (accepts, reads, never
 * answers) and runs the script against it.  Prints median and p99 of each
 * and their ratio.  See bench/README.md. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <getopt.h>
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

/* The hanging endpoint: accept, read, never answer; connections are kept
 * open until the process exits. */
static void *hang_server(void *arg)
{
	int ls = *(int *)arg;
	char buf[4096];

	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		(void)read(c, buf, sizeof buf); /* and keep c open */
	}
}

static int start_hang_server(int *port)
{
	static int ls;
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	pthread_t t;

	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 128) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	if (pthread_create(&t, NULL, hang_server, &ls) != 0)
		return -1;
	return pthread_detach(t) == 0 ? 0 : -1;
}

static void quiet(enum anonstats_log_level level, const char *msg, void *data)
{
	(void)level;
	(void)msg;
	(void)data;
}

static void report(const char *name, double *v, size_t n, double *median)
{
	qsort(v, n, sizeof *v, cmp_double);
	*median = percentile(v, n, 50);
	printf("%-22s n=%-4zu median %10.3f ms   p99 %10.3f ms   max %10.3f ms\n", name, n, *median,
	       percentile(v, n, 99), v[n - 1]);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "script", required_argument, NULL, 's' },
		{ "sysinfo", required_argument, NULL, 'i' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "baseline-iterations", required_argument, NULL, 'b' },
		{ "pause-ms", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *script = "daemon/anonymous-statistics.sh", *sysinfo = NULL;
	long iterations = 200, baseline = 5, pause_ms = 20;
	char tmpl[] = "/tmp/spawn-latency.XXXXXX", url[128], state[256], *end;
	double *lib, *pop, lib_median, pop_median;
	int opt, port;
	long i;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			script = optarg;
			break;
		case 'i':
			sysinfo = optarg;
			break;
		case 'n':
		case 'b':
		case 'p':
			errno = 0;
			i = strtol(optarg, &end, 10);
			if (errno || *end || i < (opt == 'p' ? 0 : 1) || i > 100000) {
				fprintf(stderr, "spawn-latency: bad count: %s\n", optarg);
				return 2;
			}
			*(opt == 'n' ? &iterations : opt == 'b' ? &baseline : &pause_ms) = i;
			break;
		case 'h':
			printf("Usage: spawn-latency [--script PATH] [--sysinfo PATH] [--iterations N]"
			       " [--baseline-iterations N] [--pause-ms MS]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (access(script, X_OK) != 0) {
		fprintf(stderr, "spawn-latency: %s: not executable (run from the build tree)\n", script);
		return 1;
	}
	if (!mkdtemp(tmpl) || start_hang_server(&port) < 0) {
		perror("spawn-latency");
		return 1;
	}
	/* The script's settings: the hanging endpoint, a key, its own state. */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/capture/", port);
	snprintf(state, sizeof state, "%s/script-state", tmpl);
	unsetenv("DO_NOT_TRACK");
	unsetenv("DISABLE_TELEMETRY");
	setenv("ANONYMOUS_STATISTICS_URL", url, 1);
	setenv("ANONYMOUS_STATISTICS_KEY", "phc_bench", 1);
	setenv("ANONYMOUS_STATISTICS_STATE_DIR", state, 1);
	if (sysinfo)
		setenv("ANONYMOUS_STATISTICS_SYSINFO", sysinfo, 1);
	signal(SIGPIPE, SIG_IGN);

	lib = calloc((size_t)iterations, sizeof *lib);
	pop = calloc((size_t)baseline, sizeof *pop);
	if (!lib || !pop)
		return 1;

	printf("endpoint %s hangs; script %s\n", url, script);

	/* libanonstats: the send call; the stop (1 ms bound, then kill) is
	 * outside the measurement. */
	for (i = 0; i < iterations; i++) {
		struct anonstats_config cfg = {
			.script = script,
			.config_dir = tmpl,
			.state_dir = tmpl,
			.version = "bench",
			.stop_timeout_ms = 1,
			.log = quiet,
		};
		double t0;
		if (anonstats_init(&cfg) < 0) {
			perror("anonstats_init");
			return 1;
		}
		t0 = now_ms();
		if (anonstats_start() != ANONSTATS_SENT) {
			fprintf(stderr, "spawn-latency: the send failed\n");
			return 1;
		}
		lib[i] = now_ms() - t0;
		anonstats_free();
		/* Let the killed script's exit finish: a daemon's events are
		 * seconds apart, not back to back. */
		if (pause_ms)
			usleep((useconds_t)pause_ms * 1000);
	}

	/* Baseline: popen("script 'START' '' ''") and pclose(), which waits
	 * for the script, so for the endpoint's timeout. */
	for (i = 0; i < baseline; i++) {
		char cmd[4096], line[256];
		double t0 = now_ms();
		FILE *p;
		snprintf(cmd, sizeof cmd, "'%s' 'START' '' ''", script);
		p = popen(cmd, "r");
		if (!p) {
			perror("popen");
			return 1;
		}
		while (fgets(line, sizeof line, p))
			;
		pclose(p);
		pop[i] = now_ms() - t0;
	}

	report("libanonstats send", lib, (size_t)iterations, &lib_median);
	report("popen+pclose", pop, (size_t)baseline, &pop_median);
	printf("ratio (median popen / median libanonstats): %.0fx\n",
	       lib_median > 0 ? pop_median / lib_median : 0.0);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
		if (system(cmd) != 0)
			fprintf(stderr, "spawn-latency: could not remove %s\n", tmpl);
	}
	free(lib);
	free(pop);
	return 0;
}
