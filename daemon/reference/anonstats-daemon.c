/* anonstats-daemon: the reference daemon for libanonstats.
 *
 * It does nothing useful but what a real daemon does for statistics: START
 * when ready, STOP on SIGTERM/SIGINT, FATAL through ANONSTATS_FATAL() when
 * its config file cannot be read, FATAL for crash signals, and
 * CLOUD_CONNECT_FAIL when the --cloud-url it is given cannot be reached.
 * It only ever connects to that URL, and serves the dashboard (dashboard.c)
 * on loopback. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "anonstats.h"
#include "dashboard-host.h"
#include "dashboard.h"

#define PROGRAM "anonstats-daemon"
#define CONNECT_TIMEOUT_MS 2000

static int foreground;

static void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logmsg(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (foreground)
		fprintf(stderr, PROGRAM ": %s\n", msg);
	else
		syslog(prio, "%s", msg);
}

static void library_log(enum anonstats_log_level level, const char *message, void *userdata)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	(void)userdata;
	logmsg(prio[level], "statistics: %s", message);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROGRAM " [OPTIONS]\n"
		"The reference daemon for libanonstats: sends START when ready and STOP on\n"
		"SIGTERM or SIGINT through anonymous-statistics.sh.\n"
		"\n"
		"  -f, --foreground        stay in the foreground and log to stderr\n"
		"  -c, --config FILE       read FILE (lines 'key = value'; the one key is\n"
		"                          cloud_url); an unreadable FILE is FATAL\n"
		"      --script PATH       the statistics script [%s]\n"
		"      --config-dir DIR    where the opt-out and level files are looked for [%s]\n"
		"      --state-dir DIR     where the machine GUID and run state are kept [%s]\n"
		"      --cloud-url URL     try to connect to URL (http://HOST:PORT/) once ready;\n"
		"                          failure sends CLOUD_CONNECT_FAIL with the errno\n"
		"      --stop-timeout MS   how long STOP may take [2000]\n"
		"      --fatal-test        once ready, die through ANONSTATS_FATAL()\n"
		"      --crash-test=SIG    once ready, crash with SIG: segv, bus, fpe or abrt\n"
		"      --listen ADDR       the dashboard's address [" DASHBOARD_DEFAULT_ADDRESS "]\n"
		"      --port PORT         the dashboard's port, 0 for any free one [%d]\n"
		"      --web-dir DIR       the dashboard's page and posthog-js [%s]\n"
		"      --posthog-host URL  the PostHog host the page may use [%s]\n"
		"      --posthog-key KEY   the PostHog key the page uses [%s]\n"
		"      --dashboard-allow-host NAME\n"
		"                          answer requests for NAME too (a host name or an\n"
		"                          address; repeatable); the dashboard answers only\n"
		"                          its listen address and localhost otherwise\n"
		"      --no-dashboard      serve no dashboard\n"
		"      --status            print whether statistics are enabled, what decided\n"
		"                          it and the level (off, crashes, all), and exit\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n",
		PLUGINSDIR "/anonymous-statistics.sh", CONFIGDIR, STATEDIR, DASHBOARD_DEFAULT_PORT,
		WEBDIR, DASHBOARD_POSTHOG_HOST, *DASHBOARD_POSTHOG_KEY ? DASHBOARD_POSTHOG_KEY : "none");
}

/* strtonum-style: a decimal in [min, max], or -1 with a message. */
static int parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, PROGRAM ": not a number in [%ld, %ld]: %s\n", min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

struct settings {
	const char *config;
	char *cloud_url;
	long stop_timeout_ms;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* The config file: "key = value" lines, '#' comments.  Not being able to
 * read it is the fatal condition this daemon demonstrates. */
static void load_config(struct settings *st)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f = fopen(st->config, "re");

	if (!f)
		ANONSTATS_FATAL("cannot read the config file %s", st->config);
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *eq, *key, *value;

		(void)len;
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			logmsg(LOG_WARNING, "%s: ignoring a line without '='", st->config);
			continue;
		}
		*eq = '\0';
		value = trim(eq + 1);
		key = trim(key);
		if (strcmp(key, "cloud_url") == 0) {
			free(st->cloud_url);
			st->cloud_url = strdup(value);
			if (!st->cloud_url)
				ANONSTATS_FATAL("out of memory");
		} else {
			logmsg(LOG_WARNING, "%s: ignoring unknown key '%s'", st->config, key);
		}
	}
	if (ferror(f))
		ANONSTATS_FATAL("cannot read the config file %s", st->config);
	free(line);
	fclose(f);
}

