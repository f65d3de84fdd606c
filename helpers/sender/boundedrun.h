/* boundedrun: run a program that may misbehave and take what it prints,
 * within a time bound that holds whatever it does. */
#ifndef BOUNDEDRUN_H
#define BOUNDEDRUN_H

#include <stddef.h>

/* bounded_output(ARGV, LIMIT_MS, BUF, CAP, LEN): run ARGV[0] (a path) with
 * ARGV, standard input and error on /dev/null, in a process group of its
 * own, and read its standard output into BUF.  Returns 0 when it exited
 * with status 0 within LIMIT_MS, having printed at most CAP bytes (*LEN of
 * them, BUF not terminated); -ETIMEDOUT, -EFBIG (more than CAP bytes),
 * -ECHILD (another exit status, or a signal) or another -errno otherwise.
 * Every process still in its group is killed with SIGKILL before it
 * returns, and it never waits for one: a child that left the group and
 * keeps the pipe open, or one stuck in the kernel, costs no more than the
 * bound.  Nor does the group outlive us: SIGHUP, SIGINT, SIGTERM or
 * SIGALRM (unless ignored) kill it with SIGKILL before ending us as they
 * would have, and the child gets SIGKILL when we die of anything else
 * (PR_SET_PDEATHSIG); it also carries a timer of LIMIT_MS of its own
 * (SIGALRM at its default), which survives exec unless the program sets
 * its own. */
int bounded_output(char *const argv[], long limit_ms, char *buf, size_t cap, size_t *len);

/* What bounded_run() gives the child and takes from it. */
struct bounded_io {
	const char *in; /* its standard input (IN_LEN bytes), or NULL: /dev/null */
	size_t in_len;
	int in_file;                                        /* IN as a file it can seek and stat (a memfd), not a pipe */
	int from;                                           /* STDOUT_FILENO or STDERR_FILENO: what SINK gets */
	int keep_stderr;                                    /* with FROM stdout: its standard error stays ours */
	int (*sink)(void *ctx, const char *data, size_t n); /* < 0 stops the run */
	void *ctx;
};

/* bounded_run(ARGV, LIMIT_MS, IO, WSTATUS): the general form: run ARGV[0]
 * as bounded_output() does, with IO's input, passing what it prints on
 * IO->from to IO->sink (the other stream goes to /dev/null, unless
 * IO->keep_stderr).  Returns 0 when it ended within LIMIT_MS (*WSTATUS is
 * its wait status), -ETIMEDOUT, the sink's error, or another -errno. */
int bounded_run(char *const argv[], long limit_ms, const struct bounded_io *io, int *wstatus);

#endif
