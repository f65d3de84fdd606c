/* anonstats-helper.c: the event queue and the helper thread.
 *
 * A send call only copies its strings into the queue and wakes the helper
 * thread; the helper thread spawns each event's child, reads its output
 * (a bounded amount per wake-up, without the lock), collects it the moment
 * it exits (its pidfd wakes poll()), and reports it through the logging
 * callback.  Only the helper thread removes events while it runs, so an
 * event it holds stays valid while the lock is released.
 *
 * Limits: at most ANONSTATS_MAX_RUNNING ordinary events run at once, and
 * ANONSTATS_QUEUE_MAX are held; the next ordinary one is dropped (counted,
 * logged).  The vital kinds (START, STOP, FATAL, CRASH,
 * INCOMPLETE_SHUTDOWN) are never refused and start at once.  A repeat of
 * an event still queued or running is merged into it; an ordinary event is
 * sent at most once per ANONSTATS_REPEAT_WINDOW_S. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anonstats-internal.h"

/* The configuration (anonstats-config.c owns it; read-only here). */
static struct anonstats_conf *const conf = &anonstats_conf;

#define KILL_COLLECT_MS 200 /* after SIGKILL at a bound, how long to wait for the reports */
#define LABEL_ACTION_MAX 48 /* bytes of an ACTION in a report; the known ones are shorter */
#define LABEL_SIZE (LABEL_ACTION_MAX + sizeof " (+18446744073709551615 merged)")
#define LEFTOVER_COLLECT_MS 100 /* then for what is still not collected, all together */

/* An event's life: QUEUED by the send call, SPAWNING and RUNNING in the
 * helper thread, REPORTING while its log line is written; then freed. */
enum event_state {
	EV_QUEUED,
	EV_SPAWNING,
	EV_RUNNING,
	EV_REPORTING
};

struct event {
	enum event_state state;
	char *args[3]; /* ACTION, RESULT, DATA (NULL when absent), owned */
	int vital;
	int wait_begin; /* START: not before the run state is begun */
	unsigned long seq;
	unsigned long after;  /* not spawned while the event of this seq is held */
	unsigned long merged; /* repeats merged into this one */
	struct timespec queued, started;
	struct anonstats_child child;
};

enum begin_request {
	BEGIN_NONE,
	BEGIN_TRACKED,
	BEGIN_UNTRACKED
};

/* Owner: this file.  Everything below is guarded by lock. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* broadcast when an event leaves, or the thread ends */
	int opened;
	struct event **ev; /* in queue order */
	size_t n, cap;
	int wake[2];      /* self-pipe that wakes the helper thread */
	int wake_pending; /* a byte is in it: no need for another */
	pthread_t thread;
	int running; /* the thread exists (in process owner) */
	int quit;
	int stopping;                 /* a shutdown is under way */
	int closed;                   /* no new events */
	int cancel;                   /* shutting down: start nothing more */
	enum anonstats_end end_level; /* what the shutdown sent the running ones */
	pid_t owner;
	enum begin_request begin; /* a START's run state to begin */
	int beginning;            /* the helper thread is at it (lock released) */
	unsigned long next_seq;
	struct {
		uint64_t key;
		struct timespec at;
	} recent[ANONSTATS_REPEAT_TABLE]; /* ordinary events sent lately */
	struct anonstats_counters counters;
	struct pollfd *fds;     /* the helper thread's poll set, and */
	struct event **watched; /* the running events it reads, */
	size_t room;            /* for this many descriptors */
} queue = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = { -1, -1 } };

/* ---- events ------------------------------------------------------------- */

static void free_event(struct event *e)
{
	size_t i;

	for (i = 0; i < 3; i++)
		free(e->args[i]);
	anonstats_child_close(&e->child);
	free(e);
}

/* The name an event is reported under: its ACTION and, when repeats were
 * merged into it, how many, so that every call shows in some log line
 * (sent, not sent or abandoned) as it does in the counters. */
static void event_label(const struct event *e, char label[LABEL_SIZE])
{
	if (e->merged)
		snprintf(label, LABEL_SIZE, "%.*s (+%lu merged)", LABEL_ACTION_MAX, e->args[0],
			 e->merged);
	else
		snprintf(label, LABEL_SIZE, "%.*s", LABEL_ACTION_MAX, e->args[0]);
}

