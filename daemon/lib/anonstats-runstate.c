/* anonstats-runstate.c: the run-state file, STATE_DIR/anonstats.run-state.
 *
 * A record of key=value lines, bound to the run that wrote it:
 *
 *	anonstats.run-state 1
 *	run=<a random UUID, new for every run>
 *	state=<running, stopping, clean, reported or off>
 *	check=<FNV-1a 64 of every byte before this line, 16 hex digits>
 *
 * A reader skips keys it does not know (a later version adds some, before
 * the check line); the file ends right after the check line.  Nothing in
 * it identifies the machine.
 *
 * The state directory may belong to a less trusted account, which cannot
 * change our files' content but can rename, delete and put back any of
 * them.  So every run keeps to ONE file: START writes "running" to a new
 * file with an unpredictable name (O_EXCL, mode 0600), fsync'ed with the
 * directory so that a power cut still finds it, renames it into place and
 * keeps its descriptor; every later mark ("stopping", "clean", and the
 * crash handler's "clean") is written in place through that descriptor.
 * Wherever the other account moves the file, it says how the run ended: a
 * file moved aside during a run and put back after it is not believed
 * running.  And START consumes what it finds: a "running" or "stopping"
 * record is marked "reported" in place (and synced) before it is acted on,
 * so that putting it back later reports nothing twice.
 *
 * Only a regular file we own with one link is read; anything else there
 * (missing, corrupt, a torn write whose check fails, the one-word file of
 * an older version, a symlink, a FIFO, another user's file) is "unknown",
 * which is never reported, and is replaced by rename(), which replaces a
 * name, never a link's target.  Every one of those rules is statefile.h's:
 * this file only says what it writes and when.  The crash handler's mark
 * goes through state_rewrite() too, which is async-signal-safe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anonstats-internal.h"
#include "statefile.h"

/* The configuration (anonstats-config.c owns it; read-only here). */
static struct anonstats_conf *const conf = &anonstats_conf;

#define MAGIC "anonstats.run-state 1\n"
#define CHECK_KEY "check="
#define RECORD_MAX 1024 /* a larger file is not ours */

static const struct {
	enum anonstats_run state;
	const char *word;
} run_words[] = {
	{ RUN_UNTRACKED, "off" },
	{ RUN_RUNNING, "running" },
	{ RUN_STOPPING, "stopping" },
	{ RUN_CLEAN, "clean" },
	{ RUN_REPORTED, "reported" },
};

/* Owner: this file.  path is set at init and read-only after; the rest
 * is written under the lock at START, before began/tracked say this
 * process keeps the file.  The crash handler cannot take the lock: it
 * sets crashed and writes clean_rec through fd if it sees the run
 * tracked; a START's writer that finishes after it saw crashed writes
 * "clean" itself (both flags sequentially consistent, so one of the two
 * always sees the other). */
static struct {
	pthread_mutex_t lock;       /* one writer at a time (helper thread, stop) */
	char *path;                 /* for messages */
	int dirfd;                  /* the state directory, opened at START; -1 */
	atomic_int fd;              /* this run's file, kept from START; -1 */
	char run[37];               /* this run's id */
	char clean_rec[RECORD_MAX]; /* "clean", made ready for the crash handler */
	size_t clean_len;
	atomic_int began;     /* START marked the run (running or off) */
	atomic_int tracked;   /* ... and it was running, not off */
	atomic_int crashed;   /* the crash handler ran: nothing more but "clean" */
	atomic_int beginning; /* a START's read-and-mark is under way */
	pid_t owner;          /* the process that did */
} runstate = { .lock = PTHREAD_MUTEX_INITIALIZER, .dirfd = -1, .fd = -1 };

static const char *word_of(enum anonstats_run state)
{
	size_t i;

	for (i = 0; i < sizeof run_words / sizeof run_words[0]; i++)
		if (run_words[i].state == state)
			return run_words[i].word;
	return NULL;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ULL;
	}
	return h;
}

