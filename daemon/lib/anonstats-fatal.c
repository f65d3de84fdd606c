/* anonstats-fatal.c: ANONSTATS_FATAL(): FATAL sent synchronously from the
 * calling thread, with a hard bound, then exit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anonstats-internal.h"

/* The configuration (anonstats-config.c owns it; read-only here). */
static struct anonstats_conf *const conf = &anonstats_conf;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The calling thread's name, "unknown" when it has none. */
static void thread_name(char out[ANONSTATS_THREAD_MAX])
{
	out[0] = '\0';
#ifdef HAVE_PTHREAD_GETNAME_NP
	if (pthread_getname_np(pthread_self(), out, ANONSTATS_THREAD_MAX) != 0)
		out[0] = '\0';
#endif
	out[ANONSTATS_THREAD_MAX - 1] = '\0';
	if (!out[0])
		snprintf(out, ANONSTATS_THREAD_MAX, "unknown");
}

/* result: "process:thread"; data: "function:file:line", then ":errno" when
 * errno was set.  The file is its base name: a build path says who built
 * it.  0, or -1 when a buffer is too small (the output is cut, still
 * terminated). */
int anonstats_format_fatal(char *result, size_t result_size, char *data, size_t data_size,
			   const char *func, const char *file, int line, int errnum)
{
	char thread[ANONSTATS_THREAD_MAX];
	int a, b;

	thread_name(thread);
	a = snprintf(result, result_size, "%s:%s", conf->program_name ? conf->program_name : "daemon",
		     thread);
	if (errnum)
		b = snprintf(data, data_size, "%s:%s:%d:%d", func, base_name(file), line, errnum);
	else
		b = snprintf(data, data_size, "%s:%s:%d", func, base_name(file), line);
	return a < 0 || b < 0 || (size_t)a >= result_size || (size_t)b >= data_size ? -1 : 0;
}

/* Run one FATAL and wait for it until the deadline (SIGTERM, then SIGKILL
 * at it). */
static void send_fatal_sync(char *const argv[], const struct timespec *deadline)
{
	struct anonstats_child c;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (anonstats_child_spawn(&c, argv) < 0) {
		anonstats_log(ANONSTATS_LOG_ERROR, "FATAL not sent: cannot run %s: %s", argv[0],
			      strerror(errno));
		return;
	}
	anonstats_child_wait(&c, deadline, anonstats_term_grace(conf->fatal_timeout_ms));
	anonstats_child_report("FATAL", &c, anonstats_ms_since(&start));
}

_Noreturn void anonstats_fatal_(const char *func, const char *file, int line, int errnum,
				const char *fmt, ...)
{
	char msg[512], result[ANONSTATS_PROGRAM_MAX + ANONSTATS_THREAD_MAX + 2];
	char data[ANONSTATS_ARG_MAX];
	struct anonstats_decision d;
	struct timespec deadline;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* The message stays in the local log: it can hold hostnames. */
	if (errnum)
		anonstats_log(ANONSTATS_LOG_ERROR, "FATAL in %s() at %s:%d: %s (errno %d, %s)", func,
			      file, line, msg, errnum, strerror(errnum));
	else
		anonstats_log(ANONSTATS_LOG_ERROR, "FATAL in %s() at %s:%d: %s", func, file, line,
			      msg);

	if (!anonstats_conf_loaded())
		exit(EXIT_FAILURE);
	anonstats_deadline_after(&deadline, conf->fatal_timeout_ms);
	anonstats_decide(&d);
	if (anonstats_level_allows(d.level, "FATAL")) {
		char *argv[] = { conf->script, (char *)"FATAL", result, data, NULL };
		anonstats_format_fatal(result, sizeof result, data, sizeof data, func, file, line,
				       errnum);
		send_fatal_sync(argv, &deadline);
	} else {
		anonstats_log(ANONSTATS_LOG_DEBUG, "FATAL not sent: %s",
			      anonstats_status_string(anonstats_status()));
	}
	/* Events still in flight get what is left of the bound, then are
	 * ended: nothing of ours outlives the process for long.  The run
	 * ended with its FATAL reported: no CRASH for it. */
	anonstats_helper_shutdown(&deadline);
	anonstats_runstate_mark(RUN_CLEAN);
	exit(EXIT_FAILURE);
}
