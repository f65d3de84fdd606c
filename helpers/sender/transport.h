/* transport.h: one POST through curl or wget, within a bound, and the HTTP
 * status it got.  The script chooses the program and its options; this
 * gives it the body and reads the status, never storing the reply. */
#ifndef HELPERS_TRANSPORT_H
#define HELPERS_TRANSPORT_H

enum transport_kind {
	TRANSPORT_CURL,    /* body on stdin; stdout is -w '%{http_code}' */
	TRANSPORT_WGET,    /* GNU Wget: the body on stdin, a file it can seek
			    * (--post-file=/dev/stdin: Wget 1.21 must know its
			    * size); the status from -S on stderr */
	TRANSPORT_BUSYBOX, /* BusyBox wget: body on stdin; -S on stderr */
};

/* transport_kind_named(NAME): the kind called NAME ("curl", "wget",
 * "busybox"), or -1. */
int transport_kind_named(const char *name);

/* transport_post(ARGV, KIND, BODY, LIMIT_MS, STATUS, OK): run ARGV (ARGV[0]
 * a path) in a process group killed after LIMIT_MS.  The body is never an
 * argument: other users read every process's argv.  STATUS gets the three digits of the HTTP
 * status it reports ("" when none: no answer, or not [1-5]xx); *OK is 1
 * when the program exited with 0 within the bound.  Returns 0, or -errno
 * when it could not be run. */
int transport_post(char *const argv[], enum transport_kind kind, const char *body, long limit_ms,
		   char status[4], int *ok);

#endif