int anonstats_runstate_format(char *buf, size_t size, const char *run, enum anonstats_run state)
{
	const char *word = word_of(state);
	int n, m;

	if (!word || !anonstats_uuid_valid(run)) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(buf, size, MAGIC "run=%s\nstate=%s\n", run, word);
	if (n < 0 || (size_t)n >= size) {
		errno = ENOBUFS;
		return -1;
	}
	m = snprintf(buf + n, size - (size_t)n, CHECK_KEY "%016llx\n",
		     (unsigned long long)fnv1a(buf, (size_t)n));
	if (m < 0 || (size_t)m >= size - (size_t)n) {
		errno = ENOBUFS;
		return -1;
	}
	return n + m;
}

/* Parse a record: its state and run id, or RUN_UNKNOWN for anything that
 * is not one (torn, foreign, another format). */
static enum anonstats_run parse_record(const char *buf, size_t len, char run[37])
{
	enum anonstats_run state = RUN_UNKNOWN;
	const char *p = buf, *end = buf + len;
	int have_run = 0;
	size_t i;

	if (len < sizeof MAGIC - 1 || memcmp(buf, MAGIC, sizeof MAGIC - 1) != 0)
		return RUN_UNKNOWN;
	for (p += sizeof MAGIC - 1; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eq, *q;
		size_t vlen;

		if (!nl)
			return RUN_UNKNOWN;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq || eq == p)
			return RUN_UNKNOWN;
		for (q = p; q < eq; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
				return RUN_UNKNOWN;
		for (q = eq + 1; q < nl; q++)
			if (*q < 0x20 || *q > 0x7e)
				return RUN_UNKNOWN;
		vlen = (size_t)(nl - eq - 1);
		if ((size_t)(eq - p) == sizeof CHECK_KEY - 2 && memcmp(p, CHECK_KEY, sizeof CHECK_KEY - 2) == 0) {
			char want[17];
			(void)snprintf(want, sizeof want, "%016llx", (unsigned long long)fnv1a(buf, (size_t)(p - buf)));
			if (nl + 1 != end || vlen != 16 || memcmp(eq + 1, want, 16) != 0 || !have_run)
				return RUN_UNKNOWN;
			return state;
		}
		if ((size_t)(eq - p) == 3 && memcmp(p, "run", 3) == 0) {
			if (have_run || vlen != 36)
				return RUN_UNKNOWN;
			memcpy(run, eq + 1, 36);
			run[36] = '\0';
			if (!anonstats_uuid_valid(run))
				return RUN_UNKNOWN;
			have_run = 1;
		} else if ((size_t)(eq - p) == 5 && memcmp(p, "state", 5) == 0) {
			if (state != RUN_UNKNOWN)
				return RUN_UNKNOWN;
			for (i = 0; i < sizeof run_words / sizeof run_words[0]; i++)
				if (strlen(run_words[i].word) == vlen && memcmp(eq + 1, run_words[i].word, vlen) == 0)
					state = run_words[i].state;
			if (state == RUN_UNKNOWN)
				return RUN_UNKNOWN;
		}
		p = nl + 1;
	}
	return RUN_UNKNOWN; /* no check line */
}

/* Read the record of a file state_open() opened. */
static enum anonstats_run read_record(int fd, char run[37])
{
	char buf[RECORD_MAX];
	size_t len;

	if (state_read_fd(fd, buf, sizeof buf, &len) < 0)
		return RUN_UNKNOWN;
	return parse_record(buf, len, run);
}

