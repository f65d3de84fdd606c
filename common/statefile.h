/* statefile.h: files in a state directory that another account may own.
 *
 * The state directory (/var/lib/netdata) belongs to the daemon's account; the
 * script may run as root.  Whatever that account plants (symlinks, FIFOs,
 * hard links to files outside, files of its own, names we will pick), these
 * calls never write, read, chmod or block on anything but a regular file of
 * ours with one link, opened relative to the directory:
 *   - every name is opened with openat(O_NOFOLLOW | O_NONBLOCK), and used
 *     only when fstat() says regular, owned by our effective uid, one link;
 *   - new content goes to a fresh file (O_CREAT | O_EXCL, a random name) that
 *     is renamed over the old one, so readers see one version or the other
 *     (or, for a log, is appended to a file of ours);
 *   - writers serialize on flock() of a lock file, waited for a bounded time;
 *     the kernel drops the lock of a killed run.
 * Every call returns 0 or a negative errno; nothing here prints or exits. */
#ifndef HELPERS_STATEFILE_H
#define HELPERS_STATEFILE_H

#include <stddef.h>

/* state_dir_open(PATH): a descriptor of the directory PATH (not a link). */
int state_dir_open(const char *path);

/* state_lock(DIRFD, NAME, WAIT_MS): an exclusive lock on the file NAME,
 * created 0600 when missing; returns its descriptor (close it to unlock), or
 * -EWOULDBLOCK when WAIT_MS went by without the lock. */
int state_lock(int dirfd, const char *name, unsigned wait_ms);

/* state_read(DIRFD, NAME, CAP, &BUF, &LEN): the content of NAME, at most CAP
 * bytes (-EFBIG beyond), in a malloc'ed buffer with a NUL after LEN bytes.
 * A missing file reads as empty (BUF non-NULL, LEN 0). */
int state_read(int dirfd, const char *name, size_t cap, char **buf, size_t *len);

/* state_read_checked(DIRFD, NAME, CAP, &BUF, &LEN): state_read() for a
 * reader that checks every byte it is given (the log's): the file may also
 * belong to the directory's owner, the account the script runs as, when
 * root reads it.  Still never a link, a FIFO or a file with two links. */
int state_read_checked(int dirfd, const char *name, size_t cap, char **buf, size_t *len);

/* state_replace(DIRFD, NAME, DATA, LEN): NAME now holds DATA (mode 0600). */
int state_replace(int dirfd, const char *name, const char *data, size_t len);

/* state_append(DIRFD, NAME, DATA, LEN): add DATA at the end of NAME, which
 * must exist (and be ours).  Readers may see it half written: for a log
 * whose readers check each line, under the writers' lock. */
int state_append(int dirfd, const char *name, const char *data, size_t len);

/* keep_last_lines(BUF, LEN, KEEP): the offset in BUF where its last KEEP
 * lines begin (a final line without '\n' counts as a line). */
size_t keep_last_lines(const char *buf, size_t len, size_t keep);

#endif
