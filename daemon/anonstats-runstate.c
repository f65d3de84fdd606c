/* anonstats-runstate.c: the run-state file, STATE_DIR/anonstats.run-state.
 *
 * One word and a newline: "running" from START, "stopping" once STOP
 * begins, "clean" once STOP or FATAL completes or a crash was handled,
 * "off" for a run that started opted out.  Nothing else, nothing that
 * identifies the machine.  Written to a new file with an unpredictable
 * name (O_EXCL, mode 0600) and renamed into place, so a reader sees the
 * old state or the new one.  "running" is also fsync'ed, with the
 * directory, so that a power cut still finds it; the other marks are not
 * (a clean system shutdown writes them out).
 *
 * The state directory may belong to a less trusted account: only a
 * regular file we own with one link is read; anything else there (missing,
 * corrupt, a symlink, a FIFO, another user's file) is "unknown", which
 * is never reported, and is replaced by rename(), which replaces a name,
 * never a link's target. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anonstats-internal.h"

#define C (&anonstats_conf)

static const struct {
	enum anonstats_run state;
	const char *word;
} run_words[] = {
	{ RUN_UNTRACKED, "off" },
	{ RUN_RUNNING, "running" },
	{ RUN_STOPPING, "stopping" },
	{ RUN_CLEAN, "clean" },
};

/* Owner: this file.  path and crash_tmp are set at init and read-only
 * after; began/tracked/owner say whether this process writes the file.
 * The crash handler cannot take the lock: it sets crashed and writes
 * "clean" if it sees the run tracked; a START's writer that finishes
 * after it saw crashed writes "clean" itself (both flags sequentially
 * consistent, so one of the two always sees the other). */
static struct {
	pthread_mutex_t lock; /* one writer at a time (helper thread, stop) */
	char *path;
	char *crash_tmp;      /* the crash handler's temporary name, random */
	atomic_int began;     /* START marked the run (running or off) */
	atomic_int tracked;   /* ... and it was running, not off */
	atomic_int crashed;   /* the crash handler ran: nothing more but "clean" */
	atomic_int beginning; /* a START's read-and-mark is under way */
	pid_t owner;          /* the process that did */
} R = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const char *word_of(enum anonstats_run state)
{
	size_t i;

	for (i = 0; i < sizeof run_words / sizeof run_words[0]; i++)
		if (run_words[i].state == state)
			return run_words[i].word;
	return NULL;
}

/* A fresh ".anonstats.run-state.UUID.tmp" next to the file. */
static char *temp_name(void)
{
	char name[80], rnd[37];

	if (anonstats_uuid_generate(rnd) < 0)
		return NULL;
	memcpy(name, ".", 1);
	memcpy(name + 1, ANONSTATS_RUNSTATE_FILE, sizeof ANONSTATS_RUNSTATE_FILE - 1);
	name[sizeof ANONSTATS_RUNSTATE_FILE] = '.';
	memcpy(name + sizeof ANONSTATS_RUNSTATE_FILE + 1, rnd, 36);
	memcpy(name + sizeof ANONSTATS_RUNSTATE_FILE + 37, ".tmp", 5);
	return anonstats_path_join(C->state_dir, name);
}

