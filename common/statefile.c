/* statefile.c: safe files in a state directory another account may own
 * (the rules are in statefile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#include "monotonic.h"
#include "statefile.h"

#define OPEN_FLAGS (O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
#define LOCK_POLL_NS (5 * 1000 * 1000L) /* flock() has no timeout: poll it */
#define TEMP_TRIES 16

int state_dir_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | OPEN_FLAGS);
	if (fd < 0)
		return -errno;
	return fd;
}

/* ours(FD, ALSO): FD is a regular file of our effective uid (or of ALSO,
 * when it is not -1) with one link: not a FIFO or device, not the other
 * account's file, not a hard link to a file outside the directory. */
static int ours(int fd, uid_t also)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_uid != geteuid() && (also == (uid_t)-1 || st.st_uid != also))
		return -EPERM;
	if (st.st_nlink != 1)
		return -EMLINK;
	return 0;
}

/* open_owned(DIRFD, NAME, FLAGS, MODE, ALSO): openat() a name that must
 * be ours (or ALSO's, see ours()). */
static int open_owned(int dirfd, const char *name, int flags, mode_t mode, uid_t also)
{
	int fd = openat(dirfd, name, flags | OPEN_FLAGS, mode);
	int r;

	if (fd < 0)
		return -errno;
	r = ours(fd, also);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int open_ours(int dirfd, const char *name, int flags, mode_t mode)
{
	return open_owned(dirfd, name, flags, mode, (uid_t)-1);
}

int state_exists(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}

int state_open(int dirfd, const char *name, int flags)
{
	return open_ours(dirfd, name, flags & O_ACCMODE, 0);
}

int state_open_trusted(int dirfd, const char *name)
{
	return open_owned(dirfd, name, O_RDONLY, 0, 0);
}

int state_read_fd(int fd, char *buf, size_t size, size_t *len)
{
	size_t got = 0;

	*len = 0;
	if (size == 0)
		return -EINVAL;
	/* Up to SIZE bytes: the last one, when there, says "too large". */
	while (got < size) {
		ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == size)
		return -EFBIG;
	buf[got] = '\0';
	*len = got;
	return 0;
}

int state_rewrite(int fd, const char *data, size_t len)
{
	size_t done = 0;
	int e;

	while (done < len) {
		ssize_t n = pwrite(fd, data + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto failed;
		done += (size_t)n;
	}
	if (ftruncate(fd, (off_t)len) == 0)
		return 0;
failed:
	/* Emptied, which needs no space (ENOSPC on a copy-on-write file system
	 * the directory's owner filled): an old record must not stay behind. */
	e = errno;
	(void)ftruncate(fd, 0);
	return -e;
}

int state_lock(int dirfd, const char *name, unsigned wait_ms)
{
	struct timespec nap = { 0, LOCK_POLL_NS };
	long long deadline = monotonic_ms() + wait_ms;
	int fd = open_ours(dirfd, name, O_RDWR | O_CREAT, 0600);

	if (fd < 0)
		return fd;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = -errno;
			close(fd);
			return e;
		}
		if (monotonic_ms() >= deadline) {
			close(fd);
			return -EWOULDBLOCK;
		}
		nanosleep(&nap, NULL);
	}
}

/* read_file(DIRFD, NAME, CAP, BUF, LEN, ALSO): state_read(), the file
 * ours or ALSO's. */
