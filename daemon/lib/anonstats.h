/* anonstats.h: run the anonymous-statistics script from a C daemon.
 *
 * The library runs the installed `anonymous-statistics.sh` with a plain argv
 * (never a shell), stdin from /dev/null, in its own process group and with a
 * small explicit environment.  Ordinary events return at once: a helper
 * thread collects each child's exit status and the HTTP code it prints, and
 * reports them through the logging callback.  The opt-out (a file in the
 * config directory, DO_NOT_TRACK, DISABLE_TELEMETRY) and the statistics
 * level (CONFIG_DIR/anonymous-statistics.level: off, crashes or all) are
 * checked at every event; an event they drop never executes the script.
 *
 * A run-state file in the state directory records whether the daemon is
 * running, stopping or ended cleanly, so that a run that died without any
 * handler running (SIGKILL, the OOM killer, a power cut) is reported at the
 * next START as CRASH, or INCOMPLETE_SHUTDOWN when it died while stopping.
 *
 * One instance per process: a daemon calls anonstats_init() once, after it
 * has daemonized (fork() does not carry the helper thread over).  The calls
 * are thread-safe but not async-signal-safe: from a SIGTERM handler, set a
 * flag (or use sigwait()/signalfd) and call anonstats_stop() from the main
 * loop.  Only the crash handler installed below runs in signal context.
 *
 * Children are collected with waitpid() on their own pids, never
 * waitpid(-1): a daemon's own SIGCHLD handling keeps working.  If the daemon
 * reaps every child itself (waitpid(-1) in a SIGCHLD handler, or SIGCHLD set
 * to SIG_IGN) the library still works; it then reports the exit status as
 * unknown. */
#ifndef ANONSTATS_H
#define ANONSTATS_H

#include <errno.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum anonstats_log_level {
	ANONSTATS_LOG_ERROR,
	ANONSTATS_LOG_WARNING,
	ANONSTATS_LOG_INFO,
	ANONSTATS_LOG_DEBUG,
};

/* Called from the caller's thread or from the library's helper thread, so it
 * must be thread-safe.  It must not call back into the library. */
typedef void (*anonstats_log_fn)(enum anonstats_log_level level, const char *message,
				 void *userdata);

struct anonstats_config {
	const char *script;        /* NULL: PLUGINSDIR "/anonymous-statistics.sh" */
	const char *config_dir;    /* NULL: CONFIGDIR; where the opt-out file is looked for */
	const char *state_dir;     /* NULL: STATEDIR; holds the machine GUID and run state */
	const char *version;       /* the daemon's version, NULL: "unknown" */
	const char *machine_guid;  /* NULL: read or create STATE_DIR/machine-guid */
	const char *program_name;  /* the process name FATAL reports, NULL: "daemon" */
	unsigned stop_timeout_ms;  /* 0: 2000; how long anonstats_stop() waits */
	unsigned fatal_timeout_ms; /* 0: 3000; how long FATAL and crashes wait */
	anonstats_log_fn log;      /* NULL: messages go to stderr */
	void *log_userdata;
};

/* Set up the library.  0 on success; -1 with errno set (and a message logged)
 * when the machine GUID cannot be read or created, or memory runs out.  After
 * a failure every other call is a harmless no-op. */
int anonstats_init(const struct anonstats_config *config);

/* Whether statistics are on, and if not, which switch turned them off. */
enum anonstats_status {
	ANONSTATS_ENABLED = 0,
	ANONSTATS_DISABLED_DO_NOT_TRACK,      /* DO_NOT_TRACK non-empty ("0" too) */
	ANONSTATS_DISABLED_DISABLE_TELEMETRY, /* DISABLE_TELEMETRY non-empty ("0" too) */
	ANONSTATS_DISABLED_OPT_OUT_FILE,      /* .opt-out-from-anonymous-statistics exists */
	ANONSTATS_DISABLED_NOT_INITIALIZED,   /* anonstats_init() not called or failed */
	ANONSTATS_DISABLED_LEVEL,             /* the level is off (or unreadable: counts as off) */
};
/* ANONSTATS_DISABLED_OPT_OUT_FILE also when the file cannot be checked
 * (EACCES, ELOOP...): privacy wins ties.  Level crashes is ENABLED (some
 * events are sent); anonstats_status_details() tells the level. */
