/* boundedrun: see boundedrun.h.  The child's end is noticed through a
 * SIGCHLD handler writing to a pipe that poll() watches with the output,
 * so a grandchild holding the output open cannot hide the child's exit,
 * and inherited dispositions (SIGCHLD ignored or blocked) change nothing.
 *
 * The child's group dies with us, however our caller ends us: the signals
 * that end a run (timeout(1)'s SIGTERM, the library's SIGTERM to our group,
 * a terminal's SIGINT or SIGHUP, SIGALRM) kill it before they end us, and
 * SIGKILL, which no handler sees, kills the child through its parent-death
 * signal.  The child also carries a timer of its own (a transport that
 * ignores SIGTERM and lost its parent while stopped still ends). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boundedrun.h"
#include "monotonic.h"

#define OWN_TIMER_SLACK_MS 100 /* the child's timer fires after our kill */

static int chld_pipe[2] = { -1, -1 };
static struct sigaction caller_sigpipe; /* the child gets it back */

/* The signals that end a run, and what our caller had made of them. */
static const int ending[] = { SIGHUP, SIGINT, SIGTERM, SIGALRM };
#define N_ENDING (sizeof ending / sizeof ending[0])
static struct sigaction caller_ending[N_ENDING];
static volatile sig_atomic_t running; /* the child, while its group may live */

/* on_ending(): kill the child's group, then end as the signal would have
 * ended us (SA_RESETHAND made it the default again, SA_NODEFER left it
 * unblocked). */
static void on_ending(int sig)
{
	pid_t pid = (pid_t)running;

	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	raise(sig);
	_exit(128 + sig); /* not reached */
}

/* catch_ending(): the handlers, for the run; a signal our caller ignores
 * stays ignored (it does not end us, so the child's group lives until the
 * bound). */
static int catch_ending(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_ending;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_ENDING; i++) {
		if (sigaction(ending[i], NULL, &caller_ending[i]) < 0)
			return -errno;
		if (caller_ending[i].sa_handler != SIG_IGN && sigaction(ending[i], &sa, NULL) < 0)
			return -errno;
	}
	return 0;
}

static void release_ending(void)
{
	for (size_t i = 0; i < N_ENDING; i++)
		sigaction(ending[i], &caller_ending[i], NULL);
}

static void on_chld(int sig)
{
	int saved = errno;
	char c = 0;

	(void)sig;
	if (write(chld_pipe[1], &c, 1) < 0) {
		/* full: a wake-up is already pending */
	}
	errno = saved;
}

/* The child: its own group, killed when we die, default signal mask; what
 * it ignores it was given by our caller, as with any exec, but SIGALRM,
 * its own timer of LIMIT_MS.  IN becomes its standard input; OUT its
 * standard output or error (FROM); the other of the two is /dev/null, but
 * standard error stays ours with KEEP_STDERR. */
static void run_child(char *const argv[], const struct bounded_io *io, int in, int out,
		      pid_t parent, long limit_ms)
{
	struct itimerval own = { .it_value = {
					 .tv_sec = (limit_ms + OWN_TIMER_SLACK_MS) / 1000,
					 .tv_usec = (limit_ms + OWN_TIMER_SLACK_MS) % 1000 * 1000,
				 } };
	struct sigaction dfl;
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int other = io->from == STDOUT_FILENO ? STDERR_FILENO : STDOUT_FILENO;

	/* Should we have died before this call, nothing would send the
	 * signal: the parent we see then is another. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	sigaction(SIGPIPE, &caller_sigpipe, NULL);
	for (size_t i = 0; i < N_ENDING; i++)
		sigaction(ending[i], &caller_ending[i], NULL);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	/* An interval timer survives exec; a program that sets its own alarm
	 * (GNU Wget's connect) replaces it with its own bound. */
	if (sigaction(SIGALRM, &dfl, NULL) < 0 || setitimer(ITIMER_REAL, &own, NULL) < 0)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null < 0 || dup2(in >= 0 ? in : null, STDIN_FILENO) < 0 ||
	    dup2(out, io->from) < 0 ||
	    (!(other == STDERR_FILENO && io->keep_stderr) && dup2(null, other) < 0))
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

/* drain(): pass what OUT holds now to the sink; 1 at end of file, 0 when
 * it would block, the sink's or -errno on error. */
static int drain(int out, const struct bounded_io *io)
{
	for (;;) {
		char chunk[4096];
		ssize_t r = read(out, chunk, sizeof chunk);
		int s;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if (r == 0)
			return 1;
		s = io->sink(io->ctx, chunk, (size_t)r);
		if (s < 0)
			return s;
	}
}

/* feed(): write what the pipe takes now of the rest of IN; 1 when all of it
 * is written (or the child will not read it), 0 when it would block. */
