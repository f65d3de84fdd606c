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
 * Every call returns 0 or a negative errno; nothing here prints or exits.
 * Its users: the sender (the log, the FATAL record) and libanonstats (the
 * machine GUID, the run state, the opt-out and level files).  The calls
 * marked async-signal-safe allocate nothing and call only what POSIX lists
 * as such (openat, fstat, pread, pwrite...): a crash handler may use them.
 * DIRFD may be AT_FDCWD with NAME a path whose directories are trusted (the
 * administrator's config directory): only its last component is never
 * followed. */
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

/* state_exists(DIRFD, NAME): 1 when anything is at NAME (of any type, a
 * dangling symlink too), 0 when nothing is (ENOENT, ENOTDIR), or a negative
 * errno when it cannot be told.  An lstat(): never follows, opens or
 * blocks.  Async-signal-safe. */
int state_exists(int dirfd, const char *name);

/* state_open(DIRFD, NAME, FLAGS): NAME opened with FLAGS (O_RDONLY or
 * O_RDWR) when it is a regular file of ours with one link: its descriptor,
 * or -ENOENT, -ELOOP (a symlink), -EINVAL (a FIFO, a directory...), -EPERM
 * (another owner's), -EMLINK (a hard link)...  Async-signal-safe. */
int state_open(int dirfd, const char *name, int flags);

/* state_open_trusted(DIRFD, NAME): state_open(O_RDONLY) of a setting that
 * root may also own (a file the administrator wrote), never the file of a
 * third account.  Async-signal-safe. */
int state_open_trusted(int dirfd, const char *name);

/* state_read_fd(FD, BUF, SIZE, &LEN): the content of an open file from its
 * start, at most SIZE - 1 bytes (-EFBIG beyond), in BUF with a NUL after
 * LEN bytes.  Async-signal-safe. */
int state_read_fd(int fd, char *buf, size_t size, size_t *len);

/* state_rewrite(FD, DATA, LEN): the file of FD (from state_open() or
 * STATE_KEEP_OPEN) now holds DATA, written in place from its start and cut
 * there.  A reader may see it torn: a record written so carries its own
 * check.  Whoever moves the name, the file stays the one written.  When
 * the write fails the file is emptied (that needs no space): an old record
 * never stays behind.  Async-signal-safe. */
int state_rewrite(int fd, const char *data, size_t len);

/* state_install(DIRFD, NAME, DATA, LEN, FLAGS): NAME now holds DATA (mode
 * 0600), a new file put in place by rename(), which replaces a name, never
 * a link's target.  A temporary file that does not get its name (renamed
 * away by the directory's owner, say) is emptied: it cannot be replayed.
 * FLAGS: */
#define STATE_DURABLE 1   /* fsync() the file, then the directory (not AT_FDCWD) */
#define STATE_EXCL 2      /* link() instead: -EEXIST when NAME is there */
#define STATE_KEEP_OPEN 4 /* return the new file's descriptor (read-write) */
#define STATE_LOCKED 8    /* flock() it before it has its name: held while it is open */
/* Returns 0 (or the descriptor) or a negative errno. */
int state_install(int dirfd, const char *name, const char *data, size_t len, unsigned flags);

/* state_replace(DIRFD, NAME, DATA, LEN): state_install() without flags. */
int state_replace(int dirfd, const char *name, const char *data, size_t len);

/* state_append(DIRFD, NAME, DATA, LEN): add DATA at the end of NAME, which
 * must exist (and be ours).  Readers may see it half written: for a log
 * whose readers check each line, under the writers' lock. */
int state_append(int dirfd, const char *name, const char *data, size_t len);

/* keep_last_lines(BUF, LEN, KEEP): the offset in BUF where its last KEEP
 * lines begin (a final line without '\n' counts as a line). */
size_t keep_last_lines(const char *buf, size_t len, size_t keep);

#endif
