/* anonstats-guid.c: the machine GUID, a random UUID kept in the state
 * directory (mode 0600), through statefile.h like every file there.  Never
 * derived from hardware, hostname or MAC. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#include "anonstats-internal.h"
#include "statefile.h"

/* Fill buf with n random bytes: getrandom(), else /dev/urandom. */
static int random_bytes(unsigned char *buf, size_t n)
{
	size_t got = 0;
#ifdef HAVE_GETRANDOM
	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break; /* ENOSYS on old kernels: fall back */
		}
		got += (size_t)r;
	}
	if (got == n)
		return 0;
	got = 0;
#endif
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		got += (size_t)r;
	}
	return close(fd);
}

/* A version 4 (random) UUID, lower case, 36 characters and a NUL. */
int anonstats_uuid_generate(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o = 0;

	if (random_bytes(b, sizeof b) < 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < sizeof b; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
	return 0;
}

/* 8-4-4-4-12 hex digits. */
int anonstats_uuid_valid(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return s[36] == '\0';
}

/* Read the GUID file (statefile.h: only a regular file of ours with one
 * link; a FIFO would block, a symlink or hard link points outside): 0 and
 * OUT filled when it holds a valid UUID on one line, else a negative errno:
 * -ENOENT when missing, -EINVAL when it must be replaced (not ours, or not
 * a GUID), another for an error.  Only a file of ours has its mode made
 * private again (best effort). */
static int read_guid(int dirfd, char out[37])
{
	char buf[65];
	size_t len;
	struct stat st;
	int fd = state_open(dirfd, ANONSTATS_GUID_FILE, O_RDONLY), r;

	if (fd == -ELOOP || fd == -EINVAL || fd == -EPERM || fd == -EMLINK)
		return -EINVAL;
	if (fd < 0)
		return fd;
	r = state_read_fd(fd, buf, sizeof buf, &len);
	if (r == 0 && fstat(fd, &st) == 0 && (st.st_mode & 077))
		(void)fchmod(fd, 0600);
	close(fd);
	if (r == -EFBIG)
		return -EINVAL;
	if (r < 0)
		return r;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len != 36 || !anonstats_uuid_valid(buf))
		return -EINVAL;
	memcpy(out, buf, 37);
	return 0;
}

/* A new GUID, durable: linked into place when the name is free (if another
 * process won the race, its GUID is the one used), else put over what is
 * there by rename(). */
static int create_guid(int dirfd, char out[37])
{
	char line[38];
	int r;

	if (anonstats_uuid_generate(out) < 0)
		return -errno;
	memcpy(line, out, 36);
	line[36] = '\n';
	r = state_install(dirfd, ANONSTATS_GUID_FILE, line, 37, STATE_DURABLE | STATE_EXCL);
	if (r == -EEXIST) {
		if (read_guid(dirfd, out) == 0)
			return 0;
		memcpy(out, line, 36);
		r = state_install(dirfd, ANONSTATS_GUID_FILE, line, 37, STATE_DURABLE);
	}
	return r;
}

/* The GUID from STATE_DIR/machine-guid, created (with the directory's last
 * component, mode 0755) on first run.  An invalid file is replaced. */
int anonstats_guid_load(const char *state_dir, char **guid)
{
	char buf[37];
	int dirfd, r;

	if (mkdir(state_dir, 0755) < 0 && errno != EEXIST)
		return -1;
	dirfd = state_dir_open(state_dir);
	if (dirfd < 0) {
		errno = -dirfd;
		return -1;
	}
	r = read_guid(dirfd, buf);
	if (r == -ENOENT || r == -EINVAL)
		r = create_guid(dirfd, buf);
	close(dirfd);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	*guid = strdup(buf);
	if (!*guid) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