static int feed(int in, const struct bounded_io *io, size_t *done)
{
	while (*done < io->in_len) {
		ssize_t w = write(in, io->in + *done, io->in_len - *done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
		*done += (size_t)w;
	}
	return 1;
}

/* input_file(IO): a memfd holding IO's input, at its start; -errno. */
static int input_file(const struct bounded_io *io)
{
	int fd = memfd_create("bounded-run-input", MFD_CLOEXEC), r;
	size_t done = 0;

	if (fd < 0)
		return -errno;
	while (done < io->in_len) {
		ssize_t w = write(fd, io->in + done, io->in_len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int bounded_run(char *const argv[], long limit_ms, const struct bounded_io *io, int *wstatus)
{
	struct sigaction sa;
	sigset_t chld, ends, caller_mask;
	pid_t parent = getpid();
	int out[2], in[2] = { -1, -1 }, status = 0, r = 0, eof = 0, exited = 0, fed;
	long long deadline = monotonic_ms() + limit_ms;
	size_t done = 0;
	pid_t pid;

	if (pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigaction(SIGCHLD, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &chld, NULL) < 0)
		return -errno;
	/* A child that never reads its input must not stop us on a full pipe,
	 * nor its end kill us with SIGPIPE. */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	if (sigaction(SIGPIPE, &sa, &caller_sigpipe) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (io->in && io->in_file) {
		in[0] = input_file(io);
		if (in[0] < 0) {
			r = in[0];
			close(out[0]);
			close(out[1]);
			return r;
		}
	} else if (io->in && pipe2(in, O_CLOEXEC) < 0) {
		r = -errno;
		close(out[0]);
		close(out[1]);
		return r;
	}
	/* From the fork on, an ending signal finds the child to kill. */
	sigemptyset(&ends);
	for (size_t i = 0; i < N_ENDING; i++)
		sigaddset(&ends, ending[i]);
	r = catch_ending();
	if (r == 0 && sigprocmask(SIG_BLOCK, &ends, &caller_mask) < 0)
		r = -errno;
	pid = r < 0 ? -1 : fork();
	if (pid < 0) {
		if (r == 0) {
			r = -errno;
			sigprocmask(SIG_SETMASK, &caller_mask, NULL);
		}
		release_ending();
		close(out[0]);
		close(out[1]);
		if (in[0] >= 0)
			close(in[0]);
		if (in[1] >= 0)
			close(in[1]);
		return r;
	}
	if (pid == 0)
		run_child(argv, io, in[0], out[1], parent, limit_ms);
	running = pid;
	setpgid(pid, pid); /* also here: no window before the child's own call */
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
	close(out[1]);
	if (in[0] >= 0)
		close(in[0]);
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 || (in[1] >= 0 && fcntl(in[1], F_SETFL, O_NONBLOCK) < 0))
		r = -errno;
	fed = in[1] < 0;

	while (r == 0 && !(exited && eof)) {
		struct pollfd fds[3] = {
			{ .fd = eof ? -1 : out[0], .events = POLLIN },
			{ .fd = chld_pipe[0], .events = POLLIN },
			{ .fd = fed ? -1 : in[1], .events = POLLOUT },
		};
		long long left = deadline - monotonic_ms();
		char sink[16];

		if (!fed && (fed = feed(in[1], io, &done)) != 0) {
			close(in[1]);
			in[1] = -1;
			fds[2].fd = -1;
		}
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (poll(fds, 3, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (!eof && fds[0].revents) {
			int d = drain(out[0], io);

			if (d < 0)
				r = d;
			eof = d == 1;
		}
		while (read(chld_pipe[0], sink, sizeof sink) > 0)
			;
		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			/* What it wrote before it ended is in the pipe now; a
			 * grandchild that keeps the pipe open adds nothing. */
			if (!eof && r == 0) {
				int d = drain(out[0], io);

				if (d < 0)
					r = d;
				eof = 1;
			}
		}
	}
	kill(-pid, SIGKILL);
	if (!exited)
		kill(pid, SIGKILL); /* should it have left its group */
	running = 0;
	release_ending();
	close(out[0]);
	if (in[1] >= 0)
		close(in[1]);
	close(chld_pipe[0]);
	close(chld_pipe[1]);
	chld_pipe[0] = chld_pipe[1] = -1; /* a later run makes its own */
	*wstatus = status;
	return r;
}

struct output_buf {
	char *buf;
	size_t cap, *len;
};

static int to_buffer(void *ctx, const char *data, size_t n)
{
	struct output_buf *o = ctx;

	if (n > o->cap - *o->len)
		return -EFBIG;
	memcpy(o->buf + *o->len, data, n);
	*o->len += n;
	return 0;
}

int bounded_output(char *const argv[], long limit_ms, char *buf, size_t cap, size_t *len)
{
	struct output_buf o = { buf, cap, len };
	struct bounded_io io = { .from = STDOUT_FILENO, .sink = to_buffer, .ctx = &o };
	int status, r;

	*len = 0;
	r = bounded_run(argv, limit_ms, &io, &status);
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		r = -ECHILD;
	return r;
}