/* Split http://HOST:PORT/... (HOST may be [v6]); 0 or -1. */
static int split_url(const char *url, char **host, char **port)
{
	const char *p, *h, *he, *ps, *pe;

	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return -1;
	if (*p == '[') {
		h = p + 1;
		he = strchr(h, ']');
		if (!he)
			return -1;
		ps = he + 1;
	} else {
		h = p;
		he = h + strcspn(h, ":/");
		ps = he;
	}
	if (*ps == ':') {
		ps++;
		pe = ps + strspn(ps, "0123456789");
	} else {
		ps = url[4] == 's' ? "443" : "80";
		pe = ps + strlen(ps);
	}
	if (he == h || pe == ps)
		return -1;
	*host = strndup(h, (size_t)(he - h));
	*port = strndup(ps, (size_t)(pe - ps));
	if (!*host || !*port) {
		free(*host);
		free(*port);
		return -1;
	}
	return 0;
}

/* Try to connect to the cloud URL with a timeout: 0, or the errno. */
static int cloud_connect(const char *url)
{
	struct addrinfo hints, *res = NULL, *ai;
	char *host = NULL, *port = NULL;
	int err = EINVAL, rc;

	if (split_url(url, &host, &port) < 0)
		return EINVAL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	free(host);
	free(port);
	if (rc != 0)
		return rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		socklen_t len = sizeof err;
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			err = 0;
		} else if (errno != EINPROGRESS) {
			err = errno;
		} else {
			p.fd = fd;
			p.events = POLLOUT;
			rc = poll(&p, 1, CONNECT_TIMEOUT_MS);
			if (rc == 0)
				err = ETIMEDOUT;
			else if (rc < 0)
				err = errno;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
		}
		close(fd);
		if (err == 0)
			break;
	}
	freeaddrinfo(res);
	return err;
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Send through fn and log how long the call took (tests read it). */
static int timed(const char *what, int (*fn)(void))
{
	struct timespec a, b;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = fn();
	clock_gettime(CLOCK_MONOTONIC, &b);
	logmsg(LOG_INFO, "%s call returned %d in %.3f ms", what, rc, ms_between(&a, &b));
	return rc;
}

static const char *cloud_url_g;
static int cloud_check(void)
{
	int err = cloud_connect(cloud_url_g);

	if (err == 0) {
		logmsg(LOG_INFO, "cloud reachable at %s", cloud_url_g);
		return 0;
	}
	logmsg(LOG_WARNING, "cannot connect to the cloud at %s: %s", cloud_url_g, strerror(err));
	return anonstats_cloud_connect_fail(&err, 1);
}

static void fatal_test(void)
{
	errno = 0;
	ANONSTATS_FATAL("--fatal-test: a fatal error on purpose");
}

static void crash_test(const char *sig)
{
	logmsg(LOG_INFO, "--crash-test=%s: crashing on purpose", sig);
	if (strcmp(sig, "segv") == 0) {
		volatile int *volatile p = NULL;
		*p = 1;
	} else if (strcmp(sig, "abrt") == 0) {
		abort();
	}
	raise(strcmp(sig, "bus") == 0 ? SIGBUS : SIGFPE);
	abort();
}

/* PATH made absolute against the current directory (daemonize() changes
 * to /); a leaked copy, once per option. */
static const char *absolute(const char *path)
{
	char *cwd, *p;
	size_t a, b;

	if (!path || path[0] == '/')
		return path;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return path;
	a = strlen(cwd);
	b = strlen(path);
	p = malloc(a + b + 2);
	if (p) {
		memcpy(p, cwd, a);
		p[a] = '/';
		memcpy(p + a + 1, path, b + 1);
	}
	free(cwd);
	return p ? p : path;
}

/* The dashboard, beside the statistics: a failure to start it is logged
 * and the daemon runs on.  The log it shows is the script's, in the
 * script's state directory. */
