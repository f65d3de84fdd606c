/* rootfs.c: file access under an alternate root, symlinks resolved inside
 * it, every read capped. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs.h"
#include "xalloc.h"

#define MAX_LINKS 40 /* as the kernel's own limit (path_resolution(7)) */

int rootfs_init(struct rootfs *fs, const char *dir)
{
	fs->dirfd = -1;
	if (dir == NULL)
		return 0;
	fs->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->dirfd < 0)
		return -errno;
	return 0;
}

void rootfs_close(struct rootfs *fs)
{
	if (fs->dirfd >= 0)
		close(fs->dirfd);
	fs->dirfd = -1;
}

/* read_link_at(dirfd, path, &target): readlinkat() into a buffer that grows
 * as needed.  0 or -errno. */
static int read_link_at(int dirfd, const char *path, char **target)
{
	size_t size = 256;

	for (;;) {
		char *buf = xmalloc(size);
		ssize_t n = readlinkat(dirfd, path, buf, size);

		if (n < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			*target = buf;
			return 0;
		}
		free(buf);
		if (size > 65536)
			return -ENAMETOOLONG;
		size *= 2;
	}
}

/* join(a, b): a new "a/b" (or "b" when a is empty). */
static char *join(const char *a, const char *b, size_t blen)
{
	size_t alen = strlen(a);
	char *s = xmalloc(alen + blen + 2);

	memcpy(s, a, alen);
	if (alen)
		s[alen++] = '/';
	memcpy(s + alen, b, blen);
	s[alen + blen] = '\0';
	return s;
}

int rootfs_resolve(const struct rootfs *fs, const char *path, int follow_last, char **out)
{
	char *resolved = xstrdup("");
	char *todo = xstrdup(path);
	size_t pos = 0;
	int links = 0, r = 0;

	for (;;) {
		const char *comp, *rest;
		size_t clen;
		char *cand;
		struct stat st;
		int last, slash_after;

		while (todo[pos] == '/')
			pos++;
		if (todo[pos] == '\0')
			break;
		comp = todo + pos;
		clen = strcspn(comp, "/");
		pos += clen;
		rest = todo + pos; /* "" or "/..." */
		last = rest[strspn(rest, "/")] == '\0';
		slash_after = rest[0] == '/'; /* "name/" must be a directory */

		if (clen == 1 && comp[0] == '.')
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			char *slash = strrchr(resolved, '/');

			if (slash)
				*slash = '\0';
			else
				resolved[0] = '\0'; /* at the root, ".." stays there */
			continue;
		}
		cand = join(resolved, comp, clen);
		if (last && !follow_last && !slash_after) {
			free(resolved);
			resolved = cand;
			break;
		}
		if (fstatat(fs->dirfd, cand, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			free(cand);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char *target, *next;
			size_t tlen, rlen;

			if (++links > MAX_LINKS) {
				free(cand);
				r = -ELOOP;
				break;
			}
			r = read_link_at(fs->dirfd, cand, &target);
			free(cand);
			if (r < 0)
				break;
			if (target[0] == '\0') {
				free(target);
				r = -ENOENT;
				break;
			}
			if (target[0] == '/')
				resolved[0] = '\0'; /* absolute: start again at the root */
			/* what is left to walk: the target, then the rest of the
			 * path (which starts with its '/'); a target's own
			 * trailing '/' is kept: it must name a directory */
			tlen = strlen(target);
			rlen = strlen(rest);
			next = xmalloc(tlen + rlen + 1);
			memcpy(next, target, tlen);
			memcpy(next + tlen, rest, rlen + 1);
			free(target);
			free(todo);
			todo = next;
			pos = 0;
			continue;
		}
		if ((!last || slash_after) && !S_ISDIR(st.st_mode)) {
			free(cand);
			r = -ENOTDIR;
			break;
		}
		free(resolved);
		resolved = cand;
	}
	free(todo);
	if (r < 0) {
		free(resolved);
		return r;
	}
	*out = resolved;
	return 0;
}

