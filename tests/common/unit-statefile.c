/* unit-statefile: the state-directory primitives against what a hostile
 * owner of the directory can plant (statefile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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
	close(dfd);
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, outside);
		if (system(cmd) != 0)
			perror(cmd);
	}
	return done_testing();
}
