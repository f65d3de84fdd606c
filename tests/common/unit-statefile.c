/* unit-statefile: the state-directory primitives against what a hostile
 * owner of the directory can plant (statefile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "statefile.h"
#include "../helpers/tap.h"

static char dir[] = "/tmp/unit-statefile.XXXXXX";
/* A fresh directory outside the state directory, for a symlink's target:
 * a fixed name in /tmp, left by a failed run (or planted by anyone), would
 * fail the next run. */
static char outside[] = "/tmp/unit-statefile-outside.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void test_keep_last_lines(void)
{
	const char *t = "a\nb\nc\n";

	ok(keep_last_lines(t, 6, 2) == 2, "the last 2 of 3 lines start at 'b'");
	ok(keep_last_lines(t, 6, 3) == 0, "all 3 lines");
	ok(keep_last_lines(t, 6, 9) == 0, "more than there are: all");
	ok(keep_last_lines(t, 6, 1) == 4, "the last line");
	ok(keep_last_lines(t, 6, 0) == 6, "none");
	ok(keep_last_lines("a\nb", 3, 1) == 2, "a last line without its newline counts");
	ok(keep_last_lines("", 0, 5) == 0, "empty");
	ok(keep_last_lines("\n\n", 2, 1) == 1, "empty lines count");
}

static void test_read(int dfd)
{
	char target[512], where[512], *buf;
	size_t len;

	put("plain", "hello\n");
	ok(state_read(dfd, "plain", 100, &buf, &len) == 0 && len == 6 && strcmp(buf, "hello\n") == 0,
	   "a regular file of ours is read");
	free(buf);
	ok(state_read(dfd, "plain", 3, &buf, &len) == -EFBIG && !buf, "over the cap: -EFBIG");
	ok(state_read(dfd, "missing", 100, &buf, &len) == 0 && buf && len == 0,
	   "a missing file reads as empty");
	free(buf);

	put("secret", "root only\n");
	path_of(target, sizeof target, "secret");
	path_of(where, sizeof where, "link");
	ok(symlink(target, where) == 0, "plant a symlink");
	ok(state_read(dfd, "link", 100, &buf, &len) == -ELOOP && !buf, "a symlink is never followed");

	path_of(where, sizeof where, "fifo");
	ok(mkfifo(where, 0600) == 0, "plant a FIFO");
	ok(state_read(dfd, "fifo", 100, &buf, &len) == -EINVAL, "a FIFO is refused without blocking");

	path_of(where, sizeof where, "hardlink");
	ok(link(target, where) == 0, "plant a hard link");
	ok(state_read(dfd, "hardlink", 100, &buf, &len) == -EMLINK, "a file with two links is refused");

	ok(mkdirat(dfd, "adir", 0700) == 0, "plant a directory");
	ok(state_read(dfd, "adir", 100, &buf, &len) == -EINVAL, "a directory is refused");
}

/* secret_intact(): the file planted links point at still holds its text. */
static int secret_intact(void)
{
	char path[512], text[64] = "";
	FILE *f;

	path_of(path, sizeof path, "secret");
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(text, sizeof text, f))
		text[0] = '\0';
	fclose(f);
	return strcmp(text, "root only\n") == 0;
}

static void test_replace(int dfd)
{
	char path[512];
	struct stat st;

	ok(state_replace(dfd, "link", "new\n", 4) == 0, "replacing a planted symlink");
	ok(secret_intact(), "its target is untouched");
	path_of(path, sizeof path, "link");
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600,
	   "the link became a regular 0600 file of ours");

	ok(state_replace(dfd, "fifo", "x\n", 2) == 0, "replacing a planted FIFO never blocks");
	ok(state_replace(dfd, "hardlink", "y\n", 2) == 0, "replacing a hard link");
	ok(secret_intact(), "the other name of the hard link is untouched");
	ok(state_replace(dfd, "adir", "z\n", 2) < 0, "a directory in the way is an error");
}

static void test_lock(int dfd)
{
	char path[512], target[512];
	int a, b, fd;
	struct timespec t0, t1;
	long ms;

	a = state_lock(dfd, "lock", 0);
	ok(a >= 0, "the lock is taken");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* A second open file description: flock() conflicts with it. */
	b = state_lock(dfd, "lock", 60);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ok(b == -EWOULDBLOCK, "a held lock is waited for, then refused");
	ok(ms >= 50 && ms < 1000, "the wait is bounded (%ld ms)", ms);
	close(a);
	b = state_lock(dfd, "lock", 60);
	ok(b >= 0, "a released lock is taken at once");
	close(b);

	path_of(path, sizeof path, "lock-link");
	snprintf(target, sizeof target, "%s/never-created", outside);
	ok(symlink(target, path) == 0, "plant a dangling symlink");
	ok(state_lock(dfd, "lock-link", 0) == -ELOOP, "a lock is never created through a symlink");
	ok(access(target, F_OK) < 0, "nothing was created at its target");

	path_of(path, sizeof path, "lock-fifo");
	ok(mkfifo(path, 0600) == 0, "plant a FIFO as the lock");
	fd = state_lock(dfd, "lock-fifo", 0);
	ok(fd == -EINVAL, "a FIFO lock is refused without blocking");
}

