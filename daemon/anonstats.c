/* anonstats.c: configuration, opt-out, spawning the script and collecting
 * its children on a helper thread ("the reaper"). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anonstats-internal.h"

struct anonstats anonstats_g = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = { -1, -1 },
};

#define S (&anonstats_g)

/* ---- logging ---------------------------------------------------------- */

void anonstats_log(enum anonstats_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (S->log) {
		S->log(level, msg, S->log_userdata);
	} else {
		static const char *const names[] = { "error", "warning", "info", "debug" };
		if (level <= ANONSTATS_LOG_INFO)
			fprintf(stderr, "anonstats: %s: %s\n", names[level], msg);
	}
}

long anonstats_ms_since(const struct timespec *start)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return 0;
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

static int ensure_reaper_locked(void);

/* ---- configuration ---------------------------------------------------- */

static char *dup_or(const char *s, const char *fallback)
{
	return strdup(s && *s ? s : fallback);
}

static char *concat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *p = malloc(la + lb + lc + 1);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	memcpy(p + la, b, lb);
	memcpy(p + la + lb, c, lc + 1);
	return p;
}

/* Variables handed to the script when the daemon has them: the endpoint and
 * test overrides.  Nothing else of the daemon's environment is passed. */
static const char *const passed_variables[] = {
	"ANONYMOUS_STATISTICS_URL",
	"ANONYMOUS_STATISTICS_KEY",
	"ANONYMOUS_STATISTICS_SYSINFO",
	"ANONYMOUS_STATISTICS_STATE_DIR",
	"TMPDIR",
};

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int build_env(void)
{
	size_t n = 0, i, cap = 6 + sizeof passed_variables / sizeof passed_variables[0];
	const char *path = getenv("PATH");
	char **env = calloc(cap + 1, sizeof *env);

	if (!env)
		return -1;
	env[n++] = concat3("PATH=", path && *path ? path : DEFAULT_PATH, "");
	env[n++] = concat3("LC_ALL=", "C", "");
	env[n++] = concat3("NETDATA_VERSION=", S->version, "");
	env[n++] = concat3("NETDATA_REGISTRY_UNIQUE_ID=", S->guid, "");
	env[n++] = concat3("NETDATA_USER_CONFIG_DIR=", S->config_dir, "");
	for (i = 0; i < sizeof passed_variables / sizeof passed_variables[0]; i++) {
		const char *v = getenv(passed_variables[i]);
		if (v)
			env[n++] = concat3(passed_variables[i], "=", v);
	}
	for (i = 0; i < n; i++) {
		if (!env[i]) {
			for (i = 0; i < n; i++)
				free(env[i]);
			free(env);
			errno = ENOMEM;
			return -1;
		}
	}
	env[n] = NULL;
	S->envp = env;
	return 0;
}

static void free_config(void)
{
	size_t i;

	free(S->script);
	free(S->config_dir);
	free(S->state_dir);
	free(S->version);
	free(S->guid);
	free(S->program_name);
	for (i = 0; i < S->n_opt_out_paths; i++)
		free(S->opt_out_paths[i]);
	if (S->envp) {
		for (i = 0; S->envp[i]; i++)
			free(S->envp[i]);
		free(S->envp);
	}
	S->script = S->config_dir = S->state_dir = S->version = S->guid = S->program_name = NULL;
	S->envp = NULL;
	S->n_opt_out_paths = 0;
}

