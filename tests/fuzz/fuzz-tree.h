/* fuzz-tree.h: a scratch directory for the targets that build a file tree
 * from each input (fuzz-dmi, fuzz-rootfs).  Made once per process, emptied
 * before each input, removed at exit; under $FUZZ_TMPDIR, else /dev/shm
 * (on a disk, making and removing the tree costs 10 times the time), else
 * $TMPDIR or /tmp. */
#ifndef TESTS_FUZZ_FUZZ_TREE_H
#define TESTS_FUZZ_FUZZ_TREE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-check.h"

static char tree_dir[4096];

static inline int tree_remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0; /* the scratch directory itself stays */
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

/* tree_empty(): nothing left under the scratch directory. */
static inline void tree_empty(void)
{
	require(nftw(tree_dir, tree_remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

static inline void tree_cleanup(void)
{
	if (tree_dir[0] != '\0') {
		tree_empty();
		(void)rmdir(tree_dir);
	}
}

/* tree_open(): the scratch directory (made on the first call), emptied;
 * a descriptor of it that the caller closes. */
static inline int tree_open(void)
{
	int fd;

	if (tree_dir[0] == '\0') {
		const char *tmp = getenv("FUZZ_TMPDIR");

		if (tmp == NULL || *tmp == '\0')
			tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
		if (tmp == NULL || *tmp == '\0')
			tmp = "/tmp";
		snprintf(tree_dir, sizeof tree_dir, "%s/fuzz-tree.XXXXXX", tmp);
		require(mkdtemp(tree_dir) != NULL);
		require(atexit(tree_cleanup) == 0);
	} else {
		tree_empty();
	}
	fd = open(tree_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	require(fd >= 0);
	return fd;
}

/* tree_write(dirfd, path, data, len): the regular file path (relative,
 * its directories made as needed) holds data. */
static inline void tree_write(int dirfd, const char *path, const char *data, size_t len)
{
	char dir[4096];
	int fd;

	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		snprintf(dir, sizeof dir, "%.*s", (int)(s - path), path);
		require(mkdirat(dirfd, dir, 0700) == 0 || errno == EEXIST);
	}
	fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	require(fd >= 0);
	require(len == 0 || write(fd, data, len) == (ssize_t)len);
	require(close(fd) == 0);
}

#endif
