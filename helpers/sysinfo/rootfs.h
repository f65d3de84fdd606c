/* rootfs.h: read files of the real system, or of a tree standing in for it
 * (--root DIR), where every symlink resolves inside DIR. */
#ifndef HELPERS_ROOTFS_H
#define HELPERS_ROOTFS_H

#include <dirent.h>
#include <stddef.h>

struct rootfs {
	int dirfd; /* the root directory; -1 for the real system */
};

/* rootfs_init(fs, dir): dir NULL means the real system.  0 or -errno. */
int rootfs_init(struct rootfs *fs, const char *dir);
void rootfs_close(struct rootfs *fs);

/*
 * rootfs_resolve(fs, path, follow_last, &out): for a root tree, the path
 * relative to the root (free it; "" is the root itself) that absolute path
 * names once every symlink is resolved inside the root: an absolute target
 * starts again at the root, ".." stops at the root, at most 40 links, and a
 * name followed by '/' (in the path or a link's target) must be a directory,
 * as the kernel resolves them.  The last component is followed only when
 * follow_last (or when a '/' follows it).  0 or -errno.
 */
int rootfs_resolve(const struct rootfs *fs, const char *path, int follow_last, char **out);

/* rootfs_open(fs, path, flags): an fd, or -errno. */
int rootfs_open(const struct rootfs *fs, const char *path, int flags);

/* rootfs_exists / rootfs_lexists: 1 if path exists (following the last link,
 * or not), 0 if it does not, -errno for other errors. */
int rootfs_exists(const struct rootfs *fs, const char *path);
int rootfs_lexists(const struct rootfs *fs, const char *path);

/*
 * rootfs_read(fs, path, cap, &buf, &len): at most cap bytes of the regular
 * file path (what lies beyond cap is ignored) in a new NUL-terminated buffer
 * (free it).  FIFOs, devices and directories are refused (-EINVAL, -EISDIR)
 * without ever being opened.  0 or -errno.
 */
int rootfs_read(const struct rootfs *fs, const char *path, size_t cap, char **buf, size_t *len);

/* rootfs_read_line(fs, path, cap, &line): the first line of path (free it),
 * ended as systemd's read_one_line_file() ends it: at "\n", "\r" or NUL.
 * 0 or -errno. */
int rootfs_read_line(const struct rootfs *fs, const char *path, size_t cap, char **line);

/* rootfs_readlink(fs, path, &target): the target of symlink path (free it). */
int rootfs_readlink(const struct rootfs *fs, const char *path, char **target);

/* rootfs_opendir(fs, path): like opendir(3); NULL with errno set. */
DIR *rootfs_opendir(const struct rootfs *fs, const char *path);

#endif