int anonstats_init(const struct anonstats_config *cfg)
{
	static const struct anonstats_config defaults;
	pthread_condattr_t ca;
	int e;

	if (S->initialized) {
		errno = EALREADY;
		return -1;
	}
	if (!cfg)
		cfg = &defaults;
	S->log = cfg->log;
	S->log_userdata = cfg->log_userdata;
	S->stop_timeout_ms = cfg->stop_timeout_ms ? cfg->stop_timeout_ms : 2000;
	S->fatal_timeout_ms = cfg->fatal_timeout_ms ? cfg->fatal_timeout_ms : 3000;
	S->script = cfg->script && *cfg->script ? strdup(cfg->script)
						: strdup(PLUGINSDIR "/" ANONSTATS_SCRIPT_NAME);
	S->config_dir = dup_or(cfg->config_dir, CONFIGDIR);
	S->state_dir = dup_or(cfg->state_dir, STATEDIR);
	S->version = dup_or(cfg->version, "unknown");
	S->program_name = dup_or(cfg->program_name, "daemon");
	if (!S->script || !S->config_dir || !S->state_dir || !S->version || !S->program_name)
		goto fail;
	if (strlen(S->program_name) > ANONSTATS_PROGRAM_MAX)
		S->program_name[ANONSTATS_PROGRAM_MAX] = '\0';

	/* The opt-out file counts in the configured config directory and in
	 * the compiled-in one, where the installer puts it. */
	S->opt_out_paths[S->n_opt_out_paths] = concat3(S->config_dir, "/", ANONSTATS_OPT_OUT_FILE);
	if (!S->opt_out_paths[S->n_opt_out_paths++])
		goto fail;
	if (strcmp(S->config_dir, CONFIGDIR) != 0) {
		S->opt_out_paths[S->n_opt_out_paths] = concat3(CONFIGDIR, "/", ANONSTATS_OPT_OUT_FILE);
		if (!S->opt_out_paths[S->n_opt_out_paths++])
			goto fail;
	}

	if (cfg->machine_guid && *cfg->machine_guid) {
		S->guid = strdup(cfg->machine_guid);
		if (!S->guid)
			goto fail;
	} else if (anonstats_guid_load(S->state_dir, &S->guid) < 0) {
		e = errno;
		anonstats_log(ANONSTATS_LOG_ERROR, "cannot read or create the machine GUID in %s: %s",
			      S->state_dir, strerror(e));
		errno = e;
		goto fail;
	}
	if (build_env() < 0)
		goto fail;

	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&S->cond, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		goto fail;
	}
	pthread_condattr_destroy(&ca);
	if (pipe2(S->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		pthread_cond_destroy(&S->cond);
		S->wake[0] = S->wake[1] = -1;
		goto fail;
	}
	S->n_children = 0;
	S->stopped = 0;
	S->reaper_running = 0;
	S->reaper_quit = 0;
	S->initialized = 1;
	/* Start the reaper now, not in the first send: creating a thread
	 * would cost START a millisecond.  A failure here is retried there. */
	pthread_mutex_lock(&S->lock);
	if (ensure_reaper_locked() < 0)
		anonstats_log(ANONSTATS_LOG_WARNING, "cannot start the helper thread yet: %s",
			      strerror(errno));
	pthread_mutex_unlock(&S->lock);
	return 0;

fail:
	e = errno ? errno : ENOMEM;
	free_config();
	errno = e;
	return -1;
}

const char *anonstats_machine_guid(void)
{
	return S->initialized ? S->guid : NULL;
}

/* ---- opt-out ---------------------------------------------------------- */

const char *anonstats_status_string(enum anonstats_status status)
{
	switch (status) {
	case ANONSTATS_ENABLED:
		return "enabled";
	case ANONSTATS_DISABLED_DO_NOT_TRACK:
		return "disabled by DO_NOT_TRACK";
	case ANONSTATS_DISABLED_DISABLE_TELEMETRY:
		return "disabled by DISABLE_TELEMETRY";
	case ANONSTATS_DISABLED_OPT_OUT_FILE:
		return "disabled by the opt-out file " ANONSTATS_OPT_OUT_FILE;
	case ANONSTATS_DISABLED_NOT_INITIALIZED:
		return "disabled: not initialized";
	}
	return "disabled: unknown";
}

/* Any non-empty value opts out, "0" and "false" included: privacy wins. */
enum anonstats_status anonstats_status(void)
{
	const char *v;
	size_t i;

