/* dashboard-deadline.h: how long a dashboard client may take.
 *
 * libmicrohttpd's connection timeout counts idle time only: a client that
 * sends one byte a second holds its connection for ever, and the 64 of them
 * a local user can open lock everyone else out.  Here each connection has
 * deadlines counted from its accept (or from the end of its previous
 * answer): a whole request header within DEADLINE_HEADER_MS (a browser or
 * curl sends it at once), or DEADLINE_HEADER_BUSY_MS while three quarters
 * of the connections are taken; the answer sent within
 * DEADLINE_REQUEST_MS.  At most DEADLINE_WAITING_MAX connections wait for
 * their header: each one accepted beyond that shuts the oldest waiting one
 * down at once, so slow clients queued by the hundreds cannot keep a plain
 * request waiting in the listen queue behind them (the server takes far
 * more connections than that, for the ones being answered).  A thread of
 * its own looks every DEADLINE_SWEEP_MS,
 * and only while there are connections; it shuts a late connection's socket
 * down, and the server then closes it as any client that went away.
 *
 * The server calls deadline_add() when it accepts a connection and
 * deadline_remove() before it closes the socket (libmicrohttpd's
 * MHD_CONNECTION_NOTIFY_CLOSED comes before its close()): the socket is
 * shut down only under the lock deadline_remove() takes, so never after the
 * descriptor was closed and perhaps reused. */
#ifndef DASHBOARD_DEADLINE_H
#define DASHBOARD_DEADLINE_H

#include <stddef.h>

#define DEADLINE_HEADER_MS 2000
#define DEADLINE_HEADER_BUSY_MS 500
#define DEADLINE_REQUEST_MS 10000
#define DEADLINE_SWEEP_MS 100
#define DEADLINE_WAITING_MAX 32

struct deadline_conn;

/* Start the thread for a server of at most LIMIT connections; 0, or -1
 * with errno set. */
int deadline_start(size_t limit);
/* Stop the thread (within DEADLINE_SWEEP_MS); connections still there stay
 * tracked until deadline_remove(). */
void deadline_stop(void);

/* A connection was accepted on FD: its record, or NULL when out of memory
 * (the caller then drops it). */
struct deadline_conn *deadline_add(int fd);
/* Its whole request header came: only the request deadline is left. */
void deadline_header_done(struct deadline_conn *c);
/* Its answer went out: the next request's deadlines start now. */
void deadline_answered(struct deadline_conn *c);
/* It is about to be closed: forget it (C may be NULL). */
void deadline_remove(struct deadline_conn *c);

#endif
