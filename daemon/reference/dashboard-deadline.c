/* dashboard-deadline.c: the dashboard's per-request deadlines (see
 * dashboard-deadline.h): a list of connections under one lock, and a
 * thread that shuts down the late ones. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "dashboard-deadline.h"

struct deadline_conn {
	struct deadline_conn *prev, *next;
	int fd;
	int header_done;
	int shut;
	long long since_ms; /* accept, or the end of the previous answer */
};

/* The connections the server holds, and the thread that watches them. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* on CLOCK_MONOTONIC */
	pthread_t thread;
	struct deadline_conn *head;
	size_t count, busy, waiting_max;
	int running, stop;
} tracked = { .lock = PTHREAD_MUTEX_INITIALIZER };

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Shut down every connection past a deadline; with tracked.lock held. */
static void sweep(void)
{
	long long now = now_ms();
	long long header_ms = tracked.count >= tracked.busy ? DEADLINE_HEADER_BUSY_MS : DEADLINE_HEADER_MS;

	for (struct deadline_conn *c = tracked.head; c; c = c->next) {
		long long age = now - c->since_ms;

		if (c->shut || (age < DEADLINE_REQUEST_MS && (c->header_done || age < header_ms)))
			continue;
		/* The server sees the end of the stream and closes it; an error
		 * here (the client went first) changes nothing. */
		(void)shutdown(c->fd, SHUT_RDWR);
		c->shut = 1;
	}
}

/* Past waiting_max connections still without a whole header, shut the
 * oldest of them down; with tracked.lock held.  A client that sends its request
 * at once is answered long before it could be the oldest: however many
 * slow connections wait in the listen queue, each accept makes room. */
static void evict_oldest_waiting(void)
{
	struct deadline_conn *c, *oldest = NULL;
	size_t waiting = 0;

	for (c = tracked.head; c; c = c->next) /* newest first */
		if (!c->header_done && !c->shut) {
			waiting++;
			oldest = c;
		}
	if (waiting <= tracked.waiting_max || !oldest)
		return;
	(void)shutdown(oldest->fd, SHUT_RDWR);
	oldest->shut = 1;
}

static void *sweeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tracked.lock);
	while (!tracked.stop) {
		struct timespec t;

		if (!tracked.head) {
			/* Nothing to watch: sleep until a connection comes. */
			pthread_cond_wait(&tracked.wake, &tracked.lock);
			continue;
		}
		sweep();
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += DEADLINE_SWEEP_MS * 1000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&tracked.wake, &tracked.lock, &t);
	}
	pthread_mutex_unlock(&tracked.lock);
	return NULL;
}

int deadline_start(size_t limit)
{
	pthread_condattr_t attr;
	int rc;

	/* Before the server starts: no other thread touches it yet. */
	if (tracked.running)
		return 0;
	rc = pthread_condattr_init(&attr);
	if (rc == 0) {
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		if (rc == 0)
			rc = pthread_cond_init(&tracked.wake, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	tracked.busy = limit - limit / 4;
	tracked.waiting_max = DEADLINE_WAITING_MAX < limit ? DEADLINE_WAITING_MAX : limit;
	tracked.stop = 0;
	rc = pthread_create(&tracked.thread, NULL, sweeper, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&tracked.wake);
		errno = rc;
		return -1;
	}
	tracked.running = 1;
	return 0;
}

void deadline_stop(void)
{
	if (!tracked.running) /* only the thread that started it stops it */
		return;
	/* From here deadline_add() signals no more: the server may still be
	 * accepting while the thread ends. */
	pthread_mutex_lock(&tracked.lock);
	tracked.stop = 1;
	tracked.running = 0;
	pthread_cond_signal(&tracked.wake);
	pthread_mutex_unlock(&tracked.lock);
	pthread_join(tracked.thread, NULL);
	pthread_cond_destroy(&tracked.wake);
}

struct deadline_conn *deadline_add(int fd)
{
	struct deadline_conn *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->fd = fd;
	c->since_ms = now_ms();
	pthread_mutex_lock(&tracked.lock);
	c->next = tracked.head;
	if (tracked.head)
		tracked.head->prev = c;
	tracked.head = c;
	tracked.count++;
	evict_oldest_waiting();
	if (tracked.running)
		pthread_cond_signal(&tracked.wake);
	pthread_mutex_unlock(&tracked.lock);
	return c;
}

void deadline_header_done(struct deadline_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&tracked.lock);
	c->header_done = 1;
	pthread_mutex_unlock(&tracked.lock);
}

void deadline_answered(struct deadline_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&tracked.lock);
	c->header_done = 0;
	c->since_ms = now_ms();
	pthread_mutex_unlock(&tracked.lock);
}

void deadline_remove(struct deadline_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&tracked.lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		tracked.head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	tracked.count--;
	pthread_mutex_unlock(&tracked.lock);
	free(c);
}