	if (!S->initialized)
		return ANONSTATS_DISABLED_NOT_INITIALIZED;
	v = getenv("DO_NOT_TRACK");
	if (v && *v)
		return ANONSTATS_DISABLED_DO_NOT_TRACK;
	v = getenv("DISABLE_TELEMETRY");
	if (v && *v)
		return ANONSTATS_DISABLED_DISABLE_TELEMETRY;
	for (i = 0; i < S->n_opt_out_paths; i++) {
		struct stat st;
		/* Anything there counts, even a dangling link or one we may
		 * not stat: only a clear ENOENT/ENOTDIR means "not there". */
		if (lstat(S->opt_out_paths[i], &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
			return ANONSTATS_DISABLED_OPT_OUT_FILE;
	}
	return ANONSTATS_ENABLED;
}

/* ---- spawning ----------------------------------------------------------- */

/* Move fd above the standard descriptors (a daemon may have closed them). */
static int fd_above_stdio(int fd)
{
	int nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/* Start argv[0] with argv: stdin and stderr /dev/null, stdout a pipe whose
 * non-blocking, close-on-exec read end goes to *out_fd; own process group;
 * default signal mask and dispositions; environment S->envp. */
int anonstats_spawn(char *const argv[], pid_t *pid, int *out_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	int p[2], rc, e;
	static const int defaulted[] = { SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM,
					 SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU };
	size_t i;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	p[0] = fd_above_stdio(p[0]);
	p[1] = fd_above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		e = errno;
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		errno = e;
		return -1;
	}

	rc = posix_spawn_file_actions_init(&fa);
	if (rc != 0) {
		close(p[0]);
		close(p[1]);
		errno = rc;
		return -1;
	}
	rc = posix_spawnattr_init(&attr);
	if (rc != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		errno = rc;
		return -1;
	}
	sigemptyset(&mask);
	sigemptyset(&def);
	for (i = 0; i < sizeof defaulted / sizeof defaulted[0]; i++)
		sigaddset(&def, defaulted[i]);
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, p[1], 1)) == 0 &&
	    (rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)) == 0 &&
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	    /* Descriptors the daemon left without close-on-exec stay out. */
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
#endif
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
							   POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&attr, &mask)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&attr, &def)) == 0)
		rc = posix_spawn(pid, argv[0], &fa, &attr, argv, S->envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		errno = rc;
		return -1;
	}
	*out_fd = p[0];
	return 0;
}

/* Keep the last cap-1 bytes of the output seen so far. */
size_t anonstats_keep_output(char *buf, size_t len, const char *data, size_t n)
{
	size_t cap = ANONSTATS_OUTPUT_KEEP - 1;

	if (n >= cap) {
		memcpy(buf, data + n - cap, cap);
		len = cap;
	} else {
		if (len + n > cap) {
			size_t drop = len + n - cap;
			memmove(buf, buf + drop, len - drop);
			len -= drop;
		}
		memcpy(buf + len, data, n);
		len += n;
	}
	buf[len] = '\0';
	return len;
}

/* The HTTP status the script printed: the last non-empty line, if it is
 * three digits; 0 otherwise. */
static int http_code(const char *out)
{
	const char *end = out + strlen(out), *start;

	while (end > out && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > out && start[-1] != '\n')
		start--;
	if (end - start != 3)
		return 0;
	for (const char *c = start; c < end; c++)
		if (*c < '0' || *c > '9')
			return 0;
	return (start[0] - '0') * 100 + (start[1] - '0') * 10 + (start[2] - '0');
}

/* The script's exit codes (see anonymous-statistics.sh --help). */
static const char *exit_meaning(int code)
{
	switch (code) {
	case 0:
		return "sent, or nothing to send";
	case 2:
		return "usage error";
	case 3:
		return "not configured (no key or URL)";
	case 4:
		return "no transport (curl or wget)";
	case 5:
		return "network failure";
	case 6:
		return "HTTP error";
	case 126:
		return "script not executable";
	case 127:
		return "script not found";
	}
	return "failed";
}

