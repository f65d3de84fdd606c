/* boundedrun: see boundedrun.h.  The child's end is noticed through a
 * SIGCHLD handler writing to a pipe that poll() watches with the output,
 * so a grandchild holding the output open cannot hide the child's exit,
 * and inherited dispositions (SIGCHLD ignored or blocked) change nothing. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boundedrun.h"
#include "monotonic.h"

static int chld_pipe[2] = { -1, -1 };

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

/* The child: its own group, no input, no error output, default signal
 * mask; what it ignores it was given by our caller, as with any exec. */
static void run_child(char *const argv[], int out)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

/* drain(): read what OUT holds now into BUF; 1 at end of file, 0 when it
 * would block, -EFBIG past CAP, -errno on error. */
static int drain(int out, char *buf, size_t cap, size_t *len)
{
	for (;;) {
		char *at = buf + *len;
		size_t room = cap - *len;
		char spare;
		ssize_t r = read(out, room ? at : &spare, room ? room : 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if (r == 0)
			return 1;
		if (room == 0)
			return -EFBIG;
		*len += (size_t)r;
	}
}

int bounded_output(char *const argv[], long limit_ms, char *buf, size_t cap, size_t *len)
{
	struct sigaction sa;
	sigset_t chld;
	int out[2], status = 0, r = 0, eof = 0, exited = 0;
	long long deadline = monotonic_ms() + limit_ms;
	pid_t pid;

	*len = 0;
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
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(out[0]);
		close(out[1]);
		return r;
	}
	if (pid == 0)
		run_child(argv, out[1]);
	setpgid(pid, pid); /* also here: no window before the child's own call */
	close(out[1]);
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0)
		r = -errno;

	while (r == 0 && !(exited && eof)) {
		struct pollfd fds[2] = {
			{ .fd = eof ? -1 : out[0], .events = POLLIN },
			{ .fd = chld_pipe[0], .events = POLLIN },
		};
		long long left = deadline - monotonic_ms();
		char sink[16];

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (poll(fds, 2, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (!eof && fds[0].revents) {
			int d = drain(out[0], buf, cap, len);

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
				int d = drain(out[0], buf, cap, len);

				if (d < 0)
					r = d;
				eof = 1;
			}
		}
	}
	kill(-pid, SIGKILL);
	if (!exited)
		kill(pid, SIGKILL); /* should it have left its group */
	close(out[0]);
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		r = -ECHILD;
	return r;
}
