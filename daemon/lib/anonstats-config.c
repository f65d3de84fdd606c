/* anonstats-config.c: the configuration every part reads, the child's
 * environment, logging, and time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anonstats-internal.h"

struct anonstats_conf anonstats_conf;

/* The configuration: written here only (see anonstats-internal.h). */
static struct anonstats_conf *const conf = &anonstats_conf;

void anonstats_log(enum anonstats_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (conf->log) {
		conf->log(level, msg, conf->log_userdata);
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

void anonstats_deadline_after(struct timespec *ts, unsigned ms)
{
	if (clock_gettime(CLOCK_MONOTONIC, ts) < 0)
		ts->tv_sec = ts->tv_nsec = 0;
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Rounded up, so that a wait of this long reaches the deadline. */
long anonstats_ms_until(const struct timespec *deadline)
{
	struct timespec now;
	long ns;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return 0;
	ns = (long)(deadline->tv_sec - now.tv_sec) * 1000000000L + (deadline->tv_nsec - now.tv_nsec);
	return ns <= 0 ? 0 : (ns + 999999L) / 1000000L;
}

/* "A" SEP "B", allocated. */
static char *joined(const char *a, char sep, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	p[la] = sep;
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

char *anonstats_path_join(const char *dir, const char *name)
{
	return joined(dir, '/', name);
}

static char *dup_or(const char *s, const char *fallback)
{
	return strdup(s && *s ? s : fallback);
}

static char *env_entry(const char *name, const char *value)
{
	return joined(name, '=', value);
}

/* Variables handed to the script when the daemon has them: the endpoint and
 * test overrides.  Nothing else of the daemon's environment is passed. */
static const char *const passed_variables[] = {
	"ANONYMOUS_STATISTICS_URL",
	"ANONYMOUS_STATISTICS_KEY",
	"ANONYMOUS_STATISTICS_SYSINFO",
	"ANONYMOUS_STATISTICS_STATE_HELPER",
	"ANONYMOUS_STATISTICS_STATE_DIR",
	"TMPDIR",
};

#define N_PASSED (sizeof passed_variables / sizeof passed_variables[0])
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int build_env(void)
{
	size_t n = 0, i;
	const char *path = getenv("PATH");
	char **env = calloc(5 + N_PASSED + 1, sizeof *env);

	if (!env)
		return -1;
	env[n++] = env_entry("PATH", path && *path ? path : DEFAULT_PATH);
	env[n++] = env_entry("LC_ALL", "C");
	env[n++] = env_entry("NETDATA_VERSION", conf->version);
	env[n++] = env_entry("NETDATA_REGISTRY_UNIQUE_ID", conf->guid);
	env[n++] = env_entry("NETDATA_USER_CONFIG_DIR", conf->config_dir);
	for (i = 0; i < N_PASSED; i++) {
		const char *v = getenv(passed_variables[i]);
		if (v)
			env[n++] = env_entry(passed_variables[i], v);
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
	conf->envp = env;
	return 0;
}

int anonstats_conf_loaded(void)
{
	return conf->script != NULL;
}

/* The GUID (owned from now on) completes the configuration: the script's
 * environment carries it. */
int anonstats_conf_set_guid(char *guid)
{
	conf->guid = guid;
	return build_env();
}

void anonstats_conf_free(void)
{
	size_t i;

	free(conf->script);
	free(conf->config_dir);
	free(conf->state_dir);
	free(conf->version);
	free(conf->guid);
	free(conf->program_name);
	anonstats_paths_free(&conf->paths);
	if (conf->envp) {
		for (i = 0; conf->envp[i]; i++)
			free(conf->envp[i]);
		free(conf->envp);
	}
	memset(conf, 0, sizeof *conf);
}

/* The opt-out and level files count in the compiled-in config directory,
 * where the installer puts them, and in the configured one, which the
 * script gets as NETDATA_USER_CONFIG_DIR: the script's order. */
int anonstats_paths_load(struct anonstats_paths *p, const char *config_dir)
{
	size_t i;

	memset(p, 0, sizeof *p);
	p->n = strcmp(config_dir, CONFIGDIR) != 0 ? 2 : 1;
	for (i = 0; i < p->n; i++) {
		const char *d = i == 0 ? CONFIGDIR : config_dir;
		p->opt_out[i] = anonstats_path_join(d, ANONSTATS_OPT_OUT_FILE);
		p->level[i] = anonstats_path_join(d, ANONSTATS_LEVEL_FILE);
		if (!p->opt_out[i] || !p->level[i]) {
			anonstats_paths_free(p);
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

void anonstats_paths_free(struct anonstats_paths *p)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		free(p->opt_out[i]);
		free(p->level[i]);
	}
	memset(p, 0, sizeof *p);
}

int anonstats_conf_load(const struct anonstats_config *cfg)
{
	int e;

	memset(conf, 0, sizeof *conf);
	conf->log = cfg->log;
	conf->log_userdata = cfg->log_userdata;
	conf->stop_timeout_ms = cfg->stop_timeout_ms ? cfg->stop_timeout_ms : 2000;
	conf->fatal_timeout_ms = cfg->fatal_timeout_ms ? cfg->fatal_timeout_ms : 3000;
	conf->script = dup_or(cfg->script, PLUGINSDIR "/" ANONSTATS_SCRIPT_NAME);
	conf->config_dir = dup_or(cfg->config_dir, CONFIGDIR);
	conf->state_dir = dup_or(cfg->state_dir, STATEDIR);
	conf->version = dup_or(cfg->version, "unknown");
	conf->program_name = dup_or(cfg->program_name, "daemon");
	if (!conf->script || !conf->config_dir || !conf->state_dir || !conf->version || !conf->program_name)
		goto fail;
	if (strlen(conf->program_name) > ANONSTATS_PROGRAM_MAX)
		conf->program_name[ANONSTATS_PROGRAM_MAX] = '\0';

	if (anonstats_paths_load(&conf->paths, conf->config_dir) < 0)
		goto fail;
	return 0;

fail:
	e = errno ? errno : ENOMEM;
	anonstats_conf_free();
	errno = e;
	return -1;
}
