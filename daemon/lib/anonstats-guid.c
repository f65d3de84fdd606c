/* anonstats-guid.c: the machine GUID, a random UUID kept in the state
 * directory (mode 0600).  Never derived from hardware, hostname or MAC. */
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

/* Read a GUID file: at most 64 bytes, one line.  0 and out filled when it
 * holds a valid UUID; -1 otherwise (errno ENOENT when missing, EINVAL when
 * it must be replaced).  The state directory may belong to another, less
 * trusted account: only a regular file we own with one link is ours (a
 * FIFO would block, a symlink or hard link points outside), and only such
 * a file has its mode changed. */
static int read_guid(const char *path, char out[37])
{
	char buf[65];
	size_t len = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		if (errno == ELOOP)
			errno = EINVAL; /* a symlink: replaced */
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	while (len < sizeof buf - 1) {
		ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (st.st_mode & 077)
		(void)fchmod(fd, 0600); /* ours: private again (best effort) */
	close(fd);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len != 36 || !anonstats_uuid_valid(buf)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, buf, 37);
	return 0;
}

/* Write a new GUID next to path and link it into place: link() fails if
 * another process won the race, and then its GUID is the one used. */
static int create_guid(const char *state_dir, const char *path, char out[37])
{
	char tmpname[64], line[38], rnd[37];
	char *tmp;
	int fd, e;
	ssize_t w;

	if (anonstats_uuid_generate(out) < 0)
		return -1;
	/* An unpredictable name, created exclusively: nothing planted there
	 * in advance can be written through. */
	if (anonstats_uuid_generate(rnd) < 0)
		return -1;
	snprintf(tmpname, sizeof tmpname, ".%s.%s.tmp", ANONSTATS_GUID_FILE, rnd);
	tmp = anonstats_path_join(state_dir, tmpname);
	if (!tmp)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	memcpy(line, out, 36);
	line[36] = '\n';
	do
		w = write(fd, line, 37);
	while (w < 0 && errno == EINTR);
	if (w != 37 || fchmod(fd, 0600) < 0 || fsync(fd) < 0) {
		e = w >= 0 && w != 37 ? EIO : errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0) {
		e = errno;
		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	if (link(tmp, path) < 0) {
		e = errno;
		if (e == EEXIST) {
			/* Another process's GUID, or a file we replace: rename()
			 * replaces the name only, never a link's target. */
			if (read_guid(path, out) == 0) {
				unlink(tmp);
				free(tmp);
				return 0;
			}
			if (rename(tmp, path) == 0) {
				free(tmp);
				return 0;
			}
			e = errno;
		}
		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	unlink(tmp);
	free(tmp);
	return 0;
}

/* The GUID from STATE_DIR/machine-guid, created (with the directory's last
 * component, mode 0755) on first run.  An invalid file is replaced. */
int anonstats_guid_load(const char *state_dir, char **guid)
{
	char buf[37];
	char *path;
	int rc;

	if (mkdir(state_dir, 0755) < 0 && errno != EEXIST)
		return -1;
	path = anonstats_path_join(state_dir, ANONSTATS_GUID_FILE);
	if (!path)
		return -1;
	rc = read_guid(path, buf);
	if (rc < 0 && (errno == ENOENT || errno == EINVAL))
		rc = create_guid(state_dir, path, buf);
	if (rc == 0) {
		*guid = strdup(buf);
		if (!*guid)
			rc = -1;
	}
	{
		int e = errno;
		free(path);
		errno = e;
	}
	return rc;
}