/* Copy s, cut at ANONSTATS_ARG_MAX bytes. */
static char *arg_copy(const char *s)
{
	size_t n = strnlen(s, ANONSTATS_ARG_MAX);
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static struct event *new_event(const char *action, const char *result, const char *data)
{
	struct event *e = calloc(1, sizeof *e);

	if (!e)
		return NULL;
	anonstats_child_clear(&e->child);
	e->args[0] = arg_copy(action);
	if (result) {
		e->args[1] = arg_copy(result);
		if (data)
			e->args[2] = arg_copy(data);
	}
	if (!e->args[0] || (result && !e->args[1]) || (result && data && !e->args[2])) {
		free_event(e);
		return NULL;
	}
	e->vital = anonstats_action_is_vital(action);
	if (clock_gettime(CLOCK_MONOTONIC, &e->queued) < 0)
		memset(&e->queued, 0, sizeof e->queued);
	return e;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_event(const struct event *a, const struct event *b)
{
	return same_str(a->args[0], b->args[0]) && same_str(a->args[1], b->args[1]) &&
	       same_str(a->args[2], b->args[2]);
}

/* FNV-1a over the three strings, for the repeat window. */
static uint64_t event_key(const struct event *e)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < 3; i++) {
		const unsigned char *p = (const unsigned char *)(e->args[i] ? e->args[i] : "");
		for (; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ (e->args[i] ? 0xff : 0xfe)) * 1099511628211ULL;
	}
	return h;
}

/* Sent within the window? */
static int sent_lately_locked(uint64_t key, const struct timespec *now)
{
	size_t i;

	for (i = 0; i < ANONSTATS_REPEAT_TABLE; i++)
		if (queue.recent[i].key == key && (queue.recent[i].at.tv_sec || queue.recent[i].at.tv_nsec) &&
		    queue.recent[i].at.tv_sec + ANONSTATS_REPEAT_WINDOW_S > now->tv_sec)
			return 1;
	return 0;
}

/* Remember it, in place of the oldest (or an empty slot). */
static void remember_sent_locked(uint64_t key, const struct timespec *now)
{
	size_t i, oldest = 0;

	for (i = 1; i < ANONSTATS_REPEAT_TABLE; i++)
		if (queue.recent[i].at.tv_sec < queue.recent[oldest].at.tv_sec)
			oldest = i;
	queue.recent[oldest].key = key;
	queue.recent[oldest].at = *now;
}

static int append_locked(struct event *e, size_t at)
{
	if (queue.n == queue.cap) {
		size_t cap = queue.cap ? queue.cap * 2 : 16;
		struct event **ev = realloc(queue.ev, cap * sizeof *ev);
		if (!ev)
			return -1;
		queue.ev = ev;
		queue.cap = cap;
	}
	memmove(queue.ev + at + 1, queue.ev + at, (queue.n - at) * sizeof *queue.ev);
	queue.ev[at] = e;
	queue.n++;
	e->seq = queue.next_seq++;
	return 0;
}

/* Only the helper thread (or a shutdown once it is gone) removes. */
static void remove_locked(size_t i)
{
	free_event(queue.ev[i]);
	memmove(queue.ev + i, queue.ev + i + 1, (queue.n - i - 1) * sizeof *queue.ev);
	queue.n--;
	pthread_cond_broadcast(&queue.cond);
}

static int held_locked(unsigned long seq)
{
	size_t i;

	for (i = 0; i < queue.n; i++)
		if (queue.ev[i]->seq == seq)
			return 1;
	return 0;
}

static void wake_write(int fd)
{
	ssize_t w;

	do
		w = write(fd, "x", 1);
	while (w < 0 && errno == EINTR);
	/* EAGAIN: the pipe is full, the thread wakes anyway. */
}

/* Whether the helper thread needs a byte to wake; noted as sent. */
static int wake_needed_locked(void)
{
	if (queue.wake_pending)
		return 0; /* it has not read the last one yet */
	queue.wake_pending = 1;
	return 1;
}

static void wake_locked(void)
{
	if (wake_needed_locked())
		wake_write(queue.wake[1]);
}

/* ---- the helper thread ----------------------------------------------------- */