/* plant_all(PREFIX): PREFIX-link (a symlink to "secret"), PREFIX-fifo,
 * PREFIX-hard (a second name of "secret"), PREFIX-dir. */
static void plant_all(int dfd, const char *prefix)
{
	char target[512], where[512];

	path_of(target, sizeof target, "secret");
	snprintf(where, sizeof where, "%s/%s-link", dir, prefix);
	ok(symlink(target, where) == 0, "%s: plant a symlink", prefix);
	snprintf(where, sizeof where, "%s/%s-fifo", dir, prefix);
	ok(mkfifo(where, 0600) == 0, "%s: plant a FIFO", prefix);
	snprintf(where, sizeof where, "%s/%s-hard", dir, prefix);
	ok(link(target, where) == 0, "%s: plant a hard link", prefix);
	snprintf(where, sizeof where, "%s-dir", prefix);
	ok(mkdirat(dfd, where, 0700) == 0, "%s: plant a directory", prefix);
}

static int open_planted(int dfd, const char *prefix, const char *what, int flags, int trusted)
{
	char name[128];
	int fd;

	snprintf(name, sizeof name, "%s-%s", prefix, what);
	fd = trusted ? state_open_trusted(dfd, name) : state_open(dfd, name, flags);
	if (fd >= 0)
		close(fd);
	return fd;
}

static void test_exists(int dfd)
{
	char where[512];

	put("there", "x\n");
	ok(state_exists(dfd, "there") == 1, "exists: a file");
	ok(state_exists(dfd, "nothing") == 0, "exists: nothing there is 0");
	ok(state_exists(dfd, "there/below") == 0, "exists: below a file (ENOTDIR) is 0");
	path_of(where, sizeof where, "dangling");
	ok(symlink("/nonexistent/anywhere", where) == 0 && state_exists(dfd, "dangling") == 1,
	   "exists: a dangling symlink is something");
	path_of(where, sizeof where, "loop");
	ok(symlink("loop", where) == 0 && state_exists(dfd, "loop/x") == -ELOOP,
	   "exists: a path that cannot be resolved is an error, not absence");
	ok(state_exists(dfd, "adir") == 1 && state_exists(dfd, "fifo") == 1,
	   "exists: a directory, a FIFO (never opened)");
}

static void test_open(int dfd)
{
	char buf[16];
	size_t len;
	int fd;

	plant_all(dfd, "open");
	put("mine", "0123456789\n");
	fd = state_open(dfd, "mine", O_RDWR);
	ok(fd >= 0, "open: a regular file of ours, read-write");
	ok(state_read_fd(fd, buf, sizeof buf, &len) == 0 && len == 11 && strcmp(buf, "0123456789\n") == 0,
	   "read_fd: the whole file, with a NUL");
	ok(state_read_fd(fd, buf, 11, &len) == -EFBIG, "read_fd: one byte more than room is -EFBIG");
	ok(state_read_fd(fd, buf, 12, &len) == 0 && len == 11, "read_fd: exactly what fits");
	ok(state_rewrite(fd, "ab\n", 3) == 0 && state_read_fd(fd, buf, sizeof buf, &len) == 0 &&
		   strcmp(buf, "ab\n") == 0,
	   "rewrite: in place, the rest cut");
	close(fd);
	ok(state_open(dfd, "none", O_RDONLY) == -ENOENT, "open: missing is -ENOENT");
	ok(open_planted(dfd, "open", "link", O_RDWR, 0) == -ELOOP, "open: a symlink is never followed");
	ok(open_planted(dfd, "open", "fifo", O_RDWR, 0) == -EINVAL, "open: a FIFO is refused without blocking");
	ok(open_planted(dfd, "open", "fifo", O_RDONLY, 1) == -EINVAL, "open_trusted: a FIFO too");
	ok(open_planted(dfd, "open", "hard", O_RDONLY, 0) == -EMLINK &&
		   open_planted(dfd, "open", "hard", O_RDONLY, 1) == -EMLINK,
	   "open, open_trusted: a hard link is refused");
	ok(open_planted(dfd, "open", "dir", O_RDONLY, 0) == -EINVAL &&
		   open_planted(dfd, "open", "dir", O_RDONLY, 1) == -EINVAL,
	   "open, open_trusted: a directory is refused");
	ok(open_planted(dfd, "open", "link", O_RDONLY, 1) == -ELOOP, "open_trusted: a symlink too");
	ok(secret_intact(), "nothing written through them");

	/* Another account's file: refused by both; root's: by state_open()
	 * only, when we are not root (a child that gives up root). */
	put("theirs", "all\n");
	if (geteuid() != 0) {
		ok(1, "# SKIP other owners need root to plant (chown)");
		return;
	}
	{
		char p[512];
		int st;
		pid_t pid;

		path_of(p, sizeof p, "theirs");
		ok(chown(p, 65534, 65534) == 0, "plant another account's file");
		ok(state_open(dfd, "theirs", O_RDONLY) == -EPERM && state_open_trusted(dfd, "theirs") == -EPERM,
		   "open, open_trusted: another account's file is refused");
		put("roots", "all\n");
		ok(chmod(dir, 0755) == 0, "the directory searchable by all");
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int a, b;
			if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
				_exit(9);
			a = state_open(dfd, "roots", O_RDONLY);
			b = state_open_trusted(dfd, "roots");
			_exit((a == -EPERM ? 1 : 0) | (b >= 0 ? 2 : 0));
		}
		ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3,
		   "as another user: root's file is refused by open, read by open_trusted (status %d)",
		   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		ok(chmod(dir, 0700) == 0, "the directory private again");
	}
}

