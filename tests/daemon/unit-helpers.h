/* unit-helpers.h: what the library's unit tests share: a test directory
 * with a hostile name, the fake script that records each run, the log
 * capture, init.  Each tests/daemon/unit-NAME.c tests one of the library's
 * files (daemon/lib/anonstats-NAME.c) and starts with unit_setup(). */
#ifndef TESTS_DAEMON_UNIT_HELPERS_H
#define TESTS_DAEMON_UNIT_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

#include "anonstats-internal.h"

#define THREAD_NAME "t$(x)`y`\"'z" /* 11 bytes: thread names hold 15 */

extern char dir[4096];              /* the test's directory, with a hostile name */
extern char script[4200];           /* dir/fake.sh */
extern long slow_factor;            /* valgrind, TSan: timings relaxed */
extern unsigned log_delay_ms;       /* a slow logging callback, for the race test */
extern const char *config_dir_name; /* under dir */
extern const char *script_override; /* another script than fake.sh */

/* The test directory, the fake script (mode "ok"); exits on failure. */
void unit_setup(void);
/* Remove the test directory. */
void unit_teardown(void);
/* Under ThreadSanitizer (unit-tsan.sh): only the tests of concurrent calls
 * (no fork() of a process with threads that then starts threads). */
int unit_concurrency_only(void);

/* The log callback's capture. */
int log_has(const char *needle);
int log_count(const char *needle);
void log_clear(void);
/* Under the log's lock: the captured text, for a test that walks it. */
void log_walk(void (*fn)(const char *text, void *arg), void *arg);

char *path(const char *name); /* dir/NAME, in one of 8 rotating buffers */
void write_file(const char *p, const char *content);
const char *read_file(const char *p, size_t *len); /* a static buffer */
void set_mode(const char *mode);                   /* what the fake script does: ok, sleep, flood, nap, exit6 */
double now_ms(void);

/* The fake script's runs: one directory each under dir/calls. */
int calls(void);
const char *call_file(const char *name, size_t *len); /* the one run's arg1..., env, argc */
void clear_calls(void);
int runs_of(const char *action);
int wait_idle(int ms);
int wait_calls(int n, int ms);

void children(int *total, int *zombies); /* ours, from /proc */
int group_alive(pid_t pgid);

void init_lib(unsigned stop_ms, unsigned fatal_ms, const char *program);
/* Run FN in a child process (stdout to /dev/null, thread THREAD_NAME):
 * its wait status, or -1; *MS how long it took. */
int in_child(void (*fn)(void), double *ms);

#endif