/* START asked for the run state: read the previous run's, mark this one,
 * and queue CRASH or INCOMPLETE_SHUTDOWN before START when the previous
 * run died. */
static void begin_run_locked(void)
{
	enum begin_request req = queue.begin;
	enum anonstats_run prev;
	const char *report = NULL;
	size_t i, at;

	if (req == BEGIN_NONE)
		return;
	queue.begin = BEGIN_NONE;
	queue.beginning = 1;
	pthread_mutex_unlock(&queue.lock);
	prev = anonstats_runstate_begin(req == BEGIN_TRACKED);
	if (req == BEGIN_TRACKED && (prev == RUN_RUNNING || prev == RUN_STOPPING)) {
		struct anonstats_decision d;
		report = prev == RUN_RUNNING ? "CRASH" : "INCOMPLETE_SHUTDOWN";
		anonstats_log(ANONSTATS_LOG_INFO, "the previous run %s: %s",
			      prev == RUN_RUNNING ? "died while running" : "died while stopping",
			      report);
		anonstats_decide(&d);
		if (!anonstats_level_allows(d.level, report)) {
			anonstats_log(ANONSTATS_LOG_DEBUG, "%s not sent: level %s", report,
				      anonstats_level_string(d.level));
			report = NULL;
		}
	}
	pthread_mutex_lock(&queue.lock);
	for (at = 0; at < queue.n && !queue.ev[at]->wait_begin; at++)
		;
	if (report && !queue.cancel) {
		struct event *e = new_event(report, NULL, NULL);
		if (e && append_locked(e, at) == 0) {
			queue.counters.queued++;
			for (i = at + 1; i < queue.n; i++)
				if (queue.ev[i]->wait_begin)
					queue.ev[i]->after = e->seq; /* START after it */
		} else {
			if (e)
				free_event(e);
			anonstats_log(ANONSTATS_LOG_ERROR, "%s not sent: out of memory", report);
		}
	}
	for (i = 0; i < queue.n; i++)
		queue.ev[i]->wait_begin = 0;
	queue.beginning = 0;
	pthread_cond_broadcast(&queue.cond);
}

static size_t ordinary_held_locked(void)
{
	size_t i, n = 0;

	for (i = 0; i < queue.n; i++)
		n += !queue.ev[i]->vital;
	return n;
}

static size_t running_ordinary_locked(void)
{
	size_t i, n = 0;

	for (i = 0; i < queue.n; i++)
		n += !queue.ev[i]->vital && (queue.ev[i]->state == EV_SPAWNING || queue.ev[i]->state == EV_RUNNING);
	return n;
}

/* Start what may start: the vital events first and at once, ordinary ones
 * up to the limit, in queue order.  The lock is released around
 * posix_spawn(), so callers never wait for an exec. */
static void spawn_queued_locked(void)
{
	size_t i, running = running_ordinary_locked();
	char label[LABEL_SIZE];
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < queue.n; i++) {
			struct event *e = queue.ev[i];
			char *argv[5] = { conf->script, e->args[0], e->args[1], e->args[2], NULL };
			int rc, err;

			if (e->state != EV_QUEUED || (pass == 0) != (e->vital != 0))
				continue;
			if (queue.cancel) {
				event_label(e, label);
				queue.counters.abandoned++;
				remove_locked(i);
				i--;
				pthread_mutex_unlock(&queue.lock);
				anonstats_log(ANONSTATS_LOG_WARNING, "%s: not sent, stopping", label);
				pthread_mutex_lock(&queue.lock);
				continue;
			}
			if (e->wait_begin || (e->after && held_locked(e->after))) {
				if (e->vital)
					break; /* the vital ones in order: no STOP before START */
				continue;
			}
			if (!e->vital && running >= ANONSTATS_MAX_RUNNING)
				continue;
			e->state = EV_SPAWNING;
			event_label(e, label);
			pthread_mutex_unlock(&queue.lock);
			rc = anonstats_child_spawn(&e->child, argv);
			err = errno;
			if (rc < 0)
				anonstats_log(ANONSTATS_LOG_ERROR, "%s not sent: cannot run %s: %s",
					      label, conf->script, strerror(err));
			pthread_mutex_lock(&queue.lock);
			if (rc < 0) {
				remove_locked(i);
				i--;
				continue;
			}
			if (clock_gettime(CLOCK_MONOTONIC, &e->started) < 0)
				e->started = e->queued;
			e->state = EV_RUNNING;
			running += !e->vital;
			/* A shutdown already ending the others ends this too. */
			anonstats_child_end(&e->child, queue.end_level);
		}
	}
}