enum anonstats_status anonstats_status(void);
/* "enabled", "disabled by DO_NOT_TRACK", ...: a static string. */
const char *anonstats_status_string(enum anonstats_status status);

/* The statistics level, from CONFIG_DIR/anonymous-statistics.level (one
 * word, an optional newline, at most 64 bytes).  No file: all.  A file
 * that cannot be read, is not a regular file, is too large or holds
 * another word: off. */
enum anonstats_level {
	ANONSTATS_LEVEL_OFF,     /* nothing is sent */
	ANONSTATS_LEVEL_CRASHES, /* only FATAL, CRASH and INCOMPLETE_SHUTDOWN */
	ANONSTATS_LEVEL_ALL,     /* every event (the default) */
};
/* "off", "crashes", "all". */
const char *anonstats_level_string(enum anonstats_level level);

/* Everything a dashboard or a status command shows, looked up now. */
struct anonstats_status_details {
	int enabled; /* 1 when some events are sent (level crashes or all) */
	enum anonstats_status status;
	enum anonstats_level level; /* OFF whenever enabled is 0 */
	char reason[600];           /* for a person: what decided, with the file's path */
};
/* Fill *out; returns out->enabled.  Thread-safe; works before init too.
 * The reason is worded as the script's --status words it: its first
 * "decided by:" line when statistics are off, else its "level:" line. */
int anonstats_status_details(struct anonstats_status_details *out);

/* The status of CONFIG (its config_dir; NULL: the defaults) as
 * `anonymous-statistics.sh --status` gives it, the same lines and reasons
 * but the endpoint and the log: "anonymous statistics: enabled", "...
 * enabled, but not configured: nothing is sent" with a "reason:" line, or
 * "... disabled" with a "decided by:" line for every mechanism that keeps
 * statistics off; then the "level:" line.  Needs no anonstats_init() and
 * changes nothing: it looks at the environment and the opt-out and level
 * files only (no machine GUID, no state directory).  At most SIZE bytes,
 * NUL included, go to BUF.  Returns 1 when the level lets some events
 * through, 0 when none, -1 with errno set.  Thread-safe. */
int anonstats_status_text(const struct anonstats_config *config, char *buf, size_t size);

/* 1 when the script has a PostHog key to send with (ANONYMOUS_STATISTICS_KEY,
 * else the build's), else 0 and *WHY (when WHY is not NULL) says what is
 * wrong, in the script's words.  The endpoint's URL rule is the script's
 * alone (configure checks the built-in URL with it). */
int anonstats_configured(const char **why);

/* The machine GUID in use, or NULL before a successful init. */
const char *anonstats_machine_guid(void);

/* Return values of the send calls below. */
#define ANONSTATS_SENT 0      /* queued: the helper thread runs the script */
#define ANONSTATS_OPTED_OUT 1 /* opted out, or dropped by the level: the script will not run */
#define ANONSTATS_MERGED 2    /* a repeat (same action, result and data) of an event still
			       * queued or running, or (ordinary events) sent in the last
			       * 10 minutes: counted, not run again */
/* -1: refused (errno set, message logged): EBUSY when 32 ordinary events are
 * already held (the drop is counted, see anonstats_counters()), ESHUTDOWN
 * after anonstats_stop(), ENOMEM.  START, STOP, FATAL, CRASH and
 * INCOMPLETE_SHUTDOWN are never refused for a full queue, never
 * rate-limited, and start at once: at most 8 ordinary events run at a
 * time, the rest wait in the queue. */