static void start_dashboard(struct dashboard_config *dc)
{
	const char *dir = getenv("ANONYMOUS_STATISTICS_STATE_DIR");
	char err[512], *log;

	if (!dir || !*dir)
		dir = STATEDIR;
	log = malloc(strlen(dir) + sizeof "/anonymous-statistics.log");
	if (!log) {
		logmsg(LOG_WARNING, "dashboard unavailable: out of memory");
		return;
	}
	sprintf(log, "%s/anonymous-statistics.log", dir);
	dc->log_path = log;
	if (dashboard_start(dc, err, sizeof err) < 0)
		logmsg(LOG_WARNING, "dashboard unavailable: %s", err);
	else
		logmsg(LOG_INFO, "dashboard on http://%s%s%s:%u/", strchr(dc->address, ':') ? "[" : "",
		       dc->address, strchr(dc->address, ':') ? "]" : "", dashboard_port());
	free(log);
	dc->log_path = NULL;
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	umask(022);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return -1;
#ifdef HAVE_CLOSEFROM
	/* Nothing inherited stays open (a caller's pipe would wait on us). */
	closefrom(3);
#else
	for (long i = 3, max = sysconf(_SC_OPEN_MAX); i < (max > 0 ? max : 1024); i++)
		close((int)i);
#endif
	return 0;
}