/* Collect what exited, end what outlived ANONSTATS_EVENT_LIFETIME_MS, and
 * report and drop what is done.  The lock is released around the logging
 * callback; the event stays (REPORTING) until its report is written, so
 * that once anonstats_in_flight() says 0 every event has been reported. */
static void reap_locked(void)
{
	size_t i;

	for (i = 0; i < queue.n; i++) {
		struct event *e = queue.ev[i];
		long age;
		char label[LABEL_SIZE];
		struct anonstats_child done;

		if (e->state != EV_RUNNING)
			continue;
		if (!anonstats_child_collect(&e->child)) {
			age = anonstats_ms_since(&e->started);
			if (age > ANONSTATS_EVENT_LIFETIME_MS) {
				if (e->child.end == END_NONE)
					queue.counters.ended++;
				anonstats_child_end(&e->child,
						    age > ANONSTATS_EVENT_LIFETIME_MS + 200 ? END_KILL
											    : END_TERM);
			}
			continue;
		}
		anonstats_child_read(&e->child);
		anonstats_child_close(&e->child);
		e->state = EV_REPORTING;
		done = e->child;
		event_label(e, label);
		age = anonstats_ms_since(&e->queued);
		pthread_mutex_unlock(&queue.lock);
		anonstats_child_report(label, &done, age);
		pthread_mutex_lock(&queue.lock);
		remove_locked(i);
		i--;
	}
}

/* How long poll() may sleep: until a child without pidfd must be looked
 * at, or one outlives its lifetime; -1 for as long as it takes. */
static int poll_timeout_locked(void)
{
	size_t i;
	int timeout = -1;

	for (i = 0; i < queue.n; i++) {
		const struct event *e = queue.ev[i];
		int t;
		long left;

		if (e->state != EV_RUNNING)
			continue;
		t = anonstats_child_poll_ms(&e->child);
		left = ANONSTATS_EVENT_LIFETIME_MS + (e->child.end == END_NONE ? 0 : 200) -
		       anonstats_ms_since(&e->started);
		if (left < 1)
			left = 1;
		if (t < 0 || left < t)
			t = (int)left;
		if (timeout < 0 || t < timeout)
			timeout = t;
	}
	return timeout;
}

static void *helper_main(void *arg)
{
	sigset_t all;

	(void)arg;
	/* The daemon's signals belong to the daemon's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
#ifdef SCHED_BATCH
	{
		/* Background work: woken by a send call, this thread must not
		 * preempt the caller (SCHED_BATCH has no wakeup preemption);
		 * same nice value, same share of the CPU.  Its children
		 * get the ordinary policy back (anonstats-child.c). */
		struct sched_param sp;
		memset(&sp, 0, sizeof sp);
		(void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
	}
#endif

	pthread_mutex_lock(&queue.lock);
	while (!queue.quit) {
		size_t i, n = 0, nw = 0;
		int timeout, short_of_room;
		char junk[64];
		struct pollfd *fds;
		struct event **watched;

		begin_run_locked();
		spawn_queued_locked();
		if (queue.room < 2 * queue.n + 1) {
			struct pollfd *f = realloc(queue.fds, (2 * queue.n + 1) * sizeof *f);
			struct event **w = f ? realloc(queue.watched, (queue.n + 1) * sizeof *w) : NULL;
			if (f)
				queue.fds = f;
			if (w)
				queue.watched = w;
			if (f && w)
				queue.room = 2 * queue.n + 1;
		}
		fds = queue.fds;
		watched = queue.watched;
		if (!fds || !watched) {
			/* Out of memory for even the wake pipe: look later. */
			pthread_mutex_unlock(&queue.lock);
			(void)poll(NULL, 0, 20);
			pthread_mutex_lock(&queue.lock);
			reap_locked();
			continue;
		}
		fds[n].fd = queue.wake[0];
		fds[n++].events = POLLIN;
		short_of_room = 0;
		for (i = 0; i < queue.n; i++) {
			struct event *e = queue.ev[i];
			if (e->state != EV_RUNNING)
				continue;
			if (n + 2 > queue.room) {
				short_of_room = 1;
				continue;
			}
			watched[nw++] = e;
			if (e->child.pidfd >= 0) {
				fds[n].fd = e->child.pidfd;
				fds[n++].events = POLLIN;
			}
			if (e->child.out_fd >= 0) {
				fds[n].fd = e->child.out_fd;
				fds[n++].events = POLLIN;
			}
		}
		timeout = poll_timeout_locked();
		if (short_of_room)
			timeout = 1; /* out of memory for the poll set: look again soon */
		pthread_mutex_unlock(&queue.lock);

		if (poll(fds, n, timeout) < 0 && errno != EINTR)
			(void)poll(NULL, 0, 20);
		if (fds[0].revents & POLLIN) {
			while (read(queue.wake[0], junk, sizeof junk) > 0)
				;
		}
		/* Output is read without the lock, a bounded amount each: a
		 * child flooding its stdout never holds up a send call. */
		for (i = 0; i < nw; i++)
			anonstats_child_read(&watched[i]->child);

		pthread_mutex_lock(&queue.lock);
		if (fds[0].revents & POLLIN)
			queue.wake_pending = 0;
		reap_locked();
	}
	free(queue.fds);
	free(queue.watched);
	queue.fds = NULL;
	queue.watched = NULL;
	queue.room = 0;
	pthread_mutex_unlock(&queue.lock);
	return NULL;
}

