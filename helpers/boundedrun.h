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
 * bound. */
int bounded_output(char *const argv[], long limit_ms, char *buf, size_t cap, size_t *len);

#endif
