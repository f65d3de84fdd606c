/* anonstats-internal.h: state shared by the library's files. */
#ifndef ANONSTATS_INTERNAL_H
#define ANONSTATS_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <sys/types.h>
#include <time.h>

#include "anonstats.h"

#ifndef PLUGINSDIR
#define PLUGINSDIR "/usr/libexec/netdata/plugins.d"
#endif
#ifndef CONFIGDIR
#define CONFIGDIR "/etc/netdata"
#endif
#ifndef STATEDIR
#define STATEDIR "/var/lib/netdata"
#endif

#define ANONSTATS_SCRIPT_NAME "anonymous-statistics.sh"
#define ANONSTATS_OPT_OUT_FILE ".opt-out-from-anonymous-statistics"
#define ANONSTATS_GUID_FILE "machine-guid"
#define ANONSTATS_ARG_MAX 1024    /* each string argument is cut here */
#define ANONSTATS_MAX_IN_FLIGHT 8 /* more concurrent events are refused */
#define ANONSTATS_EVENT_LIFETIME_MS 60000 /* a child running longer is killed */
#define ANONSTATS_OUTPUT_KEEP 64  /* bytes of the child's stdout kept */
#define ANONSTATS_PROGRAM_MAX 64  /* the process name FATAL sends is cut here */
#define ANONSTATS_THREAD_MAX 16   /* Linux thread names: 15 bytes and a NUL */

/* An event's life: queued by the caller, spawned by the helper thread
 * (which alone removes entries), then collected by it. */
/* QUEUED -> SPAWNING -> RUNNING -> REPORTING (exited, its log line being written). */
enum anonstats_child_state { CHILD_QUEUED, CHILD_SPAWNING, CHILD_RUNNING, CHILD_REPORTING };

struct anonstats_child {
	enum anonstats_child_state state;
	char *args[3];          /* ACTION, RESULT, DATA: argv[1..3], owned copies */
	pid_t pid;              /* > 0 once running */
	int fd;                 /* read end of the child's stdout, -1 once closed */
	int exited;             /* waitpid() collected it (or it was reaped elsewhere) */
	int status;             /* waitpid() status, -1 when unknown */
	int killed;             /* we sent SIGKILL */
	char action[32];
	char out[ANONSTATS_OUTPUT_KEEP];
	size_t out_len;
	struct timespec started; /* when it was queued */
};

struct anonstats {
	int initialized;
	int stopped;

	char *script;
	char *config_dir;
	char *state_dir;
	char *version;
	char *guid;
	char *program_name;
	char *opt_out_paths[2]; /* configured and compiled-in config dirs */
	size_t n_opt_out_paths;
	char **envp;            /* the child's whole environment, NULL-terminated */
	unsigned stop_timeout_ms;
	unsigned fatal_timeout_ms;
	anonstats_log_fn log;
	void *log_userdata;

	pthread_mutex_t lock;
	pthread_cond_t cond;    /* broadcast when a child is collected */
	struct anonstats_child children[ANONSTATS_MAX_IN_FLIGHT + 1]; /* + STOP's own slot */
	unsigned n_children;
	int wake[2];            /* self-pipe to wake the reaper */
	pthread_t reaper;
	int reaper_running;
	int reaper_quit;
	int reaper_stopping;    /* a thread is joining the reaper */
	int cancel;             /* STOP gave up: spawn nothing more, kill at once */
	pid_t owner_pid;        /* the process the reaper belongs to */
};

extern struct anonstats anonstats_g;

/* anonstats.c */
void anonstats_log(enum anonstats_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int anonstats_spawn(char *const argv[], pid_t *pid, int *out_fd);
void anonstats_child_report(const struct anonstats_child *c, long elapsed_ms);
long anonstats_ms_since(const struct timespec *start);
size_t anonstats_keep_output(char *buf, size_t len, const char *data, size_t n);
void anonstats_settle_for_exit(unsigned ms);

/* anonstats-guid.c */
int anonstats_guid_load(const char *state_dir, char **guid);
int anonstats_uuid_generate(char out[37]);
int anonstats_uuid_valid(const char *s);

/* anonstats-crash.c */
int anonstats_format_fatal(char *result, size_t result_size, char *data, size_t data_size,
			   const char *func, const char *file, int line, int errnum);
void anonstats_disarm_crash_handlers(void);

#endif