static int read_file(int dirfd, const char *name, size_t cap, char **buf, size_t *len, uid_t also)
{
	size_t size = 0, room = 4096;
	char *b;
	int fd = open_owned(dirfd, name, O_RDONLY, 0, also);

	*buf = NULL;
	*len = 0;
	if (fd == -ENOENT)
		fd = -1;
	else if (fd < 0)
		return fd;
	b = malloc(room + 1);
	if (!b) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	while (fd >= 0) {
		ssize_t n;

		if (size == room) {
			char *more;

			if (room > cap) {
				close(fd);
				free(b);
				return -EFBIG;
			}
			room *= 2;
			more = realloc(b, room + 1);
			if (!more) {
				close(fd);
				free(b);
				return -ENOMEM;
			}
			b = more;
		}
		n = read(fd, b + size, room - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			close(fd);
			free(b);
			return e;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (size > cap) {
		free(b);
		return -EFBIG;
	}
	b[size] = '\0';
	*buf = b;
	*len = size;
	return 0;
}

int state_read(int dirfd, const char *name, size_t cap, char **buf, size_t *len)
{
	return read_file(dirfd, name, cap, buf, len, (uid_t)-1);
}

int state_read_checked(int dirfd, const char *name, size_t cap, char **buf, size_t *len)
{
	struct stat dir;

	if (fstat(dirfd, &dir) < 0)
		return -errno;
	return read_file(dirfd, name, cap, buf, len, dir.st_uid);
}

/* random_suffix(OUT): 16 hex digits nobody can guess (O_EXCL keeps even a
 * guessed name harmless; the randomness keeps it from being squatted). */
static void random_suffix(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[8];
	size_t got = 0;

#ifdef HAVE_GETRANDOM
	while (got < sizeof raw) {
		ssize_t r = getrandom(raw + got, sizeof raw - got, GRND_NONBLOCK);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
#endif
	if (got < sizeof raw) {
		struct timespec now;
		uint64_t mix;

		clock_gettime(CLOCK_MONOTONIC, &now);
		mix = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 30) ^
		      ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)&now;
		for (got = 0; got < sizeof raw; got++) {
			mix = mix * 6364136223846793005ULL + 1442695040888963407ULL;
			raw[got] = (unsigned char)(mix >> 56);
		}
	}
	for (size_t i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[16] = '\0';
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int state_install(int dirfd, const char *name, const char *data, size_t len, unsigned flags)
{
	char temp[256], suffix[17];
	int mode = flags & STATE_KEEP_OPEN ? O_RDWR : O_WRONLY, fd = -1, r;

	for (int i = 0; i < TEMP_TRIES && fd < 0; i++) {
		random_suffix(suffix);
		if (snprintf(temp, sizeof temp, ".%s.%s", name, suffix) >= (int)sizeof temp)
			return -ENAMETOOLONG;
		fd = openat(dirfd, temp, mode | O_CREAT | O_EXCL | OPEN_FLAGS, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;
	r = write_all(fd, data, len);
	if (r == 0 && (flags & STATE_LOCKED) && flock(fd, LOCK_EX | LOCK_NB) < 0)
		r = -errno;
	if (r == 0 && (flags & STATE_DURABLE) && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && (flags & STATE_EXCL) && linkat(dirfd, temp, dirfd, name, 0) < 0)
		r = -errno;
	else if (r == 0 && !(flags & STATE_EXCL) && renameat(dirfd, temp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		/* The directory's owner may have renamed the temporary file
		 * away before our rename: emptied, it can never be put back
		 * as a record of ours.  The descriptor stays open until here
		 * for that. */
		(void)ftruncate(fd, 0);
	}
	if (r < 0 || (flags & STATE_EXCL))
		unlinkat(dirfd, temp, 0); /* linked: the name alone keeps it */
	/* The new name itself, through a power cut (best effort: it is in
	 * place either way). */
	if (r == 0 && (flags & STATE_DURABLE))
		(void)fsync(dirfd);
	if (r == 0 && (flags & STATE_KEEP_OPEN))
		return fd;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int state_replace(int dirfd, const char *name, const char *data, size_t len)
{
	return state_install(dirfd, name, data, len, 0);
}

int state_append(int dirfd, const char *name, const char *data, size_t len)
{
	int fd = open_ours(dirfd, name, O_WRONLY | O_APPEND, 0), r;

	if (fd < 0)
		return fd;
	r = write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

size_t keep_last_lines(const char *buf, size_t len, size_t keep)
{
	size_t lines = 0;

	if (keep == 0)
		return len;
	/* Each '\n' before the last byte starts one more line of the tail. */
	for (size_t at = len; at > 0; at--) {
		if (at != len && buf[at - 1] == '\n' && ++lines == keep)
			return at;
	}
	return 0;
}