void anonstats_child_report(const struct anonstats_child *c, long elapsed_ms)
{
	int code = http_code(c->out);
	char http[32] = "";

	if (code)
		snprintf(http, sizeof http, ", HTTP %d", code);
	if (c->status == -1) {
		anonstats_log(ANONSTATS_LOG_INFO, "%s: exit status unknown (reaped elsewhere)%s, %ld ms",
			      c->action, http, elapsed_ms);
	} else if (WIFEXITED(c->status)) {
		int st = WEXITSTATUS(c->status);
		anonstats_log(st == 0 ? ANONSTATS_LOG_INFO : ANONSTATS_LOG_WARNING,
			      "%s: exit %d (%s)%s, %ld ms", c->action, st, exit_meaning(st), http,
			      elapsed_ms);
	} else if (WIFSIGNALED(c->status)) {
		anonstats_log(ANONSTATS_LOG_WARNING, "%s: %s by signal %d%s, %ld ms", c->action,
			      c->killed ? "given up, killed" : "killed", WTERMSIG(c->status), http,
			      elapsed_ms);
	}
}

/* ---- the reaper thread ---------------------------------------------------- */

static void drain_child(struct anonstats_child *c)
{
	char buf[256];

	while (c->fd >= 0) {
		ssize_t r = read(c->fd, buf, sizeof buf);
		if (r > 0) {
			c->out_len = anonstats_keep_output(c->out, c->out_len, buf, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		close(c->fd); /* EOF or error */
		c->fd = -1;
	}
}

static void collect_child(struct anonstats_child *c)
{
	int st;
	pid_t r;

	if (c->exited || c->pid <= 0)
		return; /* never waitpid(0) or waitpid(-1): not ours */
	do
		r = waitpid(c->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == c->pid) {
		c->exited = 1;
		c->status = st;
	} else if (r < 0) {
		/* ECHILD: the daemon reaped it, or SIGCHLD is ignored. */
		c->exited = 1;
		c->status = -1;
	}
}

/* Kill a running child's whole process group.  Only before it is
 * collected: until then its pid, and so its group id, cannot be reused. */
static void kill_child(struct anonstats_child *c)
{
	if (c->state != CHILD_RUNNING || c->pid <= 0 || c->exited)
		return;
	if (kill(-c->pid, SIGKILL) < 0)
		(void)kill(c->pid, SIGKILL);
	c->killed = 1;
}

static void free_args(struct anonstats_child *c)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		free(c->args[i]);
		c->args[i] = NULL;
	}
}

/* Drop entry i (only the reaper does, or STOP once the reaper is gone). */
static void remove_child_locked(unsigned i)
{
	free_args(&S->children[i]);
	S->children[i] = S->children[--S->n_children];
	pthread_cond_broadcast(&S->cond);
}

/* Start the queued events.  The lock is released around posix_spawn(), so
 * callers never wait for an exec; the entry is SPAWNING meanwhile and only
 * this thread removes entries, so its index stays valid. */
static void spawn_queued_locked(void)
{
	unsigned i = 0;

	while (i < S->n_children) {
		struct anonstats_child *c = &S->children[i];
		char *argv[5] = { S->script, c->args[0], c->args[1], c->args[2], NULL };
		pid_t pid = 0;
		int fd = -1, rc, e;

		if (c->state != CHILD_QUEUED) {
			i++;
			continue;
		}
		if (S->cancel) {
			anonstats_log(ANONSTATS_LOG_WARNING, "%s: not sent, stopping", c->action);
			remove_child_locked(i);
			i = 0;
			continue;
		}
		c->state = CHILD_SPAWNING;
		pthread_mutex_unlock(&S->lock);
		rc = anonstats_spawn(argv, &pid, &fd);
		e = errno;
		pthread_mutex_lock(&S->lock);
		c = &S->children[i];
		if (rc < 0) {
			char action[sizeof c->action];
			snprintf(action, sizeof action, "%s", c->action);
			remove_child_locked(i);
			pthread_mutex_unlock(&S->lock);
			anonstats_log(ANONSTATS_LOG_ERROR, "%s not sent: cannot run %s: %s", action,
				      S->script, strerror(e));
			pthread_mutex_lock(&S->lock);
			i = 0;
			continue;
		}
		c->pid = pid;
		c->fd = fd;
		c->state = CHILD_RUNNING;
		free_args(c);
		if (S->cancel)
			kill_child(c);
		i++;
	}
}

/* Collect what finished; report and drop it.  Called with the lock held;
 * the lock is released around the log callback. */
