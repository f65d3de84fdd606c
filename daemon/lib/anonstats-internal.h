/* anonstats-internal.h: the library's parts, who owns which state, and what
 * each part offers the others.
 *
 * The parts, each depending only on those listed before it:
 *
 *   anonstats-config.c   the configuration (written by anonstats_init(), read
 *                        by every part until anonstats_free()), logging, time;
 *                        anonstats.c hands it the GUID once loaded
 *   anonstats-optout.c   whether to send: the opt-out switches and the level
 *                        (async-signal-safe), the public status calls
 *   anonstats-guid.c     the machine GUID file
 *   anonstats-runstate.c the run-state file: running, stopping, clean, bound to its run
 *   anonstats-child.c    one child running the script: spawn, read its
 *                        output, collect it, end it (TERM, then KILL)
 *   anonstats-helper.c   the event queue and the helper thread that spawns,
 *                        collects and reports the queued events
 *   anonstats-fatal.c    ANONSTATS_FATAL(): one synchronous, bounded send
 *   anonstats-crash.c    the crash-signal handler (async-signal-safe only)
 *   anonstats.c          the public event API, init, stop and free
 *
 * No part reads or writes another's static state; each one's state is
 * reached only through the functions declared in its section below. */
#ifndef ANONSTATS_INTERNAL_H
#define ANONSTATS_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
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
/* ANONSTATS_OPT_OUT_FILE and ANONSTATS_LEVEL_FILE, the names of the two
 * files in the config directory, come from configure (OPT_OUT_FILE,
 * LEVEL_FILE) through AM_CPPFLAGS: the script and the control command get
 * the same at make time. */
#if !defined(ANONSTATS_OPT_OUT_FILE) || !defined(ANONSTATS_LEVEL_FILE)
#error "ANONSTATS_OPT_OUT_FILE and ANONSTATS_LEVEL_FILE come from Makefile.am's AM_CPPFLAGS"
#endif
#define ANONSTATS_LEVEL_MAX 64 /* bytes of the level file read */
#define ANONSTATS_GUID_FILE "machine-guid"
#define ANONSTATS_RUNSTATE_FILE "anonstats.run-state"
#define ANONSTATS_ARG_MAX 1024   /* each string argument is cut here */
#define ANONSTATS_PROGRAM_MAX 64 /* the process name FATAL sends is cut here */
#define ANONSTATS_THREAD_MAX 16  /* Linux thread names: 15 bytes and a NUL */

/* ---- anonstats-config.c ------------------------------------------------
 * Owner: anonstats-config.c writes anonstats_conf in anonstats_conf_load()
 * and anonstats_conf_free() only; every other part only reads it, between
 * the two. */
/* The opt-out and level files, in the compiled-in config directory ([0])
 * and in the configured one ([1], when it is another): the script's
 * CONFIG_DIR and NETDATA_USER_CONFIG_DIR, looked at in that order. */
struct anonstats_paths {
	char *opt_out[2];
	char *level[2];
	size_t n; /* how many of each: 1 or 2 */
};
int anonstats_paths_load(struct anonstats_paths *p, const char *config_dir);
void anonstats_paths_free(struct anonstats_paths *p);

struct anonstats_conf {
	char *script;
	char *config_dir;
	char *state_dir;
	char *version;
	char *guid;
	char *program_name;
	struct anonstats_paths paths; /* the opt-out and level files */
	char **envp;                  /* the child's whole environment, NULL-terminated */
	unsigned stop_timeout_ms;
	unsigned fatal_timeout_ms;
	anonstats_log_fn log;
	void *log_userdata;
};
extern struct anonstats_conf anonstats_conf;