/* The helper thread of this process.  After a fork() the parent's thread
 * is gone, and so are the parent's children: start afresh. */
static int ensure_thread_locked(void)
{
	sigset_t all, old;
	int rc;

	if (queue.running && queue.owner == getpid())
		return 0;
	if (queue.running) {
		while (queue.n > 0) {
			queue.ev[queue.n - 1]->child.pid = 0;
			remove_locked(queue.n - 1);
		}
		queue.running = 0;
		queue.stopping = 0;
		queue.begin = BEGIN_NONE;
		queue.beginning = 0;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	queue.quit = 0;
	queue.cancel = 0;
	queue.end_level = END_NONE;
	queue.wake_pending = 0;
	rc = pthread_create(&queue.thread, NULL, helper_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	queue.running = 1;
	queue.owner = getpid();
	return 0;
}

/* ---- the calls -------------------------------------------------------------- */

int anonstats_helper_open(void)
{
	pthread_condattr_t ca;

	pthread_mutex_lock(&queue.lock);
	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&queue.cond, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		goto fail;
	}
	pthread_condattr_destroy(&ca);
	if (pipe2(queue.wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		pthread_cond_destroy(&queue.cond);
		queue.wake[0] = queue.wake[1] = -1;
		goto fail;
	}
	queue.opened = 1;
	queue.closed = 0;
	queue.running = 0;
	queue.begin = BEGIN_NONE;
	queue.next_seq = 1;
	memset(&queue.counters, 0, sizeof queue.counters);
	memset(queue.recent, 0, sizeof queue.recent);
	/* Start the thread now, not in the first send: creating a thread
	 * would cost START a millisecond.  A failure is retried there. */
	if (ensure_thread_locked() < 0)
		anonstats_log(ANONSTATS_LOG_WARNING, "cannot start the helper thread yet: %s",
			      strerror(errno));
	pthread_mutex_unlock(&queue.lock);
	return 0;
fail:
	pthread_mutex_unlock(&queue.lock);
	if (!errno)
		errno = ENOMEM;
	return -1;
}

int anonstats_helper_queue(const char *action, const char *result, const char *data,
			   unsigned flags)
{
	struct event *e = NULL;
	struct timespec now;
	char msg[160];
	int rc = ANONSTATS_SENT, level = -1, err = 0, wake_fd;
	size_t i;

	if (action && !(e = new_event(action, result, data))) {
		anonstats_log(ANONSTATS_LOG_ERROR, "%s not sent: out of memory", action);
		errno = ENOMEM;
		return -1;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		memset(&now, 0, sizeof now);
	msg[0] = '\0';
	pthread_mutex_lock(&queue.lock);
	if (!queue.opened || queue.closed) {
		err = queue.opened ? ESHUTDOWN : EINVAL;
		goto refused;
	}
	if (ensure_thread_locked() < 0) {
		err = errno;
		level = ANONSTATS_LOG_ERROR;
		snprintf(msg, sizeof msg, "%s not sent: cannot start the helper thread: %s",
			 action ? action : "START", strerror(err));
		goto refused;
	}
	if (flags & ANONSTATS_Q_BEGIN_RUN)
		queue.begin = flags & ANONSTATS_Q_TRACKED ? BEGIN_TRACKED : BEGIN_UNTRACKED;
	if (flags & ANONSTATS_Q_LAST)
		queue.closed = 1;
	if (!e)
		goto queued;
	for (i = 0; i < queue.n; i++) {
		if (queue.ev[i]->state != EV_REPORTING && same_event(queue.ev[i], e)) {
			queue.ev[i]->merged++;
			queue.counters.merged++;
			rc = ANONSTATS_MERGED;
			level = ANONSTATS_LOG_DEBUG;
			snprintf(msg, sizeof msg, "%s: merged into the same event, still in flight",
				 action);
			goto merged;
		}
	}
	if (!e->vital && sent_lately_locked(event_key(e), &now)) {
		queue.counters.rate_limited++;
		rc = ANONSTATS_MERGED;
		level = ANONSTATS_LOG_DEBUG;
		snprintf(msg, sizeof msg, "%s: not sent again, the same was sent less than %d s ago",
			 action, ANONSTATS_REPEAT_WINDOW_S);
		goto merged;
	}
	if (!e->vital && ordinary_held_locked() >= ANONSTATS_QUEUE_MAX) {
		queue.counters.dropped++;
		err = EBUSY;
		level = ANONSTATS_LOG_WARNING;
		snprintf(msg, sizeof msg, "%s dropped: %d ordinary events held (%lu dropped so far)",
			 action, ANONSTATS_QUEUE_MAX, queue.counters.dropped);
		goto refused;
	}
	if (append_locked(e, queue.n) < 0) {
		err = ENOMEM;
		level = ANONSTATS_LOG_ERROR;
		snprintf(msg, sizeof msg, "%s not sent: out of memory", action);
		goto refused;
	}
	e->wait_begin = (flags & ANONSTATS_Q_BEGIN_RUN) != 0;
	if (!e->vital)
		remember_sent_locked(event_key(e), &now);
	queue.counters.queued++;
	e = NULL;
queued:
	/* The byte is written after the lock is released: the woken thread
	 * then finds the lock free instead of preempting us to wait on it. */
	wake_fd = wake_needed_locked() ? queue.wake[1] : -1;
	pthread_mutex_unlock(&queue.lock);
	if (wake_fd >= 0)
		wake_write(wake_fd);
	return rc;
merged:
	pthread_mutex_unlock(&queue.lock);
	free_event(e);
	anonstats_log((enum anonstats_log_level)level, "%s", msg);
	return rc;
refused:
	pthread_mutex_unlock(&queue.lock);
	if (e)
		free_event(e);
	if (level >= 0)
		anonstats_log((enum anonstats_log_level)level, "%s", msg);
	errno = err;
	return -1;
}

/* Held events, or a START's run state still to begin (it may queue
 * CRASH): what a shutdown waits for. */
static int in_flight_locked(void)
{
	return (queue.n > 0 || queue.begin != BEGIN_NONE || queue.beginning) && queue.running && queue.owner == getpid();
}

/* Wait while events are held, until the deadline.  Lock held. */
static void wait_empty_locked(const struct timespec *deadline)
{
	while (in_flight_locked()) {
		if (pthread_cond_timedwait(&queue.cond, &queue.lock, deadline) == ETIMEDOUT)
			break;
	}
}

/* Send the running ones SIGTERM or SIGKILL; log the first time. */
static void end_running_locked(enum anonstats_end how)
{
	size_t i;

	queue.end_level = how;
	for (i = 0; i < queue.n; i++) {
		struct event *e = queue.ev[i];
		if (e->state != EV_RUNNING || e->child.exited)
			continue;
		if (e->child.end == END_NONE) {
			queue.counters.ended++;
			anonstats_log(ANONSTATS_LOG_WARNING, "%s: no answer after %ld ms, ending it",
				      e->args[0], anonstats_ms_since(&e->queued));
		}
		anonstats_child_end(&e->child, how);
	}
	wake_locked();
}

void anonstats_helper_shutdown(const struct timespec *deadline)
{
	struct timespec term_at, after_kill;
	long left, grace;
	size_t i;
	int ours;

	pthread_mutex_lock(&queue.lock);
	if (!queue.opened) {
		pthread_mutex_unlock(&queue.lock);
		return;
	}
	queue.closed = 1;
	ours = queue.owner == getpid(); /* after a fork(), the parent's children are not */
	if (queue.running && queue.owner == getpid()) {
		if (queue.stopping) {
			/* Another thread (STOP and FATAL at once) is at it. */
			while (queue.running)
				pthread_cond_wait(&queue.cond, &queue.lock);
			pthread_mutex_unlock(&queue.lock);
			return;
		}
		queue.stopping = 1;
		left = anonstats_ms_until(deadline);
		grace = (long)anonstats_term_grace((unsigned)left);
		anonstats_deadline_after(&term_at, (unsigned)(left - grace));
		wait_empty_locked(&term_at);
		if (in_flight_locked()) {
			/* Start nothing more; a chance to clean up, then
			 * SIGKILL at the bound. */
			queue.cancel = 1;
			end_running_locked(END_TERM);
			wait_empty_locked(deadline);
		}
		if (in_flight_locked()) {
			end_running_locked(END_KILL);
			anonstats_deadline_after(&after_kill, KILL_COLLECT_MS);
			wait_empty_locked(&after_kill);
		}
		queue.quit = 1;
		queue.wake_pending = 0;
		wake_locked();
		pthread_mutex_unlock(&queue.lock);
		pthread_join(queue.thread, NULL);
		pthread_mutex_lock(&queue.lock);
		queue.running = 0;
		queue.stopping = 0;
		pthread_cond_broadcast(&queue.cond);
	}
	/* What is left (queued when the thread quit, or a child that did
	 * not die of SIGKILL yet): collected if it can be, else left to init
	 * once we exit. */
	anonstats_deadline_after(&after_kill, LEFTOVER_COLLECT_MS);
	for (i = 0; i < queue.n; i++) {
		struct event *e = queue.ev[i];
		char label[LABEL_SIZE];

		event_label(e, label);
		if (e->state == EV_QUEUED) {
			queue.counters.abandoned++;
			anonstats_log(ANONSTATS_LOG_WARNING, "%s: not sent, stopping", label);
		} else {
			anonstats_log(ANONSTATS_LOG_WARNING, "%s: ended at the bound, not reported",
				      label);
		}
		if (ours && e->child.pid > 0) {
			anonstats_child_end(&e->child, END_KILL);
			while (!anonstats_child_collect(&e->child) && anonstats_ms_until(&after_kill) > 0)
				(void)poll(NULL, 0, 1);
		}
		free_event(e);
	}
	queue.n = 0;
	pthread_mutex_unlock(&queue.lock);
}

void anonstats_helper_free(void)
{
	pthread_mutex_lock(&queue.lock);
	if (!queue.opened) {
		pthread_mutex_unlock(&queue.lock);
		return;
	}
	queue.opened = 0;
	if (queue.wake[0] >= 0)
		close(queue.wake[0]);
	if (queue.wake[1] >= 0)
		close(queue.wake[1]);
	queue.wake[0] = queue.wake[1] = -1;
	free(queue.ev);
	queue.ev = NULL;
	queue.n = queue.cap = 0;
	pthread_cond_destroy(&queue.cond);
	pthread_mutex_unlock(&queue.lock);
}

unsigned anonstats_helper_in_flight(void)
{
	unsigned n;

	pthread_mutex_lock(&queue.lock);
	n = (unsigned)queue.n + (queue.begin != BEGIN_NONE || queue.beginning);
	pthread_mutex_unlock(&queue.lock);
	return n;
}

void anonstats_helper_counters(struct anonstats_counters *out)
{
	pthread_mutex_lock(&queue.lock);
	*out = queue.counters;
	pthread_mutex_unlock(&queue.lock);
}