static void reap_locked(void)
{
	unsigned i = 0;

	while (i < S->n_children) {
		struct anonstats_child *c = &S->children[i];
		long age = anonstats_ms_since(&c->started);

		if (c->state != CHILD_RUNNING) {
			i++;
			continue;
		}
		drain_child(c);
		collect_child(c);
		if (!c->exited && age > ANONSTATS_EVENT_LIFETIME_MS)
			kill_child(c);
		if (!c->exited) {
			i++;
			continue;
		}
		/* Finished: keep what is in the pipe, but do not wait for a
		 * grandchild that still holds it. */
		drain_child(c);
		if (c->fd >= 0) {
			close(c->fd);
			c->fd = -1;
		}
		/* Report before the entry goes, so that once
		 * anonstats_in_flight() says 0 every event has been reported.
		 * Only this thread removes entries, so index i stays valid
		 * while the lock is released (as around posix_spawn()). */
		c->state = CHILD_REPORTING;
		struct anonstats_child done = *c;
		pthread_mutex_unlock(&S->lock);
		anonstats_child_report(&done, age);
		pthread_mutex_lock(&S->lock);
		remove_child_locked(i);
		i = 0; /* the array may have changed while unlocked */
	}
}

static void *reaper_main(void *arg)
{
	struct pollfd fds[ANONSTATS_MAX_IN_FLIGHT + 2];
	sigset_t all;

	(void)arg;
	/* The daemon's signals belong to the daemon's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&S->lock);
	while (!S->reaper_quit) {
		nfds_t n = 0;
		unsigned i, running = 0;
		int timeout;
		char junk[64];

		spawn_queued_locked();
		fds[n].fd = S->wake[0];
		fds[n++].events = POLLIN;
		for (i = 0; i < S->n_children; i++) {
			if (S->children[i].state != CHILD_RUNNING)
				continue;
			running++;
			if (S->children[i].fd >= 0) {
				fds[n].fd = S->children[i].fd;
				fds[n++].events = POLLIN;
			}
		}
		/* Children are polled with waitpid every 20 ms while any run:
		 * one may exit while a grandchild still holds its stdout. */
		timeout = running ? 20 : -1;
		pthread_mutex_unlock(&S->lock);
		if (poll(fds, n, timeout) < 0 && errno != EINTR) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
		}
		while (read(S->wake[0], junk, sizeof junk) > 0)
			;
		pthread_mutex_lock(&S->lock);
		reap_locked();
	}
	pthread_mutex_unlock(&S->lock);
	return NULL;
}

static void wake_reaper(void)
{
	ssize_t w;

	do
		w = write(S->wake[1], "x", 1);
	while (w < 0 && errno == EINTR);
	/* EAGAIN: the pipe is full, the reaper will wake anyway. */
}

/* Start the reaper (in this process: after a fork() the parent's thread is
 * gone, and so are the parent's children). */