int anonstats_conf_load(const struct anonstats_config *cfg); /* all but the GUID */
int anonstats_conf_set_guid(char *guid);                     /* then the GUID, owned */
void anonstats_conf_free(void);
int anonstats_conf_loaded(void);
void anonstats_log(enum anonstats_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *anonstats_path_join(const char *dir, const char *name);
long anonstats_ms_since(const struct timespec *start);
void anonstats_deadline_after(struct timespec *ts, unsigned ms);
long anonstats_ms_until(const struct timespec *deadline); /* <= 0 once passed */

/* ---- anonstats-optout.c ------------------------------------------------
 * No state of its own: every call looks again (the environment, the
 * opt-out files, the level files).  anonstats_decide() is
 * async-signal-safe (no getenv(), no allocation, no stdio). */
enum anonstats_why {
	WHY_DEFAULT,    /* no switch, no level file: level all */
	WHY_LEVEL_FILE, /* the level file says crashes, all or off */
	WHY_DO_NOT_TRACK,
	WHY_DISABLE_TELEMETRY,
	WHY_OPT_OUT_FILE,    /* the file exists (any type) */
	WHY_OPT_OUT_ERROR,   /* lstat() failed otherwise than ENOENT/ENOTDIR */
	WHY_LEVEL_UNCHECKED, /* lstat() of the level file failed (EACCES, ELOOP...) */
	WHY_LEVEL_ERROR,     /* the level file could not be opened or read */
	WHY_LEVEL_NOT_REGULAR,
	WHY_LEVEL_NOT_TRUSTED, /* another account's, or a hard link */
	WHY_LEVEL_TOO_LARGE,
	WHY_LEVEL_UNKNOWN, /* it holds no known word */
};
struct anonstats_decision {
	enum anonstats_level level; /* what is sent: off, crashes or all */
	enum anonstats_why why;
	int path; /* which of the config paths, for the file reasons */
	int err;  /* errno, for the error reasons */
};
void anonstats_decide(struct anonstats_decision *d);
/* The same for the files in P (no configuration needed). */
void anonstats_decide_in(const struct anonstats_paths *p, struct anonstats_decision *d);
/* Whether an event of ACTION is sent at this level. */
int anonstats_level_allows(enum anonstats_level level, const char *action);
/* The five kinds that are never refused (nor rate-limited). */
int anonstats_action_is_vital(const char *action);
/* Is ACTION one the script takes (a name or an alias of its table)? */
int anonstats_action_known(const char *action);

/* ---- anonstats-guid.c -------------------------------------------------- */
int anonstats_guid_load(const char *state_dir, char **guid);
int anonstats_uuid_generate(char out[37]);
int anonstats_uuid_valid(const char *s);

/* ---- anonstats-runstate.c ----------------------------------------------
 * Owner: anonstats-runstate.c (the file's path, whether this process
 * keeps it).  Only the process that marked the run running writes it,
 * in place, through the descriptor it kept from START. */
enum anonstats_run {
	RUN_UNKNOWN,   /* missing, corrupt or foreign: never reported */
	RUN_UNTRACKED, /* the previous run was opted out: nothing to report */
	RUN_RUNNING,
	RUN_STOPPING,
	RUN_CLEAN,
	RUN_REPORTED, /* running or stopping, already reported by a START */
};
/* The record of run RUN (a UUID) in STATE, in BUF: its length, or -1
 * (EINVAL, ENOBUFS).  For the tests, which plant what a run leaves. */
int anonstats_runstate_format(char *buf, size_t size, const char *run, enum anonstats_run state);
int anonstats_runstate_init(void); /* after anonstats_conf_load() */
void anonstats_runstate_free(void);
/* At START: read the previous run's state, then mark this one (running, or
 * untracked when opted out).  Returns the previous state. */
enum anonstats_run anonstats_runstate_begin(int tracked);
/* Mark stopping or clean, if this process marked the run. */
void anonstats_runstate_mark(enum anonstats_run state);
/* From the crash handler, async-signal-safe: mark clean (the crash was
 * reported, or was not to be). */
void anonstats_runstate_mark_crashed(void);

/* ---- anonstats-child.c -------------------------------------------------
 * A struct anonstats_child belongs to whoever spawned it (the helper
 * thread, or FATAL's caller); these functions keep no other state. */
#define ANONSTATS_OUTPUT_KEEP 64   /* bytes of the child's stdout kept */
#define ANONSTATS_READ_BUDGET 4096 /* bytes read from a child per wake-up */
/* What we sent a child to end it. */
enum anonstats_end {
	END_NONE,
	END_TERM,
	END_KILL
};
struct anonstats_child {
	pid_t pid;  /* > 0 once spawned */
	int pidfd;  /* readable once it exits; -1 without pidfd_open() */
	int out_fd; /* read end of its stdout, -1 once closed */
	int exited; /* collected (or reaped elsewhere) */
	int status; /* waitpid() status, -1 when unknown */
	enum anonstats_end end;
	struct timespec eof_at; /* when its stdout closed (the fallback's timer) */
	char out[ANONSTATS_OUTPUT_KEEP];
	size_t out_len;
};
void anonstats_child_clear(struct anonstats_child *c);
int anonstats_child_spawn(struct anonstats_child *c, char *const argv[]);
/* Read what is there, at most ANONSTATS_READ_BUDGET bytes; closes out_fd
 * at EOF.  Never blocks. */
void anonstats_child_read(struct anonstats_child *c);
/* Collect it if it has exited; never blocks.  1 once exited. */
int anonstats_child_collect(struct anonstats_child *c);
/* SIGTERM, or SIGKILL, to its whole process group (only before it is
 * collected: its pid cannot be reused until then). */
void anonstats_child_end(struct anonstats_child *c, enum anonstats_end how);
/* How long poll() may sleep before this child must be looked at again
 * without an event on its descriptors (-1: no limit).  Without a pidfd,
 * an exit is noticed by a timer, short once its stdout closed. */
int anonstats_child_poll_ms(const struct anonstats_child *c);
/* Wait for it until the deadline: SIGTERM grace_ms before it, SIGKILL at
 * it; always returns with the child collected and out_fd closed. */
void anonstats_child_wait(struct anonstats_child *c, const struct timespec *deadline,
			  unsigned grace_ms);
void anonstats_child_close(struct anonstats_child *c); /* descriptors only */
void anonstats_child_report(const char *action, const struct anonstats_child *c, long ms);
size_t anonstats_keep_output(char *buf, size_t len, const char *data, size_t n);
/* The SIGTERM grace within a bound of ms. */
unsigned anonstats_term_grace(unsigned ms);

/* ---- anonstats-helper.c ------------------------------------------------
 * Owner: anonstats-helper.c (the queue, its lock, the helper thread, the
 * counters).  The queue holds events from the send call until their
 * report is logged.  Limits: */
#define ANONSTATS_MAX_RUNNING 8           /* ordinary events running at once */
#define ANONSTATS_QUEUE_MAX 32            /* ordinary events refused beyond this many held */
#define ANONSTATS_EVENT_LIFETIME_MS 60000 /* a child running longer is ended */
#define ANONSTATS_REPEAT_WINDOW_S 600     /* an ordinary event once per 10 min */
#define ANONSTATS_REPEAT_TABLE 64         /* distinct ordinary events remembered */

int anonstats_helper_open(void);
void anonstats_helper_free(void);
#define ANONSTATS_Q_BEGIN_RUN 1 /* START: begin the run state first (then CRASH or
				  * INCOMPLETE_SHUTDOWN about the previous run, before it) */
#define ANONSTATS_Q_TRACKED 2   /* ... marked running (without: off, opted out) */
#define ANONSTATS_Q_LAST 4      /* STOP: refuse every event after this one */
/* Queue ACTION [RESULT [DATA]]: ANONSTATS_SENT, ANONSTATS_MERGED, or -1
 * with errno (EBUSY: dropped, the queue is full; ESHUTDOWN: after the
 * last; ENOMEM).  With action NULL, only the flags' work. */
int anonstats_helper_queue(const char *action, const char *result, const char *data,
			   unsigned flags);
/* Wait until nothing is in flight or the deadline comes; then end what
 * still runs (SIGTERM, SIGKILL after the grace), drop what never started,
 * and stop the helper thread.  Safe from two threads at once. */
void anonstats_helper_shutdown(const struct timespec *deadline);
unsigned anonstats_helper_in_flight(void);
void anonstats_helper_counters(struct anonstats_counters *out);

/* ---- anonstats-fatal.c -------------------------------------------------- */
int anonstats_format_fatal(char *result, size_t result_size, char *data, size_t data_size,
			   const char *func, const char *file, int line, int errnum);

/* ---- anonstats-crash.c -------------------------------------------------- */
void anonstats_disarm_crash_handlers(void);

#endif