static void test_install(int dfd)
{
	char p[512], aside[512], buf[16];
	struct stat st;
	size_t len;
	int fd;

	plant_all(dfd, "inst");
	ok(state_install(dfd, "inst-link", "a\n", 2, STATE_DURABLE) == 0 && secret_intact(),
	   "install: a symlink is replaced, its target untouched");
	path_of(p, sizeof p, "inst-link");
	ok(lstat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600 && st.st_nlink == 1,
	   "install: a regular 0600 file with one link");
	ok(state_install(dfd, "inst-fifo", "b\n", 2, STATE_DURABLE) == 0, "install: over a FIFO, never blocking");
	ok(state_install(dfd, "inst-hard", "c\n", 2, 0) == 0 && secret_intact(),
	   "install: over a hard link, the other name untouched");
	ok(state_install(dfd, "inst-dir", "d\n", 2, 0) < 0, "install: a directory in the way is an error");

	ok(state_install(dfd, "excl", "1\n", 2, STATE_EXCL | STATE_DURABLE) == 0, "excl: a free name is taken");
	ok(state_install(dfd, "excl", "2\n", 2, STATE_EXCL) == -EEXIST, "excl: a taken name is -EEXIST");
	ok(state_install(dfd, "inst-link", "3\n", 2, STATE_EXCL) == -EEXIST, "excl: a file is not replaced");
	path_of(p, sizeof p, "excl");
	ok(stat(p, &st) == 0 && st.st_nlink == 1, "excl: one link once in place");
	fd = state_open(dfd, "excl", O_RDONLY);
	ok(fd >= 0 && state_read_fd(fd, buf, sizeof buf, &len) == 0 && strcmp(buf, "1\n") == 0,
	   "excl: the first content holds");
	if (fd >= 0)
		close(fd);

	fd = state_install(dfd, "kept", "running\n", 8, STATE_KEEP_OPEN | STATE_DURABLE);
	ok(fd >= 0, "keep open: the new file's descriptor");
	path_of(p, sizeof p, "kept");
	path_of(aside, sizeof aside, "kept-aside");
	ok(rename(p, aside) == 0, "the name moved aside");
	ok(state_rewrite(fd, "clean\n", 6) == 0 && state_read_fd(fd, buf, sizeof buf, &len) == 0 &&
		   strcmp(buf, "clean\n") == 0,
	   "keep open: rewritten wherever it went");
	close(fd);
	fd = state_open(dfd, "kept-aside", O_RDONLY);
	ok(fd >= 0 && state_read_fd(fd, buf, sizeof buf, &len) == 0 && strcmp(buf, "clean\n") == 0,
	   "the file moved aside holds it");
	if (fd >= 0)
		close(fd);
	fd = state_install(dfd, "inst-dir", "x", 1, STATE_KEEP_OPEN);
	ok(fd < 0, "keep open: an error is still an error (%d)", fd);
	{
		int leftovers = 0;
		char cmd[700];
		FILE *f;
		snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c '^\\.'", dir);
		f = popen(cmd, "r");
		if (!f || fscanf(f, "%d", &leftovers) != 1)
			leftovers = -1;
		if (f)
			pclose(f);
		ok(leftovers == 0, "no temporary file is left (%d)", leftovers);
	}
}

int main(void)
{
	int dfd;
	char link[512];

	if (!mkdtemp(dir) || !mkdtemp(outside)) {
		perror("mkdtemp");
		return 99;
	}
	test_keep_last_lines();
	dfd = state_dir_open(dir);
	ok(dfd >= 0, "the directory opens");
	path_of(link, sizeof link, "dirlink");
	ok(symlink(dir, link) == 0 && state_dir_open(link) < 0, "a symlinked directory does not");
	test_read(dfd);
	test_replace(dfd);
	test_lock(dfd);
	test_exists(dfd);
	test_open(dfd);
	test_install(dfd);
	close(dfd);
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, outside);
		if (system(cmd) != 0)
			perror(cmd);
	}
	return done_testing();
}