static int ensure_reaper_locked(void)
{
	sigset_t all, old;
	int rc;

	if (S->reaper_running && S->owner_pid == getpid())
		return 0;
	if (S->reaper_running) {
		size_t i;
		for (i = 0; i < S->n_children; i++) {
			if (S->children[i].fd >= 0)
				close(S->children[i].fd);
			free_args(&S->children[i]);
		}
		S->n_children = 0;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	S->reaper_quit = 0;
	S->cancel = 0;
	rc = pthread_create(&S->reaper, NULL, reaper_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	S->reaper_running = 1;
	S->owner_pid = getpid();
	return 0;
}

/* ---- sending ---------------------------------------------------------- */

/* Copy s, cut at ANONSTATS_ARG_MAX bytes. */
static char *arg_copy(const char *s)
{
	size_t n = strnlen(s, ANONSTATS_ARG_MAX);
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Queue an event for the helper thread: a few copies and a write to the
 * wake pipe, so the caller never waits for fork or exec. */
static int send_locked(const char *action, const char *result, const char *data)
{
	struct anonstats_child *c;
	enum anonstats_status st;
	int e;

	st = anonstats_status();
	if (st != ANONSTATS_ENABLED) {
		anonstats_log(ANONSTATS_LOG_DEBUG, "%s not sent: %s", action,
			      anonstats_status_string(st));
		return ANONSTATS_OPTED_OUT;
	}
	/* STOP has a slot of its own: a full table never keeps it back. */
	if (S->n_children >= ANONSTATS_MAX_IN_FLIGHT + (strcmp(action, "STOP") == 0)) {
		anonstats_log(ANONSTATS_LOG_WARNING, "%s not sent: %u events still in flight", action,
			      S->n_children);
		errno = EBUSY;
		return -1;
	}
	if (ensure_reaper_locked() < 0) {
		e = errno;
		anonstats_log(ANONSTATS_LOG_ERROR, "%s not sent: cannot start the helper thread: %s",
			      action, strerror(e));
		errno = e;
		return -1;
	}
	c = &S->children[S->n_children];
	memset(c, 0, sizeof *c);
	c->state = CHILD_QUEUED;
	c->fd = -1;
	c->status = -1;
	c->args[0] = arg_copy(action);
	if (result) {
		c->args[1] = arg_copy(result);
		if (data)
			c->args[2] = arg_copy(data);
	}
	if (!c->args[0] || (result && !c->args[1]) || (result && data && !c->args[2])) {
		free_args(c);
		anonstats_log(ANONSTATS_LOG_ERROR, "%s not sent: out of memory", action);
		errno = ENOMEM;
		return -1;
	}
	snprintf(c->action, sizeof c->action, "%s", c->args[0]);
	if (clock_gettime(CLOCK_MONOTONIC, &c->started) < 0)
		memset(&c->started, 0, sizeof c->started);
	S->n_children++;
	wake_reaper();
	return ANONSTATS_SENT;
}

int anonstats_send(const char *action, const char *result, const char *data)
{
	int rc;

	if (!action || !*action) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&S->lock);
	if (!S->initialized || S->stopped) {
		pthread_mutex_unlock(&S->lock);
		errno = S->initialized ? ESHUTDOWN : EINVAL;
		return -1;
	}
	rc = send_locked(action, result, data);
	{
		int e = errno;
		pthread_mutex_unlock(&S->lock);
		errno = e;
	}
	return rc;
}

int anonstats_start(void)
{
	return anonstats_send("START", NULL, NULL);
}

int anonstats_cloud_disabled(void)
{
	return anonstats_send("CLOUD_DISABLED", NULL, NULL);
}

int anonstats_cloud_build_fail(const char *dependency)
{
	return anonstats_send("CLOUD_BUILD_FAIL", "-", dependency ? dependency : "unknown");
}

/* The codes, comma-separated, most recent last. */
int anonstats_cloud_connect_fail(const int *codes, size_t n)
{
	char buf[ANONSTATS_ARG_MAX];
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n && codes; i++) {
		int w = snprintf(buf + len, sizeof buf - len, "%s%d", i ? "," : "", codes[i]);
		if (w < 0 || (size_t)w >= sizeof buf - len) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)w;
	}
	return anonstats_send("CLOUD_CONNECT_FAIL", "-", len ? buf : "0");
}

unsigned anonstats_in_flight(void)
{
	unsigned n;

	pthread_mutex_lock(&S->lock);
	n = S->n_children;
	pthread_mutex_unlock(&S->lock);
	return n;
}

/* ---- stopping ------------------------------------------------------------ */

static void deadline_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Wait for the in-flight children until the deadline. Lock held. */
static void wait_children_locked(const struct timespec *deadline)
{
	while (S->n_children > 0 && S->reaper_running && S->owner_pid == getpid()) {
		int rc = pthread_cond_timedwait(&S->cond, &S->lock, deadline);
		if (rc == ETIMEDOUT)
			break;
	}
}

/* Give up on what is left: drop queued events, kill running ones, stop
 * the helper thread, collect what died.  Lock held (released to join). */