int main(int argc, char **argv)
{
	enum {
		OPT_SCRIPT = 256,
		OPT_CONFIG_DIR,
		OPT_STATE_DIR,
		OPT_CLOUD_URL,
		OPT_STOP_TIMEOUT,
		OPT_FATAL_TEST,
		OPT_CRASH_TEST,
		OPT_STATUS,
		OPT_LISTEN,
		OPT_PORT,
		OPT_WEB_DIR,
		OPT_POSTHOG_HOST,
		OPT_POSTHOG_KEY,
		OPT_NO_DASHBOARD,
		OPT_ALLOW_HOST
	};
	static const struct option options[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "script", required_argument, NULL, OPT_SCRIPT },
		{ "config-dir", required_argument, NULL, OPT_CONFIG_DIR },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "cloud-url", required_argument, NULL, OPT_CLOUD_URL },
		{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
		{ "fatal-test", no_argument, NULL, OPT_FATAL_TEST },
		{ "crash-test", required_argument, NULL, OPT_CRASH_TEST },
		{ "status", no_argument, NULL, OPT_STATUS },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "web-dir", required_argument, NULL, OPT_WEB_DIR },
		{ "posthog-host", required_argument, NULL, OPT_POSTHOG_HOST },
		{ "posthog-key", required_argument, NULL, OPT_POSTHOG_KEY },
		{ "no-dashboard", no_argument, NULL, OPT_NO_DASHBOARD },
		{ "dashboard-allow-host", required_argument, NULL, OPT_ALLOW_HOST },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct anonstats_config cfg = { 0 };
	struct settings st = { 0 };
	struct dashboard_config dc = { DASHBOARD_DEFAULT_ADDRESS,
				       DASHBOARD_DEFAULT_PORT,
				       WEBDIR,
				       DASHBOARD_POSTHOG_HOST,
				       DASHBOARD_POSTHOG_KEY,
				       NULL,
				       NULL,
				       0 };
	const char **allow_hosts = NULL;
	long port;
	int dashboard = 1;
	const char *crash = NULL;
	int opt, fatal = 0, status_only = 0, sig = 0;
	sigset_t set;

	while ((opt = getopt_long(argc, argv, "fc:Vh", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			foreground = 1;
			break;
		case 'c':
			st.config = optarg;
			break;
		case OPT_SCRIPT:
			cfg.script = optarg;
			break;
		case OPT_CONFIG_DIR:
			cfg.config_dir = optarg;
			break;
		case OPT_STATE_DIR:
			cfg.state_dir = optarg;
			break;
		case OPT_CLOUD_URL:
			free(st.cloud_url);
			st.cloud_url = strdup(optarg);
			if (!st.cloud_url)
				return 1;
			break;
		case OPT_STOP_TIMEOUT:
			if (parse_num(optarg, 1, 600000, &st.stop_timeout_ms) < 0)
				return 2;
			break;
		case OPT_FATAL_TEST:
			fatal = 1;
			break;
		case OPT_CRASH_TEST:
			if (strcmp(optarg, "segv") && strcmp(optarg, "bus") && strcmp(optarg, "fpe") &&
			    strcmp(optarg, "abrt")) {
				fprintf(stderr, PROGRAM ": --crash-test takes segv, bus, fpe or abrt\n");
				return 2;
			}
			crash = optarg;
			break;
		case OPT_STATUS:
			status_only = 1;
			foreground = 1;
			break;
		case OPT_LISTEN:
			dc.address = optarg;
			break;
		case OPT_PORT:
			if (parse_num(optarg, 0, 65535, &port) < 0)
				return 2;
			dc.port = (unsigned)port;
			break;
		case OPT_WEB_DIR:
			dc.web_dir = optarg;
			break;
		case OPT_POSTHOG_HOST:
			if (!dashboard_posthog_host_ok(optarg)) {
				fprintf(stderr, PROGRAM ": --posthog-host takes https://HOST[:PORT] "
							"(http:// only for loopback), nothing after it\n");
				return 2;
			}
			dc.posthog_host = optarg;
			break;
		case OPT_POSTHOG_KEY:
			if (optarg[strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						  "0123456789_-")]) {
				fprintf(stderr, PROGRAM ": --posthog-key takes letters, digits, '_', '-'\n");
				return 2;
			}
			dc.posthog_key = optarg;
			break;
		case OPT_NO_DASHBOARD:
			dashboard = 0;
			break;
		case OPT_ALLOW_HOST: {
			const char **more;

			if (!dashboard_host_name_ok(optarg)) {
				fprintf(stderr, PROGRAM ": --dashboard-allow-host takes a host name or an "
							"address, without a port: %s\n",
					optarg);
				return 2;
			}
			more = realloc(allow_hosts, (dc.n_allow_hosts + 1) * sizeof *allow_hosts);
			if (!more)
				return 1;
			allow_hosts = more;
			allow_hosts[dc.n_allow_hosts++] = optarg;
			dc.allow_hosts = allow_hosts;
			break;
		}
		case 'V':
			printf(PROGRAM " %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROGRAM ": unexpected argument: %s\n", argv[optind]);
		return 2;
	}

	/* The status changes nothing and needs no init: no machine GUID, no
	 * state directory; it tells the same before the first start. */
	if (status_only) {
		char text[4096];
		int on;

		on = anonstats_status_text(&cfg, text, sizeof text);
		if (on < 0) {
			fprintf(stderr, PROGRAM ": --status: %s\n", strerror(errno));
			return 1;
		}
		fputs(text, stdout);
		/* The control command's statuses: on, off, on but not configured. */
		return !on ? 1 : anonstats_configured(NULL) ? 0
							    : 3;
	}

	if (!foreground) {
		cfg.script = absolute(cfg.script);
		cfg.config_dir = absolute(cfg.config_dir);
		cfg.state_dir = absolute(cfg.state_dir);
		st.config = absolute(st.config);
		dc.web_dir = absolute(dc.web_dir);
		openlog(PROGRAM, LOG_PID, LOG_DAEMON);
		if (daemonize() < 0) {
			logmsg(LOG_ERR, "cannot daemonize: %s", strerror(errno));
			return 1;
		}
	}

	/* SIGTERM and SIGINT are taken with sigwait() below; block them before
	 * the library starts its thread so that thread never sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return 1;
	/* A shell starts background jobs with SIGINT ignored; an ignored
	 * signal never reaches sigwait(). */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);

	cfg.stop_timeout_ms = (unsigned)st.stop_timeout_ms;
	cfg.version = PACKAGE_VERSION;
	cfg.program_name = PROGRAM;
	cfg.log = library_log;
	if (anonstats_init(&cfg) < 0) {
		/* Statistics are optional: the daemon runs without them. */
		logmsg(LOG_WARNING, "statistics unavailable: %s", strerror(errno));
	}
	if (anonstats_install_crash_handlers() < 0 && anonstats_machine_guid())
		logmsg(LOG_WARNING, "crash reports unavailable: %s", strerror(errno));
	{
		struct anonstats_status_details d;
		anonstats_status_details(&d);
		logmsg(LOG_INFO, "statistics %s", d.reason);
	}

	if (st.config)
		load_config(&st);
	if (dashboard)
		start_dashboard(&dc);

	logmsg(LOG_INFO, "ready (pid %ld)", (long)getpid());
	timed("START", anonstats_start);

	if (st.cloud_url) {
		cloud_url_g = st.cloud_url;
		timed("CLOUD_CONNECT_FAIL check", cloud_check);
	}
	if (fatal)
		fatal_test();
	if (crash)
		crash_test(crash);

	for (;;) {
		int rc = sigwait(&set, &sig);
		if (rc != 0) {
			logmsg(LOG_ERR, "sigwait: %s", strerror(rc));
			break;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
		logmsg(LOG_INFO, "SIGHUP: nothing to reload");
	}
	logmsg(LOG_INFO, "%s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	dashboard_stop();
	{
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		anonstats_stop(0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		logmsg(LOG_INFO, "STOP took %.3f ms", ms_between(&a, &b));
	}
	anonstats_free();
	free(st.cloud_url);
	free(allow_hosts);
	logmsg(LOG_INFO, "stopped");
	if (!foreground)
		closelog();
	return 0;
}