int anonstats_runstate_init(void)
{
	runstate.path = anonstats_path_join(conf->state_dir, ANONSTATS_RUNSTATE_FILE);
	atomic_store(&runstate.fd, -1);
	atomic_store(&runstate.began, 0);
	atomic_store(&runstate.tracked, 0);
	atomic_store(&runstate.crashed, 0);
	atomic_store(&runstate.beginning, 0);
	if (!runstate.path) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* After anonstats_disarm_crash_handlers(): the handler no longer uses fd. */
void anonstats_runstate_free(void)
{
	int fd;

	pthread_mutex_lock(&runstate.lock);
	atomic_store(&runstate.tracked, 0);
	atomic_store(&runstate.began, 0);
	fd = atomic_exchange(&runstate.fd, -1);
	/* A crash handler running in another thread may have loaded fd
	 * already: then it is left open, never reused under the handler. */
	if (fd >= 0 && !atomic_load(&runstate.crashed))
		close(fd);
	if (runstate.dirfd >= 0)
		close(runstate.dirfd);
	runstate.dirfd = -1;
	free(runstate.path);
	runstate.path = NULL;
	pthread_mutex_unlock(&runstate.lock);
}

/* The previous run's state, consumed: a "running" or "stopping" record is
 * marked "reported" in place, and synced, before it is acted on; one that
 * cannot be is not reported at all (never twice).  A run still alive
 * (another process with the same state directory) holds its file's lock
 * (STATE_LOCKED): its record is neither reported nor marked. */
static enum anonstats_run take_previous(void)
{
	char run[37], rec[RECORD_MAX];
	enum anonstats_run prev;
	int fd, n, r = 0;

	/* Read-write: a directory fails (EISDIR); first start, a symlink, a
	 * FIFO, a hard link or another account's file is no record. */
	fd = state_open(runstate.dirfd, ANONSTATS_RUNSTATE_FILE, O_RDWR);
	if (fd < 0)
		return RUN_UNKNOWN;
	prev = read_record(fd, run);
	if ((prev == RUN_RUNNING || prev == RUN_STOPPING) && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		anonstats_log(ANONSTATS_LOG_INFO,
			      "the run state %s is another live process's: not reported", runstate.path);
		prev = RUN_UNKNOWN;
	} else if (prev == RUN_RUNNING || prev == RUN_STOPPING) {
		n = anonstats_runstate_format(rec, sizeof rec, run, RUN_REPORTED);
		if (n < 0)
			r = -errno;
		else if ((r = state_rewrite(fd, rec, (size_t)n)) == 0 && fdatasync(fd) < 0)
			r = -errno;
		if (r < 0) {
			anonstats_log(ANONSTATS_LOG_WARNING,
				      "cannot mark the previous run's state %s reported: %s; not reported",
				      runstate.path, strerror(-r));
			prev = RUN_UNKNOWN;
		}
	}
	close(fd);
	return prev;
}

static void warn_write(enum anonstats_run state, int err)
{
	const char *word = word_of(state);

	anonstats_log(ANONSTATS_LOG_WARNING, "cannot write the run state %s (%s): %s", runstate.path,
		      word ? word : "?", strerror(err));
}

/* A later mark of this run, in place.  At "clean", check that the name
 * still holds this run's file; if not, someone moved it: our file says
 * clean wherever it is, and the one at the name is left as it is. */
static void mark_locked(enum anonstats_run state)
{
	char rec[RECORD_MAX], run[37];
	int fd = atomic_load(&runstate.fd), n, nfd;

	if (fd < 0)
		return; /* START could not create it, and said so */
	n = anonstats_runstate_format(rec, sizeof rec, runstate.run, state);
	if (n < 0) {
		warn_write(state, errno);
		return;
	}
	n = state_rewrite(fd, rec, (size_t)n);
	if (n < 0) {
		warn_write(state, -n);
		return;
	}
	if (state != RUN_CLEAN)
		return;
	nfd = state_open(runstate.dirfd, ANONSTATS_RUNSTATE_FILE, O_RDONLY);
	if (nfd < 0 || read_record(nfd, run) == RUN_UNKNOWN || strcmp(run, runstate.run) != 0)
		anonstats_log(ANONSTATS_LOG_WARNING,
			      "the run state %s is not this run's any more (moved or replaced): left as it is",
			      runstate.path);
	if (nfd >= 0)
		close(nfd);
}

enum anonstats_run anonstats_runstate_begin(int tracked)
{
	char rec[RECORD_MAX];
	enum anonstats_run prev;
	int n, fd = -1;

	pthread_mutex_lock(&runstate.lock);
	/* beginning first, then crashed: the crash handler does the two in
	 * the other order, so one of us sees the other. */
	atomic_store(&runstate.beginning, 1);
	if (!runstate.path || (atomic_load(&runstate.began) && runstate.owner == getpid()) || atomic_load(&runstate.crashed)) {
		atomic_store(&runstate.beginning, 0);
		pthread_mutex_unlock(&runstate.lock);
		return RUN_UNKNOWN; /* a second START (marked already), or dying */
	}
	if (mkdir(conf->state_dir, 0755) < 0 && errno != EEXIST)
		anonstats_log(ANONSTATS_LOG_WARNING, "cannot create the state directory %s: %s",
			      conf->state_dir, strerror(errno));
	if (runstate.dirfd >= 0)
		close(runstate.dirfd); /* a child's START: its parent's copy */
	runstate.dirfd = state_dir_open(conf->state_dir);
	prev = runstate.dirfd >= 0 ? take_previous() : RUN_UNKNOWN;
	n = anonstats_uuid_generate(runstate.run);
	if (n == 0) {
		n = anonstats_runstate_format(runstate.clean_rec, sizeof runstate.clean_rec, runstate.run, RUN_CLEAN);
		runstate.clean_len = n > 0 ? (size_t)n : 0;
		n = anonstats_runstate_format(rec, sizeof rec, runstate.run, tracked ? RUN_RUNNING : RUN_UNTRACKED);
	}
	/* This run's file: a new one, renamed into place, durable through a
	 * power cut; kept open while tracked (off: never written again). */
	if (n < 0)
		n = -errno;
	else if (runstate.dirfd < 0)
		n = runstate.dirfd;
	else
		n = state_install(runstate.dirfd, ANONSTATS_RUNSTATE_FILE, rec, (size_t)n,
				  STATE_DURABLE | (tracked ? STATE_KEEP_OPEN | STATE_LOCKED : 0));
	if (n < 0)
		warn_write(tracked ? RUN_RUNNING : RUN_UNTRACKED, -n);
	else if (tracked)
		fd = n;
	atomic_store(&runstate.fd, fd);
	runstate.owner = getpid();
	atomic_store(&runstate.began, 1);
	atomic_store(&runstate.tracked, tracked);
	/* A crash reported while we wrote: the handler may not have seen
	 * the run tracked yet.  Leave it clean (the crash was reported). */
	if (tracked && atomic_load(&runstate.crashed))
		mark_locked(RUN_CLEAN);
	atomic_store(&runstate.beginning, 0);
	pthread_mutex_unlock(&runstate.lock);
	return prev;
}

void anonstats_runstate_mark(enum anonstats_run state)
{
	pthread_mutex_lock(&runstate.lock);
	/* Only the process that began the run; an untracked run stays off;
	 * after a crash, only the crash handler writes. */
	if (runstate.path && atomic_load(&runstate.tracked) && runstate.owner == getpid() && !atomic_load(&runstate.crashed))
		mark_locked(state);
	if (state == RUN_CLEAN)
		atomic_store(&runstate.tracked, 0);
	pthread_mutex_unlock(&runstate.lock);
}

void anonstats_runstate_mark_crashed(void)
{
	/* No lock, no allocation, no formatting: the record was made at
	 * START.  A run not marked yet keeps the previous run's state, which
	 * the next start reports as it would have. */
	int waited, fd;

	atomic_store(&runstate.crashed, 1);
	/* A START's mark under way in the helper thread: let it finish
	 * (it is a few file operations; 500 ms at most), or the process
	 * could die between its "running" and its "clean". */
	for (waited = 0; atomic_load(&runstate.beginning) && waited < 500; waited++)
		(void)poll(NULL, 0, 1);
	if (!atomic_load(&runstate.tracked) || runstate.owner != getpid())
		return;
	fd = atomic_load(&runstate.fd);
	if (fd >= 0 && runstate.clean_len > 0)
		(void)state_rewrite(fd, runstate.clean_rec, runstate.clean_len);
}