static void stop_reaper_locked(void)
{
	struct timespec deadline;
	unsigned i;

	if (!S->reaper_running || S->owner_pid != getpid())
		return;
	if (S->reaper_stopping) {
		/* Another thread (STOP and FATAL at once) is at it: wait. */
		while (S->reaper_running)
			pthread_cond_wait(&S->cond, &S->lock);
		return;
	}
	S->reaper_stopping = 1;
	S->cancel = 1;
	if (S->n_children > 0) {
		for (i = 0; i < S->n_children; i++) {
			if (S->children[i].state == CHILD_REPORTING)
				continue; /* finished; the reaper is logging it */
			anonstats_log(ANONSTATS_LOG_WARNING, "%s: no answer after %ld ms, %s",
				      S->children[i].action,
				      anonstats_ms_since(&S->children[i].started),
				      S->children[i].state == CHILD_RUNNING ? "killed" : "dropped");
			kill_child(&S->children[i]);
		}
		wake_reaper();
		/* SIGKILL is quick; give the reaper a moment to collect. */
		deadline_after(&deadline, 200);
		wait_children_locked(&deadline);
	}
	S->reaper_quit = 1;
	wake_reaper();
	pthread_mutex_unlock(&S->lock);
	pthread_join(S->reaper, NULL);
	pthread_mutex_lock(&S->lock);
	S->reaper_running = 0;
	S->reaper_stopping = 0;
	pthread_cond_broadcast(&S->cond);
	/* Whatever is left was killed: collect it if it is gone (100 ms at
	 * most), else leave it to init once we exit. */
	for (i = 0; i < S->n_children; i++) {
		struct anonstats_child *c = &S->children[i];
		int tries;
		kill_child(c);
		for (tries = 0; c->state == CHILD_RUNNING && !c->exited && tries < 100; tries++) {
			struct timespec ts = { 0, 1000000L };
			collect_child(c);
			if (!c->exited)
				nanosleep(&ts, NULL);
		}
		if (c->fd >= 0)
			close(c->fd);
		free_args(c);
	}
	S->n_children = 0;
}

int anonstats_stop(int failed)
{
	struct timespec deadline;
	int rc;

	pthread_mutex_lock(&S->lock);
	if (!S->initialized || S->stopped) {
		pthread_mutex_unlock(&S->lock);
		errno = S->initialized ? ESHUTDOWN : EINVAL;
		return -1;
	}
	deadline_after(&deadline, S->stop_timeout_ms);
	rc = send_locked("STOP", failed ? "ERROR" : "OK", NULL);
	S->stopped = 1;
	wait_children_locked(&deadline);
	stop_reaper_locked();
	pthread_mutex_unlock(&S->lock);
	return rc;
}

/* On the way out after FATAL: no new events; give those in flight until
 * ms, then kill them, so a dying daemon leaves nothing running.  Never
 * blocks on the lock for longer than that either. */
void anonstats_settle_for_exit(unsigned ms)
{
	struct timespec deadline;
	int rc;

	deadline_after(&deadline, ms);
	for (;;) {
		struct timespec ts = { 0, 1000000L };
		rc = pthread_mutex_trylock(&S->lock);
		if (rc == 0)
			break;
		if (rc != EBUSY || ms == 0)
			return;
		nanosleep(&ts, NULL);
		ms--;
	}
	if (S->initialized) {
		S->stopped = 1;
		wait_children_locked(&deadline);
		stop_reaper_locked();
	}
	pthread_mutex_unlock(&S->lock);
}

void anonstats_free(void)
{
	pthread_mutex_lock(&S->lock);
	if (!S->initialized) {
		pthread_mutex_unlock(&S->lock);
		return;
	}
	if (!S->stopped) {
		struct timespec deadline;
		S->stopped = 1;
		deadline_after(&deadline, S->stop_timeout_ms);
		wait_children_locked(&deadline);
	}
	stop_reaper_locked();
	anonstats_disarm_crash_handlers();
	S->initialized = 0;
	if (S->wake[0] >= 0)
		close(S->wake[0]);
	if (S->wake[1] >= 0)
		close(S->wake[1]);
	S->wake[0] = S->wake[1] = -1;
	pthread_cond_destroy(&S->cond);
	free_config();
	pthread_mutex_unlock(&S->lock);
}