int anonstats_runstate_init(void)
{
	R.path = anonstats_path_join(C->state_dir, ANONSTATS_RUNSTATE_FILE);
	R.crash_tmp = temp_name();
	atomic_store(&R.began, 0);
	atomic_store(&R.tracked, 0);
	atomic_store(&R.crashed, 0);
	atomic_store(&R.beginning, 0);
	if (!R.path || !R.crash_tmp) {
		anonstats_runstate_free();
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void anonstats_runstate_free(void)
{
	atomic_store(&R.tracked, 0);
	atomic_store(&R.began, 0);
	free(R.path);
	free(R.crash_tmp);
	R.path = R.crash_tmp = NULL;
}

static enum anonstats_run read_state(void)
{
	char buf[32];
	size_t len = 0, i;
	struct stat st;
	int fd = open(R.path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return RUN_UNKNOWN; /* first start, or a symlink (ELOOP) */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1 || st.st_size >= (off_t)sizeof buf) {
		close(fd);
		return RUN_UNKNOWN;
	}
	while (len < sizeof buf) {
		ssize_t r = read(fd, buf + len, sizeof buf - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	for (i = 0; i < sizeof run_words / sizeof run_words[0]; i++) {
		size_t n = strlen(run_words[i].word);
		if (len == n + 1 && memcmp(buf, run_words[i].word, n) == 0 && buf[n] == '\n')
			return run_words[i].state;
	}
	return RUN_UNKNOWN;
}

/* Write WORD "\n" to tmp (created exclusively) and rename it over the
 * file.  Async-signal-safe when durable is 0. */
static int write_state(const char *tmp, const char *word, int durable)
{
	char line[16];
	size_t n = strlen(word);
	ssize_t w;
	int fd, e;

	memcpy(line, word, n);
	line[n++] = '\n';
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0)
		return -1;
	do
		w = write(fd, line, n);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n || (durable && fsync(fd) < 0)) {
		e = w >= 0 && w != (ssize_t)n ? EIO : errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, R.path) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (durable) {
		/* The rename itself, through a power cut. */
		int dfd = open(C->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}

static void mark_locked(enum anonstats_run state, int durable)
{
	const char *word = word_of(state);
	char *tmp = temp_name();
	int e;

	if (!word || !tmp || write_state(tmp, word, durable) < 0) {
		e = errno;
		anonstats_log(ANONSTATS_LOG_WARNING, "cannot write the run state %s (%s): %s", R.path,
			      word ? word : "?", strerror(tmp ? e : ENOMEM));
	}
	free(tmp);
}

enum anonstats_run anonstats_runstate_begin(int tracked)
{
	enum anonstats_run prev;

	pthread_mutex_lock(&R.lock);
	/* beginning first, then crashed: the crash handler does the two in
	 * the other order, so one of us sees the other. */
	atomic_store(&R.beginning, 1);
	if (!R.path || (atomic_load(&R.began) && R.owner == getpid()) || atomic_load(&R.crashed)) {
		atomic_store(&R.beginning, 0);
		pthread_mutex_unlock(&R.lock);
		return RUN_UNKNOWN; /* a second START (marked already), or dying */
	}
	if (mkdir(C->state_dir, 0755) < 0 && errno != EEXIST)
		anonstats_log(ANONSTATS_LOG_WARNING, "cannot create the state directory %s: %s",
			      C->state_dir, strerror(errno));
	prev = read_state();
	mark_locked(tracked ? RUN_RUNNING : RUN_UNTRACKED, 1);
	R.owner = getpid();
	atomic_store(&R.began, 1);
	atomic_store(&R.tracked, tracked);
	/* A crash reported while we wrote: the handler may not have seen
	 * the run tracked yet.  Leave it clean (the crash was reported). */
	if (tracked && atomic_load(&R.crashed))
		mark_locked(RUN_CLEAN, 0);
	atomic_store(&R.beginning, 0);
	pthread_mutex_unlock(&R.lock);
	return prev;
}

void anonstats_runstate_mark(enum anonstats_run state)
{
	pthread_mutex_lock(&R.lock);
	/* Only the process that began the run; an untracked run stays off;
	 * after a crash, only the crash handler writes. */
	if (R.path && atomic_load(&R.tracked) && R.owner == getpid() && !atomic_load(&R.crashed))
		mark_locked(state, 0);
	if (state == RUN_CLEAN)
		atomic_store(&R.tracked, 0);
	pthread_mutex_unlock(&R.lock);
}

void anonstats_runstate_mark_crashed(void)
{
	/* No lock, no allocation: the name was made at init.  A run not
	 * marked yet keeps the previous run's state, which the next start
	 * reports as it would have. */
	int waited;

	atomic_store(&R.crashed, 1);
	/* A START's mark under way in the helper thread: let it finish
	 * (it is a few file operations; 500 ms at most), or the process
	 * could die between its "running" and its "clean". */
	for (waited = 0; atomic_load(&R.beginning) && waited < 500; waited++)
		(void)poll(NULL, 0, 1);
	if (!atomic_load(&R.tracked) || R.owner != getpid() || !R.crash_tmp)
		return;
	(void)write_state(R.crash_tmp, "clean", 0);
}