int rootfs_open(const struct rootfs *fs, const char *path, int flags)
{
	char *rel;
	int fd, r;

	if (fs->dirfd < 0) {
		fd = open(path, flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	r = rootfs_resolve(fs, path, 1, &rel);
	if (r < 0)
		return r;
	fd = openat(fs->dirfd, rel[0] ? rel : ".", flags | O_CLOEXEC | O_NOFOLLOW);
	r = fd < 0 ? -errno : fd;
	free(rel);
	return r;
}

static int exists(const struct rootfs *fs, const char *path, int follow)
{
	struct stat st;
	char *rel;
	int r;

	if (fs->dirfd < 0) {
		r = fstatat(AT_FDCWD, path, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW);
	} else {
		r = rootfs_resolve(fs, path, follow, &rel);
		if (r < 0)
			return r == -ENOENT || r == -ENOTDIR ? 0 : r;
		r = fstatat(fs->dirfd, rel[0] ? rel : ".", &st, AT_SYMLINK_NOFOLLOW);
		free(rel);
	}
	if (r == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}

int rootfs_exists(const struct rootfs *fs, const char *path)
{
	return exists(fs, path, 1);
}

int rootfs_lexists(const struct rootfs *fs, const char *path)
{
	return exists(fs, path, 0);
}

/* not_regular(st): 0 for a regular file, else the error rootfs_read gives. */
static int not_regular(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return 0;
	return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
}

/* open_regular(fs, path): an fd on the regular file path, or -errno.  The
 * type is checked before the open too: opening a device can act (a
 * watchdog starts ticking, a tape rewinds), so only regular files are. */
static int open_regular(const struct rootfs *fs, const char *path)
{
	const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct stat st;
	char *rel;
	int fd, r;

	if (fs->dirfd < 0) {
		if (stat(path, &st) < 0)
			return -errno;
		if ((r = not_regular(&st)) < 0)
			return r;
		fd = open(path, flags);
	} else {
		r = rootfs_resolve(fs, path, 1, &rel);
		if (r < 0)
			return r;
		if (fstatat(fs->dirfd, rel[0] ? rel : ".", &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			free(rel);
			return r;
		}
		if ((r = not_regular(&st)) < 0) {
			free(rel);
			return r;
		}
		fd = openat(fs->dirfd, rel, flags | O_NOFOLLOW);
		free(rel);
	}
	if (fd < 0)
		return -errno;
	/* and still one once opened */
	r = fstat(fd, &st) < 0 ? -errno : not_regular(&st);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int rootfs_read(const struct rootfs *fs, const char *path, size_t cap, char **buf, size_t *len)
{
	size_t size, n = 0;
	char *b;
	int fd = open_regular(fs, path);

	if (fd < 0)
		return fd;
	size = cap < 4096 ? cap : 4096;
	b = xmalloc(size + 1);
	while (n < cap) {
		ssize_t got;

		if (n == size) {
			size = size > cap / 2 ? cap : size * 2;
			b = xrealloc(b, size + 1);
		}
		got = read(fd, b + n, size - n);
		if (got < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(b);
			close(fd);
			return -e;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int rootfs_read_line(const struct rootfs *fs, const char *path, size_t cap, char **line)
{
	size_t len;
	int r = rootfs_read(fs, path, cap, line, &len);

	if (r < 0)
		return r;
	(*line)[strcspn(*line, "\n\r")] = '\0'; /* and at a NUL: a C string */
	return 0;
}

int rootfs_readlink(const struct rootfs *fs, const char *path, char **target)
{
	char *rel;
	int r;

	if (fs->dirfd < 0)
		return read_link_at(AT_FDCWD, path, target);
	r = rootfs_resolve(fs, path, 0, &rel);
	if (r < 0)
		return r;
	r = rel[0] ? read_link_at(fs->dirfd, rel, target) : -EINVAL;
	free(rel);
	return r;
}

DIR *rootfs_opendir(const struct rootfs *fs, const char *path)
{
	DIR *d;
	int fd = rootfs_open(fs, path, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}