/* Queue the script for ACTION [RESULT [DATA]] and return at once (NULL ends
 * the argument list): the opt-out and level are checked here, the strings
 * copied, the helper thread woken; it spawns the script, so the caller never waits for
 * fork or exec, and logs a failure to start it.  Strings are passed as they
 * are, byte for byte: the script does the JSON encoding.  Each is cut at
 * 1024 bytes. */
int anonstats_send(const char *action, const char *result, const char *data);

/* The daemon is ready: START.  First the run state is read: if the previous
 * run died while running (and its crash was not reported) CRASH is sent,
 * if it died while stopping INCOMPLETE_SHUTDOWN, once, before START.  The
 * run is then marked running (at level crashes too, where START itself is
 * not sent; opted out, it is marked off and never reported). */
int anonstats_start(void);

/* Clean shutdown: mark the run stopping, send STOP (result OK, or ERROR
 * when failed is non-zero), wait for it and for every event still in
 * flight at most stop_timeout_ms (the last 200 ms at most: SIGTERM, so the
 * script can clean up, then SIGKILL), stop the helper thread, mark the run
 * clean.  Further sends are refused. */
int anonstats_stop(int failed);

/* Cloud events: argv CLOUD_DISABLED; CLOUD_BUILD_FAIL - DEPENDENCY;
 * CLOUD_CONNECT_FAIL - CODE[,CODE...]. */
int anonstats_cloud_disabled(void);                           /* cloud not in this build */
int anonstats_cloud_build_fail(const char *dependency);       /* a cloud dependency failed to build */
int anonstats_cloud_connect_fail(const int *codes, size_t n); /* connection failed: error codes */

/* Events not yet reported: queued, running, or being logged.  At 0 every
 * event sent so far has gone through the logging callback. */
unsigned anonstats_in_flight(void);

/* What became of the events since anonstats_init(); every drop is also
 * logged (ANONSTATS_LOG_WARNING). */
struct anonstats_counters {
	unsigned long queued;       /* accepted (ANONSTATS_SENT), CRASH and INCOMPLETE_SHUTDOWN included */
	unsigned long merged;       /* repeats merged into one queued or running */
	unsigned long rate_limited; /* repeats within the 10-minute window */
	unsigned long dropped;      /* refused: the queue was full (EBUSY) */
	unsigned long abandoned;    /* queued, never started: the stop or FATAL bound came */
	unsigned long ended;        /* running at a bound or lifetime: SIGTERM, then SIGKILL */
};
void anonstats_counters(struct anonstats_counters *out);

/* FATAL: log the message locally (never sent), send FATAL with the process
 * and thread name and function:file:line:errno, wait at most
 * fatal_timeout_ms, mark the run clean (a FATAL is no CRASH),
 * exit(EXIT_FAILURE). */
#define ANONSTATS_FATAL(...) \
	anonstats_fatal_(__func__, __FILE__, __LINE__, errno, __VA_ARGS__)

#if defined(__cplusplus)
#define ANONSTATS_NORETURN [[noreturn]]
#else
#define ANONSTATS_NORETURN _Noreturn
#endif
#if defined(__GNUC__) || defined(__clang__)
#define ANONSTATS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ANONSTATS_PRINTF(f, a)
#endif

ANONSTATS_NORETURN void anonstats_fatal_(const char *func, const char *file, int line, int errnum,
					 const char *fmt, ...) ANONSTATS_PRINTF(5, 6);

/* Report SIGSEGV, SIGBUS, SIGFPE and SIGABRT as FATAL (data: the signal
 * name where the function goes, "SIGSEGV:unknown:0"), mark the run clean
 * (no CRASH for it at the next start), then restore the default action and
 * re-raise, so core dumps still happen.  The handler uses only
 * async-signal-safe calls and an argv built here.  Call after
 * anonstats_init(); 0 or -1 with errno. */
int anonstats_install_crash_handlers(void);

/* Free everything (stops first if anonstats_stop() was not called, without
 * sending STOP, and marks the run clean) and restore the crash-signal
 * handlers the daemon had before. */
void anonstats_free(void);

#ifdef __cplusplus
}
#endif

#endif
